// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for vethctl/nft.c: the text of a transaction, byte for byte
 * against tests/unit/golden/NAME.nft (CTU_GOLDEN_UPDATE=1 rewrites them),
 * and the state read back from nft 1.0.6's JSON listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vethctl/nat.h"

/* tests/unit/golden, beside this file (the tests run from the top of the tree) */
static void golden_path(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("CTU_GOLDEN_DIR");
	const char *file = __FILE__, *slash = strrchr(file, '/');

	if (dir)
		snprintf(buf, size, "%s/%s.nft", dir, name);
	else
		snprintf(buf, size, "%.*sgolden/%s.nft", (int)(slash ? slash - file + 1 : 0), file,
			 name);
}

static void check_golden(const char *name, const char *text)
{
	char path[512], *want = NULL;
	size_t len = 0;
	FILE *f;

	golden_path(name, path, sizeof(path));
	if (getenv("CTU_GOLDEN_UPDATE")) {
		f = fopen(path, "we");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree, or set CTU_GOLDEN_DIR)", path);
	want = calloc(1, 1 << 20);
	assert_non_null(want);
	len = fread(want, 1, (1 << 20) - 1, f);
	fclose(f);
	want[len] = '\0';
	if (strcmp(text, want))
		print_error("--- %s\n%s\n--- generated\n%s\n", path, want, text);
	assert_string_equal(text, want);
	free(want);
}

static struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ip_parse(s, &a), 0);
	return a;
}

static struct pub pub(const char *host, uint8_t proto, uint16_t port, const char *target,
		      uint16_t tport, const char *owner)
{
	struct pub m = { .proto = proto, .port = port, .target = ip(target), .tport = tport };

	m.any = !host;
	m.host = host ? ip(host) : (struct ipaddr){ .family = m.target.family };
	snprintf(m.owner, sizeof(m.owner), "%s", owner);
	return m;
}

/* A first command in a namespace: every set new, so "add element". */
static void test_fresh(void **state)
{
	struct nat_state st = { 0 };
	struct plan p;
	struct pub m = pub(NULL, IPPROTO_TCP, 8080, "10.88.0.2", 80, "veth:vc1a2b3c4d");
	struct pub u = pub("192.0.2.1", IPPROTO_UDP, 5353, "10.88.0.2", 53, "cli");
	struct hairpin h = { .prefix = ip("10.88.0.0"), .plen = 16, .target = ip("10.88.0.2"),
			     .owner = "veth:vc1a2b3c4d" };
	struct localnet l = { .ifname = "br0", .old = 0 };
	struct natchain c = { .except = ip("10.88.0.0"), .plen = 16 };
	struct masq q = { .src = ip("10.88.0.0"), .plen = 16, .owner = "cli" };
	char *text;

	(void)state;
	nat_chain_name(&c.except, c.plen, NULL, 0, c.name, sizeof(c.name));
	snprintf(q.chain, sizeof(q.chain), "%s", c.name);
	plan_init(&p, &st);
	plan_new_chain(&p, &c);
	plan_add_masq(&p, &q);
	plan_add_pub(&p, &m);
	plan_add_pub(&p, &u);
	plan_add_hairpin(&p, &h);
	plan_add_localnet(&p, &l);
	text = plan_text(&p);
	assert_non_null(text);
	check_golden("fresh", text);
	free(text);
	plan_free(&p);
}

/* The sets exist: new keys by "create element"; removals, a chain losing its last source. */
static void test_existing(void **state)
{
	struct nat_state st = { .table = true };
	struct plan p, undo;
	struct pub v6 = pub("2001:db8::1", IPPROTO_TCP, 8080, "fd00::2", 80, "user:web");
	struct pub v6any = pub(NULL, IPPROTO_SCTP, 9, "fd00::2", 9, "cli");
	struct pub old = pub(NULL, IPPROTO_TCP, 8080, "10.88.0.2", 80, "cli");
	struct natchain c = { .except = ip("fd00::"), .plen = 64, .nout = 2 };
	struct masq q = { .src = ip("fd00::"), .plen = 64, .owner = "cli" };
	struct masq gone = { .src = ip("10.88.0.0"), .plen = 16, .owner = "cli",
			     .chain = "nat4-10_88_0_0-16" };
	struct hairpin h = { .prefix = ip("10.88.0.0"), .plen = 16, .target = ip("10.88.0.2") };
	struct localnet l = { .ifname = "br0", .old = 1 };
	char *outs[2], *text;

	(void)state;
	for (int s = 0; s < S_COUNT; s++)
		st.have[s] = true;
	snprintf(c.out[0], IFNAMSIZ, "eth1");
	snprintf(c.out[1], IFNAMSIZ, "eth0");
	outs[0] = c.out[0];
	outs[1] = c.out[1];
	nat_chain_name(&c.except, c.plen, outs, 2, c.name, sizeof(c.name));
	snprintf(c.out[0], IFNAMSIZ, "%s", "eth0");
	snprintf(c.out[1], IFNAMSIZ, "%s", "eth1");
	snprintf(q.chain, sizeof(q.chain), "%s", c.name);
	plan_init(&p, &st);
	plan_new_chain(&p, &c);
	plan_add_masq(&p, &q);
	plan_add_pub(&p, &v6);
	plan_add_pub(&p, &v6any);
	plan_del_pub(&p, &old);
	plan_del_hairpin(&p, &h);
	plan_del_localnet(&p, &l);
	plan_del_masq(&p, &gone);
	plan_del_chain(&p, gone.chain);
	text = plan_text(&p);
	assert_non_null(text);
	check_golden("existing", text);
	free(text);
	/* a sysctl failed after the commit: the additions taken back */
	plan_init(&undo, NULL);
	plan_undo_adds(&p, &undo);
	text = plan_text(&undo);
	assert_non_null(text);
	check_golden("undo", text);
	free(text);
	plan_free(&undo);
	plan_free(&p);
}

/* More elements than one command takes: several commands, one transaction. */
static void test_many(void **state)
{
	struct nat_state st = { .table = true };
	struct plan p;
	size_t lines = 0;
	char *text;

	(void)state;
	st.have[S_PUB4ANY] = true;
	plan_init(&p, &st);
	for (unsigned int i = 0; i < 600; i++) {
		struct pub m = pub(NULL, IPPROTO_TCP, (uint16_t)(20000 + i), "10.88.0.3",
				   (uint16_t)(20000 + i), "cli");

		plan_add_pub(&p, &m);
	}
	text = plan_text(&p);
	assert_non_null(text);
	for (char *s = text; (s = strstr(s, "create element inet ctutils pub4any {")); s++)
		lines++;
	assert_int_equal(lines, 3);
	assert_non_null(strstr(text, "tcp . 20599 comment \"cli\" : 10.88.0.3 . 20599 }\n"));
	free(text);
	plan_free(&p);
}

/* What `nft -j list table inet ctutils` (1.0.6) prints, trimmed to one of each. */
static const char listing[] =
    "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}},"
    "{\"table\": {\"family\": \"inet\", \"name\": \"ctutils\", \"handle\": 13}},"
    "{\"map\": {\"family\": \"inet\", \"name\": \"pub4\", \"table\": \"ctutils\", \"elem\": "
    "[[{\"elem\": {\"val\": {\"concat\": [\"192.0.2.1\", \"udp\", 5353]}, \"comment\": \"cli\"}},"
    " {\"concat\": [\"10.88.0.2\", 53]}]]}},"
    "{\"map\": {\"family\": \"inet\", \"name\": \"pub4any\", \"table\": \"ctutils\", \"elem\": "
    "[[{\"concat\": [\"tcp\", 9]}, {\"concat\": [\"10.88.0.2\", 80]}],"
    " [{\"elem\": {\"val\": {\"concat\": [\"tcp\", 8080]}, \"comment\": \"veth:vc1\"}},"
    " {\"concat\": [\"10.88.0.2\", 80]}], [\"junk\", 1]]}},"
    "{\"map\": {\"family\": \"inet\", \"name\": \"pub6\", \"table\": \"ctutils\"}},"
    "{\"map\": {\"family\": \"inet\", \"name\": \"pub6any\", \"table\": \"ctutils\", \"elem\": "
    "[[{\"elem\": {\"val\": {\"concat\": [\"sctp\", 9]}, \"comment\": \"a\"}},"
    " {\"concat\": [\"fd00::2\", 80]}]]}},"
    "{\"set\": {\"family\": \"inet\", \"name\": \"hairpin4\", \"table\": \"ctutils\", \"elem\": "
    "[{\"elem\": {\"val\": {\"concat\": [{\"prefix\": {\"addr\": \"10.88.0.0\", \"len\": 16}},"
    " \"10.88.0.2\"]}, \"comment\": \"cli\"}}, {\"concat\": [\"10.55.0.9\", \"10.55.0.9\"]}]}},"
    "{\"map\": {\"family\": \"inet\", \"name\": \"masq4\", \"table\": \"ctutils\", \"elem\": "
    "[[{\"elem\": {\"val\": \"10.55.0.9\", \"comment\": \"x\"}},"
    " {\"jump\": {\"target\": \"nat4-10_55_0_0-16\"}}],"
    " [{\"elem\": {\"val\": {\"prefix\": {\"addr\": \"10.88.0.0\", \"len\": 16}}, \"comment\":"
    " \"cli\"}}, {\"jump\": {\"target\": \"nat4-10_88_0_0-16-o1234abcd\"}}]]}},"
    "{\"set\": {\"family\": \"inet\", \"name\": \"localnet\", \"table\": \"ctutils\", \"elem\": "
    "[{\"elem\": {\"val\": \"br0\", \"comment\": \"route_localnet:1\"}}, \"br1\"]}},"
    "{\"set\": {\"family\": \"inet\", \"name\": \"other\", \"table\": \"ctutils\"}},"
    "{\"chain\": {\"family\": \"inet\", \"table\": \"ctutils\", \"name\": \"nat4-10_55_0_0-16\"}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"ctutils\", \"chain\": "
    "\"nat4-10_88_0_0-16-o1234abcd\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": "
    "{\"payload\": {\"protocol\": \"ip\", \"field\": \"daddr\"}}, \"right\": {\"set\": "
    "[{\"prefix\": {\"addr\": \"10.88.0.0\", \"len\": 16}}, {\"prefix\": {\"addr\": "
    "\"224.0.0.0\", \"len\": 4}}]}}}, {\"return\": null}]}},"
    "{\"rule\": {\"family\": \"inet\", \"table\": \"ctutils\", \"chain\": "
    "\"nat4-10_88_0_0-16-o1234abcd\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": "
    "{\"meta\": {\"key\": \"oifname\"}}, \"right\": {\"set\": [\"eth0\", \"eth1\"]}}},"
    " {\"masquerade\": null}]}}]}";

static void test_parse(void **state)
{
	json_error_t je;
	json_t *root = json_loads(listing, 0, &je);
	struct nat_state st;
	ctu_err_t err = NULL;
	char t[INET6_ADDRSTRLEN];

	(void)state;
	assert_non_null(root);
	assert_int_equal(nat_state_parse(root, &st, &err), 0);
	assert_true(st.table);
	assert_true(st.have[S_PUB4] && st.have[S_PUB6] && st.have[S_MASQ4] && st.have[S_LOCALNET]);
	assert_false(st.have[S_MASQ6]);
	assert_int_equal(st.npubs, 4);
	assert_false(st.pubs[0].any);
	assert_string_equal(ip_text(&st.pubs[0].host, t), "192.0.2.1");
	assert_int_equal(st.pubs[0].proto, IPPROTO_UDP);
	assert_int_equal(st.pubs[0].tport, 53);
	assert_true(st.pubs[1].any);
	assert_string_equal(st.pubs[1].owner, "");
	assert_string_equal(st.pubs[2].owner, "veth:vc1");
	assert_int_equal(st.pubs[3].host.family, AF_INET6);
	assert_int_equal(st.pubs[3].proto, IPPROTO_SCTP);
	assert_int_equal(st.nhairpins, 2);
	assert_int_equal(st.hairpins[0].plen, 16);
	assert_int_equal(st.hairpins[1].plen, 32);
	assert_int_equal(st.nmasqs, 2);
	assert_int_equal(st.masqs[0].plen, 32);
	assert_string_equal(st.masqs[1].chain, "nat4-10_88_0_0-16-o1234abcd");
	assert_int_equal(st.nlocalnets, 2);
	assert_int_equal(st.localnets[0].old, 1);
	assert_int_equal(st.localnets[1].old, 0);
	assert_int_equal(st.nchains, 2);
	assert_string_equal(st.chains[1].name, "nat4-10_88_0_0-16-o1234abcd");
	assert_int_equal(st.chains[1].plen, 16);
	assert_int_equal(st.chains[1].nout, 2);
	assert_string_equal(st.chains[1].out[1], "eth1");
	nat_state_free(&st);
	/* no table */
	assert_int_equal(nat_state_parse(NULL, &st, &err), 0);
	assert_false(st.table);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_existing),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
