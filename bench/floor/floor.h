/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The floors: the least a program must do for each benchmarked job, so the
 * distance of a tool from the kernel's own cost is measured, not guessed.
 * No option parsing, no messages beyond the failing call's name.
 */
#ifndef FLOOR_H
#define FLOOR_H

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* fork, exec argv in the child, and exit with the child's status */
static inline int run_and_wait(char **argv)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		err(1, "waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* DIR/FILE into PATH, or exit: a floor has no use for a truncated path */
static inline void join_path(char *path, size_t size, const char *dir, const char *file)
{
	if ((size_t)snprintf(path, size, "%s/%s", dir, file) >= size)
		errx(2, "%s/%s: path too long", dir, file);
}

/* write VALUE to DIR/FILE in one write(2) */
static inline void write_at(const char *dir, const char *file, const char *value)
{
	char path[4096];
	int fd;

	join_path(path, sizeof(path), dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "open %s", path);
	if (write(fd, value, strlen(value)) < 0)
		err(1, "write %s", path);
	close(fd);
}

/* "FILE=VALUE,FILE=VALUE" */
static inline void write_settings(const char *dir, char *settings)
{
	char *save = NULL;

	for (char *kv = strtok_r(settings, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			errx(2, "%s: not FILE=VALUE", kv);
		*eq = '\0';
		write_at(dir, kv, eq + 1);
		*eq = '=';
	}
}

#endif
