// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timens.c - the new time namespace: the offsets first (the kernel takes
 * them only before any process has entered), then we enter it ourselves.
 * unshare(CLONE_NEWTIME) moves only our future children there; newer
 * kernels move us too when we exec, 6.1 does not, and the program would run
 * outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "unshare-lite.h"

/* The digits of @s (at most @max of them) as a number: its length, or 0 for none. */
static size_t leading_digits(const char *s, size_t max, uint64_t *val)
{
	size_t n = 0;

	*val = 0;
	while (n < max && s[n] >= '0' && s[n] <= '9')
		*val = *val * 10 + (uint64_t)(s[n++] - '0');
	return n;
}

/*
 * SECS[.NS], NS of one to nine digits, a fraction of a second: "-1.5" is
 * 1.5 s back.  The kernel takes a whole number of seconds and 0..999999999
 * nanoseconds on top, so a negative fraction borrows a second: -2 s + 0.5 s.
 */
int parse_time_offset(const char *s, int64_t *sec, long *nsec)
{
	bool negative = *s == '-';
	const char *p = s + (negative || *s == '+');
	uint64_t whole, frac = 0;
	size_t n = leading_digits(p, 19, &whole), f = 0;

	if (n == 0 || whole > INT64_MAX - 1)
		return -EINVAL;
	p += n;
	if (*p == '.') {
		f = leading_digits(++p, 9, &frac);
		if (f == 0)
			return -EINVAL;
		p += f;
		for (size_t i = f; i < 9; i++)
			frac *= 10;
	}
	if (*p)
		return -EINVAL;
	*sec = negative ? -(int64_t)whole : (int64_t)whole;
	*nsec = (long)frac;
	if (negative && frac) {
		*sec -= 1;
		*nsec = 1000000000L - *nsec;
	}
	return 0;
}

/* "monotonic SECS NS\nboottime SECS NS\n" for the clocks given, into @buf. */
static void format_offsets(const struct opts *o, char *buf, size_t size)
{
	*buf = '\0';
	if (o->has_monotonic)
		snprintf(buf, size, "monotonic %lld %ld\n", (long long)o->monotonic,
			 o->monotonic_ns);
	if (o->has_boottime)
		snprintf(buf + strlen(buf), size - strlen(buf), "boottime %lld %ld\n",
			 (long long)o->boottime, o->boottime_ns);
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
