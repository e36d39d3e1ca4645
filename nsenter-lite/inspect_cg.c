// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect_cg.c - the cgroup and root sections, read from outside through
 * the target's /proc directory.
 *
 *   "cgroup": one object per hierarchy cgctl knows (lib/cg):
 *     {"hierarchy": "unified" | "cpu,cpuacct", "mount": DIR, "path": P | null,
 *      "limits": {"memory.max": "max" | "N" | null, ...},
 *      "usage": {"memory.current": N, ... what cgctl stat shows there}}
 *   limits has those of the eight keys whose controller lives in that
 *   hierarchy (as cgctl finds it), each a string as cgctl get prints it
 *   ("max", "50000 100000"), v1 files translated to the v2 form as cgctl
 *   does; null when the file cannot be read (the root cgroup has none).
 *
 *   "root": the mount the target sees as "/" in its own mountinfo (libmount):
 *     {"fstype", "source", "options" (findmnt's OPTIONS), "fs_options"
 *      (FS-OPTIONS), "fsroot", "overlay": {"lower": [top first], "upper",
 *      "work", "data_only": [..]} | null}
 *   with the layer paths as the kernel shows them: a relative one (a stack
 *   mounted from another directory, as containers/storage does) as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "cg.h"
#include "ctu.h"
#include "json.h"
#include "lazy-mount.h"
#include "nsenter-lite.h"
#include "ovl.h"

/* The limits the section shows, cgroup v2 names. */
static const char *const limit_keys[] = {
	"memory.max", "memory.high", "memory.swap.max", "pids.max",
	"cpu.max",    "cpu.weight",  "cpuset.cpus",	"io.weight",
};

/* A string the kernel gave (a path, a mount source) as JSON; NULL: null. */
static json_t *text_or_null(const char *s)
{
	json_t *v = s ? ctu_json_text(s, strlen(s)) : NULL;

	return v ? v : json_null();
}

/*
 * Whether @path (from /proc/PID/cgroup) names a directory below @h's mount
 * that fits a cgroup directory: outside our cgroup namespace the kernel
 * shows it as "/../x", and a truncated path could name an ancestor.
 */
static bool path_reachable(const struct ctu_cg_hier *h, const char *path)
{
	if (strlen(h->mnt) + strlen(path) >= CTU_CG_DIR_MAX)
		return false;
	for (const char *c = path; *c;) {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += len;
		c += strspn(c, "/");
	}
	return path[0] == '/';
}

/* The limits of hierarchy @h in the cgroup directory @dir (NULL: unreachable). */
static json_t *cg_limits(struct ctu_cg_hiers *hs, const struct ctu_cg_hier *h, const char *dir)
{
	json_t *limits = json_object();

	for (size_t i = 0; limits && i < CTU_ARRAY_SIZE(limit_keys); i++) {
		char ctrl[32], value[512];
		json_t *v = NULL;

		ctu_cg_controller_of(limit_keys[i], ctrl, sizeof(ctrl));
		if (ctu_cg_hier_for(hs, ctrl) != h)
			continue; /* another hierarchy's */
		if (dir && ctu_cg_read_in(h, dir, limit_keys[i], value, sizeof(value)) == 0)
			v = ctu_json_text(value, strlen(value));
		json_object_set_new(limits, limit_keys[i], v ? v : json_null());
	}
	return limits;
}

/* cgctl stat's metrics that live in hierarchy @h, as numbers. */
static json_t *cg_usage(struct ctu_cg_hiers *hs, const struct ctu_cg_hier *h, const char *dir)
{
	struct ctu_cg_metric m[CTU_CG_METRICS_MAX];
	json_t *usage = json_object();
	size_t n = dir ? ctu_cg_stat_in(hs, h, dir, m) : 0;

	for (size_t i = 0; usage && i < n; i++)
		json_object_set_new(usage, m[i].name, json_integer((json_int_t)m[i].value));
	return usage;
}

/* One hierarchy's entry: where the target is in it, its limits and usage. */
static json_t *cg_entry(const struct inspect_target *t, struct ctu_cg_hiers *hs,
			const struct ctu_cg_hier *h)
{
	char path[PATH_MAX], dir[CTU_CG_DIR_MAX];
	bool found = ctu_cg_path_of(t->procfd, "cgroup", h, path, sizeof(path)) == 0;
	const char *d = found && path_reachable(h, path) ? ctu_cg_dir(h, path, dir) : NULL;

	return json_pack("{s:s,s:o,s:o,s:o,s:o}", "hierarchy", ctu_cg_hier_name(h), "mount",
			 text_or_null(h->mnt), "path", text_or_null(found ? path : NULL), "limits",
			 cg_limits(hs, h, d), "usage", cg_usage(hs, h, d));
}

json_t *inspect_cgroup(const struct inspect_target *t, ctu_err_t *err)
{
	struct ctu_cg_hiers hs;
	_cleanup_free_ char *text = NULL;
	json_t *arr;
	int r;

	/* the file itself first: a target we cannot read is the section's error */
	r = ctu_read_file(t->procfd, "cgroup", &text, NULL);
	if (r < 0) {
		ctu_err_make(err, -r, "cannot read /proc/%d/cgroup", (int)t->ref.pid);
		return NULL;
	}
	if (ctu_cg_detect(&hs, NULL, false, NULL, err) < 0)
		return NULL;
	arr = json_array();
	for (size_t i = 0; arr && i < hs.n; i++) {
		json_t *e = cg_entry(t, &hs, &hs.h[i]);

		if (!e || json_array_append_new(arr, e) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr)
		ctu_err_make(err, ENOMEM, "cannot describe the cgroups of %d", (int)t->ref.pid);
	return arr;
}

/* The target's mountinfo, opened through its /proc directory: a stream, or NULL. */
static FILE *open_mountinfo(const struct inspect_target *t, ctu_err_t *err)
{
	int fd = openat(t->procfd, "mountinfo", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;

	if (!f) {
		ctu_err_errno(err, "cannot read /proc/%d/mountinfo", (int)t->ref.pid);
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* The target's mount table (paths as its root sees them), or NULL with *@err set. */
static struct libmnt_table *target_mounts(const struct inspect_target *t, ctu_err_t *err)
{
	FILE *f = open_mountinfo(t, err);
	struct libmnt_table *tb;
	int r;

	if (!f)
		return NULL;
	tb = mnt_new_table();
	r = tb ? mnt_table_parse_stream(tb, f, "mountinfo") : -ENOMEM;
	fclose(f);
	if (r < 0) {
		ctu_err_make(err, r == -ENOMEM ? ENOMEM : 0, "cannot parse /proc/%d/mountinfo",
			     (int)t->ref.pid);
		mnt_unref_table(tb);
		return NULL;
	}
	return tb;
}

/* A list of layers as a JSON array of strings. */
static json_t *layer_array(const struct ctu_strv *layers)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < layers->n; i++)
		if (json_array_append_new(arr, text_or_null(layers->v[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	return arr;
}

/* The overlay behind @fs, or null for any other filesystem. */
static json_t *overlay_of(struct libmnt_fs *fs, ctu_err_t *err)
{
	struct ctu_ovl_stack st = { 0 };
	json_t *v;
	int r = ctu_ovl_stack_from_fs(fs, &st);

	if (r == -EINVAL)
		return json_null();
	v = r < 0 ? NULL
		  : json_pack("{s:o,s:o,s:o,s:o}", "lower", layer_array(&st.lower), "upper",
			      text_or_null(st.upper), "work", text_or_null(st.work), "data_only",
			      layer_array(&st.data));
	ctu_ovl_stack_free(&st);
	if (!v)
		ctu_err_make(err, ENOMEM, "cannot read the overlay's layers");
	return v;
}

json_t *inspect_root(const struct inspect_target *t, ctu_err_t *err)
{
	struct libmnt_table *tb = target_mounts(t, err);
	struct libmnt_fs *fs;
	json_t *overlay, *v = NULL;

	if (!tb)
		return NULL;
	/* the last mount on "/" is the one on top: the root the target sees */
	fs = mnt_table_find_target(tb, "/", MNT_ITER_BACKWARD);
	if (!fs) {
		ctu_err_make(err, 0, "no root mount in /proc/%d/mountinfo", (int)t->ref.pid);
		mnt_unref_table(tb);
		return NULL;
	}
	overlay = overlay_of(fs, err);
	if (overlay)
		v = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "fstype",
			      text_or_null(mnt_fs_get_fstype(fs)), "source",
			      text_or_null(mnt_fs_get_source(fs)), "options",
			      text_or_null(mnt_fs_get_options(fs)), "fs_options",
			      text_or_null(mnt_fs_get_fs_options(fs)), "fsroot",
			      text_or_null(mnt_fs_get_root(fs)), "overlay", overlay);
	mnt_unref_table(tb);
	if (!v && overlay)
		ctu_err_make(err, ENOMEM, "cannot describe the root of %d", (int)t->ref.pid);
	return v;
}
