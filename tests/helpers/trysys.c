// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trysys - call one system call by name and say what the kernel answered,
 * for the seccomp tests: "ok N" (the return value) or "errno N".
 *
 *	trysys NAME [ARG...]     ARG: a number (0x.. too), "buf" (a scratch
 *	                         buffer), or "s:TEXT" (a string)
 *
 * Also prints the Seccomp: line of /proc/self/status first with -s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{ "getpid", SYS_getpid },
	{ "getppid", SYS_getppid },
	{ "getuid", SYS_getuid },
	{ "uname", SYS_uname },
	{ "umask", SYS_umask },
	{ "sync", SYS_sync },
	{ "personality", SYS_personality },
	{ "socket", SYS_socket },
	{ "mkdir", SYS_mkdir },
	{ "getcwd", SYS_getcwd },
	{ "acct", SYS_acct },
	{ "kexec_load", SYS_kexec_load },
	{ "chroot", SYS_chroot },
	{ "sethostname", SYS_sethostname },
	{ "unshare", SYS_unshare },
	{ "getpgid", SYS_getpgid },
	{ "setpgid", SYS_setpgid },
	{ "vhangup", SYS_vhangup },
	{ "clone", SYS_clone },
	{ "kill", SYS_kill },
	{ "add_key", SYS_add_key },
	{ "setns", SYS_setns },
};

static char scratch[4096];

static long arg_of(const char *s)
{
	char *end;
	long v;

	if (strcmp(s, "buf") == 0)
		return (long)scratch;
	if (strncmp(s, "s:", 2) == 0)
		return (long)(s + 2);
	errno = 0;
	v = (long)strtoul(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "trysys: bad argument '%s'\n", s);
		exit(2);
	}
	return v;
}

static void print_seccomp_mode(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			fputs(line, stdout);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	long a[6] = { 0 }, r;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		print_seccomp_mode();
		first = 2;
	}
	if (argc <= first || argc - first - 1 > 6) {
		fputs("usage: trysys [-s] NAME [ARG...]\n", stderr);
		return 2;
	}
	for (int i = first + 1; i < argc; i++)
		a[i - first - 1] = arg_of(argv[i]);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (strcmp(calls[i].name, argv[first]) != 0)
			continue;
		r = syscall(calls[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r < 0)
			printf("errno %d\n", errno);
		else
			printf("ok %ld\n", r);
		return 0;
	}
	fprintf(stderr, "trysys: unknown system call '%s'\n", argv[first]);
	return 2;
}
