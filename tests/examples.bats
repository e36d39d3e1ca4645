#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every example runs to the end, says what it should, and leaves nothing
# behind: no mount, interface, named netns, cgroup or tmpfs directory.

load helpers

setup() {
	require_root
	require_tool "$UNSHARE_LITE" "$NSENTER_LITE" "$CGCTL" "$OVLMOUNT" "$VETHCTL" "$PIVOT"
	export CTU_BIN=$CTU_BUILD
	export CTU_ROOTFS=$BATS_FILE_TMPDIR/rootfs
	[ -x "$CTU_ROOTFS/bin/busybox" ] || "$CTU_ROOT/scripts/make-rootfs" "$CTU_ROOTFS"
	# the runtime directories stay once made, as /run/netns does after `ip
	# netns`: what must not be left is anything in them
	mkdir -p /run/ctutils/ovlmount /run/netns
	ctu_state_save /run/ctutils /run/netns
}

# The narration is the product: no job report of bash in it ("line 18: 4076
# Killed  cgctl ...", "[1]+ Done ...") when a step ends a program.
refute_job_noise() {
	local noise
	noise=$(grep -E 'Killed|Terminated|Done|^\[[0-9]+\]' <<<"$output") || return 0
	fail "$1: bash's job reports in the narration: $noise"
}

example() {
	run timeout 120 "$CTU_ROOT/examples/$1"
	[ "$status" -eq 0 ] || fail "$1 exited $status: $output"
	refute_job_noise "$1"
	assert_state_unchanged
}

@test "container.sh (make demo): the whole container, every step, no job noise, nothing left" {
	example container.sh
	for n in 1 2 3 4 5 6 7 8; do assert_output --partial "== $n. "; done
	assert_output --partial "inside: hostname is box"
	assert_output --regexp "64 bytes from 10\.[0-9]+\.[0-9]+\.1"
	assert_output --partial "inside: my memory limit: 67108864 bytes"
	assert_output --regexp "A +/root/hello"
	assert_output --regexp " +1 unshare-init"
	assert_output --partial "nothing left behind"
}

@test "container.sh --rootfs takes another root filesystem" {
	cp -a "$CTU_ROOTFS" "$BATS_TEST_TMPDIR/other"
	echo "another rootfs" >"$BATS_TEST_TMPDIR/other/etc/motd"
	run timeout 120 "$CTU_ROOT/examples/container.sh" --rootfs "$BATS_TEST_TMPDIR/other"
	assert_success
	assert_output --partial "lower      1 $BATS_TEST_TMPDIR/other"
	refute_job_noise "container.sh --rootfs"
	assert_state_unchanged
}

@test "01: chroot can be escaped, pivot cannot" {
	example 01-chroot-vs-pivot.sh
	assert_line "ESCAPED: the host root is reachable through /proc/$(grep -o 'proc/[0-9]*/root' <<<"$output" | head -n1 | cut -d/ -f2)/root"
	assert_line "CONTAINED: no host process, no host root"
}

@test "02: each namespace on its own" {
	example 02-namespaces.sh
	assert_line box
	assert_output --regexp '1: lo:'
	assert_output --regexp ' +1 ps'
	assert_line "outside: 0 such mount"
}

@test "03: cgroups hold CPU near 5% and kill the memory hog" {
	example 03-cgroups.sh
	# far below the 100% of an unlimited loop; under emulation (the VM suite,
	# tests/vm) starting the programs in the cgroup costs more: 12% seen there,
	# so below 30%
	assert_output --regexp 'CPU used in 2 s: [0-9]+ ms \(about ([1-9]|[12][0-9])%\)'
	assert_output --partial "exit status 137"
	assert_output --regexp 'memory.events.oom_kill +[1-9]'
}

@test "04: overlay copy-up, whiteout, opaque dir and the diff" {
	example 04-overlay.sh
	assert_output --regexp 'R +/cache'
	assert_output --regexp 'C +/config'
	assert_output --regexp 'D +/motd'
	assert_output --regexp 'A +/new-file'
	assert_output --partial "base config still: base config"
}

@test "05: two containers on a bridge ping each other" {
	example 05-bridge.sh
	[ "$(grep -c ' 0% packet loss' <<<"$output")" -eq 2 ]
}

@test "06: debugging a running container by joining it" {
	example 06-debug.sh
	assert_line box
	assert_line "APP_MODE=debug-me"
	assert_output --regexp ' +1 sleep'
	# found by name, a recycled PID refused, the host's strace in a busybox
	# root that saw nothing change, and its own namespaces inspected
	assert_output --regexp 'ctutils web +[0-9]+ [0-9]+@[0-9]+ running'
	assert_output --regexp 'is not [0-9]+@[0-9]+ \(it started at [0-9]+\): the PID was reused'
	assert_output --partial 'execve("/bin/busybox", ["/bin/busybox", "true"]'
	assert_line ". .. .ctutils bin dev etc proc root run sbin sys tmp usr var "
	assert_line "no /.ctutils in the container"
	assert_line --regexp '^container +ctutils web$'
	assert_line --partial '"own":["ipc","uts","net","pid","mnt"]'
}

@test "07: rootless: root inside, the user outside" {
	example 07-rootless.sh
	assert_output --partial "inside: uid 0, pid 1"
	assert_output --regexp "65534 +65534 .* rootless"
}

@test "08: a persistent named netns shared by two programs" {
	example 08-netns.sh
	assert_output --partial "1 packets transmitted, 1 received"
	assert_output --regexp 'lo: <LOOPBACK,UP'
}

@test "09: an image's layers, config and argv run as a container" {
	require_cmd umoci jq
	example 09-image.sh
	assert_output --partial "hello from the image, I am pid 1 in /srv"
	assert_output --partial "served from the image's /srv"
	assert_output --partial "the container ran the image's argv in its working directory, with only its environment"
	assert_output --regexp 'LAYER +DIFF-ID'
}

@test "10: a published port reached through the host's address, 127.0.0.1 and from outside" {
	# a kernel without nf_tables (the VM's has no modules): vethctl refuses, saying so
	if ! "$CTU_BUILD/unshare-lite" -n -- sh -c 'command -v nft >/dev/null && nft list tables' \
		>/dev/null 2>&1; then
		run "$CTU_BUILD/unshare-lite" -n -- "$CTU_BUILD/vethctl" nat ls
		assert_failure 1
		assert_output --partial "vethctl: nftables not usable in "
		return
	fi
	example 10-ports.sh
	[ "$(grep -c '^hello from the container$' <<<"$output")" -eq 3 ]
	assert_output --partial "1 packets transmitted, 1 received"
	assert_output --regexp '\* +8080 +tcp +10\.[0-9]+\.[0-9]+\.2:80 +veth:'
	assert_line "port 8080 no longer answers"
}

@test "11: a terminal of the container's own, fed by a pipe, joined by nsenter-lite --pty" {
	example 11-terminal.sh
	assert_line "inside: my terminal is /dev/pts/0, 24 80 (rows columns)"
	assert_line "40 132"
	assert_line "hello from /dev/pts/0"
	assert_line "exit status 3"
	assert_line "exit status 143 (128 + SIGTERM)"
	assert_line "joined: my terminal is /dev/pts/1; PID 1 has /dev/pts/0"
}
