// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft.c - the "inet ctutils" table through libnftables: the layout, the
 * text of one transaction (pure, golden-tested), and the libnftables
 * context (state.c reads the table back).
 *
 * The layout is the contract of docs (vethctl(8), LAYOUT): port maps
 * without the interval flag so that the kernel picks a hash, one lookup per
 * new connection whatever the number of ports.  Two workarounds for nft
 * 1.0.6 shape the text: a rule is always ended by a newline, and the
 * per-EXCEPT chains come before the sets, because 1.0.6 sends the elements
 * of a set declared in the same transaction along with its declaration
 * (so a verdict naming a later chain would not find it), and sends them
 * once more with the command: new keys of a set made by this transaction go
 * by "add element" (nobody else can hold them: the set is new, and we hold
 * the namespace's lock), all others by "create element".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctu.h"
#include "json.h"
#include "nat.h"
#include "undo.h"

#define TABLE "inet ctutils"
#define LAYOUT_VERSION "ctutils 1"
/* elements per command: one transaction, but no megabyte-long line */
#define ELEMS_PER_CMD 256

const char *const nset_names[S_COUNT] = {
	"pub4", "pub4any", "pub6", "pub6any", "hairpin4", "hairpin6",
	"masq4", "masq6", "natsrc4", "natsrc6", "localnet",
};

/* "map NAME" / "set NAME" and the body after "inet ctutils NAME" */
static const char *const nset_decl[S_COUNT] = {
	"map pub4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }",
	"map pub4any { type inet_proto . inet_service : ipv4_addr . inet_service; }",
	"map pub6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }",
	"map pub6any { type inet_proto . inet_service : ipv6_addr . inet_service; }",
	"set hairpin4 { type ipv4_addr . ipv4_addr; flags interval; }",
	"set hairpin6 { type ipv6_addr . ipv6_addr; flags interval; }",
	"map masq4 { type ipv4_addr : verdict; flags interval; }",
	"map masq6 { type ipv6_addr : verdict; flags interval; }",
	"set natsrc4 { type ipv4_addr; flags interval; }",
	"set natsrc6 { type ipv6_addr; flags interval; }",
	"set localnet { type ifname; }",
};

/* The static chains: declaration, then rules; flushed and filled by every command. */
static const struct {
	const char *name, *decl;
	const char *rules[6];
} static_chains[] = {
	{ "pub", "",
	  { "dnat ip to ip daddr . meta l4proto . th dport map @pub4",
	    "dnat ip to meta l4proto . th dport map @pub4any",
	    "dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub6",
	    "ip6 daddr != ::1 dnat ip6 to meta l4proto . th dport map @pub6any" } },
	{ "pre", " { type nat hook prerouting priority dstnat; }",
	  { "fib daddr type local jump pub" } },
	/* nft 1.0.6 knows no "dstnat" in the output hook: its value */
	{ "out", " { type nat hook output priority -100; }", { "fib daddr type local jump pub" } },
	{ "post", " { type nat hook postrouting priority srcnat; }",
	  { "ct status dnat ip saddr 127.0.0.0/8 masquerade",
	    "ct status dnat ip saddr . ip daddr @hairpin4 masquerade",
	    "ct status dnat ip6 saddr . ip6 daddr @hairpin6 masquerade",
	    "ip saddr vmap @masq4", "ip6 saddr vmap @masq6" } },
	/* conntrack's invalid packets of a NAT source would leave unmasqueraded (plugins#816) */
	{ "forward_ct", " { type filter hook forward priority filter; }",
	  { "ct state invalid ip saddr @natsrc4 drop", "ct state invalid ip6 saddr @natsrc6 drop" } },
	/* CVE-2020-8558: route_localnet=1 must not open the host's loopback services */
	{ "raw", " { type filter hook prerouting priority raw; }",
	  { "iifname @localnet ip daddr 127.0.0.0/8 drop" } },
};

/* ---- strbuf ----------------------------------------------------------------- */

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	*b = (struct strbuf){ 0 };
}

/* ---- element texts ----------------------------------------------------------- */

static enum nset pub_set(const struct pub *m)
{
	if (m->host.family == AF_INET6)
		return m->any ? S_PUB6ANY : S_PUB6;
	return m->any ? S_PUB4ANY : S_PUB4;
}

void pub_key_text(const struct pub *m, struct strbuf *b)
{
	char t[INET6_ADDRSTRLEN];

	if (!m->any)
		sb_printf(b, "%s . ", ip_text(&m->host, t));
	sb_printf(b, "%s . %u", proto_name(m->proto), m->port);
}

static void prefix_text(const struct ipaddr *a, unsigned int plen, struct strbuf *b)
{
	char t[INET6_ADDRSTRLEN];

	sb_printf(b, "%s/%u", ip_text(a, t), plen);
}

/* One element: "VERB element inet ctutils SET { " every ELEMS_PER_CMD, else ", ". */
static void elem_sep(struct strbuf *b, size_t *n, const char *verb, enum nset s)
{
	if (*n % ELEMS_PER_CMD == 0)
		sb_printf(b, "%s%s element " TABLE " %s { ", *n ? " }\n" : "", verb, nset_names[s]);
	else
		sb_printf(b, ", ");
	(*n)++;
}

/* @key (and the rest of an addition, @tail) into the additions of set @s. */
static void plan_add(struct plan *p, enum nset s, const struct strbuf *key, const char *tail)
{
	elem_sep(&p->add[s], &p->nadd[s], p->have[s] ? "create" : "add", s);
	sb_printf(&p->add[s], "%s%s", key->s ? key->s : "", tail);
	/* remembered for plan_undo_adds(): the key alone deletes it */
	elem_sep(&p->undo[s], &p->nundo[s], "delete", s);
	sb_printf(&p->undo[s], "%s", key->s ? key->s : "");
}

static void plan_del(struct plan *p, enum nset s, const struct strbuf *key)
{
	elem_sep(&p->del[s], &p->ndel[s], "delete", s);
	sb_printf(&p->del[s], "%s", key->s ? key->s : "");
}

static void oom_if(struct plan *p, struct strbuf *b)
{
	if (b->oom)
		p->oom = true;
	sb_free(b);
}

void plan_add_pub(struct plan *p, const struct pub *m)
{
	struct strbuf key = { 0 }, tail = { 0 };
	char t[INET6_ADDRSTRLEN];

	pub_key_text(m, &key);
	sb_printf(&tail, " comment \"%s\" : %s . %u", m->owner, ip_text(&m->target, t), m->tport);
	plan_add(p, pub_set(m), &key, tail.s ? tail.s : "");
	oom_if(p, &key);
	oom_if(p, &tail);
}

void plan_del_pub(struct plan *p, const struct pub *m)
{
	struct strbuf key = { 0 };

	pub_key_text(m, &key);
	plan_del(p, pub_set(m), &key);
	oom_if(p, &key);
}

void plan_add_masq(struct plan *p, const struct masq *m)
{
	struct strbuf key = { 0 }, tail = { 0 };
	bool v6 = m->src.family == AF_INET6;

	prefix_text(&m->src, m->plen, &key);
	sb_printf(&tail, " comment \"%s\" : jump %s", m->owner, m->chain);
	plan_add(p, v6 ? S_MASQ6 : S_MASQ4, &key, tail.s ? tail.s : "");
	sb_free(&tail);
	sb_printf(&tail, " comment \"%s\"", m->owner);
	plan_add(p, v6 ? S_NATSRC6 : S_NATSRC4, &key, tail.s ? tail.s : "");
	oom_if(p, &key);
	oom_if(p, &tail);
}

void plan_del_masq(struct plan *p, const struct masq *m)
{
	struct strbuf key = { 0 };
	bool v6 = m->src.family == AF_INET6;

	prefix_text(&m->src, m->plen, &key);
	plan_del(p, v6 ? S_MASQ6 : S_MASQ4, &key);
	plan_del(p, v6 ? S_NATSRC6 : S_NATSRC4, &key);
	oom_if(p, &key);
}

void plan_new_chain(struct plan *p, const struct natchain *c)
{
	struct strbuf *b = &p->new_chains;
	char t[INET6_ADDRSTRLEN];
	bool v6 = c->except.family == AF_INET6;

	sb_printf(b, "add chain " TABLE " %s\n", c->name);
	sb_printf(b, "add rule " TABLE " %s %s daddr { %s/%u, %s } return\n", c->name,
		  v6 ? "ip6" : "ip", ip_text(&c->except, t), c->plen,
		  v6 ? "ff00::/8" : "224.0.0.0/4");
	sb_printf(b, "add rule " TABLE " %s ", c->name);
	if (c->nout) {
		sb_printf(b, "oifname { ");
		for (size_t i = 0; i < c->nout; i++)
			sb_printf(b, "%s\"%s\"", i ? ", " : "", c->out[i]);
		sb_printf(b, " } ");
	}
	sb_printf(b, "masquerade\n");
	sb_printf(&p->undo_chains, "flush chain " TABLE " %s\ndelete chain " TABLE " %s\n",
		  c->name, c->name);
}

void plan_del_chain(struct plan *p, const char *name)
{
	sb_printf(&p->del_chains, "flush chain " TABLE " %s\ndelete chain " TABLE " %s\n", name,
		  name);
}

static void hairpin_key(const struct hairpin *h, struct strbuf *key)
{
	char t[INET6_ADDRSTRLEN];

	prefix_text(&h->prefix, h->plen, key);
	sb_printf(key, " . %s", ip_text(&h->target, t));
}

void plan_add_hairpin(struct plan *p, const struct hairpin *h)
{
	struct strbuf key = { 0 }, tail = { 0 };

	hairpin_key(h, &key);
	sb_printf(&tail, " comment \"%s\"", h->owner);
	plan_add(p, h->target.family == AF_INET6 ? S_HAIRPIN6 : S_HAIRPIN4, &key,
		 tail.s ? tail.s : "");
	oom_if(p, &key);
	oom_if(p, &tail);
}

void plan_del_hairpin(struct plan *p, const struct hairpin *h)
{
	struct strbuf key = { 0 };

	hairpin_key(h, &key);
	plan_del(p, h->target.family == AF_INET6 ? S_HAIRPIN6 : S_HAIRPIN4, &key);
	oom_if(p, &key);
}

void plan_add_localnet(struct plan *p, const struct localnet *l)
{
	struct strbuf key = { 0 }, tail = { 0 };

	sb_printf(&key, "\"%s\"", l->ifname);
	/* the value to restore rides in the comment: the kernel is the only state */
	sb_printf(&tail, " comment \"route_localnet:%d\"", l->old);
	plan_add(p, S_LOCALNET, &key, tail.s ? tail.s : "");
	oom_if(p, &key);
	oom_if(p, &tail);
}

void plan_del_localnet(struct plan *p, const struct localnet *l)
{
	struct strbuf key = { 0 };

	sb_printf(&key, "\"%s\"", l->ifname);
	plan_del(p, S_LOCALNET, &key);
	oom_if(p, &key);
}

void plan_init(struct plan *p, const struct nat_state *st)
{
	*p = (struct plan){ 0 };
	if (st)
		memcpy(p->have, st->have, sizeof(p->have));
}

void plan_free(struct plan *p)
{
	for (int s = 0; s < S_COUNT; s++) {
		sb_free(&p->add[s]);
		sb_free(&p->del[s]);
		sb_free(&p->undo[s]);
	}
	sb_free(&p->new_chains);
	sb_free(&p->del_chains);
	sb_free(&p->undo_chains);
}

bool plan_empty(const struct plan *p)
{
	for (int s = 0; s < S_COUNT; s++)
		if (p->nadd[s] || p->ndel[s])
			return false;
	return !p->new_chains.len && !p->del_chains.len;
}

static void sb_copy(struct strbuf *to, const struct strbuf *from)
{
	if (from->len)
		sb_printf(to, "%s", from->s);
}

void plan_undo_adds(const struct plan *p, struct plan *undo)
{
	for (int s = 0; s < S_COUNT; s++) {
		undo->have[s] = true;
		sb_copy(&undo->del[s], &p->undo[s]);
		undo->ndel[s] = p->nundo[s];
	}
	sb_copy(&undo->del_chains, &p->undo_chains);
}

static void layout_text(struct strbuf *b)
{
	for (int s = 0; s < S_COUNT; s++)
		sb_printf(b, "add %.3s " TABLE " %s\n", nset_decl[s], nset_decl[s] + 4);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(static_chains); i++) {
		const char *name = static_chains[i].name;

		sb_printf(b, "add chain " TABLE " %s%s\nflush chain " TABLE " %s\n", name,
			  static_chains[i].decl, name);
		for (size_t r = 0; r < CTU_ARRAY_SIZE(static_chains[i].rules); r++)
			if (static_chains[i].rules[r])
				sb_printf(b, "add rule " TABLE " %s %s\n", name,
					  static_chains[i].rules[r]);
	}
}

char *plan_text(const struct plan *p)
{
	struct strbuf b = { 0 };

	if (p->oom)
		return NULL;
	sb_printf(&b, "add table " TABLE " { comment \"" LAYOUT_VERSION "\"; }\n");
	sb_copy(&b, &p->new_chains);
	layout_text(&b);
	for (int s = 0; s < S_COUNT; s++)
		if (p->ndel[s])
			sb_printf(&b, "%s }\n", p->del[s].s);
	for (int s = 0; s < S_COUNT; s++)
		if (p->nadd[s])
			sb_printf(&b, "%s }\n", p->add[s].s);
	sb_copy(&b, &p->del_chains);
	if (b.oom) {
		sb_free(&b);
		return NULL;
	}
	return b.s;
}

/* ---- libnftables ------------------------------------------------------------ */

/*
 * libnftables 1.0.6 ends the process itself on a netlink answer it cannot
 * parse (netlink_abi_error(): a line on stderr, exit(1)).  While it runs,
 * stderr goes to a memory file, and an exit from inside says what failed
 * in our words first, then its line.  The main thread waits meanwhile, so
 * nobody else writes to stderr.
 */
static int saved_stderr = -1, captured = -1;
static const char *nft_where = "this namespace";
static struct ctu_undo *exit_undo; /* taken back if libnftables ends the process */

void nft_exit_undo(struct ctu_undo *undo)
{
	exit_undo = undo;
}

/*
 * Our line, then what libnftables said (all of it: an assert's text names
 * its file).  Also from the SIGABRT of its assert: the process ends there
 * whatever these calls do, and without them its message would be lost.
 */
// NOLINTBEGIN(bugprone-signal-handler)
static void nft_said(const char *how)
{
	char buf[1024];
	ssize_t n;

	n = pread(captured, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	dprintf(saved_stderr, "%s: nftables not usable in %s: libnftables %s\n%s",
		program_invocation_short_name, nft_where, how, buf);
	dup2(saved_stderr, 2);
}

static void nft_exited(void)
{
	if (saved_stderr < 0)
		return;
	nft_said(exit_undo ? "ended the process (what this command had changed was put back)"
			   : "ended the process");
	if (exit_undo)
		ctu_undo_rollback(exit_undo);
}

static void nft_aborted(int sig)
{
	if (saved_stderr >= 0)
		nft_said(exit_undo ? "aborted (what this command had changed was put back)" : "aborted");
	if (saved_stderr >= 0 && exit_undo)
		ctu_undo_rollback(exit_undo);
	signal(sig, SIG_DFL);
	raise(sig);
}
// NOLINTEND(bugprone-signal-handler)

static void nft_enter(void)
{
	static bool registered;

	if (!registered)
		registered = atexit(nft_exited) == 0;
	captured = memfd_create("nft-stderr", MFD_CLOEXEC);
	saved_stderr = captured < 0 ? -1 : fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (saved_stderr >= 0) {
		dup2(captured, 2);
		signal(SIGABRT, nft_aborted);
	}
}

static void nft_leave(void)
{
	if (saved_stderr >= 0) {
		signal(SIGABRT, SIG_DFL);
		dup2(saved_stderr, 2);
		close(saved_stderr);
	}
	if (captured >= 0)
		close(captured);
	saved_stderr = captured = -1;
}

static int nft_call(struct nft_ctx *ctx, const char *text)
{
	int r;

	nft_enter();
	r = nft_run_cmd_from_buffer(ctx, text);
	nft_leave();
	return r;
}

/*
 * Whether this kernel speaks nfnetlink at all.  libnftables 1.0.6 exits
 * the process (status 3, "Unable to initialize Netlink socket") when its
 * socket cannot be made, as where nf_tables is not built or loaded: asked
 * first, so that `del` and `disconnect`, which only tidy up, still work.
 */
static int nfnetlink_usable(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int nft_open(struct nft_ctx **out, const char *where, ctu_err_t *err)
{
	struct nft_ctx *ctx;
	int r = nfnetlink_usable();

	*out = NULL;
	nft_where = where;
	if (r < 0)
		return ctu_err_make(err, -r, "nftables not usable in %s", where);
	/* 1.0.6 opens its netlink socket here: in the calling thread's namespace */
	nft_enter(); /* it may exit() when its socket fails: our line comes first */
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	nft_leave();
	if (!ctx)
		return ctu_err_make(err, errno ? errno : EPROTONOSUPPORT,
				    "nftables not usable in %s: cannot open its netlink socket",
				    where);
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		return ctu_err_make(err, ENOMEM, "nftables");
	}
	*out = ctx;
	return 0;
}

void nft_close(struct nft_ctx **ctx)
{
	if (*ctx)
		nft_ctx_free(*ctx);
	*ctx = NULL;
}

/* nft's first "Error: ..." line, without the location and the caret lines. */
static void first_error(const char *buf, char *out, size_t size)
{
	const char *e = buf ? strstr(buf, "Error: ") : NULL;
	size_t n;

	if (!e) {
		snprintf(out, size, "%s", buf && *buf ? buf : "unknown error");
		out[strcspn(out, "\n")] = '\0';
		return;
	}
	e += 7;
	if (!strncmp(e, "Could not process rule: ", 24))
		e += 24;
	n = strcspn(e, "\n");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), e);
}

int nft_run(struct nft_ctx *ctx, const char *text, ctu_err_t *err)
{
	char why[512];
	int r;

	nft_ctx_output_set_flags(ctx, 0);
	r = nft_call(ctx, text);
	nft_ctx_get_output_buffer(ctx); /* drained */
	if (r == 0)
		return 0;
	first_error(nft_ctx_get_error_buffer(ctx), why, sizeof(why));
	if (strstr(why, "File exists"))
		return ctu_err_make(err, EEXIST, "nft transaction failed: %s", why);
	return ctu_err_make(err, 0, "nft transaction failed: %s", why);
}

/* One `list WHAT` as JSON text: 0 (*@text newly allocated), 1 for no such object. */
static int list_once(struct nft_ctx *ctx, const char *cmd, char **text, ctu_err_t *err)
{
	char why[512];
	const char *buf;

	*text = NULL;
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	if (nft_call(ctx, cmd) != 0) {
		nft_ctx_get_output_buffer(ctx);
		first_error(nft_ctx_get_error_buffer(ctx), why, sizeof(why));
		if (strstr(why, "No such file or directory"))
			return 1;
		return ctu_err_make(err, 0, "cannot %s: %s", cmd, why);
	}
	buf = nft_ctx_get_output_buffer(ctx);
	*text = strdup(buf);
	return *text ? 0 : ctu_err_make(err, ENOMEM, "%s", cmd);
}

/*
 * libnftables 1.0.6 answers 0 with a set's elements missing when their
 * dump failed (a lost recvmsg, ENOBUFS): what we remove follows from what
 * we read, so a listing counts once two in a row are equal.
 */
int nft_list_text(struct nft_ctx *ctx, const char *what, char **out, ctu_err_t *err)
{
	_cleanup_free_ char *prev = NULL;
	char cmd[128];
	int r = 0, prev_r = -1;

	*out = NULL;
	snprintf(cmd, sizeof(cmd), "list %s", what);
	for (int i = 0; i < 4; i++) {
		char *text;

		r = list_once(ctx, cmd, &text, err);
		if (r < 0)
			return r;
		if (r == prev_r && (r == 1 || !strcmp(text, prev))) {
			free(text);
			*out = r == 1 ? NULL : ctu_steal_ptr(&prev);
			return r;
		}
		free(prev);
		prev = text;
		prev_r = r;
	}
	return ctu_err_make(err, EAGAIN, "cannot %s: it changes from one listing to the next", cmd);
}

int nft_list(struct nft_ctx *ctx, const char *what, json_t **out, char **text, ctu_err_t *err)
{
	_cleanup_free_ char *t = NULL;
	int r = nft_list_text(ctx, what, &t, err);

	*out = NULL;
	if (r != 0)
		return r;
	*out = ctu_json_parse(t, strlen(t), what, err);
	if (!*out)
		return ctu_err_code(*err);
	if (text)
		*text = ctu_steal_ptr(&t);
	return 0;
}

char *nft_blocked_by(struct nft_ctx *ctx)
{
	_cleanup_json_ json_t *root = NULL;
	_cleanup_err_ ctu_err_t err = NULL;
	struct strbuf b = { 0 };
	json_t *item;
	size_t i;

	if (nft_list(ctx, "chains", &root, NULL, &err) != 0)
		return strdup("");
	json_array_foreach(json_object_get(root, "nftables"), i, item) {
		json_t *c = json_object_get(item, "chain");
		const char *hook = json_string_value(json_object_get(c, "hook"));
		const char *policy = json_string_value(json_object_get(c, "policy"));
		const char *family = json_string_value(json_object_get(c, "family"));
		const char *table = json_string_value(json_object_get(c, "table"));
		const char *name = json_string_value(json_object_get(c, "name"));

		if (!hook || !policy || !family || !table || !name || strcmp(hook, "forward") ||
		    strcmp(policy, "drop") || (!strcmp(family, "inet") && !strcmp(table, "ctutils")))
			continue;
		sb_printf(&b, "%s%s %s %s", b.len ? ", " : "", family, table, name);
	}
	if (b.oom) {
		sb_free(&b);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}
