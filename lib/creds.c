// SPDX-License-Identifier: GPL-2.0-or-later
/* creds.c - credentials for the executed program (see creds.h). */
#include <getopt.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>

#include "creds.h"
#include "ctu.h"
#include "parse.h"

/* Adds the capabilities of @arg ("net_admin,sys_time", "ALL") to *@mask. */
static int parse_caps(const char *opt, const char *arg, ctu_capmask *mask, ctu_err_t *err)
{
	ctu_capmask m = 0;
	const char *bad;
	size_t len;

	if (ctu_caps_parse(arg, &m, &bad, &len) < 0)
		return ctu_err_usage(err, "invalid %s: unknown capability '%.*s'", opt, (int)len,
				     bad);
	*mask |= m;
	return 0;
}

int ctu_creds_parse_option(struct ctu_creds *c, int opt, const char *arg, ctu_err_t *err)
{
	switch (opt) {
	case 'S':
		if (ctu_parse_uid(arg, &c->uid) < 0)
			return ctu_err_usage(err, "invalid uid: '%s'", arg);
		c->has_uid = true;
		return 1;
	case 'G':
		if (ctu_parse_gid(arg, &c->gid) < 0)
			return ctu_err_usage(err, "invalid gid: '%s'", arg);
		c->has_gid = true;
		return 1;
	case CTU_OPT_KEEP_CAPS:
		c->keep_caps = true;
		return 1;
	case CTU_OPT_CAP_DROP:
		return parse_caps("--cap-drop", arg, &c->cap_drop, err) < 0 ? ctu_err_code(*err) : 1;
	case CTU_OPT_CAP_ADD:
		return parse_caps("--cap-add", arg, &c->cap_add, err) < 0 ? ctu_err_code(*err) : 1;
	case CTU_OPT_NO_NEW_PRIVS:
		c->no_new_privs = true;
		return 1;
	case CTU_OPT_NEW_SESSION:
		c->new_session = true;
		return 1;
	default:
		return 0;
	}
}

/* The exact supplementary groups, or none at all when only a gid is given. */
static int apply_groups(const gid_t *groups, size_t n, bool exact, ctu_err_t *err)
{
	if (exact && setgroups(n, groups) < 0)
		return ctu_err_errno(err, "cannot set the supplementary groups (--groups)");
	if (!exact && setgroups(0, NULL) < 0 && errno != EPERM)
		return ctu_err_errno(err, "cannot drop supplementary groups");
	return 0;
}

static int apply_uid(uid_t uid, bool keep_caps, ctu_err_t *err)
{
	/* keep the permitted set across setuid so that caps can be passed on */
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1) < 0)
		return ctu_err_errno(err, "cannot keep capabilities across setuid");
	if (setuid(uid) < 0)
		return ctu_err_errno(err, "cannot set uid %u", (unsigned int)uid);
	return 0;
}

bool ctu_creds_touch_caps(const struct ctu_creds *c)
{
	return c->keep_caps || c->cap_drop || c->cap_add;
}

int ctu_creds_apply_caps(const struct ctu_creds *c, ctu_err_t *err)
{
	ctu_capmask missing = 0;
	int e = ctu_caps_apply(c->cap_drop, c->cap_add, c->keep_caps, &missing);

	if (e == -EPERM && missing)
		return ctu_err_make(err, 0,
				    "--cap-add: cannot grant %s: this process does not hold it",
				    ctu_caps_first_name(missing));
	if (e < 0)
		return ctu_err_make(err, -e, "cannot set capabilities");
	return 0;
}

/* Groups and gid before the uid: setuid gives up the privilege they need. */
int ctu_creds_apply_ids(const struct ctu_creds *c, const gid_t *groups, size_t n_groups,
			bool exact, bool keep_caps, ctu_err_t *err)
{
	if ((exact || c->has_gid) && apply_groups(groups, n_groups, exact, err) < 0)
		return ctu_err_code(*err);
	if (c->has_gid && setgid(c->gid) < 0)
		return ctu_err_errno(err, "cannot set gid %u", (unsigned int)c->gid);
	if (c->has_uid && apply_uid(c->uid, keep_caps, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

int ctu_creds_apply(const struct ctu_creds *c, ctu_err_t *err)
{
	bool caps = ctu_creds_touch_caps(c);

	if (ctu_creds_apply_ids(c, NULL, 0, false, caps, err) < 0)
		return ctu_err_code(*err);
	if (caps && ctu_creds_apply_caps(c, err) < 0)
		return ctu_err_code(*err);
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ctu_err_errno(err, "cannot set no_new_privs");
	if (c->new_session && setsid() < 0)
		return ctu_err_errno(err, "cannot start a new session");
	return 0;
}
