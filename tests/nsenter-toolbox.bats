#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite --toolbox[=DIR]: host programs inside a busybox container
# made by the ctutils chain, in a private copy of its mount namespace that
# the container never sees (terminals-debug.md, Part 2).

load helpers
load helpers/toolbox-container

setup() {
	require_root
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE" "$PIVOT" "$CTU_BUILD/hostexec"
	T=$(ctu_tmpdir)
}

@test "host strace and busybox run in the container; its ls / and both mountinfos never change" {
	require_cmd strace
	toolbox_start_container
	before=$(toolbox_mountinfo)
	run "$NSENTER_LITE" -t "$TARGET" --toolbox strace -f -o /dev/null /bin/true
	assert_success
	run "$NSENTER_LITE" -t "$TARGET" --toolbox busybox ls /
	assert_success
	run "$NSENTER_LITE" -t "$TARGET" --toolbox ls -a /
	assert_success
	for entry in . .. .ctutils bin dev etc proc root sbin sys tmp usr var run; do
		assert_line "$entry"
	done
	[ "${#lines[@]}" -eq 14 ]
	# the container's own processes see none of it
	run "$NSENTER_LITE" -t "$TARGET" -a test ! -e /.ctutils
	assert_success
	run "$NSENTER_LITE" -t "$TARGET" -a ls -a /
	refute_line .ctutils
	# during: a toolbox program still running
	"$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'echo up >/tmp/ctu-toolbox-up; exec sleep 60' &
	ctu_cleanup_add pid "$!"
	tb=$!
	ctu_wait_for_file "$T/root/tmp/ctu-toolbox-up" || fail "the toolbox program did not start"
	during=$(toolbox_mountinfo)
	kill "$tb"
	wait "$tb" || true
	after=$(toolbox_mountinfo)
	[ "$before" = "$during" ] ||
		fail "mountinfo changed while the toolbox ran: $(diff <(echo "$before") <(echo "$during"))"
	[ "$before" = "$after" ] ||
		fail "mountinfo changed after the toolbox ran: $(diff <(echo "$before") <(echo "$after"))"
}

@test "the new root is read-only: EROFS under /.ctutils/host and for a new /x; /etc writes reach the container" {
	toolbox_start_container
	run "$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'touch /.ctutils/host/ctu-x 2>&1; touch /x 2>&1; touch /.ctutils/bin/ctu-x 2>&1; echo toolbox-wrote >/etc/ctu-from-toolbox'
	assert_success
	assert_line --index 0 --partial "Read-only file system"
	assert_line --index 1 --partial "Read-only file system"
	assert_line --index 2 --partial "Read-only file system"
	[ ! -e /usr/ctu-x ]
	run "$NSENTER_LITE" -t "$TARGET" -a cat /etc/ctu-from-toolbox
	assert_success
	assert_output toolbox-wrote
	run "$NSENTER_LITE" -t "$TARGET" -a test ! -e /x
	assert_success
}

@test "the toolbox layout: bin links to the helper, the conf, the host's /usr, no host /etc" {
	toolbox_start_container
	run "$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'readlink /.ctutils/bin/ls; ls /.ctutils/lib; test -d /.ctutils/host/usr/bin && echo has-usr; test -e /.ctutils/host/etc || echo no-etc'
	assert_success
	assert_output "../lib/hostexec
hostexec
hostexec.conf
has-usr
no-etc"
	run "$NSENTER_LITE" -t "$TARGET" --toolbox cat /.ctutils/lib/hostexec.conf
	assert_success
	assert_line "bin /.ctutils/host/usr/bin"
	assert_line --regexp '^lib /\.ctutils/host/(usr/)?lib/'
}

@test "program lookup: a bare name from the toolbox first, a path as given, PATH with /.ctutils/bin last" {
	toolbox_start_container
	run "$NSENTER_LITE" -t "$TARGET" --toolbox ls --version
	assert_success
	assert_line --index 0 --partial "GNU coreutils"
	# a path: the container's own busybox ls, which has no --version
	run "$NSENTER_LITE" -t "$TARGET" --toolbox /bin/ls --version
	assert_failure
	refute_output --partial "GNU coreutils"
	run "$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'echo "$PATH"; echo "$TERMINFO_DIRS"'
	assert_success
	assert_line --index 0 "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/.ctutils/bin"
	assert_line --index 1 --regexp '^/\.ctutils/host/'
	run "$NSENTER_LITE" -t "$TARGET" -e --toolbox sh -c 'echo "$PATH"'
	assert_success
	assert_output "/bin:/ctu-container-path:/.ctutils/bin"
	# a #! script of the host's, with the toolbox's interpreter
	if [ "$(head -c 9 /usr/bin/which 2>/dev/null)" = '#! /bin/s' ] ||
		[ "$(head -c 8 /usr/bin/which 2>/dev/null)" = '#!/bin/s' ]; then
		run "$NSENTER_LITE" -t "$TARGET" --toolbox which busybox
		assert_success
		assert_output /bin/busybox
	fi
	run -127 "$NSENTER_LITE" -t "$TARGET" --toolbox ctu-no-such-program
	assert_output --partial "ctu-no-such-program"
}

@test "no program: the host's \$SHELL by name from the toolbox, else sh; the target's cwd" {
	require_cmd bash
	toolbox_start_container -- -w /tmp
	run env SHELL=/some/where/bash "$NSENTER_LITE" -t "$TARGET" --toolbox <<<'echo "$BASH_VERSION"; pwd'
	assert_success
	assert_line --index 0 "$(bash -c 'echo "$BASH_VERSION"')"
	assert_line --index 1 /tmp
	run env SHELL=/ctu/no-such-shell "$NSENTER_LITE" -t "$TARGET" --toolbox <<<'echo "[$BASH_VERSION]"; readlink /.ctutils/bin/sh'
	assert_success
	assert_line --index 0 "[]"
	assert_line --index 1 ../lib/hostexec
}

@test "all the target's other namespaces are entered: pid, net, uts, ipc, cgroup" {
	toolbox_start_container -n -u -i -C --hostname ctu-tb
	# through one setns(pidfd), and through util-linux's two passes
	for nopidfd in 0 1; do
		for ns in pid net uts ipc cgroup; do
			run env CTU_NSENTER_NO_PIDFD=$nopidfd "$NSENTER_LITE" -t "$TARGET" --toolbox \
				readlink "/proc/self/ns/$ns"
			assert_success
			assert_output "$ns:[$(ctu_ns_inode "$TARGET" "$ns")]"
		done
	done
	run "$NSENTER_LITE" -t "$TARGET" --toolbox hostname
	assert_output ctu-tb
	# a mount namespace of its own: neither ours nor the container's
	run "$NSENTER_LITE" -t "$TARGET" --toolbox readlink /proc/self/ns/mnt
	refute_output "mnt:[$(ctu_ns_inode "$TARGET" mnt)]"
	refute_output "$(readlink /proc/self/ns/mnt)"
	run "$NSENTER_LITE" -t "$TARGET" --toolbox cat /proc/1/comm
	assert_output sleep
}

@test "a target with a user namespace (unshare-lite -r): root inside, host tools run" {
	require_cmd strace
	toolbox_start_container -r
	run "$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'id -u; readlink /proc/self/ns/user; strace -o /dev/null /bin/true && echo traced'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 "user:[$(ctu_ns_inode "$TARGET" user)]"
	assert_line --index 2 traced
	# the container's root cannot remount what the toolbox holds
	run "$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'mount -o remount,rw /.ctutils/host/usr 2>&1 || echo refused'
	assert_line refused
}

@test "a target with a read-only root (pivot --readonly)" {
	toolbox_start_container -- --readonly
	run "$NSENTER_LITE" -t "$TARGET" --toolbox sh -c 'ls /etc/passwd; touch /etc/ctu-x 2>&1'
	assert_line --index 0 /etc/passwd
	assert_line --index 1 --partial "Read-only file system"
}

@test "--toolbox=DIR holding only a static busybox" {
	toolbox_start_container
	mkdir -p "$T/tools/bin" "$T/tools/libexec"
	cp "$(command -v busybox)" "$T/tools/bin/busybox"
	# a script whose interpreter only the toolbox has
	printf '#!/bin/busybox sh\necho "script $1"\n' >"$T/tools/bin/ctu-script"
	printf '#!/libexec/busybox sh\necho "toolbox interpreter $1"\n' >"$T/tools/bin/ctu-script2"
	ln "$T/tools/bin/busybox" "$T/tools/libexec/busybox"
	chmod 0755 "$T/tools/bin/ctu-script" "$T/tools/bin/ctu-script2"
	run "$NSENTER_LITE" -t "$TARGET" --toolbox="$T/tools" busybox ls /.ctutils/bin /.ctutils/host
	assert_success
	assert_output "/.ctutils/bin:
busybox
ctu-script
ctu-script2

/.ctutils/host:
bin
libexec"
	run "$NSENTER_LITE" -t "$TARGET" --toolbox="$T/tools" ctu-script2 arg
	assert_success
	assert_output "toolbox interpreter arg"
	run "$NSENTER_LITE" -t "$TARGET" --toolbox="$T/tools" ctu-script one
	assert_output "script one"
	# strace is not in this toolbox, nor in the container
	run -127 "$NSENTER_LITE" -t "$TARGET" --toolbox="$T/tools" strace true
}

@test "not root: 125, nothing entered" {
	toolbox_start_container
	before=$(cat "/proc/$TARGET/mountinfo")
	run -125 run_unprivileged "$NSENTER_LITE" -t "$TARGET" --toolbox true
	assert_output "nsenter-lite: --toolbox needs root: it clones host mounts"
	[ "$before" = "$(cat "/proc/$TARGET/mountinfo")" ]
	run grep -c ctutils-toolbox /proc/self/mountinfo
	assert_output 0
}

@test "a target in our mount namespace: 125" {
	sleep 1000 &
	ctu_cleanup_add pid "$!"
	run -125 "$NSENTER_LITE" -t "$!" --toolbox true
	assert_output "nsenter-lite: process $! shares our mount namespace: run host tools directly"
}

@test "a toolbox tree holding a bound mount namespace file: 125, the ELOOP message" {
	toolbox_start_container
	mkdir -p "$T/tools/bin"
	cp "$(command -v busybox)" "$T/tools/bin/busybox"
	touch "$T/tools/mntns"
	# a mount namespace file can only be bound in an older namespace: a
	# private one here, holding a newer one's file; gone when it ends.
	# On one CPU: since 6.18 namespace ids come from per-CPU batches, so a
	# namespace made later on another CPU may have the smaller id, and the
	# kernel's loop check (which compares them) refuses the bind
	run taskset -c 0 unshare -m --propagation private sh -c '
		unshare -m sleep 1000 & child=$!
		for i in $(seq 100); do
			[ "$(readlink /proc/$child/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
			sleep 0.05
		done
		mount --bind /proc/$child/ns/mnt "$1/tools/mntns" || { kill $child; exit 99; }
		"$2" -t "$3" --toolbox="$1/tools" busybox true
		rc=$?
		kill $child
		exit $rc' sh "$T" "$NSENTER_LITE" "$TARGET"
	echo "status $status: $output"
	[ "$status" -eq 125 ]
	assert_output "nsenter-lite: --toolbox: the toolbox tree $T/tools holds a bound mount namespace file: the kernel refuses to attach it (ELOOP)"
}

@test "a bad DIR: 125 naming it; the helper run directly: 126" {
	toolbox_start_container
	run -125 "$NSENTER_LITE" -t "$TARGET" --toolbox="$T/ctu-none" true
	assert_output --partial "cannot clone $T/ctu-none"
	run -126 "$CTU_BUILD/hostexec"
	assert_output --partial "inside nsenter-lite --toolbox"
}
