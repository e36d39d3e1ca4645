/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-unshare PROGRAM [ARG...]: the system calls of `unshare -mnuipf`:
 * one unshare(2) of five namespaces, private propagation in the new mount
 * namespace, then fork (the child is PID 1 of the new pid namespace) and exec.
 */
#include "floor.h"
#include <sched.h>
#include <sys/mount.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		errx(2, "usage: floor-unshare PROGRAM [ARG...]");
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID) < 0)
		err(1, "unshare");
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		err(1, "mount");
	return run_and_wait(argv + 1);
}
