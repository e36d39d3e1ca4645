// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/ovl.c: an overlay's layers read back from its
 * superblock options, as mountinfo shows them on every kernel form
 * (lowerdir=A:B::D, lowerdir+= and datadir+= of 6.8+, relative paths).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmount.h>

#include "ovl.h"

static void assert_layers(const struct ctu_strv *l, const char *const *want, size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], want[i]);
}

static void test_lowerdir_list(void **state)
{
	static const char *const lower[] = { "/a", "/b:c", "/d" };
	static const char *const data[] = { "/d1", "/d2" };
	static const char *const other[] = { "rw", "index=off", "redirect_dir=follow" };
	struct ctu_ovl_stack st = { 0 };

	(void)state;
	assert_int_equal(ctu_ovl_stack_from_options("rw,lowerdir=/a:/b\\:c:/d::/d1::/d2,upperdir=/u,"
						    "workdir=/w,index=off,redirect_dir=follow",
						    &st),
			 0);
	assert_layers(&st.lower, lower, 3);
	assert_layers(&st.data, data, 2);
	assert_layers(&st.other, other, 3);
	assert_string_equal(st.upper, "/u");
	assert_string_equal(st.work, "/w");
	ctu_ovl_stack_free(&st);
	assert_null(st.upper);
	assert_int_equal(st.lower.n, 0);
}

static void test_lowerdir_plus(void **state)
{
	static const char *const lower[] = { "/l1", "/l2" };
	static const char *const data[] = { "/d1" };
	struct ctu_ovl_stack st = { 0 };

	(void)state;
	/* one layer an option; an empty one (never the kernel's) is dropped; a later upperdir wins */
	assert_int_equal(ctu_ovl_stack_from_options("lowerdir+=/l1,lowerdir+=,lowerdir+=/l2,"
						    "datadir+=/d1,datadir+=,upperdir=/u1,upperdir=/u2",
						    &st),
			 0);
	assert_layers(&st.lower, lower, 2);
	assert_layers(&st.data, data, 1);
	assert_string_equal(st.upper, "/u2");
	assert_null(st.work);
	ctu_ovl_stack_free(&st);
}

static void test_relative_kept(void **state)
{
	static const char *const lower[] = { "l/AAAA", "l/BBBB" };
	struct ctu_ovl_stack st = { 0 };

	(void)state;
	/* containers/storage mounts long stacks from its home, with short relative names */
	assert_int_equal(ctu_ovl_stack_from_options("lowerdir=l/AAAA:l/BBBB,upperdir=c1/diff,"
						    "workdir=c1/work",
						    &st),
			 0);
	assert_layers(&st.lower, lower, 2);
	assert_string_equal(st.upper, "c1/diff");
	assert_string_equal(st.work, "c1/work");
	ctu_ovl_stack_free(&st);
	/* nothing at all: an empty stack */
	assert_int_equal(ctu_ovl_stack_from_options(NULL, &st), 0);
	assert_int_equal(st.lower.n + st.data.n + st.other.n, 0);
	ctu_ovl_stack_free(&st);
}

/* The mountinfo lines, through libmount as the readers get them. */
static void test_from_fs(void **state)
{
	static const char text[] =
		"29 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"612 29 0:77 / /m\\040n rw,relatime - overlay overlay rw,lowerdir=/x\\040y:/z,"
		"upperdir=/u,workdir=/w\n";
	static const char *const lower[] = { "/x y", "/z" };
	struct libmnt_table *tb = mnt_new_table();
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct ctu_ovl_stack st = { 0 };
	struct libmnt_fs *fs;

	(void)state;
	assert_non_null(tb);
	assert_non_null(f);
	assert_int_equal(mnt_table_parse_stream(tb, f, "mountinfo"), 0);
	fclose(f);
	fs = mnt_table_find_target(tb, "/", MNT_ITER_BACKWARD);
	assert_non_null(fs);
	assert_int_equal(ctu_ovl_stack_from_fs(fs, &st), -EINVAL);
	fs = mnt_table_find_target(tb, "/m n", MNT_ITER_BACKWARD);
	assert_non_null(fs);
	assert_int_equal(ctu_ovl_stack_from_fs(fs, &st), 0);
	assert_layers(&st.lower, lower, 2);
	assert_string_equal(st.upper, "/u");
	ctu_ovl_stack_free(&st);
	mnt_unref_table(tb);
}

static void test_from_mount_errors(void **state)
{
	struct ctu_ovl_stack st = { 0 };

	(void)state;
	assert_int_equal(ctu_ovl_stack_from_mount("/no/such/dir", &st), -ENOENT);
	/* "/" is a mount point, of some other filesystem than overlay here */
	if (ctu_ovl_stack_from_mount("/", &st) != 0)
		assert_int_equal(ctu_ovl_stack_from_mount("/", &st), -EINVAL);
	ctu_ovl_stack_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowerdir_list),	   cmocka_unit_test(test_lowerdir_plus),
		cmocka_unit_test(test_relative_kept),	   cmocka_unit_test(test_from_fs),
		cmocka_unit_test(test_from_mount_errors),
	};

	return cmocka_run_group_tests_name("lib/ovl", tests, NULL, NULL);
}
