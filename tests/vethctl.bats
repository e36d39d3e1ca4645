#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vethctl on the real kernel.  Every test works in a "host" network namespace
# of its own (a named netns with this run's prefix) and in container
# namespaces made by unshare-lite: nothing is ever added to this machine's
# own namespace, and traffic goes only between addresses the test assigned.

load helpers

setup() {
	require_root
	require_kernel_feature netns veth bridge
	require_tool "$VETHCTL" "$UNSHARE_LITE" "$NSENTER_LITE"
	T=$(ctu_tmpdir)
	H=$(ctu_name h)
	ip netns add "$H"
	ctu_cleanup_add netns "$H"
	V=("$VETHCTL" --netns "$H")
	# a per-test subnet: 10.<200+test number % 50>.X.0/24
	NET=10.$((200 + BATS_TEST_NUMBER % 50))
}

# container NAME: a sleeping process in new net (and uts) namespaces; sets
# ${NAME}_PID.
container() {
	"$UNSHARE_LITE" -n -u --pidfile "$T/$1.pid" sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/$1.pid" || fail "container $1 did not start"
	printf -v "${1}_PID" '%s' "$(cat "$T/$1.pid")"
}

in_host() {
	ip netns exec "$H" "$@"
}

@test "connect: two containers on one bridge ping each other and their gateway" {
	container c1
	container c2
	"${V[@]}" bridge add br0 --addr "$NET.0.1/24"
	"${V[@]}" connect "$c1_PID" --bridge br0 --addr "$NET.0.2/24"
	"${V[@]}" connect "$c2_PID" --bridge br0 --addr "$NET.0.3/24"
	run "$NSENTER_LITE" -t "$c1_PID" -n ping -c 1 -W 2 "$NET.0.3"
	assert_success
	run "$NSENTER_LITE" -t "$c2_PID" -n ping -c 1 -W 2 "$NET.0.2"
	assert_success
	run "$NSENTER_LITE" -t "$c1_PID" -n ping -c 1 -W 2 "$NET.0.1"
	assert_success
	# inside: eth0 with the address, lo up, the default route via the bridge
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o -4 addr show eth0
	assert_output --partial "$NET.0.2/24"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip route show default
	assert_output --partial "default via $NET.0.1 dev eth0"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o link show lo
	assert_output --partial "UP"
	# the host end is a port of the bridge, in the host namespace only
	run in_host ip -o link show master br0
	[ "${#lines[@]}" -eq 2 ]
	# disconnect removes both ends
	"${V[@]}" disconnect "$c1_PID"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o link show eth0
	assert_failure
	run in_host ip -o link show master br0
	[ "${#lines[@]}" -eq 1 ]
}

@test "connect makes the bridge when missing, and --gw, --ifname, --host-name, --mtu" {
	container c1
	"${V[@]}" connect "$c1_PID" --bridge br1 --addr "$NET.1.2/24" --gw "$NET.1.254" --ifname net0 --host-name hc1 --mtu 1400
	run in_host ip -o link show br1
	assert_success
	run in_host ip -o link show hc1
	assert_output --partial "master br1"
	assert_output --partial "mtu 1400"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip route show default
	assert_output --partial "default via $NET.1.254 dev net0"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o link show net0
	assert_output --partial "mtu 1400"
}

@test "connect rolls back everything it made when a later step fails" {
	container c1
	in_host ip -o link show >"$T/before"
	run -1 "${V[@]}" connect "$c1_PID" --bridge brx --addr "$NET.2.2/24" --gw 192.0.2.1
	assert_output --partial "vethctl: cannot add the default route in $c1_PID"
	assert_output --partial "the veth pair and the bridge were removed"
	in_host ip -o link show >"$T/after"
	diff "$T/before" "$T/after"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o link show
	[ "${#lines[@]}" -eq 1 ]
}

@test "connect whose veth name is taken: the new bridge goes, and the hint says only that" {
	container c1
	in_host ip link add hx0 type veth peer name hx0p
	in_host ip -o link show >"$T/before"
	run -1 "${V[@]}" connect "$c1_PID" --bridge bry --addr "$NET.3.2/24" --host-name hx0
	assert_output --partial "hx0"
	assert_output --partial "(the bridge was removed)"
	in_host ip -o link show >"$T/after"
	diff "$T/before" "$T/after"
	in_host ip link del hx0
}

@test "add with --peer-netns: the peer is born inside, so a host name clash does not matter" {
	container c1
	# the host namespace already has an interface called eth0
	in_host ip link add eth0 type veth peer name eth0p
	"${V[@]}" add h1 --peer eth0 --peer-netns "$c1_PID" --addr "$NET.3.1/24" --peer-addr "$NET.3.2/24"
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o -4 addr show eth0
	assert_output --partial "$NET.3.2/24"
	run in_host ping -c 1 -W 2 "$NET.3.2"
	assert_success
	# the host's own eth0 is untouched
	run in_host ip -o link show eth0
	assert_output --partial "eth0@eth0p"
}

@test "add: a veth pair in one namespace, up, with stable MACs derived from the names" {
	"${V[@]}" add va --peer vb
	run in_host ip -o link show va
	assert_output --partial "va@vb"
	assert_output --partial ",UP"
	run in_host ip -o link show vb
	assert_output --partial ",UP"
	mac1=$(in_host cat /sys/class/net/va/address 2>/dev/null || in_host ip -o link show va | grep -o 'link/ether [^ ]*')
	"${V[@]}" del va
	"${V[@]}" add va --peer vb --no-up --mac 02:00:00:00:00:aa
	run in_host ip -o link show va
	refute_output --partial ",UP"
	assert_output --partial "02:00:00:00:00:aa"
	"${V[@]}" del va
	"${V[@]}" add va --peer vb
	[ "$(in_host ip -o link show va | grep -o 'link/ether [^ ]*')" = "$(in_host ip -o link show va | grep -o 'link/ether [^ ]*')" ]
	[ -n "$mac1" ]
}

@test "add rolls back the pair when an address is refused" {
	in_host sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	in_host ip -o link show >"$T/before"
	run -1 "${V[@]}" add vr --addr fd00::1/64
	assert_output --partial "vethctl: cannot add address fd00::1/64 to vr"
	assert_output --partial "the veth pair was removed"
	in_host ip -o link show >"$T/after"
	diff "$T/before" "$T/after"
}

@test "bridge add/del, attach/detach, up/down, mtu, addr add/del, route add/del" {
	"${V[@]}" bridge add br0 --addr "$NET.4.1/24" --mtu 1450
	"${V[@]}" add p1
	"${V[@]}" attach p1 br0
	run in_host ip -o link show p1
	assert_output --partial "master br0"
	"${V[@]}" detach p1
	run in_host ip -o link show p1
	refute_output --partial "master"
	run -1 "${V[@]}" detach p1
	assert_output "vethctl: p1 is not attached to a bridge"
	"${V[@]}" down p1
	run in_host ip -o link show p1
	refute_output --partial ",UP"
	"${V[@]}" up p1
	"${V[@]}" mtu p1 1300
	run in_host ip -o link show p1
	assert_output --partial "mtu 1300"
	"${V[@]}" addr add p1 "$NET.5.1/24"
	run -1 "${V[@]}" addr add p1 "$NET.5.1/24"
	assert_output "vethctl: cannot add address $NET.5.1/24 to p1: address already assigned"
	"${V[@]}" route add "$NET.6.0/24" via "$NET.5.9"
	run in_host ip route show "$NET.6.0/24"
	assert_output --partial "via $NET.5.9 dev p1"
	run -1 "${V[@]}" route add "$NET.6.0/24" via "$NET.5.9"
	assert_output --partial "exists already"
	"${V[@]}" route del "$NET.6.0/24" via "$NET.5.9"
	"${V[@]}" route add default dev p1
	"${V[@]}" addr del p1 "$NET.5.1/24"
	run in_host ip -o -4 addr show p1
	assert_output ""
	"${V[@]}" bridge del br0
	run in_host ip -o link show br0
	assert_failure
	run -1 "${V[@]}" bridge del p1
	assert_output "vethctl: p1 is not a bridge"
}

@test "move an interface into a namespace, renaming it" {
	container c1
	"${V[@]}" add mv1
	"${V[@]}" move mv1p "$c1_PID" --name inside0
	run "$NSENTER_LITE" -t "$c1_PID" -n ip -o link show inside0
	assert_success
	run in_host ip -o link show mv1p
	assert_failure
	ns=$(ctu_name m)
	ip netns add "$ns"
	ctu_cleanup_add netns "$ns"
	"$VETHCTL" --netns "$c1_PID" move inside0 "$ns"
	run ip -n "$ns" -o link show inside0
	assert_success
}

@test "a bridge name taken by something else, and other name clashes" {
	"${V[@]}" add notbr
	run -1 "${V[@]}" bridge add notbr
	assert_output "vethctl: notbr already exists and is not a bridge"
	run -1 "${V[@]}" attach notbrp notbr
	assert_output "vethctl: notbr is not a bridge"
	run -1 "${V[@]}" add x1 --bridge notbr
	assert_output "vethctl: notbr is not a bridge"
	run -1 "${V[@]}" add notbr --peer other
	assert_output "vethctl: cannot create veth pair notbr/other: an interface of that name already exists"
	"${V[@]}" bridge add br0
	run -1 "${V[@]}" bridge add br0
	assert_output "vethctl: bridge br0 already exists"
	run -1 "${V[@]}" connect "$$" --bridge notbr --addr 10.0.0.2/24
	assert_output --partial "notbr exists and is not a bridge"
}

@test "ls --json is valid and round-trips what was made" {
	container c1
	"${V[@]}" bridge add br0 --addr "$NET.7.1/24"
	"${V[@]}" add l1 --peer l1p --bridge br0 --addr "$NET.7.5/24" --mtu 1400
	"${V[@]}" connect "$c1_PID" --bridge br0 --addr "$NET.7.2/24" --host-name hl1
	run "${V[@]}" ls --json
	assert_success
	json=$output
	jq -e . <<<"$json" >/dev/null
	[ "$(jq -r '.interfaces[] | select(.name == "l1") | [.type, .state, (.mtu|tostring), .master, .peer] | join(" ")' <<<"$json")" = "veth up 1400 br0 l1p" ]
	[ "$(jq -r '.interfaces[] | select(.name == "l1") | .addresses[0]' <<<"$json")" = "$NET.7.5/24" ]
	[ "$(jq -r '.interfaces[] | select(.name == "br0") | .type' <<<"$json")" = bridge ]
	# the peer of the connect veth lives in another namespace: named there
	[ "$(jq -r '.interfaces[] | select(.name == "hl1") | .peer' <<<"$json")" = eth0 ]
	# lo only with --all
	[ -z "$(jq -r '.interfaces[] | select(.name == "lo") | .name' <<<"$json")" ]
	run "${V[@]}" -J ls --all
	[ "$(jq -r '.interfaces[] | select(.name == "lo") | .type' <<<"$output")" = loopback ]
	# and in the container
	run "$VETHCTL" --netns "$c1_PID" -J ls
	[ "$(jq -r '.interfaces[0].name' <<<"$output")" = eth0 ]
}

@test "--batch creates and deletes 200 pairs in one process" {
	for i in $(seq 1 200); do echo "add b$i --peer b${i}p"; done >"$T/add"
	for i in $(seq 1 200); do echo "del b$i"; done >"$T/del"
	"${V[@]}" --batch "$T/add"
	[ "$(in_host ip -o link show type veth | wc -l)" -eq 400 ]
	"${V[@]}" --batch - <"$T/del"
	[ "$(in_host ip -o link show type veth | wc -l)" -eq 0 ]
}

@test "--batch: quoting, comments, and the first error stops it with its line" {
	cat >"$T/batch" <<-'EOF'
		# a comment, then a blank line

		bridge add 'br0'
		add "q1" --peer q1p --bridge br0
		add q1 --peer q1x
		add q2
	EOF
	run -1 "${V[@]}" --batch "$T/batch"
	assert_output "vethctl: line 5: cannot create veth pair q1/q1x: an interface of that name already exists"
	run in_host ip -o link show q2
	assert_failure
	echo "add 'unterminated" >"$T/bad"
	run -2 "${V[@]}" --batch "$T/bad"
	assert_output --partial "vethctl: line 1: unterminated quote"
	run -1 "${V[@]}" --batch "$T/no-such-file"
	assert_output --partial "cannot read --batch $T/no-such-file"
}

@test "without CAP_NET_ADMIN the message says so and suggests a way" {
	run -1 run_unprivileged "$VETHCTL" add nv1
	assert_output "vethctl: add needs CAP_NET_ADMIN: run it as root, or inside 'unshare-lite -U -r -n'"
	# and that way works
	run run_unprivileged "$UNSHARE_LITE" -U -r -n -- "$VETHCTL" add nv1 --addr "$NET.8.1/24"
	assert_success
}

@test "bad input: exit 2 for usage, 1 for failures, the value named, nothing left" {
	in_host ip -o link show >"$T/before"
	while IFS='|' read -r rc args message; do
		# shellcheck disable=SC2086
		run "${V[@]}" $args
		[ "$status" -eq "$rc" ] || fail "'$args' exited $status, not $rc: $output"
		assert_output --partial "vethctl: $message"
	done <<-EOF
		2|add abcdefghijklmnop|invalid interface name 'abcdefghijklmnop': longer than 15 bytes
		2|add a/b|invalid interface name 'a/b'
		2|add ok --peer bad:name|invalid peer name 'bad:name'
		2|add ok --addr 10.0.0.1|invalid --addr '10.0.0.1': expected an address with a prefix
		2|add ok --addr 300.0.0.1/24|invalid --addr '300.0.0.1/24'
		2|add ok --addr 10.0.0.1/33|invalid --addr '10.0.0.1/33'
		2|add ok --mtu 10|invalid MTU '10'
		2|add ok --mtu lots|invalid MTU 'lots'
		2|add ok --mac zz:00:00:00:00:00|invalid MAC 'zz:00:00:00:00:00'
		2|add ok --mac 01:00:00:00:00:01|invalid MAC '01:00:00:00:00:01': a multicast address
		2|add ok --bogus|add: unknown option '--bogus'
		2|add|add: expected <name>
		2|add a b|add: unexpected argument 'b'
		1|add ok --peer-netns ctu-no-such-ns|no such network namespace: ctu-no-such-ns
		1|add ok --peer-netns /etc/hostname|/etc/hostname is not a namespace file
		1|add ok --bridge nosuchbr|no such interface: nosuchbr
		1|del nosuchif|no such interface: nosuchif
		2|bridge|bridge: expected add or del
		2|bridge frob x|bridge: unknown subcommand 'frob'
		2|addr add x 10.0.0.1|invalid address '10.0.0.1'
		2|addr frob x 10.0.0.1/24|addr: unknown subcommand 'frob'
		1|addr add nosuchif 10.0.0.1/24|no such interface: nosuchif
		2|route add 10.1.0.0/16|route: needs via <gw> or dev <if>
		2|route add 10.1.0.0/16 via fd00::1|route: 10.1.0.0/16 and fd00::1 are of different families
		2|route add 10.1.0.0/16 over x|route: unexpected 'over'
		2|mtu lo 70000|invalid MTU '70000'
		2|connect 1 --addr 10.0.0.2/24|connect: --bridge is required
		2|connect 1 --bridge br0|connect: --addr is required
		1|connect ctu-no-such-ns --bridge br0 --addr 10.0.0.2/24|no such network namespace: ctu-no-such-ns
		2|frobnicate|unknown command 'frobnicate'
		2|--bogus|unrecognized option '--bogus'
	EOF
	run -1 "$VETHCTL" --netns ctu-no-such-ns ls
	assert_output "vethctl: no such network namespace: ctu-no-such-ns"
	in_host ip -o link show >"$T/after"
	diff "$T/before" "$T/after"
}

@test "--help and --version" {
	run --separate-stderr "$VETHCTL" --help
	assert_success
	assert_output --partial "connect <ns>"
	run "$VETHCTL" --version
	assert_output --regexp '^vethctl from ctutils [0-9.]+$'
}

@test "every command's --help and -h: its usage on stdout, exit 0, without CAP_NET_ADMIN too" {
	for c in add del bridge attach detach move addr up down mtu route connect disconnect ls; do
		for h in --help -h; do
			run --separate-stderr "${V[@]}" $c $h
			[ "$status" -eq 0 ] || fail "$c $h exited $status: $stderr"
			[ -z "$stderr" ] || fail "$c $h wrote on stderr: $stderr"
			[ "${lines[0]}" = "Usage:" ] || fail "$c $h: ${lines[0]}"
			[[ ${lines[1]} == " vethctl $c "* ]] || fail "$c $h: ${lines[1]}"
			assert_output --partial "Example:"
		done
	done
	# after operands and options, and after the add|del word
	run "${V[@]}" add v1 --mtu 1400 --help
	assert_success
	assert_output --partial "--peer-netns <ns>"
	run "${V[@]}" bridge add br0 -h
	assert_output --partial " vethctl bridge add <br>"
	run "${V[@]}" route add default --help
	assert_output --partial " vethctl route add|del <dest>"
	# help creates nothing, and needs no privilege
	run in_host ip -o link show
	[ "${#lines[@]}" -eq 1 ]
	run run_unprivileged "$VETHCTL" connect --help
	assert_success
	assert_output --partial "--host-name <name>"
}

@test "a usage error in a command says Try 'vethctl CMD --help', also in --batch" {
	run -2 --separate-stderr "${V[@]}" add
	[ "${stderr_lines[0]}" = "vethctl: add: expected <name>" ]
	[ "${stderr_lines[1]}" = "Try 'vethctl add --help' for more information." ]
	run -2 --separate-stderr "${V[@]}" ls --bogus
	[ "${stderr_lines[1]}" = "Try 'vethctl ls --help' for more information." ]
	run -2 --separate-stderr "${V[@]}" bridge frob x
	[ "${stderr_lines[1]}" = "Try 'vethctl bridge --help' for more information." ]
	run -2 --separate-stderr "${V[@]}" addr add p1 10.0.0.1
	[ "${stderr_lines[1]}" = "Try 'vethctl addr --help' for more information." ]
	# outside any command: the tool's --help
	run -2 --separate-stderr "${V[@]}" frobnicate
	[ "${stderr_lines[1]}" = "Try 'vethctl --help' for more information." ]
	run -2 --separate-stderr "$VETHCTL" --bogus
	[ "${stderr_lines[1]}" = "Try 'vethctl --help' for more information." ]
	# --batch: "line N:" names the line, the Try line its command
	printf 'bridge add bq0\nmtu bq0 10\n' >"$T/batch"
	run -2 --separate-stderr "${V[@]}" --batch "$T/batch"
	[ "${stderr_lines[0]}" = "vethctl: line 2: invalid MTU '10': expected 68 to 65535" ]
	[ "${stderr_lines[1]}" = "Try 'vethctl mtu --help' for more information." ]
	printf 'bridge add bq1\nfrob\n' >"$T/batch"
	run -2 --separate-stderr "${V[@]}" --batch "$T/batch"
	[ "${stderr_lines[0]}" = "vethctl: line 2: unknown command 'frob'" ]
	[ "${stderr_lines[1]}" = "Try 'vethctl --help' for more information." ]
	# not a usage error: no Try line
	run -1 --separate-stderr "${V[@]}" del nosuchif
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "global options before and after the command, and on a --batch line" {
	"$VETHCTL" add g1 --netns "$H" --peer g1p
	run in_host ip -o link show g1
	assert_success
	"$VETHCTL" --netns "$H" mtu g1 1300
	before=$("$VETHCTL" --netns "$H" --json ls)
	[ "$(jq -r '.interfaces[] | select(.name == "g1") | .mtu' <<<"$before")" = 1300 ]
	for args in "-J --netns $H ls" "ls --netns $H --json" "--netns $H ls -J" "--json ls --netns $H"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$VETHCTL" $args
		assert_success
		[ "$output" = "$before" ] || fail "$args: $output"
	done
	run "$VETHCTL" ls --noheadings --raw --netns "$H"
	assert_line --regexp '^g1 veth up 1300  g1p( |$)'
	# a batch line takes the output options; --netns belongs to the whole batch
	printf 'ls --json\n' >"$T/batch"
	run --separate-stderr "$VETHCTL" --netns "$H" --batch "$T/batch"
	[ "$output" = "$before" ]
	printf 'ls --netns %s\n' "$$" >"$T/batch"
	run -2 "$VETHCTL" --netns "$H" --batch "$T/batch"
	assert_output --partial "vethctl: line 1: ls: --netns applies to the whole --batch: give it before"
}

@test "ls --json is typed: numbers, strings, null for what is absent" {
	container c1
	"${V[@]}" bridge add br0 --addr "$NET.9.1/24"
	"${V[@]}" add t1 --peer t1p --bridge br0 --mtu 1400
	"${V[@]}" connect "$c1_PID" --bridge br0 --addr "$NET.9.2/24" --host-name ht1
	run "${V[@]}" ls --json
	assert_success
	json=$output
	# every interface: the same keys, each of its type
	jq -e '.interfaces | length > 0 and all(
		(.name | type == "string") and (.ifindex | type == "number") and
		(.type | type == "string") and (.state == "up" or .state == "down") and
		(.mtu | type == "number") and (.master | type == "string" or type == "null") and
		(.peer | type == "string" or type == "null") and
		(.peer_ifindex | type == "number" or type == "null") and
		(.peer_netnsid | type == "number" or type == "null") and
		(.peer_netns | type == "string" or type == "null") and
		(.addresses | type == "array"))' <<<"$json" >/dev/null
	# a port, a veth in this namespace, and what is absent
	jq -e '.interfaces[] | select(.name == "t1") | .mtu == 1400 and .master == "br0" and
		.peer == "t1p" and (.peer_ifindex | type == "number") and .peer_netnsid == null and
		.peer_netns == null' <<<"$json" >/dev/null
	jq -e '.interfaces[] | select(.name == "br0") | .master == null and .peer == null and
		.peer_ifindex == null and any(.addresses[]; . == "'"$NET"'.9.1/24")' <<<"$json" >/dev/null
	# ifindex as ip(8) has it
	[ "$(jq '.interfaces[] | select(.name == "t1") | .ifindex' <<<"$json")" = "$(in_host cat /sys/class/net/t1/ifindex 2>/dev/null || in_host ip -o link show t1 | cut -d: -f1)" ]
	# a veth whose peer is elsewhere: its namespace id a number
	jq -e '.interfaces[] | select(.name == "ht1") | (.peer_netnsid | type == "number") and .peer == "eth0"' <<<"$json" >/dev/null
}

@test "ls names a peer in another namespace: by /run/netns name, else by namespace id" {
	container c1
	ns=$(ctu_name p)
	ip netns add "$ns"
	ctu_cleanup_add netns "$ns"
	"${V[@]}" connect "$c1_PID" --bridge br0 --addr "$NET.10.2/24" --host-name hp1
	"${V[@]}" add hp2 --peer inner2 --peer-netns "$ns"
	run "${V[@]}" ls --noheadings --raw
	assert_success
	# a namespace without a name: its id, which ip(8) shows as link-netnsid
	nsid=$(in_host ip -d -o link show hp1 | grep -o 'link-netns[a-z]* [^ ]*' | awk '{print $2}')
	[ -n "$nsid" ]
	assert_line --regexp "^hp1 veth up 1500 br0 eth0@netnsid$nsid( |\$)"
	assert_line --regexp "^hp2 veth up 1500  inner2@$ns( |\$)"
	json=$("${V[@]}" ls --json)
	jq -e '.interfaces[] | select(.name == "hp1") | .peer == "eth0" and .peer_netnsid == '"$nsid"' and .peer_netns == null' <<<"$json" >/dev/null
	jq -e '.interfaces[] | select(.name == "hp2") | .peer == "inner2" and .peer_netns == "'"$ns"'" and (.peer_netnsid | type == "number")' <<<"$json" >/dev/null
	# from inside, the host's end is named too
	run "$VETHCTL" --netns "$ns" ls --noheadings --raw
	assert_line --regexp "^inner2 veth up 1500  hp2@"
}

@test "ls: when the kernel will not name the peer (no CAP_NET_ADMIN there), ifN@netnsidM" {
	require_kernel_feature userns
	chmod 0777 "$T"
	run_unprivileged "$UNSHARE_LITE" -r -n --pidfile "$T/u.pid" sleep 1000 >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/u.pid" || fail "the rootless container did not start"
	u=$(cat "$T/u.pid")
	ctu_cleanup_add pid "$u"
	# a pair between the test's namespace (owned by root) and the rootless one
	in_host ip link add ur0 type veth peer name ur0p netns "$u"
	idx=$(in_host cat /sys/class/net/ur0/ifindex 2>/dev/null || in_host ip -o link show ur0 | cut -d: -f1)
	run run_unprivileged "$NSENTER_LITE" -t "$u" -U -n "$VETHCTL" ls --noheadings --raw
	assert_success
	assert_line --regexp "^ur0p veth down 1500  if$idx@netnsid[0-9]+ \$"
	run run_unprivileged "$NSENTER_LITE" -t "$u" -U -n "$VETHCTL" ls --json
	jq -e '.interfaces[] | select(.name == "ur0p") | .peer == null and .peer_ifindex == '"$idx"' and (.peer_netnsid | type == "number")' <<<"$output" >/dev/null
	# root, over both, gets the name
	run "${V[@]}" ls --noheadings --raw
	assert_line --regexp "ur0 veth down 1500  ur0p@netnsid[0-9]+"
}
