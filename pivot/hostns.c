// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostns.c - pivoting in the host's mount namespace would change the root
 * of every process in it: refuse unless --force, when anyone but our own
 * ancestors shares our mount namespace.  PID 1 sharing it says "the host's"
 * at a glance, unless PID 1 is us or one of our ancestors: the init of a new
 * pid namespace (unshare-lite -m -p -f --mount-proc -- pivot ...), where the
 * others are looked for one by one.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "ctu.h"
#include "parse.h"
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
	char path[64];
	_cleanup_fclose_ FILE *f = NULL;
	char line[256];
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	return (pid_t)ppid;
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
	/* /proc/1 unreadable, or PID 1 is of our own chain: ask every process */
	if (err_init == EACCES || err_init == EPERM || (shared && is_our_ancestor(1)))
		shared = others_share_our_mount_ns();
	if (!shared)
		return 0;
	ctu_err_make(err, 0, "refusing to run in the mount namespace of other processes: it would "
			     "change their root too");
	return ctu_err_hint(err, "run it under 'unshare-lite -m', or use --force");
}
