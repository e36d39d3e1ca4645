/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovlmount.h - what ovlmount's jobs share: the stack of layers, the mount
 * request, and one entry point per job (mount, --show, --diff, --umount),
 * which the CLI file (ovlmount.c) calls and which never call back into it.
 */
#ifndef OVLMOUNT_H
#define OVLMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "out.h"
#include "ovl.h"
#include "strv.h"
#include "undo.h"

/* The kernel's OVL_MAX_STACK. */
#define OVL_MAX_LAYERS 500

/*
 * Where --tmpfs-upper mounts its tmpfs: one directory per merged directory,
 * for root on the host; tmpfs_upper_base() says where for everyone else.
 */
#define TMPFS_UPPER_BASE "/run/ctutils/ovlmount"

/*
 * TMPFS_UPPER_BASE for root in the initial user namespace; in a user
 * namespace (which cannot write the host's /run) $XDG_RUNTIME_DIR/ctutils/
 * ovlmount, else /tmp/ctutils-UID/ovlmount with UID the uid outside.
 */
const char *tmpfs_upper_base(void);

/* What to mount, from the command line. */
struct ovl_request {
	struct ctu_ovl_stack stack; /* lib/ovl's: the same as a mounted one read back */
	bool tmpfs_upper;
	const char *tmpfs_size; /* NULL: tmpfs's default */
	bool mkdir;
	bool readonly;
	bool nodev;		 /* MOUNT_ATTR_NODEV: an image's device nodes reach no device */
	struct ctu_strv options; /* -o, validated */
	const char *target;	 /* the merged directory */
};

/* The options of the image jobs (image.h, imgjobs.c). */
struct image_opts {
	const char *source;   /* --image, --image-config SRC */
	const char *store;    /* --store DIR, or NULL: the default */
	const char *platform; /* --platform, or NULL: the host's */
	bool quiet;	      /* -q: no line per unpacked layer */
	bool print_layers;    /* --pull-only --print-layers */
	bool allow_devices;   /* --allow-devices: no nodev */
	bool images;	      /* --store-ls --images */
	bool dry_run;	      /* --store-prune --dry-run */
};

void ovl_request_free(struct ovl_request *req);

/* ---- stack.c: building the stack from options, and from the mount table */

/* One layer of option @opt (a usage error when empty). */
int stack_add_layer(struct ctu_strv *layers, const char *dir, const char *opt, ctu_err_t *err);

/* -l A:B:C (":" escaped as "\:"). */
int stack_add_lower_list(struct ctu_ovl_stack *st, const char *arg, ctu_err_t *err);

/* --layers-from FILE: lower layers one per line, top first; '#' starts a comment line. */
int stack_add_layers_from(struct ctu_ovl_stack *st, const char *file, ctu_err_t *err);

/* ctu_ovl_stack_from_mount() with *@err naming @merged. */
int stack_read_mounted(const char *merged, struct ctu_ovl_stack *st, ctu_err_t *err);

/* An error when the kernel recorded a layer of @st as a relative path. */
int stack_require_absolute(const char *merged, const struct ctu_ovl_stack *st, ctu_err_t *err);

/* ---- check.c: the layers checked before the kernel sees them */

/* Makes the layers absolute, so that the kernel records them (and --show shows them) right. */
void stack_canonicalize(struct ctu_ovl_stack *st);

/* Every rule the kernel would refuse with a bare EINVAL, said by name. */
int stack_check(const struct ctu_ovl_stack *st, const char *target, ctu_err_t *err);

/* ---- sweep.c: the directories of tmpfs uppers whose namespace died */

/* TMPFS_UPPER_BASE opened and locked (flock, exclusive): the fd, or -errno. */
int tmpfs_base_lock(void);

/* Removes TMPFS_UPPER_BASE's directories no living mount namespace mounts on. */
void tmpfs_sweep(int basefd);

/* ---- dirs.c: the directories and the tmpfs a mount needs */

/* TMPFS_UPPER_BASE/<merged, '/' as '_' and '_' as "_5f">, newly allocated, or NULL. */
char *tmpfs_dir_for(const char *merged);

/*
 * The upper, work and merged directories: --tmpfs-upper's tmpfs, --mkdir's
 * directories and the default work directory, each recorded in @undo.
 */
int ovl_prepare_dirs(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err);

/* ---- options.c: the overlay options (-o), pure, for the fuzzer too */

/*
 * Adds the comma-separated overlay options of one -o @arg to @options after
 * checking each against the options ovlmount knows and their values.
 * Returns 0, or a negative number with *@err set (a usage error for a bad option).
 */
int ovl_options_add(struct ctu_strv *options, const char *arg, ctu_err_t *err);

/* The value of option @name in @options ("" for a flag), or NULL. */
const char *ovl_option_value(const struct ctu_strv *options, const char *name);

/* 0, or a usage error in *@err: options the kernel would refuse together. */
int ovl_options_conflict(const struct ctu_strv *options, ctu_err_t *err);

/* ---- mount.c, legacy.c: the mount */

/* Mounts the overlay of @req, making what it needs first; on failure nothing is left. */
int ovl_mount(struct ovl_request *req, ctu_err_t *err);

/* ovl_mount() recording what it made, the mount last, in @undo (the caller forgets or rolls back). */
int ovl_mount_logged(struct ovl_request *req, struct ctu_undo *undo, ctu_err_t *err);

/* Before Linux 6.8: mount(2) with one lowerdir= string, by fds when it exceeds a page. */
int ovl_mount_legacy(const struct ovl_request *req, ctu_err_t *err);

/* ---- imgjobs.c: the image jobs, sources and store put together */

/* --image: pulls what the store lacks, stacks the image under -l, mounts, leases. */
int image_mount(struct ovl_request *req, const struct image_opts *o, ctu_err_t *err);

/* --pull-only [--print-layers] */
int image_pull_only(const struct image_opts *o, ctu_err_t *err);

/* --image-config [-J] */
int image_config(const struct image_opts *o, bool json, ctu_err_t *err);

/* --store-ls, --store-rm, --store-prune */
int image_store_ls(const struct image_opts *o, const struct ctu_out_flags *out, ctu_err_t *err);
int image_store_rm(const struct image_opts *o, char *const *names, ctu_err_t *err);
int image_store_prune(const struct image_opts *o, ctu_err_t *err);

/* The store whose layer is the lowest of @st, newly allocated, or NULL: no image mount. */
char *image_store_of_stack(const struct ctu_ovl_stack *st);

/* The lease of mount @mnt_id at @merged in the store @store_dir (NULL: none) dropped, if there is one. */
void image_lease_drop(const char *store_dir, const char *merged, uint64_t mnt_id);

/* ---- show.c, umount.c, diff.c: the other jobs */

/* --show: the layers of the overlay mounted at @merged. */
int ovl_show(const char *merged, const struct ctu_out_flags *out, ctu_err_t *err);

/* --umount: unmounts @merged, and its --tmpfs-upper; the stack it had into @st (the caller frees it). */
int ovl_umount(const char *merged, struct ctu_ovl_stack *st, ctu_err_t *err);

/*
 * --diff: the changes of the overlay mounted at @target, or of the upper
 * directory @target against @lower (taken over and freed).
 */
int ovl_diff_cmd(const char *target, struct ctu_strv *lower, const struct ctu_out_flags *out,
		 ctu_err_t *err);

/* The changes recorded in @upper against @st's lowers; -errno. */
int ovl_diff(const char *upper, const struct ctu_ovl_stack *st, const struct ctu_out_flags *out);

#endif
