// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unshare-lite - create namespaces and run a program in them.
 *
 * This file is the command line: usage, options, main.  The work is done
 * by the files unshare-lite.h lists; run.c describes the two processes.
 */
#include <getopt.h>
#include <stdio.h>
#include <sys/mount.h>

#include "cli.h"
#include "ctu.h"
#include "unshare-lite.h"

static noreturn void usage(void)
{
	printf(CTU_USAGE_HEADER
	      " unshare-lite [options] [--] [<program> [<argument>...]]\n"
	      "\nRun a program with some namespaces unshared from the parent.\n"
	      "\nNamespaces:\n"
	      " -m, --mount[=<file>]      unshare mounts namespace\n"
	      " -u, --uts[=<file>]        unshare UTS namespace (hostname etc)\n"
	      " -i, --ipc[=<file>]        unshare System V IPC namespace\n"
	      " -n, --net[=<file>]        unshare network namespace\n"
	      " -p, --pid[=<file>]        unshare pid namespace (needs --fork)\n"
	      " -U, --user[=<file>]       unshare user namespace\n"
	      " -C, --cgroup[=<file>]     unshare cgroup namespace\n"
	      " -T, --time[=<file>]       unshare time namespace\n"
	      "\nProcess:\n"
	      " -f, --fork                fork before running <program>\n"
	      "     --mount-proc[=<dir>]  mount proc filesystem first (implies --mount)\n"
	      "     --kill-child[=<signame>]  when dying, kill the forked child (implies --fork)\n"
	      "                             defaults to SIGKILL\n"
	      "     --init                run a minimal init as PID 1 that reaps zombies and\n"
	      "                             forwards signals (needs --pid; implies --fork)\n"
	      "     --detach              exit once the child is set up, without waiting\n"
	      "                             (needs --fork; the child goes to our reaper)\n"
	      "     --pidfile <file>      write the child's PID to <file>\n"
	      "     --info-fd <fd>        write {\"pid\": N, \"ns\": {...}} as JSON to <fd>\n"
	      "     --new-session         run <program> in a new session (setsid)\n"
	      "     --pty                 run <program> on a new terminal of its devpts,\n"
	      "                             relayed to ours (implies --fork)\n"
	      "\nUsers and credentials:\n"
	      " -r, --map-root-user       map current user to root (implies --user)\n"
	      " -c, --map-current-user    map current user to itself (implies --user)\n"
	      "     --map-user=<uid>|<name>   map current user to uid (implies --user)\n"
	      "     --map-group=<gid>|<name>  map current group to gid (implies --user)\n"
	      "     --map-users=<inner>:<outer>:<count>|auto|all\n"
	      "                           map <count> users from <outer> to <inner>\n"
	      "                             (repeatable; implies --user)\n"
	      "     --map-groups=<inner>:<outer>:<count>|auto|all\n"
	      "                           map <count> groups from <outer> to <inner>\n"
	      "     --map-auto            map users and groups from /etc/subuid, /etc/subgid\n"
	      "     --setgroups allow|deny  control the setgroups syscall in user namespaces\n"
	      " -S, --setuid <uid>        set uid in entered namespace\n"
	      " -G, --setgid <gid>        set gid in entered namespace\n"
	      "     --keep-caps           retain capabilities granted in user namespaces\n"
	      "     --cap-drop <caps>     drop these capabilities (comma list, or ALL)\n"
	      "     --cap-add <caps>      keep these capabilities as ambient ones\n"
	      "     --no-new-privs        set no_new_privs: exec cannot gain privileges\n"
	      "\nFilesystem and misc:\n"
	      "     --propagation slave|shared|private|unchanged\n"
	      "                           modify mount propagation in mount namespace\n"
	      " -R, --root <dir>          run the command with root directory set to <dir>\n"
	      " -w, --wd <dir>            change working directory to <dir>\n"
	      "     --monotonic <offset>  set clock monotonic offset (<secs>[.<ns>]) in time namespaces\n"
	      "     --boottime <offset>   set clock boottime offset (<secs>[.<ns>]) in time namespaces\n"
	      "     --hostname <name>     set the hostname in the new UTS namespace\n"
	      "     --domainname <name>   set the NIS domain name in the new UTS namespace\n"
	      "     --sysctl <key>=<value>  set a kernel parameter of the new namespaces\n"
	      "                             (namespaced keys only; repeatable)\n"
	      "     --new-keyring[=<name>]  run <program> in a new session keyring\n"
	      "\nThe program's process:\n"
	      "%s"
	      CTU_USAGE_HELP_OPTIONS
	      CTU_USAGE_MAN_TAIL("unshare-lite(1)"),
	      ctu_procopt_usage);
	exit(CTU_EXIT_OK);
}

static const struct option longopts[] = {
	CTU_NS_LONGOPTS,
	{ "fork", no_argument, NULL, 'f' },
	{ "mount-proc", optional_argument, NULL, OPT_MOUNT_PROC },
	{ "kill-child", optional_argument, NULL, OPT_KILL_CHILD },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "pty", no_argument, NULL, OPT_PTY },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "sysctl", required_argument, NULL, OPT_SYSCTL },
	{ "new-keyring", optional_argument, NULL, OPT_NEW_KEYRING },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "info-fd", required_argument, NULL, OPT_INFO_FD },
	{ "map-root-user", no_argument, NULL, 'r' },
	{ "map-current-user", no_argument, NULL, 'c' },
	{ "map-user", required_argument, NULL, OPT_MAP_USER },
	{ "map-group", required_argument, NULL, OPT_MAP_GROUP },
	{ "map-users", required_argument, NULL, OPT_MAP_USERS },
	{ "map-groups", required_argument, NULL, OPT_MAP_GROUPS },
	{ "map-auto", no_argument, NULL, OPT_MAP_AUTO },
	{ "setgroups", required_argument, NULL, OPT_SETGROUPS },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "root", required_argument, NULL, 'R' },
	{ "wd", required_argument, NULL, 'w' },
	{ "monotonic", required_argument, NULL, OPT_MONOTONIC },
	{ "boottime", required_argument, NULL, OPT_BOOTTIME },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "domainname", required_argument, NULL, OPT_DOMAINNAME },
	CTU_CREDS_LONGOPTS,
	{ "cap-add", required_argument, NULL, CTU_OPT_CAP_ADD },
	CTU_PROCOPT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void parse_options(struct opts *o, int argc, char **argv)
{
	ctu_err_t err = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "+fhVmuinpCTUrcR:w:S:G:", longopts, NULL)) != -1) {
		r = opts_set(o, c, optarg, &err);
		if (r < 0)
			ctu_err_exit(&err);
		if (r > 0)
			continue;
		switch (c) {
		default:
			ctu_common_option_exit(c, usage);
		}
	}
	o->argv = argv + optind;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.info_fd = -1,
		.proc = CTU_PROCOPT_INIT,
		.setgroups = -1,
		.propagation = MS_PRIVATE,
	};
	struct map_plan p = { .setgroups = -1 };
	ctu_err_t err = NULL;

	ctu_init(CTU_TOOL_CHAINING);
	parse_options(&o, argc, argv);
	if (opts_resolve(&o, &err) < 0 || ctu_procopt_prepare(&o.proc, &err) < 0 ||
	    ((o.ns_flags & CLONE_NEWUSER) && plan_maps(&o, &p, &err) < 0))
		ctu_err_exit(&err);
	if (o.fork)
		run_with_fork(&o, &p);
	run_without_fork(&o, &p);
}
