// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * toolbox.c - --toolbox[=DIR]: a host program in all of the target's
 * namespaces, with the target's root as "/" and the host's tools under
 * /.ctutils, in a private copy of the target's mount namespace (so that
 * the container's own processes see nothing change).
 *
 * The steps (terminals-debug.md, Part 2), each a function below:
 *  1. in our namespace: detached read-only clones of the toolbox trees and
 *     of the helper, and a detached tmpfs T;
 *  2. setns into the target's mount namespace alone, unshare a copy of it,
 *     "/" rprivate, the target's root found there;
 *  3. T over that root, mirroring its top level with recursive clones, the
 *     toolbox under /.ctutils, T read-only, chroot into it;
 *  4. the other namespaces, the fork; toolbox_exec() (toolbox_exec.c) runs it
 *     through the helper (hostexec.c), which gives it the host's ld.so.
 * Nothing to roll back: every mount is in the program's own namespace.
 */
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "caps.h"
#include "ctu.h"
#include "mnt.h"
#include "mnttab.h"
#include "nsenter-lite.h"
#include "strv.h"

#ifndef CTU_LIBEXECDIR
#define CTU_LIBEXECDIR "/usr/local/libexec/ctutils"
#endif

/* The initial user namespace's inode (PROC_USER_INIT_INO): a fixed kernel constant. */
#define INIT_USER_NS_INO 0xEFFFFFFDUL
/* More top-level entries than any root has: a hostile one is refused. */
#define MAX_ROOT_ENTRIES 4096
/* The host's top-level trees besides /usr: the same symlinks on a merged-/usr host. */
static const char *const host_trees[] = { "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
#define MAX_TREES CTU_ARRAY_SIZE(host_trees)

/* Where the programs of the toolbox are, relative to its root: host /usr, or DIR. */
static const char *const host_bin_dirs[] = { "usr/local/sbin", "usr/local/bin", "usr/sbin",
					     "usr/bin" };
static const char *const dir_bin_dirs[] = { "sbin", "bin" };

/* The build's multiarch directory (Debian's triplet), searched after ld.so.conf's. */
#ifndef CTU_MULTIARCH
#if defined(__x86_64__)
#define CTU_MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define CTU_MULTIARCH "aarch64-linux-gnu"
#else
#define CTU_MULTIARCH "" /* make CFLAGS=-DCTU_MULTIARCH='"$(gcc -print-multiarch)"' */
#endif
#endif

/* One tree of the toolbox: a detached clone, or (host mode) a symlink copied. */
struct tree {
	const char *name; /* under /.ctutils/host; "" for DIR itself */
	int fd;		  /* the clone, or -1 */
	char *link;	  /* the symlink's text, or NULL */
};

struct toolbox {
	struct tree trees[MAX_TREES];
	size_t ntrees;
	int helperfd;		 /* the clone of hostexec */
	int tmpfsfd;		 /* T */
	int rootfd;		 /* the target's root, opened from our namespace (step 1) */
	struct ctu_strv bins;	 /* the toolbox's executables, by name */
	struct ctu_strv aliases; /* "alias NAME PATH": symlinks resolved on the host */
	char *top;		 /* realpath of the toolbox root: DIR, or "/" */
	void *names;		 /* tsearch tree of bins' names */
	struct ctu_strv libs;	 /* the directories ld.so searches, host paths */
	const char *const *bin_dirs;
	size_t nbin_dirs;
	bool bin_present[4]; /* which of bin_dirs the toolbox has */
};

/* tdestroy's: the names belong to tb->bins. */
static void keep_name(void *name)
{
	(void)name;
}

static void toolbox_free(struct toolbox *tb)
{
	for (size_t i = 0; i < tb->ntrees; i++) {
		ctu_closep(&tb->trees[i].fd);
		free(tb->trees[i].link);
	}
	ctu_closep(&tb->helperfd);
	ctu_closep(&tb->tmpfsfd);
	ctu_closep(&tb->rootfd);
	tdestroy(tb->names, keep_name);
	ctu_strv_free(&tb->bins);
	ctu_strv_free(&tb->aliases);
	free(tb->top);
	ctu_strv_free(&tb->libs);
}

/* ---- the refusals ---- */

static int needs_linux_5_12(ctu_err_t *err)
{
	return ctu_err_make(err, 0, "--toolbox needs Linux 5.12");
}

static int check_kernel(ctu_err_t *err)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0; /* unknown: the calls themselves answer ENOSYS */
	return major > 5 || (major == 5 && minor >= 12) ? 0 : needs_linux_5_12(err);
}

/* Root: CAP_SYS_ADMIN in the initial user namespace, the owner of the host's mounts. */
static int check_privileges(ctu_err_t *err)
{
	struct stat st;

	if (!ctu_caps_have(CAP_SYS_ADMIN) || stat("/proc/self/ns/user", &st) < 0 ||
	    st.st_ino != INIT_USER_NS_INO)
		return ctu_err_make(err, 0, "--toolbox needs root: it clones host mounts");
	return 0;
}

static int check_other_mount_ns(const struct opts *o, const struct target *t, ctu_err_t *err)
{
	struct stat theirs, ours;

	if (fstatat(t->procfd, "ns/mnt", &theirs, 0) < 0)
		return ctu_err_errno(err, "cannot read the mount namespace of process %d",
				     (int)o->target);
	if (stat("/proc/self/ns/mnt", &ours) < 0)
		return ctu_err_errno(err, "cannot read our mount namespace");
	if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
		return ctu_err_make(
		    err, 0, "process %d shares our mount namespace: run host tools directly",
		    (int)o->target);
	return 0;
}

/* ---- step 1: in our namespace ---- */

/*
 * A detached recursive clone of @path, read-only, nosuid, nodev while
 * nothing sees it, and private: a clone of a shared mount would otherwise
 * stay a peer of the host's.
 */
static bool is_at_or_below(const char *target, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(target, dir, n) == 0 && (target[n] == '\0' || target[n] == '/');
}

/*
 * Whether a mount namespace file is bound at or below @path.  move_mount
 * refuses such a tree when the bound namespace is not newer than ours
 * (check_for_nsfs_mounts), comparing namespace ids, which since 6.18 come
 * from per-CPU batches: the same tree is refused or not by the CPU we ran
 * on.  Refusing every such tree first gives one answer.
 */
static bool holds_mntns_file(const char *path)
{
	_cleanup_(ctu_mnt_table_unref) struct libmnt_table *tab = ctu_mnt_table();
	char real[PATH_MAX];
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	bool found = false;

	if (!tab || !realpath(path, real))
		return false;
	it = mnt_new_iter(MNT_ITER_FORWARD);
	while (it && !found && mnt_table_next_fs(tab, it, &fs) == 0) {
		const char *type = mnt_fs_get_fstype(fs), *root = mnt_fs_get_root(fs);
		const char *target = mnt_fs_get_target(fs);

		found = type && strcmp(type, "nsfs") == 0 && root && strncmp(root, "mnt:[", 5) == 0 &&
			target && is_at_or_below(target, real);
	}
	mnt_free_iter(it);
	return found;
}

static int clone_readonly(const char *path, int *fd, ctu_err_t *err)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		.propagation = MS_PRIVATE,
	};

	if (holds_mntns_file(path))
		return ctu_err_make(err, 0,
				    "--toolbox: the toolbox tree %s holds a bound mount namespace file: "
				    "the kernel refuses to attach it (ELOOP)",
				    path);
	*fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC);
	if (*fd < 0 && errno == ENOSYS)
		return needs_linux_5_12(err);
	if (*fd < 0)
		return ctu_err_errno(err, "--toolbox: cannot clone %s", path);
	if (mount_setattr(*fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return errno == ENOSYS
			   ? needs_linux_5_12(err)
			   : ctu_err_errno(err, "--toolbox: cannot make %s read-only", path);
	return 0;
}

/* Host mode: /usr cloned, /bin, /sbin, /lib* as their symlinks or clones. */
static int open_host_trees(struct toolbox *tb, ctu_err_t *err)
{
	for (size_t i = 0; i < MAX_TREES; i++) {
		struct tree *tr = &tb->trees[tb->ntrees];
		char path[32], link[PATH_MAX];
		struct stat st;
		ssize_t n;

		snprintf(path, sizeof(path), "/%s", host_trees[i]);
		if (lstat(path, &st) < 0)
			continue; /* no /lib32 here */
		*tr = (struct tree){ .name = host_trees[i], .fd = -1 };
		tb->ntrees++;
		if (!S_ISLNK(st.st_mode)) {
			if (clone_readonly(path, &tr->fd, err) < 0)
				return ctu_err_code(*err);
			continue;
		}
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			return ctu_err_errno(err, "--toolbox: cannot read the symlink %s", path);
		link[n] = '\0';
		if (!(tr->link = strdup(link)))
			return ctu_err_make(err, ENOMEM, "--toolbox");
	}
	if (tb->ntrees == 0 || strcmp(tb->trees[0].name, "usr") != 0)
		return ctu_err_make(err, ENOENT, "--toolbox: no /usr on this host");
	return 0;
}

static bool is_executable(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, 0) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* Whether @name is new to the toolbox (then remembered): the first of a name wins, as on PATH. */
static bool first_of_name(struct toolbox *tb, const char *name)
{
	void *const *found = tsearch(name, &tb->names, (int (*)(const void *, const void *))strcmp);

	/* out of memory: treat it as seen, a program fewer rather than a wrong one */
	return found && *found == name;
}

/* Whether the host path @real is in one of the trees the toolbox clones. */
static bool in_host_trees(const char *real)
{
	for (size_t i = 0; i < MAX_TREES; i++) {
		size_t len = strlen(host_trees[i]);

		if (!strncmp(real + 1, host_trees[i], len) && real[1 + len] == '/')
			return true;
	}
	return false;
}

/*
 * A symlink in a bin directory may lead through the host's /etc, which the
 * toolbox leaves out (/usr/bin/which -> /etc/alternatives/which ->
 * /usr/bin/which.debianutils): the helper gets its end, resolved here, as
 * an "alias NAME PATH" line, when that end is inside the toolbox.
 */
static int add_alias(struct toolbox *tb, int dirfd, const char *dir, const char *name,
		     ctu_err_t *err)
{
	_cleanup_free_ char *path = NULL, *real = NULL, *line = NULL;
	size_t toplen = strcmp(tb->top, "/") ? strlen(tb->top) : 0;
	char link[PATH_MAX];
	ssize_t len = readlinkat(dirfd, name, link, sizeof(link) - 1);
	int n;

	if (len <= 0 || strpbrk(name, " \n"))
		return 0; /* not a symlink */
	link[len] = '\0';
	/* a plain relative one ends where the helper finds it anyway (python3 -> python3.11) */
	if (link[0] != '/' && !strstr(link, ".."))
		return 0;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return ctu_err_make(err, ENOMEM, "--toolbox");
	real = realpath(path, NULL);
	if (!real || strncmp(real, tb->top, toplen) != 0 || real[toplen] != '/' ||
	    strchr(real, '\n') || (!toplen && !in_host_trees(real)))
		return 0;
	n = asprintf(&line, "alias %s /.ctutils/host%s", name, real + toplen);
	if (n < 0 || ctu_strv_push(&tb->aliases, line, (size_t)n) < 0)
		return ctu_err_make(err, ENOMEM, "--toolbox");
	return 0;
}

/* The names of the executables in @dir (host paths: symlinks resolve as on the host). */
static int scan_bin_dir(struct toolbox *tb, const char *dir, ctu_err_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return 0; /* a toolbox without sbin */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !is_executable(dirfd(d), e->d_name))
			continue;
		if (ctu_strv_push(&tb->bins, e->d_name, strlen(e->d_name)) < 0)
			return ctu_err_make(err, ENOMEM, "--toolbox: cannot list %s", dir);
		if (!first_of_name(tb, tb->bins.v[tb->bins.n - 1])) {
			free(tb->bins.v[--tb->bins.n]);
			tb->bins.v[tb->bins.n] = NULL;
			continue;
		}
		if ((e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) &&
		    add_alias(tb, dirfd(d), dir, e->d_name, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* DIR/sbin and DIR/bin, or DIR itself when it has neither. */
static int scan_bins(struct toolbox *tb, const char *root, ctu_err_t *err)
{
	struct stat st;
	bool any = false;

	tb->top = realpath(root, NULL);
	if (!tb->top)
		return ctu_err_errno(err, "--toolbox: cannot resolve %s", root);
	for (size_t i = 0; i < tb->nbin_dirs; i++) {
		_cleanup_free_ char *dir = NULL;

		if (asprintf(&dir, "%s/%s", root, tb->bin_dirs[i]) < 0)
			return ctu_err_make(err, ENOMEM, "--toolbox");
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		any = tb->bin_present[i] = true;
		if (scan_bin_dir(tb, dir, err) < 0)
			return ctu_err_code(*err);
	}
	if (!any && tb->bin_dirs == dir_bin_dirs) {
		static const char *const itself[] = { "." };

		tb->bin_dirs = itself;
		tb->nbin_dirs = 1;
		tb->bin_present[0] = true;
		return scan_bin_dir(tb, root, err);
	}
	return 0;
}

static int push_lib(struct toolbox *tb, const char *dir, ctu_err_t *err)
{
	if (dir[0] != '/' || strchr(dir, ':'))
		return 0; /* ld.so's --library-path is a ':' list of absolute paths */
	for (size_t i = 0; i < tb->libs.n; i++)
		if (!strcmp(tb->libs.v[i], dir))
			return 0;
	return ctu_strv_push(&tb->libs, dir, strlen(dir)) < 0
		   ? ctu_err_make(err, ENOMEM, "--toolbox")
		   : 0;
}

/* One ld.so.conf file: directories, and "include GLOB" lines (one level deep). */
static int read_ld_conf(struct toolbox *tb, const char *path, int depth, ctu_err_t *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[PATH_MAX];

	while (f && fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t");
		glob_t g;

		s[strcspn(s, "#\n")] = '\0';
		if (strncmp(s, "include", 7) != 0 || (s[7] != ' ' && s[7] != '\t')) {
			s[strcspn(s, " \t")] = '\0';
			if (*s && push_lib(tb, s, err) < 0)
				return ctu_err_code(*err);
			continue;
		}
		s += 7 + strspn(s + 7, " \t");
		s[strcspn(s, " \t")] = '\0';
		if (depth > 0 || glob(s, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (read_ld_conf(tb, g.gl_pathv[i], depth + 1, err) < 0) {
				globfree(&g);
				return ctu_err_code(*err);
			}
		globfree(&g);
	}
	return 0;
}

/* LIBS: the host's ld.so.conf directories, then the build's multiarch ones and the plain ones. */
static int find_libs(struct toolbox *tb, ctu_err_t *err)
{
	static const char *const builtin[] = { "/lib/" CTU_MULTIARCH,
					       "/usr/lib/" CTU_MULTIARCH,
					       "/lib64",
					       "/usr/lib64",
					       "/lib",
					       "/usr/lib" };

	if (read_ld_conf(tb, "/etc/ld.so.conf", 0, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < CTU_ARRAY_SIZE(builtin); i++)
		if (push_lib(tb, builtin[i], err) < 0)
			return ctu_err_code(*err);
	return 0;
}

/* The helper: next to us in a build directory, else where make install puts it. */
static int find_helper(char *path, size_t size)
{
	char self[PATH_MAX - 16]; /* room for "/hostexec" */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, size, "%s/hostexec", self);
			if (access(path, X_OK) == 0)
				return 0;
		}
	}
	snprintf(path, size, "%s/hostexec", CTU_LIBEXECDIR);
	return access(path, X_OK) == 0 ? 0 : -ENOENT;
}

/* A detached tmpfs: T, the new "/" (fsopen, fsconfig, fsmount). */
static int make_tmpfs(struct toolbox *tb, ctu_err_t *err)
{
	_cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);

	if (fsfd < 0)
		return errno == ENOSYS ? needs_linux_5_12(err)
				       : ctu_err_errno(err, "--toolbox: cannot make a tmpfs");
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "ctutils-toolbox", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return ctu_err_errno(err, "--toolbox: cannot make a tmpfs");
	tb->tmpfsfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	return tb->tmpfsfd < 0 ? ctu_err_errno(err, "--toolbox: cannot make a tmpfs") : 0;
}

static int step1_in_our_namespace(const struct opts *o, const struct target *t, struct toolbox *tb,
				  ctu_err_t *err)
{
	const char *root = o->toolbox_dir ? o->toolbox_dir : "/";
	char helper[PATH_MAX];

	tb->rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (tb->rootfd < 0)
		return ctu_err_errno(err, "cannot open the root of process %d", (int)o->target);
	if (o->toolbox_dir) {
		tb->trees[0] = (struct tree){ .name = "", .fd = -1 };
		tb->ntrees = 1;
		if (clone_readonly(o->toolbox_dir, &tb->trees[0].fd, err) < 0)
			return ctu_err_code(*err);
	} else if (open_host_trees(tb, err) < 0) {
		return ctu_err_code(*err);
	}
	if (find_helper(helper, sizeof(helper)) < 0)
		return ctu_err_make(err, ENOENT, "--toolbox: cannot find the helper %s", helper);
	if (clone_readonly(helper, &tb->helperfd, err) < 0 || scan_bins(tb, root, err) < 0 ||
	    find_libs(tb, err) < 0)
		return ctu_err_code(*err);
	return make_tmpfs(tb, err);
}

/* ---- step 2: the private copy of the target's mount namespace ---- */

static int enter_mount_ns_copy(const struct opts *o, const struct target *t, ctu_err_t *err)
{
	_cleanup_close_ int nsfd = -1;
	int fd = t->pidfd;

	if (fd < 0) {
		nsfd = openat(t->procfd, "ns/mnt", O_RDONLY | O_CLOEXEC);
		fd = nsfd;
	}
	if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
		return ctu_err_errno(err, "cannot enter the mount namespace of process %d",
				     (int)o->target);
	if (unshare(CLONE_NEWNS) < 0)
		return ctu_err_errno(err, "cannot copy the mount namespace of process %d",
				     (int)o->target);
	/* before any mount: nothing we do may propagate back into the container's */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ctu_err_errno(err, "cannot make the mount namespace copy private");
	return 0;
}

/* The target's root in the copy: its path there, the same directory as step 1's fd. */
static int open_target_root(const struct opts *o, const struct target *t, int step1_fd, int *fd,
			    ctu_err_t *err)
{
	char path[PATH_MAX];
	ssize_t n = readlinkat(t->procfd, "root", path, sizeof(path) - 1);
	struct stat here, there;

	if (n <= 0)
		return ctu_err_errno(err, "cannot read the root of process %d", (int)o->target);
	path[n] = '\0';
	*fd = ctu_openat2(AT_FDCWD, path, O_PATH | O_DIRECTORY,
			  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (*fd < 0)
		return ctu_err_make(err, -*fd, "cannot open the root %s of process %d", path,
				    (int)o->target);
	if (fstat(*fd, &here) < 0 || fstat(step1_fd, &there) < 0 || here.st_dev != there.st_dev ||
	    here.st_ino != there.st_ino)
		return ctu_err_make(err, 0,
				    "the root of process %d is not %s in its mount namespace",
				    (int)o->target, path);
	return 0;
}

/* ---- step 3: T over the root ---- */

static int attach(int treefd, int dirfd, const char *path, const char *what, ctu_err_t *err)
{
	if (move_mount(treefd, "", dirfd, path, MOVE_MOUNT_F_EMPTY_PATH) == 0)
		return 0;
	if (errno == ELOOP)
		return ctu_err_make(err, 0,
				    "--toolbox: %s holds a bound mount namespace file: the kernel "
				    "refuses to attach it (ELOOP)",
				    what);
	return ctu_err_errno(err, "--toolbox: cannot attach %s", what);
}

/* A mount point in T of the type of R's entry @name, and the entry cloned onto it. */
static int mirror_entry(int rootfd, int tfd, const char *name, ctu_err_t *err)
{
	_cleanup_close_ int clone = -1;
	char link[PATH_MAX], what[PATH_MAX + 2];
	struct stat st;
	ssize_t n;

	if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ctu_err_errno(err, "--toolbox: cannot read /%s", name);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(rootfd, name, link, sizeof(link) - 1);
		if (n < 0)
			return ctu_err_errno(err, "--toolbox: cannot read the symlink /%s", name);
		link[n] = '\0';
		return symlinkat(link, tfd, name) < 0
			   ? ctu_err_errno(err, "--toolbox: cannot copy the symlink /%s", name)
			   : 0;
	}
	if (S_ISDIR(st.st_mode) ? mkdirat(tfd, name, st.st_mode & 07777)
				: mknodat(tfd, name, st.st_mode & (S_IFMT | 07777), st.st_rdev))
		return ctu_err_errno(err, "--toolbox: cannot make the mount point /%s", name);
	clone = open_tree(rootfd, name,
			  OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (clone < 0)
		return ctu_err_errno(err, "--toolbox: cannot clone /%s", name);
	snprintf(what, sizeof(what), "/%s", name);
	return attach(clone, tfd, name, what, err);
}

/* Every top-level entry of R in T (its own /.ctutils, if any, is hidden by ours). */
static int mirror_root(const struct opts *o, int rootfd, int tfd, ctu_err_t *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int dfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	size_t count = 0;

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		ctu_closep(&dfd);
		return ctu_err_errno(err, "--toolbox: cannot read the root of process %d",
				     (int)o->target);
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".ctutils"))
			continue;
		if (++count > MAX_ROOT_ENTRIES)
			return ctu_err_make(err, 0,
					    "--toolbox: the root of process %d has over %d entries",
					    (int)o->target, MAX_ROOT_ENTRIES);
		if (mirror_entry(rootfd, tfd, e->d_name, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

static int fill_host(const struct opts *o, struct toolbox *tb, int tfd, ctu_err_t *err)
{
	for (size_t i = 0; i < tb->ntrees; i++) {
		struct tree *tr = &tb->trees[i];
		char path[64], what[PATH_MAX + 16];

		snprintf(path, sizeof(path), ".ctutils/host%s%s", *tr->name ? "/" : "", tr->name);
		snprintf(what, sizeof(what), "the toolbox tree %s%s",
			 o->toolbox_dir ? o->toolbox_dir : "/", tr->name);
		if (tr->link) {
			if (symlinkat(tr->link, tfd, path) < 0)
				return ctu_err_errno(err, "--toolbox: cannot make /%s", path);
			continue;
		}
		if (*tr->name && mkdirat(tfd, path, 0755) < 0)
			return ctu_err_errno(err, "--toolbox: cannot make /%s", path);
		if (attach(tr->fd, tfd, path, what, err) < 0)
			return ctu_err_code(*err);
	}
	return 0;
}

/* /.ctutils/bin: a symlink to ../lib/hostexec per executable (the first of a name wins). */
static int fill_bin(struct toolbox *tb, int tfd, ctu_err_t *err)
{
	_cleanup_close_ int bin = openat(tfd, ".ctutils/bin", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (bin < 0)
		return ctu_err_errno(err, "--toolbox: cannot open /.ctutils/bin");
	for (size_t i = 0; i < tb->bins.n; i++)
		if (symlinkat("../lib/hostexec", bin, tb->bins.v[i]) < 0)
			return ctu_err_errno(err, "--toolbox: cannot make /.ctutils/bin/%s",
					     tb->bins.v[i]);
	return 0;
}

/* hostexec.conf: "bin DIR", "lib DIR" and "alias NAME PATH" lines, paths as the program sees them.
 */
static int write_conf(const struct opts *o, struct toolbox *tb, int tfd, ctu_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int fd, e;

	if (!f)
		return ctu_err_make(err, ENOMEM, "--toolbox");
	fprintf(f, "# written by nsenter-lite --toolbox%s%s\n", o->toolbox_dir ? "=" : "",
		o->toolbox_dir ? o->toolbox_dir : "");
	for (size_t i = 0; i < tb->nbin_dirs; i++)
		if (tb->bin_present[i])
			fprintf(f, "bin /.ctutils/host/%s\n", tb->bin_dirs[i]);
	for (size_t i = 0; i < tb->libs.n; i++)
		fprintf(f, "lib /.ctutils/host%s\n", tb->libs.v[i]);
	for (size_t i = 0; i < tb->aliases.n; i++)
		fprintf(f, "%s\n", tb->aliases.v[i]);
	if (fclose(f) != 0)
		return ctu_err_make(err, ENOMEM, "--toolbox");
	fd = openat(tfd, ".ctutils/lib/hostexec.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return ctu_err_errno(err, "--toolbox: cannot write /.ctutils/lib/hostexec.conf");
	e = ctu_write_all(fd, text, len);
	close(fd);
	return e < 0 ? ctu_err_make(err, -e, "--toolbox: cannot write /.ctutils/lib/hostexec.conf")
		     : 0;
}

static int fill_ctutils(const struct opts *o, struct toolbox *tb, int tfd, ctu_err_t *err)
{
	static const char *const dirs[] = { ".ctutils", ".ctutils/host", ".ctutils/bin",
					    ".ctutils/lib" };

	for (size_t i = 0; i < CTU_ARRAY_SIZE(dirs); i++)
		if (mkdirat(tfd, dirs[i], 0755) < 0)
			return ctu_err_errno(err, "--toolbox: cannot make /%s", dirs[i]);
	if (fill_host(o, tb, tfd, err) < 0 || fill_bin(tb, tfd, err) < 0 ||
	    write_conf(o, tb, tfd, err) < 0)
		return ctu_err_code(*err);
	if (mknodat(tfd, ".ctutils/lib/hostexec", S_IFREG | 0755, 0) < 0)
		return ctu_err_errno(err, "--toolbox: cannot make /.ctutils/lib/hostexec");
	return attach(tb->helperfd, tfd, ".ctutils/lib/hostexec", "the helper", err);
}

/* The target's working directory, relative to its root; "/" when it is outside. */
static void target_cwd(const struct target *t, char *cwd, size_t size)
{
	char root[PATH_MAX];
	ssize_t r = readlinkat(t->procfd, "root", root, sizeof(root) - 1);
	ssize_t c = readlinkat(t->procfd, "cwd", cwd, size - 1);
	size_t rlen;

	if (r <= 0 || c <= 0 || cwd[0] != '/') {
		snprintf(cwd, size, "/");
		return;
	}
	root[r] = cwd[c] = '\0';
	rlen = strcmp(root, "/") == 0 ? 0 : (size_t)r;
	if (strncmp(cwd, root, rlen) != 0 || (cwd[rlen] != '/' && cwd[rlen] != '\0'))
		snprintf(cwd, size, "/");
	else if (rlen)
		memmove(cwd, cwd + rlen, strlen(cwd + rlen) + 1);
	if (!cwd[0])
		snprintf(cwd, size, "/");
}

static int step3_build_root(const struct opts *o, const struct target *t, struct toolbox *tb,
			    ctu_err_t *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	_cleanup_close_ int rootfd = -1;
	char cwd[PATH_MAX];

	target_cwd(t, cwd, sizeof(cwd));
	if (open_target_root(o, t, tb->rootfd, &rootfd, err) < 0)
		return ctu_err_code(*err);
	/* T over R: R's fd still reaches what is below, and nothing sees T before the chroot */
	if (move_mount(tb->tmpfsfd, "", rootfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctu_err_errno(err, "--toolbox: cannot mount the new root");
	if (mirror_root(o, rootfd, tb->tmpfsfd, err) < 0 ||
	    fill_ctutils(o, tb, tb->tmpfsfd, err) < 0)
		return ctu_err_code(*err);
	if (mount_setattr(tb->tmpfsfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return ctu_err_errno(err, "--toolbox: cannot make the new root read-only");
	/* not pivot_root: the copy's mounts are locked (MNT_LOCKED) with a container user ns */
	if (fchdir(tb->tmpfsfd) < 0 || chroot(".") < 0)
		return ctu_err_errno(err, "--toolbox: cannot change the root directory");
	if (chdir(cwd) < 0 && chdir("/") < 0)
		return ctu_err_errno(err, "--toolbox: cannot change directory to /");
	return 0;
}

/* ---- step 4: the other namespaces ---- */

static int step4_enter_the_rest(struct opts *o, struct target *t, ctu_err_t *err)
{
	size_t mnt = (size_t)(ctu_ns_by_flag(CLONE_NEWNS) - ctu_ns_types);

	/* the mount namespace is our copy now: enter_namespaces() must not join theirs */
	o->ns[mnt].wanted = false;
	if (enter_namespaces(o, t, err) < 0)
		return ctu_err_code(*err);
	if (o->env && take_environment(t, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

int toolbox_enter(struct opts *o, struct target *t, int *status, ctu_err_t *err)
{
	struct toolbox tb = { .helperfd = -1, .tmpfsfd = -1, .rootfd = -1 };
	int r;

	tb.bin_dirs = o->toolbox_dir ? dir_bin_dirs : host_bin_dirs;
	tb.nbin_dirs =
	    o->toolbox_dir ? CTU_ARRAY_SIZE(dir_bin_dirs) : CTU_ARRAY_SIZE(host_bin_dirs);
	/* -e: open_target_extras() has read the target's environment already */
	if (check_privileges(err) < 0 || check_kernel(err) < 0 ||
	    check_other_mount_ns(o, t, err) < 0 || (o->join_cgroup && join_cgroups(o, t, err) < 0))
		return ctu_err_code(*err);
	r = step1_in_our_namespace(o, t, &tb, err);
	if (r == 0)
		r = enter_mount_ns_copy(o, t, err);
	if (r == 0)
		r = step3_build_root(o, t, &tb, err);
	toolbox_free(&tb);
	if (r < 0 || step4_enter_the_rest(o, t, err) < 0)
		return ctu_err_code(*err);
	/* -r's fd of the root, from our namespace: we are in the new one now */
	ctu_closep(&t->rootfd);
	ctu_closep(&t->wdfd);
	t->rootfd = t->wdfd = -1;
	close_target(t);
	return fork_if_needed(o, status, err);
}
