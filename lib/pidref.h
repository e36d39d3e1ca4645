/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pidref.h - a process named so that a recycled PID is refused: "PID",
 * "PID@STARTTIME" (field 22 of /proc/PID/stat, clock ticks after boot, as
 * runc and crun record it) or "PID:INODE" (the pidfs inode of its pidfd,
 * Linux 6.9+, as util-linux 2.42 takes it).
 */
#ifndef CTU_PIDREF_H
#define CTU_PIDREF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum ctu_pidref_kind {
	CTU_PIDREF_PLAIN, /* a bare PID: nothing to check it against */
	CTU_PIDREF_START, /* PID@STARTTIME */
	CTU_PIDREF_INODE, /* PID:INODE */
};

struct ctu_pidref {
	pid_t pid;
	enum ctu_pidref_kind kind;
	uint64_t start; /* CTU_PIDREF_START */
	uint64_t inode; /* CTU_PIDREF_INODE */
};

/* The longest pid file line taken (spec: at most 64 bytes). */
#define CTU_PIDREF_MAX 64

/*
 * Parses "PID", "PID@START" or "PID:INODE" (PID 1 to 2^31-1, START and
 * INODE decimal, INODE not 0).  A usage error naming @s on failure.
 */
int ctu_pidref_parse(const char *s, struct ctu_pidref *ref, ctu_err_t *err);

/* "PID@START" of @pid now, into @buf. Returns 0 or -errno (-ESRCH: gone). */
int ctu_pidref_format_now(pid_t pid, char *buf, size_t size);

/* Numeric field @field (3 or more, as proc(5) numbers them) of a /proc/PID/stat line. 0 or -EINVAL. */
int ctu_stat_field(const char *line, int field, uint64_t *value);

/* Field 22 of a /proc/PID/stat line. 0 or -EINVAL. */
int ctu_stat_start_time(const char *line, uint64_t *start);

/* Field 22 of /proc/@pid/stat (the comm may hold spaces and ')'). 0 or -errno. */
int ctu_proc_start_time(pid_t pid, uint64_t *start);

/*
 * Fields 3 and 4 of /proc/@pid/stat: its state letter (R, S, Z ...) and
 * parent.  0 or -errno (-ESRCH: gone).
 */
int ctu_proc_state(pid_t pid, char *state, pid_t *ppid);

/* The same read through an open /proc/PID directory fd. */
int ctu_proc_start_time_at(int procfd, uint64_t *start);

/*
 * The pidfs inode of @pidfd: -ENOSYS before Linux 6.9, where every pidfd
 * shares the one anonymous inode.
 */
int ctu_pidfd_inode(int pidfd, uint64_t *inode);

/*
 * Opens a pidfd of @ref->pid and checks it is the process @ref names (read
 * through /proc/PID, then the pidfd checked still alive).  Returns the pidfd,
 * or -ENOSYS (no pidfds: then only the start time is checked), or a negative
 * number with *@err set: "cannot open process 4242: No such process", "process 4242 is not
 * 4242@881234 (it started at 905511): the PID was reused", "PID:INODE needs
 * Linux 6.9 (pidfs); use PID@STARTTIME".
 */
int ctu_pidref_open(const struct ctu_pidref *ref, ctu_err_t *err);

/*
 * A pid file's first line as a pidref (any of the three forms, at most
 * CTU_PIDREF_MAX bytes).  A plain PID is refused when its process started
 * over 2 s after the file was last written: every writer (unshare-lite,
 * runc, conmon) writes the file after the process exists, so a later
 * process holds a recycled PID.  *@err names the file.
 */
int ctu_pidref_from_file(int dirfd, const char *path, struct ctu_pidref *ref, ctu_err_t *err);

/* The boot time in ticks of a wall-clock time: for the 2 s rule. */
uint64_t ctu_ticks_since_boot(const struct timespec *wall);

#endif
