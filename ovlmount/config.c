// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - --image-config: what an image asks of its container (the
 * config's .config: entrypoint, command, environment, ...) as `Name value`
 * lines or one JSON object with sorted keys.  argv is docker's rule:
 * Entrypoint followed by Cmd.
 */
#include <stdint.h>
#include <string.h>

#include "ctu.h"
#include "imgsrc.h"

static const char *const string_lists[] = { "Entrypoint", "Cmd", "Env" };
static const char *const strings[] = { "WorkingDir", "User", "StopSignal" };
static const char *const sets[] = { "ExposedPorts", "Volumes" };

int cfg_check(json_t *cfg, ctu_err_t *err)
{
	json_t *c, *v;
	const char *s, *key;
	char p[256];
	int r = ctu_json_get_object(cfg, "", "config", false, &c, err);

	if (r != 0)
		return r < 0 ? ctu_err_wrap(err, "config") : 0;
	for (size_t i = 0; i < CTU_ARRAY_SIZE(string_lists); i++) {
		r = ctu_json_get_array(c, ".config", string_lists[i], false, &v, err);
		if (r == 0)
			r = ctu_json_check_strings(
			    v, ctu_json_path_key(p, sizeof(p), ".config", string_lists[i]), err);
		if (r < 0)
			return ctu_err_wrap(err, "config");
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(strings); i++)
		if (ctu_json_get_string(c, ".config", strings[i], false, &s, err) < 0)
			return ctu_err_wrap(err, "config");
	for (size_t i = 0; i < CTU_ARRAY_SIZE(sets); i++)
		if (ctu_json_get_object(c, ".config", sets[i], false, &v, err) < 0)
			return ctu_err_wrap(err, "config");
	r = ctu_json_get_object(c, ".config", "Labels", false, &v, err);
	if (r < 0)
		return ctu_err_wrap(err, "config");
	if (r > 0)
		return 0;
	for (void *it_ = json_object_iter(v);
	     it_ && (key = json_object_iter_key(it_), c = json_object_iter_value(it_));
	     it_ = json_object_iter_next(v, it_))
		if (ctu_json_get_string(v, ".config.Labels", key, false, &s, err) < 0)
			return ctu_err_wrap(err, "config");
	return 0;
}

/* .config.NAME, or NULL (also when absent: cfg_check() has seen the types). */
static json_t *member(const struct img_image *img, const char *name)
{
	json_t *v = json_object_get(json_object_get(img->config, "config"), name);

	return json_is_null(v) ? NULL : v;
}

static const char *string_of(const struct img_image *img, const char *name)
{
	const char *s = json_string_value(member(img, name));

	return s ? s : "";
}

/* A string array member, [] when absent (a new reference). */
static json_t *list_of(const struct img_image *img, const char *name)
{
	json_t *v = member(img, name);

	return json_is_array(v) ? json_incref(v) : json_array();
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted keys of an object member (ExposedPorts, Volumes), as an array. */
static json_t *keys_of(const struct img_image *img, const char *name)
{
	json_t *obj = member(img, name), *arr = json_array();
	const char *key;
	size_t n = json_object_size(obj), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));

	if (!arr || !keys) {
		free(keys);
		json_decref(arr);
		return NULL;
	}
	for (void *it_ = json_object_iter(obj);
	     it_ && (key = json_object_iter_key(it_));
	     it_ = json_object_iter_next(obj, it_))
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(keys[i]));
	free(keys);
	return arr;
}

/* Entrypoint + Cmd (a new reference). */
static json_t *argv_of(const struct img_image *img)
{
	json_t *argv = list_of(img, "Entrypoint"), *cmd = list_of(img, "Cmd");
	json_t *out = json_copy(argv);

	if (out && json_array_extend(out, cmd) < 0) {
		json_decref(out);
		out = NULL;
	}
	json_decref(argv);
	json_decref(cmd);
	return out;
}

/* The number @s is, or -1 ("1000" of "1000:1000"; a name is none). */
static long long id_of(const char *s, size_t len)
{
	long long v = 0;

	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < 4294967295LL ? v : -1;
}

static json_t *id_json(long long id)
{
	return id < 0 ? json_null() : json_integer(id);
}

static const char *working_dir(const struct img_image *img)
{
	const char *wd = string_of(img, "WorkingDir");

	return *wd ? wd : "/";
}

static int set(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

json_t *cfg_json(const struct img_image *img)
{
	const char *user = string_of(img, "User"), *colon = strchr(user, ':');
	size_t ulen = colon ? (size_t)(colon - user) : strlen(user);
	const char *created = json_string_value(json_object_get(img->config, "created"));
	json_t *labels = member(img, "Labels");
	json_t *o = json_object();
	char pl[128];
	int r = 0;

	if (!o)
		return NULL;
	r |= set(o, "source", json_string(img->source));
	r |= set(o, "manifest", json_string(img->manifest_digest));
	r |= set(o, "config", json_string(img->config_digest));
	r |= set(o, "platform", json_string(img_platform_format(&img->platform, pl, sizeof(pl))));
	r |= set(o, "created", json_string(created ? created : ""));
	r |= set(o, "entrypoint", list_of(img, "Entrypoint"));
	r |= set(o, "cmd", list_of(img, "Cmd"));
	r |= set(o, "argv", argv_of(img));
	r |= set(o, "env", list_of(img, "Env"));
	r |= set(o, "working_dir", json_string(working_dir(img)));
	r |= set(o, "user", json_string(user));
	r |= set(o, "uid", id_json(id_of(user, ulen)));
	r |= set(o, "gid", id_json(colon ? id_of(colon + 1, strlen(colon + 1)) : -1));
	r |= set(o, "exposed_ports", keys_of(img, "ExposedPorts"));
	r |= set(o, "volumes", keys_of(img, "Volumes"));
	r |= set(o, "labels", json_is_object(labels) ? json_deep_copy(labels) : json_object());
	r |= set(o, "stop_signal", json_string(string_of(img, "StopSignal")));
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "Name [..]": a list as one compact JSON array. */
static int print_list(FILE *f, const char *name, json_t *arr)
{
	char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;

	if (!text)
		return -ENOMEM;
	fprintf(f, "%s %s\n", name, text);
	free(text);
	return 0;
}

/* "Name item" for each element of @arr. */
static void print_lines(FILE *f, const char *name, json_t *arr)
{
	size_t i;
	json_t *v;

	for (i = 0; i < json_array_size(arr) && (v = json_array_get(arr, i)); i++)
		fprintf(f, "%s %s\n", name, json_string_value(v));
}

static int print_text(FILE *f, json_t *o)
{
	static const char *const lists[][2] = { { "Entrypoint", "entrypoint" },
						{ "Cmd", "cmd" },
						{ "Argv", "argv" } };
	json_t *labels = json_object_get(o, "labels");
	const char *key, *user = json_string_value(json_object_get(o, "user"));
	const char *sig = json_string_value(json_object_get(o, "stop_signal"));
	size_t n = json_object_size(labels), i = 0;
	_cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof(*keys));

	if (!keys)
		return -ENOMEM;
	for (size_t k = 0; k < CTU_ARRAY_SIZE(lists); k++)
		if (print_list(f, lists[k][0], json_object_get(o, lists[k][1])) < 0)
			return -ENOMEM;
	print_lines(f, "Env", json_object_get(o, "env"));
	fprintf(f, "WorkingDir %s\n", json_string_value(json_object_get(o, "working_dir")));
	if (*user)
		fprintf(f, "User %s\n", user);
	print_lines(f, "ExposedPorts", json_object_get(o, "exposed_ports"));
	print_lines(f, "Volumes", json_object_get(o, "volumes"));
	for (void *it_ = json_object_iter(labels);
	     it_ && (key = json_object_iter_key(it_));
	     it_ = json_object_iter_next(labels, it_))
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		fprintf(f, "Labels %s=%s\n", keys[i],
			json_string_value(json_object_get(labels, keys[i])));
	if (*sig)
		fprintf(f, "StopSignal %s\n", sig);
	return 0;
}

int img_config_print(const struct img_image *img, bool json, ctu_err_t *err)
{
	_cleanup_json_ json_t *o = cfg_json(img);
	int r;

	if (!o)
		return ctu_err_make(err, ENOMEM, "%s: config", img->source);
	if (json)
		r = json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_INDENT(2)) < 0 ||
			    fputc('\n', stdout) == EOF
			? -EIO
			: 0;
	else
		r = print_text(stdout, o);
	if (r == 0 && fflush(stdout) == EOF)
		r = -errno;
	if (r < 0)
		return ctu_err_make(err, -r, "%s: cannot print the config", img->source);
	return 0;
}
