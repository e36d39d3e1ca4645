// SPDX-License-Identifier: GPL-2.0-or-later
/* netns.c - one call inside another network namespace (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "ctu.h"
#include "netns.h"

int ctu_netns_call(int nsfd, int (*fn)(void *arg), void *arg)
{
	_cleanup_close_ int home = -1;
	int r;

	if (nsfd < 0)
		return fn(arg);
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	r = fn(arg);
	/* never carry on in the wrong namespace: the caller is told to stop */
	if (setns(home, CLONE_NEWNET) < 0)
		return -ENOTRECOVERABLE;
	return r;
}
