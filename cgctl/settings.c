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

static const struct {
	const char *key;
	int (*check)(const char *v, char *out, size_t size, ctu_err_t *err);
} checked_keys[] = {
	{ "memory.max", size_value },	  { "memory.high", size_value },
	{ "memory.low", size_value },	  { "memory.min", size_value },
	{ "memory.swap.max", size_value }, { "pids.max", count_or_max },
	{ "cpu.max", cpu_max_value },	  { "cpu.weight", weight_value },
	{ "io.weight", weight_value },	  { "cpuset.cpus", cpu_list_value },
	{ "cpuset.mems", cpu_list_value },
};

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
	for (size_t i = 0; i < CTU_ARRAY_SIZE(checked_keys); i++)
		if (strcmp(key, checked_keys[i].key) == 0)
			return checked_keys[i].check(value, out->value, sizeof(out->value), err);
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

int settings_add(struct settings *all, const struct setting *s)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->s[i].key, s->key) == 0) {
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

int setting_to_v1(const struct setting *s, const struct settings *all,
		  bool (*exists)(const char *file, void *ctx), void *ctx, struct write_op ops[2],
		  ctu_err_t *err)
{
	char buf[64];

	if (strcmp(s->key, "memory.max") == 0) {
		set_op(&ops[0], "memory.limit_in_bytes", v1_limit(s->value));
		return 1;
	}
	if (strcmp(s->key, "memory.swap.max") == 0) {
		/* v1 limits memory + swap together: the sum */
		const char *mem = find_value(all, "memory.max");
		unsigned long long m, w;

		if (strcmp(s->value, "max") == 0) {
			set_op(&ops[0], "memory.memsw.limit_in_bytes", "-1");
			return 1;
		}
		if (!mem || strcmp(mem, "max") == 0) {
			return no_v1(err, "on cgroup v1 swap is limited together with memory: "
					  "give --memory too");
		}
		if (!exists("memory.memsw.limit_in_bytes", ctx)) {
			return no_v1(err, "swap accounting is off in this kernel (no memory.memsw.*)");
		}
		m = strtoull(mem, NULL, 10);
		w = strtoull(s->value, NULL, 10);
		snprintf(buf, sizeof(buf), "%llu", m + w);
		set_op(&ops[0], "memory.memsw.limit_in_bytes", buf);
		return 1;
	}
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
	if (strcmp(s->key, "io.weight") == 0) {
		const char *file = exists("blkio.weight", ctx)	       ? "blkio.weight"
				   : exists("blkio.bfq.weight", ctx) ? "blkio.bfq.weight"
								     : NULL;

		if (!file) {
			return no_v1(err, "neither blkio.weight nor blkio.bfq.weight exists (no "
					  "weight-based I/O scheduler on this v1 host)");
		}
		snprintf(buf, sizeof(buf), "%llu",
			 (unsigned long long)io_to_blkio_weight(strtoull(s->value, NULL, 10)));
		set_op(&ops[0], file, buf);
		return 1;
	}
	if (strcmp(s->key, "memory.high") == 0 || strcmp(s->key, "memory.low") == 0 ||
	    strcmp(s->key, "memory.min") == 0) {
		return no_v1(err, "it has no equivalent in the cgroup v1 memory controller this "
				  "host uses");
	}
	/* same name in v1 (pids.max, cpuset.*), or a raw v1 file name */
	set_op(&ops[0], s->key, s->value);
	return 1;
}
