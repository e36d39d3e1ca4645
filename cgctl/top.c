// SPDX-License-Identifier: GPL-2.0-or-later
/* top.c - cgctl's top: the usage of a tree of cgroups, refreshed, busiest first. */
#include <string.h>
#include <unistd.h>

#include "cgctl.h"
#include "ctu.h"
#include "parse.h"
#include "units.h"

struct top_row {
	char path[1024];
	uint64_t usage_usec, prev_usec;
	double cpu_pct;
	uint64_t memory, pids;
	bool has_memory, has_pids; /* not on a host without the controller */
};

/* @path and the cgroups below it, up to @cap rows. */
static int top_collect(struct ctx *c, const char *path, struct top_row *rows, size_t *n,
		       size_t cap, ctu_err_t *err)
{
	char dir[CTU_CG_DIR_MAX];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (*n < cap) {
		snprintf(rows[*n].path, sizeof(rows[*n].path), "%s", *path ? path : "/");
		(*n)++;
	}
	d = opendir(ctu_cg_dir(&c->hs.h[0], path, dir));
	while (d && (e = readdir(d)) && *n < cap) {
		_cleanup_free_ char *child = NULL;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
			return ctu_err_make(err, ENOMEM, "cannot list %s", path);
		if (top_collect(c, child, rows, n, cap, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

static void top_sample(struct ctx *c, struct top_row *r)
{
	struct ctu_cg_metric m[CTU_CG_METRICS_MAX];
	size_t n = ctu_cg_stat(&c->hs, strcmp(r->path, "/") ? r->path : "", m);

	r->prev_usec = r->usage_usec;
	r->has_memory = r->has_pids = false;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i].name, "cpu.usage_usec")) {
			r->usage_usec = m[i].value;
		} else if (!strcmp(m[i].name, "memory.current")) {
			r->memory = m[i].value;
			r->has_memory = true;
		} else if (!strcmp(m[i].name, "pids.current")) {
			r->pids = m[i].value;
			r->has_pids = true;
		}
	}
}

static int by_cpu(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return (y->cpu_pct > x->cpu_pct) - (y->cpu_pct < x->cpu_pct);
}

static int top_print(struct ctx *c, struct top_row *rows, size_t n, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "CGROUP", 0.5, SCOLS_JSON_STRING, 0 },
		{ "CPU%", 6, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "MEMORY", 10, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "PIDS", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	};
	struct libscols_table *tb = ctu_out_table("top", cols, 4, &c->out);

	qsort(rows, n, sizeof(*rows), by_cpu);
	/* what a cgroup lacks: "-" on the screen, null in JSON */
	const char *none = c->out.json ? NULL : "-";

	for (size_t i = 0; tb && i < n; i++) {
		char cpu[16], memory[32], pids[32];
		const char *cells[] = { rows[i].path, cpu, rows[i].has_memory ? memory : none,
					rows[i].has_pids ? pids : none };

		snprintf(cpu, sizeof(cpu), "%.1f", rows[i].cpu_pct);
		format_number(c, rows[i].memory, true, memory, sizeof(memory));
		format_number(c, rows[i].pids, false, pids, sizeof(pids));
		ctu_out_line(tb, cells, 4);
	}
	if (!tb || ctu_out_print(tb) < 0)
		return ctu_err_make(err, 0, "cannot write the output");
	fflush(stdout);
	return 0;
}

struct top_opts {
	bool batch;
	uint64_t iterations, delay_usec;
};

static int top_option(struct top_opts *t, int o, const char *arg, ctu_err_t *err)
{
	if (o == 'b')
		t->batch = true;
	else if (o == 'n' && ctu_parse_u64_range(arg, 1, UINT32_MAX, &t->iterations) < 0)
		return ctu_err_usage(err, "invalid --iterations '%s'", arg);
	else if (o == 'd' && (parse_duration(arg, &t->delay_usec) < 0 || !t->delay_usec))
		return ctu_err_usage(err, "invalid --delay '%s'", arg);
	return 0;
}

int cmd_top(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	static struct top_row rows[512];
	struct top_opts t = { .batch = !isatty(STDOUT_FILENO), .delay_usec = 1000000 };
	struct ctu_getopt g = { 0 };
	const char *path;
	size_t n = 0;
	int o;

	if (cmd_getopt_init(c, &g, argc, argv, "bn:d:", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1)
		if (o == '?' || top_option(&t, o, optarg, err) < 0)
			return ctu_err_code(*err);
	path = argv[optind];
	if (cmd_start_optional(c, &path, err) < 0)
		return ctu_err_code(*err);
	if (!t.iterations && t.batch)
		t.iterations = 1;
	if (top_collect(c, path, rows, &n, CTU_ARRAY_SIZE(rows), err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < n; i++)
		top_sample(c, &rows[i]);
	for (uint64_t it = 0; !t.iterations || it < t.iterations; it++) {
		usleep((useconds_t)t.delay_usec);
		for (size_t i = 0; i < n; i++) {
			top_sample(c, &rows[i]);
			rows[i].cpu_pct = 100.0 * (double)(rows[i].usage_usec - rows[i].prev_usec) /
					  (double)t.delay_usec;
		}
		if (!t.batch)
			fputs("\033[H\033[2J", stdout);
		else if (it)
			putchar('\n');
		if (top_print(c, rows, n, err) < 0)
			return ctu_err_code(*err);
	}
	return CTU_EXIT_OK;
}
