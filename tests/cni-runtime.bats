#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vethctl cni add|check|del|gc|status|ls: the runtime side of CNI (a
# cnitool).  Two kinds of test:
#
#  - the runtime's own rules (conflists found by name, version negotiation,
#    each plugin's config, the cache, the DEL of a failed chain, gc, ls)
#    with a fake plugin that logs what it is given and answers as its config
#    says; the "containers" are sleeping processes of our own namespace
#    (NS = their PID, /proc/PID/ns/net), so no namespace is made;
#  - the chain runner of the spec with Debian's containernetworking-plugins:
#    bridge + host-local, tuning, bandwidth, firewall, portmap, in a "host"
#    H and a container C, named netns of this run.

load helpers

: "${CNI_PLUGINS:=/usr/lib/cni}"

setup() {
	require_tool "$VETHCTL"
	require_cmd jq
	T=$(ctu_tmpdir)
	BIN=$T/bin
	NETD=$T/net.d
	CACHE=$T/cache
	mkdir -p "$BIN" "$NETD"
	fake_plugins a b c
	export FAKE_LOG=$T/log
	: >"$FAKE_LOG"
	# the options every fake-plugin test gives
	O=(--path "$BIN" --conf-dir "$NETD" --cache-dir "$CACHE")
}

# fake_plugins NAME...: plugins NAME in $BIN.  Each logs one line per call
# ("NAME COMMAND cid=.. netns=.. if=.. args=..", "unset" for a variable not
# set) to $FAKE_LOG and its stdin to $FAKE_LOG.NAME.COMMAND; VERSION
# answers $FAKE_VERSIONS (a JSON array); the command named by its config's
# "failOn" fails with code 999, "MSG", "DETAILS"; ADD adds {name: NAME} to
# the interfaces of prevResult (or of a new result with one address).
fake_plugins() {
	local p
	cat >"$BIN/fake" <<-'EOF'
		#!/bin/bash
		me=${0##*/}
		conf=$(cat)
		log=${FAKE_LOG:-/dev/null}
		echo "$me $CNI_COMMAND cid=${CNI_CONTAINERID-unset} netns=${CNI_NETNS-unset} if=${CNI_IFNAME-unset} args=${CNI_ARGS-unset}" >>"$log"
		printf '%s\n' "$conf" >"$log.$me.$CNI_COMMAND"
		if [ "$CNI_COMMAND" = VERSION ]; then
			echo "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":${FAKE_VERSIONS:-[\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}}"
			exit 0
		fi
		if [ "$(jq -r '.failOn // ""' <<<"$conf")" = "$CNI_COMMAND" ]; then
			echo '{"cniVersion":"1.0.0","code":999,"msg":"MSG","details":"DETAILS"}'
			exit 1
		fi
		if [ "$CNI_COMMAND" = ADD ]; then
			jq -c --arg me "$me" '(.prevResult // {cniVersion: .cniVersion, interfaces: [], ips: [{address: "10.1.2.3/24"}], dns: {}})
				| .interfaces += [{name: $me}]' <<<"$conf"
		fi
		exit 0
	EOF
	chmod +x "$BIN/fake"
	for p in "$@"; do ln -sf fake "$BIN/$p"; done
}

# conflist FILE JSON: a conflist in $NETD
conflist() {
	printf '%s\n' "$2" >"$NETD/$1"
}

# sleeper: a process whose network namespace (ours) stands for a container;
# its PID in $SLEEPER
sleeper() {
	sleep 600 >/dev/null 2>&1 3>&- &
	SLEEPER=$!
	ctu_cleanup_add pid "$SLEEPER"
}

# cnitool's container ID of a namespace path, with our prefix
cid_of() {
	printf 'ctutils-%s\n' "$(printf '%s' "$1" | sha512sum | cut -c1-20)"
}

# calls: the log without the VERSION lines, one call per line
calls() {
	grep -v ' VERSION ' "$FAKE_LOG" || true
}

abc='{"cniVersion":"1.0.0","name":"tnet","plugins":[
	{"type":"a","capabilities":{"portMappings":true,"bandwidth":false}},
	{"type":"b","keep":{"x":1}},
	{"type":"c"}]}'

# ---- the command line ---------------------------------------------------------

@test "cni --help, and each subcommand's --help, print the usage and exit 0" {
	run "$VETHCTL" cni --help
	assert_success
	assert_output --partial "vethctl cni add|check|del <net> <ns>"
	assert_output --partial "--cap-args"
	for sub in add check del gc status ls; do
		run "$VETHCTL" cni "$sub" --help
		assert_success
		assert_output --partial "vethctl cni ls"
	done
}

@test "cni usage errors exit 2 and say what is wrong" {
	sleeper
	conflist 10-t.conflist "$abc"
	local -a rows=(
		"cni|cni: expected add, check, del, gc, status or ls"
		"cni frob|cni: unknown subcommand 'frob'"
		"cni add|cni add: expected NET NS"
		"cni add tnet|cni add: expected NET NS"
		"cni add tnet $SLEEPER extra|cni add: unexpected argument 'extra'"
		"cni gc|cni gc: expected NET"
		"cni ls extra|cni ls: unexpected argument 'extra'"
		"cni add tnet $SLEEPER --bogus|cni add: unknown option '--bogus'"
		"cni add tnet $SLEEPER --ifname a/b|invalid interface name 'a/b'"
		"cni add tnet $SLEEPER --ifname 0123456789abcdef|longer than 15 bytes"
		"cni add tnet $SLEEPER --id ../x|cni add: invalid container ID '../x'"
		"cni add tnet $SLEEPER --args A|cni add: invalid --args pair 'A'"
		"cni add tnet $SLEEPER --args A=1;=2|cni add: invalid --args pair '=2'"
		"cni add tnet $SLEEPER --cap-args [1]|cni add: invalid --cap-args: not a JSON object"
		"cni add tnet $SLEEPER --cap-args {|cni add: invalid --cap-args"
		"cni gc tnet --ifname eth1|cni gc: --ifname, --id, --args and --cap-args are for add, check and del"
		"cni status tnet --id x|cni status: --ifname, --id, --args and --cap-args are for add, check and del"
	)
	local row cmd want
	for row in "${rows[@]}"; do
		cmd=${row%%|*} want=${row#*|}
		# shellcheck disable=SC2086 # the row's words
		run "$VETHCTL" $cmd "${O[@]}"
		[ "$status" -eq 2 ] || fail "'$cmd': status $status, not 2: $output"
		assert_output --partial "$want"
		assert_output --partial "Try 'vethctl cni --help'"
	done
	run "$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" --cache-dir=
	assert_failure 2
	assert_output --partial "cni add: --path, --conf-dir and --cache-dir take a directory"
	[ ! -e "$CACHE" ] || fail "a usage error made the cache"
	[ -z "$(calls)" ] || fail "a usage error ran a plugin: $(calls)"
}

@test "cni add needs CAP_NET_ADMIN; cni ls does not" {
	require_root
	sleeper
	conflist 10-t.conflist "$abc"
	run run_unprivileged "$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output --partial "cni needs CAP_NET_ADMIN"
	# no cache yet: an empty listing
	run run_unprivileged "$VETHCTL" cni ls --cache-dir "$T/nocache"
	assert_success
	assert_output ""
	run run_unprivileged "$VETHCTL" cni ls --json --cache-dir "$T/nocache"
	assert_success
	[ "$(jq -c . <<<"$output")" = '{"attachments":[]}' ]
}

# ---- add, and each plugin's config ----------------------------------------------

@test "cni add runs the chain as libcni: cniVersion and name inserted, runtimeConfig for the declared capabilities, prevResult chained, other keys kept" {
	sleeper
	conflist 10-t.conflist "$abc"
	run "$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" --args 'K8S_POD_NAME=p;IgnoreUnknown=1' \
		--cap-args '{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"bandwidth":{"ingressRate":1},"other":1}'
	assert_success
	local ns=/proc/$SLEEPER/ns/net cid
	cid=$(cid_of "$ns")
	# the result of the last plugin, printed
	[ "$(jq -c '[.interfaces[].name]' <<<"$output")" = '["a","b","c"]' ] || fail "result: $output"
	# every plugin had the attachment's environment, in order
	diff <(calls) - <<-EOF
		a ADD cid=$cid netns=$ns if=eth0 args=K8S_POD_NAME=p;IgnoreUnknown=1
		b ADD cid=$cid netns=$ns if=eth0 args=K8S_POD_NAME=p;IgnoreUnknown=1
		c ADD cid=$cid netns=$ns if=eth0 args=K8S_POD_NAME=p;IgnoreUnknown=1
	EOF
	# a: capabilities replaced by runtimeConfig (declared and true, and given)
	run jq -cS . "$FAKE_LOG.a.ADD"
	assert_output '{"cniVersion":"1.0.0","name":"tnet","runtimeConfig":{"portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}]},"type":"a"}'
	# b: a's result as prevResult, its own keys kept
	run jq -cS . "$FAKE_LOG.b.ADD"
	assert_output '{"cniVersion":"1.0.0","keep":{"x":1},"name":"tnet","prevResult":{"cniVersion":"1.0.0","dns":{},"interfaces":[{"name":"a"}],"ips":[{"address":"10.1.2.3/24"}]},"type":"b"}'
	# VERSION was asked of each, with libcni's stand-in environment
	grep -q "^a VERSION cid=unset netns=dummy if=dummy args=unset$" "$FAKE_LOG"
}

@test "cni add keeps the result in libcni's cache layout, plus netns and netnsInode" {
	sleeper
	conflist 10-t.conflist "$abc"
	run "$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" --ifname net1 --args 'A=1;B=2' --cap-args '{"portMappings":[]}'
	assert_success
	local ns=/proc/$SLEEPER/ns/net cid f
	cid=$(cid_of "$ns")
	f=$CACHE/results/tnet-$cid-net1.json
	[ -f "$f" ] || fail "no cache file $f: $(ls -R "$CACHE")"
	[ "$(stat -c %a "$CACHE/results")" = 700 ]
	run jq -c '[.kind, .containerId, .ifName, .networkName, .netns, .netnsInode, .cniArgs, .capabilityArgs]' "$f"
	assert_output "[\"cniCacheV1\",\"$cid\",\"net1\",\"tnet\",\"$ns\",$(stat -L -c %i "$ns"),[[\"A\",\"1\"],[\"B\",\"2\"]],{\"portMappings\":[]}]"
	# the config, base64 as Go writes a []byte: the conflist
	run bash -c "jq -r .config '$f' | base64 -d | jq -cS ."
	assert_output "$(jq -cS . <<<"$abc")"
	run jq -c '.result.interfaces | map(.name)' "$f"
	assert_output '["a","b","c"]'
	# no temporary file left beside it
	[ "$(ls "$CACHE/results")" = "tnet-$cid-net1.json" ]
}

@test "cni add of an attachment that is cached already: 1, and no plugin runs" {
	sleeper
	conflist 10-t.conflist "$abc"
	"$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" >/dev/null
	: >"$FAKE_LOG"
	run "$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output --partial "vethctl: cni add: network tnet: $(cid_of "/proc/$SLEEPER/ns/net") eth0 is added already"
	[ -z "$(calls)" ] || fail "plugins ran: $(calls)"
	# another interface is another attachment
	run "$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" --ifname eth1 --id other
	assert_success
}

@test "cni add: a plugin failing in the middle: the chain's DEL, last first, then 1 with its code, msg and details; nothing cached" {
	sleeper
	conflist 10-f.conflist '{"cniVersion":"1.0.0","name":"fnet","plugins":[{"type":"a"},{"type":"b","failOn":"ADD"},{"type":"c"}]}'
	run "$VETHCTL" cni add fnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni add: plugin b: code 999: MSG: DETAILS"
	run calls
	assert_output --regexp '^a ADD .*
b ADD .*
c DEL .*
b DEL .*
a DEL .*$'
	# the DEL had what the chain had made so far
	[ "$(jq -c '.prevResult.interfaces' "$FAKE_LOG.c.DEL")" = '[{"name":"a"}]' ]
	[ -z "$(ls "$CACHE/results" 2>/dev/null)" ] || fail "cached: $(ls "$CACHE/results")"
}

# plugin NAME SCRIPT: a plugin of a few lines in $BIN (VERSION answered for it)
plugin() {
	printf '#!/bin/bash\nif [ "$CNI_COMMAND" = VERSION ]; then echo '"'"'{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}'"'"'; exit 0; fi\n%s\n' "$2" >"$BIN/$1"
	chmod +x "$BIN/$1"
}

@test "cni add: plugin I/O: a 3 MiB config to a plugin that writes 1 MiB first (no deadlock); garbage, nothing or a signal: the plugin and its status named" {
	sleeper
	plugin early '[ "$CNI_COMMAND" = ADD ] || exit 0; head -c 1048576 /dev/zero | tr "\0" " "; echo "{\"cniVersion\":\"1.0.0\",\"got\":$(wc -c)}"'
	plugin garbage '[ "$CNI_COMMAND" = ADD ] || exit 0; cat >/dev/null; echo "not JSON"; exit 3'
	plugin silent '[ "$CNI_COMMAND" = ADD ] || exit 0; exit 4'
	plugin killed '[ "$CNI_COMMAND" = ADD ] || exit 0; kill -KILL $$'
	plugin huge '[ "$CNI_COMMAND" = ADD ] || exit 0; head -c 5000000 /dev/zero | tr "\0" " "'
	local big
	big=$(head -c 3145728 /dev/zero | tr '\0' x)
	printf '{"cniVersion":"1.0.0","name":"io","plugins":[{"type":"early","pad":"%s"}]}\n' "$big" >"$NETD/io.conflist"
	run "$VETHCTL" cni add io "$SLEEPER" "${O[@]}"
	assert_success
	[ "$(jq -r .got <<<"$output")" -gt 3145728 ] || fail "the plugin did not get all of stdin: $output"
	"$VETHCTL" cni del io "$SLEEPER" "${O[@]}"
	local row p want
	for row in "garbage|exited with status 3 and printed no CNI error" "silent|exited with status 4 and printed nothing" \
		"killed|killed by signal 9" "huge|printed more than 4 MiB (killed)"; do
		p=${row%%|*} want=${row#*|}
		conflist io.conflist "{\"cniVersion\":\"1.0.0\",\"name\":\"io\",\"plugins\":[{\"type\":\"$p\"}]}"
		run "$VETHCTL" cni add io "$SLEEPER" "${O[@]}"
		assert_failure 1
		assert_output --partial "vethctl: cni add: plugin $p: code 999: $want"
	done
	[ -z "$(ls "$CACHE/results")" ] || fail "cached: $(ls "$CACHE/results")"
}

@test "cni: a plugin gets fds 0, 1 and 2 only (stderr ours)" {
	sleeper
	plugin fds "exec $CTU_HELPERS/list-fds >&2"
	conflist fd.conflist '{"cniVersion":"1.0.0","name":"fdnet","plugins":[{"type":"fds"}]}'
	run run_clean_fds "$VETHCTL" cni del fdnet "$SLEEPER" "${O[@]}"
	assert_success
	assert_output "0 1 2"
}

@test "cni add: a plugin type with a '/', or one nowhere on --path: 1, nothing run" {
	sleeper
	conflist 10-s.conflist '{"cniVersion":"1.0.0","name":"snet","plugins":[{"type":"a"},{"type":"../bin/b"}]}'
	run "$VETHCTL" cni add snet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output --partial "plugin ../bin/b: a plugin type is a name, not a path"
	conflist 10-s.conflist '{"cniVersion":"1.0.0","name":"snet","plugins":[{"type":"a"},{"type":"nosuch"}]}'
	run "$VETHCTL" cni add snet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output --partial "plugin nosuch: not found in $BIN"
	[ -z "$(calls)" ] || fail "plugins ran: $(calls)"
}

@test "cni: NET is a file, or a name in --conf-dir or NETCONFPATH: .conflist files first, a .conf wrapped into a list; plugins along --path or CNI_PATH" {
	sleeper
	conflist 50-one.conf '{"cniVersion":"1.0.0","name":"one","type":"a","x":2}'
	conflist 60-dup.conf '{"cniVersion":"1.0.0","name":"dup","type":"a"}'
	conflist 70-dup.conflist '{"cniVersion":"1.0.0","name":"dup","plugins":[{"type":"b"}]}'
	run "$VETHCTL" cni add one "$SLEEPER" "${O[@]}"
	assert_success
	run jq -cS . "$FAKE_LOG.a.ADD"
	assert_output '{"cniVersion":"1.0.0","name":"one","type":"a","x":2}'
	: >"$FAKE_LOG"
	NETCONFPATH=$NETD CNI_PATH=$BIN run "$VETHCTL" cni add dup "$SLEEPER" --cache-dir "$CACHE"
	assert_success
	[ "$(calls | cut -d' ' -f1-2)" = "b ADD" ] || fail "not the .conflist: $(calls)"
	: >"$FAKE_LOG"
	run "$VETHCTL" cni add "$NETD/60-dup.conf" "$SLEEPER" "${O[@]}" --ifname eth1
	assert_success
	[ "$(calls | cut -d' ' -f1-2)" = "a ADD" ] || fail "not the file: $(calls)"
	run "$VETHCTL" cni add nosuch "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni add: no network 'nosuch' in $NETD"
	conflist 80-bad.conflist '{"cniVersion":"1.0.0","name":"bad/name","plugins":[{"type":"a"}]}'
	run "$VETHCTL" cni add "$NETD/80-bad.conflist" "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output --partial "invalid network name 'bad/name'"
}

# ---- versions ------------------------------------------------------------------

@test "cni: the version is the newest of cniVersion and cniVersions that every plugin lists" {
	sleeper
	conflist 10-v.conflist '{"cniVersion":"0.4.0","cniVersions":["1.1.0","1.0.0","9.9.9"],"name":"vnet","plugins":[{"type":"a"},{"type":"b"}]}'
	FAKE_VERSIONS='["0.4.0","1.0.0"]' run "$VETHCTL" cni add vnet "$SLEEPER" "${O[@]}"
	assert_success
	[ "$(jq -r .cniVersion "$FAKE_LOG.b.ADD")" = 1.0.0 ]
	"$VETHCTL" cni del vnet "$SLEEPER" "${O[@]}"
	"$VETHCTL" cni add vnet "$SLEEPER" "${O[@]}" >/dev/null
	[ "$(jq -r .cniVersion "$FAKE_LOG.b.ADD")" = 1.1.0 ]
}

@test "cni: no version every plugin speaks: 1, naming the plugin, and nothing run" {
	sleeper
	conflist 10-v.conflist '{"cniVersion":"1.1.0","name":"vnet","plugins":[{"type":"a"},{"type":"b"}]}'
	FAKE_VERSIONS='["0.3.1","1.0.0"]' run "$VETHCTL" cni add vnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni add: plugin a supports none of network vnet's CNI versions (1.1.0): it supports 0.3.1, 1.0.0"
	[ -z "$(calls)" ] || fail "plugins ran: $(calls)"
	[ -z "$(ls "$CACHE/results" 2>/dev/null)" ]
}

@test "cni: Debian's plugins (1.0.0 and older) refuse a 1.1.0-only list: 1, naming bridge" {
	sleeper
	[ -x "$CNI_PLUGINS/bridge" ] || ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
	conflist 10-d.conflist '{"cniVersion":"1.1.0","name":"dnet","plugins":[{"type":"bridge"},{"type":"portmap"}]}'
	run "$VETHCTL" cni add dnet "$SLEEPER" --path "$CNI_PLUGINS" --conf-dir "$NETD" --cache-dir "$CACHE"
	assert_failure 1
	assert_output "vethctl: cni add: plugin bridge supports none of network dnet's CNI versions (1.1.0): it supports 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0"
}

# ---- del, check ------------------------------------------------------------------

@test "cni del runs the chain backwards with the cached config, result and args, and drops the cache file; again: the current config, no prevResult" {
	sleeper
	conflist 10-t.conflist "$abc"
	"$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" --args 'A=1' --cap-args '{"portMappings":[{"hostPort":1}]}' >/dev/null
	# the network changed since: the DEL is of what was added
	conflist 10-t.conflist '{"cniVersion":"1.0.0","name":"tnet","plugins":[{"type":"c"}]}'
	: >"$FAKE_LOG"
	export CNI_NETNS=/not/ours CNI_ARGS=not=ours
	run "$VETHCTL" cni del tnet "$SLEEPER" "${O[@]}"
	assert_success
	assert_output ""
	local ns=/proc/$SLEEPER/ns/net cid
	cid=$(cid_of "$ns")
	diff <(calls) - <<-EOF
		c DEL cid=$cid netns=$ns if=eth0 args=A=1
		b DEL cid=$cid netns=$ns if=eth0 args=A=1
		a DEL cid=$cid netns=$ns if=eth0 args=A=1
	EOF
	[ "$(jq -c '.prevResult.interfaces | map(.name)' "$FAKE_LOG.b.DEL")" = '["a","b","c"]' ]
	[ "$(jq -c .runtimeConfig "$FAKE_LOG.a.DEL")" = '{"portMappings":[{"hostPort":1}]}' ]
	[ -z "$(ls "$CACHE/results")" ] || fail "left: $(ls "$CACHE/results")"
	: >"$FAKE_LOG"
	run "$VETHCTL" cni del tnet "$SLEEPER" "${O[@]}"
	assert_success
	[ "$(calls)" = "c DEL cid=$cid netns=$ns if=eth0 args=unset" ] || fail "$(calls)"
	[ "$(jq -c .prevResult "$FAKE_LOG.c.DEL")" = null ]
}

@test "cni del of a namespace that is gone: CNI_NETNS unset, the cache file dropped" {
	sleeper
	conflist 10-t.conflist "$abc"
	"$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" >/dev/null
	kill "$SLEEPER"
	wait "$SLEEPER" 2>/dev/null || true
	: >"$FAKE_LOG"
	run "$VETHCTL" cni del tnet "$SLEEPER" "${O[@]}"
	assert_success
	[ "$(calls | grep -c 'netns=unset')" = 3 ] || fail "$(calls)"
	[ -z "$(ls "$CACHE/results")" ]
}

@test "cni del: a plugin failing: 1 with its error, the cache file kept for another try" {
	sleeper
	conflist 10-t.conflist '{"cniVersion":"1.0.0","name":"tnet","plugins":[{"type":"a","failOn":"DEL"},{"type":"b"}]}'
	"$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" >/dev/null
	run "$VETHCTL" cni del tnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni del: plugin a: code 999: MSG: DETAILS"
	[ -n "$(ls "$CACHE/results")" ]
}

@test "cni check: each plugin with the cached result; disableCheck of the list asks none, a plugin's own disableCheck skips it" {
	sleeper
	conflist 10-t.conflist "$abc"
	"$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" >/dev/null
	: >"$FAKE_LOG"
	run "$VETHCTL" cni check tnet "$SLEEPER" "${O[@]}"
	assert_success
	assert_output ""
	[ "$(calls | cut -d' ' -f1-2 | tr '\n' ,)" = "a CHECK,b CHECK,c CHECK," ] || fail "$(calls)"
	[ "$(jq -c '.prevResult.interfaces | map(.name)' "$FAKE_LOG.a.CHECK")" = '["a","b","c"]' ]
	conflist 10-t.conflist '{"cniVersion":"1.0.0","name":"tnet","plugins":[{"type":"a"},{"type":"b","failOn":"CHECK","disableCheck":true},{"type":"c"}]}'
	: >"$FAKE_LOG"
	run "$VETHCTL" cni check tnet "$SLEEPER" "${O[@]}"
	assert_success
	[ "$(calls | cut -d' ' -f1-2 | tr '\n' ,)" = "a CHECK,c CHECK," ] || fail "$(calls)"
	conflist 10-t.conflist '{"cniVersion":"1.0.0","name":"tnet","plugins":[{"type":"a"},{"type":"b","failOn":"CHECK"},{"type":"c"}]}'
	run "$VETHCTL" cni check tnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni check: plugin b: code 999: MSG: DETAILS"
	conflist 10-t.conflist '{"cniVersion":"1.0.0","disableCheck":true,"name":"tnet","plugins":[{"type":"a","failOn":"CHECK"}]}'
	: >"$FAKE_LOG"
	run "$VETHCTL" cni check tnet "$SLEEPER" "${O[@]}"
	assert_success
	[ -z "$(calls)" ] || fail "$(calls)"
}

@test "cni check: before 0.4.0 there is none, and an attachment never added has no result to check" {
	sleeper
	conflist 10-o.conflist '{"cniVersion":"0.3.1","name":"onet","plugins":[{"type":"a"}]}'
	run "$VETHCTL" cni check onet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni check: network onet: CNI 0.3.1 has no CHECK (0.4.0 and later)"
	conflist 10-t.conflist "$abc"
	run "$VETHCTL" cni check tnet "$SLEEPER" "${O[@]}"
	assert_failure 1
	assert_output --partial "is not added (no result in $CACHE/results)"
	[ -z "$(calls)" ]
}

# ---- gc, status, ls --------------------------------------------------------------

@test "cni gc: DEL (no netns) for the attachments whose namespace is gone, GC with the rest as valid attachments (1.1.0), their files dropped" {
	local -a p ns
	local i
	conflist 10-g.conflist '{"cniVersion":"1.1.0","name":"gnet","plugins":[{"type":"a"},{"type":"b"}]}'
	for i in 0 1 2; do
		sleeper
		p[i]=$SLEEPER
		"$VETHCTL" cni add gnet "${p[i]}" "${O[@]}" >/dev/null
	done
	# another network's attachment is not this gc's business
	conflist 20-o.conflist '{"cniVersion":"1.1.0","name":"other","plugins":[{"type":"c"}]}'
	"$VETHCTL" cni add other "${p[0]}" "${O[@]}" >/dev/null
	kill "${p[0]}" "${p[1]}"
	wait "${p[0]}" "${p[1]}" 2>/dev/null || true
	touch "$CACHE/results/gnet-x-eth0.json.tmp-999999999"
	: >"$FAKE_LOG"
	run "$VETHCTL" cni gc gnet "${O[@]}"
	assert_success
	local c0 c1 c2
	c0=$(cid_of "/proc/${p[0]}/ns/net") c1=$(cid_of "/proc/${p[1]}/ns/net") c2=$(cid_of "/proc/${p[2]}/ns/net")
	run calls
	assert_output --partial "b DEL cid=$c0 netns=unset if=eth0"
	assert_output --partial "a DEL cid=$c1 netns=unset if=eth0"
	refute_output --partial "cid=$c2"
	refute_output --partial "c DEL"
	[ "$(calls | grep -c ' GC ')" = 2 ]
	run jq -c '."cni.dev/valid-attachments", ."cni.dev/attachments"' "$FAKE_LOG.a.GC"
	assert_output "[{\"containerID\":\"$c2\",\"ifname\":\"eth0\"}]
[{\"containerID\":\"$c2\",\"ifname\":\"eth0\"}]"
	run ls "$CACHE/results"
	assert_output "gnet-$c2-eth0.json
other-$c0-eth0.json"
}

@test "cni gc before 1.1.0: the stale attachments' DEL, no GC; disableGC: nothing" {
	conflist 10-g.conflist '{"cniVersion":"1.0.0","name":"gnet","plugins":[{"type":"a"}]}'
	sleeper
	"$VETHCTL" cni add gnet "$SLEEPER" "${O[@]}" >/dev/null
	kill "$SLEEPER"
	wait "$SLEEPER" 2>/dev/null || true
	conflist 10-g.conflist '{"cniVersion":"1.0.0","disableGC":true,"name":"gnet","plugins":[{"type":"a"}]}'
	: >"$FAKE_LOG"
	"$VETHCTL" cni gc gnet "${O[@]}"
	[ -z "$(calls)" ] || fail "$(calls)"
	conflist 10-g.conflist '{"cniVersion":"1.0.0","name":"gnet","plugins":[{"type":"a"}]}'
	"$VETHCTL" cni gc gnet "${O[@]}"
	[ "$(calls | cut -d' ' -f1-2)" = "a DEL" ] || fail "$(calls)"
	[ -z "$(ls "$CACHE/results")" ]
}

@test "cni status: STATUS of each plugin at 1.1.0 (the first error is the answer), nothing before" {
	conflist 10-s.conflist '{"cniVersion":"1.1.0","name":"snet","plugins":[{"type":"a"},{"type":"b"}]}'
	run "$VETHCTL" cni status snet "${O[@]}"
	assert_success
	[ "$(calls | cut -d' ' -f1-3)" = "a STATUS cid=unset
b STATUS cid=unset" ] || fail "$(calls)"
	conflist 10-s.conflist '{"cniVersion":"1.1.0","name":"snet","plugins":[{"type":"a","failOn":"STATUS"},{"type":"b"}]}'
	run "$VETHCTL" cni status snet "${O[@]}"
	assert_failure 1
	assert_output "vethctl: cni status: plugin a: code 999: MSG: DETAILS"
	conflist 10-s.conflist '{"cniVersion":"1.0.0","name":"snet","plugins":[{"type":"a","failOn":"STATUS"}]}'
	: >"$FAKE_LOG"
	run "$VETHCTL" cni status snet "${O[@]}"
	assert_success
	[ -z "$(calls)" ]
}

@test "cni ls: NETWORK CONTAINER IFNAME NETNS ADDRESSES STALE, and --json typed" {
	conflist 10-t.conflist "$abc"
	sleeper
	local live=$SLEEPER
	"$VETHCTL" cni add tnet "$live" "${O[@]}" --id live >/dev/null
	sleeper
	"$VETHCTL" cni add tnet "$SLEEPER" "${O[@]}" --id gone --ifname net1 >/dev/null
	kill "$SLEEPER"
	wait "$SLEEPER" 2>/dev/null || true
	run "$VETHCTL" cni ls --cache-dir "$CACHE"
	assert_success
	assert_output --regexp "^NETWORK +CONTAINER +IFNAME +NETNS +ADDRESSES +STALE
tnet +gone +net1 +/proc/$SLEEPER/ns/net +10.1.2.3/24 +yes
tnet +live +eth0 +/proc/$live/ns/net +10.1.2.3/24 +no$"
	run "$VETHCTL" cni ls --json --cache-dir "$CACHE"
	assert_success
	run jq -c '.attachments' <<<"$output"
	assert_output "[{\"network\":\"tnet\",\"container\":\"gone\",\"ifname\":\"net1\",\"netns\":\"/proc/$SLEEPER/ns/net\",\"addresses\":[\"10.1.2.3/24\"],\"stale\":true},{\"network\":\"tnet\",\"container\":\"live\",\"ifname\":\"eth0\",\"netns\":\"/proc/$live/ns/net\",\"addresses\":[\"10.1.2.3/24\"],\"stale\":false}]"
	run "$VETHCTL" cni ls --json --cache-dir "$T/none"
	assert_success
	[ "$(jq -c . <<<"$output")" = '{"attachments":[]}' ]
}

# ---- the chain runner, with Debian's plugins -----------------------------------------

CHAIN_SUBNET=10.89.8
CHAIN_PORTS='{"portMappings":[{"hostPort":18081,"containerPort":80,"protocol":"tcp"}]}'

chain_require() {
	local p
	require_root
	require_kernel_feature netns veth bridge
	require_cmd ip tc iptables iptables-save jq sysctl
	for p in bridge host-local tuning bandwidth firewall portmap; do
		[ -x "$CNI_PLUGINS/$p" ] || ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
	done
}

# chain_netns NAME...: named netns of this run (lo up), removed in teardown
chain_netns() {
	local n
	for n in "$@"; do
		ip netns add "$n" || fail "cannot add netns $n"
		ctu_cleanup_add netns "$n"
		ip -n "$n" link set lo up
	done
}

# chain_list FILE BRIDGE-TYPE [PORTMAP-EXTRA] [MIDDLE-PLUGIN]: the spec's
# chain: BRIDGE-TYPE + host-local (dataDir in the test's directory) ->
# tuning (a sysctl in the container) -> bandwidth (ingress: tbf on the
# host end) -> firewall -> [MIDDLE-PLUGIN] -> portmap (its config + EXTRA).
chain_list() {
	local middle=
	[ -z "${4:-}" ] || middle="$4,"
	cat >"$1" <<-EOF
		{ "cniVersion": "1.0.0", "name": "ctuchain", "plugins": [
		  { "type": "$2", "bridge": "ctc0", "isGateway": true, "ipMasq": true,
		    "ipam": { "type": "host-local", "dataDir": "$T/ipam",
		              "ranges": [[{ "subnet": "$CHAIN_SUBNET.0/24" }]],
		              "routes": [{ "dst": "0.0.0.0/0" }] } },
		  { "type": "tuning", "sysctl": { "net.ipv4.conf.eth0.arp_ignore": "1" } },
		  { "type": "bandwidth", "ingressRate": 8000000, "ingressBurst": 80000 },
		  { "type": "firewall" },
		  $middle
		  { "type": "portmap", "capabilities": { "portMappings": true }${3:+, $3} } ] }
	EOF
}

# vcni ARGS...: vethctl cni in H, with Debian's plugins and the test's cache
vcni() {
	"$VETHCTL" --netns "$H" cni "$@" --path "$CNI_PLUGINS:$BIN" --cache-dir "$CACHE"
}

# chain_nothing_left CID: no trace of the attachment CID in H or C: no veth,
# no address reserved, no iptables rule, no cache file
chain_nothing_left() {
	local cid=$1 links
	links=$(ip -n "$H" -j link show | jq -r '.[].ifname' | sort | tr '\n' ' ')
	[ "$links" = "ctc0 lo " ] || fail "links left in H: $links"
	[ -z "$(ip -n "$C" -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname')" ] ||
		fail "links left in C: $(ip -n "$C" -o link show)"
	[ -z "$(find "$T/ipam" -name "$CHAIN_SUBNET.*")" ] || fail "reservations left: $(find "$T/ipam")"
	run ip netns exec "$H" iptables-save
	refute_output --partial "$cid"
	refute_output --partial "$CHAIN_SUBNET.2"
	[ -z "$(ls "$CACHE/results" 2>/dev/null)" ] || fail "cache left: $(ls "$CACHE/results")"
}

# chain_run BRIDGE-TYPE: add, its effects, check, ls, del, nothing left
chain_run() {
	local list=$T/chain.conflist result veth cid
	H=$(ctu_name h) C=$(ctu_name c)
	chain_netns "$H" "$C"
	# the machine's own namespace is not touched: the plugins run in H
	ctu_state_save
	chain_list "$list" "$1" '"disableCheck": true'
	cid=$(cid_of "/run/netns/$C")
	run vcni add "$list" "$C" --cap-args "$CHAIN_PORTS"
	assert_success
	result=$output
	[ "$(jq -r '.ips[0].address' <<<"$result")" = "$CHAIN_SUBNET.2/24" ] || fail "result: $result"
	veth=$(jq -r '.interfaces[] | select(.sandbox == null and .name != "ctc0") | .name' <<<"$result")
	[ -n "$veth" ] || fail "no host end in the result: $result"
	# tuning: the sysctl in C
	[ "$(ip netns exec "$C" sysctl -n net.ipv4.conf.eth0.arp_ignore)" = 1 ]
	# bandwidth: tbf on the host end
	tc -n "$H" qdisc show dev "$veth" | grep -q '^qdisc tbf' ||
		fail "no tbf on $veth: $(tc -n "$H" qdisc show dev "$veth")"
	# firewall: CNI-FORWARD lets the container's traffic through
	ip netns exec "$H" iptables -S CNI-FORWARD | grep -q -- "-d $CHAIN_SUBNET.2/32" ||
		fail "no CNI-FORWARD rule: $(ip netns exec "$H" iptables -S CNI-FORWARD)"
	# portmap: the --cap-args portMappings reached it
	ip netns exec "$H" iptables -t nat -S | grep -q -- "--dport 18081 .*--to-destination $CHAIN_SUBNET.2:80" ||
		fail "no DNAT of 18081: $(ip netns exec "$H" iptables -t nat -S)"
	# cached, and listed
	[ "$(jq -cS .result "$CACHE/results/ctuchain-$cid-eth0.json")" = "$(jq -cS . <<<"$result")" ]
	run "$VETHCTL" cni ls --json --cache-dir "$CACHE"
	assert_success
	[ "$(jq -c '.attachments[] | [.network, .container, .netns, .addresses, .stale]' <<<"$output")" = \
		"[\"ctuchain\",\"$cid\",\"/run/netns/$C\",[\"$CHAIN_SUBNET.2/24\"],false]" ] || fail "ls: $output"
	# check: every plugin but portmap (disableCheck: it fails every CHECK)
	run vcni check "$list" "$C"
	assert_success
	run vcni del "$list" "$C"
	assert_success
	assert_output ""
	chain_nothing_left "$cid"
	# DEL again: every plugin is idempotent
	run vcni del "$list" "$C"
	assert_success
	chain_nothing_left "$cid"
	assert_state_unchanged
}

@test "chain runner: Debian bridge + host-local, tuning, bandwidth, firewall, portmap: add, check, ls, del leaves nothing" {
	chain_require
	chain_run bridge
}

@test "chain runner: ctutils-bridge (our binary, found by its name) + Debian host-local, tuning, bandwidth, firewall, portmap" {
	chain_require
	chain_run ctutils-bridge
}

@test "chain runner: CHECK of a chain without portmap's disableCheck fails as Debian's portmap 1.1.1 does" {
	chain_require
	local list=$T/chain.conflist
	H=$(ctu_name h) C=$(ctu_name c)
	chain_netns "$H" "$C"
	chain_list "$list" bridge
	vcni add "$list" "$C" --cap-args "$CHAIN_PORTS" >/dev/null
	run vcni check "$list" "$C"
	assert_failure 1
	assert_output --regexp "^vethctl: cni check: plugin portmap: code [0-9]+: .*could not check"
	vcni del "$list" "$C"
	chain_nothing_left "$(cid_of "/run/netns/$C")"
}

@test "chain runner: a plugin failing in the middle: the chain DELed, its error said, nothing left" {
	chain_require
	local list=$T/chain.conflist
	H=$(ctu_name h) C=$(ctu_name c)
	chain_netns "$H" "$C"
	ctu_state_save
	chain_list "$list" bridge '' '{ "type": "a", "failOn": "ADD" }'
	run vcni add "$list" "$C" --cap-args "$CHAIN_PORTS"
	assert_failure 1
	assert_output "vethctl: cni add: plugin a: code 999: MSG: DETAILS"
	chain_nothing_left "$(cid_of "/run/netns/$C")"
	# a Debian plugin's own error (iptables refuses portmap's condition)
	chain_list "$list" bridge '"conditionsV4": ["--no-such-match"]'
	run vcni add "$list" "$C" --cap-args "$CHAIN_PORTS"
	assert_failure 1
	assert_output --regexp "^vethctl: cni add: plugin portmap: code [0-9]+: .+"
	chain_nothing_left "$(cid_of "/run/netns/$C")"
	assert_state_unchanged
}

@test "chain runner: gc after a netns is deleted without DEL: its address and rules released, the live one kept" {
	chain_require
	local list=$T/chain.conflist c1 c2
	H=$(ctu_name h) C=$(ctu_name c) C2=$(ctu_name d)
	chain_netns "$H" "$C" "$C2"
	chain_list "$list" bridge '"disableCheck": true'
	# Debian's bridge finds the addresses of its ipMasq rule in the container,
	# so a namespace deleted without DEL leaks the rule: without ipMasq here
	jq '.plugins[0].ipMasq = false' "$list" >"$list.new" && mv "$list.new" "$list"
	vcni add "$list" "$C" --cap-args "$CHAIN_PORTS" >/dev/null
	vcni add "$list" "$C2" >/dev/null
	c1=$(cid_of "/run/netns/$C") c2=$(cid_of "/run/netns/$C2")
	[ -f "$T/ipam/ctuchain/$CHAIN_SUBNET.2" ] && [ -f "$T/ipam/ctuchain/$CHAIN_SUBNET.3" ]
	ip netns del "$C"
	run "$VETHCTL" cni ls --cache-dir "$CACHE"
	assert_output --regexp "$c1 +eth0 +/run/netns/$C +$CHAIN_SUBNET.2/24 +yes"
	run vcni gc "$list"
	assert_success
	[ ! -e "$T/ipam/ctuchain/$CHAIN_SUBNET.2" ] || fail "C's address still reserved"
	[ -f "$T/ipam/ctuchain/$CHAIN_SUBNET.3" ] || fail "C2's address released"
	# C's port mapping and firewall rules went with its DEL, C2's stay
	run ip netns exec "$H" iptables-save
	refute_output --partial "$c1"
	refute_output --partial "$CHAIN_SUBNET.2/32"
	assert_output --partial "-d $CHAIN_SUBNET.3/32"
	[ "$(ls "$CACHE/results")" = "ctuchain-$c2-eth0.json" ]
	# C2 is still whole: check passes, del leaves nothing
	vcni check "$list" "$C2"
	vcni del "$list" "$C2"
	[ -z "$(find "$T/ipam" -name "$CHAIN_SUBNET.*")" ]
}

@test "chain runner: run by 'ip netns exec H' instead of --netns, the same" {
	chain_require
	local list=$T/chain.conflist
	H=$(ctu_name h) C=$(ctu_name c)
	chain_netns "$H" "$C"
	chain_list "$list" bridge '"disableCheck": true'
	run ip netns exec "$H" "$VETHCTL" cni add "$list" "$C" --path "$CNI_PLUGINS" --cache-dir "$CACHE"
	assert_success
	ip -n "$H" link show ctc0 >/dev/null
	[ "$(ip -n "$C" -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = "$CHAIN_SUBNET.2" ]
	run ip netns exec "$H" "$VETHCTL" cni del "$list" "$C" --path "$CNI_PLUGINS" --cache-dir "$CACHE"
	assert_success
	chain_nothing_left "$(cid_of "/run/netns/$C")"
}
