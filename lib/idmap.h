/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idmap.h - user-namespace id maps: parsing, building, and writing them,
 * directly (/proc/PID/uid_map) or through newuidmap/newgidmap.
 */
#ifndef CTU_IDMAP_H
#define CTU_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel's limit on lines in one map (since 4.15). */
#define CTU_IDMAP_MAX 340

struct ctu_idmap_range {
	uint32_t inner; /* id inside the namespace */
	uint32_t outer; /* id outside */
	uint32_t count;
};

struct ctu_idmap {
	struct ctu_idmap_range r[CTU_IDMAP_MAX];
	size_t n;
};

/* "INNER:OUTER:COUNT"; count > 0 and no wrap past 2^32 - 1. */
int ctu_idmap_parse_range(const char *s, struct ctu_idmap_range *out);

/*
 * Adds a range.  -EEXIST when it overlaps, inside or outside, one already
 * there; -E2BIG past CTU_IDMAP_MAX lines.
 */
int ctu_idmap_add(struct ctu_idmap *m, const struct ctu_idmap_range *r);

/*
 * Adds a single id that takes precedence over the ranges: a range that maps
 * the same inner id gets a hole there (util-linux #3838), one that maps
 * the same outer id likewise.
 */
int ctu_idmap_add_single(struct ctu_idmap *m, uint32_t inner, uint32_t outer);

/* "inner outer count\n" per line into @buf; -ENOSPC when it does not fit. */
int ctu_idmap_format(const struct ctu_idmap *m, char *buf, size_t size);

/*
 * The first range /etc/subuid-style @file gives @user (by name or by
 * number @id): "name:start:count".  -ENOENT when there is none.
 */
int ctu_subid_lookup(const char *file, const char *user, uint32_t id, uint32_t *start,
		     uint32_t *count);

/* Appends the maps of the current process (/proc/self/uid_map or gid_map) as identity. */
int ctu_idmap_add_current(struct ctu_idmap *m, bool gid);

/* Writes "deny" or "allow" to /proc/PID/setgroups. */
int ctu_setgroups_write(pid_t pid, bool allow);

/* Writes the map in one write(2) to /proc/PID/uid_map (or gid_map). */
int ctu_idmap_write(pid_t pid, bool gid, const struct ctu_idmap *m);

/*
 * Runs newuidmap (or newgidmap) PID INNER OUTER COUNT ..., the setuid
 * helpers that apply /etc/subuid for an unprivileged user.  Returns 0, the
 * helper's exit status as a positive number, or -errno (-ENOENT when it is
 * not installed).
 */
int ctu_idmap_run_helper(pid_t pid, bool gid, const struct ctu_idmap *m);

/*
 * Whether this process is in the initial user namespace (its uid_map is
 * "0 0 4294967295"): where trusted.* xattrs, the host's /run and real
 * device numbers are within root's reach.
 */
bool ctu_userns_is_initial(void);

#endif
