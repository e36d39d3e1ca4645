#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ctrun --show-chain: the chain config.json becomes, printed as shell words
# (one tool per line, tools by absolute path), and --show-chain=bare piped
# into sh as root: what runc does, as commands.  The chain makes its own
# namespaces; its cgroup is put below this test's own (an absolute
# cgroupsPath in the unified hierarchy, or v2's only one) and removed in
# teardown.  Effects are read back from the kernel: hostname, /proc/self/status,
# mountinfo inside, the cgroup's files outside.

load helpers

setup() {
	require_root
	require_tool "$CTRUN" "$CTU_BUILD/cgctl" "$CTU_BUILD/unshare-lite" "$CTU_BUILD/pivot"
	require_cmd jq
	T=$(ctu_tmpdir)
	ID=$(ctu_name c)
	B=$T/bundle
	mkdir -p "$B"
	ctu_make_rootfs "$B/rootfs"
	(cd "$B" && "$CTRUN" spec) || fail "ctrun spec failed"
	OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ -n "$OWN" ] || fail "no unified cgroup line in /proc/self/cgroup"
	CGPATH=${OWN%/}/$ID
}

teardown() {
	"$CTU_BUILD/cgctl" delete -r --kill "$CGPATH" >/dev/null 2>&1 || true
	ctu_teardown
}

# config FILTER [jq args...]: edit $B/config.json with jq.
config() {
	local f=$1
	shift
	jq "$@" "$f" "$B/config.json" >"$B/config.json.new" || fail "jq $f"
	mv "$B/config.json.new" "$B/config.json"
}

# The cgroup's directory in the hierarchy of controller $1 (the unified one when v2 has it).
cg_dir_of() {
	local mnt
	mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk -v c="$1" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
	[ -n "$mnt" ] || mnt=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
	printf '%s%s\n' "$mnt" "$CGPATH"
}

cg_exists() {
	[ -d "$(findmnt -n -o TARGET -t cgroup2 | head -n1)$CGPATH" ]
}

# A config with a bit of everything a chain can show, nothing run.
rich_config() {
	config '.process.terminal = false
		| .hostname = "h-chain" | .domainname = "d-chain"
		| .process.user = {uid: 1000, gid: 100, additionalGids: [5, 6]}
		| .process.cwd = "/work"
		| .process.args = ["/bin/echo", "it'"'"'s", "a b"]
		| .process.oomScoreAdj = 100
		| .mounts += [{destination: "/data", type: "bind", source: "vol", options: ["rbind", "ro"]}]
		| .linux.namespaces += [{type: "user"}, {type: "network", path: $net}]
		| .linux.namespaces |= map(select(.type != "network" or .path))
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}
		| .linux.resources.memory = {limit: 104857600}
		| .linux.resources.pids = {limit: 32}
		| .linux.resources.cpu = {shares: 512}
		| .linux.cgroupsPath = $cg' --arg cg "$CGPATH" --arg net "/proc/$$/ns/net"
	mkdir -p "$B/vol"
}

@test "--show-chain: one tool per line, by absolute path, the config's options; nothing made" {
	rich_config
	run "$CTRUN" --root "$T/r" --show-chain create -b "$B" "$ID"
	assert_success
	[ "${#lines[@]}" -eq 4 ] || fail "want 4 lines (cgctl, nsenter-lite, unshare-lite, pivot): $output"
	assert_line --index 0 --regexp "^$CTU_BUILD/cgctl exec $CGPATH --memory 104857600 -s cpu.shares=512 --pids 32 .*--empty --preserve-fds 4 -- \\\\\$"
	assert_line --index 1 "$CTU_BUILD/nsenter-lite --net=/proc/$$/ns/net -F --preserve-fds 4 -- \\"
	assert_line --index 2 --regexp "^$CTU_BUILD/unshare-lite -U --map-users 0:100000:65536 --map-groups 0:100000:65536 --setgroups allow -S 0 -G 0 -m -u -i -p -C -f --detach --propagation unchanged --hostname h-chain --domainname d-chain --sysctl net.ipv4.ip_forward=1 --new-keyring --info-fd 3 --preserve-fds 4 -- \\\\\$"
	assert_line --index 3 --regexp "^$CTU_BUILD/pivot $B/rootfs --propagation slave --mount proc:proc:/proc "
	assert_line --index 3 --partial " --mount bind:$B/vol:/data:rbind,ro "
	assert_line --index 3 --partial " --mkdir /work "
	assert_line --index 3 --partial " --readonly -w /work --new-session -S 1000 -G 100 --groups 5,6 --umask 0022 "
	assert_line --index 3 --partial " --oom-score-adj 100 "
	assert_line --index 3 --partial " --own-stdio --sync-fd 4 --stderr-fd 6 --block-fd 5 --preserve-fds 0 -- /bin/echo 'it'\\''s' 'a b'"
	# every line but the last continues
	[ "$(printf '%s\n' "$output" | grep -c ' \\$')" -eq 3 ]
	# nothing made: no state, no cgroup, no pid file
	[ ! -e "$T/r/$ID" ]
	run cg_exists
	assert_failure
}

@test "--show-chain=bare: no sync fds, no --detach; a bad config is refused by pointer, nothing made" {
	rich_config
	run "$CTRUN" --root "$T/r" --show-chain=bare create -b "$B" "$ID"
	assert_success
	refute_output --partial "-fd "
	refute_output --partial "--detach"
	assert_line --index 0 --partial " --empty --preserve-fds 0 -- \\"
	config '.linux.cgroupsPath = "../../escape"'
	run "$CTRUN" --root "$T/r" --show-chain=bare create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "/linux/cgroupsPath"
	assert_output --partial "climbs out with '..'"
	[ ! -e "$T/r/$ID" ]
	config '.linux.cgroupsPath = "system.slice:ctr:x"'
	run "$CTRUN" --root "$T/r" --show-chain create -b "$B" "$ID"
	assert_failure 1
	assert_output --partial "use the cgroupfs manager"
}

@test "--show-chain=bare run by sh: the probe sees the config (hostname, ids, caps, mounts, cgroup)" {
	mkdir -p "$B/vol" && echo from-the-bundle >"$B/vol/f"
	config '.process.terminal = false
		| .hostname = "h-bare"
		| .process.cwd = "/work"
		| .process.env = ["PATH=/bin", "A=with space"]
		| .process.user.additionalGids = [7]
		| .process.capabilities = {bounding: ["CAP_KILL", "CAP_CHOWN"], effective: ["CAP_KILL"],
			permitted: ["CAP_KILL"]}
		| .process.args = ["/bin/sh", "-c", "hostname; id; pwd; grep -E \"^(Cap|NoNewPrivs)\" /proc/self/status; cat /data/f; echo \"A=$A\"; cat /proc/self/mountinfo; cat /proc/self/cgroup"]
		| .mounts += [{destination: "/data", type: "bind", source: "vol", options: ["rbind", "ro"]}]
		| .linux.resources.pids = {limit: 23}
		| .linux.cgroupsPath = $cg' --arg cg "$CGPATH"
	"$CTRUN" --root "$T/r" --show-chain=bare create -b "$B" "$ID" >"$T/chain.sh"
	run timeout 30 sh "$T/chain.sh"
	assert_success
	assert_line --index 0 "h-bare"
	assert_line --index 1 --regexp '^uid=0\(root\) gid=0(\(root\))? groups=.*7'
	assert_line --index 2 "/work"
	assert_line "CapPrm:	0000000000000020"
	assert_line "CapEff:	0000000000000020"
	assert_line "CapBnd:	0000000000000021"
	assert_line "CapAmb:	0000000000000000"
	assert_line "NoNewPrivs:	1"
	assert_line "from-the-bundle"
	assert_line "A=with space"
	# mountinfo: the root read-only, a new proc, the bind read-only, a masked path
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ro[,a-z]* '
	assert_line --regexp ' / /proc rw[,a-z]* (.* )?- proc '
	assert_line --regexp ' /data ro[,a-z]* '
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ /null /proc/keys .* - tmpfs '
	# the kernel's view from outside: the cgroup made where asked, with its limit
	[ "$(cat "$(cg_dir_of pids)/pids.max")" = 23 ]
	# and nothing of the container left running in it
	[ -z "$(cat "$(cg_dir_of pids)/cgroup.procs")" ]
}

@test "--show-chain=bare: hard words survive the shell round trip" {
	config '.process.terminal = false
		| .process.args = ["/bin/printf", "%s\\n", "it'"'"'s", "a  b", "$HOME", "`id`", "x\"y", "", "back\\slash", "*", "line\nbreak", "~"]
		| .linux.cgroupsPath = $cg' --arg cg "$CGPATH"
	"$CTRUN" --root "$T/r" --show-chain=bare create -b "$B" "$ID" >"$T/chain.sh"
	run timeout 30 sh "$T/chain.sh"
	assert_success
	expected=$(printf '%s\n' "it's" "a  b" '$HOME' '`id`' 'x"y' "" 'back\slash' '*' "line
break" '~')
	[ "$output" = "$expected" ] || fail "got: $output"
}

@test "--show-chain=bare run by sh: a network namespace joined by path (nsenter-lite before unshare-lite)" {
	require_cmd ip
	NS=$(ctu_name n)
	ip netns add "$NS" || fail "ip netns add $NS"
	ctu_cleanup_add netns "$NS"
	ip -n "$NS" link add "${NS:0:10}a0" type veth peer name "${NS:0:10}b0" || fail "cannot add a veth pair in $NS"
	config '.process.terminal = false
		| .process.args = ["/bin/cat", "/proc/net/dev"]
		| .linux.namespaces |= map(if .type == "network" then .path = $p else . end)
		| .linux.cgroupsPath = $cg' --arg cg "$CGPATH" --arg p "/run/netns/$NS"
	"$CTRUN" --root "$T/r" --show-chain=bare create -b "$B" "$ID" >"$T/chain.sh"
	run grep -c "^$CTU_BUILD/nsenter-lite --net=/run/netns/$NS -F --preserve-fds 0 -- \\\\\$" "$T/chain.sh"
	assert_output 1
	run grep -- " -n " "$T/chain.sh"
	assert_failure
	run timeout 30 sh "$T/chain.sh"
	assert_success
	assert_output --partial "${NS:0:10}a0:"
}
