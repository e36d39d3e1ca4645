/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ovlmount.h - what ovlmount's mount, show and diff parts share. */
#ifndef OVLMOUNT_H
#define OVLMOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"

/* The kernel's OVL_MAX_STACK. */
#define OVL_MAX_LAYERS 500

/* A list of strings that owns them. */
struct strv {
	char **v;
	size_t n;
};

int strv_push(struct strv *s, const char *str, size_t len);
void strv_free(struct strv *s);

/* An overlay stack as mounted (from mountinfo) or as given. */
struct stack {
	struct strv lower; /* top first */
	struct strv data;  /* data-only layers */
	char *upper, *work;
	struct strv other; /* the other options, "key=value" or "flag" */
};

void stack_free(struct stack *st);

/*
 * Splits a comma-separated option string with "\," escapes into @out
 * (escapes removed only for ',').  Returns 0 or -ENOMEM.
 */
int split_escaped(const char *s, char sep, struct strv *out);

/*
 * Adds the comma-separated overlay options of one -o @arg to @options after
 * checking each against the options ovlmount knows and their values.
 * Returns 0, -EINVAL with the reason in @why, or -ENOMEM.
 */
int ovl_options_add(struct strv *options, const char *arg, char *why, size_t size);

/* The value of option @name in @options ("" for a flag), or NULL. */
const char *ovl_option_value(const struct strv *options, const char *name);

/* 0, or -EINVAL with the reason in @why: options the kernel would refuse together. */
int ovl_options_conflict(const struct strv *options, char *why, size_t size);

/* Reads the overlay mounted at @merged from mountinfo.  Returns 0, -ENOENT, -EINVAL (not overlay). */
int stack_from_mount(const char *merged, struct stack *st);

/* --diff: prints the changes recorded in @upper against @st's lowers. */
int ovl_diff(const char *upper, const struct stack *st, const struct ctu_out_flags *out);

#endif
