#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgctl's options for ctrun (ctrun.md, "Tool options this needs"): exec
# --empty, the v1 names converted on v2 and the v2 ones on v1, and
# --device-rule: devices.deny/allow where the devices controller is v1 (this
# hybrid host), one BPF program on v2 (the VM; here too, with -c leaving the
# v1 devices hierarchy out, so the program goes on the unified cgroup).
# Every effect is read back from the kernel: its cgroup files, what a process
# in the cgroup may open, the programs attached.  Cgroups only below our own.

load helpers

setup() {
	require_root
	require_tool "$CGCTL"
	T=$(ctu_tmpdir)
	CG=$(ctu_name oci)
	G=("$CGCTL" --self)
	CGBPF=$CTU_HELPERS/cgbpf
}

teardown() {
	# the -c memory runs made it in memory and the unified hierarchy only: --self finds those
	"$CGCTL" --self thaw "$CG" >/dev/null 2>&1 || true
	"$CGCTL" --self delete -r --kill "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

# The directory of our cgroup $CG in the hierarchy holding controller $1 (v2: "").
cg_dir() {
	local ctrl=${1:-} mnt path
	if [ -z "$ctrl" ] || ! is_v1 "$ctrl"; then
		mnt=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
		path=$(sed -n 's/^0:://p' /proc/self/cgroup)
	else
		mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk -v c="$ctrl" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
		path=$(awk -F: -v c="$ctrl" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3}' /proc/self/cgroup)
	fi
	echo "$mnt${path%/}/$CG"
}

is_v1() {
	findmnt -n -o OPTIONS -t cgroup | tr ',' '\n' | grep -qx "$1"
}

# No directory of $CG in any hierarchy.
assert_no_cgroup() {
	local d dirs
	dirs=$(ctu_own_cgroup_dirs)
	[ -n "$dirs" ] || fail "no cgroup directories of our own found"
	for d in $dirs; do
		[ ! -e "$d/$CG" ] || fail "cgroup left behind: $d/$CG"
	done
}

# A block device's MAJ:MIN (a disk, not a loop, ram or zram device), or skip.
block_device() {
	local f
	for f in /sys/block/*/dev; do
		case $f in */loop* | */ram* | */zram*) continue ;; esac
		cat "$f"
		return 0
	done
	ctu_skip "no block device for io.max"
}

# ---- exec --empty -------------------------------------------------------------------

@test "exec --empty runs in a new cgroup and in an existing empty one" {
	run "${G[@]}" exec --empty "$CG" -- cat /proc/self/cgroup
	assert_success
	assert_line --regexp "^0::.*/$CG\$"
	[ -d "$(cg_dir)" ]
	# it exists now, with nobody in it: still fine, and settings still apply
	run "${G[@]}" exec "$CG" --empty --pids 7 -- cat /proc/self/cgroup
	assert_success
	assert_line --regexp "^0::.*/$CG\$"
	[ "$(cat "$(cg_dir pids)/pids.max")" = 7 ]
}

@test "exec --empty refuses a cgroup with a process in it, naming the pid" {
	"${G[@]}" exec "$CG" -- sleep 1000 &
	pid=$!
	ctu_cleanup_add pid "$pid"
	for _ in $(seq 100); do
		grep -qx "$pid" "$(cg_dir)/cgroup.procs" 2>/dev/null && break
		sleep 0.05
	done
	grep -qx "$pid" "$(cg_dir)/cgroup.procs"
	run -125 "${G[@]}" exec --empty "$CG" -- touch "$T/ran"
	assert_output --regexp "^cgctl: cgroup $CG is not empty: process $pid is in it \\(.*/$CG\\)\$"
	[ ! -e "$T/ran" ]
	# nobody moved in: the sleep alone
	[ "$(cat "$(cg_dir)/cgroup.procs")" = "$pid" ]
	# a process in a cgroup below counts too
	kill "$pid"
	wait "$pid" || true
	"${G[@]}" exec "$CG/sub" -- sleep 1000 &
	pid=$!
	ctu_cleanup_add pid "$pid"
	for _ in $(seq 100); do
		grep -qx "$pid" "$(cg_dir)/sub/cgroup.procs" 2>/dev/null && break
		sleep 0.05
	done
	run -125 "${G[@]}" exec --empty "$CG" -- touch "$T/ran"
	assert_output --partial "cgroup $CG is not empty: process $pid is in it"
	[ ! -e "$T/ran" ]
}

@test "exec --empty refuses a frozen cgroup, allows it once thawed" {
	"${G[@]}" create "$CG"
	"${G[@]}" freeze "$CG"
	run -125 "${G[@]}" exec --empty "$CG" -- touch "$T/ran"
	assert_output --regexp "^cgctl: cgroup $CG is frozen \\(.*/$CG\\)\$"
	[ ! -e "$T/ran" ]
	[ -z "$(cat "$(cg_dir)/cgroup.procs")" ]
	"${G[@]}" thaw "$CG"
	run "${G[@]}" exec --empty "$CG" -- touch "$T/ran"
	assert_success
	[ -e "$T/ran" ]
}

@test "exec --empty: its usage is checked as before, and a missing program still creates nothing" {
	run -125 "${G[@]}" exec --empty "$CG"
	assert_output --partial "cgctl: no program given"
	assert_no_cgroup
}

# ---- v1 names on v2, v2 names on v1 ------------------------------------------------

@test "cpu.shares: written as is on a v1 cpu controller, converted to cpu.weight on v2" {
	local shares weight
	for pair in 2:1 512:20 1024:39 262144:10000; do
		shares=${pair%:*} weight=${pair#*:}
		run "${G[@]}" create "$CG" -s cpu.shares="$shares"
		assert_success
		if is_v1 cpu; then
			[ "$(cat "$(cg_dir cpu)/cpu.shares")" = "$shares" ]
		else
			# runc 1.1's and crun 1.8's linear mapping: 1 + (shares - 2) * 9999 / 262142
			[ "$(cat "$(cg_dir)/cpu.weight")" = "$weight" ]
		fi
	done
	run -2 "${G[@]}" set "$CG" -s cpu.shares=1
	assert_output --partial "cgctl: invalid setting 'cpu.shares=1': expected cpu shares from 2 to 262144"
}

@test "blkio.weight: written as is on v1 blkio, converted to io.weight on v2" {
	if is_v1 blkio; then
		"${G[@]}" create "$CG"
		if [ ! -e "$(cg_dir blkio)/blkio.weight" ]; then
			# a kernel without a weight-based I/O scheduler: the error names the file
			run "${G[@]}" set "$CG" -s blkio.weight=500
			assert_failure 1
			assert_output --partial "cgctl: cannot set blkio.weight: no file blkio.weight in $(cg_dir blkio)"
			return
		fi
		"${G[@]}" set "$CG" -s blkio.weight=500
		[ "$(cat "$(cg_dir blkio)/blkio.weight")" = 500 ]
		return
	fi
	grep -qw io "$(dirname "$(cg_dir)")/cgroup.controllers" || ctu_skip "no io controller"
	run "${G[@]}" create "$CG" -s blkio.weight=10
	if [ "$status" -ne 0 ] && [[ $output == *"no file io.weight"* ]]; then
		ctu_skip "this kernel has no io.weight (no blk-iocost)"
	fi
	assert_success
	# io.weight = 1 + (w - 10) * 9999 / 990; the kernel shows "default N"
	grep -qx "default 1" "$(cg_dir)/io.weight"
	"${G[@]}" set "$CG" -s blkio.weight=1000
	grep -qx "default 10000" "$(cg_dir)/io.weight"
	"${G[@]}" set "$CG" -s blkio.weight=500
	grep -qx "default 4950" "$(cg_dir)/io.weight"
	# one device's weight: blkio.weight_device, converted the same way
	dev=$(block_device)
	run "${G[@]}" set "$CG" -s "blkio.weight_device=$dev 100"
	if [ "$status" -ne 0 ]; then
		# a device whose queue has no per-device weights (iocost off, e.g. virtio
		# under mq-deadline): the kernel's refusal, named with the converted value
		assert_output "cgctl: the kernel refused blkio.weight_device=$dev 910 ($(cg_dir)/io.weight): Operation not supported"
		return
	fi
	grep -qx "$dev 910" "$(cg_dir)/io.weight"
}

@test "memory.low and memory.soft_limit_in_bytes: one name works on v1 and v2" {
	"${G[@]}" create "$CG" -s memory.low=16M
	if is_v1 memory; then f=$(cg_dir memory)/memory.soft_limit_in_bytes; else f=$(cg_dir)/memory.low; fi
	[ "$(cat "$f")" = 16777216 ]
	"${G[@]}" set "$CG" -s memory.soft_limit_in_bytes=32M
	[ "$(cat "$f")" = 33554432 ]
	"${G[@]}" set "$CG" -s memory.soft_limit_in_bytes=-1
	if is_v1 memory; then [ "$(cat "$f")" -gt 1000000000000 ]; else [ "$(cat "$f")" = max ]; fi
	"${G[@]}" set "$CG" -s memory.low=8M
	[ "$(cat "$f")" = 8388608 ]
}

@test "cpu.max.burst and cpu.cfs_burst_us: one name works on v1 and v2" {
	if is_v1 cpu; then f=$(cg_dir cpu)/cpu.cfs_burst_us; else f=$(cg_dir)/cpu.max.burst; fi
	"${G[@]}" create "$CG" --cpus 0.5
	[ -e "$f" ] || ctu_skip "no CFS burst in this kernel (5.14+): no $(basename "$f")"
	"${G[@]}" set "$CG" -s cpu.max.burst=20000
	[ "$(cat "$f")" = 20000 ]
	"${G[@]}" set "$CG" -s cpu.cfs_burst_us=30000
	[ "$(cat "$f")" = 30000 ]
}

@test "hugetlb.SIZE.max and hugetlb.SIZE.limit_in_bytes: one name works on v1 and v2" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || ctu_skip "no 2 MiB huge pages in this kernel"
	if is_v1 hugetlb; then
		f=$(cg_dir hugetlb)/hugetlb.2MB.limit_in_bytes
	else
		grep -qw hugetlb "$(findmnt -n -o TARGET -t cgroup2 | head -n1)/cgroup.controllers" ||
			ctu_skip "no hugetlb controller"
		f=$(cg_dir)/hugetlb.2MB.max
	fi
	"${G[@]}" create "$CG" -s hugetlb.2MB.limit_in_bytes=4M
	[ "$(cat "$f")" = 4194304 ]
	"${G[@]}" set "$CG" -s hugetlb.2MB.max=8M
	[ "$(cat "$f")" = 8388608 ]
}

@test "io.max and blkio.throttle.*: one name works on v1 and v2, a device per setting" {
	dev=$(block_device)
	"${G[@]}" create "$CG" -s "io.max=$dev rbps=1048576 wiops=120" \
		-s "blkio.throttle.write_bps_device=$dev 2097152"
	if is_v1 blkio; then
		d=$(cg_dir blkio)
		grep -qx "$dev 1048576" "$d/blkio.throttle.read_bps_device"
		grep -qx "$dev 120" "$d/blkio.throttle.write_iops_device"
		grep -qx "$dev 2097152" "$d/blkio.throttle.write_bps_device"
		"${G[@]}" set "$CG" -s "io.max=$dev rbps=max" -s "blkio.throttle.read_iops_device=$dev 50"
		[ -z "$(cat "$d/blkio.throttle.read_bps_device")" ]
		grep -qx "$dev 50" "$d/blkio.throttle.read_iops_device"
	else
		grep -qx "$dev rbps=1048576 wbps=2097152 riops=max wiops=120" "$(cg_dir)/io.max"
		"${G[@]}" set "$CG" -s "io.max=$dev rbps=max" -s "blkio.throttle.read_iops_device=$dev 50"
		grep -qx "$dev rbps=max wbps=2097152 riops=50 wiops=120" "$(cg_dir)/io.max"
	fi
	run -2 "${G[@]}" set "$CG" -s "io.max=$dev rbps=fast"
	assert_output --partial "invalid setting 'io.max=$dev rbps=fast': a limit is rbps=, wbps=, riops= or wiops= with a number or max"
	run -2 "${G[@]}" set "$CG" -s "blkio.throttle.read_bps_device=$dev"
	assert_output --partial "expected \"MAJ:MIN N\" (0 for no limit)"
}

@test "fake v2 tree: the v1 names are converted and their controllers enabled" {
	F=$T/fake
	mkdir -p "$F/x"
	echo "cpu io memory hugetlb" >"$F/cgroup.controllers"
	: >"$F/cgroup.subtree_control"
	: >"$F/cgroup.procs"
	for f in cgroup.procs cpu.weight io.weight memory.low memory.max cpu.max.burst hugetlb.1GB.max io.max; do
		: >"$F/x/$f"
	done
	run "$CGCTL" --root "$F" set x -s cpu.shares=1024 -s blkio.weight=100 \
		-s memory.soft_limit_in_bytes=1M -s memory.limit_in_bytes=-1 -s cpu.cfs_burst_us=5 \
		-s hugetlb.1GB.limit_in_bytes=2G -s "blkio.throttle.write_iops_device=8:0 0"
	assert_success
	[ "$(cat "$F/cgroup.subtree_control")" = "+cpu +io +memory +hugetlb" ]
	[ "$(cat "$F/x/cpu.weight")" = 39 ]
	[ "$(cat "$F/x/io.weight")" = 910 ]
	[ "$(cat "$F/x/memory.low")" = 1048576 ]
	[ "$(cat "$F/x/memory.max")" = max ]
	[ "$(cat "$F/x/cpu.max.burst")" = 5 ]
	[ "$(cat "$F/x/hugetlb.1GB.max")" = 2147483648 ]
	[ "$(cat "$F/x/io.max")" = "8:0 wiops=max" ]
}

# ---- --device-rule ------------------------------------------------------------------

# The ways the rules go on this host: the devices controller's (v1 here, the
# BPF program on v2) and, on hybrid hosts, the BPF program too, on the unified
# cgroup, by leaving the v1 devices hierarchy out with -c.
dev_modes() {
	if is_v1 devices; then
		echo "v1 --self"
		echo "bpf --self -c memory"
	else
		echo "bpf --self"
	fi
}

# probe [OPTIONS] -- PROGRAM...: PROGRAM run in $CG, made the way ${M[@]} says.
probe() {
	"$CGCTL" "${M[@]}" exec "$CG" "$@"
}

@test "--device-rule: a deny takes the access it names, the rest stays" {
	while read -r kind opts; do
		read -ra M <<<"$opts"
		run probe --device-rule 'deny c 1:5 r' -- sh -c 'head -c1 /dev/zero'
		assert_failure
		assert_output --partial "/dev/zero"
		assert_output --partial "Operation not permitted"
		# writing /dev/zero, reading and writing /dev/null: allowed
		run probe -- sh -c 'echo x >/dev/zero && echo x >/dev/null && cat /dev/null && echo ok'
		assert_success
		assert_output ok
		if [ "$kind" = bpf ]; then
			run "$CGBPF" "$(cg_dir)"
			assert_success
			assert_output --regexp '^[0-9]+ cgctl_devices$'
		fi
		# TYPE a is every device and every access, whatever follows it (v1, runc)
		run probe --device-rule 'deny a *:* r' -- sh -c 'echo x >/dev/null'
		assert_failure
		assert_output --partial "/dev/null"
		"$CGCTL" "${M[@]}" delete "$CG"
	done < <(dev_modes)
}

@test "--device-rule: rules apply in order, a later allow beats an earlier deny (v1 semantics)" {
	while read -r kind opts; do
		read -ra M <<<"$opts"
		rules=(--device-rule 'deny a *:* rwm' --device-rule 'allow c 1:3 rw'
			--device-rule 'allow c 1:5 r' --device-rule 'deny c 1:5 r' --device-rule 'allow c 1:5 r')
		run probe "${rules[@]}" -- sh -c 'echo x >/dev/null && cat /dev/null && head -c1 /dev/zero | wc -c'
		assert_success
		assert_output 1
		# what was denied last stays denied: writing /dev/zero, /dev/full, mknod
		run probe -- sh -c 'echo x >/dev/zero'
		assert_failure
		assert_output --partial "Operation not permitted"
		run probe -- sh -c 'head -c1 /dev/full'
		assert_failure
		run probe -- mknod "$T/null-$kind" c 1 3
		assert_failure
		[ ! -e "$T/null-$kind" ]
		# m allows mknod, and only of the device named
		run probe "${rules[@]}" --device-rule 'allow c 1:3 m' -- mknod "$T/null-$kind" c 1 3
		assert_success
		[ "$(stat -c %t:%T "$T/null-$kind")" = 1:3 ]
		run probe -- mknod "$T/zero-$kind" c 1 5
		assert_failure
		[ ! -e "$T/zero-$kind" ]
		"$CGCTL" "${M[@]}" delete "$CG"
	done < <(dev_modes)
}

@test "--device-rule: set replaces the rules of a running cgroup, with one program on v2" {
	while read -r kind opts; do
		read -ra M <<<"$opts"
		"$CGCTL" "${M[@]}" create "$CG" --device-rule 'deny a *:* rwm' --device-rule 'allow c 1:3 rw'
		run probe -- sh -c 'head -c1 /dev/zero'
		assert_failure
		[ "$kind" = bpf ] && first=$("$CGBPF" "$(cg_dir)")
		# a process already inside sees the change too
		"$CGCTL" "${M[@]}" exec "$CG" -- sh -c "while ! [ -e $T/go-$kind ]; do sleep 0.05; done; head -c1 /dev/zero >$T/read-$kind" &
		pid=$!
		ctu_cleanup_add pid "$pid"
		# a list that begins with a TYPE a rule means the same on v1 (on top of the
		# cgroup's list) and v2 (a new program in place of the old)
		run "$CGCTL" "${M[@]}" set "$CG" --device-rule 'allow a *:* rwm' --device-rule 'deny c 1:3 w'
		assert_success
		touch "$T/go-$kind"
		wait "$pid"
		[ "$(stat -c %s "$T/read-$kind")" = 1 ]
		run probe -- sh -c 'echo x >/dev/null'
		assert_failure
		if [ "$kind" = bpf ]; then
			# ours replaced, not added
			run "$CGBPF" "$(cg_dir)"
			assert_success
			assert_output --regexp '^[0-9]+ cgctl_devices$'
			[ "$output" != "$first" ]
		fi
		"$CGCTL" "${M[@]}" delete "$CG"
	done < <(dev_modes)
}

@test "--device-rule: block devices and wildcards" {
	dev=$(block_device)
	name=$(basename "$(dirname "$(grep -lx "$dev" /sys/block/*/dev | head -n1)")")
	[ -b "/dev/$name" ] || ctu_skip "no /dev/$name"
	while read -r kind opts; do
		read -ra M <<<"$opts"
		run probe --device-rule "deny b ${dev%%:*}:* r" -- head -c1 "/dev/$name"
		assert_failure
		assert_output --partial "Operation not permitted"
		run probe --device-rule 'deny b *:* rwm' -- sh -c "head -c1 /dev/zero | wc -c"
		assert_success
		assert_output 1
		"$CGCTL" "${M[@]}" delete "$CG"
	done < <(dev_modes)
}

@test "--device-rule: a bad rule is a usage error naming it, and nothing is made" {
	local bad
	while IFS='|' read -r rule why; do
		for cmd in create exec; do
			if [ "$cmd" = create ]; then
				run -2 "${G[@]}" create "$CG" --pids 5 --device-rule "$rule"
			else
				run -125 "${G[@]}" exec "$CG" --device-rule "$rule" -- touch "$T/ran"
			fi
			assert_output --partial "cgctl: invalid --device-rule '$rule': $why"
			assert_no_cgroup
			[ ! -e "$T/ran" ]
		done
	done <<-'EOF'
		allow x 1:3 r|TYPE is a (every device), b (block) or c (character)
		permit c 1:3 r|the rule begins with allow or deny
		allow c 1:3|expected 'allow|deny TYPE MAJ:MIN ACCESS'
		allow c 1:3 r extra|expected 'allow|deny TYPE MAJ:MIN ACCESS'
		|expected 'allow|deny TYPE MAJ:MIN ACCESS'
		allow c 1-3 r|expected MAJ:MIN (1:3, 136:*, *:*)
		allow c 4096:0 r|the major number is * or from 0 to 4095
		allow c 1:1048576 r|the minor number is * or from 0 to 1048575
		allow c -1:3 r|the major number is * or from 0 to 4095
		allow c 1:99999999999999999999 r|the minor number is * or from 0 to 1048575
		allow c 1:3 rr|ACCESS is one or more of r, w and m, each once
		allow c 1:3 rwx|ACCESS is one or more of r, w and m, each once
		allow a 1:x r|the minor number is * or from 0 to 1048575
		deny a *:* rwmm|ACCESS is one or more of r, w and m, each once
	EOF
	# a rule v1 would silently ignore: taking access from a wider rule
	run -2 "${G[@]}" create "$CG" --device-rule 'deny c *:* rwm' --device-rule 'allow c 1:3 rw'
	assert_output --partial "cgctl: invalid --device-rule 'allow c 1:3 rw': it cannot take access from the wider 'deny c *:* rwm' before it (v1 list semantics); begin with 'deny a *:* rwm' and list what differs"
	assert_no_cgroup
	# too many
	rules=()
	for i in $(seq 0 256); do rules+=(--device-rule "deny c 1:$i r"); done
	run -2 "${G[@]}" create "$CG" "${rules[@]}"
	assert_output --partial "invalid --device-rule 'deny c 1:256 r': too many device rules (256 at most)"
	assert_no_cgroup
}

@test "--device-rule: set with a bad rule changes nothing" {
	"${G[@]}" create "$CG" --device-rule 'deny c 1:5 r'
	run -2 "${G[@]}" set "$CG" --pids 3 --device-rule 'allow c 1:5 r' --device-rule 'allow q 1:5 r'
	assert_output --partial "cgctl: invalid --device-rule 'allow q 1:5 r'"
	[ "$(cat "$(cg_dir pids)/pids.max")" = max ]
	run "${G[@]}" exec "$CG" -- head -c1 /dev/zero
	assert_failure
	assert_output --partial "Operation not permitted"
	# set with rules alone is a setting
	run "${G[@]}" set "$CG" --device-rule 'allow c 1:5 r'
	assert_success
	run "${G[@]}" exec "$CG" -- sh -c 'head -c1 /dev/zero | wc -c'
	assert_output 1
}
