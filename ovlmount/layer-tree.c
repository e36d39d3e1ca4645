// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layer-tree.c - where an entry goes: its parent resolved once with
 * openat2 beneath the layer (no symlinks, no magic links, no other mount),
 * then only fds, so nothing an earlier entry planted can send a later one
 * out of the layer (docker CVE-2018-15664, umoci CVE-2021-29136).  Missing
 * parents are implied directories, which copy the attributes the layers
 * below show for them: overlayfs shows a directory as its topmost layer has
 * it, so a 0755 0:0 stand-in would change the merged view.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "ctu.h"
#include "layer.h"

int layer_openat2(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	int fd;

	/* EAGAIN: a rename elsewhere on the filesystem raced the lookup; try again */
	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

void layer_forget_cache(struct layer_job *j)
{
	free(j->cache_path);
	j->cache_path = NULL;
	if (j->cache_fd >= 0)
		close(j->cache_fd);
	j->cache_fd = -1;
}

static int cache_set(struct layer_job *j, const char *dir, int fd)
{
	layer_forget_cache(j);
	j->cache_path = strdup(dir);
	j->cache_fd = fd;
	if (!j->cache_path) {
		layer_forget_cache(j);
		return -ENOMEM;
	}
	return fd;
}

/* Whether @fd (a directory opened for reading) carries the opaque xattr "y". */
static bool is_opaque(const struct layer_job *j, int fd)
{
	char v[2];

	return fgetxattr(fd, j->opaque_xattr, v, sizeof(v)) == 1 && v[0] == 'y';
}

enum lower_look { LOWER_FOUND, LOWER_MISSING, LOWER_HIDDEN };

/*
 * Directory @path in lower @lower: found (*@out opened for reading),
 * missing (the next lower may have it) or hidden (a whiteout, a
 * non-directory, or a miss below an opaque directory: no lower below shows it).
 */
static enum lower_look lower_look(const struct layer_job *j, int lower, const char *path, int *out)
{
	_cleanup_close_ int cur = openat(lower, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool opaque;
	const char *p = path;

	if (cur < 0)
		return LOWER_HIDDEN;
	opaque = is_opaque(j, cur);
	while (*p) {
		size_t n = strcspn(p, "/");
		char comp[NAME_MAX + 1];
		struct stat st;
		int next;

		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + (p[n] == '/');
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT && !opaque ? LOWER_MISSING : LOWER_HIDDEN;
		if (!S_ISDIR(st.st_mode))
			return LOWER_HIDDEN; /* a whiteout, or a file or symlink hiding the rest */
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return LOWER_HIDDEN;
		close(cur);
		cur = next;
		opaque = opaque || is_opaque(j, cur);
	}
	*out = ctu_steal_fd(&cur);
	return LOWER_FOUND;
}

/* The topmost lower directory that shows @path, top-down as containerd's mkparent looks; -1: none. */
static int lower_dir(const struct layer_job *j, const char *path)
{
	for (size_t i = 0; i < j->n_lowers; i++) {
		int fd = -1;

		switch (lower_look(j, j->lowers[i], strcmp(path, ".") ? path : "", &fd)) {
		case LOWER_FOUND:
			return fd;
		case LOWER_HIDDEN:
			return -1;
		case LOWER_MISSING:
			break;
		}
	}
	return -1;
}

int layer_implied_attrs(struct layer_job *j, int fd, const char *path, ctu_err_t *err)
{
	_cleanup_close_ int lower = lower_dir(j, path);
	struct layer_attrs a = { .mode = 0755, .xattr_fd = -1 };
	struct stat st;

	if (lower >= 0 && fstat(lower, &st) == 0) {
		a.uid = st.st_uid;
		a.gid = st.st_gid;
		a.mode = st.st_mode & 07777;
		/* the mtime for both: a lower's atime moves as it is read */
		a.times[0] = a.times[1] = st.st_mtim;
		a.xattr_fd = lower;
	}
	if (layer_attrs_apply(j, fd, false, false, &a, path, err) < 0)
		return ctu_err_code(*err);
	return layer_dir_defer(j, path, a.times, err);
}

/* Makes implied directory @name (at @path) in @dirfd. */
static int make_implied(struct layer_job *j, int dirfd, const char *name, const char *path,
			ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;

	if (mkdirat(dirfd, name, 0700) < 0)
		return layer_entry_err(err, errno, path, ": cannot make the directory");
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return layer_entry_err(err, errno, path, ": cannot open the directory made");
	return layer_implied_attrs(j, fd, path, err);
}

/* Why @prefix of @dir cannot be gone through, for @entry. */
static int blocked(struct layer_job *j, int dirfd, const char *name, const char *entry,
		   const char *prefix, int errnum, ctu_err_t *err)
{
	char show[LAYER_SHOW_SIZE], show2[LAYER_SHOW_SIZE];
	struct stat st;

	(void)j;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return ctu_err_make(err, 0, "entry '%s' goes through the symlink '%s'",
					    layer_name_show(entry, show), layer_name_show(prefix, show2));
		if (!S_ISDIR(st.st_mode))
			return ctu_err_make(err, 0, "entry '%s' is below '%s', which is no directory",
					    layer_name_show(entry, show), layer_name_show(prefix, show2));
	}
	return ctu_err_make(err, errnum, "entry '%s': cannot open the directory '%s'",
			    layer_name_show(entry, show), layer_name_show(prefix, show2));
}

/* The slow way: component by component, each one openat2'ed below the last, made when missing. */
static int walk(struct layer_job *j, const char *entry, const char *dir, bool create,
		ctu_err_t *err)
{
	_cleanup_close_ int cur = layer_openat2(j->rootfd, ".", O_PATH | O_DIRECTORY);
	char prefix[PATH_MAX];
	size_t off = strcmp(dir, ".") ? 0 : 1; /* the root: nothing to walk */

	if (cur < 0)
		return ctu_err_errno(err, "cannot open the layer directory");
	while (dir[off]) {
		size_t n = strcspn(dir + off, "/");
		char comp[NAME_MAX + 1];
		int next;

		memcpy(comp, dir + off, n);
		comp[n] = '\0';
		memcpy(prefix, dir, off + n);
		prefix[off + n] = '\0';
		off += n + (dir[off + n] == '/');
		next = layer_openat2(cur, comp, O_PATH | O_DIRECTORY);
		if (next < 0 && errno == ENOENT) {
			if (!create)
				return -ENOENT;
			if (make_implied(j, cur, comp, prefix, err) < 0)
				return ctu_err_code(*err);
			next = layer_openat2(cur, comp, O_PATH | O_DIRECTORY);
		}
		if (next < 0)
			return blocked(j, cur, comp, entry, prefix, errno, err);
		close(cur);
		cur = next;
	}
	return cache_set(j, dir, ctu_steal_fd(&cur));
}

int layer_dir_fd(struct layer_job *j, const char *entry, const char *dir, bool create,
		 ctu_err_t *err)
{
	int fd, r;

	if (j->cache_path && strcmp(j->cache_path, dir) == 0)
		return j->cache_fd;
	fd = layer_openat2(j->rootfd, dir, O_PATH | O_DIRECTORY);
	if (fd >= 0)
		r = cache_set(j, dir, fd);
	else if (errno == ENOSYS)
		return ctu_err_make(err, ENOSYS, "cannot resolve paths beneath the layer (openat2)");
	else
		r = walk(j, entry, dir, create, err);
	if (r == -ENOMEM)
		return ctu_err_make(err, ENOMEM, "cannot resolve '%s'", dir);
	return r;
}

static int remove_below(struct layer_job *j, int dirfd)
{
	_cleanup_closedir_ DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = -errno;
		close(dirfd);
		return r;
	}
	while (r == 0 && (errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = layer_remove(j, dirfd, de->d_name);
	return r ? r : -errno;
}

int layer_remove(struct layer_job *j, int dirfd, const char *name)
{
	struct stat st;
	int fd, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = remove_below(j, fd);
	if (r < 0)
		return r;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}
