// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * namespaces.c - the new namespaces seen from outside: bound to files to
 * persist them, described to --info-fd, and why creating them failed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ctu.h"
#include "unshare-lite.h"

void ns_file_of(pid_t pid, const struct ctu_ns_type *t, char *buf, size_t size)
{
	/* the clone child is in the new pid ns itself; time applies to children */
	snprintf(buf, size, "/proc/%d/ns/%s", (int)pid,
		 t->clone_flag == CLONE_NEWTIME ? t->for_children : t->name);
}

/*
 * Records in @undo what ctu_ns_bind() made, so that a rollback undoes it as
 * ctu_ns_unbind() would, newest first: the bind mount, the file it made,
 * the private parent it made.  If recording fails, all of it is undone now
 * (undoing one part twice is harmless: the second time finds nothing).
 */
static int record_bind(struct ctu_ns_bind *b, struct ctu_undo *undo, ctu_err_t *err)
{
	int r = 0;

	if (b->made_private_parent)
		r = ctu_undo_mount(undo, b->parent, err);
	if (r == 0 && b->created_file)
		r = ctu_undo_file(undo, AT_FDCWD, b->target, 0, err);
	if (r == 0)
		r = ctu_undo_mount(undo, b->target, err);
	if (r < 0)
		ctu_ns_unbind(b);
	else
		ctu_ns_bind_release(b);
	return r;
}

static int persist_one(pid_t pid, const struct ctu_ns_type *t, const char *target,
		       struct ctu_undo *undo, ctu_err_t *err)
{
	bool is_mnt = t->clone_flag == CLONE_NEWNS;
	struct ctu_ns_bind b;
	char src[64];
	int e;

	ns_file_of(pid, t, src, sizeof(src));
	e = ctu_ns_bind(src, target, is_mnt, &b);
	if (e == -EINVAL && is_mnt) {
		ctu_err_make(err, 0,
			     "cannot persist the mount namespace on %s: its directory is on a "
			     "shared mount",
			     target);
		return ctu_err_hint(err, "make it private first: mount --make-private DIR");
	}
	if (e < 0)
		return ctu_err_make(err, -e, "cannot persist the %s namespace on %s", t->name,
				    target);
	return record_bind(&b, undo, err);
}

/* All or nothing: what was bound before a failure stays in @undo for the caller. */
int persist_namespaces(pid_t pid, const struct opts *o, struct ctu_undo *undo, ctu_err_t *err)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->persist[i] &&
		    persist_one(pid, &ctu_ns_types[i], o->persist[i], undo, err) < 0)
			return ctu_err_code(*err);
	return 0;
}

/* {"pid": N, "ns": {"user": INODE, ...}}: fixed keys and numbers only. */
void write_info(int fd, pid_t pid)
{
	char buf[1024];
	int len = snprintf(buf, sizeof(buf), "{\"pid\": %d, \"ns\": {", (int)pid);
	bool first = true;

	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		const struct ctu_ns_type *t = &ctu_ns_types[i];
		char path[64];
		unsigned long ino;

		ns_file_of(pid, t, path, sizeof(path));
		if (ctu_ns_inode_path(path, &ino) < 0)
			continue;
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s\"%s\": %lu",
				first ? "" : ", ", t->name, ino);
		first = false;
	}
	len += snprintf(buf + len, sizeof(buf) - (size_t)len, "}}\n");
	if (write(fd, buf, (size_t)len) != len)
		ctu_warn(errno, "cannot write to --info-fd %d", fd);
	close(fd);
}

int creating_namespaces_failed(int errnum, int flags, ctu_err_t *err)
{
	ctu_err_make(err, errnum, "cannot create namespaces");
	if (errnum == EPERM && !(flags & CLONE_NEWUSER))
		ctu_err_hint(err, "needs CAP_SYS_ADMIN; add -U or -r for an unprivileged user "
				  "namespace");
	else if ((errnum == EPERM || errnum == ENOSPC) && (flags & CLONE_NEWUSER))
		ctu_err_hint(err, "are user namespaces disabled? see user.max_user_namespaces");
	else if (errnum == EINVAL)
		ctu_err_hint(err, "is a namespace type missing from this kernel?");
	return ctu_err_code(*err);
}
