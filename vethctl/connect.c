// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * connect.c - vethctl connect and disconnect: a container plugged into a
 * bridge (made if missing) with a veth pair whose inner end is born inside
 * it, addressed, up, with a default route; and unplugged again.  A failure
 * at any step removes what connect made.
 */
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "nat.h"
#include "ns.h"
#include "vethctl.h"

struct connect_options {
	const char *bridge, *addr, *gw, *ifname, *host_name, *mtu;
	struct optlist publish;
	bool nat, hairpin;
};

static int parse_connect(struct vethctl *v, int argc, char **argv, struct connect_options *o,
			 char ***args, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "bridge", required_argument, NULL, OPT_BRIDGE },
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "gw", required_argument, NULL, OPT_GW },
		{ "ifname", required_argument, NULL, OPT_IFNAME },
		{ "host-name", required_argument, NULL, OPT_HOST_NAME },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "publish", required_argument, NULL, OPT_PUBLISH },
		{ "nat", no_argument, NULL, OPT_NAT },
		{ "hairpin", no_argument, NULL, OPT_HAIRPIN },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = {
		offsetof(struct connect_options, bridge),
		offsetof(struct connect_options, addr),
		offsetof(struct connect_options, gw),
		offsetof(struct connect_options, ifname),
		offsetof(struct connect_options, host_name),
		offsetof(struct connect_options, mtu),
		REPEATED(offsetof(struct connect_options, publish)),
		offsetof(struct connect_options, nat),
		offsetof(struct connect_options, hairpin),
	};

	if (cmd_parse(v, argc, argv, longopts, fields, o, err) < 0 ||
	    operands(argc, argv, 1, "expected <namespace>", args, err) < 0)
		return ctu_err_code(*err);
	if (!o->bridge)
		return ctu_err_usage(err, "connect: --bridge is required");
	if (!o->addr)
		return ctu_err_usage(err, "connect: --addr is required");
	return 0;
}

/* A connect on its way: what it was asked and what it has made so far. */
struct connect_job {
	const char *ns, *bridge, *addr_text;
	char host_name[IFNAMSIZ];
	struct veth_spec veth;
	struct nl_addr *addr, *gw;
	struct nlsock inside; /* a socket in the container's namespace */
	struct ctu_undo undo;
	bool made_bridge, made_pair;
	struct connect_nat nat; /* --publish, --nat */
	bool hairpin;
};

static void connect_job_free(struct connect_job *j)
{
	free(j->nat.specs);
	ctu_undo_rollback(&j->undo); /* nothing, once forgotten */
	nl_addr_putp(&j->addr);
	nl_addr_putp(&j->gw);
	nl_addr_putp(&j->veth.mac);
	nl_addr_putp(&j->veth.peer_mac);
	sock_close(&j->inside);
}

/* Says in *@err what the rollback is about to remove. */
static int undone(struct connect_job *j, ctu_err_t *err)
{
	if (j->made_bridge && j->made_pair)
		return said_removed(err, "the veth pair and the bridge were removed");
	if (j->made_bridge)
		return said_removed(err, "the bridge was removed");
	if (j->made_pair)
		return said_removed(err, "the veth pair was removed");
	return said_removed(err, "nothing was made");
}

/* A host-side name that is the same every time for one namespace and ifname. */
static void default_host_name(int nsfd, const char *ifname, char *out, size_t size)
{
	unsigned long ino = 0;
	uint32_t h = 2166136261u;

	ctu_ns_inode_fd(nsfd, &ino);
	for (const char *p = ifname; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, size, "vc%08lx", (ino ^ h) & 0xffffffffUL);
}

static int connect_values(struct vethctl *v, const struct connect_options *o, struct connect_job *j,
			  ctu_err_t *err)
{
	j->veth.peer = o->ifname ? o->ifname : "eth0";
	j->addr_text = o->addr;
	if (check_ifname(o->bridge, "bridge name", err) < 0 ||
	    check_ifname(j->veth.peer, "--ifname", err) < 0 ||
	    cidr_value(o->addr, true, "--addr", &j->addr, err) < 0 ||
	    (o->gw && cidr_value(o->gw, false, "--gw", &j->gw, err) < 0))
		return ctu_err_code(*err);
	j->bridge = o->bridge;
	if (j->gw && nl_addr_get_family(j->gw) != nl_addr_get_family(j->addr))
		return ctu_err_usage(err,
				     "connect: --gw %s and --addr %s are of different families",
				     o->gw, o->addr);
	if ((o->mtu && mtu_value(o->mtu, &j->veth.mtu, err) < 0) ||
	    (o->host_name && check_ifname(o->host_name, "--host-name", err) < 0))
		return ctu_err_code(*err);
	/* the socket inside first: failing later would leave the pair behind */
	if (sock_open(&j->inside, j->ns, err) < 0)
		return ctu_err_code(*err);
	if (o->host_name)
		snprintf(j->host_name, sizeof(j->host_name), "%s", o->host_name);
	else
		default_host_name(j->inside.nsfd, j->veth.peer, j->host_name, sizeof(j->host_name));
	j->veth.name = j->host_name;
	j->veth.peer_nsfd = j->inside.nsfd;
	j->veth.mac = mac_from_name(j->veth.name, v->netns_spec);
	j->veth.peer_mac = mac_from_name(j->veth.peer, j->host_name);
	if (!j->veth.mac || !j->veth.peer_mac)
		return ctu_err_make(err, ENOMEM, "connect %s", j->ns);
	return 0;
}

/* --publish: each PSPEC parsed, before any namespace is opened. */
static int publish_specs(const struct connect_options *o, struct connect_job *j, ctu_err_t *err)
{
	struct connect_nat *c = &j->nat;
	char why[256];

	j->hairpin = o->hairpin || o->publish.n;
	c->nat = o->nat;
	c->specs = calloc(o->publish.n + 1, sizeof(*c->specs));
	if (!c->specs)
		return ctu_err_make(err, ENOMEM, "connect");
	for (size_t i = 0; i < o->publish.n; i++) {
		if (spec_parse(o->publish.v[i], SPEC_CONNECT, &c->specs[i], why, sizeof(why)) < 0)
			return ctu_err_usage(err, "connect: invalid --publish '%s': %s",
					     o->publish.v[i], why);
		c->nspecs++;
	}
	return 0;
}

/* --publish and --nat: aimed at --addr, checked against the table before any link exists. */
static int nat_values(struct vethctl *v, const struct connect_options *o, struct connect_job *j,
		      ctu_err_t *err)
{
	struct connect_nat *c = &j->nat;
	char why[256];

	if (!c->nspecs && !c->nat)
		return 0;
	c->addr.family = nl_addr_get_family(j->addr);
	memcpy(c->addr.b, nl_addr_get_binary_addr(j->addr), nl_addr_get_len(j->addr));
	c->plen = (unsigned int)nl_addr_get_prefixlen(j->addr);
	snprintf(c->owner, sizeof(c->owner), "veth:%s", j->host_name);
	for (size_t i = 0; i < c->nspecs; i++)
		if (spec_set_target(&c->specs[i], &c->addr, why, sizeof(why)) < 0)
			return ctu_err_usage(err, "connect: invalid --publish '%s': %s",
					     o->publish.v[i], why);
	return connect_nat_check(v, c, err);
}

/* Hairpin mode on the host end's bridge port: a container reaching its own published port. */
static int set_hairpin(struct vethctl *v, struct connect_job *j, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	struct port_flags f = { .hairpin = true };
	int r = link_get(&v->host, j->host_name, &l);

	if (r < 0)
		return ctu_err_make(err, -r, "cannot look up %s", j->host_name);
	r = bridge_port_set(&v->host, rtnl_link_get_ifindex(l), &f);
	return r < 0 ? sock_err(&v->host, r, err, "cannot set hairpin mode on %s", j->host_name)
		     : 0;
}

/* The bridge: made if missing, refused if the name is something else. */
static int find_or_make_bridge(struct vethctl *v, struct connect_job *j, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *br = NULL;
	int r = link_get(&v->host, j->bridge, &br);

	if (r == -ENODEV) {
		if (create_bridge(&v->host, j->bridge, v->netns_spec, j->veth.mtu, true, &j->undo,
				  err) < 0)
			return ctu_err_code(*err);
		j->made_bridge = true;
		r = link_get(&v->host, j->bridge, &br);
	}
	if (r < 0) {
		ctu_err_make(err, -r, "cannot look up bridge %s", j->bridge);
		return undone(j, err);
	}
	if (strcmp(link_kind(br), "bridge")) {
		ctu_err_make(err, 0, "%s exists and is not a bridge", j->bridge);
		return undone(j, err);
	}
	j->veth.master = rtnl_link_get_ifindex(br);
	return 0;
}

/* The first address of @ifindex of @family, without its prefix (the gateway). */
static struct nl_addr *first_address(struct nlsock *s, int ifindex, int family)
{
	size_t n;
	struct link_addr *a = link_addrs_of(s, ifindex, family, &n);
	struct nl_addr *found = n ? nl_addr_build(family, a[0].ip.b, family == AF_INET ? 4 : 16)
				  : NULL;

	if (found)
		nl_addr_set_prefixlen(found, family == AF_INET ? 32 : 128);
	free(a);
	return found;
}

/* No --gw: the bridge's own address, if it has one. */
static void default_gateway(struct vethctl *v, struct connect_job *j)
{
	char where[32] = "";

	j->gw = first_address(&v->host, j->veth.master, nl_addr_get_family(j->addr));
	if (j->gw)
		return;
	if (v->batch_line)
		snprintf(where, sizeof(where), "line %lu: ", v->batch_line);
	ctu_warn(
	    0, "%swarning: bridge %s has no address and no --gw was given: no default route in %s",
	    where, j->bridge, j->ns);
}

static int make_pair(struct vethctl *v, struct connect_job *j, ctu_err_t *err)
{
	size_t before = j->undo.n;
	int r = create_veth(&v->host, &j->veth, &j->undo, err);

	/* recorded: made, even if a later step of create_veth failed */
	j->made_pair = j->undo.n > before;
	if (r == -EEXIST)
		ctu_err_make(err, 0, "cannot create veth pair %s/%s: %s or %s in %s already exists",
			     j->veth.name, j->veth.peer, j->veth.name, j->veth.peer, j->ns);
	return r < 0 ? undone(j, err) : 0;
}

/* Inside the container: its address, lo up, the default route. */
static int configure_inside(struct connect_job *j, ctu_err_t *err)
{
	struct nlsock *cs = &j->inside;
	const char *ifname = j->veth.peer;
	_cleanup_link_ struct rtnl_link *l = NULL;
	char where[2 * IFNAMSIZ + 64];
	int r;

	if ((r = bring_up(cs, ifname)) < 0)
		return sock_err(cs, r, err, "cannot bring up %s in %s", ifname, j->ns);
	snprintf(where, sizeof(where), "%s in %s", ifname, j->ns);
	if ((r = add_address(cs, ifname, j->addr, false)) < 0)
		return address_err(cs, r, j->addr_text, where, err);
	if ((r = bring_up(cs, "lo")) < 0 && r != -NLE_NODEV)
		return sock_err(cs, r, err, "cannot bring up lo in %s", j->ns);
	if (j->gw) {
		_cleanup_nladdr_ struct nl_addr *dst = NULL;

		if (default_route(j->gw, &dst, err) < 0)
			return ctu_err_code(*err);
		r = link_get(cs, ifname, &l);
		if (r == 0)
			r = route_change(cs, dst, j->gw, rtnl_link_get_ifindex(l), false);
		if (r < 0)
			return sock_err(cs, r, err, "cannot add the default route in %s", j->ns);
	}
	return 0;
}

int cmd_connect(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	_cleanup_(connect_job_free) struct connect_job j = {
		.veth = { .peer_nsfd = -1, .up = true },
		.inside = NLSOCK_INIT,
		.undo = CTU_UNDO_INIT,
	};
	struct connect_options o = { 0 };
	char **args;

	if (parse_connect(v, argc, argv, &o, &args, err) < 0)
		return ctu_err_code(*err);
	j.ns = args[0];
	if (publish_specs(&o, &j, err) < 0 || connect_values(v, &o, &j, err) < 0 ||
	    nat_values(v, &o, &j, err) < 0 ||
	    find_or_make_bridge(v, &j, err) < 0)
		return ctu_err_code(*err);
	if (!j.gw)
		default_gateway(v, &j);
	if (make_pair(v, &j, err) < 0)
		return ctu_err_code(*err);
	if (configure_inside(&j, err) < 0 || (j.hairpin && set_hairpin(v, &j, err) < 0))
		return undone(&j, err);
	if (j.nat.nspecs || j.nat.nat) {
		int r;

		nft_exit_undo(&j.undo);
		r = connect_nat_commit(v, &j.nat, err);
		nft_exit_undo(NULL);
		if (r < 0)
			return undone(&j, err);
	}
	ctu_undo_forget(&j.undo);
	return 0;
}

/* The addresses of @ifindex (for the cli mappings aimed at them). */
static size_t link_addresses(struct nlsock *s, int ifindex, struct ipaddr *out, size_t max)
{
	size_t n, k = 0;
	struct link_addr *a = link_addrs_of(s, ifindex, 0, &n);

	for (; k < n && k < max; k++)
		out[k] = a[k].ip;
	free(a);
	return k;
}

int cmd_disconnect(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "ifname", required_argument, NULL, OPT_IFNAME },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { 0 };
	_cleanup_nlsock_ struct nlsock cs = NLSOCK_INIT;
	_cleanup_link_ struct rtnl_link *l = NULL;
	const char *ifname = "eth0";
	struct ipaddr addrs[32];
	char host_end[IFNAMSIZ];
	size_t naddrs;
	bool known;
	char **args;
	int r;

	if (cmd_parse(v, argc, argv, longopts, fields, &ifname, err) < 0 ||
	    operands(argc, argv, 1, "expected <namespace>", &args, err) < 0 ||
	    check_ifname(ifname, "--ifname", err) < 0 || sock_open(&cs, args[0], err) < 0 ||
	    link_or_err(&cs, ifname, &l, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(link_kind(l), "veth"))
		return ctu_err_make(err, 0, "%s in %s is not a veth", ifname, args[0]);
	known = veth_peer_here(&v->host, l, host_end);
	naddrs = link_addresses(&cs, rtnl_link_get_ifindex(l), addrs, CTU_ARRAY_SIZE(addrs));
	/* deleting the container's end deletes the host's end with it */
	sock_clear(&cs);
	r = rtnl_link_delete(cs.sk, l);
	if (r < 0)
		return link_err(&cs, r, "cannot delete", ifname, err);
	if (known)
		drop_veth(v, host_end, addrs, naddrs);
	return 0;
}
