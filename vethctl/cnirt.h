/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnirt.h - what the parts of `vethctl cni` share: cnirt.c runs the
 * commands, cninet.c the chain (networks, version negotiation, plugins,
 * attachments), cnicache.c keeps the results, as libcni's cache does, and
 * lists them.
 */
#ifndef VETHCTL_CNIRT_H
#define VETHCTL_CNIRT_H

#include <stdbool.h>

#include "cni.h"
#include "vethctl.h"

/* One `vethctl cni SUB` command: its options. */
struct rt {
	struct vethctl *v;
	const char *sub; /* "add", ...: errors say "cni add: ..." */
	const char *ifname, *id, *args, *cap_args_text, *path, *conf_dir, *cache_dir;
	json_t *cap_args; /* --cap-args, an object; NULL: none given */
	json_t *cni_args; /* --args as [["K","V"], ...]; NULL: none given */
};

/* What the cache keeps of one attachment (cnicache.c), borrowed from @doc. */
struct cached {
	char *file; /* its name below DIR/results */
	json_t *doc;
	const char *net, *cid, *ifname, *netns; /* netns NULL: none was given */
	unsigned long ino;			/* netnsInode; 0: unknown */
	json_t *config; /* the conflist the attachment was added with, or NULL */
	json_t *result, *cni_args, *cap_args; /* each NULL when absent */
};

/* DIR/results/NET-CID-IFNAME.json: the name below DIR/results. */
char *cache_name(const char *net, const char *cid, const char *ifname);

/* The attachment's entry: 0 and *@c filled, 1 when there is none, or a negative number. */
int cache_read(const struct rt *rt, const char *net, const char *cid, const char *ifname,
	       struct cached *c, ctu_err_t *err);
void cache_free(struct cached *c);

/* What an add made, written atomically (a temporary file, then rename). */
struct cache_entry {
	const char *net, *cid, *ifname, *netns;
	unsigned long ino;
	const json_t *config, *result, *cni_args, *cap_args;
};
int cache_write(const struct rt *rt, const struct cache_entry *e, ctu_err_t *err);

/* Removes the entry @name (ENOENT is no error).  0 or a negative number. */
int cache_remove(const struct rt *rt, const char *name, ctu_err_t *err);

/* Every readable entry (libcni's kind), sorted by name: *@v, *@n; free with cache_list_free. */
int cache_list(const struct rt *rt, struct cached **v, size_t *n, ctu_err_t *err);
void cache_list_free(struct cached *v, size_t n);

/* Temporary files of writers that died, dropped (gc).  The number dropped. */
size_t cache_drop_temporaries(const struct rt *rt);

/* Whether the namespace at @path is gone, or another one than inode @ino (0: any). */
bool netns_stale(const char *path, unsigned long ino);

#define DEFAULT_CONF_DIR    "/etc/cni/net.d"
#define DEFAULT_PLUGIN_PATH "/opt/cni/bin:/usr/lib/cni"
#define DEFAULT_CACHE_DIR   "/var/lib/ctutils/cni"

/* ---- cninet.c: networks, versions, plugins, attachments ------------------------ */

/* A network's config. */
struct net {
	json_t *list;	  /* the conflist (a .conf wrapped into one) */
	const char *name; /* borrowed from it */
	json_t *plugins;  /* borrowed: [{type, ...}] */
	char *file;	  /* where it was found */
	bool disable_check, disable_gc;
	char version[32]; /* negotiated */
};

/* NET: a file (a '/' in it), or a network name in --conf-dir: .conflist files first. */
int net_load(const struct rt *rt, const char *spec, struct net *n, ctu_err_t *err);
int net_load_file(const char *file, struct net *n, ctu_err_t *err);
/* @doc (a conflist, or a .conf) checked and taken into *@n (@file names it in errors). */
int net_of(json_t *doc, const char *file, struct net *n, ctu_err_t *err);
void net_free(struct net *n);
const char *plugin_type(const struct net *n, size_t i);
/* libcni's ValidateNetworkName and ValidateContainerID: they become file names. */
bool valid_id(const char *s);
bool version_at_least(const char *v, const char *min);
/* The strings of @arr joined by @sep (a member not a string as "?"): a new string, or NULL. */
char *json_join(const json_t *arr, const char *sep);
/* The newest of the network's versions every plugin lists, into n->version; none: an error naming
 * the plugin. */
int negotiate(const struct rt *rt, struct net *n, ctu_err_t *err);

/* The attachment a command works on. */
struct att {
	char *cid;
	const char *ifname;
	char *netns;	   /* the path plugins get; NULL: CNI_NETNS unset */
	unsigned long ino; /* its inode; 0: no namespace */
	const char *args;  /* CNI_ARGS */
	char *args_buf;	   /* args rebuilt from the cache */
	json_t *cni_args;  /* the same as [[K, V]] */
	json_t *cap_args;  /* capability arguments, or NULL */
	json_t *result;	   /* the cached result, or NULL */
};

/*
 * The attachment of NS as the options say.  With @need_ns the namespace
 * must be there; without (del), a namespace that is gone leaves CNI_NETNS
 * unset, as a runtime's DEL after the container died.
 */
int att_build(const struct rt *rt, const char *spec, bool need_ns, struct att *a, ctu_err_t *err);
/* The cached CNI_ARGS and capability arguments (where the command line gave none, or always), and
 * result. */
int att_from_cache(struct att *a, const struct cached *c, bool cache_wins, ctu_err_t *err);
void att_free(struct att *a);

/* One plugin request. */
struct call {
	const char *command;
	const struct att *a; /* NULL: GC, STATUS, VERSION */
	json_t *conf;	     /* stdin; NULL: @stdin_text */
	const char *stdin_text;
};

/*
 * Plugin @i's config: the list's (negotiated) cniVersion and name, its
 * runtimeConfig from the capabilities it declares and @cap_args has,
 * prevResult @prev; every other key as it is.  NULL: no memory.
 */
json_t *plugin_conf(const struct net *n, size_t i, const json_t *cap_args, json_t *prev);
/* Runs plugin @type; a failure is "plugin TYPE: code N: MSG: DETAILS". */
int run_plugin(const struct rt *rt, const char *type, const struct call *c, json_t **out,
	       ctu_err_t *err);
/* ADD, DEL or CHECK of plugin @i of @n for @a with @prev. */
int run_step(const struct rt *rt, const struct net *n, size_t i, const char *command,
	     const struct att *a, json_t *prev, json_t **out, ctu_err_t *err);

/* `vethctl cni ls`. */
int cni_ls(const struct rt *rt, ctu_err_t *err);

#endif
