/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h - vethctl's netlink sockets over libnl-3: one bound to any network
 * namespace, errors reported with the kernel's errno and its own message
 * (extended ACK), and link look-ups that avoid libnl 3.7's traps.
 */
#ifndef VETHCTL_NL_H
#define VETHCTL_NL_H

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <stdbool.h>

#include "err.h"

/* A netlink socket and the last error the kernel sent on it. */
struct nlsock {
	struct nl_sock *sk;
	int nsfd;	    /* the namespace it lives in, for the undo log; -1: ours */
	int kerr;	    /* the kernel's errno of the last failure, or 0 */
	char kmsg[256];	    /* its extended-ACK message, or "" */
	const char *nsname; /* the namespace spec it lives in (NULL: ours) */
};
#define NLSOCK_INIT                                                                                \
	{                                                                                          \
		.nsfd = -1                                                                         \
	}

/* An O_CLOEXEC fd of the network namespace @spec, or a message naming it. */
int netns_open(const char *spec, ctu_err_t *err);

/*
 * Opens a route socket inside the network namespace @ns_spec (a PID, a
 * path, or a /run/netns name; NULL: ours).  The socket is bound to the
 * namespace it is created in, so we step in, create it, and step back at
 * once.  Returns 0, or a negative number with *@err set.
 */
int sock_open(struct nlsock *s, const char *ns_spec, ctu_err_t *err);
void sock_close(struct nlsock *s);
#define _cleanup_nlsock_ __attribute__((cleanup(sock_close)))

/*
 * Fills *@err for the failed request @nle on @s: "WHAT: why", why being
 * the kernel's errno with its extended-ACK message as the hint (libnl maps
 * many errnos to "Unspecific failure"), else libnl's own text.
 */
int sock_err(struct nlsock *s, int nle, ctu_err_t *err, const char *fmt, ...) CTU_PRINTF(4, 5);

/* The kernel's errno behind @nle. */
int sock_errno(struct nlsock *s, int nle);

/* Resets the remembered error before a request. */
void sock_clear(struct nlsock *s);

/*
 * Sends @msg on @s and hands each message of the answer to @fn, up to the
 * kernel's ACK.  For requests libnl has no call for.  Returns 0, or -errno
 * (the kernel's, with its message in @s).
 */
typedef void sock_reply_fn(struct nlmsghdr *h, void *arg);
int sock_request(struct nlsock *s, struct nl_msg *msg, sock_reply_fn *fn, void *arg);

/* A link by name, fresh from the kernel (caller puts it).  0, -ENODEV or -errno. */
int link_get(struct nlsock *s, const char *name, struct rtnl_link **out);

/* The link's kind ("veth", "bridge", ...), or "" for a plain device. */
const char *link_kind(struct rtnl_link *l);

/* For _cleanup_: libnl objects put when they go out of scope. */
static inline void nl_addr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}
static inline void rtnl_link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
#define _cleanup_nladdr_ __attribute__((cleanup(nl_addr_putp)))
#define _cleanup_link_	 __attribute__((cleanup(rtnl_link_putp)))

#endif
