/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsenter-lite.h - what nsenter-lite's files share:
 *
 *	nsenter-lite.c  usage, options, main
 *	enter.c         the target pinned by a pidfd, its namespaces entered
 *	extras.c        root, working directory, environment, cgroups, the fork
 *	debug.h         the debugger's entry: targets, --toolbox, --inspect
 */
#ifndef NSENTER_LITE_H
#define NSENTER_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "creds.h"
#include "procopt.h"
#include "debug.h"
#include "err.h"
#include "ns.h"
#include "pidref.h"
#include "proc.h"

/* Where a namespace comes from: nowhere, the target, or a file. */
struct ns_request {
	bool wanted;
	const char *file; /* NULL: the target's */
	int fd;		  /* opened namespace, or -1 */
};

struct opts {
	pid_t target;		/* ref.pid, once resolved */
	struct ctu_pidref ref;	/* the target, however it was named */
	const char *target_arg; /* -t's argument */
	const char *pidfile;
	const char *container;	   /* --container [SOURCE:]ID */
	struct container found;	   /* what --container found */
	const char *cgroup_target; /* --cgroup [CONTROLLER:]PATH */
	const char *netns;	   /* --netns NAME|FILE */
	struct state_roots roots;  /* --state-root */
	bool list_containers;	   /* --containers */
	bool inspect, json;	   /* --inspect [--json] */
	unsigned int sections;	   /* --section: inspect's mask */
	bool toolbox;		   /* --toolbox[=DIR] */
	const char *toolbox_dir;
	const char *cgroup_arg;	   /* the long --cgroup's argument: a file or a cgroup */
	struct ns_request ns[CTU_NS_COUNT];
	bool all;
	bool root_from_target, wd_from_target;
	const char *root, *wd, *wdns;
	bool preserve_credentials;
	bool fork, no_fork;
	bool pty; /* --pty: a terminal of the target's devpts, relayed by a parent */
	bool detach; /* --detach: the parent of -p's fork exits once the child is reported */
	int info_fd; /* --info-fd: {"pid": N} of the program's process, or -1 */
	bool env;
	bool join_cgroup;
	struct ctu_procopt proc; /* the program's process: creds, --preserve-fds, ... */
	char **argv;
};

/* What we hold of the target between opening and entering. */
struct target {
	int pidfd;
	int procfd; /* /proc/PID, valid because the pidfd was alive after opening it */
	int rootfd, wdfd;
	char *environ;
	size_t environ_len;
};

/*
 * target.c: whether --cgroup names a target or a namespace file, and that
 * at most one target option is given: a usage error otherwise.
 */
int check_target_options(struct opts *o, ctu_err_t *err);

/*
 * target.c: the one target option resolved into o->ref and o->target (a
 * container or cgroup looked up, a pid file read), and -a -r implied where
 * a debugger's target asks for nothing else.
 */
int resolve_target(struct opts *o, ctu_err_t *err);

/* Whether namespace @clone_flag is to be entered. */
bool wants(const struct opts *o, int clone_flag);

/* enter.c: opens the target's pidfd and /proc directory; with -a, picks its namespaces. */
int open_target(struct opts *o, struct target *t, ctu_err_t *err);
/* enter.c: enters every namespace asked for, all or none. */
int enter_namespaces(struct opts *o, const struct target *t, ctu_err_t *err);
/* enter.c: closes the pidfd and /proc directory. */
void close_target(struct target *t);
/* enter.c: --info-fd: {"pid": @pid} to it, then closed (nothing without it). */
int report_pid(struct opts *o, pid_t pid, ctu_err_t *err);
/*
 * enter.c: the parent of -p's fork, once @child runs: its pid reported (on
 * failure the child is killed and reaped); with --detach we exit 0 here.
 */
int release_child(struct opts *o, struct ctu_child *child, ctu_err_t *err);

/* extras.c: -r, -w, -e: opened and read before entering. */
int open_target_extras(const struct opts *o, struct target *t, ctu_err_t *err);
/* extras.c: -c: joins the target's cgroups. */
int join_cgroups(const struct opts *o, const struct target *t, ctu_err_t *err);
/* extras.c: after entering: the root, working directory and environment. */
int set_root_and_wd(const struct opts *o, struct target *t, ctu_err_t *err);
int take_environment(struct target *t, ctu_err_t *err);
/*
 * extras.c: with a pid namespace, only a child is really in it: forks.
 * Returns 0 in the child (or without a fork), 1 in the parent once the
 * child ended, with its wait status in *@status.  --info-fd is reported
 * here (our own pid without a fork); with --detach the parent exits 0 once
 * it has reported the child.
 */
int fork_if_needed(struct opts *o, int *status, ctu_err_t *err);
/*
 * extras.c: --pty: the relay stays here, in our namespaces, and closes what
 * it holds of the target; only the child goes on to enter.  Returns 0 in
 * the child, 1 in the parent once the child ended (*@status), or < 0.
 */
int fork_relay(struct target *t, int *status, ctu_err_t *err);

#endif
