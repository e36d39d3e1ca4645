// SPDX-License-Identifier: GPL-2.0-or-later
/* control.c - cgctl's freeze, thaw, kill, wait and delete. */
#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgctl.h"
#include "ctu.h"
#include "parse.h"
#include "proc.h"
#include "settings.h"

/* ---- freeze, thaw, kill, wait, delete ------------------------------------------- */

/* v2 cgroup.freeze where it exists, else the v1 freezer. */
static int set_frozen(struct ctx *c, const char *path, bool frozen, int timeout_ms)
{
	struct hier *v2 = hier_v2(&c->hs), *v1 = NULL;

	for (size_t i = 0; i < c->hs.n; i++)
		if (!c->hs.h[i].v2 && hier_has(&c->hs.h[i], "freezer"))
			v1 = &c->hs.h[i];
	if (v2) {
		_cleanup_free_ char *d = dir_of(v2, path);

		if (cgroup_has_file(d, "cgroup.freeze")) {
			char file[1400];
			int r;

			snprintf(file, sizeof(file), "%s/cgroup.freeze", d);
			r = ctu_write_file(AT_FDCWD, file, frozen ? "1" : "0");
			return r < 0 ? r : cgroup_wait_event(d, "frozen", frozen, timeout_ms);
		}
	}
	if (v1) {
		_cleanup_free_ char *d = dir_of(v1, path);
		const char *want = frozen ? "FROZEN" : "THAWED";
		char file[1400], state[32];
		int r;

		snprintf(file, sizeof(file), "%s/freezer.state", d);
		r = ctu_write_file(AT_FDCWD, file, want);
		for (int waited = 0; r == 0; waited += 10) {
			if (read_file_trimmed(d, "freezer.state", state, sizeof(state)) == 0 &&
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

static int freeze_cmd(struct ctx *c, int argc, char **argv, bool frozen)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int timeout_ms = 10000, r;
	const char *path;

	while (next_opt(argc, argv, "", longopts) != -1)
		timeout_ms = (int)parse_timeout_ms(optarg);
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	r = set_frozen(c, path, frozen, timeout_ms);
	if (r == -ENODEV)
		ctu_die("cannot %s %s: no cgroup.freeze and no freezer controller here",
			frozen ? "freeze" : "thaw", path);
	if (r == -ETIMEDOUT)
		ctu_die("%s did not %s within the timeout", path, frozen ? "freeze" : "thaw");
	if (r < 0)
		ctu_die("cannot %s %s: %s", frozen ? "freeze" : "thaw", path, strerror(-r));
	return CTU_EXIT_OK;
}

int cmd_freeze(struct ctx *c, int argc, char **argv)
{
	return freeze_cmd(c, argc, argv, true);
}

int cmd_thaw(struct ctx *c, int argc, char **argv)
{
	return freeze_cmd(c, argc, argv, false);
}

/* Signals every process, through a pidfd so a recycled pid is never hit. */
static void signal_all(const char *dir, bool recursive, int sig)
{
	pid_t *pids = NULL;
	size_t n = 0;

	cgroup_pids(dir, recursive, &pids, &n);
	for (size_t i = 0; i < n; i++) {
		int fd = ctu_pidfd_open(pids[i], 0);

		if (fd >= 0) {
			ctu_pidfd_send_signal(fd, sig);
			close(fd);
		}
	}
	free(pids);
}

/*
 * cgroup.kill for SIGKILL (Linux 5.14): the kernel kills the whole subtree,
 * forks included.  Otherwise freeze, signal each process, thaw, so that no
 * process escapes by forking meanwhile.
 */
static void kill_cgroup(struct ctx *c, const char *path, int sig, bool recursive)
{
	struct hier *v2 = hier_v2(&c->hs);
	_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);
	bool frozen;

	if (v2 && sig == SIGKILL) {
		_cleanup_free_ char *vd = dir_of(v2, path);
		char file[1400];

		snprintf(file, sizeof(file), "%s/cgroup.kill", vd);
		if (cgroup_has_file(vd, "cgroup.kill") && ctu_write_file(AT_FDCWD, file, "1") == 0)
			return;
	}
	frozen = set_frozen(c, path, true, 2000) == 0;
	signal_all(d, recursive, sig);
	if (frozen)
		set_frozen(c, path, false, 2000);
}

int cmd_kill(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "recursive", no_argument, NULL, 'r' },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int sig = SIGKILL, o;
	bool recursive = false;
	const char *path;

	while ((o = next_opt(argc, argv, "s:r", longopts)) != -1) {
		if (o == 'r')
			recursive = true;
		else if (ctu_parse_signal(optarg, &sig) < 0)
			ctu_usage_error("unknown signal '%s'", optarg);
	}
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	kill_cgroup(c, path, sig, recursive);
	return CTU_EXIT_OK;
}

/* Until no process is left: cgroup.events on v2, polling cgroup.procs on v1. */
static int wait_empty(struct ctx *c, const char *path, int timeout_ms)
{
	struct hier *v2 = hier_v2(&c->hs);
	_cleanup_free_ char *d = dir_of(&c->hs.h[0], path);

	if (v2) {
		_cleanup_free_ char *vd = dir_of(v2, path);

		if (cgroup_has_file(vd, "cgroup.events"))
			return cgroup_wait_event(vd, "populated", 0, timeout_ms);
	}
	for (int waited = 0;; waited += 50) {
		pid_t *p = NULL;
		size_t n = 0;

		cgroup_pids(d, true, &p, &n);
		free(p);
		if (!n)
			return 0;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(50000);
	}
}

int cmd_wait(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int timeout_ms = -1, r;
	const char *path;

	while (next_opt(argc, argv, "", longopts) != -1)
		timeout_ms = (int)parse_timeout_ms(optarg);
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	r = wait_empty(c, path, timeout_ms);
	if (r == -ETIMEDOUT)
		ctu_die("%s still has processes after the timeout", path);
	if (r < 0)
		ctu_die("cannot wait for %s: %s", path, strerror(-r));
	return CTU_EXIT_OK;
}

/* rmdir children first; EBUSY (a process just exiting) retried for a while. */
static int remove_tree(const char *dir, bool recursive, int tries)
{
	if (recursive) {
		_cleanup_closedir_ DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char sub[1400];
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

int cmd_delete(struct ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "kill", no_argument, NULL, OPT_KILL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		OUTPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bool recursive = false, kill_first = false;
	int timeout_ms = 10000, o;
	const char *path;
	_cleanup_free_ char *d = NULL;
	pid_t *pids = NULL;
	size_t n = 0;

	while ((o = next_opt(argc, argv, "r", longopts)) != -1) {
		if (o == 'r')
			recursive = true;
		else if (o == OPT_KILL)
			kill_first = true;
		else
			timeout_ms = (int)parse_timeout_ms(optarg);
	}
	path = path_or_die(argv[optind]);
	require_cgroup(c, path);
	d = dir_of(&c->hs.h[0], path);
	if (kill_first) {
		kill_cgroup(c, path, SIGKILL, true);
		if (wait_empty(c, path, timeout_ms) < 0)
			ctu_die("the processes of %s did not end within the timeout", path);
	}
	cgroup_pids(d, recursive, &pids, &n);
	if (n) {
		ctu_die("cgroup %s has processes (%d%s): stop them first, or use --kill", path,
			(int)pids[0], n > 1 ? ", ..." : "");
	}
	free(pids);
	for (size_t i = 0; i < c->hs.n; i++) {
		_cleanup_free_ char *hd = dir_of(&c->hs.h[i], path);
		int r = remove_tree(hd, recursive, kill_first ? 500 : 50);

		if (r == -EBUSY && !recursive)
			ctu_die("cannot delete %s (%s): it has child cgroups; use -r", path, hd);
		if (r < 0)
			ctu_die("cannot delete %s (%s): %s", path, hd, strerror(-r));
	}
	return CTU_EXIT_OK;
}

