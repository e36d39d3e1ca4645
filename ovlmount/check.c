// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - the layers checked before the kernel sees them, so that a
 * mistake is reported by name ("upper layer X and work directory Y are on
 * different filesystems"), not as the kernel's bare EINVAL.
 */
#include <string.h>
#include <sys/stat.h>

#include "ctu.h"
#include "ovlmount.h"

static int check_dir(const char *what, const char *path, struct stat *s, ctu_err_t *err)
{
	if (stat(path, s) < 0)
		return ctu_err_errno(err, "%s %s", what, path);
	if (!S_ISDIR(s->st_mode))
		return ctu_err_make(err, 0, "%s %s: not a directory", what, path);
	return 0;
}

static int check_dirs(const char *what, const struct ctu_strv *dirs, ctu_err_t *err)
{
	struct stat s;

	for (size_t i = 0; i < dirs->n; i++)
		if (check_dir(what, dirs->v[i], &s, err) < 0)
			return ctu_err_code(*err);
	return 0;
}

/* Whether @inner is @outer or below it (both canonical). */
static bool is_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return strncmp(inner, outer, n) == 0 && (inner[n] == '/' || !inner[n] || n == 1);
}

/* @a and @b as stack_canonicalize() left them: real paths, compared as strings */
static int check_not_nested(const char *a_what, const char *a, const char *b_what, const char *b,
			    ctu_err_t *err)
{
	if (is_within(a, b) || is_within(b, a))
		return ctu_err_make(err, 0, "%s %s and %s %s overlap: one is inside the other", a_what,
				    a, b_what, b);
	return 0;
}

/* The kernel records layers as given: make them absolute, so --show shows them right. */
static void make_absolute(char **path)
{
	char *real = realpath(*path, NULL);

	if (real) {
		free(*path);
		*path = real;
	}
}

void stack_canonicalize(struct ctu_ovl_stack *st)
{
	for (size_t i = 0; i < st->lower.n; i++)
		make_absolute(&st->lower.v[i]);
	for (size_t i = 0; i < st->data.n; i++)
		make_absolute(&st->data.v[i]);
	if (st->upper)
		make_absolute(&st->upper);
	if (st->work)
		make_absolute(&st->work);
}

/* The kernel's limit, and at least one lower layer. */
static int check_counts(const struct ctu_ovl_stack *st, ctu_err_t *err)
{
	if (st->lower.n + st->data.n > OVL_MAX_LAYERS)
		return ctu_err_make(err, 0, "too many lower layers: %zu (the kernel's limit is %d)",
				    st->lower.n + st->data.n, OVL_MAX_LAYERS);
	if (st->lower.n == 0)
		return ctu_err_make(err, 0, "no lower layer given: use --lower");
	return 0;
}

/*
 * Without an upper the kernel needs two layers, a data-only one counting:
 * checked after the layers themselves, so that a file given as the only
 * layer is named as such first.
 */
static int check_readonly_stack(const struct ctu_ovl_stack *st, ctu_err_t *err)
{
	if (!st->upper && st->lower.n + st->data.n < 2)
		return ctu_err_make(err, 0,
				    "a read-only overlay needs at least two lower layers (kernel rule): "
				    "add --upper or --tmpfs-upper");
	return 0;
}

/* The upper and work directories: one filesystem, apart from each other and the lowers. */
static int check_upper(const struct ctu_ovl_stack *st, ctu_err_t *err)
{
	struct stat su, sw;

	if (check_dir("upper layer", st->upper, &su, err) < 0 ||
	    check_dir("work directory", st->work, &sw, err) < 0)
		return ctu_err_code(*err);
	if (su.st_dev != sw.st_dev)
		return ctu_err_make(err, 0,
				    "upper layer %s and work directory %s are on different "
				    "filesystems: the kernel needs them on the same one",
				    st->upper, st->work);
	if (check_not_nested("work directory", st->work, "upper layer", st->upper, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < st->lower.n; i++)
		if (check_not_nested("lower layer", st->lower.v[i], "upper layer", st->upper, err) < 0 ||
		    check_not_nested("lower layer", st->lower.v[i], "work directory", st->work, err) < 0)
			return ctu_err_code(*err);
	return 0;
}

int stack_check(const struct ctu_ovl_stack *st, const char *target, ctu_err_t *err)
{
	struct stat s;

	if (check_counts(st, err) < 0 || check_dirs("lower layer", &st->lower, err) < 0 ||
	    check_dirs("data layer", &st->data, err) < 0 || check_readonly_stack(st, err) < 0 ||
	    check_dir("mount point", target, &s, err) < 0)
		return ctu_err_code(*err);
	return st->upper ? check_upper(st, err) : 0;
}
