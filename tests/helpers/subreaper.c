// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * subreaper [--show FILE]... PROGRAM [ARGS...]: a child subreaper, as a
 * container engine's shim or conmon is, for testing --detach.  Prints
 * "subreaper PID", runs PROGRAM as its child ("started PID"), then reaps
 * every child, its own and the orphans reparented to it, printing
 * "reaped PID exit CODE" or "reaped PID signal SIG" for each.  When
 * PROGRAM itself is reaped, each --show FILE is printed as "file FILE
 * CONTENT" (newlines as spaces; "file FILE -" if missing), so a test sees
 * what existed by the time PROGRAM had exited.  Exits 0 when no child is
 * left, 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SHOW 8

static void show_file(const char *path)
{
	char buf[4096];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n < 0) {
		printf("file %s -\n", path);
		return;
	}
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("file %s %s\n", path, buf);
}

static void report(pid_t pid, int status)
{
	if (WIFEXITED(status))
		printf("reaped %d exit %d\n", (int)pid, WEXITSTATUS(status));
	else
		printf("reaped %d signal %d\n", (int)pid, WTERMSIG(status));
}

int main(int argc, char **argv)
{
	const char *show[MAX_SHOW];
	int n_show = 0, i = 1, status;
	pid_t prog, pid;

	for (; i + 1 < argc && strcmp(argv[i], "--show") == 0 && n_show < MAX_SHOW; i += 2)
		show[n_show++] = argv[i + 1];
	if (i >= argc) {
		fprintf(stderr, "usage: subreaper [--show FILE]... PROGRAM [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("subreaper: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	printf("subreaper %d\n", (int)getpid());
	fflush(stdout);
	prog = fork();
	if (prog < 0) {
		perror("subreaper: fork");
		return 2;
	}
	if (prog == 0) {
		execvp(argv[i], argv + i);
		perror("subreaper: exec");
		_exit(127);
	}
	printf("started %d\n", (int)prog);
	fflush(stdout);
	while ((pid = wait(&status)) > 0) {
		report(pid, status);
		for (int k = 0; pid == prog && k < n_show; k++)
			show_file(show[k]);
		fflush(stdout);
	}
	return errno == ECHILD ? 0 : 2;
}
