/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovl.h - an overlay stack as the kernel shows it in mountinfo: the lower
 * layers top first, the data-only ones, upper, work and the other options,
 * each path as recorded (a relative one stays relative: the mount was made
 * from another directory, as containers/storage mounts long stacks).  What
 * ovlmount and nsenter-lite's --inspect read alike.
 */
#ifndef CTU_OVL_H
#define CTU_OVL_H

#include "strv.h"

struct ctu_ovl_stack {
	struct ctu_strv lower; /* top first */
	struct ctu_strv data;  /* data-only layers */
	char *upper, *work;
	struct ctu_strv other; /* the other options, "key=value" or "flag" */
};

/* Frees what @st holds; @st is empty again. */
void ctu_ovl_stack_free(struct ctu_ovl_stack *st);

/*
 * Adds the layers of an overlay's superblock options (mountinfo's, libmount's
 * mnt_fs_get_fs_options: "lowerdir=A:B::D,upperdir=U,workdir=W", or the
 * lowerdir+= and datadir+= of Linux 6.8+) to @st; "\," and "\:" are escapes.
 * Returns 0 or -ENOMEM.
 */
int ctu_ovl_stack_from_options(const char *fs_options, struct ctu_ovl_stack *st);

struct libmnt_fs;

/* The layers of one overlay entry of a mount table.  Returns 0, -EINVAL (not overlay), -ENOMEM. */
int ctu_ovl_stack_from_fs(struct libmnt_fs *fs, struct ctu_ovl_stack *st);

/* The overlay mounted at @merged in our mount table.  Returns 0, -ENOENT, -EINVAL (not overlay). */
int ctu_ovl_stack_from_mount(const char *merged, struct ctu_ovl_stack *st);

#endif
