// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - ROOT/ID/state.json, the lock of mutators, and the live status.
 *
 * The file is what create recorded (ctrun.h's struct ct_state), so later
 * edits of config.json change nothing.  The status is never stored: it is
 * derived each time from the kernel (runc's and crun's rule), so that a
 * container whose init died, or whose PID now names a stranger, reads
 * stopped, and signals go through a pidfd of the process checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgend.h"
#include "ctu.h"
#include "json.h"
#include "pidref.h"
#include "proc.h"
#include "state.h"

const char *ct_status_name(enum ct_status s)
{
	static const char *const names[] = {
		[CT_CREATING] = "creating", [CT_CREATED] = "created", [CT_RUNNING] = "running",
		[CT_PAUSED] = "paused",	    [CT_STOPPED] = "stopped",
	};

	return (unsigned int)s < CTU_ARRAY_SIZE(names) ? names[s] : "unknown";
}

/* ---- parsing ---------------------------------------------------------------- */

/* A non-negative integer member up to @max; @required or 0 when absent. */
static int take_uint(json_t *doc, const char *key, bool required, unsigned long long max,
		     unsigned long long *out, ctu_err_t *err)
{
	json_t *v = json_object_get(doc, key);

	*out = 0;
	if (!v && !required)
		return 0;
	if (!v)
		return ctu_err_make(err, 0, "/%s: missing", key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (unsigned long long)json_integer_value(v) > max)
		return ctu_err_make(err, 0, "/%s: expected an integer from 0 to %llu", key, max);
	*out = (unsigned long long)json_integer_value(v);
	return 0;
}

/* A string member (required), or an optional one that may be null. */
static int take_string(json_t *doc, const char *key, bool required, const char **out,
		       ctu_err_t *err)
{
	json_t *v = json_object_get(doc, key);

	*out = NULL;
	if ((!v || json_is_null(v)) && !required)
		return 0;
	if (!v)
		return ctu_err_make(err, 0, "/%s: missing", key);
	if (!json_is_string(v))
		return ctu_err_make(err, 0, "/%s: expected a string", key);
	*out = json_string_value(v);
	return 0;
}

/* The members kept as objects: absent or an object; annotations' values are strings. */
static int check_objects(json_t *doc, ctu_err_t *err)
{
	static const char *const keys[] = { "annotations", "process", "hooks", "resources" };
	const char *name;
	json_t *v;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(keys); i++) {
		v = json_object_get(doc, keys[i]);
		if (v && !json_is_null(v) && !json_is_object(v))
			return ctu_err_make(err, 0, "/%s: expected an object", keys[i]);
	}
	json_object_foreach(json_object_get(doc, "annotations"), name, v)
		if (!json_is_string(v))
			return ctu_err_make(err, 0, "/annotations/%s: expected a string", name);
	return 0;
}

/* The cgroup is handed to cgctl (kill, delete): absolute, and no way out with "..". */
static int check_cgroup(const char *cgroup, ctu_err_t *err)
{
	if (!cgroup)
		return 0;
	if (cgroup[0] != '/' || ctu_cg_path_check(cgroup, err) < 0)
		return ctu_err_make(err, 0, "/cgroup: '%s' is not an absolute cgroup path", cgroup);
	return 0;
}

static int check_strings(json_t *doc, struct ct_state *st, ctu_err_t *err)
{
	const char *id, *s;

	if (take_string(doc, "id", true, &id, err) < 0 ||
	    take_string(doc, "bundle", true, &st->bundle, err) < 0 ||
	    take_string(doc, "rootfs", true, &st->rootfs, err) < 0 ||
	    take_string(doc, "created", true, &s, err) < 0 ||
	    take_string(doc, "owner", false, &s, err) < 0 ||
	    take_string(doc, "cgroup", false, &st->cgroup, err) < 0)
		return ctu_err_code(*err);
	if (strcmp(id, st->id) != 0)
		return ctu_err_make(err, 0, "/id: '%s' is not the container's", id);
	return check_cgroup(st->cgroup, err);
}

static int check_numbers(json_t *doc, struct ct_state *st, ctu_err_t *err)
{
	unsigned long long pid, creator;
	json_t *made = json_object_get(doc, "cgroup_made");

	if (take_uint(doc, "pid", true, INT32_MAX, &pid, err) < 0 ||
	    take_uint(doc, "starttime", false, UINT64_MAX >> 1, &st->starttime, err) < 0 ||
	    take_uint(doc, "creator", false, INT32_MAX, &creator, err) < 0 ||
	    take_uint(doc, "creator_start", false, UINT64_MAX >> 1, &st->creator_start, err) < 0)
		return ctu_err_code(*err);
	if (made && !json_is_boolean(made))
		return ctu_err_make(err, 0, "/cgroup_made: expected a boolean");
	st->pid = (pid_t)pid;
	st->creator = (pid_t)creator;
	st->cgroup_made = json_is_true(made);
	return 0;
}

/* "in_place": what the root of a container without a mount namespace was on (inplace.c). */
static int check_in_place(json_t *doc, struct ct_state *st, ctu_err_t *err)
{
	json_t *ip = json_object_get(doc, "in_place");
	unsigned long long ns, below;

	if (!ip || json_is_null(ip))
		return 0;
	if (!json_is_object(ip))
		return ctu_err_make(err, 0, "/in_place: expected an object");
	if (take_uint(ip, "mount_ns", true, UINT64_MAX >> 1, &ns, err) < 0 ||
	    take_uint(ip, "below", true, UINT64_MAX >> 1, &below, err) < 0)
		return ctu_err_wrap(err, "/in_place");
	st->in_place = (struct ct_in_place){ .used = true, .mount_ns = ns, .below = below };
	return 0;
}

/* @doc checked and its fields into @st (which borrows them); @st->id set by the caller. */
static int state_from_doc(json_t *doc, struct ct_state *st, ctu_err_t *err)
{
	if (!json_is_object(doc))
		return ctu_err_make(err, 0, "not a JSON object");
	if (check_strings(doc, st, err) < 0 || check_numbers(doc, st, err) < 0 ||
	    check_in_place(doc, st, err) < 0 || check_objects(doc, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

int ct_state_parse(const char *buf, size_t len, const char *id, struct ct_state *st,
		   ctu_err_t *err)
{
	json_t *doc;

	memset(st, 0, sizeof(*st));
	if (strlen(id) > CT_ID_MAX)
		return ctu_err_make(err, ENAMETOOLONG, CT_STATE_FILE);
	snprintf(st->id, sizeof(st->id), "%s", id);
	doc = ctu_json_parse(buf, len, CT_STATE_FILE, err);
	if (!doc)
		return ctu_err_code(*err);
	st->doc = doc;
	if (state_from_doc(doc, st, err) < 0) {
		ct_state_free(st);
		return ctu_err_wrap(err, CT_STATE_FILE);
	}
	return 0;
}

void ct_state_free(struct ct_state *st)
{
	json_decref(st->doc);
	st->doc = NULL;
	st->bundle = st->rootfs = st->cgroup = NULL;
}

/* ---- reading, writing, locking ---------------------------------------------- */

static int no_such_container(const char *id, ctu_err_t *err)
{
	return ctu_err_make(err, 0, "container %s does not exist", id);
}

int ct_state_read_at(int dirfd, const char *id, struct ct_state *st, ctu_err_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, CT_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;

	memset(st, 0, sizeof(*st));
	if (fd < 0 && errno == ENOENT)
		return no_such_container(id, err); /* a create that died before writing it */
	if (fd < 0)
		return ctu_err_errno(err, "container %s: cannot open " CT_STATE_FILE, id);
	if (ctu_json_read_fd(fd, CT_CONFIG_MAX, CT_STATE_FILE, &buf, &len, err) < 0 ||
	    ct_state_parse(buf, len, id, st, err) < 0)
		return ctu_err_wrap(err, "container %s", id);
	return 0;
}

/* ROOT/ID as a directory fd; "does not exist" when it is not there. */
static int open_container_dir(struct ct_global *g, const char *id, ctu_err_t *err)
{
	int rootfd, fd;

	if (ct_id_check(id, err) < 0)
		return ctu_err_code(*err);
	rootfd = ct_root_open(g, err);
	if (rootfd < 0)
		return rootfd;
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return no_such_container(id, err);
	if (fd < 0)
		return ctu_err_errno(err, "container %s: cannot open its state directory", id);
	return fd;
}

int ct_state_read(struct ct_global *g, const char *id, struct ct_state *st, ctu_err_t *err)
{
	_cleanup_close_ int fd = open_container_dir(g, id, err);

	memset(st, 0, sizeof(*st));
	if (fd < 0)
		return fd;
	return ct_state_read_at(fd, id, st, err);
}

int ct_state_write(int dirfd, const struct ct_state *st, ctu_err_t *err)
{
	struct ct_state check = { 0 };

	/* never write what the next reader would refuse */
	snprintf(check.id, sizeof(check.id), "%s", st->id);
	if (state_from_doc(st->doc, &check, err) < 0)
		return ctu_err_wrap(err, "container %s: " CT_STATE_FILE, st->id);
	/*
	 * Atomic (rename), not synced: the state describes processes that a
	 * crash takes with it, and the root is /run, a tmpfs; as runc and crun.
	 */
	if (ctu_json_write_at(dirfd, CT_STATE_FILE, st->doc, true, false, err) < 0)
		return ctu_err_wrap(err, "container %s", st->id);
	return 0;
}

int ct_state_lock(struct ct_global *g, const char *id, ctu_err_t *err)
{
	_cleanup_close_ int fd = open_container_dir(g, id, err);
	struct stat sb;

	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "container %s: cannot lock its state directory", id);
	if (fstat(fd, &sb) < 0)
		return ctu_err_errno(err, "container %s", id);
	/* a delete that held the lock before us removed the directory */
	if (sb.st_nlink == 0)
		return no_such_container(id, err);
	return ctu_steal_fd(&fd);
}

/* ---- the live status -------------------------------------------------------- */

bool ct_proc_is(int procfd, pid_t pid, unsigned long long start)
{
	_cleanup_free_ char *buf = NULL;
	char path[32];
	const char *p;
	uint64_t now;
	char state;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	if (ctu_read_file(procfd, path, &buf, NULL) < 0 || ctu_stat_start_time(buf, &now) < 0)
		return false;
	/* ") S PPID ...": the comm may hold anything, the last ')' ends it */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c", &state) != 1)
		return false;
	return now == start && state != 'Z' && state != 'X';
}

enum ct_status ct_status_decide(const struct ct_live *l)
{
	if (l->creator_alive)
		return CT_CREATING;
	if (!l->init_alive)
		return CT_STOPPED;
	if (l->fifo)
		return CT_CREATED;
	return l->frozen ? CT_PAUSED : CT_RUNNING;
}

/* A pidfd that has not exited, opened before /proc was read: a reused PID is refused. */
static int open_init(int procfd, const struct ct_state *st, bool *alive)
{
	int pidfd = ctu_pidfd_open(st->pid, 0);
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	*alive = false;
	if (pidfd < 0 && errno != ENOSYS)
		return -1;
	if (!ct_proc_is(procfd, st->pid, st->starttime) ||
	    (pidfd >= 0 && poll(&p, 1, 0) != 0)) {
		if (pidfd >= 0)
			close(pidfd);
		return -1;
	}
	*alive = true;
	if (pidfd >= 0)
		fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	return pidfd;
}

bool ct_cgroup_dir(struct ctu_cg_hiers *hs, const char *path, char out[CTU_CG_DIR_MAX])
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(hs);
	struct stat sb;

	if (v2 && stat(ctu_cg_dir(v2, path, out), &sb) == 0)
		return true;
	for (size_t i = 0; i < hs->n; i++)
		if (stat(ctu_cg_dir(&hs->h[i], path, out), &sb) == 0)
			return true;
	return false;
}

bool ct_cgroup_exists(const char *path)
{
	struct ctu_cg_hiers hs;
	char d[CTU_CG_DIR_MAX];
	ctu_err_t err = NULL;

	if (!path || ctu_cg_detect(&hs, NULL, false, NULL, &err) < 0) {
		ctu_err_free(&err);
		return false;
	}
	return ct_cgroup_dir(&hs, path, d);
}

int ct_cgroup_remove(const char *path, bool recursive, ctu_err_t *err)
{
	struct ctu_cg_hiers hs;
	char d[CTU_CG_DIR_MAX];
	int r = ctu_cg_detect(&hs, NULL, false, NULL, err);

	if (r < 0)
		return r;
	if (!ct_cgroup_dir(&hs, path, d))
		return 0;
	/* 10 s for the processes to go, as cgctl delete's default */
	return ctu_cg_delete(&hs, path, recursive, true, 10000, err);
}

bool ct_cgroup_frozen(struct ctu_cg_hiers *hs, const char *path)
{
	char d[CTU_CG_DIR_MAX], line[32];
	uint64_t frozen = 0;

	for (size_t i = 0; i < hs->n; i++) {
		struct ctu_cg_hier *h = &hs->h[i];

		ctu_cg_dir(h, path, d);
		if (h->v2 && ctu_cg_keyed(d, "cgroup.events", "frozen", &frozen) == 0 && frozen)
			return true;
		if (!h->v2 && ctu_cg_hier_has(h, "freezer") &&
		    ctu_cg_read_line(d, "freezer.state", line, sizeof(line)) == 0 &&
		    strcmp(line, "FROZEN") == 0)
			return true;
	}
	return false;
}

static bool frozen_now(const struct ct_state *st)
{
	struct ctu_cg_hiers hs;
	ctu_err_t err = NULL;

	if (!st->cgroup)
		return false;
	if (ctu_cg_detect(&hs, NULL, false, NULL, &err) < 0) {
		ctu_err_free(&err);
		return false;
	}
	return ct_cgroup_frozen(&hs, st->cgroup);
}

static bool fifo_exists(struct ct_global *g, const char *id)
{
	ctu_err_t err = NULL;
	char path[CT_ID_MAX + 16];
	int rootfd = ct_root_open(g, &err);

	ctu_err_free(&err);
	snprintf(path, sizeof(path), "%s/" CT_EXEC_FIFO, id);
	return rootfd >= 0 && faccessat(rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

enum ct_status ct_status_of(struct ct_global *g, const struct ct_state *st, int *pidfd)
{
	_cleanup_close_ int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	struct ct_live l = { 0 };

	if (pidfd)
		*pidfd = -1;
	l.creator_alive = st->creator > 0 && ct_proc_is(procfd, st->creator, st->creator_start);
	if (!l.creator_alive && st->pid > 0)
		fd = open_init(procfd, st, &l.init_alive);
	if (l.init_alive) {
		l.fifo = fifo_exists(g, st->id);
		l.frozen = !l.fifo && frozen_now(st);
	}
	if (pidfd)
		*pidfd = ctu_steal_fd(&fd);
	return ct_status_decide(&l);
}

/* ---- the OCI state object ---------------------------------------------------- */

json_t *ct_state_oci(const struct ct_state *st, enum ct_status s)
{
	json_t *annotations = json_object_get(st->doc, "annotations");
	json_t *owner = json_object_get(st->doc, "owner");
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:O}", "ociVersion", "1.1.0", "id",
			      st->id, "status", ct_status_name(s), "pid",
			      s == CT_STOPPED ? 0 : (json_int_t)st->pid, "bundle",
			      st->bundle ? st->bundle : "", "rootfs", st->rootfs ? st->rootfs : "",
			      "created", json_object_get(st->doc, "created"));

	if (o && ((json_is_object(annotations) && json_object_size(annotations) > 0 &&
		   json_object_set(o, "annotations", annotations) < 0) ||
		  (json_is_string(owner) && json_object_set(o, "owner", owner) < 0))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void ct_state_owner(const struct ct_state *st, int rootfd, char *out, size_t size)
{
	json_t *owner = json_object_get(st->doc, "owner");
	struct passwd *pw;
	struct stat sb;

	if (json_is_string(owner)) {
		snprintf(out, size, "%s", json_string_value(owner));
		return;
	}
	if (fstatat(rootfd, st->id, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(out, size, "%s", "");
		return;
	}
	pw = getpwuid(sb.st_uid);
	if (pw)
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "#%u", (unsigned int)sb.st_uid);
}
