// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * console.c - the terminal of a --pty relay, claimed by pivot when it is
 * the last ctutils link: from the new root's devpts, after the pivot, and
 * with --dev bound onto /dev/console as runc and crun do.
 */
#include <fcntl.h>
#include <sys/mount.h>

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

/* The claimed slave, on fd 0, bound onto the empty /dev/console of --dev. */
static int bind_console(ctu_err_t *err)
{
	_cleanup_close_ int tree =
	    open_tree(0, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	char src[64];

	if (tree < 0 && errno == ENOSYS) {
		snprintf(src, sizeof(src), "/proc/self/fd/0");
		if (mount(src, "/dev/console", NULL, MS_BIND, NULL) < 0)
			return ctu_err_errno(err, "cannot bind the terminal onto /dev/console");
		return 0;
	}
	if (tree < 0 || move_mount(tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "cannot bind the terminal onto /dev/console");
	return 0;
}

int claim_console(const struct opts *o, char *const argv[], ctu_err_t *err)
{
	bool claimed;

	if (ctu_console_before_exec(argv, &claimed, err) < 0)
		return ctu_err_code(*err);
	if (claimed && has_dev(o))
		return bind_console(err);
	return 0;
}
