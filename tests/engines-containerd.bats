#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# containerd 1.6 drives ctrun (../shared/spec/ctrun.md, oracle (c)): each
# test starts a private daemon (its own socket, root, state, a config.toml
# without the CRI plugin) in a private network and mount namespace with a
# tmpfs on /run (helpers/containerd.bash), imports `podman save --format
# docker-archive` of a busybox image, and runs it with `ctr run --runc-binary
# ctrun`, each container's cgroup (`ctr run --cgroup`) below our own.
# containerd-shim-runc-v2 calls ctrun as it calls runc: --root
# /run/containerd/runc/NS --log BUNDLE/log.json --log-format json, then
# create --bundle --pid-file [--console-socket], start, exec --process
# --detach --pid-file, ps --format json, pause, resume, kill, delete [--force].
# The shim makes no cgroup of its own (no ShimCgroup option): it stays in the
# daemon's, ours.

load helpers
load helpers/ctrun
load helpers/containerd
load helpers/pty

setup() {
	ctd_setup
}

teardown() {
	local san
	san=$(ctd_sanitizer_lines)
	pty_stop
	ctd_teardown
	[ -z "$san" ] || fail "a sanitizer reported (containerd's log): $san"
}

# assert_no_cgroup NAME: the container's cgroup NAME is in no hierarchy
assert_no_cgroup() {
	local h
	while read -r h; do
		[ ! -d "$h$CT_CG/$1" ] || fail "cgroup $h$CT_CG/$1 left"
	done < <(ct_hierarchies)
}

@test "ctr run --rm through ctrun: exit 0, 3, 255 and failed creates as with runc; the program's output; nothing left" {
	run ctd run --rm --runc-binary "$RUNC" --cgroup "$CT_CG/c1" "$CTD_IMAGE" c1 /bin/true
	assert_success
	assert_output ""
	assert_no_cgroup c1
	run ctd run --rm --runc-binary "$RUNC" --cgroup "$CT_CG/c1" "$CTD_IMAGE" c1 sh -c 'echo out; id -u; exit 3'
	assert_failure 3
	assert_output $'out\n0'
	assert_no_cgroup c1
	# the same daemon with runc: the same status for each kind of end
	local args code runc_code
	for args in "true" "sh -c 'exit 3'" "sh -c 'exit 255'" "/etc/passwd" "nosuchprogram"; do
		eval "set -- $args"
		code=0 runc_code=0
		ctd run --rm --runc-binary "$RUNC" --cgroup "$CT_CG/c1" "$CTD_IMAGE" c1 "$@" >/dev/null 2>&1 || code=$?
		ctd run --rm --runc-binary "$(command -v runc)" --cgroup "$CT_CG/r1" "$CTD_IMAGE" r1 "$@" >/dev/null 2>&1 || runc_code=$?
		[ "$code" = "$runc_code" ] || fail "$args: ctrun $code, runc $runc_code"
	done
	# a program that is not there: create fails, ctr says why, nothing is left
	run ctd run --rm --runc-binary "$RUNC" --cgroup "$CT_CG/c1" "$CTD_IMAGE" c1 nosuchprogram
	assert_failure
	assert_output --partial nosuchprogram
	run ctd container ls -q
	assert_output ""
	run ctd task ls -q
	assert_output ""
	assert_no_cgroup c1
	# the shim's runtime root holds no state of ours any more
	run ctd_in find "/run/containerd/runc/$CTD_NS" -mindepth 1
	assert_output ""
	[ -z "$(ctd_shims)" ] || fail "shims left: $(ctd_shims)"
}

@test "ctr run -d through ctrun: task exec, ps, pause and resume (the freezer), kill -s SIGUSR1, kill, delete" {
	run ctd run -d --runc-binary "$RUNC" --cgroup "$CT_CG/c2" "$CTD_IMAGE" c2 \
		sh -c 'trap "echo usr1 >/tmp/usr1" USR1; trap "exit 7" TERM; while :; do sleep 0.1; done'
	assert_success
	ctd_wait_task c2 RUNNING
	local pid shim
	pid=$(ctd_task_pid c2)
	[ "$pid" -gt 0 ] || fail "no pid for c2"
	# ctrun made it: its state in the shim's root, the init's pid
	run ctd_in "$RUNC" --root "/run/containerd/runc/$CTD_NS" state c2
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"
	# in the cgroup asked for, in every hierarchy; the shim in none of its own
	grep -qxF "0::$CT_CG/c2" "/proc/$pid/cgroup" || fail "c2's cgroup: $(cat "/proc/$pid/cgroup")"
	shim=$(ctd_shims)
	[ -n "$shim" ] || fail "no shim of ours runs"
	assert_equal "$(cat "/proc/$shim/cgroup")" "$(cat /proc/self/cgroup)"

	# (each exec lasts a while: one that ends at once is the next test's)
	run ctd task exec --exec-id e1 c2 sh -c 'sleep 1; echo exec-ok; echo err >&2; exit 5'
	assert_failure 5
	# stdout and stderr are two fifos: their order is not kept
	assert_line exec-ok
	assert_line err
	assert_equal "${#lines[@]}" 2
	run ctd task exec --exec-id e1 c2 sh -c 'sleep 1; tr "\0" " " </proc/1/cmdline'
	assert_success
	assert_output --partial "sh -c trap"

	run ctd task ps c2
	assert_success
	assert_line --regexp "^$pid +"
	# ps while an exec runs: its process too, and only the container's
	ctd task exec --exec-id e2 c2 sleep 30 >/dev/null 2>&1 &
	local e2=$! i n
	for ((i = 0; i < 200; i++)); do
		n=$(ctd task ps c2 | awk 'NR > 1' | wc -l)
		[ "$n" -ge 3 ] && break
		sleep 0.1
	done
	run ctd task ps c2
	assert_success
	local p cg
	assert_line --regexp "^$pid +"
	# (the loop's sleeps come and go: those still there)
	for p in $(awk 'NR > 1 {print $1}' <<<"$output"); do
		cg=$(cat "/proc/$p/cgroup" 2>/dev/null) || continue
		grep -qxF "0::$CT_CG/c2" <<<"$cg" || fail "ctr task ps listed $p, not in c2's cgroup"
	done
	[ "$(grep -c '' <<<"$output")" -ge 3 ] || fail "ctr task ps during an exec: $output"
	ctd task kill --exec-id e2 -s SIGKILL c2 >/dev/null 2>&1
	wait "$e2" || true

	run ctd task pause c2
	assert_success
	ctd_wait_task c2 PAUSED
	# the kernel's freezer: v1 freezer.state or (ctrun on a hybrid host) cgroup v2's
	local v1 v2
	v1=$(ct_cg_file "$pid" freezer.state freezer 2>/dev/null) || true
	v2=$(grep -x 'frozen [01]' "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CT_CG/c2/cgroup.events" 2>/dev/null) || true
	[ "$v1" = FROZEN ] || [ "$v2" = "frozen 1" ] || fail "paused, but freezer.state '$v1', cgroup.events '$v2'"
	run ctd_in "$RUNC" --root "/run/containerd/runc/$CTD_NS" state c2
	assert_equal "$(jq -r .status <<<"$output")" paused
	run ctd task resume c2
	assert_success
	ctd_wait_task c2 RUNNING
	v1=$(ct_cg_file "$pid" freezer.state freezer 2>/dev/null) || true
	v2=$(grep -x 'frozen [01]' "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CT_CG/c2/cgroup.events" 2>/dev/null) || true
	[ "$v1" != FROZEN ] && [ "$v1" != FREEZING ] && [ "$v2" != "frozen 1" ] ||
		fail "resumed, but freezer.state '$v1', cgroup.events '$v2'"

	run ctd task kill -s SIGUSR1 c2
	assert_success
	# the trap's file, read from outside through the init's root
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/proc/$pid/root/tmp/usr1" 2>/dev/null)" = usr1 ] && break
		sleep 0.1
	done
	assert_equal "$(cat "/proc/$pid/root/tmp/usr1" 2>/dev/null)" usr1

	# SIGTERM, the default: the trap exits 7
	run ctd task kill c2
	assert_success
	ctd_wait_task c2 STOPPED
	run ctd task delete c2
	assert_success
	[[ $output != *"exit code"* ]] || [[ $output == *"exit code 7"* ]] || fail "task delete: $output"
	run ctd task ls -q
	assert_output ""
	assert_no_cgroup c2
	run ctd container delete c2
	assert_success
	run ctd container ls -q
	assert_output ""
	for ((i = 0; i < 100; i++)); do
		[ -z "$(ctd_shims)" ] && break
		sleep 0.1
	done
	[ -z "$(ctd_shims)" ] || fail "the shim did not end: $(ctd_shims)"
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] ||
		fail "the init $pid still runs"
}

# containerd's shim runs `exec --detach` and reads the pid file; a program
# that ends at once has been reaped by the shim (the subreaper) by then, and
# runc still succeeds: the shim holds the exit until it knows the pid.
@test "ctr task exec of programs that end at once: 20 in a row succeed with status 0, as with runc" {
	run ctd run -d --runc-binary "$RUNC" --cgroup "$CT_CG/f1" "$CTD_IMAGE" f1 sleep 1000
	assert_success
	ctd_wait_task f1 RUNNING
	local i out bad=
	CTD_TIMEOUT=20
	# (a hung exec costs CTD_TIMEOUT: two failures are enough)
	for ((i = 0; i < 20; i++)); do
		out=$(ctd task exec --exec-id "e$i" f1 true 2>&1) || bad+="e$i: $out"$'\n'
		[ "$(grep -c '^e[0-9]*:' <<<"$bad")" -lt 2 ] || break
	done
	CTD_TIMEOUT=60
	[ -z "$bad" ] || fail "failed execs of true:"$'\n'"$bad"
	run ctd task exec --exec-id last f1 sh -c 'exit 6'
	assert_failure 6
}

@test "ctr run --memory-limit 67108864 through ctrun: the limit read from the kernel, in the cgroup below ours" {
	run ctd run -d --runc-binary "$RUNC" --cgroup "$CT_CG/m1" --memory-limit 67108864 "$CTD_IMAGE" m1 sleep 1000
	assert_success
	ctd_wait_task m1 RUNNING
	local pid mem
	pid=$(ctd_task_pid m1)
	[ "$pid" -gt 0 ] || fail "no pid for m1"
	mem=$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
	[ -z "$mem" ] || assert_equal "$mem" "$CT_CG/m1"
	assert_equal "$(ct_cg_file "$pid" memory.limit_in_bytes memory 2>/dev/null || ct_cg_file "$pid" memory.max memory)" 67108864
	run ctd task kill -s SIGKILL m1
	assert_success
	ctd_wait_task m1 STOPPED
	run ctd task delete m1
	assert_success
	run ctd container delete m1
	assert_success
	assert_no_cgroup m1
}

@test "ctr run -t through ctrun in tmux: /dev/pts/0, the pane's size and its resize, task exec -t, the shell's status" {
	pty_require
	PTY_WORK=$T
	PTY_DIR=$(ctu_tmpdir)
	pty_shell
	pty_inner "nsenter -t $CTD_HOLD -m -n -- ctr -a $T/c.sock -n $CTD_NS run -t --rm --runc-binary $RUNC --cgroup $CT_CG/t1 --env 'PS1=inner# ' $CTD_IMAGE t1 sh" 60
	pty_run tty
	[ "$PTY_OUT" = /dev/pts/0 ] || fail "tty: '$PTY_OUT'"
	pty_run 'stty size'
	[ "$PTY_OUT" = "24 80" ] || fail "size at start: '$PTY_OUT'"
	pty_resize 100 30
	# task exec -t, from outside the pane: a second pty of the container's
	# devpts.  The program outlives ctr's resize and attach: ctr 1.6 resizes
	# after the start, and of a process already gone it said only "cannot
	# resize a stopped container", its output lost (seen once under load)
	run timeout 30 script -qec "nsenter -t $CTD_HOLD -m -n -- ctr -a $T/c.sock -n $CTD_NS task exec -t --exec-id e1 t1 sh -c 'tty; sleep 1'" /dev/null
	assert_success
	[[ $output == *"/dev/pts/1"* ]] || fail "task exec -t: tty said '$output'"
	pty_type 'exit 4'
	pty_inner_end 60
	[ "$PTY_RC" = 4 ] || fail "the status of ctr run -t: $PTY_RC"
	assert_no_cgroup t1
	run ctd container ls -q
	assert_output ""
}

@test "the teardown leaves nothing: a running task, the daemon, its shims, mounts, cgroups, namespaces, \$T" {
	run ctd run -d --runc-binary "$RUNC" --cgroup "$CT_CG/d1" "$CTD_IMAGE" d1 sleep 1000
	assert_success
	ctd_wait_task d1 RUNNING
	local pid shims
	pid=$(ctd_task_pid d1)
	shims=$(ctd_shims)
	[ -n "$shims" ] || fail "no shim of ours runs"
	# the snapshot's mount is in the holder's mount namespace only
	ctd_in grep -qF " $T/state/" /proc/self/mountinfo || fail "no rootfs mount in the holder's namespace"
	! grep -qF " $T" /proc/self/mountinfo || fail "a mount below $T in ours"
	local san
	san=$(ctd_sanitizer_lines)
	[ -z "$san" ] || fail "a sanitizer reported (containerd's log): $san"
	ctd_teardown
	ctd_assert_gone
	[ ! -d "/proc/$pid" ] || fail "the task's init $pid still runs"
	local p
	for p in $shims; do [ ! -d "/proc/$p" ] || ! _ctd_is_ours "$p" || fail "shim $p still runs"; done
}
