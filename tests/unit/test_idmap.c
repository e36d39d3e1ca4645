// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/idmap.c: range parsing, holes, formatting, subuid files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ctu.h"
#include "idmap.h"

static void test_parse_range(void **state)
{
	struct ctu_idmap_range r;

	(void)state;
	assert_int_equal(ctu_idmap_parse_range("0:100000:65536", &r), 0);
	assert_int_equal(r.inner, 0);
	assert_int_equal(r.outer, 100000);
	assert_int_equal(r.count, 65536);
	assert_int_equal(ctu_idmap_parse_range("4294967295:0:1", &r), 0);
	assert_int_equal(ctu_idmap_parse_range("4294967295:0:2", &r), -ERANGE);
	assert_int_equal(ctu_idmap_parse_range("0:4294967295:2", &r), -ERANGE);
	assert_int_equal(ctu_idmap_parse_range("0:0:0", &r), -ERANGE);
	assert_int_equal(ctu_idmap_parse_range("0:0", &r), -EINVAL);
	assert_int_equal(ctu_idmap_parse_range("0:0:1:1", &r), -EINVAL);
	assert_int_equal(ctu_idmap_parse_range("-1:0:1", &r), -EINVAL);
	assert_int_equal(ctu_idmap_parse_range("a:b:c", &r), -EINVAL);
	assert_int_equal(ctu_idmap_parse_range("", &r), -EINVAL);
	assert_int_equal(ctu_idmap_parse_range("::", &r), -EINVAL);
	assert_int_equal(ctu_idmap_parse_range("0:0:4294967296", &r), -ERANGE);
}

static void test_add_overlap(void **state)
{
	struct ctu_idmap m = { .n = 0 };
	struct ctu_idmap_range a = { 0, 1000, 10 }, b = { 5, 5000, 10 }, c = { 100, 1005, 1 },
			       d = { 10, 2000, 5 };

	(void)state;
	assert_int_equal(ctu_idmap_add(&m, &a), 0);
	assert_int_equal(ctu_idmap_add(&m, &b), -EEXIST); /* inner overlap */
	assert_int_equal(ctu_idmap_add(&m, &c), -EEXIST); /* outer overlap */
	assert_int_equal(ctu_idmap_add(&m, &d), 0);	  /* adjacent is fine */
	assert_int_equal(m.n, 2);
}

static void test_add_limit(void **state)
{
	struct ctu_idmap m = { .n = 0 };

	(void)state;
	for (uint32_t i = 0; i < CTU_IDMAP_MAX; i++) {
		struct ctu_idmap_range r = { i, 1000 + i, 1 };

		assert_int_equal(ctu_idmap_add(&m, &r), 0);
	}
	struct ctu_idmap_range one_more = { 9999, 9999, 1 };
	assert_int_equal(ctu_idmap_add(&m, &one_more), -E2BIG);
}

static void test_single_punches_holes(void **state)
{
	struct ctu_idmap m = { .n = 0 };
	struct ctu_idmap_range r = { 0, 100000, 65536 };
	char buf[256];

	(void)state;
	/* at the start of the range: the range shrinks from the front */
	assert_int_equal(ctu_idmap_add(&m, &r), 0);
	assert_int_equal(ctu_idmap_add_single(&m, 0, 1000), 0);
	assert_int_equal(ctu_idmap_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1 100001 65535\n0 1000 1\n");

	/* in the middle: two pieces */
	m.n = 0;
	assert_int_equal(ctu_idmap_add(&m, &r), 0);
	assert_int_equal(ctu_idmap_add_single(&m, 10, 1000), 0);
	assert_int_equal(ctu_idmap_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 100000 10\n11 100011 65525\n10 1000 1\n");

	/* at the end */
	m.n = 0;
	assert_int_equal(ctu_idmap_add(&m, &r), 0);
	assert_int_equal(ctu_idmap_add_single(&m, 65535, 1000), 0);
	assert_int_equal(ctu_idmap_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 100000 65535\n65535 1000 1\n");

	/* the outer id inside a range: a hole on the outside */
	m.n = 0;
	assert_int_equal(ctu_idmap_add(&m, &r), 0);
	assert_int_equal(ctu_idmap_add_single(&m, 70000, 100005), 0);
	assert_int_equal(ctu_idmap_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 100000 5\n6 100006 65530\n70000 100005 1\n");

	/* a range of one that is exactly the single id disappears */
	m.n = 0;
	struct ctu_idmap_range one = { 0, 1000, 1 };
	assert_int_equal(ctu_idmap_add(&m, &one), 0);
	assert_int_equal(ctu_idmap_add_single(&m, 0, 2000), 0);
	assert_int_equal(ctu_idmap_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 2000 1\n");
}

static void test_format_too_small(void **state)
{
	struct ctu_idmap m = { .n = 0 };
	struct ctu_idmap_range r = { 0, 100000, 65536 };
	char buf[8];

	(void)state;
	assert_int_equal(ctu_idmap_add(&m, &r), 0);
	assert_int_equal(ctu_idmap_format(&m, buf, sizeof(buf)), -ENOSPC);
}

static void test_subid_lookup(void **state)
{
	char path[] = "/tmp/ctu-subuid-XXXXXX";
	int fd = mkstemp(path);
	uint32_t start = 0, count = 0;
	static const char text[] = "alice:100000:65536\n"
				   "broken-line\n"
				   "1001:200000:1000\n"
				   "bob:x:1\n"
				   "bob:300000:0\n"
				   "bob:400000:10\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(ctu_subid_lookup(path, "alice", 1000, &start, &count), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(count, 65536);
	/* by number when the name is not there */
	assert_int_equal(ctu_subid_lookup(path, "carol", 1001, &start, &count), 0);
	assert_int_equal(start, 200000);
	/* junk and empty ranges are skipped */
	assert_int_equal(ctu_subid_lookup(path, "bob", 1002, &start, &count), 0);
	assert_int_equal(start, 400000);
	assert_int_equal(count, 10);
	assert_int_equal(ctu_subid_lookup(path, "dave", 1003, &start, &count), -ENOENT);
	assert_int_equal(ctu_subid_lookup(path, NULL, 1003, &start, &count), -ENOENT);
	unlink(path);
	assert_int_equal(ctu_subid_lookup(path, "alice", 1000, &start, &count), -ENOENT);
}

static void test_add_current(void **state)
{
	struct ctu_idmap m = { .n = 0 };

	(void)state;
	assert_int_equal(ctu_idmap_add_current(&m, false), 0);
	assert_true(m.n >= 1);
	/* identity: inside and outside ids are the same */
	assert_int_equal(m.r[0].inner, m.r[0].outer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_range),	     cmocka_unit_test(test_add_overlap),
		cmocka_unit_test(test_add_limit),	     cmocka_unit_test(test_single_punches_holes),
		cmocka_unit_test(test_format_too_small),     cmocka_unit_test(test_subid_lookup),
		cmocka_unit_test(test_add_current),
	};

	return cmocka_run_group_tests_name("idmap", tests, NULL, NULL);
}
