#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun on a real pure cgroup v2 host: the container's limits read from the
# kernel's cgroup2 files, its cgroup mount, and the BPF device filter cgctl
# attaches for linux.resources.devices.  Runs in the VM of tests/vm/run
# (Debian's 6.1 kernel, cgroup2 alone at /sys/fs/cgroup); elsewhere it is not
# in the suite (tests/ctrun.bats covers the rest on both).

load ../helpers
load ../helpers/ctrun

setup() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		ctu_skip "needs a pure cgroup v2 host (tests/vm/run boots one)"
	ct_setup
	B=$T/bundle
}

teardown() {
	ct_teardown
}

@test "resources become cgroup2 limits, read back from the kernel" {
	ct_bundle "$B"
	ct_cfg "$B" '.linux.resources = {memory: {limit: 67108864, reservation: 33554432,
		swap: 100663296}, pids: {limit: 32}, cpu: {quota: 50000, period: 100000, shares: 1024}}'
	ct_bg create -b "$B" "$ID"
	d=/sys/fs/cgroup$CT_CG
	[ "$(cat "$d/memory.max")" = 67108864 ]
	[ "$(cat "$d/memory.low")" = 33554432 ]
	# OCI's swap is memory + swap; cgroup2's swap.max is the swap alone
	[ "$(cat "$d/memory.swap.max")" = 33554432 ]
	[ "$(cat "$d/pids.max")" = 32 ]
	[ "$(cat "$d/cpu.max")" = "50000 100000" ]
	# runc's and crun's mapping of 1024 shares
	[ "$(cat "$d/cpu.weight")" = 39 ]
	# memory+swap must stay above the limit (runc's rule): both change
	run ct update --memory 134217728 --memory-swap 201326592 --pids-limit 64 "$ID"
	assert_success
	[ "$(cat "$d/memory.max")" = 134217728 ]
	[ "$(cat "$d/memory.swap.max")" = 67108864 ]
	[ "$(cat "$d/pids.max")" = 64 ]
	run ct delete "$ID"
	assert_success
	[ ! -d "$d" ]
}

@test "the container sees its own cgroup as /sys/fs/cgroup, a cgroup2 mount of its namespace" {
	ct_bundle "$B" sh -c 'cat /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo'
	run ct run -b "$B" "$ID"
	assert_success
	assert_line --index 0 "0::/"
	assert_line --index 1 --regexp ' /sys/fs/cgroup ro,.* - cgroup2 '
}

@test "linux.resources.devices is a BPF device filter: a device not allowed cannot be opened" {
	# c 240:0 is a major for local use: no driver, so an allowed open fails with
	# ENXIO and a denied one with EPERM
	ct_bundle "$B" sh -c 'head -c1 /dev/zero >/dev/null && echo zero-ok; true </dev240'
	# a node of the image itself, not one of linux.devices (whose nodes runc allows)
	mknod -m 0666 "$B/rootfs/dev240" c 240 0
	ct_cfg "$B" '.linux.resources.devices = [{allow: false, access: "rwm"}]'
	run ct run -b "$B" "$ID"
	assert_line --index 0 zero-ok
	assert_line --index 1 --partial "can't open /dev240: Operation not permitted"
	# the same with a rule that allows it: past the filter, to the missing driver
	ct_cfg "$B" '.linux.resources.devices += [{allow: true, type: "c", major: 240, minor: 0, access: "r"}]'
	run ct run -b "$B" "$ID"
	assert_line --index 1 --partial "can't open /dev240: No such device"
}

@test "v1-only resources are refused: no controller is on cgroup v1 here" {
	ct_bundle "$B"
	ct_bad '.linux.resources.memory = {"swappiness": 10}' \
		"/linux/resources/memory/swappiness: cgroup v1 only, and the memory controller is not on v1 here"
	ct_bad '.linux.resources.cpu = {"realtimeRuntime": 10}' \
		"/linux/resources/cpu/realtimeRuntime: cgroup v1 only"
}

@test "an apparmorProfile on a host without AppArmor is refused before anything is made" {
	[ ! -e /sys/kernel/security/apparmor ] || skip "this host has AppArmor"
	ct_bundle "$B"
	ct_cfg "$B" '.process.apparmorProfile = "ctu-test"'
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "AppArmor"
	[ ! -e "$CT_ROOT/$ID" ]
	[ ! -d "/sys/fs/cgroup$CT_CG" ]
}
