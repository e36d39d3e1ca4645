/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgctl.h - what cgctl's command files share: the context, the option
 * numbers, the helpers of common.c, and the commands that the CLI file
 * (cgctl.c) dispatches to.  Nothing here is defined in cgctl.c.
 *
 * A command returns its exit code (0, or 1 for a partial failure it has
 * reported as warnings), or a negative number with *err set; the CLI file
 * reports that error once.
 */
#ifndef CGCTL_H
#define CGCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "err.h"
#include "hier.h"
#include "out.h"
#include "settings.h"

/* The global options, accepted before and after the command (given by main). */
struct globals {
	const char *shortopts;
	const struct option *longopts;
	int (*handle)(int opt, const char *arg, void *ctx, ctu_err_t *err);
};

struct ctx {
	struct ctu_cg_hiers hs; /* found by ctx_detect(), once the options are read */
	struct ctu_out_flags out;
	const char *root;
	bool self;
	bool bytes;	   /* -b: sizes in bytes, not 64M */
	const char *ctrls; /* -c */
	const struct globals *globals;
};

enum {
	OPT_MEMORY = CTU_OPT_FIRST_FREE,
	OPT_MEMORY_HIGH,
	OPT_SWAP,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_PIDS,
	OPT_CPUSET,
	OPT_IO_WEIGHT,
	OPT_EXCLUSIVE,
	OPT_ALL,
	OPT_THREADS,
	OPT_KILL,
	OPT_TIMEOUT,
	OPT_ROOT,
	OPT_SELF,
	OPT_PRESERVE_FDS,
	OPT_DEVICE_RULE,
	OPT_EMPTY,
	OPT_RM,
};

/* ---- common.c ---- */

/* ctu_getopt_init() for a command's own options, with the global ones. */
int cmd_getopt_init(struct ctx *c, struct ctu_getopt *g, int argc, char **argv,
		    const char *shortopts, const struct option *longopts, ctu_err_t *err);

/*
 * After a command's options (global ones among them): checks --root and
 * finds the hierarchies, then checks -c against them.
 */
int ctx_detect(struct ctx *c, ctu_err_t *err);

/*
 * ctx_detect(), then @path checked (a usage error) and, with @must_exist,
 * the cgroup required in some hierarchy.
 */
int cmd_start(struct ctx *c, const char *path, bool must_exist, ctu_err_t *err);

/* The same for the optional cgroup of ls and top: "" (the root) if NULL. */
int cmd_start_optional(struct ctx *c, const char **path, ctu_err_t *err);

/* --timeout's value in milliseconds, or a usage error. */
int parse_timeout_ms(const char *arg, int *ms, ctu_err_t *err);

/*
 * A number for a table cell: a size as @c's -b says (64M, or bytes; always
 * bytes in JSON, whose numbers are numbers), a count as it is.
 */
void format_number(const struct ctx *c, uint64_t v, bool bytes, char *out, size_t size);

/* ---- create.c ---- */

/*
 * A settings option (--memory ... --set, --device-rule): true with @all
 * updated, false if @opt is none; a bad value is a usage error (negative,
 * *@err set).
 */
int settings_option(struct settings *all, int opt, const char *arg, ctu_err_t *err);

/* The long options settings_option() takes. */
#define SETTINGS_LONGOPTS                                                                          \
	{ "memory", required_argument, NULL, OPT_MEMORY },                                         \
		{ "memory-high", required_argument, NULL, OPT_MEMORY_HIGH },                       \
		{ "swap", required_argument, NULL, OPT_SWAP },                                     \
		{ "cpus", required_argument, NULL, OPT_CPUS },                                     \
		{ "cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT },                         \
		{ "pids", required_argument, NULL, OPT_PIDS },                                     \
		{ "cpuset", required_argument, NULL, OPT_CPUSET },                                 \
		{ "io-weight", required_argument, NULL, OPT_IO_WEIGHT },                           \
		{ "device-rule", required_argument, NULL, OPT_DEVICE_RULE },                       \
		{ "set", required_argument, NULL, 's' }

/*
 * Creates @path in every hierarchy with @all applied, each cgroup made
 * recorded in @undo for the caller to roll back or forget.
 */
int create_cgroup(struct ctx *c, const char *path, const struct settings *all, bool exclusive,
		  struct ctu_undo *undo, ctu_err_t *err);

/* The commands, by file: create.c, exec.c, inspect.c, top.c, control.c. */
int cmd_create(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_set(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_attach(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_exec(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_get(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_stat(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_procs(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_ls(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_which(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_top(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_freeze(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_thaw(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_kill(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_wait(struct ctx *c, int argc, char **argv, ctu_err_t *err);
int cmd_delete(struct ctx *c, int argc, char **argv, ctu_err_t *err);

#endif
