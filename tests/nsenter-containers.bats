#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite --container [SOURCE:]ID, --containers [--json], --state-root
# (terminals-debug.md Part 2): containers made by runc from a busybox bundle
# and by the ctutils chain (unshare-lite --pidfile), the other sources'
# layouts as their engines write them, and hostile state.
#
# Every source's root is replaced by one below the test's directory
# ($T/s/SOURCE), so that the machine's own containers never show, and the
# "searched:" list is known.

load helpers
load helpers/containers

setup() {
	containers_setup
}

teardown() {
	containers_teardown
}

# --- the sources -----------------------------------------------------------

@test "--container: runc's container (exact ID) is entered: its init, namespaces and root" {
	runc_run "${R}web"
	run nsl --container "${R}web" -- sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; hostname
		for n in net pid mnt; do readlink /proc/self/ns/$n; done'
	assert_success
	assert_line --index 0 "sleep 1000 "
	assert_line --index 1 ctubox
	assert_line --index 2 "$(readlink "/proc/$RPID/ns/net")"
	assert_line --index 3 "$(readlink "/proc/$RPID/ns/pid")"
	assert_line --index 4 "$(readlink "/proc/$RPID/ns/mnt")"
	# the container's root, not ours: the bundle's busybox
	run nsl --container "runc:${R}web" -- ls /
	assert_success
	refute_line --regexp '^(home|boot|lib64)$'
	assert_line bin
}

@test "--containers --json agrees with runc list -f json: ids, pids, status" {
	runc_run "${R}a"
	runc_run "${R}b"
	run --separate-stderr nsl --containers --json
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
	local ours theirs
	ours=$(jq -c '[.containers[] | select(.source == "runc") | {id, pid, status}] | sort_by(.id)' <<<"$output")
	theirs=$(runc --root "$T/s/runc" list -f json | jq -c '[.[] | {id, pid, status}] | sort_by(.id)')
	[ "$ours" = "$theirs" ] || fail "ours: $ours, runc's: $theirs"
	# typed: numbers as numbers, the pidref PID@START of the init
	jq -e --arg p "$RPID" '.containers[] | select(.id | endswith("b")) |
		(.pid | type) == "number" and .pid == ($p | tonumber) and
		(.pidref | test("^" + $p + "@[0-9]+$"))' <<<"$output"
	run nsl --containers
	assert_success
	assert_line --index 0 --regexp '^SOURCE +ID +PID +PIDREF +STATUS$'
	assert_line --regexp "^runc +${R}b +$RPID +$RPID@[0-9]+ +running$"
}

@test "--container: a ctutils container (unshare-lite --pidfile), found by a unique prefix" {
	ctu_run "${R}box"
	run nsl --container "${R}bo" -- readlink /proc/self/ns/uts /proc/self/ns/pid
	assert_success
	assert_line --index 0 "$(readlink "/proc/$CPID/ns/uts")"
	assert_line --index 1 "$(readlink "/proc/$CPID/ns/pid")"
	run nsl --containers --json
	assert_success
	jq -e --arg id "${R}box" --arg p "$CPID" '.containers == [{"source": "ctutils", "id": $id,
		"pid": ($p | tonumber), "pidref": (.containers[0].pidref), "status": "running"}]
		and (.containers[0].pidref | startswith($p + "@"))' <<<"$output"
}

@test "crun's status, ctrun's and docker's state.json, containerd's NS/ID: each found, SOURCE:NS/ID narrows" {
	live
	state "$T/s/crun/${R}c/status" "{\"pid\":$LIVE,\"process-start-time\":$START,\"cgroup-path\":\"/x\",\"rootfs\":\"/r\",\"systemd-cgroup\":false,\"bundle\":\"/b\",\"created\":\"2026-01-01T00:00:00Z\",\"owner\":\"root\",\"detached\":true}"
	local p2 s2 p3 s3
	p2=$LIVE s2=$START
	live
	state "$T/s/ctrun/${R}t/state.json" "{\"ociVersion\":\"1.0.2\",\"id\":\"${R}t\",\"status\":\"running\",\"pid\":$LIVE,\"starttime\":$START}"
	p3=$LIVE s3=$START
	live
	state "$T/s/containerd/default/${R}d/state.json" "{\"init_process_pid\":$LIVE,\"init_process_start\":$START}"
	state "$T/s/containerd/k8s.io/${R}d/state.json" "{\"init_process_pid\":$p2,\"init_process_start\":$s2}"
	run nsl --containers --json
	assert_success
	jq -e --arg r "$R" '[.containers[] | "\(.source) \(.id) \(.status)"] ==
		["crun \($r)c running", "containerd default/\($r)d running", "containerd k8s.io/\($r)d running",
		 "ctrun \($r)t running"]' <<<"$output" || fail "$output"
	# crun and containerd k8s.io name the same process: still two IDs, so two containers
	run nsl --container "${R}c" -- sh -c 'echo $PPID'
	assert_success
	run -125 nsl --container "${R}d" true
	assert_output --partial "ambiguous container ID '${R}d': containerd:default/${R}d, containerd:k8s.io/${R}d (give more characters or SOURCE:ID)"
	run nsl --container "containerd:default/${R}d" -- readlink /proc/self/ns/net
	assert_success
	assert_output "$(readlink "/proc/$LIVE/ns/net")"
	run nsl --container "ctrun:${R}t" -- true
	assert_success
	# docker's layout is runc's, below /run/docker/runtime-runc/moby
	state "$T/s/docker/${R}k/state.json" "{\"init_process_pid\":$p3,\"init_process_start\":\"$s3\"}"
	run nsl --container "docker:${R}k" true
	assert_success
}

@test "podman's userdata/pidfile: the 2 s rule, and one container seen by podman and crun is one" {
	live
	state "$T/s/podman/overlay-containers/${R}p0123/userdata/pidfile" "$LIVE"
	state "$T/s/crun/${R}p0123/status" "{\"pid\":$LIVE,\"process-start-time\":$START}"
	run nsl --containers --json
	assert_success
	jq -e --arg r "$R" --arg p "$LIVE" --arg s "$START" '.containers ==
		[{"source": "crun", "id": "\($r)p0123", "pid": ($p | tonumber), "pidref": "\($p)@\($s)",
		  "status": "running"}]' <<<"$output" || fail "$output"
	run nsl --container "${R}p01" true
	assert_success
	# a pid file much older than its process: the PID was reused
	rm -r "$T/s/crun/${R}p0123"
	touch -d '-1 hour' "$T/s/podman/overlay-containers/${R}p0123/userdata/pidfile"
	refused "container ${R}p0123 is not running: state file $T/s/podman/overlay-containers/${R}p0123/userdata/pidfile: pid file pidfile names process $LIVE, which started" \
		--container "podman:${R}p0123"
	run -0 nsl --containers
	assert_line --regexp "^podman +${R}p0123 +$LIVE +reused$"
}

@test "--containers: running, exited, reused and unchecked; an unreadable state file is a warning and exit 1" {
	live
	runc_state "${R}ok" "$LIVE" "$START"
	runc_state "${R}re" "$LIVE" "$((START + 1))"
	state "$T/s/ctrun/${R}un/state.json" "{\"pid\":$LIVE}"
	sleep 0 &
	local dead=$!
	wait "$dead"
	runc_state "${R}ex" "$dead" 1
	run --separate-stderr nsl --containers --json
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
	jq -e --arg r "$R" --arg p "$LIVE" '[.containers[] | [.id, .status, .pidref]] ==
		[["\($r)ex", "exited", "\(.containers[0].pid)@1"], ["\($r)ok", "running", "\($p)@\(.containers[1].pidref | split("@")[1])"],
		 ["\($r)re", "reused", .containers[2].pidref], ["\($r)un", "unchecked", null]]' <<<"$output" ||
		fail "$output"
	state "$T/s/runc/${R}zz/state.json" '{"init_process_pid":'
	run --separate-stderr nsl --containers
	assert_failure 1
	assert_line --regexp "^runc +${R}ok +$LIVE +$LIVE@$START +running$"
	[[ "$stderr" == "nsenter-lite: state file $T/s/runc/${R}zz/state.json: line 1 column "*": unexpected token near end of file" ]] ||
		fail "$stderr"
	run -2 nsl --containers --state-root bogus=/x
	assert_output --partial "--state-root 'bogus=/x': want SOURCE=DIR"
	run -2 nsl --containers --state-root runc=
	assert_output --partial "an empty directory"
}

@test "--container: prefixes (unique, ambiguous, exact first), SOURCE:ID, unknown ID" {
	local a b c
	live
	runc_state "${R}ab12" "$LIVE" "$START"
	a=$LIVE
	live
	runc_state "${R}ab98" "$LIVE" "$START"
	b=$LIVE
	live
	state "$T/s/ctutils/${R}ab12.pid" "$LIVE"
	c=$LIVE
	# unique prefix
	run nsl --container "${R}ab9" -- sh -c 'readlink /proc/self/ns/pid'
	assert_success
	assert_output "$(readlink "/proc/$b/ns/pid")"
	# ambiguous: every candidate named
	refused "ambiguous container ID '${R}ab': runc:${R}ab12, runc:${R}ab98, ctutils:${R}ab12 (give more characters or SOURCE:ID)" \
		--container "${R}ab"
	# SOURCE:ID picks one of two whole IDs
	run nsl --container "ctutils:${R}ab12" -- sh -c 'echo ok'
	assert_success
	refused "ambiguous container ID '${R}ab12'" --container "${R}ab12"
	# exact first: ab1 is a whole ID, and a prefix of ab12
	runc_state "${R}ab1" "$c" "$(cut -d' ' -f22 "/proc/$c/stat")"
	rm "$T/s/ctutils/${R}ab12.pid"
	run nsl --container "${R}ab1" -- true
	assert_success
	refused "no container '${R}zz' (searched: $SEARCHED)" --container "${R}zz"
	refused "no container 'runc:${R}zz' (searched: $T/s/runc)" --container "runc:${R}zz"
	run -125 nsl --container "oops:${R}ab1" true
	assert_output --partial "unknown source 'oops'"
	[ "$a" != "$b" ]
}

@test "--container: a dead target is refused with its PID; nothing entered" {
	runc_run "${R}gone"
	runc --root "$T/s/runc" kill "${R}gone" KILL
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(runc --root "$T/s/runc" state "${R}gone" | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	refused "container ${R}gone is not running: process $RPID has exited" --container "${R}gone"
	sleep 0 &
	local dead=$!
	wait "$dead"
	state "$T/s/ctutils/${R}old.pid" "$dead"
	refused "process $dead has exited" --container "${R}old"
}

# --- hostile state -----------------------------------------------------------

@test "hostile state: symlinked ID directory and state file, 17 MiB, truncated, not an object, bad pids, a string for a number, world-writable, another user's" {
	live
	local good="{\"init_process_pid\":$LIVE,\"init_process_start\":$START}" h=$T/s/runc
	# a symlinked ID directory, and a symlinked file
	mkdir -p "$T/elsewhere/x"
	state "$T/elsewhere/x/state.json" "$good"
	ln -s "$T/elsewhere/x" "$h/${R}dl"
	refused "state file $h/${R}dl/state.json: cannot open: Too many levels of symbolic links (no symlink is followed below a state root)" --container "${R}dl"
	mkdir "$h/${R}fl"
	ln -s "$T/elsewhere/x/state.json" "$h/${R}fl/state.json"
	refused "state file $h/${R}fl/state.json: cannot open: Too many levels of symbolic links" --container "${R}fl"
	# 17 MiB
	mkdir "$h/${R}big"
	{ printf '{"init_process_pid":%s,"pad":"' "$LIVE"; head -c $((17 << 20)) /dev/zero | tr '\0' a; printf '"}'; } >"$h/${R}big/state.json"
	chmod 0600 "$h/${R}big/state.json"
	refused "state file $h/${R}big/state.json: larger than 16 MiB" --container "${R}big"
	# truncated, and not an object: jansson's words
	state "$h/${R}tr/state.json" "{\"init_process_pid\":$LIVE,"
	refused "state file $h/${R}tr/state.json: line 1 column " --container "${R}tr"
	state "$h/${R}ar/state.json" "[$LIVE]"
	refused "state file $h/${R}ar/state.json: not a JSON object" --container "${R}ar"
	# pids that name no process, and a string for a number
	local p
	for p in 0 -1 2147483648; do
		state "$h/${R}p$p/state.json" "{\"init_process_pid\":$p,\"init_process_start\":$START}"
		refused "state file $h/${R}p$p/state.json: init_process_pid: $p is not a process ID (1 to 2147483647)" --container "${R}p$p"
	done
	state "$h/${R}s/state.json" "{\"init_process_pid\":\"$LIVE\"}"
	refused "state file $h/${R}s/state.json: init_process_pid: not an integer" --container "${R}s"
	state "$h/${R}st/state.json" "{\"init_process_pid\":$LIVE,\"init_process_start\":true}"
	refused "state file $h/${R}st/state.json: init_process_start: not a start time" --container "${R}st"
	# an ID that is a path, refused before any lookup (a usage error)
	refused "invalid container ID '../../etc'" --container ../../etc
	refused "invalid container ID '.hidden'" --container runc:.hidden
	# written by others, or theirs
	state "$h/${R}ww/state.json" "$good"
	chmod 0666 "$h/${R}ww/state.json"
	refused "state file $h/${R}ww/state.json: writable by group or others (mode 0666)" --container "${R}ww"
	state "$h/${R}nb/state.json" "$good"
	chown "$CTU_UNPRIV_UID" "$h/${R}nb/state.json"
	refused "state file $h/${R}nb/state.json: owned by uid $CTU_UNPRIV_UID, neither root nor us" --container "${R}nb"
	# a fifo in a state file's place: never opened for reading
	mkdir "$h/${R}ff"
	mkfifo "$h/${R}ff/state.json"
	refused "state file $h/${R}ff/state.json: not a regular file" --container "${R}ff"
	# a pid file in a directory anybody may write into
	mkdir -m 0777 "$T/open"
	state "$T/open/${R}w.pid" "$LIVE"
	run -125 "$NSENTER_LITE" --state-root "ctutils=$T/open" --container "ctutils:${R}w" -- touch "$T/entered"
	assert_output --partial "state file $T/open/${R}w.pid: its directory may be written by others"
	[ ! -e "$T/entered" ]
	# and the good one still works
	state "$h/${R}good/state.json" "$good"
	run nsl --container "${R}good" true
	assert_success
}

@test "--containers as a user: the roots below \$XDG_RUNTIME_DIR, and the user's own state" {
	live
	local x=$T/xdg
	mkdir -p "$x/ctutils"
	printf '%s\n' "$LIVE" >"$x/ctutils/${R}u.pid"
	chown -R "$CTU_UNPRIV_UID" "$x"
	chmod 0700 "$x"
	touch -d "@$(($(date +%s) - 1))" "$x/ctutils/${R}u.pid" # older than nothing but its process
	run -0 --separate-stderr run_unprivileged env XDG_RUNTIME_DIR="$x" "$NSENTER_LITE" --containers --json
	jq -e --arg r "$R" '[.containers[] | .id] == ["\($r)u"]' <<<"$output" || fail "$output $stderr"
	run -125 run_unprivileged env XDG_RUNTIME_DIR="$x" "$NSENTER_LITE" --container nothere true
	assert_output --partial "no container 'nothere' (searched: $x/runc, $x/crun, $x/containerd/runc, $x/docker/runtime-runc/moby, $x/containers, $x/ctrun, $x/ctutils)"
}
