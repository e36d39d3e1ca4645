/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-veth COUNT PREFIX: add COUNT veth pairs PREFIX<n>/PREFIX<n>p, then
 * delete them: one RTM_NEWLINK and one RTM_DELLINK per pair on one netlink
 * socket (libnl-route, as vethctl), the links left down as `ip link add` does.
 */
#include "floor.h"
#include <stdio.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

static void add_pair(struct nl_sock *sk, const char *name, const char *peer_name)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	int rc;

	if (!link)
		errx(1, "rtnl_link_veth_alloc");
	rtnl_link_set_name(link, name);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_put(peer);
	rc = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (rc < 0)
		errx(1, "add %s: %s", name, nl_geterror(rc));
	rtnl_link_veth_release(link);
}

static void delete_link(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int rc;

	rtnl_link_set_name(link, name);
	rc = rtnl_link_delete(sk, link);
	if (rc < 0)
		errx(1, "delete %s: %s", name, nl_geterror(rc));
	rtnl_link_put(link);
}

int main(int argc, char **argv)
{
	struct nl_sock *sk = nl_socket_alloc();
	char name[32], peer[32];
	int count;

	if (argc != 3)
		errx(2, "usage: floor-veth COUNT PREFIX");
	count = atoi(argv[1]);
	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
		errx(1, "netlink socket");
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%d", argv[2], i);
		snprintf(peer, sizeof(peer), "%s%dp", argv[2], i);
		add_pair(sk, name, peer);
	}
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%d", argv[2], i);
		delete_link(sk, name);
	}
	nl_socket_free(sk);
	return 0;
}
