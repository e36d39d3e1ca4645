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
#include "vethctl.h"
#include "ns.h"
#include "out.h"
#include "parse.h"

/* The socket of the namespace we work in (--netns), shared by a whole batch. */
struct nlsock host;
const char *netns_spec;
struct ctu_out_flags output;
unsigned long batch_line; /* 0: not in --batch */

/* ---- messages -------------------------------------------------------------- */

static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	if (batch_line)
		fprintf(stderr, "line %lu: ", batch_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(CTU_EXIT_FAILURE);
}

noreturn void usage_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
	exit(CTU_EXIT_USAGE);
}

void warn_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

/* A netlink failure in plain words, for the common causes. */
noreturn void die_nl(struct nlsock *s, int nle, const char *what, const char *name)
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
const char *ifname_or_die(const char *name, const char *what)
{
	if (!name)
		usage_die("no %s given", what);
	if (!*name)
		usage_die("invalid %s '': empty", what);
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

struct nl_addr *cidr_or_die(const char *s, bool need_prefix, const char *what)
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

unsigned int mtu_or_die(const char *s)
{
	uint64_t v;

	if (ctu_parse_u64_range(s, 68, 65535, &v) < 0)
		usage_die("invalid MTU '%s': expected 68 to 65535", s);
	return (unsigned int)v;
}

struct nl_addr *mac_or_die(const char *s)
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
struct nl_addr *mac_from_name(const char *name, const char *salt)
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
int netns_or_die(const char *spec)
{
	_cleanup_err_ ctu_err_t err = NULL;
	int fd = ctu_ns_open_spec(spec, ctu_ns_by_name("net"), &err);

	if (fd == -ENOENT)
		die("no such network namespace: %s", spec);
	if (fd == -ENOTTY || fd == -EPROTOTYPE)
		die("%s is not a network namespace", spec);
	if (fd < 0)
		die("cannot open network namespace %s: %s", spec, strerror(-fd));
	return fd;
}

void open_or_die(struct nlsock *s, const char *spec)
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


void parse_cmd_opts(int argc, char **argv, const char *allowed, struct cmd_opts *o)
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
char **positional(int argc, char **argv, int n, const char *what)
{
	if (argc - optind < n)
		usage_die("%s: %s", argv[0], what);
	if (argc - optind > n)
		usage_die("%s: unexpected argument '%s'", argv[0], argv[optind + n]);
	return argv + optind;
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
		n = batch_split(line, words, 255);
		if (n < 0)
			usage_die("unterminated quote or too many words");
		if (n == 0 || words[0][0] == '#')
			continue;
		run_command(n, words);
	}
	/* a directory opens, and fails at the first read: EISDIR */
	if (ferror(in)) {
		batch_line = 0;
		die("cannot read --batch %s: %s", file, strerror(errno));
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

