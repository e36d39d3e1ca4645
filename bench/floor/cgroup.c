/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-cgroup COUNT PID NAME PARENT:FILE=VALUE[,FILE=VALUE]...
 *
 * COUNT times, in every PARENT (one per hierarchy: the v2 directory, or the
 * memory and pids directories of a v1 host): mkdir PARENT/NAME, write each
 * FILE=VALUE there, move PID in (cgroup.procs), move it back to PARENT, rmdir.
 * Those are the system calls of cgcreate + cgset + cgclassify + cgdelete.
 */
#include "floor.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	char child[4096];

	if (argc < 5)
		errx(2, "usage: floor-cgroup COUNT PID NAME PARENT:FILE=VALUE[,...]...");
	for (int n = atoi(argv[1]); n > 0; n--) {
		for (int i = 4; i < argc; i++) {
			char *spec = strdup(argv[i]), *colon = strchr(spec, ':');

			if (!spec || !colon)
				errx(2, "%s: not PARENT:SETTINGS", argv[i]);
			*colon = '\0';
			join_path(child, sizeof(child), spec, argv[3]);
			if (mkdir(child, 0755) < 0)
				err(1, "mkdir %s", child);
			write_settings(child, colon + 1);
			write_at(child, "cgroup.procs", argv[2]);
			write_at(spec, "cgroup.procs", argv[2]);
			if (rmdir(child) < 0)
				err(1, "rmdir %s", child);
			free(spec);
		}
	}
	return 0;
}
