// SPDX-License-Identifier: GPL-2.0-or-later
/* ovl.c - an overlay stack read back from the mount table (see ovl.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "mnttab.h"
#include "ovl.h"

void ctu_ovl_stack_free(struct ctu_ovl_stack *st)
{
	ctu_strv_free(&st->lower);
	ctu_strv_free(&st->data);
	ctu_strv_free(&st->other);
	free(st->upper);
	free(st->work);
	st->upper = st->work = NULL;
}

/* @value into *@slot, replacing what an earlier option of the same name put there. */
static int set_dir(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

/* One layer of lowerdir+= or datadir+= (Linux 6.8+: one per option), an empty one dropped. */
static int push_layer(struct ctu_strv *layers, const char *dir)
{
	return *dir ? ctu_strv_push(layers, dir, strlen(dir)) : 0;
}

/* One option of a mounted overlay, into its place in @st. */
static int add_mount_option(struct ctu_ovl_stack *st, char *o)
{
	if (strncmp(o, "lowerdir=", 9) == 0) {
		/* "A:B::D": "::" starts the data-only layers */
		char *data = strstr(o + 9, "::");
		int r;

		if (data)
			*data = '\0';
		r = ctu_strv_split_escaped(&st->lower, o + 9, ':');
		if (r == 0 && data)
			r = ctu_strv_split_escaped(&st->data, data + 2, ':');
		return r;
	}
	if (strncmp(o, "lowerdir+=", 10) == 0)
		return push_layer(&st->lower, o + 10);
	if (strncmp(o, "datadir+=", 9) == 0)
		return push_layer(&st->data, o + 9);
	if (strncmp(o, "upperdir=", 9) == 0)
		return set_dir(&st->upper, o + 9);
	if (strncmp(o, "workdir=", 8) == 0)
		return set_dir(&st->work, o + 8);
	return ctu_strv_push(&st->other, o, strlen(o));
}

int ctu_ovl_stack_from_options(const char *fs_options, struct ctu_ovl_stack *st)
{
	_cleanup_strv_ struct ctu_strv opts = CTU_STRV_INIT;

	if (ctu_strv_split_escaped(&opts, fs_options ? fs_options : "", ',') < 0)
		return -ENOMEM;
	for (size_t i = 0; i < opts.n; i++) {
		int r = add_mount_option(st, opts.v[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

int ctu_ovl_stack_from_fs(struct libmnt_fs *fs, struct ctu_ovl_stack *st)
{
	const char *fstype = mnt_fs_get_fstype(fs);

	if (!fstype || strcmp(fstype, "overlay") != 0)
		return -EINVAL;
	return ctu_ovl_stack_from_options(mnt_fs_get_fs_options(fs), st);
}

int ctu_ovl_stack_from_mount(const char *merged, struct ctu_ovl_stack *st)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	_cleanup_free_ char *real = realpath(merged, NULL);
	struct libmnt_fs *fs;

	if (!real)
		return -errno;
	if (!tb)
		return -ENOMEM;
	fs = mnt_table_find_target(tb, real, MNT_ITER_BACKWARD);
	if (!fs)
		return -ENOENT;
	return ctu_ovl_stack_from_fs(fs, st);
}
