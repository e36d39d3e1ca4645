/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctu.h - what every ctutils source file needs: cleanup attributes, exit
 * codes, the tool start-up routine and the usage-error helper.
 *
 * Library functions (lib/) never print and never exit: they return 0 (or a
 * positive value) on success and -errno on failure.  Only the tools turn a
 * failure into a message and an exit status.
 */
#ifndef CTU_H
#define CTU_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <unistd.h>

#include "err.h"

#ifndef CTU_VERSION
#define CTU_VERSION "0.1.0"
#endif

#define CTU_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Exit codes (DESIGN.md).  Tools that run a program exit with the program's
 * status, CTU_EXIT_TOOL when they fail themselves, and 126/127 when the
 * program cannot be executed or is not found.  Tools that do not run a
 * program exit 0, 1 or 2.
 */
enum {
	CTU_EXIT_OK = 0,
	CTU_EXIT_FAILURE = 1,
	CTU_EXIT_USAGE = 2,
	CTU_EXIT_TOOL = 125,
	CTU_EXIT_CANNOT_EXEC = 126,
	CTU_EXIT_NOT_FOUND = 127,
};

/* The codes that ctu_err_exit() uses; set by ctu_init() (lib/err.h). */
extern int ctu_exit_fail;
extern int ctu_exit_usage;

/*
 * TRANSITION (issue 17): the old reporters below go once every tool uses
 * lib/err; nothing new may call them.
 */

/* -V/--version: prints the version and exits 0. */
noreturn void ctu_version_and_exit(void);

struct option;

/*
 * getopt_long for "[options] ARG [options] [--] [program...]": options may
 * stand before and after the one positional ARG, up to "--" or the program.
 * Calls @handle for each option.  Returns ARG (NULL if none) and sets
 * *@program to what follows.
 */
const char *ctu_getopt_around_arg(int argc, char **argv, const char *optstring,
				  const struct option *longopts, void (*handle)(int opt, void *ctx),
				  void *ctx, char ***program);

/* Prints "Try 'PROG --help' for more information." to stderr, exits ctu_exit_usage. */
noreturn void ctu_try_help(void);

/* Prints "PROG: MSG" and "Try 'PROG --help' ..." to stderr, exits ctu_exit_usage. */
noreturn void ctu_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "PROG: MSG: strerror(-neg_errno)" and exit ctu_exit_fail. */
noreturn void ctu_die_errno(int neg_errno, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "PROG: MSG" and exit ctu_exit_fail. */
noreturn void ctu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "PROG: MSG", then @undo (which removes what the command made so far),
 * then exit ctu_exit_fail: the end of a multi-step command that failed.
 */
noreturn void ctu_die_undo(void (*undo)(void), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Tool-side debug lines ("PROG: debug: ..."), printed when CTU_DEBUG is set. */
void ctu_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Cleanup attributes: the variable is released when it goes out of scope. */
#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void ctu_freep(void *p)
{
	free(*(void **)p);
}

/* close() that keeps errno, so a failure path can still report it. */
static inline void ctu_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void ctu_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;

		fclose(*f);
		errno = saved;
	}
}

static inline void ctu_closedirp(DIR **d)
{
	if (*d) {
		int saved = errno;

		closedir(*d);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(ctu_freep)
#define _cleanup_close_ _cleanup_(ctu_closep)
#define _cleanup_fclose_ _cleanup_(ctu_fclosep)
#define _cleanup_closedir_ _cleanup_(ctu_closedirp)

/* Take ownership away from a cleanup variable. */
static inline int ctu_steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

#define ctu_steal_ptr(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})

/* Preserve errno across a block of cleanup code. */
static inline void ctu_restore_errno(int *saved)
{
	errno = *saved;
}
#define CTU_PROTECT_ERRNO int _cleanup_(ctu_restore_errno) __attribute__((unused)) _saved_errno_ = errno

/* Read a whole small file (procfs, sysfs, cgroupfs) into a NUL-terminated buffer. */
int ctu_read_file(int dirfd, const char *path, char **out, size_t *len);

/* Write @buf with a single write(2), as procfs and cgroupfs files want it. */
int ctu_write_file(int dirfd, const char *path, const char *buf);

#endif
