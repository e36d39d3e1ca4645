#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vethctl as a CNI plugin (ctutils-bridge; the spec's Part B): run bare, as a
# runtime runs a plugin, by `ip netns exec H` with CNI_NETNS a container
# namespace C, both named network namespaces of this run.
#
# The oracle is Debian's containernetworking-plugins 1.1.1: one conflist
# through its bridge + host-local, through ctutils-bridge delegating to its
# host-local, and through ctutils-bridge with the built-in allocator, each in
# a pair of namespaces of its own, must leave the same links, addresses,
# routes, bridge ports, sysctls and IPAM directory bytes, and print the same
# result, after the spec's jq normalization (helpers/cni.bash).  Then the
# results of every version and the MAC sources against the reference, every
# bad input of the spec's list, GC, STATUS, CHECK, VERSION and the NAT
# elements of ipMasq and portMappings.  (The allocator shared with Debian's
# host-local is tests/cni-ipam.bats; `vethctl cni` and the chain runner,
# tests/cni-runtime.bats.)

load helpers
load helpers/nat
load helpers/cni

setup() {
	cni_require
	T=$(ctu_tmpdir)
	cni_bin "$T"
	# one container id for the three oracle setups: the IPAM files hold it
	CID=ctu-oracle-5f0e1d2c3b4a
}

# ---- the oracle ------------------------------------------------------------------

# oracle_add N PLUGIN CNIPATH [TYPE]: H<N> and C<N>, the oracle conflist's
# config (with TYPE) ADDed by PLUGIN; the result in $T/result.N, the state in
# $T/state.N, the names in OH[N] and OC[N].  Ours must have its host end
# operationally up when ADD returns (it waits for it).
oracle_add() {
	local n=$1 plugin=$2 path=$3 type=${4:-}
	OH[n]=$(ctu_name "h$n") OC[n]=$(ctu_name "c$n")
	cni_netns "${OH[n]}" "${OC[n]}"
	cni_conflist "$T/oracle.conflist" "$T/data$n"
	cni_conf "$T/oracle.conflist" "$type" >"$T/conf.$n"
	cni_env ADD "$CID" "${OC[n]}" eth0 "$path"
	cni_plugin "${OH[n]}" "$plugin" "${CNI_ENV[@]}" <"$T/conf.$n" >"$T/result.$n" ||
		fail "ADD through $plugin (CNI_PATH=$path) failed: $(cat "$T/result.$n")"
	if [ -n "$type" ]; then
		run ip -n "${OH[n]}" -j link show
		jq -e '[.[] | select(.ifname | test("^veth")) | .operstate] == ["UP"]' <<<"$output" >/dev/null ||
			fail "ours returned before its host end was up: $(jq -c 'map({ifname, operstate})' <<<"$output")"
	fi
	cni_state "${OH[n]}" "${OC[n]}" "$T/data$n" >"$T/state.$n"
}

# oracle_del N PLUGIN CNIPATH: DEL twice, each exit 0 and silent; the state
# after each in $T/del1.N and $T/del2.N, which must be equal
oracle_del() {
	local n=$1 plugin=$2 path=$3 pass
	cni_env DEL "$CID" "${OC[n]}" eth0 "$path"
	for pass in 1 2; do
		run --separate-stderr cni_plugin "${OH[n]}" "$plugin" "${CNI_ENV[@]}" <"$T/conf.$n"
		[ "$status" -eq 0 ] || fail "DEL $pass through $plugin: exit $status: $output $stderr"
		[ -z "$output" ] || fail "DEL $pass through $plugin printed: $output"
		cni_state "${OH[n]}" "${OC[n]}" "$T/data$n" >"$T/del$pass.$n"
	done
	cni_diff "$T/del1.$n" "$T/del2.$n" "the second DEL through $plugin changed the state"
}

# oracle_compare N: setup N against the reference (1): result and state
oracle_compare() {
	local n=$1
	[ "$(cni_result "$T/result.1" | jq -S -c .)" = "$(cni_result "$T/result.$n" | jq -S -c .)" ] ||
		fail "the results differ: $(diff <(cni_result "$T/result.1" | jq -S .) <(cni_result "$T/result.$n" | jq -S .))"
	# the keys in the order the Go plugins print them, too
	[ "$(cni_result "$T/result.1")" = "$(cni_result "$T/result.$n")" ] ||
		fail "the results are equal but for the order of their keys: $(cni_result "$T/result.1") / $(cni_result "$T/result.$n")"
	cni_diff "$T/state.1" "$T/state.$n" "the state after ADD differs from the reference's"
}

@test "oracle: ctutils-bridge delegating to Debian's host-local leaves what Debian's bridge + host-local leave" {
	oracle_add 1 "$CNI_PLUGINS/bridge" "$CNI_PLUGINS"
	oracle_add 2 "$OURS" "$CNI_BIN:$CNI_PLUGINS" ctutils-bridge
	oracle_compare 2
}

@test "oracle: ctutils-bridge with the built-in host-local (none in CNI_PATH) leaves the same, IPAM bytes included" {
	oracle_add 1 "$CNI_PLUGINS/bridge" "$CNI_PLUGINS"
	oracle_add 3 "$OURS" "$CNI_BIN" ctutils-bridge
	oracle_compare 3
}

@test "oracle: DEL twice (exit 0, nothing printed) leaves the reference's state, in both setups" {
	oracle_add 1 "$CNI_PLUGINS/bridge" "$CNI_PLUGINS"
	oracle_add 2 "$OURS" "$CNI_BIN:$CNI_PLUGINS" ctutils-bridge
	oracle_add 3 "$OURS" "$CNI_BIN" ctutils-bridge
	oracle_del 1 "$CNI_PLUGINS/bridge" "$CNI_PLUGINS"
	oracle_del 2 "$OURS" "$CNI_BIN:$CNI_PLUGINS"
	oracle_del 3 "$OURS" "$CNI_BIN"
	cni_diff "$T/del1.1" "$T/del1.2" "after DEL, delegating"
	cni_diff "$T/del1.1" "$T/del1.3" "after DEL, built in"
	local n
	for n in 2 3; do
		# the bridge stays (as the reference's), the pair is gone, no address reserved
		run ip -n "${OH[n]}" -o link show
		[ "${#lines[@]}" -eq 2 ] || fail "links left in H$n: $output"
		run ip -n "${OC[n]}" -o link show
		[ "${#lines[@]}" -eq 1 ] || fail "links left in C$n: $output"
		run find "$T/data$n" -type f ! -name lock ! -name 'last_reserved_ip.*'
		assert_output ''
		run nat_elements "${OH[n]}"
		assert_output ''
	done
}

# vlan_filtering_works NS: the kernel of this run can filter VLANs on a bridge
# (CONFIG_BRIDGE_VLAN_FILTERING: Debian's 6.1 has it, this machine's 6.18 not)
# (asked in a namespace of its own: a link made and deleted in Hn would move
# the ifindex numbering there, which the oracle's port "link" names show)
vlan_filtering_works() {
	local ns rc=0
	ns=$(ctu_name vf)
	ip netns add "$ns" || return 1
	ip -n "$ns" link add ctuvf0 type bridge vlan_filtering 1 2>/dev/null || rc=1
	ip netns del "$ns"
	return $rc
}

@test "vlan: VID 100 as the reference sets it (PVID untagged), VID 1 dropped with preserveDefaultVlan false, or both refuse where the kernel cannot filter" {
	# (Debian's 1.1.1 predates preserveDefaultVlan: compared without it)
	local n p filter='.isGateway = false | .ipMasq = false | .vlan = 100'
	for n in 1 2; do
		OH[n]=$(ctu_name "vh$n") OC[n]=$(ctu_name "vc$n")
		cni_netns "${OH[n]}" "${OC[n]}"
		# each its own data dir
		cni_conflist "$T/vlan.conflist" "$T/vldata$n"
		if [ "$n" = 1 ]; then p=''; else p=ctutils-bridge; fi
		cni_conf "$T/vlan.conflist" "$p" "$filter" >"$T/conf.$n"
	done
	if vlan_filtering_works "${OH[1]}"; then
		cni_env ADD "$CID" "${OC[1]}" eth0 "$CNI_PLUGINS"
		cni_plugin "${OH[1]}" "$CNI_PLUGINS/bridge" "${CNI_ENV[@]}" <"$T/conf.1" >"$T/result.1" ||
			fail "reference ADD with vlan 100: $(cat "$T/result.1")"
		cni_env ADD "$CID" "${OC[2]}" eth0 "$CNI_BIN"
		cni_plugin "${OH[2]}" "$OURS" "${CNI_ENV[@]}" <"$T/conf.2" >"$T/result.2" ||
			fail "our ADD with vlan 100: $(cat "$T/result.2")"
		for n in 1 2; do
			cni_state "${OH[n]}" "${OC[n]}" "$T/vldata$n" >"$T/state.$n"
			# which VIDs each port carries, the host ends' names normalized
			ip netns exec "${OH[n]}" bridge -j vlan show |
				jq -S "$CNI_JQ"' map(.ifname |= v) | sort_by(.ifname)' >>"$T/state.$n"
		done
		cni_diff "$T/state.1" "$T/state.2" "with vlan 100, ours differs from the reference"
		grep -q '"vlan": 100' "$T/state.2" || fail "no port carries VID 100: $(cat "$T/state.2")"
		# a second container on our bridge, with VID 1 dropped: its port carries 100 alone
		OC[3]=$(ctu_name vc3)
		cni_netns "${OC[3]}"
		cni_conf "$T/vlan.conflist" ctutils-bridge "$filter | .preserveDefaultVlan = false" >"$T/conf.3"
		cni_env ADD "$CID-3" "${OC[3]}" eth0 "$CNI_BIN"
		cni_plugin "${OH[2]}" "$OURS" "${CNI_ENV[@]}" <"$T/conf.3" >"$T/result.3" ||
			fail "our ADD with preserveDefaultVlan false: $(cat "$T/result.3")"
		run ip netns exec "${OH[2]}" bridge -j vlan show dev "$(jq -r '.interfaces[1].name' "$T/result.3")"
		[ "$(jq -c '.[0].vlans | map({vlan, flags: (.flags | sort)})' <<<"$output")" = '[{"vlan":100,"flags":["Egress Untagged","PVID"]}]' ] ||
			fail "preserveDefaultVlan false: the port carries $output"
	else
		for p in 1 2; do
			if [ "$p" = 1 ]; then
				cni_env ADD "$CID" "${OC[1]}" eth0 "$CNI_PLUGINS"
				run cni_plugin "${OH[1]}" "$CNI_PLUGINS/bridge" "${CNI_ENV[@]}" <"$T/conf.1"
			else
				cni_env ADD "$CID" "${OC[2]}" eth0 "$CNI_BIN"
				run cni_plugin "${OH[2]}" "$OURS" "${CNI_ENV[@]}" <"$T/conf.2"
			fi
			[ "$status" -eq 1 ] || fail "plugin $p: vlan 100 without VLAN filtering: exit $status: $output"
			[ "$(jq -r .code <<<"$output")" = 999 ] || fail "plugin $p: not code 999: $output"
			run ip -n "${OC[p]}" -o link show
			[ "${#lines[@]}" -eq 1 ] || fail "plugin $p left links in its container: $output"
			run bash -c "ip -n '${OH[p]}' -o link show | grep -c veth"
			assert_output 0
			if [ -d "$T/vldata$p" ]; then
				run find "$T/vldata$p" -type f ! -name lock ! -name 'last_reserved_ip.*'
				assert_output ''
			fi
		done
	fi
}

@test "results in the request's version (0.3.0 .. 1.0.0 as the reference prints them; mtu only at 1.1.0)" {
	local v p n=1
	for v in 0.3.0 0.3.1 0.4.0 1.0.0; do
		for p in ref ours; do
			OH[n]=$(ctu_name "h$n") OC[n]=$(ctu_name "c$n")
			cni_netns "${OH[n]}" "${OC[n]}"
			cni_conflist "$T/v.conflist" "$T/vdata$n" '' "$v"
			if [ "$p" = ref ]; then
				cni_conf "$T/v.conflist" >"$T/conf.$n"
				cni_env ADD "$CID" "${OC[n]}" eth0 "$CNI_PLUGINS"
				cni_plugin "${OH[n]}" "$CNI_PLUGINS/bridge" "${CNI_ENV[@]}" <"$T/conf.$n" >"$T/result.$p" ||
					fail "reference ADD at $v: $(cat "$T/result.$p")"
			else
				cni_conf "$T/v.conflist" ctutils-bridge >"$T/conf.$n"
				cni_env ADD "$CID" "${OC[n]}" eth0 "$CNI_BIN"
				cni_plugin "${OH[n]}" "$OURS" "${CNI_ENV[@]}" <"$T/conf.$n" >"$T/result.$p" ||
					fail "our ADD at $v: $(cat "$T/result.$p")"
			fi
			n=$((n + 1))
		done
		[ "$(cni_result "$T/result.ref")" = "$(cni_result "$T/result.ours")" ] ||
			fail "at $v: $(diff <(cni_result "$T/result.ref" | jq .) <(cni_result "$T/result.ours" | jq .))"
	done
	OH[n]=$(ctu_name "h$n") OC[n]=$(ctu_name "c$n")
	cni_netns "${OH[n]}" "${OC[n]}"
	cni_conflist "$T/v.conflist" "$T/vdata$n" '' 1.1.0
	cni_conf "$T/v.conflist" ctutils-bridge >"$T/conf.$n"
	cni_env ADD "$CID" "${OC[n]}" eth0 "$CNI_BIN"
	cni_plugin "${OH[n]}" "$OURS" "${CNI_ENV[@]}" <"$T/conf.$n" >"$T/result.11" || fail "our ADD at 1.1.0: $(cat "$T/result.11")"
	jq -e '.cniVersion == "1.1.0" and (.interfaces | length == 3) and all(.interfaces[]; .mtu == 1400)
		and all(.ips[]; has("version") | not) and .dns == {}' "$T/result.11" >/dev/null ||
		fail "the 1.1.0 result: $(cat "$T/result.11")"
	# and the layouts below it have no mtu
	jq -e 'all(.interfaces[]; has("mtu") | not)' "$T/result.ours" >/dev/null || fail "mtu at 1.0.0: $(cat "$T/result.ours")"
}

@test "the container's MAC from CNI_ARGS MAC, args.cni.mac and runtimeConfig.mac: the one the reference takes" {
	local row filter args p mac n=0 want
	# ROW@JQ-FILTER@CNI_ARGS
	while IFS='@' read -r row filter args; do
		for p in ref ours; do
			n=$((n + 1))
			OH[n]=$(ctu_name "h$n") OC[n]=$(ctu_name "c$n")
			cni_netns "${OH[n]}" "${OC[n]}"
			cni_conflist "$T/m.conflist" "$T/mdata$n"
			if [ "$p" = ref ]; then
				cni_conf "$T/m.conflist" "" "$filter" >"$T/m.conf"
				cni_env ADD "$CID" "${OC[n]}" eth0 "$CNI_PLUGINS"
				cni_plugin "${OH[n]}" "$CNI_PLUGINS/bridge" "${CNI_ENV[@]}" CNI_ARGS="$args" <"$T/m.conf" >"$T/m.result" ||
					fail "$row: reference ADD: $(cat "$T/m.result")"
			else
				cni_conf "$T/m.conflist" ctutils-bridge "$filter" >"$T/m.conf"
				cni_env ADD "$CID" "${OC[n]}" eth0 "$CNI_BIN"
				cni_plugin "${OH[n]}" "$OURS" "${CNI_ENV[@]}" CNI_ARGS="$args" <"$T/m.conf" >"$T/m.result" ||
					fail "$row: our ADD: $(cat "$T/m.result")"
			fi
			mac=$(ip -n "${OC[n]}" -j link show eth0 | jq -r '.[0].address')
			[ "$(jq -r '.interfaces[] | select(.name == "eth0") | .mac' "$T/m.result")" = "$mac" ] ||
				fail "$row, $p: the result's MAC is not eth0's ($mac): $(cat "$T/m.result")"
			if [ "$p" = ref ]; then want=$mac; fi
		done
		[ "$mac" = "$want" ] || fail "$row: ours took $mac, the reference $want"
	done <<-'EOF'
		CNI_ARGS MAC@.@IgnoreUnknown=1;MAC=0a:58:0a:58:09:42
		CNI_ARGS MAC and args.cni.mac@.args.cni.mac = "0a:58:0a:58:09:44"@IgnoreUnknown=1;MAC=0a:58:0a:58:09:42
		all three@.args.cni.mac = "0a:58:0a:58:09:44" | .runtimeConfig.mac = "0a:58:0a:58:09:43"@IgnoreUnknown=1;MAC=0a:58:0a:58:09:42
		args.cni.mac alone@.args.cni.mac = "0a:58:0a:58:09:44"@
	EOF
}

# ---- bad input ---------------------------------------------------------------------

# bad_ns: a fresh H and C for the next row, an empty data directory, and the
# default request (into BAD_ENV): ADD of eth0 into C, the built-in allocator.
bad_ns() {
	BAD_N=$((${BAD_N:-0} + 1))
	H=$(ctu_name "h$BAD_N") C=$(ctu_name "c$BAD_N")
	cni_netns "$H" "$C"
	rm -rf "$BAD_DATA"
	cni_env ADD ctu-bad-$BAD_N "$C" eth0 "$CNI_BIN"
	BAD_ENV=("${CNI_ENV[@]}")
}

# bad_conf [JQ-FILTER]: the base config of the rows (ours, built-in
# host-local on $BAD_DATA, v4 only), the filter applied; into a file, its name
# printed
bad_conf() {
	BAD_CONF_N=$((${BAD_CONF_N:-0} + 1))
	jq -c "${1:-.}" <<-EOF >"$T/bad.$BAD_CONF_N.json"
		{ "cniVersion": "1.0.0", "name": "$CNI_NET", "type": "ctutils-bridge", "bridge": "ctu0",
		  "isGateway": true, "ipMasq": true,
		  "ipam": { "type": "host-local", "dataDir": "$BAD_DATA",
		            "ranges": [[{ "subnet": "$CNI_SUBNET.0/24" }]] } }
	EOF
	echo "$T/bad.$BAD_CONF_N.json"
}

# bad_state: what a failed request must not leave in H, C and the data
# directory: links (a bridge may stay, as the reference's), our elements, and
# files (the network's directory and its lock may appear, as with host-local)
bad_state() {
	echo "H: $(ip -n "$H" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -vx ctu0 | sort | tr '\n' ' ')"
	echo "C: $(ip -n "$C" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')"
	nat_elements "$H"
	[ ! -e "$BAD_DATA" ] || find "$BAD_DATA" -mindepth 1 -printf '%P %y\n' | grep -vE '^[^/]+ d$|^[^/]+/lock f$' | sort
}

# bad LABEL CODE PATTERN CONFIG [VAR=VALUE | -VAR]...: runs our plugin in H
# with BAD_ENV changed by the VARs (-VAR: unset) and CONFIG on stdin.  CODE 0:
# must exit 0 and print nothing.  Else: exit 1, stdout a CNI error with that
# code, "msg: details" (or "msg") matching the glob PATTERN, and bad_state as
# before.  A row that does otherwise is added to BAD_FAILED.
bad() {
	local label=$1 code=$2 pat=$3 conf=$4 a k env before after rc text why=
	shift 4
	env=("${BAD_ENV[@]}")
	for a; do
		k=${a#-}
		k=${k%%=*}
		local kept=() e
		for e in "${env[@]}"; do [[ $e == "$k="* ]] || kept+=("$e"); done
		env=("${kept[@]}")
		[[ $a == -* ]] || env+=("$a")
	done
	before=$(bad_state)
	ctu_state_save
	rc=0
	cni_plugin "$H" "$OURS" "${env[@]}" <"$conf" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
	after=$(bad_state)
	! ctu_state_changed || after+=$'\n'"machine: $CTU_STATE_DIFF"
	if [ "$code" -eq 0 ]; then
		[ "$rc" -eq 0 ] || why="exit $rc, not 0: $(cat "$T/bad.out" "$T/bad.err")"
		[ -n "$why" ] || [ ! -s "$T/bad.out" ] || why="printed $(cat "$T/bad.out")"
	elif [ "$rc" -ne 1 ]; then
		why="exit $rc, not 1: $(head -c 300 "$T/bad.out") $(head -c 300 "$T/bad.err")"
	elif ! jq -e 'type == "object" and (keys - ["cniVersion", "code", "msg", "details"] == [])
		and (.code | type == "number") and (.msg | type == "string" and length > 0)' "$T/bad.out" >/dev/null 2>&1; then
		why="not a CNI error: $(head -c 300 "$T/bad.out")"
	elif [ "$(jq .code "$T/bad.out")" != "$code" ]; then
		why="code $(jq .code "$T/bad.out"), not $code: $(jq -c . "$T/bad.out")"
	else
		text=$(jq -r 'if .details then "\(.msg): \(.details)" else .msg end' "$T/bad.out")
		# shellcheck disable=SC2053 # PATTERN is a glob
		[[ $text == $pat ]] || why="the message does not match '$pat': $text"
	fi
	[ -n "$why" ] || [ "$before" = "$after" ] || why="left behind: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
	[ -z "$why" ] || BAD_FAILED+=("$label: $why")
	BAD_TRIED=$((${BAD_TRIED:-0} + 1))
}

# bad_begin, bad_end: around a test of bad() rows; the end fails naming every row that failed
bad_begin() {
	BAD_DATA=$T/bdata
	BAD_FAILED=()
	big=$T/big.json
}
bad_end() {
	echo "# $BAD_TRIED bad inputs tried, ${#BAD_FAILED[@]} failed" >&3
	[ ${#BAD_FAILED[@]} -eq 0 ] || fail "$(printf '%s\n' "${BAD_FAILED[@]}")"
}

@test "bad input: the environment, stdin's JSON and the version (the spec's list, part 1): code, message, nothing left" {
	bad_begin
	bad_ns
	bad "malformed JSON" 6 '?*' <(printf '{"cniVersion":"1.0.0","name":')
	bad_ns
	bad "a key of the wrong type" 6 '*mtu*' "$(bad_conf '.mtu = "big"')"
	bad_ns
	bad "cniVersion 9.9.9" 1 'incompatible CNI versions: config is "9.9.9", plugin supports \[*"1.1.0"*\]' "$(bad_conf '.cniVersion = "9.9.9"')"
	bad_ns
	bad "cniVersion 0.2.0" 1 'incompatible CNI versions: config is "0.2.0", plugin supports \[*\]' "$(bad_conf '.cniVersion = "0.2.0"')"
	bad_ns
	bad "CHECK at 0.3.1" 1 '*CHECK*' "$(bad_conf '.cniVersion = "0.3.1"')" CNI_COMMAND=CHECK
	for k in CNI_CONTAINERID CNI_NETNS CNI_IFNAME CNI_PATH; do
		bad_ns
		bad "ADD without $k" 4 "required env variables \\[$k\\] missing" "$(bad_conf)" "-$k"
	done
	for k in CNI_CONTAINERID CNI_IFNAME CNI_PATH; do
		bad_ns
		bad "DEL without $k" 4 "required env variables \\[$k\\] missing" "$(bad_conf)" CNI_COMMAND=DEL "-$k"
	done
	bad_ns
	bad "GC without CNI_PATH" 4 'required env variables \[CNI_PATH\] missing' "$(bad_conf '.cniVersion = "1.1.0"')" CNI_COMMAND=GC -CNI_PATH
	bad_ns
	bad "an unknown CNI_COMMAND" 4 '*FROB*' "$(bad_conf)" CNI_COMMAND=FROB
	bad_ns
	bad "CNI_IFNAME a/b" 4 'interface name contains / or : or whitespace characters' "$(bad_conf)" CNI_IFNAME=a/b
	bad_ns
	bad "CNI_IFNAME of 16 bytes" 4 'interface name is too long*' "$(bad_conf)" CNI_IFNAME=abcdefghijklmnop
	bad_ns
	bad "CNI_ARGS with an unknown key" 4 '*FOO*' "$(bad_conf)" CNI_ARGS=FOO=bar
	bad_ns
	bad "CNI_ARGS with an unknown key and IgnoreUnknown=1" 0 '' "$(bad_conf)" 'CNI_ARGS=IgnoreUnknown=1;FOO=bar' CNI_COMMAND=DEL
	bad_end
}

@test "bad input: the network name and the IPAM ranges (part 2): code, message, nothing left" {
	bad_begin
	bad_ns
	bad "name ../x" 7 'invalid characters found in network name: ../x' "$(bad_conf '.name = "../x"')"
	for s in 10.0.0.0/33 banana; do
		bad_ns
		bad "subnet $s" 7 "*$s*" "$(bad_conf ".ipam.ranges = [[{\"subnet\": \"$s\"}]]")"
	done
	bad_ns
	bad "a /31" 7 '*10.0.9.0/31 too small to allocate from*' "$(bad_conf '.ipam.ranges = [[{"subnet": "10.0.9.0/31"}]]')"
	bad_end
}

@test "bad input: a delegate's error and an exhausted range (part 3): code, message, nothing left" {
	bad_begin
	bad_ns
	# a delegate that fails ADD: its error passes unchanged, and it is asked to DEL
	mkdir -p "$T/fake"
	cat >"$T/fake/ctu-fail-ipam" <<-'EOF'
		#!/bin/sh
		echo "$CNI_COMMAND" >>"$0.log"
		[ "$CNI_COMMAND" = ADD ] || exit 0
		printf '{"cniVersion":"1.0.0","code":123,"msg":"from the delegate","details":"its details"}'
		exit 1
	EOF
	chmod +x "$T/fake/ctu-fail-ipam"
	bad "a delegate's error, unchanged" 123 'from the delegate: its details' "$(bad_conf '.ipam = {"type": "ctu-fail-ipam"}')" \
		"CNI_PATH=$T/fake:$CNI_BIN"
	[ "$(cat "$T/fake/ctu-fail-ipam.log")" = $'ADD\nDEL' ] ||
		BAD_FAILED+=("a delegate's error: the delegate was asked $(tr '\n' ' ' <"$T/fake/ctu-fail-ipam.log"), not ADD then DEL")
	# exhausted: a /30 holds one address but the gateway's
	bad_ns
	conf=$(bad_conf '.ipam.ranges = [[{"subnet": "10.0.9.0/30"}]]')
	cni_plugin "$H" "$OURS" "${BAD_ENV[@]}" <"$conf" >"$T/full.out" || fail "the ADD that fills the /30: $(cat "$T/full.out")"
	C2=$(ctu_name "c${BAD_N}x")
	cni_netns "$C2"
	bad "an exhausted /30" 999 'failed to allocate for range 0: no IP addresses available in range set: 10.0.9.1-10.0.9.2' "$conf" \
		CNI_CONTAINERID=ctu-bad-full CNI_NETNS="/run/netns/$C2"
	bad_end
}

@test "bad input: CNI_NETNS and what the kernel refuses (part 4): code, message, nothing left" {
	bad_begin
	bad_ns
	# the netns
	bad_ns
	G=$(ctu_name g)
	ip netns add "$G" && ip netns del "$G"
	bad "CNI_NETNS gone: ADD" 8 "*/run/netns/$G*" "$(bad_conf)" CNI_NETNS="/run/netns/$G"
	bad_ns
	bad "CNI_NETNS gone: DEL" 0 '' "$(bad_conf)" CNI_NETNS="/run/netns/$G" CNI_COMMAND=DEL
	bad_ns
	bad "DEL without CNI_NETNS" 0 '' "$(bad_conf)" -CNI_NETNS CNI_COMMAND=DEL
	bad_ns
	bad "CNI_NETNS /etc/passwd" 8 '*/etc/passwd*' "$(bad_conf)" CNI_NETNS=/etc/passwd
	bad_ns
	bad "CNI_NETNS our own" 8 "*/run/netns/$H*" "$(bad_conf)" CNI_NETNS="/run/netns/$H"
	# the kernel refuses
	bad_ns
	lo=$(ctu_name v)
	ip -n "$H" link add "$lo" type veth peer name "${lo:0:13}p"
	bad "the bridge name held by a veth" 999 "failed to create bridge \"$lo\": \"$lo\" already exists but is not a bridge" \
		"$(bad_conf ".bridge = \"$lo\"")"
	bad_ns
	ip -n "$C" link add eth0 type veth peer name eth0p
	bad "IFNAME already in C" 999 'container veth name provided (eth0) already exists' "$(bad_conf)"
	bad_end
}

@test "bad input: refused keys, invalid values, 5 MiB of stdin, a symlinked data directory (part 5): code, message, nothing left" {
	bad_begin
	bad_ns
	# refused keys, invalid values
	bad_ns
	bad "vlanTrunk" 2 '*vlanTrunk*' "$(bad_conf '.isGateway = false | .vlanTrunk = [{"id": 100}]')"
	bad_ns
	bad "vlan with isGateway" 2 '*vlan*' "$(bad_conf '.vlan = 100')"
	bad_ns
	bad "ipMasqBackend iptables" 2 '*ipMasqBackend*' "$(bad_conf '.ipMasqBackend = "iptables"')"
	bad_ns
	bad "portmap's conditionsV4" 2 '*conditionsV4*' "$(bad_conf '.conditionsV4 = ["-s", "192.0.2.9"]')"
	bad_ns
	bad "hostPort 0" 7 '*ort*' "$(bad_conf '.runtimeConfig.portMappings = [{"hostPort": 0, "containerPort": 80, "protocol": "tcp"}]')"
	bad_ns
	bad "hairpinMode with promiscMode" 7 '*romisc*' "$(bad_conf '.hairpinMode = true | .promiscMode = true')"
	bad_ns
	bad "mtu 70000" 7 '*70000*' "$(bad_conf '.mtu = 70000')"
	bad_ns
	bad "vlan 5000" 7 '*5000*' "$(bad_conf '.isGateway = false | .vlan = 5000')"
	bad_ns
	bad "disableContainerInterface with ipam" 7 '*isableContainerInterface*' "$(bad_conf '.disableContainerInterface = true')"
	bad_ns
	bad "ipam.type with a /" 7 '*../host-local*' "$(bad_conf '.ipam.type = "../host-local"')"
	# stdin
	bad_ns
	{
		printf '{"cniVersion": "1.0.0", "name": "%s", "type": "ctutils-bridge", "pad": "' "$CNI_NET"
		head -c $((5 << 20)) /dev/zero | tr '\0' a
		printf '"}'
	} >"$big"
	bad "5 MiB of stdin" 5 '?*' "$big"
	# a hostile data directory: a symlinked NAME dir is refused naming it
	bad_ns
	mkdir -p "$BAD_DATA" "$T/elsewhere"
	ln -s "$T/elsewhere" "$BAD_DATA/$CNI_NET"
	bad "a symlinked network directory" 999 "*$CNI_NET*" "$(bad_conf)"
	[ -z "$(ls -A "$T/elsewhere")" ] || BAD_FAILED+=("a symlinked network directory: wrote through it: $(ls -A "$T/elsewhere")")
	bad_end
}

@test "a planted entry in the data directory counts as taken, and is never written through" {
	H=$(ctu_name h) C=$(ctu_name c)
	cni_netns "$H" "$C"
	mkdir -p "$T/data/$CNI_NET"
	echo keep >"$T/victim"
	ln -s "$T/victim" "$T/data/$CNI_NET/$CNI_SUBNET.2"
	mkfifo "$T/data/$CNI_NET/$CNI_SUBNET.3"
	cni_conflist "$T/l.conflist" "$T/data"
	cni_conf "$T/l.conflist" ctutils-bridge >"$T/conf"
	cni_env ADD ctu-planted "$C" eth0 "$CNI_BIN"
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/conf"
	assert_success
	[ "$(jq -r '.ips[0].address' <<<"$output")" = "$CNI_SUBNET.4/24" ] || fail "got $(jq -c .ips <<<"$output")"
	[ "$(cat "$T/victim")" = keep ]
	[ -L "$T/data/$CNI_NET/$CNI_SUBNET.2" ] && [ -p "$T/data/$CNI_NET/$CNI_SUBNET.3" ]
	cni_env DEL ctu-planted "$C" eth0 "$CNI_BIN"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/conf"
	[ ! -e "$T/data/$CNI_NET/$CNI_SUBNET.4" ]
	[ -L "$T/data/$CNI_NET/$CNI_SUBNET.2" ] && [ "$(cat "$T/victim")" = keep ]
}

# ---- GC ------------------------------------------------------------------------------

# gc_run CNIPATH: three attachments (ipMasq, a published port each), two of
# whose namespaces are deleted without DEL; GC with the third valid leaves
# only its reservations and elements
gc_run() {
	local path=$1 i owner files
	H=$(ctu_name h)
	cni_netns "$H"
	cni_conflist "$T/gc.conflist" "$T/data" '' 1.1.0
	for i in 1 2 3; do
		GC_C[i]=$(ctu_name "c$i")
		cni_netns "${GC_C[i]}"
		cni_conf "$T/gc.conflist" ctutils-bridge \
			".runtimeConfig.portMappings = [{\"hostPort\": $((8080 + i)), \"containerPort\": 80, \"protocol\": \"tcp\"}]" >"$T/gc.$i"
		cni_env ADD "ctu-gc-$i" "${GC_C[i]}" eth0 "$path"
		cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/gc.$i" >"$T/gc.$i.result" || fail "ADD $i: $(cat "$T/gc.$i.result")"
	done
	owner=$(cni_owner "$CNI_NET" ctu-gc-3 eth0)
	nat_elements "$H" | grep -F "\"$owner\"" >"$T/elements.3"
	[ -s "$T/elements.3" ] || fail "no element of $owner: $(nat_elements "$H")"
	[ "$(find "$T/data/$CNI_NET" -name "$CNI_SUBNET.*" -o -name "$CNI_SUBNET6*" | wc -l)" -eq 6 ]
	ip netns del "${GC_C[1]}"
	ip netns del "${GC_C[2]}"
	for ((i = 0; i < 50; i++)); do
		[ "$(ip -n "$H" -o link show type veth | wc -l)" -eq 1 ] && break
		sleep 0.1
	done
	local gc=(CNI_COMMAND=GC CNI_PATH="$path")
	# all three valid (under the name of the spec-v1.1.0 text): nothing goes
	nat_elements "$H" >"$T/elements.before"
	jq -c '.["cni.dev/attachments"] = [range(1; 4) | {containerID: "ctu-gc-\(.)", ifname: "eth0"}]' "$T/gc.3" >"$T/gc.all"
	run --separate-stderr cni_plugin "$H" "$OURS" "${gc[@]}" <"$T/gc.all"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "GC with all valid: exit $status: $output $stderr"
	diff "$T/elements.before" <(nat_elements "$H")
	[ "$(find "$T/data/$CNI_NET" -name "$CNI_SUBNET.*" -o -name "$CNI_SUBNET6*" | wc -l)" -eq 6 ]
	# only the third valid
	jq -c '.["cni.dev/valid-attachments"] = [{containerID: "ctu-gc-3", ifname: "eth0"}]' "$T/gc.3" >"$T/gc.one"
	run --separate-stderr cni_plugin "$H" "$OURS" "${gc[@]}" <"$T/gc.one"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "GC: exit $status: $output $stderr"
	files=$(cd "$T/data/$CNI_NET" && for f in "$CNI_SUBNET".* "$CNI_SUBNET6"*; do [ -e "$f" ] && printf '%s=%s\n' "$f" "$(tr '\r\n' '__' <"$f")"; done)
	[ "$files" = "$(printf '%s=ctu-gc-3__eth0\n' "$CNI_SUBNET.4" "${CNI_SUBNET6}:4")" ] || fail "reservations after GC: $files"
	# the elements of the third, its localnet aside (the old sysctl value in its comment)
	diff <(grep -v '"localnet"' "$T/elements.3") <(nat_elements "$H" | grep -v '"localnet"')
	# and the third is whole: DEL takes it all
	cni_env DEL ctu-gc-3 "${GC_C[3]}" eth0 "$path"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/gc.3"
	run nat_elements "$H"
	assert_output ''
	run find "$T/data/$CNI_NET" -type f ! -name lock ! -name 'last_reserved_ip.*'
	assert_output ''
}

@test "GC (1.1.0): two netns deleted without DEL, GC with the third valid: only its reservations and elements stay" {
	gc_run "$CNI_BIN"
}

@test "GC with IPAM delegated to Debian's host-local (which has no GC): the built-in releases the addresses" {
	gc_run "$CNI_BIN:$CNI_PLUGINS"
}

# ---- STATUS, CHECK, VERSION, the about text ------------------------------------------------

@test "STATUS: 0 and silent when ready, 50 with the range exhausted, 1 below 1.1.0" {
	H=$(ctu_name h) C=$(ctu_name c)
	cni_netns "$H" "$C"
	cni_conflist "$T/s.conflist" "$T/data" '' 1.1.0
	cni_conf "$T/s.conflist" ctutils-bridge >"$T/s.conf"
	run --separate-stderr cni_plugin "$H" "$OURS" CNI_COMMAND=STATUS CNI_PATH="$CNI_BIN" <"$T/s.conf"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "STATUS: exit $status: $output $stderr"
	jq -c '.cniVersion = "1.0.0"' "$T/s.conf" >"$T/s.100"
	run --separate-stderr cni_plugin "$H" "$OURS" CNI_COMMAND=STATUS CNI_PATH="$CNI_BIN" <"$T/s.100"
	[ "$status" -eq 1 ] && [ "$(jq .code <<<"$output")" = 1 ] || fail "STATUS at 1.0.0: exit $status: $output"
	# a /30: one address, taken
	jq -c '.ipam.ranges = [[{"subnet": "10.0.9.0/30"}]]' "$T/s.conf" >"$T/s.30"
	cni_env ADD ctu-status "$C" eth0 "$CNI_BIN"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/s.30" >/dev/null || fail "the ADD that fills the /30"
	run --separate-stderr cni_plugin "$H" "$OURS" CNI_COMMAND=STATUS CNI_PATH="$CNI_BIN" <"$T/s.30"
	[ "$status" -eq 1 ] && [ "$(jq .code <<<"$output")" = 50 ] || fail "STATUS of a full range: exit $status: $output"
}

@test "CHECK: 0 with the ADD's prevResult, 7 without one, 1 at 0.3.1, an error once the address is gone" {
	H=$(ctu_name h) C=$(ctu_name c)
	cni_netns "$H" "$C"
	cni_conflist "$T/c.conflist" "$T/data"
	cni_conf "$T/c.conflist" ctutils-bridge >"$T/c.conf"
	cni_env ADD ctu-check "$C" eth0 "$CNI_BIN"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/c.conf" >"$T/c.result" || fail "ADD: $(cat "$T/c.result")"
	jq -c --slurpfile r "$T/c.result" '.prevResult = $r[0]' "$T/c.conf" >"$T/c.check"
	cni_env CHECK ctu-check "$C" eth0 "$CNI_BIN"
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/c.check"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "CHECK: exit $status: $output $stderr"
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/c.conf"
	[ "$status" -eq 1 ] && [ "$(jq .code <<<"$output")" = 7 ] || fail "CHECK without prevResult: exit $status: $output"
	jq -c '.cniVersion = "0.3.1"' "$T/c.check" >"$T/c.031"
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/c.031"
	[ "$status" -eq 1 ] && [ "$(jq .code <<<"$output")" = 1 ] || fail "CHECK at 0.3.1: exit $status: $output"
	ip -n "$C" addr flush dev eth0 scope global
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/c.check"
	[ "$status" -eq 1 ] && jq -e '.code and .msg' <<<"$output" >/dev/null || fail "CHECK without the address: exit $status: $output"
}

@test "VERSION: the request's version or 1.1.0, and the five we speak; both names" {
	local p all='["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
	for p in "$OURS" "$CNI_BIN/ctutils-host-local"; do
		run --separate-stderr env -i CNI_COMMAND=VERSION "$p" <<<'{"cniVersion":"0.4.0"}'
		assert_success
		[ "$(jq -c . <<<"$output")" = "{\"cniVersion\":\"0.4.0\",\"supportedVersions\":$all}" ] || fail "$p VERSION: $output"
		run --separate-stderr env -i CNI_COMMAND=VERSION "$p" </dev/null
		assert_success
		[ "$(jq -c . <<<"$output")" = "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":$all}" ] || fail "$p VERSION: $output"
	done
}

@test "by its names without CNI_COMMAND: what it is and the versions on stderr, exit 0" {
	local p v
	for p in "$OURS" "$CNI_BIN/ctutils-host-local"; do
		run --separate-stderr env -i "$p"
		assert_success
		[ -z "$output" ] || fail "$p printed on stdout: $output"
		[ -n "$stderr" ] || fail "$p said nothing"
		for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
			[[ $stderr == *"$v"* ]] || fail "$p does not name $v: $stderr"
		done
	done
}

# ---- NAT: ipMasq and portMappings ---------------------------------------------------------

@test "ipMasq and portMappings: elements owned by cni:HASH16:NET:CID12:IFNAME after ADD, none after DEL (the netns gone)" {
	H=$(ctu_name h) C=$(ctu_name c)
	cni_netns "$H" "$C"
	cni_conflist "$T/n.conflist" "$T/data"
	local cid=ctu-nat-0123456789abcdef owner
	owner=$(cni_owner "$CNI_NET" "$cid" eth0)
	cni_conf "$T/n.conflist" ctutils-bridge '.runtimeConfig.portMappings = [
		{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
		{"hostPort": 5353, "containerPort": 53, "protocol": "udp"}]' >"$T/n.conf"
	cni_env ADD "$cid" "$C" eth0 "$CNI_BIN"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/n.conf" >"$T/n.result" || fail "ADD: $(cat "$T/n.result")"
	run nat_elems pub4any "$H"
	assert_output "$(printf '%s\n' "tcp . 8080 : $CNI_SUBNET.2 . 80 # $owner" "udp . 5353 : $CNI_SUBNET.2 . 53 # $owner" | sort)"
	run nat_elems pub6any "$H"
	assert_output "$(printf '%s\n' "tcp . 8080 : ${CNI_SUBNET6}:2 . 80 # $owner" "udp . 5353 : ${CNI_SUBNET6}:2 . 53 # $owner" | sort)"
	run nat_elems masq4 "$H"
	assert_output --regexp "^$CNI_SUBNET\\.2(/32)? : jump nat4-10_88_9_0-24 # $owner\$"
	run nat_elems masq6 "$H"
	assert_output --regexp "^${CNI_SUBNET6}:2(/128)? : jump nat6-fd00_88_9__-64 # $owner\$"
	run nat_elems natsrc4 "$H"
	assert_output --regexp "^$CNI_SUBNET\\.2(/32)? # $owner\$"
	run nat_elems hairpin4 "$H"
	assert_output --regexp "^$CNI_SUBNET\\.0/24 \\. $CNI_SUBNET\\.2 # $owner\$"
	# every element but localnet's (the old sysctl value) is the attachment's
	run jq -r '.nftables[] | (.map // .set) | select(. and .name != "localnet") | .elem[]? | (if type == "array" then .[0] else . end) | .elem.comment' <<<"$(nat_table "$H")"
	[ -n "$output" ] && [ -z "$(grep -vxF "$owner" <<<"$output")" ] || fail "owners: $output"
	# the container goes first (its netns deleted, its veth with it): DEL
	# still removes the elements and the reservations, and says nothing
	ip netns del "$C"
	cni_env DEL "$cid" "$C" eth0 "$CNI_BIN"
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/n.conf"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "DEL with the netns gone: exit $status: $output $stderr"
	run nat_elements "$H"
	assert_output ''
	run find "$T/data" -type f ! -name lock ! -name 'last_reserved_ip.*'
	assert_output ''
	# DEL again, without CNI_NETNS: still nothing, still 0
	cni_env DEL "$cid" "" eth0 "$CNI_BIN"
	run --separate-stderr cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/n.conf"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "DEL without CNI_NETNS: exit $status: $output $stderr"
}

@test "ipMasq where a NAT source already covers the address: skipped, not failed; the source stays" {
	H=$(ctu_name h) C=$(ctu_name c)
	cni_netns "$H" "$C"
	"$VETHCTL" --netns "$H" nat add 10.88.0.0/16 --owner lab
	cni_conflist "$T/s.conflist" "$T/data"
	cni_conf "$T/s.conflist" ctutils-bridge >"$T/s.conf"
	cni_env ADD ctu-covered "$C" eth0 "$CNI_BIN"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/s.conf" >"$T/s.result" || fail "ADD: $(cat "$T/s.result")"
	run nat_elems masq4 "$H"
	assert_output "10.88.0.0/16 : jump nat4-10_88_0_0-16 # user:lab"
	# the v6 address, which no source covers, is the attachment's
	run nat_elems masq6 "$H"
	assert_output --regexp "^${CNI_SUBNET6}:2(/128)? : jump nat6-fd00_88_9__-64 # $(cni_owner "$CNI_NET" ctu-covered eth0)\$"
	cni_env DEL ctu-covered "$C" eth0 "$CNI_BIN"
	cni_plugin "$H" "$OURS" "${CNI_ENV[@]}" <"$T/s.conf"
	run nat_elems masq4 "$H"
	assert_output "10.88.0.0/16 : jump nat4-10_88_0_0-16 # user:lab"
	run nat_elems masq6 "$H"
	assert_output ''
}
