// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/undo.c: the rollback log (order, forget, directory
 * fds, resolving inside a root) and ctu_mkdir_p, in temporary directories
 * under /tmp.  Mounts are left to the integration tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "undo.h"

/* Each test's directories: @dir (the work or root directory) and @outside. */
struct dirs {
	char dir[64];
	char outside[64];
	char cwd[PATH_MAX];
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	strcpy(d->dir, "/tmp/ctu-undo.XXXXXX");
	strcpy(d->outside, "/tmp/ctu-outside.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	assert_non_null(mkdtemp(d->outside));
	assert_non_null(getcwd(d->cwd, sizeof(d->cwd)));
	umask(022);
	*state = d;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct dirs *d = *state;

	assert_int_equal(chdir(d->cwd), 0);
	nftw(d->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(d->outside, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
	return 0;
}

/* "@base/@rel" in a static buffer (one of four, so that two can be passed). */
static const char *at(const char *base, const char *rel)
{
	static char bufs[4][PATH_MAX];
	static unsigned int next;
	char *b = bufs[next++ % 4];
	int n = snprintf(b, PATH_MAX, "%s/%s", base, rel);

	assert_true(n > 0 && n < PATH_MAX);
	return b;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static int open_dir(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* ---- the log ---- */

struct calls {
	int order[8];
	int n;
};

struct call {
	struct calls *log;
	int id;
};

static void note_call(void *arg)
{
	struct call *c = arg;

	c->log->order[c->log->n++] = c->id;
}

static void test_rollback_newest_first(void **state)
{
	struct ctu_undo u = CTU_UNDO_INIT;
	struct calls log = { .n = 0 };
	struct call c[3] = { { &log, 1 }, { &log, 2 }, { &log, 3 } };
	ctu_err_t err = NULL;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(ctu_undo_call(&u, note_call, &c[i], &err), 0);
	assert_int_equal(u.n, 3);
	errno = EXDEV;
	ctu_undo_rollback(&u);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.order[0], 3);
	assert_int_equal(log.order[1], 2);
	assert_int_equal(log.order[2], 1);
	assert_int_equal(u.n, 0);
	assert_null(u.newest);
	/* an empty log rolls back to nothing */
	ctu_undo_rollback(&u);
	assert_int_equal(log.n, 3);
	assert_null(err);
}

static void test_forget(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	struct calls log = { .n = 0 };
	struct call c = { &log, 1 };
	ctu_err_t err = NULL;

	assert_int_equal(mkdir(at(d->dir, "kept"), 0755), 0);
	assert_int_equal(ctu_undo_dir(&u, AT_FDCWD, at(d->dir, "kept"), 0, &err), 0);
	assert_int_equal(ctu_undo_call(&u, note_call, &c, &err), 0);
	ctu_undo_forget(&u);
	assert_int_equal(u.n, 0);
	assert_null(u.newest);
	assert_int_equal(log.n, 0);
	assert_true(is_dir(at(d->dir, "kept")));
	ctu_undo_rollback(&u);
	assert_true(is_dir(at(d->dir, "kept")));
}

static void test_cleanup_rolls_back(void **state)
{
	struct calls log = { .n = 0 };
	struct call c = { &log, 7 };
	ctu_err_t err = NULL;

	(void)state;
	{
		_cleanup_undo_ struct ctu_undo u = CTU_UNDO_INIT;

		assert_int_equal(ctu_undo_call(&u, note_call, &c, &err), 0);
	}
	assert_int_equal(log.n, 1);
	assert_int_equal(log.order[0], 7);
}

static void test_dir_and_file_at_fdcwd(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;

	/* absolute */
	assert_int_equal(mkdir(at(d->dir, "d"), 0755), 0);
	make_file(at(d->dir, "d/f"));
	assert_int_equal(ctu_undo_dir(&u, AT_FDCWD, at(d->dir, "d"), 0, &err), 0);
	assert_int_equal(ctu_undo_file(&u, AT_FDCWD, at(d->dir, "d/f"), 0, &err), 0);
	/* relative to the working directory */
	assert_int_equal(chdir(d->dir), 0);
	assert_int_equal(mkdir("r", 0755), 0);
	assert_int_equal(ctu_undo_dir(&u, AT_FDCWD, "r", 0, &err), 0);
	assert_int_equal(u.n, 3);
	/* newest first: the file goes before its directory */
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "d")));
	assert_false(exists(at(d->dir, "r")));
	assert_null(err);
}

static void test_dirfd_is_kept(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int fd = open_dir(d->dir);

	assert_int_equal(mkdirat(fd, "sub", 0755), 0);
	make_file(at(d->dir, "sub/file"));
	assert_int_equal(ctu_undo_dir(&u, fd, "sub", 0, &err), 0);
	assert_int_equal(ctu_undo_file(&u, fd, "sub/file", 0, &err), 0);
	/* the log has its own copy of the fd */
	close(fd);
	/* and the working directory is no part of it */
	assert_int_equal(chdir("/"), 0);
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "sub")));
}

static void test_rollback_best_effort(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;

	make_file(at(d->dir, "f1"));
	assert_int_equal(mkdir(at(d->dir, "full"), 0755), 0);
	make_file(at(d->dir, "full/not-ours"));
	make_file(at(d->dir, "f2"));
	assert_int_equal(ctu_undo_file(&u, AT_FDCWD, at(d->dir, "f1"), 0, &err), 0);
	assert_int_equal(ctu_undo_dir(&u, AT_FDCWD, at(d->dir, "full"), 0, &err), 0);
	assert_int_equal(ctu_undo_file(&u, AT_FDCWD, at(d->dir, "gone"), 0, &err), 0);
	assert_int_equal(ctu_undo_file(&u, AT_FDCWD, at(d->dir, "f2"), 0, &err), 0);
	ctu_undo_rollback(&u);
	/* a directory that is not empty stays, and the steps around it are done */
	assert_false(exists(at(d->dir, "f1")));
	assert_false(exists(at(d->dir, "f2")));
	assert_true(exists(at(d->dir, "full/not-ours")));
}

/* A root with a symlink "esc" to the absolute path of the outside directory. */
static int open_root_with_escape(struct dirs *d)
{
	assert_int_equal(symlink(d->outside, at(d->dir, "esc")), 0);
	return open_dir(d->dir);
}

static void test_file_in_root(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int root = open_root_with_escape(d);
	char inside[PATH_MAX];

	/* the same name inside the root, where "esc" leads when resolved in it */
	snprintf(inside, sizeof(inside), "%s%s", d->dir, d->outside);
	assert_int_equal(ctu_mkdir_p(NULL, AT_FDCWD, inside, 0755, 0, &err), 0);
	make_file(at(d->outside, "victim"));
	make_file(at(inside, "victim"));
	assert_int_equal(mkdir(at(d->outside, "victimdir"), 0755), 0);
	assert_int_equal(mkdir(at(inside, "victimdir"), 0755), 0);
	assert_int_equal(ctu_undo_file(&u, root, "esc/victim", CTU_UNDO_IN_ROOT, &err), 0);
	assert_int_equal(ctu_undo_dir(&u, root, "/esc/victimdir", CTU_UNDO_IN_ROOT, &err), 0);
	close(root);
	ctu_undo_rollback(&u);
	assert_true(exists(at(d->outside, "victim")));
	assert_true(exists(at(d->outside, "victimdir")));
	assert_false(exists(at(inside, "victim")));
	assert_false(exists(at(inside, "victimdir")));
}

/* ---- ctu_mkdir_p ---- */

static void test_mkdir_p_parents(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;

	assert_int_equal(mkdir(at(d->dir, "a"), 0755), 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "a/b/c"), 0700, 0, &err), 0);
	assert_null(err);
	assert_true(is_dir(at(d->dir, "a/b/c")));
	/* only what it made is recorded */
	assert_int_equal(u.n, 2);
	{
		struct stat st;

		assert_int_equal(stat(at(d->dir, "a/b"), &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
	}
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "a/b")));
	assert_true(is_dir(at(d->dir, "a")));
	assert_true(is_dir(d->dir));
}

static void test_mkdir_p_existing(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;

	assert_int_equal(mkdir(at(d->dir, "x"), 0755), 0);
	assert_int_equal(mkdir(at(d->dir, "x/y"), 0755), 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "x/y"), 0755, 0, &err), 0);
	assert_int_equal(u.n, 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, "/", 0755, 0, &err), 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, "/tmp", 0755, 0, &err), 0);
	assert_int_equal(u.n, 0);
	/* a symlink to a directory is a directory */
	assert_int_equal(symlink("x", at(d->dir, "lx")), 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "lx/y/z"), 0755, 0, &err), 0);
	assert_int_equal(u.n, 1);
	assert_true(is_dir(at(d->dir, "x/y/z")));
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "x/y/z")));
	assert_true(is_dir(at(d->dir, "x/y")));
	assert_null(err);
}

static void test_mkdir_p_notdir(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;

	assert_int_equal(mkdir(at(d->dir, "a"), 0755), 0);
	make_file(at(d->dir, "a/f"));
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "a/f/b/c"), 0755, 0, &err), -ENOTDIR);
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOTDIR);
	/* the message names the path that is in the way */
	assert_non_null(strstr(err->msg, at(d->dir, "a/f")));
	assert_int_equal(u.n, 0);
	ctu_err_free(&err);
	/* the last component a file */
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "a/f"), 0755, 0, &err), -ENOTDIR);
	assert_non_null(strstr(err->msg, at(d->dir, "a/f")));
	ctu_err_free(&err);
	/* what was made before the failure stays recorded, for the caller's rollback */
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "new"), 0755, 0, &err), 0);
	assert_int_equal(u.n, 1);
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "new")));
	assert_true(exists(at(d->dir, "a/f")));
}

static void test_mkdir_p_relative(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int fd = open_dir(d->dir);

	/* relative to a dirfd, which the log keeps */
	assert_int_equal(ctu_mkdir_p(&u, fd, "p/q", 0755, 0, &err), 0);
	assert_true(is_dir(at(d->dir, "p/q")));
	/* an absolute path ignores the dirfd */
	assert_int_equal(ctu_mkdir_p(&u, fd, at(d->dir, "abs/one"), 0755, 0, &err), 0);
	assert_true(is_dir(at(d->dir, "abs/one")));
	close(fd);
	/* relative to the working directory */
	assert_int_equal(chdir(d->dir), 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, "w/v", 0755, 0, &err), 0);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, "./w/./v/../u", 0755, 0, &err), 0);
	assert_true(is_dir(at(d->dir, "w/u")));
	assert_int_equal(u.n, 7);
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "p")));
	assert_false(exists(at(d->dir, "abs")));
	assert_false(exists(at(d->dir, "w")));
	assert_null(err);
}

static void test_mkdir_p_slashes(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;

	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "t/s///"), 0755, 0, &err), 0);
	assert_true(is_dir(at(d->dir, "t/s")));
	assert_int_equal(u.n, 2);
	assert_int_equal(ctu_mkdir_p(&u, AT_FDCWD, at(d->dir, "t//s//r/"), 0755, 0, &err), 0);
	assert_true(is_dir(at(d->dir, "t/s/r")));
	assert_int_equal(u.n, 3);
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "t")));
	/* no log at all */
	assert_int_equal(ctu_mkdir_p(NULL, AT_FDCWD, at(d->dir, "n/m"), 0755, 0, &err), 0);
	assert_true(is_dir(at(d->dir, "n/m")));
	assert_null(err);
}

static void test_mkdir_p_in_root_symlink(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int root = open_root_with_escape(d);
	char inside[PATH_MAX];

	/* "esc" resolved in the root leads to root/tmp/ctu-outside.*, made here */
	snprintf(inside, sizeof(inside), "%s%s", d->dir, d->outside);
	assert_int_equal(ctu_mkdir_p(NULL, AT_FDCWD, inside, 0755, 0, &err), 0);
	assert_int_equal(ctu_mkdir_p(&u, root, "esc/x/y", 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	assert_null(err);
	assert_true(is_dir(at(inside, "x/y")));
	assert_false(exists(at(d->outside, "x")));
	assert_int_equal(u.n, 2);
	close(root);
	/* a directory of the same name made outside meanwhile stays there */
	assert_int_equal(mkdir(at(d->outside, "x"), 0755), 0);
	ctu_undo_rollback(&u);
	assert_false(exists(at(inside, "x")));
	assert_true(is_dir(inside));
	assert_true(is_dir(at(d->outside, "x")));
}

static void test_mkdir_p_in_root_symlink_host_differs(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int root = open_dir(d->dir);
	char target[PATH_MAX];

	/*
	 * Symlinks whose targets are directories inside the root but missing
	 * (or a file) on the host: whether they are directories is decided
	 * inside the root too.
	 */
	snprintf(target, sizeof(target), "%s/missing", d->outside);
	assert_int_equal(symlink(target, at(d->dir, "to-missing")), 0);
	assert_int_equal(ctu_mkdir_p(NULL, root, target, 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	snprintf(target, sizeof(target), "%s/a-file", d->outside);
	make_file(target);
	assert_int_equal(symlink(target, at(d->dir, "to-file")), 0);
	assert_int_equal(ctu_mkdir_p(NULL, root, target, 0755, CTU_MKDIR_IN_ROOT, &err), 0);

	assert_int_equal(ctu_mkdir_p(&u, root, "to-missing/x", 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	assert_null(err);
	assert_int_equal(ctu_mkdir_p(&u, root, "to-file/y", 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	assert_null(err);
	assert_int_equal(u.n, 2);
	assert_false(exists(at(d->outside, "missing")));
	ctu_undo_rollback(&u);
	close(root);
}

static void test_mkdir_p_in_root_dangling(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int root = open_root_with_escape(d);

	/*
	 * "esc" leads to nothing inside the root: an error, as mkdir -p's on a
	 * dangling symlink, and above all nothing made outside.
	 */
	assert_true(ctu_mkdir_p(&u, root, "esc/x", 0755, CTU_MKDIR_IN_ROOT, &err) < 0);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "esc"));
	ctu_err_free(&err);
	assert_false(exists(at(d->outside, "x")));
	assert_int_equal(u.n, 0);
	close(root);
}

static void test_mkdir_p_in_root_absolute_and_dotdot(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int root = open_dir(d->dir);
	char name[PATH_MAX];

	/* an absolute path is inside the root */
	snprintf(name, sizeof(name), "%s/abs", d->outside);
	assert_int_equal(ctu_mkdir_p(&u, root, name, 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	assert_true(is_dir(at(d->dir, name)));
	assert_false(exists(name));
	/* ".." stops at the root */
	assert_int_equal(ctu_mkdir_p(&u, root, "../../up", 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	assert_true(is_dir(at(d->dir, "up")));
	assert_false(exists("/tmp/up"));
	assert_int_equal(ctu_mkdir_p(&u, root, "k/../../../k2", 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	assert_true(is_dir(at(d->dir, "k")));
	assert_true(is_dir(at(d->dir, "k2")));
	/* a file on the way */
	make_file(at(d->dir, "file"));
	assert_int_equal(ctu_mkdir_p(&u, root, "file/sub", 0755, CTU_MKDIR_IN_ROOT, &err), -ENOTDIR);
	assert_non_null(strstr(err->msg, "file"));
	ctu_err_free(&err);
	close(root);
	ctu_undo_rollback(&u);
	assert_false(exists(at(d->dir, "tmp")));
	assert_false(exists(at(d->dir, "up")));
	assert_false(exists(at(d->dir, "k")));
	assert_false(exists(at(d->dir, "k2")));
	assert_true(exists(at(d->dir, "file")));
}

static void test_rollback_in_root_after_swap(void **state)
{
	struct dirs *d = *state;
	struct ctu_undo u = CTU_UNDO_INIT;
	ctu_err_t err = NULL;
	int root = open_dir(d->dir);

	assert_int_equal(ctu_mkdir_p(&u, root, "d/e", 0755, CTU_MKDIR_IN_ROOT, &err), 0);
	close(root);
	/* "d" swapped for a symlink to a host directory with an "e" of its own */
	assert_int_equal(rmdir(at(d->dir, "d/e")), 0);
	assert_int_equal(rmdir(at(d->dir, "d")), 0);
	assert_int_equal(symlink(d->outside, at(d->dir, "d")), 0);
	assert_int_equal(mkdir(at(d->outside, "e"), 0755), 0);
	ctu_undo_rollback(&u);
	assert_true(is_dir(at(d->outside, "e")));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rollback_newest_first),
		T(test_forget),
		T(test_cleanup_rolls_back),
		T(test_dir_and_file_at_fdcwd),
		T(test_dirfd_is_kept),
		T(test_rollback_best_effort),
		T(test_file_in_root),
		T(test_mkdir_p_parents),
		T(test_mkdir_p_existing),
		T(test_mkdir_p_notdir),
		T(test_mkdir_p_relative),
		T(test_mkdir_p_slashes),
		T(test_mkdir_p_in_root_symlink),
		T(test_mkdir_p_in_root_symlink_host_differs),
		T(test_mkdir_p_in_root_dangling),
		T(test_mkdir_p_in_root_absolute_and_dotdot),
		T(test_rollback_in_root_after_swap),
	};

	return cmocka_run_group_tests_name("undo", tests, NULL, NULL);
}
