// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/parse.c: every parser, with its edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "ctu.h"
#include "parse.h"

static void test_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(ctu_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ctu_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(ctu_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(ctu_parse_u64("", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64(NULL, &v), -EINVAL);
	assert_int_equal(ctu_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64("+1", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64("1 ", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64("12abc", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64("0x10", &v), -EINVAL);
	assert_int_equal(ctu_parse_u64("007", &v), 0);
	assert_int_equal(v, 7);
}

static void test_s64(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(ctu_parse_s64("-5", &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(ctu_parse_s64("+5", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(ctu_parse_s64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(ctu_parse_s64("9223372036854775808", &v), -ERANGE);
	assert_int_equal(ctu_parse_s64("-9223372036854775809", &v), -ERANGE);
	assert_int_equal(ctu_parse_s64("-", &v), -EINVAL);
	assert_int_equal(ctu_parse_s64("--1", &v), -EINVAL);
	assert_int_equal(ctu_parse_s64("1.0", &v), -EINVAL);
	assert_int_equal(ctu_parse_s64("", &v), -EINVAL);
}

static void test_ranges(void **state)
{
	uint64_t u;
	int64_t s;
	uint32_t u32;
	int i;

	(void)state;
	assert_int_equal(ctu_parse_u64_range("5", 1, 10, &u), 0);
	assert_int_equal(ctu_parse_u64_range("0", 1, 10, &u), -ERANGE);
	assert_int_equal(ctu_parse_u64_range("11", 1, 10, &u), -ERANGE);
	assert_int_equal(ctu_parse_s64_range("-11", -10, 10, &s), -ERANGE);
	assert_int_equal(ctu_parse_u32("4294967295", &u32), 0);
	assert_true(u32 == UINT32_MAX);
	assert_int_equal(ctu_parse_u32("4294967296", &u32), -ERANGE);
	assert_int_equal(ctu_parse_int("2147483647", &i), 0);
	assert_int_equal(ctu_parse_int("-2147483648", &i), 0);
	assert_int_equal(ctu_parse_int("2147483648", &i), -ERANGE);
}

static void test_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(ctu_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ctu_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(ctu_parse_size("64k", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(ctu_parse_size("32M", &v), 0);
	assert_int_equal(v, 32 << 20);
	assert_int_equal(ctu_parse_size("2GiB", &v), 0);
	assert_true(v == 2ULL << 30);
	assert_int_equal(ctu_parse_size("1TB", &v), 0);
	assert_true(v == 1ULL << 40);
	assert_int_equal(ctu_parse_size("1.5M", &v), 0);
	assert_int_equal(v, 3 << 19);
	assert_int_equal(ctu_parse_size("10B", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(ctu_parse_size("max", &v), 0);
	assert_true(v == CTU_SIZE_MAX);
	assert_int_equal(ctu_parse_size("16E", &v), -ERANGE);
	assert_int_equal(ctu_parse_size("15E", &v), 0);
	assert_int_equal(ctu_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(ctu_parse_size("12Q", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("12KX", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("1.5", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("1.", &v), -EINVAL);
	assert_int_equal(ctu_parse_size(".5M", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("-1M", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("M", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("MAX", &v), -EINVAL);
	assert_int_equal(ctu_parse_size("1.0000000000000000001K", &v), -EINVAL);
}

static void test_signal_every_name(void **state)
{
	static const char *const names[] = {
		"HUP",	"INT",	"QUIT", "ILL",	"TRAP", "ABRT",	  "IOT",  "BUS",   "FPE",
		"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",	  "TERM", "STKFLT", "CHLD",
		"CLD",	"CONT", "STOP", "TSTP", "TTIN", "TTOU",	  "URG",  "XCPU",  "XFSZ",
		"VTALRM", "PROF", "WINCH", "IO", "POLL", "PWR",	  "SYS",
	};
	char buf[32];
	int sig, sig2;

	(void)state;
	for (size_t i = 0; i < CTU_ARRAY_SIZE(names); i++) {
		assert_int_equal(ctu_parse_signal(names[i], &sig), 0);
		snprintf(buf, sizeof(buf), "SIG%s", names[i]);
		assert_int_equal(ctu_parse_signal(buf, &sig2), 0);
		assert_int_equal(sig, sig2);
		/* the name printed back parses to the same signal */
		assert_non_null(ctu_signal_name(sig));
		assert_int_equal(ctu_parse_signal(ctu_signal_name(sig), &sig2), 0);
		assert_int_equal(sig, sig2);
	}
	for (int s = 1; s < SIGRTMIN; s++) {
		if (s == 32 || s == 33) /* reserved by glibc for its threads */
			continue;
		assert_non_null(ctu_signal_name(s));
	}
}

static void test_signal_forms(void **state)
{
	int sig;

	(void)state;
	assert_int_equal(ctu_parse_signal("TERM", &sig), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(ctu_parse_signal("sigkill", &sig), 0);
	assert_int_equal(sig, SIGKILL);
	assert_int_equal(ctu_parse_signal("9", &sig), 0);
	assert_int_equal(sig, 9);
	assert_int_equal(ctu_parse_signal("RTMIN", &sig), 0);
	assert_int_equal(sig, SIGRTMIN);
	assert_int_equal(ctu_parse_signal("SIGRTMIN+2", &sig), 0);
	assert_int_equal(sig, SIGRTMIN + 2);
	assert_int_equal(ctu_parse_signal("RTMAX-1", &sig), 0);
	assert_int_equal(sig, SIGRTMAX - 1);
	assert_int_equal(ctu_parse_signal("RTMAX", &sig), 0);
	assert_int_equal(sig, SIGRTMAX);
	assert_int_equal(ctu_parse_signal("RTMIN-1", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("RTMIN+99", &sig), -ERANGE);
	assert_int_equal(ctu_parse_signal("0", &sig), -ERANGE);
	assert_int_equal(ctu_parse_signal("65", &sig), -ERANGE);
	assert_int_equal(ctu_parse_signal("-9", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("SIG", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("BOGUS", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("TERMX", &sig), -EINVAL);
	assert_null(ctu_signal_name(0));
	assert_null(ctu_signal_name(1000));
	/* found by fuzz_parse: "42" and "32" parsed as signals that had no name */
	assert_int_equal(ctu_parse_signal("32", &sig), -ERANGE);
	assert_int_equal(ctu_parse_signal("33", &sig), -ERANGE);
	assert_int_equal(ctu_parse_signal("RTMIN+-1", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("RTMAX--1", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("RTMIN+ 1", &sig), -EINVAL);
	assert_int_equal(ctu_parse_signal("42", &sig), 0);
	assert_string_equal(ctu_signal_name(sig), "RTMIN+8");
	assert_string_equal(ctu_signal_name(SIGRTMIN), "RTMIN");
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++) {
		int back;

		assert_int_equal(ctu_parse_signal(ctu_signal_name(s), &back), 0);
		assert_int_equal(back, s);
	}
}

static void test_ids(void **state)
{
	uid_t u;
	gid_t g;

	(void)state;
	assert_int_equal(ctu_parse_uid("0", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(ctu_parse_uid("root", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(ctu_parse_uid("nobody", &u), 0);
	assert_int_equal(u, 65534);
	assert_int_equal(ctu_parse_uid("4294967294", &u), 0);
	assert_int_equal(ctu_parse_uid("4294967295", &u), -ERANGE);
	assert_int_equal(ctu_parse_uid("-1", &u), -ENOENT);
	assert_int_equal(ctu_parse_uid("1x", &u), -EINVAL);
	assert_int_equal(ctu_parse_uid("", &u), -EINVAL);
	assert_int_equal(ctu_parse_uid("no-such-user-ctu", &u), -ENOENT);
	assert_int_equal(ctu_parse_gid("root", &g), 0);
	assert_int_equal(g, 0);
	assert_int_equal(ctu_parse_gid("100", &g), 0);
	assert_int_equal(g, 100);
	assert_int_equal(ctu_parse_gid("no-such-group-ctu", &g), -ENOENT);
	assert_int_equal(ctu_parse_gid("99999999999", &g), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_s64),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_signal_every_name),
		cmocka_unit_test(test_signal_forms),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
