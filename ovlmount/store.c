// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * store.c - the layer store: where it is, making it, and refusing one made
 * under other rules.  A store holds layers unpacked under one user
 * namespace's id map and one xattr namespace ("trusted" for root in the
 * initial namespace, "user" elsewhere); its owners and opaque markers mean
 * something only there, so store.json fixes both at creation.
 * The pull is pull.c's, leases lease.c's, listing and pruning storels.c's.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "ctu.h"
#include "idmap.h"
#include "image.h"
#include "store-int.h"
#include "undo.h"

#define STORE_SYSTEM "/var/lib/ctutils/store"

static const char *const store_subdirs[] = { "layers", "images", "mounts", "tmp", "empty", "locks" };

/* /proc/self/@file ("uid_map") as "0 100000 65536", lines joined by ", ". */
char *store_id_map(const char *file)
{
	_cleanup_free_ char *raw = NULL;
	char path[64], *out, *p;
	unsigned long a, b, c;
	int n;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	if (ctu_read_file(AT_FDCWD, path, &raw, NULL) < 0)
		return NULL;
	out = calloc(1, strlen(raw) + 1);
	if (!out)
		return NULL;
	p = out;
	for (const char *s = raw; sscanf(s, " %lu %lu %lu%n", &a, &b, &c, &n) == 3; s += n)
		p += sprintf(p, "%s%lu %lu %lu", p == out ? "" : ", ", a, b, c);
	return out;
}

char *store_default_path(void)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *path = NULL;

	if (geteuid() == 0 && ctu_userns_is_initial())
		return strdup(STORE_SYSTEM);
	if (xdg && *xdg == '/')
		return asprintf(&path, "%s/ctutils/store", xdg) < 0 ? NULL : path;
	if (home && *home == '/')
		return asprintf(&path, "%s/.local/share/ctutils/store", home) < 0 ? NULL : path;
	return NULL;
}

/* The format this process can fill and mount: "trusted" only for root in the initial namespace. */
static const char *format_here(void)
{
	return geteuid() == 0 && ctu_userns_is_initial() ? "trusted" : "user";
}

/*
 * What unpacking needs from the filesystem under the store: a whiteout (a
 * 0:0 character device, unprivileged since Linux 5.8) and the opaque xattr
 * of the format (trusted.* or user.*; tmpfs has user.* xattrs from 6.6).
 */
static int probe_filesystem(int dirfd, const char *path, const char *format, ctu_err_t *err)
{
	char name[64], attr[64];
	_cleanup_close_ int fd = -1;
	int r = 0;

	snprintf(name, sizeof(name), "tmp/probe.%d", (int)getpid());
	if (mknodat(dirfd, name, S_IFCHR | 0600, makedev(0, 0)) < 0)
		return ctu_err_errno(err, "store %s: cannot make overlayfs whiteouts there", path);
	unlinkat(dirfd, name, 0);
	if (mkdirat(dirfd, name, 0700) < 0)
		return ctu_err_errno(err, "store %s: cannot make a directory in tmp/", path);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	snprintf(attr, sizeof(attr), "%s.overlay.opaque", format);
	if (fd < 0 || fsetxattr(fd, attr, "y", 1, 0) < 0)
		r = ctu_err_errno(err, "store %s: cannot set %s there", path, attr);
	unlinkat(dirfd, name, AT_REMOVEDIR);
	if (r < 0 && errno == EOPNOTSUPP)
		return ctu_err_hint(err, "the filesystem has no %s xattrs: use another --store",
				    format);
	return r;
}

static int make_subdirs(int dirfd, const char *path, ctu_err_t *err)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(store_subdirs); i++)
		if (mkdirat(dirfd, store_subdirs[i], 0700) < 0 && errno != EEXIST)
			return ctu_err_errno(err, "cannot create %s/%s", path, store_subdirs[i]);
	return 0;
}

/* A new store's store.json, after the probes (under the exclusive lock). */
static int create_store_json(int dirfd, const char *path, ctu_err_t *err)
{
	_cleanup_json_ json_t *v = NULL;
	_cleanup_free_ char *uid_map = store_id_map("uid_map"), *gid_map = store_id_map("gid_map");
	const char *format = format_here();

	if (make_subdirs(dirfd, path, err) < 0 || probe_filesystem(dirfd, path, format, err) < 0)
		return ctu_err_code(*err);
	v = json_pack("{s:i, s:s, s:s?, s:s?}", "version", 1, "xattrs", format, "uid_map", uid_map,
		      "gid_map", gid_map);
	if (!v)
		return ctu_err_make(err, ENOMEM, "cannot create store %s", path);
	return ctu_json_write_at(dirfd, "store.json", v, true, true, err);
}

/* A store this process cannot fill or read right is refused, saying why. */
static int check_store_json(struct store *s, ctu_err_t *err)
{
	_cleanup_json_ json_t *v = NULL;
	_cleanup_free_ char *what = NULL, *uid_map = store_id_map("uid_map");
	const char *format = NULL, *map = NULL;
	json_int_t version = 0;

	if (asprintf(&what, "store %s: store.json", s->path) < 0)
		return ctu_err_make(err, ENOMEM, "cannot open store %s", s->path);
	v = ctu_json_load_at(s->dirfd, "store.json", 0, what, err);
	if (!v || ctu_json_get_int(v, "", "version", true, &version, err) < 0 ||
	    ctu_json_get_string(v, "", "xattrs", true, &format, err) < 0 ||
	    ctu_json_get_string(v, "", "uid_map", false, &map, err) < 0)
		return ctu_err_wrap(err, "%s", what);
	if (version != 1)
		return ctu_err_make(err, 0, "%s: version %lld, not 1", what, (long long)version);
	if (strcmp(format, "trusted") != 0 && strcmp(format, "user") != 0)
		return ctu_err_make(err, 0, "%s: unknown xattrs '%s'", what, format);
	if (strcmp(format, format_here()) != 0)
		return ctu_err_make(err, 0,
				    "store %s holds \"%s\" layers, this process makes \"%s\" ones: "
				    "use another --store",
				    s->path, format, format_here());
	if (map && uid_map && strcmp(map, uid_map) != 0)
		return ctu_err_make(err, 0,
				    "store %s was made under uid_map '%s', this process has '%s': use "
				    "another --store",
				    s->path, map, uid_map);
	s->user = strcmp(format, "user") == 0;
	return 0;
}

/* The store directory, made 0700 (setuid files in layers stay out of others' reach). */
static int make_store_dir(const char *path, ctu_err_t *err)
{
	_cleanup_free_ char *parent = strdup(path);
	char *slash = parent ? strrchr(parent, '/') : NULL;

	if (!parent)
		return ctu_err_make(err, ENOMEM, "cannot create store %s", path);
	if (slash && slash != parent) {
		*slash = '\0';
		if (ctu_mkdir_p(NULL, AT_FDCWD, parent, 0755, 0, err) < 0)
			return ctu_err_wrap(err, "cannot create store %s", path);
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return ctu_err_errno(err, "cannot create store %s", path);
	return 0;
}

static int lock_store(struct store *s, int lock, ctu_err_t *err)
{
	s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lockfd < 0)
		return ctu_err_errno(err, "cannot open the lock of store %s", s->path);
	while (flock(s->lockfd, lock) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "cannot lock store %s", s->path);
	return 0;
}

/* store.json made when missing: exclusively locked, looked at again, written. */
static int ensure_store_json(struct store *s, int lock, ctu_err_t *err)
{
	if (faccessat(s->dirfd, "store.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (lock != LOCK_EX && flock(s->lockfd, LOCK_EX) < 0)
		return ctu_err_errno(err, "cannot lock store %s", s->path);
	if (faccessat(s->dirfd, "store.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    create_store_json(s->dirfd, s->path, err) < 0)
		return ctu_err_code(*err);
	if (lock != LOCK_EX && flock(s->lockfd, lock) < 0)
		return ctu_err_errno(err, "cannot lock store %s", s->path);
	return 0;
}

int store_open(const char *path, bool create, int lock, struct store *s, ctu_err_t *err)
{
	*s = (struct store){ .dirfd = -1, .lockfd = -1 };
	s->path = path ? strdup(path) : store_default_path();
	if (!s->path)
		return ctu_err_make(err, path ? ENOMEM : 0,
				    "no store: set --store, $XDG_DATA_HOME or $HOME");
	if (create && make_store_dir(s->path, err) < 0)
		goto fail;
	s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd < 0) {
		ctu_err_errno(err, "cannot open store %s", s->path);
		goto fail;
	}
	if (lock_store(s, lock, err) < 0 || (create && ensure_store_json(s, lock, err) < 0) ||
	    check_store_json(s, err) < 0 || (create && make_subdirs(s->dirfd, s->path, err) < 0))
		goto fail;
	return 0;
fail:
	store_close(s);
	return ctu_err_code(*err);
}

void store_close(struct store *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->path);
	*s = (struct store){ .dirfd = -1, .lockfd = -1 };
}

char *store_layer_root(const struct store *s, const char *chain_id)
{
	char *path;

	return asprintf(&path, "%s/layers/%s/root", s->path, ctu_digest_hex(chain_id)) < 0 ? NULL :
											    path;
}

int store_layer_dirs(const struct store *s, const struct img_image *img, struct ctu_strv *dirs,
		     ctu_err_t *err)
{
	for (size_t i = img->n_layers; i-- > 0;) {
		_cleanup_free_ char *dir = store_layer_root(s, img->layers[i].chain_id);

		if (!dir || ctu_strv_push(dirs, dir, strlen(dir)) < 0)
			return ctu_err_make(err, ENOMEM, "cannot stack the layers of %s", img->source);
	}
	return 0;
}

char *store_empty_dir(const struct store *s)
{
	char *path;

	return asprintf(&path, "%s/empty", s->path) < 0 ? NULL : path;
}

/* RFC 3339, UTC, seconds: "2026-12-01T16:05:00Z". */
const char *store_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

char *store_of_layer(const char *layer)
{
	size_t len = strlen(layer), tail = strlen("/layers/") + CTU_DIGEST_HEX_LEN + strlen("/root");
	const char *hex = layer + len - CTU_DIGEST_HEX_LEN - strlen("/root");

	if (len <= tail || strcmp(layer + len - 5, "/root") != 0 ||
	    strncmp(hex - strlen("/layers/"), "/layers/", strlen("/layers/")) != 0 ||
	    strspn(hex, "0123456789abcdef") != CTU_DIGEST_HEX_LEN)
		return NULL;
	return strndup(layer, len - tail);
}
