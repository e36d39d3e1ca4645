/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * undo.h - the one rollback log: what a command has made so far (mounts,
 * directories, files, network links, cgroups, anything through a callback),
 * replayed newest first when a later step fails and dropped when the command
 * succeeds, so that a failed command leaves nothing behind.
 *
 *	struct ctu_undo undo = CTU_UNDO_INIT;
 *
 *	if (ctu_mkdir_p(&undo, AT_FDCWD, dir, 0755, 0, err) < 0 ||
 *	    mount_something(dir, err) < 0 || ctu_undo_mount(&undo, dir, err) < 0)
 *		return ctu_undo_rollback(&undo), ctu_err_code(*err);
 *	ctu_undo_forget(&undo);
 *
 * Each ctu_undo_* records an action already done.  If recording itself fails
 * (out of memory), the action is undone at once and the error returned, so
 * the caller's rollback still covers everything.
 */
#ifndef CTU_UNDO_H
#define CTU_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct ctu_undo_entry;

struct ctu_undo {
	struct ctu_undo_entry *newest;
	size_t n;
};
#define CTU_UNDO_INIT { NULL, 0 }

/*
 * Paths are relative to a directory fd (AT_FDCWD, or an fd the log dups and
 * keeps).  With CTU_UNDO_IN_ROOT the fd is a root: the path is resolved
 * inside it (openat2 RESOLVE_IN_ROOT, no magic links) when it is undone,
 * so a symlink swapped in meanwhile cannot make us remove a host file.
 */
#define CTU_UNDO_IN_ROOT 0x1u
/*
 * The directory is a cgroup: its removal is tried again for a while on
 * EBUSY, since a process just killed or moved out may still be leaving it.
 */
#define CTU_UNDO_CGROUP 0x2u

/* A mount made on @path: detached (umount2 MNT_DETACH). */
int ctu_undo_mount(struct ctu_undo *u, const char *path, ctu_err_t *err);

/*
 * A mount made on @path relative to @dirfd (with CTU_UNDO_IN_ROOT resolved
 * inside it as a root): the mount found there is detached, through an fd of
 * it, so no symlink on the way is followed outside the root.
 */
int ctu_undo_mount_at(struct ctu_undo *u, int dirfd, const char *path, unsigned int flags,
		      ctu_err_t *err);

/* A detached mount (fsmount, open_tree): the log owns @mntfd and closes it. */
int ctu_undo_mount_fd(struct ctu_undo *u, int mntfd, ctu_err_t *err);

/* A directory we created: rmdir. */
int ctu_undo_dir(struct ctu_undo *u, int dirfd, const char *path, unsigned int flags,
		 ctu_err_t *err);

/* A file we created (a bind target, a pid file): unlink. */
int ctu_undo_file(struct ctu_undo *u, int dirfd, const char *path, unsigned int flags,
		  ctu_err_t *err);

/* A cgroup we created at @path (absolute): ctu_undo_dir() with CTU_UNDO_CGROUP. */
int ctu_undo_cgroup(struct ctu_undo *u, const char *path, ctu_err_t *err);

/*
 * A network link we created: deleted by @ifindex in the network namespace
 * @netnsfd (-1: ours), over netlink.  (lib/undo_link.c: only the tools that
 * use it link libnl's part of it.)
 */
int ctu_undo_link(struct ctu_undo *u, int netnsfd, int ifindex, ctu_err_t *err);

/* Anything else: @fn(@arg) is called on rollback; @arg is the caller's. */
int ctu_undo_call(struct ctu_undo *u, void (*fn)(void *arg), void *arg, ctu_err_t *err);

/*
 * Undoes everything recorded, newest first, and empties the log.  Best
 * effort: a step that fails does not stop the others.  errno is preserved.
 */
void ctu_undo_rollback(struct ctu_undo *u);

/* Success: forgets everything recorded, undoing nothing. */
void ctu_undo_forget(struct ctu_undo *u);

/* For _cleanup_: rolls back whatever was not forgotten. */
void ctu_undo_rollbackp(struct ctu_undo *u);
#define _cleanup_undo_ __attribute__((cleanup(ctu_undo_rollbackp)))

/* mkdir -p modes: resolve every component inside @dirfd as a root. */
#define CTU_MKDIR_IN_ROOT CTU_UNDO_IN_ROOT
/* mkdir -p of cgroups: each one recorded as ctu_undo_cgroup() does. */
#define CTU_MKDIR_CGROUP CTU_UNDO_CGROUP

/*
 * mkdir -p: creates the missing directories of @path (relative to @dirfd,
 * or absolute), each with @mode, recording each one it made in @u (which
 * may be NULL).  With CTU_MKDIR_IN_ROOT each component is resolved inside
 * @dirfd as in a root (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so
 * ".." and absolute symlinks stop at it.  An existing non-directory on the
 * way is ENOTDIR.  Returns 0, or a negative number with *@err naming the
 * directory that could not be made.
 */
int ctu_mkdir_p(struct ctu_undo *u, int dirfd, const char *path, mode_t mode, unsigned int flags,
		ctu_err_t *err);

#endif
