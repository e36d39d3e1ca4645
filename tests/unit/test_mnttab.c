// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/mnttab.c: the mount table of our namespace, and
 * finding cgroup hierarchies in it.  The cgroup cases run in a child in a
 * private mount namespace (unshare, / made private), where the host's
 * cgroup mounts are detached and known ones mounted on a tmpfs; nothing is
 * mounted outside it.  They are skipped when not root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctu.h"
#include "mnttab.h"

static void test_table_has_root(void **state)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	struct libmnt_fs *fs;

	(void)state;
	assert_non_null(tb);
	assert_true(mnt_table_get_nents(tb) > 0);
	fs = mnt_table_find_target(tb, "/", MNT_ITER_BACKWARD);
	assert_non_null(fs);
	assert_non_null(mnt_fs_get_fstype(fs));
}

static void test_unref_null(void **state)
{
	struct libmnt_table *tb = NULL;

	(void)state;
	ctu_mnt_table_unref(&tb);
}

static void test_no_such_controller(void **state)
{
	(void)state;
	errno = 0;
	assert_null(ctu_mnt_cgroup_mount("no-such-controller"));
	assert_int_equal(errno, ENOENT);
	assert_null(ctu_mnt_cgroup_mount("name=no-such-hierarchy"));
	assert_int_equal(errno, ENOENT);
}

/* In the child: a failed check says where and exits 1. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

static bool answer_is(const char *controllers, const char *want)
{
	_cleanup_free_ char *got = ctu_mnt_cgroup_mount(controllers);

	if (!want)
		return !got && errno == ENOENT;
	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "cgroup mount of '%s': '%s', not '%s'\n", controllers,
			got ? got : "(none)", want);
		return false;
	}
	return true;
}

/* The superblock options of the v1 hierarchy named by @opt, or NULL. */
static char *host_v1_options(struct libmnt_table *tb, const char *opt)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	char *found = NULL;

	while (!found && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *o = mnt_fs_get_fs_options(fs);
		char *v;
		size_t len;

		if (strcmp(mnt_fs_get_fstype(fs), "cgroup") == 0 &&
		    mnt_optstr_get_option(o, opt, &v, &len) == 0)
			found = strdup(o);
	}
	mnt_free_iter(it);
	return found;
}

/* Detaches every cgroup mount of this (private) namespace, last first. */
static void detach_cgroup_mounts(struct libmnt_table *tb)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_BACKWARD);
	struct libmnt_fs *fs;

	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *type = mnt_fs_get_fstype(fs);

		if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
			umount2(mnt_fs_get_target(fs), MNT_DETACH);
	}
	mnt_free_iter(it);
}

static char *at(const char *dir, const char *name)
{
	char *s;

	CHECK(asprintf(&s, "%s/%s", dir, name) > 0);
	CHECK(mkdir(s, 0755) == 0);
	return s;
}

static noreturn void in_private_namespace(const char *dir)
{
	struct libmnt_table *tb;
	char *systemd_opts, *cpu_opts, *u, *s, *c;

	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	tb = ctu_mnt_table();
	CHECK(tb);
	systemd_opts = host_v1_options(tb, "name=systemd");
	cpu_opts = host_v1_options(tb, "cpu");
	detach_cgroup_mounts(tb);
	ctu_mnt_table_unref(&tb);
	CHECK(answer_is("", NULL));
	CHECK(answer_is("cpu", NULL));

	CHECK(mount("ctu-test", dir, "tmpfs", 0, "mode=0755") == 0);
	tb = ctu_mnt_table();
	CHECK(tb);
	CHECK(mnt_table_find_target(tb, dir, MNT_ITER_BACKWARD));
	CHECK(strcmp(mnt_fs_get_fstype(mnt_table_find_target(tb, dir, MNT_ITER_BACKWARD)),
		     "tmpfs") == 0);
	ctu_mnt_table_unref(&tb);

	u = at(dir, "unified");
	CHECK(mount("cgroup2", u, "cgroup2", 0, NULL) == 0);
	CHECK(answer_is("", u));
	CHECK(answer_is(NULL, u));
	CHECK(answer_is("cpu", NULL));
	/* the same hierarchies as the host's, mounted again: nothing new made */
	if (systemd_opts) {
		s = at(dir, "systemd");
		CHECK(mount("cgroup", s, "cgroup", 0, systemd_opts) == 0);
		CHECK(answer_is("name=systemd", s));
		CHECK(answer_is("no-such,name=systemd", s));
		CHECK(answer_is("name=other", NULL));
		CHECK(answer_is("", u));
	}
	if (cpu_opts && mount("cgroup", (c = at(dir, "cpu")), "cgroup", 0, cpu_opts) == 0) {
		CHECK(answer_is("cpu", c));
		CHECK(answer_is("no-such,cpu", c));
	}
	_exit(0);
}

static void test_cgroup_mounts(void **state)
{
	char dir[] = "/tmp/ctu-mnttab.XXXXXX";
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		in_private_namespace(dir);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* the child's mounts went with its namespace: the directories are ours to remove */
	rmdir(dir);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_has_root),
		cmocka_unit_test(test_unref_null),
		cmocka_unit_test(test_no_such_controller),
		cmocka_unit_test(test_cgroup_mounts),
	};

	return cmocka_run_group_tests_name("mnttab", tests, NULL, NULL);
}
