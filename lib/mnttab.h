/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mnttab.h - the mount table (/proc/self/mountinfo), read with libmount. */
#ifndef CTU_MNTTAB_H
#define CTU_MNTTAB_H

#include "lazy-mount.h"

/* Our mount namespace's table, parsed; NULL when it cannot be read. */
struct libmnt_table *ctu_mnt_table(void);

/* For _cleanup_(ctu_mnt_table_unref). */
void ctu_mnt_table_unref(struct libmnt_table **tb);

/*
 * The mount point of a cgroup hierarchy in our mount namespace: for
 * @controllers "" the unified (cgroup2) one, otherwise the v1 hierarchy
 * whose options name one of the comma-separated @controllers ("cpu,cpuacct",
 * "name=systemd").  Returns a new string, or NULL with errno ENOENT.
 */
char *ctu_mnt_cgroup_mount(const char *controllers);

/*
 * Whether the one mount option @option ("ro", "nosuid", "rbind", "rshared")
 * is one of the kernel's MS_* flags, by libmount's MNT_LINUX_MAP: 1 with the
 * flags it sets in *@set and those it clears in *@clear ("rw" clears
 * MS_RDONLY), 0 when it is not (a filesystem's own option), -ENOSYS when
 * libmount cannot be loaded.
 */
int ctu_mnt_vfs_option(const char *option, unsigned long *set, unsigned long *clear);

struct ctu_strv;
/*
 * Appends to @out the mount points of the full proc and sysfs mounts (their
 * filesystem's root) outside the directory @root, in the table's order.
 * 0, -ENOSYS without libmount, -ENOMEM.
 */
int ctu_mnt_kernel_fs_outside(const char *root, struct ctu_strv *out);

#endif
