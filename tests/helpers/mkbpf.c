// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkbpf - writes a tiny raw seccomp filter (struct sock_filter[]) to stdout,
 * for the --seccomp tests without libseccomp: SYSCALL returns -ERRNO, every
 * other system call is allowed, a foreign architecture too.
 *
 *	mkbpf SYSCALL ERRNO     SYSCALL: getpid, uname, or a number
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long syscall_number(const char *s)
{
	if (strcmp(s, "getpid") == 0)
		return SYS_getpid;
	if (strcmp(s, "uname") == 0)
		return SYS_uname;
	return strtol(s, NULL, 10);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkbpf SYSCALL ERRNO\n");
		return 2;
	}
	long nr = syscall_number(argv[1]);
	unsigned int e = (unsigned int)strtoul(argv[2], NULL, 10) & SECCOMP_RET_DATA;
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | e),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return fwrite(prog, sizeof(prog), 1, stdout) == 1 ? 0 : 1;
}
