// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mnttab.c - the mount table, read with libmount.  Kept apart from mnt.c so
 * that a tool that never reads the table does not load libmount.
 *
 * Loading libmount with its libblkid, libselinux and libpcre2 costs about
 * 1.5 ms at every start (bench/RESULTS.md), a quarter of what nsenter-lite
 * spends in all, and nsenter-lite reads the table only for -c.  So the
 * functions used here are looked up on first use (dlsym.h), as systemd does
 * for its optional libraries; a tool that calls libmount itself (cgctl,
 * ovlmount) links it as usual and dlopen finds it already loaded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "dlsym.h"
#include "mnttab.h"
#include "strv.h"

static struct {
	typeof(mnt_new_table) *new_table;
	typeof(mnt_table_parse_file) *table_parse_file;
	typeof(mnt_unref_table) *unref_table;
	typeof(mnt_new_iter) *new_iter;
	typeof(mnt_free_iter) *free_iter;
	typeof(mnt_table_next_fs) *table_next_fs;
	typeof(mnt_fs_get_fstype) *fs_get_fstype;
	typeof(mnt_fs_get_fs_options) *fs_get_fs_options;
	typeof(mnt_fs_get_target) *fs_get_target;
	typeof(mnt_optstr_get_option) *optstr_get_option;
	typeof(mnt_optstr_get_options) *optstr_get_options;
	typeof(mnt_optstr_get_flags) *optstr_get_flags;
	typeof(mnt_get_builtin_optmap) *get_builtin_optmap;
	typeof(mnt_fs_get_root) *fs_get_root;
} lm;

#define LM_SYMBOL(name) { "mnt_" #name, (void **)&lm.name }

static bool load_libmount(void)
{
	static const struct ctu_dlsym symbols[] = {
		LM_SYMBOL(new_table),	  LM_SYMBOL(table_parse_file), LM_SYMBOL(unref_table),
		LM_SYMBOL(new_iter),	  LM_SYMBOL(free_iter),	       LM_SYMBOL(table_next_fs),
		LM_SYMBOL(fs_get_fstype), LM_SYMBOL(fs_get_fs_options), LM_SYMBOL(fs_get_target),
		LM_SYMBOL(optstr_get_option), LM_SYMBOL(optstr_get_options),
		LM_SYMBOL(optstr_get_flags), LM_SYMBOL(get_builtin_optmap), LM_SYMBOL(fs_get_root),
	};
	ctu_err_t err = NULL;

	if (lm.new_table)
		return true;
	/* the callers say what they could not do; why is for --debug */
	if (ctu_dlopen_symbols("libmount.so.1", symbols, sizeof(symbols) / sizeof(symbols[0]),
			       &err) < 0) {
		ctu_debug("%s", err->msg);
		ctu_err_free(&err);
		lm.new_table = NULL;
		return false;
	}
	return true;
}

struct libmnt_table *ctu_mnt_table(void)
{
	struct libmnt_table *tb;

	if (!load_libmount())
		return NULL;
	tb = lm.new_table();
	if (tb && lm.table_parse_file(tb, "/proc/self/mountinfo") == 0)
		return tb;
	lm.unref_table(tb);
	return NULL;
}

void ctu_mnt_table_unref(struct libmnt_table **tb)
{
	if (*tb)
		lm.unref_table(*tb);
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
		if (lm.optstr_get_option(opts, n, &value, &len) != 0)
			continue;
		if (!eq || (len == strlen(eq + 1) && strncmp(value, eq + 1, len) == 0))
			return true;
	}
	return false;
}

char *ctu_mnt_cgroup_mount(const char *controllers)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	struct libmnt_iter *it = tb ? lm.new_iter(MNT_ITER_FORWARD) : NULL;
	struct libmnt_fs *fs;
	char *found = NULL;
	bool v2 = !controllers || !*controllers;

	if (!it) {
		errno = ENOMEM;
		return NULL;
	}
	while (!found && lm.table_next_fs(tb, it, &fs) == 0) {
		const char *type = lm.fs_get_fstype(fs);

		/* v1 controllers are superblock options: "rw,memory" */
		if (v2 ? strcmp(type, "cgroup2") == 0
		       : strcmp(type, "cgroup") == 0 &&
				 has_any_option(lm.fs_get_fs_options(fs), controllers))
			found = strdup(lm.fs_get_target(fs));
	}
	lm.free_iter(it);
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
	map = lm.get_builtin_optmap(MNT_LINUX_MAP);
	if (lm.optstr_get_options(option, &known, map, 0) != 0)
		return -ENOMEM;
	if (!known || !*known)
		return 0;
	/* "rw" clears MS_RDONLY: what it sets shows from none, what it clears from all */
	if (lm.optstr_get_flags(option, &from_none, map) != 0 ||
	    lm.optstr_get_flags(option, &from_all, map) != 0)
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
	struct libmnt_iter *it = tb ? lm.new_iter(MNT_ITER_FORWARD) : NULL;
	struct libmnt_fs *fs;
	int r = 0;

	if (!it)
		return tb ? -ENOMEM : -ENOSYS;
	while (r == 0 && lm.table_next_fs(tb, it, &fs) == 0) {
		const char *type = lm.fs_get_fstype(fs), *target = lm.fs_get_target(fs);
		const char *fsroot = lm.fs_get_root(fs);

		if (!type || !target || !fsroot || strcmp(fsroot, "/") != 0 ||
		    (strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0) ||
		    path_below(target, root))
			continue;
		r = ctu_strv_push(out, target, strlen(target));
	}
	lm.free_iter(it);
	return r;
}
