// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setup.c - the new root: NEWROOT bound onto itself, the mounts, directories
 * and files of the command line made inside it, then pivot_root (or
 * chroot).  Every mount target is resolved inside the new root (openat2
 * RESOLVE_IN_ROOT) and mounted by fd; the standard mount points must not be
 * symlinks at all (runc CVE-2019-19921).  Everything made is recorded in the
 * undo log, which main replays when a later step fails.
 *
 * The order is runc's: the mounts (and --mkdir) in command-line order, the
 * --device nodes, the --symlinks; --sync-fd's "mounted"; the pivot (or
 * --no-pivot's move); --readonly-path and --mask; the read-only root.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "ctu.h"
#include "mnt.h"
#include "mnttab.h"
#include "pivot.h"
#include "pty.h"
#include "strv.h"

/* The rollback's last step: NEWROOT's bind, while it is not our root. */
static void detach_bind(void *arg)
{
	const struct newroot *nr = arg;

	if (nr->bound)
		umount2(nr->path, MNT_DETACH);
}

static const char *propagation_name(unsigned long flag)
{
	return flag == MS_SLAVE ? "slaves" : flag == MS_SHARED ? "shared" : "private";
}

/*
 * With shared mounts, the mount NEWROOT lies on is made private (runc's
 * rootfsParentMountPrivate): pivot_root refuses a shared parent, and the
 * bind of NEWROOT would propagate to the host.  It is NEWROOT itself when
 * that is a mount point, else the nearest one above it.
 */
static int make_parent_private(const char *newroot, ctu_err_t *err)
{
	_cleanup_free_ char *path = realpath(newroot, NULL);
	char *slash;
	int r;

	if (!path)
		return ctu_err_errno(err, "cannot resolve %s", newroot);
	while ((r = ctu_mnt_is_mount_point(path)) == 0 && strcmp(path, "/") != 0) {
		slash = strrchr(path, '/');
		slash[slash == path] = '\0';
	}
	if (r < 0)
		return ctu_err_make(err, -r, "cannot find the mount of %s", newroot);
	if (mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0)
		return ctu_err_errno(err, "cannot make %s private, the parent mount of %s", path,
				     newroot);
	return 0;
}

/* Steps 2 and 3: private mounts, then NEWROOT a mount point of its own. */
static int prepare_root(const struct opts *o, struct newroot *nr, ctu_err_t *err)
{
	struct stat s;

	nr->path = o->newroot;
	if (stat(o->newroot, &s) < 0)
		return ctu_err_errno(err, "cannot use '%s' as the new root", o->newroot);
	if (!S_ISDIR(s.st_mode))
		return ctu_err_make(err, 0, "cannot use '%s' as the new root: not a directory",
				    o->newroot);
	if (!o->in_place && mount(NULL, "/", NULL, MS_REC | o->propagation, NULL) < 0)
		return ctu_err_errno(err, "cannot make the mounts %s",
				     propagation_name(o->propagation));
	if (!o->in_place && o->propagation == MS_SHARED && make_parent_private(o->newroot, err) < 0)
		return ctu_err_code(*err);
	if (mount(o->newroot, o->newroot, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctu_err_errno(err, "cannot bind %s onto itself", o->newroot);
	nr->bound = true;
	if (ctu_undo_call(&nr->undo, detach_bind, nr, err) < 0)
		return ctu_err_code(*err);
	/*
	 * --in-place: the namespace is others' too, so its propagation stays as
	 * it is and only the bind's tree gets ours (private by default): what
	 * is mounted inside does not show anywhere else.
	 */
	if (o->in_place && mount(NULL, o->newroot, NULL, MS_REC | o->propagation, NULL) < 0)
		return ctu_err_errno(err, "cannot make the mounts in %s %s", o->newroot,
				     propagation_name(o->propagation));
	nr->rootfd = open(o->newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nr->rootfd < 0)
		return ctu_err_errno(err, "cannot open %s", o->newroot);
	return 0;
}

/* An empty file at @path (its parent exists), unless something is there. */
static int make_file(struct newroot *nr, const char *path, ctu_err_t *err)
{
	_cleanup_free_ char *parent = ctu_mnt_parent_dir(path);
	_cleanup_close_ int pfd = -1;
	const char *slash = strrchr(path, '/');
	int fd;

	if (!parent)
		return ctu_err_make(err, ENOMEM, "cannot create %s", path);
	pfd = ctu_mnt_open_in_root(nr->rootfd, parent, O_DIRECTORY, false);
	if (pfd < 0)
		return ctu_err_make(err, -pfd, "cannot create %s", path);
	fd = openat(pfd, slash ? slash + 1 : path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
		    0755);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return ctu_err_errno(err, "cannot create %s", path);
	close(fd);
	return ctu_undo_file(&nr->undo, nr->rootfd, path, CTU_UNDO_IN_ROOT, err);
}

/* The missing parts of @path in the new root: directories, and an empty file last with @as_file. */
static int make_path(struct newroot *nr, const char *path, bool as_file, ctu_err_t *err)
{
	_cleanup_free_ char *parent = NULL;
	int r;

	if (!as_file)
		r = ctu_mkdir_p(&nr->undo, nr->rootfd, path, 0755, CTU_MKDIR_IN_ROOT, err);
	else if (!(parent = ctu_mnt_parent_dir(path)))
		r = ctu_err_make(err, ENOMEM, "cannot create %s", path);
	else if ((r = ctu_mkdir_p(&nr->undo, nr->rootfd, parent, 0755, CTU_MKDIR_IN_ROOT, err)) == 0)
		r = make_file(nr, path, err);
	return r < 0 ? ctu_err_wrap(err, "new root %s", nr->path) : 0;
}

/* A standard mount point: created if missing, refused if it is a symlink.  Returns an O_PATH fd. */
static int strict_mount_point(struct newroot *nr, const char *path, bool as_file, ctu_err_t *err)
{
	int fd = ctu_mnt_open_in_root(nr->rootfd, path, 0, true);

	if (fd == -ENOENT) {
		if (make_path(nr, path, as_file, err) < 0)
			return ctu_err_code(*err);
		fd = ctu_mnt_open_in_root(nr->rootfd, path, 0, true);
	}
	if (fd == -ELOOP)
		return ctu_err_make(err, 0, "%s%s is a symlink: refusing to mount over it", nr->path,
				    path);
	if (fd < 0)
		return ctu_err_make(err, -fd, "cannot create %s in %s", path, nr->path);
	return fd;
}

/* A user's mount point: symlinks followed, but only inside the new root.  An O_PATH fd. */
static int user_mount_point(struct newroot *nr, const char *path, bool as_file, ctu_err_t *err)
{
	int fd;

	if (make_path(nr, path, as_file, err) < 0)
		return ctu_err_code(*err);
	fd = ctu_mnt_open_in_root(nr->rootfd, path, 0, false);
	if (fd < 0)
		return ctu_err_make(err, -fd, "cannot create %s in %s", path, nr->path);
	return fd;
}

int mount_point(struct newroot *nr, const char *path, bool as_file, bool no_symlinks,
		ctu_err_t *err)
{
	if (no_symlinks)
		return strict_mount_point(nr, path, as_file, err);
	return user_mount_point(nr, path, as_file, err);
}

int record_mount(struct newroot *nr, const char *path, ctu_err_t *err)
{
	return ctu_undo_mount_at(&nr->undo, nr->rootfd, path, CTU_UNDO_IN_ROOT, err);
}

static int mount_new_fs(struct newroot *nr, const char *path, const char *fstype,
			const char *options, unsigned int attrs, ctu_err_t *err)
{
	_cleanup_close_ int fd = strict_mount_point(nr, path, false, err);
	int r;

	if (fd < 0)
		return fd;
	r = ctu_mnt_new_fs_at(fd, fstype, fstype, options, attrs);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot mount %s on %s%s", fstype, nr->path, path);
	return record_mount(nr, path, err);
}

static int setup_sys(struct newroot *nr, ctu_err_t *err)
{
	_cleanup_close_ int fd = strict_mount_point(nr, "/sys", false, err);
	unsigned int attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			     MOUNT_ATTR_NOEXEC;
	int r;

	if (fd < 0)
		return fd;
	r = ctu_mnt_new_fs_at(fd, "sysfs", "sysfs", NULL, attrs);
	/* a fresh sysfs needs a net namespace of our own user namespace's */
	if (r == -EPERM)
		r = bind_at("/sys", fd, true, true);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot mount sysfs on %s/sys", nr->path);
	return record_mount(nr, "/sys", err);
}

/* /dev/NAME: the host's device node bound onto an empty file. */
static int bind_dev_node(struct newroot *nr, const char *name, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = strict_mount_point(nr, path, true, err);
	if (fd < 0)
		return fd;
	/* the same path on the host: our root is still the host's */
	r = bind_at(path, fd, false, false);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot bind %s into %s", path, nr->path);
	return record_mount(nr, path, err);
}

/* The symlinks of /dev (ptmx, fd, stdin ...): they go with its tmpfs on rollback. */
static int make_dev_links(struct newroot *nr, ctu_err_t *err)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" },	      { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};
	_cleanup_close_ int devfd = ctu_mnt_open_in_root(nr->rootfd, "/dev", O_DIRECTORY, true);
	_cleanup_close_ int dirfd = -1;
	char path[64];

	if (devfd < 0)
		return ctu_err_make(err, -devfd, "cannot open %s/dev", nr->path);
	/* O_PATH fds cannot be written through: reopen it for symlinkat */
	proc_fd_path(devfd, path, sizeof(path));
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ctu_err_errno(err, "cannot open %s/dev", nr->path);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], dirfd, links[i][1]) < 0)
			return ctu_err_errno(err, "cannot create %s/dev/%s", nr->path, links[i][1]);
	return 0;
}

static int setup_dev(struct newroot *nr, ctu_err_t *err)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

	if (mount_new_fs(nr, "/dev", "tmpfs", "mode=755,size=65536k",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(nodes); i++)
		if (bind_dev_node(nr, nodes[i], err) < 0)
			return ctu_err_code(*err);
	if (mount_new_fs(nr, "/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err) < 0 ||
	    mount_new_fs(nr, "/dev/shm", "tmpfs", "mode=1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
			 err) < 0)
		return ctu_err_code(*err);
	/* a --pty terminal pending: its slave is bound here once claimed (console.c) */
	if (getenv(CTU_CONSOLE_ENV) && make_file(nr, "/dev/console", err) < 0)
		return ctu_err_code(*err);
	return make_dev_links(nr, err);
}

static int setup_tmpfs(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	_cleanup_close_ int fd = user_mount_point(nr, op->a, false, err);
	int r;

	if (fd < 0)
		return fd;
	r = ctu_mnt_new_fs_at(fd, "tmpfs", "tmpfs", op->b, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot mount tmpfs on %s%s%s%s", nr->path, op->a,
				    op->b ? " with " : "", op->b ? op->b : "");
	return record_mount(nr, op->a, err);
}

static int setup_bind(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;
	struct stat s;
	int r;

	if (stat(op->a, &s) < 0)
		return ctu_err_errno(err, "cannot bind %s", op->a);
	fd = user_mount_point(nr, op->b, !S_ISDIR(s.st_mode), err);
	if (fd < 0)
		return fd;
	r = bind_at(op->a, fd, true, op->readonly);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot bind %s on %s%s", op->a, nr->path, op->b);
	return record_mount(nr, op->b, err);
}

static int setup_symlink(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	_cleanup_free_ char *parent = ctu_mnt_parent_dir(op->b);
	const char *slash = strrchr(op->b, '/');
	_cleanup_close_ int pfd = -1, dirfd = -1;
	char path[64];

	if (!parent)
		return ctu_err_make(err, ENOMEM, "cannot create the symlink %s%s", nr->path, op->b);
	pfd = user_mount_point(nr, parent, false, err);
	if (pfd < 0)
		return pfd;
	proc_fd_path(pfd, path, sizeof(path));
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || symlinkat(op->a, dirfd, slash ? slash + 1 : op->b) < 0)
		return ctu_err_errno(err, "cannot create the symlink %s%s", nr->path, op->b);
	return ctu_undo_file(&nr->undo, nr->rootfd, op->b, CTU_UNDO_IN_ROOT, err);
}

static int make_dir(struct newroot *nr, const char *path, ctu_err_t *err)
{
	int fd = user_mount_point(nr, path, false, err);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* Step 4: one --proc, --sys, --dev, --tmpfs, --bind, --mkdir or --symlink. */
static int run_op(struct newroot *nr, const struct op *op, ctu_err_t *err)
{
	switch (op->kind) {
	case OP_PROC:
		return mount_new_fs(nr, "/proc", "proc", NULL,
				    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
	case OP_SYS:
		return setup_sys(nr, err);
	case OP_DEV:
		return setup_dev(nr, err);
	case OP_TMPFS:
		return setup_tmpfs(nr, op, err);
	case OP_BIND:
		return setup_bind(nr, op, err);
	case OP_MKDIR:
		return make_dir(nr, op->a, err);
	case OP_SYMLINK:
		return setup_symlink(nr, op, err);
	case OP_MOUNT:
		return setup_mount(nr, op, err);
	}
	return ctu_err_make(err, EINVAL, "unknown setup step");
}

/*
 * --no-pivot (runc's msMoveRoot, for a root on ramfs, which pivot_root
 * refuses): the host's proc and sysfs mounts outside the new root are
 * detached first, as a mount of a fresh proc or sysfs is allowed only where a
 * full one is visible and the chroot keeps the old root in the namespace;
 * then NEWROOT's bind is moved onto / and chrooted into.
 */
static int detach_host_kernel_fs(const char *newroot, ctu_err_t *err)
{
	_cleanup_strv_ struct ctu_strv found = CTU_STRV_INIT;
	_cleanup_free_ char *root = realpath(newroot, NULL);
	int r = root ? ctu_mnt_kernel_fs_outside(root, &found) : -errno;

	if (r < 0)
		return ctu_err_make(err, -r, "cannot read the mount table");
	/* the newest first: a sysfs on a proc... each a slave first, so nothing propagates back */
	for (size_t i = found.n; i-- > 0;) {
		if (mount(NULL, found.v[i], NULL, MS_SLAVE | MS_REC, NULL) < 0 && errno == ENOENT)
			continue;
		if (umount2(found.v[i], MNT_DETACH) < 0)
			return ctu_err_errno(err, "cannot detach the host's %s", found.v[i]);
	}
	return 0;
}

static int move_to_root(const struct opts *o, struct newroot *nr, ctu_err_t *err)
{
	if (detach_host_kernel_fs(o->newroot, err) < 0)
		return ctu_err_code(*err);
	if (move_mount(nr->rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "cannot move %s onto /", o->newroot);
	if (chroot(".") < 0)
		return ctu_err_errno(err, "cannot chroot to %s", o->newroot);
	return 0;
}

/* Step 5: pivot_root(".", ".") and detach the old root, or keep it at --old-root. */
static int switch_root(const struct opts *o, struct newroot *nr, ctu_err_t *err)
{
	_cleanup_close_ int oldfd = -1;
	char put_old[64] = ".";

	if (o->old_root) {
		oldfd = user_mount_point(nr, o->old_root, false, err);
		if (oldfd < 0)
			return oldfd;
		proc_fd_path(oldfd, put_old, sizeof(put_old));
	}
	if (fchdir(nr->rootfd) < 0)
		return ctu_err_errno(err, "cannot change to %s", o->newroot);
	if (o->no_pivot) {
		if (move_to_root(o, nr, err) < 0)
			return ctu_err_code(*err);
	} else if (o->chroot_only) {
		if (chroot(".") < 0)
			return ctu_err_errno(err, "cannot chroot to %s", o->newroot);
		/* --in-place asked for the caller's namespace, where only a chroot can be */
		if (!o->in_place)
			ctu_warn(0, "warning: --chroot: a chroot can be escaped by a process that "
				    "may chroot again; containers use pivot_root");
	} else if ((int)syscall(SYS_pivot_root, ".", put_old) < 0) {
		return ctu_err_errno(err, "cannot pivot_root to %s", o->newroot);
	}
	/*
	 * From here the bind is our root and NEWROOT's path means nothing: a
	 * rollback removes only what we made inside the new root.
	 */
	nr->bound = false;
	if (!o->chroot_only && !o->no_pivot && !o->old_root && umount2(".", MNT_DETACH) < 0)
		return ctu_err_errno(err, "cannot detach the old root");
	if (o->old_root && !o->chroot_only)
		ctu_warn(0, "warning: the old root stays at %s: the container can see the host",
			 o->old_root);
	if (chdir("/") < 0)
		return ctu_err_errno(err, "cannot change directory to /");
	/* runc's last word on rootfsPropagation: the new root itself (its tree with r*) */
	if (o->root_propagation && mount(NULL, "/", NULL, o->root_propagation, NULL) < 0)
		return ctu_err_errno(err, "cannot set the propagation of the new root");
	return 0;
}

/* Step 4's ops in command-line order: every one but the symlinks, or (@links) only those. */
static int run_ops(const struct opts *o, struct newroot *nr, bool links, ctu_err_t *err)
{
	for (size_t i = 0; i < o->n_ops; i++)
		if ((o->ops[i].kind == OP_SYMLINK) == links && run_op(nr, &o->ops[i], err) < 0)
			return ctu_err_code(*err);
	return 0;
}

/*
 * --sync-fd's first stage: "mounted" once the new root is made, then a
 * byte to go on; EOF means the caller gave up, and everything is undone.
 */
static int sync_mounted(int fd, ctu_err_t *err)
{
	static const char msg[] = "mounted\n";
	char byte;
	ssize_t n;
	int r;

	if (fd < 0)
		return 0;
	r = ctu_write_all(fd, msg, sizeof(msg) - 1);

	if (r < 0)
		return ctu_err_make(err, -r, "--sync-fd %d: cannot write \"mounted\"", fd);
	do
		n = read(fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ctu_err_errno(err, "--sync-fd %d: cannot read the answer to \"mounted\"", fd);
	if (n == 0)
		return ctu_err_make(err, 0, "--sync-fd %d: closed before the answer to \"mounted\"",
				    fd);
	return 0;
}

int set_up_root(const struct opts *o, struct newroot *nr, ctu_err_t *err)
{
	int r;

	/* runc's order: mounts, devices, the /dev symlinks; the pivot; masks, read-only root */
	if (prepare_root(o, nr, err) < 0 || run_ops(o, nr, false, err) < 0 ||
	    setup_devices(o, nr, err) < 0 || run_ops(o, nr, true, err) < 0 ||
	    sync_mounted(o->proc.sync_fd, err) < 0 || switch_root(o, nr, err) < 0 ||
	    apply_masks(o, nr, err) < 0)
		return ctu_err_code(*err);
	if (o->readonly && (r = make_readonly("/", false)) < 0)
		return ctu_err_make(err, -r, "cannot make the new root read-only");
	if (o->wd && chdir(o->wd) < 0)
		return ctu_err_errno(err, "cannot change directory to %s", o->wd);
	return 0;
}
