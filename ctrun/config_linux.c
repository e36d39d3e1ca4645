// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_linux.c - the checks of /linux but its resources: namespaces (and
 * the files joined ones name), id mappings, timeOffsets, devices, sysctl,
 * cgroupsPath, rootfsPropagation, masked and read-only paths, seccomp's
 * members not done yet (the rest is ct_seccomp_check's), and the rows
 * refused or ignored (intelRdt, personality, mountLabel).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_check.h"
#include "ns.h"

/* OCI's namespace names and the kernel's clone flags. */
static const struct {
	const char *oci;
	int flag;
} ns_kinds[] = {
	{ "pid", CLONE_NEWPID },     { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },     { "uts", CLONE_NEWUTS },	  { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};
#define N_NS_KINDS (sizeof(ns_kinds) / sizeof(ns_kinds[0]))

static int ns_kind(const char *type)
{
	for (size_t i = 0; i < N_NS_KINDS; i++)
		if (!strcmp(ns_kinds[i].oci, type))
			return (int)i;
	return -1;
}

static int check_namespace(struct ck *ck, json_t *ns, const char *ptr, unsigned int *seen)
{
	char p[CK_PTR_MAX];
	const char *type, *path;
	int r = ck_string(ck, ns, ptr, "type", true, &type), k;

	if (r < 0)
		return r;
	if ((k = ns_kind(type)) < 0)
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "unknown namespace type '%s'", type);
	if (*seen & (1u << k))
		return ck_fail(ck, ptr, "duplicate namespace type '%s'", type);
	*seen |= 1u << k;
	if ((r = ck_string(ck, ns, ptr, "path", false, &path)) != 0)
		return r < 0 ? r : 0;
	return ck_abs_path(ck, ck_ptr(p, ptr, "path"), path);
}

int ck_namespaces(struct ck *ck, json_t *lin)
{
	char p[CK_PTR_MAX];
	unsigned int seen = 0;
	json_t *nss, *ns;
	size_t i;
	int r = ck_member(ck, lin, "/linux", "namespaces", JSON_ARRAY, false, &nss);

	if (r < 0)
		return r;
	for (i = 0; i < json_array_size(nss); i++)
		if ((r = ck_element_object(ck, nss, "/linux/namespaces", i, &ns)) < 0 ||
		    (r = check_namespace(ck, ns, ck_ptr_i(p, "/linux/namespaces", i), &seen)) < 0)
			return r;
	return 0;
}

static int check_mapping_list(struct ck *ck, json_t *lin, const char *key, bool *given)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *maps, *m;
	long long v;
	size_t i;
	int r = ck_member(ck, lin, "/linux", key, JSON_ARRAY, false, &maps);

	*given = r == 0 && json_array_size(maps) > 0;
	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, "/linux", key);
	for (i = 0; i < json_array_size(maps); i++) {
		if ((r = ck_element_object(ck, maps, p, i, &m)) < 0)
			return r;
		ck_ptr_i(q, p, i);
		if (ck_int(ck, m, q, "containerID", true, 0, UINT32_MAX - 1, &v) < 0 ||
		    ck_int(ck, m, q, "hostID", true, 0, UINT32_MAX - 1, &v) < 0 ||
		    ck_int(ck, m, q, "size", true, 1, UINT32_MAX, &v) < 0)
			return -EINVAL;
	}
	return 0;
}

/* A new user namespace needs both maps; maps need a new one. */
static int check_mappings(struct ck *ck, json_t *lin)
{
	bool uids, gids, joined = false, userns = ck_has_ns(ck, "user", &joined);
	int r;

	if ((r = check_mapping_list(ck, lin, "uidMappings", &uids)) < 0 ||
	    (r = check_mapping_list(ck, lin, "gidMappings", &gids)) < 0)
		return r;
	if (userns && !joined && (!uids || !gids))
		return ck_fail(ck, uids ? "/linux/gidMappings" : "/linux/uidMappings",
			       "a new user namespace needs uidMappings and gidMappings");
	if ((uids || gids) && (!userns || joined))
		return ck_fail(ck, uids ? "/linux/uidMappings" : "/linux/gidMappings",
			       "mappings need a new user namespace");
	return 0;
}

static int check_time_offsets(struct ck *ck, json_t *lin)
{
	char p[CK_PTR_MAX];
	json_t *offs, *o;
	const char *clock;
	long long v;
	bool joined = false;
	int r = ck_member(ck, lin, "/linux", "timeOffsets", JSON_OBJECT, false, &offs);

	if (r != 0)
		return r < 0 ? r : 0;
	if (!ck_has_ns(ck, "time", &joined) || joined)
		return ck_fail(ck, "/linux/timeOffsets", "needs a new time namespace");
	json_object_foreach (offs, clock, o) {
		ck_ptr(p, "/linux/timeOffsets", clock);
		if (strcmp(clock, "monotonic") && strcmp(clock, "boottime"))
			return ck_fail(ck, p, "unknown clock (monotonic or boottime)");
		if (!json_is_object(o))
			return ck_fail(ck, p, "expected an object");
		if (ck_int(ck, o, p, "secs", false, INT64_MIN, INT64_MAX, &v) < 0 ||
		    ck_int(ck, o, p, "nanosecs", false, 0, 999999999, &v) < 0)
			return -EINVAL;
	}
	return 0;
}

static int check_device(struct ck *ck, json_t *dev, const char *ptr)
{
	char p[CK_PTR_MAX];
	const char *type, *path;
	long long v;
	int r;

	if ((r = ck_string(ck, dev, ptr, "type", true, &type)) < 0 ||
	    (r = ck_string(ck, dev, ptr, "path", true, &path)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return ck_fail(ck, ck_ptr(p, ptr, "type"), "unknown device type '%s' (c, b, u or p)",
			       type);
	if ((r = ck_abs_path(ck, ck_ptr(p, ptr, "path"), path)) < 0)
		return r;
	if (ck_int(ck, dev, ptr, "major", type[0] != 'p', 0, UINT32_MAX, &v) < 0 ||
	    ck_int(ck, dev, ptr, "minor", type[0] != 'p', 0, UINT32_MAX, &v) < 0 ||
	    ck_int(ck, dev, ptr, "fileMode", false, 0, 07777, &v) < 0 ||
	    ck_int(ck, dev, ptr, "uid", false, 0, UINT32_MAX - 1, &v) < 0 ||
	    ck_int(ck, dev, ptr, "gid", false, 0, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	return 0;
}

static int check_devices(struct ck *ck, json_t *lin)
{
	char p[CK_PTR_MAX];
	json_t *devs, *d;
	size_t i;
	int r = ck_member(ck, lin, "/linux", "devices", JSON_ARRAY, false, &devs);

	if (r != 0)
		return r < 0 ? r : 0;
	for (i = 0; i < json_array_size(devs); i++)
		if ((r = ck_element_object(ck, devs, "/linux/devices", i, &d)) < 0 ||
		    (r = check_device(ck, d, ck_ptr_i(p, "/linux/devices", i))) < 0)
			return r;
	return 0;
}

/*
 * The namespace a sysctl key lives in (runc's list), or NULL when it is the
 * host's: writing it from a container would change the host.
 */
static const char *sysctl_ns(const char *key)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem",    "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced" };

	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (!strcmp(key, ipc[i]))
			return "ipc";
	if (!strncmp(key, "fs.mqueue.", 10))
		return "ipc";
	if (!strncmp(key, "net.", 4))
		return "network";
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return "uts";
	return NULL;
}

static int check_sysctl(struct ck *ck, json_t *lin)
{
	char p[CK_PTR_MAX], dotted[256];
	const char *key, *ns;
	json_t *map, *v;
	int r = ck_string_map(ck, lin, "/linux", "sysctl", &map);

	if (r != 0)
		return r < 0 ? r : 0;
	json_object_foreach (map, key, v) {
		ck_ptr(p, "/linux/sysctl", key);
		/* "net/ipv4/ip_forward" is the same key, as sysctl(8) reads it */
		if (!*key || strlen(key) >= sizeof(dotted) || strstr(key, ".."))
			return ck_fail(ck, p, "invalid sysctl name");
		for (size_t i = 0; (dotted[i] = key[i] == '/' ? '.' : key[i]); i++)
			;
		if (!(ns = sysctl_ns(dotted)))
			return ck_fail(ck, p, "not a namespaced sysctl: it would change the host");
		if (!ck_has_ns(ck, ns, NULL))
			return ck_fail(ck, p, "needs a %s namespace", ns);
	}
	return 0;
}

/* Absolute or relative, but never above the root it is placed in. */
static int check_cgroups_path(struct ck *ck, json_t *lin)
{
	const char *path, *s;
	long depth = 0;
	int r = ck_string(ck, lin, "/linux", "cgroupsPath", false, &path);

	if (r != 0)
		return r < 0 ? r : 0;
	if (strchr(path, ':'))
		return ck_fail(ck, "/linux/cgroupsPath",
			       "'%s': systemd cgroups are not supported; use the cgroupfs manager",
			       path);
	for (s = path; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 2 && !strncmp(s, "..", 2) && --depth < 0)
			return ck_fail(ck, "/linux/cgroupsPath", "'%s' climbs out with '..'", path);
		if (n && !(n == 1 && *s == '.') && !(n == 2 && !strncmp(s, "..", 2)))
			depth++;
		s += n + (s[n] == '/');
	}
	return 0;
}

static int check_propagation(struct ck *ck, json_t *lin)
{
	static const char *const ok[] = { "private", "rprivate", "slave",      "rslave", "shared",
					  "rshared", "unbindable", "runbindable", "" };
	const char *prop;
	int r = ck_string(ck, lin, "/linux", "rootfsPropagation", false, &prop);

	if (r != 0)
		return r < 0 ? r : 0;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(prop, ok[i]))
			return 0;
	return ck_fail(ck, "/linux/rootfsPropagation", "unknown propagation '%s'", prop);
}

static int check_path_list(struct ck *ck, json_t *lin, const char *key)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *list, *e;
	size_t i;
	int r = ck_strings(ck, lin, "/linux", key, false, &list);

	if (r != 0)
		return r < 0 ? r : 0;
	ck_ptr(p, "/linux", key);
	json_array_foreach (list, i, e)
		if ((r = ck_abs_path(ck, ck_ptr_i(q, p, i), json_string_value(e))) < 0)
			return r;
	return 0;
}

/* Notification needs a listener the runtime hands the fd to: a later row. */
static int check_seccomp(struct ck *ck, json_t *lin)
{
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	json_t *sc, *calls, *c;
	const char *act;
	size_t i;
	int r = ck_member(ck, lin, "/linux", "seccomp", JSON_OBJECT, false, &sc);

	if (r != 0)
		return r < 0 ? r : 0;
	if ((r = ck_refuse_present(ck, sc, "/linux/seccomp", "listenerPath")) < 0)
		return r;
	act = json_string_value(json_object_get(sc, "defaultAction"));
	if (act && !strcmp(act, "SCMP_ACT_NOTIFY"))
		return ck_later(ck, "/linux/seccomp/defaultAction");
	calls = json_object_get(sc, "syscalls");
	json_array_foreach (calls, i, c) {
		act = json_string_value(json_object_get(c, "action"));
		if (act && !strcmp(act, "SCMP_ACT_NOTIFY"))
			return ck_later(ck, ck_ptr(p, ck_ptr_i(q, "/linux/seccomp/syscalls", i),
						   "action"));
	}
	return ct_seccomp_check(sc, "/linux/seccomp", ck->err);
}

static int check_personality(struct ck *ck, json_t *lin)
{
	json_t *pers, *flags;
	const char *domain;
	int r = ck_member(ck, lin, "/linux", "personality", JSON_OBJECT, false, &pers);

	if (r != 0)
		return r < 0 ? r : 0;
	if ((r = ck_string(ck, pers, "/linux/personality", "domain", false, &domain)) < 0 ||
	    (r = ck_strings(ck, pers, "/linux/personality", "flags", false, &flags)) < 0)
		return r;
	if ((domain && strcmp(domain, "LINUX")) || json_array_size(flags) > 0)
		return ck_later(ck, "/linux/personality");
	return 0;
}

static int check_labels_and_later(struct ck *ck, json_t *lin)
{
	const char *label;
	int r = ck_string(ck, lin, "/linux", "mountLabel", false, &label);

	if (r < 0)
		return r;
	if (r == 0 && *label) {
		if (access("/sys/fs/selinux/enforce", F_OK) == 0)
			return ck_later(ck, "/linux/mountLabel");
		ck_warn(ck, "/linux/mountLabel", "ignored: SELinux is not enabled on this host");
	}
	return ck_refuse_present(ck, lin, "/linux", "intelRdt");
}

int ck_linux(struct ck *ck, json_t *cfg)
{
	json_t *lin, *res;
	int r = ck_member(ck, cfg, "", "linux", JSON_OBJECT, true, &lin);

	if (r < 0)
		return r;
	if ((r = ck_namespaces(ck, lin)) < 0 || (r = check_mappings(ck, lin)) < 0 ||
	    (r = check_time_offsets(ck, lin)) < 0 || (r = check_devices(ck, lin)) < 0)
		return r;
	if ((r = check_sysctl(ck, lin)) < 0 || (r = check_cgroups_path(ck, lin)) < 0 ||
	    (r = check_propagation(ck, lin)) < 0 || (r = check_path_list(ck, lin, "maskedPaths")) < 0 ||
	    (r = check_path_list(ck, lin, "readonlyPaths")) < 0)
		return r;
	if ((r = check_personality(ck, lin)) < 0 || (r = check_labels_and_later(ck, lin)) < 0)
		return r;
	if ((r = ck_member(ck, lin, "/linux", "resources", JSON_OBJECT, false, &res)) < 0)
		return r;
	if (r == 0 && (r = ck_resources(ck, res, "/linux/resources")) < 0)
		return r;
	return check_seccomp(ck, lin);
}

/*
 * A joined namespace's file: opened without blocking (a FIFO must not hang
 * create) and asked its type with NS_GET_NSTYPE.  The joining tool opens
 * it again; this is the early, named refusal.
 */
static int check_ns_file(struct ck *ck, const char *ptr, const char *path, int k)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), t;
	struct stat st, host, self;

	if (fd < 0)
		return ctu_err_make(ck->err, errno, "%s: cannot open %s", ptr, path);
	t = ioctl(fd, NS_GET_NSTYPE);
	if (t < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return ck_fail(ck, ptr, "%s is not a namespace file", path);
	}
	close(fd);
	if (t != ns_kinds[k].flag)
		return ck_fail(ck, ptr, "%s is not a %s namespace", path, ns_kinds[k].oci);
	if (t == CLONE_NEWNS && ((stat("/proc/1/ns/mnt", &host) == 0 && st.st_dev == host.st_dev &&
				  st.st_ino == host.st_ino) ||
				 (stat("/proc/self/ns/mnt", &self) == 0 &&
				  st.st_dev == self.st_dev && st.st_ino == self.st_ino)))
		return ck_fail(ck, ptr, "%s is the host's mount namespace", path);
	return 0;
}

int ck_namespace_paths(struct ck *ck, json_t *cfg)
{
	json_t *nss = json_object_get(json_object_get(cfg, "linux"), "namespaces"), *ns;
	char p[CK_PTR_MAX], q[CK_PTR_MAX];
	size_t i;
	int r;

	json_array_foreach (nss, i, ns) {
		const char *path = json_string_value(json_object_get(ns, "path"));
		int k = ns_kind(json_string_value(json_object_get(ns, "type")));

		if (!path || k < 0)
			continue;
		ck_ptr(p, ck_ptr_i(q, "/linux/namespaces", i), "path");
		if ((r = check_ns_file(ck, p, path, k)) < 0)
			return r;
	}
	return 0;
}
