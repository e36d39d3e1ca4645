/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - what the commands on an existing container share (commands*.c). */
#ifndef CTRUN_COMMANDS_H
#define CTRUN_COMMANDS_H
#include <getopt.h>
#include <stdbool.h>

#include "cli.h"
#include "ctrun.h"
#include "state.h"

/*
 * A command's command line: its options (ctu_getopt, no permuting past the
 * ID when @stop_at_operand) and @min to @max operands (-1: any).
 */
struct cmd_line {
	const char *usage; /* the text of -h/--help */
	const char *shortopts;
	const struct option *longopts;
	bool stop_at_operand;
	int min, max;
	const char *operands; /* named in "missing" errors: "container ID" */
};

/* Takes option @opt (its argument @arg): 0, or a negative number with *@err. */
typedef int (*cmd_opt_fn)(int opt, const char *arg, void *ctx, ctu_err_t *err);

/*
 * Parses @argv (argv[0] the command) by @cl, handing each option to @fn:
 * 0 with *@first the first operand's index, 1 when -h printed the help, or
 * a negative number with *@err (a usage error for a bad command line).
 */
int cmd_parse(const struct cmd_line *cl, int argc, char **argv, cmd_opt_fn fn, void *ctx,
	      int *first, ctu_err_t *err);

/* Reports @err (if set) and gives the command's exit code for @r, cmd_parse()'s or a step's. */
int cmd_exit(struct ct_global *g, int r, ctu_err_t *err);

/* An error a command goes on from, reported as a warning (and freed). */
void ct_report_warning(struct ct_global *g, ctu_err_t *err);

/* A locked container and its state (a mutator's start): the dir fd, or negative with *@err. */
int cmd_lock_read(struct ct_global *g, const char *id, struct ct_state *st, ctu_err_t *err);

/* The container's cgroup, or the error saying it has none. */
int cmd_need_cgroup(const struct ct_state *st, ctu_err_t *err);
#endif
