// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for ovlmount/layer*.c: layers written in memory with
 * libarchive's writer (pax, plain, gzip or zstd) into a memfd, unpacked into
 * a temporary directory, the result read back with fstatat, readlink and
 * getxattr.  Runs as root (devices, trusted.* xattrs, owners).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "ctu.h"
#include "ovlmount/image.h"
#include "ovlmount/lazy-archive.h"

/* ---- building layers */

enum { PLAIN, GZIP, ZSTD, XZ, ZIP };

struct ent {
	const char *name;
	mode_t type; /* AE_IF*; 0: a regular file */
	mode_t mode; /* 0: 0644, or 0755 for a directory */
	int64_t uid, gid, mtime;
	const char *data;     /* a file's bytes, or a symlink's target */
	const char *hardlink; /* the target of a hardlink */
	dev_t rdev;
	const char *xname, *xvalue; /* one xattr */
	size_t xlen;
	int64_t sparse; /* a sparse file this big: 4 KiB of data at each end */
};

#define END { NULL }

static struct archive_entry *make_entry(const struct ent *t)
{
	struct archive_entry *e = archive_entry_new();
	mode_t type = t->type ? t->type : AE_IFREG;

	archive_entry_set_pathname(e, t->name);
	archive_entry_set_filetype(e, t->hardlink ? AE_IFREG : type);
	archive_entry_set_perm(e, t->mode ? t->mode : type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_uid(e, t->uid);
	archive_entry_set_gid(e, t->gid);
	archive_entry_set_mtime(e, t->mtime, 0);
	if (t->hardlink)
		archive_entry_set_hardlink(e, t->hardlink);
	else if (type == AE_IFLNK)
		archive_entry_set_symlink(e, t->data);
	else if (type == AE_IFREG && t->sparse) {
		archive_entry_set_size(e, t->sparse);
		archive_entry_sparse_add_entry(e, 0, 4096);
		archive_entry_sparse_add_entry(e, t->sparse - 4096, 4096);
	} else if (type == AE_IFREG)
		archive_entry_set_size(e, t->data ? (int64_t)strlen(t->data) : 0);
	if (type == AE_IFCHR || type == AE_IFBLK)
		archive_entry_set_rdev(e, t->rdev);
	if (t->xname)
		archive_entry_xattr_add_entry(e, t->xname, t->xvalue,
					      t->xlen ? t->xlen : strlen(t->xvalue));
	return e;
}

/* Writes @ents as an archive of @kind into a new memfd, at its start. */
static int write_archive(const struct ent *ents, int kind)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	struct archive *a = archive_write_new();
	static char block[8192];

	assert_true(fd >= 0);
	if (kind == ZIP)
		assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	else
		assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	if (kind == GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	if (kind == ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	if (kind == XZ)
		assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	memset(block, 'z', sizeof(block));
	for (const struct ent *t = ents; t->name; t++) {
		struct archive_entry *e = make_entry(t);

		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (t->sparse)
			assert_int_equal(archive_write_data(a, block, sizeof(block)), sizeof(block));
		else if (t->data && !t->hardlink && (!t->type || t->type == AE_IFREG))
			assert_int_equal(archive_write_data(a, t->data, strlen(t->data)),
					 (ssize_t)strlen(t->data));
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void fd_digest(int fd, char out[CTU_DIGEST_SIZE])
{
	struct stat st;
	void *p;

	assert_int_equal(fstat(fd, &st), 0);
	p = mmap(NULL, (size_t)st.st_size + 1, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(ctu_sha256_buf(p, (size_t)st.st_size, out), 0);
	munmap(p, (size_t)st.st_size + 1);
}

/* A layer of @ents: the blob's fd, its digest, and the plain tar's digest (the diff_id). */
struct layer {
	int fd;
	int64_t size;
	char digest[CTU_DIGEST_SIZE], diff_id[CTU_DIGEST_SIZE];
};

static void layer_of_fd(struct layer *l, int fd, int plainfd)
{
	l->fd = fd;
	l->size = lseek(fd, 0, SEEK_END);
	fd_digest(fd, l->digest);
	fd_digest(plainfd, l->diff_id);
	lseek(fd, 0, SEEK_SET);
}

static void make_layer(struct layer *l, const struct ent *ents, int kind)
{
	int plain = write_archive(ents, PLAIN);

	if (kind == PLAIN) {
		layer_of_fd(l, plain, plain);
		return;
	}
	layer_of_fd(l, write_archive(ents, kind), plain);
	close(plain);
}

/* Appends @n bytes to the memfd @fd. */
static void append(int fd, const void *buf, size_t n)
{
	assert_true(lseek(fd, 0, SEEK_END) >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
}

/* ---- the directories */

struct fixture {
	char dir[64];
	int rootfd;
	int lowers[2];
	char lower_dirs[2][64];
	size_t n_lowers;
	struct layer_stats st;
	struct layer_opts o;
	ctu_err_t err;
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/ctu-layer-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->rootfd >= 0);
	f->o = (struct layer_opts){ .can_mknod = true, .name = "layer 1/1" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->rootfd);
	rm_tree(f->dir);
	for (size_t i = 0; i < f->n_lowers; i++) {
		close(f->lowers[i]);
		rm_tree(f->lower_dirs[i]);
	}
	ctu_err_free(&f->err);
	free(f);
	return 0;
}

/* A lower layer directory, top first. */
static int add_lower(struct fixture *f)
{
	size_t i = f->n_lowers++;

	strcpy(f->lower_dirs[i], "/tmp/ctu-lower-XXXXXX");
	assert_non_null(mkdtemp(f->lower_dirs[i]));
	f->lowers[i] = open(f->lower_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->lowers[i] >= 0);
	return f->lowers[i];
}

static int unpack(struct fixture *f, const struct layer *l)
{
	ctu_err_free(&f->err);
	return layer_unpack(l->fd, l->size, l->digest, l->diff_id, f->rootfd, f->lowers, f->n_lowers,
			    &f->o, &f->st, &f->err);
}

static int unpack_ents(struct fixture *f, const struct ent *ents, int kind)
{
	struct layer l;
	int r;

	make_layer(&l, ents, kind);
	r = unpack(f, &l);
	close(l.fd);
	return r;
}

/* The unpack failed, saying @what. */
static void assert_refused(struct fixture *f, int r, const char *what)
{
	_cleanup_free_ char *msg = NULL;

	assert_true(r < 0);
	assert_non_null(f->err);
	msg = ctu_err_format(f->err);
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "refused: %s\n", msg);
	if (!strstr(msg, what))
		fail_msg("'%s' does not say '%s'", msg, what);
}

static struct stat lstat_in(const struct fixture *f, const char *path)
{
	struct stat st;

	if (fstatat(f->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		fail_msg("%s: %s", path, strerror(errno));
	return st;
}

static bool exists_in(const struct fixture *f, const char *path)
{
	struct stat st;

	return fstatat(f->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* An xattr of @path in @dir, as a string ("" when missing). */
static const char *xattr_of(const char *dir, const char *path, const char *name)
{
	static char v[256];
	char full[PATH_MAX];
	ssize_t n;

	snprintf(full, sizeof(full), "%s/%s", dir, path);
	n = lgetxattr(full, name, v, sizeof(v) - 1);
	v[n < 0 ? 0 : n] = '\0';
	return v;
}

static char *file_text(const struct fixture *f, const char *path)
{
	static char buf[256];
	int fd = openat(f->rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* ---- the tests */

/* A VFS v2 capability: cap_net_raw permitted, effective. */
static const char cap_net_raw[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20 };

static void test_types(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = {
		{ "./", AE_IFDIR, 0751, .mtime = 42 },
		{ "etc/", AE_IFDIR, 0750, 3, 4, 1000 },
		{ "etc/passwd", 0, 0640, 5, 6, 2000, "root:x:0:0\n", .xname = "user.k",
		  .xvalue = "v" },
		{ "bin/ping", 0, 04755, 0, 0, 3000, "ELF", .xname = "security.capability",
		  .xvalue = cap_net_raw, .xlen = sizeof(cap_net_raw) },
		{ "etc/link", AE_IFLNK, 0777, 7, 8, 4000, "../some/where/../x" },
		{ "etc/hard", .hardlink = "etc/passwd" },
		{ "dev/fifo", AE_IFIFO, 0620, 1, 2, 5000 },
		{ "dev/null", AE_IFCHR, 0666, .rdev = makedev(1, 3), .mtime = 6000 },
		{ "dev/loop0", AE_IFBLK, 0660, 0, 6, 7000, .rdev = makedev(7, 0) },
		{ "etc/redirect", 0, .xname = "trusted.overlay.redirect", .xvalue = "/x" },
		END
	};
	struct stat st;
	char target[64];

	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	st = lstat_in(f, ".");
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_int_equal(st.st_mtime, 42);
	st = lstat_in(f, "etc");
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_uid, 3);
	assert_int_equal(st.st_gid, 4);
	assert_int_equal(st.st_mtime, 1000); /* set after its entries were made */
	st = lstat_in(f, "etc/passwd");
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 5);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_mtime, 2000);
	assert_string_equal(file_text(f, "etc/passwd"), "root:x:0:0\n");
	assert_string_equal(xattr_of(f->dir, "etc/passwd", "user.k"), "v");
	assert_int_equal(lstat_in(f, "etc/hard").st_ino, st.st_ino);
	/* setuid and the capability survive the chown that comes before them */
	st = lstat_in(f, "bin/ping");
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(lgetxattr(strcat(strcpy(target, f->dir), "/bin/ping"),
				   "security.capability", target, sizeof(target)),
			 sizeof(cap_net_raw));
	st = lstat_in(f, "etc/link");
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_mtime, 4000);
	assert_int_equal(readlinkat(f->rootfd, "etc/link", target, sizeof(target)), 18);
	assert_memory_equal(target, "../some/where/../x", 18);
	st = lstat_in(f, "dev/fifo");
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0620);
	assert_int_equal(st.st_mtime, 5000);
	st = lstat_in(f, "dev/null");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	assert_int_equal(st.st_mode & 07777, 0666);
	st = lstat_in(f, "dev/loop0");
	assert_true(S_ISBLK(st.st_mode));
	assert_int_equal(st.st_gid, 6);
	/* an implied directory in a base layer */
	st = lstat_in(f, "dev");
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mtime, 0);
	/* overlay's own xattrs never come from a layer */
	assert_string_equal(xattr_of(f->dir, "etc/redirect", "trusted.overlay.redirect"), "");
	assert_int_equal(f->st.files, 10);
	assert_int_equal(f->st.bytes, strlen("root:x:0:0\n") + 3);
	assert_int_equal(f->st.dropped, 1);
	assert_true(f->st.blob_bytes > 0);
}

static void test_compressed(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "a/b", .data = "hello" }, END };

	assert_int_equal(unpack_ents(f, ents, GZIP), 0);
	assert_string_equal(file_text(f, "a/b"), "hello");
	rm_tree(f->dir);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	close(f->rootfd);
	f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(unpack_ents(f, ents, ZSTD), 0);
	assert_string_equal(file_text(f, "a/b"), "hello");
}

static void test_utf8_names(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "caf\xc3\xa9/\xe2\x98\x83", .data = "snow" }, END };
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old;
	struct layer l;

	/* the writer needs the locale for pax names; the unpacker sets its own */
	assert_non_null(utf8);
	old = uselocale(utf8);
	make_layer(&l, ents, PLAIN);
	uselocale(old);
	freelocale(utf8);
	assert_int_equal(unpack(f, &l), 0);
	close(l.fd);
	assert_string_equal(file_text(f, "caf\xc3\xa9/\xe2\x98\x83"), "snow");
}

static void test_whiteouts(void **state)
{
	struct fixture *f = *state;
	int lower = add_lower(f);
	const struct ent ents[] = {
		{ "e/.wh..wh..opq" },	 /* before e's own entries: anywhere in the tar */
		{ "e/new", .data = "n" },
		{ "e/.wh.old" },	 /* in an opaque directory: dropped */
		{ ".wh.f" },
		{ ".wh.d" },		 /* d remade: a whiteout and a directory */
		{ "d/", AE_IFDIR },
		{ "g", .data = "mine" }, /* a whiteout of a file this layer has: dropped */
		{ ".wh.g" },
		{ "h/.wh.x" },		 /* below a directory only the lower has */
		{ ".wh..wh.plnk/1.2" },	 /* AUFS: skipped */
		END
	};
	struct stat st;

	assert_int_equal(mkdirat(lower, "e", 0755), 0);
	assert_int_equal(mkdirat(lower, "d", 0755), 0);
	assert_int_equal(mkdirat(lower, "h", 0700), 0);
	assert_int_equal(mkdirat(lower, "d/keep", 0755), 0);
	assert_int_equal(mkdirat(lower, "e/old", 0755), 0);
	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	st = lstat_in(f, "f");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_int_equal(st.st_uid, 0);
	assert_string_equal(xattr_of(f->dir, "e", "trusted.overlay.opaque"), "y");
	assert_string_equal(xattr_of(f->dir, "d", "trusted.overlay.opaque"), "y");
	assert_false(exists_in(f, "e/old"));
	assert_string_equal(file_text(f, "g"), "mine");
	assert_true(S_ISCHR(lstat_in(f, "h/x").st_mode));
	assert_int_equal(lstat_in(f, "h").st_mode & 07777, 0700); /* implied, as the lower has it */
	assert_false(exists_in(f, ".wh..wh.plnk"));
	assert_false(exists_in(f, ".wh.f"));
	assert_string_equal(xattr_of(f->dir, ".", "trusted.overlay.opaque"), "");
	assert_int_equal(f->st.dropped, 3);
}

static void test_user_store(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "e/.wh..wh..opq" }, END };

	add_lower(f);
	f->o.user_store = true;
	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	assert_string_equal(xattr_of(f->dir, "e", "user.overlay.opaque"), "y");
	assert_string_equal(xattr_of(f->dir, "e", "trusted.overlay.opaque"), "");
}

static void test_base_layer_markers(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { ".wh.x" }, { "d/.wh..wh..opq" }, { "d/f" }, END };

	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	assert_false(exists_in(f, "x"));
	assert_string_equal(xattr_of(f->dir, "d", "trusted.overlay.opaque"), "");
	assert_int_equal(f->st.dropped, 2);
}

static void make_dir(int at, const char *path, mode_t mode, uid_t uid, time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

	if (strcmp(path, "."))
		assert_int_equal(mkdirat(at, path, mode), 0);
	assert_int_equal(fchownat(at, path, uid, uid + 1, 0), 0);
	assert_int_equal(fchmodat(at, path, mode, 0), 0);
	assert_int_equal(utimensat(at, path, ts, 0), 0);
}

static void test_implied_from_lowers(void **state)
{
	struct fixture *f = *state;
	int top = add_lower(f), bottom = add_lower(f);
	const struct ent ents[] = {
		{ "a/f" }, { "b/f" }, { "o/c/f" }, { "n/f" }, { "t/f" }, END
	};
	char path[PATH_MAX];
	struct stat st;

	make_dir(bottom, "a", 0711, 7, 100);
	make_dir(bottom, "b", 0701, 7, 100);
	make_dir(bottom, "o", 0755, 7, 100);
	make_dir(bottom, "o/c", 0705, 7, 100);
	make_dir(bottom, "t", 0755, 7, 100);
	snprintf(path, sizeof(path), "%s/a", f->lower_dirs[1]);
	assert_int_equal(setxattr(path, "user.k", "v", 1, 0), 0);
	assert_int_equal(mknodat(top, "b", S_IFCHR, makedev(0, 0)), 0); /* b whited out */
	make_dir(top, "o", 0750, 9, 200);
	snprintf(path, sizeof(path), "%s/o", f->lower_dirs[0]);
	assert_int_equal(setxattr(path, "trusted.overlay.opaque", "y", 1, 0), 0);
	make_dir(top, "t", 0700, 9, 300); /* the topmost lower wins */
	make_dir(top, ".", 0710, 0, 400);
	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	st = lstat_in(f, "a");
	assert_int_equal(st.st_mode & 07777, 0711);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);
	assert_int_equal(st.st_mtime, 100);
	assert_string_equal(xattr_of(f->dir, "a", "user.k"), "v");
	st = lstat_in(f, "b");
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mtime, 0);
	st = lstat_in(f, "o");
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_mtime, 200);
	assert_string_equal(xattr_of(f->dir, "o", "trusted.overlay.opaque"), ""); /* not copied */
	st = lstat_in(f, "o/c"); /* hidden by the opaque o above it */
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_mtime, 0);
	assert_int_equal(lstat_in(f, "n").st_mode & 07777, 0755);
	assert_int_equal(lstat_in(f, "t").st_mode & 07777, 0700);
	st = lstat_in(f, ".");
	assert_int_equal(st.st_mode & 07777, 0710);
	assert_int_equal(st.st_mtime, 400);
}

static void test_duplicates(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = {
		{ "x", .data = "one" },
		{ "x/", AE_IFDIR },
		{ "x/y", .data = "below" },
		{ "x", .data = "two" }, /* the directory goes with what is in it */
		{ "d/", AE_IFDIR, 0700, 1, 1, 10 },
		{ "d/k", .data = "k" },
		{ "d/", AE_IFDIR, 0750, 2, 2, 20, .xname = "user.new", .xvalue = "1" },
		{ "s", AE_IFLNK, .data = "/etc" },
		{ "s", .data = "file" },
		END
	};
	struct stat st;

	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	assert_string_equal(file_text(f, "x"), "two");
	st = lstat_in(f, "d");
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_uid, 2);
	assert_int_equal(st.st_mtime, 20);
	assert_string_equal(file_text(f, "d/k"), "k");
	assert_string_equal(xattr_of(f->dir, "d", "user.new"), "1");
	assert_string_equal(file_text(f, "s"), "file");
}

static void test_hostile_names(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *name, *why;
	} bad[] = {
		{ "../x", "a '..' component" },
		{ "a/../../x", "a '..' component" },
		{ "../.wh.x", "a '..' component" },
		{ "a/.wh.", "'.wh.' alone" },
	};

	for (size_t i = 0; i < CTU_ARRAY_SIZE(bad); i++) {
		const struct ent ents[] = { { bad[i].name, .data = "x" }, END };

		assert_refused(f, unpack_ents(f, ents, PLAIN), bad[i].why);
	}
	/* an absolute name is the layer's own */
	const struct ent abs[] = { { "/etc/ctu-canary", .data = "in" }, END };

	assert_int_equal(unpack_ents(f, abs, PLAIN), 0);
	assert_string_equal(file_text(f, "etc/ctu-canary"), "in");
}

static void test_symlink_then_through(void **state)
{
	struct fixture *f = *state;
	const struct ent out[] = { { "d", AE_IFLNK, .data = "/tmp" }, { "d/f", .data = "x" }, END };
	const struct ent up[] = { { "a", AE_IFLNK, .data = "../../.." }, { "a/passwd" }, END };

	assert_refused(f, unpack_ents(f, out, PLAIN), "entry 'd/f' goes through the symlink 'd'");
	assert_refused(f, unpack_ents(f, up, PLAIN),
		       "entry 'a/passwd' goes through the symlink 'a'");
	assert_int_equal(access("/tmp/f", F_OK), -1);
}

static void test_hostile_links(void **state)
{
	struct fixture *f = *state;
	const struct ent abs[] = { { "h", .hardlink = "/etc/passwd" }, END };
	const struct ent up[] = { { "h", .hardlink = "../../etc/passwd" }, END };
	const struct ent via[] = { { "l", AE_IFLNK, .data = "/etc" },
				   { "h", .hardlink = "l/passwd" }, END };
	struct stat before, after;

	assert_int_equal(stat("/etc/passwd", &before), 0);
	assert_refused(f, unpack_ents(f, abs, PLAIN), "no earlier entry of this layer");
	assert_refused(f, unpack_ents(f, up, PLAIN), "a '..' component");
	assert_refused(f, unpack_ents(f, via, PLAIN), "goes through the symlink 'l'");
	assert_int_equal(stat("/etc/passwd", &after), 0);
	assert_int_equal(before.st_nlink, after.st_nlink);
}

static void test_root_entry(void **state)
{
	struct fixture *f = *state;
	const struct ent dot[] = { { ".", AE_IFLNK, .data = "/" }, { "etc/x" }, END };
	const struct ent slash[] = { { "/", AE_IFLNK, .data = "/etc" }, END };
	const struct ent fifo[] = { { "./", AE_IFIFO }, END };

	assert_refused(f, unpack_ents(f, dot, PLAIN), "the root entry '.' is no directory");
	assert_refused(f, unpack_ents(f, slash, PLAIN), "the root entry '/' is no directory");
	assert_refused(f, unpack_ents(f, fifo, PLAIN), "is no directory");
}

static void test_sparse(void **state)
{
	struct fixture *f = *state;
	const int64_t big = 10LL << 30;
	const struct ent ents[] = { { "big", .sparse = big }, END };
	struct stat st;

	assert_int_equal(unpack_ents(f, ents, GZIP), 0);
	st = lstat_in(f, "big");
	assert_int_equal(st.st_size, big);
	assert_true(st.st_blocks * 512 < 1024 * 1024);
	assert_int_equal(f->st.bytes, 8192);
}

/* A ustar header block for @name of @type and @size. */
static void ustar(char h[512], const char *name, char type, size_t size)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	strcpy(h, name);
	strcpy(h + 100, "0000644");
	strcpy(h + 108, "0000000");
	strcpy(h + 116, "0000000");
	snprintf(h + 124, 12, "%011zo", size);
	strcpy(h + 136, "00000000000");
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
}

/* Appends pax record "LEN KEY=VALUE\n" to @buf. */
static void pax_record(char *buf, const char *key, const char *value)
{
	size_t n = strlen(key) + strlen(value) + 3, len = n + 1;

	while (len != n + (size_t)snprintf(NULL, 0, "%zu", len))
		len = n + (size_t)snprintf(NULL, 0, "%zu", len);
	sprintf(buf + strlen(buf), "%zu %s=%s\n", len, key, value);
}

/* A tar by hand: a pax header whose GNU sparse 0.1 map goes past the file's size. */
static void test_sparse_past_size(void **state)
{
	struct fixture *f = *state;
	char pax[512] = "", block[512];
	struct layer l;
	int fd = memfd_create("sparse", MFD_CLOEXEC);

	pax_record(pax, "GNU.sparse.size", "100");
	pax_record(pax, "GNU.sparse.map", "4000,10");
	pax_record(pax, "GNU.sparse.name", "f");
	ustar(block, "PaxHeaders/f", 'x', strlen(pax));
	append(fd, block, 512);
	memset(block, 0, 512);
	memcpy(block, pax, strlen(pax));
	append(fd, block, 512);
	ustar(block, "f", '0', 10);
	append(fd, block, 512);
	memset(block, 0, 512);
	memcpy(block, "0123456789", 10);
	append(fd, block, 512);
	memset(block, 0, 512);
	append(fd, block, 512);
	append(fd, block, 512);
	layer_of_fd(&l, fd, fd);
	assert_refused(f, unpack(f, &l), "sparse map goes past its size");
	close(fd);
}

static void test_trailing_junk(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "a", .data = "1" }, END };
	struct layer l;
	char junk[3000];

	memset(junk, 0, sizeof(junk));
	strcpy(junk + 2000, "junk");
	l.fd = write_archive(ents, PLAIN);
	append(l.fd, junk, sizeof(junk));
	/* the diff_id is of every byte, the junk too */
	layer_of_fd(&l, l.fd, l.fd);
	assert_int_equal(unpack(f, &l), 0);
	assert_int_equal(f->st.blob_bytes, l.size);
	lseek(l.fd, 0, SEEK_SET);
	assert_int_equal(ftruncate(l.fd, l.size - 1000), 0);
	rm_tree(f->dir);
	mkdir(f->dir, 0700);
	close(f->rootfd);
	f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	l.size -= 1000;
	fd_digest(l.fd, l.digest);
	assert_refused(f, unpack(f, &l), "uncompressed layer has digest");
	close(l.fd);
}

/* umoci 0.4.7's insert: the last file's data, then nothing (no padding, no end blocks) */
static void test_no_end_blocks(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "d/", AE_IFDIR, .mtime = 5 }, { "d/f", .data = "only-this\n" },
				    END };
	struct layer l;
	char tar[8192];
	char *data;

	l.fd = write_archive(ents, PLAIN);
	assert_true(read(l.fd, tar, sizeof(tar)) > 0);
	data = memmem(tar, sizeof(tar), "only-this\n", 10);
	assert_non_null(data);
	assert_int_equal(ftruncate(l.fd, data - tar + 10), 0);
	layer_of_fd(&l, l.fd, l.fd);
	assert_int_equal(unpack(f, &l), 0);
	assert_string_equal(file_text(f, "d/f"), "only-this\n");
	assert_int_equal(lstat_in(f, "d").st_mtime, 5);
	/* cut inside the data, it is refused */
	assert_int_equal(ftruncate(l.fd, data - tar + 5), 0);
	layer_of_fd(&l, l.fd, l.fd);
	rm_tree(f->dir);
	mkdir(f->dir, 0700);
	close(f->rootfd);
	f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_refused(f, unpack(f, &l), "entry 'd/f': cannot read its data");
	close(l.fd);
}

static void test_bad_blobs(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "a", .data = "some data to compress" }, END };
	struct layer l;
	char c;

	/* truncated, with digests of what is there */
	make_layer(&l, ents, GZIP);
	assert_int_equal(ftruncate(l.fd, l.size / 2), 0);
	l.size /= 2;
	fd_digest(l.fd, l.digest);
	assert_refused(f, unpack(f, &l), "cannot read the layer");
	close(l.fd);
	/* one byte flipped */
	make_layer(&l, ents, GZIP);
	assert_int_equal(pread(l.fd, &c, 1, 30), 1);
	c ^= 1;
	assert_int_equal(pwrite(l.fd, &c, 1, 30), 1);
	assert_refused(f, unpack(f, &l), "blob has digest sha256:");
	close(l.fd);
	/* the wrong diff_id */
	make_layer(&l, ents, ZSTD);
	strcpy(l.diff_id, l.digest);
	assert_refused(f, unpack(f, &l), "uncompressed layer has digest");
	close(l.fd);
	/* a descriptor that lies about the size, both ways */
	make_layer(&l, ents, GZIP);
	l.size--;
	assert_refused(f, unpack(f, &l), "its descriptor says");
	l.size += 2;
	assert_refused(f, unpack(f, &l), "its descriptor says");
	close(l.fd);
}

static void test_short_pipe(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "a", .data = "1" }, END };
	struct layer l;
	int p[2];
	char buf[16384];
	ssize_t n;

	make_layer(&l, ents, GZIP);
	assert_int_equal(pipe(p), 0);
	n = read(l.fd, buf, sizeof(buf));
	assert_true(n > 0 && n < (ssize_t)sizeof(buf));
	assert_int_equal(write(p[1], buf, (size_t)n), n);
	close(p[1]);
	close(l.fd);
	l.fd = p[0];
	l.size = n + 10;
	assert_refused(f, unpack(f, &l), "blob is");
	close(p[0]);
}

static void test_not_tar(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = { { "a", .data = "1" }, END };
	struct layer l;

	make_layer(&l, ents, ZIP);
	assert_refused(f, unpack(f, &l), "zip archive, not a tar");
	close(l.fd);
	make_layer(&l, ents, XZ);
	assert_refused(f, unpack(f, &l), "xz-compressed");
	close(l.fd);
}

static void test_devices_skipped(void **state)
{
	struct fixture *f = *state;
	const struct ent ents[] = {
		{ "dev/null", AE_IFCHR, .rdev = makedev(1, 3) },
		{ "dev/null2", .hardlink = "dev/null" },
		{ "dev/f", AE_IFIFO },
		END
	};

	f->o.can_mknod = false;
	assert_int_equal(unpack_ents(f, ents, PLAIN), 0);
	assert_false(exists_in(f, "dev/null"));
	assert_false(exists_in(f, "dev/null2"));
	assert_true(S_ISFIFO(lstat_in(f, "dev/f").st_mode));
	assert_int_equal(f->st.dropped, 2);
}

static void test_names(void **state)
{
	char out[PATH_MAX], long_name[300], long_path[4200];
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(layer_name_check("./etc//x/", out, sizeof(out), &err), LAYER_NAME_ENTRY);
	assert_string_equal(out, "etc/x");
	assert_int_equal(layer_name_check("/./a/./b", out, sizeof(out), &err), LAYER_NAME_ENTRY);
	assert_string_equal(out, "a/b");
	assert_int_equal(layer_name_check("./", out, sizeof(out), &err), LAYER_NAME_ROOT);
	assert_string_equal(out, ".");
	assert_int_equal(layer_name_check("/", out, sizeof(out), &err), LAYER_NAME_ROOT);
	assert_int_equal(layer_name_check("a/.wh.b", out, sizeof(out), &err), LAYER_NAME_WHITEOUT);
	assert_string_equal(out, "a/b");
	assert_int_equal(layer_name_check(".wh..wh..opq", out, sizeof(out), &err),
			 LAYER_NAME_OPAQUE);
	assert_string_equal(out, ".");
	assert_int_equal(layer_name_check("a/b/.wh..wh..opq", out, sizeof(out), &err),
			 LAYER_NAME_OPAQUE);
	assert_string_equal(out, "a/b");
	assert_int_equal(layer_name_check(".wh..wh.plnk", out, sizeof(out), &err), LAYER_NAME_SKIP);
	assert_int_equal(layer_name_check(".wh..wh.plnk/1", out, sizeof(out), &err),
			 LAYER_NAME_SKIP);
	assert_int_equal(layer_name_check(".wh.x/y", out, sizeof(out), &err), LAYER_NAME_SKIP);
	assert_int_equal(layer_name_check("..a/b..", out, sizeof(out), &err), LAYER_NAME_ENTRY);
	assert_null(err);
	assert_int_equal(layer_name_check("", out, sizeof(out), &err), -EINVAL);
	ctu_err_free(&err);
	assert_int_equal(layer_name_check("a/..", out, sizeof(out), &err), -EINVAL);
	ctu_err_free(&err);
	assert_int_equal(layer_name_check(".wh.", out, sizeof(out), &err), -EINVAL);
	ctu_err_free(&err);
	assert_int_equal(layer_name_check("a/.wh..", out, sizeof(out), &err), -EINVAL);
	ctu_err_free(&err);
	assert_int_equal(layer_name_check(".wh...", out, sizeof(out), &err), -EINVAL);
	ctu_err_free(&err);
	memset(long_name, 'n', sizeof(long_name));
	long_name[254] = '\0';
	assert_int_equal(layer_name_check(long_name, out, sizeof(out), &err), LAYER_NAME_ENTRY);
	long_name[254] = 'n';
	long_name[255] = '\0';
	assert_int_equal(layer_name_check(long_name, out, sizeof(out), &err), -EINVAL);
	assert_non_null(strstr(err->msg, "255 bytes or more"));
	ctu_err_free(&err);
	for (size_t i = 0; i < sizeof(long_path); i++)
		long_path[i] = i % 2 ? '/' : 'p';
	long_path[4095] = '\0'; /* "p/p/.../p": 4095 bytes */
	assert_int_equal(layer_name_check(long_path, out, sizeof(out), &err), LAYER_NAME_ENTRY);
	long_path[4095] = 'p';
	long_path[4096] = '\0';
	assert_int_equal(layer_name_check(long_path, out, sizeof(out), &err), -EINVAL);
	assert_non_null(strstr(err->msg, "4096 bytes or more"));
	ctu_err_free(&err);
	assert_int_equal(layer_name_check("a\nb/..", out, sizeof(out), &err), -EINVAL);
	assert_string_equal(err->msg, "entry 'a?b/..': a '..' component");
	ctu_err_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compressed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf8_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_layer_markers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_implied_from_lowers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_then_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse_past_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_junk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_end_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_tar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices_skipped, setup, teardown),
	};

	return cmocka_run_group_tests_name("ovl_layer", tests, NULL, NULL);
}
