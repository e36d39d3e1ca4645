// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovlmount - mount, inspect, diff and unmount overlayfs stacks.
 *
 * This file is the command line: the usage, the options and main, which
 * runs one job and reports its error once.  The jobs: mount.c (with
 * dirs.c, check.c and legacy.c), show.c, diff.c and umount.c; the stack of
 * layers is stack.c's and the -o options are options.c's.
 */
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "cli.h"
#include "ctu.h"
#include "ovlmount.h"
#include "parse.h"
#include "proc.h"

enum mode { MODE_MOUNT, MODE_SHOW, MODE_DIFF, MODE_UMOUNT };

struct opts {
	enum mode mode;
	struct ovl_request req; /* req.target: MERGED, or the --diff argument */
	struct ctu_out_flags out;
	int excl_seen[1];
	char **argv;
};

static noreturn void usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ovlmount [options] <merged> [--] [<program> [<argument>...]]\n"
	      " ovlmount --show [--json] <merged>\n"
	      " ovlmount --diff [--json] <merged>|<upper> [--lower <dir>...]\n"
	      " ovlmount --umount <merged>\n"
	      "\nMount, inspect, diff and unmount overlayfs stacks.\n"
	      "\nMounting:\n"
	      " -l, --lower <dir>[:<dir>...]  a lower layer (repeatable; the first is the top)\n"
	      "     --layers-from <file>  lower layers, one per line, top first\n"
	      "     --data-lower <dir>    a data-only lower layer (Linux 6.5)\n"
	      " -u, --upper <dir>         the writable layer\n"
	      " -w, --work <dir>          the work directory (default: <upper>.work)\n"
	      "     --tmpfs-upper[=<size>]  upper and work on a new tmpfs, gone at --umount\n"
	      "     --mkdir               create missing upper, work and merged directories\n"
	      " -o, --options <opts>      overlay options (index, metacopy, redirect_dir, xino,\n"
	      "                             nfs_export, volatile, userxattr, uuid, verity)\n"
	      " -r, --readonly            mount read-only\n"
	      "\nInspecting:\n"
	      "     --show                print the layers of the overlay mounted at <merged>\n"
	      "     --diff                print what the upper layer changed (A, C, D, R)\n"
	      " -J, --json                JSON output for --show and --diff\n"
	      " -n, --noheadings          no header line\n"
	      "     --raw                 raw output\n"
	      " -U, --umount              unmount <merged> (and remove its --tmpfs-upper)\n"
	      CTU_USAGE_HELP_OPTIONS
	      CTU_USAGE_MAN_TAIL("ovlmount(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

enum {
	OPT_LAYERS_FROM = CTU_OPT_FIRST_FREE,
	OPT_DATA_LOWER,
	OPT_TMPFS_UPPER,
	OPT_MKDIR,
	OPT_SHOW,
	OPT_DIFF,
};

static const struct option longopts[] = {
	{ "lower", required_argument, NULL, 'l' },
	{ "layers-from", required_argument, NULL, OPT_LAYERS_FROM },
	{ "data-lower", required_argument, NULL, OPT_DATA_LOWER },
	{ "upper", required_argument, NULL, 'u' },
	{ "work", required_argument, NULL, 'w' },
	{ "tmpfs-upper", optional_argument, NULL, OPT_TMPFS_UPPER },
	{ "mkdir", no_argument, NULL, OPT_MKDIR },
	{ "options", required_argument, NULL, 'o' },
	{ "readonly", no_argument, NULL, 'r' },
	{ "show", no_argument, NULL, OPT_SHOW },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "umount", no_argument, NULL, 'U' },
	CTU_OUT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct ctu_excl excl[] = {
	{ { OPT_SHOW, OPT_DIFF, 'U' } },
};

/* Option parsing ends at the first bad option: its error, reported, is the exit. */
static void check_or_die(int r, ctu_err_t *err)
{
	if (r < 0)
		ctu_err_exit(err);
}

static char *dir_arg_or_die(const char *arg, const char *opt)
{
	char *dir;

	if (!*arg)
		ctu_usage_exit("empty directory for %s", opt);
	dir = strdup(arg);
	if (!dir) {
		ctu_err_t err = NULL;

		ctu_err_make(&err, ENOMEM, "cannot take %s %s", opt, arg);
		ctu_err_exit(&err);
	}
	return dir;
}

static void set_tmpfs_upper(struct opts *o, const char *size)
{
	uint64_t bytes;

	o->req.tmpfs_upper = true;
	if (!size)
		return;
	if (ctu_parse_size(size, &bytes) < 0 || bytes == 0 || bytes == CTU_SIZE_MAX)
		ctu_usage_exit("invalid --tmpfs-upper size: '%s'", size);
	o->req.tmpfs_size = size;
}

static void handle_option(int c, void *ctx)
{
	struct opts *o = ctx;
	struct stack *st = &o->req.stack;
	ctu_err_t err = NULL;

	check_or_die(ctu_excl_check(excl, CTU_ARRAY_SIZE(excl), o->excl_seen, c, longopts, &err),
		     &err);
	if (ctu_out_option(c == 'n' ? CTU_OPT_NOHEADINGS : c, &o->out))
		return;
	switch (c) {
	case 'l':
		check_or_die(stack_add_lower_list(st, optarg, &err), &err);
		break;
	case OPT_LAYERS_FROM:
		check_or_die(stack_add_layers_from(st, optarg, &err), &err);
		break;
	case OPT_DATA_LOWER:
		check_or_die(stack_add_layer(&st->data, optarg, "--data-lower", &err), &err);
		break;
	case 'u':
		st->upper = dir_arg_or_die(optarg, "--upper");
		break;
	case 'w':
		st->work = dir_arg_or_die(optarg, "--work");
		break;
	case OPT_TMPFS_UPPER:
		set_tmpfs_upper(o, optarg);
		break;
	case OPT_MKDIR:
		o->req.mkdir = true;
		break;
	case 'o':
		check_or_die(ovl_options_add(&o->req.options, optarg, &err), &err);
		break;
	case 'r':
		o->req.readonly = true;
		break;
	case OPT_SHOW:
		o->mode = MODE_SHOW;
		break;
	case OPT_DIFF:
		o->mode = MODE_DIFF;
		break;
	case 'U':
		o->mode = MODE_UMOUNT;
		break;
	default:
		ctu_common_option_exit(c, usage);
	}
}

/* With a program after "--", failures follow the chaining tools' codes. */
static void choose_exit_codes(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			ctu_set_tool_kind(CTU_TOOL_CHAINING);
}

/* The rules between the options of a mount. */
static void check_mount_options(const struct opts *o)
{
	const struct stack *st = &o->req.stack;
	ctu_err_t err = NULL;

	check_or_die(ovl_options_conflict(&o->req.options, &err), &err);
	if (o->mode != MODE_MOUNT)
		return;
	if (o->req.tmpfs_upper && (st->upper || st->work))
		ctu_usage_exit("--tmpfs-upper cannot go with --upper or --work");
	if (!o->req.tmpfs_upper && st->work && !st->upper)
		ctu_usage_exit("--work needs --upper");
}

static void parse_options(struct opts *o, int argc, char **argv)
{
	choose_exit_codes(argc, argv);
	o->req.target = ctu_getopt_around_arg(argc, argv, "+l:u:w:o:rJnUhV", longopts,
					      handle_option, o, &o->argv);
	if (*o->argv)
		ctu_set_tool_kind(CTU_TOOL_CHAINING);
	if (!o->req.target)
		ctu_usage_exit("no mount point given");
	if (o->mode != MODE_MOUNT && *o->argv)
		ctu_usage_exit("a program runs only after mounting");
	check_mount_options(o);
}

static int run_mode(struct opts *o, ctu_err_t *err)
{
	switch (o->mode) {
	case MODE_SHOW:
		return ovl_show(o->req.target, &o->out, err);
	case MODE_DIFF:
		return ovl_diff_cmd(o->req.target, &o->req.stack.lower, &o->out, err);
	case MODE_UMOUNT:
		return ovl_umount(o->req.target, err);
	case MODE_MOUNT:
		break;
	}
	return ovl_mount(&o->req, err);
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = MODE_MOUNT };
	ctu_err_t err = NULL;

	ctu_init(CTU_TOOL_PLAIN);
	parse_options(&o, argc, argv);
	if (run_mode(&o, &err) < 0)
		ctu_err_exit(&err);
	ovl_request_free(&o.req);
	if (*o.argv)
		ctu_exec_program(o.argv, 0);
	return CTU_EXIT_OK;
}
