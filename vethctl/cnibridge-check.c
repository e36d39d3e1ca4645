// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnibridge-check.c - ctutils-bridge's CHECK (the links, addresses and
 * routes of prevResult still there, the mappings, IPAM's CHECK), STATUS
 * and GC.  The attachment and its helpers are cnibridge.c's.
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

/* ---- CHECK -------------------------------------------------------------------------- */

/* An interface of prevResult. */
struct prev_if {
	const char *name, *mac, *sandbox;
};

static void prev_if_read(json_t *o, struct prev_if *out)
{
	out->name = json_string_value(json_object_get(o, "name"));
	out->mac = json_string_value(json_object_get(o, "mac"));
	out->sandbox = json_string_value(json_object_get(o, "sandbox"));
	if (out->mac && !*out->mac)
		out->mac = NULL;
	if (out->sandbox && !*out->sandbox)
		out->sandbox = NULL;
}

/* The reference's validateInterface: named, present on @s, in a sandbox or not as expected. */
static int check_present(struct nlsock *s, const struct prev_if *i, bool in_sandbox,
			 struct rtnl_link **l, ctu_err_t *err)
{
	if (!i->name || !*i->name)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "Interface name missing ");
	if (link_get(s, i->name, l) < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "Interface name %s not found", i->name);
	if (in_sandbox && !i->sandbox)
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "Interface %s is expected to be in a sandbox", i->name);
	if (!in_sandbox && i->sandbox)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "Interface %s should not be in sandbox",
			       i->name);
	return 0;
}

static bool mac_differs(struct rtnl_link *l, const char *want)
{
	char mac[18];

	link_mac(l, mac, sizeof(mac));
	return want && strcasecmp(want, mac);
}

/* The bridge: there, a bridge, its MAC, its promiscuous mode as configured. */
static int check_bridge(struct attachment *a, const struct prev_if *i, int *index, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	bool promisc;

	if (check_present(&a->v.host, i, false, &l, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(link_kind(l), "bridge"))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "Interface %s does not have link type of bridge", i->name);
	if (mac_differs(l, i->mac))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "Bridge interface %s Mac doesn't match: %s",
			       i->name, i->mac);
	promisc = rtnl_link_get_flags(l) & IFF_PROMISC;
	if (promisc != a->c.promisc)
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "Bridge interface %s configured Promisc Mode %s doesn't match current "
			       "state: %s ",
			       i->name, a->c.promisc ? "true" : "false", promisc ? "true" : "false");
	*index = rtnl_link_get_ifindex(l);
	return 0;
}

/* IFNAME in the container: a veth, its MAC; its host end's name by its peer. */
static int check_container_end(struct attachment *a, const struct prev_if *i, char *peer,
			       ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	char mac[18];

	if (check_present(&a->cs, i, true, &l, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(link_kind(l), "veth"))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "Error: Container interface %s not of type veth", i->name);
	link_mac(l, mac, sizeof(mac));
	if (mac_differs(l, i->mac))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "Interface %s Mac %s doesn't match container Mac: %s", i->name, i->mac,
			       mac);
	if (!veth_peer_here(&a->v.host, l, peer))
		peer[0] = '\0';
	return 0;
}

/* The host end among the other interfaces: the container end's peer, on the bridge. */
static int check_host_end(struct attachment *a, json_t *ifs, const char *peer, int bridx,
			  ctu_err_t *err)
{
	json_t *o;
	size_t k;

	json_array_foreach(ifs, k, o) {
		_cleanup_link_ struct rtnl_link *l = NULL;
		struct prev_if i;

		prev_if_read(o, &i);
		if (i.name && (!strcmp(i.name, a->c.bridge) || !strcmp(i.name, a->r->ifname)))
			continue;
		if (check_present(&a->v.host, &i, false, &l, err) < 0)
			return ctu_err_code(*err);
		if (strcmp(link_kind(l), "veth") || strcmp(i.name, peer) ||
		    rtnl_link_get_master(l) != bridx)
			continue; /* not what we made: skipped, as the reference does */
		if (mac_differs(l, i.mac))
			return cni_err(err, CNI_ERR_INTERNAL, NULL,
				       "Interface %s Mac doesn't match: %s not found", i.name, i.mac);
		return 0;
	}
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "CNI veth created for bridge %s was not found",
		       a->c.bridge);
}

/* Each address of prevResult on IFNAME, with the route to its prefix. */
static int check_addresses(struct attachment *a, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	char t[INET6_ADDRSTRLEN + 8];

	if (link_get(&a->cs, a->r->ifname, &l) < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "Cannot find container link %s",
			       a->r->ifname);
	for (size_t i = 0; i < a->nips; i++) {
		size_t n = 0;
		struct link_addr *have =
		    link_addrs_of(&a->cs, rtnl_link_get_ifindex(l), a->ips[i].ip.family, &n);
		bool found = false;

		for (size_t k = 0; k < n && !found; k++)
			found = ip_equal(&have[k].ip, &a->ips[i].ip) && have[k].plen == a->ips[i].plen;
		free(have);
		if (!found) {
			ip_cidr_text(&a->ips[i].ip, a->ips[i].plen, t, sizeof(t));
			return cni_err(err, CNI_ERR_INTERNAL, NULL,
				       "Failed to match addr %s on interface %s", t, a->r->ifname);
		}
	}
	return 0;
}

/* A route of the container's main table with destination @d/@dl (and gateway @gw unless default). */
static bool route_present(struct nl_cache *cache, const struct ipaddr *d, unsigned int dl,
			  const struct ipaddr *gw)
{
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(rt);
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
		struct nl_addr *g = nh ? rtnl_route_nh_get_gateway(nh) : NULL;
		struct ipaddr rd = { .family = rtnl_route_get_family(rt) }, rg = { .family = d->family };

		if (rd.family != d->family || rtnl_route_get_table(rt) != RT_TABLE_MAIN || !dst ||
		    (unsigned int)nl_addr_get_prefixlen(dst) != dl)
			continue;
		if (nl_addr_get_len(dst) == (d->family == AF_INET ? 4u : 16u))
			memcpy(rd.b, nl_addr_get_binary_addr(dst), nl_addr_get_len(dst));
		if (dl && !ip_equal(&rd, d))
			continue;
		if (dl == 0 || (!gw && !g))
			return true;
		if (gw && g && nl_addr_get_len(g) == (d->family == AF_INET ? 4u : 16u)) {
			memcpy(rg.b, nl_addr_get_binary_addr(g), nl_addr_get_len(g));
			if (ip_equal(&rg, gw))
				return true;
		}
	}
	return false;
}

/* Each route of prevResult in the container's table, and each address's prefix route. */
static int check_routes(struct attachment *a, json_t *routes, ctu_err_t *err)
{
	struct nl_cache *cache = NULL;
	json_t *rt;
	size_t i;
	int r = 0;

	if (rtnl_route_alloc_cache(a->cs.sk, AF_UNSPEC, 0, &cache) < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "Cannot obtain the routes of %s",
			       a->r->netns);
	for (size_t k = 0; k < a->nips && r == 0; k++) {
		struct ipaddr net;

		ip_network(&a->ips[k].ip, a->ips[k].plen, &net);
		if (!route_present(cache, &net, a->ips[k].plen, NULL) &&
		    !route_present(cache, &net, a->ips[k].plen, &a->ips[k].gw))
			r = cni_err(err, CNI_ERR_INTERNAL, NULL,
				    "Failed to find Gateway %s for interface %s",
				    a->ips[k].has_gw ? ip_text(&a->ips[k].gw, (char[INET6_ADDRSTRLEN]){ 0 })
						     : "<nil>",
				    a->r->ifname);
	}
	json_array_foreach(routes, i, rt) {
		const char *dst = json_string_value(json_object_get(rt, "dst"));
		const char *gw = json_string_value(json_object_get(rt, "gw"));
		struct ipaddr d, g;
		unsigned int dl;

		if (r < 0)
			break;
		if (ip_cidr_parse(dst, &d, &dl) < 0 || (gw && ip_cidr_parse(gw, &g, NULL) < 0))
			r = cni_err(err, CNI_ERR_INTERNAL, NULL, "Invalid static route found %s",
				    dst ? dst : "(none)");
		else if (!route_present(cache, &d, dl, gw ? &g : NULL))
			r = cni_err(err, CNI_ERR_INTERNAL, NULL,
				    "Expected Route {Dst:%s GW:%s} not found in routing table", dst,
				    gw ? gw : "<nil>");
	}
	nl_cache_free(cache);
	return r;
}

/* The prevResult's interfaces that are ours: the bridge and IFNAME in this sandbox. */
static void find_ours(struct attachment *a, json_t *ifs, struct prev_if *br, struct prev_if *cont)
{
	json_t *o;
	size_t k;

	memset(br, 0, sizeof(*br));
	memset(cont, 0, sizeof(*cont));
	json_array_foreach(ifs, k, o) {
		struct prev_if i;

		prev_if_read(o, &i);
		if (i.name && !strcmp(i.name, a->c.bridge))
			*br = i;
		else if (i.name && !strcmp(i.name, a->r->ifname) && i.sandbox &&
			 !strcmp(i.sandbox, a->r->netns))
			*cont = i;
	}
}

static int check_links(struct attachment *a, json_t *prev, ctu_err_t *err)
{
	json_t *ifs = json_object_get(prev, "interfaces");
	struct prev_if br, cont;
	char peer[IFNAMSIZ] = "";
	int bridx = 0;

	find_ours(a, ifs, &br, &cont);
	if (check_bridge(a, &br, &bridx, err) < 0)
		return ctu_err_code(*err);
	if (!cont.sandbox || strcmp(cont.sandbox, a->r->netns))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "Sandbox in prevResult %s doesn't match configured netns: %s",
			       cont.sandbox ? cont.sandbox : "", a->r->netns);
	if (container_socket(a, err) < 0 || check_container_end(a, &cont, peer, err) < 0 ||
	    check_host_end(a, ifs, peer, bridx, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

int bridge_check(struct cni_req *r, ctu_err_t *err)
{
	_cleanup_(attachment_free) struct attachment a = { .undo = CTU_UNDO_INIT };
	_cleanup_json_ json_t *prev = NULL;
	json_t *none = NULL;
	int e;

	if (attachment_open(&a, r, err) < 0)
		return ctu_err_code(*err);
	if (!a.c.prev_result)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "Required prevResult missing");
	prev = cni_result_from(a.c.prev_result, err);
	if (!prev)
		return ctu_err_code(*err);
	if (a.c.ipam_type) {
		e = ipam_run(r, CNI_CHECK, &none, err);
		json_decref(none);
		if (e < 0)
			return e;
	}
	if (read_ips(&a, json_object_get(prev, "ips"), err) < 0 || check_links(&a, prev, err) < 0 ||
	    check_addresses(&a, err) < 0 || check_routes(&a, json_object_get(prev, "routes"), err) < 0 ||
	    bridge_nft_check(&a, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

/* ---- STATUS, GC ---------------------------------------------------------------------- */

int bridge_status(struct cni_req *r, ctu_err_t *err)
{
	_cleanup_(attachment_free) struct attachment a = { .undo = CTU_UNDO_INIT };
	json_t *none = NULL;
	int e;

	if (attachment_open(&a, r, err) < 0)
		return ctu_err_code(*err);
	if (bridge_nft_status(&a.v, err) < 0)
		return cni_err(err, CNI_ERR_NOT_READY, (*err)->msg, "nftables is not usable");
	if (!a.c.ipam_type)
		return 0;
	e = ipam_run(r, CNI_STATUS, &none, err);
	json_decref(none);
	return e;
}

/* Two failures of GC said as one error: the first's code, both messages. */
static int gc_errors(ctu_err_t *err, ctu_err_t *nft_err, ctu_err_t *ipam_err)
{
	_cleanup_free_ char *a = *nft_err ? ctu_err_format(*nft_err) : NULL;
	_cleanup_free_ char *b = *ipam_err ? ctu_err_format(*ipam_err) : NULL;
	int code = *nft_err ? (*nft_err)->code : (*ipam_err)->code;

	return cni_err(err, code ? code : CNI_ERR_INTERNAL, NULL, "gc: %s%s%s", a ? a : "",
		       a && b ? "; " : "", b ? b : "");
}

int bridge_gc(struct cni_req *r, ctu_err_t *err)
{
	_cleanup_(attachment_free) struct attachment a = { .undo = CTU_UNDO_INIT };
	_cleanup_err_ ctu_err_t nft_err = NULL, ipam_err = NULL;
	_cleanup_free_ char(*keys)[OWNER_MAX + 1] = NULL;
	json_t *none = NULL;

	if (attachment_open(&a, r, err) < 0)
		return ctu_err_code(*err);
	keys = calloc(r->nvalid + 1, sizeof(*keys));
	if (!keys)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < r->nvalid; i++)
		cni_owner_key(r->name, r->valid[i].containerid, r->valid[i].ifname, keys[i],
			      sizeof(keys[i]));
	/* both, whatever the first did: each leak is one to reclaim */
	bridge_nft_gc(&a.v, r->name, keys, r->nvalid, &nft_err);
	if (a.c.ipam_type)
		ipam_run(r, CNI_GC, &none, &ipam_err);
	json_decref(none);
	if (nft_err || ipam_err)
		return gc_errors(err, &nft_err, &ipam_err);
	return 0;
}
