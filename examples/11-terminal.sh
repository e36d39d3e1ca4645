#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 11 - A real terminal for the container (`docker run -it`): --pty makes a
# pseudo-terminal in the container's own devpts, the last tool of the chain
# hands its master out over a unix socket, and unshare-lite's parent, still
# in our namespaces, relays it to our stdin and stdout.  The program never
# holds our terminal, so it cannot type into it (TIOCSTI); its own has job
# control, a window size, ^C for its foreground job.  This script runs
# without a terminal too: a pipe for stdin, the size 24x80 (or $LINES and
# $COLUMNS).  Interactively, try:
#
#   unshare-lite --pty -mpf --mount-proc -- pivot ROOTFS --proc --dev -- /bin/sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root
need_rootfs

# a pty ends its lines with \r\n: the narration drops the \r
crlf() { tr -d '\r'; }

step "a container whose terminal is its own: /dev/pts/0 of its devpts, also /dev/console"
show unshare-lite --pty -mpf --mount-proc -- pivot "$CTU_ROOTFS" --proc --dev -- /bin/sh -c \
	'echo "inside: my terminal is $(tty), $(stty size) (rows columns)"; ls /dev/pts' </dev/null | crlf

step "the size comes from our terminal, or from LINES and COLUMNS when there is none"
LINES=40 COLUMNS=132 show unshare-lite --pty -- stty size </dev/null | crlf

step "a shell fed by a pipe: the terminal echoes what it reads, the exit status is the shell's"
set +e
printf 'echo "hello from $(tty)"\nexit 3\n' | show unshare-lite --pty -mpf --mount-proc -- \
	pivot "$CTU_ROOTFS" --proc --dev -- /bin/sh | crlf
rc=${PIPESTATUS[1]}
set -e
echo "exit status $rc"

step "a signal's death comes back as a signal's death"
set +e
show_killed unshare-lite --pty -- sh -c 'kill -TERM $$' </dev/null
rc=$?
set -e
echo "exit status $rc (128 + SIGTERM)"

step "a second terminal into a running container: nsenter-lite --pty"
unshare-lite --pty -mpf --mount-proc --pidfile "$WORK/pid" -- pivot "$CTU_ROOTFS" --proc --dev -- \
	/bin/sleep 300 </dev/null >/dev/null &
on_exit "kill -9 \$(cat $WORK/pid); kill $!"
for _ in $(seq 50); do [ -s "$WORK/pid" ] && [ "$(cat "/proc/$(cat "$WORK/pid")/comm" 2>/dev/null)" = sleep ] && break; sleep 0.1; done
show nsenter-lite --pty --pidfile "$WORK/pid" -a sh -c \
	'echo "joined: my terminal is $(tty); PID 1 has $(readlink /proc/1/fd/0)"; ls /dev/pts' </dev/null | crlf
