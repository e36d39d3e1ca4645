// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layer-marks.c - what waits for the last entry: whiteouts and opaque
 * markers, which may sit anywhere in the tar and hide only the layers
 * below (a whiteout of a name this layer also has is no whiteout of it),
 * and the directories' times, set deepest first once nothing more is made
 * in them.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "ctu.h"
#include "layer.h"

int layer_mark_add(struct layer_job *j, int kind, const char *path, ctu_err_t *err)
{
	char *copy = strdup(path);

	if (!copy || layer_grow(&j->marks, &j->cap_marks, j->n_marks, sizeof(*j->marks)) < 0) {
		free(copy);
		return ctu_err_make(err, ENOMEM, "cannot note the whiteout of %s", path);
	}
	j->marks[j->n_marks].kind = kind;
	j->marks[j->n_marks++].path = copy;
	return 0;
}

int layer_dir_defer(struct layer_job *j, const char *path, const struct timespec times[2],
		    ctu_err_t *err)
{
	struct layer_dir *d;
	size_t depth = 0;

	if (layer_grow(&j->dirs, &j->cap_dirs, j->n_dirs, sizeof(*j->dirs)) < 0)
		return ctu_err_make(err, ENOMEM, "cannot note directory %s", path);
	for (const char *p = path; *p; p++)
		depth += *p == '/';
	d = &j->dirs[j->n_dirs];
	*d = (struct layer_dir){ .path = strdup(path), .depth = depth + (strcmp(path, ".") != 0),
				 .seq = j->n_dirs };
	if (!d->path)
		return ctu_err_make(err, ENOMEM, "cannot note directory %s", path);
	d->times[0] = times[0];
	d->times[1] = times[1];
	j->n_dirs++;
	return 0;
}

/* Deepest first; among equals the later entry last, so that it wins. */
static int dir_order(const void *a, const void *b)
{
	const struct layer_dir *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int layer_dir_times_apply(struct layer_job *j, ctu_err_t *err)
{
	if (j->n_dirs > 1) /* none made: no array at all */
		qsort(j->dirs, j->n_dirs, sizeof(*j->dirs), dir_order);
	for (size_t i = 0; i < j->n_dirs; i++) {
		_cleanup_close_ int fd = layer_openat2(j->rootfd, j->dirs[i].path, O_PATH | O_DIRECTORY);

		/* replaced by a later entry, or below one that was */
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			continue;
		if (fd < 0 || utimensat(fd, "", j->dirs[i].times, AT_EMPTY_PATH) < 0)
			return layer_entry_err(err, errno, j->dirs[i].path, ": cannot set the times");
	}
	return 0;
}

static bool is_below_opaque(const struct layer_job *j, const char *path)
{
	for (size_t i = 0; i < j->n_opaque; i++) {
		const char *o = j->opaque[i];
		size_t n = strlen(o);

		if (!strcmp(o, ".") || (!strncmp(path, o, n) && path[n] == '/'))
			return true;
	}
	return false;
}

/* Splits @path into @dir ("." when none) and returns its last component. */
static const char *split(const char *path, char dir[PATH_MAX])
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		memcpy(dir, ".", 2);
		return path;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return slash + 1;
}

/* Sets directory @path's opaque xattr (making it, implied, when missing). */
static int make_opaque(struct layer_job *j, const char *path, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;
	char *copy;

	if (layer_dir_fd(j, path, path, true, err) < 0)
		return ctu_err_code(*err);
	fd = layer_openat2(j->rootfd, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsetxattr(fd, j->opaque_xattr, "y", 1, 0) < 0)
		return layer_entry_err(err, errno, path, ": cannot make it opaque (%s)",
				       j->opaque_xattr);
	copy = strdup(path);
	if (!copy || layer_grow(&j->opaque, &j->cap_opaque, j->n_opaque, sizeof(char *)) < 0) {
		free(copy);
		return ctu_err_make(err, ENOMEM, "cannot note opaque %s", path);
	}
	j->opaque[j->n_opaque++] = copy;
	return 0;
}

/* What this layer has at @path: 0 none, else its type (S_IFMT bits). */
static int lookup(struct layer_job *j, const char *path, ctu_err_t *err)
{
	char dir[PATH_MAX];
	const char *base = split(path, dir);
	struct stat st;
	int fd = layer_dir_fd(j, path, dir, false, err);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : layer_entry_err(err, errno, path, ": cannot look at it");
	return (int)(st.st_mode & S_IFMT);
}

/* A 0:0 character device, overlayfs' whiteout (unprivileged since Linux 5.8). */
static int make_whiteout(struct layer_job *j, const char *path, ctu_err_t *err)
{
	char dir[PATH_MAX];
	const char *base = split(path, dir);
	int fd = layer_dir_fd(j, path, dir, true, err);

	if (fd < 0)
		return fd;
	if (mknodat(fd, base, S_IFCHR | 0000, makedev(0, 0)) < 0 ||
	    fchownat(fd, base, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
		return layer_entry_err(err, errno, path, ": cannot make the whiteout");
	j->st->files++;
	return 0;
}

/* Opaque markers, and whiteouts of directories this layer has: both make opaque directories. */
static int apply_opaque(struct layer_job *j, ctu_err_t *err)
{
	for (size_t i = 0; i < j->n_marks; i++) {
		const struct layer_mark *m = &j->marks[i];
		int type = 0;

		if (m->kind == LAYER_NAME_WHITEOUT) {
			type = lookup(j, m->path, err);
			if (type < 0)
				return type;
		}
		if ((m->kind == LAYER_NAME_OPAQUE || type == S_IFDIR) && make_opaque(j, m->path, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

int layer_marks_apply(struct layer_job *j, ctu_err_t *err)
{
	/* a base layer has nothing below to hide */
	if (j->n_lowers == 0) {
		j->st->dropped += j->n_marks;
		return 0;
	}
	if (apply_opaque(j, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < j->n_marks; i++) {
		const struct layer_mark *m = &j->marks[i];
		int type;

		if (m->kind != LAYER_NAME_WHITEOUT)
			continue;
		if (is_below_opaque(j, m->path)) {
			j->st->dropped++;
			continue;
		}
		type = lookup(j, m->path, err);
		if (type < 0)
			return type;
		if (type == S_IFDIR)
			continue; /* made opaque above */
		if (type) {
			j->st->dropped++; /* this layer's own file replaces the lower one anyway */
			continue;
		}
		if (make_whiteout(j, m->path, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}
