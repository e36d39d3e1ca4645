// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostlocal.c - the built-in host-local allocator: Debian's host-local 1.1.1
 * on the same data directory, so that both may serve one network at once
 * (see cni.h, hostlocal.h).
 *
 * The disk format is the Go plugin's (backend/disk): DATADIR/NAME/ (0755)
 * holds one file per reserved address, named by its canonical text, made
 * with O_CREAT|O_EXCL (0644) and holding "CID\r\nIFNAME" with no newline;
 * "last_reserved_ip.N" (the range set's index) the last address given out
 * (the round robin starts after it); "lock" (0750) the flock(LOCK_EX) that
 * go-filemutex takes.  We hold that lock for a whole request.
 *
 * Unlike the Go plugin we trust nothing found in the directory: NAME is
 * opened O_DIRECTORY|O_NOFOLLOW (a symlink is refused), no file is written
 * through a symlink (O_NOFOLLOW; an entry that is there, of any kind, makes
 * its address taken), only regular files are read and at most 4 KiB of each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cni.h"
#include "ctu.h"
#include "hostlocal.h"
#include "undo.h"

#define ENTRY_READ_MAX 4096 /* the most of a file we read */

/* One entry of DATADIR/NAME, read once under the lock. */
struct entry {
	char *name;
	bool regular;  /* a regular file: the others are only names that take an address */
	char *data;    /* its content (regular files of at most ENTRY_READ_MAX bytes), or NULL */
	size_t len;    /* of data */
	size_t tstart; /* strings.TrimSpace(data): data + tstart, tlen bytes */
	size_t tlen;
	bool gone; /* removed by this request */
};

/* DATADIR/NAME opened and locked, and what it holds. */
struct store {
	int dirfd, lockfd;
	char *path; /* DATADIR/NAME, for messages */
	struct entry *v;
	size_t n, cap;
};

static void store_close(struct store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].data);
	}
	free(s->v);
	free(s->path);
	if (s->lockfd >= 0)
		close(s->lockfd); /* and the flock with it */
	if (s->dirfd >= 0)
		close(s->dirfd);
	*s = (struct store){ .dirfd = -1, .lockfd = -1 };
}

/* NAME below @datafd: made (0755) when @create, opened without following a symlink. */
static int open_name_dir(struct store *s, int datafd, const char *name, bool create, ctu_err_t *err)
{
	struct stat st;
	int e;

	if (create && mkdirat(datafd, name, 0755) < 0 && errno != EEXIST)
		return hl_sys_err(err, errno, "mkdir %s", s->path);
	s->dirfd = openat(datafd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd >= 0)
		return 0;
	e = errno;
	if (e == ENOENT && !create)
		return 1;
	if (fstatat(datafd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "IPAM data directory %s is a symbolic link: refused", s->path);
	return hl_sys_err(err, e, "open %s", s->path);
}

/*
 * DATADIR/NAME opened, with its lock file: made as the Go plugin makes them
 * when @create (DATADIR with its parents), else 1 when they are not there.
 */
static int store_open(const struct hl_conf *c, bool create, struct store *s, ctu_err_t *err)
{
	_cleanup_close_ int datafd = -1;
	int r;

	*s = (struct store){ .dirfd = -1, .lockfd = -1 };
	if (asprintf(&s->path, "%s/%s", c->data_dir, c->name) < 0) {
		s->path = NULL;
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	}
	if (create && ctu_mkdir_p(NULL, AT_FDCWD, c->data_dir, 0755, 0, err) < 0)
		return ctu_err_set_code(err, CNI_ERR_INTERNAL);
	datafd = open(c->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (datafd < 0)
		return errno == ENOENT && !create ? 1
						  : hl_sys_err(err, errno, "open %s", c->data_dir);
	r = open_name_dir(s, datafd, c->name, create, err);
	if (r != 0)
		return r;
	s->lockfd = openat(s->dirfd, "lock", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0750);
	if (s->lockfd < 0)
		return hl_sys_err(err, errno, "open %s/lock", s->path);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * flock(LOCK_EX) on the lock file, as go-filemutex takes it, but for at most
 * CNI_LOCK_WAIT_S: polled (a blocking flock cannot time out without a
 * signal), from 1 ms up to 20 ms between tries.
 */
static int store_lock(struct store *s, ctu_err_t *err)
{
	double deadline = now_s() + CNI_LOCK_WAIT_S;
	long delay_ns = 1000000;

	while (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, delay_ns };

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return hl_sys_err(err, errno, "flock %s/lock", s->path);
		if (now_s() >= deadline)
			return cni_err(err, CNI_ERR_TRY_AGAIN, NULL,
				       "timed out after %d s waiting for the lock %s/lock",
				       CNI_LOCK_WAIT_S, s->path);
		nanosleep(&ts, NULL);
		if (delay_ns < 20000000)
			delay_ns *= 2;
	}
	return 0;
}

/* The content of regular file @name: at most ENTRY_READ_MAX bytes, or none (NULL). */
static void read_entry(int dirfd, struct entry *e)
{
	_cleanup_close_ int fd = -1;
	char buf[ENTRY_READ_MAX + 1];
	struct stat st;
	size_t len = 0;

	/* O_NONBLOCK: a FIFO swapped in since readdir must not hang us */
	fd = openat(dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		e->regular = false;
		return;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > ENTRY_READ_MAX)
		return;
	e->data = malloc(len + 1);
	if (!e->data)
		return;
	memcpy(e->data, buf, len);
	e->data[len] = '\0';
	e->len = len;
	e->tlen = hl_trim_space(e->data, len, &e->tstart);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static struct entry *store_add(struct store *s, const char *name, ctu_err_t *err)
{
	struct entry *v = s->v;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		if (!(v = reallocarray(s->v, cap, sizeof(*v)))) {
			cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
			return NULL;
		}
		s->v = v;
		s->cap = cap;
	}
	v[s->n] = (struct entry){ .name = strdup(name) };
	if (!v[s->n].name) {
		cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	return &v[s->n++];
}

/* Every entry of the directory (but . and ..), regular files read; sorted by name as Go walks. */
static int store_scan(struct store *s, ctu_err_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = dup(s->dirfd);
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return hl_sys_err(err, errno, "open %s", s->path);
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		struct entry *e;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(e = store_add(s, de->d_name, err)))
			return -ENOMEM;
		e->regular = de->d_type == DT_REG || de->d_type == DT_UNKNOWN;
		if (e->regular)
			read_entry(s->dirfd, e);
	}
	if (errno)
		return hl_sys_err(err, errno, "read %s", s->path);
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), entry_cmp);
	return 0;
}

static struct entry *store_find(struct store *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].gone && strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* Records @len bytes at @data as the content of @name (a new or rewritten file). */
static int store_set(struct store *s, const char *name, const char *data, size_t len,
		     ctu_err_t *err)
{
	struct entry *e = store_find(s, name);

	if (!e && !(e = store_add(s, name, err)))
		return -ENOMEM;
	free(e->data);
	e->regular = true;
	e->data = strndup(data, len);
	if (!e->data)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	e->len = len;
	e->tlen = hl_trim_space(e->data, len, &e->tstart);
	return 0;
}

/* The trimmed content of @e is @key (@klen bytes). */
static bool entry_is(const struct entry *e, const char *key, size_t klen)
{
	return !e->gone && e->regular && e->data && e->tlen == klen &&
	       memcmp(e->data + e->tstart, key, klen) == 0;
}

/* The attachment's two keys: "CID\r\nIFNAME", and the bare "CID" of old versions. */
struct owner {
	char *full;
	const char *bare; /* the start of full, bare_len bytes */
	size_t full_len, bare_len;
};

static int owner_make(const char *cid, const char *ifname, struct owner *o, ctu_err_t *err)
{
	size_t start, len = hl_trim_space(cid, strlen(cid), &start);

	if (asprintf(&o->full, "%.*s\r\n%s", (int)len, cid + start, ifname) < 0) {
		o->full = NULL;
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	}
	o->bare = o->full;
	o->bare_len = len;
	o->full_len = strlen(o->full);
	return 0;
}

static bool entry_owned(const struct entry *e, const struct owner *o)
{
	/* an empty bare key would match the empty lock file */
	return entry_is(e, o->full, o->full_len) ||
	       (o->bare_len > 0 && entry_is(e, o->bare, o->bare_len));
}

/* ReleaseByKey: every file holding @key removed; whether one was. */
static bool release_key(struct store *s, const char *key, size_t klen)
{
	bool found = false;

	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->v[i];

		if (entry_is(e, key, klen) && unlinkat(s->dirfd, e->name, 0) == 0)
			e->gone = found = true;
	}
	return found;
}

/* ReleaseByID: the attachment's files, or else (files of older versions) the container's. */
static void release_by_id(struct store *s, const struct owner *o)
{
	if (!release_key(s, o->full, o->full_len) && o->bare_len > 0)
		release_key(s, o->bare, o->bare_len);
}

/* ioutil.WriteFile of last_reserved_ip.N (0644), but never through a symlink or into a FIFO. */
static int write_last_ip(struct store *s, size_t set, const char *ip, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;
	char name[sizeof(HL_LAST_IP_PREFIX) + 24];
	struct stat st;

	snprintf(name, sizeof(name), HL_LAST_IP_PREFIX "%zu", set);
	fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return hl_sys_err(err, errno, "open %s/%s", s->path, name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "%s/%s is not a regular file", s->path,
			       name);
	if (ftruncate(fd, 0) < 0 || ctu_write_all(fd, ip, strlen(ip)) < 0)
		return hl_sys_err(err, errno, "write %s/%s", s->path, name);
	if (close(ctu_steal_fd(&fd)) < 0)
		return hl_sys_err(err, errno, "close %s/%s", s->path, name);
	return store_set(s, name, ip, strlen(ip), err);
}

/* Store.Reserve: the address's file made (1), or taken already (0); then last_reserved_ip.N. */
static int reserve(struct store *s, const struct owner *o, const struct hl_ip *a, size_t set,
		   ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;
	char ip[HL_IP_STRLEN];

	hl_ip_format(a, ip);
	fd = openat(s->dirfd, ip, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return 0; /* whatever is there: a reservation, a symlink, a directory */
	if (fd < 0)
		return hl_sys_err(err, errno, "open %s/%s", s->path, ip);
	if (ctu_write_all(fd, o->full, o->full_len) < 0 || close(ctu_steal_fd(&fd)) < 0) {
		int e = errno;

		unlinkat(s->dirfd, ip, 0);
		return hl_sys_err(err, e, "write %s/%s", s->path, ip);
	}
	if (store_set(s, ip, o->full, o->full_len, err) < 0 || write_last_ip(s, set, ip, err) < 0) {
		struct entry *e = store_find(s, ip);

		if (unlinkat(s->dirfd, ip, 0) == 0 && e)
			e->gone = true;
		return ctu_err_code(*err);
	}
	return 1;
}

/* LastReservedIP: last_reserved_ip.N as an address (net.ParseIP: nothing trimmed). */
static bool last_reserved(struct store *s, size_t set, struct hl_ip *out)
{
	char name[sizeof(HL_LAST_IP_PREFIX) + 24];
	const struct entry *e;

	snprintf(name, sizeof(name), HL_LAST_IP_PREFIX "%zu", set);
	e = store_find(s, name);
	return e && e->regular && e->data && strlen(e->data) == e->len &&
	       hl_ip_parse(e->data, out) == 0;
}

/* A reservation in the newest result layout: {"address": "A/P", "gateway": "G"}. */
static json_t *ip_config(const struct hl_ip *a, const struct hl_range *r)
{
	char addr[HL_CIDR_STRLEN], gw[HL_IP_STRLEN];

	hl_cidr_format(a, r->subnet.maskbits, r->subnet.prefix, addr);
	hl_ip_format(&r->gw, gw);
	return json_pack("{ssss}", "address", addr, "gateway", gw);
}

/* IPAllocator.Get of a requested address. */
static int get_requested(struct store *s, const struct hl_rangeset *set, size_t idx,
			 const struct owner *o, const struct hl_ip *a, json_t **out, ctu_err_t *err)
{
	const struct hl_range *r = hl_rangeset_find(set, a);
	_cleanup_free_ char *rs = NULL;
	char ip[HL_IP_STRLEN];
	int got;

	hl_ip_format(a, ip);
	if (hl_ip_equal(a, &r->gw))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "requested ip %s is subnet's gateway",
			       ip);
	got = reserve(s, o, a, idx, err);
	if (got < 0)
		return got;
	if (got == 0) {
		rs = hl_rangeset_string(set);
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "requested IP address %s is not available in range set %s", ip,
			       rs ? rs : "?");
	}
	*out = ip_config(a, r);
	return 0;
}

/* IPAllocator.Get of any address: none of the set's already held, then the round robin. */
static int get_next(struct store *s, const struct hl_rangeset *set, size_t idx,
		    const struct owner *o, const char *cid, json_t **out, ctu_err_t *err)
{
	_cleanup_free_ char *rs = NULL;
	const struct hl_range *r;
	struct hl_ip a, last;
	struct hl_iter it;

	for (size_t i = 0; i < s->n; i++) {
		char ip[HL_IP_STRLEN];

		if (!entry_owned(&s->v[i], o) || hl_ip_parse(s->v[i].name, &a) < 0 ||
		    !hl_rangeset_find(set, &a))
			continue;
		hl_ip_format(&a, ip);
		return cni_err(err, CNI_ERR_INTERNAL, NULL,
			       "%s has been allocated to %s, duplicate allocation is not allowed",
			       ip, cid);
	}
	hl_iter_init(&it, set, last_reserved(s, idx, &last) ? &last : NULL);
	while ((r = hl_iter_next(&it, &a))) {
		int got = reserve(s, o, &a, idx, err);

		if (got < 0)
			return got;
		if (got > 0) {
			*out = ip_config(&a, r);
			return 0;
		}
	}
	rs = hl_rangeset_string(set);
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "no IP addresses available in range set: %s",
		       rs ? rs : "?");
}

/* The first address asked for that set @set holds, taken off the list; NULL: none. */
static const struct hl_ip *take_requested(const struct hl_conf *c, bool *used,
					  const struct hl_rangeset *set)
{
	for (size_t i = 0; i < c->nreq; i++) {
		if (!used[i] && hl_rangeset_find(set, &c->req[i])) {
			used[i] = true;
			return &c->req[i];
		}
	}
	return NULL;
}

/* cmdAdd's "failed to allocate all requested IPs: A B" when some were left over. */
static int check_all_requested(const struct hl_conf *c, const bool *used, ctu_err_t *err)
{
	char list[1024] = "";
	size_t len = 0;

	for (size_t i = 0; i < c->nreq; i++) {
		char ip[HL_IP_STRLEN];

		if (used[i])
			continue;
		hl_ip_format(&c->req[i], ip);
		len += (size_t)snprintf(list + len, sizeof(list) - len, " %s", ip);
		if (len >= sizeof(list))
			break;
	}
	if (!list[0])
		return 0;
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to allocate all requested IPs:%s",
		       list);
}

/* An address asked for twice counts once: later copies are used with the first. */
static void mark_duplicates(const struct hl_conf *c, bool *used)
{
	for (size_t i = 0; i < c->nreq; i++)
		for (size_t j = 0; j < i; j++)
			if (hl_ip_equal(&c->req[i], &c->req[j]))
				used[i] = true;
}

/* The reservations of each range set in turn; on a failure the earlier ones released. */
static int allocate(struct store *s, const struct hl_conf *c, const struct owner *o,
		    const char *cid, json_t *ips, ctu_err_t *err)
{
	_cleanup_free_ bool *used = calloc(c->nreq + 1, sizeof(bool));
	size_t idx;
	int r = 0;

	if (!used)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	mark_duplicates(c, used);
	for (idx = 0; idx < c->nsets; idx++) {
		const struct hl_ip *want = take_requested(c, used, &c->sets[idx]);
		json_t *one = NULL;

		r = want ? get_requested(s, &c->sets[idx], idx, o, want, &one, err)
			 : get_next(s, &c->sets[idx], idx, o, cid, &one, err);
		if (r < 0) {
			ctu_err_wrap(err, "failed to allocate for range %zu", idx);
			break;
		}
		if (!one || json_array_append_new(ips, one) < 0) {
			r = cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
			break;
		}
	}
	if (r == 0)
		r = check_all_requested(c, used, err);
	/* as cmdAdd: one Release per allocator that succeeded (the second finds old files) */
	for (size_t k = 0; r < 0 && k < idx; k++)
		release_by_id(s, o);
	return r;
}

/* The store of @c, made if need be, locked and read. */
static int store_ready(const struct hl_conf *c, bool create, struct store *s, ctu_err_t *err)
{
	int r = store_open(c, create, s, err);

	if (r != 0)
		return r;
	if (store_lock(s, err) < 0 || store_scan(s, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

static int op_add(struct cni_req *rq, const struct hl_conf *c, json_t **result, ctu_err_t *err)
{
	_cleanup_json_ json_t *dns = NULL, *ips = NULL, *res = NULL;
	struct store s = { .dirfd = -1, .lockfd = -1 };
	struct owner o = { 0 };
	int r;

	if (c->resolv_conf && !(dns = hl_resolv_conf(c->resolv_conf, err)))
		return ctu_err_code(*err);
	if (!dns && !(dns = json_object()))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	if (!(ips = json_array()))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	r = owner_make(rq->containerid, rq->ifname, &o, err);
	if (r == 0)
		r = store_ready(c, true, &s, err);
	if (r == 0)
		r = allocate(&s, c, &o, rq->containerid, ips, err);
	store_close(&s);
	free(o.full);
	if (r < 0)
		return r;
	res = json_pack("{sssOsO}", "cniVersion", CNI_VERSION_LATEST, "ips", ips, "dns", dns);
	if (res && c->routes)
		json_object_set(res, "routes", c->routes);
	if (!res)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	*result = ctu_steal_ptr(&res);
	return 0;
}

/* cmdDel: one Release per range set, never an error for what is not there. */
static int op_del(struct cni_req *rq, const struct hl_conf *c, ctu_err_t *err)
{
	struct store s = { .dirfd = -1, .lockfd = -1 };
	struct owner o = { 0 };
	int r = owner_make(rq->containerid, rq->ifname, &o, err);

	if (r == 0)
		r = store_ready(c, true, &s, err);
	for (size_t i = 0; r == 0 && i < c->nsets; i++)
		release_by_id(&s, &o);
	store_close(&s);
	free(o.full);
	return r;
}

/* cmdCheck: some address is held by the attachment (or, from older versions, the container). */
static int op_check(struct cni_req *rq, const struct hl_conf *c, ctu_err_t *err)
{
	struct store s = { .dirfd = -1, .lockfd = -1 };
	struct owner o = { 0 };
	bool found = false;
	int r = owner_make(rq->containerid, rq->ifname, &o, err);

	if (r == 0)
		r = store_ready(c, true, &s, err);
	for (size_t i = 0; r == 0 && i < s.n; i++)
		found = found || entry_owned(&s.v[i], &o);
	store_close(&s);
	free(o.full);
	if (r == 0 && !found)
		r = cni_err(err, CNI_ERR_INTERNAL, NULL,
			    "host-local: Failed to find address added by container %s",
			    rq->containerid);
	return r;
}

/* A reservation's file: a regular file named by an address's canonical text. */
static bool is_reservation(const struct entry *e, struct hl_ip *a)
{
	char canon[HL_IP_STRLEN];

	if (hl_ip_parse(e->name, a) < 0)
		return false;
	hl_ip_format(a, canon);
	return strcmp(canon, e->name) == 0;
}

/* The attachment of reservation @e is one of the valid ones. */
static bool held_by_valid(const struct entry *e, const struct cni_req *rq, ctu_err_t *err)
{
	for (size_t i = 0; i < rq->nvalid; i++) {
		struct owner o = { 0 };
		bool held;

		if (owner_make(rq->valid[i].containerid, rq->valid[i].ifname, &o, err) < 0)
			return true; /* out of memory: keep it */
		held = entry_owned(e, &o);
		free(o.full);
		if (held)
			return true;
	}
	return false;
}

/*
 * GC: every reservation not held by an attachment of cni.dev/valid-attachments
 * released, going on past failures and reporting them all.  Files we cannot
 * read (over 4 KiB) and entries that are no regular files are not ours to remove.
 */
static int op_gc(struct cni_req *rq, const struct hl_conf *c, ctu_err_t *err)
{
	struct store s;
	char failed[1024] = "";
	size_t len = 0;
	int r = store_ready(c, false, &s, err);

	for (size_t i = 0; r == 0 && i < s.n; i++) {
		struct entry *e = &s.v[i];
		struct hl_ip a;

		if (!e->regular || !e->data || !is_reservation(e, &a) || held_by_valid(e, rq, err))
			continue;
		if (unlinkat(s.dirfd, e->name, 0) == 0)
			e->gone = true;
		else if (len < sizeof(failed))
			len += (size_t)snprintf(failed + len, sizeof(failed) - len, "%s%s/%s: %s",
						len ? "; " : "", s.path, e->name, strerror(errno));
	}
	store_close(&s);
	if (r < 0)
		return r;
	if (failed[0])
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "cannot release: %s", failed);
	return 0;
}

/* The addresses of @set that an entry's name takes (whatever the entry is). */
static uint64_t taken_in(const struct store *s, const struct hl_rangeset *set)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct hl_range *r;
		struct hl_ip a;

		if (!is_reservation(&s->v[i], &a) || !(r = hl_rangeset_find(set, &a)) ||
		    hl_ip_equal(&a, &r->gw))
			continue;
		n++;
	}
	return n;
}

/* STATUS: each range set has an address left (else 50, as ADD would fail). */
static int op_status(const struct hl_conf *c, ctu_err_t *err)
{
	struct store s;
	int r = store_ready(c, false, &s, err);

	for (size_t i = 0; r == 0 && i < c->nsets; i++) {
		uint64_t size = hl_rangeset_size(&c->sets[i]);
		_cleanup_free_ char *rs = NULL;

		if (size == UINT64_MAX || taken_in(&s, &c->sets[i]) < size)
			continue;
		rs = hl_rangeset_string(&c->sets[i]);
		r = cni_err(err, CNI_ERR_NOT_READY, NULL,
			    "range set %zu: no IP addresses available in range set: %s", i,
			    rs ? rs : "?");
	}
	store_close(&s);
	return r < 0 ? r : 0;
}

int hostlocal_run(struct cni_req *r, enum cni_cmd cmd, json_t **result, ctu_err_t *err)
{
	struct hl_conf c;
	int ret;

	*result = NULL;
	if (cmd == CNI_VERSION)
		return 0;
	ret = hl_conf_load(r->conf, r->name, r->args.ip, &c, err);
	if (ret < 0)
		return ret;
	switch (cmd) {
	case CNI_ADD:
		ret = op_add(r, &c, result, err);
		break;
	case CNI_DEL:
		ret = op_del(r, &c, err);
		break;
	case CNI_CHECK:
		ret = op_check(r, &c, err);
		break;
	case CNI_GC:
		ret = op_gc(r, &c, err);
		break;
	case CNI_STATUS:
		ret = op_status(&c, err);
		break;
	case CNI_VERSION:
		break;
	}
	hl_conf_free(&c);
	return ret;
}
