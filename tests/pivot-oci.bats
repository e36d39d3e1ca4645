#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pivot's options for a container runtime: --mount TYPE:SRC:DST[:OPTS] with
# the OCI option list, --device, --mask, --readonly-path, --readonly-mount, --propagation
# shared/unbindable, --no-pivot and --sync-fd's "mounted" stage.  Always in a
# private mount namespace (unshare-lite -m) on a busybox rootfs; every effect
# is read back from the kernel (mountinfo, stat) inside the new root.

load helpers

setup() {
	require_root
	require_tool "$PIVOT" "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
	ROOT=$T/root
	ctu_make_rootfs "$ROOT"
	mkdir "$T/src"
	echo host-data >"$T/src/file"
}

# in_ns ARGS...: pivot in a new mount, pid and ipc namespace.
in_ns() {
	"$UNSHARE_LITE" -m -p -f -i -- "$PIVOT" "$@"
}

# mnt_line MOUNTPOINT: the mountinfo line of MOUNTPOINT in $output.
mnt_line() {
	awk -v m="$1" '$5 == m' <<<"$output"
}

# mnt_opts MOUNTPOINT: its per-mount options (field 6).
mnt_opts() {
	mnt_line "$1" | awk '{print $6}'
}

@test "--mount of each type: bind, rbind, tmpfs with size and mode, proc, sysfs, devpts, mqueue" {
	mkdir "$T/src/sub"
	mount -t tmpfs -o size=1m ctu-sub "$T/src/sub"
	ctu_cleanup_add mount "$T/src/sub"
	run in_ns "$ROOT" --mount "bind:$T/src:/b" --mount "bind:$T/src:/rb:rbind" \
		--mount tmpfs:tmpfs:/t:size=2m,mode=0710 --mount proc:proc:/proc \
		--mount sysfs:sysfs:/sys --mount devpts:devpts:/dev/pts:newinstance,ptmxmode=0666 \
		--mount mqueue:mqueue:/dev/mqueue -- /bin/sh -c '
		cat /proc/self/mountinfo; echo ---; cat /b/file; stat -c %a /t
		df -k /t | tail -n1 | awk "{print \$2}"; ls /sys/kernel >/dev/null && echo sys-ok'
	assert_success
	mnt_line /b | grep -q " - ext4 \| - tmpfs \| - xfs \| - btrfs \| - overlay "
	[ -z "$(mnt_line /b/sub)" ]
	mnt_line /rb/sub | grep -q " - tmpfs ctu-sub "
	mnt_line /t | grep -q " - tmpfs tmpfs rw,size=2048k,mode=710"
	mnt_line /proc | grep -q " - proc proc "
	mnt_line /sys | grep -q " - sysfs sysfs "
	mnt_line /dev/pts | grep -q " - devpts devpts rw,.*ptmxmode=666"
	mnt_line /dev/mqueue | grep -q " - mqueue mqueue "
	assert_line host-data
	assert_line 710
	assert_line 2048
	assert_line sys-ok
}

@test "--mount options read back: ro, nosuid, nodev, noexec, noatime; rw after ro" {
	run in_ns "$ROOT" --proc --mount "bind:$T/src:/a:ro,nosuid,nodev,noexec" \
		--mount "bind:$T/src:/b:ro,rw,noatime" --mount tmpfs::/c:ro,nosuid,strictatime -- \
		/bin/sh -c 'cat /proc/self/mountinfo; echo x >/a/x 2>/dev/null || echo a-ro; echo y >/b/y && echo b-rw'
	assert_success
	[ "$(mnt_opts /a)" = ro,nosuid,nodev,noexec,relatime ]
	[ "$(mnt_opts /b)" = rw,noatime ]
	[ "$(mnt_opts /c)" = ro,nosuid ]
	assert_line a-ro
	assert_line b-rw
	[ "$(cat "$T/src/y")" = y ]
}

@test "--mount propagation: shared, slave, private, unbindable in the optional fields" {
	mkdir "$T/peer"
	run "$UNSHARE_LITE" -m -- sh -c "
		mount --bind '$T/peer' '$T/peer' && mount --make-shared '$T/peer' || exit 99
		'$PIVOT' '$ROOT' --proc --mount 'bind:$T/peer:/sh:shared' --mount 'bind:$T/peer:/sl:slave' \
			--mount 'bind:$T/peer:/pr:private' --mount 'bind:$T/peer:/un:unbindable' \
			--mount 'bind:$T/peer:/rs:rbind,rslave' --propagation shared -- /bin/cat /proc/self/mountinfo"
	assert_success
	mnt_line /sh | grep -Eq ' shared:[0-9]+ - '
	mnt_line /sl | grep -Eq ' master:[0-9]+ - '
	mnt_line /rs | grep -Eq ' master:[0-9]+ - '
	[ "$(mnt_line /pr | awk '{print $7}')" = - ]
	mnt_line /un | grep -q ' unbindable - '
	# the slave follows the same peer group the shared one is in
	[ "$(mnt_line /sh | grep -Eo 'shared:[0-9]+' | cut -d: -f2)" = \
		"$(mnt_line /sl | grep -Eo 'master:[0-9]+' | cut -d: -f2)" ]
}

@test "--mount rro is recursive, ro is not; a file bind lands on a created file" {
	mkdir "$T/src/sub"
	mount -t tmpfs ctu-sub "$T/src/sub"
	ctu_cleanup_add mount "$T/src/sub"
	echo one >"$T/one"
	run in_ns "$ROOT" --proc --mount "bind:$T/src:/rro:rbind,rro" --mount "bind:$T/src:/ro:rbind,ro" \
		--mount "bind:$T/one:/etc/deep/one:ro" -- /bin/sh -c '
		cat /proc/self/mountinfo; stat -c %F /etc/deep/one; cat /etc/deep/one'
	assert_success
	[ "$(mnt_opts /rro | cut -d, -f1)" = ro ]
	[ "$(mnt_opts /rro/sub | cut -d, -f1)" = ro ]
	[ "$(mnt_opts /ro | cut -d, -f1)" = ro ]
	[ "$(mnt_opts /ro/sub | cut -d, -f1)" = rw ]
	[ "$(mnt_opts /etc/deep/one | cut -d, -f1)" = ro ]
	assert_line "regular file"
	assert_line one
	# the file was made in the rootfs, and goes with it: nothing made on the host
	[ -f "$ROOT/etc/deep/one" ] && [ ! -s "$ROOT/etc/deep/one" ]
}

@test "--mount escapes: \\: and \\\\ in SRC and DST" {
	mkdir "$T/a:b" "$T/c\\d"
	echo colon >"$T/a:b/f"
	echo slash >"$T/c\\d/f"
	run in_ns "$ROOT" --proc --mount "bind:${T}/a\\:b:/x\\:y" --mount "bind:${T}/c\\\\d:/p\\\\q:ro" -- \
		/bin/sh -c 'cat "/x:y/f" "/p\q/f"; grep -c " /x:y \| /p\\\\134q " /proc/self/mountinfo'
	assert_success
	assert_line --index 0 colon
	assert_line --index 1 slash
	assert_line --index 2 2
}

@test "--device: char, block and fifo nodes with mode and owner, read back with stat and ls -ln" {
	run in_ns "$ROOT" --mount tmpfs::/dev:mode=755 --device /dev/null:c:1:3:0666:0:0 \
		--device /dev/loopx:b:7:200:0640:12:34 --device /dev/sub/fifo:p:0:0:0600:5:6 \
		--device /dev/u:u:1:5:0620:0:5 -- /bin/sh -c '
		for f in /dev/null /dev/loopx /dev/sub/fifo /dev/u; do stat -c "%n %F %t:%T %a %u:%g" $f; done
		ls -ln /dev/loopx; echo x >/dev/null && echo null-ok'
	assert_success
	assert_line "/dev/null character special file 1:3 666 0:0"
	assert_line "/dev/loopx block special file 7:c8 640 12:34"
	assert_line "/dev/sub/fifo fifo 0:0 600 5:6"
	assert_line "/dev/u character special file 1:5 620 0:5"
	assert_line --regexp '^brw-r----- +1 12 +34 +7, +200 '
	assert_line null-ok
}

@test "--mask: a file gets /dev/null, a directory an empty read-only tmpfs; missing paths skipped" {
	mkdir -p "$ROOT/secret/dir"
	echo hidden >"$ROOT/secret/file"
	echo hidden >"$ROOT/secret/dir/f"
	run in_ns "$ROOT" --proc --dev --mask /secret/file --mask /secret/dir --mask /no/such --mask /proc/kcore \
		-- /bin/sh -c 'cat /proc/self/mountinfo; echo ---; cat /secret/file; ls -A /secret/dir; stat -c "%t:%T" /secret/file
		touch /secret/dir/x 2>/dev/null || echo dir-ro'
	assert_success
	mnt_line /secret/dir | grep -q " ro,.* - tmpfs "
	[ -n "$(mnt_line /secret/file)" ]
	refute_line hidden
	assert_line 1:3
	assert_line dir-ro
	[ -z "$(mnt_line /no/such)" ]
	[ "$(cat "$ROOT/secret/file")" = hidden ]
}

@test "--readonly-path: a recursive read-only self-bind, missing paths skipped" {
	mkdir -p "$ROOT/data/sub"
	run in_ns "$ROOT" --proc --mount tmpfs::/data/sub --readonly-path /data --readonly-path /missing -- \
		/bin/sh -c 'cat /proc/self/mountinfo; touch /data/x 2>/dev/null || echo data-ro
		touch /data/sub/x 2>/dev/null || echo sub-ro; touch /tmp/x && echo rest-rw'
	assert_success
	[ "$(mnt_opts /data | cut -d, -f1)" = ro ]
	assert_line data-ro
	assert_line sub-ro
	assert_line rest-rw
	[ -z "$(mnt_line /missing)" ]
}

@test "--readonly-mount: that mount read-only in place, its submounts not, listed once; missing skipped, not a mount point refused" {
	mkdir -p "$ROOT/cg" "$ROOT/plain"
	run in_ns "$ROOT" --proc --mount tmpfs:tmpfs:/cg:mode=755 --mount tmpfs:tmpfs:/cg/memory \
		--readonly-mount /cg --readonly-mount /missing -- \
		/bin/sh -c 'cat /proc/self/mountinfo; touch /cg/x 2>/dev/null || echo cg-ro
		touch /cg/memory/x && echo memory-rw'
	assert_success
	[ "$(mnt_opts /cg | cut -d, -f1)" = ro ]
	[ "$(mnt_opts /cg/memory | cut -d, -f1)" = rw ]
	assert_line cg-ro
	assert_line memory-rw
	# nothing stacked: each mount point once (--readonly-path would list both twice)
	[ "$(grep -c ' /cg ' <<<"$output")" = 1 ]
	[ "$(grep -c ' /cg/memory ' <<<"$output")" = 1 ]
	[ -z "$(mnt_line /missing)" ]
	run in_ns "$ROOT" --readonly-mount /plain -- /bin/true
	assert_failure 125
	assert_output "pivot: --readonly-mount /plain: not a mount point"
}

@test "--no-pivot: the new root moved onto / and chrooted, the host's proc detached" {
	run in_ns "$ROOT" --proc --no-pivot -- /bin/sh -c 'ls /bin/busybox; cat /proc/self/mountinfo'
	assert_success
	assert_line /bin/busybox
	# only the new root's proc: the host's, outside the new root, is gone
	[ "$(grep -c ' - proc ' <<<"$output")" = 1 ]
	run -125 in_ns "$ROOT" --no-pivot --chroot true
	assert_output --partial "pivot: --no-pivot cannot go with --chroot"
}

@test "--in-place: chrooted in the caller's namespace, whose propagation stays; the bind private, its mounts outliving the program" {
	# a namespace of the test's own, shared as a host's "/" is, held by a second process
	run "$UNSHARE_LITE" -m --propagation shared -- sh -c "
		sleep 1000 & holder=\$!
		root_before=\$(awk '\$5 == \"/\"' /proc/self/mountinfo)
		'$PIVOT' '$ROOT' --in-place --proc --mount tmpfs:tmpfs:/t -- /bin/sh -c 'readlink /proc/self/ns/mnt; ls /bin/busybox' 2>&1
		echo status=\$?
		echo caller=\$(readlink /proc/self/ns/mnt) holder=\$(readlink /proc/\$holder/ns/mnt)
		[ \"\$(awk '\$5 == \"/\"' /proc/self/mountinfo)\" = \"\$root_before\" ] && echo root-unchanged
		findmnt -n -o PROPAGATION '$ROOT'; findmnt -n -o FSTYPE '$ROOT/proc'; findmnt -n -o FSTYPE '$ROOT/t'
		umount -R '$ROOT' && ! findmnt -n '$ROOT' >/dev/null && echo removed
		kill \$holder"
	assert_success
	ns=$(sed -n 1p <<<"$output")
	[[ $ns == mnt:* ]]
	assert_line --index 1 /bin/busybox
	assert_line --index 2 status=0
	assert_line --index 3 "caller=$ns holder=$ns"
	assert_line --index 4 root-unchanged
	assert_line --index 5 private
	assert_line --index 6 proc
	assert_line --index 7 tmpfs
	assert_line --index 8 removed
	# the chroot warning is --chroot's, not --in-place's
	refute_output --partial warning
	run -125 "$PIVOT" "$ROOT" --in-place --no-pivot true
	assert_output --partial "pivot: --no-pivot cannot go with --in-place"
	run -125 "$PIVOT" "$ROOT" --in-place --old-root /o true
	assert_output --partial "pivot: --old-root cannot go with --in-place"
}

@test "--in-place: a failed step detaches the bind; nothing stays in the caller's namespace" {
	run "$UNSHARE_LITE" -m --propagation shared -- sh -c "
		'$PIVOT' '$ROOT' --in-place --proc --mount nosuchfs:x:/t -- true; echo status=\$?
		findmnt -n -R '$ROOT' || echo none"
	assert_success
	assert_line --partial "pivot: "
	assert_line status=125
	assert_line none
}

@test "--propagation shared under a shared parent: the parent made private, the new root shared" {
	run "$UNSHARE_LITE" -m -- sh -c "
		mount --bind '$T' '$T' && mount --make-shared '$T' || exit 99
		'$PIVOT' '$ROOT' --proc --propagation shared --old-root /oldroot -- /bin/cat /proc/self/mountinfo"
	assert_success
	mnt_line / | grep -Eq ' shared:[0-9]+ - '
	# the test's dir mount, NEWROOT's parent, seen through the kept old root: private now
	line=$(mnt_line "/oldroot$T")
	[ -n "$line" ]
	[[ $line != *shared:* ]]
	# unbindable: the new root cannot be bound
	run in_ns "$ROOT" --propagation unbindable -- /bin/sh -c 'cat /proc/self/mountinfo 2>/dev/null; mount --bind / /mnt 2>&1 || echo bind-refused'
	assert_line bind-refused
}

# sync_run go|eof CMD...: runs CMD with a socket as fd 3; reads "mounted\n" from it,
# prints the line, then answers a byte (go) or closes it (eof), and prints CMD's output and status.
sync_run() {
	timeout 30 python3 - "$@" <<-'EOF'
		import fcntl, os, socket, subprocess, sys
		action, cmd = sys.argv[1], sys.argv[2:]
		a, b = socket.socketpair()
		# ours far away, theirs as fd 3 (unshare-lite --preserve-fds 1 passes it on)
		afd = a.detach()
		ours = socket.socket(fileno=fcntl.fcntl(afd, fcntl.F_DUPFD_CLOEXEC, 10))
		os.close(afd)
		bfd = b.detach()
		if bfd != 3:
		    os.dup2(bfd, 3)
		    os.close(bfd)
		p = subprocess.Popen(cmd, pass_fds=(3,), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
		os.close(3)
		line = b""
		while not line.endswith(b"\n") and (c := ours.recv(1)):
		    line += c
		print("sync:", line.decode().strip())
		# the new root as it stands while we hold the answer: its mounts are made
		with open("/proc/%d/mountinfo" % p.pid) as f:
		    print("made:", sum(1 for l in f if l.split()[4].endswith("/t")))
		if action == "go":
		    ours.send(b"x")
		    rest = b""
		    while c := ours.recv(64):
		        rest += c
		    print("then:", rest.decode().strip())
		ours.close()
		out = p.communicate()[0].decode()
		sys.stdout.write(out)
		print("status:", p.returncode)
	EOF
}

@test "--sync-fd: \"mounted\" once the root is made; a byte goes on, EOF undoes everything (125)" {
	require_cmd python3
	run sync_run go "$UNSHARE_LITE" -m --preserve-fds 1 -- "$PIVOT" "$ROOT" --proc --mount tmpfs::/t --sync-fd 3 -- /bin/sh -c 'grep -c " /t " /proc/self/mountinfo'
	assert_line --index 0 "sync: mounted"
	assert_line --index 1 "made: 1"
	assert_line --index 2 "then: ready"
	assert_line --index 3 1
	assert_line "status: 0"
	ctu_state_save "$ROOT"
	run sync_run eof "$UNSHARE_LITE" -m --preserve-fds 1 -- sh -c "'$PIVOT' '$ROOT' --mount tmpfs::/made/t --device /made/null:c:1:3:0666:0:0 --sync-fd 3 true; rc=\$?; grep -c '$ROOT' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "sync: mounted"
	assert_line --index 1 "made: 1"
	assert_line 'pivot: --sync-fd 3: closed before the answer to "mounted"'
	assert_line 0
	assert_line "status: 125"
	assert_state_unchanged
}

@test "hostile: DST ../../etc, DST through a symlink to /, a proc DST that is a symlink" {
	ctu_state_save "$T" /etc
	run -125 in_ns "$ROOT" --mount "bind:$T/src:../../etc" true
	assert_line --index 0 "pivot: invalid --mount 'bind:$T/src:../../etc': the destination climbs out of the new root with '..': '../../etc'"
	# a symlink to / is followed inside the root: the tmpfs lands in the rootfs's /etc
	ln -s / "$ROOT/up"
	run in_ns "$ROOT" --proc --mount tmpfs::/up/etc/ctu-t -- /bin/sh -c 'grep -c " /etc/ctu-t " /proc/self/mountinfo'
	assert_success
	assert_output 1
	[ -d "$ROOT/etc/ctu-t" ]
	rmdir "$ROOT/etc/ctu-t"
	# proc and sysfs never through a symlink (CVE-2019-19921)
	ln -s /etc "$ROOT/fakeproc"
	run -125 "$UNSHARE_LITE" -m -p -f -- sh -c "'$PIVOT' '$ROOT' --mount proc:proc:/fakeproc true; rc=\$?; grep -c ' /etc ' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "pivot: $ROOT/fakeproc is a symlink: refusing to mount over it"
	assert_line --index 1 0
	run -125 in_ns "$ROOT" --mount sysfs:sysfs:/up/sys true
	assert_output "pivot: $ROOT/up/sys is a symlink: refusing to mount over it"
	rm "$ROOT/up" "$ROOT/fakeproc"
	assert_state_unchanged
}

@test "hostile: a masked path linked to a host file exposes nothing of the host" {
	ln -s /etc/hostname "$ROOT/etc/leak"
	ln -s ../../../../../../etc/passwd "$ROOT/etc/leak2"
	echo "root:x:0:0:in-root:/root:/bin/sh" >"$ROOT/etc/passwd"
	run in_ns "$ROOT" --proc --dev --mask /etc/leak --mask /etc/leak2 -- /bin/sh -c '
		cat /proc/self/mountinfo; cat /etc/leak 2>&1; echo "leak2=$(cat /etc/leak2)"'
	assert_success
	# /etc/hostname is not in the rootfs: skipped; leak2 resolves to the rootfs's passwd, masked
	refute_output --partial "$(cat /etc/hostname)"
	assert_line "leak2="
	[ -n "$(mnt_line /etc/passwd)" ]
	[ "$(cat "$ROOT/etc/passwd")" = "root:x:0:0:in-root:/root:/bin/sh" ]
}

@test "bad --mount, --device, --mask and --propagation values: 125, one message naming the value" {
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086
		run -125 "$UNSHARE_LITE" -m "$PIVOT" "$ROOT" $args true
		assert_output --partial "pivot: $message"
	done <<-EOF
		--mount tmpfs|invalid --mount 'tmpfs': expected TYPE:SRC:DST[:OPTS]
		--mount :x:/y|invalid --mount ':x:/y': expected TYPE:SRC:DST[:OPTS]
		--mount a/b:x:/y|invalid --mount 'a/b:x:/y': not a filesystem type: 'a/b'
		--mount tmpfs:x:|invalid --mount 'tmpfs:x:': empty destination
		--mount bind::/y|invalid --mount 'bind::/y': a bind needs a source
		--mount bind:/a\\x:/y|invalid --mount 'bind:/a\\x:/y': a backslash escapes only ':' and '\\'
		--mount bind:/tmp:/y:size=1m|invalid --mount 'bind:/tmp:/y:size=1m': no filesystem options on a bind: 'size=1m'
		--mount tmpfs::/y:remount|invalid --mount 'tmpfs::/y:remount': unsupported option 'remount'
		--device /dev/x|invalid --device '/dev/x': expected PATH:TYPE:MAJOR:MINOR:MODE:UID:GID
		--device /dev/x:q:1:3:0666:0:0|invalid --device '/dev/x:q:1:3:0666:0:0': the type is c, b, u or p
		--device /dev/x:c:4096:3:0666:0:0|invalid --device '/dev/x:c:4096:3:0666:0:0': major '4096'
		--device /dev/x:c:1:99999999:0666:0:0|invalid --device '/dev/x:c:1:99999999:0666:0:0': minor '99999999'
		--device /dev/x:c:1:3:0999:0:0|invalid --device '/dev/x:c:1:3:0999:0:0': mode '0999'
		--device /dev/x:c:1:3:0666:-1:0|invalid --device '/dev/x:c:1:3:0666:-1:0': uid '-1'
		--device /dev/x:c:1:3:0666:0:0:9|invalid --device '/dev/x:c:1:3:0666:0:0:9': expected
		--device ../x:c:1:3:0666:0:0|invalid --device '../x:c:1:3:0666:0:0': the path is empty or climbs out
		--mask ../x|invalid --mask '../x': it climbs out of the new root with '..'
		--readonly-path=|empty path for --readonly-path
		--readonly-mount ../x|invalid --readonly-mount '../x': it climbs out of the new root with '..'
		--propagation rjunk|unsupported propagation mode: 'rjunk'
	EOF
}

@test "mount failures: unknown type, a refused option, a missing source: 125, nothing left" {
	ctu_state_save "$ROOT"
	run -125 "$UNSHARE_LITE" -m -- sh -c "'$PIVOT' '$ROOT' --mount tmpfs::/made/a --mount nosuchfs-ctu:x:/made/b true; rc=\$?; grep -c '$ROOT' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "pivot: cannot mount nosuchfs-ctu on $ROOT/made/b: unknown filesystem type 'nosuchfs-ctu'"
	assert_line --index 1 0
	run -125 "$UNSHARE_LITE" -m -- sh -c "'$PIVOT' '$ROOT' --mount tmpfs::/made/a --mount tmpfs::/made/c:size=junk true; rc=\$?; grep -c '$ROOT' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 --partial "pivot: cannot mount tmpfs on $ROOT/made/c: option 'size=junk': Invalid argument"
	assert_line --index 1 0
	run -125 "$UNSHARE_LITE" -m -- sh -c "'$PIVOT' '$ROOT' --mount tmpfs::/made/a --mount bind:/nonexistent-ctu:/made/d true; rc=\$?; grep -c '$ROOT' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "pivot: cannot bind /nonexistent-ctu: No such file or directory"
	assert_line --index 1 0
	run -125 "$UNSHARE_LITE" -m -- sh -c "'$PIVOT' '$ROOT' --mount tmpfs::/made/a --device /made/x:c:1:3:0666:0:0 --mask /bin/busybox true; rc=\$?; grep -c '$ROOT' /proc/self/mountinfo; exit \$rc"
	assert_line --index 0 "pivot: --mask /bin/busybox: the new root's /dev/null is not the null device: No such file or directory"
	assert_state_unchanged
}

@test "in a user namespace: ro bind of a nosuid source, sysfs as a read-only rbind, --device binds the host's node" {
	require_kernel_feature userns
	mkdir "$T/nosuid"
	mount --bind "$T/nosuid" "$T/nosuid"
	ctu_cleanup_add mount "$T/nosuid"
	mount -o remount,bind,nosuid,nodev "$T/nosuid"
	run "$UNSHARE_LITE" -U -r -m -p -f -- "$PIVOT" "$ROOT" --mount proc:proc:/proc \
		--mount "bind:$T/nosuid:/ns:ro" --mount sysfs:sysfs:/sys:nosuid,nodev,noexec \
		--mount tmpfs::/dev --device /dev/null:c:1:3:0666:0:0 -- /bin/sh -c '
		cat /proc/self/mountinfo; stat -c "%n %F %t:%T" /dev/null; echo x >/dev/null && echo null-ok'
	assert_success
	[ "$(mnt_opts /ns)" = ro,nosuid,nodev,relatime ]
	mnt_line /sys | grep -q '^[0-9]* [0-9]* [0-9:]* / /sys ro,nosuid,nodev,noexec'
	# the rbind: the host's submounts of /sys came along, read-only
	[ -n "$(mnt_line /sys/fs/cgroup)" ] || [ -z "$(grep ' /sys/fs/cgroup ' /proc/self/mountinfo)" ]
	[ -n "$(mnt_line /dev/null)" ]
	assert_line "/dev/null character special file 1:3"
	assert_line null-ok
	# a node the host does not have: the error
	run -125 "$UNSHARE_LITE" -U -r -m -- "$PIVOT" "$ROOT" --mount tmpfs::/dev --device /dev/ctu-x:c:1:3:0666:0:0 true
	assert_output "pivot: cannot create the device $ROOT/dev/ctu-x (c 1:3): Operation not permitted"
}
