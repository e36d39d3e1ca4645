// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chain_cgctl.c - the chain's first tool:
 *
 *	cgctl exec CGROUP SETTINGS --device-rule ... --empty --preserve-fds M --
 *
 * linux.cgroupsPath made absolute, linux.resources as cgctl's settings (by
 * their cgroup v2 names: cgctl translates them on v1 hosts, so one rule
 * serves both, as runc's), the device rules in order, then runc's defaults.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chain.h"
#include "ctu.h"

/* ---- linux.cgroupsPath ---- */

/* "slice:prefix:name", systemd's form: not a path. */
static bool systemd_form(const char *p)
{
	const char *c = strchr(p, ':');

	return p[0] != '/' && c && strchr(c + 1, ':');
}

/* Appends the components of @path to @out (length *@n), "." dropped, ".." down to @floor. */
static int push_components(const char *path, size_t floor, char *out, size_t size, size_t *n)
{
	for (const char *c = path; *c;) {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.') {
			char *slash;

			if (*n <= floor)
				return -EPERM;
			out[*n] = '\0';
			slash = strrchr(out, '/');
			*n = (size_t)(slash - out);
		} else if (len && !(len == 1 && c[0] == '.')) {
			if (*n + 1 + len >= size)
				return -ENAMETOOLONG;
			out[(*n)++] = '/';
			memcpy(out + *n, c, len);
			*n += len;
		}
		c += len;
		c += strspn(c, "/");
	}
	out[*n] = '\0';
	return 0;
}

int ct_cgroup_path_in(json_t *cfg, const char *id, const char *own, char *out, size_t size,
		      ctu_err_t *err)
{
	const char *path = ct_js(ct_j(cfg, "linux"), "cgroupsPath");
	size_t n = 0, floor;
	int r;

	if (path && systemd_form(path))
		return ctu_err_make(err, 0,
				    "config.json: /linux/cgroupsPath: '%s': systemd "
				    "cgroups are not supported; use the cgroupfs manager",
				    path);
	if (!path || !*path)
		path = id;
	out[0] = '\0';
	if (path[0] != '/' && push_components(own, 0, out, size, &n) < 0)
		return ctu_err_make(err, 0, "ctrun's own cgroup '%s' is not a cgroup path", own);
	floor = n;
	r = push_components(path, floor, out, size, &n);
	if (r == -EPERM)
		return ctu_err_make(err, 0,
				    "config.json: /linux/cgroupsPath: '%s' climbs out with "
				    "'..'",
				    path);
	if (r < 0)
		return ctu_err_make(err, 0, "config.json: /linux/cgroupsPath: '%s' is too long",
				    path);
	if (n == floor)
		return ctu_err_make(err, 0, "config.json: /linux/cgroupsPath: '%s' names %s", path,
				    floor ? "ctrun's own cgroup" : "the root cgroup");
	r = ctu_cg_path_check(out, err);
	return r < 0 ? ctu_err_wrap(err, "config.json: /linux/cgroupsPath") : 0;
}

int ct_cgroup_path(json_t *cfg, const char *id, char *out, size_t size, ctu_err_t *err)
{
	struct ctu_cg_hiers hs = { 0 };
	const struct ctu_cg_hier *h;

	if (ctu_cg_detect(&hs, NULL, true, NULL, err) < 0)
		return ctu_err_wrap(err, "the cgroup of ctrun");
	/*
	 * The hierarchy of the memory controller: the unified one on pure v2,
	 * the v1 one on hybrid hosts, where the unified one may hold nothing
	 * and our place in it ("/") is no place of ours; else the unified one.
	 */
	h = ctu_cg_hier_for(&hs, "memory");
	if (!h)
		h = ctu_cg_v2(&hs);
	if (!h)
		return ctu_err_make(err, 0, "no unified or memory cgroup hierarchy on this host");
	return ct_cgroup_path_in(cfg, id, h->base, out, size, err);
}

bool ct_ctrl_v2(const struct ctu_cg_hiers *hs, const char *ctrl)
{
	bool v2 = false;

	for (size_t i = 0; i < hs->n; i++) {
		if (!hs->h[i].v2 && ctu_cg_hier_has(&hs->h[i], ctrl))
			return false;
		v2 = v2 || hs->h[i].v2;
	}
	return v2;
}

/* ---- resources ---- */

int ct_swap_v2(int64_t limit, int64_t swap, int64_t *out, const char **why)
{
	/* memory unlimited and swap unset: both unlimited, as on cgroup v1 */
	if (limit == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (limit == 0 || limit == -1) {
		*why = "a swap limit needs a memory limit";
		return -EINVAL;
	}
	if (swap < limit) {
		*why = "memory+swap (swap) must not be below the memory limit";
		return -EINVAL;
	}
	*out = swap - limit;
	return 0;
}

static void set(struct ct_build *b, const char *key, const char *fmt_value)
{
	ct_w(b, "-s");
	ct_wf(b, "%s=%s", key, fmt_value);
}

static void set_i(struct ct_build *b, const char *key, int64_t v)
{
	ct_w(b, "-s");
	if (v < 0)
		ct_wf(b, "%s=max", key);
	else
		ct_wf(b, "%s=%" PRId64, key, v);
}

/* cgctl's friendly --memory/--pids: a number, or max for -1. */
static void limit_opt(struct ct_build *b, const char *opt, int64_t v)
{
	ct_w(b, opt);
	if (v < 0)
		ct_w(b, "max");
	else
		ct_wf(b, "%" PRId64, v);
}

/* A v1-only setting on a controller that lives in the unified hierarchy: an error. */
static int v1_only(struct ct_build *b, const char *ctrl, const char *pointer)
{
	if (ct_ctrl_v2(b->hs, ctrl))
		return ct_fail(b, pointer, "not supported on cgroup v2");
	return 0;
}

static int memory_words(struct ct_build *b, json_t *mem)
{
	int64_t limit = 0, swap = 0, v;
	const char *why = NULL;

	if (ct_ji(mem, "limit", &limit))
		limit_opt(b, "--memory", limit);
	if (ct_ji(mem, "reservation", &v))
		set_i(b, "memory.low", v);
	ct_ji(mem, "swap", &swap);
	if (ct_swap_v2(limit, swap, &v, &why) < 0)
		return ct_fail(b, "/linux/resources/memory/swap", "%s", why);
	/* swap == limit is swap.max 0, no swap at all (runc): set, unlike swap unset */
	if (v || swap > 0)
		set_i(b, "memory.swap.max", v);
	if (ct_ji(mem, "swappiness", &v)) {
		if (v1_only(b, "memory", "/linux/resources/memory/swappiness") < 0)
			return -EINVAL;
		set_i(b, "memory.swappiness", v);
	}
	if (ct_jb(mem, "disableOOMKiller")) {
		if (v1_only(b, "memory", "/linux/resources/memory/disableOOMKiller") < 0)
			return -EINVAL;
		set(b, "memory.oom_control", "1");
	}
	return 0;
}

static int cpu_realtime(struct ct_build *b, json_t *cpu)
{
	static const char *const rt[][2] = { { "realtimePeriod", "cpu.rt_period_us" },
					     { "realtimeRuntime", "cpu.rt_runtime_us" } };
	int64_t v;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(rt); i++) {
		char ptr[64];

		if (!ct_ji(cpu, rt[i][0], &v))
			continue;
		snprintf(ptr, sizeof(ptr), "/linux/resources/cpu/%s", rt[i][0]);
		if (v1_only(b, "cpu", ptr) < 0)
			return -EINVAL;
		ct_w(b, "-s");
		ct_wf(b, "%s=%" PRId64, rt[i][1], v);
	}
	return 0;
}

static int cpu_words(struct ct_build *b, json_t *cpu)
{
	uint64_t shares, period = 0, burst;
	int64_t quota = 0, idle;
	bool has_quota = ct_ji(cpu, "quota", &quota), has_period = ct_ju(cpu, "period", &period);
	const char *s;

	if (ct_ju(cpu, "shares", &shares) && shares)
		set_i(b, "cpu.shares", (int64_t)shares);
	if (has_quota || has_period) {
		ct_w(b, "-s");
		if (quota > 0)
			ct_wf(b, "cpu.max=%" PRId64 " %" PRIu64, quota, period ? period : 100000);
		else
			ct_wf(b, "cpu.max=max %" PRIu64, period ? period : 100000);
	}
	if (ct_ju(cpu, "burst", &burst))
		set_i(b, "cpu.max.burst", (int64_t)burst);
	if ((s = ct_js(cpu, "cpus")) && *s)
		set(b, "cpuset.cpus", s);
	if ((s = ct_js(cpu, "mems")) && *s)
		set(b, "cpuset.mems", s);
	if (ct_ji(cpu, "idle", &idle))
		set_i(b, "cpu.idle", idle);
	return cpu_realtime(b, cpu);
}

static void pids_words(struct ct_build *b, json_t *pids)
{
	int64_t limit;

	if (!ct_ji(pids, "limit", &limit) || limit == 0)
		return;
	limit_opt(b, "--pids", limit);
}

/* io.max's limits grouped by device: one setting per device, as cgctl keys them. */
struct io_dev {
	int64_t major, minor;
	char limits[96];
};

static int io_max_words(struct ct_build *b, json_t *blk)
{
	static const char *const kinds[][2] = { { "throttleReadBpsDevice", "rbps" },
						{ "throttleWriteBpsDevice", "wbps" },
						{ "throttleReadIOPSDevice", "riops" },
						{ "throttleWriteIOPSDevice", "wiops" } };
	struct io_dev devs[32];
	size_t n = 0, i, k;
	json_t *d;

	for (k = 0; k < CTU_ARRAY_SIZE(kinds); k++)
		json_array_foreach (ct_j(blk, kinds[k][0]), i, d) {
			int64_t maj = 0, min = 0, rate = 0;
			size_t j = 0;

			ct_ji(d, "major", &maj);
			ct_ji(d, "minor", &min);
			ct_ji(d, "rate", &rate);
			while (j < n && (devs[j].major != maj || devs[j].minor != min))
				j++;
			if (j == n && n == CTU_ARRAY_SIZE(devs))
				return ct_fail(b, "/linux/resources/blockIO",
					       "more than %zu devices", CTU_ARRAY_SIZE(devs));
			if (j == n)
				devs[n++] = (struct io_dev){ .major = maj, .minor = min };
			snprintf(devs[j].limits + strlen(devs[j].limits),
				 sizeof(devs[j].limits) - strlen(devs[j].limits), " %s=%" PRId64,
				 kinds[k][1], rate);
		}
	for (i = 0; i < n; i++) {
		ct_w(b, "-s");
		ct_wf(b, "io.max=%" PRId64 ":%" PRId64 "%s", devs[i].major, devs[i].minor,
		      devs[i].limits);
	}
	return 0;
}

static int blkio_words(struct ct_build *b, json_t *blk)
{
	bool v2 = ct_ctrl_v2(b->hs, "blkio") && ct_ctrl_v2(b->hs, "io");
	uint64_t w;
	size_t i;
	json_t *d;

	if (ct_ju(blk, "weight", &w) && w)
		set_i(b, "blkio.weight", (int64_t)w);
	json_array_foreach (ct_j(blk, "weightDevice"), i, d) {
		int64_t maj = 0, min = 0;

		if (!ct_ju(d, "weight", &w))
			continue;
		ct_ji(d, "major", &maj);
		ct_ji(d, "minor", &min);
		ct_w(b, "-s");
		if (v2)
			ct_wf(b, "io.weight=%" PRId64 ":%" PRId64 " %" PRIu64, maj, min,
			      ctu_cg_blkio_to_io_weight(w));
		else
			ct_wf(b, "blkio.weight_device=%" PRId64 ":%" PRId64 " %" PRIu64, maj, min,
			      w);
	}
	return io_max_words(b, blk);
}

static void hugetlb_words(struct ct_build *b, json_t *list)
{
	size_t i;
	json_t *h;

	json_array_foreach (list, i, h) {
		uint64_t limit = 0;

		ct_ju(h, "limit", &limit);
		ct_w(b, "-s");
		ct_wf(b, "hugetlb.%s.max=%" PRIu64, ct_js(h, "pageSize"), limit);
	}
}

static void rdma_words(struct ct_build *b, json_t *rdma)
{
	const char *dev;
	json_t *r;

	json_object_foreach (rdma, dev, r) {
		char value[256];
		uint64_t v;
		int n = snprintf(value, sizeof(value), "%s", dev);

		if (ct_ju(r, "hcaHandles", &v))
			n += snprintf(value + n, sizeof(value) - (size_t)n, " hca_handle=%" PRIu64,
				      v);
		if (ct_ju(r, "hcaObjects", &v) && (size_t)n < sizeof(value))
			snprintf(value + n, sizeof(value) - (size_t)n, " hca_object=%" PRIu64, v);
		set(b, "rdma.max", value);
	}
}

static int network_words(struct ct_build *b, json_t *net)
{
	uint64_t classid;
	size_t i;
	json_t *p;

	if (ct_ju(net, "classID", &classid)) {
		if (v1_only(b, "net_cls", "/linux/resources/network/classID") < 0)
			return -EINVAL;
		set_i(b, "net_cls.classid", (int64_t)classid);
	}
	json_array_foreach (ct_j(net, "priorities"), i, p) {
		int64_t prio = 0;

		if (v1_only(b, "net_prio", "/linux/resources/network/priorities") < 0)
			return -EINVAL;
		ct_ji(p, "priority", &prio);
		ct_w(b, "-s");
		ct_wf(b, "net_prio.ifpriomap=%s %" PRId64, ct_js(p, "name"), prio);
	}
	return 0;
}

static bool has_v2(const struct ctu_cg_hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i].v2)
			return true;
	return false;
}

static int unified_words(struct ct_build *b, json_t *unified)
{
	const char *key;
	json_t *v;

	json_object_foreach (unified, key, v) {
		if (!has_v2(b->hs))
			return ct_fail(b, "/linux/resources/unified",
				       "%s: no cgroup v2 hierarchy on "
				       "this host",
				       key);
		set(b, key, json_string_value(v));
	}
	return 0;
}

/* ---- devices ---- */

static void rule_number(char *buf, size_t size, json_t *d, const char *key)
{
	int64_t v;

	if (ct_ji(d, key, &v) && v >= 0)
		snprintf(buf, size, "%" PRId64, v);
	else
		snprintf(buf, size, "*");
}

static void device_rules(struct ct_build *b, json_t *list)
{
	/* runc's AllowedDevices after the config's: mknod of anything, then the defaults */
	static const char *const defaults[] = {
		"allow c *:* m",     "allow b *:* m",	"allow c 1:3 rwm", "allow c 1:5 rwm",
		"allow c 1:7 rwm",   "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:0 rwm",
		"allow c 136:* rwm", "allow c 5:2 rwm",
	};
	size_t i;
	json_t *d;

	json_array_foreach (list, i, d) {
		const char *type = ct_js(d, "type"), *access = ct_js(d, "access");
		char maj[24], min[24];

		rule_number(maj, sizeof(maj), d, "major");
		rule_number(min, sizeof(min), d, "minor");
		ct_w(b, "--device-rule");
		ct_wf(b, "%s %s %s:%s %s", ct_jb(d, "allow") ? "allow" : "deny",
		      type && *type ? type : "a", maj, min, access && *access ? access : "rwm");
	}
	for (i = 0; i < CTU_ARRAY_SIZE(defaults); i++)
		ct_wopt(b, "--device-rule", defaults[i]);
}

int ct_resource_words(struct ct_build *b, json_t *res)
{
	int r;

	if ((r = memory_words(b, ct_j(res, "memory"))) < 0 ||
	    (r = cpu_words(b, ct_j(res, "cpu"))) < 0)
		return r;
	pids_words(b, ct_j(res, "pids"));
	if ((r = blkio_words(b, ct_j(res, "blockIO"))) < 0)
		return r;
	hugetlb_words(b, ct_j(res, "hugepageLimits"));
	rdma_words(b, ct_j(res, "rdma"));
	if ((r = network_words(b, ct_j(res, "network"))) < 0)
		return r;
	return unified_words(b, ct_j(res, "unified"));
}

int ct_cgctl_words(struct ct_build *b)
{
	json_t *res = ct_j(ct_j(b->in->cfg, "linux"), "resources");
	int r;

	if ((r = ct_w_tool(b, "cgctl")) < 0)
		return r;
	ct_w(b, "exec");
	ct_w(b, b->in->cgroup);
	if ((r = ct_resource_words(b, res)) < 0)
		return r;
	device_rules(b, ct_j(res, "devices"));
	ct_w(b, "--empty");
	ct_wopt_u(b, "--preserve-fds", b->m);
	ct_w(b, "--");
	return 0;
}
