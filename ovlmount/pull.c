// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pull.c - filling the store with an image's missing layers, all or nothing.
 *
 * Each missing layer is locked (in chain-ID order, so two pulls never
 * deadlock), looked for again, unpacked into tmp/HEX.PID.RANDOM and
 * verified; only when every layer is unpacked do they move into layers/,
 * after one syncfs, by renameat2(RENAME_NOREPLACE): a layers/ name exists
 * only for a complete layer, a crash leaves only tmp/, and of two pulls of
 * one layer the first rename wins.  The image record comes last.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "ctu.h"
#include "image.h"
#include "store-int.h"
#include "tree.h"

/* One layer of the pull. */
struct pull_layer {
	bool stored;	/* in layers/ already (or put there by another pull) */
	int lockfd;	/* locks/HEX.lock, held while we unpack it */
	char staging[128]; /* tmp/HEX.PID.RANDOM, "" until made */
	bool published;	   /* renamed into layers/ by this pull: taken back if the pull fails */
	int rootfd;	/* its root (stored or staged), for the layers above */
	struct layer_stats stats;
};

struct pull {
	struct store *s;
	struct img_reader *r;
	const struct img_image *img;
	bool quiet;
	struct pull_layer *l;
};

int store_lock_file(const struct store *s, const char *name, int how)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "locks/%s.lock", name);
	fd = openat(s->dirfd, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, how) < 0) {
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			return -e;
		}
	}
	return fd;
}

static bool layer_stored(const struct store *s, const char *chain_id)
{
	char path[128];

	snprintf(path, sizeof(path), "layers/%s", ctu_digest_hex(chain_id));
	return faccessat(s->dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* "layer 3/7 sha256:1a2b3c4d5e6f": the blob's digest, or the diff_id where the source names none. */
static void layer_name(const struct img_image *img, size_t i, char *buf, size_t size)
{
	const struct img_layer *l = &img->layers[i];
	const char *d = *l->digest ? l->digest : l->diff_id;

	snprintf(buf, size, "layer %zu/%zu %.19s", i + 1, img->n_layers, d);
}

/* Layers in chain-ID order: locking in one order everywhere means no deadlock. */
static int by_chain_id(const void *a, const void *b, void *ctx)
{
	const struct img_image *img = ctx;

	return strcmp(img->layers[*(const size_t *)a].chain_id,
		      img->layers[*(const size_t *)b].chain_id);
}

/* tmp/HEX.* of a crashed pull of @chain_id: dead, since we hold the layer's lock. */
static void remove_crashed_staging(const struct store *s, const char *chain_id)
{
	_cleanup_close_ int tmp = openat(s->dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *hex = ctu_digest_hex(chain_id);
	DIR *d;
	struct dirent *e;

	if (tmp < 0 || !(d = fdopendir(dup(tmp))))
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, hex, CTU_DIGEST_HEX_LEN) == 0 &&
		    e->d_name[CTU_DIGEST_HEX_LEN] == '.')
			ctu_tree_remove(tmp, e->d_name);
	closedir(d);
}

/* Locks every missing layer and looks again: another pull may have stored it meanwhile. */
static int lock_missing(struct pull *p, ctu_err_t *err)
{
	size_t n = p->img->n_layers, m = 0;
	_cleanup_free_ size_t *order = calloc(n ? n : 1, sizeof(*order));

	if (!order)
		return ctu_err_make(err, ENOMEM, "%s: cannot pull", p->img->source);
	for (size_t i = 0; i < n; i++)
		if (!p->l[i].stored)
			order[m++] = i;
	qsort_r(order, m, sizeof(*order), by_chain_id, (void *)p->img);
	for (size_t k = 0; k < m; k++) {
		struct pull_layer *l = &p->l[order[k]];
		const char *chain = p->img->layers[order[k]].chain_id;

		l->lockfd = store_lock_file(p->s, ctu_digest_hex(chain), LOCK_EX);
		if (l->lockfd < 0)
			return ctu_err_make(err, -l->lockfd, "%s: cannot lock layer %.19s in store %s",
					    p->img->source, chain, p->s->path);
		l->stored = layer_stored(p->s, chain);
		if (!l->stored)
			remove_crashed_staging(p->s, chain);
	}
	return 0;
}

/* tmp/HEX.PID.RANDOM with root/ in it; its root's fd into @l. */
static int make_staging(struct pull *p, size_t i, ctu_err_t *err)
{
	struct pull_layer *l = &p->l[i];
	char root[160];
	unsigned int rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) < 0)
		rnd = (unsigned int)time(NULL);
	snprintf(l->staging, sizeof(l->staging), "tmp/%s.%d.%08x",
		 ctu_digest_hex(p->img->layers[i].chain_id), (int)getpid(), rnd);
	snprintf(root, sizeof(root), "%s/root", l->staging);
	if (mkdirat(p->s->dirfd, l->staging, 0700) < 0) {
		l->staging[0] = '\0';
		return ctu_err_errno(err, "cannot make a staging directory in %s/tmp", p->s->path);
	}
	if (mkdirat(p->s->dirfd, root, 0755) < 0)
		return ctu_err_errno(err, "cannot make %s/%s", p->s->path, root);
	l->rootfd = openat(p->s->dirfd, root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->rootfd < 0)
		return ctu_err_errno(err, "cannot open %s/%s", p->s->path, root);
	return 0;
}

/* The root of stored layer @i, for the layers above it. */
static int open_stored_root(struct pull *p, size_t i, ctu_err_t *err)
{
	char path[160];

	snprintf(path, sizeof(path), "layers/%s/root", ctu_digest_hex(p->img->layers[i].chain_id));
	p->l[i].rootfd = openat(p->s->dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p->l[i].rootfd < 0)
		return ctu_err_errno(err, "cannot open %s/%s", p->s->path, path);
	return 0;
}

/* layer.json beside the staged root. */
static int write_layer_record(struct pull *p, size_t i, ctu_err_t *err)
{
	const struct img_layer *il = &p->img->layers[i];
	const struct layer_stats *st = &p->l[i].stats;
	_cleanup_json_ json_t *v = NULL;
	_cleanup_close_ int dirfd = -1;
	char when[32];

	store_time(time(NULL), when, sizeof(when));
	v = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I, s:s, s:I}", "layer", il->chain_id, "diff_id",
		      il->diff_id, "parent", i ? p->img->layers[i - 1].chain_id : NULL, "blob",
		      il->digest, "size", (json_int_t)st->bytes, "files", (json_int_t)st->files,
		      "unpacked", when, "dropped", (json_int_t)st->dropped);
	dirfd = openat(p->s->dirfd, p->l[i].staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!v || dirfd < 0)
		return ctu_err_make(err, v ? errno : ENOMEM, "cannot write the record of %.19s",
				    il->chain_id);
	return ctu_json_write_at(dirfd, "layer.json", v, true, false, err);
}

static void say_unpacked(const struct pull *p, size_t i, const char *name, double seconds)
{
	double mib = (double)p->l[i].stats.bytes / (1024.0 * 1024.0);

	if (!p->quiet)
		fprintf(stderr, "%s: %s: %.1f MiB in %.1f s\n", program_invocation_short_name, name,
			mib, seconds);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unpacks layer @i into its staging directory, over the roots of the layers below. */
static int unpack_one(struct pull *p, size_t i, ctu_err_t *err)
{
	const struct img_layer *il = &p->img->layers[i];
	_cleanup_free_ int *lowers = calloc(i ? i : 1, sizeof(int));
	struct layer_opts o = { .user_store = p->s->user, .can_mknod = !p->s->user };
	char name[64];
	_cleanup_close_ int blob = -1;
	double start = now_seconds();

	layer_name(p->img, i, name, sizeof(name));
	o.name = name;
	if (!lowers)
		return ctu_err_make(err, ENOMEM, "cannot unpack %s", name);
	for (size_t k = 0; k < i; k++)
		lowers[k] = p->l[i - 1 - k].rootfd;
	/* img_layer_open() names the source and layer itself */
	blob = img_layer_open(p->r, p->img, i, err);
	if (blob < 0)
		return blob;
	if (make_staging(p, i, err) < 0 ||
	    layer_unpack(blob, il->size, il->digest, il->diff_id, p->l[i].rootfd, lowers, i, &o,
			 &p->l[i].stats, err) < 0 ||
	    write_layer_record(p, i, err) < 0)
		return ctu_err_wrap(err, "%s: %s", p->img->source, name);
	say_unpacked(p, i, name, now_seconds() - start);
	return 0;
}

/* Bottom up, every layer's root open: a stored one's, or a new one unpacked. */
static int unpack_missing(struct pull *p, ctu_err_t *err)
{
	_cleanup_free_ bool *need = calloc(p->img->n_layers ? p->img->n_layers : 1, sizeof(bool));

	if (!need)
		return ctu_err_make(err, ENOMEM, "%s: cannot pull", p->img->source);
	for (size_t i = 0; i < p->img->n_layers; i++)
		need[i] = !p->l[i].stored;
	if (img_prepare_layers(p->r, p->img, need, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < p->img->n_layers; i++) {
		int r = p->l[i].stored ? open_stored_root(p, i, err) : unpack_one(p, i, err);

		if (r < 0)
			return r;
	}
	return 0;
}

/* One syncfs for all the data, then each staged layer renamed into layers/ (bottom up). */
static int publish(struct pull *p, ctu_err_t *err)
{
	_cleanup_close_ int layers = openat(p->s->dirfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (layers < 0)
		return ctu_err_errno(err, "%s: cannot open %s/layers", p->img->source, p->s->path);
	if (syncfs(p->s->dirfd) < 0)
		return ctu_err_errno(err, "%s: cannot sync store %s", p->img->source, p->s->path);
	for (size_t i = 0; i < p->img->n_layers; i++) {
		struct pull_layer *l = &p->l[i];
		const char *hex = ctu_digest_hex(p->img->layers[i].chain_id);

		if (!*l->staging)
			continue;
		if (renameat2(p->s->dirfd, l->staging, layers, hex, RENAME_NOREPLACE) < 0) {
			if (errno != EEXIST)
				return ctu_err_errno(err, "%s: cannot store layer %.19s",
						     p->img->source, p->img->layers[i].chain_id);
			continue; /* another pull won: ours goes with the staging */
		}
		l->published = true;
	}
	if (fsync(layers) < 0)
		return ctu_err_errno(err, "%s: cannot sync %s/layers", p->img->source, p->s->path);
	return 0;
}

/*
 * A pull that fails after layers went into layers/ takes them back to their
 * staging names (we still hold their locks), so it keeps nothing.
 */
static void unpublish(struct pull *p)
{
	for (size_t i = 0; i < p->img->n_layers; i++) {
		char from[128];

		if (!p->l[i].published)
			continue;
		snprintf(from, sizeof(from), "layers/%s", ctu_digest_hex(p->img->layers[i].chain_id));
		renameat(p->s->dirfd, from, p->s->dirfd, p->l[i].staging);
		p->l[i].published = false;
	}
}

static void pull_cleanup(struct pull *p)
{
	for (size_t i = 0; p->l && i < p->img->n_layers; i++) {
		struct pull_layer *l = &p->l[i];

		if (l->rootfd >= 0)
			close(l->rootfd);
		if (*l->staging)
			ctu_tree_remove(p->s->dirfd, l->staging);
		if (l->lockfd >= 0)
			close(l->lockfd);
	}
	free(p->l);
}

/* ": nothing kept" after the reason (which names the source): the pull left nothing behind. */
static int nothing_kept(ctu_err_t *err)
{
	return ctu_err_append(err, "nothing kept");
}

static int pull_layers(struct store *s, struct img_reader *r, struct img_image *img, bool quiet,
		       ctu_err_t *err);

/*
 * A pull of n layers holds up to 2n fds (a lock and a root each): the soft
 * limit goes up to the hard one for the pull and back before any program
 * runs, which select() and its like expect at 1024.
 */
static void raise_fd_limit(struct rlimit *saved)
{
	struct rlimit more;

	if (getrlimit(RLIMIT_NOFILE, saved) < 0)
		return;
	more = *saved;
	more.rlim_cur = more.rlim_max;
	setrlimit(RLIMIT_NOFILE, &more);
}

int store_pull(struct store *s, struct img_reader *r, struct img_image *img, bool quiet,
	       ctu_err_t *err)
{
	struct rlimit saved = { 0, 0 };
	int ret;

	raise_fd_limit(&saved);
	ret = pull_layers(s, r, img, quiet, err);
	if (saved.rlim_max)
		setrlimit(RLIMIT_NOFILE, &saved);
	return ret;
}

static int pull_layers(struct store *s, struct img_reader *r, struct img_image *img, bool quiet,
		       ctu_err_t *err)
{
	struct pull p = { .s = s, .r = r, .img = img, .quiet = quiet };
	bool all_stored = true;
	int ret;

	p.l = calloc(img->n_layers ? img->n_layers : 1, sizeof(*p.l));
	if (!p.l)
		return ctu_err_make(err, ENOMEM, "cannot pull %s", img->source);
	for (size_t i = 0; i < img->n_layers; i++) {
		p.l[i].lockfd = p.l[i].rootfd = -1;
		p.l[i].stored = layer_stored(s, img->layers[i].chain_id);
		all_stored = all_stored && p.l[i].stored;
	}
	ret = all_stored ? 0 : lock_missing(&p, err);
	if (ret == 0 && !all_stored)
		ret = unpack_missing(&p, err);
	if (ret == 0 && !all_stored)
		ret = publish(&p, err);
	/* the record under the layers' locks: a failure can still take them back */
	if (ret == 0 && store_record_image(s, img, err) < 0)
		ret = ctu_err_wrap(err, "%s", img->source);
	if (ret < 0)
		unpublish(&p);
	else
		for (size_t i = 0; i < img->n_layers; i++)
			if (p.l[i].published)
				p.l[i].staging[0] = '\0'; /* in layers/ now: not ours to remove */
	pull_cleanup(&p);
	return ret < 0 ? nothing_kept(err) : 0;
}
