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
 * Durations: "1500" (seconds), "250ms", "1.5s", "2m", "1h", "1d", "100us";
 * result in microseconds.
 */
int ctu_parse_duration(const char *s, uint64_t *usec);

/*
 * Fixed-point decimals: "0.1" with @digits = 6 gives 100000.  No sign, no
 * exponent; more fractional digits than @digits is an error.
 */
int ctu_parse_fixed(const char *s, unsigned int digits, uint64_t *out);

/* Percent "5", "5%", "12.5%": 0 to 100, result in parts per million. */
int ctu_parse_percent(const char *s, uint64_t *ppm);

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
