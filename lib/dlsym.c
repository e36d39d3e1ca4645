// SPDX-License-Identifier: GPL-2.0-or-later
/* dlsym.c - shared libraries loaded on first use (see dlsym.h). */
#include <dlfcn.h>

#include "ctu.h"
#include "dlsym.h"

int ctu_dlopen_symbols(const char *soname, const struct ctu_dlsym *syms, size_t n,
		       ctu_err_t *err)
{
	void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle)
		return ctu_err_make(err, 0, "cannot load %s: %s", soname, dlerror());
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(handle, syms[i].name);
		if (!*syms[i].slot)
			return ctu_err_make(err, 0, "cannot load %s: it has no %s", soname,
					    syms[i].name);
	}
	return 0;
}
