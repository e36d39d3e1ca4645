// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layer-attr.c - an entry's owner, xattrs, mode and times, in the order
 * that keeps them: chown first (it clears setuid bits and
 * security.capability), then xattrs, then the mode, then the times.  Only
 * fds: symlinks, devices and fifos are held by O_PATH|O_NOFOLLOW fds and
 * reached through /proc/self/fd (which lands on the inode itself, never
 * its target), so no mode is ever set by path (containerd CVE-2021-32760).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "ctu.h"
#include "layer.h"
#include "lazy-archive.h"

static int load_map(const char *file, struct layer_ids *ids)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	unsigned long inner, outer, count;

	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no procfs: ids go through as they are */
	while (fscanf(f, "%lu %lu %lu", &inner, &outer, &count) == 3) {
		if (layer_grow(&ids->r, &ids->cap, ids->n, sizeof(*ids->r)) < 0)
			return -ENOMEM;
		ids->r[ids->n++] = (struct layer_idrange){ (uint32_t)inner, (uint32_t)count };
	}
	return 0;
}

int layer_ids_load(struct layer_job *j, ctu_err_t *err)
{
	if (load_map("/proc/self/uid_map", &j->uids) < 0)
		return ctu_err_errno(err, "cannot read /proc/self/uid_map");
	if (load_map("/proc/self/gid_map", &j->gids) < 0)
		return ctu_err_errno(err, "cannot read /proc/self/gid_map");
	return 0;
}

/* @id if this namespace maps it, else its 0 (and *@unmapped set). */
static uint32_t map_id(const struct layer_ids *ids, uint64_t id, bool *unmapped)
{
	if (!ids->r)
		return (uint32_t)id;
	for (size_t i = 0; i < ids->n; i++)
		if (id >= ids->r[i].first && id - ids->r[i].first < ids->r[i].count)
			return (uint32_t)id;
	*unmapped = true;
	return 0;
}

void layer_attrs_from_entry(struct layer_attrs *a, struct archive_entry *e)
{
	int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

	/* a negative id is no id: the largest, which no map holds */
	a->uid = uid < 0 ? UINT64_MAX : (uint64_t)uid;
	a->gid = gid < 0 ? UINT64_MAX : (uint64_t)gid;
	a->mode = archive_entry_perm(e) & 07777;
	a->times[1].tv_sec = archive_entry_mtime(e);
	a->times[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		a->times[0].tv_sec = archive_entry_atime(e);
		a->times[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		a->times[0] = a->times[1];
	}
	a->e = e;
	a->xattr_fd = -1;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Overlay's own xattrs would steer overlayfs (redirects, metacopy, opaque); SELinux labels are the host's. */
static bool is_foreign(const char *name)
{
	return has_prefix(name, "trusted.overlay.") || has_prefix(name, "user.overlay.") ||
	       strcmp(name, "security.selinux") == 0;
}

static void note_first(char **first, const char *name, const char *path)
{
	if (!*first && asprintf(first, "%s on '%s'", name, path) < 0)
		*first = NULL;
}

static int set_one(int fd, bool opath, const char *name, const void *v, size_t n)
{
	char proc[40];

	if (!opath)
		return fsetxattr(fd, name, v, n, 0);
	/* the magic link lands on the symlink or node itself; fsetxattr wants a real open */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return setxattr(proc, name, v, n, 0);
}

enum { XATTR_SET, XATTR_OVERLAY, XATTR_DENIED };

/*
 * Sets xattr @name unless it is foreign.  XATTR_OVERLAY: an overlay xattr
 * of an entry, XATTR_DENIED: one this namespace may not set; both dropped,
 * to be warned about.
 */
static int set_xattr(struct layer_job *j, int fd, bool opath, const char *name, const void *v,
		     size_t n, bool from_entry, const char *path, ctu_err_t *err)
{
	char show[LAYER_SHOW_SIZE];

	if (is_foreign(name)) {
		if (!from_entry || strcmp(name, "security.selinux") == 0)
			return 0;
		note_first(&j->first_overlay_xattr, name, layer_name_show(path, show));
		return XATTR_OVERLAY;
	}
	if (set_one(fd, opath, name, v, n) == 0)
		return 0;
	/* in a user namespace the kernel keeps trusted.* and some security.* to real root */
	if (errno == EPERM && (has_prefix(name, "trusted.") || has_prefix(name, "security."))) {
		note_first(&j->first_denied_xattr, name, layer_name_show(path, show));
		return XATTR_DENIED;
	}
	return layer_entry_err(err, errno, path, ": cannot set xattr %s", name);
}

/*
 * Counts the xattrs an entry drops by name: libarchive's pax writer stores
 * each one twice (SCHILY.xattr. and LIBARCHIVE.xattr.), the reader gives both.
 */
struct drops {
	const char *names[32];
	size_t n;
};

static void count_drop(struct layer_job *j, struct drops *d, const char *name, int kind)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->names[i], name))
			return;
	if (d->n < CTU_ARRAY_SIZE(d->names))
		d->names[d->n++] = name;
	if (kind == XATTR_OVERLAY)
		j->overlay_xattrs++;
	else
		j->denied_xattrs++;
	j->st->dropped++;
}

static int entry_xattrs(struct layer_job *j, int fd, bool opath, struct archive_entry *e,
			const char *path, ctu_err_t *err)
{
	struct drops d = { .n = 0 };
	const char *name;
	const void *v;
	size_t n;
	int r;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &v, &n) == ARCHIVE_OK) {
		r = set_xattr(j, fd, opath, name, v, n, true, path, err);
		if (r < 0)
			return r;
		if (r != XATTR_SET)
			count_drop(j, &d, name, r);
	}
	return 0;
}

/* Reads xattr list of @fd into *@list (its length returned). */
static ssize_t list_xattrs(int fd, char **list)
{
	ssize_t n;

	*list = NULL;
	for (;;) {
		n = flistxattr(fd, NULL, 0);
		if (n <= 0)
			return n;
		free(*list);
		*list = malloc((size_t)n);
		if (!*list)
			return -1;
		n = flistxattr(fd, *list, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			return n;
	}
}

static int copy_xattrs(struct layer_job *j, int fd, int from, const char *path, ctu_err_t *err)
{
	_cleanup_free_ char *list = NULL;
	ssize_t n = list_xattrs(from, &list);
	struct drops d = { .n = 0 };
	int r;

	if (n < 0)
		return layer_entry_err(err, errno, path, ": cannot list the xattrs below");
	for (char *name = list; name < list + n; name += strlen(name) + 1) {
		_cleanup_free_ char *v = NULL;
		ssize_t len = is_foreign(name) ? 0 : fgetxattr(from, name, NULL, 0);

		if (len <= 0)
			continue; /* gone since the listing, or overlay's own */
		v = malloc((size_t)len);
		if (!v)
			return ctu_err_make(err, ENOMEM, "cannot copy xattr %s", name);
		len = fgetxattr(from, name, v, (size_t)len);
		if (len < 0)
			return layer_entry_err(err, errno, path, ": cannot read xattr %s below", name);
		r = set_xattr(j, fd, false, name, v, (size_t)len, false, path, err);
		if (r < 0)
			return r;
		if (r != XATTR_SET)
			count_drop(j, &d, name, r);
	}
	return 0;
}

int layer_xattrs_clear(int fd, const char *path, ctu_err_t *err)
{
	_cleanup_free_ char *list = NULL;
	ssize_t n = list_xattrs(fd, &list);

	if (n < 0)
		return layer_entry_err(err, errno, path, ": cannot list xattrs");
	for (char *name = list; name < list + n; name += strlen(name) + 1)
		if (!is_foreign(name) && fremovexattr(fd, name) < 0 && errno != ENODATA)
			return layer_entry_err(err, errno, path, ": cannot remove xattr %s", name);
	return 0;
}

static int set_mode(int fd, bool opath, mode_t mode)
{
	char proc[40];

	if (!opath)
		return fchmod(fd, mode);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return chmod(proc, mode);
}

int layer_attrs_apply(struct layer_job *j, int fd, bool opath, bool is_link,
		      const struct layer_attrs *a, const char *path, ctu_err_t *err)
{
	bool unmapped = false;
	uid_t uid = map_id(&j->uids, a->uid, &unmapped);
	gid_t gid = map_id(&j->gids, a->gid, &unmapped);

	j->unmapped += unmapped;
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		return layer_entry_err(err, errno, path, ": cannot set the owner %u:%u", uid, gid);
	if (a->e && entry_xattrs(j, fd, opath, a->e, path, err) < 0)
		return ctu_err_code(*err);
	if (a->xattr_fd >= 0 && copy_xattrs(j, fd, a->xattr_fd, path, err) < 0)
		return ctu_err_code(*err);
	if (!is_link && set_mode(fd, opath, a->mode) < 0)
		return layer_entry_err(err, errno, path, ": cannot set the mode %04o", a->mode);
	return 0;
}

int layer_times_apply(int fd, const struct layer_attrs *a, const char *path, ctu_err_t *err)
{
	if (utimensat(fd, "", a->times, AT_EMPTY_PATH) < 0)
		return layer_entry_err(err, errno, path, ": cannot set the times");
	return 0;
}
