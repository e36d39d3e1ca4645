// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/cg.c on fake cgroup directories (files in a temp
 * dir): a cgroup's line in /proc/PID/cgroup, values read back as cgroup
 * v2 names them (the v1 files translated), and the usage metrics of one
 * hierarchy or all.  Nothing here needs root or a real cgroup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "ctu.h"
#include "tree.h"

static char tmp[64];

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ctu-test-cg.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	(void)state;
	return ctu_tree_remove(AT_FDCWD, tmp) == 0 ? 0 : -1;
}

static void put(const char *file, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_read(const struct ctu_cg_hier *h, const char *key, const char *want)
{
	char out[256];

	assert_int_equal(ctu_cg_read_in(h, tmp, key, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_path_of(void **state)
{
	struct ctu_cg_hier v2 = { .v2 = true }, pids = { .ctrls = "pids" }, cpu = { .ctrls = "cpu" };
	_cleanup_close_ int dirfd = -1;
	char out[64];

	(void)state;
	put("cgroup", "12:pids:/a/b\n1:name=systemd:/s\n0::/u/v\n");
	dirfd = open(tmp, O_PATH | O_DIRECTORY);
	assert_true(dirfd >= 0);
	assert_int_equal(ctu_cg_path_of(dirfd, "cgroup", &v2, out, sizeof(out)), 0);
	assert_string_equal(out, "/u/v");
	assert_int_equal(ctu_cg_path_of(dirfd, "cgroup", &pids, out, sizeof(out)), 0);
	assert_string_equal(out, "/a/b");
	assert_int_equal(ctu_cg_path_of(dirfd, "cgroup", &cpu, out, sizeof(out)), -ENOENT);
	assert_string_equal(out, "");
	assert_int_equal(ctu_cg_path_of(dirfd, "none", &cpu, out, sizeof(out)), -ENOENT);
	assert_string_equal(ctu_cg_hier_name(&v2), "unified");
	assert_string_equal(ctu_cg_hier_name(&pids), "pids");
}

static void test_v1_values(void **state)
{
	struct ctu_cg_hier cpu = { .ctrls = "cpu,cpuacct" }, mem = { .ctrls = "memory" };

	(void)state;
	put("cpu.cfs_quota_us", "-1\n");
	put("cpu.cfs_period_us", "100000\n");
	put("cpu.shares", "1024\n");
	expect_read(&cpu, "cpu.max", "max 100000");
	expect_read(&cpu, "cpu.weight", "100");
	put("cpu.cfs_quota_us", "50000\n");
	expect_read(&cpu, "cpu.max", "50000 100000");
	put("memory.limit_in_bytes", "9223372036854771712\n");
	put("memory.memsw.limit_in_bytes", "67108864\n");
	expect_read(&mem, "memory.max", "max");
	expect_read(&mem, "memory.swap.max", "67108864");
	put("pids.max", "max\n");
	expect_read(&mem, "pids.max", "max");
	assert_int_equal(ctu_cg_shares_to_weight(2), 1);
	assert_int_equal(ctu_cg_blkio_to_io_weight(500), 4950);
}

static void test_v2_values_and_fake_tree(void **state)
{
	struct ctu_cg_hiers hs;
	ctu_err_t err = NULL;
	char out[64];

	(void)state;
	assert_int_equal(ctu_cg_detect(&hs, tmp, true, NULL, &err), 0);
	assert_int_equal(hs.layout, CTU_CG_FAKE);
	assert_int_equal(hs.n, 1);
	/* a fake tree offers every controller, and no base even with self */
	assert_ptr_equal(ctu_cg_hier_for(&hs, "memory"), &hs.h[0]);
	assert_string_equal(hs.h[0].base, "");
	put("memory.max", "67108864\n");
	assert_int_equal(ctu_cg_read_value(&hs, "", "memory.max", out, sizeof(out)), 0);
	assert_string_equal(out, "67108864");
	assert_true(ctu_cg_read_value(&hs, "", "memory.high", out, sizeof(out)) < 0);
}

static void put_usage_files(void)
{
	put("memory.current", "4096\n");
	put("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
	put("cpu.stat", "usage_usec 500\nuser_usec 400\nnr_throttled 7\nthrottled_usec 9\n");
	put("pids.current", "3\n");
	put("io.stat", "8:0 rbytes=10 wbytes=20 rios=1\n8:16 rbytes=1 wbytes=2 rios=1\n");
	put("cgroup.procs", "42\n");
	put("cgroup.events", "populated 1\nfrozen 0\n");
}

static void test_stat(void **state)
{
	static const struct {
		const char *name;
		uint64_t value;
		bool bytes;
	} want[] = {
		{ "memory.current", 4096, true }, { "memory.events.oom", 1, false },
		{ "memory.events.oom_kill", 2, false }, { "cpu.usage_usec", 500, false },
		{ "cpu.nr_throttled", 7, false }, { "cpu.throttled_usec", 9, false },
		{ "pids.current", 3, false }, { "io.read_bytes", 11, true },
		{ "io.write_bytes", 22, true }, { "populated", 1, false }, { "frozen", 0, false },
	};
	struct ctu_cg_metric m[CTU_CG_METRICS_MAX];
	struct ctu_cg_hiers hs;
	ctu_err_t err = NULL;
	size_t n;

	(void)state;
	put_usage_files();
	assert_int_equal(ctu_cg_detect(&hs, tmp, false, NULL, &err), 0);
	n = ctu_cg_stat(&hs, "", m);
	assert_int_equal(n, CTU_ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(m[i].name, want[i].name);
		assert_int_equal(m[i].value, want[i].value);
		assert_int_equal(m[i].bytes, want[i].bytes);
	}
	/* one hierarchy's own share: the same here, where one holds everything */
	assert_int_equal(ctu_cg_stat_in(&hs, &hs.h[0], tmp, m), n);
}

static void test_path_check(void **state)
{
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_cg_path_check("web/app", &err), 0);
	assert_true(ctu_cg_path_check("web/../x", &err) < 0);
	assert_non_null(strstr(err->msg, "'.' and '..'"));
	ctu_err_free(&err);
	assert_true(ctu_cg_path_check("web/cpu.max", &err) < 0);
	assert_non_null(strstr(err->msg, "interface file"));
	ctu_err_free(&err);
	assert_true(ctu_cg_path_check("", &err) < 0);
	ctu_err_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_of),
		cmocka_unit_test(test_v1_values),
		cmocka_unit_test(test_v2_values_and_fake_tree),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_path_check),
	};

	return cmocka_run_group_tests_name("lib/cg", tests, make_tmp, remove_tmp);
}
