// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostlocal_conf.c - host-local's IPAM config read from a request, as
 * allocator.LoadIPAMConfig of Debian's host-local 1.1.1 reads it (see
 * hostlocal.h).  Go's encoding/json decides the details: keys match without
 * regard to case (the last of equals wins), null is absent (but a subnet or
 * route dst, whose UnmarshalJSON gets "" from it), unknown keys are ignored.
 * A wrong type is our 6 where Go says 999; an invalid config our 7.
 *
 * Also what goes with the config: its resolvConf read into the result's
 * "dns", the system's failures in Go's words, and the check of config and
 * data directory made before Debian's host-local is run on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cni.h"
#include "ctu.h"
#include "hostlocal.h"

#define PATH_MAX_LEN	96
#define RESOLV_CONF_MAX (1u << 20) /* resolvConf */

json_t *hl_json_member(json_t *obj, const char *key)
{
	json_t *found = NULL;

	if (!json_is_object(obj))
		return NULL;
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it))
		if (strcasecmp(json_object_iter_key(it), key) == 0)
			found = json_object_iter_value(it);
	return found;
}

static int type_err(ctu_err_t *err, const char *path, const char *key, const char *what)
{
	return cni_err(err, CNI_ERR_DECODE, NULL, "%s%s%s: not %s", path, key ? "." : "",
		       key ? key : "", what);
}

/* A string member: 0, 1 absent or null (*@out NULL), or an error. */
static int get_string(json_t *obj, const char *path, const char *key, const char **out,
		      ctu_err_t *err)
{
	json_t *v = hl_json_member(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v))
		return type_err(err, path, key, "a string");
	*out = json_string_value(v);
	return 0;
}

/* A net.IP member: "" and null are absent. */
static int get_ip(json_t *obj, const char *path, const char *key, struct hl_ip *out, bool *has,
		  ctu_err_t *err)
{
	const char *s;
	int r = get_string(obj, path, key, &s, err);

	*has = false;
	if (r < 0)
		return r;
	if (r > 0 || s[0] == '\0')
		return 0;
	if (hl_ip_parse(s, out) < 0)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid IP address: %s", s);
	*has = true;
	return 0;
}

/* A types.IPNet member: absent leaves *@has false; null reads as "" (invalid). */
static int get_cidr(json_t *obj, const char *path, const char *key, struct hl_cidr *out, bool *has,
		    ctu_err_t *err)
{
	json_t *v = hl_json_member(obj, key);
	const char *s = "";

	*has = false;
	if (!v)
		return 0;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (!json_is_null(v))
		return type_err(err, path, key, "a string");
	if (hl_cidr_parse(s, out) < 0)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid CIDR address: %s", s);
	*has = true;
	return 0;
}

/* An array member: 0 (*@out set), 1 absent or null, or an error. */
static int get_array(json_t *obj, const char *path, const char *key, json_t **out, ctu_err_t *err)
{
	json_t *v = hl_json_member(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_array(v))
		return type_err(err, path, key, "an array");
	*out = v;
	return 0;
}

/* An object member (a Go struct): null and absent alike. */
static int get_object(json_t *obj, const char *path, const char *key, json_t **out, ctu_err_t *err)
{
	json_t *v = hl_json_member(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_object(v))
		return type_err(err, path, key, "an object");
	*out = v;
	return 0;
}

/* One Range object ("subnet", "rangeStart", "rangeEnd", "gateway"); null is an empty one. */
static int read_range(json_t *obj, const char *path, struct hl_range *r, ctu_err_t *err)
{
	*r = (struct hl_range){ 0 };
	if (json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return type_err(err, path, NULL, "an object");
	if (get_cidr(obj, path, "subnet", &r->subnet, &r->has_subnet, err) < 0 ||
	    get_ip(obj, path, "rangeStart", &r->start, &r->has_start, err) < 0 ||
	    get_ip(obj, path, "rangeEnd", &r->end, &r->has_end, err) < 0 ||
	    get_ip(obj, path, "gateway", &r->gw, &r->has_gw, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

/* Room for @more range sets after the @n of @c. */
static int grow_sets(struct hl_conf *c, size_t more, ctu_err_t *err)
{
	struct hl_rangeset *v = realloc(c->sets, (c->nsets + more) * sizeof(*v));

	if (!v)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	c->sets = v;
	return 0;
}

/* The range sets of array @arr ([[Range, ...], ...]) appended to @c's. */
static int read_sets(json_t *arr, const char *path, struct hl_conf *c, ctu_err_t *err)
{
	size_t n = json_array_size(arr);

	if (n == 0)
		return 0;
	if (grow_sets(c, n, err) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *set = json_array_get(arr, i);
		struct hl_rangeset *s = &c->sets[c->nsets];
		char p[PATH_MAX_LEN];

		ctu_json_path_index(p, sizeof(p), path, i);
		if (!json_is_null(set) && !json_is_array(set))
			return type_err(err, p, NULL, "an array");
		*s = (struct hl_rangeset){ 0 };
		c->nsets++;
		if (json_array_size(set) == 0)
			continue;
		s->v = calloc(json_array_size(set), sizeof(*s->v));
		if (!s->v)
			return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
		for (size_t j = 0; j < json_array_size(set); j++) {
			char q[PATH_MAX_LEN];

			ctu_json_path_index(q, sizeof(q), p, j);
			if (read_range(json_array_get(set, j), q, &s->v[j], err) < 0)
				return ctu_err_code(*err);
			s->n++;
		}
	}
	return 0;
}

/* One ip.IP text ("ADDR" or "ADDR/PREFIX"): 0, 1 for "" (an empty IP), -EINVAL. */
static int parse_req_ip(const char *s, struct hl_ip *out)
{
	struct hl_cidr c;

	if (s[0] == '\0')
		return 1;
	if (!strchr(s, '/'))
		return hl_ip_parse(s, out);
	if (hl_cidr_parse(s, &c) < 0)
		return -EINVAL;
	*out = c.ip;
	return 0;
}

static int add_req(struct hl_conf *c, const struct hl_ip *a, ctu_err_t *err)
{
	struct hl_ip *v = realloc(c->req, (c->nreq + 1) * sizeof(*v));

	if (!v)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	c->req = v;
	c->req[c->nreq++] = *a;
	return 0;
}

/* The addresses asked for in array @arr ([]*ip.IP), appended. */
static int read_req_ips(json_t *arr, const char *path, struct hl_conf *c, ctu_err_t *err)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		char p[PATH_MAX_LEN];
		const char *s;
		struct hl_ip a;
		int r;

		ctu_json_path_index(p, sizeof(p), path, i);
		if (ctu_json_array_string(arr, path, i, &s, err) < 0)
			return ctu_err_set_code(err, CNI_ERR_DECODE);
		r = parse_req_ip(s, &a);
		if (r < 0)
			return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid IP address %s", s);
		if (r > 0)
			return cni_err(err, CNI_ERR_CONFIG, NULL,
				       "cannot understand ip: IP <nil> not v4 nor v6");
		if (add_req(c, &a, err) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One route: {"dst": CIDR, "gw": IP?} as the result carries it (types.Route of CNI 1.0). */
static int read_route(json_t *obj, const char *path, json_t *out, ctu_err_t *err)
{
	struct hl_cidr dst;
	struct hl_ip gw;
	bool has_dst, has_gw;
	char s[HL_CIDR_STRLEN];
	json_t *route;

	if (!json_is_object(obj))
		return type_err(err, path, NULL, "an object");
	if (get_cidr(obj, path, "dst", &dst, &has_dst, err) < 0 ||
	    get_ip(obj, path, "gw", &gw, &has_gw, err) < 0)
		return ctu_err_code(*err);
	if (!has_dst)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "%s.dst: missing", path);
	hl_cidr_format(&dst.ip, dst.maskbits, dst.prefix, s);
	route = json_pack("{ss}", "dst", s);
	if (route && has_gw) {
		hl_ip_format(&gw, s);
		json_object_set_new(route, "gw", json_string(s));
	}
	if (!route || json_array_append_new(out, route) < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	return 0;
}

static int read_routes(json_t *ipam, struct hl_conf *c, ctu_err_t *err)
{
	json_t *arr;
	int r = get_array(ipam, ".ipam", "routes", &arr, err);

	if (r != 0)
		return r < 0 ? r : 0;
	if (json_array_size(arr) == 0)
		return 0;
	c->routes = json_array();
	if (!c->routes)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		char p[PATH_MAX_LEN];

		ctu_json_path_index(p, sizeof(p), ".ipam.routes", i);
		if (read_route(json_array_get(arr, i), p, c->routes, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* The ipam object: data dir, resolv.conf, routes, the legacy range, "ranges". */
static int read_ipam(json_t *ipam, struct hl_conf *c, ctu_err_t *err)
{
	struct hl_range legacy;
	json_t *ranges;

	if (get_string(ipam, ".ipam", "dataDir", &c->data_dir, err) < 0 ||
	    get_string(ipam, ".ipam", "resolvConf", &c->resolv_conf, err) < 0 ||
	    read_routes(ipam, c, err) < 0 || read_range(ipam, ".ipam", &legacy, err) < 0 ||
	    get_array(ipam, ".ipam", "ranges", &ranges, err) < 0)
		return ctu_err_code(*err);
	/* the old single range comes first, as a set of its own (only with a subnet) */
	if (legacy.has_subnet) {
		if (grow_sets(c, 1, err) < 0)
			return -ENOMEM;
		c->sets[c->nsets].v = malloc(sizeof(legacy));
		if (!c->sets[c->nsets].v)
			return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
		c->sets[c->nsets].v[0] = legacy;
		c->sets[c->nsets++].n = 1;
	}
	return ranges ? read_sets(ranges, ".ipam.ranges", c, err) : 0;
}

/* runtimeConfig.ipRanges go before the config's ranges: the last @n sets rotated to the front. */
static void sets_to_front(struct hl_conf *c, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct hl_rangeset last = c->sets[c->nsets - 1];

		memmove(&c->sets[1], &c->sets[0], (c->nsets - 1) * sizeof(last));
		c->sets[0] = last;
	}
}

/* runtimeConfig {ips, ipRanges} and args.cni.ips. */
static int read_runtime(json_t *conf, struct hl_conf *c, size_t *nruntime_sets, ctu_err_t *err)
{
	json_t *rc, *args, *cni, *arr;
	size_t before = c->nsets;
	int r;

	*nruntime_sets = 0;
	if (get_object(conf, "", "args", &args, err) < 0 ||
	    get_object(args, ".args", "cni", &cni, err) < 0 ||
	    get_array(cni, ".args.cni", "ips", &arr, err) < 0)
		return ctu_err_code(*err);
	if (arr && read_req_ips(arr, ".args.cni.ips", c, err) < 0)
		return ctu_err_code(*err);
	r = get_object(conf, "", "runtimeConfig", &rc, err);
	if (r != 0)
		return r < 0 ? r : 0;
	if (get_array(rc, ".runtimeConfig", "ips", &arr, err) < 0 ||
	    (arr && read_req_ips(arr, ".runtimeConfig.ips", c, err) < 0) ||
	    get_array(rc, ".runtimeConfig", "ipRanges", &arr, err) < 0 ||
	    (arr && read_sets(arr, ".runtimeConfig.ipRanges", c, err) < 0))
		return ctu_err_code(*err);
	*nruntime_sets = c->nsets - before;
	return 0;
}

/* CNI_ARGS IP (types.LoadArgs into an ip.IP), the first address asked for. */
static int read_env_ip(const char *env_ip, struct hl_conf *c, ctu_err_t *err)
{
	struct hl_ip a;
	int r;

	if (!env_ip)
		return 0;
	r = parse_req_ip(env_ip, &a);
	if (r < 0)
		return cni_err(err, CNI_ERR_ENV, NULL,
			       "ARGS: error parsing value of pair \"IP=%s\": invalid IP address %s",
			       env_ip, env_ip);
	if (r > 0)
		return 0;
	/* it replaces the list, which the config's lists then extend */
	if (add_req(c, &a, err) < 0)
		return -ENOMEM;
	memmove(&c->req[1], &c->req[0], (c->nreq - 1) * sizeof(a));
	c->req[0] = a;
	return 0;
}

/* Each set canonicalized, then no two sets overlapping. */
static int check_sets(struct hl_conf *c, ctu_err_t *err)
{
	char why[256];

	if (c->nsets == 0)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "no IP ranges specified");
	for (size_t i = 0; i < c->nsets; i++)
		if (hl_rangeset_canonicalize(&c->sets[i], why, sizeof(why)) < 0)
			return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid range set %zu: %s", i,
				       why);
	for (size_t i = 0; i + 1 < c->nsets; i++)
		for (size_t j = i + 1; j < c->nsets; j++)
			if (hl_rangeset_overlaps(&c->sets[i], &c->sets[j]))
				return cni_err(err, CNI_ERR_CONFIG, NULL,
					       "range set %zu overlaps with %zu", i, j);
	return 0;
}

int hl_conf_load(json_t *conf, const char *name, const char *env_ip, struct hl_conf *out,
		 ctu_err_t *err)
{
	struct hl_conf c = { 0 };
	size_t nruntime;
	json_t *ipam;
	int r;

	if (!json_is_object(conf)) {
		r = type_err(err, "", NULL, "an object");
		goto fail;
	}
	if (!name && get_string(conf, "", "name", &name, err) < 0) {
		r = ctu_err_code(*err);
		goto fail;
	}
	r = get_object(conf, "", "ipam", &ipam, err);
	if (r < 0 || (ipam && (r = read_ipam(ipam, &c, err)) < 0) ||
	    (r = read_runtime(conf, &c, &nruntime, err)) < 0)
		goto fail;
	if (!ipam) {
		r = cni_err(err, CNI_ERR_CONFIG, NULL, "IPAM config missing 'ipam' key");
		goto fail;
	}
	if ((r = read_env_ip(env_ip, &c, err)) < 0)
		goto fail;
	sets_to_front(&c, nruntime);
	if ((r = check_sets(&c, err)) < 0)
		goto fail;
	if (!name || !name[0] || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		r = cni_err(err, CNI_ERR_CONFIG, NULL, "invalid network name \"%s\"",
			    name ? name : "");
		goto fail;
	}
	c.name = name;
	if (!c.data_dir || !c.data_dir[0])
		c.data_dir = HL_DATA_DIR_DEFAULT;
	if (c.resolv_conf && !c.resolv_conf[0])
		c.resolv_conf = NULL;
	*out = c;
	return 0;
fail:
	hl_conf_free(&c);
	return r;
}

void hl_conf_free(struct hl_conf *c)
{
	for (size_t i = 0; i < c->nsets; i++)
		free(c->sets[i].v);
	free(c->sets);
	free(c->req);
	json_decref(c->routes);
	*c = (struct hl_conf){ 0 };
}

/* ---- the system's failures, and resolv.conf ------------------------------------- */

/* A failure of the system in the Go plugin's words: "open PATH: permission denied". */
int hl_sys_err(ctu_err_t *err, int errnum, const char *fmt, ...)
{
	char what[512], why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* Go's errno texts are glibc's with a small first letter */
	snprintf(why, sizeof(why), "%s", strerror(errnum));
	if (why[0] >= 'A' && why[0] <= 'Z' && why[1] >= 'a' && why[1] <= 'z')
		why[0] = (char)(why[0] - 'A' + 'a');
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "%s: %s", what, why);
}

/* The next string field of a resolv.conf line (strings.Fields), or NULL. */
static char *next_field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (!*s)
		return NULL;
	start = s;
	while (*s && !(*s == ' ' || (*s >= '\t' && *s <= '\r')))
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

/* One line of resolv.conf into @dns (nameserver, domain, search, options). */
static void resolv_line(char *line, json_t *dns)
{
	static const char *const lists[][2] = { { "nameserver", "nameservers" },
						{ "search", "search" },
						{ "options", "options" } };
	char *p = line, *key = next_field(&p), *v;

	if (!key || key[0] == '#' || key[0] == ';' || !(v = next_field(&p)))
		return;
	if (strcmp(key, "domain") == 0) {
		json_object_set_new(dns, "domain", json_string(v));
		return;
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(lists); i++) {
		json_t *arr;

		if (strcmp(key, lists[i][0]) != 0)
			continue;
		if (!(arr = json_object_get(dns, lists[i][1]))) {
			arr = json_array();
			json_object_set_new(dns, lists[i][1], arr);
		}
		do
			json_array_append_new(arr, json_string(v));
		while (i > 0 && (v = next_field(&p)));
	}
}

/* parseResolvConf: resolvConf as the result's "dns". */
json_t *hl_resolv_conf(const char *path, ctu_err_t *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	json_t *dns;
	size_t len;
	char *line, *save = NULL;

	if (fd < 0) {
		hl_sys_err(err, errno, "open %s", path);
		return NULL;
	}
	if (ctu_json_read_fd(fd, RESOLV_CONF_MAX, path, &buf, &len, err) < 0) {
		ctu_err_set_code(err, CNI_ERR_INTERNAL);
		return NULL;
	}
	if (!(dns = json_object())) {
		cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		resolv_line(line, dns);
	return dns;
}

/* ---- before Debian's host-local runs ---------------------------------------------- */

/*
 * What we refuse that the Go plugin would not, checked before it runs on
 * the same directory: a symlinked NAME directory or last_reserved_ip.N (it
 * follows them, and writes through the second).  Not airtight (it runs
 * after us), but a planted link is caught before the first write.
 */
static int check_links(const struct hl_conf *c, ctu_err_t *err)
{
	_cleanup_close_ int datafd = open(c->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dirfd = -1;
	struct stat st;

	if (datafd < 0)
		return 0; /* made by the plugin */
	if (fstatat(datafd, c->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "IPAM data directory %s/%s is a symbolic link: refused", c->data_dir,
			       c->name);
	dirfd = openat(datafd, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	for (size_t i = 0; dirfd >= 0 && i < c->nsets; i++) {
		char name[sizeof(HL_LAST_IP_PREFIX) + 24];

		snprintf(name, sizeof(name), HL_LAST_IP_PREFIX "%zu", i);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
			return cni_err(err, CNI_ERR_INTERNAL, NULL,
				       "%s/%s/%s is not a regular file: refused", c->data_dir,
				       c->name, name);
	}
	return 0;
}

int hostlocal_check_delegated(struct cni_req *r, ctu_err_t *err)
{
	struct hl_conf c;
	int ret = hl_conf_load(r->conf, r->name, r->args.ip, &c, err);

	if (ret < 0)
		return ret;
	ret = check_links(&c, err);
	hl_conf_free(&c);
	return ret;
}
