/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * creds.h - the credentials a chaining tool gives the program it runs:
 * groups, gid, uid, capabilities, no_new_privs, session.
 *
 * Like the rest of lib/, they return errors (lib/err) and leave the
 * reporting to the tool, which can only stop before exec then.
 */
#ifndef CTU_CREDS_H
#define CTU_CREDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "caps.h"
#include "err.h"

struct ctu_creds {
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
	bool keep_caps; /* permitted -> ambient (--keep-caps) */
	ctu_capmask cap_drop, cap_add;
	bool no_new_privs;
	bool new_session;
};

/* Option codes of the credential options every chaining tool shares. */
enum {
	CTU_OPT_KEEP_CAPS = 0x1000,
	CTU_OPT_CAP_DROP,
	CTU_OPT_CAP_ADD,
	CTU_OPT_NO_NEW_PRIVS,
	CTU_OPT_NEW_SESSION,
};

/* getopt_long entries for them, to put in a tool's longopts[]. */
#define CTU_CREDS_LONGOPTS                                                                         \
	{ "setuid", required_argument, NULL, 'S' }, { "setgid", required_argument, NULL, 'G' },    \
		{ "keep-caps", no_argument, NULL, CTU_OPT_KEEP_CAPS },                             \
		{ "cap-drop", required_argument, NULL, CTU_OPT_CAP_DROP },                         \
		{ "no-new-privs", no_argument, NULL, CTU_OPT_NO_NEW_PRIVS },                       \
		{ "new-session", no_argument, NULL, CTU_OPT_NEW_SESSION }

/*
 * Handles option @opt with value @arg if it is one of the credential
 * options (-S, -G and the CTU_OPT_* above): 1 when it was one, 0 when not.
 * A bad value is a usage error (ctu_err_usage) that names it: negative.
 */
int ctu_creds_parse_option(struct ctu_creds *c, int opt, const char *arg, ctu_err_t *err);

/*
 * Applies @c just before exec, in the only order that works: drop the
 * supplementary groups (EPERM tolerated: a user namespace may deny
 * setgroups), setgid, setuid (keeping the permitted set when capabilities
 * are to be passed on), capabilities, no_new_privs, then setsid.
 * Returns 0, or a negative number with *@err naming the step that failed.
 */
int ctu_creds_apply(const struct ctu_creds *c, ctu_err_t *err);

#endif
