/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat.h - what vethctl's NAT and published-port files share: the SPEC
 * syntax and owners (spec.c, pure), the state read back from the kernel's
 * "inet ctutils" table and the text of one transaction (nft.c), the work
 * around it done inside the namespace (natsys.c: the helper thread, the
 * lock, sysctls, routes, conntrack), and the changes every command plans
 * for published ports (publish.c).
 *
 * The kernel ruleset is the only state: each element's comment is its
 * owner, and everything else is derived from the elements on every run.
 */
#ifndef VETHCTL_NAT_H
#define VETHCTL_NAT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct vethctl;
struct nft_ctx;
struct nlsock;
typedef struct json_t json_t;

#define OWNER_MAX 100	  /* bytes of an element's comment that name its owner */
#define NAT_OUT_MAX 16	  /* --out interfaces of one NAT source */
#define NAT_CHAIN_MAX 64  /* "nat6-" + an IPv6 address + "-128-o" + 8 hex */
#define SPEC_PORTS_MAX 65536 /* ports one command may publish */

/* An IPv4 or IPv6 address (family AF_INET or AF_INET6; IPv4 in the first 4 bytes). */
struct ipaddr {
	int family;
	unsigned char b[16];
};

/* ---- spec.c: SPEC, PSPEC, owners and names (pure) ----------------------------- */

enum spec_kind {
	SPEC_PUBLISH,	/* [HOSTIP:]HOSTPORT[-END]:TARGETIP:PORT[-END][/PROTO] */
	SPEC_UNPUBLISH, /* the same, the target part optional */
	SPEC_CONNECT,	/* [HOSTIP:]HOSTPORT[-END][:PORT[-END]][/PROTO], the target is --addr */
};

/* One SPEC: ports port..port_end of host published to target's tport..tport_end. */
struct spec {
	struct ipaddr host; /* family set even when any (from 0.0.0.0, :: or the target) */
	bool any;	    /* no HOSTIP, 0.0.0.0 or ::: every local address of the family */
	bool host_given;    /* a HOSTIP was written (CONNECT: decides the family) */
	uint16_t port, port_end;
	bool has_target; /* UNPUBLISH without one: any target */
	struct ipaddr target;
	bool has_tport; /* CONNECT without ":PORT": the host ports */
	uint16_t tport, tport_end;
	uint8_t proto; /* IPPROTO_TCP (default), IPPROTO_UDP, IPPROTO_SCTP */
};

/*
 * Parses @s as @kind says into *@out.  Returns 0, or -EINVAL with the
 * reason in @why ("port 0", "reversed range 90-80").  Names, zone ids,
 * port 0, reversed ranges, ranges of two lengths, two families and the
 * IPv6 loopback are refused.
 */
int spec_parse(const char *s, enum spec_kind kind, struct spec *out, char *why, size_t size);

/* CONNECT: the target is @addr; a HOSTIP of another family is refused (-EINVAL, @why). */
int spec_set_target(struct spec *s, const struct ipaddr *addr, char *why, size_t size);

/* "tcp", "udp", "sctp" (or "?"); and back: 0 for no such name. */
const char *proto_name(uint8_t proto);
uint8_t proto_value(const char *name);

/*
 * An owner is 1..OWNER_MAX bytes of [A-Za-z0-9_.:@/+-]: what may reach an
 * nft command text inside quotes.  @name alone (--owner) gives "user:NAME".
 * Returns 0 or -EINVAL.
 */
bool owner_valid(const char *owner);
int owner_from_name(const char *name, char *out, size_t size);
/* An interface name that may reach the command text: [A-Za-z0-9_.@+-], < IFNAMSIZ. */
bool ifname_plain(const char *name);

/* The text of @a (inet_ntop): @buf of INET6_ADDRSTRLEN bytes. */
const char *ip_text(const struct ipaddr *a, char *buf);
/* @a with brackets when IPv6 ("[fd00::2]"), for "ADDR:PORT". */
const char *ip_text_port(const struct ipaddr *a, char *buf);
/* Parses @s (no prefix, no brackets, no zone): 0 or -EINVAL. */
int ip_parse(const char *s, struct ipaddr *out);
bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);
/* @a with the bits after @plen cleared; true if none were set. */
bool ip_network(const struct ipaddr *a, unsigned int plen, struct ipaddr *out);
/* @a is inside @net/@plen. */
bool ip_in(const struct ipaddr *a, const struct ipaddr *net, unsigned int plen);
bool ip_is_unspecified(const struct ipaddr *a);
bool ip_is_loopback(const struct ipaddr *a);
bool ip_is_multicast(const struct ipaddr *a);
/* a < 0, = 0, > 0 b: families first, then bytes */
int ip_cmp(const struct ipaddr *a, const struct ipaddr *b);

/*
 * The chain of a NAT source: "nat4-10_88_0_0-16" for EXCEPT 10.88.0.0/16,
 * plus "-o" and 8 hex of FNV-1a over the sorted @out names when there are
 * any.  @out is sorted in place.
 */
void nat_chain_name(const struct ipaddr *except, unsigned int plen, char **out, size_t nout,
		    char *buf, size_t size);

uint64_t fnv1a64(const void *data, size_t len, uint64_t h);
#define FNV64_INIT 14695981039346656037ULL

/* ---- nft.c, state.c: one transaction's text, the table's state ----------------- */

/* The sets and maps of the table, in the layout's order. */
enum nset {
	S_PUB4,
	S_PUB4ANY,
	S_PUB6,
	S_PUB6ANY,
	S_HAIRPIN4,
	S_HAIRPIN6,
	S_MASQ4,
	S_MASQ6,
	S_NATSRC4,
	S_NATSRC6,
	S_LOCALNET,
	S_COUNT,
};
extern const char *const nset_names[S_COUNT];

/* A published port: an element of pub4, pub4any, pub6 or pub6any. */
struct pub {
	struct ipaddr host; /* the family also when any */
	bool any;
	uint8_t proto;
	uint16_t port;
	struct ipaddr target;
	uint16_t tport;
	char owner[OWNER_MAX + 1];
};

/* A NAT source: an element of masq4/masq6 (and natsrc4/natsrc6). */
struct masq {
	struct ipaddr src;
	unsigned int plen;
	char chain[NAT_CHAIN_MAX];
	char owner[OWNER_MAX + 1];
};

/* A per-EXCEPT chain nat4-... / nat6-...: what it does not masquerade, where it does. */
struct natchain {
	char name[NAT_CHAIN_MAX];
	struct ipaddr except;
	unsigned int plen;
	char out[NAT_OUT_MAX][IFNAMSIZ];
	size_t nout;
};

/* hairpin4/6: PREFIX . TARGET. */
struct hairpin {
	struct ipaddr prefix;
	unsigned int plen;
	struct ipaddr target;
	char owner[OWNER_MAX + 1];
};

/* localnet: an interface we set route_localnet=1 on, and the value it had. */
struct localnet {
	char ifname[IFNAMSIZ];
	int old; /* 0 or 1 */
};

/* Everything in "inet ctutils", as read back from the kernel. */
struct nat_state {
	bool table;
	bool have[S_COUNT]; /* the set exists: new keys go by "create element" */
	struct pub *pubs;
	size_t npubs;
	struct masq *masqs;
	size_t nmasqs;
	struct natchain *chains;
	size_t nchains;
	struct hairpin *hairpins;
	size_t nhairpins;
	struct localnet *localnets;
	size_t nlocalnets;
};
void nat_state_free(struct nat_state *st);

/*
 * Reads `nft -j list table inet ctutils` (@root; NULL: no table) into
 * *@st (zeroed first).  Elements we cannot read (not of our layout) are
 * skipped.  Returns 0, or -ENOMEM with *@err set.  Pure: fuzzed.
 */
int nat_state_parse(json_t *root, struct nat_state *st, ctu_err_t *err);

/* A growing string; a failed allocation is remembered (oom) and reported once. */
struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};
void sb_printf(struct strbuf *b, const char *fmt, ...) CTU_PRINTF(2, 3);
void sb_free(struct strbuf *b);

/* What one transaction changes, element by element, gathered before the text. */
struct plan {
	bool have[S_COUNT];		     /* copied from the state */
	struct strbuf add[S_COUNT], del[S_COUNT]; /* "VERB element ... { elem, elem" */
	size_t nadd[S_COUNT], ndel[S_COUNT];
	struct strbuf undo[S_COUNT]; /* the deletions that take the additions back */
	size_t nundo[S_COUNT];
	struct strbuf new_chains;  /* per-EXCEPT chains made by this transaction */
	struct strbuf del_chains;  /* and those it removes, after their last element */
	struct strbuf undo_chains; /* the removal of new_chains */
	bool oom;
};
void plan_init(struct plan *p, const struct nat_state *st);
void plan_free(struct plan *p);
bool plan_empty(const struct plan *p);
void plan_add_pub(struct plan *p, const struct pub *m);
void plan_del_pub(struct plan *p, const struct pub *m);
void plan_add_masq(struct plan *p, const struct masq *m);
void plan_del_masq(struct plan *p, const struct masq *m);
void plan_new_chain(struct plan *p, const struct natchain *c);
void plan_del_chain(struct plan *p, const char *name);
void plan_add_hairpin(struct plan *p, const struct hairpin *h);
void plan_del_hairpin(struct plan *p, const struct hairpin *h);
void plan_add_localnet(struct plan *p, const struct localnet *l);
void plan_del_localnet(struct plan *p, const struct localnet *l);
/* The reverse of @p's element additions (a second transaction after a failed sysctl). */
void plan_undo_adds(const struct plan *p, struct plan *undo);

/*
 * The whole transaction: the table, the new chains, every set, the static
 * chains flushed and filled again, the deletions, the additions ("create
 * element" into sets that existed), the chains that lost their last
 * reference.  Newly allocated, or NULL (no memory).  Pure: golden-tested.
 */
char *plan_text(const struct plan *p);

/* The element texts, for the plan and for save. */
void pub_key_text(const struct pub *m, struct strbuf *b);

/*
 * libnftables 1.0.6 may end the process itself (exit() on an answer it
 * cannot parse, an assert): then @undo (NULL: none) is rolled back first.
 */
struct ctu_undo;
void nft_exit_undo(struct ctu_undo *undo);

/* libnftables inside the namespace (the calling thread's). */
int nft_open(struct nft_ctx **out, const char *where, ctu_err_t *err);
void nft_close(struct nft_ctx **ctx);
/*
 * Runs @text as one transaction.  On failure *@err holds nft's first error
 * line; returns -EEXIST when a "create element" found its key taken.
 */
int nft_run(struct nft_ctx *ctx, const char *text, ctu_err_t *err);
/*
 * `list @what` as JSON: *@out (and its text in *@text unless NULL), or NULL
 * when it does not exist (returns 1).  Listed until two listings in a row
 * are equal: 1.0.6 answers 0 with the elements of a set whose dump failed
 * missing, and what we remove follows from what we read.
 */
int nft_list(struct nft_ctx *ctx, const char *what, json_t **out, char **text, ctu_err_t *err);
int nft_list_text(struct nft_ctx *ctx, const char *what, char **out, ctu_err_t *err);
/*
 * The base chains of other tables that hook forward with policy drop
 * ("ip filter FORWARD, inet ufw forward"), or "" for none; newly allocated.
 */
char *nft_blocked_by(struct nft_ctx *ctx);

/* ---- natsys.c: inside the namespace ------------------------------------------ */

/* One NAT command at work inside its namespace. */
struct natrun {
	struct vethctl *v;
	struct nft_ctx *nft;
	struct nat_state st;
	char *listing;	   /* the state's text, as listed: did a commit go through? */
	const char *where; /* the namespace for messages: the --netns spec or "this namespace" */
};
typedef int nat_fn(struct natrun *r, void *arg, ctu_err_t *err);

/*
 * Runs @fn on a helper thread that has entered the namespace of @v's
 * socket, under flock(/run/ctutils/lock/net-NSINODE), with libnftables
 * opened there and the table's state read.  Returns @fn's result.
 */
int nat_run(struct vethctl *v, nat_fn *fn, void *arg, ctu_err_t *err);

/* Reads the state again (after a failed transaction, or between steps). */
int nat_reload(struct natrun *r, ctu_err_t *err);

/*
 * Runs the transaction @text.  When nft says it failed but the table is no
 * longer what was read (the answer was lost, not the commit: every commit
 * re-adds the static chains' rules), it did go through: 0.
 */
int nat_commit(struct natrun *r, const char *text, ctu_err_t *err);

/* Route to @target in the namespace: its output interface, and the connected prefix holding it. */
struct route_info {
	char oif[IFNAMSIZ];
	struct ipaddr prefix; /* the network of the prefix on oif holding target, else target */
	unsigned int plen;    /* else 32 or 128 */
};
int route_to(struct nlsock *s, const struct ipaddr *target, struct route_info *out);

/* sysctls under /proc/sys/net (the thread's namespace): the value, or -errno. */
int sysctl_get(const char *path);
int sysctl_set(const char *path, int value);

/*
 * net.ipv4.ip_forward (@family AF_INET) or net.ipv6.conf.all.forwarding set
 * to 1 if it was not, saying so; for IPv6 naming the accept_ra=1
 * interfaces.  0 or -errno with *@err set.
 */
int forwarding_on(struct natrun *r, int family, ctu_err_t *err);

/* The warning about other tables' forward chains with policy drop (@by: nft_blocked_by()). */
void warn_blocked(struct natrun *r, const char *by);

/*
 * Deletes the conntrack entries whose original destination is one of @m
 * (@n of them; port and proto, and the host address unless any).
 * Best effort: a failure is a warning.
 */
void conntrack_flush(const struct pub *m, size_t n);

/* ---- publish.c: the consequences of adding and removing mappings --------------- */

/* The ports of @s as mappings of @owner, appended to *@out (*@n of them). */
int spec_expand(const struct spec *s, const char *owner, struct pub **out, size_t *n,
		ctu_err_t *err);

/*
 * @n new mappings @m against the state and each other: a taken key, or a
 * wildcard and a specific host on one protocol and port, is "CMD KEY:
 * already published to TARGET by OWNER" (-EEXIST).
 */
int pubs_check(const struct nat_state *st, const struct pub *m, size_t n, const char *cmd,
	       ctu_err_t *err);

/* Mappings on their way in, and what the commit must do after them. */
struct pub_add {
	struct pub *m;
	size_t n;
	struct localnet localnets[64]; /* new: route_localnet=1 after the commit */
	size_t nlocalnets;
	bool fwd4, fwd6; /* forwarding needed */
	bool no_snat;	 /* CNI portmap's snat:false: no hairpin nor localnet elements */
};

/* Plans @a's mappings: a route to each target (else 1), hairpin, localnet. */
int pubs_plan(struct natrun *r, struct plan *p, struct pub_add *a, const char *cmd,
	      ctu_err_t *err);

/*
 * Commits @p; a key taken meanwhile is named.  Then route_localnet and
 * forwarding (a failure removes the new elements in a second transaction,
 * both said), the warning about forward chains that drop, and the
 * conntrack flush of the UDP mappings.
 */
int commit_adds(struct natrun *r, struct plan *p, struct pub_add *a, const char *cmd,
		ctu_err_t *err);

/* --owner NAME as "user:NAME" (cli without one), or a usage error of @cmd. */
int owner_option(const char *cmd, const char *name, char *out, size_t size, ctu_err_t *err);

/* Sorted by family, host, protocol, port; then the length of the run from @i. */
void pubs_sort(struct pub *m, size_t n);
size_t pub_run(const struct pub *m, size_t n, size_t i);

/* ---- nat.c ---------------------------------------------------------------------- */

/*
 * Plans NAT source @m (src, plen, owner) masqueraded except to
 * @except/@eplen, through the --out names of @outs (any if none): the
 * per-EXCEPT chain if it is new, the masq and natsrc elements.  A source
 * overlapping one of the state is "CMD SRC: overlaps NAT source X of OWNER".
 * @fwd[0] / @fwd[1]: IPv4 / IPv6 forwarding needed.
 */
int plan_nat_source(struct natrun *r, struct plan *p, const struct masq *m,
		    const struct ipaddr *except, unsigned int eplen, const struct natchain *outs,
		    const char *cmd, bool *fwd, ctu_err_t *err);
/* The per-EXCEPT chains no source jumps to once @gone (of the state's masqs) are removed. */
void plan_unused_chains(const struct nat_state *st, struct plan *p, const bool *gone);

/* {"KEY": @list} on stdout (nat.c). */
int print_json(const char *key, json_t *list, ctu_err_t *err);

/*
 * Plans the removal of @n mappings of the state (@gone[i] true), with the
 * hairpin elements of targets left without one and the localnet
 * interfaces no remaining mapping routes through.  The interfaces whose
 * route_localnet must be restored after the commit are put in @restore
 * (up to @nrestore_max; *@nrestore of them).
 */
int plan_remove_pubs(struct natrun *r, struct plan *p, const bool *gone,
		     struct localnet *restore, size_t nrestore_max, size_t *nrestore,
		     ctu_err_t *err);

/*
 * Commits @p (one transaction), then restores route_localnet on @restore
 * and flushes conntrack for the removed mappings @gone of the state (NULL:
 * no mapping removed).
 */
int commit_removal(struct natrun *r, struct plan *p, const bool *gone,
		   const struct localnet *restore, size_t nrestore, ctu_err_t *err);

/* The mappings of a connect: checked (before any link), then committed. */
struct connect_nat {
	struct spec *specs;
	size_t nspecs;
	bool nat;
	struct ipaddr addr; /* --addr */
	unsigned int plen;
	char owner[OWNER_MAX + 1];
};
int connect_nat_check(struct vethctl *v, struct connect_nat *c, ctu_err_t *err);
int connect_nat_commit(struct vethctl *v, struct connect_nat *c, ctu_err_t *err);

/* Removes the state's mappings @gone and NAT sources @mgone, with what follows them (gc.c). */
int remove_marked(struct natrun *r, const bool *gone, const bool *mgone, ctu_err_t *err);

/* disconnect/del of a host end: its veth: elements and the cli mappings to @addrs. */
void drop_veth(struct vethctl *v, const char *host_end, const struct ipaddr *addrs, size_t naddrs);

#endif
