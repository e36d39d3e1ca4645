// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * umount.c - ovlmount --umount: the overlay.  A --tmpfs-upper tmpfs is held
 * by the overlay alone (its mount point was removed at the mount): it goes too.
 */
#include <sys/mount.h>

#include "ctu.h"
#include "ovlmount.h"

int ovl_umount(const char *merged, ctu_err_t *err)
{
	struct stack st = { 0 };
	int r = stack_read_mounted(merged, &st, err);

	stack_free(&st);
	if (r < 0)
		return r;
	if (umount2(merged, 0) < 0)
		return ctu_err_errno(err, "cannot unmount %s", merged);
	return 0;
}
