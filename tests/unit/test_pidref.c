// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/pidref.c: the three forms, the stat line, pid files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctu.h"
#include "pidref.h"

static void test_parse_forms(void **state)
{
	struct ctu_pidref r;
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ctu_pidref_parse("42", &r, &err), 0);
	assert_int_equal(r.pid, 42);
	assert_int_equal(r.kind, CTU_PIDREF_PLAIN);
	assert_int_equal(ctu_pidref_parse("42@881234", &r, &err), 0);
	assert_int_equal(r.kind, CTU_PIDREF_START);
	assert_true(r.start == 881234);
	assert_int_equal(ctu_pidref_parse("7:12345", &r, &err), 0);
	assert_int_equal(r.kind, CTU_PIDREF_INODE);
	assert_true(r.inode == 12345);
	assert_int_equal(ctu_pidref_parse("2147483647@0", &r, &err), 0);
	assert_null(err);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "2147483648", "x", "1@", "1@x", "1@-2", "1:", "1:0", "1:x",
		"@5", ":5", "1@2@3", "1:2:3", "1@2:3", " 1", "1 ", "01234567890123456789",
	};
	struct ctu_pidref r = { .pid = 99 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctu_err_t err = NULL;

		assert_true(ctu_pidref_parse(bad[i], &r, &err) < 0);
		assert_non_null(err);
		assert_int_equal(err->kind, CTU_ERR_USAGE);
		assert_non_null(strstr(err->msg, bad[i]));
		ctu_err_free(&err);
		assert_int_equal(r.pid, 99); /* untouched on failure */
	}
}

static void test_stat_line(void **state)
{
	/* a comm with spaces and a ')' of its own: fields counted after the last ')' */
	const char *line = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			   "881234 1000 10 18446744073709551615\n";
	uint64_t start = 0;

	(void)state;
	assert_int_equal(ctu_stat_start_time(line, &start), 0);
	assert_true(start == 881234);
	assert_int_equal(ctu_stat_start_time("4242 (x) S 1 2 3", &start), -EINVAL);
	assert_int_equal(ctu_stat_start_time("no paren at all", &start), -EINVAL);
	/* any numeric field: the parent (4) and the flags (9); the state (3) is a letter */
	assert_int_equal(ctu_stat_field(line, 4, &start), 0);
	assert_true(start == 1);
	assert_int_equal(ctu_stat_field(line, 9, &start), 0);
	assert_true(start == 4194560);
	assert_int_equal(ctu_stat_field(line, 3, &start), -EINVAL);
	assert_int_equal(ctu_stat_field(line, 2, &start), -EINVAL);
}

static void test_own_start_time(void **state)
{
	uint64_t a = 0, b = 0;
	char buf[64], want[64];

	(void)state;
	assert_int_equal(ctu_proc_start_time(getpid(), &a), 0);
	assert_int_equal(ctu_proc_start_time(getpid(), &b), 0);
	assert_true(a == b);
	assert_true(a > 0);
	assert_int_equal(ctu_pidref_format_now(getpid(), buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%d@%llu", (int)getpid(), (unsigned long long)a);
	assert_string_equal(buf, want);
	assert_int_equal(ctu_proc_start_time(2147483647, &a), -ESRCH);
}

static void test_open_checks_start(void **state)
{
	struct ctu_pidref r = { .pid = getpid(), .kind = CTU_PIDREF_START };
	ctu_err_t err = NULL;
	int fd;

	(void)state;
	assert_int_equal(ctu_proc_start_time(getpid(), &r.start), 0);
	fd = ctu_pidref_open(&r, &err);
	assert_true(fd >= 0 || fd == -ENOSYS);
	if (fd >= 0)
		close(fd);
	r.start += 1;
	assert_true(ctu_pidref_open(&r, &err) < 0);
	assert_non_null(strstr(err->msg, "the PID was reused"));
	ctu_err_free(&err);
}

/* A pid file of our own PID, dated @age seconds before now. */
static void write_pidfile(const char *path, const char *text, int age)
{
	struct timespec ts[2];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age;
	ts[1] = ts[0];
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static void test_pidfile_two_second_rule(void **state)
{
	char path[] = "/tmp/ctu-pidref-XXXXXX", text[80];
	struct ctu_pidref r;
	ctu_err_t err = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	/* written now, after we started: us */
	write_pidfile(path, text, 0);
	assert_int_equal(ctu_pidref_from_file(AT_FDCWD, path, &r, &err), 0);
	assert_int_equal(r.kind, CTU_PIDREF_START);
	/* written long before we existed: a recycled PID */
	write_pidfile(path, text, 100000000);
	assert_true(ctu_pidref_from_file(AT_FDCWD, path, &r, &err) < 0);
	assert_non_null(strstr(err->msg, "the PID was reused"));
	ctu_err_free(&err);
	/* a PID@START line is checked when opened, not by the file's age */
	snprintf(text, sizeof(text), "%d@5\n", (int)getpid());
	write_pidfile(path, text, 100000000);
	assert_int_equal(ctu_pidref_from_file(AT_FDCWD, path, &r, &err), 0);
	assert_int_equal(r.kind, CTU_PIDREF_START);
	write_pidfile(path, "junk\n", 0);
	assert_true(ctu_pidref_from_file(AT_FDCWD, path, &r, &err) < 0);
	assert_non_null(strstr(err->msg, "it holds no pid"));
	ctu_err_free(&err);
	memset(text, '1', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	write_pidfile(path, text, 0);
	assert_true(ctu_pidref_from_file(AT_FDCWD, path, &r, &err) < 0);
	assert_non_null(strstr(err->msg, "over 64 bytes"));
	ctu_err_free(&err);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_stat_line),
		cmocka_unit_test(test_own_start_time),
		cmocka_unit_test(test_open_checks_start),
		cmocka_unit_test(test_pidfile_two_second_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
