// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * err.c - the error value and the reporter that prints it once, with the
 * tool's other words on stderr (warnings, debug lines) and its standard
 * exits (usage errors, --version).  This file and lib/proc's exec and
 * exit-status functions are the only parts of lib/ that print or exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "ctu.h"
#include "err.h"

int ctu_exit_fail = CTU_EXIT_FAILURE;
int ctu_exit_usage = CTU_EXIT_USAGE;
static const char *help_subcommand;

/*
 * When memory runs out while describing a failure, this one describes it:
 * static, so that making it cannot fail, and never freed.
 */
static struct ctu_err out_of_memory = { .errnum = ENOMEM, .kind = CTU_ERR_FAILURE };

CTU_PRINTF(1, 0) static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

int ctu_err_code(const struct ctu_err *err)
{
	return err && err->errnum > 0 ? -err->errnum : -EINVAL;
}

void ctu_err_free(ctu_err_t *err)
{
	CTU_PROTECT_ERRNO;

	if (!*err)
		return;
	if (*err != &out_of_memory) {
		free((*err)->msg);
		free((*err)->hint);
		free(*err);
	}
	*err = NULL;
}

CTU_PRINTF(4, 0) static int set_new(ctu_err_t *err, int errnum, enum ctu_err_kind kind, const char *fmt,
		   va_list ap)
{
	CTU_PROTECT_ERRNO;
	struct ctu_err *e = calloc(1, sizeof(*e));

	/* formatted first: the old error's words may be among the arguments */
	if (e)
		e->msg = vformat(fmt, ap);
	ctu_err_free(err);
	if (!e || !e->msg) {
		free(e);
		*err = &out_of_memory;
		return -ENOMEM;
	}
	e->errnum = errnum;
	e->kind = kind;
	*err = e;
	return ctu_err_code(e);
}

int ctu_err_make(ctu_err_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = set_new(err, errnum, CTU_ERR_FAILURE, fmt, ap);
	va_end(ap);
	return r;
}

int ctu_err_usage(ctu_err_t *err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = set_new(err, 0, CTU_ERR_USAGE, fmt, ap);
	va_end(ap);
	return r;
}

int ctu_err_wrap(ctu_err_t *err, const char *fmt, ...)
{
	CTU_PROTECT_ERRNO;
	va_list ap;
	char *context, *msg = NULL;

	va_start(ap, fmt);
	if (!*err) {
		int r = set_new(err, 0, CTU_ERR_FAILURE, fmt, ap);

		va_end(ap);
		return r;
	}
	context = vformat(fmt, ap);
	va_end(ap);
	if (*err == &out_of_memory)
		goto out;
	if (!context || asprintf(&msg, "%s: %s", context, (*err)->msg) < 0) {
		/* keep the message it had: losing the context is better than losing the cause */
		goto out;
	}
	free((*err)->msg);
	(*err)->msg = msg;
out:
	free(context);
	return ctu_err_code(*err);
}

int ctu_err_append(ctu_err_t *err, const char *fmt, ...)
{
	CTU_PROTECT_ERRNO;
	va_list ap;
	char *tail, *msg = NULL;
	int code;

	if (!*err || *err == &out_of_memory)
		return *err ? ctu_err_code(*err) : -EINVAL;
	code = ctu_err_code(*err);
	va_start(ap, fmt);
	tail = vformat(fmt, ap);
	va_end(ap);
	/* the cause's words move into the message, so they stay before the tail */
	if (tail && asprintf(&msg, "%s%s%s: %s", (*err)->msg, (*err)->errnum ? ": " : "",
			     (*err)->errnum ? strerror((*err)->errnum) : "", tail) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
		(*err)->errnum = 0;
	}
	free(tail);
	return code;
}

int ctu_err_hint(ctu_err_t *err, const char *fmt, ...)
{
	CTU_PROTECT_ERRNO;
	va_list ap;
	char *hint;

	va_start(ap, fmt);
	hint = vformat(fmt, ap);
	va_end(ap);
	if (!*err && hint) {
		/* a callee failed without saying why: the hint is all there is to say */
		ctu_err_make(err, 0, "%s", hint);
		free(hint);
		return ctu_err_code(*err);
	}
	if (!*err || *err == &out_of_memory || !hint) {
		free(hint);
		return ctu_err_code(*err);
	}
	free((*err)->hint);
	(*err)->hint = hint;
	return ctu_err_code(*err);
}

int ctu_err_set_code(ctu_err_t *err, int code)
{
	if (*err && *err != &out_of_memory)
		(*err)->code = code;
	return ctu_err_code(*err);
}

int ctu_err_set_kind(ctu_err_t *err, enum ctu_err_kind kind)
{
	if (*err && *err != &out_of_memory)
		(*err)->kind = kind;
	return ctu_err_code(*err);
}

char *ctu_err_format(const struct ctu_err *err)
{
	char *s;
	const char *msg = err->msg ? err->msg : "out of memory";
	int n;

	if (err->errnum && err->msg)
		n = asprintf(&s, "%s: %s%s%s%s", msg, strerror(err->errnum), err->hint ? " (" : "",
			     err->hint ? err->hint : "", err->hint ? ")" : "");
	else
		n = asprintf(&s, "%s%s%s%s", msg, err->hint ? " (" : "", err->hint ? err->hint : "",
			     err->hint ? ")" : "");
	return n < 0 ? NULL : s;
}

int ctu_err_exit_code(const struct ctu_err *err)
{
	switch (err ? err->kind : CTU_ERR_FAILURE) {
	case CTU_ERR_USAGE:
		return ctu_exit_usage;
	case CTU_ERR_NOT_FOUND:
		return CTU_EXIT_NOT_FOUND;
	case CTU_ERR_CANNOT_EXEC:
		return CTU_EXIT_CANNOT_EXEC;
	case CTU_ERR_FAILURE:
		break;
	}
	return ctu_exit_fail;
}

static void print_try_help(void)
{
	if (help_subcommand)
		fprintf(stderr, "Try '%s %s --help' for more information.\n",
			program_invocation_short_name, help_subcommand);
	else
		fprintf(stderr, "Try '%s --help' for more information.\n",
			program_invocation_short_name);
}

void ctu_err_print(ctu_err_t *err)
{
	char *line;

	if (!*err)
		return;
	line = ctu_err_format(*err);
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, line ? line : "out of memory");
	free(line);
	if ((*err)->kind == CTU_ERR_USAGE)
		print_try_help();
	ctu_err_free(err);
}

noreturn void ctu_err_exit(ctu_err_t *err)
{
	int code = ctu_err_exit_code(*err);

	ctu_err_print(err);
	exit(code);
}

void ctu_err_set_subcommand(const char *name)
{
	help_subcommand = name;
}

void ctu_warn(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

noreturn void ctu_usage_exit(const char *fmt, ...)
{
	ctu_err_t err = NULL;
	va_list ap;

	va_start(ap, fmt);
	set_new(&err, 0, CTU_ERR_USAGE, fmt, ap);
	va_end(ap);
	ctu_err_exit(&err);
}

noreturn void ctu_version_exit(void)
{
	printf("%s from ctutils %s\n", program_invocation_short_name, CTU_VERSION);
	exit(CTU_EXIT_OK);
}

void ctu_debug(const char *fmt, ...)
{
	va_list ap;
	const char *env = getenv("CTU_DEBUG");

	if (!env || !*env || strcmp(env, "0") == 0)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: debug: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

noreturn void ctu_try_help_exit(void)
{
	print_try_help();
	exit(ctu_exit_usage);
}

noreturn void ctu_common_option_exit(int opt, void (*usage)(void))
{
	if (opt == 'h') {
		usage();
		exit(CTU_EXIT_OK);
	}
	if (opt == 'V')
		ctu_version_exit();
	ctu_try_help_exit();
}

/*
 * A listing written to a full disk or a closed pipe must not exit 0: flush
 * stdout at exit and turn a failure into our failure code (util-linux's
 * close_stdout).  EPIPE stays silent, like a killed writer would be.
 */
static void close_stdout(void)
{
	errno = 0; /* an earlier failure's errno is not this one's reason */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE)
			ctu_warn(errno, "write error");
		_exit(ctu_exit_fail);
	}
}

void ctu_set_tool_kind(enum ctu_tool_kind kind)
{
	ctu_exit_fail = kind == CTU_TOOL_CHAINING ? CTU_EXIT_TOOL : CTU_EXIT_FAILURE;
	ctu_exit_usage = kind == CTU_TOOL_CHAINING ? CTU_EXIT_TOOL : CTU_EXIT_USAGE;
}

void ctu_init(enum ctu_tool_kind kind)
{
	ctu_set_tool_kind(kind);
	/*
	 * These tools hand a whole host to whoever runs them: installed setuid
	 * or setgid they would give root to any user.  AT_SECURE is the
	 * kernel's own word that we run with privileges the caller lacks.
	 */
	if (getauxval(AT_SECURE)) {
		ctu_err_t err = NULL;

		ctu_err_make(&err, 0, "refusing to run setuid or setgid: run it as root instead");
		ctu_err_exit(&err);
	}
	atexit(close_stdout);
}
