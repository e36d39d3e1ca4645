// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnibridge-inside.c - ctutils-bridge's work inside the container's network
 * namespace, on ADD: its sysctls (DAD, arp_notify, IPv6 where v6 addresses
 * go), the IPAM result's addresses (IPv4 with their broadcast) and routes
 * with protocol boot, as the reference's netlink library makes them, and
 * IFNAME up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnibridge.h"
#include "ctu.h"
#include "json.h"
#include "netns.h"

/* ---- inside the container -------------------------------------------------------- */

struct inside_sysctls {
	const struct attachment *a;
	bool v6;
	ctu_err_t err;
};

/* In CNI_NETNS (on this thread): DAD, arp_notify, and IPv6 on where v6 addresses go. */
static int container_sysctls_in(void *arg)
{
	struct inside_sysctls *s = arg;
	const char *ifname = s->a->r->ifname;
	const char *names[2] = { "lo", ifname };
	char path[IFNAMSIZ + 40];

	/* as the reference: a sysctl missing (no IPv6) is not a failure */
	if (s->a->c.enabledad) {
		snprintf(path, sizeof(path), "ipv6/conf/%s/enhanced_dad", ifname);
		sysctl_set(path, 1);
	}
	snprintf(path, sizeof(path), "ipv6/conf/%s/accept_dad", ifname);
	sysctl_set(path, s->a->c.enabledad ? 1 : 0);
	snprintf(path, sizeof(path), "ipv4/conf/%s/arp_notify", ifname);
	sysctl_set(path, 1);
	for (size_t i = 0; s->v6 && i < 2; i++) {
		int old, e;

		snprintf(path, sizeof(path), "ipv6/conf/%s/disable_ipv6", names[i]);
		old = sysctl_get(path);
		if (old <= 0)
			continue;
		e = sysctl_set(path, 0);
		if (e < 0)
			return cni_err(&s->err, CNI_ERR_INTERNAL, NULL,
				       "failed to enable IPv6 for interface \"%s\" (net/%s=%d): %s",
				       names[i], path, old, strerror(-e));
	}
	return 0;
}

static int container_sysctls(struct attachment *a, ctu_err_t *err)
{
	struct inside_sysctls s = { .a = a };
	int r;

	for (size_t i = 0; i < a->nips; i++)
		s.v6 |= a->ips[i].ip.family == AF_INET6;
	r = ctu_netns_call(a->r->nsfd, container_sysctls_in, &s);
	if (r == -ENOTRECOVERABLE)
		abort(); /* this thread is left in the container's namespace: never go on there */
	if (s.err) {
		*err = s.err;
		return ctu_err_code(*err);
	}
	if (r < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "cannot enter %s: %s", a->r->netns,
			       strerror(-r));
	return 0;
}

struct nl_addr *nl_ip(const struct ipaddr *ip, unsigned int plen)
{
	struct nl_addr *a = nl_addr_build(ip->family, ip->b, ip->family == AF_INET ? 4 : 16);

	if (a)
		nl_addr_set_prefixlen(a, (int)plen);
	return a;
}

/* Each address of the result on IFNAME, IPv4 ones with their broadcast address (vishvananda's AddrAdd). */
static int container_addresses(struct attachment *a, int ifindex, ctu_err_t *err)
{
	char t[INET6_ADDRSTRLEN + 8], what[INET6_ADDRSTRLEN + 64];

	for (size_t i = 0; i < a->nips; i++) {
		_cleanup_nladdr_ struct nl_addr *na = nl_ip(&a->ips[i].ip, a->ips[i].plen);
		int r;

		if (!na)
			return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
		r = address_change(&a->cs, ifindex, na, true, false);
		if (r < 0) {
			ip_cidr_text(&a->ips[i].ip, a->ips[i].plen, t, sizeof(t));
			snprintf(what, sizeof(what), "failed to add IP addr %s to \"%s\"", t,
				 a->r->ifname);
			return kernel_err(&a->cs, r, err, what);
		}
	}
	return 0;
}

/* The first gateway of @family among the addresses: a route without "gw" goes through it. */
static const struct ipaddr *family_gw(const struct attachment *a, int family)
{
	for (size_t i = 0; i < a->nips; i++)
		if (a->ips[i].ip.family == family && a->ips[i].has_gw)
			return &a->ips[i].gw;
	return NULL;
}

static unsigned int route_uint(json_t *rt, const char *key)
{
	json_t *v = json_object_get(rt, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (unsigned int)json_integer_value(v)
							      : 0;
}

/* One route of the result: protocol boot, scope universe unless said (vishvananda's defaults). */
static int container_route(struct attachment *a, int ifindex, json_t *rt, ctu_err_t *err)
{
	const char *dst = json_string_value(json_object_get(rt, "dst"));
	const char *gw = json_string_value(json_object_get(rt, "gw"));
	struct ipaddr d, g;
	unsigned int dl;
	const struct ipaddr *via;
	_cleanup_nladdr_ struct nl_addr *nd = NULL, *ng = NULL;
	json_t *scope = json_object_get(rt, "scope");
	struct route_spec spec = { .dev = ifindex, .protocol = RTPROT_BOOT,
				   .scope = json_is_integer(scope) ? (int)json_integer_value(scope)
								   : RT_SCOPE_UNIVERSE,
				   .table = route_uint(rt, "table"),
				   .priority = route_uint(rt, "priority"),
				   .mtu = route_uint(rt, "mtu"), .advmss = route_uint(rt, "advmss") };
	char what[256];
	int r;

	if (ip_cidr_parse(dst, &d, &dl) < 0 || (gw && ip_cidr_parse(gw, &g, NULL) < 0))
		return cni_err(err, CNI_ERR_DECODE, NULL, "IPAM result: invalid route %s via %s",
			       dst ? dst : "(none)", gw ? gw : "(none)");
	via = gw ? &g : family_gw(a, d.family);
	nd = nl_ip(&d, dl);
	ng = via ? nl_ip(via, via->family == AF_INET ? 32 : 128) : NULL;
	if (!nd || (via && !ng))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	spec.dst = nd;
	spec.gw = ng;
	r = route_send(&a->cs, &spec, false);
	if (r < 0) {
		snprintf(what, sizeof(what), "failed to add route '%s via %s dev %s'", dst,
			 via ? ip_text(via, (char[INET6_ADDRSTRLEN]){ 0 }) : "<nil>", a->r->ifname);
		return kernel_err(&a->cs, r, err, what);
	}
	return 0;
}

/* ConfigureIface: addresses, up, routes (after up: a gateway needs the link's prefix route). */
int configure_container(struct attachment *a, json_t *result, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	json_t *routes = json_object_get(result, "routes"), *rt;
	char what[64];
	size_t i;
	int r, idx;

	if (container_sysctls(a, err) < 0)
		return ctu_err_code(*err);
	r = link_get(&a->cs, a->r->ifname, &l);
	if (r < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to lookup \"%s\": %s",
			       a->r->ifname, strerror(-r));
	idx = rtnl_link_get_ifindex(l);
	if (container_addresses(a, idx, err) < 0)
		return ctu_err_code(*err);
	if ((r = bring_up(&a->cs, a->r->ifname)) < 0) {
		snprintf(what, sizeof(what), "failed to set \"%s\" UP", a->r->ifname);
		return kernel_err(&a->cs, r, err, what);
	}
	json_array_foreach(routes, i, rt)
		if (container_route(a, idx, rt, err) < 0)
			return ctu_err_code(*err);
	return 0;
}

/* Layer 2 only (no IPAM): the container's end up, nothing else. */
int container_up(struct attachment *a, ctu_err_t *err)
{
	char what[64];
	int r;

	if (a->c.disable_container_iface)
		return 0;
	if ((r = bring_up(&a->cs, a->r->ifname)) < 0) {
		snprintf(what, sizeof(what), "failed to set \"%s\" up", a->r->ifname);
		return kernel_err(&a->cs, r, err, what);
	}
	return 0;
}

