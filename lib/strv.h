/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strv.h - a vector of strings that owns them, NULL-terminated once it
 * holds one (v[n] == NULL), so that v can go where a char ** is wanted:
 * an argv, a list of mount options.  An empty vector has v == NULL.
 */
#ifndef CTU_STRV_H
#define CTU_STRV_H

#include <stddef.h>

struct ctu_strv {
	char **v;
	size_t n;
};
#define CTU_STRV_INIT { NULL, 0 }

/* Appends a copy of the first @len bytes of @str.  Returns 0 or -ENOMEM. */
int ctu_strv_push(struct ctu_strv *s, const char *str, size_t len);

/* Frees the strings and the vector; @s is empty again. */
void ctu_strv_free(struct ctu_strv *s);
#define _cleanup_strv_ __attribute__((cleanup(ctu_strv_free)))

/*
 * Appends the @sep-separated parts of @str to @out, empty parts dropped.
 * A backslash escapes @sep ("a\,b" is one part "a,b"); any other escape is
 * kept as it is, for whoever reads the part next.  Returns 0 or -ENOMEM.
 */
int ctu_strv_split_escaped(struct ctu_strv *out, const char *str, char sep);

#endif
