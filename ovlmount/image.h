/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image.h - what ovlmount's image jobs share (../shared/spec/images.md):
 * image sources and their manifests (image.c), one layer's tar unpacked
 * into a directory (layer.c), the layer store with its locks and leases
 * (store.c), and a container's upper written back as an image (commit.c).
 * Reading a source never writes to it; only store.c writes the store.
 */
#ifndef OVLMOUNT_IMAGE_H
#define OVLMOUNT_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"
#include "json.h"
#include "out.h"
#include "strv.h"

/* At most this many layers in one image (the kernel stacks 500). */
#define IMG_MAX_LAYERS 500

/* ---- image.c: sources */

enum img_transport { IMG_OCI, IMG_OCI_ARCHIVE, IMG_DOCKER_ARCHIVE };

/* SRC as skopeo writes it: TRANSPORT:PATH[:REF|@N]. */
struct img_source {
	enum img_transport transport;
	char *spec;  /* as given, for messages and records */
	char *path;  /* the layout directory or the archive file */
	char *ref;   /* REF (oci), REPO:TAG (docker-archive), or NULL */
	long index;  /* @N, or -1 */
};

/*
 * Splits @arg at the first ':' after the transport, as containers/image
 * does.  Unknown transports (docker://, containers-storage:) are usage
 * errors with the hint `skopeo copy SRC oci:DIR:REF`.  Pure: no file is
 * looked at (the fuzzer and cmocka drive it).
 */
int img_source_parse(const char *arg, struct img_source *src, ctu_err_t *err);
void img_source_free(struct img_source *src);

/*
 * The path made absolute (realpath) and the spec rebuilt with it, as the
 * store records sources: a record or lease must name the same image from
 * any working directory.
 */
int img_source_absolute(struct img_source *src, ctu_err_t *err);

/* OS/ARCH[/VARIANT] in Go's words (amd64, arm64, arm/v7, 386, ...). */
struct img_platform {
	char os[32], arch[32], variant[16];
};

/* --platform's argument; a usage error when malformed. */
int img_platform_parse(const char *arg, struct img_platform *p, ctu_err_t *err);

/* linux and uname's machine in Go's words (x86_64 is amd64, aarch64 arm64/v8, ...). */
int img_platform_host(struct img_platform *p, ctu_err_t *err);

/*
 * Whether a descriptor's @os/@arch/@variant (variant NULL or "" when it has
 * none) serves @want: variants are compared when both have one, a bare arm64
 * is arm64/v8; "unknown/unknown" (attestations) never matches.
 */
bool img_platform_match(const struct img_platform *want, const char *os, const char *arch,
			const char *variant);

/* "linux/arm64/v8" into @buf. */
const char *img_platform_format(const struct img_platform *p, char *buf, size_t size);

/*
 * An opened source: the layout directory held by an fd, or an archive
 * whose member list and small JSON members were read in a first pass.
 */
struct img_reader;

/*
 * Opens @src.  @spooldirfd: a directory (the store's tmp/) where an
 * archive's layers are spooled for unpacking, or -1 when nothing will be
 * spooled (--image-config).  The reader makes its own flock'ed
 * subdirectory there and removes it in img_reader_free().
 */
int img_reader_open(const struct img_source *src, int spooldirfd, struct img_reader **out,
		    ctu_err_t *err);
void img_reader_free(struct img_reader *r);

/* Where img_prepare_layers() spools (the store's tmp/), given once the source has been read. */
int img_reader_spool_in(struct img_reader *r, int spooldirfd, ctu_err_t *err);

/* One layer of an image, as its manifest and config name it. */
struct img_layer {
	char digest[CTU_DIGEST_SIZE];	/* the blob's ("" when the source names none) */
	int64_t size;			/* the descriptor's size, -1 when none */
	char *media_type;		/* as the manifest says (NULL: a plain tar) */
	char diff_id[CTU_DIGEST_SIZE];	/* the uncompressed tar's, from rootfs.diff_ids */
	char chain_id[CTU_DIGEST_SIZE]; /* the store's key */
	char *member;			/* image.c's: where the blob is in the source */
};

/* An image resolved from a source: manifest, config and layers, verified. */
struct img_image {
	char *source;			       /* the source's spec */
	char manifest_digest[CTU_DIGEST_SIZE]; /* old docker-archive: the config's */
	char config_digest[CTU_DIGEST_SIZE];
	struct img_platform platform; /* the config's os/architecture/variant */
	bool docker_types;	      /* Docker schema 2 media types */
	json_t *manifest;	      /* NULL for an old docker-archive */
	json_t *config;
	size_t n_layers;
	struct img_layer *layers; /* bottom first */
};

/*
 * Finds the image of @src in @r (REF, @N, the only one or `latest`), narrows
 * indexes to @want, reads and verifies manifest and config (digest, size,
 * 4 MiB cap, duplicate keys, media types), and computes the chain IDs.
 * Reads index, manifest and config only.
 */
int img_resolve(struct img_reader *r, const struct img_source *src,
		const struct img_platform *want, struct img_image *img, ctu_err_t *err);
void img_image_free(struct img_image *img);

/*
 * Makes the layers that @need[i] marks readable (an archive: one pass
 * spooling them into the reader's spool directory; a layout: nothing).
 */
int img_prepare_layers(struct img_reader *r, const struct img_image *img, const bool *need,
		       ctu_err_t *err);

/* An fd at the first byte of layer @i's blob (O_RDONLY|O_CLOEXEC), or -errno with *@err set. */
int img_layer_open(struct img_reader *r, const struct img_image *img, size_t i,
		   ctu_err_t *err);

/* --image-config: the config as `Name value` lines, or one sorted JSON object. */
int img_config_print(const struct img_image *img, bool json, ctu_err_t *err);

/* ---- layer.c: one layer's tar into a directory */

struct layer_opts {
	bool user_store; /* user.overlay.opaque, not trusted.overlay.opaque */
	bool can_mknod;	 /* devices made (root), else skipped with a warning */
	const char *name; /* "layer 3/7 sha256:1a2b3c4d5e6f", in warnings */
};

struct layer_stats {
	uint64_t files;	  /* entries made */
	uint64_t bytes;	  /* bytes of regular files' data */
	uint64_t dropped; /* entries skipped or dropped (sockets, overlay xattrs, ...) */
	uint64_t blob_bytes; /* bytes of the blob read */
};

/*
 * Unpacks the layer blob read from @blobfd into the empty directory
 * @rootfd, by the rules of images.md "Unpacking a layer": compression
 * told from the bytes (gzip, zstd, none), exactly @size bytes read (-1: to
 * EOF), the blob's digest checked against @digest (NULL or "": not) and the
 * tar stream's against @diff_id; whiteouts and opaque directories as
 * overlayfs wants them; nothing made outside @rootfd.  @lowers are the
 * root directories of the layers below, top first, whose attributes
 * implied directories copy.  On failure *@err says why (the caller names
 * the layer) and @rootfd's contents are the caller's to delete.
 */
int layer_unpack(int blobfd, int64_t size, const char *digest, const char *diff_id, int rootfd,
		 const int *lowers, size_t n_lowers, const struct layer_opts *o,
		 struct layer_stats *st, ctu_err_t *err);

/* What a tar member's name is, once layer_name_check() has normalized it. */
enum layer_name_kind {
	LAYER_NAME_ENTRY,    /* a path in the layer */
	LAYER_NAME_ROOT,     /* ".", "./" or "/": the layer's root */
	LAYER_NAME_WHITEOUT, /* D/.wh.NAME: out is D/NAME, the path it hides */
	LAYER_NAME_OPAQUE,   /* D/.wh..wh..opq: out is D ("." for the root) */
	LAYER_NAME_SKIP,     /* another .wh..wh. (AUFS) name, or a path below a .wh. one */
};

/*
 * Normalizes tar member name @name into @out (@size bytes): leading "/" and
 * "./", "." components and repeated or trailing slashes dropped.  Refuses
 * (-EINVAL, *@err naming the entry) an empty name, a ".." component, a
 * component of 255 or more bytes, a path of 4096 or more, and ".wh." alone.
 * Returns an enum layer_name_kind.  Pure: the fuzzer drives it.
 */
int layer_name_check(const char *name, char *out, size_t size, ctu_err_t *err);

/* ---- store.c: the layer store */

struct store {
	char *path;
	int dirfd;  /* the store directory */
	int lockfd; /* DIR/lock, flock'ed as store_open() was asked */
	bool user;  /* "user" format: user.overlay.* xattrs, mounted with userxattr */
};

/* The default store: /var/lib/ctutils/store for root in the initial user namespace, else $XDG_DATA_HOME/ctutils/store. */
char *store_default_path(void);

/*
 * Opens (and with @create makes, probing whiteouts and xattrs) the store at
 * @path (NULL: the default), flock'ed LOCK_SH or LOCK_EX as @lock says.  A
 * store made under another uid_map or format is refused.
 */
int store_open(const char *path, bool create, int lock, struct store *s, ctu_err_t *err);
void store_close(struct store *s);

/* Pulls every layer of @img the store lacks from @r, then the image record: all or nothing. */
int store_pull(struct store *s, struct img_reader *r, struct img_image *img, bool quiet,
	       ctu_err_t *err);

/* The layer directories of @img (DIR/layers/HEX/root), top first, appended to @dirs. */
int store_layer_dirs(const struct store *s, const struct img_image *img, struct ctu_strv *dirs,
		     ctu_err_t *err);

/* DIR/empty: the second lower of a one-layer read-only mount. */
char *store_empty_dir(const struct store *s);

/* Records the lease of the overlay now mounted at @merged (with @upper, or NULL). */
int store_lease_add(struct store *s, const struct img_image *img, const char *merged,
		    const char *upper, ctu_err_t *err);

/* Forgets the lease of mount @mnt_id, just unmounted from @merged (--umount); 0 also when there was none. */
int store_lease_drop(struct store *s, const char *merged, uint64_t mnt_id);

/*
 * The source of the image whose lease names @path as merged or upper
 * directory: 0 with *@source newly allocated, 1 when no lease names it.
 */
int store_lease_source(struct store *s, const char *path, char **source, ctu_err_t *err);

/* store_lease_source() and the manifest digest the lease names (*@manifest, newly allocated). */
int store_lease_image(struct store *s, const char *path, char **source, char **manifest,
		      ctu_err_t *err);

/*
 * The store whose layers/HEX/root @layer is ("DIR/layers/<64 hex>/root"):
 * DIR, newly allocated, or NULL when @layer is no store's layer.
 */
char *store_of_layer(const char *layer);

/* --store-ls [--images] */
int store_ls(struct store *s, bool images, const struct ctu_out_flags *out, ctu_err_t *err);

/* --store-rm IMAGE...: all named or none removed. */
int store_rm(struct store *s, char *const *names, ctu_err_t *err);

/* --store-prune [--dry-run] (@s locked LOCK_EX) */
int store_prune(struct store *s, bool dry_run, ctu_err_t *err);

/* ---- commit.c: --commit */

enum commit_compress { COMMIT_GZIP, COMMIT_ZSTD, COMMIT_NONE };

struct commit_request {
	const char *target;   /* MERGED or UPPER */
	const char *to;	      /* oci:DIR:REF */
	const char *from;     /* SRC, "scratch", or NULL (the lease's image) */
	const char *message;  /* history comment, or NULL */
	enum commit_compress compress;
	int64_t mtime;	      /* -1: $SOURCE_DATE_EPOCH, else now */
	const char *store;    /* --store, or NULL */
	const struct img_platform *platform; /* --platform, or NULL */
};

/* Writes the commit and prints the new manifest's digest on stdout. */
int ovl_commit(const struct commit_request *req, ctu_err_t *err);

#endif
