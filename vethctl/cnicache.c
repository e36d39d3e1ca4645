// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnicache.c - the results `vethctl cni add` keeps, in libcni's cache
 * layout ({"kind":"cniCacheV1", containerId, config (the conflist, base64),
 * ifName, networkName, netns, cniArgs, capabilityArgs, result}) plus the
 * inode of the namespace, so that del, check and gc run a chain as it was
 * added, and gc can tell a namespace that is gone from one that replaced
 * it under the same name.  Also `vethctl cni ls`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cnirt.h"
#include "crypto.h"
#include "ctu.h"
#include "nat.h"
#include "nl.h"
#include "out.h"
#include "parse.h"
#include "undo.h"

#define CACHE_KIND   "cniCacheV1"
#define CACHE_SUFFIX ".json"
/* an entry holds a config of up to CNI_STDIN_MAX in base64, and a result */
#define CACHE_MAX (2 * CNI_STDIN_MAX)

char *cache_name(const char *net, const char *cid, const char *ifname)
{
	char *s;

	return asprintf(&s, "%s-%s-%s" CACHE_SUFFIX, net, cid, ifname) < 0 ? NULL : s;
}

/* DIR/results, opened; with @create made first (0700, as libcni). */
static int results_dir(const struct rt *rt, bool create, ctu_err_t *err)
{
	_cleanup_free_ char *dir = NULL;
	int fd;

	if (asprintf(&dir, "%s/results", rt->cache_dir) < 0)
		return ctu_err_make(err, ENOMEM, "cache");
	if (create && ctu_mkdir_p(NULL, AT_FDCWD, dir, 0700, 0, err) < 0)
		return ctu_err_wrap(err, "cache");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !create)
		return -ENOENT;
	if (fd < 0)
		return ctu_err_errno(err, "cannot open the cache %s", dir);
	return fd;
}

/* ---- base64, as Go's encoding/json writes a []byte ------------------------------ */

static char *base64_of(const char *buf, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)buf, (int)len);
	return out;
}

/* The conflist in a "config" member, or NULL (absent, not base64, not JSON). */
static json_t *config_of(json_t *doc)
{
	const char *b64 = json_string_value(json_object_get(doc, "config"));
	_cleanup_free_ unsigned char *buf = NULL;
	_cleanup_err_ ctu_err_t err = NULL;
	size_t len, pad = 0;
	int n;

	if (!b64 || !(len = strlen(b64)) || len % 4 || len > CACHE_MAX)
		return NULL;
	if (!(buf = malloc(len / 4 * 3 + 1)))
		return NULL;
	n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	/* EVP_DecodeBlock counts the padding as zero bytes */
	while (pad < 2 && b64[len - 1 - pad] == '=')
		pad++;
	if (n < 0 || (size_t)n < pad)
		return NULL;
	return ctu_json_parse((char *)buf, (size_t)n - pad, "cached config", &err);
}

/* ---- an entry ------------------------------------------------------------------- */

void cache_free(struct cached *c)
{
	free(c->file);
	json_decref(c->doc);
	json_decref(c->config);
	*c = (struct cached){ 0 };
}

static json_t *member(json_t *doc, const char *key, bool (*is)(const json_t *))
{
	json_t *m = json_object_get(doc, key);

	return m && is(m) ? m : NULL;
}

static bool is_object(const json_t *j)
{
	return json_is_object(j);
}

static bool is_array(const json_t *j)
{
	return json_is_array(j);
}

/* @doc read as an entry: 0, or 1 when it is not one of libcni's (then ignored, as libcni does). */
static int entry_of(json_t *doc, struct cached *c)
{
	json_t *ino = json_object_get(doc, "netnsInode");

	if (!json_is_object(doc) ||
	    strcmp(json_string_value(json_object_get(doc, "kind")) ?: "", CACHE_KIND) != 0)
		return 1;
	c->net = json_string_value(json_object_get(doc, "networkName"));
	c->cid = json_string_value(json_object_get(doc, "containerId"));
	c->ifname = json_string_value(json_object_get(doc, "ifName"));
	if (!c->net || !c->cid || !c->ifname || !*c->net || !*c->ifname)
		return 1;
	c->netns = json_string_value(json_object_get(doc, "netns"));
	if (c->netns && !*c->netns)
		c->netns = NULL;
	c->ino = json_is_integer(ino) && json_integer_value(ino) > 0
		     ? (unsigned long)json_integer_value(ino)
		     : 0;
	c->result = member(doc, "result", is_object);
	c->cni_args = member(doc, "cniArgs", is_array);
	c->cap_args = member(doc, "capabilityArgs", is_object);
	c->config = config_of(doc);
	c->doc = json_incref(doc);
	return 0;
}

/* The entry @name below @dirfd: 0, 1 (none, or not an entry), or a negative number. */
static int entry_load(int dirfd, const char *name, struct cached *c, ctu_err_t *err)
{
	_cleanup_json_ json_t *doc = NULL;
	ctu_err_t e = NULL;

	*c = (struct cached){ 0 };
	doc = ctu_json_load_at(dirfd, name, CACHE_MAX, name, &e);
	if (!doc) {
		/* gone meanwhile, or not JSON (not libcni's either): not an entry */
		if (!e || e->errnum == 0 || e->errnum == ENOENT) {
			ctu_err_free(&e);
			return 1;
		}
		*err = e;
		return ctu_err_wrap(err, "cache");
	}
	if (entry_of(doc, c))
		return 1;
	if (!(c->file = strdup(name))) {
		cache_free(c);
		return ctu_err_make(err, ENOMEM, "cache");
	}
	return 0;
}

int cache_read(const struct rt *rt, const char *net, const char *cid, const char *ifname,
	       struct cached *c, ctu_err_t *err)
{
	_cleanup_free_ char *name = cache_name(net, cid, ifname);
	_cleanup_close_ int dirfd = -1;

	*c = (struct cached){ 0 };
	if (!name)
		return ctu_err_make(err, ENOMEM, "cache");
	dirfd = results_dir(rt, false, err);
	if (dirfd == -ENOENT)
		return 1;
	if (dirfd < 0)
		return dirfd;
	return entry_load(dirfd, name, c, err);
}

int cache_write(const struct rt *rt, const struct cache_entry *e, ctu_err_t *err)
{
	_cleanup_free_ char *name = cache_name(e->net, e->cid, e->ifname);
	_cleanup_free_ char *config = ctu_json_dump(e->config);
	_cleanup_free_ char *b64 = NULL;
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_close_ int dirfd = -1;

	if (!name || !config || !(b64 = base64_of(config, strlen(config))))
		return ctu_err_make(err, ENOMEM, "cache");
	doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:O}", "kind", CACHE_KIND, "containerId", e->cid,
			"config", b64, "ifName", e->ifname, "networkName", e->net, "result",
			e->result);
	if (!doc || (e->netns && json_object_set_new(doc, "netns", json_string(e->netns))) ||
	    (e->ino && json_object_set_new(doc, "netnsInode", json_integer((json_int_t)e->ino))) ||
	    (e->cni_args && json_object_set(doc, "cniArgs", (json_t *)e->cni_args)) ||
	    (e->cap_args && json_object_set(doc, "capabilityArgs", (json_t *)e->cap_args)))
		return ctu_err_make(err, ENOMEM, "cache");
	dirfd = results_dir(rt, true, err);
	if (dirfd < 0)
		return dirfd;
	if (ctu_json_write_at(dirfd, name, doc, true, true, err) < 0)
		return ctu_err_wrap(err, "cannot cache the result in %s/results/%s", rt->cache_dir,
				    name);
	return 0;
}

int cache_remove(const struct rt *rt, const char *name, ctu_err_t *err)
{
	_cleanup_close_ int dirfd = results_dir(rt, false, err);

	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return ctu_err_errno(err, "cannot remove %s/results/%s", rt->cache_dir, name);
	return 0;
}

static bool is_entry_name(const char *name)
{
	size_t len = strlen(name), sl = strlen(CACHE_SUFFIX);

	return name[0] != '.' && len > sl && !strcmp(name + len - sl, CACHE_SUFFIX);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct cached *)a)->file, ((const struct cached *)b)->file);
}

void cache_list_free(struct cached *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cache_free(&v[i]);
	free(v);
}

int cache_list(const struct rt *rt, struct cached **out, size_t *nout, ctu_err_t *err)
{
	int dirfd = results_dir(rt, false, err);
	_cleanup_closedir_ DIR *d = NULL;
	struct cached *v = NULL;
	struct dirent *de;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	if (!(d = fdopendir(dirfd))) {
		close(dirfd);
		return ctu_err_errno(err, "cannot read the cache %s/results", rt->cache_dir);
	}
	while ((de = readdir(d))) {
		struct cached c, *nv;
		int r;

		if (!is_entry_name(de->d_name))
			continue;
		r = entry_load(dirfd, de->d_name, &c, err);
		if (r < 0) {
			/* an entry we may not read is said, not skipped: gc must not forget it */
			cache_list_free(v, n);
			return r;
		}
		if (r > 0)
			continue;
		if (!(nv = realloc(v, (n + 1) * sizeof(*v)))) {
			cache_free(&c);
			cache_list_free(v, n);
			return ctu_err_make(err, ENOMEM, "cache");
		}
		v = nv;
		v[n++] = c;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	*out = v;
	*nout = n;
	return 0;
}

/* ctu_json_write_at's "NAME.tmp-PID" of a process that is gone: left by a crash. */
size_t cache_drop_temporaries(const struct rt *rt)
{
	ctu_err_t err = NULL;
	int dirfd = results_dir(rt, false, &err);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	size_t dropped = 0;

	ctu_err_free(&err);
	if (dirfd < 0)
		return 0;
	if (!(d = fdopendir(dirfd))) {
		close(dirfd);
		return 0;
	}
	while ((de = readdir(d))) {
		const char *t = strstr(de->d_name, CACHE_SUFFIX ".tmp-");
		int pid;

		if (!t || ctu_parse_int(t + strlen(CACHE_SUFFIX ".tmp-"), &pid) < 0 || pid <= 0)
			continue;
		if (kill(pid, 0) < 0 && errno == ESRCH && unlinkat(dirfd, de->d_name, 0) == 0)
			dropped++;
	}
	return dropped;
}

bool netns_stale(const char *path, unsigned long ino)
{
	ctu_err_t err = NULL;
	int fd = path ? netns_open(path, &err) : -1;
	struct stat st;
	bool stale;

	ctu_err_free(&err);
	if (fd < 0)
		return true;
	stale = fstat(fd, &st) < 0 || (ino && (unsigned long)st.st_ino != ino);
	close(fd);
	return stale;
}

/* ---- vethctl cni ls --------------------------------------------------------------- */

/* result.ips[].address, in order */
static json_t *addresses_of(const json_t *result)
{
	json_t *out = json_array(), *ip;
	size_t i;

	json_array_foreach(json_object_get(result, "ips"), i, ip) {
		const char *a = json_string_value(json_object_get(ip, "address"));

		if (a && out)
			json_array_append_new(out, json_string(a));
	}
	return out;
}

static int ls_line(struct libscols_table *tb, json_t *list, const struct cached *c)
{
	_cleanup_json_ json_t *addrs = addresses_of(c->result);
	_cleanup_free_ char *text = NULL;
	bool stale = netns_stale(c->netns, c->ino);

	if (!addrs)
		return -ENOMEM;
	if (list)
		return json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s?,s:O,s:b}",
							     "network", c->net, "container", c->cid,
							     "ifname", c->ifname, "netns", c->netns,
							     "addresses", addrs, "stale", stale))
			   ? -ENOMEM
			   : 0;
	if (!(text = json_join(addrs, ",")))
		return -ENOMEM;
	const char *cells[] = { c->net, c->cid, c->ifname, c->netns, text, stale ? "yes" : "no" };
	return ctu_out_line(tb, cells, CTU_ARRAY_SIZE(cells));
}

int cni_ls(const struct rt *rt, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "NETWORK", 0.15, SCOLS_JSON_STRING, 0, NULL },
		{ "CONTAINER", 0.25, SCOLS_JSON_STRING, 0, NULL },
		{ "IFNAME", 0.1, SCOLS_JSON_STRING, 0, NULL },
		{ "NETNS", 0.2, SCOLS_JSON_STRING, 0, NULL },
		{ "ADDRESSES", 0.25, SCOLS_JSON_STRING, 0, NULL },
		{ "STALE", 0.05, SCOLS_JSON_STRING, 0, NULL },
	};
	bool json = rt->v->output.json;
	_cleanup_json_ json_t *list = json ? json_array() : NULL;
	struct libscols_table *tb = NULL;
	struct cached *v;
	size_t n;

	if (cache_list(rt, &v, &n, err) < 0)
		return ctu_err_code(*err);
	if ((json && !list) ||
	    (!json &&
	     !(tb = ctu_out_table("attachments", cols, CTU_ARRAY_SIZE(cols), &rt->v->output)))) {
		cache_list_free(v, n);
		return ctu_err_make(err, ENOMEM, "cni ls");
	}
	for (size_t i = 0; i < n; i++)
		if (ls_line(tb, list, &v[i]) < 0) {
			cache_list_free(v, n);
			scols_unref_table(tb);
			return ctu_err_make(err, ENOMEM, "cni ls");
		}
	cache_list_free(v, n);
	if (json)
		return print_json("attachments", list, err);
	return ctu_out_print(tb) < 0 ? ctu_err_errno(err, "cni ls: cannot write") : 0;
}
