// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mnttab.c - the mount table, read with libmount.  Kept apart from mnt.c so
 * that a tool that never reads the table does not load libmount.
 *
 * libmount is loaded on first use (lazy-mount.h); when it cannot be, these
 * functions fail and their callers say what they could not do.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "mnttab.h"
#include "strv.h"

/* Whether libmount is there; the callers say what they could not do, why is for --debug. */
static bool load_libmount(void)
{
	ctu_err_t err = NULL;

	if (ctu_libmount_try(&err))
		return true;
	ctu_debug("%s", err->msg);
	ctu_err_free(&err);
	return false;
}

struct libmnt_table *ctu_mnt_table(void)
{
	struct libmnt_table *tb;

	if (!load_libmount())
		return NULL;
	tb = mnt_new_table();
	if (tb && mnt_table_parse_file(tb, "/proc/self/mountinfo") == 0)
		return tb;
	mnt_unref_table(tb);
	return NULL;
}

void ctu_mnt_table_unref(struct libmnt_table **tb)
{
	if (*tb)
		mnt_unref_table(*tb);
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
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	struct libmnt_iter *it = tb ? mnt_new_iter(MNT_ITER_FORWARD) : NULL;
	struct libmnt_fs *fs;
	char *found = NULL;
	bool v2 = !controllers || !*controllers;

	if (!it) {
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


int ctu_mnt_vfs_option(const char *option, unsigned long *set, unsigned long *clear)
{
	const struct libmnt_optmap *map;
	_cleanup_free_ char *known = NULL;
	unsigned long from_none = 0, from_all = ~0UL;

	if (!load_libmount())
		return -ENOSYS;
	map = mnt_get_builtin_optmap(MNT_LINUX_MAP);
	if (mnt_optstr_get_options(option, &known, map, 0) != 0)
		return -ENOMEM;
	if (!known || !*known)
		return 0;
	/* "rw" clears MS_RDONLY: what it sets shows from none, what it clears from all */
	if (mnt_optstr_get_flags(option, &from_none, map) != 0 ||
	    mnt_optstr_get_flags(option, &from_all, map) != 0)
		return -EINVAL;
	*set = from_none;
	*clear = ~from_all;
	return 1;
}

/* Whether @path is @root or below it. */
static bool path_below(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return true;
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int ctu_mnt_kernel_fs_outside(const char *root, struct ctu_strv *out)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	struct libmnt_iter *it = tb ? mnt_new_iter(MNT_ITER_FORWARD) : NULL;
	struct libmnt_fs *fs;
	int r = 0;

	if (!it)
		return tb ? -ENOMEM : -ENOSYS;
	while (r == 0 && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *type = mnt_fs_get_fstype(fs), *target = mnt_fs_get_target(fs);
		const char *fsroot = mnt_fs_get_root(fs);

		if (!type || !target || !fsroot || strcmp(fsroot, "/") != 0 ||
		    (strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0) ||
		    path_below(target, root))
			continue;
		r = ctu_strv_push(out, target, strlen(target));
	}
	mnt_free_iter(it);
	return r;
}
