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
#include <stddef.h>
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

/*
 * ctu_creds_apply's steps apart, for lib/procopt's order (runc's).  The ids:
 * with @groups (@exact) exactly those supplementary groups, else with a gid
 * none (EPERM tolerated); then the gid, then the uid, keeping the permitted
 * set across it when @keep_caps.
 */
int ctu_creds_apply_ids(const struct ctu_creds *c, const gid_t *groups, size_t n_groups,
			bool exact, bool keep_caps, ctu_err_t *err);
/* Whether --keep-caps, --cap-add or --cap-drop asks for capabilities to be set. */
bool ctu_creds_touch_caps(const struct ctu_creds *c);
/* --keep-caps, --cap-add and --cap-drop, once the ids are set. */
int ctu_creds_apply_caps(const struct ctu_creds *c, ctu_err_t *err);

#endif
