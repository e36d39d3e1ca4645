/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pivot.h - what pivot's files share: the setup steps of the command line,
 * the state of the new root while it is set up, and the jobs:
 *
 *	pivot.c   usage, options, main
 *	hostns.c  the refusal to pivot the host's mount namespace
 *	setup.c   the new root: its bind, the mounts in it, the pivot itself
 *	mounts.c  bind mounts by fd, read-only remounts, paths that climb out
 *	ocimount.c --mount TYPE:SRC:DST[:OPTS]: parsed, then made with the new mount API
 *	devices.c --device: device nodes in the new root
 *	masks.c   --mask, --readonly-path and --readonly-mount, after the pivot
 *	console.c the terminal of a --pty relay, claimed as the last link
 */
#ifndef PIVOT_H
#define PIVOT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "procopt.h"
#include "undo.h"

enum op_kind { OP_PROC, OP_SYS, OP_DEV, OP_TMPFS, OP_BIND, OP_MKDIR, OP_SYMLINK, OP_MOUNT };

struct mount_spec; /* a parsed --mount (ocimount.c) */

/* One setup step, in command-line order. */
struct op {
	enum op_kind kind;
	char *a; /* DIR, SRC, TARGET */
	char *b; /* DST, LINK, tmpfs options */
	bool readonly;
	struct mount_spec *spec; /* OP_MOUNT */
};

/* One --device PATH:TYPE:MAJ:MIN:MODE:UID:GID (devices.c). */
struct device {
	char *path;
	char type; /* c, b, u (unbuffered c) or p (fifo) */
	unsigned int major, minor;
	unsigned int mode; /* permission bits */
	unsigned int uid, gid;
};

#define PIVOT_MAX_PATHS 256

struct opts {
	bool force;
	unsigned long propagation;	/* MS_PRIVATE, MS_SLAVE or MS_SHARED, for every mount first */
	unsigned long root_propagation; /* --propagation for the new root after the pivot, | MS_REC */
	bool no_pivot;			/* --no-pivot: MS_MOVE onto / and chroot */
	struct device devices[PIVOT_MAX_PATHS];
	size_t n_devices;
	const char *masks[PIVOT_MAX_PATHS];
	size_t n_masks;
	const char *readonly_paths[PIVOT_MAX_PATHS];
	size_t n_readonly_paths;
	const char *readonly_mounts[PIVOT_MAX_PATHS];
	size_t n_readonly_mounts;
	struct op ops[256];
	size_t n_ops;
	const char *old_root;
	bool readonly;
	const char *wd;
	bool chroot_only;
	bool in_place; /* --in-place: the caller's mount namespace, its propagation untouched */
	const char *newroot;
	char **argv;
	struct ctu_procopt proc; /* the program's process: lib/procopt (sync_fd, creds, ...) */
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
/*
 * An O_PATH fd of @path in the new root, its missing parts made (directories,
 * an empty file last with @as_file) and recorded.  With @no_symlinks a
 * symlink anywhere on the way is refused (/proc, /sys: CVE-2019-19921);
 * otherwise symlinks are followed, inside the root only.
 */
int mount_point(struct newroot *nr, const char *path, bool as_file, bool no_symlinks,
		ctu_err_t *err);
/* Records the mount just made on @path (in the new root), so that a rollback detaches it. */
int record_mount(struct newroot *nr, const char *path, ctu_err_t *err);

/* ocimount.c */
/* Parses --mount's TYPE:SRC:DST[:OPTS] into @op; exits with a usage error when it is bad. */
void parse_mount_option(const char *arg, struct op *op);
/* Makes one --mount in the new root. */
int setup_mount(struct newroot *nr, const struct op *op, ctu_err_t *err);

/* devices.c */
/* Parses --device's PATH:TYPE:MAJ:MIN:MODE:UID:GID; exits with a usage error when it is bad. */
void parse_device_option(const char *arg, struct device *dev);
/* Makes the --device nodes in the new root, in order. */
int setup_devices(const struct opts *o, struct newroot *nr, ctu_err_t *err);

/* masks.c: after the pivot, --readonly-path and --mask (runc's order); missing paths skipped. */
int apply_masks(const struct opts *o, struct newroot *nr, ctu_err_t *err);

/* console.c */
/* A bad $CTU_CONSOLE_FD: an error before anything is done.  0, 1 (pending) or < 0. */
int check_console(ctu_err_t *err);
/* With a terminal to claim for @argv, the new root (our root now) must have /dev/ptmx. */
int check_ptmx(const struct opts *o, char *const argv[], ctu_err_t *err);
/* Whether --dev is among the setup steps. */
bool has_dev(const struct opts *o);
/* Claims a pending terminal for @argv unless it is a ctutils link; --dev: /dev/console. */
int claim_console(const struct opts *o, char *const argv[], ctu_err_t *err);
/*
 * --console-fd's pre_console step (lib/procopt): the new pty's slave bound
 * onto the new root's /dev/console (made as an empty file), when there is
 * a /dev, as runc does.  0 or negative with *@err.
 */
int bind_console_slave(int slave, ctu_err_t *err);

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
