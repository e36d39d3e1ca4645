// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - the state of "inet ctutils" read back from nft 1.0.6's JSON
 * listing (`nft -j list table inet ctutils`): the published ports, NAT
 * sources and their chains, hairpin and localnet elements, and which sets
 * exist.  Pure: fuzzed and unit-tested.  Elements not of our layout (added
 * by hand) are skipped, never misread.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "nat.h"

/* ---- the state, from `nft -j list table inet ctutils` -------------------------- */

void nat_state_free(struct nat_state *st)
{
	free(st->pubs);
	free(st->masqs);
	free(st->chains);
	free(st->hairpins);
	free(st->localnets);
	*st = (struct nat_state){ 0 };
}

/* Room for one more item in *@arr (of @n, item size @size). */
static void *grow(void **arr, size_t *n, size_t size)
{
	void *bigger;

	/* doubling at powers of two */
	if ((*n & (*n - 1)) == 0) {
		bigger = realloc(*arr, (*n ? *n * 2 : 8) * size);
		if (!bigger)
			return NULL;
		*arr = bigger;
	}
	memset((char *)*arr + *n * size, 0, size);
	return (char *)*arr + (*n)++ * size;
}

static int json_ip(json_t *v, int family, struct ipaddr *out)
{
	return json_is_string(v) && ip_parse(json_string_value(v), out) == 0 &&
		       out->family == family
		   ? 0
		   : -EINVAL;
}

/* "10.0.0.1" (a full-length prefix) or {"prefix":{"addr":A,"len":N}}. */
static int json_prefix(json_t *v, int family, struct ipaddr *out, unsigned int *plen)
{
	json_t *p = json_object_get(v, "prefix");
	json_int_t len;

	if (!p) {
		*plen = family == AF_INET6 ? 128 : 32;
		return json_ip(v, family, out);
	}
	len = json_integer_value(json_object_get(p, "len"));
	if (!json_is_integer(json_object_get(p, "len")) || len < 0 ||
	    len > (family == AF_INET6 ? 128 : 32))
		return -EINVAL;
	*plen = (unsigned int)len;
	return json_ip(json_object_get(p, "addr"), family, out);
}

static int json_port(json_t *v, uint16_t *out)
{
	json_int_t n = json_integer_value(v);

	if (!json_is_integer(v) || n < 1 || n > 65535)
		return -EINVAL;
	*out = (uint16_t)n;
	return 0;
}

static int json_proto(json_t *v, uint8_t *out)
{
	if (json_is_string(v))
		*out = proto_value(json_string_value(v));
	else if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 256)
		*out = (uint8_t)json_integer_value(v);
	else
		return -EINVAL;
	return 0;
}

/* An element's key and comment: {"elem":{"val":K,"comment":C}} or K. */
static json_t *elem_key(json_t *e, char *owner)
{
	json_t *inner = json_object_get(e, "elem");
	const char *c;

	*owner = '\0';
	if (!inner)
		return e;
	c = json_string_value(json_object_get(inner, "comment"));
	if (c && strlen(c) <= OWNER_MAX)
		snprintf(owner, OWNER_MAX + 1, "%s", c);
	return json_object_get(inner, "val");
}

static json_t *concat(json_t *v, size_t n)
{
	json_t *c = json_object_get(v, "concat");

	return json_is_array(c) && json_array_size(c) == n ? c : NULL;
}

static int parse_pub(json_t *e, enum nset s, struct nat_state *st)
{
	int family = s == S_PUB6 || s == S_PUB6ANY ? AF_INET6 : AF_INET;
	bool any = s == S_PUB4ANY || s == S_PUB6ANY;
	struct pub m = { .any = any };
	json_t *key, *k, *d;
	size_t i = 0;

	if (!json_is_array(e) || json_array_size(e) != 2)
		return 0;
	key = elem_key(json_array_get(e, 0), m.owner);
	k = concat(key, any ? 2 : 3);
	d = concat(json_array_get(e, 1), 2);
	m.host.family = family;
	if (!k || !d || (!any && json_ip(json_array_get(k, i++), family, &m.host) < 0) ||
	    json_proto(json_array_get(k, i), &m.proto) < 0 ||
	    json_port(json_array_get(k, i + 1), &m.port) < 0 ||
	    json_ip(json_array_get(d, 0), family, &m.target) < 0 ||
	    json_port(json_array_get(d, 1), &m.tport) < 0)
		return 0; /* not of our layout: left alone */
	struct pub *slot = grow((void **)&st->pubs, &st->npubs, sizeof(m));
	if (!slot)
		return -ENOMEM;
	*slot = m;
	return 0;
}

static int parse_masq(json_t *e, enum nset s, struct nat_state *st)
{
	struct masq m = { 0 };
	const char *chain;
	json_t *key;

	if (!json_is_array(e) || json_array_size(e) != 2)
		return 0;
	key = elem_key(json_array_get(e, 0), m.owner);
	chain = json_string_value(
	    json_object_get(json_object_get(json_array_get(e, 1), "jump"), "target"));
	if (json_prefix(key, s == S_MASQ6 ? AF_INET6 : AF_INET, &m.src, &m.plen) < 0 || !chain ||
	    strlen(chain) >= sizeof(m.chain))
		return 0;
	snprintf(m.chain, sizeof(m.chain), "%s", chain);
	struct masq *slot = grow((void **)&st->masqs, &st->nmasqs, sizeof(m));
	if (!slot)
		return -ENOMEM;
	*slot = m;
	return 0;
}

static int parse_hairpin(json_t *e, enum nset s, struct nat_state *st)
{
	int family = s == S_HAIRPIN6 ? AF_INET6 : AF_INET;
	struct hairpin h = { 0 };
	json_t *k = concat(elem_key(e, h.owner), 2);

	if (!k || json_prefix(json_array_get(k, 0), family, &h.prefix, &h.plen) < 0 ||
	    json_ip(json_array_get(k, 1), family, &h.target) < 0)
		return 0;
	struct hairpin *slot = grow((void **)&st->hairpins, &st->nhairpins, sizeof(h));
	if (!slot)
		return -ENOMEM;
	*slot = h;
	return 0;
}

static int parse_localnet(json_t *e, struct nat_state *st)
{
	char comment[OWNER_MAX + 1];
	struct localnet l = { 0 };
	const char *name = json_string_value(elem_key(e, comment));

	if (!name || !ifname_plain(name))
		return 0;
	snprintf(l.ifname, sizeof(l.ifname), "%s", name);
	l.old = !strcmp(comment, "route_localnet:1");
	struct localnet *slot = grow((void **)&st->localnets, &st->nlocalnets, sizeof(l));
	if (!slot)
		return -ENOMEM;
	*slot = l;
	return 0;
}

static int parse_set(json_t *obj, struct nat_state *st)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	json_t *elems = json_object_get(obj, "elem"), *e;
	size_t i;
	int s, r = 0;

	if (!name || strcmp(json_string_value(json_object_get(obj, "table")) ?: "", "ctutils"))
		return 0;
	for (s = 0; s < S_COUNT && strcmp(nset_names[s], name); s++)
		;
	if (s == S_COUNT)
		return 0;
	st->have[s] = true;
	json_array_foreach(elems, i, e) {
		if (s <= S_PUB6ANY)
			r = parse_pub(e, (enum nset)s, st);
		else if (s <= S_HAIRPIN6)
			r = parse_hairpin(e, (enum nset)s, st);
		else if (s <= S_MASQ6)
			r = parse_masq(e, (enum nset)s, st);
		else if (s == S_LOCALNET)
			r = parse_localnet(e, st);
		if (r < 0)
			return r;
	}
	return 0;
}

static struct natchain *find_chain(struct nat_state *st, const char *name, bool make)
{
	struct natchain *c;

	for (size_t i = 0; i < st->nchains; i++)
		if (!strcmp(st->chains[i].name, name))
			return &st->chains[i];
	if (!make || strlen(name) >= NAT_CHAIN_MAX)
		return NULL;
	c = grow((void **)&st->chains, &st->nchains, sizeof(*c));
	if (c)
		snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

/* oifname "a" or oifname { "a", "b" } */
static void rule_out(json_t *right, struct natchain *c)
{
	json_t *set = json_object_get(right, "set"), *v;
	size_t i;

	if (json_is_string(right)) {
		snprintf(c->out[0], IFNAMSIZ, "%s", json_string_value(right));
		c->nout = 1;
		return;
	}
	json_array_foreach(set, i, v) {
		if (json_is_string(v) && c->nout < NAT_OUT_MAX)
			snprintf(c->out[c->nout++], IFNAMSIZ, "%s", json_string_value(v));
	}
}

/* The rules of a nat4-/nat6- chain: "daddr { EXCEPT, multicast } return", "[oifname ..] masquerade". */
static int parse_rule(json_t *obj, struct nat_state *st)
{
	const char *chain = json_string_value(json_object_get(obj, "chain"));
	json_t *x, *m;
	size_t i;
	struct natchain *c;

	if (!chain || (strncmp(chain, "nat4-", 5) && strncmp(chain, "nat6-", 5)))
		return 0;
	c = find_chain(st, chain, true);
	if (!c)
		return -ENOMEM;
	json_array_foreach(json_object_get(obj, "expr"), i, x) {
		json_t *left, *right;

		m = json_object_get(x, "match");
		left = json_object_get(m, "left");
		right = json_object_get(m, "right");
		if (json_object_get(left, "payload") && json_object_get(right, "set") && !c->plen)
			json_prefix(json_array_get(json_object_get(right, "set"), 0),
				    chain[3] == '6' ? AF_INET6 : AF_INET, &c->except, &c->plen);
		else if (json_object_get(left, "meta") &&
			 !strcmp(json_string_value(json_object_get(json_object_get(left, "meta"),
								   "key")) ?: "",
				 "oifname"))
			rule_out(right, c);
	}
	return 0;
}

/* A nat4-/nat6- chain, even with no rule yet. */
static int parse_chain(json_t *obj, struct nat_state *st)
{
	const char *name = json_string_value(json_object_get(obj, "name"));

	if (!name || (strncmp(name, "nat4-", 5) && strncmp(name, "nat6-", 5)) ||
	    strlen(name) >= NAT_CHAIN_MAX)
		return 0;
	return find_chain(st, name, true) ? 0 : -ENOMEM;
}

int nat_state_parse(json_t *root, struct nat_state *st, ctu_err_t *err)
{
	json_t *item;
	size_t i;
	int r = 0;

	*st = (struct nat_state){ 0 };
	if (!root)
		return 0;
	json_array_foreach(json_object_get(root, "nftables"), i, item) {
		json_t *o;

		if (json_object_get(item, "table"))
			st->table = true;
		else if ((o = json_object_get(item, "map")) || (o = json_object_get(item, "set")))
			r = parse_set(o, st);
		else if ((o = json_object_get(item, "rule")))
			r = parse_rule(o, st);
		else if ((o = json_object_get(item, "chain")))
			r = parse_chain(o, st);
		if (r < 0) {
			nat_state_free(st);
			return ctu_err_make(err, ENOMEM, "cannot read table inet ctutils");
		}
	}
	return 0;
}

