#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# vethctl's NAT and published ports (nat, publish, unpublish, connect
# --publish --nat, gc, save): one nftables table, `inet ctutils`, read back
# with `nft -j list table inet ctutils` in the namespace.  The topology
# (tests/helpers/nat.bash) is made of named network namespaces of this run
# only: an outside O, a "host" H and containers A and B on H's bridge ctu0.
# Traffic goes only between the addresses the test assigned there.
#
# The oracle is Debian's containernetworking-plugins (bridge with ipMasq and
# hairpinMode, then portmap), run on the same topology: the traffic matrix of
# our CLI must equal the reference's but for the CVE-2020-8558 row, which
# the reference lets through and we drop; our plugin (the same conflist with
# "type": "ctutils-bridge", through `vethctl cni add`) must equal our CLI.

load helpers
load helpers/nat

setup() {
	nat_require
	T=$(ctu_tmpdir)
}

# V: vethctl in H
v() { "$VETHCTL" --netns "$H" "$@"; }

# a topology with A and B plugged in by hand (no NAT, nothing published):
# for the tests of the commands alone
plugged() {
	nat_topology
	v bridge add ctu0 --addr "$NAT_GW/24"
	v connect "$A" --bridge ctu0 --addr "$NAT_A/24" --host-name vpa
	v connect "$B" --bridge ctu0 --addr "$NAT_B/24" --host-name vpb
}

# assert_table_unchanged BEFORE: the table as nat_snapshot saw it before
assert_table_unchanged() {
	local now
	now=$(nat_snapshot)
	[ "$now" = "$1" ] || fail "the table changed: $(diff <(echo "$1") <(echo "$now") | head -n 20)"
}

# ---- the traffic matrix: the reference, then our CLI against it ------------

matrix_reference() {
	nat_topology r
	nat_brnf "$1"
	nat_setup_oracle
	nat_listeners
	nat_matrix >"$T/reference.$1"
}

@test "matrix: the reference (Debian bridge + portmap), bridge-nf-call-iptables=0, gives the spec's rows" {
	matrix_reference 0
	# the reference lets the CVE-2020-8558 datagram through: the only difference
	diff <(nat_expected | sed 's/^A-localnet fail$/A-localnet reached/') "$T/reference.0"
	nat_teardown_oracle
	[ "$(nat_probe "$O" tcp "$NAT_HOST" 8080)" = fail ]
}

@test "matrix: the reference, bridge-nf-call-iptables=1, gives the spec's rows" {
	matrix_reference 1
	diff <(nat_expected | sed 's/^A-localnet fail$/A-localnet reached/') "$T/reference.1"
}

matrix_cli() {
	matrix_reference "$1"
	nat_topology c
	nat_brnf "$1"
	nat_setup_cli
	nat_listeners
	nat_matrix >"$T/cli.$1"
	# every row as the spec says, and as the reference but for the last
	diff <(nat_expected) "$T/cli.$1"
	diff <(grep -v '^A-localnet' "$T/reference.$1") <(grep -v '^A-localnet' "$T/cli.$1")
	# --publish implies hairpin mode on the host end of A (what makes its own
	# port reachable when br_netfilter DNATs while bridging)
	[ "$(ip -n "$H" -j -d link show master ctu0 | jq -r '[.[] | .linkinfo.info_slave_data.hairpin] | any')" = true ]
	# unplugged: nothing reaches A from outside, no element remains
	nat_teardown_cli
	[ "$(nat_probe "$O" tcp "$NAT_HOST" 8080)" = fail ]
	[ "$(nat_probe "$O" udp "$NAT_HOST" 5353)" = fail ]
	run nat_elements
	assert_output ''
}

@test "matrix: our CLI (connect --publish --nat) equals the reference, bridge-nf-call-iptables=0" {
	matrix_cli 0
}

@test "matrix: our CLI equals the reference, bridge-nf-call-iptables=1 (DNAT while bridging: hairpin on the port)" {
	matrix_cli 1
}

# our plugin (the reference's conflist, "type": "ctutils-bridge") through
# `vethctl cni add`: the rows of our CLI, all of them
matrix_plugin() {
	nat_topology c
	nat_brnf "$1"
	nat_setup_cli
	nat_listeners
	nat_matrix >"$T/cli.$1"
	nat_topology p
	nat_brnf "$1"
	nat_setup_plugin
	nat_listeners
	nat_matrix >"$T/plugin.$1"
	diff <(nat_expected) "$T/plugin.$1"
	diff "$T/cli.$1" "$T/plugin.$1"
	# hairpinMode: on the host end of each port
	[ "$(ip -n "$H" -j -d link show master ctu0 | jq -r '[.[] | .linkinfo.info_slave_data.hairpin] | all')" = true ]
	# the elements are the attachments': owner cni:HASH16:NET:CID12:IFNAME
	run nat_elems pub4any
	assert_line --regexp "^tcp \. 8080 : $NAT_A \. 80 # cni:[0-9a-f]{16}:ctuplug:cid-a:eth0\$"
	# deleted: nothing reaches A from outside, no element remains, no cache entry
	nat_teardown_plugin
	[ "$(nat_probe "$O" tcp "$NAT_HOST" 8080)" = fail ]
	[ "$(nat_probe "$O" udp "$NAT_HOST" 5353)" = fail ]
	run nat_elements
	assert_output ''
	run find "$NAT_CNI/cache" -type f
	assert_output ''
}

@test "matrix: our plugin through vethctl cni add equals our CLI, bridge-nf-call-iptables=0" {
	matrix_plugin 0
}

@test "matrix: our plugin through vethctl cni add equals our CLI, bridge-nf-call-iptables=1" {
	matrix_plugin 1
}

@test "curl, busybox nc and socat reach a published busybox httpd through H's address and 127.0.0.1" {
	require_cmd curl busybox
	plugged
	mkdir -p "$T/www"
	echo "hello from A" >"$T/www/index.html"
	ip netns exec "$A" busybox httpd -f -p 80 -h "$T/www" </dev/null >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
	v publish "8080:$NAT_A:80"
	for ((i = 0; i < 50; i++)); do ip netns exec "$A" ss -H -ltn 'sport = :80' | grep -q . && break; sleep 0.05; done
	run timeout 5 ip netns exec "$O" curl -sS --max-time 3 "http://$NAT_HOST:8080/"
	assert_output "hello from A"
	run timeout 5 ip netns exec "$H" curl -sS --max-time 3 "http://127.0.0.1:8080/"
	assert_output "hello from A"
	run bash -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 ip netns exec '$O' busybox nc -w 3 $NAT_HOST 8080"
	assert_output --partial "hello from A"
	run bash -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 ip netns exec '$B' socat -t 3 - TCP:$NAT_HOST:8080"
	assert_output --partial "hello from A"
}

@test "IPv6: publish [2001:db8::1]:8080:[fd00:7::2]:80 reaches A from O, and A's own port" {
	plugged
	ip -n "$H" addr add fd00:7::1/64 dev ctu0 nodad
	ip -n "$A" addr add fd00:7::2/64 dev eth0 nodad
	ip -n "$A" route add default via fd00:7::1
	ip -n "$B" addr add fd00:7::3/64 dev eth0 nodad
	ip -n "$B" route add default via fd00:7::1
	ip netns exec "$H" sysctl -qw net.ipv6.conf.all.forwarding=1
	nat_listen "$A" tcp6 80
	v publish "[$NAT_HOST6]:8080:[fd00:7::2]:80"
	[ "$(nat_probe "$O" tcp "$NAT_HOST6" 8080)" = "$NAT_OUT6" ]
	# hairpin: B through H's address, seen as the bridge's address
	[ "$(nat_probe "$B" tcp "$NAT_HOST6" 8080)" = fd00:7::1 ]
	run v publish ls --json
	jq -e '.published[] | select(.family == "ipv6" and .host == "2001:db8::1" and .port == 8080 and .target == "fd00:7::2" and .target_port == 80)' <<<"$output" >/dev/null
	v unpublish "[$NAT_HOST6]:8080"
	[ "$(nat_probe "$O" tcp "$NAT_HOST6" 8080)" = fail ]
}

# ---- the layout ----------------------------------------------------------------

@test "layout: the maps, sets and chains of the contract, hooked where it says" {
	plugged
	v publish "8080:$NAT_A:80"
	v nat add "$NAT_SUBNET.0/24"
	json=$(nat_table)
	[ -n "$json" ] || fail "no table inet ctutils in H"
	# maps and sets: their types; the port maps are hashes (no interval flag)
	jq -e '[.nftables[] | .map | select(.)] | map({(.name): {type, map, flags}}) | add
		| .pub4.type == ["ipv4_addr", "inet_proto", "inet_service"] and .pub4.map == "ipv4_addr . inet_service"
		and .pub4any.type == ["inet_proto", "inet_service"] and .pub4any.map == "ipv4_addr . inet_service"
		and .pub6.type == ["ipv6_addr", "inet_proto", "inet_service"] and .pub6.map == "ipv6_addr . inet_service"
		and .pub6any.type == ["inet_proto", "inet_service"] and .pub6any.map == "ipv6_addr . inet_service"
		and .pub4.flags == null and .pub4any.flags == null and .pub6.flags == null and .pub6any.flags == null
		and .masq4.type == "ipv4_addr" and .masq4.map == "verdict" and .masq4.flags == ["interval"]
		and .masq6.type == "ipv6_addr" and .masq6.flags == ["interval"]' <<<"$json" >/dev/null ||
		fail "the maps are not as the layout says: $(jq -c '.nftables[] | .map | select(.) | {name, type, map, flags}' <<<"$json")"
	jq -e '[.nftables[] | .set | select(.)] | map({(.name): {type, flags}}) | add
		| .hairpin4.type == ["ipv4_addr", "ipv4_addr"] and .hairpin4.flags == ["interval"]
		and .hairpin6.type == ["ipv6_addr", "ipv6_addr"]
		and .natsrc4.type == "ipv4_addr" and .natsrc4.flags == ["interval"]
		and .natsrc6.type == "ipv6_addr" and .localnet.type == "ifname"' <<<"$json" >/dev/null ||
		fail "the sets are not as the layout says: $(jq -c '.nftables[] | .set | select(.) | {name, type, flags}' <<<"$json")"
	# base chains: hook and priority
	run jq -r '.nftables[] | .chain | select(. and .hook) | "\(.name) \(.type) \(.hook) \(.prio)"' <<<"$json"
	assert_line "pre nat prerouting -100"
	assert_line "out nat output -100"
	assert_line "post nat postrouting 100"
	assert_line "forward_ct filter forward 0"
	assert_line "raw filter prerouting -300"
	run nat_chains
	assert_line pub
	assert_line nat4-10_88_7_0-24
	# the per-EXCEPT chain: its subnet and multicast return, the rest masqueraded
	jq -e '.nftables[] | .rule | select(. and .chain == "nat4-10_88_7_0-24") | .expr[] | select(has("masquerade"))' <<<"$json" >/dev/null
	# the element of the mapping, its owner in the comment
	run nat_elems pub4any
	assert_output "tcp . 8080 : $NAT_A . 80 # cli"
	run nat_elems masq4
	assert_output "$NAT_SUBNET.0/24 : jump nat4-10_88_7_0-24 # cli"
	run nat_elems natsrc4
	assert_output "$NAT_SUBNET.0/24 # cli"
	run nat_elems hairpin4
	assert_output --regexp "^$NAT_SUBNET.0/24 . $NAT_A( |$)"
}

@test "a command run from another namespace with --netns changes only NS" {
	plugged
	X=$(ctu_name x)
	ip netns add "$X"
	ctu_cleanup_add netns "$X"
	ip netns exec "$X" "$VETHCTL" --netns "$H" publish "8080:$NAT_A:80"
	ip netns exec "$X" "$VETHCTL" --netns "$H" nat add "$NAT_SUBNET.0/24"
	[ -n "$(nat_table "$H")" ]
	[ -z "$(nat_table "$X")" ]
	[ "$(ip netns exec "$X" sysctl -n net.ipv4.ip_forward)" = 0 ]
}

# ---- publish, unpublish, publish ls ---------------------------------------------

@test "publish: wildcard into pub4any, a HOSTIP into pub4, --owner user:NAME; publish ls and --json" {
	plugged
	v publish "8080:$NAT_A:80" "$NAT_HOST:8443:$NAT_A:443" "5353:$NAT_B:53/udp"
	v publish "9000:$NAT_B:9000/sctp" --owner web
	run nat_elems pub4any
	assert_line "tcp . 8080 : $NAT_A . 80 # cli"
	assert_line "udp . 5353 : $NAT_B . 53 # cli"
	assert_line "sctp . 9000 : $NAT_B . 9000 # user:web"
	run nat_elems pub4
	assert_output "$NAT_HOST . tcp . 8443 : $NAT_A . 443 # cli"
	run v publish ls
	assert_success
	assert_line --regexp "^HOST +PORT +PROTO +TARGET +OWNER"
	assert_line --regexp "^\* +8080 +tcp +$NAT_A:80 +cli$"
	assert_line --regexp "^$NAT_HOST +8443 +tcp +$NAT_A:443 +cli$"
	assert_line --regexp "^\* +9000 +sctp +$NAT_B:9000 +user:web$"
	run v publish ls --json
	assert_success
	jq -e '.published | length == 4' <<<"$output" >/dev/null
	jq -e '.published[] | select(.port == 8080) == {"family":"ipv4","host":"0.0.0.0","port":8080,"port_end":8080,
		"proto":"tcp","target":"'"$NAT_A"'","target_port":80,"target_port_end":80,"owner":"cli"}' <<<"$output" >/dev/null
	jq -e 'all(.published[]; (.port | type == "number") and (.port_end | type == "number") and
		(.target_port | type == "number") and (.host | type == "string") and (.owner | type == "string"))' <<<"$output" >/dev/null
}

@test "publish a range: one element per port, publish ls collapses them into one line" {
	plugged
	v publish "$NAT_HOST:5300-5309:$NAT_B:53-62/udp"
	[ "$(nat_elems pub4 | wc -l)" -eq 10 ]
	run nat_elems pub4
	assert_line "$NAT_HOST . udp . 5300 : $NAT_B . 53 # cli"
	assert_line "$NAT_HOST . udp . 5309 : $NAT_B . 62 # cli"
	run v publish ls --noheadings
	assert_output --regexp "^$NAT_HOST +5300-5309 +udp +$NAT_B:53-62 +cli$"
	run v publish ls --json
	jq -e '.published == [{"family":"ipv4","host":"'"$NAT_HOST"'","port":5300,"port_end":5309,"proto":"udp",
		"target":"'"$NAT_B"'","target_port":53,"target_port_end":62,"owner":"cli"}]' <<<"$output" >/dev/null
	# a range reaches its ports
	nat_listen "$B" udp 60
	[ "$(nat_probe "$O" udp "$NAT_HOST" 5307)" = "$NAT_OUT" ]
	v unpublish "$NAT_HOST:5300-5309/udp"
	run nat_elems pub4
	assert_output ''
}

@test "publish of several SPECs is one transaction: a taken key fails it all, naming the owner" {
	plugged
	v publish "8080:$NAT_A:80"
	before=$(nat_snapshot)
	run -1 v publish "9090:$NAT_B:90" "8080:$NAT_B:81"
	assert_output "vethctl: publish 8080/tcp: already published to $NAT_A:80 by cli"
	assert_table_unchanged "$before"
	# the same key with another owner is taken too
	run -1 v publish "8080:$NAT_A:80" --owner other
	assert_output --partial "publish 8080/tcp: already published to $NAT_A:80 by cli"
	# another proto of the same port is another key
	v publish "8080:$NAT_B:80/udp"
}

@test "a wildcard and a specific mapping of one proto/port conflict, both ways" {
	plugged
	v publish "8080:$NAT_A:80"
	before=$(nat_snapshot)
	run -1 v publish "$NAT_HOST:8080:$NAT_B:80"
	assert_output --partial "publish 8080/tcp: already published to $NAT_A:80 by cli"
	assert_table_unchanged "$before"
	v unpublish 8080
	v publish "$NAT_HOST:8081:$NAT_B:80" --owner spec
	before=$(nat_snapshot)
	run -1 v publish "8081:$NAT_A:80"
	# the key named with its host address, or without
	assert_output --regexp "publish ($NAT_HOST:)?8081/tcp: already published to $NAT_B:80 by user:spec"
	assert_table_unchanged "$before"
	# the other family's wildcard is no conflict
	ip -n "$H" addr add fd00:7::1/64 dev ctu0 nodad
	ip -n "$A" addr add fd00:7::2/64 dev eth0 nodad
	v publish "[::]:8081:[fd00:7::2]:80"
}

@test "publish to a TARGETIP with no route in NS fails, naming it, adding nothing" {
	plugged
	v publish "8080:$NAT_A:80"
	before=$(nat_snapshot)
	run -1 v publish "8081:203.0.113.9:80"
	assert_output --regexp "^vethctl: .*203\.0\.113\.9"
	assert_table_unchanged "$before"
}

@test "unpublish: by SPEC (the target must match if given), --owner, a free key fails" {
	plugged
	v publish "8080:$NAT_A:80" "8081:$NAT_A:81" "$NAT_HOST:8082:$NAT_A:82"
	v publish "9001:$NAT_B:1" "9002:$NAT_B:2" --owner grp
	before=$(nat_snapshot)
	run -1 v unpublish "8080:$NAT_B:80"
	assert_output --regexp "^vethctl: .*8080"
	assert_table_unchanged "$before"
	run -1 v unpublish 7070
	assert_output --regexp "^vethctl: .*7070"
	assert_table_unchanged "$before"
	# one free among taken ones: nothing removed
	run -1 v unpublish 8080 7070
	assert_table_unchanged "$before"
	v unpublish "8080:$NAT_A:80" 8081/tcp
	v unpublish "$NAT_HOST:8082"
	v unpublish --owner grp
	run nat_elems pub4any
	assert_output ''
	run nat_elems pub4
	assert_output ''
}

# ---- nat ----------------------------------------------------------------------

@test "nat add|del|ls: the source, its EXCEPT chain, --json; del of an absent source fails" {
	plugged
	v nat add "$NAT_SUBNET.0/24"
	v nat add 10.77.0.0/16 --owner lab
	run v nat ls
	assert_line --regexp "^SOURCE +OUT +EXCEPT +FWD +OWNER +BLOCKEDBY"
	assert_line --regexp "^$NAT_SUBNET\.0/24 +.* +$NAT_SUBNET\.0/24 +.* +cli"
	assert_line --regexp "^10\.77\.0\.0/16 +.*user:lab"
	run v nat ls --json
	jq -e '.nat[] | select(.source == "'"$NAT_SUBNET"'.0/24") == {"family":"ipv4","source":"'"$NAT_SUBNET"'.0/24",
		"except":"'"$NAT_SUBNET"'.0/24","out":[],"forwarding":true,"owner":"cli","blocked_by":null}' <<<"$output" >/dev/null ||
		fail "nat ls --json: $output"
	# A reaches O, seen as H
	nat_listen "$O" tcp 9000
	[ "$(nat_probe "$A" tcp "$NAT_OUT" 9000)" = "$NAT_HOST" ]
	v nat del "$NAT_SUBNET.0/24"
	[ "$(nat_probe "$A" tcp "$NAT_OUT" 9000)" = fail ]
	run nat_chains
	refute_line nat4-10_88_7_0-24
	before=$(nat_snapshot)
	run -1 v nat del "$NAT_SUBNET.0/24"
	assert_output --regexp "^vethctl: .*$NAT_SUBNET\.0/24"
	assert_table_unchanged "$before"
}

@test "nat add of a source overlapping another fails naming it and its owner" {
	plugged
	v nat add 10.88.0.0/16 --owner big
	before=$(nat_snapshot)
	run -1 v nat add "$NAT_SUBNET.0/24"
	assert_output --regexp "^vethctl: .*10\.88\.0\.0/16.*user:big"
	assert_table_unchanged "$before"
	run -1 v nat add 10.0.0.0/8
	assert_output --regexp "^vethctl: .*10\.88\.0\.0/16.*user:big"
	assert_table_unchanged "$before"
}

@test "nat add IFACE: each of its global prefixes; --out: the chain name hashes the names" {
	plugged
	ip -n "$H" addr add 10.66.0.1/24 dev ctu0
	ip -n "$H" addr add fd00:7::1/64 dev ctu0 nodad
	v nat add ctu0
	run nat_elems natsrc4
	assert_line "$NAT_SUBNET.0/24 # cli"
	assert_line "10.66.0.0/24 # cli"
	run nat_elems natsrc6
	assert_line "fd00:7::/64 # cli"
	run nat_chains
	assert_line nat6-fd00_7__-64
	v nat del ctu0
	v nat add "$NAT_SUBNET.0/24" --out eo
	run nat_chains
	assert_line --regexp '^nat4-10_88_7_0-24-o[0-9a-f]{8}$'
	json=$(nat_table)
	jq -e '.nftables[] | .rule | select(. and (.chain | startswith("nat4-10_88_7_0-24-o"))) | .expr[] | select(.match.left.meta.key == "oifname")' <<<"$json" >/dev/null
	run v nat ls --json
	jq -e '.nat[0].out == ["eo"]' <<<"$output" >/dev/null
}

@test "forwarding is turned on only when needed, and said; never reset" {
	plugged
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.ip_forward)" = 0 ]
	# a loopback-only mapping needs none
	run --separate-stderr v publish "127.0.0.1:8080:$NAT_A:80"
	assert_success
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.ip_forward)" = 0 ]
	run --separate-stderr v nat add "$NAT_SUBNET.0/24"
	assert_success
	[ "$stderr" = "vethctl: net.ipv4.ip_forward was 0, now 1 in $H" ] || fail "stderr: $stderr"
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.ip_forward)" = 1 ]
	run --separate-stderr v publish "8081:$NAT_A:81"
	[ -z "$stderr" ] || fail "said again: $stderr"
	v nat del "$NAT_SUBNET.0/24"
	v unpublish 8081
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.ip_forward)" = 1 ]
}

@test "another table's forward chain with policy drop: nat add and publish warn naming it, nat ls shows it" {
	require_cmd iptables
	plugged
	ip netns exec "$H" iptables -P FORWARD DROP
	run --separate-stderr v nat add "$NAT_SUBNET.0/24"
	assert_success
	[[ $stderr == *"ip filter FORWARD"* ]] || fail "no warning naming ip filter FORWARD: $stderr"
	run --separate-stderr v publish "8080:$NAT_A:80"
	[[ $stderr == *"ip filter FORWARD"* ]] || fail "no warning naming ip filter FORWARD: $stderr"
	run v nat ls --json
	jq -e '.nat[0].blocked_by == "ip filter FORWARD"' <<<"$output" >/dev/null
	run v nat ls
	assert_line --regexp "ip filter FORWARD\$"
	# we never edit other tables
	run ip netns exec "$H" iptables -S FORWARD
	assert_line "-P FORWARD DROP"
}

# ---- hairpin, route_localnet ------------------------------------------------------

@test "hairpin: a target's first mapping adds PREFIX . TARGET, its last removes it" {
	plugged
	v publish "8080:$NAT_A:80"
	v publish "8081:$NAT_A:81"
	run nat_elems hairpin4
	assert_output --regexp "^$NAT_SUBNET\.0/24 \. $NAT_A( #|$)"
	[ "${#lines[@]}" -eq 1 ]
	v unpublish 8080
	run nat_elems hairpin4
	[ "${#lines[@]}" -eq 1 ]
	v unpublish 8081
	run nat_elems hairpin4
	assert_output ''
}

@test "route_localnet: a wildcard mapping sets it on the target's interface with the raw drop; restored at the last" {
	plugged
	ip netns exec "$H" sysctl -qw net.ipv4.conf.ctu0.route_localnet=0
	# a specific HOSTIP does not need it
	v publish "$NAT_HOST:8443:$NAT_A:443"
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.conf.ctu0.route_localnet)" = 0 ]
	v publish "8080:$NAT_A:80"
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.conf.ctu0.route_localnet)" = 1 ]
	run nat_elems localnet
	assert_output --regexp '^ctu0( #|$)'
	v publish "127.0.0.1:8081:$NAT_B:81"
	v unpublish 8080
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.conf.ctu0.route_localnet)" = 1 ]
	v unpublish 127.0.0.1:8081
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.conf.ctu0.route_localnet)" = 0 ]
	run nat_elems localnet
	assert_output ''
}

@test "the CVE-2020-8558 drop: with 127.0.0.1 published, a container cannot reach H's loopback services" {
	plugged
	v publish "127.0.0.1:8080:$NAT_A:80"
	nat_listeners
	[ "$(nat_probe "$H" tcp 127.0.0.1 8080)" = "$NAT_GW" ]
	[ "$(nat_localnet_probe)" = fail ]
	# the drop is ours: without it (route_localnet alone) the datagram gets through
	v unpublish 127.0.0.1:8080
	ip netns exec "$H" sysctl -qw net.ipv4.conf.ctu0.route_localnet=1
	[ "$(nat_localnet_probe)" = reached ]
}

# ---- conntrack ----------------------------------------------------------------------

@test "UDP: adding a mapping and removing one deletes the conntrack entries of that destination" {
	require_cmd conntrack
	plugged
	nat_listen "$A" udp 53
	nat_listen "$B" udp 53
	# a table first, so that H tracks connections at all
	v publish "8080:$NAT_A:80"
	# a datagram before the mapping: an entry to H itself, which would keep
	# every later datagram of that flow off the new mapping
	[ "$(nat_probe "$O" udp "$NAT_HOST" 5353 ,sourceport=40053)" = fail ]
	run ip netns exec "$H" conntrack -L -p udp --orig-port-dst 5353
	assert_output --partial "sport=40053"
	v publish "5353:$NAT_A:53/udp"
	run ip netns exec "$H" conntrack -L -p udp --orig-port-dst 5353
	refute_output --partial "sport=40053"
	[ "$(nat_probe "$O" udp "$NAT_HOST" 5353 ,sourceport=40053)" = "$NAT_OUT" ]
	# moved to B: the flow's entry (DNATed to A) goes with the old mapping
	v unpublish 5353/udp
	run ip netns exec "$H" conntrack -L -p udp --orig-port-dst 5353
	refute_output --partial "sport=40053"
	v publish "5353:$NAT_B:53/udp"
	run ip netns exec "$H" conntrack -L -p udp --orig-port-dst 5353
	refute_output --partial "dst=$NAT_A"
	[ "$(nat_probe "$O" udp "$NAT_HOST" 5353 ,sourceport=40053)" = "$NAT_OUT" ]
	run ip netns exec "$H" conntrack -L -p udp --orig-port-dst 5353
	assert_output --partial "src=$NAT_B"
}

# ---- connect --publish --nat, disconnect, gc, save ----------------------------------

@test "connect --publish --nat: owner veth:HOSTEND, hairpin on the port; disconnect drops them all" {
	nat_topology
	v bridge add ctu0 --addr "$NAT_GW/24"
	v connect "$A" --bridge ctu0 --addr "$NAT_A/24" --host-name vpa --publish 8080:80 --publish 127.0.0.1:8053:53/udp --nat
	run nat_elems pub4any
	assert_output "tcp . 8080 : $NAT_A . 80 # veth:vpa"
	run nat_elems pub4
	assert_output "127.0.0.1 . udp . 8053 : $NAT_A . 53 # veth:vpa"
	run nat_elems masq4
	assert_output --regexp "^$NAT_A(/32)? : jump nat4-10_88_7_0-24 # veth:vpa$"
	run ip -n "$H" -j -d link show vpa
	[ "$(jq -r '.[0].linkinfo.info_slave_data.hairpin' <<<"$output")" = true ]
	# a cli mapping aimed at A goes with it too; B's stays
	v connect "$B" --bridge ctu0 --addr "$NAT_B/24" --host-name vpb
	v publish "9090:$NAT_A:90" "9091:$NAT_B:91"
	v disconnect "$A"
	run nat_elems pub4any
	assert_output "tcp . 9091 : $NAT_B . 91 # cli"
	run nat_elems masq4
	assert_output ''
	run nat_elems localnet
	assert_output --regexp '^ctu0( #|$)'
	v unpublish 9091
	[ "$(ip netns exec "$H" sysctl -n net.ipv4.conf.ctu0.route_localnet)" = 0 ]
}

@test "connect --publish of a taken port: checked before any link exists, nothing made" {
	plugged
	v publish "8080:$NAT_B:80" --owner first
	ip -n "$H" -o link show >"$T/links.before"
	before=$(nat_snapshot)
	C=$(ctu_name c)
	ip netns add "$C"
	ctu_cleanup_add netns "$C"
	run -1 v connect "$C" --bridge ctu0 --addr "$NAT_SUBNET.4/24" --publish 8080:80
	assert_output --partial "publish 8080/tcp: already published to $NAT_B:80 by user:first"
	ip -n "$H" -o link show >"$T/links.after"
	diff "$T/links.before" "$T/links.after"
	assert_table_unchanged "$before"
	run ip -n "$C" -o link show
	[ "${#lines[@]}" -eq 1 ]
	# and a bad PSPEC is a usage error before anything
	run -2 v connect "$C" --bridge ctu0 --addr "$NAT_SUBNET.4/24" --publish 80:0
	assert_output --partial "80:0"
	run -2 v connect "$C" --bridge ctu0 --addr "$NAT_SUBNET.4/24" --publish banana
	assert_output --partial banana
}

@test "gc drops the veth: elements whose host end is gone; --dry-run says what it would remove" {
	plugged
	v disconnect "$A"
	v connect "$A" --bridge ctu0 --addr "$NAT_A/24" --host-name vpa --publish 8080:80
	v publish "9090:$NAT_B:90"
	# the container goes without a disconnect: its veth with it
	for p in $(ip netns pids "$A"); do kill "$p"; done
	ip netns del "$A"
	for ((i = 0; i < 50; i++)); do ip -n "$H" link show vpa >/dev/null 2>&1 || break; sleep 0.1; done
	before=$(nat_snapshot)
	run v gc --dry-run
	assert_success
	assert_line "would remove publish 8080/tcp (veth:vpa)"
	assert_table_unchanged "$before"
	v gc
	run nat_elems pub4any
	assert_output "tcp . 9090 : $NAT_B . 90 # cli"
	run v gc --dry-run
	assert_output ''
}

@test "save | vethctl --netns N2 --batch - reproduces publish ls --json and nat ls --json" {
	plugged
	v publish "8080:$NAT_A:80" "$NAT_HOST:5300-5309:$NAT_B:53-62/udp"
	v publish "9000:$NAT_B:9000" --owner web
	v nat add "$NAT_SUBNET.0/24" --owner web
	# a veth: element is not saved (connect makes it again)
	v disconnect "$A"
	v connect "$A" --bridge ctu0 --addr "$NAT_A/24" --host-name vpa --publish 7000:70
	run --separate-stderr v save
	assert_success
	saved=$output
	refute_output --partial 7000
	# the same topology, empty
	pub=$(v publish ls --json | jq -c '.published | map(select(.owner | startswith("veth:") | not))')
	nat=$(v nat ls --json | jq -c '.nat | map(select(.owner | startswith("veth:") | not))')
	H1=$H
	nat_topology n2
	v bridge add ctu0 --addr "$NAT_GW/24"
	v connect "$A" --bridge ctu0 --addr "$NAT_A/24"
	v connect "$B" --bridge ctu0 --addr "$NAT_B/24"
	v --batch - <<<"$saved"
	[ "$(v publish ls --json | jq -c .published)" = "$pub" ]
	[ "$(v nat ls --json | jq -c '.nat | map(.blocked_by = null)')" = "$(jq -c 'map(.blocked_by = null)' <<<"$nat")" ]
	# nft flush ruleset (nftables.service) drops the table: save re-applies it
	ip netns exec "$H1" nft flush ruleset
	H=$H1 v --batch - <<<"$saved"
	[ "$(H=$H1 v publish ls --json | jq -c '.published | map(select(.owner | startswith("veth:") | not))')" = "$pub" ]
}

@test "two parallel publishes of one port: one wins, the other names it" {
	plugged
	v publish "9999:$NAT_A:99" # the table exists: the race is on the element
	for i in 1 2 3 4 5; do
		v publish "8080:$NAT_A:80" >"$T/p1.out" 2>&1 &
		p1=$!
		v publish "8080:$NAT_B:80" >"$T/p2.out" 2>&1 &
		p2=$!
		rc1=0 rc2=0
		wait "$p1" || rc1=$?
		wait "$p2" || rc2=$?
		[ $((rc1 + rc2)) -eq 1 ] || fail "round $i: exit $rc1 and $rc2: $(cat "$T/p1.out" "$T/p2.out")"
		cat "$T/p1.out" "$T/p2.out" | grep -q "publish 8080/tcp: already published to $NAT_SUBNET.[23]:80 by cli" ||
			fail "round $i: the loser did not name the winner: $(cat "$T/p1.out" "$T/p2.out")"
		[ "$(nat_elems pub4any | grep -c ' 8080 ')" -eq 1 ]
		v unpublish 8080
	done
}

@test "the per-namespace lock is gone when the commands end, even after parallel ones" {
	plugged
	local ino pids=() p
	ino=$(ip netns exec "$H" stat -L -c %i /proc/self/ns/net)
	for i in 1 2 3 4 5 6; do
		v publish "$((7000 + i)):$NAT_A:80" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fail "a parallel publish failed"; done
	[ "$(nat_elems pub4any | grep -c ' 700[1-6] ')" -eq 6 ]
	[ ! -e "/run/ctutils/lock/net-$ino" ] || fail "the lock file of $H is left behind"
}

@test "1000 ports in one publish: one transaction, listed, removed by --owner" {
	plugged
	specs=()
	for ((i = 0; i < 1000; i++)); do specs+=("$((20000 + i)):$NAT_A:$((30000 + i))"); done
	t0=$EPOCHREALTIME
	v publish "${specs[@]}" --owner bulk
	t1=$EPOCHREALTIME
	[ "$(nat_elems pub4any | wc -l)" -eq 1000 ]
	# consecutive ports to consecutive targets: one line
	run v publish ls --noheadings
	assert_output --regexp "^\* +20000-20999 +tcp +$NAT_A:30000-30999 +user:bulk$"
	# far from the bench's 1 s target, only to catch a per-port transaction
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 5) }' || fail "publish of 1000 ports took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
	nat_listen "$A" tcp 30999
	[ "$(nat_probe "$O" tcp "$NAT_HOST" 20999)" = "$NAT_OUT" ]
	v unpublish --owner bulk
	run nat_elems pub4any
	assert_output ''
}

# ---- bad input: the code, the message, nothing changed ------------------------------

@test "bad SPECs, owners and sources: exit 2 naming them, the table unchanged" {
	plugged
	v publish "8080:$NAT_A:80"
	before=$(nat_snapshot)
	local bad args failed=()
	while IFS='|' read -r bad args; do
		eval "set -- $args"
		run --separate-stderr v "$@"
		if [ "$status" -ne 2 ]; then
			failed+=("$args: exit $status, not 2: $stderr")
		elif [[ ${stderr_lines[0]:-} != "vethctl: "*"$bad"* ]]; then
			failed+=("$args: the message does not name '$bad': ${stderr_lines[0]:-}")
		elif [ "$(nat_snapshot)" != "$before" ]; then
			failed+=("$args: the table changed")
		fi
	done <<-EOF
		localhost|publish localhost:8080:$NAT_A:80
		web|publish 8080:web:80
		http|publish http:$NAT_A:80
		%eth0|publish [fe80::1%eth0]:8080:[fd00::2]:80
		0|publish 0:$NAT_A:80
		:0|publish 8080:$NAT_A:0
		8090-8080|publish 8090-8080:$NAT_A:80-90
		90-80|publish 8080-8090:$NAT_A:90-80
		8080-8089|publish 8080-8089:$NAT_A:80-85
		65536|publish 65536:$NAT_A:80
		70000|publish 8080:$NAT_A:70000
		::1|publish [::1]:8080:[fd00::2]:80
		$NAT_A|publish [2001:db8::1]:8080:$NAT_A:80
		icmp|publish 8080:$NAT_A:80/icmp
		banana|publish banana
		8080:$NAT_A|publish 8080:$NAT_A
		2001:db8::1:8080|publish 2001:db8::1:8080:[fd00::2]:80
		300.1.1.1|publish 300.1.1.1:8080:$NAT_A:80
		-1|publish -1:$NAT_A:80
		''|publish ''
		a"b|publish 9090:$NAT_A:90 --owner 'a"b'
		a b|publish 9090:$NAT_A:90 --owner 'a b'
		\$x|publish 9090:$NAT_A:90 --owner '\$x'
		7070:$NAT_B:71|unpublish 7070:$NAT_B:71-75
		10.88.7.1/24|nat add 10.88.7.1/24
		0.0.0.0/0|nat add 0.0.0.0/0
		::/0|nat add ::/0
		10.0.0.0/33|nat add 10.0.0.0/33
		fd00::1/64|nat add fd00::1/64
		e"th0|nat add $NAT_SUBNET.0/24 --out 'e"th0'
		a"b|nat add $NAT_SUBNET.0/24 --owner 'a"b'
		frob|nat frob
		frob|publish frob
		--bogus|gc --bogus
		--bogus|save --bogus
	EOF
	[ ${#failed[@]} -eq 0 ] || fail "$(printf '%s\n' "${failed[@]}")"
}

@test "every new command's --help: its usage on stdout, exit 0" {
	for c in nat publish unpublish gc save; do
		run --separate-stderr "$VETHCTL" $c --help
		[ "$status" -eq 0 ] || fail "$c --help exited $status: $stderr"
		[ "${lines[0]}" = "Usage:" ] || fail "$c --help: ${lines[0]}"
		[[ ${lines[1]} == " vethctl $c"* ]] || fail "$c --help: ${lines[1]}"
	done
	run "$VETHCTL" connect --help
	assert_output --partial "--publish"
	assert_output --partial "--nat"
}
