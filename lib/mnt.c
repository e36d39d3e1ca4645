// SPDX-License-Identifier: GPL-2.0-or-later
/* mnt.c - mount-table helpers over libmount. */
#include <libmount.h>
#include <limits.h>
#include <string.h>

#include "ctu.h"
#include "mnt.h"

static void unref_table(struct libmnt_table **tb)
{
	mnt_unref_table(*tb);
}

char *ctu_mnt_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int ctu_mnt_is_mount_point(const char *path)
{
	_cleanup_(unref_table) struct libmnt_table *tb = mnt_new_table();
	_cleanup_free_ char *real = realpath(path, NULL);

	if (!real)
		return -errno;
	if (!tb)
		return -ENOMEM;
	if (mnt_table_parse_file(tb, "/proc/self/mountinfo") != 0)
		return -EIO;
	return mnt_table_find_target(tb, real, MNT_ITER_BACKWARD) ? 1 : 0;
}
