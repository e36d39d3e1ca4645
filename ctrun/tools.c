// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tools.c - the six tools as programs: found beside /proc/self/exe (never
 * through PATH) and run with an empty environment, so that a container's
 * configuration (CGCTL_ROOT, CTU_*) cannot steer them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrun.h"
#include "proc.h"

/* where `make install` puts the tools (the Makefile's BINDIR and SBINDIR) */
#ifndef CTU_BINDIR
#define CTU_BINDIR "/usr/local/bin"
#endif
#ifndef CTU_SBINDIR
#define CTU_SBINDIR "/usr/local/sbin"
#endif

#define STDERR_TAIL 4096

/*
 * Beside ctrun first (a build tree, or every tool installed in one place);
 * else where `make install` puts the section-1 and section-8 tools, which
 * are compiled in as absolute paths: never a search through PATH.
 */
int ct_tool_path(const struct ct_global *g, const char *tool, char *buf, size_t size)
{
	const char *const dirs[] = { g->tooldir, CTU_BINDIR, CTU_SBINDIR };
	int n = -1;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		n = snprintf(buf, size, "%s/%s", dirs[i], tool);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		if (access(buf, X_OK) == 0)
			return 0;
	}
	/* none there: the first, so that the error names where we looked first */
	n = snprintf(buf, size, "%s/%s", g->tooldir, tool);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * The environment of every tool: CTU_DEBUG=1 under --debug, and in a
 * sanitized test build the sanitizers' options (LeakSanitizer must be told
 * not to run in a pid namespace it cannot trace); nothing else.
 */
char **ct_tool_env(const struct ct_global *g)
{
	static const char *const passed[] = { "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS" };
	static char debug[] = "CTU_DEBUG=1";
	static char *env[8];
	size_t n = 0;

	if (g->debug)
		env[n++] = debug;
#if defined(__SANITIZE_ADDRESS__)
	static char no_leaks[] = "ASAN_OPTIONS=detect_leaks=0";

	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		const char *v = getenv(passed[i]);

		if (v)
			env[n++] = (char *)v - strlen(passed[i]) - 1; /* NAME=VALUE in our environ */
	}
	/* an engine (podman's conmon) passes us none: the tools must not spin */
	if (!getenv("ASAN_OPTIONS"))
		env[n++] = no_leaks;
#else
	(void)passed;
#endif
	env[n] = NULL;
	return env;
}

static noreturn void run_child(const char *path, char *const argv[], char **envp, int err_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(126);
	execve(path, argv, envp);
	dprintf(2, "%s: %s\n", path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Reads @fd to its end, keeping the last STDERR_TAIL bytes. */
static void read_tail(int fd, char *tail, size_t *len)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (*len + (size_t)n > STDERR_TAIL) {
			size_t drop = *len + (size_t)n - STDERR_TAIL;

			drop = drop > *len ? *len : drop;
			memmove(tail, tail + drop, *len - drop);
			*len -= drop;
		}
		if ((size_t)n > STDERR_TAIL - *len)
			n = (ssize_t)(STDERR_TAIL - *len);
		memcpy(tail + *len, buf, (size_t)n);
		*len += (size_t)n;
	}
}

/* The last non-empty line of @tail, in place. */
static const char *last_line(char *tail, size_t len)
{
	char *nl;

	tail[len] = '\0';
	while (len > 0 && tail[len - 1] == '\n')
		tail[--len] = '\0';
	nl = strrchr(tail, '\n');
	return nl ? nl + 1 : tail;
}

int ct_tool_run(const struct ct_global *g, char *const argv[], ctu_err_t *err)
{
	char path[4096], tail[STDERR_TAIL + 1];
	size_t len = 0;
	int pipefd[2], status;
	pid_t pid;

	if (ct_tool_path(g, argv[0], path, sizeof(path)) < 0)
		return ctu_err_make(err, ENAMETOOLONG, "%s", argv[0]);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctu_err_errno(err, "cannot run %s", argv[0]);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return ctu_err_errno(err, "cannot run %s", argv[0]);
	}
	if (pid == 0)
		run_child(path, argv, ct_tool_env(g), pipefd[1]);
	close(pipefd[1]);
	read_tail(pipefd[0], tail, &len);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "%s", argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (len > 0)
		return ctu_err_make(err, 0, "%s", last_line(tail, len));
	return ctu_err_make(err, 0, "%s failed (exit status %d)", argv[0],
			    ctu_status_to_exit_code(status));
}
