// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pair.c - vethctl add, del, bridge add|del, attach and detach: veth pairs,
 * bridges and their ports.  What add and bridge add make is deleted again
 * when a later step fails.
 */
#include <net/if.h>
#include <stddef.h>
#include <string.h>

#include "ctu.h"
#include "nat.h"
#include "vethctl.h"

/* ---- add ------------------------------------------------------------------- */

/* The options of add (bridge add takes three of them). */
struct add_options {
	const char *peer, *peer_ns, *addr, *peer_addr, *mtu, *mac, *peer_mac, *bridge;
	bool no_up;
};

static int parse_add(struct vethctl *v, int argc, char **argv, struct add_options *o, char ***args,
		     ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "peer", required_argument, NULL, OPT_PEER },
		{ "peer-netns", required_argument, NULL, OPT_PEER_NETNS },
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "peer-addr", required_argument, NULL, OPT_PEER_ADDR },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "peer-mac", required_argument, NULL, OPT_PEER_MAC },
		{ "bridge", required_argument, NULL, OPT_BRIDGE },
		{ "no-up", no_argument, NULL, OPT_NO_UP },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = {
		offsetof(struct add_options, peer),	offsetof(struct add_options, peer_ns),
		offsetof(struct add_options, addr),	offsetof(struct add_options, peer_addr),
		offsetof(struct add_options, mtu),	offsetof(struct add_options, mac),
		offsetof(struct add_options, peer_mac), offsetof(struct add_options, bridge),
		offsetof(struct add_options, no_up),
	};

	if (cmd_parse(v, argc, argv, longopts, fields, o, err) < 0)
		return ctu_err_code(*err);
	return operands(argc, argv, 1, "expected <name>", args, err);
}

/* What add makes, from its options: all checked before the kernel is asked. */
struct add_job {
	struct veth_spec veth;
	char default_peer[IFNAMSIZ + 1];
	struct nl_addr *addr, *peer_addr;
};

static void add_job_free(struct add_job *j)
{
	nl_addr_putp(&j->addr);
	nl_addr_putp(&j->peer_addr);
	nl_addr_putp(&j->veth.mac);
	nl_addr_putp(&j->veth.peer_mac);
}

static int add_values(struct vethctl *v, const char *name, const struct add_options *o,
		      struct add_job *j, ctu_err_t *err)
{
	struct veth_spec *s = &j->veth;

	if (check_ifname(name, "interface name", err) < 0)
		return ctu_err_code(*err);
	s->name = name;
	snprintf(j->default_peer, sizeof(j->default_peer), "%sp", name);
	s->peer = o->peer ? o->peer : j->default_peer;
	if (check_ifname(s->peer, "peer name", err) < 0)
		return ctu_err_code(*err);
	if (!strcmp(s->name, s->peer) && !o->peer_ns)
		return ctu_err_usage(err,
				     "add: the two ends need different names in one namespace");
	if ((o->addr && cidr_value(o->addr, true, "--addr", &j->addr, err) < 0) ||
	    (o->peer_addr &&
	     cidr_value(o->peer_addr, true, "--peer-addr", &j->peer_addr, err) < 0) ||
	    (o->mtu && mtu_value(o->mtu, &s->mtu, err) < 0) ||
	    (o->mac && mac_value(o->mac, &s->mac, err) < 0) ||
	    (o->peer_mac && mac_value(o->peer_mac, &s->peer_mac, err) < 0))
		return ctu_err_code(*err);
	if (!s->mac)
		s->mac = mac_from_name(s->name, v->netns_spec);
	if (!s->peer_mac)
		s->peer_mac = mac_from_name(s->peer, o->peer_ns);
	if (!s->mac || !s->peer_mac)
		return ctu_err_make(err, ENOMEM, "add %s", name);
	s->up = !o->no_up;
	if (o->bridge) {
		if (check_ifname(o->bridge, "bridge name", err) < 0 ||
		    (s->master = bridge_index(&v->host, o->bridge, err)) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* The peer's side, on @ps (its namespace's socket): up, and its address. */
static int configure_peer(struct nlsock *ps, const struct add_job *j, const char *peer_addr,
			  ctu_err_t *err)
{
	int r = j->veth.up ? bring_up(ps, j->veth.peer) : 0;

	if (r < 0)
		return sock_err(ps, r, err, "cannot bring up %s", j->veth.peer);
	if (j->peer_addr && (r = add_address(ps, j->veth.peer, j->peer_addr, false)) < 0)
		return address_err(ps, r, peer_addr, j->veth.peer, err);
	return 0;
}

int cmd_add(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	_cleanup_undo_ struct ctu_undo undo = CTU_UNDO_INIT;
	_cleanup_(add_job_free) struct add_job j = { .veth.peer_nsfd = -1 };
	/* the peer's namespace: ours unless --peer-netns (then a socket there) */
	_cleanup_nlsock_ struct nlsock other = NLSOCK_INIT;
	struct nlsock *ps = &v->host;
	struct add_options o = { 0 };
	char **args;
	int r;

	if (parse_add(v, argc, argv, &o, &args, err) < 0 || add_values(v, args[0], &o, &j, err) < 0)
		return ctu_err_code(*err);
	if (o.peer_ns) {
		/* the socket there first: failing later would leave the pair behind */
		if (sock_open(&other, o.peer_ns, err) < 0)
			return ctu_err_code(*err);
		ps = &other;
		j.veth.peer_nsfd = other.nsfd;
	}
	if (create_veth(&v->host, &j.veth, &undo, err) < 0)
		return ctu_err_code(*err);
	/* the addresses, after the pair: a failure removes the pair again */
	if (j.addr && (r = add_address(&v->host, j.veth.name, j.addr, false)) < 0) {
		address_err(&v->host, r, o.addr, j.veth.name, err);
		return said_removed(err, "the veth pair was removed");
	}
	if (configure_peer(ps, &j, o.peer_addr, err) < 0)
		return said_removed(err, "the veth pair was removed");
	ctu_undo_forget(&undo);
	return 0;
}

/* ---- del, bridge add|del --------------------------------------------------- */

int cmd_del(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	char **args;
	int r;

	if (plain_operands(v, argc, argv, 1, "expected <name>", &args, err) < 0 ||
	    check_ifname(args[0], "interface name", err) < 0 ||
	    link_or_err(&v->host, args[0], &l, err) < 0)
		return ctu_err_code(*err);
	sock_clear(&v->host);
	r = rtnl_link_delete(v->host.sk, l);
	if (r < 0)
		return link_err(&v->host, r, "cannot delete", args[0], err);
	/* a connected container's host end: its published ports and NAT go with it */
	if (!strcmp(link_kind(l), "veth"))
		drop_veth(v, args[0], NULL, 0);
	return 0;
}

/* The name of the bridge to make is taken: by a bridge, or by something else. */
static int name_taken(struct nlsock *s, const char *br, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;

	if (link_or_err(s, br, &l, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(link_kind(l), "bridge"))
		return ctu_err_make(err, 0, "%s already exists and is not a bridge", br);
	return ctu_err_make(err, 0, "bridge %s already exists", br);
}

static int bridge_add(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "no-up", no_argument, NULL, OPT_NO_UP },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = {
		offsetof(struct add_options, addr),
		offsetof(struct add_options, mtu),
		offsetof(struct add_options, no_up),
	};
	_cleanup_undo_ struct ctu_undo undo = CTU_UNDO_INIT;
	_cleanup_nladdr_ struct nl_addr *addr = NULL;
	struct add_options o = { 0 };
	const char *addr_text;
	unsigned int mtu = 0;
	char **args;
	int r;

	if (cmd_parse(v, argc, argv, longopts, fields, &o, err) < 0 ||
	    operands(argc, argv, 1, "expected <bridge>", &args, err) < 0 ||
	    check_ifname(args[0], "bridge name", err) < 0 ||
	    (o.addr && cidr_value(o.addr, true, "--addr", &addr, err) < 0) ||
	    (o.mtu && mtu_value(o.mtu, &mtu, err) < 0))
		return ctu_err_code(*err);
	addr_text = o.addr;
	r = create_bridge(&v->host, args[0], v->netns_spec, mtu, !o.no_up, &undo, err);
	if (r < 0 && sock_errno(&v->host, r) == EEXIST)
		return name_taken(&v->host, args[0], err);
	if (r < 0)
		return r;
	if (addr && (r = add_address(&v->host, args[0], addr, false)) < 0) {
		address_err(&v->host, r, addr_text, args[0], err);
		return said_removed(err, "the bridge was removed");
	}
	ctu_undo_forget(&undo);
	return 0;
}

static int bridge_del(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	char **args;

	if (plain_operands(v, argc, argv, 1, "expected <bridge>", &args, err) < 0 ||
	    check_ifname(args[0], "bridge name", err) < 0 ||
	    bridge_index(&v->host, args[0], err) < 0)
		return ctu_err_code(*err);
	delete_link(&v->host, args[0]);
	if (v->host.kerr)
		return ctu_err_make(err, v->host.kerr, "cannot delete bridge %s", args[0]);
	return 0;
}

int cmd_bridge(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	if (argc < 2)
		return ctu_err_usage(err, "bridge: expected add or del");
	if (!strcmp(argv[1], "add"))
		return bridge_add(v, argc - 1, argv + 1, err);
	if (!strcmp(argv[1], "del"))
		return bridge_del(v, argc - 1, argv + 1, err);
	return ctu_err_usage(err, "bridge: unknown subcommand '%s' (add or del)", argv[1]);
}

/* ---- attach, detach ----------------------------------------------------------- */

static void set_master(struct rtnl_link *chg, void *idx)
{
	rtnl_link_set_master(chg, *(int *)idx);
}

int cmd_attach(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	char **args;
	int idx;

	if (plain_operands(v, argc, argv, 2, "expected <interface> <bridge>", &args, err) < 0 ||
	    check_ifname(args[0], "interface name", err) < 0 ||
	    check_ifname(args[1], "bridge name", err) < 0)
		return ctu_err_code(*err);
	/* looked up first: libnl would send master 0, a release, for a missing one */
	idx = bridge_index(&v->host, args[1], err);
	if (idx < 0)
		return idx;
	return change_link(&v->host, args[0], set_master, &idx, "cannot attach", err);
}

int cmd_detach(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	char **args;
	int none = 0;

	if (plain_operands(v, argc, argv, 1, "expected <interface>", &args, err) < 0 ||
	    check_ifname(args[0], "interface name", err) < 0 ||
	    link_or_err(&v->host, args[0], &l, err) < 0)
		return ctu_err_code(*err);
	if (!rtnl_link_get_master(l))
		return ctu_err_make(err, 0, "%s is not attached to a bridge", args[0]);
	return change_link(&v->host, args[0], set_master, &none, "cannot detach", err);
}
