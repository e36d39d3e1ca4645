#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The test harness itself: names, teardown registry, "nothing left behind",
# fd listing and the unprivileged runner must work, or every other test lies.

load helpers

@test "ctu_name is unique per test, per run, and fits an interface name" {
	n=$(ctu_name veth)
	[ ${#n} -le 15 ]
	[[ $n == ct${CTU_RUN_ID}* ]]
	[ "$(ctu_name a)" != "$(ctu_name b)" ]
}

@test "list-fds shows exactly the fds a program inherits" {
	run run_clean_fds "$CTU_HELPERS/list-fds"
	assert_success
	assert_output "0 1 2"
	run run_clean_fds bash -c "exec 7</dev/null; exec '$CTU_HELPERS/list-fds'"
	assert_output "0 1 2 7"
}

@test "run_unprivileged runs as nobody with no groups" {
	require_root
	run run_unprivileged id -u
	assert_output "$CTU_UNPRIV_UID"
	run run_unprivileged id -G
	assert_output "$CTU_UNPRIV_GID"
}

@test "assert_state_unchanged passes when nothing changed" {
	d=$(ctu_tmpdir)
	ctu_state_save "$d"
	assert_state_unchanged
}

@test "assert_state_unchanged catches a file left behind" {
	d=$(ctu_tmpdir)
	ctu_state_save "$d"
	touch "$d/leftover"
	run assert_state_unchanged
	assert_failure
	assert_output --partial "$d/leftover"
}

@test "assert_state_unchanged catches a mount and an interface left behind" {
	require_root
	require_kernel_feature bridge
	d=$(ctu_tmpdir)
	br=$(ctu_name br)
	ctu_state_save "$d"
	mkdir "$d/m"
	mount -t tmpfs none "$d/m"
	ctu_cleanup_add mount "$d/m"
	ip link add "$br" type bridge
	ctu_cleanup_add link "$br"
	run assert_state_unchanged
	assert_failure
	assert_output --partial "$d/m"
	assert_output --partial "$br"
}

@test "the teardown registry removes mounts, links, netns, dirs and processes" {
	require_root
	require_kernel_feature bridge
	d=$(ctu_tmpdir)
	br=$(ctu_name br)
	ns=$(ctu_name ns)
	ctu_state_save "$d"
	mkdir "$d/m" "$d/gone"
	ctu_cleanup_add dir "$d/gone"
	ctu_cleanup_add dir "$d/m"
	mount -t tmpfs none "$d/m"
	ctu_cleanup_add mount "$d/m"
	ip link add "$br" type bridge
	ctu_cleanup_add link "$br"
	ip netns add "$ns"
	ctu_cleanup_add netns "$ns"
	sleep 1000 &
	pid=$!
	ctu_cleanup_add pid "$pid"
	ctu_teardown
	assert_state_unchanged
	run kill -0 "$pid"
	assert_failure
}

@test "ctu_own_cgroup_dirs lists this process's cgroups, which exist" {
	run ctu_own_cgroup_dirs
	assert_success
	[ -n "$output" ]
	while read -r d; do [ -d "$d" ]; done <<<"$output"
}

@test "ctu_skip fails instead of skipping when CTU_MUST_WORK=1" {
	CTU_MUST_WORK=1 run ctu_skip "some reason"
	assert_failure
	assert_output --partial "some reason"
}
