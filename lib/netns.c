// SPDX-License-Identifier: GPL-2.0-or-later
/* netns.c - one call inside another network namespace (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "netns.h"

static bool same_namespace(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int ctu_netns_call(int nsfd, int (*fn)(void *arg), void *arg)
{
	_cleanup_close_ int home = -1;
	int r;

	if (nsfd < 0)
		return fn(arg);
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -errno;
	/* already there: setns would ask for CAP_SYS_ADMIN, which a caller with
	 * CAP_NET_ADMIN alone lacks */
	if (same_namespace(home, nsfd))
		return fn(arg);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	r = fn(arg);
	/* never carry on in the wrong namespace: the caller is told to stop */
	if (setns(home, CLONE_NEWNET) < 0)
		return -ENOTRECOVERABLE;
	return r;
}
