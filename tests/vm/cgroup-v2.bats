#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgctl on a real pure cgroup v2 host: what tests/cgctl.bats can only show on
# a fake tree on a hybrid host.  Runs in the VM of tests/vm/run (Debian's 6.1
# kernel, cgroup2 alone at /sys/fs/cgroup); elsewhere it is not in the suite.
# Each test reads the kernel's own interface files, never cgctl's word.
# Freezing is checked by tests/cgctl.bats, which the VM runs too.

load ../helpers

setup() {
	require_root
	require_tool "$CGCTL"
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		ctu_skip "needs a pure cgroup v2 host (tests/vm/run boots one)"
	T=$(ctu_tmpdir)
	CG=$(ctu_name v2)
	G=("$CGCTL" --self)
	# our own cgroup: cgroups are made only below it
	OWN=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
	OWN=${OWN%/}
	D=$OWN/$CG
}

teardown() {
	"$CGCTL" --self delete -r --kill "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

# sleeper CGROUP: a process in CGROUP (made by cgctl exec), its pid in $SLEEPER
sleeper() {
	"${G[@]}" exec "$1" -- sleep 1000 >/dev/null 2>&1 3>&- &
	SLEEPER=$!
	ctu_cleanup_add pid "$SLEEPER"
	for _ in $(seq 50); do
		grep -qx "$SLEEPER" "$OWN/$1/cgroup.procs" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the sleeper never reached $1"
}

@test "create enables exactly the controllers the settings need, in every ancestor" {
	run "${G[@]}" create "$CG/a/b" --pids 5
	assert_success
	grep -qw pids "$OWN/cgroup.subtree_control"
	[ "$(cat "$D/cgroup.subtree_control")" = pids ]
	[ "$(cat "$D/a/cgroup.subtree_control")" = pids ]
	[ -z "$(cat "$D/a/b/cgroup.subtree_control")" ]
	[ "$(cat "$D/a/b/pids.max")" = 5 ]
	[ ! -e "$D/a/b/memory.max" ]
	# a later setting enables its controller the same way, root down
	"${G[@]}" set "$CG/a/b" --memory 64M --cpus 0.5
	[ "$(cat "$D/cgroup.subtree_control")" = "cpu memory pids" ]
	[ "$(cat "$D/a/cgroup.subtree_control")" = "cpu memory pids" ]
	[ "$(cat "$D/a/b/memory.max")" = 67108864 ]
	[ "$(cat "$D/a/b/cpu.max")" = "50000 100000" ]
	# v2 values stay v2: "max", never -1
	"${G[@]}" set "$CG/a/b" --memory max --pids max
	[ "$(cat "$D/a/b/memory.max")" = max ]
	[ "$(cat "$D/a/b/pids.max")" = max ]
}

@test "the 'no internal processes' rule: the kernel's refusal explained, nothing left" {
	"${G[@]}" create "$CG"
	sleeper "$CG"
	ctu_state_save
	run -1 "${G[@]}" create "$CG/leaf" --memory 10M
	assert_output --partial "cgctl: cannot enable memory below $D: it has processes ($SLEEPER)"
	assert_output --partial "'no internal processes' rule"
	assert_output --partial "(mkdir $D/init; echo PID > $D/init/cgroup.procs)"
	assert_state_unchanged
	# the kernel agrees: it refuses the same write itself
	run bash -c "echo +memory >'$D/cgroup.subtree_control'"
	assert_failure
	assert_output --partial "Device or resource busy"
	# the fix the message gives works
	mkdir "$D/init"
	echo "$SLEEPER" >"$D/init/cgroup.procs"
	run "${G[@]}" create "$CG/leaf" --memory 10M
	assert_success
	[ "$(cat "$D/leaf/memory.max")" = 10485760 ]
	# and moving a process into a cgroup that now has children with controllers is refused
	run -1 "${G[@]}" attach "$CG" "$SLEEPER"
	assert_output --partial "cgctl: cannot move $SLEEPER into $CG ($D): the cgroup v2 'no internal processes' rule"
}

@test "a threaded subtree: domain controllers are refused with the reason" {
	"${G[@]}" create "$CG/t"
	echo threaded >"$D/t/cgroup.type"
	[ "$(cat "$D/cgroup.type")" = "domain threaded" ]
	ctu_state_save
	run -1 "${G[@]}" create "$CG/d" --memory 10M
	assert_output --partial "cgctl: cannot enable memory in $D"
	assert_output --partial "threaded"
	assert_state_unchanged
	# a threaded controller is fine there
	run "${G[@]}" create "$CG/t/u" --pids 3
	assert_success
	[ "$(cat "$D/t/u/pids.max")" = 3 ]
}

@test "memory.max: a process past it is OOM-killed, and memory.events counts it" {
	run -137 "${G[@]}" exec "$CG" --memory 32M --swap 0 -- tail /dev/zero
	[ "$(cat "$D/memory.max")" = 33554432 ]
	[ "$(cat "$D/memory.swap.max")" = 0 ]
	grep -Eq '^oom_kill [1-9]' "$D/memory.events"
	# the peak stayed at the limit
	[ "$(cat "$D/memory.peak" 2>/dev/null || echo 0)" -le 33554432 ]
	run "${G[@]}" stat "$CG"
	assert_line --regexp "^memory.events.oom_kill +$(awk '$1 == "oom_kill" {print $2}' "$D/memory.events")\$"
}

@test "pids.max: forks past the limit fail, pids.events counts them" {
	"${G[@]}" create "$CG" --pids 8
	# the shell and 19 sleeps would be 20 tasks: the shell's 8th fork fails
	# and it gives up; the sleeps it started outlive it
	run "${G[@]}" exec "$CG" -- sh -c 'for i in $(seq 19); do sleep 3 & done; exit 0'
	assert_failure
	assert_output --partial "fork"
	[ "$(cat "$D/pids.max")" = 8 ]
	current=$(cat "$D/pids.current")
	[ "$current" -ge 1 ] && [ "$current" -le 8 ]
	grep -Eq '^max [1-9]' "$D/pids.events"
	"${G[@]}" kill "$CG"
	"${G[@]}" wait --timeout 10 "$CG"
	[ "$(cat "$D/pids.current")" = 0 ]
}

@test "cpu.max: a busy loop is throttled, cpu.stat shows it" {
	run "${G[@]}" exec "$CG" --cpus 0.1 -- timeout 2 sh -c 'while :; do :; done'
	[ "$(cat "$D/cpu.max")" = "10000 100000" ]
	usage=$(awk '$1 == "usage_usec" {print $2}' "$D/cpu.stat")
	throttled=$(awk '$1 == "nr_throttled" {print $2}' "$D/cpu.stat")
	# 2 s at 10% of one CPU: about 200 ms of CPU time, far from 2 s
	[ "$usage" -gt 50000 ] && [ "$usage" -lt 700000 ]
	[ "$throttled" -gt 0 ]
}

@test "kill uses cgroup.kill: every process of the subtree dies, forkers too" {
	"${G[@]}" create "$CG/child"
	# a forker: children that would escape a signal sent pid by pid
	"${G[@]}" exec "$CG" -- sh -c 'while :; do sleep 1000 & sleep 0.01; done' >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	sleeper "$CG/child"
	sleep 0.5
	[ "$(cat "$D/pids.current" 2>/dev/null || wc -l <"$D/cgroup.procs")" -gt 0 ]
	run strace -f -e trace=openat -o "$T/trace" "$CGCTL" --self kill -r "$CG"
	assert_success
	grep -q "$D/cgroup.kill" "$T/trace"
	run "${G[@]}" wait --timeout 5 "$CG"
	assert_success
	grep -qx 'populated 0' "$D/cgroup.events"
	grep -qx 'populated 0' "$D/child/cgroup.events"
	run kill -0 "$SLEEPER"
	assert_failure
}

@test "delete --kill of a populated tree waits for populated 0, then removes it" {
	"${G[@]}" create "$CG/a/b"
	sleeper "$CG/a/b"
	ctu_state_save
	run -1 "${G[@]}" delete -r "$CG"
	assert_output --partial "cgctl: cgroup $CG has processes ($SLEEPER)"
	assert_state_unchanged
	run "${G[@]}" delete -r --kill "$CG"
	assert_success
	[ ! -e "$D" ]
	run kill -0 "$SLEEPER"
	assert_failure
}
