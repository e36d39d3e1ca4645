// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cninet.c - what `vethctl cni` runs a chain with: the network (a conflist
 * found by name in the conf dirs, a .conf wrapped into a list, as libcni
 * loads them), one CNI version every plugin speaks (each plugin asked
 * VERSION), each plugin's config built from the list as libcni builds it,
 * the plugin run (cniexec.c), and the attachment: the namespace's path and
 * inode, the container ID, the arguments.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cnirt.h"
#include "ctu.h"
#include "digest.h"
#include "nl.h"
#include "parse.h"

#define CID_PREFIX "ctutils-"

/* ---- versions ------------------------------------------------------------------ */

/* "X.Y.Z" into three numbers: 0, or -1 when it is not one. */
static int semver(const char *v, unsigned long out[3])
{
	for (int i = 0; i < 3; i++) {
		char *end;

		if (!v || !isdigit((unsigned char)*v))
			return -1;
		errno = 0;
		out[i] = strtoul(v, &end, 10);
		if (errno || (i < 2 && *end != '.') || (i == 2 && *end))
			return -1;
		v = end + 1;
	}
	return 0;
}

static bool semver_ok(const char *v)
{
	unsigned long x[3];

	return semver(v, x) == 0;
}

bool version_at_least(const char *v, const char *min)
{
	return cni_version_cmp(v, min) >= 0;
}

/* ---- a network ------------------------------------------------------------------ */

void net_free(struct net *n)
{
	json_decref(n->list);
	free(n->file);
	*n = (struct net){ 0 };
}

/* libcni's ValidateNetworkName and ValidateContainerID: they become a file name. */
bool valid_id(const char *s)
{
	if (!s || !isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* disableCheck / disableGC: a bool, or "true"/"false" in any case (libcni). */
static int list_bool(json_t *list, const char *file, const char *key, bool *out, ctu_err_t *err)
{
	json_t *v = json_object_get(list, key);

	*out = false;
	if (!v)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_string(v) && !strcasecmp(json_string_value(v), "true"))
		*out = true;
	else if (!json_is_string(v) || strcasecmp(json_string_value(v), "false"))
		return ctu_err_make(err, 0, "%s: .%s: not true or false", file, key);
	return 0;
}

/* A .conf (one plugin) as the list of it, as libcni's ConfListFromConf. */
static json_t *wrap_conf(json_t *conf)
{
	json_t *version = json_object_get(conf, "cniVersion");

	return json_pack("{s:O?,s:O?,s:[O]}", "cniVersion", version, "name",
			 json_object_get(conf, "name"), "plugins", conf);
}

/* @doc (a conflist, or a .conf) checked and taken into *@n. */
int net_of(json_t *doc, const char *file, struct net *n, ctu_err_t *err)
{
	json_t *list, *p, *versions = NULL;
	const char *s;
	size_t i;

	if (!json_is_object(doc))
		return ctu_err_make(err, 0, "%s: not a JSON object", file);
	list = json_object_get(doc, "plugins") ? json_incref(doc) : wrap_conf(doc);
	if (!list)
		return ctu_err_make(err, ENOMEM, "%s", file);
	n->list = list;
	if (ctu_json_get_string(list, "", "name", true, &n->name, err) < 0 ||
	    ctu_json_get_string(list, "", "cniVersion", false, &s, err) < 0 ||
	    ctu_json_get_array(list, "", "cniVersions", false, &versions, err) < 0 ||
	    (versions && ctu_json_check_strings(versions, ".cniVersions", err) < 0) ||
	    ctu_json_get_array(list, "", "plugins", true, &n->plugins, err) < 0)
		return ctu_err_wrap(err, "%s", file);
	if (!valid_id(n->name))
		return ctu_err_make(err, 0,
				    "%s: invalid network name '%s': letters, digits, '_', '.' and "
				    "'-' only, not first",
				    file, n->name);
	if (!json_array_size(n->plugins))
		return ctu_err_make(err, 0, "%s: .plugins: empty", file);
	json_array_foreach(n->plugins, i, p) {
		char path[32];
		const char *type;

		ctu_json_path_index(path, sizeof(path), ".plugins", i);
		if (!json_is_object(p))
			return ctu_err_make(err, 0, "%s: %s: not an object", file, path);
		if (ctu_json_get_string(p, path, "type", true, &type, err) < 0)
			return ctu_err_wrap(err, "%s", file);
		if (!*type)
			return ctu_err_make(err, 0, "%s: %s.type: empty", file, path);
	}
	if (list_bool(list, file, "disableCheck", &n->disable_check, err) < 0 ||
	    list_bool(list, file, "disableGC", &n->disable_gc, err) < 0)
		return ctu_err_code(*err);
	if (!(n->file = strdup(file)))
		return ctu_err_make(err, ENOMEM, "%s", file);
	return 0;
}

int net_load_file(const char *file, struct net *n, ctu_err_t *err)
{
	_cleanup_json_ json_t *doc = ctu_json_load_at(AT_FDCWD, file, 0, file, err);

	*n = (struct net){ 0 };
	return doc ? net_of(doc, file, n, err) : ctu_err_code(*err);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && !strcmp(s + a - b, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of @dir ending in @suffix (or @suffix2), sorted: *@out, NULL-terminated. */
static int conf_files(const char *dir, const char *suffix, const char *suffix2, char ***out)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*out = NULL;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char **nv;

		if (e->d_name[0] == '.' ||
		    !(has_suffix(e->d_name, suffix) || (suffix2 && has_suffix(e->d_name, suffix2))))
			continue;
		if (!(nv = realloc(v, (n + 2) * sizeof(*v))))
			break;
		v = nv;
		if (asprintf(&v[n], "%s/%s", dir, e->d_name) < 0)
			break;
		v[++n] = NULL;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The network called @name in one kind of file of the colon list @dirs: 0, 1 (none), or < 0. */
static int net_find_in(const char *dirs, const char *name, const char *suffix, const char *suffix2,
		       struct net *n, ctu_err_t *err)
{
	for (const char *d = dirs; *d;) {
		size_t len = strcspn(d, ":");
		_cleanup_free_ char *dir = strndup(d, len);
		char **files = NULL;

		d += len + (d[len] == ':');
		if (!dir)
			return ctu_err_make(err, ENOMEM, "%s", name);
		if (!len)
			continue;
		if (conf_files(dir, suffix, suffix2, &files) < 0)
			return ctu_err_errno(err, "cannot read %s", dir);
		for (size_t i = 0; files && files[i]; i++) {
			/* a broken file is said, as libcni says it: it may be the one meant */
			if (net_load_file(files[i], n, err) < 0) {
				strv_free(files);
				return ctu_err_code(*err);
			}
			if (!strcmp(n->name, name)) {
				strv_free(files);
				return 0;
			}
			net_free(n);
		}
		strv_free(files);
	}
	return 1;
}

/* NET: a file (a '/' in it), or a network name in --conf-dir: .conflist files first. */
int net_load(const struct rt *rt, const char *spec, struct net *n, ctu_err_t *err)
{
	int r;

	*n = (struct net){ 0 };
	if (strchr(spec, '/'))
		return net_load_file(spec, n, err);
	r = net_find_in(rt->conf_dir, spec, ".conflist", NULL, n, err);
	if (r == 1)
		r = net_find_in(rt->conf_dir, spec, ".conf", ".json", n, err);
	if (r == 1)
		return ctu_err_make(err, 0, "no network '%s' in %s", spec, rt->conf_dir);
	return r;
}

/* ---- running one plugin ----------------------------------------------------------- */

/* Along --path; our own types fall back to this binary, whoever installed which. */
static char *plugin_file(const struct rt *rt, const char *type, ctu_err_t *err)
{
	char *file = cni_find_plugin(rt->path, type);

	if (!file && (!strcmp(type, "ctutils-bridge") || !strcmp(type, "ctutils-host-local")))
		file = strdup("/proc/self/exe");
	if (!file && strchr(type, '/'))
		ctu_err_make(err, 0, "plugin %s: a plugin type is a name, not a path", type);
	else if (!file)
		ctu_err_make(err, 0, "plugin %s: not found in %s", type, rt->path);
	return file;
}

void att_free(struct att *a)
{
	free(a->cid);
	free(a->netns);
	free(a->args_buf);
	json_decref(a->cni_args);
	json_decref(a->cap_args);
	json_decref(a->result);
	*a = (struct att){ 0 };
}

/* "plugin TYPE: code N: MSG: DETAILS", whatever said it: the plugin, or our running of it. */
static int plugin_failed(const char *type, ctu_err_t *err)
{
	struct ctu_err *e = *err;
	_cleanup_free_ char *text = NULL;
	const char *msg = e && e->msg ? e->msg : "failed";
	size_t tl = strlen(type);
	int code = e && e->code ? e->code : CNI_ERR_INTERNAL;

	if (!strncmp(msg, "plugin ", 7) && !strncmp(msg + 7, type, tl) && msg[7 + tl] == ':')
		msg += 7 + tl + 1 + (msg[8 + tl] == ' ');
	if (asprintf(&text, "plugin %s: code %d: %s%s%s", type, code, msg, e && e->hint ? ": " : "",
		     e && e->hint ? e->hint : "") < 0)
		text = NULL;
	ctu_err_make(err, 0, "%s", text ? text : "out of memory");
	return ctu_err_set_code(err, code);
}

/*
 * Plugin @i's config for a request: the list's cniVersion (negotiated) and
 * name, its runtimeConfig from the capabilities it declares and we were
 * given, prevResult; every other key as it is.
 */
json_t *plugin_conf(const struct net *n, size_t i, const json_t *cap_args, json_t *prev)
{
	json_t *conf = json_deep_copy(json_array_get(n->plugins, i));
	json_t *caps = json_object_get(conf, "capabilities");
	const char *key;
	json_t *on;

	if (!conf || json_object_set_new(conf, "cniVersion", json_string(n->version)) ||
	    json_object_set_new(conf, "name", json_string(n->name)))
		goto fail;
	if (json_is_object(caps)) {
		json_t *rc = json_object();

		if (!rc)
			goto fail;
		json_object_foreach(caps, key, on) {
			json_t *v = json_object_get(cap_args, key);

			if (json_is_true(on) && v && json_object_set(rc, key, v)) {
				json_decref(rc);
				goto fail;
			}
		}
		if (json_object_del(conf, "capabilities") ||
		    json_object_set_new(conf, "runtimeConfig", rc))
			goto fail;
	}
	if (prev && json_object_set(conf, "prevResult", prev))
		goto fail;
	return conf;
fail:
	json_decref(conf);
	return NULL;
}

int run_plugin(const struct rt *rt, const char *type, const struct call *c, json_t **out,
	       ctu_err_t *err)
{
	_cleanup_free_ char *file = plugin_file(rt, type, err);
	_cleanup_free_ char *text = c->conf ? json_dumps(c->conf, JSON_COMPACT) : NULL;
	bool version = !strcmp(c->command, "VERSION");
	struct cni_exec x = {
		.type = type,
		.file = file,
		.command = c->command,
		.containerid = c->a ? c->a->cid : NULL,
		.netns = c->a	   ? c->a->netns
			 : version ? "dummy"
				   : NULL,
		.ifname = c->a	    ? c->a->ifname
			  : version ? "dummy"
				    : NULL,
		.args = c->a ? c->a->args : NULL,
		.path = rt->path,
		.stdin_buf = text ? text : c->stdin_text,
		.timeout_s = CNI_PLUGIN_TIMEOUT_S,
	};

	*out = NULL;
	if (!file)
		return ctu_err_code(*err);
	if (!x.stdin_buf)
		return ctu_err_make(err, ENOMEM, "plugin %s", type);
	x.stdin_len = strlen(x.stdin_buf);
	if (cni_exec(&x, out, err) < 0)
		return plugin_failed(type, err);
	return 0;
}

const char *plugin_type(const struct net *n, size_t i)
{
	return json_string_value(json_object_get(json_array_get(n->plugins, i), "type"));
}

/* ADD, DEL or CHECK of plugin @i with @prev. */
int run_step(const struct rt *rt, const struct net *n, size_t i, const char *command,
	     const struct att *a, json_t *prev, json_t **out, ctu_err_t *err)
{
	_cleanup_json_ json_t *conf = plugin_conf(n, i, a->cap_args, prev);
	struct call c = { .command = command, .a = a, .conf = conf };

	*out = NULL;
	if (!conf)
		return ctu_err_make(err, ENOMEM, "plugin %s", plugin_type(n, i));
	return run_plugin(rt, plugin_type(n, i), &c, out, err);
}

/* ---- version negotiation ------------------------------------------------------------ */

/* cniVersion and cniVersions, newest first, none newer than ours (as libcni skips those). */
/* @v is a version we may ask for: X.Y.Z, none newer than ours. */
static bool askable(const char *v)
{
	return v && semver_ok(v) && cni_version_cmp(v, CNI_VERSION_LATEST) <= 0;
}

static size_t wanted_versions(const struct net *n, const char **v, size_t max)
{
	json_t *list = json_object_get(n->list, "cniVersions");
	const char *one = json_string_value(json_object_get(n->list, "cniVersion"));
	size_t k = 0;

	for (size_t i = 0; i < json_array_size(list) && k < max; i++)
		if (askable(json_string_value(json_array_get(list, i))))
			v[k++] = json_string_value(json_array_get(list, i));
	if (askable(one) && k < max)
		v[k++] = one;
	/* newest first (a handful: insertion sort) */
	for (size_t a = 1; a < k; a++)
		for (size_t b = a; b > 0 && cni_version_cmp(v[b - 1], v[b]) < 0; b--) {
			const char *t = v[b];

			v[b] = v[b - 1];
			v[b - 1] = t;
		}
	return k;
}

static bool lists_version(const json_t *supported, const char *v)
{
	size_t i;
	json_t *e;

	json_array_foreach(supported, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), v))
			return true;
	return false;
}

/* The strings of @arr joined by @sep (a member not a string as "?"): a new string, or NULL. */
char *json_join(const json_t *arr, const char *sep)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	json_t *e;

	if (!f)
		return NULL;
	json_array_foreach(arr, i, e)
		fprintf(f, "%s%s", i ? sep : "", json_string_value(e) ?: "?");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The versions asked, "A, B", for messages. */
static char *versions_text(const char *const *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* What plugin @i answers to VERSION: its supportedVersions (a new reference). */
static int plugin_versions(const struct rt *rt, const struct net *n, size_t i, json_t **out,
			   ctu_err_t *err)
{
	static const char ask[] = "{\"cniVersion\":\"" CNI_VERSION_LATEST "\"}";
	struct call c = { .command = "VERSION", .stdin_text = ask };
	_cleanup_json_ json_t *answer = NULL;
	json_t *v;

	*out = NULL;
	if (run_plugin(rt, plugin_type(n, i), &c, &answer, err) < 0)
		return ctu_err_code(*err);
	v = json_object_get(answer, "supportedVersions");
	if (!json_is_array(v))
		return ctu_err_make(err, 0,
				    "plugin %s: its VERSION answer has no supportedVersions",
				    plugin_type(n, i));
	*out = json_incref(v);
	return 0;
}

/* The newest of the network's versions that every plugin lists (libcni, and the spec's
 * cniVersions). */
int negotiate(const struct rt *rt, struct net *n, ctu_err_t *err)
{
	const char *want[32];
	size_t nw = wanted_versions(n, want, CTU_ARRAY_SIZE(want));
	size_t np = json_array_size(n->plugins), bad = 0;
	json_t **sup = calloc(np, sizeof(json_t *));
	int r = 0;

	if (!sup)
		return ctu_err_make(err, ENOMEM, "%s", n->name);
	if (!nw) {
		const char *v = json_string_value(json_object_get(n->list, "cniVersion"));

		r = v ? ctu_err_make(err, 0,
				     "network %s: cniVersion %s: vethctl speaks 0.3.0 to %s",
				     n->name, v, CNI_VERSION_LATEST)
		      : ctu_err_make(err, 0, "network %s: no cniVersion", n->name);
		goto done;
	}
	for (size_t i = 0; i < np && r == 0; i++)
		r = plugin_versions(rt, n, i, &sup[i], err);
	for (size_t w = 0; w < nw && r == 0; w++) {
		size_t i = 0;

		while (i < np && lists_version(sup[i], want[w]))
			i++;
		if (i == np) {
			snprintf(n->version, sizeof(n->version), "%s", want[w]);
			goto done;
		}
		bad = i;
	}
	if (r == 0) {
		_cleanup_free_ char *asked = versions_text(want, nw);
		_cleanup_free_ char *has = json_join(sup[bad], ", ");

		r = ctu_err_make(
		    err, 0,
		    "plugin %s supports none of network %s's CNI versions (%s): it supports %s",
		    plugin_type(n, bad), n->name, asked ? asked : "?", has ? has : "?");
	}
done:
	for (size_t i = 0; i < np; i++)
		json_decref(sup[i]);
	free(sup);
	return r;
}

/* ---- the attachment ----------------------------------------------------------------- */

/* The path plugins get for NS: /proc/PID/ns/net, /run/netns/NAME, or the file's absolute path. */
static char *netns_path(const char *spec)
{
	_cleanup_free_ char *cwd = NULL;
	uint64_t pid;
	char *s = NULL;
	int r;

	if (ctu_parse_u64_range(spec, 1, INT32_MAX, &pid) == 0)
		r = asprintf(&s, "/proc/%llu/ns/net", (unsigned long long)pid);
	else if (!strchr(spec, '/'))
		r = asprintf(&s, "/run/netns/%s", spec);
	else if (spec[0] == '/')
		r = (s = strdup(spec)) ? 0 : -1;
	else
		r = (cwd = getcwd(NULL, 0)) ? asprintf(&s, "%s/%s", cwd, spec) : -1;
	return r < 0 ? NULL : s;
}

/* cnitool's container ID, "cnitool-" and 20 hex digits of the SHA-512 of the path: ours says
 * ctutils-. */
static char *default_cid(const char *path)
{
	unsigned char md[CTU_SHA512_LEN];
	char *s;

	if (ctu_sha512_buf(path, strlen(path), md) < 0 ||
	    asprintf(&s, CID_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2],
		     md[3], md[4], md[5], md[6], md[7], md[8], md[9]) < 0)
		return NULL;
	return s;
}

/*
 * The attachment of NS as the options say.  With @need_ns the namespace
 * must be there; without (del), a namespace that is gone leaves CNI_NETNS
 * unset, as a runtime's DEL after the container died.
 */
int att_build(const struct rt *rt, const char *spec, bool need_ns, struct att *a, ctu_err_t *err)
{
	_cleanup_free_ char *path = netns_path(spec);
	ctu_err_t nserr = NULL;
	struct stat st;
	int fd;

	*a = (struct att){ .ifname = rt->ifname, .args = rt->args };
	if (!path)
		return ctu_err_make(err, ENOMEM, "%s", spec);
	a->cid = rt->id ? strdup(rt->id) : default_cid(path);
	if (!a->cid)
		return ctu_err_make(err, ENOMEM, "%s", spec);
	a->cni_args = json_incref(rt->cni_args);
	a->cap_args = json_incref(rt->cap_args);
	fd = netns_open(spec, &nserr);
	if (fd < 0 && need_ns) {
		*err = nserr;
		return ctu_err_code(*err);
	}
	ctu_err_free(&nserr);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0)
			a->ino = (unsigned long)st.st_ino;
		close(fd);
		a->netns = path;
		path = NULL;
	}
	return 0;
}

/* [["K","V"], ...] as CNI_ARGS, "K=V;K=V": a new string, or NULL. */
static char *args_text(const json_t *pairs)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	json_t *kv;

	if (!f)
		return NULL;
	json_array_foreach(pairs, i, kv)
		fprintf(f, "%s%s=%s", i ? ";" : "", json_string_value(json_array_get(kv, 0)) ?: "",
			json_string_value(json_array_get(kv, 1)) ?: "");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The cached args (CNI_ARGS, capability arguments) where the command line gave none. */
int att_from_cache(struct att *a, const struct cached *c, bool cache_wins, ctu_err_t *err)
{
	if (c->cni_args && (cache_wins || !a->args)) {
		free(a->args_buf);
		if (!(a->args_buf = args_text(c->cni_args)))
			return ctu_err_make(err, ENOMEM, "cache");
		a->args = a->args_buf;
		json_decref(a->cni_args);
		a->cni_args = json_incref(c->cni_args);
	}
	if (c->cap_args && (cache_wins || !a->cap_args)) {
		json_decref(a->cap_args);
		a->cap_args = json_incref(c->cap_args);
	}
	json_decref(a->result);
	a->result = json_incref(c->result);
	return 0;
}
