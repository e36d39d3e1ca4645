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
#include "err.h"

/* One setting as the user gave it, validated: "memory.max" = "33554432". */
struct setting {
	char key[64];
	char value[256];
};

struct settings {
	struct setting s[64];
	size_t n;
};

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
 * Translates @s for a v1 hierarchy of its controller into at most two
 * writes (cpu.max is period then quota).  @all gives the other settings of
 * the same call (memory.swap.max needs memory.max).  @exists says whether
 * a file exists there (io.weight -> blkio.weight or blkio.bfq.weight).
 * Returns the number of writes, or -EOPNOTSUPP with *@err saying why when
 * the setting has no v1 equivalent.
 */
int setting_to_v1(const struct setting *s, const struct settings *all,
		  bool (*exists)(const char *file, void *ctx), void *ctx, struct write_op ops[2],
		  ctu_err_t *err);

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
