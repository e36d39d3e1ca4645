// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp-target - a process in a seccomp mode, for nsenter-lite --inspect's
 * tests: "strict" (SECCOMP_MODE_STRICT: read, write, _exit, sigreturn only)
 * or "filter [N]" (no_new_privs, then N allow-all filters, 1 by default).
 * It writes "ready\n" on stdout once in the mode, then blocks until killed
 * (in strict mode a read of a pipe nobody writes: read is all it may do).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int usage(void)
{
	fputs("usage: seccomp-target strict|filter [N]\n", stderr);
	return 2;
}

/* A filter that allows every system call: the mode, not the policy, is tested. */
static int add_allow_filter(void)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 1, .filter = allow };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static int filter_mode(int n)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("seccomp-target: PR_SET_NO_NEW_PRIVS");
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (add_allow_filter() < 0) {
			perror("seccomp-target: SECCOMP_MODE_FILTER");
			return 1;
		}
	if (write(1, "ready\n", 6) != 6)
		return 1;
	for (;;)
		pause();
}

static int strict_mode(void)
{
	int p[2];
	char c;

	if (pipe(p) < 0) {
		perror("seccomp-target: pipe");
		return 1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) < 0) {
		perror("seccomp-target: SECCOMP_MODE_STRICT");
		return 1;
	}
	/* from here on only read, write and _exit: the write end stays open, so read blocks */
	if (write(1, "ready\n", 6) != 6)
		_exit(1);
	for (;;)
		if (read(p[0], &c, 1) != 1 && errno != EINTR)
			_exit(1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "strict"))
		return strict_mode();
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "filter"))
		return filter_mode(argc == 3 ? atoi(argv[2]) : 1);
	return usage();
}
