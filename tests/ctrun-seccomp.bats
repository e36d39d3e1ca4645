#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp: compiled by ctrun (libseccomp) into ROOT/seccomp/SHA256.bpf,
# named by `--show-chain create`, reused from the cache; loaded by the tools'
# --seccomp FILE (lib/procopt_sec.c), read back from the kernel: the errno a
# system call gets (tests/helpers/trysys), Seccomp: 2 in /proc/PID/status.
# Also the other kernel-facing process options: --apparmor's refusal on a
# host without AppArmor, --console-fd's pty (runc's protocol).

load helpers
load helpers/ctrun

setup() {
	ct_setup
	require_tool "$UNSHARE_LITE" "$PIVOT" "$CTU_HELPERS/trysys" "$CTU_HELPERS/recvtty"
	B=$T/bundle
	ct_bundle "$B" /bin/true || fail "cannot make the bundle"
	TRYSYS=$CTU_HELPERS/trysys
	FIXTURES=$CTU_ROOT/tests/fixtures
}

teardown() {
	ct_teardown
}

# profile JSON: the bundle's linux.seccomp.
profile() {
	ct_cfg "$B" ".linux.seccomp = $1" || fail "cannot edit config.json"
}

# bpf_of: compiles through `ctrun --show-chain=bare create` (the full chain names the
# filter by the fd ctrun opens it as); the .bpf path in $BPF, its --seccomp-flags word
# (or "") in $FLAGS.
bpf_of() {
	run -0 ct --show-chain=bare create -b "$B" "$ID"
	BPF=$(printf '%s\n' "$output" | grep -o -- '--seccomp [^ ]*' | cut -d' ' -f2)
	FLAGS=$(printf '%s\n' "$output" | grep -o -- '--seccomp-flags [^ ]*' | cut -d' ' -f2 || true)
	[ -n "$BPF" ] || fail "no --seccomp in the chain: $output"
	[[ $BPF == "$CT_ROOT"/seccomp/*.bpf ]] || fail "not in ROOT/seccomp: $BPF"
	[ -f "$BPF" ] || fail "$BPF not made"
	[ ! -e "$CT_ROOT/$ID" ] || fail "--show-chain made $CT_ROOT/$ID"
}

# under ARGS...: trysys ARGS under the compiled filter (unshare-lite loads it).
under() {
	run -0 "$UNSHARE_LITE" --seccomp "$BPF" ${FLAGS:+--seccomp-flags "$FLAGS"} -- "$TRYSYS" "$@"
}

@test "a compiled filter denies the listed call with its errno, EPERM without errnoRet; the rest runs" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42},
		{"names": ["sync", "no_such_syscall_in_any_kernel"], "action": "SCMP_ACT_ERRNO"}]}'
	bpf_of
	# raw BPF: whole struct sock_filter entries
	[ $(($(stat -c %s "$BPF") % 8)) -eq 0 ] || fail "size $(stat -c %s "$BPF")"
	under -s getppid
	assert_line --index 0 --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --index 1 "errno 42"
	under sync
	assert_output "errno 1"
	under getpid
	assert_output --regexp '^ok [0-9]+$'
	# an unfiltered control run: the same call succeeds
	run -0 "$TRYSYS" getppid
	assert_output --regexp '^ok [0-9]+$'
}

@test "pivot --seccomp loads it last, inside the new root; --debug names the skipped syscall" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["umask", "no_such_syscall_in_any_kernel"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7}]}'
	run -0 ct --debug --show-chain create -b "$B" "$ID"
	assert_output --partial "unknown syscall no_such_syscall_in_any_kernel skipped"
	bpf_of
	cp "$TRYSYS" "$B/rootfs/bin/trysys"
	run -0 "$UNSHARE_LITE" -m --propagation private -- "$PIVOT" "$B/rootfs" --proc --seccomp "$BPF" \
		-- /bin/trysys -s umask 022
	assert_line --index 0 --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --index 1 "errno 7"
}

@test "argument filters: two arguments are ANDed, two conditions on one argument are two rules, MASKED_EQ" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 78, "args": [
			{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77, "args": [
			{"index": 0, "value": 5, "op": "SCMP_CMP_GE"}, {"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}]},
		{"names": ["umask"], "action": "SCMP_ACT_ERRNO", "errnoRet": 79, "args": [
			{"index": 0, "value": 7, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	bpf_of
	under kill 1 0
	assert_output "errno 78"
	under kill 1 99
	refute_output "errno 78"
	under personality 3
	assert_output "errno 77"
	under personality 9
	assert_output "errno 77"
	under personality 4
	refute_output "errno 77"
	under umask 022
	assert_output "errno 79"
	under umask 021
	assert_output --regexp '^ok '
}

@test "podman's default profile (ERRNO 38, x86_64/x86/x32, argument filters) compiles, loads, and busybox runs under it" {
	[ "$(uname -m)" = x86_64 ] || skip "the fixture is podman's x86_64 profile"
	profile "$(cat "$FIXTURES/seccomp-podman.json")"
	bpf_of
	run -0 "$UNSHARE_LITE" --seccomp "$BPF" -- /bin/busybox sh -c \
		'grep "^Seccomp:" /proc/self/status; ls / >/dev/null && echo listed; echo x | cat'
	assert_line --index 0 --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --index 1 listed
	assert_line --index 2 x
	under acct 0
	assert_output "errno 1"
	# not in the profile: the defaultErrnoRet
	under add_key 0 0 0
	assert_output "errno 38"
	# socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT): both arguments match, EINVAL; NETLINK_ROUTE passes
	under socket 16 3 9
	assert_output "errno 22"
	under socket 16 3 0
	assert_output --regexp '^ok '
	under personality 0xffffffff
	assert_output --regexp '^ok '
	under personality 0x40000
	assert_output "errno 38"
}

@test "the cache: the same profile (any key order) reuses ROOT/seccomp/SHA256.bpf unchanged; another gets another name" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["sync"], "action": "SCMP_ACT_ERRNO"}]}'
	bpf_of
	first=$BPF
	[ "$(stat -c %a "$CT_ROOT/seccomp")" = 700 ] || fail "ROOT/seccomp mode $(stat -c %a "$CT_ROOT/seccomp")"
	touch -d @1000000000 "$first"
	profile '{"syscalls": [{"action": "SCMP_ACT_ERRNO", "names": ["sync"]}], "defaultAction": "SCMP_ACT_ALLOW"}'
	bpf_of
	assert_equal "$BPF" "$first"
	assert_equal "$(stat -c %Y "$first")" 1000000000
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["sync"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2}]}'
	bpf_of
	[ "$BPF" != "$first" ] || fail "a different profile, the same file"
	under sync
	assert_output "errno 2"
	assert_equal "$(ls "$CT_ROOT/seccomp" | wc -l)" 2
	# a damaged cache file (not whole instructions) is compiled again
	truncate -s 5 "$BPF"
	bpf_of
	[ $(($(stat -c %s "$BPF") % 8)) -eq 0 ] && [ "$(stat -c %s "$BPF")" -gt 8 ] || fail "not rewritten"
}

@test "flags: LOG and SPEC_ALLOW become --seccomp-flags log,spec-allow (TSYNC nothing) and reach the kernel" {
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}'
	bpf_of
	assert_equal "$FLAGS" "log,spec-allow"
	# the kernel took both flags with the filter
	under -s getppid
	assert_line --index 0 --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --index 1 "errno 5"
	# SPEC_ALLOW is readable where seccomp would force the SSB mitigation
	without=$("$UNSHARE_LITE" --seccomp "$BPF" -- grep '^Speculation_Store_Bypass' /proc/self/status)
	with=$("$UNSHARE_LITE" --seccomp "$BPF" --seccomp-flags spec-allow -- grep '^Speculation_Store_Bypass' /proc/self/status)
	if [[ $without == *"force mitigated"* ]]; then
		[[ $with != *"force mitigated"* ]] || fail "spec-allow did not reach the kernel: $with"
	fi
	run "$UNSHARE_LITE" --seccomp "$BPF" --seccomp-flags log,bogus -- true
	assert_failure 125
	assert_output --partial "'bogus'"
}

# bad JQ-PROFILE MESSAGE: refused by both create paths with exit 1, nothing left.
bad() {
	profile "$1"
	run ct --show-chain create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "$2"
	assert_equal "${#lines[@]}" 1
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "$2"
	[ ! -e "$CT_ROOT/$ID" ] || fail "$CT_ROOT/$ID left"
	[ -z "$(ls -A "$CT_ROOT/seccomp" 2>/dev/null)" ] || fail "a filter left: $(ls "$CT_ROOT/seccomp")"
	for h in $(ct_hierarchies); do
		[ ! -d "$h$CT_CG" ] || fail "cgroup $h$CT_CG left"
	done
}

@test "bad profiles refused by JSON pointer (exit 1, nothing left): action, arch, operator, flag, index, NOTIFY, listenerPath" {
	bad '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["b"], "action": "SCMP_ACT_ALLOW"}, {"names": ["c"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["d"], "action": "SCMP_ACT_FOO"}]}' \
		"/linux/seccomp/syscalls/3/action: unknown action SCMP_ACT_FOO"
	bad '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11"]}' \
		"/linux/seccomp/architectures/1: unknown architecture SCMP_ARCH_PDP11"
	bad '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XOR"}]}]}' \
		"/linux/seccomp/syscalls/0/args/0/op: unknown operator SCMP_CMP_XOR"
	bad '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' \
		"/linux/seccomp/syscalls/0/args/0/index: expected an integer from 0 to 5"
	bad '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}' \
		"/linux/seccomp/flags/0: unknown flag SECCOMP_FILTER_FLAG_NEW_LISTENER"
	bad '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 99999999}' \
		"/linux/seccomp/defaultErrnoRet: expected an integer from 0 to 65535"
	bad '{"defaultAction": "SCMP_ACT_NOTIFY"}' "/linux/seccomp/defaultAction: not supported yet"
	bad '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/notify.sock"}' \
		"/linux/seccomp/listenerPath: not supported yet"
	bad '{"syscalls": []}' "/linux/seccomp/defaultAction: missing"
}

@test "the loader refuses what is no BPF program (7 bytes, empty, missing): 125, the program not run" {
	printf 1234567 >"$T/seven.bpf"
	run "$UNSHARE_LITE" --seccomp "$T/seven.bpf" -- "$TRYSYS" getpid
	assert_failure 125
	assert_output --partial "not a BPF program"
	refute_output --partial "ok "
	: >"$T/empty.bpf"
	run "$UNSHARE_LITE" --seccomp "$T/empty.bpf" -- "$TRYSYS" getpid
	assert_failure 125
	refute_output --partial "ok "
	run "$UNSHARE_LITE" --seccomp "$T/missing.bpf" -- "$TRYSYS" getpid
	assert_failure 125
	assert_output --partial "missing.bpf"
}

@test "--apparmor on a host without AppArmor: 125, 'AppArmor is not enabled on this host', nothing run" {
	[ ! -e /sys/kernel/security/apparmor ] || skip "AppArmor is enabled here"
	run "$UNSHARE_LITE" --apparmor ctutils-test -- sh -c 'echo ran'
	assert_failure 125
	assert_output --partial "AppArmor is not enabled on this host"
	refute_output --partial ran
	run -0 ct features
	assert_equal "$(jq .linux.apparmor.enabled <<<"$output")" false
}

@test "--console-fd: the master arrives by SCM_RIGHTS named by the slave, which is the program's 0-2 and tty, sized" {
	run -0 timeout 20 "$CTU_HELPERS/recvtty" "$UNSHARE_LITE" -m --propagation private --preserve-fds 1 -- \
		"$PIVOT" "$B/rootfs" --proc --dev --console-fd 3 --console-size 30x100 -- \
		/bin/sh -c 'tty; stty size; readlink /proc/self/fd/0; readlink /proc/self/fd/2; ls -l /dev/console'
	# the terminal's line discipline ends lines in CR LF
	output=${output//$'\r'/}
	mapfile -t lines <<<"$output"
	assert_line --index 0 "console /dev/pts/0"
	assert_line --index 1 "/dev/pts/0"
	assert_line --index 2 "30 100"
	assert_line --index 3 "/dev/pts/0"
	assert_line --index 4 "/dev/pts/0"
	# the container's own devpts: 136:0 bound on /dev/console
	assert_line --index 5 --regexp '^c.* 136, +0 .*/dev/console$'
}

@test "ctrun run: the container's program is under the compiled filter (Seccomp: 2, the errno), after no_new_privs" {
	cp "$TRYSYS" "$B/rootfs/bin/trysys"
	profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
	ct_cfg "$B" '.process.args = ["/bin/trysys", "-s", "getppid"] | .process.capabilities.ambient = []' ||
		fail "cannot edit config.json"
	run -0 timeout 60 "$CTRUN" --root "$CT_ROOT" run -b "$B" "$ID"
	assert_line --index 0 --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --index 1 "errno 42"
	[ ! -e "$CT_ROOT/$ID" ] || fail "run left $CT_ROOT/$ID"
	assert_equal "$(ls "$CT_ROOT/seccomp" | wc -l)" 1
}
