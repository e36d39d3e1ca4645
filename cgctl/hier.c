// SPDX-License-Identifier: GPL-2.0-or-later
/* hier.c - cgroup hierarchies and directory operations (see hier.h). */
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "ctu.h"
#include "hier.h"
#include "undo.h"
#include "mnttab.h"
#include "parse.h"

const char *layout_name(enum layout l)
{
	static const char *const names[] = { "v2", "hybrid", "v1", "fake v2 tree" };

	return names[l];
}

/* 1 if @path is a filesystem of type @magic, 0 if not (or missing), -errno */
static int is_fs(const char *path, long magic)
{
	struct statfs s;

	if (statfs(path, &s) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	return (long)s.f_type == magic;
}

/* Our own cgroup in a hierarchy, from /proc/self/cgroup ("" for v2's "0::"). */
static void own_cgroup(const char *ctrls, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	out[0] = '\0';
	if (ctu_read_file(AT_FDCWD, "/proc/self/cgroup", &text, NULL) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(line, ':'), *p;

		if (!c || !(p = strchr(++c, ':')))
			continue;
		*p++ = '\0';
		if (strcmp(c, ctrls) == 0) {
			snprintf(out, size, "%s", strcmp(p, "/") ? p : "");
			return;
		}
	}
}

void hier_own_dir(const struct hier *h, char *out, size_t size)
{
	char own[PATH_MAX];

	own_cgroup(h->v2 ? "" : h->ctrls, own, sizeof(own));
	snprintf(out, size, "%s%s", h->mnt, own);
}

/* The controllers of a v1 mount from its superblock options: "rw,cpu,cpuacct" -> "cpu,cpuacct". */
static void v1_controllers(const char *opts, char *out, size_t size)
{
	_cleanup_free_ char *copy = strdup(opts ? opts : "");
	char *save = NULL;
	size_t n = 0;

	out[0] = '\0';
	for (char *o = copy ? strtok_r(copy, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "rw") || !strcmp(o, "ro") || strchr(o, '=') ||
		    !strcmp(o, "clone_children") || !strcmp(o, "noprefix") || !strcmp(o, "xattr") ||
		    !strcmp(o, "cpuset_v2_mode"))
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "", o);
		if (n >= size)
			break;
	}
}

static void add_hier(struct hiers *hs, const char *mnt, bool v2, const char *ctrls, bool self)
{
	struct hier *h;

	if (hs->n == CTU_ARRAY_SIZE(hs->h))
		return;
	h = &hs->h[hs->n++];
	snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
	h->v2 = v2;
	snprintf(h->ctrls, sizeof(h->ctrls), "%s", ctrls);
	if (self)
		own_cgroup(v2 ? "" : ctrls, h->base, sizeof(h->base));
	else
		h->base[0] = '\0';
}

static bool any_listed(const char *ctrls, const char *wanted)
{
	_cleanup_free_ char *copy = strdup(wanted);
	char *save = NULL;
	struct hier probe = { 0 };

	snprintf(probe.ctrls, sizeof(probe.ctrls), "%s", ctrls);
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save))
		if (hier_has(&probe, w))
			return true;
	return false;
}

static int detect(struct hiers *hs, const char *fake_root, bool self, const char *only_ctrls)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = NULL;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	int r;

	hs->n = 0;
	if (fake_root) {
		/* a fake tree: one v2 hierarchy, whatever its filesystem */
		hs->layout = LAYOUT_FAKE;
		add_hier(hs, fake_root, true, "", false);
		return 0;
	}
	/* the layout from statfs, not from guessing at paths (crun, systemd) */
	r = is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
	if (r < 0)
		return r;
	if (r) {
		hs->layout = LAYOUT_V2;
		add_hier(hs, "/sys/fs/cgroup", true, "", self);
		return 0;
	}
	/* an error is no answer: guessing v1 would act on the wrong hierarchies */
	r = is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
	if (r < 0)
		return r;
	hs->layout = r ? LAYOUT_HYBRID : LAYOUT_V1;
	if (hs->layout == LAYOUT_HYBRID)
		add_hier(hs, "/sys/fs/cgroup/unified", true, "", self);
	tb = ctu_mnt_table();
	if (!tb)
		return -EIO;
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!it)
		return -ENOMEM;
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		char ctrls[128];

		if (strcmp(mnt_fs_get_fstype(fs), "cgroup") != 0)
			continue;
		v1_controllers(mnt_fs_get_fs_options(fs), ctrls, sizeof(ctrls));
		/* named hierarchies without controllers (name=systemd) are not ours */
		if (!*ctrls || (only_ctrls && !any_listed(ctrls, only_ctrls)))
			continue;
		add_hier(hs, mnt_fs_get_target(fs), false, ctrls, self);
	}
	mnt_free_iter(it);
	return hs->n ? 0 : -ENOENT;
}

int hiers_detect(struct hiers *hs, const char *fake_root, bool self, const char *only_ctrls,
		 ctu_err_t *err)
{
	int r = detect(hs, fake_root, self, only_ctrls);

	if (r == -ENOENT)
		return ctu_err_make(err, 0, "no cgroup hierarchy found%s",
				    only_ctrls ? " for those controllers" : "");
	if (r < 0)
		return ctu_err_make(err, -r, "cannot tell the cgroup layout from /sys/fs/cgroup");
	return 0;
}

const char *ctrl_v2_name(const char *name)
{
	return !strcmp(name, "blkio") ? "io" : !strcmp(name, "cpuacct") ? "cpu" : name;
}

bool ctrl_v2_builtin(const char *name)
{
	return !strcmp(name, "freezer") || !strcmp(name, "devices");
}

struct hier *hier_v2(struct hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i].v2)
			return &hs->h[i];
	return NULL;
}

bool hier_has(const struct hier *h, const char *ctrl)
{
	size_t len = strlen(ctrl);

	for (const char *p = h->ctrls; *p;) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, ctrl, n) == 0)
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* Whether the unified hierarchy offers @ctrl (its root's cgroup.controllers). */
static bool v2_offers(const struct hier *h, const char *ctrl)
{
	_cleanup_free_ char *text = NULL;
	size_t len = strlen(ctrl);
	char path[300];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", h->mnt);
	if (ctu_read_file(AT_FDCWD, path, &text, NULL) < 0)
		return false;
	for (char *p = text; p && *p;) {
		size_t n = strcspn(p, " \n");

		if (n == len && strncmp(p, ctrl, n) == 0)
			return true;
		p += n;
		p += strspn(p, " \n");
	}
	return false;
}

struct hier *hier_for(struct hiers *hs, const char *ctrl)
{
	struct hier *v2 = hier_v2(hs);

	for (size_t i = 0; i < hs->n; i++)
		if (!hs->h[i].v2 && hier_has(&hs->h[i], ctrl))
			return &hs->h[i];
	if (v2 && (strcmp(ctrl, "cgroup") == 0 || hs->layout == LAYOUT_FAKE || v2_offers(v2, ctrl)))
		return v2;
	return NULL;
}

int hiers_check_controllers(struct hiers *hs, const char *list, ctu_err_t *err)
{
	struct hier *v2 = hier_v2(hs);

	if (!list || hs->layout == LAYOUT_FAKE)
		return 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		char name[64];
		bool found;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		p += *p == ',';
		if (!*name)
			continue;
		found = v2 && (ctrl_v2_builtin(name) || hier_for(hs, ctrl_v2_name(name)) == v2);
		for (size_t i = 0; i < hs->n && !found; i++)
			found = !hs->h[i].v2 && hier_has(&hs->h[i], name);
		if (!found)
			return ctu_err_usage(err, "unknown controller '%s' in --controllers: this host "
					     "has no hierarchy for it", name);
	}
	return 0;
}

const char *hier_dir(const struct hier *h, const char *path, char out[CG_DIR_MAX])
{
	while (*path == '/')
		path++;
	snprintf(out, CG_DIR_MAX, "%s%s%s%s", h->mnt, h->base, *path ? "/" : "", path);
	return out;
}

int cgroup_path_check(const char *path, ctu_err_t *err)
{
	static const char *const prefixes[] = { "cgroup.", "cpu.", "cpuacct.", "cpuset.", "memory.",
						"io.", "blkio.", "pids.", "hugetlb.", "devices.",
						"freezer.", "net_cls.", "net_prio.", "perf_event.",
						"rdma.", "misc.", "notify_on_release", "release_agent",
						"tasks" };

	if (!path)
		return ctu_err_usage(err, "no cgroup path given");
	if (!*path)
		return ctu_err_usage(err, "empty cgroup path");
	if (strlen(path) >= 512)
		return ctu_err_usage(err, "invalid cgroup path '%s': the path is too long", path);
	for (const char *c = path; *c;) {
		size_t len = strcspn(c, "/");

		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return ctu_err_usage(err, "invalid cgroup path '%s': '.' and '..' are not "
					     "cgroup names", path);
		for (size_t i = 0; len && i < CTU_ARRAY_SIZE(prefixes); i++)
			if (len >= strlen(prefixes[i]) && !strncmp(c, prefixes[i], strlen(prefixes[i])))
				return ctu_err_usage(err, "invalid cgroup path '%s': a cgroup name must "
						     "not look like an interface file", path);
		c += len;
		c += strspn(c, "/");
	}
	return 0;
}

int cgroup_mkdir(const struct hier *h, const char *path, struct ctu_undo *undo,
		 void (*each_level)(const struct hier *h, const char *dir), ctu_err_t *err)
{
	char dir[CG_DIR_MAX];
	size_t start = strlen(h->mnt) + strlen(h->base);

	hier_dir(h, path, dir);
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
	char file[CG_DIR_MAX + 64];

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
	char type[64] = "", file[CG_DIR_MAX + 16];
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

int cgroup_enable(const struct hier *h, const char *path, const char *ctrls, ctu_err_t *err)
{
	char dir[CG_DIR_MAX], all[512];
	size_t end;

	if (!*ctrls)
		return 0;
	hier_dir(h, path, dir);
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

static int add_pids_of(const char *dir, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *text = NULL;
	char file[CG_DIR_MAX + 64];
	char *save = NULL;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	if (ctu_read_file(AT_FDCWD, file, &text, NULL) < 0) {
		snprintf(file, sizeof(file), "%s/tasks", dir);
		if (ctu_read_file(AT_FDCWD, file, &text, NULL) < 0)
			return -errno;
	}
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int pid;
		pid_t *more;

		if (ctu_parse_int(l, &pid) < 0)
			continue;
		more = realloc(*pids, (*n + 1) * sizeof(pid_t));
		if (!more)
			return -ENOMEM;
		*pids = more;
		(*pids)[(*n)++] = pid;
	}
	return 0;
}

int cgroup_pids(const char *dir, bool recursive, pid_t **pids, size_t *n)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int r = add_pids_of(dir, pids, n);

	if (r < 0 || !recursive)
		return r;
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char sub[CG_DIR_MAX + 64];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		r = cgroup_pids(sub, true, pids, n);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_move(const char *dir, const char *file, pid_t pid)
{
	char path[CG_DIR_MAX + 64], text[16];
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

bool cgroup_has_file(const char *dir, const char *file)
{
	char path[CG_DIR_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static int event_value(int fd, const char *key)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	size_t len = strlen(key);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return atoi(p + len + 1);
	return -ENOENT;
}

int cgroup_wait_event(const char *dir, const char *key, int value, int timeout_ms)
{
	char path[CG_DIR_MAX + 64];
	_cleanup_close_ int fd = -1;
	struct timespec start, now;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		int v = event_value(fd, key), left = -1;

		if (v < 0)
			return v;
		if (v == value)
			return 0;
		if (timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left = timeout_ms - (int)((now.tv_sec - start.tv_sec) * 1000 +
						  (now.tv_nsec - start.tv_nsec) / 1000000);
			if (left <= 0)
				return -ETIMEDOUT;
		}
		/* cgroup.events signals a change with POLLPRI; wake now and then anyway */
		if (poll(&p, 1, left < 0 || left > 100 ? 100 : left) < 0 && errno != EINTR)
			return -errno;
	}
}
