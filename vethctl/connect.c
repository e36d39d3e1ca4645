// SPDX-License-Identifier: GPL-2.0-or-later
/* connect.c - vethctl connect, disconnect and ls. */
#include <ctype.h>
#include <net/if.h>
#include <netlink/route/link/veth.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "out.h"
#include "ns.h"
#include "parse.h"
#include "vethctl.h"

/* ---- connect, disconnect ----------------------------------------------------------- */

/* The first address of @ifindex of @family, without its prefix (the gateway). */
static struct nl_addr *first_address(struct nlsock *s, int ifindex, int family)
{
	struct nl_cache *cache = NULL;
	struct nl_addr *found = NULL;

	if (rtnl_addr_alloc_cache(s->sk, &cache) < 0)
		return NULL;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(a) == ifindex && rtnl_addr_get_family(a) == family) {
			found = nl_addr_clone(rtnl_addr_get_local(a));
			nl_addr_set_prefixlen(found, family == AF_INET ? 32 : 128);
		}
	}
	nl_cache_free(cache);
	return found;
}

/* A host-side name that is the same every time for one namespace and ifname. */
static void default_host_name(const char *ns, const char *ifname, char *out, size_t size)
{
	int fd = netns_or_die(ns);
	unsigned long ino = 0;
	uint32_t h = 2166136261u;

	ctu_ns_inode_fd(fd, &ino);
	close(fd);
	for (const char *p = ifname; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, size, "vc%08lx", (ino ^ h) & 0xffffffffUL);
}

struct connect_state {
	bool made_bridge, made_pair;
	const char *bridge, *host_name;
};

static noreturn void connect_fail(struct connect_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static noreturn void connect_fail(struct connect_state *st, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->made_pair)
		delete_link(&host, st->host_name);
	if (st->made_bridge)
		delete_link(&host, st->bridge);
	die("%s; %s", msg,
	    st->made_bridge ? "the veth pair and the bridge were removed" : st->made_pair ? "the veth pair was removed" : "nothing was made");
}

/* Inside the container (@cs, a socket in its namespace): its address, lo up, the default route. */
static void configure_inside(struct connect_state *st, struct nlsock *cs, const char *ns,
			     const char *ifname, const char *addr_text, struct nl_addr *addr,
			     struct nl_addr *gw)
{
	bool up = true;
	struct rtnl_link *l;
	int r;

	r = bring_up(cs, ifname);
	if (r < 0)
		connect_fail(st, "cannot bring up %s in %s: %s", ifname, ns, sock_why(cs, r));
	r = add_address(cs, ifname, addr, false);
	if (r < 0)
		connect_fail(st, "cannot add address %s to %s in %s: %s", addr_text, ifname, ns,
			     sock_errno(cs, r) == EEXIST ? "address already assigned" : sock_why(cs, r));
	if (link_get(cs, "lo", &l) == 0) {
		struct rtnl_link *chg = rtnl_link_alloc();

		set_up_flag(chg, &up);
		sock_clear(cs);
		r = rtnl_link_change(cs->sk, l, chg, 0);
		rtnl_link_put(chg);
		rtnl_link_put(l);
		if (r < 0)
			connect_fail(st, "cannot bring up lo in %s: %s", ns, sock_why(cs, r));
	}
	if (gw) {
		struct nl_addr *dst = cidr_or_die(nl_addr_get_family(gw) == AF_INET6 ? "::/0" : "0.0.0.0/0",
						  true, "destination");

		r = link_get(cs, ifname, &l);
		if (r == 0) {
			r = route_change(cs, dst, gw, rtnl_link_get_ifindex(l), false);
			rtnl_link_put(l);
		}
		nl_addr_put(dst);
		if (r < 0)
			connect_fail(st, "cannot add the default route in %s: %s", ns, sock_why(cs, r));
	}
	sock_close(cs);
}

int cmd_connect(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct connect_state st = { 0 };
	struct veth_spec v = { .peer_nsfd = -1, .up = true };
	struct nl_addr *addr, *gw;
	struct rtnl_link *br = NULL;
	char host_name[IFNAMSIZ], inode[32];
	struct nlsock inside;
	const char *ns;
	int r;

	parse_cmd_opts(argc, argv, "bagiHm", &o);
	ns = positional(argc, argv, 1, "expected <namespace>")[0];
	if (!o.bridge)
		usage_die("connect: --bridge is required");
	if (!o.addr)
		usage_die("connect: --addr is required");
	st.bridge = ifname_or_die(o.bridge, "bridge name");
	v.peer = ifname_or_die(o.ifname ? o.ifname : "eth0", "--ifname");
	addr = cidr_or_die(o.addr, true, "--addr");
	gw = o.gw ? cidr_or_die(o.gw, false, "--gw") : NULL;
	if (gw && nl_addr_get_family(gw) != nl_addr_get_family(addr))
		usage_die("connect: --gw %s and --addr %s are of different families", o.gw, o.addr);
	v.mtu = o.mtu ? mtu_or_die(o.mtu) : 0;
	if (o.host_name)
		snprintf(host_name, sizeof(host_name), "%s", ifname_or_die(o.host_name, "--host-name"));
	else
		default_host_name(ns, v.peer, host_name, sizeof(host_name));
	v.name = st.host_name = host_name;
	v.peer_nsfd = netns_or_die(ns);
	/* the socket inside first: failing later would leave the pair behind */
	open_or_die(&inside, ns);
	/* the bridge: made if missing, refused if the name is something else */
	r = link_get(&host, st.bridge, &br);
	if (r == -ENODEV) {
		r = create_bridge(&host, st.bridge, v.mtu, true);
		if (r < 0)
			die_nl(&host, r, "cannot create bridge", st.bridge);
		st.made_bridge = true;
		r = link_get(&host, st.bridge, &br);
	}
	if (r < 0)
		connect_fail(&st, "cannot look up bridge %s: %s", st.bridge, strerror(-r));
	if (strcmp(link_kind(br), "bridge")) {
		rtnl_link_put(br);
		connect_fail(&st, "%s exists and is not a bridge", st.bridge);
	}
	v.master = rtnl_link_get_ifindex(br);
	rtnl_link_put(br);
	if (!gw) {
		gw = first_address(&host, v.master, nl_addr_get_family(addr));
		if (!gw)
			warn_line("warning: bridge %s has no address and no --gw was given: no default "
				  "route in %s", st.bridge, ns);
	}
	snprintf(inode, sizeof(inode), "%d", v.peer_nsfd);
	v.mac = mac_from_name(v.name, netns_spec);
	v.peer_mac = mac_from_name(v.peer, host_name);
	r = create_veth(&host, &v);
	close(v.peer_nsfd);
	if (r < 0) {
		if (sock_errno(&host, r) == EEXIST)
			connect_fail(&st, "cannot create veth pair %s/%s: %s or %s in %s already exists",
				     v.name, v.peer, v.name, v.peer, ns);
		connect_fail(&st, "cannot create veth pair %s/%s: %s", v.name, v.peer, sock_why(&host, r));
	}
	st.made_pair = true;
	configure_inside(&st, &inside, ns, v.peer, o.addr, addr, gw);
	nl_addr_put(addr);
	nl_addr_put(gw);
	nl_addr_put(v.mac);
	nl_addr_put(v.peer_mac);
	return CTU_EXIT_OK;
}

int cmd_disconnect(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct nlsock cs;
	const char *ns, *ifname;
	struct rtnl_link *l;
	int r;

	parse_cmd_opts(argc, argv, "i", &o);
	ns = positional(argc, argv, 1, "expected <namespace>")[0];
	ifname = ifname_or_die(o.ifname ? o.ifname : "eth0", "--ifname");
	open_or_die(&cs, ns);
	l = link_or_die(&cs, ifname);
	if (strcmp(link_kind(l), "veth")) {
		rtnl_link_put(l);
		die("%s in %s is not a veth", ifname, ns);
	}
	/* deleting the container's end deletes the host's end with it */
	sock_clear(&cs);
	r = rtnl_link_delete(cs.sk, l);
	rtnl_link_put(l);
	if (r < 0)
		die_nl(&cs, r, "cannot delete", ifname);
	sock_close(&cs);
	return CTU_EXIT_OK;
}

/* ---- ls ------------------------------------------------------------------------ */

static const char *link_type(struct rtnl_link *l)
{
	if (*link_kind(l))
		return link_kind(l);
	return rtnl_link_get_flags(l) & IFF_LOOPBACK ? "loopback" : "device";
}

static void name_of(struct nl_cache *links, int ifindex, char *out, size_t size)
{
	out[0] = '\0';
	if (ifindex > 0 && !rtnl_link_i2name(links, ifindex, out, size))
		snprintf(out, size, "if%d", ifindex);
}

/* A veth's other end, from IFLA_LINK (and its namespace id when elsewhere). */
static void peer_of(struct nl_cache *links, struct rtnl_link *l, char *out, size_t size)
{
	int32_t nsid;
	int idx = rtnl_link_get_link(l);

	out[0] = '\0';
	if (strcmp(link_kind(l), "veth") || idx <= 0)
		return;
	if (rtnl_link_get_link_netnsid(l, &nsid) == 0 && nsid >= 0)
		snprintf(out, size, "if%d@netnsid%d", idx, (int)nsid);
	else
		name_of(links, idx, out, size);
}

static void addresses_of(struct nl_cache *addrs, int ifindex, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		char buf[INET6_ADDRSTRLEN + 8];

		if (rtnl_addr_get_ifindex(a) != ifindex)
			continue;
		nl_addr2str(rtnl_addr_get_local(a), buf, sizeof(buf));
		n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%s%s", n ? "\n" : "", buf);
	}
}

int cmd_ls(int argc, char **argv)
{
	static const struct ctu_out_column cols[] = {
		{ "NAME", 10, SCOLS_JSON_STRING, 0 },	 { "TYPE", 6, SCOLS_JSON_STRING, 0 },
		{ "STATE", 4, SCOLS_JSON_STRING, 0 },	 { "MTU", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "MASTER", 6, SCOLS_JSON_STRING, 0 },	 { "PEER", 8, SCOLS_JSON_STRING, 0 },
		{ "ADDRESSES", 0.3, SCOLS_JSON_ARRAY_STRING, SCOLS_FL_WRAP },
	};
	struct cmd_opts o = { 0 };
	struct nl_cache *links = NULL, *addrs = NULL;
	struct libscols_table *tb;

	parse_cmd_opts(argc, argv, "lJRO", &o);
	positional(argc, argv, 0, "");
	if (rtnl_link_alloc_cache(host.sk, AF_UNSPEC, &links) < 0 ||
	    rtnl_addr_alloc_cache(host.sk, &addrs) < 0)
		die("cannot list the interfaces: %s", sock_why(&host, -NLE_FAILURE));
	tb = ctu_out_table("interfaces", cols, CTU_ARRAY_SIZE(cols), &output);
	for (struct nl_object *ob = nl_cache_get_first(links); tb && ob; ob = nl_cache_get_next(ob)) {
		struct rtnl_link *l = (struct rtnl_link *)ob;
		char mtu[16], master[IFNAMSIZ + 8], peer[64], addresses[1024];
		const char *cells[7];

		if (!o.all && rtnl_link_get_flags(l) & IFF_LOOPBACK)
			continue;
		snprintf(mtu, sizeof(mtu), "%u", rtnl_link_get_mtu(l));
		name_of(links, rtnl_link_get_master(l), master, sizeof(master));
		peer_of(links, l, peer, sizeof(peer));
		addresses_of(addrs, rtnl_link_get_ifindex(l), addresses, sizeof(addresses));
		cells[0] = rtnl_link_get_name(l);
		cells[1] = link_type(l);
		cells[2] = rtnl_link_get_flags(l) & IFF_UP ? "up" : "down";
		cells[3] = mtu;
		cells[4] = *master ? master : NULL;
		cells[5] = *peer ? peer : NULL;
		cells[6] = *addresses ? addresses : NULL;
		if (ctu_out_line(tb, cells, 7) < 0)
			die("out of memory");
	}
	nl_cache_free(links);
	nl_cache_free(addrs);
	if (!tb || ctu_out_print(tb) < 0)
		die("cannot write the output");
	return CTU_EXIT_OK;
}

