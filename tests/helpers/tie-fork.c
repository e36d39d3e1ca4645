// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tie-fork CGDIR PROGRAM [ARGS...]: two processes that started in the same
 * clock tick, the parent with the higher PID, for nsenter-lite --cgroup's
 * tie rule (the one whose parent is not in the set wins over the lowest
 * PID).  Run as PID 1 of a pid namespace of its own (unshare -p -f
 * --mount-proc), where /proc/sys/kernel/ns_last_pid picks the PIDs.  Each
 * of the two sleeps in a UTS namespace of its own, named ctu-parent and
 * ctu-child.  Forked again until their start times (10 ms ticks) are equal,
 * which a shell or python cannot do fast enough in an emulated VM; then
 * both are moved into CGDIR, "tie PARENT CHILD START" printed, and PROGRAM
 * run: its exit status is ours.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void set_last_pid(int last)
{
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

	if (!f || fprintf(f, "%d", last) < 0 || fclose(f) != 0) {
		perror("tie-fork: ns_last_pid");
		_exit(2);
	}
}

/* Field 22 of /proc/PID/stat, counted after the comm's last ')'; 0 if unread. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %llu", &start) != 1)
		return 0;
	return start;
}

/* The rest of a process's life: its own hostname, a byte on @ready, sleep. */
static void live_as(const char *name, int ready)
{
	if (unshare(CLONE_NEWUTS) < 0 || sethostname(name, strlen(name)) < 0)
		_exit(3);
	if (write(ready, "x", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* The one child of @parent, from /proc/PID/task/PID/children. */
static pid_t child_of(pid_t parent)
{
	char path[64];
	FILE *f;
	int child = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &child) != 1)
		_exit(2);
	fclose(f);
	return child;
}

/* A parent with PID 500 and its child with PID 10, forked back to back. */
static void fork_pair(pid_t *parent, pid_t *child)
{
	int ready[2];
	char buf[1];

	if (pipe(ready) < 0)
		_exit(2);
	set_last_pid(499);
	*parent = fork();
	if (*parent == 0) {
		set_last_pid(9);
		if (fork() == 0)
			live_as("ctu-child", ready[1]);
		live_as("ctu-parent", ready[1]);
	}
	close(ready[1]);
	if (*parent < 0 || read(ready[0], buf, 1) != 1 || read(ready[0], buf, 1) != 1) {
		fprintf(stderr, "tie-fork: the two processes did not start\n");
		_exit(2);
	}
	close(ready[0]);
	*child = child_of(*parent);
}

static void move_into(const char *cgdir, pid_t pid)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d", (int)pid) < 0 || fclose(f) != 0) {
		perror("tie-fork: cgroup.procs");
		_exit(2);
	}
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc < 3 || getpid() != 1) {
		fprintf(stderr, "usage: unshare -p -f --mount-proc tie-fork CGDIR PROGRAM [ARGS...]\n");
		return 2;
	}
	/* a pair that never starts (no UTS namespace) must not hang the test */
	alarm(300);
	for (int attempt = 0; attempt < 1000; attempt++) {
		pid_t parent, child;
		unsigned long long a, b;

		fork_pair(&parent, &child);
		a = start_time(parent);
		b = start_time(child);
		if (a && a == b && child < parent) {
			move_into(argv[1], parent);
			move_into(argv[1], child);
			printf("tie %d %d %llu\n", (int)parent, (int)child, a);
			fflush(stdout);
			return run(argv + 2);
		}
		kill(child, SIGKILL);
		kill(parent, SIGKILL);
		/* as PID 1 we reap both: the child is ours once its parent died */
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
	fprintf(stderr, "tie-fork: no two processes started in the same tick in 1000 tries\n");
	return 1;
}
