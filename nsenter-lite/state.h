/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - one container engine's state file, read safely (state.c):
 * opened beneath its root with no symlink followed, checked (regular, at
 * most 16 MiB, owned by root or us, written by nobody else), parsed with
 * jansson, its init process's PID and start time taken.
 */
#ifndef NSENTER_LITE_STATE_H
#define NSENTER_LITE_STATE_H

#include <stddef.h>
#include <sys/stat.h>

#include "err.h"
#include "pidref.h"

/* The most a state file may hold: runc's state.json carries the whole config. */
#define STATE_FILE_MAX ((size_t)16 << 20)

/* How a source records its container's init. */
enum state_format {
	STATE_OCI,     /* runc, containerd, docker: init_process_pid, init_process_start */
	STATE_CRUN,    /* crun's status: pid, process-start-time */
	STATE_CTRUN,   /* ctrun: pid, and init_process_start or start */
	STATE_PIDFILE, /* podman's userdata/pidfile, ctutils' ID.pid: the 2 s rule */
};

/*
 * Checks what fstat says of a state file (@what names it in errors): a
 * regular file, at most STATE_FILE_MAX bytes, owned by root or our euid,
 * not writable by group or others.  0, or -EINVAL with *@err set.
 */
int state_check_stat(const struct stat *st, const char *what, ctu_err_t *err);

/*
 * Opens @path below @rootfd (openat2: RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
 * with @flags (O_RDONLY or O_DIRECTORY ones; O_CLOEXEC is added).  The fd,
 * or a negative number with *@err set naming @what.
 */
int state_open_beneath(int rootfd, const char *path, int flags, const char *what, ctu_err_t *err);

/*
 * Parses the JSON state file @buf of @len bytes as @fmt says (not
 * STATE_PIDFILE): the init's PID (1 to 2^31-1) and, when recorded, its start
 * time (a number, or a string of digits as old runc wrote it), into @ref:
 * a START pidref, or a PLAIN one when no start time is recorded.  Errors
 * begin "state file WHAT: " ("line L column C: TEXT" for jansson's).
 */
int state_parse(const char *buf, size_t len, enum state_format fmt, const char *what,
		struct ctu_pidref *ref, ctu_err_t *err);

/*
 * The state file @path below @rootfd, of format @fmt, read into @ref (@what:
 * the file's whole name, for errors).  A pid file is read by
 * ctu_pidref_from_file() once the file and its directory are checked: a
 * plain PID comes back as a START ref when its process passes the 2 s rule;
 * when it does not, or the process has exited, the error says so and
 * @ref->pid still holds the PID (0 when none was read).
 */
int state_read(int rootfd, const char *path, enum state_format fmt, const char *what,
	       struct ctu_pidref *ref, ctu_err_t *err);

#endif
