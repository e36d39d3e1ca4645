// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layer-entry.c - one tar entry made in the layer: its name checked, its
 * parent resolved beneath the layer, an earlier entry of the same name
 * removed (the later wins, as GNU tar and umoci have it; a directory over a
 * directory only takes the new attributes), then the file made by type with
 * O_EXCL and O_NOFOLLOW, and its attributes set through its fd.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "ctu.h"
#include "layer.h"
#include "lazy-archive.h"

int layer_entry_err(ctu_err_t *err, int errnum, const char *entry, const char *fmt, ...)
{
	_cleanup_free_ char *rest = NULL;
	char show[LAYER_SHOW_SIZE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&rest, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ctu_err_make(err, ENOMEM, "entry '%s'", layer_name_show(entry, show));
	return ctu_err_make(err, errnum, "entry '%s'%s", layer_name_show(entry, show), rest);
}

/* An entry being made: where, what, and the attributes it brings. */
struct made {
	const char *path; /* normalized */
	const char *base; /* its last component */
	int dirfd;	  /* its parent, borrowed */
	struct archive_entry *e;
	struct layer_attrs a;
};

/*
 * Writes the data of a regular file; sparse maps leave holes (a 10 GB claim
 * costs its data).  1: the stream ended right after the data, without the
 * padding and end blocks (umoci 0.4.7's insert writes such layers,
 * umoci#436): the file is whole, the layer ends here.
 */
static int write_data(struct layer_job *j, int fd, const struct made *m, ctu_err_t *err)
{
	int64_t size = archive_entry_size(m->e), end = 0;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(j->tar, &buf, &len, &off)) == ARCHIVE_OK) {
		if (off < 0 || (uint64_t)off + len > (uint64_t)size)
			return layer_entry_err(err, 0, m->path,
					       ": its sparse map goes past its size (%lld bytes)",
					       (long long)size);
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return layer_entry_err(err, errno, m->path, ": cannot write");
			done += (size_t)n;
		}
		j->st->bytes += len;
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
	}
	if (r != ARCHIVE_EOF && !(end == size && size > 0 && *j->tar_eof))
		return layer_entry_err(err, 0, m->path, ": cannot read its data: %s",
				       archive_error_string(j->tar));
	/* the holes at the end, and the size of a file that is all hole */
	if (ftruncate(fd, size) < 0)
		return layer_entry_err(err, errno, m->path, ": cannot set the size");
	return r != ARCHIVE_EOF;
}

static int make_file(struct layer_job *j, const struct made *m, ctu_err_t *err)
{
	_cleanup_close_ int fd =
		openat(m->dirfd, m->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ended;

	if (fd < 0)
		return layer_entry_err(err, errno, m->path, ": cannot create");
	ended = write_data(j, fd, m, err);
	if (ended < 0 || layer_attrs_apply(j, fd, false, false, &m->a, m->path, err) < 0 ||
	    layer_times_apply(fd, &m->a, m->path, err) < 0)
		return ctu_err_code(*err);
	return ended;
}

/* A directory's attributes; its times wait until nothing more is made in it. */
static int dir_attrs(struct layer_job *j, int fd, const struct made *m, bool replace,
		     ctu_err_t *err)
{
	if (replace && layer_xattrs_clear(fd, m->path, err) < 0)
		return ctu_err_code(*err);
	if (layer_attrs_apply(j, fd, false, false, &m->a, m->path, err) < 0)
		return ctu_err_code(*err);
	return layer_dir_defer(j, m->path, m->a.times, err);
}

static int make_dir(struct layer_job *j, const struct made *m, bool exists, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;

	if (!exists && mkdirat(m->dirfd, m->base, 0700) < 0)
		return layer_entry_err(err, errno, m->path, ": cannot make the directory");
	fd = openat(m->dirfd, m->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return layer_entry_err(err, errno, m->path, ": cannot open the directory");
	return dir_attrs(j, fd, m, exists, err);
}

/* Symlinks, fifos and devices: made by name in the parent fd, then held by an O_PATH fd. */
static int make_node(struct layer_job *j, const struct made *m, ctu_err_t *err)
{
	mode_t type = archive_entry_filetype(m->e);
	_cleanup_close_ int fd = -1;
	int r;

	if (type == AE_IFLNK)
		r = symlinkat(archive_entry_symlink(m->e), m->dirfd, m->base);
	else
		r = mknodat(m->dirfd, m->base, type | 0600, archive_entry_rdev(m->e));
	if (r < 0)
		return layer_entry_err(err, errno, m->path, ": cannot create");
	fd = openat(m->dirfd, m->base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return layer_entry_err(err, errno, m->path, ": cannot open what was made");
	if (layer_attrs_apply(j, fd, true, type == AE_IFLNK, &m->a, m->path, err) < 0 ||
	    layer_times_apply(fd, &m->a, m->path, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

static bool was_skipped(const struct layer_job *j, const char *path)
{
	for (size_t i = 0; i < j->n_skipped; i++)
		if (!strcmp(j->skipped_devices[i], path))
			return true;
	return false;
}

/* A device node that cannot be made here (no CAP_MKNOD): skipped, and hardlinks to it. */
static int skip_device(struct layer_job *j, const char *path, ctu_err_t *err)
{
	char *copy = strdup(path);

	if (!copy || layer_grow(&j->skipped_devices, &j->cap_skipped, j->n_skipped,
				sizeof(char *)) < 0) {
		free(copy);
		return ctu_err_make(err, ENOMEM, "cannot note the skipped device %s", path);
	}
	j->skipped_devices[j->n_skipped++] = copy;
	j->devices++;
	j->st->dropped++;
	return 0;
}

/* A hardlink, only to an earlier entry of this layer: never into a lower layer or the host. */
static int make_link(struct layer_job *j, const struct made *m, ctu_err_t *err)
{
	char target[PATH_MAX], show[LAYER_SHOW_SIZE];
	const char *raw = archive_entry_hardlink(m->e), *slash, *tbase;
	int kind = layer_name_check(raw, target, sizeof(target), err), tdir;
	_cleanup_free_ char *dir = NULL;
	struct stat st;

	if (kind < 0)
		return ctu_err_wrap(err, "hardlink '%s'", layer_name_show(m->path, show));
	if (kind != LAYER_NAME_ENTRY)
		return layer_entry_err(err, 0, m->path, ": a hardlink to '%s', no file",
				       layer_name_show(raw, show));
	if (was_skipped(j, target))
		return skip_device(j, m->path, err);
	slash = strrchr(target, '/');
	dir = slash ? strndup(target, (size_t)(slash - target)) : strdup(".");
	tbase = slash ? slash + 1 : target;
	if (!dir)
		return ctu_err_make(err, ENOMEM, "cannot link %s", m->path);
	/* the entry's own parent fd is borrowed: held apart from the target's */
	_cleanup_close_ int linkdir = fcntl(m->dirfd, F_DUPFD_CLOEXEC, 3);

	if (linkdir < 0)
		return ctu_err_errno(err, "cannot duplicate a directory fd");
	tdir = layer_dir_fd(j, m->path, dir, false, err);
	if (tdir == -ENOENT || (tdir >= 0 && fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0))
		return layer_entry_err(err, 0, m->path,
				       ": a hardlink to '%s', which no earlier entry of this layer made",
				       layer_name_show(target, show));
	if (tdir < 0)
		return ctu_err_code(*err);
	if (S_ISDIR(st.st_mode))
		return layer_entry_err(err, 0, m->path, ": a hardlink to the directory '%s'",
				       layer_name_show(target, show));
	if (linkat(tdir, tbase, linkdir, m->base, 0) < 0)
		return layer_entry_err(err, errno, m->path, ": cannot link to '%s'",
				       layer_name_show(target, show));
	return 0;
}

/*
 * Clears the way for @m: 1 when a directory stays (a directory over a
 * directory).  What goes is a child of the cached parent, so the cache
 * (m->dirfd) stays good.
 */
static int clear_way(struct layer_job *j, const struct made *m, bool is_dir, ctu_err_t *err)
{
	struct stat st;
	int r;

	if (fstatat(m->dirfd, m->base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return layer_entry_err(err, errno, m->path, ": cannot look at the earlier entry");
	}
	if (is_dir && S_ISDIR(st.st_mode))
		return 1;
	r = layer_remove(j, m->dirfd, m->base);
	if (r < 0)
		return layer_entry_err(err, -r, m->path, ": cannot remove the earlier entry");
	return 0;
}

static int make_typed(struct layer_job *j, struct made *m, ctu_err_t *err)
{
	mode_t type = archive_entry_filetype(m->e);
	bool link = archive_entry_hardlink(m->e) != NULL;
	int r;

	if (!link && type == AE_IFSOCK) {
		j->sockets++; /* a socket is bound, never unpacked */
		j->st->dropped++;
		return 0;
	}
	if (!link && (type == AE_IFCHR || type == AE_IFBLK) && !j->o->can_mknod)
		return skip_device(j, m->path, err);
	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO &&
	    type != AE_IFCHR && type != AE_IFBLK)
		return layer_entry_err(err, 0, m->path, ": an unknown type (%o)", type);
	r = clear_way(j, m, !link && type == AE_IFDIR, err);
	if (r < 0)
		return r;
	j->st->files++;
	if (link)
		return make_link(j, m, err);
	if (type == AE_IFDIR)
		return make_dir(j, m, r == 1, err);
	if (type == AE_IFREG)
		return make_file(j, m, err);
	return make_node(j, m, err);
}

/* The layer's root: a directory or the layer is refused (a `/.` symlink sent umoci onto the host). */
static int make_root(struct layer_job *j, struct archive_entry *e, ctu_err_t *err)
{
	struct made m = { .path = ".", .e = e };
	_cleanup_close_ int fd = -1;
	char show[LAYER_SHOW_SIZE];

	if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e))
		return ctu_err_make(err, 0, "the root entry '%s' is no directory",
				    layer_name_show(archive_entry_pathname(e), show));
	fd = layer_openat2(j->rootfd, ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return ctu_err_errno(err, "cannot open the layer directory");
	layer_attrs_from_entry(&m.a, e);
	j->st->files++;
	return dir_attrs(j, fd, &m, true, err);
}

int layer_entry(struct layer_job *j, struct archive_entry *e, ctu_err_t *err)
{
	const char *raw = archive_entry_pathname(e);
	char path[PATH_MAX];
	struct made m = { .path = path, .e = e };
	char *slash;
	int kind;

	if (!raw)
		return ctu_err_make(err, 0, "an entry without a name");
	kind = layer_name_check(raw, path, sizeof(path), err);
	switch (kind) {
	case LAYER_NAME_SKIP:
		j->st->dropped++;
		return 0;
	case LAYER_NAME_WHITEOUT:
	case LAYER_NAME_OPAQUE:
		return layer_mark_add(j, kind, path, err);
	case LAYER_NAME_ROOT:
		return make_root(j, e, err);
	case LAYER_NAME_ENTRY:
		break;
	default:
		return kind;
	}
	slash = strrchr(path, '/');
	m.base = slash ? slash + 1 : path;
	if (slash) {
		char dir[PATH_MAX];

		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		m.dirfd = layer_dir_fd(j, path, dir, true, err);
	} else {
		m.dirfd = layer_dir_fd(j, path, ".", true, err);
	}
	if (m.dirfd < 0)
		return m.dirfd;
	layer_attrs_from_entry(&m.a, e);
	return make_typed(j, &m, err);
}
