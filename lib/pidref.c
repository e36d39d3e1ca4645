// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pidref.c - a process named so that a recycled PID is refused (see pidref.h).
 *
 * The order of the check matters: the pidfd first (it pins the process),
 * then what /proc/PID says of it, then the pidfd checked alive.  If the
 * pidfd's process is alive after the read, /proc/PID was that process's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "ctu.h"
#include "parse.h"
#include "pidref.h"
#include "proc.h"

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446
#endif

/* How much later than its pid file a plain PID's process may have started. */
#define PIDFILE_SLACK_SECONDS 2

static int parse_pid(const char *s, size_t len, pid_t *pid)
{
	char buf[16];
	int64_t v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (ctu_parse_s64_range(buf, 1, INT32_MAX, &v) < 0)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int ctu_pidref_parse(const char *s, struct ctu_pidref *ref, ctu_err_t *err)
{
	size_t n = strcspn(s, "@:");
	struct ctu_pidref r = { .kind = CTU_PIDREF_PLAIN };

	if (parse_pid(s, n, &r.pid) < 0)
		return ctu_err_usage(err, "invalid target pid: '%s'", s);
	if (s[n] == '@') {
		r.kind = CTU_PIDREF_START;
		if (ctu_parse_u64(s + n + 1, &r.start) < 0)
			return ctu_err_usage(err, "invalid start time in '%s': PID@STARTTIME wants "
					     "field 22 of /proc/PID/stat", s);
	} else if (s[n] == ':') {
		r.kind = CTU_PIDREF_INODE;
		if (ctu_parse_u64_range(s + n + 1, 1, UINT64_MAX, &r.inode) < 0)
			return ctu_err_usage(err, "invalid inode in '%s': PID:INODE wants the "
					     "pidfs inode of the process", s);
	}
	*ref = r;
	return 0;
}

/* Counted after the last ')', as comm may hold anything. */
int ctu_stat_field(const char *line, int field, uint64_t *value)
{
	const char *p = strrchr(line, ')');
	char *end;

	if (!p || field < 3)
		return -EINVAL;
	p++;
	/* fields 3 to field - 1 come first: skip them */
	for (int skipped = 3; skipped < field; skipped++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
		if (!*p)
			return -EINVAL;
	}
	p += strspn(p, " ");
	errno = 0;
	*value = strtoull(p, &end, 10);
	if (errno || end == p)
		return -EINVAL;
	return 0;
}

int ctu_stat_start_time(const char *line, uint64_t *start)
{
	return ctu_stat_field(line, 22, start);
}

int ctu_proc_start_time_at(int procfd, uint64_t *start)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = ctu_read_file(procfd, "stat", &buf, &len);

	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	return ctu_stat_start_time(buf, start);
}

int ctu_proc_state(pid_t pid, char *state, pid_t *ppid)
{
	_cleanup_free_ char *buf = NULL;
	char path[32];
	const char *p;
	int parent, r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = ctu_read_file(AT_FDCWD, path, &buf, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* ") S PPID ...": the comm may hold anything, the last ')' ends it */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", state, &parent) != 2)
		return -EINVAL;
	*ppid = (pid_t)parent;
	return 0;
}

int ctu_proc_start_time(pid_t pid, uint64_t *start)
{
	char path[32];
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	r = ctu_proc_start_time_at(fd, start);
	close(fd);
	return r;
}

int ctu_pidref_format_now(pid_t pid, char *buf, size_t size)
{
	uint64_t start = 0;
	int r = ctu_proc_start_time(pid, &start);

	if (r < 0)
		return r;
	snprintf(buf, size, "%d@%" PRIu64, (int)pid, start);
	return 0;
}

int ctu_pidfd_inode(int pidfd, uint64_t *inode)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(pidfd, &sfs) < 0 || fstat(pidfd, &st) < 0)
		return -errno;
	/* before pidfs every pidfd is the one anon_inode: its number names nobody */
	if ((unsigned long)sfs.f_type != PID_FS_MAGIC)
		return -ENOSYS;
	*inode = (uint64_t)st.st_ino;
	return 0;
}

static int gone(const struct ctu_pidref *ref, ctu_err_t *err)
{
	return ctu_err_make(err, ESRCH, "cannot open process %d", (int)ref->pid);
}

/* PID@START and PID:INODE against the process that has the PID now. */
static int check_identity(const struct ctu_pidref *ref, int pidfd, ctu_err_t *err)
{
	uint64_t now = 0;
	int r;

	if (ref->kind == CTU_PIDREF_START) {
		r = ctu_proc_start_time(ref->pid, &now);
		if (r == -ESRCH)
			return gone(ref, err);
		if (r < 0)
			return ctu_err_make(err, -r, "cannot read /proc/%d/stat", (int)ref->pid);
		if (now != ref->start)
			return ctu_err_make(err, 0, "process %d is not %d@%" PRIu64 " (it started at %"
					    PRIu64 "): the PID was reused; nothing was entered",
					    (int)ref->pid, (int)ref->pid, ref->start, now);
	} else if (ref->kind == CTU_PIDREF_INODE) {
		r = pidfd < 0 ? -ENOSYS : ctu_pidfd_inode(pidfd, &now);
		if (r == -ENOSYS)
			return ctu_err_usage(err, "PID:INODE needs Linux 6.9 (pidfs); use PID@STARTTIME");
		if (r < 0)
			return ctu_err_make(err, -r, "cannot stat the pidfd of process %d",
					    (int)ref->pid);
		if (now != ref->inode)
			return ctu_err_make(err, 0, "process %d is not %d:%" PRIu64 " (its inode is %"
					    PRIu64 "): the PID was reused; nothing was entered",
					    (int)ref->pid, (int)ref->pid, ref->inode, now);
	}
	return 0;
}

int ctu_pidref_open(const struct ctu_pidref *ref, ctu_err_t *err)
{
	int pidfd = ctu_pidfd_open(ref->pid, 0);

	if (pidfd < 0 && errno == ESRCH)
		return gone(ref, err);
	if (pidfd < 0 && errno != ENOSYS)
		return ctu_err_errno(err, "cannot open process %d", (int)ref->pid);
	if (check_identity(ref, pidfd, err) < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return ctu_err_code(*err);
	}
	if (pidfd < 0)
		return -ENOSYS;
	if (ctu_pidfd_send_signal(pidfd, 0) < 0 && errno == ESRCH) {
		close(pidfd);
		return gone(ref, err);
	}
	return pidfd;
}

uint64_t ctu_ticks_since_boot(const struct timespec *wall)
{
	struct timespec now, boot;
	long hz = sysconf(_SC_CLK_TCK);
	double since;

	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	/* wall - (now - boot): the boot clock's reading at @wall */
	since = (double)(wall->tv_sec - now.tv_sec + boot.tv_sec) +
		(double)(wall->tv_nsec - now.tv_nsec + boot.tv_nsec) / 1e9;
	if (since < 0)
		return 0;
	return (uint64_t)(since * (double)(hz > 0 ? hz : 100));
}

/* The 2 s rule: a plain PID whose process is younger than its file is someone else. */
static int check_not_younger(const char *path, const struct stat *st, struct ctu_pidref *ref,
			     ctu_err_t *err)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t start = 0, written = ctu_ticks_since_boot(&st->st_mtim);
	int r = ctu_proc_start_time(ref->pid, &start);

	if (r == -ESRCH)
		return gone(ref, err);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot read /proc/%d/stat", (int)ref->pid);
	if (hz <= 0)
		hz = 100;
	if (start > written + (uint64_t)(PIDFILE_SLACK_SECONDS * hz))
		return ctu_err_make(err, 0, "pid file %s names process %d, which started %" PRIu64
				    " s after the file was written: the PID was reused; nothing "
				    "was entered", path, (int)ref->pid, (start - written) / (uint64_t)hz);
	/* from here on the start time pins it */
	ref->kind = CTU_PIDREF_START;
	ref->start = start;
	return 0;
}

int ctu_pidref_from_file(int dirfd, const char *path, struct ctu_pidref *ref, ctu_err_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char buf[CTU_PIDREF_MAX + 2];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return ctu_err_errno(err, "cannot read pid file %s", path);
	if (!S_ISREG(st.st_mode))
		return ctu_err_make(err, 0, "invalid pid file %s: not a regular file", path);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return ctu_err_errno(err, "cannot read pid file %s", path);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strlen(buf) > CTU_PIDREF_MAX)
		return ctu_err_make(err, 0, "invalid pid file %s: its first line is over %d bytes",
				    path, CTU_PIDREF_MAX);
	if (ctu_pidref_parse(buf, ref, err) < 0) {
		ctu_err_free(err);
		return ctu_err_make(err, 0, "invalid pid file %s: it holds no pid", path);
	}
	if (ref->kind == CTU_PIDREF_PLAIN)
		return check_not_younger(path, &st, ref, err);
	return 0;
}
