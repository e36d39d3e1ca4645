// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * undo.c - the rollback log, and the one mkdir -p, which records into it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "mnt.h"
#include "undo-entry.h"

static void release(struct ctu_undo_entry *e)
{
	CTU_PROTECT_ERRNO;

	if (e->fd >= 0)
		close(e->fd);
	free(e->path);
}

int ctu_undo_push(struct ctu_undo *u, const struct ctu_undo_entry *e, ctu_err_t *err)
{
	struct ctu_undo_entry *copy = malloc(sizeof(*copy));

	if (!copy) {
		struct ctu_undo_entry tmp = *e;

		e->replay(e);
		release(&tmp);
		return ctu_err_make(err, ENOMEM, "cannot record what to undo");
	}
	*copy = *e;
	copy->older = u->newest;
	u->newest = copy;
	u->n++;
	return 0;
}

/*
 * Adds @e with its own copies of @path and @dirfd (-1: none; AT_FDCWD stays
 * as it is for an absolute path, and is pinned by an fd for a relative one).  When a copy cannot be made the action is undone at once with
 * the caller's path and fd, which are still valid.
 */
static int record(struct ctu_undo *u, struct ctu_undo_entry *e, const char *path, int dirfd,
		  ctu_err_t *err)
{
	/* a relative path is pinned to today's working directory, not tomorrow's */
	bool pin_cwd = dirfd == AT_FDCWD && path && path[0] != '/';
	bool own_fd = dirfd >= 0 || pin_cwd;

	e->path = path ? strdup(path) : NULL;
	if (pin_cwd)
		e->fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		e->fd = own_fd ? fcntl(dirfd, F_DUPFD_CLOEXEC, 3) : dirfd;
	if ((path && !e->path) || (own_fd && e->fd < 0)) {
		struct ctu_undo_entry now = *e;
		int saved = errno;

		now.path = (char *)path;
		now.fd = dirfd;
		e->replay(&now);
		release(e);
		return ctu_err_make(err, saved, "cannot record what to undo");
	}
	return ctu_undo_push(u, e, err);
}

static void replay_mount(const struct ctu_undo_entry *e)
{
	umount2(e->path, MNT_DETACH);
}

/* Whether @fd is the directory this process has as its root. */
static bool is_our_root(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * umount2 has no dirfd: the mount is reached through the magic link of an
 * fd of it.  Without a /proc (after pivot_root or chroot into a root that
 * has none), a root that is ours is one the kernel resolves the path in.
 */
static void replay_mount_at(const struct ctu_undo_entry *e)
{
	char path[64];
	int fd;

	if (e->flags & CTU_UNDO_IN_ROOT)
		fd = ctu_mnt_open_in_root(e->fd, e->path, 0, false);
	else
		fd = openat(e->fd, e->path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* by path only when there is no /proc: any other failure says no mount is there */
	if (umount2(path, MNT_DETACH) < 0 && errno == ENOENT && (e->flags & CTU_UNDO_IN_ROOT) &&
	    is_our_root(e->fd)) {
		char *abs = NULL;

		if (asprintf(&abs, "/%s", e->path) >= 0)
			umount2(abs, MNT_DETACH);
		free(abs);
	}
	close(fd);
}

static void replay_nothing(const struct ctu_undo_entry *e)
{
	(void)e; /* closing the detached mount's fd is its undo: release() does it */
}

/*
 * unlinkat of the entry's path, resolved inside the root when it says so.
 * Returns 0 or -errno.
 */
static int unlink_entry(const struct ctu_undo_entry *e, int how)
{
	const char *slash, *name;
	int parent, r;

	if (!(e->flags & CTU_UNDO_IN_ROOT))
		return unlinkat(e->fd, e->path, how) < 0 ? -errno : 0;
	slash = strrchr(e->path, '/');
	name = slash ? slash + 1 : e->path;
	if (slash) {
		char *dir = strndup(e->path, (size_t)(slash - e->path));

		if (!dir)
			return -ENOMEM;
		parent = ctu_mnt_open_in_root(e->fd, *dir ? dir : "/", O_DIRECTORY, false);
		free(dir);
	} else {
		parent = fcntl(e->fd, F_DUPFD_CLOEXEC, 3);
		if (parent < 0)
			parent = -errno;
	}
	if (parent < 0)
		return parent;
	r = unlinkat(parent, name, how) < 0 ? -errno : 0;
	close(parent);
	return r;
}

static void replay_dir(const struct ctu_undo_entry *e)
{
	/* a cgroup a process is still leaving is busy for a moment */
	for (int tries = 0; tries < 100; tries++) {
		if (unlink_entry(e, AT_REMOVEDIR) != -EBUSY || !(e->flags & CTU_UNDO_CGROUP))
			return;
		usleep(1000);
	}
}

static void replay_file(const struct ctu_undo_entry *e)
{
	unlink_entry(e, 0);
}

static void replay_call(const struct ctu_undo_entry *e)
{
	e->fn(e->arg);
}

int ctu_undo_mount(struct ctu_undo *u, const char *path, ctu_err_t *err)
{
	struct ctu_undo_entry e = { .replay = replay_mount };

	return record(u, &e, path, -1, err);
}

int ctu_undo_mount_at(struct ctu_undo *u, int dirfd, const char *path, unsigned int flags,
		      ctu_err_t *err)
{
	struct ctu_undo_entry e = { .replay = replay_mount_at, .flags = flags };

	return record(u, &e, path, dirfd, err);
}

int ctu_undo_mount_fd(struct ctu_undo *u, int mntfd, ctu_err_t *err)
{
	struct ctu_undo_entry e = { .replay = replay_nothing, .fd = mntfd };

	return ctu_undo_push(u, &e, err);
}

int ctu_undo_dir(struct ctu_undo *u, int dirfd, const char *path, unsigned int flags,
		 ctu_err_t *err)
{
	struct ctu_undo_entry e = { .replay = replay_dir, .flags = flags };

	return record(u, &e, path, dirfd, err);
}

int ctu_undo_file(struct ctu_undo *u, int dirfd, const char *path, unsigned int flags,
		  ctu_err_t *err)
{
	struct ctu_undo_entry e = { .replay = replay_file, .flags = flags };

	return record(u, &e, path, dirfd, err);
}

int ctu_undo_cgroup(struct ctu_undo *u, const char *path, ctu_err_t *err)
{
	/* a cgroup is removed as a directory is; its files are the kernel's */
	return ctu_undo_dir(u, AT_FDCWD, path, CTU_UNDO_CGROUP, err);
}

int ctu_undo_call(struct ctu_undo *u, void (*fn)(void *arg), void *arg, ctu_err_t *err)
{
	struct ctu_undo_entry e = { .replay = replay_call, .fd = -1, .fn = fn, .arg = arg };

	return ctu_undo_push(u, &e, err);
}

static void drop(struct ctu_undo *u, bool replay)
{
	CTU_PROTECT_ERRNO;

	while (u->newest) {
		struct ctu_undo_entry *e = u->newest;

		u->newest = e->older;
		if (replay)
			e->replay(e);
		release(e);
		free(e);
	}
	u->n = 0;
}

void ctu_undo_rollback(struct ctu_undo *u)
{
	drop(u, true);
}

void ctu_undo_forget(struct ctu_undo *u)
{
	drop(u, false);
}

void ctu_undo_rollbackp(struct ctu_undo *u)
{
	ctu_undo_rollback(u);
}

/*
 * Opens the directory that holds the last component of @p (relative to
 * @dirfd), O_PATH, resolved inside @dirfd as a root with CTU_MKDIR_IN_ROOT.
 * *@fd is the new fd, or AT_FDCWD for the working directory itself (then
 * there is nothing to close).  Returns 0 or -errno.
 */
static int open_parent(int dirfd, const char *p, unsigned int flags, int *fd)
{
	const char *slash = strrchr(p, '/');
	_cleanup_free_ char *dir = NULL;

	if (!slash && dirfd == AT_FDCWD && !(flags & CTU_MKDIR_IN_ROOT)) {
		*fd = AT_FDCWD;
		return 0;
	}
	/* "/a": the parent is the root; "a/b": it is "a"; "a": @dirfd itself */
	dir = !slash ? strdup(flags & CTU_MKDIR_IN_ROOT ? "/" : ".")
	      : slash == p ? strdup("/")
			   : strndup(p, (size_t)(slash - p));
	if (!dir)
		return -ENOMEM;
	if (flags & CTU_MKDIR_IN_ROOT) {
		*fd = ctu_mnt_open_in_root(dirfd, dir, O_DIRECTORY, false);
		return *fd < 0 ? *fd : 0;
	}
	*fd = openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

/*
 * Whether @name, found existing in @parent, is a directory: 0, -ENOTDIR or
 * -errno.  A symlink is followed as the next component would be: inside
 * the root with CTU_MKDIR_IN_ROOT (@p resolved in @dirfd), not on the host.
 */
static int check_existing_dir(int parent, const char *name, int dirfd, const char *p,
			      unsigned int flags)
{
	struct stat st;
	int fd;

	if (flags & CTU_MKDIR_IN_ROOT) {
		fd = ctu_mnt_open_in_root(dirfd, p, O_DIRECTORY, false);
		if (fd < 0)
			return fd;
		close(fd);
		return 0;
	}
	if (fstatat(parent, name, &st, 0) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Creates the last component of @p in its parent (which exists). */
static int mkdir_one(struct ctu_undo *u, int dirfd, const char *p, mode_t mode,
		     unsigned int flags, ctu_err_t *err)
{
	const char *slash = strrchr(p, '/');
	const char *name = slash ? slash + 1 : p;
	int parent, r;

	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	r = open_parent(dirfd, p, flags, &parent);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot create %s", p);
	if (mkdirat(parent, name, mode) == 0) {
		if (u && ctu_undo_dir(u, dirfd, p, flags, err) < 0)
			r = ctu_err_wrap(err, "cannot create %s", p);
	} else if (errno != EEXIST) {
		r = ctu_err_errno(err, "cannot create %s", p);
	} else if ((r = check_existing_dir(parent, name, dirfd, p, flags)) < 0) {
		r = ctu_err_make(err, -r, "cannot create %s", p);
	}
	if (parent >= 0)
		close(parent);
	return r;
}

int ctu_mkdir_p(struct ctu_undo *u, int dirfd, const char *path, mode_t mode, unsigned int flags,
		ctu_err_t *err)
{
	_cleanup_free_ char *p = NULL;
	size_t len;

	if (!*path)
		return ctu_err_make(err, ENOENT, "cannot create a directory of an empty name");
	p = strdup(path);
	if (!p)
		return ctu_err_make(err, ENOMEM, "cannot create %s", path);
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	/*
	 * On the host, where the walk would follow symlinks as mkdir(2) does, the
	 * parents mostly exist (a cgroup below ours): try the last component
	 * first, and walk only when a parent is missing.
	 */
	if (!(flags & CTU_MKDIR_IN_ROOT)) {
		int r = mkdir_one(u, dirfd, p, mode, flags, err);

		if (r != -ENOENT)
			return r;
		ctu_err_free(err);
	}
	/* each prefix in turn, parents first */
	for (size_t end = 1; end <= len; end++) {
		char saved = p[end];
		int r;

		if (end < len && p[end] != '/')
			continue;
		p[end] = '\0';
		r = mkdir_one(u, dirfd, p, mode, flags, err);
		p[end] = saved;
		if (r < 0)
			return r;
	}
	return 0;
}
