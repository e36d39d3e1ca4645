// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * umount.c - ovlmount --umount: the overlay, then the tmpfs of its
 * --tmpfs-upper, then the directories of tmpfs uppers whose namespace died.
 */
#include <sys/mount.h>
#include <unistd.h>

#include "ctu.h"
#include "mnt.h"
#include "ovlmount.h"

/* The directories of tmpfs uppers whose namespace died go too (best effort). */
static void sweep_stale(void)
{
	int base = tmpfs_base_lock();

	if (base < 0)
		return; /* no base, nothing to sweep */
	tmpfs_sweep(base);
	close(base);
}

int ovl_umount(const char *merged, struct ctu_ovl_stack *st, ctu_err_t *err)
{
	_cleanup_free_ char *tmpfs = tmpfs_dir_for(merged);
	int r = stack_read_mounted(merged, st, err);

	if (r < 0)
		return r;
	if (umount2(merged, 0) < 0)
		return ctu_err_errno(err, "cannot unmount %s", merged);
	if (tmpfs && ctu_mnt_is_mount_point(tmpfs) == 1) {
		if (umount2(tmpfs, MNT_DETACH) < 0)
			return ctu_err_errno(err, "cannot unmount the tmpfs upper %s", tmpfs);
		rmdir(tmpfs);
	}
	sweep_stale();
	return 0;
}
