// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netnsexec.c - --netns NAME|FILE: `ip netns exec` as iproute2 does it.
 *
 * iproute2's netns_switch() (lib/namespace.c) is the behaviour people know:
 * join the namespace, then give the program a mount namespace of its own in
 * which /sys describes the new network namespace (sysfs shows the network
 * devices of the namespace that mounted it) and the files of
 * /etc/netns/NAME stand in for those of /etc (a resolv.conf per namespace).
 * The mount namespace is made a slave of ours first, so nothing mounted for
 * the program leaks back to the host, while the host's later mounts still
 * reach it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ctu.h"
#include "ns.h"
#include "nsenter-lite.h"

#define NETNS_RUN_DIR "/run/netns/"
#define NETNS_ETC_DIR "/etc/netns"

/*
 * The name whose /etc/netns directory applies: NAME itself, or the name of
 * a FILE in /run/netns (the same namespace, named by its path); NULL for
 * any other FILE.
 */
static const char *etc_name(const char *spec)
{
	const char *name = spec;

	if (strncmp(spec, NETNS_RUN_DIR, strlen(NETNS_RUN_DIR)) == 0)
		name = spec + strlen(NETNS_RUN_DIR);
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return NULL;
	return name;
}

/* The namespace's fd: NAME in /run/netns (a number too: `ip netns` names), or FILE. */
static int open_netns(const char *spec, ctu_err_t *err)
{
	const struct ctu_ns_type *net = ctu_ns_by_flag(CLONE_NEWNET);
	char path[PATH_MAX];
	int fd;

	if (!*spec)
		return ctu_err_usage(err, "empty network namespace name in --netns");
	if (!strcmp(spec, ".") || !strcmp(spec, ".."))
		return ctu_err_usage(err, "invalid network namespace name '%s'", spec);
	if (strchr(spec, '/') || strspn(spec, "0123456789") != strlen(spec))
		return ctu_ns_open_spec(spec, net, err);
	/* lib/ns would take a bare number for a PID: here it is a name */
	if ((size_t)snprintf(path, sizeof(path), NETNS_RUN_DIR "%s", spec) >= sizeof(path))
		return ctu_err_make(err, ENAMETOOLONG, "invalid network namespace name");
	fd = ctu_ns_open_spec(path, net, err);
	if (fd == -ENOENT)
		return ctu_err_make(err, 0, "no such network namespace: %s", spec);
	return fd;
}

/* Whether /sys is mounted read-only now: the fresh one is to be too. */
static unsigned long sys_readonly_flag(void)
{
	struct statvfs st;

	return statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY) ? MS_RDONLY : 0;
}

/* A sysfs of the new network namespace over /sys (iproute2: the old one detached first). */
static int fresh_sysfs(const char *source, ctu_err_t *err)
{
	unsigned long flags = sys_readonly_flag() | MS_NOSUID | MS_NODEV | MS_NOEXEC;

	/* EINVAL: /sys was no mount point; the new sysfs then covers the directory */
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
		return ctu_err_errno(err, "cannot unmount the old /sys");
	if (mount(source, "/sys", "sysfs", flags, NULL) < 0)
		return ctu_err_errno(err, "cannot mount a sysfs of the network namespace on /sys");
	return 0;
}

/* Binds /etc/netns/NAME/@entry (open as @srcfd, O_PATH) onto /etc/@entry. */
static void bind_one(int srcfd, const char *name, const char *entry)
{
	_cleanup_close_ int dst = -1;
	char etc[PATH_MAX], src_fd[64], dst_fd[64];
	struct stat st;

	if (fstat(srcfd, &st) < 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		ctu_warn(0, "skipping " NETNS_ETC_DIR "/%s/%s: a symlink", name, entry);
		return;
	}
	snprintf(etc, sizeof(etc), "/etc/%s", entry);
	/* the target's symlinks are followed, as mount(8) and iproute2 do */
	dst = open(etc, O_PATH | O_CLOEXEC);
	if (dst < 0 && errno == ENOENT) {
		ctu_warn(0, "skipping " NETNS_ETC_DIR "/%s/%s: %s does not exist", name, entry, etc);
		return;
	}
	snprintf(src_fd, sizeof(src_fd), "/proc/self/fd/%d", srcfd);
	snprintf(dst_fd, sizeof(dst_fd), "/proc/self/fd/%d", dst);
	if (dst < 0 || mount(src_fd, dst_fd, NULL, MS_BIND, NULL) < 0)
		ctu_warn(errno, "cannot bind " NETNS_ETC_DIR "/%s/%s onto %s", name, entry, etc);
}

/* Each entry of /etc/netns/@name bound over its namesake in /etc; none: nothing to do. */
static void bind_etc(const char *name)
{
	_cleanup_closedir_ DIR *d = NULL;
	char dir[PATH_MAX];
	struct dirent *e;
	int fd;

	if (strlen(name) >= NAME_MAX)
		return;
	snprintf(dir, sizeof(dir), NETNS_ETC_DIR "/%s", name);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			ctu_warn(errno, "skipping %s", dir);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		_cleanup_close_ int src = -1;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		src = openat(dirfd(d), e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0)
			ctu_warn(errno, "skipping %s/%s", dir, e->d_name);
		else
			bind_one(src, name, e->d_name);
	}
}

int netns_exec_switch(const char *name, ctu_err_t *err)
{
	_cleanup_close_ int fd = open_netns(name, err);
	const char *etc = etc_name(name);

	if (fd < 0)
		return fd;
	if (setns(fd, CLONE_NEWNET) < 0)
		return ctu_err_errno(err, "cannot enter the network namespace %s", name);
	if (unshare(CLONE_NEWNS) < 0)
		return ctu_err_errno(err, "--netns %s: cannot unshare the mount namespace", name);
	/* nothing mounted here from now on propagates back to the host */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return ctu_err_errno(err, "--netns %s: cannot make / a slave mount", name);
	if (fresh_sysfs(etc ? etc : "sysfs", err) < 0)
		return ctu_err_wrap(err, "--netns %s", name);
	if (etc)
		bind_etc(etc);
	return 0;
}
