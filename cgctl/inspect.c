// SPDX-License-Identifier: GPL-2.0-or-later
/* inspect.c - cgctl's read-only commands: get, stat, procs, ls, which, top. */
#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgctl.h"
#include "ctu.h"
#include "parse.h"
#include "proc.h"
#include "settings.h"

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

int cmd_get(struct ctx *c, int argc, char **argv)
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


static void add_metric(struct metric *m, size_t *n, const char *name, uint64_t v)
{
	m[*n].name = name;
	snprintf(m[*n].value, sizeof(m[*n].value), "%llu", (unsigned long long)v);
	(*n)++;
}

/*
 * The metric @name from the "key value" line @key of @dir/@file, if there is one.
 * (Read before the metric is added: as arguments of one call, the read and the
 * value would be evaluated in no defined order.)
 */
static void add_keyed(struct metric *m, size_t *n, const char *name, const char *dir,
		      const char *file, const char *key)
{
	uint64_t v;

	if (keyed_value(dir, file, key, &v) == 0)
		add_metric(m, n, name, v);
}

/* Usage of cgroup @path, from whichever hierarchy holds each controller. */
size_t collect_stat(struct ctx *c, const char *path, struct metric *m)
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
			add_metric(m, &n, "memory.current", strtoull(text, NULL, 10));
		if (read_value(c, path, "memory.peak", text, sizeof(text)) == 0)
			add_metric(m, &n, "memory.peak", strtoull(text, NULL, 10));
		if (mem->v2) {
			add_keyed(m, &n, "memory.events.oom", d, "memory.events", "oom");
			add_keyed(m, &n, "memory.events.oom_kill", d, "memory.events", "oom_kill");
		} else {
			add_keyed(m, &n, "memory.events.oom_kill", d, "memory.oom_control", "oom_kill");
			if (read_file_trimmed(d, "memory.failcnt", text, sizeof(text)) == 0 &&
			    ctu_parse_u64(text, &v) == 0)
				add_metric(m, &n, "memory.failcnt", v);
		}
	}
	if (cpu) {
		_cleanup_free_ char *d = dir_of(cpu, path);

		if (cpu->v2)
			add_keyed(m, &n, "cpu.usage_usec", d, "cpu.stat", "usage_usec");
		add_keyed(m, &n, "cpu.nr_throttled", d, "cpu.stat", "nr_throttled");
		if (cpu->v2)
			add_keyed(m, &n, "cpu.throttled_usec", d, "cpu.stat", "throttled_usec");
		else if (keyed_value(d, "cpu.stat", "throttled_time", &v) == 0)
			add_metric(m, &n, "cpu.throttled_usec", v / 1000);
	}
	if (acct && !acct->v2) {
		_cleanup_free_ char *d = dir_of(acct, path);

		if (read_file_trimmed(d, "cpuacct.usage", text, sizeof(text)) == 0)
			add_metric(m, &n, "cpu.usage_usec", strtoull(text, NULL, 10) / 1000);
	}
	if (pids && read_value(c, path, "pids.current", text, sizeof(text)) == 0)
		add_metric(m, &n, "pids.current", strtoull(text, NULL, 10));
	if (io) {
		_cleanup_free_ char *d = dir_of(io, path);

		add_metric(m, &n, "io.read_bytes", io_total(d, io->v2, true));
		add_metric(m, &n, "io.write_bytes", io_total(d, io->v2, false));
	}
	{
		_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);
		pid_t *p = NULL;
		size_t np = 0;

		cgroup_pids(d, true, &p, &np);
		add_metric(m, &n, "populated", np > 0);
		free(p);
		if (hier_v2(&c->hs)) {
			_cleanup_free_ char *v2d = dir_of(hier_v2(&c->hs), path);

			add_keyed(m, &n, "frozen", v2d, "cgroup.events", "frozen");
		}
	}
	return n;
}

int cmd_stat(struct ctx *c, int argc, char **argv)
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

int cmd_procs(struct ctx *c, int argc, char **argv)
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

int cmd_ls(struct ctx *c, int argc, char **argv)
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

	for (size_t i = 0; i < CTU_ARRAY_SIZE(ls_cols); i++)
		w.show[i] = true;
	while (next_opt(argc, argv, "o:", longopts) != -1)
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

int cmd_which(struct ctx *c, int argc, char **argv)
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

int cmd_top(struct ctx *c, int argc, char **argv)
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

