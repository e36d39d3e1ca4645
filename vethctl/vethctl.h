/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vethctl.h - what vethctl's command files share: the state of a run, the
 * subcommands' option parser and checked values (args.c), the link work
 * (links.c) and the commands themselves.  Nothing here is of vethctl.c.
 */
#ifndef VETHCTL_H
#define VETHCTL_H

#include <stdbool.h>

#include "cli.h"
#include "err.h"
#include "nat.h"
#include "nl.h"
#include "out.h"
#include "undo.h"

/* One run of vethctl: a command, or every line of a --batch. */
struct vethctl {
	struct nlsock host;	     /* a socket in the namespace we work in (--netns) */
	const char *netns_spec;	     /* --netns, or NULL: ours */
	struct ctu_out_flags output; /* --json, --raw, --noheadings */
	const char *batch;	     /* --batch FILE */
	unsigned long batch_line;    /* the line being run; 0: not in --batch */
	const struct command *command; /* the command being run; NULL before the first */
	/* the global options, which every command takes too */
	const char *global_shortopts;
	const struct option *global_longopts;
	int (*on_global)(int opt, const char *arg, void *vethctl, ctu_err_t *err);
};

/* Option values: the globals and the output options (lib/cli) come first. */
enum {
	OPT_NETNS = CTU_OPT_FIRST_FREE,
	OPT_BATCH,
	OPT_PEER,
	OPT_PEER_NETNS,
	OPT_ADDR,
	OPT_PEER_ADDR,
	OPT_MTU,
	OPT_MAC,
	OPT_PEER_MAC,
	OPT_BRIDGE,
	OPT_NO_UP,
	OPT_GW,
	OPT_IFNAME,
	OPT_HOST_NAME,
	OPT_NAME,
	OPT_ALL,
	OPT_OWNER,
	OPT_OUT,
	OPT_PUBLISH,
	OPT_NAT,
	OPT_HAIRPIN,
	OPT_DRY_RUN,
	/* vethctl cni (cnirt.c) */
	OPT_CNI_ID,
	OPT_CNI_ARGS,
	OPT_CNI_CAP_ARGS,
	OPT_CNI_PATH,
	OPT_CNI_CONF_DIR,
	OPT_CNI_CACHE_DIR,
};

/* A repeatable option's values (--out, --publish): its field in cmd_parse()'s @fields is REPEATED(offset). */
struct optlist {
	const char *v[256];
	size_t n;
};
#define REPEATED(off) ((off) | ((size_t)1 << (sizeof(size_t) * 8 - 1)))

/*
 * Splits one --batch @line in place into at most @max words (and a NULL after
 * them), as a shell would: blanks separate words, '...' and "..." quote, a
 * backslash escapes.  Returns the number of words, or -1 for an unterminated
 * quote or more than @max words.
 */
int batch_split(char *line, char **words, int max);

/* ---- args.c: a command's options, operands and values ------------------------- */

/*
 * The options of command @argv[0] from @longopts, with the global ones
 * wherever they stand.  Option @longopts[i] is stored at byte @fields[i]
 * of @opts: its argument (a const char *), or true (a bool) for one without.
 * Returns 0 (optind is then the first operand), or a negative number with
 * *@err naming the command ("add: unknown option '-x'").  Then, for a
 * command that changes links, CAP_NET_ADMIN is checked: after the options,
 * so that --help works without it.
 */
int cmd_parse(struct vethctl *v, int argc, char **argv, const struct option *longopts,
	      const size_t *fields, void *opts, ctu_err_t *err);

/* CAP_NET_ADMIN for a command that changes links: 0, or why not. */
int needs_caps(const struct vethctl *v, ctu_err_t *err);

/* The operands after the options: exactly @n of them, or "CMD: @what". */
int operands(int argc, char **argv, int n, const char *what, char ***out, ctu_err_t *err);

/* A command without options of its own (but the global ones): optind is its first operand. */
int no_options(struct vethctl *v, int argc, char **argv, ctu_err_t *err);
/* The @n operands of a command without options of its own (but the global ones). */
int plain_operands(struct vethctl *v, int argc, char **argv, int n, const char *what, char ***out,
		   ctu_err_t *err);

/* Checked values, or a usage error that names them. */
int check_ifname(const char *name, const char *what, ctu_err_t *err);
int cidr_value(const char *s, bool need_prefix, const char *what, struct nl_addr **out,
	       ctu_err_t *err);
int mtu_value(const char *s, unsigned int *out, ctu_err_t *err);
int mac_value(const char *s, struct nl_addr **out, ctu_err_t *err);
/* A stable, locally administered MAC from a name (and a salt); NULL: no memory. */
struct nl_addr *mac_from_name(const char *name, const char *salt);
/* The default route of @gw's family: 0.0.0.0/0 or ::/0. */
int default_route(const struct nl_addr *gw, struct nl_addr **out, ctu_err_t *err);

/* ---- links.c: the link work ------------------------------------------------- */

int link_or_err(struct nlsock *s, const char *name, struct rtnl_link **out, ctu_err_t *err);
int bridge_index(struct nlsock *s, const char *br, ctu_err_t *err);
/* "WHAT NAME: why" for a failed request, in plain words for the common causes. */
int link_err(struct nlsock *s, int nle, const char *what, const char *name, ctu_err_t *err);
int change_link(struct nlsock *s, const char *name, void (*fill)(struct rtnl_link *, void *),
		void *arg, const char *what, ctu_err_t *err);
void delete_link(struct nlsock *s, const char *name);
int add_address(struct nlsock *s, const char *ifname, struct nl_addr *a, bool del);
/* Address @a on @ifindex; with @broadcast an IPv4 prefix below /31 gets its broadcast address. */
int address_change(struct nlsock *s, int ifindex, struct nl_addr *a, bool broadcast, bool del);
/* An address of a link. */
struct link_addr {
	struct ipaddr ip;
	unsigned int plen;
};
/*
 * The IPv4 and IPv6 addresses of @ifindex of @family (0: both), in the
 * kernel's order: newly allocated, *@n of them (NULL and 0: none, or the
 * listing failed).
 */
/* The addresses of one interface (of @family, or 0: all) in a libnl cache, the kernel filtering. */
int addr_cache_of(struct nlsock *s, int ifindex, int family, struct nl_cache **cache);
struct link_addr *link_addrs_of(struct nlsock *s, int ifindex, int family, size_t *n);
/* "cannot add address ADDR to IFNAME: why" for add_address()'s failure @nle. */
int address_err(struct nlsock *s, int nle, const char *addr, const char *ifname, ctu_err_t *err);
void set_up_flag(struct rtnl_link *chg, void *up);
int bring_up(struct nlsock *s, const char *name);
int route_change(struct nlsock *s, struct nl_addr *dst, struct nl_addr *gw, int dev, bool del);

/* A route with all that a CNI result may say of it (route_change: libnl's defaults). */
struct route_spec {
	struct nl_addr *dst, *gw; /* gw NULL: none */
	int dev;		  /* ifindex, or 0 */
	unsigned char protocol;	  /* RTPROT_*, 0: libnl's (static) */
	int scope;		  /* RT_SCOPE_*, -1: guessed by libnl from the gateway */
	unsigned int table, priority, mtu, advmss; /* 0: not said */
	int nlm_flags;		  /* NLM_F_EXCL, or 0 (an equal route is no error) */
};
int route_send(struct nlsock *s, const struct route_spec *spec, bool del);
/* Says in the error what the rollback removed: "(... ; the veth pair was removed)". */
int said_removed(ctu_err_t *err, const char *what);

/*
 * A new bridge, recorded in @undo (deleted on rollback).  Returns 0 or the
 * libnl error (the socket keeps the kernel's errno).
 */
int create_bridge(struct nlsock *s, const char *name, const char *mac_salt, unsigned int mtu,
		  bool up, struct ctu_undo *undo, ctu_err_t *err);

/* A bridge to make: its MAC is mac_from_name(name, mac_salt). */
struct bridge_spec {
	const char *name, *mac_salt;
	unsigned int mtu; /* 0: the kernel's */
	bool up, vlan_filtering;
};
/* One RTM_NEWLINK (NLM_F_EXCL): 0, or -errno (-EEXIST for a taken name; the socket keeps why). */
int bridge_create(struct nlsock *s, const struct bridge_spec *b);

/* What a bridge port is set to in one AF_BRIDGE request. */
struct port_flags {
	bool hairpin;
	bool set_isolated, isolated; /* isolation only when set_isolated */
};
/* 0 or -errno (the socket keeps the kernel's message). */
int bridge_port_set(struct nlsock *s, int ifindex, const struct port_flags *f);
/* VLAN @vid of port @ifindex, with BRIDGE_VLAN_INFO_* @flags, added or deleted: 0 or -errno. */
int bridge_port_vlan(struct nlsock *s, int ifindex, unsigned int vid, unsigned int flags,
		     bool del);

/*
 * The peer of veth @l (of another namespace) in @here's namespace, if it is
 * a veth pointing back at @l: true, its name in @name (IFNAMSIZ bytes).
 */
bool veth_peer_here(struct nlsock *here, struct rtnl_link *l, char *name);

/*
 * A link's operational state awaited on RTNLGRP_LINK: opened before what
 * changes it, so no event is missed between the request and the wait.
 */
struct link_watch {
	int fd;
};
#define LINK_OPER_UP 6 /* IF_OPER_UP (RFC 2863): linux/if.h clashes with net/if.h */
int link_watch_open(struct link_watch *w);
void link_watch_close(struct link_watch *w);
/* The state of @ifindex (IF_OPER_*: LINK_OPER_UP) once it is up or @timeout_ms have passed; -1: unknown. */
int link_watch_oper_up(struct link_watch *w, struct nlsock *s, int ifindex, int timeout_ms);

struct veth_spec {
	const char *name, *peer;
	int peer_nsfd; /* -1: our namespace */
	struct nl_addr *mac, *peer_mac;
	unsigned int mtu;
	int master; /* ifindex of the bridge of this end, or 0 */
	bool up;
};

/*
 * Both ends in one request, recorded in @undo.  Returns 0, or a negative
 * number with *@err set ("cannot create veth pair A/B: ...").
 */
int create_veth(struct nlsock *s, const struct veth_spec *v, struct ctu_undo *undo, ctu_err_t *err);

/* ---- the commands: 0, or a negative number with *err set --------------------- */

typedef int command_fn(struct vethctl *v, int argc, char **argv, ctu_err_t *err);

/* A command of vethctl.c's table. */
struct command {
	const char *name;
	command_fn *fn;
	const char *usage; /* its --help: synopsis, what it does, options, an example */
	bool changes;	   /* needs CAP_NET_ADMIN */
};

command_fn cmd_add, cmd_del, cmd_bridge, cmd_attach, cmd_detach, cmd_move, cmd_addr, cmd_up,
    cmd_down, cmd_mtu, cmd_route, cmd_connect, cmd_disconnect, cmd_ls, cmd_nat, cmd_publish,
    cmd_unpublish, cmd_gc, cmd_save, cmd_cni;

#endif
