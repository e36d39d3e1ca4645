// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for vethctl/spec.c: SPEC and PSPEC syntax, owners, names, chain names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "vethctl/nat.h"

struct good {
	const char *s;
	enum spec_kind kind;
	const char *host; /* NULL: any */
	int family;
	unsigned int port, port_end;
	const char *target; /* NULL: none */
	unsigned int tport, tport_end;
	uint8_t proto;
};

static const struct good goods[] = {
	{ "8080:10.88.0.2:80", SPEC_PUBLISH, NULL, AF_INET, 8080, 8080, "10.88.0.2", 80, 80,
	  IPPROTO_TCP },
	{ "192.0.2.1:5353:10.88.0.2:53/udp", SPEC_PUBLISH, "192.0.2.1", AF_INET, 5353, 5353,
	  "10.88.0.2", 53, 53, IPPROTO_UDP },
	{ "0.0.0.0:80:10.88.0.2:8080/sctp", SPEC_PUBLISH, NULL, AF_INET, 80, 80, "10.88.0.2", 8080,
	  8080, IPPROTO_SCTP },
	{ "127.0.0.1:8080:10.88.0.2:80", SPEC_PUBLISH, "127.0.0.1", AF_INET, 8080, 8080,
	  "10.88.0.2", 80, 80, IPPROTO_TCP },
	{ "5300-5309:10.88.0.3:53-62/udp", SPEC_PUBLISH, NULL, AF_INET, 5300, 5309, "10.88.0.3",
	  53, 62, IPPROTO_UDP },
	{ "[2001:db8::1]:8080:[fd00::2]:80", SPEC_PUBLISH, "2001:db8::1", AF_INET6, 8080, 8080,
	  "fd00::2", 80, 80, IPPROTO_TCP },
	{ "[::]:443:[fd00::2]:8443", SPEC_PUBLISH, NULL, AF_INET6, 443, 443, "fd00::2", 8443, 8443,
	  IPPROTO_TCP },
	{ "8080:[fd00::2]:80", SPEC_PUBLISH, NULL, AF_INET6, 8080, 8080, "fd00::2", 80, 80,
	  IPPROTO_TCP },
	{ "1:10.0.0.2:65535", SPEC_PUBLISH, NULL, AF_INET, 1, 1, "10.0.0.2", 65535, 65535,
	  IPPROTO_TCP },
	{ "8080", SPEC_UNPUBLISH, NULL, 0, 8080, 8080, NULL, 0, 0, IPPROTO_TCP },
	{ "192.0.2.1:53/udp", SPEC_UNPUBLISH, "192.0.2.1", AF_INET, 53, 53, NULL, 0, 0,
	  IPPROTO_UDP },
	{ "8080:10.88.0.2:80", SPEC_UNPUBLISH, NULL, AF_INET, 8080, 8080, "10.88.0.2", 80, 80,
	  IPPROTO_TCP },
	{ "8080", SPEC_CONNECT, NULL, 0, 8080, 8080, NULL, 0, 0, IPPROTO_TCP },
	{ "8080:80", SPEC_CONNECT, NULL, 0, 8080, 8080, NULL, 80, 80, IPPROTO_TCP },
	{ "8000-8009:80-89/udp", SPEC_CONNECT, NULL, 0, 8000, 8009, NULL, 80, 89, IPPROTO_UDP },
	{ "127.0.0.1:8080", SPEC_CONNECT, "127.0.0.1", AF_INET, 8080, 8080, NULL, 0, 0,
	  IPPROTO_TCP },
	{ "192.0.2.1:8080:80", SPEC_CONNECT, "192.0.2.1", AF_INET, 8080, 8080, NULL, 80, 80,
	  IPPROTO_TCP },
	{ "[2001:db8::1]:8080", SPEC_CONNECT, "2001:db8::1", AF_INET6, 8080, 8080, NULL, 0, 0,
	  IPPROTO_TCP },
};

static void check_addr(const struct ipaddr *a, const char *want)
{
	char t[INET6_ADDRSTRLEN];

	assert_string_equal(ip_text(a, t), want);
}

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct spec s;
		char why[256] = "";

		print_message("%s\n", g->s);
		assert_int_equal(spec_parse(g->s, g->kind, &s, why, sizeof(why)), 0);
		assert_int_equal(s.any, g->host == NULL);
		if (g->host)
			check_addr(&s.host, g->host);
		if (g->family)
			assert_int_equal(s.host.family, g->family);
		assert_int_equal(s.port, g->port);
		assert_int_equal(s.port_end, g->port_end);
		assert_int_equal(s.has_target, g->target != NULL);
		if (g->target)
			check_addr(&s.target, g->target);
		assert_int_equal(s.has_tport, g->tport != 0);
		if (g->tport) {
			assert_int_equal(s.tport, g->tport);
			assert_int_equal(s.tport_end, g->tport_end);
		}
		assert_int_equal(s.proto, g->proto);
	}
}

struct bad {
	const char *s;
	enum spec_kind kind;
	const char *why;
};

static const struct bad bads[] = {
	{ "", SPEC_PUBLISH, "empty" },
	{ "8080", SPEC_PUBLISH, "expected [HOSTIP:]HOSTPORT[-END]:TARGETIP:PORT[-END][/PROTO]" },
	{ "8080:80", SPEC_PUBLISH, "expected [HOSTIP:]HOSTPORT[-END]:TARGETIP:PORT[-END][/PROTO]" },
	{ "x:10.0.0.1:80", SPEC_PUBLISH, "host port 'x': not a port number" },
	{ "0:10.88.0.2:80", SPEC_PUBLISH, "host port '0': port 0" },
	{ "8080:10.88.0.2:0", SPEC_PUBLISH, "target port '0': port 0" },
	{ "70000:10.88.0.2:80", SPEC_PUBLISH, "host port '70000': port above 65535" },
	{ "0800000:10.88.0.2:80", SPEC_PUBLISH, "host port '0800000': port above 65535" },
	{ "+80:10.88.0.2:80", SPEC_PUBLISH, "host port '+80': not a port number" },
	{ "80-:10.88.0.2:80", SPEC_PUBLISH, "host port '80-': not a port number" },
	{ "80-81-82:10.88.0.2:80-81", SPEC_PUBLISH, "host port '80-81-82': not a port number" },
	{ "90-80:10.88.0.2:90-80", SPEC_PUBLISH, "host port '90-80': reversed range" },
	{ "8080-8081:10.88.0.2:80", SPEC_PUBLISH,
	  "ranges of different lengths (8080-8081 and 80-80)" },
	{ "localhost:80:10.88.0.2:80", SPEC_PUBLISH,
	  "host address 'localhost': not an address (names are not resolved)" },
	{ "8080:web:80", SPEC_PUBLISH,
	  "target address 'web': not an address (names are not resolved)" },
	{ "[fe80::1%eth0]:80:[fd00::2]:80", SPEC_PUBLISH,
	  "host address '[fe80::1%eth0]': zone ids are not supported" },
	{ "[::1]:80:[fd00::2]:80", SPEC_PUBLISH,
	  "host address '[::1]': IPv6 loopback cannot be routed out of the host (publish on :: or "
	  "a global address)" },
	{ "80:[::1]:80", SPEC_PUBLISH,
	  "target address '[::1]': IPv6 loopback cannot be routed out of the host (publish on :: "
	  "or a global address)" },
	{ "8080:10.88.0.2:80/icmp", SPEC_PUBLISH, "unknown protocol 'icmp' (tcp, udp or sctp)" },
	{ "8080:10.88.0.2:80/TCP", SPEC_PUBLISH, "unknown protocol 'TCP' (tcp, udp or sctp)" },
	{ "192.0.2.1:8080:[fd00::2]:80", SPEC_PUBLISH, "host and target of different families" },
	{ "8080:fd00::2:80", SPEC_PUBLISH, "too many fields (an IPv6 address needs brackets)" },
	{ "2001:db8::1:8080:10.0.0.2:80", SPEC_PUBLISH,
	  "too many fields (an IPv6 address needs brackets)" },
	{ "[fd00::2:80:10.0.0.2:80", SPEC_PUBLISH, "expected [HOSTIP:]HOSTPORT[-END]:TARGETIP:PORT[-END][/PROTO]" },
	{ "8080:0.0.0.0:80", SPEC_PUBLISH, "target 0.0.0.0 is not an address of one host" },
	{ "8080:224.0.0.1:80", SPEC_PUBLISH, "target 224.0.0.1 is not an address of one host" },
	{ "8080:127.0.0.1:80", SPEC_PUBLISH, "target 127.0.0.1: loopback cannot be a target" },
	{ "224.0.0.1:8080:10.0.0.2:80", SPEC_PUBLISH, "host address '224.0.0.1': multicast" },
	{ "8080::10.0.0.2:80", SPEC_PUBLISH, "empty field" },
	{ "10.0.0.1.5:8080:10.0.0.2:80", SPEC_PUBLISH,
	  "host address '10.0.0.1.5': not an address (names are not resolved)" },
	{ "[10.0.0.1]:8080:10.0.0.2:80", SPEC_PUBLISH,
	  "host address '[10.0.0.1]': not an IPv6 address" },
	{ "8080:10.88.0.2", SPEC_UNPUBLISH, "host address '8080': not an address (names are not resolved)" },
	{ "x", SPEC_CONNECT, "host port 'x': not a port number" },
	{ "8080:80-81", SPEC_CONNECT, "ranges of different lengths (8080-8080 and 80-81)" },
	{ "localhost:8080", SPEC_CONNECT,
	  "host address 'localhost': not an address (names are not resolved)" },
	{ "1.2.3.4:80:80:80", SPEC_CONNECT, "expected [HOSTIP:]HOSTPORT[-END][:PORT[-END]][/PROTO]" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct spec s;
		char why[256] = "";

		print_message("%s\n", bads[i].s);
		assert_int_equal(spec_parse(bads[i].s, bads[i].kind, &s, why, sizeof(why)), -EINVAL);
		assert_string_equal(why, bads[i].why);
	}
}

static void test_long(void **state)
{
	char s[400], why[256];
	struct spec sp;

	(void)state;
	memset(s, '1', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_int_equal(spec_parse(s, SPEC_PUBLISH, &sp, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "too long");
}

static void test_connect_target(void **state)
{
	struct spec s;
	struct ipaddr a, b;
	char why[256];

	(void)state;
	assert_int_equal(ip_parse("10.88.0.2", &a), 0);
	assert_int_equal(ip_parse("fd00::2", &b), 0);
	assert_int_equal(spec_parse("8080-8081", SPEC_CONNECT, &s, why, sizeof(why)), 0);
	assert_int_equal(spec_set_target(&s, &a, why, sizeof(why)), 0);
	assert_int_equal(s.tport, 8080);
	assert_int_equal(s.tport_end, 8081);
	assert_int_equal(s.host.family, AF_INET);
	assert_int_equal(spec_parse("127.0.0.1:8080:80", SPEC_CONNECT, &s, why, sizeof(why)), 0);
	assert_int_equal(spec_set_target(&s, &b, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "host address and --addr of different families");
}

static void test_owners(void **state)
{
	char o[OWNER_MAX + 1], name[OWNER_MAX + 8];

	(void)state;
	assert_true(owner_valid("cli"));
	assert_true(owner_valid("veth:vc1a2b3c4d"));
	assert_true(owner_valid("cni:0123456789abcdef:net:0123456789ab:eth0"));
	assert_false(owner_valid(""));
	assert_false(owner_valid("a\"b"));
	assert_false(owner_valid("a b"));
	assert_false(owner_valid("a;b"));
	assert_false(owner_valid("a\\b"));
	assert_int_equal(owner_from_name("web", o, sizeof(o)), 0);
	assert_string_equal(o, "user:web");
	assert_int_equal(owner_from_name("a\"b", o, sizeof(o)), -EINVAL);
	assert_int_equal(owner_from_name("", o, sizeof(o)), -EINVAL);
	memset(name, 'x', 95);
	name[95] = '\0';
	assert_int_equal(owner_from_name(name, o, sizeof(o)), 0);
	assert_int_equal(strlen(o), OWNER_MAX);
	name[95] = 'x';
	name[96] = '\0';
	assert_int_equal(owner_from_name(name, o, sizeof(o)), -EINVAL);
	assert_true(ifname_plain("eth0"));
	assert_true(ifname_plain("br-1.2@x+y_z"));
	assert_false(ifname_plain("a\"b"));
	assert_false(ifname_plain("a b"));
	assert_false(ifname_plain("0123456789abcdef"));
	assert_false(ifname_plain(".."));
}

static void test_chain_names(void **state)
{
	struct ipaddr a;
	char name[NAT_CHAIN_MAX], o1[] = "eth1", o2[] = "eth0";
	char *outs[] = { o1, o2 }, *rev[] = { o2, o1 };
	char name2[NAT_CHAIN_MAX];

	(void)state;
	assert_int_equal(ip_parse("10.88.0.0", &a), 0);
	nat_chain_name(&a, 16, NULL, 0, name, sizeof(name));
	assert_string_equal(name, "nat4-10_88_0_0-16");
	assert_int_equal(ip_parse("fd00::", &a), 0);
	nat_chain_name(&a, 64, NULL, 0, name, sizeof(name));
	assert_string_equal(name, "nat6-fd00__-64");
	/* the same names in any order: the same chain */
	nat_chain_name(&a, 64, outs, 2, name, sizeof(name));
	nat_chain_name(&a, 64, rev, 2, name2, sizeof(name2));
	assert_string_equal(name, name2);
	assert_int_equal(strncmp(name, "nat6-fd00__-64-o", 16), 0);
	assert_int_equal(strlen(name), 16 + 8);
	assert_int_equal(ip_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &a), 0);
	nat_chain_name(&a, 128, outs, 2, name, sizeof(name));
	assert_true(strlen(name) < NAT_CHAIN_MAX);
}

static void test_addresses(void **state)
{
	struct ipaddr a, n, net;

	(void)state;
	assert_int_equal(ip_parse("10.88.1.2", &a), 0);
	assert_false(ip_network(&a, 16, &n));
	assert_int_equal(ip_parse("10.88.0.0", &net), 0);
	assert_true(ip_equal(&n, &net));
	assert_true(ip_network(&net, 16, &n));
	assert_true(ip_in(&a, &net, 16));
	assert_false(ip_in(&a, &net, 24));
	assert_true(ip_in(&a, &net, 0));
	assert_int_equal(ip_parse("fd00::1", &a), 0);
	assert_false(ip_in(&a, &net, 0)); /* another family */
	assert_true(ip_is_multicast(&(struct ipaddr){ AF_INET6, { 0xff, 2 } }));
	assert_int_equal(ip_parse("1.2.3", &a), -EINVAL);
	assert_int_equal(ip_parse("fe80::1%lo", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	    cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long),	    cmocka_unit_test(test_connect_target),
		cmocka_unit_test(test_owners),	    cmocka_unit_test(test_chain_names),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
