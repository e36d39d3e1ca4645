// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for ctrun/seccomp.c (linux.seccomp checked by pointer, compiled
 * with libseccomp, cached by SHA-256) and lib/procopt_sec.c's loader: each
 * compiled filter is loaded in a child, which calls the system calls the
 * profile names and reports what the kernel answered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrun/ctrun.h"
#include "ctu.h"
#include "json.h"
#include "procopt.h"

static char tmpdir[] = "/tmp/test_ctrun_seccomp.XXXXXX";
static char root[sizeof(tmpdir) + 8];
static struct ct_global g;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	g = (struct ct_global){ .root = root, .rootfd = -1 };
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (g.rootfd >= 0)
		close(g.rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	if (!v)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return v;
}

/* The message ct_seccomp_check gives @text, or "" when it passes. */
static char *check_message(const char *text)
{
	_cleanup_json_ json_t *v = parse(text);
	ctu_err_t err = NULL;
	char *msg;

	if (ct_seccomp_check(v, "/linux/seccomp", &err) == 0)
		return strdup("");
	msg = ctu_err_format(err);
	ctu_err_free(&err);
	return msg;
}

#define ASSERT_CHECK(text, want)                                                                   \
	do {                                                                                       \
		char *m_ = check_message(text);                                                    \
		assert_string_equal(m_, want);                                                     \
		free(m_);                                                                          \
	} while (0)

static void test_check_pointers(void **state)
{
	(void)state;
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "");
	ASSERT_CHECK("{}", "/linux/seccomp/defaultAction: missing");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_FOO\"}",
		     "/linux/seccomp/defaultAction: unknown action SCMP_ACT_FOO");
	ASSERT_CHECK(
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"b\"],\"action\":\"SCMP_ACT_X\"}]}",
	    "/linux/seccomp/syscalls/1/action: unknown action SCMP_ACT_X");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\","
		     "\"SCMP_ARCH_VAX\"]}",
		     "/linux/seccomp/architectures/1: unknown architecture SCMP_ARCH_VAX");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
		     "\"op\":\"SCMP_CMP_XOR\"}]}]}",
		     "/linux/seccomp/syscalls/0/args/0/op: unknown operator SCMP_CMP_XOR");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,"
		     "\"op\":\"SCMP_CMP_EQ\"}]}]}",
		     "/linux/seccomp/syscalls/0/args/0/index: expected an integer from 0 to 5");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
		     "/linux/seccomp/flags/0: unknown flag SECCOMP_FILTER_FLAG_X");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}",
		     "/linux/seccomp/defaultAction: not supported yet");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\"}",
		     "/linux/seccomp/listenerPath: not supported yet");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":"
		     "\"SCMP_ACT_ALLOW\"}]}",
		     "/linux/seccomp/syscalls/0/names: missing");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[1],"
		     "\"action\":\"SCMP_ACT_ALLOW\"}]}",
		     "/linux/seccomp/syscalls/0/names/0: expected a syscall name");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}",
		     "/linux/seccomp/defaultErrnoRet: expected an integer from 0 to 65535");
	ASSERT_CHECK("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
		     "/linux/seccomp/syscalls: expected an array");
}

/* Compiles @text; the path into @path (and the flags words into @flags). */
static int compile(const char *text, char *path, size_t size, char *flags, size_t fsize)
{
	_cleanup_json_ json_t *v = parse(text);
	ctu_err_t err = NULL;
	int r = ct_seccomp_compile(&g, v, "/linux/seccomp", path, size, flags, fsize, &err);

	if (r < 0) {
		char *m = ctu_err_format(err);

		print_message("compile: %s\n", m);
		free(m);
		ctu_err_free(&err);
	}
	return r;
}

/*
 * In a child under the filter at @path: the system call @nr with @a0..@a2.
 * Returns the errno it failed with, 0 when it succeeded, -1 when the child
 * was killed (by the filter), -2 when the filter did not load.
 */
static int errno_under(const char *path, long nr, long a0, long a1, long a2)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		ctu_err_t err = NULL;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    ctu_seccomp_load_fd(fd, 0, &err) < 0)
			_exit(254);
		/* exit_group itself: a sanitizer's _exit would run (and need) more system calls */
		syscall(SYS_exit_group, syscall(nr, a0, a1, a2) < 0 ? (errno > 250 ? 250 : errno) : 0);
		_exit(253);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -3;
	if (WIFSIGNALED(status))
		return -1;
	return WEXITSTATUS(status) == 254 ? -2 : WEXITSTATUS(status);
}

static void test_compile_and_load(void **state)
{
	char path[4096], flags[64];

	(void)state;
	/* ERRNO without errnoRet: EPERM; with: that errno; names unknown to libseccomp skipped */
	assert_int_equal(compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
				 "{\"names\":[\"getppid\",\"no_such_call_ever\"],\"action\":"
				 "\"SCMP_ACT_ERRNO\"},"
				 "{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_ERRNO\","
				 "\"errnoRet\":38}]}",
				 path, sizeof(path), flags, sizeof(flags)),
			 0);
	assert_string_equal(flags, "");
	assert_int_equal(errno_under(path, SYS_getppid, 0, 0, 0), EPERM);
	assert_int_equal(errno_under(path, SYS_umask, 022, 0, 0), 38);
	assert_int_equal(errno_under(path, SYS_getpid, 0, 0, 0), 0);
}

static void test_default_action_and_kill(void **state)
{
	char path[4096], flags[64];

	(void)state;
	assert_int_equal(compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":13,"
				 "\"syscalls\":[{\"names\":[\"exit\",\"exit_group\",\"getpid\"],"
				 "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"getppid\"],"
				 "\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
				 path, sizeof(path), flags, sizeof(flags)),
			 0);
	assert_int_equal(errno_under(path, SYS_getpid, 0, 0, 0), 0);
	assert_int_equal(errno_under(path, SYS_getuid, 0, 0, 0), 13);
	assert_int_equal(errno_under(path, SYS_getppid, 0, 0, 0), -1);
}

/* Conditions on two arguments are ANDed; two on one argument become two rules (ORed). */
static void test_conditions(void **state)
{
	char path[4096], flags[64];

	(void)state;
	assert_int_equal(
	    compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
		    "\"errnoRet\":77,\"args\":[{\"index\":0,\"value\":5,\"op\":"
		    "\"SCMP_CMP_GE\"},{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},"
		    "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":"
		    "78,\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
		    "{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
		    "{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":"
		    "79,\"args\":[{\"index\":0,\"value\":7,\"valueTwo\":2,\"op\":"
		    "\"SCMP_CMP_MASKED_EQ\"}]}]}",
		    path, sizeof(path), flags, sizeof(flags)),
	    0);
	/* personality(0xffffffff) only queries: allowed; 3 and >= 5 refused (either rule) */
	assert_int_equal(errno_under(path, SYS_personality, 0xffffffff, 0, 0), 77);
	assert_int_equal(errno_under(path, SYS_personality, 3, 0, 0), 77);
	assert_int_equal(errno_under(path, SYS_personality, 6, 0, 0), 77);
	assert_int_not_equal(errno_under(path, SYS_personality, 4, 0, 0), 77);
	/* kill(1, 0): both; kill(1, 99) or kill(getpid's 0, 0): one only */
	assert_int_equal(errno_under(path, SYS_kill, 1, 0, 0), 78);
	assert_int_not_equal(errno_under(path, SYS_kill, 1, 99, 0), 78);
	assert_int_not_equal(errno_under(path, SYS_kill, 0, 0, 0), 78);
	/* (mode & 7) == 2 */
	assert_int_equal(errno_under(path, SYS_umask, 022, 0, 0), 79);
	assert_int_equal(errno_under(path, SYS_umask, 021, 0, 0), 0);
}

static time_t mtime_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mtime;
}

/* The same JSON (in any key order) names the same file, which is reused; another, another. */
static void test_cache(void **state)
{
	const char *a = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			"[\"sync\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	const char *a2 = "{\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\",\"names\":[\"sync\"]}],"
			 "\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
	const char *b = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			"[\"sync\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":2}]}";
	char p1[4096], p2[4096], p3[4096], flags[64], dir[4200];
	struct stat st;
	const char *base;

	(void)state;
	assert_int_equal(compile(a, p1, sizeof(p1), flags, sizeof(flags)), 0);
	base = strrchr(p1, '/') + 1;
	assert_int_equal(strlen(base), 64 + 4);
	assert_string_equal(base + 64, ".bpf");
	/* an old mtime: a rewrite would show */
	assert_int_equal(utimensat(AT_FDCWD, p1, (struct timespec[]){ { 1, 0 }, { 1, 0 } }, 0), 0);
	assert_int_equal(compile(a2, p2, sizeof(p2), flags, sizeof(flags)), 0);
	assert_string_equal(p1, p2);
	assert_int_equal(mtime_of(p2), 1);
	assert_int_equal(compile(b, p3, sizeof(p3), flags, sizeof(flags)), 0);
	assert_string_not_equal(p1, p3);
	snprintf(dir, sizeof(dir), "%s/seccomp", root);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* a file that is no program (truncated) is compiled again */
	assert_int_equal(truncate(p1, 5), 0);
	assert_int_equal(compile(a, p2, sizeof(p2), flags, sizeof(flags)), 0);
	assert_int_equal(stat(p1, &st), 0);
	assert_int_equal(st.st_size % 8, 0);
	assert_true(st.st_size > 8);
}

static void test_flags(void **state)
{
	char path[4096], flags[64];
	unsigned int bits = 99;
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":["
				 "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_TSYNC\","
				 "\"SECCOMP_FILTER_FLAG_LOG\"]}",
				 path, sizeof(path), flags, sizeof(flags)),
			 0);
	assert_string_equal(flags, "spec-allow,log");
	assert_int_equal(ctu_seccomp_flags_parse(flags, &bits, &err), 0);
	assert_int_equal(bits, SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_LOG);
	assert_int_equal(ctu_seccomp_flags_parse("", &bits, &err), 0);
	assert_int_equal(bits, 0);
	assert_true(ctu_seccomp_flags_parse("log,tsync", &bits, &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_non_null(strstr(err->msg, "'tsync'"));
	ctu_err_free(&err);
	assert_true(ctu_seccomp_flags_parse("log,", &bits, &err) < 0);
	ctu_err_free(&err);
}

/* What the loader refuses before the kernel sees it. */
static void test_load_refusals(void **state)
{
	char path[4200];
	ctu_err_t err = NULL;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.bpf", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1234567", 7), 7);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ctu_seccomp_load_fd(fd, 0, &err), -EINVAL);
	assert_non_null(strstr(err->msg, "7 bytes: not a BPF program"));
	ctu_err_free(&err);
	/* 4097 instructions: more than the kernel takes */
	assert_int_equal(ftruncate(fd, (off_t)4097 * 8), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ctu_seccomp_load_fd(fd, 0, &err), -E2BIG);
	ctu_err_free(&err);
	/* empty */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(ctu_seccomp_load_fd(fd, 0, &err), -EINVAL);
	ctu_err_free(&err);
	close(fd);
}

/* podman's default profile (containers/common, as podman 4.3 fills it in for x86_64). */
static void test_podman_profile(void **state)
{
	char path[4096], flags[64];
	_cleanup_json_ json_t *v = json_load_file("tests/fixtures/seccomp-podman.json", 0, NULL);
	_cleanup_free_ char *text = NULL;

	(void)state;
	if (!v)
		skip();
	text = json_dumps(v, JSON_COMPACT);
	assert_int_equal(compile(text, path, sizeof(path), flags, sizeof(flags)), 0);
	assert_int_equal(errno_under(path, SYS_getpid, 0, 0, 0), 0);
	assert_int_equal(errno_under(path, SYS_acct, 0, 0, 0), EPERM);
	/* not listed: the default, ENOSYS */
	assert_int_equal(errno_under(path, SYS_add_key, 0, 0, 0), ENOSYS);
	/* socket(AF_NETLINK, *, NETLINK_AUDIT): EINVAL; NETLINK_ROUTE allowed */
	assert_int_equal(errno_under(path, SYS_socket, 16, 3, 9), EINVAL);
	assert_int_equal(errno_under(path, SYS_socket, 16, 3, 0), 0);
	/* personality: only the listed values */
	assert_int_equal(errno_under(path, SYS_personality, 0xffffffff, 0, 0), 0);
	assert_int_equal(errno_under(path, SYS_personality, 0x0040000, 0, 0), ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_pointers),
		cmocka_unit_test(test_compile_and_load),
		cmocka_unit_test(test_default_action_and_kill),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_podman_profile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
