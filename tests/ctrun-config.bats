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

# No state dir (nor anything else in ROOT), no cgroup of the container in any
# hierarchy, no mount below the test's directory, no process in its rootfs.
# (Targeted rather than ctu_state_save's whole-host view: other suites may
# make cgroups of their own meanwhile.)
assert_nothing_left() {
	local p h
	[ ! -e "$CT_ROOT/$ID" ] || fail "$CT_ROOT/$ID left"
	[ -z "$(ls -A "$CT_ROOT" 2>/dev/null)" ] || fail "$CT_ROOT not empty: $(ls -A "$CT_ROOT")"
	while read -r h; do
		[ ! -d "$h$CT_CG" ] || fail "cgroup $h$CT_CG left"
	done < <(ct_hierarchies)
	! grep -qF " $T" /proc/self/mountinfo || fail "a mount below $T left"
	for p in /proc/[0-9]*; do
		case $(readlink "$p/root" 2>/dev/null) in
		"$B"/*) fail "process ${p#/proc/} left in the rootfs" ;;
		esac
	done
}

# refused MESSAGE: both create paths fail with exit 1 and MESSAGE (one line), nothing left.
refused() {
	local want=$1
	run ct --show-chain create -b "$B" "$ID"
	assert_failure 1
	assert_output --regexp '^ctrun: (create: )?config\.json[:]'
	assert_output --partial "$want"
	assert_equal "${#lines[@]}" 1
	assert_nothing_left
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output --regexp '^ctrun: (create: )?config\.json[:]'
	assert_output --partial "$want"
	assert_equal "${#lines[@]}" 1
	assert_nothing_left
}

# bad JQ-FILTER MESSAGE: the bundle edited by FILTER is refused with MESSAGE; then restored.
bad() {
	cp "$B/config.json" "$BATS_TEST_TMPDIR/good.json"
	ct_cfg "$B" "$1"
	refused "config.json: $2"
	cp "$BATS_TEST_TMPDIR/good.json" "$B/config.json"
}

@test "the bundle ctrun spec writes passes the checks (--show-chain validates it)" {
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	refute_output --partial "config.json"
	assert_nothing_left
}

@test "missing members: ociVersion, root.path, process, cwd, user.uid, args" {
	bad 'del(.ociVersion)' "/ociVersion: missing"
	bad 'del(.root.path)' "/root/path: missing"
	bad 'del(.process)' "/process: missing"
	bad 'del(.process.cwd)' "/process/cwd: missing"
	bad 'del(.process.user.uid)' "/process/user/uid: missing"
	bad '.process.args = []' "/process/args: empty: a program is required"
	bad 'del(.linux)' "/linux: missing"
}

@test "wrong types and values name the member" {
	bad '.process.args = "true"' "/process/args: expected an array of strings"
	bad '.process.args = ["true", 1]' "/process/args: expected an array of strings"
	bad '.process.cwd = "tmp"' "/process/cwd: 'tmp' is not an absolute path"
	bad '.ociVersion = "2.0.0"' "/ociVersion: version 2.0.0 is not supported (1.x only)"
	bad '.ociVersion = "1.0"' "/ociVersion: '1.0' is not a SemVer version"
	bad '.process.terminal = "no"' "/process/terminal: expected a boolean"
	bad '.process.oomScoreAdj = 1001' "/process/oomScoreAdj: expected an integer from -1000 to 1000"
	bad '.mounts[2].destination = "../../etc"' "/mounts/2/destination: '../../etc' has a '..' component"
	bad '.linux.maskedPaths[0] = "proc/kcore"' "/linux/maskedPaths/0: 'proc/kcore' is not an absolute path"
	bad '.hooks.prestart = [{"path": "x"}]' "/hooks/prestart/0/path: 'x' is not an absolute path"
}

@test "a pre-release ociVersion such as podman's 1.0.2-dev is accepted" {
	ct_cfg "$B" '.ociVersion = "1.0.2-dev"'
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	refute_output --partial "config.json"
	assert_nothing_left
}

@test "namespaces: unknown type, duplicate, hostname without uts, the required mount ns" {
	bad '.linux.namespaces[2].type = "foo"' "/linux/namespaces/2/type: unknown namespace type 'foo'"
	bad '.linux.namespaces += [{"type": "pid"}]' "/linux/namespaces/6: duplicate namespace type 'pid'"
	bad '.hostname = "box" | del(.linux.namespaces[] | select(.type == "uts"))' \
		"/hostname: needs a new uts namespace"
	bad 'del(.linux.namespaces[] | select(.type == "mount"))' \
		"/linux/namespaces: a mount namespace (new or joined) is required"
	bad '.linux.namespaces += [{"type": "user"}]' \
		"/linux/uidMappings: a new user namespace needs uidMappings and gidMappings"
}

@test "a namespace path that is not a namespace file, of the wrong type, or the host's mount ns" {
	bad '(.linux.namespaces[] | select(.type == "network")).path = "/etc/passwd"' \
		"/linux/namespaces/1/path: /etc/passwd is not a namespace file"
	bad '(.linux.namespaces[] | select(.type == "network")).path = "/proc/self/ns/pid"' \
		"/linux/namespaces/1/path: /proc/self/ns/pid is not a network namespace"
	# ours (ctrun's, as this shell's) and init's are the host's
	bad "(.linux.namespaces[] | select(.type == \"mount\")).path = \"/proc/$$/ns/mnt\"" \
		"/linux/namespaces/4/path: /proc/$$/ns/mnt is the host's mount namespace"
	if readlink /proc/1/ns/mnt >/dev/null; then
		bad '(.linux.namespaces[] | select(.type == "mount")).path = "/proc/1/ns/mnt"' \
			"/linux/namespaces/4/path: /proc/1/ns/mnt is the host's mount namespace"
	else # a sandbox that hides init's namespaces: a refusal all the same
		bad '(.linux.namespaces[] | select(.type == "mount")).path = "/proc/1/ns/mnt"' \
			"/linux/namespaces/4/path: cannot open /proc/1/ns/mnt"
	fi
	bad '(.linux.namespaces[] | select(.type == "network")).path = "/nonexistent"' \
		"/linux/namespaces/1/path: cannot open /nonexistent"
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	bad "(.linux.namespaces[] | select(.type == \"ipc\")).path = \"$fifo\"" \
		"/linux/namespaces/2/path: $fifo is not a namespace file"
}

@test "process rows: rlimits, capabilities, apparmor" {
	bad '.process.rlimits[0].type = "RLIMIT_FOO"' "/process/rlimits/0/type: unknown rlimit 'RLIMIT_FOO'"
	bad '.process.rlimits += [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}]' \
		"/process/rlimits/1/type: duplicate rlimit RLIMIT_NOFILE"
	bad '.process.capabilities.ambient += ["CAP_SYS_ADMIN"]' \
		"/process/capabilities/ambient: cap_sys_admin is neither permitted nor inheritable"
	if ! grep -qs Y /sys/module/apparmor/parameters/enabled; then
		bad '.process.apparmorProfile = "ctrun-test"' \
			"/process/apparmorProfile: AppArmor is not enabled on this host"
	fi
}

@test "an unknown capability is a warning and ignored, as runc 1.1" {
	ct_cfg "$B" '.process.capabilities.bounding += ["CAP_NOT_YET_INVENTED"]'
	run ct --show-chain create -b "$B" "$ID"
	assert_line --partial "warning: config.json: /process/capabilities/bounding/3: unknown capability 'CAP_NOT_YET_INVENTED' ignored"
	assert_nothing_left
}

@test "linux rows: cgroupsPath, sysctl, memory swap" {
	bad '.linux.cgroupsPath = "system.slice:ctrun:x"' \
		"/linux/cgroupsPath: 'system.slice:ctrun:x': systemd cgroups are not supported; use the cgroupfs manager"
	bad '.linux.cgroupsPath = "../../../x"' "/linux/cgroupsPath: '../../../x' climbs out with '..'"
	bad '.linux.sysctl = {"kernel.panic": "1"}' \
		"/linux/sysctl/kernel.panic: not a namespaced sysctl: it would change the host"
	bad '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | del(.linux.namespaces[1])' \
		"/linux/sysctl/net.ipv4.ip_forward: needs a network namespace"
	bad '.linux.resources.memory = {"swap": 1048576}' \
		"/linux/resources/memory/swap: a swap limit needs a memory limit"
	bad '.linux.resources.memory = {"limit": 2097152, "swap": 1048576}' \
		"/linux/resources/memory/swap: memory+swap 1048576 is below the memory limit 2097152"
}

@test "v1-only resources: refused where the controller is on cgroup v2, accepted on v1" {
	if awk -F: '$2 ~ /(^|,)memory(,|$)/' /proc/self/cgroup | grep -q .; then
		# hybrid or v1 (this host): memory is a v1 controller, swappiness is its file
		ct_cfg "$B" '.linux.resources.memory = {"swappiness": 10}'
		run ct --show-chain create -b "$B" "$ID"
		assert_success
		refute_output --partial "config.json"
		assert_nothing_left
		return
	fi
	bad '.linux.resources.memory = {"swappiness": 10}' \
		"/linux/resources/memory/swappiness: cgroup v1 only, and the memory controller is not on v1 here"
	bad '.linux.resources.cpu = {"realtimeRuntime": 10}' \
		"/linux/resources/cpu/realtimeRuntime: cgroup v1 only"
}

@test "seccomp: unknown action, arch, operator name the member" {
	bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_FOO"}' "/linux/seccomp/defaultAction"
	bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_FOO"]}' \
		"/linux/seccomp/architectures/0"
	bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"],
		"action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}' \
		"/linux/seccomp/syscalls/0/args/0/op"
}

@test "the later rows are refused: not supported yet" {
	bad '.linux.intelRdt = {"closID": "x"}' "/linux/intelRdt: not supported yet"
	bad '.process.scheduler = {"policy": "SCHED_OTHER"}' "/process/scheduler: not supported yet"
	bad '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE"}' "/process/ioPriority: not supported yet"
	bad '.process.execCPUAffinity = {"initial": "0"}' "/process/execCPUAffinity: not supported yet"
	bad '.linux.personality = {"domain": "LINUX32"}' "/linux/personality: not supported yet"
	bad '.mounts[1].options += ["tmpcopyup"]' "/mounts/1/options/4: not supported yet"
	bad '.mounts[0].options = ["idmap"]' "/mounts/0/options/0: not supported yet"
	bad '.mounts[0].uidMappings = []' "/mounts/0/uidMappings: not supported yet"
	bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}' \
		"/linux/seccomp/listenerPath: not supported yet"
	bad '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOTIFY"}' \
		"/linux/seccomp/defaultAction: not supported yet"
}

@test "rootfs: missing, or not a directory" {
	bad '.root.path = "nothere"' "/root/path: cannot open $B/nothere"
	touch "$B/afile"
	bad '.root.path = "afile"' "/root/path: $B/afile is not a directory"
	rm "$B/afile"
}

@test "hostile: a config.json of 20 MiB" {
	head -c $((20 << 20)) /dev/zero | tr '\0' ' ' >"$B/config.json"
	refused "config.json: larger than 16777216 bytes"
}

@test "hostile: 5000 nested arrays" {
	{ printf '%.0s[' {1..5000}; printf '%.0s]' {1..5000}; } >"$B/config.json"
	refused "maximum parsing depth reached near '[' (nested deeper than 2048 levels)"
	assert_output --regexp '^ctrun: (create: )?config\.json:1:[0-9]+: '
}

@test "hostile: duplicate keys, malformed JSON with its line and column" {
	sed -i '0,/"ociVersion"/s//"hostname": "a", "hostname": "b", &/' "$B/config.json"
	refused "duplicate object key"
	assert_output --regexp '^ctrun: (create: )?config\.json:[0-9]+:[0-9]+: duplicate object key'
	printf '{\n  "ociVersion": ,\n}\n' >"$B/config.json"
	refused "config.json:2:17: "
}

@test "hostile: invalid UTF-8 and \\u0000 in a path" {
	ct_cfg "$B" '.hostname = "XXHOSTXX"'
	sed -i 's/XXHOSTXX/\xff\xfe/' "$B/config.json"
	refused "unable to decode byte 0xff"
	ctrun_spec_again
	sed -i 's|"path": "rootfs"|"path": "root\\u0000fs"|' "$B/config.json"
	grep -q 'u0000' "$B/config.json"
	refused "\\u0000 is not allowed"
}

# A fresh config.json (the last test broke the old one on purpose).
ctrun_spec_again() {
	rm -f "$B/config.json"
	"$CTRUN" spec -b "$B"
	ct_cfg "$B" ".process.args = [\"/bin/true\"] | .process.terminal = false |
		.linux.cgroupsPath = \"$CT_CG\""
}
