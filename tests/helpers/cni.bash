# SPDX-License-Identifier: GPL-2.0-or-later
# helpers/cni.bash - what the CNI plugin tests (tests/cni.bats,
# tests/cni-podman.bats) share, loaded after helpers.bash (and helpers/nat.bash,
# whose nat_table and nat_elems read our nftables table).
#
# A plugin is run bare, as a runtime runs it: `ip netns exec H` (the "host"
# of the attachment, a named netns of this run), an empty environment but
# PATH and the CNI_ variables, the config on stdin.  Ours is vethctl under
# the name ctutils-bridge: a symlink in the test's directory ($CNI_BIN), so
# that a CNI_PATH of that directory alone has no host-local in it (the
# built-in allocator), and one of it and Debian's /usr/lib/cni delegates.
#
# The oracle is Debian's containernetworking-plugins 1.1.1 (bridge,
# host-local): the same config through both, the state compared after the
# spec's jq normalization (CNI_JQ below, copied from the spec as is).

: "${CNI_PLUGINS:=/usr/lib/cni}"
CNI_SUBNET=10.88.9
CNI_SUBNET6=fd00:88:9:
CNI_NET=ctuo

# The normalization of the spec's oracle test ("Tests", Oracle), word for word.
# shellcheck disable=SC2016 # jq, not shell
CNI_JQ='
def v: if type == "string" then sub("^veth[0-9a-f]{8}$"; "HOSTVETH") else . end;
def links: map({n: (.ifname|v), kind: .linkinfo.info_kind, sk: .linkinfo.info_slave_kind, master,
  mtu, operstate, flags: (.flags|sort), hp: .linkinfo.info_slave_data.hairpin}) | sort_by(.n);
def addrs: map({n: (.ifname|v), a: ([.addr_info[] | select(.scope != "link")
  | {family, local, prefixlen, broadcast, scope}] | sort_by(.local))}) | sort_by(.n);
def routes: map(del(.expires) | .dev |= v) | sort_by(.dst, .dev);
def result: del(.interfaces[].mac) | .interfaces[].name |= v
  | .interfaces[].sandbox |= (if . then "NS" else . end);
'
# `bridge -j -d link`: its ports, the host end's name as above; the ifindex
# is the kernel's counter, not the plugin's doing.
# shellcheck disable=SC2016
CNI_JQ_PORTS='def ports: map(del(.ifindex, .link_index) | .ifname |= v | .master |= v) | sort_by(.ifname);'

cni_require() {
	require_root
	require_kernel_feature netns veth bridge
	require_cmd jq ip bridge nft od sysctl
	require_tool "$VETHCTL"
	[ -x "$CNI_PLUGINS/bridge" ] && [ -x "$CNI_PLUGINS/host-local" ] ||
		ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
}

# cni_bin DIR: DIR/bin/ctutils-bridge and DIR/bin/ctutils-host-local, links
# to the vethctl under test; sets CNI_BIN and OURS (the plugin).
cni_bin() {
	CNI_BIN=$1/bin
	mkdir -p "$CNI_BIN"
	ln -sf "$VETHCTL" "$CNI_BIN/ctutils-bridge"
	ln -sf "$VETHCTL" "$CNI_BIN/ctutils-host-local"
	OURS=$CNI_BIN/ctutils-bridge
}

# cni_netns NAME...: named network namespaces of this run (names from
# ctu_name), removed in teardown.  As new ones are: lo down, which the
# plugins leave as it is (the reference does; the oracle compares it).
cni_netns() {
	local n
	for n in "$@"; do
		ip netns add "$n" || fail "cannot add netns $n"
		ctu_cleanup_add netns "$n"
	done
}

# cni_plugin H PLUGIN [VAR=VALUE...]: PLUGIN run bare in netns H, its
# environment only PATH and the VARs, stdin ours.  Its exit status (124 when
# it hangs: a runtime gives a plugin 60 s, a test row no more).
cni_plugin() {
	local h=$1 plugin=$2
	shift 2
	timeout -k 5 60 ip netns exec "$h" env -i PATH="$PATH" "$@" "$plugin"
}

# cni_env CMD CID NS [IFNAME [CNIPATH]]: the environment of a request (into the
# array CNI_ENV): CNI_NETNS /run/netns/NS ("" for none).
cni_env() {
	CNI_ENV=(CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_IFNAME="${4:-eth0}" CNI_PATH="${5:-$CNI_PLUGINS}")
	[ -z "$3" ] || CNI_ENV+=(CNI_NETNS="/run/netns/$3")
}

# cni_conflist FILE DATADIR [EXTRA-BRIDGE-KEYS [VERSION]]: the spec's oracle
# conflist (bridge ctu0, isGateway, ipMasq, hairpinMode, mtu 1400,
# host-local v4 + v6 with its dataDir DATADIR) with the reference's type.
cni_conflist() {
	local file=$1 data=$2 extra=${3:-} version=${4:-1.0.0}
	cat >"$file" <<-EOF
		{ "cniVersion": "$version", "name": "$CNI_NET", "plugins": [
		  { "type": "bridge", "bridge": "ctu0", "isGateway": true, "ipMasq": true,
		    "hairpinMode": true, "mtu": 1400,$extra
		    "ipam": { "type": "host-local", "dataDir": "$data",
		              "ranges": [[{ "subnet": "$CNI_SUBNET.0/24" }], [{ "subnet": "$CNI_SUBNET6:/64" }]],
		              "routes": [{ "dst": "0.0.0.0/0" }, { "dst": "::/0" }] } } ] }
	EOF
}

# cni_conf LIST [TYPE [JQ-FILTER]]: the config of the list's first plugin as
# libcni hands it to the plugin (cniVersion and name inserted), its type
# replaced by TYPE when given, then JQ-FILTER applied to it.
cni_conf() {
	jq -c --arg t "${2:-}" '. as $l | .plugins[0] | .cniVersion = $l.cniVersion | .name = $l.name
		| if $t != "" then .type = $t else . end | '"${3:-.}" "$1"
}

# cni_settle NS...: wait (<= 5 s) until the kernel is done with what a
# plugin started: every link's operational state follows its carrier
# (linkwatch updates it up to a second later) and no address is still
# tentative (DAD).  The oracle compares states, not moments.  (`ip`'s
# NO-CARRIER is the operational state, not the carrier: IFF_RUNNING.)
cni_settle() {
	local ns i busy
	for ((i = 0; i < 50; i++)); do
		busy=
		for ns in "$@"; do
			# LOWER_UP is the carrier now, operstate what linkwatch made of it
			# (with no link up, ip prints [{}])
			busy+=$(ip -n "$ns" -j link show up | jq -r '.[] | select(.ifname and .ifname != "lo")
				| select(if any(.flags[]; . == "LOWER_UP") then .operstate != "UP" and .operstate != "UNKNOWN"
					else .operstate == "UP" end) | .ifname')
			busy+=$(ip -n "$ns" -j addr show | jq -r '.[] | select(any(.addr_info[]?; .tentative)) | .ifname')
		done
		[ -n "$busy" ] || return 0
		sleep 0.1
	done
	echo "# cni_settle: still changing after 5 s: $busy" >&3
}

# cni_sysctls H C: the sysctls of the oracle test, "name = value" (a missing
# one "name = -": C's eth0 after DEL).
cni_sysctls() {
	local s
	for s in net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv6.conf.all.forwarding \
		net.ipv6.conf.ctu0.accept_ra; do
		echo "H $s = $(ip netns exec "$1" sysctl -n "$s" 2>/dev/null || echo -)"
	done
	for s in net.ipv6.conf.eth0.accept_dad net.ipv4.conf.eth0.arp_notify net.ipv6.conf.eth0.disable_ipv6; do
		echo "C $s = $(ip netns exec "$2" sysctl -n "$s" 2>/dev/null || echo -)"
	done
}

# cni_data DIR: the IPAM directory as the spec compares it: each entry with
# its mode, then the bytes of each file (od -c).
cni_data() {
	local f
	[ -d "$1" ] || return 0
	find "$1" -printf '%P %m\n' | sort
	while IFS= read -r f; do
		echo "== $f"
		od -c "$1/$f"
	done < <(find "$1" -type f -printf '%P\n' | sort)
}

# cni_state H C DATADIR: everything the oracle compares but the result, one
# section each, normalized.
cni_state() {
	local h=$1 c=$2 ns side
	cni_settle "$h" "$c"
	for side in H C; do
		if [ $side = H ]; then ns=$h; else ns=$c; fi
		echo "## $side links"
		ip -n "$ns" -j -d link show | jq -S "$CNI_JQ links"
		echo "## $side addrs"
		ip -n "$ns" -j addr show | jq -S "$CNI_JQ addrs"
		echo "## $side routes"
		ip -n "$ns" -j route show | jq -S "$CNI_JQ routes"
		echo "## $side routes6"
		ip -n "$ns" -j -6 route show | jq -S "$CNI_JQ routes"
	done
	echo "## H bridge ports"
	ip netns exec "$h" bridge -j -d link show | jq -S "$CNI_JQ $CNI_JQ_PORTS ports"
	echo "## sysctls"
	cni_sysctls "$h" "$c"
	echo "## data"
	cni_data "$3"
}

# cni_result FILE: a result normalized by the spec's `result`
cni_result() {
	jq -c "$CNI_JQ result" "$1"
}

# cni_diff A B WHAT: fails showing the difference of two files
cni_diff() {
	diff -u "$1" "$2" >"$BATS_TEST_TMPDIR/diff" || fail "$3: $(tail -n +3 "$BATS_TEST_TMPDIR/diff" | head -n 80)"
}

# cni_owner NET CID IFNAME: the owner of an attachment's NAT elements,
# "cni:HASH16:NET:CID12:IFNAME", HASH16 the FNV-1a-64 of NET NUL CID NUL IFNAME
cni_owner() {
	local h=$((0xcbf29ce484222325)) b
	# bash's arithmetic is 64-bit and wraps: FNV's multiplication modulo 2^64
	for b in $(printf '%s\0%s\0%s' "$1" "$2" "$3" | od -An -v -tu1); do
		h=$(((h ^ b) * 0x100000001b3))
	done
	printf 'cni:%016x:%s:%s:%s\n' "$h" "$1" "${2:0:12}" "$3"
}
