// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dirs.c - what a mount needs made first: the --tmpfs-upper tmpfs with its
 * upper and work directories, the directories of --mkdir and the default
 * work directory.  Everything made is recorded in the caller's undo log.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "ctu.h"
#include "ovlmount.h"

char *tmpfs_dir_for(const char *merged)
{
	_cleanup_free_ char *real = realpath(merged, NULL);
	const char *src = real ? real : merged;
	char *out = malloc(strlen(TMPFS_UPPER_BASE) + 2 + strlen(src) * 3 + 1), *p;

	if (!out)
		return NULL;
	p = out + sprintf(out, "%s/", TMPFS_UPPER_BASE);
	for (const char *c = src; *c; c++)
		p += *c == '/' ? sprintf(p, "_") : *c == '_' ? sprintf(p, "_5f") : sprintf(p, "%c", *c);
	*p = '\0';
	return out;
}

static int make_dirs(struct ctu_undo *undo, const char *path, ctu_err_t *err)
{
	return ctu_mkdir_p(undo, AT_FDCWD, path, 0755, 0, err);
}

/*
 * The work directory, when missing.  The kernel makes "work" and "index" in
 * it at the mount: recorded after it, they are removed before it on rollback.
 */
static int make_work_dir(struct ctu_undo *undo, const char *work, ctu_err_t *err)
{
	static const char *const inner[] = { "work", "index" };
	size_t before = undo->n;

	if (make_dirs(undo, work, err) < 0)
		return ctu_err_code(*err);
	if (undo->n == before)
		return 0; /* it was there: what is in it is not ours */
	for (size_t i = 0; i < CTU_ARRAY_SIZE(inner); i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", work, inner[i]) < 0)
			return ctu_err_make(err, ENOMEM, "cannot create %s", work);
		if (ctu_undo_dir(undo, AT_FDCWD, path, 0, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* A tmpfs of its own under TMPFS_UPPER_BASE, holding the upper and work directories. */
static int make_tmpfs_upper(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err)
{
	_cleanup_free_ char *opts = NULL, *dir = tmpfs_dir_for(req->target);
	struct stack *st = &req->stack;

	_cleanup_close_ int base = -1;

	if (!dir || asprintf(&opts, "mode=0755%s%s", req->tmpfs_size ? ",size=" : "",
			     req->tmpfs_size ? req->tmpfs_size : "") < 0)
		return ctu_err_make(err, ENOMEM, "cannot make the tmpfs upper for %s", req->target);
	if (make_dirs(undo, TMPFS_UPPER_BASE, err) < 0)
		return ctu_err_code(*err);
	/* locked from the sweep to the mount: no other sweep takes our directory */
	base = tmpfs_base_lock();
	if (base < 0)
		return ctu_err_make(err, -base, "cannot lock %s", TMPFS_UPPER_BASE);
	tmpfs_sweep(base);
	if (make_dirs(undo, dir, err) < 0)
		return ctu_err_code(*err);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return ctu_err_errno(err, "cannot mount the tmpfs upper on %s", dir);
	if (ctu_undo_mount(undo, dir, err) < 0)
		return ctu_err_code(*err);
	/* inside the tmpfs: gone with it on rollback */
	if (asprintf(&st->upper, "%s/upper", dir) < 0)
		st->upper = NULL;
	if (asprintf(&st->work, "%s/work", dir) < 0)
		st->work = NULL;
	if (!st->upper || !st->work)
		return ctu_err_make(err, ENOMEM, "cannot make the tmpfs upper in %s", dir);
	if (mkdir(st->upper, 0755) < 0 || mkdir(st->work, 0755) < 0)
		return ctu_err_errno(err, "cannot create the tmpfs upper in %s", dir);
	return 0;
}

int ovl_prepare_dirs(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err)
{
	struct stack *st = &req->stack;

	if (req->tmpfs_upper) {
		if (req->mkdir && make_dirs(undo, req->target, err) < 0)
			return ctu_err_code(*err);
		return make_tmpfs_upper(req, undo, err);
	}
	if (st->upper && !st->work && asprintf(&st->work, "%s.work", st->upper) < 0) {
		st->work = NULL;
		return ctu_err_make(err, ENOMEM, "cannot name the work directory of %s", st->upper);
	}
	if (st->upper && req->mkdir && make_dirs(undo, st->upper, err) < 0)
		return ctu_err_code(*err);
	/* the default work directory is always ours to make */
	if (st->work && (req->mkdir || access(st->work, F_OK) < 0) &&
	    make_work_dir(undo, st->work, err) < 0)
		return ctu_err_code(*err);
	if (req->mkdir && make_dirs(undo, req->target, err) < 0)
		return ctu_err_code(*err);
	return 0;
}
