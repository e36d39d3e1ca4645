/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * settings.h - cgroup settings: cgroup v2 names and values everywhere,
 * validated before anything is written, and translated to the v1 files
 * where a controller lives in a v1 hierarchy.  Pure functions, no I/O: a
 * refusal is a ctu_err_t saying why (a usage error for a bad value).
 */
#ifndef CGCTL_SETTINGS_H
#define CGCTL_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cg.h"
#include "devices.h"
#include "err.h"

/* One setting as the user gave it, validated: "memory.max" = "33554432". */
struct setting {
	char key[64];
	char value[256];
};

struct settings {
	struct setting s[64];
	size_t n;
	struct dev_rules dev; /* --device-rule, in order (devices.h) */
};

/* The most writes one setting becomes on v1: io.max's four limits. */
#define SETTING_OPS_MAX 4

/* A file to write in one hierarchy: the translation of a setting. */
struct write_op {
	char file[64];
	char value[256];
};

/*
 * Validates KEY=VALUE (v2 names; a raw v1 file name is let through for
 * v1) and normalizes the value ("32M" -> "33554432", "-1" refused for
 * "max").  Returns 0, or -EINVAL with *@err (a usage error) saying why.
 */
int setting_parse(const char *kv, struct setting *out, ctu_err_t *err);

/* The same for a key and value given apart (--memory etc.). */
int setting_make(const char *key, const char *value, struct setting *out, ctu_err_t *err);

/* --cpus 0.5: cpu.max "50000 100000" (the default period); errors as above. */
int setting_cpus(const char *cpus, struct setting *out, ctu_err_t *err);

/* Adds @s, replacing an earlier setting of the same key.  -E2BIG when full. */
int settings_add(struct settings *all, const struct setting *s);

/* "memory" for "memory.max": the controller a key belongs to (lib/cg's). */
static inline void setting_controller(const char *key, char *ctrl, size_t size)
{
	ctu_cg_controller_of(key, ctrl, size);
}

/*
 * A v1 name given where its controller lives in v2, as the v2 setting:
 * cpu.shares -> cpu.weight (shares_to_weight_linear), blkio.weight ->
 * io.weight, memory.limit_in_bytes -> memory.max,
 * memory.soft_limit_in_bytes -> memory.low, cpu.cfs_burst_us ->
 * cpu.max.burst, hugetlb.SIZE.limit_in_bytes -> hugetlb.SIZE.max,
 * blkio.throttle.{read,write}_{bps,iops}_device "MAJ:MIN N" -> io.max
 * "MAJ:MIN rbps=N" (0 -> max).  True with *@out set, false for any other key.
 */
bool setting_to_v2(const struct setting *s, struct setting *out);

/*
 * cpu.shares -> cpu.weight as runc 1.1 and crun 1.8 convert an OCI config's
 * shares on v2: 1 + (shares - 2) * 9999 / 262142 (1024 -> 39).  cpu.weight
 * on v1 uses the log-quadratic mapping below instead.
 */
uint64_t shares_to_weight_linear(uint64_t shares);

/*
 * Translates @s for a v1 hierarchy of its controller into at most
 * SETTING_OPS_MAX writes (cpu.max is period then quota; io.max one per
 * limit; memory.low, cpu.max.burst, hugetlb.SIZE.max renamed).  @all gives the other settings of
 * the same call (memory.swap.max needs memory.max).  @exists says whether
 * a file exists there (io.weight -> blkio.weight or blkio.bfq.weight).
 * Returns the number of writes, or -EOPNOTSUPP with *@err saying why when
 * the setting has no v1 equivalent.
 */
int setting_to_v1(const struct setting *s, const struct settings *all,
		  bool (*exists)(const char *file, void *ctx), void *ctx,
		  struct write_op ops[SETTING_OPS_MAX], ctu_err_t *err);

/*
 * Reading back is lib/cg's (what --inspect reads too); these are its
 * functions under the names the settings' tests know.
 */
static inline const char *v1_file_for(const char *key)
{
	return ctu_cg_v1_file_for(key);
}

static inline void v1_value_to_v2(const char *key, const char *raw, char *out, size_t size)
{
	ctu_cg_v1_value_to_v2(key, raw, out, size);
}

/* cpu.shares <-> cpu.weight, the log-quadratic mapping (1024 <-> 100). */
static inline uint64_t shares_to_weight(uint64_t shares)
{
	return ctu_cg_shares_to_weight(shares);
}

uint64_t weight_to_shares(uint64_t weight);

/* blkio.weight [10, 1000] <-> io.weight [1, 10000]. */
static inline uint64_t blkio_to_io_weight(uint64_t blkio)
{
	return ctu_cg_blkio_to_io_weight(blkio);
}

uint64_t io_to_blkio_weight(uint64_t io);

#endif
