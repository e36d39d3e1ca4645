#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What ctrun's chain needs of unshare-lite and nsenter-lite beyond their own
# specs: --detach (the child goes to the caller's subreaper, nothing waits in
# between), --sysctl (the new namespaces' parameters, never the host's),
# --new-keyring, --monotonic/--boottime SECS.NS, and nsenter-lite's --detach
# and --info-fd.  A small subreaper (tests/helpers/subreaper.c) stands for
# conmon or containerd's shim: what it reaps is the kernel's word on whose
# child a process was and how it ended.

load helpers

setup() {
	require_root
	require_tool "$UNSHARE_LITE" "$NSENTER_LITE" "$CTU_HELPERS/subreaper" "$CTU_HELPERS/keyring"
	T=$(ctu_tmpdir)
	SUBREAPER=$CTU_HELPERS/subreaper
}

# start_subreaper ARGS...: the subreaper in the background, its report in
# $T/reaper; its pid in $REAPER (ended in teardown).
start_subreaper() {
	"$SUBREAPER" "$@" >"$T/reaper" 2>"$T/reaper.err" &
	REAPER=$!
	ctu_cleanup_add pid "$REAPER"
}

# wait_reaped PID: until the subreaper's report has reaped PID (10 s).
wait_reaped() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "^reaped $1 " "$T/reaper" && return 0
		sleep 0.1
	done
	cat "$T/reaper" "$T/reaper.err" >&2
	return 1
}

# field PID NAME: a line's value of /proc/PID/status ("NSpid", "PPid").
field() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# --- unshare-lite --detach -------------------------------------------------------

@test "--detach: unshare-lite exits 0 at once, its child goes to the subreaper, which reaps its status" {
	mkfifo "$T/go"
	start_subreaper --show "$T/pid" --show "$T/info" \
		"$UNSHARE_LITE" -f -p -n --detach --pidfile "$T/pid" --info-fd 3 \
		sh -c "read x <'$T/go'; exit 7" 3>"$T/info"
	for ((i = 0; i < 100; i++)); do grep -q '^started ' "$T/reaper" && break; sleep 0.1; done
	started=$(awk '$1 == "started" { print $2 }' "$T/reaper")
	ctu_cleanup_add pid "$started"
	[ -n "$started" ]
	# unshare-lite is reaped (exit 0) while the program still waits on the fifo
	wait_reaped "$started"
	grep -qx "reaped $started exit 0" "$T/reaper"
	pid=$(cat "$T/pid")
	ctu_cleanup_add pid "$pid"
	# pid file and --info-fd were written before unshare-lite exited
	grep -qx "file $T/pid $pid " "$T/reaper"
	grep -q "^file $T/info {\"pid\": $pid, " "$T/reaper"
	# the kernel: the program's parent is now the subreaper; it is PID 1 of its pid ns
	[ "$(field "$pid" PPid)" = "$REAPER" ]
	[ "$(field "$pid" NSpid)" = "$pid 1" ]
	[ "$(ctu_ns_inode "$pid" net)" != "$(ctu_ns_inode self net)" ]
	echo go >"$T/go"
	wait_reaped "$pid"
	grep -qx "reaped $pid exit 7" "$T/reaper"
	wait "$REAPER"
}

@test "--detach without -p: the program sees its parent change to the subreaper" {
	# until the parent is no longer unshare-lite (it may be gone before sh starts)
	run timeout 60 "$SUBREAPER" "$UNSHARE_LITE" -f -u --detach --hostname ctu-det sh -c '
		i=0
		while [ "$(cat /proc/$(grep ^PPid: /proc/$$/status | cut -f2)/comm)" = unshare-lite ] &&
			[ $i -lt 250 ]; do
			sleep 0.02; i=$((i + 1))
		done
		echo "ppid $(grep ^PPid: /proc/$$/status | cut -f2) $(hostname)"; exit 3'
	assert_success
	reaper=$(awk '$1 == "subreaper" { print $2 }' <<<"$output")
	started=$(awk '$1 == "started" { print $2 }' <<<"$output")
	assert_line "ppid $reaper ctu-det"
	assert_line "reaped $started exit 0"
	assert_line --regexp '^reaped [0-9]+ exit 3$'
	# unshare-lite's exit came before the program's
	[ "$(grep -n "^reaped $started " <<<"$output" | cut -d: -f1)" -lt \
		"$(grep -n 'exit 3$' <<<"$output" | cut -d: -f1)" ]
}

@test "--detach --init: the init is the subreaper's child and exits as its program did" {
	run timeout 20 "$SUBREAPER" "$UNSHARE_LITE" -f -p --init --detach --pidfile "$T/pid" \
		sh -c 'kill -TERM $$; sleep 5'
	assert_success
	pid=$(cat "$T/pid")
	assert_line "reaped $pid exit 143"
	# nothing read the init's status pipe, and nothing is left of the program
	run pgrep -f "sleep 5$" -P "$pid"
	assert_failure
}

@test "--detach: a failure after the release reaches the subreaper as 125 with the message" {
	run --separate-stderr timeout 20 "$SUBREAPER" "$UNSHARE_LITE" -f -n --detach \
		--sysctl net.ipv4.ip_forward=bogus sh -c "echo ran >'$T/ran'"
	assert_success
	started=$(awk '$1 == "started" { print $2 }' <<<"$output")
	assert_line "reaped $started exit 0"
	assert_line --regexp "^reaped [0-9]+ exit 125$"
	[[ "$stderr" == *"unshare-lite: --sysctl: cannot set net.ipv4.ip_forward to 'bogus'"* ]]
	[ ! -e "$T/ran" ]
}

@test "--detach refuses what cannot work: no --fork, --kill-child, --pty (125, nothing runs)" {
	ctu_state_save "$T"
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run -125 "$UNSHARE_LITE" $args --pidfile "$T/pid" touch "$T/ran"
		assert_output --partial "unshare-lite: $msg"
		[ ! -e "$T/ran" ] && [ ! -e "$T/pid" ]
	done <<-EOF
		--detach -u|--detach needs --fork
		-f --detach --kill-child|--detach cannot go with --kill-child
		-f --detach --pty|--detach cannot go with --pty
	EOF
	assert_state_unchanged
}

# --- --sysctl -----------------------------------------------------------------------

@test "--sysctl sets net, ipc, mqueue and uts keys inside; the host's values stay" {
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shmmni)
	host_mq=$(cat /proc/sys/fs/mqueue/msg_max)
	host_name=$(hostname)
	want_fwd=$((1 - host_fwd))
	run "$UNSHARE_LITE" -n -i -u --sysctl net.ipv4.ip_forward=$want_fwd \
		--sysctl kernel.shmmni=1234 --sysctl fs.mqueue.msg_max=17 \
		--sysctl kernel.hostname=ctu-sysctl \
		sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni \
			/proc/sys/fs/mqueue/msg_max; hostname'
	assert_success
	assert_output "$want_fwd
1234
17
ctu-sysctl"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" = "$host_shm" ]
	[ "$(cat /proc/sys/fs/mqueue/msg_max)" = "$host_mq" ]
	[ "$(hostname)" = "$host_name" ]
}

@test "--sysctl in a new user namespace, through the host's /proc, read back from outside" {
	require_kernel_feature userns
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host_fwd))
	"$UNSHARE_LITE" -U -r -n -f -p -m --detach --pidfile "$T/pid" \
		--sysctl net.ipv4.ip_forward=$want --sysctl net.ipv4.tcp_syncookies=0 \
		sleep 100
	pid=$(cat "$T/pid")
	ctu_cleanup_add pid "$pid"
	# setns into its net ns: /proc/sys answers for the reader's namespace
	run nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/tcp_syncookies
	assert_output "$want
0"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	kill "$pid"
}

@test "--sysctl net.* in a network namespace entered before us (not PID 1's) is taken" {
	run unshare -n "$UNSHARE_LITE" --sysctl net.ipv4.ip_default_ttl=42 \
		cat /proc/sys/net/ipv4/ip_default_ttl
	assert_success
	assert_output 42
	[ "$(cat /proc/sys/net/ipv4/ip_default_ttl)" != 42 ] ||
		[ "$(unshare -n cat /proc/sys/net/ipv4/ip_default_ttl)" = 42 ]
}

@test "--sysctl refuses keys of no namespace, the host's namespaces and malformed ones (125)" {
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	ctu_state_save "$T"
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run -125 "$UNSHARE_LITE" $args --pidfile "$T/pid" touch "$T/ran"
		assert_output --partial "unshare-lite: $msg"
		[ ! -e "$T/ran" ] && [ ! -e "$T/pid" ]
	done <<-EOF
		-n --sysctl kernel.pid_max=1000|--sysctl kernel.pid_max: not a namespaced key
		-n --sysctl vm.swappiness=1|--sysctl vm.swappiness: not a namespaced key
		-i --sysctl kernel.semx=1|--sysctl kernel.semx: not a namespaced key
		-u --sysctl net.ipv4.ip_forward=1|--sysctl net.ipv4.ip_forward needs a new net namespace (-n)
		-n --sysctl kernel.shmmax=1|--sysctl kernel.shmmax needs a new ipc namespace (-i)
		-n --sysctl fs.mqueue.msg_max=20|--sysctl fs.mqueue.msg_max needs a new ipc namespace (-i)
		-n --sysctl kernel.hostname=x|--sysctl kernel.hostname needs a new uts namespace (-u)
		-n --sysctl net..ipv4=1|invalid --sysctl key 'net..ipv4'
		-n --sysctl net/ipv4/ip_forward=1|invalid --sysctl key 'net/ipv4/ip_forward'
		-n --sysctl net.ipv4/../../kernel/pid_max=1|invalid --sysctl key
		-n --sysctl net.ipv4.=1|invalid --sysctl key 'net.ipv4.'
		-n --sysctl =1|invalid --sysctl '=1': expected <key>=<value>
		-n --sysctl net.ipv4.ip_forward|invalid --sysctl 'net.ipv4.ip_forward': expected
		-n --sysctl net.ipv4.nope=1|--sysctl: cannot open /proc/sys/net/ipv4/nope
		-n --sysctl net.ipv4.ip_forward=bogus|--sysctl: cannot set net.ipv4.ip_forward to 'bogus'
	EOF
	run -125 "$UNSHARE_LITE" -n --sysctl "net.$(printf 'k%.0s' {1..300})=1" true
	assert_output --partial "invalid --sysctl key 'net.kkk"
	run -125 "$UNSHARE_LITE" -n --sysctl "net.ipv4.ip_forward=$(printf '1%.0s' {1..5000})" true
	assert_output --partial "value: one line of at most 4096 bytes"
	run -125 "$UNSHARE_LITE" -n --sysctl "net.ipv4.ip_forward=1
kernel.pid_max=1" true
	assert_output --partial "value: one line"
	args=()
	for i in $(seq 129); do args+=(--sysctl net.ipv4.ip_forward=1); done
	run -125 "$UNSHARE_LITE" -n "${args[@]}" true
	assert_output --partial "too many --sysctl options (at most 128)"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	assert_state_unchanged
}

# --- --new-keyring ------------------------------------------------------------------

@test "--new-keyring: the program's session keyring is a new one, anonymous or named" {
	run "$CTU_HELPERS/keyring"
	[ "$status" -eq 0 ] || ctu_skip "no keyrings in this kernel: $output"
	caller=${output%% *}
	run "$UNSHARE_LITE" --new-keyring "$CTU_HELPERS/keyring"
	assert_success
	assert_output --regexp '^[0-9]+ _ses$'
	[ "${output%% *}" != "$caller" ]
	run "$UNSHARE_LITE" -U -r -f -p --new-keyring=ctu-ring-$CTU_RUN_ID "$CTU_HELPERS/keyring"
	assert_success
	assert_output --regexp "^[0-9]+ ctu-ring-$CTU_RUN_ID\$"
	[ "${output%% *}" != "$caller" ]
	# without the option the program shares ours
	run "$UNSHARE_LITE" -u "$CTU_HELPERS/keyring"
	assert_output --regexp "^$caller "
	run -125 "$UNSHARE_LITE" --new-keyring= true
	assert_output --partial "invalid --new-keyring name: ''"
	run -125 "$UNSHARE_LITE" --new-keyring="$(printf 'n%.0s' {1..256})" true
	assert_output --partial "invalid --new-keyring name"
}

# --- --monotonic / --boottime SECS[.NS] ---------------------------------------------

@test "--monotonic and --boottime take fractions of a second, negative ones too" {
	require_kernel_feature timens
	run "$UNSHARE_LITE" -T --monotonic 100.5 --boottime -1.25 cat /proc/self/timens_offsets
	assert_success
	assert_line --regexp '^monotonic +100 +500000000$'
	assert_line --regexp '^boottime +-2 +750000000$'
	run "$UNSHARE_LITE" -T --monotonic 3.000000001 --boottime +7 cat /proc/self/timens_offsets
	assert_line --regexp '^monotonic +3 +1$'
	assert_line --regexp '^boottime +7 +0$'
	for bad in 1. .5 1.1234567890 1e3 - 1.5.5 ' 1' 9223372036854775807; do
		run -125 "$UNSHARE_LITE" -T --monotonic "$bad" true
		assert_output --partial "invalid monotonic offset: '$bad'"
	done
}

# --- nsenter-lite --detach and --info-fd ---------------------------------------------

# start_target: a process in a pid and uts namespace of its own, $TARGET.
start_target() {
	"$UNSHARE_LITE" -f -p -u --detach --hostname ctu-target --pidfile "$T/target" sleep 1000
	TARGET=$(cat "$T/target")
	ctu_cleanup_add pid "$TARGET"
}

@test "nsenter-lite -p --detach --info-fd: {\"pid\": N} is the child, now the subreaper's" {
	require_cmd jq
	start_target
	mkfifo "$T/go"
	start_subreaper --show "$T/info" "$NSENTER_LITE" -t "$TARGET" -p -u --detach --info-fd 3 \
		sh -c "read x <'$T/go'; exit 5" 3>"$T/info"
	for ((i = 0; i < 100; i++)); do grep -q '^started ' "$T/reaper" && break; sleep 0.1; done
	started=$(awk '$1 == "started" { print $2 }' "$T/reaper")
	ctu_cleanup_add pid "$started"
	wait_reaped "$started"
	grep -qx "reaped $started exit 0" "$T/reaper"
	pid=$(jq -er .pid "$T/info")
	ctu_cleanup_add pid "$pid"
	[ "$(jq -c . "$T/info")" = "{\"pid\":$pid}" ]
	grep -q "^file $T/info {\"pid\": $pid}" "$T/reaper"
	# the kernel: N is ours, the process is in the target's pid ns, the subreaper's child
	nspid=$(field "$pid" NSpid)
	[[ "$nspid" =~ ^$pid\ [0-9]+$ ]]
	[ "$(ctu_ns_inode "$pid" pid)" = "$(ctu_ns_inode "$TARGET" pid)" ]
	[ "$(ctu_ns_inode "$pid" uts)" = "$(ctu_ns_inode "$TARGET" uts)" ]
	[ "$(field "$pid" PPid)" = "$REAPER" ]
	echo go >"$T/go"
	wait_reaped "$pid"
	grep -qx "reaped $pid exit 5" "$T/reaper"
}

@test "nsenter-lite --info-fd without --detach: it waits and exits as the program; -F reports itself" {
	require_cmd jq
	start_target
	run "$NSENTER_LITE" -t "$TARGET" -p --info-fd 3 sh -c 'exit 6' 3>"$T/info"
	[ "$status" -eq 6 ]
	jq -e '.pid | type == "number"' "$T/info"
	# -F: no fork, the pid is nsenter-lite's own, which the program keeps
	run "$NSENTER_LITE" -t "$TARGET" -u -F --info-fd 3 sh -c 'echo $$' 3>"$T/info"
	assert_success
	[ "$(jq -r .pid "$T/info")" = "$output" ]
	# the fd is consumed: the program never sees it
	run run_clean_fds sh -c 'exec 3>"$0"; exec "$@"' "$T/info" \
		"$NSENTER_LITE" -t "$TARGET" -p -u --info-fd 3 "$CTU_HELPERS/list-fds"
	assert_output "0 1 2"
	jq -e .pid "$T/info"
	run run_clean_fds sh -c 'exec 3>"$0"; exec "$@"' "$T/info2" \
		"$UNSHARE_LITE" -f -u --detach --info-fd 3 --pidfile "$T/p2" \
		sh -c "'$CTU_HELPERS/list-fds' >'$T/fds.new'; mv '$T/fds.new' '$T/fds'"
	assert_success
	jq -e .pid "$T/info2"
	ctu_wait_for_file "$T/fds"
	[ "$(cat "$T/fds")" = "0 1 2" ]
}

@test "nsenter-lite --detach and --info-fd refuse what cannot work (125, nothing runs)" {
	start_target
	ctu_state_save "$T"
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run -125 "$NSENTER_LITE" $args touch "$T/ran"
		assert_output --partial "nsenter-lite: $msg"
		[ ! -e "$T/ran" ]
	done <<-EOF
		-t $TARGET -p -F --detach|--detach, --pty and --no-fork are mutually exclusive
		-t $TARGET -p --pty --detach|--detach, --pty and --no-fork are mutually exclusive
		-t $TARGET -p --info-fd 99|invalid --info-fd: '99': not an open file descriptor
		-t $TARGET -p --info-fd -1|invalid --info-fd: '-1'
		-t $TARGET -p --info-fd x|invalid --info-fd: 'x'
		--netns ctu-none --info-fd 1|--netns and --info-fd are mutually exclusive
		-t $TARGET --toolbox --detach|--toolbox and --detach are mutually exclusive
	EOF
	# --inspect makes nsenter-lite a plain tool: 2 for its usage errors
	run -2 "$NSENTER_LITE" -t "$TARGET" --inspect --info-fd 1
	assert_output --partial "nsenter-lite: --inspect and --info-fd are mutually exclusive"
	assert_state_unchanged
}

@test "--help of both tools names the new options" {
	run "$UNSHARE_LITE" --help
	for o in --detach --sysctl --new-keyring '<secs>[.<ns>]'; do assert_output --partial -- "$o"; done
	run "$NSENTER_LITE" --help
	for o in --detach --info-fd; do assert_output --partial -- "$o"; done
}
