// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vethctl - veth pairs, bridges, addresses and routes for containers.
 *
 * All netlink work goes through libnl-3.  A container's end of a veth is
 * created directly inside its namespace, in the same request as the host
 * end, so it never sits in the host's namespace where its name could clash.
 * A command that makes several things deletes what it made when a later
 * step fails (lib/undo).  libnl 3.7 traps avoided: names are checked before
 * libnl truncates them, masters are looked up before libnl would turn a
 * missing one into "release", and a veth's peer is found from its
 * IFLA_LINK, never with rtnl_link_veth_get_peer() on a kernel object (it
 * crashes in 3.7).
 *
 * This file is the command line: the usage, the global options (taken
 * before and after the command), the dispatch, --batch and main.  The
 * commands are in pair.c, iface.c, connect.c and ls.c.
 */
#include <stdio.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cni.h"
#include "ctu.h"
#include "err.h"
#include "vethctl.h"

static noreturn void command_usage(const struct command *c);

static noreturn void usage(void)
{
	fputs(CTU_USAGE_HEADER
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
	      " nat add|del <subnet>|<if> [--out <if>]...  masquerade traffic from a subnet\n"
	      " nat ls                            list the NAT sources\n"
	      " publish <spec>... [--owner <name>]  publish ports: [hostip:]port:target:port[/proto]\n"
	      " publish ls                        list the published ports\n"
	      " unpublish <spec>...|--owner <name>  take published ports back\n"
	      " gc [--dry-run]                    drop the entries of veths that are gone\n"
	      " save                              print the NAT and ports as vethctl commands\n"
	      " cni add|check|del <net> <ns>      run a CNI network's plugins on a namespace\n"
	      " cni gc|status <net> | cni ls      tidy up, ask, list the attachments\n"
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
	      "     --publish <pspec>     connect: publish a port of the container (repeatable)\n"
	      "     --nat                 connect: masquerade the container's traffic out\n"
	      "     --hairpin             connect: hairpin mode on the bridge port\n"
	      "     --out <if>            nat add: masquerade only out of <if> (repeatable)\n"
	      "     --owner <name>        nat add, publish, unpublish: the entries of <name>\n"
	      "     --dry-run             gc: say what would be removed\n"
	      "\nGlobal options (before or after the command):\n"
	      "     --netns <ns>          work inside network namespace <ns>\n"
	      "     --batch <file>|-      run the commands in <file>, one per line\n"
	      CTU_USAGE_OUT_OPTIONS
	      "\nA namespace <ns> is a PID, a namespace file, or a name under /run/netns.\n"
	      "Run with CNI_COMMAND set and no arguments (or as ctutils-bridge or\n"
	      "ctutils-host-local), vethctl is a CNI plugin: see vethctl(8), CNI PLUGIN.\n"
	      CTU_USAGE_HELP_OPTIONS
	      CTU_USAGE_MAN_TAIL("vethctl(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

static const struct option global_longopts[] = {
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	CTU_OUT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};
#define GLOBAL_SHORTOPTS CTU_OUT_SHORTOPTS "hV"

static bool same_netns(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* --netns after the command: the socket moves there (once: a batch keeps its own). */
static int set_netns(struct vethctl *v, const char *spec, ctu_err_t *err)
{
	if (same_netns(v->netns_spec, spec))
		return 0;
	if (v->batch_line)
		return ctu_err_usage(err, "--netns applies to the whole --batch: give it before");
	v->netns_spec = spec;
	if (!v->host.sk)
		return 0;
	sock_close(&v->host);
	return sock_open(&v->host, spec, err);
}

/* A global option, wherever it stands (lib/cli's on_global). */
static int global_option(int opt, const char *arg, void *vethctl, ctu_err_t *err)
{
	struct vethctl *v = vethctl;

	if (ctu_out_option(opt, &v->output))
		return 0;
	switch (opt) {
	case OPT_NETNS:
		return set_netns(v, arg, err);
	case OPT_BATCH:
		if (v->command)
			return ctu_err_usage(err, "--batch takes no command on the command line");
		v->batch = arg;
		return 0;
	case 'h':
		if (v->command)
			command_usage(v->command);
		ctu_common_option_exit(opt, usage);
	case 'V':
		ctu_common_option_exit(opt, usage);
	}
	return ctu_err_usage(err, "unknown option");
}

/* Each command's --help, after "Usage:" (command_usage() adds the common tail). */
#define ADD_USAGE                                                                                  \
	" vethctl add <name> [options]\n"                                                           \
	"\nCreate a veth pair: <name> here, its peer here or inside --peer-netns.\n"                \
	"Both ends come up unless --no-up.\n" CTU_USAGE_OPTIONS                                      \
	"     --peer <name>         the other end's name (default <name>p)\n"                       \
	"     --peer-netns <ns>     create the other end inside <ns>\n"                             \
	"     --addr <cidr>         an address for this end\n"                                      \
	"     --peer-addr <cidr>    an address for the other end\n"                                 \
	"     --mtu <n>             the MTU of both ends\n"                                         \
	"     --mac <mac>           this end's MAC (default: stable, from the name)\n"              \
	"     --peer-mac <mac>      the other end's MAC\n"                                          \
	"     --bridge <br>         make this end a port of bridge <br>\n"                          \
	"     --no-up               leave both ends down\n"                                         \
	"\nExample:\n"                                                                              \
	" vethctl add h0 --peer eth0 --peer-netns web --addr 10.1.0.1/24 --peer-addr 10.1.0.2/24\n"

#define CONNECT_USAGE                                                                              \
	" vethctl connect <ns> --bridge <br> --addr <cidr> [options]\n"                             \
	"\nPlug the container of namespace <ns> into bridge <br> (made if missing): a veth\n"       \
	"pair, its inner end inside <ns> with the address, lo up, and a default route.\n"          \
	CTU_USAGE_OPTIONS                                                                          \
	"     --bridge <br>         the bridge (required)\n"                                        \
	"     --addr <cidr>         the container's address (required)\n"                           \
	"     --gw <ip>             the default route (default: the bridge's address)\n"            \
	"     --ifname <name>       the container's end (default eth0)\n"                           \
	"     --host-name <name>    the host's end (default: from the namespace)\n"                 \
	"     --mtu <n>             the MTU of both ends\n"                                         \
	"     --publish <pspec>     publish [hostip:]hostport[-end][:port[-end]][/proto] to the\n" \
	"                           container's address (repeatable; implies --hairpin)\n"        \
	"     --nat                 masquerade its traffic leaving the bridge's prefix\n"          \
	"     --hairpin             hairpin mode on its bridge port\n"                             \
	"\nExample:\n"                                                                              \
	" vethctl connect $(cat /run/c1.pid) --bridge br0 --addr 10.0.0.2/24 --nat \\\n"           \
	"   --publish 8080:80\n"

#define NAT_USAGE                                                                                  \
	" vethctl nat add <subnet>|<if> [--out <if>]... [--owner <name>]\n"                       \
	" vethctl nat del <subnet>|<if>\n"                                                          \
	" vethctl nat ls [--json|--raw|--noheadings]\n"                                             \
	"\nMasquerade traffic from <subnet> (or each global prefix of <if>) as it leaves\n"        \
	"through other interfaces: not to the subnet itself or to multicast, and only\n"          \
	"through the --out interfaces if given.  Forwarding is turned on if it was off.\n"        \
	CTU_USAGE_OPTIONS                                                                          \
	"     --out <if>            only out of <if> (repeatable)\n"                               \
	"     --owner <name>        the owner of the entry (user:<name>; default cli)\n"           \
	CTU_USAGE_OUT_OPTIONS                                                                      \
	"\nExample:\n vethctl nat add 10.88.0.0/16 --out eth0\n"

#define PUBLISH_USAGE                                                                              \
	" vethctl publish <spec>... [--owner <name>]\n"                                            \
	" vethctl publish ls [--json|--raw|--noheadings]\n"                                         \
	"\nPublish ports of this namespace's addresses: new connections to them go to the\n"      \
	"target (DNAT), one transaction for all.  A <spec> is\n"                                   \
	"  [hostip:]hostport[-end]:targetip:port[-end][/tcp|/udp|/sctp]\n"                         \
	"with IPv6 addresses in brackets; no hostip, 0.0.0.0 or :: is every local address\n"      \
	"of the family, 127.0.0.1 included.\n" CTU_USAGE_OPTIONS                                  \
	"     --owner <name>        the owner of the entries (user:<name>; default cli)\n"         \
	CTU_USAGE_OUT_OPTIONS                                                                      \
	"\nExample:\n vethctl publish 8080:10.88.0.2:80 192.0.2.1:5353:10.88.0.2:53/udp\n"

static const struct command commands[] = {
	{ "add", cmd_add, ADD_USAGE, true },
	{ "del", cmd_del,
	  " vethctl del <name>\n"
	  "\nDelete a veth pair (either end deletes both) or any other link.\n"
	  "\nExample:\n vethctl del h0\n",
	  true },
	{ "bridge", cmd_bridge,
	  " vethctl bridge add <br> [--addr <cidr>] [--mtu <n>] [--no-up]\n"
	  " vethctl bridge del <br>\n"
	  "\nCreate a bridge (up unless --no-up), or delete one.\n" CTU_USAGE_OPTIONS
	  "     --addr <cidr>         the bridge's address\n"
	  "     --mtu <n>             its MTU\n"
	  "     --no-up               leave it down\n"
	  "\nExample:\n vethctl bridge add br0 --addr 10.0.0.1/24\n",
	  true },
	{ "attach", cmd_attach,
	  " vethctl attach <if> <br>\n"
	  "\nMake interface <if> a port of bridge <br>.\n"
	  "\nExample:\n vethctl attach h0 br0\n",
	  true },
	{ "detach", cmd_detach,
	  " vethctl detach <if>\n"
	  "\nRelease interface <if> from its bridge.\n"
	  "\nExample:\n vethctl detach h0\n",
	  true },
	{ "move", cmd_move,
	  " vethctl move <if> <ns> [--name <new>]\n"
	  "\nMove interface <if> into network namespace <ns>.\n" CTU_USAGE_OPTIONS
	  "     --name <name>         rename it on the way\n"
	  "\nExample:\n vethctl move h0p web --name eth1\n",
	  true },
	{ "addr", cmd_addr,
	  " vethctl addr add|del <if> <cidr>\n"
	  "\nAdd an address to interface <if>, or delete one.\n"
	  "\nExample:\n vethctl addr add h0 10.1.0.1/24\n",
	  true },
	{ "up", cmd_up,
	  " vethctl up <if>\n"
	  "\nBring interface <if> up.\n"
	  "\nExample:\n vethctl up h0\n",
	  true },
	{ "down", cmd_down,
	  " vethctl down <if>\n"
	  "\nBring interface <if> down.\n"
	  "\nExample:\n vethctl down h0\n",
	  true },
	{ "mtu", cmd_mtu,
	  " vethctl mtu <if> <n>\n"
	  "\nSet the MTU of interface <if> (68 to 65535).\n"
	  "\nExample:\n vethctl mtu h0 1400\n",
	  true },
	{ "route", cmd_route,
	  " vethctl route add|del <dest> [via <gw>] [dev <if>]\n"
	  "\nAdd or delete a route to <dest>, a CIDR or default; via, dev or both.\n"
	  "\nExample:\n vethctl route add default via 10.0.0.1\n",
	  true },
	{ "connect", cmd_connect, CONNECT_USAGE, true },
	{ "disconnect", cmd_disconnect,
	  " vethctl disconnect <ns> [--ifname <name>]\n"
	  "\nUndo connect: delete the container's end of its veth, and with it the host's.\n"
	  CTU_USAGE_OPTIONS "     --ifname <name>       the container's end (default eth0)\n"
	  "\nExample:\n vethctl disconnect $(cat /run/c1.pid)\n",
	  true },
	{ "ls", cmd_ls,
	  " vethctl ls [--all] [--json|--raw|--noheadings]\n"
	  "\nThe interfaces of the namespace: name, type, state, MTU, bridge, the veth\n"
	  "peer (in another namespace: peer@namespace) and the addresses.\n" CTU_USAGE_OPTIONS
	  "     --all                 loopback too\n" CTU_USAGE_OUT_OPTIONS
	  "\nExample:\n vethctl --netns web ls --json\n",
	  false },
	{ "nat", cmd_nat, NAT_USAGE, true },
	{ "publish", cmd_publish, PUBLISH_USAGE, true },
	{ "unpublish", cmd_unpublish,
	  " vethctl unpublish <spec>...\n"
	  " vethctl unpublish --owner <name>\n"
	  "\nTake published ports back: a <spec> as publish's, its target part optional\n"
	  "(it must match if given); or every port of an owner (user:<name>, or cli,\n"
	  "veth:<if> as written).\n" CTU_USAGE_OPTIONS
	  "     --owner <name>        every port of <name>\n"
	  "\nExample:\n vethctl unpublish 8080 192.0.2.1:5353/udp\n",
	  true },
	{ "gc", cmd_gc,
	  " vethctl gc [--dry-run]\n"
	  "\nRemove the published ports and NAT sources of connected containers whose\n"
	  "host end (veth:<if>) is gone, as when their namespace was deleted.\n" CTU_USAGE_OPTIONS
	  "     --dry-run             only print what would be removed\n"
	  "\nExample:\n vethctl gc --dry-run\n",
	  true },
	{ "save", cmd_save,
	  " vethctl save\n"
	  "\nPrint the NAT sources and published ports made by hand (owners cli and\n"
	  "user:<name>) as vethctl commands, to apply again after 'nft flush ruleset'.\n"
	  "\nExample:\n vethctl save > /etc/ctutils/net.batch; vethctl --batch /etc/ctutils/net.batch\n",
	  true },
	{ "cni", cmd_cni,
	  " vethctl cni add|check|del <net> <ns> [options]\n"
	  " vethctl cni gc|status <net> [options]\n"
	  " vethctl cni ls [--json]\n"
	  "\nRun a CNI network's plugins against a network namespace, as a container\n"
	  "runtime would: <net> is a .conflist or .conf file, or a network name in\n"
	  "--conf-dir; <ns> a PID, a namespace file, or a name under /run/netns.  add\n"
	  "prints the result and keeps it in the cache, which del, check and gc use.\n"
	  CTU_USAGE_OPTIONS
	  "     --ifname <name>       the container's interface (default eth0)\n"
	  "     --id <id>             the container ID (default: from <ns>)\n"
	  "     --args <k=v;...>      CNI_ARGS\n"
	  "     --cap-args <json>     capability arguments, as {\"portMappings\":[...]}\n"
	  "     --path <dirs>         where the plugins are (default $CNI_PATH, else\n"
	  "                           /opt/cni/bin:/usr/lib/cni)\n"
	  "     --conf-dir <dirs>     where network names are looked up (default\n"
	  "                           $NETCONFPATH, else /etc/cni/net.d)\n"
	  "     --cache-dir <dir>     the results of add (default /var/lib/ctutils/cni)\n"
	  "\nExample:\n vethctl cni add /etc/cni/net.d/10-web.conflist web\n",
	  true },
};

/* SUB --help: the command's usage on stdout, exit 0. */
static noreturn void command_usage(const struct command *c)
{
	printf(CTU_USAGE_HEADER "%s"
	       "\nGlobal options, before or after the command: --netns <ns>, --batch <file>|-,\n"
	       "--json, --raw, --noheadings (see vethctl --help).\n" CTU_USAGE_MAN_TAIL("vethctl(8)"),
	       c->usage);
	exit(CTU_EXIT_OK);
}

static bool is_help(const char *arg)
{
	return arg && (!strcmp(arg, "--help") || !strcmp(arg, "-h"));
}

static int run_command(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		v->command = &commands[i];
		/* a usage error from here on says "Try 'vethctl CMD --help'" */
		ctu_err_set_subcommand(commands[i].name);
		/* bridge, addr, route --help: before their add|del word */
		if (is_help(argv[1]))
			command_usage(v->command);
		return commands[i].fn(v, argc, argv, err);
	}
	ctu_err_set_subcommand(NULL);
	return ctu_err_usage(err, "unknown command '%s'", argv[0]);
}

static int run_line(struct vethctl *v, char *line, ctu_err_t *err)
{
	char *words[256];
	int n;

	line[strcspn(line, "\n")] = '\0';
	n = batch_split(line, words, 255);
	if (n < 0)
		return ctu_err_usage(err, "unterminated quote or too many words");
	if (n == 0 || words[0][0] == '#')
		return 0;
	return run_command(v, n, words, err);
}

static int run_batch(struct vethctl *v, const char *file, ctu_err_t *err)
{
	_cleanup_fclose_ FILE *f = strcmp(file, "-") ? fopen(file, "re") : NULL;
	FILE *in = strcmp(file, "-") ? f : stdin;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!in)
		return ctu_err_errno(err, "cannot read --batch %s", file);
	while (getline(&line, &cap, in) > 0) {
		v->batch_line++;
		if (run_line(v, line, err) < 0)
			return ctu_err_wrap(err, "line %lu", v->batch_line);
	}
	/* a directory opens, and fails at the first read: EISDIR */
	if (ferror(in))
		return ctu_err_errno(err, "cannot read --batch %s", file);
	return 0;
}

int main(int argc, char **argv)
{
	struct vethctl v = {
		.host = NLSOCK_INIT,
		.global_shortopts = GLOBAL_SHORTOPTS,
		.global_longopts = global_longopts,
		.on_global = global_option,
	};
	_cleanup_err_ ctu_err_t err = NULL;
	struct ctu_getopt g = { .on_global = global_option, .ctx = &v, .stop_at_operand = true };
	int r;

	ctu_init(CTU_TOOL_PLAIN);
	if (cni_plugin_mode(argc, argv))
		return cni_plugin_main(argc, argv);
	r = ctu_getopt_init(&g, argc, argv, NULL, NULL, GLOBAL_SHORTOPTS, global_longopts, &err);
	if (r < 0 || ctu_getopt_next(&g, &err) != -1)
		ctu_err_exit(&err);
	if (!v.batch && optind >= argc)
		ctu_usage_exit("no command given");
	if (v.batch && optind < argc)
		ctu_usage_exit("--batch takes no command on the command line");
	if (sock_open(&v.host, v.netns_spec, &err) < 0)
		ctu_err_exit(&err);
	if (v.batch)
		r = run_batch(&v, v.batch, &err);
	else
		r = run_command(&v, argc - optind, argv + optind, &err);
	sock_close(&v.host);
	if (r < 0)
		ctu_err_exit(&err);
	return CTU_EXIT_OK;
}
