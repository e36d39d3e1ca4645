// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layer.c - one layer blob into a directory (images.md "Unpacking a
 * layer").  Two libarchive readers: the outer one takes the blob from the
 * fd, hashing every byte for the blob digest, and undoes gzip or zstd (told
 * from the bytes; no filter that would run a program); the inner one reads
 * tar formats only from the outer one's data, hashing it for the diff_id.
 * Both are drained to their end, so trailing zero blocks and junk count in
 * both digests (umoci 0.4.7's fix), and never more than the descriptor's
 * size is read.  Entries are made by layer-entry.c; whiteouts, opaque
 * markers and directory times wait for the end (layer-marks.c).
 */
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>

#include "ctu.h"
#include "layer.h"
#include "lazy-archive.h"

#define BLOB_BUF (128 * 1024)

/* The two readers and what they have hashed. */
struct stream {
	int fd;
	int64_t size; /* -1: to EOF */
	uint64_t read;
	struct ctu_sha256 blob, tar;
	struct archive *outer, *inner;
	unsigned char head[8]; /* the blob's first bytes, to name what it is */
	size_t n_head;
	bool failed; /* libcrypto failed */
	bool eof;    /* the tar stream has ended */
	unsigned char buf[BLOB_BUF];
};

int layer_grow(void *v, size_t *cap, size_t n, size_t elem)
{
	void **p = v;
	size_t want = *cap ? *cap * 2 : 16;
	void *q;

	if (n < *cap)
		return 0;
	q = reallocarray(*p, want, elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = want;
	return 0;
}

/* The next bytes of the blob, never past its size. */
static ssize_t blob_next(struct stream *s)
{
	size_t want = sizeof(s->buf);
	ssize_t n;

	if (s->size >= 0) {
		if (s->read >= (uint64_t)s->size)
			return 0;
		if ((uint64_t)s->size - s->read < want)
			want = (size_t)((uint64_t)s->size - s->read);
	}
	do
		n = read(s->fd, s->buf, want);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	if (s->n_head < sizeof(s->head)) {
		size_t k = sizeof(s->head) - s->n_head < (size_t)n ? sizeof(s->head) - s->n_head : (size_t)n;

		memcpy(s->head + s->n_head, s->buf, k);
		s->n_head += k;
	}
	if (ctu_sha256_update(&s->blob, s->buf, (size_t)n) < 0)
		s->failed = true;
	s->read += (uint64_t)n;
	return n;
}

static la_ssize_t outer_read(struct archive *a, void *data, const void **buf)
{
	struct stream *s = data;
	ssize_t n = blob_next(s);

	*buf = s->buf;
	if (n < 0)
		archive_set_error(a, errno, "cannot read the blob: %s", strerror(errno));
	return n;
}

/* The inner reader's bytes: the outer one's data, as it comes, hashed for the diff_id. */
static la_ssize_t inner_read(struct archive *a, void *data, const void **buf)
{
	struct stream *s = data;
	size_t len = 0;
	la_int64_t off;
	int r;

	do
		r = archive_read_data_block(s->outer, buf, &len, &off);
	while (r == ARCHIVE_OK && len == 0); /* 0 would be the end to libarchive */
	if (r == ARCHIVE_EOF) {
		s->eof = true;
		return 0;
	}
	if (r != ARCHIVE_OK) {
		archive_set_error(a, archive_errno(s->outer), "%s", archive_error_string(s->outer));
		return -1;
	}
	if (ctu_sha256_update(&s->tar, *buf, len) < 0)
		s->failed = true;
	return (la_ssize_t)len;
}

/* What the blob is when no tar reader takes it. */
static const char *blob_kind(const struct stream *s)
{
	static const struct {
		const char *magic, *what;
		size_t n;
	} kinds[] = {
		{ "\xfd" "7zXZ", "xz-compressed (only gzip and zstd are read)", 5 },
		{ "BZh", "bzip2-compressed (only gzip and zstd are read)", 3 },
		{ "\x04\x22\x4d\x18", "lz4-compressed (only gzip and zstd are read)", 4 },
		{ "PK\x03\x04", "a zip archive, not a tar", 4 },
		{ "7z\xbc\xaf", "a 7-zip archive, not a tar", 4 },
	};

	for (size_t i = 0; i < CTU_ARRAY_SIZE(kinds); i++)
		if (s->n_head >= kinds[i].n && !memcmp(s->head, kinds[i].magic, kinds[i].n))
			return kinds[i].what;
	return NULL;
}

/* libarchive's complaint about @a, or what the blob is instead of a tar. */
static int read_err(const struct stream *s, struct archive *a, ctu_err_t *err)
{
	const char *kind = blob_kind(s);

	if (kind)
		return ctu_err_make(err, 0, "the layer is %s", kind);
	/* libarchive's errnos are its own codes for bad formats: its text says it */
	return ctu_err_make(err, 0, "cannot read the layer: %s",
			    archive_error_string(a) ? archive_error_string(a) : "unknown error");
}

/* Reader 1: gzip and zstd undone when the bytes say so, no format but raw. */
static int outer_open(struct stream *s, ctu_err_t *err)
{
	struct archive_entry *e;

	s->outer = archive_read_new();
	if (!s->outer)
		return ctu_err_make(err, ENOMEM, "cannot make a libarchive reader");
	/* ARCHIVE_WARN: libarchive would run an external gzip or zstd; nothing is ever run */
	if (archive_read_support_filter_gzip(s->outer) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(s->outer) != ARCHIVE_OK)
		return ctu_err_make(err, ENOTSUP, "this libarchive cannot read gzip and zstd itself");
	if (archive_read_support_format_raw(s->outer) != ARCHIVE_OK ||
	    archive_read_open(s->outer, s, NULL, outer_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(s->outer, &e) != ARCHIVE_OK)
		return read_err(s, s->outer, err);
	return 0;
}

/* Reader 2: tar formats only (ustar, pax, GNU), no skip callback so every byte is hashed. */
static int inner_open(struct stream *s, ctu_err_t *err)
{
	s->inner = archive_read_new();
	if (!s->inner)
		return ctu_err_make(err, ENOMEM, "cannot make a libarchive reader");
	if (archive_read_support_format_tar(s->inner) != ARCHIVE_OK ||
	    archive_read_open(s->inner, s, NULL, inner_read, NULL) != ARCHIVE_OK)
		return read_err(s, s->inner, err);
	return 0;
}

static int read_entries(struct layer_job *j, struct stream *s, ctu_err_t *err)
{
	struct archive_entry *e;
	int r;

	j->tar = s->inner;
	j->tar_eof = &s->eof;
	while ((r = archive_read_next_header(s->inner, &e)) != ARCHIVE_EOF) {
		if (r == ARCHIVE_WARN)
			ctu_warn(0, "%s: %s", j->o->name ? j->o->name : "layer",
				 archive_error_string(s->inner));
		else if (r != ARCHIVE_OK)
			return read_err(s, s->inner, err);
		r = layer_entry(j, e, err);
		if (r < 0)
			return r;
		if (r == 1)
			return 0; /* the stream ended with that entry's data */
	}
	/* after the end blocks: the rest of the stream, trailing zeros and junk too */
	for (const void *p; (r = (int)inner_read(s->inner, s, &p)) > 0;)
		;
	if (r < 0)
		return read_err(s, s->inner, err);
	return 0;
}

/* The rest of the blob hashed (after an early end or failure), and its size checked. */
static int blob_finish(struct stream *s, ctu_err_t *err)
{
	ssize_t n;

	while ((n = blob_next(s)) > 0)
		;
	if (n < 0)
		return ctu_err_errno(err, "cannot read the blob");
	if (s->size >= 0 && s->read != (uint64_t)s->size)
		return ctu_err_make(err, 0, "blob is %llu bytes, its descriptor says %lld",
				    (unsigned long long)s->read, (long long)s->size);
	return 0;
}

/* A regular file's size is known before reading: a longer blob is refused without reading past. */
static int blob_size_check(struct stream *s, ctu_err_t *err)
{
	struct stat st;
	off_t at = lseek(s->fd, 0, SEEK_CUR);

	if (s->size < 0 || fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode) || at < 0)
		return 0;
	if (st.st_size - at != s->size)
		return ctu_err_make(err, 0, "blob is %lld bytes, its descriptor says %lld",
				    (long long)(st.st_size - at), (long long)s->size);
	return 0;
}

static int digest_check(struct ctu_sha256 *h, const char *want, bool blob, ctu_err_t *err)
{
	char got[CTU_DIGEST_SIZE];

	if (ctu_sha256_final(h, got) < 0)
		return ctu_err_make(err, EIO, "cannot hash the layer");
	if (!want || !*want || !strcmp(got, want))
		return 0;
	if (blob)
		return ctu_err_make(err, 0, "blob has digest %s", got);
	return ctu_err_make(err, 0, "uncompressed layer has digest %s (diff_id %s)", got, want);
}

/*
 * Reads the whole layer into @j.  A bad blob is the first thing to say:
 * after any failure the rest of the blob is hashed, and a digest that
 * differs replaces the error it caused (a flipped byte is a corrupt blob,
 * not a bad gzip stream).
 */
static int read_layer(struct layer_job *j, struct stream *s, const char *digest,
		      const char *diff_id, ctu_err_t *err)
{
	_cleanup_err_ ctu_err_t blob_err = NULL;
	int r;

	if (blob_size_check(s, err) < 0)
		return ctu_err_code(*err);
	r = outer_open(s, err);
	if (r == 0)
		r = inner_open(s, err);
	if (r == 0)
		r = read_entries(j, s, err);
	if (blob_finish(s, &blob_err) < 0 || digest_check(&s->blob, digest, true, &blob_err) < 0) {
		ctu_err_free(err);
		*err = ctu_steal_ptr(&blob_err);
		return ctu_err_code(*err);
	}
	if (r < 0)
		return r;
	if (s->failed)
		return ctu_err_make(err, EIO, "cannot hash the layer");
	return digest_check(&s->tar, diff_id, false, err);
}

static void warn_counts(const struct layer_job *j)
{
	const char *name = j->o->name ? j->o->name : "layer";

	if (j->overlay_xattrs)
		ctu_warn(0, "%s: dropped %llu overlay xattrs (the first %s): they would steer overlayfs",
			 name, (unsigned long long)j->overlay_xattrs,
			 j->first_overlay_xattr ? j->first_overlay_xattr : "");
	if (j->denied_xattrs)
		ctu_warn(0, "%s: dropped %llu xattrs not permitted here (the first %s)", name,
			 (unsigned long long)j->denied_xattrs,
			 j->first_denied_xattr ? j->first_denied_xattr : "");
	if (j->devices)
		ctu_warn(0, "%s: skipped %llu device nodes: making them needs CAP_MKNOD", name,
			 (unsigned long long)j->devices);
	if (j->sockets)
		ctu_warn(0, "%s: skipped %llu sockets", name, (unsigned long long)j->sockets);
	if (j->unmapped)
		ctu_warn(0,
			 "%s: %llu entries with ids not mapped here stored as 0:0: map more ids "
			 "(unshare-lite --map-auto)",
			 name, (unsigned long long)j->unmapped);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void job_free(struct layer_job *j)
{
	layer_forget_cache(j);
	for (size_t i = 0; i < j->n_dirs; i++)
		free(j->dirs[i].path);
	free(j->dirs);
	for (size_t i = 0; i < j->n_marks; i++)
		free(j->marks[i].path);
	free(j->marks);
	free_strv(j->opaque, j->n_opaque);
	free_strv(j->skipped_devices, j->n_skipped);
	free(j->uids.r);
	free(j->gids.r);
	free(j->first_overlay_xattr);
	free(j->first_denied_xattr);
	if (j->rootfd >= 0)
		close(j->rootfd);
}

static void stream_free(struct stream *s)
{
	if (s->inner)
		archive_read_free(s->inner);
	if (s->outer)
		archive_read_free(s->outer);
	ctu_sha256_free(&s->blob);
	ctu_sha256_free(&s->tar);
	free(s);
}

/* Everything but the reading: the root's implied attributes first, the markers and times last. */
static int unpack(struct layer_job *j, struct stream *s, const char *digest, const char *diff_id,
		  ctu_err_t *err)
{
	_cleanup_close_ int root = layer_openat2(j->rootfd, ".", O_RDONLY | O_DIRECTORY);

	if (root < 0 && errno == ENOSYS) {
		ctu_err_make(err, ENOSYS, "cannot open the layer directory");
		return ctu_err_hint(err, "--image needs Linux 5.6 (openat2)");
	}
	if (root < 0)
		return ctu_err_errno(err, "cannot open the layer directory");
	if (layer_ids_load(j, err) < 0 || layer_implied_attrs(j, root, ".", err) < 0 ||
	    read_layer(j, s, digest, diff_id, err) < 0 || layer_marks_apply(j, err) < 0 ||
	    layer_dir_times_apply(j, err) < 0)
		return ctu_err_code(*err);
	warn_counts(j);
	return 0;
}

int layer_unpack(int blobfd, int64_t size, const char *digest, const char *diff_id, int rootfd,
		 const int *lowers, size_t n_lowers, const struct layer_opts *o,
		 struct layer_stats *st, ctu_err_t *err)
{
	struct layer_job j = {
		.lowers = lowers, .n_lowers = n_lowers, .o = o, .st = st, .cache_fd = -1,
		.opaque_xattr = o->user_store ? "user.overlay.opaque" : "trusted.overlay.opaque",
	};
	struct stream *s = calloc(1, sizeof(*s));
	/* pax names are UTF-8: in the C locale libarchive would mangle what is not ASCII */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old = (locale_t)0;
	int r;

	*st = (struct layer_stats){ 0 };
	j.rootfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (!s || !utf8 || j.rootfd < 0 || ctu_sha256_init(&s->blob) < 0 ||
	    ctu_sha256_init(&s->tar) < 0) {
		r = ctu_err_make(err, !utf8 ? ENOENT : j.rootfd < 0 ? errno : ENOMEM,
				 !utf8 ? "cannot load the C.UTF-8 locale" : "cannot start unpacking");
	} else {
		s->fd = blobfd;
		s->size = size;
		old = uselocale(utf8);
		r = unpack(&j, s, digest, diff_id, err);
		uselocale(old);
		st->blob_bytes = s->read;
	}
	if (utf8)
		freelocale(utf8);
	if (s)
		stream_free(s);
	job_free(&j);
	return r;
}
