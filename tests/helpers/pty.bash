# SPDX-License-Identifier: GPL-2.0-or-later
# helpers/pty.bash - a real terminal for the --pty tests (tests/pty.bats),
# loaded after helpers.bash.  tmux 3.3a is the terminal: one tmux server per
# test on its own socket (-L ctu-RUN-TEST), one window of 80x24, killed with
# all it started in pty_stop (the test's teardown).
#
# What runs in the pane is the "outer" side, as a user's terminal would have it:
#
#   pty_shell          an interactive bash (prompt "outer$ ", job control):
#                      commands are typed into it (pty_run, pty_cmd + pty_done)
#   pty_script CMD     `sh -c CMD` between two `stty -g` of the terminal, the
#                      status in a file (pty_script_wait): an interactive bash
#                      restores the terminal itself after a job that died of a
#                      signal or stopped, which would hide a relay that does not
#
# Both see these variables: U N P C O (unshare-lite, nsenter-lite, pivot,
# cgctl, ovlmount), H (the helpers' directory), D ($PTY_WORK, a directory of
# the test): typed commands stay short.  The pane's own files (its script, the
# two stty -g, the status) are in $PTY_DIR, another directory, so that a
# test's "nothing left behind" below $PTY_WORK does not see them.  A command typed into a shell, outer or inner,
# ends with `echo =$?=@K` for a fresh K: its output is what the pane shows
# between the typed line and "=STATUS=@K".

: "${CTU_PTY_TIMEOUT:=15}"	# seconds any wait gives up after
PTY_SOCK="ctu-$CTU_RUN_ID-$$-${BATS_TEST_NUMBER:-0}"
PTY_SEQ=0

pty_require() {
	require_cmd tmux
}

pty_tmux() {
	tmux -L "$PTY_SOCK" "$@"
}

# pty_start SCRIPT: a new server and session whose pane runs `sh SCRIPT-FILE`,
# 80x24, remain-on-exit on (so #{pane_dead} tells that it ended)
pty_start() {
	PTY_DIR=${PTY_DIR:-$(ctu_tmpdir)}
	PTY_WORK=${PTY_WORK:-$PTY_DIR}
	local v
	{
		for v in "U=$UNSHARE_LITE" "N=$NSENTER_LITE" "P=$PIVOT" "C=$CGCTL" "O=$OVLMOUNT" \
			"H=$CTU_HELPERS" "D=$PTY_WORK" "R=$PTY_DIR" "PATH=$PATH" "LC_ALL=C" "HISTFILE=/dev/null"; do
			printf 'export %s=%q\n' "${v%%=*}" "${v#*=}"
		done
		echo 'unset LINES COLUMNS CTU_CONSOLE_FD'
		printf '%s\n' "$1"
	} >"$PTY_DIR/pane.sh"
	# options first, in the same invocation: history-limit counts for panes
	# made after it, remain-on-exit must hold before the program can end
	pty_tmux -f /dev/null start-server \; set-option -g remain-on-exit on \; \
		set-option -g history-limit 50000 \; \
		new-session -d -x 80 -y 24 -s ctu "sh $PTY_DIR/pane.sh" ||
		fail "tmux: cannot start a server on socket $PTY_SOCK"
	PTY_PANE_PID=$(pty_tmux display -p -t ctu '#{pane_pid}')
	PTY_TTY=$(pty_tmux display -p -t ctu '#{pane_tty}')
}

# pty_shell: the pane is an interactive bash, ready at its prompt
pty_shell() {
	pty_start "PS1='outer\$ ' exec bash --norc --noprofile -i"
	pty_wait '^outer\$'
}

# pty_script CMD: the pane runs `stty -g >R/before; CMD; stty -g >R/after`,
# and the status of CMD into R/rc last ($R: $PTY_DIR)
pty_script() {
	rm -f "$PTY_DIR/rc" 2>/dev/null || true
	pty_start "stty -g >\"\$R/before\"
$1
rc=\$?
stty -g >\"\$R/after\"
echo \$rc >\"\$R/rc\""
}

# pty_script_wait [SECONDS]: wait for pty_script's CMD to end: PTY_RC
pty_script_wait() {
	pty_wait_file "$PTY_DIR/rc" "${1:-$CTU_PTY_TIMEOUT}" ||
		fail "the pane's command did not end within ${1:-$CTU_PTY_TIMEOUT} s; the pane:"$'\n'"$(pty_screen)"
	PTY_RC=$(cat "$PTY_DIR/rc")
}

# assert_stty_restored: the terminal's settings after pty_script's CMD are those
# of before it (stty -g, every flag and control character)
assert_stty_restored() {
	local before after
	before=$(cat "$PTY_DIR/before") after=$(cat "$PTY_DIR/after")
	[ -n "$before" ] || fail "no stty -g from before the command"
	[ "$before" = "$after" ] || fail "the terminal was not restored:
before: $before
after:  $after
   now: $(stty -g <"$PTY_TTY")"
}

# pty_stty_now: stty -g of the pane's terminal, read from outside
pty_stty_now() {
	stty -g <"$PTY_TTY"
}

# pty_stop: kill the server, every process it started that is still alive,
# and its socket.  For teardown: never fails.
pty_stop() {
	local pids p sock
	[ -n "${PTY_PANE_PID:-}" ] && pids=$(_pty_descendants "$PTY_PANE_PID")
	pty_tmux kill-server >/dev/null 2>&1 || true
	for p in ${pids:-}; do kill -KILL "$p" 2>/dev/null || true; done
	sock=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)
	rm -f "$sock/$PTY_SOCK"
	rmdir "$sock" 2>/dev/null || true
	return 0
}

# _pty_descendants PID: PID and all its descendants, one walk over /proc
_pty_descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			todo[1] = root; n = 1
			while (n > 0) {
				p = todo[n--]; print p
				m = split(kids[p], k, " ")
				for (i = 1; i <= m; i++) todo[++n] = k[i]
			}
		}'
}

# pty_descendants: the processes under the pane's (itself left out)
pty_descendants() {
	_pty_descendants "$PTY_PANE_PID" | grep -vx "$PTY_PANE_PID"
}

# pty_wait_proc COMM [SECONDS]: wait until a process under the pane is named
# COMM (and has exec'd: its comm says so); its pid in PTY_PROC
pty_wait_proc() {
	local i p
	for ((i = 0; i < ${2:-$CTU_PTY_TIMEOUT} * 20; i++)); do
		for p in $(pty_descendants); do
			if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ]; then
				PTY_PROC=$p
				return 0
			fi
		done
		sleep 0.05
	done
	fail "no process $1 under the pane after ${2:-$CTU_PTY_TIMEOUT} s; the pane:"$'\n'"$(pty_screen)"
}

# pty_wait_gone COMM [SECONDS]: wait until no process under the pane is COMM
pty_wait_gone() {
	local i p found
	for ((i = 0; i < ${2:-$CTU_PTY_TIMEOUT} * 20; i++)); do
		found=
		for p in $(pty_descendants); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && found=$p
		done
		[ -z "$found" ] && return 0
		sleep 0.05
	done
	fail "process $1 ($found) still under the pane after ${2:-$CTU_PTY_TIMEOUT} s; the pane:"$'\n'"$(pty_screen)"
}

# pty_relay_pid: the pane's child (the tool we ran, our relay)
pty_relay_pid() {
	pgrep -P "$PTY_PANE_PID" | head -n1
}

# pty_screen: all the pane ever showed (its history too), wrapped lines
# joined, trailing blanks dropped
pty_screen() {
	pty_tmux capture-pane -p -J -S - -E - -t ctu | sed 's/[[:space:]]*$//'
}

# pty_dead: true once the pane's program ended
pty_dead() {
	[ "$(pty_tmux display -p -t ctu '#{pane_dead}')" = 1 ]
}

# pty_keys KEY...: tmux key names (C-c, C-z, Enter)
pty_keys() {
	pty_tmux send-keys -t ctu "$@"
}

# pty_type TEXT: type TEXT literally, then Enter
pty_type() {
	pty_tmux send-keys -t ctu -l -- "$1"
	pty_tmux send-keys -t ctu Enter
}

# pty_wait REGEX [SECONDS]: wait until a line of the pane matches (grep -E)
pty_wait() {
	local i
	for ((i = 0; i < ${2:-$CTU_PTY_TIMEOUT} * 20; i++)); do
		pty_screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	fail "no line matching '$1' after ${2:-$CTU_PTY_TIMEOUT} s; the pane:"$'\n'"$(pty_screen)"
}

# pty_wait_file FILE [SECONDS]: wait until FILE exists and is not empty
pty_wait_file() {
	local i
	for ((i = 0; i < ${2:-$CTU_PTY_TIMEOUT} * 20; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# pty_cmd CMD: type CMD followed by its end marker (into whichever shell reads
# the pane now); pty_done waits for it
pty_cmd() {
	local sep='; '
	# "CMD &; echo" is a syntax error
	[ "${1: -1}" = '&' ] && sep=' '
	PTY_SEQ=$((PTY_SEQ + 1))
	PTY_LAST=$PTY_SEQ
	pty_type "$1${sep}echo =\$?=@$PTY_SEQ"
}

# pty_done [SECONDS]: wait for the last pty_cmd to end: its status in PTY_RC,
# its output (the lines between the typed line and the marker) in PTY_OUT
pty_done() {
	local k=${PTY_LAST:?pty_done without pty_cmd} screen
	# not anchored: after an echoed ^C or ^Z the marker shares its line; the
	# typed line has "$?" where the marker has digits
	pty_wait "=[0-9]+=@$k\$" "${1:-$CTU_PTY_TIMEOUT}"
	screen=$(pty_screen)
	PTY_RC=$(grep -Eo "=[0-9]+=@$k\$" <<<"$screen" | tail -n1 | sed 's/^=\([0-9]*\)=.*/\1/')
	PTY_OUT=$(awk -v typed="=\$?=@$k" -v mark="=[0-9]+=@$k\$" '
		$0 ~ mark { exit }
		on { print }
		index($0, typed) { on = 1; delete out }' <<<"$screen")
}

# pty_run CMD [SECONDS]: pty_cmd and pty_done
pty_run() {
	pty_cmd "$1"
	pty_done "${2:-}"
}

# pty_resize COLS ROWS: the window resized, and `stty size` in the pane's
# inner shell says so within 5 s (else the test fails with what it said)
pty_resize() {
	local i
	pty_tmux resize-window -t ctu -x "$1" -y "$2"
	for ((i = 0; i < 50; i++)); do
		pty_run 'stty size'
		[ "$PTY_OUT" = "$2 $1" ] && return 0
		sleep 0.1
	done
	fail "size after resize-window: '$PTY_OUT', not '$2 $1'"
}

# pty_inner: start a program on a --pty in the outer shell (no marker: it
# does not end now); wait for the inner prompt "inner# ", which the inner
# busybox sh prints, PS1 coming from the environment
pty_inner() {
	PTY_SEQ=$((PTY_SEQ + 1))
	PTY_INNER_SEQ=$PTY_SEQ
	pty_type "PS1='inner# ' $1; echo =\$?=@$PTY_SEQ"
	# the program ending at once (a usage error) fails now, not at the timeout
	pty_wait "^inner#|=[0-9]+=@$PTY_SEQ\$" "${2:-}"
	! pty_screen | grep -Eq "=[0-9]+=@$PTY_SEQ\$" ||
		fail "the program ended before its shell's prompt; the pane:"$'\n'"$(pty_screen)"
}

# pty_inner_end [SECONDS]: wait for the program started by pty_inner to end:
# its status (as the outer shell saw it) in PTY_RC
pty_inner_end() {
	PTY_LAST=$PTY_INNER_SEQ
	pty_done "${1:-}"
}
