# SPDX-License-Identifier: GPL-2.0-or-later
# helpers.bash - the base every integration test loads (`load helpers`).
#
#  - paths: $CTU_BUILD and one variable per tool ($UNSHARE_LITE, ...), each
#    overridable, so the same tests can run against another build;
#  - ctu_name: unique per-run names for interfaces, netns and cgroups;
#  - require_*: skip with a reason (a failure when CTU_MUST_WORK=1);
#  - ctu_cleanup_add + teardown: what a test made is removed even when it fails;
#  - ctu_state_save / assert_state_unchanged: "nothing left behind";
#  - list_fds, run_unprivileged.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

CTU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CTU_BUILD:=$CTU_ROOT/build}"
: "${CTU_RUN_ID:=$(printf '%04x' $((RANDOM)))}"
CTU_HELPERS=$CTU_BUILD/tests/helpers
: "${NSENTER_LITE:=$CTU_BUILD/nsenter-lite}"
: "${UNSHARE_LITE:=$CTU_BUILD/unshare-lite}"
: "${CGCTL:=$CTU_BUILD/cgctl}"
: "${OVLMOUNT:=$CTU_BUILD/ovlmount}"
: "${VETHCTL:=$CTU_BUILD/vethctl}"
: "${PIVOT:=$CTU_BUILD/pivot}"
: "${CTRUN:=$CTU_BUILD/ctrun}"
export LC_ALL=C

# ctu_name [SUFFIX]: a name unique to this run and test, short enough for an
# interface (15 bytes): "ct" + run id + test number + suffix.
ctu_name() {
	local name="ct${CTU_RUN_ID}${BATS_TEST_NUMBER}${1:-}"
	[ ${#name} -le 15 ] || name=${name:0:15}
	printf '%s\n' "$name"
}

# ctu_skip REASON: skip, or fail when CTU_MUST_WORK=1 (set by CI), so that
# nothing silently stops being tested there.
ctu_skip() {
	if [ "${CTU_MUST_WORK:-0}" = 1 ]; then
		fail "cannot run, and CTU_MUST_WORK=1: $*"
		return 1
	fi
	skip "$*"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || ctu_skip "needs root"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || ctu_skip "needs the command $c"
	done
}

require_tool() {
	local t
	for t in "$@"; do
		[ -x "$t" ] || ctu_skip "not built: $t"
	done
}

# require_kernel_feature NAME...: probe by doing, in a throw-away namespace.
require_kernel_feature() {
	local f ok
	for f in "$@"; do
		case $f in
		userns) ok="unshare -U true" ;;
		mountns) ok="unshare -m true" ;;
		netns) ok="unshare -n true" ;;
		pidns) ok="unshare -p -f true" ;;
		utsns) ok="unshare -u true" ;;
		ipcns) ok="unshare -i true" ;;
		cgroupns) ok="unshare -C true" ;;
		timens) ok="unshare -T true" ;;
		overlay) ok="grep -qw overlay /proc/filesystems || modprobe -q overlay" ;;
		veth) ok="unshare -n ip link add ctuprobe0 type veth peer name ctuprobe1" ;;
		bridge) ok="unshare -n ip link add ctuprobe0 type bridge" ;;
		cgroup2) ok="grep -qw cgroup2 /proc/filesystems" ;;
		*) fail "require_kernel_feature: unknown feature '$f'" ;;
		esac
		bash -c "$ok" >/dev/null 2>&1 || ctu_skip "kernel lacks $f"
	done
}

# --- teardown registry ------------------------------------------------------
# ctu_cleanup_add KIND ARGS...: remember something the test made.  Kinds:
#   mount PATH | link NAME [NETNS] | netns NAME | cgroup DIR | dir PATH |
#   file PATH | pid PID
# teardown() undoes them, newest first, whatever the test's outcome.
ctu_cleanup_add() {
	printf '%s\n' "$*" >>"$BATS_TEST_TMPDIR/.ctu-cleanup"
}

_ctu_rm_cgroup() {
	[ -d "$1" ] || return 0
	# children first; a cgroup directory holds only kernel files
	find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
}

ctu_teardown() {
	local list="$BATS_TEST_TMPDIR/.ctu-cleanup" kind a b
	[ -f "$list" ] || return 0
	while read -r kind a b; do
		# each step may find its object gone already: never fail here
		case $kind in
		mount) umount -R -l "$a" ;;
		link) if [ -n "$b" ]; then ip -n "$b" link del "$a"; else ip link del "$a"; fi ;;
		netns) ip netns del "$a" ;;
		cgroup) _ctu_rm_cgroup "$a" ;;
		dir) rm -rf --one-file-system "$a" ;;
		file) rm -f "$a" ;;
		pid) kill -KILL "$a" && wait "$a" ;;
		esac >/dev/null 2>&1 || true
	done < <(tac "$list")
	rm -f "$list"
	return 0
}

teardown() {
	ctu_teardown
}

# --- nothing left behind ----------------------------------------------------
# The state a command may change: mount points, interfaces, named netns,
# cgroups below our own, and the files below the paths given, each section
# sorted: printed by one small program, $CTU_HELPERS/state (see its source,
# tests/helpers/state.c).  The loops of badinput.bats and faults.bats take it
# for every row and every injected fault; a pipeline of awk, ip, findmnt, find
# and sort cost ~100 ms a time on the host, and far more in the emulated VM.

# The directories of the cgroups this process is in, one per hierarchy.
ctu_own_cgroup_dirs() {
	"$CTU_HELPERS/state" --cgroup-dirs
}

# ctu_state_save [PATH...]: remember the state now (and the files below PATHs).
ctu_state_save() {
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/.ctu-state-paths"
	"$CTU_HELPERS/state" "$@" >"$BATS_TEST_TMPDIR/.ctu-state-before" ||
		fail "cannot take the state (is $CTU_HELPERS/state built? make tests)"
}

# ctu_state_changed: true when a mount, interface, netns, cgroup or file
# appeared or vanished since ctu_state_save; the difference (diff -u, without
# its header) is then in $CTU_STATE_DIFF.  One process while nothing changed.
ctu_state_changed() {
	local paths=() p before now dir=$BATS_TEST_TMPDIR
	CTU_STATE_DIFF=
	while IFS= read -r p; do [ -n "$p" ] && paths+=("$p"); done <"$dir/.ctu-state-paths"
	IFS= read -r -d '' before <"$dir/.ctu-state-before" || true
	now=$("$CTU_HELPERS/state" "${paths[@]}") || {
		CTU_STATE_DIFF="cannot take the state"
		return 0
	}
	[ "$now" != "${before%$'\n'}" ] || return 1
	printf '%s\n' "$now" >"$dir/.ctu-state-after"
	diff -u "$dir/.ctu-state-before" "$dir/.ctu-state-after" >"$dir/.ctu-state-diff" && return 1
	CTU_STATE_DIFF=$(tail -n +3 "$dir/.ctu-state-diff")
}

# assert_state_unchanged: fails, showing the difference, when a mount,
# interface, netns, cgroup or file appeared or vanished since ctu_state_save.
assert_state_unchanged() {
	ctu_state_changed || return 0
	batslib_print_kv_single_or_multi 8 'left behind' "$CTU_STATE_DIFF" |
		batslib_decorate 'state changed' | fail
}

# --- processes ----------------------------------------------------------------
# list_fds: the fds a program started here sees ("0 1 2").
list_fds() {
	"$CTU_HELPERS/list-fds"
}

# run_clean_fds CMD...: run CMD with only fds 0, 1 and 2 open (bats keeps
# some of its own open), so that a fd CMD shows was made or passed by CMD.
run_clean_fds() {
	(
		for p in /proc/$BASHPID/fd/*; do
			fd=${p##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec "$@"
	)
}

# run_unprivileged CMD...: run as nobody/nogroup with no supplementary groups.
CTU_UNPRIV_UID=$(id -u nobody 2>/dev/null || echo 65534)
CTU_UNPRIV_GID=$(getent group nogroup | cut -d: -f3)
: "${CTU_UNPRIV_GID:=65534}"
run_unprivileged() {
	setpriv --reuid="$CTU_UNPRIV_UID" --regid="$CTU_UNPRIV_GID" --clear-groups -- "$@"
}

# ctu_tmpdir: a directory below the test's temp dir that nobody may use too.
ctu_tmpdir() {
	local d
	d=$(mktemp -d "$BATS_TEST_TMPDIR/d.XXXXXX")
	chmod 0755 "$d"
	# every parent must be searchable for an unprivileged user
	chmod o+x "$BATS_TEST_TMPDIR" "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR"/.. 2>/dev/null
	printf '%s\n' "$d"
}

# --- root filesystems ---------------------------------------------------------
# ctu_make_rootfs DIR: a minimal busybox root (Debian's busybox-static) in
# DIR: /bin with every applet, and the usual empty mount points.  Made once
# per test file and copied (one cp instead of an ln for each of the ~270
# applets, for every test: most of pivot.bats's time in the emulated VM).
ctu_make_rootfs() {
	local dir=$1 applet cache=$BATS_FILE_TMPDIR/ctu-rootfs
	require_cmd busybox
	if [ ! -d "$cache" ]; then
		mkdir -p "$cache.new"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin,var,run}
		cp "$(command -v busybox)" "$cache.new/bin/busybox"
		for applet in $("$cache.new/bin/busybox" --list); do
			[ -e "$cache.new/bin/$applet" ] || ln -s busybox "$cache.new/bin/$applet"
		done
		echo "root:x:0:0:root:/root:/bin/sh" >"$cache.new/etc/passwd"
		echo "root:x:0:" >"$cache.new/etc/group"
		chmod 1777 "$cache.new/tmp"
		mv "$cache.new" "$cache"
	fi
	mkdir -p "$dir"
	cp -a "$cache/." "$dir/"
}

# ctu_ns_inode PID TYPE: the inode of a process's namespace.
ctu_ns_inode() {
	stat -L -c %i "/proc/$1/ns/$2"
}

# ctu_wait_for_file FILE [TENTHS]: wait until FILE exists and is not empty.
ctu_wait_for_file() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
