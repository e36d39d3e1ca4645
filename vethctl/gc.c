// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gc.c - the elements by owner: connect's (veth:HOSTEND) made with the
 * pair and dropped with it by disconnect and del, gc for those whose host
 * end is gone anyway (a namespace deleted under a container), and save,
 * which prints the cli and user: entries as commands to replay after a
 * `nft flush ruleset`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "nat.h"
#include "vethctl.h"

/* ---- connect --publish --nat ------------------------------------------------------- */

static int connect_pubs(const struct connect_nat *c, struct pub **m, size_t *n, ctu_err_t *err)
{
	for (size_t i = 0; i < c->nspecs; i++)
		if (spec_expand(&c->specs[i], c->owner, m, n, err) < 0)
			return ctu_err_wrap(err, "connect");
	return 0;
}

static int do_connect_check(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct connect_nat *c = arg;
	struct pub *m = NULL;
	size_t n = 0;
	int e = connect_pubs(c, &m, &n, err);

	if (e == 0)
		e = pubs_check(&r->st, m, n, "connect --publish", err);
	free(m);
	return e;
}

int connect_nat_check(struct vethctl *v, struct connect_nat *c, ctu_err_t *err)
{
	return nat_run(v, do_connect_check, c, err);
}

/* --nat: skipped where a NAT source already covers the address */
static bool nat_covered(const struct nat_state *st, const struct ipaddr *a)
{
	for (size_t i = 0; i < st->nmasqs; i++)
		if (ip_in(a, &st->masqs[i].src, st->masqs[i].plen))
			return true;
	return false;
}

static int do_connect_commit(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct connect_nat *c = arg;
	struct pub_add a = { 0 };
	bool fwd[2] = { false, false };
	struct plan p;
	int e = connect_pubs(c, &a.m, &a.n, err);

	if (e == 0)
		e = pubs_check(&r->st, a.m, a.n, "connect --publish", err);
	if (e < 0) {
		free(a.m);
		return e;
	}
	plan_init(&p, &r->st);
	e = pubs_plan(r, &p, &a, "connect --publish", err);
	if (e == 0 && c->nat && !nat_covered(&r->st, &c->addr)) {
		struct masq m = { .src = c->addr, .plen = c->addr.family == AF_INET6 ? 128 : 32 };
		struct natchain none = { 0 };
		struct ipaddr except;

		snprintf(m.owner, sizeof(m.owner), "%s", c->owner);
		/* as CNI's ipMasq: everything but the container's own prefix */
		ip_network(&c->addr, c->plen, &except);
		e = plan_nat_source(r, &p, &m, &except, c->plen, &none, "connect --nat", fwd, err);
		a.fwd4 |= fwd[0];
		a.fwd6 |= fwd[1];
	}
	if (e == 0 && !plan_empty(&p))
		e = commit_adds(r, &p, &a, "connect", err);
	plan_free(&p);
	free(a.m);
	return e;
}

int connect_nat_commit(struct vethctl *v, struct connect_nat *c, ctu_err_t *err)
{
	return nat_run(v, do_connect_commit, c, err);
}

/* ---- dropping elements by owner -------------------------------------------------- */

/* Removes the mappings @gone and the sources @mgone, with what follows them. */
int remove_marked(struct natrun *r, const bool *gone, const bool *mgone, ctu_err_t *err)
{
	struct localnet restore[64];
	size_t nrestore;
	struct plan p;
	int e;

	plan_init(&p, &r->st);
	e = plan_remove_pubs(r, &p, gone, restore, CTU_ARRAY_SIZE(restore), &nrestore, err);
	for (size_t i = 0; i < r->st.nmasqs; i++)
		if (mgone[i])
			plan_del_masq(&p, &r->st.masqs[i]);
	plan_unused_chains(&r->st, &p, mgone);
	if (e == 0 && !plan_empty(&p))
		e = commit_removal(r, &p, gone, restore, nrestore, err);
	plan_free(&p);
	return e;
}

struct drop_job {
	char owner[OWNER_MAX + 1];
	const struct ipaddr *addrs;
	size_t naddrs;
	bool reached; /* the table was read: a failure now is worth a warning */
};

static bool aimed_at(const struct ipaddr *t, const struct ipaddr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ip_equal(t, &a[i]))
			return true;
	return false;
}

static int do_drop(struct natrun *r, void *arg, ctu_err_t *err)
{
	struct drop_job *j = arg;
	struct nat_state *st = &r->st;
	_cleanup_free_ bool *gone = calloc(st->npubs + 1, sizeof(bool));
	_cleanup_free_ bool *mgone = calloc(st->nmasqs + 1, sizeof(bool));
	_cleanup_free_ struct ipaddr *addrs = calloc(j->naddrs + st->npubs + st->nmasqs + 1,
						     sizeof(*addrs));
	size_t n = 0;

	j->reached = true;
	if (!gone || !mgone || !addrs)
		return ctu_err_make(err, ENOMEM, "cannot drop the elements of %s", j->owner);
	/* its addresses: those given, and the targets and sources it owns */
	for (size_t i = 0; i < j->naddrs; i++)
		addrs[n++] = j->addrs[i];
	for (size_t i = 0; i < st->npubs; i++)
		if (!strcmp(st->pubs[i].owner, j->owner) && !aimed_at(&st->pubs[i].target, addrs, n))
			addrs[n++] = st->pubs[i].target;
	for (size_t i = 0; i < st->nmasqs; i++)
		if ((mgone[i] = !strcmp(st->masqs[i].owner, j->owner)) && st->masqs[i].plen ==
		    (st->masqs[i].src.family == AF_INET6 ? 128u : 32u))
			addrs[n++] = st->masqs[i].src;
	for (size_t i = 0; i < st->npubs; i++)
		gone[i] = !strcmp(st->pubs[i].owner, j->owner) ||
			  (!strcmp(st->pubs[i].owner, "cli") && aimed_at(&st->pubs[i].target, addrs, n));
	return remove_marked(r, gone, mgone, err);
}

void drop_veth(struct vethctl *v, const char *host_end, const struct ipaddr *addrs, size_t naddrs)
{
	struct drop_job j = { .addrs = addrs, .naddrs = naddrs };
	_cleanup_err_ ctu_err_t err = NULL;

	snprintf(j.owner, sizeof(j.owner), "veth:%s", host_end);
	/* no nftables here, or no table: nothing of ours to drop */
	if (nat_run(v, do_drop, &j, &err) < 0 && j.reached) {
		ctu_err_wrap(&err, "warning: the link is gone, but not its published ports");
		ctu_err_print(&err);
	}
}

/* ---- gc ---------------------------------------------------------------------------- */

/* veth:X whose X is no longer an interface of the namespace. */
static bool orphan(const char *owner)
{
	return !strncmp(owner, "veth:", 5) && ifname_plain(owner + 5) && !if_nametoindex(owner + 5);
}

/* "8080/tcp", "8080-8089/tcp", "192.0.2.1:8080/tcp", "[::]:80/udp" */
static void run_where(const struct pub *m, size_t len, char *buf, size_t size)
{
	char t[INET6_ADDRSTRLEN + 2], ports[16];

	if (len > 1)
		snprintf(ports, sizeof(ports), "%u-%u", m->port, m[len - 1].port);
	else
		snprintf(ports, sizeof(ports), "%u", m->port);
	if (m->any && m->host.family == AF_INET)
		snprintf(buf, size, "%s/%s", ports, proto_name(m->proto));
	else if (m->any)
		snprintf(buf, size, "[::]:%s/%s", ports, proto_name(m->proto));
	else
		snprintf(buf, size, "%s:%s/%s", ip_text_port(&m->host, t), ports,
			 proto_name(m->proto));
}

static int do_gc(struct natrun *r, void *arg, ctu_err_t *err)
{
	bool dry = *(bool *)arg;
	struct nat_state *st = &r->st;
	_cleanup_free_ bool *gone = NULL, *mgone = NULL;
	char where[96], t[INET6_ADDRSTRLEN];

	pubs_sort(st->pubs, st->npubs);
	gone = calloc(st->npubs + 1, sizeof(bool));
	mgone = calloc(st->nmasqs + 1, sizeof(bool));
	if (!gone || !mgone)
		return ctu_err_make(err, ENOMEM, "gc");
	for (size_t i = 0, len; i < st->npubs; i += len) {
		len = pub_run(st->pubs, st->npubs, i);
		if (!orphan(st->pubs[i].owner))
			continue;
		for (size_t k = 0; k < len; k++)
			gone[i + k] = true;
		run_where(&st->pubs[i], len, where, sizeof(where));
		if (dry)
			printf("would remove publish %s (%s)\n", where, st->pubs[i].owner);
	}
	for (size_t i = 0; i < st->nmasqs; i++) {
		if (!(mgone[i] = orphan(st->masqs[i].owner)) || !dry)
			continue;
		printf("would remove nat %s/%u (%s)\n", ip_text(&st->masqs[i].src, t),
		       st->masqs[i].plen, st->masqs[i].owner);
	}
	return dry ? 0 : remove_marked(r, gone, mgone, err);
}

int cmd_gc(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = { 0 };
	bool dry = false;
	char **args;

	if (cmd_parse(v, argc, argv, longopts, fields, &dry, err) < 0 ||
	    operands(argc, argv, 0, "", &args, err) < 0)
		return ctu_err_code(*err);
	return nat_run(v, do_gc, &dry, err);
}

/* ---- save -------------------------------------------------------------------------- */

/* cli → no option; user:NAME → --owner NAME; others are not ours to replay. */
static const char *saved_owner(const char *owner)
{
	if (!strcmp(owner, "cli"))
		return "";
	if (!strncmp(owner, "user:", 5))
		return owner + 5;
	return NULL;
}

static void print_owner(const char *name)
{
	if (*name)
		printf(" --owner %s", name);
	putchar('\n');
}

/* A run of mappings as a SPEC: [HOSTIP:]PORT[-END]:TARGET:PORT[-END]/PROTO */
static void print_spec(const struct pub *m, size_t len)
{
	char h[INET6_ADDRSTRLEN + 2], t[INET6_ADDRSTRLEN + 2];

	if (!m->any)
		printf("%s:", ip_text_port(&m->host, h));
	else if (m->host.family == AF_INET6)
		printf("[::]:");
	printf("%u", m->port);
	if (len > 1)
		printf("-%u", m[len - 1].port);
	printf(":%s:%u", ip_text_port(&m->target, t), m->tport);
	if (len > 1)
		printf("-%u", m[len - 1].tport);
	printf("/%s", proto_name(m->proto));
}

static void save_publish(struct nat_state *st)
{
	_cleanup_free_ bool *done = calloc(st->npubs + 1, sizeof(bool));

	pubs_sort(st->pubs, st->npubs);
	/* one line per owner, up to 200 SPECs (--batch splits a line into 255 words) */
	for (size_t first = 0; done && first < st->npubs; first++) {
		const char *owner = st->pubs[first].owner, *name = saved_owner(owner);
		size_t words = 0;

		if (done[first] || !name)
			continue;
		for (size_t i = first, len; i < st->npubs; i += len) {
			len = pub_run(st->pubs, st->npubs, i);
			if (done[i] || strcmp(st->pubs[i].owner, owner))
				continue;
			printf(words ? " " : "publish ");
			print_spec(&st->pubs[i], len);
			for (size_t k = 0; k < len; k++)
				done[i + k] = true;
			if (++words == 200) {
				print_owner(name);
				words = 0;
			}
		}
		if (words)
			print_owner(name);
	}
}

static int do_save(struct natrun *r, void *arg, ctu_err_t *err)
{
	char t[INET6_ADDRSTRLEN];

	(void)arg;
	(void)err;
	for (size_t i = 0; i < r->st.nmasqs; i++) {
		const struct masq *m = &r->st.masqs[i];
		const char *name = saved_owner(m->owner);

		if (!name)
			continue;
		printf("nat add %s/%u", ip_text(&m->src, t), m->plen);
		for (size_t c = 0; c < r->st.nchains; c++)
			for (size_t k = 0; !strcmp(r->st.chains[c].name, m->chain) &&
					   k < r->st.chains[c].nout;
			     k++)
				printf(" --out %s", r->st.chains[c].out[k]);
		print_owner(name);
	}
	save_publish(&r->st);
	return 0;
}

int cmd_save(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	char **args;

	if (plain_operands(v, argc, argv, 0, "", &args, err) < 0)
		return ctu_err_code(*err);
	return nat_run(v, do_save, NULL, err);
}
