// SPDX-License-Identifier: GPL-2.0-or-later
/* idmap.c - user-namespace id maps (see idmap.h). */
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "ctu.h"
#include "idmap.h"
#include "parse.h"

int ctu_idmap_parse_range(const char *s, struct ctu_idmap_range *out)
{
	char buf[64], *outer, *count;
	struct ctu_idmap_range r;
	int e;

	size_t len = s ? strlen(s) : sizeof(buf);

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);
	outer = strchr(buf, ':');
	if (!outer)
		return -EINVAL;
	*outer++ = '\0';
	count = strchr(outer, ':');
	if (!count)
		return -EINVAL;
	*count++ = '\0';
	e = ctu_parse_u32(buf, &r.inner);
	if (e == 0)
		e = ctu_parse_u32(outer, &r.outer);
	if (e == 0)
		e = ctu_parse_u32(count, &r.count);
	if (e < 0)
		return e;
	if (r.count == 0)
		return -ERANGE;
	if ((uint64_t)r.inner + r.count - 1 > UINT32_MAX || (uint64_t)r.outer + r.count - 1 > UINT32_MAX)
		return -ERANGE;
	*out = r;
	return 0;
}

static bool spans_overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

int ctu_idmap_add(struct ctu_idmap *m, const struct ctu_idmap_range *r)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct ctu_idmap_range *o = &m->r[i];

		if (spans_overlap(o->inner, o->count, r->inner, r->count) ||
		    spans_overlap(o->outer, o->count, r->outer, r->count))
			return -EEXIST;
	}
	if (m->n == CTU_IDMAP_MAX)
		return -E2BIG;
	m->r[m->n++] = *r;
	return 0;
}

/*
 * Cuts id @id (inner when @by_inner, else outer) out of range @i: the range
 * shrinks to the part before it and the part after it is appended.
 */
static int punch_hole(struct ctu_idmap *m, size_t i, uint32_t id, bool by_inner)
{
	struct ctu_idmap_range r = m->r[i];
	uint32_t start = by_inner ? r.inner : r.outer;
	uint32_t before = id - start, after = r.count - before - 1;

	if (before) {
		m->r[i].count = before;
	} else {
		m->r[i] = m->r[--m->n];
	}
	if (after) {
		struct ctu_idmap_range tail = {
			.inner = r.inner + before + 1,
			.outer = r.outer + before + 1,
			.count = after,
		};

		if (m->n == CTU_IDMAP_MAX)
			return -E2BIG;
		m->r[m->n++] = tail;
	}
	return 0;
}

int ctu_idmap_add_single(struct ctu_idmap *m, uint32_t inner, uint32_t outer)
{
	struct ctu_idmap_range one = { inner, outer, 1 };

	for (size_t i = 0; i < m->n;) {
		const struct ctu_idmap_range *r = &m->r[i];
		int e = 0;

		if (spans_overlap(r->inner, r->count, inner, 1))
			e = punch_hole(m, i, inner, true);
		else if (spans_overlap(r->outer, r->count, outer, 1))
			e = punch_hole(m, i, outer, false);
		else {
			i++;
			continue;
		}
		if (e < 0)
			return e;
		/* range i changed (or was replaced by the last one): look again */
	}
	return ctu_idmap_add(m, &one);
}

int ctu_idmap_format(const struct ctu_idmap *m, char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		int n = snprintf(buf + used, size - used, "%u %u %u\n", m->r[i].inner,
				 m->r[i].outer, m->r[i].count);

		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return 0;
}

int ctu_subid_lookup(const char *file, const char *user, uint32_t id, uint32_t *start,
		     uint32_t *count)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	char idstr[16];

	if (!f)
		return -errno;
	snprintf(idstr, sizeof(idstr), "%u", id);
	while (getline(&line, &cap, f) > 0) {
		char *name = line, *s, *c;

		line[strcspn(line, "\n")] = '\0';
		s = strchr(name, ':');
		if (!s)
			continue;
		*s++ = '\0';
		c = strchr(s, ':');
		if (!c)
			continue;
		*c++ = '\0';
		if ((!user || strcmp(name, user) != 0) && strcmp(name, idstr) != 0)
			continue;
		if (ctu_parse_u32(s, start) == 0 && ctu_parse_u32(c, count) == 0 && *count > 0)
			return 0;
	}
	return -ENOENT;
}

int ctu_idmap_add_current(struct ctu_idmap *m, bool gid)
{
	_cleanup_fclose_ FILE *f = fopen(gid ? "/proc/self/gid_map" : "/proc/self/uid_map", "re");
	unsigned int inner, outer, count;

	if (!f)
		return -errno;
	while (fscanf(f, "%u %u %u", &inner, &outer, &count) == 3) {
		struct ctu_idmap_range r = { inner, inner, count };
		int e = ctu_idmap_add(m, &r);

		if (e < 0)
			return e;
	}
	return 0;
}

static int write_proc_file(pid_t pid, const char *name, const char *data)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return ctu_write_file(AT_FDCWD, path, data);
}

int ctu_setgroups_write(pid_t pid, bool allow)
{
	return write_proc_file(pid, "setgroups", allow ? "allow" : "deny");
}

int ctu_idmap_write(pid_t pid, bool gid, const struct ctu_idmap *m)
{
	/* the kernel takes a map in one write of less than a page */
	char buf[4096];
	int e = ctu_idmap_format(m, buf, sizeof(buf));

	if (e < 0)
		return -E2BIG;
	return write_proc_file(pid, gid ? "gid_map" : "uid_map", buf);
}

int ctu_idmap_run_helper(pid_t pid, bool gid, const struct ctu_idmap *m)
{
	/* program, pid, 3 numbers a range, NULL */
	char *argv[2 + 3 * CTU_IDMAP_MAX + 1];
	char nums[2 + 3 * CTU_IDMAP_MAX][12];
	size_t n = 0;
	int status, e;
	pid_t child;

	argv[n++] = gid ? "newgidmap" : "newuidmap";
	snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
	argv[n++] = nums[0];
	for (size_t i = 0; i < m->n; i++) {
		const uint32_t v[3] = { m->r[i].inner, m->r[i].outer, m->r[i].count };

		for (int k = 0; k < 3; k++) {
			snprintf(nums[n - 1], sizeof(nums[0]), "%u", v[k]);
			argv[n] = nums[n - 1];
			n++;
		}
	}
	argv[n] = NULL;
	/* posix_spawnp, not fork and exec: a helper that cannot run is an errno, not a status */
	e = posix_spawnp(&child, argv[0], NULL, NULL, argv, environ);
	if (e)
		return -e;
	if (waitpid(child, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool ctu_userns_is_initial(void)
{
	char *map = NULL;
	unsigned int a, b, c;
	bool initial;

	if (ctu_read_file(AT_FDCWD, "/proc/self/uid_map", &map, NULL) < 0)
		return true; /* no user namespaces in this kernel */
	initial = sscanf(map, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 0 && c == UINT32_MAX;
	free(map);
	return initial;
}
