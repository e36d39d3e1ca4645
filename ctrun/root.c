// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * root.c - container IDs and the state root: what every command checks
 * before it touches ROOT/ID.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrun.h"
#include "undo.h"

int ct_id_check(const char *id, ctu_err_t *err)
{
	size_t len = strlen(id);

	if (len == 0)
		return ctu_err_usage(err, "container ID is empty");
	if (len > CT_ID_MAX)
		return ctu_err_usage(err, "container ID is longer than %d bytes", CT_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+.-") != len)
		return ctu_err_usage(
		    err, "invalid container ID '%s': only A-Z a-z 0-9 _ + . - are allowed", id);
	return 0;
}

/* ROOT must be a real directory of ours: a symlink or another owner could steer us. */
static int check_root_dir(const char *root, int fd, ctu_err_t *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return ctu_err_errno(err, "--root %s", root);
	if (st.st_uid != geteuid())
		return ctu_err_make(err, EPERM, "--root %s: owned by uid %u, not by us", root,
				    (unsigned int)st.st_uid);
	return 0;
}

int ct_root_open(struct ct_global *g, ctu_err_t *err)
{
	int fd;

	if (g->rootfd >= 0)
		return g->rootfd;
	/* as runc's MkdirAll: containerd's shim names /run/containerd/runc/NS */
	if (ctu_mkdir_p(NULL, AT_FDCWD, g->root, 0700, 0, err) < 0)
		return ctu_err_wrap(err, "cannot create --root %s", g->root);
	fd = open(g->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return ctu_err_make(err, errno, "--root %s: not a directory (a symlink?)",
					    g->root);
		return ctu_err_errno(err, "cannot open --root %s", g->root);
	}
	if (check_root_dir(g->root, fd, err) < 0) {
		close(fd);
		return -1;
	}
	g->rootfd = fd;
	return fd;
}
