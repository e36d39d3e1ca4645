// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sweep.c - the directories --tmpfs-upper leaves behind.  The tmpfs of an
 * overlay made in a private mount namespace (the usual case: unshare-lite
 * -m ... ovlmount --tmpfs-upper) is mounted in that namespace only, on a
 * directory of the host's /run.  When the namespace dies the mount goes with
 * it, but nothing removes the directory.  So every --tmpfs-upper and
 * --umount first removes the directories under TMPFS_UPPER_BASE that no
 * living mount namespace has a mount on.
 *
 * A namespace's mounts are read from /proc/PID/mountinfo of one of its
 * processes, once per namespace.  The mount points are relative to that
 * process's root: a namespace all of whose processes are chrooted or
 * pivoted does not show a mount on the host's TMPFS_UPPER_BASE, and after
 * pivot_root there is none (the old root, which held it, is detached).
 * The overlay holds its own reference to the tmpfs, so removing the
 * directory never takes a container's upper layer away.  A lock on the
 * base directory keeps a sweep from removing the directory another
 * ovlmount has just made and not yet mounted on.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "ctu.h"
#include "mnt.h"
#include "ovlmount.h"

/* The names under TMPFS_UPPER_BASE that some namespace has a mount on. */
struct names {
	char **v;
	size_t n;
};

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static bool names_has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static int names_add(struct names *s, const char *name, size_t len)
{
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->v = v;
	if (!(s->v[s->n] = strndup(name, len)))
		return -ENOMEM;
	s->n++;
	return 0;
}

/* mountinfo's fifth field, "/run/ctutils/ovlmount/NAME[/...]": NAME, its length. */
static const char *name_under_base(const char *line, size_t *len)
{
	const char *p = line;
	const char *dir = tmpfs_upper_base();
	size_t base = strlen(dir);

	for (int field = 0; field < 4 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || strncmp(p, dir, base) != 0 || p[base] != '/')
		return NULL;
	p += base + 1;
	*len = strcspn(p, " /");
	return *len ? p : NULL;
}

/*
 * A process that exited meanwhile (ENOENT, ESRCH), or one that even root may
 * not look into (EACCES, EPERM: another user namespace's, an outer sandbox's):
 * it cannot have run ovlmount on our /run, so its namespace is passed over.
 */
static bool gone_or_not_ours(int e)
{
	return e == ENOENT || e == ESRCH || e == EACCES || e == EPERM;
}

/*
 * Adds the names the mount namespace of /proc/@pid has mounts on.  Returns
 * 0 (also when the process exited meanwhile), or -errno when its mounts
 * could not be read: then nothing may be swept, they might be there.
 */
static int add_mounted_names(int procfd, const char *pid, struct names *mounted)
{
	char path[300], *line = NULL;
	size_t size = 0;
	FILE *f;
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/mountinfo", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gone_or_not_ours(errno) ? 0 : -errno;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return -ENOMEM;
	}
	while (r == 0 && getline(&line, &size, f) > 0) {
		size_t len;
		const char *name = name_under_base(line, &len);

		if (name)
			r = names_add(mounted, name, len);
	}
	if (r == 0 && ferror(f) && errno != ESRCH)
		r = -EIO;
	free(line);
	fclose(f);
	return r;
}

/*
 * Every living mount namespace's mounts under the base, each namespace once.
 * Any namespace that cannot be read fails it all (-errno): sweep nothing.
 */
static int collect_mounted_names(struct names *mounted)
{
	_cleanup_closedir_ DIR *proc = opendir("/proc");
	ino_t *seen = NULL;
	size_t n_seen = 0;
	struct dirent *d;
	int r;

	if (!proc)
		return -errno;
	while ((d = readdir(proc))) {
		char path[300];
		struct stat st;
		bool known = false;
		ino_t *more;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/ns/mnt", d->d_name);
		if (fstatat(dirfd(proc), path, &st, 0) < 0) {
			if (gone_or_not_ours(errno))
				continue;
			free(seen);
			return -errno; /* a namespace we cannot read may hold a mount */
		}
		for (size_t i = 0; i < n_seen && !known; i++)
			known = seen[i] == st.st_ino;
		if (known)
			continue;
		more = realloc(seen, (n_seen + 1) * sizeof(*seen));
		if (!more) {
			free(seen);
			return -ENOMEM;
		}
		seen = more;
		seen[n_seen++] = st.st_ino;
		r = add_mounted_names(dirfd(proc), d->d_name, mounted);
		if (r < 0) {
			free(seen);
			return r;
		}
	}
	free(seen);
	return 0;
}

/* Removes the base's empty directories that no namespace has a mount on. */
static void remove_unmounted(int basefd, const struct names *mounted)
{
	_cleanup_closedir_ DIR *dir = NULL;
	int fd = fcntl(basefd, F_DUPFD_CLOEXEC, 3);
	struct dirent *d;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dir)))
		if (d->d_type == DT_DIR && d->d_name[0] != '.' && !names_has(mounted, d->d_name))
			unlinkat(basefd, d->d_name, AT_REMOVEDIR); /* only an empty one goes */
}

int tmpfs_base_lock(void)
{
	int fd = open(tmpfs_upper_base(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

void tmpfs_sweep(int basefd)
{
	struct names mounted = { 0 };

	if (collect_mounted_names(&mounted) == 0)
		remove_unmounted(basefd, &mounted);
	names_free(&mounted);
}
