/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - what every tool's command line shares: the usage header and
 * footer, the output options of listings, mutually exclusive options checked
 * from a table, and the option parser of tools with subcommands, which takes
 * the tool's global options before and after the subcommand.
 */
#ifndef CTU_CLI_H
#define CTU_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "out.h"

/* Pieces of every usage text, as util-linux's USAGE_* macros. */
#define CTU_USAGE_HEADER "\nUsage:\n"
#define CTU_USAGE_OPTIONS "\nOptions:\n"
#define CTU_USAGE_HELP_OPTIONS                                                                     \
	"\n -h, --help                display this help\n"                                       \
	" -V, --version             display version\n"
#define CTU_USAGE_MAN_TAIL(page) "\nFor more details see " page ".\n"

/* -h/--help and -V/--version, in every tool's option table. */
#define CTU_HELP_LONGOPTS                                                                          \
	{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' }

/* The output options of listings: --json (-J), --raw, --noheadings. */
enum {
	CTU_OPT_JSON = 'J',
	CTU_OPT_RAW = 0x1000,
	CTU_OPT_NOHEADINGS,
	CTU_OPT_FIRST_FREE, /* tools number their long-only options from here */
};
#define CTU_OUT_SHORTOPTS "J"
#define CTU_OUT_LONGOPTS                                                                           \
	{ "json", no_argument, NULL, CTU_OPT_JSON }, { "raw", no_argument, NULL, CTU_OPT_RAW },    \
		{ "noheadings", no_argument, NULL, CTU_OPT_NOHEADINGS }
#define CTU_USAGE_OUT_OPTIONS                                                                      \
	" -J, --json                use JSON output format\n"                                  \
	"     --raw                 use raw output format\n"                                   \
	"     --noheadings          don't print headings\n"

/* Records output option @opt in @f: true if it was one. */
bool ctu_out_option(int opt, struct ctu_out_flags *f);

/*
 * Options that exclude each other: a row lists the option values of one
 * group (up to 11), 0-terminated; as util-linux's err_exclusive_options().
 */
struct ctu_excl {
	int opts[12];
};

/*
 * Call with each option @opt as it is parsed; @seen has one int per row of
 * @rows, zeroed before the first call.  A second option of the same group is
 * a usage error: "--show, --diff and --umount are mutually exclusive" (a
 * group of more than three names the two given: "--show and --commit ...").
 * Returns 0 or a negative number with *@err set.
 */
int ctu_excl_check(const struct ctu_excl *rows, size_t nrows, int *seen, int opt,
		   const struct option *longopts, ctu_err_t *err);

/*
 * The parser of a subcommand's options (argv[0] is the subcommand).  The
 * tool's global options (@global_shortopts, @global_longopts) are accepted
 * too, wherever they stand, and handed to @on_global (which returns 0, or a
 * negative number with *err set).  Parsing stops at
 * "--" or, with @stop_at_operand, at the first operand.
 */
struct ctu_getopt {
	int argc;
	char **argv;
	int (*on_global)(int opt, const char *arg, void *ctx, ctu_err_t *err);
	void *ctx;
	bool stop_at_operand;
	/* filled by ctu_getopt_init() */
	const char *sub_shortopts, *global_shortopts;
	size_t n_sub_longopts;
	char shortopts[128];
	struct option longopts[128];
};

/*
 * Sets up @g for @argv, merging the subcommand's options with the global
 * ones (a subcommand option of the same name wins) and resetting getopt.
 * Returns 0, or a negative number when the tables are too large.
 */
int ctu_getopt_init(struct ctu_getopt *g, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, const char *global_shortopts,
		    const struct option *global_longopts, ctu_err_t *err);

/*
 * The next option of the subcommand, with optarg set as getopt_long does;
 * -1 at the end (optind is the first operand).  A global option is passed to
 * on_global and not returned.  An unknown option or a missing argument is a
 * usage error in getopt's words ("invalid option -- 'x'", "option '--foo'
 * requires an argument"): returns '?' with *@err set, as does a failing
 * on_global.
 */
int ctu_getopt_next(struct ctu_getopt *g, ctu_err_t *err);

/*
 * getopt_long for "[options] ARG [options] [--] [program...]": options may
 * stand before and after the one operand ARG, up to "--" or the program
 * (ovlmount's mount point, pivot's new root).  Calls @handle for each
 * option.  Returns ARG (NULL if none) and sets *@program to what follows.
 */
const char *ctu_getopt_around_arg(int argc, char **argv, const char *optstring,
				  const struct option *longopts, void (*handle)(int opt, void *ctx),
				  void *ctx, char ***program);

#endif
