// SPDX-License-Identifier: GPL-2.0-or-later
/* crypto.c - libcrypto loaded on first use (see crypto.h). */
#define CTU_CRYPTO_LOADER
#include "crypto.h"

CTU_DL_TABLE(ctu_crypto, ctu_crypto, CTU_CRYPTO_SONAME, CTU_CRYPTO_FUNCTIONS)
