// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layer-names.c - what a tar member's name may be (images.md "Unpacking a
 * layer"): a path below the layer's root and nothing else.  Every name is
 * checked here before any file is made, so `..` never reaches a syscall and
 * an over-long name is refused with its reason rather than an ENAMETOOLONG.
 */
#include <string.h>

#include "ctu.h"
#include "image.h"
#include "layer.h"

#define WH ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* Linux's NAME_MAX is 255 and PATH_MAX 4096 (with its NUL); the spec refuses from there. */
#define NAME_LIMIT 255
#define PATH_LIMIT 4096

const char *layer_name_show(const char *name, char buf[LAYER_SHOW_SIZE])
{
	size_t i = 0;

	/* messages are one line: control bytes would forge others */
	for (; i < LAYER_SHOW_SIZE - 4 && name[i]; i++)
		buf[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
	memcpy(buf + i, name[i] ? "..." : "", name[i] ? 4 : 1);
	return buf;
}

static int refuse(const char *name, ctu_err_t *err, const char *why)
{
	char show[LAYER_SHOW_SIZE];

	return ctu_err_make(err, 0, "entry '%s': %s", layer_name_show(name, show), why);
}

static bool is_wh(const char *c)
{
	return strncmp(c, WH, strlen(WH)) == 0;
}

/* What the last component (at @out + @last) makes of the name; @out is cut to match. */
static int classify(const char *name, char *out, size_t last, ctu_err_t *err)
{
	char *c = out + last;

	if (!is_wh(c))
		return LAYER_NAME_ENTRY;
	if (!c[strlen(WH)])
		return refuse(name, err, "a whiteout of nothing ('.wh.' alone)");
	if (!strcmp(c, WH ".") || !strcmp(c, WH ".."))
		return refuse(name, err, "a whiteout of '.' or '..'");
	if (strncmp(c, WH_META, strlen(WH_META)) != 0) {
		/* D/.wh.NAME hides D/NAME */
		memmove(c, c + strlen(WH), strlen(c + strlen(WH)) + 1);
		return LAYER_NAME_WHITEOUT;
	}
	if (strcmp(c, WH_OPAQUE) != 0)
		return LAYER_NAME_SKIP; /* AUFS' .wh..wh.plnk and friends */
	if (last == 0)
		memcpy(out, ".", 2);
	else
		out[last - 1] = '\0';
	return LAYER_NAME_OPAQUE;
}

int layer_name_check(const char *name, char *out, size_t size, ctu_err_t *err)
{
	size_t len = 0, last = 0, n;
	bool below_wh = false;
	int kind;

	if (!*name)
		return refuse(name, err, "an empty name");
	for (const char *p = name; *p; p += n) {
		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return refuse(name, err, "a '..' component");
		if (n >= NAME_LIMIT)
			return refuse(name, err, "a component of 255 bytes or more");
		if (len + (len ? 1 : 0) + n >= PATH_LIMIT)
			return refuse(name, err, "a path of 4096 bytes or more");
		if (len + 1 + n + 1 > size)
			return ctu_err_make(err, ENAMETOOLONG, "entry name longer than %zu bytes", size);
		/* the component before this one is no longer the last */
		if (len && is_wh(out + last))
			below_wh = true;
		if (len)
			out[len++] = '/';
		last = len;
		memcpy(out + len, p, n);
		len += n;
		out[len] = '\0';
	}
	if (!len) {
		if (size < 2)
			return ctu_err_make(err, ENAMETOOLONG, "entry name longer than %zu bytes", size);
		memcpy(out, ".", 2);
		return LAYER_NAME_ROOT;
	}
	kind = classify(name, out, last, err);
	/* below a whiteout or an AUFS directory there is nothing to make */
	return kind >= 0 && below_wh ? LAYER_NAME_SKIP : kind;
}
