// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * archive.c - an oci-archive or docker-archive read as tar through
 * libarchive, in two passes: the first lists the members and keeps the
 * small ones that look like JSON (index, manifests, configs); the second
 * copies the layers that are wanted into a spool directory, so that the
 * layer unpacker reads a file like a layout's blob.  Members are never
 * extracted by name: a spooled copy is named by its position.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "ctu.h"
#include "imgsrc.h"
#include "lazy-archive.h"

/* Links followed inside an archive, at most. */
#define ARC_MAX_HOPS 8

enum arc_type { ARC_FILE, ARC_SYMLINK, ARC_HARDLINK };

struct arc_member {
	char *name; /* normalized: no "./", no leading '/', no empty components */
	char *link; /* a symlink's target as written, a hardlink's normalized */
	enum arc_type type;
	int64_t size;
	size_t pos; /* the member's number in the archive (among those kept here) */
	char *data; /* the bytes, when kept (JSON-looking, at most CTU_JSON_MAX) */
	size_t len;
	bool need, spooled;
};

struct img_archive {
	int fd;
	struct arc_member *m; /* in archive order */
	size_t n, alloc;
	struct arc_member **sorted; /* by name */
	size_t kept;		    /* bytes of data kept */
	int spoolfd;		    /* the flock'ed spool directory, or -1 */
	int spooldirfd;
	char spoolname[64];
};

/* A reader of tar formats with gzip and zstd, done in-process or refused. */
static struct archive *reader_new(ctu_err_t *err)
{
	struct archive *a = archive_read_new();

	if (!a) {
		ctu_err_make(err, ENOMEM, "libarchive");
		return NULL;
	}
	/* ARCHIVE_WARN means "an external program will do it": never (GHSA-x86f-5xw2-fm2r) */
	if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK) {
		ctu_err_make(err, 0, "libarchive cannot read tar, gzip and zstd by itself");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* @name without "./", "//" and a leading '/' into @out; -EINVAL for "..", -ENOENT for empty. */
static int normalize(const char *name, char *out, size_t size)
{
	size_t o = 0;

	while (*name) {
		const char *c = name;
		size_t len;

		while (*name && *name != '/')
			name++;
		len = (size_t)(name - c);
		if (*name)
			name++;
		if (!len || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return -EINVAL;
		if (o + len + 2 > size)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, len);
		o += len;
	}
	out[o] = '\0';
	return o ? 0 : -ENOENT;
}

/* A symlink member @m's target as an archive name: relative to its directory, never above the top.
 */
static int symlink_target(const struct arc_member *m, char *out, size_t size, ctu_err_t *err)
{
	char joined[8192];
	const char *slash = strrchr(m->name, '/');
	size_t o = 0;
	int n;

	if (m->link[0] == '/')
		return ctu_err_make(err, 0, "member '%s': symlink to '%s' leaves the archive",
				    m->name, m->link);
	n = snprintf(joined, sizeof(joined), "%.*s/%s", slash ? (int)(slash - m->name) : 0, m->name,
		     m->link);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return ctu_err_make(err, ENAMETOOLONG, "member '%s'", m->name);
	/* ".." pops a component: lexical, since no directory here is a link */
	for (char *c = joined, *next; c && *c; c = next) {
		next = strchr(c, '/');
		if (next)
			*next++ = '\0';
		if (!*c || !strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (!o)
				return ctu_err_make(
				    err, 0, "member '%s': symlink to '%s' leaves the archive",
				    m->name, m->link);
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			continue;
		}
		if (o + strlen(c) + 2 > size)
			return ctu_err_make(err, ENAMETOOLONG, "member '%s'", m->name);
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, strlen(c));
		o += strlen(c);
	}
	out[o] = '\0';
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct arc_member *const *)a)->name,
		      (*(struct arc_member *const *)b)->name);
}

static struct arc_member *find(struct img_archive *a, const char *name)
{
	struct arc_member key = { .name = (char *)name }, *kp = &key, **m;

	m = bsearch(&kp, a->sorted, a->n, sizeof(struct arc_member *), by_name);
	return m ? *m : NULL;
}

/* The member holding @name's data: links followed, 8 hops, never out. */
static struct arc_member *resolve(struct img_archive *a, const char *name, ctu_err_t *err)
{
	char cur[4096], next[4096];
	struct arc_member *m;

	if (normalize(name, cur, sizeof(cur)) < 0) {
		ctu_err_make(err, 0, "member name '%s'", name);
		return NULL;
	}
	for (int hop = 0; hop <= ARC_MAX_HOPS; hop++) {
		m = find(a, cur);
		if (!m) {
			ctu_err_make(err, 0, "%s: no such member", name);
			return NULL;
		}
		if (m->type == ARC_FILE)
			return m;
		if (m->type == ARC_HARDLINK)
			snprintf(next, sizeof(next), "%s", m->link);
		else if (symlink_target(m, next, sizeof(next), err) < 0)
			return NULL;
		memcpy(cur, next, sizeof(cur));
	}
	ctu_err_make(err, 0, "%s: more than %d links", name, ARC_MAX_HOPS);
	return NULL;
}

/* Whether @buf's first byte that is not white space opens a JSON object or array. */
static int looks_json(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
			continue;
		return buf[i] == '{' || buf[i] == '[';
	}
	return -1; /* undecided */
}

/* Keeps member @m's bytes when they look like JSON; skips them otherwise. */
static int keep_data(struct img_archive *a, struct archive *ar, struct arc_member *m,
		     ctu_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int js = -1;

	if (m->size > (int64_t)CTU_JSON_MAX || m->size == 0)
		return 0;
	buf = malloc((size_t)m->size + 1);
	if (!buf)
		return ctu_err_make(err, ENOMEM, "member '%s'", m->name);
	/* the rest of a member that is no JSON is skipped by the next header */
	while (len < (size_t)m->size && js != 0) {
		la_ssize_t n = archive_read_data(ar, buf + len, (size_t)m->size - len);

		if (n < 0)
			return ctu_err_make(err, 0, "member '%s': %s", m->name,
					    archive_error_string(ar));
		if (n == 0)
			break;
		len += (size_t)n;
		js = looks_json(buf, len);
	}
	if (js != 1)
		return 0;
	if (len != (size_t)m->size)
		return ctu_err_make(err, 0, "member '%s': shorter than its header says", m->name);
	if (a->kept + len > IMG_ARCHIVE_JSON_TOTAL)
		return ctu_err_make(err, 0, "more than %zu bytes of JSON members",
				    IMG_ARCHIVE_JSON_TOTAL);
	buf[len] = '\0';
	a->kept += len;
	m->data = ctu_steal_ptr(&buf);
	m->len = len;
	return 0;
}

static struct arc_member *add_member(struct img_archive *a, const char *name, ctu_err_t *err)
{
	struct arc_member *m;

	if (a->n == a->alloc) {
		size_t na = a->alloc ? a->alloc * 2 : 64;
		struct arc_member *nm = realloc(a->m, na * sizeof(*nm));

		if (!nm) {
			ctu_err_make(err, ENOMEM, "member list");
			return NULL;
		}
		a->m = nm;
		a->alloc = na;
	}
	m = &a->m[a->n];
	memset(m, 0, sizeof(*m));
	m->pos = a->n;
	m->name = strdup(name);
	if (!m->name) {
		ctu_err_make(err, ENOMEM, "member list");
		return NULL;
	}
	a->n++;
	return m;
}

/* The normalized name of @e, or 1 for an entry pass 1 does not list (directories, devices). */
static int entry_name(struct archive_entry *e, char *out, size_t size, ctu_err_t *err)
{
	const char *name = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);
	int r;

	if (!archive_entry_hardlink(e) && type != AE_IFREG && type != AE_IFLNK)
		return 1;
	r = name ? normalize(name, out, size) : -ENOENT;
	if (r < 0)
		return ctu_err_make(err, -r, "member '%s': not a name a layout has",
				    name ? name : "");
	return 0;
}

static int list_entry(struct img_archive *a, struct archive *ar, struct archive_entry *e,
		      ctu_err_t *err)
{
	char name[4096], target[4096];
	const char *hl = archive_entry_hardlink(e);
	struct arc_member *m;
	int r = entry_name(e, name, sizeof(name), err);

	if (r != 0)
		return r < 0 ? r : 0;
	if (hl && normalize(hl, target, sizeof(target)) < 0)
		return ctu_err_make(err, 0, "member '%s': hardlink to '%s'", name, hl);
	m = add_member(a, name, err);
	if (!m)
		return -ENOMEM;
	m->size = archive_entry_size(e);
	if (hl) {
		m->type = ARC_HARDLINK;
		m->link = strdup(target);
	} else if (archive_entry_filetype(e) == AE_IFLNK) {
		m->type = ARC_SYMLINK;
		m->link = strdup(archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
	} else {
		return keep_data(a, ar, m, err);
	}
	return m->link ? 0 : ctu_err_make(err, ENOMEM, "member list");
}

static int open_reader(struct img_archive *a, struct archive **out, ctu_err_t *err)
{
	struct archive *ar;

	if (lseek(a->fd, 0, SEEK_SET) < 0)
		return ctu_err_errno(err, "cannot rewind");
	ar = reader_new(err);
	if (!ar)
		return -ENOTSUP;
	if (archive_read_open_fd(ar, a->fd, 128 << 10) != ARCHIVE_OK) {
		ctu_err_make(err, 0, "not a tar (plain, gzip or zstd): %s",
			     archive_error_string(ar));
		archive_read_free(ar);
		return -EIO;
	}
	*out = ar;
	return 0;
}

/* Sorts the member list and refuses a name twice (two readers could see two images). */
static int sort_members(struct img_archive *a, ctu_err_t *err)
{
	a->sorted = calloc(a->n ? a->n : 1, sizeof(struct arc_member *));
	if (!a->sorted)
		return ctu_err_make(err, ENOMEM, "member list");
	for (size_t i = 0; i < a->n; i++)
		a->sorted[i] = &a->m[i];
	qsort(a->sorted, a->n, sizeof(struct arc_member *), by_name);
	for (size_t i = 1; i < a->n; i++)
		if (!strcmp(a->sorted[i - 1]->name, a->sorted[i]->name))
			return ctu_err_make(err, 0, "member '%s' is in the archive twice",
					    a->sorted[i]->name);
	return 0;
}

static int pass1(struct img_archive *a, ctu_err_t *err)
{
	struct archive *ar = NULL;
	struct archive_entry *e;
	int r = open_reader(a, &ar, err), ar_r;

	if (r < 0)
		return r;
	while ((ar_r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		r = list_entry(a, ar, e, err);
		if (r < 0)
			break;
	}
	if (r == 0 && ar_r != ARCHIVE_EOF)
		r = ctu_err_make(err, 0, "%s%s",
				 archive_file_count(ar) <= 0 ? "not a tar (plain, gzip or zstd): "
							     : "",
				 archive_error_string(ar));
	archive_read_free(ar);
	return r < 0 ? r : sort_members(a, err);
}

int arc_open(const char *path, struct img_archive **out, ctu_err_t *err)
{
	struct img_archive *a = calloc(1, sizeof(*a));
	struct stat st;
	int r;

	*out = NULL;
	if (!a)
		return ctu_err_make(err, ENOMEM, "archive");
	a->spoolfd = a->spooldirfd = -1;
	a->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (a->fd < 0) {
		r = ctu_err_errno(err, "cannot open %s", path);
		arc_free(a);
		return r;
	}
	if (fstat(a->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = ctu_err_make(err, errno ? errno : EINVAL, "%s: not a regular file", path);
		arc_free(a);
		return r;
	}
	r = pass1(a, err);
	if (r < 0) {
		arc_free(a);
		return r;
	}
	*out = a;
	return 0;
}

static void spool_remove(struct img_archive *a)
{
	char name[32];

	if (a->spoolfd < 0)
		return;
	for (size_t i = 0; i < a->n; i++) {
		if (!a->m[i].spooled)
			continue;
		snprintf(name, sizeof(name), "m%zu", a->m[i].pos);
		unlinkat(a->spoolfd, name, 0);
	}
	unlinkat(a->spooldirfd, a->spoolname, AT_REMOVEDIR);
	close(a->spoolfd); /* the lock goes last: nobody sweeps a directory still in use */
	close(a->spooldirfd);
	a->spoolfd = a->spooldirfd = -1;
}

void arc_free(struct img_archive *a)
{
	if (!a)
		return;
	spool_remove(a);
	for (size_t i = 0; i < a->n; i++) {
		free(a->m[i].name);
		free(a->m[i].link);
		free(a->m[i].data);
	}
	free(a->m);
	free(a->sorted);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

bool arc_has(struct img_archive *a, const char *name)
{
	ctu_err_t err = NULL;
	bool has = resolve(a, name, &err) != NULL;

	ctu_err_free(&err);
	return has;
}

int arc_read(struct img_archive *a, const char *name, char **buf, size_t *len, ctu_err_t *err)
{
	struct arc_member *m = resolve(a, name, err);

	if (!m)
		return ctu_err_code(*err);
	if (m->size > (int64_t)CTU_JSON_MAX)
		return ctu_err_make(err, 0, "%s: larger than %zu bytes", name, CTU_JSON_MAX);
	if (!m->data && m->size > 0)
		return ctu_err_make(err, 0, "%s: not JSON", name);
	*buf = malloc(m->len + 1);
	if (!*buf)
		return ctu_err_make(err, ENOMEM, "%s", name);
	if (m->len)
		memcpy(*buf, m->data, m->len);
	(*buf)[m->len] = '\0';
	*len = m->len;
	return 0;
}

int64_t arc_size(struct img_archive *a, const char *name, ctu_err_t *err)
{
	struct arc_member *m = resolve(a, name, err);

	return m ? m->size : ctu_err_code(*err);
}

int arc_need(struct img_archive *a, const char *name, ctu_err_t *err)
{
	struct arc_member *m = resolve(a, name, err);

	if (!m)
		return ctu_err_code(*err);
	m->need = true;
	return 0;
}

/* The spool directory "spool.PID.RANDOM" in @dirfd, flock'ed while the archive is open. */
static int spool_make(struct img_archive *a, int dirfd, ctu_err_t *err)
{
	uint32_t rnd;

	if (a->spoolfd >= 0)
		return 0;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return ctu_err_errno(err, "getrandom");
	snprintf(a->spoolname, sizeof(a->spoolname), "spool.%d.%08x", (int)getpid(), rnd);
	if (mkdirat(dirfd, a->spoolname, 0700) < 0)
		return ctu_err_errno(err, "cannot make the spool directory %s", a->spoolname);
	a->spoolfd = openat(dirfd, a->spoolname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (a->spoolfd < 0 || flock(a->spoolfd, LOCK_EX) < 0) {
		int r = ctu_err_errno(err, "cannot open the spool directory %s", a->spoolname);

		if (a->spoolfd >= 0)
			close(a->spoolfd);
		a->spoolfd = -1;
		unlinkat(dirfd, a->spoolname, AT_REMOVEDIR);
		return r;
	}
	a->spooldirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (a->spooldirfd < 0) {
		int r = ctu_err_errno(err, "dup");

		close(a->spoolfd);
		a->spoolfd = -1;
		unlinkat(dirfd, a->spoolname, AT_REMOVEDIR);
		return r;
	}
	return 0;
}

/* Copies the data of the current entry (member @m) into the spool directory. */
static int spool_one(struct img_archive *a, struct archive *ar, struct arc_member *m,
		     ctu_err_t *err)
{
	static char buf[256 << 10];
	char name[32];
	_cleanup_close_ int fd = -1;
	int64_t total = 0;
	la_ssize_t n;

	snprintf(name, sizeof(name), "m%zu", m->pos);
	fd = openat(a->spoolfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctu_err_errno(err, "member '%s': cannot spool", m->name);
	m->spooled = true;
	while ((n = archive_read_data(ar, buf, sizeof(buf))) > 0) {
		int r = ctu_write_all(fd, buf, (size_t)n);

		if (r < 0)
			return ctu_err_make(err, -r, "member '%s': cannot spool", m->name);
		total += n;
	}
	if (n < 0)
		return ctu_err_make(err, 0, "member '%s': %s", m->name, archive_error_string(ar));
	if (total != m->size)
		return ctu_err_make(err, 0, "member '%s': %lld bytes, its header says %lld",
				    m->name, (long long)total, (long long)m->size);
	return 0;
}

/* Pass 2's check that the archive is the one pass 1 listed. */
static struct arc_member *same_member(struct img_archive *a, size_t pos, const char *name,
				      struct archive_entry *e, ctu_err_t *err)
{
	struct arc_member *m = pos < a->n ? &a->m[pos] : NULL;

	if (!m || strcmp(m->name, name) || m->size != archive_entry_size(e)) {
		ctu_err_make(err, 0, "the archive changed while it was read");
		return NULL;
	}
	return m;
}

static int pass2(struct img_archive *a, ctu_err_t *err)
{
	struct archive *ar = NULL;
	struct archive_entry *e;
	char name[4096];
	size_t pos = 0, left = 0;
	int r = open_reader(a, &ar, err), ar_r = ARCHIVE_OK;

	if (r < 0)
		return r;
	for (size_t i = 0; i < a->n; i++)
		left += a->m[i].need && !a->m[i].spooled;
	while (left && (ar_r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		struct arc_member *m;

		r = entry_name(e, name, sizeof(name), err);
		if (r < 0)
			break;
		if (r > 0) {
			r = 0;
			continue;
		}
		m = same_member(a, pos++, name, e, err);
		if (!m) {
			r = -EAGAIN;
			break;
		}
		if (!m->need || m->spooled || m->type != ARC_FILE)
			continue;
		r = spool_one(a, ar, m, err);
		if (r < 0)
			break;
		left--;
	}
	if (r == 0 && left && ar_r != ARCHIVE_OK)
		r = ar_r == ARCHIVE_EOF
			? ctu_err_make(err, 0, "the archive changed while it was read")
			: ctu_err_make(err, 0, "%s", archive_error_string(ar));
	archive_read_free(ar);
	return r;
}

int arc_spool(struct img_archive *a, int spooldirfd, ctu_err_t *err)
{
	bool any = false;
	int r;

	for (size_t i = 0; i < a->n; i++)
		any |= a->m[i].need && !a->m[i].spooled;
	if (!any)
		return 0;
	if (spooldirfd < 0)
		return ctu_err_make(err, 0, "no directory to spool layers into");
	r = spool_make(a, spooldirfd, err);
	return r < 0 ? r : pass2(a, err);
}

int arc_open_spooled(struct img_archive *a, const char *name, ctu_err_t *err)
{
	struct arc_member *m = resolve(a, name, err);
	char file[32];
	int fd;

	if (!m)
		return ctu_err_code(*err);
	if (!m->spooled || a->spoolfd < 0)
		return ctu_err_make(err, 0, "member '%s': not spooled", name);
	snprintf(file, sizeof(file), "m%zu", m->pos);
	fd = openat(a->spoolfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctu_err_errno(err, "member '%s': cannot open its spooled copy", name);
	return fd;
}
