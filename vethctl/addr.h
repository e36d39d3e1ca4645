/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * addr.h - vethctl's address syntax: IPv4 and IPv6 addresses with a prefix,
 * and MAC addresses.  Pure functions, for the unit tests and the fuzzer.
 */
#ifndef VETHCTL_ADDR_H
#define VETHCTL_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>

/* An IPv4 or IPv6 address with an optional "/prefix". */
struct cidr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		unsigned char bytes[16];
	} addr;
	unsigned int prefix; /* 32 or 128 when none was given */
	bool has_prefix;
};

/*
 * "10.0.0.1/24", "fd00::1/64"; with @need_prefix the "/N" part is required.
 * Returns 0, -EINVAL, or -ERANGE for a prefix too long for the family.
 */
int parse_cidr(const char *s, bool need_prefix, struct cidr *out);

/* "02:42:ac:11:00:02" (":" or "-" separated, two hex digits each): 0 or -EINVAL. */
int parse_mac(const char *s, unsigned char mac[6]);

#endif
