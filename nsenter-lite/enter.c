// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * enter.c - the target and its namespaces.  The target is opened once as a
 * pidfd; everything else about it (its /proc directory, namespace files) is
 * reached only after that, and the pidfd is checked to be alive afterwards,
 * so a recycled PID is never entered by mistake.  Where the kernel allows
 * it (Linux 5.8), all of the target's namespaces are entered in one atomic
 * setns(pidfd, flags).  Otherwise every namespace file is opened first and
 * entered in util-linux's two passes.
 */
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ctu.h"
#include "nsenter-lite.h"
#include "proc.h"

bool wants(const struct opts *o, int clone_flag)
{
	return o->ns[ctu_ns_by_flag(clone_flag) - ctu_ns_types].wanted;
}

static int target_exited(const struct opts *o, ctu_err_t *err)
{
	return ctu_err_make(err, 0, "process %d has exited: nothing was entered", (int)o->target);
}

/*
 * The PID of a live process is unique: if the pidfd's process is still
 * alive after we opened things by PID, they were that process's.
 */
static int check_target_alive(const struct opts *o, const struct target *t, ctu_err_t *err)
{
	if (t->pidfd >= 0 && ctu_pidfd_send_signal(t->pidfd, 0) < 0 && errno == ESRCH)
		return target_exited(o, err);
	return 0;
}

static bool same_ns_as_ours(const struct target *t, const struct ctu_ns_type *type)
{
	char theirs[64], ours[64];
	struct stat a, b;

	snprintf(theirs, sizeof(theirs), "ns/%s", type->name);
	snprintf(ours, sizeof(ours), "/proc/self/ns/%s", type->name);
	if (fstatat(t->procfd, theirs, &a, 0) < 0 || stat(ours, &b) < 0)
		return false;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* -a: every namespace of the target that differs from ours. */
static void select_all(struct opts *o, const struct target *t)
{
	int supported = ctu_ns_supported_flags();

	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		const struct ctu_ns_type *type = &ctu_ns_types[i];

		if (o->ns[i].wanted || !(supported & type->clone_flag))
			continue;
		/* re-entering our own user namespace is EINVAL, and pointless */
		o->ns[i].wanted = !same_ns_as_ours(t, type);
	}
}

/* Open everything about the target while its pidfd pins its identity. */
int open_target(struct opts *o, struct target *t, ctu_err_t *err)
{
	char path[64];

	/* PID@START and PID:INODE are checked here: a recycled PID is refused */
	t->pidfd = ctu_pidref_open(&o->ref, err);
	/* before Linux 5.3 (or under valgrind) there are no pidfds: /proc only */
	if (t->pidfd == -ENOSYS)
		ctu_debug("pidfd_open: not supported, using /proc/%d alone", (int)o->target);
	else if (t->pidfd < 0)
		return t->pidfd;
	snprintf(path, sizeof(path), "/proc/%d", (int)o->target);
	t->procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0)
		return ctu_err_errno(err, "cannot open %s", path);
	if (o->all)
		select_all(o, t);
	return check_target_alive(o, t, err);
}

void close_target(struct target *t)
{
	ctu_closep(&t->pidfd);
	ctu_closep(&t->procfd);
	t->pidfd = t->procfd = -1;
}

int report_pid(struct opts *o, pid_t pid, ctu_err_t *err)
{
	json_t *info;
	char *text;
	int errnum = ENOMEM;

	if (o->info_fd < 0)
		return 0;
	info = json_pack("{s:i}", "pid", (json_int_t)pid);
	text = info ? json_dumps(info, 0) : NULL;
	json_decref(info);
	if (text)
		errnum = dprintf(o->info_fd, "%s\n", text) < 0 ? errno : 0;
	free(text);
	if (errnum)
		ctu_err_make(err, errnum, "cannot write to --info-fd %d", o->info_fd);
	close(o->info_fd);
	o->info_fd = -1;
	return errnum ? ctu_err_code(*err) : 0;
}

int release_child(struct opts *o, struct ctu_child *child, ctu_err_t *err)
{
	int status;

	if (report_pid(o, child->pid, err) < 0) {
		/* whoever reads --info-fd would not know of it: it must not run on */
		if (child->pidfd < 0 || ctu_pidfd_send_signal(child->pidfd, SIGKILL) < 0)
			kill(child->pid, SIGKILL);
		ctu_wait_child(child, &status);
		return ctu_err_code(*err);
	}
	if (o->detach)
		exit(CTU_EXIT_OK); /* the child goes to our reaper, as runc's exec does */
	return 0;
}

static int flags_from_target(const struct opts *o)
{
	int flags = 0;

	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted && !o->ns[i].file)
			flags |= ctu_ns_types[i].clone_flag;
	return flags;
}

/* Entering the namespace @type (NULL: all of the target's at once) failed with @errnum. */
static int entering_failed(const struct opts *o, const struct ctu_ns_type *type, int errnum,
			   ctu_err_t *err)
{
	if (errnum == ESRCH)
		return target_exited(o, err);
	if (!type)
		ctu_err_make(err, errnum, "cannot enter the namespaces of process %d", (int)o->target);
	else if (o->ns[type - ctu_ns_types].file)
		ctu_err_make(err, errnum, "cannot enter the %s namespace %s", type->name,
			     o->ns[type - ctu_ns_types].file);
	else
		ctu_err_make(err, errnum, "cannot enter the %s namespace of process %d", type->name,
			     (int)o->target);
	if (errnum == EPERM)
		ctu_err_hint(err, "needs CAP_SYS_ADMIN over it: root, or its user namespace with -U");
	return ctu_err_code(*err);
}

/* The fallback: every namespace file opened before any is entered. */
static int open_ns_files(struct opts *o, const struct target *t, ctu_err_t *err)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		struct ns_request *r = &o->ns[i];
		const struct ctu_ns_type *type = &ctu_ns_types[i];
		char path[64];

		if (!r->wanted)
			continue;
		if (r->file) {
			r->fd = ctu_ns_open_spec(r->file, type, err);
			if (r->fd < 0)
				return r->fd;
			continue;
		}
		snprintf(path, sizeof(path), "ns/%s", type->name);
		r->fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			return entering_failed(o, type, errno == ENOENT ? ESRCH : errno, err);
	}
	return check_target_alive(o, t, err);
}

/*
 * util-linux's two passes: first everything but the user namespace with
 * EPERM ignored (root entering a deprivileged container must enter the
 * others before giving up its privileges), then the user namespace, then
 * what failed, with errors fatal (a user entering their own namespace gets
 * the rights to the others only once inside it).
 */
static int enter_ns_files(struct opts *o, ctu_err_t *err)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < CTU_NS_COUNT; i++) {
			struct ns_request *r = &o->ns[i];
			const struct ctu_ns_type *type = &ctu_ns_types[i];
			bool is_user = type->clone_flag == CLONE_NEWUSER;

			if (r->fd < 0 || (pass == 0 && is_user))
				continue;
			if (setns(r->fd, type->clone_flag) == 0) {
				close(r->fd);
				r->fd = -1;
			} else if (pass == 1 || errno != EPERM) {
				return entering_failed(o, type, errno, err);
			}
		}
	}
	return 0;
}

static bool pidfd_setns_disabled(void)
{
	const char *e = getenv("CTU_NSENTER_NO_PIDFD");

	return e && *e && strcmp(e, "0") != 0;
}

int enter_namespaces(struct opts *o, const struct target *t, ctu_err_t *err)
{
	int flags = flags_from_target(o);
	bool files = false;

	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		files |= o->ns[i].wanted && o->ns[i].file;
	/* one atomic call: all of the target's namespaces or none (Linux 5.8) */
	if (!files && flags && t->pidfd >= 0 && !pidfd_setns_disabled()) {
		if (setns(t->pidfd, flags) == 0) {
			ctu_debug("entered namespaces 0x%x through the pidfd", flags);
			return 0;
		}
		if (errno != EINVAL)
			return entering_failed(o, NULL, errno, err);
		ctu_debug("setns(pidfd) not supported: falling back");
	}
	if (open_ns_files(o, t, err) < 0)
		return ctu_err_code(*err);
	return enter_ns_files(o, err);
}
