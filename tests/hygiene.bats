#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# fd and privilege hygiene of every chaining tool, from a table: the program
# at the end of the chain sees only fds 0, 1 and 2 (and those --preserve-fds
# passes); a setuid-installed copy of any tool refuses to run; --cap-drop and
# --no-new-privs hold in the program after a chain through the other tools.

load helpers

setup() {
	require_root
	T=$(ctu_tmpdir)
	CG=$(ctu_name hyg)
	mkdir -p "$T/l1" "$T/l2" "$T/merged"
	ROOT=$T/root
	ctu_make_rootfs "$ROOT"
	cp "$CTU_HELPERS/list-fds" "$ROOT/bin/list-fds"
}

teardown() {
	"$CGCTL" --self delete "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

# The chaining tools, each as the words that run a program after it.  pivot
# and ovlmount mount, so they run in a private mount namespace of their own.
chain_prefix() {
	case $1 in
	unshare-lite) echo "$UNSHARE_LITE -u --" ;;
	unshare-lite-fork) echo "$UNSHARE_LITE -f -p -u --" ;;
	nsenter-lite) echo "$NSENTER_LITE -t $$ -u --" ;;
	cgctl-exec) echo "$CGCTL --self exec $CG --" ;;
	ovlmount) echo "unshare -m --propagation private $OVLMOUNT -l $T/l1:$T/l2 $T/merged --" ;;
	pivot) echo "unshare -m --propagation private $PIVOT $ROOT --proc --" ;;
	esac
}
CHAINS="unshare-lite unshare-lite-fork nsenter-lite cgctl-exec ovlmount pivot"

# the program that prints its fds: inside pivot's new root it is /bin/list-fds
list_fds_for() { [ "$1" = pivot ] && echo /bin/list-fds || echo "$CTU_HELPERS/list-fds"; }

@test "every chaining tool: the program sees only fds 0, 1 and 2" {
	local chain prefix failed=()
	for chain in $CHAINS; do
		read -ra prefix <<<"$(chain_prefix "$chain")"
		# fds the caller leaked on purpose: not close-on-exec
		run run_clean_fds bash -c 'exec 5</dev/null 7>/dev/null 9<&0; exec "$@"' _ \
			"${prefix[@]}" "$(list_fds_for "$chain")"
		[ "$status" -eq 0 ] && [ "$output" = "0 1 2" ] || failed+=("$chain: exit $status, fds '$output'")
		"$CGCTL" --self delete "$CG" >/dev/null 2>&1 || true
	done
	[ ${#failed[@]} -eq 0 ] || fail "$(printf '%s\n' "${failed[@]}")"
}

@test "every tool with --preserve-fds passes exactly the fds asked for" {
	local prefix failed=()
	for prefix in "$UNSHARE_LITE --preserve-fds 2 -u --" "$UNSHARE_LITE --preserve-fds 2 -f -u --" \
		"$NSENTER_LITE --preserve-fds 2 -t $$ -u --" "$CGCTL --self exec $CG --preserve-fds 2 --"; do
		read -ra words <<<"$prefix"
		run run_clean_fds bash -c 'exec 3</dev/null 4</dev/null 5</dev/null; exec "$@"' _ \
			"${words[@]}" "$CTU_HELPERS/list-fds"
		[ "$status" -eq 0 ] && [ "$output" = "0 1 2 3 4" ] || failed+=("$prefix: exit $status, fds '$output'")
		"$CGCTL" --self delete "$CG" >/dev/null 2>&1 || true
	done
	[ ${#failed[@]} -eq 0 ] || fail "$(printf '%s\n' "${failed[@]}")"
}

@test "every tool: a setuid-installed copy refuses to run" {
	local tool code failed=()
	for tool in unshare-lite nsenter-lite pivot ovlmount cgctl vethctl; do
		cp "$CTU_BUILD/$tool" "$T/$tool"
		chmod 4755 "$T/$tool"
		case $tool in unshare-lite | nsenter-lite | pivot) code=125 ;; *) code=1 ;; esac
		run run_unprivileged "$T/$tool" --version
		[ "$status" -eq "$code" ] && [[ $output == "$tool: refusing to run setuid"* ]] ||
			failed+=("$tool: exit $status: $output")
		# setgid is refused the same way (in a sanitizer build LeakSanitizer, which
		# cannot run in a setgid process, then replaces the exit code with 1)
		chmod 2755 "$T/$tool"
		run run_unprivileged "$T/$tool" --version
		[[ $output == "$tool: refusing to run setuid"* ]] &&
			{ [ "$status" -eq "$code" ] || [[ $output == *LeakSanitizer* ]]; } ||
			failed+=("$tool (setgid): exit $status: $output")
	done
	[ ${#failed[@]} -eq 0 ] || fail "$(printf '%s\n' "${failed[@]}")"
}

@test "--cap-drop and --no-new-privs hold after a chain through cgctl exec and ovlmount" {
	local first
	for first in "$UNSHARE_LITE -m --propagation private --cap-drop net_raw,sys_time --no-new-privs --" \
		"$NSENTER_LITE -t $$ -u --cap-drop net_raw,sys_time --no-new-privs --"; do
		read -ra words <<<"$first"
		run "${words[@]}" "$CGCTL" --self exec "$CG" -- \
			unshare -m --propagation private "$OVLMOUNT" -l "$T/l1:$T/l2" "$T/merged" -- \
			grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
		assert_success
		assert_line --regexp 'NoNewPrivs:[[:space:]]+1'
		local eff bnd
		eff=$(awk '/^CapEff/ { print $2 }' <<<"$output")
		bnd=$(awk '/^CapBnd/ { print $2 }' <<<"$output")
		# CAP_NET_RAW is bit 13, CAP_SYS_TIME bit 25: gone from both sets
		(((0x$eff >> 13) & 1)) && fail "CAP_NET_RAW still effective: $eff"
		(((0x$bnd >> 25) & 1)) && fail "CAP_SYS_TIME still in the bounding set: $bnd"
		# and CAP_SYS_ADMIN (bit 21), which ovlmount needed, was kept
		(((0x$eff >> 21) & 1)) || fail "CAP_SYS_ADMIN lost: $eff"
		"$CGCTL" --self delete "$CG"
	done
}

@test "the waiting parents of a chain map only libc: libmount, libsmartcols, libarchive, libcrypto come on first use" {
	local lazy='lib(mount|smartcols|archive|crypto)\.so'
	# unshare-lite -f waits for the program: it is the program's parent
	run "$UNSHARE_LITE" -f -u -- sh -c 'cat /proc/$PPID/maps'
	assert_success
	assert_output --partial "$(readlink -f "$UNSHARE_LITE")"
	refute_output --regexp "$lazy"
	# cgctl exec --rm waits to delete the cgroup; it reads the mount table
	# (libmount) only where v1 hierarchies are mounted
	run "$CGCTL" --self exec --rm "$CG" -- sh -c 'cat /proc/$PPID/maps'
	assert_success
	assert_output --partial "$(readlink -f "$CGCTL")"
	refute_output --regexp 'lib(smartcols|archive|crypto)\.so'
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		refute_output --regexp 'libmount\.so'
	else
		assert_output --regexp 'libmount\.so'
	fi
	# and a command that prints a table loads libsmartcols then
	run "$CGCTL" ls --self
	assert_success
}
