// SPDX-License-Identifier: GPL-2.0-or-later
/* One line of vethctl --batch split into words. */
#include "fuzz.h"
#include "vethctl/vethctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char *words[256];
	int n = batch_split(s, words, 255);

	if (n > 255 || (n >= 0 && words[n] != NULL))
		abort();
	for (int i = 0; i < n; i++)
		if (words[i] < s || words[i] > s + size)
			abort(); /* words are split in place */
	free(s);
	return 0;
}
