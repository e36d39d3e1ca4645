// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_resources.c - the checks of /linux/resources: types and ranges,
 * runc's memory+swap rule, the v1-only members refused where their
 * controller is on cgroup v2 (the host's hierarchies, from lib/cg), the
 * ones runc 1.1 ignores warned, and unified keys on a host without v2.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "config_check.h"

/* A member that only a v1 controller has: refused when @ctrl is on v2 (or absent) here. */
static int v1_only(struct ck *ck, json_t *obj, const char *base, const char *key,
		   const char *ctrl)
{
	struct ctu_cg_hiers *hs = ck_hiers(ck);
	struct ctu_cg_hier *h;
	char p[CK_PTR_MAX];
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v) || !hs)
		return 0;
	h = ctu_cg_hier_for(hs, ctrl);
	if (!h || h->v2)
		return ck_fail(ck, ck_ptr(p, base, key),
			       "cgroup v1 only, and the %s controller is not on v1 here", ctrl);
	return 0;
}

static int ignored(struct ck *ck, json_t *obj, const char *base, const char *key)
{
	char p[CK_PTR_MAX];
	json_t *v = json_object_get(obj, key);

	if (v && !json_is_null(v))
		ck_warn(ck, ck_ptr(p, base, key), "ignored (as runc 1.1 does)");
	return 0;
}

/* runc's rule for swap (memory+swap): it needs a limit and is not below it. */
static int check_swap(struct ck *ck, long long limit, long long swap, const char *ptr)
{
	if (swap == 0 || swap == -1)
		return 0;
	if (limit == 0 || limit == -1)
		return ck_fail(ck, ptr, "a swap limit needs a memory limit");
	if (swap < limit)
		return ck_fail(ck, ptr, "memory+swap %lld is below the memory limit %lld", swap,
			       limit);
	return 0;
}

static int check_memory(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	long long limit = 0, swap = 0, v;
	json_t *mem;
	bool b;
	int r = ck_member(ck, res, base, "memory", JSON_OBJECT, false, &mem);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "memory");
	if (ck_int(ck, mem, p, "limit", false, -1, INT64_MAX, &limit) < 0 ||
	    ck_int(ck, mem, p, "reservation", false, -1, INT64_MAX, &v) < 0 ||
	    ck_int(ck, mem, p, "swap", false, -1, INT64_MAX, &swap) < 0 ||
	    ck_int(ck, mem, p, "swappiness", false, 0, 100, &v) < 0 ||
	    ck_bool(ck, mem, p, "disableOOMKiller", &b) < 0)
		return -EINVAL;
	if ((r = check_swap(ck, limit, swap, ck_ptr(q, p, "swap"))) < 0 ||
	    (r = v1_only(ck, mem, p, "swappiness", "memory")) < 0 ||
	    (r = v1_only(ck, mem, p, "disableOOMKiller", "memory")) < 0)
		return r;
	ignored(ck, mem, p, "kernel");
	ignored(ck, mem, p, "kernelTCP");
	ignored(ck, mem, p, "useHierarchy");
	ignored(ck, mem, p, "checkBeforeUpdate");
	return 0;
}

static int check_cpu(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX];
	const char *s;
	json_t *cpu;
	long long v;
	int r = ck_member(ck, res, base, "cpu", JSON_OBJECT, false, &cpu);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "cpu");
	if (ck_int(ck, cpu, p, "shares", false, 0, UINT32_MAX, &v) < 0 ||
	    ck_int(ck, cpu, p, "quota", false, -1, INT64_MAX, &v) < 0 ||
	    ck_int(ck, cpu, p, "period", false, 0, 1000000, &v) < 0 ||
	    ck_int(ck, cpu, p, "burst", false, 0, INT64_MAX, &v) < 0 ||
	    ck_int(ck, cpu, p, "realtimeRuntime", false, -1, INT64_MAX, &v) < 0 ||
	    ck_int(ck, cpu, p, "realtimePeriod", false, 0, INT64_MAX, &v) < 0 ||
	    ck_int(ck, cpu, p, "idle", false, 0, 1, &v) < 0 ||
	    ck_string(ck, cpu, p, "cpus", false, &s) < 0 || ck_string(ck, cpu, p, "mems", false, &s) < 0)
		return -EINVAL;
	if ((r = v1_only(ck, cpu, p, "realtimeRuntime", "cpu")) < 0 ||
	    (r = v1_only(ck, cpu, p, "realtimePeriod", "cpu")) < 0)
		return r;
	return 0;
}

/* weightDevice and throttle*Device entries: major, minor and @value. */
static int check_dev_list(struct ck *ck, json_t *bio, const char *base, const char *key,
			  const char *value, long long min, long long max)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *list, *e;
	long long v;
	size_t i;
	int r = ck_member(ck, bio, base, key, JSON_ARRAY, false, &list);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, key);
	for (i = 0; i < json_array_size(list); i++) {
		if ((r = ck_element_object(ck, list, p, i, &e)) < 0)
			return r;
		ck_ptr_i(q, p, i);
		if (ck_int(ck, e, q, "major", true, 0, UINT32_MAX, &v) < 0 ||
		    ck_int(ck, e, q, "minor", true, 0, UINT32_MAX, &v) < 0 ||
		    ck_int(ck, e, q, value, strcmp(value, "weight") != 0, min, max, &v) < 0)
			return -EINVAL;
		ignored(ck, e, q, "leafWeight");
	}
	return 0;
}

static int check_block_io(struct ck *ck, json_t *res, const char *base)
{
	static const char *const throttles[] = { "throttleReadBpsDevice", "throttleWriteBpsDevice",
						 "throttleReadIOPSDevice",
						 "throttleWriteIOPSDevice" };
	char p[CK_PTR_MAX];
	json_t *bio;
	long long v;
	int r = ck_member(ck, res, base, "blockIO", JSON_OBJECT, false, &bio);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "blockIO");
	if (ck_int(ck, bio, p, "weight", false, 10, 1000, &v) < 0)
		return -EINVAL;
	ignored(ck, bio, p, "leafWeight");
	if ((r = check_dev_list(ck, bio, p, "weightDevice", "weight", 10, 1000)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(throttles) / sizeof(throttles[0]); i++)
		if ((r = check_dev_list(ck, bio, p, throttles[i], "rate", 0, INT64_MAX)) < 0)
			return r;
	return 0;
}

/* "2MB", "1GB", "64KB": digits and a binary unit, as hugetlb names its files. */
static bool page_size_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && s[0] != '0' && (!strcmp(s + n, "KB") || !strcmp(s + n, "MB") ||
					!strcmp(s + n, "GB"));
}

static int check_hugepages(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX], s[CK_PTR_MAX];
	json_t *list, *e;
	const char *size;
	long long v;
	size_t i;
	int r = ck_member(ck, res, base, "hugepageLimits", JSON_ARRAY, false, &list);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "hugepageLimits");
	for (i = 0; i < json_array_size(list); i++) {
		if ((r = ck_element_object(ck, list, p, i, &e)) < 0)
			return r;
		ck_ptr_i(q, p, i);
		if (ck_string(ck, e, q, "pageSize", true, &size) < 0 ||
		    ck_int(ck, e, q, "limit", true, 0, INT64_MAX, &v) < 0)
			return -EINVAL;
		if (!page_size_ok(size))
			return ck_fail(ck, ck_ptr(s, q, "pageSize"), "'%s' is not a page size (2MB)",
				       size);
	}
	return 0;
}

static int check_network(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *net, *prios, *e;
	const char *name;
	long long v;
	size_t i;
	int r = ck_member(ck, res, base, "network", JSON_OBJECT, false, &net);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "network");
	if (ck_int(ck, net, p, "classID", false, 0, UINT32_MAX, &v) < 0 ||
	    ck_member(ck, net, p, "priorities", JSON_ARRAY, false, &prios) < 0)
		return -EINVAL;
	ck_ptr(q, p, "priorities");
	for (i = 0; i < json_array_size(prios); i++) {
		char s[CK_PTR_MAX];

		if ((r = ck_element_object(ck, prios, q, i, &e)) < 0)
			return r;
		ck_ptr_i(s, q, i);
		if (ck_string(ck, e, s, "name", true, &name) < 0 ||
		    ck_int(ck, e, s, "priority", true, 0, UINT32_MAX, &v) < 0)
			return -EINVAL;
	}
	if ((r = v1_only(ck, net, p, "classID", "net_cls")) < 0)
		return r;
	return json_array_size(prios) ? v1_only(ck, net, p, "priorities", "net_prio") : 0;
}

static int check_rdma(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	const char *dev;
	json_t *rdma, *e;
	long long v;
	int r = ck_member(ck, res, base, "rdma", JSON_OBJECT, false, &rdma);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "rdma");
	json_object_foreach (rdma, dev, e) {
		ck_ptr(q, p, dev);
		if (!json_is_object(e))
			return ck_fail(ck, q, "expected an object");
		if (!*dev || strpbrk(dev, " \n/"))
			return ck_fail(ck, q, "not a device name");
		if (ck_int(ck, e, q, "hcaHandles", false, 0, UINT32_MAX, &v) < 0 ||
		    ck_int(ck, e, q, "hcaObjects", false, 0, UINT32_MAX, &v) < 0)
			return -EINVAL;
	}
	return 0;
}

static int check_dev_rule(struct ck *ck, json_t *d, const char *ptr)
{
	char p[CK_PTR_MAX];
	const char *type, *access;
	json_t *a;
	long long v;
	bool allow;

	if (ck_member(ck, d, ptr, "allow", JSON_TRUE, true, &a) < 0 ||
	    ck_bool(ck, d, ptr, "allow", &allow) < 0 ||
	    ck_string(ck, d, ptr, "type", false, &type) < 0 ||
	    ck_string(ck, d, ptr, "access", false, &access) < 0)
		return -EINVAL;
	if (type && (strlen(type) != 1 || !strchr("abc", type[0])))
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "unknown type '%s' (a, b or c)", type);
	if (access && (strspn(access, "rwm") != strlen(access)))
		return ck_fail(ck, ck_ptr(p, ptr, "access"), "'%s' is not of r, w and m", access);
	if (ck_int(ck, d, ptr, "major", false, -1, UINT32_MAX, &v) < 0 ||
	    ck_int(ck, d, ptr, "minor", false, -1, UINT32_MAX, &v) < 0)
		return -EINVAL;
	return 0;
}

static int check_dev_rules(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *list, *d;
	size_t i;
	int r = ck_member(ck, res, base, "devices", JSON_ARRAY, false, &list);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "devices");
	for (i = 0; i < json_array_size(list); i++)
		if ((r = ck_element_object(ck, list, p, i, &d)) < 0 ||
		    (r = check_dev_rule(ck, d, ck_ptr_i(q, p, i))) < 0)
			return r;
	return 0;
}

/* unified: "controller.file" keys of the v2 hierarchy, which must exist here. */
static int check_unified(struct ck *ck, json_t *res, const char *base)
{
	struct ctu_cg_hiers *hs;
	char p[CK_PTR_MAX];
	const char *key;
	json_t *map, *v;
	int r = ck_string_map(ck, res, base, "unified", &map);

	if (r != 0)
		return r < 0 ? r : 0;
	json_object_foreach (map, key, v) {
		ck_ptr(p, "/linux/resources/unified", key);
		if (!*key || strchr(key, '/') || !strchr(key, '.') || key[0] == '.')
			return ck_fail(ck, p, "not a cgroup v2 file name");
		hs = ck_hiers(ck);
		if (hs && !ctu_cg_v2(hs))
			return ck_fail(ck, p, "this host has no cgroup v2 hierarchy");
	}
	return 0;
}

int ck_resources(struct ck *ck, json_t *res, const char *base)
{
	char p[CK_PTR_MAX];
	json_t *pids;
	long long v;
	int r;

	if ((r = check_memory(ck, res, base)) < 0 || (r = check_cpu(ck, res, base)) < 0 ||
	    (r = check_block_io(ck, res, base)) < 0 || (r = check_hugepages(ck, res, base)) < 0)
		return r;
	if ((r = check_network(ck, res, base)) < 0 || (r = check_rdma(ck, res, base)) < 0 ||
	    (r = check_dev_rules(ck, res, base)) < 0 || (r = check_unified(ck, res, base)) < 0)
		return r;
	if ((r = ck_member(ck, res, base, "pids", JSON_OBJECT, false, &pids)) < 0)
		return r;
	if (r == 0 && ck_int(ck, pids, ck_ptr(p, base, "pids"), "limit", false, -1, INT64_MAX,
			     &v) < 0)
		return -EINVAL;
	return 0;
}
