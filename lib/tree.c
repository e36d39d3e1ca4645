// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tree.c - rm -rf by fds.  Each directory is opened relative to its parent
 * with O_NOFOLLOW, so a symlink swapped in during the walk is removed as a
 * link, never followed; st_dev is compared so a mount below is left alone.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "ctu.h"
#include "tree.h"

static int remove_at(int dirfd, const char *name, dev_t dev, unsigned int depth);

static int remove_contents(int fd, dev_t dev, unsigned int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		int q;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		q = remove_at(dirfd(d), e->d_name, dev, depth + 1);
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	return r;
}

static int remove_at(int dirfd, const char *name, dev_t dev, unsigned int depth)
{
	struct stat st;
	int fd, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (depth > 0 && st.st_dev != dev)
		return -EXDEV;
	if (depth > 4096)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = remove_contents(fd, st.st_dev, depth);
	if (r < 0)
		return r;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

int ctu_tree_remove(int dirfd, const char *name)
{
	return remove_at(dirfd, name, 0, 0);
}
