/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostlocal.h - what the files of the built-in host-local allocator share,
 * and the unit tests with them: addresses as the Go plugin reads and prints
 * them, its ranges, range sets and round-robin iterator (hostlocal_range.c,
 * pure), its IPAM config read from the request (hostlocal_conf.c), and the
 * check made before Debian's host-local is delegated to (hostlocal_conf.c).
 *
 * Everything here follows Debian's host-local 1.1.1 (containernetworking
 * plugins v1.1.1, plugins/ipam/host-local and pkg/ip), which shares the
 * data directory with us: the same address must get the same file name,
 * the same defaults the same first address, the same error the same words.
 */
#ifndef VETHCTL_HOSTLOCAL_H
#define VETHCTL_HOSTLOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "json.h"

/* an address's text (INET6_ADDRSTRLEN), and one with "/PREFIX" */
#define HL_IP_STRLEN   46
#define HL_CIDR_STRLEN 64

/*
 * An address as Go's canonicalizeIP leaves it: IPv4 (also when written as
 * "::ffff:a.b.c.d") in b[0..3] with family AF_INET, IPv6 in b[0..15].
 */
struct hl_ip {
	int family;
	uint8_t b[16];
};

/*
 * A prefix as CNI's types.ParseCIDR keeps it: the address as written (host
 * bits and all, canonicalized), and a mask of @maskbits (32 or 128: the
 * family of the text, which "::ffff:a.b.c.d/N" makes differ) with @prefix ones.
 */
struct hl_cidr {
	struct hl_ip ip;
	unsigned int prefix, maskbits;
};

/* net.ParseIP, then canonicalized: 0, or -EINVAL. */
int hl_ip_parse(const char *s, struct hl_ip *out);
/* net.ParseCIDR (the prefix in decimal, leading zeros allowed), the address unmasked: 0 or -EINVAL.
 */
int hl_cidr_parse(const char *s, struct hl_cidr *out);
/* net.IP.String(): dotted quad, or RFC 5952 IPv6 (no embedded dotted quad). */
void hl_ip_format(const struct hl_ip *a, char out[HL_IP_STRLEN]);
/* net.IPNet.String() of an address and a mask: "10.0.0.5/24" (not masked). */
void hl_cidr_format(const struct hl_ip *a, unsigned int maskbits, unsigned int prefix,
		    char out[HL_CIDR_STRLEN]);

bool hl_ip_equal(const struct hl_ip *a, const struct hl_ip *b);
/* pkg/ip.Cmp of two addresses of one family: <0, 0, >0. */
int hl_ip_cmp(const struct hl_ip *a, const struct hl_ip *b);
/* pkg/ip.NextIP: the next address (wrapping at the end of the family's space). */
void hl_ip_next(struct hl_ip *a);

/* One range: config values as given, completed by hl_range_canonicalize(). */
struct hl_range {
	bool has_subnet, has_start, has_end, has_gw;
	struct hl_cidr subnet;
	struct hl_ip start, end, gw;
};

/*
 * Range.Canonicalize: the subnet checked (big enough, its network address),
 * the gateway defaulting to .1, the start to .1 (the iterator skips the
 * gateway), the end to the last address before the IPv4 broadcast; start
 * and end inside the subnet.  0, or -EINVAL with Go's words in @why
 * ("Network 10.0.0.0/31 too small to allocate from").
 */
int hl_range_canonicalize(struct hl_range *r, char *why, size_t size);
/* Range.Contains: @a is of the range's family, in its subnet, between start and end. */
bool hl_range_contains(const struct hl_range *r, const struct hl_ip *a);
/* "START-END". */
void hl_range_string(const struct hl_range *r, char *out, size_t size);

/* The ranges of one range set, allocated from in turn. */
struct hl_rangeset {
	struct hl_range *v;
	size_t n;
};

/* RangeSet.Canonicalize: each range, one family, no two overlapping.  0 or -EINVAL, @why. */
int hl_rangeset_canonicalize(struct hl_rangeset *s, char *why, size_t size);
/* RangeSet.RangeFor: the range holding @a, or NULL. */
const struct hl_range *hl_rangeset_find(const struct hl_rangeset *s, const struct hl_ip *a);
/* RangeSet.Overlaps. */
bool hl_rangeset_overlaps(const struct hl_rangeset *a, const struct hl_rangeset *b);
/* "A-B,C-D": a new string, or NULL (no memory). */
char *hl_rangeset_string(const struct hl_rangeset *s);
/*
 * The addresses of @s the iterator hands out (every one in its ranges but
 * their gateways), saturating at UINT64_MAX.
 */
uint64_t hl_rangeset_size(const struct hl_rangeset *s);

/*
 * The allocator's round robin (RangeIter): from the address after @last
 * when the set holds it (last_reserved_ip.N), else from the first range's
 * start; through the ranges in turn, skipping each range's gateway, once
 * round.
 */
struct hl_iter {
	const struct hl_rangeset *set;
	size_t idx;
	struct hl_ip cur, start;
	bool has_cur, has_start;
};
void hl_iter_init(struct hl_iter *it, const struct hl_rangeset *s, const struct hl_ip *last);
/* The next candidate in *@out and its range, or NULL when the set has been gone round. */
const struct hl_range *hl_iter_next(struct hl_iter *it, struct hl_ip *out);

/*
 * strings.TrimSpace: the part of @s (@len bytes, a NUL after them) without
 * leading and trailing Unicode white space: its start in *@start, its
 * length returned.
 */
size_t hl_trim_space(const char *s, size_t len, size_t *start);

/*
 * Before Debian's host-local is delegated to (hostlocal_conf.c): the config read
 * as it will read it, so that an invalid one gets our code (7, or 6, 4) and
 * Go's words; and a symlinked NAME directory or last_reserved_ip.N, which it
 * would follow, refused (999).  0, or a negative number with *@err set.
 */
struct cni_req;
int hostlocal_check_delegated(struct cni_req *r, ctu_err_t *err);

/* ---- hostlocal_conf.c: the IPAM config of a request, its resolv.conf ---------- */

/*
 * The member of object @obj for a Go struct field named @key: keys compared
 * with ASCII case folded, as encoding/json does, the last of equal ones
 * winning; NULL when there is none (or @obj is no object).  Borrowed.
 */
json_t *hl_json_member(json_t *obj, const char *key);

/* allocator.LoadIPAMConfig's IPAMConfig. */
struct hl_conf {
	const char *name;	 /* the network: NAME below the data directory */
	const char *data_dir;	 /* ipam.dataDir, or the default */
	const char *resolv_conf; /* ipam.resolvConf, or NULL */
	struct hl_rangeset *sets;
	size_t nsets;
	json_t *routes; /* ipam.routes as the result carries them ([{dst, gw?}]), or NULL */
	struct hl_ip
	    *req; /* the addresses asked for: CNI_ARGS IP, args.cni.ips, runtimeConfig.ips */
	size_t nreq;
};

#define HL_DATA_DIR_DEFAULT "/var/lib/cni/networks"
/* last_reserved_ip.N: the last address given out from range set N */
#define HL_LAST_IP_PREFIX "last_reserved_ip."

/*
 * Reads the IPAM config of the network @name from @conf (the whole stdin,
 * parsed) and @env_ip (CNI_ARGS IP, or NULL), as Go's encoding/json would
 * read it into host-local's structs: keys matched without regard to case,
 * null as absent, unknown keys ignored.  Ranges: runtimeConfig.ipRanges,
 * then the legacy ipam.subnet/rangeStart/rangeEnd/gateway as one set, then
 * ipam.ranges.  0, or a negative number with *@err a CNI error: 6 for a
 * wrong type, 7 for an invalid config (with Go's message), 4 for a bad
 * CNI_ARGS IP.
 */
int hl_conf_load(json_t *conf, const char *name, const char *env_ip, struct hl_conf *out,
		 ctu_err_t *err);
void hl_conf_free(struct hl_conf *c);

/*
 * parseResolvConf: resolv.conf at @path as a result's "dns" ({nameservers,
 * domain, search, options}, each only when given): a new object, or NULL
 * with *@err set (999, "open PATH: no such file or directory").
 */
json_t *hl_resolv_conf(const char *path, ctu_err_t *err);

/*
 * A failure of the system as the Go plugin words it, "open PATH: permission
 * denied" (@fmt makes the first part, @errnum the second): a 999 error.
 */
int hl_sys_err(ctu_err_t *err, int errnum, const char *fmt, ...) CTU_PRINTF(3, 4);

#endif
