// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - unshare-lite's option values, each checked as it is given,
 * and what one option implies of the others once all are known.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ctu.h"
#include "parse.h"
#include "proc.h"
#include "unshare-lite.h"

/* --info-fd: a file descriptor that is open now. */
static int parse_fd(const char *s, const char *what, int *fd, ctu_err_t *err)
{
	if (ctu_parse_int(s, fd) < 0 || *fd < 0)
		return ctu_err_usage(err, "invalid %s: '%s'", what, s);
	if (fcntl(*fd, F_GETFD) < 0)
		return ctu_err_usage(err, "invalid %s: '%s': not an open file descriptor", what, s);
	return 0;
}

/* --map-users, --map-groups: INNER:OUTER:COUNT (repeatable), auto or all. */
static int add_range(struct ctu_idmap *m, enum range_source *src, const char *s, const char *opt,
		     ctu_err_t *err)
{
	struct ctu_idmap_range r;
	int e;

	if (strcmp(s, "auto") == 0 || strcmp(s, "all") == 0) {
		*src = s[1] == 'u' ? RANGES_AUTO : RANGES_ALL;
		return 0;
	}
	if (ctu_idmap_parse_range(s, &r) < 0)
		return ctu_err_usage(
		    err, "invalid %s '%s': expected <inner>:<outer>:<count>, auto or all", opt, s);
	e = ctu_idmap_add(m, &r);
	if (e == -EEXIST)
		return ctu_err_usage(err, "invalid %s '%s': overlaps another range", opt, s);
	if (e < 0)
		return ctu_err_usage(err, "invalid %s '%s': too many ranges", opt, s);
	return 0;
}

static int parse_propagation(const char *s, unsigned long *flag, ctu_err_t *err)
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
		if (strcmp(s, modes[i].name) == 0) {
			*flag = modes[i].flag;
			return 0;
		}
	return ctu_err_usage(err, "unsupported propagation mode: '%s'", s);
}

static int parse_setgroups(const char *s, int *setgroups, ctu_err_t *err)
{
	if (strcmp(s, "allow") == 0)
		*setgroups = 1;
	else if (strcmp(s, "deny") == 0)
		*setgroups = 0;
	else
		return ctu_err_usage(err, "unsupported --setgroups argument: '%s'", s);
	return 0;
}

/*
 * The namespace options: short form without a file, long form with =FILE.
 * 1 taken, 0 not one of them, <0 a usage error.
 */
static int set_ns_option(struct opts *o, int opt, const char *arg, ctu_err_t *err)
{
	const char *file;
	size_t i;
	int r = ctu_ns_option(opt, arg, &i, &file, err);

	if (r <= 0)
		return r;
	o->ns_flags |= ctu_ns_types[i].clone_flag;
	if (file)
		o->persist[i] = file;
	return 1;
}

/* --map-user, --map-group: a number or a name. */
static int parse_single_id(struct single_map *m, const char *s, bool gid, ctu_err_t *err)
{
	uid_t u;
	gid_t g;
	int e = gid ? ctu_parse_gid(s, &g) : ctu_parse_uid(s, &u);

	if (e == -ENOENT)
		return ctu_err_usage(err, "unknown %s '%s'", gid ? "group" : "user", s);
	if (e < 0)
		return ctu_err_usage(err, "invalid %s '%s'", gid ? "gid" : "uid", s);
	m->set = true;
	m->inner = gid ? g : u;
	return 0;
}

static int parse_offset(const char *s, int64_t *out, long *ns, bool *has, const char *clock,
			ctu_err_t *err)
{
	if (parse_time_offset(s, out, ns) < 0)
		return ctu_err_usage(
		    err, "invalid %s offset: '%s' (expected <seconds>[.<fraction>])", clock, s);
	*has = true;
	return 0;
}

/* --new-keyring[=NAME]: a name of 1 to 255 bytes, as a key description. */
static int parse_keyring(const char *arg, struct opts *o, ctu_err_t *err)
{
	if (arg && (!*arg || strlen(arg) > 255))
		return ctu_err_usage(err, "invalid --new-keyring name: '%s' (1 to 255 bytes)", arg);
	o->new_keyring = true;
	o->keyring_name = arg;
	return 0;
}

/* A host or domain name: 1 to HOST_NAME_MAX bytes, as sethostname(2) takes it. */
static int parse_uts_name(const char *name, const char *what, const char **out, ctu_err_t *err)
{
	if (!*name || strlen(name) > HOST_NAME_MAX)
		return ctu_err_usage(err, "invalid %s: '%s' (1 to %d bytes)", what, name,
				     HOST_NAME_MAX);
	*out = name;
	return 0;
}

static int parse_kill_child(const char *arg, int *sig, ctu_err_t *err)
{
	*sig = SIGKILL;
	if (arg && ctu_parse_signal(arg, sig) < 0)
		return ctu_err_usage(err, "unknown signal: '%s'", arg);
	return 0;
}

/*
 * The option setters of one group return 0 when they took the option, a
 * negative number for a bad value, and this when the option is another
 * group's.
 */
#define NOT_THIS_GROUP 1

/* The options that map ids. */
static int set_map_option(struct opts *o, int opt, const char *arg, ctu_err_t *err)
{
	switch (opt) {
	case 'r':
		o->uid_single = (struct single_map){ true, 0 };
		o->gid_single = (struct single_map){ true, 0 };
		return 0;
	case 'c':
		o->uid_single = (struct single_map){ true, geteuid() };
		o->gid_single = (struct single_map){ true, getegid() };
		return 0;
	case OPT_MAP_USER:
		return parse_single_id(&o->uid_single, arg, false, err);
	case OPT_MAP_GROUP:
		return parse_single_id(&o->gid_single, arg, true, err);
	case OPT_MAP_USERS:
		return add_range(&o->uid_ranges, &o->uid_source, arg, "--map-users", err);
	case OPT_MAP_GROUPS:
		return add_range(&o->gid_ranges, &o->gid_source, arg, "--map-groups", err);
	case OPT_MAP_AUTO:
		o->uid_source = o->gid_source = RANGES_AUTO;
		return 0;
	case OPT_SETGROUPS:
		return parse_setgroups(arg, &o->setgroups, err);
	}
	return NOT_THIS_GROUP;
}

/* The options of the process and its environment. */
static int set_process_option(struct opts *o, int opt, const char *arg, ctu_err_t *err)
{
	switch (opt) {
	case 'f':
		o->fork = true;
		return 0;
	case OPT_MOUNT_PROC:
		o->mount_proc = arg && *arg ? arg : "/proc";
		return 0;
	case OPT_KILL_CHILD:
		return parse_kill_child(arg, &o->kill_child_signal, err);
	case OPT_INIT:
		o->init = true;
		return 0;
	case OPT_PTY:
		o->pty = true;
		return 0;
	case OPT_PIDFILE:
		if (!*arg)
			return ctu_err_usage(err, "empty file name for --pidfile");
		o->pidfile = arg;
		return 0;
	case OPT_INFO_FD:
		return parse_fd(arg, "--info-fd", &o->info_fd, err);
	case OPT_PROPAGATION:
		return parse_propagation(arg, &o->propagation, err);
	case 'R':
		o->root = arg;
		return 0;
	case 'w':
		o->wd = arg;
		return 0;
	case OPT_MONOTONIC:
		return parse_offset(arg, &o->monotonic, &o->monotonic_ns, &o->has_monotonic,
				    "monotonic", err);
	case OPT_BOOTTIME:
		return parse_offset(arg, &o->boottime, &o->boottime_ns, &o->has_boottime,
				    "boottime", err);
	case OPT_DETACH:
		o->detach = true;
		return 0;
	case OPT_SYSCTL:
		return sysctl_option(o, arg, err);
	case OPT_NEW_KEYRING:
		return parse_keyring(arg, o, err);
	case OPT_HOSTNAME:
		return parse_uts_name(arg, "hostname", &o->hostname, err);
	case OPT_DOMAINNAME:
		return parse_uts_name(arg, "domain name", &o->domainname, err);
	}
	return NOT_THIS_GROUP;
}

int opts_set(struct opts *o, int opt, const char *arg, ctu_err_t *err)
{
	int r;

	r = set_ns_option(o, opt, arg, err);
	if (r != 0)
		return r;
	r = ctu_procopt_parse_option(&o->proc, opt, arg, err);
	if (r != 0)
		return r;
	r = set_map_option(o, opt, arg, err);
	if (r == NOT_THIS_GROUP)
		r = set_process_option(o, opt, arg, err);
	if (r == NOT_THIS_GROUP)
		return 0;
	return r < 0 ? r : 1;
}

static bool wants_user_maps(const struct opts *o)
{
	return o->uid_single.set || o->gid_single.set || o->uid_source != RANGES_NONE ||
	       o->gid_source != RANGES_NONE || o->uid_ranges.n || o->gid_ranges.n;
}

static void add_implied(struct opts *o)
{
	if (wants_user_maps(o) || o->setgroups >= 0)
		o->ns_flags |= CLONE_NEWUSER;
	if (o->mount_proc)
		o->ns_flags |= CLONE_NEWNS;
	if (o->mount_proc && (o->ns_flags & CLONE_NEWPID))
		o->fork = true;
	if (o->kill_child_signal || o->init || o->pty)
		o->fork = true;
	if (o->has_monotonic || o->has_boottime)
		o->ns_flags |= CLONE_NEWTIME;
	if (o->hostname || o->domainname)
		o->ns_flags |= CLONE_NEWUTS;
}

/*
 * --detach: we exit as soon as the child is set up.  Nothing that needs us
 * to stay can go with it: --kill-child (our death would kill it at once),
 * --pty (we are the relay).  --init can: its exit code goes to the reaper.
 */
static int check_detach(const struct opts *o, ctu_err_t *err)
{
	if (!o->detach)
		return 0;
	if (!o->fork)
		return ctu_err_usage(err,
				     "--detach needs --fork: without it we become the program");
	if (o->kill_child_signal)
		return ctu_err_usage(err, "--detach cannot go with --kill-child: we exit at once, "
					  "and the child would die with us");
	if (o->pty)
		return ctu_err_usage(err, "--detach cannot go with --pty: the terminal's relay is "
					  "a process that stays");
	return 0;
}

int opts_resolve(struct opts *o, ctu_err_t *err)
{
	add_implied(o);
	if (o->init && !(o->ns_flags & CLONE_NEWPID))
		return ctu_err_usage(err,
				     "--init needs --pid: it is the PID 1 of a new pid namespace");
	/*
	 * Without --fork a pid namespace has no process to bind it from; the
	 * time namespace has us, as we enter it ourselves (timens.c).
	 */
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->persist[i] && ctu_ns_types[i].for_children && !o->fork &&
		    ctu_ns_types[i].clone_flag != CLONE_NEWTIME)
			return ctu_err_usage(err, "persisting a %s namespace needs --fork",
					     ctu_ns_types[i].name);
	if ((o->ns_flags & CLONE_NEWPID) && !o->fork)
		return ctu_err_usage(
		    err, "--pid needs --fork: only a child is in the new pid namespace");
	if (check_detach(o, err) < 0)
		return ctu_err_code(*err);
	return sysctl_check_namespaces(o, err);
}
