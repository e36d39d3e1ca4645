#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun's lifecycle on the real kernel: create, start, state, kill, delete,
# run, exec; the pid file, the barrier, hooks, and nothing left behind.  Each
# test has its own --root, ID and cgroup (below our own).

load helpers
load helpers/ctrun

setup() {
	ct_setup
	B=$T/bundle
}

teardown() {
	ct_teardown
}

status_of() {
	ct state "$1" | jq -r .status
}

# Nothing of container $ID is left: no state dir, no cgroup, no process.
assert_gone() {
	[ ! -e "$CT_ROOT/$ID" ]
	run ct state "$ID"
	assert_failure 1
	assert_output "ctrun: state: container $ID does not exist"
	[ ! -d "$(ct_cg_dir)" ]
	[ ! -d "$(ct_cg_dir memory)" ]
}

@test "--version names ctutils and the spec; unknown commands and options are usage errors" {
	run "$CTRUN" --version
	assert_success
	assert_line --index 0 --regexp '^ctrun from ctutils [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 "spec: 1.1.0"
	run "$CTRUN" frobnicate
	assert_failure 2
	assert_line --index 0 "ctrun: unknown command 'frobnicate'"
	run "$CTRUN" --frob state x
	assert_failure 2
	run "$CTRUN" state
	assert_failure 2
}

@test "run: the program runs in its own namespaces and cgroup, its exit status is ours, nothing stays" {
	ct_bundle "$B" sh -c 'hostname; cat /proc/self/cgroup; exit 3'
	ct_cfg "$B" '.hostname = "box1"'
	cd "$B"
	run ct run "$ID"
	assert_failure 3
	assert_line --index 0 box1
	assert_gone
}

@test "--debug: the chain, then each phase of run with its time, in order, on stderr only" {
	ct_bundle "$B" sh -c 'echo out'
	cd "$B"
	run --separate-stderr ct --debug run "$ID"
	assert_success
	assert_output out
	local phases
	phases=$(sed -n 's/^ctrun: debug: phase \([a-z ]*\): [0-9]*\.[0-9]\{3\} ms ([0-9]*\.[0-9]\{3\} ms since start)$/\1/p' <<<"$stderr" | paste -sd,)
	[ "$phases" = "config,state directory,seccomp,chain built,chain ready,created,started,program ended,deleted" ] ||
		fail "phases: $phases"
	grep -q '^ctrun: debug: chain: .*/cgctl exec ' <<<"$stderr" || fail "no chain in: $stderr"
	# the time since start only grows
	sed -n 's/^ctrun: debug: phase .*(\([0-9.]*\) ms since start)$/\1/p' <<<"$stderr" | sort -c -g
	assert_gone
	# without --debug: none of it
	run --separate-stderr ct run "$ID"
	assert_success
	[ -z "$stderr" ] || fail "stderr without --debug: $stderr"
}

@test "run: a program killed by a signal kills ctrun the same way" {
	ct_bundle "$B" sleep 1000
	ct run -b "$B" --pid-file "$T/pid" "$ID" </dev/null >/dev/null 2>&1 &
	ctrun_pid=$!
	ctu_wait_for_file "$T/pid"
	# a pid namespace's init takes SIGKILL only from outside
	kill -KILL "$(cat "$T/pid")"
	rc=0
	wait "$ctrun_pid" || rc=$?
	[ "$rc" = 137 ]
	assert_gone
}

@test "create blocks the program before exec; start runs it; state follows created, running, stopped" {
	ct_bundle "$B" sh -c 'echo started >/tmp/mark; exec sleep 1000'
	ct_cfg "$B" '.root.readonly = false'
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	pid=$(cat "$T/pid")
	[ "$(status_of "$ID")" = created ]
	[ "$(ct state "$ID" | jq -r .pid)" = "$pid" ]
	[ "$(ct state "$ID" | jq -r .bundle)" = "$B" ]
	[ ! -e "$B/rootfs/tmp/mark" ]
	# the init is not ctrun's child: nothing waits in between
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")" != "$$" ]
	grep -q "$CT_CG" "/proc/$pid/cgroup"
	run ct start "$ID"
	assert_success
	ctu_wait_for_file "$B/rootfs/tmp/mark"
	[ "$(status_of "$ID")" = running ]
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	run ct start "$ID"
	assert_failure 1
	assert_output "ctrun: start: container $ID is not created: running"
	run ct kill "$ID" KILL
	assert_success
	for _ in $(seq 50); do [ "$(status_of "$ID")" = stopped ] && break; sleep 0.1; done
	[ "$(status_of "$ID")" = stopped ]
	[ "$(ct state "$ID" | jq -r .pid)" = 0 ]
	run ct delete "$ID"
	assert_success
	assert_gone
}

@test "create of an ID in use fails and leaves the first container alone" {
	ct_bundle "$B"
	ct_bg create -b "$B" "$ID"
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output "ctrun: create: container $ID already exists"
	[ "$(status_of "$ID")" = created ]
	run ct delete "$ID"
	assert_success
	assert_gone
}

@test "delete of a running container needs --force; --force kills it" {
	ct_bundle "$B"
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	ct start "$ID"
	run ct delete "$ID"
	assert_failure 1
	assert_output "ctrun: delete: container $ID is running: use --force"
	[ -d "/proc/$(cat "$T/pid")" ]
	run ct delete --force "$ID"
	assert_success
	[ ! -d "/proc/$(cat "$T/pid")" ] || [ "$(awk '{print $3}' "/proc/$(cat "$T/pid")/stat")" = Z ]
	assert_gone
}

@test "a created container is deleted without --force (containerd's way)" {
	ct_bundle "$B"
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	run ct delete "$ID"
	assert_success
	assert_gone
}

@test "a forged starttime reads stopped: a reused PID is never taken for the container" {
	ct_bundle "$B"
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	ct start "$ID"
	[ "$(status_of "$ID")" = running ]
	jq '.starttime += 1' "$CT_ROOT/$ID/state.json" >"$T/s" && cat "$T/s" >"$CT_ROOT/$ID/state.json"
	[ "$(status_of "$ID")" = stopped ]
	run ct kill "$ID" KILL
	assert_failure 1
	assert_output "ctrun: kill: container $ID is not running"
	# the real process was not signalled
	[ -d "/proc/$(cat "$T/pid")" ]
	kill -KILL "$(cat "$T/pid")"
}

@test "hooks run in order, each with the state on stdin, in its namespace, the bundle as cwd" {
	ct_bundle "$B" true
	ct_cfg "$B" '.root.readonly = false'
	cat >"$T/hook" <<-EOF
	#!/bin/sh
	read -r state
	echo "\$1 \$(echo "\$state" | jq -r .status) \$(pwd) \$(readlink /proc/self/ns/mnt)" >>$T/hooks.log
	EOF
	# startContainer's path resolves in the container: a hook of its own root
	cat >"$B/rootfs/start-hook" <<-'EOF'
	#!/bin/sh
	read -r state
	echo "$state" | grep -o '"status":"[a-z]*"' >/start.log
	EOF
	chmod +x "$T/hook" "$B/rootfs/start-hook"
	local kinds='["prestart","createRuntime","createContainer","poststart","poststop"]'
	ct_cfg "$B" "reduce $kinds[] as \$k (.; .hooks[\$k] = [{path: \"$T/hook\", args: [\"hook\", \$k]}])
		| .hooks.startContainer = [{path: \"/start-hook\"}]"
	run ct run -b "$B" "$ID"
	assert_success
	host_mnt=$(readlink /proc/self/ns/mnt)
	run cat "$T/hooks.log"
	assert_line --index 0 "prestart creating $B $host_mnt"
	assert_line --index 1 "createRuntime creating $B $host_mnt"
	# createContainer runs in the container's mount namespace
	assert_line --index 2 --regexp "^createContainer creating $B mnt:"
	refute_line --index 2 --partial "$host_mnt"
	assert_line --index 3 "poststart running $B $host_mnt"
	assert_line --index 4 "poststop stopped $B $host_mnt"
	[ "$(cat "$B/rootfs/start.log")" = '"status":"created"' ]
	assert_gone
}

@test "a failing createRuntime hook fails create and leaves nothing" {
	ct_bundle "$B"
	ct_cfg "$B" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo no way >&2; exit 4"]}]'
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "hook 0 (/bin/sh) failed with exit status 4: no way"
	assert_gone
}

@test "a hook that outlives its timeout is killed and fails create" {
	ct_bundle "$B"
	ct_cfg "$B" '.hooks.prestart = [{path: "/bin/sleep", args: ["sleep", "100"], timeout: 1}]'
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "hook 0 (/bin/sleep) timed out after 1s"
	assert_gone
}

@test "exec runs a process in the running container's namespaces and cgroup" {
	ct_bundle "$B"
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	ct start "$ID"
	pid=$(cat "$T/pid")
	run ct exec "$ID" sh -c 'readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid; exit 5'
	assert_failure 5
	assert_line --index 0 "$(readlink "/proc/$pid/ns/mnt")"
	assert_line --index 1 "$(readlink "/proc/$pid/ns/pid")"
	ct_bg exec -d --pid-file "$T/epid" "$ID" sleep 1000
	epid=$(cat "$T/epid")
	ctu_cleanup_add pid "$epid"
	grep -q "$CT_CG" "/proc/$epid/cgroup"
	[ "$(readlink "/proc/$epid/ns/pid")" = "$(readlink "/proc/$pid/ns/pid")" ]
	# a detached program that ends at once is ctrun's (a zombie) until ctrun
	# has its pidfd and pid file: never "gone" because someone reaped it first
	local i
	for ((i = 0; i < 30; i++)); do
		run ct exec -d --pid-file "$T/tpid" "$ID" true
		assert_success
		[ -s "$T/tpid" ]
	done
}

@test "--root is made with its parents, 0700 (containerd's shim names /run/containerd/runc/NS)" {
	ct_bundle "$B" true
	run "$CTRUN" --root "$T/a/b/root" run -b "$B" "$ID"
	assert_success
	assert_equal "$(stat -c %a "$T/a/b/root")" 700
	touch "$T/file"
	run "$CTRUN" --root "$T/file/root" state "$ID"
	assert_failure 1
	assert_output --partial "cannot create --root $T/file/root"
}

@test "--preserve-fds passes the caller's fds; the program gets nothing else" {
	# ls's own fds: 0-4, then the directory it reads (5); a leaked fd would move that to 6
	ct_bundle "$B" ls /proc/self/fd
	run ct run -b "$B" --preserve-fds 2 "$ID" 3</dev/null 4</dev/null
	assert_success
	assert_output "$(printf '%s\n' 0 1 2 3 4 5)"
}

@test "--show-chain prints the chain a tool per line and makes nothing" {
	ct_bundle "$B"
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	assert_line --index 0 --regexp "^$CTU_BUILD/cgctl exec "
	assert_output --partial "$CTU_BUILD/unshare-lite "
	assert_output --partial "$CTU_BUILD/pivot "
	[ ! -e "$CT_ROOT/$ID" ]
	[ ! -d "$(ct_cg_dir)" ]
}

@test "two starts and a delete of one ID at once: one start wins, nothing breaks" {
	ct_bundle "$B" sh -c 'echo x >>/tmp/runs; exec sleep 1000'
	ct_cfg "$B" '.root.readonly = false'
	ct_bg create -b "$B" "$ID"
	ct start "$ID" 2>"$T/e1" &
	a=$!
	ct start "$ID" 2>"$T/e2" &
	b=$!
	wait "$a" || true
	wait "$b" || true
	ctu_wait_for_file "$B/rootfs/tmp/runs"
	[ "$(wc -l <"$B/rootfs/tmp/runs")" = 1 ]
	ct delete --force "$ID" 2>"$T/d1" &
	a=$!
	ct delete --force "$ID" 2>"$T/d2" &
	b=$!
	ra=0 rb=0
	wait "$a" || ra=$?
	wait "$b" || rb=$?
	# one deletes it, the other finds it gone: done too (--force)
	[ "$((ra + rb))" = 0 ]
	[ ! -s "$T/d1" ] && [ ! -s "$T/d2" ]
	assert_gone
}
