// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostlocal_range.c - addresses, ranges, range sets and the round robin of
 * the built-in host-local allocator, as Debian's host-local 1.1.1 has them
 * (see hostlocal.h).  Pure: no I/O.  Go's own rules (unicode.IsSpace, UTF-8)
 * come from cnigo.h.
 *
 * One place where we do not follow it: pkg/ip.NextIP of 1.1.1 goes through
 * big.Int.Bytes(), which drops leading zero bytes, so an IPv6 range whose
 * addresses start with a zero byte (64:ff9b::/96, ::a.b.c.d) becomes a
 * 4-byte IPv4 one there and its iteration never ends.  Ours counts in the
 * address's own width.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnigo.h"
#include "hostlocal.h"

static size_t ip_len(const struct hl_ip *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/* canonicalizeIP: an IPv4-mapped IPv6 address ("::ffff:a.b.c.d") is IPv4 (net.IP.To4). */
static void canonicalize(struct hl_ip *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family == AF_INET6 && memcmp(a->b, mapped, sizeof(mapped)) == 0) {
		memmove(a->b, a->b + 12, 4);
		memset(a->b + 4, 0, 12);
		a->family = AF_INET;
	}
}

/* netip.ParseAddr without a zone: glibc's inet_pton takes the same texts. */
static int parse_plain(const char *s, struct hl_ip *out, unsigned int *bits)
{
	struct hl_ip a = { 0 };

	if (inet_pton(AF_INET, s, a.b) == 1) {
		a.family = AF_INET;
		*bits = 32;
	} else if (inet_pton(AF_INET6, s, a.b) == 1) {
		a.family = AF_INET6;
		*bits = 128;
	} else {
		return -EINVAL;
	}
	canonicalize(&a);
	*out = a;
	return 0;
}

int hl_ip_parse(const char *s, struct hl_ip *out)
{
	unsigned int bits;

	if (!s)
		return -EINVAL;
	return parse_plain(s, out, &bits);
}

/* net's dtoi: decimal digits (leading zeros too), at least one, below 0xFFFFFF. */
static int go_dtoi(const char *s, unsigned int *out)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		n = n * 10 + (unsigned long)(s[i] - '0');
		if (n >= 0xFFFFFF)
			return -EINVAL;
	}
	if (i == 0 || s[i] != '\0')
		return -EINVAL;
	*out = (unsigned int)n;
	return 0;
}

int hl_cidr_parse(const char *s, struct hl_cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = s ? strchr(s, '/') : NULL;
	struct hl_cidr c = { 0 };
	size_t len;

	if (!slash)
		return -EINVAL;
	len = (size_t)(slash - s);
	if (len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (parse_plain(addr, &c.ip, &c.maskbits) < 0 || go_dtoi(slash + 1, &c.prefix) < 0 ||
	    c.prefix > c.maskbits)
		return -EINVAL;
	*out = c;
	return 0;
}

/* netip's appendTo6: the longest run of two or more zero groups (the first of equals) as "::". */
static void format6(const uint8_t *b, char *out)
{
	unsigned int g[8], zs = 8, ze = 8;
	char *p = out;

	for (size_t i = 0; i < 8; i++)
		g[i] = (unsigned int)b[2 * i] << 8 | b[2 * i + 1];
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i >= 2 && (zs == 8 || j - i > ze - zs))
			zs = i, ze = j;
	}
	for (unsigned int i = 0; i < 8; i++) {
		if (i == zs) {
			*p++ = ':';
			*p++ = ':';
			i = ze;
			if (i >= 8)
				break;
		} else if (i > 0) {
			*p++ = ':';
		}
		p += sprintf(p, "%x", g[i]);
	}
	*p = '\0';
}

void hl_ip_format(const struct hl_ip *a, char out[HL_IP_STRLEN])
{
	if (a->family == AF_INET)
		snprintf(out, HL_IP_STRLEN, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
	else
		format6(a->b, out);
}

void hl_cidr_format(const struct hl_ip *a, unsigned int maskbits, unsigned int prefix,
		    char out[HL_CIDR_STRLEN])
{
	char ip[HL_IP_STRLEN];
	unsigned int shown = prefix;

	/* networkNumberAndMask: an IPv4 address with a 16-byte mask shows its last 4 bytes */
	if (a->family == AF_INET && maskbits == 128)
		shown = prefix > 96 ? prefix - 96 : 0;
	hl_ip_format(a, ip);
	snprintf(out, HL_CIDR_STRLEN, "%s/%u", ip, shown);
}

bool hl_ip_equal(const struct hl_ip *a, const struct hl_ip *b)
{
	return a->family == b->family && memcmp(a->b, b->b, ip_len(a)) == 0;
}

/* pkg/ip.Cmp compares the numbers: an IPv4 address is a 32-bit one, IPv6 a 128-bit one. */
int hl_ip_cmp(const struct hl_ip *a, const struct hl_ip *b)
{
	uint8_t x[16] = { 0 }, y[16] = { 0 };

	memcpy(x + 16 - ip_len(a), a->b, ip_len(a));
	memcpy(y + 16 - ip_len(b), b->b, ip_len(b));
	return memcmp(x, y, sizeof(x));
}

void hl_ip_next(struct hl_ip *a)
{
	for (size_t i = ip_len(a); i-- > 0;)
		if (++a->b[i] != 0)
			break;
}

/* Byte @i of a @prefix-long mask. */
static uint8_t mask_byte(unsigned int prefix, size_t i)
{
	unsigned int ones = prefix > i * 8 ? prefix - (unsigned int)i * 8 : 0;

	return ones >= 8 ? 0xff : (uint8_t)(0xff << (8 - ones));
}

/* IPNet.Contains: @a of the subnet's family, equal to it under the mask. */
static bool subnet_contains(const struct hl_cidr *n, const struct hl_ip *a)
{
	if (a->family != n->ip.family)
		return false;
	for (size_t i = 0; i < ip_len(a); i++)
		if ((a->b[i] & mask_byte(n->prefix, i)) != (n->ip.b[i] & mask_byte(n->prefix, i)))
			return false;
	return true;
}

bool hl_range_contains(const struct hl_range *r, const struct hl_ip *a)
{
	if (!r->has_subnet || !subnet_contains(&r->subnet, a))
		return false;
	/* while the range is being completed, an unset bound is no bound (as Go's nil) */
	if (r->has_start && hl_ip_cmp(a, &r->start) < 0)
		return false;
	if (r->has_end && hl_ip_cmp(a, &r->end) > 0)
		return false;
	return true;
}

void hl_range_string(const struct hl_range *r, char *out, size_t size)
{
	char a[HL_IP_STRLEN], b[HL_IP_STRLEN];

	hl_ip_format(&r->start, a);
	hl_ip_format(&r->end, b);
	snprintf(out, size, "%s-%s", a, b);
}

/* lastIP: the subnet's last address, but the broadcast for IPv4. */
static struct hl_ip last_ip(const struct hl_cidr *n)
{
	struct hl_ip end = n->ip;

	for (size_t i = 0; i < ip_len(&end); i++)
		end.b[i] |= (uint8_t)~mask_byte(n->prefix, i);
	if (end.family == AF_INET)
		end.b[3]--;
	return end;
}

static int bound_check(struct hl_range *r, const struct hl_ip *bound, const char *what, char *why,
		       size_t size)
{
	char a[HL_IP_STRLEN], net[HL_CIDR_STRLEN];

	if (hl_range_contains(r, bound))
		return 0;
	hl_ip_format(bound, a);
	hl_cidr_format(&r->subnet.ip, r->subnet.maskbits, r->subnet.prefix, net);
	snprintf(why, size, "%s %s not in network %s", what, a, net);
	return -EINVAL;
}

int hl_range_canonicalize(struct hl_range *r, char *why, size_t size)
{
	struct hl_cidr *n = &r->subnet;
	struct hl_ip network;
	char s[HL_CIDR_STRLEN];

	if (!r->has_subnet) {
		snprintf(why, size, "IP <nil> not v4 nor v6");
		return -EINVAL;
	}
	/* a /31 or /32 (/127, /128) leaves nothing to allocate */
	if (n->prefix + 2 > n->maskbits) {
		hl_cidr_format(&n->ip, n->maskbits, n->prefix, s);
		snprintf(why, size, "Network %s too small to allocate from", s);
		return -EINVAL;
	}
	if (ip_len(&n->ip) * 8 != n->maskbits) {
		snprintf(why, size, "IPNet IP and Mask version mismatch");
		return -EINVAL;
	}
	network = n->ip;
	for (size_t i = 0; i < ip_len(&network); i++)
		network.b[i] &= mask_byte(n->prefix, i);
	if (!hl_ip_equal(&network, &n->ip)) {
		hl_ip_format(&network, s);
		snprintf(why, size,
			 "Network has host bits set. For a subnet mask of length %u the network "
			 "address is %s",
			 n->prefix, s);
		return -EINVAL;
	}
	if (!r->has_gw) {
		r->gw = n->ip;
		hl_ip_next(&r->gw);
		r->has_gw = true;
	}
	if (r->has_start) {
		if (bound_check(r, &r->start, "RangeStart", why, size) < 0)
			return -EINVAL;
	} else {
		/* .1, the gateway's too by default: the iterator skips it */
		r->start = n->ip;
		hl_ip_next(&r->start);
		r->has_start = true;
	}
	if (r->has_end) {
		if (bound_check(r, &r->end, "RangeEnd", why, size) < 0)
			return -EINVAL;
	} else {
		r->end = last_ip(n);
		r->has_end = true;
	}
	return 0;
}

/* Range.Overlaps: of one family, and one holds a bound of the other. */
static bool range_overlaps(const struct hl_range *a, const struct hl_range *b)
{
	if (a->start.family != b->start.family)
		return false;
	return hl_range_contains(a, &b->start) || hl_range_contains(a, &b->end) ||
	       hl_range_contains(b, &a->start) || hl_range_contains(b, &a->end);
}

int hl_rangeset_canonicalize(struct hl_rangeset *s, char *why, size_t size)
{
	if (s->n == 0) {
		snprintf(why, size, "empty range set");
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (hl_range_canonicalize(&s->v[i], why, size) < 0)
			return -EINVAL;
		if (s->v[i].start.family != s->v[0].start.family) {
			snprintf(why, size, "mixed address families");
			return -EINVAL;
		}
	}
	for (size_t i = 0; i + 1 < s->n; i++) {
		for (size_t j = i + 1; j < s->n; j++) {
			char a[2 * HL_IP_STRLEN], b[2 * HL_IP_STRLEN];

			if (!range_overlaps(&s->v[i], &s->v[j]))
				continue;
			hl_range_string(&s->v[i], a, sizeof(a));
			hl_range_string(&s->v[j], b, sizeof(b));
			snprintf(why, size, "subnets %s and %s overlap", a, b);
			return -EINVAL;
		}
	}
	return 0;
}

const struct hl_range *hl_rangeset_find(const struct hl_rangeset *s, const struct hl_ip *a)
{
	for (size_t i = 0; i < s->n; i++)
		if (hl_range_contains(&s->v[i], a))
			return &s->v[i];
	return NULL;
}

bool hl_rangeset_overlaps(const struct hl_rangeset *a, const struct hl_rangeset *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (range_overlaps(&a->v[i], &b->v[j]))
				return true;
	return false;
}

char *hl_rangeset_string(const struct hl_rangeset *s)
{
	size_t cap = s->n * (2 * HL_IP_STRLEN + 1) + 1, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0)
			out[len++] = ',';
		hl_range_string(&s->v[i], out + len, cap - len);
		len += strlen(out + len);
	}
	return out;
}

/* The address as a number, for counting. */
static unsigned __int128 ip_number(const struct hl_ip *a)
{
	unsigned __int128 n = 0;

	for (size_t i = 0; i < ip_len(a); i++)
		n = n << 8 | a->b[i];
	return n;
}

uint64_t hl_rangeset_size(const struct hl_rangeset *s)
{
	unsigned __int128 total = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct hl_range *r = &s->v[i];
		unsigned __int128 n = ip_number(&r->end) - ip_number(&r->start);

		/* n + 1 addresses; the gateway is never handed out */
		if (!hl_range_contains(r, &r->gw))
			n++;
		total += n;
		if (total >= UINT64_MAX)
			return UINT64_MAX;
	}
	return (uint64_t)total;
}

void hl_iter_init(struct hl_iter *it, const struct hl_rangeset *s, const struct hl_ip *last)
{
	*it = (struct hl_iter){ .set = s };
	/* a last address of another range set (the config changed) just loses the turn once */
	for (size_t i = 0; last && i < s->n; i++) {
		if (hl_range_contains(&s->v[i], last)) {
			it->idx = i;
			it->cur = *last;
			it->has_cur = true;
			return;
		}
	}
}

const struct hl_range *hl_iter_next(struct hl_iter *it, struct hl_ip *out)
{
	for (;;) {
		const struct hl_range *r = &it->set->v[it->idx];

		if (!it->has_cur) {
			/* the first call of a fresh walk: the range start itself */
			it->cur = it->start = r->start;
			it->has_cur = it->has_start = true;
		} else {
			if (hl_ip_equal(&it->cur, &r->end)) {
				it->idx = (it->idx + 1) % it->set->n;
				r = &it->set->v[it->idx];
				it->cur = r->start;
			} else {
				hl_ip_next(&it->cur);
			}
			if (!it->has_start) {
				it->start = it->cur;
				it->has_start = true;
			} else if (hl_ip_equal(&it->cur, &it->start)) {
				return NULL; /* round once */
			}
		}
		if (hl_ip_equal(&it->cur, &r->gw))
			continue;
		*out = it->cur;
		return r;
	}
}

size_t hl_trim_space(const char *s, size_t len, size_t *start)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, first = 0, end = 0;
	bool seen = false;

	/* rune by rune: an invalid byte is U+FFFD to Go, which is no space */
	while (i < len) {
		uint32_t c = 0;
		int n = utf8_decode(u + i, &c);
		size_t w = n > 0 ? (size_t)n : 1;

		if (n == 0 || !go_space(c)) {
			if (!seen)
				first = i;
			seen = true;
			end = i + w;
		}
		i += w;
	}
	*start = first;
	return end - first;
}
