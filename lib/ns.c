// SPDX-License-Identifier: GPL-2.0-or-later
/* ns.c - namespace table, opening namespaces from specs, persistent namespaces. */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "ctu.h"
#include "mnt.h"
#include "ns.h"
#include "parse.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct ctu_ns_type ctu_ns_types[CTU_NS_COUNT] = {
	{ "user", "user", 'U', CLONE_NEWUSER, NULL },
	{ "cgroup", "cgroup", 'C', CLONE_NEWCGROUP, NULL },
	{ "ipc", "ipc", 'i', CLONE_NEWIPC, NULL },
	{ "uts", "uts", 'u', CLONE_NEWUTS, NULL },
	{ "net", "net", 'n', CLONE_NEWNET, NULL },
	{ "pid", "pid", 'p', CLONE_NEWPID, "pid_for_children" },
	{ "mnt", "mount", 'm', CLONE_NEWNS, NULL },
	{ "time", "time", 'T', CLONE_NEWTIME, "time_for_children" },
};

const struct ctu_ns_type *ctu_ns_by_name(const char *name)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (strcmp(name, ctu_ns_types[i].name) == 0 || strcmp(name, ctu_ns_types[i].option) == 0)
			return &ctu_ns_types[i];
	return NULL;
}

int ctu_ns_option(int opt, const char *arg, size_t *index, const char **file, ctu_err_t *err)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		if (opt != ctu_ns_types[i].short_opt)
			continue;
		if (arg && *arg == '=')
			arg++;
		if (arg && !*arg)
			return ctu_err_usage(err, "empty file name for --%s", ctu_ns_types[i].option);
		*index = i;
		*file = arg;
		return 1;
	}
	return 0;
}

const struct ctu_ns_type *ctu_ns_by_flag(int flag)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (ctu_ns_types[i].clone_flag == flag)
			return &ctu_ns_types[i];
	return NULL;
}

int ctu_ns_supported_flags(void)
{
	int flags = 0;

	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/ns/%s", ctu_ns_types[i].name);
		if (access(path, F_OK) == 0)
			flags |= ctu_ns_types[i].clone_flag;
	}
	return flags;
}

/* Whether @fd is a namespace of @type (NS_GET_NSTYPE); ctu_ns_open_spec()'s returns. */
static int check_type(int fd, const char *spec, const struct ctu_ns_type *type, ctu_err_t *err)
{
	int t = ioctl(fd, NS_GET_NSTYPE);

	if (t < 0 && (errno == ENOTTY || errno == EINVAL)) {
		ctu_err_make(err, 0, "%s is not a namespace file", spec);
		return -ENOTTY;
	}
	if (t < 0)
		return ctu_err_errno(err, "cannot open the %s namespace %s", type->name, spec);
	if (t != type->clone_flag) {
		ctu_err_make(err, 0, "%s is not a %s namespace", spec, type->name);
		return -EPROTOTYPE;
	}
	return 0;
}

int ctu_ns_open_spec(const char *spec, const struct ctu_ns_type *type, ctu_err_t *err)
{
	char path[4096];
	uint64_t pid;
	int fd, r;

	if (!spec || !*spec)
		return ctu_err_make(err, EINVAL, "empty %s namespace name", type->name);
	if (ctu_parse_u64_range(spec, 1, INT32_MAX, &pid) == 0)
		snprintf(path, sizeof(path), "/proc/%llu/ns/%s", (unsigned long long)pid, type->name);
	else if (type->clone_flag == CLONE_NEWNET && !strchr(spec, '/'))
		snprintf(path, sizeof(path), "/run/netns/%s", spec);
	else if (strlen(spec) < sizeof(path))
		snprintf(path, sizeof(path), "%s", spec);
	else
		return ctu_err_make(err, ENAMETOOLONG, "cannot open the %s namespace %s", type->name,
				    spec);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	/* a bare name is `ip netns` vocabulary: say it in its words */
	if (fd < 0 && errno == ENOENT && strncmp(path, "/run/netns/", 11) == 0 &&
	    strcmp(path + 11, spec) == 0) {
		ctu_err_make(err, 0, "no such network namespace: %s", spec);
		return -ENOENT;
	}
	if (fd < 0)
		return ctu_err_errno(err, "cannot open the %s namespace %s", type->name, spec);
	r = check_type(fd, spec, type, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int ctu_ns_inode_fd(int fd, unsigned long *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*ino = (unsigned long)st.st_ino;
	return 0;
}

int ctu_ns_inode_path(const char *path, unsigned long *ino)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*ino = (unsigned long)st.st_ino;
	return 0;
}

void ctu_ns_bind_release(struct ctu_ns_bind *b)
{
	free(b->target);
	free(b->parent);
	b->target = b->parent = NULL;
}

void ctu_ns_unbind(struct ctu_ns_bind *b)
{
	if (b->target) {
		umount2(b->target, MNT_DETACH);
		if (b->created_file)
			unlink(b->target);
	}
	if (b->made_private_parent && b->parent)
		umount2(b->parent, MNT_DETACH);
	ctu_ns_bind_release(b);
}

/* Makes @dir a private mount point of its own, by binding it onto itself. */
static int make_private_mount_point(const char *dir)
{
	if (mount(dir, dir, NULL, MS_BIND, NULL) < 0)
		return -errno;
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0) {
		int r = -errno;

		umount2(dir, MNT_DETACH);
		return r;
	}
	return 0;
}

int ctu_ns_bind(const char *nsfile, const char *target, bool is_mnt_ns, struct ctu_ns_bind *b)
{
	int fd, r;

	memset(b, 0, sizeof(*b));
	b->target = strdup(target);
	b->parent = ctu_mnt_parent_dir(target);
	if (!b->target || !b->parent) {
		ctu_ns_bind_release(b);
		return -ENOMEM;
	}
	fd = open(target, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd >= 0) {
		b->created_file = true;
		close(fd);
	} else if (errno != EEXIST) {
		r = -errno;
		goto fail;
	}
	if (mount(nsfile, target, NULL, MS_BIND, NULL) == 0)
		return 0;
	r = -errno;
	/* EINVAL for a mount ns on a shared mount: give it a private parent. */
	if (r != -EINVAL || !is_mnt_ns || ctu_mnt_is_mount_point(b->parent) != 0)
		goto fail;
	r = make_private_mount_point(b->parent);
	if (r < 0)
		goto fail;
	b->made_private_parent = true;
	if (mount(nsfile, target, NULL, MS_BIND, NULL) == 0)
		return 0;
	r = -errno;
fail:
	if (b->created_file)
		unlink(target);
	if (b->made_private_parent)
		umount2(b->parent, MNT_DETACH);
	ctu_ns_bind_release(b);
	return r;
}
