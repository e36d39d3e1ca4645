// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctrun - an OCI runtime made of the six tools (ctrun.h).
 *
 * This file is the command line: usage, the global options (before the
 * command, as runc's), the command table, IDs and the state root.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ctrun.h"
#include "ctu.h"

#define DEFAULT_ROOT "/run/ctrun"

static noreturn void usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ctrun [global options] <command> [options] [<id>] [<argument>...]\n"
	      "\nRun OCI bundles as containers, by chaining cgctl, nsenter-lite, unshare-lite\n"
	      "and pivot; --show-chain prints the chain instead.\n"
	      "\nCommands:\n"
	      " create <id>        set a container up, its program blocked before exec\n"
	      " start <id>         let a created container's program run\n"
	      " run <id>           create and start, then wait (-d: do not wait)\n"
	      " state <id>         the container's state as JSON\n"
	      " list               the containers (-f json, -q)\n"
	      " kill <id> [<sig>]  signal the container's init (default SIGTERM; -a: all)\n"
	      " delete <id>        remove a stopped or created container (-f: any)\n"
	      " exec <id> <arg>... run a new process in the container (-p FILE)\n"
	      " ps <id> [<ps-arg>...]  its processes (-f json: their PIDs)\n"
	      " pause <id>         freeze its cgroup\n"
	      " resume <id>        thaw it\n"
	      " update <id>        change its resources (-r FILE, --memory ...)\n"
	      " features           what this runtime implements, as JSON\n"
	      " spec               write a default config.json (-b DIR)\n"
	      "\nGlobal options:\n"
	      "     --root <dir>          the state directory (default " DEFAULT_ROOT ")\n"
	      "     --log <file>          append errors and warnings to <file>\n"
	      "     --log-format text|json  their format there\n"
	      "     --debug               the chain and its phase timings on stderr\n"
	      "     --cgroup-manager cgroupfs|disabled  disabled: no cgroup of our own\n"
	      "     --systemd-cgroup      (not supported: use the cgroupfs manager)\n"
	      "     --rootless false|auto (rootless containers are not supported yet)\n"
	      "     --criu <path>         (ignored)\n"
	      "     --show-chain[=bare]   print the chain create, run or exec would run;\n"
	      "                             bare: runnable by hand from a root shell\n"
	      " -h, --help                display this help\n"
	      " -v, -V, --version         display version\n"
	      "\n'ctrun <command> --help' tells a command's options.\n" CTU_USAGE_MAN_TAIL(
		  "ctrun(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

static noreturn void version(void)
{
	printf("ctrun from ctutils %s\nspec: 1.1.0\n", CTU_VERSION);
	exit(CTU_EXIT_OK);
}

struct command {
	const char *name;
	int (*run)(struct ct_global *g, int argc, char **argv);
};

static int not_supported(struct ct_global *g, int argc, char **argv)
{
	ctu_err_t err = NULL;

	(void)argc;
	ctu_err_make(&err, 0, "%s: not supported", argv[0]);
	return ct_report(g, &err);
}

static const struct command commands[] = {
	{ "create", ct_cmd_create },
	{ "start", ct_cmd_start },
	{ "run", ct_cmd_run },
	{ "state", ct_cmd_state },
	{ "list", ct_cmd_list },
	{ "kill", ct_cmd_kill },
	{ "delete", ct_cmd_delete },
	{ "exec", ct_cmd_exec },
	{ "ps", ct_cmd_ps },
	{ "pause", ct_cmd_pause },
	{ "resume", ct_cmd_resume },
	{ "update", ct_cmd_update },
	{ "features", ct_cmd_features },
	{ "spec", ct_cmd_spec },
	{ "checkpoint", not_supported },
	{ "restore", not_supported },
	{ "events", not_supported },
};

enum {
	OPT_ROOT = 0x100,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_CGROUP_MANAGER,
	OPT_ROOTLESS,
	OPT_CRIU,
	OPT_SHOW_CHAIN,
};

static const struct option global_longopts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
	{ "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
	{ "rootless", required_argument, NULL, OPT_ROOTLESS },
	{ "criu", required_argument, NULL, OPT_CRIU },
	{ "show-chain", optional_argument, NULL, OPT_SHOW_CHAIN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A refusal of a global option is an error (exit 1), as runc's, not a usage one. */
static noreturn void refuse(struct ct_global *g, const char *what)
{
	ctu_err_t err = NULL;

	ctu_err_make(&err, 0, "%s", what);
	exit(ct_report(g, &err));
}

static void global_option(struct ct_global *g, int c, const char *arg)
{
	switch (c) {
	case OPT_ROOT:
		g->root = arg;
		break;
	case OPT_LOG:
		g->log = arg;
		break;
	case OPT_LOG_FORMAT:
		if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0)
			ctu_usage_exit("--log-format: '%s' is not text or json", arg);
		g->log_json = strcmp(arg, "json") == 0;
		break;
	case OPT_DEBUG:
		g->debug = true;
		break;
	case OPT_SYSTEMD_CGROUP:
		refuse(g, "--systemd-cgroup: not supported; use the cgroupfs manager");
	case OPT_CGROUP_MANAGER:
		if (strcmp(arg, "systemd") == 0)
			refuse(g,
			       "--cgroup-manager systemd: not supported; use the cgroupfs manager");
		if (strcmp(arg, "cgroupfs") != 0 && strcmp(arg, "disabled") != 0)
			ctu_usage_exit("--cgroup-manager: '%s' is not cgroupfs or disabled", arg);
		g->cgroup_disabled = strcmp(arg, "disabled") == 0;
		break;
	case OPT_ROOTLESS:
		if (strcmp(arg, "true") == 0 || (strcmp(arg, "auto") == 0 && geteuid() != 0))
			refuse(g, "rootless: not supported yet");
		if (strcmp(arg, "false") != 0 && strcmp(arg, "auto") != 0)
			ctu_usage_exit("--rootless: '%s' is not true, false or auto", arg);
		break;
	case OPT_CRIU:
		break;
	case OPT_SHOW_CHAIN:
		if (arg && strcmp(arg, "bare") != 0)
			ctu_usage_exit("--show-chain: '%s' is not bare", arg);
		g->show_chain = arg ? CT_SHOW_BARE : CT_SHOW_FULL;
		break;
	case 'h':
		usage();
	case 'v':
	case 'V':
		version();
	default:
		ctu_try_help_exit();
	}
}

/* The directory of /proc/self/exe: the tools are run from there, never via PATH. */
static void find_tooldir(struct ct_global *g)
{
	ssize_t n = readlink("/proc/self/exe", g->tooldir, sizeof(g->tooldir) - 1);
	char *slash;

	if (n < 0)
		n = 0;
	g->tooldir[n] = '\0';
	slash = strrchr(g->tooldir, '/');
	if (slash)
		*slash = '\0';
}

int main(int argc, char **argv)
{
	struct ct_global g = { .root = DEFAULT_ROOT, .rootfd = -1 };
	int c;

	ct_phase_start();
	ctu_init(CTU_TOOL_PLAIN);
	while ((c = getopt_long(argc, argv, "+hvV", global_longopts, NULL)) != -1)
		global_option(&g, c, optarg);
	if (optind >= argc)
		ctu_usage_exit("no command given");
	if (g.root[0] == '\0')
		ctu_usage_exit("--root: empty");
	find_tooldir(&g);
	if (g.debug)
		setenv("CTU_DEBUG", "1", 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		ctu_err_set_subcommand(commands[i].name);
		g.cmd = commands[i].name;
		optind++;
		return commands[i].run(&g, argc - optind + 1, argv + optind - 1);
	}
	ctu_usage_exit("unknown command '%s'", argv[optind]);
}
