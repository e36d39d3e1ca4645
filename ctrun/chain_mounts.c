// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chain_mounts.c - pivot's mounts, devices and /dev symlinks:
 *
 *	--mount TYPE:SRC:DST[:OPTS]   each config mount, in config order; binds
 *	                              (type bind, or a bind/rbind option) with
 *	                              SRC relative to the bundle
 *	cgroup, cgroup2               expanded here (runc's rootfs_linux.go): on
 *	                              v2 one cgroup2 mount (with a cgroup ns) or a
 *	                              read-only bind of the container's own cgroup;
 *	                              on v1/hybrid a tmpfs, a mount or bind per
 *	                              hierarchy, comount symlinks, unified
 *	--device PATH:TYPE:MAJ:MIN:MODE:UID:GID  runc's defaults, then config's
 *	--symlink TARGET:LINK         ptmx, fd, stdin, stdout, stderr, core
 *
 * Devices and symlinks are left out when /dev is a bind (runc: the host's
 * /dev is there already).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "ctu.h"
#include "mnttab.h"

char *ct_mount_escape(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == ':' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

static bool has_option(json_t *opts, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach (opts, i, o)
		if (!strcmp(json_string_value(o), name))
			return true;
	return false;
}

static bool is_bind(json_t *m)
{
	const char *type = ct_js(m, "type");
	json_t *opts = ct_j(m, "options");

	return (type && !strcmp(type, "bind")) || has_option(opts, "bind") ||
	       has_option(opts, "rbind");
}

/*
 * Whether a bind keeps the option @w: a kernel mount flag, or a recursive
 * attribute ("r" + a flag: rro, rnosuid).  A filesystem's own option (mode=,
 * size=) has no meaning on a bind: runc hands it to mount(2) with MS_BIND,
 * which ignores it, so it is dropped rather than refused by pivot.  Without
 * libmount everything is kept (pivot then reports it).
 */
static bool bind_keeps(const char *w)
{
	unsigned long set, clr;
	int r = ctu_mnt_vfs_option(w, &set, &clr);

	if (r != 0)
		return true;
	return w[0] == 'r' && w[1] && ctu_mnt_vfs_option(w + 1, &set, &clr) != 0;
}

/*
 * The OCI options as one OPTS field: @first (or NULL) in front; with
 * @force_ro, "ro" last instead of any ro/rw; with @bind, only what a bind
 * keeps (bind_keeps).  malloc'd ("" for none).
 */
static char *join_options(json_t *opts, const char *first, bool force_ro, bool bind)
{
	char *out = NULL;
	size_t len = 0, i, n = 0;
	FILE *f = open_memstream(&out, &len);
	json_t *o;

	if (!f)
		return NULL;
	if (first)
		n += fprintf(f, "%s", first) > 0;
	json_array_foreach (opts, i, o) {
		const char *w = json_string_value(o);

		if (bind && !bind_keeps(w))
			continue;
		if (!force_ro || (strcmp(w, "ro") && strcmp(w, "rw")))
			fprintf(f, "%s%s", n++ ? "," : "", w);
	}
	if (force_ro)
		fprintf(f, "%sro", n ? "," : "");
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* --mount TYPE:SRC:DST[:OPTS], SRC and DST escaped. */
static void mount_word(struct ct_build *b, const char *type, const char *src, const char *dst,
		       const char *opts)
{
	_cleanup_free_ char *s = ct_mount_escape(src), *d = ct_mount_escape(dst);

	if (!s || !d) {
		b->nomem = true;
		return;
	}
	ct_w(b, "--mount");
	ct_wf(b, "%s:%s:%s%s%s", type, s, d, opts && *opts ? ":" : "", opts ? opts : "");
}

/* ---- cgroup mounts ---- */

/* The container's cgroup directory in hierarchy @h. */
static void container_cgroup_dir(const struct ct_build *b, const struct ctu_cg_hier *h, char *out,
				 size_t size)
{
	if (b->in->cgroup)
		snprintf(out, size, "%s%s", h->mnt, b->in->cgroup);
	else
		ctu_cg_own_dir(h, out, size);
}

/* One hierarchy at @dst: its own mount in a cgroup ns, else a bind of the container's dir. */
static void hierarchy_mount(struct ct_build *b, const struct ctu_cg_hier *h, const char *dst,
			    json_t *opts)
{
	_cleanup_free_ char *o = NULL;
	char dir[CTU_CG_DIR_MAX];

	if (ct_has_ns(b, CT_NS_CGROUP)) {
		o = join_options(opts, NULL, false, false);
		if (o && !h->v2) {
			char *with = NULL;

			if (asprintf(&with, "%s%s%s", o, *o ? "," : "", h->ctrls) < 0)
				with = NULL;
			free(o);
			o = with;
		}
		if (o)
			mount_word(b, h->v2 ? "cgroup2" : "cgroup", h->v2 ? "cgroup2" : "cgroup",
				   dst, o);
	} else {
		o = join_options(opts, "rbind", h->v2, true);
		container_cgroup_dir(b, h, dir, sizeof(dir));
		if (o)
			mount_word(b, "bind", dir, dst, o);
	}
	if (!o)
		b->nomem = true;
}

/* v1 and hybrid: a tmpfs, then each hierarchy below it, as runc's mountCgroupV1. */
static void cgroup_v1_words(struct ct_build *b, const char *dst, json_t *opts)
{
	const struct ctu_cg_hiers *hs = b->hs;
	char sub[PATH_MAX];

	mount_word(b, "tmpfs", "tmpfs", dst, "nosuid,nodev,noexec,mode=755");
	for (size_t i = 0; i < hs->n; i++) {
		const struct ctu_cg_hier *h = &hs->h[i];
		const char *name = h->v2 ? "unified" : strrchr(h->mnt, '/');

		name = name[0] == '/' ? name + 1 : name;
		snprintf(sub, sizeof(sub), "%s/%s", dst, name);
		hierarchy_mount(b, h, sub, opts);
		/* comounted controllers: cpu -> cpu,cpuacct, cpuacct -> cpu,cpuacct */
		for (const char *c = h->v2 ? "" : h->ctrls; strchr(h->ctrls, ',') && *c;) {
			size_t len = strcspn(c, ",");

			if (strlen(name) != len || strncmp(c, name, len)) {
				ct_w(b, "--symlink");
				ct_wf(b, "%s:%s/%.*s", name, dst, (int)len, c);
			}
			c += len + (c[len] == ',');
		}
	}
	/* the tmpfs itself, after its hierarchies are mounted in it (not stacked over them) */
	if (has_option(opts, "ro"))
		ct_wopt(b, "--readonly-mount", dst);
}

static void cgroup_words(struct ct_build *b, const char *dst, json_t *opts)
{
	const struct ctu_cg_hier *v2 = NULL;
	bool v1 = false;

	for (size_t i = 0; i < b->hs->n; i++) {
		v1 = v1 || !b->hs->h[i].v2;
		if (b->hs->h[i].v2)
			v2 = &b->hs->h[i];
	}
	if (v1)
		cgroup_v1_words(b, dst, opts);
	else if (v2)
		hierarchy_mount(b, v2, dst, opts);
}

/* ---- mounts ---- */

static int one_mount(struct ct_build *b, json_t *m)
{
	const char *type = ct_js(m, "type"), *src = ct_js(m, "source"),
		   *d = ct_js(m, "destination");
	json_t *opts = ct_j(m, "options");
	_cleanup_free_ char *o = NULL, *dst = NULL, *abs_src = NULL;

	if (!d)
		return ct_fail(b, "/mounts", "a mount without destination");
	if (asprintf(&dst, "%s%s", d[0] == '/' ? "" : "/", d) < 0) {
		dst = NULL;
		b->nomem = true;
		return 0;
	}
	if (type && (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2"))) {
		cgroup_words(b, dst, opts);
		return 0;
	}
	o = join_options(opts, NULL, false, is_bind(m));
	if (!o) {
		b->nomem = true;
		return 0;
	}
	if (!is_bind(m)) {
		mount_word(b, type ? type : "none",
			   src && *src ? src
			   : type      ? type
				       : "none",
			   dst, o);
		return 0;
	}
	if (!src || !*src)
		return ct_fail(b, "/mounts", "the bind mount at %s has no source", dst);
	if (src[0] != '/' && asprintf(&abs_src, "%s/%s", b->in->bundle, src) < 0) {
		abs_src = NULL;
		b->nomem = true;
		return 0;
	}
	mount_word(b, "bind", abs_src ? abs_src : src, dst, o);
	return 0;
}

int ct_mount_words(struct ct_build *b)
{
	size_t i;
	json_t *m;
	int r;

	json_array_foreach (ct_j(b->in->cfg, "mounts"), i, m)
		if ((r = one_mount(b, m)) < 0)
			return r;
	return 0;
}

/* ---- devices ---- */

/* Whether /dev is a bind mount: then the host's nodes are there, nothing is made. */
static bool dev_is_bind(json_t *cfg)
{
	size_t i;
	json_t *m;

	json_array_foreach (ct_j(cfg, "mounts"), i, m) {
		const char *d = ct_js(m, "destination");
		size_t len = d ? strlen(d) : 0;

		while (len > 1 && d[len - 1] == '/')
			len--;
		if (d &&
		    ((len == 4 && !strncmp(d, "/dev", 4)) || (len == 3 && !strncmp(d, "dev", 3))) &&
		    is_bind(m))
			return true;
	}
	return false;
}

static bool config_has_device(json_t *list, const char *path)
{
	size_t i;
	json_t *d;

	json_array_foreach (list, i, d)
		if (!strcmp(ct_js(d, "path"), path))
			return true;
	return false;
}

static void config_device(struct ct_build *b, json_t *d)
{
	const char *type = ct_js(d, "type");
	int64_t maj = 0, min = 0;
	uint64_t mode = 0666, uid = 0, gid = 0;

	ct_ji(d, "major", &maj);
	ct_ji(d, "minor", &min);
	ct_ju(d, "fileMode", &mode);
	ct_ju(d, "uid", &uid);
	ct_ju(d, "gid", &gid);
	ct_w(b, "--device");
	ct_wf(b, "%s:%s:%lld:%lld:%04llo:%llu:%llu", ct_js(d, "path"), type ? type : "c",
	      (long long)maj, (long long)min, (unsigned long long)(mode & 07777),
	      (unsigned long long)uid, (unsigned long long)gid);
}

int ct_device_words(struct ct_build *b)
{
	static const char *const defaults[][2] = {
		{ "/dev/null", "1:3" },	  { "/dev/zero", "1:5" },    { "/dev/full", "1:7" },
		{ "/dev/random", "1:8" }, { "/dev/urandom", "1:9" }, { "/dev/tty", "5:0" },
	};
	static const char *const links[][2] = {
		{ "pts/ptmx", "/dev/ptmx" },	      { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },  { "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};
	json_t *list = ct_j(ct_j(b->in->cfg, "linux"), "devices"), *d;
	size_t i;

	if (dev_is_bind(b->in->cfg))
		return 0;
	/* a config entry beats a default of the same path */
	for (i = 0; i < CTU_ARRAY_SIZE(defaults); i++)
		if (!config_has_device(list, defaults[i][0])) {
			ct_w(b, "--device");
			ct_wf(b, "%s:c:%s:0666:0:0", defaults[i][0], defaults[i][1]);
		}
	json_array_foreach (list, i, d)
		config_device(b, d);
	for (i = 0; i < CTU_ARRAY_SIZE(links); i++) {
		ct_w(b, "--symlink");
		ct_wf(b, "%s:%s", links[i][0], links[i][1]);
	}
	if (access("/proc/kcore", F_OK) == 0)
		ct_wopt(b, "--symlink", "/proc/kcore:/dev/core");
	return 0;
}
