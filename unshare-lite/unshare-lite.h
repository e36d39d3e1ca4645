/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unshare-lite.h - what the files of unshare-lite share: the options, the
 * id-map plan, and the jobs the CLI file (unshare-lite.c) calls.
 *
 *	options.c	the option values and what one option implies of others
 *	idmaps.c	the user namespace's id maps: planned, then written
 *	namespaces.c	persisting namespaces (bind mounts), --info-fd
 *	timens.c	the time namespace: offsets, then entering it
 *	sysctl.c	--sysctl: namespaced keys, written inside
 *	keyring.c	--new-keyring: a session keyring of the program's own
 *	inside.c	the inside process, from "go" to exec; --init
 *	run.c		the two processes, with and without --fork
 *
 * Every job returns errors (lib/err); only run.c's two entry points end the
 * process, as the program ends or with the error reported.
 */
#ifndef UNSHARE_LITE_H
#define UNSHARE_LITE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include "creds.h"
#include "procopt.h"
#include "err.h"
#include "idmap.h"
#include "ns.h"
#include "undo.h"

/* Long-only options (past CHAR_MAX and below lib/creds' CTU_OPT_*). */
enum {
	OPT_MOUNT_PROC = CHAR_MAX + 1,
	OPT_KILL_CHILD,
	OPT_INIT,
	OPT_PIDFILE,
	OPT_INFO_FD,
	OPT_MAP_USER,
	OPT_MAP_GROUP,
	OPT_MAP_USERS,
	OPT_MAP_GROUPS,
	OPT_MAP_AUTO,
	OPT_SETGROUPS,
	OPT_PROPAGATION,
	OPT_MONOTONIC,
	OPT_BOOTTIME,
	OPT_HOSTNAME,
	OPT_DOMAINNAME,
	OPT_PTY,
	OPT_DETACH,
	OPT_SYSCTL,
	OPT_NEW_KEYRING,
};

/* --sysctl K=V: at most this many, each checked as it is given (sysctl.c). */
#define MAX_SYSCTLS 128

/* A single id mapped with -r, -c, --map-user or --map-group. */
struct single_map {
	bool set;
	uint32_t inner;
};

/* Where a range map comes from besides explicit INNER:OUTER:COUNT ranges. */
enum range_source { RANGES_NONE, RANGES_AUTO, RANGES_ALL };

struct opts {
	int ns_flags;
	const char *persist[CTU_NS_COUNT]; /* =FILE per ctu_ns_types[] entry */
	bool fork;
	bool pty; /* --pty: the program on a new terminal, relayed by us */
	const char *mount_proc;
	int kill_child_signal;
	bool init;
	bool detach; /* --detach: exit once the child is set up, not waiting */
	const char *pidfile;

	struct single_map uid_single, gid_single;
	struct ctu_idmap uid_ranges, gid_ranges;
	enum range_source uid_source, gid_source;
	int setgroups; /* -1 unset, 0 deny, 1 allow */
	int info_fd;


	unsigned long propagation; /* MS_PRIVATE, MS_SHARED, MS_SLAVE or 0 = unchanged */
	const char *root;
	const char *wd;
	bool has_monotonic, has_boottime;
	int64_t monotonic, boottime;
	long monotonic_ns, boottime_ns; /* the SECS[.NS] fraction, 0..999999999 */
	size_t n_sysctls;
	const char *sysctls[MAX_SYSCTLS]; /* K=V, as given */
	bool new_keyring;		  /* --new-keyring[=NAME] */
	const char *keyring_name;	  /* NULL: an anonymous one */
	const char *hostname, *domainname;
	char **argv;
	struct ctu_procopt proc; /* the program's process: creds, --block-fd, --preserve-fds ... */
};

/* The id maps as they will be written, and how. */
struct map_plan {
	struct ctu_idmap uid, gid;
	bool uid_direct, gid_direct; /* write the map file ourselves, else newuidmap */
	int setgroups;		     /* -1 leave alone, 0 deny, 1 allow */
};

/* options.c */

/*
 * Takes option @opt with argument @arg into @o: 1 when it is one of
 * unshare-lite's own options, 0 when not (help, version, unknown), or a
 * negative number with a usage error in *@err.
 */
int opts_set(struct opts *o, int opt, const char *arg, ctu_err_t *err);

/* What one option implies of others, then what cannot go together. */
int opts_resolve(struct opts *o, ctu_err_t *err);

/* idmaps.c */

/* The maps of the user namespace as @o asks for them, and how to write them. */
int plan_maps(const struct opts *o, struct map_plan *p, ctu_err_t *err);

/* Writes setgroups, uid_map and gid_map of @pid, in the one order the kernel takes. */
int write_user_maps(pid_t pid, const struct map_plan *p, ctu_err_t *err);

/* namespaces.c */

/* The /proc/PID/ns file of @t for @pid (time: the one of its children). */
void ns_file_of(pid_t pid, const struct ctu_ns_type *t, char *buf, size_t size);

/* Bind-mounts every namespace of @pid asked to persist, recording each in @undo. */
int persist_namespaces(pid_t pid, const struct opts *o, struct ctu_undo *undo, ctu_err_t *err);

/* --info-fd: {"pid": N, "ns": {"user": INODE, ...}} to @fd, then closes it. */
void write_info(int fd, pid_t pid);

/* The error of unshare()/clone() for @flags, with a hint at the likely cause. */
int creating_namespaces_failed(int errnum, int flags, ctu_err_t *err);

/* sysctl.c */

/* --sysctl K=V: a namespaced key and a value, stored in @o, or a usage error. */
int sysctl_option(struct opts *o, const char *arg, ctu_err_t *err);

/*
 * Once all options are known: each key's namespace is a new one (or, for
 * net, ipc and uts, one a caller entered before us), never the host's.
 */
int sysctl_check_namespaces(const struct opts *o, ctu_err_t *err);

/* Inside, once the namespaces exist: writes every --sysctl through /proc/sys. */
int write_sysctls(const struct opts *o, ctu_err_t *err);

/* keyring.c */

/* --new-keyring: a new session keyring joined (named, or anonymous). */
int join_new_keyring(const struct opts *o, ctu_err_t *err);

/* timens.c */

/* --monotonic, --boottime: SECS[.NS] (negative too) into seconds and nanoseconds. */
int parse_time_offset(const char *s, int64_t *sec, long *nsec);


/* The new time namespace (if asked for): its offsets set, then entered. */
int setup_time_namespace(const struct opts *o, ctu_err_t *err);

/* inside.c */

/*
 * The inside process tells the outside one that it failed between "go"
 * and the exec: a byte on @fd (close-on-exec, so a program that runs
 * closes it unwritten), written at exit; then, with @done_fd >= 0, it
 * waits for EOF there: the outside has undone what it made, so nothing is
 * left once we have exited.
 */
void arm_failure_report(int fd, int done_fd);

/* Outside, once the inside has exec'd or ended: whether it said it failed. */
bool inside_said_failed(int fd);

/*
 * Inside the namespaces, from "go" to exec: mounts and names, --block-fd,
 * --init (its status to @status_fd; the program gets @program_mask, the
 * mask we were started with), credentials, and the program.  Returns only
 * on failure.
 */
int run_inside(const struct opts *o, int status_fd, const sigset_t *program_mask, ctu_err_t *err);

/* run.c: both end the process, as the program ends or with the error reported. */
noreturn void run_with_fork(const struct opts *o, const struct map_plan *p);
noreturn void run_without_fork(const struct opts *o, const struct map_plan *p);

#endif
