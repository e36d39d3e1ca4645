// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the built-in host-local allocator: its pure parts
 * (vethctl/hostlocal_range.c: addresses as Go prints them, range defaults,
 * range sets, the round robin; hostlocal_conf.c: the config as Go reads it),
 * then hostlocal_run() on a data directory, and ipam_run()'s choice between
 * delegating (Debian's host-local, when installed) and the built-in one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vethctl/cni.h"
#include "vethctl/hostlocal.h"

#define DEBIAN_PLUGINS "/usr/lib/cni"

/* ---- addresses ------------------------------------------------------------------ */

/* @in parsed and printed again is @want (NULL: refused). */
static void check_ip(const char *in, const char *want)
{
	struct hl_ip a;
	char out[HL_IP_STRLEN];

	if (!want) {
		assert_int_equal(hl_ip_parse(in, &a), -EINVAL);
		return;
	}
	assert_int_equal(hl_ip_parse(in, &a), 0);
	hl_ip_format(&a, out);
	assert_string_equal(out, want);
}

static void test_canonical_text(void **state)
{
	(void)state;
	check_ip("10.0.0.1", "10.0.0.1");
	check_ip("::ffff:10.0.0.1", "10.0.0.1"); /* canonicalizeIP: To4 */
	check_ip("fd00:0:0:0:0:0:0:1", "fd00::1");
	check_ip("FD00::A", "fd00::a");
	check_ip("::", "::");
	check_ip("::1", "::1");
	check_ip("::1.2.3.4", "::102:304");	   /* Go prints no dotted quad here (glibc would) */
	check_ip("1:0:0:1:0:0:0:1", "1:0:0:1::1"); /* the longest run */
	check_ip("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");	/* the first of two equal runs */
	check_ip("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"); /* one zero group stays */
	check_ip("0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7");
	check_ip("fd00:0db8:0000:0000:0000:0000:0000:0000", "fd00:db8::");
	check_ip("010.0.0.1", NULL); /* Go 1.17+: no leading zeros */
	check_ip("10.0.0", NULL);
	check_ip("fe80::1%eth0", NULL);
	check_ip("", NULL);
	check_ip("banana", NULL);
}

static void test_cidr(void **state)
{
	struct hl_cidr c;
	char out[HL_CIDR_STRLEN];

	(void)state;
	assert_int_equal(hl_cidr_parse("10.0.0.5/24", &c), 0);
	assert_int_equal(c.prefix, 24);
	assert_int_equal(c.maskbits, 32);
	hl_cidr_format(&c.ip, c.maskbits, c.prefix, out);
	assert_string_equal(out, "10.0.0.5/24");		/* IPNet.String does not mask */
	assert_int_equal(hl_cidr_parse("10.0.0.0/024", &c), 0); /* dtoi takes leading zeros */
	assert_int_equal(c.prefix, 24);
	assert_int_equal(hl_cidr_parse("::ffff:10.0.0.0/120", &c), 0);
	assert_int_equal(c.ip.family, AF_INET);
	assert_int_equal(c.maskbits, 128);
	hl_cidr_format(&c.ip, c.maskbits, c.prefix, out);
	assert_string_equal(out, "10.0.0.0/24"); /* the mask's last 4 bytes */
	assert_int_equal(hl_cidr_parse("fd00::/64", &c), 0);
	hl_cidr_format(&c.ip, c.maskbits, c.prefix, out);
	assert_string_equal(out, "fd00::/64");
	assert_int_equal(hl_cidr_parse("10.0.0.0/33", &c), -EINVAL);
	assert_int_equal(hl_cidr_parse("10.0.0.0/", &c), -EINVAL);
	assert_int_equal(hl_cidr_parse("10.0.0.0/+8", &c), -EINVAL);
	assert_int_equal(hl_cidr_parse("10.0.0.0", &c), -EINVAL);
	assert_int_equal(hl_cidr_parse("fd00::/129", &c), -EINVAL);
	assert_int_equal(hl_cidr_parse("banana", &c), -EINVAL);
}

static void test_next_and_cmp(void **state)
{
	struct hl_ip a, b;
	char out[HL_IP_STRLEN];

	(void)state;
	hl_ip_parse("10.0.0.255", &a);
	hl_ip_next(&a);
	hl_ip_format(&a, out);
	assert_string_equal(out, "10.0.1.0");
	hl_ip_parse("fd00::ffff", &a);
	hl_ip_next(&a);
	hl_ip_format(&a, out);
	assert_string_equal(out, "fd00::1:0");
	hl_ip_parse("10.0.0.9", &b);
	hl_ip_parse("10.0.0.10", &a);
	assert_true(hl_ip_cmp(&a, &b) > 0);
	assert_true(hl_ip_cmp(&b, &a) < 0);
	assert_false(hl_ip_equal(&a, &b));
}

/* ---- ranges ----------------------------------------------------------------------- */

/* A range of @subnet (and optional bounds and gateway) canonicalized: 0, or the message in @why. */
static int make_range(struct hl_range *r, const char *subnet, const char *start, const char *end,
		      const char *gw, char *why, size_t size)
{
	*r = (struct hl_range){ 0 };
	r->has_subnet = hl_cidr_parse(subnet, &r->subnet) == 0;
	assert_true(r->has_subnet);
	r->has_start = start && hl_ip_parse(start, &r->start) == 0;
	r->has_end = end && hl_ip_parse(end, &r->end) == 0;
	r->has_gw = gw && hl_ip_parse(gw, &r->gw) == 0;
	return hl_range_canonicalize(r, why, size);
}

static void assert_ip(const struct hl_ip *a, const char *want)
{
	char out[HL_IP_STRLEN];

	hl_ip_format(a, out);
	assert_string_equal(out, want);
}

static void test_range_defaults(void **state)
{
	struct hl_range r;
	char why[256], s[128];

	(void)state;
	assert_int_equal(make_range(&r, "10.1.0.0/24", NULL, NULL, NULL, why, sizeof(why)), 0);
	assert_ip(&r.gw, "10.1.0.1");
	assert_ip(&r.start, "10.1.0.1"); /* the gateway's: the iterator skips it */
	assert_ip(&r.end, "10.1.0.254"); /* before the broadcast */
	hl_range_string(&r, s, sizeof(s));
	assert_string_equal(s, "10.1.0.1-10.1.0.254");
	assert_int_equal(make_range(&r, "10.9.0.0/30", NULL, NULL, NULL, why, sizeof(why)), 0);
	hl_range_string(&r, s, sizeof(s));
	assert_string_equal(s, "10.9.0.1-10.9.0.2");
	assert_int_equal(make_range(&r, "fd00::/120", NULL, NULL, NULL, why, sizeof(why)), 0);
	assert_ip(&r.gw, "fd00::1");
	assert_ip(&r.end, "fd00::ff"); /* IPv6 has no broadcast */
	assert_int_equal(
	    make_range(&r, "10.1.0.0/24", "10.1.0.10", "10.1.0.20", "10.1.0.254", why, sizeof(why)),
	    0);
	assert_ip(&r.gw, "10.1.0.254");
	hl_range_string(&r, s, sizeof(s));
	assert_string_equal(s, "10.1.0.10-10.1.0.20");
}

static void check_range_err(const char *subnet, const char *start, const char *end,
			    const char *want)
{
	struct hl_range r;
	char why[256];

	assert_int_equal(make_range(&r, subnet, start, end, NULL, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, want);
}

static void test_range_errors(void **state)
{
	(void)state;
	check_range_err("10.0.0.0/31", NULL, NULL,
			"Network 10.0.0.0/31 too small to allocate from");
	check_range_err("10.0.0.1/32", NULL, NULL,
			"Network 10.0.0.1/32 too small to allocate from");
	check_range_err("fd00::/127", NULL, NULL, "Network fd00::/127 too small to allocate from");
	check_range_err("::ffff:10.0.0.0/127", NULL, NULL,
			"Network 10.0.0.0/31 too small to allocate from");
	check_range_err("::ffff:10.0.0.0/120", NULL, NULL, "IPNet IP and Mask version mismatch");
	check_range_err("10.0.0.1/24", NULL, NULL,
			"Network has host bits set. For a subnet mask of length 24 the network "
			"address is 10.0.0.0");
	check_range_err("10.0.0.0/24", "10.0.1.5", NULL,
			"RangeStart 10.0.1.5 not in network 10.0.0.0/24");
	check_range_err("10.0.0.0/24", NULL, "10.0.1.5",
			"RangeEnd 10.0.1.5 not in network 10.0.0.0/24");
	/* reversed bounds: the start is then not below the end (Go's order of checks) */
	check_range_err("10.0.0.0/24", "10.0.0.100", "10.0.0.50",
			"RangeStart 10.0.0.100 not in network 10.0.0.0/24");
	check_range_err("10.0.0.0/24", "fd00::1", NULL,
			"RangeStart fd00::1 not in network 10.0.0.0/24");
}

static void test_rangeset(void **state)
{
	struct hl_range v[2];
	struct hl_rangeset s = { v, 2 }, one = { v, 1 }, two = { v + 1, 1 };
	char why[256];
	char *str;

	(void)state;
	make_range(&v[0], "10.0.0.0/24", NULL, NULL, NULL, why, sizeof(why));
	make_range(&v[1], "10.0.0.0/25", NULL, NULL, NULL, why, sizeof(why));
	v[0].has_gw = v[0].has_start = v[0].has_end = false;
	v[1].has_gw = v[1].has_start = v[1].has_end = false;
	assert_int_equal(hl_rangeset_canonicalize(&s, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "subnets 10.0.0.1-10.0.0.254 and 10.0.0.1-10.0.0.126 overlap");
	assert_true(hl_rangeset_overlaps(&one, &two));
	make_range(&v[1], "fd00::/64", NULL, NULL, NULL, why, sizeof(why));
	assert_int_equal(hl_rangeset_canonicalize(&s, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "mixed address families");
	assert_false(hl_rangeset_overlaps(&one, &two));
	make_range(&v[1], "10.0.1.0/30", NULL, NULL, NULL, why, sizeof(why));
	assert_int_equal(hl_rangeset_canonicalize(&s, why, sizeof(why)), 0);
	str = hl_rangeset_string(&s);
	assert_string_equal(str, "10.0.0.1-10.0.0.254,10.0.1.1-10.0.1.2");
	free(str);
	assert_int_equal(hl_rangeset_size(&s), 253 + 1);
	s.n = 0;
	assert_int_equal(hl_rangeset_canonicalize(&s, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "empty range set");
}

static void test_rangeset_size(void **state)
{
	struct hl_range v;
	struct hl_rangeset s = { &v, 1 };
	char why[256];

	(void)state;
	make_range(&v, "10.0.0.0/29", NULL, NULL, NULL, why, sizeof(why));
	assert_int_equal(hl_rangeset_size(&s), 5); /* .2 .. .6 */
	make_range(&v, "10.0.0.0/29", NULL, NULL, "10.0.0.7", why, sizeof(why));
	assert_int_equal(hl_rangeset_size(&s), 6); /* .1 .. .6, the gateway outside */
	make_range(&v, "fd00::/64", NULL, NULL, NULL, why, sizeof(why));
	assert_int_equal(hl_rangeset_size(&s), UINT64_MAX - 1); /* ::2 .. ::ffff:ffff:ffff:ffff */
	make_range(&v, "fd00::/32", NULL, NULL, NULL, why, sizeof(why));
	assert_int_equal(hl_rangeset_size(&s), UINT64_MAX); /* saturated */
}

/* The iterator's candidates, "A B C", from @last (NULL: a fresh start). */
static void check_walk(const struct hl_rangeset *s, const char *last, const char *want)
{
	struct hl_iter it;
	struct hl_ip a, l;
	char got[512] = "", ip[HL_IP_STRLEN];
	size_t n = 0;

	if (last)
		assert_int_equal(hl_ip_parse(last, &l), 0);
	hl_iter_init(&it, s, last ? &l : NULL);
	while (hl_iter_next(&it, &a)) {
		hl_ip_format(&a, ip);
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", n ? " " : "", ip);
		assert_true(n < sizeof(got));
	}
	assert_string_equal(got, want);
}

static void test_round_robin(void **state)
{
	struct hl_range v[2];
	struct hl_rangeset one = { v, 1 }, both = { v, 2 };
	char why[256];

	(void)state;
	make_range(&v[0], "10.0.0.0/29", NULL, NULL, NULL, why, sizeof(why));
	check_walk(&one, NULL, "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6");
	/* after the last reserved address, once round, the gateway skipped */
	check_walk(&one, "10.0.0.4", "10.0.0.5 10.0.0.6 10.0.0.2 10.0.0.3 10.0.0.4");
	check_walk(&one, "10.0.0.6", "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6");
	/* a last address outside the set (ranges changed): from the start */
	check_walk(&one, "10.9.9.9", "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6");
	/* across the ranges of a set, in turn */
	make_range(&v[1], "10.0.1.0/30", NULL, NULL, NULL, why, sizeof(why));
	check_walk(&both, NULL, "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.1.2");
	check_walk(&both, "10.0.0.6", "10.0.1.2 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6");
	check_walk(&both, "10.0.1.2", "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.1.2");
	/* a start that is not the gateway is handed out */
	make_range(&v[0], "10.0.0.0/29", "10.0.0.3", "10.0.0.5", "10.0.0.4", why, sizeof(why));
	check_walk(&one, NULL, "10.0.0.3 10.0.0.5");
	make_range(&v[0], "fd00::/126", NULL, NULL, NULL, why, sizeof(why));
	check_walk(&one, NULL, "fd00::2 fd00::3");
}

static void check_trim(const char *s, const char *want)
{
	size_t start, len = hl_trim_space(s, strlen(s), &start);

	assert_int_equal(len, strlen(want));
	assert_memory_equal(s + start, want, len);
}

static void test_trim_space(void **state)
{
	(void)state;
	check_trim(" \t c1\r\neth0 \r\n", "c1\r\neth0");
	check_trim("c1", "c1");
	check_trim("   ", "");
	check_trim("\xc2\xa0x\xe3\x80\x80", "x");     /* NBSP, ideographic space */
	check_trim("\xe2\x80\x8bx", "\xe2\x80\x8bx"); /* U+200B is no space to Go */
	check_trim("x\xe2\x80\xa8", "x");	      /* U+2028 */
	check_trim("\xff \xc2\xa0", "\xff");	      /* an invalid byte is U+FFFD: no space */
}

/* ---- the config ------------------------------------------------------------------- */

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	assert_non_null(v);
	return v;
}

static void test_conf_order(void **state)
{
	json_t *conf =
	    parse("{\"name\":\"n\",\"runtimeConfig\":{\"ipRanges\":[[{\"subnet\":"
		  "\"10.3.0.0/24\"}]],\"ips\":[\"10.1.0.9/24\"]},"
		  "\"args\":{\"cni\":{\"ips\":[\"10.2.0.9\"]}},"
		  "\"IPAM\":{\"Type\":\"host-local\",\"DATADIR\":\"/x\","
		  "\"subnet\":\"10.1.0.0/24\",\"ranges\":[[{\"subnet\":\"10.2.0.0/24\"}]],"
		  "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"::ffff:10.1.0.1\"}]}}");
	_cleanup_err_ ctu_err_t err = NULL;
	struct hl_conf c;
	char s[HL_IP_STRLEN];

	(void)state;
	assert_int_equal(hl_conf_load(conf, "n", "10.3.0.7", &c, &err), 0);
	assert_string_equal(c.data_dir, "/x"); /* keys without regard to case, as Go */
	assert_int_equal(c.nsets, 3);	       /* ipRanges, the legacy range, ranges */
	hl_ip_format(&c.sets[0].v[0].subnet.ip, s);
	assert_string_equal(s, "10.3.0.0");
	hl_ip_format(&c.sets[1].v[0].subnet.ip, s);
	assert_string_equal(s, "10.1.0.0");
	hl_ip_format(&c.sets[2].v[0].subnet.ip, s);
	assert_string_equal(s, "10.2.0.0");
	assert_int_equal(c.nreq, 3); /* CNI_ARGS, args.cni, runtimeConfig */
	hl_ip_format(&c.req[0], s);
	assert_string_equal(s, "10.3.0.7");
	hl_ip_format(&c.req[1], s);
	assert_string_equal(s, "10.2.0.9");
	hl_ip_format(&c.req[2], s);
	assert_string_equal(s, "10.1.0.9");
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.routes, 0), "gw")),
			    "10.1.0.1");
	assert_string_equal(c.name, "n");
	hl_conf_free(&c);
	json_decref(conf);
}

/* Loading @text fails with @code and @msg. */
static void check_conf_err(const char *text, const char *env_ip, int code, const char *msg)
{
	json_t *conf = parse(text);
	_cleanup_err_ ctu_err_t err = NULL;
	struct hl_conf c;

	assert_true(hl_conf_load(conf, "n", env_ip, &c, &err) < 0);
	assert_non_null(err);
	assert_int_equal(err->code, code);
	assert_string_equal(err->msg, msg);
	json_decref(conf);
}

static void test_conf_errors(void **state)
{
	(void)state;
	check_conf_err("{\"name\":\"n\"}", NULL, CNI_ERR_CONFIG, "IPAM config missing 'ipam' key");
	check_conf_err("{\"ipam\":{}}", NULL, CNI_ERR_CONFIG, "no IP ranges specified");
	check_conf_err("{\"ipam\":{\"subnet\":\"10.0.0.0/31\"}}", NULL, CNI_ERR_CONFIG,
		       "invalid range set 0: Network 10.0.0.0/31 too small to allocate from");
	check_conf_err("{\"ipam\":{\"subnet\":\"banana\"}}", NULL, CNI_ERR_CONFIG,
		       "invalid CIDR address: banana");
	check_conf_err("{\"ipam\":{\"subnet\":null}}", NULL, CNI_ERR_CONFIG,
		       "invalid CIDR address: ");
	check_conf_err("{\"ipam\":{\"subnet\":5}}", NULL, CNI_ERR_DECODE,
		       ".ipam.subnet: not a string");
	check_conf_err("{\"ipam\":{\"ranges\":{}}}", NULL, CNI_ERR_DECODE,
		       ".ipam.ranges: not an array");
	check_conf_err("{\"ipam\":{\"ranges\":[[{}]]}}", NULL, CNI_ERR_CONFIG,
		       "invalid range set 0: IP <nil> not v4 nor v6");
	check_conf_err("{\"ipam\":{\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],"
		       "[{\"subnet\":\"10.0.0.0/25\"}]]}}",
		       NULL, CNI_ERR_CONFIG, "range set 0 overlaps with 1");
	check_conf_err("{\"ipam\":{\"subnet\":\"10.0.0.0/24\",\"gateway\":\"banana\"}}", NULL,
		       CNI_ERR_CONFIG, "invalid IP address: banana");
	check_conf_err(
	    "{\"ipam\":{\"subnet\":\"10.0.0.0/24\"}}", "banana", CNI_ERR_ENV,
	    "ARGS: error parsing value of pair \"IP=banana\": invalid IP address banana");
	check_conf_err(
	    "{\"ipam\":{\"subnet\":\"10.0.0.0/24\"},\"runtimeConfig\":{\"ips\":[\"x\"]}}", NULL,
	    CNI_ERR_CONFIG, "invalid IP address x");
}

/* ---- the allocator on disk ------------------------------------------------------------ */

struct dir {
	char path[64];
	char conf[512];
};

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	strcpy(d->path, "/tmp/ctu-hostlocal-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->conf, sizeof(d->conf),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\","
		 "\"dataDir\":\"%s\",\"subnet\":\"10.7.0.0/29\"}}",
		 d->path);
	*state = d;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;

	/* the mkdtemp directory, depth first, no symlink followed */
	assert_int_equal(nftw(d->path, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(d);
	return 0;
}

/* hostlocal_run of @cmd for @cid/eth0 on @conf: 0 or the CNI code; an ADD's first address. */
static int run_op(const char *conf, enum cni_cmd cmd, const char *cid, char *addr, size_t size)
{
	struct cni_req r = { .cmd = cmd, .containerid = cid, .ifname = "eth0", .nsfd = -1 };
	_cleanup_err_ ctu_err_t err = NULL;
	json_t *result = NULL;
	int rc;

	r.conf = parse(conf);
	r.name = json_string_value(json_object_get(r.conf, "name"));
	r.version = json_string_value(json_object_get(r.conf, "cniVersion"));
	rc = hostlocal_run(&r, cmd, &result, &err);
	if (rc == 0 && addr) {
		const char *a = json_string_value(
		    json_object_get(json_array_get(json_object_get(result, "ips"), 0), "address"));

		assert_non_null(a);
		snprintf(addr, size, "%s", a);
	}
	json_decref(result);
	json_decref(r.conf);
	return rc < 0 ? err->code : 0;
}

/* The bytes of DIR/net1/@name, or NULL. */
static char *slurp(const struct dir *d, const char *name, mode_t *mode)
{
	char path[128], *buf = calloc(1, 256);
	struct stat st;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/net1/%s", d->path, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	assert_int_equal(fstat(fd, &st), 0);
	*mode = st.st_mode & 07777;
	n = read(fd, buf, 255);
	assert_true(n >= 0);
	close(fd);
	return buf;
}

static void test_disk_format(void **state)
{
	struct dir *d = *state;
	char addr[64], *s;
	mode_t mode, um = umask(022);

	assert_int_equal(run_op(d->conf, CNI_ADD, "c1", addr, sizeof(addr)), 0);
	assert_string_equal(addr, "10.7.0.2/29");
	s = slurp(d, "10.7.0.2", &mode);
	assert_string_equal(s, "c1\r\neth0"); /* no newline */
	assert_int_equal(mode, 0644);
	free(s);
	s = slurp(d, "last_reserved_ip.0", &mode);
	assert_string_equal(s, "10.7.0.2");
	free(s);
	s = slurp(d, "lock", &mode);
	assert_int_equal(mode, 0750);
	free(s);
	/* the round robin goes on after the last one, even once it is released */
	assert_int_equal(run_op(d->conf, CNI_DEL, "c1", NULL, 0), 0);
	assert_null(slurp(d, "10.7.0.2", &mode));
	assert_int_equal(run_op(d->conf, CNI_ADD, "c2", addr, sizeof(addr)), 0);
	assert_string_equal(addr, "10.7.0.3/29");
	assert_int_equal(run_op(d->conf, CNI_CHECK, "c2", NULL, 0), 0);
	assert_int_equal(run_op(d->conf, CNI_CHECK, "c1", NULL, 0), CNI_ERR_INTERNAL);
	/* a second ADD of one attachment is refused, as the Go plugin does */
	assert_int_equal(run_op(d->conf, CNI_ADD, "c2", NULL, 0), CNI_ERR_INTERNAL);
	umask(um);
}

static void test_exhausted_and_gc(void **state)
{
	struct dir *d = *state;
	char addr[64], path[128], *s;
	mode_t mode;
	int fd;

	for (int i = 0; i < 5; i++) {
		char cid[16];

		snprintf(cid, sizeof(cid), "c%d", i);
		assert_int_equal(run_op(d->conf, CNI_ADD, cid, addr, sizeof(addr)), 0);
	}
	assert_int_equal(run_op(d->conf, CNI_ADD, "c9", NULL, 0), CNI_ERR_INTERNAL);
	assert_int_equal(run_op(d->conf, CNI_STATUS, "c9", NULL, 0), CNI_ERR_NOT_READY);
	/* an old version's file holds the bare container ID: DEL releases it too */
	snprintf(path, sizeof(path), "%s/net1/10.7.0.6", d->path);
	assert_int_equal(unlink(path), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	assert_int_equal(run_op(d->conf, CNI_STATUS, "c9", NULL, 0), CNI_ERR_NOT_READY);
	assert_int_equal(run_op(d->conf, CNI_DEL, "old", NULL, 0), 0);
	assert_null(slurp(d, "10.7.0.6", &mode));
	assert_int_equal(run_op(d->conf, CNI_STATUS, "c9", NULL, 0), 0);
	/* GC keeps only the valid attachments' reservations */
	{
		struct cni_attachment keep[] = { { "c1", "eth0" }, { "c3", "eth0" } };
		struct cni_req r = { .cmd = CNI_GC, .valid = keep, .nvalid = 2, .nsfd = -1 };
		_cleanup_err_ ctu_err_t err = NULL;
		json_t *none = NULL;

		r.conf = parse(d->conf);
		r.name = "net1";
		assert_int_equal(hostlocal_run(&r, CNI_GC, &none, &err), 0);
		json_decref(r.conf);
	}
	s = slurp(d, "10.7.0.3", &mode);
	assert_string_equal(s, "c1\r\neth0");
	free(s);
	s = slurp(d, "10.7.0.5", &mode);
	assert_string_equal(s, "c3\r\neth0");
	free(s);
	assert_null(slurp(d, "10.7.0.2", &mode));
	assert_null(slurp(d, "10.7.0.4", &mode));
	s = slurp(d, "last_reserved_ip.0", &mode);
	assert_non_null(s);
	free(s);
}

/* ---- ipam_run: delegated or built in ---------------------------------------------------- */

static int ipam_op(struct dir *d, const char *version, const char *path, enum cni_cmd cmd,
		   char *addr, size_t size, char *msg, size_t msize)
{
	char conf[600];
	struct cni_req r = { .cmd = cmd,
			     .containerid = "d1",
			     .ifname = "eth0",
			     .netns = "/dev/null",
			     .path = path,
			     .nsfd = -1 };
	_cleanup_err_ ctu_err_t err = NULL;
	json_t *result = NULL;
	int rc;

	snprintf(
	    conf, sizeof(conf),
	    "{\"cniVersion\":\"%s\",\"name\":\"net1\",\"type\":\"ctutils-bridge\","
	    "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"%s\",\"subnet\":\"10.7.0.0/29\"}}",
	    version, d->path);
	r.stdin_buf = conf;
	r.stdin_len = strlen(conf);
	r.conf = parse(conf);
	r.name = "net1";
	r.version = version;
	rc = ipam_run(&r, cmd, &result, &err);
	if (rc == 0 && addr)
		snprintf(addr, size, "%s",
			 json_string_value(json_object_get(
			     json_array_get(json_object_get(result, "ips"), 0), "address")));
	if (rc < 0 && msg)
		snprintf(msg, msize, "%s", err->msg);
	json_decref(result);
	json_decref(r.conf);
	return rc < 0 ? err->code : 0;
}

static void test_ipam_builtin(void **state)
{
	struct dir *d = *state;
	char addr[64], msg[256];

	/* no host-local along CNI_PATH: the built-in one */
	assert_int_equal(ipam_op(d, "1.1.0", "/nonexistent", CNI_ADD, addr, sizeof(addr), NULL, 0),
			 0);
	assert_string_equal(addr, "10.7.0.2/29");
	assert_int_equal(ipam_op(d, "1.1.0", "/nonexistent", CNI_STATUS, NULL, 0, NULL, 0), 0);
	assert_int_equal(ipam_op(d, "1.1.0", "/nonexistent", CNI_DEL, NULL, 0, NULL, 0), 0);
	assert_int_equal(ipam_op(d, "1.1.0", "", CNI_ADD, NULL, 0, NULL, 0), 0);
	assert_int_equal(ipam_op(d, "1.1.0", "", CNI_DEL, NULL, 0, NULL, 0), 0);
	(void)msg;
}

static void test_ipam_delegated(void **state)
{
	struct dir *d = *state;
	char addr[64], path[128], *s;
	mode_t mode;

	if (access(DEBIAN_PLUGINS "/host-local", X_OK) != 0)
		skip();
	/* Debian's host-local speaks up to 1.0.0: a 1.1.0 network is retried at 1.0.0 */
	assert_int_equal(ipam_op(d, "1.1.0", DEBIAN_PLUGINS, CNI_ADD, addr, sizeof(addr), NULL, 0),
			 0);
	assert_string_equal(addr, "10.7.0.2/29");
	s = slurp(d, "10.7.0.2", &mode);
	assert_string_equal(s, "d1\r\neth0");
	free(s);
	assert_int_equal(ipam_op(d, "1.0.0", DEBIAN_PLUGINS, CNI_CHECK, NULL, 0, NULL, 0), 0);
	/* STATUS goes to 1.1.0 delegates only: nothing to do */
	assert_int_equal(ipam_op(d, "1.1.0", DEBIAN_PLUGINS, CNI_STATUS, NULL, 0, NULL, 0), 0);
	assert_int_equal(ipam_op(d, "1.1.0", DEBIAN_PLUGINS, CNI_DEL, NULL, 0, NULL, 0), 0);
	assert_null(slurp(d, "10.7.0.2", &mode));
	/* GC of host-local is always ours: it knows the files */
	assert_int_equal(ipam_op(d, "1.0.0", DEBIAN_PLUGINS, CNI_ADD, addr, sizeof(addr), NULL, 0),
			 0);
	assert_string_equal(addr, "10.7.0.3/29");
	assert_int_equal(ipam_op(d, "1.1.0", DEBIAN_PLUGINS, CNI_GC, NULL, 0, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/net1/10.7.0.3", d->path);
	assert_int_equal(access(path, F_OK), -1);
}

/* Delegated to Debian's host-local, a config it would refuse with 999 gets our 7 first. */
static void test_ipam_delegated_checks(void **state)
{
	struct dir *d = *state;
	char conf[600], path[128];
	struct cni_req r = { .cmd = CNI_ADD,
			     .containerid = "d1",
			     .ifname = "eth0",
			     .netns = "/dev/null",
			     .path = DEBIAN_PLUGINS,
			     .nsfd = -1 };
	_cleanup_err_ ctu_err_t err = NULL;
	json_t *result = NULL;

	if (access(DEBIAN_PLUGINS "/host-local", X_OK) != 0)
		skip();
	snprintf(conf, sizeof(conf),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\","
		 "\"dataDir\":\"%s\",\"subnet\":\"10.7.0.0/31\"}}",
		 d->path);
	r.stdin_buf = conf;
	r.stdin_len = strlen(conf);
	r.conf = parse(conf);
	r.name = "net1";
	r.version = "1.0.0";
	assert_true(ipam_run(&r, CNI_ADD, &result, &err) < 0);
	assert_int_equal(err->code, CNI_ERR_CONFIG);
	assert_string_equal(err->msg,
			    "invalid range set 0: Network 10.7.0.0/31 too small to allocate from");
	ctu_err_free(&err);
	json_decref(r.conf);
	/* a symlinked NAME directory, which it would follow */
	snprintf(path, sizeof(path), "%s/net1", d->path);
	assert_int_equal(symlink("/tmp", path), 0);
	r.conf = parse(d->conf);
	r.stdin_buf = d->conf;
	r.stdin_len = strlen(d->conf);
	assert_true(ipam_run(&r, CNI_ADD, &result, &err) < 0);
	assert_int_equal(err->code, CNI_ERR_INTERNAL);
	assert_non_null(strstr(err->msg, "is a symbolic link"));
	json_decref(r.conf);
	assert_int_equal(unlink(path), 0);
}

static void test_ipam_types(void **state)
{
	struct dir *d = *state;
	struct cni_req r = {
		.cmd = CNI_ADD, .containerid = "d1", .ifname = "eth0", .path = "/a:/b", .nsfd = -1
	};
	_cleanup_err_ ctu_err_t err = NULL;
	json_t *result = NULL;

	(void)d;
	r.conf = parse("{\"name\":\"n\",\"ipam\":{\"type\":\"../host-local\"}}");
	assert_true(ipam_run(&r, CNI_ADD, &result, &err) < 0);
	assert_int_equal(err->code, CNI_ERR_CONFIG);
	assert_string_equal(err->msg, "invalid plugin name: ../host-local");
	ctu_err_free(&err);
	json_decref(r.conf);
	r.conf = parse("{\"name\":\"n\",\"ipam\":{\"type\":\"nosuch\"}}");
	assert_true(ipam_run(&r, CNI_ADD, &result, &err) < 0);
	assert_int_equal(err->code, CNI_ERR_INTERNAL);
	assert_string_equal(err->msg, "failed to find plugin \"nosuch\" in path [/a /b]");
	ctu_err_free(&err);
	json_decref(r.conf);
	/* no ipam, or no type: no IPAM step */
	r.conf = parse("{\"name\":\"n\"}");
	assert_int_equal(ipam_run(&r, CNI_ADD, &result, &err), 0);
	assert_null(result);
	json_decref(r.conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_next_and_cmp),
		cmocka_unit_test(test_range_defaults),
		cmocka_unit_test(test_range_errors),
		cmocka_unit_test(test_rangeset),
		cmocka_unit_test(test_rangeset_size),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_trim_space),
		cmocka_unit_test(test_conf_order),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test_setup_teardown(test_disk_format, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_exhausted_and_gc, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_ipam_builtin, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_ipam_delegated, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_ipam_delegated_checks, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_ipam_types, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests_name("vethctl_hostlocal", tests, NULL, NULL);
}
