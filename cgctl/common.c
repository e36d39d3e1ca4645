// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * common.c - what every cgctl command does: read its options with the global
 * ones, find the hierarchies, check its cgroup, and read values from
 * wherever their controller lives.
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
	if (hiers_detect(&c->hs, root, c->self, c->ctrls, err) < 0)
		return ctu_err_code(*err);
	return hiers_check_controllers(&c->hs, c->ctrls, err);
}

/*
 * The cgroup must exist in some hierarchy: one made with -c lives in those
 * only, and each command then acts where it is.
 */
static int require_cgroup(struct ctx *c, const char *path, ctu_err_t *err)
{
	char first[CG_DIR_MAX];

	for (size_t i = 0; i < c->hs.n; i++) {
		char d[CG_DIR_MAX];
		struct stat s;

		if (stat(hier_dir(&c->hs.h[i], path, d), &s) == 0 && S_ISDIR(s.st_mode))
			return 0;
	}
	return ctu_err_make(err, 0, "no cgroup %s (%s)", path, hier_dir(&c->hs.h[0], path, first));
}

int cmd_start(struct ctx *c, const char *path, bool must_exist, ctu_err_t *err)
{
	if (ctx_detect(c, err) < 0 || cgroup_path_check(path, err) < 0)
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

int read_file_trimmed(const char *dir, const char *file, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char path[CG_DIR_MAX + 64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = ctu_read_file(AT_FDCWD, path, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, size, "%s", text);
	return 0;
}

int keyed_value(const char *dir, const char *file, const char *key, uint64_t *v)
{
	_cleanup_free_ char *text = NULL;
	char path[CG_DIR_MAX + 64];
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

void format_number(const struct ctx *c, uint64_t v, bool bytes, char *out, size_t size)
{
	ctu_out_size(v, !bytes || c->bytes || c->out.json, out, size);
}

int read_value(struct ctx *c, const char *path, const char *key, char *out, size_t size)
{
	char ctrl[32], raw[256], dir[CG_DIR_MAX];
	struct hier *h;
	int r;

	setting_controller(key, ctrl, sizeof(ctrl));
	h = hier_for(&c->hs, ctrl);
	if (!h)
		return -ENODEV;
	hier_dir(h, path, dir);
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
