// SPDX-License-Identifier: GPL-2.0-or-later
/* ovlmount's tar member names: what layer_name_check() lets through stays below the layer. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "fuzz.h"
#include "ovlmount/image.h"

/* A normalized path: relative, no empty, "." or ".." component, within the limits. */
static void check_path(const char *p, int kind)
{
	size_t len = strlen(p);

	if (kind == LAYER_NAME_ROOT || (kind == LAYER_NAME_OPAQUE && !strcmp(p, "."))) {
		if (strcmp(p, "."))
			abort();
		return;
	}
	if (!len || len >= 4096 || p[0] == '/' || p[len - 1] == '/')
		abort();
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || n >= 255 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		c += n + (c[n] == '/');
	}
	/* normalizing is idempotent: the result checked again is itself */
	if (kind == LAYER_NAME_ENTRY) {
		char again[PATH_MAX];
		ctu_err_t err = NULL;

		if (layer_name_check(p, again, sizeof(again), &err) != LAYER_NAME_ENTRY ||
		    strcmp(again, p))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char out[PATH_MAX], small[16];
	ctu_err_t err = NULL;
	int kind = layer_name_check(s, out, sizeof(out), &err);

	if (kind < 0 && (!err || !err->msg || !*err->msg))
		abort(); /* a refusal always says why */
	if (kind < 0 && strchr(err->msg, '\n'))
		abort(); /* and in one line, whatever the name holds */
	ctu_err_free(&err);
	if (kind >= 0) {
		if (kind > LAYER_NAME_SKIP)
			abort();
		if (kind != LAYER_NAME_SKIP)
			check_path(out, kind);
	}
	/* a small buffer is refused, never overrun */
	kind = layer_name_check(s, small, sizeof(small), &err);
	if (kind >= 0 && strlen(small) >= sizeof(small))
		abort();
	ctu_err_free(&err);
	free(s);
	return 0;
}
