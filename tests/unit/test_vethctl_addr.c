// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for vethctl/addr.c: IP prefixes and MAC addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>

#include "vethctl/addr.h"

static void test_cidr(void **state)
{
	struct cidr c;
	struct in6_addr v6;

	(void)state;
	assert_int_equal(parse_cidr("10.1.2.3/24", true, &c), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.prefix, 24);
	assert_true(c.has_prefix);
	assert_int_equal(ntohl(c.addr.v4.s_addr), 0x0a010203);
	assert_int_equal(parse_cidr("10.1.2.3", false, &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_false(c.has_prefix);
	assert_int_equal(parse_cidr("10.1.2.3", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("10.1.2.3/33", true, &c), -ERANGE);
	assert_int_equal(parse_cidr("10.1.2.3/", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("10.1.2.3/-1", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("10.1.2/24", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("256.1.2.3/24", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("/24", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("", false, &c), -EINVAL);
	assert_int_equal(parse_cidr("fd00::1/64", true, &c), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(c.prefix, 64);
	inet_pton(AF_INET6, "fd00::1", &v6);
	assert_memory_equal(&c.addr.v6, &v6, sizeof(v6));
	assert_int_equal(parse_cidr("::", false, &c), 0);
	assert_int_equal(c.prefix, 128);
	assert_int_equal(parse_cidr("::ffff:10.0.0.1/96", true, &c), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(parse_cidr("fe80::1%eth0", false, &c), -EINVAL);
	assert_int_equal(parse_cidr("fd00::1/129", true, &c), -ERANGE);
	assert_int_equal(parse_cidr("fd00:::1/64", true, &c), -EINVAL);
	assert_int_equal(parse_cidr("0000:0000:0000:0000:0000:0000:0000:0000:0000/64", true, &c),
			 -EINVAL);
}

static void test_mac(void **state)
{
	unsigned char m[6];
	static const unsigned char want[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0xff };

	(void)state;
	assert_int_equal(parse_mac("02:42:ac:11:00:ff", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(parse_mac("02-42-AC-11-00-FF", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(parse_mac("02:42-ac:11:00:ff", m), -EINVAL);
	assert_int_equal(parse_mac("02:42:ac:11:00", m), -EINVAL);
	assert_int_equal(parse_mac("02:42:ac:11:00:ff:", m), -EINVAL);
	assert_int_equal(parse_mac("02:42:ac:11:00:fg", m), -EINVAL);
	assert_int_equal(parse_mac("2:42:ac:11:00:ff:", m), -EINVAL);
	assert_int_equal(parse_mac("", m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests_name("vethctl_addr", tests, NULL, NULL);
}
