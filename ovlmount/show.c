// SPDX-License-Identifier: GPL-2.0-or-later
/* show.c - ovlmount --show: the layers of a mounted overlay, as a table or JSON. */
#include <string.h>

#include <sys/file.h>

#include "ctu.h"
#include "image.h"
#include "mnt.h"
#include "ovlmount.h"

static int add_show_line(struct libscols_table *tb, const char *layer, size_t index, const char *path)
{
	char num[24] = "";
	const char *cells[3] = { layer, index ? num : NULL, path };

	snprintf(num, sizeof(num), "%zu", index);
	return ctu_out_line(tb, cells, 3);
}

/* One line per layer, top first, then the tmpfs of --tmpfs-upper and the options. */
static int add_show_lines(struct libscols_table *tb, const struct ctu_ovl_stack *st,
			  const char *tmpfs)
{
	int r = 0;

	for (size_t i = 0; i < st->lower.n && r == 0; i++)
		r = add_show_line(tb, "lower", i + 1, st->lower.v[i]);
	for (size_t i = 0; i < st->data.n && r == 0; i++)
		r = add_show_line(tb, "data", i + 1, st->data.v[i]);
	if (st->upper && r == 0)
		r = add_show_line(tb, "upper", 0, st->upper);
	if (st->work && r == 0)
		r = add_show_line(tb, "work", 0, st->work);
	if (tmpfs && ctu_mnt_is_mount_point(tmpfs) == 1 && r == 0)
		r = add_show_line(tb, "tmpfs", 0, tmpfs);
	for (size_t i = 0; i < st->other.n && r == 0; i++)
		if (strcmp(st->other.v[i], "rw") != 0)
			r = add_show_line(tb, "option", 0, st->other.v[i]);
	return r;
}

/* An image mount's image, manifest and store, from the lease in the store of its lowest layer. */
static int add_image_lines(struct libscols_table *tb, const char *merged,
			   const struct ctu_ovl_stack *st)
{
	_cleanup_free_ char *dir = st->lower.n ? store_of_layer(st->lower.v[st->lower.n - 1]) : NULL;
	_cleanup_free_ char *source = NULL, *manifest = NULL;
	struct store s;
	ctu_err_t err = NULL;
	int r;

	if (!dir)
		return 0;
	if (store_open(dir, false, LOCK_SH, &s, &err) < 0) {
		ctu_err_free(&err);
		return 0; /* a store we cannot read: the layers say enough */
	}
	r = store_lease_image(&s, merged, &source, &manifest, &err);
	store_close(&s);
	ctu_err_free(&err);
	if (r != 0)
		return add_show_line(tb, "store", 0, dir);
	r = add_show_line(tb, "image", 0, source);
	if (r == 0)
		r = add_show_line(tb, "manifest", 0, manifest);
	return r == 0 ? add_show_line(tb, "store", 0, dir) : r;
}

int ovl_show(const char *merged, const struct ctu_out_flags *out, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "LAYER", 6, SCOLS_JSON_STRING, 0 },
		{ "INDEX", 3, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "PATH", 0.8, SCOLS_JSON_STRING, 0 },
	};
	struct ctu_ovl_stack st = { 0 };
	struct libscols_table *tb = NULL;
	_cleanup_free_ char *tmpfs = tmpfs_dir_for(merged);
	int r;

	if (stack_read_mounted(merged, &st, err) < 0 || stack_require_absolute(merged, &st, err) < 0)
		goto out;
	tb = ctu_out_table("layers", cols, CTU_ARRAY_SIZE(cols), out);
	if (!tb || add_show_lines(tb, &st, tmpfs) < 0 || add_image_lines(tb, merged, &st) < 0) {
		ctu_err_make(err, ENOMEM, "cannot list the layers of %s", merged);
		goto out;
	}
	r = ctu_out_print(ctu_steal_ptr(&tb));
	if (r < 0)
		ctu_err_make(err, -r, "cannot write the output");
out:
	if (tb)
		scols_unref_table(tb);
	ctu_ovl_stack_free(&st);
	return *err ? ctu_err_code(*err) : 0;
}
