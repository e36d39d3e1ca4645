// SPDX-License-Identifier: GPL-2.0-or-later
/* Every value parser of lib/parse on the same input. */
#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	uint64_t u;
	int64_t i64;
	uint32_t u32;
	int i, sig;

	ctu_parse_u64(s, &u);
	ctu_parse_s64(s, &i64);
	ctu_parse_u64_range(s, 1, 10000, &u);
	ctu_parse_s64_range(s, -1000, 1000, &i64);
	ctu_parse_u32(s, &u32);
	ctu_parse_int(s, &i);
	ctu_parse_size(s, &u);
	if (ctu_parse_signal(s, &sig) == 0 && !ctu_signal_name(sig))
		abort(); /* a signal we accept must have a name */
	free(s);
	return 0;
}
