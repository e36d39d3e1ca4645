// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovlmount - mount, inspect, diff and unmount overlayfs stacks.
 *
 * Layers go to the kernel one by one with fsconfig "lowerdir+" (Linux 6.8),
 * a path too long for fsconfig's 255-byte strings as an O_PATH fd, so the
 * only limit left is the kernel's own 500 layers.  Without "lowerdir+" the
 * stack becomes one lowerdir= string for mount(2), which must fit a page:
 * when it does not, a child process opens every layer and mounts with the
 * short names of /proc/self/fd.  Every layer is checked before the kernel
 * sees it, so a mistake is reported by name, not as a bare EINVAL.
 */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ctu.h"
#include "mnt.h"
#include "mnttab.h"
#include "ovlmount.h"
#include "parse.h"
#include "proc.h"

#define TMPFS_UPPER_BASE "/run/ctutils/ovlmount"

enum mode { MODE_MOUNT, MODE_SHOW, MODE_DIFF, MODE_UMOUNT };

struct opts {
	enum mode mode;
	struct stack stack;
	bool tmpfs_upper;
	const char *tmpfs_size;
	bool mkdir;
	bool readonly;
	struct strv options; /* -o, validated */
	struct ctu_out_flags out;
	const char *target; /* MERGED, or the --diff argument */
	char **argv;
};

/* What a mount attempt made, removed again by fail() if it fails. */
struct made {
	struct strv dirs; /* in the order created */
	char *tmpfs;	  /* the --tmpfs-upper mount point */
};

static struct made made;

void stack_free(struct stack *st)
{
	strv_free(&st->lower);
	strv_free(&st->data);
	strv_free(&st->other);
	free(st->upper);
	free(st->work);
}

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
	      " ovlmount [options] <merged> [--] [<program> [<argument>...]]\n"
	      " ovlmount --show [--json] <merged>\n"
	      " ovlmount --diff [--json] <merged>|<upper> [--lower <dir>...]\n"
	      " ovlmount --umount <merged>\n"
	      "\nMount, inspect, diff and unmount overlayfs stacks.\n"
	      "\nMounting:\n"
	      " -l, --lower <dir>[:<dir>...]  a lower layer (repeatable; the first is the top)\n"
	      "     --layers-from <file>  lower layers, one per line, top first\n"
	      "     --data-lower <dir>    a data-only lower layer (Linux 6.5)\n"
	      " -u, --upper <dir>         the writable layer\n"
	      " -w, --work <dir>          the work directory (default: <upper>.work)\n"
	      "     --tmpfs-upper[=<size>]  upper and work on a new tmpfs, gone at --umount\n"
	      "     --mkdir               create missing upper, work and merged directories\n"
	      " -o, --options <opts>      overlay options (index, metacopy, redirect_dir, xino,\n"
	      "                             nfs_export, volatile, userxattr, uuid, verity)\n"
	      " -r, --readonly            mount read-only\n"
	      "\nInspecting:\n"
	      "     --show                print the layers of the overlay mounted at <merged>\n"
	      "     --diff                print what the upper layer changed (A, C, D, R)\n"
	      " -J, --json                JSON output for --show and --diff\n"
	      " -n, --noheadings          no header line\n"
	      "     --raw                 raw output\n"
	      " -U, --umount              unmount <merged> (and remove its --tmpfs-upper)\n"
	      "\n -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nFor more details see ovlmount(8).\n",
	      stdout);
	exit(CTU_EXIT_OK);
}

enum {
	OPT_LAYERS_FROM = CHAR_MAX + 1,
	OPT_DATA_LOWER,
	OPT_TMPFS_UPPER,
	OPT_MKDIR,
	OPT_SHOW,
	OPT_DIFF,
	OPT_RAW,
};

static const struct option longopts[] = {
	{ "lower", required_argument, NULL, 'l' },
	{ "layers-from", required_argument, NULL, OPT_LAYERS_FROM },
	{ "data-lower", required_argument, NULL, OPT_DATA_LOWER },
	{ "upper", required_argument, NULL, 'u' },
	{ "work", required_argument, NULL, 'w' },
	{ "tmpfs-upper", optional_argument, NULL, OPT_TMPFS_UPPER },
	{ "mkdir", no_argument, NULL, OPT_MKDIR },
	{ "options", required_argument, NULL, 'o' },
	{ "readonly", no_argument, NULL, 'r' },
	{ "show", no_argument, NULL, OPT_SHOW },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "json", no_argument, NULL, 'J' },
	{ "noheadings", no_argument, NULL, 'n' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "umount", no_argument, NULL, 'U' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void add_layer(struct strv *layers, const char *dir, const char *opt)
{
	if (!*dir)
		ctu_usage_error("empty layer for %s", opt);
	if (strv_push(layers, dir, strlen(dir)) < 0)
		ctu_die("out of memory");
}

/* -l A:B:C (":" escaped as "\:"). */
static void add_lower_list(struct opts *o, const char *arg)
{
	struct strv parts = { 0 };

	if (!*arg || split_escaped(arg, ':', &parts) < 0 || parts.n == 0)
		ctu_usage_error("empty layer for --lower");
	for (size_t i = 0; i < parts.n; i++)
		add_layer(&o->stack.lower, parts.v[i], "--lower");
	strv_free(&parts);
}

static void add_layers_from(struct opts *o, const char *file)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		ctu_die("cannot read --layers-from %s: %s", file, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (*line && *line != '#')
			add_layer(&o->stack.lower, line, "--layers-from");
	}
	/* a directory opens, and fails at the first read: EISDIR */
	if (ferror(f))
		ctu_die("cannot read --layers-from %s: %s", file, strerror(errno));
}

static void add_overlay_options(struct opts *o, const char *arg)
{
	char why[256];
	int r = ovl_options_add(&o->options, arg, why, sizeof(why));

	if (r == -ENOMEM)
		ctu_die("out of memory");
	if (r < 0)
		ctu_usage_error("%s", why);
}

static void check_option_conflicts(const struct strv *options)
{
	char why[256];

	if (ovl_options_conflict(options, why, sizeof(why)) < 0)
		ctu_usage_error("%s", why);
}

static void set_mode(struct opts *o, enum mode m)
{
	if (o->mode != MODE_MOUNT)
		ctu_usage_error("--show, --diff and --umount are mutually exclusive");
	o->mode = m;
}

static void handle_option(int c, void *ctx)
{
	struct opts *o = ctx;

	switch (c) {
	case 'l':
		add_lower_list(o, optarg);
		break;
	case OPT_LAYERS_FROM:
		add_layers_from(o, optarg);
		break;
	case OPT_DATA_LOWER:
		add_layer(&o->stack.data, optarg, "--data-lower");
		break;
	case 'u':
		if (!*optarg)
			ctu_usage_error("empty directory for --upper");
		o->stack.upper = strdup(optarg);
		break;
	case 'w':
		if (!*optarg)
			ctu_usage_error("empty directory for --work");
		o->stack.work = strdup(optarg);
		break;
	case OPT_TMPFS_UPPER:
		o->tmpfs_upper = true;
		if (optarg) {
			uint64_t bytes;

			if (ctu_parse_size(optarg, &bytes) < 0 || bytes == 0 || bytes == CTU_SIZE_MAX)
				ctu_usage_error("invalid --tmpfs-upper size: '%s'", optarg);
			o->tmpfs_size = optarg;
		}
		break;
	case OPT_MKDIR:
		o->mkdir = true;
		break;
	case 'o':
		add_overlay_options(o, optarg);
		break;
	case 'r':
		o->readonly = true;
		break;
	case OPT_SHOW:
		set_mode(o, MODE_SHOW);
		break;
	case OPT_DIFF:
		set_mode(o, MODE_DIFF);
		break;
	case 'U':
		set_mode(o, MODE_UMOUNT);
		break;
	case 'J':
		o->out.json = true;
		break;
	case 'n':
		o->out.noheadings = true;
		break;
	case OPT_RAW:
		o->out.raw = true;
		break;
	case 'h':
		usage();
	case 'V':
		ctu_version_and_exit();
	default:
		ctu_try_help();
	}
}

/* With a program after "--", failures follow the chaining tools' codes. */
static void choose_exit_codes(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			ctu_set_tool_kind(CTU_TOOL_CHAINING);
}

static void parse_options(struct opts *o, int argc, char **argv)
{
	choose_exit_codes(argc, argv);
	o->target = ctu_getopt_around_arg(argc, argv, "+l:u:w:o:rJnUhV", longopts, handle_option, o,
					  &o->argv);
	if (*o->argv)
		ctu_set_tool_kind(CTU_TOOL_CHAINING);
	if (!o->target)
		ctu_usage_error("no mount point given");
	if (o->mode != MODE_MOUNT && *o->argv)
		ctu_usage_error("a program runs only after mounting");
	check_option_conflicts(&o->options);
}

static void undo_made(struct made *m)
{
	if (m->tmpfs)
		umount2(m->tmpfs, MNT_DETACH);
	while (m->dirs.n) {
		const char *dir = m->dirs.v[m->dirs.n - 1];
		char inner[PATH_MAX];

		/* a work directory we made holds what the kernel made in it: empty dirs */
		for (size_t i = 0; i < 2; i++)
			if (snprintf(inner, sizeof(inner), "%s/%s", dir, i ? "index" : "work") <
			    (int)sizeof(inner))
				rmdir(inner);
		rmdir(dir);
		free(m->dirs.v[--m->dirs.n]);
	}
	free(m->tmpfs);
	m->tmpfs = NULL;
}

static void undo_all(void)
{
	undo_made(&made);
}

/* A failure of the mount: says why, removes what this call made, exits. */
#define fail(...) ctu_die_undo(undo_all, __VA_ARGS__)

/* ---- checking the layers --------------------------------------------------- */

static void check_dir(const char *what, const char *path, struct stat *s)
{
	if (stat(path, s) < 0)
		fail("%s %s: %s", what, path, strerror(errno));
	if (!S_ISDIR(s->st_mode))
		fail("%s %s: not a directory", what, path);
}

/* Whether @inner is @outer or below it (both canonical). */
static bool is_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return strncmp(inner, outer, n) == 0 && (inner[n] == '/' || !inner[n] || n == 1);
}

/* @a and @b as canonicalize_layers() left them: real paths, compared as strings */
static void check_not_nested(const char *a_what, const char *a, const char *b_what, const char *b)
{
	if (is_within(a, b) || is_within(b, a))
		fail("%s %s and %s %s overlap: one is inside the other", a_what, a, b_what, b);
}

/* The kernel records layers as given: make them absolute, so --show shows them right. */
static void make_absolute(char **path)
{
	char *real = realpath(*path, NULL);

	if (real) {
		free(*path);
		*path = real;
	}
}

static void canonicalize_layers(struct stack *st)
{
	for (size_t i = 0; i < st->lower.n; i++)
		make_absolute(&st->lower.v[i]);
	for (size_t i = 0; i < st->data.n; i++)
		make_absolute(&st->data.v[i]);
	if (st->upper)
		make_absolute(&st->upper);
	if (st->work)
		make_absolute(&st->work);
}

static void check_layers(const struct opts *o)
{
	const struct stack *st = &o->stack;
	struct stat s, su, sw;

	if (st->lower.n + st->data.n > OVL_MAX_LAYERS)
		fail("too many lower layers: %zu (the kernel's limit is %d)",
			st->lower.n + st->data.n, OVL_MAX_LAYERS);
	if (st->lower.n == 0)
		fail("no lower layer given: use --lower");
	if (!st->upper && st->lower.n < 2)
		fail("a read-only overlay needs at least two lower layers (kernel rule): add "
			"--upper or --tmpfs-upper");
	for (size_t i = 0; i < st->lower.n; i++)
		check_dir("lower layer", st->lower.v[i], &s);
	for (size_t i = 0; i < st->data.n; i++)
		check_dir("data layer", st->data.v[i], &s);
	check_dir("mount point", o->target, &s);
	if (!st->upper)
		return;
	check_dir("upper layer", st->upper, &su);
	check_dir("work directory", st->work, &sw);
	if (su.st_dev != sw.st_dev)
		fail("upper layer %s and work directory %s are on different filesystems: the "
			"kernel needs them on the same one", st->upper, st->work);
	check_not_nested("work directory", st->work, "upper layer", st->upper);
	for (size_t i = 0; i < st->lower.n; i++) {
		check_not_nested("lower layer", st->lower.v[i], "upper layer", st->upper);
		check_not_nested("lower layer", st->lower.v[i], "work directory", st->work);
	}
}

/* ---- making directories and the tmpfs upper ------------------------------------ */

/* mkdir -p, recording each directory made. */
static void make_dirs(const char *path)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		fail("out of memory");
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char saved = *s;

		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			if (strv_push(&made.dirs, p, strlen(p)) < 0)
				fail("out of memory");
		} else if (errno != EEXIST) {
			fail("cannot create %s: %s", p, strerror(errno));
		}
		*s = saved;
		if (!saved)
			break;
	}
}

/* /run/ctutils/ovlmount/<merged with '/' as '_' and '_' as "_5f"> */
static char *tmpfs_dir_for(const char *merged)
{
	_cleanup_free_ char *real = realpath(merged, NULL);
	const char *src = real ? real : merged;
	char *out = malloc(strlen(TMPFS_UPPER_BASE) + 2 + strlen(src) * 3 + 1), *p;

	if (!out)
		return NULL;
	p = out + sprintf(out, "%s/", TMPFS_UPPER_BASE);
	for (const char *c = src; *c; c++)
		p += *c == '/' ? sprintf(p, "_") : *c == '_' ? sprintf(p, "_5f") : sprintf(p, "%c", *c);
	*p = '\0';
	return out;
}

static void make_tmpfs_upper(struct opts *o)
{
	_cleanup_free_ char *opts = NULL;
	char *dir = tmpfs_dir_for(o->target);

	if (!dir || asprintf(&opts, "mode=0755%s%s", o->tmpfs_size ? ",size=" : "",
			     o->tmpfs_size ? o->tmpfs_size : "") < 0)
		fail("out of memory");
	make_dirs(dir);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		fail("cannot mount the tmpfs upper on %s: %s", dir, strerror(errno));
	made.tmpfs = dir;
	if (asprintf(&o->stack.upper, "%s/upper", dir) < 0 ||
	    asprintf(&o->stack.work, "%s/work", dir) < 0)
		fail("out of memory");
	if (mkdir(o->stack.upper, 0755) < 0 || mkdir(o->stack.work, 0755) < 0)
		fail("cannot create the tmpfs upper in %s: %s", dir, strerror(errno));
}

static void prepare_dirs(struct opts *o)
{
	if (o->tmpfs_upper) {
		if (o->stack.upper || o->stack.work)
			ctu_usage_error("--tmpfs-upper cannot go with --upper or --work");
		if (o->mkdir)
			make_dirs(o->target);
		make_tmpfs_upper(o);
		return;
	}
	if (o->stack.work && !o->stack.upper)
		ctu_usage_error("--work needs --upper");
	if (o->stack.upper && !o->stack.work &&
	    asprintf(&o->stack.work, "%s.work", o->stack.upper) < 0)
		fail("out of memory");
	if (o->stack.upper && o->mkdir)
		make_dirs(o->stack.upper);
	/* the default work directory is always ours to make */
	if (o->stack.work && (o->mkdir || access(o->stack.work, F_OK) < 0))
		make_dirs(o->stack.work);
	if (o->mkdir)
		make_dirs(o->target);
}

/* ---- mounting -------------------------------------------------------------- */

/* Inside a user namespace the trusted.* xattrs are out of reach: userxattr. */
static bool in_user_namespace(void)
{
	_cleanup_free_ char *map = NULL;
	unsigned int a, b, c;

	if (ctu_read_file(AT_FDCWD, "/proc/self/uid_map", &map, NULL) < 0)
		return false;
	return sscanf(map, "%u %u %u", &a, &b, &c) != 3 || a != 0 || b != 0 || c != UINT32_MAX;
}

/* The kernel's own words about a failed fsconfig, from the fs context log. */
static void kernel_log(int fsfd, char *buf, size_t size)
{
	ssize_t n;

	buf[0] = '\0';
	while ((n = read(fsfd, buf, size - 1)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
	}
}

/*
 * The end of a failed fsconfig: "WHAT NAME: the error: the kernel's words".
 * errno is taken first: reading the log sets it (ENODATA once it is empty).
 */
static noreturn void fail_fsconfig(int fsfd, const char *what, const char *name)
{
	int e = errno;
	char log[512];

	kernel_log(fsfd, log, sizeof(log));
	fail("%s %s: %s%s%s", what, name, strerror(e), *log ? ": " : "", log);
}

/* A layer as a fsconfig value: a path, or an fd when it is too long for one. */
static int set_layer(int fsfd, const char *key, const char *path)
{
	_cleanup_close_ int fd = -1;
	char proc[64];

	if (strlen(path) < 256)
		return fsconfig(fsfd, FSCONFIG_SET_STRING, key, path, 0);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_FD, key, NULL, fd) == 0)
		return 0;
	/* before Linux 6.13: the short magic-link name of the fd */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return fsconfig(fsfd, FSCONFIG_SET_STRING, key, proc, 0);
}

enum { OVL_MOUNTED, OVL_NO_LOWERDIR_PLUS };

/*
 * Before Linux 6.5 overlayfs had no fs_context of its own: the kernel's
 * "legacy" one took any key, joined them all into one mount(2) option string
 * of at most a page, and only the mount itself failed on lowerdir+.  A key
 * that no real parser knows tells the two apart: only the legacy one takes it.
 */
static bool fs_context_is_legacy(int fsfd)
{
	char msg[512];

	if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "ctutils-probe", NULL, 0) == 0)
		return true;
	if (errno != EINVAL)
		fail("cannot use overlayfs: %s", strerror(errno));
	/* the parser logged "Unknown parameter": not a message for the user */
	while (read(fsfd, msg, sizeof(msg)) > 0)
		;
	return false;
}

/* The new mount API, one layer per fsconfig call. */
static int mount_with_fsconfig(const struct opts *o)
{
	const struct stack *st = &o->stack;
	_cleanup_close_ int fsfd = fsopen("overlay", FSOPEN_CLOEXEC), mntfd = -1, target = -1;

	if (fsfd < 0 && errno == ENOSYS)
		return OVL_NO_LOWERDIR_PLUS; /* before Linux 5.2 */
	if (fsfd < 0)
		fail("cannot use overlayfs: %s", strerror(errno));
	if (fs_context_is_legacy(fsfd))
		return OVL_NO_LOWERDIR_PLUS; /* before Linux 6.5 */
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		fail("cannot use overlayfs: %s", strerror(errno));
	if (set_layer(fsfd, "lowerdir+", st->lower.v[0]) < 0) {
		if (errno == EINVAL)
			return OVL_NO_LOWERDIR_PLUS; /* before Linux 6.8 */
		fail_fsconfig(fsfd, "lower layer", st->lower.v[0]);
	}
	for (size_t i = 1; i < st->lower.n; i++)
		if (set_layer(fsfd, "lowerdir+", st->lower.v[i]) < 0)
			fail_fsconfig(fsfd, "lower layer", st->lower.v[i]);
	for (size_t i = 0; i < st->data.n; i++)
		if (set_layer(fsfd, "datadir+", st->data.v[i]) < 0)
			fail_fsconfig(fsfd, "data layer", st->data.v[i]);
	if (st->upper && (set_layer(fsfd, "upperdir", st->upper) < 0 ||
			  set_layer(fsfd, "workdir", st->work) < 0))
		fail_fsconfig(fsfd, "upper layer", st->upper);
	for (size_t i = 0; i < o->options.n; i++) {
		char *opt = o->options.v[i], *eq = strchr(opt, '=');
		int r;

		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
			*eq = '=';
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0)
			fail_fsconfig(fsfd, "overlay option", opt);
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		fail_fsconfig(fsfd, "cannot mount the overlay on", o->target);
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, o->readonly ? MOUNT_ATTR_RDONLY : 0);
	target = open(o->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mntfd < 0 || target < 0 ||
	    move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail("cannot mount the overlay on %s: %s", o->target, strerror(errno));
	return OVL_MOUNTED;
}

/* A growing string for the legacy option text. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void text_add(struct text *t, const char *s, bool escape)
{
	for (const char *p = s; *p && !t->failed; p++) {
		if (t->len + 3 >= t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 4096;
			char *b = realloc(t->buf, cap);

			if (!b) {
				t->failed = true;
				return;
			}
			t->buf = b;
			t->cap = cap;
		}
		/* ':' separates layers, ',' options: both escaped with '\' */
		if (escape && (*p == ':' || *p == ',' || *p == '\\'))
			t->buf[t->len++] = '\\';
		t->buf[t->len++] = *p;
		t->buf[t->len] = '\0';
	}
}

/* "lowerdir=A:B[::D],upperdir=U,workdir=W,opts", with @name giving each path. */
static char *legacy_options(const struct opts *o, const char *(*name)(const char *, size_t, void *),
			    void *ctx)
{
	const struct stack *st = &o->stack;
	struct text t = { 0 };
	size_t k = 0;

	text_add(&t, "lowerdir=", false);
	for (size_t i = 0; i < st->lower.n; i++, k++) {
		text_add(&t, i ? ":" : "", false);
		text_add(&t, name(st->lower.v[i], k, ctx), true);
	}
	for (size_t i = 0; i < st->data.n; i++, k++) {
		text_add(&t, "::", false);
		text_add(&t, name(st->data.v[i], k, ctx), true);
	}
	if (st->upper) {
		text_add(&t, ",upperdir=", false);
		text_add(&t, name(st->upper, k++, ctx), true);
		text_add(&t, ",workdir=", false);
		text_add(&t, name(st->work, k++, ctx), true);
	}
	for (size_t i = 0; i < o->options.n; i++) {
		text_add(&t, ",", false);
		text_add(&t, o->options.v[i], false);
	}
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

static const char *name_as_is(const char *path, size_t k, void *ctx)
{
	(void)k;
	(void)ctx;
	return path;
}

static const char *name_as_fd(const char *path, size_t k, void *ctx)
{
	static char names[OVL_MAX_LAYERS + 2][16];
	const int *fds = ctx;

	(void)path;
	snprintf(names[k], sizeof(names[k]), "%d", fds[k]);
	return names[k];
}

/*
 * Too long for a page: in a child, open every layer and mount from
 * /proc/self/fd with the fds' numbers as names ("12:13:14").
 */
static int mount_legacy_by_fds(const struct opts *o)
{
	const struct stack *st = &o->stack;
	int fds[OVL_MAX_LAYERS + 2];
	size_t k = 0;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		const char *const *groups[] = { (const char *const *)st->lower.v,
						(const char *const *)st->data.v };
		size_t counts[] = { st->lower.n, st->data.n };
		_cleanup_free_ char *data = NULL;

		for (size_t g = 0; g < 2; g++)
			for (size_t i = 0; i < counts[g]; i++)
				fds[k++] = open(groups[g][i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (st->upper) {
			fds[k++] = open(st->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
			fds[k++] = open(st->work, O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		data = legacy_options(o, name_as_fd, fds);
		_cleanup_free_ char *target = realpath(o->target, NULL);
		if (!data || !target || chdir("/proc/self/fd") < 0 || strlen(data) >= 4096)
			_exit(E2BIG);
		if (mount("overlay", target, "overlay", o->readonly ? MS_RDONLY : 0, data) < 0)
			_exit(errno);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
}

/* Before Linux 6.8: mount(2) with one lowerdir= string of at most a page. */
static void mount_legacy(const struct opts *o)
{
	_cleanup_free_ char *data = legacy_options(o, name_as_is, NULL);
	int r;

	if (!data)
		fail("out of memory");
	if (strlen(data) < 4096)
		r = mount("overlay", o->target, "overlay", o->readonly ? MS_RDONLY : 0, data) < 0 ? -errno : 0;
	else
		r = mount_legacy_by_fds(o);
	if (r < 0)
		fail("cannot mount the overlay on %s: %s (the kernel log may say more: dmesg)",
		     o->target, strerror(-r));
}

/* CTU_OVLMOUNT_LEGACY=1, a debugging aid: mount(2) as on kernels before 6.8. */
static bool legacy_forced(void)
{
	const char *e = getenv("CTU_OVLMOUNT_LEGACY");

	return e && *e && strcmp(e, "0") != 0;
}

static int do_mount(struct opts *o)
{
	prepare_dirs(o);
	canonicalize_layers(&o->stack);
	check_layers(o);
	if (in_user_namespace() && !ovl_option_value(&o->options, "userxattr")) {
		warnx("inside a user namespace: adding the overlay option userxattr");
		if (strv_push(&o->options, "userxattr", 9) < 0)
			fail("out of memory");
		check_option_conflicts(&o->options);
	}
	if (legacy_forced() || mount_with_fsconfig(o) == OVL_NO_LOWERDIR_PLUS)
		mount_legacy(o);
	strv_free(&made.dirs);
	free(made.tmpfs);
	if (*o->argv)
		ctu_exec_program(o->argv, 0);
	return CTU_EXIT_OK;
}

/* ---- --show and --umount ------------------------------------------------------- */

int stack_from_mount(const char *merged, struct stack *st)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	_cleanup_free_ char *real = realpath(merged, NULL);
	struct strv opts = { 0 };
	struct libmnt_fs *fs;

	if (!real)
		return -errno;
	if (!tb)
		return -ENOMEM;
	fs = mnt_table_find_target(tb, real, MNT_ITER_BACKWARD);
	if (!fs)
		return -ENOENT;
	if (strcmp(mnt_fs_get_fstype(fs), "overlay") != 0)
		return -EINVAL;
	if (split_escaped(mnt_fs_get_fs_options(fs), ',', &opts) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < opts.n; i++) {
		char *o = opts.v[i];
		int r = 0;

		if (strncmp(o, "lowerdir=", 9) == 0) {
			/* "A:B::D": "::" starts the data-only layers */
			char *data = strstr(o + 9, "::");

			if (data)
				*data = '\0';
			r = split_escaped(o + 9, ':', &st->lower);
			if (r == 0 && data)
				r = split_escaped(data + 2, ':', &st->data);
		} else if (strncmp(o, "lowerdir+=", 10) == 0) {
			r = strv_push(&st->lower, o + 10, strlen(o + 10));
		} else if (strncmp(o, "datadir+=", 9) == 0) {
			r = strv_push(&st->data, o + 9, strlen(o + 9));
		} else if (strncmp(o, "upperdir=", 9) == 0) {
			st->upper = strdup(o + 9);
		} else if (strncmp(o, "workdir=", 8) == 0) {
			st->work = strdup(o + 8);
		} else {
			r = strv_push(&st->other, o, strlen(o));
		}
		if (r < 0) {
			strv_free(&opts);
			return r;
		}
	}
	strv_free(&opts);
	return 0;
}

static void stack_from_mount_or_die(const char *merged, struct stack *st)
{
	int r = stack_from_mount(merged, st);

	if (r == -ENOENT)
		ctu_die("%s: not a mount point", merged);
	if (r == -EINVAL)
		ctu_die("%s: not an overlay mount", merged);
	if (r < 0)
		ctu_die_errno(r, "cannot read the mount table for %s", merged);
}

/*
 * A layer the kernel recorded as a relative path: the mount was made from
 * another directory, as ovlmount mounts more than a page of layers before
 * Linux 6.8 (by their fds, from /proc/self/fd).  Where they are is unknown.
 */
static void require_absolute_layers(const char *merged, const struct stack *st)
{
	const struct strv *groups[] = { &st->lower, &st->data };
	const char *relative = NULL;

	for (size_t g = 0; g < CTU_ARRAY_SIZE(groups) && !relative; g++)
		for (size_t i = 0; i < groups[g]->n && !relative; i++)
			if (groups[g]->v[i][0] != '/')
				relative = groups[g]->v[i];
	if (!relative && st->upper && st->upper[0] != '/')
		relative = st->upper;
	if (relative)
		ctu_die("%s: the kernel recorded the layer '%s' relative to the directory the mount "
			"was made from (so ovlmount mounts more than a page of layers before Linux "
			"6.8): where the layers are is unknown", merged, relative);
}

static int add_show_line(struct libscols_table *tb, const char *layer, size_t index, const char *path)
{
	char num[24] = "";
	const char *cells[3] = { layer, index ? num : NULL, path };

	snprintf(num, sizeof(num), "%zu", index);
	return ctu_out_line(tb, cells, 3);
}

static int do_show(const struct opts *o)
{
	static const struct ctu_out_column cols[] = {
		{ "LAYER", 6, SCOLS_JSON_STRING, 0 },
		{ "INDEX", 3, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "PATH", 0.8, SCOLS_JSON_STRING, 0 },
	};
	struct stack st = { 0 };
	struct libscols_table *tb;
	_cleanup_free_ char *tmpfs = tmpfs_dir_for(o->target);
	_cleanup_free_ char *others = NULL;
	int r = 0;

	stack_from_mount_or_die(o->target, &st);
	require_absolute_layers(o->target, &st);
	tb = ctu_out_table("layers", cols, CTU_ARRAY_SIZE(cols), &o->out);
	if (!tb)
		ctu_die("out of memory");
	for (size_t i = 0; i < st.lower.n && r == 0; i++)
		r = add_show_line(tb, "lower", i + 1, st.lower.v[i]);
	for (size_t i = 0; i < st.data.n && r == 0; i++)
		r = add_show_line(tb, "data", i + 1, st.data.v[i]);
	if (st.upper && r == 0)
		r = add_show_line(tb, "upper", 0, st.upper);
	if (st.work && r == 0)
		r = add_show_line(tb, "work", 0, st.work);
	if (tmpfs && ctu_mnt_is_mount_point(tmpfs) == 1 && r == 0)
		r = add_show_line(tb, "tmpfs", 0, tmpfs);
	for (size_t i = 0; i < st.other.n && r == 0; i++)
		if (strcmp(st.other.v[i], "rw") != 0)
			r = add_show_line(tb, "option", 0, st.other.v[i]);
	if (r < 0)
		ctu_die("out of memory");
	stack_free(&st);
	if (ctu_out_print(tb) < 0)
		ctu_die("cannot write the output");
	return CTU_EXIT_OK;
}

static int do_umount(const struct opts *o)
{
	_cleanup_free_ char *tmpfs = tmpfs_dir_for(o->target);
	struct stack st = { 0 };

	stack_from_mount_or_die(o->target, &st);
	stack_free(&st);
	if (umount2(o->target, 0) < 0)
		ctu_die("cannot unmount %s: %s", o->target, strerror(errno));
	if (tmpfs && ctu_mnt_is_mount_point(tmpfs) == 1) {
		if (umount2(tmpfs, MNT_DETACH) < 0)
			ctu_die("cannot unmount the tmpfs upper %s: %s", tmpfs, strerror(errno));
		rmdir(tmpfs);
	}
	return CTU_EXIT_OK;
}

static int do_diff(struct opts *o)
{
	struct stack st = { 0 };
	const char *upper = o->target;
	struct stat s;
	int r;

	if (stat(o->target, &s) < 0)
		ctu_die("%s: %s", o->target, strerror(errno));
	if (ctu_mnt_is_mount_point(o->target) == 1 && stack_from_mount(o->target, &st) == 0) {
		require_absolute_layers(o->target, &st);
		if (!st.upper)
			ctu_die("%s: a read-only overlay has no upper layer to diff", o->target);
		upper = st.upper;
		for (size_t i = 0; i < st.other.n; i++)
			if (strncmp(st.other.v[i], "redirect_dir=on", 15) == 0 ||
			    strncmp(st.other.v[i], "metacopy=on", 11) == 0)
				warnx("warning: %s uses %s: the upper layer alone is not a complete diff",
				      o->target, st.other.v[i]);
	} else {
		st.lower = o->stack.lower;
		o->stack.lower = (struct strv){ 0 };
	}
	r = ovl_diff(upper, &st, &o->out);
	if (r < 0)
		ctu_die_errno(r, "cannot diff %s", upper);
	stack_free(&st);
	return CTU_EXIT_OK;
}

static int run_mode(struct opts *o)
{
	switch (o->mode) {
	case MODE_SHOW:
		return do_show(o);
	case MODE_DIFF:
		return do_diff(o);
	case MODE_UMOUNT:
		return do_umount(o);
	case MODE_MOUNT:
		break;
	}
	return do_mount(o);
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = MODE_MOUNT };
	int r;

	ctu_init(CTU_TOOL_PLAIN);
	parse_options(&o, argc, argv);
	r = run_mode(&o);
	stack_free(&o.stack);
	strv_free(&o.options);
	return r;
}
