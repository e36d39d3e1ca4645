// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the parts of ctrun's chain builder (ctrun/chain*.c): the
 * swap rule, resources as cgctl settings (shares, blkio, v1-only ones), the
 * cgroup path rules, HOME from passwd, LISTEN_FDS, the fds' layout, shell
 * quoting of hard strings and --mount's escaping.  The whole chains are in
 * test_ctrun_chain.c.
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
#include <sys/stat.h>
#include <unistd.h>

#include "ctrun/chain.h"
#include "ctu.h"
#include "tree.h"

static struct ct_global global = { .tooldir = "/T" };

#include "ctrun_chain_fixtures.h"

/* ---- resources ---- */

static void test_swap_rule(void **state)
{
	(void)state;
	const char *why = NULL;
	int64_t out = 7;

	assert_int_equal(ct_swap_v2(100, 300, &out, &why), 0);
	assert_int_equal(out, 200);
	assert_int_equal(ct_swap_v2(100, 100, &out, &why), 0);
	assert_int_equal(out, 0);
	assert_int_equal(ct_swap_v2(-1, 0, &out, &why), 0);
	assert_int_equal(out, -1);
	assert_int_equal(ct_swap_v2(100, -1, &out, &why), 0);
	assert_int_equal(out, -1);
	assert_int_equal(ct_swap_v2(100, 0, &out, &why), 0);
	assert_int_equal(out, 0);
	assert_true(ct_swap_v2(0, 300, &out, &why) < 0);
	assert_non_null(strstr(why, "needs a memory limit"));
	assert_true(ct_swap_v2(-1, 300, &out, &why) < 0);
	assert_true(ct_swap_v2(400, 300, &out, &why) < 0);
	assert_non_null(strstr(why, "below the memory limit"));
}

static char *resources_chain(const char *resources, const struct ctu_cg_hiers *hs)
{
	char text[4096];
	json_t *cfg;
	struct ct_chain_in in;
	char *s;

	snprintf(text, sizeof(text),
		 "{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
		 "\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
		 "\"resources\":%s}}",
		 resources);
	cfg = load(text);
	in = create_in(cfg, true, false);
	s = chain_text(&in, hs);
	json_decref(cfg);
	return s;
}

static void test_conversions(void **state)
{
	(void)state;
	struct ctu_cg_hiers v2 = v2_hiers();
	char *s;

	s = resources_chain("{\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":-1,\"period\":50000},"
			    "\"pids\":{\"limit\":-1}}",
			    &v2);
	assert_has(s, "|exec|/ct/c1|--memory|max|-s|memory.swap.max=max|"
		      "-s|cpu.max=max 50000|--pids|max|--device-rule|");
	free(s);
	/* pids 0 is unset; swap equal to the limit: no swap at all (swap.max 0 is not "unset") */
	s = resources_chain(
	    "{\"memory\":{\"limit\":1000,\"swap\":1000},\"pids\":{\"limit\":0},"
	    "\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":1000}]}}",
	    &v2);
	assert_has(s, "|exec|/ct/c1|--memory|1000|-s|memory.swap.max=0|-s|io.weight=8:0 10000|"
		      "--device-rule|");
	free(s);
	s = resources_chain("{\"cpu\":{\"shares\":2,\"period\":10000}}", &v2);
	assert_has(s, "|-s|cpu.shares=2|-s|cpu.max=max 10000|");
	free(s);
}

static void test_v1_only_refused_on_v2(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "{\"memory\":{\"swappiness\":10}}", "/linux/resources/memory/swappiness" },
		{ "{\"memory\":{\"disableOOMKiller\":true}}",
		  "/linux/resources/memory/disableOOMKiller" },
		{ "{\"cpu\":{\"realtimeRuntime\":1000}}", "/linux/resources/cpu/realtimeRuntime" },
		{ "{\"network\":{\"classID\":1}}", "/linux/resources/network/classID" },
		{ "{\"memory\":{\"swap\":100}}", "/linux/resources/memory/swap" },
	};
	struct ctu_cg_hiers v2 = v2_hiers(), hy = hybrid_hiers();

	for (size_t i = 0; i < CTU_ARRAY_SIZE(cases); i++) {
		char text[1024];
		json_t *cfg;
		struct ct_chain_in in;

		snprintf(
		    text, sizeof(text),
		    "{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"user\":{\"uid\":0}},\"root\":"
		    "{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
		    "\"resources\":%s}}",
		    cases[i][0]);
		cfg = load(text);
		in = create_in(cfg, true, false);
		assert_build_fails(&in, &v2, cases[i][1]);
		json_decref(cfg);
	}
	/* on the hybrid host memory is v1's: swappiness is a raw v1 setting */
	{
		char *s = resources_chain(
		    "{\"memory\":{\"swappiness\":10,\"disableOOMKiller\":true}}", &hy);

		assert_has(s, "|-s|memory.swappiness=10|-s|memory.oom_control=1|");
		free(s);
	}
}

/* ---- cgroup paths ---- */

static void cgpath(const char *cfg_text, const char *own, const char *want)
{
	json_t *cfg = load(cfg_text);
	char out[1024];
	ctu_err_t err = NULL;
	int r = ct_cgroup_path_in(cfg, "c1", own, out, sizeof(out), &err);

	if (want[0] == '/') {
		if (r < 0)
			fail_msg("%s: %s", cfg_text, err->msg);
		assert_string_equal(out, want);
	} else {
		assert_true(r < 0);
		if (!strstr(err->msg, want))
			fail_msg("error '%s' lacks '%s'", err->msg, want);
		ctu_err_free(&err);
	}
	json_decref(cfg);
}

static void test_cgroup_path_rules(void **state)
{
	(void)state;
	cgpath("{}", "/user.slice/s.scope", "/user.slice/s.scope/c1");
	cgpath("{}", "", "/c1");
	cgpath("{\"linux\":{}}", "/", "/c1");
	cgpath("{\"linux\":{\"cgroupsPath\":\"/libpod_parent/libpod-x\"}}", "/own",
	       "/libpod_parent/libpod-x");
	cgpath("{\"linux\":{\"cgroupsPath\":\"a//b/./c/\"}}", "/own", "/own/a/b/c");
	cgpath("{\"linux\":{\"cgroupsPath\":\"a/../b\"}}", "/own", "/own/b");
	cgpath("{\"linux\":{\"cgroupsPath\":\"/x/../y\"}}", "/own", "/y");
	cgpath("{\"linux\":{\"cgroupsPath\":\"../sibling\"}}", "/own", "climbs out with '..'");
	cgpath("{\"linux\":{\"cgroupsPath\":\"a/../../b\"}}", "/own", "climbs out");
	cgpath("{\"linux\":{\"cgroupsPath\":\"/../etc\"}}", "/own", "climbs out");
	cgpath("{\"linux\":{\"cgroupsPath\":\"/\"}}", "/own", "the root cgroup");
	cgpath("{\"linux\":{\"cgroupsPath\":\".\"}}", "/own", "ctrun's own cgroup");
	cgpath("{\"linux\":{\"cgroupsPath\":\"system.slice:docker:abc\"}}", "/own",
	       "use the cgroupfs manager");
	cgpath("{\"linux\":{\"cgroupsPath\":\"/a/memory.max\"}}", "/own", "interface file");
}

/* ---- environment ---- */

static void test_home_and_listen(void **state)
{
	(void)state;
	char dir[] = "/tmp/ctu-test-chain.XXXXXX", path[256], pid[32], bundle[300];
	json_t *cfg;
	struct ct_chain_in in;
	struct ctu_cg_hiers hs = v2_hiers();
	char *s, *home;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rootfs/etc", dir);
	snprintf(bundle, sizeof(bundle), "%s/rootfs", dir);
	assert_int_equal(mkdir(bundle, 0755), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	strcat(path, "/passwd");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("root:x:0:0:root:/root:/bin/sh\nbroken line\nu:x:1000:1000::/home/u:/bin/sh\n"
	      "nohome:x:1001:1::\n",
	      f);
	fclose(f);
	snprintf(bundle, sizeof(bundle), "%s/rootfs", dir);
	home = ct_home_of(bundle, 1000);
	assert_string_equal(home, "/home/u");
	free(home);
	home = ct_home_of(bundle, 1001);
	assert_string_equal(home, "/");
	free(home);
	home = ct_home_of(bundle, 7);
	assert_string_equal(home, "/");
	free(home);
	home = ct_home_of("/nonexistent-root", 0);
	assert_string_equal(home, "/");
	free(home);

	cfg = load("{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":0},"
		   "\"env\":[\"A=b\"]},\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{"
		   "\"type\":\"mount\"}]}}");
	in = create_in(cfg, true, false);
	in.bundle = dir;
	in.fds.n_user = 2;
	ct_fds_layout(&in.fds, 2, true, false);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
	s = chain_text(&in, &hs);
	assert_has(s, "|--clearenv|--setenv|A=b|--setenv|HOME=/home/u|--setenv|"
		      "LISTEN_FDS=2|--setenv|LISTEN_PID=1|--own-stdio|--sync-fd|6|"
		      "--stderr-fd|8|--block-fd|7|--preserve-fds|2|--|x");
	free(s);
	/* another process's LISTEN_PID: not ours (systemd's rule) */
	setenv("LISTEN_PID", "1", 1);
	s = chain_text(&in, &hs);
	assert_null(strstr(s, "LISTEN"));
	free(s);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	json_decref(cfg);
	assert_int_equal(ctu_tree_remove(AT_FDCWD, dir), 0);
}

static void test_fds_layout(void **state)
{
	(void)state;
	struct ct_fds f;

	ct_fds_layout(&f, 0, true, true);
	assert_int_equal(f.info, 3);
	assert_int_equal(f.sync, 4);
	assert_int_equal(f.fifo, 5);
	/* with a terminal, no real stderr: the init must hold no end of ours */
	assert_int_equal(f.real_stderr, -1);
	assert_int_equal(f.console, 6);
	ct_fds_layout(&f, 3, false, false);
	assert_int_equal(f.n_user, 3);
	assert_int_equal(f.info, 6);
	assert_int_equal(f.sync, 7);
	assert_int_equal(f.fifo, -1);
	assert_int_equal(f.real_stderr, 8);
	assert_int_equal(f.console, -1);
}

/* ---- quoting and printing ---- */

static void quoted(const char *in, const char *want)
{
	char *q = ct_shell_quote(in);

	assert_non_null(q);
	assert_string_equal(q, want);
	free(q);
}

static void test_shell_quote(void **state)
{
	(void)state;
	quoted("plain", "plain");
	quoted("/a/b-c_d.e", "/a/b-c_d.e");
	quoted("K=V,x:y@1%2+", "K=V,x:y@1%2+");
	quoted("", "''");
	quoted("a b", "'a b'");
	quoted("it's", "'it'\\''s'");
	quoted("'", "''\\'''");
	quoted("$HOME `id` $(id) \\ \"x\"", "'$HOME `id` $(id) \\ \"x\"'");
	quoted("line\nbreak", "'line\nbreak'");
	quoted("*?[a]~#!;&|<>(){}", "'*?[a]~#!;&|<>(){}'");
	quoted("\xc3\xa9t\xc3\xa9", "'\xc3\xa9t\xc3\xa9'");
	quoted("-", "-");
	quoted("~user", "'~user'");
}

static void test_mount_escape(void **state)
{
	(void)state;
	char *e = ct_mount_escape("a:b\\c");

	assert_string_equal(e, "a\\:b\\\\c");
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_rule),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_v1_only_refused_on_v2),
		cmocka_unit_test(test_cgroup_path_rules),
		cmocka_unit_test(test_home_and_listen),
		cmocka_unit_test(test_fds_layout),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_mount_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
