#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite --container against podman 4.3's own state: a container it ran
# (--rootfs, in a private network namespace) found by its ID's prefix and
# entered; --containers agrees with podman ps.  Host only, as cni-podman.bats:
# the VM has no podman.

load helpers
load helpers/containers

setup() {
	containers_setup
}

teardown() {
	containers_teardown
}

@test "podman 4.3 (--rootfs, private netns): found by a 12-digit prefix and entered; --containers agrees with podman ps" {
	pod_setup
	run pod run -d --name "${R}pod" --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		--rootfs "$T/pbb" sleep 1000
	assert_success
	local id=${lines[-1]} pid
	pid=$(cat "$T/s/podman/vfs-containers/$id/userdata/pidfile")
	# crun's start returns once it has released the init, maybe before its exec of sleep
	for _ in $(seq 100); do
		[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 1000 " ] && break
		sleep 0.05
	done
	run nsl --container "${id:0:12}" -- sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo
		for n in net pid mnt; do readlink /proc/self/ns/$n; done'
	assert_success
	assert_line --index 0 "sleep 1000 "
	assert_line --index 1 "$(readlink "/proc/$pid/ns/net")"
	assert_line --index 2 "$(readlink "/proc/$pid/ns/pid")"
	assert_line --index 3 "$(readlink "/proc/$pid/ns/mnt")"
	run --separate-stderr nsl --containers --json
	assert_success
	local ours=$output
	run pod ps -q --no-trunc
	assert_success
	[ "$(jq -r '.containers[] | select(.source == "podman") | .id' <<<"$ours")" = "$output" ] ||
		fail "ours: $ours; podman ps: $output"
	jq -e --arg p "$pid" '.containers[0].pid == ($p | tonumber) and .containers[0].status == "running"' <<<"$ours"
}
