// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyring: prints "SERIAL DESCRIPTION" of our session keyring, read with the
 * raw keyctl(2) (KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, then
 * KEYCTL_DESCRIBE), for testing unshare-lite --new-keyring without
 * keyutils.  Exits 1 if either call fails.
 */
#define _GNU_SOURCE
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	char desc[1024];
	long serial = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	long n;
	char *name;

	if (serial < 0) {
		perror("keyring: KEYCTL_GET_KEYRING_ID");
		return 1;
	}
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, desc, sizeof(desc) - 1);
	if (n < 0) {
		perror("keyring: KEYCTL_DESCRIBE");
		return 1;
	}
	desc[sizeof(desc) - 1] = '\0';
	/* "TYPE;UID;GID;PERM;DESCRIPTION": the description follows the fourth ';' */
	name = desc;
	for (int i = 0; i < 4 && name; i++) {
		name = strchr(name, ';');
		if (name)
			name++;
	}
	printf("%ld %s\n", serial, name ? name : desc);
	return 0;
}
