// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * links.c - vethctl's link work: veth pairs, bridges, ports, moves,
 * addresses, routes.  Masters are looked up before libnl would turn a
 * missing one into a release; names are checked before libnl truncates them.
 */
#include <ctype.h>
#include <net/if.h>
#include <netlink/route/link/veth.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "ns.h"
#include "parse.h"
#include "vethctl.h"

/* ---- links ------------------------------------------------------------------- */

struct rtnl_link *link_or_die(struct nlsock *s, const char *name)
{
	struct rtnl_link *l = NULL;
	int r = link_get(s, name, &l);

	if (r == -ENODEV)
		die("no such interface: %s%s%s", name, s->nsname ? " in " : "",
		    s->nsname ? s->nsname : "");
	if (r < 0)
		die("cannot look up %s: %s", name, strerror(-r));
	return l;
}

int bridge_index_or_die(struct nlsock *s, const char *br)
{
	struct rtnl_link *l = link_or_die(s, br);
	int idx = rtnl_link_get_ifindex(l);
	bool is_bridge = !strcmp(link_kind(l), "bridge");

	rtnl_link_put(l);
	if (!is_bridge)
		die("%s is not a bridge", br);
	return idx;
}

/* Sends a change of @name: @fill sets what changes on a new link object. */
void change_link(struct nlsock *s, const char *name, void (*fill)(struct rtnl_link *, void *),
			void *arg, const char *what)
{
	struct rtnl_link *orig = link_or_die(s, name), *chg = rtnl_link_alloc();
	int r;

	if (!chg)
		die("out of memory");
	fill(chg, arg);
	sock_clear(s);
	r = rtnl_link_change(s->sk, orig, chg, 0);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	if (r < 0)
		die_nl(s, r, what, name);
}

void delete_link(struct nlsock *s, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (!l)
		return;
	rtnl_link_set_name(l, name);
	sock_clear(s);
	rtnl_link_delete(s->sk, l);
	rtnl_link_put(l);
}

int add_address(struct nlsock *s, const char *ifname, struct nl_addr *a, bool del)
{
	struct rtnl_link *l = NULL;
	struct rtnl_addr *ad;
	int r = link_get(s, ifname, &l);

	if (r < 0)
		return r == -ENODEV ? -NLE_NODEV : -NLE_FAILURE;
	ad = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(ad, rtnl_link_get_ifindex(l));
	rtnl_addr_set_local(ad, a);
	sock_clear(s);
	r = del ? rtnl_addr_delete(s->sk, ad, 0) : rtnl_addr_add(s->sk, ad, 0);
	rtnl_addr_put(ad);
	rtnl_link_put(l);
	return r;
}

void set_up_flag(struct rtnl_link *chg, void *up)
{
	if (*(bool *)up)
		rtnl_link_set_flags(chg, IFF_UP);
	else
		rtnl_link_unset_flags(chg, IFF_UP);
}

/* Brings up @name on socket @s (the peer's namespace). */
int bring_up(struct nlsock *s, const char *name)
{
	struct rtnl_link *l = NULL, *chg;
	int r = link_get(s, name, &l);

	if (r < 0)
		return -NLE_NODEV;
	chg = rtnl_link_alloc();
	rtnl_link_set_flags(chg, IFF_UP);
	sock_clear(s);
	r = rtnl_link_change(s->sk, l, chg, 0);
	rtnl_link_put(chg);
	rtnl_link_put(l);
	return r;
}

/* A route: @dst (or "default") via @gw on @dev. */
int route_change(struct nlsock *s, struct nl_addr *dst, struct nl_addr *gw, int dev, bool del)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	int r;

	if (!rt || !nh)
		die("out of memory");
	rtnl_route_set_family(rt, nl_addr_get_family(dst));
	rtnl_route_set_dst(rt, dst);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	if (dev)
		rtnl_route_nh_set_ifindex(nh, dev);
	rtnl_route_add_nexthop(rt, nh);
	sock_clear(s);
	r = del ? rtnl_route_delete(s->sk, rt, 0) : rtnl_route_add(s->sk, rt, NLM_F_EXCL);
	rtnl_route_put(rt);
	return r;
}

/* ---- veth pairs ---------------------------------------------------------------- */


/*
 * One RTM_NEWLINK for both ends: the peer is born in its namespace, with
 * its name, MAC and MTU, and this end on its bridge (NLM_F_EXCL: an
 * existing name is an error, not a silent success).
 */
int create_veth(struct nlsock *s, const struct veth_spec *v)
{
	struct rtnl_link *l, *peer;
	int r;

	/* taken names are refused before the request: see the rollback below */
	if (link_get(s, v->name, &l) == 0) {
		rtnl_link_put(l);
		s->kerr = EEXIST;
		return -NLE_EXIST;
	}
	l = rtnl_link_veth_alloc();
	if (!l)
		die("out of memory");
	peer = rtnl_link_veth_get_peer(l); /* takes a reference: put it too */
	rtnl_link_set_name(l, v->name);
	rtnl_link_set_name(peer, v->peer);
	rtnl_link_set_addr(l, v->mac);
	rtnl_link_set_addr(peer, v->peer_mac);
	if (v->mtu) {
		rtnl_link_set_mtu(l, v->mtu);
		rtnl_link_set_mtu(peer, v->mtu);
	}
	if (v->master)
		rtnl_link_set_master(l, v->master);
	/* IFF_UP for the peer in this request fails (ENOTCONN): it comes up later */
	if (v->up)
		rtnl_link_set_flags(l, IFF_UP);
	if (v->peer_nsfd >= 0)
		rtnl_link_set_ns_fd(peer, v->peer_nsfd);
	sock_clear(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_put(l);
	/*
	 * An error other than EEXIST may only mean that the answer was lost: the
	 * name was free a moment ago, so a link of that name now is ours.
	 */
	if (r < 0 && sock_errno(s, r) != EEXIST) {
		struct nlsock probe = *s; /* delete_link clears the error the caller reports */

		delete_link(&probe, v->name);
	}
	return r;
}

static noreturn void die_creating_veth(struct nlsock *s, int r, const struct veth_spec *v)
{
	if (sock_errno(s, r) == EEXIST)
		die("cannot create veth pair %s/%s: an interface of that name already exists",
		    v->name, v->peer);
	die_nl(s, r, "cannot create veth pair", v->name);
}

int cmd_add(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct veth_spec v = { .peer_nsfd = -1 };
	struct nl_addr *addr = NULL, *peer_addr = NULL;
	/* the peer's namespace: ours unless --peer-netns (then a socket there) */
	struct nlsock other, *ps = &host;
	_cleanup_free_ char *default_peer = NULL;
	char **args;
	int r;

	parse_cmd_opts(argc, argv, "pNaAmcCbn", &o);
	args = positional(argc, argv, 1, "expected <name>");
	v.name = ifname_or_die(args[0], "interface name");
	if (!o.peer && asprintf(&default_peer, "%sp", v.name) < 0)
		die("out of memory");
	v.peer = ifname_or_die(o.peer ? o.peer : default_peer, "peer name");
	if (!strcmp(v.name, v.peer) && !o.peer_ns)
		usage_die("add: the two ends need different names in one namespace");
	if (o.addr)
		addr = cidr_or_die(o.addr, true, "--addr");
	if (o.peer_addr)
		peer_addr = cidr_or_die(o.peer_addr, true, "--peer-addr");
	v.mtu = o.mtu ? mtu_or_die(o.mtu) : 0;
	v.mac = o.mac ? mac_or_die(o.mac) : mac_from_name(v.name, netns_spec);
	v.peer_mac = o.peer_mac ? mac_or_die(o.peer_mac) : mac_from_name(v.peer, o.peer_ns);
	v.up = !o.no_up;
	if (o.bridge)
		v.master = bridge_index_or_die(&host, ifname_or_die(o.bridge, "bridge name"));
	if (o.peer_ns) {
		v.peer_nsfd = netns_or_die(o.peer_ns);
		/* the socket there first: failing later would leave the pair behind */
		open_or_die(&other, o.peer_ns);
		ps = &other;
	}
	r = create_veth(&host, &v);
	if (v.peer_nsfd >= 0)
		close(v.peer_nsfd);
	if (r < 0)
		die_creating_veth(&host, r, &v);
	/* the addresses, after the pair: a failure removes the pair again */
	if (addr && (r = add_address(&host, v.name, addr, false)) < 0) {
		const char *why = sock_why(&host, r);

		delete_link(&host, v.name);
		die("cannot add address %s to %s: %s; the veth pair was removed", o.addr, v.name,
		    sock_errno(&host, r) == EEXIST ? "address already assigned" : why);
	}
	if (peer_addr || v.up) {
		const char *step = "bring up";

		r = v.up ? bring_up(ps, v.peer) : 0;
		if (r == 0 && peer_addr) {
			step = "add address to";
			r = add_address(ps, v.peer, peer_addr, false);
		}
		if (r < 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s",
				 sock_errno(ps, r) == EEXIST ? "address already assigned" : sock_why(ps, r));
			if (ps != &host)
				sock_close(ps);
			delete_link(&host, v.name);
			die("cannot %s %s: %s; the veth pair was removed", step, v.peer, why);
		}
	}
	if (ps != &host)
		sock_close(ps);
	nl_addr_put(addr);
	nl_addr_put(peer_addr);
	nl_addr_put(v.mac);
	nl_addr_put(v.peer_mac);
	return CTU_EXIT_OK;
}

int cmd_del(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct rtnl_link *l;
	const char *name;
	int r;

	parse_cmd_opts(argc, argv, "", &o);
	name = ifname_or_die(positional(argc, argv, 1, "expected <name>")[0], "interface name");
	l = link_or_die(&host, name);
	sock_clear(&host);
	r = rtnl_link_delete(host.sk, l);
	rtnl_link_put(l);
	if (r < 0)
		die_nl(&host, r, "cannot delete", name);
	return CTU_EXIT_OK;
}

/* ---- bridges ---------------------------------------------------------------- */

int create_bridge(struct nlsock *s, const char *name, unsigned int mtu, bool up)
{
	struct rtnl_link *l = rtnl_link_alloc();
	struct nl_addr *mac = mac_from_name(name, netns_spec);
	int r;

	if (!l)
		die("out of memory");
	rtnl_link_set_type(l, "bridge");
	rtnl_link_set_name(l, name);
	rtnl_link_set_addr(l, mac);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	if (up)
		rtnl_link_set_flags(l, IFF_UP);
	sock_clear(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	nl_addr_put(mac);
	return r;
}

static int bridge_add(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct nl_addr *addr = NULL;
	const char *br;
	int r;

	parse_cmd_opts(argc, argv, "amn", &o);
	br = ifname_or_die(positional(argc, argv, 1, "expected <bridge>")[0], "bridge name");
	if (o.addr)
		addr = cidr_or_die(o.addr, true, "--addr");
	r = create_bridge(&host, br, o.mtu ? mtu_or_die(o.mtu) : 0, !o.no_up);
	if (r < 0 && sock_errno(&host, r) == EEXIST) {
		struct rtnl_link *l = link_or_die(&host, br);
		bool is_bridge = !strcmp(link_kind(l), "bridge");

		rtnl_link_put(l);
		die(is_bridge ? "bridge %s already exists" : "%s already exists and is not a bridge", br);
	}
	if (r < 0)
		die_nl(&host, r, "cannot create bridge", br);
	if (addr && (r = add_address(&host, br, addr, false)) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", sock_why(&host, r));
		delete_link(&host, br);
		die("cannot add address %s to %s: %s; the bridge was removed", o.addr, br, why);
	}
	nl_addr_put(addr);
	return CTU_EXIT_OK;
}

static int bridge_del(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	const char *br;
	int r;

	parse_cmd_opts(argc, argv, "", &o);
	br = ifname_or_die(positional(argc, argv, 1, "expected <bridge>")[0], "bridge name");
	bridge_index_or_die(&host, br);
	delete_link(&host, br);
	r = host.kerr;
	if (r)
		die("cannot delete bridge %s: %s", br, strerror(r));
	return CTU_EXIT_OK;
}

int cmd_bridge(int argc, char **argv)
{
	if (argc < 2)
		usage_die("bridge: expected add or del");
	if (!strcmp(argv[1], "add"))
		return bridge_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return bridge_del(argc - 1, argv + 1);
	usage_die("bridge: unknown subcommand '%s' (add or del)", argv[1]);
}

static void set_master(struct rtnl_link *chg, void *idx)
{
	rtnl_link_set_master(chg, *(int *)idx);
}

int cmd_attach(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	char **args;
	int idx;

	parse_cmd_opts(argc, argv, "", &o);
	args = positional(argc, argv, 2, "expected <interface> <bridge>");
	ifname_or_die(args[0], "interface name");
	/* looked up first: libnl would send master 0, a release, for a missing one */
	idx = bridge_index_or_die(&host, ifname_or_die(args[1], "bridge name"));
	change_link(&host, args[0], set_master, &idx, "cannot attach");
	return CTU_EXIT_OK;
}

int cmd_detach(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	const char *name;
	struct rtnl_link *l;
	int none = 0;

	parse_cmd_opts(argc, argv, "", &o);
	name = ifname_or_die(positional(argc, argv, 1, "expected <interface>")[0], "interface name");
	l = link_or_die(&host, name);
	if (!rtnl_link_get_master(l)) {
		rtnl_link_put(l);
		die("%s is not attached to a bridge", name);
	}
	rtnl_link_put(l);
	change_link(&host, name, set_master, &none, "cannot detach");
	return CTU_EXIT_OK;
}

/* ---- move, addr, up, down, mtu, route ------------------------------------------------ */

struct move_arg {
	int nsfd;
	const char *name;
};

static void set_netns(struct rtnl_link *chg, void *arg)
{
	struct move_arg *m = arg;

	rtnl_link_set_ns_fd(chg, m->nsfd);
	if (m->name)
		rtnl_link_set_name(chg, m->name);
}

int cmd_move(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct move_arg m;
	char **args;

	parse_cmd_opts(argc, argv, "r", &o);
	args = positional(argc, argv, 2, "expected <interface> <namespace>");
	ifname_or_die(args[0], "interface name");
	m.name = o.rename ? ifname_or_die(o.rename, "--name") : NULL;
	m.nsfd = netns_or_die(args[1]);
	change_link(&host, args[0], set_netns, &m, "cannot move");
	close(m.nsfd);
	return CTU_EXIT_OK;
}

int cmd_addr(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct nl_addr *a;
	bool del;
	char **args;
	int r;

	if (argc < 2)
		usage_die("addr: expected add or del");
	if (strcmp(argv[1], "add") && strcmp(argv[1], "del"))
		usage_die("addr: unknown subcommand '%s': expected add or del", argv[1]);
	del = !strcmp(argv[1], "del");
	parse_cmd_opts(argc - 1, argv + 1, "", &o);
	args = positional(argc - 1, argv + 1, 2, "expected <interface> <cidr>");
	ifname_or_die(args[0], "interface name");
	a = cidr_or_die(args[1], true, "address");
	rtnl_link_put(link_or_die(&host, args[0]));
	r = add_address(&host, args[0], a, del);
	nl_addr_put(a);
	if (r < 0 && !del && sock_errno(&host, r) == EEXIST)
		die("cannot add address %s to %s: address already assigned", args[1], args[0]);
	if (r < 0 && del && sock_errno(&host, r) == EADDRNOTAVAIL)
		die("cannot delete address %s from %s: it has no such address", args[1], args[0]);
	if (r < 0)
		die("cannot %s address %s %s %s: %s", del ? "delete" : "add", args[1],
		    del ? "from" : "to", args[0], sock_why(&host, r));
	return CTU_EXIT_OK;
}

static int up_down(int argc, char **argv, bool up)
{
	struct cmd_opts o = { 0 };
	const char *name;

	parse_cmd_opts(argc, argv, "", &o);
	name = ifname_or_die(positional(argc, argv, 1, "expected <interface>")[0], "interface name");
	change_link(&host, name, set_up_flag, &up, up ? "cannot bring up" : "cannot bring down");
	return CTU_EXIT_OK;
}

int cmd_up(int argc, char **argv)
{
	return up_down(argc, argv, true);
}

int cmd_down(int argc, char **argv)
{
	return up_down(argc, argv, false);
}

static void set_mtu(struct rtnl_link *chg, void *mtu)
{
	rtnl_link_set_mtu(chg, *(unsigned int *)mtu);
}

int cmd_mtu(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	unsigned int mtu;
	char **args;

	parse_cmd_opts(argc, argv, "", &o);
	args = positional(argc, argv, 2, "expected <interface> <mtu>");
	ifname_or_die(args[0], "interface name");
	mtu = mtu_or_die(args[1]);
	change_link(&host, args[0], set_mtu, &mtu, "cannot set the MTU of");
	return CTU_EXIT_OK;
}

/* route add|del DEST [via GW] [dev IF] */
int cmd_route(int argc, char **argv)
{
	struct nl_addr *dst, *gw = NULL;
	const char *dev = NULL;
	int idx = 0, r;
	bool del;

	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		usage_die("route: expected add|del <dest> [via <gw>] [dev <if>]");
	del = !strcmp(argv[1], "del");
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage_die("route: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "via"))
			gw = cidr_or_die(argv[i + 1], false, "gateway");
		else if (!strcmp(argv[i], "dev"))
			dev = ifname_or_die(argv[i + 1], "interface name");
		else
			usage_die("route: unexpected '%s' (via or dev)", argv[i]);
	}
	if (!strcmp(argv[2], "default")) {
		dst = cidr_or_die(gw && nl_addr_get_family(gw) == AF_INET6 ? "::/0" : "0.0.0.0/0",
				  true, "destination");
	} else {
		dst = cidr_or_die(argv[2], true, "destination");
	}
	/* after the destination: a bad one is named first */
	if (!gw && !dev)
		usage_die("route: needs via <gw> or dev <if>");
	if (gw && nl_addr_get_family(gw) != nl_addr_get_family(dst))
		usage_die("route: %s and %s are of different families", argv[2], argv[4]);
	if (dev) {
		struct rtnl_link *l = link_or_die(&host, dev);

		idx = rtnl_link_get_ifindex(l);
		rtnl_link_put(l);
	}
	r = route_change(&host, dst, gw, idx, del);
	nl_addr_put(dst);
	nl_addr_put(gw);
	if (r < 0 && sock_errno(&host, r) == EEXIST)
		die("cannot add route %s: it exists already", argv[2]);
	if (r < 0 && sock_errno(&host, r) == ENETUNREACH)
		die("cannot %s route %s: the gateway is not on a directly connected network",
		    del ? "delete" : "add", argv[2]);
	if (r < 0)
		die("cannot %s route %s: %s", del ? "delete" : "add", argv[2], sock_why(&host, r));
	return CTU_EXIT_OK;
}

