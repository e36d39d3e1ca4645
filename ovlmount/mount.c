// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mount.c - the mount: the directories made, the layers checked, then the
 * layers given to the kernel one by one with fsconfig "lowerdir+" (Linux
 * 6.8), a path too long for fsconfig's 255-byte strings as an O_PATH fd, so
 * the only limit left is the kernel's own 500 layers.  Without "lowerdir+"
 * the stack goes to mount(2) as one string (legacy.c).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>

#include "ctu.h"
#include "idmap.h"
#include "mnt.h"
#include "ovlmount.h"

/* The kernel's own words about a failed fsconfig, from the fs context log. */
static void kernel_log(int fsfd, char *buf, size_t size)
{
	ssize_t n;

	buf[0] = '\0';
	while ((n = read(fsfd, buf, size - 1)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
	}
}

/*
 * A failed fsconfig: "WHAT NAME: the error (the kernel's words)".  errno is
 * taken first: reading the log sets it (ENODATA once it is empty).
 */
static int fsconfig_failed(int fsfd, const char *what, const char *name, ctu_err_t *err)
{
	int e = errno;
	char log[512];

	kernel_log(fsfd, log, sizeof(log));
	ctu_err_make(err, e, "%s %s", what, name);
	return *log ? ctu_err_hint(err, "%s", log) : ctu_err_code(*err);
}

/* A layer as a fsconfig value: a path, or an fd when it is too long for one. */
static int set_layer(int fsfd, const char *key, const char *path)
{
	_cleanup_close_ int fd = -1;
	char proc[64];

	if (strlen(path) < 256)
		return fsconfig(fsfd, FSCONFIG_SET_STRING, key, path, 0);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_SET_FD, key, NULL, fd) == 0)
		return 0;
	/* before Linux 6.13: the short magic-link name of the fd */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return fsconfig(fsfd, FSCONFIG_SET_STRING, key, proc, 0);
}

/* @layers from the @first on. */
static int set_layers(int fsfd, const char *key, const struct ctu_strv *layers, size_t first,
		      const char *what, ctu_err_t *err)
{
	for (size_t i = first; i < layers->n; i++)
		if (set_layer(fsfd, key, layers->v[i]) < 0)
			return fsconfig_failed(fsfd, what, layers->v[i], err);
	return 0;
}

enum { OVL_MOUNTED, OVL_NO_LOWERDIR_PLUS };

/*
 * Before Linux 6.5 overlayfs had no fs_context of its own: the kernel's
 * "legacy" one took any key, joined them all into one mount(2) option string
 * of at most a page, and only the mount itself failed on lowerdir+.  A key
 * that no real parser knows tells the two apart: only the legacy one takes it.
 * Returns 1 for the legacy context, 0, or a negative number with *@err set.
 */
static int fs_context_is_legacy(int fsfd, ctu_err_t *err)
{
	char msg[512];

	if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "ctutils-probe", NULL, 0) == 0)
		return 1;
	if (errno != EINVAL)
		return ctu_err_errno(err, "cannot use overlayfs");
	/* the parser logged "Unknown parameter": not a message for the user */
	while (read(fsfd, msg, sizeof(msg)) > 0)
		;
	return 0;
}

/*
 * The lower layers from the @first_lower on, the data layers, the upper and
 * the options, into the fs context @fsfd, and the filesystem made.
 */
static int configure_overlay(int fsfd, const struct ovl_request *req, size_t first_lower,
			     ctu_err_t *err)
{
	const struct ctu_ovl_stack *st = &req->stack;
	const char *failed = NULL;

	if (set_layers(fsfd, "lowerdir+", &st->lower, first_lower, "lower layer", err) < 0 ||
	    set_layers(fsfd, "datadir+", &st->data, 0, "data layer", err) < 0)
		return ctu_err_code(*err);
	if (st->upper && (set_layer(fsfd, "upperdir", st->upper) < 0 ||
			  set_layer(fsfd, "workdir", st->work) < 0))
		return fsconfig_failed(fsfd, "upper layer", st->upper, err);
	if (ctu_mnt_fsconfig_options(fsfd, (const char *const *)req->options.v, &failed) < 0)
		return fsconfig_failed(fsfd, "overlay option", failed, err);
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fsconfig_failed(fsfd, "cannot mount the overlay on", req->target, err);
	return 0;
}

/* The new mount API: OVL_MOUNTED, OVL_NO_LOWERDIR_PLUS, or a negative number with *@err set. */
static int mount_with_fsconfig(const struct ovl_request *req, ctu_err_t *err)
{
	_cleanup_close_ int fsfd = fsopen("overlay", FSOPEN_CLOEXEC), mntfd = -1, target = -1;
	int r;

	if (fsfd < 0 && errno == ENOSYS)
		return OVL_NO_LOWERDIR_PLUS; /* before Linux 5.2 */
	if (fsfd < 0)
		return ctu_err_errno(err, "cannot use overlayfs");
	r = fs_context_is_legacy(fsfd, err);
	if (r != 0)
		return r < 0 ? r : OVL_NO_LOWERDIR_PLUS; /* before Linux 6.5 */
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		return ctu_err_errno(err, "cannot use overlayfs");
	/* the first layer tells whether this kernel knows lowerdir+ */
	if (set_layer(fsfd, "lowerdir+", req->stack.lower.v[0]) < 0) {
		if (errno == EINVAL)
			return OVL_NO_LOWERDIR_PLUS; /* before Linux 6.8 */
		return fsconfig_failed(fsfd, "lower layer", req->stack.lower.v[0], err);
	}
	if (configure_overlay(fsfd, req, 1, err) < 0)
		return ctu_err_code(*err);
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
			(req->readonly ? MOUNT_ATTR_RDONLY : 0) | (req->nodev ? MOUNT_ATTR_NODEV : 0));
	target = open(req->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mntfd < 0 || target < 0 ||
	    move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "cannot mount the overlay on %s", req->target);
	return OVL_MOUNTED;
}

/* CTU_OVLMOUNT_LEGACY=1, a debugging aid: mount(2) as on kernels before 6.8. */
static bool legacy_forced(void)
{
	const char *e = getenv("CTU_OVLMOUNT_LEGACY");

	return e && *e && strcmp(e, "0") != 0;
}

/* Inside a user namespace: userxattr, unless given, said on stderr. */
static int add_userxattr_if_needed(struct ovl_request *req, ctu_err_t *err)
{
	if (ctu_userns_is_initial() || ovl_option_value(&req->options, "userxattr"))
		return 0;
	ctu_warn(0, "inside a user namespace: adding the overlay option userxattr");
	if (ctu_strv_push(&req->options, "userxattr", 9) < 0)
		return ctu_err_make(err, ENOMEM, "cannot add the overlay option userxattr");
	return ovl_options_conflict(&req->options, err);
}

/*
 * Data-only layers ("::" in lowerdir, datadir+) came with overlayfs's own fs
 * context in Linux 6.5: an older kernel takes "::" for an empty layer.
 */
static int check_data_layers(const struct ovl_request *req, ctu_err_t *err)
{
	_cleanup_close_ int fsfd = -1;
	int r;

	if (req->stack.data.n == 0)
		return 0;
	fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0 && errno != ENOSYS)
		return ctu_err_errno(err, "cannot use overlayfs");
	r = fsfd < 0 ? 1 : fs_context_is_legacy(fsfd, err);
	if (r > 0)
		return ctu_err_make(err, 0, "data-only lower layers (--data-lower) need Linux 6.5");
	return r;
}

/*
 * A failed mount with data-only layers: older kernels take them only with
 * metacopy=on.  Said unless the kernel gave its own words (the new API's
 * log); the legacy path's hint only points at dmesg, and still does.
 */
static int hint_data_layers(const struct ovl_request *req, bool legacy, ctu_err_t *err)
{
	const char *meta = ovl_option_value(&req->options, "metacopy");

	/* metacopy=off (or none) is what such a kernel refuses: hint at on */
	if (!req->stack.data.n || (meta && strcmp(meta, "on") == 0) || (!legacy && (*err)->hint))
		return ctu_err_code(*err);
	return ctu_err_hint(err, "older kernels take data-only layers only with -o metacopy=on%s",
			    legacy ? "; the kernel log may say more: dmesg" : "");
}

static int mount_stack(struct ovl_request *req, ctu_err_t *err)
{
	bool legacy;
	int r;

	stack_canonicalize(&req->stack);
	if (stack_check(&req->stack, req->target, err) < 0 || check_data_layers(req, err) < 0 ||
	    add_userxattr_if_needed(req, err) < 0)
		return ctu_err_code(*err);
	r = legacy_forced() ? OVL_NO_LOWERDIR_PLUS : mount_with_fsconfig(req, err);
	legacy = r == OVL_NO_LOWERDIR_PLUS;
	if (legacy)
		r = ovl_mount_legacy(req, err);
	return r < 0 ? hint_data_layers(req, legacy, err) : r;
}

int ovl_mount_logged(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err)
{
	if (ovl_prepare_dirs(req, undo, err) < 0 || mount_stack(req, err) < 0)
		return ctu_err_code(*err);
	return ctu_undo_mount(undo, req->target, err);
}

int ovl_mount(struct ovl_request *req, ctu_err_t *err)
{
	struct ctu_undo undo = CTU_UNDO_INIT;

	if (ovl_mount_logged(req, &undo, err) < 0) {
		ctu_undo_rollback(&undo);
		return ctu_err_code(*err);
	}
	ctu_undo_forget(&undo);
	return 0;
}
