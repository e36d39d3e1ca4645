#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgctl on the real kernel of this host (hybrid here: v1 controllers and a
# unified hierarchy; pure v2 in the VM suite) and on fake v2 trees (--root).
# Cgroups are made only below our own (--self), and every test removes its.

load helpers

setup() {
	require_root
	require_tool "$CGCTL"
	T=$(ctu_tmpdir)
	CG=$(ctu_name cg)
	G=("$CGCTL" --self)
}

teardown() {
	"$CGCTL" --self delete -r --kill "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

# The directory of our cgroup $CG in the hierarchy holding controller $1 (v2: "").
cg_dir() {
	local ctrl=${1:-} line mnt path
	if [ -z "$ctrl" ] || ! grep -qw "$ctrl" <(findmnt -n -o OPTIONS -t cgroup); then
		mnt=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
		path=$(sed -n 's/^0:://p' /proc/self/cgroup)
	else
		mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk -v c="$ctrl" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
		path=$(awk -F: -v c="$ctrl" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3}' /proc/self/cgroup)
	fi
	echo "$mnt${path%/}/$CG"
}

is_v1() {
	findmnt -n -o OPTIONS -t cgroup | grep -qw "$1"
}

@test "create with settings makes the cgroup in every hierarchy, with v1 translation" {
	run "${G[@]}" create "$CG" --memory 80M --pids 8 --cpus 0.05 --cpu-weight 100
	assert_success
	for ctrl in memory pids cpu; do
		[ -d "$(cg_dir $ctrl)" ]
	done
	[ -d "$(cg_dir)" ]
	if is_v1 memory; then
		[ "$(cat "$(cg_dir memory)/memory.limit_in_bytes")" = 83886080 ]
		[ "$(cat "$(cg_dir cpu)/cpu.cfs_quota_us")" = 5000 ]
		[ "$(cat "$(cg_dir cpu)/cpu.cfs_period_us")" = 100000 ]
		[ "$(cat "$(cg_dir cpu)/cpu.shares")" = 1024 ]
	else
		[ "$(cat "$(cg_dir)/memory.max")" = 83886080 ]
		[ "$(cat "$(cg_dir)/cpu.max")" = "5000 100000" ]
	fi
	[ "$(cat "$(cg_dir pids)/pids.max")" = 8 ]
	# get speaks v2 names and values everywhere
	run "${G[@]}" get "$CG" memory.max cpu.max cpu.weight pids.max
	assert_success
	assert_line --regexp '^memory.max +83886080$'
	assert_line --regexp '^cpu.max +5000 100000$'
	assert_line --regexp '^cpu.weight +100$'
	assert_line --regexp '^pids.max +8$'
	# an existing cgroup is fine, like mkdir -p; --exclusive refuses it
	"${G[@]}" create "$CG"
	run -1 "${G[@]}" create --exclusive "$CG"
	assert_output --partial "cgctl: cgroup $CG exists already"
}

@test "set validates every value before writing any, and max means no limit" {
	"${G[@]}" create "$CG" --memory 64M
	run -2 "${G[@]}" set "$CG" --memory 32M -s cpu.weight=0
	assert_output --partial "cgctl: invalid setting 'cpu.weight=0': expected a weight from 1 to 10000"
	run "${G[@]}" get "$CG" memory.max
	assert_line --regexp '^memory.max +67108864$'
	"${G[@]}" set "$CG" memory.max=max pids.max=100
	run "${G[@]}" get -J "$CG" memory.max pids.max
	[ "$(jq -r '.settings[] | select(.key == "memory.max") | .value' <<<"$output")" = max ]
	[ "$(jq -r '.settings[] | select(.key == "pids.max") | .value' <<<"$output")" = 100 ]
}

@test "a setting the kernel refuses is named, and a failed create leaves nothing" {
	ctu_state_save
	run -1 "${G[@]}" create "$CG" --memory 64M -s cpu.bogus_file=1
	assert_output --partial "cgctl: cannot set cpu.bogus_file: no file cpu.bogus_file"
	assert_state_unchanged
	if is_v1 memory; then
		run -1 "${G[@]}" create "$CG" --memory-high 10M
		assert_output --partial "cgctl: cannot set memory.high: it has no equivalent in the cgroup v1 memory controller"
		assert_state_unchanged
	fi
}

@test "attach, procs, which and stat" {
	"${G[@]}" create "$CG"
	sleep 1000 >/dev/null 2>&1 3>&- &
	pid=$!
	ctu_cleanup_add pid $pid
	"${G[@]}" attach "$CG" "$pid"
	run "${G[@]}" procs "$CG"
	assert_line --regexp "^ *$pid +sleep +/$CG\$"
	run "${G[@]}" procs -J "$CG"
	[ "$(jq -r '.processes[0].pid' <<<"$output")" = "$pid" ]
	run "${G[@]}" which "$pid"
	assert_success
	# one line per hierarchy: the unified one, and each v1 one on hybrid hosts
	if is_v1 memory; then
		[ "$(grep -c "/$CG\$" <<<"$output")" -ge 2 ]
	else
		[ "$(grep -c "/$CG\$" <<<"$output")" -eq 1 ]
	fi
	run "${G[@]}" stat -J "$CG"
	[ "$(jq -r '.stat[] | select(.key == "populated") | .value' <<<"$output")" = 1 ]
	[ "$(jq -r '.stat[] | select(.key == "pids.current") | .value' <<<"$output")" = 1 ]
	run -1 "${G[@]}" attach "$CG" 2147483647
	assert_output --partial "cgctl: cannot move 2147483647 into $CG: no such process"
}

@test "exec runs the program inside, creating the cgroup; exit status is its" {
	run "${G[@]}" exec "$CG" --pids 50 -- cat /proc/self/cgroup
	assert_success
	! is_v1 pids || assert_line --regexp "pids:.*/$CG\$"
	assert_line --regexp "^0::.*/$CG\$"
	run -3 "${G[@]}" exec "$CG" -- sh -c 'exit 3'
	run -127 "${G[@]}" exec "$CG" -- /no/such/program
	run --separate-stderr bash -c "'$CGCTL' --self exec '$CG' -- sh -c 'kill -TERM \$\$'; echo \$?"
	assert_output 143
}

@test "exec --rm: the program starts inside, the cgroup goes when it ends, whatever was left is killed" {
	# the program, and a daemon it leaves behind, are inside; its exit status is ours
	run -3 "${G[@]}" exec --rm "$CG" --pids 50 -- sh -c \
		"sleep 300 & echo \$! >'$T/daemon'; cat /proc/self/cgroup >'$T/cgroups'; exit 3"
	! is_v1 pids || grep -Eq "pids:.*/$CG\$" "$T/cgroups"
	grep -Eq "^0::.*/$CG\$" "$T/cgroups"
	# the daemon was killed (it was ours, by its pid) and the cgroup removed everywhere
	local state
	state=$(awk '{ print $3 }' "/proc/$(cat "$T/daemon")/stat" 2>/dev/null || echo gone)
	[[ $state == Z || $state == gone ]]
	[ ! -e "$(cg_dir)" ]
	! is_v1 pids || [ ! -e "$(cg_dir pids)" ]
	# a signal to cgctl reaches the program; its death is ours, and nothing is left
	"${G[@]}" exec --rm "$CG" -- sleep 300 &
	local waiter=$!
	for _ in $(seq 100); do [ -s "$(cg_dir)/cgroup.procs" ] && break; sleep 0.05; done
	kill -TERM "$waiter"
	local rc=0
	wait "$waiter" || rc=$?
	assert_equal "$rc" 143
	[ ! -e "$(cg_dir)" ]
	# on v2 the kernel places the child (clone3 CLONE_INTO_CGROUP): no cgroup.procs write
	if command -v strace >/dev/null; then
		strace -f -e trace=clone3,openat -o "$T/strace" "${G[@]}" exec --rm "$CG" -- true
		grep -q 'CLONE_INTO_CGROUP' "$T/strace"
		run grep -F "\"$(cg_dir)/cgroup.procs\", O_WRONLY" "$T/strace"
		assert_failure
	fi
}

@test "exec --rm refuses a cgroup that exists: it removes only one it made" {
	"${G[@]}" create "$CG"
	run -125 "${G[@]}" exec --rm "$CG" -- true
	assert_output --partial "$CG"
	assert_output --partial "exists"
	# the cgroup is still there, untouched
	[ -d "$(cg_dir)" ]
	# a program that cannot start: 127, and the cgroup it made is gone
	"${G[@]}" delete "$CG"
	run -127 "${G[@]}" exec --rm "$CG" -- /no/such/program
	[ ! -e "$(cg_dir)" ]
}

@test "limits are enforced: memory.max OOM-kills, and stat counts it" {
	run -137 "${G[@]}" exec "$CG" --memory 32M -- tail /dev/zero
	run "${G[@]}" stat "$CG"
	assert_line --regexp '^memory.events.oom_kill +[1-9][0-9]*$'
	# a count is a JSON number: jq compares it as one
	run "${G[@]}" stat --json "$CG"
	jq -e '.stat[] | select(.key == "memory.events.oom_kill") | .value >= 1' <<<"$output"
}

@test "limits are enforced: a fork bomb stops at pids.max" {
	"${G[@]}" create "$CG" --pids 8
	run "${G[@]}" exec "$CG" -- sh -c 'n=0; for i in $(seq 20); do sleep 3 & n=$((n+1)); done 2>/dev/null; sleep 0.5; kill -0 $$'
	pids_dir=$(cg_dir pids)
	# never more than 8 tasks, and the kernel counted the refusals
	[ "$(cat "$pids_dir/pids.current")" -le 8 ]
	grep -Eq '^max [1-9]' "$pids_dir/pids.events"
	"${G[@]}" kill "$CG"
	"${G[@]}" wait --timeout 10 "$CG"
}

@test "limits are enforced: --cpus 0.1 holds a busy loop near 10%, read from cpu.stat" {
	"${G[@]}" exec "$CG" --cpus 0.1 -- timeout 2 sh -c 'while :; do :; done' || true
	run "${G[@]}" stat -J "$CG"
	usage=$(jq -r '.stat[] | select(.key == "cpu.usage_usec") | .value' <<<"$output")
	throttled=$(jq -r '.stat[] | select(.key == "cpu.nr_throttled") | .value' <<<"$output")
	# 2 s of wall time at 10%: about 200 ms, far from the 2 s it would take unlimited
	[ "$usage" -gt 50000 ] && [ "$usage" -lt 600000 ]
	[ "$throttled" -gt 0 ]
}

@test "freeze stops every process, thaw resumes them" {
	"${G[@]}" create "$CG"
	"${G[@]}" exec "$CG" -- sh -c "while :; do date +%s%N >'$T/tick'; sleep 0.05; done" >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/tick"
	"${G[@]}" freeze "$CG"
	a=$(cat "$T/tick")
	sleep 0.5
	[ "$(cat "$T/tick")" = "$a" ]
	run "${G[@]}" stat -J "$CG"
	# v2 (the unified hierarchy here, the only one in the VM): cgroup.freeze
	freeze=$(cg_dir)/cgroup.freeze
	if [ -e "$freeze" ]; then
		[ "$(jq -r '.stat[] | select(.key == "frozen") | .value' <<<"$output")" = 1 ]
		[ "$(cat "$freeze")" = 1 ]
		grep -qx 'frozen 1' "$(cg_dir)/cgroup.events"
	fi
	"${G[@]}" thaw "$CG"
	[ ! -e "$freeze" ] || [ "$(cat "$freeze")" = 0 ]
	# thawed, the loop ticks again. CI's VMs run under TCG beside two other
	# test runs, where one fork and exec of date took more than 10 s: allow 60,
	# and say what the kernel reported if it still did not tick.
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(cat "$T/tick")" != "$a" ] && break
		sleep 0.1
	done
	if [ "$(cat "$T/tick")" = "$a" ]; then
		echo "tick still '$a'; cgroup.events:"; cat "$(cg_dir)/cgroup.events" 2>&1
		for p in $(cat "$(cg_dir)/cgroup.procs"); do
			echo "$p: $(cut -d' ' -f3 "/proc/$p/stat" 2>&1) $(tr '\0' ' ' <"/proc/$p/cmdline" 2>&1)"
		done
		false
	fi
}

@test "kill with a signal, kill -r of a subtree, and wait for the end" {
	"${G[@]}" create "$CG/child"
	"${G[@]}" exec "$CG" -- sh -c "trap 'echo got-term >$T/term; exit 0' TERM; echo >$T/trapped; while :; do sleep 0.1; done" >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	"${G[@]}" exec "$CG/child" -- sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/trapped"
	"${G[@]}" kill -s TERM "$CG"
	for _ in $(seq 50); do [ -s "$T/term" ] && break; sleep 0.1; done
	[ "$(cat "$T/term")" = got-term ]
	run "${G[@]}" procs -r "$CG"
	assert_line --regexp 'sleep'
	"${G[@]}" kill -r "$CG"
	run "${G[@]}" wait --timeout 5 "$CG"
	assert_success
	run "${G[@]}" procs -r -n "$CG"
	refute_output --regexp '[0-9]'
}

@test "wait times out while processes live" {
	"${G[@]}" create "$CG"
	"${G[@]}" exec "$CG" -- sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	sleep 0.3
	run -1 "${G[@]}" wait --timeout 300ms "$CG"
	assert_output "cgctl: $CG still has processes after the timeout"
}

@test "delete: refuses a cgroup with processes naming them, --kill, -r for children" {
	"${G[@]}" create "$CG/a/b"
	"${G[@]}" exec "$CG/a" -- sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	sleep 0.3
	run -2 "${G[@]}" delete "$CG/a/b/../b"
	assert_output --partial "invalid cgroup path"
	run -1 "${G[@]}" delete -r "$CG"
	assert_output --regexp "cgctl: cgroup $CG has processes \([0-9]+\): stop them first, or use --kill"
	run -1 "${G[@]}" delete --kill "$CG"
	assert_output --partial "it has child cgroups; use -r"
	run "${G[@]}" delete -r --kill "$CG"
	assert_success
	for ctrl in "" memory pids cpu; do [ ! -e "$(cg_dir $ctrl)" ]; done
	run -1 "${G[@]}" delete "$CG"
	assert_output --partial "cgctl: no cgroup $CG"
}

@test "ls shows the tree with limits; --json is valid; -o picks columns" {
	"${G[@]}" create "$CG/web" --memory 64M --pids 10
	"${G[@]}" create "$CG/db"
	run "${G[@]}" ls "$CG"
	assert_success
	assert_line --regexp "^$CG "
	# sizes for people; -b (before or after the command) in bytes
	assert_line --regexp 'web +0 .* 64M .* 10 '
	run "${G[@]}" ls -b "$CG"
	assert_line --regexp 'web +0 .* 67108864 .* 10 '
	run "$CGCTL" -b --self ls "$CG"
	assert_line --regexp 'web +0 .* 67108864 .* 10 '
	run "${G[@]}" ls -J "$CG"
	[ "$(jq -r '.cgroups[0].children | length' <<<"$output")" = 2 ]
	run "${G[@]}" ls -o path,pids.max --noheadings "$CG"
	assert_line --regexp 'web +10$'
	run -2 "${G[@]}" ls -o bogus "$CG"
	assert_output --partial "unknown column 'bogus'"
}

@test "top -b prints CPU, memory and pids per cgroup" {
	"${G[@]}" create "$CG/busy"
	"${G[@]}" exec "$CG/busy" -- timeout 3 sh -c 'while :; do :; done' >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	run "${G[@]}" top -b -n 1 -d 500ms "$CG"
	assert_success
	assert_line --index 0 --regexp '^CGROUP +CPU% +MEMORY +PIDS$'
	# the busy one uses CPU (and its parent, which counts it, as much)
	assert_line --regexp "^$CG/busy +[1-9][0-9]*\.[0-9]"
}

@test "the tutorial's steps are one cgctl command each" {
	# exec: the pid attached and killed in teardown is the sleep itself, no child outlives it
	sh -c 'exec sleep 1000' >/dev/null 2>&1 3>&- &
	shell=$!
	ctu_cleanup_add pid $shell
	"${G[@]}" -c cpu,memory,blkio,devices,freezer create "$CG"
	"${G[@]}" attach "$CG" "$shell"
	"${G[@]}" set "$CG" --cpus 0.05
	"${G[@]}" set "$CG" --memory 80M
	run "${G[@]}" stat "$CG"
	assert_line --regexp '^memory.current +[0-9.]+[BKMGTPE]$'
	"${G[@]}" kill "$CG"
	"${G[@]}" wait --timeout 5 "$CG"
	run kill -0 "$shell"
	assert_failure
}

@test "unified hierarchy: cgroup.kill, cgroup.freeze and cgroup.events are used" {
	v2=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
	[ -n "$v2" ] || ctu_skip "no cgroup2 mount"
	"${G[@]}" create "$CG"
	[ -e "$(cg_dir)/cgroup.kill" ] || ctu_skip "no cgroup.kill (Linux 5.14)"
	"${G[@]}" exec "$CG" -- sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	sleep 0.3
	"${G[@]}" freeze "$CG"
	grep -qx 'frozen 1' "$(cg_dir)/cgroup.events"
	"${G[@]}" thaw "$CG"
	grep -qx 'frozen 0' "$(cg_dir)/cgroup.events"
	"${G[@]}" kill "$CG"
	"${G[@]}" wait --timeout 5 "$CG"
	grep -qx 'populated 0' "$(cg_dir)/cgroup.events"
}

# --- fake v2 trees: the v2 logic that this hybrid host cannot show -----------------

# fake_tree DIR CONTROLLERS: a cgroup2-like root of regular files.
fake_tree() {
	mkdir -p "$1"
	echo "$2" >"$1/cgroup.controllers"
	: >"$1/cgroup.subtree_control"
	: >"$1/cgroup.procs"
}

@test "fake v2 tree: controllers are enabled in every ancestor, root down" {
	F=$T/fake
	fake_tree "$F" "cpu io memory pids"
	mkdir -p "$F/a/b/c"
	for d in a a/b; do : >"$F/$d/cgroup.subtree_control"; : >"$F/$d/cgroup.procs"; done
	: >"$F/a/b/c/memory.max"
	: >"$F/a/b/c/pids.max"
	run "$CGCTL" --root "$F" create a/b/c --memory 64M --pids 5
	assert_success
	[ "$(cat "$F/cgroup.subtree_control")" = "+memory +pids" ]
	[ "$(cat "$F/a/cgroup.subtree_control")" = "+memory +pids" ]
	[ "$(cat "$F/a/b/cgroup.subtree_control")" = "+memory +pids" ]
	[ "$(cat "$F/a/b/c/memory.max")" = 67108864 ]
	[ "$(cat "$F/a/b/c/pids.max")" = 5 ]
	# v2 values stay v2: max, never -1
	run env CGCTL_ROOT="$F" "$CGCTL" set a/b/c --memory max
	assert_success
	[ "$(cat "$F/a/b/c/memory.max")" = max ]
}

@test "fake v2 tree: set enables the controllers its settings need, like create" {
	F=$T/fake
	fake_tree "$F" "cpu memory pids"
	"$CGCTL" --root "$F" create x
	[ -z "$(cat "$F/cgroup.subtree_control")" ]
	: >"$F/x/cpu.max"
	run "$CGCTL" --root "$F" set x --cpus 0.5
	assert_success
	[ "$(cat "$F/cgroup.subtree_control")" = "+cpu" ]
	[ "$(cat "$F/x/cpu.max")" = "50000 100000" ]
}

@test "fake v2 tree: the 'no internal processes' rule is explained" {
	F=$T/fake
	fake_tree "$F" "cpu memory"
	mkdir -p "$F/busy"
	: >"$F/busy/cgroup.subtree_control"
	echo 4242 >"$F/busy/cgroup.procs"
	ctu_state_save "$F"
	run -1 "$CGCTL" --root "$F" create busy/leaf --memory 10M
	assert_output --partial "cgctl: cannot enable memory below $F/busy: it has processes (4242)"
	assert_output --partial "'no internal processes' rule"
	assert_output --partial "mkdir $F/busy/init"
	assert_state_unchanged
}

@test "fake v2 tree: a missing interface file is named, nothing is left" {
	F=$T/fake
	fake_tree "$F" "memory"
	ctu_state_save "$F"
	run -1 "$CGCTL" --root "$F" create x --memory 10M
	assert_output --partial "cgctl: cannot set memory.max: no file memory.max in $F/x"
	assert_state_unchanged
}

@test "bad input: exit 2 for usage, 1 for failures, the value named" {
	"${G[@]}" create "$CG"
	while IFS='|' read -r rc args message; do
		# shellcheck disable=SC2086
		run "${G[@]}" $args
		[ "$status" -eq "$rc" ] || fail "'$args' exited $status, not $rc: $output"
		assert_output --partial "cgctl: $message"
	done <<-EOF
		2|create $CG --memory 12Q|invalid --memory '12Q': expected a size
		2|create $CG --memory -1|invalid --memory '-1'
		2|create $CG --pids -5|invalid --pids '-5'
		2|create $CG --cpus 0|invalid --cpus '0'
		2|create $CG --cpus abc|invalid --cpus 'abc'
		2|create $CG --cpu-weight 0|invalid --cpu-weight '0'
		2|create $CG --cpuset 3-1|invalid --cpuset '3-1'
		2|set $CG bogus|invalid setting 'bogus': expected KEY=VALUE
		2|set $CG|no setting given
		1|set $CG -s nosuchctl.max=5|cannot set nosuchctl.max: no nosuchctl controller
		1|get ctu-no-such-cgroup|no cgroup ctu-no-such-cgroup
		2|create cgroup.procs|invalid cgroup path 'cgroup.procs'
		2|create $CG/memory.x|invalid cgroup path '$CG/memory.x'
		2|create ../escape|invalid cgroup path '../escape'
		2|create|no cgroup path given
		2|bogus|unknown command 'bogus'
		2|kill -s NOPE $CG|unknown signal 'NOPE'
		2|wait --timeout soon $CG|invalid --timeout 'soon'
		2|attach $CG abc|invalid pid 'abc'
		2|which 0|invalid pid '0'
		1|which 2147483647|no process 2147483647
		2|top -n 0|invalid --iterations '0'
		2|--bogus ls|unrecognized option '--bogus'
	EOF
	run -2 "$CGCTL" --root "$T/nonexistent" ls
	assert_output --partial "invalid --root '$T/nonexistent': not a directory"
	run -2 "$CGCTL"
	assert_output --partial "no command given"
}

@test "--help and --version" {
	run --separate-stderr "$CGCTL" --help
	assert_success
	assert_output --partial "freeze <path>"
	run "$CGCTL" --version
	assert_output --regexp '^cgctl from ctutils [0-9.]+$'
}

# --- issue 18: command --help, options anywhere, typed JSON, sizes -----------------

# The commands, from cgctl --help's list (the command table of cgctl.c).
commands() {
	"$CGCTL" --help | sed -n '/^Commands:/,/^$/p' | grep -oE '^ [a-z]+|\| [a-z]+' | tr -d ' |'
}

@test "every command's --help and -h print its usage on stdout, exit 0, and do nothing else" {
	ctu_state_save "$T"
	subs=$(commands)
	[ "$(wc -l <<<"$subs")" -eq 15 ] || fail "commands: $subs"
	for sub in $subs; do
		for args in "$sub --help" "$sub -h" "--self $sub $CG --help" "$sub $CG -J -h"; do
			# shellcheck disable=SC2086
			run --separate-stderr "$CGCTL" $args
			[ "$status" -eq 0 ] || fail "cgctl $args: exit $status: $stderr"
			[ -z "$stderr" ] || fail "cgctl $args: stderr: $stderr"
			[[ $output == $'\nUsage:\n cgctl '"$sub "* ]] || fail "cgctl $args: ${output:0:80}"
			assert_output --partial "Global options (before or after the command):"
			assert_output --partial " -h, --help "
		done
	done
	# each tells its own options
	run "$CGCTL" create --help
	assert_output --partial "--exclusive"
	assert_output --partial "--memory <size>"
	refute_output --partial "--iterations"
	run "$CGCTL" top --help
	assert_output --partial "--iterations"
	# the global usage before the command, and for none
	run "$CGCTL" -h create
	assert_output --partial "Commands:"
	# the program's --help is the program's
	run "${G[@]}" exec "$CG" -- sh -c 'echo "$1"' sh --help
	assert_success
	assert_output -- "--help"
	[ -d "$(cg_dir)" ]
	"${G[@]}" delete "$CG"
	assert_state_unchanged
}

@test "a usage error in a command ends with Try 'cgctl COMMAND --help'" {
	while IFS='|' read -r rc try args; do
		# shellcheck disable=SC2086
		run --separate-stderr "$CGCTL" $args
		[ "$status" -eq "$rc" ] || fail "cgctl $args: exit $status, not $rc"
		[ "${stderr_lines[-1]}" = "Try '$try --help' for more information." ] ||
			fail "cgctl $args: $stderr"
		[ "${#stderr_lines[@]}" -eq 2 ] || fail "cgctl $args: $stderr"
	done <<-EOF
		2|cgctl create|--self create --bogus $CG
		2|cgctl create|--self create $CG --memory 12Q
		2|cgctl stat|stat
		2|cgctl ls|ls -o nope
		2|cgctl top|top -n 0
		2|cgctl kill|--self kill -s NOPE $CG
		2|cgctl which|which junk
		125|cgctl exec|--self exec $CG --pids junk -- true
		2|cgctl|--bogus ls
		2|cgctl|nosuchcommand
	EOF
	# a failure is no usage error: no Try line
	run --separate-stderr "${G[@]}" stat "$CG"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "global options before and after the command, as users write them" {
	ctrls=memory,pids
	run "$CGCTL" --self create "$CG" -c "$ctrls" --json
	assert_success
	[ -d "$(cg_dir pids)" ]
	[ -d "$(cg_dir memory)" ]
	# -c after the command too (on pure v2 it enables them for b)
	run "$CGCTL" create "$CG/b" --self -c "$ctrls"
	assert_success
	[ -d "$(cg_dir pids)/b" ]
	run "$CGCTL" ls "$CG" -c "$ctrls" --self --json
	assert_success
	jq -e '.cgroups[0].children[0].path == "b"' <<<"$output"
	run "$CGCTL" stat --self -J "$CG/b"
	jq -e '.stat | length > 0' <<<"$output"
	run "$CGCTL" get "$CG/b" pids.max --self --noheadings --raw
	assert_output "pids.max max"
	run "$CGCTL" --self -c "$ctrls" delete -r "$CG"
	assert_success
	[ ! -d "$(cg_dir pids)" ]
}

@test "--json: numbers are numbers, a limit that can be max is a string, absent is null" {
	"${G[@]}" create "$CG/web" --memory 64M --pids 10
	"${G[@]}" exec "$CG/web" -- sleep 1000 >/dev/null 2>&1 3>&- &
	pid=$!
	ctu_cleanup_add pid $pid
	sleep 0.3
	run "${G[@]}" stat --json "$CG/web"
	assert_success
	jq -e '([.stat[].value | type == "number"] | all) and
		(.stat | map({(.key): .value}) | add | .["pids.current"] == 1 and .populated == 1 and
		 .["memory.current"] > 0)' <<<"$output"
	run "${G[@]}" ls --json "$CG"
	assert_success
	# the parent's limits: "max", or null where (pure v2) its own parent enables no controller for it
	jq -e '.cgroups[0] | (.procs | type == "number") and
		(.["memory.max"] == "max" or .["memory.max"] == null) and
		(.["pids.max"] == "max" or .["pids.max"] == null) and (.children[0] | .path == "web" and .procs == 1 and
		.["pids.current"] == 1 and (.["memory.current"] | type == "number") and
		.["memory.max"] == "67108864" and .["pids.max"] == "10" and
		(.["cpu.max"] | type == "string" or type == "null"))' <<<"$output"
	run "${G[@]}" procs --json "$CG/web"
	jq -e ".processes[0].pid == $pid and (.processes[0].comm | type == \"string\")" <<<"$output"
	run "${G[@]}" which --json "$pid"
	jq -e '[.cgroups[] | (.hierarchy, .controllers, .cgroup) | type == "string"] | all' <<<"$output"
	run "${G[@]}" get --json "$CG/web" pids.max memory.max
	jq -e '[.settings[].value | type == "string"] | all' <<<"$output"
	jq -e '.settings[] | select(.key == "pids.max") | .value == "10"' <<<"$output"
	run "${G[@]}" top -b -n 1 -d 100ms --json "$CG"
	assert_success
	jq -e '[.top[] | (.["cpu%"], .memory, .pids) | type == "number"] | all' <<<"$output"
	jq -e ".top[] | select(.cgroup == \"$CG/web\") | .pids == 1" <<<"$output"
}

@test "fake v2 tree: what the host lacks is null in JSON, - on the screen" {
	F=$T/fake
	fake_tree "$F" "cpu pids"
	mkdir "$F/a"
	echo 3 >"$F/a/pids.current"
	echo max >"$F/a/pids.max"
	: >"$F/a/cgroup.procs"
	run "$CGCTL" --root "$F" ls --json
	assert_success
	jq -e '.cgroups[0].children[0] | .["memory.current"] == null and .["memory.max"] == null and .["pids.current"] == 3' <<<"$output"
	run "$CGCTL" --root "$F" top -b -n 1 -d 10ms --json
	assert_success
	jq -e '.top[] | select(.cgroup == "/a") | .memory == null and .pids == 3' <<<"$output"
	run "$CGCTL" --root "$F" top -b -n 1 -d 10ms
	assert_line --regexp '^/a +0\.0 +- +3$'
}

@test "sizes for people in ls, stat and top; -b/--bytes raw; JSON and get in bytes" {
	F=$T/fake
	fake_tree "$F" "memory pids"
	mkdir "$F/a"
	echo 67108864 >"$F/a/memory.current"
	echo 1610612736 >"$F/a/memory.max"
	echo 1610612736 >"$F/a/memory.peak"
	: >"$F/a/cgroup.procs"
	run "$CGCTL" --root "$F" ls -o path,memory.current,memory.max
	assert_line --regexp 'a +64M +1.5G$'
	for b in "-b ls" "ls -b" "ls --bytes" "--bytes ls"; do
		# shellcheck disable=SC2086
		run "$CGCTL" --root "$F" $b -o path,memory.current,memory.max
		assert_line --regexp 'a +67108864 +1610612736$'
	done
	run "$CGCTL" --root "$F" ls --json
	jq -e '.cgroups[0].children[0] | .["memory.current"] == 67108864 and .["memory.max"] == "1610612736"' <<<"$output"
	run "$CGCTL" --root "$F" stat a
	assert_line --regexp '^memory.current +64M$'
	assert_line --regexp '^memory.peak +1.5G$'
	run "$CGCTL" --root "$F" stat a --bytes
	assert_line --regexp '^memory.current +67108864$'
	run "$CGCTL" --root "$F" stat a --json
	jq -e '.stat[] | select(.key == "memory.peak") | .value == 1610612736' <<<"$output"
	# top's -b is --batch; --bytes, or -b before the command, gives bytes
	run "$CGCTL" --root "$F" top -b -n 1 -d 10ms
	assert_line --regexp '^/a +0\.0 +64M +'
	run "$CGCTL" --root "$F" top -b --bytes -n 1 -d 10ms
	assert_line --regexp '^/a +0\.0 +67108864 +'
	run "$CGCTL" --root "$F" -b top -b -n 1 -d 10ms
	assert_line --regexp '^/a +0\.0 +67108864 +'
	# get prints the interface files' values
	run "$CGCTL" --root "$F" get a memory.max
	assert_line --regexp '^memory.max +1610612736$'
}
