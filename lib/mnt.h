/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mnt.h - mount-table helpers over libmount. */
#ifndef CTU_MNT_H
#define CTU_MNT_H

/* The directory part of @path ("." for a bare name), newly allocated, or NULL. */
char *ctu_mnt_parent_dir(const char *path);

/*
 * Whether @path is itself a mount point in our mount namespace, from
 * /proc/self/mountinfo: 1 yes, 0 no, -errno.
 */
int ctu_mnt_is_mount_point(const char *path);

#endif
