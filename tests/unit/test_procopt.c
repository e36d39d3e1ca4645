// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/procopt: the option parsers, the early checks of
 * ctu_procopt_prepare, the program's environment and its lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "procopt_int.h"

/*
 * A host without AppArmor, faked: lib/procopt's calls land here, so this
 * test needs no libapparmor (and tests --apparmor's early refusal).
 */
int aa_is_enabled(void);
int aa_change_onexec(const char *profile);
int aa_is_enabled(void)
{
	errno = ENOSYS;
	return 0;
}
int aa_change_onexec(const char *profile)
{
	(void)profile;
	errno = ENOSYS;
	return -1;
}

/* Parses @opt @arg into a fresh @p: the return value; the error is freed. */
static int parse(struct ctu_procopt *p, int opt, const char *arg)
{
	ctu_err_t err = NULL;
	int r = ctu_procopt_parse_option(p, opt, arg, &err);

	ctu_err_free(&err);
	return r;
}

static void test_groups(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;

	(void)state;
	assert_int_equal(parse(&p, CTU_OPT_GROUPS, "5,6,4294967294"), 1);
	assert_true(p.has_groups);
	assert_int_equal(p.n_groups, 3);
	assert_int_equal(p.groups[0], 5);
	assert_int_equal(p.groups[2], 4294967294U);
	assert_int_equal(parse(&p, CTU_OPT_GROUPS, ""), 1);
	assert_true(p.has_groups);
	assert_int_equal(p.n_groups, 0);
	assert_true(parse(&p, CTU_OPT_GROUPS, "1,,2") < 0);
	assert_true(parse(&p, CTU_OPT_GROUPS, "1,") < 0);
	assert_true(parse(&p, CTU_OPT_GROUPS, "ctu-no-such-group") < 0);
	assert_true(parse(&p, CTU_OPT_GROUPS, "-1") < 0);
}

static void test_caps(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;

	(void)state;
	assert_int_equal(parse(&p, CTU_OPT_CAPS, "bounding=chown,CAP_KILL"), 1);
	assert_true(p.has_caps[CTU_CAPSET_BOUNDING]);
	assert_true(p.caps[CTU_CAPSET_BOUNDING] == 0x21);
	assert_int_equal(parse(&p, CTU_OPT_CAPS, "Ambient="), 1);
	assert_true(p.has_caps[CTU_CAPSET_AMBIENT]);
	assert_true(p.caps[CTU_CAPSET_AMBIENT] == 0);
	assert_false(p.has_caps[CTU_CAPSET_EFFECTIVE]);
	/* one per set */
	assert_true(parse(&p, CTU_OPT_CAPS, "bounding=kill") < 0);
	assert_true(parse(&p, CTU_OPT_CAPS, "bogus=kill") < 0);
	assert_true(parse(&p, CTU_OPT_CAPS, "effective") < 0);
	assert_true(parse(&p, CTU_OPT_CAPS, "effective=cap_bogus") < 0);
	assert_true(parse(&p, CTU_OPT_CAPS, "=kill") < 0);
}

static void test_rlimit(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;

	(void)state;
	assert_int_equal(parse(&p, CTU_OPT_RLIMIT, "nofile=100:200"), 1);
	assert_true(p.has_rlimit[RLIMIT_NOFILE]);
	assert_int_equal(p.rlimit[RLIMIT_NOFILE].rlim_cur, 100);
	assert_int_equal(p.rlimit[RLIMIT_NOFILE].rlim_max, 200);
	assert_int_equal(parse(&p, CTU_OPT_RLIMIT, "RLIMIT_CORE=unlimited"), 1);
	assert_true(p.rlimit[RLIMIT_CORE].rlim_cur == RLIM_INFINITY);
	assert_true(p.rlimit[RLIMIT_CORE].rlim_max == RLIM_INFINITY);
	assert_int_equal(parse(&p, CTU_OPT_RLIMIT, "rlimit_nproc=5:unlimited"), 1);
	assert_true(p.rlimit[RLIMIT_NPROC].rlim_max == RLIM_INFINITY);
	/* duplicate type, by either name */
	assert_true(parse(&p, CTU_OPT_RLIMIT, "NOFILE=1:1") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "RLIMIT_NOFILE=1:1") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "stack=5:4") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "stack") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "stack=") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "stack=1:") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "stack=-1") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "stack=99999999999999999999") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "RLIMIT_=1") < 0);
	assert_true(parse(&p, CTU_OPT_RLIMIT, "bogus=1") < 0);
	assert_false(p.has_rlimit[RLIMIT_STACK]);
}

static void test_numbers(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;

	(void)state;
	assert_int_equal(parse(&p, CTU_OPT_OOM_SCORE_ADJ, "-1000"), 1);
	assert_int_equal(p.oom_score_adj, -1000);
	assert_true(parse(&p, CTU_OPT_OOM_SCORE_ADJ, "1001") < 0);
	assert_true(parse(&p, CTU_OPT_OOM_SCORE_ADJ, "") < 0);
	assert_int_equal(parse(&p, CTU_OPT_UMASK, "0027"), 1);
	assert_int_equal(p.umask, 027);
	assert_int_equal(parse(&p, CTU_OPT_UMASK, "777"), 1);
	assert_true(parse(&p, CTU_OPT_UMASK, "8") < 0);
	assert_true(parse(&p, CTU_OPT_UMASK, "01000") < 0);
	assert_true(parse(&p, CTU_OPT_UMASK, "-1") < 0);
	assert_true(parse(&p, CTU_OPT_UMASK, "") < 0);
	assert_int_equal(parse(&p, CTU_OPT_CONSOLE_SIZE, "24x80"), 1);
	assert_int_equal(p.console_rows, 24);
	assert_int_equal(p.console_cols, 80);
	assert_true(parse(&p, CTU_OPT_CONSOLE_SIZE, "0x80") < 0);
	assert_true(parse(&p, CTU_OPT_CONSOLE_SIZE, "24x") < 0);
	assert_true(parse(&p, CTU_OPT_CONSOLE_SIZE, "24x80x1") < 0);
	assert_true(parse(&p, CTU_OPT_CONSOLE_SIZE, "65536x1") < 0);
	assert_true(parse(&p, CTU_OPT_CONSOLE_SIZE, "-1x5") < 0);
	assert_int_equal(parse(&p, CTU_OPT_SYNC_FD, "7"), 1);
	assert_int_equal(p.sync_fd, 7);
	assert_true(parse(&p, CTU_OPT_BLOCK_FD, "-1") < 0);
	assert_true(parse(&p, CTU_OPT_STDERR_FD, "x") < 0);
	assert_int_equal(parse(&p, CTU_OPT_PRESERVE_FDS, "4"), 1);
	assert_int_equal(p.preserve_fds, 4);
	assert_true(parse(&p, CTU_OPT_PRESERVE_FDS, "1025") < 0);
}

static void test_other_options(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;

	(void)state;
	assert_int_equal(parse(&p, CTU_OPT_SETENV, "A=1"), 1);
	assert_int_equal(parse(&p, CTU_OPT_SETENV, "B="), 1);
	assert_int_equal(p.n_setenv, 2);
	assert_true(parse(&p, CTU_OPT_SETENV, "=1") < 0);
	assert_true(parse(&p, CTU_OPT_SETENV, "NOEQ") < 0);
	assert_int_equal(parse(&p, CTU_OPT_SECCOMP_FLAGS, "log,spec-allow"), 1);
	assert_true(p.seccomp_flags != 0);
	assert_true(parse(&p, CTU_OPT_SECCOMP, "") < 0);
	assert_true(parse(&p, CTU_OPT_APPARMOR, "") < 0);
	/* lib/creds' options go through */
	assert_int_equal(parse(&p, 'S', "1000"), 1);
	assert_true(p.creds.has_uid);
	assert_int_equal(parse(&p, CTU_OPT_CAP_ADD, "kill"), 1);
	/* not ours */
	assert_int_equal(parse(&p, 'x', NULL), 0);
}

static int prepare(struct ctu_procopt *p)
{
	ctu_err_t err = NULL;
	int r = ctu_procopt_prepare(p, &err);

	ctu_err_free(&err);
	return r;
}

static void test_prepare(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;
	int fd = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(fd > 2);
	assert_int_equal(prepare(&p), 0);
	p.has_caps[CTU_CAPSET_AMBIENT] = true;
	p.creds.cap_add = 1;
	assert_true(prepare(&p) < 0);
	p = (struct ctu_procopt)CTU_PROCOPT_INIT;
	p.console_rows = p.console_cols = 10;
	assert_true(prepare(&p) < 0);
	p = (struct ctu_procopt)CTU_PROCOPT_INIT;
	p.sync_fd = p.block_fd = fd;
	assert_true(prepare(&p) < 0);
	p.block_fd = -1;
	assert_int_equal(prepare(&p), 0);
	/* consumed fds become close-on-exec */
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(ctu_procopt_consumes_fd(&p, fd));
	assert_false(ctu_procopt_consumes_fd(&p, fd + 1));
	assert_false(ctu_procopt_consumes_fd(&p, -1));
	p.sync_fd = 1;
	assert_true(prepare(&p) < 0);
	p.sync_fd = 999;
	assert_true(prepare(&p) < 0);
	/* a console fd must be a socket */
	p = (struct ctu_procopt)CTU_PROCOPT_INIT;
	p.console_fd = fd;
	assert_true(prepare(&p) < 0);
	p = (struct ctu_procopt)CTU_PROCOPT_INIT;
	p.seccomp_flags = 2;
	assert_true(prepare(&p) < 0);
	p.seccomp_file = "/etc/passwd";
	assert_true(prepare(&p) < 0);
	p = (struct ctu_procopt)CTU_PROCOPT_INIT;
	p.apparmor = "ctu-profile";
	assert_true(prepare(&p) < 0);
	close(fd);
}

static void test_environ(void **state)
{
	struct ctu_procopt p = CTU_PROCOPT_INIT;
	ctu_err_t err = NULL;
	char **env;

	(void)state;
	setenv("CTU_TEST_KEEP", "1", 1);
	p.setenv[p.n_setenv++] = "CTU_TEST_KEEP=2";
	p.setenv[p.n_setenv++] = "CTU_TEST_NEW=3";
	p.setenv[p.n_setenv++] = "CTU_TEST_NEW=4";
	env = ctu_procopt_environ(&p, &err);
	assert_non_null(env);
	assert_string_equal(ctu_procopt_getenv(env, "CTU_TEST_KEEP"), "2");
	assert_string_equal(ctu_procopt_getenv(env, "CTU_TEST_NEW"), "4");
	assert_null(ctu_procopt_getenv(env, "CTU_TEST_NE"));
	free(env);
	p.clearenv = true;
	env = ctu_procopt_environ(&p, &err);
	assert_non_null(env);
	assert_string_equal(env[0], "CTU_TEST_KEEP=2");
	assert_string_equal(env[1], "CTU_TEST_NEW=4");
	assert_null(env[2]);
	free(env);
}

static void test_lookup(void **state)
{
	char dir[] = "/tmp/ctu-procopt-XXXXXX", file[64], pathvar[128];
	char *env[] = { pathvar, NULL }, *none[] = { NULL }, *path = NULL;
	ctu_err_t err = NULL;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/prog", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0755);
	assert_true(fd >= 0);
	close(fd);
	snprintf(pathvar, sizeof(pathvar), "PATH=/nonexistent:%s", dir);
	assert_int_equal(ctu_procopt_lookup("prog", env, &path, &err), 0);
	assert_string_equal(path, file);
	free(path);
	/* glibc's default path without one: sh is /bin/sh or /usr/bin/sh */
	assert_int_equal(ctu_procopt_lookup("sh", none, &path, &err), 0);
	assert_true(strcmp(path, "/bin/sh") == 0 || strcmp(path, "/usr/bin/sh") == 0);
	free(path);
	assert_true(ctu_procopt_lookup("prog", none, &path, &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_NOT_FOUND);
	ctu_err_free(&err);
	/* there but not executable: 126's kind */
	chmod(file, 0644);
	assert_true(ctu_procopt_lookup("prog", env, &path, &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_CANNOT_EXEC);
	ctu_err_free(&err);
	assert_true(ctu_procopt_lookup(file, none, &path, &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_CANNOT_EXEC);
	ctu_err_free(&err);
	assert_true(ctu_procopt_lookup("", env, &path, &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_NOT_FOUND);
	ctu_err_free(&err);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),	 cmocka_unit_test(test_caps),
		cmocka_unit_test(test_rlimit),	 cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_other_options), cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_environ),	 cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
