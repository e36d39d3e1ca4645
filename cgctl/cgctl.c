// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgctl - create, limit, inspect, freeze, kill and delete cgroups.
 *
 * One PATH names one container cgroup wherever its controllers live: on a
 * cgroup v2 host in the unified hierarchy, on hybrid and v1 hosts in the
 * unified one and in every v1 controller hierarchy.  Settings use the v2
 * names and values everywhere and are translated to v1 files where their
 * controller lives in v1 (settings.c).
 */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctu.h"
#include "hier.h"
#include "out.h"
#include "parse.h"
#include "proc.h"
#include "settings.h"

struct ctx {
	struct hiers hs;
	struct ctu_out_flags out;
	const char *root;
	bool self;
	const char *ctrls; /* -c */
};

/* ---- usage ----------------------------------------------------------------- */

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
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
	      "     --memory <size>       memory.max (K, M, G, T suffixes, or max)\n"
	      "     --memory-high <size>  memory.high\n"
	      "     --swap <size>         memory.swap.max\n"
	      "     --cpus <n>            cpu.max as a number of CPUs (0.5 = half a CPU)\n"
	      "     --cpu-weight <n>      cpu.weight (1-10000)\n"
	      "     --pids <n>            pids.max\n"
	      "     --cpuset <cpus>       cpuset.cpus (0-3,5)\n"
	      "     --io-weight <n>       io.weight (1-10000)\n"
	      " -s, --set <key>=<value>   any other setting, by its cgroup v2 name\n"
	      "\nGlobal options:\n"
	      "     --root <dir>          use <dir> as the only (v2) hierarchy (also CGCTL_ROOT)\n"
	      "     --self                paths are relative to our own cgroup\n"
	      " -c, --controllers <list>  on v1 and hybrid hosts, only these hierarchies\n"
	      " -J, --json                JSON output\n"
	      "     --raw                 raw output\n"
	      "     --noheadings          no header line\n"
	      "\nCommand options:\n"
	      "     --exclusive           create: fail if the cgroup exists\n"
	      "     --all                 get: every interface file\n"
	      "     --threads             attach: move threads, not processes\n"
	      " -r, --recursive         procs, kill, delete: the cgroups below too\n"
	      " -s, --signal <signal>     kill: the signal (default SIGKILL)\n"
	      "     --kill                delete: kill the processes first\n"
	      "     --timeout <duration>  freeze, thaw, wait, delete: give up after it\n"
	      " -o, --output <list>       ls: the columns to show\n"
	      " -b, --batch               top: plain lines, no screen control\n"
	      " -n, --iterations <n>      top: how many times\n"
	      " -d, --delay <duration>    top: between two updates (default 1s)\n"
	      "\n -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nFor more details see cgctl(1).\n",
	      stdout);
	exit(CTU_EXIT_OK);
}

/* ---- settings options ---------------------------------------------------------- */

enum {
	OPT_MEMORY = CHAR_MAX + 1,
	OPT_MEMORY_HIGH,
	OPT_SWAP,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_PIDS,
	OPT_CPUSET,
	OPT_IO_WEIGHT,
	OPT_EXCLUSIVE,
	OPT_ALL,
	OPT_THREADS,
	OPT_KILL,
	OPT_TIMEOUT,
	OPT_ROOT,
	OPT_SELF,
	OPT_RAW,
	OPT_NOHEADINGS,
};

#define SETTINGS_LONGOPTS                                                                          \
	{ "memory", required_argument, NULL, OPT_MEMORY },                                         \
		{ "memory-high", required_argument, NULL, OPT_MEMORY_HIGH },                       \
		{ "swap", required_argument, NULL, OPT_SWAP },                                     \
		{ "cpus", required_argument, NULL, OPT_CPUS },                                     \
		{ "cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT },                         \
		{ "pids", required_argument, NULL, OPT_PIDS },                                     \
		{ "cpuset", required_argument, NULL, OPT_CPUSET },                                 \
		{ "io-weight", required_argument, NULL, OPT_IO_WEIGHT },                           \
		{ "set", required_argument, NULL, 's' }

static void add_setting(struct settings *all, const char *key, const char *value, const char *opt)
{
	struct setting s;
	const char *why = NULL;

	if (setting_make(key, value, &s, &why) < 0)
		ctu_usage_error("invalid %s '%s': %s", opt, value, why);
	if (settings_add(all, &s) < 0)
		ctu_usage_error("too many settings");
}

static void add_setting_kv(struct settings *all, const char *kv)
{
	struct setting s;
	const char *why = NULL;

	if (setting_parse(kv, &s, &why) < 0)
		ctu_usage_error("invalid setting '%s': %s", kv, why);
	if (settings_add(all, &s) < 0)
		ctu_usage_error("too many settings");
}

/* --cpus 0.5 -> cpu.max "50000 100000" */
static void add_cpus(struct settings *all, const char *arg)
{
	uint64_t micro;
	char value[64];

	if (ctu_parse_fixed(arg, 6, &micro) < 0 || micro == 0 || micro > 1024000000ULL)
		ctu_usage_error("invalid --cpus '%s': expected a positive number of CPUs", arg);
	/* quota = cpus * period, with the default period of 100 ms */
	if (micro * 100000 / 1000000 < 1000)
		ctu_usage_error("invalid --cpus '%s': at least 0.01", arg);
	snprintf(value, sizeof(value), "%llu 100000", (unsigned long long)(micro / 10));
	add_setting(all, "cpu.max", value, "--cpus");
}

/* Handles a settings option: true if @c was one. */
static bool settings_option(struct settings *all, int c, const char *arg)
{
	switch (c) {
	case OPT_MEMORY:
		add_setting(all, "memory.max", arg, "--memory");
		return true;
	case OPT_MEMORY_HIGH:
		add_setting(all, "memory.high", arg, "--memory-high");
		return true;
	case OPT_SWAP:
		add_setting(all, "memory.swap.max", arg, "--swap");
		return true;
	case OPT_CPUS:
		add_cpus(all, arg);
		return true;
	case OPT_CPU_WEIGHT:
		add_setting(all, "cpu.weight", arg, "--cpu-weight");
		return true;
	case OPT_PIDS:
		add_setting(all, "pids.max", arg, "--pids");
		return true;
	case OPT_CPUSET:
		add_setting(all, "cpuset.cpus", arg, "--cpuset");
		return true;
	case OPT_IO_WEIGHT:
		add_setting(all, "io.weight", arg, "--io-weight");
		return true;
	case 's':
		add_setting_kv(all, arg);
		return true;
	default:
		return false;
	}
}

static uint64_t parse_timeout_ms(const char *arg)
{
	uint64_t usec;

	if (ctu_parse_duration(arg, &usec) < 0 || usec / 1000 > INT_MAX)
		ctu_usage_error("invalid --timeout '%s': expected a duration (10, 500ms, 2m)", arg);
	return usec / 1000;
}

/* ---- paths and values ----------------------------------------------------------- */

static const char *path_or_die(const char *path)
{
	const char *why = NULL;

	if (!path)
		ctu_usage_error("no cgroup path given");
	if (!*path)
		ctu_usage_error("empty cgroup path");
	if (cgroup_path_check(path, &why) < 0)
		ctu_usage_error("invalid cgroup path '%s': %s", path, why);
	return path;
}

static char *dir_of(const struct hier *h, const char *path)
{
	char *d = hier_dir(h, path);

	if (!d)
		ctu_die("out of memory");
	return d;
}

/* The cgroup must exist in the first hierarchy. */
static void require_cgroup(struct ctx *c, const char *path)
{
	_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);
	struct stat s;

	if (stat(d, &s) < 0 || !S_ISDIR(s.st_mode))
		ctu_die("no cgroup %s (%s)", path, d);
}

static int read_file_trimmed(const char *dir, const char *file, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char path[1400];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = ctu_read_file(AT_FDCWD, path, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, size, "%s", text);
	return 0;
}

/* The value of "KEY N" in a flat keyed file (cpu.stat, memory.events). */
static int keyed_value(const char *dir, const char *file, const char *key, uint64_t *v)
{
	_cleanup_free_ char *text = NULL;
	char path[1400];
	size_t len = strlen(key);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (ctu_read_file(AT_FDCWD, path, &text, NULL) < 0)
		return -ENOENT;
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ') {
			*v = strtoull(p + len + 1, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

/* A v2 key's value for cgroup @path, from wherever its controller lives. */
static int read_value(struct ctx *c, const char *path, const char *key, char *out, size_t size)
{
	char ctrl[32], raw[256];
	struct hier *h;
	_cleanup_free_ char *dir = NULL;
	int r;

	setting_controller(key, ctrl, sizeof(ctrl));
	h = hier_for(&c->hs, ctrl);
	if (!h)
		return -ENODEV;
	dir = dir_of(h, path);
	if (h->v2 || !strcmp(v1_file_for(key), key))
		return read_file_trimmed(dir, key, out, size);
	if (!strcmp(key, "cpu.max")) {
		char period[64];

		r = read_file_trimmed(dir, "cpu.cfs_quota_us", raw, sizeof(raw));
		if (r == 0)
			r = read_file_trimmed(dir, "cpu.cfs_period_us", period, sizeof(period));
		if (r == 0)
			snprintf(out, size, "%s %s", raw[0] == '-' ? "max" : raw, period);
		return r;
	}
	r = read_file_trimmed(dir, v1_file_for(key), raw, sizeof(raw));
	if (r == 0)
		v1_value_to_v2(key, raw, out, size);
	return r;
}

/* ---- settings, written ------------------------------------------------------------ */

struct exists_ctx {
	const char *dir;
};

static bool file_exists(const char *file, void *ctx)
{
	return cgroup_has_file(((struct exists_ctx *)ctx)->dir, file);
}

struct planned {
	char dir[1400];
	struct write_op op;
	const char *key;
};

/*
 * Every setting translated for its hierarchy and every file checked before
 * the first write: a bad setting changes nothing.  Then the writes, naming
 * the key the kernel refused.
 */
static int apply_settings(struct ctx *c, const char *path, const struct settings *all)
{
	static struct planned plan[128];
	size_t n = 0;

	for (size_t i = 0; i < all->n; i++) {
		const struct setting *s = &all->s[i];
		struct write_op ops[2];
		char ctrl[32];
		const char *why = NULL;
		struct hier *h;
		int k = 1;

		setting_controller(s->key, ctrl, sizeof(ctrl));
		h = hier_for(&c->hs, ctrl);
		if (!h) {
			warnx("cannot set %s: no %s controller on this host (%s)", s->key, ctrl,
			      layout_name(c->hs.layout));
			return -ENODEV;
		}
		_cleanup_free_ char *dir = dir_of(h, path);
		struct exists_ctx ex = { dir };

		if (h->v2) {
			snprintf(ops[0].file, sizeof(ops[0].file), "%s", s->key);
			snprintf(ops[0].value, sizeof(ops[0].value), "%s", s->value);
		} else {
			k = setting_to_v1(s, all, file_exists, &ex, ops, &why);
			if (k < 0) {
				warnx("cannot set %s: %s", s->key, why);
				return k;
			}
		}
		for (int j = 0; j < k; j++) {
			if (!cgroup_has_file(dir, ops[j].file)) {
				warnx("cannot set %s: no file %s in %s (is the %s controller enabled "
				      "for it?)", s->key, ops[j].file, dir, ctrl);
				return -ENOENT;
			}
			snprintf(plan[n].dir, sizeof(plan[n].dir), "%s", dir);
			plan[n].op = ops[j];
			plan[n++].key = s->key;
		}
	}
	for (size_t i = 0; i < n; i++) {
		char file[1500];
		int r;

		snprintf(file, sizeof(file), "%s/%s", plan[i].dir, plan[i].op.file);
		r = ctu_write_file(AT_FDCWD, file, plan[i].op.value);
		if (r < 0) {
			warnx("the kernel refused %s=%s (%s): %s", plan[i].key, plan[i].op.value, file,
			      strerror(-r));
			return r;
		}
	}
	return 0;
}

/* ---- create ----------------------------------------------------------------- */

/* The v2 controllers @all needs in @h, plus -c, space-separated. */
static void v2_controllers(struct ctx *c, const struct settings *all, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i <= all->n; i++) {
		char ctrl[32];

		if (i < all->n)
			setting_controller(all->s[i].key, ctrl, sizeof(ctrl));
		else
			break;
		if (hier_for(&c->hs, ctrl) != hier_v2(&c->hs) || strstr(out, ctrl))
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "", ctrl);
	}
	if (c->ctrls) {
		_cleanup_free_ char *copy = strdup(c->ctrls);
		char *save = NULL;

		for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save)) {
			/* v1 names of v2 controllers; freezer and devices are not v2 controllers */
			const char *v2 = !strcmp(w, "blkio") ? "io" : !strcmp(w, "cpuacct") ? "cpu" : w;

			if (!strcmp(v2, "freezer") || !strcmp(v2, "devices") || strstr(out, v2) ||
			    hier_for(&c->hs, v2) != hier_v2(&c->hs))
				continue;
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "", v2);
		}
	}
}

/* Whether every controller of @ctrls is already in @dir's subtree_control. */
static bool all_enabled(const char *dir, const char *ctrls)
{
	char text[512];

	if (read_file_trimmed(dir, "cgroup.subtree_control", text, sizeof(text)) < 0)
		return false;
	for (const char *p = ctrls; *p;) {
		size_t len = strcspn(p, " ");
		bool found = false;

		for (const char *q = text; *q;) {
			size_t m = strcspn(q, " +");

			if (m == len && !strncmp(p, q, len))
				found = true;
			q += m;
			q += strspn(q, " +");
		}
		if (!found)
			return false;
		p += len;
		p += strspn(p, " ");
	}
	return true;
}

struct created {
	char *dirs[16 * 64];
	size_t n;
};

static void undo_created(struct created *cr)
{
	while (cr->n) {
		rmdir(cr->dirs[cr->n - 1]);
		free(cr->dirs[--cr->n]);
	}
}

/*
 * The kernel's "no internal processes" rule, said before it says EBUSY: no
 * ancestor but the root may hold processes and enable a controller for its
 * children.  Checked from the root down, as the controllers are enabled.
 */
static void check_internal_processes(const struct hier *h, const char *parent, const char *ctrls,
				     struct created *cr)
{
	_cleanup_free_ char *dir = strdup(parent);
	size_t root = strlen(h->mnt);

	if (!dir)
		ctu_die("out of memory");
	for (size_t i = root + 1; i <= strlen(parent); i++) {
		pid_t *pids = NULL;
		size_t n = 0;

		if (parent[i] != '/' && parent[i] != '\0')
			continue;
		dir[i] = '\0';
		if (!all_enabled(dir, ctrls) && cgroup_pids(dir, false, &pids, &n) == 0 && n) {
			undo_created(cr);
			ctu_die("cannot enable %s below %s: it has processes (%d%s), and the cgroup v2 "
				"'no internal processes' rule forbids it; move them to a leaf first "
				"(mkdir %s/init; echo PID > %s/init/cgroup.procs)",
				ctrls, dir, (int)pids[0], n > 1 ? ", ..." : "", dir, dir);
		}
		free(pids);
		dir[i] = parent[i];
	}
}

static void enable_v2(struct ctx *c, const struct hier *h, const char *path, const char *ctrls,
		      struct created *cr)
{
	_cleanup_free_ char *parent = dir_of(h, path);
	const char *fdir = NULL, *fctrl = NULL;
	char *slash = strrchr(parent, '/');
	int r;

	if (!*ctrls)
		return;
	if (slash)
		*slash = '\0';
	if (all_enabled(parent, ctrls))
		return;
	check_internal_processes(h, parent, ctrls, cr);
	r = cgroup_enable(h, path, ctrls, &fdir, &fctrl);
	if (r < 0)
		undo_created(cr);
	if (r == -EBUSY)
		ctu_die("cannot enable %s in %s: cgroup v2 'no internal processes' rule: move the "
			"processes to a leaf first", fctrl, fdir);
	if (r == -EOPNOTSUPP)
		ctu_die("cannot enable %s in %s: the cgroup is 'domain invalid' (a threaded subtree "
			"below a domain); only threaded controllers work there", fctrl, fdir);
	if (r < 0)
		ctu_die("cannot enable %s in %s: %s", fctrl, fdir, strerror(-r));
	(void)c;
}

/* v1 cpuset: a new cgroup starts with no cpus and mems; take the parent's. */
static void inherit_cpuset(const struct hier *h, const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	_cleanup_free_ char *parent = strdup(dir);
	char *slash = parent ? strrchr(parent, '/') : NULL;

	if (h->v2 || !hier_has(h, "cpuset") || !slash)
		return;
	*slash = '\0';
	for (size_t i = 0; i < 2; i++) {
		char value[256] = "", path[1400];

		if (read_file_trimmed(dir, files[i], value, sizeof(value)) == 0 && *value)
			continue;
		if (read_file_trimmed(parent, files[i], value, sizeof(value)) == 0 && *value) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			ctu_write_file(AT_FDCWD, path, value);
		}
	}
}

static void create_cgroup(struct ctx *c, const char *path, const struct settings *all,
			  bool exclusive)
{
	struct created cr = { .n = 0 };
	char ctrls[256];

	if (exclusive) {
		_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);

		if (access(d, F_OK) == 0)
			ctu_die("cgroup %s exists already (%s)", path, d);
	}
	v2_controllers(c, all, ctrls, sizeof(ctrls));
	for (size_t i = 0; i < c->hs.n; i++) {
		struct hier *h = &c->hs.h[i];
		int r;

		size_t first = cr.n;

		r = cgroup_mkdir(h, path, cr.dirs, &cr.n, CTU_ARRAY_SIZE(cr.dirs));
		if (r < 0) {
			undo_created(&cr);
			ctu_die("cannot create cgroup %s in %s: %s", path, h->mnt, strerror(-r));
		}
		if (h->v2)
			enable_v2(c, h, path, ctrls, &cr);
		/* every new level, parents first */
		for (size_t k = first; k < cr.n; k++)
			inherit_cpuset(h, cr.dirs[k]);
	}
	if (apply_settings(c, path, all) < 0) {
		undo_created(&cr);
		exit(ctu_exit_fail);
	}
	for (size_t i = 0; i < cr.n; i++)
		free(cr.dirs[i]);
}

/* ---- commands -------------------------------------------------------------- */

/* --json, --raw and --noheadings are taken after the command too. */
#define OUTPUT_LONGOPTS                                                                            \
	{ "json", no_argument, NULL, 'J' }, { "raw", no_argument, NULL, OPT_RAW },                \
		{ "noheadings", no_argument, NULL, OPT_NOHEADINGS }

static struct ctu_out_flags *out_flags;

/*
 * getopt over a command's own arguments (argv[0] is the command), with the
 * output options handled here.
 */
static int next_opt(int argc, char **argv, const char *optstring, const struct option *longopts)
{
	char opts[64];
	int c;

	snprintf(opts, sizeof(opts), "J%s", optstring);
	for (;;) {
		c = getopt_long(argc, argv, opts, longopts, NULL);
		if (c == 'J')
			out_flags->json = true;
		else if (c == OPT_RAW)
			out_flags->raw = true;
		else if (c == OPT_NOHEADINGS)
			out_flags->noheadings = true;
		else
			break;
	}
	if (c == '?')
		ctu_try_help();
	return c;
}

static const struct option settings_longopts[] = {
	SETTINGS_LONGOPTS,
	OUTPUT_LONGOPTS,
	{ "exclusive", no_argument, NULL, OPT_EXCLUSIVE },
	{ NULL, 0, NULL, 0 },
};

static int cmd_create(struct ctx *c, int argc, char **argv)
{
	struct settings all = { .n = 0 };
	bool exclusive = false;
	const char *path;
	int o;

	while ((o = next_opt(argc, argv, "s:", settings_longopts)) != -1)
		if (!settings_option(&all, o, optarg) && o == OPT_EXCLUSIVE)
			exclusive = true;
	path = path_or_die(argv[optind]);
	if (optind + 1 < argc)
		ctu_usage_error("unexpected argument '%s' (settings go in options)", argv[optind + 1]);
	create_cgroup(c, path, &all, exclusive);
	return CTU_EXIT_OK;
}

static int cmd_set(struct ctx *c, int argc, char **argv)
{
	struct settings all = { .n = 0 };
	const char *path;
	int o;

	while ((o = next_opt(argc, argv, "s:", settings_longopts)) != -1)
		if (!settings_option(&all, o, optarg))
			ctu_usage_error("--exclusive goes with create");
	path = path_or_die(argv[optind]);
	for (int i = optind + 1; i < argc; i++)
		add_setting_kv(&all, argv[i]);
	if (!all.n)
		ctu_usage_error("no setting given");
	require_cgroup(c, path);
	return apply_settings(c, path, &all) < 0 ? CTU_EXIT_FAILURE : CTU_EXIT_OK;
}

/* The cgroup's files, for get --all: every hierarchy, every regular file. */
static int add_all_files(struct ctx *c, const char *path, struct libscols_table *tb)
{
	for (size_t i = 0; i < c->hs.n; i++) {
		_cleanup_free_ char *dir = dir_of(&c->hs.h[i], path);
		_cleanup_closedir_ DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			_cleanup_free_ char *text = NULL;
			char file[1400];

			if (e->d_type != DT_REG)
				continue;
			snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
			if (ctu_read_file(AT_FDCWD, file, &text, NULL) < 0)
				continue; /* write-only files (cgroup.kill) */
			for (char *p = text; *p; p++)
				if (*p == '\n')
					*p = p[1] ? ';' : '\0';
			const char *cells[] = { e->d_name, text };

			if (ctu_out_line(tb, cells, 2) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static const struct ctu_out_column kv_cols[] = {
	{ "KEY", 0.3, SCOLS_JSON_STRING, 0 },
	{ "VALUE", 0.7, SCOLS_JSON_STRING, 0 },
};

static int cmd_get(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const defaults[] = { "memory.max", "pids.max", "cpu.max", "cpu.weight" };
	struct libscols_table *tb;
	bool all = false;
	const char *path;
	int o, failed = 0;

	while ((o = next_opt(argc, argv, "", longopts)) != -1)
		all = o == OPT_ALL;
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	tb = ctu_out_table("settings", kv_cols, 2, &c->out);
	if (!tb)
		ctu_die("out of memory");
	if (all && add_all_files(c, path, tb) < 0)
		ctu_die("out of memory");
	for (int i = optind + 1; !all && i <= argc; i++) {
		const char *key = i < argc ? argv[i] : NULL;
		char value[512];

		/* no keys: the common limits that this host has */
		if (!key && optind + 1 < argc)
			break;
		for (size_t k = 0; !key && k < CTU_ARRAY_SIZE(defaults); k++)
			if (read_value(c, path, defaults[k], value, sizeof(value)) == 0) {
				const char *cells[] = { defaults[k], value };

				ctu_out_line(tb, cells, 2);
			}
		if (!key)
			break;
		if (read_value(c, path, key, value, sizeof(value)) < 0) {
			warnx("cannot read %s of %s: no such setting here", key, path);
			failed = 1;
			continue;
		}
		const char *cells[] = { key, value };

		ctu_out_line(tb, cells, 2);
	}
	if (ctu_out_print(tb) < 0)
		ctu_die("cannot write the output");
	return failed;
}

/* "8:0 rbytes=1 wbytes=2 ..." (v2) or "8:0 Read 1" (v1): the total of @key. */
static uint64_t io_total(const char *dir, bool v2, bool read_side)
{
	_cleanup_free_ char *text = NULL;
	char file[1400];
	uint64_t total = 0;

	snprintf(file, sizeof(file), "%s/%s", dir, v2 ? "io.stat" : "blkio.throttle.io_service_bytes");
	if (ctu_read_file(AT_FDCWD, file, &text, NULL) < 0)
		return 0;
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *key = v2 ? (read_side ? "rbytes=" : "wbytes=") : (read_side ? " Read " : " Write ");
		char *k = strstr(p, key), *nl = strchr(p, '\n');

		if (k && (!nl || k < nl))
			total += strtoull(k + strlen(key), NULL, 10);
	}
	return total;
}

struct metric {
	const char *name;
	char value[64];
};

static void add_metric(struct metric *m, size_t *n, const char *name, uint64_t v, bool ok)
{
	if (!ok)
		return;
	m[*n].name = name;
	snprintf(m[*n].value, sizeof(m[*n].value), "%llu", (unsigned long long)v);
	(*n)++;
}

/* Usage of cgroup @path, from whichever hierarchy holds each controller. */
static size_t collect_stat(struct ctx *c, const char *path, struct metric *m)
{
	struct hier *mem = hier_for(&c->hs, "memory"), *cpu = hier_for(&c->hs, "cpu");
	struct hier *acct = hier_for(&c->hs, "cpuacct"), *pids = hier_for(&c->hs, "pids");
	struct hier *io = hier_for(&c->hs, "io") ? hier_for(&c->hs, "io") : hier_for(&c->hs, "blkio");
	size_t n = 0;
	uint64_t v;
	char text[64];

	if (mem) {
		_cleanup_free_ char *d = dir_of(mem, path);

		if (read_value(c, path, "memory.current", text, sizeof(text)) == 0)
			add_metric(m, &n, "memory.current", strtoull(text, NULL, 10), true);
		if (read_value(c, path, "memory.peak", text, sizeof(text)) == 0)
			add_metric(m, &n, "memory.peak", strtoull(text, NULL, 10), true);
		if (mem->v2) {
			add_metric(m, &n, "memory.events.oom", v, keyed_value(d, "memory.events", "oom", &v) == 0);
			add_metric(m, &n, "memory.events.oom_kill", v,
				   keyed_value(d, "memory.events", "oom_kill", &v) == 0);
		} else {
			add_metric(m, &n, "memory.events.oom_kill", v,
				   keyed_value(d, "memory.oom_control", "oom_kill", &v) == 0);
			add_metric(m, &n, "memory.failcnt", v,
				   read_file_trimmed(d, "memory.failcnt", text, sizeof(text)) == 0 &&
					   ctu_parse_u64(text, &v) == 0);
		}
	}
	if (cpu) {
		_cleanup_free_ char *d = dir_of(cpu, path);

		if (cpu->v2)
			add_metric(m, &n, "cpu.usage_usec", v, keyed_value(d, "cpu.stat", "usage_usec", &v) == 0);
		add_metric(m, &n, "cpu.nr_throttled", v, keyed_value(d, "cpu.stat", "nr_throttled", &v) == 0);
		if (cpu->v2)
			add_metric(m, &n, "cpu.throttled_usec", v,
				   keyed_value(d, "cpu.stat", "throttled_usec", &v) == 0);
		else if (keyed_value(d, "cpu.stat", "throttled_time", &v) == 0)
			add_metric(m, &n, "cpu.throttled_usec", v / 1000, true);
	}
	if (acct && !acct->v2) {
		_cleanup_free_ char *d = dir_of(acct, path);

		if (read_file_trimmed(d, "cpuacct.usage", text, sizeof(text)) == 0)
			add_metric(m, &n, "cpu.usage_usec", strtoull(text, NULL, 10) / 1000, true);
	}
	if (pids && read_value(c, path, "pids.current", text, sizeof(text)) == 0)
		add_metric(m, &n, "pids.current", strtoull(text, NULL, 10), true);
	if (io) {
		_cleanup_free_ char *d = dir_of(io, path);

		add_metric(m, &n, "io.read_bytes", io_total(d, io->v2, true), true);
		add_metric(m, &n, "io.write_bytes", io_total(d, io->v2, false), true);
	}
	{
		_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);
		pid_t *p = NULL;
		size_t np = 0;

		cgroup_pids(d, true, &p, &np);
		add_metric(m, &n, "populated", np > 0, true);
		free(p);
		if (hier_v2(&c->hs)) {
			_cleanup_free_ char *v2d = dir_of(hier_v2(&c->hs), path);

			add_metric(m, &n, "frozen", v, keyed_value(v2d, "cgroup.events", "frozen", &v) == 0);
		}
	}
	return n;
}

static int cmd_stat(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = { OUTPUT_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct metric m[32];
	struct libscols_table *tb;
	const char *path;
	size_t n;

	while (next_opt(argc, argv, "", longopts) != -1)
		;
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	n = collect_stat(c, path, m);
	tb = ctu_out_table("stat", kv_cols, 2, &c->out);
	if (!tb)
		ctu_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = { m[i].name, m[i].value };

		ctu_out_line(tb, cells, 2);
	}
	return ctu_out_print(tb) < 0 ? CTU_EXIT_FAILURE : CTU_EXIT_OK;
}

static void move_into(struct ctx *c, const char *path, pid_t pid, bool threads)
{
	for (size_t i = 0; i < c->hs.n; i++) {
		const struct hier *h = &c->hs.h[i];
		_cleanup_free_ char *d = dir_of(h, path);
		const char *file = threads ? (h->v2 ? "cgroup.threads" : "tasks") : "cgroup.procs";
		int r;

		/* created with -c in some hierarchies only: those are the cgroup */
		if (access(d, F_OK) < 0)
			continue;
		r = cgroup_move(d, file, pid);

		if (r == -ESRCH)
			ctu_die("cannot move %d into %s: no such process", (int)pid, path);
		if (r == -EBUSY || r == -EOPNOTSUPP)
			ctu_die("cannot move %d into %s (%s): the cgroup v2 'no internal processes' "
				"rule: it has controllers enabled for children; use a leaf cgroup",
				(int)pid, path, d);
		if (r < 0)
			ctu_die("cannot move %d into %s (%s): %s", (int)pid, path, d, strerror(-r));
	}
}

static int cmd_attach(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threads", no_argument, NULL, OPT_THREADS },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bool threads = false;
	const char *path;
	int o;

	while ((o = next_opt(argc, argv, "", longopts)) != -1)
		threads = o == OPT_THREADS;
	path = path_or_die(argv[optind]);
	if (optind + 1 >= argc)
		ctu_usage_error("no process given");
	for (int i = optind + 1; i < argc; i++) {
		int64_t pid;

		if (ctu_parse_s64_range(argv[i], 1, INT32_MAX, &pid) < 0)
			ctu_usage_error("invalid pid '%s'", argv[i]);
	}
	require_cgroup(c, path);
	for (int i = optind + 1; i < argc; i++)
		move_into(c, path, (pid_t)atoi(argv[i]), threads);
	return CTU_EXIT_OK;
}

static void exec_option(int o, void *all)
{
	if (o == '?')
		ctu_try_help();
	if (!settings_option(all, o, optarg))
		ctu_usage_error("--exclusive goes with create");
}

static int cmd_exec(struct ctx *c, int argc, char **argv)
{
	struct settings all = { .n = 0 };
	char **program;
	const char *path;

	ctu_set_tool_kind(CTU_TOOL_CHAINING);
	/* settings before and after PATH, up to "--" or the program */
	path = path_or_die(ctu_getopt_around_arg(argc, argv, "+s:", settings_longopts, exec_option,
						 &all, &program));
	if (!*program)
		ctu_usage_error("no program given");
	create_cgroup(c, path, &all, false);
	move_into(c, path, getpid(), false);
	ctu_exec_program(program, 0);
}

static void comm_of(pid_t pid, char *out, size_t size)
{
	char path[64];
	_cleanup_free_ char *text = NULL;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (ctu_read_file(AT_FDCWD, path, &text, NULL) < 0) {
		snprintf(out, size, "?");
		return;
	}
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, size, "%s", text);
}

/* The cgroup of @pid in hierarchy @h, relative to the hierarchy (and base). */
static void cgroup_of(const struct hier *h, pid_t pid, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char path[64], *save = NULL;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (ctu_read_file(AT_FDCWD, path, &text, NULL) < 0)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(l, ':'), *p;

		if (!ctrl || !(p = strchr(++ctrl, ':')))
			continue;
		*p++ = '\0';
		if (h->v2 ? *ctrl == '\0' : !strcmp(ctrl, h->ctrls)) {
			size_t b = strlen(h->base);

			snprintf(out, size, "%s", !strncmp(p, h->base, b) && b ? (p[b] ? p + b : "/") : p);
			return;
		}
	}
}

static int cmd_procs(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct ctu_out_column cols[] = {
		{ "PID", 6, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "COMM", 16, SCOLS_JSON_STRING, 0 },
		{ "CGROUP", 0.5, SCOLS_JSON_STRING, 0 },
	};
	bool recursive = false;
	struct libscols_table *tb;
	_cleanup_free_ char *dir = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	const char *path;
	int o;

	while ((o = next_opt(argc, argv, "r", longopts)) != -1)
		recursive = o == 'r';
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	dir = dir_of(&c->hs.h[0], path);
	if (cgroup_pids(dir, recursive, &pids, &n) < 0)
		ctu_die("cannot read the processes of %s: %s", path, strerror(errno));
	tb = ctu_out_table("processes", cols, 3, &c->out);
	for (size_t i = 0; tb && i < n; i++) {
		char pid[16], comm[64], cg[1024];
		const char *cells[] = { pid, comm, cg };

		snprintf(pid, sizeof(pid), "%d", (int)pids[i]);
		comm_of(pids[i], comm, sizeof(comm));
		cgroup_of(&c->hs.h[0], pids[i], cg, sizeof(cg));
		ctu_out_line(tb, cells, 3);
	}
	free(pids);
	if (!tb || ctu_out_print(tb) < 0)
		ctu_die("cannot write the output");
	return CTU_EXIT_OK;
}

/* ---- ls ---------------------------------------------------------------------- */

static const struct ctu_out_column ls_cols[] = {
	{ "PATH", 0.3, SCOLS_JSON_STRING, SCOLS_FL_TREE },
	{ "PROCS", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	{ "MEMORY.CURRENT", 10, SCOLS_JSON_STRING, SCOLS_FL_RIGHT },
	{ "MEMORY.MAX", 10, SCOLS_JSON_STRING, SCOLS_FL_RIGHT },
	{ "PIDS.CURRENT", 5, SCOLS_JSON_STRING, SCOLS_FL_RIGHT },
	{ "PIDS.MAX", 5, SCOLS_JSON_STRING, SCOLS_FL_RIGHT },
	{ "CPU.MAX", 12, SCOLS_JSON_STRING, SCOLS_FL_RIGHT },
};

struct ls_walk {
	struct ctx *c;
	struct libscols_table *tb;
	bool show[CTU_ARRAY_SIZE(ls_cols)];
};

static void ls_cell(struct ls_walk *w, struct libscols_line *ln, size_t col, const char *path)
{
	static const char *const keys[] = { NULL, NULL, "memory.current", "memory.max",
					    "pids.current", "pids.max", "cpu.max" };
	char value[256] = "";
	size_t out_col = 0;

	for (size_t i = 0; i < col; i++)
		out_col += w->show[i];
	if (!w->show[col])
		return;
	if (col == 1) {
		_cleanup_free_ char *d = dir_of(&w->c->hs.h[0], path);
		pid_t *p = NULL;
		size_t n = 0;

		cgroup_pids(d, false, &p, &n);
		free(p);
		snprintf(value, sizeof(value), "%zu", n);
	} else if (keys[col] && read_value(w->c, path, keys[col], value, sizeof(value)) < 0) {
		return;
	}
	scols_line_set_data(ln, out_col, value);
}

static void ls_tree(struct ls_walk *w, const char *path, const char *name,
		    struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(w->tb, parent);
	_cleanup_free_ char *dir = dir_of(&w->c->hs.h[0], path);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (!ln)
		ctu_die("out of memory");
	if (w->show[0])
		scols_line_set_data(ln, 0, name);
	for (size_t col = 1; col < CTU_ARRAY_SIZE(ls_cols); col++)
		ls_cell(w, ln, col, path);
	while (d && (e = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
			ctu_die("out of memory");
		ls_tree(w, child, e->d_name, ln);
	}
}

/* -o PATH,PROCS,MEMORY.MAX (case-insensitive). */
static void select_columns(struct ls_walk *w, const char *list)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;

	memset(w->show, 0, sizeof(w->show));
	for (char *n = copy ? strtok_r(copy, ",", &save) : NULL; n; n = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < CTU_ARRAY_SIZE(ls_cols); i++)
			if (!strcasecmp(n, ls_cols[i].name))
				break;
		if (i == CTU_ARRAY_SIZE(ls_cols))
			ctu_usage_error("unknown column '%s'", n);
		w->show[i] = true;
	}
}

static int cmd_ls(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ls_walk w = { .c = c };
	struct ctu_out_column cols[CTU_ARRAY_SIZE(ls_cols)];
	size_t n = 0;
	const char *path = "";
	int o;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(ls_cols); i++)
		w.show[i] = true;
	while ((o = next_opt(argc, argv, "o:", longopts)) != -1)
		select_columns(&w, optarg);
	if (argv[optind])
		path = path_or_die(argv[optind]);
	if (*path)
		require_cgroup(c, path);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(ls_cols); i++)
		if (w.show[i])
			cols[n++] = ls_cols[i];
	w.tb = ctu_out_table("cgroups", cols, n, &c->out);
	if (!w.tb)
		ctu_die("out of memory");
	ls_tree(&w, path, *path ? path : "/", NULL);
	return ctu_out_print(w.tb) < 0 ? CTU_EXIT_FAILURE : CTU_EXIT_OK;
}

static int cmd_which(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = { OUTPUT_LONGOPTS, { NULL, 0, NULL, 0 } };
	static const struct ctu_out_column cols[] = {
		{ "HIERARCHY", 0.3, SCOLS_JSON_STRING, 0 },
		{ "CONTROLLERS", 0.2, SCOLS_JSON_STRING, 0 },
		{ "CGROUP", 0.5, SCOLS_JSON_STRING, 0 },
	};
	struct libscols_table *tb;
	int64_t pid;
	char probe[64];

	while (next_opt(argc, argv, "", longopts) != -1)
		;
	if (!argv[optind] || ctu_parse_s64_range(argv[optind], 1, INT32_MAX, &pid) < 0)
		ctu_usage_error("invalid pid '%s'", argv[optind] ? argv[optind] : "");
	snprintf(probe, sizeof(probe), "/proc/%d/cgroup", (int)pid);
	if (access(probe, R_OK) < 0)
		ctu_die("no process %d", (int)pid);
	tb = ctu_out_table("cgroups", cols, 3, &c->out);
	for (size_t i = 0; tb && i < c->hs.n; i++) {
		char cg[1024];
		const char *cells[] = { c->hs.h[i].mnt, c->hs.h[i].v2 ? "(v2)" : c->hs.h[i].ctrls, cg };

		cgroup_of(&c->hs.h[i], (pid_t)pid, cg, sizeof(cg));
		ctu_out_line(tb, cells, 3);
	}
	if (!tb || ctu_out_print(tb) < 0)
		ctu_die("cannot write the output");
	return CTU_EXIT_OK;
}

/* ---- freeze, thaw, kill, wait, delete ------------------------------------------- */

/* v2 cgroup.freeze where it exists, else the v1 freezer. */
static int set_frozen(struct ctx *c, const char *path, bool frozen, int timeout_ms)
{
	struct hier *v2 = hier_v2(&c->hs), *v1 = NULL;

	for (size_t i = 0; i < c->hs.n; i++)
		if (!c->hs.h[i].v2 && hier_has(&c->hs.h[i], "freezer"))
			v1 = &c->hs.h[i];
	if (v2) {
		_cleanup_free_ char *d = dir_of(v2, path);

		if (cgroup_has_file(d, "cgroup.freeze")) {
			char file[1400];
			int r;

			snprintf(file, sizeof(file), "%s/cgroup.freeze", d);
			r = ctu_write_file(AT_FDCWD, file, frozen ? "1" : "0");
			return r < 0 ? r : cgroup_wait_event(d, "frozen", frozen, timeout_ms);
		}
	}
	if (v1) {
		_cleanup_free_ char *d = dir_of(v1, path);
		const char *want = frozen ? "FROZEN" : "THAWED";
		char file[1400], state[32];
		int r;

		snprintf(file, sizeof(file), "%s/freezer.state", d);
		r = ctu_write_file(AT_FDCWD, file, want);
		for (int waited = 0; r == 0; waited += 10) {
			if (read_file_trimmed(d, "freezer.state", state, sizeof(state)) == 0 &&
			    !strcmp(state, want))
				return 0;
			if (timeout_ms >= 0 && waited >= timeout_ms)
				return -ETIMEDOUT;
			usleep(10000);
		}
		return r;
	}
	return -ENODEV;
}

static int freeze_cmd(struct ctx *c, int argc, char **argv, bool frozen)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int timeout_ms = 10000, o, r;
	const char *path;

	while ((o = next_opt(argc, argv, "", longopts)) != -1)
		timeout_ms = (int)parse_timeout_ms(optarg);
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	r = set_frozen(c, path, frozen, timeout_ms);
	if (r == -ENODEV)
		ctu_die("cannot %s %s: no cgroup.freeze and no freezer controller here",
			frozen ? "freeze" : "thaw", path);
	if (r == -ETIMEDOUT)
		ctu_die("%s did not %s within the timeout", path, frozen ? "freeze" : "thaw");
	if (r < 0)
		ctu_die("cannot %s %s: %s", frozen ? "freeze" : "thaw", path, strerror(-r));
	return CTU_EXIT_OK;
}

static int cmd_freeze(struct ctx *c, int argc, char **argv)
{
	return freeze_cmd(c, argc, argv, true);
}

static int cmd_thaw(struct ctx *c, int argc, char **argv)
{
	return freeze_cmd(c, argc, argv, false);
}

/* Signals every process, through a pidfd so a recycled pid is never hit. */
static void signal_all(const char *dir, bool recursive, int sig)
{
	pid_t *pids = NULL;
	size_t n = 0;

	cgroup_pids(dir, recursive, &pids, &n);
	for (size_t i = 0; i < n; i++) {
		int fd = ctu_pidfd_open(pids[i], 0);

		if (fd >= 0) {
			ctu_pidfd_send_signal(fd, sig);
			close(fd);
		}
	}
	free(pids);
}

/*
 * cgroup.kill for SIGKILL (Linux 5.14): the kernel kills the whole subtree,
 * forks included.  Otherwise freeze, signal each process, thaw, so that no
 * process escapes by forking meanwhile.
 */
static void kill_cgroup(struct ctx *c, const char *path, int sig, bool recursive)
{
	struct hier *v2 = hier_v2(&c->hs);
	_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);
	bool frozen;

	if (v2 && sig == SIGKILL) {
		_cleanup_free_ char *vd = dir_of(v2, path);
		char file[1400];

		snprintf(file, sizeof(file), "%s/cgroup.kill", vd);
		if (cgroup_has_file(vd, "cgroup.kill") && ctu_write_file(AT_FDCWD, file, "1") == 0)
			return;
	}
	frozen = set_frozen(c, path, true, 2000) == 0;
	signal_all(d, recursive, sig);
	if (frozen)
		set_frozen(c, path, false, 2000);
}

static int cmd_kill(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "recursive", no_argument, NULL, 'r' },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int sig = SIGKILL, o;
	bool recursive = false;
	const char *path;

	while ((o = next_opt(argc, argv, "s:r", longopts)) != -1) {
		if (o == 'r')
			recursive = true;
		else if (ctu_parse_signal(optarg, &sig) < 0)
			ctu_usage_error("unknown signal '%s'", optarg);
	}
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	kill_cgroup(c, path, sig, recursive);
	return CTU_EXIT_OK;
}

/* Until no process is left: cgroup.events on v2, polling cgroup.procs on v1. */
static int wait_empty(struct ctx *c, const char *path, int timeout_ms)
{
	struct hier *v2 = hier_v2(&c->hs);
	_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);

	if (v2) {
		_cleanup_free_ char *vd = dir_of(v2, path);

		if (cgroup_has_file(vd, "cgroup.events"))
			return cgroup_wait_event(vd, "populated", 0, timeout_ms);
	}
	for (int waited = 0;; waited += 50) {
		pid_t *p = NULL;
		size_t n = 0;

		cgroup_pids(d, true, &p, &n);
		free(p);
		if (!n)
			return 0;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(50000);
	}
}

static int cmd_wait(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int timeout_ms = -1, o, r;
	const char *path;

	while ((o = next_opt(argc, argv, "", longopts)) != -1)
		timeout_ms = (int)parse_timeout_ms(optarg);
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	r = wait_empty(c, path, timeout_ms);
	if (r == -ETIMEDOUT)
		ctu_die("%s still has processes after the timeout", path);
	if (r < 0)
		ctu_die("cannot wait for %s: %s", path, strerror(-r));
	return CTU_EXIT_OK;
}

/* rmdir children first; EBUSY (a process just exiting) retried for a while. */
static int remove_tree(const char *dir, bool recursive, int tries)
{
	if (recursive) {
		_cleanup_closedir_ DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char sub[1400];
			int r;

			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
			r = remove_tree(sub, true, tries);
			if (r < 0)
				return r;
		}
	}
	for (int i = 0; rmdir(dir) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= tries)
			return -errno;
		usleep(10000);
	}
	return 0;
}

static int cmd_delete(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "kill", no_argument, NULL, OPT_KILL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bool recursive = false, kill_first = false;
	int timeout_ms = 10000, o;
	const char *path;
	_cleanup_free_ char *d = NULL;
	pid_t *pids = NULL;
	size_t n = 0;

	while ((o = next_opt(argc, argv, "r", longopts)) != -1) {
		if (o == 'r')
			recursive = true;
		else if (o == OPT_KILL)
			kill_first = true;
		else
			timeout_ms = (int)parse_timeout_ms(optarg);
	}
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	d = dir_of(&c->hs.h[0], path);
	if (kill_first) {
		kill_cgroup(c, path, SIGKILL, true);
		if (wait_empty(c, path, timeout_ms) < 0)
			ctu_die("the processes of %s did not end within the timeout", path);
	}
	cgroup_pids(d, recursive, &pids, &n);
	if (n) {
		ctu_die("cgroup %s has processes (%d%s): stop them first, or use --kill", path,
			(int)pids[0], n > 1 ? ", ..." : "");
	}
	free(pids);
	for (size_t i = 0; i < c->hs.n; i++) {
		_cleanup_free_ char *hd = dir_of(&c->hs.h[i], path);
		int r = remove_tree(hd, recursive, kill_first ? 500 : 50);

		if (r == -EBUSY && !recursive)
			ctu_die("cannot delete %s (%s): it has child cgroups; use -r", path, hd);
		if (r < 0)
			ctu_die("cannot delete %s (%s): %s", path, hd, strerror(-r));
	}
	return CTU_EXIT_OK;
}

/* ---- top ---------------------------------------------------------------------- */

struct top_row {
	char path[1024];
	uint64_t usage_usec, prev_usec;
	double cpu_pct;
	char memory[32], pids[16];
};

static void top_collect(struct ctx *c, const char *path, struct top_row *rows, size_t *n, size_t cap)
{
	_cleanup_free_ char *dir = dir_of(&c->hs.h[0], path);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (*n < cap) {
		snprintf(rows[*n].path, sizeof(rows[*n].path), "%s", *path ? path : "/");
		(*n)++;
	}
	d = opendir(dir);
	while (d && (e = readdir(d)) && *n < cap) {
		_cleanup_free_ char *child = NULL;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
			ctu_die("out of memory");
		top_collect(c, child, rows, n, cap);
	}
}

static void top_sample(struct ctx *c, struct top_row *r)
{
	struct metric m[32];
	size_t n = collect_stat(c, strcmp(r->path, "/") ? r->path : "", m);

	r->prev_usec = r->usage_usec;
	snprintf(r->memory, sizeof(r->memory), "-");
	snprintf(r->pids, sizeof(r->pids), "-");
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i].name, "cpu.usage_usec"))
			r->usage_usec = strtoull(m[i].value, NULL, 10);
		else if (!strcmp(m[i].name, "memory.current"))
			snprintf(r->memory, sizeof(r->memory), "%s", m[i].value);
		else if (!strcmp(m[i].name, "pids.current"))
			snprintf(r->pids, sizeof(r->pids), "%s", m[i].value);
	}
}

static int by_cpu(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return (y->cpu_pct > x->cpu_pct) - (y->cpu_pct < x->cpu_pct);
}

static void top_print(struct ctx *c, struct top_row *rows, size_t n)
{
	static const struct ctu_out_column cols[] = {
		{ "CGROUP", 0.5, SCOLS_JSON_STRING, 0 },
		{ "CPU%", 6, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "MEMORY", 10, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "PIDS", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	};
	struct libscols_table *tb = ctu_out_table("top", cols, 4, &c->out);

	qsort(rows, n, sizeof(*rows), by_cpu);
	for (size_t i = 0; tb && i < n; i++) {
		char cpu[16];
		const char *cells[] = { rows[i].path, cpu, rows[i].memory, rows[i].pids };

		snprintf(cpu, sizeof(cpu), "%.1f", rows[i].cpu_pct);
		ctu_out_line(tb, cells, 4);
	}
	if (!tb || ctu_out_print(tb) < 0)
		ctu_die("cannot write the output");
	fflush(stdout);
}

static int cmd_top(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static struct top_row rows[512];
	bool batch = !isatty(STDOUT_FILENO);
	uint64_t iterations = 0, delay_usec = 1000000;
	const char *path = "";
	size_t n = 0;
	int o;

	while ((o = next_opt(argc, argv, "bn:d:", longopts)) != -1) {
		if (o == 'b')
			batch = true;
		else if (o == 'n' && ctu_parse_u64_range(optarg, 1, UINT32_MAX, &iterations) < 0)
			ctu_usage_error("invalid --iterations '%s'", optarg);
		else if (o == 'd' && (ctu_parse_duration(optarg, &delay_usec) < 0 || !delay_usec))
			ctu_usage_error("invalid --delay '%s'", optarg);
	}
	if (argv[optind])
		path = path_or_die(argv[optind]);
	if (*path)
		require_cgroup(c, path);
	if (!iterations && batch)
		iterations = 1;
	top_collect(c, path, rows, &n, CTU_ARRAY_SIZE(rows));
	for (size_t i = 0; i < n; i++)
		top_sample(c, &rows[i]);
	for (uint64_t it = 0; !iterations || it < iterations; it++) {
		usleep((useconds_t)delay_usec);
		for (size_t i = 0; i < n; i++) {
			top_sample(c, &rows[i]);
			rows[i].cpu_pct = 100.0 * (double)(rows[i].usage_usec - rows[i].prev_usec) /
					  (double)delay_usec;
		}
		if (!batch)
			fputs("\033[H\033[2J", stdout);
		else if (it)
			putchar('\n');
		top_print(c, rows, n);
	}
	return CTU_EXIT_OK;
}

/* ---- main ------------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(struct ctx *c, int argc, char **argv);
} commands[] = {
	{ "create", cmd_create }, { "set", cmd_set },	  { "get", cmd_get },
	{ "stat", cmd_stat },	  { "attach", cmd_attach }, { "exec", cmd_exec },
	{ "procs", cmd_procs },	  { "ls", cmd_ls },	  { "which", cmd_which },
	{ "freeze", cmd_freeze }, { "thaw", cmd_thaw },	  { "kill", cmd_kill },
	{ "wait", cmd_wait },	  { "delete", cmd_delete }, { "top", cmd_top },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "self", no_argument, NULL, OPT_SELF },
		{ "controllers", required_argument, NULL, 'c' },
		OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { .root = getenv("CGCTL_ROOT") };
	int o, r;

	ctu_init(CTU_TOOL_PLAIN);
	while ((o = getopt_long(argc, argv, "+c:JhV", longopts, NULL)) != -1) {
		switch (o) {
		case OPT_ROOT:
			c.root = optarg;
			break;
		case OPT_SELF:
			c.self = true;
			break;
		case 'c':
			if (!*optarg)
				ctu_usage_error("empty controller list");
			c.ctrls = optarg;
			break;
		case 'J':
			c.out.json = true;
			break;
		case OPT_RAW:
			c.out.raw = true;
			break;
		case OPT_NOHEADINGS:
			c.out.noheadings = true;
			break;
		case 'h':
			usage();
		case 'V':
			ctu_version_and_exit();
		default:
			ctu_try_help();
		}
	}
	if (optind >= argc)
		ctu_usage_error("no command given");
	for (size_t i = 0; i < CTU_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (c.root && *c.root) {
			struct stat s;

			if (stat(c.root, &s) < 0 || !S_ISDIR(s.st_mode))
				ctu_usage_error("invalid --root '%s': not a directory", c.root);
		}
		r = hiers_detect(&c.hs, c.root && *c.root ? c.root : NULL, c.self, c.ctrls);
		if (r < 0)
			ctu_die("no cgroup hierarchy found%s", c.ctrls ? " for those controllers" : "");
		out_flags = &c.out;
		argv += optind;
		argc -= optind;
		optind = 0; /* glibc: start afresh for the command's options */
		return commands[i].fn(&c, argc, argv);
	}
	ctu_usage_error("unknown command '%s'", argv[optind]);
}
