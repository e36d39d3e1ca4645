// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dirs.c - what a mount needs made first: the --tmpfs-upper tmpfs with its
 * upper and work directories, the directories of --mkdir and the default
 * work directory.  Everything made is recorded in the caller's undo logs.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "ctu.h"
#include "ovlmount.h"

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

/*
 * A directory of its own under TMPFS_UPPER_BASE for the tmpfs's mount point.
 * The base stays once made, as /run/netns does after `ip netns`: nothing
 * is left in it.
 */
static int make_tmpfs_mount_point(char *dir, struct ctu_undo *scaffold, ctu_err_t *err)
{
	if (ctu_mkdir_p(NULL, AT_FDCWD, TMPFS_UPPER_BASE, 0755, 0, err) < 0)
		return ctu_err_code(*err);
	if (!mkdtemp(dir))
		return ctu_err_errno(err, "cannot create a directory in %s", TMPFS_UPPER_BASE);
	return ctu_undo_dir(scaffold, AT_FDCWD, dir, 0, err);
}

/*
 * A tmpfs of its own holding the upper and work directories.  It is mounted
 * only while the overlay is set up (recorded in @scaffold, which the caller
 * rolls back once the overlay holds its own private clone of it), so no
 * directory is left under /run when the mount namespace dies.
 */
static int make_tmpfs_upper(struct ovl_request *req, struct ctu_undo *scaffold, ctu_err_t *err)
{
	_cleanup_free_ char *opts = NULL;
	char dir[] = TMPFS_UPPER_BASE "/XXXXXX";
	struct stack *st = &req->stack;

	if (asprintf(&opts, "mode=0755%s%s", req->tmpfs_size ? ",size=" : "",
		     req->tmpfs_size ? req->tmpfs_size : "") < 0)
		return ctu_err_make(err, ENOMEM, "cannot make the tmpfs upper for %s", req->target);
	if (make_tmpfs_mount_point(dir, scaffold, err) < 0)
		return ctu_err_code(*err);
	if (mount("ovlmount-upper", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return ctu_err_errno(err, "cannot mount the tmpfs upper on %s", dir);
	if (ctu_undo_mount(scaffold, dir, err) < 0)
		return ctu_err_code(*err);
	/* inside the tmpfs: gone with it */
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

int ovl_prepare_dirs(struct ovl_request *req, struct ctu_undo *undo, struct ctu_undo *scaffold,
		     ctu_err_t *err)
{
	struct stack *st = &req->stack;

	if (req->tmpfs_upper) {
		if (req->mkdir && make_dirs(undo, req->target, err) < 0)
			return ctu_err_code(*err);
		return make_tmpfs_upper(req, scaffold, err);
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
