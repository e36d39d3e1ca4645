// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgctl - create, limit, inspect, freeze, kill and delete cgroups.
 *
 * One PATH names one container cgroup wherever its controllers live: on a
 * cgroup v2 host in the unified hierarchy, on hybrid and v1 hosts in the
 * unified one and in every v1 controller hierarchy.  Settings use the v2
 * names and values everywhere and are translated to v1 files where their
 * controller lives in v1 (settings.c).
 *
 * This file is the command line: usage, the global options (taken before
 * and after the command), the dispatch, and the one place that reports an
 * error.  The commands live in create.c, exec.c, inspect.c, top.c and
 * control.c; what they share in common.c and hier.c.
 */
#include <getopt.h>
#include <string.h>

#include "cgctl.h"
#include "cli.h"
#include "ctu.h"
#include "err.h"

/* The lines of the settings options (create, set, exec). */
#define SETTINGS_HELP                                                                              \
	"     --memory <size>       memory.max (K, M, G, T suffixes, or max)\n"                   \
	"     --memory-high <size>  memory.high\n"                                                 \
	"     --swap <size>         memory.swap.max\n"                                             \
	"     --cpus <n>            cpu.max as a number of CPUs (0.5 = half a CPU)\n"             \
	"     --cpu-weight <n>      cpu.weight (1-10000)\n"                                        \
	"     --pids <n>            pids.max\n"                                                    \
	"     --cpuset <cpus>       cpuset.cpus (0-3,5)\n"                                         \
	"     --io-weight <n>       io.weight (1-10000)\n"                                         \
	" -s, --set <key>=<value>   any other setting, by its cgroup v2 name (or v1 name)\n"     \
	"     --device-rule <rule>  'allow|deny TYPE MAJ:MIN ACCESS', repeatable, in order\n"

/* The global options, in the usage of cgctl and of every command. */
#define GLOBAL_HELP                                                                                \
	"\nGlobal options (before or after the command):\n"                                        \
	"     --root <dir>          use <dir> as the only (v2) hierarchy (also CGCTL_ROOT)\n"      \
	"     --self                paths are relative to our own cgroup\n"                         \
	" -c, --controllers <list>  on v1 and hybrid hosts, only these hierarchies\n"              \
	" -b, --bytes               sizes in bytes, not 64M (in top: --bytes; -b is --batch)\n"   \
	CTU_USAGE_OUT_OPTIONS

static noreturn void usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " cgctl [global options] <command> [arguments]\n"
	      "\nCreate, limit, inspect, freeze, kill and delete cgroups (v2, hybrid and v1).\n"
	      "\nCommands:\n"
	      " create <path> [settings]          create a cgroup (and its ancestors)\n"
	      " set <path> [settings] [key=value...]  change settings\n"
	      " get <path> [key...]               print settings (--all: every file)\n"
	      " stat <path>                       usage at a glance\n"
	      " attach <path> <pid>...            move processes in (--threads: threads)\n"
	      " exec <path> [settings] [--] <program> [args]  run a program in it\n"
	      " procs <path>                      list its processes (-r: and below)\n"
	      " ls [<path>]                       the tree of cgroups with usage and limits\n"
	      " which <pid>                       the cgroups of a process\n"
	      " freeze <path> | thaw <path>       stop and resume every process in it\n"
	      " kill <path>                       signal every process (-s SIGNAL, -r)\n"
	      " wait <path>                       wait until it has no processes\n"
	      " delete <path>                     remove it (-r: with children, --kill)\n"
	      " top [<path>]                      a refreshing view of usage (-b, -n, -d)\n"
	      "\nSettings (create, set, exec):\n"
	      SETTINGS_HELP
	      GLOBAL_HELP
	      "\nCommand options ('cgctl <command> --help' tells one command's):\n"
	      "     --exclusive           create: fail if the cgroup exists\n"
	      "     --all                 get: every interface file\n"
	      "     --threads             attach: move threads, not processes\n"
	      "     --preserve-fds <n>    exec: pass file descriptors 3 to 3+<n>-1 on\n"
	      "     --empty               exec: fail if the cgroup has processes or is frozen\n"
	      "     --rm                  exec: wait, then kill what is left and remove the cgroup\n"
	      " -r, --recursive         procs, kill, delete: the cgroups below too\n"
	      " -s, --signal <signal>     kill: the signal (default SIGKILL)\n"
	      "     --kill                delete: kill the processes first\n"
	      "     --timeout <duration>  freeze, thaw, wait, delete: give up after it\n"
	      " -o, --output <list>       ls: the columns to show\n"
	      " -b, --batch               top: plain lines, no screen control\n"
	      " -n, --iterations <n>      top: how many times\n"
	      " -d, --delay <duration>    top: between two updates (default 1s)\n"
	      CTU_USAGE_HELP_OPTIONS
	      CTU_USAGE_MAN_TAIL("cgctl(1)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

/* A command: its function, and its usage for "cgctl COMMAND --help". */
struct command {
	const char *name;
	int (*fn)(struct ctx *c, int argc, char **argv, ctu_err_t *err);
	const char *args;    /* the synopsis after "cgctl NAME [options]" */
	const char *what;    /* one sentence */
	const char *options; /* its own option lines, or NULL */
};

#define TIMEOUT_HELP "     --timeout <duration>  give up after it (10, 500ms, 2m)\n"

static const struct command commands[] = {
	{ "create", cmd_create, "<path>", "Create a cgroup and its missing ancestors, with settings.",
	  SETTINGS_HELP "     --exclusive           fail if the cgroup exists\n" },
	{ "set", cmd_set, "<path> [<key>=<value>...]", "Change settings of a cgroup.",
	  SETTINGS_HELP },
	{ "get", cmd_get, "<path> [<key>...]",
	  "Print settings by their v2 names (default: memory.max, pids.max, cpu.max, cpu.weight).",
	  "     --all                 every interface file\n" },
	{ "stat", cmd_stat, "<path>", "Usage at a glance: memory, OOM kills, CPU, pids, I/O.",
	  NULL },
	{ "attach", cmd_attach, "<path> <pid>...", "Move processes into a cgroup.",
	  "     --threads             move threads, not processes\n" },
	{ "exec", cmd_exec, "<path> [--] <program> [<argument>...]",
	  "Run a program in a cgroup, creating it with the settings if missing.",
	  SETTINGS_HELP "     --preserve-fds <n>    pass file descriptors 3 to 3+<n>-1 on\n"
			"     --empty               fail if the cgroup has processes or is frozen\n"
			"     --rm                  make the cgroup (it must not exist), run the\n"
			"                           program in it and wait; when it ends, kill what is\n"
			"                           left and remove the cgroup; exit as the program did\n" },
	{ "procs", cmd_procs, "<path>", "List the processes of a cgroup.",
	  " -r, --recursive           the cgroups below too\n" },
	{ "ls", cmd_ls, "[<path>]", "The tree of cgroups below <path> with usage and limits.",
	  " -o, --output <list>       the columns to show (PATH,PROCS,MEMORY.CURRENT,\n"
	  "                           MEMORY.MAX,PIDS.CURRENT,PIDS.MAX,CPU.MAX)\n" },
	{ "which", cmd_which, "<pid>", "The cgroups of a process, in every hierarchy.", NULL },
	{ "freeze", cmd_freeze, "<path>", "Stop every process of a cgroup.", TIMEOUT_HELP },
	{ "thaw", cmd_thaw, "<path>", "Resume every process of a frozen cgroup.", TIMEOUT_HELP },
	{ "kill", cmd_kill, "<path>", "Signal every process of a cgroup.",
	  " -s, --signal <signal>     the signal (default SIGKILL)\n"
	  " -r, --recursive           the cgroups below too\n" },
	{ "wait", cmd_wait, "<path>", "Wait until a cgroup has no processes.", TIMEOUT_HELP },
	{ "delete", cmd_delete, "<path>", "Remove a cgroup.",
	  " -r, --recursive           the cgroups below first\n"
	  "     --kill                kill the processes first\n" TIMEOUT_HELP },
	{ "top", cmd_top, "[<path>]", "A refreshing view of CPU, memory and pids, busiest first.",
	  " -b, --batch               plain tables, no screen control\n"
	  " -n, --iterations <n>      how many times\n"
	  " -d, --delay <duration>    between two updates (default 1s)\n" },
};

/* The command being run, once main knows it: -h then tells its usage. */
static const struct command *current;

static noreturn void command_usage(void)
{
	printf(CTU_USAGE_HEADER " cgctl %s [options] %s\n\n%s\n", current->name, current->args,
	       current->what);
	if (current->options) {
		fputs(CTU_USAGE_OPTIONS, stdout);
		fputs(current->options, stdout);
	}
	fputs(GLOBAL_HELP CTU_USAGE_HELP_OPTIONS CTU_USAGE_MAN_TAIL("cgctl(1)"), stdout);
	exit(CTU_EXIT_OK);
}

static const struct option global_longopts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "self", no_argument, NULL, OPT_SELF },
	{ "controllers", required_argument, NULL, 'c' },
	{ "bytes", no_argument, NULL, 'b' },
	CTU_OUT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int global_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	struct ctx *c = ctx;

	if (ctu_out_option(opt, &c->out))
		return 0;
	switch (opt) {
	case OPT_ROOT:
		c->root = arg;
		return 0;
	case OPT_SELF:
		c->self = true;
		return 0;
	case 'b':
		c->bytes = true;
		return 0;
	case 'c':
		if (!*arg)
			return ctu_err_usage(err, "empty controller list");
		c->ctrls = arg;
		return 0;
	case 'h':
	case 'V':
		ctu_common_option_exit(opt, current ? command_usage : usage);
	}
	return ctu_err_usage(err, "unknown option");
}

#define GLOBAL_SHORTOPTS "c:b" CTU_OUT_SHORTOPTS "hV"

static const struct globals globals = {
	.shortopts = GLOBAL_SHORTOPTS,
	.longopts = global_longopts,
	.handle = global_option,
};

int main(int argc, char **argv)
{
	struct ctx c = { .root = getenv("CGCTL_ROOT"), .globals = &globals };
	ctu_err_t err = NULL;
	int o, r;

	ctu_init(CTU_TOOL_PLAIN);
	/* the options before the command, in getopt's words */
	while ((o = getopt_long(argc, argv, "+" GLOBAL_SHORTOPTS, global_longopts, NULL)) != -1) {
		if (o == '?')
			ctu_try_help_exit();
		if (global_option(o, optarg, &c, &err) < 0)
			ctu_err_exit(&err);
	}
	if (optind >= argc)
		ctu_usage_exit("no command given");
	for (size_t i = 0; i < CTU_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		current = &commands[i];
		ctu_err_set_subcommand(current->name);
		/* the command's options, the global ones among them, then its work */
		r = commands[i].fn(&c, argc - optind, argv + optind, &err);
		if (r < 0)
			ctu_err_exit(&err);
		return r;
	}
	ctu_usage_exit("unknown command '%s'", argv[optind]);
}
