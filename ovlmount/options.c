// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - the overlay options ovlmount takes (-o): pure functions that
 * say why a value is bad (a usage error) instead of exiting, so that the
 * fuzzer (tests/fuzz) can call them with anything.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "ovlmount.h"

/* The overlay options ovlmount knows, and the values each takes (NULL: a flag). */
static const struct {
	const char *name;
	const char *values;
} known_options[] = {
	{ "index", "on off" },
	{ "metacopy", "on off" },
	{ "redirect_dir", "on follow nofollow off" },
	{ "xino", "on off auto" },
	{ "nfs_export", "on off" },
	{ "uuid", "on off null auto" },
	{ "verity", "on off require" },
	{ "volatile", NULL },
	{ "userxattr", NULL },
	{ "default_permissions", NULL },
};

static bool word_in(const char *word, const char *list)
{
	size_t len = strlen(word);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");

		if (n == len && strncmp(p, word, n) == 0)
			return true;
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* 0 if @opt ("name" or "name=value") is an option we take, with a value it takes */
static int check_option(const char *opt, ctu_err_t *err)
{
	const char *eq = strchr(opt, '=');
	size_t len = eq ? (size_t)(eq - opt) : strlen(opt);

	for (size_t k = 0; k < CTU_ARRAY_SIZE(known_options); k++) {
		const char *values = known_options[k].values;

		if (strlen(known_options[k].name) != len || strncmp(opt, known_options[k].name, len))
			continue;
		if (!values != !eq || (eq && !word_in(eq + 1, values)))
			return ctu_err_usage(err, "invalid overlay option '%s'%s%s", opt,
				      values ? ": expected one of " : ": takes no value", values ? values : "");
		return 0;
	}
	return ctu_err_usage(err, "unknown overlay option '%.*s'", (int)len, opt);
}

int ovl_options_add(struct ctu_strv *options, const char *arg, ctu_err_t *err)
{
	_cleanup_strv_ struct ctu_strv parts = CTU_STRV_INIT;
	int r = ctu_strv_split_escaped(&parts, arg, ',');

	if (r < 0)
		return ctu_err_make(err, -r, "cannot read the overlay options '%s'", arg);
	if (parts.n == 0)
		r = ctu_err_usage(err, "empty overlay option list");
	for (size_t i = 0; r == 0 && i < parts.n; i++) {
		r = check_option(parts.v[i], err);
		if (r == 0 && ctu_strv_push(options, parts.v[i], strlen(parts.v[i])) < 0)
			r = ctu_err_make(err, ENOMEM, "cannot add the overlay option '%s'", parts.v[i]);
	}
	return r;
}

const char *ovl_option_value(const struct ctu_strv *options, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < options->n; i++) {
		const char *o = options->v[i];

		if (strncmp(o, name, len) == 0 && (o[len] == '=' || !o[len]))
			return o[len] ? o + len + 1 : "";
	}
	return NULL;
}

/* The conflicts the kernel would answer with a bare EINVAL (params.c). */
int ovl_options_conflict(const struct ctu_strv *options, ctu_err_t *err)
{
	const char *metacopy = ovl_option_value(options, "metacopy");
	const char *redirect = ovl_option_value(options, "redirect_dir");
	const char *nfs = ovl_option_value(options, "nfs_export");
	const char *index = ovl_option_value(options, "index");
	const char *verity = ovl_option_value(options, "verity");
	bool userxattr = ovl_option_value(options, "userxattr") != NULL;
	bool meta_on = metacopy && strcmp(metacopy, "on") == 0;

	if (meta_on && redirect && strcmp(redirect, "on") != 0)
		return ctu_err_usage(err, "overlay options conflict: metacopy=on needs redirect_dir=on, not "
			      "redirect_dir=%s", redirect);
	if (nfs && strcmp(nfs, "on") == 0 && index && strcmp(index, "off") == 0)
		return ctu_err_usage(err, "overlay options conflict: nfs_export=on needs index=on");
	if (nfs && strcmp(nfs, "on") == 0 && meta_on)
		return ctu_err_usage(err, "overlay options conflict: nfs_export=on cannot go with metacopy=on");
	if (userxattr && redirect && (strcmp(redirect, "on") == 0 || strcmp(redirect, "follow") == 0))
		return ctu_err_usage(err, "overlay options conflict: userxattr cannot go with redirect_dir=%s",
			      redirect);
	if (userxattr && meta_on)
		return ctu_err_usage(err, "overlay options conflict: userxattr cannot go with metacopy=on");
	if (userxattr && verity && strcmp(verity, "off") != 0)
		return ctu_err_usage(err, "overlay options conflict: userxattr cannot go with verity=%s", verity);
	if (metacopy && strcmp(metacopy, "off") == 0 && verity && strcmp(verity, "off") != 0)
		return ctu_err_usage(err, "overlay options conflict: verity=%s needs metacopy", verity);
	return 0;
}
