// SPDX-License-Identifier: GPL-2.0-or-later
/* hier.c - the operations cgctl makes on cgroup directories (see hier.h). */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctu.h"
#include "hier.h"
#include "undo.h"

int cgroup_mkdir(const struct ctu_cg_hier *h, const char *path, struct ctu_undo *undo,
		 void (*each_level)(const struct ctu_cg_hier *h, const char *dir), ctu_err_t *err)
{
	char dir[CTU_CG_DIR_MAX];
	size_t start = strlen(h->mnt) + strlen(h->base);

	ctu_cg_dir(h, path, dir);
	if (ctu_mkdir_p(undo, AT_FDCWD, dir, 0755, CTU_MKDIR_CGROUP, err) < 0)
		return ctu_err_wrap(err, "cannot create cgroup %s in %s", path, h->mnt);
	/* every level below the base, parents first, new or not */
	for (char *s = dir + start + 1; each_level; s++) {
		char saved = *s;

		if (saved && saved != '/')
			continue;
		*s = '\0';
		each_level(h, dir);
		*s = saved;
		if (!saved)
			break;
	}
	return 0;
}

static int write_subtree(const char *dir, const char *text)
{
	char file[CTU_CG_DIR_MAX + 64];

	snprintf(file, sizeof(file), "%s/cgroup.subtree_control", dir);
	/* EBUSY right after a child went away: try again briefly */
	for (int i = 0; i < 100; i++) {
		int r = ctu_write_file(AT_FDCWD, file, text);

		if (r != -EBUSY)
			return r;
		usleep(1000);
	}
	return -EBUSY;
}

/* "+cpu +memory" from "cpu memory". */
static void plus_list(const char *ctrls, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = ctrls; *p && n < size;) {
		size_t len = strcspn(p, " ");

		if (len)
			n += (size_t)snprintf(out + n, size - n, "%s+%.*s", n ? " " : "", (int)len, p);
		p += len;
		p += strspn(p, " ");
	}
}

/*
 * Why @dir refused @ctrl (-@r): EBUSY is the "no internal processes" rule;
 * EOPNOTSUPP a threaded subtree, whose root ("domain threaded") and members
 * ("threaded") take threaded controllers only, and where a "domain invalid"
 * cgroup takes none.
 */
static int enable_error(const char *dir, const char *ctrl, int r, ctu_err_t *err)
{
	char type[64] = "", file[CTU_CG_DIR_MAX + 16];
	_cleanup_free_ char *text = NULL;

	if (r == -EBUSY)
		ctu_err_make(err, 0, "cannot enable %s in %s: cgroup v2 'no internal processes' "
			     "rule: move the processes to a leaf first", ctrl, dir);
	else if (r != -EOPNOTSUPP)
		return ctu_err_make(err, -r, "cannot enable %s in %s", ctrl, dir);
	if (r == -EBUSY)
		return r;
	snprintf(file, sizeof(file), "%s/cgroup.type", dir);
	if (ctu_read_file(AT_FDCWD, file, &text, NULL) == 0)
		snprintf(type, sizeof(type), "%.*s", (int)strcspn(text, "\n"), text);
	if (strcmp(type, "domain invalid") == 0)
		ctu_err_make(err, 0, "cannot enable %s in %s: the cgroup is 'domain invalid' (a "
			     "domain below a threaded subtree's root): no controller works there",
			     ctrl, dir);
	else
		ctu_err_make(err, 0, "cannot enable %s in %s: the cgroup is '%s', part of a threaded "
			     "subtree: only threaded controllers (cpu, cpuset, perf_event, pids) "
			     "work there", ctrl, dir, *type ? type : "threaded");
	return r;
}

int cgroup_enable(const struct ctu_cg_hier *h, const char *path, const char *ctrls, ctu_err_t *err)
{
	char dir[CTU_CG_DIR_MAX], all[512];
	size_t end;

	if (!*ctrls)
		return 0;
	ctu_cg_dir(h, path, dir);
	plus_list(ctrls, all, sizeof(all));
	/* every ancestor of the cgroup, from the hierarchy's root down */
	end = strlen(dir);
	while (end > strlen(h->mnt) && dir[end] != '/')
		end--;
	for (size_t i = strlen(h->mnt); i <= end; i++) {
		char saved;
		int r;

		if (i != end && dir[i] != '/')
			continue;
		saved = dir[i];
		dir[i] = '\0';
		r = write_subtree(dir, all);
		/* all at once failed: one at a time, to name the one refused */
		for (const char *p = ctrls; r < 0 && *p;) {
			size_t len = strcspn(p, " ");
			char one[64];

			snprintf(one, sizeof(one), "+%.*s", (int)len, p);
			r = write_subtree(dir, one);
			if (r < 0) {
				snprintf(one, sizeof(one), "%.*s", (int)len, p);
				return enable_error(dir, one, r, err);
			}
			p += len;
			p += strspn(p, " ");
			r = *p ? -EAGAIN : 0;
		}
		dir[i] = saved;
	}
	return 0;
}

int cgroup_move(const char *dir, const char *file, pid_t pid)
{
	char path[CTU_CG_DIR_MAX + 64], text[16];
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(text, sizeof(text), "%d", (int)pid);
	/* EINVAL: a task still being forked; runc retries the same way */
	for (int i = 0; i < 5; i++) {
		r = ctu_write_file(AT_FDCWD, path, text);
		if (r != -EINVAL)
			break;
		usleep(30000);
	}
	return r;
}
