// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/dlsym.c: libraries loaded on first use, and their failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ctu.h"
#include "dlsym.h"
#include "lazy-mount.h"
#include "lazy-scols.h"

/* a table of a library that does not exist */
#define NOPE_FUNCTIONS(X) X(strlen)
CTU_DL_DECLARE(nope, nope_fns, NOPE_FUNCTIONS);
CTU_DL_TABLE(nope, nope_fns, "libctu-no-such.so.9", NOPE_FUNCTIONS)

static void test_loads_every_symbol(void **state)
{
	size_t (*my_strlen)(const char *) = NULL;
	void *my_strcmp = NULL;
	const struct ctu_dlsym syms[] = { { "strlen", (void **)&my_strlen },
					  { "strcmp", &my_strcmp } };
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_dlopen_symbols("libc.so.6", syms, 2, &err), 0);
	assert_null(err);
	assert_non_null(my_strcmp);
	assert_int_equal(my_strlen("four"), 4);
}

static void test_missing_library_is_named(void **state)
{
	void *slot = NULL;
	const struct ctu_dlsym syms[] = { { "strlen", &slot } };
	ctu_err_t err = NULL;

	(void)state;
	assert_true(ctu_dlopen_symbols("libctu-no-such.so.9", syms, 1, &err) < 0);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "cannot load libctu-no-such.so.9"));
	ctu_err_free(&err);
}

static void test_missing_symbol_is_named(void **state)
{
	void *a = NULL, *b = NULL;
	const struct ctu_dlsym syms[] = { { "strlen", &a }, { "ctu_no_such_function", &b } };
	ctu_err_t err = NULL;

	(void)state;
	assert_true(ctu_dlopen_symbols("libc.so.6", syms, 2, &err) < 0);
	assert_non_null(strstr(err->msg, "libc.so.6: it has no ctu_no_such_function"));
	ctu_err_free(&err);
}

static void test_table_try_reports(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	assert_null(nope_try(&err));
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "cannot load libctu-no-such.so.9"));
	ctu_err_free(&err);
	/* and again: a failed load is not remembered as a success */
	assert_null(nope_try(&err));
	ctu_err_free(&err);
}

static void test_lazy_tables_load(void **state)
{
	ctu_err_t err = NULL;
	struct libscols_table *tb;
	struct libmnt_table *mt;

	(void)state;
	assert_non_null(ctu_libmount_try(&err));
	assert_null(err);
	assert_non_null(ctu_scols_try(&err));
	assert_null(err);
	/* the usual names go through the tables (a member's name is a macro too) */
	mt = mnt_new_table();
	assert_non_null(mt);
	mnt_unref_table(mt);
	tb = scols_new_table();
	assert_non_null(tb);
	scols_unref_table(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_every_symbol),
		cmocka_unit_test(test_missing_library_is_named),
		cmocka_unit_test(test_missing_symbol_is_named),
		cmocka_unit_test(test_table_try_reports),
		cmocka_unit_test(test_lazy_tables_load),
	};

	return cmocka_run_group_tests_name("dlsym", tests, NULL, NULL);
}
