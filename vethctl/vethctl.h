/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vethctl.h - what vethctl's command files share. */
#ifndef VETHCTL_H
#define VETHCTL_H

#include <stdbool.h>
#include <stdnoreturn.h>

#include "nl.h"
#include "out.h"

/* The socket of the namespace we work in (--netns), shared by a whole batch. */
extern struct nlsock host;
extern const char *netns_spec;
extern struct ctu_out_flags output;
extern unsigned long batch_line; /* 0: not in --batch */

/* "vethctl: [line N: ]MSG", then exit 1 (die) or 2 with a hint (usage_die). */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void usage_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A netlink failure in plain words. */
noreturn void die_nl(struct nlsock *s, int nle, const char *what, const char *name);

/* Checked values, or a usage error that names them. */
const char *ifname_or_die(const char *name, const char *what);
struct nl_addr *cidr_or_die(const char *s, bool need_prefix, const char *what);
unsigned int mtu_or_die(const char *s);
struct nl_addr *mac_or_die(const char *s);
/* A stable, locally administered MAC from a name (and a salt). */
struct nl_addr *mac_from_name(const char *name, const char *salt);
/* An O_CLOEXEC fd of a network namespace, or a message. */
int netns_or_die(const char *spec);
void open_or_die(struct nlsock *s, const char *spec);

/* The options of a command, from add_longopts; @allowed lists the ones it takes. */
struct cmd_opts {
	const char *peer, *peer_ns, *bridge, *gw, *ifname, *host_name, *rename;
	const char *addr, *peer_addr, *mac, *peer_mac, *mtu;
	bool no_up, all;
};

/*
 * Splits one --batch @line in place into at most @max words (and a NULL after
 * them), as a shell would: blanks separate words, '...' and "..." quote, a
 * backslash escapes.  Returns the number of words, or -1 for an unterminated
 * quote or more than @max words.
 */
int batch_split(char *line, char **words, int max);

void parse_cmd_opts(int argc, char **argv, const char *allowed, struct cmd_opts *o);
char **positional(int argc, char **argv, int n, const char *what);

/* Links. */
struct rtnl_link *link_or_die(struct nlsock *s, const char *name);
int bridge_index_or_die(struct nlsock *s, const char *br);
void change_link(struct nlsock *s, const char *name, void (*fill)(struct rtnl_link *, void *),
		 void *arg, const char *what);
void delete_link(struct nlsock *s, const char *name);
int add_address(struct nlsock *s, const char *ifname, struct nl_addr *a, bool del);
void set_up_flag(struct rtnl_link *chg, void *up);
int bring_up(struct nlsock *s, const char *name);
int route_change(struct nlsock *s, struct nl_addr *dst, struct nl_addr *gw, int dev, bool del);
int create_bridge(struct nlsock *s, const char *name, unsigned int mtu, bool up);

struct veth_spec {
	const char *name, *peer;
	int peer_nsfd; /* -1: our namespace */
	struct nl_addr *mac, *peer_mac;
	unsigned int mtu;
	int master; /* ifindex of the bridge of this end, or 0 */
	bool up;
};

int create_veth(struct nlsock *s, const struct veth_spec *v);

/* The commands. */
int cmd_add(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_bridge(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_move(int argc, char **argv);
int cmd_addr(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_mtu(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_disconnect(int argc, char **argv);
int cmd_ls(int argc, char **argv);

#endif
