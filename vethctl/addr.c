// SPDX-License-Identifier: GPL-2.0-or-later
/* addr.c - IP prefixes and MAC addresses as vethctl takes them (see addr.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "parse.h"

int parse_cidr(const char *s, bool need_prefix, struct cidr *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	size_t len;
	struct cidr c = { 0 };

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(addr) || (need_prefix && !slash))
		return -EINVAL;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &c.addr.v4) == 1)
		c.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &c.addr.v6) == 1)
		c.family = AF_INET6;
	else
		return -EINVAL;
	c.prefix = c.family == AF_INET ? 32 : 128;
	if (slash) {
		uint64_t p;
		int r = ctu_parse_u64_range(slash + 1, 0, c.prefix, &p);

		if (r < 0)
			return r;
		c.prefix = (unsigned int)p;
		c.has_prefix = true;
	}
	*out = c;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned char m[6];
	char sep;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *p = s + (size_t)i * 3;
		int hi = hex_value(p[0]), lo = hex_value(p[1]);

		if (hi < 0 || lo < 0 || (i < 5 && p[2] != sep))
			return -EINVAL;
		m[i] = (unsigned char)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}
