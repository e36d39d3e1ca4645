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

/* Whether the option string @opts holds one of the comma-separated @names. */
static bool has_any_option(const char *opts, const char *names)
{
	_cleanup_free_ char *copy = strdup(names);
	char *save = NULL;

	if (!copy || !opts)
		return false;
	for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(n, '=');
		char *value = NULL;
		size_t len = 0;

		/* "name=systemd" is the option "name" with the value "systemd" */
		if (eq)
			*eq = '\0';
		if (mnt_optstr_get_option(opts, n, &value, &len) != 0)
			continue;
		if (!eq || (len == strlen(eq + 1) && strncmp(value, eq + 1, len) == 0))
			return true;
	}
	return false;
}

char *ctu_mnt_cgroup_mount(const char *controllers)
{
	_cleanup_(unref_table) struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	char *found = NULL;
	bool v2 = !controllers || !*controllers;

	if (!tb || !it || mnt_table_parse_file(tb, "/proc/self/mountinfo") != 0) {
		mnt_free_iter(it);
		errno = ENOMEM;
		return NULL;
	}
	while (!found && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *type = mnt_fs_get_fstype(fs);

		/* v1 controllers are superblock options: "rw,memory" */
		if (v2 ? strcmp(type, "cgroup2") == 0
		       : strcmp(type, "cgroup") == 0 &&
				 has_any_option(mnt_fs_get_fs_options(fs), controllers))
			found = strdup(mnt_fs_get_target(fs));
	}
	mnt_free_iter(it);
	if (!found)
		errno = ENOENT;
	return found;
}
