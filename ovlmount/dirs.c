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
#include <sys/xattr.h>

#include "ctu.h"
#include "idmap.h"
#include "ovlmount.h"

/*
 * The uid outside that our uid is mapped to: a name that cannot meet the
 * directory of another user namespace's root (or the host's).
 */
static unsigned long outside_uid(void)
{
	_cleanup_free_ char *map = NULL;
	unsigned long inside, outside, count;
	unsigned long uid = geteuid();

	if (ctu_read_file(AT_FDCWD, "/proc/self/uid_map", &map, NULL) < 0)
		return uid;
	for (const char *l = map; l && sscanf(l, " %lu %lu %lu", &inside, &outside, &count) == 3;
	     l = strchr(l + 1, '\n'))
		if (uid >= inside && uid - inside < count)
			return outside + (uid - inside);
	return uid;
}

const char *tmpfs_upper_base(void)
{
	static char base[128];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (*base)
		return base;
	/* the host's /run is root's of the initial user namespace only */
	if (geteuid() == 0 && ctu_userns_is_initial())
		snprintf(base, sizeof(base), "%s", TMPFS_UPPER_BASE);
	else if (xdg && *xdg == '/' && access(xdg, W_OK) == 0)
		snprintf(base, sizeof(base), "%.80s/ctutils/ovlmount", xdg);
	else
		snprintf(base, sizeof(base), "/tmp/ctutils-%lu/ovlmount", outside_uid());
	return base;
}

char *tmpfs_dir_for(const char *merged)
{
	_cleanup_free_ char *real = realpath(merged, NULL);
	const char *src = real ? real : merged, *base = tmpfs_upper_base();
	char *out = malloc(strlen(base) + 2 + strlen(src) * 3 + 1), *p;

	if (!out)
		return NULL;
	p = out + sprintf(out, "%s/", base);
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

/*
 * In a user namespace overlayfs keeps its whiteouts and opaque markers in
 * user.* xattrs (userxattr), which tmpfs has only since Linux 6.6: without
 * them removing a lower directory fails later with EIO, so refuse now.
 */
static int check_user_xattrs(const char *upper, ctu_err_t *err)
{
	if (ctu_userns_is_initial())
		return 0;
	if (setxattr(upper, "user.ctutils.probe", "", 0, 0) == 0) {
		removexattr(upper, "user.ctutils.probe");
		return 0;
	}
	if (errno != EOPNOTSUPP)
		return ctu_err_errno(err, "cannot set a user xattr on the tmpfs upper %s", upper);
	ctu_err_make(err, 0, "--tmpfs-upper in a user namespace needs Linux 6.6 (user xattrs on tmpfs)");
	return ctu_err_hint(err, "use -u DIR on a filesystem with user xattrs");
}

/*
 * The base directory made, and in /tmp (where anyone may have made it
 * first) only taken when it is ours and no other user's to write.
 */
static int make_base(struct ctu_undo *undo, const char *base, ctu_err_t *err)
{
	struct stat st;

	if (make_dirs(undo, base, err) < 0)
		return ctu_err_code(*err);
	if (strncmp(base, "/tmp/", 5) != 0)
		return 0;
	if (lstat(base, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return ctu_err_make(err, EPERM, "%s is not a directory only we may write", base);
	return 0;
}

/* A tmpfs of its own under tmpfs_upper_base(), holding the upper and work directories. */
static int make_tmpfs_upper(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err)
{
	_cleanup_free_ char *opts = NULL, *dir = tmpfs_dir_for(req->target);
	struct ctu_ovl_stack *st = &req->stack;

	_cleanup_close_ int base = -1;

	if (!dir || asprintf(&opts, "mode=0755%s%s", req->tmpfs_size ? ",size=" : "",
			     req->tmpfs_size ? req->tmpfs_size : "") < 0)
		return ctu_err_make(err, ENOMEM, "cannot make the tmpfs upper for %s", req->target);
	if (make_base(undo, tmpfs_upper_base(), err) < 0)
		return ctu_err_code(*err);
	/* locked from the sweep to the mount: no other sweep takes our directory */
	base = tmpfs_base_lock();
	if (base < 0)
		return ctu_err_make(err, -base, "cannot lock %s", tmpfs_upper_base());
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
	return check_user_xattrs(st->upper, err);
}

int ovl_prepare_dirs(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err)
{
	struct ctu_ovl_stack *st = &req->stack;

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
