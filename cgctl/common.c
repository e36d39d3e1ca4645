// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * common.c - what every cgctl command does: read its options with the global
 * ones, find the hierarchies (lib/cg), check its cgroup, and format numbers.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "cgctl.h"
#include "ctu.h"
#include "units.h"

int cmd_getopt_init(struct ctx *c, struct ctu_getopt *g, int argc, char **argv,
		    const char *shortopts, const struct option *longopts, ctu_err_t *err)
{
	g->on_global = c->globals->handle;
	g->ctx = c;
	return ctu_getopt_init(g, argc, argv, shortopts, longopts, c->globals->shortopts,
			       c->globals->longopts, err);
}

int ctx_detect(struct ctx *c, ctu_err_t *err)
{
	const char *root = c->root && *c->root ? c->root : NULL;
	struct stat s;

	if (root && (stat(root, &s) < 0 || !S_ISDIR(s.st_mode)))
		return ctu_err_usage(err, "invalid --root '%s': not a directory", root);
	if (ctu_cg_detect(&c->hs, root, c->self, c->ctrls, err) < 0)
		return ctu_err_code(*err);
	return ctu_cg_check_controllers(&c->hs, c->ctrls, err);
}

/*
 * The cgroup must exist in some hierarchy: one made with -c lives in those
 * only, and each command then acts where it is.
 */
static int require_cgroup(struct ctx *c, const char *path, ctu_err_t *err)
{
	char first[CTU_CG_DIR_MAX];

	for (size_t i = 0; i < c->hs.n; i++) {
		char d[CTU_CG_DIR_MAX];
		struct stat s;

		if (stat(ctu_cg_dir(&c->hs.h[i], path, d), &s) == 0 && S_ISDIR(s.st_mode))
			return 0;
	}
	return ctu_err_make(err, 0, "no cgroup %s (%s)", path,
			    ctu_cg_dir(&c->hs.h[0], path, first));
}

int cmd_start(struct ctx *c, const char *path, bool must_exist, ctu_err_t *err)
{
	if (ctx_detect(c, err) < 0 || ctu_cg_path_check(path, err) < 0)
		return ctu_err_code(*err);
	return must_exist ? require_cgroup(c, path, err) : 0;
}

int cmd_start_optional(struct ctx *c, const char **path, ctu_err_t *err)
{
	if (*path)
		return cmd_start(c, *path, true, err);
	*path = "";
	return ctx_detect(c, err);
}

int parse_timeout_ms(const char *arg, int *ms, ctu_err_t *err)
{
	uint64_t usec;

	if (parse_duration(arg, &usec) < 0 || usec / 1000 > INT_MAX)
		return ctu_err_usage(err, "invalid --timeout '%s': expected a duration (10, 500ms, 2m)",
				     arg);
	*ms = (int)(usec / 1000);
	return 0;
}

void format_number(const struct ctx *c, uint64_t v, bool bytes, char *out, size_t size)
{
	ctu_out_size(v, !bytes || c->bytes || c->out.json, out, size);
}
