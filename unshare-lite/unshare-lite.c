// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unshare-lite - create namespaces and run a program in them.
 *
 * Two processes play two roles.  The "inside" process is in the new
 * namespaces and becomes the program.  The "outside" process stays in the
 * caller's namespaces and does what can only be done from there: write the
 * user namespace's id maps and bind-mount namespaces that should persist.
 * With --fork the parent is outside and the child, created by clone3 in
 * the new namespaces, is inside.  Without --fork we are inside ourselves
 * and a short-lived helper child is outside.  Either way one function,
 * setup_from_outside(), writes the maps, so they are written in one place,
 * in the one order the kernel accepts.
 */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>

#include <linux/capability.h>

#include "caps.h"
#include "creds.h"
#include "ctu.h"
#include "idmap.h"
#include "ns.h"
#include "parse.h"
#include "proc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* A single id mapped with -r, -c, --map-user or --map-group. */
struct single_map {
	bool set;
	uint32_t inner;
};

/* Where a range map comes from besides explicit INNER:OUTER:COUNT ranges. */
enum range_source { RANGES_NONE, RANGES_AUTO, RANGES_ALL };

struct opts {
	int ns_flags;
	const char *persist[CTU_NS_COUNT]; /* =FILE per ctu_ns_types[] entry */
	bool fork;
	const char *mount_proc;
	int kill_child_signal;
	bool init;
	const char *pidfile;
	int info_fd;
	int block_fd;
	unsigned int preserve_fds;

	struct single_map uid_single, gid_single;
	struct ctu_idmap uid_ranges, gid_ranges;
	enum range_source uid_source, gid_source;
	int setgroups; /* -1 unset, 0 deny, 1 allow */

	struct ctu_creds creds;

	unsigned long propagation; /* MS_PRIVATE, MS_SHARED, MS_SLAVE or 0 = unchanged */
	const char *root;
	const char *wd;
	bool has_monotonic, has_boottime;
	int64_t monotonic, boottime;
	const char *hostname, *domainname;
	char **argv;
};

/* The id maps as they will be written, and how. */
struct map_plan {
	struct ctu_idmap uid, gid;
	bool uid_direct, gid_direct; /* write the map file ourselves, else newuidmap */
	int setgroups;		     /* -1 leave alone, 0 deny, 1 allow */
};

/* Pipes between the inside and the outside process. */
struct sync {
	int ready[2]; /* inside -> outside: the namespaces exist */
	int go[2];    /* outside -> inside: maps written, carry on (EOF: give up) */
};

/*
 * The inside process tells the outside one that it failed between "go" and
 * the exec: a byte on this pipe (close-on-exec, so a program that runs closes
 * it unwritten).  The outside then undoes what it made for it, the bound
 * namespace files first of all.
 */
static int inside_failed_fd = -1;

static void report_inside_failure(void)
{
	char c = 1;

	if (inside_failed_fd >= 0 && write(inside_failed_fd, &c, 1) != 1)
		_exit(CTU_EXIT_TOOL);
}

static void arm_failure_report(int fd)
{
	inside_failed_fd = fd;
	atexit(report_inside_failure);
}

/* Outside, once the inside has exec'd or ended: whether it said it failed. */
static bool inside_said_failed(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

/* What the outside process made that must be undone on failure. */
struct made {
	struct ctu_ns_bind binds[CTU_NS_COUNT];
	size_t n_binds;
	bool pidfile;
};

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
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
	      "     --pidfile <file>      write the child's PID to <file>\n"
	      "     --info-fd <fd>        write {\"pid\": N, \"ns\": {...}} as JSON to <fd>\n"
	      "     --block-fd <fd>       run <program> only once <fd> is readable or closed\n"
	      "     --preserve-fds <n>    pass file descriptors 3 to 3+<n>-1 to <program>\n"
	      "     --new-session         run <program> in a new session (setsid)\n"
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
	      "     --monotonic <offset>  set clock monotonic offset (seconds) in time namespaces\n"
	      "     --boottime <offset>   set clock boottime offset (seconds) in time namespaces\n"
	      "     --hostname <name>     set the hostname in the new UTS namespace\n"
	      "     --domainname <name>   set the NIS domain name in the new UTS namespace\n"
	      "\n -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nFor more details see unshare-lite(1).\n",
	      stdout);
	exit(CTU_EXIT_OK);
}

enum {
	OPT_MOUNT_PROC = CHAR_MAX + 1,
	OPT_KILL_CHILD,
	OPT_INIT,
	OPT_PIDFILE,
	OPT_INFO_FD,
	OPT_BLOCK_FD,
	OPT_PRESERVE_FDS,
	OPT_MAP_USER,
	OPT_MAP_GROUP,
	OPT_MAP_USERS,
	OPT_MAP_GROUPS,
	OPT_MAP_AUTO,
	OPT_SETGROUPS,
	OPT_PROPAGATION,
	OPT_MONOTONIC,
	OPT_BOOTTIME,
	OPT_HOSTNAME,
	OPT_DOMAINNAME,
};

static int parse_fd_or_die(const char *s, const char *what)
{
	int fd;

	if (ctu_parse_int(s, &fd) < 0 || fd < 0)
		ctu_usage_error("invalid %s: '%s'", what, s);
	if (fcntl(fd, F_GETFD) < 0)
		ctu_usage_error("invalid %s: '%s': not an open file descriptor", what, s);
	return fd;
}

static void add_range_or_die(struct ctu_idmap *m, enum range_source *src, const char *s,
			     const char *opt)
{
	struct ctu_idmap_range r;
	int e;

	if (strcmp(s, "auto") == 0 || strcmp(s, "all") == 0) {
		*src = s[1] == 'u' ? RANGES_AUTO : RANGES_ALL;
		return;
	}
	e = ctu_idmap_parse_range(s, &r);
	if (e < 0)
		ctu_usage_error("invalid %s '%s': expected <inner>:<outer>:<count>, auto or all",
				opt, s);
	e = ctu_idmap_add(m, &r);
	if (e == -EEXIST)
		ctu_usage_error("invalid %s '%s': overlaps another range", opt, s);
	if (e < 0)
		ctu_usage_error("invalid %s '%s': too many ranges", opt, s);
}

static unsigned long parse_propagation_or_die(const char *s)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} modes[] = {
		{ "private", MS_PRIVATE },
		{ "shared", MS_SHARED },
		{ "slave", MS_SLAVE },
		{ "unchanged", 0 },
	};

	for (size_t i = 0; i < CTU_ARRAY_SIZE(modes); i++)
		if (strcmp(s, modes[i].name) == 0)
			return modes[i].flag;
	ctu_usage_error("unsupported propagation mode: '%s'", s);
}

/* The namespace options: short form without a file, long form with =FILE. */
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
	o->ns_flags |= ctu_ns_types[i].clone_flag;
	if (file)
		o->persist[i] = file;
	return true;
}

static void parse_single_id(struct single_map *m, const char *s, bool gid)
{
	uid_t u;
	gid_t g;
	int e = gid ? ctu_parse_gid(s, &g) : ctu_parse_uid(s, &u);

	if (e == -ENOENT)
		ctu_usage_error("unknown %s '%s'", gid ? "group" : "user", s);
	if (e < 0)
		ctu_usage_error("invalid %s '%s'", gid ? "gid" : "uid", s);
	m->set = true;
	m->inner = gid ? g : u;
}

static void parse_offset_or_die(const char *s, int64_t *out, bool *has, const char *opt)
{
	if (ctu_parse_s64(s, out) < 0)
		ctu_usage_error("invalid %s offset: '%s' (expected whole seconds)", opt, s);
	*has = true;
}

/* A host or domain name: 1 to HOST_NAME_MAX bytes, as sethostname(2) takes it. */
static const char *uts_name_or_die(const char *name, const char *what)
{
	if (!*name || strlen(name) > HOST_NAME_MAX)
		ctu_usage_error("invalid %s: '%s' (1 to %d bytes)", what, name, HOST_NAME_MAX);
	return name;
}

static void parse_options(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		CTU_NS_LONGOPTS,
		{ "fork", no_argument, NULL, 'f' },
		{ "mount-proc", optional_argument, NULL, OPT_MOUNT_PROC },
		{ "kill-child", optional_argument, NULL, OPT_KILL_CHILD },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "info-fd", required_argument, NULL, OPT_INFO_FD },
		{ "block-fd", required_argument, NULL, OPT_BLOCK_FD },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uid_t euid = geteuid();
	gid_t egid = getegid();
	int c;

	while ((c = getopt_long(argc, argv, "+fhVmuinpCTUrcR:w:S:G:", longopts, NULL)) != -1) {
		if (parse_ns_option(o, c) || ctu_creds_parse_option(&o->creds, c, optarg))
			continue;
		switch (c) {
		case 'f':
			o->fork = true;
			break;
		case OPT_MOUNT_PROC:
			o->mount_proc = optarg && *optarg ? optarg : "/proc";
			break;
		case OPT_KILL_CHILD:
			o->kill_child_signal = SIGKILL;
			if (optarg && ctu_parse_signal(optarg, &o->kill_child_signal) < 0)
				ctu_usage_error("unknown signal: '%s'", optarg);
			break;
		case OPT_INIT:
			o->init = true;
			break;
		case OPT_PIDFILE:
			if (!*optarg)
				ctu_usage_error("empty file name for --pidfile");
			o->pidfile = optarg;
			break;
		case OPT_INFO_FD:
			o->info_fd = parse_fd_or_die(optarg, "--info-fd");
			break;
		case OPT_BLOCK_FD:
			o->block_fd = parse_fd_or_die(optarg, "--block-fd");
			break;
		case OPT_PRESERVE_FDS:
			o->preserve_fds = ctu_preserve_fds_arg(optarg);
			break;
		case 'r':
			o->uid_single = (struct single_map){ true, 0 };
			o->gid_single = (struct single_map){ true, 0 };
			break;
		case 'c':
			o->uid_single = (struct single_map){ true, euid };
			o->gid_single = (struct single_map){ true, egid };
			break;
		case OPT_MAP_USER:
			parse_single_id(&o->uid_single, optarg, false);
			break;
		case OPT_MAP_GROUP:
			parse_single_id(&o->gid_single, optarg, true);
			break;
		case OPT_MAP_USERS:
			add_range_or_die(&o->uid_ranges, &o->uid_source, optarg, "--map-users");
			break;
		case OPT_MAP_GROUPS:
			add_range_or_die(&o->gid_ranges, &o->gid_source, optarg, "--map-groups");
			break;
		case OPT_MAP_AUTO:
			o->uid_source = o->gid_source = RANGES_AUTO;
			break;
		case OPT_SETGROUPS:
			if (strcmp(optarg, "allow") == 0)
				o->setgroups = 1;
			else if (strcmp(optarg, "deny") == 0)
				o->setgroups = 0;
			else
				ctu_usage_error("unsupported --setgroups argument: '%s'", optarg);
			break;
		case OPT_PROPAGATION:
			o->propagation = parse_propagation_or_die(optarg);
			break;
		case 'R':
			o->root = optarg;
			break;
		case 'w':
			o->wd = optarg;
			break;
		case OPT_MONOTONIC:
			parse_offset_or_die(optarg, &o->monotonic, &o->has_monotonic, "monotonic");
			break;
		case OPT_BOOTTIME:
			parse_offset_or_die(optarg, &o->boottime, &o->has_boottime, "boottime");
			break;
		case OPT_HOSTNAME:
			o->hostname = uts_name_or_die(optarg, "hostname");
			break;
		case OPT_DOMAINNAME:
			o->domainname = uts_name_or_die(optarg, "domain name");
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

static bool wants_user_maps(const struct opts *o)
{
	return o->uid_single.set || o->gid_single.set || o->uid_source != RANGES_NONE ||
	       o->gid_source != RANGES_NONE || o->uid_ranges.n || o->gid_ranges.n;
}

/* What one option implies of others, then what cannot go together. */
static void resolve_options(struct opts *o)
{
	if (wants_user_maps(o) || o->setgroups >= 0)
		o->ns_flags |= CLONE_NEWUSER;
	if (o->mount_proc)
		o->ns_flags |= CLONE_NEWNS;
	if (o->mount_proc && (o->ns_flags & CLONE_NEWPID))
		o->fork = true;
	if (o->kill_child_signal || o->init)
		o->fork = true;
	if (o->has_monotonic || o->has_boottime)
		o->ns_flags |= CLONE_NEWTIME;
	if (o->hostname || o->domainname)
		o->ns_flags |= CLONE_NEWUTS;

	if (o->init && !(o->ns_flags & CLONE_NEWPID))
		ctu_usage_error("--init needs --pid: it is the PID 1 of a new pid namespace");
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->persist[i] && ctu_ns_types[i].for_children && !o->fork)
			ctu_usage_error("persisting a %s namespace needs --fork",
					ctu_ns_types[i].name);
	if ((o->ns_flags & CLONE_NEWPID) && !o->fork)
		ctu_usage_error("--pid needs --fork: only a child is in the new pid namespace");
}

/* The single id maps the caller's own id: "INNER OUTER 1". */
static int build_one_map(struct ctu_idmap *m, const struct ctu_idmap *ranges,
			 enum range_source src, const struct single_map *single, bool gid)
{
	uint32_t own = gid ? getegid() : geteuid();
	int e;

	*m = *ranges;
	if (src == RANGES_ALL) {
		e = ctu_idmap_add_current(m, gid);
		if (e < 0)
			return e;
	} else if (src == RANGES_AUTO) {
		const char *file = gid ? "/etc/subgid" : "/etc/subuid";
		struct passwd *pw = getpwuid(geteuid());
		struct group *gr = gid ? getgrgid(getegid()) : NULL;
		const char *name = gid ? (gr ? gr->gr_name : NULL) : (pw ? pw->pw_name : NULL);
		struct ctu_idmap_range r = { 0, 0, 0 };

		e = ctu_subid_lookup(file, name, own, &r.outer, &r.count);
		/* /etc/subgid is keyed by user name, like /etc/subuid */
		if (e == -ENOENT && gid && pw)
			e = ctu_subid_lookup(file, pw->pw_name, geteuid(), &r.outer, &r.count);
		if (e < 0)
			ctu_die("--map-auto: no range for %s in %s", name ? name : "you", file);
		e = ctu_idmap_add(m, &r);
		if (e < 0)
			return e;
	}
	if (single->set)
		return ctu_idmap_add_single(m, single->inner, own);
	return 0;
}

static bool is_own_id_only(const struct ctu_idmap *m, uint32_t own)
{
	return m->n == 1 && m->r[0].outer == own && m->r[0].count == 1;
}

static void plan_maps(const struct opts *o, struct map_plan *p)
{
	int e = build_one_map(&p->uid, &o->uid_ranges, o->uid_source, &o->uid_single, false);

	if (e == 0)
		e = build_one_map(&p->gid, &o->gid_ranges, o->gid_source, &o->gid_single, true);
	if (e < 0)
		ctu_die_errno(e, "cannot build the id maps");
	/*
	 * Without CAP_SETUID/CAP_SETGID here, the kernel only takes a map of our
	 * own id, written by us; anything more goes through newuidmap.
	 */
	p->uid_direct = ctu_caps_have(CAP_SETUID) || is_own_id_only(&p->uid, geteuid());
	p->gid_direct = ctu_caps_have(CAP_SETGID) || is_own_id_only(&p->gid, getegid());
	p->setgroups = o->setgroups;
	if (p->gid.n && p->gid_direct && !ctu_caps_have(CAP_SETGID)) {
		/* an unprivileged gid_map needs setgroups denied first (Linux 3.19) */
		if (o->setgroups == 1)
			ctu_usage_error("--setgroups=allow cannot go with a group map written "
					"without CAP_SETGID; use --setgroups=deny");
		p->setgroups = 0;
	}
}

static void undo_made(struct made *m, const struct opts *o)
{
	while (m->n_binds)
		ctu_ns_unbind(&m->binds[--m->n_binds]);
	if (m->pidfile && o->pidfile)
		unlink(o->pidfile);
	m->pidfile = false;
}

static int write_map(pid_t pid, bool gid, const struct ctu_idmap *m, bool direct)
{
	int e;

	if (!m->n)
		return 0;
	if (direct) {
		e = ctu_idmap_write(pid, gid, m);
		if (e < 0)
			warnx("cannot write %s of %d: %s", gid ? "gid_map" : "uid_map", (int)pid,
			      strerror(-e));
		return e;
	}
	e = ctu_idmap_run_helper(pid, gid, m);
	if (e < 0)
		warnx("cannot run %s: %s", gid ? "newgidmap" : "newuidmap", strerror(-e));
	else if (e > 0)
		warnx("%s failed (exit status %d): check /etc/sub%cid", gid ? "newgidmap" : "newuidmap",
		      e, gid ? 'g' : 'u');
	return e ? -EPERM : 0;
}

/*
 * The one place that writes the user namespace of @pid: setgroups strictly
 * before gid_map (EPERM after it), then uid_map and gid_map once each, each
 * in a single write.
 */
static int write_user_maps(pid_t pid, const struct map_plan *p)
{
	int e;

	if (p->setgroups >= 0) {
		e = ctu_setgroups_write(pid, p->setgroups == 1);
		if (e < 0) {
			warnx("cannot write setgroups of %d: %s", (int)pid, strerror(-e));
			return e;
		}
	}
	e = write_map(pid, false, &p->uid, p->uid_direct);
	if (e == 0)
		e = write_map(pid, true, &p->gid, p->gid_direct);
	return e;
}

/* Bind-mounts every namespace asked to persist; all or nothing. */
static int persist_namespaces(pid_t pid, const struct opts *o, struct made *m)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		const struct ctu_ns_type *t = &ctu_ns_types[i];
		char src[64];
		int e;

		if (!o->persist[i])
			continue;
		/* the clone child is in the new pid ns itself; time applies to children */
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid,
			 t->clone_flag == CLONE_NEWTIME ? t->for_children : t->name);
		e = ctu_ns_bind(src, o->persist[i], t->clone_flag == CLONE_NEWNS,
				&m->binds[m->n_binds]);
		if (e == -EINVAL && t->clone_flag == CLONE_NEWNS) {
			warnx("cannot persist the mount namespace on %s: its directory is on a "
			      "shared mount; make it private first (mount --make-private DIR)",
			      o->persist[i]);
			return e;
		}
		if (e < 0) {
			warnx("cannot persist the %s namespace on %s: %s", t->name, o->persist[i],
			      strerror(-e));
			return e;
		}
		m->n_binds++;
	}
	return 0;
}

/* Everything done from the caller's namespaces for the inside process @pid. */
static int setup_from_outside(pid_t pid, const struct opts *o, const struct map_plan *p,
			      struct made *m)
{
	int e = 0;

	if (o->ns_flags & CLONE_NEWUSER)
		e = write_user_maps(pid, p);
	if (e == 0)
		e = persist_namespaces(pid, o, m);
	if (e < 0)
		undo_made(m, o);
	return e;
}

/* {"pid": N, "ns": {"user": INODE, ...}}: fixed keys and numbers only. */
static void write_info(int fd, pid_t pid)
{
	char buf[1024];
	int len = snprintf(buf, sizeof(buf), "{\"pid\": %d, \"ns\": {", (int)pid);
	bool first = true;

	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		const struct ctu_ns_type *t = &ctu_ns_types[i];
		char path[64];
		unsigned long ino;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 t->clone_flag == CLONE_NEWTIME ? t->for_children : t->name);
		if (ctu_ns_inode_path(path, &ino) < 0)
			continue;
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s\"%s\": %lu",
				first ? "" : ", ", t->name, ino);
		first = false;
	}
	len += snprintf(buf + len, sizeof(buf) - (size_t)len, "}}\n");
	if (write(fd, buf, (size_t)len) != len)
		warn("cannot write to --info-fd %d", fd);
	close(fd);
}

static noreturn void die_creating_namespaces(int errnum, int flags)
{
	const char *hint = "";

	if (errnum == EPERM && !(flags & CLONE_NEWUSER))
		hint = " (needs CAP_SYS_ADMIN; add -U or -r for an unprivileged user namespace)";
	else if ((errnum == EPERM || errnum == ENOSPC) && (flags & CLONE_NEWUSER))
		hint = " (are user namespaces disabled? see user.max_user_namespaces)";
	else if (errnum == EINVAL)
		hint = " (is a namespace type missing from this kernel?)";
	errx(CTU_EXIT_TOOL, "cannot create namespaces: %s%s", strerror(errnum), hint);
}

/*
 * The new time namespace: the offsets first (the kernel takes them only
 * before any process has entered), then we enter it ourselves.
 * unshare(CLONE_NEWTIME) moves only our future children there; newer
 * kernels move us too when we exec, 6.1 does not, and the program would run
 * outside it.  On failure, what @undo lists (if any) is removed.
 */
static void setup_time_namespace(const struct opts *o, struct made *undo)
{
	const char *step = "cannot set time namespace offsets";
	char buf[128] = "";
	int fd, e = 0;

	if (!(o->ns_flags & CLONE_NEWTIME))
		return;
	if (o->has_monotonic)
		snprintf(buf, sizeof(buf), "monotonic %lld 0\n", (long long)o->monotonic);
	if (o->has_boottime)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "boottime %lld 0\n",
			 (long long)o->boottime);
	if (*buf)
		e = ctu_write_file(AT_FDCWD, "/proc/self/timens_offsets", buf);
	if (e == 0) {
		step = "cannot enter the new time namespace";
		fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
			e = -errno;
		if (fd >= 0)
			close(fd);
	}
	if (e == 0)
		return;
	if (undo)
		undo_made(undo, o);
	ctu_die_errno(e, "%s", step);
}

static void wait_readable(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			err(CTU_EXIT_TOOL, "cannot wait on %s", what);
}

/* --kill-child: the classic race is a parent that died before prctl. */
static void set_parent_death_signal(int sig, int parent_pidfd)
{
	struct pollfd p = { .fd = parent_pidfd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, sig) < 0)
		err(CTU_EXIT_TOOL, "cannot set the parent-death signal");
	/* a pidfd polls readable once its process has exited */
	if (poll(&p, 1, 0) != 0)
		_exit(CTU_EXIT_TOOL);
	close(parent_pidfd);
}

static void setup_mounts_and_names(const struct opts *o)
{
	if ((o->ns_flags & CLONE_NEWNS) && o->propagation &&
	    mount("none", "/", NULL, MS_REC | o->propagation, NULL) < 0)
		err(CTU_EXIT_TOOL, "cannot change the propagation of / (use --propagation "
				   "unchanged where / is not a mount point)");
	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0)
		err(CTU_EXIT_TOOL, "cannot set hostname '%s'", o->hostname);
	if (o->domainname && setdomainname(o->domainname, strlen(o->domainname)) < 0)
		err(CTU_EXIT_TOOL, "cannot set domain name '%s'", o->domainname);
	if (o->root) {
		if (chroot(o->root) < 0)
			err(CTU_EXIT_TOOL, "cannot change root directory to '%s'", o->root);
		if (chdir(o->wd ? o->wd : "/") < 0)
			err(CTU_EXIT_TOOL, "cannot change directory to '%s'", o->wd ? o->wd : "/");
	} else if (o->wd && chdir(o->wd) < 0) {
		err(CTU_EXIT_TOOL, "cannot change directory to '%s'", o->wd);
	}
	if (o->mount_proc) {
		/* with shared propagation the proc mount would leak out: not here */
		if (o->propagation != MS_PRIVATE && o->propagation != MS_SLAVE &&
		    mount("none", o->mount_proc, NULL, MS_REC | MS_PRIVATE, NULL) < 0 &&
		    errno != EINVAL)
			err(CTU_EXIT_TOOL, "cannot make %s private", o->mount_proc);
		if (mount("proc", o->mount_proc, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
			err(CTU_EXIT_TOOL, "cannot mount proc on %s", o->mount_proc);
	}
}

/*
 * --init: we are PID 1.  Fork the program, then reap everything and pass
 * signals on until the program ends.  PID 1 cannot die of a re-raised
 * signal, so the program's raw wait status goes to the outside parent
 * over @status_fd and it dies of the signal instead.
 */
static void run_as_init(int status_fd)
{
	struct ctu_child prog = { .reap_orphans = true };
	int status = 0, e;

	e = ctu_fork_child(&prog, 0);
	if (e < 0)
		ctu_die_errno(e, "--init: cannot fork the program");
	if (e == 0) {
		close(status_fd);
		return;
	}
	prctl(PR_SET_NAME, "unshare-init");
	e = ctu_wait_child(&prog, &status);
	if (e < 0)
		ctu_die_errno(e, "--init: cannot wait for the program");
	if (write(status_fd, &status, sizeof(status)) != sizeof(status))
		_exit(CTU_EXIT_TOOL);
	_exit(ctu_status_to_exit_code(status));
}

/* Inside the namespaces, from "go" to exec. */
static noreturn void run_inside(const struct opts *o, int status_fd)
{
	setup_mounts_and_names(o);
	if (o->block_fd >= 0) {
		wait_readable(o->block_fd, "--block-fd");
		close(o->block_fd);
	}
	if (o->init)
		run_as_init(status_fd);
	ctu_creds_apply(&o->creds);
	ctu_exec_program(o->argv, o->preserve_fds);
}

static void make_sync(struct sync *s)
{
	if (pipe2(s->ready, O_CLOEXEC) < 0 || pipe2(s->go, O_CLOEXEC) < 0)
		err(CTU_EXIT_TOOL, "cannot create a pipe");
}

/* Inside: tell the outside we exist, wait for its go (EOF: it gave up). */
static void inside_handshake(struct sync *s)
{
	char c = 0;

	close(s->ready[0]);
	close(s->go[1]);
	if (write(s->ready[1], &c, 1) != 1)
		_exit(CTU_EXIT_TOOL);
	close(s->ready[1]);
	if (read(s->go[0], &c, 1) != 1)
		_exit(CTU_EXIT_TOOL); /* the outside said why */
	close(s->go[0]);
}

/* Outside: wait until the inside exists; false if it died first. */
static bool outside_wait_ready(struct sync *s)
{
	char c;

	close(s->ready[1]);
	close(s->go[0]);
	return read(s->ready[0], &c, 1) == 1;
}

static void outside_go(struct sync *s)
{
	char c = 1;

	if (write(s->go[1], &c, 1) != 1)
		warn("cannot release the child");
	close(s->go[1]);
	close(s->ready[0]);
}

static bool wants_persist(const struct opts *o)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->persist[i])
			return true;
	return false;
}

static bool has_outside_work(const struct opts *o, const struct map_plan *p)
{
	return p->uid.n || p->gid.n || p->setgroups >= 0 || wants_persist(o);
}

static void write_pidfile_or_die(const struct opts *o, pid_t pid, struct made *m)
{
	int e = ctu_pidfile_write(o->pidfile, pid);

	if (e < 0) {
		undo_made(m, o);
		ctu_die_errno(e, "cannot write pid file %s", o->pidfile);
	}
	m->pidfile = true;
}

/*
 * Without --fork we go inside ourselves and exec the program; a helper
 * child, forked before unshare(), stays outside to write the maps and bind
 * the namespaces, and tells us with its exit status how that went.
 */
static noreturn void run_without_fork(const struct opts *o, const struct map_plan *p)
{
	struct made m = { 0 };
	pid_t self = getpid(), helper = -1;
	int ready[2] = { -1, -1 }, result[2] = { -1, -1 }, failed[2] = { -1, -1 };
	int status, e;
	char c = 0;

	if (o->pidfile)
		write_pidfile_or_die(o, self, &m);
	if (has_outside_work(o, p)) {
		if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(result, O_CLOEXEC) < 0 ||
		    pipe2(failed, O_CLOEXEC) < 0)
			err(CTU_EXIT_TOOL, "cannot create a pipe");
		helper = fork();
		if (helper < 0)
			err(CTU_EXIT_TOOL, "cannot fork");
		if (helper == 0) {
			/*
			 * A grandchild does the work and stays until we exec or fail:
			 * the program we become never finds it among its children.
			 */
			struct made hm = { 0 };
			pid_t worker = fork();

			if (worker != 0)
				_exit(worker < 0 ? CTU_EXIT_TOOL : 0);
			close(ready[1]);
			close(result[0]);
			close(failed[1]);
			if (read(ready[0], &c, 1) != 1)
				_exit(CTU_EXIT_TOOL);
			c = setup_from_outside(self, o, p, &hm) < 0;
			if (write(result[1], &c, 1) != 1 || c)
				_exit(CTU_EXIT_TOOL);
			/* our pid file too, which the inside wrote and cannot remove */
			hm.pidfile = o->pidfile != NULL;
			if (inside_said_failed(failed[0]))
				undo_made(&hm, o);
			_exit(0);
		}
		close(ready[0]);
		close(result[1]);
		close(failed[0]);
		if (waitpid(helper, &status, 0) != helper || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			undo_made(&m, o);
			errx(CTU_EXIT_TOOL, "cannot start the helper outside the namespaces");
		}
	}
	if (unshare(o->ns_flags) < 0) {
		e = errno;
		undo_made(&m, o);
		die_creating_namespaces(e, o->ns_flags);
	}
	setup_time_namespace(o, &m);
	if (helper > 0) {
		if (write(ready[1], &c, 1) != 1 || read(result[0], &c, 1) != 1 || c) {
			undo_made(&m, o);
			exit(CTU_EXIT_TOOL); /* the helper said why */
		}
		close(ready[1]);
		close(result[0]);
		arm_failure_report(failed[1]);
	}
	if (o->info_fd >= 0)
		write_info(o->info_fd, self);
	run_inside(o, -1);
}

/* The pipe over which --init passes the program's wait status out. */
static void read_init_status(int fd, int *status)
{
	int st;

	if (fd >= 0 && read(fd, &st, sizeof(st)) == (ssize_t)sizeof(st))
		*status = st;
}

/*
 * With --fork we stay outside; the child, cloned straight into the new
 * namespaces (but time, which it unshares itself so that the offsets can be
 * set before anyone enters), is inside.  We wait for it, forwarding
 * signals, and end the way it ended.
 */
static noreturn void run_with_fork(const struct opts *o, const struct map_plan *p)
{
	struct ctu_child child = { 0 };
	struct made m = { 0 };
	struct sync s;
	int init_status[2] = { -1, -1 }, failed[2] = { -1, -1 };
	int parent_pidfd = -1, status = 0, e;

	make_sync(&s);
	if (pipe2(failed, O_CLOEXEC | O_NONBLOCK) < 0)
		err(CTU_EXIT_TOOL, "cannot create a pipe");
	if (o->init && pipe2(init_status, O_CLOEXEC) < 0)
		err(CTU_EXIT_TOOL, "cannot create a pipe");
	if (o->kill_child_signal) {
		parent_pidfd = ctu_pidfd_open(getpid(), 0);
		if (parent_pidfd < 0)
			err(CTU_EXIT_TOOL, "--kill-child: cannot open a pidfd for ourselves");
	}
	e = ctu_fork_child(&child, (unsigned long)(o->ns_flags & ~CLONE_NEWTIME));
	if (e < 0)
		die_creating_namespaces(-e, o->ns_flags);
	if (e == 0) {
		if (o->kill_child_signal)
			set_parent_death_signal(o->kill_child_signal, parent_pidfd);
		if (o->ns_flags & CLONE_NEWTIME) {
			if (unshare(CLONE_NEWTIME) < 0)
				die_creating_namespaces(errno, CLONE_NEWTIME);
			setup_time_namespace(o, NULL);
		}
		if (o->info_fd >= 0)
			close(o->info_fd);
		inside_handshake(&s);
		if (init_status[0] >= 0)
			close(init_status[0]);
		close(failed[0]);
		arm_failure_report(failed[1]);
		run_inside(o, init_status[1]);
	}
	if (parent_pidfd >= 0)
		close(parent_pidfd);
	if (init_status[1] >= 0)
		close(init_status[1]);
	close(failed[1]);
	if (!outside_wait_ready(&s)) {
		/* the child failed before the handshake and said why */
		ctu_wait_child(&child, &status);
		ctu_exit_like(status);
	}
	if (setup_from_outside(child.pid, o, p, &m) < 0) {
		close(s.go[1]);
		ctu_wait_child(&child, &status);
		exit(CTU_EXIT_TOOL);
	}
	if (o->pidfile && ctu_pidfile_write(o->pidfile, child.pid) < 0) {
		warn("cannot write pid file %s", o->pidfile);
		close(s.go[1]);
		ctu_wait_child(&child, &status);
		undo_made(&m, o);
		exit(CTU_EXIT_TOOL);
	}
	m.pidfile = o->pidfile != NULL;
	if (o->info_fd >= 0)
		write_info(o->info_fd, child.pid);
	if (o->block_fd >= 0)
		close(o->block_fd);
	outside_go(&s);
	e = ctu_wait_child(&child, &status);
	if (e < 0) {
		undo_made(&m, o);
		ctu_die_errno(e, "cannot wait for the child %d", (int)child.pid);
	}
	read_init_status(init_status[0], &status);
	/* the inside failed before its program ran: nothing of it stays */
	if (inside_said_failed(failed[0]))
		undo_made(&m, o);
	if (m.pidfile)
		unlink(o->pidfile);
	/* the persistent namespaces stay: that is what they are for */
	for (size_t i = 0; i < m.n_binds; i++)
		ctu_ns_bind_release(&m.binds[i]);
	ctu_exit_like(status);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.info_fd = -1,
		.block_fd = -1,
		.setgroups = -1,
		.propagation = MS_PRIVATE,
	};
	struct map_plan p = { .setgroups = -1 };

	ctu_init(CTU_TOOL_CHAINING);
	parse_options(&o, argc, argv);
	resolve_options(&o);
	if (o.ns_flags & CLONE_NEWUSER)
		plan_maps(&o, &p);
	if (o.fork)
		run_with_fork(&o, &p);
	run_without_fork(&o, &p);
}
