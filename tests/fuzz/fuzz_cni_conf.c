// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctutils-bridge's config reader (vethctl/cnibridge-conf.c) on any JSON
 * document, with what the operations rely on: a bridge name the kernel
 * takes, MTU and VLAN in range, no hairpin with promisc, no IPAM without a
 * container interface, ports 1..65535 of a known protocol, and every
 * refusal a CNI error of code 2, 6 or 7.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "fuzz.h"
#include "vethctl/cni.h"

static void check(const struct bridge_conf *c)
{
	size_t n = strlen(c->bridge);

	if (n == 0 || n > 15 || strchr(c->bridge, '/') || strchr(c->bridge, ':'))
		abort();
	if ((c->mtu && (c->mtu < 68 || c->mtu > 65535)) || c->vlan > 4094)
		abort();
	if ((c->hairpin && c->promisc) || (c->ipam_type && c->disable_container_iface) ||
	    (c->vlan && c->is_gw) || (c->is_default_gw && !c->is_gw))
		abort();
	for (size_t i = 0; i < c->nports; i++) {
		const struct bridge_portmap *p = &c->ports[i];

		if (!p->host_port || p->host_port > 65535 || !p->container_port ||
		    p->container_port > 65535)
			abort();
		if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP && p->proto != IPPROTO_SCTP)
			abort();
		/* a specific host address has its family */
		if (!p->host_any && p->host_family != AF_INET && p->host_family != AF_INET6)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	ctu_err_t err = NULL;
	json_t *conf = ctu_json_parse(s, strlen(s), "stdin", &err);
	struct bridge_conf c;
	/* the CNI_ARGS MAC too: the text's first line, when it is short */
	char mac[20] = "";

	ctu_err_free(&err);
	if (conf) {
		sscanf(s, "%19[^\n]", mac);
		if (bridge_conf_parse(conf, strlen(mac) == 17 ? mac : NULL, &c, &err) == 0)
			check(&c);
		else if (!err || (err->code != 2 && err->code != 6 && err->code != 7))
			abort();
		bridge_conf_free(&c);
		ctu_err_free(&err);
		json_decref(conf);
	}
	free(s);
	return 0;
}
