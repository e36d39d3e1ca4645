// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uid and gid maps (--map-users) and capability lists (--cap-drop): each
 * line of the input is one value; the ranges accepted are combined into one
 * map and formatted as the kernel would get it.
 */
#include <sys/types.h>

#include "caps.h"
#include "fuzz.h"
#include "idmap.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *save = NULL;
	struct ctu_idmap map = { 0 };
	char buf[4096];

	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ctu_idmap_range r;
		ctu_capmask mask;
		const char *bad;
		size_t bad_len;
		uid_t uid;
		gid_t gid;

		if (ctu_idmap_parse_range(line, &r) == 0)
			ctu_idmap_add(&map, &r);
		if (ctu_caps_parse(line, &mask, &bad, &bad_len) < 0 && bad &&
		    (bad < line || bad + bad_len > line + strlen(line)))
			abort(); /* the bad part named must be inside the value */
		if (ctu_parse_uid(line, &uid) == 0 && ctu_parse_gid(line, &gid) == 0)
			ctu_idmap_add_single(&map, (uint32_t)uid, (uint32_t)gid);
	}
	ctu_idmap_format(&map, buf, sizeof(buf));
	free(s);
	return 0;
}
