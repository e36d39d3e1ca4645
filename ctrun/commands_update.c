// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commands_update.c - update: new resources for a running container.
 *
 * The request (an OCI LinuxResources object from -r FILE|-, or runc's
 * flags) is merged into the stored resources as runc merges it (a 0 or ""
 * leaves a value as it is), the result checked whole as create checks
 * linux.resources (config_resources.c), translated into cgctl's settings by
 * the chain builder's own translation (chain_cgctl.c), applied by one
 * `cgctl set CGROUP ...`, then stored back into state.json.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "commands.h"
#include "config_check.h"
#include "ctu.h"
#include "json.h"
#include "parse.h"

enum {
	OPT_MEMORY = 0x100,
	OPT_MEMORY_RESERVATION,
	OPT_MEMORY_SWAP,
	OPT_CPU_SHARES,
	OPT_CPU_QUOTA,
	OPT_CPU_PERIOD,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS_LIMIT,
	OPT_BLKIO_WEIGHT,
};

static const struct option update_longopts[] = {
	{ "resources", required_argument, NULL, 'r' },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
	{ "cpu-share", required_argument, NULL, OPT_CPU_SHARES }, /* runc's own spelling */
	{ "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
	{ "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
	{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
	{ "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
	{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
	{ "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cmd_line update_line = {
	.usage = CTU_USAGE_HEADER
	" ctrun update [options] <id>\n"
	"\nChange a container's resources (cgctl set); a value left out stays.\n" CTU_USAGE_OPTIONS
	" -r, --resources <file>|-  an OCI LinuxResources JSON (then the flags below\n"
	"                             are ignored, as runc ignores them)\n"
	"     --memory <size>       memory limit (K, M, G suffixes; -1: none)\n"
	"     --memory-reservation <size>  the soft limit (memory.low)\n"
	"     --memory-swap <size>  memory plus swap (-1: unlimited swap)\n"
	"     --cpu-shares <n>      relative CPU weight (1024: the default)\n"
	"     --cpu-quota <us>      CFS quota per period (-1: none)\n"
	"     --cpu-period <us>     CFS period\n"
	"     --cpuset-cpus <list>  the CPUs to use (0-3,5)\n"
	"     --cpuset-mems <list>  the memory nodes to use\n"
	"     --pids-limit <n>      the most processes (-1: none)\n"
	"     --blkio-weight <n>    block I/O weight, 10 to 1000\n"
	" -h, --help                display this help\n",
	.shortopts = "r:",
	.longopts = update_longopts,
	.min = 1,
	.max = 1,
	.operands = "container ID",
};

struct update_opts {
	const char *file; /* -r */
	json_t *flags;	  /* the flags as a LinuxResources object */
};

/* Where each flag goes in LinuxResources, and how its value is read. */
enum value_kind { V_SIZE, V_UINT, V_INT, V_STRING };
struct flag_target {
	const char *flag, *section, *key;
	int opt;
	enum value_kind kind;
};
static const struct flag_target targets[] = {
	{ .opt = OPT_MEMORY,
	  .flag = "memory",
	  .section = "memory",
	  .key = "limit",
	  .kind = V_SIZE },
	{ .opt = OPT_MEMORY_RESERVATION,
	  .flag = "memory-reservation",
	  .section = "memory",
	  .key = "reservation",
	  .kind = V_SIZE },
	{ .opt = OPT_MEMORY_SWAP,
	  .flag = "memory-swap",
	  .section = "memory",
	  .key = "swap",
	  .kind = V_SIZE },
	{ .opt = OPT_CPU_SHARES,
	  .flag = "cpu-shares",
	  .section = "cpu",
	  .key = "shares",
	  .kind = V_UINT },
	{ .opt = OPT_CPU_QUOTA,
	  .flag = "cpu-quota",
	  .section = "cpu",
	  .key = "quota",
	  .kind = V_INT },
	{ .opt = OPT_CPU_PERIOD,
	  .flag = "cpu-period",
	  .section = "cpu",
	  .key = "period",
	  .kind = V_UINT },
	{ .opt = OPT_CPUSET_CPUS,
	  .flag = "cpuset-cpus",
	  .section = "cpu",
	  .key = "cpus",
	  .kind = V_STRING },
	{ .opt = OPT_CPUSET_MEMS,
	  .flag = "cpuset-mems",
	  .section = "cpu",
	  .key = "mems",
	  .kind = V_STRING },
	{ .opt = OPT_PIDS_LIMIT,
	  .flag = "pids-limit",
	  .section = "pids",
	  .key = "limit",
	  .kind = V_INT },
	{ .opt = OPT_BLKIO_WEIGHT,
	  .flag = "blkio-weight",
	  .section = "blockIO",
	  .key = "weight",
	  .kind = V_UINT },
};

/* A flag's value as JSON: sizes as runc's (K, M, G ...; -1 unlimited), numbers strict. */
static json_t *flag_value(enum value_kind kind, const char *arg)
{
	uint64_t u;
	int64_t i;

	switch (kind) {
	case V_SIZE:
		if (strcmp(arg, "-1") == 0)
			return json_integer(-1);
		if (ctu_parse_size(arg, &u) < 0 || u == CTU_SIZE_MAX || u > INT64_MAX)
			return NULL;
		return json_integer((json_int_t)u);
	case V_UINT:
		return ctu_parse_u64_range(arg, 0, INT64_MAX, &u) < 0 ? NULL
								      : json_integer((json_int_t)u);
	case V_INT:
		return ctu_parse_s64(arg, &i) < 0 ? NULL : json_integer((json_int_t)i);
	case V_STRING:
	default:
		return json_string(arg);
	}
}

static int update_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	struct update_opts *o = ctx;

	if (opt == 'r') {
		o->file = arg;
		return 0;
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(targets); i++) {
		const struct flag_target *t = &targets[i];
		json_t *section, *v;

		if (t->opt != opt)
			continue;
		v = flag_value(t->kind, arg);
		if (!v)
			return ctu_err_usage(err, "invalid value for --%s: '%s'", t->flag, arg);
		section = json_object_get(o->flags, t->section);
		if (!section) {
			section = json_object();
			json_object_set_new(o->flags, t->section, section);
		}
		json_object_set_new(section, t->key, v);
		return 0;
	}
	return ctu_err_usage(err, "invalid option");
}

/* -r FILE or - (stdin): a JSON object, at most 16 MiB, duplicate keys refused. */
static json_t *load_request(const char *file, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;
	json_t *r;

	fd = strcmp(file, "-") == 0 ? dup(0) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ctu_err_errno(err, "--resources %s", file);
		return NULL;
	}
	r = ctu_json_load_fd(fd, CT_CONFIG_MAX, file, err);
	if (r && !json_is_object(r)) {
		json_decref(r);
		ctu_err_make(err, 0, "--resources %s: not a JSON object", file);
		return NULL;
	}
	return r;
}

/* A value of the request that changes something: runc leaves 0 and "" as they were. */
static bool changes(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	return !json_is_null(v);
}

/* The request merged into (a copy of) the stored resources, section by section. */
static json_t *merge(json_t *stored, json_t *req)
{
	json_t *out = json_is_object(stored) ? json_deep_copy(stored) : json_object();
	const char *name, *key;
	json_t *sec, *v;

	json_object_foreach(req, name, sec)
	{
		json_t *have = json_object_get(out, name);

		if (!json_is_object(sec) || !json_is_object(have)) {
			if (changes(sec))
				json_object_set(out, name, sec);
			continue;
		}
		json_object_foreach(sec, key, v) if (changes(v)) json_object_set(have, key, v);
	}
	return out;
}

/* "config.json: /linux/resources/X: why" of the shared checks, as the request's "/X: why". */
static int check_merged(json_t *cfg, json_t *res, ctu_err_t *err)
{
	struct ck ck = { .err = err, .cfg = cfg };
	int r = ck_resources(&ck, res, "");

	free(ck.hs);
	return r < 0 ? ctu_err_wrap(err, "resources") : 0;
}

/* cgctl's settings for @res: the chain builder's own translation (ct_resource_words). */
static int settings_of(struct ct_global *g, json_t *cfg, const char *cgroup, struct ctu_strv *out,
		       ctu_err_t *err)
{
	struct ct_chain_in in = { .g = g, .kind = CT_CHAIN_CREATE, .cfg = cfg, .cgroup = cgroup };
	struct ct_chain chain = { .argv = CTU_STRV_INIT };
	struct ctu_cg_hiers hs;
	struct ct_build b = { .in = &in, .hs = &hs, .out = &chain, .err = err };
	int r = ctu_cg_detect(&hs, NULL, false, NULL, err);

	if (r == 0)
		r = ct_resource_words(&b, ct_j(ct_j(cfg, "linux"), "resources"));
	if (r == 0 && b.nomem)
		r = ctu_err_make(err, ENOMEM, "update");
	if (r == 0) {
		*out = chain.argv;
		return 0;
	}
	ctu_strv_free(&chain.argv);
	return r;
}

/* One `cgctl set CGROUP SETTINGS...` (nothing to do: no call). */
static int apply(struct ct_global *g, const char *cgroup, struct ctu_strv *settings, ctu_err_t *err)
{
	_cleanup_free_ char **argv = NULL;

	if (settings->n == 0)
		return 0;
	argv = calloc(settings->n + 4, sizeof(char *));
	if (!argv)
		return ctu_err_make(err, ENOMEM, "update");
	argv[0] = "cgctl";
	argv[1] = "set";
	argv[2] = (char *)cgroup;
	memcpy(argv + 3, settings->v, settings->n * sizeof(char *));
	return ct_tool_run(g, argv, err);
}

/* The new resources, without the device rules that update never changes (runc's). */
static json_t *config_of(json_t *res)
{
	json_t *copy = json_deep_copy(res);

	json_object_del(copy, "devices");
	return json_pack("{s:{s:o}}", "linux", "resources", copy);
}

static int update_resources(struct ct_global *g, int dirfd, struct ct_state *st, json_t *req,
			    ctu_err_t *err)
{
	_cleanup_json_ json_t *res = merge(json_object_get(st->doc, "resources"), req);
	_cleanup_json_ json_t *cfg = res ? config_of(res) : NULL;
	_cleanup_strv_ struct ctu_strv settings = CTU_STRV_INIT;

	if (!cfg)
		return ctu_err_make(err, ENOMEM, "update");
	if (check_merged(cfg, res, err) < 0 || settings_of(g, cfg, st->cgroup, &settings, err) < 0)
		return ctu_err_code(*err);
	if (apply(g, st->cgroup, &settings, err) < 0)
		return ctu_err_wrap(err, "container %s", st->id);
	if (json_object_set(st->doc, "resources", res) < 0)
		return ctu_err_make(err, ENOMEM, "update");
	return ct_state_write(dirfd, st, err);
}

static int update_container(struct ct_global *g, const char *id, struct update_opts *o,
			    ctu_err_t *err)
{
	_cleanup_json_ json_t *req = NULL;
	_cleanup_close_ int dirfd = -1;
	struct ct_state st;
	enum ct_status s;
	int r;

	if (ct_id_check(id, err) < 0)
		return ctu_err_code(*err);
	req = o->file ? load_request(o->file, err) : json_incref(o->flags);
	if (!req)
		return ctu_err_code(*err);
	dirfd = cmd_lock_read(g, id, &st, err);
	if (dirfd < 0)
		return dirfd;
	s = ct_status_of(g, &st, NULL);
	if (s == CT_STOPPED || s == CT_CREATING)
		r = ctu_err_make(err, 0, "container %s is not running", id);
	else if ((r = cmd_need_cgroup(&st, err)) == 0)
		r = update_resources(g, dirfd, &st, req, err);
	ct_state_free(&st);
	return r;
}

int ct_cmd_update(struct ct_global *g, int argc, char **argv)
{
	struct update_opts o = { .flags = json_object() };
	ctu_err_t err = NULL;
	int first, r;

	if (!o.flags)
		return cmd_exit(g, ctu_err_make(&err, ENOMEM, "update"), &err);
	r = cmd_parse(&update_line, argc, argv, update_option, &o, &first, &err);
	if (r == 0)
		r = update_container(g, argv[first], &o, &err);
	json_decref(o.flags);
	return cmd_exit(g, r, &err);
}
