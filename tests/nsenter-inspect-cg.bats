#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite --inspect's cgroup and root sections against their oracles:
# the cgroup files and `cgctl --json get` / `cgctl --json stat` for a
# container of the ctutils chain in a cgroup below our own (hybrid here,
# pure v2 in the VM), and `findmnt -N PID` and `ovlmount --show` for a
# container whose root is an overlay mounted in a private mount namespace,
# with relative layers too, as containers/storage mounts long stacks.

load helpers

setup() {
	require_root
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE" "$CGCTL" "$PIVOT" "$OVLMOUNT"
	require_cmd jq findmnt
	T=$(ctu_tmpdir)
	CG=$(ctu_name cg)
}

teardown() {
	if [ -n "${RUNC_ROOT:-}" ]; then
		runc --root "$RUNC_ROOT" delete -f "$CG" >/dev/null 2>&1 || true
	fi
	"$CGCTL" --self delete -r --kill "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

is_v1() {
	findmnt -n -o OPTIONS -t cgroup | grep -qw "$1"
}

# wait_comm PID COMM: until the process runs COMM (the chain has exec'd its program).
wait_comm() {
	local i
	for i in $(seq 100); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	fail "process $1 never ran $2 (comm: $(cat "/proc/$1/comm" 2>/dev/null))"
}

# chain_container CMD...: unshare-lite + pivot on a busybox root, in front of
# CMD (cgctl exec ..., nsenter-lite -t HOLDER -m); its sleep's pid in $PID.
chain_container() {
	local root=$1
	shift
	"$@" "$UNSHARE_LITE" -m -u -i -n -p -f --pidfile "$T/pid" -- \
		"$PIVOT" "$root" --proc --dev -- /bin/sleep 300 >/dev/null 2>"$T/chain.err" 3>&- &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/pid" || fail "the container did not start: $(cat "$T/chain.err")"
	PID=$(cat "$T/pid")
	ctu_cleanup_add pid "$PID"
	wait_comm "$PID" sleep
}

# holder CMDS: a private mount namespace kept by a sleep, after CMDS ran in
# it (bash -e); its pid in $HOLDER.
holder() {
	O=$OVLMOUNT "$UNSHARE_LITE" -m -- bash -ec "$1
		echo \$\$ >'$T/holder'; exec sleep 300" >/dev/null 2>"$T/holder.err" &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/holder" || fail "the mount namespace did not start: $(cat "$T/holder.err")"
	HOLDER=$(cat "$T/holder")
}

inspect() {
	"$NSENTER_LITE" -t "$1" --inspect --json --section "$2"
}

# The lower layers of an overlay's superblock options, top first, one a
# line, read apart from lib/ovl: "lowerdir=A:B" or one lowerdir+= each.
findmnt_lowers() {
	tr ',' '\n' <<<"$1" | sed -n 's/^lowerdir+\{0,1\}=//p' | tr ':' '\n' | sed '/^$/d'
}

# limits_match_cgctl DOC: every limit --inspect shows equals `cgctl --json
# get` of that hierarchy's cgroup, and a null one is a key cgctl cannot read.
limits_match_cgctl() {
	local path key value n=0
	while IFS=$'\t' read -r path key value; do
		n=$((n + 1))
		if [ "$value" = null ]; then
			run -1 "$CGCTL" --json get "$path" "$key"
			continue
		fi
		run "$CGCTL" --json get "$path" "$key"
		assert_success
		# (an empty file, v2's cpuset.cpus unset: cgctl's table cell, null in its JSON)
		[ "$(jq -r '.settings[0].value // ""' <<<"$output")" = "$value" ] ||
			fail "$key of $path: --inspect '$value', cgctl get $output"
	done < <(jq -r '.cgroup[] | .path as $p | .limits | to_entries[] |
		[$p, .key, (.value // "null")] | @tsv' <<<"$1")
	[ "$n" -ge 5 ] || fail "only $n limits in: $1"
}

# lim KEY, dir KEY: a limit's value in $doc, and its cgroup's directory
lim() { jq -r --arg k "$1" '[.cgroup[].limits[$k] // empty] | first' <<<"$doc"; }
dir() { jq -r --arg k "$1" '.cgroup[] | select(.limits | has($k)) | .mount + .path' <<<"$doc"; }

@test "cgroup: per hierarchy, path, limits and usage equal the files and cgctl" {
	local args=(--memory 64M --pids 50 --cpus 0.5 --cpu-weight 200 --cpuset 0)
	is_v1 memory || args+=(--memory-high 48M)
	"$CGCTL" --self create "$CG" "${args[@]}"
	ctu_make_rootfs "$T/root"
	chain_container "$T/root" "$CGCTL" --self exec "$CG" --
	run inspect "$PID" cgroup
	assert_success
	doc=$output
	jq -e '.errors == [] and (.cgroup | type == "array" and length > 0)' <<<"$doc"
	# one entry per hierarchy, its path the line of /proc/PID/cgroup read from outside
	n=0
	while IFS=$'\t' read -r hier mount path; do
		n=$((n + 1))
		want=$(awk -F: -v h="$hier" '(h == "unified" && $1 == "0" && $2 == "") || $2 == h {
			sub(/^[^:]*:[^:]*:/, ""); print}' "/proc/$PID/cgroup")
		[ "$path" = "$want" ] || fail "hierarchy $hier: path '$path', /proc says '$want'"
		findmnt -n "$mount" >/dev/null || fail "hierarchy $hier: $mount is no mount point"
	done < <(jq -r '.cgroup[] | [.hierarchy, .mount, .path] | @tsv' <<<"$doc")
	[ "$n" -gt 0 ]
	[ "$n" -eq "$(jq '.cgroup | length' <<<"$doc")" ]
	# the cgroup made, in every hierarchy holding a controller cgctl set
	jq -e '[.cgroup[] | select(.limits | length > 0) | .path | endswith("/'"$CG"'")] | all' <<<"$doc"
	limits_match_cgctl "$doc"
	# and the values set, from the files themselves
	[ "$(lim memory.max)" = 67108864 ]
	[ "$(lim pids.max)" = 50 ]
	[ "$(lim cpu.max)" = "50000 100000" ]
	[ "$(lim cpu.weight)" = 200 ]
	[ "$(lim cpuset.cpus)" = 0 ]
	[ "$(cat "$(dir pids.max)/pids.max")" = 50 ]
	[ "$(cat "$(dir cpuset.cpus)/cpuset.cpus")" = 0 ]
	if is_v1 memory; then
		[ "$(cat "$(dir memory.max)/memory.limit_in_bytes")" = 67108864 ]
		[ "$(cat "$(dir cpu.max)/cpu.cfs_quota_us") $(cat "$(dir cpu.max)/cpu.cfs_period_us")" = "50000 100000" ]
		[ "$(jq -r '[.cgroup[].limits | select(has("memory.high")) | .["memory.high"]] | first' <<<"$doc")" = null ]
	else
		[ "$(jq -r '.cgroup | length' <<<"$doc")" = 1 ]
		for k in memory.max memory.high pids.max cpu.max cpu.weight cpuset.cpus; do
			[ "$(cat "$(dir $k)/$k")" = "$(lim $k)" ] || fail "$k: file $(cat "$(dir $k)/$k"), --inspect $(lim $k)"
		done
		[ "$(lim memory.high)" = 50331648 ]
	fi
	# usage: the metrics of cgctl stat, each in the hierarchy of its controller
	run "$CGCTL" --self --json stat "$CG"
	assert_success
	stat=$output
	[ "$(jq -c '[.cgroup[].usage | keys[]] | sort' <<<"$doc")" = "$(jq -c '[.stat[].key] | sort' <<<"$stat")" ]
	for k in pids.current populated memory.events.oom_kill; do
		[ "$(jq --arg k "$k" '[.cgroup[].usage[$k] // empty] | first' <<<"$doc")" = \
			"$(jq --arg k "$k" '.stat[] | select(.key == $k) | .value' <<<"$stat")" ] || fail "usage $k differs"
	done
	jq -e '[.cgroup[].usage[] | type == "number"] | all' <<<"$doc"
	[ "$(jq '[.cgroup[].usage["pids.current"] // empty] | first' <<<"$doc")" = \
		"$(cat "$(jq -r '.cgroup[] | select(.usage | has("pids.current")) | .mount + .path' <<<"$doc")/pids.current")" ]
	[ "$(jq '[.cgroup[].usage.populated // empty] | first' <<<"$doc")" = 1 ]
}

@test "cgroup: a runc container's limits equal the files and cgctl's" {
	require_cmd runc
	ctu_make_rootfs "$T/b/rootfs"
	(cd "$T/b" && runc spec) || fail "runc spec failed"
	# a relative cgroupsPath: below runc's own cgroup in each hierarchy, as cgctl --self makes them
	jq --arg cg "$CG" '.process.terminal = false | .process.args = ["sleep", "300"] |
		.linux.cgroupsPath = $cg | .linux.resources.memory = {"limit": 67108864} |
		.linux.resources.pids = {"limit": 20} |
		.linux.resources.cpu = {"quota": 20000, "period": 100000, "shares": 512}' \
		"$T/b/config.json" >"$T/b/config.new" && mv "$T/b/config.new" "$T/b/config.json"
	RUNC_ROOT=$T/runc
	runc --root "$RUNC_ROOT" run -d --bundle "$T/b" --pid-file "$T/runc.pid" "$CG" \
		</dev/null >/dev/null 2>"$T/runc.err" || fail "runc run: $(cat "$T/runc.err")"
	PID=$(cat "$T/runc.pid")
	run inspect "$PID" cgroup
	assert_success
	doc=$output
	jq -e '.errors == [] and ([.cgroup[].path | select(. != null) | endswith("/'"$CG"'")] | all)' <<<"$doc"
	limits_match_cgctl "$doc"
	[ "$(lim memory.max)" = 67108864 ]
	[ "$(lim pids.max)" = 20 ]
	[ "$(lim cpu.max)" = "20000 100000" ]
	[ "$(cat "$(dir pids.max)/pids.max")" = 20 ]
	# cpu.weight: runc's own v2 conversion of 512 shares, or cgctl's of the v1 file: the same file
	if is_v1 cpu; then
		[ "$(cat "$(dir cpu.weight)/cpu.shares")" = 512 ]
	else
		[ "$(cat "$(dir cpu.weight)/cpu.weight")" = "$(lim cpu.weight)" ]
	fi
}

@test "root: a plain root's mount equals findmnt -N, overlay null" {
	ctu_make_rootfs "$T/root"
	chain_container "$T/root"
	run inspect "$PID" root
	assert_success
	doc=$output
	run findmnt -N "$PID" -J -M / -o FSTYPE,SOURCE,OPTIONS,FS-OPTIONS,FSROOT
	assert_success
	# (findmnt shows a bind mount's source as SOURCE[FSROOT])
	jq -e --argjson f "$output" '.root as $r | $f.filesystems[-1] as $m |
		$r.fstype == $m.fstype and $r.options == $m.options and
		($m.source == $r.source or $m.source == $r.source + "[" + $r.fsroot + "]") and
		$r["fs_options"] == $m["fs-options"] and $r.fsroot == $m.fsroot and $r.overlay == null and
		.errors == []' <<<"$doc"
}

@test "root: an ovlmount overlay's layers equal findmnt -N and ovlmount --show" {
	ctu_make_rootfs "$T/base"
	mkdir -p "$T/app/etc" "$T/up" "$T/work" "$T/m"
	echo app >"$T/app/etc/app"
	holder "\$O -l '$T/app' -l '$T/base' -u '$T/up' -w '$T/work' '$T/m'"
	chain_container "$T/m" "$NSENTER_LITE" -t "$HOLDER" -m --
	run inspect "$PID" root
	assert_success
	doc=$output
	jq -e --arg t "$T" '.root | .fstype == "overlay" and .source == "overlay" and
		.overlay == {"lower": [$t + "/app", $t + "/base"], "upper": ($t + "/up"),
		"work": ($t + "/work"), "data_only": []}' <<<"$doc"
	# findmnt reads the same mountinfo: the same type and options, the same layers
	run findmnt -N "$PID" -J -M / -o FSTYPE,OPTIONS,FS-OPTIONS
	assert_success
	f=$output
	jq -e --argjson f "$f" '.root.fstype == $f.filesystems[-1].fstype and
		.root.options == $f.filesystems[-1].options and
		.root.fs_options == $f.filesystems[-1]["fs-options"]' <<<"$doc"
	opts=$(jq -r '.filesystems[-1]["fs-options"]' <<<"$f")
	[ "$(findmnt_lowers "$opts")" = "$(jq -r '.root.overlay.lower[]' <<<"$doc")" ]
	grep -q ",upperdir=$T/up," <<<",$opts,"
	grep -q ",workdir=$T/work," <<<",$opts,"
	# ovlmount --show, in the namespace that mounted it, names the same layers
	run "$NSENTER_LITE" -t "$HOLDER" -m -- "$OVLMOUNT" --show --json "$T/m"
	assert_success
	jq -e --argjson d "$doc" '($d.root.overlay) as $o |
		[.layers[] | select(.layer == "lower") | .path] == $o.lower and
		([.layers[] | select(.layer == "upper") | .path] == [$o.upper]) and
		([.layers[] | select(.layer == "work") | .path] == [$o.work]) and
		[.layers[] | select(.layer == "data") | .path] == $o.data_only' <<<"$output"
	# the container itself sees the stack as its root
	run "$NSENTER_LITE" -t "$PID" -m -r cat /etc/app
	assert_output app
}

@test "root: relative layers, as containers/storage mounts them, shown as the kernel has them" {
	local s=$T/store
	mkdir -p "$s/l" "$s/d1/diff/etc" "$s/c1/diff" "$s/c1/work" "$s/c1/merged"
	ctu_make_rootfs "$s/d2/diff"
	echo top >"$s/d1/diff/etc/layer"
	# containers/storage's short names: l/ID -> ../ID/diff; the mount is made from the driver's home
	ln -s ../d1/diff "$s/l/AAAAAAAAAAAA"
	ln -s ../d2/diff "$s/l/BBBBBBBBBBBB"
	holder "cd '$s'; mount -t overlay overlay -o lowerdir=l/AAAAAAAAAAAA:l/BBBBBBBBBBBB,upperdir=c1/diff,workdir=c1/work '$s/c1/merged'"
	chain_container "$s/c1/merged" "$NSENTER_LITE" -t "$HOLDER" -m --
	run inspect "$PID" root
	assert_success
	doc=$output
	jq -e '.root.overlay == {"lower": ["l/AAAAAAAAAAAA", "l/BBBBBBBBBBBB"], "upper": "c1/diff",
		"work": "c1/work", "data_only": []} and .errors == []' <<<"$doc"
	run findmnt -N "$PID" -J -M / -o FS-OPTIONS
	assert_success
	opts=$(jq -r '.filesystems[-1]["fs-options"]' <<<"$output")
	[ "$(jq -r '.root.fs_options' <<<"$doc")" = "$opts" ]
	[ "$(findmnt_lowers "$opts")" = "$(jq -r '.root.overlay.lower[]' <<<"$doc")" ]
	# ovlmount --show refuses to guess where they are; --inspect shows what the kernel recorded
	run -1 "$NSENTER_LITE" -t "$HOLDER" -m -- "$OVLMOUNT" --show "$s/c1/merged"
	assert_output --partial "the kernel recorded the layer 'l/AAAAAAAAAAAA' relative"
	run "$NSENTER_LITE" -t "$PID" -m -r cat /etc/layer
	assert_output top
}

@test "root: a layer name with a space and invalid UTF-8 is valid JSON, U+FFFD in place" {
	local odd=$T/lay$'\xff'er' 'x
	ctu_make_rootfs "$odd"
	mkdir -p "$T/up" "$T/work" "$T/m"
	holder "\$O -l '$odd' -u '$T/up' -w '$T/work' '$T/m'"
	chain_container "$T/m" "$NSENTER_LITE" -t "$HOLDER" -m --
	run inspect "$PID" root
	assert_success
	jq -e --arg want "$T/lay"$'\xef\xbf\xbd'"er x" '.root.overlay.lower == [$want]' <<<"$output"
	# the table escapes nothing printable and stays one line per field
	run "$NSENTER_LITE" -t "$PID" --inspect --section root
	assert_success
	assert_line --regexp '^fstype +overlay$'
}

@test "cgroup and root of a target that has exited: exit 1, nothing on stdout" {
	sleep 300 &
	pid=$!
	ref=$pid@$(awk '{print $22}' "/proc/$pid/stat")
	kill -KILL "$pid"
	wait "$pid" || true
	run --separate-stderr "$NSENTER_LITE" -t "$ref" --inspect --json --section cgroup,root
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -n "$stderr" ]
}
