// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnirt.c - vethctl cni add|check|del|gc|status|ls: a network's plugins run
 * against a namespace as a container runtime runs them through libcni (a
 * cnitool, which Debian does not ship).  add runs the chain and keeps the
 * result (cnicache.c), taking everything back when a plugin fails; del runs
 * it backwards with what add kept; check honours disableCheck; gc, meant
 * for boot, deletes what was added to namespaces that are gone and tells
 * 1.1.0 plugins which attachments live.  The chain itself is cninet.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cnirt.h"
#include "ctu.h"
#include "netns.h"

/* ---- the commands --------------------------------------------------------------------- */

/* DEL of the chain, last plugin first.  With @go_on past failures (the first is returned). */
static int del_chain(const struct rt *rt, const struct net *n, const struct att *a, json_t *prev,
		     bool go_on, ctu_err_t *err)
{
	int r = 0;

	for (size_t i = json_array_size(n->plugins); i-- > 0;) {
		ctu_err_t e = NULL;
		json_t *out;

		if (run_step(rt, n, i, "DEL", a, prev, &out, &e) < 0) {
			if (r == 0) {
				r = ctu_err_code(e);
				*err = e;
			} else
				ctu_err_free(&e);
			if (!go_on)
				return r;
		}
		json_decref(out);
	}
	return r;
}

/* The result a cached entry hands to DEL or CHECK: only in the version the chain speaks now. */
static json_t *prev_result(const struct net *n, const struct att *a)
{
	const char *v = json_string_value(json_object_get(a->result, "cniVersion"));

	if (!a->result || !version_at_least(n->version, "0.4.0") || !v || strcmp(v, n->version))
		return NULL;
	return a->result;
}

/* A failed add taken back: the chain's DEL with what the plugins before the failing one said. */
static int add_failed(const struct rt *rt, const struct net *n, const struct att *a, json_t *prev,
		      ctu_err_t *err)
{
	ctu_err_t del = NULL;
	int r = ctu_err_code(*err);

	if (del_chain(rt, n, a, prev, true, &del) < 0) {
		_cleanup_free_ char *why = ctu_err_format(del);

		ctu_err_append(err, "and the DEL that followed failed too: %s", why ? why : "?");
		ctu_err_free(&del);
	}
	return r;
}

static int print_result(json_t *result, ctu_err_t *err)
{
	_cleanup_free_ char *text = json_dumps(result, JSON_INDENT(4));

	if (!text)
		return ctu_err_make(err, ENOMEM, "result");
	if (puts(text) < 0 || fflush(stdout) != 0)
		return ctu_err_errno(err, "cannot write the result");
	return 0;
}

/*
 * Plugin @i's ADD answer: a result, in the config's version when it names
 * none (libcni's fixupResultVersion), or an error that is the plugin's.
 */
static int add_result(const struct net *n, size_t i, json_t *out, ctu_err_t *err)
{
	if (!json_is_object(out)) {
		ctu_err_make(err, 0, "plugin %s: code %d: %s", plugin_type(n, i), CNI_ERR_DECODE,
			     out ? "its result is not a JSON object" : "printed no result");
		return ctu_err_set_code(err, CNI_ERR_DECODE);
	}
	if (!json_is_string(json_object_get(out, "cniVersion")) &&
	    json_object_set_new(out, "cniVersion", json_string(n->version)) < 0)
		return ctu_err_make(err, ENOMEM, "plugin %s", plugin_type(n, i));
	return 0;
}

static int cni_add(struct rt *rt, char **ops, ctu_err_t *err)
{
	struct net n;
	struct att a = { 0 };
	struct cached c;
	json_t *prev = NULL;
	int r = net_load(rt, ops[0], &n, err);

	if (r == 0)
		r = att_build(rt, ops[1], true, &a, err);
	if (r == 0 && (r = cache_read(rt, n.name, a.cid, a.ifname, &c, err)) == 0) {
		r = ctu_err_make(err, 0,
				 "network %s: %s %s is added already (%s/results/%s): del it first",
				 n.name, a.cid, a.ifname, rt->cache_dir, c.file);
		cache_free(&c);
	} else if (r == 1)
		r = negotiate(rt, &n, err);
	for (size_t i = 0; r == 0 && i < json_array_size(n.plugins); i++) {
		json_t *out;

		r = run_step(rt, &n, i, "ADD", &a, prev, &out, err);
		if (r == 0)
			r = add_result(&n, i, out, err);
		if (r < 0) {
			json_decref(out);
			add_failed(rt, &n, &a, prev, err);
			break;
		}
		json_decref(prev);
		prev = out;
	}
	if (r == 0) {
		struct cache_entry e = {
			.net = n.name,
			.cid = a.cid,
			.ifname = a.ifname,
			.netns = a.netns,
			.ino = a.ino,
			.config = n.list,
			.result = prev,
			.cni_args = a.cni_args,
			.cap_args = a.cap_args,
		};

		r = cache_write(rt, &e, err);
		if (r < 0)
			add_failed(rt, &n, &a, prev, err);
	}
	if (r == 0)
		r = print_result(prev, err);
	json_decref(prev);
	att_free(&a);
	net_free(&n);
	return r;
}

/* The network of a del: as cached at add, else as the conf dir has it now. */
static int del_net(struct rt *rt, const char *spec, struct att *a, struct net *n, struct cached *c,
		   ctu_err_t *err)
{
	const char *name = spec;
	struct net cur = { 0 };
	int r;

	*c = (struct cached){ 0 };
	if (strchr(spec, '/')) {
		if ((r = net_load_file(spec, &cur, err)) < 0)
			return r;
		name = cur.name;
	} else if (!valid_id(spec)) {
		return ctu_err_usage(err, "cni del: invalid network name '%s'", spec);
	}
	r = cache_read(rt, name, a->cid, a->ifname, c, err);
	if (r < 0) {
		net_free(&cur);
		return r;
	}
	if (r == 0 && c->config && net_of(c->config, "the cached config", n, err) == 0 &&
	    !strcmp(n->name, name)) {
		net_free(&cur);
		return att_from_cache(a, c, true, err);
	}
	net_free(n);
	ctu_err_free(err);
	if (r == 0 && att_from_cache(a, c, true, err) < 0)
		return ctu_err_code(*err);
	/* no cache (or no usable config in it): the current config */
	if (cur.list) {
		*n = cur;
		return 0;
	}
	return net_load(rt, spec, n, err);
}

static int cni_del(struct rt *rt, char **ops, ctu_err_t *err)
{
	struct net n = { 0 };
	struct att a;
	struct cached c = { 0 };
	int r = att_build(rt, ops[1], false, &a, err);

	if (r == 0)
		r = del_net(rt, ops[0], &a, &n, &c, err);
	/* the path names another namespace now (same name, new one): no link step in it */
	if (r == 0 && c.doc && c.ino && c.ino != a.ino) {
		free(a.netns);
		a.netns = NULL;
	}
	if (r == 0)
		r = negotiate(rt, &n, err);
	if (r == 0)
		r = del_chain(rt, &n, &a, prev_result(&n, &a), false, err);
	/* by its name: an entry unreadable or not libcni's goes too */
	if (r == 0) {
		_cleanup_free_ char *name = cache_name(n.name, a.cid, a.ifname);

		r = name ? cache_remove(rt, name, err) : ctu_err_make(err, ENOMEM, "cache");
	}
	cache_free(&c);
	att_free(&a);
	net_free(&n);
	return r;
}

/*
 * disableCheck in one plugin's own config: that plugin is not asked (the
 * list's key, libcni's, asks none).  For a plugin known to fail every CHECK,
 * as Debian's portmap 1.1.1 ("could not check ipv6 dnat"), while the rest
 * of the chain is still checked.
 */
static bool plugin_disables_check(const struct net *n, size_t i)
{
	json_t *v = json_object_get(json_array_get(n->plugins, i), "disableCheck");

	return json_is_true(v) || (json_is_string(v) && !strcasecmp(json_string_value(v), "true"));
}

static int cni_check(struct rt *rt, char **ops, ctu_err_t *err)
{
	struct net n;
	struct att a = { 0 };
	struct cached c = { 0 };
	json_t *prev;
	int r = net_load(rt, ops[0], &n, err);

	if (r == 0)
		r = negotiate(rt, &n, err);
	if (r == 0 && !version_at_least(n.version, "0.4.0"))
		r = ctu_err_make(err, 0, "network %s: CNI %s has no CHECK (0.4.0 and later)",
				 n.name, n.version);
	if (r < 0 || n.disable_check)
		goto out;
	r = att_build(rt, ops[1], true, &a, err);
	if (r == 0 && (r = cache_read(rt, n.name, a.cid, a.ifname, &c, err)) == 1)
		r = ctu_err_make(err, 0, "network %s: %s %s is not added (no result in %s/results)",
				 n.name, a.cid, a.ifname, rt->cache_dir);
	if (r == 0)
		r = att_from_cache(&a, &c, false, err);
	if (r == 0 && !(prev = prev_result(&n, &a)))
		r = ctu_err_make(
		    err, 0, "network %s: the cached result is not of CNI %s: del and add again",
		    n.name, n.version);
	for (size_t i = 0; r == 0 && i < json_array_size(n.plugins); i++) {
		json_t *out;

		if (plugin_disables_check(&n, i))
			continue;
		r = run_step(rt, &n, i, "CHECK", &a, prev, &out, err);
		json_decref(out);
	}
out:
	cache_free(&c);
	att_free(&a);
	net_free(&n);
	return r;
}

/* Errors gone past (gc), said together at the end. */
struct errs {
	char *text;
	int first;
};

static void errs_add(struct errs *e, ctu_err_t *err)
{
	_cleanup_free_ char *line = ctu_err_format(*err);
	char *t = NULL;

	if (!e->first)
		e->first = ctu_err_code(*err);
	if (asprintf(&t, "%s%s%s", e->text ? e->text : "", e->text ? "; " : "",
		     line ? line : "?") >= 0) {
		free(e->text);
		e->text = t;
	}
	ctu_err_free(err);
}

/* A stale entry's DEL: its own config and args, its result, no namespace (it is gone, or another).
 */
static int gc_stale(struct rt *rt, const struct net *cur, const struct cached *c, ctu_err_t *err)
{
	struct net n = { 0 };
	struct att a = { .ifname = c->ifname };
	int r = 0;

	if (!(a.cid = strdup(c->cid)))
		return ctu_err_make(err, ENOMEM, "gc");
	if (!c->config || net_of(c->config, "the cached config", &n, err) < 0 ||
	    strcmp(n.name, cur->name)) {
		ctu_err_free(err);
		net_free(&n);
		r = net_of(cur->list, cur->file, &n, err);
	}
	if (r == 0)
		r = att_from_cache(&a, c, true, err);
	if (r == 0)
		r = negotiate(rt, &n, err);
	if (r == 0)
		r = del_chain(rt, &n, &a, prev_result(&n, &a), true, err);
	if (r == 0)
		r = cache_remove(rt, c->file, err);
	if (r < 0)
		ctu_err_wrap(err, "%s %s", c->cid, c->ifname);
	att_free(&a);
	net_free(&n);
	return r;
}

/* GC of every plugin (1.1.0): the attachments to keep, under both names the spec has used. */
static int gc_plugins(struct rt *rt, const struct net *n, json_t *valid, struct errs *errs)
{
	for (size_t i = 0; i < json_array_size(n->plugins); i++) {
		_cleanup_json_ json_t *conf = plugin_conf(n, i, NULL, NULL);
		struct call c = { .command = "GC", .conf = conf };
		ctu_err_t err = NULL;
		json_t *out = NULL;

		if (!conf || json_object_set(conf, "cni.dev/valid-attachments", valid) ||
		    json_object_set(conf, "cni.dev/attachments", valid))
			ctu_err_make(&err, ENOMEM, "gc");
		else
			run_plugin(rt, plugin_type(n, i), &c, &out, &err);
		json_decref(out);
		if (err)
			errs_add(errs, &err);
	}
	return 0;
}

static int cni_gc(struct rt *rt, char **ops, ctu_err_t *err)
{
	_cleanup_json_ json_t *valid = json_array();
	struct errs errs = { 0 };
	struct cached *v = NULL;
	struct net n;
	size_t nv = 0;
	int r = net_load(rt, ops[0], &n, err);

	if (r < 0 || n.disable_gc)
		goto out;
	if (!valid)
		r = ctu_err_make(err, ENOMEM, "gc");
	if (r == 0)
		r = cache_list(rt, &v, &nv, err);
	for (size_t i = 0; r == 0 && i < nv; i++) {
		ctu_err_t e = NULL;

		if (strcmp(v[i].net, n.name))
			continue;
		if (!netns_stale(v[i].netns, v[i].ino))
			json_array_append_new(valid, json_pack("{s:s,s:s}", "containerID", v[i].cid,
							       "ifname", v[i].ifname));
		else if (gc_stale(rt, &n, &v[i], &e) < 0)
			errs_add(&errs, &e);
	}
	if (r == 0)
		r = negotiate(rt, &n, err);
	if (r == 0 && version_at_least(n.version, "1.1.0"))
		gc_plugins(rt, &n, valid, &errs);
	cache_drop_temporaries(rt);
	if (r == 0 && errs.text)
		r = ctu_err_make(err, 0, "%s", errs.text);
out:
	free(errs.text);
	cache_list_free(v, nv);
	net_free(&n);
	return r;
}

static int cni_status(struct rt *rt, char **ops, ctu_err_t *err)
{
	struct net n;
	int r = net_load(rt, ops[0], &n, err);

	if (r == 0)
		r = negotiate(rt, &n, err);
	/* before 1.1.0 there is no STATUS: a network is taken as ready (libcni) */
	for (size_t i = 0;
	     r == 0 && version_at_least(n.version, "1.1.0") && i < json_array_size(n.plugins);
	     i++) {
		_cleanup_json_ json_t *conf = plugin_conf(&n, i, NULL, NULL);
		struct call c = { .command = "STATUS", .conf = conf };
		json_t *out = NULL;

		r = conf ? run_plugin(rt, plugin_type(&n, i), &c, &out, err)
			 : ctu_err_make(err, ENOMEM, "status");
		json_decref(out);
	}
	net_free(&n);
	return r;
}

/* ---- vethctl cni SUB: options, operands -------------------------------------------------- */

struct sub {
	const char *name;
	int (*fn)(struct rt *rt, char **ops, ctu_err_t *err);
	const char *ops;
	int nops;
	bool attachment; /* takes --ifname, --id, --args, --cap-args */
};

static int run_ls(struct rt *rt, char **ops, ctu_err_t *err)
{
	(void)ops;
	return cni_ls(rt, err);
}

static const struct sub subs[] = {
	{ "add", cni_add, "expected NET NS", 2, true },
	{ "check", cni_check, "expected NET NS", 2, true },
	{ "del", cni_del, "expected NET NS", 2, true },
	{ "gc", cni_gc, "expected NET", 1, false },
	{ "status", cni_status, "expected NET", 1, false },
	{ "ls", run_ls, "", 0, false },
};

/* --args 'K=V;K=V' as cnitool reads CNI_ARGS: every pair with a key and a value. */
static int args_value(struct rt *rt, const char *s, ctu_err_t *err)
{
	_cleanup_free_ char *copy = strdup(s);
	char *save = NULL, *kv;

	if (!copy || !(rt->cni_args = json_array()))
		return ctu_err_make(err, ENOMEM, "--args");
	for (kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv || !eq[1] || strchr(eq + 1, '='))
			return ctu_err_usage(err,
					     "cni %s: invalid --args pair '%s': expected KEY=VALUE",
					     rt->sub, kv);
		*eq = '\0';
		json_array_append_new(rt->cni_args, json_pack("[s,s]", kv, eq + 1));
	}
	if (!json_array_size(rt->cni_args))
		return ctu_err_usage(err, "cni %s: invalid --args '%s': expected KEY=VALUE;...",
				     rt->sub, s);
	return 0;
}

static int check_values(struct rt *rt, const struct sub *sub, ctu_err_t *err)
{
	_cleanup_err_ ctu_err_t jerr = NULL;

	if (!sub->attachment && (rt->ifname || rt->id || rt->args || rt->cap_args_text))
		return ctu_err_usage(
		    err, "cni %s: --ifname, --id, --args and --cap-args are for add, check and del",
		    sub->name);
	if (rt->ifname && check_ifname(rt->ifname, "interface name", err) < 0)
		return ctu_err_wrap(err, "cni %s", sub->name);
	if (rt->id && !valid_id(rt->id))
		return ctu_err_usage(err,
				     "cni %s: invalid container ID '%s': letters, digits, '_', '.' "
				     "and '-', not first",
				     sub->name, rt->id);
	if (rt->args && args_value(rt, rt->args, err) < 0)
		return ctu_err_code(*err);
	if (rt->cap_args_text) {
		rt->cap_args = ctu_json_parse(rt->cap_args_text, strlen(rt->cap_args_text),
					      "--cap-args", &jerr);
		if (!rt->cap_args || !json_is_object(rt->cap_args))
			return ctu_err_usage(err, "cni %s: invalid --cap-args: %s", sub->name,
					     jerr && jerr->msg ? jerr->msg : "not a JSON object");
	}
	if ((rt->path && !*rt->path) || (rt->conf_dir && !*rt->conf_dir) ||
	    (rt->cache_dir && !*rt->cache_dir))
		return ctu_err_usage(
		    err, "cni %s: --path, --conf-dir and --cache-dir take a directory", sub->name);
	if (!rt->ifname)
		rt->ifname = "eth0";
	if (!rt->path)
		rt->path = getenv("CNI_PATH") && *getenv("CNI_PATH") ? getenv("CNI_PATH")
								     : DEFAULT_PLUGIN_PATH;
	if (!rt->conf_dir)
		rt->conf_dir = getenv("NETCONFPATH") && *getenv("NETCONFPATH")
				   ? getenv("NETCONFPATH")
				   : DEFAULT_CONF_DIR;
	if (!rt->cache_dir)
		rt->cache_dir = DEFAULT_CACHE_DIR;
	return 0;
}

/*
 * The options of `cni SUB`.  cni ls only reads the cache: the command's
 * CAP_NET_ADMIN check (cmd_parse's, for every other subcommand: they run
 * plugins) is not made for it.
 */
static int parse(struct vethctl *v, const struct sub *sub, int argc, char **argv, struct rt *rt,
		 char ***ops, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "ifname", required_argument, NULL, OPT_IFNAME },
		{ "id", required_argument, NULL, OPT_CNI_ID },
		{ "args", required_argument, NULL, OPT_CNI_ARGS },
		{ "cap-args", required_argument, NULL, OPT_CNI_CAP_ARGS },
		{ "path", required_argument, NULL, OPT_CNI_PATH },
		{ "conf-dir", required_argument, NULL, OPT_CNI_CONF_DIR },
		{ "cache-dir", required_argument, NULL, OPT_CNI_CACHE_DIR },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t fields[] = {
		offsetof(struct rt, ifname),	offsetof(struct rt, id),
		offsetof(struct rt, args),	offsetof(struct rt, cap_args_text),
		offsetof(struct rt, path),	offsetof(struct rt, conf_dir),
		offsetof(struct rt, cache_dir),
	};
	const struct command *cmd = v->command;
	struct command reading;
	char name[16];
	int r;

	/* errors say "cni add: ...": the words with argv[0] "cni SUB" */
	snprintf(name, sizeof(name), "cni %s", sub->name);
	argv[0] = name;
	if (cmd && !strcmp(sub->name, "ls")) {
		reading = *cmd;
		reading.changes = false;
		v->command = &reading;
	}
	r = cmd_parse(v, argc, argv, longopts, fields, rt, err);
	v->command = cmd;
	if (r == 0)
		r = operands(argc, argv, sub->nops, sub->ops, ops, err);
	argv[0] = (char *)sub->name;
	return r < 0 ? r : check_values(rt, sub, err);
}

struct in_netns {
	const struct sub *sub;
	struct rt *rt;
	char **ops;
	ctu_err_t *err;
};

static int run_sub(void *arg)
{
	struct in_netns *c = arg;

	return c->sub->fn(c->rt, c->ops, c->err);
}

int cmd_cni(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	struct rt rt = { .v = v };
	const struct sub *sub = NULL;
	struct in_netns c;
	char **ops = NULL;
	int r;

	/* the subcommand first: `cni --path X` has none */
	if (argc < 2 || argv[1][0] == '-')
		return ctu_err_usage(err, "cni: expected add, check, del, gc, status or ls");
	for (size_t i = 0; i < CTU_ARRAY_SIZE(subs); i++)
		if (!strcmp(argv[1], subs[i].name))
			sub = &subs[i];
	if (!sub)
		return ctu_err_usage(
		    err, "cni: unknown subcommand '%s': expected add, check, del, gc, status or ls",
		    argv[1]);
	rt.sub = sub->name;
	r = parse(v, sub, argc - 1, argv + 1, &rt, &ops, err);
	c = (struct in_netns){ sub, &rt, ops, err };
	/* --netns: the plugins run there, as under `ip netns exec` */
	if (r == 0 && v->netns_spec && v->host.nsfd >= 0) {
		r = ctu_netns_call(v->host.nsfd, run_sub, &c);
		if (r == -ENOTRECOVERABLE && !*err)
			r = ctu_err_make(err, 0, "cannot return to our own network namespace");
		else if (r < 0 && !*err)
			r = ctu_err_make(err, -r, "cannot enter network namespace %s",
					 v->netns_spec);
	} else if (r == 0)
		r = run_sub(&c);
	if (r < 0 && (*err)->kind != CTU_ERR_USAGE)
		ctu_err_wrap(err, "cni %s", sub->name);
	json_decref(rt.cap_args);
	json_decref(rt.cni_args);
	return r;
}
