// SPDX-License-Identifier: GPL-2.0-or-later
/* net.c - a veth's other end across network namespaces (see net.h). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "net.h"

const char *const ctu_netns_dirs_ip[] = { "/run/netns", NULL };
const char *const ctu_netns_dirs_all[] = { "/run/netns", "/run/docker/netns", NULL };

struct reply {
	ctu_nl_reply_fn *fn;
	void *arg;
	bool acked;
};

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;

	r->fn(nlmsg_hdr(msg), r->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct reply *)arg)->acked = true;
	return NL_STOP;
}

int ctu_nl_request(struct nl_sock *sk, struct nl_msg *msg, ctu_nl_reply_fn *fn, void *arg)
{
	struct reply r = { .fn = fn, .arg = arg };
	struct nl_cb *ours = nl_socket_get_cb(sk);
	/* the socket's callbacks (its error handler) plus ours, for this request only */
	struct nl_cb *cb = nl_cb_clone(ours);
	int e;

	nl_cb_put(ours);
	if (!cb)
		return -NLE_NOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	/* the answer, then the ACK that nl_send_auto() asks for; an error ends it */
	e = nl_send_auto(sk, msg);
	while (e >= 0 && !r.acked)
		e = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	return e < 0 ? e : 0;
}

static void on_nsid(struct nlmsghdr *h, void *nsid)
{
	struct nlattr *a = nlmsg_find_attr(h, sizeof(struct rtgenmsg), NETNSA_NSID);

	if (h->nlmsg_type == RTM_NEWNSID && a)
		*(int *)nsid = nla_get_s32(a);
}

int ctu_net_nsid_of(struct nl_sock *sk, int nsfd)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, 0);
	int nsid = -1;

	/* NETNSA_FD is resolved in the sender's fd table: ours, whatever @sk's namespace */
	if (msg && nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) == 0 &&
	    nla_put_u32(msg, NETNSA_FD, (uint32_t)nsfd) == 0 &&
	    ctu_nl_request(sk, msg, on_nsid, &nsid) < 0)
		nsid = -1;
	nlmsg_free(msg);
	return nsid < 0 ? -1 : nsid;
}

void ctu_net_link_name(struct nl_cache *links, int ifindex, char *out, size_t size)
{
	out[0] = '\0';
	if (ifindex > 0 && !rtnl_link_i2name(links, ifindex, out, size))
		snprintf(out, size, "if%d", ifindex);
}

/* The answer to one RTM_GETLINK, for the namespace of id @nsid (-1: the socket's). */
struct link_answer {
	int nsid;
	bool found;
	struct ctu_net_link *link;
};

static void kind_of(struct nlattr *linkinfo, char *out, size_t size)
{
	struct nlattr *tb[IFLA_INFO_MAX + 1];

	if (linkinfo && nla_parse_nested(tb, IFLA_INFO_MAX, linkinfo, NULL) == 0 &&
	    tb[IFLA_INFO_KIND])
		nla_strlcpy(out, tb[IFLA_INFO_KIND], size);
}

static void on_link(struct nlmsghdr *h, void *arg)
{
	struct link_answer *a = arg;
	struct nlattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return;
	/* a kernel before 4.20 ignores the attribute and answers for the socket's namespace */
	if (a->nsid >= 0 && (!tb[IFLA_TARGET_NETNSID] || nla_get_s32(tb[IFLA_TARGET_NETNSID]) != a->nsid))
		return;
	nla_strlcpy(a->link->name, tb[IFLA_IFNAME], sizeof(a->link->name));
	if (tb[IFLA_MASTER])
		a->link->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	kind_of(tb[IFLA_LINKINFO], a->link->kind, sizeof(a->link->kind));
	a->found = true;
}

int ctu_net_link_by_index(struct nl_sock *sk, int nsid, int ifindex, struct ctu_net_link *out)
{
	struct link_answer a = { .nsid = nsid, .link = out };
	struct nl_msg *msg = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = rtnl_link_build_get_request(ifindex, NULL, &msg)) < 0)
		return r;
	if (nsid >= 0 && nla_put_s32(msg, IFLA_TARGET_NETNSID, nsid) < 0)
		r = -NLE_NOMEM;
	else
		r = ctu_nl_request(sk, msg, on_link, &a);
	nlmsg_free(msg);
	if (r == 0 && !a.found)
		r = -NLE_OBJ_NOTFOUND;
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

static int netns_names_add(struct ctu_netns_names *names, int nsid, const char *dir,
			   const char *name)
{
	struct ctu_netns_name *v = realloc(names->v, (names->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	names->v = v;
	v += names->n;
	v->nsid = nsid;
	v->name = strdup(name);
	if (!v->name || asprintf(&v->path, "%s/%s", dir, name) < 0) {
		free(v->name);
		return -1;
	}
	names->n++;
	return 0;
}

/* Each entry of @dir that the socket's namespace has an id for. */
static void netns_names_load_dir(struct nl_sock *sk, struct ctu_netns_names *names,
				 const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		int fd, nsid;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* O_NONBLOCK: a FIFO planted there must not hang us */
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		nsid = fd < 0 ? -1 : ctu_net_nsid_of(sk, fd);
		if (fd >= 0)
			close(fd);
		if (nsid >= 0 && netns_names_add(names, nsid, dir, e->d_name) < 0)
			return;
	}
}

const struct ctu_netns_name *ctu_netns_names_find(struct nl_sock *sk,
						  struct ctu_netns_names *names, int nsid)
{
	if (!names->loaded)
		for (size_t i = 0; names->dirs && names->dirs[i]; i++)
			netns_names_load_dir(sk, names, names->dirs[i]);
	names->loaded = true;
	for (size_t i = 0; i < names->n; i++)
		if (names->v[i].nsid == nsid)
			return &names->v[i];
	return NULL;
}

void ctu_netns_names_free(struct ctu_netns_names *names)
{
	for (size_t i = 0; i < names->n; i++) {
		free(names->v[i].name);
		free(names->v[i].path);
	}
	free(names->v);
	names->v = NULL;
	names->n = 0;
	names->loaded = false;
}

void ctu_veth_peer_of(struct nl_sock *sk, struct nl_cache *links, struct ctu_netns_names *names,
		      struct rtnl_link *l, struct ctu_veth_peer *p)
{
	const char *kind = rtnl_link_get_type(l);
	struct ctu_net_link peer;
	int32_t nsid;

	*p = (struct ctu_veth_peer){ .nsid = -1 };
	if (!kind || strcmp(kind, "veth") || rtnl_link_get_link(l) <= 0)
		return;
	p->ifindex = rtnl_link_get_link(l);
	if (rtnl_link_get_link_netnsid(l, &nsid) < 0 || nsid < 0) {
		struct rtnl_link *same = rtnl_link_get(links, p->ifindex);

		ctu_net_link_name(links, p->ifindex, p->name, sizeof(p->name));
		if (same) {
			p->master = rtnl_link_get_master(same);
			rtnl_link_put(same);
		}
		return;
	}
	p->nsid = nsid;
	/* EACCES without CAP_NET_ADMIN over that namespace: then no name */
	if (ctu_net_link_by_index(sk, nsid, p->ifindex, &peer) == 0) {
		memcpy(p->name, peer.name, sizeof(p->name));
		p->master = peer.master;
	}
	p->netns = ctu_netns_names_find(sk, names, nsid);
}
