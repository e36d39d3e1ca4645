// SPDX-License-Identifier: GPL-2.0-or-later
/* lazy-archive.c - libarchive loaded on first use (see lazy-archive.h). */
#define OVL_ARCHIVE_LOADER
#include "lazy-archive.h"

CTU_DL_TABLE(ovl_archive, ovl_archive_fns, OVL_ARCHIVE_SONAME, OVL_ARCHIVE_FUNCTIONS)
