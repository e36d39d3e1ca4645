// SPDX-License-Identifier: GPL-2.0-or-later
/* ovlmount's -o option lists and its "\:"-escaped --lower lists. */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "ovlmount/ovlmount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct strv options = { 0 }, layers = { 0 };
	char why[256] = "";
	int r = ovl_options_add(&options, s, why, sizeof(why));

	if (r == -EINVAL && !*why)
		abort(); /* a refusal always says why */
	if (r == 0)
		ovl_options_conflict(&options, why, sizeof(why));
	split_escaped(s, ':', &layers);
	for (size_t i = 0; i < layers.n; i++)
		if (!*layers.v[i])
			abort(); /* empty layers are dropped, never passed on */
	strv_free(&options);
	strv_free(&layers);
	free(s);
	return 0;
}
