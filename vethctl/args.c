// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * args.c - what every vethctl command does with its command line: its
 * options (with the global ones), its operands, and the values checked
 * before anything is asked of the kernel.
 */
#include <ctype.h>
#include <linux/capability.h>
#include <net/if.h>
#include <string.h>

#include "addr.h"
#include "caps.h"
#include "ctu.h"
#include "parse.h"
#include "vethctl.h"

static int cmd_getopt_init(struct ctu_getopt *g, struct vethctl *v, int argc, char **argv,
			   const struct option *longopts, ctu_err_t *err)
{
	*g = (struct ctu_getopt){ .on_global = v->on_global, .ctx = v };
	return ctu_getopt_init(g, argc, argv, NULL, longopts, v->global_shortopts,
			       v->global_longopts, err);
}

/* getopt's words for an option no table has (lib/cli) */
static bool is_unknown_option(const struct ctu_err *e)
{
	return e && e->msg &&
	       (!strncmp(e->msg, "unrecognized option", 19) ||
		!strncmp(e->msg, "invalid option", 14));
}

static int cmd_getopt_next(struct ctu_getopt *g, ctu_err_t *err)
{
	int c = ctu_getopt_next(g, err);

	if (c != '?')
		return c;
	/* vethctl's own words, which scripts and tests know */
	/* a short one inside a word ("-1:80") leaves optind on that word */
	if (is_unknown_option(*err) && optopt)
		ctu_err_usage(err, "%s: unknown option '-%c'", g->argv[0], optopt);
	else if (is_unknown_option(*err))
		ctu_err_usage(err, "%s: unknown option '%s'", g->argv[0], g->argv[optind - 1]);
	else
		ctu_err_wrap(err, "%s", g->argv[0]);
	return '?';
}

int operands(int argc, char **argv, int n, const char *what, char ***out, ctu_err_t *err)
{
	if (argc - optind < n)
		return ctu_err_usage(err, "%s: %s", argv[0], what);
	if (argc - optind > n)
		return ctu_err_usage(err, "%s: unexpected argument '%s'", argv[0],
				     argv[optind + n]);
	*out = argv + optind;
	return 0;
}

int cmd_parse(struct vethctl *v, int argc, char **argv, const struct option *longopts,
	      const size_t *fields, void *opts, ctu_err_t *err)
{
	struct ctu_getopt g;
	int c;

	if (cmd_getopt_init(&g, v, argc, argv, longopts, err) < 0)
		return ctu_err_code(*err);
	while ((c = cmd_getopt_next(&g, err)) != -1) {
		size_t i = 0;
		char *field;

		if (c == '?')
			return ctu_err_code(*err);
		while (longopts[i].name && longopts[i].val != c)
			i++;
		field = (char *)opts + (fields[i] & ~REPEATED(0));
		if (fields[i] & REPEATED(0)) {
			struct optlist *l = (struct optlist *)field;

			if (l->n == CTU_ARRAY_SIZE(l->v))
				return ctu_err_usage(err, "%s: more than %zu --%s", argv[0],
						     CTU_ARRAY_SIZE(l->v), longopts[i].name);
			l->v[l->n++] = optarg;
		} else if (longopts[i].has_arg == no_argument)
			*(bool *)field = true;
		else
			*(const char **)field = optarg;
	}
	return needs_caps(v, err);
}

int no_options(struct vethctl *v, int argc, char **argv, ctu_err_t *err)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	return cmd_parse(v, argc, argv, none, NULL, NULL, err);
}

int plain_operands(struct vethctl *v, int argc, char **argv, int n, const char *what, char ***out,
		   ctu_err_t *err)
{
	if (no_options(v, argc, argv, err) < 0)
		return ctu_err_code(*err);
	return operands(argc, argv, n, what, out, err);
}

/* The kernel's dev_valid_name(), checked before libnl silently truncates. */
int check_ifname(const char *name, const char *what, ctu_err_t *err)
{
	if (!name)
		return ctu_err_usage(err, "no %s given", what);
	if (!*name)
		return ctu_err_usage(err, "invalid %s '': empty", what);
	if (strlen(name) >= IFNAMSIZ)
		return ctu_err_usage(err, "invalid %s '%s': longer than %d bytes", what, name,
				     IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return ctu_err_usage(err, "invalid %s '%s'", what, name);
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return ctu_err_usage(
			    err, "invalid %s '%s': no '/', ':' or blanks in interface names", what,
			    name);
	return 0;
}

int cidr_value(const char *s, bool need_prefix, const char *what, struct nl_addr **out,
	       ctu_err_t *err)
{
	struct cidr c;

	if (!s || parse_cidr(s, need_prefix, &c) < 0)
		return ctu_err_usage(err, "invalid %s '%s': expected %s", what, s ? s : "",
				     need_prefix
					 ? "an address with a prefix (10.0.0.2/24, fd00::2/64)"
					 : "an address (10.0.0.1)");
	*out = nl_addr_build(c.family, c.addr.bytes, c.family == AF_INET ? 4 : 16);
	if (!*out)
		return ctu_err_make(err, ENOMEM, "%s %s", what, s);
	nl_addr_set_prefixlen(*out, (int)c.prefix);
	return 0;
}

int default_route(const struct nl_addr *gw, struct nl_addr **out, ctu_err_t *err)
{
	bool v6 = gw && nl_addr_get_family(gw) == AF_INET6;

	return cidr_value(v6 ? "::/0" : "0.0.0.0/0", true, "destination", out, err);
}

int mtu_value(const char *s, unsigned int *out, ctu_err_t *err)
{
	uint64_t v;

	if (ctu_parse_u64_range(s, 68, 65535, &v) < 0)
		return ctu_err_usage(err, "invalid MTU '%s': expected 68 to 65535", s);
	*out = (unsigned int)v;
	return 0;
}

int mac_value(const char *s, struct nl_addr **out, ctu_err_t *err)
{
	unsigned char mac[6];

	if (parse_mac(s, mac) < 0)
		return ctu_err_usage(
		    err, "invalid MAC '%s': expected six hex pairs (02:42:ac:11:00:02)", s);
	if (mac[0] & 1)
		return ctu_err_usage(err, "invalid MAC '%s': a multicast address", s);
	*out = nl_addr_build(AF_LLC, mac, 6);
	return *out ? 0 : ctu_err_make(err, ENOMEM, "MAC %s", s);
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

int needs_caps(const struct vethctl *v, ctu_err_t *err)
{
	/* said up front, before the kernel answers "Operation not permitted" */
	if (v->command && v->command->changes && !ctu_caps_have(CAP_NET_ADMIN))
		return ctu_err_make(err, 0,
				    "%s needs CAP_NET_ADMIN: run it as root, or inside 'unshare-lite -U -r -n'",
				    v->command->name);
	return 0;
}
