// SPDX-License-Identifier: GPL-2.0-or-later
/* cg.c - cgroup hierarchies, directories and values (see cg.h). */
#include <fcntl.h>
#include <linux/magic.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cg.h"
#include "ctu.h"
#include "mnttab.h"
#include "parse.h"

/* v1's "no limit" for memory: the kernel shows LONG_MAX rounded to a page. */
#define V1_MEMORY_UNLIMITED 9223372036854771712ULL

const char *ctu_cg_layout_name(enum ctu_cg_layout l)
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

/* The path of the line "N:@ctrls:PATH" of /proc/PID/cgroup text @text ("" is v2's "0::"). */
static const char *cgroup_line(char *text, const char *ctrls)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(line, ':'), *p;

		if (!c || !(p = strchr(++c, ':')))
			continue;
		*p++ = '\0';
		if (strcmp(c, ctrls) == 0)
			return p;
	}
	return NULL;
}

int ctu_cg_path_of(int dirfd, const char *file, const struct ctu_cg_hier *h, char *out,
		   size_t size)
{
	_cleanup_free_ char *text = NULL;
	const char *path;
	int r = ctu_read_file(dirfd, file, &text, NULL);

	out[0] = '\0';
	if (r < 0)
		return r;
	path = cgroup_line(text, h->v2 ? "" : h->ctrls);
	if (!path)
		return -ENOENT;
	snprintf(out, size, "%s", path);
	return 0;
}

/* Our own cgroup in a hierarchy ("" for the root). */
static void own_cgroup(const struct ctu_cg_hier *h, char *out, size_t size)
{
	if (ctu_cg_path_of(AT_FDCWD, "/proc/self/cgroup", h, out, size) == 0 && !strcmp(out, "/"))
		out[0] = '\0';
}

void ctu_cg_own_dir(const struct ctu_cg_hier *h, char *out, size_t size)
{
	char own[PATH_MAX];

	own_cgroup(h, own, sizeof(own));
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

static void add_hier(struct ctu_cg_hiers *hs, const char *mnt, bool v2, const char *ctrls,
		     bool self)
{
	struct ctu_cg_hier *h;

	if (hs->n == CTU_ARRAY_SIZE(hs->h))
		return;
	h = &hs->h[hs->n++];
	snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
	h->v2 = v2;
	snprintf(h->ctrls, sizeof(h->ctrls), "%s", ctrls);
	h->base[0] = '\0';
	if (self)
		own_cgroup(h, h->base, sizeof(h->base));
}

static bool any_listed(const char *ctrls, const char *wanted)
{
	_cleanup_free_ char *copy = strdup(wanted);
	char *save = NULL;
	struct ctu_cg_hier probe = { 0 };

	snprintf(probe.ctrls, sizeof(probe.ctrls), "%s", ctrls);
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save))
		if (ctu_cg_hier_has(&probe, w))
			return true;
	return false;
}

/* The v1 hierarchies of the mount table; name=systemd and its kind are not ours. */
static int add_v1_hiers(struct ctu_cg_hiers *hs, bool self, const char *only_ctrls)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tb = ctu_mnt_table();
	struct libmnt_iter *it;
	struct libmnt_fs *fs;

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
		if (!*ctrls || (only_ctrls && !any_listed(ctrls, only_ctrls)))
			continue;
		add_hier(hs, mnt_fs_get_target(fs), false, ctrls, self);
	}
	mnt_free_iter(it);
	return 0;
}

static int detect(struct ctu_cg_hiers *hs, const char *fake_root, bool self,
		  const char *only_ctrls)
{
	int r;

	hs->n = 0;
	if (fake_root) {
		/* a fake tree: one v2 hierarchy, whatever its filesystem */
		hs->layout = CTU_CG_FAKE;
		add_hier(hs, fake_root, true, "", false);
		return 0;
	}
	/* the layout from statfs, not from guessing at paths (crun, systemd) */
	r = is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
	if (r < 0)
		return r;
	if (r) {
		hs->layout = CTU_CG_V2;
		add_hier(hs, "/sys/fs/cgroup", true, "", self);
		return 0;
	}
	/* an error is no answer: guessing v1 would act on the wrong hierarchies */
	r = is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
	if (r < 0)
		return r;
	hs->layout = r ? CTU_CG_HYBRID : CTU_CG_V1;
	if (hs->layout == CTU_CG_HYBRID)
		add_hier(hs, "/sys/fs/cgroup/unified", true, "", self);
	r = add_v1_hiers(hs, self, only_ctrls);
	if (r < 0)
		return r;
	return hs->n ? 0 : -ENOENT;
}

int ctu_cg_detect(struct ctu_cg_hiers *hs, const char *fake_root, bool self,
		  const char *only_ctrls, ctu_err_t *err)
{
	int r = detect(hs, fake_root, self, only_ctrls);

	if (r == -ENOENT)
		return ctu_err_make(err, 0, "no cgroup hierarchy found%s",
				    only_ctrls ? " for those controllers" : "");
	if (r < 0)
		return ctu_err_make(err, -r, "cannot tell the cgroup layout from /sys/fs/cgroup");
	return 0;
}

const char *ctu_cg_v2_name(const char *name)
{
	return !strcmp(name, "blkio") ? "io" : !strcmp(name, "cpuacct") ? "cpu" : name;
}

bool ctu_cg_v2_builtin(const char *name)
{
	return !strcmp(name, "freezer") || !strcmp(name, "devices");
}

struct ctu_cg_hier *ctu_cg_v2(struct ctu_cg_hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i].v2)
			return &hs->h[i];
	return NULL;
}

bool ctu_cg_hier_has(const struct ctu_cg_hier *h, const char *ctrl)
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

const char *ctu_cg_hier_name(const struct ctu_cg_hier *h)
{
	return h->v2 ? "unified" : h->ctrls;
}

/* Whether the unified hierarchy offers @ctrl (its root's cgroup.controllers). */
static bool v2_offers(const struct ctu_cg_hier *h, const char *ctrl)
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

struct ctu_cg_hier *ctu_cg_hier_for(struct ctu_cg_hiers *hs, const char *ctrl)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(hs);

	for (size_t i = 0; i < hs->n; i++)
		if (!hs->h[i].v2 && ctu_cg_hier_has(&hs->h[i], ctrl))
			return &hs->h[i];
	if (v2 && (strcmp(ctrl, "cgroup") == 0 || hs->layout == CTU_CG_FAKE || v2_offers(v2, ctrl)))
		return v2;
	return NULL;
}

/* Whether this host has controller @name: in a v1 hierarchy, offered by v2, or built into it. */
static bool host_has(struct ctu_cg_hiers *hs, const char *name)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(hs);

	if (v2 && (ctu_cg_v2_builtin(name) || ctu_cg_hier_for(hs, ctu_cg_v2_name(name)) == v2))
		return true;
	for (size_t i = 0; i < hs->n; i++)
		if (!hs->h[i].v2 && ctu_cg_hier_has(&hs->h[i], name))
			return true;
	return false;
}

int ctu_cg_check_controllers(struct ctu_cg_hiers *hs, const char *list, ctu_err_t *err)
{
	if (!list || hs->layout == CTU_CG_FAKE)
		return 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		p += *p == ',';
		if (*name && !host_has(hs, name))
			return ctu_err_usage(err, "unknown controller '%s' in --controllers: this host "
					     "has no hierarchy for it", name);
	}
	return 0;
}

const char *ctu_cg_dir(const struct ctu_cg_hier *h, const char *path, char out[CTU_CG_DIR_MAX])
{
	while (*path == '/')
		path++;
	snprintf(out, CTU_CG_DIR_MAX, "%s%s%s%s", h->mnt, h->base, *path ? "/" : "", path);
	return out;
}

int ctu_cg_path_check(const char *path, ctu_err_t *err)
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

static int add_pids_of(const char *dir, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *text = NULL;
	char file[CTU_CG_DIR_MAX + 64];
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

int ctu_cg_pids(const char *dir, bool recursive, pid_t **pids, size_t *n)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int r = add_pids_of(dir, pids, n);

	if (r < 0 || !recursive)
		return r;
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char sub[CTU_CG_DIR_MAX + 64];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		r = ctu_cg_pids(sub, true, pids, n);
		if (r < 0)
			return r;
	}
	return 0;
}

bool ctu_cg_has_file(const char *dir, const char *file)
{
	char path[CTU_CG_DIR_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* ---- values ------------------------------------------------------------------ */

int ctu_cg_read_line(const char *dir, const char *file, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	char path[CTU_CG_DIR_MAX + 64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = ctu_read_file(AT_FDCWD, path, &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, size, "%s", text);
	return 0;
}

int ctu_cg_keyed(const char *dir, const char *file, const char *key, uint64_t *v)
{
	_cleanup_free_ char *text = NULL;
	char path[CTU_CG_DIR_MAX + 64];
	size_t len = strlen(key);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (ctu_read_file(AT_FDCWD, path, &text, NULL) < 0)
		return -ENOENT;
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ') {
			*v = strtoull(p + len + 1, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

void ctu_cg_controller_of(const char *key, char *ctrl, size_t size)
{
	size_t n = strcspn(key, ".");

	snprintf(ctrl, size, "%.*s", (int)n, key);
}

const char *ctu_cg_v1_file_for(const char *key)
{
	static const struct {
		const char *v2, *v1;
	} map[] = {
		{ "memory.max", "memory.limit_in_bytes" },
		{ "memory.current", "memory.usage_in_bytes" },
		{ "memory.peak", "memory.max_usage_in_bytes" },
		{ "memory.swap.max", "memory.memsw.limit_in_bytes" },
		{ "cpu.weight", "cpu.shares" },
		{ "io.weight", "blkio.weight" },
		{ "memory.low", "memory.soft_limit_in_bytes" },
		{ "cpu.max.burst", "cpu.cfs_burst_us" },
	};

	for (size_t i = 0; i < CTU_ARRAY_SIZE(map); i++)
		if (strcmp(map[i].v2, key) == 0)
			return map[i].v1;
	if (strcmp(key, "cpu.max") == 0)
		return "cpu.cfs_quota_us";
	return key;
}

uint64_t ctu_cg_shares_to_weight(uint64_t shares)
{
	double l, exponent;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	l = log2((double)shares);
	exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t)ceil(pow(10, exponent));
}

uint64_t ctu_cg_blkio_to_io_weight(uint64_t blkio)
{
	if (blkio < 10)
		blkio = 10;
	if (blkio > 1000)
		blkio = 1000;
	return 1 + (blkio - 10) * 9999 / 990;
}

void ctu_cg_v1_value_to_v2(const char *key, const char *raw, char *out, size_t size)
{
	unsigned long long v = strtoull(raw, NULL, 10);

	if ((strcmp(key, "memory.max") == 0 || strcmp(key, "memory.swap.max") == 0) &&
	    (v >= V1_MEMORY_UNLIMITED || strncmp(raw, "-1", 2) == 0))
		snprintf(out, size, "max");
	else if (strcmp(key, "cpu.weight") == 0)
		snprintf(out, size, "%llu", (unsigned long long)ctu_cg_shares_to_weight(v));
	else if (strcmp(key, "io.weight") == 0)
		snprintf(out, size, "%llu", (unsigned long long)ctu_cg_blkio_to_io_weight(v));
	else
		snprintf(out, size, "%s", raw);
	out[strcspn(out, "\n")] = '\0';
}

int ctu_cg_read_in(const struct ctu_cg_hier *h, const char *dir, const char *key, char *out,
		   size_t size)
{
	char raw[256];
	int r;

	if (h->v2 || !strcmp(ctu_cg_v1_file_for(key), key))
		return ctu_cg_read_line(dir, key, out, size);
	if (!strcmp(key, "cpu.max")) {
		char period[64];

		r = ctu_cg_read_line(dir, "cpu.cfs_quota_us", raw, sizeof(raw));
		if (r == 0)
			r = ctu_cg_read_line(dir, "cpu.cfs_period_us", period, sizeof(period));
		if (r == 0)
			snprintf(out, size, "%s %s", raw[0] == '-' ? "max" : raw, period);
		return r;
	}
	r = ctu_cg_read_line(dir, ctu_cg_v1_file_for(key), raw, sizeof(raw));
	if (r == 0)
		ctu_cg_v1_value_to_v2(key, raw, out, size);
	return r;
}

int ctu_cg_read_value(struct ctu_cg_hiers *hs, const char *path, const char *key, char *out,
		      size_t size)
{
	char ctrl[32], dir[CTU_CG_DIR_MAX];
	struct ctu_cg_hier *h;

	ctu_cg_controller_of(key, ctrl, sizeof(ctrl));
	h = ctu_cg_hier_for(hs, ctrl);
	if (!h)
		return -ENODEV;
	return ctu_cg_read_in(h, ctu_cg_dir(h, path, dir), key, out, size);
}

/* ---- usage ------------------------------------------------------------------- */

/* Where the metrics are read: one path in every hierarchy, or one directory of one hierarchy. */
struct stat_where {
	struct ctu_cg_hiers *hs;
	const char *path;		/* ctu_cg_stat */
	const struct ctu_cg_hier *only; /* ctu_cg_stat_in: the hierarchy, */
	const char *dir;		/* and the cgroup's directory in it */
	struct ctu_cg_metric *m;
	size_t n;
};

/* The directory of hierarchy @h to read (false: none, or not the one asked for). */
static bool where_dir(const struct stat_where *w, const struct ctu_cg_hier *h,
		      char out[CTU_CG_DIR_MAX])
{
	if (!h || (w->only && h != w->only))
		return false;
	if (w->only)
		snprintf(out, CTU_CG_DIR_MAX, "%s", w->dir);
	else
		ctu_cg_dir(h, w->path, out);
	return true;
}

static void add_metric(struct stat_where *w, const char *name, uint64_t v, bool bytes)
{
	if (w->n < CTU_CG_METRICS_MAX)
		w->m[w->n++] = (struct ctu_cg_metric){ .name = name, .value = v, .bytes = bytes };
}

/*
 * The metric @name from the "key value" line @key of @dir/@file, if there is one.
 * (Read before the metric is added: as arguments of one call, the read and the
 * value would be evaluated in no defined order.)
 */
static void add_keyed(struct stat_where *w, const char *name, const char *dir, const char *file,
		      const char *key)
{
	uint64_t v;

	if (ctu_cg_keyed(dir, file, key, &v) == 0)
		add_metric(w, name, v, false);
}

/* A v2 key's value of @h's @dir as a number, if it reads. */
static void add_value(struct stat_where *w, const struct ctu_cg_hier *h, const char *dir,
		      const char *key, bool bytes)
{
	char text[64];

	if (ctu_cg_read_in(h, dir, key, text, sizeof(text)) == 0)
		add_metric(w, key, strtoull(text, NULL, 10), bytes);
}

/* "8:0 rbytes=1 wbytes=2 ..." (v2) or "8:0 Read 1" (v1): the total of @key. */
static uint64_t io_total(const char *dir, bool v2, bool read_side)
{
	_cleanup_free_ char *text = NULL;
	char file[CTU_CG_DIR_MAX + 64];
	const char *key = v2 ? (read_side ? "rbytes=" : "wbytes=")
			     : (read_side ? " Read " : " Write ");
	uint64_t total = 0;

	snprintf(file, sizeof(file), "%s/%s", dir, v2 ? "io.stat" : "blkio.throttle.io_service_bytes");
	if (ctu_read_file(AT_FDCWD, file, &text, NULL) < 0)
		return 0;
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char *k = strstr(p, key), *nl = strchr(p, '\n');

		if (k && (!nl || k < nl))
			total += strtoull(k + strlen(key), NULL, 10);
	}
	return total;
}

static void stat_memory(struct stat_where *w)
{
	struct ctu_cg_hier *mem = ctu_cg_hier_for(w->hs, "memory");
	char d[CTU_CG_DIR_MAX], text[64];
	uint64_t v;

	if (!where_dir(w, mem, d))
		return;
	add_value(w, mem, d, "memory.current", true);
	add_value(w, mem, d, "memory.peak", true);
	if (mem->v2) {
		add_keyed(w, "memory.events.oom", d, "memory.events", "oom");
		add_keyed(w, "memory.events.oom_kill", d, "memory.events", "oom_kill");
		return;
	}
	add_keyed(w, "memory.events.oom_kill", d, "memory.oom_control", "oom_kill");
	if (ctu_cg_read_line(d, "memory.failcnt", text, sizeof(text)) == 0 &&
	    ctu_parse_u64(text, &v) == 0)
		add_metric(w, "memory.failcnt", v, false);
}

static void stat_cpu(struct stat_where *w)
{
	struct ctu_cg_hier *cpu = ctu_cg_hier_for(w->hs, "cpu");
	struct ctu_cg_hier *acct = ctu_cg_hier_for(w->hs, "cpuacct");
	char d[CTU_CG_DIR_MAX], text[64];
	uint64_t v;

	if (where_dir(w, cpu, d)) {
		if (cpu->v2)
			add_keyed(w, "cpu.usage_usec", d, "cpu.stat", "usage_usec");
		add_keyed(w, "cpu.nr_throttled", d, "cpu.stat", "nr_throttled");
		if (cpu->v2)
			add_keyed(w, "cpu.throttled_usec", d, "cpu.stat", "throttled_usec");
		else if (ctu_cg_keyed(d, "cpu.stat", "throttled_time", &v) == 0)
			add_metric(w, "cpu.throttled_usec", v / 1000, false);
	}
	/* v1's usage is cpuacct's, in nanoseconds */
	if (acct && !acct->v2 && where_dir(w, acct, d) &&
	    ctu_cg_read_line(d, "cpuacct.usage", text, sizeof(text)) == 0)
		add_metric(w, "cpu.usage_usec", strtoull(text, NULL, 10) / 1000, false);
}

static void stat_pids_io(struct stat_where *w)
{
	struct ctu_cg_hier *pids = ctu_cg_hier_for(w->hs, "pids");
	struct ctu_cg_hier *io = ctu_cg_hier_for(w->hs, "io");
	char d[CTU_CG_DIR_MAX];

	if (where_dir(w, pids, d))
		add_value(w, pids, d, "pids.current", false);
	if (!io)
		io = ctu_cg_hier_for(w->hs, "blkio");
	if (where_dir(w, io, d)) {
		add_metric(w, "io.read_bytes", io_total(d, io->v2, true), true);
		add_metric(w, "io.write_bytes", io_total(d, io->v2, false), true);
	}
}

/* populated: any process in the subtree, in the first hierarchy; frozen: v2's. */
static void stat_state(struct stat_where *w)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(w->hs);
	char d[CTU_CG_DIR_MAX];

	if (where_dir(w, &w->hs->h[0], d)) {
		_cleanup_free_ pid_t *p = NULL;
		size_t np = 0;

		ctu_cg_pids(d, true, &p, &np);
		add_metric(w, "populated", np > 0, false);
	}
	if (where_dir(w, v2, d))
		add_keyed(w, "frozen", d, "cgroup.events", "frozen");
}

static size_t stat_all(struct stat_where *w)
{
	stat_memory(w);
	stat_cpu(w);
	stat_pids_io(w);
	stat_state(w);
	return w->n;
}

size_t ctu_cg_stat(struct ctu_cg_hiers *hs, const char *path, struct ctu_cg_metric *m)
{
	struct stat_where w = { .hs = hs, .path = path, .m = m };

	return stat_all(&w);
}

size_t ctu_cg_stat_in(struct ctu_cg_hiers *hs, const struct ctu_cg_hier *h, const char *dir,
		      struct ctu_cg_metric *m)
{
	struct stat_where w = { .hs = hs, .only = h, .dir = dir, .m = m };

	return stat_all(&w);
}
