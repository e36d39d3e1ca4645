// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit-image.c - the image around a committed layer: the base's layers
 * (their blobs copied into the layout when it lacks them, each verified as
 * it is copied), the base's config with the new diff_id, `created` and a
 * history entry, and an OCI manifest naming it all.  Docker bases keep
 * their layer digests under OCI media types (the bytes are the same).  JSON
 * goes out sorted and compact, so equal images are equal bytes.
 */
#include <fcntl.h>
#include <string.h>

#include "commit.h"
#include "ctu.h"
#include "json.h"

#define DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define DOCKER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar"
#define OCI_NONDIST "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define COPY_BUF ((size_t)256 << 10)

/* A base layer as the new manifest names it. */
struct base_blob {
	char digest[CTU_DIGEST_SIZE];
	int64_t size;
	char media_type[96];
};

/* "layer 3/7 sha256:1a2b3c4d5e6f", for messages. */
static const char *layer_name(const struct img_image *img, size_t i, char *buf, size_t size)
{
	const char *d = img->layers[i].digest[0] ? img->layers[i].digest : img->layers[i].diff_id;

	snprintf(buf, size, "layer %zu/%zu %.19s", i + 1, img->n_layers, d);
	return buf;
}

/* The OCI name of a layer's media type; a plain tar's told from its first bytes. */
static void oci_layer_type(const char *mt, const unsigned char *magic, size_t n, char *out,
			   size_t size)
{
	const char *suffix;

	if (!mt) {
		if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
			suffix = "+gzip";
		else if (n >= 4 && !memcmp(magic, "\x28\xb5\x2f\xfd", 4))
			suffix = "+zstd";
		else
			suffix = "";
		snprintf(out, size, "%s%s", OCI_LAYER_TYPE, suffix);
	} else if (!strncmp(mt, DOCKER_FOREIGN, strlen(DOCKER_FOREIGN))) {
		suffix = mt + strlen(DOCKER_FOREIGN);
		snprintf(out, size, "%s%s", OCI_NONDIST, *suffix == '.' ? "+gzip" : "");
	} else if (!strncmp(mt, DOCKER_LAYER, strlen(DOCKER_LAYER))) {
		suffix = mt + strlen(DOCKER_LAYER);
		snprintf(out, size, "%s%s", OCI_LAYER_TYPE, *suffix == '.' ? "+gzip" : "");
	} else {
		snprintf(out, size, "%s", mt);
	}
}

/* @fd's blob (@want bytes, -1: to EOF) into @t, hashed; its first bytes into @magic. */
static int copy_hashed(int fd, int64_t want, struct oci_blob_tmp *t, struct base_blob *bb,
		       unsigned char magic[4], size_t *n_magic, ctu_err_t *err)
{
	_cleanup_free_ char *buf = malloc(COPY_BUF);
	struct ctu_sha256 h;
	int64_t done = 0;
	int r = 0;

	if (!buf || ctu_sha256_init(&h) < 0)
		return ctu_err_make(err, ENOMEM, "cannot copy");
	while (r == 0 && (want < 0 || done < want)) {
		size_t chunk = want < 0 || (uint64_t)(want - done) > COPY_BUF ? COPY_BUF : (size_t)(want - done);
		ssize_t n = read(fd, buf, chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ctu_err_errno(err, "cannot read the blob");
		} else if (n == 0) {
			if (want >= 0)
				r = ctu_err_make(err, 0, "blob ends after %lld of %lld bytes",
						 (long long)done, (long long)want);
			break;
		} else {
			if (*n_magic < 4) {
				size_t k = (size_t)n < 4 - *n_magic ? (size_t)n : 4 - *n_magic;

				memcpy(magic + *n_magic, buf, k);
				*n_magic += k;
			}
			if (ctu_sha256_update(&h, buf, (size_t)n) < 0 ||
			    (r = ctu_write_all(t->fd, buf, (size_t)n)) < 0)
				r = ctu_err_make(err, r < 0 ? -r : EIO, "cannot copy the blob");
			done += n;
		}
	}
	if (r == 0 && ctu_sha256_final(&h, bb->digest) < 0)
		r = ctu_err_make(err, EIO, "cannot hash the blob");
	ctu_sha256_free(&h);
	bb->size = done;
	return r;
}

/* Layer @i's blob copied from the source into the layout, checked against its descriptor. */
static int copy_layer(struct oci_out *o, const struct commit_base *b, size_t i,
		      struct base_blob *bb, ctu_err_t *err)
{
	const struct img_layer *l = &b->img->layers[i];
	struct oci_blob_tmp t = { .fd = -1 };
	unsigned char magic[4];
	size_t n_magic = 0;
	_cleanup_close_ int fd = img_layer_open(b->reader, b->img, i, err);
	int r;

	if (fd < 0)
		return ctu_err_code(*err);
	r = oci_blob_tmp_open(o, &t, err);
	if (r == 0)
		r = copy_hashed(fd, l->size, &t, bb, magic, &n_magic, err);
	/* an old docker-archive names no blob digest: the one computed is it */
	if (r == 0 && l->digest[0] && strcmp(l->digest, bb->digest) != 0)
		r = ctu_err_make(err, 0, "blob has digest %s", bb->digest);
	if (r == 0) {
		oci_layer_type(l->media_type, magic, n_magic, bb->media_type,
			       sizeof(bb->media_type));
		r = oci_blob_tmp_commit(o, &t, bb->digest, err);
	}
	oci_blob_tmp_discard(o, &t);
	return r;
}

/* The first bytes of a blob already in the layout (to type an untyped one). */
static size_t blob_magic(const struct oci_out *o, const char *digest, unsigned char magic[4])
{
	_cleanup_close_ int fd = openat(o->blobsfd, ctu_digest_hex(digest),
					O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, magic, 4);

	return n > 0 ? (size_t)n : 0;
}

/* Every base layer in the layout: the blobs it has, the others copied. */
static int base_blobs(struct oci_out *o, const struct commit_base *b, struct base_blob *bb,
		      ctu_err_t *err)
{
	const struct img_image *img = b->img;
	_cleanup_free_ bool *need = calloc(img->n_layers + 1, sizeof(*need));
	bool any = false;
	char name[64];

	if (!need)
		return ctu_err_make(err, ENOMEM, "%s", img->source);
	for (size_t i = 0; i < img->n_layers; i++) {
		const struct img_layer *l = &img->layers[i];

		need[i] = !l->digest[0] || !oci_blob_has(o, l->digest, l->size);
		any |= need[i];
		if (!need[i]) {
			unsigned char magic[4];
			size_t n = l->media_type ? 0 : blob_magic(o, l->digest, magic);

			snprintf(bb[i].digest, sizeof(bb[i].digest), "%s", l->digest);
			bb[i].size = l->size;
			oci_layer_type(l->media_type, magic, n, bb[i].media_type,
				       sizeof(bb[i].media_type));
		}
	}
	if (any && img_prepare_layers(b->reader, img, need, err) < 0)
		return ctu_err_wrap(err, "%s", img->source);
	for (size_t i = 0; i < img->n_layers; i++)
		if (need[i] && copy_layer(o, b, i, &bb[i], err) < 0)
			return ctu_err_wrap(err, "%s: %s", img->source,
					    layer_name(img, i, name, sizeof(name)));
	return 0;
}

/* Layer @i's descriptor: the base manifest's (annotations, urls kept), retyped. */
static json_t *layer_desc(const struct commit_base *b, size_t i, const struct base_blob *bb)
{
	json_t *layers = b->img->manifest ? json_object_get(b->img->manifest, "layers") : NULL;
	json_t *d = json_is_array(layers) ? json_deep_copy(json_array_get(layers, i)) : NULL;

	if (!json_is_object(d)) {
		json_decref(d);
		d = json_object();
	}
	if (!d || json_object_set_new(d, "mediaType", json_string(bb->media_type)) < 0 ||
	    json_object_set_new(d, "digest", json_string(bb->digest)) < 0 ||
	    json_object_set_new(d, "size", json_integer(bb->size)) < 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

static json_t *new_layers(const struct commit_base *b, const struct base_blob *bb,
			  const struct commit_layer *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && b->img && i < b->img->n_layers; i++)
		if (json_array_append_new(arr, layer_desc(b, i, &bb[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	if (arr && json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "mediaType",
							l->media_type, "digest", l->digest,
							"size", (json_int_t)l->size)) < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* A scratch image's config: the platform only. */
static json_t *scratch_config(const struct img_platform *p)
{
	json_t *c = json_pack("{s:s,s:s}", "architecture", p->arch, "os", p->os);

	if (c && p->variant[0] && json_object_set_new(c, "variant", json_string(p->variant)) < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* The array @key of @obj, made when absent (an error when it is something else). */
static json_t *array_member(json_t *obj, const char *path, const char *key, ctu_err_t *err)
{
	json_t *a = NULL;
	int r = ctu_json_get_array(obj, path, key, false, &a, err);

	if (r < 0)
		return NULL;
	if (r == 1 && json_object_set_new(obj, key, (a = json_array())) < 0) {
		ctu_err_make(err, ENOMEM, "config");
		return NULL;
	}
	return a;
}

static int config_add(json_t *c, const struct commit_layer *l, const char *created,
		      const char *message, ctu_err_t *err)
{
	json_t *rootfs = NULL, *diff_ids, *history, *h;
	int r = ctu_json_get_object(c, "", "rootfs", false, &rootfs, err);

	if (r < 0)
		return r;
	if (r == 1 && (json_object_set_new(c, "rootfs", (rootfs = json_object())) < 0 ||
		       json_object_set_new(rootfs, "type", json_string("layers")) < 0))
		return ctu_err_make(err, ENOMEM, "config");
	diff_ids = array_member(rootfs, ".rootfs", "diff_ids", err);
	history = diff_ids ? array_member(c, "", "history", err) : NULL;
	if (!history)
		return ctu_err_code(*err);
	h = json_pack("{s:s,s:s}", "created", created, "created_by", "ovlmount --commit");
	if (!h || (message && json_object_set_new(h, "comment", json_string(message)) < 0) ||
	    json_array_append_new(history, h) < 0 ||
	    json_array_append_new(diff_ids, json_string(l->diff_id)) < 0 ||
	    json_object_set_new(c, "created", json_string(created)) < 0)
		return ctu_err_make(err, ENOMEM, "config");
	return 0;
}

/* A JSON value as a blob; its descriptor (of @media_type) returned. */
static json_t *put_json(struct oci_out *o, const json_t *v, const char *media_type,
			ctu_err_t *err)
{
	_cleanup_free_ char *text = ctu_json_dump(v);
	char digest[CTU_DIGEST_SIZE];
	json_t *d;

	if (!text) {
		ctu_err_make(err, ENOMEM, "JSON");
		return NULL;
	}
	if (oci_blob_put(o, text, strlen(text), digest, err) < 0)
		return NULL;
	d = json_pack("{s:s,s:s,s:I}", "mediaType", media_type, "digest", digest, "size",
		      (json_int_t)strlen(text));
	if (!d)
		ctu_err_make(err, ENOMEM, "JSON");
	return d;
}

/* Config and manifest written; the manifest's descriptor returned. */
static json_t *write_manifest(struct oci_out *o, const struct commit_base *b,
			      const struct base_blob *bb, const struct commit_layer *l,
			      const char *created, const char *message, ctu_err_t *err)
{
	_cleanup_json_ json_t *config = b->img ? json_deep_copy(b->img->config) :
						  scratch_config(&b->platform);
	_cleanup_json_ json_t *config_desc = NULL, *manifest = NULL;
	json_t *layers;

	if (!config) {
		ctu_err_make(err, ENOMEM, "config");
		return NULL;
	}
	if (config_add(config, l, created, message, err) < 0) {
		ctu_err_wrap(err, "the base's config");
		return NULL;
	}
	config_desc = put_json(o, config, OCI_CONFIG_TYPE, err);
	if (!config_desc)
		return NULL;
	layers = new_layers(b, bb, l);
	manifest = layers ? json_pack("{s:i,s:s,s:O,s:o}", "schemaVersion", 2, "mediaType",
				      OCI_MANIFEST_TYPE, "config", config_desc, "layers", layers)
			  : NULL;
	if (!manifest) {
		ctu_err_make(err, ENOMEM, "manifest");
		return NULL;
	}
	return put_json(o, manifest, OCI_MANIFEST_TYPE, err);
}

int commit_image(struct oci_out *o, const struct commit_base *b, const struct commit_layer *l,
		 const char *created, const char *message, char digest[CTU_DIGEST_SIZE],
		 ctu_err_t *err)
{
	size_t n = b->img ? b->img->n_layers : 0;
	_cleanup_free_ struct base_blob *bb = calloc(n + 1, sizeof(*bb));
	_cleanup_json_ json_t *desc = NULL;

	if (!bb)
		return ctu_err_make(err, ENOMEM, "image");
	if (n && base_blobs(o, b, bb, err) < 0)
		return ctu_err_code(*err);
	desc = write_manifest(o, b, bb, l, created, message, err);
	if (!desc)
		return ctu_err_code(*err);
	snprintf(digest, CTU_DIGEST_SIZE, "%s", json_string_value(json_object_get(desc, "digest")));
	return oci_index_update(o, desc, err);
}
