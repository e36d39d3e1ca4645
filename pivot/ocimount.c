// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocimount.c - --mount TYPE:SRC:DST[:OPTS]: any filesystem, or a bind, with
 * an option list as a container runtime gets it ("ro,nosuid,rbind,rslave,
 * rro,size=64m").
 *
 * The options are sorted once, at parsing: the kernel's MS_* flags as
 * libmount's MNT_LINUX_MAP names them (attributes of the mount, bind,
 * propagation), the r* attributes of a whole tree (rro, rnosuid, ...), and
 * the rest, which is the filesystem's own and goes to fsconfig.  The mount is
 * then made with the new mount API: a detached mount (fsmount, or open_tree
 * for a bind) gets its attributes with mount_setattr before move_mount
 * attaches it by fd, so a read-only bind is never writable for a moment, and
 * only the asked attributes change: a bind in a user namespace keeps the
 * source's locked flags (nosuid, nodev, noexec, atime) instead of failing.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "ctu.h"
#include "mnt.h"
#include "mnttab.h"
#include "pivot.h"
#include "strv.h"

struct mount_spec {
	const char *arg; /* as given, for messages */
	char *type;	 /* "bind" or a filesystem type */
	bool bind, recursive;
	struct mount_attr attr;	   /* of the mount itself */
	struct mount_attr rattr;   /* r* options: of it and every mount below */
	unsigned long propagation; /* MS_SHARED ... | MS_REC; 0: as it comes */
	struct ctu_strv data;	   /* the filesystem's own options, for fsconfig */
};

#define ATIME_RELATIME MOUNT_ATTR_RELATIME

/* The r* options (runc's names), as MOUNT_ATTR_* to set and to clear on a whole tree. */
static const struct rec_attr {
	const char *name;
	unsigned int set, clr;
} rec_attrs[] = {
	{ "rro", MOUNT_ATTR_RDONLY, 0 },
	{ "rrw", 0, MOUNT_ATTR_RDONLY },
	{ "rnosuid", MOUNT_ATTR_NOSUID, 0 },
	{ "rsuid", 0, MOUNT_ATTR_NOSUID },
	{ "rnodev", MOUNT_ATTR_NODEV, 0 },
	{ "rdev", 0, MOUNT_ATTR_NODEV },
	{ "rnoexec", MOUNT_ATTR_NOEXEC, 0 },
	{ "rexec", 0, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 },
	{ "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
	/* the atime mode is one value: its whole field cleared, one mode set */
	{ "rrelatime", ATIME_RELATIME, MOUNT_ATTR__ATIME },
	{ "rnorelatime", ATIME_RELATIME, MOUNT_ATTR__ATIME },
	{ "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
	{ "ratime", ATIME_RELATIME, MOUNT_ATTR__ATIME },
	{ "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
	{ "rnostrictatime", ATIME_RELATIME, MOUNT_ATTR__ATIME },
};

/* MS_* flags that are plain attributes of a mount. */
static const struct {
	unsigned long ms;
	unsigned int attr;
} ms_attrs[] = {
	{ MS_RDONLY, MOUNT_ATTR_RDONLY },	  { MS_NOSUID, MOUNT_ATTR_NOSUID },
	{ MS_NODEV, MOUNT_ATTR_NODEV },		  { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
	{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
};

#define MS_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#ifndef MS_PROPAGATION
#define MS_PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
#endif
/* superblock flags: the filesystem's, passed on to fsconfig by their name */
#define MS_SUPERBLOCK (MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_I_VERSION)

/* Sets @set and clears @clr in @a, the later option winning over the earlier. */
static void attr_apply(struct mount_attr *a, unsigned int set, unsigned int clr)
{
	a->attr_set = (unsigned int)((a->attr_set & ~clr) | set);
	a->attr_clr = (unsigned int)((a->attr_clr & ~set) | clr);
}

static noreturn void bad_mount(const struct mount_spec *m, const char *why, const char *what)
{
	ctu_usage_exit("invalid --mount '%s': %s%s%s%s", m->arg, why, what ? " '" : "",
		       what ? what : "", what ? "'" : "");
}

/* One of the kernel's MS_* options: into the mount's attributes, bind or propagation. */
static void add_vfs_option(struct mount_spec *m, const char *opt, unsigned long set,
			   unsigned long clr)
{
	if ((set | clr) & ~(MS_BIND | MS_REC | MS_PROPAGATION | MS_ATIME_FLAGS | MS_SUPERBLOCK |
			    MS_SILENT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
			    MS_NODIRATIME | MS_NOSYMFOLLOW))
		bad_mount(m, "unsupported option", opt);
	if (set & MS_PROPAGATION) {
		m->propagation = set;
		return;
	}
	if (set & MS_BIND) {
		m->bind = true;
		m->recursive = set & MS_REC;
		return;
	}
	if ((set | clr) & MS_SUPERBLOCK) {
		if (ctu_strv_push(&m->data, opt, strlen(opt)) < 0)
			ctu_usage_exit("out of memory");
		return;
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(ms_attrs); i++)
		attr_apply(&m->attr, set & ms_attrs[i].ms ? ms_attrs[i].attr : 0,
			   clr & ms_attrs[i].ms ? ms_attrs[i].attr : 0);
	if (set & MS_NOATIME)
		attr_apply(&m->attr, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME);
	else if (set & MS_STRICTATIME)
		attr_apply(&m->attr, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME);
	else if ((set | clr) & MS_ATIME_FLAGS) /* relatime, atime, norelatime ... */
		attr_apply(&m->attr, ATIME_RELATIME, MOUNT_ATTR__ATIME);
}

static void add_option(struct mount_spec *m, const char *opt)
{
	unsigned long set = 0, clr = 0;
	int r;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(rec_attrs); i++)
		if (strcmp(opt, rec_attrs[i].name) == 0) {
			attr_apply(&m->rattr, rec_attrs[i].set, rec_attrs[i].clr);
			return;
		}
	r = ctu_mnt_vfs_option(opt, &set, &clr);
	if (r < 0)
		ctu_usage_exit("cannot read the --mount options: libmount is missing");
	if (r > 0)
		add_vfs_option(m, opt, set, clr);
	else if (ctu_strv_push(&m->data, opt, strlen(opt)) < 0)
		ctu_usage_exit("out of memory");
}

/*
 * The next ':'-separated field at *@s, cut out; with @unescape "\:" is ':'
 * and "\\" is '\'.  *@s moves past its ':', or to NULL after the last field.
 */
static char *next_field(const struct mount_spec *m, char **s, bool unescape)
{
	char *start = *s, *w = *s, *r = *s;

	for (; *r && *r != ':'; r++) {
		if (unescape && *r == '\\') {
			if (r[1] != ':' && r[1] != '\\')
				bad_mount(m, "a backslash escapes only ':' and '\\'", NULL);
			r++;
		}
		*w++ = *r;
	}
	*s = *r ? r + 1 : NULL;
	*w = '\0';
	return start;
}

static void check_type(const struct mount_spec *m)
{
	if (!*m->type)
		bad_mount(m, "expected TYPE:SRC:DST[:OPTS]", NULL);
	for (const char *c = m->type; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '.' && *c != '_' && *c != '-')
			bad_mount(m, "not a filesystem type:", m->type);
}

static void check_spec(struct mount_spec *m, const struct op *op)
{
	if (!*op->b)
		bad_mount(m, "empty destination", NULL);
	if (path_escapes(op->b))
		bad_mount(m, "the destination climbs out of the new root with '..':", op->b);
	if (m->bind && !*op->a)
		bad_mount(m, "a bind needs a source", NULL);
	if (m->bind && m->data.n)
		bad_mount(m, "no filesystem options on a bind:", m->data.v[0]);
}

void parse_mount_option(const char *arg, struct op *op)
{
	struct mount_spec *m = calloc(1, sizeof(*m));
	_cleanup_strv_ struct ctu_strv opts = CTU_STRV_INIT;
	char *copy = strdup(arg), *rest = copy;

	if (!m || !copy)
		ctu_usage_exit("out of memory");
	m->arg = arg;
	m->type = next_field(m, &rest, false);
	check_type(m);
	op->a = rest ? next_field(m, &rest, true) : NULL;
	op->b = rest ? next_field(m, &rest, true) : NULL;
	if (!op->a || !op->b)
		bad_mount(m, "expected TYPE:SRC:DST[:OPTS]", NULL);
	m->bind = strcmp(m->type, "bind") == 0;
	if (rest && ctu_strv_split_escaped(&opts, rest, ',') < 0)
		ctu_usage_exit("out of memory");
	for (size_t i = 0; i < opts.n; i++)
		add_option(m, opts.v[i]);
	check_spec(m, op);
	op->spec = m;
}

/* The attributes and propagation onto the detached mount @mntfd: its own, then its tree's. */
static int set_attrs(int mntfd, const struct mount_spec *m)
{
	struct mount_attr top = m->attr, tree = m->rattr;

	if (m->propagation & MS_REC)
		tree.propagation = m->propagation & ~MS_REC;
	else
		top.propagation = m->propagation;
	if ((top.attr_set | top.attr_clr | top.propagation) &&
	    mount_setattr(mntfd, "", AT_EMPTY_PATH, &top, sizeof(top)) < 0)
		return -errno;
	if ((tree.attr_set | tree.attr_clr | tree.propagation) &&
	    mount_setattr(mntfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &tree, sizeof(tree)) < 0)
		return -errno;
	return 0;
}

/* The error of a mount made: mount_setattr's absence named. */
static int mount_error(struct newroot *nr, const struct op *op, int r, ctu_err_t *err)
{
	const struct mount_spec *m = op->spec;

	ctu_err_make(err, -r, "cannot mount %s %s on %s%s", m->bind ? "the bind of" : m->type,
		     *op->a ? op->a : m->type, nr->path, op->b);
	if (r == -ENOSYS)
		ctu_err_hint(err, "mount attributes need Linux 5.12 (mount_setattr)");
	return ctu_err_code(*err);
}

/* Attaches the detached @mntfd at DST (made like @as_file) and records it. */
static int attach(struct newroot *nr, const struct op *op, int mntfd, bool as_file,
		  ctu_err_t *err)
{
	const char *type = op->spec->type;
	bool strict = !op->spec->bind && (strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0);
	_cleanup_close_ int target = mount_point(nr, op->b, as_file, strict, err);
	int r;

	if (target < 0)
		return target;
	r = set_attrs(mntfd, op->spec);
	if (r == 0 && move_mount(mntfd, "", target, "",
				 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = -errno;
	if (r < 0)
		return mount_error(nr, op, r, err);
	return record_mount(nr, op->b, err);
}

static int setup_bind_mount(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	_cleanup_close_ int src = open(op->a, O_PATH | O_CLOEXEC);
	_cleanup_close_ int tree = -1;
	struct stat s;

	/* opened once: what is cloned is what was looked at */
	if (src < 0 || fstat(src, &s) < 0)
		return ctu_err_errno(err, "cannot bind %s", op->a);
	tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
					  (op->spec->recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return mount_error(nr, op, -errno, err);
	return attach(nr, op, tree, !S_ISDIR(s.st_mode), err);
}

/* sysfs refused (a user namespace without its own network namespace): /sys bound read-only. */
static int setup_sys_bind(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	_cleanup_close_ int tree = open_tree(AT_FDCWD, "/sys",
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		return mount_error(nr, op, -errno, err);
	ctu_debug("sysfs refused: %s%s is a read-only bind of /sys", nr->path, op->b);
	return attach(nr, op, tree, false, err);
}

/* The kernel's own words on a refused filesystem context, if it left any. */
static void add_fs_log(int fsfd, ctu_err_t *err)
{
	char line[256];
	ssize_t n;

	while ((n = read(fsfd, line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (n > 2 && line[0] == 'e' && line[1] == ' ')
			ctu_err_hint(err, "%s", line + 2);
	}
}

/* fsopen + fsconfig: the filesystem context, created; -errno, *@failed the option refused. */
static int create_fs(int fsfd, const struct op *op, const char **failed)
{
	const char *source = *op->a ? op->a : op->spec->type;

	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return -errno;
	if (ctu_mnt_fsconfig_options(fsfd, (const char *const *)op->spec->data.v, failed) < 0)
		return -errno;
	return fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ? -errno : 0;
}

static int setup_fs_mount(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	const char *type = op->spec->type, *failed = NULL;
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	_cleanup_close_ int mntfd = -1;
	int r;

	if (fsfd < 0 && errno == ENODEV)
		return ctu_err_make(err, 0, "cannot mount %s on %s%s: unknown filesystem type '%s'",
				    type, nr->path, op->b, type);
	if (fsfd < 0 && errno == EPERM && strcmp(type, "sysfs") == 0)
		return setup_sys_bind(nr, op, err);
	if (fsfd < 0)
		return mount_error(nr, op, -errno, err);
	r = create_fs(fsfd, op, &failed);
	if (r == 0 && (mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0)) < 0)
		r = -errno;
	if (r == -EPERM && strcmp(type, "sysfs") == 0)
		return setup_sys_bind(nr, op, err);
	if (r < 0) {
		if (failed)
			ctu_err_make(err, -r, "cannot mount %s on %s%s: option '%s'", type, nr->path,
				     op->b, failed);
		else
			mount_error(nr, op, r, err);
		add_fs_log(fsfd, err);
		return ctu_err_code(*err);
	}
	return attach(nr, op, mntfd, false, err);
}

int setup_mount(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	if (op->spec->bind)
		return setup_bind_mount(nr, op, err);
	return setup_fs_mount(nr, op, err);
}
