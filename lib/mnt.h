/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mnt.h - mounting and paths inside a root, with the kernel's own calls. */
#ifndef CTU_MNT_H
#define CTU_MNT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The directory part of @path ("." for a bare name), newly allocated, or NULL. */
char *ctu_mnt_parent_dir(const char *path);

/*
 * Whether @path (symlinks followed) is the root of a mount in our mount
 * namespace, from statx's STATX_ATTR_MOUNT_ROOT: 1 yes, 0 no, -errno
 * (-ENOSYS before Linux 5.8).
 */
int ctu_mnt_is_mount_point(const char *path);
/* The same of @path at @dirfd with statx's @flags (AT_EMPTY_PATH: @dirfd itself). */
int ctu_mnt_is_mount_root_at(int dirfd, const char *path, int flags);

/*
 * openat2(2) of @path below @dirfd with O_CLOEXEC | @flags and @resolve
 * (RESOLVE_*); an empty @path is @dirfd itself (".").  Returns the fd or
 * -errno (-ENOSYS before Linux 5.6).  glibc 2.36 has no wrapper.
 */
int ctu_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve);

/*
 * Opens @path inside the root @rootfd, O_PATH | O_CLOEXEC | @flags, with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): ".." and absolute
 * symlinks stop at the root, so nothing outside it can be reached.  With
 * @no_symlinks, any symlink on the way is an error (ELOOP).  Returns the fd
 * or -errno (-ENOSYS before Linux 5.6).
 */
int ctu_mnt_open_in_root(int rootfd, const char *path, int flags, bool no_symlinks);

/*
 * Sets each mount option of the NULL-terminated @options ("key=value" or
 * "flag"; @options may be NULL) on the filesystem context @fsfd (fsopen),
 * with fsconfig.  Returns 0, or -errno with *@failed (unless @failed is
 * NULL) the option the kernel refused; its own words are in @fsfd's log.
 */
int ctu_mnt_fsconfig_options(int fsfd, const char *const *options, const char **failed);

/*
 * Mounts a new filesystem of @fstype onto the directory @targetfd (an O_PATH
 * fd), with the comma-separated @options ("size=64m,mode=1777,newinstance")
 * and MOUNT_ATTR_* @attrs.  New mount API (Linux 5.2), or mount(2) on
 * /proc/self/fd/N before it.  Returns 0 or -errno.
 */
int ctu_mnt_new_fs_at(int targetfd, const char *fstype, const char *source, const char *options,
		      unsigned int attrs);

#endif
