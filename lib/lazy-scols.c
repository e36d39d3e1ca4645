// SPDX-License-Identifier: GPL-2.0-or-later
/* lazy-scols.c - libsmartcols loaded on first use (see lazy-scols.h). */
#define CTU_SCOLS_LOADER
#include "lazy-scols.h"

CTU_DL_TABLE(ctu_scols, ctu_scols, CTU_SCOLS_SONAME, CTU_SCOLS_FUNCTIONS)
