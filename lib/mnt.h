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

/*
 * The mount point of a cgroup hierarchy in our mount namespace: for
 * @controllers "" the unified (cgroup2) one, otherwise the v1 hierarchy
 * whose options name one of the comma-separated @controllers ("cpu,cpuacct",
 * "name=systemd").  Returns a new string, or NULL with errno ENOENT.
 */
char *ctu_mnt_cgroup_mount(const char *controllers);

#endif
