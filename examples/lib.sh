# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - what the examples share: where the tools are, a narrator, a
# work directory that is removed at the end, and names unique to this run.

CTU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CTU_BIN:=$CTU_TOP/build}"
PATH=$CTU_BIN:$PATH
: "${CTU_ROOTFS:=$CTU_TOP/build/rootfs}"
# short: interface names have 15 bytes
RUN=ctx$(printf '%04x' $((RANDOM)))

# step TEXT: say what happens next, on stderr
step() {
	printf '\n\033[1m== %s\033[0m\n' "$*" >&2
}

# show CMD...: print a command, then run it
show() {
	printf '$ %s\n' "$*" >&2
	"$@"
}

# show_killed CMD...: show, for a command that a signal is meant to end (the
# OOM killer, cgctl kill).  bash reports such an end on its own stderr
# ("line 18: 4076 Killed  cgctl ..."): noise in the narration.  That report
# goes to /dev/null here, while CMD's own stderr stays where it was (fd 3
# carries it past the redirection, and is closed for CMD); the exit status
# (137 for SIGKILL) is still CMD's.
show_killed() {
	printf '$ %s\n' "$*" >&2
	{ "$@" 2>&3 3>&-; } 3>&2 2>/dev/null
}

need_root() {
	[ "$(id -u)" -eq 0 ] || { echo "$0: run me as root (the kernel wants CAP_SYS_ADMIN)" >&2; exit 1; }
}

need_rootfs() {
	[ -x "$CTU_ROOTFS/bin/busybox" ] || "$CTU_TOP/scripts/make-rootfs" "$CTU_ROOTFS"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ctutils-example.XXXXXX")
CLEANUP=()
# on_exit CMD: run CMD at the end (newest first), whatever happens
on_exit() {
	CLEANUP=("$*" "${CLEANUP[@]}")
}
_run_cleanup() {
	local c
	# the cleanup ends the example's background programs (kill, cgctl
	# kill): as jobs of this shell, each end by a signal would be reported
	# on stderr ("lib.sh: line 48: 4076 Killed ..."), after the narration
	disown -a
	for c in "${CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
	rm -rf --one-file-system "$WORK"
}
trap _run_cleanup EXIT
