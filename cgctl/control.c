// SPDX-License-Identifier: GPL-2.0-or-later
/* control.c - cgctl's freeze, thaw, kill, wait and delete. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgctl.h"
#include "cgend.h"
#include "ctu.h"
#include "parse.h"
#include "proc.h"

/* ---- freeze, thaw, kill, wait, delete ------------------------------------------- */

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
	r = ctu_cg_set_frozen(&c->hs, path, frozen, timeout_ms);
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
	ctu_cg_kill(&c->hs, path, sig, recursive);
	return CTU_EXIT_OK;
}

int cmd_wait(struct ctx *c, int argc, char **argv, ctu_err_t *err)
{
	int timeout_ms = -1, r;
	const char *path = NULL;

	if (timeout_options(c, argc, argv, &timeout_ms, &path, err) < 0)
		return ctu_err_code(*err);
	r = ctu_cg_wait_empty(&c->hs, path, timeout_ms);
	if (r == -ETIMEDOUT)
		return ctu_err_make(err, 0, "%s still has processes after the timeout", path);
	if (r < 0)
		return ctu_err_make(err, -r, "cannot wait for %s", path);
	return CTU_EXIT_OK;
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
	    ctu_cg_delete(&c->hs, path, recursive, kill_first, timeout_ms, err) < 0)
		return ctu_err_code(*err);
	return CTU_EXIT_OK;
}
