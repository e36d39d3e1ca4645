// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create.c - cgctl's create and set: the settings options, the v2
 * controllers enabled above a cgroup, the cgroup made in every hierarchy,
 * and the settings written where their controllers live.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgctl.h"
#include "ctu.h"
#include "settings.h"

/* ---- settings options ---------------------------------------------------------- */

static int add_setting(struct settings *all, const struct setting *s, ctu_err_t *err)
{
	if (settings_add(all, s) < 0)
		return ctu_err_usage(err, "too many settings");
	return 1;
}

int settings_option(struct settings *all, int opt, const char *arg, ctu_err_t *err)
{
	static const struct {
		int opt;
		const char *key, *name;
	} keys[] = {
		{ OPT_MEMORY, "memory.max", "--memory" },
		{ OPT_MEMORY_HIGH, "memory.high", "--memory-high" },
		{ OPT_SWAP, "memory.swap.max", "--swap" },
		{ OPT_CPU_WEIGHT, "cpu.weight", "--cpu-weight" },
		{ OPT_PIDS, "pids.max", "--pids" },
		{ OPT_CPUSET, "cpuset.cpus", "--cpuset" },
		{ OPT_IO_WEIGHT, "io.weight", "--io-weight" },
	};
	struct setting s;

	if (opt == OPT_DEVICE_RULE)
		return dev_rules_add(&all->dev, arg, err) < 0 ? ctu_err_code(*err) : 1;
	if (opt == 's') {
		if (setting_parse(arg, &s, err) < 0)
			return ctu_err_wrap(err, "invalid setting '%s'", arg);
		return add_setting(all, &s, err);
	}
	if (opt == OPT_CPUS) {
		if (setting_cpus(arg, &s, err) < 0)
			return ctu_err_wrap(err, "invalid --cpus '%s'", arg);
		return add_setting(all, &s, err);
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(keys); i++) {
		if (keys[i].opt != opt)
			continue;
		if (setting_make(keys[i].key, arg, &s, err) < 0)
			return ctu_err_wrap(err, "invalid %s '%s'", keys[i].name, arg);
		return add_setting(all, &s, err);
	}
	return 0;
}

/* ---- settings, written ------------------------------------------------------------ */

struct exists_ctx {
	const char *dir;
};

static bool file_exists(const char *file, void *ctx)
{
	return ctu_cg_has_file(((struct exists_ctx *)ctx)->dir, file);
}

/* Where controller @ctrl lives; v2's io controller is blkio in v1. */
static struct ctu_cg_hier *hier_of(struct ctx *c, const char *ctrl)
{
	struct ctu_cg_hier *h = ctu_cg_hier_for(&c->hs, ctrl);

	if (!h && strcmp(ctrl, "io") == 0)
		h = ctu_cg_hier_for(&c->hs, "blkio");
	return h;
}

/*
 * @s as it applies on this host: a v1 name (cpu.shares, blkio.weight, ...)
 * where its controller lives in v2 (or nowhere, as blkio on a v2 host)
 * becomes the v2 setting, in *@v2; any other setting is itself.
 */
static const struct setting *as_placed(struct ctx *c, const struct setting *s,
				       struct setting *v2)
{
	char ctrl[32];
	struct ctu_cg_hier *h;

	setting_controller(s->key, ctrl, sizeof(ctrl));
	h = hier_of(c, ctrl);
	if ((!h || h->v2) && setting_to_v2(s, v2))
		return v2;
	return s;
}

struct planned {
	char dir[CTU_CG_DIR_MAX];
	struct write_op op;
	const char *key;
};

/* Adds the writes of setting @s to @plan, each file checked first. */
static int plan_setting(struct ctx *c, const char *path, const struct settings *all,
			const struct setting *given, struct planned *plan, size_t *n, ctu_err_t *err)
{
	struct write_op ops[SETTING_OPS_MAX] = { 0 };
	char ctrl[32], dir[CTU_CG_DIR_MAX];
	struct exists_ctx ex = { dir };
	struct setting v2;
	const struct setting *s = as_placed(c, given, &v2);
	struct ctu_cg_hier *h;
	int k = 1;

	setting_controller(s->key, ctrl, sizeof(ctrl));
	h = hier_of(c, ctrl);
	if (!h)
		return ctu_err_make(err, 0, "cannot set %s: no %s controller on this host (%s)", s->key,
				    ctrl, ctu_cg_layout_name(c->hs.layout));
	ctu_cg_dir(h, path, dir);
	if (h->v2) {
		snprintf(ops[0].file, sizeof(ops[0].file), "%s", s->key);
		snprintf(ops[0].value, sizeof(ops[0].value), "%s", s->value);
	} else {
		k = setting_to_v1(s, all, file_exists, &ex, ops, err);
		if (k < 0)
			return ctu_err_wrap(err, "cannot set %s", given->key);
	}
	for (int j = 0; j < k; j++) {
		if (!ctu_cg_has_file(dir, ops[j].file))
			return ctu_err_make(err, 0, "cannot set %s: no file %s in %s (is the %s "
					    "controller enabled for it?)", s->key, ops[j].file, dir,
					    ctrl);
		snprintf(plan[*n].dir, sizeof(plan[*n].dir), "%s", dir);
		plan[*n].op = ops[j];
		plan[(*n)++].key = given->key;
	}
	return 0;
}

/*
 * Where --device-rule goes: the v1 devices controller's directory, else the
 * cgroup's v2 directory (its BPF filter), into @dir; the kind in *@v2.
 */
static int devices_target(struct ctx *c, const char *path, char dir[CTU_CG_DIR_MAX], bool *v2,
			  ctu_err_t *err)
{
	struct ctu_cg_hier *h = ctu_cg_hier_for(&c->hs, "devices");

	if (!h)
		h = ctu_cg_v2(&c->hs);
	if (!h)
		return ctu_err_make(err, 0, "cannot apply --device-rule: no devices controller on "
				    "this host (%s)", ctu_cg_layout_name(c->hs.layout));
	ctu_cg_dir(h, path, dir);
	*v2 = h->v2;
	if (!h->v2 && !ctu_cg_has_file(dir, "devices.allow"))
		return ctu_err_make(err, 0, "cannot apply --device-rule: no file devices.allow in %s "
				    "(is the cgroup in the devices hierarchy?)", dir);
	if (h->v2 && !ctu_cg_has_file(dir, "cgroup.procs"))
		return ctu_err_make(err, 0, "cannot apply --device-rule: no cgroup %s", dir);
	return 0;
}

/* The rules in order: devices.deny/allow on v1, one BPF program on v2 (devices.h). */
static int apply_devices(const char *dir, bool v2, const struct dev_rules *rs, ctu_err_t *err)
{
	return v2 ? devbpf_apply(dir, rs, err) : dev_rules_write_v1(dir, rs, err);
}

/*
 * Every setting translated for its hierarchy and every file checked before
 * the first write: a bad setting changes nothing.  Then the writes, naming
 * the key the kernel refused, and the device rules last.
 */
static int apply_settings(struct ctx *c, const char *path, const struct settings *all,
			  ctu_err_t *err)
{
	/* SETTING_OPS_MAX writes for each of 64 settings at most; too big for the stack */
	_cleanup_free_ struct planned *plan = calloc((size_t)64 * SETTING_OPS_MAX, sizeof(*plan));
	char dev_dir[CTU_CG_DIR_MAX];
	bool dev_v2 = false;
	size_t n = 0;

	if (!plan)
		return ctu_err_make(err, ENOMEM, "cannot set %s", path);
	for (size_t i = 0; i < all->n; i++)
		if (plan_setting(c, path, all, &all->s[i], plan, &n, err) < 0)
			return ctu_err_code(*err);
	if (all->dev.n && devices_target(c, path, dev_dir, &dev_v2, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < n; i++) {
		char file[CTU_CG_DIR_MAX + 64];
		int r;

		snprintf(file, sizeof(file), "%s/%s", plan[i].dir, plan[i].op.file);
		r = ctu_write_file(AT_FDCWD, file, plan[i].op.value);
		if (r < 0)
			return ctu_err_make(err, -r, "the kernel refused %s=%s (%s)", plan[i].key,
					    plan[i].op.value, file);
	}
	return all->dev.n ? apply_devices(dev_dir, dev_v2, &all->dev, err) : 0;
}

/* ---- v2 controllers ----------------------------------------------------------- */

/* Whether @list (words separated by spaces or '+') holds the word @word, @len long. */
static bool has_word(const char *list, const char *word, size_t len)
{
	for (const char *q = list; *q;) {
		size_t m = strcspn(q, " +");

		if (m == len && !strncmp(word, q, len))
			return true;
		q += m;
		q += strspn(q, " +");
	}
	return false;
}

/* Adds @ctrl to the space-separated list @out unless it is there already ("cpu" and "cpuset" are two). */
static void add_word(char *out, size_t size, const char *ctrl)
{
	size_t n = strlen(out);

	if (!has_word(out, ctrl, strlen(ctrl)))
		snprintf(out + n, size - n, "%s%s", n ? " " : "", ctrl);
}

/* The v2 controllers @all needs, plus -c, space-separated. */
static void v2_controllers(struct ctx *c, const struct settings *all, char *out, size_t size)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(&c->hs);

	out[0] = '\0';
	for (size_t i = 0; i < all->n; i++) {
		struct setting placed;
		char ctrl[32];

		setting_controller(as_placed(c, &all->s[i], &placed)->key, ctrl, sizeof(ctrl));
		if (hier_of(c, ctrl) == v2)
			add_word(out, size, ctrl);
	}
	for (const char *p = c->ctrls ? c->ctrls : ""; *p;) {
		size_t len = strcspn(p, ",");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		p += *p == ',';
		if (*name && !ctu_cg_v2_builtin(name) &&
		    ctu_cg_hier_for(&c->hs, ctu_cg_v2_name(name)) == v2)
			add_word(out, size, ctu_cg_v2_name(name));
	}
}

/* Whether every controller of @ctrls is already in @dir's subtree_control. */
static bool all_enabled(const char *dir, const char *ctrls)
{
	char text[512];

	if (ctu_cg_read_line(dir, "cgroup.subtree_control", text, sizeof(text)) < 0)
		return false;
	for (const char *p = ctrls; *p;) {
		size_t len = strcspn(p, " ");

		if (!has_word(text, p, len))
			return false;
		p += len;
		p += strspn(p, " ");
	}
	return true;
}

/*
 * The kernel's "no internal processes" rule, said before it says EBUSY: no
 * ancestor but the root may hold processes and enable a controller for its
 * children.  Checked from the root down, as the controllers are enabled.
 */
static int check_internal_processes(const struct ctu_cg_hier *h, const char *parent,
				    const char *ctrls, ctu_err_t *err)
{
	char dir[CTU_CG_DIR_MAX];

	snprintf(dir, sizeof(dir), "%s", parent);
	for (size_t i = strlen(h->mnt) + 1; i <= strlen(parent); i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;

		if (parent[i] != '/' && parent[i] != '\0')
			continue;
		dir[i] = '\0';
		if (!all_enabled(dir, ctrls) && ctu_cg_pids(dir, false, &pids, &n) == 0 && n) {
			ctu_err_make(err, 0, "cannot enable %s below %s: it has processes (%d%s), and "
				     "the cgroup v2 'no internal processes' rule forbids it; move them "
				     "to a leaf first (mkdir %s/init; echo PID > %s/init/cgroup.procs)",
				     ctrls, dir, (int)pids[0], n > 1 ? ", ..." : "", dir, dir);
			return ctu_err_code(*err);
		}
		dir[i] = parent[i];
	}
	return 0;
}

/* Enables @ctrls above cgroup @path in the v2 hierarchy @h. */
static int enable_v2(const struct ctu_cg_hier *h, const char *path, const char *ctrls,
		     ctu_err_t *err)
{
	char parent[CTU_CG_DIR_MAX];
	char *slash = strrchr(ctu_cg_dir(h, path, parent), '/');

	if (!*ctrls)
		return 0;
	if (slash)
		*slash = '\0';
	if (all_enabled(parent, ctrls))
		return 0;
	if (check_internal_processes(h, parent, ctrls, err) < 0)
		return ctu_err_code(*err);
	return cgroup_enable(h, path, ctrls, err);
}

/* On v2, the controllers @all needs enabled above @path, as create does. */
static int enable_for_settings(struct ctx *c, const char *path, const struct settings *all,
			       ctu_err_t *err)
{
	char ctrls[256];

	v2_controllers(c, all, ctrls, sizeof(ctrls));
	for (size_t i = 0; i < c->hs.n; i++)
		if (c->hs.h[i].v2 && enable_v2(&c->hs.h[i], path, ctrls, err) < 0)
			return ctu_err_code(*err);
	return 0;
}

/* ---- create ----------------------------------------------------------------- */

/* v1 cpuset: a new cgroup starts with no cpus and mems; take the parent's. */
static void inherit_cpuset(const struct ctu_cg_hier *h, const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[CTU_CG_DIR_MAX], *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (h->v2 || !ctu_cg_hier_has(h, "cpuset") || !slash)
		return;
	*slash = '\0';
	for (size_t i = 0; i < 2; i++) {
		char value[256] = "", path[CTU_CG_DIR_MAX + 16];

		if (ctu_cg_read_line(dir, files[i], value, sizeof(value)) == 0 && *value)
			continue;
		if (ctu_cg_read_line(parent, files[i], value, sizeof(value)) == 0 && *value) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			ctu_write_file(AT_FDCWD, path, value);
		}
	}
}

int create_cgroup(struct ctx *c, const char *path, const struct settings *all, bool exclusive,
		  struct ctu_undo *undo, ctu_err_t *err)
{
	char ctrls[256];

	if (exclusive) {
		char d[CTU_CG_DIR_MAX];

		if (access(ctu_cg_dir(&c->hs.h[0], path, d), F_OK) == 0)
			return ctu_err_make(err, 0, "cgroup %s exists already (%s)", path, d);
	}
	v2_controllers(c, all, ctrls, sizeof(ctrls));
	for (size_t i = 0; i < c->hs.n; i++) {
		struct ctu_cg_hier *h = &c->hs.h[i];

		/* every level, parents first, gets its v1 cpuset from its parent if it has none */
		if (cgroup_mkdir(h, path, undo, inherit_cpuset, err) < 0)
			return ctu_err_code(*err);
		if (h->v2 && enable_v2(h, path, ctrls, err) < 0)
			return ctu_err_code(*err);
	}
	return apply_settings(c, path, all, err);
}

static const struct option settings_longopts[] = {
	SETTINGS_LONGOPTS,
	{ "exclusive", no_argument, NULL, OPT_EXCLUSIVE },
	{ NULL, 0, NULL, 0 },
};

/* The options of create and set: the settings, and --exclusive. */
static int create_options(struct ctx *c, int argc, char **argv, struct settings *all,
			  bool *exclusive, ctu_err_t *err)
{
	struct ctu_getopt g = { 0 };
	int o;

	if (cmd_getopt_init(c, &g, argc, argv, "s:", settings_longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1) {
		if (o == '?' || settings_option(all, o, optarg, err) < 0)
			return ctu_err_code(*err);
		*exclusive |= o == OPT_EXCLUSIVE;
	}
	return 0;
}

int cmd_create(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	struct ctu_undo undo = CTU_UNDO_INIT;
	struct settings all = { .n = 0 };
	bool exclusive = false;
	const char *path;

	if (create_options(c, argc, argv, &all, &exclusive, err) < 0)
		return ctu_err_code(*err);
	path = argv[optind];
	if (cmd_start(c, path, false, err) < 0)
		return ctu_err_code(*err);
	if (optind + 1 < argc)
		return ctu_err_usage(err, "unexpected argument '%s' (settings go in options)",
				     argv[optind + 1]);
	if (create_cgroup(c, path, &all, exclusive, &undo, err) < 0) {
		ctu_undo_rollback(&undo);
		return ctu_err_code(*err);
	}
	ctu_undo_forget(&undo);
	return CTU_EXIT_OK;
}

int cmd_set(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	struct settings all = { .n = 0 };
	bool exclusive = false;
	const char *path;

	if (create_options(c, argc, argv, &all, &exclusive, err) < 0)
		return ctu_err_code(*err);
	if (exclusive)
		return ctu_err_usage(err, "--exclusive goes with create");
	path = argv[optind];
	if (ctu_cg_path_check(path, err) < 0)
		return ctu_err_code(*err);
	for (int i = optind + 1; i < argc; i++)
		if (settings_option(&all, 's', argv[i], err) < 0)
			return ctu_err_code(*err);
	if (!all.n && !all.dev.n)
		return ctu_err_usage(err, "no setting given");
	if (cmd_start(c, path, true, err) < 0 || enable_for_settings(c, path, &all, err) < 0)
		return ctu_err_code(*err);
	return apply_settings(c, path, &all, err);
}
