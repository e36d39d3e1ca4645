// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pivot - make a directory the root of the current mount namespace, set up
 * /proc, /dev, /sys, tmpfs and binds inside it, then exec a program.
 *
 * This file: usage, options and main.  The setup itself is setup.c's (see
 * pivot.h for the map); a failure before the exec undoes every mount and
 * every directory and file pivot made.
 */
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>

#include "cli.h"
#include "ctu.h"
#include "pivot.h"
#include "proc.h"

static noreturn void usage(void)
{
	printf(CTU_USAGE_HEADER
	      " pivot [options] <newroot> [--] [<program> [<argument>...]]\n"
	      "\nMake <newroot> the root directory of this mount namespace, set up\n"
	      "/proc, /dev and mounts inside it, and run <program> (default /bin/sh).\n"
	      CTU_USAGE_OPTIONS
	      "     --proc                mount a new proc at /proc\n"
	      "     --sys                 mount sysfs read-only at /sys\n"
	      "     --dev                 a tmpfs /dev with null, zero, full, random, urandom,\n"
	      "                             tty, a new devpts, shm and the fd symlinks\n"
	      "     --tmpfs <dir>[:<opts>]  mount a tmpfs at <dir> (opts: size=64m,mode=1777)\n"
	      "     --bind <src>:<dst>[:ro]  bind-mount host path <src> at <dst>\n"
	      "     --ro-bind <src>:<dst>  bind-mount host path <src> read-only at <dst>\n"
	      "     --mkdir <dir>         create <dir> in the new root\n"
	      "     --symlink <target>:<link>  create the symlink <link> -> <target>\n"
	      "     --mount <type>:<src>:<dst>[:<opts>]  mount a filesystem, or bind <src>\n"
	      "                             (type bind), at <dst> with the options <opts>\n"
	      "     --device <path>:<type>:<major>:<minor>:<mode>:<uid>:<gid>\n"
	      "                           create a device node (type c, b, u or p)\n"
	      "     --mask <path>         hide <path> after the pivot (/dev/null, empty tmpfs)\n"
	      "     --readonly-path <path>  make <path> read-only after the pivot\n"
	      "     --readonly-mount <path>  make the mount at <path> read-only, not\n"
	      "                             the mounts below it, after the pivot\n"
	      "     --no-pivot            move the new root onto / and chroot (roots on ramfs)\n"
	      "     --old-root <dir>      keep the old root at <dir> (the host stays visible)\n"
	      "     --readonly            make the new root read-only\n"
	      " -w, --wd <dir>            change to <dir> in the new root\n"
	      "     --propagation <mode>  private (default), slave, shared or unbindable,\n"
	      "                             or r<mode> for the new root's whole tree\n"
	      "     --chroot              use chroot(2) instead of pivot_root(2) (teaching mode)\n"
	      "     --force               run even in the host's mount namespace\n"
	      "     --in-place            stay in the mount namespace pivot runs in, shared\n"
	      "                             with others: chroot, the propagation applied to\n"
	      "                             the new root's bind only; the mounts outlive the\n"
	      "                             program (umount -R <newroot> removes them)\n"
	      "\nThe program's process:\n"
	      " -S, --setuid <uid>        run <program> as this uid\n"
	      " -G, --setgid <gid>        run <program> as this gid\n"
	      "     --keep-caps           retain the capabilities across --setuid\n"
	      "     --cap-drop <caps>     drop these capabilities (comma list, or ALL)\n"
	      "     --cap-add <caps>      keep these capabilities as ambient ones\n"
	      "     --no-new-privs        set no_new_privs: exec cannot gain privileges\n"
	      "     --new-session         run <program> in a new session (setsid)\n"
	      "%s"
	      CTU_USAGE_HELP_OPTIONS
	      CTU_USAGE_MAN_TAIL("pivot(8)"),
	      ctu_procopt_usage);
	exit(CTU_EXIT_OK);
}

enum {
	OPT_PROC = CHAR_MAX + 1,
	OPT_SYS,
	OPT_DEV,
	OPT_TMPFS,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_MKDIR,
	OPT_SYMLINK,
	OPT_OLD_ROOT,
	OPT_READONLY,
	OPT_PROPAGATION,
	OPT_CHROOT,
	OPT_FORCE,
	OPT_MOUNT,
	OPT_DEVICE,
	OPT_MASK,
	OPT_READONLY_PATH,
	OPT_READONLY_MOUNT,
	OPT_NO_PIVOT,
	OPT_IN_PLACE,
};

/* Options are parsed before anything is made: running out of memory ends here. */
static char *strdup_or_die(const char *s)
{
	char *copy = strdup(s);

	if (!copy) {
		ctu_err_t err = NULL;

		ctu_err_make(&err, ENOMEM, "cannot parse the options");
		ctu_err_exit(&err);
	}
	return copy;
}

static struct op *add_op(struct opts *o, enum op_kind kind)
{
	if (o->n_ops == CTU_ARRAY_SIZE(o->ops))
		ctu_usage_exit("too many mount options (at most %zu)", CTU_ARRAY_SIZE(o->ops));
	o->ops[o->n_ops].kind = kind;
	return &o->ops[o->n_ops++];
}

/* "A:B" (and with @may_ro, "A:B:ro"): both parts non-empty. */
static void split_pair(const char *opt, const char *arg, struct op *op, bool may_ro)
{
	char *copy = strdup_or_die(arg), *colon, *third;

	colon = strchr(copy, ':');
	if (!colon || colon == copy || !colon[1])
		ctu_usage_exit("invalid %s '%s': expected <a>:<b>", opt, arg);
	*colon = '\0';
	op->a = copy;
	op->b = colon + 1;
	third = strchr(op->b, ':');
	if (third && may_ro) {
		*third = '\0';
		if (strcmp(third + 1, "ro") != 0 && strcmp(third + 1, "rw") != 0)
			ctu_usage_exit("invalid %s '%s': the third field is ro or rw", opt, arg);
		op->readonly = third[1] == 'r' && third[2] == 'o';
	}
	if (!*op->b)
		ctu_usage_exit("invalid %s '%s': expected <a>:<b>", opt, arg);
}

static void check_inside(const char *opt, const char *path)
{
	if (!*path)
		ctu_usage_exit("empty path for %s", opt);
	if (path_escapes(path))
		ctu_usage_exit("invalid %s '%s': it climbs out of the new root with '..'", opt,
				path);
}

/* Room for one more --device, --mask, --readonly-path or --readonly-mount, or a usage error. */
static void check_room(size_t n, const char *opt)
{
	if (n == PIVOT_MAX_PATHS)
		ctu_usage_exit("too many %s options (at most %d)", opt, PIVOT_MAX_PATHS);
}

/*
 * --propagation MODE: every mount first (MS_REC: private, slave or shared;
 * unbindable starts private, or NEWROOT could not be bound), and after the
 * pivot the new root itself, or its whole tree for rMODE (runc's
 * rootfsPropagation).
 */
static void parse_propagation(struct opts *o, const char *arg)
{
	static const struct {
		const char *name;
		unsigned long first, root;
	} modes[] = {
		{ "private", MS_PRIVATE, MS_PRIVATE },	     { "slave", MS_SLAVE, MS_SLAVE },
		{ "shared", MS_SHARED, MS_SHARED },	     { "unbindable", MS_PRIVATE, MS_UNBINDABLE },
	};
	bool rec = arg[0] == 'r'; /* no mode's own name starts with r */

	for (size_t i = 0; i < CTU_ARRAY_SIZE(modes); i++)
		if (strcmp(arg + rec, modes[i].name) == 0) {
			o->propagation = modes[i].first;
			o->root_propagation = modes[i].root | (rec ? MS_REC : 0);
			return;
		}
	ctu_usage_exit("unsupported propagation mode: '%s'", arg);
}

static const struct option longopts[] = {
	{ "proc", no_argument, NULL, OPT_PROC },
	{ "sys", no_argument, NULL, OPT_SYS },
	{ "dev", no_argument, NULL, OPT_DEV },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "mkdir", required_argument, NULL, OPT_MKDIR },
	{ "symlink", required_argument, NULL, OPT_SYMLINK },
	{ "old-root", required_argument, NULL, OPT_OLD_ROOT },
	{ "readonly", no_argument, NULL, OPT_READONLY },
	{ "wd", required_argument, NULL, 'w' },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "chroot", no_argument, NULL, OPT_CHROOT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "mount", required_argument, NULL, OPT_MOUNT },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "mask", required_argument, NULL, OPT_MASK },
	{ "readonly-path", required_argument, NULL, OPT_READONLY_PATH },
	{ "readonly-mount", required_argument, NULL, OPT_READONLY_MOUNT },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "in-place", no_argument, NULL, OPT_IN_PLACE },
	CTU_CREDS_LONGOPTS,
	{ "cap-add", required_argument, NULL, CTU_OPT_CAP_ADD },
	CTU_PROCOPT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void handle_option(int c, void *ctx)
{
	struct opts *o = ctx;
	ctu_err_t err = NULL;
	struct op *op;
	int r = ctu_procopt_parse_option(&o->proc, c, optarg, &err);

	if (r < 0)
		ctu_err_exit(&err);
	if (r > 0)
		return;
	switch (c) {
	case OPT_PROC:
		add_op(o, OP_PROC);
		break;
	case OPT_SYS:
		add_op(o, OP_SYS);
		break;
	case OPT_DEV:
		add_op(o, OP_DEV);
		break;
	case OPT_TMPFS: {
		char *copy = strdup_or_die(optarg), *colon;

		colon = strchr(copy, ':');
		if (colon)
			*colon++ = '\0';
		check_inside("--tmpfs", copy);
		op = add_op(o, OP_TMPFS);
		op->a = copy;
		op->b = colon;
		break;
	}
	case OPT_BIND:
	case OPT_RO_BIND:
		op = add_op(o, OP_BIND);
		split_pair(c == OPT_BIND ? "--bind" : "--ro-bind", optarg, op, c == OPT_BIND);
		op->readonly |= c == OPT_RO_BIND;
		check_inside(c == OPT_BIND ? "--bind" : "--ro-bind", op->b);
		break;
	case OPT_MKDIR:
		check_inside("--mkdir", optarg);
		add_op(o, OP_MKDIR)->a = optarg;
		break;
	case OPT_SYMLINK:
		op = add_op(o, OP_SYMLINK);
		split_pair("--symlink", optarg, op, false);
		check_inside("--symlink", op->b);
		break;
	case OPT_OLD_ROOT:
		check_inside("--old-root", optarg);
		o->old_root = optarg;
		break;
	case OPT_READONLY:
		o->readonly = true;
		break;
	case 'w':
		o->wd = optarg;
		break;
	case OPT_PROPAGATION:
		parse_propagation(o, optarg);
		break;
	case OPT_MOUNT:
		parse_mount_option(optarg, add_op(o, OP_MOUNT));
		break;
	case OPT_DEVICE:
		check_room(o->n_devices, "--device");
		parse_device_option(optarg, &o->devices[o->n_devices++]);
		break;
	case OPT_MASK:
		check_inside("--mask", optarg);
		check_room(o->n_masks, "--mask");
		o->masks[o->n_masks++] = optarg;
		break;
	case OPT_READONLY_PATH:
		check_inside("--readonly-path", optarg);
		check_room(o->n_readonly_paths, "--readonly-path");
		o->readonly_paths[o->n_readonly_paths++] = optarg;
		break;
	case OPT_READONLY_MOUNT:
		check_inside("--readonly-mount", optarg);
		check_room(o->n_readonly_mounts, "--readonly-mount");
		o->readonly_mounts[o->n_readonly_mounts++] = optarg;
		break;
	case OPT_NO_PIVOT:
		o->no_pivot = true;
		break;
	case OPT_CHROOT:
		o->chroot_only = true;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_IN_PLACE:
		/* pivot_root would change the root of every process in the namespace */
		o->in_place = o->chroot_only = o->force = true;
		break;
	default:
		ctu_common_option_exit(c, usage);
	}
}

static void parse_options(struct opts *o, int argc, char **argv)
{
	o->newroot = ctu_getopt_around_arg(argc, argv, "+hVw:S:G:", longopts, handle_option, o, &o->argv);
	if (!o->newroot)
		ctu_usage_exit("no new root given");
	if (o->old_root && o->chroot_only)
		ctu_usage_exit("--old-root cannot go with --%s", o->in_place ? "in-place" : "chroot");
	if (o->no_pivot && (o->chroot_only || o->old_root))
		ctu_usage_exit("--no-pivot cannot go with --%s",
			       o->in_place	    ? "in-place" :
			       o->chroot_only ? "chroot" :
						"old-root");
}

int main(int argc, char **argv)
{
	static char *default_program[] = { "/bin/sh", NULL };
	struct opts o = { .propagation = MS_PRIVATE, .proc = CTU_PROCOPT_INIT };
	struct newroot nr = { .rootfd = -1, .undo = CTU_UNDO_INIT };
	ctu_err_t err = NULL;

	char **program;

	ctu_init(CTU_TOOL_CHAINING);
	parse_options(&o, argc, argv);
	program = *o.argv ? o.argv : default_program;
	if (ctu_procopt_prepare(&o.proc, &err) < 0 || check_console(&err) < 0 ||
	    refuse_host_namespace(&o, &err) < 0)
		ctu_err_exit(&err);
	if (set_up_root(&o, &nr, &err) < 0 || check_ptmx(&o, program, &err) < 0) {
		ctu_undo_rollback(&nr.undo);
		ctu_err_exit(&err);
	}
	/* what we made stays: the fds close at the exec */
	ctu_undo_forget(&nr.undo);
	/* a --pty terminal from the new root's devpts, after all the setup */
	if (claim_console(&o, program, &err) < 0)
		ctu_err_exit(&err);
	/* the process options, in runc's order; --console-fd's pty onto /dev/console */
	ctu_procopt_exec(&o.proc, program, bind_console_slave);
}
