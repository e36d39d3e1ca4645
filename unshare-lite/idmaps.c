// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * idmaps.c - the id maps of the new user namespace: planned from the
 * options before anything is created, written from outside once the
 * namespace exists.
 */
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <linux/capability.h>

#include "caps.h"
#include "ctu.h"
#include "unshare-lite.h"

/* --map-auto: the first range /etc/subuid (or subgid) gives us. */
static int add_subid_range(struct ctu_idmap *m, bool gid, ctu_err_t *err)
{
	const char *file = gid ? "/etc/subgid" : "/etc/subuid";
	uint32_t own = gid ? getegid() : geteuid();
	struct passwd *pw = getpwuid(geteuid());
	struct group *gr = gid ? getgrgid(getegid()) : NULL;
	const char *name = gid ? (gr ? gr->gr_name : NULL) : (pw ? pw->pw_name : NULL);
	struct ctu_idmap_range r = { 0, 0, 0 };
	int e;

	e = ctu_subid_lookup(file, name, own, &r.outer, &r.count);
	/* /etc/subgid is keyed by user name, like /etc/subuid */
	if (e == -ENOENT && gid && pw)
		e = ctu_subid_lookup(file, pw->pw_name, geteuid(), &r.outer, &r.count);
	if (e < 0)
		return ctu_err_make(err, 0, "--map-auto: no range for %s in %s",
				    name ? name : "you", file);
	e = ctu_idmap_add(m, &r);
	return e < 0 ? ctu_err_make(err, -e, "cannot build the id maps") : 0;
}

/* The ranges, then the single id, which maps the caller's own id: "INNER OUTER 1". */
static int build_one_map(struct ctu_idmap *m, const struct ctu_idmap *ranges, enum range_source src,
			 const struct single_map *single, bool gid, ctu_err_t *err)
{
	uint32_t own = gid ? getegid() : geteuid();
	int e = 0;

	*m = *ranges;
	if (src == RANGES_ALL)
		e = ctu_idmap_add_current(m, gid);
	else if (src == RANGES_AUTO && add_subid_range(m, gid, err) < 0)
		return ctu_err_code(*err);
	if (e == 0 && single->set)
		e = ctu_idmap_add_single(m, single->inner, own);
	return e < 0 ? ctu_err_make(err, -e, "cannot build the id maps") : 0;
}

static bool is_own_id_only(const struct ctu_idmap *m, uint32_t own)
{
	return m->n == 1 && m->r[0].outer == own && m->r[0].count == 1;
}

int plan_maps(const struct opts *o, struct map_plan *p, ctu_err_t *err)
{
	if (build_one_map(&p->uid, &o->uid_ranges, o->uid_source, &o->uid_single, false, err) < 0 ||
	    build_one_map(&p->gid, &o->gid_ranges, o->gid_source, &o->gid_single, true, err) < 0)
		return ctu_err_code(*err);
	/*
	 * Without CAP_SETUID/CAP_SETGID here, the kernel only takes a map of our
	 * own id, written by us; anything more goes through newuidmap.
	 */
	p->uid_direct = ctu_caps_have(CAP_SETUID) || is_own_id_only(&p->uid, geteuid());
	p->gid_direct = ctu_caps_have(CAP_SETGID) || is_own_id_only(&p->gid, getegid());
	p->setgroups = o->setgroups;
	if (p->gid.n && p->gid_direct && !ctu_caps_have(CAP_SETGID)) {
		/* an unprivileged gid_map needs setgroups denied first (Linux 3.19) */
		if (o->setgroups == 1)
			return ctu_err_usage(err,
					     "--setgroups=allow cannot go with a group map "
					     "written without CAP_SETGID; use --setgroups=deny");
		p->setgroups = 0;
	}
	return 0;
}

static int write_map(pid_t pid, bool gid, const struct ctu_idmap *m, bool direct, ctu_err_t *err)
{
	const char *helper = gid ? "newgidmap" : "newuidmap";
	int e;

	if (!m->n)
		return 0;
	if (direct) {
		e = ctu_idmap_write(pid, gid, m);
		return e < 0 ? ctu_err_make(err, -e, "cannot write %s of %d",
					    gid ? "gid_map" : "uid_map", (int)pid)
			     : 0;
	}
	e = ctu_idmap_run_helper(pid, gid, m);
	if (e < 0)
		return ctu_err_make(err, -e, "cannot run %s", helper);
	if (e > 0)
		return ctu_err_make(err, 0, "%s failed (exit status %d): check /etc/sub%cid",
				    helper, e, gid ? 'g' : 'u');
	return 0;
}

/*
 * The one place that writes the user namespace of @pid: setgroups strictly
 * before gid_map (EPERM after it), then uid_map and gid_map once each, each
 * in a single write.
 */
int write_user_maps(pid_t pid, const struct map_plan *p, ctu_err_t *err)
{
	int e;

	if (p->setgroups >= 0) {
		e = ctu_setgroups_write(pid, p->setgroups == 1);
		if (e < 0)
			return ctu_err_make(err, -e, "cannot write setgroups of %d", (int)pid);
	}
	if (write_map(pid, false, &p->uid, p->uid_direct, err) < 0 ||
	    write_map(pid, true, &p->gid, p->gid_direct, err) < 0)
		return ctu_err_code(*err);
	return 0;
}
