// SPDX-License-Identifier: GPL-2.0-or-later
/* mnt.c - mounting and paths inside a root, with the kernel's own calls. */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "ctu.h"
#include "mnt.h"
#include "strv.h"

char *ctu_mnt_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int ctu_mnt_is_mount_point(const char *path)
{
	return ctu_mnt_is_mount_root_at(AT_FDCWD, path, 0);
}

int ctu_mnt_is_mount_root_at(int dirfd, const char *path, int flags)
{
	struct statx stx;

	/* the kernel says so (Linux 5.8): no mount table to read */
	if (statx(dirfd, path, flags, STATX_BASIC_STATS, &stx) < 0)
		return -errno;
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -ENOSYS;
	return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}

int ctu_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = resolve };
	int fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

int ctu_mnt_open_in_root(int rootfd, const char *path, int flags, bool no_symlinks)
{
	while (*path == '/')
		path++;
	return ctu_openat2(rootfd, path, (uint64_t)(O_PATH | flags),
			   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
				   (no_symlinks ? RESOLVE_NO_SYMLINKS : 0));
}

static int fd_path(int fd, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/proc/self/fd/%d", fd);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* MOUNT_ATTR_* to the MS_* flags of mount(2). */
static unsigned long attrs_to_ms(unsigned int attrs)
{
	unsigned long f = 0;

	if (attrs & MOUNT_ATTR_RDONLY)
		f |= MS_RDONLY;
	if (attrs & MOUNT_ATTR_NOSUID)
		f |= MS_NOSUID;
	if (attrs & MOUNT_ATTR_NODEV)
		f |= MS_NODEV;
	if (attrs & MOUNT_ATTR_NOEXEC)
		f |= MS_NOEXEC;
	return f;
}

int ctu_mnt_fsconfig_options(int fsfd, const char *const *options, const char **failed)
{
	for (const char *const *o = options; o && *o; o++) {
		const char *eq = strchr(*o, '=');
		char key[256];
		int r;

		if (!eq) {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, *o, NULL, 0);
		} else if ((size_t)(eq - *o) >= sizeof(key)) {
			errno = EINVAL; /* the kernel's limit for a key, too */
			r = -1;
		} else {
			memcpy(key, *o, (size_t)(eq - *o));
			key[eq - *o] = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
		}
		if (r < 0) {
			if (failed)
				*failed = *o;
			return -errno;
		}
	}
	return 0;
}

/* The comma-separated @options, then the filesystem made. */
static int configure_fs(int fsfd, const char *options)
{
	_cleanup_strv_ struct ctu_strv v = CTU_STRV_INIT;
	int r = options ? ctu_strv_split_escaped(&v, options, ',') : 0;

	if (r == 0)
		r = ctu_mnt_fsconfig_options(fsfd, (const char *const *)v.v, NULL);
	if (r < 0)
		return r;
	return fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ? -errno : 0;
}

int ctu_mnt_new_fs_at(int targetfd, const char *fstype, const char *source, const char *options,
		      unsigned int attrs)
{
	_cleanup_close_ int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	_cleanup_close_ int mntfd = -1;
	char target[64];
	int r;

	if (fsfd < 0 && errno == ENOSYS) {
		/* before Linux 5.2: mount(2) through the fd's magic link */
		r = fd_path(targetfd, target, sizeof(target));
		if (r < 0)
			return r;
		return mount(source, target, fstype, attrs_to_ms(attrs), options) < 0 ? -errno : 0;
	}
	if (fsfd < 0)
		return -errno;
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return -errno;
	r = configure_fs(fsfd, options);
	if (r < 0)
		return r;
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mntfd < 0)
		return -errno;
	if (move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}
