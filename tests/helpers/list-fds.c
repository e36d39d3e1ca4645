// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list-fds: print the file descriptors this process was started with, in
 * order, separated by spaces ("0 1 2").  The fd used to read /proc/self/fd
 * is left out, so the output is exactly what the caller passed on to us.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fds[4096];
	size_t n = 0;

	if (!d) {
		perror("list-fds: /proc/self/fd");
		return 1;
	}
	while ((e = readdir(d)) && n < sizeof(fds) / sizeof(fds[0])) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), compare_ints);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? " " : "", fds[i]);
	putchar('\n');
	return 0;
}
