# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun.bash - bundles and cgroups for the ctrun tests (`load helpers/ctrun`).
#
#  - ct_setup: a state root of the test's own ($CT_ROOT), a unique ID ($ID), the
#    absolute cgroupsPath the bundles use ($CT_CG), registered for teardown with
#    every ancestor directory the test had to make in any hierarchy;
#  - ct_bundle DIR [ARG...]: `ctrun spec` in DIR with a busybox rootfs, the
#    process ARGs (default: sleep 1000), no terminal, the cgroup $CT_CG;
#  - ct_cfg DIR JQ-FILTER: edit DIR/config.json in place;
#  - ct_cg_dir [CONTROLLER]: the container cgroup's directory in the hierarchy
#    holding CONTROLLER (default: the unified one).
#  - ct_assert_nothing_left: no state, cgroup, mount or process of the test's
#    container remains;
#  - ct_refused MESSAGE, ct_bad JQ-FILTER MESSAGE: the bundle $B (edited by
#    FILTER) refused by both create paths with MESSAGE, nothing left.

# Our own cgroup: the memory controller's on hybrid hosts (the one a test may
# not leave), the unified one on pure v2 hosts.
ct_own_cgroup() {
	local mem
	mem=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	if [ -n "$mem" ]; then printf '%s\n' "$mem"; else sed -n 's/^0:://p' /proc/self/cgroup; fi
}

# Every mounted cgroup hierarchy's mount point.
ct_hierarchies() {
	findmnt -n -o TARGET -t cgroup,cgroup2
}

ct_setup() {
	local own h rel part path
	require_root
	require_tool "$CTRUN"
	T=$(ctu_tmpdir)
	CT_ROOT=$T/root
	ID=$(ctu_name ct)
	own=$(ct_own_cgroup)
	CT_CG=${own%/}/$ID
	# the first missing directory of $CT_CG in each hierarchy is the test's to remove
	while read -r h; do
		path=$h rel=${CT_CG#/}
		while [ -n "$rel" ]; do
			part=${rel%%/*}
			path=$path/$part
			if [ ! -d "$path" ]; then
				ctu_cleanup_add cgroup "$path"
				break
			fi
			[ "$rel" = "$part" ] && break
			rel=${rel#*/}
		done
	done < <(ct_hierarchies)
}

# Kills whatever the container left (before the cgroup directories go).
ct_teardown() {
	[ -n "${CT_ROOT:-}" ] && "$CTRUN" --root "$CT_ROOT" delete --force "$ID" >/dev/null 2>&1
	[ -n "${CT_CG:-}" ] && "$CGCTL" delete -r --kill "$CT_CG" >/dev/null 2>&1
	ctu_teardown
}

ct_bundle() {
	local dir=$1 args a
	shift
	[ $# -gt 0 ] || set -- sleep 1000
	mkdir -p "$dir"
	ctu_make_rootfs "$dir/rootfs"
	"$CTRUN" spec -b "$dir" || return 1
	# one jq --arg per word: a word may hold newlines, or look like jq's options
	args='[]'
	for a in "$@"; do args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args"); done
	ct_cfg "$dir" ".process.args = $args | .process.terminal = false |
		.linux.cgroupsPath = \"$CT_CG\""
}

ct_cfg() {
	local dir=$1 filter=$2
	jq "$filter" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

ct_cg_dir() {
	local ctrl=${1:-} mnt
	if [ -n "$ctrl" ] && mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup |
		awk -v c="$ctrl" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}') &&
		[ -n "$mnt" ]; then
		printf '%s%s\n' "$mnt" "$CT_CG"
	else
		printf '%s%s\n' "$(findmnt -n -o TARGET -t cgroup2 | head -n1)" "$CT_CG"
	fi
}

# ct CMD...: ctrun with the test's state root.
ct() {
	"$CTRUN" --root "$CT_ROOT" "$@"
}

# ct_bg CMD...: ctrun for a command whose container outlives it (create,
# run -d, exec -d): the container keeps ctrun's stdio, so bats' `run` would
# wait for it.  Output in $T/ct.out and $T/ct.err; the exit status is ctrun's.
ct_bg() {
	"$CTRUN" --root "$CT_ROOT" "$@" </dev/null >"$T/ct.out" 2>"$T/ct.err"
}

# No state dir (nor anything else in ROOT), no cgroup of the container in any
# hierarchy, no mount below the test's directory, no process in its rootfs
# (the bundle is $B).
# (Targeted rather than ctu_state_save's whole-host view: other suites may
# make cgroups of their own meanwhile.)
ct_assert_nothing_left() {
	local p h
	[ ! -e "$CT_ROOT/$ID" ] || fail "$CT_ROOT/$ID left"
	[ -z "$(ls -A "$CT_ROOT" 2>/dev/null)" ] || fail "$CT_ROOT not empty: $(ls -A "$CT_ROOT")"
	while read -r h; do
		[ ! -d "$h$CT_CG" ] || fail "cgroup $h$CT_CG left"
	done < <(ct_hierarchies)
	! grep -qF " $T" /proc/self/mountinfo || fail "a mount below $T left"
	for p in /proc/[0-9]*; do
		case $(readlink "$p/root" 2>/dev/null) in
		"$B"/*) fail "process ${p#/proc/} left in the rootfs" ;;
		esac
	done
}

# ct_refused MESSAGE: both create paths fail with exit 1 and MESSAGE (one line), nothing left.
ct_refused() {
	local want=$1
	run ct --show-chain create -b "$B" "$ID"
	assert_failure 1
	assert_output --regexp '^ctrun: (create: )?config\.json[:]'
	assert_output --partial "$want"
	assert_equal "${#lines[@]}" 1
	ct_assert_nothing_left
	run ct create -b "$B" "$ID"
	assert_failure 1
	assert_output --regexp '^ctrun: (create: )?config\.json[:]'
	assert_output --partial "$want"
	assert_equal "${#lines[@]}" 1
	ct_assert_nothing_left
}

# ct_bad JQ-FILTER MESSAGE: the bundle edited by FILTER is refused with MESSAGE; then restored.
ct_bad() {
	cp "$B/config.json" "$BATS_TEST_TMPDIR/good.json"
	ct_cfg "$B" "$1"
	ct_refused "config.json: $2"
	cp "$BATS_TEST_TMPDIR/good.json" "$B/config.json"
}

# ct_cg_file PID FILE V1-CONTROLLER: FILE of the cgroup of PID, in the unified
# hierarchy on pure v2 or in V1-CONTROLLER's on a hybrid host
ct_cg_file() {
	local path mnt
	if path=$(awk -F: -v c="$3" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3}' "/proc/$1/cgroup") &&
		[ -n "$path" ]; then
		mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk -v c="$3" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
	else
		path=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
		mnt=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
	fi
	cat "$mnt$path/$2"
}
