// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_process.c - the checks of /process (and of exec's process.json):
 * args, env, cwd, user, capabilities, rlimits, terminal, consoleSize,
 * oomScoreAdj, noNewPrivileges, apparmorProfile, selinuxLabel, and the
 * members not done yet (scheduler, ioPriority, execCPUAffinity).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "config_check.h"

static int check_args(struct ck *ck, json_t *process, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *args;
	int r = ck_strings(ck, process, base, "args", true, &args);

	if (r < 0)
		return r;
	if (json_array_size(args) == 0)
		return ck_fail(ck, ck_ptr(p, base, "args"), "empty: a program is required");
	if (!*json_string_value(json_array_get(args, 0)))
		return ck_fail(ck, ck_ptr_i(q, ck_ptr(p, base, "args"), 0), "empty program name");
	return 0;
}

/* Each entry NAME=VALUE with a name, as execve's callers expect. */
static int check_env(struct ck *ck, json_t *process, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *env, *e;
	size_t i;
	int r = ck_strings(ck, process, base, "env", false, &env);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "env");
	json_array_foreach (env, i, e) {
		const char *s = json_string_value(e), *eq = strchr(s, '=');

		if (!eq || eq == s)
			return ck_fail(ck, ck_ptr_i(q, p, i), "'%s' is not NAME=VALUE", s);
	}
	return 0;
}

static int check_cwd(struct ck *ck, json_t *process, const char *base)
{
	char p[CK_PTR_MAX];
	const char *cwd;
	int r = ck_string(ck, process, base, "cwd", true, &cwd);

	if (r < 0)
		return r;
	return ck_abs_path(ck, ck_ptr(p, base, "cwd"), cwd);
}

static int check_user(struct ck *ck, json_t *process, const char *base)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *user, *gids, *g;
	long long v;
	size_t i;
	int r = ck_member(ck, process, base, "user", JSON_OBJECT, true, &user);

	if (r < 0)
		return r;
	ck_ptr(p, base, "user");
	if (ck_int(ck, user, p, "uid", true, 0, UINT32_MAX - 1, &v) < 0 ||
	    ck_int(ck, user, p, "gid", true, 0, UINT32_MAX - 1, &v) < 0 ||
	    ck_int(ck, user, p, "umask", false, 0, 07777, &v) < 0)
		return -EINVAL;
	if ((r = ck_member(ck, user, p, "additionalGids", JSON_ARRAY, false, &gids)) != 0)
		return r < 0 ? r : 0;
	ck_ptr(q, p, "additionalGids");
	json_array_foreach (gids, i, g)
		if (!json_is_integer(g) || json_integer_value(g) < 0 ||
		    json_integer_value(g) >= UINT32_MAX)
			return ck_fail(ck, ck_ptr_i(p, q, i), "expected a group ID");
	return 0;
}

/* The kernel's highest capability: /proc/sys/kernel/cap_last_cap (40 on Linux 5.9+). */
static int cap_last(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), last = 40;
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (n > 0)
		sscanf(buf, "%d", &last);
	if (fd >= 0)
		close(fd);
	return last;
}

/*
 * One set's names into @mask.  An unknown name, or one above this kernel's
 * cap_last_cap, is a warning and left out, as runc 1.1 does (newer
 * engines send newer names).
 */
static int cap_set(struct ck *ck, json_t *caps, const char *base, const char *set,
		   ctu_capmask *mask)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *names, *e;
	size_t i;
	int r = ck_strings(ck, caps, base, set, false, &names), last = cap_last();

	*mask = 0;
	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, set);
	json_array_foreach (names, i, e) {
		const char *name = json_string_value(e), *bad;
		ctu_capmask one = 0;
		size_t bad_len;

		/* names only: "CAP_12", "CAP_ALL" and lists are not OCI's words */
		if (strncmp(name, "CAP_", 4) || strchr(name, ',') || !strcmp(name + 4, "ALL") ||
		    isdigit((unsigned char)name[4]) || ctu_caps_parse(name, &one, &bad, &bad_len) < 0) {
			ck_warn(ck, ck_ptr_i(q, p, i), "unknown capability '%s' ignored", name);
			continue;
		}
		if (last < 63 && one >> (last + 1)) {
			ck_warn(ck, ck_ptr_i(q, p, i), "%s is not known to this kernel: ignored",
				name);
			continue;
		}
		*mask |= one;
	}
	return 0;
}

/*
 * An ambient capability must be permitted or inheritable.  The kernel raises
 * it only when it is both; runc 1.1 drops the others silently (its own
 * `runc spec` has ambient caps and no inheritable set), so only one in
 * neither set is an error.
 */
static int check_caps(struct ck *ck, json_t *process, const char *base)
{
	static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted",
					    "ambient" };
	ctu_capmask m[5];
	char p[CK_PTR_MAX];
	json_t *caps;
	int r = ck_member(ck, process, base, "capabilities", JSON_OBJECT, false, &caps);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "capabilities");
	for (size_t i = 0; i < 5; i++)
		if ((r = cap_set(ck, caps, p, sets[i], &m[i])) < 0)
			return r;
	if (m[4] & ~(m[2] | m[3])) {
		char a[CK_PTR_MAX];

		return ck_fail(ck, ck_ptr(a, p, "ambient"), "%s is neither permitted nor inheritable",
			       ctu_caps_first_name(m[4] & ~(m[2] | m[3])));
	}
	return 0;
}

static const char *const rlimit_names[] = {
	"RLIMIT_AS",	   "RLIMIT_CORE",   "RLIMIT_CPU",    "RLIMIT_DATA",	  "RLIMIT_FSIZE",
	"RLIMIT_LOCKS",	   "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",	  "RLIMIT_NOFILE",
	"RLIMIT_NPROC",	   "RLIMIT_RSS",    "RLIMIT_RTPRIO", "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING",
	"RLIMIT_STACK",
};
#define N_RLIMITS (sizeof(rlimit_names) / sizeof(rlimit_names[0]))

static int rlimit_index(const char *type)
{
	for (size_t i = 0; i < N_RLIMITS; i++)
		if (!strcmp(rlimit_names[i], type))
			return (int)i;
	return -1;
}

/* One rlimit; @seen marks the types met, as setrlimit twice would hide the first. */
static int check_rlimit(struct ck *ck, json_t *rl, const char *ptr, bool seen[N_RLIMITS])
{
	char p[CK_PTR_MAX];
	long long soft, hard;
	const char *type;
	int r = ck_string(ck, rl, ptr, "type", true, &type), i;

	if (r < 0)
		return r;
	if ((i = rlimit_index(type)) < 0)
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "unknown rlimit '%s'", type);
	if (seen[i])
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "duplicate rlimit %s", type);
	seen[i] = true;
	if (ck_int(ck, rl, ptr, "soft", true, 0, INT64_MAX, &soft) < 0 ||
	    ck_int(ck, rl, ptr, "hard", true, 0, INT64_MAX, &hard) < 0)
		return -EINVAL;
	if (soft > hard)
		return ck_fail(ck, ck_ptr(p, ptr, "soft"), "%lld is above the hard limit %lld",
			       soft, hard);
	return 0;
}

static int check_rlimits(struct ck *ck, json_t *process, const char *base)
{
	bool seen[N_RLIMITS] = { false };
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *rls, *rl;
	size_t i;
	int r = ck_member(ck, process, base, "rlimits", JSON_ARRAY, false, &rls);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, base, "rlimits");
	for (i = 0; i < json_array_size(rls); i++)
		if ((r = ck_element_object(ck, rls, p, i, &rl)) < 0 ||
		    (r = check_rlimit(ck, rl, ck_ptr_i(q, p, i), seen)) < 0)
			return r;
	return 0;
}

static int check_console(struct ck *ck, json_t *process, const char *base)
{
	char p[CK_PTR_MAX];
	json_t *size;
	long long v;
	bool term;
	int r = ck_member(ck, process, base, "consoleSize", JSON_OBJECT, false, &size);

	if (r < 0 || ck_bool(ck, process, base, "terminal", &term) < 0)
		return -EINVAL;
	if (r == 1)
		return 0;
	ck_ptr(p, base, "consoleSize");
	if (ck_int(ck, size, p, "height", true, 0, UINT16_MAX, &v) < 0 ||
	    ck_int(ck, size, p, "width", true, 0, UINT16_MAX, &v) < 0)
		return -EINVAL;
	return 0;
}

/* Whether a one-line sysfs flag file starts with 'Y' (AppArmor's "enabled"). */
static bool flag_file_yes(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y';
}

/* AppArmor as runc's apparmor.IsEnabled sees it; SELinux on when selinuxfs is mounted. */
static int check_labels(struct ck *ck, json_t *process, const char *base)
{
	char p[CK_PTR_MAX];
	const char *prof, *label;
	int r = ck_string(ck, process, base, "apparmorProfile", false, &prof);

	if (r < 0)
		return r;
	if (r == 0 && *prof && !flag_file_yes("/sys/module/apparmor/parameters/enabled"))
		return ck_fail(ck, ck_ptr(p, base, "apparmorProfile"),
			       "AppArmor is not enabled on this host");
	if ((r = ck_string(ck, process, base, "selinuxLabel", false, &label)) < 0)
		return r;
	if (r == 0 && *label) {
		ck_ptr(p, base, "selinuxLabel");
		if (access("/sys/fs/selinux/enforce", F_OK) == 0)
			return ck_later(ck, p);
		ck_warn(ck, p, "ignored: SELinux is not enabled on this host");
	}
	return 0;
}

int ck_process(struct ck *ck, json_t *process, const char *base)
{
	long long adj;
	bool nnp;
	int r;

	if ((r = check_args(ck, process, base)) < 0 || (r = check_env(ck, process, base)) < 0 ||
	    (r = check_cwd(ck, process, base)) < 0 || (r = check_user(ck, process, base)) < 0)
		return r;
	if ((r = check_caps(ck, process, base)) < 0 || (r = check_rlimits(ck, process, base)) < 0 ||
	    (r = check_console(ck, process, base)) < 0 || (r = check_labels(ck, process, base)) < 0)
		return r;
	if (ck_bool(ck, process, base, "noNewPrivileges", &nnp) < 0 ||
	    ck_int(ck, process, base, "oomScoreAdj", false, -1000, 1000, &adj) < 0)
		return -EINVAL;
	if ((r = ck_refuse_present(ck, process, base, "scheduler")) < 0 ||
	    (r = ck_refuse_present(ck, process, base, "ioPriority")) < 0 ||
	    (r = ck_refuse_present(ck, process, base, "execCPUAffinity")) < 0)
		return r;
	return 0;
}
