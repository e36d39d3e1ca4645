// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/err.c: making, wrapping and formatting an error, the
 * exit codes of both tool kinds, and what the reporter prints on stderr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctu.h"
#include "err.h"
#include "tests/unit/capture.h"

static char *format(const struct ctu_err *e)
{
	char *s = ctu_err_format(e);

	assert_non_null(s);
	return s;
}

static void test_make(void **state)
{
	ctu_err_t err = NULL;
	char *s;

	(void)state;
	assert_int_equal(ctu_err_make(&err, ENOENT, "cannot open %s", "/x"), -ENOENT);
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOENT);
	assert_int_equal(err->kind, CTU_ERR_FAILURE);
	assert_string_equal(err->msg, "cannot open /x");
	assert_null(err->hint);
	assert_int_equal(ctu_err_code(err), -ENOENT);
	s = format(err);
	assert_string_equal(s, "cannot open /x: No such file or directory");
	free(s);
	ctu_err_free(&err);
	assert_null(err);
}

static void test_make_errnum_zero(void **state)
{
	ctu_err_t err = NULL;
	char *s;

	(void)state;
	assert_int_equal(ctu_err_make(&err, 0, "a rule of %s", "ours"), -EINVAL);
	assert_int_equal(ctu_err_code(err), -EINVAL);
	s = format(err);
	/* no ": why" without an errno */
	assert_string_equal(s, "a rule of ours");
	free(s);
	ctu_err_free(&err);
}

static void test_make_replaces(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	ctu_err_make(&err, EPERM, "first");
	ctu_err_hint(&err, "a hint");
	assert_int_equal(ctu_err_make(&err, EBUSY, "second"), -EBUSY);
	assert_string_equal(err->msg, "second");
	assert_int_equal(err->errnum, EBUSY);
	assert_null(err->hint);
	ctu_err_free(&err);
}

static void test_errno_macro(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	errno = EACCES;
	assert_int_equal(ctu_err_errno(&err, "cannot write %d", 3), -EACCES);
	assert_int_equal(err->errnum, EACCES);
	assert_string_equal(err->msg, "cannot write 3");
	ctu_err_free(&err);
}

static void test_usage(void **state)
{
	ctu_err_t err = NULL;
	char *s;

	(void)state;
	assert_int_equal(ctu_err_usage(&err, "invalid size '%s'", "12Q"), -EINVAL);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_int_equal(err->errnum, 0);
	s = format(err);
	assert_string_equal(s, "invalid size '12Q'");
	free(s);
	ctu_err_free(&err);
}

static void test_wrap_chain_order(void **state)
{
	ctu_err_t err = NULL;
	char *s;

	(void)state;
	ctu_err_make(&err, EEXIST, "cannot create veth %s", "ctv0");
	assert_int_equal(ctu_err_wrap(&err, "line %d", 3), -EEXIST);
	assert_int_equal(ctu_err_wrap(&err, "connect %s", "web"), -EEXIST);
	/* the outermost context first */
	assert_string_equal(err->msg, "connect web: line 3: cannot create veth ctv0");
	assert_int_equal(err->errnum, EEXIST);
	s = format(err);
	assert_string_equal(s, "connect web: line 3: cannot create veth ctv0: File exists");
	free(s);
	ctu_err_free(&err);
}

static void test_wrap_null(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_err_wrap(&err, "context %s", "alone"), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err->msg, "context alone");
	assert_int_equal(err->errnum, 0);
	assert_int_equal(err->kind, CTU_ERR_FAILURE);
	ctu_err_free(&err);
}

static void test_wrap_keeps_kind_and_hint(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	ctu_err_usage(&err, "bad");
	ctu_err_hint(&err, "see --help");
	ctu_err_wrap(&err, "ctx");
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_string_equal(err->hint, "see --help");
	assert_string_equal(err->msg, "ctx: bad");
	ctu_err_free(&err);
}

static void test_hint(void **state)
{
	ctu_err_t err = NULL;
	char *s;

	(void)state;
	/* no error to hint at: the hint becomes the error, so something is said */
	assert_int_equal(ctu_err_hint(&err, "no error yet"), -EINVAL);
	assert_non_null(err);
	s = format(err);
	assert_string_equal(s, "no error yet");
	free(s);
	ctu_err_free(&err);
	ctu_err_make(&err, EPERM, "cannot mount %s", "/mnt");
	ctu_err_wrap(&err, "setup");
	assert_int_equal(ctu_err_hint(&err, "needs %s", "CAP_SYS_ADMIN"), -EPERM);
	s = format(err);
	assert_string_equal(s, "setup: cannot mount /mnt: Operation not permitted (needs CAP_SYS_ADMIN)");
	free(s);
	/* a second hint replaces the first */
	ctu_err_hint(&err, "run as root");
	s = format(err);
	assert_string_equal(s, "setup: cannot mount /mnt: Operation not permitted (run as root)");
	free(s);
	ctu_err_free(&err);

	ctu_err_make(&err, 0, "no such group");
	ctu_err_hint(&err, "create it first");
	s = format(err);
	assert_string_equal(s, "no such group (create it first)");
	free(s);
	ctu_err_free(&err);
}

static void test_set_kind(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_err_set_kind(&err, CTU_ERR_USAGE), -EINVAL);
	assert_null(err);
	ctu_err_make(&err, ENOENT, "cannot execute %s", "foo");
	assert_int_equal(ctu_err_set_kind(&err, CTU_ERR_NOT_FOUND), -ENOENT);
	assert_int_equal(err->kind, CTU_ERR_NOT_FOUND);
	ctu_err_free(&err);
}

static void test_code(void **state)
{
	struct ctu_err e = { .errnum = ENOSPC };

	(void)state;
	assert_int_equal(ctu_err_code(&e), -ENOSPC);
	e.errnum = 0;
	assert_int_equal(ctu_err_code(&e), -EINVAL);
	assert_int_equal(ctu_err_code(NULL), -EINVAL);
}

static int exit_code_of(enum ctu_err_kind kind)
{
	struct ctu_err e = { .errnum = EIO, .kind = kind, .msg = (char *)"x" };

	return ctu_err_exit_code(&e);
}

static void test_exit_codes(void **state)
{
	(void)state;
	ctu_set_tool_kind(CTU_TOOL_PLAIN);
	assert_int_equal(exit_code_of(CTU_ERR_FAILURE), 1);
	assert_int_equal(exit_code_of(CTU_ERR_USAGE), 2);
	assert_int_equal(exit_code_of(CTU_ERR_CANNOT_EXEC), 126);
	assert_int_equal(exit_code_of(CTU_ERR_NOT_FOUND), 127);
	assert_int_equal(ctu_err_exit_code(NULL), 1);

	ctu_set_tool_kind(CTU_TOOL_CHAINING);
	assert_int_equal(exit_code_of(CTU_ERR_FAILURE), 125);
	assert_int_equal(exit_code_of(CTU_ERR_USAGE), 125);
	assert_int_equal(exit_code_of(CTU_ERR_CANNOT_EXEC), 126);
	assert_int_equal(exit_code_of(CTU_ERR_NOT_FOUND), 127);
	assert_int_equal(ctu_err_exit_code(NULL), 125);
	ctu_set_tool_kind(CTU_TOOL_PLAIN);
}

static void print_err(void *arg)
{
	ctu_err_print(arg);
}

/* The expected text, made with this test program's name (PROG). */
#define PROG program_invocation_short_name
static char *with_prog(const char *fmt, ...) CTU_PRINTF(1, 2);
static char *with_prog(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return s;
}

static void test_print_failure(void **state)
{
	ctu_err_t err = NULL;
	char *out, *want;

	(void)state;
	ctu_err_make(&err, ENOENT, "cannot open %s", "/run/netns/web");
	ctu_err_wrap(&err, "connect web");
	ctu_err_hint(&err, "is it created?");
	out = capture_output(stderr, print_err, &err);
	assert_null(err);
	want = with_prog("%s: connect web: cannot open /run/netns/web: No such file or directory "
			 "(is it created?)\n", PROG);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void test_print_usage(void **state)
{
	ctu_err_t err = NULL;
	char *out, *want;

	(void)state;
	ctu_err_usage(&err, "unknown option '%s'", "--frob");
	out = capture_output(stderr, print_err, &err);
	assert_null(err);
	want = with_prog("%s: unknown option '--frob'\nTry '%s --help' for more information.\n", PROG, PROG);
	assert_string_equal(out, want);
	free(want);
	free(out);

	ctu_err_set_subcommand("add");
	ctu_err_usage(&err, "missing operand");
	out = capture_output(stderr, print_err, &err);
	want = with_prog("%s: missing operand\nTry '%s add --help' for more information.\n", PROG, PROG);
	assert_string_equal(out, want);
	free(want);
	free(out);
	ctu_err_set_subcommand(NULL);

	/* a failure never offers --help */
	ctu_err_make(&err, 0, "no such link");
	out = capture_output(stderr, print_err, &err);
	want = with_prog("%s: no such link\n", PROG);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void test_print_null(void **state)
{
	ctu_err_t err = NULL;
	char *out;

	(void)state;
	out = capture_output(stderr, print_err, &err);
	assert_string_equal(out, "");
	free(out);
}

static void warn_with_errno(void *arg)
{
	(void)arg;
	ctu_warn(EPERM, "cannot set %s", "limit");
	ctu_warn(0, "plain warning");
}

static void test_warn(void **state)
{
	char *out, *want;

	(void)state;
	out = capture_output(stderr, warn_with_errno, NULL);
	want = with_prog("%s: cannot set limit: Operation not permitted\n%s: plain warning\n", PROG, PROG);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void test_errno_preserved(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	errno = EXDEV;
	ctu_err_make(&err, ENOENT, "x");
	assert_int_equal(errno, EXDEV);
	ctu_err_wrap(&err, "y");
	assert_int_equal(errno, EXDEV);
	ctu_err_hint(&err, "z");
	assert_int_equal(errno, EXDEV);
	ctu_err_usage(&err, "u");
	assert_int_equal(errno, EXDEV);
	ctu_err_free(&err);
	assert_int_equal(errno, EXDEV);
	ctu_err_wrap(&err, "from nothing");
	assert_int_equal(errno, EXDEV);
	ctu_err_free(&err);
	/* freeing nothing is fine and keeps errno too */
	ctu_err_free(&err);
	assert_null(err);
	assert_int_equal(errno, EXDEV);
}

/* The exit status of a child that runs @fn with stderr thrown away. */
static int exit_status_of(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDERR_FILENO);
		fn();
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void exit_not_found(void)
{
	ctu_err_t err = NULL;

	ctu_err_make(&err, ENOENT, "cannot execute %s", "nothing");
	ctu_err_set_kind(&err, CTU_ERR_NOT_FOUND);
	ctu_err_exit(&err);
}

static void exit_failure(void)
{
	ctu_err_t err = NULL;

	ctu_err_make(&err, EIO, "failed");
	ctu_err_exit(&err);
}

static void exit_usage(void)
{
	ctu_usage_exit("bad %s", "operand");
}

static void exit_try_help(void)
{
	ctu_try_help_exit();
}

static void test_exit(void **state)
{
	(void)state;
	ctu_set_tool_kind(CTU_TOOL_PLAIN);
	assert_int_equal(exit_status_of(exit_failure), 1);
	assert_int_equal(exit_status_of(exit_usage), 2);
	assert_int_equal(exit_status_of(exit_try_help), 2);
	assert_int_equal(exit_status_of(exit_not_found), 127);
	ctu_set_tool_kind(CTU_TOOL_CHAINING);
	assert_int_equal(exit_status_of(exit_failure), 125);
	assert_int_equal(exit_status_of(exit_usage), 125);
	assert_int_equal(exit_status_of(exit_try_help), 125);
	assert_int_equal(exit_status_of(exit_not_found), 127);
	ctu_set_tool_kind(CTU_TOOL_PLAIN);
}

static void usage_exit_in_child(void *arg)
{
	int status;
	pid_t pid;

	(void)arg;
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		ctu_usage_exit("invalid size '%s'", "12Q");
	waitpid(pid, &status, 0);
}

static void test_usage_exit_message(void **state)
{
	char *out, *want;

	(void)state;
	out = capture_output(stderr, usage_exit_in_child, NULL);
	want = with_prog("%s: invalid size '12Q'\nTry '%s --help' for more information.\n", PROG,
			 PROG);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void test_cleanup_attribute(void **state)
{
	(void)state;
	{
		_cleanup_err_ ctu_err_t err = NULL;

		ctu_err_make(&err, EIO, "freed at the end of the block");
	}
	/* ASan's leak check tells if it was not */
}

/*
 * A protocol's code (a CNI plugin's "code") is set once and travels with
 * the error: wrap, append and hint keep it, a new error replaces it, the
 * kind and the exit code do not depend on it.
 */
static void test_set_code(void **state)
{
	ctu_err_t err = NULL;
	char *s;

	(void)state;
	assert_int_equal(ctu_err_set_code(&err, 7), -EINVAL); /* no error: nothing to set */
	assert_null(err);
	ctu_err_make(&err, ENOENT, "cannot open %s", "/x");
	assert_int_equal(err->code, 0);
	assert_int_equal(ctu_err_set_code(&err, 7), -ENOENT);
	assert_int_equal(err->code, 7);
	ctu_err_wrap(&err, "load");
	ctu_err_append(&err, "nothing kept");
	ctu_err_hint(&err, "a hint");
	assert_int_equal(err->code, 7);
	assert_int_equal(err->kind, CTU_ERR_FAILURE);
	assert_int_equal(ctu_err_exit_code(err), ctu_exit_fail);
	/* the reporters' line does not show it */
	s = format(err);
	assert_string_equal(s, "load: cannot open /x: No such file or directory: nothing kept (a hint)");
	free(s);
	ctu_err_set_code(&err, 999);
	assert_int_equal(err->code, 999);
	ctu_err_make(&err, 0, "another");
	assert_int_equal(err->code, 0);
	ctu_err_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_make_errnum_zero),
		cmocka_unit_test(test_make_replaces),
		cmocka_unit_test(test_errno_macro),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_wrap_chain_order),
		cmocka_unit_test(test_wrap_null),
		cmocka_unit_test(test_wrap_keeps_kind_and_hint),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_set_kind),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_set_code),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_print_failure),
		cmocka_unit_test(test_print_usage),
		cmocka_unit_test(test_print_null),
		cmocka_unit_test(test_warn),
		cmocka_unit_test(test_errno_preserved),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_usage_exit_message),
		cmocka_unit_test(test_cleanup_attribute),
	};

	return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
