// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - ovlmount's string lists and the overlay options it takes (-o):
 * pure functions that say why a value is bad instead of exiting, so that the
 * fuzzer (tests/fuzz) can call them with anything.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "ovlmount.h"

int strv_push(struct strv *s, const char *str, size_t len)
{
	char **v = realloc(s->v, (s->n + 2) * sizeof(char *));

	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n] = strndup(str, len);
	if (!s->v[s->n])
		return -ENOMEM;
	s->v[++s->n] = NULL;
	return 0;
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int split_escaped(const char *s, char sep, struct strv *out)
{
	_cleanup_free_ char *buf = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	for (const char *p = s;; p++) {
		if (*p == '\\' && p[1]) {
			/* keep the escape unless it escapes our separator */
			if (p[1] != sep)
				buf[n++] = *p;
			buf[n++] = *++p;
			continue;
		}
		if (*p == sep || !*p) {
			if (n && strv_push(out, buf, n) < 0)
				return -ENOMEM;
			n = 0;
			if (!*p)
				return 0;
			continue;
		}
		buf[n++] = *p;
	}
}

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

/* Says why in @why and returns -EINVAL: the end of every refusal here. */
static int __attribute__((format(printf, 3, 4))) refuse(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* 0 if @opt ("name" or "name=value") is an option we take, with a value it takes */
static int check_option(const char *opt, char *why, size_t size)
{
	const char *eq = strchr(opt, '=');
	size_t len = eq ? (size_t)(eq - opt) : strlen(opt);

	for (size_t k = 0; k < CTU_ARRAY_SIZE(known_options); k++) {
		const char *values = known_options[k].values;

		if (strlen(known_options[k].name) != len || strncmp(opt, known_options[k].name, len))
			continue;
		if (!values != !eq || (eq && !word_in(eq + 1, values)))
			return refuse(why, size, "invalid overlay option '%s'%s%s", opt,
				      values ? ": expected one of " : ": takes no value", values ? values : "");
		return 0;
	}
	return refuse(why, size, "unknown overlay option '%.*s'", (int)len, opt);
}

int ovl_options_add(struct strv *options, const char *arg, char *why, size_t size)
{
	struct strv parts = { 0 };
	int r = split_escaped(arg, ',', &parts);

	if (r == 0 && parts.n == 0)
		r = refuse(why, size, "empty overlay option list");
	for (size_t i = 0; r == 0 && i < parts.n; i++) {
		r = check_option(parts.v[i], why, size);
		if (r == 0)
			r = strv_push(options, parts.v[i], strlen(parts.v[i]));
	}
	strv_free(&parts);
	return r;
}

const char *ovl_option_value(const struct strv *options, const char *name)
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
int ovl_options_conflict(const struct strv *options, char *why, size_t size)
{
	const char *metacopy = ovl_option_value(options, "metacopy");
	const char *redirect = ovl_option_value(options, "redirect_dir");
	const char *nfs = ovl_option_value(options, "nfs_export");
	const char *index = ovl_option_value(options, "index");
	const char *verity = ovl_option_value(options, "verity");
	bool userxattr = ovl_option_value(options, "userxattr") != NULL;
	bool meta_on = metacopy && strcmp(metacopy, "on") == 0;

	if (meta_on && redirect && strcmp(redirect, "on") != 0)
		return refuse(why, size, "overlay options conflict: metacopy=on needs redirect_dir=on, not "
			      "redirect_dir=%s", redirect);
	if (nfs && strcmp(nfs, "on") == 0 && index && strcmp(index, "off") == 0)
		return refuse(why, size, "overlay options conflict: nfs_export=on needs index=on");
	if (nfs && strcmp(nfs, "on") == 0 && meta_on)
		return refuse(why, size, "overlay options conflict: nfs_export=on cannot go with metacopy=on");
	if (userxattr && redirect && (strcmp(redirect, "on") == 0 || strcmp(redirect, "follow") == 0))
		return refuse(why, size, "overlay options conflict: userxattr cannot go with redirect_dir=%s",
			      redirect);
	if (userxattr && meta_on)
		return refuse(why, size, "overlay options conflict: userxattr cannot go with metacopy=on");
	if (userxattr && verity && strcmp(verity, "off") != 0)
		return refuse(why, size, "overlay options conflict: userxattr cannot go with verity=%s", verity);
	if (metacopy && strcmp(metacopy, "off") == 0 && verity && strcmp(verity, "off") != 0)
		return refuse(why, size, "overlay options conflict: verity=%s needs metacopy", verity);
	return 0;
}
