#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# unshare-lite on the real kernel: every namespace type, persistence, user
# namespaces as root and as an unprivileged user, --init, the pid file /
# info fd / block fd protocol, exit status, fd hygiene and bad arguments.

load helpers

setup() {
	require_root
	require_tool "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
}

# --- each namespace isolates ---------------------------------------------------

@test "uts: --hostname is seen inside and never outside" {
	before=$(hostname)
	run "$UNSHARE_LITE" --hostname ctu-box --domainname ctu-dom sh -c 'hostname; domainname'
	assert_success
	assert_line --index 0 ctu-box
	assert_line --index 1 ctu-dom
	[ "$(hostname)" = "$before" ]
	# -u alone: a change made inside stays inside
	run "$UNSHARE_LITE" -u sh -c 'hostname ctu-inside && hostname'
	assert_output ctu-inside
	[ "$(hostname)" = "$before" ]
}

@test "net: a new network namespace holds only lo" {
	require_kernel_feature netns
	run "$UNSHARE_LITE" -n ip -o link show
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	assert_output --regexp '^1: lo:'
}

@test "pid: -p -f --mount-proc shows ps itself as PID 1" {
	run "$UNSHARE_LITE" -mnuipf --mount-proc ps -o pid=,comm=
	assert_success
	assert_output --regexp '^ +1 ps$'
}

@test "pid: -p without --fork is refused with a clear message" {
	run -125 "$UNSHARE_LITE" -p true
	assert_output --partial "unshare-lite: --pid needs --fork"
}

@test "mount: a mount made inside is invisible outside (private by default)" {
	mkdir "$T/m"
	ctu_state_save "$T"
	run "$UNSHARE_LITE" -m sh -c "mount -t tmpfs ctu-inside '$T/m' && grep -c ctu-inside /proc/self/mountinfo"
	assert_success
	assert_output 1
	run grep -c ctu-inside /proc/self/mountinfo
	assert_output 0
	assert_state_unchanged
}

@test "ipc: a message queue made inside is invisible outside" {
	require_cmd ipcmk ipcs
	run "$UNSHARE_LITE" -i sh -c 'ipcmk -Q >/dev/null && ipcs -q | grep -c "^0x"'
	assert_success
	assert_output 1
	inside_ns=$("$UNSHARE_LITE" -i readlink /proc/self/ns/ipc)
	[ "$inside_ns" != "$(readlink /proc/self/ns/ipc)" ]
}

@test "cgroup: a new cgroup namespace has its own root" {
	require_kernel_feature cgroupns
	run "$UNSHARE_LITE" -C readlink /proc/self/ns/cgroup
	assert_success
	[ "$output" != "$(readlink /proc/self/ns/cgroup)" ]
	# inside, our own cgroup is the root of every hierarchy
	"$UNSHARE_LITE" -C cat /proc/self/cgroup >"$T/cgroup"
	[ -s "$T/cgroup" ]
	run grep ':/.' "$T/cgroup"
	assert_failure
}

@test "time: --boottime shifts the boot clock inside only" {
	require_kernel_feature timens
	outside=$(cut -d. -f1 /proc/uptime)
	run "$UNSHARE_LITE" --boottime 100000 cut -d. -f1 /proc/uptime
	assert_success
	[ "$output" -ge $((outside + 100000)) ]
	run "$UNSHARE_LITE" -f -T --boottime 100000 cut -d. -f1 /proc/uptime
	[ "$output" -ge $((outside + 100000)) ]
	[ "$(cut -d. -f1 /proc/uptime)" -lt $((outside + 100000)) ]
}

@test "user: -r maps root, -c maps ourselves, --map-user any uid" {
	require_kernel_feature userns
	run "$UNSHARE_LITE" -r cat /proc/self/uid_map
	assert_output --regexp '^ +0 +0 +1$'
	run "$UNSHARE_LITE" -U --map-user=1234 --map-group=4321 sh -c 'id -u; id -g'
	assert_line --index 0 1234
	assert_line --index 1 4321
	run "$UNSHARE_LITE" -c id -u
	assert_output 0
}

# --- persistent namespaces ---------------------------------------------------------

@test "persist: --uts=FILE and --net=FILE outlive the program and can be entered" {
	ctu_cleanup_add mount "$T/uts"
	ctu_cleanup_add mount "$T/net"
	run "$UNSHARE_LITE" --uts="$T/uts" --net="$T/net" --hostname ctu-persist true
	assert_success
	run nsenter --uts="$T/uts" hostname
	assert_output ctu-persist
	run nsenter --net="$T/net" ip -o link show
	assert_output --regexp '^1: lo:'
	[ "$(stat -L -c %i "$T/uts")" != "$(ctu_ns_inode self uts)" ]
	umount "$T/uts" "$T/net"
}

@test "persist: a pid namespace needs --fork; with it pid and time bind *_for_children" {
	require_kernel_feature timens
	run -125 "$UNSHARE_LITE" --pid="$T/pid" true
	assert_output --partial "persisting a pid namespace needs --fork"
	[ ! -e "$T/pid" ]
	ctu_cleanup_add mount "$T/pid"
	ctu_cleanup_add mount "$T/time"
	run "$UNSHARE_LITE" -f --pid="$T/pid" --time="$T/time" --boottime 5000 true
	assert_success
	findmnt -n "$T/pid" >/dev/null
	findmnt -n "$T/time" >/dev/null
	umount "$T/pid" "$T/time"
}

@test "persist: --time=FILE without --fork binds the time namespace we entered" {
	require_kernel_feature timens
	require_tool "$NSENTER_LITE"
	ctu_state_save "$T"
	ctu_cleanup_add mount "$T/tns"
	ctu_cleanup_add file "$T/tns"
	run "$UNSHARE_LITE" --time="$T/tns" --monotonic 1000 --boottime 100000 true
	assert_success
	findmnt -n "$T/tns" >/dev/null
	run "$NSENTER_LITE" --time="$T/tns" -- cat /proc/self/timens_offsets
	assert_success
	assert_line --regexp '^monotonic +1000 +0$'
	assert_line --regexp '^boottime +100000 +0$'
	run "$NSENTER_LITE" --time="$T/tns" -- cut -d. -f1 /proc/uptime
	[ "$output" -ge 100000 ]
	# the program itself ran in it, not only later children
	run "$UNSHARE_LITE" --time="$T/tns2" --boottime 200000 -- cut -d. -f1 /proc/uptime
	ctu_cleanup_add mount "$T/tns2"
	ctu_cleanup_add file "$T/tns2"
	assert_success
	[ "$output" -ge 200000 ]
	[ "$(stat -L -c %i "$T/tns")" != "$(stat -L -c %i "$T/tns2")" ]
	umount "$T/tns" "$T/tns2"
	rm "$T/tns" "$T/tns2"
	assert_state_unchanged
}

@test "persist: a mount namespace file on a shared mount gets a private parent" {
	mkdir "$T/shared"
	mount -t tmpfs ctu-shared "$T/shared"
	ctu_cleanup_add mount "$T/shared"
	mount --make-shared "$T/shared"
	mkdir "$T/shared/sub"
	ctu_cleanup_add mount "$T/shared/sub"
	ctu_cleanup_add mount "$T/shared/sub/mnt"
	run "$UNSHARE_LITE" --mount="$T/shared/sub/mnt" true
	assert_success
	run nsenter --mount="$T/shared/sub/mnt" true
	assert_success
}

@test "persist: a mount namespace file right on a shared mount point fails cleanly" {
	mkdir "$T/shared"
	mount -t tmpfs ctu-shared "$T/shared"
	ctu_cleanup_add mount "$T/shared"
	mount --make-shared "$T/shared"
	ctu_state_save "$T"
	run -125 "$UNSHARE_LITE" --mount="$T/shared/mnt" --uts="$T/uts" true
	assert_output --partial "cannot persist the mount namespace on $T/shared/mnt"
	assert_output --partial "make it private"
	assert_state_unchanged
}

@test "persist: a missing directory fails with the path and leaves nothing" {
	ctu_state_save "$T"
	run -125 "$UNSHARE_LITE" --uts="$T/a" --net="$T/no/such/net" true
	assert_output --partial "unshare-lite: cannot persist the net namespace on $T/no/such/net"
	assert_state_unchanged
	run -125 "$UNSHARE_LITE" -f --uts="$T/a" --net="$T/no/such/net" true
	assert_state_unchanged
}

# --- user namespaces, root and unprivileged ---------------------------------------

@test "user as nobody: -U -r id -u prints 0" {
	require_kernel_feature userns
	run run_unprivileged "$UNSHARE_LITE" -U -r id -u
	assert_success
	assert_output 0
	run run_unprivileged "$UNSHARE_LITE" -r -f cat /proc/self/uid_map /proc/self/setgroups
	assert_line --index 0 --regexp "^ +0 +$CTU_UNPRIV_UID +1$"
	assert_line --index 1 deny
}

@test "user as nobody: -r --setgroups=deny works (util-linux fails it)" {
	require_kernel_feature userns
	run run_unprivileged "$UNSHARE_LITE" -r --setgroups=deny cat /proc/self/setgroups
	assert_success
	assert_output deny
}

@test "user as nobody: --setgroups=allow with a group map is refused" {
	run -125 run_unprivileged "$UNSHARE_LITE" -r --setgroups=allow true
	assert_output --partial "--setgroups=allow cannot go with a group map"
}

@test "user as nobody: -n without -U needs CAP_SYS_ADMIN and hints at -U/-r" {
	run -125 run_unprivileged "$UNSHARE_LITE" -n true
	assert_output --partial "unshare-lite: cannot create namespaces: Operation not permitted"
	assert_output --partial "needs CAP_SYS_ADMIN"
	assert_output --partial "add -U or -r"
	# with -r it works
	run run_unprivileged "$UNSHARE_LITE" -r -n ip -o link show
	assert_success
	assert_output --regexp '^1: lo:'
}

@test "user as nobody: --map-auto maps the /etc/subuid range through newuidmap" {
	require_cmd newuidmap newgidmap
	echo "nobody:200000:65536" >"$T/subuid"
	echo "nobody:300000:65536" >"$T/subgid"
	chmod 644 "$T/subuid" "$T/subgid"
	# /etc is never edited: the files are bound over it in a private mount ns
	run unshare -m bash -c "mount --bind '$T/subuid' /etc/subuid && mount --bind '$T/subgid' /etc/subgid &&
		setpriv --reuid=$CTU_UNPRIV_UID --regid=$CTU_UNPRIV_GID --clear-groups -- \
		'$UNSHARE_LITE' --map-auto -f cat /proc/self/uid_map /proc/self/gid_map"
	assert_success
	assert_line --index 0 --regexp '^ +0 +200000 +65536$'
	assert_line --index 1 --regexp '^ +0 +300000 +65536$'
	# with -r, root is us and the range gets a hole at 0
	run unshare -m bash -c "mount --bind '$T/subuid' /etc/subuid && mount --bind '$T/subgid' /etc/subgid &&
		setpriv --reuid=$CTU_UNPRIV_UID --regid=$CTU_UNPRIV_GID --clear-groups -- \
		'$UNSHARE_LITE' --map-auto -r cat /proc/self/uid_map"
	assert_success
	assert_line --regexp '^ +1 +200001 +65535$'
	assert_line --regexp "^ +0 +$CTU_UNPRIV_UID +1$"
}

@test "user as nobody: --map-auto without a subuid entry says so" {
	: >"$T/subuid"
	run -125 unshare -m bash -c "mount --bind '$T/subuid' /etc/subuid &&
		setpriv --reuid=$CTU_UNPRIV_UID --regid=$CTU_UNPRIV_GID --clear-groups -- \
		'$UNSHARE_LITE' --map-auto true"
	assert_output --partial "unshare-lite: --map-auto: no range for nobody in /etc/subuid"
}

@test "user as root: --map-users ranges, repeatable, written directly" {
	run "$UNSHARE_LITE" --map-users=0:100000:1000 --map-users=1000:200000:10 \
		--map-groups=0:100000:1000 cat /proc/self/uid_map /proc/self/gid_map
	assert_success
	assert_line --index 0 --regexp '^ +0 +100000 +1000$'
	assert_line --index 1 --regexp '^ +1000 +200000 +10$'
	assert_line --index 2 --regexp '^ +0 +100000 +1000$'
	run "$UNSHARE_LITE" --map-users=all cat /proc/self/uid_map
	assert_output "$(cat /proc/self/uid_map)"
}

@test "user: -S and -G switch ids inside, --keep-caps carries capabilities" {
	run "$UNSHARE_LITE" --map-users=0:0:65536 --map-groups=0:0:65536 -S 1000 -G 1000 \
		sh -c 'id -u; id -g; id -G'
	assert_success
	assert_line --index 0 1000
	assert_line --index 1 1000
	assert_line --index 2 1000
	run run_unprivileged "$UNSHARE_LITE" -r --keep-caps grep CapAmb /proc/self/status
	assert_success
	refute_output --regexp 'CapAmb:[[:space:]]+0+$'
	run run_unprivileged "$UNSHARE_LITE" -r grep CapAmb /proc/self/status
	assert_output --regexp 'CapAmb:[[:space:]]+0+$'
}

# --- capabilities and privileges --------------------------------------------------

@test "--cap-drop ALL --cap-add X,Y leaves exactly X and Y, seen from inside" {
	run "$UNSHARE_LITE" --cap-drop ALL --cap-add net_admin,CAP_SYS_TIME grep -E '^Cap(Eff|Prm|Bnd|Amb)' /proc/self/status
	assert_success
	# CAP_NET_ADMIN = 12, CAP_SYS_TIME = 25
	for set in CapEff CapPrm CapBnd CapAmb; do
		assert_line "$set:	0000000002001000"
	done
}

@test "--cap-drop removes from the bounding set too; --no-new-privs is set" {
	run "$UNSHARE_LITE" --cap-drop net_raw,sys_admin --no-new-privs grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status
	assert_success
	eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	bnd=$(awk '/^CapBnd/ {print $2}' <<<"$output")
	# CAP_NET_RAW = 13, CAP_SYS_ADMIN = 21
	[ $((0x$eff & (1 << 13 | 1 << 21))) -eq 0 ]
	[ $((0x$bnd & (1 << 13 | 1 << 21))) -eq 0 ]
	[ $((0x$eff & (1 << 12))) -ne 0 ]
	assert_line --regexp 'NoNewPrivs:[[:space:]]+1'
}

@test "--cap-add survives -S to a non-root uid as an ambient capability" {
	run "$UNSHARE_LITE" -S 1000 --cap-add net_admin grep -E '^Cap(Eff|Amb)' /proc/self/status
	assert_success
	assert_line "CapEff:	0000000000001000"
	assert_line "CapAmb:	0000000000001000"
}

@test "--cap-add of a capability we do not hold says so" {
	run -125 run_unprivileged "$UNSHARE_LITE" --cap-add sys_admin true
	assert_output --partial "unshare-lite: --cap-add: cannot grant cap_sys_admin: this process does not hold it"
}

# --- the process side ------------------------------------------------------------

@test "--init reaps orphans that plain PID 1 programs leave as zombies" {
	# An orphan is reparented to PID 1.  sleep as PID 1 never reaps it.
	"$UNSHARE_LITE" -p -f --pidfile "$T/pid" sh -c '(sleep 0.2 &); exec sleep 3' &
	outer=$!
	ctu_cleanup_add pid $outer
	ctu_wait_for_file "$T/pid"
	sleep 1.2
	pid=$(cat "$T/pid")
	zombies_without=$(ps --ppid "$pid" -o stat= | grep -c Z || true)
	wait "$outer"
	"$UNSHARE_LITE" -p -f --init --pidfile "$T/pid2" sh -c '(sleep 0.2 &); exec sleep 3' &
	outer=$!
	ctu_cleanup_add pid $outer
	ctu_wait_for_file "$T/pid2"
	sleep 1.2
	init=$(cat "$T/pid2")
	# the init's children: the program only, no zombie
	zombies_with=$(ps --ppid "$init" -o stat= | grep -c Z || true)
	wait "$outer"
	[ "$zombies_without" -eq 1 ]
	[ "$zombies_with" -eq 0 ]
}

@test "--init: the spec's example leaves no zombie and exits 0" {
	run "$UNSHARE_LITE" -p -f --init sh -c 'sleep 1 & exec sleep 2'
	assert_success
	run ps -eo stat=,comm=
	refute_output --regexp '^Z.*sleep'
}

@test "--init forwards SIGTERM to the program and dies of it" {
	"$UNSHARE_LITE" -p -f --init --pidfile "$T/pid" sleep 100 &
	outer=$!
	ctu_cleanup_add pid $outer
	ctu_wait_for_file "$T/pid"
	kill -TERM "$outer"
	rc=0
	wait "$outer" || rc=$?
	[ "$rc" -eq 143 ]
	[ ! -e "$T/pid" ]
}

@test "--init: a SIGTERM that comes before the init waits is passed on, not dropped" {
	# --block-fd holds the init-to-be before it forks the program: the kernel
	# drops a signal to a namespace's init without a handler unless blocked
	mkfifo "$T/fifo"
	"$UNSHARE_LITE" -p -f --init --pidfile "$T/pid" --block-fd 3 sleep 20 3<"$T/fifo" &
	outer=$!
	ctu_cleanup_add pid $outer
	exec 4>"$T/fifo"
	ctu_wait_for_file "$T/pid"
	kill -TERM "$outer"
	sleep 0.3
	exec 4>&-
	rc=0
	wait "$outer" || rc=$?
	[ "$rc" -eq 143 ]
	[ ! -e "$T/pid" ]
}

@test "--init: the program's exit code is ours" {
	run -7 "$UNSHARE_LITE" -p -f --init sh -c 'exit 7'
	run "$UNSHARE_LITE" -p -f --init --mount-proc ps -o pid=,comm=
	assert_line --regexp '^ +1 unshare-init$'
	assert_line --regexp '^ +2 ps$'
}

@test "exit status: the program's code, 126, 127 and re-raised signals" {
	run -3 "$UNSHARE_LITE" -f sh -c 'exit 3'
	run -3 "$UNSHARE_LITE" sh -c 'exit 3'
	run -127 "$UNSHARE_LITE" -f /nonexistent/ctu-program
	assert_output --partial "unshare-lite: failed to execute /nonexistent/ctu-program: No such file or directory"
	run -126 "$UNSHARE_LITE" "$T"
	assert_output --partial "unshare-lite: failed to execute $T: Permission denied"
	# the caller's shell sees the same death: 128 + SIGTERM
	run --separate-stderr bash -c "'$UNSHARE_LITE' -f sh -c 'kill -TERM \$\$'; echo \$?"
	assert_output 143
	run --separate-stderr bash -c "'$UNSHARE_LITE' -f sh -c 'kill -KILL \$\$'; echo \$?"
	assert_output 137
}

@test "signals sent to the waiting unshare-lite reach the child" {
	"$UNSHARE_LITE" -f --pidfile "$T/pid" sh -c 'trap "echo got-usr1 >'"$T"'/sig; exit 9" USR1; while :; do sleep 0.1; done' &
	outer=$!
	ctu_cleanup_add pid $outer
	ctu_wait_for_file "$T/pid"
	sleep 0.3
	kill -USR1 "$outer"
	rc=0
	wait "$outer" || rc=$?
	[ "$rc" -eq 9 ]
	[ "$(cat "$T/sig")" = got-usr1 ]
}

@test "--kill-child: the child dies with unshare-lite" {
	"$UNSHARE_LITE" --kill-child --pidfile "$T/pid" sleep 100 &
	outer=$!
	ctu_cleanup_add pid $outer
	ctu_wait_for_file "$T/pid"
	child=$(cat "$T/pid")
	kill -0 "$child"
	kill -KILL "$outer"
	wait "$outer" || true
	for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$child"
	assert_failure
	run -125 "$UNSHARE_LITE" --kill-child=NOSUCHSIG true
	assert_output --partial "unshare-lite: unknown signal: 'NOSUCHSIG'"
}

@test "--pidfile and --block-fd: the pid is written before the program runs" {
	mkfifo "$T/fifo"
	"$UNSHARE_LITE" -f -p --pidfile "$T/pid" --block-fd 3 sh -c "echo ran >'$T/ran'" 3<"$T/fifo" &
	outer=$!
	ctu_cleanup_add pid $outer
	exec 4>"$T/fifo"
	ctu_wait_for_file "$T/pid"
	pid=$(cat "$T/pid")
	# the child exists, is in a new pid namespace, and has not run the program
	[ "$(ctu_ns_inode "$pid" pid)" != "$(ctu_ns_inode self pid)" ]
	sleep 0.3
	[ ! -e "$T/ran" ]
	exec 4>&-
	wait "$outer"
	[ "$(cat "$T/ran")" = ran ]
	# removed when the program exits
	[ ! -e "$T/pid" ]
}

@test "--pidfile without --fork holds our own pid, which the program keeps" {
	run "$UNSHARE_LITE" -u --pidfile "$T/pid" sh -c 'echo $$'
	assert_success
	assert_output "$(cat "$T/pid")"
}

@test "--pidfile without --fork appears only once the namespaces exist: a reader joins the new ones" {
	local i p ours
	ours=$(ctu_ns_inode self net)
	for i in $(seq 20); do
		"$UNSHARE_LITE" -n -u --pidfile "$T/p$i" sleep 1000 >/dev/null 2>&1 &
		p=$!
		ctu_cleanup_add pid $p
		ctu_wait_for_file "$T/p$i" || fail "no pid file"
		[ "$(ctu_ns_inode "$(cat "$T/p$i")" net)" != "$ours" ] ||
			fail "run $i: the pid file named a process still in our network namespace"
		kill "$p"
	done
}

@test "--info-fd writes the pid and namespace inodes as JSON" {
	require_cmd jq
	"$UNSHARE_LITE" -f -n -u -i --info-fd 3 --pidfile "$T/pid" sleep 1000 3>"$T/info" &
	outer=$!
	ctu_cleanup_add pid $outer
	ctu_wait_for_file "$T/pid"
	ctu_wait_for_file "$T/info"
	pid=$(cat "$T/pid")
	[ "$(jq -r .pid "$T/info")" = "$pid" ]
	for ns in net uts ipc mnt user; do
		[ "$(jq -r ".ns.$ns" "$T/info")" = "$(ctu_ns_inode "$pid" "$ns")" ]
	done
	[ "$(jq -r .ns.net "$T/info")" != "$(ctu_ns_inode self net)" ]
	[ "$(jq -r .ns.mnt "$T/info")" = "$(ctu_ns_inode self mnt)" ]
	kill "$outer"
}

@test "fd hygiene: the program sees only 0 1 2, plus --preserve-fds" {
	run "$UNSHARE_LITE" -f -u "$CTU_HELPERS/list-fds" 5</dev/null
	assert_output "0 1 2"
	run "$UNSHARE_LITE" -u "$CTU_HELPERS/list-fds" 5</dev/null
	assert_output "0 1 2"
	run "$UNSHARE_LITE" -p -f --init "$CTU_HELPERS/list-fds" 5</dev/null
	assert_output "0 1 2"
	run run_clean_fds bash -c "exec 3</dev/null 4</dev/null 5</dev/null; exec '$UNSHARE_LITE' -u --preserve-fds 2 '$CTU_HELPERS/list-fds'"
	assert_output "0 1 2 3 4"
	run "$UNSHARE_LITE" -f -u ls /proc/self/fd
	assert_output "$(printf '0\n1\n2\n3')"
}

@test "--new-session: the program leads a session of its own" {
	run "$UNSHARE_LITE" -f --new-session sh -c 'ps -o sid= -p $$; echo $$'
	assert_success
	[ "$(echo ${lines[0]})" = "${lines[1]}" ]
}

# --- filesystem -------------------------------------------------------------------

@test "--root and --wd: chroot into a busybox rootfs" {
	ctu_make_rootfs "$T/root"
	mkdir "$T/root/work"
	run "$UNSHARE_LITE" -R "$T/root" -w /work /bin/sh -c 'pwd; ls /bin/busybox'
	assert_success
	assert_line --index 0 /work
	assert_line --index 1 /bin/busybox
	run -125 "$UNSHARE_LITE" -R "$T/nonexistent" true
	assert_output --partial "unshare-lite: cannot change root directory to '$T/nonexistent'"
}

@test "--mount-proc=DIR mounts proc of the new pid namespace there, inside only" {
	mkdir "$T/p"
	ctu_state_save "$T"
	run "$UNSHARE_LITE" -p -f --mount-proc="$T/p" cat "$T/p/1/comm" "$T/p/self/stat"
	assert_success
	# the new namespace's PID 1 is the program itself
	assert_line --index 0 cat
	assert_line --index 1 --regexp '^1 '
	run findmnt -n "$T/p"
	assert_failure
	assert_state_unchanged
}

@test "--propagation: private keeps mounts in, shared lets them out, slave follows" {
	mkdir "$T/shared"
	mount -t tmpfs ctu-shared "$T/shared"
	ctu_cleanup_add mount "$T/shared"
	mount --make-shared "$T/shared"
	mkdir "$T/shared/in"
	"$UNSHARE_LITE" -m mount -t tmpfs ctu-private "$T/shared/in"
	run findmnt -n "$T/shared/in"
	assert_failure
	ctu_cleanup_add mount "$T/shared/in"
	"$UNSHARE_LITE" -m --propagation shared mount -t tmpfs ctu-out "$T/shared/in"
	run findmnt -n -o SOURCE "$T/shared/in"
	assert_output ctu-out
	umount "$T/shared/in"
	run "$UNSHARE_LITE" -m --propagation slave sh -c "grep ' $T/shared ' /proc/self/mountinfo"
	assert_output --partial "master:"
	run -125 "$UNSHARE_LITE" -m --propagation bogus true
	assert_output --partial "unshare-lite: unsupported propagation mode: 'bogus'"
}

# --- bad arguments: exit 125, one message naming the value, nothing left -----------

@test "bad arguments exit 125 with a message and leave nothing behind" {
	ctu_state_save "$T"
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086
		run -125 "$UNSHARE_LITE" $args true
		assert_output --partial "unshare-lite: $message"
	done <<-EOF
		--bogus|unrecognized option '--bogus'
		--monotonic abc|invalid monotonic offset: 'abc'
		--boottime 1.5.5|invalid boottime offset: '1.5.5'
		--monotonic 99999999999999999999|invalid monotonic offset
		--map-users 0:1|invalid --map-users '0:1'
		--map-users 0:0:0|invalid --map-users '0:0:0'
		--map-users 0:4294967295:2|invalid --map-users '0:4294967295:2'
		--map-users=0:0:10 --map-users=5:100:10|invalid --map-users '5:100:10': overlaps
		--map-groups x:y:z|invalid --map-groups 'x:y:z'
		--map-user ctu-no-such-user|unknown user 'ctu-no-such-user'
		--map-group ctu-no-such-group|unknown group 'ctu-no-such-group'
		--setgroups maybe|unsupported --setgroups argument: 'maybe'
		-S -1|invalid uid: '-1'
		-G abc-no-group|invalid gid: 'abc-no-group'
		--cap-drop CAP_BOGUS|invalid --cap-drop: unknown capability 'CAP_BOGUS'
		--cap-add net_admin,,sys_time|invalid --cap-add: unknown capability ''
		--info-fd 99|invalid --info-fd: '99': not an open file descriptor
		--block-fd -1|invalid --block-fd: '-1'
		--preserve-fds many|invalid --preserve-fds count: 'many'
		--pidfile=|empty file name for --pidfile
		--hostname=|invalid hostname: ''
		--init|--init needs --pid
		--kill-child=0|unknown signal: '0'
		--propagation=|unsupported propagation mode: ''
	EOF
	run -125 "$UNSHARE_LITE" --hostname "$(printf 'h%.0s' {1..65})" true
	assert_output --partial "invalid hostname"
	assert_state_unchanged
}

@test "--help and --version go to stdout and exit 0" {
	run --separate-stderr "$UNSHARE_LITE" --help
	assert_success
	assert_output --partial "Usage:"
	assert_output --partial "--map-auto"
	[ -z "$stderr" ]
	run --separate-stderr "$UNSHARE_LITE" --version
	assert_success
	assert_output --regexp '^unshare-lite from ctutils [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a setuid-installed copy refuses to run" {
	cp "$UNSHARE_LITE" "$T/unshare-lite"
	chmod 4755 "$T/unshare-lite"
	run -125 run_unprivileged "$T/unshare-lite" -r true
	assert_output --partial "refusing to run setuid"
}

@test "without a program, \$SHELL runs" {
	run env SHELL=/bin/echo "$UNSHARE_LITE" -u
	assert_success
	assert_output ""
	run bash -c "echo 'echo from-shell' | SHELL=/bin/sh '$UNSHARE_LITE' -u"
	assert_output from-shell
}
