// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spec.c - the syntax of published ports (SPEC, connect's PSPEC), owners,
 * and the names that reach an nft command text.  Pure functions: the unit
 * tests and the fuzzer drive them.  Only numbers printed by inet_ntop, our
 * own keywords, and names that passed the charsets here ever reach the
 * text, so nothing a user writes can inject a command or ask for DNS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat.h"

static int why_fail(char *why, size_t size, const char *fmt, ...) CTU_PRINTF(3, 4);
static int why_fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- addresses -------------------------------------------------------------- */

int ip_parse(const char *s, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, s, out->b) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

const char *ip_text(const struct ipaddr *a, char *buf)
{
	if (!inet_ntop(a->family, a->b, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

const char *ip_text_port(const struct ipaddr *a, char *buf)
{
	char t[INET6_ADDRSTRLEN];

	if (a->family == AF_INET6)
		snprintf(buf, INET6_ADDRSTRLEN + 2, "[%s]", ip_text(a, t));
	else
		ip_text(a, buf);
	return buf;
}

static size_t ip_len(const struct ipaddr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

bool ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->b, b->b, ip_len(a));
}

int ip_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, ip_len(a));
}

bool ip_network(const struct ipaddr *a, unsigned int plen, struct ipaddr *out)
{
	bool clean = true;

	*out = *a;
	for (size_t i = 0; i < ip_len(a); i++) {
		unsigned int bits = plen > 8 * i ? plen - 8 * (unsigned int)i : 0;
		unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff00 >> bits);

		if (out->b[i] & ~mask)
			clean = false;
		out->b[i] &= mask;
	}
	return clean;
}

bool ip_in(const struct ipaddr *a, const struct ipaddr *net, unsigned int plen)
{
	struct ipaddr n1, n2;

	if (a->family != net->family)
		return false;
	ip_network(a, plen, &n1);
	ip_network(net, plen, &n2);
	return ip_equal(&n1, &n2);
}

bool ip_is_unspecified(const struct ipaddr *a)
{
	static const unsigned char zero[16];

	return !memcmp(a->b, zero, ip_len(a));
}

bool ip_is_loopback(const struct ipaddr *a)
{
	static const unsigned char one[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->b[0] == 127;
	return !memcmp(a->b, one, 16);
}

bool ip_is_multicast(const struct ipaddr *a)
{
	if (a->family == AF_INET)
		return (a->b[0] & 0xf0) == 0xe0 || !memcmp(a->b, "\xff\xff\xff\xff", 4);
	return a->b[0] == 0xff;
}

/* ---- SPEC ------------------------------------------------------------------- */

const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	return "?";
}

uint8_t proto_value(const char *name)
{
	if (!strcmp(name, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(name, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(name, "sctp"))
		return IPPROTO_SCTP;
	return 0;
}

/* "8080" or "8080-8089": decimal, 1..65535, not reversed. */
static int parse_ports(const char *s, const char *what, uint16_t *lo, uint16_t *hi, char *why,
		       size_t size)
{
	unsigned long v[2] = { 0, 0 };
	const char *p = s;

	for (int i = 0; i < 2; i++) {
		const char *start = p;

		while (*p >= '0' && *p <= '9' && p - start < 6)
			v[i] = v[i] * 10 + (unsigned long)(*p++ - '0');
		if (p == start)
			return why_fail(why, size, "%s '%s': not a port number", what, s);
		if (v[i] == 0)
			return why_fail(why, size, "%s '%s': port 0", what, s);
		if (v[i] > 65535 || (*p >= '0' && *p <= '9'))
			return why_fail(why, size, "%s '%s': port above 65535", what, s);
		if (i == 0 && *p == '-') {
			p++;
			continue;
		}
		if (*p)
			return why_fail(why, size, "%s '%s': not a port number", what, s);
		if (i == 0)
			v[1] = v[0];
		break;
	}
	if (v[1] < v[0])
		return why_fail(why, size, "%s '%s': reversed range", what, s);
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)v[1];
	return 0;
}

/* An address of a SPEC: "192.0.2.1" or "[2001:db8::1]". */
static int parse_spec_ip(const char *s, const char *what, struct ipaddr *out, char *why,
			 size_t size)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	if (strchr(s, '%'))
		return why_fail(why, size, "%s '%s': zone ids are not supported", what, s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof(buf))
			return why_fail(why, size, "%s '%s': not an address", what, s);
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		if (inet_pton(AF_INET6, buf, out->b) != 1)
			return why_fail(why, size, "%s '%s': not an IPv6 address", what, s);
		out->family = AF_INET6;
		if (ip_is_loopback(out))
			return why_fail(why, size,
					"%s '%s': IPv6 loopback cannot be routed out of the host "
					"(publish on :: or a global address)",
					what, s);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1)
		return why_fail(why, size, "%s '%s': an IPv6 address needs brackets ([%s])", what,
				s, s);
	return why_fail(why, size, "%s '%s': not an address (names are not resolved)", what, s);
}

/* Splits @s at the ':' outside brackets into at most 5 fields. */
static int split_fields(char *s, char **f, int max)
{
	int n = 0, depth = 0;

	f[n++] = s;
	for (char *p = s; *p; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		else if (*p == ':' && depth == 0) {
			if (n == max)
				return -1;
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

/* A field that starts like an address (a '[' or a dot) rather than a port. */
static bool looks_like_ip(const char *s)
{
	return s[0] == '[' || strchr(s, '.') || strspn(s, "0123456789-") != strlen(s);
}

static int check_target(const struct spec *o, char *why, size_t size)
{
	char t[INET6_ADDRSTRLEN];

	if (ip_is_unspecified(&o->target) || ip_is_multicast(&o->target))
		return why_fail(why, size, "target %s is not an address of one host",
				ip_text(&o->target, t));
	if (o->target.family == AF_INET && ip_is_loopback(&o->target))
		return why_fail(why, size, "target %s: loopback cannot be a target",
				ip_text(&o->target, t));
	return 0;
}

static int check_lengths(const struct spec *o, char *why, size_t size)
{
	if (o->has_tport && o->tport_end - o->tport != o->port_end - o->port)
		return why_fail(why, size, "ranges of different lengths (%u-%u and %u-%u)",
				o->port, o->port_end, o->tport, o->tport_end);
	return 0;
}

static int set_host(struct spec *o, const char *s, char *why, size_t size)
{
	if (parse_spec_ip(s, "host address", &o->host, why, size) < 0)
		return -EINVAL;
	o->host_given = true;
	o->any = ip_is_unspecified(&o->host);
	if (!o->any && ip_is_multicast(&o->host))
		return why_fail(why, size, "host address '%s': multicast", s);
	return 0;
}

/* The fields of a SPEC of @kind after the split: @f[0..n-1]. */
static int parse_fields(char **f, int n, enum spec_kind kind, struct spec *o, char *why,
			size_t size)
{
	int hp = 0; /* the field of HOSTPORT */

	/* HOSTIP first when there is room for one and it looks like an address */
	if ((kind == SPEC_PUBLISH && n == 4) || (kind == SPEC_UNPUBLISH && (n == 4 || n == 2)) ||
	    (kind == SPEC_CONNECT && (n == 3 || (n == 2 && looks_like_ip(f[0]))))) {
		if (set_host(o, f[0], why, size) < 0)
			return -EINVAL;
		hp = 1;
	} else if ((kind == SPEC_PUBLISH && n != 3) || (kind == SPEC_UNPUBLISH && n != 1 && n != 3) ||
		   (kind == SPEC_CONNECT && n > 3)) {
		return why_fail(why, size, "expected %s",
				kind == SPEC_CONNECT
				    ? "[HOSTIP:]HOSTPORT[-END][:PORT[-END]][/PROTO]"
				    : "[HOSTIP:]HOSTPORT[-END]:TARGETIP:PORT[-END][/PROTO]");
	} else {
		o->any = true;
	}
	if (parse_ports(f[hp], "host port", &o->port, &o->port_end, why, size) < 0)
		return -EINVAL;
	if (kind == SPEC_CONNECT) {
		if (hp + 1 < n) {
			o->has_tport = true;
			if (parse_ports(f[hp + 1], "port", &o->tport, &o->tport_end, why, size) < 0)
				return -EINVAL;
		}
		return check_lengths(o, why, size);
	}
	if (hp + 1 >= n)
		return 0; /* unpublish without a target */
	o->has_target = o->has_tport = true;
	if (parse_spec_ip(f[hp + 1], "target address", &o->target, why, size) < 0 ||
	    parse_ports(f[hp + 2], "target port", &o->tport, &o->tport_end, why, size) < 0 ||
	    check_target(o, why, size) < 0)
		return -EINVAL;
	if (o->host_given && o->host.family != o->target.family)
		return why_fail(why, size, "host and target of different families");
	if (!o->host_given)
		o->host.family = o->target.family;
	return check_lengths(o, why, size);
}

int spec_parse(const char *s, enum spec_kind kind, struct spec *out, char *why, size_t size)
{
	char buf[256], *f[5], *slash;
	int n;

	memset(out, 0, sizeof(*out));
	out->proto = IPPROTO_TCP;
	if (!*s)
		return why_fail(why, size, "empty");
	if (strlen(s) >= sizeof(buf))
		return why_fail(why, size, "too long");
	memcpy(buf, s, strlen(s) + 1);
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		out->proto = proto_value(slash + 1);
		if (!out->proto)
			return why_fail(why, size, "unknown protocol '%s' (tcp, udp or sctp)",
					slash + 1);
	}
	n = split_fields(buf, f, 5);
	if (n < 0 || n > 4)
		return why_fail(why, size, "too many fields (an IPv6 address needs brackets)");
	for (int i = 0; i < n; i++)
		if (!*f[i])
			return why_fail(why, size, "empty field");
	return parse_fields(f, n, kind, out, why, size);
}

int spec_set_target(struct spec *s, const struct ipaddr *addr, char *why, size_t size)
{
	if (s->host_given && s->host.family != addr->family)
		return why_fail(why, size, "host address and --addr of different families");
	s->host.family = addr->family;
	s->target = *addr;
	s->has_target = true;
	if (!s->has_tport) {
		s->has_tport = true;
		s->tport = s->port;
		s->tport_end = s->port_end;
	}
	return 0;
}

/* ---- owners and names -------------------------------------------------------- */

static bool in_charset(const char *s, const char *extra)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(extra, *p)))
			return false;
	return true;
}

bool owner_valid(const char *owner)
{
	size_t n = strlen(owner);

	return n > 0 && n <= OWNER_MAX && in_charset(owner, "_.:@/+-");
}

int owner_from_name(const char *name, char *out, size_t size)
{
	if (!*name || snprintf(out, size, "user:%s", name) >= (int)size || !owner_valid(out) ||
	    strlen(out) > OWNER_MAX)
		return -EINVAL;
	return 0;
}

bool ifname_plain(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < IFNAMSIZ && strcmp(name, ".") && strcmp(name, "..") &&
	       in_charset(name, "_.@+-");
}

uint64_t fnv1a64(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void nat_chain_name(const struct ipaddr *except, unsigned int plen, char **out, size_t nout,
		    char *buf, size_t size)
{
	char t[INET6_ADDRSTRLEN];
	int n;

	ip_text(except, t);
	for (char *p = t; *p; p++)
		if (*p == '.' || *p == ':')
			*p = '_';
	n = snprintf(buf, size, "nat%c-%s-%u", except->family == AF_INET6 ? '6' : '4', t, plen);
	if (nout && n > 0 && (size_t)n < size) {
		uint32_t h = 2166136261u; /* FNV-1a, 32 bits */

		qsort(out, nout, sizeof(*out), cmp_names);
		for (size_t i = 0; i < nout; i++)
			for (const char *p = out[i];; p++) {
				h = (h ^ (unsigned char)*p) * 16777619u;
				if (!*p)
					break; /* the NUL too: "ab","c" is not "a","bc" */
			}
		snprintf(buf + n, size - (size_t)n, "-o%08x", h);
	}
}
