// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctrun's state.json from untrusted bytes (ctrun/state.c's parser): an
 * accepted document has every field in range and reads the same after a
 * write-format dump; a refused one says why, naming state.json.
 */
#include <stdint.h>
#include <string.h>

#include "ctrun/state.h"
#include "ctu.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_state st, again;
	ctu_err_t err = NULL;
	char *text;

	if (ct_state_parse((const char *)data, size, "c1", &st, &err) < 0) {
		if (!err || !err->msg || strncmp(err->msg, "state.json", 10) != 0)
			abort();
		ctu_err_free(&err);
		return 0;
	}
	if (st.pid < 0 || !st.bundle || !st.rootfs || (st.cgroup && st.cgroup[0] != '/'))
		abort();
	text = json_dumps(st.doc, JSON_COMPACT);
	if (!text || ct_state_parse(text, strlen(text), "c1", &again, &err) < 0 ||
	    again.pid != st.pid || again.starttime != st.starttime)
		abort();
	free(text);
	ct_state_free(&again);
	ct_state_free(&st);
	return 0;
}
