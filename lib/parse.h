/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse.h - strict parsers for option values.
 *
 * Every parser takes the whole string: trailing junk, an empty string, a sign
 * on an unsigned value and overflow are errors.  They return 0 on success and
 * -EINVAL (malformed) or -ERANGE (out of range) on failure, and never print.
 * They are pure functions (no I/O but the passwd/group look-ups of the
 * uid/gid parsers), so they can be unit-tested and fuzzed.
 */
#ifndef CTU_PARSE_H
#define CTU_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Decimal integers within [min, max]. */
int ctu_parse_u64(const char *s, uint64_t *out);
int ctu_parse_s64(const char *s, int64_t *out);
int ctu_parse_u64_range(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int ctu_parse_s64_range(const char *s, int64_t min, int64_t max, int64_t *out);
int ctu_parse_u32(const char *s, uint32_t *out);
int ctu_parse_int(const char *s, int *out);

/* "max" as a size: no limit. */
#define CTU_SIZE_MAX UINT64_MAX

/*
 * Sizes: "4096", "64K", "1.5M", "2GiB", "1t"; binary units (K = 1024), the
 * suffix in either case with an optional "iB" or "B".  "max" gives
 * CTU_SIZE_MAX.  A fraction is allowed only with a unit and is rounded down
 * to whole bytes.
 */
int ctu_parse_size(const char *s, uint64_t *bytes);

/*
 * A decimal number "DIGITS[.DIGITS]" at the start of @s, the building block
 * of sizes here and of a tool's own units.  The whole part goes to @whole,
 * the fraction to @frac with @frac_digits its number of digits (at most 18,
 * so that 10^digits fits); *@rest points past the number.
 */
int ctu_parse_decimal(const char *s, uint64_t *whole, uint64_t *frac, unsigned int *frac_digits,
		      const char **rest);

/* whole * mult + frac / 10^digits * mult, rounded down, or -ERANGE. */
int ctu_scale_decimal(uint64_t whole, uint64_t frac, unsigned int digits, uint64_t mult,
		      uint64_t *out);

/* Signals: "TERM", "SIGTERM", "term", "15", "RTMIN", "RTMIN+2", "SIGRTMAX-1". */
int ctu_parse_signal(const char *s, int *sig);
/*
 * The name without "SIG" ("TERM", "RTMIN+8"), or NULL for a number that is no
 * signal.  A real-time signal's name is in a static buffer, valid until the
 * next call.
 */
const char *ctu_signal_name(int sig);

/* A user or group by name or number (the number need not exist in passwd). */
int ctu_parse_uid(const char *s, uid_t *uid);
int ctu_parse_gid(const char *s, gid_t *gid);

#endif
