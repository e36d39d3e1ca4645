// SPDX-License-Identifier: GPL-2.0-or-later
/* inspect.c - cgctl's read-only commands: get, stat, procs, ls, which (top: top.c). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgctl.h"
#include "ctu.h"
#include "parse.h"
#include "settings.h"

static int add_all_files(struct ctx *c, const char *path, struct libscols_table *tb,
			 ctu_err_t *err)
{
	for (size_t i = 0; i < c->hs.n; i++) {
		char dir[CTU_CG_DIR_MAX];
		_cleanup_closedir_ DIR *d = opendir(ctu_cg_dir(&c->hs.h[i], path, dir));
		struct dirent *e;

		while (d && (e = readdir(d))) {
			_cleanup_free_ char *text = NULL;
			char file[CTU_CG_DIR_MAX + 256];

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
				return ctu_err_make(err, ENOMEM, "cannot list the files of %s", path);
		}
	}
	return 0;
}

/* A table for the output, or an error. */
static int new_table(struct libscols_table **tb, const char *name,
		     const struct ctu_out_column *cols, size_t n, struct ctx *c, ctu_err_t *err)
{
	*tb = ctu_out_table(name, cols, n, &c->out);
	return *tb ? 0 : ctu_err_make(err, ENOMEM, "cannot make the %s table", name);
}

/* Prints @tb (and frees it): 0, or an error. */
static int print_table(struct libscols_table *tb, ctu_err_t *err)
{
	return ctu_out_print(tb) < 0 ? ctu_err_make(err, 0, "cannot write the output") : 0;
}

static const struct ctu_out_column kv_cols[] = {
	{ "KEY", 0.3, SCOLS_JSON_STRING, 0 },
	{ "VALUE", 0.7, SCOLS_JSON_STRING, 0 },
};

/* One KEY VALUE line for @key: false (warned) when the cgroup has no such setting. */
static bool get_one(struct ctx *c, const char *path, const char *key, struct libscols_table *tb)
{
	char value[512];
	const char *cells[] = { key, value };

	if (ctu_cg_read_value(&c->hs, path, key, value, sizeof(value)) < 0) {
		ctu_warn(0, "cannot read %s of %s: no such setting here", key, path);
		return false;
	}
	ctu_out_line(tb, cells, 2);
	return true;
}

int cmd_get(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const defaults[] = { "memory.max", "pids.max", "cpu.max", "cpu.weight" };
	struct ctu_getopt g = { 0 };
	struct libscols_table *tb;
	bool all = false;
	const char *path;
	int o, failed = 0;

	if (cmd_getopt_init(c, &g, argc, argv, "", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1) {
		if (o == '?')
			return ctu_err_code(*err);
		all = o == OPT_ALL;
	}
	path = argv[optind];
	if (cmd_start(c, path, true, err) < 0 || new_table(&tb, "settings", kv_cols, 2, c, err) < 0)
		return ctu_err_code(*err);
	if (all && add_all_files(c, path, tb, err) < 0)
		return ctu_err_code(*err);
	/* no keys: the common limits that this host has */
	for (size_t k = 0; !all && optind + 1 >= argc && k < CTU_ARRAY_SIZE(defaults); k++) {
		char value[512];
		const char *cells[] = { defaults[k], value };

		if (ctu_cg_read_value(&c->hs, path, defaults[k], value, sizeof(value)) == 0)
			ctu_out_line(tb, cells, 2);
	}
	for (int i = optind + 1; !all && i < argc; i++)
		failed |= !get_one(c, path, argv[i], tb);
	if (print_table(tb, err) < 0)
		return ctu_err_code(*err);
	return failed;
}

/* The options of a command that has none of its own: only the global ones. */
static int no_options(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct ctu_getopt g = { 0 };

	if (cmd_getopt_init(c, &g, argc, argv, "", none, err) < 0)
		return ctu_err_code(*err);
	while (ctu_getopt_next(&g, err) != -1)
		return ctu_err_code(*err); /* only '?' comes back */
	return 0;
}

int cmd_stat(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	/* every metric is a number (populated and frozen: 0 or 1, as the kernel's) */
	static const struct ctu_out_column cols[] = {
		{ "KEY", 0.3, SCOLS_JSON_STRING, 0 },
		{ "VALUE", 0.7, SCOLS_JSON_NUMBER, 0 },
	};
	struct ctu_cg_metric m[CTU_CG_METRICS_MAX];
	struct libscols_table *tb;
	const char *path;
	size_t n;

	if (no_options(c, argc, argv, err) < 0)
		return ctu_err_code(*err);
	path = argv[optind];
	if (cmd_start(c, path, true, err) < 0)
		return ctu_err_code(*err);
	n = ctu_cg_stat(&c->hs, path, m);
	if (new_table(&tb, "stat", cols, 2, c, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < n; i++) {
		char value[32];
		const char *cells[] = { m[i].name, value };

		format_number(c, m[i].value, m[i].bytes, value, sizeof(value));
		ctu_out_line(tb, cells, 2);
	}
	return print_table(tb, err);
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
static void cgroup_of(const struct ctu_cg_hier *h, pid_t pid, char *out, size_t size)
{
	char file[64], p[1024];
	size_t b = strlen(h->base);

	out[0] = '\0';
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (ctu_cg_path_of(AT_FDCWD, file, h, p, sizeof(p)) == 0)
		snprintf(out, size, "%s", !strncmp(p, h->base, b) && b ? (p[b] ? p + b : "/") : p);
}

int cmd_procs(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct ctu_out_column cols[] = {
		{ "PID", 6, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "COMM", 16, SCOLS_JSON_STRING, 0 },
		{ "CGROUP", 0.5, SCOLS_JSON_STRING, 0 },
	};
	struct ctu_getopt g = { 0 };
	bool recursive = false;
	struct libscols_table *tb;
	_cleanup_free_ pid_t *pids = NULL;
	char dir[CTU_CG_DIR_MAX];
	size_t n = 0;
	const char *path;
	int o, r;

	if (cmd_getopt_init(c, &g, argc, argv, "r", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1) {
		if (o == '?')
			return ctu_err_code(*err);
		recursive = o == 'r';
	}
	path = argv[optind];
	if (cmd_start(c, path, true, err) < 0)
		return ctu_err_code(*err);
	r = ctu_cg_pids(ctu_cg_dir(&c->hs.h[0], path, dir), recursive, &pids, &n);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot read the processes of %s", path);
	if (new_table(&tb, "processes", cols, 3, c, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < n; i++) {
		char pid[16], comm[64], cg[1024];
		const char *cells[] = { pid, comm, cg };

		snprintf(pid, sizeof(pid), "%d", (int)pids[i]);
		comm_of(pids[i], comm, sizeof(comm));
		cgroup_of(&c->hs.h[0], pids[i], cg, sizeof(cg));
		ctu_out_line(tb, cells, 3);
	}
	return print_table(tb, err);
}

/* ---- ls ---------------------------------------------------------------------- */

/* A limit that can be "max" is a string column, in JSON too; a count or usage a number. */
static const struct ctu_out_column ls_cols[] = {
	{ "PATH", 0.3, SCOLS_JSON_STRING, SCOLS_FL_TREE },
	{ "PROCS", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	{ "MEMORY.CURRENT", 10, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	{ "MEMORY.MAX", 10, SCOLS_JSON_STRING, SCOLS_FL_RIGHT },
	{ "PIDS.CURRENT", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
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
	uint64_t v;

	for (size_t i = 0; i < col; i++)
		out_col += w->show[i];
	if (!w->show[col])
		return;
	if (col == 1) {
		_cleanup_free_ pid_t *p = NULL;
		char d[CTU_CG_DIR_MAX];
		size_t n = 0;

		ctu_cg_pids(ctu_cg_dir(&w->c->hs.h[0], path, d), false, &p, &n);
		snprintf(value, sizeof(value), "%zu", n);
	} else if (keys[col] &&
		   ctu_cg_read_value(&w->c->hs, path, keys[col], value, sizeof(value)) < 0) {
		return; /* empty: null in JSON */
	}
	/* the memory columns are sizes ("max" stays max) */
	if ((col == 2 || col == 3) && ctu_parse_u64(value, &v) == 0)
		format_number(w->c, v, true, value, sizeof(value));
	scols_line_set_data(ln, out_col, value);
}

static int ls_tree(struct ls_walk *w, const char *path, const char *name,
		   struct libscols_line *parent, ctu_err_t *err)
{
	struct libscols_line *ln = scols_table_new_line(w->tb, parent);
	char dir[CTU_CG_DIR_MAX];
	_cleanup_closedir_ DIR *d = opendir(ctu_cg_dir(&w->c->hs.h[0], path, dir));
	struct dirent *e;

	if (!ln)
		return ctu_err_make(err, ENOMEM, "cannot list %s", name);
	if (w->show[0])
		scols_line_set_data(ln, 0, name);
	for (size_t col = 1; col < CTU_ARRAY_SIZE(ls_cols); col++)
		ls_cell(w, ln, col, path);
	while (d && (e = readdir(d))) {
		_cleanup_free_ char *child = NULL;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
			return ctu_err_make(err, ENOMEM, "cannot list %s", name);
		if (ls_tree(w, child, e->d_name, ln, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* -o PATH,PROCS,MEMORY.MAX (case-insensitive). */
static int select_columns(struct ls_walk *w, const char *list, ctu_err_t *err)
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
			return ctu_err_usage(err, "unknown column '%s'", n);
		w->show[i] = true;
	}
	return 0;
}

int cmd_ls(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_walk w = { .c = c };
	struct ctu_out_column cols[CTU_ARRAY_SIZE(ls_cols)];
	struct ctu_getopt g = { 0 };
	const char *path;
	size_t n = 0;
	int o;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(ls_cols); i++)
		w.show[i] = true;
	if (cmd_getopt_init(c, &g, argc, argv, "o:", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1)
		if (o == '?' || select_columns(&w, optarg, err) < 0)
			return ctu_err_code(*err);
	path = argv[optind];
	if (cmd_start_optional(c, &path, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(ls_cols); i++)
		if (w.show[i])
			cols[n++] = ls_cols[i];
	if (new_table(&w.tb, "cgroups", cols, n, c, err) < 0 ||
	    ls_tree(&w, path, *path ? path : "/", NULL, err) < 0)
		return ctu_err_code(*err);
	return print_table(w.tb, err);
}

int cmd_which(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "HIERARCHY", 0.3, SCOLS_JSON_STRING, 0 },
		{ "CONTROLLERS", 0.2, SCOLS_JSON_STRING, 0 },
		{ "CGROUP", 0.5, SCOLS_JSON_STRING, 0 },
	};
	struct libscols_table *tb;
	int64_t pid;
	char probe[64];

	if (no_options(c, argc, argv, err) < 0 || ctx_detect(c, err) < 0)
		return ctu_err_code(*err);
	if (!argv[optind] || ctu_parse_s64_range(argv[optind], 1, INT32_MAX, &pid) < 0)
		return ctu_err_usage(err, "invalid pid '%s'", argv[optind] ? argv[optind] : "");
	snprintf(probe, sizeof(probe), "/proc/%d/cgroup", (int)pid);
	if (access(probe, R_OK) < 0)
		return ctu_err_make(err, 0, "no process %d", (int)pid);
	if (new_table(&tb, "cgroups", cols, 3, c, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < c->hs.n; i++) {
		char cg[1024];
		const char *cells[] = { c->hs.h[i].mnt, c->hs.h[i].v2 ? "(v2)" : c->hs.h[i].ctrls, cg };

		cgroup_of(&c->hs.h[i], (pid_t)pid, cg, sizeof(cg));
		ctu_out_line(tb, cells, 3);
	}
	return print_table(tb, err);
}
