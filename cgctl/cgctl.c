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
#include "cgctl.h"
#include "hier.h"
#include "out.h"
#include "parse.h"
#include "proc.h"
#include "settings.h"

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
	      "     --preserve-fds <n>    exec: pass file descriptors 3 to 3+<n>-1 on\n"
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

uint64_t parse_timeout_ms(const char *arg)
{
	uint64_t usec;

	if (ctu_parse_duration(arg, &usec) < 0 || usec / 1000 > INT_MAX)
		ctu_usage_error("invalid --timeout '%s': expected a duration (10, 500ms, 2m)", arg);
	return usec / 1000;
}

/* ---- paths and values ----------------------------------------------------------- */

const char *path_or_die(const char *path)
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

char *dir_of(const struct hier *h, const char *path)
{
	char *d = hier_dir(h, path);

	if (!d)
		ctu_die("out of memory");
	return d;
}

/*
 * The cgroup must exist in some hierarchy: one made with -c lives in those
 * only, and each command then acts where it is.
 */
void require_cgroup(struct ctx *c, const char *path)
{
	_cleanup_free_ char *first = dir_of(&c->hs.h[0], path);
	struct stat s;

	for (size_t i = 0; i < c->hs.n; i++) {
		_cleanup_free_ char *d = dir_of(&c->hs.h[i], path);

		if (d && stat(d, &s) == 0 && S_ISDIR(s.st_mode))
			return;
	}
	ctu_die("no cgroup %s (%s)", path, first);
}

int read_file_trimmed(const char *dir, const char *file, char *out, size_t size)
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
int keyed_value(const char *dir, const char *file, const char *key, uint64_t *v)
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
int read_value(struct ctx *c, const char *path, const char *key, char *out, size_t size)
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
		struct write_op ops[2] = { 0 };
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

/* A -c name as cgroup v2 calls it: v1 names of v2 controllers are mapped. */
static const char *v2_name(const char *name)
{
	return !strcmp(name, "blkio") ? "io" : !strcmp(name, "cpuacct") ? "cpu" : name;
}

/* freezer and devices are v1 controllers that cgroup v2 builds into its core. */
static bool v2_builtin(const char *name)
{
	return !strcmp(name, "freezer") || !strcmp(name, "devices");
}

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
			const char *v2 = v2_name(w);

			if (v2_builtin(w) || strstr(out, v2) ||
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

/*
 * EOPNOTSUPP from cgroup.subtree_control: a threaded subtree.  Its root
 * ("domain threaded") and members ("threaded") take threaded controllers
 * only; a "domain invalid" cgroup inside one takes none.
 */
static noreturn void die_threaded(const char *ctrl, const char *dir)
{
	char type[64] = "";

	read_file_trimmed(dir, "cgroup.type", type, sizeof(type));
	if (strcmp(type, "domain invalid") == 0)
		ctu_die("cannot enable %s in %s: the cgroup is 'domain invalid' (a domain "
			"below a threaded subtree's root): no controller works there", ctrl, dir);
	ctu_die("cannot enable %s in %s: the cgroup is '%s', part of a threaded subtree: only "
		"threaded controllers (cpu, cpuset, perf_event, pids) work there", ctrl, dir,
		*type ? type : "threaded");
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
		die_threaded(fctrl, fdir);
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
		return; // cppcheck-suppress memleak ; freed by _cleanup_free_, unknown to cppcheck
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

/*
 * Creates @path in every hierarchy with @all applied, or undoes it all and
 * exits.  With @made, what was made is left there for the caller to undo if
 * a later step fails; otherwise forgotten.
 */
static void create_cgroup(struct ctx *c, const char *path, const struct settings *all,
			  bool exclusive, struct created *made)
{
	struct created forgotten = { .n = 0 }, *cr = made ? made : &forgotten;
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

		size_t first = cr->n;

		r = cgroup_mkdir(h, path, cr->dirs, &cr->n, CTU_ARRAY_SIZE(cr->dirs));
		if (r < 0) {
			undo_created(cr);
			ctu_die("cannot create cgroup %s in %s: %s", path, h->mnt, strerror(-r));
		}
		if (h->v2)
			enable_v2(c, h, path, ctrls, cr);
		/* every new level, parents first */
		for (size_t k = first; k < cr->n; k++)
			inherit_cpuset(h, cr->dirs[k]);
	}
	if (apply_settings(c, path, all) < 0) {
		undo_created(cr);
		exit(ctu_exit_fail);
	}
	for (size_t i = 0; !made && i < cr->n; i++)
		free(cr->dirs[i]);
}

/* On v2, the controllers @all needs enabled above @path, as create does. */
static void enable_for_settings(struct ctx *c, const char *path, const struct settings *all)
{
	struct created none = { .n = 0 };
	char ctrls[256];

	v2_controllers(c, all, ctrls, sizeof(ctrls));
	for (size_t i = 0; i < c->hs.n; i++)
		if (c->hs.h[i].v2)
			enable_v2(c, &c->hs.h[i], path, ctrls, &none);
}

/* ---- commands -------------------------------------------------------------- */


struct ctu_out_flags *out_flags;

/*
 * getopt over a command's own arguments (argv[0] is the command), with the
 * output options handled here.
 */
int next_opt(int argc, char **argv, const char *optstring, const struct option *longopts)
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

int cmd_create(struct ctx *c, int argc, char **argv)
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
	create_cgroup(c, path, &all, exclusive, NULL);
	return CTU_EXIT_OK;
}

int cmd_set(struct ctx *c, int argc, char **argv)
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
	enable_for_settings(c, path, &all);
	return apply_settings(c, path, &all) < 0 ? CTU_EXIT_FAILURE : CTU_EXIT_OK;
}

/* The cgroup's files, for get --all: every hierarchy, every regular file. */
static noreturn void die_moving(pid_t pid, const char *path, const char *dir, int r)
{
	if (r == -ESRCH)
		ctu_die("cannot move %d into %s: no such process", (int)pid, path);
	if (r == -EBUSY || r == -EOPNOTSUPP)
		ctu_die("cannot move %d into %s (%s): the cgroup v2 'no internal processes' "
			"rule: it has controllers enabled for children; use a leaf cgroup",
			(int)pid, path, dir);
	ctu_die("cannot move %d into %s (%s): %s", (int)pid, path, dir, strerror(-r));
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
		if (r < 0)
			die_moving(pid, path, d, r);
	}
}

/*
 * exec: ourselves into the cgroup @made for us in every hierarchy, or, when one
 * move fails, back where we were in those done so far, @made removed, and out.
 */
static void move_self_or_undo(struct ctx *c, const char *path, struct created *made)
{
	static char origin[CTU_ARRAY_SIZE(c->hs.h)][1024];
	pid_t self = getpid();

	for (size_t i = 0; i < c->hs.n; i++)
		hier_own_dir(&c->hs.h[i], origin[i], sizeof(origin[i]));
	for (size_t i = 0; i < c->hs.n; i++) {
		_cleanup_free_ char *d = dir_of(&c->hs.h[i], path);
		int r;

		if (access(d, F_OK) < 0)
			continue;
		r = cgroup_move(d, "cgroup.procs", self);
		if (r == 0)
			continue;
		while (i-- > 0)
			cgroup_move(origin[i], "cgroup.procs", self);
		undo_created(made);
		die_moving(self, path, d, r);
	}
}

int cmd_attach(struct ctx *c, int argc, char **argv)
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

static const struct option exec_longopts[] = {
	SETTINGS_LONGOPTS,
	OUTPUT_LONGOPTS,
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ NULL, 0, NULL, 0 },
};

static unsigned int exec_preserve_fds;

static void exec_option(int o, void *all)
{
	if (o == '?')
		ctu_try_help();
	ctu_err_t err = NULL;

	if (o == OPT_PRESERVE_FDS) {
		if (ctu_preserve_fds_arg(optarg, &exec_preserve_fds, &err) < 0)
			ctu_err_exit(&err);
	} else if (!settings_option(all, o, optarg))
		ctu_usage_error("unknown option for exec");
}

int cmd_exec(struct ctx *c, int argc, char **argv)
{
	static struct created made;
	struct settings all = { .n = 0 };
	char **program;
	const char *path;

	ctu_set_tool_kind(CTU_TOOL_CHAINING);
	/* settings before and after PATH, up to "--" or the program */
	path = path_or_die(ctu_getopt_around_arg(argc, argv, "+s:", exec_longopts, exec_option,
						 &all, &program));
	if (!*program)
		ctu_usage_error("no program given");
	create_cgroup(c, path, &all, false, &made);
	move_self_or_undo(c, path, &made);
	ctu_exec_program(program, exec_preserve_fds);
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

/*
 * -c names only controllers this host has: in a v1 hierarchy, offered by the
 * v2 one, or built into it.  A fake tree (--root) takes any name.
 */
static void check_controllers_known(struct hiers *hs, const char *list)
{
	_cleanup_free_ char *copy = list ? strdup(list) : NULL;
	struct hier *v2 = hier_v2(hs);
	char *save = NULL;

	if (!copy || hs->layout == LAYOUT_FAKE)
		return;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		bool found = v2 && (v2_builtin(name) || hier_for(hs, v2_name(name)) == v2);

		for (size_t i = 0; i < hs->n && !found; i++)
			found = !hs->h[i].v2 && hier_has(&hs->h[i], name);
		if (!found)
			ctu_usage_error("unknown controller '%s' in --controllers: this host has no "
					"hierarchy for it", name);
	}
}

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
		if (r == -ENOENT)
			ctu_die("no cgroup hierarchy found%s", c.ctrls ? " for those controllers" : "");
		if (r < 0)
			ctu_die_errno(r, "cannot tell the cgroup layout from /sys/fs/cgroup");
		check_controllers_known(&c.hs, c.ctrls);
		out_flags = &c.out;
		argv += optind;
		argc -= optind;
		optind = 0; /* glibc: start afresh for the command's options */
		return commands[i].fn(&c, argc, argv);
	}
	ctu_usage_error("unknown command '%s'", argv[optind]);
}

