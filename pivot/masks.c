// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * masks.c - --readonly-mount, --readonly-path and --mask, made after
 * pivot_root as runc makes them: a read-only mount is that one mount made
 * read-only in place (the mounts below it keep their flags: OCI's "ro" on a
 * tmpfs that holds the cgroup v1 hierarchies); a read-only path is a recursive
 * bind onto itself made read-only before it is attached (so a path with
 * submounts is stacked over, never changed); a masked file gets the new root's /dev/null bound
 * on it, a masked directory an empty read-only tmpfs.  Paths are resolved
 * inside the root (a symlink there leads to the root's own file, never the
 * host's), and a path the root lacks is skipped.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "ctu.h"
#include "mnt.h"
#include "pivot.h"

/* @path in the new root as an O_PATH fd in *@fd: 0, 1 when it is missing (skipped), or an error. */
static int open_masked(struct newroot *nr, const char *opt, const char *path, int *fd,
		       ctu_err_t *err)
{
	*fd = ctu_mnt_open_in_root(nr->rootfd, path, 0, false);
	if (*fd == -ENOENT) {
		ctu_debug("%s %s: not in the new root, skipped", opt, path);
		return 1;
	}
	if (*fd < 0)
		return ctu_err_make(err, -*fd, "%s %s: cannot open it in the new root", opt, path);
	return 0;
}

/* Moves the detached @mntfd onto @target and records it at @path. */
static int attach_at(struct newroot *nr, int mntfd, int target, const char *opt, const char *path,
		     ctu_err_t *err)
{
	if (move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "%s %s: cannot mount on it", opt, path);
	return record_mount(nr, path, err);
}

static int readonly_path(struct newroot *nr, const char *path, ctu_err_t *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	_cleanup_close_ int target = -1, tree = -1;
	int r = open_masked(nr, "--readonly-path", path, &target, err);

	if (r != 0)
		return r < 0 ? r : 0;
	tree = open_tree(target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
					     AT_RECURSIVE);
	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		return ctu_err_errno(err, "--readonly-path %s: cannot bind it read-only", path);
	return attach_at(nr, tree, target, "--readonly-path", path, err);
}

static int readonly_mount(struct newroot *nr, const char *path, ctu_err_t *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	_cleanup_close_ int target = -1;
	int r = open_masked(nr, "--readonly-mount", path, &target, err);

	if (r != 0)
		return r < 0 ? r : 0;
	/* else the flag would land on whatever mount holds @path, the root perhaps */
	r = ctu_mnt_is_mount_root_at(target, "", AT_EMPTY_PATH);
	if (r == -ENOSYS)
		return ctu_err_make(err, ENOSYS, "--readonly-mount %s: needs Linux 5.8", path);
	if (r < 0)
		return ctu_err_make(err, -r, "--readonly-mount %s", path);
	if (r == 0)
		return ctu_err_make(err, 0, "--readonly-mount %s: not a mount point", path);
	if (mount_setattr(target, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return ctu_err_errno(err, "--readonly-mount %s: cannot make it read-only", path);
	return 0;
}

/* The new root's /dev/null, if it is the null device (c 1:3): an O_PATH fd. */
static int open_null(struct newroot *nr, const char *path, ctu_err_t *err)
{
	_cleanup_close_ int fd = ctu_mnt_open_in_root(nr->rootfd, "/dev/null", 0, true);
	struct stat s;

	if (fd < 0 || fstat(fd, &s) < 0 || !S_ISCHR(s.st_mode) || s.st_rdev != makedev(1, 3))
		return ctu_err_make(err, fd < 0 ? -fd : 0,
				    "--mask %s: the new root's /dev/null is not the null device",
				    path);
	return ctu_steal_fd(&fd);
}

static int mask_dir(struct newroot *nr, int target, const char *path, ctu_err_t *err)
{
	_cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	_cleanup_close_ int mntfd = -1;

	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY)) < 0)
		return ctu_err_errno(err, "--mask %s: cannot make an empty tmpfs", path);
	return attach_at(nr, mntfd, target, "--mask", path, err);
}

static int mask_file(struct newroot *nr, int target, const char *path, ctu_err_t *err)
{
	_cleanup_close_ int null = open_null(nr, path, err);
	_cleanup_close_ int tree = -1;

	if (null < 0)
		return null;
	tree = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return ctu_err_errno(err, "--mask %s: cannot bind /dev/null", path);
	return attach_at(nr, tree, target, "--mask", path, err);
}

static int mask_path(struct newroot *nr, const char *path, ctu_err_t *err)
{
	_cleanup_close_ int target = -1;
	int r = open_masked(nr, "--mask", path, &target, err);
	struct stat s;

	if (r != 0)
		return r < 0 ? r : 0;
	if (fstat(target, &s) < 0)
		return ctu_err_errno(err, "--mask %s", path);
	if (S_ISDIR(s.st_mode))
		return mask_dir(nr, target, path, err);
	return mask_file(nr, target, path, err);
}

int apply_masks(const struct opts *o, struct newroot *nr, ctu_err_t *err)
{
	for (size_t i = 0; i < o->n_readonly_mounts; i++)
		if (readonly_mount(nr, o->readonly_mounts[i], err) < 0)
			return ctu_err_code(*err);
	for (size_t i = 0; i < o->n_readonly_paths; i++)
		if (readonly_path(nr, o->readonly_paths[i], err) < 0)
			return ctu_err_code(*err);
	for (size_t i = 0; i < o->n_masks; i++)
		if (mask_path(nr, o->masks[i], err) < 0)
			return ctu_err_code(*err);
	return 0;
}
