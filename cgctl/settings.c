// SPDX-License-Identifier: GPL-2.0-or-later
/* settings.c - validation and v1 translation of cgroup settings (see settings.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctu.h"
#include "parse.h"
#include "settings.h"
#include "units.h"

static int bad(ctu_err_t *err, const char *why)
{
	return ctu_err_usage(err, "%s", why);
}

/* A setting v1 cannot express: not the user's mistake, so a failure. */
static int no_v1(ctu_err_t *err, const char *why)
{
	ctu_err_make(err, 0, "%s", why);
	return -EOPNOTSUPP;
}

static int size_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	uint64_t bytes;

	if (ctu_parse_size(v, &bytes) < 0)
		return bad(err, "expected a size (4096, 64K, 32M, 2G) or max");
	if (bytes == CTU_SIZE_MAX)
		snprintf(out, size, "max");
	else
		snprintf(out, size, "%llu", (unsigned long long)bytes);
	return 0;
}

static int count_or_max(const char *v, char *out, size_t size, ctu_err_t *err)
{
	uint64_t n;

	if (strcmp(v, "max") == 0) {
		snprintf(out, size, "max");
		return 0;
	}
	if (ctu_parse_u64_range(v, 0, INT32_MAX, &n) < 0)
		return bad(err, "expected a number or max");
	snprintf(out, size, "%llu", (unsigned long long)n);
	return 0;
}

static int weight_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	uint64_t n;

	if (ctu_parse_u64_range(v, 1, 10000, &n) < 0)
		return bad(err, "expected a weight from 1 to 10000");
	snprintf(out, size, "%llu", (unsigned long long)n);
	return 0;
}

/* cpu.max: "QUOTA PERIOD", "QUOTA" (period 100000) or "max [PERIOD]", in microseconds. */
static int cpu_max_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	char quota[32] = "", period[32] = "100000", extra[2];
	uint64_t q, p;
	int n = sscanf(v, "%31s %31s %1s", quota, period, extra);

	if (n < 1 || n > 2)
		return bad(err, "expected \"QUOTA PERIOD\" in microseconds, or \"max [PERIOD]\"");
	if (ctu_parse_u64_range(period, 1000, 1000000, &p) < 0)
		return bad(err, "the period is from 1000 to 1000000 microseconds");
	if (strcmp(quota, "max") == 0) {
		snprintf(out, size, "max %llu", (unsigned long long)p);
		return 0;
	}
	if (ctu_parse_u64_range(quota, 1000, UINT32_MAX, &q) < 0)
		return bad(err, "the quota is max or at least 1000 microseconds");
	snprintf(out, size, "%llu %llu", (unsigned long long)q, (unsigned long long)p);
	return 0;
}

/* "0-3,5,7-8" */
static int cpu_list_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	const char *p = v;

	if (!*v)
		return bad(err, "expected a list like 0-3,5");
	while (*p) {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*p))
			return bad(err, "expected a list like 0-3,5");
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return bad(err, "expected a list like 0-3,5");
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b > 65535)
			return bad(err, "a range runs from low to high, below 65536");
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return bad(err, "expected a list like 0-3,5");
		p = end;
	}
	snprintf(out, size, "%s", v);
	return 0;
}

/* A v1 size, where -1 means no limit: "max", as the v2 form. */
static int v1_size_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	return size_value(strcmp(v, "-1") == 0 ? "max" : v, out, size, err);
}

static int number_in(const char *v, uint64_t min, uint64_t max, char *out, size_t size)
{
	uint64_t n;

	if (ctu_parse_u64_range(v, min, max, &n) < 0)
		return -EINVAL;
	snprintf(out, size, "%llu", (unsigned long long)n);
	return 0;
}

static int shares_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	if (number_in(v, 2, 262144, out, size) < 0)
		return bad(err, "expected cpu shares from 2 to 262144");
	return 0;
}

static int blkio_weight_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	if (number_in(v, 10, 1000, out, size) < 0)
		return bad(err, "expected a blkio weight from 10 to 1000");
	return 0;
}

static int burst_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	if (number_in(v, 0, UINT32_MAX, out, size) < 0)
		return bad(err, "expected a burst in microseconds");
	return 0;
}

/* "8:0 ": a block device's numbers and a blank; the length taken, or 0. */
static size_t device_prefix(const char *v)
{
	unsigned int major, minor;
	int n = 0;

	if (sscanf(v, "%u:%u %n", &major, &minor, &n) != 2 || n == 0 || !isdigit((unsigned char)*v) ||
	    major > 4095 || minor > 1048575 || v[n - 1] != ' ')
		return 0;
	return (size_t)n;
}

/* One "rbps=N" of io.max: true if the name is known and the value a number or max. */
static bool io_max_pair(const char *pair, size_t len)
{
	static const char *const names[] = { "rbps=", "wbps=", "riops=", "wiops=" };
	char value[32];
	uint64_t n;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(names); i++) {
		size_t k = strlen(names[i]);

		if (len <= k || len - k >= sizeof(value) || strncmp(pair, names[i], k))
			continue;
		snprintf(value, sizeof(value), "%.*s", (int)(len - k), pair + k);
		return !strcmp(value, "max") || ctu_parse_u64_range(value, 0, UINT64_MAX - 1, &n) == 0;
	}
	return false;
}

/* io.max: "MAJ:MIN rbps=N wbps=N riops=N wiops=N", each limit optional, N or max. */
static int io_max_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	size_t at = device_prefix(v);

	if (!at || !v[at])
		return bad(err, "expected \"MAJ:MIN rbps=N wbps=N riops=N wiops=N\" (each optional, "
			   "N or max)");
	for (const char *p = v + at; *p;) {
		size_t len = strcspn(p, " ");

		if (!io_max_pair(p, len))
			return bad(err, "a limit is rbps=, wbps=, riops= or wiops= with a number or max");
		p += len;
		p += *p == ' ' && p[1];
	}
	snprintf(out, size, "%s", v);
	return 0;
}

/* blkio.throttle.*_device: "MAJ:MIN N" (0: no limit). */
static int throttle_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	size_t at = device_prefix(v);
	uint64_t n;

	if (!at || ctu_parse_u64_range(v + at, 0, UINT64_MAX - 1, &n) < 0)
		return bad(err, "expected \"MAJ:MIN N\" (0 for no limit)");
	snprintf(out, size, "%.*s%llu", (int)at, v, (unsigned long long)n);
	return 0;
}

/*
 * io.weight: "N", "default N" or "MAJ:MIN N" (one device's), N from 1 to
 * 10000, as the kernel takes it.
 */
static int io_weight_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	size_t at = strncmp(v, "default ", 8) == 0 ? 8 : device_prefix(v);
	char n[32];

	if (weight_value(v + at, n, sizeof(n), err) < 0)
		return bad(err, "expected a weight from 1 to 10000, \"default N\" or \"MAJ:MIN N\"");
	snprintf(out, size, "%.*s%s", (int)at, v, n);
	return 0;
}

/* blkio.weight_device: "MAJ:MIN N", N from 10 to 1000. */
static int blkio_weight_device_value(const char *v, char *out, size_t size, ctu_err_t *err)
{
	size_t at = device_prefix(v);
	char n[32];

	if (!at || number_in(v + at, 10, 1000, n, sizeof(n)) < 0)
		return bad(err, "expected \"MAJ:MIN N\", N from 10 to 1000");
	snprintf(out, size, "%.*s%s", (int)at, v, n);
	return 0;
}

static const struct {
	const char *key;
	int (*check)(const char *v, char *out, size_t size, ctu_err_t *err);
} checked_keys[] = {
	{ "memory.max", size_value },
	{ "memory.high", size_value },
	{ "memory.low", size_value },
	{ "memory.min", size_value },
	{ "memory.swap.max", size_value },
	{ "pids.max", count_or_max },
	{ "cpu.max", cpu_max_value },
	{ "cpu.weight", weight_value },
	{ "cpu.max.burst", burst_value },
	{ "io.weight", io_weight_value },
	{ "io.max", io_max_value },
	{ "cpuset.cpus", cpu_list_value },
	{ "cpuset.mems", cpu_list_value },
	/* v1 names that are converted where the controller is v2 */
	{ "cpu.shares", shares_value },
	{ "cpu.cfs_burst_us", burst_value },
	{ "blkio.weight", blkio_weight_value },
	{ "blkio.weight_device", blkio_weight_device_value },
	{ "memory.limit_in_bytes", v1_size_value },
	{ "memory.soft_limit_in_bytes", v1_size_value },
	{ "blkio.throttle.read_bps_device", throttle_value },
	{ "blkio.throttle.write_bps_device", throttle_value },
	{ "blkio.throttle.read_iops_device", throttle_value },
	{ "blkio.throttle.write_iops_device", throttle_value },
};

/* hugetlb.SIZE.max (v2) and hugetlb.SIZE.limit_in_bytes (v1): SIZE, the other name's suffix. */
static bool hugetlb_key(const char *key, const char *suffix, char *page, size_t size)
{
	size_t n = strlen(key), k = strlen(suffix);

	if (strncmp(key, "hugetlb.", 8) != 0 || n <= 8 + k || strcmp(key + n - k, suffix) != 0)
		return false;
	snprintf(page, size, "%.*s", (int)(n - 8 - k), key + 8);
	return !strchr(page, '.') && strcspn(page, "KMGB") != 0;
}

/* The checker of @key, or NULL for a key whose value is passed as it is. */
static int (*checker_of(const char *key))(const char *, char *, size_t, ctu_err_t *)
{
	char page[32];

	for (size_t i = 0; i < CTU_ARRAY_SIZE(checked_keys); i++)
		if (strcmp(key, checked_keys[i].key) == 0)
			return checked_keys[i].check;
	if (hugetlb_key(key, ".max", page, sizeof(page)))
		return size_value;
	if (hugetlb_key(key, ".limit_in_bytes", page, sizeof(page)))
		return v1_size_value;
	return NULL;
}

/*
 * A file name in a cgroup: "controller.rest", the controller in lower case,
 * the rest letters, digits, '_' and '.' ("hugetlb.2MB.max").
 */
static bool is_file_name(const char *key)
{
	const char *dot = strchr(key, '.');

	if (!dot || dot == key || !dot[1] || strlen(key) >= 64)
		return false;
	for (const char *p = key; *p; p++) {
		bool lower_part = p < dot;

		if (!(lower_part ? islower((unsigned char)*p) || *p == '_'
				 : isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

int setting_make(const char *key, const char *value, struct setting *out, ctu_err_t *err)
{
	if (!is_file_name(key))
		return bad(err, "not a cgroup setting name (controller.name)");
	if (strlen(value) >= sizeof(out->value) || strchr(value, '\n'))
		return bad(err, "the value is too long or holds a newline");
	snprintf(out->key, sizeof(out->key), "%s", key);
	if (checker_of(key))
		return checker_of(key)(value, out->value, sizeof(out->value), err);
	if (!*value)
		return bad(err, "empty value");
	snprintf(out->value, sizeof(out->value), "%s", value);
	return 0;
}

int setting_parse(const char *kv, struct setting *out, ctu_err_t *err)
{
	const char *eq = strchr(kv, '=');
	char key[64];

	if (!eq || eq == kv)
		return bad(err, "expected KEY=VALUE");
	if ((size_t)(eq - kv) >= sizeof(key))
		return bad(err, "not a cgroup setting name (controller.name)");
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	return setting_make(key, eq + 1, out, err);
}

int setting_cpus(const char *cpus, struct setting *out, ctu_err_t *err)
{
	uint64_t micro;
	char value[64];

	if (parse_fixed(cpus, 6, &micro) < 0 || micro == 0 || micro > 1024000000ULL)
		return bad(err, "expected a positive number of CPUs");
	/* quota = cpus * period, with the default period of 100 ms */
	if (micro * 100000 / 1000000 < 1000)
		return bad(err, "at least 0.01");
	snprintf(value, sizeof(value), "%llu 100000", (unsigned long long)(micro / 10));
	return setting_make("cpu.max", value, out, err);
}

/* Keys with one value per device: io.max and blkio.throttle.* set one device per setting. */
static bool same_target(const struct setting *a, const struct setting *b)
{
	size_t at;

	if (strcmp(a->key, b->key) != 0)
		return false;
	if (strcmp(a->key, "io.max") != 0 && strcmp(a->key, "io.weight") != 0 &&
	    strcmp(a->key, "blkio.weight_device") != 0 && strncmp(a->key, "blkio.throttle.", 15) != 0)
		return true;
	at = device_prefix(a->value);
	return at == device_prefix(b->value) && strncmp(a->value, b->value, at) == 0;
}

int settings_add(struct settings *all, const struct setting *s)
{
	for (size_t i = 0; i < all->n; i++)
		if (same_target(&all->s[i], s)) {
			all->s[i] = *s;
			return 0;
		}
	if (all->n == CTU_ARRAY_SIZE(all->s))
		return -E2BIG;
	all->s[all->n++] = *s;
	return 0;
}

uint64_t weight_to_shares(uint64_t weight)
{
	double y, l;
	uint64_t s;

	if (weight <= 1)
		return 2;
	if (weight >= 10000)
		return 262144;
	/* invert (l^2 + 125 l) / 612 - 7/34 = log10(weight) for l = log2(shares) */
	y = 612.0 * (log10((double)weight) + 7.0 / 34.0);
	l = (-125.0 + sqrt(125.0 * 125.0 + 4.0 * y)) / 2.0;
	s = (uint64_t)llround(pow(2, l));
	/* the forward mapping rounds up: step to shares that give the weight back */
	while (s > 2 && shares_to_weight(s) > weight)
		s--;
	while (s < 262144 && shares_to_weight(s) < weight)
		s++;
	return s;
}

uint64_t io_to_blkio_weight(uint64_t io)
{
	if (io < 1)
		io = 1;
	if (io > 10000)
		io = 10000;
	return 10 + ((io - 1) * 990 + 9998) / 9999;
}

static void set_op(struct write_op *op, const char *file, const char *value)
{
	snprintf(op->file, sizeof(op->file), "%s", file);
	snprintf(op->value, sizeof(op->value), "%s", value);
}

static const char *find_value(const struct settings *all, const char *key)
{
	for (size_t i = 0; all && i < all->n; i++)
		if (strcmp(all->s[i].key, key) == 0)
			return all->s[i].value;
	return NULL;
}

/* "max" is -1 in v1 files. */
static const char *v1_limit(const char *v)
{
	return strcmp(v, "max") == 0 ? "-1" : v;
}

/* io.max's limit names and the v1 files that hold each, one device per line. */
static const struct {
	const char *v2, *v1;
} io_limits[] = {
	{ "rbps", "blkio.throttle.read_bps_device" },
	{ "wbps", "blkio.throttle.write_bps_device" },
	{ "riops", "blkio.throttle.read_iops_device" },
	{ "wiops", "blkio.throttle.write_iops_device" },
};

/* io.max "8:0 rbps=N wiops=max" -> "8:0 N" in read_bps_device, "8:0 0" in write_iops_device. */
static int io_max_to_v1(const char *value, struct write_op ops[SETTING_OPS_MAX])
{
	size_t at = device_prefix(value);
	int n = 0;

	for (const char *p = value + at; *p && n < SETTING_OPS_MAX;) {
		size_t len = strcspn(p, " "), k = strcspn(p, "=");
		char limit[32];

		snprintf(limit, sizeof(limit), "%.*s", (int)(len - k - 1), p + k + 1);
		for (size_t i = 0; i < CTU_ARRAY_SIZE(io_limits); i++) {
			if (strlen(io_limits[i].v2) != k || strncmp(p, io_limits[i].v2, k))
				continue;
			snprintf(ops[n].file, sizeof(ops[n].file), "%s", io_limits[i].v1);
			/* v1 says "no limit" with 0 */
			snprintf(ops[n].value, sizeof(ops[n].value), "%.*s%s", (int)at, value,
				 strcmp(limit, "max") ? limit : "0");
			n++;
		}
		p += len;
		p += *p == ' ';
	}
	return n;
}

/* A v2 key whose v1 file differs only in name: hugetlb.SIZE.max, memory.low, cpu.max.burst. */
static int renamed_to_v1(const struct setting *s, struct write_op ops[SETTING_OPS_MAX])
{
	char page[32], file[64];

	if (hugetlb_key(s->key, ".max", page, sizeof(page)))
		snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", page);
	else if (strcmp(s->key, "memory.low") == 0 ||
		 strcmp(s->key, "memory.soft_limit_in_bytes") == 0)
		snprintf(file, sizeof(file), "memory.soft_limit_in_bytes");
	else if (hugetlb_key(s->key, ".limit_in_bytes", page, sizeof(page)) ||
		 strcmp(s->key, "memory.limit_in_bytes") == 0)
		snprintf(file, sizeof(file), "%s", s->key);
	else if (strcmp(s->key, "cpu.max.burst") == 0)
		snprintf(file, sizeof(file), "cpu.cfs_burst_us");
	else if (strcmp(s->key, "io.max") == 0)
		return io_max_to_v1(s->value, ops);
	else
		return 0;
	/* the v1 sizes of these files say -1 for no limit */
	set_op(&ops[0], file, v1_limit(s->value));
	return 1;
}

uint64_t shares_to_weight_linear(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio.throttle.read_bps_device "8:0 N" -> io.max "8:0 rbps=N" (0: max). */
static bool throttle_to_v2(const struct setting *s, struct setting *out)
{
	size_t at = device_prefix(s->value);

	for (size_t i = 0; i < CTU_ARRAY_SIZE(io_limits); i++) {
		if (strcmp(s->key, io_limits[i].v1) != 0)
			continue;
		snprintf(out->key, sizeof(out->key), "io.max");
		snprintf(out->value, sizeof(out->value), "%.*s%s=%s", (int)at, s->value,
			 io_limits[i].v2, strcmp(s->value + at, "0") ? s->value + at : "max");
		return true;
	}
	return false;
}

/* v1 names of v2 keys whose value needs no change but -1 -> max, done by the checkers. */
static bool renamed_to_v2(const struct setting *s, struct setting *out)
{
	static const struct {
		const char *v1, *v2;
	} renames[] = {
		{ "memory.limit_in_bytes", "memory.max" },
		{ "memory.soft_limit_in_bytes", "memory.low" },
		{ "cpu.cfs_burst_us", "cpu.max.burst" },
	};
	char page[32];

	if (hugetlb_key(s->key, ".limit_in_bytes", page, sizeof(page))) {
		snprintf(out->key, sizeof(out->key), "hugetlb.%s.max", page);
		snprintf(out->value, sizeof(out->value), "%s", s->value);
		return true;
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(renames); i++)
		if (strcmp(s->key, renames[i].v1) == 0) {
			snprintf(out->key, sizeof(out->key), "%s", renames[i].v2);
			snprintf(out->value, sizeof(out->value), "%s", s->value);
			return true;
		}
	return false;
}

bool setting_to_v2(const struct setting *s, struct setting *out)
{
	unsigned long long v = strtoull(s->value, NULL, 10);

	if (strcmp(s->key, "cpu.shares") == 0) {
		snprintf(out->key, sizeof(out->key), "cpu.weight");
		snprintf(out->value, sizeof(out->value), "%llu",
			 (unsigned long long)shares_to_weight_linear(v));
		return true;
	}
	if (strcmp(s->key, "blkio.weight") == 0 || strcmp(s->key, "blkio.weight_device") == 0) {
		size_t at = device_prefix(s->value);

		snprintf(out->key, sizeof(out->key), "io.weight");
		snprintf(out->value, sizeof(out->value), "%.*s%llu", (int)at, s->value,
			 (unsigned long long)blkio_to_io_weight(strtoull(s->value + at, NULL, 10)));
		return true;
	}
	return throttle_to_v2(s, out) || renamed_to_v2(s, out);
}

/* memory.swap.max: v1 limits memory + swap together, so the sum with memory.max. */
static int swap_to_v1(const struct setting *s, const struct settings *all,
		      bool (*exists)(const char *file, void *ctx), void *ctx, struct write_op *op,
		      ctu_err_t *err)
{
	const char *mem = find_value(all, "memory.max");
	char buf[64];

	if (strcmp(s->value, "max") == 0) {
		set_op(op, "memory.memsw.limit_in_bytes", "-1");
		return 1;
	}
	if (!mem || strcmp(mem, "max") == 0)
		return no_v1(err, "on cgroup v1 swap is limited together with memory: give --memory "
			     "too");
	if (!exists("memory.memsw.limit_in_bytes", ctx))
		return no_v1(err, "swap accounting is off in this kernel (no memory.memsw.*)");
	snprintf(buf, sizeof(buf), "%llu",
		 strtoull(mem, NULL, 10) + strtoull(s->value, NULL, 10));
	set_op(op, "memory.memsw.limit_in_bytes", buf);
	return 1;
}

/*
 * io.weight: blkio.weight (blkio.weight_device for one device's), or BFQ's
 * blkio.bfq.weight (which takes both forms), whichever the host has.
 */
static int io_weight_to_v1(const struct setting *s, bool (*exists)(const char *file, void *ctx),
			   void *ctx, struct write_op *op, ctu_err_t *err)
{
	bool one = device_prefix(s->value) > 0;
	size_t at = one ? device_prefix(s->value) : strncmp(s->value, "default ", 8) ? 0 : 8;
	const char *plain = one ? "blkio.weight_device" : "blkio.weight";
	const char *file = exists(plain, ctx)		       ? plain
			   : exists("blkio.bfq.weight", ctx) ? "blkio.bfq.weight"
							     : NULL;
	char buf[64];

	if (!file)
		return no_v1(err, "neither blkio.weight nor blkio.bfq.weight exists (no "
			     "weight-based I/O scheduler on this v1 host)");
	snprintf(buf, sizeof(buf), "%.*s%llu", one ? (int)at : 0, s->value,
		 (unsigned long long)io_to_blkio_weight(strtoull(s->value + at, NULL, 10)));
	set_op(op, file, buf);
	return 1;
}

int setting_to_v1(const struct setting *s, const struct settings *all,
		  bool (*exists)(const char *file, void *ctx), void *ctx,
		  struct write_op ops[SETTING_OPS_MAX], ctu_err_t *err)
{
	char buf[64];
	int n = renamed_to_v1(s, ops);

	if (n)
		return n;
	if (strcmp(s->key, "memory.max") == 0) {
		set_op(&ops[0], "memory.limit_in_bytes", v1_limit(s->value));
		return 1;
	}
	if (strcmp(s->key, "memory.swap.max") == 0)
		return swap_to_v1(s, all, exists, ctx, &ops[0], err);
	if (strcmp(s->key, "cpu.max") == 0) {
		char quota[32], period[32];

		sscanf(s->value, "%31s %31s", quota, period);
		/* the period first, so that the quota is checked against the new one */
		set_op(&ops[0], "cpu.cfs_period_us", period);
		set_op(&ops[1], "cpu.cfs_quota_us", v1_limit(quota));
		return 2;
	}
	if (strcmp(s->key, "cpu.weight") == 0) {
		snprintf(buf, sizeof(buf), "%llu",
			 (unsigned long long)weight_to_shares(strtoull(s->value, NULL, 10)));
		set_op(&ops[0], "cpu.shares", buf);
		return 1;
	}
	if (strcmp(s->key, "io.weight") == 0)
		return io_weight_to_v1(s, exists, ctx, &ops[0], err);
	if (strcmp(s->key, "memory.high") == 0 || strcmp(s->key, "memory.min") == 0)
		return no_v1(err, "it has no equivalent in the cgroup v1 memory controller this "
			     "host uses");
	/* same name in v1 (pids.max, cpuset.*), or a raw v1 file name */
	set_op(&ops[0], s->key, s->value);
	return 1;
}
