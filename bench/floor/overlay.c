/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-overlay MERGED UPPER WORK LOWER...: mount an overlay with the new
 * mount API (one fsconfig "lowerdir+" per layer, Linux 6.8): fsopen,
 * fsconfig, fsmount, move_mount.  The benchmark unmounts it with umount(8),
 * as it does after ovlmount and mount(8).
 */
#include "floor.h"
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>

static void set_string(int fs, const char *key, const char *value)
{
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0) < 0)
		err(1, "fsconfig %s=%s", key, value);
}

int main(int argc, char **argv)
{
	int fs, mnt;

	if (argc < 5)
		errx(2, "usage: floor-overlay MERGED UPPER WORK LOWER...");
	fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		err(1, "fsopen");
	for (int i = 4; i < argc; i++)
		set_string(fs, "lowerdir+", argv[i]);
	set_string(fs, "upperdir", argv[2]);
	set_string(fs, "workdir", argv[3]);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		err(1, "fsconfig create");
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		err(1, "fsmount");
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, argv[1], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		err(1, "move_mount");
	return 0;
}
