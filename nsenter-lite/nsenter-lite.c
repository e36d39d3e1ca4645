// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsenter-lite - run a program in the namespaces of another process.
 *
 * This file: usage, options and main; the target and its namespaces are
 * enter.c's, its root, cwd, environment and cgroups extras.c's.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli.h"
#include "ctu.h"
#include "nsenter-lite.h"
#include "parse.h"
#include "proc.h"

static noreturn void usage(void)
{
	printf(CTU_USAGE_HEADER
	      " nsenter-lite [options] [--] [<program> [<argument>...]]\n"
	      "\nRun a program with namespaces of other processes.\n"
	      CTU_USAGE_OPTIONS
	      " -a, --all                 enter all namespaces of the target\n"
	      " -t, --target <pid>[@<start>|:<inode>]\n"
	      "                           target process to get namespaces from\n"
	      "     --pidfile <file>      read the target's pid from <file>\n"
	      "     --container [<source>:]<id>\n"
	      "                           target the init of a container (runc, crun,\n"
	      "                             containerd, docker, podman, ctrun, ctutils)\n"
	      "     --cgroup [<controller>:]<path>\n"
	      "                           target the oldest process of a cgroup\n"
	      "     --netns <name|file>   enter a network namespace as 'ip netns exec'\n"
	      "     --state-root <source>=<dir>  where a source keeps its state\n"
	      "     --containers          list the containers found, then exit\n"
	      "     --toolbox[=<dir>]     run a host program in the target, its root as /,\n"
	      "                             the host's tools under /.ctutils\n"
	      "     --inspect             show the target's namespaces, cgroups, root,\n"
	      "                             network, security and processes, then exit\n"
	      "     --section <list>      the --inspect sections to show\n"
	      "  -J, --json               --inspect and --containers as JSON\n"
	      " -m, --mount[=<file>]      enter mount namespace\n"
	      " -u, --uts[=<file>]        enter UTS namespace (hostname etc)\n"
	      " -i, --ipc[=<file>]        enter System V IPC namespace\n"
	      " -n, --net[=<file>]        enter network namespace (<file> or a /run/netns name)\n"
	      " -p, --pid[=<file>]        enter pid namespace\n"
	      " -C, --cgroup[=<file>]     enter cgroup namespace\n"
	      " -U, --user[=<file>]       enter user namespace\n"
	      " -T, --time[=<file>]       enter time namespace\n"
	      " -S, --setuid <uid>        set uid in entered namespace\n"
	      " -G, --setgid <gid>        set gid in entered namespace\n"
	      "     --preserve-credentials  do not touch uids or gids\n"
	      "     --keep-caps           retain capabilities granted in user namespaces\n"
	      " -r, --root[=<dir>]        set the root directory (default: the target's)\n"
	      " -w, --wd[=<dir>]          set the working directory (default: the target's)\n"
	      " -W, --wdns <dir>          set the working directory in the entered namespace\n"
	      " -e, --env                 inherit the environment of the target process\n"
	      " -F, --no-fork             do not fork before exec'ing <program>\n"
	      "     --detach              with a pid namespace, exit once the forked child\n"
	      "                             is reported, without waiting for it\n"
	      "     --info-fd <fd>        write {\"pid\": N} of <program>'s process to <fd>\n"
	      " -c, --join-cgroup         join the cgroups of the target process\n"
	      "     --cap-drop <caps>     drop these capabilities (comma list, or ALL)\n"
	      "     --cap-add <caps>      keep these capabilities as ambient ones\n"
	      "     --no-new-privs        set no_new_privs: exec cannot gain privileges\n"
	      "     --new-session         run <program> in a new session (setsid)\n"
	      "     --pty                 run <program> on a new terminal of the target's\n"
	      "                             devpts, relayed to ours (implies a fork)\n"
	      "\nThe program's process:\n"
	      "%s"
	      CTU_USAGE_HELP_OPTIONS
	      CTU_USAGE_MAN_TAIL("nsenter-lite(1)"),
	      ctu_procopt_usage);
	exit(CTU_EXIT_OK);
}

enum {
	OPT_PIDFILE = CHAR_MAX + 1,
	OPT_PRESERVE_CREDS,
	OPT_PTY,
	OPT_CONTAINER,
	OPT_CONTAINERS,
	OPT_STATE_ROOT,
	OPT_NETNS,
	OPT_TOOLBOX,
	OPT_INSPECT,
	OPT_SECTION,
	OPT_DETACH,
	OPT_INFO_FD,
};

/* -n, -nFILE, -n=FILE, --net, --net=FILE: a leading '=' is dropped, as util-linux does. */
static bool parse_ns_option(struct opts *o, int c)
{
	ctu_err_t err = NULL;
	const char *file;
	size_t i;
	int r = ctu_ns_option(c, optarg, &i, &file, &err);

	if (r < 0)
		ctu_err_exit(&err);
	if (r == 0)
		return false;
	o->ns[i].wanted = true;
	o->ns[i].file = file;
	return true;
}

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "target", required_argument, NULL, 't' },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	CTU_NS_LONGOPTS,
	{ "preserve-credentials", no_argument, NULL, OPT_PRESERVE_CREDS },
	{ "root", optional_argument, NULL, 'r' },
	{ "wd", optional_argument, NULL, 'w' },
	{ "wdns", required_argument, NULL, 'W' },
	{ "env", no_argument, NULL, 'e' },
	{ "no-fork", no_argument, NULL, 'F' },
	{ "join-cgroup", no_argument, NULL, 'c' },
	{ "pty", no_argument, NULL, OPT_PTY },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "info-fd", required_argument, NULL, OPT_INFO_FD },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "containers", no_argument, NULL, OPT_CONTAINERS },
	{ "state-root", required_argument, NULL, OPT_STATE_ROOT },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "toolbox", optional_argument, NULL, OPT_TOOLBOX },
	{ "inspect", no_argument, NULL, OPT_INSPECT },
	{ "section", required_argument, NULL, OPT_SECTION },
	{ "json", no_argument, NULL, 'J' },
	CTU_CREDS_LONGOPTS,
	{ "cap-add", required_argument, NULL, CTU_OPT_CAP_ADD },
	CTU_PROCOPT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* Options that exclude each other (-w only with a DIR: alone it means the target's). */
static const struct ctu_excl exclusive[] = {
	{ { 't', OPT_PIDFILE, OPT_CONTAINER, OPT_NETNS, OPT_CONTAINERS } },
	{ { 'w', 'W' } },
	{ { OPT_INSPECT, OPT_TOOLBOX, OPT_CONTAINERS } },
	{ { OPT_INSPECT, OPT_PTY } },
	{ { OPT_CONTAINERS, OPT_PTY } },
	{ { OPT_DETACH, OPT_PTY, 'F' } },
	{ { OPT_INFO_FD, OPT_INSPECT, OPT_CONTAINERS, OPT_TOOLBOX, OPT_NETNS } },
	{ { OPT_DETACH, OPT_INSPECT, OPT_CONTAINERS, OPT_TOOLBOX, OPT_NETNS } },
};

static void check_exclusive(int *seen, int c)
{
	ctu_err_t err = NULL;

	if (c == 'w' && !optarg)
		return;
	if (ctu_excl_check(exclusive, CTU_ARRAY_SIZE(exclusive), seen, c, longopts, &err) < 0)
		ctu_err_exit(&err);
}

#define SHORTOPTS "+aht:m::u::i::n::p::C::U::T::S:G:r::w::W:eFcJV"

/*
 * --inspect and --containers make us a plain tool (exit 2 for a usage
 * error, not 125): known before the first error, so a first quiet pass.
 */
static void choose_exit_codes(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, SHORTOPTS, longopts, NULL)) != -1)
		if (c == OPT_INSPECT || c == OPT_CONTAINERS)
			ctu_set_tool_kind(CTU_TOOL_PLAIN);
	opterr = 1;
	optind = 0;
}

/*
 * The long --cgroup is also a target: "--cgroup PATH" or "--cgroup=PATH"
 * when nothing else names one (target.c decides at the end).  The space
 * form takes the next word only before any target option.
 */
static void note_cgroup_option(struct opts *o, int argc, char **argv, int longindex)
{
	if (longindex < 0 || strcmp(longopts[longindex].name, "cgroup") != 0)
		return;
	o->cgroup_arg = optarg;
	if (!optarg && !o->target_arg && !o->pidfile && !o->container && !o->netns &&
	    optind < argc && argv[optind][0] != '-')
		o->cgroup_target = argv[optind++];
}

/* The debugger's options (debug.h). */
static void parse_debug_option(struct opts *o, int c)
{
	ctu_err_t err = NULL;

	switch (c) {
	case OPT_CONTAINER:
		o->container = optarg;
		break;
	case OPT_CONTAINERS:
		o->list_containers = true;
		break;
	case OPT_STATE_ROOT:
		if (state_root_option(&o->roots, optarg, &err) < 0)
			ctu_err_exit(&err);
		break;
	case OPT_NETNS:
		if (!*optarg)
			ctu_usage_exit("empty name for --netns");
		o->netns = optarg;
		break;
	case OPT_TOOLBOX:
		o->toolbox = true;
		o->toolbox_dir = optarg;
		if (optarg && !*optarg)
			ctu_usage_exit("empty directory for --toolbox");
		break;
	case OPT_INSPECT:
		o->inspect = true;
		break;
	case OPT_SECTION:
		if (inspect_sections_parse(optarg, &o->sections, &err) < 0)
			ctu_err_exit(&err);
		break;
	case 'J':
		o->json = true;
		break;
	default:
		ctu_common_option_exit(c, usage);
	}
}

/* --info-fd: a file descriptor that is open now. */
static void parse_info_fd(struct opts *o, const char *arg)
{
	if (ctu_parse_int(arg, &o->info_fd) < 0 || o->info_fd < 0)
		ctu_usage_exit("invalid --info-fd: '%s'", arg);
	if (fcntl(o->info_fd, F_GETFD) < 0)
		ctu_usage_exit("invalid --info-fd: '%s': not an open file descriptor", arg);
}

static void parse_options(struct opts *o, int argc, char **argv)
{
	int seen[CTU_ARRAY_SIZE(exclusive)] = { 0 };
	ctu_err_t err = NULL;
	int c, r, longindex = -1;

	choose_exit_codes(argc, argv);
	while ((c = getopt_long(argc, argv, SHORTOPTS, longopts, &longindex)) != -1) {
		if (c == 'C')
			note_cgroup_option(o, argc, argv, longindex);
		longindex = -1;
		if (parse_ns_option(o, c))
			continue;
		r = ctu_procopt_parse_option(&o->proc, c, optarg, &err);
		if (r < 0)
			ctu_err_exit(&err);
		if (r > 0)
			continue;
		check_exclusive(seen, c);
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 't':
			if (ctu_pidref_parse(optarg, &o->ref, &err) < 0)
				ctu_err_exit(&err);
			o->target_arg = optarg;
			break;
		case OPT_PIDFILE:
			if (!*optarg)
				ctu_usage_exit("empty file name for --pidfile");
			o->pidfile = optarg;
			break;
		case OPT_PRESERVE_CREDS:
			o->preserve_credentials = true;
			break;
		case 'r':
			o->root = optarg;
			o->root_from_target = !optarg;
			break;
		case 'w':
			o->wd = optarg;
			o->wd_from_target = !optarg;
			break;
		case 'W':
			o->wdns = optarg;
			break;
		case 'e':
			o->env = true;
			break;
		case 'F':
			o->no_fork = true;
			break;
		case 'c':
			o->join_cgroup = true;
			break;
		case OPT_PTY:
			o->pty = true;
			break;
		case OPT_DETACH:
			o->detach = true;
			break;
		case OPT_INFO_FD:
			parse_info_fd(o, optarg);
			break;
		default:
			parse_debug_option(o, c);
		}
	}
	o->argv = argv + optind;
}

static bool any_ns_option(const struct opts *o)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted)
			return true;
	return o->all;
}

static bool needs_target(const struct opts *o)
{
	if (o->all || o->root_from_target || o->wd_from_target || o->env || o->join_cgroup)
		return true;
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted && !o->ns[i].file)
			return true;
	return false;
}

/*
 * Whether there is anything to do: a namespace, or (as util-linux 2.38's
 * nsenter takes them alone) a root, working directory, environment or
 * cgroups of the target's or of our choosing.
 */
static bool anything_to_enter(const struct opts *o)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted)
			return true;
	return o->all || o->root || o->root_from_target || o->wd || o->wd_from_target ||
	       o->wdns || o->env || o->join_cgroup;
}

/* --inspect, --containers, --netns and --toolbox: what goes with what. */
static void check_debug_options(const struct opts *o)
{
	if (o->inspect && o->argv[0])
		ctu_usage_exit("--inspect runs nothing: no program ('%s') goes with it", o->argv[0]);
	if (o->list_containers && o->argv[0])
		ctu_usage_exit("--containers lists, and runs no program ('%s')", o->argv[0]);
	if (o->list_containers && (o->target_arg || o->pidfile || o->cgroup_target))
		ctu_usage_exit("--containers lists, and takes no target");
	if (o->sections && !o->inspect)
		ctu_usage_exit("--section goes with --inspect");
	if (o->json && !o->inspect && !o->list_containers)
		ctu_usage_exit("--json goes with --inspect or --containers");
	if (o->netns && (o->inspect || o->toolbox))
		ctu_usage_exit("--netns cannot go with --inspect or --toolbox: it names no process");
	if (o->netns && (any_ns_option(o) || o->root || o->root_from_target || o->wd ||
			 o->wd_from_target || o->env || o->join_cgroup || o->pty))
		ctu_usage_exit("--netns enters a network namespace as 'ip netns exec' does, "
			       "and nothing else");
	if (o->toolbox && (o->root || o->wd || o->wdns))
		ctu_usage_exit("--toolbox chooses the root itself: no -r DIR, -w DIR or -W");
	if ((o->inspect || o->toolbox) && !o->target_arg && !o->pidfile && !o->container &&
	    !o->cgroup_target)
		ctu_usage_exit("no target process: use -t, --pidfile, --container or --cgroup");
}

static void resolve_options(struct opts *o)
{
	ctu_err_t err = NULL;

	if (check_target_options(o, &err) < 0)
		ctu_err_exit(&err);
	check_debug_options(o);
	if (resolve_target(o, &err) < 0)
		ctu_err_exit(&err);
	if (o->list_containers || o->inspect || o->netns)
		return;
	if (needs_target(o) && !o->target)
		ctu_usage_exit("no target process: use --target <pid> or --pidfile <file>");
	if (!anything_to_enter(o))
		ctu_usage_exit("no namespace specified");
	if (o->pty && o->no_fork)
		ctu_usage_exit("--pty cannot go with --no-fork: the relay is a parent");
	if (o->preserve_credentials && (o->proc.creds.has_uid || o->proc.creds.has_gid))
		ctu_usage_exit("--preserve-credentials cannot go with --setuid or --setgid");
}

/* Everything up to the exec; the parent of a fork returns 1 with the child's *@status. */
static int enter_target(struct opts *o, struct target *t, int *status, ctu_err_t *err)
{
	/*
	 * Not dumpable while we hold fds into the target: a process in it must
	 * not ptrace us or read our /proc (runc CVE-2016-9962).  exec resets it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return ctu_err_errno(err, "cannot make the process non-dumpable");
	if (o->target && open_target(o, t, err) < 0)
		return ctu_err_code(*err);
	/* -r DIR and -w DIR are ours to check with a target or without */
	if (open_target_extras(o, t, err) < 0)
		return ctu_err_code(*err);
	/* --pty: the target resolved, the relay forks; only the child enters */
	if (o->pty) {
		int r = fork_relay(t, status, err);

		if (r != 0)
			return r;
	}
	if (o->toolbox)
		return toolbox_enter(o, t, status, err);
	if ((o->join_cgroup && join_cgroups(o, t, err) < 0) || enter_namespaces(o, t, err) < 0)
		return ctu_err_code(*err);
	close_target(t);
	if (set_root_and_wd(o, t, err) < 0 || (o->env && take_environment(t, err) < 0))
		return ctu_err_code(*err);
	return fork_if_needed(o, status, err);
}

/* --inspect: the target opened as for entering, then only read. */
static int run_inspect(struct opts *o, struct target *t)
{
	struct inspect_target it = { .ref = o->ref, .container = o->container ? &o->found : NULL };
	ctu_err_t err = NULL;

	if (open_target(o, t, &err) < 0)
		ctu_err_exit(&err);
	if (it.ref.kind != CTU_PIDREF_START &&
	    ctu_proc_start_time_at(t->procfd, &it.ref.start) == 0)
		it.ref.kind = CTU_PIDREF_START;
	it.pidfd = t->pidfd;
	it.procfd = t->procfd;
	return inspect_run(&it, o->sections, o->json);
}

/* --netns: iproute2's switch; then only credentials and the program. */
static int enter_netns(const struct opts *o, ctu_err_t *err)
{
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return ctu_err_errno(err, "cannot make the process non-dumpable");
	return netns_exec_switch(o->netns, err);
}

int main(int argc, char **argv)
{
	struct opts o = { .target = 0, .info_fd = -1, .proc = CTU_PROCOPT_INIT };
	struct target t = { .pidfd = -1, .procfd = -1, .rootfd = -1, .wdfd = -1 };
	ctu_err_t err = NULL;
	int status = 0, r;

	ctu_init(CTU_TOOL_CHAINING);
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		o.ns[i].fd = -1;
	parse_options(&o, argc, argv);
	resolve_options(&o);
	if (ctu_procopt_prepare(&o.proc, &err) < 0)
		ctu_err_exit(&err);
	if (o.list_containers)
		return containers_list(&o.roots, o.json);
	if (o.inspect)
		return run_inspect(&o, &t);
	r = o.netns ? enter_netns(&o, &err) : enter_target(&o, &t, &status, &err);
	if (r < 0)
		ctu_err_exit(&err);
	if (r > 0)
		ctu_exit_like(status);
	/* util-linux: in a user namespace, root unless told otherwise */
	if (wants(&o, CLONE_NEWUSER) && !o.preserve_credentials)
		o.proc.creds.has_uid = o.proc.creds.has_gid = true;
	if (o.toolbox) {
		if (ctu_creds_apply(&o.proc.creds, &err) < 0)
			ctu_err_exit(&err);
		toolbox_exec(&o);
	}
	ctu_procopt_exec(&o.proc, o.argv, NULL);
}
