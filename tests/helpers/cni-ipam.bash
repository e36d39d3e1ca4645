# SPDX-License-Identifier: GPL-2.0-or-later
# helpers/cni-ipam.bash - host-local two ways, for tests/cni-ipam.bats: ours
# (vethctl as ctutils-host-local, a symlink in the test's directory) and
# Debian's containernetworking-plugins 1.1.1 (the oracle), both run as a
# runtime runs an IPAM plugin, with CNI_NETNS=/dev/null: an IPAM plugin never
# enters the namespace, so no namespace is needed.  Loaded after helpers.bash.

: "${CNI_PLUGINS:=/usr/lib/cni}"
HOSTLOCAL_REF=$CNI_PLUGINS/host-local

ipam_require() {
	require_cmd jq od find
	require_tool "$VETHCTL"
	[ -x "$HOSTLOCAL_REF" ] || ctu_skip "needs Debian's host-local ($HOSTLOCAL_REF)"
}

# ipam_setup: $T (the test's directory) and $OURS, ctutils-host-local there.
ipam_setup() {
	T=$(ctu_tmpdir)
	mkdir -p "$T/bin"
	ln -s "$VETHCTL" "$T/bin/ctutils-host-local"
	# shellcheck disable=SC2034 # the tests' variable
	OURS=$T/bin/ctutils-host-local
}

# ipam_conf DATADIR 'IPAM MEMBERS' [VERSION]: a network config for host-local,
# the network named $IPAM_NET (default ctunet).
ipam_conf() {
	printf '{"cniVersion":"%s","name":"%s","ipam":{"type":"host-local","dataDir":"%s",%s}}\n' \
		"${3:-1.0.0}" "${IPAM_NET:-ctunet}" "$1" "$2"
}

# hl PLUGIN CMD CID IFNAME CONF [VAR=VALUE...]: one request, stdout only.
hl() {
	local plugin=$1 cmd=$2 cid=$3 ifname=$4 conf=$5
	shift 5
	env CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" CNI_NETNS=/dev/null CNI_IFNAME="$ifname" \
		CNI_PATH="$CNI_PLUGINS" "$@" "$plugin" <<<"$conf"
}

# ipam_norm: a plugin's output, compact, keys sorted; an error without
# "cniVersion" (the Go plugins' errors have none; the spec's have it).
ipam_norm() {
	local text
	text=$(cat)
	[ -n "$text" ] || return 0
	jq -cS 'if has("code") then del(.cniVersion) else . end' <<<"$text" 2>/dev/null ||
		printf 'NOT JSON: %s\n' "$text"
}

# ipam_addr: the first address of a result on stdin, without its prefix.
ipam_addr() {
	jq -r '.ips[0].address' | cut -d/ -f1
}

# ipam_tree DIR: what the spec compares, `find -printf '%P %m\n'` of DIR and
# `od -c` of every file in it, in name order.
ipam_tree() {
	(
		cd "$1" || exit 1
		find . -printf '%P %m\n' | LC_ALL=C sort
		find . -type f | LC_ALL=C sort | while IFS= read -r f; do
			printf '== %s\n' "$f"
			od -c "$f"
		done
	)
}

# ipam_steps SEED N: a fixed random sequence of N requests, "CMD CID IFNAME
# [IP=A]" per line: ADDs and DELs of 10 containers with eth0/eth1 (more
# attachments than addresses, so some ADDs find the set exhausted), a CHECK
# now and then, and some ADDs asking for an address through CNI_ARGS.
ipam_steps() {
	RANDOM=$1
	local i r cid ifname
	for ((i = 0; i < $2; i++)); do
		r=$((RANDOM % 100)) cid=c$((RANDOM % 10)) ifname=eth$((RANDOM % 2))
		if [ "$r" -lt 50 ]; then
			echo "ADD $cid $ifname"
		elif [ "$r" -lt 56 ]; then
			echo "ADD $cid $ifname IP=10.77.0.$((RANDOM % 16))"
		elif [ "$r" -lt 90 ]; then
			echo "DEL $cid $ifname"
		else
			echo "CHECK $cid $ifname"
		fi
	done
}
