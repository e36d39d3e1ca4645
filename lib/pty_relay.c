// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pty_relay.c - the relay of --pty: one process, one thread, one epoll set
 * over our stdin and stdout, the pty master, the child's two pre-claim
 * pipes, its pidfd and a signalfd.
 *
 * Inherited fds keep their flags: O_NONBLOCK on an open file description
 * we share with the caller's shell would leak into it.  So our stdout is
 * written only once epoll says it takes data, PIPE_BUF at a time when it is
 * a pipe or socket (what POLLOUT promises), or by splice(SPLICE_F_NONBLOCK),
 * which makes the one call non-blocking and nothing else.  The outer
 * terminal is raw only while we relay, and put back on every way out.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#include "ctu.h"
#include "parse.h"
#include "pty.h"

#define BUF_SIZE ((size_t)64 * 1024)

/* The outer terminal's saved state, for every way out (atexit, crash handler). */
static struct termios saved_tio;
static volatile sig_atomic_t raw_fd = -1;

static void restore_outer(void)
{
	if (raw_fd >= 0) {
		tcsetattr(raw_fd, TCSADRAIN, &saved_tio);
		raw_fd = -1;
	}
}

/* A crash of the relay: the terminal back, then the same death. */
static void crash_handler(int sig)
{
	if (raw_fd >= 0)
		tcsetattr(raw_fd, TCSADRAIN, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void arm_restore(void)
{
	static bool armed;
	struct sigaction sa = { .sa_handler = crash_handler, .sa_flags = SA_RESETHAND };
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };

	if (armed)
		return;
	armed = true;
	atexit(restore_outer);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(crashes); i++)
		sigaction(crashes[i], &sa, NULL);
}

/* Raw mode on stdin, only when it is a terminal whose foreground is our group. */
static void go_raw(void)
{
	struct termios raw;

	if (raw_fd >= 0 || !isatty(0) || tcgetpgrp(0) != getpgrp() || tcgetattr(0, &saved_tio) < 0)
		return;
	raw = saved_tio;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	/* TCSANOW: TCSAFLUSH would drop what was typed ahead */
	if (tcsetattr(0, TCSANOW, &raw) == 0)
		raw_fd = 0;
}

/*
 * A relay started in the background (`unshare-lite --pty sh &`) stops as a
 * reader of the terminal would, before it takes the terminal raw; `fg`
 * resumes it (SIGCONT).  tcgetpgrp() fails on a terminal that is not our
 * controlling one: that is no job control of ours.  A stop signal to an
 * orphaned process group is discarded by the kernel.
 */
static void stop_if_background(void)
{
	pid_t fg;

	if (!isatty(0))
		return;
	fg = tcgetpgrp(0);
	if (fg > 0 && fg != getpgrp())
		raise(SIGTTIN);
}

int ctu_pty_veof_count(bool canonical, bool any_written, char last_byte)
{
	if (!canonical)
		return 0;
	/* VEOF ends a partial line; a second one is then read as EOF */
	return any_written && last_byte != '\n' ? 2 : 1;
}

static bool size_value(const char *s, unsigned short *v)
{
	uint64_t n;

	if (!s || ctu_parse_u64_range(s, 1, 65535, &n) < 0)
		return false;
	*v = (unsigned short)n;
	return true;
}

void ctu_pty_default_size(const char *lines, const char *columns, unsigned short *rows,
			  unsigned short *cols)
{
	unsigned short r, c;

	if (size_value(lines, &r) && size_value(columns, &c)) {
		*rows = r;
		*cols = c;
		return;
	}
	*rows = 24;
	*cols = 80;
}

/* The first of stdin, stdout, stderr that is a terminal, or -1. */
static int outer_tty(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return fd;
	return -1;
}

/* The outer size onto the master (the kernel signals the inner foreground job). */
static void copy_size(int master)
{
	struct winsize ws = { 0 };
	int tty = outer_tty();

	if (tty < 0 || ioctl(tty, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		ctu_pty_default_size(getenv("LINES"), getenv("COLUMNS"), &ws.ws_row, &ws.ws_col);
	ioctl(master, TIOCSWINSZ, &ws);
}

/* The outer termios (erase char, iutf8 ...) onto the inner one, or its defaults. */
static void copy_termios(int master)
{
	struct termios t;
	int tty = outer_tty();

	if (tty >= 0 && tcgetattr(tty, &t) == 0)
		tcsetattr(master, TCSANOW, &t);
}

/* One direction: @from into a buffer, the buffer into @to. */
struct stream {
	int from, to;
	char *buf;
	size_t len, off;
	bool eof;      /* @from gave EOF, EIO or went away */
	bool to_pipe;  /* @to is a pipe or socket: PIPE_BUF per POLLOUT */
	bool splicing; /* @to is a pipe and splice has not said EINVAL */
};

enum { W_IN, W_OUT, W_ERR, W_MASTER, W_POUT, W_PERR, W_SOCK, W_PID, W_SIG, W_COUNT };

struct relay {
	int ep;
	int fds[W_COUNT];
	uint32_t cur[W_COUNT];	/* events registered */
	bool pollable[W_COUNT]; /* epoll takes it (not a regular file, /dev/null) */
	struct stream in, out, pout, perr;
	bool out_dead, err_dead; /* our stdout or stderr went away: discard */
	bool in_done;		 /* stdin ended or hung up */
	bool in_is_tty;
	int veof_left; /* VEOF bytes still to write, -1 not decided */
	char last_in;
	bool any_in;
	bool master_gone;
	bool exited;
	int status;
	struct ctu_child *child;
};

static bool is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Registers or updates @w for @events; a regular file is always ready. */
static void watch(struct relay *r, int w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)w };
	int fd = r->fds[w];

	if (fd < 0 || !r->pollable[w] || r->cur[w] == events)
		return;
	/* EPOLLHUP and EPOLLERR come even for no events: take it out instead */
	if (!events)
		epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL);
	else if (!r->cur[w] && epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EPERM)
		r->pollable[w] = false;
	else if (r->cur[w])
		epoll_ctl(r->ep, EPOLL_CTL_MOD, fd, &ev);
	r->cur[w] = r->pollable[w] ? events : 0;
}

static void forward(struct relay *r, int sig)
{
	if (ctu_pidfd_send_signal(r->child->pidfd, sig) < 0)
		kill(r->child->pid, sig);
}

/* Our stdin ended: a hung-up terminal is a SIGHUP inside; a pipe's end a VEOF. */
static void stdin_ended(struct relay *r, bool hangup)
{
	r->in_done = true;
	r->in.eof = true;
	if (hangup && r->in_is_tty)
		forward(r, SIGHUP);
}

/* Reads @s->from into the buffer's free room: 1 read, 0 nothing now, -1 ended. */
static int fill(struct stream *s)
{
	ssize_t n;

	if (s->off == s->len)
		s->off = s->len = 0;
	if (s->len == BUF_SIZE)
		return 0;
	n = read(s->from, s->buf + s->len, BUF_SIZE - s->len);
	if (n > 0) {
		s->len += (size_t)n;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1; /* EOF, or EIO: no slave fd left, a hung-up terminal */
}

/*
 * Writes what the buffer holds to @s->to; a pipe takes PIPE_BUF per
 * POLLOUT without blocking, anything else all of it.  @dead: the reader is
 * gone, the data is dropped.  Returns false once the writer went away.
 */
static bool drain(struct stream *s, bool *dead)
{
	size_t want = s->len - s->off;
	ssize_t n;

	if (!want)
		return true;
	if (*dead) {
		s->off = s->len = 0;
		return true;
	}
	if (s->to_pipe && want > PIPE_BUF)
		want = PIPE_BUF;
	n = write(s->to, s->buf + s->off, want);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n < 0) {
		/* EPIPE, EIO: keep reading, discard */
		ctu_debug("--pty: output to fd %d gone (%m): discarding", s->to);
		*dead = true;
		s->off = s->len = 0;
		return false;
	}
	s->off += (size_t)n;
	if (s->off == s->len)
		s->off = s->len = 0; /* all room free again */
	return true;
}

/* From a readable source straight into a pipe, when both allow it. */
static int try_splice(struct stream *s, bool dead)
{
	ssize_t n;

	if (!s->splicing || dead || s->len != s->off)
		return -1;
	n = splice(s->from, NULL, s->to, NULL, BUF_SIZE, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
	if (n > 0)
		return 1;
	/*
	 * 0 is EOF, or a full pipe (vfs_splice_read clamps to its room); EAGAIN
	 * either side: read into the buffer, which finds out which.
	 */
	if (n < 0 && errno == EINVAL)
		s->splicing = false;
	return -1;
}

/* Moves data from a readable @s; false when its source ended. */
static bool pump(struct stream *s, bool dead)
{
	if (try_splice(s, dead) == 1)
		return true;
	return fill(s) >= 0;
}

/* Blocking flush at the end: the inherited fd may still be O_NONBLOCK from elsewhere. */
static void flush_all(struct stream *s, bool *dead)
{
	while (s->len > s->off && !*dead) {
		size_t before = s->off;

		drain(s, dead);
		if (s->off == before && !*dead) {
			struct epoll_event ev;
			int ep = epoll_create1(EPOLL_CLOEXEC);

			ev.events = EPOLLOUT;
			if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, s->to, &ev) == 0)
				epoll_wait(ep, &ev, 1, 1000);
			if (ep >= 0)
				close(ep);
		}
	}
	s->off = s->len = 0;
}

/* Reads @s's source until EOF or EAGAIN, writing all of it. */
static void drain_source(struct stream *s, bool *dead)
{
	if (s->from < 0)
		return;
	flush_all(s, dead);
	while (fill(s) > 0)
		flush_all(s, dead);
}

/* The pipes' pre-claim messages, out before the terminal starts. */
static void drain_pipes(struct relay *r)
{
	drain_source(&r->pout, &r->out_dead);
	drain_source(&r->perr, &r->err_dead);
}

/* The claim: the master taken, pipes drained, sizes and termios given, then 'R'. */
static void take_claim(struct relay *r)
{
	int master = -1, k = ctu_console_receive(r->fds[W_SOCK], &master);

	if (k == -EBADMSG) {
		ctu_console_reply(r->fds[W_SOCK], false);
		return;
	}
	if (k <= 0) {
		/* the chain ended (or failed) without a claim */
		watch(r, W_SOCK, 0);
		ctu_closep(&r->fds[W_SOCK]);
		r->fds[W_SOCK] = -1;
		return;
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	drain_pipes(r);
	copy_termios(master);
	copy_size(master);
	stop_if_background();
	go_raw();
	r->fds[W_MASTER] = r->in.to = r->out.from = master;
	r->pollable[W_MASTER] = true;
	r->out.splicing = is_pipe(r->out.to) && !r->out_dead;
	ctu_console_reply(r->fds[W_SOCK], true);
	watch(r, W_SOCK, 0);
	ctu_closep(&r->fds[W_SOCK]);
	r->fds[W_SOCK] = -1;
}

/* Once stdin ended and all of it reached the master: VEOF, as script does. */
static void maybe_veof(struct relay *r)
{
	struct termios t;
	char veof;

	if (!r->in_done || r->in_is_tty || r->in.len != r->in.off || r->fds[W_MASTER] < 0)
		return;
	if (r->veof_left < 0) {
		bool canon = tcgetattr(r->fds[W_MASTER], &t) == 0 && (t.c_lflag & ICANON);

		r->veof_left = ctu_pty_veof_count(canon, r->any_in, r->last_in);
	}
	if (r->veof_left > 0 && tcgetattr(r->fds[W_MASTER], &t) == 0) {
		veof = (char)t.c_cc[VEOF];
		if (write(r->fds[W_MASTER], &veof, 1) == 1)
			r->veof_left--;
	}
}

static void on_signal(struct relay *r)
{
	struct signalfd_siginfo si;

	while (read(r->fds[W_SIG], &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD)
			continue;
		if (sig == SIGWINCH) {
			if (r->fds[W_MASTER] >= 0)
				copy_size(r->fds[W_MASTER]);
		} else if (sig == SIGTSTP) {
			/* kill -TSTP (^Z is a byte now): the terminal back, then stop */
			restore_outer();
			raise(SIGSTOP);
		} else if (sig == SIGCONT) {
			if (r->fds[W_MASTER] >= 0 && !r->in_done) {
				stop_if_background();
				go_raw();
			}
			if (r->fds[W_MASTER] >= 0)
				copy_size(r->fds[W_MASTER]);
		} else if (!r->exited) {
			forward(r, sig);
		}
	}
}

static void on_exit_of_child(struct relay *r)
{
	int st;
	pid_t w;

	do
		w = waitpid(r->child->pid, &st, WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w == r->child->pid) {
		r->exited = true;
		r->status = st;
	} else if (w < 0) {
		r->exited = true;
		r->status = W_EXITCODE(CTU_EXIT_TOOL, 0);
	}
}

/* What each fd is watched for, from the state of the buffers. */
static void update_watches(struct relay *r)
{
	bool master = r->fds[W_MASTER] >= 0 && !r->master_gone;
	uint32_t m = 0;

	watch(r, W_IN, master && !r->in_done && r->in.len < BUF_SIZE ? EPOLLIN : 0);
	if (master && r->out.len < BUF_SIZE)
		m |= EPOLLIN;
	if (master && (r->in.len > r->in.off || r->veof_left > 0))
		m |= EPOLLOUT;
	watch(r, W_MASTER, m);
	watch(r, W_OUT,
	      !r->out_dead && (r->out.len > r->out.off || r->pout.len > r->pout.off) ? EPOLLOUT
										     : 0);
	watch(r, W_ERR, !r->err_dead && r->perr.len > r->perr.off ? EPOLLOUT : 0);
	watch(r, W_POUT, !r->pout.eof && r->pout.len < BUF_SIZE ? EPOLLIN : 0);
	watch(r, W_PERR, !r->perr.eof && r->perr.len < BUF_SIZE ? EPOLLIN : 0);
	watch(r, W_SOCK, EPOLLIN);
}

/* Whether the registered (or always-ready) fd @w is ready for @ev this round. */
static bool ready(const struct relay *r, const uint32_t *got, int w, uint32_t ev)
{
	if (r->fds[w] < 0)
		return false;
	if (!r->pollable[w])
		return true;
	return (got[w] & (ev | EPOLLHUP | EPOLLERR)) && (r->cur[w] & ev);
}

static void on_stdin(struct relay *r)
{
	size_t before = r->in.len;
	int k = fill(&r->in);

	if (k < 0) {
		stdin_ended(r, r->in_is_tty);
		return;
	}
	if (r->in.len > before) {
		r->any_in = true;
		r->last_in = r->in.buf[r->in.len - 1];
	}
}

static void on_master(struct relay *r, const uint32_t *got)
{
	if (ready(r, got, W_MASTER, EPOLLOUT)) {
		if (r->in.len > r->in.off) {
			size_t want = r->in.len - r->in.off;
			ssize_t n = write(r->fds[W_MASTER], r->in.buf + r->in.off, want);

			if (n > 0)
				r->in.off += (size_t)n;
			if (r->in.off == r->in.len)
				r->in.off = r->in.len = 0;
		}
		maybe_veof(r);
	}
	if (ready(r, got, W_MASTER, EPOLLIN) && !pump(&r->out, r->out_dead)) {
		/* EIO: no slave fd is open; the end comes with the pidfd */
		ctu_debug("--pty: the terminal has no program left (%m)");
		r->master_gone = true;
	}
}

/* One round of the loop: wait, then move what can move. */
static int relay_round(struct relay *r, ctu_err_t *err)
{
	struct epoll_event evs[W_COUNT];
	uint32_t got[W_COUNT] = { 0 };
	bool always = false;
	int n;

	update_watches(r);
	for (int w = 0; w < W_COUNT; w++)
		always |=
		    r->fds[w] >= 0 && !r->pollable[w] && w != W_SIG && w != W_PID &&
		    ((w == W_IN && !r->in_done && r->fds[W_MASTER] >= 0 && r->in.len < BUF_SIZE) ||
		     (w == W_OUT && (r->out.len > r->out.off || r->pout.len > r->pout.off)) ||
		     (w == W_ERR && r->perr.len > r->perr.off));
	n = epoll_wait(r->ep, evs, W_COUNT, always ? 0 : -1);
	if (n < 0 && errno != EINTR)
		return ctu_err_errno(err, "--pty: epoll_wait");
	for (int i = 0; i < n; i++)
		got[evs[i].data.u32] = evs[i].events;
	if (got[W_SIG])
		on_signal(r);
	if (got[W_SOCK])
		take_claim(r);
	if (ready(r, got, W_IN, EPOLLIN) && !r->in_done && r->fds[W_MASTER] >= 0 &&
	    r->in.len < BUF_SIZE)
		on_stdin(r);
	if (r->fds[W_MASTER] >= 0 && !r->master_gone)
		on_master(r, got);
	maybe_veof(r);
	if (ready(r, got, W_POUT, EPOLLIN) && !pump(&r->pout, r->out_dead))
		r->pout.eof = true;
	if (ready(r, got, W_PERR, EPOLLIN) && !pump(&r->perr, r->err_dead))
		r->perr.eof = true;
	if (ready(r, got, W_OUT, EPOLLOUT) || r->out_dead) {
		drain(&r->pout, &r->out_dead);
		drain(&r->out, &r->out_dead);
	}
	if (ready(r, got, W_ERR, EPOLLOUT) || r->err_dead)
		drain(&r->perr, &r->err_dead);
	if (got[W_PID])
		on_exit_of_child(r);
	return 0;
}

/*
 * The end, once the child exited: the master read until EIO (no slave fd
 * left) or EAGAIN -- n_tty_read flushes the pending buffer work before it
 * says either, so all the program wrote comes out without a timer -- then
 * the pipes; then the master closed (jobs still on the slave get SIGHUP).
 */
static void finish(struct relay *r)
{
	if (r->fds[W_MASTER] >= 0) {
		r->out.splicing = false;
		drain_source(&r->out, &r->out_dead);
	}
	flush_all(&r->pout, &r->out_dead);
	flush_all(&r->perr, &r->err_dead);
	drain_pipes(r);
	ctu_closep(&r->fds[W_MASTER]);
	r->fds[W_MASTER] = -1;
	restore_outer();
}

static int init_relay(struct relay *r, struct ctu_pty *p, struct ctu_child *child, ctu_err_t *err)
{
	static char bufs[4][BUF_SIZE];
	sigset_t set;

	*r = (struct relay){ .veof_left = -1, .child = child };
	r->fds[W_IN] = 0, r->fds[W_OUT] = 1, r->fds[W_ERR] = 2, r->fds[W_MASTER] = -1;
	r->fds[W_POUT] = p->out[0], r->fds[W_PERR] = p->err[0], r->fds[W_SOCK] = p->sock[0];
	r->fds[W_PID] = child->pidfd, r->fds[W_SIG] = child->sigfd;
	for (int w = 0; w < W_COUNT; w++)
		r->pollable[w] = true;
	r->in = (struct stream){ .from = 0, .to = -1, .buf = bufs[0] };
	r->out = (struct stream){ .from = -1, .to = 1, .buf = bufs[1], .to_pipe = is_pipe(1) };
	r->pout =
	    (struct stream){ .from = p->out[0], .to = 1, .buf = bufs[2], .to_pipe = is_pipe(1) };
	r->perr =
	    (struct stream){ .from = p->err[0], .to = 2, .buf = bufs[3], .to_pipe = is_pipe(2) };
	r->pout.splicing = r->pout.to_pipe;
	r->perr.splicing = r->perr.to_pipe;
	r->in_is_tty = isatty(0);
	/* the pipes are ours: non-blocking reads */
	fcntl(p->out[0], F_SETFL, O_NONBLOCK);
	fcntl(p->err[0], F_SETFL, O_NONBLOCK);
	fcntl(p->sock[0], F_SETFL, O_NONBLOCK);
	/* SIGTSTP and SIGCONT too: the terminal back before we stop, raw again after */
	sigemptyset(&set);
	for (size_t i = 0; i < ctu_n_forwarded_signals; i++)
		sigaddset(&set, ctu_forwarded_signals[i]);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || signalfd(child->sigfd, &set, 0) < 0)
		return ctu_err_errno(err, "--pty: cannot watch signals");
	fcntl(child->sigfd, F_SETFL, O_NONBLOCK);
	/* stdout gone: we keep reading and discard */
	signal(SIGPIPE, SIG_IGN);
	arm_restore();
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->ep < 0)
		return ctu_err_errno(err, "--pty: epoll_create1");
	watch(r, W_PID, EPOLLIN);
	watch(r, W_SIG, EPOLLIN);
	return 0;
}

int ctu_pty_relay(struct ctu_pty *p, struct ctu_child *child, int *status, ctu_err_t *err)
{
	struct relay r;
	int e = 0;

	ctu_closep(&p->sock[1]);
	ctu_closep(&p->out[1]);
	ctu_closep(&p->err[1]);
	p->sock[1] = p->out[1] = p->err[1] = -1;
	if (init_relay(&r, p, child, err) < 0)
		e = ctu_err_code(*err);
	while (e == 0 && !r.exited)
		e = relay_round(&r, err);
	if (e < 0) {
		/* our own failure: the child must not outlive the relay unseen */
		forward(&r, SIGKILL);
		waitpid(child->pid, &r.status, 0);
	}
	finish(&r);
	*status = r.status;
	ctu_closep(&r.ep);
	ctu_closep(&r.fds[W_SOCK]);
	ctu_closep(&p->out[0]);
	ctu_closep(&p->err[0]);
	ctu_closep(&child->pidfd);
	ctu_closep(&child->sigfd);
	child->pidfd = child->sigfd = -1;
	p->sock[0] = p->out[0] = p->err[0] = -1;
	sigprocmask(SIG_SETMASK, &child->saved_mask, NULL);
	return e;
}
