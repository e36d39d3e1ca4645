// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/proc.c and the file helpers of lib/ctu.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ctu.h"
#include "proc.h"

static char tmpdir[] = "/tmp/ctu-unit-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs @fn in a child process and returns its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_pidfile_roundtrip(void **state)
{
	char path[256];
	pid_t pid = 0;
	struct stat st;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int entries = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/pid", tmpdir);
	assert_int_equal(ctu_pidfile_write(path, 4242), 0);
	assert_int_equal(ctu_pidfile_read(path, &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* overwriting is atomic and leaves no temporary file behind */
	assert_int_equal(ctu_pidfile_write(path, 7), 0);
	assert_int_equal(ctu_pidfile_read(path, &pid), 0);
	assert_int_equal(pid, 7);
	d = opendir(tmpdir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			entries++;
	assert_int_equal(entries, 1);
	unlink(path);
}

static void test_pidfile_errors(void **state)
{
	char path[256];
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/pid", tmpdir);
	assert_int_equal(ctu_pidfile_write(path, 1), -ENOENT);
	assert_int_equal(ctu_pidfile_read(path, &pid), -ENOENT);
	snprintf(path, sizeof(path), "%s/junk", tmpdir);
	assert_int_equal(ctu_write_file(AT_FDCWD, path, "x"), -ENOENT);
	assert_int_equal(close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	assert_int_equal(ctu_write_file(AT_FDCWD, path, "12x\n"), 0);
	assert_int_equal(ctu_pidfile_read(path, &pid), -EINVAL);
	assert_int_equal(ctu_write_file(AT_FDCWD, path, "0\n"), 0);
	assert_int_equal(ctu_pidfile_read(path, &pid), -EINVAL);
	assert_int_equal(ctu_write_file(AT_FDCWD, path, ""), 0);
	assert_int_equal(ctu_pidfile_read(path, &pid), -EINVAL);
	unlink(path);
}

static void test_read_file_large(void **state)
{
	char path[256];
	_cleanup_free_ char *big = malloc(20000), *back = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 19999);
	big[19999] = '\0';
	snprintf(path, sizeof(path), "%s/big", tmpdir);
	assert_int_equal(close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	assert_int_equal(ctu_write_file(AT_FDCWD, path, big), 0);
	assert_int_equal(ctu_read_file(AT_FDCWD, path, &back, &len), 0);
	assert_int_equal(len, 19999);
	assert_string_equal(back, big);
	unlink(path);
}

static void test_status_to_exit_code(void **state)
{
	(void)state;
	assert_int_equal(ctu_status_to_exit_code(0), 0);
	assert_int_equal(ctu_status_to_exit_code(3 << 8), 3);
	assert_int_equal(ctu_status_to_exit_code(SIGTERM), 128 + SIGTERM);
	assert_int_equal(ctu_status_to_exit_code(SIGKILL), 128 + SIGKILL);
}

static void exit_like_term(void *arg)
{
	(void)arg;
	ctu_exit_like(SIGTERM);
}

static void exit_like_code(void *arg)
{
	(void)arg;
	ctu_exit_like(42 << 8);
}

static void exit_like_segv(void *arg)
{
	(void)arg;
	ctu_exit_like(SIGSEGV | 0x80); /* the child dumped core */
}

static void test_exit_like(void **state)
{
	int st;

	(void)state;
	st = in_child(exit_like_term, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	st = in_child(exit_like_code, NULL);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
	/* re-raised, but without a core of our own */
	st = in_child(exit_like_segv, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
	assert_false(WCOREDUMP(st));
}

static void exec_argv(void *arg)
{
	ctu_exec(arg);
}

static void test_exec_codes(void **state)
{
	char *missing[] = { "/nonexistent/ctu-no-such-program", NULL };
	char *not_exec[] = { tmpdir, NULL };
	char *ok[] = { "sh", "-c", "exit 7", NULL };
	int st;

	(void)state;
	st = in_child(exec_argv, missing);
	assert_int_equal(WEXITSTATUS(st), CTU_EXIT_NOT_FOUND);
	st = in_child(exec_argv, not_exec);
	assert_int_equal(WEXITSTATUS(st), CTU_EXIT_CANNOT_EXEC);
	st = in_child(exec_argv, ok);
	assert_int_equal(WEXITSTATUS(st), 7);
}

/* fds 5 (passed) and 6 (not passed) exist; the program checks which survive. */
static void exec_with_fds(void *arg)
{
	char *argv[] = { "sh", "-c", "test -e /proc/self/fd/5 && ! test -e /proc/self/fd/6", NULL };

	(void)arg;
	assert_int_equal(dup2(2, 5), 5);
	assert_int_equal(dup2(2, 6), 6);
	assert_int_equal(ctu_pass_fd(5), 0);
	ctu_exec(argv);
}

static void test_exec_fd_hygiene(void **state)
{
	int st;

	(void)state;
	st = in_child(exec_with_fds, NULL);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_fork_wait_exit_code(void **state)
{
	struct ctu_child child = { 0 };
	int status = -1;
	int r;

	(void)state;
	r = ctu_fork_child(&child, 0);
	assert_true(r >= 0);
	if (r == 0)
		_exit(17);
	assert_int_equal(ctu_wait_child(&child, &status), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 17);
	assert_int_equal(child.pidfd, -1);
	assert_int_equal(child.sigfd, -1);
}

static void test_fork_forwards_signals(void **state)
{
	struct ctu_child child = { 0 };
	int status = -1;
	int r;

	(void)state;
	r = ctu_fork_child(&child, 0);
	assert_true(r >= 0);
	if (r == 0) {
		/* the caller's (unblocked) mask is back: SIGUSR1 would kill us */
		pause();
		_exit(0);
	}
	/* A signal sent to us, the waiting parent, reaches the child. */
	kill(getpid(), SIGUSR1);
	assert_int_equal(ctu_wait_child(&child, &status), 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGUSR1);
}

/* Rss (KiB) of our read-only file mappings: code and constants, ours and the libraries'. */
static long readonly_file_rss(void)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	long total = 0, kib;
	bool counting = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char perms[8] = "", path[256] = "";

		if (sscanf(line, "%*x-%*x %7s %*s %*s %*s %255s", perms, path) >= 1 && strchr(line, '-') &&
		    strlen(perms) == 4 && (perms[3] == 'p' || perms[3] == 's')) {
			counting = perms[1] == '-' && path[0] == '/';
			continue;
		}
		if (counting && sscanf(line, "Rss: %ld kB", &kib) == 1)
			total += kib;
	}
	fclose(f);
	return total;
}

static const char constant_text[] = "read again from the file after the release";

/* The pages go from our resident set; code and constants still work after. */
static void test_release_startup_pages(void **state)
{
	long before, after;
	char buf[64];

	(void)state;
	before = readonly_file_rss();
	ctu_release_startup_pages();
	after = readonly_file_rss();
	assert_true(before > 0);
	assert_true(after < before);
	snprintf(buf, sizeof(buf), "%s %d", constant_text, 42);
	assert_string_equal(buf, "read again from the file after the release 42");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfile_roundtrip),
		cmocka_unit_test(test_pidfile_errors),
		cmocka_unit_test(test_read_file_large),
		cmocka_unit_test(test_status_to_exit_code),
		cmocka_unit_test(test_exit_like),
		cmocka_unit_test(test_exec_codes),
		cmocka_unit_test(test_exec_fd_hygiene),
		cmocka_unit_test(test_fork_wait_exit_code),
		cmocka_unit_test(test_fork_forwards_signals),
		cmocka_unit_test(test_release_startup_pages),
	};

	return cmocka_run_group_tests_name("proc", tests, setup, teardown);
}
