#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite on the real kernel: joining each namespace of a target that
# unshare-lite started, through the pidfd and through the fallback, as root
# and as an unprivileged user, and every way it can go wrong.

load helpers

setup() {
	require_root
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
}

# start_target ARGS...: a sleeping target made by unshare-lite; sets $TARGET
# (its pid, as written by --pidfile) and $OUTER (unshare-lite's pid).
start_target() {
	"$UNSHARE_LITE" --pidfile "$T/target.pid" "$@" sleep 1000 &
	OUTER=$!
	ctu_cleanup_add pid "$OUTER"
	ctu_wait_for_file "$T/target.pid" || fail "the target did not start"
	TARGET=$(cat "$T/target.pid")
	ctu_cleanup_add pid "$TARGET"
}

# Both ways in: one atomic setns(pidfd), and the per-namespace fallback.
both_paths() {
	"$@"
	CTU_NSENTER_NO_PIDFD=1 "$@"
}

@test "debugging a running container: -a sees its hostname and only its processes" {
	start_target -mnuipf --mount-proc --hostname box
	for env in CTU_NSENTER_NO_PIDFD=0 CTU_NSENTER_NO_PIDFD=1; do
		run env "$env" "$NSENTER_LITE" --pidfile "$T/target.pid" -a hostname
		assert_success
		assert_output box
		run env "$env" "$NSENTER_LITE" --pidfile "$T/target.pid" -a ps -o pid=,comm=
		assert_success
		assert_line --index 0 --regexp '^ +1 sleep$'
		assert_line --index 1 --regexp '^ +[0-9]+ ps$'
		[ "${#lines[@]}" -eq 2 ]
	done
}

@test "each namespace type alone: uts, net, ipc, pid, mount, cgroup, time" {
	start_target -mnuipCf -T --boottime 100000 --hostname ctu-uts
	check() {
		run "$NSENTER_LITE" -t "$TARGET" -u hostname
		assert_output ctu-uts
		run "$NSENTER_LITE" -t "$TARGET" -n ip -o link show
		assert_output --regexp '^1: lo:'
		[ "${#lines[@]}" -eq 1 ]
		run "$NSENTER_LITE" -t "$TARGET" -i readlink /proc/self/ns/ipc
		assert_output "ipc:[$(ctu_ns_inode "$TARGET" ipc)]"
		run "$NSENTER_LITE" -t "$TARGET" -p sh -c 'echo $$'
		[ "$output" -gt 1 ] && [ "$output" -lt 100 ]
		run "$NSENTER_LITE" -t "$TARGET" -C readlink /proc/self/ns/cgroup
		assert_output "cgroup:[$(ctu_ns_inode "$TARGET" cgroup)]"
		run "$NSENTER_LITE" -t "$TARGET" -T cut -d. -f1 /proc/uptime
		[ "$output" -gt 100000 ]
	}
	both_paths check
}

@test "mount: a mount made in the target's namespace is visible when joined" {
	start_target -m
	"$NSENTER_LITE" -t "$TARGET" -m mount -t tmpfs ctu-joined "$T"
	run grep -c ctu-joined /proc/self/mountinfo
	assert_output 0
	run "$NSENTER_LITE" -t "$TARGET" -m grep -c ctu-joined /proc/self/mountinfo
	assert_output 1
	CTU_NSENTER_NO_PIDFD=1 run "$NSENTER_LITE" -t "$TARGET" -m grep -c ctu-joined /proc/self/mountinfo
	assert_output 1
}

@test "=FILE: persistent namespaces, and a /run/netns name for --net" {
	require_cmd ip
	ctu_cleanup_add mount "$T/uts"
	"$UNSHARE_LITE" --uts="$T/uts" --hostname ctu-file true
	run "$NSENTER_LITE" --uts="$T/uts" hostname
	assert_success
	assert_output ctu-file
	run "$NSENTER_LITE" -u"$T/uts" hostname
	assert_output ctu-file
	run "$NSENTER_LITE" -u="$T/uts" hostname
	assert_output ctu-file
	ns=$(ctu_name ns)
	ip netns add "$ns"
	ctu_cleanup_add netns "$ns"
	run "$NSENTER_LITE" --net="$ns" readlink /proc/self/ns/net
	assert_success
	assert_output "net:[$(stat -L -c %i "/run/netns/$ns")]"
	run -125 "$NSENTER_LITE" --net="$T/uts" true
	assert_output "nsenter-lite: $T/uts is not a net namespace"
	run -125 "$NSENTER_LITE" --uts=/etc/hostname true
	assert_output "nsenter-lite: /etc/hostname is not a namespace file"
	run -125 "$NSENTER_LITE" --net=ctu-no-such-netns true
	assert_output "nsenter-lite: no such network namespace: ctu-no-such-netns"
}

@test "-a into a process in our own namespaces enters nothing and runs" {
	sleep 1000 &
	ctu_cleanup_add pid $!
	run "$NSENTER_LITE" -t $! -a readlink /proc/self/ns/user /proc/self/ns/net
	assert_success
	assert_line --index 0 "$(readlink /proc/self/ns/user)"
	assert_line --index 1 "$(readlink /proc/self/ns/net)"
}

@test "user namespace as an unprivileged user: both paths" {
	require_kernel_feature userns
	chmod 0777 "$T"
	run_unprivileged "$UNSHARE_LITE" -r -n -u --hostname ctu-rootless --pidfile "$T/target.pid" sleep 1000 &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/target.pid"
	TARGET=$(cat "$T/target.pid")
	ctu_cleanup_add pid "$TARGET"
	for env in CTU_NSENTER_NO_PIDFD=0 CTU_NSENTER_NO_PIDFD=1; do
		run run_unprivileged env "$env" "$NSENTER_LITE" -t "$TARGET" -U -n -u sh -c 'id -u; hostname; ip -o link | wc -l'
		assert_success
		assert_line --index 0 0
		assert_line --index 1 ctu-rootless
		assert_line --index 2 1
		run run_unprivileged env "$env" "$NSENTER_LITE" -t "$TARGET" -a id -u
		assert_success
		assert_output 0
	done
	# without the user namespace the others cannot be entered
	run -125 run_unprivileged "$NSENTER_LITE" -t "$TARGET" -n true
	assert_output --partial "nsenter-lite: cannot enter the"
	assert_output --partial "Operation not permitted"
	# root enters a deprivileged container: the user ns is entered last
	run "$NSENTER_LITE" -t "$TARGET" -a --preserve-credentials hostname
	assert_success
	assert_output ctu-rootless
}

@test "a PID we may not enter: the error names it, nothing is run" {
	run -125 run_unprivileged "$NSENTER_LITE" -t 1 -n touch "$T/ran"
	assert_output --partial "nsenter-lite: cannot enter the namespaces of process 1: Operation not permitted"
	run -125 run_unprivileged env CTU_NSENTER_NO_PIDFD=1 "$NSENTER_LITE" -t 1 -n touch "$T/ran"
	assert_output --partial "nsenter-lite: cannot enter the net namespace of process 1"
	[ ! -e "$T/ran" ]
}

@test "a nonexistent PID and a stale pid file fail with the PID named" {
	run -125 "$NSENTER_LITE" -t 2147483647 -n true
	assert_output "nsenter-lite: cannot open process 2147483647: No such process"
	sh -c 'echo $$ >"$1"' sh "$T/stale.pid"
	run -125 "$NSENTER_LITE" --pidfile "$T/stale.pid" -n true
	assert_output --partial "cannot open process $(cat "$T/stale.pid")"
	run -125 "$NSENTER_LITE" --pidfile "$T/none.pid" -n true
	assert_output "nsenter-lite: cannot read pid file $T/none.pid: No such file or directory"
	echo junk >"$T/junk.pid"
	run -125 "$NSENTER_LITE" --pidfile "$T/junk.pid" -n true
	assert_output "nsenter-lite: invalid pid file $T/junk.pid: it holds no pid"
}

@test "a target that exits between lookup and entry: no process is entered" {
	# A zombie is exactly that: its pid and /proc entry exist, its
	# namespaces are gone.  Its parent, sleep, never reaps it.
	bash -c 'sleep 0.1 & echo $! >"$1"; exec sleep 1000' bash "$T/zombie.pid" &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/zombie.pid"
	zombie=$(cat "$T/zombie.pid")
	for _ in $(seq 50); do [ "$(ps -o stat= -p "$zombie")" = Z ] && break; sleep 0.1; done
	both() {
		run -125 "$NSENTER_LITE" -t "$zombie" -n -u touch "$T/ran"
		assert_output "nsenter-lite: process $zombie has exited: nothing was entered"
		run -125 "$NSENTER_LITE" -t "$zombie" -a touch "$T/ran"
		assert_output --partial "process $zombie has exited"
	}
	both_paths both
	[ ! -e "$T/ran" ]
}

@test "exit status and signals of the program come back through the fork" {
	start_target -p -f
	run -7 "$NSENTER_LITE" -t "$TARGET" -p sh -c 'exit 7'
	run -7 "$NSENTER_LITE" -t "$TARGET" -p -F sh -c 'exit 7'
	run --separate-stderr bash -c "'$NSENTER_LITE' -t $TARGET -p sh -c 'kill -TERM \$\$'; echo \$?"
	assert_output 143
	run -127 "$NSENTER_LITE" -t "$TARGET" -p /nonexistent/ctu-prog
	assert_output --partial "nsenter-lite: failed to execute /nonexistent/ctu-prog"
	# -F: the program itself is not in the pid namespace, its children are
	run "$NSENTER_LITE" -t "$TARGET" -p -F sh -c 'sh -c "echo \$\$"'
	[ "$output" -lt 100 ]
}

@test "fd hygiene: the program sees 0 1 2 only, or what --preserve-fds passes" {
	start_target -n
	run "$NSENTER_LITE" -t "$TARGET" -n "$CTU_HELPERS/list-fds" 7</dev/null
	assert_output "0 1 2"
	run "$NSENTER_LITE" -t "$TARGET" -n -c "$CTU_HELPERS/list-fds"
	assert_output "0 1 2"
	run run_clean_fds bash -c "exec 3</dev/null 4</dev/null; exec '$NSENTER_LITE' -t $TARGET -n --preserve-fds 1 '$CTU_HELPERS/list-fds'"
	assert_output "0 1 2 3"
}

@test "-e takes the target's environment" {
	CTU_TARGET_VAR=from-target start_target -u
	run env -i PATH=/usr/bin:/bin CTU_MINE=1 "$NSENTER_LITE" -t "$TARGET" -u -e sh -c 'echo "${CTU_TARGET_VAR-}:${CTU_MINE-}"'
	assert_success
	assert_output "from-target:"
}

@test "-r and -w default to the target's root and cwd; -W is inside" {
	ctu_make_rootfs "$T/root"
	mkdir -p "$T/root/work/sub"
	start_target -m -R "$T/root" -w /work
	run "$NSENTER_LITE" -t "$TARGET" -m -r -w /bin/sh -c 'pwd; ls /bin/busybox'
	assert_success
	assert_line --index 0 /work
	assert_line --index 1 /bin/busybox
	run "$NSENTER_LITE" -t "$TARGET" -m -r -W /work/sub /bin/pwd
	assert_output /work/sub
	run -125 "$NSENTER_LITE" -t "$TARGET" -m -w/tmp -W /work true
	assert_output --partial "--wd and --wdns are mutually exclusive"
}

@test "-r, -w, --root=DIR and --wd=DIR alone, with no namespace option" {
	ctu_make_rootfs "$T/root"
	echo in-target-root >"$T/root/marker"
	mkdir -p "$T/root/work" "$T/mine"
	echo in-my-dir >"$T/mine/marker"
	# a target in a chrooted root of its own, in our namespaces
	chroot "$T/root" /bin/sh -c 'cd /work && exec sleep 1000' &
	ctu_cleanup_add pid "$!"
	TARGET=$!
	work=$(cd "$T/root/work" && pwd -P)
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$TARGET/cwd")" = "$work" ] && break
		sleep 0.1
	done
	run "$NSENTER_LITE" -t "$TARGET" -r -- cat /marker
	assert_success
	assert_output in-target-root
	run "$NSENTER_LITE" -t "$TARGET" -r -w -- /bin/pwd
	assert_output /work
	run "$NSENTER_LITE" -t "$TARGET" -w -- pwd
	assert_success
	assert_output "$work"
	run "$NSENTER_LITE" --root="$T/root" -- cat /marker
	assert_success
	assert_output in-target-root
	run "$NSENTER_LITE" --wd="$T/mine" -- cat marker
	assert_success
	assert_output in-my-dir
	run "$NSENTER_LITE" -W "$T/mine" -- cat marker
	assert_output in-my-dir
	# nothing at all to do is still a usage error
	run -125 "$NSENTER_LITE" -t "$TARGET" true
	assert_output --partial "no namespace specified"
}

@test "-r alone reads the root of a pivoted target in its own mount namespace" {
	require_tool "$PIVOT"
	ctu_make_rootfs "$T/root"
	echo in-pivoted-root >"$T/root/ctu-pivot-marker"
	"$UNSHARE_LITE" -m -f --pidfile "$T/target.pid" -- "$PIVOT" "$T/root" -- sleep 1000 &
	ctu_cleanup_add pid "$!"
	ctu_wait_for_file "$T/target.pid" || fail "the target did not start"
	TARGET=$(cat "$T/target.pid")
	ctu_cleanup_add pid "$TARGET"
	for _ in $(seq 50); do
		[ -e "/proc/$TARGET/root/ctu-pivot-marker" ] && break
		sleep 0.1
	done
	run "$NSENTER_LITE" -t "$TARGET" -r -- cat /ctu-pivot-marker
	assert_success
	assert_output in-pivoted-root
}

@test "-c joins the target's cgroups in every hierarchy" {
	cg=$(ctu_name cg)
	# a cgroup below our own in the memory hierarchy and in the unified one
	mem=$(ctu_own_cgroup_dirs | grep /memory || true)
	uni=$(findmnt -n -o TARGET -t cgroup2 | head -n1)$(sed -n 's/^0:://p' /proc/self/cgroup)
	uni=${uni%/}
	for base in $mem $uni; do
		mkdir "$base/$cg"
		ctu_cleanup_add cgroup "$base/$cg"
	done
	start_target -u
	for base in $mem $uni; do echo "$TARGET" >"$base/$cg/cgroup.procs"; done
	run "$NSENTER_LITE" -t "$TARGET" -c cat /proc/self/cgroup
	assert_success
	[ -z "$mem" ] || assert_line --regexp "^[0-9]+:memory:.*/$cg\$"
	assert_line --regexp "^0::.*/$cg\$"
	[ -z "$uni" ] || assert_line --regexp "^0::/.*$cg\$"
	# without -c we stay where we are
	run "$NSENTER_LITE" -t "$TARGET" -u cat /proc/self/cgroup
	refute_output --partial "$cg"
}

@test "-S/-G, --preserve-credentials, --cap-drop and --no-new-privs" {
	start_target -u
	run "$NSENTER_LITE" -t "$TARGET" -u -S 1000 -G 1000 sh -c 'id -u; id -g'
	assert_line --index 0 1000
	assert_line --index 1 1000
	run "$NSENTER_LITE" -t "$TARGET" -u --cap-drop ALL --no-new-privs grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
	assert_line "CapEff:	0000000000000000"
	assert_line "CapBnd:	0000000000000000"
	assert_line --regexp 'NoNewPrivs:[[:space:]]+1'
	run -125 "$NSENTER_LITE" -t "$TARGET" -U --preserve-credentials -S 0 true
	assert_output --partial "--preserve-credentials cannot go with --setuid"
}

@test "--new-session: the program leads its own session" {
	start_target -u
	run "$NSENTER_LITE" -t "$TARGET" -u --new-session sh -c 'ps -o sid= -p $$; echo $$'
	[ "$(echo ${lines[0]})" = "${lines[1]}" ]
}

@test "bad arguments exit 125 with one message naming the value" {
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086
		run -125 "$NSENTER_LITE" $args true
		assert_output --partial "nsenter-lite: $message"
	done <<-EOF
		--bogus|unrecognized option '--bogus'
		-t abc -n|invalid target pid: 'abc'
		-t 0 -n|invalid target pid: '0'
		-t -5 -n|invalid target pid: '-5'
		-t 99999999999 -n|invalid target pid: '99999999999'
		-n|no target process
		-t 1|no namespace specified
		-t 1 --pidfile /x -n|--target and --pidfile are mutually exclusive
		--pidfile= -n|empty file name for --pidfile
		--net= -t 1|empty file name for --net
		-t 1 -n -S nobody-ctu-x|invalid uid: 'nobody-ctu-x'
		-t 1 -n -G ctu-no-group|invalid gid: 'ctu-no-group'
		-t 1 -n --cap-drop CAP_NOPE|invalid --cap-drop: unknown capability 'CAP_NOPE'
		-t 1 -n --preserve-fds -1|invalid --preserve-fds count: '-1'
		-t 1 -n -r/ctu/no/such/dir|cannot open root directory /ctu/no/such/dir: No such file or directory
	EOF
}

@test "--help and --version" {
	run --separate-stderr "$NSENTER_LITE" --help
	assert_success
	assert_output --partial "--join-cgroup"
	[ -z "$stderr" ]
	run "$NSENTER_LITE" --version
	assert_output --regexp '^nsenter-lite from ctutils [0-9.]+$'
}
