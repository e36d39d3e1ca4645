// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * start.c - `ctrun start`: the barrier released.  The created init waits
 * on exec.fifo (its --block-fd, opened O_RDWR); one byte written makes it
 * go on, and its exec closes the fifo, which our write end sees as POLLERR
 * (no reader left): the program runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctu.h"
#include "json.h"
#include "proc.h"
#include "ctrun.h"

static const struct option start_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static noreturn void start_usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ctrun start <id>\n"
	      "\nLet a created container's program run.\n" CTU_USAGE_OPTIONS
	      " -h, --help                display this help\n" CTU_USAGE_MAN_TAIL("ctrun(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

char *ct_state_for_hooks(const struct ct_state *st, enum ct_status s)
{
	_cleanup_json_ json_t *o = ct_state_oci(st, s);

	return o ? json_dumps(o, JSON_COMPACT) : NULL;
}

static int run_hooks(struct ct_global *g, const struct ct_state *st, const char *kind,
		     enum ct_status s, pid_t enter, ctu_err_t *err)
{
	json_t *hooks = json_object_get(st->doc, "hooks");
	char *state;
	int r;

	if (json_array_size(json_object_get(hooks, kind)) == 0)
		return 0;
	state = ct_state_for_hooks(st, s);
	if (!state)
		return ctu_err_make(err, ENOMEM, "%s hooks", kind);
	r = ct_hooks_run(g, hooks, kind, state, st->bundle, enter, enter > 0, err);
	free(state);
	return r;
}

/* The byte that releases the init; then until its exec (POLLERR) or its death. */
static int release(struct ct_global *g, const struct ct_state *st, int dirfd, int pidfd,
		   ctu_err_t *err)
{
	int fifo = openat(dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	struct pollfd p[2] = { { .fd = fifo, .events = 0 }, { .fd = pidfd, .events = POLLIN } };

	(void)g;
	if (fifo < 0) {
		if (errno == ENXIO)
			return ctu_err_make(err, 0, "container %s: its process is gone", st->id);
		return ctu_err_errno(err, "container %s: exec.fifo", st->id);
	}
	if (write(fifo, "0", 1) != 1) {
		close(fifo);
		return ctu_err_errno(err, "container %s: exec.fifo", st->id);
	}
	unlinkat(dirfd, "exec.fifo", 0);
	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			break;
	close(fifo);
	if (!(p[0].revents & (POLLERR | POLLHUP)) && (p[1].revents & POLLIN))
		return ctu_err_make(
		    err, 0, "container %s: its process exited before its program ran", st->id);
	return 0;
}

int ct_start_locked(struct ct_global *g, const char *id, int dirfd, ctu_err_t *err)
{
	struct ct_state st = { 0 };
	enum ct_status s;
	int pidfd = -1, r = -1;

	if (ct_state_read(g, id, &st, err) < 0)
		return -1;
	s = ct_status_of(g, &st, &pidfd);
	if (s != CT_CREATED) {
		ctu_err_make(err, 0, "container %s is not created: %s", id, ct_status_name(s));
		goto out;
	}
	if (run_hooks(g, &st, "startContainer", CT_CREATED, st.pid, err) < 0) {
		ctu_pidfd_send_signal(pidfd, SIGKILL);
		goto out;
	}
	if (release(g, &st, dirfd, pidfd, err) < 0)
		goto out;
	r = 0;
	if (run_hooks(g, &st, "poststart", CT_RUNNING, 0, err) < 0) {
		ct_report(g, err); /* runtime.md: a poststart failure only warns */
		ctu_err_free(err);
	}
out:
	if (pidfd >= 0)
		close(pidfd);
	ct_state_free(&st);
	return r;
}

int ct_cmd_start(struct ct_global *g, int argc, char **argv)
{
	ctu_err_t err = NULL;
	int c, dirfd, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", start_longopts, NULL)) != -1) {
		if (c == 'h')
			start_usage();
		ctu_try_help_exit();
	}
	if (optind != argc - 1)
		ctu_usage_exit(optind >= argc ? "no container ID given" : "too many arguments");
	if (ct_id_check(argv[optind], &err) < 0)
		ctu_err_exit(&err);
	dirfd = ct_state_lock(g, argv[optind], &err);
	if (dirfd < 0)
		return ct_report(g, &err);
	r = ct_start_locked(g, argv[optind], dirfd, &err);
	close(dirfd);
	if (r == 0)
		ct_phase(g, "started");
	return r < 0 ? ct_report(g, &err) : 0;
}
