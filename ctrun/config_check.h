/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_check.h - what config.c and config_*.c share: one checking context
 * and typed getters whose errors name the JSON pointer (RFC 6901) of the
 * member: "/process/args: expected an array of strings".
 */
#ifndef CTRUN_CONFIG_CHECK_H
#define CTRUN_CONFIG_CHECK_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cg.h"
#include "ctrun.h"

/* Room for a pointer: a key may be long (sysctl, annotations), the rest is short. */
#define CK_PTR_MAX 512

struct ck {
	json_t *warnings;     /* strings, for the caller's ct_warn; NULL: dropped */
	ctu_err_t *err;
	json_t *cfg;	      /* the whole document (namespaces decide other rows) */
	struct ctu_cg_hiers *hs; /* the host's hierarchies, detected on first use */
	bool hs_failed;
};

/* "BASE/KEY" with '~' and '/' of KEY escaped as RFC 6901 says. */
const char *ck_ptr(char *buf, const char *base, const char *key);
/* "BASE/I". */
const char *ck_ptr_i(char *buf, const char *base, size_t i);

/* An error "POINTER: why" into ck->err; returns a negative number. */
int ck_fail(struct ck *ck, const char *ptr, const char *fmt, ...) CTU_PRINTF(3, 4);
/* The L rows: "POINTER: not supported yet". */
int ck_later(struct ck *ck, const char *ptr);
/* The I rows: a warning "config.json: POINTER: why", the field ignored. */
void ck_warn(struct ck *ck, const char *ptr, const char *fmt, ...) CTU_PRINTF(3, 4);

/*
 * Member @key of object @obj (at @base) of JSON type @type: 0 with *@out,
 * 1 when absent or null (an error when @required: "POINTER: missing"), or
 * a negative number ("POINTER: expected TYPE").  *@out is borrowed.
 */
int ck_member(struct ck *ck, json_t *obj, const char *base, const char *key, json_type type,
	      bool required, json_t **out);
int ck_string(struct ck *ck, json_t *obj, const char *base, const char *key, bool required,
	      const char **out);
int ck_bool(struct ck *ck, json_t *obj, const char *base, const char *key, bool *out);
/* An integer in [@min, @max]: "POINTER: expected an integer from MIN to MAX". */
int ck_int(struct ck *ck, json_t *obj, const char *base, const char *key, bool required,
	   long long min, long long max, long long *out);
/* An array of strings (empty allowed): "POINTER: expected an array of strings". */
int ck_strings(struct ck *ck, json_t *obj, const char *base, const char *key, bool required,
	       json_t **out);
/* An object whose every value is a string. */
int ck_string_map(struct ck *ck, json_t *obj, const char *base, const char *key, json_t **out);
/* Element @i of array @arr must be an object: "POINTER: expected an object". */
int ck_element_object(struct ck *ck, json_t *arr, const char *base, size_t i, json_t **out);
/* An absolute path without NUL (jansson refuses \u0000 already). */
int ck_abs_path(struct ck *ck, const char *ptr, const char *path);
/* A member that is refused whenever it is set (an L row). */
int ck_refuse_present(struct ck *ck, json_t *obj, const char *base, const char *key);

/* The host's cgroup hierarchies (NULL when they cannot be read: no v1/v2 checks). */
struct ctu_cg_hiers *ck_hiers(struct ck *ck);
/* Whether the configuration asks for namespace @type ("uts"), new or joined; *@joined. */
bool ck_has_ns(struct ck *ck, const char *type, bool *joined);

/* The parts (config_*.c). */
int ck_process(struct ck *ck, json_t *process, const char *base);
int ck_mounts(struct ck *ck, json_t *cfg);
int ck_linux(struct ck *ck, json_t *cfg);
int ck_namespaces(struct ck *ck, json_t *lin);
int ck_resources(struct ck *ck, json_t *res, const char *base);
int ck_hooks(struct ck *ck, json_t *cfg);
/* The checks that read the filesystem: root.path (relative to @bundle), namespace paths. */
int ck_root_dir(struct ck *ck, json_t *cfg, const char *bundle);
int ck_namespace_paths(struct ck *ck, json_t *cfg);
#endif
