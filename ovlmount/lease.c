// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lease.c - the store's records of what uses it: an image record per
 * manifest (images/HEX.json, its mtime the last use) and a lease per mount
 * (mounts/ID.json).  A lease lives while its mount namespace still has the
 * overlay of that mount id at its merged directory; that is looked up in
 * the namespaces' own mount tables, never trusted from a pid alone.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "ctu.h"
#include "image.h"
#include "lazy-mount.h"
#include "mnttab.h"
#include "store-int.h"

/* The record's sources with @src added, as a new array. */
static json_t *sources_with(json_t *old, const char *src)
{
	json_t *arr = json_is_array(old) ? json_deep_copy(old) : json_array();
	size_t i;
	json_t *v;

	if (!arr)
		return NULL;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), src) == 0)
			return arr;
	json_array_append_new(arr, json_string(src));
	return arr;
}

static json_t *chain_ids(const struct img_image *img)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < img->n_layers; i++)
		json_array_append_new(arr, json_string(img->layers[i].chain_id));
	return arr;
}

int store_record_image(struct store *s, const struct img_image *img, ctu_err_t *err)
{
	const char *hex = ctu_digest_hex(img->manifest_digest);
	char name[128], lockname[96], platform[96], when[32];
	_cleanup_json_ json_t *old = NULL, *v = NULL;
	_cleanup_close_ int lock = -1, images = -1;
	ctu_err_t ignored = NULL;

	snprintf(name, sizeof(name), "%s.json", hex);
	snprintf(lockname, sizeof(lockname), "image-%s", hex);
	lock = store_lock_file(s, lockname, LOCK_EX);
	images = openat(s->dirfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || images < 0)
		return ctu_err_make(err, lock < 0 ? -lock : errno, "cannot record %s in store %s",
				    img->source, s->path);
	/* an unreadable old record is replaced: the layers are what counts */
	old = ctu_json_load_at(images, name, 0, name, &ignored);
	ctu_err_free(&ignored);
	store_time(time(NULL), when, sizeof(when));
	img_platform_format(&img->platform, platform, sizeof(platform));
	v = json_pack("{s:s, s:s, s:s, s:o?, s:o?, s:s}", "manifest", img->manifest_digest,
		      "config", img->config_digest, "platform", platform, "sources",
		      sources_with(old ? json_object_get(old, "sources") : NULL, img->source),
		      "layers", chain_ids(img), "pulled",
		      old && json_is_string(json_object_get(old, "pulled")) ?
			      json_string_value(json_object_get(old, "pulled")) :
			      when);
	if (!v)
		return ctu_err_make(err, ENOMEM, "cannot record %s", img->source);
	/* a store hit changes nothing but the time: no rewrite and fsync (bench/, 8.) */
	if (old && json_equal(old, v) && utimensat(images, name, NULL, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return ctu_json_write_at(images, name, v, true, true, err);
}

/* ---- the mount namespaces we can see */

/* The inode of a namespace file, or 0 with errno set. */
static ino_t ns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

static int add_ns(struct store_mntns **v, size_t *n, ino_t ino, pid_t pid)
{
	struct store_mntns *nv;

	for (size_t i = 0; ino && i < *n; i++)
		if ((*v)[i].ino == ino) {
			if (!(*v)[i].pid)
				(*v)[i].pid = pid;
			return 0;
		}
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = (struct store_mntns){ ino, pid };
	return 0;
}

/* nsfs bind mounts of mount namespaces in our table ("mnt:[4026532001]"): pinned, no process needed. */
static int add_pinned(struct store_mntns **v, size_t *n)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int r = 0;

	if (!tb || !it) {
		mnt_free_iter(it);
		return tb ? -ENOMEM : 0;
	}
	while (r == 0 && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *root = mnt_fs_get_root(fs), *type = mnt_fs_get_fstype(fs);
		unsigned long long ino;

		if (type && strcmp(type, "nsfs") == 0 && root && sscanf(root, "mnt:[%llu]", &ino) == 1)
			r = add_ns(v, n, (ino_t)ino, 0);
	}
	mnt_free_iter(it);
	return r;
}

int store_scan_mntns(struct store_mntns **out, size_t *n)
{
	_cleanup_closedir_ DIR *proc = opendir("/proc");
	struct dirent *e;

	*out = NULL;
	*n = 0;
	if (!proc)
		return -errno;
	while ((e = readdir(proc))) {
		char path[64];
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		ino_t ino;

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/mnt", pid);
		ino = ns_inode(path);
		/*
		 * A sibling user namespace's processes hide their namespace
		 * (EACCES) but not their mountinfo: each is kept with inode 0,
		 * its mount table read on its own.
		 */
		if ((ino || errno == EACCES || errno == EPERM) && add_ns(out, n, ino, (pid_t)pid) < 0)
			return -ENOMEM;
	}
	return add_pinned(out, n);
}

/* Whether /proc/@pid/mountinfo has overlay @mnt_id at @merged. */
static bool overlay_mounted_in(pid_t pid, json_int_t mnt_id, const char *merged)
{
	char path[64];
	struct libmnt_table *tb;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	tb = mnt_new_table_from_file(path);
	it = mnt_new_iter(MNT_ITER_FORWARD);
	while (tb && it && !found && mnt_table_next_fs(tb, it, &fs) == 0)
		found = mnt_fs_get_id(fs) == mnt_id && strcmp(mnt_fs_get_fstype(fs), "overlay") == 0 &&
			strcmp(mnt_fs_get_target(fs), merged) == 0;
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return found;
}

bool store_lease_alive(json_t *lease, const struct store_mntns *ns, size_t n)
{
	json_int_t mntns = json_integer_value(json_object_get(lease, "mntns"));
	json_int_t mnt_id = json_integer_value(json_object_get(lease, "mnt_id"));
	const char *merged = json_string_value(json_object_get(lease, "merged"));

	if (!merged)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((json_int_t)ns[i].ino != mntns)
			continue;
		/* pinned without a process: nothing to read, so it lives */
		return ns[i].pid == 0 || overlay_mounted_in(ns[i].pid, mnt_id, merged);
	}
	/* mount ids are global: the overlay in a hidden namespace's table is ours */
	for (size_t i = 0; i < n; i++)
		if (!ns[i].ino && ns[i].pid && overlay_mounted_in(ns[i].pid, mnt_id, merged))
			return true;
	return false;
}

int store_each_lease(struct store *s, int (*fn)(const char *name, json_t *lease, void *ctx),
		     void *ctx)
{
	int fd = openat(s->dirfd, "mounts", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : -errno;
	}
	while (r >= 0 && (e = readdir(d))) {
		_cleanup_json_ json_t *v = NULL;
		ctu_err_t ignored = NULL;
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		v = ctu_json_load_at(dirfd(d), e->d_name, 0, e->d_name, &ignored);
		ctu_err_free(&ignored);
		if (v)
			r = fn(e->d_name, v, ctx);
	}
	return r;
}

/* ---- leases */

int store_lease_add(struct store *s, const struct img_image *img, const char *merged,
		    const char *upper, ctu_err_t *err)
{
	_cleanup_free_ char *real = realpath(merged, NULL);
	_cleanup_free_ char *real_upper = upper ? realpath(upper, NULL) : NULL;
	_cleanup_json_ json_t *v = NULL;
	_cleanup_close_ int mounts = -1;
	struct statx stx;
	char name[64], record[128];

	if (!real || statx(AT_FDCWD, real, 0, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return ctu_err_errno(err, "cannot lease %s: no mount id", merged);
	v = json_pack("{s:s, s:s?, s:I, s:I, s:s, s:s, s:o, s:i}", "merged", real, "upper",
		      real_upper, "mntns", (json_int_t)ns_inode("/proc/self/ns/mnt"), "mnt_id",
		      (json_int_t)stx.stx_mnt_id, "image", img->manifest_digest, "source",
		      img->source, "layers", chain_ids(img), "pid", (int)getpid());
	mounts = openat(s->dirfd, "mounts", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!v || mounts < 0)
		return ctu_err_make(err, v ? errno : ENOMEM, "cannot lease %s", merged);
	snprintf(name, sizeof(name), "%llu.json", (unsigned long long)stx.stx_mnt_id);
	if (ctu_json_write_at(mounts, name, v, true, false, err) < 0)
		return ctu_err_code(*err);
	/* the image record's mtime is its last use */
	snprintf(record, sizeof(record), "images/%s.json", ctu_digest_hex(img->manifest_digest));
	utimensat(s->dirfd, record, NULL, AT_SYMLINK_NOFOLLOW);
	return 0;
}

struct lease_match {
	const char *path;
	ino_t mntns;
	const struct store_mntns *ns;
	size_t n;
	struct store *s;
	json_t *found;
};

static bool lease_names(json_t *lease, const struct lease_match *m)
{
	const char *merged = json_string_value(json_object_get(lease, "merged"));
	const char *upper = json_string_value(json_object_get(lease, "upper"));

	return (merged && strcmp(merged, m->path) == 0) || (upper && strcmp(upper, m->path) == 0);
}

/*
 * --umount: the lease of the mount just unmounted goes: its file is named
 * by the mount id, and checked to name @merged in our namespace (an id
 * the kernel gave again to another mount is someone else's lease).
 */
int store_lease_drop(struct store *s, const char *merged, uint64_t mnt_id)
{
	_cleanup_free_ char *real = realpath(merged, NULL);
	_cleanup_close_ int mounts = openat(s->dirfd, "mounts", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_json_ json_t *lease = NULL;
	ctu_err_t ignored = NULL;
	const char *named;
	char name[64];

	if (!real || mounts < 0)
		return 0;
	snprintf(name, sizeof(name), "%llu.json", (unsigned long long)mnt_id);
	lease = ctu_json_load_at(mounts, name, 0, name, &ignored);
	ctu_err_free(&ignored);
	named = json_string_value(json_object_get(lease, "merged"));
	if (!named || strcmp(named, real) != 0 ||
	    json_integer_value(json_object_get(lease, "mntns")) !=
		    (json_int_t)ns_inode("/proc/self/ns/mnt"))
		return 0;
	return unlinkat(mounts, name, 0) < 0 ? -errno : 0;
}

/* The first lease naming the path (a live one preferred). */
static int take_lease(const char *name, json_t *lease, void *ctx)
{
	struct lease_match *m = ctx;
	bool alive;

	(void)name;
	if (!json_is_string(json_object_get(lease, "source")) || !lease_names(lease, m))
		return 0;
	alive = store_lease_alive(lease, m->ns, m->n);
	if (m->found && !alive)
		return 0;
	json_decref(m->found);
	m->found = json_incref(lease);
	return alive ? -1 : 0; /* a live one ends the search */
}

/* The lease naming @path as merged or upper directory: 0 with *@lease (a new reference), 1 none. */
static int find_lease(struct store *s, const char *path, json_t **lease, ctu_err_t *err)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	_cleanup_free_ struct store_mntns *ns = NULL;
	struct lease_match m = { .s = s };
	int r;

	if (!real)
		return ctu_err_errno(err, "cannot find %s", path);
	r = store_scan_mntns(&ns, &m.n);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot look for the namespaces of leases");
	m.path = real;
	m.ns = ns;
	store_each_lease(s, take_lease, &m);
	if (!m.found)
		return 1;
	*lease = m.found;
	return 0;
}

/* A string member of @lease, newly allocated ("" when absent). */
static char *lease_string(json_t *lease, const char *key)
{
	const char *v = json_string_value(json_object_get(lease, key));

	return strdup(v ? v : "");
}

int store_lease_source(struct store *s, const char *path, char **source, ctu_err_t *err)
{
	return store_lease_image(s, path, source, NULL, err);
}

int store_lease_image(struct store *s, const char *path, char **source, char **manifest,
		      ctu_err_t *err)
{
	_cleanup_json_ json_t *lease = NULL;
	int r = find_lease(s, path, &lease, err);

	if (r != 0)
		return r;
	*source = lease_string(lease, "source");
	if (manifest)
		*manifest = lease_string(lease, "image");
	if (!*source || (manifest && !*manifest)) {
		free(*source);
		if (manifest)
			free(*manifest);
		return ctu_err_make(err, ENOMEM, "cannot read the lease of %s", path);
	}
	return 0;
}
