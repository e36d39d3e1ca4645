// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inplace.c - a container without a mount namespace of its own.  pivot
 * --in-place binds its root onto itself in ours and chroots into it; that
 * bind and everything mounted in it stay after the container ends, as with
 * runc.  They are ours to remove: the mount the root was on is noted before
 * the chain runs, and delete (or a failed create) detaches what is stacked
 * on the root above it -- only in the mount namespace that create ran in,
 * where the noted mount ID means that mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrun.h"
#include "ctu.h"

/* How deep mounts may be stacked on the root before release gives up. */
#define IN_PLACE_MAX_STACK 64

/* The ID of the topmost mount at @path (or of the one it is on): its fdinfo's mnt_id. */
static int mount_id_of(const char *path, uint64_t *id, ctu_err_t *err)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_fclose_ FILE *f = NULL;
	char info[64], line[128];

	if (fd < 0)
		return ctu_err_errno(err, "cannot open %s", path);
	snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
	f = fopen(info, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %" SCNu64, id) == 1)
			return 0;
	return ctu_err_make(err, f ? 0 : errno, "cannot read the mount ID of %s from %s", path,
			    info);
}

/* The inode of our mount namespace, which mount IDs belong to. */
static int mount_ns_of_self(uint64_t *ino, ctu_err_t *err)
{
	struct stat st;

	if (stat("/proc/self/ns/mnt", &st) < 0)
		return ctu_err_errno(err, "cannot read /proc/self/ns/mnt");
	*ino = (uint64_t)st.st_ino;
	return 0;
}

bool ct_config_has_mount_ns(json_t *cfg)
{
	json_t *ns;
	size_t i;

	json_array_foreach (json_object_get(json_object_get(cfg, "linux"), "namespaces"), i, ns)
		if (json_is_string(json_object_get(ns, "type")) &&
		    strcmp(json_string_value(json_object_get(ns, "type")), "mount") == 0)
			return true;
	return false;
}

int ct_in_place_note(const char *rootfs, struct ct_in_place *ip, ctu_err_t *err)
{
	ip->used = true;
	return mount_ns_of_self(&ip->mount_ns, err) < 0 || mount_id_of(rootfs, &ip->below, err) < 0
		   ? -1
		   : 0;
}

int ct_in_place_release(const char *rootfs, const struct ct_in_place *ip, ctu_err_t *err)
{
	uint64_t ns = 0, top = 0;

	if (!ip->used)
		return 0;
	if (mount_ns_of_self(&ns, err) < 0)
		return -1;
	if (ns != ip->mount_ns)
		return ctu_err_make(err, 0,
				    "the mounts on %s are in mount namespace %" PRIu64
				    ", not in ours (%" PRIu64 "): run delete there",
				    rootfs, ip->mount_ns, ns);
	for (int i = 0; i < IN_PLACE_MAX_STACK; i++) {
		if (mount_id_of(rootfs, &top, err) < 0) {
			if (ctu_err_code(*err) != -ENOENT)
				return -1;
			ctu_err_free(err); /* the root is gone, and what was on it */
			return 0;
		}
		if (top == ip->below)
			return 0;
		/* the whole tree at once: the bind, and the container's mounts in it */
		if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return errno == EINVAL ? 0
					       : ctu_err_errno(err, "cannot detach the mounts on %s",
							       rootfs);
	}
	return ctu_err_make(err, 0, "more than %d mounts are stacked on %s", IN_PLACE_MAX_STACK,
			    rootfs);
}
