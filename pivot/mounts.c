// SPDX-License-Identifier: GPL-2.0-or-later
/* mounts.c - pivot's mounts by fd: binds, read-only remounts; paths that climb out. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "ctu.h"
#include "pivot.h"

bool path_escapes(const char *path)
{
	int depth = 0;

	for (const char *p = path; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (len && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return false;
}

int proc_fd_path(int fd, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/proc/self/fd/%d", fd);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Before Linux 5.2 (no open_tree): mount(2) through the target fd's magic link. */
static int bind_at_legacy(const char *src, int targetfd, bool recursive, bool readonly)
{
	char target[64];
	int r = proc_fd_path(targetfd, target, sizeof(target));

	if (r < 0)
		return r;
	if (mount(src, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	if (readonly && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return -errno;
	return 0;
}

int bind_at(const char *src, int targetfd, bool recursive, bool readonly)
{
	_cleanup_close_ int tree = open_tree(AT_FDCWD, src,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (tree < 0 && errno == ENOSYS)
		return bind_at_legacy(src, targetfd, recursive, readonly);
	if (tree < 0)
		return -errno;
	if (readonly && mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &ro,
				      sizeof(ro)) < 0)
		return -errno;
	if (move_mount(tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int make_readonly(const char *path, bool recursive)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &ro, sizeof(ro)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0 ? -errno : 0;
}
