/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - JSON in and out over jansson, for image manifests and configs
 * (and an OCI runtime's config.json): loading under a size cap with
 * duplicate keys refused (two parsers must never read two documents), typed
 * getters whose errors name the path (".config.Env[2]: not a string"), and
 * sorted, compact dumps written atomically, so equal data is equal bytes.
 */
#ifndef CTU_JSON_H
#define CTU_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The most any JSON document may hold (containerd CVE-2023-25153: no unbounded reads). */
#define CTU_JSON_MAX ((size_t)4 << 20)

static inline void ctu_json_decrefp(json_t **v)
{
	json_decref(*v);
}
#define _cleanup_json_ __attribute__((cleanup(ctu_json_decrefp)))

/*
 * The UTF-8 sequence at @p (at most @n bytes): its length and code point,
 * or 0 for an invalid byte (RFC 3629: no overlong form, no surrogate,
 * nothing above U+10FFFF).
 */
int ctu_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/*
 * The @len bytes at @s with each invalid UTF-8 byte as U+FFFD, newly
 * allocated and NUL-terminated, its length in *@out_len; NULL without memory.
 */
char *ctu_utf8_clean(const char *s, size_t len, size_t *out_len);

/* A JSON string of @len bytes that may not be UTF-8 (ctu_utf8_clean'd): NULL without memory. */
json_t *ctu_json_text(const char *s, size_t len);

/*
 * Parses @len bytes at @buf: one JSON value, duplicate keys refused, nothing
 * after it.  @what names the document in errors ("index.json: line 3: ...").
 * Returns the value (a new reference) or NULL with *@err set.
 */
json_t *ctu_json_parse(const char *buf, size_t len, const char *what, ctu_err_t *err);

/*
 * Reads all of @fd (at most @cap bytes; 0 means CTU_JSON_MAX; more is an
 * error naming the cap) into a NUL-terminated buffer: *@out, *@len.
 * 0 or a negative number with *@err set.
 */
int ctu_json_read_fd(int fd, size_t cap, const char *what, char **out, size_t *len,
		     ctu_err_t *err);

/* ctu_json_read_fd() and ctu_json_parse(). */
json_t *ctu_json_load_fd(int fd, size_t cap, const char *what, ctu_err_t *err);

/* The file @path below @dirfd (O_NOFOLLOW on the last component), loaded. */
json_t *ctu_json_load_at(int dirfd, const char *path, size_t cap, const char *what,
			 ctu_err_t *err);

/*
 * Typed getters.  @path is where @obj sits in its document ("" for the
 * root, ".config"); errors say "PATH.KEY: not a string" or "PATH.KEY:
 * missing".  Absent or null members are NULL / not set when !@required.
 * Each returns 0 when set, 1 when absent (and not required), or a negative
 * number with *@err set.  The returned value is borrowed from @obj.
 */
int ctu_json_get_string(json_t *obj, const char *path, const char *key, bool required,
			const char **out, ctu_err_t *err);
int ctu_json_get_object(json_t *obj, const char *path, const char *key, bool required,
			json_t **out, ctu_err_t *err);
int ctu_json_get_array(json_t *obj, const char *path, const char *key, bool required,
		       json_t **out, ctu_err_t *err);
int ctu_json_get_int(json_t *obj, const char *path, const char *key, bool required,
		     json_int_t *out, ctu_err_t *err);
int ctu_json_get_bool(json_t *obj, const char *path, const char *key, bool required, bool *out,
		      ctu_err_t *err);

/* Element @i of array @arr (at @path) as a string: "PATH[I]: not a string". */
int ctu_json_array_string(json_t *arr, const char *path, size_t i, const char **out,
			  ctu_err_t *err);

/* Every element of array @arr (at @path) is a string, or *@err names the first that is not. */
int ctu_json_check_strings(json_t *arr, const char *path, ctu_err_t *err);

/* "PATH.KEY" or "PATH[I]" into @buf, for a caller that descends (truncated to fit). */
const char *ctu_json_path_key(char *buf, size_t size, const char *path, const char *key);
const char *ctu_json_path_index(char *buf, size_t size, const char *path, size_t i);

/* Sorted keys, compact: the bytes that get hashed.  Newly allocated, or NULL. */
char *ctu_json_dump(const json_t *v);

/* A JSON array of the strings of the NULL-terminated @v (NULL on ENOMEM). */
json_t *ctu_json_string_array(const char *const *v);

/*
 * Writes @v (ctu_json_dump, and a newline when @newline) to @name below
 * @dirfd atomically: a temporary file beside it, fsync when @sync, rename.
 * A reader sees the old file or the new one, never a part.  0 or -errno
 * with *@err set.
 */
int ctu_json_write_at(int dirfd, const char *name, const json_t *v, bool newline, bool sync,
		      ctu_err_t *err);

/* @len bytes to @name below @dirfd, the same way (mode 0644). */
int ctu_write_file_atomic(int dirfd, const char *name, const void *buf, size_t len, bool sync,
			  ctu_err_t *err);

#endif
