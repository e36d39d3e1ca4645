// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect_net.c - the net section: the target's interfaces with their
 * addresses, its routes, and for a veth the other end: its namespace, name,
 * master and master kind (moby#42466: "which host veth is my container's?").
 *
 * We never enter the target's namespaces ourselves: a child joins its user
 * namespace (when it is not ours: a rootless container) and its network
 * namespace, makes a route socket there and sends it back over SCM_RIGHTS.
 * A socket keeps the namespace it was made in, so everything after is
 * plain netlink on that socket, from our own namespaces.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctu.h"
#include "net.h"
#include "netns.h"
#include "json.h"
#include "nsenter-lite.h"

/* Whether the target's namespace of type @type ("user", "net") is ours. */
static bool shares_our_ns(const struct inspect_target *t, const char *type)
{
	char theirs[32], ours[64];
	struct stat a, b;

	snprintf(theirs, sizeof(theirs), "ns/%s", type);
	snprintf(ours, sizeof(ours), "/proc/thread-self/ns/%s", type);
	return fstatat(t->procfd, theirs, &a, 0) == 0 && stat(ours, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* In the child: the target's user namespace (unless ours), then its net namespace. */
static int join_target_net(const struct inspect_target *t)
{
	int flags = CLONE_NEWNET | (shares_our_ns(t, "user") ? 0 : CLONE_NEWUSER);
	_cleanup_close_ int user = -1, net = -1;

	if (t->pidfd >= 0)
		return setns(t->pidfd, flags); /* both at once, user first (5.8+) */
	if (flags & CLONE_NEWUSER) {
		user = openat(t->procfd, "ns/user", O_RDONLY | O_CLOEXEC);
		if (user < 0 || setns(user, CLONE_NEWUSER) < 0)
			return -1;
	}
	net = openat(t->procfd, "ns/net", O_RDONLY | O_CLOEXEC);
	return net < 0 ? -1 : setns(net, CLONE_NEWNET);
}

/* The child's whole life: a bound route socket in the target's namespace, or its errno. */
static noreturn void socket_child(const struct inspect_target *t, int chan)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int e = 0, fd = -1;
	struct iovec iov = { .iov_base = &e, .iov_len = sizeof(e) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (join_target_net(t) < 0 ||
	    (fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		e = errno;
	if (!e) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(int));
	}
	_exit(sendmsg(chan, &m, MSG_NOSIGNAL) < 0 ? 1 : 0);
}

/* The fd the child sent, or -errno: its errno, or ours. */
static int receive_socket(int chan)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	int e = 0, fd = -1;
	struct iovec iov = { .iov_base = &e, .iov_len = sizeof(e) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(chan, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd >= 0)
		return fd;
	return n == (ssize_t)sizeof(e) && e > 0 ? -e : -EIO;
}

/* A route socket in the target's network namespace, made by a child. */
static int target_socket(const struct inspect_target *t, ctu_err_t *err)
{
	int chan[2], fd, status;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0)
		return ctu_err_errno(err, "cannot make a socket pair");
	child = fork();
	if (child == 0) {
		close(chan[0]);
		socket_child(t, chan[1]);
	}
	close(chan[1]);
	fd = child < 0 ? -errno : receive_socket(chan[0]);
	close(chan[0]);
	while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return ctu_err_make(err, -fd, "cannot open a netlink socket in the network "
				    "namespace of process %d", (int)t->ref.pid);
	return fd;
}

/* libnl over the socket @fd (taken: freed with the nl_sock). */
static struct nl_sock *wrap_socket(int fd, ctu_err_t *err)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk) {
		close(fd);
		ctu_err_make(err, ENOMEM, "cannot open a netlink socket");
		return NULL;
	}
	if (nl_socket_set_fd(sk, NETLINK_ROUTE, fd) < 0) {
		close(fd);
		nl_socket_free(sk);
		ctu_err_make(err, EINVAL, "cannot use the netlink socket");
		return NULL;
	}
	return sk;
}

/* What the section reads: the target's socket and dumps, and how our namespace relates. */
struct net_ctx {
	const struct inspect_target *t;
	struct nl_sock *sk; /* in the target's network namespace */
	struct nl_cache *links, *addrs, *routes;
	struct ctu_netns_names names;
	bool target_is_ours; /* the target shares our network namespace */
	int our_nsid;	     /* the id the target's namespace gives ours, or -1 */
};

static int connect_here(void *arg)
{
	struct nl_sock **sk = arg;

	*sk = nl_socket_alloc();
	if (*sk && nl_connect(*sk, NETLINK_ROUTE) == 0)
		return 0;
	nl_socket_free(*sk);
	*sk = NULL;
	return -EIO;
}

/* A route socket in the namespace at @path (NULL: ours), or NULL (refused: no CAP_SYS_ADMIN). */
static struct nl_sock *socket_at(const char *path)
{
	struct nl_sock *sk = NULL;
	_cleanup_close_ int fd = -1;

	if (path && (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return NULL;
	/* never carry on in a namespace not ours */
	if (ctu_netns_call(fd, connect_here, &sk) == -ENOTRECOVERABLE) {
		ctu_err_t err = NULL;

		ctu_err_make(&err, 0, "cannot return to our own network namespace");
		ctu_err_exit(&err);
	}
	return sk;
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? ctu_json_text(s, strlen(s)) : json_null();
}

static json_t *int_or_null(bool known, int n)
{
	return known ? json_integer(n) : json_null();
}

/* The peer and its master, looked up in the namespace of id @nsid as @sk sees it. */
static int peer_lookup(struct nl_sock *sk, int nsid, int ifindex, struct ctu_net_link *peer,
		       struct ctu_net_link *master)
{
	int r = ctu_net_link_by_index(sk, nsid, ifindex, peer);

	memset(master, 0, sizeof(*master));
	if (r == 0 && peer->master > 0)
		ctu_net_link_by_index(sk, nsid, peer->master, master);
	return r;
}

/*
 * The peer in another namespace.  First through the target's socket; that
 * needs CAP_NET_ADMIN over the peer's namespace in the socket's creator,
 * which a child in a container's user namespace lacks: then through a
 * socket of our own, made in the peer's namespace (ours needs nothing).
 */
static void peer_elsewhere(struct net_ctx *c, const struct ctu_veth_peer *p, bool host,
			   struct ctu_net_link *peer, struct ctu_net_link *master)
{
	struct nl_sock *sk;

	if (peer_lookup(c->sk, p->nsid, p->ifindex, peer, master) == 0)
		return;
	if (!host && !p->netns)
		return;
	sk = socket_at(host ? NULL : p->netns->path);
	if (sk)
		peer_lookup(sk, -1, p->ifindex, peer, master);
	nl_socket_free(sk);
}

/* The peer in the target's own namespace: the dump has it. */
static void peer_same(struct net_ctx *c, const struct ctu_veth_peer *p,
		      struct ctu_net_link *peer, struct ctu_net_link *master)
{
	struct rtnl_link *m = p->master > 0 ? rtnl_link_get(c->links, p->master) : NULL;

	memset(peer, 0, sizeof(*peer));
	memset(master, 0, sizeof(*master));
	memcpy(peer->name, p->name, sizeof(peer->name));
	if (!m)
		return;
	snprintf(master->name, sizeof(master->name), "%s", rtnl_link_get_name(m));
	snprintf(master->kind, sizeof(master->kind), "%s",
		 rtnl_link_get_type(m) ? rtnl_link_get_type(m) : "");
	rtnl_link_put(m);
}

/* "peer": {ifindex, name, netnsid, netns, netns_path, host, master, master_kind}, or null. */
static json_t *peer_json(struct net_ctx *c, struct rtnl_link *l)
{
	struct ctu_net_link peer, master;
	struct ctu_veth_peer p;
	bool host;

	ctu_veth_peer_of(c->sk, c->links, &c->names, l, &p);
	if (!p.ifindex)
		return json_null();
	host = p.nsid < 0 ? c->target_is_ours : p.nsid == c->our_nsid;
	if (p.nsid < 0)
		peer_same(c, &p, &peer, &master);
	else
		peer_elsewhere(c, &p, host, &peer, &master);
	return json_pack("{s:i,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "ifindex", p.ifindex, "name",
			 text_or_null(peer.name), "netnsid", int_or_null(p.nsid >= 0, p.nsid),
			 "netns", text_or_null(p.netns ? p.netns->name : NULL), "netns_path",
			 text_or_null(p.netns ? p.netns->path : NULL), "host", host, "master",
			 text_or_null(master.name), "master_kind", text_or_null(master.kind));
}

/* An address as text, without its prefix length; "" for none. */
static void addr_text(struct nl_addr *a, char *out, size_t size)
{
	int family = a ? nl_addr_get_family(a) : AF_UNSPEC;

	out[0] = '\0';
	if ((family == AF_INET && nl_addr_get_len(a) == 4) ||
	    (family == AF_INET6 && nl_addr_get_len(a) == 16))
		inet_ntop(family, nl_addr_get_binary_addr(a), out, (socklen_t)size);
}

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : NULL;
}

/* [{family, local, prefixlen, scope}] of link @ifindex, in the kernel's order. */
static json_t *addresses_json(struct net_ctx *c, int ifindex)
{
	json_t *v = json_array();

	for (struct nl_object *o = nl_cache_get_first(c->addrs); v && o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		char local[INET6_ADDRSTRLEN], scope[32];

		if (rtnl_addr_get_ifindex(a) != ifindex)
			continue;
		addr_text(rtnl_addr_get_local(a), local, sizeof(local));
		rtnl_scope2str((int)rtnl_addr_get_scope(a), scope, sizeof(scope));
		json_array_append_new(v, json_pack("{s:o,s:o,s:i,s:s}", "family",
						   text_or_null(family_name(rtnl_addr_get_family(a))),
						   "local", text_or_null(local), "prefixlen",
						   rtnl_addr_get_prefixlen(a), "scope", scope));
	}
	return v;
}

/* The link-layer address as ip prints it ("02:42:ac:11:00:02"), or null. */
static json_t *mac_json(struct rtnl_link *l)
{
	struct nl_addr *a = rtnl_link_get_addr(l);
	const unsigned char *b = a ? nl_addr_get_binary_addr(a) : NULL;
	unsigned int len = a ? nl_addr_get_len(a) : 0;
	char text[3 * 32] = "";
	size_t n = 0;

	if (!b || !len || len > 32)
		return json_null();
	for (unsigned int i = 0; i < len; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%02x", i ? ":" : "", b[i]);
	return json_string(text);
}

/* The operational state as ip prints it: "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN". */
static json_t *state_json(struct rtnl_link *l)
{
	char s[32];

	rtnl_link_operstate2str(rtnl_link_get_operstate(l), s, sizeof(s));
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return json_string(s);
}

static json_t *interface_json(struct net_ctx *c, struct rtnl_link *l)
{
	int32_t nsid = -1;
	bool has_nsid = rtnl_link_get_link_netnsid(l, &nsid) == 0 && nsid >= 0;
	int link = rtnl_link_get_link(l);
	const char *name = rtnl_link_get_name(l);

	return json_pack("{s:o,s:i,s:o,s:o,s:i,s:o,s:o,s:o,s:o,s:o}", "name",
			 ctu_json_text(name ? name : "", name ? strlen(name) : 0), "ifindex",
			 rtnl_link_get_ifindex(l), "kind", text_or_null(rtnl_link_get_type(l)),
			 "state", state_json(l), "mtu", (int)rtnl_link_get_mtu(l), "mac",
			 mac_json(l), "addresses", addresses_json(c, rtnl_link_get_ifindex(l)),
			 "link_index", int_or_null(link > 0, link), "link_netnsid",
			 int_or_null(has_nsid, nsid), "peer", peer_json(c, l));
}

/* A route's destination as ip prints it: "default", "10.0.0.0/24", or a host's address. */
static json_t *dst_json(struct nl_addr *dst)
{
	char text[INET6_ADDRSTRLEN + 8];
	size_t n;

	if (!dst || nl_addr_get_prefixlen(dst) == 0)
		return json_string("default");
	addr_text(dst, text, sizeof(text));
	if (!*text)
		return json_null();
	n = strlen(text);
	if (nl_addr_get_prefixlen(dst) < nl_addr_get_len(dst) * 8)
		snprintf(text + n, sizeof(text) - n, "/%u", nl_addr_get_prefixlen(dst));
	return json_string(text);
}

/* {family, table, type, dst, gateway, dev, prefsrc, protocol, scope, metric}; the first nexthop's. */
static json_t *route_json(struct net_ctx *c, struct rtnl_route *r)
{
	struct rtnl_nexthop *nh = rtnl_route_get_nnexthops(r) ? rtnl_route_nexthop_n(r, 0) : NULL;
	char type[32], proto[32], scope[32], gw[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN],
		dev[IFNAMSIZ];

	nl_rtntype2str((int)rtnl_route_get_type(r), type, sizeof(type));
	rtnl_route_proto2str((int)rtnl_route_get_protocol(r), proto, sizeof(proto));
	rtnl_scope2str((int)rtnl_route_get_scope(r), scope, sizeof(scope));
	addr_text(nh ? rtnl_route_nh_get_gateway(nh) : NULL, gw, sizeof(gw));
	addr_text(rtnl_route_get_pref_src(r), src, sizeof(src));
	ctu_net_link_name(c->links, nh ? rtnl_route_nh_get_ifindex(nh) : 0, dev, sizeof(dev));
	return json_pack("{s:o,s:I,s:s,s:o,s:o,s:o,s:o,s:s,s:s,s:I}", "family",
			 text_or_null(family_name(rtnl_route_get_family(r))), "table",
			 (json_int_t)rtnl_route_get_table(r), "type", type, "dst",
			 dst_json(rtnl_route_get_dst(r)), "gateway", text_or_null(gw), "dev",
			 text_or_null(dev), "prefsrc", text_or_null(src), "protocol", proto, "scope",
			 scope, "metric", (json_int_t)rtnl_route_get_priority(r));
}

/* Every object of @cache through @fn, into an array (NULL when memory ran out). */
static json_t *cache_json(struct net_ctx *c, struct nl_cache *cache,
			  json_t *(*fn)(struct net_ctx *, void *))
{
	json_t *v = json_array();

	for (struct nl_object *o = nl_cache_get_first(cache); v && o; o = nl_cache_get_next(o)) {
		json_t *e = fn(c, o);

		if (!e || json_array_append_new(v, e) < 0) {
			json_decref(v);
			return NULL;
		}
	}
	return v;
}

static json_t *interface_fn(struct net_ctx *c, void *o)
{
	return interface_json(c, o);
}

static json_t *route_fn(struct net_ctx *c, void *o)
{
	return route_json(c, o);
}

/* The dumps, and where our own namespace stands. */
static int net_ctx_load(struct net_ctx *c, ctu_err_t *err)
{
	_cleanup_close_ int ours = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = target_socket(c->t, err);

	if (fd < 0 || !(c->sk = wrap_socket(fd, err)))
		return ctu_err_code(*err);
	c->target_is_ours = shares_our_ns(c->t, "net");
	c->our_nsid = ours < 0 ? -1 : ctu_net_nsid_of(c->sk, ours);
	if (rtnl_link_alloc_cache(c->sk, AF_UNSPEC, &c->links) < 0 ||
	    rtnl_addr_alloc_cache(c->sk, &c->addrs) < 0 ||
	    rtnl_route_alloc_cache(c->sk, AF_UNSPEC, 0, &c->routes) < 0)
		return ctu_err_make(err, EIO, "cannot list the network of process %d",
				    (int)c->t->ref.pid);
	return 0;
}

static void net_ctx_free(struct net_ctx *c)
{
	if (c->routes)
		nl_cache_free(c->routes);
	if (c->addrs)
		nl_cache_free(c->addrs);
	if (c->links)
		nl_cache_free(c->links);
	ctu_netns_names_free(&c->names);
	nl_socket_free(c->sk);
}

json_t *inspect_net(const struct inspect_target *t, ctu_err_t *err)
{
	struct net_ctx c = { .t = t, .our_nsid = -1, .names = { .dirs = ctu_netns_dirs_all } };
	json_t *v = NULL;

	if (net_ctx_load(&c, err) == 0) {
		v = json_pack("{s:o*,s:o*}", "interfaces", cache_json(&c, c.links, interface_fn),
			      "routes", cache_json(&c, c.routes, route_fn));
		/* "o*" leaves out a NULL: memory ran out */
		if (!v || !json_object_get(v, "interfaces") || !json_object_get(v, "routes")) {
			json_decref(v);
			v = NULL;
			ctu_err_make(err, ENOMEM, "cannot build the net section");
		}
	}
	net_ctx_free(&c);
	return v;
}
