// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inside.c - the inside process, in the new namespaces, from the outside's
 * "go" to the exec of the program: propagation, names, root and working
 * directory, /proc, --block-fd, --init, credentials.
 */
#include <poll.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ctu.h"
#include "proc.h"
#include "unshare-lite.h"

static int inside_failed_fd = -1, outside_done_fd = -1;

static void report_inside_failure(void)
{
	char c = 1;

	if (inside_failed_fd < 0)
		return;
	if (write(inside_failed_fd, &c, 1) != 1)
		_exit(CTU_EXIT_TOOL);
	if (outside_done_fd >= 0)
		while (read(outside_done_fd, &c, 1) < 0 && errno == EINTR)
			;
}

void arm_failure_report(int fd, int done_fd)
{
	inside_failed_fd = fd;
	outside_done_fd = done_fd;
	atexit(report_inside_failure);
}

bool inside_said_failed(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

static int set_propagation(unsigned long propagation, ctu_err_t *err)
{
	if (mount("none", "/", NULL, MS_REC | propagation, NULL) < 0)
		return ctu_err_errno(err, "cannot change the propagation of / (use --propagation "
					  "unchanged where / is not a mount point)");
	return 0;
}

static int set_names(const struct opts *o, ctu_err_t *err)
{
	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0)
		return ctu_err_errno(err, "cannot set hostname '%s'", o->hostname);
	if (o->domainname && setdomainname(o->domainname, strlen(o->domainname)) < 0)
		return ctu_err_errno(err, "cannot set domain name '%s'", o->domainname);
	return 0;
}

/* --root, --wd: with a new root the working directory is / unless told. */
static int set_root_and_wd(const struct opts *o, ctu_err_t *err)
{
	const char *wd = o->wd ? o->wd : "/";

	if (o->root && chroot(o->root) < 0)
		return ctu_err_errno(err, "cannot change root directory to '%s'", o->root);
	if ((o->root || o->wd) && chdir(wd) < 0)
		return ctu_err_errno(err, "cannot change directory to '%s'", wd);
	return 0;
}

static int mount_proc(const struct opts *o, ctu_err_t *err)
{
	/* with shared propagation the proc mount would leak out: not here */
	if (o->propagation != MS_PRIVATE && o->propagation != MS_SLAVE &&
	    mount("none", o->mount_proc, NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno != EINVAL)
		return ctu_err_errno(err, "cannot make %s private", o->mount_proc);
	if (mount("proc", o->mount_proc, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
		return ctu_err_errno(err, "cannot mount proc on %s", o->mount_proc);
	return 0;
}

static int setup_mounts_and_names(const struct opts *o, ctu_err_t *err)
{
	if ((o->ns_flags & CLONE_NEWNS) && o->propagation &&
	    set_propagation(o->propagation, err) < 0)
		return ctu_err_code(*err);
	if (set_names(o, err) < 0 || set_root_and_wd(o, err) < 0)
		return ctu_err_code(*err);
	if (o->mount_proc && mount_proc(o, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

/* --block-fd: until @fd is readable or closed, then it is closed. */
static int wait_readable(int fd, const char *what, ctu_err_t *err)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "cannot wait on %s", what);
	close(fd);
	return 0;
}

/* The init process: waits for the program, reaping orphans, and ends as it ended. */
static noreturn void init_wait_or_die(struct ctu_child *prog, int status_fd)
{
	ctu_err_t err = NULL;
	int status = 0, e;

	/* the program is started: whatever happens to us now, the start did not fail */
	inside_failed_fd = -1;
	prctl(PR_SET_NAME, "unshare-init");
	e = ctu_wait_child(prog, &status);
	if (e < 0) {
		ctu_err_make(&err, -e, "--init: cannot wait for the program");
		ctu_err_exit(&err);
	}
	/* detached (no one to tell, status_fd -1): the reaper gets our exit code */
	if (status_fd >= 0 && write(status_fd, &status, sizeof(status)) != sizeof(status))
		_exit(CTU_EXIT_TOOL);
	_exit(ctu_status_to_exit_code(status));
}

/*
 * --init: we are PID 1.  Fork the program, then reap everything and pass
 * signals on until the program ends.  PID 1 cannot die of a re-raised
 * signal, so the program's raw wait status goes to the outside parent
 * over @status_fd and it dies of the signal instead.  Returns in the
 * program's process only.
 */
static int run_as_init(const struct ctu_procopt *proc, int status_fd, const sigset_t *program_mask,
		       ctu_err_t *err)
{
	struct ctu_child prog = { .reap_orphans = true };
	int e = ctu_fork_child(&prog, 0);

	if (e < 0)
		return ctu_err_make(err, -e, "--init: cannot fork the program");
	if (e > 0) {
		/* the program's fds (--sync-fd ...): its EOF must not wait for us */
		ctu_procopt_close_consumed(proc);
		init_wait_or_die(&prog, status_fd);
	}
	/* we were born with the forwarded signals blocked (see run_with_fork) */
	sigprocmask(SIG_SETMASK, program_mask, NULL);
	if (status_fd >= 0)
		close(status_fd);
	return 0;
}

int run_inside(const struct opts *o, int status_fd, const sigset_t *program_mask, ctu_err_t *err)
{
	static struct ctu_procopt proc; /* ours to change: the fds used up on the way */

	/* before --root: /proc/sys is the one we came with, resolving by our namespaces */
	if (write_sysctls(o, err) < 0 || join_new_keyring(o, err) < 0)
		return ctu_err_code(*err);
	if (setup_mounts_and_names(o, err) < 0)
		return ctu_err_code(*err);
	/*
	 * With --init, --block-fd holds the init-to-be before it forks (a
	 * signal sent meanwhile stays pending, see run_with_fork); otherwise
	 * the program's process waits, last, in ctu_procopt_exec.
	 */
	proc = o->proc;
	if (o->init && proc.block_fd >= 0) {
		if (wait_readable(proc.block_fd, "--block-fd", err) < 0)
			return ctu_err_code(*err);
		proc.block_fd = -1;
	}
	if (o->init && run_as_init(&proc, status_fd, program_mask, err) < 0)
		return ctu_err_code(*err);
	ctu_procopt_exec(&proc, o->argv, NULL);
}
