// SPDX-License-Identifier: GPL-2.0-or-later
/* cli.c - output options, exclusive options and the subcommand option parser. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctu.h"

bool ctu_out_option(int opt, struct ctu_out_flags *f)
{
	switch (opt) {
	case CTU_OPT_JSON:
		f->json = true;
		return true;
	case CTU_OPT_RAW:
		f->raw = true;
		return true;
	case CTU_OPT_NOHEADINGS:
		f->noheadings = true;
		return true;
	}
	return false;
}

/* "--name" of option value @opt, or "-c" for a short-only option. */
static void option_name(int opt, const struct option *longopts, char *buf, size_t size)
{
	for (const struct option *o = longopts; o && o->name; o++)
		if (o->val == opt && !o->flag) {
			snprintf(buf, size, "--%s", o->name);
			return;
		}
	snprintf(buf, size, "-%c", opt);
}

static size_t group_size(const struct ctu_excl *row)
{
	size_t n = 0;

	while (n < CTU_ARRAY_SIZE(row->opts) && row->opts[n])
		n++;
	return n;
}

/* A long group is not listed whole: the two options given are named. */
static int two_exclusive(int first, int second, const struct option *longopts, ctu_err_t *err)
{
	char a[64], b[64];

	option_name(first, longopts, a, sizeof(a));
	option_name(second, longopts, b, sizeof(b));
	return ctu_err_usage(err, "%s and %s are mutually exclusive", a, b);
}

/* The row's options as "--a, --b and --c". */
static void list_group(const struct ctu_excl *row, const struct option *longopts, char *buf,
		       size_t size)
{
	size_t n = group_size(row), used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		char name[64];

		option_name(row->opts[i], longopts, name, sizeof(name));
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i == 0 ? "" : i + 1 == n ? " and " : ", ", name);
	}
}

int ctu_excl_check(const struct ctu_excl *rows, size_t nrows, int *seen, int opt,
		   const struct option *longopts, ctu_err_t *err)
{
	for (size_t r = 0; r < nrows; r++) {
		for (size_t i = 0; i < CTU_ARRAY_SIZE(rows[r].opts) && rows[r].opts[i]; i++) {
			char group[512];

			if (rows[r].opts[i] != opt)
				continue;
			if (!seen[r] || seen[r] == opt) {
				seen[r] = opt;
				break;
			}
			if (group_size(&rows[r]) > 3)
				return two_exclusive(seen[r], opt, longopts, err);
			list_group(&rows[r], longopts, group, sizeof(group));
			return ctu_err_usage(err, "%s are mutually exclusive", group);
		}
	}
	return 0;
}

static bool has_long(const struct option *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(opts[i].name, name) == 0)
			return true;
	return false;
}

int ctu_getopt_init(struct ctu_getopt *g, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, const char *global_shortopts,
		    const struct option *global_longopts, ctu_err_t *err)
{
	size_t n = 0;
	int len;

	g->argc = argc;
	g->argv = argv;
	g->sub_shortopts = shortopts;
	g->global_shortopts = global_shortopts;
	/* ':' first: a missing argument is told from an unknown option; '+': no permuting past operands */
	len = snprintf(g->shortopts, sizeof(g->shortopts), "%s:%s%s", g->stop_at_operand ? "+" : "",
		       shortopts ? shortopts : "", global_shortopts ? global_shortopts : "");
	if (len < 0 || (size_t)len >= sizeof(g->shortopts))
		return ctu_err_make(err, E2BIG, "too many options");
	for (const struct option *o = longopts; o && o->name; o++) {
		if (n + 1 >= CTU_ARRAY_SIZE(g->longopts))
			return ctu_err_make(err, E2BIG, "too many options");
		g->longopts[n++] = *o;
	}
	g->n_sub_longopts = n;
	for (const struct option *o = global_longopts; o && o->name; o++) {
		if (has_long(g->longopts, n, o->name))
			continue;
		if (n + 1 >= CTU_ARRAY_SIZE(g->longopts))
			return ctu_err_make(err, E2BIG, "too many options");
		g->longopts[n++] = *o;
	}
	memset(&g->longopts[n], 0, sizeof(g->longopts[n]));
	optind = 0;
	opterr = 0;
	return 0;
}

/* Whether the option getopt just returned is one of the tool's global ones. */
static bool is_global(const struct ctu_getopt *g, int c, int idx)
{
	if (idx >= 0)
		return (size_t)idx >= g->n_sub_longopts;
	return c > 0 && c < 0x100 && !(g->sub_shortopts && strchr(g->sub_shortopts, c)) &&
	       g->global_shortopts && strchr(g->global_shortopts, c);
}

/*
 * The long option "--NAME=value" gives, by its full name or a unique
 * abbreviation, as getopt_long matches it; NULL for none.
 */
static const struct option *find_long(const struct ctu_getopt *g, const char *arg)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	const struct option *found = NULL;

	for (const struct option *o = g->longopts; o->name; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (strlen(o->name) == len)
			return o;
		if (found)
			return NULL; /* ambiguous */
		found = o;
	}
	return found;
}

/*
 * The usage error of a '?' from getopt_long, in getopt's words.  optopt is
 * the bad short option; 0 for an unknown long one, or the value of a long
 * one given an argument it does not take ("--all=1").  @arg, the last
 * element getopt finished, is the long option (not so in "-xz": optind
 * stays on the cluster while it goes on).
 */
static void bad_option(const struct ctu_getopt *g, const char *arg, ctu_err_t *err)
{
	bool is_long = arg[0] == '-' && arg[1] == '-' && strchr(arg, '=');
	const struct option *o = is_long ? find_long(g, arg) : NULL;

	if (o && o->has_arg == no_argument && (o->flag ? 0 : o->val) == optopt)
		ctu_err_usage(err, "option '--%s' doesn't allow an argument", o->name);
	else if (optopt)
		ctu_err_usage(err, "invalid option -- '%c'", optopt);
	else
		ctu_err_usage(err, "unrecognized option '%s'", arg);
}

int ctu_getopt_next(struct ctu_getopt *g, ctu_err_t *err)
{
	for (;;) {
		int idx = -1, c;
		const char *arg;

		c = getopt_long(g->argc, g->argv, g->shortopts, g->longopts, &idx);
		if (c == -1)
			return -1;
		arg = g->argv[optind - 1];
		if (c == '?') {
			bad_option(g, arg, err);
			return '?';
		}
		if (c == ':') {
			if (optopt && !(arg[0] == '-' && arg[1] == '-'))
				ctu_err_usage(err, "option requires an argument -- '%c'", optopt);
			else
				ctu_err_usage(err, "option '%s' requires an argument", arg);
			return '?';
		}
		if (!g->on_global || !is_global(g, c, idx))
			return c;
		if (g->on_global(c, optarg, g->ctx, err) < 0)
			return '?';
	}
}

const char *ctu_getopt_around_arg(int argc, char **argv, const char *optstring,
				  const struct option *longopts, void (*handle)(int opt, void *ctx),
				  void *ctx, char ***program)
{
	const char *arg = NULL;
	int c;

	for (;;) {
		bool after_dashdash;

		while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
			handle(c, ctx);
		/* getopt stopped at "--" (and skipped it) or at a non-option */
		after_dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
		if (arg || optind >= argc)
			break;
		arg = argv[optind++];
		if (after_dashdash)
			break;
	}
	*program = argv + optind;
	return arg;
}
