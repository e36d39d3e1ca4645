#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The built-in host-local allocator (ctutils-host-local: vethctl by that
# name) against Debian's host-local 1.1.1 on the same data directory: the
# same addresses, the same files byte for byte, the same messages (code 7
# where Debian says 999 for an invalid config), one lock for both, and our
# refusals of a hostile data directory.  IPAM plugins never enter the
# container's namespace: every request here has CNI_NETNS=/dev/null, and
# nothing but files below the test's directory is made; but the last test's,
# which runs ctutils-bridge (delegating, then built in) in two namespaces of
# its own.

load helpers
load helpers/cni-ipam

setup() {
	ipam_require
	ipam_setup
	D=$T/data
	N=$D/ctunet
}

@test "ours then Debian's: .2 and .3, one last_reserved_ip.0, each releases the other's file" {
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"')
	run -0 hl "$OURS" ADD ca eth0 "$conf"
	[ "$(ipam_addr <<<"$output")" = 10.66.0.2 ]
	run -0 hl "$HOSTLOCAL_REF" ADD cb eth0 "$conf"
	[ "$(ipam_addr <<<"$output")" = 10.66.0.3 ]
	run -0 ls "$N"
	assert_output $'10.66.0.2\n10.66.0.3\nlast_reserved_ip.0\nlock'
	[ "$(cat "$N/last_reserved_ip.0")" = 10.66.0.3 ]
	[ "$(od -An -c "$N/10.66.0.2" | tr -s ' ')" = " c a \r \n e t h 0" ]
	run -0 hl "$HOSTLOCAL_REF" DEL ca eth0 "$conf"
	assert_output ''
	[ ! -e "$N/10.66.0.2" ]
	run -0 hl "$OURS" DEL cb eth0 "$conf"
	assert_output ''
	[ ! -e "$N/10.66.0.3" ]
	# the round robin goes on from Debian's last one
	run -0 hl "$OURS" ADD cc eth0 "$conf"
	[ "$(ipam_addr <<<"$output")" = 10.66.0.4 ]
	run -0 hl "$HOSTLOCAL_REF" CHECK cc eth0 "$conf"
	run -0 hl "$OURS" CHECK cc eth0 "$conf"
}

@test "8 parallel ADDs, four ours and four Debian's: 8 distinct addresses" {
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"')
	local i pids=()
	for i in 0 1 2 3 4 5 6 7; do
		if ((i % 2)); then p=$OURS; else p=$HOSTLOCAL_REF; fi
		hl "$p" ADD "c$i" eth0 "$conf" >"$T/out$i" 2>"$T/err$i" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "ADD $i failed: $(cat "$T/out$i" "$T/err$i")"
	done
	for i in 0 1 2 3 4 5 6 7; do ipam_addr <"$T/out$i"; done | sort -u >"$T/addrs"
	[ "$(wc -l <"$T/addrs")" -eq 8 ] || fail "not 8 distinct addresses: $(cat "$T/addrs")"
	run -0 bash -c "ls '$N' | grep -c '^10\.66\.0\.'"
	assert_output 8
	for i in 0 1 2 3 4 5 6 7; do
		a=$(ipam_addr <"$T/out$i")
		[ "$(cat "$N/$a")" = "c$i"$'\r\neth0' ] || fail "$a is not c$i's"
	done
}

@test "300 random steps through ctutils-host-local and Debian's host-local: identical results and bytes" {
	local ipam='"ranges":[[{"subnet":"10.77.0.0/28"},{"subnet":"10.77.1.0/29","rangeStart":"10.77.1.3"}],[{"subnet":"fd77::/124"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"fd00::/8","gw":"fd77::1"}]'
	local ours_conf ref_conf cmd cid ifname arg step=0 a b rca rcb
	ours_conf=$(ipam_conf "$T/ours" "$ipam")
	ref_conf=$(ipam_conf "$T/ref" "$ipam")
	ipam_steps 4242 300 >"$T/steps"
	while read -r cmd cid ifname arg; do
		step=$((step + 1))
		# shellcheck disable=SC2086 # arg: one VAR=VALUE, or nothing
		a=$(hl "$OURS" "$cmd" "$cid" "$ifname" "$ours_conf" ${arg:+CNI_ARGS=$arg}) && rca=0 || rca=$?
		# shellcheck disable=SC2086
		b=$(hl "$HOSTLOCAL_REF" "$cmd" "$cid" "$ifname" "$ref_conf" ${arg:+CNI_ARGS=$arg}) && rcb=0 || rcb=$?
		a=$(ipam_norm <<<"$a") b=$(ipam_norm <<<"$b")
		[ "$rca $a" = "$rcb $b" ] ||
			fail "step $step ($cmd $cid $ifname $arg): ours rc $rca $a, Debian's rc $rcb $b"
		if ((step % 50 == 0)); then
			diff <(ipam_tree "$T/ours") <(ipam_tree "$T/ref") ||
				fail "the data directories differ after step $step"
		fi
		echo "$rca" >>"$T/rcs"
	done <"$T/steps"
	[ "$step" -eq 300 ]
	diff <(ipam_tree "$T/ours") <(ipam_tree "$T/ref") || fail "the data directories differ"
	# the run went through both answers, and through exhaustion
	grep -qx 0 "$T/rcs"
	grep -qx 1 "$T/rcs"
}

@test "one config of every kind: the same results and the same directory as Debian's" {
	printf 'nameserver 192.0.2.53\nsearch example.com\noptions ndots:2\ndomain example.com\n' >"$T/resolv"
	local ipam v p plugin conf
	ipam='"subnet":"10.88.0.0/24","gateway":"10.88.0.254","ranges":[[{"subnet":"fd88::/64","rangeStart":"fd88::10","rangeEnd":"fd88::20"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"10.0.0.5/8","gw":"::ffff:10.88.0.254"}],"resolvConf":"'$T/resolv'"'
	for v in 0.3.1 0.4.0 1.0.0; do
		for p in ours ref; do
			if [ $p = ours ]; then plugin=$OURS; else plugin=$HOSTLOCAL_REF; fi
			conf=$(ipam_conf "$T/$p" "$ipam" "$v")
			# one address asked for per range set: Go keeps them in a map, whose order is random
			{
				hl "$plugin" ADD "c$v" eth0 "$(jq -c '.runtimeConfig = {ips: ["fd88::15"]} |
					.args = {cni: {ips: ["10.88.0.77"]}}' <<<"$conf")" | ipam_norm
				hl "$plugin" ADD "d$v" eth1 "$conf" 'CNI_ARGS=IgnoreUnknown=1;IP=10.88.0.99' |
					ipam_norm
				hl "$plugin" ADD "e$v" eth0 "$conf" | ipam_norm
				hl "$plugin" DEL "c$v" eth0 "$conf"
				hl "$plugin" DEL "d$v" eth1 "$conf"
			} >"$T/$p.$v"
		done
		diff "$T/ours.$v" "$T/ref.$v"
	done
	grep -q '"nameservers":\["192.0.2.53"\]' "$T/ours.1.0.0"
	grep -q '"address":"10.88.0.77/24","gateway":"10.88.0.254"' "$T/ours.1.0.0"
	diff <(ipam_tree "$T/ours") <(ipam_tree "$T/ref")
	run -0 find "$T/ours" -printf '%P %m\n'
	assert_line 'ctunet 755'
	assert_line 'ctunet/lock 750'
	assert_line 'ctunet/last_reserved_ip.1 644'
}

@test "an exhausted /30: 999 in Debian's words, nothing reserved; STATUS says 50" {
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/30"')
	run -0 hl "$OURS" ADD c1 eth0 "$conf"
	[ "$(ipam_addr <<<"$output")" = 10.66.0.2 ]
	before=$(ipam_tree "$D")
	for p in "$OURS" "$HOSTLOCAL_REF"; do
		run -1 hl "$p" ADD c2 eth0 "$conf"
		[ "$(jq -c '[.code, .msg]' <<<"$output")" = '[999,"failed to allocate for range 0: no IP addresses available in range set: 10.66.0.1-10.66.0.2"]' ]
	done
	[ "$(ipam_tree "$D")" = "$before" ]
	conf11=$(ipam_conf "$D" '"subnet":"10.66.0.0/30"' 1.1.0)
	run -1 hl "$OURS" STATUS "" "" "$conf11"
	[ "$(jq .code <<<"$output")" = 50 ]
	run -0 hl "$OURS" DEL c1 eth0 "$conf"
	run -0 hl "$OURS" STATUS "" "" "$conf11"
	assert_output ''
}

@test "invalid configs: Debian's words, and code 7 where Debian says 999" {
	local ipam
	while IFS= read -r ipam; do
		conf=$(ipam_conf "$D" "$ipam")
		run -1 hl "$OURS" ADD c1 eth0 "$conf"
		ours=$output
		run -1 hl "$HOSTLOCAL_REF" ADD c1 eth0 "$conf"
		[ "$(jq -r .msg <<<"$ours")" = "$(jq -r .msg <<<"$output")" ] ||
			fail "$ipam: ours '$(jq -r .msg <<<"$ours")', Debian's '$(jq -r .msg <<<"$output")'"
		[ "$(jq .code <<<"$ours")" = 7 ] || fail "$ipam: code $(jq .code <<<"$ours")"
		[ "$(jq .code <<<"$output")" = 999 ]
	done <<'EOF'
"subnet":"10.0.0.0/31"
"subnet":"10.0.0.0/32"
"subnet":"fd00::/127"
"subnet":"10.0.0.0/33"
"subnet":"banana"
"subnet":"10.0.0.1/24"
"subnet":"10.0.0.0/24","rangeStart":"10.0.1.1"
"subnet":"10.0.0.0/24","rangeEnd":"10.0.0.300"
"subnet":"10.0.0.0/24","rangeStart":"10.0.0.9","rangeEnd":"10.0.0.5"
"ranges":[[{"subnet":"10.0.0.0/24"},{"subnet":"10.0.0.0/25"}]]
"ranges":[[{"subnet":"10.0.0.0/24"}],[{"subnet":"10.0.0.128/25"}]]
"ranges":[[{"subnet":"10.0.0.0/24"},{"subnet":"fd00::/64"}]]
"ranges":[[]]
"ranges":[[{}]]
"rangeStart":"10.0.0.2"
EOF
	# nothing was reserved by any of them
	[ -z "$(find "$D" -name '10.*' 2>/dev/null)" ]
}

@test "a symlinked NAME directory: 999 naming it, nothing written through it" {
	mkdir -p "$D" "$T/elsewhere"
	ln -s ../elsewhere "$N"
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"')
	for cmd in ADD DEL CHECK; do
		run -1 hl "$OURS" "$cmd" c1 eth0 "$conf"
		[ "$(jq .code <<<"$output")" = 999 ]
		[[ "$(jq -r .msg <<<"$output")" == *"$N is a symbolic link"* ]]
	done
	[ -z "$(ls -A "$T/elsewhere")" ]
}

@test "planted entries are taken addresses, never written through nor released" {
	mkdir -p "$N"
	echo secret >"$T/target"
	ln -s ../../target "$N/10.66.0.2"
	mkdir "$N/10.66.0.3"
	mkfifo "$N/10.66.0.4"
	ln -s /nonexistent "$N/10.66.0.5"
	# a file of a container that only a reader through symlinks would see
	printf 'c1\r\neth0' >"$T/other"
	ln -s ../../other "$N/10.66.0.6"
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"')
	run -0 hl "$OURS" ADD c1 eth0 "$conf"
	[ "$(ipam_addr <<<"$output")" = 10.66.0.7 ]
	[ "$(cat "$T/target")" = secret ]
	# a symlinked last_reserved_ip is not written through either
	ln -s ../../target "$N/last_reserved_ip.0.new" && mv -T "$N/last_reserved_ip.0.new" "$N/last_reserved_ip.0"
	run -1 hl "$OURS" ADD c2 eth0 "$conf"
	[ "$(jq .code <<<"$output")" = 999 ]
	[ "$(cat "$T/target")" = secret ]
	[ ! -e "$N/10.66.0.8" ]
	run -0 hl "$OURS" DEL c1 eth0 "$conf"
	[ ! -e "$N/10.66.0.7" ]
	[ -L "$N/10.66.0.2" ] && [ -d "$N/10.66.0.3" ] && [ -p "$N/10.66.0.4" ] && [ -L "$N/10.66.0.6" ]
	# a file too big to be a reservation is not read, and never matches
	head -c 5000 /dev/zero >"$N/10.66.0.9"
	run -0 hl "$OURS" DEL c1 eth0 "$conf"
	[ -e "$N/10.66.0.9" ]
}

@test "GC: three attachments, the third valid: only its reservation stays" {
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"' 1.1.0)
	for c in c1 c2 c3; do
		run -0 hl "$OURS" ADD "$c" eth0 "$conf"
	done
	# an old version's bare container ID, of a container that is gone
	printf 'c9' >"$N/10.66.0.50"
	gc=$(jq -c '.["cni.dev/valid-attachments"] = [{containerID: "c3", ifname: "eth0"}]' <<<"$conf")
	run -0 hl "$OURS" GC "" "" "$gc"
	assert_output ''
	run -0 ls "$N"
	assert_output $'10.66.0.4\nlast_reserved_ip.0\nlock'
	[ "$(cat "$N/10.66.0.4")" = c3$'\r\neth0' ]
	# the spec text's older key is read too
	gc=$(jq -c '.["cni.dev/attachments"] = []' <<<"$conf")
	run -0 hl "$OURS" GC "" "" "$gc"
	[ ! -e "$N/10.66.0.4" ]
	# a network never used: nothing to do, nothing made
	conf=$(IPAM_NET=unused ipam_conf "$D" '"subnet":"10.66.0.0/24"' 1.1.0)
	run -0 hl "$OURS" GC "" "" "$conf"
	[ ! -e "$D/unused" ]
}

@test "DEL: an old version's bare container ID released, again 0 with no output; the NAME dir appears as with Debian's" {
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"')
	run -0 hl "$OURS" DEL c1 eth0 "$conf"
	assert_output ''
	run -0 find "$D" -printf '%P %m\n'
	assert_output $' 755\nctunet 755\nctunet/lock 750'
	printf 'old\n' >"$N/10.66.0.7"
	printf 'c1\r\neth1' >"$N/10.66.0.8"
	run -0 hl "$OURS" DEL old eth0 "$conf"
	[ ! -e "$N/10.66.0.7" ] && [ -e "$N/10.66.0.8" ]
	run -0 hl "$OURS" DEL c1 eth0 "$conf"
	[ -e "$N/10.66.0.8" ]
	run -0 hl "$OURS" DEL c1 eth1 "$conf"
	[ ! -e "$N/10.66.0.8" ]
	run -0 hl "$OURS" DEL c1 eth1 "$conf"
	assert_output ''
}

@test "a lock held past 30 s (go-filemutex's flock): code 11, nothing reserved" {
	require_cmd flock
	conf=$(ipam_conf "$D" '"subnet":"10.66.0.0/24"')
	run -0 hl "$OURS" DEL c0 eth0 "$conf"
	flock -o "$N/lock" sleep 45 &
	holder=$!
	ctu_cleanup_add pid "$holder"
	sleep 0.5
	start=$SECONDS
	run -1 hl "$OURS" ADD c1 eth0 "$conf"
	[ "$(jq .code <<<"$output")" = 11 ]
	[ $((SECONDS - start)) -ge 29 ]
	[ ! -e "$N/10.66.0.2" ]
}

@test "through ctutils-bridge: Debian's host-local delegated to (a 1.1.0 network retried at 1.0.0), then ours; GC releases both" {
	require_root
	require_kernel_feature netns veth bridge
	H=$(ctu_name h) C=$(ctu_name c)
	for n in "$H" "$C"; do
		ip netns add "$n"
		ctu_cleanup_add netns "$n"
	done
	ln -s "$VETHCTL" "$T/bin/ctutils-bridge"
	conf=$(jq -nc --arg d "$D" '{cniVersion: "1.1.0", name: "ctunet", type: "ctutils-bridge",
		bridge: "ctu0", isGateway: true, ipam: {type: "host-local", dataDir: $d,
		ranges: [[{subnet: "10.66.0.0/24"}], [{subnet: "fd66::/64"}]]}}')
	plug() {
		ip netns exec "$H" env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="/run/netns/$C" \
			CNI_IFNAME="$3" CNI_PATH="$4" "$T/bin/ctutils-bridge" <<<"$5"
	}
	run -0 plug ADD c1 eth0 "$CNI_PLUGINS" "$conf"
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.66.0.2/24","fd66::2/64"]' ]
	run -0 plug ADD c2 eth1 /nonexistent "$conf"
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.66.0.3/24","fd66::3/64"]' ]
	[ "$(cat "$N/fd66::2")" = c1$'\r\neth0' ]
	[ "$(cat "$N/last_reserved_ip.1")" = fd66::3 ]
	run -0 plug STATUS "" "" "$CNI_PLUGINS" "$conf"
	gc=$(jq -c '.["cni.dev/valid-attachments"] = [{containerID: "c2", ifname: "eth1"}]' <<<"$conf")
	run -0 plug GC "" "" "$CNI_PLUGINS" "$gc"
	run -0 ls "$N"
	assert_output $'10.66.0.3\nfd66::3\nlast_reserved_ip.0\nlast_reserved_ip.1\nlock'
	run -0 plug DEL c2 eth1 "$CNI_PLUGINS" "$conf"
	assert_output ''
	run -0 ls "$N"
	assert_output $'last_reserved_ip.0\nlast_reserved_ip.1\nlock'
}
