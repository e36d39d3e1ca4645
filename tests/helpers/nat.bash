# SPDX-License-Identifier: GPL-2.0-or-later
# helpers/nat.bash - the topology of the NAT and published-port tests
# (tests/vethctl-nat.bats, bench/run ports), loaded after helpers.bash.
#
#   O (outside) --veth-- H (the "host") --bridge ctu0-- A, B (containers)
#   192.0.2.2/24          192.0.2.1/24     10.88.7.1/24   .2, .3
#   2001:db8::2/64        2001:db8::1/64
#
# Every one of them is a named network namespace made here with this run's
# prefix; nothing is added to the machine's own.  O has no route to 10.88.7.0/24:
# whatever reaches a container from O was DNATed by H, and whatever O sees
# from a container was masqueraded by H.
#
# Three ways to plug A and B in, giving the same addresses: our CLI
# (`vethctl connect --publish --nat`, nat_setup_cli), the reference, Debian's
# containernetworking-plugins bridge (ipMasq, hairpinMode) + portmap run
# through cni_chain below (nat_setup_oracle), and our plugin with the same
# conflist, its type switched to ctutils-bridge, through `vethctl cni add`
# (nat_setup_plugin).  nat_matrix then sends the traffic of the spec's matrix
# and prints one line per row, "ROW RESULT", where RESULT is the peer address
# the listener saw, or "fail".

NAT_SUBNET=10.88.7
NAT_GW=$NAT_SUBNET.1
NAT_A=$NAT_SUBNET.2
NAT_B=$NAT_SUBNET.3
NAT_HOST=192.0.2.1
NAT_OUT=192.0.2.2
NAT_HOST6=2001:db8::1
NAT_OUT6=2001:db8::2
: "${CNI_PLUGINS:=/usr/lib/cni}"
# A's mappings (8080->80/tcp, 5353->53/udp) as a runtime passes them to the
# plugins that declare the portMappings capability (the CNI setups)
NAT_PORTMAPPINGS='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp"}]}'

nat_require() {
	require_root
	require_kernel_feature netns veth bridge
	require_cmd socat nft jq ip
	require_tool "$VETHCTL"
}

# nat_topology [TAG]: the namespaces H, O, A and B (names in those variables), lo up
# in each, the veth between H and O addressed.  Forwarding stays as a new
# namespace has it (0): turning it on is the job of what is tested.
# A TAG (a letter or two) makes another set of namespaces in the same test.
nat_topology() {
	local n t=${1:-}
	H=$(ctu_name "${t}h") O=$(ctu_name "${t}o") A=$(ctu_name "${t}a") B=$(ctu_name "${t}b")
	for n in "$H" "$O" "$A" "$B"; do
		ip netns add "$n" || fail "cannot add netns $n"
		ctu_cleanup_add netns "$n"
		ip -n "$n" link set lo up
		# no DAD: the v6 addresses are usable at once
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$H" link add eo type veth peer name eh netns "$O"
	ip -n "$H" addr add "$NAT_HOST/24" dev eo
	ip -n "$H" addr add "$NAT_HOST6/64" dev eo nodad
	ip -n "$O" addr add "$NAT_OUT/24" dev eh
	ip -n "$O" addr add "$NAT_OUT6/64" dev eh nodad
	ip -n "$H" link set eo up
	ip -n "$O" link set eh up
	NAT_CNI=$BATS_TEST_TMPDIR/cni
	mkdir -p "$NAT_CNI"
}

# nat_brnf 0|1: bridge-nf-call-iptables (and -ip6tables) in H; skips when
# the sysctl does not exist there (br_netfilter not loaded).  The module is
# loaded only with CTU_ALLOW_MODPROBE=1: once loaded it changes how every
# bridge of the machine is filtered, not only ours.
nat_brnf() {
	if ! ip netns exec "$H" test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
		if [ "${CTU_ALLOW_MODPROBE:-0}" = 1 ]; then
			modprobe br_netfilter || ctu_skip "cannot load br_netfilter"
		fi
		ip netns exec "$H" test -e /proc/sys/net/bridge/bridge-nf-call-iptables ||
			ctu_skip "no net.bridge.bridge-nf-call-iptables: br_netfilter is not loaded (CTU_ALLOW_MODPROBE=1 loads it; it affects every bridge of the machine)"
	fi
	ip netns exec "$H" sysctl -qw "net.bridge.bridge-nf-call-iptables=$1" "net.bridge.bridge-nf-call-ip6tables=$1"
}

# in NS CMD...: run CMD in the named netns NS
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# nat_listen NS PROTO PORT [ADDR]: a listener in NS (PROTO tcp, udp, tcp6,
# udp6) that answers every connection or datagram with the address it came
# from: socat's $SOCAT_PEERADDR for TCP, a few lines of python for UDP.
nat_listen() {
	local ns=$1 proto=$2 port=$3 addr=${4:-} spec
	case $proto in
	tcp) spec=TCP-LISTEN:$port,fork,reuseaddr ;;
	tcp6) spec=TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=1 ;;
	esac
	[ -z "$addr" ] || spec=$spec,bind=$addr
	case $proto in
	tcp*) ip netns exec "$ns" socat "$spec" SYSTEM:'echo $SOCAT_PEERADDR' </dev/null >/dev/null 2>&1 3>&- & ;;
	# not socat's UDP-RECVFROM,fork: its child keeps the socket for a while
	# and eats the next datagram, which then gets no answer
	udp*) ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if sys.argv[1] == "udp6" else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[3], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(65536)
    s.sendto((peer[0] + "\n").encode(), peer)' "$proto" "$port" "${addr:-$([ "$proto" = udp6 ] && echo :: || echo 0.0.0.0)}" \
		</dev/null >/dev/null 2>&1 3>&- & ;;
	esac
	ctu_cleanup_add pid $!
	# listening when ss shows the port
	local i opt=-ltn
	case $proto in udp*) opt=-lun ;; esac
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$ns" ss -H "$opt" "sport = :$port" | grep -q . && return 0
		sleep 0.05
	done
	fail "the listener on $ns $proto/$port did not start"
}

# nat_probe NS PROTO HOST PORT [SOCAT-OPTS]: connect from NS; prints what the
# listener answered (its peer's address), or "fail".
nat_probe() {
	local ns=$1 proto=$2 host=$3 port=$4 opts=${5:-} out addr=$3
	[[ $host != *:* ]] || addr="[$host]"
	case $proto in
	tcp) out=$(timeout 3 ip netns exec "$ns" socat -t 2 -T 2 - "TCP:$addr:$port,connect-timeout=2$opts" </dev/null 2>/dev/null) || true ;;
	udp) out=$(echo x | timeout 3 ip netns exec "$ns" socat -t 2 -T 2 - "UDP:$addr:$port$opts" 2>/dev/null) || true ;;
	esac
	out=${out%%$'\n'*}
	# socat prints IPv6 peers bracketed and written out in full
	out=${out#[}
	out=${out%]}
	[[ $out != *:* ]] || out=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' "$out" 2>/dev/null || echo "$out")
	printf '%s\n' "${out:-fail}"
}

# nat_listeners: what every matrix row talks to: A serves 80/tcp and 53/udp
# (and 80 over IPv6), B 80/tcp,
# O serves 9000/tcp, H serves 7777/udp on 127.0.0.1 only (a "host loopback
# service" no container may reach, CVE-2020-8558).
nat_listeners() {
	nat_listen "$A" tcp 80
	nat_listen "$A" udp 53
	nat_listen "$A" tcp6 80
	nat_listen "$B" tcp 80
	nat_listen "$O" tcp 9000
	nat_listen "$O" tcp6 9000
	# H's loopback-only service writes down what reaches it
	: >"$BATS_TEST_TMPDIR/localnet.got"
	ip netns exec "$H" socat -u UDP-RECV:7777,bind=127.0.0.1 "OPEN:$BATS_TEST_TMPDIR/localnet.got,append" \
		</dev/null >/dev/null 2>&1 3>&- &
	ctu_cleanup_add pid $!
}

# nat_wait_up: wait until every link that is up in H, O, A and B is also
# operationally up.  The kernel attaches a real qdisc to a device only when its
# carrier comes (linkwatch, up to a second after a bridge gets its first port);
# until then what is sent through it is dropped: TCP retries, a UDP row fails.
nat_wait_up() {
	local ns i down
	for ((i = 0; i < 50; i++)); do
		down=
		for ns in "$H" "$O" "$A" "$B"; do
			down+=$(ip -n "$ns" -j link show up | jq -r '.[] | select(.ifname != "lo" and (.operstate != "UP" or .qdisc == "noop")) | .ifname')
		done
		[ -n "$down" ] || return 0
		sleep 0.1
	done
	fail "links still down after 5 s: $down"
}

# nat_matrix: the rows of the spec's traffic matrix, one "ROW RESULT" line each.
# The last row is the CVE-2020-8558 attack: A routes 127.0.0.1 via the
# bridge (route_localnet on its eth0, the local table's loopback routes gone)
# and sends a datagram to H's loopback-only service: "reached" or "fail".
nat_matrix() {
	nat_wait_up
	echo "O-tcp-host $(nat_probe "$O" tcp "$NAT_HOST" 8080)"
	echo "O-udp-host $(nat_probe "$O" udp "$NAT_HOST" 5353)"
	echo "A-out $(nat_probe "$A" tcp "$NAT_OUT" 9000)"
	echo "A-own-port $(nat_probe "$A" tcp "$NAT_HOST" 8080)"
	echo "B-hairpin $(nat_probe "$B" tcp "$NAT_HOST" 8080)"
	echo "H-loopback $(nat_probe "$H" tcp 127.0.0.1 8080)"
	echo "H-host $(nat_probe "$H" tcp "$NAT_HOST" 8080)"
	echo "A-B-direct $(nat_probe "$A" tcp "$NAT_B" 80)"
	echo "B-A-direct $(nat_probe "$B" tcp "$NAT_A" 80)"
	echo "A-localnet $(nat_localnet_probe)"
}

nat_localnet_probe() {
	local got=$BATS_TEST_TMPDIR/localnet.got
	ip netns exec "$A" sh -c "
		sysctl -qw net.ipv4.conf.eth0.route_localnet=1 net.ipv4.conf.all.route_localnet=1
		ip route del local 127.0.0.0/8 dev lo table local
		ip route del local 127.0.0.1 dev lo table local
		ip route replace 127.0.0.1/32 via $NAT_GW dev eth0 src $NAT_A" >/dev/null 2>&1
	# one way is enough to reach a service: a datagram
	echo "from A" | timeout 3 ip netns exec "$A" socat -u - UDP:127.0.0.1:7777 2>/dev/null || true
	sleep 0.3
	if [ -s "$got" ]; then echo reached; else echo fail; fi
	# A as it was: its own loopback again
	ip netns exec "$A" sh -c "
		ip route del 127.0.0.1/32 via $NAT_GW dev eth0
		ip route add local 127.0.0.0/8 dev lo table local scope host src 127.0.0.1
		ip route add local 127.0.0.1 dev lo table local scope host src 127.0.0.1
		sysctl -qw net.ipv4.conf.eth0.route_localnet=0 net.ipv4.conf.all.route_localnet=0" >/dev/null 2>&1
	: >"$got"
}

# The results the spec's matrix expects, the same for our CLI and the
# reference but for the last row (the reference lets the attack through).
nat_expected() {
	cat <<-EOF
		O-tcp-host $NAT_OUT
		O-udp-host $NAT_OUT
		A-out $NAT_HOST
		A-own-port $NAT_GW
		B-hairpin $NAT_GW
		H-loopback $NAT_GW
		H-host $NAT_HOST
		A-B-direct $NAT_A
		B-A-direct $NAT_B
		A-localnet fail
	EOF
}

# --- our CLI ------------------------------------------------------------------

# nat_setup_cli [EXTRA-OPTS-OF-A...]: A with 8080->80/tcp and 5353->53/udp
# published and its address masqueraded; B masqueraded.
nat_setup_cli() {
	"$VETHCTL" --netns "$H" bridge add ctu0 --addr "$NAT_GW/24" ||
		fail "vethctl bridge add ctu0 failed"
	"$VETHCTL" --netns "$H" connect "$A" --bridge ctu0 --addr "$NAT_A/24" \
		--publish 8080:80 --publish 5353:53/udp --nat "$@" ||
		fail "vethctl connect A --publish --nat failed"
	"$VETHCTL" --netns "$H" connect "$B" --bridge ctu0 --addr "$NAT_B/24" --nat ||
		fail "vethctl connect B --nat failed"
}

nat_teardown_cli() {
	"$VETHCTL" --netns "$H" disconnect "$A"
	"$VETHCTL" --netns "$H" disconnect "$B"
}

# --- the reference: Debian's bridge + portmap, invoked as a runtime does ------

# cni_chain ADD|DEL CID NS CONFLIST [RUNTIMECONFIG-JSON]: run each plugin of the
# conflist in H as libcni does: cniVersion and name inserted, `capabilities`
# replaced by the runtimeConfig keys it declares, prevResult chained; DEL in
# reverse order with the result of the ADD.  The result goes to
# $NAT_CNI/CID.result; a plugin's error to stderr, and a non-zero return.
cni_chain() {
	local cmd=$1 cid=$2 ns=$3 list=$4 rc=${5:-'{}'} n i order conf out prev=null
	local res=$NAT_CNI/$cid.result
	n=$(jq '.plugins | length' "$list")
	if [ "$cmd" = ADD ]; then order=$(seq 0 $((n - 1))); else order=$(seq $((n - 1)) -1 0); prev=$(cat "$res" 2>/dev/null || echo null); fi
	for i in $order; do
		conf=$(jq -c --argjson i "$i" --argjson rc "$rc" --argjson prev "$prev" '
			. as $l | .plugins[$i]
			| .cniVersion = $l.cniVersion | .name = $l.name
			| if .capabilities then
				.runtimeConfig = ($rc | with_entries(select(.key as $k | $l.plugins[$i].capabilities[$k])))
				| del(.capabilities)
			  else . end
			| if $prev != null then .prevResult = $prev else . end' "$list")
		out=$(ip netns exec "$H" env -i PATH="$PATH" CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" \
			CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 CNI_PATH="$CNI_PLUGINS" \
			"$CNI_PLUGINS/$(jq -r ".plugins[$i].type" "$list")" <<<"$conf") || {
			echo "cni_chain: $cmd $(jq -r ".plugins[$i].type" "$list"): $out" >&2
			return 1
		}
		[ "$cmd" = DEL ] || prev=$out
	done
	if [ "$cmd" = ADD ]; then printf '%s\n' "$prev" >"$res"; else rm -f "$res"; fi
}

# The conflist of the reference setup: bridge ctu0 (isGateway, ipMasq,
# hairpinMode) with host-local in the test's directory, then portmap.
nat_conflist() {
	cat >"$NAT_CNI/ctunat.conflist" <<-EOF
		{ "cniVersion": "1.0.0", "name": "ctunat", "plugins": [
		  { "type": "bridge", "bridge": "ctu0", "isGateway": true, "ipMasq": true,
		    "hairpinMode": true,
		    "ipam": { "type": "host-local", "dataDir": "$NAT_CNI/data",
		              "ranges": [[{ "subnet": "$NAT_SUBNET.0/24", "gateway": "$NAT_GW" }]],
		              "routes": [{ "dst": "0.0.0.0/0" }] } },
		  { "type": "portmap", "capabilities": { "portMappings": true } } ] }
	EOF
}

nat_setup_oracle() {
	require_cmd iptables
	[ -x "$CNI_PLUGINS/bridge" ] && [ -x "$CNI_PLUGINS/portmap" ] && [ -x "$CNI_PLUGINS/host-local" ] ||
		ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
	nat_conflist
	cni_chain ADD cid-a "$A" "$NAT_CNI/ctunat.conflist" "$NAT_PORTMAPPINGS" ||
		fail "the reference ADD of A failed"
	cni_chain ADD cid-b "$B" "$NAT_CNI/ctunat.conflist" '{"portMappings":[]}' ||
		fail "the reference ADD of B failed"
	[ "$(jq -r '.ips[0].address' "$NAT_CNI/cid-a.result")" = "$NAT_A/24" ] ||
		fail "host-local gave A $(jq -r '.ips[0].address' "$NAT_CNI/cid-a.result"), not $NAT_A/24"
}

nat_teardown_oracle() {
	cni_chain DEL cid-a "$A" "$NAT_CNI/ctunat.conflist" "$NAT_PORTMAPPINGS"
	cni_chain DEL cid-b "$B" "$NAT_CNI/ctunat.conflist" '{"portMappings":[]}'
}

# --- our plugin, through `vethctl cni add` (the runtime side) ---------------------

# The conflist of the reference setup with "type": "bridge" switched to
# "ctutils-bridge" (our plugin does portmap's job: no portmap after it), the
# portMappings capability on it, host-local (Debian's, from --path) as before.
nat_plugin_conflist() {
	cat >"$NAT_CNI/ctuplug.conflist" <<-EOF
		{ "cniVersion": "1.0.0", "name": "ctuplug", "plugins": [
		  { "type": "ctutils-bridge", "bridge": "ctu0", "isGateway": true, "ipMasq": true,
		    "hairpinMode": true, "capabilities": { "portMappings": true },
		    "ipam": { "type": "host-local", "dataDir": "$NAT_CNI/data",
		              "ranges": [[{ "subnet": "$NAT_SUBNET.0/24", "gateway": "$NAT_GW" }]],
		              "routes": [{ "dst": "0.0.0.0/0" }] } } ] }
	EOF
}

# nat_cni CMD ARGS...: `vethctl cni CMD` in H, our plugin (a link named
# ctutils-bridge) and Debian's first on the path, the cache in the test's dir
nat_cni() {
	local cmd=$1
	shift
	ip netns exec "$H" "$VETHCTL" cni "$cmd" "$@" --path "$NAT_CNI/bin:$CNI_PLUGINS" --cache-dir "$NAT_CNI/cache"
}

# nat_setup_plugin: A with 8080->80/tcp and 5353->53/udp published and its
# address masqueraded, B masqueraded: our plugin through `vethctl cni add`.
nat_setup_plugin() {
	[ -x "$CNI_PLUGINS/host-local" ] || ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
	mkdir -p "$NAT_CNI/bin"
	ln -sf "$VETHCTL" "$NAT_CNI/bin/ctutils-bridge"
	nat_plugin_conflist
	nat_cni add "$NAT_CNI/ctuplug.conflist" "$A" --id cid-a --cap-args "$NAT_PORTMAPPINGS" >"$NAT_CNI/cid-a.result" ||
		fail "vethctl cni add A failed: $(cat "$NAT_CNI/cid-a.result")"
	nat_cni add "$NAT_CNI/ctuplug.conflist" "$B" --id cid-b --cap-args '{"portMappings":[]}' >"$NAT_CNI/cid-b.result" ||
		fail "vethctl cni add B failed: $(cat "$NAT_CNI/cid-b.result")"
	[ "$(jq -r '.ips[0].address' "$NAT_CNI/cid-a.result")" = "$NAT_A/24" ] ||
		fail "vethctl cni add gave A $(jq -r '.ips[0].address' "$NAT_CNI/cid-a.result"), not $NAT_A/24"
}

nat_teardown_plugin() {
	nat_cni del "$NAT_CNI/ctuplug.conflist" "$A" --id cid-a --cap-args "$NAT_PORTMAPPINGS"
	nat_cni del "$NAT_CNI/ctuplug.conflist" "$B" --id cid-b --cap-args '{"portMappings":[]}'
}

# nat_table NS: our table as nft lists it in NS, as JSON ("" when absent)
nat_table() {
	ip netns exec "${1:-$H}" nft -j list table inet ctutils 2>/dev/null || true
}

# nat_elements [NS]: every element of our maps and sets, one per line, sorted
nat_elements() {
	nat_table "${1:-$H}" | jq -c '.nftables[] | (.map // .set) | select(.) | select(.elem) | .name as $n | .elem[] | [$n, .]' | sort
}

# nat_elems MAP|SET [NS]: the elements of one of our maps or sets as text, one
# per line, sorted: "KEY : VALUE # COMMENT" (a set: "KEY # COMMENT"), with
# concatenations as "a . b", prefixes as "a/len", verdicts as "jump CHAIN".
nat_elems() {
	nat_table "${2:-$H}" | jq -r --arg m "$1" '
		# a protocol key: nft 1.0.6 names it on Linux 6.18, prints its
		# number on 6.1
		def pname: {"6": "tcp", "17": "udp", "132": "sctp"}[tostring] // .;
		def protoname: if length == 2 and (.[0] | type) == "number" then .[0] |= pname
			elif length == 3 and (.[1] | type) == "number" then .[1] |= pname else . end;
		def t: if type == "object" then
			if .concat then .concat | protoname | map(t) | join(" . ")
			elif .prefix then "\(.prefix.addr)/\(.prefix.len)"
			elif .range then "\(.range[0] | t)-\(.range[1] | t)"
			elif .jump then "jump \(.jump.target)"
			elif .elem then .elem.val | t
			else tostring end
		  else tostring end;
		def c: if type == "object" and .elem then " # \(.elem.comment // "")" else "" end;
		.nftables[] | (.map // .set) | select(. and .name == $m) | .elem[]?
		| if type == "array" then "\(.[0] | t) : \(.[1] | t)\(.[0] | c)" else "\(t)\(c)" end' | sort
}

# nat_chains [NS]: the names of our chains, sorted
nat_chains() {
	nat_table "${1:-$H}" | jq -r '.nftables[] | .chain | select(.) | .name' | sort
}

# nat_snapshot [NS]: our table without its handles (they may be renumbered by
# a rolled-back transaction): what "nothing changed" compares
nat_snapshot() {
	nat_table "${1:-$H}" | jq -S 'del(.nftables[0]) | walk(if type == "object" then del(.handle) | (if (.elem | type) == "array" then .elem |= sort else . end) else . end)' 2>/dev/null || true
}
