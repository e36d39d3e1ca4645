// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timens.c - the new time namespace: the offsets first (the kernel takes
 * them only before any process has entered), then we enter it ourselves.
 * unshare(CLONE_NEWTIME) moves only our future children there; newer
 * kernels move us too when we exec, 6.1 does not, and the program would run
 * outside it.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "unshare-lite.h"

/* "monotonic SECS 0\nboottime SECS 0\n" for the clocks given, into @buf. */
static void format_offsets(const struct opts *o, char *buf, size_t size)
{
	*buf = '\0';
	if (o->has_monotonic)
		snprintf(buf, size, "monotonic %lld 0\n", (long long)o->monotonic);
	if (o->has_boottime)
		snprintf(buf + strlen(buf), size - strlen(buf), "boottime %lld 0\n",
			 (long long)o->boottime);
}

static int enter_time_namespace(ctu_err_t *err)
{
	_cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
		return ctu_err_errno(err, "cannot enter the new time namespace");
	return 0;
}

int setup_time_namespace(const struct opts *o, ctu_err_t *err)
{
	char buf[128];
	int e;

	if (!(o->ns_flags & CLONE_NEWTIME))
		return 0;
	format_offsets(o, buf, sizeof(buf));
	if (*buf) {
		e = ctu_write_file(AT_FDCWD, "/proc/self/timens_offsets", buf);
		if (e < 0)
			return ctu_err_make(err, -e, "cannot set time namespace offsets");
	}
	return enter_time_namespace(err);
}
