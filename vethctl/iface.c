// SPDX-License-Identifier: GPL-2.0-or-later
/* iface.c - vethctl move, addr add|del, up, down, mtu and route add|del. */
#include <net/if.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "vethctl.h"

/* ---- move ----------------------------------------------------------------------- */

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

int cmd_move(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { offsetof(struct move_arg, name) };
	_cleanup_close_ int nsfd = -1;
	struct move_arg m = { .nsfd = -1 };
	char **args;

	if (cmd_parse(v, argc, argv, longopts, fields, &m, err) < 0 ||
	    operands(argc, argv, 2, "expected <interface> <namespace>", &args, err) < 0 ||
	    check_ifname(args[0], "interface name", err) < 0 ||
	    (m.name && check_ifname(m.name, "--name", err) < 0))
		return ctu_err_code(*err);
	nsfd = m.nsfd = netns_open(args[1], err);
	if (nsfd < 0)
		return nsfd;
	return change_link(&v->host, args[0], set_netns, &m, "cannot move", err);
}

/* ---- addr, up, down, mtu ------------------------------------------------------- */

static int address_change_err(struct nlsock *s, int r, bool del, const char *addr,
			      const char *ifname, ctu_err_t *err)
{
	if (!del)
		return address_err(s, r, addr, ifname, err);
	if (sock_errno(s, r) == EADDRNOTAVAIL)
		return ctu_err_make(err, 0,
				    "cannot delete address %s from %s: it has no such address",
				    addr, ifname);
	return sock_err(s, r, err, "cannot delete address %s from %s", addr, ifname);
}

int cmd_addr(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	_cleanup_nladdr_ struct nl_addr *a = NULL;
	_cleanup_link_ struct rtnl_link *l = NULL;
	char **args;
	bool del;
	int r;

	if (argc < 2)
		return ctu_err_usage(err, "addr: expected add or del");
	if (strcmp(argv[1], "add") && strcmp(argv[1], "del"))
		return ctu_err_usage(err, "addr: unknown subcommand '%s': expected add or del",
				     argv[1]);
	del = !strcmp(argv[1], "del");
	if (plain_operands(v, argc - 1, argv + 1, 2, "expected <interface> <cidr>", &args, err) <
		0 ||
	    check_ifname(args[0], "interface name", err) < 0 ||
	    cidr_value(args[1], true, "address", &a, err) < 0 ||
	    link_or_err(&v->host, args[0], &l, err) < 0)
		return ctu_err_code(*err);
	r = add_address(&v->host, args[0], a, del);
	return r < 0 ? address_change_err(&v->host, r, del, args[1], args[0], err) : 0;
}

static int up_down(struct vethctl *v, int argc, char **argv, bool up, ctu_err_t *err)
{
	char **args;

	if (plain_operands(v, argc, argv, 1, "expected <interface>", &args, err) < 0 ||
	    check_ifname(args[0], "interface name", err) < 0)
		return ctu_err_code(*err);
	return change_link(&v->host, args[0], set_up_flag, &up,
			   up ? "cannot bring up" : "cannot bring down", err);
}

int cmd_up(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	return up_down(v, argc, argv, true, err);
}

int cmd_down(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	return up_down(v, argc, argv, false, err);
}

static void set_mtu(struct rtnl_link *chg, void *mtu)
{
	rtnl_link_set_mtu(chg, *(unsigned int *)mtu);
}

int cmd_mtu(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	unsigned int mtu;
	char **args;

	if (plain_operands(v, argc, argv, 2, "expected <interface> <mtu>", &args, err) < 0 ||
	    check_ifname(args[0], "interface name", err) < 0 || mtu_value(args[1], &mtu, err) < 0)
		return ctu_err_code(*err);
	return change_link(&v->host, args[0], set_mtu, &mtu, "cannot set the MTU of", err);
}

/* ---- route ------------------------------------------------------------------------ */

struct route_words {
	const char *dest, *via, *dev;
	struct nl_addr *dst, *gw;
};

static void route_words_free(struct route_words *w)
{
	nl_addr_putp(&w->dst);
	nl_addr_putp(&w->gw);
}

/* "<dest> [via <gw>] [dev <if>]" in @args (@n words). */
static int route_values(char **args, int n, struct route_words *w, ctu_err_t *err)
{
	w->dest = args[0];
	for (int i = 1; i < n; i += 2) {
		if (i + 1 >= n)
			return ctu_err_usage(err, "route: '%s' needs a value", args[i]);
		if (!strcmp(args[i], "via")) {
			nl_addr_putp(&w->gw);
			w->via = args[i + 1];
			if (cidr_value(w->via, false, "gateway", &w->gw, err) < 0)
				return ctu_err_code(*err);
		} else if (!strcmp(args[i], "dev")) {
			w->dev = args[i + 1];
			if (check_ifname(w->dev, "interface name", err) < 0)
				return ctu_err_code(*err);
		} else {
			return ctu_err_usage(err, "route: unexpected '%s' (via or dev)", args[i]);
		}
	}
	if (!strcmp(w->dest, "default")
		? default_route(w->gw, &w->dst, err) < 0
		: cidr_value(w->dest, true, "destination", &w->dst, err) < 0)
		return ctu_err_code(*err);
	/* after the destination: a bad one is named first */
	if (!w->gw && !w->dev)
		return ctu_err_usage(err, "route: needs via <gw> or dev <if>");
	if (w->gw && nl_addr_get_family(w->gw) != nl_addr_get_family(w->dst))
		return ctu_err_usage(err, "route: %s and %s are of different families", w->dest,
				     w->via);
	return 0;
}

static int route_err(struct nlsock *s, int r, bool del, const char *dest, ctu_err_t *err)
{
	const char *verb = del ? "delete" : "add";

	if (sock_errno(s, r) == EEXIST)
		return ctu_err_make(err, 0, "cannot add route %s: it exists already", dest);
	if (sock_errno(s, r) == ENETUNREACH)
		return ctu_err_make(
		    err, 0,
		    "cannot %s route %s: the gateway is not on a directly connected network", verb,
		    dest);
	return sock_err(s, r, err, "cannot %s route %s", verb, dest);
}

/* route add|del DEST [via GW] [dev IF] */
int cmd_route(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	_cleanup_(route_words_free) struct route_words w = { 0 };
	char **args;
	int n, idx = 0, r;
	bool del;

	if (no_options(v, argc, argv, err) < 0)
		return ctu_err_code(*err);
	args = argv + optind;
	n = argc - optind;
	if (n < 2 || (strcmp(args[0], "add") && strcmp(args[0], "del")))
		return ctu_err_usage(err, "route: expected add|del <dest> [via <gw>] [dev <if>]");
	del = !strcmp(args[0], "del");
	if (route_values(args + 1, n - 1, &w, err) < 0)
		return ctu_err_code(*err);
	if (w.dev) {
		_cleanup_link_ struct rtnl_link *l = NULL;

		if (link_or_err(&v->host, w.dev, &l, err) < 0)
			return ctu_err_code(*err);
		idx = rtnl_link_get_ifindex(l);
	}
	r = route_change(&v->host, w.dst, w.gw, idx, del);
	return r < 0 ? route_err(&v->host, r, del, w.dest, err) : 0;
}
