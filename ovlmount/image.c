// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * image.c - an image source opened for reading: an OCI layout held by a
 * directory fd (every blob opened beneath it with openat2, and only by a
 * name built from a digest already checked), or an archive listed by
 * archive.c.  Whatever a source holds is hashed before it is believed.
 * The image is found by resolve.c (OCI) and docker.c (manifest.json).
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "ctu.h"
#include "imgsrc.h"

/*
 * Without openat2 (before 5.6, or under valgrind): component by component,
 * no symlink followed at all, which is stricter.  Our names never hold "..".
 */
static int open_nofollow_walk(int dirfd, const char *path, int flags)
{
	char buf[256];
	char *c = buf, *slash;
	int fd = dirfd, next;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	while ((slash = strchr(c, '/'))) {
		*slash = '\0';
		next = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd != dirfd)
			close(fd);
		if (next < 0)
			return -1;
		fd = next;
		c = slash + 1;
	}
	next = openat(fd, c, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd != dirfd) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return next;
}

static int openat2_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		return open_nofollow_walk(dirfd, path, flags);
	return fd;
}

/* A file of the layout, opened beneath it; must be a regular file. */
static int layout_open(struct img_reader *r, const char *name, struct stat *st, ctu_err_t *err)
{
	_cleanup_close_ int fd = openat2_beneath(r->dirfd, name, O_RDONLY | O_NOCTTY);

	if (fd < 0)
		return ctu_err_errno(err, "cannot open %s", name);
	if (fstat(fd, st) < 0)
		return ctu_err_errno(err, "%s", name);
	if (!S_ISREG(st->st_mode))
		return ctu_err_make(err, 0, "%s: not a regular file", name);
	return ctu_steal_fd(&fd);
}

int rd_read_file(struct img_reader *r, const char *name, char **buf, size_t *len,
		 ctu_err_t *err)
{
	struct stat st = { 0 };
	_cleanup_close_ int fd = -1;

	if (r->ar)
		return arc_read(r->ar, name, buf, len, err);
	fd = layout_open(r, name, &st, err);
	if (fd < 0)
		return fd;
	return ctu_json_read_fd(fd, CTU_JSON_MAX, name, buf, len, err);
}

bool rd_has_file(struct img_reader *r, const char *name)
{
	struct stat st = { 0 };

	if (r->ar)
		return arc_has(r->ar, name);
	return fstatat(r->dirfd, name, &st, 0) == 0;
}

json_t *rd_load_file(struct img_reader *r, const char *name, ctu_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (rd_read_file(r, name, &buf, &len, err) < 0)
		return NULL;
	return ctu_json_parse(buf, len, name, err);
}

static int blob_name(const char *digest, char name[96])
{
	snprintf(name, 96, "blobs/sha256/%s", ctu_digest_hex(digest));
	return 0;
}

json_t *rd_load_blob(struct img_reader *r, const char *digest, int64_t size, const char *what,
		     ctu_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	char name[96], got[CTU_DIGEST_SIZE];
	size_t len;

	if (ctu_digest_check(digest, what, err) < 0)
		return NULL;
	if (size > (int64_t)CTU_JSON_MAX) {
		ctu_err_make(err, 0, "%s %.19s: larger than %zu bytes", what, digest,
			     CTU_JSON_MAX);
		return NULL;
	}
	blob_name(digest, name);
	if (rd_read_file(r, name, &buf, &len, err) < 0) {
		ctu_err_wrap(err, "%s", what);
		return NULL;
	}
	if (size >= 0 && len != (size_t)size) {
		ctu_err_make(err, 0, "%s %.19s: blob has %zu bytes, its descriptor says %lld",
			     what, digest, len, (long long)size);
		return NULL;
	}
	if (ctu_sha256_buf(buf, len, got) < 0) {
		ctu_err_make(err, 0, "%s: cannot hash", what);
		return NULL;
	}
	if (strcmp(got, digest)) {
		ctu_err_make(err, 0, "%s %.19s: blob has digest %.19s", what, digest, got);
		return NULL;
	}
	return ctu_json_parse(buf, len, what, err);
}

/* oci-layout must say "1.0.0", the one version there is. */
static int check_layout(struct img_reader *r, ctu_err_t *err)
{
	_cleanup_json_ json_t *v = rd_load_file(r, "oci-layout", err);
	const char *version;

	if (!v)
		return ctu_err_code(*err);
	if (ctu_json_get_string(v, "oci-layout", "imageLayoutVersion", true, &version, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(version, "1.0.0"))
		return ctu_err_make(err, 0, "oci-layout: imageLayoutVersion '%.32s', not 1.0.0",
				    version);
	return 0;
}

int img_reader_open(const struct img_source *src, int spooldirfd, struct img_reader **out,
		    ctu_err_t *err)
{
	struct img_reader *r = calloc(1, sizeof(*r));
	int ret;

	*out = NULL;
	if (!r)
		return ctu_err_make(err, ENOMEM, "%s", src->spec);
	r->transport = src->transport;
	r->dirfd = r->spooldirfd = -1;
	r->spec_copy = strdup(src->spec);
	r->spec = r->spec_copy;
	if (!r->spec) {
		img_reader_free(r);
		return ctu_err_make(err, ENOMEM, "%s", src->spec);
	}
	if (src->transport == IMG_OCI) {
		r->dirfd = open(src->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ret = r->dirfd < 0 ? ctu_err_errno(err, "cannot open %s", src->path)
				   : check_layout(r, err);
	} else {
		ret = arc_open(src->path, &r->ar, err);
		if (ret == 0 && src->transport == IMG_OCI_ARCHIVE)
			ret = check_layout(r, err);
	}
	if (ret == 0 && spooldirfd >= 0 &&
	    (r->spooldirfd = fcntl(spooldirfd, F_DUPFD_CLOEXEC, 3)) < 0)
		ret = ctu_err_errno(err, "dup");
	if (ret < 0) {
		img_reader_free(r);
		return ctu_err_wrap(err, "%s", src->spec);
	}
	*out = r;
	return 0;
}

int img_reader_spool_in(struct img_reader *r, int spooldirfd, ctu_err_t *err)
{
	if (r->spooldirfd >= 0)
		close(r->spooldirfd);
	r->spooldirfd = fcntl(spooldirfd, F_DUPFD_CLOEXEC, 3);
	if (r->spooldirfd < 0)
		return ctu_err_errno(err, "%s: cannot use the spool directory", r->spec);
	return 0;
}

void img_reader_free(struct img_reader *r)
{
	if (!r)
		return;
	arc_free(r->ar);
	if (r->dirfd >= 0)
		close(r->dirfd);
	if (r->spooldirfd >= 0)
		close(r->spooldirfd);
	free(r->spec_copy);
	free(r);
}

int img_resolve(struct img_reader *r, const struct img_source *src,
		const struct img_platform *want, struct img_image *img, ctu_err_t *err)
{
	int ret;

	memset(img, 0, sizeof(*img));
	img->source = strdup(src->spec);
	if (!img->source)
		return ctu_err_make(err, ENOMEM, "%s", src->spec);
	if (src->transport == IMG_DOCKER_ARCHIVE)
		ret = res_docker(r, src, want, img, err);
	else
		ret = res_oci(r, src, want, img, err);
	if (ret < 0) {
		img_image_free(img);
		return ctu_err_wrap(err, "%s", src->spec);
	}
	return 0;
}

void img_image_free(struct img_image *img)
{
	free(img->source);
	json_decref(img->manifest);
	json_decref(img->config);
	for (size_t i = 0; i < img->n_layers; i++) {
		free(img->layers[i].media_type);
		free(img->layers[i].member);
	}
	free(img->layers);
	memset(img, 0, sizeof(*img));
}

/* "layer 3/7 sha256:1a2b3c4d5e6f", as messages name a layer. */
static const char *layer_name(const struct img_image *img, size_t i, char *buf, size_t size)
{
	const struct img_layer *l = &img->layers[i];

	snprintf(buf, size, "layer %zu/%zu %.19s", i + 1, img->n_layers,
		 l->digest[0] ? l->digest : l->diff_id);
	return buf;
}

int img_prepare_layers(struct img_reader *r, const struct img_image *img, const bool *need,
		       ctu_err_t *err)
{
	char name[64];

	if (!r->ar)
		return 0;
	for (size_t i = 0; i < img->n_layers; i++)
		if (need[i] && arc_need(r->ar, img->layers[i].member, err) < 0)
			return ctu_err_wrap(err, "%s: %s", r->spec,
					    layer_name(img, i, name, sizeof(name)));
	if (arc_spool(r->ar, r->spooldirfd, err) < 0)
		return ctu_err_wrap(err, "%s", r->spec);
	return 0;
}

static int layer_fd(struct img_reader *r, const struct img_layer *l, ctu_err_t *err)
{
	char name[96];
	struct stat st = { 0 };
	_cleanup_close_ int fd = -1;

	if (r->ar) {
		fd = arc_open_spooled(r->ar, l->member, err);
		if (fd >= 0 && fstat(fd, &st) < 0)
			return ctu_err_errno(err, "%s", l->member);
	} else {
		if (ctu_digest_check(l->digest, "the blob digest", err) < 0)
			return ctu_err_code(*err);
		blob_name(l->digest, name);
		fd = layout_open(r, name, &st, err);
	}
	if (fd < 0)
		return fd;
	if (l->size >= 0 && st.st_size != l->size)
		return ctu_err_make(err, 0, "blob has %lld bytes, its descriptor says %lld",
				    (long long)st.st_size, (long long)l->size);
	return ctu_steal_fd(&fd);
}

int img_layer_open(struct img_reader *r, const struct img_image *img, size_t i, ctu_err_t *err)
{
	char name[64];
	int fd;

	if (i >= img->n_layers)
		return ctu_err_make(err, 0, "%s: no layer %zu", r->spec, i + 1);
	fd = layer_fd(r, &img->layers[i], err);
	if (fd < 0)
		return ctu_err_wrap(err, "%s: %s", r->spec, layer_name(img, i, name, sizeof(name)));
	return fd;
}
