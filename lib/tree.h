/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tree.h - removing a directory tree by fds (rm -rf that follows no symlink and crosses no mount). */
#ifndef CTU_TREE_H
#define CTU_TREE_H

/*
 * Removes @name below @dirfd and everything under it, descending only by
 * openat(O_NOFOLLOW|O_DIRECTORY) fds, never into another filesystem (a mount
 * point below is an error, EXDEV, and stays).  A missing @name is success.
 * Returns 0 or -errno (what could be removed is gone).
 */
int ctu_tree_remove(int dirfd, const char *name);

#endif
