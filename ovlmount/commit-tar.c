// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit-tar.c - the new layer's blob: writer A (pax_restricted, format
 * only) makes the tar and hashes it (the diff_id) into writer B (raw
 * format, gzip or zstd), which hashes what it writes (the blob's digest)
 * into a temporary blob of the layout.  --compress none has no writer B:
 * the tar is the blob.  Both writers run in this process: a filter that
 * libarchive would run as an external program is refused (ARCHIVE_WARN).
 */
#include <locale.h>
#include <string.h>

#include "commit.h"
#include "ctu.h"
#include "lazy-archive.h"

struct layer_out {
	struct oci_out *o;
	struct oci_blob_tmp t;
	struct ctu_sha256 tar_hash, blob_hash;
	struct archive *b; /* writer B, or NULL: the tar is the blob */
	int64_t blob_bytes;
};

/* Bytes of the blob: hashed, then into the temporary file. */
static la_ssize_t blob_write(struct archive *a, struct layer_out *lo, const void *buf, size_t n)
{
	int r = ctu_sha256_update(&lo->blob_hash, buf, n);

	if (r == 0)
		r = ctu_write_all(lo->t.fd, buf, n);
	if (r < 0) {
		archive_set_error(a, -r, "cannot write the blob: %s", strerror(-r));
		return -1;
	}
	lo->blob_bytes += (int64_t)n;
	return (la_ssize_t)n;
}

static la_ssize_t b_write(struct archive *a, void *data, const void *buf, size_t n)
{
	return blob_write(a, data, buf, n);
}

/* Bytes of the tar: hashed, then compressed by writer B (or the blob themselves). */
static la_ssize_t a_write(struct archive *a, void *data, const void *buf, size_t n)
{
	struct layer_out *lo = data;
	la_ssize_t w;

	if (ctu_sha256_update(&lo->tar_hash, buf, n) < 0) {
		archive_set_error(a, EIO, "cannot hash the tar");
		return -1;
	}
	if (!lo->b)
		return blob_write(a, lo, buf, n);
	w = archive_write_data(lo->b, buf, n);
	if (w < 0 || (size_t)w != n) {
		archive_set_error(a, archive_errno(lo->b), "%s", archive_error_string(lo->b));
		return -1;
	}
	return w;
}

static int archive_fail(struct archive *a, const char *what, ctu_err_t *err)
{
	const char *msg = archive_error_string(a);
	int e = archive_errno(a);

	return ctu_err_make(err, e > 0 ? e : 0, "%s: %s", what, msg ? msg : "libarchive failed");
}

/* The compression filter, in this process only. */
static int add_filter(struct archive *b, enum commit_compress c, ctu_err_t *err)
{
	const char *name = c == COMMIT_ZSTD ? "zstd" : "gzip";
	int r = c == COMMIT_ZSTD ? archive_write_add_filter_zstd(b) :
				   archive_write_add_filter_gzip(b);

	if (r != ARCHIVE_OK)
		return ctu_err_make(err, 0, "%s: libarchive was built without it (%s)", name,
				    archive_error_string(b) ? archive_error_string(b) : "");
	/* no time in the gzip header: equal tars make equal blobs */
	if (c == COMMIT_GZIP && archive_write_set_options(b, "gzip:!timestamp") != ARCHIVE_OK)
		return archive_fail(b, "gzip", err);
	return 0;
}

/* Writer B: one raw "entry", the tar, compressed. */
static int open_writer_b(struct layer_out *lo, enum commit_compress c, ctu_err_t *err)
{
	struct archive_entry *e;
	int r;

	lo->b = archive_write_new();
	if (!lo->b)
		return ctu_err_make(err, ENOMEM, "libarchive");
	if (archive_write_set_format_raw(lo->b) != ARCHIVE_OK)
		return archive_fail(lo->b, "raw format", err);
	if (add_filter(lo->b, c, err) < 0)
		return ctu_err_code(*err);
	/* unblocked: no padding after the compressed stream */
	archive_write_set_bytes_per_block(lo->b, 0);
	if (archive_write_open(lo->b, lo, NULL, b_write, NULL) != ARCHIVE_OK)
		return archive_fail(lo->b, "compressor", err);
	e = archive_entry_new();
	if (!e)
		return ctu_err_make(err, ENOMEM, "libarchive");
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	r = archive_write_header(lo->b, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return archive_fail(lo->b, "compressor", err);
	return 0;
}

static struct archive *open_writer_a(struct layer_out *lo, ctu_err_t *err)
{
	struct archive *a = archive_write_new();

	if (!a) {
		ctu_err_make(err, ENOMEM, "libarchive");
		return NULL;
	}
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open(a, lo, NULL, a_write, NULL) != ARCHIVE_OK) {
		archive_fail(a, "tar", err);
		archive_write_free(a);
		return NULL;
	}
	return a;
}

/* The tar of the upper, through writer B when there is one. */
static int write_tar(struct layer_out *lo, int upperfd, const char *upper, int64_t mtime,
		     ctu_err_t *err)
{
	/* pax names are UTF-8: libarchive converts from LC_CTYPE, so names pass byte for byte */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	struct archive *a = open_writer_a(lo, err);
	int r = a ? commit_walk(upperfd, upper, a, mtime, err) : ctu_err_code(*err);

	if (a && r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = archive_fail(a, "tar", err);
	if (a)
		archive_write_free(a);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	if (r == 0 && lo->b && archive_write_close(lo->b) != ARCHIVE_OK)
		r = archive_fail(lo->b, "compressor", err);
	return r;
}

static const char *media_type(enum commit_compress c)
{
	switch (c) {
	case COMMIT_GZIP:
		return OCI_LAYER_TYPE "+gzip";
	case COMMIT_ZSTD:
		return OCI_LAYER_TYPE "+zstd";
	case COMMIT_NONE:
		break;
	}
	return OCI_LAYER_TYPE;
}

static int finish(struct layer_out *lo, struct commit_layer *l, ctu_err_t *err)
{
	if (ctu_sha256_final(&lo->tar_hash, l->diff_id) < 0 ||
	    ctu_sha256_final(&lo->blob_hash, l->digest) < 0)
		return ctu_err_make(err, EIO, "cannot hash the layer");
	l->size = lo->blob_bytes;
	return oci_blob_tmp_commit(lo->o, &lo->t, l->digest, err);
}

int commit_write_layer(int upperfd, const char *upper, int64_t mtime, enum commit_compress c,
		       struct oci_out *o, struct commit_layer *l, ctu_err_t *err)
{
	struct layer_out lo = { .o = o, .t = { .fd = -1 } };
	int r;

	l->media_type = media_type(c);
	if (ctu_sha256_init(&lo.tar_hash) < 0 || ctu_sha256_init(&lo.blob_hash) < 0) {
		ctu_sha256_free(&lo.tar_hash);
		return ctu_err_make(err, ENOMEM, "cannot hash the layer");
	}
	r = oci_blob_tmp_open(o, &lo.t, err);
	if (r == 0 && c != COMMIT_NONE)
		r = open_writer_b(&lo, c, err);
	if (r == 0)
		r = write_tar(&lo, upperfd, upper, mtime, err);
	if (r == 0)
		r = finish(&lo, l, err);
	if (lo.b)
		archive_write_free(lo.b);
	ctu_sha256_free(&lo.tar_hash);
	ctu_sha256_free(&lo.blob_hash);
	oci_blob_tmp_discard(o, &lo.t);
	return r;
}
