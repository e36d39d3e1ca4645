// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json.c - jansson under ctutils' rules: bounded reads, duplicate keys
 * refused, errors that name the path, sorted compact dumps, atomic writes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctu.h"
#include "json.h"

json_t *ctu_json_parse(const char *buf, size_t len, const char *what, ctu_err_t *err)
{
	json_error_t je;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!v)
		ctu_err_make(err, 0, "%s: line %d: %s", what, je.line, je.text);
	return v;
}

int ctu_json_read_fd(int fd, size_t cap, const char *what, char **out, size_t *len,
		     ctu_err_t *err)
{
	size_t size = 0, alloc = 0;
	char *buf = NULL;

	if (!cap)
		cap = CTU_JSON_MAX;
	for (;;) {
		ssize_t n;

		if (size + 1 >= alloc) {
			size_t want = alloc ? alloc * 2 : 8192;
			char *nbuf;

			if (want > cap + 2)
				want = cap + 2;
			nbuf = realloc(buf, want);
			if (!nbuf) {
				free(buf);
				return ctu_err_make(err, ENOMEM, "cannot read %s", what);
			}
			buf = nbuf;
			alloc = want;
		}
		n = read(fd, buf + size, alloc - size - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return ctu_err_errno(err, "cannot read %s", what);
		}
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > cap) {
			free(buf);
			return ctu_err_make(err, 0, "%s: larger than %zu bytes", what, cap);
		}
	}
	buf[size] = '\0';
	*out = buf;
	*len = size;
	return 0;
}

json_t *ctu_json_load_fd(int fd, size_t cap, const char *what, ctu_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	if (ctu_json_read_fd(fd, cap, what, &buf, &len, err) < 0)
		return NULL;
	return ctu_json_parse(buf, len, what, err);
}

json_t *ctu_json_load_at(int dirfd, const char *path, size_t cap, const char *what,
			 ctu_err_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		ctu_err_errno(err, "cannot open %s", what);
		return NULL;
	}
	return ctu_json_load_fd(fd, cap, what, err);
}

const char *ctu_json_path_key(char *buf, size_t size, const char *path, const char *key)
{
	snprintf(buf, size, "%s.%s", path, key);
	return buf;
}

const char *ctu_json_path_index(char *buf, size_t size, const char *path, size_t i)
{
	snprintf(buf, size, "%s[%zu]", path, i);
	return buf;
}

/* The member @key of @obj of type @type: 0, 1 (absent or null), or a negative number. */
static int get_typed(json_t *obj, const char *path, const char *key, bool required, json_type type,
		     const char *type_name, json_t **out, ctu_err_t *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_object(obj))
		return ctu_err_make(err, 0, "%s: not an object", *path ? path : ".");
	if (!v || json_is_null(v)) {
		if (required)
			return ctu_err_make(err, 0, "%s.%s: missing", path, key);
		return 1;
	}
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)))
		return ctu_err_make(err, 0, "%s.%s: not %s", path, key, type_name);
	*out = v;
	return 0;
}

int ctu_json_get_string(json_t *obj, const char *path, const char *key, bool required,
			const char **out, ctu_err_t *err)
{
	json_t *v = NULL;
	int r = get_typed(obj, path, key, required, JSON_STRING, "a string", &v, err);

	if (r == 0)
		*out = json_string_value(v);
	return r;
}

int ctu_json_get_object(json_t *obj, const char *path, const char *key, bool required,
			json_t **out, ctu_err_t *err)
{
	return get_typed(obj, path, key, required, JSON_OBJECT, "an object", out, err);
}

int ctu_json_get_array(json_t *obj, const char *path, const char *key, bool required,
		       json_t **out, ctu_err_t *err)
{
	return get_typed(obj, path, key, required, JSON_ARRAY, "an array", out, err);
}

int ctu_json_get_int(json_t *obj, const char *path, const char *key, bool required,
		     json_int_t *out, ctu_err_t *err)
{
	json_t *v = NULL;
	int r = get_typed(obj, path, key, required, JSON_INTEGER, "an integer", &v, err);

	if (r == 0)
		*out = json_integer_value(v);
	return r;
}

int ctu_json_get_bool(json_t *obj, const char *path, const char *key, bool required, bool *out,
		      ctu_err_t *err)
{
	json_t *v = NULL;
	int r = get_typed(obj, path, key, required, JSON_TRUE, "a boolean", &v, err);

	if (r == 0)
		*out = json_is_true(v);
	return r;
}

int ctu_json_array_string(json_t *arr, const char *path, size_t i, const char **out,
			  ctu_err_t *err)
{
	json_t *v = json_array_get(arr, i);

	if (!json_is_string(v))
		return ctu_err_make(err, 0, "%s[%zu]: not a string", path, i);
	*out = json_string_value(v);
	return 0;
}

int ctu_json_check_strings(json_t *arr, const char *path, ctu_err_t *err)
{
	const char *s;

	if (!json_is_array(arr))
		return ctu_err_make(err, 0, "%s: not an array", path);
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (ctu_json_array_string(arr, path, i, &s, err) < 0)
			return ctu_err_code(*err);
	return 0;
}

json_t *ctu_json_string_array(const char *const *v)
{
	json_t *a = json_array();

	for (; a && *v; v++) {
		if (json_array_append_new(a, json_string(*v)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

char *ctu_json_dump(const json_t *v)
{
	return json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
}

int ctu_write_file_atomic(int dirfd, const char *name, const void *buf, size_t len, bool sync,
			  ctu_err_t *err)
{
	char tmp[4096];
	_cleanup_close_ int fd = -1;
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d", name, (int)getpid()) >= (int)sizeof(tmp))
		return ctu_err_make(err, ENAMETOOLONG, "cannot write %s", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return ctu_err_errno(err, "cannot write %s", name);
	r = ctu_write_all(fd, buf, len);
	if (r == 0 && sync && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return ctu_err_make(err, -r, "cannot write %s", name);
	}
	return 0;
}

int ctu_json_write_at(int dirfd, const char *name, const json_t *v, bool newline, bool sync,
		      ctu_err_t *err)
{
	_cleanup_free_ char *text = ctu_json_dump(v);
	_cleanup_free_ char *withnl = NULL;
	const char *out = text;
	size_t len;

	if (!text)
		return ctu_err_make(err, ENOMEM, "cannot write %s", name);
	len = strlen(text);
	if (newline) {
		if (asprintf(&withnl, "%s\n", text) < 0) {
			withnl = NULL;
			return ctu_err_make(err, ENOMEM, "cannot write %s", name);
		}
		out = withnl;
		len++;
	}
	return ctu_write_file_atomic(dirfd, name, out, len, sync, err);
}

int ctu_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int len = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
		: p[0] >= 0xf0 && p[0] < 0xf5 ? 4 : 0;
	uint32_t c = len == 1 ? p[0] : len == 2 ? p[0] & 0x1f : len == 3 ? p[0] & 0x0f : p[0] & 0x07;

	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (len == 0 || c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

char *ctu_utf8_clean(const char *s, size_t len, size_t *out_len)
{
	/* each invalid byte grows to the 3 bytes of U+FFFD */
	char *out = malloc(len * 3 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		int n = ctu_utf8_decode(p + i, len - i, &c);

		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(o, p + i, (size_t)n);
			o += n;
			i += (size_t)n;
		}
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

json_t *ctu_json_text(const char *s, size_t len)
{
	size_t n;
	char *clean = ctu_utf8_clean(s, len, &n);
	json_t *v = clean ? json_stringn(clean, n) : NULL;

	free(clean);
	return v;
}
