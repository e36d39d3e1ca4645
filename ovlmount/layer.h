/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layer.h - what the parts of layer_unpack() share: layer.c reads the blob
 * and the tar, layer-entry.c makes one entry, layer-tree.c resolves
 * parents and makes implied directories, layer-attr.c sets owners, xattrs,
 * modes and times, layer-marks.c applies whiteouts, opaque markers and the
 * directory times at the end.
 */
#ifndef OVLMOUNT_LAYER_H
#define OVLMOUNT_LAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "image.h"

struct archive;
struct archive_entry;

/* layer_name_show()'s buffer: a name cut for messages */
#define LAYER_SHOW_SIZE 160

/* @name for a one-line message: control bytes as '?', long ones cut with "...". */
const char *layer_name_show(const char *name, char buf[LAYER_SHOW_SIZE]);

struct layer_idrange {
	uint32_t first, count;
};

/* The ids of this user namespace (from /proc/self/[ug]id_map). */
struct layer_ids {
	struct layer_idrange *r; /* NULL: no map to read, ids go through */
	size_t n, cap;
};

/* A directory whose times are set at the end, once nothing more is made in it. */
struct layer_dir {
	char *path;
	size_t depth, seq;
	struct timespec times[2];
};

/* A whiteout or opaque marker, applied after the last entry (they may come anywhere). */
struct layer_mark {
	int kind; /* LAYER_NAME_WHITEOUT or LAYER_NAME_OPAQUE */
	char *path;
};

/* What layer_unpack() keeps while it runs. */
struct layer_job {
	int rootfd; /* O_PATH of the layer directory */
	const int *lowers;
	size_t n_lowers;
	const struct layer_opts *o;
	struct layer_stats *st;
	struct archive *tar; /* reader 2: the current entry's data */
	const bool *tar_eof; /* reader 2 has seen the end of the stream */
	const char *opaque_xattr;

	struct layer_ids uids, gids;

	/* the last parent resolved: tar entries come grouped by directory */
	char *cache_path;
	int cache_fd;

	struct layer_dir *dirs;
	size_t n_dirs, cap_dirs;
	struct layer_mark *marks;
	size_t n_marks, cap_marks;
	char **opaque; /* directories made opaque, for the whiteouts below them */
	size_t n_opaque, cap_opaque;
	char **skipped_devices; /* so that hardlinks to them are skipped too */
	size_t n_skipped, cap_skipped;

	/* for the warnings, once per layer */
	uint64_t unmapped, devices, sockets, overlay_xattrs, denied_xattrs;
	char *first_overlay_xattr, *first_denied_xattr;
};

/* Grows array *@v of @n elements of @elem bytes to hold one more (capacity in *@cap). */
int layer_grow(void *v, size_t *cap, size_t n, size_t elem);

/*
 * layer-entry.c: makes entry @e (its data read from j->tar).  1: the
 * stream ended with its data (no padding, no end blocks): the last entry.
 */
int layer_entry(struct layer_job *j, struct archive_entry *e, ctu_err_t *err);

/* layer-tree.c */

/* openat2 beneath @dirfd, no symlinks, no magic links, no mount crossing. */
int layer_openat2(int dirfd, const char *path, int flags);

/*
 * An O_PATH fd of directory @dir ("." for the root) of the layer, borrowed
 * (valid until the next call or layer_forget_cache()).  With @create,
 * missing directories are made as implied ones; without, -ENOENT.  A
 * symlink on the way refuses @entry (`entry 'a/passwd' goes through the
 * symlink 'a'`).
 */
int layer_dir_fd(struct layer_job *j, const char *entry, const char *dir, bool create,
		 ctu_err_t *err);
void layer_forget_cache(struct layer_job *j);

/*
 * Removes @name in @dirfd, with everything below it when a directory.  The
 * cached parent must not be below it (it is @dirfd itself when an entry
 * replaces an earlier one).
 */
int layer_remove(struct layer_job *j, int dirfd, const char *name);

/* The attributes directory @path shows in the layers below (0755 0:0 mtime 0 when none), set on @fd. */
int layer_implied_attrs(struct layer_job *j, int fd, const char *path, ctu_err_t *err);

/* layer-attr.c */

/* Owner, mode and times an entry or a lower directory gives. */
struct layer_attrs {
	uint64_t uid, gid;
	mode_t mode;
	struct timespec times[2];
	struct archive_entry *e; /* xattrs from this entry ... */
	int xattr_fd;		 /* ... or copied from this directory (-1: none) */
};

void layer_attrs_from_entry(struct layer_attrs *a, struct archive_entry *e);

/*
 * Sets owner, xattrs and mode of @fd (in this order: chown clears setuid
 * bits and security.capability).  @fd is O_PATH (@opath) for symlinks,
 * devices and fifos; @is_link: a symlink, no mode to set.
 */
int layer_attrs_apply(struct layer_job *j, int fd, bool opath, bool is_link,
		      const struct layer_attrs *a, const char *path, ctu_err_t *err);

/* Then the times (a directory's wait for layer_dir_times_apply()). */
int layer_times_apply(int fd, const struct layer_attrs *a, const char *path, ctu_err_t *err);

/* Removes the xattrs of directory @fd that an entry over it replaces (not overlay's). */
int layer_xattrs_clear(int fd, const char *path, ctu_err_t *err);

/* Reads the id maps of this process. */
int layer_ids_load(struct layer_job *j, ctu_err_t *err);

/* layer-marks.c */
int layer_mark_add(struct layer_job *j, int kind, const char *path, ctu_err_t *err);
int layer_dir_defer(struct layer_job *j, const char *path, const struct timespec times[2],
		    ctu_err_t *err);
int layer_marks_apply(struct layer_job *j, ctu_err_t *err);
int layer_dir_times_apply(struct layer_job *j, ctu_err_t *err);

/* "entry 'NAME': " + the rest, NAME shown for a message */
int layer_entry_err(ctu_err_t *err, int errnum, const char *entry, const char *fmt, ...)
	CTU_PRINTF(4, 5);

#endif
