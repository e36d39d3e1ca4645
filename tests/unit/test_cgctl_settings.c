// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for cgctl/settings.c: validation and the v2 -> v1 translation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cgctl/settings.h"
#include "ctu.h"

static bool all_exist(const char *file, void *ctx)
{
	(void)file;
	(void)ctx;
	return true;
}

static bool none_exist(const char *file, void *ctx)
{
	(void)file;
	(void)ctx;
	return false;
}

static bool only_bfq(const char *file, void *ctx)
{
	(void)ctx;
	return strcmp(file, "blkio.bfq.weight") == 0;
}

static void expect_normalized(const char *kv, const char *value)
{
	struct setting s;
	_cleanup_err_ ctu_err_t err = NULL;

	assert_int_equal(setting_parse(kv, &s, &err), 0);
	assert_null(err);
	assert_string_equal(s.value, value);
}

static void expect_invalid(const char *kv)
{
	struct setting s;
	_cleanup_err_ ctu_err_t err = NULL;

	assert_int_equal(setting_parse(kv, &s, &err), -EINVAL);
	/* a refusal says why, as a usage error without an errno */
	assert_non_null(err);
	assert_non_null(err->msg);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_int_equal(err->errnum, 0);
}

static void test_validation(void **state)
{
	(void)state;
	expect_normalized("memory.max=32M", "33554432");
	expect_normalized("memory.max=max", "max");
	expect_normalized("memory.swap.max=1G", "1073741824");
	expect_normalized("pids.max=8", "8");
	expect_normalized("pids.max=max", "max");
	expect_normalized("cpu.max=50000 100000", "50000 100000");
	expect_normalized("cpu.max=50000", "50000 100000");
	expect_normalized("cpu.max=max", "max 100000");
	expect_normalized("cpu.weight=100", "100");
	expect_normalized("cpuset.cpus=0-3,5", "0-3,5");
	expect_normalized("hugetlb.2MB.max=0", "0");
	expect_invalid("memory.max=-1");
	expect_invalid("memory.max=12Q");
	expect_invalid("memory.max=");
	expect_invalid("pids.max=-1");
	expect_invalid("pids.max=many");
	expect_invalid("cpu.max=500 100000");
	expect_invalid("cpu.max=50000 100");
	expect_invalid("cpu.max=1 2 3");
	expect_invalid("cpu.weight=0");
	expect_invalid("cpu.weight=10001");
	expect_invalid("io.weight=x");
	expect_invalid("cpuset.cpus=3-1");
	expect_invalid("cpuset.cpus=0-");
	expect_invalid("cpuset.cpus=a");
	expect_invalid("noequals");
	expect_invalid("=5");
	expect_invalid("Memory.max=5");
	expect_invalid("memory=5");
	expect_invalid("../etc/passwd=5");
	expect_invalid("memory.max=1\n2");
}

static void test_settings_add_replaces(void **state)
{
	struct settings all = { .n = 0 };
	struct setting a, b;
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(setting_parse("memory.max=1M", &a, &err), 0);
	assert_int_equal(setting_parse("memory.max=2M", &b, &err), 0);
	assert_int_equal(settings_add(&all, &a), 0);
	assert_int_equal(settings_add(&all, &b), 0);
	assert_int_equal(all.n, 1);
	assert_string_equal(all.s[0].value, "2097152");
}

static void test_shares_weight(void **state)
{
	(void)state;
	/* the log-quadratic mapping: 1024 shares is weight 100 */
	assert_int_equal(shares_to_weight(1024), 100);
	assert_int_equal(weight_to_shares(100), 1024);
	assert_int_equal(shares_to_weight(2), 1);
	assert_int_equal(shares_to_weight(262144), 10000);
	assert_int_equal(shares_to_weight(0), 0);
	assert_int_equal(weight_to_shares(1), 2);
	assert_int_equal(weight_to_shares(10000), 262144);
	/* not the old linear one, which maps 1024 to 39 */
	assert_int_not_equal(shares_to_weight(1024), 39);
	/* every weight survives the round trip */
	for (uint64_t w = 1; w <= 10000; w++)
		assert_int_equal(shares_to_weight(weight_to_shares(w)), w);
	/* monotonic */
	for (uint64_t s = 3; s < 262144; s += 97)
		assert_true(shares_to_weight(s) >= shares_to_weight(s - 1));
}

static void test_blkio_weight(void **state)
{
	(void)state;
	assert_int_equal(blkio_to_io_weight(10), 1);
	assert_int_equal(blkio_to_io_weight(1000), 10000);
	assert_int_equal(io_to_blkio_weight(1), 10);
	assert_int_equal(io_to_blkio_weight(10000), 1000);
	assert_int_equal(io_to_blkio_weight(100), 20);
}

static int translate(const char *kv, const struct settings *all, bool (*exists)(const char *, void *),
		     struct write_op ops[SETTING_OPS_MAX], ctu_err_t *err)
{
	struct setting s;

	ctu_err_free(err);
	assert_int_equal(setting_parse(kv, &s, err), 0);
	return setting_to_v1(&s, all, exists, NULL, ops, err);
}

static void test_v1_translation(void **state)
{
	struct write_op ops[SETTING_OPS_MAX];
	struct settings all = { .n = 0 };
	struct setting mem;
	_cleanup_err_ ctu_err_t why = NULL;

	(void)state;
	assert_int_equal(translate("memory.max=32M", NULL, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].file, "memory.limit_in_bytes");
	assert_string_equal(ops[0].value, "33554432");
	assert_int_equal(translate("memory.max=max", NULL, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].value, "-1");
	assert_int_equal(translate("cpu.max=50000 100000", NULL, all_exist, ops, &why), 2);
	assert_string_equal(ops[0].file, "cpu.cfs_period_us");
	assert_string_equal(ops[0].value, "100000");
	assert_string_equal(ops[1].file, "cpu.cfs_quota_us");
	assert_string_equal(ops[1].value, "50000");
	assert_int_equal(translate("cpu.max=max 50000", NULL, all_exist, ops, &why), 2);
	assert_string_equal(ops[1].value, "-1");
	assert_int_equal(translate("cpu.weight=100", NULL, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].file, "cpu.shares");
	assert_string_equal(ops[0].value, "1024");
	assert_int_equal(translate("pids.max=max", NULL, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].file, "pids.max");
	assert_string_equal(ops[0].value, "max");
	assert_int_equal(translate("io.weight=10000", NULL, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].file, "blkio.weight");
	assert_string_equal(ops[0].value, "1000");
	assert_int_equal(translate("io.weight=100", NULL, only_bfq, ops, &why), 1);
	assert_string_equal(ops[0].file, "blkio.bfq.weight");
	assert_int_equal(translate("io.weight=100", NULL, none_exist, ops, &why), -EOPNOTSUPP);
	assert_non_null(strstr(why->msg, "blkio.weight"));
	assert_int_equal(why->kind, CTU_ERR_FAILURE);
	assert_int_equal(translate("memory.high=1M", NULL, all_exist, ops, &why), -EOPNOTSUPP);
	/* a raw v1 file passes through */
	assert_int_equal(translate("memory.soft_limit_in_bytes=1000", NULL, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].file, "memory.soft_limit_in_bytes");
	/* swap: memory + swap together */
	assert_int_equal(translate("memory.swap.max=16M", &all, all_exist, ops, &why), -EOPNOTSUPP);
	assert_int_equal(setting_parse("memory.max=32M", &mem, &why), 0);
	assert_int_equal(settings_add(&all, &mem), 0);
	assert_int_equal(translate("memory.swap.max=16M", &all, all_exist, ops, &why), 1);
	assert_string_equal(ops[0].file, "memory.memsw.limit_in_bytes");
	assert_string_equal(ops[0].value, "50331648");
	assert_int_equal(translate("memory.swap.max=16M", &all, none_exist, ops, &why), -EOPNOTSUPP);
}

static void expect_cpus(const char *cpus, const char *value)
{
	struct setting s;
	_cleanup_err_ ctu_err_t err = NULL;

	if (value) {
		assert_int_equal(setting_cpus(cpus, &s, &err), 0);
		assert_string_equal(s.key, "cpu.max");
		assert_string_equal(s.value, value);
	} else {
		assert_int_equal(setting_cpus(cpus, &s, &err), -EINVAL);
		assert_int_equal(err->kind, CTU_ERR_USAGE);
	}
}

static void test_cpus(void **state)
{
	(void)state;
	expect_cpus("0.5", "50000 100000");
	expect_cpus("2", "200000 100000");
	expect_cpus("0.01", "1000 100000");
	expect_cpus("0", NULL);
	expect_cpus("0.001", NULL);
	expect_cpus("-2", NULL);
	expect_cpus("lots", NULL);
	expect_cpus("1024.1", NULL);
}

static void test_v1_values_back(void **state)
{
	char out[64];

	(void)state;
	v1_value_to_v2("memory.max", "9223372036854771712\n", out, sizeof(out));
	assert_string_equal(out, "max");
	v1_value_to_v2("memory.max", "33554432\n", out, sizeof(out));
	assert_string_equal(out, "33554432");
	v1_value_to_v2("cpu.weight", "1024\n", out, sizeof(out));
	assert_string_equal(out, "100");
	v1_value_to_v2("pids.max", "max\n", out, sizeof(out));
	assert_string_equal(out, "max");
	assert_string_equal(v1_file_for("memory.max"), "memory.limit_in_bytes");
	assert_string_equal(v1_file_for("cpu.weight"), "cpu.shares");
	assert_string_equal(v1_file_for("pids.max"), "pids.max");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),   cmocka_unit_test(test_settings_add_replaces),
		cmocka_unit_test(test_shares_weight), cmocka_unit_test(test_blkio_weight),
		cmocka_unit_test(test_v1_translation), cmocka_unit_test(test_v1_values_back),
		cmocka_unit_test(test_cpus),
	};

	return cmocka_run_group_tests_name("cgctl_settings", tests, NULL, NULL);
}
