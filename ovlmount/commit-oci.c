// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit-oci.c - the OCI layout --commit writes to: DIR made a layout when
 * it is none, blobs written beside their final name and renamed when whole,
 * and index.json replaced last, which is the commit point.  Until then a
 * failure removes what this run added; a reader sees the old index or the
 * new one, and never a name pointing at a missing blob.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "commit.h"
#include "ctu.h"
#include "json.h"

#define LAYOUT_FILE "oci-layout"
#define LAYOUT_TEXT "{\"imageLayoutVersion\":\"1.0.0\"}"

static bool ref_component_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t run = 0;

		while (i < len && isalnum((unsigned char)s[i]) && (unsigned char)s[i] < 0x80)
			i++, run++;
		if (!run)
			return false;
		if (i == len)
			return true;
		/* one separator, or "--" */
		if (s[i] == '-' && i + 1 < len && s[i + 1] == '-')
			i += 2;
		else if (strchr("-._:@+", s[i]))
			i++;
		else
			return false;
		if (i == len)
			return false;
	}
	return false;
}

bool oci_ref_valid(const char *ref)
{
	const char *p = ref;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (!ref_component_valid(p, len))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

int oci_out_parse(const char *to, struct oci_out *o, ctu_err_t *err)
{
	const char *rest, *colon;

	*o = (struct oci_out){ .dirfd = -1, .blobsfd = -1, .undo = CTU_UNDO_INIT };
	if (strncmp(to, "oci:", 4) != 0) {
		ctu_err_usage(err, "--to '%s': --commit writes only oci:<dir>:<ref>", to);
		return ctu_err_hint(err, "then skopeo copy oci:<dir>:<ref> '%s'", to);
	}
	rest = to + 4;
	colon = strchr(rest, ':');
	if (colon == rest || !*rest)
		return ctu_err_usage(err, "--to '%s': no directory", to);
	if (!colon || !colon[1])
		return ctu_err_usage(err, "--to '%s': no reference (oci:<dir>:<ref>)", to);
	if (!oci_ref_valid(colon + 1))
		return ctu_err_usage(err,
				     "--to '%s': invalid reference '%s' (letters and digits joined "
				     "by one of -._:@+ or by --, '/' between components)",
				     to, colon + 1);
	o->dir = strndup(rest, (size_t)(colon - rest));
	o->ref = strdup(colon + 1);
	if (!o->dir || !o->ref)
		return ctu_err_make(err, ENOMEM, "--to '%s'", to);
	return 0;
}

/* Whether the directory at @fd holds nothing. */
static int dir_is_empty(int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	struct dirent *de;
	int r = 1;

	if (!d) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		return r;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			r = 0;
			break;
		}
	closedir(d);
	return r;
}

/* An existing oci-layout must say 1.0.0; a new one is written into an empty DIR only. */
static int ensure_layout_file(struct oci_out *o, ctu_err_t *err)
{
	_cleanup_json_ json_t *v = NULL;
	const char *version;
	int r;

	if (faccessat(o->dirfd, LAYOUT_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		v = ctu_json_load_at(o->dirfd, LAYOUT_FILE, 0, LAYOUT_FILE, err);
		if (!v || ctu_json_get_string(v, "", "imageLayoutVersion", true, &version, err) < 0)
			return ctu_err_wrap(err, "%s", o->dir);
		if (strcmp(version, "1.0.0") != 0)
			return ctu_err_make(err, 0, "%s: image layout version '%s', not 1.0.0",
					    o->dir, version);
		return 0;
	}
	r = dir_is_empty(o->dirfd);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot read %s", o->dir);
	if (r == 0)
		return ctu_err_make(err, 0, "%s: not empty and not an OCI layout (no %s)", o->dir,
				    LAYOUT_FILE);
	if (ctu_write_file_atomic(o->dirfd, LAYOUT_FILE, LAYOUT_TEXT, strlen(LAYOUT_TEXT), true,
				  err) < 0 ||
	    ctu_undo_file(&o->undo, o->dirfd, LAYOUT_FILE, 0, err) < 0)
		return ctu_err_wrap(err, "%s", o->dir);
	return 0;
}

int oci_out_open(struct oci_out *o, ctu_err_t *err)
{
	if (ctu_mkdir_p(&o->undo, AT_FDCWD, o->dir, 0755, 0, err) < 0)
		return ctu_err_code(*err);
	o->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0)
		return ctu_err_errno(err, "cannot open %s", o->dir);
	/* two commits into one layout would each write an index without the other's REF */
	if (flock(o->dirfd, LOCK_EX) < 0)
		return ctu_err_errno(err, "cannot lock %s", o->dir);
	if (ensure_layout_file(o, err) < 0)
		return ctu_err_code(*err);
	if (ctu_mkdir_p(&o->undo, o->dirfd, "blobs/sha256", 0755, 0, err) < 0)
		return ctu_err_wrap(err, "%s", o->dir);
	o->blobsfd = openat(o->dirfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC);
	if (o->blobsfd < 0)
		return ctu_err_errno(err, "cannot open %s/blobs/sha256", o->dir);
	return 0;
}

void oci_out_close(struct oci_out *o, bool keep)
{
	if (keep)
		ctu_undo_forget(&o->undo);
	else
		ctu_undo_rollback(&o->undo);
	if (o->blobsfd >= 0)
		close(o->blobsfd);
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->dir);
	free(o->ref);
	o->dir = o->ref = NULL;
	o->dirfd = o->blobsfd = -1;
}

bool oci_blob_has(const struct oci_out *o, const char *digest, int64_t size)
{
	struct stat s;

	if (!ctu_digest_valid(digest) ||
	    fstatat(o->blobsfd, ctu_digest_hex(digest), &s, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISREG(s.st_mode) && (size < 0 || s.st_size == size);
}

int oci_blob_tmp_open(struct oci_out *o, struct oci_blob_tmp *t, ctu_err_t *err)
{
	uint64_t rnd;

	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return ctu_err_errno(err, "getrandom");
		snprintf(t->name, sizeof(t->name), ".tmp-%016llx", (unsigned long long)rnd);
		t->fd = openat(o->blobsfd, t->name,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (t->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	t->name[0] = '\0';
	return ctu_err_errno(err, "cannot create a blob in %s/blobs/sha256", o->dir);
}

void oci_blob_tmp_discard(struct oci_out *o, struct oci_blob_tmp *t)
{
	CTU_PROTECT_ERRNO;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->name[0])
		unlinkat(o->blobsfd, t->name, 0);
	t->name[0] = '\0';
}

int oci_blob_tmp_commit(struct oci_out *o, struct oci_blob_tmp *t, const char *digest,
			ctu_err_t *err)
{
	const char *hex = ctu_digest_hex(digest);

	if (fsync(t->fd) < 0) {
		ctu_err_errno(err, "cannot write %s/blobs/sha256/%s", o->dir, hex);
		oci_blob_tmp_discard(o, t);
		return ctu_err_code(*err);
	}
	close(t->fd);
	t->fd = -1;
	if (renameat2(o->blobsfd, t->name, o->blobsfd, hex, RENAME_NOREPLACE) < 0) {
		int e = errno;

		oci_blob_tmp_discard(o, t);
		/* the same digest is the same bytes: the blob there will do */
		if (e == EEXIST)
			return 0;
		return ctu_err_make(err, e, "cannot write %s/blobs/sha256/%s", o->dir, hex);
	}
	t->name[0] = '\0';
	return ctu_undo_file(&o->undo, o->blobsfd, hex, 0, err);
}

int oci_blob_put(struct oci_out *o, const void *buf, size_t len, char digest[CTU_DIGEST_SIZE],
		 ctu_err_t *err)
{
	struct oci_blob_tmp t = { .fd = -1 };
	int r = ctu_sha256_buf(buf, len, digest);

	if (r < 0)
		return ctu_err_make(err, -r, "cannot hash a blob");
	if (oci_blob_has(o, digest, (int64_t)len))
		return 0;
	if (oci_blob_tmp_open(o, &t, err) < 0)
		return ctu_err_code(*err);
	r = ctu_write_all(t.fd, buf, len);
	if (r < 0) {
		oci_blob_tmp_discard(o, &t);
		return ctu_err_make(err, -r, "cannot write a blob in %s/blobs/sha256", o->dir);
	}
	return oci_blob_tmp_commit(o, &t, digest, err);
}

/* index.json as it is, or a new one; its manifests array into *@manifests (borrowed). */
static json_t *index_load(struct oci_out *o, json_t **manifests, ctu_err_t *err)
{
	json_t *idx;

	if (faccessat(o->dirfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		idx = json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2, "mediaType", OCI_INDEX_TYPE,
				"manifests");
		if (!idx)
			ctu_err_make(err, ENOMEM, "index.json");
		else
			*manifests = json_object_get(idx, "manifests");
		return idx;
	}
	idx = ctu_json_load_at(o->dirfd, "index.json", 0, "index.json", err);
	if (idx && ctu_json_get_array(idx, "", "manifests", true, manifests, err) < 0) {
		json_decref(idx);
		idx = NULL;
	}
	if (!idx)
		ctu_err_wrap(err, "%s", o->dir);
	return idx;
}

/* Whether index entry @m carries the name @ref. */
static bool names_ref(json_t *m, const char *ref)
{
	json_t *ann = json_object_get(m, "annotations");
	const char *name = json_string_value(json_object_get(ann, OCI_REF_ANNOTATION));

	return name && strcmp(name, ref) == 0;
}

int oci_index_update(struct oci_out *o, json_t *desc, ctu_err_t *err)
{
	_cleanup_json_ json_t *idx = NULL;
	json_t *manifests = NULL, *ann;

	/* the blobs' names reach the disk before an index can point at them */
	if (fsync(o->blobsfd) < 0)
		return ctu_err_errno(err, "cannot sync %s/blobs/sha256", o->dir);
	idx = index_load(o, &manifests, err);
	if (!idx)
		return ctu_err_code(*err);
	for (size_t i = json_array_size(manifests); i-- > 0;)
		if (names_ref(json_array_get(manifests, i), o->ref))
			json_array_remove(manifests, i);
	ann = json_pack("{s:s}", OCI_REF_ANNOTATION, o->ref);
	if (!ann || json_object_set_new(desc, "annotations", ann) < 0 ||
	    json_array_append(manifests, desc) < 0)
		return ctu_err_make(err, ENOMEM, "%s/index.json", o->dir);
	if (ctu_json_write_at(o->dirfd, "index.json", idx, false, true, err) < 0)
		return ctu_err_wrap(err, "%s", o->dir);
	/* committed: the blobs are named now, whatever happens next */
	ctu_undo_forget(&o->undo);
	/* past the commit point a failure is no failure of the commit: said, not returned */
	if (fsync(o->dirfd) < 0)
		ctu_warn(errno, "committed to %s, but cannot sync it", o->dir);
	return 0;
}
