// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_mounts.c - the checks of /mounts, /hooks and of the rootfs
 * directory (root.path, relative to the bundle).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config_check.h"

/* Whether @path has a ".." component: a destination must stay in the root by its words. */
static bool has_dotdot(const char *path)
{
	for (const char *s = path; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return true;
		s += n + (s[n] == '/');
	}
	return false;
}

/* The options of one mount: strings, the idmapped and copy-up ones not done yet. */
static int check_mount_options(struct ck *ck, json_t *m, const char *ptr, bool *bind)
{
	static const char *const later[] = { "tmpcopyup", "idmap", "ridmap" };
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *opts, *o;
	size_t i;
	int r = ck_strings(ck, m, ptr, "options", false, &opts);

	if (r < 0)
		return r;
	ck_ptr(p, ptr, "options");
	json_array_foreach (opts, i, o) {
		const char *s = json_string_value(o);

		if (!strcmp(s, "bind") || !strcmp(s, "rbind"))
			*bind = true;
		for (size_t k = 0; k < sizeof(later) / sizeof(later[0]); k++)
			if (!strcmp(s, later[k]))
				return ck_later(ck, ck_ptr_i(q, p, i));
	}
	return 0;
}

static int check_destination(struct ck *ck, json_t *m, const char *ptr)
{
	char p[CK_PTR_MAX];
	const char *dst;
	int r = ck_string(ck, m, ptr, "destination", true, &dst);

	if (r < 0)
		return r;
	ck_ptr(p, ptr, "destination");
	if (!*dst)
		return ck_fail(ck, p, "empty");
	if (has_dotdot(dst))
		return ck_fail(ck, p, "'%s' has a '..' component", dst);
	/* runc 1.1 takes a relative destination as relative to /, with a warning */
	if (dst[0] != '/')
		ck_warn(ck, p, "'%s' is not absolute: taken as /%s", dst, dst);
	return 0;
}

static int check_mount(struct ck *ck, json_t *m, const char *ptr)
{
	char p[CK_PTR_MAX];
	const char *type, *src;
	bool bind = false;
	int r;

	if ((r = check_destination(ck, m, ptr)) < 0 ||
	    (r = ck_string(ck, m, ptr, "type", false, &type)) < 0 ||
	    (r = ck_string(ck, m, ptr, "source", false, &src)) < 0 ||
	    (r = check_mount_options(ck, m, ptr, &bind)) < 0)
		return r;
	if ((r = ck_refuse_present(ck, m, ptr, "uidMappings")) < 0 ||
	    (r = ck_refuse_present(ck, m, ptr, "gidMappings")) < 0)
		return r;
	if (type && !*type)
		type = NULL;
	if (type && !strcmp(type, "bind"))
		bind = true;
	if (bind && (!src || !*src))
		return ck_fail(ck, ck_ptr(p, ptr, "source"), "a bind mount needs a source");
	if (!bind && !type)
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "missing (and not a bind mount)");
	if (type && strpbrk(type, ":,/\\"))
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "'%s' is not a filesystem type", type);
	return 0;
}

int ck_mounts(struct ck *ck, json_t *cfg)
{
	char p[CK_PTR_MAX];
	json_t *mounts, *m;
	size_t i;
	int r = ck_member(ck, cfg, "", "mounts", JSON_ARRAY, false, &mounts);

	if (r != 0)
		return r < 0 ? r : 0;
	for (i = 0; i < json_array_size(mounts); i++)
		if ((r = ck_element_object(ck, mounts, "/mounts", i, &m)) < 0 ||
		    (r = check_mount(ck, m, ck_ptr_i(p, "/mounts", i))) < 0)
			return r;
	return 0;
}

static int check_hook(struct ck *ck, json_t *h, const char *ptr)
{
	char p[CK_PTR_MAX];
	const char *path;
	json_t *list;
	long long t;
	int r;

	if ((r = ck_string(ck, h, ptr, "path", true, &path)) < 0 ||
	    (r = ck_abs_path(ck, ck_ptr(p, ptr, "path"), path)) < 0)
		return r;
	if ((r = ck_strings(ck, h, ptr, "args", false, &list)) < 0 ||
	    (r = ck_strings(ck, h, ptr, "env", false, &list)) < 0)
		return r;
	return ck_int(ck, h, ptr, "timeout", false, 1, INT_MAX, &t) < 0 ? -EINVAL : 0;
}

int ck_hooks(struct ck *ck, json_t *cfg)
{
	static const char *const kinds[] = { "prestart",	"createRuntime", "createContainer",
					     "startContainer", "poststart",	"poststop" };
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *hooks, *list, *h;
	int r = ck_member(ck, cfg, "", "hooks", JSON_OBJECT, false, &hooks);

	if (r != 0)
		return r < 0 ? r : 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if ((r = ck_member(ck, hooks, "/hooks", kinds[k], JSON_ARRAY, false, &list)) < 0)
			return r;
		ck_ptr(p, "/hooks", kinds[k]);
		for (size_t i = 0; i < json_array_size(list); i++)
			if ((r = ck_element_object(ck, list, p, i, &h)) < 0 ||
			    (r = check_hook(ck, h, ck_ptr_i(q, p, i))) < 0)
				return r;
	}
	return 0;
}

int ck_root_dir(struct ck *ck, json_t *cfg, const char *bundle)
{
	const char *path = json_string_value(json_object_get(json_object_get(cfg, "root"), "path"));
	char full[PATH_MAX];
	struct stat st;

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else if (snprintf(full, sizeof(full), "%s/%s", bundle, path) >= (int)sizeof(full))
		return ck_fail(ck, "/root/path", "too long");
	if (stat(full, &st) < 0)
		return ctu_err_make(ck->err, errno, "/root/path: cannot open %s", full);
	if (!S_ISDIR(st.st_mode))
		return ck_fail(ck, "/root/path", "%s is not a directory", full);
	return 0;
}
