// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnibridge.c - ctutils-bridge's operations, the reference bridge plugin's
 * (containernetworking/plugins bridge, as Debian's 1.1.1 leaves the kernel)
 * done with vethctl's link work:
 *
 *   ADD    bridge (made or found) -> the veth pair in one RTM_NEWLINK from a
 *          socket in CNI_NETNS, the host end born in our namespace -> its
 *          port flags -> macspoofchk -> IPAM ADD -> the container's sysctls,
 *          addresses, up, routes -> the gateway on the bridge, forwarding ->
 *          ipMasq and portMappings (one nft transaction) -> the host end's
 *          oper state awaited.  A failure undoes it all in reverse; the
 *          bridge stays, as the reference leaves it.
 *   DEL    elements, IFNAME, IPAM DEL; never a failure for what is gone.
 *   CHECK  the links, addresses and routes of prevResult, the mappings, IPAM.
 *   STATUS nftables usable, IPAM ready.  GC elements and reservations not listed.
 *
 * Messages are the reference's where it has one (code 999, libcni's
 * ErrInternal), so a runtime that reads them sees what it knows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cnibridge.h"
#include "ctu.h"
#include "json.h"
#include "netns.h"

#define OPER_WAIT_MS 2000 /* the reference waits 2.55 s, by sleeping */
#define VETH_NAME_TRIES 10 /* as the reference's makeVeth */

/* The kernel's failure @r on @s as a 999 error "WHAT: why". */
int kernel_err(struct nlsock *s, int r, ctu_err_t *err, const char *what)
{
	sock_err(s, r, err, "%s", what);
	return cni_internal(err);
}

/* CTU_DEBUG=1: each step's end, in ms since the first (where an ADD spends its time). */
static void step(const char *what)
{
	static struct timespec t0;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!t0.tv_sec)
		t0 = now;
	ctu_debug("%s: %.1f ms", what,
		  (double)(now.tv_sec - t0.tv_sec) * 1e3 + (double)(now.tv_nsec - t0.tv_nsec) / 1e6);
}

/* ---- the attachment ------------------------------------------------------------ */

void attachment_free(struct attachment *a)
{
	ctu_undo_rollback(&a->undo); /* nothing, once forgotten */
	free(a->ips);
	bridge_conf_free(&a->c);
	sock_close(&a->cs);
	sock_close(&a->v.host);
}

/* The config and the host's socket: what every operation needs. */
int attachment_open(struct attachment *a, struct cni_req *r, ctu_err_t *err)
{
	a->r = r;
	a->cs = (struct nlsock)NLSOCK_INIT;
	a->v.host = (struct nlsock)NLSOCK_INIT;
	if (bridge_conf_parse(r->conf, r->args.mac, &a->c, err) < 0)
		return ctu_err_code(*err);
	if (r->containerid && r->ifname) {
		cni_owner(r->name, r->containerid, r->ifname, a->owner, sizeof(a->owner));
		cni_owner_key(r->name, r->containerid, r->ifname, a->key, sizeof(a->key));
	}
	if (sock_open(&a->v.host, NULL, err) < 0)
		return cni_internal(err);
	return 0;
}

/* A socket in CNI_NETNS, by the fd cni.c checked (never by its path again). */
int container_socket(struct attachment *a, ctu_err_t *err)
{
	char spec[32];

	snprintf(spec, sizeof(spec), "/proc/self/fd/%d", a->r->nsfd);
	if (sock_open(&a->cs, spec, err) < 0)
		return cni_internal(err);
	a->cs.nsname = a->r->netns;
	return 0;
}

static void mac_string(const unsigned char *mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

void link_mac(struct rtnl_link *l, char *buf, size_t size)
{
	struct nl_addr *a = rtnl_link_get_addr(l);

	if (a && nl_addr_get_len(a) == 6)
		mac_string(nl_addr_get_binary_addr(a), buf, size);
	else
		snprintf(buf, size, "%s", "");
}

/* ---- the bridge ------------------------------------------------------------------ */

static void set_promisc(struct rtnl_link *chg, void *arg)
{
	(void)arg;
	rtnl_link_set_flags(chg, IFF_PROMISC);
}

/* The bridge: made (MTU, name-derived MAC, vlan_filtering in the request), or found. */
static int ensure_bridge(struct attachment *a, ctu_err_t *err)
{
	const struct bridge_conf *c = &a->c;
	struct bridge_spec b = { .name = c->bridge, .mtu = c->mtu, .vlan_filtering = c->vlan != 0 };
	_cleanup_link_ struct rtnl_link *l = NULL;
	char path[IFNAMSIZ + 32];
	bool up = true;
	int r = bridge_create(&a->v.host, &b);

	/* EEXIST: made by another ADD meanwhile, or before; the kind says whether it serves */
	if (r < 0 && r != -EEXIST) {
		sock_err(&a->v.host, r, err, "could not add \"%s\"", c->bridge);
		ctu_err_wrap(err, "failed to create bridge \"%s\"", c->bridge);
		return cni_internal(err);
	}
	r = link_get(&a->v.host, c->bridge, &l);
	if (r < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "failed to create bridge \"%s\": could not lookup \"%s\": %s",
			       c->bridge, c->bridge, strerror(-r));
	if (strcmp(link_kind(l), "bridge"))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "failed to create bridge \"%s\": \"%s\" already exists but is not a bridge",
			       c->bridge, c->bridge);
	if (c->promisc && change_link(&a->v.host, c->bridge, set_promisc, NULL,
				      "could not set promiscuous mode on", err) < 0)
		return ctu_err_wrap(err, "failed to create bridge \"%s\"", c->bridge), cni_internal(err);
	/* we own the routes of this interface: no router advertisements */
	snprintf(path, sizeof(path), "ipv6/conf/%s/accept_ra", c->bridge);
	sysctl_set(path, 0);
	if (change_link(&a->v.host, c->bridge, set_up_flag, &up, "cannot bring up", err) < 0)
		return ctu_err_wrap(err, "failed to create bridge \"%s\"", c->bridge), cni_internal(err);
	return 0;
}

/* ---- the veth pair ------------------------------------------------------------- */

/* "veth" and 8 hex of FNV-1a over cid, ifname and the try: the same name for the same attachment. */
static void host_end_name(const struct cni_req *r, unsigned int salt, char *out, size_t size)
{
	uint64_t h = fnv1a64(r->containerid, strlen(r->containerid) + 1, FNV64_INIT);

	h = fnv1a64(r->ifname, strlen(r->ifname) + 1, h);
	h = fnv1a64(&salt, sizeof(salt), h);
	snprintf(out, size, "veth%08x", (unsigned int)(h ^ (h >> 32)));
}

static void mac_bytes(struct nl_addr *a, unsigned char *out)
{
	memcpy(out, nl_addr_get_binary_addr(a), 6);
}

/* One try at the pair with host end a->host_end: 0, -EEXIST (a name taken), or an error. */
static int try_veth(struct attachment *a, int hostns, ctu_err_t *err)
{
	const struct cni_req *r = a->r;
	_cleanup_nladdr_ struct nl_addr *hmac = mac_from_name(a->host_end, NULL);
	_cleanup_nladdr_ struct nl_addr *cmac = a->c.has_mac
							? nl_addr_build(AF_LLC, a->c.mac, 6)
							: mac_from_name(r->ifname, a->host_end);
	struct veth_spec v = { .name = r->ifname, .peer = a->host_end, .peer_nsfd = hostns,
			       .mac = cmac, .peer_mac = hmac, .mtu = a->c.mtu };

	if (!hmac || !cmac)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	mac_bytes(hmac, a->host_mac);
	mac_bytes(cmac, a->cont_mac);
	return create_veth(&a->cs, &v, &a->undo, err);
}

/* The pair: IFNAME in the container, the host end here, retried while a host name is taken. */
static int make_veth(struct attachment *a, ctu_err_t *err)
{
	const struct cni_req *r = a->r;
	_cleanup_close_ int hostns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_link_ struct rtnl_link *l = NULL;
	int e = -EEXIST;

	if (hostns < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "cannot open our network namespace: %s",
			       strerror(errno));
	if (link_get(&a->cs, r->ifname, &l) == 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "container veth name provided (%s) already exists", r->ifname);
	for (unsigned int salt = 0; salt < VETH_NAME_TRIES && e == -EEXIST; salt++) {
		_cleanup_link_ struct rtnl_link *h = NULL;

		host_end_name(r, salt, a->host_end, sizeof(a->host_end));
		ctu_err_free(err);
		e = try_veth(a, hostns, err);
		if (e == -EEXIST && link_get(&a->v.host, a->host_end, &h) != 0) {
			/* not the host end's name that was taken: the container's */
			return cni_err(err, CNI_ERR_INTERNAL, NULL,
				       "container veth name provided (%s) already exists",
				       r->ifname);
		}
	}
	if (e == -EEXIST)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to find a unique veth name");
	if (e < 0)
		return ctu_err_wrap(err, "failed to make veth pair"), cni_internal(err);
	return 0;
}

struct port_change {
	int master;
};

static void set_master_up(struct rtnl_link *chg, void *arg)
{
	rtnl_link_set_master(chg, ((struct port_change *)arg)->master);
	rtnl_link_set_flags(chg, IFF_UP);
}

/* The host end: up on the bridge, hairpin, isolation, VLAN; its index. */
static int setup_port(struct attachment *a, int *host_index, ctu_err_t *err)
{
	const struct bridge_conf *c = &a->c;
	_cleanup_link_ struct rtnl_link *h = NULL;
	struct port_change pc;
	struct port_flags f = { .hairpin = c->hairpin, .set_isolated = c->port_isolation,
				.isolated = c->port_isolation };
	char path[IFNAMSIZ + 32], what[128];
	int r;

	snprintf(path, sizeof(path), "ipv6/conf/%s/accept_ra", a->host_end);
	sysctl_set(path, 0);
	if ((pc.master = bridge_index(&a->v.host, c->bridge, err)) < 0 ||
	    change_link(&a->v.host, a->host_end, set_master_up, &pc, "failed to connect", err) < 0)
		return cni_internal(err);
	r = link_get(&a->v.host, a->host_end, &h);
	if (r < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to lookup \"%s\": %s", a->host_end,
			       strerror(-r));
	*host_index = rtnl_link_get_ifindex(h);
	if ((c->hairpin || c->port_isolation) &&
	    (r = bridge_port_set(&a->v.host, *host_index, &f)) < 0) {
		snprintf(what, sizeof(what), "failed to setup hairpin mode for %s", a->host_end);
		return kernel_err(&a->v.host, r, err, what);
	}
	if (c->vlan && !c->preserve_default_vlan &&
	    (r = bridge_port_vlan(&a->v.host, *host_index, 1, 0, true)) < 0 && r != -ENOENT) {
		snprintf(what, sizeof(what), "failed to remove default vlan on interface \"%s\"",
			 a->host_end);
		return kernel_err(&a->v.host, r, err, what);
	}
	if (c->vlan && (r = bridge_port_vlan(&a->v.host, *host_index, c->vlan,
					     BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED,
					     false)) < 0) {
		snprintf(what, sizeof(what), "failed to setup vlan tag on interface \"%s\"",
			 a->host_end);
		return kernel_err(&a->v.host, r, err, what);
	}
	return 0;
}

/* ---- IPAM ---------------------------------------------------------------------- */

static void ipam_undo(void *arg)
{
	struct attachment *a = arg;
	_cleanup_err_ ctu_err_t err = NULL;
	json_t *none = NULL;

	ipam_run(a->r, CNI_DEL, &none, &err);
	json_decref(none);
}

/* "10.88.0.2/24" (@plen NULL: no prefix) into @ip: addr.c's syntax, as an ipaddr. */
int ip_cidr_parse(const char *s, struct ipaddr *ip, unsigned int *plen)
{
	struct cidr c;

	if (!s || parse_cidr(s, plen != NULL, &c) < 0 || (!plen && c.has_prefix))
		return -EINVAL;
	ip->family = c.family;
	memcpy(ip->b, c.addr.bytes, sizeof(ip->b));
	if (plen)
		*plen = c.prefix;
	return 0;
}

/* The "ips" of the IPAM result as the container's addresses. */
int read_ips(struct attachment *a, json_t *ips, ctu_err_t *err)
{
	json_t *e;
	size_t i;

	a->ips = calloc(json_array_size(ips) + 1, sizeof(*a->ips));
	if (!a->ips)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	json_array_foreach(ips, i, e) {
		struct cni_ip *ip = &a->ips[a->nips];
		const char *addr = json_string_value(json_object_get(e, "address"));
		const char *gw = json_string_value(json_object_get(e, "gateway"));

		if (ip_cidr_parse(addr, &ip->ip, &ip->plen) < 0)
			return cni_err(err, CNI_ERR_DECODE, NULL, "IPAM result: invalid address %s",
				       addr ? addr : "(none)");
		if (gw && ip_cidr_parse(gw, &ip->gw, NULL) < 0)
			return cni_err(err, CNI_ERR_DECODE, NULL, "IPAM result: invalid gateway %s", gw);
		ip->has_gw = gw != NULL;
		if (ip->has_gw && ip->gw.family != ip->ip.family)
			return cni_err(err, CNI_ERR_DECODE, NULL,
				       "IPAM result: gateway %s of another family than %s", gw, addr);
		a->nips++;
	}
	return 0;
}

void ip_cidr_text(const struct ipaddr *ip, unsigned int plen, char *buf, size_t size)
{
	char t[INET6_ADDRSTRLEN];

	snprintf(buf, size, "%s/%u", ip_text(ip, t), plen);
}

/* The first address after the network's: the reference's gateway when none is given. */
static void next_to_network(const struct cni_ip *ip, struct ipaddr *out)
{
	size_t len = ip->ip.family == AF_INET ? 4 : 16;

	ip_network(&ip->ip, ip->plen, out);
	for (size_t i = len; i-- > 0;)
		if (++out->b[i])
			break;
}

/*
 * The reference's calcGateways: every address on interface 2 (the
 * container's), a gateway computed where isGateway needs one, and with
 * isDefaultGateway a default route per family unless one with a gateway
 * is there.  The result's "ips" and "routes" are rewritten.
 */
static int calc_gateways(struct attachment *a, json_t *result, ctu_err_t *err)
{
	json_t *ips = json_array(), *routes = json_object_get(result, "routes");
	bool found[2] = { false, false };
	char t[INET6_ADDRSTRLEN + 8];

	if (!ips)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	if (!json_is_array(routes)) {
		routes = json_array();
		json_object_set_new(result, "routes", routes);
	}
	for (size_t i = 0; i < a->nips; i++) {
		struct cni_ip *ip = &a->ips[i];
		bool v6 = ip->ip.family == AF_INET6;
		const char *def = v6 ? "::/0" : "0.0.0.0/0";
		json_t *e = json_object();

		if (!ip->has_gw && a->c.is_gw) {
			next_to_network(ip, &ip->gw);
			ip->has_gw = true;
		}
		ip_cidr_text(&ip->ip, ip->plen, t, sizeof(t));
		json_object_set_new(e, "address", json_string(t));
		if (ip->has_gw)
			json_object_set_new(e, "gateway", json_string(ip_text(&ip->gw, t)));
		json_object_set_new(e, "interface", json_integer(2));
		json_array_append_new(ips, e);
		if (!a->c.is_default_gw || found[v6])
			continue;
		size_t k;
		json_t *rt;
		json_array_foreach(routes, k, rt) {
			struct ipaddr d;
			unsigned int dl;

			if (json_object_get(rt, "gw") &&
			    ip_cidr_parse(json_string_value(json_object_get(rt, "dst")), &d, &dl) == 0 &&
			    d.family == ip->ip.family && dl == 0)
				found[v6] = true;
		}
		if (!found[v6]) {
			json_t *nr = json_pack("{s:s}", "dst", def);

			if (nr && ip->has_gw)
				json_object_set_new(nr, "gw", json_string(ip_text(&ip->gw, t)));
			json_array_append_new(routes, nr);
			found[v6] = true;
		}
	}
	json_object_set_new(result, "ips", ips);
	return 0;
}

/* IPAM ADD (and its DEL on a later failure); the result's addresses read. */
static int run_ipam(struct attachment *a, json_t **result, ctu_err_t *err)
{
	json_t *ips;

	if (ipam_run(a->r, CNI_ADD, result, err) < 0)
		return ctu_err_code(*err); /* a delegate's error, unchanged */
	if (ctu_undo_call(&a->undo, ipam_undo, a, err) < 0)
		return cni_internal(err);
	ips = json_object_get(*result, "ips");
	if (!json_is_array(ips) || !json_array_size(ips))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "IPAM plugin returned missing IP config");
	if (read_ips(a, ips, err) < 0)
		return ctu_err_code(*err);
	return calc_gateways(a, *result, err);
}

/* ---- the gateway on the bridge ---------------------------------------------------- */

static void set_mac_self(struct rtnl_link *chg, void *mac)
{
	rtnl_link_set_addr(chg, mac);
}

/*
 * The reference's ensureAddr: @gw/@plen on the bridge.  Another IPv4
 * address, or an overlapping IPv6 one, is an error unless forceAddress
 * (then it goes).  The bridge's MAC is then set to itself, so that it no
 * longer follows its ports'.
 */
static int ensure_gateway(struct attachment *a, int bridx, const struct ipaddr *gw,
			  unsigned int plen, ctu_err_t *err)
{
	struct nlsock *s = &a->v.host;
	size_t n = 0;
	struct link_addr *have = link_addrs_of(s, bridx, gw->family, &n);
	_cleanup_nladdr_ struct nl_addr *want = nl_ip(gw, plen);
	_cleanup_link_ struct rtnl_link *br = NULL;
	char t[INET6_ADDRSTRLEN + 8], what[128];
	int r = 0;

	ip_cidr_text(gw, plen, t, sizeof(t));
	for (size_t i = 0; i < n && r == 0; i++) {
		unsigned int p = have[i].plen < plen ? have[i].plen : plen;

		if (ip_equal(&have[i].ip, gw) && have[i].plen == plen)
			goto done; /* there already */
		if (gw->family == AF_INET6 && !ip_in(gw, &have[i].ip, p))
			continue;
		if (!a->c.force_address) {
			r = cni_err(err, CNI_ERR_INTERNAL, NULL,
				    "failed to set bridge addr: \"%s\" already has an IP address "
				    "different from %s",
				    a->c.bridge, t);
			goto done;
		}
		_cleanup_nladdr_ struct nl_addr *old = nl_ip(&have[i].ip, have[i].plen);

		if (!old) {
			r = cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
			goto done;
		}
		if ((r = address_change(s, bridx, old, false, true)) < 0) {
			snprintf(what, sizeof(what),
				 "failed to set bridge addr: could not remove IP address from \"%s\"",
				 a->c.bridge);
			r = kernel_err(s, r, err, what);
			goto done;
		}
	}
	if (!want) {
		r = cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
		goto done;
	}
	r = address_change(s, bridx, want, true, false);
	if (r < 0 && sock_errno(s, r) != EEXIST) {
		snprintf(what, sizeof(what),
			 "failed to set bridge addr: could not add IP address %s to \"%s\"", t,
			 a->c.bridge);
		r = kernel_err(s, r, err, what);
		goto done;
	}
	r = link_get(s, a->c.bridge, &br);
	if (r == 0 && rtnl_link_get_addr(br))
		r = change_link(s, a->c.bridge, set_mac_self, rtnl_link_get_addr(br),
				"failed to set bridge addr: could not set bridge's mac:", err);
	r = r < 0 ? cni_internal(err) : 0;
done:
	free(have);
	return r;
}

/* isGateway: each gateway on the bridge with its address's prefix, and forwarding of its family. */
static int gateway_on_bridge(struct attachment *a, ctu_err_t *err)
{
	int bridx;
	bool fwd[2] = { false, false };

	if (!a->c.is_gw)
		return 0;
	bridx = bridge_index(&a->v.host, a->c.bridge, err);
	if (bridx < 0)
		return cni_internal(err);
	for (int pass = 0; pass < 2; pass++) /* IPv4 first, as the reference */
		for (size_t i = 0; i < a->nips; i++) {
			const struct cni_ip *ip = &a->ips[i];

			if ((ip->ip.family == AF_INET6) != pass || !ip->has_gw)
				continue;
			if (ensure_gateway(a, bridx, &ip->gw, ip->plen, err) < 0)
				return ctu_err_code(*err);
			fwd[pass] = true;
		}
	if ((fwd[0] && sysctl_get("ipv4/ip_forward") != 1 && sysctl_set("ipv4/ip_forward", 1) < 0) ||
	    (fwd[1] && sysctl_get("ipv6/conf/all/forwarding") != 1 &&
	     sysctl_set("ipv6/conf/all/forwarding", 1) < 0))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to enable forwarding: %s",
			       strerror(errno));
	return 0;
}

/* ---- the result ------------------------------------------------------------------ */

static const char *const oper_names[] = { "unknown", "notpresent", "down", "lowerlayerdown",
					  "testing", "dormant", "up" };

/* {name, mac, mtu?, sandbox?} of link @name on @s. */
static json_t *interface_json(struct nlsock *s, const char *name, const char *sandbox)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	char mac[18] = "";
	json_t *o;

	if (link_get(s, name, &l) < 0)
		return NULL;
	link_mac(l, mac, sizeof(mac));
	o = json_pack("{s:s,s:s,s:i}", "name", name, "mac", mac, "mtu",
		      (json_int_t)rtnl_link_get_mtu(l));
	if (o && sandbox)
		json_object_set_new(o, "sandbox", json_string(sandbox));
	return o;
}

/* conf.dns as Go prints types.DNS: the four known keys, empty ones left out. */
static json_t *dns_json(json_t *dns)
{
	static const char *const keys[] = { "nameservers", "domain", "search", "options" };
	json_t *out = json_object();

	for (size_t i = 0; out && i < CTU_ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(dns, keys[i]);

		if ((json_is_string(v) && *json_string_value(v)) ||
		    (json_is_array(v) && json_array_size(v)))
			json_object_set(out, keys[i], v);
	}
	return out;
}

/* interfaces [bridge, host end, IFNAME in its sandbox], ips, routes, dns: as the reference. */
static int build_result(struct attachment *a, json_t *ipam, json_t **result, ctu_err_t *err)
{
	json_t *res = json_object(), *ifs = json_array();
	json_t *br = interface_json(&a->v.host, a->c.bridge, NULL);
	json_t *host = interface_json(&a->v.host, a->host_end, NULL);
	json_t *cont = interface_json(&a->cs, a->r->ifname, a->r->netns);

	if (!res || !ifs || !br || !host || !cont) {
		json_decref(res);
		json_decref(ifs);
		json_decref(br);
		json_decref(host);
		json_decref(cont);
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "cannot read back the interfaces");
	}
	json_array_append_new(ifs, br);
	json_array_append_new(ifs, host);
	json_array_append_new(ifs, cont);
	json_object_set_new(res, "cniVersion", json_string(CNI_VERSION_LATEST));
	json_object_set_new(res, "interfaces", ifs);
	if (ipam) {
		json_object_set(res, "ips", json_object_get(ipam, "ips"));
		json_object_set(res, "routes", json_object_get(ipam, "routes"));
	}
	json_object_set_new(res, "dns", dns_json(a->c.dns));
	*result = res;
	return 0;
}

/* ---- ADD ---------------------------------------------------------------------------- */

/* The host end's carrier: up once both ends are, awaited on the watch opened before. */
static int await_port(struct attachment *a, struct link_watch *w, int host_index, ctu_err_t *err)
{
	int st;

	if (a->c.disable_container_iface)
		return 0;
	st = link_watch_oper_up(w, &a->v.host, host_index, OPER_WAIT_MS);
	if (st == LINK_OPER_UP)
		return 0;
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "bridge port in error state: %s",
		       st >= 0 && (size_t)st < CTU_ARRAY_SIZE(oper_names) ? oper_names[st] : "unknown");
}

static void link_watch_closep(struct link_watch *w)
{
	link_watch_close(w);
}

int bridge_add(struct cni_req *r, json_t **result, ctu_err_t *err)
{
	_cleanup_(attachment_free) struct attachment a = { .undo = CTU_UNDO_INIT };
	_cleanup_(link_watch_closep) struct link_watch w = { .fd = -1 };
	_cleanup_json_ json_t *ipam = NULL;
	int host_index = 0, e;

	*result = NULL;
	step("add");
	if (attachment_open(&a, r, err) < 0 || container_socket(&a, err) < 0)
		return ctu_err_code(*err);
	/* before any link changes: its event cannot be missed */
	e = link_watch_open(&w);
	if (e < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "cannot watch the links: %s", strerror(-e));
	if (ensure_bridge(&a, err) < 0 || (step("bridge"), make_veth(&a, err)) < 0 ||
	    (step("veth"), setup_port(&a, &host_index, err)) < 0 ||
	    (step("port"), spoof_add(&a, err)) < 0)
		return ctu_err_code(*err);
	if (a.c.ipam_type) {
		if (run_ipam(&a, &ipam, err) < 0 || (step("ipam"), configure_container(&a, ipam, err)) < 0 ||
		    (step("container"), gateway_on_bridge(&a, err)) < 0 ||
		    (step("gateway"), bridge_nat_add(&a, err)) < 0)
			return ctu_err_code(*err);
		step("nat");
	} else if (container_up(&a, err) < 0) {
		return ctu_err_code(*err);
	}
	if (await_port(&a, &w, host_index, err) < 0 || (step("port up"), build_result(&a, ipam, result, err)) < 0)
		return ctu_err_code(*err);
	ctu_undo_forget(&a.undo);
	step("result");
	return 0;
}

/* ---- DEL ---------------------------------------------------------------------------- */

/* IFNAME in the container deleted (its peer goes with it); gone already is no failure. */
static int delete_container_end(struct attachment *a, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	char what[64];
	int r;

	if (container_socket(a, err) < 0)
		return ctu_err_code(*err);
	r = link_get(&a->cs, a->r->ifname, &l);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to lookup \"%s\": %s",
			       a->r->ifname, strerror(-r));
	sock_clear(&a->cs);
	r = rtnl_link_delete(a->cs.sk, l);
	if (r < 0 && sock_errno(&a->cs, r) != ENODEV) {
		snprintf(what, sizeof(what), "failed to delete \"%s\"", a->r->ifname);
		return kernel_err(&a->cs, r, err, what);
	}
	return 0;
}

int bridge_del(struct cni_req *r, ctu_err_t *err)
{
	_cleanup_(attachment_free) struct attachment a = { .undo = CTU_UNDO_INIT };
	json_t *none = NULL;
	int e;

	step("del");
	if (attachment_open(&a, r, err) < 0 || bridge_nft_del(&a, err) < 0)
		return ctu_err_code(*err);
	step("elements");
	if (r->nsfd >= 0 && delete_container_end(&a, err) < 0)
		return ctu_err_code(*err);
	step("link");
	if (!a.c.ipam_type)
		return 0;
	e = ipam_run(r, CNI_DEL, &none, err);
	json_decref(none);
	step("ipam");
	return e;
}
