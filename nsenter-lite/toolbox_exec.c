// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * toolbox_exec.c - the exec of --toolbox (toolbox.c made the root): PATH
 * and TERMINFO_DIRS for the toolbox, and which program runs.  A bare name
 * the toolbox has runs as /.ctutils/bin/NAME, i.e. through hostexec.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "ctu.h"
#include "nsenter-lite.h"
#include "proc.h"

#define TOOLBOX_BIN  "/.ctutils/bin"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void set_toolbox_env(const struct opts *o)
{
	const char *path = o->env ? getenv("PATH") : NULL;
	_cleanup_free_ char *full = NULL;
	ctu_err_t err = NULL;

	if (!path || !*path)
		path = DEFAULT_PATH;
	if (asprintf(&full, "%s:" TOOLBOX_BIN, path) < 0 || setenv("PATH", full, 1) < 0 ||
	    setenv("TERMINFO_DIRS",
		   o->toolbox_dir
		       ? "/.ctutils/host/share/terminfo:/.ctutils/host/usr/share/terminfo"
		       : "/.ctutils/host/usr/share/terminfo:/.ctutils/host/usr/lib/terminfo",
		   1) < 0) {
		ctu_err_make(&err, ENOMEM, "--toolbox: cannot set the environment");
		ctu_err_exit(&err);
	}
}

/* /.ctutils/bin/NAME, when the toolbox has NAME; newly allocated, or NULL. */
static char *toolbox_program(const char *name)
{
	char *path = NULL;

	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return NULL;
	if (asprintf(&path, TOOLBOX_BIN "/%s", name) < 0)
		return NULL;
	if (faccessat(AT_FDCWD, path, X_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return path;
	free(path);
	return NULL;
}

noreturn void toolbox_exec(const struct opts *o)
{
	const char *shell = getenv("SHELL");
	char *shell_argv[2] = { NULL, NULL };
	char **argv = o->argv;
	char *path;

	set_toolbox_env(o);
	if (!argv[0]) {
		/* no program: the host's shell by name, from the toolbox, else sh */
		const char *base = shell && *shell ? strrchr(shell, '/') : NULL;

		base = base ? base + 1 : shell;
		path = toolbox_program(base);
		shell_argv[0] = path ? path : (char *)"sh";
		argv = shell_argv;
	}
	/* a bare name: the toolbox's first, then the container's PATH; a path as given */
	path = toolbox_program(argv[0]);
	if (path)
		argv[0] = path;
	ctu_exec_program(argv, o->proc.preserve_fds);
}
