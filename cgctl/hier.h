/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hier.h - the operations on cgroup directories that cgctl's commands share:
 * making a cgroup, enabling controllers, moving a process, waiting for an
 * event.  Finding the hierarchies and reading values is lib/cg's (cg.h).
 */
#ifndef CGCTL_HIER_H
#define CGCTL_HIER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cg.h"
#include "err.h"
#include "undo.h"

/*
 * mkdir -p of @path in @h (lib's ctu_mkdir_p), each directory made recorded
 * in @undo; then every level of @path, parents first, is handed to
 * @each_level (may be NULL), which must do nothing to a level that needs
 * nothing.  Returns 0 or a negative number with *@err set.
 */
int cgroup_mkdir(const struct ctu_cg_hier *h, const char *path, struct ctu_undo *undo,
		 void (*each_level)(const struct ctu_cg_hier *h, const char *dir), ctu_err_t *err);

/*
 * Enables @ctrls (space-separated) in cgroup.subtree_control of every
 * ancestor of @path in @h, from the root down: all at once, then one by one
 * to name the one refused.  Returns 0, or -errno with *@err naming the
 * controller and directory, and explaining the v2 rules that refuse it.
 */
int cgroup_enable(const struct ctu_cg_hier *h, const char *path, const char *ctrls, ctu_err_t *err);

/* Writes @pid to @dir/@file (cgroup.procs), one per write, retrying EINVAL. */
int cgroup_move(const char *dir, const char *file, pid_t pid);


#endif
