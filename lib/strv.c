// SPDX-License-Identifier: GPL-2.0-or-later
/* strv.c - a vector of strings that owns them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctu.h"
#include "strv.h"

int ctu_strv_push(struct ctu_strv *s, const char *str, size_t len)
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

void ctu_strv_free(struct ctu_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int ctu_strv_split_escaped(struct ctu_strv *out, const char *str, char sep)
{
	_cleanup_free_ char *buf = malloc(strlen(str) + 1);
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	for (const char *p = str;; p++) {
		if (*p == '\\' && p[1]) {
			/* keep the escape unless it escapes our separator */
			if (p[1] != sep)
				buf[n++] = *p;
			buf[n++] = *++p;
			continue;
		}
		if (*p == sep || !*p) {
			if (n && ctu_strv_push(out, buf, n) < 0)
				return -ENOMEM;
			n = 0;
			if (!*p)
				return 0;
			continue;
		}
		buf[n++] = *p;
	}
}
