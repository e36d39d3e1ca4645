// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat.c - vethctl nat add, del and ls: traffic from a source prefix
 * masqueraded as it leaves through other interfaces (not to the prefix
 * itself, EXCEPT, nor to multicast; only through --out ones if given), as
 * the CNI bridge plugin's ipMasq does.  A source is an element of masq4/6
 * jumping to its per-EXCEPT chain, and of natsrc4/6 for forward_ct.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "ctu.h"
#include "json.h"
#include "nat.h"
#include "vethctl.h"

int print_json(const char *key, json_t *list, ctu_err_t *err)
{
	_cleanup_json_ json_t *root = json_pack("{s:O}", key, list);
	_cleanup_free_ char *text = root ? json_dumps(root, JSON_INDENT(3)) : NULL;

	if (!text)
		return ctu_err_make(err, ENOMEM, "%s", key);
	if (puts(text) < 0)
		return ctu_err_errno(err, "cannot write the listing");
	return 0;
}

/* A SUBNET operand: a prefix without host bits, not /0.  1: not an address (an IFACE). */
static int subnet_value(const char *s, const char *cmd, struct masq *m, ctu_err_t *err)
{
	struct cidr c;
	struct ipaddr net;

	if (parse_cidr(s, true, &c) < 0) {
		if (strchr(s, '/') || parse_cidr(s, false, &c) == 0)
			return ctu_err_usage(err, "%s: invalid SUBNET '%s': expected a prefix "
						  "(10.88.0.0/16) or an interface",
					     cmd, s);
		return 1;
	}
	m->src.family = c.family;
	memcpy(m->src.b, c.addr.bytes, 16);
	m->plen = c.prefix;
	if (c.prefix == 0)
		return ctu_err_usage(err, "%s: invalid SUBNET '%s': /0 would masquerade everything",
				     cmd, s);
	if (!ip_network(&m->src, m->plen, &net))
		return ctu_err_usage(err, "%s: invalid SUBNET '%s': host bits set (%s/%u?)", cmd,
				     s, ip_text(&net, (char[INET6_ADDRSTRLEN]){ 0 }), m->plen);
	return 0;
}

/* The global prefixes of interface @name: a NAT source each. */
static int iface_prefixes(struct natrun *r, const char *name, struct masq *out, size_t max,
			  size_t *n, ctu_err_t *err)
{
	struct nl_cache *cache = NULL;
	unsigned int idx = if_nametoindex(name);

	*n = 0;
	if (!idx)
		return ctu_err_make(err, 0, "no such interface %s in %s", name, r->where);
	if (addr_cache_of(&r->v->host, (int)idx, 0, &cache) < 0)
		return ctu_err_make(err, EIO, "cannot list the addresses of %s", name);
	for (struct nl_object *o = nl_cache_get_first(cache); o && *n < max;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct ipaddr ip = { .family = rtnl_addr_get_family(a) };

		if ((unsigned int)rtnl_addr_get_ifindex(a) != idx ||
		    rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE || !local ||
		    nl_addr_get_len(local) != (ip.family == AF_INET6 ? 16u : 4u))
			continue;
		memcpy(ip.b, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
		out[*n].plen = (unsigned int)rtnl_addr_get_prefixlen(a);
		ip_network(&ip, out[*n].plen, &out[*n].src);
		(*n)++;
	}
	nl_cache_free(cache);
	if (!*n)
		return ctu_err_make(err, 0, "interface %s has no global address in %s", name,
				    r->where);
	return 0;
}

struct nat_job {
	const char *cmd; /* "nat add", "nat del" */
	const char *operand;
	struct masq m[32]; /* the SUBNET, or IFACE's prefixes */
	size_t n;
	bool is_iface;
	struct natchain chain; /* the out names */
	char owner[OWNER_MAX + 1];
	bool quiet; /* connect: a source inside another is covered, not refused */
};

static bool overlap(const struct masq *a, const struct ipaddr *src, unsigned int plen)
{
	unsigned int p = a->plen < plen ? a->plen : plen;

	return a->src.family == src->family && ip_in(src, &a->src, p);
}

static struct natchain *state_chain(struct nat_state *st, const char *name)
{
	for (size_t i = 0; i < st->nchains; i++)
		if (!strcmp(st->chains[i].name, name))
			return &st->chains[i];
	return NULL;
}

/* Plans NAT source @src/@plen, EXCEPT @except/@eplen, through @j's --out names. */
int plan_nat_source(struct natrun *r, struct plan *p, const struct masq *m,
		    const struct ipaddr *except, unsigned int eplen, const struct natchain *outs,
		    const char *cmd, bool *fwd, ctu_err_t *err)
{
	struct natchain c = *outs;
	char *names[NAT_OUT_MAX];
	struct masq add = *m;
	char t[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < r->st.nmasqs; i++)
		if (overlap(&r->st.masqs[i], &m->src, m->plen))
			return ctu_err_make(err, 0, "%s %s/%u: overlaps NAT source %s/%u of %s",
					    cmd, ip_text(&m->src, t), m->plen,
					    ip_text(&r->st.masqs[i].src,
						    (char[INET6_ADDRSTRLEN]){ 0 }),
					    r->st.masqs[i].plen, r->st.masqs[i].owner);
	c.except = *except;
	c.plen = eplen;
	for (size_t i = 0; i < c.nout; i++)
		names[i] = c.out[i];
	nat_chain_name(except, eplen, names, c.nout, c.name, sizeof(c.name));
	/* the names sorted as in the chain's name: the rule says them in that order */
	char sorted[NAT_OUT_MAX][IFNAMSIZ];
	for (size_t i = 0; i < c.nout; i++)
		snprintf(sorted[i], IFNAMSIZ, "%s", names[i]);
	memcpy(c.out, sorted, sizeof(sorted[0]) * c.nout);
	if (!state_chain(&r->st, c.name) && !strstr(p->new_chains.s ? p->new_chains.s : "", c.name))
		plan_new_chain(p, &c);
	snprintf(add.chain, sizeof(add.chain), "%s", c.name);
	plan_add_masq(p, &add);
	fwd[m->src.family == AF_INET6] = true;
	return 0;
}

static int do_nat_add(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct nat_job *j = arg;
	struct pub_add a = { 0 };
	bool fwd[2] = { false, false };
	struct plan p;
	int e = 0;

	if (j->is_iface && iface_prefixes(r, j->operand, j->m, CTU_ARRAY_SIZE(j->m), &j->n, err) < 0)
		return ctu_err_wrap(err, "%s", j->cmd);
	plan_init(&p, &r->st);
	for (size_t i = 0; i < j->n && e == 0; i++) {
		snprintf(j->m[i].owner, sizeof(j->m[i].owner), "%s", j->owner);
		/* two prefixes of one IFACE may overlap each other: the state is not enough */
		for (size_t k = 0; k < i && e == 0; k++)
			if (overlap(&j->m[k], &j->m[i].src, j->m[i].plen))
				e = ctu_err_make(err, 0, "%s %s: its prefixes overlap", j->cmd,
						 j->operand);
		if (e == 0)
			e = plan_nat_source(r, &p, &j->m[i], &j->m[i].src, j->m[i].plen,
					    &j->chain, j->cmd, fwd, err);
	}
	a.fwd4 = fwd[0];
	a.fwd6 = fwd[1];
	if (e == 0)
		e = commit_adds(r, &p, &a, j->cmd, err);
	plan_free(&p);
	return e;
}

/* The chains no remaining source jumps to, after removing @gone ones. */
void plan_unused_chains(const struct nat_state *st, struct plan *p, const bool *gone)
{
	for (size_t c = 0; c < st->nchains; c++) {
		bool used = false;

		for (size_t i = 0; i < st->nmasqs && !used; i++)
			used = !gone[i] && !strcmp(st->masqs[i].chain, st->chains[c].name);
		if (!used)
			plan_del_chain(p, st->chains[c].name);
	}
}

static int do_nat_del(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct nat_job *j = arg;
	_cleanup_free_ bool *gone = NULL;
	char t[INET6_ADDRSTRLEN];
	struct plan p;
	int e;

	if (j->is_iface && iface_prefixes(r, j->operand, j->m, CTU_ARRAY_SIZE(j->m), &j->n, err) < 0)
		return ctu_err_wrap(err, "nat del");
	gone = calloc(r->st.nmasqs + 1, sizeof(bool));
	if (!gone)
		return ctu_err_make(err, ENOMEM, "nat del");
	for (size_t k = 0; k < j->n; k++) {
		size_t i = 0;

		while (i < r->st.nmasqs && !(ip_equal(&r->st.masqs[i].src, &j->m[k].src) &&
					     r->st.masqs[i].plen == j->m[k].plen))
			i++;
		if (i == r->st.nmasqs)
			return ctu_err_make(err, 0, "nat del %s/%u: not a NAT source",
					    ip_text(&j->m[k].src, t), j->m[k].plen);
		gone[i] = true;
	}
	plan_init(&p, &r->st);
	for (size_t i = 0; i < r->st.nmasqs; i++)
		if (gone[i])
			plan_del_masq(&p, &r->st.masqs[i]);
	plan_unused_chains(&r->st, &p, gone);
	e = commit_removal(r, &p, NULL, NULL, 0, err);
	plan_free(&p);
	return e < 0 ? ctu_err_wrap(err, "nat del") : 0;
}

/* ---- nat ls ------------------------------------------------------------------- */

static int do_nat_ls(struct natrun *r, void *arg, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "SOURCE", 0.2, SCOLS_JSON_STRING, 0, NULL },
		{ "OUT", 0.2, SCOLS_JSON_STRING, 0, NULL },
		{ "EXCEPT", 0.2, SCOLS_JSON_STRING, 0, NULL },
		{ "FWD", 0.05, SCOLS_JSON_STRING, 0, NULL },
		{ "OWNER", 0.15, SCOLS_JSON_STRING, 0, NULL },
		{ "BLOCKEDBY", 0.2, SCOLS_JSON_STRING, 0, NULL },
	};
	_cleanup_free_ char *by = nft_blocked_by(r->nft);
	_cleanup_json_ json_t *list = json_array();
	struct libscols_table *tb = NULL;
	bool json = r->v->output.json;
	int fwd[2] = { sysctl_get("ipv4/ip_forward") == 1,
		       sysctl_get("ipv6/conf/all/forwarding") == 1 };

	(void)arg;
	if (!json && !(tb = ctu_out_table("nat", cols, CTU_ARRAY_SIZE(cols), &r->v->output)))
		return ctu_err_make(err, ENOMEM, "nat ls");
	for (size_t i = 0; i < r->st.nmasqs; i++) {
		const struct masq *m = &r->st.masqs[i];
		const struct natchain *c = state_chain(&r->st, m->chain);
		char src[INET6_ADDRSTRLEN + 4], exc[INET6_ADDRSTRLEN + 4] = "-", t[INET6_ADDRSTRLEN];
		struct strbuf out = { 0 };
		json_t *outs = json_array();
		bool v6 = m->src.family == AF_INET6;

		snprintf(src, sizeof(src), "%s/%u", ip_text(&m->src, t), m->plen);
		if (c && c->plen)
			snprintf(exc, sizeof(exc), "%s/%u", ip_text(&c->except, t), c->plen);
		for (size_t k = 0; c && k < c->nout; k++) {
			sb_printf(&out, "%s%s", k ? "," : "", c->out[k]);
			json_array_append_new(outs, json_string(c->out[k]));
		}
		if (json) {
			json_array_append_new(
			    list, json_pack("{s:s,s:s,s:s,s:o,s:b,s:s,s:s?}", "family",
					    v6 ? "ipv6" : "ipv4", "source", src, "except", exc,
					    "out", outs, "forwarding", fwd[v6], "owner", m->owner,
					    "blocked_by", by && *by ? by : NULL));
			sb_free(&out);
			continue;
		}
		json_decref(outs);
		const char *cells[] = { src, out.len ? out.s : "*", exc, fwd[v6] ? "yes" : "no",
					m->owner, by && *by ? by : "-" };
		int e = ctu_out_line(tb, cells, CTU_ARRAY_SIZE(cells));
		sb_free(&out);
		if (e < 0) {
			scols_unref_table(tb);
			return ctu_err_make(err, ENOMEM, "nat ls");
		}
	}
	if (json)
		return print_json("nat", list, err);
	return ctu_out_print(tb) < 0 ? ctu_err_errno(err, "nat ls: cannot write") : 0;
}

/* ---- the command ------------------------------------------------------------------ */

struct nat_options {
	struct optlist out;
	const char *owner;
};

static int nat_values(struct nat_job *j, const struct nat_options *o, const char *operand,
		      ctu_err_t *err)
{
	int r;

	j->operand = operand;
	r = subnet_value(operand, j->cmd, &j->m[0], err);
	if (r < 0)
		return r;
	j->n = r == 0;
	j->is_iface = r == 1;
	if (j->is_iface && (check_ifname(operand, "interface name", err) < 0 ||
			    !ifname_plain(operand)))
		return *err ? ctu_err_code(*err)
			    : ctu_err_usage(err, "%s: invalid interface name '%s'", j->cmd, operand);
	if (o->out.n > NAT_OUT_MAX)
		return ctu_err_usage(err, "%s: more than %d --out", j->cmd, NAT_OUT_MAX);
	for (size_t i = 0; i < o->out.n; i++) {
		if (check_ifname(o->out.v[i], "--out", err) < 0)
			return ctu_err_code(*err);
		if (!ifname_plain(o->out.v[i]))
			return ctu_err_usage(err, "%s: invalid --out '%s': [A-Za-z0-9_.@+-] only",
					     j->cmd, o->out.v[i]);
		snprintf(j->chain.out[j->chain.nout++], IFNAMSIZ, "%s", o->out.v[i]);
	}
	return owner_option(j->cmd, o->owner, j->owner, sizeof(j->owner), err);
}

static int nat_change(struct vethctl *v, int argc, char **argv, bool add, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, OPT_OUT },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = {
		REPEATED(offsetof(struct nat_options, out)),
		offsetof(struct nat_options, owner),
	};
	struct nat_options o = { 0 };
	struct nat_job j = { 0 };
	char **args;

	j.cmd = add ? "nat add" : "nat del";
	if (cmd_parse(v, argc, argv, longopts, fields, &o, err) < 0 ||
	    operands(argc, argv, 1, "expected SUBNET or IFACE", &args, err) < 0 ||
	    nat_values(&j, &o, args[0], err) < 0)
		return ctu_err_code(*err);
	if (!add && o.out.n)
		return ctu_err_usage(err, "nat del: --out is for nat add");
	return nat_run(v, add ? do_nat_add : do_nat_del, &j, err);
}

int cmd_nat(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	if (argc < 2)
		return ctu_err_usage(err, "nat: expected add, del or ls");
	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "del"))
		return nat_change(v, argc - 1, argv + 1, argv[1][0] == 'a', err);
	if (!strcmp(argv[1], "ls")) {
		if (no_options(v, argc - 1, argv + 1, err) < 0)
			return ctu_err_code(*err);
		if (optind < argc - 1)
			return ctu_err_usage(err, "ls: unexpected argument '%s'", argv[optind + 1]);
		return nat_run(v, do_nat_ls, NULL, err);
	}
	return ctu_err_usage(err, "nat: unknown subcommand '%s' (add, del or ls)", argv[1]);
}
