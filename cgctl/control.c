// SPDX-License-Identifier: GPL-2.0-or-later
/* control.c - cgctl's freeze, thaw, kill, wait and delete. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgctl.h"
#include "ctu.h"
#include "parse.h"
#include "proc.h"

/* ---- freeze, thaw, kill, wait, delete ------------------------------------------- */

/* v2 cgroup.freeze where it exists, else the v1 freezer. */
static int set_frozen(struct ctx *c, const char *path, bool frozen, int timeout_ms)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(&c->hs), *v1 = NULL;

	for (size_t i = 0; i < c->hs.n; i++)
		if (!c->hs.h[i].v2 && ctu_cg_hier_has(&c->hs.h[i], "freezer"))
			v1 = &c->hs.h[i];
	if (v2) {
		char d[CTU_CG_DIR_MAX];

		if (ctu_cg_has_file(ctu_cg_dir(v2, path, d), "cgroup.freeze")) {
			char file[CTU_CG_DIR_MAX + 16];
			int r;

			snprintf(file, sizeof(file), "%s/cgroup.freeze", d);
			r = ctu_write_file(AT_FDCWD, file, frozen ? "1" : "0");
			return r < 0 ? r : cgroup_wait_event(d, "frozen", frozen, timeout_ms);
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

static const struct option timeout_longopts[] = {
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* The options of freeze, thaw and wait: --timeout only; then the cgroup. */
static int timeout_options(struct ctx *c, int argc, char **argv, int *timeout_ms,
			   const char **path, ctu_err_t *err)
{
	struct ctu_getopt g = { 0 };
	int o;

	if (cmd_getopt_init(c, &g, argc, argv, "", timeout_longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1)
		if (o == '?' || parse_timeout_ms(optarg, timeout_ms, err) < 0)
			return ctu_err_code(*err);
	*path = argv[optind];
	return cmd_start(c, *path, true, err);
}

static int freeze_cmd(struct ctx *c, int argc, char **argv, bool frozen, ctu_err_t *err)
{
	const char *verb = frozen ? "freeze" : "thaw", *path = NULL;
	int timeout_ms = 10000, r;

	if (timeout_options(c, argc, argv, &timeout_ms, &path, err) < 0)
		return ctu_err_code(*err);
	r = set_frozen(c, path, frozen, timeout_ms);
	if (r == -ENODEV)
		return ctu_err_make(err, 0, "cannot %s %s: no cgroup.freeze and no freezer controller "
				    "here", verb, path);
	if (r == -ETIMEDOUT)
		return ctu_err_make(err, 0, "%s did not %s within the timeout", path, verb);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot %s %s", verb, path);
	return CTU_EXIT_OK;
}

int cmd_freeze(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	return freeze_cmd(c, argc, argv, true, err);
}

int cmd_thaw(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	return freeze_cmd(c, argc, argv, false, err);
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

/*
 * cgroup.kill for SIGKILL (Linux 5.14): the kernel kills the whole subtree,
 * forks included.  Otherwise freeze, signal each process, thaw, so that no
 * process escapes by forking meanwhile.
 */
static void kill_cgroup(struct ctx *c, const char *path, int sig, bool recursive)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(&c->hs);
	char d[CTU_CG_DIR_MAX];
	bool frozen;

	if (v2 && sig == SIGKILL) {
		char vd[CTU_CG_DIR_MAX], file[CTU_CG_DIR_MAX + 16];

		snprintf(file, sizeof(file), "%s/cgroup.kill", ctu_cg_dir(v2, path, vd));
		if (ctu_cg_has_file(vd, "cgroup.kill") && ctu_write_file(AT_FDCWD, file, "1") == 0)
			return;
	}
	frozen = set_frozen(c, path, true, 2000) == 0;
	signal_all(ctu_cg_dir(&c->hs.h[0], path, d), recursive, sig);
	if (frozen)
		set_frozen(c, path, false, 2000);
}

int cmd_kill(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "recursive", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctu_getopt g = { 0 };
	int sig = SIGKILL, o;
	bool recursive = false;
	const char *path;

	if (cmd_getopt_init(c, &g, argc, argv, "s:r", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1) {
		if (o == '?')
			return ctu_err_code(*err);
		if (o == 'r')
			recursive = true;
		else if (ctu_parse_signal(optarg, &sig) < 0)
			return ctu_err_usage(err, "unknown signal '%s'", optarg);
	}
	path = argv[optind];
	if (cmd_start(c, path, true, err) < 0)
		return ctu_err_code(*err);
	kill_cgroup(c, path, sig, recursive);
	return CTU_EXIT_OK;
}

/* Until no process is left: cgroup.events on v2, polling cgroup.procs on v1. */
static int wait_empty(struct ctx *c, const char *path, int timeout_ms)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(&c->hs);
	char d[CTU_CG_DIR_MAX], vd[CTU_CG_DIR_MAX];

	if (v2 && ctu_cg_has_file(ctu_cg_dir(v2, path, vd), "cgroup.events"))
		return cgroup_wait_event(vd, "populated", 0, timeout_ms);
	ctu_cg_dir(&c->hs.h[0], path, d);
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

int cmd_wait(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	int timeout_ms = -1, r;
	const char *path = NULL;

	if (timeout_options(c, argc, argv, &timeout_ms, &path, err) < 0)
		return ctu_err_code(*err);
	r = wait_empty(c, path, timeout_ms);
	if (r == -ETIMEDOUT)
		return ctu_err_make(err, 0, "%s still has processes after the timeout", path);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot wait for %s", path);
	return CTU_EXIT_OK;
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

int delete_cgroup(struct ctx *c, const char *path, bool recursive, bool kill_first,
		  int timeout_ms, ctu_err_t *err)
{
	char d[CTU_CG_DIR_MAX];
	int r;

	if (kill_first) {
		kill_cgroup(c, path, SIGKILL, true);
		if (wait_empty(c, path, timeout_ms) < 0)
			return ctu_err_make(err, 0, "the processes of %s did not end within the timeout",
					    path);
	}
	r = check_no_processes(ctu_cg_dir(&c->hs.h[0], path, d), path, recursive, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->hs.n; i++) {
		r = remove_tree(ctu_cg_dir(&c->hs.h[i], path, d), recursive,
				    kill_first ? 500 : 50);

		if (r == -EBUSY && !recursive)
			return ctu_err_make(err, 0, "cannot delete %s (%s): it has child cgroups; use -r",
					    path, d);
		if (r < 0)
			return ctu_err_make(err, -r, "cannot delete %s (%s)", path, d);
	}
	return 0;
}

int cmd_delete(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "kill", no_argument, NULL, OPT_KILL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ NULL, 0, NULL, 0 },
	};
	struct ctu_getopt g = { 0 };
	bool recursive = false, kill_first = false;
	int timeout_ms = 10000, o;
	const char *path;

	if (cmd_getopt_init(c, &g, argc, argv, "r", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1) {
		if (o == '?' || (o == OPT_TIMEOUT && parse_timeout_ms(optarg, &timeout_ms, err) < 0))
			return ctu_err_code(*err);
		recursive |= o == 'r';
		kill_first |= o == OPT_KILL;
	}
	path = argv[optind];
	if (cmd_start(c, path, true, err) < 0 ||
	    delete_cgroup(c, path, recursive, kill_first, timeout_ms, err) < 0)
		return ctu_err_code(*err);
	return CTU_EXIT_OK;
}
