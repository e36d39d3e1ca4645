#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The behaviours the OCI conformance suite (runtime-tools) found missing in
# ctrun, each proven here on the real kernel without the suite: a seccomp
# profile that denies faccessat2 before the program lookup, filesystem
# options on a bind, a user namespace that maps root elsewhere (with a
# seccomp filter), and swap equal to the memory limit.

load helpers
load helpers/ctrun

setup() {
	ct_setup
	B=$T/bundle
}

teardown() {
	ct_teardown
}

# A profile that allows everything but faccessat2 (EPERM), loaded before the
# credentials drop (noNewPrivileges false), as runtime-tools' and older
# docker profiles do by listing only faccessat.
deny_faccessat2='.process.noNewPrivileges = false |
	.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["faccessat2"], action: "SCMP_ACT_ERRNO"}]}'

@test "a seccomp profile denying faccessat2 before the lookup: the program is found, a non-executable one refused" {
	ct_bundle "$B" sh -c 'grep ^Seccomp: /proc/self/status'
	ct_cfg "$B" "$deny_faccessat2"
	run ct run -b "$B" "$ID"
	assert_success
	assert_output --regexp '^Seccomp:[[:space:]]+2$'
	# the mode bits decide: a file without x is refused, as without the filter
	printf 'echo x\n' >"$B/rootfs/bin/notexec"
	chmod 0644 "$B/rootfs/bin/notexec"
	ct_cfg "$B" '.process.args = ["notexec"]'
	run ct run -b "$B" "$ID"
	assert_failure
	assert_output "ctrun: run: pivot: failed to execute notexec: Permission denied"
	[ ! -e "$CT_ROOT/$ID" ]
}

@test "a bind mount's filesystem options (mode=, size=) are dropped, its flags kept" {
	mkdir -p "$T/src"
	echo here >"$T/src/file"
	ct_bundle "$B" sh -c 'cat /mnt/x/file; grep " /mnt/x " /proc/self/mountinfo'
	ct_cfg "$B" ".mounts += [{destination: \"/mnt/x\", type: \"bind\", source: \"$T/src\",
		options: [\"nosuid\", \"strictatime\", \"mode=755\", \"size=1k\", \"bind\", \"ro\"]}]"
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	assert_output --partial "--mount bind:$T/src:/mnt/x:nosuid,strictatime,bind,ro"
	run ct run -b "$B" "$ID"
	assert_success
	assert_line --index 0 here
	# read back from the kernel: the bind is there, read-only and nosuid
	assert_line --index 1 --regexp ' /mnt/x ro,nosuid[, ]'
}

@test "a user namespace mapping root elsewhere: the init is root inside with its caps, and the seccomp filter loads" {
	ct_bundle "$B"
	ct_cfg "$B" '.linux.namespaces += [{type: "user"}] |
		.linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}] |
		.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["kexec_load"], action: "SCMP_ACT_ERRNO"}]}'
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	ct start "$ID"
	pid=$(cat "$T/pid")
	# host ids: the mapped root; inside: uid 0 (uid_map names the range)
	run awk '/^Uid:/ {print $2} /^Gid:/ {print $2} /^Seccomp:/ {print $2}' "/proc/$pid/status"
	assert_output "$(printf '200000\n200000\n2')"
	run cat "/proc/$pid/uid_map"
	assert_output --regexp '^ +0 +200000 +65536$'
	# the capabilities runc's default set gives survive the execve
	[ "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" != 0000000000000000 ]
	# the filter went by fd (ROOT is out of reach there): that fd is not passed on
	run ls "/proc/$pid/fd"
	assert_output "$(printf '0\n1\n2')"
}

@test "swap equal to the memory limit is no swap: memsw = limit (v1), swap.max 0 (v2)" {
	ct_bundle "$B"
	ct_cfg "$B" '.linux.resources.memory = {limit: 50593792, swap: 50593792}'
	run ct --show-chain create -b "$B" "$ID"
	assert_success
	assert_output --partial "memory.swap.max=0"
	ct_bg create -b "$B" "$ID"
	d=$(ct_cg_dir memory)
	if [ -e "$d/memory.limit_in_bytes" ]; then
		[ -e "$d/memory.memsw.limit_in_bytes" ] || skip "swap accounting is off (no memory.memsw.*)"
		assert_equal "$(cat "$d/memory.memsw.limit_in_bytes")" 50593792
	else
		assert_equal "$(cat "$d/memory.swap.max")" 0
	fi
	assert_equal "$(cat "$d/memory.limit_in_bytes" 2>/dev/null || cat "$d/memory.max")" 50593792
}

@test "--pid-file holds the bare number, as runc's (go-runc parses it with strconv.Atoi)" {
	ct_bundle "$B"
	ct_bg create -b "$B" --pid-file "$T/pid" "$ID"
	run cat "$T/pid"
	assert_output --regexp '^[0-9]+$'
	pid=$output
	# no newline: the file is the digits only
	assert_equal "$(wc -c <"$T/pid")" "${#pid}"
	# and it is the init: the one process in the container's cgroup, in a mount ns of its own
	assert_equal "$(cat "$(ct_cg_dir)/cgroup.procs")" "$pid"
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	ct start "$ID"
	ct_bg exec -d --pid-file "$T/epid" "$ID" sleep 1000
	ctu_cleanup_add pid "$(cat "$T/epid")"
	assert_equal "$(wc -c <"$T/epid")" "$(tr -d '\n' <"$T/epid" | wc -c)"
	grep -q "$CT_CG" "/proc/$(cat "$T/epid")/cgroup"
}

# runtime-tools' linux_ns_itype: a config without any namespace.  runc then
# chroots in the caller's mount namespace (and makes its "/" rslave); pivot
# --in-place leaves our propagation alone and gives the bind its own.
@test "no namespaces at all: the container is in ours, the mount one too, chrooted; delete detaches its mounts" {
	ct_bundle "$B"
	ct_cfg "$B" 'del(.hostname) | .linux.namespaces = []'
	root_before=$(awk '$5 == "/"' /proc/self/mountinfo)
	run ct --show-chain=bare create -b "$B" "$ID"
	assert_success
	assert_output --partial " --in-place "
	ct_bg create -b "$B" "$ID"
	pid=$(ct state "$ID" | jq -r .pid)
	for ns in mnt net pid ipc uts cgroup; do
		assert_equal "$(readlink "/proc/$pid/ns/$ns")" "$(readlink "/proc/self/ns/$ns")"
	done
	# its root is the bundle's, through a bind of its own in our namespace
	assert_equal "$(stat -L -c %d:%i "/proc/$pid/root")" "$(stat -c %d:%i "$B/rootfs")"
	rootfs=$(realpath "$B/rootfs")
	run findmnt -n -o TARGET,PROPAGATION "$rootfs"
	assert_success
	assert_output --regexp "^$rootfs +private"
	findmnt -n "$rootfs/proc" >/dev/null
	# our "/" kept its propagation
	assert_equal "$(awk '$5 == "/"' /proc/self/mountinfo)" "$root_before"
	ct start "$ID"
	ct kill "$ID" KILL
	for _ in $(seq 100); do [ "$(ct state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	ct delete "$ID"
	run findmnt -n -R "$rootfs"
	assert_failure
	ct_assert_nothing_left
}

@test "no mount namespace: a failed create detaches the mounts too; delete from another mount namespace refuses" {
	ct_bundle "$B" /no/such/program
	ct_cfg "$B" 'del(.hostname) | .linux.namespaces = []'
	rootfs=$(realpath "$B/rootfs")
	run ct run -b "$B" "$ID"
	assert_failure
	run findmnt -n -R "$rootfs"
	assert_failure
	ct_assert_nothing_left
	ct_cfg "$B" '.process.args = ["sleep", "1000"]'
	ct_bg create -b "$B" "$ID"
	run unshare -m --propagation unchanged "$CTRUN" --root "$CT_ROOT" delete --force "$ID"
	assert_failure
	assert_output --regexp "^ctrun: delete: container $ID: the mounts on $rootfs are in mount namespace [0-9]+, not in ours \([0-9]+\): run delete there$"
	findmnt -n "$rootfs" >/dev/null
	ct delete --force "$ID"
	run findmnt -n -R "$rootfs"
	assert_failure
	ct_assert_nothing_left
}

# runtime-tools' linux_cgroups_relative_*: a relative path is runc's own
# cgroup joined with it; on a hybrid host that is the v1 hierarchies' (the
# unified one holds nothing there, and our place in it is its root).
@test "a relative cgroupsPath, or none, lands below ctrun's own cgroup in the memory controller's hierarchy" {
	own=$(ct_own_cgroup)
	ct_bundle "$B" cat /proc/self/cgroup
	ct_cfg "$B" 'del(.linux.cgroupsPath) | del(.linux.namespaces[] | select(.type == "cgroup"))'
	run ct run -b "$B" "$ID"
	assert_success
	assert_line --regexp "^[0-9]+:[^:]*:${own%/}/$ID\$"
	ct_assert_nothing_left
	ct_cfg "$B" ".linux.cgroupsPath = \"$ID/sub\""
	run ct run -b "$B" "$ID"
	assert_success
	if grep -q '^[0-9]*:[^:]*memory' /proc/self/cgroup; then
		assert_line --regexp "^[0-9]+:([^:]*,)?memory(,[^:]*)?:${own%/}/$ID/sub\$"
	else
		assert_line "0::${own%/}/$ID/sub"
	fi
	# the leaf was ctrun's to remove; its parent, made on the way, is not (as with runc)
	[ ! -d "$(ct_cg_dir)/sub" ]
	[ ! -d "$(ct_cg_dir memory)/sub" ]
}

@test "a resource the kernel refuses: one message, cgctl's; the cgroup it made is gone, nothing else tried" {
	ct_bundle "$B" true
	ct_cfg "$B" '.linux.resources.cpu = {cpus: "1000"}'
	run ct run -b "$B" "$ID"
	assert_failure 1
	assert_output --regexp '^ctrun: run: cgctl: .*cpuset\.cpus'
	assert_equal "${#lines[@]}" 1
	ct_assert_nothing_left
}
