// SPDX-License-Identifier: GPL-2.0-or-later
/* lazy-archive.c - libarchive loaded on first use (see lazy-archive.h). */
#define OVL_ARCHIVE_LOADER
#include "lazy-archive.h"

const struct ovl_archive_fns *ovl_archive(void)
{
	static struct ovl_archive_fns fns;
	static bool loaded;
#define ENTRY(f) CTU_DL_ENTRY(fns, f)
	static const struct ctu_dlsym syms[] = { OVL_ARCHIVE_FUNCTIONS(ENTRY) };
#undef ENTRY

	if (!loaded) {
		ctu_dlopen_or_exit(OVL_ARCHIVE_SONAME, syms, sizeof(syms) / sizeof(syms[0]));
		loaded = true;
	}
	return &fns;
}
