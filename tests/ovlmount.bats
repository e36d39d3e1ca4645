#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ovlmount on the real kernel, in a private mount namespace per test: stacks
# of 1 to 500 layers (with lowerdir+ and with the legacy mount(2) string),
# copy-up, whiteouts, opaque directories, --diff, --show, --tmpfs-upper, and
# every bad input named, with nothing left behind.

load helpers

setup() {
	require_root
	require_kernel_feature overlay
	require_tool "$OVLMOUNT" "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
	mkdir -p "$T"/{l1,l2,up,m}
	echo from-l1 >"$T/l1/shadowed"
	echo from-l2 >"$T/l2/shadowed"
	echo only-l2 >"$T/l2/file"
	mkdir -p "$T/l2/dir/sub"
	echo x >"$T/l2/dir/x"
	echo gone >"$T/l2/gone"
}

teardown() {
	# --tmpfs-upper's directory is made in /run (the host's): the mount
	# went with the test's namespace, the empty directory is ours to remove
	local enc
	enc=$(sed 's/_/_5f/g; s|/|_|g' <<<"$T")
	rmdir /run/ctutils/ovlmount/"$enc"_* 2>/dev/null || true
	ctu_teardown
}

# Linux 6.8 added the overlay option lowerdir+ (one layer per fsconfig call).
kernel_has_lowerdir_plus() {
	local major minor
	IFS=. read -r major minor _ < <(uname -r)
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 8 ]; }
}

# Linux 6.5 added data-only lower layers ("::" in lowerdir, datadir+).
kernel_has_data_layers() {
	local major minor
	IFS=. read -r major minor _ < <(uname -r)
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 5 ]; }
}

# in_ns COMMANDS: a shell in a private mount namespace, with $O set.
in_ns() {
	O=$OVLMOUNT "$UNSHARE_LITE" -m -- bash -ec "$1"
}

@test "one lower and an upper: copy-up on write, the lower untouched" {
	run in_ns "\$O -l '$T/l2' -u '$T/up' '$T/m'
		cat '$T/m/file'; echo changed >>'$T/m/file'; echo new >'$T/m/new'"
	assert_success
	assert_output only-l2
	[ "$(cat "$T/up/file")" = "$(printf 'only-l2\nchanged')" ]
	[ "$(cat "$T/l2/file")" = only-l2 ]
	[ "$(cat "$T/up/new")" = new ]
	[ ! -e "$T/l2/new" ]
	# the default work directory was made beside the upper one
	[ -d "$T/up.work" ]
}

@test "two lowers: the first given is the top of the stack" {
	run in_ns "\$O -l '$T/l1' -l '$T/l2' -u '$T/up' '$T/m'; cat '$T/m/shadowed' '$T/m/file'"
	assert_line --index 0 from-l1
	assert_line --index 1 only-l2
	run in_ns "\$O -l '$T/l2:$T/l1' -u '$T/up' '$T/m'; cat '$T/m/shadowed'"
	assert_output from-l2
}

@test "10 generated layers, each file from the right layer" {
	for i in $(seq 1 10); do
		mkdir "$T/g$i"
		echo "$i" >"$T/g$i/own$i"
		echo "$i" >"$T/g$i/top"
	done
	args=$(for i in $(seq 1 10); do printf -- "-l '%s' " "$T/g$i"; done)
	run in_ns "\$O $args --tmpfs-upper '$T/m'; cat '$T/m/top' '$T/m/own7'; \$O --show '$T/m' | grep -c ^lower"
	assert_success
	assert_line --index 0 1
	assert_line --index 1 7
	assert_line --index 2 10
}

@test "500 layers with long absolute paths: lowerdir+ and the legacy fallback" {
	deep=$T/$(printf 'd%.0s' {1..200})/$(printf 'e%.0s' {1..100})
	for i in $(seq 1 500); do
		mkdir -p "$deep/layer$i"
		echo "$deep/layer$i"
	done >"$T/layers"
	echo top >"$deep/layer1/shared"
	echo bottom >"$deep/layer500/shared"
	echo deepest >"$deep/layer500/only500"
	echo middle >"$deep/layer250/only250"
	# more than a page of option text
	[ "$(wc -c <"$T/layers")" -gt 4096 ]
	for legacy in 0 1; do
		run in_ns "CTU_OVLMOUNT_LEGACY=$legacy \$O --layers-from '$T/layers' --tmpfs-upper '$T/m'
			cat '$T/m/shared' '$T/m/only500' '$T/m/only250'
			findmnt -n -o OPTIONS '$T/m' | tr , '\\n' | sed -n 's/^lowerdir+\\?=//p' | tr : '\\n' | grep -c ."
		assert_success
		assert_line --index 0 top
		assert_line --index 1 deepest
		assert_line --index 2 middle
		assert_line --index 3 500
	done
	# --show gives the layers back as given, in order (lowerdir+)
	if kernel_has_lowerdir_plus; then
		in_ns "\$O --layers-from '$T/layers' --tmpfs-upper '$T/m'; \$O --show --raw --noheadings '$T/m'" >"$T/show"
		awk '$1 == "lower" {print $3}' "$T/show" >"$T/shown"
		diff -q "$T/layers" "$T/shown"
	fi
	# the legacy way (the only one before 6.8) passed the layers' fds: the
	# kernel kept only their names, and --show and --diff say so
	run -1 in_ns "CTU_OVLMOUNT_LEGACY=1 \$O --layers-from '$T/layers' -u '$T/up' '$T/m'; \$O --show '$T/m'"
	assert_output --regexp "^ovlmount: $T/m: the kernel recorded the layer '[0-9]+' relative to the directory the mount was made from"
	run -1 in_ns "CTU_OVLMOUNT_LEGACY=1 \$O --layers-from '$T/layers' -u '$T/up' '$T/m'; \$O --diff '$T/m'"
	assert_output --partial "where the layers are is unknown"
}

@test "the kernel's way is taken by itself: lowerdir+ since Linux 6.8, one option string before" {
	# the mount options the kernel shows tell the two apart
	run in_ns "\$O -l '$T/l1' -l '$T/l2' -u '$T/up' '$T/m'; findmnt -n -o OPTIONS '$T/m'; cat '$T/m/shadowed'"
	assert_success
	if kernel_has_lowerdir_plus; then
		assert_line --index 0 --partial "lowerdir+=$T/l1,lowerdir+=$T/l2,"
	else
		assert_line --index 0 --partial "lowerdir=$T/l1:$T/l2,"
	fi
	assert_line --index 1 from-l1
	# forcing the fallback gives the option string on every kernel
	run in_ns "CTU_OVLMOUNT_LEGACY=1 \$O -l '$T/l1' -l '$T/l2' -u '$T/up' '$T/m'; findmnt -n -o OPTIONS '$T/m'"
	assert_success
	assert_output --partial "lowerdir=$T/l1:$T/l2,"
}

@test "501 layers fail with a message naming the kernel's limit" {
	for i in $(seq 1 501); do mkdir "$T/n$i"; echo "$T/n$i"; done >"$T/layers"
	ctu_state_save "$T"
	run -1 in_ns "\$O --layers-from '$T/layers' --tmpfs-upper --mkdir '$T/m2'"
	assert_output --partial "ovlmount: too many lower layers: 501 (the kernel's limit is 500)"
	assert_state_unchanged
}

@test "delete makes a whiteout, rmdir + mkdir an opaque dir; --diff reports exactly that" {
	run in_ns "\$O -l '$T/l1' -l '$T/l2' -u '$T/up' '$T/m'
		echo new >'$T/m/added'; echo more >>'$T/m/file'; rm '$T/m/gone'
		rm -r '$T/m/dir'; mkdir '$T/m/dir'; echo fresh >'$T/m/dir/fresh'
		mkdir '$T/m/newdir'; echo n >'$T/m/newdir/n'
		\$O --diff '$T/m'"
	assert_success
	assert_output "$(printf '%s\n' 'CHANGE PATH' 'A      /added' 'R      /dir' 'A      /dir/fresh' \
		'C      /file' 'D      /gone' 'A      /newdir' 'A      /newdir/n')"
	# the whiteout is a 0/0 character device
	[ "$(stat -c '%F %t:%T' "$T/up/gone")" = "character special file 0:0" ]
	# the same from the unmounted upper and its lowers, as JSON
	run "$OVLMOUNT" --diff "$T/up" --lower "$T/l1" --lower "$T/l2" --json
	assert_success
	[ "$(jq -r '.changes[] | .change + " " + .path' <<<"$output")" = "$(printf '%s\n' \
		'A /added' 'R /dir' 'A /dir/fresh' 'C /file' 'D /gone' 'A /newdir' 'A /newdir/n')" ]
}

@test "a file changed deep down reports its copied-up parents as C" {
	# an empty directory too: its empty listing once crashed the walk (UBSan)
	run in_ns "\$O -l '$T/l2' -u '$T/up' '$T/m'; echo y >'$T/m/dir/sub/new'; mkdir '$T/m/empty'; \$O --diff -n '$T/m'"
	assert_output "$(printf '%s\n' 'C      /dir' 'C      /dir/sub' 'A      /dir/sub/new' 'A      /empty')"
}

@test "--tmpfs-upper: a dead namespace's directory is swept, a living one's kept" {
	local enc base=/run/ctutils/ovlmount
	enc=$(sed 's/_/_5f/g; s|/|_|g' <<<"$T")
	mkdir -p "$T/m1" "$T/m2" "$T/m3"
	# the namespace that held m1's tmpfs is gone: its directory stays behind
	in_ns "\$O -l '$T/l2' --tmpfs-upper '$T/m1'"
	[ -d "$base/${enc}_m1" ]
	# m2's namespace lives on
	O=$OVLMOUNT "$UNSHARE_LITE" -m -- bash -ec "\$O -l '$T/l2' --tmpfs-upper '$T/m2'
		echo kept >'$T/m2/mine'; echo \$\$ >'$T/ready'; exec sleep 1000" &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/ready" || fail "the second namespace did not start"
	# the next --tmpfs-upper sweeps m1's directory, and keeps m2's
	in_ns "\$O -l '$T/l2' --tmpfs-upper '$T/m3'"
	[ ! -e "$base/${enc}_m1" ]
	[ -d "$base/${enc}_m2" ]
	# (the process that wrote its pid there became the sleep: exec)
	run nsenter -t "$(cat "$T/ready")" -m cat "$T/m2/mine"
	assert_output kept
	# --umount sweeps too: m3's namespace is gone now
	[ -d "$base/${enc}_m3" ]
	mkdir -p "$T/m4"
	in_ns "\$O -l '$T/l2' -u '$T/up' '$T/m4'; \$O --umount '$T/m4'"
	[ ! -e "$base/${enc}_m3" ]
	[ -d "$base/${enc}_m2" ]
}

@test "--tmpfs-upper is ephemeral: --show names the tmpfs, --umount removes it" {
	run in_ns "\$O -l '$T/l2' --tmpfs-upper=16M '$T/m'
		echo scratch >'$T/m/scratch'
		\$O --show '$T/m' --json >'$T/show.json'
		tmpfs=\$(jq -r '.layers[] | select(.layer == \"tmpfs\") | .path' '$T/show.json')
		findmnt -n -o FSTYPE,SIZE \"\$tmpfs\"
		\$O --umount '$T/m'
		test -e \"\$tmpfs\" && echo still-there || echo tmpfs-gone
		findmnt -n '$T/m' || echo unmounted"
	assert_success
	assert_line --index 0 --regexp '^tmpfs +16M$'
	assert_line --index 1 tmpfs-gone
	assert_line --index 2 unmounted
	[ ! -e "$T/up/scratch" ] && [ ! -e "$T/l2/scratch" ]
}

@test "one lower and a data-only layer mount read-only (Linux 6.5)" {
	mkdir "$T/data"
	echo blob >"$T/data/blob"
	if ! kernel_has_data_layers; then
		ctu_state_save "$T"
		run -1 in_ns "\$O -l '$T/l2' --data-lower '$T/data' '$T/m'"
		assert_output "ovlmount: data-only lower layers (--data-lower) need Linux 6.5"
		assert_state_unchanged
		return 0 # before Linux 6.5 the refusal, said, is the behaviour to test
	fi
	# Linux 6.5 took data-only layers only with metacopy=on; newer kernels
	# (6.18 here) take them without it, even with metacopy=off, and turn on
	# redirect_dir themselves.  Follow the kernel: a refusal must hint at it.
	local meta=
	run in_ns "\$O -l '$T/l2' --data-lower '$T/data' -o metacopy=off '$T/m'"
	if [ "$status" -ne 0 ]; then
		assert_output --partial "older kernels take data-only layers only with -o metacopy=on"
		meta="-o metacopy=on"
	fi
	for legacy in 0 1; do
		run in_ns "CTU_OVLMOUNT_LEGACY=$legacy \$O -l '$T/l2' --data-lower '$T/data' $meta '$T/m'
			cat '$T/m/file'
			test -e '$T/m/blob' && echo blob-visible || echo blob-hidden
			awk '\$5 == \"$T/m\" { print \$NF }' /proc/self/mountinfo
			touch '$T/m/x' 2>&1 || true
			\$O --show --raw --noheadings '$T/m'"
		assert_success
		assert_line --index 0 only-l2
		# a data-only layer is not merged: reachable only through redirects
		assert_line --index 1 blob-hidden
		if [ "$legacy" = 0 ] && kernel_has_lowerdir_plus; then
			assert_line --index 2 --regexp "^ro,lowerdir\+=$T/l2,datadir\+=$T/data(,|$)"
		else
			assert_line --index 2 --regexp "^ro,lowerdir=$T/l2::$T/data(,|$)"
		fi
		assert_line --index 3 --partial "Read-only file system"
		assert_line --index 4 "lower 1 $T/l2"
		assert_line --index 5 "data 1 $T/data"
	done
}

@test "--show and --diff --json are typed: numbers, strings, null when absent" {
	run in_ns "\$O -l '$T/l1' -l '$T/l2' -u '$T/up' '$T/m'; echo n >'$T/m/n'
		\$O --show --json '$T/m'; \$O --diff --json '$T/m'"
	assert_success
	jq -e -s '
		(.[0].layers | length > 3) and
		(.[0].layers | all(.layer | type == "string")) and
		(.[0].layers | all(.path | type == "string")) and
		([.[0].layers[] | select(.layer == "lower") | .index] == [1, 2]) and
		([.[0].layers[] | select(.layer != "lower") | .index] | unique == [null]) and
		(.[1].changes | length > 0) and
		(.[1].changes | all((.change | type == "string") and (.path | type == "string")))' <<<"$output"
	# --tmpfs-upper: the upper, work and tmpfs lines name paths in the tmpfs under /run
	run in_ns "\$O -l '$T/l2' --tmpfs-upper '$T/m'; \$O --show --json '$T/m'"
	assert_success
	jq -e '
		([.layers[] | select(.layer == "upper" or .layer == "work" or .layer == "tmpfs") | .layer] == ["upper", "work", "tmpfs"]) and
		([.layers[] | select(.layer == "upper" or .layer == "work" or .layer == "tmpfs") | .path] | all(type == "string" and startswith("/run/ctutils/ovlmount/")))' <<<"$output"
}

@test "--readonly refuses writes; two lowers without an upper are read-only too" {
	run in_ns "\$O -l '$T/l2' -u '$T/up' --readonly '$T/m'; touch '$T/m/x' 2>&1 || true"
	assert_output --partial "Read-only file system"
	run in_ns "\$O -l '$T/l1:$T/l2' '$T/m'; cat '$T/m/shadowed'; touch '$T/m/x' 2>&1 || true"
	assert_line --index 0 from-l1
	assert_line --index 1 --partial "Read-only file system"
}

@test "--show round-trips the layers, options and JSON" {
	run in_ns "\$O -l '$T/l1' -l '$T/l2' -u '$T/up' -o volatile '$T/m'; \$O --show -J '$T/m'"
	assert_success
	[ "$(jq -r '[.layers[] | select(.layer == "lower") | .path] | join(" ")' <<<"$output")" = "$T/l1 $T/l2" ]
	[ "$(jq -r '.layers[] | select(.layer == "upper") | .path' <<<"$output")" = "$T/up" ]
	[ "$(jq -r '.layers[] | select(.layer == "work") | .path' <<<"$output")" = "$T/up.work" ]
	# the kernel's own spelling: "volatile" (6.1) or "fsync=volatile" (6.8 on)
	jq -e '.layers[] | select(.layer == "option" and (.path == "fsync=volatile" or .path == "volatile"))' <<<"$output"
	run -1 "$OVLMOUNT" --show "$T"
	assert_output "ovlmount: $T: not a mount point"
	run -1 "$OVLMOUNT" --show /proc
	assert_output "ovlmount: /proc: not an overlay mount"
}

@test "with a program, ovlmount runs it on the mounted stack (chain-loading)" {
	run in_ns "\$O -l '$T/l2' --tmpfs-upper '$T/m' -- cat '$T/m/file'"
	assert_output only-l2
	run in_ns "\$O -l '$T/l2' --tmpfs-upper '$T/m' -- sh -c 'exit 7'" || true
	[ "$status" -eq 7 ]
	run -127 in_ns "\$O -l '$T/l2' --tmpfs-upper '$T/m' -- /no/such/program"
}

@test "--mkdir creates upper, work and merged, and removes them on failure" {
	run in_ns "\$O -l '$T/l2' -u '$T/new/up' --mkdir '$T/new/m'; ls '$T/new'"
	assert_success
	assert_output "$(printf 'm\nup\nup.work')"
	rm -rf "$T/new"
	ctu_state_save "$T"
	run -1 in_ns "\$O -l '$T/missing' -u '$T/new/up' --mkdir '$T/new/m'"
	assert_output "ovlmount: lower layer $T/missing: No such file or directory"
	assert_state_unchanged
}

@test "bad layers are named, and nothing is left behind" {
	mkdir "$T/other"
	mount -t tmpfs ctu-other "$T/other"
	ctu_cleanup_add mount "$T/other"
	mkdir "$T/other/work"
	touch "$T/afile"
	mkdir -p "$T/up/inside"
	ctu_state_save "$T"
	while IFS='|' read -r args message; do
		run -1 in_ns "\$O $args"
		assert_output --partial "ovlmount: $message"
		assert_state_unchanged
	done <<-EOF
		-l $T/nope -u $T/up $T/m|lower layer $T/nope: No such file or directory
		-l $T/afile -u $T/up $T/m|lower layer $T/afile: not a directory
		-l $T/afile $T/m|lower layer $T/afile: not a directory
		-l $T/l2 --data-lower $T/afile $T/m|data layer $T/afile: not a directory
		-l $T/l2 -u $T/afile -w $T/other/work $T/m|upper layer $T/afile: not a directory
		-l $T/l2 -u $T/up -w $T/other/work $T/m|upper layer $T/up and work directory $T/other/work are on different filesystems
		-l $T/l2 -u $T/up -w $T/up/inside $T/m|work directory $T/up/inside and upper layer $T/up overlap
		-l $T/up/inside -u $T/up -w $T/l1 $T/m|lower layer $T/up/inside and upper layer $T/up overlap
		-l $T/l2 $T/m|a read-only overlay needs at least two lower layers (kernel rule): add --upper or --tmpfs-upper
		-l $T/l2 -u $T/up $T/nomount|mount point $T/nomount: No such file or directory
	EOF
}

@test "bad options exit 2 with the value named" {
	while IFS='|' read -r args message; do
		# shellcheck disable=SC2086
		run -2 "$OVLMOUNT" $args
		assert_output --partial "ovlmount: $message"
	done <<-EOF
		-l $T/l2 -u $T/up -o bogus $T/m|unknown overlay option 'bogus'
		-l $T/l2 -u $T/up -o index=maybe $T/m|invalid overlay option 'index=maybe': expected one of on off
		-l $T/l2 -u $T/up -o volatile=1 $T/m|invalid overlay option 'volatile=1': takes no value
		-l $T/l2 -u $T/up -o metacopy=on,redirect_dir=off $T/m|overlay options conflict: metacopy=on needs redirect_dir=on
		-l $T/l2 -u $T/up -o nfs_export=on,index=off $T/m|overlay options conflict: nfs_export=on needs index=on
		-l $T/l2 -u $T/up -o nfs_export=on,metacopy=on $T/m|overlay options conflict: nfs_export=on cannot go with metacopy=on
		-l $T/l2 -u $T/up -o userxattr,redirect_dir=follow $T/m|overlay options conflict: userxattr cannot go with redirect_dir=follow
		-l $T/l2 -u $T/up -o userxattr,metacopy=on $T/m|overlay options conflict: userxattr cannot go with metacopy=on
		-l $T/l2 --tmpfs-upper=12Q $T/m|invalid --tmpfs-upper size: '12Q'
		-l $T/l2 --tmpfs-upper -u $T/up $T/m|--tmpfs-upper cannot go with --upper or --work
		-l $T/l2 -w $T/up $T/m|--work needs --upper
		--lower= $T/m|empty layer for --lower
		--show $T/m --diff $T/m|--show, --diff and --umount are mutually exclusive
		-l $T/l2|no mount point given
		--bogus|unrecognized option '--bogus'
	EOF
	run -1 "$OVLMOUNT" --layers-from "$T/no-such-file" "$T/m"
	assert_output --partial "ovlmount: cannot read --layers-from $T/no-such-file: No such file or directory"
}

@test "rootless: inside a user namespace userxattr is added, and said" {
	require_kernel_feature userns
	chmod -R a+rwX "$T"
	run run_unprivileged "$UNSHARE_LITE" -r -m -- "$OVLMOUNT" -l "$T/l2" -u "$T/up" "$T/m" -- sh -c "cat '$T/m/file'; rm '$T/m/gone'"
	assert_success
	assert_output --partial "ovlmount: inside a user namespace: adding the overlay option userxattr"
	assert_output --partial only-l2
	run "$OVLMOUNT" --diff "$T/up" --lower "$T/l2"
	assert_line --regexp '^D +/gone$'
}

@test "--help and --version" {
	run --separate-stderr "$OVLMOUNT" --help
	assert_success
	assert_output --partial "--tmpfs-upper"
	run "$OVLMOUNT" --version
	assert_output --regexp '^ovlmount from ctutils [0-9.]+$'
}
