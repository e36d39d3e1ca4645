/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctu.h - what every ctutils source file needs: cleanup attributes, exit
 * codes, small file helpers, and the error value (err.h).
 *
 * Library functions (lib/) never print and never exit: they return 0 (or a
 * positive value) on success and a negative number on failure, with a
 * ctu_err_t filled where they take one (docs/design.md, "Errors").  Only
 * lib/err's reporter and lib/proc's exec and exit functions print or exit.
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
 * Exit codes (docs/design.md).  Tools that run a program exit with the program's
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

/*
 * The ELF note "ctutils"/1 of every chaining tool (lib/pty.h): a link of a
 * chain keeps the console socket for a program that holds it.  Referenced
 * from lib/proc.c's exec, so that every tool that runs a program has it.
 */
struct ctu_elf_note {
	unsigned int namesz, descsz, type;
	char name[8];
	unsigned int desc;
};
extern const struct ctu_elf_note ctu_chaining_note;

/* Read a whole small file (procfs, sysfs, cgroupfs) into a NUL-terminated buffer. */
int ctu_read_file(int dirfd, const char *path, char **out, size_t *len);

/* All @len bytes of @buf to @fd, over short writes and EINTR.  0 or -errno. */
int ctu_write_all(int fd, const void *buf, size_t len);

/* Write @buf with a single write(2), as procfs and cgroupfs files want it. */
int ctu_write_file(int dirfd, const char *path, const char *buf);

#endif
