// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imgjobs.c - the image jobs put together from their parts: a source read
 * (image.c), its missing layers pulled into the store (pull.c, layer.c),
 * then stacked and mounted through ovlmount's own mount path (mount.c) and
 * leased (lease.c); --image-config, and the store's keeping (storels.c).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>

#include "ctu.h"
#include "image.h"
#include "ovlmount.h"

/* What every image job holds while it works. */
struct image_job {
	struct img_source src;
	struct img_platform platform;
	struct store store;
	struct img_reader *reader;
	struct img_image img;
};

static void job_free(struct image_job *j)
{
	img_image_free(&j->img);
	img_reader_free(j->reader);
	store_close(&j->store);
	img_source_free(&j->src);
}

/*
 * The source read and resolved first, then (with @store) the store, made if
 * need be and locked shared, with its tmp/ for spooling: a source that
 * cannot be read makes no store.
 */
static int job_open(struct image_job *j, const struct image_opts *o, bool store, ctu_err_t *err)
{
	_cleanup_close_ int tmp = -1;

	*j = (struct image_job){ .store = { .dirfd = -1, .lockfd = -1 } };
	if (img_source_parse(o->source, &j->src, err) < 0 ||
	    (store && img_source_absolute(&j->src, err) < 0))
		return ctu_err_code(*err);
	if ((o->platform ? img_platform_parse(o->platform, &j->platform, err) :
			   img_platform_host(&j->platform, err)) < 0)
		return ctu_err_code(*err);
	if (img_reader_open(&j->src, -1, &j->reader, err) < 0 ||
	    img_resolve(j->reader, &j->src, &j->platform, &j->img, err) < 0)
		return ctu_err_code(*err);
	if (!store)
		return 0;
	if (store_open(o->store, true, LOCK_SH, &j->store, err) < 0)
		return ctu_err_code(*err);
	tmp = openat(j->store.dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp < 0)
		return ctu_err_errno(err, "cannot open %s/tmp", j->store.path);
	return img_reader_spool_in(j->reader, tmp, err);
}

/* Opened and pulled: what --image and --pull-only share. */
static int job_pull(struct image_job *j, const struct image_opts *o, ctu_err_t *err)
{
	if (job_open(j, o, true, err) < 0)
		return ctu_err_code(*err);
	return store_pull(&j->store, j->reader, &j->img, o->quiet, err);
}

int image_pull_only(const struct image_opts *o, ctu_err_t *err)
{
	struct image_job j;
	_cleanup_strv_ struct ctu_strv dirs = CTU_STRV_INIT;
	int r = job_pull(&j, o, err);

	if (r == 0 && o->print_layers) {
		r = store_layer_dirs(&j.store, &j.img, &dirs, err);
		for (size_t i = 0; r == 0 && i < dirs.n; i++)
			printf("%s\n", dirs.v[i]);
	}
	job_free(&j);
	return r;
}

int image_config(const struct image_opts *o, bool json, ctu_err_t *err)
{
	struct image_job j;
	int r = job_open(&j, o, false, err);

	if (r == 0)
		r = img_config_print(&j.img, json, err);
	job_free(&j);
	return r;
}

/* An option the image mount adds unless -o set it (or one it excludes). */
static int add_default(struct ctu_strv *opts, const char *opt, const char *unless,
		       ctu_err_t *err)
{
	size_t n = strcspn(opt, "=");
	char name[32];

	snprintf(name, sizeof(name), "%.*s", (int)n, opt);
	if (ovl_option_value(opts, name) || (unless && ovl_option_value(opts, unless)))
		return 0;
	if (ctu_strv_push(opts, opt, strlen(opt)) < 0)
		return ctu_err_make(err, ENOMEM, "cannot add the overlay option %s", opt);
	return 0;
}

/*
 * Layers are shared between mounts, so no index (as moby mounts them); the
 * upper stays a self-contained diff for --diff and --commit: no metacopy,
 * and redirects only followed, which is also all that userxattr allows.
 */
static int add_image_options(struct ovl_request *req, const struct store *s, ctu_err_t *err)
{
	if (add_default(&req->options, "index=off", NULL, err) < 0 ||
	    add_default(&req->options, "redirect_dir=nofollow", "metacopy", err) < 0 ||
	    add_default(&req->options, "metacopy=off", NULL, err) < 0 ||
	    (s->user && add_default(&req->options, "userxattr", NULL, err) < 0))
		return ctu_err_code(*err);
	return ovl_options_conflict(&req->options, err);
}

/* The image's layers below the -l ones, and empty/ where overlayfs needs two lowers. */
static int stack_image(struct ovl_request *req, const struct image_job *j, ctu_err_t *err)
{
	struct ctu_ovl_stack *st = &req->stack;
	size_t given = st->lower.n, total = given + j->img.n_layers;

	if (total > OVL_MAX_LAYERS)
		return ctu_err_make(err, 0,
				    "image has %zu layers, with -l %zu: overlayfs stacks at most %d",
				    j->img.n_layers, total, OVL_MAX_LAYERS);
	if (store_layer_dirs(&j->store, &j->img, &st->lower, err) < 0)
		return ctu_err_code(*err);
	if (st->lower.n == 1 && !st->upper && !req->tmpfs_upper) {
		_cleanup_free_ char *empty = store_empty_dir(&j->store);

		if (!empty || ctu_strv_push(&st->lower, empty, strlen(empty)) < 0)
			return ctu_err_make(err, ENOMEM, "cannot stack %s", j->img.source);
	}
	return 0;
}

int image_mount(struct ovl_request *req, const struct image_opts *o, ctu_err_t *err)
{
	struct ctu_undo undo = CTU_UNDO_INIT;
	struct image_job j;
	int r = job_pull(&j, o, err);

	req->nodev = !o->allow_devices;
	if (r == 0 && (stack_image(req, &j, err) < 0 || add_image_options(req, &j.store, err) < 0))
		r = ctu_err_code(*err);
	/* under the store's shared lock: no prune between the mount and its lease */
	if (r == 0 && (ovl_mount_logged(req, &undo, err) < 0 ||
		       store_lease_add(&j.store, &j.img, req->target, req->stack.upper, err) < 0))
		r = ctu_err_code(*err);
	if (r < 0)
		ctu_undo_rollback(&undo);
	else
		ctu_undo_forget(&undo);
	job_free(&j);
	return r;
}

char *image_store_of_stack(const struct ctu_ovl_stack *st)
{
	return st->lower.n ? store_of_layer(st->lower.v[st->lower.n - 1]) : NULL;
}

void image_lease_drop(const char *store_dir, const char *merged, uint64_t mnt_id)
{
	struct store s;
	ctu_err_t err = NULL;

	/* no store, no lease: --umount of any overlay passes here */
	if (!store_dir || store_open(store_dir, false, LOCK_SH, &s, &err) < 0) {
		ctu_err_free(&err);
		return;
	}
	store_lease_drop(&s, merged, mnt_id);
	store_close(&s);
}

/* The store opened for a keeping job, locked as it needs. */
static int keep_open(const struct image_opts *o, int lock, struct store *s, ctu_err_t *err)
{
	return store_open(o->store, false, lock, s, err);
}

int image_store_ls(const struct image_opts *o, const struct ctu_out_flags *out, ctu_err_t *err)
{
	struct store s;
	int r = keep_open(o, LOCK_SH, &s, err);

	if (r == 0) {
		r = store_ls(&s, o->images, out, err);
		store_close(&s);
	}
	return r;
}

int image_store_rm(const struct image_opts *o, char *const *names, ctu_err_t *err)
{
	struct store s;
	int r = keep_open(o, LOCK_EX, &s, err);

	if (r == 0) {
		r = store_rm(&s, names, err);
		store_close(&s);
	}
	return r;
}

int image_store_prune(const struct image_opts *o, ctu_err_t *err)
{
	struct store s;
	int r = keep_open(o, LOCK_EX, &s, err);

	if (r == 0) {
		r = store_prune(&s, o->dry_run, err);
		store_close(&s);
	}
	return r;
}
