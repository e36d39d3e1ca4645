// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovlmount - mount, inspect, diff and unmount overlayfs stacks.
 *
 * This file is the command line: the usage, the options and main, which
 * runs one job and reports its error once.  The jobs: mount.c (with
 * dirs.c, check.c and legacy.c), show.c, diff.c and umount.c; the stack of
 * layers is stack.c's and the -o options are options.c's.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ctu.h"
#include "image.h"
#include "ovlmount.h"
#include "parse.h"
#include "proc.h"

enum mode {
	MODE_MOUNT,
	MODE_SHOW,
	MODE_DIFF,
	MODE_UMOUNT,
	MODE_PULL,
	MODE_IMAGE_CONFIG,
	MODE_COMMIT,
	MODE_STORE_LS,
	MODE_STORE_RM,
	MODE_STORE_PRUNE,
};

struct opts {
	enum mode mode;
	struct ovl_request req; /* req.target: MERGED, or the --diff argument */
	struct image_opts image;
	struct commit_request commit;
	struct img_platform platform;
	bool compress_given;
	struct ctu_out_flags out;
	int excl_seen[2];
	char **argv;
};

static noreturn void usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ovlmount [options] <merged> [--] [<program> [<argument>...]]\n"
	      " ovlmount --show [--json] <merged>\n"
	      " ovlmount --diff [--json] <merged>|<upper> [--lower <dir>...]\n"
	      " ovlmount --umount <merged>\n"
	      " ovlmount --image <src> [options] <merged> [--] [<program> [<argument>...]]\n"
	      " ovlmount --pull-only --image <src> [--print-layers]\n"
	      " ovlmount --image-config <src> [--json]\n"
	      " ovlmount --commit <merged>|<upper> --to oci:<dir>:<ref> [--from <src>|scratch]\n"
	      " ovlmount --store-ls [--images] [--json] | --store-rm <image>... | --store-prune\n"
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
	      "\nImages (oci:<dir>[:<ref>|@<n>], oci-archive:<file>[...], docker-archive:<file>[...]):\n"
	      "     --image <src>         mount an image's layers (below any -l), pulled into the store\n"
	      "     --allow-devices       keep the image's device nodes usable (no nodev)\n"
	      "     --pull-only           only fill the store with --image's layers\n"
	      "     --print-layers        with --pull-only: print the layer directories, top first\n"
	      "     --image-config <src>  print the image's entrypoint, command, env, ...\n"
	      "     --platform <os>/<arch>[/<variant>]  the image of an index to take (default: the host's)\n"
	      "     --store <dir>         the layer store (default: /var/lib/ctutils/store for root)\n"
	      " -q, --quiet               no line per unpacked layer\n"
	      "\nCommitting:\n"
	      "     --commit <merged>|<upper>  write the upper layer back as a new image\n"
	      "     --to oci:<dir>:<ref>  the OCI layout and reference to write\n"
	      "     --from <src>|scratch  the base image (default: the one the mount was made from)\n"
	      "     --message <text>      the history entry's comment\n"
	      "     --compress gzip|zstd|none  the new layer's compression (default: gzip)\n"
	      "     --mtime <seconds>     every entry's time (default: $SOURCE_DATE_EPOCH, else now)\n"
	      "\nThe store:\n"
	      "     --store-ls            list the stored layers (--images: the images)\n"
	      "     --images              with --store-ls: list images, not layers\n"
	      "     --store-rm <image>... forget images, by source or manifest digest\n"
	      "     --store-prune         remove layers no image and no mount uses\n"
	      "     --dry-run             with --store-prune: only say what would go\n"
	      "\nInspecting:\n"
	      "     --show                print the layers of the overlay mounted at <merged>\n"
	      "     --diff                print what the upper layer changed (A, C, D, R)\n"
	      " -J, --json                JSON output for --show, --diff, --image-config, --store-ls\n"
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
	OPT_IMAGE,
	OPT_ALLOW_DEVICES,
	OPT_PULL_ONLY,
	OPT_PRINT_LAYERS,
	OPT_IMAGE_CONFIG,
	OPT_PLATFORM,
	OPT_STORE,
	OPT_COMMIT,
	OPT_TO,
	OPT_FROM,
	OPT_MESSAGE,
	OPT_COMPRESS,
	OPT_MTIME,
	OPT_STORE_LS,
	OPT_IMAGES,
	OPT_STORE_RM,
	OPT_STORE_PRUNE,
	OPT_DRY_RUN,
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
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "allow-devices", no_argument, NULL, OPT_ALLOW_DEVICES },
	{ "pull-only", no_argument, NULL, OPT_PULL_ONLY },
	{ "print-layers", no_argument, NULL, OPT_PRINT_LAYERS },
	{ "image-config", required_argument, NULL, OPT_IMAGE_CONFIG },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "commit", required_argument, NULL, OPT_COMMIT },
	{ "to", required_argument, NULL, OPT_TO },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "message", required_argument, NULL, OPT_MESSAGE },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "mtime", required_argument, NULL, OPT_MTIME },
	{ "store-ls", no_argument, NULL, OPT_STORE_LS },
	{ "images", no_argument, NULL, OPT_IMAGES },
	{ "store-rm", no_argument, NULL, OPT_STORE_RM },
	{ "store-prune", no_argument, NULL, OPT_STORE_PRUNE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	CTU_OUT_LONGOPTS,
	CTU_HELP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* The jobs exclude each other: one mode per run. */
static const struct ctu_excl excl[] = {
	{ { OPT_SHOW, OPT_DIFF, 'U' } },
	{ { OPT_SHOW, OPT_DIFF, 'U', OPT_PULL_ONLY, OPT_IMAGE_CONFIG, OPT_COMMIT, OPT_STORE_LS,
	    OPT_STORE_RM, OPT_STORE_PRUNE } },
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

static enum commit_compress compress_arg(const char *arg)
{
	static const char *const names[] = { [COMMIT_GZIP] = "gzip", [COMMIT_ZSTD] = "zstd",
					     [COMMIT_NONE] = "none" };

	for (size_t i = 0; i < CTU_ARRAY_SIZE(names); i++)
		if (strcmp(arg, names[i]) == 0)
			return (enum commit_compress)i;
	ctu_usage_exit("invalid --compress '%s': gzip, zstd or none", arg);
}

static int64_t mtime_arg(const char *arg, const char *what)
{
	uint64_t v;

	if (ctu_parse_u64(arg, &v) < 0 || v > INT64_MAX / 2)
		ctu_usage_exit("invalid %s '%s': seconds since 1970", what, arg);
	return (int64_t)v;
}

static void set_platform(struct opts *o, const char *arg)
{
	ctu_err_t err = NULL;

	check_or_die(img_platform_parse(arg, &o->platform, &err), &err);
	o->image.platform = arg;
	o->commit.platform = &o->platform;
}

/* The options of the image jobs: true when @c was one. */
static bool handle_image_option(int c, struct opts *o)
{
	struct image_opts *im = &o->image;

	switch (c) {
	case OPT_IMAGE:
	case OPT_IMAGE_CONFIG:
		if (im->source)
			ctu_usage_exit("only one image: --image and --image-config take one source");
		im->source = optarg;
		if (c == OPT_IMAGE_CONFIG)
			o->mode = MODE_IMAGE_CONFIG;
		break;
	case OPT_ALLOW_DEVICES:
		im->allow_devices = true;
		break;
	case OPT_PULL_ONLY:
		o->mode = MODE_PULL;
		break;
	case OPT_PRINT_LAYERS:
		im->print_layers = true;
		break;
	case OPT_PLATFORM:
		set_platform(o, optarg);
		break;
	case OPT_STORE:
		if (!*optarg)
			ctu_usage_exit("empty directory for --store");
		im->store = o->commit.store = optarg;
		break;
	case 'q':
		im->quiet = true;
		break;
	case OPT_COMMIT:
		if (!*optarg)
			ctu_usage_exit("empty directory for --commit");
		o->mode = MODE_COMMIT;
		o->commit.target = optarg;
		break;
	case OPT_TO:
		o->commit.to = optarg;
		break;
	case OPT_FROM:
		o->commit.from = optarg;
		break;
	case OPT_MESSAGE:
		o->commit.message = optarg;
		break;
	case OPT_COMPRESS:
		o->commit.compress = compress_arg(optarg);
		o->compress_given = true;
		break;
	case OPT_MTIME:
		o->commit.mtime = mtime_arg(optarg, "--mtime");
		break;
	case OPT_STORE_LS:
		o->mode = MODE_STORE_LS;
		break;
	case OPT_IMAGES:
		im->images = true;
		break;
	case OPT_STORE_RM:
		o->mode = MODE_STORE_RM;
		break;
	case OPT_STORE_PRUNE:
		o->mode = MODE_STORE_PRUNE;
		break;
	case OPT_DRY_RUN:
		im->dry_run = true;
		break;
	default:
		return false;
	}
	return true;
}

static void handle_option(int c, void *ctx)
{
	struct opts *o = ctx;
	struct ctu_ovl_stack *st = &o->req.stack;
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
		if (!handle_image_option(c, o))
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
	const struct ctu_ovl_stack *st = &o->req.stack;
	ctu_err_t err = NULL;

	check_or_die(ovl_options_conflict(&o->req.options, &err), &err);
	if (o->mode != MODE_MOUNT)
		return;
	if (o->req.tmpfs_upper && (st->upper || st->work))
		ctu_usage_exit("--tmpfs-upper cannot go with --upper or --work");
	if (!o->req.tmpfs_upper && st->work && !st->upper)
		ctu_usage_exit("--work needs --upper");
}

/* An option that belongs to one mode only, given in another: a usage error naming both. */
static void only_with(bool given, const char *opt, bool right_mode, const char *mode)
{
	if (given && !right_mode)
		ctu_usage_exit("%s goes only with %s", opt, mode);
}

/* The image options each belong to some modes. */
static void check_image_options(const struct opts *o)
{
	const struct image_opts *im = &o->image;
	const struct commit_request *c = &o->commit;
	enum mode m = o->mode;

	only_with(im->print_layers, "--print-layers", m == MODE_PULL, "--pull-only");
	only_with(im->images, "--images", m == MODE_STORE_LS, "--store-ls");
	only_with(im->dry_run, "--dry-run", m == MODE_STORE_PRUNE, "--store-prune");
	only_with(im->allow_devices, "--allow-devices", m == MODE_MOUNT && im->source, "--image");
	only_with(c->to, "--to", m == MODE_COMMIT, "--commit");
	only_with(c->from, "--from", m == MODE_COMMIT, "--commit");
	only_with(c->message, "--message", m == MODE_COMMIT, "--commit");
	only_with(o->compress_given, "--compress", m == MODE_COMMIT, "--commit");
	only_with(c->mtime >= 0, "--mtime", m == MODE_COMMIT, "--commit");
	only_with(im->platform != NULL, "--platform",
		  im->source || m == MODE_COMMIT, "--image, --image-config or --commit");
	only_with(im->store != NULL, "--store", m != MODE_SHOW && m != MODE_DIFF && m != MODE_IMAGE_CONFIG,
		  "an image job");
	if (m == MODE_PULL && !im->source)
		ctu_usage_exit("--pull-only needs --image");
	if (m == MODE_COMMIT && !c->to)
		ctu_usage_exit("--commit needs --to oci:<dir>:<ref>");
	if (im->source && m != MODE_MOUNT && m != MODE_PULL && m != MODE_IMAGE_CONFIG)
		ctu_usage_exit("--image goes only with a mount or --pull-only");
}

/* The modes that take no <merged> operand (--store-rm's operands are images). */
static bool mode_has_no_target(enum mode m)
{
	return m == MODE_PULL || m == MODE_IMAGE_CONFIG || m == MODE_COMMIT ||
	       m == MODE_STORE_LS || m == MODE_STORE_PRUNE;
}

static void parse_options(struct opts *o, int argc, char **argv)
{
	choose_exit_codes(argc, argv);
	o->req.target = ctu_getopt_around_arg(argc, argv, "+l:u:w:o:rJnUqhV", longopts,
					      handle_option, o, &o->argv);
	if (*o->argv && o->mode != MODE_STORE_RM)
		ctu_set_tool_kind(CTU_TOOL_CHAINING);
	check_image_options(o);
	if (mode_has_no_target(o->mode)) {
		if (o->req.target)
			ctu_usage_exit("unexpected argument '%s'", o->req.target);
		return;
	}
	if (o->mode == MODE_STORE_RM) {
		if (!o->req.target)
			ctu_usage_exit("--store-rm needs an image: a source or a manifest digest");
		return;
	}
	if (!o->req.target)
		ctu_usage_exit("no mount point given");
	if (o->mode != MODE_MOUNT && *o->argv)
		ctu_usage_exit("a program runs only after mounting");
	check_mount_options(o);
}

/*
 * --umount, then the mount's lease goes from the store its layers are in
 * (or --store): the lease of the mount id it had, now gone.
 */
static int umount_and_drop_lease(const struct opts *o, ctu_err_t *err)
{
	_cleanup_free_ char *store = NULL;
	struct ctu_ovl_stack st = { 0 };
	struct statx stx = { 0 };
	int r;

	statx(AT_FDCWD, o->req.target, 0, STATX_MNT_ID, &stx);
	r = ovl_umount(o->req.target, &st, err);
	if (r == 0 && (stx.stx_mask & STATX_MNT_ID)) {
		store = o->image.store ? strdup(o->image.store) : image_store_of_stack(&st);
		image_lease_drop(store, o->req.target, stx.stx_mnt_id);
	}
	ctu_ovl_stack_free(&st);
	return r;
}

static int run_mode(struct opts *o, ctu_err_t *err)
{
	switch (o->mode) {
	case MODE_SHOW:
		return ovl_show(o->req.target, &o->out, err);
	case MODE_DIFF:
		return ovl_diff_cmd(o->req.target, &o->req.stack.lower, &o->out, err);
	case MODE_UMOUNT:
		return umount_and_drop_lease(o, err);
	case MODE_PULL:
		return image_pull_only(&o->image, err);
	case MODE_IMAGE_CONFIG:
		return image_config(&o->image, o->out.json, err);
	case MODE_COMMIT:
		return ovl_commit(&o->commit, err);
	case MODE_STORE_LS:
		return image_store_ls(&o->image, &o->out, err);
	case MODE_STORE_RM:
		/* the first image is where <merged> would be, the others after it */
		return image_store_rm(&o->image, o->argv - 1, err);
	case MODE_STORE_PRUNE:
		return image_store_prune(&o->image, err);
	case MODE_MOUNT:
		break;
	}
	if (o->image.source)
		return image_mount(&o->req, &o->image, err);
	return ovl_mount(&o->req, err);
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = MODE_MOUNT, .commit.mtime = -1 };
	ctu_err_t err = NULL;

	ctu_init(CTU_TOOL_PLAIN);
	parse_options(&o, argc, argv);
	if (run_mode(&o, &err) < 0)
		ctu_err_exit(&err);
	ovl_request_free(&o.req);
	if (*o.argv && o.mode == MODE_MOUNT)
		ctu_exec_program(o.argv, 0);
	return CTU_EXIT_OK;
}
