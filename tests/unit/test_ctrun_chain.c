// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for ctrun's chain builder (ctrun/chain*.c): fixture configs
 * (runc's default spec, one with every coverage row) -> the chain's words,
 * exactly; the cgroup path rules; swap, shares and blkio conversions;
 * joined namespaces, exec and bare chains; HOME from passwd; LISTEN_FDS;
 * shell quoting of hard strings and the printed form.  The cgroup layouts
 * (pure v2, hybrid) are given, not read from this host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrun/chain.h"
#include "ctu.h"
#include "tree.h"

/* ---- fixtures ---- */

/* `runc spec` (1.1) as ctrun spec writes it. */
static const char runc_spec[] =
    "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
    "\"args\":[\"sh\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
    "/bin\",\"TERM=xterm\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\","
    "\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\","
    "\"CAP_NET_BIND_SERVICE\"],\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\","
    "\"CAP_NET_BIND_SERVICE\"],\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\","
    "\"CAP_NET_BIND_SERVICE\"]},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,"
    "\"soft\":1024}],\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"runc\",\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
    "\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":["
    "\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\","
    "\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":["
    "\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\","
    "\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":["
    "\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":"
    "\"uts\"},"
    "{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/kcore\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/sys\"]}}";

/* One of every coverage row that becomes a word. */
static const char rich_spec[] =
    "{\"ociVersion\":\"1.1.0\",\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,"
    "\"width\":80},\"user\":{\"uid\":1000,\"gid\":100,\"additionalGids\":[5,6],\"umask\":63},"
    "\"args\":[\"/bin/probe\",\"it's\",\"a b\"],\"env\":[\"PATH=/bin\",\"HOME=/home/u\"],"
    "\"cwd\":\"/"
    "work\",\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_NOT_A_CAP\",\"CAP_CHOWN\"],"
    "\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"],\"inheritable\":[]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":1024},{\"type\":\"RLIMIT_"
    "CORE\","
    "\"hard\":1.8446744073709552e19,\"soft\":0}],\"oomScoreAdj\":100,\"noNewPrivileges\":true,"
    "\"apparmorProfile\":\"ctprof\"},"
    "\"root\":{\"path\":\"/r/rootfs\"},\"hostname\":\"h1\",\"domainname\":\"d1\","
    "\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"vol:x\",\"options\":["
    "\"rbind\",\"ro\"]},{\"destination\":\"tmp\",\"type\":\"tmpfs\",\"options\":[\"size=1m\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup2\",\"source\":\"cgroup\",\"options\":["
    "\"ro\"]}],"
    "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"uts\"},"
    "{\"type\":\"ipc\"},{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"time\"}],"
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
    "\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}],"
    "\"timeOffsets\":{\"monotonic\":{\"secs\":10},\"boottime\":{\"secs\":-1,\"nanosecs\":5}},"
    "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"65536\"},"
    "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
    "\"fileMode\":432,\"uid\":0,\"gid\":0},{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,"
    "\"minor\":3,\"fileMode\":438}],"
    "\"resources\":{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200},"
    "\"cpu\":{\"shares\":512,\"quota\":50000,\"burst\":1000,\"cpus\":\"0-1\",\"mems\":\"0\","
    "\"idle\":1},\"pids\":{\"limit\":32},\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":"
    "8,"
    "\"minor\":0,\"weight\":10}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":"
    "1048576}],"
    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":100},{\"major\":8,\"minor\":16,"
    "\"rate\":7}]},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}},"
    "\"unified\":{\"memory.high\":\"90000000\"},"
    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":10,"
    "\"minor\":229,\"access\":\"rw\"}]},"
    "\"rootfsPropagation\":\"rshared\",\"maskedPaths\":[\"/proc/kcore\"],"
    "\"readonlyPaths\":[\"/proc/sys\"]}}";

static struct ct_global global = { .tooldir = "/T" };

#include "ctrun_chain_fixtures.h"

/* ---- whole chains ---- */

static void test_runc_spec_v2(void **state)
{
	(void)state;
	json_t *cfg = load(runc_spec);
	struct ct_chain_in in = create_in(cfg, true, false);
	struct ctu_cg_hiers hs = v2_hiers();
	const char *want[200] = {
		"/T/cgctl",
		"exec",
		"/ct/c1",
		"--device-rule",
		"deny a *:* rwm",
		"--device-rule",
		"allow c *:* m",
		"--device-rule",
		"allow b *:* m",
		"--device-rule",
		"allow c 1:3 rwm",
		"--device-rule",
		"allow c 1:5 rwm",
		"--device-rule",
		"allow c 1:7 rwm",
		"--device-rule",
		"allow c 1:8 rwm",
		"--device-rule",
		"allow c 1:9 rwm",
		"--device-rule",
		"allow c 5:0 rwm",
		"--device-rule",
		"allow c 136:* rwm",
		"--device-rule",
		"allow c 5:2 rwm",
		"--empty",
		"--preserve-fds",
		"4",
		"--",
		"/T/unshare-lite",
		"-m",
		"-u",
		"-i",
		"-n",
		"-p",
		"-C",
		"-f",
		"--detach",
		"--propagation",
		"unchanged",
		"--hostname",
		"runc",
		"--new-keyring",
		"--info-fd",
		"3",
		"--preserve-fds",
		"4",
		"--",
		"/T/pivot",
		"/b/rootfs",
		"--propagation",
		"slave",
		"--mount",
		"proc:proc:/proc",
		"--mount",
		"tmpfs:tmpfs:/dev:nosuid,strictatime,mode=755,size=65536k",
		"--mount",
		"devpts:devpts:/dev/pts:nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
		"--mount",
		"tmpfs:shm:/dev/shm:nosuid,noexec,nodev,mode=1777,size=65536k",
		"--mount",
		"mqueue:mqueue:/dev/mqueue:nosuid,noexec,nodev",
		"--mount",
		"sysfs:sysfs:/sys:nosuid,noexec,nodev,ro",
		"--mount",
		"cgroup2:cgroup2:/sys/fs/cgroup:nosuid,noexec,nodev,relatime,ro",
		"--device",
		"/dev/null:c:1:3:0666:0:0",
		"--device",
		"/dev/zero:c:1:5:0666:0:0",
		"--device",
		"/dev/full:c:1:7:0666:0:0",
		"--device",
		"/dev/random:c:1:8:0666:0:0",
		"--device",
		"/dev/urandom:c:1:9:0666:0:0",
		"--device",
		"/dev/tty:c:5:0:0666:0:0",
		"--symlink",
		"pts/ptmx:/dev/ptmx",
		"--symlink",
		"/proc/self/fd:/dev/fd",
		"--symlink",
		"/proc/self/fd/0:/dev/stdin",
		"--symlink",
		"/proc/self/fd/1:/dev/stdout",
		"--symlink",
		"/proc/self/fd/2:/dev/stderr",
	};
	const char *const tail[] = {
		"--mask",
		"/proc/acpi",
		"--mask",
		"/proc/kcore",
		"--readonly-path",
		"/proc/bus",
		"--readonly-path",
		"/proc/sys",
		"--readonly",
		"-w",
		"/",
		"--new-session",
		"-S",
		"0",
		"-G",
		"0",
		"--umask",
		"0022",
		"--caps",
		"bounding=CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE",
		"--caps",
		"effective=CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE",
		"--caps",
		"permitted=CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE",
		"--caps",
		"inheritable=",
		"--caps",
		"ambient=",
		"--rlimit",
		"RLIMIT_NOFILE=1024:1024",
		"--no-new-privs",
		"--clearenv",
		"--setenv",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"--setenv",
		"TERM=xterm",
		"--setenv",
		"HOME=/",
		"--sync-fd",
		"4",
		"--stderr-fd",
		"6",
		"--block-fd",
		"5",
		"--preserve-fds",
		"0",
		"--",
		"sh",
		NULL,
	};
	size_t n = 0;

	unsetenv("LISTEN_PID");
	while (want[n])
		n++;
	if (KCORE) {
		want[n++] = "--symlink";
		want[n++] = "/proc/kcore:/dev/core";
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(tail); i++)
		want[n++] = tail[i];
	/* fds: info 3, sync 4, fifo 5, real stderr 6 -> M = 4 */
	assert_chain(&in, &hs, want);
	json_decref(cfg);
}

static void test_runc_spec_hybrid_cgroup_ns(void **state)
{
	(void)state;
	json_t *cfg = load(runc_spec);
	struct ct_chain_in in = create_in(cfg, true, false);
	struct ctu_cg_hiers hs = hybrid_hiers();
	char *s = chain_text(&in, &hs);

	/* a cgroup ns: each hierarchy mounted anew, comounts linked, the tmpfs made read-only */
	assert_has(s, "|--mount|sysfs:sysfs:/sys:nosuid,noexec,nodev,ro|"
		      "--mount|tmpfs:tmpfs:/sys/fs/cgroup:nosuid,nodev,noexec,mode=755|"
		      "--mount|cgroup2:cgroup2:/sys/fs/cgroup/unified:nosuid,noexec,nodev,"
		      "relatime,ro|"
		      "--mount|cgroup:cgroup:/sys/fs/cgroup/cpu,cpuacct:nosuid,noexec,"
		      "nodev,relatime,ro,cpu,cpuacct|"
		      "--symlink|cpu,cpuacct:/sys/fs/cgroup/cpu|"
		      "--symlink|cpu,cpuacct:/sys/fs/cgroup/cpuacct|"
		      "--mount|cgroup:cgroup:/sys/fs/cgroup/memory:nosuid,noexec,nodev,"
		      "relatime,ro,memory|"
		      "--mount|cgroup:cgroup:/sys/fs/cgroup/blkio:nosuid,noexec,nodev,"
		      "relatime,ro,blkio|"
		      "--readonly-mount|/sys/fs/cgroup|--device|");
	free(s);
	json_decref(cfg);
}

static void test_cgroup_mount_without_cgroup_ns(void **state)
{
	(void)state;
	json_t *cfg = load(runc_spec);
	struct ct_chain_in in = create_in(cfg, true, false);
	struct ctu_cg_hiers v2 = v2_hiers(), hy = hybrid_hiers();
	char *s;

	json_array_remove(json_object_get(json_object_get(cfg, "linux"), "namespaces"), 5);
	s = chain_text(&in, &v2);
	/* v2: a read-only bind of the container's own cgroup */
	assert_has(s, "|--mount|bind:/sys/fs/cgroup/ct/c1:/sys/fs/cgroup:rbind,nosuid,"
		      "noexec,nodev,relatime,ro|--device|");
	assert_null(strstr(s, "-C|"));
	free(s);
	s = chain_text(&in, &hy);
	assert_has(s, "|--mount|bind:/sys/fs/cgroup/cpu,cpuacct/ct/c1:/sys/fs/cgroup/"
		      "cpu,cpuacct:rbind,nosuid,noexec,nodev,relatime,ro|");
	assert_has(s, "|--mount|bind:/sys/fs/cgroup/unified/ct/c1:/sys/fs/cgroup/"
		      "unified:rbind,nosuid,noexec,nodev,relatime,ro|");
	free(s);
	json_decref(cfg);
}

static void test_rich_spec(void **state)
{
	(void)state;
	json_t *cfg = load(rich_spec);
	struct ct_chain_in in = create_in(cfg, false, true);
	struct ctu_cg_hiers hs = v2_hiers();
	const char *want[250] = {
		"/T/cgctl",
		"exec",
		"/ct/c1",
		"--memory",
		"104857600",
		"-s",
		"memory.low=52428800",
		"-s",
		"memory.swap.max=104857600",
		"-s",
		"cpu.shares=512",
		"-s",
		"cpu.max=50000 100000",
		"-s",
		"cpu.max.burst=1000",
		"-s",
		"cpuset.cpus=0-1",
		"-s",
		"cpuset.mems=0",
		"-s",
		"cpu.idle=1",
		"--pids",
		"32",
		"-s",
		"blkio.weight=500",
		"-s",
		"io.weight=8:0 1",
		"-s",
		"io.max=8:0 rbps=1048576 wiops=100",
		"-s",
		"io.max=8:16 wiops=7",
		"-s",
		"hugetlb.2MB.max=4194304",
		"-s",
		"rdma.max=mlx5_1 hca_handle=3 hca_object=10000",
		"-s",
		"memory.high=90000000",
		"--device-rule",
		"deny a *:* rwm",
		"--device-rule",
		"allow c 10:229 rw",
		"--device-rule",
		"allow c *:* m",
		"--device-rule",
		"allow b *:* m",
		"--device-rule",
		"allow c 1:3 rwm",
		"--device-rule",
		"allow c 1:5 rwm",
		"--device-rule",
		"allow c 1:7 rwm",
		"--device-rule",
		"allow c 1:8 rwm",
		"--device-rule",
		"allow c 1:9 rwm",
		"--device-rule",
		"allow c 5:0 rwm",
		"--device-rule",
		"allow c 136:* rwm",
		"--device-rule",
		"allow c 5:2 rwm",
		"--empty",
		"--preserve-fds",
		"3",
		"--",
		"/T/unshare-lite",
		"-U",
		"--map-users",
		"0:100000:65536",
		"--map-groups",
		"0:200000:65536",
		"--setgroups",
		"allow",
		"-S",
		"0",
		"-G",
		"0",
		"-m",
		"-u",
		"-i",
		"-n",
		"-p",
		"-T",
		"-f",
		"--detach",
		"--propagation",
		"unchanged",
		"--hostname",
		"h1",
		"--domainname",
		"d1",
		"--sysctl",
		"net.ipv4.ip_forward=1",
		"--sysctl",
		"kernel.shmmax=65536",
		"--monotonic",
		"10",
		"--boottime",
		"-0.999999995",
		"--new-keyring",
		"--info-fd",
		"3",
		"--preserve-fds",
		"3",
		"--",
		"/T/pivot",
		"/r/rootfs",
		"--propagation",
		"shared",
		"--mount",
		"bind:/b/vol\\:x:/data:rbind,ro",
		"--mount",
		"tmpfs:tmpfs:/tmp:size=1m",
		"--mount",
		"bind:/sys/fs/cgroup/ct/c1:/sys/fs/cgroup:rbind,ro",
		"--device",
		"/dev/zero:c:1:5:0666:0:0",
		"--device",
		"/dev/full:c:1:7:0666:0:0",
		"--device",
		"/dev/random:c:1:8:0666:0:0",
		"--device",
		"/dev/urandom:c:1:9:0666:0:0",
		"--device",
		"/dev/tty:c:5:0:0666:0:0",
		"--device",
		"/dev/fuse:c:10:229:0660:0:0",
		"--device",
		"/dev/null:c:1:3:0666:0:0",
		"--symlink",
		"pts/ptmx:/dev/ptmx",
		"--symlink",
		"/proc/self/fd:/dev/fd",
		"--symlink",
		"/proc/self/fd/0:/dev/stdin",
		"--symlink",
		"/proc/self/fd/1:/dev/stdout",
		"--symlink",
		"/proc/self/fd/2:/dev/stderr",
	};
	const char *const tail[] = {
		"--mkdir",
		"/work",
		"--mask",
		"/proc/kcore",
		"--readonly-path",
		"/proc/sys",
		"-w",
		"/work",
		"--new-session",
		"-S",
		"1000",
		"-G",
		"100",
		"--groups",
		"5,6",
		"--umask",
		"0077",
		"--caps",
		"bounding=CAP_KILL,CAP_CHOWN",
		"--caps",
		"effective=CAP_KILL",
		"--caps",
		"permitted=CAP_KILL",
		"--caps",
		"inheritable=",
		"--caps",
		"ambient=",
		"--rlimit",
		"RLIMIT_NOFILE=1024:4096",
		"--rlimit",
		"RLIMIT_CORE=0:unlimited",
		"--oom-score-adj",
		"100",
		"--no-new-privs",
		"--apparmor",
		"ctprof",
		"--seccomp",
		"/R/seccomp/x.bpf",
		"--seccomp-flags",
		"log",
		"--clearenv",
		"--setenv",
		"PATH=/bin",
		"--setenv",
		"HOME=/home/u",
		"--own-stdio",
		"--console-fd",
		"5",
		"--console-size",
		"24x80",
		"--sync-fd",
		"4",
		/* no --stderr-fd (nor a slot for it): with a terminal that is the program's stderr */
		"--preserve-fds",
		"0",
		"--",
		"/bin/probe",
		"it's",
		"a b",
		NULL,
	};
	size_t n = 0;

	in.seccomp_bpf = "/R/seccomp/x.bpf";
	in.seccomp_flags = "log";
	unsetenv("LISTEN_PID");
	while (want[n])
		n++;
	if (KCORE) {
		want[n++] = "--symlink";
		want[n++] = "/proc/kcore:/dev/core";
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(tail); i++)
		want[n++] = tail[i];
	/* fds: info 3, sync 4, real stderr 5, console 6 (no fifo: run without a barrier) */
	assert_chain(&in, &hs, want);
	json_decref(cfg);
}

static void test_rich_spec_hybrid(void **state)
{
	(void)state;
	json_t *cfg = load(rich_spec);
	struct ct_chain_in in = create_in(cfg, true, true);
	struct ctu_cg_hiers hs = hybrid_hiers();
	char *s = chain_text(&in, &hs);

	/* memory and cpu live in v1: the same v2 names (cgctl translates), weightDevice as v1's */
	assert_has(s, "|-s|memory.swap.max=104857600|-s|cpu.shares=512|");
	assert_has(s, "|-s|blkio.weight_device=8:0 10|");
	/* the unified key goes to the unified hierarchy of the hybrid host */
	assert_has(s, "|-s|memory.high=90000000|");
	free(s);
	json_decref(cfg);
}

/* ---- joined namespaces, exec, bare ---- */

static void test_joined_namespaces(void **state)
{
	(void)state;
	json_t *cfg =
	    load("{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"user\":{\"uid\":0}},"
		 "\"root\":{\"path\":\"r\"},\"hostname\":\"h\",\"linux\":{\"namespaces\":["
		 "{\"type\":\"network\",\"path\":\"/run/netns/n1\"},{\"type\":\"mount\","
		 "\"path\":\"/proc/9/ns/mnt\"},{\"type\":\"pid\",\"path\":\"/proc/9/ns/pid\"},"
		 "{\"type\":\"cgroup\",\"path\":\"/proc/9/ns/cgroup\"},{\"type\":\"uts\","
		 "\"path\":\"/proc/9/ns/uts\"},{\"type\":\"ipc\"}]}}");
	struct ct_chain_in in = create_in(cfg, true, false);
	struct ctu_cg_hiers hs = v2_hiers();
	char *s = chain_text(&in, &hs);

	assert_has(s, "|--|/T/nsenter-lite|--mount=/proc/9/ns/mnt|--uts=/proc/9/ns/uts|"
		      "--net=/run/netns/n1|--pid=/proc/9/ns/pid|--cgroup=/proc/9/ns/cgroup|"
		      "-F|--preserve-fds|4|--|/T/unshare-lite|-i|-f|--detach|"
		      "--propagation|unchanged|--new-keyring|");
	/* a joined uts: its owner named it, no --hostname; a joined mount ns: --force */
	assert_null(strstr(s, "--hostname"));
	assert_has(s, "|/T/pivot|/b/r|--propagation|slave|--force|");
	free(s);
	json_decref(cfg);
}

static void test_exec_chain(void **state)
{
	(void)state;
	json_t *proc = load("{\"args\":[\"ps\",\"-ef\"],\"cwd\":\"/tmp\",\"terminal\":false,"
			    "\"user\":{\"uid\":0,\"gid\":0},\"env\":[\"A=1\",\"HOME=/root\"],"
			    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}}");
	struct ct_chain_in in = { .g = &global,
				  .kind = CT_CHAIN_EXEC,
				  .id = "c1",
				  .bundle = "/b",
				  .process = proc,
				  .target = 4242 };
	const char *const want[] = {
		"/T/nsenter-lite",
		"-t",
		"4242",
		"-a",
		"-r",
		"-W",
		"/tmp",
		"--join-cgroup",
		"--detach",
		"--info-fd",
		"4",
		"--new-session",
		"-S",
		"0",
		"-G",
		"0",
		"--umask",
		"0022",
		"--caps",
		"bounding=CAP_KILL",
		"--caps",
		"effective=",
		"--caps",
		"permitted=",
		"--caps",
		"inheritable=",
		"--caps",
		"ambient=",
		"--clearenv",
		"--setenv",
		"A=1",
		"--setenv",
		"HOME=/root",
		"--sync-fd",
		"5",
		"--stderr-fd",
		"6",
		"--preserve-fds",
		"1",
		"--",
		"ps",
		"-ef",
		NULL,
	};

	ct_fds_layout(&in.fds, 1, false, false);
	assert_chain(&in, NULL, want);
	in.bare = true;
	{
		const char *const bare[] = {
			"/T/nsenter-lite",
			"-t",
			"4242",
			"-a",
			"-r",
			"-W",
			"/tmp",
			"--join-cgroup",
			"--new-session",
			"-S",
			"0",
			"-G",
			"0",
			"--umask",
			"0022",
			"--caps",
			"bounding=CAP_KILL",
			"--caps",
			"effective=",
			"--caps",
			"permitted=",
			"--caps",
			"inheritable=",
			"--caps",
			"ambient=",
			"--clearenv",
			"--setenv",
			"A=1",
			"--setenv",
			"HOME=/root",
			"--preserve-fds",
			"1",
			"--",
			"ps",
			"-ef",
			NULL,
		};

		assert_chain(&in, NULL, bare);
	}
	json_decref(proc);
}

static void test_bare_create(void **state)
{
	(void)state;
	json_t *cfg = load(runc_spec);
	struct ct_chain_in in = create_in(cfg, true, true);
	struct ctu_cg_hiers hs = v2_hiers();
	char *s;

	in.bare = true;
	s = chain_text(&in, &hs);
	/* no sync, info, block, stderr or console fds, no --detach; M is the user fds only */
	assert_null(strstr(s, "-fd|"));
	assert_null(strstr(s, "--detach"));
	assert_has(s, "|--empty|--preserve-fds|0|--|/T/unshare-lite|");
	assert_has(s, "|-f|--propagation|unchanged|--hostname|runc|--new-keyring|"
		      "--preserve-fds|0|--|/T/pivot|");
	free(s);
	in.bare = false;
	in.no_new_keyring = true;
	in.no_pivot = true;
	in.cgroup = NULL;
	s = chain_text(&in, &hs);
	/* no cgroup: no cgctl (--cgroup-manager disabled) */
	assert_true(strncmp(s, "/T/unshare-lite|", 16) == 0);
	assert_null(strstr(s, "--new-keyring"));
	assert_has(s, "|/T/pivot|/b/rootfs|--propagation|slave|--no-pivot|");
	assert_has(s, "|--console-fd|6|--sync-fd|4|--block-fd|5|");
	assert_null(strstr(s, "--stderr-fd"));
	free(s);
	json_decref(cfg);
}

static void test_dev_bind_and_overrides(void **state)
{
	(void)state;
	json_t *cfg =
	    load("{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"user\":{\"uid\":0}},"
		 "\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"/dev/\","
		 "\"type\":\"none\",\"source\":\"/dev\",\"options\":[\"rbind\"]}],"
		 "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"devices\":[{\"path\":"
		 "\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}]}}");
	struct ct_chain_in in = create_in(cfg, true, false);
	struct ctu_cg_hiers hs = v2_hiers();
	char *s = chain_text(&in, &hs);

	/* /dev bound from the host: no devices, no symlinks (runc) */
	assert_has(s, "|--mount|bind:/dev:/dev/:rbind|-w|/|");
	assert_null(strstr(s, "--device|"));
	assert_null(strstr(s, "--symlink"));
	free(s);
	json_decref(cfg);
}

static void test_chain_print(void **state)
{
	(void)state;
	json_t *cfg = load("{\"process\":{\"args\":[\"sh\",\"-c\",\"echo 'hi'\"],\"cwd\":\"/\","
			   "\"user\":{\"uid\":0},\"env\":[\"HOME=/\"]},\"root\":{\"path\":\"r\"},"
			   "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}");
	struct ct_chain_in in = create_in(cfg, false, false);
	struct ctu_cg_hiers hs = v2_hiers();
	struct ct_chain c;
	ctu_err_t err = NULL;
	char *buf = NULL, want[2048];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	in.bare = true;
	in.cgroup = NULL;
	assert_int_equal(ct_chain_build_with(&in, &hs, &c, &err), 0);
	assert_int_equal(c.n_tools, 2);
	assert_int_equal(ct_chain_print(&c, f), 0);
	fclose(f);
	snprintf(
	    want, sizeof(want),
	    "/T/unshare-lite -m -f --propagation unchanged --new-keyring --preserve-fds 0 -- \\\n"
	    "/T/pivot /b/r --propagation slave --device /dev/null:c:1:3:0666:0:0 "
	    "--device /dev/zero:c:1:5:0666:0:0 --device /dev/full:c:1:7:0666:0:0 "
	    "--device /dev/random:c:1:8:0666:0:0 --device /dev/urandom:c:1:9:0666:0:0 "
	    "--device /dev/tty:c:5:0:0666:0:0 --symlink pts/ptmx:/dev/ptmx "
	    "--symlink /proc/self/fd:/dev/fd --symlink /proc/self/fd/0:/dev/stdin "
	    "--symlink /proc/self/fd/1:/dev/stdout --symlink /proc/self/fd/2:/dev/stderr%s "
	    "-w / --new-session -S 0 -G 0 --umask 0022 --clearenv --setenv HOME=/ "
	    "--preserve-fds 0 -- sh -c 'echo '\\''hi'\\'''\n",
	    KCORE ? " --symlink /proc/kcore:/dev/core" : "");
	assert_string_equal(buf, want);
	free(buf);
	ct_chain_free(&c);
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runc_spec_v2),
		cmocka_unit_test(test_runc_spec_hybrid_cgroup_ns),
		cmocka_unit_test(test_cgroup_mount_without_cgroup_ns),
		cmocka_unit_test(test_rich_spec),
		cmocka_unit_test(test_rich_spec_hybrid),
		cmocka_unit_test(test_joined_namespaces),
		cmocka_unit_test(test_exec_chain),
		cmocka_unit_test(test_bare_create),
		cmocka_unit_test(test_dev_bind_and_overrides),
		cmocka_unit_test(test_chain_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
