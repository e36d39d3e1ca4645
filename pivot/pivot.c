// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pivot - make a directory the root of the current mount namespace, set up
 * /proc, /dev, /sys, tmpfs and binds inside it, then exec a program.
 *
 * Every mount target is resolved inside the new root with openat2
 * RESOLVE_IN_ROOT and mounted by fd, so no symlink or ".." in a rootfs can
 * make us mount over something of the host's.  The standard mount points
 * (/proc, /sys, /dev and what --dev puts in it) must not be symlinks at all
 * (runc CVE-2019-19921).  A failure before the pivot undoes every mount and
 * every directory pivot made.
 */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "ctu.h"
#include "mnt.h"
#include "parse.h"
#include "proc.h"

enum op_kind { OP_PROC, OP_SYS, OP_DEV, OP_TMPFS, OP_BIND, OP_MKDIR, OP_SYMLINK };

/* One setup step, in command-line order. */
struct op {
	enum op_kind kind;
	char *a;	/* DIR, SRC, TARGET */
	char *b;	/* DST, LINK, tmpfs options */
	bool readonly;
};

struct opts {
	bool force;
	unsigned long propagation;
	struct op ops[256];
	size_t n_ops;
	const char *old_root;
	bool readonly;
	const char *wd;
	bool chroot_only;
	const char *newroot;
	char **argv;
};

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
	      " pivot [options] <newroot> [--] [<program> [<argument>...]]\n"
	      "\nMake <newroot> the root directory of this mount namespace, set up\n"
	      "/proc, /dev and mounts inside it, and run <program> (default /bin/sh).\n"
	      "\nOptions:\n"
	      "     --proc                mount a new proc at /proc\n"
	      "     --sys                 mount sysfs read-only at /sys\n"
	      "     --dev                 a tmpfs /dev with null, zero, full, random, urandom,\n"
	      "                             tty, a new devpts, shm and the fd symlinks\n"
	      "     --tmpfs <dir>[:<opts>]  mount a tmpfs at <dir> (opts: size=64m,mode=1777)\n"
	      "     --bind <src>:<dst>[:ro]  bind-mount host path <src> at <dst>\n"
	      "     --ro-bind <src>:<dst>  bind-mount host path <src> read-only at <dst>\n"
	      "     --mkdir <dir>         create <dir> in the new root\n"
	      "     --symlink <target>:<link>  create the symlink <link> -> <target>\n"
	      "     --old-root <dir>      keep the old root at <dir> (the host stays visible)\n"
	      "     --readonly            make the new root read-only\n"
	      " -w, --wd <dir>            change to <dir> in the new root\n"
	      "     --propagation private|slave  make the mounts private (default) or slaves\n"
	      "     --chroot              use chroot(2) instead of pivot_root(2) (teaching mode)\n"
	      "     --force               run even in the host's mount namespace\n"
	      "\n -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nFor more details see pivot(8).\n",
	      stdout);
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
};

static struct op *add_op(struct opts *o, enum op_kind kind)
{
	if (o->n_ops == CTU_ARRAY_SIZE(o->ops))
		ctu_usage_error("too many mount options (at most %zu)", CTU_ARRAY_SIZE(o->ops));
	o->ops[o->n_ops].kind = kind;
	return &o->ops[o->n_ops++];
}

/* "A:B" (and with @may_ro, "A:B:ro"): both parts non-empty. */
static void split_pair(const char *opt, const char *arg, struct op *op, bool may_ro)
{
	char *copy = strdup(arg), *colon, *third;

	if (!copy)
		ctu_die("out of memory");
	colon = strchr(copy, ':');
	if (!colon || colon == copy || !colon[1])
		ctu_usage_error("invalid %s '%s': expected <a>:<b>", opt, arg);
	*colon = '\0';
	op->a = copy;
	op->b = colon + 1;
	third = strchr(op->b, ':');
	if (third && may_ro) {
		*third = '\0';
		if (strcmp(third + 1, "ro") != 0 && strcmp(third + 1, "rw") != 0)
			ctu_usage_error("invalid %s '%s': the third field is ro or rw", opt, arg);
		op->readonly = third[1] == 'r' && third[2] == 'o';
	}
	if (!*op->b)
		ctu_usage_error("invalid %s '%s': expected <a>:<b>", opt, arg);
}

static void check_inside(const char *opt, const char *path)
{
	if (!*path)
		ctu_usage_error("empty path for %s", opt);
	if (ctu_mnt_path_escapes(path))
		ctu_usage_error("invalid %s '%s': it climbs out of the new root with '..'", opt,
				path);
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
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void handle_option(int c, void *ctx)
{
	struct opts *o = ctx;
	struct op *op;

	{
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
			char *copy = strdup(optarg), *colon;

			if (!copy)
				ctu_die("out of memory");
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
			if (strcmp(optarg, "private") == 0)
				o->propagation = MS_PRIVATE;
			else if (strcmp(optarg, "slave") == 0)
				o->propagation = MS_SLAVE;
			else
				ctu_usage_error("unsupported propagation mode: '%s'", optarg);
			break;
		case OPT_CHROOT:
			o->chroot_only = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'h':
			usage();
		case 'V':
			ctu_version_and_exit();
		default:
			ctu_try_help();
		}
	}
}

static void parse_options(struct opts *o, int argc, char **argv)
{

	o->newroot = ctu_getopt_around_arg(argc, argv, "+hVw:", longopts, handle_option, o, &o->argv);
	if (!o->newroot)
		ctu_usage_error("no new root given");
	if (o->old_root && o->chroot_only)
		ctu_usage_error("--old-root cannot go with --chroot");
}

static bool same_file(const char *a, const char *b, int *err_b)
{
	struct stat sa, sb;

	*err_b = 0;
	if (stat(a, &sa) < 0)
		return false;
	if (stat(b, &sb) < 0) {
		*err_b = errno;
		return false;
	}
	return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static pid_t parent_of(pid_t pid)
{
	char path[64];
	_cleanup_fclose_ FILE *f = NULL;
	char line[256];
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	return (pid_t)ppid;
}

/* Our pid as /proc numbers it: it may be another pid namespace's proc. */
static pid_t proc_self_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	int pid = 0;

	if (n > 0) {
		buf[n] = '\0';
		ctu_parse_int(buf, &pid);
	}
	return (pid_t)pid;
}

static bool is_our_ancestor(pid_t pid)
{
	for (pid_t p = proc_self_pid(); p > 0; p = parent_of(p))
		if (p == pid)
			return true;
	return false;
}

/* Where /proc/1 cannot be read: does anyone but our ancestors share our mount ns? */
static bool others_share_our_mount_ns(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct stat ours, theirs;
	struct dirent *e;

	if (stat("/proc/self/ns/mnt", &ours) < 0)
		return false;
	while (d && (e = readdir(d))) {
		int pid;
		char path[300];

		if (ctu_parse_int(e->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
		if (stat(path, &theirs) == 0 && theirs.st_ino == ours.st_ino &&
		    theirs.st_dev == ours.st_dev && !is_our_ancestor(pid))
			return true;
	}
	return false;
}

/* Pivoting in the host's mount namespace changes the root of every process in it. */
static void refuse_host_namespace(const struct opts *o)
{
	int err_init = 0;
	bool shared;

	if (o->force)
		return;
	shared = same_file("/proc/self/ns/mnt", "/proc/1/ns/mnt", &err_init);
	if (err_init == EACCES || err_init == EPERM)
		shared = others_share_our_mount_ns();
	if (shared)
		ctu_die("refusing to run in the mount namespace of other processes: it would change "
			"their root too; run it under 'unshare-lite -m' (or use --force)");
}

/* What is made before the pivot, undone if a later step fails. */
struct state {
	int origfd;  /* the new root's directory, under our bind */
	int rootfd;  /* the new root, through our bind */
	bool bound;  /* NEWROOT is bound onto itself */
	struct ctu_created created;
	const char *newroot;
};

static struct state st = { .origfd = -1, .rootfd = -1 };

/* Detaches whatever we mounted on the paths we made, so that they can go. */
static void detach_created(void)
{
	if (st.rootfd < 0 || fchdir(st.rootfd) < 0)
		return;
	for (size_t i = st.created.n; i-- > 0;) {
		const char *rel = st.created.paths[i];

		while (*rel == '/')
			rel++;
		umount2(rel, MNT_DETACH | UMOUNT_NOFOLLOW);
	}
}

/* Everything made, undone: the mounts, then the directories. */
static void undo_all(void)
{
	detach_created();
	ctu_closep(&st.rootfd);
	if (st.bound)
		umount2(st.newroot, MNT_DETACH);
	if (st.origfd >= 0)
		ctu_created_undo(st.origfd, &st.created);
}

/* A failure: says why, undoes what was made, exits (after the pivot too: see switch_root). */
#define fail_and_undo(...) ctu_die_undo(undo_all, __VA_ARGS__)

/* A standard mount point: created if missing, refused if it is a symlink. */
static int standard_mount_point(const char *path, bool as_file)
{
	int fd = ctu_mnt_open_in_root(st.rootfd, path, 0, true);

	if (fd == -ELOOP)
		fail_and_undo("%s%s is a symlink: refusing to mount over it", st.newroot, path);
	if (fd == -ENOENT)
		fd = ctu_mnt_mkpath_in_root(st.rootfd, path, 0755, as_file, &st.created);
	if (fd == -ELOOP)
		fail_and_undo("%s%s is a symlink: refusing to mount over it", st.newroot, path);
	if (fd < 0)
		fail_and_undo("cannot create %s in %s: %s", path, st.newroot, strerror(-fd));
	return fd;
}

/* A user's mount point: symlinks followed, but only inside the new root. */
static int user_mount_point(const char *path, bool as_file)
{
	int fd = ctu_mnt_mkpath_in_root(st.rootfd, path, 0755, as_file, &st.created);

	if (fd < 0)
		fail_and_undo("cannot create %s in %s: %s", path, st.newroot, strerror(-fd));
	return fd;
}

static void mount_new_fs(const char *path, const char *fstype, const char *options,
			 unsigned int attrs)
{
	_cleanup_close_ int fd = standard_mount_point(path, false);
	int r = ctu_mnt_new_fs_at(fd, fstype, fstype, options, attrs);

	if (r < 0)
		fail_and_undo("cannot mount %s on %s%s: %s", fstype, st.newroot, path, strerror(-r));
}

static void setup_sys(void)
{
	_cleanup_close_ int fd = standard_mount_point("/sys", false);
	unsigned int attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			     MOUNT_ATTR_NOEXEC;
	int r = ctu_mnt_new_fs_at(fd, "sysfs", "sysfs", NULL, attrs);

	/* a fresh sysfs needs a net namespace of our own user namespace's */
	if (r == -EPERM)
		r = ctu_mnt_bind_at("/sys", fd, true, true);
	if (r < 0)
		fail_and_undo("cannot mount sysfs on %s/sys: %s", st.newroot, strerror(-r));
}

static void setup_dev(void)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" },	      { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};
	char path[64];
	int r;

	mount_new_fs("/dev", "tmpfs", "mode=755,size=65536k", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(nodes); i++) {
		_cleanup_close_ int fd = -1;
		char host[64];

		snprintf(path, sizeof(path), "/dev/%s", nodes[i]);
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		fd = standard_mount_point(path, true);
		r = ctu_mnt_bind_at(host, fd, false, false);
		if (r < 0)
			fail_and_undo("cannot bind %s into %s: %s", host, st.newroot, strerror(-r));
	}
	mount_new_fs("/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620",
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	mount_new_fs("/dev/shm", "tmpfs", "mode=1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	{
		_cleanup_close_ int devfd = ctu_mnt_open_in_root(st.rootfd, "/dev", O_DIRECTORY, true);

		if (devfd < 0)
			fail_and_undo("cannot open %s/dev: %s", st.newroot, strerror(-devfd));
		/* O_PATH fds cannot be written through: reopen it for symlinkat */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", devfd);
		_cleanup_close_ int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		for (size_t i = 0; dirfd >= 0 && i < CTU_ARRAY_SIZE(links); i++)
			if (symlinkat(links[i][0], dirfd, links[i][1]) < 0)
				fail_and_undo("cannot create %s/dev/%s: %s", st.newroot, links[i][1],
					      strerror(errno));
		if (dirfd < 0)
			fail_and_undo("cannot open %s/dev: %s", st.newroot, strerror(errno));
	}
}

static void setup_tmpfs(const struct op *op)
{
	_cleanup_close_ int fd = user_mount_point(op->a, false);
	int r = ctu_mnt_new_fs_at(fd, "tmpfs", "tmpfs", op->b, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);

	if (r < 0)
		fail_and_undo("cannot mount tmpfs on %s%s%s%s: %s", st.newroot, op->a,
			      op->b ? " with " : "", op->b ? op->b : "", strerror(-r));
}

static void setup_bind(const struct op *op)
{
	struct stat s;
	_cleanup_close_ int fd = -1;
	int r;

	if (stat(op->a, &s) < 0)
		fail_and_undo("cannot bind %s: %s", op->a, strerror(errno));
	fd = user_mount_point(op->b, !S_ISDIR(s.st_mode));
	r = ctu_mnt_bind_at(op->a, fd, true, op->readonly);
	if (r < 0)
		fail_and_undo("cannot bind %s on %s%s: %s", op->a, st.newroot, op->b, strerror(-r));
}

static void setup_symlink(const struct op *op)
{
	_cleanup_free_ char *parent = ctu_mnt_parent_dir(op->b);
	const char *name = strrchr(op->b, '/') ? strrchr(op->b, '/') + 1 : op->b;
	_cleanup_close_ int pfd = -1, dirfd = -1;
	char path[64];

	if (!parent)
		fail_and_undo("out of memory");
	pfd = user_mount_point(parent, false);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || symlinkat(op->a, dirfd, name) < 0)
		fail_and_undo("cannot create the symlink %s%s: %s", st.newroot, op->b, strerror(errno));
	ctu_created_record(&st.created, op->b, strlen(op->b));
}

static void run_op(const struct op *op)
{
	switch (op->kind) {
	case OP_PROC:
		mount_new_fs("/proc", "proc", NULL,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		break;
	case OP_SYS:
		setup_sys();
		break;
	case OP_DEV:
		setup_dev();
		break;
	case OP_TMPFS:
		setup_tmpfs(op);
		break;
	case OP_BIND:
		setup_bind(op);
		break;
	case OP_MKDIR:
		close(user_mount_point(op->a, false));
		break;
	case OP_SYMLINK:
		setup_symlink(op);
		break;
	}
}

/* Steps 2 and 3: private mounts, then NEWROOT a mount point of its own. */
static void prepare_root(const struct opts *o)
{
	struct stat s;

	st.newroot = o->newroot;
	if (stat(o->newroot, &s) < 0)
		ctu_die("cannot use '%s' as the new root: %s", o->newroot, strerror(errno));
	if (!S_ISDIR(s.st_mode))
		ctu_die("cannot use '%s' as the new root: not a directory", o->newroot);
	st.origfd = open(o->newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (st.origfd < 0)
		ctu_die("cannot open %s: %s", o->newroot, strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | o->propagation, NULL) < 0)
		fail_and_undo("cannot make the mounts %s: %s",
			      o->propagation == MS_SLAVE ? "slaves" : "private", strerror(errno));
	if (mount(o->newroot, o->newroot, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail_and_undo("cannot bind %s onto itself: %s", o->newroot, strerror(errno));
	st.bound = true;
	st.rootfd = open(o->newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (st.rootfd < 0)
		fail_and_undo("cannot open %s: %s", o->newroot, strerror(errno));
}

/* Step 5: pivot_root(".", ".") and detach the old root, or keep it at --old-root. */
static void switch_root(const struct opts *o)
{
	int oldfd = -1;
	char put_old[64] = ".";

	if (o->old_root) {
		oldfd = user_mount_point(o->old_root, false);
		snprintf(put_old, sizeof(put_old), "/proc/self/fd/%d", oldfd);
	}
	if (fchdir(st.rootfd) < 0)
		fail_and_undo("cannot change to %s: %s", o->newroot, strerror(errno));
	if (o->chroot_only) {
		if (chroot(".") < 0)
			fail_and_undo("cannot chroot to %s: %s", o->newroot, strerror(errno));
		warnx("warning: --chroot: a chroot can be escaped by a process that may chroot "
		      "again; containers use pivot_root");
	} else if ((int)syscall(SYS_pivot_root, ".", put_old) < 0) {
		fail_and_undo("cannot pivot_root to %s: %s", o->newroot, strerror(errno));
	}
	/*
	 * From here NEWROOT's path means nothing: a failure removes only what we
	 * made inside the new root, through origfd (kept open until the exec).
	 */
	st.bound = false;
	if (!o->chroot_only && !o->old_root && umount2(".", MNT_DETACH) < 0) {
		fail_and_undo("cannot detach the old root: %s", strerror(errno));
	} else if (o->old_root && !o->chroot_only) {
		warnx("warning: the old root stays at %s: the container can see the host",
		      o->old_root);
	}
	if (oldfd >= 0)
		close(oldfd);
	if (chdir("/") < 0)
		fail_and_undo("cannot change directory to /: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	static char *default_program[] = { "/bin/sh", NULL };
	struct opts o = { .propagation = MS_PRIVATE };
	int r;

	ctu_init(CTU_TOOL_CHAINING);
	parse_options(&o, argc, argv);
	refuse_host_namespace(&o);
	prepare_root(&o);
	for (size_t i = 0; i < o.n_ops; i++)
		run_op(&o.ops[i]);
	switch_root(&o);
	if (o.readonly) {
		r = ctu_mnt_make_readonly("/", false);
		if (r < 0)
			fail_and_undo("cannot make the new root read-only: %s", strerror(-r));
	}
	if (o.wd && chdir(o.wd) < 0)
		fail_and_undo("cannot change directory to %s: %s", o.wd, strerror(errno));
	/* what we made stays: the fds close at the exec */
	ctu_created_free(&st.created);
	ctu_exec_program(*o.argv ? o.argv : default_program, 0);
}
