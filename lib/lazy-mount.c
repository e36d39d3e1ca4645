// SPDX-License-Identifier: GPL-2.0-or-later
/* lazy-mount.c - libmount loaded on first use (see lazy-mount.h). */
#define CTU_MOUNT_LOADER
#include "lazy-mount.h"

CTU_DL_TABLE(ctu_libmount, ctu_libmount, CTU_MOUNT_SONAME, CTU_MOUNT_FUNCTIONS)
