// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stack.c - an overlay stack: built from the options (-l, --layers-from,
 * --data-lower), or read back from the mount table (lib/ovl) with the errors
 * --show, --diff and --umount report.
 */
#include <string.h>

#include "ctu.h"
#include "ovlmount.h"

void ovl_request_free(struct ovl_request *req)
{
	ctu_ovl_stack_free(&req->stack);
	ctu_strv_free(&req->options);
}

int stack_add_layer(struct ctu_strv *layers, const char *dir, const char *opt, ctu_err_t *err)
{
	if (!*dir)
		return ctu_err_usage(err, "empty layer for %s", opt);
	if (ctu_strv_push(layers, dir, strlen(dir)) < 0)
		return ctu_err_make(err, ENOMEM, "cannot add the layer %s", dir);
	return 0;
}

int stack_add_lower_list(struct ctu_ovl_stack *st, const char *arg, ctu_err_t *err)
{
	_cleanup_strv_ struct ctu_strv parts = CTU_STRV_INIT;
	int r = 0;

	if (!*arg || ctu_strv_split_escaped(&parts, arg, ':') < 0 || parts.n == 0)
		return ctu_err_usage(err, "empty layer for --lower");
	for (size_t i = 0; i < parts.n && r == 0; i++)
		r = stack_add_layer(&st->lower, parts.v[i], "--lower", err);
	return r;
}

int stack_add_layers_from(struct ctu_ovl_stack *st, const char *file, ctu_err_t *err)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return ctu_err_errno(err, "cannot read --layers-from %s", file);
	while (getline(&line, &cap, f) > 0) {
		int r;

		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		r = stack_add_layer(&st->lower, line, "--layers-from", err);
		if (r < 0)
			return r;
	}
	/* a directory opens, and fails at the first read: EISDIR */
	if (ferror(f))
		return ctu_err_errno(err, "cannot read --layers-from %s", file);
	return 0;
}

int stack_read_mounted(const char *merged, struct ctu_ovl_stack *st, ctu_err_t *err)
{
	int r = ctu_ovl_stack_from_mount(merged, st);

	if (r == -ENOENT)
		return ctu_err_make(err, 0, "%s: not a mount point", merged);
	if (r == -EINVAL)
		return ctu_err_make(err, 0, "%s: not an overlay mount", merged);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot read the mount table for %s", merged);
	return 0;
}

/*
 * A layer the kernel recorded as a relative path: the mount was made from
 * another directory, as ovlmount mounts more than a page of layers before
 * Linux 6.8 (by their fds, from /proc/self/fd).  Where they are is unknown.
 */
int stack_require_absolute(const char *merged, const struct ctu_ovl_stack *st, ctu_err_t *err)
{
	const struct ctu_strv *groups[] = { &st->lower, &st->data };
	const char *relative = NULL;

	for (size_t g = 0; g < CTU_ARRAY_SIZE(groups) && !relative; g++)
		for (size_t i = 0; i < groups[g]->n && !relative; i++)
			if (groups[g]->v[i][0] != '/')
				relative = groups[g]->v[i];
	if (!relative && st->upper && st->upper[0] != '/')
		relative = st->upper;
	if (relative)
		return ctu_err_make(err, 0,
				    "%s: the kernel recorded the layer '%s' relative to the directory "
				    "the mount was made from (so ovlmount mounts more than a page of "
				    "layers before Linux 6.8): where the layers are is unknown",
				    merged, relative);
	return 0;
}
