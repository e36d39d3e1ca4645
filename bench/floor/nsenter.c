/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-nsenter PID PROGRAM [ARG...]: the system calls of `nsenter -t PID -a`
 * for a target in its own mount, UTS, IPC, network and pid namespaces: one
 * pidfd, one setns(2) of all five, then fork (to be in the pid namespace) and
 * exec.
 */
#include "floor.h"
#include <sched.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	int pidfd;

	if (argc < 3)
		errx(2, "usage: floor-nsenter PID PROGRAM [ARG...]");
	pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	if (pidfd < 0)
		err(1, "pidfd_open");
	if (setns(pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID) < 0)
		err(1, "setns");
	close(pidfd);
	return run_and_wait(argv + 2);
}
