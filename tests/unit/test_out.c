// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/out.c: a listing printed as a table, raw, without
 * headings and as JSON, read back from stdout.
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
#include <unistd.h>

#include "ctu.h"
#include "out.h"
#include "tests/unit/capture.h"

static const struct ctu_out_column columns[] = {
	{ "NAME", 0, SCOLS_JSON_STRING, 0 },
	{ "SIZE", 0, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	/* as vethctl's ADDRESSES: an array, one element a line */
	{ "LIST", 0, SCOLS_JSON_ARRAY_STRING, SCOLS_FL_WRAP },
};

static void print_table(void *tb)
{
	assert_int_equal(ctu_out_print(tb), 0);
}

/* Prints the two-line listing with @flags; returns what reached stdout. */
static char *print_listing(const struct ctu_out_flags *flags)
{
	static const char *const first[] = { "alpha", "10", "x\ny" };
	static const char *const second[] = { "b", NULL, NULL };
	struct libscols_table *tb = ctu_out_table("things", columns, CTU_ARRAY_SIZE(columns), flags);

	assert_non_null(tb);
	assert_int_equal(ctu_out_line(tb, first, 3), 0);
	assert_int_equal(ctu_out_line(tb, second, 3), 0);
	return capture_output(stdout, print_table, tb);
}

static void expect(const struct ctu_out_flags *flags, const char *want)
{
	char *got = print_listing(flags);

	assert_string_equal(got, want);
	free(got);
}

static void test_table(void **state)
{
	struct ctu_out_flags f = { 0 };

	(void)state;
	expect(&f, "NAME  SIZE LIST\n"
		   "alpha   10 x\n"
		   "           y\n"
		   "b          \n");
}

static void test_noheadings(void **state)
{
	struct ctu_out_flags f = { .noheadings = true };

	(void)state;
	expect(&f, "alpha   10 x\n"
		   "           y\n"
		   "b          \n");
}

static void test_raw(void **state)
{
	struct ctu_out_flags f = { .raw = true };

	(void)state;
	/* one line a row: the newline of the array cell is escaped */
	expect(&f, "NAME SIZE LIST\n"
		   "alpha 10 x\\x0ay\n"
		   "b  \n");
	f.noheadings = true;
	expect(&f, "alpha 10 x\\x0ay\n"
		   "b  \n");
}

static void test_json(void **state)
{
	struct ctu_out_flags f = { .json = true };

	(void)state;
	/* names in lower case, numbers bare, the array split by lines */
	expect(&f, "{\n"
		   "   \"things\": [\n"
		   "      {\n"
		   "         \"name\": \"alpha\",\n"
		   "         \"size\": 10,\n"
		   "         \"list\": [\n"
		   "             \"x\", \"y\"\n"
		   "         ]\n"
		   "      },{\n"
		   "         \"name\": \"b\",\n"
		   "         \"size\": null,\n"
		   "         \"list\": [\n"
		   "             null\n"
		   "         ]\n"
		   "      }\n"
		   "   ]\n"
		   "}\n");
}

static void test_json_escapes(void **state)
{
	static const struct ctu_out_column one[] = { { "PATH", 0, SCOLS_JSON_STRING, 0 } };
	static const char *const cells[] = { "a \"b\"\\c" };
	struct ctu_out_flags f = { .json = true };
	struct libscols_table *tb = ctu_out_table("paths", one, 1, &f);
	char *out;
	size_t len;

	(void)state;
	assert_non_null(tb);
	assert_int_equal(ctu_out_line(tb, cells, 1), 0);
	out = NULL;
	/* the table's own string form, where the escaping is the same */
	assert_int_equal(scols_print_table_to_string(tb, &out), 0);
	assert_non_null(out);
	len = strlen(out);
	assert_true(len > 0);
	assert_non_null(strstr(out, "\"path\": \"a \\\"b\\\"\\\\c\""));
	free(out);
	scols_unref_table(tb);
}

/* ctu_out_size(@bytes) for people, and raw. */
static void expect_size(uint64_t bytes, bool raw, const char *want)
{
	char buf[24];

	assert_int_equal(ctu_out_size(bytes, raw, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_size(void **state)
{
	(void)state;
	expect_size(0, false, "0B");
	expect_size(512, false, "512B");
	expect_size(1023, false, "1023B");
	expect_size(1024, false, "1K");
	expect_size(1536, false, "1.5K");
	expect_size(64ULL << 20, false, "64M");
	expect_size(3ULL << 29, false, "1.5G");
	expect_size(1ULL << 30, false, "1G");
	expect_size((10ULL << 30) + (1ULL << 28), false, "10G");
	/* rounding to the nearest: 9.96G is 10G, 1023.96M is 1G, 1.04K is 1K */
	expect_size((996ULL << 30) / 100, false, "10G");
	expect_size((102396ULL << 20) / 100, false, "1G");
	expect_size(1065, false, "1K");
	expect_size(1ULL << 50, false, "1P");
	expect_size(UINT64_MAX, false, "16E");
	expect_size(67108864, true, "67108864");
	expect_size(0, true, "0");
	expect_size(UINT64_MAX, true, "18446744073709551615");
}

static void test_size_small_buffer(void **state)
{
	char buf[3];

	(void)state;
	assert_int_equal(ctu_out_size(512, false, buf, sizeof(buf)), -ENOBUFS);
	assert_int_equal(ctu_out_size(1234, true, buf, sizeof(buf)), -ENOBUFS);
	assert_int_equal(ctu_out_size(64ULL << 20, false, buf, sizeof(buf)), -ENOBUFS);
	assert_int_equal(ctu_out_size(1536, false, buf, sizeof(buf)), -ENOBUFS);
	assert_int_equal(ctu_out_size(1024, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1K");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_noheadings),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_size_small_buffer),
	};

	return cmocka_run_group_tests_name("out", tests, NULL, NULL);
}
