#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite's targets on the real kernel (terminals-debug.md, Part 2):
# --cgroup [CONTROLLER:]PATH (the cgroup's oldest process, or its subtree's),
# --netns NAME|FILE (`ip netns exec` as iproute2 does it), and the pidrefs
# that refuse a recycled PID (PID@START, PID:INODE, --pidfile's 2 s rule),
# with -r/-w alone as util-linux 2.38 has them.  Host (hybrid cgroups) and
# the VM (Linux 6.1, pure cgroup v2).  Every cgroup is made below our own,
# every netns and /etc/netns directory is named for the run and removed.

load helpers

setup() {
	require_root
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
	CG=$(ctu_name cg)
	U=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
	[ -n "$U" ] || fail "no cgroup2 mount: every host and VM of the suite has one"
	# our own cgroup in the unified hierarchy, as /proc/self/cgroup says ("" for /)
	OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)
	OWN=${OWN%/}
}

teardown() {
	ctu_teardown
	# /etc/netns is left as it was found: removed only if a test made it
	if [ -n "${MADE_ETC_NETNS:-}" ]; then rmdir /etc/netns 2>/dev/null || true; fi
}

# mkcg DIR: a cgroup directory, removed (children first) in teardown.
mkcg() {
	mkdir "$1" || return 1
	ctu_cleanup_add cgroup "$1"
}

# start_in CGDIR HOSTNAME: a sleeping process with a UTS namespace of its own
# named HOSTNAME, moved into the cgroup CGDIR; its PID in $PID.  Each starts
# a clock tick (10 ms) or more after the one before, so "oldest" is exact.
start_in() {
	"$UNSHARE_LITE" -u --hostname "$2" sleep 1000 &
	PID=$!
	ctu_cleanup_add pid "$PID"
	echo "$PID" >"$1/cgroup.procs" || return 1
	wait_exec "$PID" sleep || return 1
	sleep 0.05
}

# wait_exec PID COMM: until PID runs COMM (unshare-lite has exec'd it).
wait_exec() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# start_time PID: field 22 of /proc/PID/stat (the comm, field 2, may hold spaces).
start_time() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	# $stat now starts at field 3
	set -- $stat
	shift 19
	echo "$1"
}

# v1_dir CTRL: the directory of our own cgroup in CTRL's v1 hierarchy, or nothing.
v1_dir() {
	local mnt path
	mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk -v c="$1" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
	[ -n "$mnt" ] || return 0
	path=$(awk -F: -v c="$1" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3}' /proc/self/cgroup)
	echo "$mnt|${path%/}"
}

# --- --cgroup -----------------------------------------------------------------

@test "--cgroup PATH: the oldest process of the cgroup is entered, with its root" {
	mkcg "$U$OWN/$CG"
	start_in "$U$OWN/$CG" ctu-oldest
	first=$PID
	start_in "$U$OWN/$CG" ctu-younger
	start_in "$U$OWN/$CG" ctu-youngest
	# PATH as cgctl and /proc/PID/cgroup write it: with or without the leading /
	for path in "$OWN/$CG" "${OWN#/}${OWN:+/}$CG"; do
		run "$NSENTER_LITE" --cgroup "$path" sh -c 'hostname; readlink /proc/self/ns/uts'
		assert_success
		assert_line --index 0 ctu-oldest
		assert_line --index 1 "$(readlink "/proc/$first/ns/uts")"
	done
	# --cgroup=PATH too, and an absolute path into the cgroup2 mount
	run "$NSENTER_LITE" --cgroup="$OWN/$CG" hostname
	assert_output ctu-oldest
	run "$NSENTER_LITE" --cgroup "$U$OWN/$CG" hostname
	assert_output ctu-oldest
	# once the oldest is gone, the next one
	kill "$first"
	wait "$first" || true
	run "$NSENTER_LITE" --cgroup "$OWN/$CG" hostname
	assert_success
	assert_output ctu-younger
}

@test "--cgroup implies -a -r: the target's own root is the program's" {
	ctu_make_rootfs "$T/root"
	echo in-target-root >"$T/root/marker"
	mkcg "$U$OWN/$CG"
	"$UNSHARE_LITE" -m -u --hostname ctu-rooted -R "$T/root" -w / sleep 1000 &
	ctu_cleanup_add pid $!
	echo $! >"$U$OWN/$CG/cgroup.procs"
	wait_exec $! sleep
	run "$NSENTER_LITE" --cgroup "$OWN/$CG" sh -c 'cat /marker; hostname'
	assert_success
	assert_line --index 0 in-target-root
	assert_line --index 1 ctu-rooted
	# a namespace option asks for that one alone: no -a, no -r
	run "$NSENTER_LITE" --cgroup "$OWN/$CG" -u sh -c 'hostname; cat /marker'
	assert_failure
	assert_line --index 0 ctu-rooted
}

@test "--cgroup: a cgroup with no process of its own stands for its subtree's oldest" {
	mkcg "$U$OWN/$CG"
	mkdir "$U$OWN/$CG/a" "$U$OWN/$CG/b" "$U$OWN/$CG/b/deeper"
	# the oldest is deeper down in the second child, the younger in the first
	start_in "$U$OWN/$CG/b/deeper" ctu-deep-oldest
	start_in "$U$OWN/$CG/a" ctu-a-younger
	run "$NSENTER_LITE" --cgroup "$OWN/$CG" hostname
	assert_success
	assert_output ctu-deep-oldest
	run "$NSENTER_LITE" --cgroup "$OWN/$CG/a" hostname
	assert_output ctu-a-younger
	# a process of its own wins over an older one of a descendant
	start_in "$U$OWN/$CG" ctu-own-youngest
	run "$NSENTER_LITE" --cgroup "$OWN/$CG" hostname
	assert_success
	assert_output ctu-own-youngest
}

@test "--cgroup: of two started in the same clock tick, the one whose parent is not in the set" {
	require_kernel_feature pidns
	require_tool "$CTU_HELPERS/tie-fork"
	mkcg "$U$OWN/$CG"
	# In a pid namespace of our own, a parent with a high PID and its child
	# with a low one, started in the same tick: "lowest PID" alone would pick
	# the child (tests/helpers/tie-fork.c).
	run unshare -p -f --mount-proc "$CTU_HELPERS/tie-fork" "$U$OWN/$CG" \
		"$NSENTER_LITE" --cgroup "$OWN/$CG" hostname
	assert_success
	assert_line --index 0 --regexp '^tie [0-9]+ [0-9]+ [0-9]+$'
	read -r _ parent child _ <<<"${lines[0]}"
	[ "$child" -lt "$parent" ]
	assert_line --index 1 ctu-parent
}

@test "--cgroup: an empty cgroup (and empty descendants) is 125, nothing run" {
	mkcg "$U$OWN/$CG"
	mkdir -p "$U$OWN/$CG/a/b"
	run -125 "$NSENTER_LITE" --cgroup "$OWN/$CG" touch "$T/ran"
	assert_output "nsenter-lite: cgroup $OWN/$CG holds no process (nor do its descendants)"
	[ ! -e "$T/ran" ]
	# one that does not exist, in any hierarchy or in one
	run -125 "$NSENTER_LITE" --cgroup "$OWN/$CG/nosuch" true
	assert_output "nsenter-lite: no cgroup $OWN/$CG/nosuch in any hierarchy"
	run -125 "$NSENTER_LITE" --cgroup "memory:$OWN/$CG/nosuch" true
	assert_output --regexp "^nsenter-lite: no cgroup $OWN/$CG/nosuch in the (memory|unified) hierarchy\$"
}

@test "--cgroup: bad paths and controllers are refused with their message" {
	run -125 "$NSENTER_LITE" --cgroup '' true
	assert_line --index 0 "nsenter-lite: empty cgroup path in --cgroup"
	run -125 "$NSENTER_LITE" --cgroup "$OWN/../../etc" true
	assert_line --index 0 "nsenter-lite: invalid cgroup path '$OWN/../../etc': '.' and '..' are not cgroup names"
	run -125 "$NSENTER_LITE" --cgroup "ctubogus:/" true
	assert_output "nsenter-lite: no cgroup hierarchy has the controller 'ctubogus'"
	run -125 "$NSENTER_LITE" --cgroup "Mem ory:/" true
	assert_line --index 0 "nsenter-lite: invalid controller 'Mem ory' in --cgroup 'Mem ory:/'"
	# a directory that is no cgroup is not taken for one
	run -125 "$NSENTER_LITE" --cgroup "$T" true
	assert_output "nsenter-lite: no cgroup $T in any hierarchy"
}

@test "--cgroup memory:PATH: the v1 memory hierarchy on a hybrid host, the unified one on v2" {
	mkcg "$U$OWN/$CG"
	start_in "$U$OWN/$CG" ctu-unified
	v1=$(v1_dir memory)
	if [ -z "$v1" ]; then
		# pure v2: memory is a controller of the unified hierarchy
		grep -qw memory "$U/cgroup.controllers" || fail "no memory controller anywhere"
		run "$NSENTER_LITE" --cgroup "memory:$OWN/$CG" hostname
		assert_success
		assert_output ctu-unified
		# v1 names of v2 controllers, and the v2 core's freezer
		run "$NSENTER_LITE" --cgroup "freezer:$OWN/$CG" hostname
		assert_output ctu-unified
		run -125 "$NSENTER_LITE" --cgroup "name=systemd:$OWN/$CG" true
		assert_output "nsenter-lite: no cgroup hierarchy has the controller 'name=systemd'"
		return 0
	fi
	# hybrid: a memory cgroup of the same name holds a younger process of its own
	mnt=${v1%%|*} mine=${v1#*|}
	mkcg "$mnt$mine/$CG"
	start_in "$mnt$mine/$CG" ctu-memory-v1
	run "$NSENTER_LITE" --cgroup "memory:$mine/$CG" hostname
	assert_success
	assert_output ctu-memory-v1
	run "$NSENTER_LITE" --cgroup "$mnt$mine/$CG" hostname
	assert_output ctu-memory-v1
	# without a controller the unified hierarchy comes first, the v1 ones last
	run "$NSENTER_LITE" --cgroup "$OWN/$CG" hostname
	assert_output ctu-unified
	if [ -d "$U$mine/$CG" ]; then expected=ctu-unified; else expected=ctu-memory-v1; fi
	run "$NSENTER_LITE" --cgroup "$mine/$CG" hostname
	assert_output "$expected"
}

# --- --netns ------------------------------------------------------------------

# mk_netns: a named netns $NS with a veth pair, and /etc/netns/$NS with a
# resolv.conf of its own; all removed in teardown.
mk_netns() {
	require_cmd ip
	require_kernel_feature veth
	NS=$(ctu_name n)
	ip netns add "$NS" || return 1
	ctu_cleanup_add netns "$NS"
	ip -n "$NS" link add ctu-v0 type veth peer name ctu-v1 || return 1
	if [ ! -d /etc/netns ]; then
		mkdir /etc/netns || return 1
		MADE_ETC_NETNS=1
	fi
	mkdir "/etc/netns/$NS" || return 1
	ctu_cleanup_add dir "/etc/netns/$NS"
	# the VM's root has no resolv.conf: an empty one to bind over, then removed
	if [ ! -e /etc/resolv.conf ]; then
		: >/etc/resolv.conf || return 1
		ctu_cleanup_add file /etc/resolv.conf
	fi
	echo "nameserver 192.0.2.53 # $NS" >"/etc/netns/$NS/resolv.conf"
}

@test "--netns NAME: as ip netns exec, /sys and /etc/resolv.conf of the namespace" {
	mk_netns
	show='ls /sys/class/net; cat /etc/resolv.conf; readlink /proc/self/ns/net'
	expected=$(ip netns exec "$NS" sh -c "$show")
	grep -qx ctu-v0 <<<"$expected" || fail "ip netns exec shows no ctu-v0: $expected"
	ctu_state_save /etc
	resolv_before=$(cat /etc/resolv.conf)
	run "$NSENTER_LITE" --netns "$NS" sh -c "$show"
	assert_success
	assert_output "$expected"
	assert_line "nameserver 192.0.2.53 # $NS"
	# its path names it as well (and /etc/netns/NAME still applies)
	run "$NSENTER_LITE" --netns "/run/netns/$NS" sh -c "$show"
	assert_success
	assert_output "$expected"
	# nothing of it reached our mount namespace
	[ "$(cat /etc/resolv.conf)" = "$resolv_before" ]
	assert_state_unchanged
	# a shell sees its mounts in a mount namespace of its own, a slave of ours
	run "$NSENTER_LITE" --netns "$NS" sh -c 'readlink /proc/self/ns/mnt; findmnt -n -o PROPAGATION /'
	assert_success
	[ "${lines[0]}" != "$(readlink /proc/self/ns/mnt)" ]
	[[ "${lines[1]}" != *shared* ]] || fail "/ is still shared: ${lines[1]}"
	# and a mount the program makes stays in it
	mkdir "$T/mnt"
	run "$NSENTER_LITE" --netns "$NS" sh -c "mount -t tmpfs ctu-netns-tmp '$T/mnt' && grep -c ctu-netns-tmp /proc/self/mountinfo"
	assert_success
	assert_output 1
	run grep -c ctu-netns-tmp /proc/self/mountinfo
	assert_output 0
}

@test "--netns: a read-only /sys stays read-only; without /etc/netns nothing is bound" {
	mk_netns
	rm -r "/etc/netns/$NS"
	run "$NSENTER_LITE" --netns "$NS" sh -c 'findmnt -n -o FSTYPE,OPTIONS /sys; cat /etc/resolv.conf'
	assert_success
	assert_line --index 0 --regexp '^sysfs +rw,'
	[ "${lines[*]:1}" = "$(cat /etc/resolv.conf | tr '\n' ' ' | sed 's/ $//')" ]
	run unshare -m --propagation private sh -c 'mount -o remount,bind,ro /sys && exec "$0" --netns "$1" findmnt -n -o OPTIONS /sys' "$NSENTER_LITE" "$NS"
	assert_success
	assert_output --regexp '^ro,'
}

@test "--netns: symlinks and entries with no /etc namesake are skipped with a warning" {
	mk_netns
	ln -s /etc/shadow "/etc/netns/$NS/hosts"
	echo x >"/etc/netns/$NS/ctu-no-such-file-$NS"
	run --separate-stderr "$NSENTER_LITE" --netns "$NS" sh -c 'cat /etc/resolv.conf; cat /etc/hosts'
	assert_success
	assert_line --index 0 "nameserver 192.0.2.53 # $NS"
	[ "${lines[*]:1}" = "$(tr '\n' ' ' </etc/hosts | sed 's/ $//')" ]
	grep -qx "nsenter-lite: skipping /etc/netns/$NS/hosts: a symlink" <<<"$stderr"
	grep -qx "nsenter-lite: skipping /etc/netns/$NS/ctu-no-such-file-$NS: /etc/ctu-no-such-file-$NS does not exist" <<<"$stderr"
	[ ! -e "/etc/ctu-no-such-file-$NS" ]
}

@test "--netns: wrong namespace files, unknown names and a/b are 125, nothing run" {
	require_cmd ip
	ctu_state_save
	run -125 "$NSENTER_LITE" --netns /proc/self/ns/uts touch "$T/ran"
	assert_output "nsenter-lite: /proc/self/ns/uts is not a net namespace"
	run -125 "$NSENTER_LITE" --netns /etc/passwd touch "$T/ran"
	assert_output "nsenter-lite: /etc/passwd is not a namespace file"
	run -125 "$NSENTER_LITE" --netns a/b touch "$T/ran"
	assert_output "nsenter-lite: cannot open the net namespace a/b: No such file or directory"
	run -125 "$NSENTER_LITE" --netns "$(ctu_name none)" touch "$T/ran"
	assert_output "nsenter-lite: no such network namespace: $(ctu_name none)"
	# a number is a name too, as ip netns has it (not a PID)
	run -125 "$NSENTER_LITE" --netns 1 touch "$T/ran"
	assert_output "nsenter-lite: no such network namespace: 1"
	run -125 "$NSENTER_LITE" --netns .. touch "$T/ran"
	assert_line --index 0 "nsenter-lite: invalid network namespace name '..'"
	[ ! -e "$T/ran" ]
	assert_state_unchanged
}

# --- pidrefs --------------------------------------------------------------------

# pidfd_inode PID: the pidfs inode of a pidfd of PID (on Linux < 6.9 the one
# anonymous inode every pidfd shares).
pidfd_inode() {
	python3 -c 'import os, sys; print(os.fstat(os.pidfd_open(int(sys.argv[1]))).st_ino)' "$1"
}

# has_pidfs: pidfds of two processes have inodes of their own (Linux 6.9+).
has_pidfs() {
	[ "$(pidfd_inode 1)" != "$(pidfd_inode $$)" ]
}

@test "a recycled PID: -t PID@START refuses the process that has the PID now" {
	require_kernel_feature pidns
	cat >"$T/recycle.sh" <<-'EOF'
		# in a pid namespace of our own, with its /proc: PID P dies and is
		# given to a new process, which ns_last_pid makes sure of
		nsenter=$1 flag=$2
		sleep 1000 & p=$!
		s=$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f20)
		kill -KILL $p; wait $p 2>/dev/null
		sleep 0.05 # a later clock tick, else the two start times are equal
		echo $((p - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 1000 & q=$!
		[ "$q" = "$p" ] || { echo "got PID $q, not $p"; exit 99; }
		s2=$(sed 's/.*) //' /proc/$q/stat | cut -d' ' -f20)
		echo "$p $s $s2"
		"$nsenter" -t "$p@$s" -a touch "$flag"
		echo "rc=$?"
		"$nsenter" -t "$q@$s2" -a true
		echo "rc=$?"
		kill $q
	EOF
	run unshare -p -f --mount-proc bash "$T/recycle.sh" "$NSENTER_LITE" "$T/entered"
	read -r p s s2 <<<"${lines[0]}"
	[ -n "$s2" ] && [ "$s" != "$s2" ] || fail "setup: $output"
	assert_line --index 1 "nsenter-lite: process $p is not $p@$s (it started at $s2): the PID was reused; nothing was entered"
	assert_line --index 2 rc=125
	[ ! -e "$T/entered" ]
	# the same process named by its own start time is entered
	assert_line --index 3 rc=0
}

@test "-t PID@START of a live process enters it; a bad start time is a usage error" {
	"$UNSHARE_LITE" -u --hostname ctu-pidref sleep 1000 &
	pid=$!
	ctu_cleanup_add pid "$pid"
	wait_exec "$pid" sleep
	run "$NSENTER_LITE" -t "$pid@$(start_time "$pid")" -u hostname
	assert_success
	assert_output ctu-pidref
	run -125 "$NSENTER_LITE" -t "$pid@$(($(start_time "$pid") + 1))" -u touch "$T/ran"
	assert_output --partial "nsenter-lite: process $pid is not $pid@$(($(start_time "$pid") + 1)) (it started at $(start_time "$pid")): the PID was reused; nothing was entered"
	run -125 "$NSENTER_LITE" -t "$pid@x" -u true
	assert_line --index 0 --partial "nsenter-lite: invalid start time in '$pid@x'"
	[ ! -e "$T/ran" ]
}

@test "-t PID:INODE: accepted with pidfs (Linux 6.9+), refused before with its message" {
	require_cmd python3
	"$UNSHARE_LITE" -u --hostname ctu-inode sleep 1000 &
	pid=$!
	ctu_cleanup_add pid "$pid"
	wait_exec "$pid" sleep
	ino=$(pidfd_inode "$pid")
	if has_pidfs; then
		run "$NSENTER_LITE" -t "$pid:$ino" -u hostname
		assert_success
		assert_output ctu-inode
		# another process's inode: this PID is not that process
		other=$(pidfd_inode $$)
		run -125 "$NSENTER_LITE" -t "$pid:$other" -u touch "$T/ran"
		assert_output --partial "the PID was reused; nothing was entered"
	else
		run -125 "$NSENTER_LITE" -t "$pid:$ino" -u touch "$T/ran"
		assert_line --index 0 "nsenter-lite: PID:INODE needs Linux 6.9 (pidfs); use PID@STARTTIME"
	fi
	[ ! -e "$T/ran" ]
}

# started_before PID SECONDS: the wall-clock time SECONDS before PID started,
# from the boot's wall time (now - /proc/uptime), finer than /proc/stat's btime.
started_before() {
	awk -v now="$(date +%s.%N)" -v st="$(start_time "$1")" -v hz="$(getconf CLK_TCK)" -v s="$2" \
		'{ printf "%.2f\n", now - $1 + st / hz - s }' /proc/uptime
}

@test "--pidfile: a plain PID over 2 s younger than its file is refused; PID@START is not" {
	"$UNSHARE_LITE" -u --hostname ctu-pidfile sleep 1000 &
	pid=$!
	ctu_cleanup_add pid "$pid"
	wait_exec "$pid" sleep
	echo "$pid" >"$T/fresh.pid"
	run "$NSENTER_LITE" --pidfile "$T/fresh.pid" -u hostname
	assert_success
	assert_output ctu-pidfile
	# a file written 10 s before the process started names an older one
	echo "$pid" >"$T/stale.pid"
	touch -d "@$(started_before "$pid" 10)" "$T/stale.pid"
	run -125 "$NSENTER_LITE" --pidfile "$T/stale.pid" -u touch "$T/ran"
	assert_output --regexp "^nsenter-lite: pid file $T/stale.pid names process $pid, which started (9|10|11) s after the file was written: the PID was reused; nothing was entered\$"
	[ ! -e "$T/ran" ]
	# one written a second before: within the 2 s, taken
	touch -d "@$(started_before "$pid" 1)" "$T/fresh.pid"
	run "$NSENTER_LITE" --pidfile "$T/fresh.pid" -u hostname
	assert_output ctu-pidfile
	# PID@START pins the process whatever the file's age
	echo "$pid@$(start_time "$pid")" >"$T/ref.pid"
	touch -d "@$(($(date +%s) - 3600))" "$T/ref.pid"
	run "$NSENTER_LITE" --pidfile "$T/ref.pid" -u hostname
	assert_success
	assert_output ctu-pidfile
	echo "$pid@$(($(start_time "$pid") - 1))" >"$T/ref.pid"
	run -125 "$NSENTER_LITE" --pidfile "$T/ref.pid" -u true
	assert_output --partial "the PID was reused; nothing was entered"
}

@test "-r and -w alone print what util-linux 2.38's nsenter prints" {
	require_cmd nsenter
	ctu_make_rootfs "$T/root"
	mkdir -p "$T/root/work/sub"
	chroot "$T/root" /bin/sh -c 'cd /work/sub && exec sleep 1000' &
	pid=$!
	ctu_cleanup_add pid "$pid"
	wait_exec "$pid" sleep
	expected=$(nsenter -t "$pid" -r -w pwd)
	[ "$expected" = /work/sub ] || fail "util-linux nsenter printed '$expected'"
	run "$NSENTER_LITE" -t "$pid" -r -w pwd
	assert_success
	assert_output "$expected"
	run "$NSENTER_LITE" -t "$pid" -w pwd
	assert_output "$(nsenter -t "$pid" -w pwd)"
	# a command line asking for nothing at all keeps 2.41's error
	run -125 "$NSENTER_LITE" -t "$pid" touch "$T/ran"
	assert_line --index 0 "nsenter-lite: no namespace specified"
	[ ! -e "$T/ran" ]
}
