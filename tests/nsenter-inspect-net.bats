#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite --inspect's net section against iproute2: a container made by
# the ctutils chain (unshare-lite -n, `vethctl connect`) plugged into a
# bridge of a "host" namespace H that the test makes (a named netns with the
# run's prefix).  Its interfaces, addresses and routes equal what `ip -j`
# shows inside; the veth's other end (name, master, master kind, namespace)
# equals what H holds.  Nothing is added to this machine's own namespace.

load helpers

setup() {
	require_root
	require_kernel_feature netns veth bridge
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE" "$VETHCTL"
	require_cmd ip jq
	T=$(ctu_tmpdir)
	H=$(ctu_name h)
	ip netns add "$H"
	ctu_cleanup_add netns "$H"
	NET=10.$((150 + BATS_TEST_NUMBER % 50))
	BR=$(ctu_name b)
	HOSTEND=$(ctu_name v)
}

# container NAME [RUNNER] [UNSHARE-OPTIONS...]: a sleeping process in a new
# network namespace; sets ${NAME}_PID.  RUNNER "unpriv" starts it as nobody.
container() {
	local name=$1 runner=${2:-}
	shift 2 || shift $#
	if [ "$runner" = unpriv ]; then
		chmod 0777 "$T"
		run_unprivileged "$UNSHARE_LITE" "$@" --pidfile "$T/$name.pid" sleep 1000 \
			>/dev/null 2>&1 3>&- &
	else
		"$UNSHARE_LITE" -n "$@" --pidfile "$T/$name.pid" sleep 1000 >/dev/null 2>&1 3>&- &
	fi
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/$name.pid" || fail "container $name did not start"
	printf -v "${name}_PID" '%s' "$(cat "$T/$name.pid")"
	ctu_cleanup_add pid "$(cat "$T/$name.pid")"
}

# plug PID: eth0 inside, $HOSTEND a port of bridge $BR in H, addresses, a default route.
plug() {
	"$VETHCTL" --netns "$H" connect "$1" --bridge "$BR" --addr "$NET.0.2/24" \
		--gw "$NET.0.1" --host-name "$HOSTEND" >/dev/null || fail "vethctl connect failed"
}

# net PID [RUNNER...]: the net section of `--inspect --json` (run through
# RUNNER: unpriv for nobody, else a command prefix) into $NETJSON.
net() {
	local pid=$1
	shift
	[ "${1:-}" != unpriv ] || set -- run_unprivileged
	run --separate-stderr "$@" "$NSENTER_LITE" --inspect --json --section net -t "$pid"
	assert_success
	assert_equal "$stderr" ""
	NETJSON=$(jq -ce '.net' <<<"$output") || fail "no net section: $output"
}

# The interfaces as ip -j -d link shows them, in our keys (ip names a link
# in the same namespace, "link": NAME, where we keep its index).
ip_links() {
	"$NSENTER_LITE" -t "$1" -n ip -j -d link show | jq -c '. as $all | map(. as $l | {
		name: .ifname, ifindex, kind: (.linkinfo.info_kind // null), state: .operstate, mtu,
		mac: (.address // null),
		link_index: (.link_index // ([$all[] | select(.ifname == $l.link) | .ifindex][0])),
		link_netnsid: (.link_netnsid // null)}) | sort_by(.ifindex)'
}
our_links() {
	jq -c '.interfaces | map({name, ifindex, kind, state, mtu, mac, link_index,
		link_netnsid}) | sort_by(.ifindex)' <<<"$NETJSON"
}

# Each interface's addresses as ip -j addr shows them.
ip_addrs() {
	"$NSENTER_LITE" -t "$1" -n ip -j addr show | jq -c 'map({ifindex,
		addresses: (.addr_info | map({family, local, prefixlen, scope}) | sort_by(.local))})
		| sort_by(.ifindex)'
}
our_addrs() {
	jq -c '.interfaces | map({ifindex, addresses: (.addresses | sort_by(.local))})
		| sort_by(.ifindex)' <<<"$NETJSON"
}

# The main table's IPv4 routes.
ip_routes() {
	"$NSENTER_LITE" -t "$1" -n ip -j -4 route show | jq -c 'map({dst, gateway: (.gateway // null),
		dev, prefsrc: (.prefsrc // null)}) | sort_by(.dst)'
}
our_routes() {
	jq -c '.routes | map(select(.family == "inet" and .table == 254) | {dst, gateway, dev,
		prefsrc}) | sort_by(.dst)' <<<"$NETJSON"
}

# The container's eth0 in our document.
eth0() {
	jq -c '.interfaces[] | select(.name == "eth0")' <<<"$NETJSON"
}

# Interfaces, addresses, routes: equal to ip's inside the target.
assert_equals_ip() {
	assert_equal "$(our_links)" "$(ip_links "$1")"
	assert_equal "$(our_addrs)" "$(ip_addrs "$1")"
	assert_equal "$(our_routes)" "$(ip_routes "$1")"
}

# The peer as H holds it: name, master, the master's kind, H's name.
assert_peer_in_h() {
	local e idx hostlink
	e=$(eth0)
	idx=$(jq -e '.link_index' <<<"$e") || fail "eth0 has no link_index: $e"
	hostlink=$(ip -n "$H" -j -d link show | jq -ce ".[] | select(.ifindex == $idx)") ||
		fail "H has no link $idx"
	assert_equal "$(jq -r '.peer.name' <<<"$e")" "$(jq -r '.ifname' <<<"$hostlink")"
	assert_equal "$(jq -r '.peer.name' <<<"$e")" "$HOSTEND"
	assert_equal "$(jq -r '.peer.ifindex' <<<"$e")" "$idx"
	assert_equal "$(jq -r '.peer.master' <<<"$e")" "$(jq -r '.master' <<<"$hostlink")"
	assert_equal "$(jq -r '.peer.master' <<<"$e")" "$BR"
	assert_equal "$(jq -r '.peer.master_kind' <<<"$e")" \
		"$(ip -n "$H" -j -d link show "$BR" | jq -r '.[0].linkinfo.info_kind')"
	assert_equal "$(jq -r '.peer.master_kind' <<<"$e")" bridge
	assert_equal "$(jq -r '.peer.netns' <<<"$e")" "$(ip netns exec "$H" ip netns identify)"
	assert_equal "$(jq -r '.peer.netns_path' <<<"$e")" "/run/netns/$H"
	assert_equal "$(jq -r '.peer.netnsid' <<<"$e")" "$(jq -r '.link_netnsid' <<<"$e")"
}

@test "net: interfaces, addresses, routes equal ip -j inside; the peer equals H's link and bridge" {
	container c
	plug "$c_PID"
	for env in CTU_NSENTER_NO_PIDFD=0 CTU_NSENTER_NO_PIDFD=1; do
		net "$c_PID" env "$env"
		assert_equals_ip "$c_PID"
		assert_peer_in_h
		assert_equal "$(eth0 | jq -c '.peer.host')" false
		assert_equal "$(eth0 | jq -r '.kind')" veth
		assert_equal "$(eth0 | jq -c '[.addresses[] | select(.family == "inet") | .local]')" \
			"[\"$NET.0.2\"]"
	done
	# lo: no link, no peer
	assert_equal "$(jq -c '.interfaces[] | select(.name == "lo") | [.link_index, .peer]' \
		<<<"$NETJSON")" '[null,null]'
	assert_equal "$(jq -r '.routes[] | select(.dst == "default") | .gateway' <<<"$NETJSON")" \
		"$NET.0.1"
}

@test "net: seen from H itself, the peer is in our namespace: host is true" {
	container c
	plug "$c_PID"
	net "$c_PID" ip netns exec "$H"
	assert_equal "$(eth0 | jq -c '.peer.host')" true
	assert_peer_in_h
}

@test "net: a container with loopback only: lo, no peer, no route through anything else" {
	container c
	net "$c_PID"
	assert_equals_ip "$c_PID"
	assert_equal "$(jq -c '[.interfaces[].name]' <<<"$NETJSON")" '["lo"]'
	assert_equal "$(jq -c '[.interfaces[].peer]' <<<"$NETJSON")" '[null]'
	assert_equal "$(jq -c '[.routes[] | select(.dev != "lo")]' <<<"$NETJSON")" '[]'
}

@test "net: a veth pair inside the container: the peer, its bridge, in the same namespace" {
	container c
	in_c() { "$NSENTER_LITE" -t "$c_PID" -n "$@"; }
	in_c ip link add inbr type bridge
	in_c ip link add va type veth peer name vb
	in_c ip link set vb master inbr
	net "$c_PID"
	assert_equals_ip "$c_PID"
	assert_equal "$(jq -c '.interfaces[] | select(.name == "va") | .peer |
		[.name, .ifindex == ($doc.interfaces[] | select(.name == "vb") | .ifindex), .netnsid,
		 .netns, .host, .master, .master_kind]' --argjson doc "$NETJSON" <<<"$NETJSON")" \
		'["vb",true,null,null,false,"inbr","bridge"]'
	assert_equal "$(jq -c '.interfaces[] | select(.name == "vb") | .peer | [.name, .master]' \
		<<<"$NETJSON")" '["va",null]'
}

@test "net: a peer namespace known only under /run/docker/netns is named from there" {
	require_cmd unshare
	container c
	plug "$c_PID"
	# a private mount namespace where H is docker's: /run a fresh tmpfs
	run --separate-stderr unshare -m --propagation private sh -ec '
		touch "$1/h"; mount --bind "/run/netns/$2" "$1/h"
		mount -t tmpfs tmpfs /run
		mkdir -p /run/docker/netns; touch /run/docker/netns/0123abcd
		mount --bind "$1/h" /run/docker/netns/0123abcd
		exec "$3" --inspect --json --section net -t "$4"' sh "$T" "$H" "$NSENTER_LITE" "$c_PID"
	assert_success
	NETJSON=$(jq -ce '.net' <<<"$output") || fail "no net section: $output"
	assert_equal "$(eth0 | jq -c '.peer | [.netns, .netns_path, .name, .master]')" \
		"[\"0123abcd\",\"/run/docker/netns/0123abcd\",\"$HOSTEND\",\"$BR\"]"
}

@test "net: a rootless container (unshare-lite -r -n), inspected by root, through its user namespace" {
	container c "" -r
	[ "$(ctu_ns_inode "$c_PID" user)" != "$(ctu_ns_inode $$ user)" ] ||
		fail "the container has no user namespace of its own"
	plug "$c_PID"
	net "$c_PID"
	assert_equals_ip "$c_PID"
	# the child in the container's user namespace may not name H's links: we do
	assert_peer_in_h
}

@test "net: a rootless container inspected by its own unprivileged user" {
	container c unpriv -r -n
	[ "$(stat -c %u "/proc/$c_PID")" = "$CTU_UNPRIV_UID" ] || fail "the container is not nobody's"
	plug "$c_PID"
	net "$c_PID" unpriv
	assert_equals_ip "$c_PID"
	# the peer's place, from ids that need no privilege; its name needs
	# CAP_NET_ADMIN over H, which nobody lacks: null, not a guess
	e=$(eth0)
	assert_equal "$(jq -r '.peer.ifindex' <<<"$e")" "$(jq -r '.link_index' <<<"$e")"
	assert_equal "$(jq -r '.peer.netnsid' <<<"$e")" "$(jq -r '.link_netnsid' <<<"$e")"
	assert_equal "$(jq -r '.peer.netns' <<<"$e")" "$H"
	assert_equal "$(jq -c '[.peer.name, .peer.master, .peer.host]' <<<"$e")" '[null,null,false]'
}

@test "net: a namespace we may not enter: null, an errors entry and a warning, exit 0" {
	container c
	msg="cannot open a netlink socket in the network namespace of process $c_PID: Operation not permitted"
	run --separate-stderr run_unprivileged "$NSENTER_LITE" --inspect --json --section net -t "$c_PID"
	assert_success
	assert_equal "$(jq -c '.net' <<<"$output")" null
	assert_equal "$(jq -r '.errors[] | select(.section == "net") | .message' <<<"$output")" "$msg"
	assert_equal "$stderr" "nsenter-lite: --inspect: section net: $msg"
}

@test "net: an interface name that is not UTF-8: valid JSON, U+FFFD for each bad byte" {
	container c
	"$NSENTER_LITE" -t "$c_PID" -n ip link add name $'d\xff\xfe' type veth peer name dp
	net "$c_PID"
	assert_equal "$(jq -r '.interfaces[] | select(.peer.name == "dp") | .name' <<<"$NETJSON")" \
		$'d\xef\xbf\xbd\xef\xbf\xbd'
	assert_equal "$(jq -r '.interfaces[] | select(.name == "dp") | .peer.name' <<<"$NETJSON")" \
		$'d\xef\xbf\xbd\xef\xbf\xbd'
}
