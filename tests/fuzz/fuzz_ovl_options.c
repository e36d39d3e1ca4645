// SPDX-License-Identifier: GPL-2.0-or-later
/* ovlmount's -o option lists and its "\:"-escaped --lower lists. */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "ovlmount/ovlmount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct ctu_strv options = CTU_STRV_INIT, layers = CTU_STRV_INIT;
	ctu_err_t err = NULL;
	int r = ovl_options_add(&options, s, &err);

	if (r == -EINVAL && (!err || !err->msg || !*err->msg))
		abort(); /* a refusal always says why */
	ctu_err_free(&err);
	if (r == 0)
		ovl_options_conflict(&options, &err);
	ctu_err_free(&err);
	ctu_strv_split_escaped(&layers, s, ':');
	for (size_t i = 0; i < layers.n; i++)
		if (!*layers.v[i])
			abort(); /* empty layers are dropped, never passed on */
	ctu_strv_free(&options);
	ctu_strv_free(&layers);
	free(s);
	return 0;
}
