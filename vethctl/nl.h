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

/* A netlink socket and the last error the kernel sent on it. */
struct nlsock {
	struct nl_sock *sk;
	int kerr;	    /* the kernel's errno of the last failure, or 0 */
	char kmsg[256];	    /* its extended-ACK message, or "" */
	const char *nsname; /* the namespace spec it lives in (NULL: ours) */
};

/*
 * Opens a route socket inside the network namespace @ns_spec (a PID, a
 * path, or a /run/netns name; NULL: ours).  The socket is bound to the
 * namespace it is created in, so we step in, create it, and step back at
 * once.  Returns 0 or -errno (-ENOENT for a namespace that does not exist).
 */
int sock_open(struct nlsock *s, const char *ns_spec);
void sock_close(struct nlsock *s);

/*
 * The text for a libnl return value @nle: the kernel's strerror and its
 * extended-ACK message when it sent one (libnl maps many errnos to
 * "Unspecific failure"), else libnl's own text.
 */
const char *sock_why(struct nlsock *s, int nle);

/* The kernel's errno behind @nle. */
int sock_errno(struct nlsock *s, int nle);

/* Resets the remembered error before a request. */
void sock_clear(struct nlsock *s);

/* A link by name, fresh from the kernel (caller puts it).  0, -ENODEV or -errno. */
int link_get(struct nlsock *s, const char *name, struct rtnl_link **out);

/* The link's kind ("veth", "bridge", ...), or "" for a plain device. */
const char *link_kind(struct rtnl_link *l);

#endif
