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
 * Declares struct @type, the table of the functions in X-macro @list, and
 * its two getters (CTU_DL_TABLE defines them).
 */
#define CTU_DL_DECLARE(getter, type, list)                                             \
	struct type {                                                                  \
		list(CTU_DL_MEMBER)                                                    \
	};                                                                             \
	const struct type *getter(void);                                               \
	const struct type *getter##_try(ctu_err_t *err)

/*
 * Defines @getter(), which returns the table (struct @type) of the
 * functions in X-macro @list from @soname, loaded at the first call; a
 * library that cannot be loaded ends the tool with a message.  And
 * @getter_try(err), for a caller that can do without: NULL and *err then.
 */
#define CTU_DL_TABLE(getter, type, soname, list)                                       \
	static struct type fns;                                                        \
	static const struct ctu_dlsym getter##_syms[] = { list(CTU_DL_ENTRY) };        \
                                                                                       \
	const struct type *getter##_try(ctu_err_t *err)                                \
	{                                                                              \
		static bool loaded;                                                    \
                                                                                       \
		if (!loaded && ctu_dlopen_symbols(soname, getter##_syms,               \
						  sizeof(getter##_syms) /               \
							  sizeof(getter##_syms[0]),     \
						  err) < 0)                             \
			return NULL;                                                   \
		loaded = true;                                                         \
		return &fns;                                                           \
	}                                                                              \
                                                                                       \
	const struct type *getter(void)                                                \
	{                                                                              \
		ctu_err_t err = NULL;                                                  \
		const struct type *table = getter##_try(&err);                         \
                                                                                       \
		if (!table)                                                            \
			ctu_err_exit(&err);                                            \
		return table;                                                          \
	}

/*
 * dlopen(@soname) (never closed: what it hands out lives in it) and every
 * symbol of @syms into its slot.  Returns 0, or a negative number with
 * *@err naming the library and what is missing; then no slot is to be used.
 */
int ctu_dlopen_symbols(const char *soname, const struct ctu_dlsym *syms, size_t n,
		       ctu_err_t *err);

#endif
