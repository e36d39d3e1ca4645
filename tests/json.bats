#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every --json output of every tool, on real objects, checked with jq: each
# key has the JSON type its man page gives it (numbers are numbers, a
# boolean is a boolean, an absent value null, a limit that can be "max" a
# string), no key is missing or undocumented, and each key is named in the
# tool's man page (# JSON OUTPUT).  What each test makes is its own: a
# cgroup below ours, an overlay in a private mount namespace, a veth in a
# netns of this run; all removed at the end.

load helpers

setup() {
	require_root
	require_cmd jq
	T=$(ctu_tmpdir)
	# /run/netns is a mount of its own once `ip netns add` has made it, and it
	# stays (a runtime directory, as ip leaves it): made before the snapshot
	if ! mountpoint -q /run/netns; then
		local warm
		warm=$(ctu_name warm)
		ip netns add "$warm" && ip netns del "$warm"
	fi
	ctu_state_save
}

teardown() {
	# the processes first (ctu_teardown reaps them quietly), then their cgroup
	ctu_teardown
	[ -z "${CG:-}" ] || "$CGCTL" --self delete -r --kill "$CG" >/dev/null 2>&1 || true
}

# json_problems TOP TYPES REQUIRED: the JSON document on stdin is
# {"TOP": [objects]}, the objects' "children" (a tree, as cgctl ls prints it)
# objects too; TYPES maps each key to its allowed jq types
# ({"pid":["number"], "master":["string","null"]}), REQUIRED lists the keys
# every object has; the elements of an array are strings (or null: an empty
# array cell is [null] with libsmartcols 2.38).  One line per problem,
# nothing when all is right.
json_problems() {
	jq -r --arg top "$1" --argjson types "$2" --argjson required "$3" '
		def objs: .[$top][] | recurse(.children[]?);
		if type != "object" or (keys != [$top]) then
			"the top level is not one key \($top): \(tojson | .[0:300])"
		elif (.[$top] | type) != "array" or (.[$top] | length) == 0 then
			".\($top) is not an array of objects: \(.[$top] | tojson | .[0:300])"
		else
			(objs | . as $o | $required[] | select(. as $k | $o | has($k) | not)
				| "no key \(.) in \($o | del(.children) | tojson)"),
			(objs | to_entries[] | (.value | type) as $t
				| select(($types[.key] // []) | any(. == $t) | not)
				| if $types[.key] then
					"\(.key): \(.value | tojson | .[0:100]) is \($t), not \($types[.key] | join(" or "))"
				else
					"\(.key): a key this test does not know (\(.value | tojson | .[0:100]))"
				end),
			(objs | to_entries[] | select(.key != "children" and (.value | type) == "array")
				| .key as $k | .value[] | select(type != "string" and type != "null")
				| "\($k): the element \(tojson) is not a string")
		end'
}

# The text of TOOL's "# JSON OUTPUT" man page section, scdoc escapes gone.
json_section() {
	sed -n '/^# JSON OUTPUT$/,/^# [A-Z]/p' "$CTU_ROOT/$1/$1".[18].scd | sed 's/\\//g'
}

# named_in KEY TEXT: KEY stands in TEXT as a word of its own, whatever the
# markup around it (*pids.max*, "layers", a table cell; "pids" is not named
# by "pids.max"), a full stop after it allowed.
named_in() {
	local re=${1//./\\.}
	grep -qE "(^|[^A-Za-z0-9_.%-])$re\\.?([^A-Za-z0-9_.%-]|\$)" <<<"$2"
}

# check_json TOOL TOP TYPES REQUIRED: $output (of `run`) is a JSON output of
# TOOL with these types (json_problems), and its man page's JSON OUTPUT
# section names every key, TOP too (named_in).  Fails with every problem found.
check_json() {
	local problems section k missing=
	[ "$status" -eq 0 ] || fail "$1 exited $status: $output"
	problems=$(json_problems "$2" "$3" "$4" <<<"$output" 2>&1) || fail "$1: not JSON: $problems: $output"
	# the VM suite (tests/vm) copies no man page sources: the types are
	# checked there, the man pages here
	if compgen -G "$CTU_ROOT/$1/$1.[18].scd" >/dev/null; then
		section=$(json_section "$1")
		for k in $(jq -r '[.. | objects | keys[]] | unique[]' <<<"$output"); do
			named_in "$k" "$section" || missing+=" $k"
		done
		if [ -z "$section" ]; then
			problems+=$'\n'"the man page has no JSON OUTPUT section"
		elif [ -n "$missing" ]; then
			problems+=$'\n'"JSON OUTPUT in the man page does not name:$missing"
		fi
	fi
	problems=${problems#$'\n'}
	[ -z "$problems" ] || fail "$1 --json, .$2:"$'\n'"$problems"
}

# check_json_object TOOL TYPES REQUIRED: as check_json, for an output that is
# one object, not a list (--image-config): its keys typed, none missing or
# unknown, each named in the man page; an object value (labels) is data: its
# values are strings and its keys are not looked for in the man page.
check_json_object() {
	local problems section k missing=
	[ "$status" -eq 0 ] || fail "$1 exited $status: $output"
	jq -e 'type == "object"' <<<"$output" >/dev/null 2>&1 || fail "$1: not one JSON object: $output"
	problems=$(jq '{object: [.]}' <<<"$output" | json_problems object "$2" "$3" 2>&1) ||
		fail "$1: not JSON: $problems: $output"
	problems+=$'\n'$(jq -r 'to_entries[] | select(.value | type == "object") | .key as $k
		| .value | to_entries[] | select(.value | type != "string")
		| "\($k).\(.key): \(.value | tojson) is not a string"' <<<"$output")
	if compgen -G "$CTU_ROOT/$1/$1.[18].scd" >/dev/null; then
		section=$(json_section "$1")
		for k in $(jq -r 'keys[]' <<<"$output"); do
			named_in "$k" "$section" || missing+=" $k"
		done
		[ -z "$missing" ] || problems+=$'\n'"JSON OUTPUT in the man page does not name:$missing"
	fi
	problems=$(sed '/^$/d' <<<"$problems")
	[ -z "$problems" ] || fail "$1 --json, one object:"$'\n'"$problems"
}

@test "cgctl: get, stat, procs, ls, which and top --json are typed" {
	require_tool "$CGCTL"
	CG=$(ctu_name cg)
	G=("$CGCTL" --self)
	"${G[@]}" create "$CG" --memory 64M --pids 32
	# pids.max there (on pure v2 the controller must be enabled for it): "max"
	"${G[@]}" create "$CG/free" --pids max
	sleep 1000 >/dev/null 2>&1 3>&- &
	pid=$!
	ctu_cleanup_add pid $pid
	"${G[@]}" attach "$CG" "$pid"

	run "${G[@]}" get "$CG" --json
	check_json cgctl settings '{"key":["string"],"value":["string"]}' '["key","value"]'
	# a setting is the interface file's text: "max" or a number, a string
	jq -e '.settings[] | select(.key == "memory.max") | .value == "67108864"' <<<"$output"

	run "${G[@]}" stat "$CG" --json
	check_json cgctl stat '{"key":["string"],"value":["number"]}' '["key","value"]'
	# the issue's own example: a count compared as a number
	jq -e '.stat[] | select(.key == "pids.current") | .value >= 1' <<<"$output"
	jq -e '.stat[] | select(.key == "populated") | .value == 1' <<<"$output"

	run "${G[@]}" procs "$CG" --json
	check_json cgctl processes '{"pid":["number"],"comm":["string"],"cgroup":["string"]}' \
		'["pid","comm","cgroup"]'
	jq -e --argjson pid "$pid" '.processes | any(.pid == $pid)' <<<"$output"

	run "${G[@]}" ls "$CG" --json
	check_json cgctl cgroups '{"path":["string"],"procs":["number"],
		"memory.current":["number","null"],"memory.max":["string","null"],
		"pids.current":["number","null"],"pids.max":["string","null"],
		"cpu.max":["string","null"],"children":["array"]}' \
		'["path","procs","memory.current","memory.max","pids.current","pids.max","cpu.max"]'
	# a limit is a string, "max" included
	jq -e '.cgroups[0]["pids.max"] == "32" and .cgroups[0].procs == 1' <<<"$output"
	jq -e '.cgroups[0].children[0]["pids.max"] == "max"' <<<"$output"

	run "${G[@]}" which "$pid" --json
	check_json cgctl cgroups '{"hierarchy":["string"],"controllers":["string"],"cgroup":["string"]}' \
		'["hierarchy","controllers","cgroup"]'

	run "${G[@]}" top -b -n 1 -d 200ms "$CG" --json
	check_json cgctl top '{"cgroup":["string"],"cpu%":["number"],"memory":["number","null"],
		"pids":["number","null"]}' '["cgroup","cpu%","memory","pids"]'
	jq -e '.top | any(.pids == 1)' <<<"$output"

	kill "$pid"
	wait "$pid" 2>/dev/null || true
	"${G[@]}" delete -r "$CG"
	CG=
	assert_state_unchanged
}

@test "vethctl: cni ls --json is typed, for a live attachment and a stale one" {
	require_kernel_feature netns
	require_tool "$VETHCTL" "$UNSHARE_LITE"
	local c1 c2 i
	mkdir -p "$T/bin" "$T/net.d"
	# a plugin that answers VERSION and ADD with what a bridge plugin would
	cat >"$T/bin/ctu-fake" <<-'EOF'
		#!/bin/sh
		cat >/dev/null
		case $CNI_COMMAND in
		VERSION) printf '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}' ;;
		ADD) printf '{"cniVersion":"1.0.0","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"address":"10.9.0.2/24","interface":0}]}' "$CNI_IFNAME" "$CNI_NETNS" ;;
		esac
	EOF
	chmod +x "$T/bin/ctu-fake"
	printf '{"cniVersion":"1.0.0","name":"jnet","plugins":[{"type":"ctu-fake"}]}' >"$T/net.d/j.conflist"
	for i in 1 2; do
		"$UNSHARE_LITE" -n --pidfile "$T/c$i.pid" sleep 1000 >/dev/null 2>&1 3>&- &
		ctu_cleanup_add pid $!
		ctu_wait_for_file "$T/c$i.pid" || fail "container $i did not start"
		"$VETHCTL" cni add "$T/net.d/j.conflist" "$(cat "$T/c$i.pid")" --path "$T/bin" --cache-dir "$T/cache" >/dev/null ||
			fail "cni add $i failed"
	done
	c2=$(cat "$T/c2.pid")
	kill "$c2"
	while kill -0 "$c2" 2>/dev/null; do sleep 0.1; done

	types='{"network":["string"],"container":["string"],"ifname":["string"],"netns":["string"],
		"addresses":["array"],"stale":["boolean"]}'
	required='["network","container","ifname","netns","addresses","stale"]'
	run "$VETHCTL" cni ls --json --cache-dir "$T/cache"
	check_json vethctl attachments "$types" "$required"
	c1=$(cat "$T/c1.pid")
	jq -e --arg n "/proc/$c1/ns/net" '.attachments[] | select(.netns == $n) | .stale == false and .addresses == ["10.9.0.2/24"] and .network == "jnet"' <<<"$output"
	jq -e --arg n "/proc/$c2/ns/net" '.attachments[] | select(.netns == $n) | .stale == true' <<<"$output"
}

@test "vethctl: ls --json is typed, for a bridge, a veth pair and a peer in another netns" {
	require_kernel_feature netns veth bridge
	require_tool "$VETHCTL" "$UNSHARE_LITE"
	H=$(ctu_name h)
	ip netns add "$H"
	ctu_cleanup_add netns "$H"
	"$UNSHARE_LITE" -n --pidfile "$T/c.pid" sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/c.pid" || fail "the container did not start"
	V=("$VETHCTL" --netns "$H")
	"${V[@]}" bridge add br0 --addr 10.9.0.1/24
	"${V[@]}" add l1 --peer l1p --bridge br0 --addr 10.9.0.5/24 --mtu 1400
	"${V[@]}" connect "$(cat "$T/c.pid")" --bridge br0 --addr 10.9.0.2/24 --host-name hc

	types='{"name":["string"],"ifindex":["number"],"type":["string"],"state":["string"],
		"mtu":["number"],"master":["string","null"],"peer":["string","null"],
		"peer_ifindex":["number","null"],"peer_netnsid":["number","null"],
		"peer_netns":["string","null"],"addresses":["array","null"]}'
	required='["name","type","state","mtu","master","peer","addresses"]'
	run "${V[@]}" ls --json
	check_json vethctl interfaces "$types" "$required"
	jq -e '.interfaces[] | select(.name == "l1") | .mtu == 1400 and .master == "br0" and .peer == "l1p"' <<<"$output"
	jq -e '.interfaces[] | select(.name == "br0") | any(.addresses[]; . == "10.9.0.1/24")' <<<"$output"
	run "${V[@]}" ls --all --json
	check_json vethctl interfaces "$types" "$required"
	jq -e '.interfaces | any(.name == "lo" and .type == "loopback")' <<<"$output"
	# and inside the container: its end, whose peer is in the host netns
	run "$VETHCTL" --netns "$(cat "$T/c.pid")" ls --json
	check_json vethctl interfaces "$types" "$required"

	ip netns del "$H"
	assert_state_unchanged
}

@test "ovlmount: --show and --diff --json are typed" {
	require_kernel_feature mountns overlay
	require_tool "$OVLMOUNT" "$UNSHARE_LITE"
	mkdir -p "$T"/{l1,l2,up,m,m2}
	echo a >"$T/l2/file"
	echo b >"$T/l2/gone"
	# in a private mount namespace: nothing to unmount afterwards
	run "$UNSHARE_LITE" -m -- bash -ec "
		'$OVLMOUNT' -l '$T/l1' -l '$T/l2' -u '$T/up' '$T/m'
		echo new >'$T/m/new'; echo changed >>'$T/m/file'; rm '$T/m/gone'
		'$OVLMOUNT' --show --json '$T/m' >'$T/show.json'
		'$OVLMOUNT' --diff --json '$T/m' >'$T/diff.json'
		'$OVLMOUNT' -l '$T/l2' --tmpfs-upper '$T/m2'
		'$OVLMOUNT' --show --json '$T/m2' >'$T/show-tmpfs.json'
		'$OVLMOUNT' --umount '$T/m2'"
	assert_success
	layers='{"layer":["string"],"index":["number","null"],"path":["string","null"]}'
	output=$(cat "$T/show.json")
	check_json ovlmount layers "$layers" '["layer","index","path"]'
	jq -e '[.layers[] | select(.layer == "lower") | .index] == [1, 2]' <<<"$output"
	jq -e '.layers[] | select(.layer == "upper") | .index == null' <<<"$output"
	output=$(cat "$T/show-tmpfs.json")
	check_json ovlmount layers "$layers" '["layer","index","path"]'
	output=$(cat "$T/diff.json")
	check_json ovlmount changes '{"change":["string"],"path":["string"]}' '["change","path"]'
	jq -e '[.changes[] | .change + " " + .path] | index("A /new") != null and index("D /gone") != null' <<<"$output"
	assert_state_unchanged
}

# json_image DIR: a real image, made by umoci: one layer (a file, a
# directory) and a config that sets every key --image-config prints, as
# oci:DIR/oci:full; oci:DIR/oci:bare is the same layer with umoci's defaults.
json_image() {
	umoci init --layout "$1/oci"
	umoci new --image "$1/oci:base"
	umoci unpack --image "$1/oci:base" "$1/bundle" >/dev/null
	mkdir -p "$1/bundle/rootfs/etc" "$1/bundle/rootfs/srv"
	echo json >"$1/bundle/rootfs/etc/hostname"
	umoci repack --image "$1/oci:bare" "$1/bundle"
	rm -rf "$1/bundle"
	umoci config --image "$1/oci:bare" --tag full --config.entrypoint /bin/sh \
		--config.cmd -c --config.cmd 'echo hi' --config.env A=1 --config.env 'B=two words' \
		--config.workingdir /srv --config.user 1000:2000 --config.exposedports 80/tcp \
		--config.volume /data --config.label a=b --config.label 'c=d e' --config.stopsignal SIGTERM
}

@test "ovlmount: --image-config, --store-ls and --store-ls --images --json are typed, with a live lease and empty" {
	require_kernel_feature mountns overlay
	require_tool "$OVLMOUNT" "$UNSHARE_LITE"
	require_cmd umoci
	json_image "$T"
	S=$T/store
	mkdir -p "$T/m" "$T/up" "$T/work"

	config='{"source":["string"],"manifest":["string"],"config":["string"],"platform":["string"],
		"created":["string"],"entrypoint":["array"],"cmd":["array"],"argv":["array"],"env":["array"],
		"working_dir":["string"],"user":["string"],"uid":["number","null"],"gid":["number","null"],
		"exposed_ports":["array"],"volumes":["array"],"labels":["object"],"stop_signal":["string"]}'
	run "$OVLMOUNT" --image-config "oci:$T/oci:full" -J
	check_json_object ovlmount "$config" "$(jq -c keys <<<"$config")"
	jq -e --arg s "oci:$T/oci:full" '.source == $s and .uid == 1000 and .gid == 2000
		and .argv == ["/bin/sh", "-c", "echo hi"] and .labels == {"a": "b", "c": "d e"}
		and (.manifest, .config | test("^sha256:[0-9a-f]{64}$"))' <<<"$output"
	# every value absent: [], "", {}, null, working_dir "/"
	run "$OVLMOUNT" --image-config "oci:$T/oci:bare" --json
	check_json_object ovlmount "$config" "$(jq -c keys <<<"$config")"
	jq -e '.uid == null and .gid == null and .labels == {} and .env == [] and .working_dir == "/"' <<<"$output"

	# pulled into the store and mounted in a private mount namespace: while
	# the mount lives, its lease names it in "mounts"
	run "$UNSHARE_LITE" -m -- bash -ec "
		'$OVLMOUNT' --store '$S' -q --image 'oci:$T/oci:full' -u '$T/up' -w '$T/work' '$T/m'
		'$OVLMOUNT' --store '$S' --store-ls -J >'$T/ls.json'
		'$OVLMOUNT' --store '$S' --store-ls --images --json >'$T/images.json'
		'$OVLMOUNT' --show -J '$T/m' >'$T/show.json'"
	assert_success
	output=$(cat "$T/ls.json")
	check_json ovlmount layers '{"layer":["string"],"diff_id":["string"],"size":["number"],
		"files":["number"],"images":["array"],"mounts":["array"],"unpacked":["string"],
		"last_used":["string"]}' '["layer","diff_id","size","files","images","mounts","unpacked","last_used"]'
	jq -e --arg m "$T/m" --arg s "oci:$T/oci:full" '.layers | length == 1 and .[0].mounts == [$m]
		and .[0].images == [$s] and (.[0].layer, .[0].diff_id | test("^sha256:[0-9a-f]{64}$"))
		and (.[0].unpacked, .[0].last_used | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' <<<"$output"
	output=$(cat "$T/images.json")
	check_json ovlmount images '{"manifest":["string"],"config":["string"],"platform":["string"],
		"sources":["array"],"layers":["array"],"pulled":["string"],"size":["number"],
		"last_used":["string"]}' '["manifest","config","platform","sources","layers","pulled","size","last_used"]'
	jq -e --arg s "oci:$T/oci:full" '.images | length == 1 and .[0].sources == [$s]
		and (.[0].layers | length == 1) and .[0].size > 0' <<<"$output"
	output=$(cat "$T/show.json")
	check_json ovlmount layers '{"layer":["string"],"index":["number","null"],"path":["string","null"]}' \
		'["layer","index","path"]'
	# the namespace is gone: no live mount; then nothing stored, empty lists
	run "$OVLMOUNT" --store "$S" --store-ls -J
	assert_success
	jq -e '.layers[0].mounts == []' <<<"$output"
	run "$OVLMOUNT" --store "$S" -q --store-rm "oci:$T/oci:full"
	assert_success
	run "$OVLMOUNT" --store "$S" -q --store-prune
	assert_success
	run "$OVLMOUNT" --store "$S" --store-ls -J
	assert_success
	jq -e '. == {"layers": []}' <<<"$output"
	run "$OVLMOUNT" --store "$S" --store-ls --images -J
	assert_success
	jq -e '. == {"images": []}' <<<"$output"
	assert_state_unchanged
}

@test "unshare-lite: --info-fd's JSON is typed: pid and namespace inodes are numbers" {
	require_kernel_feature utsns
	require_tool "$UNSHARE_LITE"
	run "$UNSHARE_LITE" -u --info-fd 3 true 3>"$T/info.json"
	assert_success
	run jq -e '(keys == ["ns", "pid"]) and (.pid | type) == "number"
		and (.ns | length > 0 and all(.[]; type == "number"))' "$T/info.json"
	[ "$status" -eq 0 ] || fail "--info-fd: $(cat "$T/info.json")"
	[ "$(jq .ns.uts "$T/info.json")" != "$(stat -L -c %i /proc/self/ns/uts)" ]
	assert_state_unchanged
}

@test "nsenter-lite: --containers --json is typed; every key of --inspect --json is named in the man page" {
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE"
	local section k missing=
	mkdir -p "$T/state"
	"$UNSHARE_LITE" -m -u -i -n -p -f --pidfile "$T/state/box.pid" sleep 1000 </dev/null >/dev/null 2>&1 &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/state/box.pid"
	ctu_cleanup_add pid "$(cat "$T/state/box.pid")"
	# one dead container too: its pidref is still known, its status exited
	echo "$((2 ** 22 + 1))@5" >"$T/state/gone.pid"
	run "$NSENTER_LITE" --state-root ctutils="$T/state" --containers --json
	check_json nsenter-lite containers '{"source":["string"],"id":["string"],"pid":["number"],
		"pidref":["string","null"],"status":["string"]}' '["source","id","pid","pidref","status"]'
	jq -e '[.containers[] | .status] | sort == ["exited", "running"]' <<<"$output"
	run "$NSENTER_LITE" --state-root ctutils="$T/state" --container box --inspect --json
	assert_success
	section=$(json_section nsenter-lite)
	[ -n "$section" ] || fail "the man page has no JSON OUTPUT section"
	for k in $(jq -r '[paths | map(select(type == "string")) | last | values] | unique[]' <<<"$output"); do
		named_in "$k" "$section" || missing+=" $k"
	done
	[ -z "$missing" ] || fail "JSON OUTPUT in the man page does not name:$missing"
}
