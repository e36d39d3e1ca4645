/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgend.h - the end of a cgroup's life, in every hierarchy of a struct
 * ctu_cg_hiers (cg.h): freeze and thaw, kill, wait until empty, remove.
 * @path is a cgroup path as ctu_cg_dir() takes it.
 */
#ifndef CTU_CGEND_H
#define CTU_CGEND_H

#include <stdbool.h>

#include "cg.h"
#include "err.h"

/*
 * Waits until "KEY VALUE" is in @dir/cgroup.events (v2), polling for
 * changes; @timeout_ms < 0 waits for ever.  0, -ETIMEDOUT or -errno.
 */
int ctu_cg_wait_event(const char *dir, const char *key, int value, int timeout_ms);

/*
 * Freezes (or thaws) every process: v2's cgroup.freeze where the cgroup has
 * it, else the v1 freezer; waits until the kernel says it is done, up to
 * @timeout_ms.  0, -ETIMEDOUT, -ENODEV (no freezer) or -errno.
 */
int ctu_cg_set_frozen(struct ctu_cg_hiers *hs, const char *path, bool frozen, int timeout_ms);

/*
 * Sends @sig to every process (@recursive: and in the cgroups below).
 * SIGKILL through v2's cgroup.kill (Linux 5.14) where it exists: the kernel
 * kills the whole subtree, forks included.  Otherwise freeze, signal each
 * process by pidfd (a recycled pid is never hit), thaw, so that no process
 * escapes by forking meanwhile.
 */
void ctu_cg_kill(struct ctu_cg_hiers *hs, const char *path, int sig, bool recursive);

/*
 * Until no process is left: cgroup.events on v2, polling cgroup.procs on
 * v1; @timeout_ms < 0 waits for ever.  0, -ETIMEDOUT or -errno.
 */
int ctu_cg_wait_empty(struct ctu_cg_hiers *hs, const char *path, int timeout_ms);

/*
 * Removes cgroup @path from every hierarchy (@recursive: the cgroups below
 * first), with @kill_first its processes killed and waited for up to
 * @timeout_ms.  A missing cgroup is removed already.  Returns 0 or a
 * negative number with *@err set.
 */
int ctu_cg_delete(struct ctu_cg_hiers *hs, const char *path, bool recursive, bool kill_first,
		  int timeout_ms, ctu_err_t *err);

#endif
