// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyring.c - --new-keyring[=NAME]: a session keyring of the program's own.
 * Keyrings are not namespaced: without a new one the program would share
 * the caller's session keyring and its keys, as runc's init avoids.  Raw
 * keyctl(2): no libkeyutils for two calls.
 */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctu.h"
#include "unshare-lite.h"

/* keyutils.h's KEY_USR_SEARCH: not in the kernel's uapi headers */
#define KEY_USR_SEARCH_PERM 0x00080000U

static long keyctl_call(int op, unsigned long a2, unsigned long a3, unsigned long a4)
{
	return syscall(SYS_keyctl, op, a2, a3, a4, 0UL);
}

/*
 * The program may run as another user than the keyring's owner: the owner
 * (the "user" in the permission) may search it, as runc makes it.  The
 * description is "TYPE;UID;GID;PERM;NAME", PERM in hex.
 */
static int make_searchable(long serial, ctu_err_t *err)
{
	char desc[512];
	unsigned int perm;
	long n = keyctl_call(KEYCTL_DESCRIBE, (unsigned long)serial, (unsigned long)desc,
			     sizeof(desc) - 1);

	if (n < 0)
		return ctu_err_errno(err, "--new-keyring: cannot describe the new keyring");
	desc[CTU_ARRAY_SIZE(desc) - 1] = '\0';
	if (sscanf(desc, "%*[^;];%*[^;];%*[^;];%x;", &perm) != 1)
		return ctu_err_make(err, 0, "--new-keyring: unexpected description '%s'", desc);
	if (keyctl_call(KEYCTL_SETPERM, (unsigned long)serial, perm | KEY_USR_SEARCH_PERM, 0) < 0)
		return ctu_err_errno(err, "--new-keyring: cannot set the keyring's permissions");
	return 0;
}

int join_new_keyring(const struct opts *o, ctu_err_t *err)
{
	long serial;

	if (!o->new_keyring)
		return 0;
	serial = keyctl_call(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)o->keyring_name, 0, 0);
	if (serial < 0 && errno == ENOSYS) {
		/* a kernel without CONFIG_KEYS has no keyring to share either (runc) */
		ctu_debug("--new-keyring: no keyrings in this kernel");
		return 0;
	}
	if (serial < 0)
		return ctu_err_errno(err, "--new-keyring: cannot join a new session keyring%s%s",
				     o->keyring_name ? " " : "",
				     o->keyring_name ? o->keyring_name : "");
	ctu_debug("session keyring %ld", serial);
	return make_searchable(serial, err);
}
