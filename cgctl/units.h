/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * units.h - the number forms of cgctl's options: durations (--timeout,
 * --delay) and fixed-point decimals (--cpus).  Pure, as lib/parse's parsers:
 * 0, or -EINVAL (malformed) or -ERANGE (out of range).
 */
#ifndef CGCTL_UNITS_H
#define CGCTL_UNITS_H

#include <stdint.h>

/*
 * Durations: "1500" (seconds), "250ms", "1.5s", "2m", "1h", "1d", "100us";
 * result in microseconds.
 */
int parse_duration(const char *s, uint64_t *usec);

/*
 * Fixed-point decimals: "0.1" with @digits = 6 gives 100000.  No sign, no
 * exponent; more fractional digits than @digits is an error.
 */
int parse_fixed(const char *s, unsigned int digits, uint64_t *out);

#endif
