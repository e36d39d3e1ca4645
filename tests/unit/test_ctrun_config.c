// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for ctrun's config.json checks (ctrun/config*.c): the
 * configurations runc, podman and containerd write are accepted; each bad
 * input is refused with the JSON pointer of its member in the message;
 * jansson's refusals carry line and column; the filesystem checks (rootfs,
 * joined namespace files) name the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg.h"
#include "ctrun/ctrun.h"
#include "ctu.h"

#ifndef CONFIG_FIXTURES
#define CONFIG_FIXTURES "tests/unit/ctrun-config"
#endif

static json_t *fixture(const char *name)
{
	char path[512];
	json_error_t je;
	json_t *v;

	snprintf(path, sizeof(path), "%s/%s", CONFIG_FIXTURES, name);
	v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		fail_msg("%s: %s", path, je.text);
	return v;
}

/* Sets (or with @value NULL removes) the member at JSON pointer @ptr; objects made on the way. */
static void set_at(json_t *root, const char *ptr, json_t *value)
{
	char *copy = strdup(ptr), *save = NULL, *tok, *next;
	json_t *cur = root;

	assert_non_null(copy);
	tok = strtok_r(copy, "/", &save);
	for (; tok; tok = next) {
		next = strtok_r(NULL, "/", &save);
		for (char *s = tok; (s = strstr(s, "~1")); s++)
			memmove(s, s + 1, strlen(s)), *s = '/';
		if (json_is_array(cur)) {
			size_t i = strtoul(tok, NULL, 10);

			if (!next && !value)
				json_array_remove(cur, i);
			else if (!next && i >= json_array_size(cur))
				json_array_append_new(cur, value);
			else if (!next)
				json_array_set_new(cur, i, value);
			else
				cur = json_array_get(cur, i);
		} else if (!next) {
			if (value)
				json_object_set_new(cur, tok, value);
			else
				json_object_del(cur, tok);
		} else {
			if (!json_object_get(cur, tok))
				json_object_set_new(cur, tok, json_object());
			cur = json_object_get(cur, tok);
		}
		assert_non_null(cur);
	}
	free(copy);
}

static json_t *jv(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);

	if (!v)
		fail_msg("bad test value %s: %s", text, je.text);
	return v;
}

struct edit {
	const char *ptr, *value; /* value NULL: removed */
};

/* @base with @edits applied: ct_config_check refuses it with @want in the message. */
static void expect_bad(const char *base, const struct edit *edits, size_t n, const char *want)
{
	json_t *cfg = fixture(base);
	ctu_err_t err = NULL;

	for (size_t i = 0; i < n; i++)
		set_at(cfg, edits[i].ptr, edits[i].value ? jv(edits[i].value) : NULL);
	if (ct_config_check(cfg, &err) == 0)
		fail_msg("accepted; wanted \"%s\"", want);
	assert_non_null(err);
	if (!strstr(err->msg, want) || strncmp(err->msg, "config.json: /", 14))
		fail_msg("message \"%s\"; wanted \"config.json: ...%s\"", err->msg, want);
	ctu_err_free(&err);
	json_decref(cfg);
}

static void expect_good(const char *base, const struct edit *edits, size_t n)
{
	json_t *cfg = fixture(base);
	ctu_err_t err = NULL;

	for (size_t i = 0; i < n; i++)
		set_at(cfg, edits[i].ptr, edits[i].value ? jv(edits[i].value) : NULL);
	if (ct_config_check(cfg, &err) < 0)
		fail_msg("refused: %s", err->msg);
	json_decref(cfg);
}

#define E1(p, v) ((const struct edit[]){ { p, v } }), 1
#define E2(p, v, q, w) ((const struct edit[]){ { p, v }, { q, w } }), 2
#define E3(p, v, q, w, r, x) ((const struct edit[]){ { p, v }, { q, w }, { r, x } }), 3

static void test_good_fixtures(void **state)
{
	(void)state;
	expect_good("runc.json", NULL, 0);
	expect_good("podman.json", NULL, 0);
	expect_good("containerd.json", NULL, 0);
	/* pre-releases and builds of 1.x; a relative cgroupsPath that stays inside */
	expect_good("runc.json", E1("/ociVersion", "\"1.1.0-rc.1+dev\""));
	expect_good("runc.json", E1("/linux/cgroupsPath", "\"a/../b\""));
	expect_good("runc.json", E1("/linux/sysctl", "{\"net/ipv4/ip_forward\": \"1\"}"));
	expect_good("runc.json", E1("/linux/sysctl", "{\"kernel.shmmax\": \"1\"}"));
	/* no mount namespace: the caller's (pivot --in-place) */
	expect_good("runc.json", E1("/linux/namespaces/4", NULL));
	/* unknown members are ignored (config.md) */
	expect_good("runc.json", E1("/process/newThing", "{\"x\": 1}"));
	expect_good("runc.json", E1("/linux/personality", "{\"domain\": \"LINUX\"}"));
	expect_good("runc.json",
		    E3("/linux/namespaces/5", "{\"type\": \"user\"}", "/linux/uidMappings",
		       "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]", "/linux/gidMappings",
		       "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"));
}

static void test_required(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/ociVersion", NULL), "/ociVersion: missing");
	expect_bad("runc.json", E1("/root/path", NULL), "/root/path: missing");
	expect_bad("runc.json", E1("/root", NULL), "/root: missing");
	expect_bad("runc.json", E1("/process", NULL), "/process: missing");
	expect_bad("runc.json", E1("/process/cwd", NULL), "/process/cwd: missing");
	expect_bad("runc.json", E1("/process/user/uid", NULL), "/process/user/uid: missing");
	expect_bad("runc.json", E1("/process/args", "[]"), "/process/args: empty");
	expect_bad("runc.json", E1("/process/cwd", "\"tmp\""),
		   "/process/cwd: 'tmp' is not an absolute path");
	expect_bad("runc.json", E1("/linux", NULL), "/linux: missing");
}

static void test_oci_version(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/ociVersion", "\"2.0.0\""), "/ociVersion: version 2.0.0");
	expect_bad("runc.json", E1("/ociVersion", "\"0.9.0\""), "/ociVersion: version 0.9.0");
	expect_bad("runc.json", E1("/ociVersion", "\"1.0\""), "/ociVersion: '1.0' is not a SemVer");
	expect_bad("runc.json", E1("/ociVersion", "\"01.0.0\""), "is not a SemVer");
	expect_bad("runc.json", E1("/ociVersion", "\"1.0.0-\""), "is not a SemVer");
	expect_bad("runc.json", E1("/ociVersion", "\"1.0.0 \""), "is not a SemVer");
	expect_bad("runc.json", E1("/ociVersion", "1"), "/ociVersion: expected a string");
}

static void test_types(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/process/args", "\"sh\""),
		   "/process/args: expected an array of strings");
	expect_bad("runc.json", E1("/process/args", "[\"sh\", 1]"),
		   "/process/args: expected an array of strings");
	expect_bad("runc.json", E1("/process/env/1", "\"TERM\""), "/process/env/1: 'TERM'");
	expect_bad("runc.json", E1("/process/terminal", "\"yes\""),
		   "/process/terminal: expected a boolean");
	expect_bad("runc.json", E1("/process/user/uid", "-1"), "/process/user/uid: expected an integer");
	expect_bad("runc.json", E1("/process/user/additionalGids", "[1, \"x\"]"),
		   "/process/user/additionalGids/1: expected a group ID");
	expect_bad("runc.json", E1("/process/oomScoreAdj", "5000"), "/process/oomScoreAdj:");
	expect_bad("runc.json", E1("/process/consoleSize", "{\"height\": 10}"),
		   "/process/consoleSize/width: missing");
	expect_bad("runc.json", E1("/linux/namespaces", "{}"), "/linux/namespaces: expected an array");
	expect_bad("runc.json", E1("/mounts/0", "\"proc\""), "/mounts/0: expected an object");
	expect_bad("runc.json", E1("/annotations", "{\"a\": 1}"),
		   "/annotations: expected an object of strings");
	expect_bad("runc.json", E1("/root/readonly", "1"), "/root/readonly: expected a boolean");
	expect_bad("runc.json", E1("/hooks/prestart", "[{\"path\": \"bin/x\"}]"),
		   "/hooks/prestart/0/path: 'bin/x' is not an absolute path");
	expect_bad("runc.json", E1("/hooks/poststop", "[{\"path\": \"/x\", \"timeout\": 0}]"),
		   "/hooks/poststop/0/timeout:");
	expect_bad("runc.json", E1("/linux/devices", "[{\"type\": \"c\", \"path\": \"/dev/x\"}]"),
		   "/linux/devices/0/major: missing");
	expect_bad("runc.json", E1("/linux/devices", "[{\"type\": \"x\", \"path\": \"/dev/x\"}]"),
		   "/linux/devices/0/type: unknown device type");
	expect_bad("runc.json", E1("/linux/rootfsPropagation", "\"sideways\""),
		   "/linux/rootfsPropagation: unknown propagation");
	expect_bad("runc.json", E1("/linux/maskedPaths/2", "\"proc/kcore\""),
		   "/linux/maskedPaths/2: 'proc/kcore' is not an absolute path");
}

static void test_namespaces(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/linux/namespaces/2/type", "\"foo\""),
		   "/linux/namespaces/2/type: unknown namespace type 'foo'");
	expect_bad("runc.json", E2("/linux/namespaces/4", "{\"type\": \"uts\"}", "/linux/namespaces/5",
				   "{\"type\": \"mount\"}"),
		   "/linux/namespaces/4: duplicate namespace type 'uts'");
	expect_bad("runc.json", E1("/linux/namespaces/1/path", "\"netns/x\""),
		   "/linux/namespaces/1/path: 'netns/x' is not an absolute path");
	/* runc.json: pid, network, ipc, uts, mount; without uts the hostname has no home */
	expect_bad("runc.json", E1("/linux/namespaces/3", NULL),
		   "/hostname: needs a new uts namespace");
	expect_bad("runc.json", E1("/linux/uidMappings", "[{\"containerID\":0,\"hostID\":1,\"size\":1}]"),
		   "/linux/uidMappings: mappings need a new user namespace");
	expect_bad("runc.json", E1("/linux/namespaces/5", "{\"type\": \"user\"}"),
		   "/linux/uidMappings: a new user namespace needs uidMappings and gidMappings");
	expect_bad("runc.json", E1("/linux/timeOffsets", "{\"monotonic\": {\"secs\": 1}}"),
		   "/linux/timeOffsets: needs a new time namespace");
	expect_bad("runc.json", E2("/linux/namespaces/5", "{\"type\": \"time\"}", "/linux/timeOffsets",
				   "{\"realtime\": {\"secs\": 1}}"),
		   "/linux/timeOffsets/realtime: unknown clock");
}

static void test_process_rows(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/process/rlimits/0/type", "\"RLIMIT_FOO\""),
		   "/process/rlimits/0/type: unknown rlimit 'RLIMIT_FOO'");
	expect_bad("runc.json",
		   E1("/process/rlimits/1", "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}"),
		   "/process/rlimits/1/type: duplicate rlimit RLIMIT_NOFILE");
	expect_bad("runc.json", E1("/process/rlimits/0/soft", "2048"),
		   "/process/rlimits/0/soft: 2048 is above the hard limit 1024");
	expect_bad("runc.json", E1("/process/capabilities/ambient/3", "\"CAP_SYS_ADMIN\""),
		   "/process/capabilities/ambient: cap_sys_admin is neither permitted nor inheritable");
	expect_good("runc.json", E2("/process/capabilities/ambient/3", "\"CAP_SYS_ADMIN\"",
				    "/process/capabilities/inheritable", "[\"CAP_SYS_ADMIN\"]"));
	expect_bad("runc.json", E1("/process/capabilities/bounding", "\"CAP_KILL\""),
		   "/process/capabilities/bounding: expected an array of strings");
	if (access("/sys/module/apparmor/parameters/enabled", F_OK) != 0)
		expect_bad("runc.json", E1("/process/apparmorProfile", "\"ctrun-default\""),
			   "/process/apparmorProfile: AppArmor is not enabled on this host");
}

static void test_later_rows(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/linux/intelRdt", "{\"closID\": \"x\"}"),
		   "/linux/intelRdt: not supported yet");
	expect_bad("runc.json", E1("/process/scheduler", "{\"policy\": \"SCHED_OTHER\"}"),
		   "/process/scheduler: not supported yet");
	expect_bad("runc.json", E1("/process/ioPriority", "{\"class\": \"IOPRIO_CLASS_IDLE\"}"),
		   "/process/ioPriority: not supported yet");
	expect_bad("runc.json", E1("/process/execCPUAffinity", "{\"initial\": \"0\"}"),
		   "/process/execCPUAffinity: not supported yet");
	expect_bad("runc.json", E1("/linux/personality", "{\"domain\": \"LINUX32\"}"),
		   "/linux/personality: not supported yet");
	expect_bad("runc.json", E1("/linux/personality", "{\"domain\": \"LINUX\", \"flags\": [\"x\"]}"),
		   "/linux/personality: not supported yet");
	expect_bad("runc.json", E1("/mounts/1/options/4", "\"tmpcopyup\""),
		   "/mounts/1/options/4: not supported yet");
	expect_bad("runc.json", E1("/mounts/1/options/0", "\"idmap\""),
		   "/mounts/1/options/0: not supported yet");
	expect_bad("runc.json", E1("/mounts/1/options/0", "\"ridmap\""),
		   "/mounts/1/options/0: not supported yet");
	expect_bad("runc.json", E1("/mounts/2/uidMappings", "[]"), "/mounts/2/uidMappings: not supported yet");
	expect_bad("runc.json", E1("/mounts/2/gidMappings", "[]"), "/mounts/2/gidMappings: not supported yet");
	expect_bad("podman.json", E1("/linux/seccomp/listenerPath", "\"/run/x.sock\""),
		   "/linux/seccomp/listenerPath: not supported yet");
	expect_bad("podman.json", E1("/linux/seccomp/syscalls/1/action", "\"SCMP_ACT_NOTIFY\""),
		   "/linux/seccomp/syscalls/1/action: not supported yet");
	expect_bad("podman.json", E1("/linux/seccomp/defaultAction", "\"SCMP_ACT_NOTIFY\""),
		   "/linux/seccomp/defaultAction: not supported yet");
}

static void test_mounts(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/mounts/0/destination", NULL), "/mounts/0/destination: missing");
	expect_bad("runc.json", E1("/mounts/3/destination", "\"../../etc\""),
		   "/mounts/3/destination: '../../etc' has a '..' component");
	expect_bad("runc.json", E1("/mounts/3/destination", "\"/dev/../../etc\""),
		   "/mounts/3/destination: '/dev/../../etc' has a '..' component");
	expect_bad("runc.json", E1("/mounts/7", "{\"destination\": \"/x\", \"type\": \"bind\"}"),
		   "/mounts/7/source: a bind mount needs a source");
	expect_bad("runc.json", E1("/mounts/7", "{\"destination\": \"/x\", \"source\": \"/y\"}"),
		   "/mounts/7/type: missing");
	expect_bad("runc.json", E1("/mounts/0/options", "[\"ro\", 3]"),
		   "/mounts/0/options: expected an array of strings");
	/* a bind by its options alone, type absent or "none", as runc takes it */
	expect_good("runc.json",
		    E1("/mounts/7", "{\"destination\": \"/x\", \"source\": \"/y\", \"options\": [\"rbind\"]}"));
	expect_good("runc.json", E1("/mounts/7", "{\"destination\": \"/x\", \"type\": \"none\", "
						 "\"source\": \"/y\", \"options\": [\"bind\"]}"));
}

static void test_linux_rows(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/linux/cgroupsPath", "\"system.slice:ctrun:x\""),
		   "/linux/cgroupsPath: 'system.slice:ctrun:x': systemd cgroups are not supported; use "
		   "the cgroupfs manager");
	expect_bad("runc.json", E1("/linux/cgroupsPath", "\"../../x\""),
		   "/linux/cgroupsPath: '../../x' climbs out");
	expect_bad("runc.json", E1("/linux/cgroupsPath", "\"/a/../../b\""),
		   "/linux/cgroupsPath: '/a/../../b' climbs out");
	expect_bad("runc.json", E1("/linux/sysctl", "{\"kernel.panic\": \"1\"}"),
		   "/linux/sysctl/kernel.panic: not a namespaced sysctl");
	expect_bad("runc.json", E1("/linux/sysctl", "{\"vm.swappiness\": \"1\"}"),
		   "/linux/sysctl/vm.swappiness: not a namespaced sysctl");
	expect_bad("runc.json", E2("/linux/namespaces/1", NULL, "/linux/sysctl",
				   "{\"net.ipv4.ip_forward\": \"1\"}"),
		   "/linux/sysctl/net.ipv4.ip_forward: needs a network namespace");
	expect_bad("runc.json", E2("/linux/namespaces/2", NULL, "/linux/sysctl", "{\"kernel.sem\": \"1\"}"),
		   "/linux/sysctl/kernel.sem: needs a ipc namespace");
	expect_bad("runc.json", E1("/linux/sysctl", "{\"kernel.shm..x\": \"1\"}"),
		   "/linux/sysctl/kernel.shm..x: invalid sysctl name");
	expect_bad("runc.json", E1("/linux/resources/unified", "{\"a/b\": \"1\"}"),
		   "/linux/resources/unified/a~1b: not a cgroup v2 file name");
}

static void test_resources(void **state)
{
	(void)state;
	expect_bad("runc.json", E1("/linux/resources/memory", "{\"swap\": 1000}"),
		   "/linux/resources/memory/swap: a swap limit needs a memory limit");
	expect_bad("runc.json", E1("/linux/resources/memory", "{\"limit\": -1, \"swap\": 1000}"),
		   "/linux/resources/memory/swap: a swap limit needs a memory limit");
	expect_bad("runc.json", E1("/linux/resources/memory", "{\"limit\": 2000, \"swap\": 1000}"),
		   "/linux/resources/memory/swap: memory+swap 1000 is below the memory limit 2000");
	expect_good("runc.json", E1("/linux/resources/memory", "{\"limit\": 2000, \"swap\": -1}"));
	expect_good("runc.json", E1("/linux/resources/memory", "{\"limit\": 2000, \"swap\": 2000}"));
	expect_bad("runc.json", E1("/linux/resources/memory/limit", "-2"),
		   "/linux/resources/memory/limit: expected an integer");
	expect_bad("runc.json", E1("/linux/resources/cpu/idle", "2"), "/linux/resources/cpu/idle:");
	expect_bad("runc.json", E1("/linux/resources/blockIO/weight", "5"),
		   "/linux/resources/blockIO/weight: expected an integer from 10 to 1000");
	expect_bad("runc.json", E1("/linux/resources/hugepageLimits", "[{\"pageSize\": \"2M\", \"limit\": 1}]"),
		   "/linux/resources/hugepageLimits/0/pageSize: '2M' is not a page size");
	expect_bad("runc.json", E1("/linux/resources/devices/0/access", "\"rwx\""),
		   "/linux/resources/devices/0/access: 'rwx' is not of r, w and m");
	expect_bad("runc.json", E1("/linux/resources/devices/0/allow", NULL),
		   "/linux/resources/devices/0/allow: missing");
	expect_bad("runc.json", E1("/linux/resources/pids", "{\"limit\": \"x\"}"),
		   "/linux/resources/pids/limit: expected an integer");
}

/* The v1-only members: refused where their controller is on cgroup v2 on this host. */
static void test_v1_only(void **state)
{
	struct ctu_cg_hiers hs;
	ctu_err_t err = NULL;
	struct ctu_cg_hier *mem, *cpu;

	(void)state;
	assert_int_equal(ctu_cg_detect(&hs, NULL, false, NULL, &err), 0);
	mem = ctu_cg_hier_for(&hs, "memory");
	cpu = ctu_cg_hier_for(&hs, "cpu");
	if (!mem || mem->v2) {
		expect_bad("runc.json", E1("/linux/resources/memory/swappiness", "10"),
			   "/linux/resources/memory/swappiness: cgroup v1 only");
		expect_bad("runc.json", E1("/linux/resources/memory/disableOOMKiller", "true"),
			   "/linux/resources/memory/disableOOMKiller: cgroup v1 only");
	} else {
		expect_good("runc.json", E1("/linux/resources/memory/swappiness", "10"));
	}
	if (!cpu || cpu->v2)
		expect_bad("runc.json", E1("/linux/resources/cpu/realtimeRuntime", "10"),
			   "/linux/resources/cpu/realtimeRuntime: cgroup v1 only");
	if (!ctu_cg_hier_for(&hs, "net_cls") || ctu_cg_hier_for(&hs, "net_cls")->v2)
		expect_bad("runc.json", E1("/linux/resources/network/classID", "1"),
			   "/linux/resources/network/classID: cgroup v1 only");
	expect_bad("runc.json", E1("/linux/resources/memory/swappiness", "101"),
		   "/linux/resources/memory/swappiness: expected an integer from 0 to 100");
}

static void test_seccomp(void **state)
{
	(void)state;
	expect_bad("podman.json", E1("/linux/seccomp/defaultAction", "\"SCMP_ACT_FOO\""),
		   "/linux/seccomp/defaultAction");
	expect_bad("podman.json", E1("/linux/seccomp/architectures/1", "\"SCMP_ARCH_FOO\""),
		   "/linux/seccomp/architectures/1");
	expect_bad("podman.json", E1("/linux/seccomp/syscalls/2/args/0/op", "\"SCMP_CMP_FOO\""),
		   "/linux/seccomp/syscalls/2/args/0/op");
	expect_bad("podman.json", E1("/linux/seccomp", "[]"), "/linux/seccomp: expected an object");
}

/* The ignored rows: accepted, a warning naming the pointer. */
static void test_warnings(void **state)
{
	json_t *cfg = fixture("runc.json"), *w = json_array();
	ctu_err_t err = NULL;
	char *all;

	(void)state;
	set_at(cfg, "/process/capabilities/bounding/3", jv("\"CAP_NOT_A_CAP\""));
	set_at(cfg, "/process/capabilities/effective/3", jv("\"CAP_CHECKPOINT_RESTORE_2\""));
	set_at(cfg, "/process/capabilities/permitted/3", jv("\"CAP_12\""));
	set_at(cfg, "/linux/resources/memory/kernel", jv("1000"));
	set_at(cfg, "/linux/resources/blockIO/leafWeight", jv("10"));
	set_at(cfg, "/mounts/7", jv("{\"destination\": \"x\", \"type\": \"tmpfs\"}"));
	assert_int_equal(ct_config_check_warn(cfg, w, &err), 0);
	all = json_dumps(w, 0);
	assert_non_null(strstr(all, "config.json: /process/capabilities/bounding/3: unknown capability"));
	assert_non_null(strstr(all, "/process/capabilities/effective/3: unknown capability"));
	assert_non_null(strstr(all, "/process/capabilities/permitted/3: unknown capability 'CAP_12'"));
	assert_non_null(strstr(all, "config.json: /linux/resources/memory/kernel: ignored"));
	assert_non_null(strstr(all, "/linux/resources/blockIO/leafWeight: ignored"));
	assert_non_null(strstr(all, "/mounts/7/destination: 'x' is not absolute"));
	free(all);
	json_decref(w);
	json_decref(cfg);
}

static void test_process_check(void **state)
{
	json_t *cfg = fixture("podman.json"), *p = json_object_get(cfg, "process");
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ct_process_check(p, "", &err), 0);
	json_object_set_new(p, "args", json_string("sh"));
	assert_true(ct_process_check(p, "", &err) < 0);
	assert_string_equal(err->msg, "/args: expected an array of strings");
	ctu_err_free(&err);
	assert_true(ct_process_check(p, "/process", &err) < 0);
	assert_string_equal(err->msg, "/process/args: expected an array of strings");
	ctu_err_free(&err);
	assert_true(ct_process_check(json_object_get(p, "args"), "", &err) < 0);
	ctu_err_free(&err);
	json_decref(cfg);
}

/* ---- files: a bundle in a temporary directory ------------------------------------ */

static char bundle[64];

static void write_config(const char *text, size_t len)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void write_json(json_t *cfg)
{
	char *text = json_dumps(cfg, JSON_INDENT(1));

	write_config(text, strlen(text));
	free(text);
}

static void expect_load_bad(const char *want)
{
	ctu_err_t err = NULL;
	json_t *cfg = ct_config_load(bundle, &err);

	if (cfg)
		fail_msg("loaded; wanted \"%s\"", want);
	if (!strstr(err->msg, want))
		fail_msg("message \"%s\"; wanted \"%s\"", err->msg, want);
	ctu_err_free(&err);
}

static int bundle_setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(bundle, sizeof(bundle), "/tmp/test_ctrun_config.XXXXXX");
	assert_non_null(mkdtemp(bundle));
	snprintf(path, sizeof(path), "%s/rootfs", bundle);
	assert_int_equal(mkdir(path, 0755), 0);
	return 0;
}

static int bundle_teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/rootfs", bundle);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	unlink(path);
	snprintf(path, sizeof(path), "%s/file", bundle);
	unlink(path);
	rmdir(bundle);
	return 0;
}

static void test_load_syntax(void **state)
{
	static const char nul[] = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"a\\u0000b\"}}";
	static const char bad_utf8[] = "{\"hostname\": \"\xff\xfe\"}";
	char *deep = malloc(10001);

	(void)state;
	write_config("{\n  \"ociVersion\": }\n", 20);
	expect_load_bad("config.json:2:17: ");
	write_config("{\"a\": 1, \"a\": 2}", 16);
	expect_load_bad("config.json:1:");
	expect_load_bad("duplicate object key");
	write_config(bad_utf8, sizeof(bad_utf8) - 1);
	expect_load_bad("unable to decode byte 0xff");
	write_config(nul, sizeof(nul) - 1);
	expect_load_bad("\\u0000 is not allowed");
	memset(deep, '[', 5000);
	memset(deep + 5000, ']', 5000);
	write_config(deep, 10000);
	free(deep);
	expect_load_bad("maximum parsing depth reached");
	write_config("[]", 2);
	expect_load_bad("config.json: /: expected an object");
	write_config("{} {}", 5);
	expect_load_bad("config.json:1:");
}

static void test_load_size(void **state)
{
	char path[128];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 20 << 20), 0);
	close(fd);
	expect_load_bad("config.json: larger than 16777216 bytes");
	unlink(path);
	expect_load_bad("cannot open config.json");
}

static void test_load_files(void **state)
{
	json_t *cfg = fixture("runc.json"), *ok;
	ctu_err_t err = NULL;
	char path[128];
	int fd;

	(void)state;
	write_json(cfg);
	ok = ct_config_load(bundle, &err);
	if (!ok)
		fail_msg("%s", err->msg);
	json_decref(ok);
	set_at(cfg, "/root/path", jv("\"nothere\""));
	write_json(cfg);
	expect_load_bad("config.json: /root/path: cannot open ");
	snprintf(path, sizeof(path), "%s/file", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	close(fd);
	set_at(cfg, "/root/path", jv("\"file\""));
	write_json(cfg);
	expect_load_bad("/root/path: ");
	expect_load_bad("/file is not a directory");
	set_at(cfg, "/root/path", jv("\"rootfs\""));
	set_at(cfg, "/linux/namespaces/1/path", jv("\"/etc/passwd\""));
	write_json(cfg);
	expect_load_bad("config.json: /linux/namespaces/1/path: /etc/passwd is not a namespace file");
	set_at(cfg, "/linux/namespaces/1/path", jv("\"/proc/self/ns/pid\""));
	write_json(cfg);
	expect_load_bad("/linux/namespaces/1/path: /proc/self/ns/pid is not a network namespace");
	set_at(cfg, "/linux/namespaces/1/path", jv("\"/proc/self/ns/net\""));
	set_at(cfg, "/linux/namespaces/4/path", jv("\"/proc/1/ns/mnt\""));
	write_json(cfg);
	/* (a sandbox may deny /proc/1/ns: then it cannot be opened, a refusal too) */
	fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
	expect_load_bad(fd >= 0 ? "/linux/namespaces/4/path: /proc/1/ns/mnt is the host's mount namespace"
				: "/linux/namespaces/4/path: cannot open /proc/1/ns/mnt");
	if (fd >= 0)
		close(fd);
	set_at(cfg, "/linux/namespaces/4/path", jv("\"/proc/self/ns/mnt\""));
	write_json(cfg);
	expect_load_bad("/linux/namespaces/4/path: /proc/self/ns/mnt is the host's mount namespace");
	set_at(cfg, "/linux/namespaces/4/path", jv("\"/nonexistent/ns\""));
	write_json(cfg);
	expect_load_bad("/linux/namespaces/4/path: cannot open /nonexistent/ns");
	/* a joined net namespace of the right type is fine */
	set_at(cfg, "/linux/namespaces/4/path", NULL);
	write_json(cfg);
	ok = ct_config_load(bundle, &err);
	if (!ok)
		fail_msg("%s", err->msg);
	json_decref(ok);
	json_decref(cfg);
}

static void test_process_load(void **state)
{
	json_t *cfg = fixture("runc.json"), *p;
	ctu_err_t err = NULL;
	char path[128];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/file", bundle);
	f = fopen(path, "w");
	assert_non_null(f);
	json_dumpf(json_object_get(cfg, "process"), f, 0);
	fclose(f);
	p = ct_process_load(path, &err);
	assert_non_null(p);
	json_decref(p);
	json_object_set_new(json_object_get(cfg, "process"), "cwd", json_string("rel"));
	f = fopen(path, "w");
	assert_non_null(f);
	json_dumpf(json_object_get(cfg, "process"), f, 0);
	fclose(f);
	assert_null(ct_process_load(path, &err));
	assert_non_null(strstr(err->msg, "/cwd: 'rel' is not an absolute path"));
	ctu_err_free(&err);
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_fixtures),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_oci_version),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_process_rows),
		cmocka_unit_test(test_later_rows),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_linux_rows),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_v1_only),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_process_check),
		cmocka_unit_test_setup_teardown(test_load_syntax, bundle_setup, bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_size, bundle_setup, bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_files, bundle_setup, bundle_teardown),
		cmocka_unit_test_setup_teardown(test_process_load, bundle_setup, bundle_teardown),
	};

	ctu_init(CTU_TOOL_PLAIN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
