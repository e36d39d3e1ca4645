// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - the two processes.  The "inside" process is in the new namespaces
 * and becomes the program.  The "outside" process stays in the caller's
 * namespaces and does what can only be done from there: write the user
 * namespace's id maps and bind-mount namespaces that should persist.  With
 * --fork the parent is outside and the child, created by clone3 in the new
 * namespaces, is inside.  Without --fork we are inside ourselves and a
 * short-lived helper is outside.  Either way one function,
 * setup_from_outside(), writes the maps, so they are written in one place,
 * in the one order the kernel accepts.
 *
 * What the outside makes (bound namespace files, the pid file) goes into one
 * undo log, rolled back when a later step fails, inside or outside.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctu.h"
#include "proc.h"
#include "pty.h"
#include "unshare-lite.h"

/* Pipes between the inside and the outside process. */
struct sync {
	int ready[2]; /* inside -> outside: the namespaces exist */
	int go[2];    /* outside -> inside: maps written, carry on (EOF: give up) */
};

/* The helper of run_without_fork(), and its pipes. */
struct helper {
	pid_t pid;
	int ready[2];  /* us -> helper: the namespaces exist */
	int result[2]; /* helper -> us: 0 when the maps and binds are done */
	int failed[2]; /* us -> helper: we failed before the exec (arm_failure_report) */
};

/*
 * The end of a failed start: rolls back @undo and reports *@err; with no
 * error set, another process (the inside, the helper) already said why.
 */
static noreturn void rollback_and_die(struct ctu_undo *undo, ctu_err_t *err)
{
	ctu_undo_rollback(undo);
	if (*err)
		ctu_err_exit(err);
	exit(CTU_EXIT_TOOL);
}

static int make_pipe(int fds[2], int flags, ctu_err_t *err)
{
	if (pipe2(fds, O_CLOEXEC | flags) < 0)
		return ctu_err_errno(err, "cannot create a pipe");
	return 0;
}

/* Everything done from the caller's namespaces for the inside process @pid. */
static int setup_from_outside(pid_t pid, const struct opts *o, const struct map_plan *p,
			      struct ctu_undo *undo, ctu_err_t *err)
{
	if ((o->ns_flags & CLONE_NEWUSER) && write_user_maps(pid, p, err) < 0)
		return ctu_err_code(*err);
	return persist_namespaces(pid, o, undo, err);
}

static int write_pidfile(const char *path, pid_t pid, struct ctu_undo *undo, ctu_err_t *err)
{
	int e = ctu_pidfile_write(path, pid);

	if (e < 0)
		return ctu_err_make(err, -e, "cannot write pid file %s", path);
	return ctu_undo_file(undo, AT_FDCWD, path, 0, err);
}

static bool wants_persist(const struct opts *o)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->persist[i])
			return true;
	return false;
}

/*
 * A pid file counts: once we are inside, a failure before the exec (a
 * --sysctl the kernel refuses) must remove it, and only the helper, in the
 * caller's root and working directory, still names it right.
 */
static bool has_outside_work(const struct opts *o, const struct map_plan *p)
{
	return p->uid.n || p->gid.n || p->setgroups >= 0 || wants_persist(o) || o->pidfile;
}

/*
 * The helper's worker, outside: waits for our namespaces, sets them up,
 * says how that went, then stays until we exec or fail, to undo what it
 * made (and our pid file, which we cannot remove once inside) if we fail.
 */
static noreturn void helper_work_or_die(struct helper *h, pid_t inside, const struct opts *o,
					const struct map_plan *p)
{
	struct ctu_undo undo = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	char c;

	close(h->ready[1]);
	close(h->result[0]);
	close(h->failed[1]);
	if (read(h->ready[0], &c, 1) != 1)
		_exit(CTU_EXIT_TOOL);
	c = (o->pidfile && ctu_undo_file(&undo, AT_FDCWD, o->pidfile, 0, &err) < 0) ||
	    setup_from_outside(inside, o, p, &undo, &err) < 0;
	if (c) {
		ctu_undo_rollback(&undo);
		ctu_err_print(&err);
	}
	if (write(h->result[1], &c, 1) != 1 || c)
		_exit(CTU_EXIT_TOOL);
	if (inside_said_failed(h->failed[0]))
		ctu_undo_rollback(&undo);
	ctu_undo_forget(&undo);
	_exit(0);
}

/* Forks the helper, before unshare(), while we are still outside. */
static int start_helper(struct helper *h, pid_t inside, const struct opts *o,
			const struct map_plan *p, ctu_err_t *err)
{
	int status;

	if (make_pipe(h->ready, 0, err) < 0 || make_pipe(h->result, 0, err) < 0 ||
	    make_pipe(h->failed, 0, err) < 0)
		return ctu_err_code(*err);
	h->pid = fork();
	if (h->pid < 0)
		return ctu_err_errno(err, "cannot fork");
	if (h->pid == 0) {
		/*
		 * A grandchild does the work and stays until we exec or fail:
		 * the program we become never finds it among its children.
		 */
		pid_t worker = fork();

		if (worker != 0)
			_exit(worker < 0 ? CTU_EXIT_TOOL : 0);
		helper_work_or_die(h, inside, o, p);
	}
	close(h->ready[0]);
	close(h->result[1]);
	close(h->failed[0]);
	if (waitpid(h->pid, &status, 0) != h->pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ctu_err_make(err, 0, "cannot start the helper outside the namespaces");
	return 0;
}

/* Tells the helper our namespaces exist: false when its setup failed (it said why). */
static bool helper_did_setup(struct helper *h)
{
	char c = 0;

	if (write(h->ready[1], &c, 1) != 1 || read(h->result[0], &c, 1) != 1 || c)
		return false;
	close(h->ready[1]);
	/* the helper holds the write end of result until it has undone: EOF then */
	arm_failure_report(h->failed[1], h->result[0]);
	return true;
}

/*
 * Without --fork we go inside ourselves and exec the program; a helper
 * child, forked before unshare(), stays outside to write the maps and bind
 * the namespaces, and tells us how that went.
 */
noreturn void run_without_fork(const struct opts *o, const struct map_plan *p)
{
	struct ctu_undo undo = CTU_UNDO_INIT;
	struct helper h = { .pid = -1 };
	ctu_err_t err = NULL;
	pid_t self = getpid();
	/*
	 * The pid file says our namespaces exist: whoever reads it may join
	 * them at once (`vethctl connect $(cat FILE)`), so it is written after
	 * unshare().  In a new user namespace our ids may no longer reach the
	 * file's directory, and it is written before, as the helper is not
	 * always there to do it.
	 */
	bool pidfile_first = o->pidfile && (o->ns_flags & CLONE_NEWUSER);

	if (pidfile_first && write_pidfile(o->pidfile, self, &undo, &err) < 0)
		rollback_and_die(&undo, &err);
	if (has_outside_work(o, p) && start_helper(&h, self, o, p, &err) < 0)
		rollback_and_die(&undo, &err);
	if (unshare(o->ns_flags) < 0) {
		creating_namespaces_failed(errno, o->ns_flags, &err);
		rollback_and_die(&undo, &err);
	}
	if (setup_time_namespace(o, &err) < 0 || (h.pid > 0 && !helper_did_setup(&h)))
		rollback_and_die(&undo, &err);
	if (o->pidfile && !pidfile_first && write_pidfile(o->pidfile, self, &undo, &err) < 0)
		rollback_and_die(&undo, &err);
	/* from here on the helper undoes, if anything does */
	ctu_undo_forget(&undo);
	if (o->info_fd >= 0)
		write_info(o->info_fd, self);
	run_inside(o, -1, NULL, &err);
	ctu_err_exit(&err);
}

/* Inside: tell the outside we exist, wait for its go (EOF: it gave up). */
static void inside_handshake_or_die(struct sync *s)
{
	char c = 0;

	close(s->ready[0]);
	close(s->go[1]);
	if (write(s->ready[1], &c, 1) != 1)
		_exit(CTU_EXIT_TOOL);
	close(s->ready[1]);
	if (read(s->go[0], &c, 1) != 1)
		_exit(CTU_EXIT_TOOL); /* the outside said why */
	close(s->go[0]);
}

/* Outside: wait until the inside exists; false if it died first. */
static bool outside_wait_ready(struct sync *s)
{
	char c;

	close(s->ready[1]);
	close(s->go[0]);
	return read(s->ready[0], &c, 1) == 1;
}

static void outside_go(struct sync *s)
{
	char c = 1;

	if (write(s->go[1], &c, 1) != 1)
		ctu_warn(errno, "cannot release the child");
	close(s->go[1]);
	close(s->ready[0]);
}

/* The pipe over which --init passes the program's wait status out. */
static void read_init_status(int fd, int *status)
{
	int st;

	if (fd >= 0 && read(fd, &st, sizeof(st)) == (ssize_t)sizeof(st))
		*status = st;
}

/* A pidfd polls readable once its process has exited. */
static bool has_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

/* --kill-child: the classic race is a parent that died before prctl. */
static void set_parent_death_signal_or_die(int sig, int parent_pidfd)
{
	ctu_err_t err = NULL;

	if (prctl(PR_SET_PDEATHSIG, sig) < 0) {
		ctu_err_errno(&err, "cannot set the parent-death signal");
		ctu_err_exit(&err);
	}
	if (has_exited(parent_pidfd))
		_exit(CTU_EXIT_TOOL);
	close(parent_pidfd);
}

/* The time namespace, which the clone child unshares itself (see timens.c). */
static int unshare_time(const struct opts *o, ctu_err_t *err)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return creating_namespaces_failed(errno, CLONE_NEWTIME, err);
	return setup_time_namespace(o, err);
}

/*
 * The wait for the child: with --pty, relaying its terminal (or, before a
 * claim, its pipes) meanwhile.  Returns 0 or -errno; with --pty, errors of
 * the relay are in *@err.
 */
static int wait_child(const struct opts *o, struct ctu_pty *pty, struct ctu_child *child,
		      int *status, ctu_err_t *err)
{
	if (o->pty)
		return ctu_pty_relay(pty, child, status, err);
	return ctu_wait_child(child, status);
}

/* The clone child of run_with_fork(): inside, from its birth to the exec. */
static noreturn void inside_child_or_die(const struct opts *o, struct sync *s,
					 const struct ctu_child *child, int parent_pidfd,
					 const int init_status[2], const int failed[2],
					 struct ctu_pty *pty)
{
	ctu_err_t err = NULL;
	int e;

	/* first of all: a new session, away from the caller's terminal */
	if (o->pty && (e = ctu_pty_child(pty)) < 0) {
		ctu_err_make(&err, -e, "--pty: cannot set up the child");
		ctu_err_exit(&err);
	}
	if (o->kill_child_signal)
		set_parent_death_signal_or_die(o->kill_child_signal, parent_pidfd);
	if ((o->ns_flags & CLONE_NEWTIME) && unshare_time(o, &err) < 0)
		ctu_err_exit(&err);
	if (o->info_fd >= 0)
		close(o->info_fd);
	inside_handshake_or_die(s);
	if (init_status[0] >= 0)
		close(init_status[0]);
	close(failed[0]);
	/* detached, no one reads it: the reaper learns from our exit code */
	if (!o->detach)
		arm_failure_report(failed[1], -1);
	run_inside(o, init_status[1], &child->saved_mask, &err);
	ctu_err_exit(&err);
}

/* The pipes and fds run_with_fork() needs before the clone. */
static int prepare_fork(const struct opts *o, struct sync *s, int init_status[2], int failed[2],
			int *parent_pidfd, ctu_err_t *err)
{
	if (make_pipe(s->ready, 0, err) < 0 || make_pipe(s->go, 0, err) < 0 ||
	    make_pipe(failed, O_NONBLOCK, err) < 0 ||
	    (o->init && !o->detach && make_pipe(init_status, 0, err) < 0))
		return ctu_err_code(*err);
	if (o->kill_child_signal) {
		*parent_pidfd = ctu_pidfd_open(getpid(), 0);
		if (*parent_pidfd < 0)
			return ctu_err_errno(err,
					     "--kill-child: cannot open a pidfd for ourselves");
	}
	return 0;
}

/*
 * --detach: the child is set up and released; we leave, so that it becomes
 * the child of our reaper (a subreaper such as a container engine's shim,
 * or PID 1), with no waiting process in between.  The pid file and the
 * bound namespaces stay: they are the reaper's now.
 */
static noreturn void detach_from_child(struct ctu_undo *undo)
{
	ctu_undo_forget(undo);
	exit(CTU_EXIT_OK);
}

/*
 * With --fork we stay outside; the child, cloned straight into the new
 * namespaces (but time, which it unshares itself so that the offsets can be
 * set before anyone enters), is inside.  We wait for it, forwarding
 * signals, and end the way it ended.
 */
noreturn void run_with_fork(const struct opts *o, const struct map_plan *p)
{
	struct ctu_child child = { 0 };
	struct ctu_undo undo = CTU_UNDO_INIT;
	struct ctu_pty pty = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	ctu_err_t err = NULL;
	struct sync s;
	int init_status[2] = { -1, -1 }, failed[2] = { -1, -1 };
	int parent_pidfd = -1, status = 0, e;

	if (prepare_fork(o, &s, init_status, failed, &parent_pidfd, &err) < 0 ||
	    (o->pty && ctu_pty_prepare(&pty, &err) < 0))
		ctu_err_exit(&err);
	/* a signal we pass on before the init waits must wait for it, not vanish */
	child.keep_blocked = o->init;
	e = ctu_fork_child(&child, (unsigned long)(o->ns_flags & ~CLONE_NEWTIME));
	if (e < 0) {
		creating_namespaces_failed(-e, o->ns_flags, &err);
		ctu_err_exit(&err);
	}
	if (e == 0)
		inside_child_or_die(o, &s, &child, parent_pidfd, init_status, failed, &pty);
	if (parent_pidfd >= 0)
		close(parent_pidfd);
	if (init_status[1] >= 0)
		close(init_status[1]);
	close(failed[1]);
	if (!outside_wait_ready(&s)) {
		/* the child failed before the handshake and said why */
		wait_child(o, &pty, &child, &status, &err);
		ctu_exit_like(status);
	}
	if (setup_from_outside(child.pid, o, p, &undo, &err) < 0 ||
	    (o->pidfile && write_pidfile(o->pidfile, child.pid, &undo, &err) < 0)) {
		ctu_undo_rollback(&undo);
		close(s.go[1]); /* the child gives up */
		{
			ctu_err_t werr = NULL;

			wait_child(o, &pty, &child, &status, &werr);
			ctu_err_free(&werr);
		}
		ctu_err_exit(&err);
	}
	if (o->info_fd >= 0)
		write_info(o->info_fd, child.pid);
	/* ours are copies: the caller sees --sync-fd's EOF and --block-fd's close by the child */
	ctu_procopt_close_consumed(&o->proc);
	outside_go(&s);
	if (o->detach)
		detach_from_child(&undo);
	/* one waiting parent per container: keep only what waiting touches */
	ctu_release_startup_pages();
	e = wait_child(o, &pty, &child, &status, &err);
	if (e < 0) {
		if (!err)
			ctu_err_make(&err, -e, "cannot wait for the child %d", (int)child.pid);
		rollback_and_die(&undo, &err);
	}
	read_init_status(init_status[0], &status);
	/* the inside failed before its program ran: nothing of it stays */
	if (inside_said_failed(failed[0]))
		ctu_undo_rollback(&undo);
	/* the pid file goes with the child; the bound namespaces stay: they are for later */
	ctu_undo_forget(&undo);
	if (o->pidfile)
		unlink(o->pidfile);
	ctu_exit_like(status);
}
