// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * publish.c - vethctl publish, unpublish and publish ls: ports of the
 * namespace's addresses DNATed to a target, one element per port in the
 * hash maps of "inet ctutils".  Also what every command that adds or drops
 * mappings shares (connect, disconnect, gc): the conflict check, the
 * hairpin and localnet elements that follow the mappings, and the commit
 * with its sysctls and conntrack flush.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctu.h"
#include "json.h"
#include "nat.h"
#include "undo.h"
#include "vethctl.h"

/* "8080/tcp", "192.0.2.1:8080/tcp", "[::]:8080/tcp": a key in messages. */
static const char *pub_where(const struct pub *m, char *buf, size_t size)
{
	char t[INET6_ADDRSTRLEN + 2];

	if (m->any && m->host.family == AF_INET)
		snprintf(buf, size, "%u/%s", m->port, proto_name(m->proto));
	else if (m->any)
		snprintf(buf, size, "[::]:%u/%s", m->port, proto_name(m->proto));
	else
		snprintf(buf, size, "%s:%u/%s", ip_text_port(&m->host, t), m->port,
			 proto_name(m->proto));
	return buf;
}

/* "10.88.0.2:80", "[fd00::2]:80" */
static const char *pub_target(const struct pub *m, char *buf, size_t size)
{
	char t[INET6_ADDRSTRLEN + 2];

	snprintf(buf, size, "%s:%u", ip_text_port(&m->target, t), m->tport);
	return buf;
}

/* Ports one SPEC stands for, as mappings of @owner, appended to *@out. */
int spec_expand(const struct spec *s, const char *owner, struct pub **out, size_t *n,
		ctu_err_t *err)
{
	size_t count = (size_t)(s->port_end - s->port) + 1;
	struct pub *more;

	if (*n + count > SPEC_PORTS_MAX)
		return ctu_err_usage(err, "more than %d ports in one command", SPEC_PORTS_MAX);
	more = realloc(*out, (*n + count) * sizeof(**out));
	if (!more)
		return ctu_err_make(err, ENOMEM, "publish");
	*out = more;
	for (size_t i = 0; i < count; i++) {
		struct pub *m = &more[*n + i];

		*m = (struct pub){ .host = s->host, .any = s->any, .proto = s->proto,
				   .port = (uint16_t)(s->port + i), .target = s->target,
				   .tport = (uint16_t)(s->has_tport ? s->tport + i : s->port + i) };
		snprintf(m->owner, sizeof(m->owner), "%s", owner);
	}
	*n += count;
	return 0;
}

/* ---- conflicts: an index by family, protocol and port ---------------------------- */

struct pindex {
	int *head; /* [family][proto][port] -> first mapping, -1 */
	int *next;
};

static size_t pslot(const struct pub *m)
{
	size_t pi = m->proto == IPPROTO_TCP ? 0 : m->proto == IPPROTO_UDP ? 1 : 2;

	return ((m->host.family == AF_INET6 ? 3 : 0) + pi) * 65536 + m->port;
}

static void pindex_free(struct pindex *x)
{
	free(x->head);
	free(x->next);
}

/* Two mappings of one family, protocol and port clash unless both name distinct hosts. */
static bool clash(const struct pub *a, const struct pub *b)
{
	return a->any || b->any || ip_equal(&a->host, &b->host);
}

/*
 * The first mapping of @old (the state) or of @new before @i that @new[i]
 * clashes with: its index (old first, then npubs + j), or -1.
 */
int pubs_check(const struct nat_state *st, const struct pub *m, size_t n, const char *cmd,
	       ctu_err_t *err)
{
	struct pindex x = { calloc((size_t)6 * 65536, sizeof(int)),
			    calloc(st->npubs + n + 1, sizeof(int)) };
	char w[96], t[64];
	int r = 0;

	if (!x.head || !x.next) {
		pindex_free(&x);
		return ctu_err_make(err, ENOMEM, "%s", cmd);
	}
	memset(x.head, 0xff, (size_t)6 * 65536 * sizeof(int));
	for (size_t i = 0; i < st->npubs; i++) {
		x.next[i] = x.head[pslot(&st->pubs[i])];
		x.head[pslot(&st->pubs[i])] = (int)i;
	}
	for (size_t i = 0; i < n && !r; i++) {
		size_t k = pslot(&m[i]);

		for (int j = x.head[k]; j >= 0; j = x.next[j]) {
			const struct pub *o = (size_t)j < st->npubs ? &st->pubs[j]
								    : &m[(size_t)j - st->npubs];

			if (o->proto != m[i].proto || o->port != m[i].port || !clash(o, &m[i]))
				continue;
			if ((size_t)j >= st->npubs)
				r = ctu_err_make(err, 0, "%s %s: given twice", cmd,
						 pub_where(&m[i], w, sizeof(w)));
			else
				r = ctu_err_make(err, 0, "%s %s: already published to %s by %s",
						 cmd, pub_where(o, w, sizeof(w)),
						 pub_target(o, t, sizeof(t)), o->owner);
			break;
		}
		x.next[st->npubs + i] = x.head[k];
		x.head[k] = (int)(st->npubs + i);
	}
	pindex_free(&x);
	return r;
}

/* ---- adding mappings ----------------------------------------------------------- */

/* route_localnet is for IPv4 mappings that 127.0.0.1 reaches: wildcard or loopback hosts. */
static bool needs_localnet(const struct pub *m)
{
	return m->host.family == AF_INET && (m->any || ip_is_loopback(&m->host));
}

/* A route per target, looked up once for a run of mappings to one target. */
static int target_route(struct natrun *r, const struct ipaddr *t, struct route_info *ri,
			struct ipaddr *last, int *last_r)
{
	if (last->family && ip_equal(last, t))
		return *last_r;
	*last = *t;
	*last_r = route_to(&r->v->host, t, ri);
	return *last_r;
}

static bool hairpin_present(const struct nat_state *st, const struct ipaddr *t)
{
	for (size_t i = 0; i < st->nhairpins; i++)
		if (ip_equal(&st->hairpins[i].target, t))
			return true;
	return false;
}

static bool localnet_present(const struct nat_state *st, const struct pub_add *a,
			     const char *ifname)
{
	for (size_t i = 0; i < st->nlocalnets; i++)
		if (!strcmp(st->localnets[i].ifname, ifname))
			return true;
	for (size_t i = 0; i < a->nlocalnets; i++)
		if (!strcmp(a->localnets[i].ifname, ifname))
			return true;
	return false;
}

/* What mapping @m brings along: its hairpin element, its localnet interface. */
static int plan_consequences(struct natrun *r, struct plan *p, struct pub_add *a,
			     const struct pub *m, const struct route_info *ri, bool first_of_target,
			     ctu_err_t *err)
{
	if (!a->no_snat && first_of_target && !hairpin_present(&r->st, &m->target)) {
		struct hairpin h = { .prefix = ri->prefix, .plen = ri->plen, .target = m->target };

		snprintf(h.owner, sizeof(h.owner), "%s", m->owner);
		plan_add_hairpin(p, &h);
	}
	if (!a->no_snat && needs_localnet(m) && !localnet_present(&r->st, a, ri->oif)) {
		char path[IFNAMSIZ + 32];
		struct localnet *l;
		int old;

		if (a->nlocalnets == CTU_ARRAY_SIZE(a->localnets))
			return ctu_err_make(err, 0, "too many output interfaces in one command");
		snprintf(path, sizeof(path), "ipv4/conf/%s/route_localnet", ri->oif);
		old = sysctl_get(path);
		if (old < 0)
			return ctu_err_make(err, -old, "cannot read net.ipv4.conf.%s.route_localnet",
					    ri->oif);
		l = &a->localnets[a->nlocalnets++];
		snprintf(l->ifname, sizeof(l->ifname), "%s", ri->oif);
		l->old = old ? 1 : 0;
		plan_add_localnet(p, l);
	}
	if (m->any || !ip_is_loopback(&m->host))
		*(m->host.family == AF_INET6 ? &a->fwd6 : &a->fwd4) = true;
	return 0;
}

int pubs_plan(struct natrun *r, struct plan *p, struct pub_add *a, const char *cmd,
	      ctu_err_t *err)
{
	struct ipaddr last = { 0 }, seen = { 0 };
	struct route_info ri;
	int last_r = 0;
	char t[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < a->n; i++) {
		const struct pub *m = &a->m[i];
		bool first = !seen.family || !ip_equal(&seen, &m->target);

		if (target_route(r, &m->target, &ri, &last, &last_r) < 0)
			return ctu_err_make(err, 0, "%s %s: no route to %s in %s", cmd,
					    pub_where(m, (char[96]){ 0 }, 96),
					    ip_text(&m->target, t), r->where);
		/* a target's first mapping of this command; hairpin_present() covers the rest */
		if (first)
			for (size_t j = 0; j < i && first; j++)
				first = !ip_equal(&a->m[j].target, &m->target);
		seen = m->target;
		if (plan_consequences(r, p, a, m, &ri, first, err) < 0)
			return ctu_err_code(*err);
		plan_add_pub(p, m);
	}
	return 0;
}

/* After the commit: route_localnet and forwarding, in that order. */
static int after_commit(struct natrun *r, struct pub_add *a, ctu_err_t *err)
{
	for (size_t i = 0; i < a->nlocalnets; i++) {
		char path[IFNAMSIZ + 32];
		int e;

		snprintf(path, sizeof(path), "ipv4/conf/%s/route_localnet", a->localnets[i].ifname);
		e = sysctl_set(path, 1);
		if (e < 0)
			return ctu_err_make(err, -e, "cannot set net.ipv4.conf.%s.route_localnet to 1",
					    a->localnets[i].ifname);
	}
	if ((a->fwd4 && forwarding_on(r, AF_INET, err) < 0) ||
	    (a->fwd6 && forwarding_on(r, AF_INET6, err) < 0))
		return ctu_err_code(*err);
	return 0;
}

int commit_adds(struct natrun *r, struct plan *p, struct pub_add *a, const char *cmd,
		ctu_err_t *err)
{
	_cleanup_free_ char *text = plan_text(p);
	/* asked before the commit: nothing that could fail may follow it but the sysctls */
	_cleanup_free_ char *by = a->fwd4 || a->fwd6 ? nft_blocked_by(r->nft) : NULL;
	int e;

	if (!text)
		return ctu_err_make(err, ENOMEM, "%s", cmd);
	e = nat_commit(r, text, err);
	if (e == -EEXIST && nat_reload(r, err) == 0 && a->n &&
	    pubs_check(&r->st, a->m, a->n, cmd, err) < 0)
		return ctu_err_code(*err); /* taken meanwhile: by whom */
	if (e < 0)
		return ctu_err_wrap(err, "%s", cmd);
	if (by && *by)
		warn_blocked(r, by);
	if (after_commit(r, a, err) < 0) {
		struct plan undo;
		_cleanup_err_ ctu_err_t err2 = NULL;
		_cleanup_free_ char *back = NULL;

		plan_init(&undo, NULL);
		plan_undo_adds(p, &undo);
		back = plan_text(&undo);
		if (!back || nft_run(r->nft, back, &err2) < 0)
			ctu_err_append(err, "and removing the new elements failed too: %s",
				       err2 && err2->msg ? err2->msg : "out of memory");
		else
			ctu_err_append(err, "the new elements were removed again");
		plan_free(&undo);
		return ctu_err_wrap(err, "%s", cmd);
	}
	/* a UDP mapping would not apply to the flows conntrack already knows (plugins PR#553) */
	size_t nudp = 0;
	for (size_t i = 0; i < a->n; i++)
		nudp += a->m[i].proto == IPPROTO_UDP;
	if (nudp) {
		struct pub *udp = calloc(nudp, sizeof(*udp));

		for (size_t i = 0, k = 0; udp && i < a->n; i++)
			if (a->m[i].proto == IPPROTO_UDP)
				udp[k++] = a->m[i];
		conntrack_flush(udp, udp ? nudp : 0);
		free(udp);
	}
	return 0;
}

/* ---- removing mappings ---------------------------------------------------------- */

int plan_remove_pubs(struct natrun *r, struct plan *p, const bool *gone,
		     struct localnet *restore, size_t nrestore_max, size_t *nrestore,
		     ctu_err_t *err)
{
	const struct nat_state *st = &r->st;
	struct ipaddr last = { 0 };
	struct route_info ri;
	int last_r = 0;
	char (*needed)[IFNAMSIZ] = calloc(st->nlocalnets + 1, IFNAMSIZ);
	size_t nneeded = 0;

	*nrestore = 0;
	if (!needed)
		return ctu_err_make(err, ENOMEM, "unpublish");
	for (size_t i = 0; i < st->npubs; i++)
		if (gone[i])
			plan_del_pub(p, &st->pubs[i]);
	for (size_t h = 0; h < st->nhairpins; h++) {
		bool used = false;

		for (size_t i = 0; i < st->npubs && !used; i++)
			used = !gone[i] && ip_equal(&st->pubs[i].target, &st->hairpins[h].target);
		if (!used)
			plan_del_hairpin(p, &st->hairpins[h]);
	}
	/* the interfaces the remaining mappings still route 127.0.0.1's traffic through */
	for (size_t i = 0; i < st->npubs && nneeded < st->nlocalnets; i++) {
		if (gone[i] || !needs_localnet(&st->pubs[i]) ||
		    target_route(r, &st->pubs[i].target, &ri, &last, &last_r) < 0)
			continue;
		bool dup = false;
		for (size_t k = 0; k < nneeded && !dup; k++)
			dup = !strcmp(needed[k], ri.oif);
		if (!dup)
			snprintf(needed[nneeded++], IFNAMSIZ, "%s", ri.oif);
	}
	for (size_t l = 0; l < st->nlocalnets; l++) {
		bool keep = false;

		for (size_t k = 0; k < nneeded && !keep; k++)
			keep = !strcmp(needed[k], st->localnets[l].ifname);
		if (keep)
			continue;
		plan_del_localnet(p, &st->localnets[l]);
		if (*nrestore < nrestore_max)
			restore[(*nrestore)++] = st->localnets[l];
	}
	free(needed);
	return 0;
}

/* route_localnet of @l's interface set to @value; an interface gone with its veth is not an error. */
static int set_localnet(const struct localnet *l, int value)
{
	char path[IFNAMSIZ + 32];
	int e;

	snprintf(path, sizeof(path), "ipv4/conf/%s/route_localnet", l->ifname);
	e = sysctl_set(path, value);
	return e == -ENOENT ? 0 : e;
}

/* Undo of a restored route_localnet: 1 again (the mappings stay). */
static void relocal(void *l)
{
	set_localnet(l, 1);
}

int commit_removal(struct natrun *r, struct plan *p, const bool *gone,
		   const struct localnet *restore, size_t nrestore, ctu_err_t *err)
{
	_cleanup_free_ char *text = plan_text(p);
	_cleanup_undo_ struct ctu_undo undo = CTU_UNDO_INIT;
	struct pub *flush;
	size_t n = 0;
	int e = 0;

	if (!text)
		return ctu_err_make(err, ENOMEM, "nft");
	/*
	 * route_localnet first: a write that fails leaves everything as it was
	 * (the mappings through that interface go a moment later anyway)
	 */
	for (size_t i = 0; i < nrestore && e == 0; i++) {
		e = set_localnet(&restore[i], restore[i].old);
		if (e < 0)
			ctu_err_make(err, -e, "cannot restore net.ipv4.conf.%s.route_localnet to %d",
				     restore[i].ifname, restore[i].old);
		else
			e = ctu_undo_call(&undo, relocal, (void *)&restore[i], err);
	}
	/* libnftables may end the process itself: route_localnet is set back then too */
	nft_exit_undo(&undo);
	if (e == 0)
		e = nat_commit(r, text, err);
	nft_exit_undo(NULL);
	if (e < 0)
		return ctu_err_code(*err); /* the undo log sets route_localnet back */
	ctu_undo_forget(&undo);
	flush = calloc(r->st.npubs + 1, sizeof(*flush));
	for (size_t i = 0; flush && gone && i < r->st.npubs; i++)
		if (gone[i])
			flush[n++] = r->st.pubs[i];
	conntrack_flush(flush, n);
	free(flush);
	return 0;
}

/* ---- publish ------------------------------------------------------------------ */

struct publish_job {
	struct pub *m;
	size_t n;
};

static int do_publish(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct publish_job *j = arg;
	struct pub_add a = { .m = j->m, .n = j->n };
	struct plan p;
	int e;

	if (pubs_check(&r->st, j->m, j->n, "publish", err) < 0)
		return ctu_err_code(*err);
	plan_init(&p, &r->st);
	e = pubs_plan(r, &p, &a, "publish", err);
	if (e == 0)
		e = commit_adds(r, &p, &a, "publish", err);
	plan_free(&p);
	return e;
}

/* --owner NAME: "user:NAME", or a usage error. */
int owner_option(const char *cmd, const char *name, char *out, size_t size, ctu_err_t *err)
{
	if (!name) {
		snprintf(out, size, "cli");
		return 0;
	}
	if (owner_from_name(name, out, size) < 0)
		return ctu_err_usage(err,
				     "%s: invalid --owner '%s': 1 to %d bytes of [A-Za-z0-9_.:@/+-]",
				     cmd, name, OWNER_MAX - 5);
	return 0;
}

/* The SPEC operands of publish/unpublish, as mappings. */
static int specs_of(int argc, char **argv, enum spec_kind kind, const char *owner,
		    struct pub **m, size_t *n, struct spec **specs, ctu_err_t *err)
{
	char why[256];

	*specs = calloc((size_t)(argc - optind) + 1, sizeof(**specs));
	if (!*specs)
		return ctu_err_make(err, ENOMEM, "%s", argv[0]);
	for (int i = optind; i < argc; i++) {
		struct spec *s = &(*specs)[i - optind];

		if (spec_parse(argv[i], kind, s, why, sizeof(why)) < 0)
			return ctu_err_usage(err, "%s: invalid SPEC '%s': %s", argv[0], argv[i], why);
		if (m && n && spec_expand(s, owner, m, n, err) < 0)
			return ctu_err_wrap(err, "%s", argv[0]);
	}
	return 0;
}

static int publish_ls(struct vethctl *v, int argc, char **argv, ctu_err_t *err);

int cmd_publish(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { 0 };
	const char *name = NULL;
	char owner[OWNER_MAX + 1];
	struct publish_job j = { 0 };
	_cleanup_free_ struct spec *specs = NULL;
	int r;

	if (argc >= 2 && !strcmp(argv[1], "ls"))
		return publish_ls(v, argc - 1, argv + 1, err);
	if (cmd_parse(v, argc, argv, longopts, fields, &name, err) < 0 ||
	    owner_option("publish", name, owner, sizeof(owner), err) < 0)
		return ctu_err_code(*err);
	if (optind >= argc)
		return ctu_err_usage(err, "publish: expected SPEC...");
	r = specs_of(argc, argv, SPEC_PUBLISH, owner, &j.m, &j.n, &specs, err);
	if (r == 0)
		r = nat_run(v, do_publish, &j, err);
	free(j.m);
	return r;
}

/* ---- unpublish ------------------------------------------------------------------ */

struct unpublish_job {
	struct spec *specs;
	size_t nspecs;
	const char *owner; /* --owner: all of it */
};

/* Family 0: a SPEC without any address, "8080/tcp": the wildcard of either family. */
static bool same_key(const struct pub *a, const struct spec *s, uint16_t port)
{
	if (!s->host.family)
		return a->any && a->proto == s->proto && a->port == port;
	return a->host.family == s->host.family && a->any == s->any && a->proto == s->proto &&
	       a->port == port && (a->any || ip_equal(&a->host, &s->host));
}

/* Marks the mapping of each port of @s in @gone, or says which is free or aimed elsewhere. */
static int mark_spec(const struct nat_state *st, const struct spec *s, bool *gone, ctu_err_t *err)
{
	char w[96], t[64], want[64];

	for (unsigned int port = s->port; port <= s->port_end; port++) {
		struct pub key = { .host = s->host, .any = s->any, .proto = s->proto,
				   .port = (uint16_t)port, .target = s->target,
				   .tport = (uint16_t)(s->tport + (port - s->port)) };
		bool found = false;

		if (!key.host.family)
			key.host.family = AF_INET; /* said as "8080/tcp" */
		for (size_t i = 0; i < st->npubs; i++) {
			if (!same_key(&st->pubs[i], s, (uint16_t)port))
				continue;
			if (s->has_target && (!ip_equal(&st->pubs[i].target, &s->target) ||
					      st->pubs[i].tport != key.tport))
				return ctu_err_make(err, 0, "unpublish %s: published to %s, not %s",
						    pub_where(&key, w, sizeof(w)),
						    pub_target(&st->pubs[i], t, sizeof(t)),
						    pub_target(&key, want, sizeof(want)));
			gone[i] = found = true;
		}
		if (!found)
			return ctu_err_make(err, 0, "unpublish %s: not published",
					    pub_where(&key, w, sizeof(w)));
	}
	return 0;
}

static int do_unpublish(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct unpublish_job *j = arg;
	_cleanup_free_ bool *gone = calloc(r->st.npubs + 1, sizeof(bool));
	struct localnet restore[64];
	size_t nrestore, n = 0;
	struct plan p;
	int e;

	if (!gone)
		return ctu_err_make(err, ENOMEM, "unpublish");
	for (size_t i = 0; i < j->nspecs; i++)
		if (mark_spec(&r->st, &j->specs[i], gone, err) < 0)
			return ctu_err_code(*err);
	for (size_t i = 0; j->owner && i < r->st.npubs; i++)
		if (!strcmp(r->st.pubs[i].owner, j->owner))
			gone[i] = true;
	for (size_t i = 0; i < r->st.npubs; i++)
		n += gone[i];
	if (!n)
		return ctu_err_make(err, 0, "unpublish --owner: nothing published by %s",
				    j->owner);
	plan_init(&p, &r->st);
	e = plan_remove_pubs(r, &p, gone, restore, CTU_ARRAY_SIZE(restore), &nrestore, err);
	if (e == 0)
		e = commit_removal(r, &p, gone, restore, nrestore, err);
	plan_free(&p);
	return e < 0 ? ctu_err_wrap(err, "unpublish") : 0;
}

int cmd_unpublish(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { 0 };
	const char *name = NULL;
	char owner[OWNER_MAX + 1];
	struct unpublish_job j = { 0 };
	_cleanup_free_ struct spec *specs = NULL;

	if (cmd_parse(v, argc, argv, longopts, fields, &name, err) < 0)
		return ctu_err_code(*err);
	if (name && optind < argc)
		return ctu_err_usage(err, "unpublish: SPECs or --owner, not both");
	if (!name && optind >= argc)
		return ctu_err_usage(err, "unpublish: expected SPEC... or --owner NAME");
	if (name) {
		/* the owners of other tools' words too: cli, veth:X, cni:... */
		if (owner_valid(name) && (strchr(name, ':') || !strcmp(name, "cli")))
			snprintf(owner, sizeof(owner), "%s", name);
		else if (owner_option("unpublish", name, owner, sizeof(owner), err) < 0)
			return ctu_err_code(*err);
		j.owner = owner;
	} else if (specs_of(argc, argv, SPEC_UNPUBLISH, NULL, NULL, NULL, &specs, err) < 0) {
		return ctu_err_code(*err);
	}
	j.specs = specs;
	j.nspecs = name ? 0 : (size_t)(argc - optind);
	return nat_run(v, do_unpublish, &j, err);
}

/* ---- publish ls ------------------------------------------------------------------ */

static int cmp_pub(const void *pa, const void *pb)
{
	const struct pub *a = pa, *b = pb;
	int c;

	if (a->host.family != b->host.family)
		return a->host.family == AF_INET ? -1 : 1;
	if (a->any != b->any)
		return a->any ? -1 : 1;
	if ((c = ip_cmp(&a->host, &b->host)))
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

/* Mappings sorted; *@len set to the run of consecutive ports from @i (one owner, one target). */
size_t pub_run(const struct pub *m, size_t n, size_t i)
{
	size_t k = i + 1;

	while (k < n && m[k].host.family == m[i].host.family && m[k].any == m[i].any &&
	       ip_equal(&m[k].host, &m[i].host) && m[k].proto == m[i].proto &&
	       m[k].port == m[k - 1].port + 1 && m[k].tport == m[k - 1].tport + 1 &&
	       ip_equal(&m[k].target, &m[i].target) && !strcmp(m[k].owner, m[i].owner))
		k++;
	return k - i;
}

void pubs_sort(struct pub *m, size_t n)
{
	if (n > 1) /* an empty list may have no array at all */
		qsort(m, n, sizeof(*m), cmp_pub);
}

static int ls_print(struct natrun *r, void *arg, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "HOST", 0.3, SCOLS_JSON_STRING, 0, NULL },
		{ "PORT", 0.1, SCOLS_JSON_STRING, SCOLS_FL_RIGHT, NULL },
		{ "PROTO", 0.1, SCOLS_JSON_STRING, 0, NULL },
		{ "TARGET", 0.3, SCOLS_JSON_STRING, 0, NULL },
		{ "OWNER", 0.2, SCOLS_JSON_STRING, 0, NULL },
	};
	struct nat_state *st = &r->st;
	struct libscols_table *tb = NULL;
	_cleanup_json_ json_t *list = json_array();
	bool json = r->v->output.json;

	(void)arg;
	pubs_sort(st->pubs, st->npubs);
	if (!json && !(tb = ctu_out_table("published", cols, CTU_ARRAY_SIZE(cols), &r->v->output)))
		return ctu_err_make(err, ENOMEM, "publish ls");
	for (size_t i = 0, len; i < st->npubs; i += len) {
		const struct pub *m = &st->pubs[i];
		const struct pub *e;
		char host[INET6_ADDRSTRLEN], port[16], target[80], t[INET6_ADDRSTRLEN + 2];

		len = pub_run(st->pubs, st->npubs, i);
		e = &st->pubs[i + len - 1];
		if (json) {
			json_array_append_new(
			    list, json_pack("{s:s,s:s,s:i,s:i,s:s,s:s,s:i,s:i,s:s}", "family",
					    m->host.family == AF_INET6 ? "ipv6" : "ipv4", "host",
					    m->any ? (m->host.family == AF_INET6 ? "::" : "0.0.0.0")
						   : ip_text(&m->host, host),
					    "port", m->port, "port_end", e->port, "proto",
					    proto_name(m->proto), "target", ip_text(&m->target, t),
					    "target_port", m->tport, "target_port_end", e->tport,
					    "owner", m->owner));
			continue;
		}
		if (len > 1) {
			snprintf(port, sizeof(port), "%u-%u", m->port, e->port);
			snprintf(target, sizeof(target), "%s:%u-%u", ip_text_port(&m->target, t),
				 m->tport, e->tport);
		} else {
			snprintf(port, sizeof(port), "%u", m->port);
			pub_target(m, target, sizeof(target));
		}
		const char *cells[] = { m->any ? "*" : ip_text(&m->host, host), port,
					proto_name(m->proto), target, m->owner };
		if (ctu_out_line(tb, cells, CTU_ARRAY_SIZE(cells)) < 0) {
			scols_unref_table(tb);
			return ctu_err_make(err, ENOMEM, "publish ls");
		}
	}
	if (json)
		return print_json("published", list, err);
	return ctu_out_print(tb) < 0 ? ctu_err_errno(err, "publish ls: cannot write") : 0;
}

static int publish_ls(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	if (no_options(v, argc, argv, err) < 0)
		return ctu_err_code(*err);
	if (optind < argc)
		return ctu_err_usage(err, "publish ls: unexpected argument '%s'", argv[optind]);
	return nat_run(v, ls_print, NULL, err);
}
