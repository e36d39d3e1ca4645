/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mnttab.h - the mount table (/proc/self/mountinfo), read with libmount. */
#ifndef CTU_MNTTAB_H
#define CTU_MNTTAB_H

#include <libmount.h>

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

#endif
