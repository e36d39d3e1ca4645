// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec.c - `ctrun exec`: a new process in a created or running container,
 * through `nsenter-lite -t PID -a -r -W CWD --join-cgroup --detach
 * --info-fd I` and the process options.  The process is -p FILE's, or the
 * container's stored one with the arguments replaced and the flags applied
 * (runc's rules).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"
#include "ctu.h"
#include "json.h"
#include "launch.h"
#include "parse.h"
#include "proc.h"
#include "state.h"

enum {
	OPT_CONSOLE_SOCKET = 0x100,
	OPT_PID_FILE,
	OPT_CWD,
	OPT_NO_NEW_PRIVS,
	OPT_APPARMOR,
	OPT_PRESERVE_FDS,
	OPT_IGNORE_PAUSED,
	OPT_PROCESS_LABEL,
};

static const struct option exec_longopts[] = {
	{ "process", required_argument, NULL, 'p' },
	{ "tty", no_argument, NULL, 't' },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "detach", no_argument, NULL, 'd' },
	{ "env", required_argument, NULL, 'e' },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "user", required_argument, NULL, 'u' },
	{ "additional-gids", required_argument, NULL, 'g' },
	{ "cap", required_argument, NULL, 'c' },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "apparmor", required_argument, NULL, OPT_APPARMOR },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
	{ "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static noreturn void exec_usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ctrun exec [options] <id> <program> [<argument>...]\n"
	      " ctrun exec [options] -p <process.json> <id>\n"
	      "\nRun a new process in a created or running container.\n" CTU_USAGE_OPTIONS
	      " -p, --process <file>      the process, as config.json's /process\n"
	      " -t, --tty                 give it a terminal (sent to --console-socket; without\n"
	      "                             one, in the foreground, relayed to ours)\n"
	      "     --console-socket <path>  send the terminal's master there\n"
	      "     --pid-file <file>     write its PID there\n"
	      " -d, --detach              do not wait for it\n"
	      " -e, --env <name=value>    add to its environment\n"
	      "     --cwd <dir>           its working directory\n"
	      " -u, --user <uid>[:<gid>]  its user\n"
	      " -g, --additional-gids <gid>  a supplementary group (repeatable)\n"
	      " -c, --cap <cap>           add a capability (repeatable)\n"
	      "     --no-new-privs        set no_new_privs\n"
	      "     --apparmor <profile>  its AppArmor profile\n"
	      "     --preserve-fds <n>    pass file descriptors 3 to 3+<n>-1 on\n"
	      "     --ignore-paused       exec even into a paused container\n"
	      "     --process-label <label>  (SELinux: ignored, it is off)\n"
	      " -h, --help                display this help\n" CTU_USAGE_MAN_TAIL("ctrun(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

struct exec_opts {
	const char *process_file, *cwd, *user, *apparmor;
	bool tty, ignore_paused, no_new_privs, detach;
	json_t *env, *gids, *caps; /* arrays of what was given */
};

static void push_string(json_t *arr, const char *s)
{
	if (json_array_append_new(arr, json_string(s)) < 0)
		ctu_usage_exit("out of memory");
}

static void exec_option(struct ct_launch *l, struct exec_opts *eo, int c, const char *arg)
{
	ctu_err_t err = NULL;

	switch (c) {
	case 'p':
		eo->process_file = arg;
		break;
	case 't':
		eo->tty = true;
		break;
	case OPT_CONSOLE_SOCKET:
		l->console_socket = arg;
		break;
	case OPT_PID_FILE:
		l->pid_file = arg;
		break;
	case 'd':
		eo->detach = true;
		break;
	case 'e':
		push_string(eo->env, arg);
		break;
	case OPT_CWD:
		eo->cwd = arg;
		break;
	case 'u':
		eo->user = arg;
		break;
	case 'g':
		push_string(eo->gids, arg);
		break;
	case 'c':
		push_string(eo->caps, arg);
		break;
	case OPT_NO_NEW_PRIVS:
		eo->no_new_privs = true;
		break;
	case OPT_APPARMOR:
		eo->apparmor = arg;
		break;
	case OPT_PRESERVE_FDS:
		if (ctu_preserve_fds_arg(arg, &l->preserve_fds, &err) < 0)
			ctu_err_exit(&err);
		break;
	case OPT_IGNORE_PAUSED:
		eo->ignore_paused = true;
		break;
	case OPT_PROCESS_LABEL:
		break;
	case 'h':
		exec_usage();
	default:
		ctu_try_help_exit();
	}
}

/* -u UID[:GID] onto process.user. */
static int apply_user(json_t *process, const char *spec, ctu_err_t *err)
{
	json_t *user = json_object_get(process, "user");
	char uid[32], *colon;
	uint64_t v;

	snprintf(uid, sizeof(uid), "%s", spec);
	colon = strchr(uid, ':');
	if (colon)
		*colon++ = '\0';
	if (ctu_parse_u64(uid, &v) < 0 || v > UINT32_MAX - 1)
		return ctu_err_usage(err, "--user: '%s' is not UID[:GID]", spec);
	if (!user) {
		user = json_object();
		json_object_set_new(process, "user", user);
	}
	json_object_set_new(user, "uid", json_integer((json_int_t)v));
	if (!colon)
		return 0;
	if (ctu_parse_u64(colon, &v) < 0 || v > UINT32_MAX - 1)
		return ctu_err_usage(err, "--user: '%s' is not UID[:GID]", spec);
	json_object_set_new(user, "gid", json_integer((json_int_t)v));
	return 0;
}

static int apply_gids(json_t *process, json_t *gids, ctu_err_t *err)
{
	json_t *user = json_object_get(process, "user"), *list = json_array();
	uint64_t v;

	for (size_t i = 0; i < json_array_size(gids); i++) {
		const char *s = json_string_value(json_array_get(gids, i));

		if (ctu_parse_u64(s, &v) < 0 || v > UINT32_MAX - 1) {
			json_decref(list);
			return ctu_err_usage(err, "--additional-gids: '%s' is not a GID", s);
		}
		json_array_append_new(list, json_integer((json_int_t)v));
	}
	json_object_set_new(user, "additionalGids", list);
	return 0;
}

/* -c CAP joins every set but inheritable, as runc's. */
static void apply_caps(json_t *process, json_t *caps)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
	json_t *c = json_object_get(process, "capabilities");

	if (!c) {
		c = json_object();
		json_object_set_new(process, "capabilities", c);
	}
	for (size_t s = 0; s < CTU_ARRAY_SIZE(sets); s++) {
		json_t *set = json_object_get(c, sets[s]);

		if (!set) {
			set = json_array();
			json_object_set_new(c, sets[s], set);
		}
		json_array_extend(set, caps);
	}
}

static void apply_env(json_t *process, json_t *env)
{
	json_t *cur = json_object_get(process, "env");

	if (!cur) {
		cur = json_array();
		json_object_set_new(process, "env", cur);
	}
	json_array_extend(cur, env);
}

static json_t *strings_of(char **v, int n)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

/* The stored process, args replaced and the flags applied (runc's exec without -p). */
static json_t *process_from_flags(const struct ct_state *st, struct exec_opts *eo, char **args,
				  int n_args, ctu_err_t *err)
{
	json_t *process = json_deep_copy(json_object_get(st->doc, "process"));

	if (!process) {
		ctu_err_make(err, ENOMEM, "container %s: no stored process", st->id);
		return NULL;
	}
	json_object_set_new(process, "args", strings_of(args, n_args));
	json_object_set_new(process, "terminal", json_boolean(eo->tty));
	if (eo->cwd)
		json_object_set_new(process, "cwd", json_string(eo->cwd));
	if ((eo->user && apply_user(process, eo->user, err) < 0) ||
	    (json_array_size(eo->gids) && apply_gids(process, eo->gids, err) < 0)) {
		json_decref(process);
		return NULL;
	}
	if (json_array_size(eo->caps))
		apply_caps(process, eo->caps);
	apply_env(process, eo->env);
	if (eo->no_new_privs)
		json_object_set_new(process, "noNewPrivileges", json_true());
	if (eo->apparmor)
		json_object_set_new(process, "apparmorProfile", json_string(eo->apparmor));
	if (ct_process_check(process, "/process", err) < 0) {
		json_decref(process);
		return NULL;
	}
	return process;
}

static int check_status(struct ct_global *g, const struct ct_state *st, bool ignore_paused,
			ctu_err_t *err)
{
	enum ct_status s = ct_status_of(g, st, NULL);

	if (s == CT_CREATED || s == CT_RUNNING || (s == CT_PAUSED && ignore_paused))
		return 0;
	if (s == CT_PAUSED)
		return ctu_err_make(err, 0, "container %s is paused: use --ignore-paused", st->id);
	return ctu_err_make(err, 0, "cannot exec in a stopped container %s", st->id);
}

static int exec_process(struct ct_launch *l, const struct ct_state *st, json_t *process,
			bool detach, int *status, ctu_err_t *err)
{
	struct ct_chain_in in;
	int r;

	l->terminal = json_is_true(json_object_get(process, "terminal"));
	if (ct_console_prepare(l, process, !detach, err) < 0)
		return -1;
	/*
	 * Detached too: the process stays ours (a zombie if it ends at once) until
	 * we exit, so the pidfd and the pid file name it, and the engine's
	 * subreaper reaps it only after it has read the pid file (as runc's).
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return ctu_err_errno(err, "cannot become a subreaper");
	ct_fds_layout(&l->fds, l->preserve_fds, false, l->terminal);
	in = (struct ct_chain_in){ .g = l->g,
				   .kind = CT_CHAIN_EXEC,
				   .id = l->id,
				   .bundle = st->bundle,
				   .process = process,
				   .cgroup = st->cgroup && *st->cgroup ? st->cgroup : NULL,
				   .target = st->pid,
				   .seccomp_bpf = NULL,
				   .seccomp_flags = "",
				   .fds = l->fds };
	if (ct_chain_build(&in, &l->chain, err) < 0)
		return -1;
	if (l->g->show_chain)
		return ct_chain_print(&l->chain, stdout) < 0 ? ctu_err_errno(err, "--show-chain")
							     : 1;
	if (ct_console_open(l, err) < 0 || ct_launch_chain(l, err) < 0)
		return -1;
	if (l->pid_file && (r = ctu_pidfile_write_as(l->pid_file, l->init, false)) < 0)
		return ctu_err_make(err, -r, "--pid-file %s", l->pid_file);
	return detach ? 0 : ct_launch_wait(l, status, err);
}

static int do_exec(struct ct_global *g, struct ct_launch *l, struct exec_opts *eo, char **args,
		   int n_args, bool detach, int *status, ctu_err_t *err)
{
	struct ct_state st = { 0 };
	json_t *process = NULL;
	int r = -1;

	if (ct_state_read(g, l->id, &st, err) < 0)
		return -1;
	if (check_status(g, &st, eo->ignore_paused, err) < 0)
		goto out;
	if (eo->process_file)
		process = ct_process_load(eo->process_file, err);
	else
		process = process_from_flags(&st, eo, args, n_args, err);
	if (!process)
		goto out;
	l->cfg = NULL;
	snprintf(l->bundle, sizeof(l->bundle), "%s", st.bundle ? st.bundle : "/");
	r = exec_process(l, &st, process, detach, status, err);
	json_decref(process);
out:
	ct_state_free(&st);
	return r;
}

int ct_cmd_exec(struct ct_global *g, int argc, char **argv)
{
	struct ct_launch l = {
		.g = g, .dirfd = -1, .console = -1, .relay = -1, .init_pidfd = -1,
		.undo = CTU_UNDO_INIT
	};
	struct exec_opts eo = { .env = json_array(), .gids = json_array(), .caps = json_array() };
	ctu_err_t err = NULL;
	int c, r, status = 0;
	bool detach;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:tde:u:g:c:h", exec_longopts, NULL)) != -1)
		exec_option(&l, &eo, c, optarg);
	detach = eo.detach;
	if (optind >= argc)
		ctu_usage_exit("no container ID given");
	l.id = argv[optind++];
	if (ct_id_check(l.id, &err) < 0)
		ctu_err_exit(&err);
	if (!eo.process_file && optind >= argc)
		ctu_usage_exit("no program given (or -p FILE)");
	if (eo.process_file && optind < argc)
		ctu_usage_exit("-p cannot go with a program on the command line");
	r = do_exec(g, &l, &eo, argv + optind, argc - optind, detach, &status, &err);
	json_decref(eo.env);
	json_decref(eo.gids);
	json_decref(eo.caps);
	ct_chain_free(&l.chain);
	if (l.console >= 0)
		close(l.console);
	if (l.relay >= 0)
		close(l.relay);
	if (r < 0)
		return ct_report(g, &err);
	if (r == 1 || detach)
		return 0;
	ctu_exit_like(status);
}
