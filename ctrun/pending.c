// SPDX-License-Identifier: GPL-2.0-or-later
/* pending.c - weak placeholders while ctrun's parts are written (removed before the end). */
#include <errno.h>
#include <stdio.h>

#include "ctrun.h"

#define W __attribute__((weak))
static int pending(struct ct_global *g, const char *what)
{
	ctu_err_t err = NULL;

	ctu_err_make(&err, ENOSYS, "%s", what);
	return ct_report(g, &err);
}
#define CMD(n)                                                                                     \
	W int ct_cmd_##n(struct ct_global *g, int argc, char **argv)                               \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		return pending(g, #n);                                                             \
	}
CMD(create)
CMD(run)
CMD(start)
CMD(exec)
CMD(state)
CMD(list)
CMD(ps)
CMD(kill)
CMD(delete)
CMD(pause)
CMD(resume)
CMD(update)
CMD(spec)
CMD(features)
W int ct_tool_path(const struct ct_global *g, const char *tool, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", g->tooldir, tool);
	return 0;
}
W int ct_tool_run(const struct ct_global *g, char *const argv[], ctu_err_t *err)
{
	(void)g;
	return ctu_err_make(err, ENOSYS, "%s", argv[0]);
}
W json_t *ct_config_load(const char *bundle, ctu_err_t *err)
{
	ctu_err_make(err, ENOSYS, "%s", bundle);
	return NULL;
}
W int ct_config_check(json_t *cfg, ctu_err_t *err)
{
	(void)cfg;
	return ctu_err_make(err, ENOSYS, "config");
}
W json_t *ct_process_load(const char *path, ctu_err_t *err)
{
	ctu_err_make(err, ENOSYS, "%s", path);
	return NULL;
}
W int ct_process_check(json_t *process, const char *pointer, ctu_err_t *err)
{
	(void)process;
	return ctu_err_make(err, ENOSYS, "%s", pointer);
}
W void ct_fds_layout(struct ct_fds *f, unsigned int n_user, bool fifo, bool console)
{
	(void)fifo;
	(void)console;
	f->n_user = n_user;
}
W int ct_chain_build(const struct ct_chain_in *in, struct ct_chain *out, ctu_err_t *err)
{
	(void)in;
	(void)out;
	return ctu_err_make(err, ENOSYS, "chain");
}
W void ct_chain_free(struct ct_chain *c)
{
	(void)c;
}
W int ct_chain_print(const struct ct_chain *c, FILE *f)
{
	(void)c;
	(void)f;
	return -ENOSYS;
}
W char *ct_shell_quote(const char *s)
{
	(void)s;
	return NULL;
}
W int ct_cgroup_path(json_t *cfg, const char *id, char *out, size_t size, ctu_err_t *err)
{
	(void)cfg;
	(void)out;
	(void)size;
	return ctu_err_make(err, ENOSYS, "%s", id);
}
W char *ct_home_of(const char *rootfs, uid_t uid)
{
	(void)rootfs;
	(void)uid;
	return NULL;
}
W int ct_seccomp_compile(struct ct_global *g, json_t *seccomp, const char *pointer, char *out,
			 size_t size, char *flags, size_t flags_size, ctu_err_t *err)
{
	(void)g;
	(void)seccomp;
	(void)out;
	(void)size;
	(void)flags;
	(void)flags_size;
	return ctu_err_make(err, ENOSYS, "%s", pointer);
}
W int ct_seccomp_check(json_t *seccomp, const char *pointer, ctu_err_t *err)
{
	(void)seccomp;
	return ctu_err_make(err, ENOSYS, "%s", pointer);
}
W const char *ct_status_name(enum ct_status s)
{
	(void)s;
	return "unknown";
}
W int ct_state_read(struct ct_global *g, const char *id, struct ct_state *st, ctu_err_t *err)
{
	(void)g;
	(void)st;
	return ctu_err_make(err, ENOSYS, "%s", id);
}
W int ct_state_write(int dirfd, const struct ct_state *st, ctu_err_t *err)
{
	(void)dirfd;
	(void)st;
	return ctu_err_make(err, ENOSYS, "state");
}
W void ct_state_free(struct ct_state *st)
{
	(void)st;
}
W int ct_state_lock(struct ct_global *g, const char *id, ctu_err_t *err)
{
	(void)g;
	return ctu_err_make(err, ENOSYS, "%s", id);
}
W enum ct_status ct_status_of(struct ct_global *g, const struct ct_state *st, int *pidfd)
{
	(void)g;
	(void)st;
	if (pidfd)
		*pidfd = -1;
	return CT_STOPPED;
}
W json_t *ct_state_oci(const struct ct_state *st, enum ct_status s)
{
	(void)st;
	(void)s;
	return NULL;
}
W int ct_hooks_run(const struct ct_global *g, json_t *hooks, const char *kind,
		   const char *state_json, const char *bundle, pid_t enter_pid, bool in_root,
		   ctu_err_t *err)
{
	(void)g;
	(void)hooks;
	(void)state_json;
	(void)bundle;
	(void)enter_pid;
	(void)in_root;
	return ctu_err_make(err, ENOSYS, "%s", kind);
}
