// SPDX-License-Identifier: GPL-2.0-or-later
/* ls.c - vethctl ls: the interfaces of a namespace, as a table or JSON. */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "net.h"
#include "vethctl.h"

static const char *link_type(struct rtnl_link *l)
{
	if (*link_kind(l))
		return link_kind(l);
	return rtnl_link_get_flags(l) & IFF_LOOPBACK ? "loopback" : "device";
}

/* A veth's other end (lib/net), with the table's cell: name, name@netns, ifN@netnsidM. */
struct peer {
	struct ctu_veth_peer v;
	char text[IFNAMSIZ + 64];
};

static void peer_of(struct nlsock *s, struct nl_cache *links, struct ctu_netns_names *names,
		    struct rtnl_link *l, struct peer *p)
{
	struct ctu_veth_peer *v = &p->v;

	p->text[0] = '\0';
	sock_clear(s);
	ctu_veth_peer_of(s->sk, links, names, l, v);
	if (!v->ifindex)
		return;
	if (v->nsid < 0)
		snprintf(p->text, sizeof(p->text), "%s", v->name);
	else if (!*v->name) /* the kernel refused: the old, nameless form */
		snprintf(p->text, sizeof(p->text), "if%d@netnsid%d", v->ifindex, v->nsid);
	else if (v->netns)
		snprintf(p->text, sizeof(p->text), "%s@%s", v->name, v->netns->name);
	else
		snprintf(p->text, sizeof(p->text), "%s@netnsid%d", v->name, v->nsid);
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

/* The columns: all in JSON, the table has those of table_columns[]. */
enum {
	COL_NAME,
	COL_IFINDEX,
	COL_TYPE,
	COL_STATE,
	COL_MTU,
	COL_MASTER,
	COL_PEER,
	COL_PEER_IFINDEX,
	COL_PEER_NETNSID,
	COL_PEER_NETNS,
	COL_ADDRESSES,
	N_COLS
};
static const struct ctu_out_column columns[N_COLS] = {
	[COL_NAME] = { "NAME", 10, SCOLS_JSON_STRING, 0 },
	[COL_IFINDEX] = { "IFINDEX", 4, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	[COL_TYPE] = { "TYPE", 6, SCOLS_JSON_STRING, 0 },
	[COL_STATE] = { "STATE", 4, SCOLS_JSON_STRING, 0 },
	[COL_MTU] = { "MTU", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	[COL_MASTER] = { "MASTER", 6, SCOLS_JSON_STRING, 0 },
	[COL_PEER] = { "PEER", 8, SCOLS_JSON_STRING, 0 },
	[COL_PEER_IFINDEX] = { "PEER_IFINDEX", 4, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	[COL_PEER_NETNSID] = { "PEER_NETNSID", 4, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
	[COL_PEER_NETNS] = { "PEER_NETNS", 8, SCOLS_JSON_STRING, 0 },
	[COL_ADDRESSES] = { "ADDRESSES", 0.3, SCOLS_JSON_ARRAY_STRING, SCOLS_FL_WRAP },
};
static const int table_columns[] = { COL_NAME,	 COL_TYPE, COL_STATE,	 COL_MTU,
				     COL_MASTER, COL_PEER, COL_ADDRESSES };

struct listing {
	struct vethctl *v;
	struct nl_cache *links, *addrs;
	struct ctu_netns_names names;
	struct libscols_table *tb;
};

static void set_number(char *buf, size_t size, const char **cell, int n)
{
	snprintf(buf, size, "%d", n);
	*cell = buf;
}

/* One row for link @l: a cell per column, NULL for an empty one (null in JSON). */
static int add_row(struct listing *ls, struct rtnl_link *l)
{
	char ifindex[16], mtu[16], master[IFNAMSIZ + 8], addresses[1024], pidx[16], pnsid[16];
	const char *cells[N_COLS] = { 0 }, *row[N_COLS];
	bool json = ls->v->output.json;
	struct peer p;
	size_t n = 0;

	ctu_net_link_name(ls->links, rtnl_link_get_master(l), master, sizeof(master));
	peer_of(&ls->v->host, ls->links, &ls->names, l, &p);
	addresses_of(ls->addrs, rtnl_link_get_ifindex(l), addresses, sizeof(addresses));
	cells[COL_NAME] = rtnl_link_get_name(l);
	set_number(ifindex, sizeof(ifindex), &cells[COL_IFINDEX], rtnl_link_get_ifindex(l));
	cells[COL_TYPE] = link_type(l);
	cells[COL_STATE] = rtnl_link_get_flags(l) & IFF_UP ? "up" : "down";
	set_number(mtu, sizeof(mtu), &cells[COL_MTU], (int)rtnl_link_get_mtu(l));
	cells[COL_MASTER] = *master ? master : NULL;
	/* JSON: the name alone, its namespace in keys of their own */
	if (json)
		cells[COL_PEER] = *p.v.name ? p.v.name : NULL;
	else
		cells[COL_PEER] = *p.text ? p.text : NULL;
	if (p.v.ifindex)
		set_number(pidx, sizeof(pidx), &cells[COL_PEER_IFINDEX], p.v.ifindex);
	if (p.v.nsid >= 0)
		set_number(pnsid, sizeof(pnsid), &cells[COL_PEER_NETNSID], p.v.nsid);
	cells[COL_PEER_NETNS] = p.v.netns ? p.v.netns->name : NULL;
	cells[COL_ADDRESSES] = *addresses ? addresses : NULL;
	if (json)
		return ctu_out_line(ls->tb, cells, N_COLS);
	for (; n < CTU_ARRAY_SIZE(table_columns); n++)
		row[n] = cells[table_columns[n]];
	return ctu_out_line(ls->tb, row, n);
}

static struct libscols_table *new_table(const struct ctu_out_flags *flags)
{
	struct ctu_out_column cols[N_COLS];
	size_t n = 0;

	if (flags->json)
		return ctu_out_table("interfaces", columns, N_COLS, flags);
	for (; n < CTU_ARRAY_SIZE(table_columns); n++)
		cols[n] = columns[table_columns[n]];
	return ctu_out_table("interfaces", cols, n, flags);
}

static int print_links(struct listing *ls, bool all, ctu_err_t *err)
{
	int r;

	ls->tb = new_table(&ls->v->output);
	if (!ls->tb)
		return ctu_err_make(err, ENOMEM, "cannot write the output");
	for (struct nl_object *ob = nl_cache_get_first(ls->links); ob; ob = nl_cache_get_next(ob)) {
		struct rtnl_link *l = (struct rtnl_link *)ob;

		if (!all && rtnl_link_get_flags(l) & IFF_LOOPBACK)
			continue;
		if (add_row(ls, l) < 0) {
			scols_unref_table(ls->tb);
			return ctu_err_make(err, ENOMEM, "cannot list the interfaces");
		}
	}
	r = ctu_out_print(ls->tb);
	return r < 0 ? ctu_err_make(err, -r, "cannot write the output") : 0;
}

int cmd_ls(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { 0 };
	struct listing ls = { .v = v, .names = { .dirs = ctu_netns_dirs_ip } };
	bool all = false;
	char **args;
	int r;

	if (cmd_parse(v, argc, argv, longopts, fields, &all, err) < 0 ||
	    operands(argc, argv, 0, "", &args, err) < 0)
		return ctu_err_code(*err);
	if ((r = rtnl_link_alloc_cache(v->host.sk, AF_UNSPEC, &ls.links)) < 0 ||
	    (r = rtnl_addr_alloc_cache(v->host.sk, &ls.addrs)) < 0)
		r = sock_err(&v->host, r, err, "cannot list the interfaces");
	else
		r = print_links(&ls, all, err);
	if (ls.links)
		nl_cache_free(ls.links);
	if (ls.addrs)
		nl_cache_free(ls.addrs);
	ctu_netns_names_free(&ls.names);
	return r;
}
