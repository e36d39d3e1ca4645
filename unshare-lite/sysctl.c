// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctl.c - --sysctl K=V: kernel parameters of the new namespaces, written
 * by the inside process through /proc/sys before the program runs.
 *
 * Only keys that belong to a namespace are taken (runc's list: the System V
 * IPC and POSIX message queue ones, net.*, the UTS names), and only when
 * that namespace is not the host's: a new one, or a joined one (a chain
 * that entered a network namespace by path first and exec'd us).  /proc/sys resolves these keys by
 * the writer's namespaces, not by the proc mount's, so the host's /proc in a new mount namespace is
 * fine.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "ctu.h"
#include "mnt.h"
#include "unshare-lite.h"

/* The longest key and value taken: far above any real one. */
#define MAX_SYSCTL_KEY	 256
#define MAX_SYSCTL_VALUE 4096

/* Which namespace a key belongs to: its prefix (or the whole key, when exact). */
static const struct {
	const char *key;
	bool exact;
	int ns;
} namespaced_keys[] = {
	{ "kernel.msg", false, CLONE_NEWIPC },
	{ "kernel.sem", true, CLONE_NEWIPC },
	{ "kernel.shm", false, CLONE_NEWIPC },
	{ "fs.mqueue.", false, CLONE_NEWIPC },
	{ "net.", false, CLONE_NEWNET },
	{ "kernel.hostname", true, CLONE_NEWUTS },
	{ "kernel.domainname", true, CLONE_NEWUTS },
};

/* The namespace (CLONE_NEW*) of @key, of its first @len bytes, or 0. */
static int key_namespace(const char *key, size_t len)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(namespaced_keys); i++) {
		size_t n = strlen(namespaced_keys[i].key);

		if (len < n || strncmp(key, namespaced_keys[i].key, n) != 0)
			continue;
		if (!namespaced_keys[i].exact || len == n)
			return namespaced_keys[i].ns;
	}
	return 0;
}

/* Dot-separated names of [A-Za-z0-9_-]: no "..", no '/', nothing empty. */
static bool key_is_well_formed(const char *key, size_t len)
{
	bool empty_part = true;

	for (size_t i = 0; i < len; i++) {
		char c = key[i];

		if (c == '.') {
			if (empty_part)
				return false;
			empty_part = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
		empty_part = false;
	}
	return !empty_part;
}

int sysctl_option(struct opts *o, const char *arg, ctu_err_t *err)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : 0;

	if (!eq || len == 0)
		return ctu_err_usage(err, "invalid --sysctl '%s': expected <key>=<value>", arg);
	if (len > MAX_SYSCTL_KEY || !key_is_well_formed(arg, len))
		return ctu_err_usage(err, "invalid --sysctl key '%.*s%s'",
				     (int)(len > 64 ? 64 : len), arg, len > 64 ? "..." : "");
	if (!key_namespace(arg, len))
		return ctu_err_usage(
		    err,
		    "--sysctl %.*s: not a namespaced key (kernel.msg*, kernel.sem, "
		    "kernel.shm*, fs.mqueue.*, net.*, kernel.hostname, "
		    "kernel.domainname)",
		    (int)len, arg);
	if (strlen(eq + 1) > MAX_SYSCTL_VALUE || strchr(eq + 1, '\n'))
		return ctu_err_usage(err,
				     "invalid --sysctl %.*s value: one line of at most %d bytes",
				     (int)len, arg, MAX_SYSCTL_VALUE);
	if (o->n_sysctls == MAX_SYSCTLS)
		return ctu_err_usage(err, "too many --sysctl options (at most %d)", MAX_SYSCTLS);
	o->sysctls[o->n_sysctls++] = arg;
	return 0;
}

/* Whether /proc/@who/ns/@name is @ours: 1, 0, or -1 when unreadable. */
static int same_ns(const char *who, const char *name, const struct stat *ours)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", who, name);
	if (stat(path, &st) < 0)
		return -1;
	return st.st_ino == ours->st_ino && st.st_dev == ours->st_dev;
}

/*
 * Whether our namespace of type @name is the host's: PID 1's, or where that
 * cannot be read (no CAP_SYS_PTRACE over it) our parent's, which is not
 * ours when a tool entered one and exec'd us.  Unreadable counts as the host's.
 */
static bool ns_is_hosts(const char *name)
{
	char ours[64], parent[24];
	struct stat st;
	int r;

	snprintf(ours, sizeof(ours), "/proc/self/ns/%s", name);
	if (stat(ours, &st) < 0)
		return true;
	r = same_ns("1", name, &st);
	if (r < 0) {
		snprintf(parent, sizeof(parent), "%d", (int)getppid());
		r = same_ns(parent, name, &st);
	}
	return r != 0;
}

int sysctl_check_namespaces(const struct opts *o, ctu_err_t *err)
{
	for (size_t i = 0; i < o->n_sysctls; i++) {
		const char *kv = o->sysctls[i];
		size_t len = (size_t)(strchr(kv, '=') - kv);
		const struct ctu_ns_type *t = ctu_ns_by_flag(key_namespace(kv, len));

		if ((o->ns_flags & t->clone_flag) || !ns_is_hosts(t->name))
			continue;
		return ctu_err_usage(err,
				     "--sysctl %.*s needs a new %s namespace (%s): it would "
				     "change the host's",
				     (int)len, kv, t->name,
				     t->clone_flag == CLONE_NEWNET   ? "-n"
				     : t->clone_flag == CLONE_NEWIPC ? "-i"
								     : "-u");
	}
	return 0;
}

/* /proc/sys, checked to be a proc filesystem (not something mounted over it). */
static int open_proc_sys(ctu_err_t *err)
{
	int fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0)
		return ctu_err_errno(err, "--sysctl: cannot open /proc/sys");
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return ctu_err_make(err, 0, "--sysctl: /proc/sys is not on a proc filesystem");
	}
	return fd;
}

/* K=V: the file K with dots as slashes, below /proc/sys and nowhere else. */
static int write_one(int sysfd, const char *kv, ctu_err_t *err)
{
	const char *eq = strchr(kv, '=');
	size_t len = (size_t)(eq - kv);
	char path[MAX_SYSCTL_KEY + 1];
	_cleanup_close_ int fd = -1;
	size_t vlen = strlen(eq + 1);

	memcpy(path, kv, len);
	path[len] = '\0';
	for (char *p = path; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = ctu_openat2(sysfd, path, O_WRONLY | O_NOFOLLOW,
			 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return ctu_err_make(err, -fd, "--sysctl: cannot open /proc/sys/%s", path);
	if (write(fd, eq + 1, vlen) != (ssize_t)vlen)
		return ctu_err_errno(err, "--sysctl: cannot set %.*s to '%s'", (int)len, kv,
				     eq + 1);
	ctu_debug("sysctl %.*s = %s", (int)len, kv, eq + 1);
	return 0;
}

int write_sysctls(const struct opts *o, ctu_err_t *err)
{
	_cleanup_close_ int sysfd = -1;

	if (!o->n_sysctls)
		return 0;
	sysfd = open_proc_sys(err);
	if (sysfd < 0)
		return sysfd;
	for (size_t i = 0; i < o->n_sysctls; i++)
		if (write_one(sysfd, o->sysctls[i], err) < 0)
			return ctu_err_code(*err);
	return 0;
}
