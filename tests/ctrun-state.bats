#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun's state and the commands on an existing container (state, list, ps,
# kill, pause, resume, update, delete), on containers built by hand: a
# state.json written with jq for a real sleep, moved into a cgroup of its
# own below the test's (as ctrun's cgroups are: the unified hierarchy's own
# cgroup, memory's on v1).  Every effect is read back from the kernel.

load helpers

: "${CTRUN:=$CTU_BUILD/ctrun}"

setup() {
	require_root
	require_tool "$CTRUN" "$CGCTL"
	require_cmd jq
	T=$(ctu_tmpdir)
	ROOT=$T/root
	mkdir -m 0700 "$ROOT"
	ID=$(ctu_name c)
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	CGP=${own%/}/$(ctu_name g)
	C=("$CTRUN" --root "$ROOT")
}

teardown() {
	"$CGCTL" delete -r --kill "$CGP" >/dev/null 2>&1 || true
	ctu_teardown
}

# start_sleep: a sleep in cgroup $CGP, its pid in $PID and start time in $START.
start_sleep() {
	sleep 1000 &
	PID=$!
	ctu_cleanup_add pid "$PID"
	START=$(awk '{print $22}' "/proc/$PID/stat")
	"$CGCTL" create "$CGP"
	"$CGCTL" attach "$CGP" "$PID"
}

# write_state ID [JQ-EXPR]: ROOT/ID/state.json for $PID@$START in $CGP, then EXPR applied.
write_state() {
	local id=$1 expr=${2:-.}
	mkdir -p -m 0700 "$ROOT/$id"
	jq -n --arg id "$id" --argjson pid "$PID" --argjson start "$START" --arg cg "$CGP" \
		'{id: $id, bundle: "/b", rootfs: "/b/rootfs", created: "2026-12-02T04:00:00.123456789Z",
		  owner: "root", annotations: {}, pid: $pid, starttime: $start, creator: 0,
		  creator_start: 0, cgroup: $cg, cgroup_made: true, process: {}, hooks: {},
		  resources: {}}' | jq "$expr" >"$ROOT/$id/state.json"
}

status_of() {
	"${C[@]}" state "$1" | jq -r .status
}

cg_file() { # cg_file CONTROLLER FILE: the file of $CGP where CONTROLLER lives
	if findmnt -n -o OPTIONS -t cgroup | grep -qw "$1"; then
		local mnt
		mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk -v c="$1" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
		echo "$mnt$CGP/$2"
	else
		echo "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGP/$3"
	fi
}

@test "state: running, created with an exec.fifo, annotations omitted when empty" {
	start_sleep
	write_state "$ID"
	run "${C[@]}" state "$ID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$PID" ]
	[ "$(jq -r .ociVersion <<<"$output")" = 1.1.0 ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .bundle <<<"$output")" = /b ]
	[ "$(jq -r .rootfs <<<"$output")" = /b/rootfs ]
	[ "$(jq -r .created <<<"$output")" = 2026-12-02T04:00:00.123456789Z ]
	[ "$(jq -r .owner <<<"$output")" = root ]
	[ "$(jq 'has("annotations")' <<<"$output")" = false ]
	# indented, as runc prints it
	assert_line --regexp '^  "id": '
	mkfifo "$ROOT/$ID/exec.fifo"
	[ "$(status_of "$ID")" = created ]
	rm "$ROOT/$ID/exec.fifo"
	write_state "$ID" '.annotations = {"org.x": "1"}'
	[ "$("${C[@]}" state "$ID" | jq -r '.annotations["org.x"]')" = 1 ]
}

@test "state: a dead init, a forged start time, a reused PID or a zombie read stopped, pid 0" {
	start_sleep
	write_state "$ID" ".starttime = $((START + 1))"
	run "${C[@]}" state "$ID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = stopped ]
	[ "$(jq -r .pid <<<"$output")" = 0 ]
	# the PID of another process (ours) with the dead one's start time
	write_state "$ID" ".pid = $$"
	[ "$(status_of "$ID")" = stopped ]
	# a dead process
	kill -KILL "$PID"
	wait "$PID" || true
	write_state "$ID"
	[ "$(status_of "$ID")" = stopped ]
	# a zombie: the right PID and start time, but Z
	bash -c 'sleep 0.1 & exec sleep 1000' &
	local parent=$!
	ctu_cleanup_add pid "$parent"
	local i
	for ((i = 0; i < 100; i++)); do
		PID=$(pgrep -P "$parent" | head -n1)
		[ -n "$PID" ] && [ "$(awk '{print $3}' "/proc/$PID/stat")" = Z ] && break
		sleep 0.1
	done
	[ -n "$PID" ]
	[ "$(awk '{print $3}' "/proc/$PID/stat")" = Z ]
	START=$(awk '{print $22}' "/proc/$PID/stat")
	write_state "$ID"
	[ "$(status_of "$ID")" = stopped ]
}

@test "state: creating while the creator lives, then the init decides" {
	start_sleep
	local me start_me
	me=$BASHPID
	start_me=$(awk '{print $22}' "/proc/$me/stat")
	write_state "$ID" ".creator = $me | .creator_start = $start_me"
	[ "$(status_of "$ID")" = creating ]
	write_state "$ID" ".creator = $me | .creator_start = $((start_me + 1))"
	[ "$(status_of "$ID")" = running ]
}

@test "list: table and json (runc's shape), -q, and null for no containers" {
	run "${C[@]}" list -f json
	assert_success
	assert_output null
	start_sleep
	write_state "$ID"
	write_state "${ID}b" ".starttime = 1"
	mkdir -m 0700 "$ROOT/seccomp" # a directory without state.json is no container
	run "${C[@]}" list
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --regexp "^$ID +$PID +running +/b +2026-12-02T04:00:00.123456789Z +root$"
	assert_line --regexp "^${ID}b +0 +stopped "
	run "${C[@]}" list -f json
	assert_success
	[ "$(jq length <<<"$output")" = 2 ]
	[ "$(jq -r '.[0] | keys | join(",")' <<<"$output")" = bundle,created,id,ociVersion,owner,pid,rootfs,status ]
	[ "$(jq -r ".[] | select(.id == \"$ID\") | .pid" <<<"$output")" = "$PID" ]
	run "${C[@]}" list -q
	assert_output "$(printf '%s\n%s' "$ID" "${ID}b")"
	run -2 "${C[@]}" list -f yaml
	assert_line --index 0 "ctrun: --format: 'yaml' is not table or json"
}

@test "ps: json are the cgroup's PIDs (recursive), the table is ps's filtered" {
	start_sleep
	write_state "$ID"
	"$CGCTL" create "$CGP/sub"
	sleep 1000 &
	local other=$!
	ctu_cleanup_add pid "$other"
	"$CGCTL" attach "$CGP/sub" "$other"
	run "${C[@]}" ps -f json "$ID"
	assert_success
	[ "$(jq -c 'sort' <<<"$output")" = "$(jq -nc --argjson a "$PID" --argjson b "$other" '[$a, $b] | sort')" ]
	run "${C[@]}" ps "$ID"
	assert_success
	assert_line --index 0 --regexp '^UID +PID +PPID'
	[ "${#lines[@]}" -eq 3 ]
	assert_line --regexp "^root +$PID "
	run "${C[@]}" ps "$ID" -o pid,comm
	assert_success
	assert_line --index 0 --regexp '^ *PID COMMAND$'
	assert_line --regexp "^ *$PID sleep$"
	run -2 "${C[@]}" ps -f json "$ID" -ef
	assert_line --index 0 "ctrun: -f json takes no ps arguments"
	assert_line --index 1 "Try 'ctrun ps --help' for more information."
}

@test "kill: SIGTERM by default and by name or number; a stopped container gets nothing" {
	start_sleep
	write_state "$ID"
	run "${C[@]}" kill "$ID" USR1
	assert_success
	local i
	for i in $(seq 50); do [ -d "/proc/$PID" ] || break; sleep 0.1; done
	run wait "$PID"
	[ "$status" -eq $((128 + 10)) ] # SIGUSR1 killed it
	start_sleep
	write_state "$ID"
	run "${C[@]}" kill "$ID"
	assert_success
	run wait "$PID"
	[ "$status" -eq $((128 + 15)) ]
	# stopped now: an error, nothing sent to whatever holds the PID
	run -1 "${C[@]}" kill "$ID" 9
	assert_output "ctrun: kill: container $ID is not running"
	run -2 "${C[@]}" kill "$ID" NOSUCHSIG
	assert_line --index 0 "ctrun: unknown signal 'NOSUCHSIG'"
}

@test "kill --all signals every process of the cgroup" {
	start_sleep
	write_state "$ID"
	sleep 1000 &
	local other=$!
	ctu_cleanup_add pid "$other"
	"$CGCTL" attach "$CGP" "$other"
	run "${C[@]}" kill --all "$ID" KILL
	assert_success
	run wait "$PID"
	[ "$status" -eq $((128 + 9)) ]
	run wait "$other"
	[ "$status" -eq $((128 + 9)) ]
}

@test "pause and resume: the kernel's freezer says so; only from running, and paused" {
	start_sleep
	write_state "$ID"
	run -1 "${C[@]}" resume "$ID"
	assert_output "ctrun: resume: container $ID is running, not paused"
	"${C[@]}" pause "$ID"
	[ "$(status_of "$ID")" = paused ]
	# the kernel: v2's cgroup.events (where cgctl freezes), or v1's freezer.state
	grep -qx 'frozen 1' "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGP/cgroup.events" ||
		[ "$(cat "$(cg_file freezer freezer.state cgroup.events)")" = FROZEN ]
	run -1 "${C[@]}" pause "$ID"
	assert_output "ctrun: pause: container $ID is paused, not running"
	"${C[@]}" resume "$ID"
	[ "$(status_of "$ID")" = running ]
	run grep -qx "frozen 1" "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGP/cgroup.events"
	[ "$status" -ne 0 ]
}

@test "update: flags and -r FILE reach the cgroup files and state.json; bad values change nothing" {
	start_sleep
	write_state "$ID" '.resources = {"memory": {"limit": 134217728}}'
	"${C[@]}" update --memory 64m --pids-limit 20 --cpu-shares 512 "$ID"
	[ "$(cat "$(cg_file memory memory.limit_in_bytes memory.max)")" = 67108864 ]
	[ "$(cat "$(cg_file pids pids.max pids.max)")" = 20 ]
	if is_cpu_v1=$(findmnt -n -o OPTIONS -t cgroup | grep -w cpu); [ -n "$is_cpu_v1" ]; then
		[ "$(cat "$(cg_file cpu cpu.shares cpu.weight)")" = 512 ]
	fi
	[ "$(jq -cS .resources "$ROOT/$ID/state.json")" = '{"cpu":{"shares":512},"memory":{"limit":67108864},"pids":{"limit":20}}' ]
	echo '{"pids": {"limit": 30}, "memory": {"limit": 0}}' >"$T/res.json"
	"${C[@]}" update --resources="$T/res.json" "$ID"
	[ "$(cat "$(cg_file pids pids.max pids.max)")" = 30 ]
	[ "$(cat "$(cg_file memory memory.limit_in_bytes memory.max)")" = 67108864 ]
	echo '{"pids": {"limit": 40}}' | "${C[@]}" update -r - "$ID"
	[ "$(cat "$(cg_file pids pids.max pids.max)")" = 40 ]
	cp "$ROOT/$ID/state.json" "$T/before.json"
	run -2 "${C[@]}" update --memory 12Q "$ID"
	assert_line --index 0 "ctrun: invalid value for --memory: '12Q'"
	echo '{"pids": {"limit": "many"}}' >"$T/bad.json"
	run -1 "${C[@]}" update -r "$T/bad.json" "$ID"
	assert_output --partial "/pids/limit"
	echo '{"pids": {}, "pids": {}}' >"$T/dup.json"
	run -1 "${C[@]}" update -r "$T/dup.json" "$ID"
	cmp "$T/before.json" "$ROOT/$ID/state.json"
	[ "$(cat "$(cg_file pids pids.max pids.max)")" = 40 ]
}

@test "delete: running needs --force; -f kills it, removes the state and the cgroup ctrun made" {
	start_sleep
	write_state "$ID"
	run -1 "${C[@]}" delete "$ID"
	assert_output "ctrun: delete: container $ID is running: use --force"
	[ -d "/proc/$PID" ]
	[ -f "$ROOT/$ID/state.json" ]
	run "${C[@]}" delete -f "$ID"
	assert_success
	run wait "$PID"
	[ "$status" -eq $((128 + 9)) ]
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGP" ]
	run -1 "${C[@]}" delete "$ID"
	assert_output "ctrun: delete: container $ID does not exist"
	# --force of what is not there is done, silently, as with runc (podman's cleanup)
	run -0 "${C[@]}" delete -f "$ID"
	assert_output ""
	run -2 "${C[@]}" delete -f "bad/id"
	assert_output --partial "invalid container ID"
}

@test "delete: a created container without --force; a cgroup ctrun did not make stays" {
	start_sleep
	write_state "$ID" '.cgroup_made = false'
	mkfifo "$ROOT/$ID/exec.fifo"
	run "${C[@]}" delete "$ID"
	assert_success
	run wait "$PID"
	[ "$status" -eq $((128 + 9)) ]
	[ ! -e "$ROOT/$ID" ]
	[ -d "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGP" ]
}

@test "delete: a stopped container; a leftover directory without state.json" {
	start_sleep
	write_state "$ID" ".starttime = 1 | .cgroup_made = false"
	"${C[@]}" delete "$ID"
	[ ! -e "$ROOT/$ID" ]
	[ -d "/proc/$PID" ] # not ours any more: untouched
	mkdir -m 0700 "$ROOT/$ID"
	run -1 "${C[@]}" delete "$ID"
	assert_output "ctrun: delete: container $ID does not exist"
	[ ! -e "$ROOT/$ID" ]
	mkdir -m 0700 "$ROOT/$ID"
	"${C[@]}" delete -f "$ID"
	[ ! -e "$ROOT/$ID" ]
}

@test "two deletes of one ID at once: one wins, the other finds none (done, with --force), nothing is left" {
	start_sleep
	write_state "$ID"
	"${C[@]}" delete -f "$ID" >"$T/a.out" 2>&1 &
	local a=$!
	"${C[@]}" delete -f "$ID" >"$T/b.out" 2>&1 &
	local b=$!
	local ra=0 rb=0
	wait "$a" || ra=$?
	wait "$b" || rb=$?
	[ $((ra + rb)) -eq 0 ]
	[ ! -s "$T/a.out" ] && [ ! -s "$T/b.out" ]
	run wait "$PID"
	[ "$status" -eq $((128 + 9)) ]
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGP" ]
}

@test "unknown IDs: exit 1 'container ID does not exist' from every command" {
	local cmd
	for cmd in state kill delete ps pause resume update; do
		run -1 "${C[@]}" "$cmd" nosuch
		assert_output "ctrun: $cmd: container nosuch does not exist"
	done
	[ -z "$(ls -A "$ROOT")" ]
}

@test "bad IDs are usage errors, a symlinked --root is refused, nothing is made" {
	local long cmd
	long=$(printf 'a%.0s' $(seq 300))
	for cmd in state kill delete ps pause resume update; do
		for id in ../x a/b "$long" ""; do
			run -2 "${C[@]}" "$cmd" "$id"
			assert_line --index 0 --regexp "^ctrun: (invalid container ID|container ID is)"
			assert_line --partial "Try 'ctrun $cmd --help'"
		done
	done
	run -2 "${C[@]}" state
	assert_output --partial "container ID: missing"
	run -2 "${C[@]}" state a b
	assert_output --partial "unexpected argument 'b'"
	ln -s "$ROOT" "$T/link"
	run -1 "$CTRUN" --root "$T/link" list
	assert_output --partial "not a directory (a symlink?)"
	run -1 "$CTRUN" --root "$T/link" state x
	assert_output --partial "not a directory (a symlink?)"
	[ -z "$(ls -A "$ROOT")" ]
}

@test "a broken state.json is refused by its pointer, list warns and goes on" {
	start_sleep
	write_state "$ID" '.pid = "x"'
	run -1 "${C[@]}" state "$ID"
	assert_output "ctrun: state: container $ID: state.json: /pid: expected an integer from 0 to 2147483647"
	write_state "$ID" '.cgroup = "/a/../../etc"'
	run -1 "${C[@]}" delete -f "$ID"
	assert_output --partial "/cgroup: '/a/../../etc' is not an absolute cgroup path"
	[ -d "/proc/$PID" ]
	run "${C[@]}" list -q
	assert_success
	assert_output --partial "warning: container $ID: state.json"
	for cmd in state list ps kill delete pause resume update; do
		run "${C[@]}" "$cmd" --help
		assert_success
		assert_line --partial "ctrun $cmd"
	done
}
