// SPDX-License-Identifier: GPL-2.0-or-later
/* caps.c - capability helpers over libcap (see caps.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "ctu.h"
#include "parse.h"

static void free_caps(cap_t *c)
{
	if (*c)
		cap_free(*c);
}
#define _cleanup_cap_ _cleanup_(free_caps)

/* How many capabilities this kernel knows (a mask holds at most 64). */
static unsigned int n_caps(void)
{
	int n = (int)cap_max_bits();

	return n < 0 ? 0 : n > 64 ? 64 : (unsigned int)n;
}

ctu_capmask ctu_caps_all(void)
{
	unsigned int n = n_caps();

	return n >= 64 ? ~(ctu_capmask)0 : ((ctu_capmask)1 << n) - 1;
}

/* One name: "net_admin", "CAP_NET_ADMIN", "12". */
static int parse_one_cap(const char *tok, size_t len, ctu_capmask *mask)
{
	char name[64];
	cap_value_t v;
	uint64_t num;

	if (len == 0 || len + 4 >= sizeof(name))
		return -EINVAL;
	if (len == 3 && strncasecmp(tok, "all", 3) == 0) {
		*mask |= ctu_caps_all();
		return 0;
	}
	memcpy(name, tok, len);
	name[len] = '\0';
	if (ctu_parse_u64_range(name, 0, n_caps() - 1, &num) == 0) {
		*mask |= (ctu_capmask)1 << num;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	if (strncmp(name, "cap_", 4) != 0) {
		memmove(name + 4, name, len + 1);
		memcpy(name, "cap_", 4);
	}
	if (cap_from_name(name, &v) != 0 || v < 0 || (unsigned int)v >= n_caps())
		return -EINVAL;
	*mask |= (ctu_capmask)1 << v;
	return 0;
}

int ctu_caps_parse(const char *s, ctu_capmask *mask, const char **bad_start, size_t *bad_len)
{
	ctu_capmask m = 0;

	if (!s || !*s) {
		*bad_start = s ? s : "";
		*bad_len = 0;
		return -EINVAL;
	}
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");

		if (parse_one_cap(p, len, &m) < 0) {
			*bad_start = p;
			*bad_len = len;
			return -EINVAL;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}

bool ctu_caps_have(int cap)
{
	_cleanup_cap_ cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (!c || cap_get_flag(c, (cap_value_t)cap, CAP_EFFECTIVE, &v) != 0)
		return false;
	return v == CAP_SET;
}

const char *ctu_caps_first_name(ctu_capmask mask)
{
	static char name[64];

	for (unsigned int i = 0; i < 64; i++) {
		if (mask & ((ctu_capmask)1 << i)) {
			char *n = cap_to_name((cap_value_t)i);

			snprintf(name, sizeof(name), "%s", n ? n : "?");
			cap_free(n);
			return name;
		}
	}
	return "none";
}

static ctu_capmask get_set(cap_t c, cap_flag_t which)
{
	ctu_capmask m = 0;

	for (unsigned int i = 0; i < n_caps(); i++) {
		cap_flag_value_t v;

		if (cap_get_flag(c, (cap_value_t)i, which, &v) == 0 && v == CAP_SET)
			m |= (ctu_capmask)1 << i;
	}
	return m;
}

static int set_flags(cap_t c, cap_flag_t which, ctu_capmask m)
{
	for (unsigned int i = 0; i < n_caps(); i++) {
		cap_value_t v = (cap_value_t)i;

		if (cap_set_flag(c, which, 1, &v, (m >> i) & 1 ? CAP_SET : CAP_CLEAR) != 0)
			return -errno;
	}
	return 0;
}

int ctu_caps_apply(ctu_capmask drop, ctu_capmask add, bool keep_all, ctu_capmask *missing)
{
	_cleanup_cap_ cap_t c = cap_get_proc();
	ctu_capmask perm, keep, ambient;
	int r;

	if (!c)
		return -errno;
	perm = get_set(c, CAP_PERMITTED);
	*missing = add & ~perm;
	if (*missing)
		return -EPERM;
	drop &= ~add;
	/* the bounding set first: dropping from it needs CAP_SETPCAP, still effective */
	for (unsigned int i = 0; i < n_caps(); i++)
		if ((drop >> i) & 1 && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	keep = perm & ~drop;
	ambient = add | (keep_all ? keep : 0);
	r = set_flags(c, CAP_PERMITTED, keep);
	if (r == 0)
		r = set_flags(c, CAP_EFFECTIVE, keep);
	if (r == 0)
		r = set_flags(c, CAP_INHERITABLE, ambient);
	if (r < 0)
		return r;
	if (cap_set_proc(c) != 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	for (unsigned int i = 0; i < 64; i++)
		if ((ambient >> i) & 1 &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			return -errno;
	return 0;
}

int ctu_caps_bound(ctu_capmask keep)
{
	for (unsigned int i = 0; i < n_caps(); i++)
		if (!((keep >> i) & 1) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	return 0;
}

static int set_ambient(ctu_capmask amb)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	for (unsigned int i = 0; i < 64; i++)
		if ((amb >> i) & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			return -errno;
	return 0;
}

int ctu_caps_set_exact(const ctu_capmask *eff, const ctu_capmask *perm, const ctu_capmask *inh,
		       const ctu_capmask *amb)
{
	_cleanup_cap_ cap_t c = cap_get_proc();
	ctu_capmask p, e;
	int r = 0;

	if (!c)
		return -errno;
	p = perm ? *perm : get_set(c, CAP_PERMITTED);
	e = eff ? *eff : get_set(c, CAP_EFFECTIVE) & p;
	r = set_flags(c, CAP_PERMITTED, p);
	if (r == 0)
		r = set_flags(c, CAP_EFFECTIVE, e);
	if (r == 0 && inh)
		r = set_flags(c, CAP_INHERITABLE, *inh);
	if (r < 0)
		return r;
	if (cap_set_proc(c) != 0)
		return -errno;
	return amb ? set_ambient(*amb) : 0;
}
