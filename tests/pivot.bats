#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pivot on the real kernel, always inside a private mount namespace made by
# unshare-lite -m: the new root, /proc, /dev, /sys, tmpfs and binds, the
# old root gone, malicious rootfs that try to reach the host, and rollback.

load helpers

setup() {
	require_root
	require_tool "$PIVOT" "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
	ROOT=$T/root
	ctu_make_rootfs "$ROOT"
}

# in_ns ARGS...: pivot in a new mount (and pid) namespace.
in_ns() {
	"$UNSHARE_LITE" -m -p -f -- "$PIVOT" "$@"
}

@test "the new root holds only the rootfs and none of the host's mounts" {
	run in_ns "$ROOT" --proc -- /bin/sh -c 'ls /; echo ---; cat /proc/self/mountinfo'
	assert_success
	ls_part=$(sed -n '1,/^---$/p' <<<"$output" | grep -v '^---$')
	[ "$ls_part" = "$(ls "$ROOT")" ]
	mounts=$(sed -n '/^---$/,$p' <<<"$output" | grep -v '^---$' | awk '{print $5}')
	[ "$mounts" = "$(printf '/\n/proc')" ]
	# the old root is nowhere: no host file can be reached
	run in_ns "$ROOT" -- /bin/sh -c 'ls /etc/os-release /home 2>&1; cat /proc/self/mountinfo | grep -c "/sys/fs/cgroup"'
	assert_output --partial "No such file or directory"
	assert_line 0
}

@test "--proc --dev inside unshare-lite -mpf: /dev/null, zero, urandom and pts work" {
	run in_ns "$ROOT" --proc --dev -- /bin/sh -c '
		echo data >/dev/null && head -c 3 /dev/zero | od -An -tx1 && head -c 16 /dev/urandom | wc -c
		ls /dev/pts; readlink /dev/ptmx; readlink /dev/fd; echo x >/dev/shm/x && cat /dev/shm/x
		ps -o pid,comm | sed -n 2p'
	assert_success
	assert_line --index 0 " 00 00 00"
	assert_line --index 1 16
	assert_line --index 2 ptmx
	assert_line --index 3 pts/ptmx
	assert_line --index 4 /proc/self/fd
	assert_line --index 5 x
	assert_line --index 6 --regexp '^ +1 '
}

@test "--sys is read-only; --tmpfs takes options; --mkdir, --symlink and -w" {
	run in_ns "$ROOT" --proc --dev --sys --tmpfs /scratch:size=1m,mode=0700 --mkdir /a/b/c \
		--symlink /a/b:/link -w /link/c -- /bin/sh -c '
		ls /sys/kernel >/dev/null && echo sys-ok; touch /sys/x 2>/dev/null || echo sys-ro
		stat -c %a /scratch; df -k /scratch | tail -n1 | awk "{print \$2}"; pwd; readlink /link'
	assert_success
	assert_line --index 0 sys-ok
	assert_line --index 1 sys-ro
	assert_line --index 2 700
	assert_line --index 3 1024
	assert_line --index 4 /a/b/c
	assert_line --index 5 /a/b
}

@test "--bind and --ro-bind: host paths inside, writes fail on ro" {
	mkdir "$T/data"
	echo host-data >"$T/data/file"
	echo single >"$T/one"
	run in_ns "$ROOT" --dev --bind "$T/data:/mnt/rw" --ro-bind "$T/data:/mnt/ro" --bind "$T/one:/etc/one:ro" -- /bin/sh -c '
		cat /mnt/ro/file; echo new >/mnt/rw/new && echo rw-ok
		echo x 2>/dev/null >/mnt/ro/x || echo ro-refused; echo x 2>/dev/null >/etc/one || echo file-ro; cat /etc/one'
	assert_success
	assert_line --index 0 host-data
	assert_line --index 1 rw-ok
	assert_line --index 2 ro-refused
	assert_line --index 3 file-ro
	assert_line --index 4 single
	[ "$(cat "$T/data/new")" = new ]
	[ ! -e "$T/data/x" ]
}

@test "--readonly makes the root read-only; mounts keep their own flags" {
	run in_ns "$ROOT" --dev --tmpfs /tmp --readonly -- /bin/sh -c 'touch /x 2>/dev/null || echo root-ro; touch /tmp/x && echo tmp-rw'
	assert_success
	assert_line --index 0 root-ro
	assert_line --index 1 tmp-rw
	[ ! -e "$ROOT/x" ]
}

@test "--old-root keeps the host visible, and says so" {
	run in_ns "$ROOT" --old-root /oldroot -- /bin/sh -c 'test -e /oldroot/etc/os-release && echo host-visible'
	assert_success
	assert_output --partial "pivot: warning: the old root stays at /oldroot"
	assert_output --partial host-visible
}

@test "--chroot: the teaching mode warns that a chroot is escapable" {
	run in_ns "$ROOT" --chroot -- /bin/sh -c 'ls /bin/busybox; grep -c " / " /proc/self/mountinfo || true'
	assert_success
	assert_output --partial "pivot: warning: --chroot"
	assert_line /bin/busybox
}

@test "refuses to run in the host's mount namespace without --force" {
	ctu_state_save "$T"
	run -125 "$PIVOT" "$ROOT" true
	assert_output --partial "pivot: refusing to run in the mount namespace of other processes"
	assert_output --partial "unshare-lite -m"
	assert_state_unchanged
}

@test "in a mount namespace of its own, pivot asks PID 1 (or kthreadd), not every process" {
	# a stat per process would cost every container start 25 us per process on the host
	run "$UNSHARE_LITE" -m -p -f -- strace -f -qq -e trace=newfstatat,statx,stat,lstat -o "$T/trace" \
		"$PIVOT" "$ROOT" --proc -- /bin/true
	assert_success
	run grep -c '"/proc/[0-9]*/ns/mnt"' "$T/trace"
	assert_success
	[ "$output" -ge 1 ] && [ "$output" -le 2 ]
}

@test "as PID 1 of a new pid namespace (--mount-proc): pivot does not count itself as others" {
	ctu_state_save "$T"
	run "$UNSHARE_LITE" -m -p -f --mount-proc -- "$PIVOT" "$ROOT" --proc --dev -- /bin/sh -c '
		echo $$; ps -o pid,comm | sed 1d; echo data >/dev/null && echo dev-ok; ls /etc/passwd'
	assert_success
	assert_line --index 0 1
	assert_line --regexp '^ +1 sh$'
	assert_line dev-ok
	assert_line /etc/passwd
	# a shell of the new pid namespace as PID 1 that waits for pivot is of its chain too
	run "$UNSHARE_LITE" -m -p -f --mount-proc -- sh -c "'$PIVOT' '$ROOT' --proc -- /bin/cat /proc/1/comm"
	assert_success
	assert_output sh
	# a process of the new namespaces that is not an ancestor still counts
	run -125 "$UNSHARE_LITE" -m -p -f --mount-proc -- sh -c "sleep 1000 & '$PIVOT' '$ROOT' true; rc=\$?; kill \$!; exit \$rc"
	assert_output --partial "pivot: refusing to run in the mount namespace of other processes"
	assert_state_unchanged
}

@test "NEWROOT missing, a file, or not given" {
	run -125 in_ns "$T/nonexistent" true
	assert_output "pivot: cannot use '$T/nonexistent' as the new root: No such file or directory"
	touch "$T/file"
	run -125 in_ns "$T/file" true
	assert_output "pivot: cannot use '$T/file' as the new root: not a directory"
	run -125 "$UNSHARE_LITE" -m "$PIVOT"
	assert_output --partial "pivot: no new root given"
}

@test "malicious rootfs: a symlinked /proc is refused, the host's /etc untouched" {
	rmdir "$ROOT/proc"
	ln -s /etc "$ROOT/proc"
	ctu_state_save "$T" /etc
	run -125 "$UNSHARE_LITE" -m sh -c "'$PIVOT' '$ROOT' --proc true; rc=\$?; grep -c ' /etc ' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "pivot: $ROOT/proc is a symlink: refusing to mount over it"
	assert_line --index 1 0
	assert_state_unchanged
}

@test "malicious rootfs: a symlinked /dev, or /dev/null, is refused" {
	mkdir "$T/fake"
	rmdir "$ROOT/dev"
	ln -s "$T/fake" "$ROOT/dev"
	run -125 in_ns "$ROOT" --dev true
	assert_output "pivot: $ROOT/dev is a symlink: refusing to mount over it"
	[ -z "$(ls "$T/fake")" ]
	run -125 in_ns "$ROOT" --proc --ro-bind "/etc/hostname:/dev" --dev true
	assert_output --partial "pivot:"
}

@test "malicious rootfs: a bind destination like ../../etc is refused" {
	run -125 in_ns "$ROOT" --bind "$T:../../etc" true
	assert_line --index 0 "pivot: invalid --bind '../../etc': it climbs out of the new root with '..'"
	run -125 in_ns "$ROOT" --tmpfs "/a/../../b" true
	assert_output --partial "climbs out of the new root"
	# in-root ".." that stays inside is fine
	run in_ns "$ROOT" --mkdir /x/../y -- /bin/sh -c 'ls -d /y'
	assert_output /y
}

@test "malicious rootfs: a symlink pointing outside is followed only inside the root" {
	mkdir "$ROOT/etc" 2>/dev/null || true
	ln -s ../../../../../../etc "$ROOT/escape"
	ln -s /etc "$ROOT/abs"
	mkdir "$T/src"
	echo inside >"$T/src/f"
	ctu_state_save /etc
	run in_ns "$ROOT" --bind "$T/src:/escape/ctu-bound" --tmpfs /abs/ctu-tmp -- /bin/sh -c 'cat /etc/ctu-bound/f; ls -d /etc/ctu-tmp'
	assert_success
	assert_line --index 0 inside
	assert_line --index 1 /etc/ctu-tmp
	# the directories were made in the rootfs's /etc, never the host's
	assert_state_unchanged
	[ -d "$ROOT/etc/ctu-bound" ]
}

@test "a failure part-way undoes the mounts and the directories pivot made" {
	ctu_state_save "$ROOT"
	run -125 "$UNSHARE_LITE" -m sh -c "'$PIVOT' '$ROOT' --mkdir /made/here --tmpfs /t --bind /nonexistent-ctu:/b true; rc=\$?; grep -c '$ROOT' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "pivot: cannot bind /nonexistent-ctu: No such file or directory"
	assert_line --index 1 0
	assert_state_unchanged
}

@test "exit status and signals of the program are ours" {
	run -5 in_ns "$ROOT" -- /bin/sh -c 'exit 5'
	run -127 in_ns "$ROOT" -- /no/such/program
	assert_output --partial "pivot: failed to execute /no/such/program"
	run --separate-stderr bash -c "'$UNSHARE_LITE' -m -f '$PIVOT' '$ROOT' -- /bin/sh -c 'kill -TERM \$\$'; echo \$?"
	assert_output 143
	# default program: the new root's /bin/sh
	run bash -c "echo 'echo in-root; ls /bin/busybox' | '$UNSHARE_LITE' -m '$PIVOT' '$ROOT'"
	assert_line --index 0 in-root
}

@test "an overlay as the new root" {
	require_kernel_feature overlay
	mkdir "$T/upper" "$T/work" "$T/merged"
	mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=$T/upper,workdir=$T/work" "$T/merged"
	ctu_cleanup_add mount "$T/merged"
	run in_ns "$T/merged" --proc -- /bin/sh -c 'echo written >/written; ls /bin/busybox'
	assert_success
	[ "$(cat "$T/upper/written")" = written ]
	[ ! -e "$ROOT/written" ]
}

@test "fd hygiene: the program sees 0 1 2" {
	cp "$CTU_HELPERS/list-fds" "$ROOT/bin/list-fds"
	run in_ns "$ROOT" --proc -- /bin/list-fds 9</dev/null
	assert_output "0 1 2"
}

@test "bad arguments exit 125 with one message naming the value" {
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086
		run -125 "$UNSHARE_LITE" -m "$PIVOT" $args
		assert_output --partial "pivot: $message"
	done <<-EOF
		--bogus $ROOT|unrecognized option '--bogus'
		$ROOT --bind nocolon|invalid --bind 'nocolon': expected <a>:<b>
		$ROOT --bind :/x|invalid --bind ':/x'
		$ROOT --bind /a:|invalid --bind '/a:'
		$ROOT --bind /a:/b:rx|invalid --bind '/a:/b:rx': the third field is ro or rw
		$ROOT --symlink x|invalid --symlink 'x'
		$ROOT --mkdir ../x|invalid --mkdir '../x'
		$ROOT --propagation rjunk|unsupported propagation mode: 'rjunk'
		$ROOT --chroot --old-root /o|--old-root cannot go with --chroot
		$ROOT --tmpfs :size=1m|empty path for --tmpfs
	EOF
}

@test "--help and --version" {
	run --separate-stderr "$PIVOT" --help
	assert_success
	assert_output --partial "--ro-bind"
	run "$PIVOT" --version
	assert_output --regexp '^pivot from ctutils [0-9.]+$'
}
