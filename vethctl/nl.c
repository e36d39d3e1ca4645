// SPDX-License-Identifier: GPL-2.0-or-later
/* nl.c - netlink sockets in any namespace, with real errors (see nl.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "net.h"
#include "netns.h"
#include "nl.h"
#include "ns.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * libnl hands us the kernel's nlmsgerr: keep its errno, and with
 * NETLINK_EXT_ACK the message the kernel attached ("mtu greater than
 * device maximum").
 */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlsock *s = arg;
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	(void)nla;
	s->kerr = -e->error;
	s->kmsg[0] = '\0';
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = NLMSG_ALIGN(sizeof(*e) + ((h->nlmsg_flags & NLM_F_CAPPED)
							   ? 0
							   : e->msg.nlmsg_len - NLMSG_HDRLEN));
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
		int len = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;

		if (len > 0 &&
		    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off), len,
			      NULL) == 0 &&
		    tb[NLMSGERR_ATTR_MSG])
			snprintf(s->kmsg, sizeof(s->kmsg), "%s",
				 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	}
	return NL_STOP;
}

static int connect_socket(void *arg)
{
	struct nlsock *s = arg;
	int one = 1;

	s->sk = nl_socket_alloc();
	if (!s->sk)
		return -ENOMEM;
	if (nl_connect(s->sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(s->sk);
		s->sk = NULL;
		return -EIO;
	}
	nl_socket_modify_err_cb(s->sk, NL_CB_CUSTOM, on_error, s);
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	fcntl(nl_socket_get_fd(s->sk), F_SETFD, FD_CLOEXEC);
	return 0;
}

int netns_open(const char *spec, ctu_err_t *err)
{
	return ctu_ns_open_spec(spec, ctu_ns_by_name("net"), err);
}

int sock_open(struct nlsock *s, const char *ns_spec, ctu_err_t *err)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->nsfd = -1;
	s->nsname = ns_spec;
	if (ns_spec && (s->nsfd = netns_open(ns_spec, err)) < 0) {
		s->nsfd = -1;
		return ctu_err_code(*err);
	}
	r = ctu_netns_call(s->nsfd, connect_socket, s);
	if (r == -ENOTRECOVERABLE)
		return ctu_err_make(err, 0, "cannot return to our own network namespace");
	if (r == -EPERM) {
		ctu_err_make(err, EPERM, "cannot enter network namespace %s", ns_spec);
		return ctu_err_hint(err, "needs CAP_SYS_ADMIN over it");
	}
	if (r < 0)
		return ctu_err_make(err, -r, "cannot open a netlink socket%s%s",
				    ns_spec ? " in " : "", ns_spec ? ns_spec : "");
	return 0;
}

void sock_close(struct nlsock *s)
{
	if (s->sk)
		nl_socket_free(s->sk);
	s->sk = NULL;
	if (s->nsfd >= 0)
		close(s->nsfd);
	s->nsfd = -1;
}

void sock_clear(struct nlsock *s)
{
	s->kerr = 0;
	s->kmsg[0] = '\0';
}

int sock_errno(struct nlsock *s, int nle)
{
	if (s->kerr)
		return s->kerr;
	switch (-nle) {
	case NLE_EXIST:
		return EEXIST;
	case NLE_NODEV:
		return ENODEV;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_INVAL:
		return EINVAL;
	default:
		return EIO;
	}
}

int sock_err(struct nlsock *s, int nle, ctu_err_t *err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!s->kerr)
		return ctu_err_make(err, 0, "%s: %s", what, nl_geterror(nle));
	ctu_err_make(err, s->kerr, "%s", what);
	if (*s->kmsg)
		ctu_err_hint(err, "%s", s->kmsg);
	return ctu_err_code(*err);
}

int link_get(struct nlsock *s, const char *name, struct rtnl_link **out)
{
	int r;

	*out = NULL;
	sock_clear(s);
	r = rtnl_link_get_kernel(s->sk, 0, name, out);
	if (r < 0)
		return -sock_errno(s, r);
	/* libnl 3.7 answers 0 without a link when the reply was lost (recvmsg failed) */
	return *out ? 0 : -EIO;
}

const char *link_kind(struct rtnl_link *l)
{
	const char *t = rtnl_link_get_type(l);

	return t ? t : "";
}

int sock_request(struct nlsock *s, struct nl_msg *msg, sock_reply_fn *fn, void *arg)
{
	int e;

	sock_clear(s);
	e = ctu_nl_request(s->sk, msg, fn, arg);
	if (e == -NLE_NOMEM && !s->kerr)
		return -ENOMEM;
	return e < 0 ? -sock_errno(s, e) : 0;
}
