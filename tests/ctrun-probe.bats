#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Oracle (d) of ../shared/spec/ctrun.md: one bundle under runc, ctrun and crun
# (crun refuses hybrid-cgroup hosts: there it runs, and ctrun beside it, in a
# mount namespace without the unified hierarchy; in the pure v2 VM as it is).  A probe in the busybox root prints the capability sets,
# NoNewPrivs and Seccomp, the normalized mountinfo, hostname, id, ulimit -a,
# umask, oom_score_adj, ls -ln /dev and its open fds; the test reads the
# container's memory, pids and cpu cgroup files from the host.  The views
# must be equal but for the known differences listed (and justified) in
# helpers/probe.bash's pr_known; a difference fails with a unified diff.

load helpers
load helpers/ctrun
load helpers/probe

setup() {
	pr_setup
	B=$T/bundle
}

teardown() {
	pr_teardown
}

# The `ctrun spec` bundle (root, runc's default capabilities, no_new_privs,
# read-only root, runc's masked and read-only paths, every namespace but the
# user one), with limits read back from the kernel and rlimits not above our
# hard limits (this machine withholds CAP_SYS_RESOURCE).
default_bundle() {
	pr_bundle "$B"
	ct_cfg "$B" '.linux.resources.memory = {limit: 67108864} |
		.linux.resources.pids = {limit: 32} |
		.linux.resources.cpu = {shares: 512} |
		.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: 1024},
			{type: "RLIMIT_NPROC", soft: 512, hard: 1024},
			{type: "RLIMIT_CORE", soft: 0, hard: 4096}]'
}

# A non-root user with supplementary groups and a umask, no_new_privs, a
# reduced capability set with an ambient capability, an oom_score_adj, a
# read-only root and masked and read-only paths of our own (a file, a
# directory, a missing path, which both skip).
user_bundle() {
	pr_bundle "$B"
	printf 'probe:x:1000:1000::/tmp:/bin/sh\n' >>"$B/rootfs/etc/passwd"
	printf 'wheel:x:10:probe\nusers:x:100:probe\nprobe:x:1000:\n' >>"$B/rootfs/etc/group"
	mkdir -p "$B/rootfs/srv/secret" "$B/rootfs/var/lib"
	echo secret >"$B/rootfs/etc/secret"
	ct_cfg "$B" '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 100], umask: 23} |
		.process.noNewPrivileges = true |
		.process.oomScoreAdj = 100 |
		.process.capabilities = {
			bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
			effective: ["CAP_KILL"],
			permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
			inheritable: ["CAP_KILL"],
			ambient: ["CAP_KILL"]} |
		.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 256, hard: 512},
			{type: "RLIMIT_NPROC", soft: 100, hard: 200}] |
		.root.readonly = true |
		.hostname = "probe-user" |
		.linux.maskedPaths += ["/etc/secret", "/srv/secret", "/no/such/path"] |
		.linux.readonlyPaths += ["/var/lib", "/dev/shm"] |
		.linux.resources.memory = {limit: 67108864} |
		.linux.resources.pids = {limit: 32}'
}

# The limits asked for are the kernel's (v1 names on this host, v2 in the VM).
assert_limits() {
	run grep -E '^(memory\.limit_in_bytes|memory\.max|pids\.max) ' "$T/$1/cgroup"
	assert_line --regexp '^memory\.(limit_in_bytes|max) 67108864$'
	assert_line 'pids.max 32'
}

@test "probe, ctrun spec bundle: ctrun's view equals runc's but for the known differences" {
	default_bundle
	pr_run runc "$PR_RUNC" "$B"
	pr_run ctrun "$CTRUN" "$B"
	assert_limits runc
	assert_limits ctrun
	run grep -c '^CapEff:[[:space:]]*0000000020000420$' "$T/ctrun.txt"
	assert_output 1
	pr_compare runc ctrun
}

@test "probe, ctrun spec bundle: crun's view equals ctrun's but for the known differences" {
	[ -n "$PR_CRUN" ] || skip "no crun column: $PR_CRUN_WHY"
	default_bundle
	pr_run crun "$PR_CRUN" "$B"
	pr_run ctrun "$PR_CTRUN_CRUN" "$B"
	assert_limits crun
	pr_compare crun ctrun
}

@test "probe, uid 1000 with groups, no_new_privs, reduced caps, masks: ctrun's view equals runc's" {
	user_bundle
	pr_run runc "$PR_RUNC" "$B"
	pr_run ctrun "$CTRUN" "$B"
	assert_limits ctrun
	# the settings took (so that equal views are not equally unset ones)
	run cat "$T/ctrun.txt"
	assert_line 'uid=1000(probe) gid=1000(probe) groups=10(wheel),100(users)'
	assert_line '0027'
	assert_line '100'
	assert_line --regexp '^CapAmb:[[:space:]]+0000000000000020$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line --regexp '^/etc/secret tmpfs '
	assert_line --regexp '^/srv/secret tmpfs ro,'
	assert_line --regexp '^/var/lib ext4 ro,'
	assert_line --regexp '^/dev/shm tmpfs ro,'
	pr_compare runc ctrun
}

@test "probe, uid 1000 with groups, no_new_privs, reduced caps, masks: crun's view equals ctrun's" {
	[ -n "$PR_CRUN" ] || skip "no crun column: $PR_CRUN_WHY"
	user_bundle
	pr_run crun "$PR_CRUN" "$B"
	pr_run ctrun "$PR_CTRUN_CRUN" "$B"
	pr_compare crun ctrun
}

# Known difference: poststart hooks.  runtime.md: they run "after the
# user-specified process is executed but before the start operation returns",
# and "If any poststart hook fails, the runtime MUST log a warning, but the
# remaining hooks and lifecycle continue as if the hook had succeeded": ctrun
# does so.  runc 1.1 runs them within create (libcontainer's start(), the
# state saying "created"), and a failing one fails create and kills the init.
@test "known difference: a failing poststart hook fails runc 1.1's create; ctrun's start warns and the container runs on" {
	ct_bundle "$B"
	ct_cfg "$B" '.hooks.poststart = [{path: "/bin/false"}]'
	PR_NAMES+=(runc ctrun)
	ct_cfg "$B" ".linux.cgroupsPath = \"$CT_CG/runc\""
	run "$PR_RUNC" --root "$T/runc.root" create -b "$B" "$ID-runc" </dev/null
	assert_failure
	assert_output --partial "error running hook #0"
	run "$PR_RUNC" --root "$T/runc.root" state "$ID-runc"
	assert_failure
	# ctrun: create is not concerned; start warns, exits 0, the program runs
	ct_cfg "$B" ".linux.cgroupsPath = \"$CT_CG/ctrun\""
	"$CTRUN" --root "$T/ctrun.root" create -b "$B" "$ID-ctrun" </dev/null >/dev/null 2>"$T/ctrun.err" ||
		fail "ctrun: create failed: $(cat "$T/ctrun.err")"
	run "$CTRUN" --root "$T/ctrun.root" start "$ID-ctrun"
	assert_success
	assert_output --partial poststart
	run "$CTRUN" --root "$T/ctrun.root" state "$ID-ctrun"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	"$CTRUN" --root "$T/ctrun.root" delete --force "$ID-ctrun"
}
