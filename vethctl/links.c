// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * links.c - vethctl's link work: look-ups, changes, addresses, routes, and
 * the creation of bridges and veth pairs, recorded in the undo log.
 * Masters are looked up before libnl would turn a missing one into a
 * release; a veth's peer is never read back with rtnl_link_veth_get_peer()
 * from a kernel object (it crashes in libnl 3.7).
 */
#include <net/if.h>
#include <netlink/route/link/veth.h>
#include <string.h>

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

int add_address(struct nlsock *s, const char *ifname, struct nl_addr *a, bool del)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	struct rtnl_addr *ad;
	int r = link_get(s, ifname, &l);

	if (r < 0)
		return r == -ENODEV ? -NLE_NODEV : -NLE_FAILURE;
	ad = rtnl_addr_alloc();
	if (!ad)
		return -NLE_NOMEM;
	rtnl_addr_set_ifindex(ad, rtnl_link_get_ifindex(l));
	rtnl_addr_set_local(ad, a);
	sock_clear(s);
	r = del ? rtnl_addr_delete(s->sk, ad, 0) : rtnl_addr_add(s->sk, ad, 0);
	rtnl_addr_put(ad);
	return r;
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

/* A route: @dst (or "default") via @gw on @dev. */
int route_change(struct nlsock *s, struct nl_addr *dst, struct nl_addr *gw, int dev, bool del)
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

int create_bridge(struct nlsock *s, const char *name, const char *mac_salt, unsigned int mtu,
		  bool up, struct ctu_undo *undo, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = rtnl_link_alloc();
	_cleanup_nladdr_ struct nl_addr *mac = mac_from_name(name, mac_salt);
	int r;

	if (!l || !mac)
		return ctu_err_make(err, ENOMEM, "cannot create bridge %s", name);
	rtnl_link_set_type(l, "bridge");
	rtnl_link_set_name(l, name);
	rtnl_link_set_addr(l, mac);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	if (up)
		rtnl_link_set_flags(l, IFF_UP);
	sock_clear(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0 && sock_errno(s, r) != EEXIST)
		delete_made(s, name); /* the answer may only have been lost */
	if (r < 0)
		return link_err(s, r, "cannot create bridge", name, err);
	return record_link(s, name, undo, err);
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
