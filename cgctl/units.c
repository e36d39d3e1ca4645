// SPDX-License-Identifier: GPL-2.0-or-later
/* units.c - durations and fixed-point decimals (see units.h). */
#include <errno.h>
#include <string.h>

#include "ctu.h"
#include "parse.h"
#include "units.h"

int parse_duration(const char *s, uint64_t *usec)
{
	static const struct {
		const char *name;
		uint64_t usec;
	} units[] = {
		{ "", 1000000 },	{ "s", 1000000 },    { "sec", 1000000 }, { "us", 1 },
		{ "usec", 1 },		{ "ms", 1000 },	     { "msec", 1000 },	 { "m", 60000000 },
		{ "min", 60000000 },	{ "h", 3600000000 }, { "d", 86400000000 },
	};
	uint64_t whole, frac;
	unsigned int digits;
	const char *unit;
	int r;

	if (!s)
		return -EINVAL;
	r = ctu_parse_decimal(s, &whole, &frac, &digits, &unit);
	if (r < 0)
		return r;
	for (size_t i = 0; i < CTU_ARRAY_SIZE(units); i++)
		if (strcmp(unit, units[i].name) == 0)
			return ctu_scale_decimal(whole, frac, digits, units[i].usec, usec);
	return -EINVAL;
}

int parse_fixed(const char *s, unsigned int digits, uint64_t *out)
{
	uint64_t whole, frac, scale = 1;
	unsigned int n;
	const char *rest;
	int r;

	if (!s || digits > 18)
		return -EINVAL;
	r = ctu_parse_decimal(s, &whole, &frac, &n, &rest);
	if (r < 0)
		return r;
	if (*rest || n > digits)
		return -EINVAL;
	for (unsigned int i = 0; i < digits; i++)
		scale *= 10;
	/* whole * 10^digits + frac * 10^digits / 10^n: exact, as n <= digits */
	return ctu_scale_decimal(whole, frac, n, scale, out);
}
