/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dlsym.h - a shared library loaded on first use, as systemd loads its
 * optional ones: a tool starts without mapping and relocating a library that
 * only some of its commands need (libmount, libarchive, libcrypto).
 *
 * A library's functions are a table of pointers, filled by
 * ctu_dlopen_symbols() from a list of names; lib/crypto.h and
 * ovlmount/lazy-archive.h make the usual calls go through such a table.
 */
#ifndef CTU_DLSYM_H
#define CTU_DLSYM_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* One function to look up: its name and where its address goes. */
struct ctu_dlsym {
	const char *name;
	void **slot;
};

/* For X-macro lists of function names: a table member, a lookup entry. */
#define CTU_DL_MEMBER(f) typeof(f) *(f);
#define CTU_DL_ENTRY(f) { #f, (void **)&fns.f },

/*
 * Defines @getter(), which returns the table (struct @type) of the
 * functions in X-macro @list from @soname, loaded at the first call; a
 * library that cannot be loaded ends the tool with a message.
 */
#define CTU_DL_TABLE(getter, type, soname, list)                                       \
	const struct type *getter(void)                                                \
	{                                                                              \
		static struct type fns;                                                \
		static bool loaded;                                                    \
		static const struct ctu_dlsym syms[] = { list(CTU_DL_ENTRY) };         \
                                                                                       \
		if (!loaded) {                                                         \
			ctu_dlopen_or_exit(soname, syms, sizeof(syms) / sizeof(syms[0])); \
			loaded = true;                                                 \
		}                                                                      \
		return &fns;                                                           \
	}

/*
 * dlopen(@soname) (never closed: what it hands out lives in it) and every
 * symbol of @syms into its slot.  Returns 0, or a negative number with
 * *@err naming the library and what is missing; then no slot is to be used.
 */
int ctu_dlopen_symbols(const char *soname, const struct ctu_dlsym *syms, size_t n,
		       ctu_err_t *err);

/* The same for a library a command cannot do without: exits (125 or 1) on failure. */
void ctu_dlopen_or_exit(const char *soname, const struct ctu_dlsym *syms, size_t n);

#endif
