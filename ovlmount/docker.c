// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * docker.c - a docker-archive (docker save, podman save, skopeo) through
 * its manifest.json, [{Config, RepoTags, Layers}].  The old form names
 * the config HEX.json and the layers ID/layer.tar: there is no manifest
 * and no blob digest, so the config is checked against its name and each
 * layer against its diff_id only.  Docker 25+ writes an OCI layout inside;
 * then the OCI manifest whose config is this one is read as resolve.c does.
 */
#include <string.h>

#include "ctu.h"
#include "imgsrc.h"

/* Whether RepoTags entry @tag is @want as written or both in docker's normal form. */
static bool tag_matches(const char *tag, const char *want)
{
	_cleanup_free_ char *a = NULL, *b = NULL;

	if (!strcmp(tag, want))
		return true;
	a = img_docker_normalize(tag);
	b = img_docker_normalize(want);
	return a && b && !strcmp(a, b);
}

static bool entry_tagged(json_t *entry, const char *want)
{
	json_t *tags = json_object_get(entry, "RepoTags"), *t;
	size_t i;

	for (i = 0; i < json_array_size(tags) && (t = json_array_get(tags, i)); i++)
		if (json_is_string(t) && tag_matches(json_string_value(t), want))
			return true;
	return false;
}

static void list_tags(json_t *mj, char *buf, size_t size)
{
	json_t *e, *tags, *t;
	size_t i, j, len;

	buf[0] = '\0';
	for (i = 0; i < json_array_size(mj) && (e = json_array_get(mj, i)); i++) {
		tags = json_object_get(e, "RepoTags");
		len = strlen(buf);
		if (!json_array_size(tags))
			snprintf(buf + len, size - len, "%s@%zu", len ? ", " : "", i);
		for (j = 0; j < json_array_size(tags) && (t = json_array_get(tags, j)); j++) {
			len = strlen(buf);
			snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				 json_is_string(t) ? json_string_value(t) : "?");
		}
	}
}

/* The entry of manifest.json that SRC names: REPO:TAG, @N, or the only one. */
static json_t *select_entry(json_t *mj, const struct img_source *src, ctu_err_t *err)
{
	char tags[1024];
	json_t *pick = NULL, *e;
	size_t i, n = 0;

	list_tags(mj, tags, sizeof(tags));
	if (src->index >= 0) {
		pick = json_array_get(mj, (size_t)src->index);
		if (!pick)
			ctu_err_make(err, 0, "manifest.json has %zu images, no @%ld",
				     json_array_size(mj), src->index);
		return pick;
	}
	if (!src->ref) {
		if (json_array_size(mj) == 1)
			return json_array_get(mj, 0);
		ctu_err_make(err, 0, "manifest.json has %zu images (%s)", json_array_size(mj),
			     tags[0] ? tags : "none");
		ctu_err_hint(err, "name one after the path: :REPO:TAG or :@N");
		return NULL;
	}
	for (i = 0; i < json_array_size(mj) && (e = json_array_get(mj, i)); i++)
		if (entry_tagged(e, src->ref)) {
			pick = e;
			n++;
		}
	if (n == 1)
		return pick;
	if (n == 0)
		ctu_err_make(err, 0, "manifest.json: no image tagged '%s' (has: %s)", src->ref,
			     tags[0] ? tags : "none");
	else
		ctu_err_make(err, 0, "manifest.json: %zu images tagged '%s'", n, src->ref);
	return NULL;
}

/* The digest a member name "HEX.json" (@suffix ".json") or "blobs/sha256/HEX" carries, or "". */
static void name_digest(const char *name, const char *suffix, char out[CTU_DIGEST_SIZE])
{
	const char *hex = strrchr(name, '/');
	size_t len, slen = strlen(suffix);
	char d[CTU_DIGEST_SIZE + 16];

	out[0] = '\0';
	hex = hex ? hex + 1 : name;
	len = strlen(hex);
	if (strncmp(name, "blobs/sha256/", 13)) {
		if (!slen || len <= slen || strcmp(hex + len - slen, suffix))
			return;
		len -= slen;
	}
	snprintf(d, sizeof(d), "sha256:%.*s", (int)len, hex);
	if (ctu_digest_valid(d))
		memcpy(out, d, CTU_DIGEST_SIZE);
}

/* The config member @name, checked against the digest its name carries. */
static json_t *load_config(struct img_reader *r, const char *name, const char *digest,
			   ctu_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	char got[CTU_DIGEST_SIZE];
	size_t len;

	if (rd_read_file(r, name, &buf, &len, err) < 0)
		return NULL;
	if (ctu_sha256_buf(buf, len, got) < 0) {
		ctu_err_make(err, 0, "config: cannot hash");
		return NULL;
	}
	if (strcmp(got, digest)) {
		ctu_err_make(err, 0, "config %s has digest %.19s", name, got);
		return NULL;
	}
	return ctu_json_parse(buf, len, "config", err);
}

/* The layers as manifest.json lists them: members, sizes, digests where the name has one. */
static int old_layers(struct img_reader *r, json_t *layers, struct img_image *img,
		      ctu_err_t *err)
{
	const char *name;
	char p[64];

	if (json_array_size(layers) > IMG_MAX_LAYERS)
		return ctu_err_make(err, 0, "manifest.json: %zu layers: at most %d",
				    json_array_size(layers), IMG_MAX_LAYERS);
	if (ctu_json_check_strings(layers, "manifest.json.Layers", err) < 0)
		return ctu_err_code(*err);
	img->layers = calloc(json_array_size(layers) ? json_array_size(layers) : 1,
			     sizeof(*img->layers));
	if (!img->layers)
		return ctu_err_make(err, ENOMEM, "manifest.json");
	for (size_t i = 0; i < json_array_size(layers); i++) {
		struct img_layer *l = &img->layers[i];

		name = json_string_value(json_array_get(layers, i));
		img->n_layers++;
		l->member = strdup(name);
		if (!l->member)
			return ctu_err_make(err, ENOMEM, "manifest.json");
		l->size = r->ar ? arc_size(r->ar, name, err) : -1;
		if (l->size < 0)
			return ctu_err_wrap(err, "%s",
					    ctu_json_path_index(p, sizeof(p), "manifest.json.Layers", i));
		name_digest(name, "", l->digest);
	}
	return 0;
}

/* Docker 25+: the manifest in index.json whose config is @digest, or 0 when there is none. */
static int oci_inside(struct img_reader *r, const char *digest, const struct img_platform *want,
		      struct img_image *img, ctu_err_t *err)
{
	_cleanup_json_ json_t *index = NULL;
	json_t *arr, *d;
	size_t i;
	bool docker;

	if (!rd_has_file(r, "index.json") || !rd_has_file(r, "oci-layout"))
		return 0;
	index = rd_load_file(r, "index.json", err);
	if (!index)
		return ctu_err_code(*err);
	arr = json_object_get(index, "manifests");
	for (i = 0; i < json_array_size(arr) && (d = json_array_get(arr, i)); i++) {
		const char *mt = json_string_value(json_object_get(d, "mediaType"));
		const char *md = json_string_value(json_object_get(d, "digest"));
		_cleanup_json_ json_t *man = NULL;
		json_t *cfg;

		if (!res_is_manifest(mt, &docker) || !ctu_digest_valid(md))
			continue;
		man = rd_load_blob(r, md, json_integer_value(json_object_get(d, "size")),
				   "manifest", err);
		if (!man)
			return ctu_err_code(*err);
		cfg = json_object_get(man, "config");
		if (json_is_string(json_object_get(cfg, "digest")) &&
		    !strcmp(json_string_value(json_object_get(cfg, "digest")), digest))
			return res_manifest(r, d, want, true, img, err) < 0 ? ctu_err_code(*err) : 1;
	}
	return 0;
}

static int old_form(struct img_reader *r, json_t *entry, const char *cfgname,
		    const char *digest, const struct img_platform *want, struct img_image *img,
		    ctu_err_t *err)
{
	json_t *layers;

	if (ctu_json_get_array(entry, "manifest.json[]", "Layers", true, &layers, err) < 0)
		return ctu_err_code(*err);
	img->config = load_config(r, cfgname, digest, err);
	if (!img->config)
		return ctu_err_code(*err);
	memcpy(img->config_digest, digest, CTU_DIGEST_SIZE);
	memcpy(img->manifest_digest, digest, CTU_DIGEST_SIZE);
	img->docker_types = true;
	if (old_layers(r, layers, img, err) < 0 || res_config(img->config, img, err) < 0)
		return ctu_err_code(*err);
	res_warn_platform(img, want);
	return 0;
}

int res_docker(struct img_reader *r, const struct img_source *src,
	       const struct img_platform *want, struct img_image *img, ctu_err_t *err)
{
	_cleanup_json_ json_t *mj = NULL;
	json_t *entry;
	const char *cfgname;
	char digest[CTU_DIGEST_SIZE];
	int ret;

	if (!rd_has_file(r, "manifest.json"))
		return ctu_err_make(err, 0,
				    "no manifest.json: not a docker-archive of docker 1.10 or later");
	mj = rd_load_file(r, "manifest.json", err);
	if (!mj)
		return ctu_err_code(*err);
	if (!json_is_array(mj))
		return ctu_err_make(err, 0, "manifest.json: not an array");
	entry = select_entry(mj, src, err);
	if (!entry)
		return ctu_err_code(*err);
	if (ctu_json_get_string(entry, "manifest.json[]", "Config", true, &cfgname, err) < 0)
		return ctu_err_code(*err);
	name_digest(cfgname, ".json", digest);
	if (!digest[0])
		return ctu_err_make(err, 0,
				    "manifest.json: Config '%.100s': not HEX.json or blobs/sha256/HEX",
				    cfgname);
	ret = oci_inside(r, digest, want, img, err);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	return old_form(r, entry, cfgname, digest, want, img, err);
}
