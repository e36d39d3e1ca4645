/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every libFuzzer target here shares: the input as a C string, as the
 * parsers get their option values.  `make fuzz FUZZ_SECONDS=N` runs them all.
 */
#ifndef CTU_FUZZ_H
#define CTU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @data as a new NUL-terminated string (an embedded NUL ends it early, as in argv) */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
