/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnigo.h - Go's words where a CNI plugin must say what the Go plugins say:
 * strconv.Quote (what %q prints), strconv.Atoi's reasons, unicode.IsSpace,
 * UTF-8 as Go's encoder reads it, and JSON text as encoding/json writes it
 * (cni.h: cni_json_text).  Pure (cnigo.c).
 */
#ifndef VETHCTL_CNIGO_H
#define VETHCTL_CNIGO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The length of the UTF-8 sequence at @p and its code point, or 0 for an invalid byte. */
int utf8_decode(const unsigned char *p, uint32_t *cp);
/* @s with each invalid UTF-8 byte as U+FFFD (JSON can hold it).  Newly allocated, or NULL. */
char *utf8_clean(const char *s);

/* strconv.Quote(@s) into @f, and newly allocated (NULL: no memory). */
void go_quote_to(FILE *f, const char *s);
char *go_quote(const char *s);

/* strconv.Atoi: 0 and *@out, or -1 with Go's reason ("invalid syntax", "value out of range"). */
int go_atoi(const char *s, long long *out, const char **why);

/* unicode.IsSpace */
bool go_space(uint32_t c);

#endif
