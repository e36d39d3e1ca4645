// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve.c - from index.json to one image: the entry SRC names (REF, @N,
 * the only one, `latest`), indexes narrowed to a platform (nested at most
 * 4 deep), the manifest, its config and layers, every blob checked by
 * image.c before it is parsed, media types known or refused.
 */
#include <string.h>

#include "ctu.h"
#include "imgsrc.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REF_NAME "org.opencontainers.image.ref.name"

bool res_is_index(const char *mt, bool *docker)
{
	*docker = mt && !strcmp(mt, MT_DOCKER_LIST);
	return mt && (*docker || !strcmp(mt, MT_OCI_INDEX));
}

bool res_is_manifest(const char *mt, bool *docker)
{
	*docker = mt && !strcmp(mt, MT_DOCKER_MANIFEST);
	return mt && (*docker || !strcmp(mt, MT_OCI_MANIFEST));
}

bool res_config_type_ok(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.config.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.container.image.v1+json"));
}

bool res_layer_type_ok(const char *mt)
{
	static const char *const ok[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		"application/vnd.oci.image.layer.nondistributable.v1.tar",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};

	for (size_t i = 0; mt && i < CTU_ARRAY_SIZE(ok); i++)
		if (!strcmp(mt, ok[i]))
			return true;
	return false;
}

/* A descriptor's mediaType, digest (checked for its form) and size. */
static int desc_get(json_t *d, const char *path, const char **mt, const char **digest,
		    int64_t *size, ctu_err_t *err)
{
	char p[128];
	json_int_t n;

	if (ctu_json_get_string(d, path, "mediaType", true, mt, err) < 0 ||
	    ctu_json_get_string(d, path, "digest", true, digest, err) < 0 ||
	    ctu_json_get_int(d, path, "size", true, &n, err) < 0)
		return ctu_err_code(*err);
	if (n < 0)
		return ctu_err_make(err, 0, "%s.size: negative", path);
	*size = n;
	return ctu_digest_check(*digest, ctu_json_path_key(p, sizeof(p), path, "digest"), err);
}

/* A descriptor's platform: 1 with @os/@arch/@variant set, 0 when it has none. */
static int desc_platform(json_t *d, const char *path, const char **os, const char **arch,
			 const char **variant, ctu_err_t *err)
{
	char p[128];
	json_t *pl;
	int r = ctu_json_get_object(d, path, "platform", false, &pl, err);

	*os = *arch = *variant = NULL;
	if (r != 0)
		return r < 0 ? r : 0;
	ctu_json_path_key(p, sizeof(p), path, "platform");
	if (ctu_json_get_string(pl, p, "os", true, os, err) < 0 ||
	    ctu_json_get_string(pl, p, "architecture", true, arch, err) < 0 ||
	    ctu_json_get_string(pl, p, "variant", false, variant, err) < 0)
		return ctu_err_code(*err);
	return 1;
}

static void fmt_platform(char *buf, size_t size, const char *os, const char *arch,
			 const char *variant)
{
	snprintf(buf, size, "%s/%s%s%s", os, arch, variant && *variant ? "/" : "",
		 variant ? variant : "");
}

/* Appends @s to the list in @buf ("a, b"), once. */
static void list_add(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	for (const char *p = strstr(buf, s); p; p = strstr(p + 1, s))
		if ((p == buf || p[-1] == ' ') && (p[strlen(s)] == ',' || !p[strlen(s)]))
			return;
	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s);
}

/*
 * The one entry of @arr (at @path) for @want, or NULL with *@err set: none
 * matching, or two.  An array of one entry without platform is that entry.
 */
static json_t *narrow(json_t *arr, const char *path, const struct img_platform *want,
		      ctu_err_t *err)
{
	char has[1024] = "", matched[512] = "", p[128], one[128], w[128];
	json_t *pick = NULL;
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *os, *arch, *variant;
		int r = desc_platform(json_array_get(arr, i),
				      ctu_json_path_index(p, sizeof(p), path, i), &os, &arch,
				      &variant, err);

		if (r < 0)
			return NULL;
		if (r == 0 || (!strcmp(os, "unknown") && !strcmp(arch, "unknown")))
			continue;
		fmt_platform(one, sizeof(one), os, arch, variant);
		list_add(has, sizeof(has), one);
		if (!img_platform_match(want, os, arch, variant))
			continue;
		list_add(matched, sizeof(matched), one);
		pick = json_array_get(arr, i);
		n++;
	}
	if (n == 1)
		return pick;
	if (json_array_size(arr) == 1 && !has[0])
		return json_array_get(arr, 0);
	img_platform_format(want, w, sizeof(w));
	if (n == 0)
		ctu_err_make(err, 0, "no manifest for %s (has: %s)", w, has[0] ? has : "none");
	else
		ctu_err_make(err, 0, "%zu manifests for %s (%s): ambiguous", n, w, matched);
	ctu_err_append(err, "choose one with --platform");
	return NULL;
}

static int descend(struct img_reader *r, json_t *desc, const char *path, int depth,
		   const struct img_platform *want, bool lone, struct img_image *img,
		   ctu_err_t *err);

/* An index blob: narrowed to @want, the entry it leaves descended into. */
static int descend_index(struct img_reader *r, const char *digest, int64_t size, int depth,
			 const struct img_platform *want, struct img_image *img, ctu_err_t *err)
{
	_cleanup_json_ json_t *idx = NULL;
	char what[96];
	json_t *arr, *pick;

	if (depth > IMG_MAX_INDEX_DEPTH)
		return ctu_err_make(err, 0, "indexes nested more than %d deep",
				    IMG_MAX_INDEX_DEPTH);
	snprintf(what, sizeof(what), "index %.19s", digest);
	idx = rd_load_blob(r, digest, size, "index", err);
	if (!idx)
		return ctu_err_code(*err);
	if (ctu_json_get_array(idx, what, "manifests", true, &arr, err) < 0)
		return ctu_err_code(*err);
	pick = narrow(arr, ".manifests", want, err);
	if (!pick)
		return ctu_err_wrap(err, "%s", what);
	return descend(r, pick, what, depth, want, false, img, err);
}

static int descend(struct img_reader *r, json_t *desc, const char *path, int depth,
		   const struct img_platform *want, bool lone, struct img_image *img,
		   ctu_err_t *err)
{
	const char *mt = NULL, *digest = NULL;
	int64_t size = -1;
	bool docker;

	if (desc_get(desc, path, &mt, &digest, &size, err) < 0)
		return ctu_err_code(*err);
	if (res_is_index(mt, &docker))
		return descend_index(r, digest, size, depth + 1, want, img, err);
	if (res_is_manifest(mt, &docker))
		return res_manifest(r, desc, want, lone, img, err);
	return ctu_err_make(err, 0, "%s: media type '%.100s': not an image manifest or index",
			    path, mt);
}

static const char *ref_name(json_t *desc)
{
	json_t *ann = json_object_get(desc, "annotations");

	return json_string_value(json_object_get(ann, REF_NAME));
}

/* The entries of index.json named @name (NULL: unnamed) into @out. */
static json_t *entries_named(json_t *arr, const char *name)
{
	json_t *out = json_array();

	for (size_t i = 0; out && i < json_array_size(arr); i++) {
		const char *n = ref_name(json_array_get(arr, i));

		if ((!name && !n) || (name && n && !strcmp(name, n)))
			json_array_append(out, json_array_get(arr, i));
	}
	return out;
}

/* "v1, v2, @2" (@N for an unnamed entry): what index.json offers. */
static void list_names(json_t *arr, char *buf, size_t size)
{
	char at[32];

	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *n = ref_name(json_array_get(arr, i));

		snprintf(at, sizeof(at), "@%zu", i);
		list_add(buf, size, n ? n : at);
	}
}

/* Whether every entry has the same name (or none): one image in several platforms. */
static bool one_name(json_t *arr)
{
	const char *first = ref_name(json_array_get(arr, 0));

	for (size_t i = 1; i < json_array_size(arr); i++) {
		const char *n = ref_name(json_array_get(arr, i));

		if ((!first) != (!n) || (first && strcmp(first, n)))
			return false;
	}
	return true;
}

/* The entries of index.json that SRC names: REF, @N, the only one, `latest`. */
static json_t *select_entries(json_t *arr, const struct img_source *src, ctu_err_t *err)
{
	char names[1024];
	json_t *out;

	list_names(arr, names, sizeof(names));
	if (src->index >= 0) {
		if ((size_t)src->index >= json_array_size(arr)) {
			ctu_err_make(err, 0, "index.json has %zu entries, no @%ld",
				     json_array_size(arr), src->index);
			return NULL;
		}
		out = json_array();
		if (out)
			json_array_append(out, json_array_get(arr, (size_t)src->index));
	} else if (src->ref) {
		out = entries_named(arr, src->ref);
		if (out && !json_array_size(out)) {
			json_decref(out);
			ctu_err_make(err, 0, "index.json: no image named '%s' (has: %s)",
				     src->ref, names[0] ? names : "none");
			return NULL;
		}
	} else if (json_array_size(arr) == 0) {
		ctu_err_make(err, 0, "index.json lists no image");
		return NULL;
	} else if (json_array_size(arr) == 1 || one_name(arr)) {
		out = json_incref(arr);
	} else {
		out = entries_named(arr, "latest");
		if (out && !json_array_size(out)) {
			json_decref(out);
			ctu_err_make(err, 0, "index.json has %zu images (%s)",
				     json_array_size(arr), names);
			ctu_err_hint(err, "name one after the path: :REF or :@N");
			return NULL;
		}
	}
	if (!out)
		ctu_err_make(err, ENOMEM, "index.json");
	return out;
}

int res_index_pick(json_t *index, const struct img_source *src, const struct img_platform *want,
		   json_t **pick, bool *lone, ctu_err_t *err)
{
	_cleanup_json_ json_t *cand = NULL;
	json_t *arr;
	json_int_t version;
	const char *mt;

	if (ctu_json_get_int(index, "index.json", "schemaVersion", true, &version, err) < 0 ||
	    ctu_json_get_string(index, "index.json", "mediaType", false, &mt, err) < 0 ||
	    ctu_json_get_array(index, "index.json", "manifests", true, &arr, err) < 0)
		return ctu_err_code(*err);
	if (version != 2)
		return ctu_err_make(err, 0, "index.json: schemaVersion %lld, not 2",
				    (long long)version);
	cand = select_entries(arr, src, err);
	if (!cand)
		return ctu_err_code(*err);
	*lone = json_array_size(cand) == 1;
	*pick = *lone ? json_array_get(cand, 0) : narrow(cand, "index.json.manifests", want, err);
	if (!*pick)
		return ctu_err_wrap(err, "index.json");
	return 0;
}

int res_oci(struct img_reader *r, const struct img_source *src, const struct img_platform *want,
	    struct img_image *img, ctu_err_t *err)
{
	_cleanup_json_ json_t *index = rd_load_file(r, "index.json", err);
	json_t *pick = NULL;
	bool lone = false;

	if (!index)
		return ctu_err_code(*err);
	if (res_index_pick(index, src, want, &pick, &lone, err) < 0)
		return ctu_err_code(*err);
	return descend(r, pick, "index.json.manifests[]", 0, want, lone, img, err);
}

int res_index_narrow(json_t *index, const struct img_platform *want, json_t **pick,
		     ctu_err_t *err)
{
	json_t *arr;

	if (ctu_json_get_array(index, "index", "manifests", true, &arr, err) < 0)
		return ctu_err_code(*err);
	*pick = narrow(arr, ".manifests", want, err);
	return *pick ? 0 : ctu_err_code(*err);
}
