// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit-walk.c - an upper directory as the entries of a layer tar
 * (images.md "Commit"), walked by fds: every entry is opened O_PATH and
 * O_NOFOLLOW below its parent's fd, and read through that fd, so a symlink
 * swapped in during the walk is never followed out of the upper.
 *
 * Order (the image-spec's layer SHOULD): per directory in byte order, a
 * directory before its contents, and in it first `.wh..wh..opq`, then the
 * `.wh.` whiteouts, then the rest.  Overlayfs' own state becomes the
 * image-spec's: a whiteout (a 0/0 character device, or since Linux 6.7 a
 * zero-size file with overlay.whiteout in a directory whose overlay.opaque
 * is "x", which marks such a directory and does NOT make it opaque) becomes
 * `.wh.NAME`, an opaque directory ("y") gets `.wh..wh..opq`; overlay
 * xattrs and security.selinux stay out.  A redirect or metacopy xattr means
 * the data is elsewhere: refused, as is a real name starting with `.wh.`,
 * which a reader would take for a whiteout.
 */
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "commit.h"
#include "ctu.h"
#include "lazy-archive.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define COPY_BUF ((size_t)256 << 10)

struct walk {
	struct archive *a;
	int64_t mtime;
	const char *upper;
	char path[PATH_MAX]; /* the entry's name in the tar: "etc/passwd" */
	size_t len;
	void *links; /* tsearch tree of struct link: the first path of each inode */
	char *buf;
};

struct link {
	dev_t dev;
	ino_t ino;
	char path[];
};

/* ---- xattrs, read through /proc/self/fd: an O_PATH fd (even a symlink's) has them */

static void proc_path(char *buf, size_t size, int fd, const char *name)
{
	if (name)
		snprintf(buf, size, "/proc/self/fd/%d/%s", fd, name);
	else
		snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/*
 * The value of trusted.overlay.@name, else user.overlay.@name (userxattr
 * mounts): length or -1.  @follow for /proc/self/fd/N itself (the magic
 * link leads to the file); not for /proc/self/fd/N/NAME (NAME may be a symlink).
 */
static ssize_t overlay_xattr(const char *path, bool follow, const char *name, char *val,
			     size_t size)
{
	static const char *const prefixes[] = { "trusted.overlay.", "user.overlay." };
	char key[64];

	for (size_t i = 0; i < CTU_ARRAY_SIZE(prefixes); i++) {
		ssize_t n;

		snprintf(key, sizeof(key), "%s%s", prefixes[i], name);
		n = follow ? getxattr(path, key, val, size) : lgetxattr(path, key, val, size);
		if (n >= 0)
			return n;
	}
	return -1;
}

/* Whether the overlay xattr @name of /proc/self/fd/N @path is @want. */
static bool overlay_xattr_is(const char *path, const char *name, const char *want)
{
	char val[8];
	ssize_t n = overlay_xattr(path, true, name, val, sizeof(val));

	return n == (ssize_t)strlen(want) && memcmp(val, want, (size_t)n) == 0;
}

static bool is_overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One xattr @name of @path onto @e. */
static int add_xattr(struct walk *w, const char *path, const char *name,
		     struct archive_entry *e, ctu_err_t *err)
{
	_cleanup_free_ char *val = NULL;
	ssize_t n = getxattr(path, name, NULL, 0);

	while (n >= 0) {
		free(val);
		val = malloc((size_t)n + 1);
		if (!val)
			return ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
		ssize_t got = getxattr(path, name, val, (size_t)n + 1);

		if (got >= 0) {
			archive_entry_xattr_add_entry(e, name, val, (size_t)got);
			return 0;
		}
		if (errno != ERANGE)
			break;
		n = getxattr(path, name, NULL, 0);
	}
	if (errno == ENODATA)
		return 0; /* gone since listed */
	return ctu_err_errno(err, "cannot read the xattr %s of %s/%s", name, w->upper, w->path);
}

/* The names of @path's xattrs, NUL-separated, in @out (length in *@len). */
static int list_xattrs(struct walk *w, const char *path, char **out, size_t *len,
		       ctu_err_t *err)
{
	for (;;) {
		ssize_t n = listxattr(path, NULL, 0), got;

		if (n < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
			n = 0;
		if (n < 0)
			break;
		*out = malloc((size_t)n + 1);
		if (!*out)
			return ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
		got = n ? listxattr(path, *out, (size_t)n) : 0;
		if (got >= 0) {
			*len = (size_t)got;
			return 0;
		}
		free(*out);
		*out = NULL;
		if (errno != ERANGE)
			break;
	}
	return ctu_err_errno(err, "cannot list the xattrs of %s/%s", w->upper, w->path);
}

/* The xattrs the layer keeps, sorted by name; refuses data kept elsewhere. */
static int add_xattrs(struct walk *w, int pfd, struct archive_entry *e, ctu_err_t *err)
{
	char path[64];
	_cleanup_free_ char *names = NULL;
	_cleanup_free_ char **v = NULL;
	size_t len = 0, n = 0;

	proc_path(path, sizeof(path), pfd, NULL);
	if (list_xattrs(w, path, &names, &len, err) < 0)
		return ctu_err_code(*err);
	v = calloc(len / 2 + 1, sizeof(*v));
	if (!v)
		return ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
	for (size_t off = 0; off < len; off += strlen(names + off) + 1)
		v[n++] = names + off;
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const char *name = v[i];

		if (is_overlay_xattr(name)) {
			const char *tail = strstr(name, "overlay.") + 8;

			if (strcmp(tail, "redirect") == 0 || strcmp(tail, "metacopy") == 0)
				return ctu_err_make(err, 0,
						    "%s/%s: has %s: the upper is not "
						    "self-contained (mounted with redirect_dir=on "
						    "or metacopy=on)",
						    w->upper, w->path, name);
			continue;
		}
		if (strcmp(name, "security.selinux") == 0)
			continue;
		if (add_xattr(w, path, name, e, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* ---- paths and entries */

static int path_push(struct walk *w, const char *prefix, const char *name, size_t *saved,
		     ctu_err_t *err)
{
	int n = snprintf(w->path + w->len, sizeof(w->path) - w->len, "%s%s%s",
			 w->len ? "/" : "", prefix, name);

	if (n < 0 || (size_t)n >= sizeof(w->path) - w->len) {
		w->path[w->len] = '\0';
		return ctu_err_make(err, ENAMETOOLONG, "%s/%s/%s", w->upper, w->path, name);
	}
	*saved = w->len;
	w->len += (size_t)n;
	return 0;
}

static void path_pop(struct walk *w, size_t saved)
{
	w->len = saved;
	w->path[saved] = '\0';
}

/* The common part of every entry: name, owner, mode, the one mtime. */
static struct archive_entry *new_entry(struct walk *w, mode_t type, mode_t perm, uid_t uid,
				       gid_t gid, ctu_err_t *err)
{
	struct archive_entry *e = archive_entry_new();

	if (!e) {
		ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
		return NULL;
	}
	archive_entry_set_pathname(e, w->path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	archive_entry_set_mtime(e, w->mtime, 0);
	return e;
}

static int write_header(struct walk *w, struct archive_entry *e, ctu_err_t *err)
{
	int r = archive_write_header(w->a, e);

	if (r == ARCHIVE_OK)
		return 0;
	if (r == ARCHIVE_WARN) {
		ctu_warn(0, "%s/%s: %s", w->upper, w->path, archive_error_string(w->a));
		return 0;
	}
	return ctu_err_make(err, archive_errno(w->a) > 0 ? archive_errno(w->a) : 0,
			    "%s/%s: cannot write the tar: %s", w->upper, w->path,
			    archive_error_string(w->a));
}

/* A marker: `.wh.NAME` or `.wh..wh..opq`, empty, 0600, 0:0. */
static int write_marker(struct walk *w, const char *prefix, const char *name, ctu_err_t *err)
{
	struct archive_entry *e;
	size_t saved = 0;
	int r;

	if (path_push(w, prefix, name, &saved, err) < 0)
		return ctu_err_code(*err);
	e = new_entry(w, AE_IFREG, 0600, 0, 0, err);
	r = e ? write_header(w, e, err) : ctu_err_code(*err);
	archive_entry_free(e);
	path_pop(w, saved);
	return r;
}

static int link_cmp(const void *a, const void *b)
{
	const struct link *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* A later path of an inode already written becomes a hardlink to its first. */
static int track_link(struct walk *w, const struct stat *s, struct archive_entry *e,
		      ctu_err_t *err)
{
	struct link key = { .dev = s->st_dev, .ino = s->st_ino }, *l, **found;
	size_t len = strlen(w->path) + 1;

	if (s->st_nlink < 2)
		return 0;
	found = tfind(&key, &w->links, link_cmp);
	if (found) {
		archive_entry_set_hardlink(e, (*found)->path);
		archive_entry_set_size(e, 0);
		return 1;
	}
	l = malloc(sizeof(*l) + len);
	if (!l)
		return ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
	*l = key;
	memcpy(l->path, w->path, len);
	if (!tsearch(l, &w->links, link_cmp)) {
		free(l);
		return ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
	}
	return 0;
}

/* A regular file's data, exactly the size the header said. */
static int write_data(struct walk *w, int pfd, off_t size, ctu_err_t *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	off_t done = 0;

	proc_path(path, sizeof(path), pfd, NULL);
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return ctu_err_errno(err, "cannot open %s/%s", w->upper, w->path);
	while (done < size) {
		size_t want = (uint64_t)(size - done) < COPY_BUF ? (size_t)(size - done) : COPY_BUF;
		ssize_t n = read(fd, w->buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ctu_err_errno(err, "cannot read %s/%s", w->upper, w->path);
		if (n == 0)
			return ctu_err_make(err, 0, "%s/%s: shrank while being committed",
					    w->upper, w->path);
		if (archive_write_data(w->a, w->buf, (size_t)n) != n)
			return ctu_err_make(err, 0, "%s/%s: cannot write the tar: %s", w->upper,
					    w->path, archive_error_string(w->a));
		done += n;
	}
	return 0;
}

static int walk_dir(struct walk *w, int dfd, ctu_err_t *err);

/* Type-specific fields; 1 when a hardlink (no data follows). */
static int fill_entry(struct walk *w, int pfd, const struct stat *s, struct archive_entry *e,
		      ctu_err_t *err)
{
	char target[PATH_MAX];
	ssize_t n;

	switch (s->st_mode & S_IFMT) {
	case S_IFREG:
		archive_entry_set_size(e, s->st_size);
		return track_link(w, s, e, err);
	case S_IFLNK:
		n = readlinkat(pfd, "", target, sizeof(target) - 1);
		if (n < 0)
			return ctu_err_errno(err, "cannot read the symlink %s/%s", w->upper,
					     w->path);
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
		return track_link(w, s, e, err);
	case S_IFCHR:
	case S_IFBLK:
		archive_entry_set_rdevmajor(e, major(s->st_rdev));
		archive_entry_set_rdevminor(e, minor(s->st_rdev));
		return track_link(w, s, e, err);
	case S_IFIFO:
		return track_link(w, s, e, err);
	}
	return 0;
}

/* The entry @name of the directory @dfd, and below it when it is a directory. */
static int write_entry(struct walk *w, int dfd, const char *name, ctu_err_t *err)
{
	_cleanup_close_ int pfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct archive_entry *e = NULL;
	struct stat s;
	int r;

	if (pfd < 0 || fstat(pfd, &s) < 0)
		return ctu_err_errno(err, "cannot open %s/%s", w->upper, w->path);
	if (S_ISSOCK(s.st_mode)) {
		ctu_warn(0, "%s/%s: a socket: not in the layer", w->upper, w->path);
		return 0;
	}
	e = new_entry(w, s.st_mode & S_IFMT, s.st_mode & 07777, s.st_uid, s.st_gid, err);
	if (!e)
		return ctu_err_code(*err);
	r = add_xattrs(w, pfd, e, err);
	if (r == 0)
		r = fill_entry(w, pfd, &s, e, err);
	if (r >= 0 && write_header(w, e, err) < 0)
		r = ctu_err_code(*err);
	archive_entry_free(e);
	if (r == 0 && S_ISREG(s.st_mode))
		r = write_data(w, pfd, s.st_size, err);
	if (r == 0 && S_ISDIR(s.st_mode)) {
		_cleanup_close_ int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return ctu_err_errno(err, "cannot open %s/%s", w->upper, w->path);
		r = walk_dir(w, fd, err);
	}
	return r < 0 ? r : 0;
}

/* ---- one directory */

struct dent {
	char *name;
	bool whiteout;
};

static int cmp_dent(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name, ((const struct dent *)b)->name);
}

static void free_dents(struct dent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* The names of the directory @dfd, sorted bytewise. */
static int read_names(struct walk *w, int dfd, struct dent **out, size_t *count,
		      ctu_err_t *err)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dent *v = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return ctu_err_errno(err, "cannot read %s/%s", w->upper, w->path);
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == alloc) {
			struct dent *nv = realloc(v, (alloc = alloc ? alloc * 2 : 16) * sizeof(*v));

			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n].whiteout = false;
		if (!(v[n].name = strdup(de->d_name)))
			goto nomem;
		n++;
		errno = 0;
	}
	if (errno) {
		ctu_err_errno(err, "cannot read %s/%s", w->upper, w->path);
		closedir(d);
		free_dents(v, n);
		return ctu_err_code(*err);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_dent);
	*out = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	free_dents(v, n);
	return ctu_err_make(err, ENOMEM, "%s/%s", w->upper, w->path);
}

/* Marks the whiteouts of @v; refuses names a reader would take for markers. */
static int classify(struct walk *w, int dfd, bool xattr_whiteouts, struct dent *v, size_t n,
		    ctu_err_t *err)
{
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 32];
		struct stat s;

		if (strncmp(v[i].name, WH_PREFIX, strlen(WH_PREFIX)) == 0)
			return ctu_err_make(err, 0,
					    "%s/%s%s%s: a name starting with .wh. would be a "
					    "whiteout in the layer",
					    w->upper, w->path, w->len ? "/" : "", v[i].name);
		if (fstatat(dfd, v[i].name, &s, AT_SYMLINK_NOFOLLOW) < 0)
			return ctu_err_errno(err, "cannot stat %s/%s%s%s", w->upper, w->path,
					     w->len ? "/" : "", v[i].name);
		if (S_ISCHR(s.st_mode) && s.st_rdev == makedev(0, 0)) {
			v[i].whiteout = true;
		} else if (xattr_whiteouts && S_ISREG(s.st_mode) && s.st_size == 0) {
			char val[1];

			proc_path(path, sizeof(path), dfd, v[i].name);
			v[i].whiteout = overlay_xattr(path, false, "whiteout", val, 0) >= 0;
		}
	}
	return 0;
}

/* In the directory @dfd (whose entry, if any, is written): markers, whiteouts, the rest. */
static int walk_dir(struct walk *w, int dfd, ctu_err_t *err)
{
	char self[64];
	struct dent *v = NULL;
	size_t n = 0;
	bool opaque;
	int r;

	proc_path(self, sizeof(self), dfd, NULL);
	opaque = overlay_xattr_is(self, "opaque", "y");
	r = read_names(w, dfd, &v, &n, err);
	if (r < 0)
		return r;
	r = classify(w, dfd, overlay_xattr_is(self, "opaque", "x"), v, n, err);
	if (r == 0 && opaque)
		r = write_marker(w, "", WH_OPAQUE, err);
	/* an opaque directory hides everything below: its whiteouts hide nothing */
	for (size_t i = 0; r == 0 && !opaque && i < n; i++)
		if (v[i].whiteout)
			r = write_marker(w, WH_PREFIX, v[i].name, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t saved = 0;

		if (v[i].whiteout)
			continue;
		r = path_push(w, "", v[i].name, &saved, err);
		if (r < 0)
			break;
		r = write_entry(w, dfd, v[i].name, err);
		path_pop(w, saved);
	}
	free_dents(v, n);
	return r;
}

int commit_walk(int upperfd, const char *upper, struct archive *a, int64_t mtime,
		ctu_err_t *err)
{
	struct walk w = { .a = a, .mtime = mtime, .upper = upper };
	int r;

	w.buf = malloc(COPY_BUF);
	if (!w.buf)
		return ctu_err_make(err, ENOMEM, "%s", upper);
	r = walk_dir(&w, upperfd, err);
	tdestroy(w.links, free);
	free(w.buf);
	return r;
}
