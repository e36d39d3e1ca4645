// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * undo_link.c - the rollback log's network links: deleted by ifindex in the
 * namespace they were made in, over a netlink socket made there when the
 * log is replayed.  A file of its own so that only the tools that record
 * links pull in libnl.
 */
#include <errno.h>
#include <fcntl.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <unistd.h>

#include "ctu.h"
#include "netns.h"
#include "undo-entry.h"

static int connect_route(void *sk)
{
	return nl_connect(sk, NETLINK_ROUTE) < 0 ? -EIO : 0;
}

static void replay_link(const struct ctu_undo_entry *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *l = rtnl_link_alloc();

	int r = sk && l ? ctu_netns_call(e->fd, connect_route, sk) : -ENOMEM;

	/* stranded there (ENOTRECOVERABLE), the socket is still the right one */
	if (r == 0 || r == -ENOTRECOVERABLE) {
		rtnl_link_set_ifindex(l, e->ifindex);
		rtnl_link_delete(sk, l); /* a veth's other end goes with it */
	}
	if (l)
		rtnl_link_put(l);
	if (sk)
		nl_socket_free(sk);
}

int ctu_undo_link(struct ctu_undo *u, int netnsfd, int ifindex, ctu_err_t *err)
{
	/*
	 * The namespace is pinned now, ours too: replaying must reach the
	 * namespace the link was made in, whichever one we are in by then.
	 */
	struct ctu_undo_entry e = { .replay = replay_link, .ifindex = ifindex };

	e.fd = netnsfd >= 0 ? fcntl(netnsfd, F_DUPFD_CLOEXEC, 3)
			    : open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (e.fd < 0) {
		int saved = errno;
		struct ctu_undo_entry now = e;

		now.fd = netnsfd;
		replay_link(&now);
		return ctu_err_make(err, saved, "cannot record what to undo");
	}
	return ctu_undo_push(u, &e, err);
}
