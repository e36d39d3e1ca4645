// SPDX-License-Identifier: GPL-2.0-or-later
/* crypto.c - libcrypto loaded on first use (see crypto.h). */
#define CTU_CRYPTO_LOADER
#include "crypto.h"

const struct ctu_crypto *ctu_crypto(void)
{
	static struct ctu_crypto fns;
	static bool loaded;
#define ENTRY(f) CTU_DL_ENTRY(fns, f)
	static const struct ctu_dlsym syms[] = { CTU_CRYPTO_FUNCTIONS(ENTRY) };
#undef ENTRY

	if (!loaded) {
		ctu_dlopen_or_exit(CTU_CRYPTO_SONAME, syms, sizeof(syms) / sizeof(syms[0]));
		loaded = true;
	}
	return &fns;
}
