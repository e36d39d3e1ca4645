// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * manifest.c - one image manifest and its config: the config must be an
 * image's (not an artifact's), the layers of types we unpack, as many as
 * the config's diff_ids and at most 500, and the config's platform the
 * one its descriptor promised.  The chain IDs key the layers in the store.
 */
#include <string.h>

#include "ctu.h"
#include "imgsrc.h"

static int copy_str(char *dst, size_t size, const char *s, const char *what, ctu_err_t *err)
{
	if (strlen(s) >= size)
		return ctu_err_make(err, 0, "config: %s '%.40s...': too long", what, s);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* The config's diff_ids as the layers' (@img->n_layers of them) and their chain IDs. */
static int config_layers(json_t *cfg, struct img_image *img, ctu_err_t *err)
{
	json_t *rootfs, *ids;
	const char *type, *id;
	char p[64];

	if (ctu_json_get_object(cfg, "config", "rootfs", true, &rootfs, err) < 0 ||
	    ctu_json_get_string(rootfs, "config.rootfs", "type", true, &type, err) < 0 ||
	    ctu_json_get_array(rootfs, "config.rootfs", "diff_ids", true, &ids, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(type, "layers"))
		return ctu_err_make(err, 0, "config.rootfs.type '%.40s', not layers", type);
	if (json_array_size(ids) > IMG_MAX_LAYERS)
		return ctu_err_make(err, 0, "config: %zu layers: at most %d",
				    json_array_size(ids), IMG_MAX_LAYERS);
	if (json_array_size(ids) != img->n_layers)
		return ctu_err_make(err, 0, "config has %zu diff_ids, the manifest %zu layers",
				    json_array_size(ids), img->n_layers);
	for (size_t i = 0; i < img->n_layers; i++) {
		struct img_layer *l = &img->layers[i];

		ctu_json_path_index(p, sizeof(p), "config.rootfs.diff_ids", i);
		if (ctu_json_array_string(ids, "config.rootfs.diff_ids", i, &id, err) < 0 ||
		    ctu_digest_check(id, p, err) < 0)
			return ctu_err_code(*err);
		memcpy(l->diff_id, id, CTU_DIGEST_SIZE);
		if (ctu_chain_id(i ? img->layers[i - 1].chain_id : NULL, l->diff_id, l->chain_id) < 0)
			return ctu_err_make(err, 0, "chain ID of layer %zu", i + 1);
	}
	return 0;
}

int res_config(json_t *cfg, struct img_image *img, ctu_err_t *err)
{
	const char *os, *arch, *variant = NULL;

	if (!json_is_object(cfg))
		return ctu_err_make(err, 0, "config: not an object");
	if (ctu_json_get_string(cfg, "config", "os", true, &os, err) < 0 ||
	    ctu_json_get_string(cfg, "config", "architecture", true, &arch, err) < 0 ||
	    ctu_json_get_string(cfg, "config", "variant", false, &variant, err) < 0)
		return ctu_err_code(*err);
	if (copy_str(img->platform.os, sizeof(img->platform.os), os, "os", err) < 0 ||
	    copy_str(img->platform.arch, sizeof(img->platform.arch), arch, "architecture", err) < 0 ||
	    copy_str(img->platform.variant, sizeof(img->platform.variant), variant ? variant : "",
		     "variant", err) < 0)
		return ctu_err_code(*err);
	if (cfg_check(cfg, err) < 0)
		return ctu_err_code(*err);
	return config_layers(cfg, img, err);
}

void res_warn_platform(const struct img_image *img, const struct img_platform *want)
{
	char got[128], w[128];

	if (img_platform_match(want, img->platform.os, img->platform.arch, img->platform.variant))
		return;
	ctu_warn(0, "%s: the image is for %s, not %s", img->source,
		 img_platform_format(&img->platform, got, sizeof(got)),
		 img_platform_format(want, w, sizeof(w)));
}

/* The manifest's layers into @img, checked: type, digest, size; at most 500. */
static int manifest_layers(json_t *man, struct img_image *img, ctu_err_t *err)
{
	json_t *arr;
	char p[64];

	if (ctu_json_get_array(man, "manifest", "layers", true, &arr, err) < 0)
		return ctu_err_code(*err);
	if (json_array_size(arr) > IMG_MAX_LAYERS)
		return ctu_err_make(err, 0, "manifest: %zu layers: at most %d",
				    json_array_size(arr), IMG_MAX_LAYERS);
	img->layers = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof(*img->layers));
	if (!img->layers)
		return ctu_err_make(err, ENOMEM, "manifest");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct img_layer *l = &img->layers[img->n_layers];
		const char *mt, *digest;
		json_int_t size;

		ctu_json_path_index(p, sizeof(p), "manifest.layers", i);
		if (ctu_json_get_string(json_array_get(arr, i), p, "mediaType", true, &mt, err) < 0 ||
		    ctu_json_get_string(json_array_get(arr, i), p, "digest", true, &digest, err) < 0 ||
		    ctu_json_get_int(json_array_get(arr, i), p, "size", true, &size, err) < 0)
			return ctu_err_code(*err);
		if (!res_layer_type_ok(mt))
			return ctu_err_make(err, 0, "%s: media type '%.100s': not a layer we unpack",
					    p, mt);
		if (ctu_digest_check(digest, p, err) < 0)
			return ctu_err_code(*err);
		if (size < 0)
			return ctu_err_make(err, 0, "%s.size: negative", p);
		img->n_layers++;
		memcpy(l->digest, digest, CTU_DIGEST_SIZE);
		l->size = size;
		l->media_type = strdup(mt);
		if (!l->media_type || asprintf(&l->member, "blobs/sha256/%s", ctu_digest_hex(digest)) < 0) {
			l->member = NULL;
			return ctu_err_make(err, ENOMEM, "manifest");
		}
	}
	return 0;
}

/* The config descriptor: an image's config, not an artifact's. */
static int manifest_config(json_t *man, const char **digest, int64_t *size, ctu_err_t *err)
{
	json_t *c;
	const char *mt, *artifact = NULL;
	json_int_t n;

	if (ctu_json_get_string(man, "manifest", "artifactType", false, &artifact, err) < 0 ||
	    ctu_json_get_object(man, "manifest", "config", true, &c, err) < 0 ||
	    ctu_json_get_string(c, "manifest.config", "mediaType", true, &mt, err) < 0 ||
	    ctu_json_get_string(c, "manifest.config", "digest", true, digest, err) < 0 ||
	    ctu_json_get_int(c, "manifest.config", "size", true, &n, err) < 0)
		return ctu_err_code(*err);
	if (artifact || !res_config_type_ok(mt))
		return ctu_err_make(err, 0, "manifest: an artifact of type '%.100s', not an image",
				    artifact ? artifact : mt);
	*size = n;
	return ctu_digest_check(*digest, "manifest.config.digest", err);
}

/* The config is for the platform its descriptor names (when it names one). */
static int check_platform(json_t *desc, const struct img_image *img, ctu_err_t *err)
{
	json_t *pl = json_object_get(desc, "platform");
	const char *os = json_string_value(json_object_get(pl, "os"));
	const char *arch = json_string_value(json_object_get(pl, "architecture"));
	const char *variant = json_string_value(json_object_get(pl, "variant"));
	struct img_platform d = { 0 };
	char got[128], said[128];

	if (!os || !arch)
		return 0;
	snprintf(d.os, sizeof(d.os), "%s", os);
	snprintf(d.arch, sizeof(d.arch), "%s", arch);
	snprintf(d.variant, sizeof(d.variant), "%s", variant ? variant : "");
	if (img_platform_match(&d, img->platform.os, img->platform.arch, img->platform.variant))
		return 0;
	return ctu_err_make(err, 0, "config is for %s, its descriptor says %s",
			    img_platform_format(&img->platform, got, sizeof(got)),
			    img_platform_format(&d, said, sizeof(said)));
}

static int manifest_body(json_t *man, const char *mt, ctu_err_t *err)
{
	json_int_t version;
	const char *inner = NULL;

	if (ctu_json_get_int(man, "manifest", "schemaVersion", true, &version, err) < 0 ||
	    ctu_json_get_string(man, "manifest", "mediaType", false, &inner, err) < 0)
		return ctu_err_code(*err);
	if (version != 2)
		return ctu_err_make(err, 0, "manifest: schemaVersion %lld, not 2",
				    (long long)version);
	if (inner && strcmp(inner, mt))
		return ctu_err_make(err, 0, "manifest: mediaType '%.100s', its descriptor says '%s'",
				    inner, mt);
	return 0;
}

int res_manifest_parse(json_t *man, const char *mt, struct img_image *img, const char **cdigest,
		       int64_t *csize, ctu_err_t *err)
{
	res_is_manifest(mt, &img->docker_types);
	if (manifest_body(man, mt, err) < 0 || manifest_config(man, cdigest, csize, err) < 0 ||
	    manifest_layers(man, img, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

int res_manifest(struct img_reader *r, json_t *desc, const struct img_platform *want,
		 bool lone, struct img_image *img, ctu_err_t *err)
{
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	const char *cdigest = NULL;
	int64_t csize = -1;
	json_t *man, *cfg;

	man = rd_load_blob(r, digest, json_integer_value(json_object_get(desc, "size")),
			   "manifest", err);
	if (!man)
		return ctu_err_code(*err);
	img->manifest = man;
	memcpy(img->manifest_digest, digest, CTU_DIGEST_SIZE);
	if (res_manifest_parse(man, mt, img, &cdigest, &csize, err) < 0)
		return ctu_err_code(*err);
	cfg = rd_load_blob(r, cdigest, csize, "config", err);
	if (!cfg)
		return ctu_err_code(*err);
	img->config = cfg;
	memcpy(img->config_digest, cdigest, CTU_DIGEST_SIZE);
	if (res_config(cfg, img, err) < 0 || check_platform(desc, img, err) < 0)
		return ctu_err_code(*err);
	if (lone)
		res_warn_platform(img, want);
	return 0;
}
