/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ns.h - the namespace table, opening a namespace from a user's spec, and
 * persisting a namespace by bind-mounting its nsfs file.
 */
#ifndef CTU_NS_H
#define CTU_NS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
/* glibc before 2.36 lacks it; Linux 5.6 */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct ctu_ns_type {
	const char *name;	  /* file in /proc/PID/ns: "mnt" */
	const char *option;	  /* long option of unshare/nsenter: "mount" */
	char short_opt;		  /* 'm' */
	int clone_flag;		  /* CLONE_NEWNS */
	const char *for_children; /* "pid_for_children", or NULL */
};

/*
 * In the order namespaces are entered one by one: user first (it grants the
 * capabilities for the rest), mount last but for time (setns(mnt) resets
 * root and cwd), as util-linux's nsenter does.
 */
extern const struct ctu_ns_type ctu_ns_types[];
#define CTU_NS_COUNT 8

/*
 * getopt_long entries of the namespace options shared by unshare-lite and
 * nsenter-lite: --mount[=FILE] ... --time[=FILE], short forms -m ... -T.
 */
#define CTU_NS_LONGOPTS                                                                            \
	{ "mount", optional_argument, NULL, 'm' }, { "uts", optional_argument, NULL, 'u' },        \
		{ "ipc", optional_argument, NULL, 'i' }, { "net", optional_argument, NULL, 'n' },  \
		{ "pid", optional_argument, NULL, 'p' }, { "user", optional_argument, NULL, 'U' }, \
		{ "cgroup", optional_argument, NULL, 'C' },                                        \
		{ "time", optional_argument, NULL, 'T' }

/*
 * For option @opt with argument @arg: whether it is a namespace option.
 * Returns 1 with *@index its index in ctu_ns_types and *@file its FILE (a
 * leading '=' of an attached short argument dropped: "-n=FILE") or NULL;
 * 0 when it is none; a negative number with a usage error in *@err for an
 * empty FILE.
 */
int ctu_ns_option(int opt, const char *arg, size_t *index, const char **file, ctu_err_t *err);

/* By name ("mnt", "mount", "net", "user", ...) or NULL. */
const struct ctu_ns_type *ctu_ns_by_name(const char *name);
/* By CLONE_NEW* flag, or NULL. */
const struct ctu_ns_type *ctu_ns_by_flag(int flag);

/* The CLONE_NEW* flag of every namespace type this kernel knows. */
int ctu_ns_supported_flags(void);

/*
 * Opens the namespace @spec names, of type @type, O_CLOEXEC:
 *  - a PID ("1234"): /proc/1234/ns/NAME;
 *  - a path: a /proc/PID/ns/NAME file or a bind-mounted copy of one;
 *  - for net only, a bare NAME: /run/netns/NAME (as `ip netns` makes).
 * Returns the fd, or a negative number with *@err naming @spec: -ENOTTY
 * ("X is not a namespace file"), -EPROTOTYPE ("X is not a net namespace"),
 * -ENOENT for a bare NAME that `ip netns` does not know ("no such network
 * namespace: NAME"), or the -errno of the failure ("cannot open the net
 * namespace X: why").
 */
int ctu_ns_open_spec(const char *spec, const struct ctu_ns_type *type, ctu_err_t *err);

/* The inode number that identifies the namespace behind @fd or @path. */
int ctu_ns_inode_fd(int fd, unsigned long *ino);
int ctu_ns_inode_path(const char *path, unsigned long *ino);

/* What ctu_ns_bind() made, so that it can be undone. */
struct ctu_ns_bind {
	char *target;
	bool created_file;
	bool made_private_parent;
	char *parent;
};

/*
 * Persists a namespace: bind-mounts @nsfile (/proc/PID/ns/X) onto @target,
 * creating the file if missing.  A mount namespace cannot be bound onto a
 * shared mount (EINVAL, a loop guard): then, as `ip netns add` does for
 * /run/netns, the parent directory is bound onto itself and made private,
 * unless it already is a mount point of its own (then -EINVAL and the caller
 * tells the user to make it private).  Returns 0 or -errno, with nothing
 * left made on failure.
 */
int ctu_ns_bind(const char *nsfile, const char *target, bool is_mnt_ns, struct ctu_ns_bind *b);

/* Undoes ctu_ns_bind(): unmounts, removes what it created; frees @b. */
void ctu_ns_unbind(struct ctu_ns_bind *b);

/* Frees @b but keeps the bind mount (success path). */
void ctu_ns_bind_release(struct ctu_ns_bind *b);

#endif
