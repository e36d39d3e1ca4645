// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for cgctl/units.c: durations and fixed-point decimals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "cgctl/units.h"

static void test_duration(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration("2", &v), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(parse_duration("250ms", &v), 0);
	assert_int_equal(v, 250000);
	assert_int_equal(parse_duration("1.5s", &v), 0);
	assert_int_equal(v, 1500000);
	assert_int_equal(parse_duration("100us", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(parse_duration("2m", &v), 0);
	assert_int_equal(v, 120000000);
	assert_int_equal(parse_duration("1h", &v), 0);
	assert_true(v == 3600000000ULL);
	assert_int_equal(parse_duration("1d", &v), 0);
	assert_true(v == 86400000000ULL);
	assert_int_equal(parse_duration("10x", &v), -EINVAL);
	assert_int_equal(parse_duration("-1s", &v), -EINVAL);
	assert_int_equal(parse_duration("", &v), -EINVAL);
	assert_int_equal(parse_duration("1000000000000000d", &v), -ERANGE);
}

static void test_fixed(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_fixed("0.1", 6, &v), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(parse_fixed("2", 6, &v), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(parse_fixed("1.25", 2, &v), 0);
	assert_int_equal(v, 125);
	assert_int_equal(parse_fixed("1.255", 2, &v), -EINVAL);
	assert_int_equal(parse_fixed("1e3", 2, &v), -EINVAL);
	assert_int_equal(parse_fixed("-1", 2, &v), -EINVAL);
	assert_int_equal(parse_fixed("1", 19, &v), -EINVAL);
	assert_int_equal(parse_fixed("18446744073709551615", 1, &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_fixed),
	};

	return cmocka_run_group_tests_name("cgctl_units", tests, NULL, NULL);
}
