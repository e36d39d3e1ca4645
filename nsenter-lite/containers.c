// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * containers.c - --container [SOURCE:]ID and --containers: a container's
 * init found in the state its engine keeps, never by a /proc scan.
 *
 * Each source has one root (crun two), listed by name: an ID directory
 * holding a state file (runc, crun, docker, ctrun), a namespace or storage
 * driver level above it (containerd, podman), or ID.pid (ctutils).  Only
 * the entries the user's ID could mean are read (state.c), so 200
 * containers in the roots cost one readdir each, not 200 parses.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "nsenter-lite.h"
#include "out.h"
#include "state.h"

const char *const state_source_names[SRC_COUNT] = {
	"runc", "crun", "containerd", "docker", "podman", "ctrun", "ctutils",
};

/* Where a source keeps its state, and in what form. */
struct source_desc {
	const char *root_dir; /* the caller is root */
	const char *user_dir; /* below $XDG_RUNTIME_DIR otherwise */
	const char *group;    /* a level above the IDs: any name (""), or names ending so */
	const char *file;     /* below the ID's directory; NULL: the ID + ".pid" is the file */
	enum state_format fmt;
};

static const struct source_desc sources[SRC_COUNT] = {
	[SRC_RUNC] = { "/run/runc", "runc", NULL, "state.json", STATE_OCI },
	[SRC_CRUN] = { "/run/crun", "crun", NULL, "status", STATE_CRUN },
	[SRC_CONTAINERD] = { "/run/containerd/runc", "containerd/runc", "", "state.json", STATE_OCI },
	[SRC_DOCKER] = { "/run/docker/runtime-runc/moby", "docker/runtime-runc/moby", NULL,
			 "state.json", STATE_OCI },
	[SRC_PODMAN] = { "/run/containers/storage", "containers", "-containers",
			 "userdata/pidfile", STATE_PIDFILE },
	[SRC_CTRUN] = { "/run/ctrun", "ctrun", NULL, "state.json", STATE_CTRUN },
	[SRC_CTUTILS] = { "/run/ctutils", "ctutils", NULL, NULL, STATE_PIDFILE },
};

#define ID_MAX 1024
#define MAX_ROOTS (SRC_COUNT + 1)

/* What --containers says of a container's init. */
enum cstatus { ST_RUNNING, ST_EXITED, ST_REUSED, ST_UNCHECKED, ST_BROKEN };
static const char *const cstatus_names[] = { "running", "exited", "reused", "unchecked", "" };

struct root {
	enum state_source source;
	char *dir;
	int fd; /* -1: absent */
};

struct cand {
	enum state_source source;
	const struct root *root;
	char *id;      /* containerd's is "NS/ID" */
	char *path;    /* the state file below the root */
	struct ctu_pidref ref;
	enum cstatus status;
	ctu_err_t err; /* why it is not running, or cannot be read */
};

struct search {
	struct root roots[MAX_ROOTS];
	size_t nroots;
	struct cand *cands;
	size_t ncands, alloc;
	bool failed; /* a root could not be read (--containers exits 1) */
	bool warn;   /* --containers: say so; --container: it was not there */
};

/* [A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}: no '/', no "..", nothing a path could hide in. */
static bool id_valid(const char *s, size_t len)
{
	if (len == 0 || len > ID_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.+-", s[i]))
			return false;
	return true;
}

int state_root_option(struct state_roots *roots, const char *arg, ctu_err_t *err)
{
	const char *eq = strchr(arg, '=');

	for (size_t i = 0; eq && i < SRC_COUNT; i++) {
		if (strlen(state_source_names[i]) != (size_t)(eq - arg) ||
		    strncmp(arg, state_source_names[i], (size_t)(eq - arg)))
			continue;
		if (!eq[1])
			return ctu_err_usage(err, "--state-root %s: an empty directory", arg);
		roots->dir[i] = eq + 1;
		return 0;
	}
	return ctu_err_usage(err, "--state-root '%s': want SOURCE=DIR, SOURCE one of runc, crun, "
			     "containerd, docker, podman, ctrun, ctutils", arg);
}

/* ---- the roots ---- */

static int add_root(struct search *s, enum state_source src, const char *a, const char *b)
{
	struct root *r = &s->roots[s->nroots];

	if (s->nroots >= MAX_ROOTS)
		return 0;
	if (b ? asprintf(&r->dir, "%s/%s", a, b) < 0 : !(r->dir = strdup(a)))
		return -ENOMEM;
	r->source = src;
	r->fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0 && errno != ENOENT) {
		if (s->warn)
			ctu_warn(errno, "cannot open state root %s", r->dir);
		s->failed = true;
	}
	s->nroots++;
	return 0;
}

/* $XDG_RUNTIME_DIR when it is an absolute path, else NULL. */
static const char *runtime_dir(void)
{
	const char *d = getenv("XDG_RUNTIME_DIR");

	return d && d[0] == '/' ? d : NULL;
}

/* The roots of @src: --state-root's, or the defaults for root or for a user. */
static int open_roots_of(struct search *s, const struct state_roots *roots, enum state_source src)
{
	const struct source_desc *d = &sources[src];
	const char *xdg = runtime_dir();
	int r = 0;

	if (roots->dir[src])
		return add_root(s, src, roots->dir[src], NULL);
	if (geteuid() == 0)
		r = add_root(s, src, d->root_dir, NULL);
	/* crun keeps $XDG_RUNTIME_DIR/crun even as root */
	if (r == 0 && xdg && (geteuid() != 0 || src == SRC_CRUN))
		r = add_root(s, src, xdg, d->user_dir);
	return r;
}

static int open_roots(struct search *s, const struct state_roots *roots, int only, ctu_err_t *err)
{
	for (int src = 0; src < SRC_COUNT; src++)
		if ((only < 0 || only == src) &&
		    open_roots_of(s, roots, (enum state_source)src) < 0)
			return ctu_err_make(err, ENOMEM, "state roots");
	return 0;
}

static void search_free(struct search *s)
{
	for (size_t i = 0; i < s->ncands; i++) {
		free(s->cands[i].id);
		free(s->cands[i].path);
		ctu_err_free(&s->cands[i].err);
	}
	free(s->cands);
	for (size_t i = 0; i < s->nroots; i++) {
		free(s->roots[i].dir);
		if (s->roots[i].fd >= 0)
			close(s->roots[i].fd);
	}
}

/* ---- the names in a root ---- */

/* What the user's ID may match: the ID (or a prefix of it), and containerd's namespace. */
struct query {
	int source; /* -1: any */
	const char *ns;
	size_t ns_len;
	const char *id; /* NULL: everything (--containers) */
};

static bool name_wanted(const struct query *q, const char *name)
{
	return id_valid(name, strlen(name)) && (!q->id || !strncmp(name, q->id, strlen(q->id)));
}

static int add_cand(struct search *s, const struct root *r, char *id, char *path)
{
	struct cand *c;

	if (s->ncands == s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 16;
		struct cand *nc = reallocarray(s->cands, n, sizeof(*nc));

		if (!nc)
			goto nomem;
		s->cands = nc;
		s->alloc = n;
	}
	c = &s->cands[s->ncands++];
	*c = (struct cand){ .source = r->source, .root = r, .id = id, .path = path };
	return 0;
nomem:
	free(id);
	free(path);
	return -ENOMEM;
}

/* Entry @name of @group (NULL: of the root) as a candidate, when it may be the one. */
static int consider(struct search *s, const struct root *r, const struct query *q,
		    const char *group, const char *name)
{
	const struct source_desc *d = &sources[r->source];
	char *id = NULL, *path = NULL;
	size_t len = strlen(name);

	if (!d->file) {
		/* ID.pid */
		if (len <= 4 || strcmp(name + len - 4, ".pid"))
			return 0;
		id = strndup(name, len - 4);
		if (!id || !name_wanted(q, id)) {
			free(id);
			return id ? 0 : -ENOMEM;
		}
		path = strdup(name);
	} else {
		if (!name_wanted(q, name))
			return 0;
		if (group && r->source == SRC_CONTAINERD) {
			if (asprintf(&id, "%s/%s", group, name) < 0)
				id = NULL;
		} else {
			id = strdup(name);
		}
		if (!id || asprintf(&path, "%s%s%s/%s", group ? group : "", group ? "/" : "", name,
				    d->file) < 0)
			path = NULL;
	}
	if (!path) {
		free(id);
		return -ENOMEM;
	}
	return add_cand(s, r, id, path);
}

/* The entries of directory @dirfd (closed), each handed to @fn. */
static int each_entry(int dirfd, int (*fn)(void *arg, const char *name), void *arg)
{
	_cleanup_closedir_ DIR *dir = fdopendir(dirfd);
	struct dirent *de;
	int r = 0;

	if (!dir) {
		close(dirfd);
		return -errno;
	}
	while (r == 0 && (errno = 0, de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = fn(arg, de->d_name);
	return r < 0 ? r : -errno;
}

struct scan {
	struct search *s;
	const struct root *r;
	const struct query *q;
	const char *group;
};

static int scan_name(void *arg, const char *name)
{
	struct scan *sc = arg;

	return consider(sc->s, sc->r, sc->q, sc->group, name);
}

/* containerd's namespaces, podman's DRIVER-containers: each a directory of IDs. */
static int scan_group(void *arg, const char *name)
{
	struct scan *sc = arg, inner = *sc;
	const char *want = sources[sc->r->source].group;
	size_t len = strlen(name), wlen = strlen(want);
	int fd;

	if (len <= wlen || strcmp(name + len - wlen, want) || !id_valid(name, len))
		return 0;
	if (sc->q->ns && (len != sc->q->ns_len || strncmp(name, sc->q->ns, len)))
		return 0;
	fd = state_open_beneath(sc->r->fd, name, O_RDONLY | O_DIRECTORY, name, NULL);
	if (fd < 0)
		return 0; /* a symlink, or gone: holds nothing of ours */
	inner.group = name;
	return each_entry(fd, scan_name, &inner) == -ENOMEM ? -ENOMEM : 0;
}

static int scan_root(struct search *s, const struct root *r, const struct query *q)
{
	struct scan sc = { .s = s, .r = r, .q = q };
	int fd = r->fd < 0 ? -1 : dup(r->fd);
	int rc;

	if (r->fd < 0)
		return 0;
	if (fd < 0)
		return -errno;
	rc = each_entry(fd, sources[r->source].group ? scan_group : scan_name, &sc);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		if (s->warn)
			ctu_warn(-rc, "cannot list state root %s", r->dir);
		s->failed = true;
	}
	return 0;
}

static int scan_roots(struct search *s, const struct query *q, ctu_err_t *err)
{
	for (size_t i = 0; i < s->nroots; i++)
		if (scan_root(s, &s->roots[i], q) < 0)
			return ctu_err_make(err, ENOMEM, "state roots");
	return 0;
}

/* ---- each candidate's state ---- */

/*
 * A zombie is an init that has exited and waits for a reaper (runc's
 * detached init is reparented, and reaped when its new parent gets to it):
 * runc says "stopped", and there is nothing to enter.
 */
static bool is_zombie(pid_t pid)
{
	pid_t ppid;
	char state;

	/* gone since: the caller's pidfd check says so at entry */
	if (ctu_proc_state(pid, &state, &ppid) < 0)
		return false;
	return state == 'Z' || state == 'X';
}

/* Whether the init a ref names runs now: the pidfd's check (lib/pidref). */
static enum cstatus status_now(const struct ctu_pidref *ref, ctu_err_t *err)
{
	int fd = ctu_pidref_open(ref, err);

	if (fd >= 0)
		close(fd);
	if ((fd >= 0 || fd == -ENOSYS) && is_zombie(ref->pid))
		return ST_EXITED;
	if (fd >= 0 || fd == -ENOSYS)
		return ref->kind == CTU_PIDREF_PLAIN ? ST_UNCHECKED : ST_RUNNING;
	if ((*err)->errnum == ESRCH)
		return ST_EXITED;
	if ((*err)->kind == CTU_ERR_USAGE) /* PID:INODE before pidfs: nothing to check with */
		return ST_UNCHECKED;
	return (*err)->errnum == 0 ? ST_REUSED : ST_BROKEN;
}

static void cand_load(struct cand *c)
{
	enum state_format fmt = sources[c->source].fmt;
	_cleanup_free_ char *what = NULL;

	if (asprintf(&what, "%s/%s", c->root->dir, c->path) < 0) {
		ctu_err_make(&c->err, ENOMEM, "state file %s", c->path);
		c->status = ST_BROKEN;
		return;
	}
	c->ref = (struct ctu_pidref){ 0 };
	if (state_read(c->root->fd, c->path, fmt, what, &c->ref, &c->err) == 0)
		c->status = status_now(&c->ref, &c->err);
	else if (c->ref.pid > 0 && c->err->errnum == ESRCH)
		c->status = ST_EXITED; /* a pid file's process is gone */
	else if (c->ref.pid > 0 && c->err->errnum == 0)
		c->status = ST_REUSED; /* a pid file's process failed the 2 s rule */
	else
		c->status = ST_BROKEN;
	if (c->status == ST_RUNNING || c->status == ST_UNCHECKED)
		ctu_err_free(&c->err);
}

/* The ID part of a candidate's: containerd's after its namespace. */
static const char *id_part(const struct cand *c)
{
	const char *slash = strrchr(c->id, '/');

	return slash ? slash + 1 : c->id;
}

/*
 * One container seen by two sources (podman over crun, which it runs): the
 * same ID, and the same init by PID and start time.
 */
static bool same_container(const struct cand *a, const struct cand *b)
{
	return a->status != ST_BROKEN && b->status != ST_BROKEN && a->ref.pid == b->ref.pid &&
	       a->ref.kind == CTU_PIDREF_START && b->ref.kind == CTU_PIDREF_START &&
	       a->ref.start == b->ref.start && !strcmp(id_part(a), id_part(b));
}

static void drop_cand(struct search *s, size_t i)
{
	free(s->cands[i].id);
	free(s->cands[i].path);
	ctu_err_free(&s->cands[i].err);
	memmove(&s->cands[i], &s->cands[i + 1], (s->ncands - i - 1) * sizeof(*s->cands));
	s->ncands--;
}

/* Loads every candidate, and keeps the first source's of each container. */
static void load_and_merge(struct search *s)
{
	for (size_t i = 0; i < s->ncands; i++)
		cand_load(&s->cands[i]);
	for (size_t i = 0; i < s->ncands; i++)
		for (size_t j = i + 1; j < s->ncands;)
			if (s->cands[i].source != s->cands[j].source &&
			    same_container(&s->cands[i], &s->cands[j]))
				drop_cand(s, j);
			else
				j++;
}

static int cand_order(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* By source (the order prefixes are matched in), then ID: readdir's order is no order. */
static void sort_cands(struct search *s)
{
	if (s->ncands > 1) /* qsort's base may not be NULL, even for none */
		qsort(s->cands, s->ncands, sizeof(*s->cands), cand_order);
}

/* ---- --container ---- */

static int source_named(const char *s, size_t len)
{
	for (int i = 0; i < SRC_COUNT; i++)
		if (strlen(state_source_names[i]) == len && !strncmp(s, state_source_names[i], len))
			return i;
	return -1;
}

/* [SOURCE:]ID, or containerd:NS/ID: all checked before any lookup. */
static int parse_spec(const char *spec, struct query *q, ctu_err_t *err)
{
	const char *colon = strchr(spec, ':'), *id = spec, *slash;

	*q = (struct query){ .source = -1 };
	if (colon) {
		q->source = source_named(spec, (size_t)(colon - spec));
		if (q->source < 0)
			return ctu_err_usage(err, "--container %s: unknown source '%.*s' (runc, crun, "
					     "containerd, docker, podman, ctrun, ctutils)", spec,
					     (int)(colon - spec), spec);
		id = colon + 1;
	}
	slash = strchr(id, '/');
	if (slash && q->source == SRC_CONTAINERD) {
		q->ns = id;
		q->ns_len = (size_t)(slash - id);
		if (!id_valid(q->ns, q->ns_len))
			return ctu_err_usage(err, "invalid containerd namespace '%.*s'",
					     (int)q->ns_len, q->ns);
		id = slash + 1;
	}
	if (!id_valid(id, strlen(id)))
		return ctu_err_usage(err, "invalid container ID '%s': an ID is "
				     "[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}", id);
	q->id = id;
	return 0;
}

/* Docker's rule: a whole ID wins over the longer IDs it is a prefix of. */
static void keep_exact(struct search *s, const char *id)
{
	bool any = false;

	for (size_t i = 0; i < s->ncands; i++)
		any |= !strcmp(id_part(&s->cands[i]), id);
	for (size_t i = 0; any && i < s->ncands;)
		if (strcmp(id_part(&s->cands[i]), id))
			drop_cand(s, i);
		else
			i++;
}

/* "no container 'web' (searched: /run/runc, /run/crun, ...)" */
static int not_found(const struct search *s, const char *spec, ctu_err_t *err)
{
	char roots[4096] = "";
	size_t len = 0;

	for (size_t i = 0; i < s->nroots && len < sizeof(roots); i++)
		len += (size_t)snprintf(roots + len, sizeof(roots) - len, "%s%s", i ? ", " : "",
					s->roots[i].dir);
	if (!s->nroots)
		return ctu_err_make(err, 0, "no container '%s' (searched: no state root; "
				    "XDG_RUNTIME_DIR is not set)", spec);
	return ctu_err_make(err, 0, "no container '%s' (searched: %s)", spec, roots);
}

/* "ambiguous container ID 'ab': runc:ab12.., docker:ab98.. (give more ...)" */
static int ambiguous(const struct search *s, const char *spec, ctu_err_t *err)
{
	char list[4096] = "";
	size_t len = 0;

	for (size_t i = 0; i < s->ncands && len < sizeof(list); i++) {
		const struct cand *c = &s->cands[i];
		const char *id = id_part(c);
		bool longer = strlen(id) > 16; /* a 64-digit hash: docker's short 12 */

		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s:%.*s%.*s%s",
					i ? ", " : "", state_source_names[c->source],
					(int)(id - c->id), c->id, longer ? 12 : 16, id,
					longer ? ".." : "");
	}
	ctu_err_make(err, 0, "ambiguous container ID '%s': %s", spec, list);
	return ctu_err_hint(err, "give more characters or SOURCE:ID");
}

/* The one candidate left, if its init runs. */
static int take_found(struct search *s, struct container *c, ctu_err_t *err)
{
	struct cand *f = &s->cands[0];

	switch (f->status) {
	case ST_RUNNING:
	case ST_UNCHECKED:
		break;
	case ST_EXITED:
		return ctu_err_make(err, 0, "container %s is not running: process %d has exited",
				    f->id, (int)f->ref.pid);
	case ST_REUSED:
		*err = ctu_steal_ptr(&f->err);
		return ctu_err_wrap(err, "container %s is not running", f->id);
	case ST_BROKEN:
	default:
		*err = ctu_steal_ptr(&f->err);
		return ctu_err_code(*err);
	}
	c->source = f->source;
	c->id = ctu_steal_ptr(&f->id);
	c->ref = f->ref;
	return 0;
}

int container_find(const struct state_roots *roots, const char *spec, struct container *c,
		   ctu_err_t *err)
{
	struct search s = { 0 };
	struct query q;
	int r = parse_spec(spec, &q, err);

	if (r < 0)
		return r;
	r = open_roots(&s, roots, q.source, err);
	if (r == 0)
		r = scan_roots(&s, &q, err);
	if (r == 0) {
		keep_exact(&s, q.id);
		load_and_merge(&s);
		sort_cands(&s);
		if (s.ncands == 0)
			r = not_found(&s, spec, err);
		else if (s.ncands > 1)
			r = ambiguous(&s, spec, err);
		else
			r = take_found(&s, c, err);
	}
	search_free(&s);
	return r;
}

void container_free(struct container *c)
{
	free(c->id);
	c->id = NULL;
}

/* ---- --containers ---- */

static const struct ctu_out_column list_columns[] = {
	{ "SOURCE", 0, SCOLS_JSON_STRING, 0, NULL },
	{ "ID", 0, SCOLS_JSON_STRING, 0, NULL },
	{ "PID", 0, SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	{ "PIDREF", 0, SCOLS_JSON_STRING, 0, NULL },
	{ "STATUS", 0, SCOLS_JSON_STRING, 0, NULL },
};

/* A row; a state file that cannot be read is a warning instead (exit 1). */
static int list_line(struct libscols_table *tb, struct cand *c, bool *failed)
{
	char pid[16], ref[CTU_PIDREF_MAX];
	const char *cells[5] = { state_source_names[c->source], c->id, pid, NULL,
				 cstatus_names[c->status] };

	/* a directory with no state file is no container (ctrun's seccomp cache, a create's first instant) */
	if (c->status == ST_BROKEN && c->err && c->err->errnum == ENOENT)
		return 0;
	if (c->status == ST_BROKEN) {
		_cleanup_free_ char *msg = ctu_err_format(c->err);

		ctu_warn(0, "%s", msg ? msg : "out of memory");
		*failed = true;
		return 0;
	}
	snprintf(pid, sizeof(pid), "%d", (int)c->ref.pid);
	if (c->ref.kind == CTU_PIDREF_START)
		snprintf(ref, sizeof(ref), "%d@%" PRIu64, (int)c->ref.pid, c->ref.start);
	else if (c->ref.kind == CTU_PIDREF_INODE)
		snprintf(ref, sizeof(ref), "%d:%" PRIu64, (int)c->ref.pid, c->ref.inode);
	cells[3] = c->ref.kind == CTU_PIDREF_PLAIN ? NULL : ref;
	return ctu_out_line(tb, cells, CTU_ARRAY_SIZE(cells));
}

static int print_list(struct search *s, bool json, bool *failed)
{
	struct ctu_out_flags flags = { .json = json };
	struct libscols_table *tb =
		ctu_out_table("containers", list_columns, CTU_ARRAY_SIZE(list_columns), &flags);

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < s->ncands; i++)
		if (list_line(tb, &s->cands[i], failed) < 0) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
	return ctu_out_print(tb);
}

int containers_list(const struct state_roots *roots, bool json)
{
	struct search s = { .warn = true };
	struct query q = { .source = -1 };
	ctu_err_t err = NULL;
	bool failed = false;
	int r = open_roots(&s, roots, -1, &err);

	if (r == 0)
		r = scan_roots(&s, &q, &err);
	if (r == 0) {
		load_and_merge(&s);
		sort_cands(&s);
		r = print_list(&s, json, &failed);
		if (r < 0)
			ctu_err_make(&err, -r, "cannot print the containers");
	}
	failed |= s.failed;
	search_free(&s);
	if (r < 0) {
		ctu_err_print(&err);
		return 1;
	}
	return failed ? 1 : 0;
}
