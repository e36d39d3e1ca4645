// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * console.c - the terminal of a --pty relay, claimed by pivot when it is
 * the last ctutils link: from the new root's devpts, after the pivot, and
 * with --dev bound onto /dev/console as runc and crun do; and the same
 * binding for the pty lib/procopt makes for --console-fd.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "ctu.h"
#include "pivot.h"
#include "pty.h"

int check_console(ctu_err_t *err)
{
	int fd;

	return ctu_console_pending(&fd, err);
}

int check_ptmx(const struct opts *o, char *const argv[], ctu_err_t *err)
{
	int fd, r = ctu_console_pending(&fd, err);

	if (r <= 0)
		return r;
	/* a next ctutils link claims, or a program that is not found fails */
	if (ctu_program_is_chaining(argv[0]) != 0)
		return 0;
	if (access("/dev/ptmx", F_OK) < 0)
		return ctu_err_make(err, 0, "no /dev/ptmx in %s: a terminal needs --dev",
				    o->newroot);
	return 0;
}

bool has_dev(const struct opts *o)
{
	for (size_t i = 0; i < o->n_ops; i++)
		if (o->ops[i].kind == OP_DEV)
			return true;
	return false;
}

/* Terminal @fd bound onto @target (an fd of /dev/console) by a detached clone. */
static int bind_terminal(int fd, int target, ctu_err_t *err)
{
	_cleanup_close_ int tree =
	    open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	char src[64], dst[64];

	if (tree < 0 && errno == ENOSYS) {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
		snprintf(dst, sizeof(dst), "/proc/self/fd/%d", target);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return ctu_err_errno(err, "cannot bind the terminal onto /dev/console");
		return 0;
	}
	if (tree < 0 || move_mount(tree, "", target, "",
				   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "cannot bind the terminal onto /dev/console");
	return 0;
}

/*
 * /dev/console of the new root (our root now), made an empty file when
 * missing; a symlink there is not followed (it could lead anywhere).
 */
static int open_console_target(ctu_err_t *err)
{
	int fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT) {
		fd = open("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0)
			close(fd);
		fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return ctu_err_errno(err, "cannot make /dev/console for the terminal");
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		return ctu_err_make(err, 0, "/dev/console is a symlink or a directory: the "
					    "terminal is not bound there");
	}
	return fd;
}

int bind_console_slave(int slave, ctu_err_t *err)
{
	_cleanup_close_ int target = -1;
	struct stat st;

	if (stat("/dev", &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	target = open_console_target(err);
	if (target < 0)
		return target;
	return bind_terminal(slave, target, err);
}

int claim_console(const struct opts *o, char *const argv[], ctu_err_t *err)
{
	bool claimed;

	if (ctu_console_before_exec(argv, &claimed, err) < 0)
		return ctu_err_code(*err);
	if (claimed && has_dev(o)) {
		_cleanup_close_ int target = open_console_target(err);

		return target < 0 ? target : bind_terminal(0, target, err);
	}
	return 0;
}
