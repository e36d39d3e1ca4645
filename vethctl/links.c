// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * links.c - vethctl's link work: look-ups, changes, addresses, routes, and
 * the creation of bridges and veth pairs, recorded in the undo log.
 * Masters are looked up before libnl would turn a missing one into a
 * release; a veth's peer is never read back with rtnl_link_veth_get_peer()
 * from a kernel object (it crashes in libnl 3.7).
 */
#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/route/link/veth.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctu.h"
#include "vethctl.h"

int link_or_err(struct nlsock *s, const char *name, struct rtnl_link **out, ctu_err_t *err)
{
	int r = link_get(s, name, out);

	if (r == -ENODEV)
		return ctu_err_make(err, 0, "no such interface: %s%s%s", name,
				    s->nsname ? " in " : "", s->nsname ? s->nsname : "");
	if (r < 0)
		return ctu_err_make(err, -r, "cannot look up %s", name);
	return 0;
}

int bridge_index(struct nlsock *s, const char *br, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;

	if (link_or_err(s, br, &l, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(link_kind(l), "bridge"))
		return ctu_err_make(err, 0, "%s is not a bridge", br);
	return rtnl_link_get_ifindex(l);
}

int link_err(struct nlsock *s, int nle, const char *what, const char *name, ctu_err_t *err)
{
	int e = sock_errno(s, nle);

	if (e == EEXIST)
		return ctu_err_make(err, 0, "%s %s: %s already exists", what, name, name);
	if (e == ENODEV)
		return ctu_err_make(err, 0, "%s %s: no such interface", what, name);
	if (e == EPERM || e == EACCES) {
		ctu_err_make(err, e, "%s %s", what, name);
		return ctu_err_hint(
		    err, "needs CAP_NET_ADMIN: run as root, or in 'unshare-lite -U -r -n'");
	}
	return sock_err(s, nle, err, "%s %s", what, name);
}

int said_removed(ctu_err_t *err, const char *what)
{
	if (*err && (*err)->hint)
		return ctu_err_hint(err, "%s; %s", (*err)->hint, what);
	return ctu_err_hint(err, "%s", what);
}

/* Sends a change of @name: @fill sets what changes on a new link object. */
int change_link(struct nlsock *s, const char *name, void (*fill)(struct rtnl_link *, void *),
		void *arg, const char *what, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *orig = NULL, *chg = NULL;
	int r;

	if (link_or_err(s, name, &orig, err) < 0)
		return ctu_err_code(*err);
	chg = rtnl_link_alloc();
	if (!chg)
		return ctu_err_make(err, ENOMEM, "%s %s", what, name);
	fill(chg, arg);
	sock_clear(s);
	r = rtnl_link_change(s->sk, orig, chg, 0);
	return r < 0 ? link_err(s, r, what, name, err) : 0;
}

/* Best effort, by name: for a link whose index we could not learn. */
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

int address_change(struct nlsock *s, int ifindex, struct nl_addr *a, bool broadcast, bool del)
{
	struct rtnl_addr *ad = rtnl_addr_alloc();
	_cleanup_nladdr_ struct nl_addr *brd = NULL;
	int r;

	if (!ad)
		return -NLE_NOMEM;
	rtnl_addr_set_ifindex(ad, ifindex);
	rtnl_addr_set_local(ad, a);
	/* the last address of an IPv4 prefix that has one (not /31, /32: RFC 3021) */
	if (broadcast && nl_addr_get_family(a) == AF_INET && nl_addr_get_prefixlen(a) < 31) {
		unsigned char b[4];
		unsigned int plen = nl_addr_get_prefixlen(a);
		uint32_t host = plen ? 0xffffffffu >> plen : 0xffffffffu;

		memcpy(b, nl_addr_get_binary_addr(a), 4);
		for (int i = 0; i < 4; i++)
			b[i] |= (unsigned char)(host >> (8 * (3 - i)));
		brd = nl_addr_build(AF_INET, b, 4);
		if (!brd) {
			rtnl_addr_put(ad);
			return -NLE_NOMEM;
		}
		rtnl_addr_set_broadcast(ad, brd);
	}
	sock_clear(s);
	r = del ? rtnl_addr_delete(s->sk, ad, 0) : rtnl_addr_add(s->sk, ad, 0);
	rtnl_addr_put(ad);
	return r;
}

int add_address(struct nlsock *s, const char *ifname, struct nl_addr *a, bool del)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = link_get(s, ifname, &l);

	if (r < 0)
		return r == -ENODEV ? -NLE_NODEV : -NLE_FAILURE;
	return address_change(s, rtnl_link_get_ifindex(l), a, false, del);
}

/*
 * The addresses of @ifindex (of @family, or all): a dump the kernel filters
 * by interface (strict checking, Linux 5.0), where libnl's address cache
 * would dump those of every interface, a link-local one per veth: with a
 * thousand containers on a bridge each connect read two thousand.  An older
 * kernel sends them all; the loop of the caller filters them anyway.
 */
int addr_cache_of(struct nlsock *s, int ifindex, int family, struct nl_cache **cache)
{
	struct ifaddrmsg req = { .ifa_family = (unsigned char)family, .ifa_index = (unsigned int)ifindex };
	int fd = nl_socket_get_fd(s->sk), on = 1, off = 0, r;

	r = nl_cache_alloc_name("route/addr", cache);
	if (r < 0)
		return r;
	/* only for this request: libnl's own dumps send headers strict checking refuses */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on));
	r = nl_send_simple(s->sk, RTM_GETADDR, NLM_F_DUMP, &req, sizeof(req));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
	if (r >= 0)
		r = nl_cache_pickup(s->sk, *cache);
	if (r < 0) {
		nl_cache_free(*cache);
		*cache = NULL;
	}
	return r;
}

struct link_addr *link_addrs_of(struct nlsock *s, int ifindex, int family, size_t *n)
{
	struct nl_cache *cache = NULL;
	struct link_addr *out = NULL;

	*n = 0;
	if (addr_cache_of(s, ifindex, family, &cache) < 0)
		return NULL;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ad = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ad);
		int f = rtnl_addr_get_family(ad);
		struct link_addr *more;

		if (rtnl_addr_get_ifindex(ad) != ifindex || (family && f != family) || !local ||
		    (f != AF_INET && f != AF_INET6) ||
		    nl_addr_get_len(local) != (f == AF_INET ? 4u : 16u))
			continue;
		more = realloc(out, (*n + 1) * sizeof(*out));
		if (!more)
			break;
		out = more;
		memset(&out[*n], 0, sizeof(out[*n]));
		out[*n].ip.family = f;
		memcpy(out[*n].ip.b, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
		out[*n].plen = (unsigned int)rtnl_addr_get_prefixlen(ad);
		(*n)++;
	}
	nl_cache_free(cache);
	return out;
}

int address_err(struct nlsock *s, int nle, const char *addr, const char *ifname, ctu_err_t *err)
{
	if (sock_errno(s, nle) == EEXIST)
		return ctu_err_make(err, 0, "cannot add address %s to %s: address already assigned",
				    addr, ifname);
	return sock_err(s, nle, err, "cannot add address %s to %s", addr, ifname);
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
	_cleanup_link_ struct rtnl_link *l = NULL, *chg = NULL;
	int r = link_get(s, name, &l);

	if (r < 0)
		return -NLE_NODEV;
	chg = rtnl_link_alloc();
	if (!chg)
		return -NLE_NOMEM;
	rtnl_link_set_flags(chg, IFF_UP);
	sock_clear(s);
	return rtnl_link_change(s->sk, l, chg, 0);
}

int route_send(struct nlsock *s, const struct route_spec *spec, bool del)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	int r;

	if (!rt || !nh) {
		if (rt)
			rtnl_route_put(rt);
		if (nh)
			rtnl_route_nh_free(nh);
		return -NLE_NOMEM;
	}
	rtnl_route_set_family(rt, nl_addr_get_family(spec->dst));
	rtnl_route_set_dst(rt, spec->dst);
	if (spec->protocol)
		rtnl_route_set_protocol(rt, spec->protocol);
	if (spec->scope >= 0)
		rtnl_route_set_scope(rt, (uint8_t)spec->scope);
	if (spec->table)
		rtnl_route_set_table(rt, spec->table);
	if (spec->priority)
		rtnl_route_set_priority(rt, spec->priority);
	if (spec->mtu)
		rtnl_route_set_metric(rt, RTAX_MTU, spec->mtu);
	if (spec->advmss)
		rtnl_route_set_metric(rt, RTAX_ADVMSS, spec->advmss);
	if (spec->gw)
		rtnl_route_nh_set_gateway(nh, spec->gw);
	if (spec->dev)
		rtnl_route_nh_set_ifindex(nh, spec->dev);
	rtnl_route_add_nexthop(rt, nh);
	sock_clear(s);
	r = del ? rtnl_route_delete(s->sk, rt, 0) : rtnl_route_add(s->sk, rt, spec->nlm_flags);
	rtnl_route_put(rt);
	return r;
}

/* A route: @dst (or "default") via @gw on @dev, libnl's protocol (static) and scope. */
int route_change(struct nlsock *s, struct nl_addr *dst, struct nl_addr *gw, int dev, bool del)
{
	struct route_spec spec = { .dst = dst, .gw = gw, .dev = dev, .scope = -1,
				   .nlm_flags = NLM_F_EXCL };

	return route_send(s, &spec, del);
}

/*
 * Deletes @name, made a moment ago by a request whose answer we lack: the
 * name was free before it, so a link of that name now is ours.  The
 * socket's error stays the one of that request, for the message.
 */
static void delete_made(struct nlsock *s, const char *name)
{
	char kmsg[sizeof(s->kmsg)];
	int kerr = s->kerr;

	memcpy(kmsg, s->kmsg, sizeof(kmsg));
	delete_link(s, name);
	s->kerr = kerr;
	memcpy(s->kmsg, kmsg, sizeof(kmsg));
}

/*
 * Records the link @name just made on @s in @undo, by its index.  When the
 * index cannot be learnt the link is deleted by name at once.
 */
static int record_link(struct nlsock *s, const char *name, struct ctu_undo *undo, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r = link_get(s, name, &l);

	if (r < 0) {
		delete_made(s, name);
		return ctu_err_make(err, -r, "cannot look up %s after creating it", name);
	}
	return ctu_undo_link(undo, s->nsfd, rtnl_link_get_ifindex(l), err);
}

/* Answers we only wait for: the ACK, or the error on_error() keeps. */
static void ignore_reply(struct nlmsghdr *h, void *arg)
{
	(void)h;
	(void)arg;
}

/* A new RTM_*LINK request for @ifindex (0: by name) of @family, or NULL. */
static struct nl_msg *link_msg(int type, int flags, int family, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = (unsigned char)family, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * The bridge's RTM_NEWLINK by hand: libnl 3.7 cannot say IFLA_BR_VLAN_FILTERING.
 * Name, MTU and MAC are in the creating request; NLM_F_EXCL, so an existing
 * link of that name is EEXIST, not a silent success.
 */
int bridge_create(struct nlsock *s, const struct bridge_spec *b)
{
	_cleanup_nladdr_ struct nl_addr *mac = mac_from_name(b->name, b->mac_salt);
	struct nl_msg *msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0);
	struct nlattr *info, *data;
	int r = -ENOMEM;

	if (!msg || !mac)
		goto out;
	if (b->up) {
		struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));

		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	if (nla_put_string(msg, IFLA_IFNAME, b->name) < 0 ||
	    nla_put(msg, IFLA_ADDRESS, 6, nl_addr_get_binary_addr(mac)) < 0 ||
	    (b->mtu && nla_put_u32(msg, IFLA_MTU, b->mtu) < 0) ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
		goto out;
	if (b->vlan_filtering) {
		if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
		    nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, 1) < 0)
			goto out;
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	r = sock_request(s, msg, ignore_reply, NULL);
out:
	if (msg)
		nlmsg_free(msg);
	return r;
}

int create_bridge(struct nlsock *s, const char *name, const char *mac_salt, unsigned int mtu,
		  bool up, struct ctu_undo *undo, ctu_err_t *err)
{
	struct bridge_spec b = { .name = name, .mac_salt = mac_salt, .mtu = mtu, .up = up };
	int r = bridge_create(s, &b);

	if (r == -ENOMEM)
		return ctu_err_make(err, ENOMEM, "cannot create bridge %s", name);
	if (r < 0 && r != -EEXIST)
		delete_made(s, name); /* the answer may only have been lost */
	if (r < 0)
		return link_err(s, -NLE_FAILURE, "cannot create bridge", name, err);
	return record_link(s, name, undo, err);
}

/*
 * An AF_BRIDGE RTM_SETLINK of port @ifindex, IFLA_PROTINFO (nested, or the
 * bridge reads it as an old RSTP state): its hairpin mode and isolation.
 * libnl 3.7 has no setter for isolation, and one request does both.
 */
int bridge_port_set(struct nlsock *s, int ifindex, const struct port_flags *f)
{
	struct nl_msg *msg = link_msg(RTM_SETLINK, 0, AF_BRIDGE, ifindex);
	struct nlattr *pi;
	int r = -ENOMEM;

	if (!msg || !(pi = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    nla_put_u8(msg, IFLA_BRPORT_MODE, f->hairpin) < 0 ||
	    (f->set_isolated && nla_put_u8(msg, IFLA_BRPORT_ISOLATED, f->isolated) < 0))
		goto out;
	nla_nest_end(msg, pi);
	r = sock_request(s, msg, ignore_reply, NULL);
out:
	if (msg)
		nlmsg_free(msg);
	return r;
}

/* VLAN @vid on bridge port @ifindex (IFLA_AF_SPEC), added with @flags or deleted. */
int bridge_port_vlan(struct nlsock *s, int ifindex, unsigned int vid, unsigned int flags, bool del)
{
	struct nl_msg *msg = link_msg(del ? RTM_DELLINK : RTM_SETLINK, 0, AF_BRIDGE, ifindex);
	struct bridge_vlan_info vi = { .flags = (uint16_t)flags, .vid = (uint16_t)vid };
	struct nlattr *af;
	int r = -ENOMEM;

	if (!msg || !(af = nla_nest_start(msg, IFLA_AF_SPEC)) ||
	    nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi) < 0)
		goto out;
	nla_nest_end(msg, af);
	r = sock_request(s, msg, ignore_reply, NULL);
out:
	if (msg)
		nlmsg_free(msg);
	return r;
}

bool veth_peer_here(struct nlsock *here, struct rtnl_link *l, char *name)
{
	_cleanup_link_ struct rtnl_link *h = NULL;

	if (rtnl_link_get_kernel(here->sk, rtnl_link_get_link(l), NULL, &h) < 0 || !h ||
	    strcmp(link_kind(h), "veth") || rtnl_link_get_link(h) != rtnl_link_get_ifindex(l))
		return false;
	snprintf(name, IFNAMSIZ, "%s", rtnl_link_get_name(h));
	return true;
}

/* ---- waiting for a link's operational state ------------------------------------- */

int link_watch_open(struct link_watch *w)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (RTNLGRP_LINK - 1) };

	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (w->fd < 0)
		return -errno;
	if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(w->fd);
		w->fd = -1;
		return -e;
	}
	return 0;
}

void link_watch_close(struct link_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* The operational state in one RTM_NEWLINK of @ifindex, or -1. */
static int oper_in(struct nlmsghdr *h, int ifindex)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a;
	int len;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    ifi->ifi_index != ifindex)
		return -1;
	len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_OPERSTATE && RTA_PAYLOAD(a) >= 1)
			return *(unsigned char *)RTA_DATA(a);
	return -1;
}

/* The state now, from the kernel (after a lost event too). */
static int oper_now(struct nlsock *s, int ifindex)
{
	_cleanup_link_ struct rtnl_link *l = NULL;

	if (rtnl_link_get_kernel(s->sk, ifindex, NULL, &l) < 0 || !l)
		return -1;
	return rtnl_link_get_operstate(l);
}

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

int link_watch_oper_up(struct link_watch *w, struct nlsock *s, int ifindex, int timeout_ms)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct timespec end;
	int state = oper_now(s, ifindex);
	long left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	while (state != LINK_OPER_UP && (left = ms_left(&end)) > 0) {
		struct pollfd p = { .fd = w->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(w->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			state = oper_now(s, ifindex); /* events were lost: ask */
			continue;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			int st = oper_in(h, ifindex);

			if (st >= 0)
				state = st;
		}
	}
	return state;
}

/*
 * One RTM_NEWLINK for both ends: the peer is born in its namespace, with
 * its name, MAC and MTU, and this end on its bridge (NLM_F_EXCL: an
 * existing name is an error, not a silent success).
 */
static int send_new_veth(struct nlsock *s, const struct veth_spec *v)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int r;

	if (!l)
		return -NLE_NOMEM;
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
	return r;
}

int create_veth(struct nlsock *s, const struct veth_spec *v, struct ctu_undo *undo, ctu_err_t *err)
{
	char pair_name[2 * IFNAMSIZ];
	struct rtnl_link *l;
	int r;

	snprintf(pair_name, sizeof(pair_name), "%s/%s", v->name, v->peer);

	/* taken names are refused before the request: see delete_made() */
	if (link_get(s, v->name, &l) == 0) {
		rtnl_link_put(l);
		r = -NLE_EXIST;
	} else {
		r = send_new_veth(s, v);
	}
	if (r == -NLE_EXIST || (r < 0 && sock_errno(s, r) == EEXIST)) {
		ctu_err_make(err, 0,
			     "cannot create veth pair %s: an interface of that name already exists",
			     pair_name);
		return -EEXIST;
	}
	if (r < 0) {
		delete_made(s, v->name); /* the answer may only have been lost */
		return link_err(s, r, "cannot create veth pair", pair_name, err);
	}
	return record_link(s, v->name, undo, err);
}
