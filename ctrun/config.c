// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - BUNDLE/config.json read and checked whole before anything is
 * made: the reading (16 MiB at most, duplicate keys, NUL and invalid UTF-8
 * refused by jansson, its line and column in the message), the typed
 * getters every part shares, and the top level (ociVersion, root, hostname,
 * hooks, annotations).  Each error names the member by JSON pointer, so
 * "config.json: /linux/namespaces/2/type: unknown namespace type 'foo'".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_check.h"
#include "ctu.h"
#include "json.h"

const char *ck_ptr(char *buf, const char *base, const char *key)
{
	size_t n = (size_t)snprintf(buf, CK_PTR_MAX, "%s/", base);

	for (; *key && n + 3 < CK_PTR_MAX; key++) {
		if (*key == '~' || *key == '/') {
			buf[n++] = '~';
			buf[n++] = *key == '~' ? '0' : '1';
		} else {
			buf[n++] = *key;
		}
	}
	buf[n < CK_PTR_MAX ? n : CK_PTR_MAX - 1] = '\0';
	return buf;
}

const char *ck_ptr_i(char *buf, const char *base, size_t i)
{
	snprintf(buf, CK_PTR_MAX, "%s/%zu", base, i);
	return buf;
}

int ck_fail(struct ck *ck, const char *ptr, const char *fmt, ...)
{
	char *why = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&why, fmt, ap);
	va_end(ap);
	r = ctu_err_make(ck->err, 0, "%s: %s", *ptr ? ptr : "/", r < 0 ? "invalid" : why);
	free(why);
	return r;
}

int ck_later(struct ck *ck, const char *ptr)
{
	return ck_fail(ck, ptr, "not supported yet");
}

void ck_warn(struct ck *ck, const char *ptr, const char *fmt, ...)
{
	char *why = NULL, *line = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&why, fmt, ap);
	va_end(ap);
	if (r >= 0 && ck->warnings && asprintf(&line, "config.json: %s: %s", ptr, why) >= 0)
		json_array_append_new(ck->warnings, json_string(line));
	free(line);
	free(why);
}

static const char *type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "a value";
	}
}

int ck_member(struct ck *ck, json_t *obj, const char *base, const char *key, json_type type,
	      bool required, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char p[CK_PTR_MAX];

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return ck_fail(ck, ck_ptr(p, base, key), "missing");
		return 1;
	}
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)))
		return ck_fail(ck, ck_ptr(p, base, key), "expected %s", type_name(type));
	*out = v;
	return 0;
}

int ck_string(struct ck *ck, json_t *obj, const char *base, const char *key, bool required,
	      const char **out)
{
	json_t *v;
	int r = ck_member(ck, obj, base, key, JSON_STRING, required, &v);

	*out = r == 0 ? json_string_value(v) : NULL;
	return r;
}

int ck_bool(struct ck *ck, json_t *obj, const char *base, const char *key, bool *out)
{
	json_t *v;
	int r = ck_member(ck, obj, base, key, JSON_TRUE, false, &v);

	*out = r == 0 && json_is_true(v);
	return r;
}

int ck_int(struct ck *ck, json_t *obj, const char *base, const char *key, bool required,
	   long long min, long long max, long long *out)
{
	json_t *v = json_object_get(obj, key);
	char p[CK_PTR_MAX];

	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			return ck_fail(ck, ck_ptr(p, base, key), "missing");
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return ck_fail(ck, ck_ptr(p, base, key), "expected an integer from %lld to %lld",
			       min, max);
	*out = json_integer_value(v);
	return 0;
}

int ck_strings(struct ck *ck, json_t *obj, const char *base, const char *key, bool required,
	       json_t **out)
{
	json_t *v = json_object_get(obj, key), *e;
	char p[CK_PTR_MAX];
	size_t i;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return ck_fail(ck, ck_ptr(p, base, key), "missing");
		return 1;
	}
	if (!json_is_array(v))
		return ck_fail(ck, ck_ptr(p, base, key), "expected an array of strings");
	json_array_foreach (v, i, e)
		if (!json_is_string(e))
			return ck_fail(ck, ck_ptr(p, base, key), "expected an array of strings");
	*out = v;
	return 0;
}

int ck_string_map(struct ck *ck, json_t *obj, const char *base, const char *key, json_t **out)
{
	char p[CK_PTR_MAX];
	const char *k;
	json_t *v;
	int r = ck_member(ck, obj, base, key, JSON_OBJECT, false, out);

	if (r != 0)
		return r;
	json_object_foreach (*out, k, v)
		if (!json_is_string(v))
			return ck_fail(ck, ck_ptr(p, base, key), "expected an object of strings");
	return 0;
}

int ck_element_object(struct ck *ck, json_t *arr, const char *base, size_t i, json_t **out)
{
	char p[CK_PTR_MAX];

	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return ck_fail(ck, ck_ptr_i(p, base, i), "expected an object");
	return 0;
}

int ck_abs_path(struct ck *ck, const char *ptr, const char *path)
{
	if (path[0] != '/')
		return ck_fail(ck, ptr, "'%s' is not an absolute path", path);
	return 0;
}

int ck_refuse_present(struct ck *ck, json_t *obj, const char *base, const char *key)
{
	json_t *v = json_object_get(obj, key);
	char p[CK_PTR_MAX];

	if (!v || json_is_null(v))
		return 0;
	return ck_later(ck, ck_ptr(p, base, key));
}

struct ctu_cg_hiers *ck_hiers(struct ck *ck)
{
	ctu_err_t e = NULL;

	if (ck->hs || ck->hs_failed)
		return ck->hs;
	ck->hs = calloc(1, sizeof(*ck->hs));
	if (ck->hs && ctu_cg_detect(ck->hs, NULL, false, NULL, &e) < 0) {
		free(ck->hs);
		ck->hs = NULL;
	}
	ck->hs_failed = !ck->hs;
	ctu_err_free(&e);
	return ck->hs;
}

bool ck_has_ns(struct ck *ck, const char *type, bool *joined)
{
	json_t *nss = json_object_get(json_object_get(ck->cfg, "linux"), "namespaces"), *ns;
	size_t i;

	json_array_foreach (nss, i, ns) {
		const char *t = json_string_value(json_object_get(ns, "type"));

		if (t && !strcmp(t, type)) {
			if (joined)
				*joined = json_is_string(json_object_get(ns, "path"));
			return true;
		}
	}
	return false;
}

/* SemVer 2.0's numeric identifier: digits, no leading zero; the rest after it in *@end. */
static bool semver_number(const char *s, const char **end, unsigned long *v)
{
	char *e;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return false;
	errno = 0;
	*v = strtoul(s, &e, 10);
	*end = e;
	return errno == 0;
}

/* A pre-release or build suffix: dot-separated non-empty [0-9A-Za-z-] identifiers. */
static bool semver_suffix(const char *s, const char *stop)
{
	size_t n = 0;

	for (; *s && !strchr(stop, *s); s++) {
		if (*s == '.' && n == 0)
			return false;
		n = *s == '.' ? 0 : n + 1;
		if (*s != '.' && !isalnum((unsigned char)*s) && *s != '-')
			return false;
	}
	return n > 0;
}

static int check_oci_version(struct ck *ck, json_t *cfg)
{
	unsigned long major, minor, patch;
	const char *v, *s;
	int r = ck_string(ck, cfg, "", "ociVersion", true, &v);

	if (r < 0)
		return r;
	if (!semver_number(v, &s, &major) || *s++ != '.' || !semver_number(s, &s, &minor) ||
	    *s++ != '.' || !semver_number(s, &s, &patch) ||
	    (*s == '-' && !semver_suffix(s + 1, "+")) ||
	    (strchr(s, '+') && !semver_suffix(strchr(s, '+') + 1, "")) ||
	    (*s && *s != '-' && *s != '+'))
		return ck_fail(ck, "/ociVersion", "'%s' is not a SemVer version", v);
	if (major != 1)
		return ck_fail(ck, "/ociVersion", "version %s is not supported (1.x only)", v);
	return 0;
}

static int check_root(struct ck *ck, json_t *cfg)
{
	json_t *root;
	const char *path;
	bool ro;
	int r = ck_member(ck, cfg, "", "root", JSON_OBJECT, true, &root);

	if (r < 0)
		return r;
	if ((r = ck_string(ck, root, "/root", "path", true, &path)) < 0)
		return r;
	if (!*path)
		return ck_fail(ck, "/root/path", "empty");
	return ck_bool(ck, root, "/root", "readonly", &ro) < 0 ? -EINVAL : 0;
}

/* hostname and domainname are written in the new uts namespace only. */
static int check_names(struct ck *ck, json_t *cfg)
{
	static const char *const keys[] = { "hostname", "domainname" };
	char p[CK_PTR_MAX];
	bool joined = false;

	for (size_t i = 0; i < 2; i++) {
		const char *name;
		int r = ck_string(ck, cfg, "", keys[i], false, &name);

		if (r < 0)
			return r;
		if (r || !*name)
			continue;
		ck_ptr(p, "", keys[i]);
		if (strlen(name) > 64)
			return ck_fail(ck, p, "longer than 64 bytes");
		if (!ck_has_ns(ck, "uts", &joined))
			return ck_fail(ck, p, "needs a new uts namespace");
		if (joined)
			ck_warn(ck, p, "ignored: the uts namespace is joined");
	}
	return 0;
}

static int check_top(struct ck *ck, json_t *cfg)
{
	json_t *process, *ann;
	int r;

	if (!json_is_object(cfg))
		return ck_fail(ck, "", "expected an object");
	if ((r = check_oci_version(ck, cfg)) < 0 || (r = check_root(ck, cfg)) < 0)
		return r;
	if ((r = ck_member(ck, cfg, "", "process", JSON_OBJECT, true, &process)) < 0)
		return r;
	if ((r = ck_process(ck, process, "/process")) < 0)
		return r;
	if ((r = ck_linux(ck, cfg)) < 0 || (r = check_names(ck, cfg)) < 0)
		return r;
	if ((r = ck_mounts(ck, cfg)) < 0 || (r = ck_hooks(ck, cfg)) < 0)
		return r;
	return ck_string_map(ck, cfg, "", "annotations", &ann) < 0 ? -EINVAL : 0;
}

static void ck_done(struct ck *ck)
{
	free(ck->hs);
	ck->hs = NULL;
}

int ct_config_check_warn(json_t *cfg, json_t *warnings, ctu_err_t *err)
{
	struct ck ck = { .warnings = warnings, .err = err, .cfg = cfg };
	int r = check_top(&ck, cfg);

	ck_done(&ck);
	if (r < 0)
		return ctu_err_wrap(err, "config.json");
	return 0;
}

int ct_config_check(json_t *cfg, ctu_err_t *err)
{
	return ct_config_check_warn(cfg, NULL, err);
}

int ct_process_check_warn(json_t *process, const char *pointer, json_t *warnings,
			  ctu_err_t *err)
{
	struct ck ck = { .warnings = warnings, .err = err, .cfg = NULL };

	if (!json_is_object(process))
		return ck_fail(&ck, pointer, "expected an object");
	return ck_process(&ck, process, pointer);
}

int ct_process_check(json_t *process, const char *pointer, ctu_err_t *err)
{
	return ct_process_check_warn(process, pointer, NULL, err);
}

/* jansson's nesting limit as text, for the message that names it */
#define DEPTH_TEXT_(n) #n
#define DEPTH_TEXT(n) DEPTH_TEXT_(n)

/*
 * @what parsed: jansson's own refusals (duplicate keys, invalid UTF-8,
 * "\u0000", nesting deeper than its limit) as "WHAT:LINE:COL: text".
 */
static json_t *parse_doc(const char *buf, size_t len, const char *what, ctu_err_t *err)
{
	json_error_t je;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!v)
		ctu_err_make(err, 0, "%s:%d:%d: %s%s", what, je.line, je.column, je.text,
			     json_error_code(&je) == json_error_stack_overflow
				     ? " (nested deeper than " DEPTH_TEXT(JSON_PARSER_MAX_DEPTH) " levels)"
				     : "");
	return v;
}

/* @name below @dirfd, a regular file of at most CT_CONFIG_MAX bytes, parsed. */
static json_t *read_doc(int dirfd, const char *name, const char *what, ctu_err_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	size_t len;
	char *buf;
	json_t *v;

	if (fd < 0 || fstat(fd, &st) < 0) {
		ctu_err_errno(err, "cannot open %s", what);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		ctu_err_make(err, 0, "%s: not a regular file", what);
		return NULL;
	}
	if ((size_t)st.st_size > CT_CONFIG_MAX) {
		ctu_err_make(err, 0, "%s: larger than %zu bytes", what, CT_CONFIG_MAX);
		return NULL;
	}
	if (ctu_json_read_fd(fd, CT_CONFIG_MAX, what, &buf, &len, err) < 0)
		return NULL;
	v = parse_doc(buf, len, what, err);
	free(buf);
	return v;
}

json_t *ct_config_load_warn(const char *bundle, json_t *warnings, ctu_err_t *err)
{
	_cleanup_close_ int dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ck ck = { .warnings = warnings, .err = err };
	json_t *cfg;

	if (dirfd < 0) {
		ctu_err_errno(err, "cannot open the bundle %s", bundle);
		return NULL;
	}
	cfg = read_doc(dirfd, "config.json", "config.json", err);
	if (!cfg || ct_config_check_warn(cfg, warnings, err) < 0)
		goto fail;
	ck.cfg = cfg;
	if (ck_root_dir(&ck, cfg, bundle) < 0 || ck_namespace_paths(&ck, cfg) < 0) {
		ctu_err_wrap(err, "config.json");
		goto fail;
	}
	return cfg;
fail:
	json_decref(cfg);
	return NULL;
}

json_t *ct_config_load(const char *bundle, ctu_err_t *err)
{
	return ct_config_load_warn(bundle, NULL, err);
}

json_t *ct_process_load_warn(const char *path, json_t *warnings, ctu_err_t *err)
{
	json_t *p = read_doc(AT_FDCWD, path, path, err);

	if (p && ct_process_check_warn(p, "", warnings, err) < 0) {
		ctu_err_wrap(err, "%s", path);
		json_decref(p);
		return NULL;
	}
	return p;
}

json_t *ct_process_load(const char *path, ctu_err_t *err)
{
	return ct_process_load_warn(path, NULL, err);
}
