// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for vethctl's CNI protocol (cni.c, cniresult.c, cnigo.c):
 * version order, results converted between every pair of versions against
 * the bytes Debian's host-local and bridge 1.1.1 print (golden strings taken
 * from their real output), CNI_ARGS, owners, the error object, and the plugin's
 * answers to bad requests (run in a child, no kernel state touched).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vethctl/cni.h"
#include "vethctl/nat.h"

/* ---- helpers ---------------------------------------------------------------------- */

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *v = json_loads(s, 0, &e);

	if (!v)
		fail_msg("bad test JSON: %s: %s", e.text, s);
	return v;
}

/* @in (any version) as printed at @version: the text the plugin writes. */
static char *convert(const char *in, const char *version)
{
	ctu_err_t err = NULL;
	json_t *v = parse(in), *norm = cni_result_from(v, &err), *out;
	char *text;

	if (!norm)
		fail_msg("cni_result_from: %s", err->msg);
	out = cni_result_to(norm, version, &err);
	if (!out)
		fail_msg("cni_result_to %s: %s", version, err->msg);
	text = cni_json_text(out, true);
	assert_non_null(text);
	json_decref(v);
	json_decref(norm);
	json_decref(out);
	return text;
}

static void assert_converts(const char *in, const char *version, const char *want)
{
	char *got = convert(in, version);

	if (strcmp(got, want) != 0)
		fail_msg("to %s:\n%s\nwanted:\n%s", version, got, want);
	free(got);
}

/* cni_result_from() fails on @in with CNI_ERR_DECODE and a message containing @words. */
static void assert_bad_result(const char *in, const char *words)
{
	ctu_err_t err = NULL;
	json_t *v = parse(in), *norm = cni_result_from(v, &err);

	assert_null(norm);
	assert_non_null(err);
	assert_int_equal(err->code, CNI_ERR_DECODE);
	if (!strstr(err->msg, words))
		fail_msg("'%s' does not say '%s'", err->msg, words);
	ctu_err_free(&err);
	json_decref(v);
}

/* ---- golden results: Debian's host-local 1.1.1, one config at each version -------- */

/* ranges 10.1.0.0/24 + fd00:1::/64, three routes, a resolv.conf with every DNS key */
#define HL_IPS_V0                                                                                  \
	"    \"ips\": [\n"                                                                         \
	"        {\n"                                                                              \
	"            \"version\": \"4\",\n"                                                        \
	"            \"address\": \"10.1.0.2/24\",\n"                                              \
	"            \"gateway\": \"10.1.0.1\"\n"                                                  \
	"        },\n"                                                                             \
	"        {\n"                                                                              \
	"            \"version\": \"6\",\n"                                                        \
	"            \"address\": \"fd00:1::2/64\",\n"                                             \
	"            \"gateway\": \"fd00:1::1\"\n"                                                 \
	"        }\n"                                                                              \
	"    ],\n"
#define HL_IPS_V1                                                                                  \
	"    \"ips\": [\n"                                                                         \
	"        {\n"                                                                              \
	"            \"address\": \"10.1.0.2/24\",\n"                                              \
	"            \"gateway\": \"10.1.0.1\"\n"                                                  \
	"        },\n"                                                                             \
	"        {\n"                                                                              \
	"            \"address\": \"fd00:1::2/64\",\n"                                             \
	"            \"gateway\": \"fd00:1::1\"\n"                                                 \
	"        }\n"                                                                              \
	"    ],\n"
#define HL_REST                                                                                    \
	"    \"routes\": [\n"                                                                      \
	"        {\n"                                                                              \
	"            \"dst\": \"0.0.0.0/0\"\n"                                                     \
	"        },\n"                                                                             \
	"        {\n"                                                                              \
	"            \"dst\": \"192.168.0.0/16\",\n"                                               \
	"            \"gw\": \"10.1.0.254\"\n"                                                     \
	"        },\n"                                                                             \
	"        {\n"                                                                              \
	"            \"dst\": \"::/0\"\n"                                                          \
	"        }\n"                                                                              \
	"    ],\n"                                                                                 \
	"    \"dns\": {\n"                                                                         \
	"        \"nameservers\": [\n"                                                             \
	"            \"10.1.0.53\",\n"                                                             \
	"            \"fd00::53\"\n"                                                               \
	"        ],\n"                                                                             \
	"        \"domain\": \"example\",\n"                                                       \
	"        \"search\": [\n"                                                                  \
	"            \"a.example\",\n"                                                             \
	"            \"b.example\"\n"                                                              \
	"        ],\n"                                                                             \
	"        \"options\": [\n"                                                                 \
	"            \"ndots:2\",\n"                                                               \
	"            \"edns0\"\n"                                                                  \
	"        ]\n"                                                                              \
	"    }\n"                                                                                  \
	"}"

static const struct {
	const char *version, *text;
} hostlocal[] = {
	{ "0.3.0", "{\n    \"cniVersion\": \"0.3.0\",\n" HL_IPS_V0 HL_REST },
	{ "0.3.1", "{\n    \"cniVersion\": \"0.3.1\",\n" HL_IPS_V0 HL_REST },
	{ "0.4.0", "{\n    \"cniVersion\": \"0.4.0\",\n" HL_IPS_V0 HL_REST },
	{ "1.0.0", "{\n    \"cniVersion\": \"1.0.0\",\n" HL_IPS_V1 HL_REST },
	/* no Debian plugin speaks 1.1.0: its types are 1.0.0's (libcni types100) */
	{ "1.1.0", "{\n    \"cniVersion\": \"1.1.0\",\n" HL_IPS_V1 HL_REST },
};
#define NHOSTLOCAL (sizeof(hostlocal) / sizeof(hostlocal[0]))

/* Every version's result, read and printed at every version, is that version's golden text. */
static void test_convert_every_pair(void **state)
{
	(void)state;
	for (size_t from = 0; from < NHOSTLOCAL; from++)
		for (size_t to = 0; to < NHOSTLOCAL; to++)
			assert_converts(hostlocal[from].text, hostlocal[to].version, hostlocal[to].text);
}

/* ---- Debian's bridge 1.1.1 (isGateway, host-local v4+v6), real output at 0.3.0 and 1.0.0 ---- */

static const char debian_bridge_030[] =
	"{\n"
	"    \"cniVersion\": \"0.3.0\",\n"
	"    \"interfaces\": [\n"
	"        {\n"
	"            \"name\": \"ctuproto0\",\n"
	"            \"mac\": \"aa:00:da:80:82:ca\"\n"
	"        },\n"
	"        {\n"
	"            \"name\": \"vethde4c1850\",\n"
	"            \"mac\": \"de:6e:7a:c0:9b:0e\"\n"
	"        },\n"
	"        {\n"
	"            \"name\": \"eth030\",\n"
	"            \"mac\": \"9e:bb:83:41:38:e3\",\n"
	"            \"sandbox\": \"/run/netns/ctuproto-c\"\n"
	"        }\n"
	"    ],\n"
	"    \"ips\": [\n"
	"        {\n"
	"            \"version\": \"4\",\n"
	"            \"interface\": 2,\n"
	"            \"address\": \"10.1.0.2/24\",\n"
	"            \"gateway\": \"10.1.0.1\"\n"
	"        },\n"
	"        {\n"
	"            \"version\": \"6\",\n"
	"            \"interface\": 2,\n"
	"            \"address\": \"fd00:1::2/64\",\n"
	"            \"gateway\": \"fd00:1::1\"\n"
	"        }\n"
	"    ],\n"
	"    \"routes\": [\n"
	"        {\n"
	"            \"dst\": \"0.0.0.0/0\"\n"
	"        }\n"
	"    ],\n"
	"    \"dns\": {\n"
	"        \"nameservers\": [\n"
	"            \"10.1.0.1\"\n"
	"        ]\n"
	"    }\n"
	"}";
static const char debian_bridge_100[] =
	"{\n"
	"    \"cniVersion\": \"1.0.0\",\n"
	"    \"interfaces\": [\n"
	"        {\n"
	"            \"name\": \"ctuproto0\",\n"
	"            \"mac\": \"aa:00:da:80:82:ca\"\n"
	"        },\n"
	"        {\n"
	"            \"name\": \"vethca634bd8\",\n"
	"            \"mac\": \"0e:19:c6:20:9a:b4\"\n"
	"        },\n"
	"        {\n"
	"            \"name\": \"eth100\",\n"
	"            \"mac\": \"5e:c2:b3:bc:78:fd\",\n"
	"            \"sandbox\": \"/run/netns/ctuproto-c\"\n"
	"        }\n"
	"    ],\n"
	"    \"ips\": [\n"
	"        {\n"
	"            \"interface\": 2,\n"
	"            \"address\": \"10.1.0.5/24\",\n"
	"            \"gateway\": \"10.1.0.1\"\n"
	"        },\n"
	"        {\n"
	"            \"interface\": 2,\n"
	"            \"address\": \"fd00:1::5/64\",\n"
	"            \"gateway\": \"fd00:1::1\"\n"
	"        }\n"
	"    ],\n"
	"    \"routes\": [\n"
	"        {\n"
	"            \"dst\": \"0.0.0.0/0\"\n"
	"        }\n"
	"    ],\n"
	"    \"dns\": {\n"
	"        \"nameservers\": [\n"
	"            \"10.1.0.1\"\n"
	"        ]\n"
	"    }\n"
	"}";

/*
 * @text as printed at @to instead: its cniVersion line changed, and from
 * 1.0.0 on without the "version" lines of ips (the only other difference
 * between the versions' layouts here).  Newly allocated.
 */
static char *relabel(const char *text, const char *to)
{
	char *out = calloc(1, strlen(text) + 1), *o = out;
	bool v1 = cni_version_cmp(to, "1.0.0") >= 0;

	assert_non_null(out);
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);

		if (strncmp(line, "    \"cniVersion\": \"", 19) == 0)
			o += sprintf(o, "    \"cniVersion\": \"%s\",\n", to);
		else if (!(v1 && strncmp(line, "            \"version\": \"", 24) == 0))
			o = (char *)memcpy(o, line, len) + len;
		line += len;
	}
	*o = '\0';
	return out;
}

/* Debian's bridge result at 0.3.0 and at 1.0.0, each taken to every version */
static void test_convert_debian_bridge(void **state)
{
	(void)state;
	for (size_t i = 0; cni_versions[i]; i++) {
		char *want = relabel(debian_bridge_030, cni_versions[i]), *got;

		assert_converts(debian_bridge_030, cni_versions[i], want);
		free(want);
		/* 1.0.0 has no "version" to keep: below it they come back, one per family */
		got = convert(debian_bridge_100, cni_versions[i]);
		if (cni_version_cmp(cni_versions[i], "1.0.0") < 0) {
			assert_non_null(strstr(got, "            \"version\": \"4\",\n            \"interface\": 2,\n"
						    "            \"address\": \"10.1.0.5/24\""));
			assert_non_null(strstr(got, "            \"version\": \"6\",\n            \"interface\": 2,\n"
						    "            \"address\": \"fd00:1::5/64\""));
		}
		want = relabel(got, "1.0.0");
		assert_string_equal(want, debian_bridge_100);
		free(want);
		free(got);
	}
}

/* ---- a bridge result: interfaces, the interface index, and the 1.1.0 keys ----------- */

static const char bridge_110[] =
	"{\"cniVersion\":\"1.1.0\",\"interfaces\":["
	"{\"name\":\"cni0\",\"mac\":\"0a:58:0a:01:00:01\"},"
	"{\"name\":\"veth1a2b3c4d\",\"mac\":\"6e:1c:8f:3a:9b:01\",\"mtu\":1400},"
	"{\"name\":\"eth0\",\"mac\":\"9a:33:dc:4e:71:02\",\"mtu\":1400,\"sandbox\":\"/run/netns/c1\","
	"\"socketPath\":\"/run/x.sock\",\"pciID\":\"0000:00:1f.6\"}],"
	"\"ips\":[{\"interface\":2,\"address\":\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\"}],"
	"\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\",\"mtu\":1300,\"advmss\":1260,"
	"\"priority\":10,\"table\":0,\"scope\":253}],\"dns\":{\"nameservers\":[\"10.1.0.1\"]}}";

static const char bridge_110_text[] = "{\n"
				      "    \"cniVersion\": \"1.1.0\",\n"
				      "    \"interfaces\": [\n"
				      "        {\n"
				      "            \"name\": \"cni0\",\n"
				      "            \"mac\": \"0a:58:0a:01:00:01\"\n"
				      "        },\n"
				      "        {\n"
				      "            \"name\": \"veth1a2b3c4d\",\n"
				      "            \"mac\": \"6e:1c:8f:3a:9b:01\",\n"
				      "            \"mtu\": 1400\n"
				      "        },\n"
				      "        {\n"
				      "            \"name\": \"eth0\",\n"
				      "            \"mac\": \"9a:33:dc:4e:71:02\",\n"
				      "            \"mtu\": 1400,\n"
				      "            \"sandbox\": \"/run/netns/c1\",\n"
				      "            \"socketPath\": \"/run/x.sock\",\n"
				      "            \"pciID\": \"0000:00:1f.6\"\n"
				      "        }\n"
				      "    ],\n"
				      "    \"ips\": [\n"
				      "        {\n"
				      "            \"interface\": 2,\n"
				      "            \"address\": \"10.1.0.2/24\",\n"
				      "            \"gateway\": \"10.1.0.1\"\n"
				      "        }\n"
				      "    ],\n"
				      "    \"routes\": [\n"
				      "        {\n"
				      "            \"dst\": \"0.0.0.0/0\",\n"
				      "            \"gw\": \"10.1.0.1\",\n"
				      "            \"mtu\": 1300,\n"
				      "            \"advmss\": 1260,\n"
				      "            \"priority\": 10,\n"
				      "            \"table\": 0,\n"
				      "            \"scope\": 253\n"
				      "        }\n"
				      "    ],\n"
				      "    \"dns\": {\n"
				      "        \"nameservers\": [\n"
				      "            \"10.1.0.1\"\n"
				      "        ]\n"
				      "    }\n"
				      "}";

/* Debian's bridge 1.1.1 layout at 1.0.0: interfaces name, mac, sandbox; ips interface, address, gateway. */
#define BRIDGE_IFACES                                                                              \
	"    \"interfaces\": [\n"                                                                  \
	"        {\n"                                                                              \
	"            \"name\": \"cni0\",\n"                                                        \
	"            \"mac\": \"0a:58:0a:01:00:01\"\n"                                             \
	"        },\n"                                                                             \
	"        {\n"                                                                              \
	"            \"name\": \"veth1a2b3c4d\",\n"                                                \
	"            \"mac\": \"6e:1c:8f:3a:9b:01\"\n"                                             \
	"        },\n"                                                                             \
	"        {\n"                                                                              \
	"            \"name\": \"eth0\",\n"                                                        \
	"            \"mac\": \"9a:33:dc:4e:71:02\",\n"                                            \
	"            \"sandbox\": \"/run/netns/c1\"\n"                                             \
	"        }\n"                                                                              \
	"    ],\n"
#define BRIDGE_TAIL                                                                                \
	"            \"interface\": 2,\n"                                                          \
	"            \"address\": \"10.1.0.2/24\",\n"                                              \
	"            \"gateway\": \"10.1.0.1\"\n"                                                  \
	"        }\n"                                                                              \
	"    ],\n"                                                                                 \
	"    \"routes\": [\n"                                                                      \
	"        {\n"                                                                              \
	"            \"dst\": \"0.0.0.0/0\",\n"                                                    \
	"            \"gw\": \"10.1.0.1\"\n"                                                       \
	"        }\n"                                                                              \
	"    ],\n"                                                                                 \
	"    \"dns\": {\n"                                                                         \
	"        \"nameservers\": [\n"                                                             \
	"            \"10.1.0.1\"\n"                                                               \
	"        ]\n"                                                                              \
	"    }\n"                                                                                  \
	"}"

static const char bridge_100_text[] = "{\n    \"cniVersion\": \"1.0.0\",\n" BRIDGE_IFACES
				      "    \"ips\": [\n        {\n" BRIDGE_TAIL;
static const char bridge_040_text[] = "{\n    \"cniVersion\": \"0.4.0\",\n" BRIDGE_IFACES
				      "    \"ips\": [\n        {\n"
				      "            \"version\": \"4\",\n" BRIDGE_TAIL;

/* interfaces[].mtu, socketPath, pciID and the new route keys only at 1.1.0; ips[].version below 1.0.0 */
static void test_convert_newer_keys(void **state)
{
	(void)state;
	assert_converts(bridge_110, "1.1.0", bridge_110_text);
	assert_converts(bridge_110, "1.0.0", bridge_100_text);
	assert_converts(bridge_110, "0.4.0", bridge_040_text);
	/* and back up: what 0.4.0 has no key for stays away */
	assert_converts(bridge_040_text, "1.1.0",
			"{\n    \"cniVersion\": \"1.1.0\",\n" BRIDGE_IFACES
			"    \"ips\": [\n        {\n" BRIDGE_TAIL);
}

/* 0.4.0 types have no interfaces[].mtu: not read (so not type-checked) there */
static void test_convert_v0_ignores_newer(void **state)
{
	(void)state;
	assert_converts("{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"eth0\",\"mtu\":\"x\"}]}",
			"1.1.0",
			"{\n    \"cniVersion\": \"1.1.0\",\n    \"interfaces\": [\n        {\n"
			"            \"name\": \"eth0\"\n        }\n    ],\n    \"dns\": {}\n}");
	assert_bad_result("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mtu\":\"x\"}]}",
			  ".interfaces[0].mtu: not an integer");
}

/* Empty members are omitted as Go's omitempty does, but "dns" is always there; unknown keys dropped. */
static void test_convert_empty_and_unknown(void **state)
{
	(void)state;
	assert_converts("{\"cniVersion\":\"1.0.0\"}", "0.3.1",
			"{\n    \"cniVersion\": \"0.3.1\",\n    \"dns\": {}\n}");
	assert_converts("{\"interfaces\":[],\"ips\":[],\"routes\":[],\"dns\":{\"search\":[]},"
			"\"extra\":1}",
			"1.0.0", "{\n    \"cniVersion\": \"1.0.0\",\n    \"dns\": {}\n}");
	assert_converts("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/8\",\"gateway\":\"\","
			"\"foo\":\"bar\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":null}]}",
			"1.0.0",
			"{\n    \"cniVersion\": \"1.0.0\",\n    \"ips\": [\n        {\n"
			"            \"address\": \"10.0.0.2/8\"\n        }\n    ],\n"
			"    \"routes\": [\n        {\n            \"dst\": \"0.0.0.0/0\"\n        }\n"
			"    ],\n    \"dns\": {}\n}");
}

/* Addresses as Go's net package prints them: canonical, an IPv4-mapped one as IPv4. */
static void test_convert_addresses(void **state)
{
	(void)state;
	assert_converts("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"FD00:0:0::0002/64\","
			"\"gateway\":\"fd00:0::1\"},{\"address\":\"::ffff:10.1.0.5/120\","
			"\"gateway\":\"::ffff:10.1.0.1\"},{\"address\":\"::a:b/96\"}]}",
			"0.4.0",
			"{\n    \"cniVersion\": \"0.4.0\",\n    \"ips\": [\n"
			"        {\n            \"version\": \"6\",\n"
			"            \"address\": \"fd00::2/64\",\n"
			"            \"gateway\": \"fd00::1\"\n        },\n"
			"        {\n            \"version\": \"4\",\n"
			"            \"address\": \"10.1.0.5/24\",\n"
			"            \"gateway\": \"10.1.0.1\"\n        },\n"
			"        {\n            \"version\": \"6\",\n"
			"            \"address\": \"::a:b/96\"\n        }\n"
			"    ],\n    \"dns\": {}\n}");
}

static void test_convert_errors(void **state)
{
	ctu_err_t err = NULL;
	json_t *v;

	(void)state;
	assert_bad_result("[]", "not an object");
	assert_bad_result("{\"cniVersion\":\"0.2.0\",\"ip4\":{}}", "unsupported CNI result version \"0.2.0\"");
	assert_bad_result("{\"cniVersion\":7}", ".cniVersion: not a string");
	assert_bad_result("{\"ips\":{}}", ".ips: not an array");
	assert_bad_result("{\"ips\":[1]}", ".ips[0]: not an object");
	assert_bad_result("{\"ips\":[{}]}", ".ips[0].address: missing");
	assert_bad_result("{\"ips\":[{\"address\":\"10.0.0.2\"}]}",
			  ".ips[0].address: invalid CIDR address: 10.0.0.2");
	assert_bad_result("{\"ips\":[{\"address\":\"10.0.0.2/33\"}]}", "invalid CIDR address");
	assert_bad_result("{\"ips\":[{\"address\":\"010.0.0.2/8\"}]}", "invalid CIDR address");
	assert_bad_result("{\"ips\":[{\"address\":\"10.0.0.2/8\",\"gateway\":\"x\"}]}",
			  ".ips[0].gateway: invalid IP address: x");
	assert_bad_result("{\"ips\":[{\"address\":\"10.0.0.2/8\",\"interface\":\"1\"}]}",
			  ".ips[0].interface: not an integer");
	assert_bad_result("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":4,\"address\":\"10.0.0.2/8\"}]}",
			  ".ips[0].version: not a string");
	assert_bad_result("{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", ".routes[0].dst: missing");
	assert_bad_result("{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"table\":1.5}]}",
			  ".routes[0].table: not an integer");
	assert_bad_result("{\"dns\":{\"nameservers\":[1]}}", ".dns.nameservers[0]: not a string");
	assert_bad_result("{\"dns\":[]}", ".dns: not an object");

	/* and no converter to a version we do not speak */
	v = parse("{}");
	assert_null(cni_result_to(v, "0.2.0", &err));
	assert_int_equal(err->code, CNI_ERR_VERSION);
	ctu_err_free(&err);
	json_decref(v);
}

/* ---- versions ------------------------------------------------------------------- */

static void test_versions(void **state)
{
	(void)state;
	for (size_t i = 0; cni_versions[i]; i++) {
		assert_true(cni_version_known(cni_versions[i]));
		assert_int_equal(cni_version_cmp(cni_versions[i], cni_versions[i]), 0);
		if (cni_versions[i + 1]) {
			assert_true(cni_version_cmp(cni_versions[i], cni_versions[i + 1]) < 0);
			assert_true(cni_version_cmp(cni_versions[i + 1], cni_versions[i]) > 0);
		}
	}
	assert_string_equal(cni_versions[4], CNI_VERSION_LATEST);
	assert_null(cni_versions[5]);
	assert_false(cni_version_known("0.2.0"));
	assert_false(cni_version_known("1.1"));
	assert_false(cni_version_known(""));
	/* numbers, not strings; libcni's ParseVersion: "" is 0.1.0, "1" is 1.0.0 */
	assert_true(cni_version_cmp("1.10.0", "1.9.0") > 0);
	assert_true(cni_version_cmp("", "0.3.0") < 0);
	assert_int_equal(cni_version_cmp("", "0.1.0"), 0);
	assert_int_equal(cni_version_cmp("1", "1.0.0"), 0);
	assert_int_equal(cni_version_cmp("1.1", "1.1.0"), 0);
	/* a malformed one sorts first */
	assert_true(cni_version_cmp("x", "0.0.0") < 0);
	assert_true(cni_version_cmp("0.0.1", "1.2.3.4") > 0);
	assert_true(cni_version_cmp("1..0", "0.1.0") < 0);
	assert_true(cni_version_cmp("99999999999999999999.0.0", "0.1.0") < 0);
	assert_int_equal(cni_version_cmp("x", "x"), 0);
}

/* ---- CNI_ARGS ------------------------------------------------------------------- */

static const struct {
	const char *in;
	int code; /* 0: parsed */
	const char *mac, *ip, *msg;
	bool ignore;
} args_cases[] = {
	{ NULL, 0, NULL, NULL, NULL, false },
	{ "", 0, NULL, NULL, NULL, false },
	{ "MAC=0a:58:0a:01:00:05", 0, "0a:58:0a:01:00:05", NULL, NULL, false },
	{ "IP=10.1.0.9,fd00::9;MAC=", 0, NULL, "10.1.0.9,fd00::9", NULL, false },
	{ "IgnoreUnknown=1;FOO=bar;MAC=x", 0, "x", NULL, NULL, true },
	{ "FOO=bar;IgnoreUnknown=TRUE", 0, NULL, NULL, NULL, true },
	{ "K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=1",
	  0, NULL, NULL, NULL, false },
	{ "IgnoreUnknown=false", 0, NULL, NULL, NULL, false },
	{ "FOO=bar", CNI_ERR_ENV, NULL, NULL, "CNI_ARGS: unknown args [\"FOO=bar\"]", false },
	{ "FOO=1;IgnoreUnknown=0;BAR=2", CNI_ERR_ENV, NULL, NULL,
	  "CNI_ARGS: unknown args [\"FOO=1\" \"BAR=2\"]", false },
	{ "mac=x", CNI_ERR_ENV, NULL, NULL, "CNI_ARGS: unknown args [\"mac=x\"]", false },
	{ "FOO", CNI_ERR_ENV, NULL, NULL, "CNI_ARGS: invalid pair \"FOO\"", false },
	{ "MAC=a=b", CNI_ERR_ENV, NULL, NULL, "CNI_ARGS: invalid pair \"MAC=a=b\"", false },
	{ "MAC=x;", CNI_ERR_ENV, NULL, NULL, "CNI_ARGS: invalid pair \"\"", false },
	{ "IgnoreUnknown=Yes", CNI_ERR_ENV, NULL, NULL,
	  "CNI_ARGS: error parsing value of pair \"IgnoreUnknown=Yes\": boolean unmarshal error: "
	  "invalid input yes",
	  false },
	{ "A\"\x01=\xff", CNI_ERR_ENV, NULL, NULL, "CNI_ARGS: unknown args [\"A\\\"\\x01=\\xff\"]", false },
};

static void test_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(args_cases) / sizeof(args_cases[0]); i++) {
		struct cni_args a;
		ctu_err_t err = NULL;
		int r = cni_args_parse(args_cases[i].in, &a, &err);

		if (args_cases[i].code == 0) {
			if (r != 0)
				fail_msg("%s: %s", args_cases[i].in, err->msg);
			if (args_cases[i].mac)
				assert_string_equal(a.mac, args_cases[i].mac);
			else
				assert_null(a.mac);
			if (args_cases[i].ip)
				assert_string_equal(a.ip, args_cases[i].ip);
			else
				assert_null(a.ip);
			assert_int_equal(a.ignore_unknown, args_cases[i].ignore);
			cni_args_free(&a);
		} else {
			assert_true(r < 0);
			assert_int_equal(err->code, args_cases[i].code);
			assert_string_equal(err->msg, args_cases[i].msg);
			assert_null(a.buf);
			ctu_err_free(&err);
		}
	}
}

/* ---- owners --------------------------------------------------------------------- */

static void test_owner(void **state)
{
	char owner[OWNER_MAX + 1], key[32], want[64], longnet[201];
	uint64_t h = fnv1a64("net1", 5, FNV64_INIT);

	(void)state;
	h = fnv1a64("0123456789abcdef", 17, h);
	h = fnv1a64("eth0", 4, h);
	snprintf(want, sizeof(want), "cni:%016llx:", (unsigned long long)h);
	cni_owner_key("net1", "0123456789abcdef", "eth0", key, sizeof(key));
	assert_string_equal(key, want);
	cni_owner("net1", "0123456789abcdef", "eth0", owner, sizeof(owner));
	strcat(want, "net1:0123456789ab:eth0");
	assert_string_equal(owner, want);
	assert_true(owner_valid(owner));

	/* another attachment, another key: the NUL separators keep "a"+"bc" from "ab"+"c" */
	cni_owner_key("a", "bc", "eth0", key, sizeof(key));
	cni_owner_key("ab", "c", "eth0", want, sizeof(want));
	assert_string_not_equal(key, want);

	/* a long network name is cut to fit, the key and the rest kept */
	memset(longnet, 'n', 200);
	longnet[200] = '\0';
	cni_owner(longnet, "0123456789abcdef", "eth0", owner, sizeof(owner));
	assert_int_equal(strlen(owner), OWNER_MAX);
	assert_true(owner_valid(owner));
	cni_owner_key(longnet, "0123456789abcdef", "eth0", key, sizeof(key));
	assert_memory_equal(owner, key, strlen(key));
	assert_string_equal(owner + strlen(owner) - strlen(":0123456789ab:eth0"), ":0123456789ab:eth0");

	/* libcni lets an interface name hold quotes and such: never into an nft comment */
	cni_owner("net1", "c1", "e\"t'h#0", owner, sizeof(owner));
	assert_true(owner_valid(owner));
	assert_non_null(strstr(owner, ":net1:c1:e_t_h_0"));
	cni_owner("n:et", "c:1", "eth0", owner, sizeof(owner));
	assert_true(owner_valid(owner));
	assert_non_null(strstr(owner, ":n_et:c_1:eth0"));
}

/* ---- the error object and Go's text ------------------------------------------------ */

static char *error_text(ctu_err_t *err, const char *version)
{
	json_t *o = cni_error_json(*err, version);
	char *text;

	assert_non_null(o);
	text = cni_json_text(o, true);
	assert_non_null(text);
	json_decref(o);
	ctu_err_free(err);
	return text;
}

static void test_error_json(void **state)
{
	ctu_err_t err = NULL;
	char *t;

	(void)state;
	cni_err(&err, CNI_ERR_CONFIG, "Network 192.168.0.0/31 too small to allocate from.",
		"Invalid Configuration");
	t = error_text(&err, "1.1.0");
	assert_string_equal(t, "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 7,\n"
			       "    \"msg\": \"Invalid Configuration\",\n"
			       "    \"details\": \"Network 192.168.0.0/31 too small to allocate from.\"\n}");
	free(t);

	/* an errno's text in msg, no details without a hint, code 0 is 999, an unknown version the newest */
	ctu_err_make(&err, EEXIST, "container veth name provided (eth0) already exists");
	t = error_text(&err, "9.9.9");
	assert_string_equal(t, "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 999,\n"
			       "    \"msg\": \"container veth name provided (eth0) already exists: File exists\"\n}");
	free(t);

	/* wrap keeps the code; the hint is the details, not part of msg */
	cni_err(&err, CNI_ERR_NETNS, NULL, "bad");
	ctu_err_wrap(&err, "outer");
	ctu_err_hint(&err, "a hint");
	t = error_text(&err, "0.4.0");
	assert_string_equal(t, "{\n    \"cniVersion\": \"0.4.0\",\n    \"code\": 8,\n"
			       "    \"msg\": \"outer: bad\",\n    \"details\": \"a hint\"\n}");
	free(t);

	/* Go's escapes, and invalid UTF-8 as U+FFFD */
	cni_err(&err, CNI_ERR_CONFIG, "\xff", "<a&b>\b\f\x1b\t\xe2\x80\xa8");
	t = error_text(&err, NULL);
	assert_string_equal(t, "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 7,\n"
			       "    \"msg\": \"\\u003ca\\u0026b\\u003e\\u0008\\u000c\\u001b\\t\\u2028\",\n"
			       "    \"details\": \"\xef\xbf\xbd\"\n}");
	free(t);
}

static void test_json_text_compact(void **state)
{
	json_t *v = parse("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.0\",\"1.1.0\"]}");
	char *t = cni_json_text(v, false);

	(void)state;
	assert_string_equal(t, "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.0\",\"1.1.0\"]}");
	free(t);
	json_decref(v);
}

/* ---- the plugin, run in a child on bad requests (none reaches an operation) -------- */

struct run {
	int status;
	char out[8192], errout[4096];
};

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
}

/* cni_plugin_main as @argv0, with only @env ("K=V", NULL-terminated) and @in on stdin. */
static void run_plugin(const char *argv0, const char *const *env, const char *in, size_t inlen,
		       struct run *r)
{
	FILE *fin = tmpfile(), *fout = tmpfile(), *ferr = tmpfile();
	char *argv[] = { (char *)argv0, NULL };
	pid_t pid;

	assert_non_null(fin);
	assert_non_null(fout);
	assert_non_null(ferr);
	assert_int_equal(fwrite(in, 1, inlen, fin), inlen);
	fflush(fin);
	rewind(fin);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc;

		clearenv();
		for (size_t i = 0; env[i]; i++)
			putenv((char *)env[i]);
		dup2(fileno(fin), 0);
		dup2(fileno(fout), 1);
		dup2(fileno(ferr), 2);
		rc = cni_plugin_main(1, argv);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &r->status, 0), pid);
	slurp(fout, r->out, sizeof(r->out));
	slurp(ferr, r->errout, sizeof(r->errout));
	fclose(fin);
	fclose(fout);
	fclose(ferr);
}

#define CONF(version, name) "{\"cniVersion\":\"" version "\",\"name\":\"" name "\",\"type\":\"ctutils-bridge\"}"
#define ENV_OK(cmd) "CNI_COMMAND=" cmd, "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0", "CNI_PATH=/nonexistent"

/* The plugin exits 1 with exactly the error object @want on stdout, and nothing on stderr. */
static void assert_plugin_error(const char *const *env, const char *in, const char *want)
{
	struct run r;

	run_plugin("/usr/lib/cni/ctutils-bridge", env, in, strlen(in), &r);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 1);
	if (strcmp(r.out, want) != 0)
		fail_msg("got:\n%s\nwanted:\n%s", r.out, want);
	assert_string_equal(r.errout, "");
}

static void test_plugin_env(void **state)
{
	(void)state;
	assert_plugin_error((const char *const[]){ "CNI_COMMAND=ADD", NULL }, CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,"
			    "CNI_PATH] missing\"\n}");
	/* DEL needs no CNI_NETNS, GC and STATUS only CNI_PATH */
	assert_plugin_error((const char *const[]){ "CNI_COMMAND=DEL", NULL }, CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"required env variables [CNI_CONTAINERID,CNI_IFNAME,CNI_PATH] "
			    "missing\"\n}");
	assert_plugin_error((const char *const[]){ "CNI_COMMAND=GC", "CNI_IFNAME=a/b", NULL },
			    CONF("1.1.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"required env variables [CNI_PATH] missing\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("ADD"), "CNI_NETNS=/x",
						   "CNI_CONTAINERID=a b", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"invalid characters in containerID\",\n"
			    "    \"details\": \"a b\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("ADD"), "CNI_NETNS=/x",
						   "CNI_IFNAME=eth0123456789012", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"interface name is too long\",\n"
			    "    \"details\": \"interface name should be less than 16 characters\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("DEL"), "CNI_IFNAME=a/b", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"interface name contains / or : or whitespace characters\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("DEL"), "CNI_IFNAME=..", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"interface name is . or ..\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("FROB"), NULL }, CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"unknown CNI_COMMAND: FROB\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("DEL"), "CNI_ARGS=FOO=bar", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 4,\n"
			    "    \"msg\": \"CNI_ARGS: unknown args [\\\"FOO=bar\\\"]\"\n}");
}

static void test_plugin_config(void **state)
{
	static const char *const del[] = { ENV_OK("DEL"), NULL };
	char *big = malloc(CNI_STDIN_MAX + 2);
	struct run r;

	(void)state;
	assert_plugin_error(del, "{\"cniVersion\":\"1.0.0\",",
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 6,\n"
			    "    \"msg\": \"error unmarshall network config: line 1: string or '}' "
			    "expected near end of file\"\n}");
	assert_plugin_error(del, "{\"name\":\"n\",\"name\":\"m\"}",
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 6,\n"
			    "    \"msg\": \"error unmarshall network config: line 1: duplicate object key "
			    "near '\\\"name\\\"'\"\n}");
	assert_plugin_error(del, "{\"name\":1}",
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 6,\n"
			    "    \"msg\": \"error unmarshall network config: .name: not a string\"\n}");
	assert_plugin_error(del, "{\"cniVersion\":\"1.0.0\"}",
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 7,\n"
			    "    \"msg\": \"missing network name\"\n}");
	assert_plugin_error(del, CONF("1.0.0", "../x"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 7,\n"
			    "    \"msg\": \"invalid characters found in network name\",\n"
			    "    \"details\": \"../x\"\n}");
	/* more than 4 MiB: 5 */
	assert_non_null(big);
	memset(big, ' ', CNI_STDIN_MAX + 1);
	big[CNI_STDIN_MAX + 1] = '\0';
	run_plugin("ctutils-bridge", del, big, CNI_STDIN_MAX + 1, &r);
	assert_int_equal(WEXITSTATUS(r.status), 1);
	assert_non_null(strstr(r.out, "\"code\": 5,"));
	free(big);
}

static void test_plugin_versions(void **state)
{
	static const char *const add[] = { ENV_OK("ADD"), "CNI_NETNS=/x", NULL };
	static const char *const check[] = { ENV_OK("CHECK"), "CNI_NETNS=/x", NULL };
	static const char *const gc[] = { "CNI_COMMAND=GC", "CNI_PATH=/x", NULL };
	static const char *const status[] = { "CNI_COMMAND=STATUS", "CNI_PATH=/x", NULL };

	(void)state;
	assert_plugin_error(add, CONF("9.9.9", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 1,\n"
			    "    \"msg\": \"incompatible CNI versions\",\n"
			    "    \"details\": \"config is \\\"9.9.9\\\", plugin supports [\\\"0.3.0\\\" "
			    "\\\"0.3.1\\\" \\\"0.4.0\\\" \\\"1.0.0\\\" \\\"1.1.0\\\"]\"\n}");
	/* no cniVersion is 0.1.0 to libcni */
	assert_plugin_error(add, "{\"name\":\"n\"}",
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 1,\n"
			    "    \"msg\": \"incompatible CNI versions\",\n"
			    "    \"details\": \"config is \\\"0.1.0\\\", plugin supports [\\\"0.3.0\\\" "
			    "\\\"0.3.1\\\" \\\"0.4.0\\\" \\\"1.0.0\\\" \\\"1.1.0\\\"]\"\n}");
	assert_plugin_error(check, CONF("0.3.1", "n"),
			    "{\n    \"cniVersion\": \"0.3.1\",\n    \"code\": 1,\n"
			    "    \"msg\": \"config version does not allow CHECK\"\n}");
	assert_plugin_error(check, CONF("9.9.9", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 1,\n"
			    "    \"msg\": \"plugin version does not allow CHECK\"\n}");
	assert_plugin_error(check, CONF("1.x", "n"),
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 6,\n"
			    "    \"msg\": \"failed to convert minor version part \\\"x\\\": strconv.Atoi: "
			    "parsing \\\"x\\\": invalid syntax\"\n}");
	assert_plugin_error(gc, CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 1,\n"
			    "    \"msg\": \"config version does not allow GC\"\n}");
	assert_plugin_error(status, CONF("0.4.0", "n"),
			    "{\n    \"cniVersion\": \"0.4.0\",\n    \"code\": 1,\n"
			    "    \"msg\": \"config version does not allow STATUS\"\n}");
	assert_plugin_error(gc, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":"
				"[{\"containerID\":1}]}",
			    "{\n    \"cniVersion\": \"1.1.0\",\n    \"code\": 6,\n"
			    "    \"msg\": \".cni.dev/valid-attachments[0].containerID: not a string\"\n}");
}

static void test_plugin_netns(void **state)
{
	(void)state;
	assert_plugin_error((const char *const[]){ ENV_OK("ADD"), "CNI_NETNS=/nonexistent/ns", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 8,\n"
			    "    \"msg\": \"failed to open netns \\\"/nonexistent/ns\\\": failed to Statfs "
			    "\\\"/nonexistent/ns\\\": No such file or directory\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("CHECK"), "CNI_NETNS=/proc/self/ns/net", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 8,\n"
			    "    \"msg\": \"plugin's netns and netns from CNI_NETNS should not be the same\",\n"
			    "    \"details\": \"/proc/self/ns/net\"\n}");
	assert_plugin_error((const char *const[]){ ENV_OK("ADD"), "CNI_NETNS=/proc/self/ns/uts", NULL },
			    CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 8,\n"
			    "    \"msg\": \"failed to open netns \\\"/proc/self/ns/uts\\\": "
			    "\\\"/proc/self/ns/uts\\\" is not a network namespace\"\n}");
}

/* Not a namespace: a file on another filesystem (the reference's words), a procfs file that is none */
static void test_plugin_netns_not_ns(void **state)
{
	static const char *const root[] = { ENV_OK("ADD"), "CNI_NETNS=/", NULL };
	static const char *const proc[] = { ENV_OK("ADD"), "CNI_NETNS=/proc/self", NULL };
	struct run r;

	(void)state;
	run_plugin("ctutils-bridge", root, CONF("1.0.0", "n"), strlen(CONF("1.0.0", "n")), &r);
	assert_int_equal(WEXITSTATUS(r.status), 1);
	assert_non_null(strstr(r.out, "\"code\": 8,"));
	assert_non_null(strstr(r.out, "unknown FS magic on \\\"/\\\": "));
	assert_plugin_error(proc, CONF("1.0.0", "n"),
			    "{\n    \"cniVersion\": \"1.0.0\",\n    \"code\": 8,\n"
			    "    \"msg\": \"failed to open netns \\\"/proc/self\\\": "
			    "\\\"/proc/self\\\" is not a network namespace\"\n}");
}

static void test_plugin_version_command(void **state)
{
	static const char *const env[] = { "CNI_COMMAND=VERSION", NULL };
	static const char want_latest[] = "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":"
					  "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n";
	struct run r;

	(void)state;
	run_plugin("ctutils-bridge", env, "", 0, &r);
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_string_equal(r.out, want_latest);
	run_plugin("ctutils-host-local", env, "{\"cniVersion\":\"0.4.0\",\"x\":[1,2]}",
		   strlen("{\"cniVersion\":\"0.4.0\",\"x\":[1,2]}"), &r);
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_string_equal(r.out, "{\"cniVersion\":\"0.4.0\",\"supportedVersions\":"
				   "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
	/* the rest is ignored, even when it is no JSON */
	run_plugin("vethctl", env, "not json", 8, &r);
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_string_equal(r.out, want_latest);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * ctutils-host-local is an IPAM plugin: its ADD result printed in the
 * request's version, the bytes Debian's host-local printed for this config
 * (files in a temporary dataDir only).
 */
static void test_plugin_hostlocal_add(void **state)
{
	static const char *const env[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=cid",
					   "CNI_NETNS=/dev/null", "CNI_IFNAME=eth0",
					   "CNI_PATH=/nonexistent", NULL };
	char dir[] = "/tmp/test_vethctl_cni.XXXXXX", conf[1024], path[300];
	struct run r;
	FILE *f;
	int n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("nameserver 10.1.0.53\nnameserver fd00::53\nsearch a.example b.example\n"
	      "domain example\noptions ndots:2 edns0\n", f);
	fclose(f);
	for (size_t i = 0; i < NHOSTLOCAL; i++) {
		n = snprintf(conf, sizeof(conf),
			     "{\"cniVersion\":\"%s\",\"name\":\"net%zu\",\"type\":\"host-local\","
			     "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"%s\",\"ranges\":"
			     "[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"fd00:1::/64\"}]],"
			     "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\","
			     "\"gw\":\"10.1.0.254\"},{\"dst\":\"::/0\"}],\"resolvConf\":\"%s\"}}",
			     hostlocal[i].version, i, dir, path);
		assert_true(n > 0 && (size_t)n < sizeof(conf));
		run_plugin("ctutils-host-local", env, conf, (size_t)n, &r);
		assert_int_equal(WEXITSTATUS(r.status), 0);
		if (strcmp(r.out, hostlocal[i].text) != 0)
			fail_msg("%s:\n%s", hostlocal[i].version, r.out);
		assert_string_equal(r.errout, "");
	}
	assert_int_equal(nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_plugin_about(void **state)
{
	static const char *const env[] = { NULL };
	struct run r;

	(void)state;
	run_plugin("/opt/cni/bin/ctutils-host-local", env, "", 0, &r);
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.errout, "ctutils-host-local"));
	assert_non_null(strstr(r.errout, "CNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, "
					 "1.1.0\n"));
}

static void test_plugin_mode(void **state)
{
	char *bare[] = { "vethctl", NULL }, *args[] = { "vethctl", "ls", NULL };
	char *named[] = { "/usr/lib/cni/ctutils-bridge", "x", NULL };
	char *hl[] = { "ctutils-host-local", NULL };

	(void)state;
	unsetenv("CNI_COMMAND");
	assert_false(cni_plugin_mode(1, bare));
	assert_true(cni_plugin_mode(2, named));
	assert_true(cni_plugin_mode(1, hl));
	setenv("CNI_COMMAND", "", 1);
	assert_false(cni_plugin_mode(1, bare));
	setenv("CNI_COMMAND", "ADD", 1);
	assert_true(cni_plugin_mode(1, bare));
	/* with arguments it is the command line, even inside a plugin's environment */
	assert_false(cni_plugin_mode(2, args));
	unsetenv("CNI_COMMAND");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert_every_pair),
		cmocka_unit_test(test_convert_debian_bridge),
		cmocka_unit_test(test_convert_newer_keys),
		cmocka_unit_test(test_convert_v0_ignores_newer),
		cmocka_unit_test(test_convert_empty_and_unknown),
		cmocka_unit_test(test_convert_addresses),
		cmocka_unit_test(test_convert_errors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_error_json),
		cmocka_unit_test(test_json_text_compact),
		cmocka_unit_test(test_plugin_env),
		cmocka_unit_test(test_plugin_config),
		cmocka_unit_test(test_plugin_versions),
		cmocka_unit_test(test_plugin_netns),
		cmocka_unit_test(test_plugin_netns_not_ns),
		cmocka_unit_test(test_plugin_version_command),
		cmocka_unit_test(test_plugin_hostlocal_add),
		cmocka_unit_test(test_plugin_about),
		cmocka_unit_test(test_plugin_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
