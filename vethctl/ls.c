// SPDX-License-Identifier: GPL-2.0-or-later
/* ls.c - vethctl ls: the interfaces of a namespace, as a table or JSON. */
#include <net/if.h>
#include <string.h>

#include "ctu.h"
#include "vethctl.h"

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

/* One row of the table for link @l. */
static int add_row(struct libscols_table *tb, struct nl_cache *links, struct nl_cache *addrs,
		   struct rtnl_link *l)
{
	char mtu[16], master[IFNAMSIZ + 8], peer[64], addresses[1024];
	const char *cells[7];

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
	return ctu_out_line(tb, cells, 7);
}

static int print_links(struct vethctl *v, struct nl_cache *links, struct nl_cache *addrs, bool all,
		       ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "NAME", 10, SCOLS_JSON_STRING, 0 },
		{ "TYPE", 6, SCOLS_JSON_STRING, 0 },
		{ "STATE", 4, SCOLS_JSON_STRING, 0 },
		{ "MTU", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "MASTER", 6, SCOLS_JSON_STRING, 0 },
		{ "PEER", 8, SCOLS_JSON_STRING, 0 },
		{ "ADDRESSES", 0.3, SCOLS_JSON_ARRAY_STRING, SCOLS_FL_WRAP },
	};
	struct libscols_table *tb =
	    ctu_out_table("interfaces", cols, CTU_ARRAY_SIZE(cols), &v->output);
	int r;

	if (!tb)
		return ctu_err_make(err, ENOMEM, "cannot write the output");
	for (struct nl_object *ob = nl_cache_get_first(links); ob; ob = nl_cache_get_next(ob)) {
		struct rtnl_link *l = (struct rtnl_link *)ob;

		if (!all && rtnl_link_get_flags(l) & IFF_LOOPBACK)
			continue;
		if (add_row(tb, links, addrs, l) < 0) {
			scols_unref_table(tb);
			return ctu_err_make(err, ENOMEM, "cannot list the interfaces");
		}
	}
	r = ctu_out_print(tb);
	return r < 0 ? ctu_err_make(err, -r, "cannot write the output") : 0;
}

int cmd_ls(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { 0 };
	struct nl_cache *links = NULL, *addrs = NULL;
	bool all = false;
	char **args;
	int r;

	if (cmd_parse(v, argc, argv, longopts, fields, &all, err) < 0 ||
	    operands(argc, argv, 0, "", &args, err) < 0)
		return ctu_err_code(*err);
	if ((r = rtnl_link_alloc_cache(v->host.sk, AF_UNSPEC, &links)) < 0 ||
	    (r = rtnl_addr_alloc_cache(v->host.sk, &addrs)) < 0)
		r = sock_err(&v->host, r, err, "cannot list the interfaces");
	else
		r = print_links(v, links, addrs, all, err);
	if (links)
		nl_cache_free(links);
	if (addrs)
		nl_cache_free(addrs);
	return r;
}
