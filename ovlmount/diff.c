// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - ovlmount --diff: what a container changed, read from its upper
 * layer (of a mounted overlay, or a directory with --lower), like `docker diff`.
 *
 *   A  added: in the upper only
 *   C  changed: in the upper and in a lower (a directory copied up because
 *      something below it changed is C, as docker reports it)
 *   D  deleted: a whiteout (a 0/0 character device, or since Linux 6.7 a
 *      zero-size file with the overlay.whiteout xattr)
 *   R  replaced: an opaque directory (overlay.opaque = "y") that hides a
 *      directory of a lower; everything in it is A
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "ctu.h"
#include "mnt.h"
#include "ovlmount.h"

struct diff_walk {
	const struct ctu_ovl_stack *st;
	struct libscols_table *tb;
	char path[PATH_MAX]; /* relative to the upper, "/..." */
	int upper_len;
	char upper[PATH_MAX];
};

/* The value of trusted.overlay.NAME or user.overlay.NAME (rootless mounts). */
static bool has_overlay_xattr(const char *path, const char *name, const char *want)
{
	static const char *const prefixes[] = { "trusted.overlay.", "user.overlay." };
	char key[64], value[8];

	for (size_t i = 0; i < CTU_ARRAY_SIZE(prefixes); i++) {
		ssize_t n;

		snprintf(key, sizeof(key), "%s%s", prefixes[i], name);
		n = lgetxattr(path, key, value, sizeof(value));
		if (n >= 0 && (!want || ((size_t)n == strlen(want) && memcmp(value, want, (size_t)n) == 0)))
			return true;
	}
	return false;
}

static bool is_whiteout(const char *full, const struct stat *s)
{
	if (S_ISCHR(s->st_mode) && s->st_rdev == makedev(0, 0))
		return true;
	return S_ISREG(s->st_mode) && s->st_size == 0 && has_overlay_xattr(full, "whiteout", NULL);
}

static bool in_a_lower(const struct ctu_ovl_stack *st, const char *rel)
{
	char p[PATH_MAX];
	struct stat s;

	for (size_t i = 0; i < st->lower.n; i++) {
		snprintf(p, sizeof(p), "%s%s", st->lower.v[i], rel);
		if (lstat(p, &s) == 0)
			return true;
	}
	return false;
}

static int report(struct diff_walk *w, const char *change)
{
	const char *cells[] = { change, w->path };

	return ctu_out_line(w->tb, cells, 2);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct diff_walk *w, bool inside_opaque);

/* One entry of the upper, then its children. */
static int visit(struct diff_walk *w, bool inside_opaque)
{
	char full[PATH_MAX * 2];
	struct stat s;
	bool opaque;

	snprintf(full, sizeof(full), "%s%s", w->upper, w->path);
	if (lstat(full, &s) < 0)
		return -errno;
	if (is_whiteout(full, &s))
		return report(w, "D");
	opaque = S_ISDIR(s.st_mode) && has_overlay_xattr(full, "opaque", "y");
	if (inside_opaque || !in_a_lower(w->st, w->path)) {
		int r = report(w, "A");

		if (r < 0)
			return r;
	} else {
		int r = report(w, opaque ? "R" : "C");

		if (r < 0)
			return r;
	}
	return S_ISDIR(s.st_mode) ? walk(w, inside_opaque || opaque) : 0;
}

/* The children of w->path in sorted order, so the output is stable. */
static int walk(struct diff_walk *w, bool inside_opaque)
{
	char full[PATH_MAX * 2];
	_cleanup_closedir_ DIR *d = NULL;
	struct ctu_strv names = CTU_STRV_INIT;
	struct dirent *e;
	size_t len = strlen(w->path);
	int r = 0;

	snprintf(full, sizeof(full), "%s%s", w->upper, w->path);
	d = opendir(full);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    ctu_strv_push(&names, e->d_name, strlen(e->d_name)) < 0)
			return -ENOMEM;
	if (names.n) /* an empty directory has no list at all */
		qsort(names.v, names.n, sizeof(char *), compare_names);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		if (len + 1 + strlen(names.v[i]) >= sizeof(w->path)) {
			r = -ENAMETOOLONG;
			break;
		}
		snprintf(w->path + len, sizeof(w->path) - len, "/%s", names.v[i]);
		r = visit(w, inside_opaque);
		w->path[len] = '\0';
	}
	ctu_strv_free(&names);
	return r;
}

int ovl_diff(const char *upper, const struct ctu_ovl_stack *st, const struct ctu_out_flags *out)
{
	static const struct ctu_out_column cols[] = {
		{ "CHANGE", 1, SCOLS_JSON_STRING, 0 },
		{ "PATH", 0.9, SCOLS_JSON_STRING, 0 },
	};
	struct diff_walk w = { .st = st };
	int r;

	size_t len = strlen(upper);

	if (len >= sizeof(w.upper))
		return -ENAMETOOLONG;
	memcpy(w.upper, upper, len + 1);
	w.tb = ctu_out_table("changes", cols, CTU_ARRAY_SIZE(cols), out);
	if (!w.tb)
		return -ENOMEM;
	r = walk(&w, false);
	if (r < 0) {
		scols_unref_table(w.tb);
		return r;
	}
	return ctu_out_print(w.tb);
}

/* The warning for the options whose changes the upper layer alone does not record. */
static void warn_incomplete(const char *merged, const struct ctu_ovl_stack *st)
{
	for (size_t i = 0; i < st->other.n; i++)
		if (strncmp(st->other.v[i], "redirect_dir=on", 15) == 0 ||
		    strncmp(st->other.v[i], "metacopy=on", 11) == 0)
			ctu_warn(0, "warning: %s uses %s: the upper layer alone is not a complete diff",
				 merged, st->other.v[i]);
}

int ovl_diff_cmd(const char *target, struct ctu_strv *lower, const struct ctu_out_flags *out,
		 ctu_err_t *err)
{
	struct ctu_ovl_stack st = { 0 };
	const char *upper = target;
	struct stat s;
	int r;

	if (stat(target, &s) < 0)
		return ctu_err_errno(err, "%s", target);
	if (ctu_mnt_is_mount_point(target) == 1 && ctu_ovl_stack_from_mount(target, &st) == 0) {
		r = stack_require_absolute(target, &st, err);
		if (r == 0 && !st.upper)
			r = ctu_err_make(err, 0, "%s: a read-only overlay has no upper layer to diff",
					 target);
		if (r < 0) {
			ctu_ovl_stack_free(&st);
			return r;
		}
		upper = st.upper;
		warn_incomplete(target, &st);
	} else {
		ctu_ovl_stack_free(&st);
		st.lower = *lower;
		*lower = (struct ctu_strv)CTU_STRV_INIT;
	}
	r = ovl_diff(upper, &st, out);
	if (r < 0)
		ctu_err_make(err, -r, "cannot diff %s", upper);
	ctu_ovl_stack_free(&st);
	return r;
}
