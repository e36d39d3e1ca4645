// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vethctl's SPEC and PSPEC parser (vethctl/spec.c) on the same input, with
 * the invariants the commands rely on: ports 1..65535 and not reversed,
 * both ranges of one length, one family both sides, and a text that nft
 * reads back as the same address.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "vethctl/nat.h"

static void check(const struct spec *s)
{
	char t[INET6_ADDRSTRLEN];
	struct ipaddr back;

	if (s->port == 0 || s->port_end < s->port)
		abort();
	if (s->has_tport &&
	    (s->tport == 0 || s->tport_end < s->tport || s->tport_end - s->tport != s->port_end - s->port))
		abort();
	if (s->has_target) {
		if (s->target.family != s->host.family)
			abort();
		if (ip_parse(ip_text(&s->target, t), &back) < 0 || !ip_equal(&back, &s->target))
			abort();
	}
	if (!s->any && (ip_parse(ip_text(&s->host, t), &back) < 0 || !ip_equal(&back, &s->host)))
		abort();
	if (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP && s->proto != IPPROTO_SCTP)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char why[256];
	struct spec sp;
	struct ipaddr a = { .family = AF_INET, .b = { 10, 88, 0, 2 } };

	for (int k = SPEC_PUBLISH; k <= SPEC_CONNECT; k++)
		if (spec_parse(s, (enum spec_kind)k, &sp, why, sizeof(why)) == 0) {
			if (k == SPEC_CONNECT && spec_set_target(&sp, &a, why, sizeof(why)) < 0)
				continue;
			check(&sp);
		}
	owner_valid(s);
	ifname_plain(s);
	free(s);
	return 0;
}
