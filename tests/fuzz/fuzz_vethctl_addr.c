// SPDX-License-Identifier: GPL-2.0-or-later
/* vethctl's address parsers (vethctl/addr.c) on the same input. */
#include "fuzz.h"
#include "vethctl/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	unsigned char mac[6];
	struct cidr cidr;

	if (parse_cidr(s, true, &cidr) == 0 && !cidr.has_prefix)
		abort(); /* a required prefix must have been there */
	parse_cidr(s, false, &cidr);
	parse_mac(s, mac);
	free(s);
	return 0;
}
