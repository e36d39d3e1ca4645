// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procopt_sec.c - the kernel-facing process options: a seccomp filter
 * loaded from raw BPF, AppArmor's exec profile, the console pty sent over a
 * socket (procopt.h).
 */
#include "procopt.h"

#include <errno.h>

int ctu_seccomp_load_fd(int fd, unsigned int flags, ctu_err_t *err)
{
	(void)fd;
	(void)flags;
	return ctu_err_make(err, ENOSYS, "--seccomp");
}

int ctu_seccomp_flags_parse(const char *s, unsigned int *flags, ctu_err_t *err)
{
	(void)flags;
	return ctu_err_usage(err, "--seccomp-flags: %s", s);
}

int ctu_apparmor_onexec(const char *profile, ctu_err_t *err)
{
	return ctu_err_make(err, ENOSYS, "--apparmor %s", profile);
}

int ctu_console_send(int sock, unsigned short rows, unsigned short cols, int *slave,
		     ctu_err_t *err)
{
	(void)sock;
	(void)rows;
	(void)cols;
	*slave = -1;
	return ctu_err_make(err, ENOSYS, "--console-fd");
}

int ctu_console_adopt(int slave, ctu_err_t *err)
{
	(void)slave;
	return ctu_err_make(err, ENOSYS, "console");
}
