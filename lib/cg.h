/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cg.h - cgroup hierarchies (v2, hybrid, v1, or a fake tree), a cgroup's
 * directory in each, its values as cgroup v2 names them (v1 files read and
 * translated), and its usage: what cgctl and nsenter-lite's --inspect read
 * alike.  Values are read, never written, here; cgctl's writing stays in it.
 */
#ifndef CTU_CG_H
#define CTU_CG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum ctu_cg_layout { CTU_CG_V2, CTU_CG_HYBRID, CTU_CG_V1, CTU_CG_FAKE };

struct ctu_cg_hier {
	char mnt[256];	 /* mount point */
	bool v2;
	char ctrls[128]; /* v1: its controllers, "cpu,cpuacct"; v2: "" */
	char base[1024]; /* with self: our own cgroup in it, else "" */
};

struct ctu_cg_hiers {
	struct ctu_cg_hier h[16];
	size_t n;
	enum ctu_cg_layout layout;
};

/* The room a cgroup's directory needs: mnt, base and a checked path. */
#define CTU_CG_DIR_MAX 2048

/*
 * Finds the hierarchies in our mount namespace (all of them, or with
 * @only_ctrls those v1 ones that hold one of them; @fake_root: that one
 * directory as a v2 tree).  With @self, each one's base is our own cgroup.
 * Returns 0 or a negative number with *@err set.
 */
int ctu_cg_detect(struct ctu_cg_hiers *hs, const char *fake_root, bool self,
		  const char *only_ctrls, ctu_err_t *err);

/*
 * A comma-separated controller list names only controllers this host has (in
 * a v1 hierarchy, offered by the v2 one, or built into it): else a usage
 * error naming --controllers.  A fake tree takes any name.
 */
int ctu_cg_check_controllers(struct ctu_cg_hiers *hs, const char *list, ctu_err_t *err);

/* A controller name as cgroup v2 calls it: v1 names of v2 controllers are mapped. */
const char *ctu_cg_v2_name(const char *name);

/* freezer and devices are v1 controllers that cgroup v2 builds into its core. */
bool ctu_cg_v2_builtin(const char *name);

const char *ctu_cg_layout_name(enum ctu_cg_layout l);

/* The unified hierarchy, or NULL on a v1 host. */
struct ctu_cg_hier *ctu_cg_v2(struct ctu_cg_hiers *hs);

/*
 * Where controller @ctrl lives: its v1 hierarchy, else the unified one if
 * it offers @ctrl (or @ctrl is a core file: "cgroup"), else NULL.
 */
struct ctu_cg_hier *ctu_cg_hier_for(struct ctu_cg_hiers *hs, const char *ctrl);

/* Whether v1 hierarchy @h holds controller @ctrl. */
bool ctu_cg_hier_has(const struct ctu_cg_hier *h, const char *ctrl);

/* A hierarchy's name as --inspect shows it: "unified", or its v1 controllers. */
const char *ctu_cg_hier_name(const struct ctu_cg_hier *h);

/*
 * The cgroup of hierarchy @h in the /proc/PID/cgroup file @file read from
 * @dirfd ("/" for the root), into @out.  0, -ENOENT (no line for @h), or
 * -errno.
 */
int ctu_cg_path_of(int dirfd, const char *file, const struct ctu_cg_hier *h, char *out,
		   size_t size);

/* The directory of the cgroup this process is in now, in hierarchy @h. */
void ctu_cg_own_dir(const struct ctu_cg_hier *h, char *out, size_t size);

/* The directory of cgroup @path in @h (below its base), into @out; returns @out. */
const char *ctu_cg_dir(const struct ctu_cg_hier *h, const char *path, char out[CTU_CG_DIR_MAX]);

/*
 * Checks a cgroup path: given, not empty, no "..", no name like an interface
 * file.  Returns 0, or a negative number with *@err a usage error.
 */
int ctu_cg_path_check(const char *path, ctu_err_t *err);

/* The pids in cgroup @dir (and below with @recursive); caller frees. */
int ctu_cg_pids(const char *dir, bool recursive, pid_t **pids, size_t *n);

/* Whether a file exists in @dir. */
bool ctu_cg_has_file(const char *dir, const char *file);

/* ---- values ---- */

/* The first line of @dir/@file.  0 or -errno. */
int ctu_cg_read_line(const char *dir, const char *file, char *out, size_t size);

/* The value of "KEY N" in a flat keyed file (cpu.stat, memory.events): 0 or -ENOENT. */
int ctu_cg_keyed(const char *dir, const char *file, const char *key, uint64_t *v);

/* "memory" for "memory.max": the controller a key belongs to. */
void ctu_cg_controller_of(const char *key, char *ctrl, size_t size);

/* The v1 file that holds a v2 key's value, for reading (the key itself if none). */
const char *ctu_cg_v1_file_for(const char *key);

/* Converts a value read from a v1 file back to the v2 form of @key. */
void ctu_cg_v1_value_to_v2(const char *key, const char *raw, char *out, size_t size);

/* cpu.shares -> cpu.weight, the log-quadratic mapping (1024 -> 100). */
uint64_t ctu_cg_shares_to_weight(uint64_t shares);

/* blkio.weight [10, 1000] -> io.weight [1, 10000]. */
uint64_t ctu_cg_blkio_to_io_weight(uint64_t blkio);

/*
 * The v2 key @key of the cgroup directory @dir of hierarchy @h: the file
 * itself on v2, its v1 file(s) translated on v1.  0 or -errno.
 */
int ctu_cg_read_in(const struct ctu_cg_hier *h, const char *dir, const char *key, char *out,
		   size_t size);

/* A v2 key's value for cgroup @path, from wherever its controller lives (-ENODEV: nowhere). */
int ctu_cg_read_value(struct ctu_cg_hiers *hs, const char *path, const char *key, char *out,
		      size_t size);

/* ---- usage ---- */

/* A usage metric of a cgroup (cgctl stat, top): a count, or a size in bytes. */
struct ctu_cg_metric {
	const char *name;
	uint64_t value;
	bool bytes;
};

#define CTU_CG_METRICS_MAX 32

/* Usage of cgroup @path into @m (CTU_CG_METRICS_MAX), from each controller's hierarchy. */
size_t ctu_cg_stat(struct ctu_cg_hiers *hs, const char *path, struct ctu_cg_metric *m);

/*
 * The same metrics, only those whose controller lives in @h, read from its
 * directory @dir (a cgroup's place in that one hierarchy).
 */
size_t ctu_cg_stat_in(struct ctu_cg_hiers *hs, const struct ctu_cg_hier *h, const char *dir,
		      struct ctu_cg_metric *m);

#endif
