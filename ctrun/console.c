// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * console.c - process.terminal: the socket the chain's last tool sends the
 * pty master over (--console-fd, runc's protocol: SCM_RIGHTS, the slave's
 * name as data), for create, run and exec alike.
 *
 * With --console-socket the master goes to whoever listens there (conmon,
 * containerd's shim, a recvtty).  A foreground run or exec without one keeps
 * the master itself: a socket pair instead, and lib/pty's relay between our
 * stdio and the terminal (raw when ours is a terminal, its size following
 * our window on SIGWINCH) until the process exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctrun.h"
#include "ctu.h"
#include "launch.h"
#include "pty.h"

/* The size of our terminal (the first of stdin, stdout, stderr that is one): false if none. */
static bool our_size(struct winsize *ws)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd) && ioctl(fd, TIOCGWINSZ, ws) == 0 && ws->ws_row && ws->ws_col)
			return true;
	return false;
}

int ct_console_prepare(struct ct_launch *l, json_t *process, bool foreground, ctu_err_t *err)
{
	struct winsize ws;

	if (l->terminal && !l->console_socket && !foreground)
		return ctu_err_make(err, 0,
				    "process.terminal is true: --console-socket is required");
	if (!l->terminal && l->console_socket)
		return ctu_err_make(err, 0, "--console-socket given but process.terminal is false");
	/*
	 * Ours relayed: the program starts with our size (the tool sets it
	 * before the exec; the relay only follows resizes), unless the config
	 * names one.
	 */
	if (l->terminal && !l->console_socket && !json_object_get(process, "consoleSize") &&
	    our_size(&ws) &&
	    json_object_set_new(process, "consoleSize",
				json_pack("{s:i, s:i}", "height", (int)ws.ws_row, "width",
					  (int)ws.ws_col)) < 0)
		return ctu_err_make(err, ENOMEM, "process.consoleSize");
	return 0;
}

static int connect_socket(struct ct_launch *l, ctu_err_t *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(l->console_socket) >= sizeof(addr.sun_path))
		return ctu_err_make(err, ENAMETOOLONG, "--console-socket %s", l->console_socket);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", l->console_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return ctu_err_make(err, e, "--console-socket %s", l->console_socket);
	}
	l->console = fd;
	return 0;
}

int ct_console_open(struct ct_launch *l, ctu_err_t *err)
{
	int sv[2];

	if (!l->terminal)
		return 0;
	if (l->console_socket)
		return connect_socket(l, err);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ctu_err_errno(err, "cannot make the terminal's socket");
	l->relay = sv[0];
	l->console = sv[1];
	return 0;
}

int ct_console_relay(struct ct_launch *l, int *status, ctu_err_t *err)
{
	/* no pipes of pre-claim messages here: the tools' stderr is ours already */
	struct ctu_pty p = { .sock = { l->relay, -1 }, .out = { -1, -1 }, .err = { -1, -1 } };
	struct ctu_child child = { .pid = l->init, .pidfd = -1, .sigfd = -1 };
	sigset_t none;
	int r;

	l->relay = -1; /* the relay's now: closed by it */
	if (l->console >= 0) {
		/* ours went to the tool: a chain that ends without a claim reads as EOF */
		close(l->console);
		l->console = -1;
	}
	if (pipe2(p.out, O_CLOEXEC) < 0 || pipe2(p.err, O_CLOEXEC) < 0) {
		r = ctu_err_errno(err, "cannot relay the terminal");
		goto fail;
	}
	/* the relay sets the signalfd's mask; the init is our child, reparented (subreaper) */
	sigemptyset(&none);
	child.sigfd = signalfd(-1, &none, SFD_CLOEXEC);
	child.pidfd = fcntl(l->init_pidfd, F_DUPFD_CLOEXEC, 3);
	if (child.sigfd < 0 || child.pidfd < 0 ||
	    sigprocmask(SIG_BLOCK, NULL, &child.saved_mask) < 0) {
		r = ctu_err_errno(err, "cannot relay the terminal");
		goto fail;
	}
	return ctu_pty_relay(&p, &child, status, err);
fail:
	if (child.pidfd >= 0)
		close(child.pidfd);
	if (child.sigfd >= 0)
		close(child.sigfd);
	for (int i = 0; i < 2; i++) {
		if (p.out[i] >= 0)
			close(p.out[i]);
		if (p.err[i] >= 0)
			close(p.err[i]);
	}
	close(p.sock[0]);
	return r;
}
