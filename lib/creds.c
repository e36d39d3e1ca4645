// SPDX-License-Identifier: GPL-2.0-or-later
/* creds.c - credentials for the executed program (see creds.h). */
#include <err.h>
#include <getopt.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>

#include "creds.h"
#include "ctu.h"
#include "parse.h"

static void parse_caps(const char *opt, const char *arg, ctu_capmask *mask)
{
	ctu_capmask m = 0;
	const char *bad;
	size_t len;

	if (ctu_caps_parse(arg, &m, &bad, &len) < 0)
		ctu_usage_error("invalid %s: unknown capability '%.*s'", opt, (int)len, bad);
	*mask |= m;
}

bool ctu_creds_parse_option(struct ctu_creds *c, int opt, const char *arg)
{
	switch (opt) {
	case 'S':
		if (ctu_parse_uid(arg, &c->uid) < 0)
			ctu_usage_error("invalid uid: '%s'", arg);
		c->has_uid = true;
		return true;
	case 'G':
		if (ctu_parse_gid(arg, &c->gid) < 0)
			ctu_usage_error("invalid gid: '%s'", arg);
		c->has_gid = true;
		return true;
	case CTU_OPT_KEEP_CAPS:
		c->keep_caps = true;
		return true;
	case CTU_OPT_CAP_DROP:
		parse_caps("--cap-drop", arg, &c->cap_drop);
		return true;
	case CTU_OPT_CAP_ADD:
		parse_caps("--cap-add", arg, &c->cap_add);
		return true;
	case CTU_OPT_NO_NEW_PRIVS:
		c->no_new_privs = true;
		return true;
	case CTU_OPT_NEW_SESSION:
		c->new_session = true;
		return true;
	default:
		return false;
	}
}

void ctu_creds_apply(const struct ctu_creds *c)
{
	bool caps = c->keep_caps || c->cap_drop || c->cap_add;
	ctu_capmask missing = 0;
	int e;

	if (c->has_gid) {
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			err(ctu_exit_fail, "cannot drop supplementary groups");
		if (setgid(c->gid) < 0)
			err(ctu_exit_fail, "cannot set gid %u", (unsigned int)c->gid);
	}
	if (c->has_uid) {
		/* keep the permitted set across setuid so that caps can be passed on */
		if (caps && prctl(PR_SET_KEEPCAPS, 1) < 0)
			err(ctu_exit_fail, "cannot keep capabilities across setuid");
		if (setuid(c->uid) < 0)
			err(ctu_exit_fail, "cannot set uid %u", (unsigned int)c->uid);
	}
	if (caps) {
		e = ctu_caps_apply(c->cap_drop, c->cap_add, c->keep_caps, &missing);
		if (e == -EPERM && missing)
			errx(ctu_exit_fail, "--cap-add: cannot grant %s: this process does not hold it",
			     ctu_caps_first_name(missing));
		if (e < 0)
			ctu_die_errno(e, "cannot set capabilities");
	}
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err(ctu_exit_fail, "cannot set no_new_privs");
	if (c->new_session && setsid() < 0)
		err(ctu_exit_fail, "cannot start a new session");
}
