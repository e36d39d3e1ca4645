// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An image's JSON from untrusted bytes: index.json (the entry SRC names,
 * narrowed to a platform), an index blob, a manifest, a config and what
 * --image-config makes of it.  Digests never match here, so the checks
 * after hashing are driven directly.
 */
#include <errno.h>
#include <stdio.h>

#include "ctu.h"
#include "fuzz.h"
#include "ovlmount/imgsrc.h"

/* A refusal always says why. */
static void refused(int r, ctu_err_t *err)
{
	if (r < 0 && (!*err || !(*err)->msg || !*(*err)->msg))
		abort();
	ctu_err_free(err);
}

static void as_index(json_t *v)
{
	static const char *const srcs[] = { "oci:d", "oci:d:latest", "oci:d:@0", "oci:d:@1" };
	static const char *const plats[] = { "linux/amd64", "linux/arm64", "linux/arm/v7" };
	ctu_err_t err = NULL;
	json_t *pick;
	bool lone;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(srcs); i++) {
		struct img_source src;
		struct img_platform want;

		if (img_source_parse(srcs[i], &src, &err) < 0 ||
		    img_platform_parse(plats[i % CTU_ARRAY_SIZE(plats)], &want, &err) < 0)
			abort();
		refused(res_index_pick(v, &src, &want, &pick, &lone, &err), &err);
		refused(res_index_narrow(v, &want, &pick, &err), &err);
		img_source_free(&src);
	}
}

static void as_manifest(json_t *v)
{
	static const char *const types[] = { "application/vnd.oci.image.manifest.v1+json",
					     "application/vnd.docker.distribution.manifest.v2+json" };
	ctu_err_t err = NULL;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(types); i++) {
		struct img_image img = { 0 };
		const char *cd = NULL;
		int64_t cs = -1;
		int r = res_manifest_parse(v, types[i], &img, &cd, &cs, &err);

		if (r == 0 && (!ctu_digest_valid(cd) || img.n_layers > IMG_MAX_LAYERS))
			abort(); /* accepted means checked */
		refused(r, &err);
		img_image_free(&img);
	}
}

static void as_config(json_t *v)
{
	struct img_image img = { 0 };
	json_t *ids = json_object_get(json_object_get(v, "rootfs"), "diff_ids");
	ctu_err_t err = NULL;
	int r;

	img.n_layers = json_array_size(ids);
	img.layers = calloc(img.n_layers ? img.n_layers : 1, sizeof(*img.layers));
	if (!img.layers)
		abort();
	r = res_config(v, &img, &err);
	refused(r, &err);
	if (r == 0) {
		json_t *o;

		img.config = json_incref(v);
		img.source = strdup("oci:d");
		o = cfg_json(&img);
		if (!o || !json_is_array(json_object_get(o, "argv")))
			abort();
		json_decref(o);
	}
	img_image_free(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ctu_err_t err = NULL;
	json_t *v = ctu_json_parse((const char *)data, size, "fuzz", &err);

	if (!v) {
		refused(-EINVAL, &err);
		return 0;
	}
	as_index(v);
	as_manifest(v);
	as_config(v);
	json_decref(v);
	return 0;
}
