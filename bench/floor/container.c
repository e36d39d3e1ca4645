/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-container ROOT UPPER WORK MERGED CGROUP:FILE=VALUE[,...]... -- PROGRAM
 *
 * A whole container with the fewest system calls: a cgroup per hierarchy
 * with its limits, joined; five namespaces; in the child an overlay of ROOT at
 * MERGED, /proc, a tmpfs /dev with the usual nodes, devpts and shm, pivot_root
 * into it and exec.  Then back out of the cgroups and rmdir them.
 */
#include "floor.h"
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static void mount_or_die(const char *src, const char *dst, const char *type,
			 unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		err(1, "mount %s", dst);
}

/* the nodes and links of pivot --dev (and of bwrap --dev) */
static void populate_dev(void)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "pts/ptmx", "dev/ptmx" },	   { "/proc/self/fd", "dev/fd" },
		{ "/proc/self/fd/0", "dev/stdin" }, { "/proc/self/fd/1", "dev/stdout" },
		{ "/proc/self/fd/2", "dev/stderr" },
	};
	char host[64], path[64];

	mount_or_die("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		join_path(host, sizeof(host), "/dev", nodes[i]);
		join_path(path, sizeof(path), "dev", nodes[i]);
		close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666));
		mount_or_die(host, path, NULL, MS_BIND, NULL);
	}
	mkdir("dev/pts", 0755);
	mkdir("dev/shm", 01777);
	mount_or_die("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620");
	mount_or_die("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			err(1, "symlink %s", links[i][1]);
}

static void enter_root(char **argv)
{
	char data[4096];

	if ((size_t)snprintf(data, sizeof(data), "lowerdir=%s,upperdir=%s,workdir=%s", argv[1],
			     argv[2], argv[3]) >= sizeof(data))
		errx(2, "overlay options too long");
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) < 0)
		err(1, "unshare");
	mount_or_die("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mount_or_die("overlay", argv[4], "overlay", 0, data);
	if (chdir(argv[4]) < 0)
		err(1, "chdir");
	mount_or_die("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	populate_dev();
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		err(1, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		err(1, "umount old root");
}

int main(int argc, char **argv)
{
	int first_cg = 5, dashes = 5, status;
	char self[32], dir[4096];

	while (dashes < argc && strcmp(argv[dashes], "--") != 0)
		dashes++;
	if (dashes >= argc - 1)
		errx(2, "usage: floor-container ROOT UPPER WORK MERGED CGROUP:SETTINGS... -- PROGRAM");
	snprintf(self, sizeof(self), "%d", getpid());
	for (int i = first_cg; i < dashes; i++) {
		char *spec = strdup(argv[i]), *colon = strchr(spec, ':');

		*colon = '\0';
		if (mkdir(spec, 0755) < 0)
			err(1, "mkdir %s", spec);
		write_settings(spec, colon + 1);
		write_at(spec, "cgroup.procs", self);
		free(spec);
	}
	/* the rest in the child: pivot_root would move our root too */
	if (unshare(CLONE_NEWPID) < 0)
		err(1, "unshare");
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		enter_root(argv);
		execvp(argv[dashes + 1], argv + dashes + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		err(1, "waitpid");
	for (int i = first_cg; i < dashes; i++) {
		*strchr(argv[i], ':') = '\0';
		join_path(dir, sizeof(dir), argv[i], "..");
		write_at(dir, "cgroup.procs", self);
		if (rmdir(argv[i]) < 0)
			err(1, "rmdir %s", argv[i]);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
