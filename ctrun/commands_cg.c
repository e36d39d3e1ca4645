// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commands_cg.c - the commands that work on a container's cgroup: ps,
 * pause, resume (update: commands_update.c).  The cgroup is changed only
 * through cgctl; here it is only read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "ctu.h"
#include "json.h"
#include "parse.h"
#include "proc.h"

#define PS_OUTPUT_MAX ((size_t)16 << 20)

/* ---- ps ----------------------------------------------------------------------- */

static int ps_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	(void)opt;
	if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
		return ctu_err_usage(err, "--format: '%s' is not table or json", arg);
	*(bool *)ctx = strcmp(arg, "json") == 0;
	return 0;
}

static const struct option ps_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cmd_line ps_line = {
	.usage = CTU_USAGE_HEADER " ctrun ps [options] <id> [<ps-argument>...]\n"
		 "\nThe processes of a container's cgroup: the lines of `ps ARGS` (default -ef)\n"
		 "whose PID is in it, under ps's header; -f json: their host PIDs.\n"
		 CTU_USAGE_OPTIONS
		 " -f, --format table|json   the output format (default table)\n"
		 " -h, --help                display this help\n",
	.shortopts = "f:", .longopts = ps_longopts, .stop_at_operand = true, .min = 1, .max = -1,
	.operands = "container ID",
};

/* The PIDs of the container's cgroup and the ones below (recursive). */
static int cgroup_pids(const struct ct_state *st, pid_t **pids, size_t *n, ctu_err_t *err)
{
	struct ctu_cg_hiers hs;
	char d[CTU_CG_DIR_MAX];
	int r;

	*pids = NULL;
	*n = 0;
	if (cmd_need_cgroup(st, err) < 0 || ctu_cg_detect(&hs, NULL, false, NULL, err) < 0)
		return ctu_err_code(*err);
	if (!ct_cgroup_dir(&hs, st->cgroup, d))
		return ctu_err_make(err, ENOENT, "container %s: cgroup %s", st->id, st->cgroup);
	r = ctu_cg_pids(d, true, pids, n);
	if (r < 0)
		return ctu_err_make(err, -r, "container %s: cannot read the processes of %s", st->id,
				    d);
	return 0;
}

static int print_pids_json(const pid_t *pids, size_t n, ctu_err_t *err)
{
	_cleanup_json_ json_t *arr = json_array();
	_cleanup_free_ char *text = NULL;

	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_integer(pids[i])) < 0)
			return ctu_err_make(err, ENOMEM, "ps");
	text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	if (!text)
		return ctu_err_make(err, ENOMEM, "ps");
	printf("%s\n", text);
	return 0;
}

/* Runs ps with @args (NULL-terminated after argv[0]), its stdout and stderr into *@out. */
static int run_ps(char **args, char **out, size_t *len, ctu_err_t *err)
{
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return ctu_err_errno(err, "cannot run ps");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return ctu_err_errno(err, "cannot run ps");
	}
	if (pid == 0) {
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		execvp("ps", args);
		dprintf(2, "ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (ctu_json_read_fd(p[0], PS_OUTPUT_MAX, "ps output", out, len, err) < 0)
		*out = NULL;
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "ps");
	if (!*out)
		return ctu_err_code(*err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ctu_err_make(err, 0, "ps failed (exit status %d): %.*s",
				    ctu_status_to_exit_code(status), (int)strcspn(*out, "\n"), *out);
	return 0;
}

/* The index of the PID column in ps's header line. */
static int pid_column(const char *header, ctu_err_t *err)
{
	_cleanup_free_ char *copy = strndup(header, strcspn(header, "\n"));
	char *save = NULL;
	int i = 0;

	for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(w, "PID") == 0)
			return i;
	return ctu_err_make(err, 0, "couldn't find PID field in ps output");
}

/* The PID in column @col of @line: 0 when it has none. */
static pid_t line_pid(const char *line, size_t len, int col)
{
	_cleanup_free_ char *copy = strndup(line, len);
	char *save = NULL, *w = copy ? strtok_r(copy, " \t", &save) : NULL;
	int pid = 0;

	for (int i = 0; w && i < col; i++)
		w = strtok_r(NULL, " \t", &save);
	if (!w || ctu_parse_int(w, &pid) < 0)
		return 0;
	return (pid_t)pid;
}

static bool has_pid(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* ps's header, then its lines whose PID is one of @pids (runc's). */
static int filter_ps(const char *out, const pid_t *pids, size_t n, ctu_err_t *err)
{
	size_t hlen = strcspn(out, "\n");
	int col = pid_column(out, err);

	if (col < 0)
		return col;
	printf("%.*s\n", (int)hlen, out);
	for (const char *l = out + hlen; *l;) {
		size_t len;

		l += *l == '\n';
		len = strcspn(l, "\n");
		if (len > 0 && has_pid(pids, n, line_pid(l, len, col)))
			printf("%.*s\n", (int)len, l);
		l += len;
	}
	return 0;
}

static int ps_table(char **ps_args, int n_args, const pid_t *pids, size_t n, ctu_err_t *err)
{
	_cleanup_free_ char **args = calloc((size_t)n_args + 3, sizeof(char *));
	_cleanup_free_ char *out = NULL;
	size_t len;

	if (!args)
		return ctu_err_make(err, ENOMEM, "ps");
	args[0] = "ps";
	for (int i = 0; i < n_args; i++)
		args[i + 1] = ps_args[i];
	if (n_args == 0)
		args[1] = "-ef";
	if (run_ps(args, &out, &len, err) < 0)
		return ctu_err_code(*err);
	return filter_ps(out, pids, n, err);
}

static int ps_container(struct ct_global *g, char **argv, int n, bool json, ctu_err_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct ct_state st;
	size_t np = 0;
	int r;

	if (ct_state_read(g, argv[0], &st, err) < 0)
		return ctu_err_code(*err);
	if (ct_status_of(g, &st, NULL) == CT_STOPPED)
		r = ctu_err_make(err, 0, "container %s is not running", st.id);
	else
		r = cgroup_pids(&st, &pids, &np, err);
	ct_state_free(&st);
	if (r < 0)
		return r;
	if (json)
		return n > 1 ? ctu_err_usage(err, "-f json takes no ps arguments")
			     : print_pids_json(pids, np, err);
	return ps_table(argv + 1, n - 1, pids, np, err);
}

int ct_cmd_ps(struct ct_global *g, int argc, char **argv)
{
	ctu_err_t err = NULL;
	bool json = false;
	int first = 0, r = cmd_parse(&ps_line, argc, argv, ps_option, &json, &first, &err);

	if (r == 0)
		r = ps_container(g, argv + first, argc - first, json, &err);
	return cmd_exit(g, r, &err);
}

/* ---- pause, resume ------------------------------------------------------------ */

static int no_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	(void)arg;
	(void)ctx;
	return ctu_err_usage(err, "invalid option -- '%c'", opt);
}

static const struct cmd_line pause_line = {
	.usage = CTU_USAGE_HEADER " ctrun pause <id>\n"
		 "\nFreeze every process of a running container (cgctl freeze): paused.\n"
		 "\n -h, --help                display this help\n",
	.min = 1, .max = 1, .operands = "container ID",
};

static const struct cmd_line resume_line = {
	.usage = CTU_USAGE_HEADER " ctrun resume <id>\n"
		 "\nThaw a paused container (cgctl thaw): running again.\n"
		 "\n -h, --help                display this help\n",
	.min = 1, .max = 1, .operands = "container ID",
};

/* pause (@freeze) of a running container, resume of a paused one. */
static int freeze_container(struct ct_global *g, const char *id, bool freeze, ctu_err_t *err)
{
	_cleanup_close_ int dirfd = -1;
	struct ct_state st;
	enum ct_status s;
	int r = 0;

	dirfd = cmd_lock_read(g, id, &st, err);
	if (dirfd < 0)
		return dirfd;
	s = ct_status_of(g, &st, NULL);
	if (freeze && s != CT_RUNNING)
		r = ctu_err_make(err, 0, "container %s is %s, not running", id, ct_status_name(s));
	else if (!freeze && s != CT_PAUSED)
		r = ctu_err_make(err, 0, "container %s is %s, not paused", id, ct_status_name(s));
	else if (cmd_need_cgroup(&st, err) < 0)
		r = ctu_err_code(*err);
	if (r == 0) {
		char *args[] = { "cgctl", freeze ? "freeze" : "thaw", (char *)st.cgroup, NULL };

		if (ct_tool_run(g, args, err) < 0)
			r = ctu_err_wrap(err, "container %s", id);
	}
	ct_state_free(&st);
	return r;
}

static int pause_or_resume(struct ct_global *g, int argc, char **argv, bool freeze)
{
	ctu_err_t err = NULL;
	int first = 0, r = cmd_parse(freeze ? &pause_line : &resume_line, argc, argv, no_option, NULL,
				 &first, &err);

	if (r == 0)
		r = freeze_container(g, argv[first], freeze, &err);
	return cmd_exit(g, r, &err);
}

int ct_cmd_pause(struct ct_global *g, int argc, char **argv)
{
	return pause_or_resume(g, argc, argv, true);
}

int ct_cmd_resume(struct ct_global *g, int argc, char **argv)
{
	return pause_or_resume(g, argc, argv, false);
}
