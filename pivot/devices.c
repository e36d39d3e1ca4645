// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * devices.c - --device PATH:TYPE:MAJ:MIN:MODE:UID:GID: a device node made in
 * the new root once its mounts are made, its path resolved inside the root.
 * In a user namespace mknod of a device is not allowed (EPERM): the host's
 * node at the same path is bound there instead, when it is that device (as
 * runc does rootless); otherwise the error stands.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "ctu.h"
#include "mnt.h"
#include "parse.h"
#include "pivot.h"

/* The kernel's dev_t: 12 bits of major, 20 of minor. */
#define MAX_MAJOR 4095u
#define MAX_MINOR 1048575u

static noreturn void bad_device(const char *arg, const char *why)
{
	ctu_usage_exit("invalid --device '%s': %s", arg, why);
}

static unsigned int device_number(const char *arg, const char *field, uint64_t max,
				  const char *what)
{
	uint64_t v;

	if (ctu_parse_u64_range(field, 0, max, &v) < 0)
		ctu_usage_exit("invalid --device '%s': %s '%s'", arg, what, field);
	return (unsigned int)v;
}

static unsigned int device_mode(const char *arg, const char *field)
{
	char *end;
	unsigned long mode;

	errno = 0;
	mode = strtoul(field, &end, 8);
	if (!*field || *end || errno || mode > 07777 || *field == '-' || *field == '+')
		ctu_usage_exit("invalid --device '%s': mode '%s' (octal, at most 7777)", arg, field);
	return (unsigned int)mode;
}

void parse_device_option(const char *arg, struct device *dev)
{
	char *copy = strdup(arg), *rest = copy, *f[7];
	size_t n = 0;

	if (!copy)
		ctu_usage_exit("out of memory");
	/* strsep, not strtok: an empty field is an error, not skipped */
	while (rest && n < 7)
		f[n++] = strsep(&rest, ":");
	if (n != 7 || rest)
		bad_device(arg, "expected PATH:TYPE:MAJOR:MINOR:MODE:UID:GID");
	if (!*f[0] || path_escapes(f[0]))
		bad_device(arg, "the path is empty or climbs out of the new root with '..'");
	if (strlen(f[1]) != 1 || !strchr("cbup", f[1][0]))
		bad_device(arg, "the type is c, b, u or p");
	dev->path = f[0];
	dev->type = f[1][0];
	dev->major = device_number(arg, f[2], MAX_MAJOR, "major");
	dev->minor = device_number(arg, f[3], MAX_MINOR, "minor");
	dev->mode = device_mode(arg, f[4]);
	dev->uid = device_number(arg, f[5], UINT32_MAX - 1, "uid");
	dev->gid = device_number(arg, f[6], UINT32_MAX - 1, "gid");
}

static mode_t file_type(const struct device *dev)
{
	return dev->type == 'b' ? S_IFBLK : dev->type == 'p' ? S_IFIFO : S_IFCHR;
}

/* mknod with exactly the mode asked, whatever our umask. */
static int make_node(int dirfd, const char *name, const struct device *dev)
{
	mode_t old = umask(0);
	dev_t rdev = dev->type == 'p' ? 0 : makedev(dev->major, dev->minor);
	int r = mknodat(dirfd, name, file_type(dev) | dev->mode, rdev);

	umask(old);
	return r < 0 ? -errno : 0;
}

/* The user namespace's way: the host's node bound onto an empty file, if it is this device. */
static int bind_host_node(struct newroot *nr, const struct device *dev, ctu_err_t *err)
{
	_cleanup_close_ int src = open(dev->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int tree = -1, target = -1;
	struct stat s;

	if (src < 0 || fstat(src, &s) < 0 || (s.st_mode & S_IFMT) != file_type(dev) ||
	    s.st_rdev != makedev(dev->major, dev->minor))
		return ctu_err_make(err, EPERM, "cannot create the device %s%s (%c %u:%u)", nr->path,
				    dev->path, dev->type, dev->major, dev->minor);
	tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return ctu_err_errno(err, "cannot bind the host's %s", dev->path);
	target = mount_point(nr, dev->path, true, false, err);
	if (target < 0)
		return target;
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "cannot bind the host's %s on %s%s", dev->path, nr->path,
				     dev->path);
	return record_mount(nr, dev->path, err);
}

/* The node, its owner: recorded, so that a rollback removes it. */
static int create_device(struct newroot *nr, int dirfd, const char *name,
			 const struct device *dev, ctu_err_t *err)
{
	int r = make_node(dirfd, name, dev);

	if (r == -EEXIST) /* runc: what the rootfs or a mount put there stays */
		return 0;
	if (r == -EPERM && dev->type != 'p')
		return bind_host_node(nr, dev, err);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot create the device %s%s", nr->path, dev->path);
	if (ctu_undo_file(&nr->undo, nr->rootfd, dev->path, CTU_UNDO_IN_ROOT, err) < 0)
		return ctu_err_code(*err);
	if (fchownat(dirfd, name, dev->uid, dev->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return ctu_err_errno(err, "cannot change the owner of %s%s", nr->path, dev->path);
	return 0;
}

static int setup_device(struct newroot *nr, const struct device *dev, ctu_err_t *err)
{
	_cleanup_free_ char *parent = ctu_mnt_parent_dir(dev->path);
	const char *slash = strrchr(dev->path, '/');
	const char *name = slash ? slash + 1 : dev->path;
	_cleanup_close_ int dirfd = -1;

	if (!parent)
		return ctu_err_make(err, ENOMEM, "cannot create the device %s", dev->path);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ctu_err_make(err, 0, "cannot create the device %s: not a file name", dev->path);
	dirfd = mount_point(nr, parent, false, false, err);
	if (dirfd < 0)
		return dirfd;
	return create_device(nr, dirfd, name, dev, err);
}

int setup_devices(const struct opts *o, struct newroot *nr, ctu_err_t *err)
{
	for (size_t i = 0; i < o->n_devices; i++)
		if (setup_device(nr, &o->devices[i], err) < 0)
			return ctu_err_code(*err);
	return 0;
}
