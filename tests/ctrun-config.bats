#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun's config.json checks through the command line: each bad input is
# refused by `ctrun --show-chain create` (which validates fully and creates
# nothing) and by `ctrun create`, with exit code 1, one line naming the JSON
# pointer, and nothing left: no ROOT/ID, no cgroup, no process, no mount.

load helpers
load helpers/ctrun

setup() {
	ct_setup
	B=$T/bundle
	ct_bundle "$B" /bin/true
}

teardown() {
	ct_teardown
}

@test "the bundle ctrun spec writes passes the checks (--show-chain validates it)" {
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	refute_output --partial "config.json"
	ct_assert_nothing_left
}

@test "missing members: ociVersion, root.path, process, cwd, user.uid, args" {
	ct_bad 'del(.ociVersion)' "/ociVersion: missing"
	ct_bad 'del(.root.path)' "/root/path: missing"
	ct_bad 'del(.process)' "/process: missing"
	ct_bad 'del(.process.cwd)' "/process/cwd: missing"
	ct_bad 'del(.process.user.uid)' "/process/user/uid: missing"
	ct_bad '.process.args = []' "/process/args: empty: a program is required"
	ct_bad 'del(.linux)' "/linux: missing"
}

@test "wrong types and values name the member" {
	ct_bad '.process.args = "true"' "/process/args: expected an array of strings"
	ct_bad '.process.args = ["true", 1]' "/process/args: expected an array of strings"
	ct_bad '.process.cwd = "tmp"' "/process/cwd: 'tmp' is not an absolute path"
	ct_bad '.ociVersion = "2.0.0"' "/ociVersion: version 2.0.0 is not supported (1.x only)"
	ct_bad '.ociVersion = "1.0"' "/ociVersion: '1.0' is not a SemVer version"
	ct_bad '.process.terminal = "no"' "/process/terminal: expected a boolean"
	ct_bad '.process.oomScoreAdj = 1001' "/process/oomScoreAdj: expected an integer from -1000 to 1000"
	ct_bad '.mounts[2].destination = "../../etc"' "/mounts/2/destination: '../../etc' has a '..' component"
	ct_bad '.linux.maskedPaths[0] = "proc/kcore"' "/linux/maskedPaths/0: 'proc/kcore' is not an absolute path"
	ct_bad '.hooks.prestart = [{"path": "x"}]' "/hooks/prestart/0/path: 'x' is not an absolute path"
}

@test "a pre-release ociVersion such as podman's 1.0.2-dev is accepted" {
	ct_cfg "$B" '.ociVersion = "1.0.2-dev"'
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	refute_output --partial "config.json"
	ct_assert_nothing_left
}

@test "namespaces: unknown type, duplicate, hostname without uts" {
	ct_bad '.linux.namespaces[2].type = "foo"' "/linux/namespaces/2/type: unknown namespace type 'foo'"
	ct_bad '.linux.namespaces += [{"type": "pid"}]' "/linux/namespaces/6: duplicate namespace type 'pid'"
	ct_bad '.hostname = "box" | del(.linux.namespaces[] | select(.type == "uts"))' \
		"/hostname: needs a new uts namespace"
	ct_bad '.linux.namespaces += [{"type": "user"}]' \
		"/linux/uidMappings: a new user namespace needs uidMappings and gidMappings"
}

@test "a namespace path that is not a namespace file, of the wrong type, or the host's mount ns" {
	ct_bad '(.linux.namespaces[] | select(.type == "network")).path = "/etc/passwd"' \
		"/linux/namespaces/1/path: /etc/passwd is not a namespace file"
	ct_bad '(.linux.namespaces[] | select(.type == "network")).path = "/proc/self/ns/pid"' \
		"/linux/namespaces/1/path: /proc/self/ns/pid is not a network namespace"
	# ours (ctrun's, as this shell's) and init's are the host's
	ct_bad "(.linux.namespaces[] | select(.type == \"mount\")).path = \"/proc/$$/ns/mnt\"" \
		"/linux/namespaces/4/path: /proc/$$/ns/mnt is the host's mount namespace"
	if readlink /proc/1/ns/mnt >/dev/null; then
		ct_bad '(.linux.namespaces[] | select(.type == "mount")).path = "/proc/1/ns/mnt"' \
			"/linux/namespaces/4/path: /proc/1/ns/mnt is the host's mount namespace"
	else # a sandbox that hides init's namespaces: a refusal all the same
		ct_bad '(.linux.namespaces[] | select(.type == "mount")).path = "/proc/1/ns/mnt"' \
			"/linux/namespaces/4/path: cannot open /proc/1/ns/mnt"
	fi
	ct_bad '(.linux.namespaces[] | select(.type == "network")).path = "/nonexistent"' \
		"/linux/namespaces/1/path: cannot open /nonexistent"
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	ct_bad "(.linux.namespaces[] | select(.type == \"ipc\")).path = \"$fifo\"" \
		"/linux/namespaces/2/path: $fifo is not a namespace file"
}

@test "process rows: rlimits, capabilities, apparmor" {
	ct_bad '.process.rlimits[0].type = "RLIMIT_FOO"' "/process/rlimits/0/type: unknown rlimit 'RLIMIT_FOO'"
	ct_bad '.process.rlimits += [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}]' \
		"/process/rlimits/1/type: duplicate rlimit RLIMIT_NOFILE"
	ct_bad '.process.capabilities.ambient += ["CAP_SYS_ADMIN"]' \
		"/process/capabilities/ambient: cap_sys_admin is neither permitted nor inheritable"
	if ! grep -qs Y /sys/module/apparmor/parameters/enabled; then
		ct_bad '.process.apparmorProfile = "ctrun-test"' \
			"/process/apparmorProfile: AppArmor is not enabled on this host"
	fi
}

@test "an unknown capability is a warning and ignored, as runc 1.1" {
	ct_cfg "$B" '.process.capabilities.bounding += ["CAP_NOT_YET_INVENTED"]'
	run ct --show-chain create -b "$B" "$ID"
	assert_line --partial "warning: config.json: /process/capabilities/bounding/3: unknown capability 'CAP_NOT_YET_INVENTED' ignored"
	ct_assert_nothing_left
}

@test "linux rows: cgroupsPath, sysctl, memory swap" {
	ct_bad '.linux.cgroupsPath = "system.slice:ctrun:x"' \
		"/linux/cgroupsPath: 'system.slice:ctrun:x': systemd cgroups are not supported; use the cgroupfs manager"
	ct_bad '.linux.cgroupsPath = "../../../x"' "/linux/cgroupsPath: '../../../x' climbs out with '..'"
	ct_bad '.linux.sysctl = {"kernel.panic": "1"}' \
		"/linux/sysctl/kernel.panic: not a namespaced sysctl: it would change the host"
	ct_bad '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | del(.linux.namespaces[1])' \
		"/linux/sysctl/net.ipv4.ip_forward: needs a network namespace"
	ct_bad '.linux.resources.memory = {"swap": 1048576}' \
		"/linux/resources/memory/swap: a swap limit needs a memory limit"
	ct_bad '.linux.resources.memory = {"limit": 2097152, "swap": 1048576}' \
		"/linux/resources/memory/swap: memory+swap 1048576 is below the memory limit 2097152"
}

@test "v1-only resources: refused where the controller is on cgroup v2, accepted on v1" {
	if awk -F: '$2 ~ /(^|,)memory(,|$)/' /proc/self/cgroup | grep -q .; then
		# hybrid or v1 (this host): memory is a v1 controller, swappiness is its file
		ct_cfg "$B" '.linux.resources.memory = {"swappiness": 10}'
		run ct --show-chain create -b "$B" "$ID"
		assert_success
		refute_output --partial "config.json"
		ct_assert_nothing_left
		return
	fi
	ct_bad '.linux.resources.memory = {"swappiness": 10}' \
		"/linux/resources/memory/swappiness: cgroup v1 only, and the memory controller is not on v1 here"
	ct_bad '.linux.resources.cpu = {"realtimeRuntime": 10}' \
		"/linux/resources/cpu/realtimeRuntime: cgroup v1 only"
}

@test "seccomp: unknown action, arch, operator name the member" {
	ct_bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_FOO"}' "/linux/seccomp/defaultAction"
	ct_bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_FOO"]}' \
		"/linux/seccomp/architectures/0"
	ct_bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"],
		"action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}' \
		"/linux/seccomp/syscalls/0/args/0/op"
}

@test "the later rows are refused: not supported yet" {
	ct_bad '.linux.intelRdt = {"closID": "x"}' "/linux/intelRdt: not supported yet"
	ct_bad '.process.scheduler = {"policy": "SCHED_OTHER"}' "/process/scheduler: not supported yet"
	ct_bad '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE"}' "/process/ioPriority: not supported yet"
	ct_bad '.process.execCPUAffinity = {"initial": "0"}' "/process/execCPUAffinity: not supported yet"
	ct_bad '.linux.personality = {"domain": "LINUX32"}' "/linux/personality: not supported yet"
	ct_bad '.mounts[1].options += ["tmpcopyup"]' "/mounts/1/options/4: not supported yet"
	ct_bad '.mounts[0].options = ["idmap"]' "/mounts/0/options/0: not supported yet"
	ct_bad '.mounts[0].uidMappings = []' "/mounts/0/uidMappings: not supported yet"
	ct_bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}' \
		"/linux/seccomp/listenerPath: not supported yet"
	ct_bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOTIFY"}' \
		"/linux/seccomp/defaultAction: not supported yet"
}

@test "rootfs: missing, or not a directory" {
	ct_bad '.root.path = "nothere"' "/root/path: cannot open $B/nothere"
	touch "$B/afile"
	ct_bad '.root.path = "afile"' "/root/path: $B/afile is not a directory"
	rm "$B/afile"
}

@test "hostile: a config.json of 20 MiB" {
	head -c $((20 << 20)) /dev/zero | tr '\0' ' ' >"$B/config.json"
	ct_refused "config.json: larger than 16777216 bytes"
}

@test "hostile: 5000 nested arrays" {
	{ printf '%.0s[' {1..5000}; printf '%.0s]' {1..5000}; } >"$B/config.json"
	ct_refused "maximum parsing depth reached near '[' (nested deeper than 2048 levels)"
	assert_output --regexp '^ctrun: (create: )?config\.json:1:[0-9]+: '
}

@test "hostile: duplicate keys, malformed JSON with its line and column" {
	sed -i '0,/"ociVersion"/s//"hostname": "a", "hostname": "b", &/' "$B/config.json"
	ct_refused "duplicate object key"
	assert_output --regexp '^ctrun: (create: )?config\.json:[0-9]+:[0-9]+: duplicate object key'
	printf '{\n  "ociVersion": ,\n}\n' >"$B/config.json"
	ct_refused "config.json:2:17: "
}

@test "hostile: invalid UTF-8 and \\u0000 in a path" {
	ct_cfg "$B" '.hostname = "XXHOSTXX"'
	sed -i 's/XXHOSTXX/\xff\xfe/' "$B/config.json"
	ct_refused "unable to decode byte 0xff"
	ctrun_spec_again
	sed -i 's|"path": "rootfs"|"path": "root\\u0000fs"|' "$B/config.json"
	grep -q 'u0000' "$B/config.json"
	ct_refused "\\u0000 is not allowed"
}

# A fresh config.json (the last test broke the old one on purpose).
ctrun_spec_again() {
	rm -f "$B/config.json"
	"$CTRUN" spec -b "$B"
	ct_cfg "$B" ".process.args = [\"/bin/true\"] | .process.terminal = false |
		.linux.cgroupsPath = \"$CT_CG\""
}
