// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec.c - cgctl's attach and exec: processes moved into a cgroup, and
 * ourselves moved into a new one before we execute the program.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgctl.h"
#include "cgend.h"
#include "ctu.h"
#include "parse.h"
#include "proc.h"

/* Why @pid could not be moved into cgroup @path (@dir in one hierarchy). */
static int moving_error(pid_t pid, const char *path, const char *dir, int r, ctu_err_t *err)
{
	if (r == -ESRCH)
		return ctu_err_make(err, 0, "cannot move %d into %s: no such process", (int)pid, path);
	if (r == -EBUSY || r == -EOPNOTSUPP)
		return ctu_err_make(err, 0, "cannot move %d into %s (%s): the cgroup v2 'no internal "
				    "processes' rule: it has controllers enabled for children; use a "
				    "leaf cgroup", (int)pid, path, dir);
	return ctu_err_make(err, -r, "cannot move %d into %s (%s)", (int)pid, path, dir);
}

static int move_into(struct ctx *c, const char *path, pid_t pid, bool threads, ctu_err_t *err)
{
	for (size_t i = 0; i < c->hs.n; i++) {
		const struct ctu_cg_hier *h = &c->hs.h[i];
		const char *file = threads ? (h->v2 ? "cgroup.threads" : "tasks") : "cgroup.procs";
		char d[CTU_CG_DIR_MAX];
		int r;

		/* created with -c in some hierarchies only: those are the cgroup */
		if (access(ctu_cg_dir(h, path, d), F_OK) < 0)
			continue;
		r = cgroup_move(d, file, pid);
		if (r < 0)
			return moving_error(pid, path, d, r, err);
	}
	return 0;
}

int cmd_attach(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	static const struct option longopts[] = {
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ NULL, 0, NULL, 0 },
	};
	struct ctu_getopt g = { 0 };
	bool threads = false;
	const char *path;
	int o;

	if (cmd_getopt_init(c, &g, argc, argv, "", longopts, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&g, err)) != -1) {
		if (o == '?')
			return ctu_err_code(*err);
		threads = o == OPT_THREADS;
	}
	path = argv[optind];
	if (ctx_detect(c, err) < 0 || ctu_cg_path_check(path, err) < 0)
		return ctu_err_code(*err);
	if (optind + 1 >= argc)
		return ctu_err_usage(err, "no process given");
	for (int i = optind + 1; i < argc; i++) {
		int64_t pid;

		if (ctu_parse_s64_range(argv[i], 1, INT32_MAX, &pid) < 0)
			return ctu_err_usage(err, "invalid pid '%s'", argv[i]);
	}
	if (cmd_start(c, path, true, err) < 0)
		return ctu_err_code(*err);
	for (int i = optind + 1; i < argc; i++)
		if (move_into(c, path, (pid_t)atoi(argv[i]), threads, err) < 0)
			return ctu_err_code(*err);
	return CTU_EXIT_OK;
}

/*
 * exec: ourselves into the cgroup made for us in every hierarchy, or, when
 * one move fails, back where we were in those done so far.
 */
static int move_self(struct ctx *c, const char *path, bool v2_done, ctu_err_t *err)
{
	static char origin[CTU_ARRAY_SIZE(c->hs.h)][CTU_CG_DIR_MAX];
	pid_t self = getpid();

	for (size_t i = 0; i < c->hs.n; i++)
		ctu_cg_own_dir(&c->hs.h[i], origin[i], sizeof(origin[i]));
	for (size_t i = 0; i < c->hs.n; i++) {
		char d[CTU_CG_DIR_MAX];
		int r;

		if ((v2_done && c->hs.h[i].v2) || access(ctu_cg_dir(&c->hs.h[i], path, d), F_OK) < 0)
			continue;
		r = cgroup_move(d, "cgroup.procs", self);
		if (r == 0)
			continue;
		while (i-- > 0)
			cgroup_move(origin[i], "cgroup.procs", self);
		return moving_error(self, path, d, r, err);
	}
	return 0;
}

/* Whether the cgroup directory @dir of @h is frozen: cgroup.freeze (v2), freezer.state (v1). */
static bool is_frozen(const struct ctu_cg_hier *h, const char *dir)
{
	char state[32] = "";

	if (h->v2)
		return ctu_cg_read_line(dir, "cgroup.freeze", state, sizeof(state)) == 0 &&
		       strcmp(state, "1") == 0;
	return ctu_cg_hier_has(h, "freezer") &&
	       ctu_cg_read_line(dir, "freezer.state", state, sizeof(state)) == 0 &&
	       strcmp(state, "THAWED") != 0;
}

/*
 * exec --empty: a cgroup that exists must hold no process (below it
 * neither) and must not be frozen, wherever it is: a container's cgroup is
 * its own (ctrun's create).
 */
static int require_empty(struct ctx *c, const char *path, ctu_err_t *err)
{
	for (size_t i = 0; i < c->hs.n; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		char d[CTU_CG_DIR_MAX];
		size_t n = 0;

		if (access(ctu_cg_dir(&c->hs.h[i], path, d), F_OK) < 0)
			continue;
		if (ctu_cg_pids(d, true, &pids, &n) == 0 && n)
			return ctu_err_make(err, 0, "cgroup %s is not empty: process %d is in it (%s)",
					    path, (int)pids[0], d);
		if (is_frozen(&c->hs.h[i], d))
			return ctu_err_make(err, 0, "cgroup %s is frozen (%s)", path, d);
	}
	return 0;
}

/* exec's options: the settings, --preserve-fds, --empty and --rm, before and after PATH. */
struct exec_opts {
	struct settings all;
	unsigned int preserve_fds;
	bool empty;
	bool rm;
};

static const struct option exec_longopts[] = {
	SETTINGS_LONGOPTS,
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "empty", no_argument, NULL, OPT_EMPTY },
	{ "rm", no_argument, NULL, OPT_RM },
	{ NULL, 0, NULL, 0 },
};

/* Options up to the first operand or "--"; true in *@dashdash for "--". */
static int exec_options(struct ctx *c, int argc, char **argv, struct exec_opts *o,
			bool *dashdash, ctu_err_t *err)
{
	struct ctu_getopt g = { .stop_at_operand = true };
	int opt;

	if (cmd_getopt_init(c, &g, argc, argv, "s:", exec_longopts, err) < 0)
		return ctu_err_code(*err);
	while ((opt = ctu_getopt_next(&g, err)) != -1) {
		if (opt == '?')
			return ctu_err_code(*err);
		if (opt == OPT_EMPTY) {
			o->empty = true;
		} else if (opt == OPT_RM) {
			o->rm = true;
		} else if (opt == OPT_PRESERVE_FDS) {
			if (ctu_preserve_fds_arg(optarg, &o->preserve_fds, err) < 0)
				return ctu_err_code(*err);
		} else if (settings_option(&o->all, opt, optarg, err) < 0)
			return ctu_err_code(*err);
	}
	/* getopt stopped at "--" (and skipped it) or at an operand */
	*dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	return optind;
}

/*
 * The v2 directory of @path, open for clone3's CLONE_INTO_CGROUP, or -1
 * when there is no v2 hierarchy (v1) or the cgroup is not in it (-c).
 */
static int open_v2_dir(struct ctx *c, const char *path)
{
	struct ctu_cg_hier *v2 = ctu_cg_v2(&c->hs);
	char d[CTU_CG_DIR_MAX];

	if (!v2)
		return -1;
	return open(ctu_cg_dir(v2, path, d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * exec --rm: the program runs in a child, started in the cgroup by the
 * kernel where it can (v2), and we wait outside, passing signals on.  When
 * it ends, whatever is left in the cgroup is killed and the cgroup removed,
 * and we exit as the program did: the cgroup lives exactly as long as the
 * program, with no second cgctl to delete it.
 */
static int run_and_remove(struct ctx *c, const char *path, const struct exec_opts *o,
			  char **program, struct ctu_undo *undo, ctu_err_t *err)
{
	struct ctu_child child = { .cgroup_fd = open_v2_dir(c, path) };
	int status = 0, r;

	child.into_cgroup = child.cgroup_fd >= 0;
	r = ctu_fork_child(&child, 0);
	if (r == 0) {
		/* the v1 hierarchies (all of them without clone3's help) by a write */
		if (move_self(c, path, child.into_cgroup, err) < 0)
			ctu_err_exit(err);
		ctu_exec_program(program, o->preserve_fds);
	}
	if (child.cgroup_fd >= 0)
		close(child.cgroup_fd);
	if (r < 0) {
		ctu_undo_rollback(undo);
		return ctu_err_make(err, -r, "cannot start %s in %s", program[0], path);
	}
	ctu_undo_forget(undo);
	/* the fds handed to the program are its: a reader waits for its EOF, not ours */
	for (unsigned int fd = 3; fd < 3 + o->preserve_fds; fd++)
		if (fd != (unsigned int)child.pidfd && fd != (unsigned int)child.sigfd)
			close((int)fd);
	r = ctu_wait_child(&child, &status);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot wait for %s", program[0]);
	if (ctu_cg_delete(&c->hs, path, true, true, 10000, err) < 0)
		return ctu_err_code(*err);
	ctu_exit_like(status);
}

int cmd_exec(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	struct ctu_undo undo = CTU_UNDO_INIT;
	struct exec_opts o = { .all.n = 0 };
	const char *path;
	char **program;
	bool dashdash = false;
	int i;

	ctu_set_tool_kind(CTU_TOOL_CHAINING);
	/* settings before and after PATH, up to "--" or the program */
	i = exec_options(c, argc, argv, &o, &dashdash, err);
	if (i < 0)
		return i;
	path = argv[i];
	if (path && !dashdash) {
		/* PATH is argv[0] of the second pass: its options follow it */
		argv += i;
		argc -= i;
		i = exec_options(c, argc, argv, &o, &dashdash, err);
		if (i < 0)
			return i;
	} else if (path) {
		i++;
	}
	program = argv + i;
	if (cmd_start(c, path, false, err) < 0)
		return ctu_err_code(*err);
	if (!*program)
		return ctu_err_usage(err, "no program given");
	if (o.empty && require_empty(c, path, err) < 0)
		return ctu_err_code(*err);
	/* --rm removes the cgroup, so it must be one we made, not someone's */
	if (create_cgroup(c, path, &o.all, o.rm, &undo, err) < 0 ||
	    (!o.rm && move_self(c, path, false, err) < 0)) {
		ctu_undo_rollback(&undo);
		return ctu_err_code(*err);
	}
	if (o.rm)
		return run_and_remove(c, path, &o, program, &undo, err);
	ctu_undo_forget(&undo);
	ctu_exec_program(program, o.preserve_fds);
}
