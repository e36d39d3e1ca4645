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
	char seccomp[PATH_MAX], seccomp_flags[64];
	int dirfd; /* ROOT/ID, locked */
	struct ct_chain chain;
	struct ct_fds fds;
	int console; /* connected --console-socket */
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
#endif
