/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.h - a veth's other end, seen from a route socket in any network
 * namespace.  The kernel reports a veth's peer as IFLA_LINK (its ifindex)
 * plus IFLA_LINK_NETNSID when it lives in another namespace: an id that
 * only the socket's namespace gives meaning to.  Everything here therefore
 * asks through the one socket: the peer's name (RTM_GETLINK with
 * IFLA_TARGET_NETNSID) and which named namespace holds that id (RTM_GETNSID
 * with the fd of each /run/netns entry).  Shared by vethctl ls and
 * nsenter-lite --inspect (moby#42466: "which host veth is my container's?").
 */
#ifndef CTU_NET_H
#define CTU_NET_H

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Sends @msg on @sk and hands each message of the answer to @fn, up to the
 * kernel's ACK, with the socket's own callbacks (its error handler) kept.
 * For requests libnl has no call for.  Returns 0, or libnl's negative
 * error code.
 */
typedef void ctu_nl_reply_fn(struct nlmsghdr *h, void *arg);
int ctu_nl_request(struct nl_sock *sk, struct nl_msg *msg, ctu_nl_reply_fn *fn, void *arg);

/* The id the namespace of @sk gives the namespace @nsfd (RTM_GETNSID, which assigns none), or -1. */
int ctu_net_nsid_of(struct nl_sock *sk, int nsfd);

/* The name of link @ifindex in @links into @out, "if<N>" when it is not there, "" for 0. */
void ctu_net_link_name(struct nl_cache *links, int ifindex, char *out, size_t size);

/* A link looked up by index in the namespace of id @nsid as @sk's namespace sees it. */
struct ctu_net_link {
	char name[IFNAMSIZ];
	int master;    /* its master's ifindex (in that namespace), or 0 */
	char kind[32]; /* IFLA_INFO_KIND ("bridge", "veth"), or "" */
};

/*
 * Link @ifindex of the namespace @nsid (-1: @sk's own) into *@out:
 * RTM_GETLINK with IFLA_TARGET_NETNSID, which the kernel answers only with
 * CAP_NET_ADMIN over that namespace (EACCES otherwise, and a kernel before
 * 4.20 ignores it: an answer for another namespace is refused here).
 * Returns 0 or libnl's negative error code (-NLE_OBJ_NOTFOUND for none).
 */
int ctu_net_link_by_index(struct nl_sock *sk, int nsid, int ifindex, struct ctu_net_link *out);

/* One named network namespace: an entry of a directory such as /run/netns. */
struct ctu_netns_name {
	int nsid;   /* the id the socket's namespace gives it */
	char *name; /* the entry's name */
	char *path; /* DIR/name */
};

/*
 * The named namespaces under @dirs (a NULL-ended list, read once, at the
 * first look-up) with the ids a socket's namespace gives them.  Start it
 * zeroed but for @dirs; free it with ctu_netns_names_free().
 */
struct ctu_netns_names {
	const char *const *dirs;
	bool loaded;
	size_t n;
	struct ctu_netns_name *v;
};

/* iproute2's directory alone (vethctl), and docker's after it (--inspect). */
extern const char *const ctu_netns_dirs_ip[];
extern const char *const ctu_netns_dirs_all[];

/* The named namespace of id @nsid as @sk's namespace sees it, or NULL. */
const struct ctu_netns_name *ctu_netns_names_find(struct nl_sock *sk,
						  struct ctu_netns_names *names, int nsid);
void ctu_netns_names_free(struct ctu_netns_names *names);

/* A veth's other end. */
struct ctu_veth_peer {
	int ifindex; /* 0: @l is not a veth (or its peer is unknown) */
	int nsid;    /* -1: the same namespace as @l */
	char name[IFNAMSIZ]; /* "" when the kernel refused to name it */
	int master;	     /* the peer's master's ifindex in its namespace, or 0 */
	const struct ctu_netns_name *netns; /* its namespace's name, or NULL */
};

/*
 * The peer of link @l, a link of @links dumped on @sk: from IFLA_LINK, and
 * IFLA_LINK_NETNSID when it lives elsewhere, named through @sk.
 */
void ctu_veth_peer_of(struct nl_sock *sk, struct nl_cache *links, struct ctu_netns_names *names,
		      struct rtnl_link *l, struct ctu_veth_peer *p);

#endif
