#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults at every later step of the multi-step commands.  Each system call a
# command makes on its way (mkdir, mount, the new mount API, netlink sendmsg
# and recvmsg, cgroup writes, setns ...) is made to fail once from outside, with
# strace -e inject=SYSCALL:error=EIO:when=N, for N = 1, 2, ... until the
# command makes no Nth call.  Each time the command must either fail with one
# "TOOL: ..." line and leave nothing behind, or (when it can do without that
# call) succeed; the success is then undone for the next round.
#
# Not injected: the calls of the dynamic loader and libc's start (openat,
# mmap), and the calls that undo (umount2, rmdir, unlink, RTM_DELLINK), which
# cannot themselves be rolled back.  Natural faults -- an address the kernel
# rejects, a bridge name taken by a veth, a setting the kernel refuses, a
# target that exited -- are tested at the end.

load helpers

setup() {
	require_root
	require_cmd strace
	T=$(ctu_tmpdir)
	H=$(ctu_name fh)
	N2=$(ctu_name fn)
	CG=$(ctu_name flt)
}

teardown() {
	"$CGCTL" --self delete -r "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

netns_links() { ip -n "$1" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

# strace_verdict: what the strace log of the last round says, into three
# variables: injected (1 when a call was made to fail), execs (how many
# programs had been exec'd before it: the tool itself is the first, so 2 and
# more mean the injected call came after the program at the end of the chain
# was exec'd, and the tool's work was done) and wrote (1 when the call that
# failed was the write of the message itself).  One awk for the three.
strace_verdict() {
	read -r injected execs wrote < <(awk '
		/execve\(.* = 0$|execve resumed>.* = 0$/ { if (!inj) n++ }
		/INJECTED/ { if (!inj) first = n; inj = 1 }
		/^[0-9]* write\(2, .*INJECTED/ { w = 1 }
		END { print inj + 0, first + 0, w + 0 }' "$BATS_TEST_TMPDIR/strace.log")
}

# inject TOOL UNDO SYSCALLS -- CMD...: the loop described above.  UNDO is a
# function that removes what a successful run made.  WATCH (a function) prints
# extra state to compare, such as the links of a namespace; UNDER is a command
# strace itself runs under (a private mount namespace).  Each round runs in
# the test's shell (no subshell, no `run`): the rounds are hundreds.
inject() {
	local tool=$1 undo=$2 syscalls=$3 sc n failed=() before= after= INJECTED=0 injected execs wrote
	local err=$BATS_TEST_TMPDIR/inject.err
	shift 4
	ctu_state_save "$T"
	[ -z "${WATCH:-}" ] || before=$($WATCH)
	for sc in ${syscalls//,/ }; do
		for ((n = 1; n < 200; n++)); do
			status=0
			${UNDER:-} strace -f -qq -o "$BATS_TEST_TMPDIR/strace.log" -e trace="$sc,execve" \
				-e inject="$sc:error=EIO:when=$n" "$@" >"$BATS_TEST_TMPDIR/inject.out" 2>"$err" || status=$?
			# stderr and stderr_lines as bats's run --separate-stderr sets them
			read -d '' -r stderr <"$err" || true
			IFS=$'\n' read -d '' -r -a stderr_lines <<<"$stderr" || true
			strace_verdict
			[ "$injected" = 1 ] || { "$undo"; break; }
			INJECTED=$((INJECTED + 1))
			if [ "$status" -eq 0 ] || [ "$execs" -ge 2 ]; then
				"$undo" # it did without that call, or it hit the program at the end
			elif [ "$wrote" = 1 ]; then
				: # the failed write was the message itself
			elif [[ ${stderr_lines[0]:-} != "$tool: "* ]]; then
				failed+=("$sc #$n: exit $status, no '$tool:' line: ${stderr:0:200}")
			fi
			if [ -n "${WATCH:-}" ]; then
				after=$($WATCH)
				[ "$after" = "$before" ] || failed+=("$sc #$n: left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -n 3 | tr '\n' ' ')")
			fi
			! ctu_state_changed ||
				failed+=("$sc #$n: left behind: $(grep -E '^[-+]' <<<"$CTU_STATE_DIFF" | head -n 3 | tr '\n' ' ')")
			[ ${#failed[@]} -lt 10 ] || break 2
		done
	done
	echo "# $tool: $INJECTED faults injected" >&3
	[ "$INJECTED" -gt 0 ] || fail "no fault was injected: is strace working?"
	[ ${#failed[@]} -eq 0 ] || fail "$(printf '%s\n' "${failed[@]}")"
}

# ---- ovlmount: --mkdir, a tmpfs upper, the fsconfig calls, the mount --------

undo_ovlmount() {
	"$OVLMOUNT" --umount "$T/m/merged" >/dev/null 2>&1 || true
	rm -rf "$T/m" "$T/upper" "$T/upper.work"
}

@test "ovlmount: a failure at any step of the mount rolls everything back" {
	mkdir -p "$T/l1" "$T/l2" "$T/l3"
	inject ovlmount undo_ovlmount mkdir,mkdirat,mount,fsopen,fsconfig,fsmount,move_mount,statfs -- \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" -l "$T/l3" -u "$T/upper" "$T/m/merged"
	inject ovlmount undo_ovlmount mkdir,mkdirat,mount,fsconfig,fsmount,move_mount -- \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" --tmpfs-upper "$T/m/merged"
}

@test "ovlmount: a failure in the legacy path (one mount(2) through /proc/self/fd) rolls back" {
	mkdir -p "$T/l1" "$T/l2"
	CTU_OVLMOUNT_LEGACY=1 inject ovlmount undo_ovlmount mkdir,mkdirat,mount,clone3,clone,wait4 -- \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" -u "$T/upper" "$T/m/merged"
}

# ---- pivot: mounts, directories, a symlink, the pivot itself ---------------

undo_pivot() { rm -rf "$ROOT/a" "$ROOT/data" "$ROOT/lnk"; }

@test "pivot: a failure at any step of the setup removes what it made in the new root" {
	ROOT=$T/root
	ctu_make_rootfs "$ROOT"
	mkdir -p "$T/src"
	UNDER="unshare -m --propagation private" \
		inject pivot undo_pivot mount,fsopen,fsconfig,fsmount,move_mount,open_tree,mount_setattr,mkdirat,symlinkat,openat2,pivot_root,chdir,chroot -- \
		"$PIVOT" "$ROOT" --proc --dev --tmpfs /tmp \
		--mkdir /a/b --bind "$T/src:/data" --symlink /a:/lnk --readonly -- /bin/true
}

# ---- cgctl: a tree of cgroups with settings, in every hierarchy -------------

undo_cgctl() { "$CGCTL" --self delete -r "$CG" >/dev/null 2>&1 || true; }

@test "cgctl create: a failure at any step removes the cgroups it made" {
	inject cgctl undo_cgctl mkdir,mkdirat,write,statfs -- \
		"$CGCTL" --self create "$CG/a/b" --memory 64M --pids 64 --cpus 0.5 --cpu-weight 200
}

@test "cgctl exec: a failure at any step removes the cgroup and runs nothing" {
	inject cgctl undo_cgctl mkdir,mkdirat,write -- \
		"$CGCTL" --self exec "$CG/x" --memory 64M --pids 64 -- true
}

# ---- vethctl: pairs, bridges, addresses, across namespaces ------------------

undo_veth() { ip -n "$H" link del ve0 >/dev/null 2>&1 || true; }
watch_veth() { netns_links "$H"; netns_links "$N2"; ip -n "$H" -o addr show | awk '{ print $2, $4 }'; }

veth_namespaces() {
	ip netns add "$H"
	ctu_cleanup_add netns "$H"
	ip netns add "$N2"
	ctu_cleanup_add netns "$N2"
	ip -n "$H" link add br0 type bridge
}

@test "vethctl add: a failure at any netlink step deletes the pair" {
	veth_namespaces
	WATCH=watch_veth inject vethctl undo_veth sendmsg,recvmsg,socket,setns,bind -- \
		"$VETHCTL" --netns "$H" add ve0 --peer-netns "$N2" --bridge br0 \
		--addr 10.55.0.1/24 --peer-addr 10.55.0.2/24 --mtu 1400
}

@test "vethctl connect: a failure at any step unplugs the container again" {
	veth_namespaces
	ip -n "$H" addr add 10.56.0.1/24 dev br0
	ip -n "$H" link set br0 up
	undo_connect() { "$VETHCTL" --netns "$H" disconnect "$N2" >/dev/null 2>&1 || true; }
	WATCH=watch_veth inject vethctl undo_connect sendmsg,recvmsg,setns -- \
		"$VETHCTL" --netns "$H" connect "$N2" --bridge br0 --addr 10.56.0.2/24 --host-name ve1
}

# ---- unshare-lite: persistent namespaces bound to files ---------------------

undo_unshare() {
	local f
	rm -f "$T/ns/pid"
	for f in "$T/ns/net" "$T/ns/uts" "$T/ns/ipc" "$T/ns/time"; do
		while umount "$f" >/dev/null 2>&1; do :; done
		rm -f "$f"
	done
}

@test "unshare-lite: a failure while binding namespaces to files removes them all" {
	mkdir -p "$T/ns"
	mount --bind "$T/ns" "$T/ns"
	mount --make-private "$T/ns"
	ctu_cleanup_add mount "$T/ns"
	# sethostname fails inside, after the namespaces were bound from outside;
	# setns is the entry into the new time namespace
	inject unshare-lite undo_unshare mount,unshare,clone3,sethostname,setns,pipe2,wait4 -- \
		"$UNSHARE_LITE" --net="$T/ns/net" --uts="$T/ns/uts" --ipc="$T/ns/ipc" --hostname box \
		--boottime 100 -- true
	inject unshare-lite undo_unshare mount,clone3,sethostname,setns,pipe2,wait4 -- \
		"$UNSHARE_LITE" -f --net="$T/ns/net" --uts="$T/ns/uts" --ipc="$T/ns/ipc" --time="$T/ns/time" \
		--boottime 100 --hostname box --pidfile "$T/ns/pid" -- true
	# and a program that cannot be run: the namespaces are not kept for it
	run -127 "$UNSHARE_LITE" -f --net="$T/ns/net" --uts="$T/ns/uts" -- "$T/no-such-program"
	run -127 "$UNSHARE_LITE" --net="$T/ns/net" --uts="$T/ns/uts" -- "$T/no-such-program"
	assert_state_unchanged
}

# ---- nsenter-lite: every way into the target can fail -----------------------

undo_entered() { rm -f "$T/entered"; }

@test "nsenter-lite: a failure entering any namespace enters none and runs nothing" {
	"$UNSHARE_LITE" -mnuip -f --pidfile "$T/pid" sleep 600 >/dev/null 2>&1 3>&- &
	local parent=$!
	ctu_cleanup_add pid "$parent"
	ctu_wait_for_file "$T/pid"
	local target
	target=$(cat "$T/pid")
	ctu_cleanup_add pid "$target"
	inject nsenter-lite undo_entered pidfd_open,setns,pidfd_send_signal,clone3 -- \
		"$NSENTER_LITE" -t "$target" -a touch "$T/entered"
	# (not openat: the loader's own come first, and a sanitizer build hangs
	# when one of its libraries fails to open)
	CTU_NSENTER_NO_PIDFD=1 inject nsenter-lite undo_entered setns,clone3 -- \
		"$NSENTER_LITE" -t "$target" -a touch "$T/entered"
	kill -KILL "$target"
	wait "$parent" || true
}

# ---- natural faults: the kernel says no in the middle of a command ----------

@test "vethctl: an address the kernel rejects, a bridge name taken by a veth: rolled back" {
	veth_namespaces
	ip -n "$H" link add taken type veth peer name takenp
	local before
	before=$(watch_veth)
	# the loopback address on a veth: refused once the pair is already made
	run -1 "$VETHCTL" --netns "$H" add ve0 --addr ::1/128
	assert_output --regexp '^vethctl: .*::1'
	run -1 "$VETHCTL" --netns "$H" add ve0 --bridge taken
	assert_output --regexp '^vethctl: .*taken.*not a bridge'
	run -1 "$VETHCTL" --netns "$H" bridge add taken
	assert_output --partial "taken"
	[ "$(watch_veth)" = "$before" ]
}

@test "cgctl: a setting the kernel refuses removes the cgroups made for it" {
	ctu_state_save
	run -1 "$CGCTL" --self create "$CG/a" --cpuset 4000-4001
	assert_output --regexp "^cgctl: .*cpuset"
	assert_state_unchanged
}

@test "ovlmount: a layer removed while the mount is set up: clear error, nothing left" {
	mkdir -p "$T/l1" "$T/l2"
	ctu_state_save "$T"
	# the layer goes between the checks and the mount: make fsconfig see ENOENT
	# at the first layer (the calls before it: the legacy probe, "source")
	run -1 strace -f -qq -o /dev/null -e trace=fsconfig -e inject=fsconfig:error=ENOENT:when=3 \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" -u "$T/upper" "$T/m/merged"
	assert_line --regexp '^ovlmount: lower layer .*: No such file or directory'
	assert_state_unchanged
}
