// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vethctl - veth pairs, bridges, addresses and routes for containers.
 *
 * All netlink work goes through libnl-3.  A container's end of a veth is
 * created directly inside its namespace, in the same request as the host
 * end, so it never sits in the host's namespace where its name could clash.
 * A command that makes several things deletes what it made when a later
 * step fails.  libnl 3.7 traps avoided: names are checked before libnl
 * truncates them, masters are looked up before libnl would turn a missing
 * one into "release", and a veth's peer is found from its IFLA_LINK, never
 * with rtnl_link_veth_get_peer() on a kernel object (it crashes in 3.7).
 */
#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netlink/route/link/veth.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "ctu.h"
#include "nl.h"
#include "ns.h"
#include "out.h"
#include "parse.h"

/* The socket of the namespace we work in (--netns), shared by a whole batch. */
static struct nlsock host;
static const char *netns_spec;
static struct ctu_out_flags output;
static unsigned long batch_line; /* 0: not in --batch */

/* ---- messages -------------------------------------------------------------- */

static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	if (batch_line)
		fprintf(stderr, "line %lu: ", batch_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(CTU_EXIT_FAILURE);
}

static noreturn void usage_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static noreturn void usage_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
	exit(CTU_EXIT_USAGE);
}

static void warn_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

/* A netlink failure in plain words, for the common causes. */
static noreturn void die_nl(struct nlsock *s, int nle, const char *what, const char *name)
{
	int e = sock_errno(s, nle);

	if (e == EEXIST)
		die("%s %s: %s already exists", what, name, name);
	if (e == ENODEV)
		die("%s %s: no such interface", what, name);
	if (e == EPERM || e == EACCES)
		die("%s %s: %s (needs CAP_NET_ADMIN: run as root, or in 'unshare-lite -U -r -n')",
		    what, name, strerror(e));
	die("%s %s: %s", what, name, sock_why(s, nle));
}

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
	      " vethctl [global options] <command> [arguments]\n"
	      "\nVeth pairs, bridges, addresses and routes for containers, over netlink.\n"
	      "\nCommands:\n"
	      " add <name> [options]              create a veth pair\n"
	      " del <name>                        delete a veth pair (or any link)\n"
	      " bridge add <br> [options]         create a bridge (up)\n"
	      " bridge del <br>                   delete a bridge\n"
	      " attach <if> <br>                  make <if> a port of bridge <br>\n"
	      " detach <if>                       release <if> from its bridge\n"
	      " move <if> <ns> [--name <new>]     move <if> into a network namespace\n"
	      " addr add|del <if> <cidr>          add or delete an address\n"
	      " up <if> | down <if> | mtu <if> <n>  link state and MTU\n"
	      " route add|del <dest> [via <gw>] [dev <if>]  a route; <dest> a CIDR or default\n"
	      " connect <ns> --bridge <br> --addr <cidr> [options]  plug a container in\n"
	      " disconnect <ns> [--ifname <name>] unplug it\n"
	      " ls                                list interfaces (--all: with lo)\n"
	      "\nOptions of add, bridge add and connect:\n"
	      "     --peer <name>         the other end's name (add; default <name>p)\n"
	      "     --peer-netns <ns>     create the other end inside <ns> (add)\n"
	      "     --addr <cidr>         an address for this end, the bridge, or the container\n"
	      "     --peer-addr <cidr>    an address for the other end (add)\n"
	      "     --mtu <n>             the MTU\n"
	      "     --mac <mac>           this end's MAC (default: stable, from the name)\n"
	      "     --peer-mac <mac>      the other end's MAC (add)\n"
	      "     --bridge <br>         a port of bridge <br> (add, connect)\n"
	      "     --no-up               leave the links down\n"
	      "     --gw <ip>             connect: the default route (default: the bridge's address)\n"
	      "     --ifname <name>       connect, disconnect: the container's end (default eth0)\n"
	      "     --host-name <name>    connect: the host's end (default: from the namespace)\n"
	      "     --name <name>         move: rename on the way\n"
	      "     --all                 ls: loopback too\n"
	      "\nGlobal options:\n"
	      "     --netns <ns>          work inside network namespace <ns>\n"
	      "     --batch <file>|-      run the commands in <file>, one per line\n"
	      " -J, --json                JSON output (ls)\n"
	      "     --raw                 raw output (ls)\n"
	      "     --noheadings          no header line (ls)\n"
	      "\nA namespace <ns> is a PID, a namespace file, or a name under /run/netns.\n"
	      "\n -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nFor more details see vethctl(8).\n",
	      stdout);
	exit(CTU_EXIT_OK);
}

/* ---- values ------------------------------------------------------------------ */

/* The kernel's dev_valid_name(), checked before libnl silently truncates. */
static const char *ifname_or_die(const char *name, const char *what)
{
	if (!name || !*name)
		usage_die("no %s given", what);
	if (strlen(name) >= IFNAMSIZ)
		usage_die("invalid %s '%s': longer than %d bytes", what, name, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		usage_die("invalid %s '%s'", what, name);
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			usage_die("invalid %s '%s': no '/', ':' or blanks in interface names", what,
				  name);
	return name;
}

static struct nl_addr *cidr_or_die(const char *s, bool need_prefix, const char *what)
{
	struct ctu_cidr c;
	struct nl_addr *a;

	if (!s || ctu_parse_cidr(s, need_prefix, &c) < 0)
		usage_die("invalid %s '%s': expected %s", what, s ? s : "",
			  need_prefix ? "an address with a prefix (10.0.0.2/24, fd00::2/64)"
				      : "an address (10.0.0.1)");
	a = nl_addr_build(c.family, c.addr.bytes, c.family == AF_INET ? 4 : 16);
	if (!a)
		die("out of memory");
	nl_addr_set_prefixlen(a, (int)c.prefix);
	return a;
}

static unsigned int mtu_or_die(const char *s)
{
	uint64_t v;

	if (ctu_parse_u64_range(s, 68, 65535, &v) < 0)
		usage_die("invalid MTU '%s': expected 68 to 65535", s);
	return (unsigned int)v;
}

static struct nl_addr *mac_or_die(const char *s)
{
	unsigned char mac[6];

	if (ctu_parse_mac(s, mac) < 0)
		usage_die("invalid MAC '%s': expected six hex pairs (02:42:ac:11:00:02)", s);
	if (mac[0] & 1)
		usage_die("invalid MAC '%s': a multicast address", s);
	return nl_addr_build(AF_LLC, mac, 6);
}

/*
 * A stable, locally administered MAC from the interface name (and the
 * namespace), so that udev's MACAddressPolicy=persistent leaves it alone
 * and a container keeps its MAC across restarts.
 */
static struct nl_addr *mac_from_name(const char *name, const char *salt)
{
	unsigned char mac[6] = { 0x02 };
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (const char *p = salt ? salt : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (int i = 1; i < 6; i++)
		mac[i] = (unsigned char)(h >> (8 * i));
	return nl_addr_build(AF_LLC, mac, 6);
}

/* An O_CLOEXEC fd of the network namespace @spec, or a message. */
static int netns_or_die(const char *spec)
{
	int fd = ctu_ns_open_spec(spec, ctu_ns_by_name("net"));

	if (fd == -ENOENT)
		die("no such network namespace: %s", spec);
	if (fd == -ENOTTY || fd == -EPROTOTYPE)
		die("%s is not a network namespace", spec);
	if (fd < 0)
		die("cannot open network namespace %s: %s", spec, strerror(-fd));
	return fd;
}

static void open_or_die(struct nlsock *s, const char *spec)
{
	int r = sock_open(s, spec);

	if (r == -ENOENT)
		die("no such network namespace: %s", spec);
	if (r == -ENOTTY || r == -EPROTOTYPE)
		die("%s is not a network namespace", spec);
	if (r == -EPERM)
		die("cannot enter network namespace %s: %s (needs CAP_SYS_ADMIN over it)", spec,
		    strerror(-r));
	if (r < 0)
		die("cannot open a netlink socket%s%s: %s", spec ? " in " : "", spec ? spec : "",
		    strerror(-r));
}

/* ---- links ------------------------------------------------------------------- */

static struct rtnl_link *link_or_die(struct nlsock *s, const char *name)
{
	struct rtnl_link *l = NULL;
	int r = link_get(s, name, &l);

	if (r == -ENODEV)
		die("no such interface: %s%s%s", name, s->nsname ? " in " : "",
		    s->nsname ? s->nsname : "");
	if (r < 0)
		die("cannot look up %s: %s", name, strerror(-r));
	return l;
}

static int bridge_index_or_die(struct nlsock *s, const char *br)
{
	struct rtnl_link *l = link_or_die(s, br);
	int idx = rtnl_link_get_ifindex(l);
	bool is_bridge = !strcmp(link_kind(l), "bridge");

	rtnl_link_put(l);
	if (!is_bridge)
		die("%s is not a bridge", br);
	return idx;
}

/* Sends a change of @name: @fill sets what changes on a new link object. */
static void change_link(struct nlsock *s, const char *name, void (*fill)(struct rtnl_link *, void *),
			void *arg, const char *what)
{
	struct rtnl_link *orig = link_or_die(s, name), *chg = rtnl_link_alloc();
	int r;

	if (!chg)
		die("out of memory");
	fill(chg, arg);
	sock_clear(s);
	r = rtnl_link_change(s->sk, orig, chg, 0);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	if (r < 0)
		die_nl(s, r, what, name);
}

static void delete_link(struct nlsock *s, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (!l)
		return;
	rtnl_link_set_name(l, name);
	sock_clear(s);
	rtnl_link_delete(s->sk, l);
	rtnl_link_put(l);
}

static int add_address(struct nlsock *s, const char *ifname, struct nl_addr *a, bool del)
{
	struct rtnl_link *l = NULL;
	struct rtnl_addr *ad;
	int r = link_get(s, ifname, &l);

	if (r < 0)
		return r == -ENODEV ? -NLE_NODEV : -NLE_FAILURE;
	ad = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(ad, rtnl_link_get_ifindex(l));
	rtnl_addr_set_local(ad, a);
	sock_clear(s);
	r = del ? rtnl_addr_delete(s->sk, ad, 0) : rtnl_addr_add(s->sk, ad, 0);
	rtnl_addr_put(ad);
	rtnl_link_put(l);
	return r;
}

static void set_up_flag(struct rtnl_link *chg, void *up)
{
	if (*(bool *)up)
		rtnl_link_set_flags(chg, IFF_UP);
	else
		rtnl_link_unset_flags(chg, IFF_UP);
}

/* Brings up @name on socket @s (the peer's namespace). */
static int bring_up(struct nlsock *s, const char *name)
{
	struct rtnl_link *l = NULL, *chg;
	int r = link_get(s, name, &l);

	if (r < 0)
		return -NLE_NODEV;
	chg = rtnl_link_alloc();
	rtnl_link_set_flags(chg, IFF_UP);
	sock_clear(s);
	r = rtnl_link_change(s->sk, l, chg, 0);
	rtnl_link_put(chg);
	rtnl_link_put(l);
	return r;
}

/* A route: @dst (or "default") via @gw on @dev. */
static int route_change(struct nlsock *s, struct nl_addr *dst, struct nl_addr *gw, int dev, bool del)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	int r;

	if (!rt || !nh)
		die("out of memory");
	rtnl_route_set_family(rt, nl_addr_get_family(dst));
	rtnl_route_set_dst(rt, dst);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	if (dev)
		rtnl_route_nh_set_ifindex(nh, dev);
	rtnl_route_add_nexthop(rt, nh);
	sock_clear(s);
	r = del ? rtnl_route_delete(s->sk, rt, 0) : rtnl_route_add(s->sk, rt, NLM_F_EXCL);
	rtnl_route_put(rt);
	return r;
}

/* ---- veth pairs ---------------------------------------------------------------- */

struct veth_spec {
	const char *name, *peer;
	int peer_nsfd; /* -1: our namespace */
	struct nl_addr *mac, *peer_mac;
	unsigned int mtu;
	int master; /* ifindex of the bridge of this end, or 0 */
	bool up;
};

/*
 * One RTM_NEWLINK for both ends: the peer is born in its namespace, with
 * its name, MAC and MTU, and this end on its bridge (NLM_F_EXCL: an
 * existing name is an error, not a silent success).
 */
static int create_veth(struct nlsock *s, const struct veth_spec *v)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int r;

	if (!l)
		die("out of memory");
	peer = rtnl_link_veth_get_peer(l); /* takes a reference: put it too */
	rtnl_link_set_name(l, v->name);
	rtnl_link_set_name(peer, v->peer);
	rtnl_link_set_addr(l, v->mac);
	rtnl_link_set_addr(peer, v->peer_mac);
	if (v->mtu) {
		rtnl_link_set_mtu(l, v->mtu);
		rtnl_link_set_mtu(peer, v->mtu);
	}
	if (v->master)
		rtnl_link_set_master(l, v->master);
	/* IFF_UP for the peer in this request fails (ENOTCONN): it comes up later */
	if (v->up)
		rtnl_link_set_flags(l, IFF_UP);
	if (v->peer_nsfd >= 0)
		rtnl_link_set_ns_fd(peer, v->peer_nsfd);
	sock_clear(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_put(l);
	return r;
}

static noreturn void die_creating_veth(struct nlsock *s, int r, const struct veth_spec *v)
{
	if (sock_errno(s, r) == EEXIST)
		die("cannot create veth pair %s/%s: an interface of that name already exists",
		    v->name, v->peer);
	die_nl(s, r, "cannot create veth pair", v->name);
}

static const struct option add_longopts[] = {
	{ "peer", required_argument, NULL, 'p' },
	{ "peer-netns", required_argument, NULL, 'N' },
	{ "addr", required_argument, NULL, 'a' },
	{ "peer-addr", required_argument, NULL, 'A' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "mac", required_argument, NULL, 'c' },
	{ "peer-mac", required_argument, NULL, 'C' },
	{ "bridge", required_argument, NULL, 'b' },
	{ "no-up", no_argument, NULL, 'n' },
	{ "gw", required_argument, NULL, 'g' },
	{ "ifname", required_argument, NULL, 'i' },
	{ "host-name", required_argument, NULL, 'H' },
	{ "name", required_argument, NULL, 'r' },
	{ "all", no_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'J' },
	{ "raw", no_argument, NULL, 'R' },
	{ "noheadings", no_argument, NULL, 'O' },
	{ NULL, 0, NULL, 0 },
};

/* The options of a command, from add_longopts; @allowed lists the ones it takes. */
struct cmd_opts {
	const char *peer, *peer_ns, *bridge, *gw, *ifname, *host_name, *rename;
	const char *addr, *peer_addr, *mac, *peer_mac, *mtu;
	bool no_up, all;
};

static void parse_cmd_opts(int argc, char **argv, const char *allowed, struct cmd_opts *o)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, strchr(allowed, 'J') ? "J" : "", add_longopts, NULL)) != -1) {
		if (c == '?' || !strchr(allowed, c))
			usage_die("%s: unknown option '%s'", argv[0], argv[optind - 1]);
		switch (c) {
		case 'p': o->peer = optarg; break;
		case 'N': o->peer_ns = optarg; break;
		case 'a': o->addr = optarg; break;
		case 'A': o->peer_addr = optarg; break;
		case 'm': o->mtu = optarg; break;
		case 'c': o->mac = optarg; break;
		case 'C': o->peer_mac = optarg; break;
		case 'b': o->bridge = optarg; break;
		case 'n': o->no_up = true; break;
		case 'g': o->gw = optarg; break;
		case 'i': o->ifname = optarg; break;
		case 'H': o->host_name = optarg; break;
		case 'r': o->rename = optarg; break;
		case 'l': o->all = true; break;
		case 'J': output.json = true; break;
		case 'R': output.raw = true; break;
		case 'O': output.noheadings = true; break;
		}
	}
}

/* The positional arguments after the options: exactly @n of them. */
static char **positional(int argc, char **argv, int n, const char *what)
{
	if (argc - optind < n)
		usage_die("%s: %s", argv[0], what);
	if (argc - optind > n)
		usage_die("%s: unexpected argument '%s'", argv[0], argv[optind + n]);
	return argv + optind;
}

static int cmd_add(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct veth_spec v = { .peer_nsfd = -1 };
	struct nl_addr *addr = NULL, *peer_addr = NULL;
	_cleanup_free_ char *default_peer = NULL;
	char **args;
	int r;

	parse_cmd_opts(argc, argv, "pNaAmcCbn", &o);
	args = positional(argc, argv, 1, "expected <name>");
	v.name = ifname_or_die(args[0], "interface name");
	if (!o.peer && asprintf(&default_peer, "%sp", v.name) < 0)
		die("out of memory");
	v.peer = ifname_or_die(o.peer ? o.peer : default_peer, "peer name");
	if (!strcmp(v.name, v.peer) && !o.peer_ns)
		usage_die("add: the two ends need different names in one namespace");
	if (o.addr)
		addr = cidr_or_die(o.addr, true, "--addr");
	if (o.peer_addr)
		peer_addr = cidr_or_die(o.peer_addr, true, "--peer-addr");
	v.mtu = o.mtu ? mtu_or_die(o.mtu) : 0;
	v.mac = o.mac ? mac_or_die(o.mac) : mac_from_name(v.name, netns_spec);
	v.peer_mac = o.peer_mac ? mac_or_die(o.peer_mac) : mac_from_name(v.peer, o.peer_ns);
	v.up = !o.no_up;
	if (o.bridge)
		v.master = bridge_index_or_die(&host, ifname_or_die(o.bridge, "bridge name"));
	if (o.peer_ns)
		v.peer_nsfd = netns_or_die(o.peer_ns);
	r = create_veth(&host, &v);
	if (v.peer_nsfd >= 0)
		close(v.peer_nsfd);
	if (r < 0)
		die_creating_veth(&host, r, &v);
	/* the addresses, after the pair: a failure removes the pair again */
	if (addr && (r = add_address(&host, v.name, addr, false)) < 0) {
		const char *why = sock_why(&host, r);

		delete_link(&host, v.name);
		die("cannot add address %s to %s: %s; the veth pair was removed", o.addr, v.name,
		    sock_errno(&host, r) == EEXIST ? "address already assigned" : why);
	}
	if (peer_addr || v.up) {
		struct nlsock ps;
		const char *step = "bring up";

		open_or_die(&ps, o.peer_ns ? o.peer_ns : netns_spec);
		r = v.up ? bring_up(&ps, v.peer) : 0;
		if (r == 0 && peer_addr) {
			step = "add address to";
			r = add_address(&ps, v.peer, peer_addr, false);
		}
		if (r < 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s",
				 sock_errno(&ps, r) == EEXIST ? "address already assigned" : sock_why(&ps, r));
			sock_close(&ps);
			delete_link(&host, v.name);
			die("cannot %s %s: %s; the veth pair was removed", step, v.peer, why);
		}
		sock_close(&ps);
	}
	nl_addr_put(addr);
	nl_addr_put(peer_addr);
	nl_addr_put(v.mac);
	nl_addr_put(v.peer_mac);
	return CTU_EXIT_OK;
}

static int cmd_del(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct rtnl_link *l;
	const char *name;
	int r;

	parse_cmd_opts(argc, argv, "", &o);
	name = ifname_or_die(positional(argc, argv, 1, "expected <name>")[0], "interface name");
	l = link_or_die(&host, name);
	sock_clear(&host);
	r = rtnl_link_delete(host.sk, l);
	rtnl_link_put(l);
	if (r < 0)
		die_nl(&host, r, "cannot delete", name);
	return CTU_EXIT_OK;
}

/* ---- bridges ---------------------------------------------------------------- */

static int create_bridge(struct nlsock *s, const char *name, unsigned int mtu, bool up)
{
	struct rtnl_link *l = rtnl_link_alloc();
	struct nl_addr *mac = mac_from_name(name, netns_spec);
	int r;

	if (!l)
		die("out of memory");
	rtnl_link_set_type(l, "bridge");
	rtnl_link_set_name(l, name);
	rtnl_link_set_addr(l, mac);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	if (up)
		rtnl_link_set_flags(l, IFF_UP);
	sock_clear(s);
	r = rtnl_link_add(s->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	nl_addr_put(mac);
	return r;
}

static int bridge_add(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct nl_addr *addr = NULL;
	const char *br;
	int r;

	parse_cmd_opts(argc, argv, "amn", &o);
	br = ifname_or_die(positional(argc, argv, 1, "expected <bridge>")[0], "bridge name");
	if (o.addr)
		addr = cidr_or_die(o.addr, true, "--addr");
	r = create_bridge(&host, br, o.mtu ? mtu_or_die(o.mtu) : 0, !o.no_up);
	if (r < 0 && sock_errno(&host, r) == EEXIST) {
		struct rtnl_link *l = link_or_die(&host, br);
		bool is_bridge = !strcmp(link_kind(l), "bridge");

		rtnl_link_put(l);
		die(is_bridge ? "bridge %s already exists" : "%s already exists and is not a bridge", br);
	}
	if (r < 0)
		die_nl(&host, r, "cannot create bridge", br);
	if (addr && (r = add_address(&host, br, addr, false)) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", sock_why(&host, r));
		delete_link(&host, br);
		die("cannot add address %s to %s: %s; the bridge was removed", o.addr, br, why);
	}
	nl_addr_put(addr);
	return CTU_EXIT_OK;
}

static int bridge_del(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	const char *br;
	int r;

	parse_cmd_opts(argc, argv, "", &o);
	br = ifname_or_die(positional(argc, argv, 1, "expected <bridge>")[0], "bridge name");
	bridge_index_or_die(&host, br);
	delete_link(&host, br);
	r = host.kerr;
	if (r)
		die("cannot delete bridge %s: %s", br, strerror(r));
	return CTU_EXIT_OK;
}

static int cmd_bridge(int argc, char **argv)
{
	if (argc < 2)
		usage_die("bridge: expected add or del");
	if (!strcmp(argv[1], "add"))
		return bridge_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return bridge_del(argc - 1, argv + 1);
	usage_die("bridge: unknown subcommand '%s' (add or del)", argv[1]);
}

static void set_master(struct rtnl_link *chg, void *idx)
{
	rtnl_link_set_master(chg, *(int *)idx);
}

static int cmd_attach(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	char **args;
	int idx;

	parse_cmd_opts(argc, argv, "", &o);
	args = positional(argc, argv, 2, "expected <interface> <bridge>");
	ifname_or_die(args[0], "interface name");
	/* looked up first: libnl would send master 0, a release, for a missing one */
	idx = bridge_index_or_die(&host, ifname_or_die(args[1], "bridge name"));
	change_link(&host, args[0], set_master, &idx, "cannot attach");
	return CTU_EXIT_OK;
}

static int cmd_detach(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	const char *name;
	struct rtnl_link *l;
	int none = 0;

	parse_cmd_opts(argc, argv, "", &o);
	name = ifname_or_die(positional(argc, argv, 1, "expected <interface>")[0], "interface name");
	l = link_or_die(&host, name);
	if (!rtnl_link_get_master(l)) {
		rtnl_link_put(l);
		die("%s is not attached to a bridge", name);
	}
	rtnl_link_put(l);
	change_link(&host, name, set_master, &none, "cannot detach");
	return CTU_EXIT_OK;
}

/* ---- move, addr, up, down, mtu, route ------------------------------------------------ */

struct move_arg {
	int nsfd;
	const char *name;
};

static void set_netns(struct rtnl_link *chg, void *arg)
{
	struct move_arg *m = arg;

	rtnl_link_set_ns_fd(chg, m->nsfd);
	if (m->name)
		rtnl_link_set_name(chg, m->name);
}

static int cmd_move(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct move_arg m;
	char **args;

	parse_cmd_opts(argc, argv, "r", &o);
	args = positional(argc, argv, 2, "expected <interface> <namespace>");
	ifname_or_die(args[0], "interface name");
	m.name = o.rename ? ifname_or_die(o.rename, "--name") : NULL;
	m.nsfd = netns_or_die(args[1]);
	change_link(&host, args[0], set_netns, &m, "cannot move");
	close(m.nsfd);
	return CTU_EXIT_OK;
}

static int cmd_addr(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct nl_addr *a;
	bool del;
	char **args;
	int r;

	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		usage_die("addr: expected add or del");
	del = !strcmp(argv[1], "del");
	parse_cmd_opts(argc - 1, argv + 1, "", &o);
	args = positional(argc - 1, argv + 1, 2, "expected <interface> <cidr>");
	ifname_or_die(args[0], "interface name");
	a = cidr_or_die(args[1], true, "address");
	rtnl_link_put(link_or_die(&host, args[0]));
	r = add_address(&host, args[0], a, del);
	nl_addr_put(a);
	if (r < 0 && !del && sock_errno(&host, r) == EEXIST)
		die("cannot add address %s to %s: address already assigned", args[1], args[0]);
	if (r < 0 && del && sock_errno(&host, r) == EADDRNOTAVAIL)
		die("cannot delete address %s from %s: it has no such address", args[1], args[0]);
	if (r < 0)
		die("cannot %s address %s %s %s: %s", del ? "delete" : "add", args[1],
		    del ? "from" : "to", args[0], sock_why(&host, r));
	return CTU_EXIT_OK;
}

static int up_down(int argc, char **argv, bool up)
{
	struct cmd_opts o = { 0 };
	const char *name;

	parse_cmd_opts(argc, argv, "", &o);
	name = ifname_or_die(positional(argc, argv, 1, "expected <interface>")[0], "interface name");
	change_link(&host, name, set_up_flag, &up, up ? "cannot bring up" : "cannot bring down");
	return CTU_EXIT_OK;
}

static int cmd_up(int argc, char **argv)
{
	return up_down(argc, argv, true);
}

static int cmd_down(int argc, char **argv)
{
	return up_down(argc, argv, false);
}

static void set_mtu(struct rtnl_link *chg, void *mtu)
{
	rtnl_link_set_mtu(chg, *(unsigned int *)mtu);
}

static int cmd_mtu(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	unsigned int mtu;
	char **args;

	parse_cmd_opts(argc, argv, "", &o);
	args = positional(argc, argv, 2, "expected <interface> <mtu>");
	ifname_or_die(args[0], "interface name");
	mtu = mtu_or_die(args[1]);
	change_link(&host, args[0], set_mtu, &mtu, "cannot set the MTU of");
	return CTU_EXIT_OK;
}

/* route add|del DEST [via GW] [dev IF] */
static int cmd_route(int argc, char **argv)
{
	struct nl_addr *dst, *gw = NULL;
	const char *dev = NULL;
	int idx = 0, r;
	bool del;

	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		usage_die("route: expected add|del <dest> [via <gw>] [dev <if>]");
	del = !strcmp(argv[1], "del");
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage_die("route: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "via"))
			gw = cidr_or_die(argv[i + 1], false, "gateway");
		else if (!strcmp(argv[i], "dev"))
			dev = ifname_or_die(argv[i + 1], "interface name");
		else
			usage_die("route: unexpected '%s' (via or dev)", argv[i]);
	}
	if (!gw && !dev)
		usage_die("route: needs via <gw> or dev <if>");
	if (!strcmp(argv[2], "default")) {
		dst = cidr_or_die(gw && nl_addr_get_family(gw) == AF_INET6 ? "::/0" : "0.0.0.0/0",
				  true, "destination");
	} else {
		dst = cidr_or_die(argv[2], true, "destination");
	}
	if (gw && nl_addr_get_family(gw) != nl_addr_get_family(dst))
		usage_die("route: %s and %s are of different families", argv[2], argv[4]);
	if (dev) {
		struct rtnl_link *l = link_or_die(&host, dev);

		idx = rtnl_link_get_ifindex(l);
		rtnl_link_put(l);
	}
	r = route_change(&host, dst, gw, idx, del);
	nl_addr_put(dst);
	nl_addr_put(gw);
	if (r < 0 && sock_errno(&host, r) == EEXIST)
		die("cannot add route %s: it exists already", argv[2]);
	if (r < 0 && sock_errno(&host, r) == ENETUNREACH)
		die("cannot %s route %s: the gateway is not on a directly connected network",
		    del ? "delete" : "add", argv[2]);
	if (r < 0)
		die("cannot %s route %s: %s", del ? "delete" : "add", argv[2], sock_why(&host, r));
	return CTU_EXIT_OK;
}

/* ---- connect, disconnect ----------------------------------------------------------- */

/* The first address of @ifindex of @family, without its prefix (the gateway). */
static struct nl_addr *first_address(struct nlsock *s, int ifindex, int family)
{
	struct nl_cache *cache = NULL;
	struct nl_addr *found = NULL;

	if (rtnl_addr_alloc_cache(s->sk, &cache) < 0)
		return NULL;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(a) == ifindex && rtnl_addr_get_family(a) == family) {
			found = nl_addr_clone(rtnl_addr_get_local(a));
			nl_addr_set_prefixlen(found, family == AF_INET ? 32 : 128);
		}
	}
	nl_cache_free(cache);
	return found;
}

/* A host-side name that is the same every time for one namespace and ifname. */
static void default_host_name(const char *ns, const char *ifname, char *out, size_t size)
{
	int fd = netns_or_die(ns);
	unsigned long ino = 0;
	uint32_t h = 2166136261u;

	ctu_ns_inode_fd(fd, &ino);
	close(fd);
	for (const char *p = ifname; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, size, "vc%08lx", (ino ^ h) & 0xffffffffUL);
}

struct connect_state {
	bool made_bridge, made_pair;
	const char *bridge, *host_name;
};

static noreturn void connect_fail(struct connect_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static noreturn void connect_fail(struct connect_state *st, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->made_pair)
		delete_link(&host, st->host_name);
	if (st->made_bridge)
		delete_link(&host, st->bridge);
	die("%s; %s", msg,
	    st->made_bridge ? "the veth pair and the bridge were removed" : st->made_pair ? "the veth pair was removed" : "nothing was made");
}

/* Inside the container: its address, lo up, and the default route. */
static void configure_inside(struct connect_state *st, const char *ns, const char *ifname,
			     const char *addr_text, struct nl_addr *addr, struct nl_addr *gw)
{
	struct nlsock cs;
	bool up = true;
	struct rtnl_link *l;
	int r;

	r = sock_open(&cs, ns);
	if (r < 0)
		connect_fail(st, "cannot open a netlink socket in %s: %s", ns, strerror(-r));
	r = bring_up(&cs, ifname);
	if (r < 0)
		connect_fail(st, "cannot bring up %s in %s: %s", ifname, ns, sock_why(&cs, r));
	r = add_address(&cs, ifname, addr, false);
	if (r < 0)
		connect_fail(st, "cannot add address %s to %s in %s: %s", addr_text, ifname, ns,
			     sock_errno(&cs, r) == EEXIST ? "address already assigned" : sock_why(&cs, r));
	if (link_get(&cs, "lo", &l) == 0) {
		struct rtnl_link *chg = rtnl_link_alloc();

		set_up_flag(chg, &up);
		sock_clear(&cs);
		r = rtnl_link_change(cs.sk, l, chg, 0);
		rtnl_link_put(chg);
		rtnl_link_put(l);
		if (r < 0)
			connect_fail(st, "cannot bring up lo in %s: %s", ns, sock_why(&cs, r));
	}
	if (gw) {
		struct nl_addr *dst = cidr_or_die(nl_addr_get_family(gw) == AF_INET6 ? "::/0" : "0.0.0.0/0",
						  true, "destination");

		r = link_get(&cs, ifname, &l);
		if (r == 0) {
			r = route_change(&cs, dst, gw, rtnl_link_get_ifindex(l), false);
			rtnl_link_put(l);
		}
		nl_addr_put(dst);
		if (r < 0)
			connect_fail(st, "cannot add the default route in %s: %s", ns, sock_why(&cs, r));
	}
	sock_close(&cs);
}

static int cmd_connect(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct connect_state st = { 0 };
	struct veth_spec v = { .peer_nsfd = -1, .up = true };
	struct nl_addr *addr, *gw;
	struct rtnl_link *br = NULL;
	char host_name[IFNAMSIZ], inode[32];
	const char *ns;
	int r;

	parse_cmd_opts(argc, argv, "bagiHm", &o);
	ns = positional(argc, argv, 1, "expected <namespace>")[0];
	if (!o.bridge)
		usage_die("connect: --bridge is required");
	if (!o.addr)
		usage_die("connect: --addr is required");
	st.bridge = ifname_or_die(o.bridge, "bridge name");
	v.peer = ifname_or_die(o.ifname ? o.ifname : "eth0", "--ifname");
	addr = cidr_or_die(o.addr, true, "--addr");
	gw = o.gw ? cidr_or_die(o.gw, false, "--gw") : NULL;
	if (gw && nl_addr_get_family(gw) != nl_addr_get_family(addr))
		usage_die("connect: --gw %s and --addr %s are of different families", o.gw, o.addr);
	v.mtu = o.mtu ? mtu_or_die(o.mtu) : 0;
	if (o.host_name)
		snprintf(host_name, sizeof(host_name), "%s", ifname_or_die(o.host_name, "--host-name"));
	else
		default_host_name(ns, v.peer, host_name, sizeof(host_name));
	v.name = st.host_name = host_name;
	v.peer_nsfd = netns_or_die(ns);
	/* the bridge: made if missing, refused if the name is something else */
	r = link_get(&host, st.bridge, &br);
	if (r == -ENODEV) {
		r = create_bridge(&host, st.bridge, v.mtu, true);
		if (r < 0)
			die_nl(&host, r, "cannot create bridge", st.bridge);
		st.made_bridge = true;
		r = link_get(&host, st.bridge, &br);
	}
	if (r < 0)
		connect_fail(&st, "cannot look up bridge %s: %s", st.bridge, strerror(-r));
	if (strcmp(link_kind(br), "bridge")) {
		rtnl_link_put(br);
		connect_fail(&st, "%s exists and is not a bridge", st.bridge);
	}
	v.master = rtnl_link_get_ifindex(br);
	rtnl_link_put(br);
	if (!gw) {
		gw = first_address(&host, v.master, nl_addr_get_family(addr));
		if (!gw)
			warn_line("warning: bridge %s has no address and no --gw was given: no default "
				  "route in %s", st.bridge, ns);
	}
	snprintf(inode, sizeof(inode), "%d", v.peer_nsfd);
	v.mac = mac_from_name(v.name, netns_spec);
	v.peer_mac = mac_from_name(v.peer, host_name);
	r = create_veth(&host, &v);
	close(v.peer_nsfd);
	if (r < 0) {
		if (sock_errno(&host, r) == EEXIST)
			connect_fail(&st, "cannot create veth pair %s/%s: %s or %s in %s already exists",
				     v.name, v.peer, v.name, v.peer, ns);
		connect_fail(&st, "cannot create veth pair %s/%s: %s", v.name, v.peer, sock_why(&host, r));
	}
	st.made_pair = true;
	configure_inside(&st, ns, v.peer, o.addr, addr, gw);
	nl_addr_put(addr);
	nl_addr_put(gw);
	nl_addr_put(v.mac);
	nl_addr_put(v.peer_mac);
	return CTU_EXIT_OK;
}

static int cmd_disconnect(int argc, char **argv)
{
	struct cmd_opts o = { 0 };
	struct nlsock cs;
	const char *ns, *ifname;
	struct rtnl_link *l;
	int r;

	parse_cmd_opts(argc, argv, "i", &o);
	ns = positional(argc, argv, 1, "expected <namespace>")[0];
	ifname = ifname_or_die(o.ifname ? o.ifname : "eth0", "--ifname");
	open_or_die(&cs, ns);
	l = link_or_die(&cs, ifname);
	if (strcmp(link_kind(l), "veth")) {
		rtnl_link_put(l);
		die("%s in %s is not a veth", ifname, ns);
	}
	/* deleting the container's end deletes the host's end with it */
	sock_clear(&cs);
	r = rtnl_link_delete(cs.sk, l);
	rtnl_link_put(l);
	if (r < 0)
		die_nl(&cs, r, "cannot delete", ifname);
	sock_close(&cs);
	return CTU_EXIT_OK;
}

/* ---- ls ------------------------------------------------------------------------ */

static const char *link_type(struct rtnl_link *l)
{
	if (*link_kind(l))
		return link_kind(l);
	return rtnl_link_get_flags(l) & IFF_LOOPBACK ? "loopback" : "device";
}

static void name_of(struct nl_cache *links, int ifindex, char *out, size_t size)
{
	out[0] = '\0';
	if (ifindex > 0 && !rtnl_link_i2name(links, ifindex, out, size))
		snprintf(out, size, "if%d", ifindex);
}

/* A veth's other end, from IFLA_LINK (and its namespace id when elsewhere). */
static void peer_of(struct nl_cache *links, struct rtnl_link *l, char *out, size_t size)
{
	int32_t nsid;
	int idx = rtnl_link_get_link(l);

	out[0] = '\0';
	if (strcmp(link_kind(l), "veth") || idx <= 0)
		return;
	if (rtnl_link_get_link_netnsid(l, &nsid) == 0 && nsid >= 0)
		snprintf(out, size, "if%d@netnsid%d", idx, (int)nsid);
	else
		name_of(links, idx, out, size);
}

static void addresses_of(struct nl_cache *addrs, int ifindex, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		char buf[INET6_ADDRSTRLEN + 8];

		if (rtnl_addr_get_ifindex(a) != ifindex)
			continue;
		nl_addr2str(rtnl_addr_get_local(a), buf, sizeof(buf));
		n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%s%s", n ? "\n" : "", buf);
	}
}

static int cmd_ls(int argc, char **argv)
{
	static const struct ctu_out_column cols[] = {
		{ "NAME", 10, SCOLS_JSON_STRING, 0 },	 { "TYPE", 6, SCOLS_JSON_STRING, 0 },
		{ "STATE", 4, SCOLS_JSON_STRING, 0 },	 { "MTU", 5, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT },
		{ "MASTER", 6, SCOLS_JSON_STRING, 0 },	 { "PEER", 8, SCOLS_JSON_STRING, 0 },
		{ "ADDRESSES", 0.3, SCOLS_JSON_ARRAY_STRING, SCOLS_FL_WRAP },
	};
	struct cmd_opts o = { 0 };
	struct nl_cache *links = NULL, *addrs = NULL;
	struct libscols_table *tb;

	parse_cmd_opts(argc, argv, "lJRO", &o);
	positional(argc, argv, 0, "");
	if (rtnl_link_alloc_cache(host.sk, AF_UNSPEC, &links) < 0 ||
	    rtnl_addr_alloc_cache(host.sk, &addrs) < 0)
		die("cannot list the interfaces: %s", sock_why(&host, -NLE_FAILURE));
	tb = ctu_out_table("interfaces", cols, CTU_ARRAY_SIZE(cols), &output);
	for (struct nl_object *ob = nl_cache_get_first(links); tb && ob; ob = nl_cache_get_next(ob)) {
		struct rtnl_link *l = (struct rtnl_link *)ob;
		char mtu[16], master[IFNAMSIZ + 8], peer[64], addresses[1024];
		const char *cells[7];

		if (!o.all && rtnl_link_get_flags(l) & IFF_LOOPBACK)
			continue;
		snprintf(mtu, sizeof(mtu), "%u", rtnl_link_get_mtu(l));
		name_of(links, rtnl_link_get_master(l), master, sizeof(master));
		peer_of(links, l, peer, sizeof(peer));
		addresses_of(addrs, rtnl_link_get_ifindex(l), addresses, sizeof(addresses));
		cells[0] = rtnl_link_get_name(l);
		cells[1] = link_type(l);
		cells[2] = rtnl_link_get_flags(l) & IFF_UP ? "up" : "down";
		cells[3] = mtu;
		cells[4] = *master ? master : NULL;
		cells[5] = *peer ? peer : NULL;
		cells[6] = *addresses ? addresses : NULL;
		if (ctu_out_line(tb, cells, 7) < 0)
			die("out of memory");
	}
	nl_cache_free(links);
	nl_cache_free(addrs);
	if (!tb || ctu_out_print(tb) < 0)
		die("cannot write the output");
	return CTU_EXIT_OK;
}

/* ---- dispatch, --batch, main -------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool changes; /* needs CAP_NET_ADMIN */
} commands[] = {
	{ "add", cmd_add, true },	  { "del", cmd_del, true },
	{ "bridge", cmd_bridge, true },	  { "attach", cmd_attach, true },
	{ "detach", cmd_detach, true },	  { "move", cmd_move, true },
	{ "addr", cmd_addr, true },	  { "up", cmd_up, true },
	{ "down", cmd_down, true },	  { "mtu", cmd_mtu, true },
	{ "route", cmd_route, true },	  { "connect", cmd_connect, true },
	{ "disconnect", cmd_disconnect, true }, { "ls", cmd_ls, false },
};

static int run_command(int argc, char **argv)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		/* said up front, before the kernel answers "Operation not permitted" */
		if (commands[i].changes && !ctu_caps_have(CAP_NET_ADMIN))
			die("%s needs CAP_NET_ADMIN: run it as root, or inside 'unshare-lite -U -r -n'",
			    argv[0]);
		return commands[i].fn(argc, argv);
	}
	usage_die("unknown command '%s'", argv[0]);
}

/*
 * Splits a batch line like a shell would: blanks separate words, '...' and
 * "..." quote, backslash escapes.  Returns the number of words, or -1 for an
 * unterminated quote.
 */
static int split_line(char *line, char **words, int max)
{
	int n = 0;
	char *r = line, *w = line;

	while (*r) {
		char quote = 0;

		while (isspace((unsigned char)*r))
			r++;
		if (!*r)
			break;
		if (n == max)
			return -1;
		words[n++] = w;
		while (*r && (quote || !isspace((unsigned char)*r))) {
			if (quote && *r == quote) {
				quote = 0;
				r++;
			} else if (!quote && (*r == '\'' || *r == '"')) {
				quote = *r++;
			} else if (*r == '\\' && r[1] && quote != '\'') {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
	words[n] = NULL;
	return n;
}

static int run_batch(const char *file)
{
	_cleanup_fclose_ FILE *f = strcmp(file, "-") ? fopen(file, "re") : NULL;
	FILE *in = strcmp(file, "-") ? f : stdin;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!in)
		die("cannot read --batch %s: %s", file, strerror(errno));
	while (getline(&line, &cap, in) > 0) {
		char *words[256];
		int n;

		batch_line++;
		line[strcspn(line, "\n")] = '\0';
		n = split_line(line, words, 255);
		if (n < 0)
			usage_die("unterminated quote or too many words");
		if (n == 0 || words[0][0] == '#')
			continue;
		run_command(n, words);
	}
	return CTU_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "netns", required_argument, NULL, 'N' },
		{ "batch", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'R' },
		{ "noheadings", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch = NULL;
	int c, r;

	ctu_init(CTU_TOOL_PLAIN);
	while ((c = getopt_long(argc, argv, "+JhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			netns_spec = optarg;
			break;
		case 'B':
			batch = optarg;
			break;
		case 'J':
			output.json = true;
			break;
		case 'R':
			output.raw = true;
			break;
		case 'H':
			output.noheadings = true;
			break;
		case 'h':
			usage();
		case 'V':
			ctu_version_and_exit();
		default:
			ctu_try_help();
		}
	}
	if (!batch && optind >= argc)
		usage_die("no command given");
	if (batch && optind < argc)
		usage_die("--batch takes no command on the command line");
	open_or_die(&host, netns_spec);
	r = batch ? run_batch(batch) : run_command(argc - optind, argv + optind);
	sock_close(&host);
	return r;
}
