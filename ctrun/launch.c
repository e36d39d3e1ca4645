// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * launch.c - the chain forked and followed to "ready".
 *
 * The child keeps fds 0 and 1; fd 2 becomes a pipe to us (the tools' setup
 * messages and --debug lines); the caller's fds 3..3+N-1 stay; then the info
 * pipe, the sync socket, exec.fifo (O_RDWR), the real stderr and the console
 * socket, at the numbers ct_fds_layout gave and the chain's words name.
 *
 * The protocol: unshare-lite writes {"pid": N} on the info fd and exits (its
 * child, the init, is reparented to the caller's subreaper); pivot says
 * "mounted" once the new root is set up and waits for a byte (we run the
 * prestart, createRuntime and createContainer hooks meanwhile), then
 * "ready" once only the barrier and the exec are left.  Anything else - EOF,
 * a tool's failure, a signal - is a failure, rolled back by the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctu.h"
#include "json.h"
#include "launch.h"
#include "pidref.h"
#include "proc.h"

#define TAIL_MAX 8192
#define INFO_MAX 4096

/* What we read from the chain while it sets up. */
struct follow {
	struct ct_launch *l;
	struct ctu_child child; /* the chain's first tool */
	int info, sync, errpipe;
	char info_buf[INFO_MAX];
	size_t info_len;
	char tail[TAIL_MAX + 1]; /* the tools' stderr, last bytes */
	size_t tail_len;
	char line[64]; /* the sync socket's current line */
	size_t line_len;
	bool ready, chain_done;
	int chain_status;
};

/* The sources of the child's fds, in target order, and where each goes. */
struct placement {
	int src[8], dst[8];
	size_t n;
};

static void place(struct placement *p, int src, int dst)
{
	if (src >= 0 && dst >= 0) {
		p->src[p->n] = src;
		p->dst[p->n] = dst;
		p->n++;
	}
}

/* In the child: every source first moved above every target, then dup2'd onto it. */
static int place_fds(struct placement *p)
{
	int high = 3;

	for (size_t i = 0; i < p->n; i++)
		high = p->dst[i] >= high ? p->dst[i] + 1 : high;
	for (size_t i = 0; i < p->n; i++) {
		p->src[i] = fcntl(p->src[i], F_DUPFD_CLOEXEC, high);
		if (p->src[i] < 0)
			return -errno;
	}
	for (size_t i = 0; i < p->n; i++)
		if (dup2(p->src[i], p->dst[i]) < 0)
			return -errno;
	return 0;
}

static noreturn void exec_chain(struct ct_launch *l, struct placement *p)
{
	char *const *argv = l->chain.argv.v;

	if (place_fds(p) < 0) {
		dprintf(2, "ctrun: cannot set up the chain's fds: %s\n", strerror(errno));
		_exit(CTU_EXIT_TOOL);
	}
	execve(argv[0], argv, ct_tool_env(l->g));
	dprintf(2, "ctrun: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The pipes and sockets of the protocol, the fifo and the real stderr: both ends. */
struct ends {
	int info[2], sync[2], errpipe[2], fifo, real_stderr, seccomp;
};

static int open_ends(struct ct_launch *l, struct ends *e, ctu_err_t *err)
{
	*e = (struct ends){ { -1, -1 }, { -1, -1 }, { -1, -1 }, -1, -1, -1 };
	if (pipe2(e->info, O_CLOEXEC) < 0 || pipe2(e->errpipe, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, e->sync) < 0)
		return ctu_err_errno(err, "cannot set up the chain");
	if (l->fds.real_stderr >= 0 && (e->real_stderr = fcntl(2, F_DUPFD_CLOEXEC, 3)) < 0)
		return ctu_err_errno(err, "cannot set up the chain");
	if (l->barrier) {
		e->fifo = openat(l->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (e->fifo < 0)
			return ctu_err_errno(err, "cannot open exec.fifo");
	}
	if (l->fds.seccomp >= 0) {
		e->seccomp = open(l->seccomp, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (e->seccomp < 0)
			return ctu_err_errno(err, "cannot open %s", l->seccomp);
	}
	return 0;
}

static void close_ends(struct ends *e)
{
	for (int i = 0; i < 2; i++) {
		close_fd(&e->info[i]);
		close_fd(&e->sync[i]);
		close_fd(&e->errpipe[i]);
	}
	close_fd(&e->fifo);
	close_fd(&e->real_stderr);
	close_fd(&e->seccomp);
}

static void placement_of(const struct ct_launch *l, const struct ends *e, struct placement *p)
{
	p->n = 0;
	place(p, e->errpipe[1], 2);
	place(p, e->info[1], l->fds.info);
	place(p, e->sync[1], l->fds.sync);
	place(p, e->fifo, l->fds.fifo);
	place(p, e->real_stderr, l->fds.real_stderr);
	place(p, l->console, l->fds.console);
	place(p, e->seccomp, l->fds.seccomp);
}

static void keep_tail(struct follow *f, const char *buf, size_t n)
{
	if (n > TAIL_MAX) {
		buf += n - TAIL_MAX;
		n = TAIL_MAX;
	}
	if (f->tail_len + n > TAIL_MAX) {
		size_t drop = f->tail_len + n - TAIL_MAX;

		memmove(f->tail, f->tail + drop, f->tail_len - drop);
		f->tail_len -= drop;
	}
	memcpy(f->tail + f->tail_len, buf, n);
	f->tail_len += n;
}

static void read_errpipe(struct follow *f)
{
	char buf[2048];
	ssize_t n = read(f->errpipe, buf, sizeof(buf));

	if (n <= 0) {
		if (n == 0 || errno != EINTR)
			close_fd(&f->errpipe);
		return;
	}
	keep_tail(f, buf, (size_t)n);
}

/* {"pid": N} from --info-fd, at its EOF: the init, pinned by a pidfd. */
static int read_info(struct follow *f, ctu_err_t *err)
{
	struct ct_launch *l = f->l;
	ssize_t n = read(f->info, f->info_buf + f->info_len, INFO_MAX - f->info_len);
	_cleanup_json_ json_t *info = NULL;
	uint64_t start = 0;

	if (n < 0)
		return errno == EINTR ? 0 : ctu_err_errno(err, "the chain's --info-fd");
	f->info_len += (size_t)n;
	if (n > 0 && f->info_len < INFO_MAX)
		return 0;
	close_fd(&f->info);
	info = json_loadb(f->info_buf, f->info_len, 0, NULL);
	if (!info || json_integer_value(json_object_get(info, "pid")) <= 0)
		return 0; /* no init: the tool's own error follows */
	l->init = (pid_t)json_integer_value(json_object_get(info, "pid"));
	l->init_pidfd = ctu_pidfd_open(l->init, 0);
	if (l->init_pidfd < 0 || ctu_proc_start_time(l->init, &start) < 0)
		return ctu_err_make(err, ESRCH, "%s (%d) is gone",
				    l->g->cmd && strcmp(l->g->cmd, "exec") == 0 ? "the process"
										: "the container's init",
				    (int)l->init);
	l->init_start = start;
	return 0;
}

/* The state hooks get on stdin (runtime.md): status creating, the init's pid. */
static char *hook_state(const struct ct_launch *l, const char *status)
{
	_cleanup_json_ json_t *st =
	    json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", "1.1.0", "id", l->id, "status",
		      status, "pid", (json_int_t)l->init, "bundle", l->bundle);
	json_t *ann = json_object_get(l->cfg, "annotations");

	if (!st)
		return NULL;
	if (json_object_size(ann) > 0)
		json_object_set(st, "annotations", ann);
	return json_dumps(st, JSON_COMPACT);
}

/* At "mounted": prestart and createRuntime here, createContainer in the container. */
static int run_create_hooks(struct ct_launch *l, ctu_err_t *err)
{
	json_t *hooks = json_object_get(l->cfg, "hooks");
	char *state;
	int r = 0;

	if (!hooks)
		return 0;
	state = hook_state(l, "creating");
	if (!state)
		return ctu_err_make(err, ENOMEM, "hooks");
	if (ct_hooks_run(l->g, hooks, "prestart", state, l->bundle, 0, false, err) < 0 ||
	    ct_hooks_run(l->g, hooks, "createRuntime", state, l->bundle, 0, false, err) < 0 ||
	    ct_hooks_run(l->g, hooks, "createContainer", state, l->bundle, l->init, false, err) < 0)
		r = -1;
	free(state);
	return r;
}

static int on_sync_line(struct follow *f, const char *line, ctu_err_t *err)
{
	struct ct_launch *l = f->l;

	if (strcmp(line, "mounted") == 0) {
		while (f->info >= 0)
			if (read_info(f, err) < 0)
				return -1;
		if (l->init <= 0)
			return ctu_err_make(err, EPROTO, "the chain gave no init PID");
		if (run_create_hooks(l, err) < 0)
			return -1;
		if (write(f->sync, "1", 1) != 1)
			return ctu_err_errno(err, "the chain's sync socket");
		return 0;
	}
	if (strcmp(line, "ready") == 0) {
		f->ready = true;
		return 0;
	}
	return ctu_err_make(err, EPROTO, "the chain said '%s'", line);
}

static int read_sync(struct follow *f, ctu_err_t *err)
{
	char c;
	ssize_t n = read(f->sync, &c, 1);

	if (n < 0)
		return errno == EINTR ? 0 : ctu_err_errno(err, "the chain's sync socket");
	if (n == 0) {
		close_fd(&f->sync);
		return 0;
	}
	if (c != '\n') {
		if (f->line_len + 1 >= sizeof(f->line))
			return ctu_err_make(err, EPROTO, "the chain's sync socket: line too long");
		f->line[f->line_len++] = c;
		return 0;
	}
	f->line[f->line_len] = '\0';
	f->line_len = 0;
	return on_sync_line(f, f->line, err);
}

static int reap_chain(struct follow *f, ctu_err_t *err)
{
	if (waitpid(f->child.pid, &f->chain_status, 0) < 0)
		return errno == EINTR ? 0 : ctu_err_errno(err, "cannot wait for the chain");
	f->chain_done = true;
	close_fd(&f->child.pidfd);
	return 0;
}

static int on_signal(struct follow *f, ctu_err_t *err)
{
	struct signalfd_siginfo si;

	if (read(f->child.sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	if (si.ssi_signo == SIGWINCH || si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2 ||
	    si.ssi_signo == SIGCHLD)
		return 0;
	return ctu_err_make(err, EINTR, "interrupted by %s", sigabbrev_np((int)si.ssi_signo));
}

/* One round of poll over everything the chain may say. */
static int follow_once(struct follow *f, ctu_err_t *err)
{
	struct pollfd p[5] = {
		{ .fd = f->sync, .events = POLLIN },
		{ .fd = f->errpipe, .events = POLLIN },
		{ .fd = f->info, .events = POLLIN },
		{ .fd = f->child.pidfd, .events = POLLIN },
		{ .fd = f->child.sigfd, .events = POLLIN },
	};

	if (poll(p, 5, -1) < 0)
		return errno == EINTR ? 0 : ctu_err_errno(err, "poll");
	if (p[1].revents)
		read_errpipe(f);
	if (p[2].revents && read_info(f, err) < 0)
		return -1;
	if (p[4].revents && on_signal(f, err) < 0)
		return -1;
	if (p[0].revents && read_sync(f, err) < 0)
		return -1;
	if (p[3].revents && reap_chain(f, err) < 0)
		return -1;
	return 0;
}

/* The last line the tools wrote: their error, relayed as ours. */
static const char *tail_last_line(struct follow *f)
{
	char *nl;

	f->tail[f->tail_len] = '\0';
	while (f->tail_len > 0 && f->tail[f->tail_len - 1] == '\n')
		f->tail[--f->tail_len] = '\0';
	nl = strrchr(f->tail, '\n');
	/* a usage error's "Try 'TOOL --help'" line says less than the one before it */
	if (nl && strncmp(nl + 1, "Try '", 5) == 0) {
		*nl = '\0';
		f->tail_len = (size_t)(nl - f->tail);
		nl = strrchr(f->tail, '\n');
	}
	return nl ? nl + 1 : f->tail;
}

/* The tools' lines but the last go to stderr as they were (debug lines, warnings). */
static void flush_tail(struct follow *f, bool keep_last)
{
	const char *last = keep_last ? tail_last_line(f) : f->tail + f->tail_len;

	if (last > f->tail && fwrite(f->tail, 1, (size_t)(last - f->tail), stderr) == 0)
		errno = 0;
	if (last > f->tail && last[-1] != '\n')
		fputc('\n', stderr);
}

static int chain_failed(struct follow *f, ctu_err_t *err)
{
	while (f->errpipe >= 0 && f->chain_done)
		read_errpipe(f);
	flush_tail(f, true);
	if (f->tail_len > 0)
		return ctu_err_make(err, 0, "%s", tail_last_line(f));
	if (f->chain_done)
		return ctu_err_make(err, 0, "the chain failed (exit status %d)",
				    ctu_status_to_exit_code(f->chain_status));
	return ctu_err_make(err, EPROTO, "the chain stopped before it was ready");
}

/* Until "ready" and the first tool's exit (it detaches), or a failure. */
static int follow_chain(struct follow *f, ctu_err_t *err)
{
	while (!(f->ready && f->chain_done)) {
		if (follow_once(f, err) < 0)
			return -1;
		if (f->chain_done && (!WIFEXITED(f->chain_status) || WEXITSTATUS(f->chain_status)))
			return chain_failed(f, err);
		if (f->sync < 0 && !f->ready)
			return chain_failed(f, err);
	}
	/*
	 * The info line is read whole at its EOF, which may come after "ready"
	 * and the chain's exit (exec has no "mounted" that waits for it).
	 */
	while (f->info >= 0)
		if (read_info(f, err) < 0)
			return -1;
	if (f->l->init <= 0)
		return ctu_err_make(err, EPROTO, "the chain gave no PID");
	while (f->errpipe >= 0 &&
	       poll(&(struct pollfd){ .fd = f->errpipe, .events = POLLIN }, 1, 0) > 0)
		read_errpipe(f);
	flush_tail(f, false);
	return 0;
}

int ct_launch_chain(struct ct_launch *l, ctu_err_t *err)
{
	struct follow f = { .l = l, .info = -1, .sync = -1, .errpipe = -1 };
	struct placement p;
	struct ends e;
	int r;

	if (open_ends(l, &e, err) < 0) {
		close_ends(&e);
		return -1;
	}
	placement_of(l, &e, &p);
	r = ctu_fork_child(&f.child, 0);
	if (r == 0)
		exec_chain(l, &p);
	f.info = e.info[0], f.sync = e.sync[0], f.errpipe = e.errpipe[0];
	e.info[0] = e.sync[0] = e.errpipe[0] = -1;
	close_ends(&e);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot fork the chain");
	r = follow_chain(&f, err);
	if (!f.chain_done && f.child.pidfd >= 0) {
		ctu_pidfd_send_signal(f.child.pidfd, SIGKILL);
		waitpid(f.child.pid, NULL, 0);
	}
	close_fd(&f.info);
	close_fd(&f.sync);
	close_fd(&f.errpipe);
	close_fd(&f.child.pidfd);
	close_fd(&f.child.sigfd);
	sigprocmask(SIG_SETMASK, &f.child.saved_mask, NULL);
	return r;
}

void ct_launch_kill_init(struct ct_launch *l)
{
	struct pollfd p = { .fd = l->init_pidfd, .events = POLLIN };

	if (l->init_pidfd < 0)
		return;
	ctu_pidfd_send_signal(l->init_pidfd, SIGKILL);
	/* not our child (a subreaper's): its exit shows on the pidfd */
	while (poll(&p, 1, 10000) < 0 && errno == EINTR)
		;
	waitpid(l->init, NULL, WNOHANG);
	close_fd(&l->init_pidfd);
}

/*
 * run: the init is reparented to us (a subreaper) so that we can wait for
 * it, passing on the signals we get meanwhile.
 */
int ct_launch_wait(struct ct_launch *l, int *status, ctu_err_t *err)
{
	sigset_t set, old;
	int sigfd;

	if (l->relay >= 0)
		return ct_console_relay(l, status, err);
	sigemptyset(&set);
	for (size_t i = 0; i < ctu_n_forwarded_signals; i++)
		sigaddset(&set, ctu_forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[2] = { { .fd = l->init_pidfd, .events = POLLIN },
				       { .fd = sigfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents && read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			ctu_pidfd_send_signal(l->init_pidfd, (int)si.ssi_signo);
		if (p[0].revents)
			break;
	}
	if (sigfd >= 0)
		close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(l->init, status, 0) < 0) {
		if (errno != EINTR)
			return ctu_err_errno(err, "cannot wait for the container's init");
	}
	return 0;
}
