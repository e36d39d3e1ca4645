/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commit.h - what the parts of --commit share (images.md "Commit"):
 * the OCI layout written to (commit-oci.c), the new layer's tar made from an
 * upper directory (commit-tar.c, commit-walk.c) and the image around it
 * (commit-image.c); commit.c finds the upper and the base and drives them.
 */
#ifndef OVLMOUNT_COMMIT_H
#define OVLMOUNT_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "image.h"
#include "lazy-archive.h"
#include "undo.h"

#define OCI_MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG_TYPE "application/vnd.oci.image.config.v1+json"
#define OCI_INDEX_TYPE "application/vnd.oci.image.index.v1+json"
#define OCI_LAYER_TYPE "application/vnd.oci.image.layer.v1.tar"
#define OCI_REF_ANNOTATION "org.opencontainers.image.ref.name"

/* ---- commit-oci.c: the layout written to */

/*
 * The layout DIR of `--to oci:DIR:REF`, flock'ed while we write.  What this
 * run made (DIR, oci-layout, blobs/, each blob it added) is in @undo, so a
 * failure before index.json leaves DIR as it found it.
 */
struct oci_out {
	char *dir, *ref;
	int dirfd, blobsfd;
	struct ctu_undo undo;
};

/* A blob being written: blobs/sha256/.tmp-RANDOM, renamed to its digest at the end. */
struct oci_blob_tmp {
	int fd;
	char name[32];
};

/* Splits @to into DIR and REF; usage errors for another transport, no REF, a bad REF. */
int oci_out_parse(const char *to, struct oci_out *o, ctu_err_t *err);

/* The ref.name grammar: alphanumeric runs joined by one of -._:@+ or by "--", '/' between. */
bool oci_ref_valid(const char *ref);

/* Makes DIR a layout when it is none (refusing a directory that holds something else), locks it. */
int oci_out_open(struct oci_out *o, ctu_err_t *err);

/* Success: keeps what was made.  Failure: removes it (undo), closes. */
void oci_out_close(struct oci_out *o, bool keep);

/* Whether DIR has the blob @digest (of @size bytes, -1: any size). */
bool oci_blob_has(const struct oci_out *o, const char *digest, int64_t size);

int oci_blob_tmp_open(struct oci_out *o, struct oci_blob_tmp *t, ctu_err_t *err);

/* fsync, rename to @digest's name (one already there is kept), recorded for the undo. */
int oci_blob_tmp_commit(struct oci_out *o, struct oci_blob_tmp *t, const char *digest,
			ctu_err_t *err);

/* Removes a temporary blob not committed (safe twice). */
void oci_blob_tmp_discard(struct oci_out *o, struct oci_blob_tmp *t);

/* @len bytes at @buf as a blob; its digest into @digest. */
int oci_blob_put(struct oci_out *o, const void *buf, size_t len, char digest[CTU_DIGEST_SIZE],
		 ctu_err_t *err);

/* The commit point: index.json with REF naming @desc (added, or replacing REF's entry). */
int oci_index_update(struct oci_out *o, json_t *desc, ctu_err_t *err);

/* ---- commit-tar.c, commit-walk.c: the new layer */

struct commit_layer {
	char diff_id[CTU_DIGEST_SIZE];
	char digest[CTU_DIGEST_SIZE];
	int64_t size;
	const char *media_type;
};

/* Writes the upper at @upperfd (@upper names it in errors) as a layer blob into @o. */
int commit_write_layer(int upperfd, const char *upper, int64_t mtime, enum commit_compress c,
		       struct oci_out *o, struct commit_layer *l, ctu_err_t *err);

/*
 * Writes every entry of the upper directory @upperfd into the tar writer
 * @a, by the rules of images.md "Commit" (order, whiteouts, opaque
 * directories, xattrs, hardlinks), each with mtime @mtime.
 */
int commit_walk(int upperfd, const char *upper, struct archive *a, int64_t mtime,
		ctu_err_t *err);

/* ---- commit-image.c: the image around the layer */

/* The base: an image read from its source, or scratch (@img NULL) on @platform. */
struct commit_base {
	struct img_reader *reader;
	struct img_image *img;
	struct img_platform platform;
};

/*
 * Copies the base's blobs DIR lacks (verified), then writes config and
 * manifest of base + @l with @created (RFC 3339) and @message, and names it
 * REF in index.json.  The manifest's digest into @digest.
 */
int commit_image(struct oci_out *o, const struct commit_base *b, const struct commit_layer *l,
		 const char *created, const char *message, char digest[CTU_DIGEST_SIZE],
		 ctu_err_t *err);

#endif
