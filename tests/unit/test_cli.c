// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/cli.c: the output options, the exclusive-option table
 * and the subcommand option parser with the tool's global options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctu.h"

static void test_out_option(void **state)
{
	struct ctu_out_flags f = { 0 };

	(void)state;
	assert_true(ctu_out_option(CTU_OPT_JSON, &f));
	assert_true(f.json);
	assert_false(f.raw);
	assert_true(ctu_out_option(CTU_OPT_RAW, &f));
	assert_true(f.raw);
	assert_false(f.noheadings);
	assert_true(ctu_out_option(CTU_OPT_NOHEADINGS, &f));
	assert_true(f.noheadings);
	assert_false(ctu_out_option('x', &f));
	assert_false(ctu_out_option(CTU_OPT_FIRST_FREE, &f));
}

enum { OPT_SHOW = 's', OPT_DIFF = 'd', OPT_UMOUNT = CTU_OPT_FIRST_FREE, OPT_ONLY_SHORT = 'x' };

static const struct option excl_longopts[] = {
	{ "show", no_argument, NULL, OPT_SHOW },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "umount", no_argument, NULL, OPT_UMOUNT },
	{ "flagged", no_argument, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct ctu_excl excl_rows[] = {
	{ { OPT_SHOW, OPT_DIFF, OPT_UMOUNT } },
	{ { OPT_ONLY_SHORT, OPT_DIFF } },
};

static void test_excl_two(void **state)
{
	int seen[2] = { 0 };
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_excl_check(excl_rows, 1, seen, OPT_SHOW, excl_longopts, &err), 0);
	/* the same option twice is fine */
	assert_int_equal(ctu_excl_check(excl_rows, 1, seen, OPT_SHOW, excl_longopts, &err), 0);
	/* an option of no group is fine */
	assert_int_equal(ctu_excl_check(excl_rows, 1, seen, 'q', excl_longopts, &err), 0);
	assert_null(err);
	assert_int_equal(ctu_excl_check(excl_rows, 1, seen, OPT_UMOUNT, excl_longopts, &err),
			 -EINVAL);
	assert_non_null(err);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	/* the whole group is named, as util-linux does */
	assert_string_equal(err->msg, "--show, --diff and --umount are mutually exclusive");
	ctu_err_free(&err);
}

static void test_excl_short_only(void **state)
{
	int seen[2] = { 0 };
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_excl_check(excl_rows, 2, seen, OPT_ONLY_SHORT, excl_longopts, &err), 0);
	assert_int_equal(ctu_excl_check(excl_rows, 2, seen, OPT_DIFF, excl_longopts, &err), -EINVAL);
	assert_string_equal(err->msg, "-x and --diff are mutually exclusive");
	ctu_err_free(&err);
	/* no long options at all */
	memset(seen, 0, sizeof(seen));
	assert_int_equal(ctu_excl_check(excl_rows + 1, 1, seen, OPT_DIFF, NULL, &err), 0);
	assert_int_equal(ctu_excl_check(excl_rows + 1, 1, seen, OPT_ONLY_SHORT, NULL, &err),
			 -EINVAL);
	assert_string_equal(err->msg, "-x and -d are mutually exclusive");
	ctu_err_free(&err);
}

static void test_excl_two_groups(void **state)
{
	static const struct ctu_excl rows[] = {
		{ { OPT_SHOW, OPT_DIFF } },
		{ { OPT_UMOUNT, OPT_ONLY_SHORT } },
	};
	int seen[2] = { 0 };
	ctu_err_t err = NULL;

	(void)state;
	/* one of each group is fine */
	assert_int_equal(ctu_excl_check(rows, 2, seen, OPT_DIFF, excl_longopts, &err), 0);
	assert_int_equal(ctu_excl_check(rows, 2, seen, OPT_UMOUNT, excl_longopts, &err), 0);
	assert_int_equal(ctu_excl_check(rows, 2, seen, OPT_ONLY_SHORT, excl_longopts, &err), -EINVAL);
	assert_string_equal(err->msg, "--umount and -x are mutually exclusive");
	ctu_err_free(&err);
}

/* ---- ctu_getopt ---- */

enum { OPT_COLOR = CTU_OPT_FIRST_FREE + 1, OPT_NAME };

static const struct option sub_longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "output", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ NULL, 0, NULL, 0 },
};

static const struct option global_longopts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "netns", required_argument, NULL, 'n' },
	{ "color", no_argument, NULL, OPT_COLOR },
	/* the subcommand's --all wins over a global one */
	{ "all", no_argument, NULL, 'A' },
	{ NULL, 0, NULL, 0 },
};

/* What on_global saw, as "v n=web color ". */
struct globals {
	char seen[256];
	int fail_on;
};

static int on_global(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	struct globals *g = ctx;
	size_t len = strlen(g->seen);
	const char *name = opt == OPT_COLOR ? "color" : (char[]){ (char)opt, '\0' };

	if (opt == g->fail_on)
		return ctu_err_usage(err, "global %s refused", name);
	snprintf(g->seen + len, sizeof(g->seen) - len, "%s%s%s ", name, arg ? "=" : "",
		 arg ? arg : "");
	return 0;
}

/*
 * Parses @args (argv[0] is the subcommand) and describes the subcommand's
 * options as "a o=x name=y ", then "| " and the operands; '?' ends it with
 * "? message".
 */
static char *parse(struct globals *gl, bool stop_at_operand, char **args)
{
	struct ctu_getopt g = { .on_global = on_global, .ctx = gl, .stop_at_operand = stop_at_operand };
	ctu_err_t err = NULL;
	char out[512] = "";
	int argc = 0, c;

	while (args[argc])
		argc++;
	assert_int_equal(ctu_getopt_init(&g, argc, args, "ao:", sub_longopts, "vn:", global_longopts,
					 &err),
			 0);
	while ((c = ctu_getopt_next(&g, &err)) != -1) {
		size_t len = strlen(out);

		if (c == '?') {
			assert_non_null(err);
			assert_int_equal(err->kind, CTU_ERR_USAGE);
			snprintf(out + len, sizeof(out) - len, "? %s", err->msg);
			ctu_err_free(&err);
			return strdup(out);
		}
		assert_null(err);
		snprintf(out + len, sizeof(out) - len, "%s%s%s ",
			 c == OPT_NAME ? "name" : (char[]){ (char)c, '\0' }, optarg ? "=" : "",
			 optarg ? optarg : "");
	}
	strcat(out, "|");
	for (int i = optind; i < argc; i++) {
		strcat(out, " ");
		strcat(out, args[i]);
	}
	return strdup(out);
}

#define PARSE(gl, stop, ...) parse((gl), (stop), (char *[]){ __VA_ARGS__, NULL })

static void expect(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_getopt_sub_options(void **state)
{
	struct globals gl = { "", 0 };

	(void)state;
	expect(PARSE(&gl, false, "show", "-a", "-o", "x", "--name", "y", "op"), "a o=x name=y | op");
	expect(PARSE(&gl, false, "show", "--all", "--output=z", "-oq", "--name=w"),
	       "a o=z o=q name=w |");
	expect(PARSE(&gl, false, "show"), "|");
	assert_string_equal(gl.seen, "");
}

static void test_getopt_globals_anywhere(void **state)
{
	struct globals gl = { "", 0 };

	(void)state;
	expect(PARSE(&gl, false, "show", "-v", "one", "-a", "--netns", "web", "two", "--color",
		     "-nfoo", "--verbose", "--netns=x"),
	       "a | one two");
	assert_string_equal(gl.seen, "v n=web color n=foo v n=x ");
	/* a cluster of subcommand and global short options */
	gl.seen[0] = '\0';
	expect(PARSE(&gl, false, "show", "-av"), "a |");
	assert_string_equal(gl.seen, "v ");
	/* the subcommand's own --all is not the global one */
	gl.seen[0] = '\0';
	expect(PARSE(&gl, false, "show", "--all"), "a |");
	assert_string_equal(gl.seen, "");
}

static void test_getopt_global_fails(void **state)
{
	struct globals gl = { "", 'n' };

	(void)state;
	expect(PARSE(&gl, false, "show", "-a", "--netns", "x", "-o", "y"), "a ? global n refused");
}

static void test_getopt_errors(void **state)
{
	struct globals gl = { "", 0 };

	(void)state;
	/* getopt's own words */
	expect(PARSE(&gl, false, "show", "-z"), "? invalid option -- 'z'");
	expect(PARSE(&gl, false, "show", "-az"), "a ? invalid option -- 'z'");
	expect(PARSE(&gl, false, "show", "-za"), "? invalid option -- 'z'");
	expect(PARSE(&gl, false, "show", "--all", "-za"), "a ? invalid option -- 'z'");
	expect(PARSE(&gl, false, "show", "--name=x", "-za"), "name=x ? invalid option -- 'z'");
	expect(PARSE(&gl, false, "show", "--frob"), "? unrecognized option '--frob'");
	expect(PARSE(&gl, false, "show", "-a", "--frob"), "a ? unrecognized option '--frob'");
	expect(PARSE(&gl, false, "show", "--frob=1"), "? unrecognized option '--frob=1'");
	expect(PARSE(&gl, false, "show", "-o"), "? option requires an argument -- 'o'");
	expect(PARSE(&gl, false, "show", "-n"), "? option requires an argument -- 'n'");
	expect(PARSE(&gl, false, "show", "--output"), "? option '--output' requires an argument");
	expect(PARSE(&gl, false, "show", "--name"), "? option '--name' requires an argument");
	expect(PARSE(&gl, false, "show", "op", "--netns"), "? option '--netns' requires an argument");
	expect(PARSE(&gl, false, "show", "--all=1"), "? option '--all' doesn't allow an argument");
	expect(PARSE(&gl, false, "show", "--color=1"),
	       "? option '--color' doesn't allow an argument");
	/* an abbreviation is named in full, as getopt does */
	expect(PARSE(&gl, false, "show", "--verb=1"), "? option '--verbose' doesn't allow an argument");
}

static void test_getopt_stop_at_operand(void **state)
{
	struct globals gl = { "", 0 };

	(void)state;
	expect(PARSE(&gl, true, "exec", "-v", "-a", "prog", "-a", "-v", "--x"), "a | prog -a -v --x");
	assert_string_equal(gl.seen, "v ");
	/* without it, options after the operand are taken */
	gl.seen[0] = '\0';
	expect(PARSE(&gl, false, "exec", "-a", "prog", "-a", "-v"), "a a | prog");
	assert_string_equal(gl.seen, "v ");
}

static void test_getopt_double_dash(void **state)
{
	struct globals gl = { "", 0 };

	(void)state;
	expect(PARSE(&gl, false, "show", "-a", "--", "-v", "--all", "x"), "a | -v --all x");
	assert_string_equal(gl.seen, "");
	expect(PARSE(&gl, true, "show", "--", "-a"), "| -a");
	expect(PARSE(&gl, false, "show", "op", "--", "-a"), "| op -a");
}

static void test_getopt_no_globals(void **state)
{
	struct ctu_getopt g = { 0 };
	ctu_err_t err = NULL;
	char *argv[] = { "list", "-a", "-v", NULL };

	(void)state;
	assert_int_equal(ctu_getopt_init(&g, 3, argv, "a", sub_longopts, NULL, NULL, &err), 0);
	assert_int_equal(ctu_getopt_next(&g, &err), 'a');
	assert_int_equal(ctu_getopt_next(&g, &err), '?');
	assert_string_equal(err->msg, "invalid option -- 'v'");
	ctu_err_free(&err);
}

static void test_getopt_too_many(void **state)
{
	struct option many[200];
	struct ctu_getopt g = { 0 };
	ctu_err_t err = NULL;
	char *argv[] = { "list", NULL };

	(void)state;
	for (int i = 0; i < 199; i++)
		many[i] = (struct option){ "x", no_argument, NULL, 'x' };
	many[199] = (struct option){ NULL, 0, NULL, 0 };
	assert_true(ctu_getopt_init(&g, 1, argv, "", many, NULL, NULL, &err) < 0);
	assert_non_null(err);
	ctu_err_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_option),
		cmocka_unit_test(test_excl_two),
		cmocka_unit_test(test_excl_short_only),
		cmocka_unit_test(test_excl_two_groups),
		cmocka_unit_test(test_getopt_sub_options),
		cmocka_unit_test(test_getopt_globals_anywhere),
		cmocka_unit_test(test_getopt_global_fails),
		cmocka_unit_test(test_getopt_errors),
		cmocka_unit_test(test_getopt_stop_at_operand),
		cmocka_unit_test(test_getopt_double_dash),
		cmocka_unit_test(test_getopt_no_globals),
		cmocka_unit_test(test_getopt_too_many),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
