#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun's process.terminal: the pty master sent to --console-socket (runc's
# protocol, received here by recvtty -l as conmon or containerd's shim would),
# for create, run -d and exec; and a foreground run or exec without a socket,
# whose terminal ctrun relays itself (lib/pty): from a pipe, and from a real
# terminal (tmux) that goes raw, lends its size, follows a resize and is
# restored.

load helpers
load helpers/ctrun
load helpers/pty

setup() {
	ct_setup
	require_tool "$CTU_HELPERS/recvtty"
	B=$T/bundle
	PTY_WORK=$T
	PTY_DIR=$(ctu_tmpdir)
}

teardown() {
	pty_stop
	ct_teardown
}

# listen NAME: recvtty -l at $T/NAME in the background, its output in $T/NAME.out
listen() {
	"$CTU_HELPERS/recvtty" -l "$T/$1" >"$T/$1.out" 2>"$T/$1.err" </dev/null &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/$1.err"
}

# wait_output NAME LINES: until $T/NAME.out has LINES lines (CRs dropped) or 10 s passed
wait_output() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(tr -d '\r' <"$T/$1.out" | wc -l)" -ge "$2" ] && break
		sleep 0.1
	done
	tr -d '\r' <"$T/$1.out"
}

@test "--console-socket: create sends the master, named /dev/pts/0, sized by consoleSize; start runs on it" {
	ct_bundle "$B" sh -c 'tty; stty size; readlink /proc/self/fd/2; echo done'
	ct_cfg "$B" '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
	listen sock
	ct_bg create --console-socket "$T/sock" -b "$B" "$ID"
	assert_equal "$(ct state "$ID" | jq -r .status)" created
	ct start "$ID"
	run wait_output sock 5
	assert_line --index 0 "console /dev/pts/0"
	assert_line --index 1 /dev/pts/0
	assert_line --index 2 "30 100"
	assert_line --index 3 /dev/pts/0
	assert_line --index 4 done
}

@test "--console-socket: create's stdout and stderr reach EOF when it returns (the waiting init holds neither: containerd's shim reads them to the end before start)" {
	ct_bundle "$B" sh -c 'echo done'
	ct_cfg "$B" '.process.terminal = true'
	listen sock
	# one pipe for both: read to EOF while the container waits at the barrier
	timeout 10 sh -c '"$@" </dev/null 2>&1 | cat' sh \
		"$CTRUN" --root "$CT_ROOT" create --console-socket "$T/sock" -b "$B" "$ID" >"$T/create.out" ||
		fail "create's output never ended: $(cat "$T/create.out")"
	assert_equal "$(ct state "$ID" | jq -r .status)" created
	ct start "$ID"
	run wait_output sock 2
	assert_line --index 1 done
}

@test "--console-socket: run -d and exec -t get terminals of the container's devpts" {
	ct_bundle "$B"
	ct_cfg "$B" '.process.terminal = true'
	listen init
	ct_bg run -d --console-socket "$T/init" -b "$B" "$ID"
	run wait_output init 1
	assert_line --index 0 "console /dev/pts/0"
	listen exec
	run ct exec -t --console-socket "$T/exec" "$ID" sh -c 'tty; exit 4'
	assert_failure 4
	run wait_output exec 2
	assert_line --index 0 "console /dev/pts/1"
	assert_line --index 1 /dev/pts/1
	# exec -d with a socket, and a process.json with terminal, the same way
	listen exec2
	jq -n '{terminal: true, args: ["tty"], cwd: "/", user: {uid: 0, gid: 0}}' >"$T/process.json"
	ct_bg exec -d --console-socket "$T/exec2" -p "$T/process.json" "$ID"
	run wait_output exec2 2
	assert_line --index 0 "console /dev/pts/1"
	assert_line --index 1 /dev/pts/1
}

@test "foreground run and exec without a socket: ctrun relays the terminal; input, output and exit status pass" {
	ct_bundle "$B" sh -c 'tty; read x; echo "got $x"; exit 3'
	ct_cfg "$B" '.process.terminal = true'
	run bash -c "echo hello | '$CTRUN' --root '$CT_ROOT' run -b '$B' '$ID' | tr -d '\r'"
	assert_success
	assert_line /dev/pts/0
	assert_line "got hello"
	run bash -c "echo hello | '$CTRUN' --root '$CT_ROOT' run -b '$B' '$ID' >/dev/null"
	assert_failure 3
	ct_assert_nothing_left
	ct_cfg "$B" '.process.terminal = false | .process.args = ["sleep", "1000"]'
	ct_bg run -d -b "$B" "$ID"
	run bash -c "echo again | '$CTRUN' --root '$CT_ROOT' exec -t '$ID' sh -c 'tty; read x; echo \"got \$x\"; exit 5' | tr -d '\r'"
	assert_line /dev/pts/0
	assert_line "got again"
	run bash -c "'$CTRUN' --root '$CT_ROOT' exec -t '$ID' sh -c 'exit 5' </dev/null >/dev/null"
	assert_failure 5
}

@test "foreground run on a real terminal: raw while it runs, its size lent and followed, restored after" {
	pty_require
	ct_bundle "$B" sh -c 'stty size; stty -a | grep -o -- "-icanon\|icanon" | head -n1
		trap "stty size; exit 7" WINCH; echo armed; while :; do sleep 0.1; done'
	ct_cfg "$B" '.process.terminal = true'
	pty_script "'$CTRUN' --root '$CT_ROOT' run -b '$B' '$ID'"
	pty_wait '^armed'
	# the outer terminal is raw meanwhile: no echo, no canonical mode
	stty -a <"$PTY_TTY" | grep -q -- '-icanon' || fail "the outer terminal is not raw"
	pty_tmux resize-window -t ctu -x 100 -y 30
	pty_script_wait
	[ "$PTY_RC" = 7 ]
	run pty_screen
	assert_line "24 80"
	assert_line icanon
	assert_line "30 100"
	assert_stty_restored
	ct_assert_nothing_left
}

@test "terminal errors: no socket for create, run -d or exec -d; a socket without terminal; nobody listening" {
	ct_bundle "$B"
	ct_cfg "$B" '.process.terminal = true'
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output "ctrun: create: process.terminal is true: --console-socket is required"
	ct_assert_nothing_left
	run ct run -d -b "$B" "$ID"
	assert_failure 1
	assert_output "ctrun: run: process.terminal is true: --console-socket is required"
	ct_assert_nothing_left
	run ct create --console-socket "$T/nobody" -b "$B" "$ID"
	assert_failure 1
	assert_output "ctrun: create: --console-socket $T/nobody: No such file or directory"
	ct_assert_nothing_left
	ct_cfg "$B" '.process.terminal = false'
	run ct create --console-socket "$T/nobody" -b "$B" "$ID"
	assert_failure 1
	assert_output "ctrun: create: --console-socket given but process.terminal is false"
	ct_assert_nothing_left
	ct_bg run -d -b "$B" "$ID"
	run ct exec -d -t "$ID" true
	assert_failure 1
	assert_output "ctrun: exec: process.terminal is true: --console-socket is required"
	run ct exec --console-socket "$T/nobody" "$ID" true
	assert_failure 1
	assert_output "ctrun: exec: --console-socket given but process.terminal is false"
}
