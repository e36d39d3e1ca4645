// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnibridge-nft.c - the nftables elements of a ctutils-bridge attachment:
 * ipMasq and portMappings as Part A's elements of "inet ctutils" (what
 * `connect --nat --publish` makes, with a cni: owner), and macspoofchk in
 * "bridge ctutils", whose one rule drops what a registered host end sends
 * from another MAC (inet cannot see layer 2):
 *
 *	table bridge ctutils {
 *		set spoofifs { type ifname; }
 *		set spoofok { type ifname . ether_addr; }
 *		chain spoof { type filter hook prerouting priority -300;
 *			iifname @spoofifs iifname . ether saddr != @spoofok drop }
 *	}
 *
 * Every element's comment is its owner, so DEL and GC find them again;
 * all runs in nat_run(), under the namespace's lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnibridge.h"
#include "ctu.h"
#include "json.h"

void owner_net_part(const char *net, char *out, size_t size)
{
	char owner[OWNER_MAX + 1];
	const char *p, *end;

	/* with cid and ifname empty the name is cut only where every owner's is */
	cni_owner(net, "", "", owner, sizeof(owner));
	p = strchr(owner + 4, ':');
	p = p ? p + 1 : owner + strlen(owner);
	end = strchr(p, ':');
	snprintf(out, size, "%.*s", (int)(end ? (size_t)(end - p) : strlen(p)), p);
}

static bool owned(const char *owner, const char *key)
{
	return !strncmp(owner, key, strlen(key));
}

/* ---- ipMasq and portMappings --------------------------------------------------- */

/* Which spoof elements go: those of @key (DEL), or of network @net not kept (GC). */
struct spoof_select {
	const char *key;
	const char *net;
	char (*keys)[OWNER_MAX + 1];
	size_t nkeys;
};


/* The first address of @family: portmap maps the first of each. */
static const struct cni_ip *first_ip(const struct attachment *a, int family)
{
	for (size_t i = 0; i < a->nips; i++)
		if (a->ips[i].ip.family == family)
			return &a->ips[i];
	return NULL;
}

/* Each portMapping for the first address of each family (another family's hostIP skipped). */
static int portmap_pubs(const struct attachment *a, struct pub **out, size_t *n)
{
	static const int families[] = { AF_INET, AF_INET6 };

	*out = calloc(2 * a->c.nports + 1, sizeof(**out));
	*n = 0;
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < a->c.nports; i++) {
		const struct bridge_portmap *pm = &a->c.ports[i];

		for (size_t f = 0; f < CTU_ARRAY_SIZE(families); f++) {
			const struct cni_ip *ip = first_ip(a, families[f]);
			struct pub *m = &(*out)[*n];

			if (!ip || (pm->host_family && pm->host_family != families[f]))
				continue;
			m->host.family = families[f];
			m->any = pm->host_any;
			if (!m->any)
				memcpy(m->host.b, pm->host_ip, sizeof(m->host.b));
			m->proto = pm->proto;
			m->port = (uint16_t)pm->host_port;
			m->target = ip->ip;
			m->tport = (uint16_t)pm->container_port;
			snprintf(m->owner, sizeof(m->owner), "%s", a->owner);
			(*n)++;
		}
	}
	return 0;
}

/* A NAT source of the state covers @ip already: ipMasq is skipped for it, not failed. */
static bool nat_covered(const struct nat_state *st, const struct ipaddr *ip)
{
	for (size_t i = 0; i < st->nmasqs; i++)
		if (ip_in(ip, &st->masqs[i].src, st->masqs[i].plen))
			return true;
	return false;
}

/* ipMasq: each address masqueraded, except to its own prefix (and multicast). */
static int plan_masq(struct natrun *r, struct plan *p, const struct attachment *a,
		     struct pub_add *add, ctu_err_t *err)
{
	for (size_t i = 0; i < a->nips; i++) {
		const struct cni_ip *ip = &a->ips[i];
		struct masq m = { .src = ip->ip, .plen = ip->ip.family == AF_INET6 ? 128 : 32 };
		struct natchain none = { 0 };
		bool fwd[2] = { false, false };
		struct ipaddr except;

		if (nat_covered(&r->st, &ip->ip))
			continue;
		snprintf(m.owner, sizeof(m.owner), "%s", a->owner);
		ip_network(&ip->ip, ip->plen, &except);
		if (plan_nat_source(r, p, &m, &except, ip->plen, &none, "ipMasq", fwd, err) < 0)
			return ctu_err_code(*err);
		add->fwd4 |= fwd[0];
		add->fwd6 |= fwd[1];
	}
	return 0;
}

static int nat_add_in(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct attachment *a = arg;
	struct pub_add add = { .no_snat = !a->c.snat };
	struct plan p;
	int e;

	if (portmap_pubs(a, &add.m, &add.n) < 0)
		return ctu_err_make(err, ENOMEM, "portMappings");
	e = pubs_check(&r->st, add.m, add.n, "portMappings", err);
	plan_init(&p, &r->st);
	if (e == 0)
		e = pubs_plan(r, &p, &add, "portMappings", err);
	if (e == 0 && a->c.ip_masq)
		e = plan_masq(r, &p, a, &add, err);
	if (e == 0 && !plan_empty(&p))
		e = commit_adds(r, &p, &add, a->c.ip_masq ? "ipMasq" : "portMappings", err);
	plan_free(&p);
	free(add.m);
	return e;
}

static int del_in(struct natrun *r, void *arg, ctu_err_t *err);

/* Undo of bridge_nat_add() after a later failure: the elements of the key. */
static void nat_undo(void *arg)
{
	struct attachment *a = arg;
	struct spoof_select s = { .key = a->key };
	_cleanup_err_ ctu_err_t err = NULL;

	nat_run(&a->v, del_in, &s, &err);
}

int bridge_nat_add(struct attachment *a, ctu_err_t *err)
{
	int e;

	if (!a->c.ip_masq && !a->c.nports)
		return 0;
	/* libnftables may end the process itself: what was made goes first */
	nft_exit_undo(&a->undo);
	e = nat_run(&a->v, nat_add_in, a, err);
	nft_exit_undo(NULL);
	if (e < 0)
		return cni_internal(err);
	return ctu_undo_call(&a->undo, nat_undo, a, err) < 0 ? cni_internal(err) : 0;
}

/* ---- macspoofchk: table bridge ctutils ------------------------------------------ */

#define SPOOF_TABLE "bridge ctutils"

/* The table, its sets and its one rule, made or refreshed in the transaction. */
static void spoof_layout(struct strbuf *b)
{
	sb_printf(b, "add table " SPOOF_TABLE "\n"
		     "add set " SPOOF_TABLE " spoofifs { type ifname; }\n"
		     "add set " SPOOF_TABLE " spoofok { type ifname . ether_addr; }\n"
		     "add chain " SPOOF_TABLE " spoof { type filter hook prerouting priority -300; }\n"
		     "flush chain " SPOOF_TABLE " spoof\n"
		     "add rule " SPOOF_TABLE " spoof iifname @spoofifs iifname . ether saddr != "
		     "@spoofok drop\n");
}

static void mac_text(const unsigned char *mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

/* "aa:bb:cc:dd:ee:ff", lower case as nft lists it: what may reach the command text. */
static bool mac_plain(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static int spoof_add_in(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct attachment *a = arg;
	struct strbuf b = { 0 };
	char mac[18];
	int e;

	mac_text(a->cont_mac, mac, sizeof(mac));
	spoof_layout(&b);
	sb_printf(&b,
		  "add element " SPOOF_TABLE " spoofifs { \"%s\" comment \"%s\" }\n"
		  "add element " SPOOF_TABLE " spoofok { \"%s\" . %s comment \"%s\" }\n",
		  a->host_end, a->owner, a->host_end, mac, a->owner);
	e = b.oom ? ctu_err_make(err, ENOMEM, "macspoofchk") : nft_run(r->nft, b.s, err);
	sb_free(&b);
	return e < 0 ? ctu_err_wrap(err, "failed to setup spoof-check") : 0;
}

/* Undo of spoof_add(): its two elements again. */
static int spoof_del_in(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct attachment *a = arg;
	struct strbuf b = { 0 };
	char mac[18];
	int e;

	mac_text(a->cont_mac, mac, sizeof(mac));
	sb_printf(&b,
		  "delete element " SPOOF_TABLE " spoofifs { \"%s\" }\n"
		  "delete element " SPOOF_TABLE " spoofok { \"%s\" . %s }\n",
		  a->host_end, a->host_end, mac);
	e = b.oom ? ctu_err_make(err, ENOMEM, "macspoofchk") : nft_run(r->nft, b.s, err);
	sb_free(&b);
	return e;
}

static void spoof_undo(void *arg)
{
	_cleanup_err_ ctu_err_t err = NULL;

	nat_run(&((struct attachment *)arg)->v, spoof_del_in, arg, &err);
}

int spoof_add(struct attachment *a, ctu_err_t *err)
{
	if (!a->c.macspoofchk)
		return 0;
	if (!ifname_plain(a->host_end) || !owner_valid(a->owner))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to setup spoof-check: bad name %s",
			       a->host_end);
	nft_exit_undo(&a->undo);
	if (nat_run(&a->v, spoof_add_in, a, err) < 0) {
		nft_exit_undo(NULL);
		return cni_internal(err);
	}
	nft_exit_undo(NULL);
	return ctu_undo_call(&a->undo, spoof_undo, a, err) < 0 ? cni_internal(err) : 0;
}

/* One element of spoofifs or spoofok as listed: its ifname, its MAC (spoofok), its comment. */
struct spoof_elem {
	const char *ifname, *mac, *owner;
};

static bool spoof_elem_read(json_t *e, struct spoof_elem *out)
{
	json_t *in = json_object_get(e, "elem"), *val = json_object_get(in, "val");
	json_t *cat = json_object_get(val, "concat");

	memset(out, 0, sizeof(*out));
	out->owner = json_string_value(json_object_get(in, "comment"));
	if (json_is_string(val))
		out->ifname = json_string_value(val);
	else if (json_is_array(cat) && json_array_size(cat) == 2) {
		out->ifname = json_string_value(json_array_get(cat, 0));
		out->mac = json_string_value(json_array_get(cat, 1));
	}
	return out->owner && out->ifname && ifname_plain(out->ifname) &&
	       (!out->mac || mac_plain(out->mac));
}

static bool kept_by_gc(const char *owner, const struct spoof_select *s);

static bool spoof_goes(const char *owner, const struct spoof_select *s)
{
	return s->key ? owned(owner, s->key) : !kept_by_gc(owner, s);
}

/* The deletions of the selected elements of table bridge ctutils, into @b. */
static int spoof_plan_del(struct natrun *r, const struct spoof_select *s, struct strbuf *b,
			  ctu_err_t *err)
{
	_cleanup_json_ json_t *root = NULL;
	json_t *list, *item;
	size_t i;
	int e = nft_list(r->nft, "table " SPOOF_TABLE, &root, NULL, err);

	if (e < 0 || !root)
		return e < 0 ? e : 0;
	list = json_object_get(root, "nftables");
	json_array_foreach(list, i, item) {
		json_t *set = json_object_get(item, "set"), *elems = json_object_get(set, "elem"), *el;
		const char *name = json_string_value(json_object_get(set, "name"));
		size_t k;

		if (!name || (strcmp(name, "spoofifs") && strcmp(name, "spoofok")))
			continue;
		json_array_foreach(elems, k, el) {
			struct spoof_elem se;

			if (!spoof_elem_read(el, &se) || !spoof_goes(se.owner, s))
				continue;
			if (se.mac)
				sb_printf(b, "delete element " SPOOF_TABLE " %s { \"%s\" . %s }\n", name,
					  se.ifname, se.mac);
			else
				sb_printf(b, "delete element " SPOOF_TABLE " %s { \"%s\" }\n", name,
					  se.ifname);
		}
	}
	return b->oom ? ctu_err_make(err, ENOMEM, "macspoofchk") : 0;
}

static int spoof_remove(struct natrun *r, const struct spoof_select *s, ctu_err_t *err)
{
	struct strbuf b = { 0 };
	int e = spoof_plan_del(r, s, &b, err);

	if (e == 0 && b.len)
		e = nft_run(r->nft, b.s, err);
	sb_free(&b);
	return e < 0 ? ctu_err_wrap(err, "failed to teardown spoof-check") : 0;
}

/* ---- DEL: everything of the key ------------------------------------------------- */

/* The state's mappings and sources chosen by @goes, removed (with hairpin, localnet, conntrack). */
static int nat_remove(struct natrun *r, const struct spoof_select *s, ctu_err_t *err)
{
	_cleanup_free_ bool *gone = calloc(r->st.npubs + 1, sizeof(bool));
	_cleanup_free_ bool *mgone = calloc(r->st.nmasqs + 1, sizeof(bool));
	bool any = false;

	if (!gone || !mgone)
		return ctu_err_make(err, ENOMEM, "cannot remove the elements");
	for (size_t i = 0; i < r->st.npubs; i++)
		any |= gone[i] = !strncmp(r->st.pubs[i].owner, "cni:", 4) &&
				 spoof_goes(r->st.pubs[i].owner, s);
	for (size_t i = 0; i < r->st.nmasqs; i++)
		any |= mgone[i] = !strncmp(r->st.masqs[i].owner, "cni:", 4) &&
				  spoof_goes(r->st.masqs[i].owner, s);
	return any ? remove_marked(r, gone, mgone, err) : 0;
}

static int del_in(struct natrun *r, void *arg, ctu_err_t *err)
{
	const struct spoof_select *s = arg;

	if (nat_remove(r, s, err) < 0)
		return ctu_err_code(*err);
	return spoof_remove(r, s, err);
}

int bridge_nft_del(struct attachment *a, ctu_err_t *err)
{
	struct spoof_select s = { .key = a->key };
	_cleanup_err_ ctu_err_t e = NULL;

	if (nat_run(&a->v, del_in, &s, &e) == 0)
		return 0;
	/* a config that never makes elements: nftables missing is no failure of DEL */
	if (!a->c.ip_masq && !a->c.nports && !a->c.macspoofchk)
		return 0;
	*err = e;
	e = NULL;
	return cni_internal(err);
}

/* ---- CHECK, STATUS, GC ---------------------------------------------------------- */

static bool pub_present(const struct nat_state *st, const struct pub *m)
{
	for (size_t i = 0; i < st->npubs; i++) {
		const struct pub *o = &st->pubs[i];

		if (o->host.family == m->host.family && o->any == m->any &&
		    (m->any || ip_equal(&o->host, &m->host)) && o->proto == m->proto &&
		    o->port == m->port && ip_equal(&o->target, &m->target) && o->tport == m->tport &&
		    owned(o->owner, m->owner))
			return true;
	}
	return false;
}

static int check_in(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct attachment *a = arg;
	_cleanup_free_ struct pub *m = NULL;
	size_t n;
	char t[INET6_ADDRSTRLEN];

	if (portmap_pubs(a, &m, &n) < 0)
		return ctu_err_make(err, ENOMEM, "portMappings");
	for (size_t i = 0; i < n; i++) {
		/* compared by key: the owner's display part may differ */
		snprintf(m[i].owner, sizeof(m[i].owner), "%s", a->key);
		if (!pub_present(&r->st, &m[i]))
			return cni_err(err, CNI_ERR_INTERNAL, NULL,
				       "portMappings: %s port %u is not published to %s:%u",
				       proto_name(m[i].proto), m[i].port, ip_text(&m[i].target, t),
				       m[i].tport);
	}
	return 0;
}

int bridge_nft_check(struct attachment *a, ctu_err_t *err)
{
	if (!a->c.nports)
		return 0;
	return nat_run(&a->v, check_in, a, err) < 0 ? cni_internal(err) : 0;
}

static int noop_in(struct natrun *r, void *arg, ctu_err_t *err)
{
	(void)r;
	(void)arg;
	(void)err;
	return 0;
}

int bridge_nft_status(struct vethctl *v, ctu_err_t *err)
{
	if (nat_run(v, noop_in, NULL, err) < 0)
		return ctu_err_set_code(err, CNI_ERR_NOT_READY);
	return 0;
}

/* GC keeps what is not of this network, and this network's listed attachments. */
static bool kept_by_gc(const char *owner, const struct spoof_select *s)
{
	const size_t klen = 4 + 16 + 1; /* "cni:" HASH16 ":" */
	const char *net;
	size_t n;

	if (strncmp(owner, "cni:", 4) || strlen(owner) < klen)
		return true;
	net = owner + klen;
	n = strcspn(net, ":");
	/* ours: the whole name, or in an owner cut to OWNER_MAX a beginning of it */
	if (n > strlen(s->net) || strncmp(net, s->net, n) ||
	    (n != strlen(s->net) && strlen(owner) != OWNER_MAX))
		return true;
	for (size_t i = 0; i < s->nkeys; i++)
		if (owned(owner, s->keys[i]))
			return true;
	return false;
}

int bridge_nft_gc(struct vethctl *v, const char *net, char (*keys)[OWNER_MAX + 1],
		  size_t nkeys, ctu_err_t *err)
{
	char part[OWNER_MAX + 1];
	struct spoof_select s = { .net = part, .keys = keys, .nkeys = nkeys };

	owner_net_part(net, part, sizeof(part));
	return nat_run(v, del_in, &s, err) < 0 ? cni_internal(err) : 0;
}
