#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --pty (unshare-lite, nsenter-lite; pivot claims the terminal): a real
# terminal for the program, made in the devpts it sees, relayed by the tool's
# parent.  The outer terminal is a tmux pane (helpers/pty.bash): raw mode and
# its restore on every way out, the window size, job control and ^C inside,
# nothing of the caller's terminal reaching the program (TIOCSTI); without a
# terminal: pipes, EOF, exit status, all output arriving.  No tmux: the tests
# that need it skip (fail with CTU_MUST_WORK=1).

load helpers
load helpers/pty

setup() {
	require_root
	require_tool "$UNSHARE_LITE" "$NSENTER_LITE" "$PIVOT" "$CTU_HELPERS/tiocsti"
	T=$(ctu_tmpdir)
	PTY_WORK=$T
	PTY_DIR=$(ctu_tmpdir)
	ROOT=$T/root
	CG=$(ctu_name pty)
}

teardown() {
	pty_stop
	"$CGCTL" --self delete -r --kill "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

need_rootfs() {
	ctu_make_rootfs "$ROOT"
}

# The container of most tests: its own pid namespace and /proc, pivoted into
# the busybox rootfs with a /dev (and so a devpts of its own), an
# interactive busybox sh on the terminal; its pid in $D/pid.
CONTAINER='"$U" --pty -mpf --mount-proc --pidfile "$D/pid" -- "$P" "$D/root" --proc --dev -- /bin/sh'

# crlf_strip: what a pty wrote, with its \r\n line ends made \n
crlf_strip() {
	tr -d '\r'
}

# wait_pid_comm PIDFILE COMM: wait until the process in PIDFILE has exec'd COMM
wait_pid_comm() {
	local i pid
	for ((i = 0; i < 200; i++)); do
		pid=$(cat "$1" 2>/dev/null) || pid=
		[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	fail "the process in $1 (${pid:-none}) never became $2"
}

# interrupt KEY: a foreground sleep in the inner shell, ended by KEY; the
# status the shell saw then in PTY_OUT.  A shell drops the rest of a command
# line whose job died of SIGINT: the status is asked for on a line of its own.
interrupt() {
	pty_type 'sleep 100'
	pty_wait_proc sleep
	pty_keys "$1"
	pty_wait_gone sleep
	pty_run 'echo $?'
}

# strip_output: $output and $lines of the last `run` without the \r of a pty
strip_output() {
	output=$(crlf_strip <<<"$output")
	mapfile -t lines <<<"$output"
}

# --- the container's own terminal ------------------------------------------------

@test "pivoted container: tty is its own /dev/pts/0, /dev/console is it; nsenter-lite --pty gets /dev/pts/1" {
	pty_require
	need_rootfs
	ctu_state_save "$ROOT"
	pty_shell
	pty_inner "$CONTAINER"
	pty_run 'tty'
	[ "$PTY_OUT" = /dev/pts/0 ] || fail "tty inside: '$PTY_OUT'"
	pty_run 'ls -1 /dev/pts'
	[ "$PTY_OUT" = $'0\nptmx' ] || fail "ls /dev/pts inside: '$PTY_OUT'"
	# pivot --dev binds the slave onto /dev/console, as runc and crun do
	pty_run 'stat -L -c "%t:%T" /dev/console /dev/pts/0'
	[ "$(sed -n 1p <<<"$PTY_OUT")" = "$(sed -n 2p <<<"$PTY_OUT")" ] || fail "/dev/console is not the pty: $PTY_OUT"
	pty_run 'echo $$'
	[ "$PTY_OUT" = 1 ]
	# a second terminal into the same container, from outside, with no terminal of ours
	wait_pid_comm "$T/pid" sh
	run "$NSENTER_LITE" --pty --pidfile "$T/pid" -a tty </dev/null
	assert_success
	[ "$(crlf_strip <<<"$output")" = /dev/pts/1 ] || fail "nsenter-lite --pty --pidfile: '$output'"
	run "$NSENTER_LITE" --pty -t "$(cat "$T/pid")" -a tty </dev/null
	assert_success
	[ "$(crlf_strip <<<"$output")" = /dev/pts/1 ] || fail "nsenter-lite --pty -t: '$output'"
	# the first container's terminal is untouched by that
	pty_run 'tty'
	[ "$PTY_OUT" = /dev/pts/0 ]
	pty_keys C-d
	pty_inner_end
	[ "$PTY_RC" = 0 ] || fail "C-d: exit $PTY_RC"
	assert_state_unchanged
}

@test "nsenter-lite --pty -t PID -a in the pane: job control and exit status through the second terminal" {
	pty_require
	need_rootfs
	"$UNSHARE_LITE" -mpf --mount-proc --pidfile "$T/pid" -- "$PIVOT" "$ROOT" --proc --dev -- /bin/sleep 1000 &
	ctu_cleanup_add pid $!
	wait_pid_comm "$T/pid" sleep
	# the container's init too: the init of a pid namespace ignores the
	# SIGTERM unshare-lite passes on, and would outlive a killed unshare-lite
	ctu_cleanup_add pid "$(cat "$T/pid")"
	pty_shell
	pty_inner '"$N" --pty -t "$(cat "$D/pid")" -a /bin/sh'
	pty_run 'tty'
	[ "$PTY_OUT" = /dev/pts/0 ] || fail "tty inside: '$PTY_OUT'"
	pty_run 'ps -o pid,comm | grep -c sleep'
	[ "$PTY_OUT" = 1 ]
	interrupt C-c
	[ "$PTY_OUT" = 130 ] || fail "C-c: $PTY_OUT"
	pty_type 'exit 9'
	pty_inner_end
	[ "$PTY_RC" = 9 ]
	kill -0 "$(cat "$T/pid")"	# the container lives on
}

@test "stty size follows the window: 24 80, then 30 100 after resize-window; the foreground job gets SIGWINCH" {
	pty_require
	need_rootfs
	pty_shell
	pty_inner "$CONTAINER"
	pty_run 'stty size'
	[ "$PTY_OUT" = "24 80" ] || fail "size at start: '$PTY_OUT'"
	pty_resize 100 30
	# a foreground job that waits for SIGWINCH hears of the next resize
	pty_cmd "sh -c 'trap \"stty size; exit 0\" WINCH; echo armed; while :; do sleep 0.1; done'"
	pty_wait '^armed$'
	pty_tmux resize-window -t ctu -x 90 -y 20
	pty_done
	[ "$PTY_RC" = 0 ]
	assert_equal "$(tail -n1 <<<"$PTY_OUT")" "20 90"
	pty_keys C-d
	pty_inner_end
}

@test "job control inside: sleep 100 &, jobs, fg, C-z (Stopped), bg, kill %1" {
	pty_require
	need_rootfs
	pty_shell
	pty_inner "$CONTAINER"
	pty_run 'sleep 100 &'
	pty_run 'jobs'
	[[ $PTY_OUT == *Running*"sleep 100"* ]] || fail "jobs: '$PTY_OUT'"
	pty_cmd 'fg'
	pty_wait '^sleep 100$'
	sleep 0.3
	pty_keys C-z
	pty_done
	[ "$PTY_RC" = 148 ] || fail "fg after C-z: $PTY_RC"
	# the shell tells of the stopped job before its next prompt
	pty_wait 'Stopped +sleep 100'
	pty_run 'jobs'
	[[ $PTY_OUT == *Stopped*"sleep 100"* ]] || fail "jobs after C-z: '$PTY_OUT'"
	pty_run 'bg'
	pty_run 'jobs'
	[[ $PTY_OUT == *Running*"sleep 100"* ]] || fail "jobs after bg: '$PTY_OUT'"
	pty_run 'kill %1'
	[ "$PTY_RC" = 0 ]
	pty_run 'sleep 0.2; jobs; ps -o comm | grep -c "^sleep"'
	[ "$(tail -n1 <<<"$PTY_OUT")" = 0 ] || fail "sleep still there: '$PTY_OUT'"
	pty_keys C-d
	pty_inner_end
	[ "$PTY_RC" = 0 ]
}

@test "C-c kills only the inner foreground job; C-\\ is SIGQUIT; the prompt, the relay and the pane live" {
	pty_require
	need_rootfs
	pty_shell
	pty_inner "$CONTAINER"
	local relay
	relay=$(pty_relay_pid)
	interrupt C-c
	[ "$PTY_OUT" = 130 ] || fail "C-c: $PTY_OUT"
	pty_run 'echo alive'
	[ "$PTY_OUT" = alive ]
	kill -0 "$relay"
	[ "$(pty_relay_pid)" = "$relay" ]
	pty_dead && fail "the pane died"
	interrupt 'C-\'
	[ "$PTY_OUT" = 131 ] || fail "C-\\: $PTY_OUT"
	pty_run 'echo still'
	[ "$PTY_OUT" = still ]
	# ^S and ^D are bytes for the inner terminal too: C-d at its prompt ends it
	pty_keys C-d
	pty_inner_end
	[ "$PTY_RC" = 0 ]
	pty_run 'echo outer-ok'
	[ "$PTY_OUT" = outer-ok ]
}

# --- the outer terminal is restored on every way out ------------------------------

# start_restored CMD: CMD in the pane between two stty -g (pty_script), the
# rest of the test drives it; finish_restored STATUS [SECONDS] then waits for
# its end, checks its status and that the terminal is as before, and stops
# the server for the next one
start_restored() {
	pty_script "$1"
}
finish_restored() {
	pty_script_wait "${2:-}"
	[ "$PTY_RC" = "$1" ] || fail "exit status $PTY_RC, not $1; the pane:"$'\n'"$(pty_screen)"
	assert_stty_restored
	pty_stop
}

@test "stty -g is the same after: C-d (0), exit 7, exec of kill -TERM \$\$ (143), SIGKILL of the program (137)" {
	pty_require
	need_rootfs
	ctu_state_save "$ROOT"
	start_restored "PS1='inner# ' $CONTAINER"
	pty_wait '^inner#'
	# raw while the relay runs: no echo, no signals from the outer line discipline
	[ "$(pty_stty_now)" != "$(cat "$PTY_DIR/before")" ] || fail "the outer terminal is not raw"
	pty_keys C-d
	finish_restored 0

	start_restored "PS1='inner# ' $CONTAINER"
	pty_wait '^inner#'
	pty_type 'exit 7'
	finish_restored 7

	# an interactive sh ignores SIGTERM, and PID 1 would too: a program of its own
	start_restored "PS1='inner# ' \"\$U\" --pty -m -- \"\$P\" \"\$D/root\" --dev -- /bin/sh"
	pty_wait '^inner#'
	pty_type "exec sh -c 'kill -TERM \$\$'"
	finish_restored 143

	rm -f "$T/pid"
	start_restored "PS1='inner# ' $CONTAINER"
	pty_wait '^inner#'
	wait_pid_comm "$T/pid" sh
	kill -KILL "$(cat "$T/pid")"
	finish_restored 137
	assert_state_unchanged
}

@test "stty -g is the same after kill -TERM and kill -HUP of the relay, and after kill -TSTP + CONT" {
	pty_require
	start_restored '"$U" --pty -- cat'
	pty_wait_proc cat
	relay=$(pty_relay_pid)
	kill -TERM "$relay"
	finish_restored 143

	start_restored '"$U" --pty -- cat'
	pty_wait_proc cat
	relay=$(pty_relay_pid)
	kill -HUP "$relay"
	finish_restored 129

	start_restored '"$U" --pty -- cat'
	pty_wait_proc cat
	relay=$(pty_relay_pid)
	local raw i
	raw=$(pty_stty_now)
	[ "$raw" != "$(cat "$PTY_DIR/before")" ] || fail "the outer terminal is not raw"
	kill -TSTP "$relay"
	for ((i = 0; i < 100; i++)); do
		[ "$(awk '{ print $3 }' "/proc/$relay/stat")" = T ] && break
		sleep 0.05
	done
	[ "$(awk '{ print $3 }' "/proc/$relay/stat")" = T ] || fail "the relay did not stop on SIGTSTP"
	[ "$(pty_stty_now)" = "$(cat "$PTY_DIR/before")" ] || fail "stopped, the relay left the terminal: $(pty_stty_now)"
	kill -CONT "$relay"
	for ((i = 0; i < 100; i++)); do
		[ "$(pty_stty_now)" = "$raw" ] && break
		sleep 0.05
	done
	[ "$(pty_stty_now)" = "$raw" ] || fail "continued, the relay did not make the terminal raw again"
	# and it relays as before: typed text reaches cat, C-d ends it
	pty_tmux send-keys -t ctu -l 'after-cont'
	pty_keys Enter
	pty_wait '^after-cont$'
	pty_keys C-d
	finish_restored 0
}

@test "kill -TSTP of the relay in an interactive shell: Stopped, fg makes it relay again, the terminal as before" {
	pty_require
	pty_shell
	pty_run 'stty -g >"$R/before"'
	pty_cmd '"$U" --pty -- cat'
	pty_wait_proc cat
	local relay
	relay=$(pty_relay_pid)
	kill -TSTP "$relay"
	pty_done
	[[ $PTY_OUT == *Stopped* ]] || fail "no Stopped: $PTY_OUT"
	# 148: stopped by SIGTSTP; 147: by SIGSTOP (the shell says "Stopped (signal)")
	[ "$PTY_RC" = 148 ] || [ "$PTY_RC" = 147 ] || fail "status of the stopped job: $PTY_RC"
	pty_run 'stty -g >"$R/stopped"'
	assert_equal "$(cat "$PTY_DIR/stopped")" "$(cat "$PTY_DIR/before")"
	pty_cmd 'fg'
	pty_tmux send-keys -t ctu -l 'in-fg'
	pty_keys Enter
	pty_wait '^in-fg$'
	# raw again: C-d is a byte for the inner terminal, whose cat ends on it
	pty_keys C-d
	pty_done
	[ "$PTY_RC" = 0 ] || fail "fg: $PTY_RC"
	pty_run 'stty -g >"$R/after"'
	assert_equal "$(cat "$PTY_DIR/after")" "$(cat "$PTY_DIR/before")"
}

# --- errors: nothing claimed, the terminal untouched ------------------------------

@test "a failing pivot: its message on our stderr, 125, the terminal untouched" {
	pty_require
	need_rootfs
	ctu_state_save "$ROOT"
	start_restored '"$U" --pty -m -- "$P" "$D/nowhere" --dev -- /bin/sh 2>"$D/err"'
	finish_restored 125
	grep -q '^pivot: ' "$T/err" || fail "no pivot message on stderr: $(cat "$T/err")"
	# no /dev/ptmx in the new root (no --dev): refused before the program runs
	start_restored '"$U" --pty -m -- "$P" "$D/root" -- /bin/touch /ran 2>"$D/err"'
	finish_restored 125
	grep -q 'no /dev/ptmx in .*: a terminal needs --dev' "$T/err" || fail "message: $(cat "$T/err")"
	[ ! -e "$ROOT/ran" ]
	assert_state_unchanged
}

@test "error cases without a terminal: --pty -F, no /dev/ptmx, a bad CTU_CONSOLE_FD (125, nothing run)" {
	need_rootfs
	ctu_state_save "$ROOT"
	run -125 "$NSENTER_LITE" --pty -F -t $$ true
	assert_output --partial "nsenter-lite: "
	run -125 "$UNSHARE_LITE" --pty -m -- "$PIVOT" "$ROOT" -- /bin/touch /ran </dev/null
	assert_output --partial "no /dev/ptmx in"
	assert_output --partial "a terminal needs --dev"
	[ ! -e "$ROOT/ran" ]
	# CTU_CONSOLE_FD naming no connected unix socket, in each chaining tool
	local v
	for v in 0 99 abc -1 7; do
		rm -f "$T/ran"
		run -125 env CTU_CONSOLE_FD="$v" "$UNSHARE_LITE" -- touch "$T/ran" 7<"$ROOT/etc/passwd" </dev/null
		assert_output --partial "unshare-lite: "
		[ ! -e "$T/ran" ] || fail "unshare-lite ran its program with CTU_CONSOLE_FD='$v'"
		run -125 "$UNSHARE_LITE" -m -- env CTU_CONSOLE_FD="$v" "$PIVOT" "$ROOT" --dev -- /bin/touch /ran 7<"$ROOT/etc/passwd" </dev/null
		assert_output --partial "pivot: "
		[ ! -e "$ROOT/ran" ] || fail "pivot ran its program with CTU_CONSOLE_FD='$v'"
		run -125 env CTU_CONSOLE_FD="$v" "$NSENTER_LITE" -t $$ -a -- touch "$T/ran" 7<"$ROOT/etc/passwd" </dev/null
		assert_output --partial "nsenter-lite: "
		[ ! -e "$T/ran" ] || fail "nsenter-lite ran its program with CTU_CONSOLE_FD='$v'"
	done
	# a pipe is no socket either
	run -125 bash -c 'exec 7< <(:); CTU_CONSOLE_FD=7 exec "$0" -- touch "$1"' "$UNSHARE_LITE" "$T/ran"
	[ ! -e "$T/ran" ]
	assert_state_unchanged
}

# --- no terminal of the caller below the relay ------------------------------------

@test "TIOCSTI from inside reaches only the container's pty, never the outer shell (a control run does)" {
	pty_require
	need_rootfs
	cp "$CTU_HELPERS/tiocsti" "$ROOT/bin/tiocsti"
	pty_shell
	# the control: without --pty the program has the outer terminal, and the
	# outer shell runs what it pushes
	pty_run '"$U" -- "$H/tiocsti" "touch $D/control\n"'
	[[ $PTY_OUT == *"fd 0: TIOCSTI ok"* ]] || fail "control run: $PTY_OUT"
	pty_run 'echo settled'
	for ((i = 0; i < 100; i++)); do [ -e "$T/control" ] && break; sleep 0.05; done
	[ -e "$T/control" ] || fail "the control run injected nothing: the test would prove nothing"
	# with --pty, on the host's devpts
	pty_run '"$U" --pty -- "$H/tiocsti" "touch $D/mark\n"'
	[ "$PTY_RC" = 0 ]
	[[ $PTY_OUT == *"fd 0: TIOCSTI ok"* ]] || fail "--pty run: $PTY_OUT"
	assert_equal "$(grep '^CTU_CONSOLE_FD:' <<<"$PTY_OUT")" "CTU_CONSOLE_FD: unset"
	# its only fds are its own pty, not the pane's
	fds=$(sed -n 's/^fds: //p' <<<"$PTY_OUT")
	[[ $fds =~ ^0=(/dev/pts/[0-9]+)\ 1=(/dev/pts/[0-9]+)\ 2=(/dev/pts/[0-9]+)$ ]] || fail "fds inside: $fds"
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" != "$PTY_TTY" ] ||
		fail "fds inside: $fds (the pane is $PTY_TTY)"
	# another session, another controlling terminal than the outer shell's
	outer=$(sed 's/.*) //' "/proc/$PTY_PANE_PID/stat" | awk '{ print $4, $5 }')
	inner="$(sed -n 's/^session: //p' <<<"$PTY_OUT") $(sed -n 's/^tty_nr: //p' <<<"$PTY_OUT")"
	[ "${inner%% *}" != "${outer%% *}" ] || fail "same session as the outer shell: $inner / $outer"
	[ "${inner##* }" != "${outer##* }" ] || fail "same controlling terminal as the outer shell: $inner / $outer"
	[ "${inner##* }" != 0 ] || fail "no controlling terminal inside"
	# in the container, with CAP_SYS_ADMIN, on its own devpts
	pty_run '"$U" --pty -mpf --mount-proc -- "$P" "$D/root" --proc --dev -- /bin/tiocsti "touch $D/mark\n"'
	[ "$PTY_RC" = 0 ]
	[[ $PTY_OUT == *"fds: 0=/dev/pts/0 1=/dev/pts/0 2=/dev/pts/0"* ]] || fail "container: $PTY_OUT"
	[[ $PTY_OUT == *"/dev/tty: TIOCSTI ok"* ]] || fail "container: $PTY_OUT"
	# whatever reached the pane's input would run before this
	pty_run 'echo settled'
	sleep 0.5
	pty_run 'echo settled'
	[ ! -e "$T/mark" ] || fail "TIOCSTI from inside reached the outer terminal"
	! grep -q "^outer\$ touch $T/mark" <<<"$(pty_screen)" || fail "the outer shell read the injected text"
}

@test "no process below the relay (--init's PID 1 either) has the caller's terminal open" {
	pty_require
	pty_shell
	pty_cmd '"$U" --pty -pf --init --mount-proc -- sleep 3'
	pty_wait_proc sleep
	local relay p fd holders=
	relay=$(pty_relay_pid)
	for p in $(pty_descendants); do
		[ "$p" = "$relay" ] && continue
		for fd in /proc/$p/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = "$PTY_TTY" ] && holders+=" $p($(cat /proc/$p/comm))"
		done
		# nor as its controlling terminal
		ttynr=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $5 }')
		[ "${ttynr:-0}" = "$(sed 's/.*) //' "/proc/$relay/stat" | awk '{ print $5 }')" ] &&
			holders+=" $p($(cat /proc/$p/comm)):ctty"
	done
	[ -z "$holders" ] || fail "the caller's terminal $PTY_TTY is held by:$holders"
	pty_done
	[ "$PTY_RC" = 0 ]
}

# --- the claim point -----------------------------------------------------------------

@test "the last ctutils link claims: through ovlmount and pivot /dev/pts/0; before sh -c the host's devpts" {
	need_rootfs
	require_tool "$OVLMOUNT"
	require_kernel_feature overlay
	mkdir -p "$T/up" "$T/work" "$T/m"
	ctu_state_save
	run "$UNSHARE_LITE" --pty -m -- "$OVLMOUNT" -l "$ROOT" -u "$T/up" -w "$T/work" "$T/m" -- \
		"$PIVOT" "$T/m" --dev -- tty </dev/null
	assert_success
	[ "$(crlf_strip <<<"$output")" = /dev/pts/0 ] || fail "through ovlmount and pivot: '$output'"
	# a foreign wrapper takes the terminal where it starts: the host's devpts
	run "$UNSHARE_LITE" --pty -- sh -c 'tty; stat -c %d "$(tty)"' </dev/null
	assert_success
	strip_output
	assert_line --index 0 --regexp '^/dev/pts/[0-9]+$'
	assert_line --index 1 "$(stat -c %d /dev/pts/ptmx)"
	# a chaining tool below passes the console on, never to its foreign program
	run "$UNSHARE_LITE" --pty -- "$UNSHARE_LITE" -- sh -c 'echo "console=${CTU_CONSOLE_FD-unset}"; "$0"' \
		"$CTU_HELPERS/list-fds" </dev/null
	assert_success
	strip_output
	assert_line "console=unset"
	assert_line "0 1 2"
	assert_state_unchanged
}

@test "the chain cgctl exec -> unshare-lite --pty -> ovlmount -> pivot -> /bin/sh in the pane" {
	pty_require
	need_rootfs
	require_tool "$CGCTL" "$OVLMOUNT"
	require_kernel_feature overlay
	mkdir -p "$T/up" "$T/work" "$T/m"
	ctu_state_save
	pty_shell
	pty_inner "\"\$C\" --self exec $CG --pids 64 -- \"\$U\" --pty -mpf --mount-proc -- \"\$O\" -l \"\$D/root\" -u \"\$D/up\" -w \"\$D/work\" \"\$D/m\" -- \"\$P\" \"\$D/m\" --proc --dev -- /bin/sh"
	pty_run 'tty; echo $$'
	[ "$PTY_OUT" = $'/dev/pts/0\n1' ] || fail "inside: '$PTY_OUT'"
	pty_run 'grep -c overlay /proc/self/mountinfo'
	[ "$PTY_OUT" -ge 1 ]
	pty_run 'stty size'
	[ "$PTY_OUT" = "24 80" ]
	interrupt C-c
	[ "$PTY_OUT" = 130 ] || fail "C-c: $PTY_OUT"
	pty_type 'exit 5'
	pty_inner_end
	[ "$PTY_RC" = 5 ] || fail "exit status through the chain: $PTY_RC"
	"$CGCTL" --self delete "$CG"
	assert_state_unchanged
}

# --- no terminal: pipes, EOF, status, all the output ------------------------------

@test "no terminal: tty names a pty, piped commands run, status 3, setsid -w works, stdin without a newline" {
	run bash -c '"$0" --pty tty </dev/null | cat' "$UNSHARE_LITE"
	assert_success
	[[ $(crlf_strip <<<"$output") =~ ^/dev/pts/[0-9]+$ ]] || fail "tty: '$output'"
	run bash -c "printf 'echo hi\nexit 3\n' | \"\$0\" --pty sh" "$UNSHARE_LITE"
	[ "$status" = 3 ] || fail "status $status: $output"
	strip_output
	# the input is echoed (a pty), the answer comes after the shell's prompt
	assert_line --regexp '^([#$] )?hi$'
	run setsid -w "$UNSHARE_LITE" --pty true
	assert_success
	# EOF passed on: VEOF twice after a last byte that is no newline
	run timeout 10 bash -c "printf 'no newline' | \"\$0\" --pty cat" "$UNSHARE_LITE"
	assert_success
	assert_output --partial "no newline"
	run timeout 10 bash -c "printf 'a\nb\n' | \"\$0\" --pty wc -l" "$UNSHARE_LITE"
	assert_success
	[ "$(crlf_strip <<<"$output" | tail -n1 | tr -d ' ')" = 2 ] || fail "wc -l: '$output'"
}

@test "no terminal: the size from LINES and COLUMNS when both are 1..65535, else 24x80" {
	run env LINES=30 COLUMNS=100 "$UNSHARE_LITE" --pty stty size </dev/null
	assert_success
	[ "$(crlf_strip <<<"$output")" = "30 100" ] || fail "'$output'"
	local bad
	for bad in "LINES=30" "LINES=0 COLUMNS=100" "LINES=30 COLUMNS=65536" "LINES=x COLUMNS=100" ""; do
		# shellcheck disable=SC2086
		run env -u LINES -u COLUMNS $bad "$UNSHARE_LITE" --pty stty size </dev/null
		assert_success
		[ "$(crlf_strip <<<"$output")" = "24 80" ] || fail "with '$bad': '$output'"
	done
}

@test "exit status and signal death propagated: 7, 126, 127, 143, 137" {
	run -7 "$UNSHARE_LITE" --pty sh -c 'exit 7' </dev/null
	run -126 "$UNSHARE_LITE" --pty /dev/null </dev/null
	run -127 "$UNSHARE_LITE" --pty /no/such/program </dev/null
	run bash -c '"$0" --pty sh -c "kill -TERM \$\$" </dev/null; echo "rc=$?"' "$UNSHARE_LITE"
	assert_line rc=143
	run bash -c '"$0" --pty sh -c "kill -KILL \$\$" </dev/null; echo "rc=$?"' "$UNSHARE_LITE"
	assert_line rc=137
	run -4 "$NSENTER_LITE" --pty -t $$ -a sh -c 'exit 4' </dev/null
	run bash -c '"$0" --pty -t $$ -a sh -c "kill -TERM \$\$" </dev/null; echo "rc=$?"' "$NSENTER_LITE"
	assert_line rc=143
}

@test "stdout gone: the relay keeps reading and discards, the program ends normally" {
	run timeout 30 bash -c '"$0" --pty seq 1000000 </dev/null | head -n1; echo "rc=${PIPESTATUS[0]}"' "$UNSHARE_LITE"
	assert_success
	assert_line rc=0
}

@test "seq 200000, 50 runs, also under script -qefc: always 200000 lines, the last 200000" {
	require_cmd script
	local i n last
	for ((i = 0; i < 50; i++)); do
		timeout 20 "$UNSHARE_LITE" --pty seq 200000 </dev/null >"$T/out" || fail "run $i: exit $?"
		n=$(wc -l <"$T/out") last=$(tail -n1 "$T/out" | crlf_strip)
		[ "$n" = 200000 ] && [ "$last" = 200000 ] || fail "run $i: $n lines, the last '$last'"
	done
	for ((i = 0; i < 50; i++)); do
		timeout 20 script -qefc "'$UNSHARE_LITE' --pty seq 200000 >'$T/out'" /dev/null </dev/null >/dev/null ||
			fail "under script, run $i: exit $?"
		n=$(wc -l <"$T/out") last=$(tail -n1 "$T/out" | crlf_strip)
		[ "$n" = 200000 ] && [ "$last" = 200000 ] || fail "under script, run $i: $n lines, the last '$last'"
	done
}

# 100 MB of base64 text: 1,335,545 lines of 76 bytes and a newline (the pty
# makes each \n a \r\n), and the checksum of it
make_100mb() {
	[ -s "$T/F" ] && return 0
	head -c 75000000 /dev/urandom | base64 -w 76 >"$T/F"
	F_SUM=$(sha256sum <"$T/F")
	F_BYTES=$(stat -c %s "$T/F")
	F_LINES=$(wc -l <"$T/F")
}

# check_100mb FILE: all of F arrived, in order, each line ending \r\n
check_100mb() {
	local bytes sum
	bytes=$(stat -c %s "$1")
	[ "$bytes" = $((F_BYTES + F_LINES)) ] || fail "$bytes bytes arrived, not $((F_BYTES + F_LINES))"
	sum=$(crlf_strip <"$1" | sha256sum)
	[ "$sum" = "$F_SUM" ] || fail "the output differs from the input (sha256)"
}

@test "100 MB of output arrive whole: to a file and a pipe without a terminal, to a file from the pane" {
	make_100mb
	run timeout 120 bash -c '"$0" --pty cat "$1" </dev/null >"$2"' "$UNSHARE_LITE" "$T/F" "$T/out"
	assert_success
	check_100mb "$T/out"
	rm -f "$T/out"
	run timeout 120 bash -c '"$0" --pty cat "$1" </dev/null | cat >"$2"' "$UNSHARE_LITE" "$T/F" "$T/out"
	assert_success
	check_100mb "$T/out"
	rm -f "$T/out"
	pty_require
	start_restored '"$U" --pty cat "$D/F" >"$D/out"'
	finish_restored 0 120
	check_100mb "$T/out"
}
