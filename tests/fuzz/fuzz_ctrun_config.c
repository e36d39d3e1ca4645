// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.json from untrusted bytes (ctrun's config*.c): parsed as ctrun
 * parses it, then checked whole, and as exec's process.json.  Accepted
 * means every member the chain builder reads has its type; refused means a
 * message that names a JSON pointer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrun/ctrun.h"
#include "fuzz.h"

static bool is_string_array(json_t *a, bool nonempty)
{
	json_t *e;
	size_t i;

	if (!json_is_array(a) || (nonempty && !json_array_size(a)))
		return false;
	json_array_foreach (a, i, e)
		if (!json_is_string(e))
			return false;
	return true;
}

/* What ct_config_check promises the chain builder. */
static void check_accepted(json_t *cfg)
{
	json_t *p = json_object_get(cfg, "process"), *lin = json_object_get(cfg, "linux");
	const char *cwd = json_string_value(json_object_get(p, "cwd"));

	if (!json_is_string(json_object_get(cfg, "ociVersion")) ||
	    !json_is_string(json_object_get(json_object_get(cfg, "root"), "path")) ||
	    !is_string_array(json_object_get(p, "args"), true) || !cwd || cwd[0] != '/' ||
	    !json_is_integer(json_object_get(json_object_get(p, "user"), "uid")) ||
	    !json_is_object(lin))
		abort();
}

static void check_refused(const ctu_err_t err, const char *prefix)
{
	if (!err || !err->msg || strncmp(err->msg, prefix, strlen(prefix)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *cfg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *warnings = json_array();
	ctu_err_t err = NULL;

	if (!cfg || !warnings)
		goto out;
	if (ct_config_check_warn(cfg, warnings, &err) == 0)
		check_accepted(cfg);
	else
		check_refused(err, "config.json: /");
	ctu_err_free(&err);
	if (json_is_object(cfg) && ct_process_check_warn(cfg, "", warnings, &err) < 0)
		check_refused(err, "/");
	ctu_err_free(&err);
out:
	json_decref(warnings);
	json_decref(cfg);
	return 0;
}
