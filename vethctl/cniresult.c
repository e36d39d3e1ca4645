// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cniresult.c - CNI results between the spec versions, and JSON text as
 * the Go plugins print it.
 *
 * A result is read as libcni's types read it (types040 for 0.3.0..0.4.0,
 * types100 for 1.0.0 and 1.1.0): only the members those types have, each
 * of its type, addresses parsed and printed again the way Go's net package
 * prints them; unknown members are dropped.  Inside, it is held in the
 * newest layout with every member in the order of the Go structs, so that
 * a result printed again is the bytes the Go plugins print.  Pure: unit
 * tested and fuzzed without a kernel.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "cnigo.h"
#include "ctu.h"

/* The most one canonical "ADDRESS/PLEN" takes. */
#define CIDR_TEXT_MAX (INET6_ADDRSTRLEN + 5)

/* ---- addresses as Go's net package parses and prints them ------------------------ */

/*
 * @b as net.IP.String() prints it: an IPv4-mapped address as IPv4, and
 * "::a:b" (where glibc would say "::0.10.0.11") for one in ::/96.
 * Returns 4 or 6, the family printed.
 */
static int ip6_text(const unsigned char b[16], char *out)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[12];

	if (memcmp(b, mapped, 12) == 0) {
		inet_ntop(AF_INET, b + 12, out, INET6_ADDRSTRLEN);
		return 4;
	}
	if (memcmp(b, zero, 12) == 0 && (b[12] | b[13])) {
		snprintf(out, INET6_ADDRSTRLEN, "::%x:%x", (unsigned)(b[12] << 8 | b[13]),
			 (unsigned)(b[14] << 8 | b[15]));
		return 6;
	}
	inet_ntop(AF_INET6, b, out, INET6_ADDRSTRLEN);
	return 6;
}

/* net.ParseIP then String(): @out (INET6_ADDRSTRLEN bytes); 4, 6, or 0 for no address. */
static int ip_canon(const char *s, char *out)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, s, b) == 1) {
		inet_ntop(AF_INET, b, out, INET6_ADDRSTRLEN);
		return 4;
	}
	if (inet_pton(AF_INET6, s, b) != 1)
		return 0;
	return ip6_text(b, out);
}

/*
 * net.ParseCIDR then IPNet.String(), the address kept (not masked): @out
 * (CIDR_TEXT_MAX bytes).  An IPv4-mapped address prints as IPv4 with the
 * last 32 bits of its mask, as Go does.  4, 6, or 0 for no CIDR.
 */
static int cidr_canon(const char *s, char *out)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN];
	unsigned long plen = 0;
	size_t n;
	int family;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1])
		return 0;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	for (const char *p = slash + 1; *p; p++) {
		if (!isdigit((unsigned char)*p) || plen > 1000)
			return 0;
		plen = plen * 10 + (unsigned long)(*p - '0');
	}
	family = ip_canon(addr, text);
	if (!family || plen > (strchr(addr, ':') ? 128UL : 32UL))
		return 0;
	if (family == 4 && strchr(addr, ':'))
		plen = plen > 96 ? plen - 96 : 0;
	n = (size_t)snprintf(out, CIDR_TEXT_MAX, "%s/%lu", text, plen);
	return n < CIDR_TEXT_MAX ? family : 0;
}

/* ---- reading a result into the newest layout ---------------------------------- */

/* A CNI_ERR_DECODE error for what the json getters said. */
static int decode_err(ctu_err_t *err)
{
	return ctu_err_set_code(err, CNI_ERR_DECODE);
}

/* @out.@key = @s, when @s is set and not empty (Go's omitempty). */
static int put_string(json_t *out, const char *key, const char *s)
{
	if (!s || !*s)
		return 0;
	return json_object_set_new(out, key, json_string(s));
}

/* Member @key of @in, a string when present: copied to @out unless empty. */
static int copy_string(json_t *in, json_t *out, const char *path, const char *key, ctu_err_t *err)
{
	const char *s = NULL;

	if (ctu_json_get_string(in, path, key, false, &s, err) < 0)
		return decode_err(err);
	if (put_string(out, key, s) < 0)
		return ctu_err_make(err, ENOMEM, "%s.%s", path, key);
	return 0;
}

/* Member @key, an integer when present: copied when not 0 (int), or whenever present (*int). */
static int copy_int(json_t *in, json_t *out, const char *path, const char *key, bool pointer,
		    ctu_err_t *err)
{
	json_int_t v = 0;
	int r = ctu_json_get_int(in, path, key, false, &v, err);

	if (r < 0)
		return decode_err(err);
	if (r == 0 && (pointer || v != 0) && json_object_set_new(out, key, json_integer(v)) < 0)
		return ctu_err_make(err, ENOMEM, "%s.%s", path, key);
	return 0;
}

/* Member @key, a CIDR (@required) or an IP address: put canonical into @out. */
static int copy_addr(json_t *in, json_t *out, const char *path, const char *key, bool cidr,
		     bool required, ctu_err_t *err)
{
	char text[CIDR_TEXT_MAX];
	const char *s = NULL;
	int r = ctu_json_get_string(in, path, key, required, &s, err);

	if (r < 0)
		return decode_err(err);
	if (r == 1 || (!cidr && !*s))
		return 0; /* net.IP reads "" as none */
	if (!(cidr ? cidr_canon(s, text) : ip_canon(s, text)))
		return cni_err(err, CNI_ERR_DECODE, NULL, "%s.%s: invalid %s: %s", path, key,
			       cidr ? "CIDR address" : "IP address", s);
	if (json_object_set_new(out, key, json_string(text)) < 0)
		return ctu_err_make(err, ENOMEM, "%s.%s", path, key);
	return 0;
}

/* Member @key, an array of strings when present: copied unless empty. */
static int copy_strings(json_t *in, json_t *out, const char *path, const char *key, ctu_err_t *err)
{
	json_t *arr = NULL;
	char where[256];

	if (ctu_json_get_array(in, path, key, false, &arr, err) < 0)
		return decode_err(err);
	if (!arr || json_array_size(arr) == 0)
		return 0;
	if (ctu_json_check_strings(arr, ctu_json_path_key(where, sizeof(where), path, key), err) < 0)
		return decode_err(err);
	if (json_object_set_new(out, key, json_deep_copy(arr)) < 0)
		return ctu_err_make(err, ENOMEM, "%s.%s", path, key);
	return 0;
}

/* One element of "interfaces": name, mac, mtu, sandbox, socketPath, pciID (the last three not in 0.x). */
static int read_interface(json_t *in, const char *path, bool v0, json_t *out, ctu_err_t *err)
{
	const char *name = "";

	if (ctu_json_get_string(in, path, "name", false, &name, err) < 0)
		return decode_err(err);
	if (json_object_set_new(out, "name", json_string(name)) < 0)
		return ctu_err_make(err, ENOMEM, "%s", path);
	if (copy_string(in, out, path, "mac", err) < 0)
		return ctu_err_code(*err);
	if (!v0 && copy_int(in, out, path, "mtu", false, err) < 0)
		return ctu_err_code(*err);
	if (copy_string(in, out, path, "sandbox", err) < 0)
		return ctu_err_code(*err);
	if (!v0 && (copy_string(in, out, path, "socketPath", err) < 0 ||
		    copy_string(in, out, path, "pciID", err) < 0))
		return ctu_err_code(*err);
	return 0;
}

/* One element of "ips": interface, address, gateway ("version" of 0.x read, then dropped). */
static int read_ip(json_t *in, const char *path, bool v0, json_t *out, ctu_err_t *err)
{
	const char *version = NULL;

	if (v0 && ctu_json_get_string(in, path, "version", false, &version, err) < 0)
		return decode_err(err);
	if (copy_int(in, out, path, "interface", true, err) < 0 ||
	    copy_addr(in, out, path, "address", true, true, err) < 0 ||
	    copy_addr(in, out, path, "gateway", false, false, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

/* One element of "routes": dst, gw, mtu, advmss, priority, table, scope (types.Route, every version). */
static int read_route(json_t *in, const char *path, bool v0, json_t *out, ctu_err_t *err)
{
	(void)v0;
	if (copy_addr(in, out, path, "dst", true, true, err) < 0 ||
	    copy_addr(in, out, path, "gw", false, false, err) < 0 ||
	    copy_int(in, out, path, "mtu", false, err) < 0 ||
	    copy_int(in, out, path, "advmss", false, err) < 0 ||
	    copy_int(in, out, path, "priority", false, err) < 0 ||
	    copy_int(in, out, path, "table", true, err) < 0 ||
	    copy_int(in, out, path, "scope", true, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

typedef int read_fn(json_t *in, const char *path, bool v0, json_t *out, ctu_err_t *err);

/* Array @key of @in, each element an object read by @fn: always set in @out (maybe empty). */
static int read_array(json_t *in, json_t *out, const char *key, bool v0, read_fn *fn,
		      ctu_err_t *err)
{
	json_t *arr = NULL, *res = json_array();
	char path[64];

	if (!res || json_object_set_new(out, key, res) < 0)
		return ctu_err_make(err, ENOMEM, ".%s", key);
	if (ctu_json_get_array(in, "", key, false, &arr, err) < 0)
		return decode_err(err);
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		json_t *el = json_array_get(arr, i), *o = json_object();

		snprintf(path, sizeof(path), ".%s[%zu]", key, i);
		if (!o || json_array_append_new(res, o) < 0)
			return ctu_err_make(err, ENOMEM, "%s", path);
		if (!json_is_object(el))
			return cni_err(err, CNI_ERR_DECODE, NULL, "%s: not an object", path);
		if (fn(el, path, v0, o, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* "dns": nameservers, domain, search, options, each omitted when empty. */
static int read_dns(json_t *in, json_t *out, ctu_err_t *err)
{
	json_t *dns = NULL, *res = json_object();

	if (!res || json_object_set_new(out, "dns", res) < 0)
		return ctu_err_make(err, ENOMEM, ".dns");
	if (ctu_json_get_object(in, "", "dns", false, &dns, err) < 0)
		return decode_err(err);
	if (dns && (copy_strings(dns, res, ".dns", "nameservers", err) < 0 ||
		    copy_string(dns, res, ".dns", "domain", err) < 0 ||
		    copy_strings(dns, res, ".dns", "search", err) < 0 ||
		    copy_strings(dns, res, ".dns", "options", err) < 0))
		return ctu_err_code(*err);
	return 0;
}

json_t *cni_result_from(json_t *result, ctu_err_t *err)
{
	json_t *out = json_object();
	const char *version = NULL;
	bool v0;

	if (!out) {
		ctu_err_make(err, ENOMEM, "result");
		return NULL;
	}
	if (!json_is_object(result)) {
		cni_err(err, CNI_ERR_DECODE, NULL, "result: not an object");
		goto fail;
	}
	if (ctu_json_get_string(result, "", "cniVersion", false, &version, err) < 0) {
		decode_err(err);
		goto fail;
	}
	if (version && !*version)
		version = NULL; /* as absent: the newest layout */
	if (version && !cni_version_known(version)) {
		cni_err(err, CNI_ERR_DECODE, NULL, "unsupported CNI result version \"%s\"", version);
		goto fail;
	}
	v0 = version && cni_version_cmp(version, "1.0.0") < 0;
	if (json_object_set_new(out, "cniVersion", json_string(CNI_VERSION_LATEST)) < 0) {
		ctu_err_make(err, ENOMEM, "result");
		goto fail;
	}
	if (read_array(result, out, "interfaces", v0, read_interface, err) < 0 ||
	    read_array(result, out, "ips", v0, read_ip, err) < 0 ||
	    read_array(result, out, "routes", v0, read_route, err) < 0 || read_dns(result, out, err) < 0)
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* ---- writing a result for one version ----------------------------------------- */

/* Copies member @key of @from to @to if it is there. */
static int keep(json_t *from, json_t *to, const char *key)
{
	json_t *v = json_object_get(from, key);

	return v ? json_object_set(to, key, v) : 0;
}

/* Array @key of @norm, each element rebuilt by @fn for @version, set in @out unless empty. */
static int write_array(json_t *norm, json_t *out, const char *key, const char *version,
		       json_t *(*fn)(json_t *el, const char *version))
{
	json_t *in = json_object_get(norm, key), *arr;

	if (json_array_size(in) == 0)
		return 0;
	arr = json_array();
	if (!arr || json_object_set_new(out, key, arr) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(in); i++)
		if (json_array_append_new(arr, fn(json_array_get(in, i), version)) < 0)
			return -1;
	return 0;
}

static bool is_latest(const char *version)
{
	return strcmp(version, CNI_VERSION_LATEST) == 0;
}

static json_t *write_interface(json_t *in, const char *version)
{
	json_t *o = json_object();
	bool latest = is_latest(version);

	if (o && (keep(in, o, "name") < 0 || keep(in, o, "mac") < 0 ||
		  (latest && keep(in, o, "mtu") < 0) || keep(in, o, "sandbox") < 0 ||
		  (latest && (keep(in, o, "socketPath") < 0 || keep(in, o, "pciID") < 0)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Below 1.0.0 "version" comes first, from the address (as types100's convertTo04x). */
static json_t *write_ip(json_t *in, const char *version)
{
	json_t *o = json_object();
	const char *addr = json_string_value(json_object_get(in, "address"));

	if (o && cni_version_cmp(version, "1.0.0") < 0 &&
	    json_object_set_new(o, "version", json_string(addr && strchr(addr, ':') ? "6" : "4")) < 0)
		goto fail;
	if (o && (keep(in, o, "interface") < 0 || keep(in, o, "address") < 0 ||
		  keep(in, o, "gateway") < 0))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *write_route(json_t *in, const char *version)
{
	static const char *const newer[] = { "mtu", "advmss", "priority", "table", "scope" };
	json_t *o = json_object();

	if (o && (keep(in, o, "dst") < 0 || keep(in, o, "gw") < 0))
		goto fail;
	for (size_t i = 0; o && is_latest(version) && i < sizeof(newer) / sizeof(newer[0]); i++)
		if (keep(in, o, newer[i]) < 0)
			goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *cni_result_to(json_t *result, const char *version, ctu_err_t *err)
{
	_cleanup_json_ json_t *norm = NULL;
	json_t *out;

	if (!version || !cni_version_known(version)) {
		cni_err(err, CNI_ERR_VERSION, NULL, "no converter for CNI result version %s to %s",
			CNI_VERSION_LATEST, version ? version : "(none)");
		return NULL;
	}
	norm = cni_result_from(result, err);
	if (!norm)
		return NULL;
	out = json_object();
	if (!out || json_object_set_new(out, "cniVersion", json_string(version)) < 0 ||
	    write_array(norm, out, "interfaces", version, write_interface) < 0 ||
	    write_array(norm, out, "ips", version, write_ip) < 0 ||
	    write_array(norm, out, "routes", version, write_route) < 0 ||
	    json_object_set(out, "dns", json_object_get(norm, "dns")) < 0) {
		json_decref(out);
		ctu_err_make(err, ENOMEM, "result");
		return NULL;
	}
	return out;
}

/* ---- the error object a plugin prints ------------------------------------------- */

json_t *cni_error_json(const struct ctu_err *err, const char *version)
{
	static const struct ctu_err unknown = { .msg = (char *)"unknown error" };
	struct ctu_err bare = err ? *err : unknown;
	_cleanup_free_ char *text = NULL, *msg = NULL, *details = NULL;
	json_t *o = json_object();

	bare.hint = NULL; /* the hint is the details, not part of msg */
	text = ctu_err_format(&bare);
	msg = utf8_clean(text ? text : "out of memory");
	details = err && err->hint && *err->hint ? utf8_clean(err->hint) : NULL;
	if (!o || !msg ||
	    json_object_set_new(o, "cniVersion", json_string(version && cni_version_known(version)
								 ? version
								 : CNI_VERSION_LATEST)) < 0 ||
	    json_object_set_new(o, "code", json_integer(bare.code > 0 ? bare.code : CNI_ERR_INTERNAL)) < 0 ||
	    json_object_set_new(o, "msg", json_string(msg)) < 0 ||
	    (details && json_object_set_new(o, "details", json_string(details)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

