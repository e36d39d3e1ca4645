/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * creds.h - the credentials a chaining tool gives the program it runs:
 * groups, gid, uid, capabilities, no_new_privs, session.
 *
 * Unlike the rest of lib/, these helpers are for tools only: they print
 * "PROG: ..." and exit with ctu_exit_fail on failure, because the only
 * thing a tool can do then is stop before exec.
 */
#ifndef CTU_CREDS_H
#define CTU_CREDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "caps.h"

struct ctu_creds {
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
	bool keep_caps; /* permitted -> ambient (--keep-caps) */
	ctu_capmask cap_drop, cap_add;
	bool no_new_privs;
	bool new_session;
};

/* --cap-drop/--cap-add values: adds to @mask, or a usage error naming the bad name. */
void ctu_creds_parse_caps(const char *opt, const char *arg, ctu_capmask *mask);

/*
 * Applies @c just before exec, in the only order that works: drop the
 * supplementary groups (EPERM tolerated: a user namespace may deny
 * setgroups), setgid, setuid (keeping the permitted set when capabilities
 * are to be passed on), capabilities, no_new_privs, then setsid.
 */
void ctu_creds_apply(const struct ctu_creds *c);

#endif
