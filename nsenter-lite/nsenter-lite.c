// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsenter-lite - run a program in the namespaces of another process.
 *
 * The target is opened once as a pidfd; everything else about it (its
 * /proc directory, namespace files, root, cwd, environment, cgroups) is
 * reached only after that, and the pidfd is checked to be alive afterwards,
 * so a recycled PID is never entered by mistake.  Where the kernel allows
 * it (Linux 5.8), all of the target's namespaces are entered in one atomic
 * setns(pidfd, flags).  Otherwise every namespace file is opened first and
 * entered in util-linux's two passes.
 */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "creds.h"
#include "ctu.h"
#include "mnttab.h"
#include "ns.h"
#include "parse.h"
#include "proc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Where a namespace comes from: nowhere, the target, or a file. */
struct ns_request {
	bool wanted;
	const char *file; /* NULL: the target's */
	int fd;		  /* opened namespace, or -1 */
};

struct opts {
	pid_t target;
	const char *pidfile;
	struct ns_request ns[CTU_NS_COUNT];
	bool all;
	bool root_from_target, wd_from_target;
	const char *root, *wd, *wdns;
	bool preserve_credentials;
	bool fork, no_fork;
	bool env;
	bool join_cgroup;
	unsigned int preserve_fds;
	struct ctu_creds creds;
	char **argv;
};

/* What we hold of the target between opening and entering. */
struct target {
	int pidfd;
	int procfd; /* /proc/PID, valid because the pidfd was alive after opening it */
	int rootfd, wdfd;
	char *environ;
	size_t environ_len;
};

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
	      " nsenter-lite [options] [--] [<program> [<argument>...]]\n"
	      "\nRun a program with namespaces of other processes.\n"
	      "\nOptions:\n"
	      " -a, --all                 enter all namespaces of the target\n"
	      " -t, --target <pid>        target process to get namespaces from\n"
	      "     --pidfile <file>      read the target's pid from <file>\n"
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
	      " -c, --join-cgroup         join the cgroups of the target process\n"
	      "     --preserve-fds <n>    pass file descriptors 3 to 3+<n>-1 to <program>\n"
	      "     --cap-drop <caps>     drop these capabilities (comma list, or ALL)\n"
	      "     --no-new-privs        set no_new_privs: exec cannot gain privileges\n"
	      "     --new-session         run <program> in a new session (setsid)\n"
	      "\n -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nFor more details see nsenter-lite(1).\n",
	      stdout);
	exit(CTU_EXIT_OK);
}

enum {
	OPT_PIDFILE = CHAR_MAX + 1,
	OPT_PRESERVE_CREDS,
	OPT_PRESERVE_FDS,
};

/* -n, -nFILE, -n=FILE, --net, --net=FILE: a leading '=' is dropped, as util-linux does. */
static bool parse_ns_option(struct opts *o, int c)
{
	const char *file;
	int i = ctu_ns_option(c, optarg, &file);

	if (i < 0)
		return false;
	o->ns[i].wanted = true;
	o->ns[i].file = file;
	return true;
}

static void parse_options(struct opts *o, int argc, char **argv)
{
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
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		CTU_CREDS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	ctu_err_t error = NULL;
	int64_t pid;
	int c, r;

	while ((c = getopt_long(argc, argv, "+aht:m::u::i::n::p::C::U::T::S:G:r::w::W:eFcV",
				longopts, NULL)) != -1) {
		if (parse_ns_option(o, c))
			continue;
		r = ctu_creds_parse_option(&o->creds, c, optarg, &error);
		if (r < 0)
			ctu_err_exit(&error);
		if (r > 0)
			continue;
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 't':
			if (ctu_parse_s64_range(optarg, 1, INT32_MAX, &pid) < 0)
				ctu_usage_error("invalid target pid: '%s'", optarg);
			o->target = (pid_t)pid;
			break;
		case OPT_PIDFILE:
			if (!*optarg)
				ctu_usage_error("empty file name for --pidfile");
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
		case OPT_PRESERVE_FDS:
			if (ctu_preserve_fds_arg(optarg, &o->preserve_fds, &error) < 0)
				ctu_err_exit(&error);
			break;
		case 'h':
			usage();
		case 'V':
			ctu_version_and_exit();
		default:
			ctu_try_help();
		}
	}
	o->argv = argv + optind;
}

static bool wants(const struct opts *o, int clone_flag)
{
	return o->ns[ctu_ns_by_flag(clone_flag) - ctu_ns_types].wanted;
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

static bool any_namespace(const struct opts *o)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted)
			return true;
	return o->all;
}

static void resolve_options(struct opts *o)
{
	if (o->target && o->pidfile)
		ctu_usage_error("--target and --pidfile are mutually exclusive");
	if (o->pidfile) {
		int e = ctu_pidfile_read(o->pidfile, &o->target);

		if (e == -EINVAL)
			ctu_die("invalid pid file %s: it holds no pid", o->pidfile);
		if (e < 0)
			ctu_die_errno(e, "cannot read pid file %s", o->pidfile);
	}
	if (needs_target(o) && !o->target)
		ctu_usage_error("no target process: use --target <pid> or --pidfile <file>");
	if (!any_namespace(o) && !o->join_cgroup)
		ctu_usage_error("no namespace specified");
	if (o->wd && o->wdns)
		ctu_usage_error("--wd and --wdns are mutually exclusive");
	if (o->preserve_credentials && (o->creds.has_uid || o->creds.has_gid))
		ctu_usage_error("--preserve-credentials cannot go with --setuid or --setgid");
}

/* Open everything about the target while its pidfd pins its identity. */
static void open_target(const struct opts *o, struct target *t)
{
	char path[64];

	t->pidfd = ctu_pidfd_open(o->target, 0);
	/* before Linux 5.3 (or under valgrind) there are no pidfds: /proc only */
	if (t->pidfd < 0 && errno == ENOSYS)
		ctu_debug("pidfd_open: not supported, using /proc/%d alone", (int)o->target);
	else if (t->pidfd < 0)
		err(CTU_EXIT_TOOL, "cannot open process %d", (int)o->target);
	snprintf(path, sizeof(path), "/proc/%d", (int)o->target);
	t->procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0)
		err(CTU_EXIT_TOOL, "cannot open %s", path);
}

/*
 * The PID of a live process is unique: if the pidfd's process is still
 * alive after we opened things by PID, they were that process's.
 */
static void check_target_alive(const struct opts *o, const struct target *t)
{
	if (t->pidfd >= 0 && ctu_pidfd_send_signal(t->pidfd, 0) < 0 && errno == ESRCH)
		errx(CTU_EXIT_TOOL, "process %d has exited: nothing was entered", (int)o->target);
}

static bool same_ns_as_ours(const struct target *t, const struct ctu_ns_type *type)
{
	char theirs[64], ours[64];
	struct stat a, b;

	snprintf(theirs, sizeof(theirs), "ns/%s", type->name);
	snprintf(ours, sizeof(ours), "/proc/self/ns/%s", type->name);
	if (fstatat(t->procfd, theirs, &a, 0) < 0 || stat(ours, &b) < 0)
		return false;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* -a: every namespace of the target that differs from ours. */
static void select_all(struct opts *o, const struct target *t)
{
	int supported = ctu_ns_supported_flags();

	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		const struct ctu_ns_type *type = &ctu_ns_types[i];

		if (o->ns[i].wanted || !(supported & type->clone_flag))
			continue;
		/* re-entering our own user namespace is EINVAL, and pointless */
		o->ns[i].wanted = !same_ns_as_ours(t, type);
	}
}

static int flags_from_target(const struct opts *o)
{
	int flags = 0;

	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted && !o->ns[i].file)
			flags |= ctu_ns_types[i].clone_flag;
	return flags;
}

static noreturn void die_entering(const struct opts *o, const struct ctu_ns_type *type, int errnum)
{
	const char *hint = "";

	if (errnum == EPERM)
		hint = " (needs CAP_SYS_ADMIN over it: root, or its user namespace with -U)";
	if (errnum == ESRCH)
		errx(CTU_EXIT_TOOL, "process %d has exited: nothing was entered", (int)o->target);
	if (!type)
		errx(CTU_EXIT_TOOL, "cannot enter the namespaces of process %d: %s%s",
		     (int)o->target, strerror(errnum), hint);
	if (o->ns[type - ctu_ns_types].file)
		errx(CTU_EXIT_TOOL, "cannot enter the %s namespace %s: %s%s", type->name,
		     o->ns[type - ctu_ns_types].file, strerror(errnum), hint);
	errx(CTU_EXIT_TOOL, "cannot enter the %s namespace of process %d: %s%s", type->name,
	     (int)o->target, strerror(errnum), hint);
}

/* The fallback: every namespace file opened before any is entered. */
static void open_ns_files(struct opts *o, const struct target *t)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		struct ns_request *r = &o->ns[i];
		const struct ctu_ns_type *type = &ctu_ns_types[i];

		if (!r->wanted)
			continue;
		if (r->file) {
			r->fd = ctu_ns_open_spec(r->file, type);
			if (r->fd == -ENOTTY)
				ctu_die("%s is not a namespace file", r->file);
			if (r->fd == -EPROTOTYPE)
				ctu_die("%s is not a %s namespace", r->file, type->name);
			if (r->fd < 0)
				ctu_die_errno(r->fd, "cannot open the %s namespace %s", type->name,
					      r->file);
		} else {
			char path[64];

			snprintf(path, sizeof(path), "ns/%s", type->name);
			r->fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
			if (r->fd < 0)
				die_entering(o, type, errno == ENOENT ? ESRCH : errno);
		}
	}
	if (t->pidfd >= 0)
		check_target_alive(o, t);
}

/*
 * util-linux's two passes: first everything but the user namespace with
 * EPERM ignored (root entering a deprivileged container must enter the
 * others before giving up its privileges), then the user namespace, then
 * what failed, with errors fatal (a user entering their own namespace gets
 * the rights to the others only once inside it).
 */
static void enter_ns_files(struct opts *o)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < CTU_NS_COUNT; i++) {
			struct ns_request *r = &o->ns[i];
			const struct ctu_ns_type *type = &ctu_ns_types[i];
			bool is_user = type->clone_flag == CLONE_NEWUSER;

			if (r->fd < 0 || (pass == 0 && is_user))
				continue;
			if (setns(r->fd, type->clone_flag) == 0) {
				close(r->fd);
				r->fd = -1;
			} else if (pass == 1 || errno != EPERM) {
				die_entering(o, type, errno);
			}
		}
	}
}

static bool pidfd_setns_disabled(void)
{
	const char *e = getenv("CTU_NSENTER_NO_PIDFD");

	return e && *e && strcmp(e, "0") != 0;
}

static void enter_namespaces(struct opts *o, const struct target *t)
{
	int flags = flags_from_target(o);
	bool files = false;

	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		files |= o->ns[i].wanted && o->ns[i].file;
	/* one atomic call: all of the target's namespaces or none (Linux 5.8) */
	if (!files && flags && t->pidfd >= 0 && !pidfd_setns_disabled()) {
		if (setns(t->pidfd, flags) == 0) {
			ctu_debug("entered namespaces 0x%x through the pidfd", flags);
			return;
		}
		if (errno != EINVAL)
			die_entering(o, NULL, errno);
		ctu_debug("setns(pidfd) not supported: falling back");
	}
	open_ns_files(o, t);
	enter_ns_files(o);
}

static int open_dir_or_die(int dirfd, const char *path, const char *what)
{
	int fd = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		err(CTU_EXIT_TOOL, "cannot open %s %s", what, path);
	return fd;
}

/* -r, -w, -e and -c: read from the target (or the caller) before entering. */
static void open_target_extras(const struct opts *o, struct target *t)
{
	if (o->root)
		t->rootfd = open_dir_or_die(AT_FDCWD, o->root, "root directory");
	else if (o->root_from_target)
		t->rootfd = open_dir_or_die(t->procfd, "root", "the target's root");
	if (o->wd)
		t->wdfd = open_dir_or_die(AT_FDCWD, o->wd, "working directory");
	else if (o->wd_from_target)
		t->wdfd = open_dir_or_die(t->procfd, "cwd", "the target's working directory");
	if (o->env) {
		int e = ctu_read_file(t->procfd, "environ", &t->environ, &t->environ_len);

		if (e < 0)
			ctu_die_errno(e, "cannot read the environment of process %d", (int)o->target);
	}
}

/*
 * -c: write ourselves into the target's cgroup in every hierarchy.  Each
 * cgroup.procs is opened, written and closed at once: a file opened by
 * root and kept across exec would let the program move host processes
 * (util-linux CVE-2026-78408).
 */
static void join_cgroups(const struct opts *o, const struct target *t)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int e = ctu_read_file(t->procfd, "cgroup", &text, NULL);

	if (e < 0)
		ctu_die_errno(e, "cannot read the cgroups of process %d", (int)o->target);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *path;
		_cleanup_free_ char *mnt = NULL, *procs = NULL;

		if (!ctrl || !(path = strchr(++ctrl, ':')))
			continue;
		*path++ = '\0';
		mnt = ctu_mnt_cgroup_mount(ctrl);
		if (!mnt)
			continue; /* a hierarchy not mounted here cannot be joined */
		if (asprintf(&procs, "%s%s/cgroup.procs", mnt, path) < 0)
			ctu_die("out of memory");
		e = ctu_write_file(AT_FDCWD, procs, "0");
		if (e < 0)
			ctu_die_errno(e, "cannot join cgroup %s", procs);
	}
}

static void set_root_and_wd(const struct opts *o, struct target *t)
{
	if (t->rootfd >= 0) {
		if (fchdir(t->rootfd) < 0 || chroot(".") < 0)
			err(CTU_EXIT_TOOL, "cannot change the root directory");
		close(t->rootfd);
		if (t->wdfd < 0 && !o->wdns && chdir("/") < 0)
			err(CTU_EXIT_TOOL, "cannot change directory to /");
	}
	if (t->wdfd >= 0) {
		if (fchdir(t->wdfd) < 0)
			err(CTU_EXIT_TOOL, "cannot change the working directory");
		close(t->wdfd);
	}
	if (o->wdns && chdir(o->wdns) < 0)
		err(CTU_EXIT_TOOL, "cannot change directory to %s", o->wdns);
}

/* The target's environment replaces ours: NUL-separated NAME=VALUE strings. */
static void take_environment(struct target *t)
{
	if (clearenv() != 0)
		ctu_die("cannot clear the environment");
	for (size_t off = 0; off < t->environ_len;) {
		char *entry = t->environ + off;

		off += strlen(entry) + 1;
		if (strchr(entry, '=') && putenv(entry) != 0)
			ctu_die("cannot set the environment");
	}
	/* t->environ now backs environ: never freed */
}

static void close_target(struct target *t)
{
	ctu_closep(&t->pidfd);
	ctu_closep(&t->procfd);
	t->pidfd = t->procfd = -1;
}

/* With a pid namespace, only a child is really in it: fork and wait. */
static void fork_if_needed(const struct opts *o)
{
	struct ctu_child child = { 0 };
	int status = 0, e;

	if (!wants(o, CLONE_NEWPID) || o->no_fork)
		return;
	e = ctu_fork_child(&child, 0);
	if (e < 0)
		ctu_die_errno(e, "cannot fork");
	if (e == 0)
		return;
	e = ctu_wait_child(&child, &status);
	if (e < 0)
		ctu_die_errno(e, "cannot wait for the child %d", (int)child.pid);
	ctu_exit_like(status);
}

int main(int argc, char **argv)
{
	struct opts o = { .target = 0 };
	struct target t = { .pidfd = -1, .procfd = -1, .rootfd = -1, .wdfd = -1 };
	ctu_err_t error = NULL;

	ctu_init(CTU_TOOL_CHAINING);
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		o.ns[i].fd = -1;
	parse_options(&o, argc, argv);
	resolve_options(&o);
	/*
	 * Not dumpable while we hold fds into the target: a process in it must
	 * not ptrace us or read our /proc (runc CVE-2016-9962).  exec resets it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		err(CTU_EXIT_TOOL, "cannot make the process non-dumpable");
	if (o.target) {
		open_target(&o, &t);
		if (o.all)
			select_all(&o, &t);
		check_target_alive(&o, &t);
	}
	/* -r DIR and -w DIR are ours to check with a target or without */
	open_target_extras(&o, &t);
	if (o.join_cgroup)
		join_cgroups(&o, &t);
	enter_namespaces(&o, &t);
	close_target(&t);
	set_root_and_wd(&o, &t);
	if (o.env)
		take_environment(&t);
	fork_if_needed(&o);
	/* util-linux: in a user namespace, root unless told otherwise */
	if (wants(&o, CLONE_NEWUSER) && !o.preserve_credentials)
		o.creds.has_uid = o.creds.has_gid = true;
	if (ctu_creds_apply(&o.creds, &error) < 0)
		ctu_err_exit(&error);
	ctu_exec_program(o.argv, o.preserve_fds);
}
