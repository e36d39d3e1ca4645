// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgend.c - the end of a cgroup's life: freeze, kill, wait until empty,
 * remove (see cgend.h).  cgctl's freeze, thaw, kill, wait and delete, its
 * exec --rm, and ctrun's delete, all in-process, share it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgend.h"
#include "ctu.h"
#include "proc.h"

static int event_value(int fd, const char *key)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	size_t len = strlen(key);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return atoi(p + len + 1);
	return -ENOENT;
}

int ctu_cg_wait_event(const char *dir, const char *key, int value, int timeout_ms)
{
	char path[CTU_CG_DIR_MAX + 64];
	_cleanup_close_ int fd = -1;
	struct timespec start, now;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		int v = event_value(fd, key), left = -1;

		if (v < 0)
			return v;
		if (v == value)
			return 0;
		if (timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left = timeout_ms - (int)((now.tv_sec - start.tv_sec) * 1000 +
						  (now.tv_nsec - start.tv_nsec) / 1000000);
			if (left <= 0)
				return -ETIMEDOUT;
		}
		/* cgroup.events signals a change with POLLPRI; wake now and then anyway */
		if (poll(&p, 1, left < 0 || left > 100 ? 100 : left) < 0 && errno != EINTR)
			return -errno;
	}
}

int ctu_cg_set_frozen(struct ctu_cg_hiers *hs, const char *path, bool frozen, int timeout_ms)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(hs), *v1 = NULL;

	for (size_t i = 0; i < hs->n; i++)
		if (!hs->h[i].v2 && ctu_cg_hier_has(&hs->h[i], "freezer"))
			v1 = &hs->h[i];
	if (v2) {
		char d[CTU_CG_DIR_MAX];

		if (ctu_cg_has_file(ctu_cg_dir(v2, path, d), "cgroup.freeze")) {
			char file[CTU_CG_DIR_MAX + 16];
			int r;

			snprintf(file, sizeof(file), "%s/cgroup.freeze", d);
			r = ctu_write_file(AT_FDCWD, file, frozen ? "1" : "0");
			return r < 0 ? r : ctu_cg_wait_event(d, "frozen", frozen, timeout_ms);
		}
	}
	if (v1) {
		const char *want = frozen ? "FROZEN" : "THAWED";
		char d[CTU_CG_DIR_MAX], file[CTU_CG_DIR_MAX + 16], state[32];
		int r;

		ctu_cg_dir(v1, path, d);
		snprintf(file, sizeof(file), "%s/freezer.state", d);
		r = ctu_write_file(AT_FDCWD, file, want);
		for (int waited = 0; r == 0; waited += 10) {
			if (ctu_cg_read_line(d, "freezer.state", state, sizeof(state)) == 0 &&
			    !strcmp(state, want))
				return 0;
			if (timeout_ms >= 0 && waited >= timeout_ms)
				return -ETIMEDOUT;
			usleep(10000);
		}
		return r;
	}
	return -ENODEV;
}

/* Signals every process, through a pidfd so a recycled pid is never hit. */
static void signal_all(const char *dir, bool recursive, int sig)
{
	pid_t *pids = NULL;
	size_t n = 0;

	ctu_cg_pids(dir, recursive, &pids, &n);
	for (size_t i = 0; i < n; i++) {
		int fd = ctu_pidfd_open(pids[i], 0);

		if (fd >= 0) {
			ctu_pidfd_send_signal(fd, sig);
			close(fd);
		}
	}
	free(pids);
}

void ctu_cg_kill(struct ctu_cg_hiers *hs, const char *path, int sig, bool recursive)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(hs);
	char d[CTU_CG_DIR_MAX];
	bool frozen;

	if (v2 && sig == SIGKILL) {
		char vd[CTU_CG_DIR_MAX], file[CTU_CG_DIR_MAX + 16];

		snprintf(file, sizeof(file), "%s/cgroup.kill", ctu_cg_dir(v2, path, vd));
		if (ctu_cg_has_file(vd, "cgroup.kill") && ctu_write_file(AT_FDCWD, file, "1") == 0)
			return;
	}
	frozen = ctu_cg_set_frozen(hs, path, true, 2000) == 0;
	signal_all(ctu_cg_dir(&hs->h[0], path, d), recursive, sig);
	if (frozen)
		ctu_cg_set_frozen(hs, path, false, 2000);
}

int ctu_cg_wait_empty(struct ctu_cg_hiers *hs, const char *path, int timeout_ms)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(hs);
	char d[CTU_CG_DIR_MAX], vd[CTU_CG_DIR_MAX];

	if (v2 && ctu_cg_has_file(ctu_cg_dir(v2, path, vd), "cgroup.events"))
		return ctu_cg_wait_event(vd, "populated", 0, timeout_ms);
	ctu_cg_dir(&hs->h[0], path, d);
	for (int waited = 0;; waited += 50) {
		pid_t *p = NULL;
		size_t n = 0;

		ctu_cg_pids(d, true, &p, &n);
		free(p);
		if (!n)
			return 0;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(50000);
	}
}

/* rmdir children first; EBUSY (a process just exiting) retried for a while. */
static int remove_tree(const char *dir, bool recursive, int tries)
{
	if (recursive) {
		_cleanup_closedir_ DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char sub[CTU_CG_DIR_MAX];
			int r;

			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
			r = remove_tree(sub, true, tries);
			if (r < 0)
				return r;
		}
	}
	for (int i = 0; rmdir(dir) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= tries)
			return -errno;
		usleep(10000);
	}
	return 0;
}

/* No process may be left in the cgroup (and below with @recursive). */
static int check_no_processes(const char *dir, const char *path, bool recursive, ctu_err_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	ctu_cg_pids(dir, recursive, &pids, &n);
	if (n)
		return ctu_err_make(err, 0, "cgroup %s has processes (%d%s): stop them first, or use "
				    "--kill", path, (int)pids[0], n > 1 ? ", ..." : "");
	return 0;
}

int ctu_cg_delete(struct ctu_cg_hiers *hs, const char *path, bool recursive, bool kill_first,
		  int timeout_ms, ctu_err_t *err)
{
	char d[CTU_CG_DIR_MAX];
	int r;

	if (kill_first) {
		ctu_cg_kill(hs, path, SIGKILL, true);
		if (ctu_cg_wait_empty(hs, path, timeout_ms) < 0)
			return ctu_err_make(err, 0, "the processes of %s did not end within the timeout",
					    path);
	}
	r = check_no_processes(ctu_cg_dir(&hs->h[0], path, d), path, recursive, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < hs->n; i++) {
		r = remove_tree(ctu_cg_dir(&hs->h[i], path, d), recursive,
				    kill_first ? 500 : 50);

		if (r == -EBUSY && !recursive)
			return ctu_err_make(err, 0, "cannot delete %s (%s): it has child cgroups; use -r",
					    path, d);
		if (r < 0)
			return ctu_err_make(err, -r, "cannot delete %s (%s)", path, d);
	}
	return 0;
}

