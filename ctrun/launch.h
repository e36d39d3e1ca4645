/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * launch.h - what create, run and exec share: one container being set up,
 * from the checked config to the "ready" of its last tool.
 *
 *	create.c   the options of create and run, the state directory, run
 *	launch.c   the child's fds, the fork of the chain, the sync protocol,
 *	           the rollback
 */
#ifndef CTRUN_LAUNCH_H
#define CTRUN_LAUNCH_H
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ctrun.h"
#include "undo.h"

struct ct_launch {
	struct ct_global *g;
	const char *id;
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	const char *pid_file;
	const char *console_socket;
	bool no_pivot, no_new_keyring;
	bool barrier;		   /* exec.fifo: create, or run with startContainer hooks */
	unsigned int preserve_fds; /* with LISTEN_FDS added */
	json_t *cfg;
	char cgroup[PATH_MAX];
	bool has_cgroup, cgroup_made;
	struct ct_in_place in_place; /* no mount namespace: what the root was on */
	char seccomp[PATH_MAX], seccomp_flags[64];
	int dirfd; /* ROOT/ID, locked */
	struct ct_chain chain;
	struct ct_fds fds;
	bool terminal; /* process.terminal */
	int console;   /* the console's socket, for the last tool: --console-socket's, or ... */
	int relay;     /* ... a pair's, whose other end is this: the foreground terminal */
	pid_t init;
	unsigned long long init_start;
	int init_pidfd;
	struct ctu_undo undo; /* everything made, newest first */
};

/* create.c: state.json from @l (status derived later: creating until the creator exits). */
int ct_launch_write_state(struct ct_launch *l, ctu_err_t *err);

/* launch.c */
/*
 * Forks the chain of @l and follows it to "ready": hooks at "mounted", the
 * init's PID from --info-fd, the tools' messages relayed.  0, or a negative
 * number with *@err set (the caller rolls back @l->undo).
 */
int ct_launch_chain(struct ct_launch *l, ctu_err_t *err);
/*
 * run and exec without -d: the init (or exec's process), reparented to us
 * as a subreaper, waited for with the signals we get passed on.
 */
int ct_launch_wait(struct ct_launch *l, int *status, ctu_err_t *err);
/* SIGKILL to the init through its pidfd, then waits until it is gone. */
void ct_launch_kill_init(struct ct_launch *l);

/* console.c */
/*
 * process.terminal (@l->terminal) without --console-socket only in the
 * foreground, and no socket without it; a relayed terminal gets our size
 * as @process's consoleSize when it has none.
 */
int ct_console_prepare(struct ct_launch *l, json_t *process, bool foreground, ctu_err_t *err);
/* With a terminal: --console-socket connected, else the foreground's socket pair. */
int ct_console_open(struct ct_launch *l, ctu_err_t *err);
/* The foreground terminal relayed to our stdio until the init exits; its wait status. */
int ct_console_relay(struct ct_launch *l, int *status, ctu_err_t *err);
#endif
