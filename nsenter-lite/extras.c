// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extras.c - what nsenter-lite takes from the target besides namespaces:
 * its root and working directory (-r, -w), environment (-e) and cgroups
 * (-c), all read before entering; then the fork a pid namespace needs.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "ctu.h"
#include "mnttab.h"
#include "nsenter-lite.h"
#include "proc.h"
#include "pty.h"

static int open_dir(int dirfd, const char *path, const char *what, int *fd, ctu_err_t *err)
{
	*fd = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? ctu_err_errno(err, "cannot open %s %s", what, path) : 0;
}

int open_target_extras(const struct opts *o, struct target *t, ctu_err_t *err)
{
	int r = 0;

	if (o->root)
		r = open_dir(AT_FDCWD, o->root, "root directory", &t->rootfd, err);
	else if (o->root_from_target)
		r = open_dir(t->procfd, "root", "the target's root", &t->rootfd, err);
	if (r < 0)
		return r;
	if (o->wd)
		r = open_dir(AT_FDCWD, o->wd, "working directory", &t->wdfd, err);
	else if (o->wd_from_target)
		r = open_dir(t->procfd, "cwd", "the target's working directory", &t->wdfd, err);
	if (r < 0)
		return r;
	if (o->env) {
		r = ctu_read_file(t->procfd, "environ", &t->environ, &t->environ_len);
		if (r < 0)
			return ctu_err_make(err, -r, "cannot read the environment of process %d",
					    (int)o->target);
	}
	return 0;
}

/*
 * -c: write ourselves into the target's cgroup in every hierarchy.  Each
 * cgroup.procs is opened, written and closed at once: a file opened by
 * root and kept across exec would let the program move host processes
 * (util-linux CVE-2026-78408).
 */
int join_cgroups(const struct opts *o, const struct target *t, ctu_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int e = ctu_read_file(t->procfd, "cgroup", &text, NULL);

	if (e < 0)
		return ctu_err_make(err, -e, "cannot read the cgroups of process %d", (int)o->target);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *path;
		_cleanup_free_ char *mnt = NULL, *procs = NULL;

		if (!ctrl || !(path = strchr(++ctrl, ':')))
			continue;
		*path++ = '\0';
		mnt = ctu_mnt_cgroup_mount(ctrl);
		if (!mnt)
			continue; /* a hierarchy not mounted here cannot be joined */
		if (asprintf(&procs, "%s%s/cgroup.procs", mnt, path) < 0)
			return ctu_err_make(err, ENOMEM, "cannot join cgroup %s%s", mnt, path);
		e = ctu_write_file(AT_FDCWD, procs, "0");
		if (e < 0)
			return ctu_err_make(err, -e, "cannot join cgroup %s", procs);
	}
	return 0;
}

int set_root_and_wd(const struct opts *o, struct target *t, ctu_err_t *err)
{
	if (t->rootfd >= 0) {
		if (fchdir(t->rootfd) < 0 || chroot(".") < 0)
			return ctu_err_errno(err, "cannot change the root directory");
		close(t->rootfd);
		if (t->wdfd < 0 && !o->wdns && chdir("/") < 0)
			return ctu_err_errno(err, "cannot change directory to /");
	}
	if (t->wdfd >= 0) {
		if (fchdir(t->wdfd) < 0)
			return ctu_err_errno(err, "cannot change the working directory");
		close(t->wdfd);
	}
	if (o->wdns && chdir(o->wdns) < 0)
		return ctu_err_errno(err, "cannot change directory to %s", o->wdns);
	return 0;
}

/* The target's environment replaces ours: NUL-separated NAME=VALUE strings. */
int take_environment(struct target *t, ctu_err_t *err)
{
	if (clearenv() != 0)
		return ctu_err_make(err, 0, "cannot clear the environment");
	for (size_t off = 0; off < t->environ_len;) {
		char *entry = t->environ + off;

		off += strlen(entry) + 1;
		if (strchr(entry, '=') && putenv(entry) != 0)
			return ctu_err_make(err, 0, "cannot set the environment");
	}
	/* t->environ now backs environ: never freed */
	return 0;
}

int fork_if_needed(struct opts *o, int *status, ctu_err_t *err)
{
	struct ctu_child child = { 0 };
	int e;

	if (!wants(o, CLONE_NEWPID) || o->no_fork)
		return report_pid(o, getpid(), err);
	e = ctu_fork_child(&child, 0);
	if (e < 0)
		return ctu_err_make(err, -e, "cannot fork");
	if (e == 0) {
		if (o->info_fd >= 0)
			close(o->info_fd); /* the parent reports */
		o->info_fd = -1;
		return 0;
	}
	/* ours are copies: the caller sees --sync-fd's EOF and --block-fd's close by the child */
	ctu_procopt_close_consumed(&o->proc);
	if (release_child(o, &child, err) < 0)
		return ctu_err_code(*err);
	e = ctu_wait_child(&child, status);
	if (e < 0)
		return ctu_err_make(err, -e, "cannot wait for the child %d", (int)child.pid);
	return 1;
}

int fork_relay(struct target *t, int *status, ctu_err_t *err)
{
	struct ctu_pty pty;
	struct ctu_child child = { 0 };
	int e;

	if (ctu_pty_prepare(&pty, err) < 0)
		return ctu_err_code(*err);
	e = ctu_fork_child(&child, 0);
	if (e < 0)
		return ctu_err_make(err, -e, "cannot fork");
	if (e == 0) {
		e = ctu_pty_child(&pty);
		return e < 0 ? ctu_err_make(err, -e, "--pty: cannot set up the child") : 0;
	}
	/* the relay holds nothing of the target */
	close_target(t);
	ctu_closep(&t->rootfd);
	ctu_closep(&t->wdfd);
	t->rootfd = t->wdfd = -1;
	if (ctu_pty_relay(&pty, &child, status, err) < 0)
		return ctu_err_code(*err);
	return 1;
}
