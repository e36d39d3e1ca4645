// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgctl's settings: each input line is one "key=value" (--set), parsed,
 * collected and translated to cgroup v1 files as on a hybrid host; and as
 * --cpus and --timeout values.
 */
#include <stdbool.h>

#include "cgctl/settings.h"
#include "cgctl/units.h"
#include "fuzz.h"

static bool every_file_exists(const char *file, void *ctx)
{
	(void)file;
	(void)ctx;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *save = NULL;
	static struct settings all;
	ctu_err_t why = NULL;
	uint64_t usec;

	all.n = 0;
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct setting one;

		if (setting_parse(line, &one, &why) == 0)
			settings_add(&all, &one);
		else if (!why)
			abort(); /* a refusal always says why */
		ctu_err_free(&why);
		if (setting_cpus(line, &one, &why) < 0 && !why)
			abort();
		ctu_err_free(&why);
		parse_duration(line, &usec);
	}
	for (size_t i = 0; i < all.n; i++) {
		struct write_op ops[SETTING_OPS_MAX];
		char ctrl[64];

		setting_controller(all.s[i].key, ctrl, sizeof(ctrl));
		setting_to_v1(&all.s[i], &all, every_file_exists, NULL, ops, &why);
		ctu_err_free(&why);
	}
	free(s);
	return 0;
}
