// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * storels.c - keeping the store: --store-ls (layers or images, as a table
 * or JSON), --store-rm (forget image records) and --store-prune (remove
 * what no record and no live mount uses).  Nothing a mount in any visible
 * mount namespace stacks is ever removed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "ctu.h"
#include "image.h"
#include "lazy-mount.h"
#include "ovlmount.h"
#include "store-int.h"
#include "tree.h"

/* What the store holds, read once: layer records, image records, live leases. */
struct store_view {
	json_t *layers; /* HEX -> layer.json */
	json_t *images; /* HEX -> image record, with "last_used" added */
	json_t *leases; /* live leases */
	json_t *dead;	/* names of dead lease files */
};

static void view_free(struct store_view *v)
{
	json_decref(v->layers);
	json_decref(v->images);
	json_decref(v->leases);
	json_decref(v->dead);
}

/* Each JSON file NAME.json in @sub (or NAME/layer.json for layers) into @into by NAME. */
static int read_records(struct store *s, const char *sub, const char *inner, json_t *into)
{
	int fd = openat(s->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		char path[512], key[128];
		ctu_err_t ignored = NULL;
		struct stat st;
		json_t *v;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len >= sizeof(key))
			continue;
		memcpy(key, e->d_name, len + 1);
		if (inner) {
			snprintf(path, sizeof(path), "%s/%s", e->d_name, inner);
		} else {
			if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
				continue;
			key[len - 5] = '\0';
			snprintf(path, sizeof(path), "%s", e->d_name);
		}
		v = ctu_json_load_at(dirfd(d), path, 0, path, &ignored);
		ctu_err_free(&ignored);
		if (!v)
			continue; /* not a record of ours: left alone */
		if (fstatat(dirfd(d), path, &st, AT_SYMLINK_NOFOLLOW) == 0)
			json_object_set_new(v, "mtime", json_integer(st.st_mtime));
		json_object_set_new(into, key, v);
	}
	return 0;
}

struct lease_sort {
	struct store_view *v;
	const struct store_mntns *ns;
	size_t n;
};

static int sort_lease(const char *name, json_t *lease, void *ctx)
{
	struct lease_sort *ls = ctx;

	if (store_lease_alive(lease, ls->ns, ls->n))
		json_array_append(ls->v->leases, lease);
	else
		json_array_append_new(ls->v->dead, json_string(name));
	return 0;
}

static int view_read(struct store *s, struct store_view *v, ctu_err_t *err)
{
	_cleanup_free_ struct store_mntns *ns = NULL;
	struct lease_sort ls = { .v = v };
	int r;

	v->layers = json_object();
	v->images = json_object();
	v->leases = json_array();
	v->dead = json_array();
	if (!v->layers || !v->images || !v->leases || !v->dead)
		return ctu_err_make(err, ENOMEM, "cannot read store %s", s->path);
	r = store_scan_mntns(&ns, &ls.n);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot list the mount namespaces");
	ls.ns = ns;
	if (read_records(s, "layers", "layer.json", v->layers) < 0 ||
	    read_records(s, "images", NULL, v->images) < 0 || store_each_lease(s, sort_lease, &ls) < 0)
		return ctu_err_errno(err, "cannot read store %s", s->path);
	return 0;
}

/* Whether the string array @arr holds @s. */
static bool array_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return true;
	return false;
}

/* Appends @s to @arr unless it is there. */
static void array_add(json_t *arr, const char *s)
{
	if (s && !array_has(arr, s))
		json_array_append_new(arr, json_string(s));
}

/* ---- --store-ls */

/*
 * A row is built once as a JSON object with its full values (digests,
 * bytes, arrays); -J prints the rows, a table shows each cell for people:
 * 12 hex digits, K/M/G sizes, lists joined by ",".  The JSON is jansson's
 * so that an empty list is [] (libsmartcols 2.38 prints [null]).
 */
struct ls_column {
	struct ctu_out_column col;
	const char *key; /* the row's key */
	enum { CELL_TEXT, CELL_DIGEST, CELL_SIZE, CELL_LIST, CELL_COUNT } kind;
};

static const struct ls_column layer_columns[] = {
	{ { "LAYER", 0.1, 0, 0, NULL }, "layer", CELL_DIGEST },
	{ { "DIFF-ID", 0.1, 0, 0, NULL }, "diff_id", CELL_DIGEST },
	{ { "SIZE", 0.05, 0, SCOLS_FL_RIGHT, NULL }, "size", CELL_SIZE },
	{ { "FILES", 0.05, 0, SCOLS_FL_RIGHT, NULL }, "files", CELL_TEXT },
	{ { "IMAGES", 0.3, 0, 0, NULL }, "images", CELL_LIST },
	{ { "MOUNTS", 0.2, 0, 0, NULL }, "mounts", CELL_LIST },
	{ { "LAST-USED", 0.1, 0, 0, NULL }, "last_used", CELL_TEXT },
};

static const struct ls_column image_columns[] = {
	{ { "IMAGE", 0.3, 0, 0, NULL }, "sources", CELL_LIST },
	{ { "MANIFEST", 0.1, 0, 0, NULL }, "manifest", CELL_DIGEST },
	{ { "PLATFORM", 0.1, 0, 0, NULL }, "platform", CELL_TEXT },
	{ { "LAYERS", 0.05, 0, SCOLS_FL_RIGHT, NULL }, "layers", CELL_COUNT },
	{ { "SIZE", 0.05, 0, SCOLS_FL_RIGHT, NULL }, "size", CELL_SIZE },
	{ { "PULLED", 0.1, 0, 0, NULL }, "pulled", CELL_TEXT },
	{ { "LAST-USED", 0.1, 0, 0, NULL }, "last_used", CELL_TEXT },
};

/* "a,b" of a string array, newly allocated. */
static char *joined(json_t *arr)
{
	size_t i, len = 1;
	json_t *e;
	char *out, *p;

	json_array_foreach(arr, i, e)
		len += strlen(json_string_value(e) ? json_string_value(e) : "") + 1;
	out = p = calloc(1, len);
	if (!out)
		return NULL;
	json_array_foreach(arr, i, e)
		p += sprintf(p, "%s%s", i ? "," : "", json_string_value(e) ? json_string_value(e) : "");
	return out;
}

/* The table's text of @v for @kind, newly allocated. */
static char *cell_text(json_t *v, int kind, bool raw)
{
	char buf[64];
	const char *str = json_string_value(v);

	switch (kind) {
	case CELL_DIGEST:
		return strndup(str && ctu_digest_valid(str) ? ctu_digest_hex(str) : "", 12);
	case CELL_SIZE:
		ctu_out_size((uint64_t)json_integer_value(v), raw, buf, sizeof(buf));
		return strdup(buf);
	case CELL_LIST:
		return joined(v);
	case CELL_COUNT:
		snprintf(buf, sizeof(buf), "%zu", json_array_size(v));
		return strdup(buf);
	default:
		if (json_is_integer(v)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
			return strdup(buf);
		}
		return strdup(str ? str : "");
	}
}

static int table_line(struct libscols_table *tb, const struct ls_column *cols, size_t n, json_t *row,
		      bool raw)
{
	char *cells[16] = { 0 };
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++)
		if (!(cells[i] = cell_text(json_object_get(row, cols[i].key), cols[i].kind, raw)))
			r = -ENOMEM;
	if (r == 0)
		r = ctu_out_line(tb, (const char *const *)cells, n);
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	return r;
}

/* The images and live mounts that use layer @chain, and the latest use. */
static void layer_users(const struct store_view *v, const char *chain, json_t *images,
			json_t *mounts, json_int_t *last)
{
	const char *key;
	json_t *rec;
	size_t i;

	json_object_foreach(v->images, key, rec) {
		size_t k;
		json_t *src;

		if (!array_has(json_object_get(rec, "layers"), chain))
			continue;
		json_array_foreach(json_object_get(rec, "sources"), k, src)
			array_add(images, json_string_value(src));
		if (json_integer_value(json_object_get(rec, "mtime")) > *last)
			*last = json_integer_value(json_object_get(rec, "mtime"));
	}
	json_array_foreach(v->leases, i, rec)
		if (array_has(json_object_get(rec, "layers"), chain))
			array_add(mounts, json_string_value(json_object_get(rec, "merged")));
}

static json_t *layer_row(const struct store_view *v, json_t *rec)
{
	const char *chain = json_string_value(json_object_get(rec, "layer"));
	json_t *images = json_array(), *mounts = json_array();
	json_int_t last = json_integer_value(json_object_get(rec, "mtime"));
	char when[32];

	if (chain && images && mounts)
		layer_users(v, chain, images, mounts, &last);
	return json_pack("{s:s?, s:O?, s:O?, s:O?, s:o?, s:o?, s:O?, s:s}", "layer", chain,
			 "diff_id", json_object_get(rec, "diff_id"), "size",
			 json_object_get(rec, "size"), "files", json_object_get(rec, "files"),
			 "images", images, "mounts", mounts, "unpacked",
			 json_object_get(rec, "unpacked"), "last_used",
			 store_time((time_t)last, when, sizeof(when)));
}

static json_int_t image_size(const struct store_view *v, json_t *rec)
{
	json_int_t total = 0;
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(rec, "layers"), i, c) {
		json_t *l = json_is_string(c) && ctu_digest_valid(json_string_value(c)) ?
				    json_object_get(v->layers, ctu_digest_hex(json_string_value(c))) :
				    NULL;

		total += json_integer_value(json_object_get(l, "size"));
	}
	return total;
}

/* The record's keys, and "size" and "last_used". */
static json_t *image_row(const struct store_view *v, json_t *rec)
{
	json_t *row = json_deep_copy(rec);
	char when[32];

	if (!row)
		return NULL;
	store_time((time_t)json_integer_value(json_object_get(rec, "mtime")), when, sizeof(when));
	json_object_del(row, "mtime");
	json_object_set_new(row, "size", json_integer(image_size(v, rec)));
	json_object_set_new(row, "last_used", json_string(when));
	return row;
}

static int print_rows(json_t *rows, const char *name, const struct ls_column *cols, size_t n,
		      const struct ctu_out_flags *out)
{
	struct ctu_out_column tcols[16];
	struct libscols_table *tb;
	size_t i;
	json_t *row;
	int r = 0;

	if (out->json) {
		_cleanup_json_ json_t *doc = json_pack("{s:O}", name, rows);
		int ok = doc && json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0;

		return ok && putchar('\n') != EOF ? 0 : -EIO;
	}
	for (i = 0; i < n; i++)
		tcols[i] = cols[i].col;
	tb = ctu_out_table(name, tcols, n, out);
	if (!tb)
		return -ENOMEM;
	json_array_foreach(rows, i, row)
		if (r == 0)
			r = table_line(tb, cols, n, row, out->raw);
	if (r < 0) {
		scols_unref_table(tb);
		return r;
	}
	return ctu_out_print(tb);
}

/* Rows sorted by their first key's value, so the listing does not follow readdir. */
static int by_first_key(const void *a, const void *b)
{
	json_t *const *x = a, *const *y = b;
	const char *kx = json_dumps(*x, JSON_SORT_KEYS | JSON_COMPACT);
	const char *ky = json_dumps(*y, JSON_SORT_KEYS | JSON_COMPACT);
	int r = strcmp(kx ? kx : "", ky ? ky : "");

	free((void *)kx);
	free((void *)ky);
	return r;
}

static json_t *sorted(json_t *rows)
{
	size_t n = json_array_size(rows);
	json_t **v = calloc(n ? n : 1, sizeof(json_t *)), *out = json_array();

	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(rows, i);
	if (v)
		qsort(v, n, sizeof(json_t *), by_first_key);
	for (size_t i = 0; v && out && i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(rows);
	return out;
}

int store_ls(struct store *s, bool images, const struct ctu_out_flags *out, ctu_err_t *err)
{
	struct store_view v = { 0 };
	_cleanup_json_ json_t *rows = json_array();
	const char *key;
	json_t *rec;
	int r = view_read(s, &v, err);

	if (r < 0) {
		view_free(&v);
		return r;
	}
	json_object_foreach(images ? v.images : v.layers, key, rec) {
		json_t *row = images ? image_row(&v, rec) : layer_row(&v, rec);

		if (!row || json_array_append_new(rows, row) < 0)
			r = -ENOMEM;
	}
	rows = sorted(ctu_steal_ptr(&rows));
	if (r == 0 && !rows)
		r = -ENOMEM;
	if (r == 0)
		r = images ? print_rows(rows, "images", image_columns, CTU_ARRAY_SIZE(image_columns), out) :
			     print_rows(rows, "layers", layer_columns, CTU_ARRAY_SIZE(layer_columns), out);
	view_free(&v);
	return r < 0 ? ctu_err_make(err, -r, "cannot list store %s", s->path) : 0;
}

/* ---- --store-rm */

/* The records @name names: a source, or a manifest digest (unique prefix of 12+ hex). */
static int match_records(const struct store *s, const struct store_view *v, const char *name,
			 json_t *matches, bool *by_source, ctu_err_t *err)
{
	const char *hex = strncmp(name, CTU_DIGEST_PREFIX, 7) == 0 ? name + 7 : name;
	size_t len = strlen(hex), n = 0;
	const char *key;
	json_t *rec;

	*by_source = false;
	json_object_foreach(v->images, key, rec)
		if (array_has(json_object_get(rec, "sources"), name)) {
			json_array_append_new(matches, json_string(key));
			*by_source = true;
		}
	if (*by_source)
		return 0;
	if (len >= 12 && strspn(hex, "0123456789abcdef") == len)
		json_object_foreach(v->images, key, rec)
			if (strncmp(key, hex, len) == 0 && ++n)
				json_array_append_new(matches, json_string(key));
	if (n > 1)
		return ctu_err_make(err, 0, "'%s' names %zu images: give more of the digest", name,
				    n);
	if (json_array_size(matches) == 0)
		return ctu_err_make(err, 0, "no image '%s' in store %s", name, s->path);
	return 0;
}

/* Forgets @name in record @key: the source only, or the whole record. */
static int forget(struct store *s, const struct store_view *v, const char *key, const char *name,
		  bool by_source, ctu_err_t *err)
{
	json_t *rec = json_object_get(v->images, key), *srcs = json_object_get(rec, "sources");
	_cleanup_close_ int images = openat(s->dirfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char file[128];
	size_t i;
	json_t *e;

	snprintf(file, sizeof(file), "%s.json", key);
	if (images < 0)
		return ctu_err_errno(err, "cannot open %s/images", s->path);
	if (by_source && json_array_size(srcs) > 1) {
		json_array_foreach(srcs, i, e)
			if (strcmp(json_string_value(e), name) == 0) {
				json_array_remove(srcs, i);
				break;
			}
		json_object_del(rec, "mtime");
		return ctu_json_write_at(images, file, rec, true, true, err);
	}
	if (unlinkat(images, file, 0) < 0 && errno != ENOENT)
		return ctu_err_errno(err, "cannot remove %s/images/%s", s->path, file);
	return 0;
}

int store_rm(struct store *s, char *const *names, ctu_err_t *err)
{
	struct store_view v = { 0 };
	_cleanup_json_ json_t *plan = json_array();
	int r = plan ? view_read(s, &v, err) : ctu_err_make(err, ENOMEM, "cannot remove");

	/* every name is matched before anything goes: all or none */
	for (size_t i = 0; r == 0 && names[i]; i++) {
		json_t *m = json_array();
		bool by_source = false;

		r = m ? match_records(s, &v, names[i], m, &by_source, err) :
			ctu_err_make(err, ENOMEM, "cannot remove %s", names[i]);
		json_array_append_new(plan, json_pack("{s:s, s:o, s:b}", "name", names[i],
						      "keys", m, "by_source", by_source));
	}
	for (size_t i = 0; r == 0 && i < json_array_size(plan); i++) {
		json_t *p = json_array_get(plan, i), *k;
		size_t j;

		json_array_foreach(json_object_get(p, "keys"), j, k)
			if (r == 0)
				r = forget(s, &v, json_string_value(k),
					   json_string_value(json_object_get(p, "name")),
					   json_is_true(json_object_get(p, "by_source")), err);
	}
	view_free(&v);
	return r;
}

/* ---- --store-prune */

struct prune {
	struct store *s;
	struct store_view v;
	json_t *keep;	  /* HEX -> true: layers in use */
	bool keep_all;	  /* an overlay names layers by fds: which ones is unknown */
	char *layers_dir; /* realpath of DIR/layers, "/" appended */
	bool dry_run;
	uint64_t removed, bytes;
};

/* A layer directory path of ours ("DIR/layers/HEX/root") kept. */
static void keep_path(struct prune *p, const char *path)
{
	size_t len = strlen(p->layers_dir);
	char hex[CTU_DIGEST_HEX_LEN + 1];

	if (strncmp(path, "/proc/self/fd/", 14) == 0 || path[0] != '/') {
		p->keep_all = true;
		return;
	}
	if (strncmp(path, p->layers_dir, len) != 0 || strlen(path + len) < CTU_DIGEST_HEX_LEN)
		return;
	memcpy(hex, path + len, CTU_DIGEST_HEX_LEN);
	hex[CTU_DIGEST_HEX_LEN] = '\0';
	json_object_set_new(p->keep, hex, json_true());
}

/* Every lower of every overlay in the mount table of @pid. */
static void keep_mounted_in(struct prune *p, pid_t pid)
{
	char path[64];
	struct libmnt_table *tb;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	tb = mnt_new_table_from_file(path);
	it = mnt_new_iter(MNT_ITER_FORWARD);
	while (tb && it && mnt_table_next_fs(tb, it, &fs) == 0) {
		struct ctu_ovl_stack st = { 0 };

		if (ctu_ovl_stack_from_fs(fs, &st) == 0) {
			for (size_t i = 0; i < st.lower.n; i++)
				keep_path(p, st.lower.v[i]);
			for (size_t i = 0; i < st.data.n; i++)
				keep_path(p, st.data.v[i]);
		}
		ctu_ovl_stack_free(&st);
	}
	mnt_free_iter(it);
	mnt_unref_table(tb);
}

static void keep_chain_ids(struct prune *p, json_t *ids)
{
	size_t i;
	json_t *c;

	json_array_foreach(ids, i, c)
		if (json_is_string(c) && ctu_digest_valid(json_string_value(c)))
			json_object_set_new(p->keep, ctu_digest_hex(json_string_value(c)), json_true());
}

/* In use: named by an image record or a live lease, or stacked by any visible overlay. */
static int find_kept(struct prune *p, ctu_err_t *err)
{
	_cleanup_free_ struct store_mntns *ns = NULL;
	const char *key;
	json_t *rec;
	size_t n, i;
	int r = store_scan_mntns(&ns, &n);

	if (r < 0)
		return ctu_err_make(err, -r, "cannot list the mount namespaces");
	json_object_foreach(p->v.images, key, rec)
		keep_chain_ids(p, json_object_get(rec, "layers"));
	json_array_foreach(p->v.leases, i, rec)
		keep_chain_ids(p, json_object_get(rec, "layers"));
	for (i = 0; i < n; i++)
		if (ns[i].pid)
			keep_mounted_in(p, ns[i].pid);
	return 0;
}

static void say(const struct prune *p, const char *what, const char *hex, json_int_t bytes)
{
	char size[24];

	ctu_out_size(bytes < 0 ? 0 : (uint64_t)bytes, false, size, sizeof(size));
	printf("%s%s %.12s %s\n", p->dry_run ? "would have " : "", what, hex, size);
}

/* Layer @hex out of layers/ by one rename (no mount can take it meanwhile), then removed. */
static int remove_layer(struct prune *p, const char *hex, ctu_err_t *err)
{
	char from[128], to[160];

	snprintf(from, sizeof(from), "layers/%s", hex);
	snprintf(to, sizeof(to), "tmp/%s.prune.%d", hex, (int)getpid());
	if (renameat(p->s->dirfd, from, p->s->dirfd, to) < 0)
		return ctu_err_errno(err, "cannot remove layer %.12s", hex);
	ctu_tree_remove(p->s->dirfd, to);
	return 0;
}

static int prune_layers(struct prune *p, ctu_err_t *err)
{
	const char *hex;
	json_t *rec;

	json_object_foreach(p->v.layers, hex, rec) {
		json_int_t bytes = json_integer_value(json_object_get(rec, "size"));

		if (json_object_get(p->keep, hex))
			continue;
		if (!p->dry_run && remove_layer(p, hex, err) < 0)
			return ctu_err_code(*err);
		say(p, "removed", hex, bytes);
		p->removed++;
		p->bytes += (uint64_t)(bytes < 0 ? 0 : bytes);
	}
	return 0;
}

/* Whether the flock of @fd is free (nobody alive holds it). */
static bool lock_free(int fd)
{
	return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
}

/* A tmp/ entry nobody works in: a pull's (its layer lock free), a reader's spool (its own lock). */
static bool staging_dead(struct prune *p, int tmp, const char *name)
{
	char hex[CTU_DIGEST_HEX_LEN + 1];
	_cleanup_close_ int fd = -1;

	if (strncmp(name, "spool.", 6) == 0) {
		fd = openat(tmp, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 || lock_free(fd);
	}
	if (strlen(name) > CTU_DIGEST_HEX_LEN && name[CTU_DIGEST_HEX_LEN] == '.') {
		memcpy(hex, name, CTU_DIGEST_HEX_LEN);
		hex[CTU_DIGEST_HEX_LEN] = '\0';
		fd = store_lock_file(p->s, hex, LOCK_SH | LOCK_NB);
		return fd >= 0;
	}
	return true;
}

static void prune_staging(struct prune *p)
{
	int tmp = openat(p->s->dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = tmp < 0 ? NULL : fdopendir(tmp);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    !staging_dead(p, dirfd(d), e->d_name))
			continue;
		if (p->dry_run)
			printf("would have removed tmp/%s\n", e->d_name);
		else
			ctu_tree_remove(dirfd(d), e->d_name);
	}
}

static void prune_leases(struct prune *p)
{
	size_t i;
	json_t *name;

	json_array_foreach(p->v.dead, i, name) {
		char path[128];

		snprintf(path, sizeof(path), "mounts/%s", json_string_value(name));
		if (!p->dry_run)
			unlinkat(p->s->dirfd, path, 0);
	}
}

int store_prune(struct store *s, bool dry_run, ctu_err_t *err)
{
	struct prune p = { .s = s, .dry_run = dry_run, .keep = json_object() };
	_cleanup_free_ char *real = realpath(s->path, NULL);
	char total[24];
	int r = 0;

	if (!p.keep || !real || asprintf(&p.layers_dir, "%s/layers/", real) < 0) {
		p.layers_dir = NULL;
		r = ctu_err_make(err, ENOMEM, "cannot prune store %s", s->path);
	}
	if (r == 0)
		r = view_read(s, &p.v, err);
	if (r == 0)
		r = find_kept(&p, err);
	if (r == 0) {
		prune_leases(&p);
		prune_staging(&p);
		if (p.keep_all)
			ctu_warn(0, "an overlay names its layers by file descriptor: keeping every "
				    "layer");
		else
			r = prune_layers(&p, err);
	}
	if (r == 0) {
		ctu_out_size(p.bytes, false, total, sizeof(total));
		printf("%s %llu layers, %s\n", dry_run ? "would have removed" : "removed",
		       (unsigned long long)p.removed, total);
	}
	view_free(&p.v);
	json_decref(p.keep);
	free(p.layers_dir);
	return r;
}
