/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hier.h - cgroup hierarchies: finding them (v2, hybrid, v1, or a fake tree
 * with --root), naming a cgroup in each, and the operations on cgroup
 * directories that the commands share.
 */
#ifndef CGCTL_HIER_H
#define CGCTL_HIER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "undo.h"

enum layout { LAYOUT_V2, LAYOUT_HYBRID, LAYOUT_V1, LAYOUT_FAKE };

struct hier {
	char mnt[256];	 /* mount point */
	bool v2;
	char ctrls[128]; /* v1: its controllers, "cpu,cpuacct"; v2: "" */
	char base[1024]; /* with --self: our own cgroup in it, else "" */
};

struct hiers {
	struct hier h[16];
	size_t n;
	enum layout layout;
};

/* The room a cgroup's directory needs: mnt, base and a checked path. */
#define CG_DIR_MAX 2048

/*
 * Finds the hierarchies (all of them, or with @only_ctrls those v1 ones that
 * hold one of them).  Returns 0 or a negative number with *@err set.
 */
int hiers_detect(struct hiers *hs, const char *fake_root, bool self, const char *only_ctrls,
		 ctu_err_t *err);

/*
 * -c names only controllers this host has (in a v1 hierarchy, offered by the
 * v2 one, or built into it): else a usage error.  A fake tree takes any name.
 */
int hiers_check_controllers(struct hiers *hs, const char *list, ctu_err_t *err);

/* A -c name as cgroup v2 calls it: v1 names of v2 controllers are mapped. */
const char *ctrl_v2_name(const char *name);

/* freezer and devices are v1 controllers that cgroup v2 builds into its core. */
bool ctrl_v2_builtin(const char *name);

const char *layout_name(enum layout l);

/* The unified hierarchy, or NULL on a v1 host. */
struct hier *hier_v2(struct hiers *hs);

/*
 * Where controller @ctrl lives: its v1 hierarchy, else the unified one if
 * it offers @ctrl (or @ctrl is a core file: "cgroup"), else NULL.
 */
struct hier *hier_for(struct hiers *hs, const char *ctrl);

/* Whether v1 hierarchy @h holds controller @ctrl. */
bool hier_has(const struct hier *h, const char *ctrl);

/* The directory of the cgroup this process is in now, in hierarchy @h. */
void hier_own_dir(const struct hier *h, char *out, size_t size);

/* The directory of cgroup @path in @h, into @out; returns @out. */
const char *hier_dir(const struct hier *h, const char *path, char out[CG_DIR_MAX]);

/*
 * Checks a cgroup path: given, not empty, no "..", no name like an interface
 * file.  Returns 0, or a negative number with *@err a usage error.
 */
int cgroup_path_check(const char *path, ctu_err_t *err);

/*
 * mkdir -p of @path in @h (lib's ctu_mkdir_p), each directory made recorded
 * in @undo; then every level of @path, parents first, is handed to
 * @each_level (may be NULL), which must do nothing to a level that needs
 * nothing.  Returns 0 or a negative number with *@err set.
 */
int cgroup_mkdir(const struct hier *h, const char *path, struct ctu_undo *undo,
		 void (*each_level)(const struct hier *h, const char *dir), ctu_err_t *err);

/*
 * Enables @ctrls (space-separated) in cgroup.subtree_control of every
 * ancestor of @path in @h, from the root down: all at once, then one by one
 * to name the one refused.  Returns 0, or -errno with *@err naming the
 * controller and directory, and explaining the v2 rules that refuse it.
 */
int cgroup_enable(const struct hier *h, const char *path, const char *ctrls, ctu_err_t *err);

/* The pids in cgroup @dir (and below with @recursive); caller frees. */
int cgroup_pids(const char *dir, bool recursive, pid_t **pids, size_t *n);

/* Writes @pid to @dir/@file (cgroup.procs), one per write, retrying EINVAL. */
int cgroup_move(const char *dir, const char *file, pid_t pid);

/* Whether a file exists in @dir. */
bool cgroup_has_file(const char *dir, const char *file);

/*
 * Waits until "KEY VALUE" is in @dir/cgroup.events (v2), polling for
 * changes; @timeout_ms < 0 waits for ever.  0, -ETIMEDOUT or -errno.
 */
int cgroup_wait_event(const char *dir, const char *key, int value, int timeout_ms);

#endif
