// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnigo.c - Go's string rules, for the messages and JSON text a CNI plugin
 * shares with the Go plugins (see cnigo.h).
 */
#include <jansson.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "cnigo.h"
#include "json.h"
#include "ctu.h"

/* The length of the UTF-8 sequence at @p and its code point, or 0 for an invalid byte. */
int utf8_decode(const unsigned char *p, uint32_t *cp)
{
	/* a NUL ends the string: no sequence reads past it */
	return ctu_utf8_decode(p, strnlen((const char *)p, 4), cp);
}

/* strconv.Quote(@s) into @f: what Go's %q prints. */
void go_quote_to(FILE *f, const char *s)
{
	static const char shorts[] = "\a\b\f\n\r\t\v", letters[] = "abfnrtv";
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		uint32_t c = 0;
		int n = utf8_decode(p, &c);
		const char *sh = n == 1 && c ? strchr(shorts, (int)c) : NULL;

		if (n == 0)
			fprintf(f, "\\x%02x", *p);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", (char)c);
		else if (sh)
			fprintf(f, "\\%c", letters[sh - shorts]);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if ((c >= 0x80 && c < 0xa0) || c == 0xad)
			fprintf(f, "\\u%04x", c);
		else
			fwrite(p, 1, (size_t)n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

/* strconv.Quote(@s), newly allocated (NULL: no memory). */
char *go_quote(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	go_quote_to(f, s);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* @s with each invalid UTF-8 byte as U+FFFD, as Go's encoder reads it: JSON can hold it. */
char *utf8_clean(const char *s)
{
	size_t n;

	return ctu_utf8_clean(s, strlen(s), &n);
}

/* strconv.Atoi: 0, or -1 and Go's reason ("invalid syntax", "value out of range"). */
int go_atoi(const char *s, long long *out, const char **why)
{
	unsigned long long v = 0;
	bool neg = *s == '-';

	if (*s == '+' || *s == '-')
		s++;
	*why = "invalid syntax";
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned long long v10;

		if (*s < '0' || *s > '9')
			return -1;
		if (v >= UINT64_MAX / 10 + 1) {
			*why = "value out of range";
			return -1;
		}
		v10 = v * 10 + (unsigned)(*s - '0');
		if (v10 < v * 10) {
			*why = "value out of range";
			return -1;
		}
		v = v10;
	}
	if (v > (neg ? (1ULL << 63) : (1ULL << 63) - 1)) {
		*why = "value out of range";
		return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* unicode.IsSpace */
bool go_space(uint32_t c)
{
	return (c >= '\t' && c <= '\r') || c == ' ' || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
	       c == 0x205f || c == 0x3000;
}

/* ---- JSON text as Go's encoding/json writes it -------------------------------- */

/*
 * jansson's text with Go's string escapes: \u0008 and \u000c for \b and \f,
 * lower-case hex, and <, >, &, U+2028 and U+2029 escaped (Go's HTML-safe
 * default).  Outside strings the two encoders agree byte for byte.
 */
static void go_escapes(const char *in, FILE *f)
{
	bool in_string = false;

	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!in_string || c == '"') {
			in_string = c == '"' ? !in_string : in_string;
			fputc(c, f);
		} else if (c == '\\' && p[1]) {
			p++;
			if (*p == 'b' || *p == 'f') {
				fputs(*p == 'b' ? "\\u0008" : "\\u000c", f);
			} else if (*p == 'u') {
				fputs("\\u", f);
				for (int i = 0; i < 4 && p[1]; i++)
					fputc(tolower((unsigned char)*++p), f);
			} else {
				fputc('\\', f);
				fputc(*p, f);
			}
		} else if (c == '<' || c == '>' || c == '&') {
			fprintf(f, "\\u%04x", c);
		} else if (c == 0xe2 && (unsigned char)p[1] == 0x80 &&
			   ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9)) {
			fprintf(f, "\\u%04x", (unsigned char)p[2] == 0xa8 ? 0x2028 : 0x2029);
			p += 2;
		} else {
			fputc(c, f);
		}
	}
}

char *cni_json_text(const json_t *v, bool indent)
{
	_cleanup_free_ char *text = json_dumps(v, indent ? JSON_INDENT(4) : JSON_COMPACT);
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!text)
		return NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	go_escapes(text, f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
