// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgtarget.c - --cgroup [CONTROLLER:]PATH: the cgroup's oldest process.
 *
 * PATH is what cgctl takes (relative to a hierarchy's mount point, a
 * leading '/' or not, as /proc/PID/cgroup prints it) or an absolute path
 * into a mounted cgroup filesystem.  Without CONTROLLER it is looked for in
 * the unified hierarchy, then in name=systemd (whose tree is systemd's
 * units on v1 hosts), then in each v1 hierarchy: the first that has the
 * directory is the one.  A cgroup that holds no process itself (a v2
 * parent, a pod's cgroup) stands for its subtree.
 *
 * The oldest process is the container's init far more often than not: the
 * runtime puts the init in first, and every later process (exec'd shells,
 * the init's children) is younger.  Hierarchies are found the way cgctl
 * finds them, in a few lines of our own (lib/mnttab's mount lookup), so
 * that nsenter-lite does not depend on cgctl's code.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "ctu.h"
#include "mnttab.h"
#include "nsenter-lite.h"
#include "parse.h"

/* How deep below the cgroup its subtree is searched (spec: at most 64). */
#define SUBTREE_MAX_DEPTH 64
/* The longest PATH taken: cgroupfs paths are short, a megabyte is hostile. */
#define CG_PATH_MAX 4096

/* One process of the cgroup, with the start time that ranks it. */
struct cg_proc {
	pid_t pid;
	uint64_t start;
};

struct cg_procs {
	struct cg_proc *v;
	size_t n, cap;
};

/* What --cgroup names, split: CONTROLLER ("" for none) and PATH. */
struct cg_spec {
	char ctrl[64];
	const char *path;
};

static bool is_cgroupfs(int fd)
{
	struct statfs s;

	return fstatfs(fd, &s) == 0 &&
	       ((unsigned long)s.f_type == CGROUP2_SUPER_MAGIC ||
		(unsigned long)s.f_type == CGROUP_SUPER_MAGIC);
}

/* A controller as /proc/PID/cgroup names it: "memory", "cpu,cpuacct" parts, "name=X". */
static bool controller_name_ok(const char *c)
{
	const char *name = strncmp(c, "name=", 5) == 0 ? c + 5 : c;
	const char *allowed = c == name ? "abcdefghijklmnopqrstuvwxyz0123456789_"
					: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					  "0123456789_.-";

	return *name && strspn(name, allowed) == strlen(name);
}

/* PATH: not empty, not too long, and no "." or ".." step to climb out of the hierarchy. */
static int path_check(const char *path, ctu_err_t *err)
{
	if (!*path)
		return ctu_err_usage(err, "empty cgroup path in --cgroup");
	if (strlen(path) >= CG_PATH_MAX)
		return ctu_err_usage(err, "invalid cgroup path '%s': longer than %d bytes", path,
				     CG_PATH_MAX - 1);
	for (const char *c = path; *c;) {
		size_t len = strcspn(c, "/");

		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return ctu_err_usage(err, "invalid cgroup path '%s': '.' and '..' are not "
					     "cgroup names", path);
		c += len;
		c += strspn(c, "/");
	}
	return 0;
}

/* "CONTROLLER:PATH" when a ':' comes before the first '/', else PATH alone. */
static int spec_split(const char *spec, struct cg_spec *s, ctu_err_t *err)
{
	const char *colon = strchr(spec, ':');

	s->ctrl[0] = '\0';
	s->path = spec;
	if (colon && (size_t)(colon - spec) < strcspn(spec, "/")) {
		size_t len = (size_t)(colon - spec);

		if (len == 0 || len >= sizeof(s->ctrl))
			return ctu_err_usage(err, "invalid controller in --cgroup '%s'", spec);
		memcpy(s->ctrl, spec, len);
		s->ctrl[len] = '\0';
		if (!controller_name_ok(s->ctrl))
			return ctu_err_usage(err, "invalid controller '%s' in --cgroup '%s'",
					     s->ctrl, spec);
		s->path = colon + 1;
	}
	return path_check(s->path, err);
}

/* Whether the comma-separated @list holds @name. */
static bool list_has(const char *list, size_t list_len, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list, *end = list + list_len; p < end;) {
		size_t n = strcspn(p, ",:");

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/*
 * The v1 hierarchies of this kernel from /proc/self/cgroup ("ID:CTRLS:PATH",
 * ID 0 the unified one), each as its CTRLS, in the order listed.  With
 * @only, just the one whose CTRLS holds it.  Returns how many, up to @max.
 */
static size_t v1_hierarchies(const char *only, char (*out)[128], size_t max)
{
	_cleanup_free_ char *text = NULL;
	size_t n = 0;
	char *save = NULL;

	if (ctu_read_file(AT_FDCWD, "/proc/self/cgroup", &text, NULL) < 0)
		return 0;
	for (char *l = strtok_r(text, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(l, ':'), *end;

		if (!ctrls || !(end = strchr(++ctrls, ':')) || end == ctrls)
			continue;
		if (only && !list_has(ctrls, (size_t)(end - ctrls), only))
			continue;
		snprintf(out[n++], sizeof(out[0]), "%.*s", (int)(end - ctrls), ctrls);
	}
	return n;
}

/* Opens directory @dir if it is in a cgroup filesystem: the fd, -ENOENT if not, or -errno. */
static int open_cgroup_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!is_cgroupfs(fd)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/*
 * Opens @path below the mount point of the hierarchy @ctrls names ("" the
 * unified one): the fd, -ENODEV when that hierarchy is not mounted here,
 * -ENOENT when it has no such cgroup, or -errno.
 */
static int open_in_hierarchy(const char *ctrls, const char *path)
{
	_cleanup_free_ char *mnt = ctu_mnt_cgroup_mount(ctrls);
	char dir[PATH_MAX + CG_PATH_MAX];

	if (!mnt)
		return -ENODEV;
	while (*path == '/')
		path++;
	snprintf(dir, sizeof(dir), "%s/%s", mnt, path);
	return open_cgroup_dir(dir);
}

/* Whether an open_in_hierarchy() result says "not in this one": look on. */
static bool look_on(int fd)
{
	return fd == -ENOENT || fd == -ENOTDIR || fd == -ENODEV;
}

/* Whether the unified hierarchy has controller @ctrl (v1 names mapped, core ones in). */
static bool unified_has(const char *ctrl)
{
	_cleanup_free_ char *mnt = ctu_mnt_cgroup_mount("");
	_cleanup_free_ char *text = NULL;
	const char *v2 = !strcmp(ctrl, "blkio") ? "io" : !strcmp(ctrl, "cpuacct") ? "cpu" : ctrl;
	char file[PATH_MAX];

	if (!mnt)
		return false;
	if (!strcmp(v2, "freezer") || !strcmp(v2, "devices"))
		return true; /* built into cgroup v2's core */
	snprintf(file, sizeof(file), "%s/cgroup.controllers", mnt);
	if (ctu_read_file(AT_FDCWD, file, &text, NULL) < 0)
		return false;
	for (char *t = strtok(text, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, v2))
			return true;
	return false;
}

/* CONTROLLER:PATH: PATH in that controller's v1 hierarchy, else in the unified one. */
static int open_with_controller(const struct cg_spec *s, ctu_err_t *err)
{
	char hier[1][128];
	const char *where;
	int fd;

	if (v1_hierarchies(s->ctrl, hier, 1) == 1)
		where = hier[0];
	else if (strncmp(s->ctrl, "name=", 5) != 0 && unified_has(s->ctrl))
		where = "";
	else
		return ctu_err_make(err, 0, "no cgroup hierarchy has the controller '%s'", s->ctrl);
	fd = open_in_hierarchy(where, s->path);
	if (fd == -ENODEV)
		return ctu_err_make(err, 0, "the cgroup hierarchy of '%s' is not mounted", s->ctrl);
	if (look_on(fd))
		return ctu_err_make(err, 0, "no cgroup %s in the %s hierarchy", s->path,
				    *where ? where : "unified");
	if (fd < 0)
		return ctu_err_make(err, -fd, "cannot open cgroup %s", s->path);
	return fd;
}

/* PATH alone: a cgroup mount's directory, else unified, name=systemd, the v1 ones. */
static int open_without_controller(const char *path, ctu_err_t *err)
{
	char hier[32][128];
	size_t n = v1_hierarchies(NULL, hier, CTU_ARRAY_SIZE(hier));
	/* an absolute path into a cgroup mount first: cgroups named "sys" are rare */
	int fd = path[0] == '/' ? open_cgroup_dir(path) : -ENOENT;

	if (look_on(fd))
		fd = open_in_hierarchy("", path);
	if (look_on(fd))
		fd = open_in_hierarchy("name=systemd", path);
	/* other named hierarchies hold no controller: not what PATH means */
	for (size_t i = 0; i < n && look_on(fd); i++)
		if (strncmp(hier[i], "name=", 5) != 0)
			fd = open_in_hierarchy(hier[i], path);
	if (look_on(fd))
		return ctu_err_make(err, 0, "no cgroup %s in any hierarchy", path);
	if (fd < 0)
		return ctu_err_make(err, -fd, "cannot open cgroup %s", path);
	return fd;
}

/* Adds @pid, unless it has exited meanwhile (or is 0: not in our pid namespace). */
static int procs_add(struct cg_procs *set, pid_t pid, ctu_err_t *err)
{
	uint64_t start;
	int r;

	if (pid <= 0)
		return 0;
	r = ctu_proc_start_time(pid, &start);
	if (r == -ESRCH || r == -ENOENT)
		return 0;
	if (r < 0)
		return ctu_err_make(err, -r, "cannot read the start time of process %d", (int)pid);
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct cg_proc *v = reallocarray(set->v, cap, sizeof(*v));

		if (!v)
			return ctu_err_make(err, ENOMEM, "cannot list the processes of a cgroup");
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = (struct cg_proc){ .pid = pid, .start = start };
	return 0;
}

/* The processes listed in the cgroup.procs of the cgroup @dirfd. */
static int procs_read(int dirfd, struct cg_procs *set, ctu_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int r = ctu_read_file(dirfd, "cgroup.procs", &text, NULL);

	/* a threaded cgroup has no process list of its own; one just removed, none */
	if (r == -EOPNOTSUPP || r == -ENOENT || r == -ENODEV)
		return 0;
	if (r < 0)
		return ctu_err_make(err, -r, "cannot read cgroup.procs");
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int pid;

		if (ctu_parse_int(l, &pid) == 0 && (r = procs_add(set, pid, err)) < 0)
			return r;
	}
	return 0;
}

/* The processes of every cgroup below @dirfd, which is @depth levels down already. */
static int procs_walk(int dirfd, int depth, struct cg_procs *set, ctu_err_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int fd, r;

	if (depth >= SUBTREE_MAX_DEPTH)
		return 0;
	/* a descriptor of its own for readdir: @dirfd stays ours for openat */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* removed while we looked */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return ctu_err_errno(err, "cannot list a cgroup's children");
	}
	while ((e = readdir(d))) {
		_cleanup_close_ int sub = -1;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		r = procs_read(sub, set, err);
		if (r == 0)
			r = procs_walk(sub, depth + 1, set, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Field 4 of /proc/@pid/stat, or 0 when it has gone. */
static pid_t parent_of(pid_t pid)
{
	pid_t ppid;
	char state;

	return ctu_proc_state(pid, &state, &ppid) == 0 ? ppid : 0;
}

static bool procs_has(const struct cg_procs *set, pid_t pid)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].pid == pid)
			return true;
	return false;
}

/* Whether @p is a root of @set: its parent is not in it (the init, not its first child). */
static bool procs_is_root(const struct cg_procs *set, const struct cg_proc *p)
{
	return !procs_has(set, parent_of(p->pid));
}

/*
 * The oldest of @set: the least start time; among those that started in the
 * same tick, one whose parent is not in the set, then the lowest PID.
 */
static const struct cg_proc *procs_oldest(const struct cg_procs *set)
{
	const struct cg_proc *least = NULL, *best = NULL;
	bool best_root = false;
	size_t ties = 0;

	for (size_t i = 0; i < set->n; i++)
		if (!least || set->v[i].start < least->start)
			least = &set->v[i], ties = 1;
		else if (set->v[i].start == least->start)
			ties++;
	if (ties < 2)
		return least;
	/* a tie (a clock tick is 10 ms): parents are read only now, for the tied */
	for (size_t i = 0; i < set->n; i++) {
		const struct cg_proc *p = &set->v[i];
		bool root;

		if (p->start != least->start)
			continue;
		root = procs_is_root(set, p);
		if (!best || (root && !best_root) || (root == best_root && p->pid < best->pid)) {
			best = p;
			best_root = root;
		}
	}
	return best;
}

static void procs_free(struct cg_procs *set)
{
	free(set->v);
}

int cgroup_target_find(const char *spec, struct ctu_pidref *ref, ctu_err_t *err)
{
	_cleanup_(procs_free) struct cg_procs set_store = { 0 };
	struct cg_spec s;
	const struct cg_proc *oldest;
	_cleanup_close_ int fd = -1;
	int r;

	r = spec_split(spec, &s, err);
	if (r < 0)
		return r;
	fd = *s.ctrl ? open_with_controller(&s, err) : open_without_controller(s.path, err);
	if (fd < 0)
		return fd;
	r = procs_read(fd, &set_store, err);
	if (r == 0 && set_store.n == 0)
		r = procs_walk(fd, 0, &set_store, err);
	if (r < 0)
		return ctu_err_wrap(err, "--cgroup %s", spec);
	oldest = procs_oldest(&set_store);
	if (!oldest)
		return ctu_err_make(err, 0, "cgroup %s holds no process (nor do its descendants)",
				    s.path);
	*ref = (struct ctu_pidref){ .pid = oldest->pid, .kind = CTU_PIDREF_START,
				    .start = oldest->start };
	return 0;
}
