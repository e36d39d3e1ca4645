// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostns.c - pivoting in the host's mount namespace would change the root
 * of every process in it: refuse unless --force, when anyone but our own
 * ancestors shares our mount namespace.  PID 1 sharing it says "the host's"
 * at a glance, unless PID 1 is us or one of our ancestors: the init of a new
 * pid namespace (unshare-lite -m -p -f --mount-proc -- pivot ...), where the
 * others are looked for one by one.  Where PID 1's namespace cannot be read
 * (a supervisor that is not dumpable, say), PID 2 stands in for it when it is
 * kthreadd: kernel threads live in the initial mount namespace.  Looking at
 * every process instead costs a stat per process, 25 us each: 50 ms with 2000
 * processes, on every container start.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

/* include/linux/sched.h: the flag of field 9 of /proc/PID/stat */
#ifndef PF_KTHREAD
#define PF_KTHREAD 0x00200000
#endif

#include "ctu.h"
#include "parse.h"
#include "pidref.h"
#include "pivot.h"

static bool same_file(const char *a, const char *b, int *err_b)
{
	struct stat sa, sb;

	*err_b = 0;
	if (stat(a, &sa) < 0)
		return false;
	if (stat(b, &sb) < 0) {
		*err_b = errno;
		return false;
	}
	return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static pid_t parent_of(pid_t pid)
{
	pid_t ppid = 0;
	char state;

	return ctu_proc_state(pid, &state, &ppid) == 0 ? ppid : 0;
}

/* Whether PID 2 is a kernel thread, as in the initial pid namespace's /proc. */
static bool pid2_is_kernel_thread(void)
{
	_cleanup_free_ char *line = NULL;
	uint64_t flags;

	return ctu_read_file(AT_FDCWD, "/proc/2/stat", &line, NULL) == 0 &&
	       ctu_stat_field(line, 9, &flags) == 0 && (flags & PF_KTHREAD);
}

/* Our pid as /proc numbers it: it may be another pid namespace's proc. */
static pid_t proc_self_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	int pid = 0;

	if (n > 0) {
		buf[n] = '\0';
		ctu_parse_int(buf, &pid);
	}
	return (pid_t)pid;
}

/* Whether @pid is us or one of our ancestors (up to the first not in our /proc). */
static bool is_our_ancestor(pid_t pid)
{
	for (pid_t p = proc_self_pid(); p > 0; p = parent_of(p))
		if (p == pid)
			return true;
	return false;
}

/* Does anyone but us and our ancestors share our mount namespace? */
static bool others_share_our_mount_ns(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct stat ours, theirs;
	struct dirent *e;

	if (stat("/proc/self/ns/mnt", &ours) < 0)
		return false;
	while (d && (e = readdir(d))) {
		int pid;
		char path[300];

		if (ctu_parse_int(e->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
		if (stat(path, &theirs) == 0 && theirs.st_ino == ours.st_ino &&
		    theirs.st_dev == ours.st_dev && !is_our_ancestor(pid))
			return true;
	}
	return false;
}

int refuse_host_namespace(const struct opts *o, ctu_err_t *err)
{
	int err_init = 0;
	bool shared;

	if (o->force)
		return 0;
	shared = same_file("/proc/self/ns/mnt", "/proc/1/ns/mnt", &err_init);
	if ((err_init == EACCES || err_init == EPERM) && pid2_is_kernel_thread())
		shared = same_file("/proc/self/ns/mnt", "/proc/2/ns/mnt", &err_init);
	/* no one to stand for the host, or PID 1 is of our own chain: ask every process */
	if (err_init == EACCES || err_init == EPERM || (shared && is_our_ancestor(1)))
		shared = others_share_our_mount_ns();
	if (!shared)
		return 0;
	ctu_err_make(err, 0, "refusing to run in the mount namespace of other processes: it would "
			     "change their root too");
	return ctu_err_hint(err, "run it under 'unshare-lite -m', or use --force");
}
