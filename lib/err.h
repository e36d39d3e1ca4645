/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err.h - the one error value of ctutils, and its one reporter.
 *
 * A failure is described once, where it happens: the errno (if any) and what
 * failed ("cannot open /run/netns/web").  On the way up each caller may add
 * context in front ("connect web", "line 3") and a hint ("needs
 * CAP_NET_ADMIN").  The tool's main prints it once and exits:
 *
 *	PROG: context: what failed: why (hint)
 *
 * A function that can fail takes `ctu_err_t *err` last and returns a
 * negative number (the -errno of the error) after filling *err; it never
 * prints and never exits.  *err starts NULL and is freed by the reporter or
 * by ctu_err_free().  (The model is crun's libcrun_error_t.)
 *
 * The kind decides the exit code, by the two conventions of docs/design.md:
 * a tool that runs a program exits 125 for its own failures and usage
 * errors, 126 when the program cannot be executed, 127 when it is not
 * found; any other tool 1 for a failure and 2 for a usage error.
 */
#ifndef CTU_ERR_H
#define CTU_ERR_H

#include <stdnoreturn.h>

enum ctu_err_kind {
	CTU_ERR_FAILURE,     /* the tool failed: 1, or 125 in a chaining tool */
	CTU_ERR_USAGE,	     /* bad command line: 2 (125), and "Try 'PROG --help'" */
	CTU_ERR_NOT_FOUND,   /* the program to execute does not exist: 127 */
	CTU_ERR_CANNOT_EXEC, /* it exists but cannot be executed: 126 */
};

struct ctu_err {
	int errnum; /* errno of the failure; 0 for a rule of our own */
	enum ctu_err_kind kind;
	char *msg;  /* context first: "connect web: cannot create veth ctv0" */
	char *hint; /* "needs CAP_NET_ADMIN", or NULL */
	int code;   /* a protocol's own error code (CNI's 1..999), or 0 */
};
typedef struct ctu_err *ctu_err_t;

#define CTU_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * Fills *@err with @errnum (a positive errno, or 0) and the message, and
 * returns -@errnum, or -EINVAL when @errnum is 0, so that a caller can write
 * `return ctu_err_make(err, errno, "cannot open %s", path);`.
 * errno is preserved.  An *@err already set is replaced.
 */
int ctu_err_make(ctu_err_t *err, int errnum, const char *fmt, ...) CTU_PRINTF(3, 4);

/* ctu_err_make() with the current errno. */
#define ctu_err_errno(err, ...) ctu_err_make((err), errno, __VA_ARGS__)

/* A usage error ("unknown option", "invalid size '12Q'"); returns -EINVAL. */
int ctu_err_usage(ctu_err_t *err, const char *fmt, ...) CTU_PRINTF(2, 3);

/*
 * Puts "CONTEXT: " in front of the message of *@err (making an error of the
 * context alone when *@err is NULL).  Returns the error's negative number, so
 * that `return ctu_err_wrap(err, "create %s", path);` passes it on.
 */
int ctu_err_wrap(ctu_err_t *err, const char *fmt, ...) CTU_PRINTF(2, 3);

/*
 * Puts ": TAIL" after the message and its cause ("...: blob has digest X:
 * nothing kept").  Returns the error's negative number as it was.
 */
int ctu_err_append(ctu_err_t *err, const char *fmt, ...) CTU_PRINTF(2, 3);

/* Sets (replaces) the hint of *@err.  Returns the error's negative number. */
int ctu_err_hint(ctu_err_t *err, const char *fmt, ...) CTU_PRINTF(2, 3);

/* Changes the kind of *@err.  Returns the error's negative number. */
int ctu_err_set_kind(ctu_err_t *err, enum ctu_err_kind kind);

/*
 * Sets the protocol code of *@err (a CNI plugin's "code": 7 invalid config,
 * 999 internal), which the protocol's reporter prints; other reporters do
 * not show it.  Returns the error's negative number.
 */
int ctu_err_set_code(ctu_err_t *err, int code);

/* The negative number a function returns for *@err: -errnum, or -EINVAL. */
int ctu_err_code(const struct ctu_err *err);

/* Frees *@err and sets it to NULL; errno is preserved. */
void ctu_err_free(ctu_err_t *err);
#define _cleanup_err_ __attribute__((cleanup(ctu_err_free)))

/*
 * The line the reporter prints, without "PROG: " and the newline:
 * "context: what failed: why (hint)".  Newly allocated, or NULL.
 */
char *ctu_err_format(const struct ctu_err *err);

/* The exit code of @err in this tool (ctu_init()'s kind). */
int ctu_err_exit_code(const struct ctu_err *err);

/*
 * The reporter: prints "PROG: " and the error on stderr (plus "Try 'PROG
 * --help' for more information." for a usage error) and frees it.  For a
 * warning, or an error a tool reports and goes on from.
 */
void ctu_err_print(ctu_err_t *err);

/* The reporter that ends the tool: ctu_err_print(), then exit by the kind. */
noreturn void ctu_err_exit(ctu_err_t *err);

/*
 * The subcommand named in "Try 'PROG SUBCOMMAND --help'", for tools with
 * subcommands (set by lib/cli's subcommand dispatch); NULL for none.
 */
void ctu_err_set_subcommand(const char *name);

/* "PROG: warning text[: why]" on stderr, for what does not stop the tool. */
void ctu_warn(int errnum, const char *fmt, ...) CTU_PRINTF(2, 3);

/* A usage error made and reported at once: for option parsing in a tool. */
noreturn void ctu_usage_exit(const char *fmt, ...) CTU_PRINTF(1, 2);

/* -V/--version: "PROG from ctutils X.Y.Z" on stdout, exit 0. */
noreturn void ctu_version_exit(void);

/* "PROG: debug: ..." on stderr, when CTU_DEBUG is set (and not "0"). */
void ctu_debug(const char *fmt, ...) CTU_PRINTF(1, 2);

/*
 * The end of every tool's option switch: -h runs the tool's @usage (which
 * prints the help and exits 0), -V prints the version, and anything else
 * is an option getopt has already complained about: "Try 'PROG --help'".
 */
noreturn void ctu_common_option_exit(int opt, void (*usage)(void));

/* After getopt's own message: "Try 'PROG --help' ...", exit as a usage error. */
noreturn void ctu_try_help_exit(void);

/* Which set of exit codes a tool follows (see the top of this file). */
enum ctu_tool_kind {
	CTU_TOOL_PLAIN,	   /* 0 / 1 failure / 2 usage */
	CTU_TOOL_CHAINING, /* the program's status / 125 for our own failures */
};

/*
 * Start-up common to every tool: refuse to run setuid/setgid (AT_SECURE),
 * choose the exit codes for @kind, and make a failed write to stdout at exit
 * an error (as util-linux's close_stdout does).  Call first in main().
 */
void ctu_init(enum ctu_tool_kind kind);

/* Switch the exit codes later, e.g. ovlmount once it knows it runs a program. */
void ctu_set_tool_kind(enum ctu_tool_kind kind);

#endif
