/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * imgsrc.h - what the parts of image.h's "image.c" section share inside
 * ovlmount: the reader (image.c), archives read in two passes (archive.c),
 * an image found in an OCI index (resolve.c) or in a docker-archive's
 * manifest.json (docker.c).  Nothing outside those files includes it.
 */
#ifndef OVLMOUNT_IMGSRC_H
#define OVLMOUNT_IMGSRC_H

#include "image.h"

/* What an archive may keep of its JSON members in memory, all together. */
#define IMG_ARCHIVE_JSON_TOTAL ((size_t)64 << 20)

/* Indexes nest at most this deep below index.json. */
#define IMG_MAX_INDEX_DEPTH 4

struct img_archive;

struct img_reader {
	enum img_transport transport;
	const char *spec; /* the source's, borrowed from img_source (outlives the reader) */
	char *spec_copy;
	int dirfd;		/* oci: the layout directory, O_PATH */
	struct img_archive *ar; /* archives: the member list of pass 1 */
	int spooldirfd;		/* a dup of img_reader_open()'s, or -1 */
};

/* ---- archive.c */

/*
 * Pass 1 over the tar @path (gzip or zstd allowed): the member list, small
 * JSON-looking members kept in memory.  Errors do not name the source.
 */
int arc_open(const char *path, struct img_archive **out, ctu_err_t *err);
void arc_free(struct img_archive *a);

/* Whether member @name (symlinks and hardlinks followed) exists. */
bool arc_has(struct img_archive *a, const char *name);

/*
 * A copy of member @name's bytes (NUL-terminated), which must have been
 * kept: at most CTU_JSON_MAX bytes, else "NAME: larger than N bytes".
 */
int arc_read(struct img_archive *a, const char *name, char **buf, size_t *len, ctu_err_t *err);

/* The size of member @name (links followed), or a negative number with *@err set. */
int64_t arc_size(struct img_archive *a, const char *name, ctu_err_t *err);

/* Marks member @name (links followed) to be spooled by arc_spool(). */
int arc_need(struct img_archive *a, const char *name, ctu_err_t *err);

/*
 * Pass 2: copies the needed members not yet spooled into a directory the
 * archive makes (and flocks) in @spooldirfd.
 */
int arc_spool(struct img_archive *a, int spooldirfd, ctu_err_t *err);

/* An fd of member @name's spooled copy. */
int arc_open_spooled(struct img_archive *a, const char *name, ctu_err_t *err);

/* ---- image.c: reading what a source holds */

/* A small file of the source (index.json, oci-layout, manifest.json), at most CTU_JSON_MAX. */
int rd_read_file(struct img_reader *r, const char *name, char **buf, size_t *len, ctu_err_t *err);

/* Whether the source has the file @name. */
bool rd_has_file(struct img_reader *r, const char *name);

/* rd_read_file() and ctu_json_parse(). */
json_t *rd_load_file(struct img_reader *r, const char *name, ctu_err_t *err);

/*
 * The JSON blob @digest of @size bytes (-1: unknown), checked in this
 * order: the digest's form, the size against the cap and the blob, the
 * bytes' digest, then the parse.  @what names it in errors ("manifest").
 */
json_t *rd_load_blob(struct img_reader *r, const char *digest, int64_t size, const char *what,
		     ctu_err_t *err);

/* ---- resolve.c: OCI layouts */

/* Fills @img from index.json of @r (an oci: layout, an oci-archive, docker 25+'s inside). */
int res_oci(struct img_reader *r, const struct img_source *src, const struct img_platform *want,
	    struct img_image *img, ctu_err_t *err);

/*
 * The entry of index.json (parsed: @index) that @src names, narrowed to
 * @want when several are named; *@lone when it was the only one named.
 */
int res_index_pick(json_t *index, const struct img_source *src, const struct img_platform *want,
		   json_t **pick, bool *lone, ctu_err_t *err);

/* The entry of an index blob for @want. */
int res_index_narrow(json_t *index, const struct img_platform *want, json_t **pick, ctu_err_t *err);

/* Checks manifest @man (of media type @mt) and fills @img's layers; the config's descriptor. */
int res_manifest_parse(json_t *man, const char *mt, struct img_image *img, const char **cdigest,
		       int64_t *csize, ctu_err_t *err);

/*
 * The image of manifest @desc (a descriptor whose platform, if any, the
 * config must match): manifest, config, layers, chain IDs.
 */
int res_manifest(struct img_reader *r, json_t *desc, const struct img_platform *want, bool lone,
		 struct img_image *img, ctu_err_t *err);

/*
 * Checks config @cfg (at @path ""), sets @img->platform from it and the
 * layers' diff_ids and chain IDs; @n_layers must equal its diff_ids.
 */
int res_config(json_t *cfg, struct img_image *img, ctu_err_t *err);

/* Whether @mt is a manifest or index media type we read (docker too). */
bool res_is_manifest(const char *mt, bool *docker);
bool res_is_index(const char *mt, bool *docker);
bool res_layer_type_ok(const char *mt);
bool res_config_type_ok(const char *mt);

/* Warns that the image is for another platform than @want (a lone manifest). */
void res_warn_platform(const struct img_image *img, const struct img_platform *want);

/* ---- config.c */

/* The members of .config that --image-config prints have their types (".config.Env[2]: not a
 * string"). */
int cfg_check(json_t *cfg, ctu_err_t *err);

/* --image-config -J's object (a new reference), or NULL when out of memory. */
json_t *cfg_json(const struct img_image *img);

/* ---- docker.c: docker-archive's manifest.json */

int res_docker(struct img_reader *r, const struct img_source *src, const struct img_platform *want,
	       struct img_image *img, ctu_err_t *err);

/* docker's normal form of @ref ("busybox" -> "docker.io/library/busybox:latest"), newly allocated.
 */
char *img_docker_normalize(const char *ref);

#endif
