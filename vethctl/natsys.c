// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * natsys.c - the NAT commands' work inside their namespace: a helper thread
 * that enters it (libnftables 1.0.6 opens its netlink socket in
 * nft_ctx_new(), /proc/sys/net and conntrack answer for the caller's
 * namespace, and the main thread must never be left elsewhere), the lock
 * that orders our commands in one namespace, sysctls, routes, and the
 * conntrack entries of changed mappings.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "json.h"
#include "nat.h"
#include "netns.h"
#include "vethctl.h"

#define LOCK_DIR "/run/ctutils/lock"

/* ---- the thread, the lock, the state ----------------------------------------- */

struct job {
	struct vethctl *v;
	nat_fn *fn;
	void *arg;
	ctu_err_t err;
	int r;
};

/*
 * flock(/run/ctutils/lock/net-NSINODE): one command at a time per namespace.
 * The file lives only while a command holds it: the holder unlinks it before
 * closing, so a waiter may wake holding an unlinked file, sees that the path
 * no longer names what it locked, and starts again.  Namespace inodes are
 * recycled, and a lock file per namespace ever touched would pile up in /run.
 */
static int take_lock(const char *where, char *path, size_t len, ctu_err_t *err)
{
	struct stat ns, held, named;
	int fd;

	if (stat("/proc/thread-self/ns/net", &ns) < 0)
		return ctu_err_errno(err, "cannot stat the network namespace %s", where);
	snprintf(path, len, LOCK_DIR "/net-%lu", (unsigned long)ns.st_ino);
	for (;;) {
		if ((mkdir("/run/ctutils", 0755) < 0 && errno != EEXIST) ||
		    (mkdir(LOCK_DIR, 0755) < 0 && errno != EEXIST))
			return ctu_err_errno(err, "cannot create " LOCK_DIR);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == ENOENT)
			continue; /* the last holder removed the directory */
		if (fd < 0)
			return ctu_err_errno(err, "cannot open %s", path);
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return ctu_err_errno(err, "cannot lock %s", path);
		}
		if (fstat(fd, &held) == 0 && stat(path, &named) == 0 &&
		    held.st_dev == named.st_dev && held.st_ino == named.st_ino)
			return fd;
		close(fd); /* unlinked by the holder we waited for */
	}
}

/* Unlink before closing, so nobody can lock the file we are leaving. */
static void drop_lock(int fd, const char *path)
{
	unlink(path);
	rmdir(LOCK_DIR); /* fails while others hold theirs: that is fine */
	close(fd);
}

int nat_reload(struct natrun *r, ctu_err_t *err)
{
	_cleanup_json_ json_t *root = NULL;
	int rc;

	free(r->listing);
	r->listing = NULL;
	rc = nft_list(r->nft, "table inet ctutils", &root, &r->listing, err);
	nat_state_free(&r->st);
	if (rc < 0)
		return ctu_err_wrap(err, "nftables not usable in %s", r->where);
	return nat_state_parse(root, &r->st, err);
}

int nat_commit(struct natrun *r, const char *text, ctu_err_t *err)
{
	_cleanup_err_ ctu_err_t err2 = NULL;
	_cleanup_free_ char *now = NULL;
	int e = nft_run(r->nft, text, err);

	if (e == 0 || e == -EEXIST)
		return e;
	if (nft_list_text(r->nft, "table inet ctutils", &now, &err2) < 0 ||
	    (r->listing && now && !strcmp(r->listing, now)) || (!r->listing && !now))
		return e;
	ctu_err_free(err);
	return 0;
}

static int in_namespace(void *arg)
{
	struct job *j = arg;
	struct natrun r = { .v = j->v };
	char path[64];
	int lock;

	r.where = j->v->netns_spec ? j->v->netns_spec : "this namespace";
	lock = take_lock(r.where, path, sizeof(path), &j->err);
	if (lock < 0)
		return lock;
	if (nft_open(&r.nft, r.where, &j->err) < 0) {
		drop_lock(lock, path);
		return ctu_err_code(j->err);
	}
	j->r = nat_reload(&r, &j->err);
	if (j->r == 0)
		j->r = j->fn(&r, j->arg, &j->err);
	nat_state_free(&r.st);
	free(r.listing);
	nft_close(&r.nft);
	drop_lock(lock, path);
	return j->r;
}

static void *thread_main(void *arg)
{
	struct job *j = arg;

	j->r = ctu_netns_call(j->v->host.nsfd, in_namespace, j);
	return NULL;
}

int nat_run(struct vethctl *v, nat_fn *fn, void *arg, ctu_err_t *err)
{
	struct job j = { .v = v, .fn = fn, .arg = arg };
	pthread_t t;
	int e;

	e = pthread_create(&t, NULL, thread_main, &j);
	if (e)
		return ctu_err_make(err, e, "cannot start a thread");
	pthread_join(t, NULL);
	if (j.r < 0 && !j.err)
		ctu_err_make(&j.err, -j.r, "cannot enter network namespace %s",
			     v->netns_spec ? v->netns_spec : "(ours)");
	if (j.r < 0) {
		ctu_err_free(err);
		*err = j.err;
		return j.r;
	}
	ctu_err_free(&j.err);
	return j.r;
}

/* ---- routes -------------------------------------------------------------------- */

struct route_reply {
	int oif;
	int type;
	bool got;
};

static void on_route(struct nlmsghdr *h, void *arg)
{
	struct route_reply *rr = arg;
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return;
	rr->got = true;
	rr->type = rtm->rtm_type;
	if (tb[RTA_OIF])
		rr->oif = (int)nla_get_u32(tb[RTA_OIF]);
}

/* The longest prefix on @ifindex holding @t: the connected network of the route. */
static void connected_prefix(struct nlsock *s, int ifindex, const struct ipaddr *t,
			     struct route_info *out)
{
	struct nl_cache *cache = NULL;

	out->prefix = *t;
	out->plen = t->family == AF_INET6 ? 128 : 32;
	if (addr_cache_of(s, ifindex, t->family, &cache) < 0)
		return;
	unsigned int best = 0;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct ipaddr la = { .family = rtnl_addr_get_family(a) };
		unsigned int plen = (unsigned int)rtnl_addr_get_prefixlen(a);

		if (rtnl_addr_get_ifindex(a) != ifindex || la.family != t->family || !local ||
		    nl_addr_get_len(local) != (t->family == AF_INET6 ? 16u : 4u))
			continue;
		memcpy(la.b, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
		if (plen > best && ip_in(t, &la, plen)) {
			best = plen;
			ip_network(&la, plen, &out->prefix);
			out->plen = plen;
		}
	}
	nl_cache_free(cache);
}

int route_to(struct nlsock *s, const struct ipaddr *t, struct route_info *out)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)t->family,
			     .rtm_dst_len = t->family == AF_INET6 ? 128 : 32 };
	struct route_reply rr = { 0 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	int r;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, t->family == AF_INET6 ? 16 : 4, t->b) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	r = sock_request(s, msg, on_route, &rr);
	nlmsg_free(msg);
	if (r < 0)
		return r;
	if (!rr.got || rr.type == RTN_UNREACHABLE || rr.type == RTN_BLACKHOLE ||
	    rr.type == RTN_PROHIBIT || !rr.oif || !if_indextoname((unsigned int)rr.oif, out->oif))
		return -ENETUNREACH;
	connected_prefix(s, rr.oif, t, out);
	return 0;
}

/* ---- sysctls ------------------------------------------------------------------- */

int sysctl_get(const char *path)
{
	char full[128];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	snprintf(full, sizeof(full), "/proc/sys/net/%s", path);
	r = ctu_read_file(AT_FDCWD, full, &buf, &len);
	if (r < 0)
		return r;
	return atoi(buf);
}

int sysctl_set(const char *path, int value)
{
	char full[128], text[16];

	snprintf(full, sizeof(full), "/proc/sys/net/%s", path);
	snprintf(text, sizeof(text), "%d\n", value);
	return ctu_write_file(AT_FDCWD, full, text);
}

/* The interfaces with accept_ra=1, which stop taking router advertisements. */
static void accept_ra_names(struct strbuf *b)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/sys/net/ipv6/conf");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[sizeof(e->d_name) + 32];

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "all") ||
		    !strcmp(e->d_name, "default") || strlen(e->d_name) >= IFNAMSIZ)
			continue;
		snprintf(path, sizeof(path), "ipv6/conf/%s/accept_ra", e->d_name);
		if (sysctl_get(path) == 1)
			sb_printf(b, "%s%s", b->len ? ", " : "", e->d_name);
	}
}

int forwarding_on(struct natrun *r, int family, ctu_err_t *err)
{
	const char *path = family == AF_INET6 ? "ipv6/conf/all/forwarding" : "ipv4/ip_forward";
	const char *name = family == AF_INET6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
	struct strbuf ra = { 0 };
	int old = sysctl_get(path), e;

	if (old == 1)
		return 0;
	if (family == AF_INET6)
		accept_ra_names(&ra);
	e = old < 0 ? old : sysctl_set(path, 1);
	if (e < 0) {
		sb_free(&ra);
		return ctu_err_make(err, -e, "cannot set %s to 1 in %s", name, r->where);
	}
	if (ra.len)
		ctu_warn(0,
			 "%s was %d, now 1 in %s (router advertisements are no longer accepted on %s: "
			 "accept_ra=1)",
			 name, old, r->where, ra.s);
	else
		ctu_warn(0, "%s was %d, now 1 in %s", name, old, r->where);
	sb_free(&ra);
	return 0;
}

void warn_blocked(struct natrun *r, const char *by)
{
	if (by && *by)
		ctu_warn(0,
			 "warning: %s in %s: a forward chain with policy drop, it drops what we "
			 "forward whatever we accept (allow it there)",
			 by, r->where);
}

/* ---- conntrack ----------------------------------------------------------------- */

struct ct_search {
	const struct pub *m;
	size_t n;
	unsigned char ports[3][65536 / 8]; /* tcp, udp, sctp: a port of @m */
	struct nf_conntrack **hits;
	size_t nhits;
};

static int proto_index(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 0 : proto == IPPROTO_UDP ? 1 : proto == IPPROTO_SCTP ? 2 : -1;
}

static bool ct_matches(const struct ct_search *s, const struct nf_conntrack *ct)
{
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	uint8_t l4 = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	uint16_t port = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	int pi = proto_index(l4);
	struct ipaddr dst = { .family = l3 };

	if (pi < 0 || !(s->ports[pi][port / 8] & (1 << (port % 8))))
		return false;
	if (l3 == AF_INET)
		memcpy(dst.b, nfct_get_attr(ct, ATTR_ORIG_IPV4_DST), 4);
	else
		memcpy(dst.b, nfct_get_attr(ct, ATTR_ORIG_IPV6_DST), 16);
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].proto == l4 && s->m[i].port == port &&
		    s->m[i].host.family == l3 && (s->m[i].any || ip_equal(&s->m[i].host, &dst)))
			return true;
	return false;
}

static int on_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct ct_search *s = data;
	struct nf_conntrack **more;

	(void)type;
	if (!ct_matches(s, ct))
		return NFCT_CB_CONTINUE;
	more = realloc(s->hits, (s->nhits + 1) * sizeof(struct nf_conntrack *));
	if (!more)
		return NFCT_CB_STOP;
	s->hits = more;
	s->hits[s->nhits] = nfct_clone(ct);
	if (s->hits[s->nhits])
		s->nhits++;
	return NFCT_CB_CONTINUE;
}

void conntrack_flush(const struct pub *m, size_t n)
{
	struct ct_search *s;
	struct nfct_handle *h;
	size_t failed = 0;

	if (!n)
		return;
	s = calloc(1, sizeof(*s));
	h = nfct_open(CONNTRACK, 0);
	if (!s || !h) {
		ctu_warn(errno, "warning: cannot flush the conntrack entries of the mappings");
		free(s);
		if (h)
			nfct_close(h);
		return;
	}
	s->m = m;
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		int pi = proto_index(m[i].proto);

		if (pi >= 0)
			s->ports[pi][m[i].port / 8] |= (unsigned char)(1 << (m[i].port % 8));
	}
	nfct_callback_register(h, NFCT_T_ALL, on_ct, s);
	for (int f = 0; f < 2; f++) {
		uint32_t family = f ? AF_INET6 : AF_INET;

		nfct_query(h, NFCT_Q_DUMP, &family);
	}
	nfct_callback_unregister(h);
	for (size_t i = 0; i < s->nhits; i++) {
		/* gone meanwhile (ENOENT) is what we wanted */
		if (nfct_query(h, NFCT_Q_DESTROY, s->hits[i]) < 0 && errno != ENOENT)
			failed++;
		nfct_destroy(s->hits[i]);
	}
	if (failed)
		ctu_warn(0, "warning: %zu conntrack entries of the mappings could not be deleted",
			 failed);
	nfct_close(h);
	free(s->hits);
	free(s);
}
