/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pivot.h - what pivot's files share: the setup steps of the command line,
 * the state of the new root while it is set up, and the jobs:
 *
 *	pivot.c   usage, options, main
 *	hostns.c  the refusal to pivot the host's mount namespace
 *	setup.c   the new root: its bind, the mounts in it, the pivot itself
 *	mounts.c  bind mounts by fd, read-only remounts, paths that climb out
 *	console.c the terminal of a --pty relay, claimed as the last link
 */
#ifndef PIVOT_H
#define PIVOT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "undo.h"

enum op_kind { OP_PROC, OP_SYS, OP_DEV, OP_TMPFS, OP_BIND, OP_MKDIR, OP_SYMLINK };

/* One setup step, in command-line order. */
struct op {
	enum op_kind kind;
	char *a; /* DIR, SRC, TARGET */
	char *b; /* DST, LINK, tmpfs options */
	bool readonly;
};

struct opts {
	bool force;
	unsigned long propagation;
	struct op ops[256];
	size_t n_ops;
	const char *old_root;
	bool readonly;
	const char *wd;
	bool chroot_only;
	const char *newroot;
	char **argv;
};

/*
 * The new root while it is set up.  Everything made is recorded in @undo,
 * newest first: the mounts and directories inside the root (through rootfd,
 * so nothing outside it can be reached), and first of all NEWROOT's bind
 * onto itself, detached last on rollback while @bound says it still is ours
 * to detach (after pivot_root it is our root).
 */
struct newroot {
	const char *path;
	int rootfd; /* the new root, through our bind */
	bool bound;
	struct ctu_undo undo;
};

/* hostns.c: refuses (unless --force) when other processes share our mount namespace. */
int refuse_host_namespace(const struct opts *o, ctu_err_t *err);

/*
 * setup.c: the new root set up as the command line says, pivoted into, made
 * read-only and entered at --wd.  Returns 0, or a negative number with
 * *@err set: the caller then rolls back @nr->undo.
 */
int set_up_root(const struct opts *o, struct newroot *nr, ctu_err_t *err);

/* console.c */
/* A bad $CTU_CONSOLE_FD: an error before anything is done.  0, 1 (pending) or < 0. */
int check_console(ctu_err_t *err);
/* With a terminal to claim for @argv, the new root (our root now) must have /dev/ptmx. */
int check_ptmx(const struct opts *o, char *const argv[], ctu_err_t *err);
/* Whether --dev is among the setup steps. */
bool has_dev(const struct opts *o);
/* Claims a pending terminal for @argv unless it is a ctutils link; --dev: /dev/console. */
int claim_console(const struct opts *o, char *const argv[], ctu_err_t *err);

/* mounts.c */
/* Whether @path, read lexically, climbs above its starting point with "..". */
bool path_escapes(const char *path);
/*
 * Bind-mounts @src (a path of ours) onto @targetfd, with its submounts when
 * @recursive, read-only when @readonly.  Returns 0 or -errno.
 */
int bind_at(const char *src, int targetfd, bool recursive, bool readonly);
/* Makes the mount at @path read-only, keeping its other flags (mount_setattr, 5.12). */
int make_readonly(const char *path, bool recursive);
/* "/proc/self/fd/N" of @fd into @buf: 0, or -ENAMETOOLONG. */
int proc_fd_path(int fd, char *buf, size_t size);

#endif
