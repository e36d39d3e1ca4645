// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procopt_sec.c - the kernel-facing process options: a seccomp filter
 * loaded from raw BPF, AppArmor's exec profile, the console pty sent over a
 * socket (procopt.h).
 *
 * The filter is compiled elsewhere (ctrun, with libseccomp) and arrives here
 * as the bytes of a struct sock_filter array, as bubblewrap's --seccomp
 * takes it: a tool that executes a program needs no policy compiler.
 */
#include "procopt.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctu.h"
#include "pty.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

/* The whole program: at most BPF_MAXINSNS instructions, as the kernel takes. */
static int read_filter(int fd, struct sock_filter *insns, size_t *n, ctu_err_t *err)
{
	const size_t cap = (size_t)BPF_MAXINSNS * sizeof(*insns);
	char *buf = (char *)insns;
	size_t len = 0;
	ssize_t r;

	/* one byte more than fits tells a too-long file from a full one */
	while (len <= cap) {
		char extra = 0;
		char *at = len < cap ? buf + len : &extra;

		r = read(fd, at, len < cap ? cap - len : 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ctu_err_errno(err, "--seccomp: cannot read the filter");
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > cap)
		return ctu_err_make(err, E2BIG, "--seccomp: more than %d instructions",
				    BPF_MAXINSNS);
	if (len == 0 || len % sizeof(*insns) != 0)
		return ctu_err_make(
		    err, EINVAL,
		    "--seccomp: %zu bytes: not a BPF program (struct sock_filter[], "
		    "8 bytes each)",
		    len);
	*n = len / sizeof(*insns);
	return 0;
}

int ctu_seccomp_load_fd(int fd, unsigned int flags, ctu_err_t *err)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	struct sock_fprog prog;
	size_t n = 0;

	if (read_filter(fd, insns, &n, err) < 0)
		return ctu_err_code(*err);
	prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = insns };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) == 0)
		return 0;
	switch (errno) {
	case EACCES:
		ctu_err_errno(err, "--seccomp: cannot load the filter");
		return ctu_err_hint(err, "needs no_new_privs or CAP_SYS_ADMIN");
	case EINVAL:
		ctu_err_errno(err, "--seccomp: the kernel refused the filter");
		return ctu_err_hint(err, "not a valid BPF program, or an unknown --seccomp-flags");
	default:
		return ctu_err_errno(err, "--seccomp: cannot load the filter");
	}
}

static const struct {
	const char *word;
	unsigned int flag;
} seccomp_flag_words[] = {
	{ "log", SECCOMP_FILTER_FLAG_LOG },
	{ "spec-allow", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

/* One word of the list, @len bytes at @w. */
static int flag_word(const char *w, size_t len, unsigned int *flags, ctu_err_t *err)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(seccomp_flag_words); i++) {
		if (strlen(seccomp_flag_words[i].word) == len &&
		    memcmp(seccomp_flag_words[i].word, w, len) == 0) {
			*flags |= seccomp_flag_words[i].flag;
			return 0;
		}
	}
	return ctu_err_usage(err, "--seccomp-flags: unknown flag '%.*s' (log, spec-allow)",
			     (int)len, w);
}

int ctu_seccomp_flags_parse(const char *s, unsigned int *flags, ctu_err_t *err)
{
	unsigned int f = 0;
	const char *p = s;

	/* "" is no flag at all (ctrun passes what the profile lists) */
	while (*p) {
		size_t len = strcspn(p, ",");

		if (flag_word(p, len, &f, err) < 0)
			return ctu_err_code(*err);
		p += len;
		if (*p == ',' && *++p == '\0')
			return ctu_err_usage(err, "--seccomp-flags: '%s' ends in a comma", s);
	}
	*flags = f;
	return 0;
}

int ctu_apparmor_onexec(const char *profile, ctu_err_t *err)
{
	/* aa_is_enabled reads the host's /sys and /proc: done before any pivot */
	if (aa_is_enabled() != 1)
		return ctu_err_make(err, 0, "--apparmor %s: AppArmor is not enabled on this host",
				    profile);
	if (aa_change_onexec(profile) < 0)
		return ctu_err_errno(err, "--apparmor: cannot set the exec profile %s", profile);
	return 0;
}

int ctu_console_send(int sock, unsigned short rows, unsigned short cols, int *slave, ctu_err_t *err)
{
	/* runc's protocol: one message, no reply awaited (conmon and containerd send none) */
	return ctu_pty_send_new(sock, "--console-fd", rows, cols, slave, err);
}

int ctu_console_adopt(int slave, ctu_err_t *err)
{
	if (ctu_pty_adopt(slave, "--console-fd", err) < 0)
		return ctu_err_code(*err);
	if (slave > 2)
		close(slave);
	return 0;
}
