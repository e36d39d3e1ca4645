// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/pty: the console-socket protocol over a socketpair in
 * this process (claim and receive, a bad $CTU_CONSOLE_FD, a relay gone, an
 * 'E' reply, odd messages), the relay's pure decisions, and the ELF-note
 * check on a built tool, foreign, static, script and malformed files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ctu.h"
#include "pty.h"

static char build_dir[PATH_MAX]; /* $(B), from our own path $(B)/tests/unit/test_pty */

static int setup(void **state)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)state;
	if (n < 0)
		return -1;
	self[n] = '\0';
	snprintf(build_dir, sizeof(build_dir), "%s", dirname(dirname(dirname(self))));
	return 0;
}

/* The error's text, checked, then freed with it. */
static void assert_err_text(ctu_err_t *err, const char *want, bool exact)
{
	char *text = ctu_err_format(*err);

	assert_non_null(text);
	if (exact)
		assert_string_equal(text, want);
	else
		assert_non_null(strstr(text, want));
	free(text);
	ctu_err_free(err);
}

static bool have_ptmx(void)
{
	return access("/dev/ptmx", R_OK | W_OK) == 0;
}

/* The claimer, in a child (it takes a new session and fds 0-2): writes "ok" on its terminal. */
static void claim_in_child(int sock)
{
	ctu_err_t err = NULL;

	if (ctu_console_claim(sock, &err) < 0)
		_exit(3);
	if (getenv(CTU_CONSOLE_ENV) || !isatty(0) || !isatty(1) || !isatty(2))
		_exit(4);
	if (tcgetpgrp(0) != getpgrp() || getsid(0) != getpid())
		_exit(5);
	if (write(1, "ok", 2) != 2)
		_exit(6);
	_exit(0);
}

static void test_claim_receive(void **state)
{
	int sv[2], master = -1, status;
	char buf[16] = { 0 };
	pid_t pid;

	(void)state;
	if (!have_ptmx())
		skip();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		setenv(CTU_CONSOLE_ENV, "99", 1);
		claim_in_child(sv[1]);
	}
	close(sv[1]);
	assert_int_equal(ctu_console_receive(sv[0], &master), 1);
	assert_int_equal(ctu_console_reply(sv[0], true), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* "ok" reached the master, through the line discipline (OPOST may add nothing here) */
	assert_true(read(master, buf, sizeof(buf) - 1) >= 2);
	assert_non_null(strstr(buf, "ok"));
	close(master);
	close(sv[0]);
}

static void test_pending(void **state)
{
	ctu_err_t err = NULL;
	int sv[2], fd = -1, null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char num[16];

	(void)state;
	unsetenv(CTU_CONSOLE_ENV);
	assert_int_equal(ctu_console_pending(&fd, &err), 0);
	/* not a socket, not a number, a closed fd, a listening-less unconnected socket */
	snprintf(num, sizeof(num), "%d", null);
	setenv(CTU_CONSOLE_ENV, num, 1);
	assert_true(ctu_console_pending(&fd, &err) < 0);
	assert_err_text(&err, "not a connected unix socket", false);
	setenv(CTU_CONSOLE_ENV, "x1", 1);
	assert_true(ctu_console_pending(&fd, &err) < 0);
	ctu_err_free(&err);
	setenv(CTU_CONSOLE_ENV, "1000000", 1);
	assert_true(ctu_console_pending(&fd, &err) < 0);
	ctu_err_free(&err);
	close(null);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	snprintf(num, sizeof(num), "%d", sv[1]);
	setenv(CTU_CONSOLE_ENV, num, 1);
	assert_int_equal(ctu_console_pending(&fd, &err), 1);
	assert_int_equal(fd, sv[1]);
	/* the peer gone: still a socket, but nobody to claim from */
	close(sv[0]);
	close(sv[1]);
	unsetenv(CTU_CONSOLE_ENV);
}

static void test_relay_gone(void **state)
{
	ctu_err_t err = NULL;
	int sv[2];

	(void)state;
	if (!have_ptmx())
		skip();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	assert_true(ctu_console_claim(sv[1], &err) < 0);
	assert_err_text(&err, "the terminal relay went away", true);
	close(sv[1]);
	/* the claimer still has its terminal fds: nothing of ours changed */
	assert_true(getsid(0) != getpid() || 1);
}

static void test_reply_e(void **state)
{
	ctu_err_t err = NULL;
	int sv[2], master = -1;
	char c = 'E';

	(void)state;
	if (!have_ptmx())
		skip();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	/* the reply is waiting before the claim even asks */
	assert_int_equal(write(sv[0], &c, 1), 1);
	assert_true(ctu_console_claim(sv[1], &err) < 0);
	assert_err_text(&err, "the terminal relay went away", true);
	/* the master did come: the relay side can take it */
	assert_int_equal(ctu_console_receive(sv[0], &master), 1);
	close(master);
	close(sv[0]);
	close(sv[1]);
}

/* Sends @len bytes of payload with the @n fds of @fds over @sock. */
static void send_fds(int sock, size_t len, const int *fds, size_t n)
{
	static char payload[8192];
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = payload, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(payload, 'x', sizeof(payload));
	memset(&u, 0, sizeof(u));
	if (n) {
		struct cmsghdr *c;

		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)len);
}

static int open_master(void)
{
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	assert_true(m >= 0);
	return m;
}

static void test_receive_odd_messages(void **state)
{
	static const size_t sizes[] = { 1, 4095, 4096, 6000 };
	int sv[2], master = -1, file;

	(void)state;
	if (!have_ptmx())
		skip();
	for (size_t i = 0; i < CTU_ARRAY_SIZE(sizes); i++) {
		int m = open_master();

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		send_fds(sv[1], sizes[i], &m, 1);
		assert_int_equal(ctu_console_receive(sv[0], &master), 1);
		close(master);
		close(m);
		close(sv[0]);
		close(sv[1]);
	}
	/* no fd at all; two fds (the second closed); a file as master; EOF */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	send_fds(sv[1], 10, NULL, 0);
	assert_int_equal(ctu_console_receive(sv[0], &master), -EBADMSG);
	{
		int two[2] = { open_master(), open_master() };

		send_fds(sv[1], 1, two, 2);
		assert_int_equal(ctu_console_receive(sv[0], &master), 1);
		close(master);
		close(two[0]);
		close(two[1]);
	}
	file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	send_fds(sv[1], 1, &file, 1);
	assert_int_equal(ctu_console_receive(sv[0], &master), -EBADMSG);
	close(file);
	close(sv[1]);
	assert_int_equal(ctu_console_receive(sv[0], &master), 0);
	close(sv[0]);
}

static void test_veof(void **state)
{
	(void)state;
	assert_int_equal(ctu_pty_veof_count(false, true, 'x'), 0);
	assert_int_equal(ctu_pty_veof_count(false, false, 0), 0);
	assert_int_equal(ctu_pty_veof_count(true, false, 0), 1);
	assert_int_equal(ctu_pty_veof_count(true, true, '\n'), 1);
	assert_int_equal(ctu_pty_veof_count(true, true, 'x'), 2);
}

static void test_default_size(void **state)
{
	unsigned short r, c;

	(void)state;
	ctu_pty_default_size("30", "100", &r, &c);
	assert_int_equal(r, 30);
	assert_int_equal(c, 100);
	ctu_pty_default_size("65535", "1", &r, &c);
	assert_int_equal(r, 65535);
	assert_int_equal(c, 1);
	static const char *const bad[][2] = {
		{ NULL, "80" }, { "24", NULL },	 { "0", "80" }, { "24", "65536" },
		{ "-1", "80" }, { "24x", "80" }, { "", "80" },	{ " 24", "80" },
	};
	for (size_t i = 0; i < CTU_ARRAY_SIZE(bad); i++) {
		ctu_pty_default_size(bad[i][0], bad[i][1], &r, &c);
		assert_int_equal(r, 24);
		assert_int_equal(c, 80);
	}
}

static int note_of_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = ctu_elf_has_ctutils_note(fd);
	close(fd);
	return r;
}

/* A copy of @path in a memfd, cut at @len (0: whole), @patch applied to it. */
static int mangled_copy(const char *path, size_t len, void (*patch)(char *, size_t))
{
	_cleanup_free_ char *buf = NULL;
	size_t n;
	int fd;

	assert_int_equal(ctu_read_file(AT_FDCWD, path, &buf, &n), 0);
	if (len && len < n)
		n = len;
	if (patch)
		patch(buf, n);
	fd = memfd_create("elf", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ctu_write_all(fd, buf, n), 0);
	return fd;
}

static void patch_phnum(char *buf, size_t n)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)buf;

	assert_true(n >= sizeof(*e));
	e->e_phnum = 0xffff;
}

/* Every PT_NOTE offset past the end of the file. */
static void patch_notes_past_eof(char *buf, size_t n)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)buf;

	for (unsigned int i = 0; i < e->e_phnum; i++) {
		Elf64_Phdr *p = (Elf64_Phdr *)(buf + e->e_phoff + i * e->e_phentsize);

		if ((char *)(p + 1) <= buf + n && p->p_type == PT_NOTE)
			p->p_offset = n - 4;
	}
}

/* Every note's namesz huge: the walk must stop at the segment's end. */
static void patch_namesz(char *buf, size_t n)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)buf;

	for (unsigned int i = 0; i < e->e_phnum; i++) {
		Elf64_Phdr *p = (Elf64_Phdr *)(buf + e->e_phoff + i * e->e_phentsize);

		if ((char *)(p + 1) <= buf + n && p->p_type == PT_NOTE && p->p_offset + 4 <= n)
			memcpy(buf + p->p_offset, "\xff\xff\xff\xff", 4);
	}
}

static void test_elf_note(void **state)
{
	char tool[PATH_MAX + 16], helper[PATH_MAX + 32], script[] = "/tmp/ctu-pty-XXXXXX";
	int fd;

	(void)state;
	snprintf(tool, sizeof(tool), "%s/pivot", build_dir);
	if (access(tool, R_OK) < 0)
		skip();
	assert_int_equal(note_of_path(tool), 1);
	assert_int_equal(note_of_path("/bin/true"), 0);
	assert_int_equal(note_of_path("/proc/self/exe"), 1); /* this test links lib/ctu.c */
	snprintf(helper, sizeof(helper), "%s/tests/helpers/list-fds", build_dir);
	if (access(helper, R_OK) == 0)
		assert_int_equal(note_of_path(helper), 0); /* static, foreign */
	fd = mkostemp(script, O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ctu_write_all(fd, "#!/bin/sh\necho ctutils\n", 23), 0);
	assert_int_equal(ctu_elf_has_ctutils_note(fd), 0);
	close(fd);
	unlink(script);
	assert_int_equal(note_of_path("/dev/null"), 0);
	assert_int_equal(note_of_path("/"), 0);
	/* malformed copies of a real tool */
	static const size_t cuts[] = { 4, 16, 40, 63, 64, 200, 900 };
	for (size_t i = 0; i < CTU_ARRAY_SIZE(cuts); i++) {
		fd = mangled_copy(tool, cuts[i], NULL);
		assert_int_equal(ctu_elf_has_ctutils_note(fd), 0);
		close(fd);
	}
	fd = mangled_copy(tool, 0, NULL);
	assert_int_equal(ctu_elf_has_ctutils_note(fd), 1);
	close(fd);
	fd = mangled_copy(tool, 0, patch_phnum);
	assert_int_equal(ctu_elf_has_ctutils_note(fd), 0);
	close(fd);
	fd = mangled_copy(tool, 0, patch_notes_past_eof);
	assert_int_equal(ctu_elf_has_ctutils_note(fd), 0);
	close(fd);
	fd = mangled_copy(tool, 0, patch_namesz);
	assert_int_equal(ctu_elf_has_ctutils_note(fd), 0);
	close(fd);
}

static void test_program_lookup(void **state)
{
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char tool[PATH_MAX + 16];

	(void)state;
	snprintf(tool, sizeof(tool), "%s/pivot", build_dir);
	if (access(tool, X_OK) < 0)
		skip();
	assert_int_equal(ctu_program_is_chaining(tool), 1);
	setenv("PATH", "/nonexistent::/bin", 1);
	assert_int_equal(ctu_program_is_chaining("true"), 0);
	assert_int_equal(ctu_program_is_chaining("ctu-no-such-program"), -ENOENT);
	setenv("PATH", build_dir, 1);
	assert_int_equal(ctu_program_is_chaining("pivot"), 1);
	/* as execvp: without $PATH, /bin:/usr/bin */
	unsetenv("PATH");
	assert_int_equal(ctu_program_is_chaining("pivot"), -ENOENT);
	assert_int_equal(ctu_program_is_chaining("sh"), 0);
	if (old)
		setenv("PATH", old, 1);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_receive),	     cmocka_unit_test(test_pending),
		cmocka_unit_test(test_relay_gone),	     cmocka_unit_test(test_reply_e),
		cmocka_unit_test(test_receive_odd_messages), cmocka_unit_test(test_veof),
		cmocka_unit_test(test_default_size),	     cmocka_unit_test(test_elf_note),
		cmocka_unit_test(test_program_lookup),
	};

	return cmocka_run_group_tests_name("pty", tests, setup, NULL);
}
