#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `ctrun spec` writes the config.json `runc spec` writes (the hostname and a
# cgroup namespace aside), byte for byte, and never overwrites one; `ctrun
# features` prints the runtime-spec's features document, shaped as `runc
# features`'s, with what the chain implements.

load helpers

setup() {
	: "${CTRUN:=$CTU_BUILD/ctrun}"
	require_tool "$CTRUN"
	T=$(ctu_tmpdir)
}

@test "spec writes runc's document: the same bytes but hostname ctrun and a cgroup namespace" {
	require_cmd runc jq
	mkdir "$T/ours" "$T/runc"
	run -0 "$CTRUN" spec -b "$T/ours"
	assert_output ""
	(cd "$T/runc" && runc spec) || fail "runc spec failed"
	# the meaning, through jq
	diff <(jq -S '.hostname = "H" | .linux.namespaces -= [{"type": "cgroup"}]' "$T/ours/config.json") \
		<(jq -S '.hostname = "H"' "$T/runc/config.json") || fail "not runc's document"
	assert_equal "$(jq -r .hostname "$T/ours/config.json")" ctrun
	assert_equal "$(jq -c '[.linux.namespaces[].type]' "$T/ours/config.json")" \
		'["pid","network","ipc","uts","mount","cgroup"]'
	# and the bytes: member order, tabs, no final newline
	diff <(sed 's/"hostname": "runc"/"hostname": "ctrun"/' "$T/runc/config.json") \
		<(jq --tab '.linux.namespaces -= [{"type": "cgroup"}]' "$T/ours/config.json" | head -c -1) ||
		fail "not runc's layout"
	cmp <(jq --tab . "$T/ours/config.json" | head -c -1) "$T/ours/config.json" || fail "not tab-indented"
	assert_equal "$(stat -c %a "$T/ours/config.json")" "$(stat -c %a "$T/runc/config.json")"
}

@test "spec's content: sh, terminal, three capabilities, NOFILE 1024, read-only root, masked and read-only paths" {
	cd "$T"
	run -0 "$CTRUN" spec
	c=$T/config.json
	assert_equal "$(jq -c .process.args "$c")" '["sh"]'
	assert_equal "$(jq .process.terminal "$c")" true
	assert_equal "$(jq -c .process.capabilities.bounding "$c")" '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
	assert_equal "$(jq -c .process.rlimits "$c")" '[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}]'
	assert_equal "$(jq .root.readonly "$c")" true
	assert_equal "$(jq -r .root.path "$c")" rootfs
	assert_equal "$(jq -c '[.mounts[].destination]' "$c")" \
		'["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys","/sys/fs/cgroup"]'
	assert_equal "$(jq '.linux.maskedPaths | length' "$c")" 10
	assert_equal "$(jq -c .linux.readonlyPaths "$c")" \
		'["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]'
}

@test "spec never overwrites: config.json, a symlink named so, exit 1 with runc's words, the file unchanged" {
	echo keep >"$T/config.json"
	run "$CTRUN" spec -b "$T"
	assert_failure 1
	assert_output "ctrun: spec: File $T/config.json exists. Remove it first"
	assert_equal "$(cat "$T/config.json")" keep
	mkdir "$T/b"
	ln -s /nonexistent/target "$T/b/config.json"
	run "$CTRUN" spec -b "$T/b"
	assert_failure 1
	assert_output --partial "exists. Remove it first"
	[ ! -e /nonexistent/target ] || fail "followed the symlink"
	cd "$T"
	run "$CTRUN" spec
	assert_failure 1
	assert_output "ctrun: spec: File config.json exists. Remove it first"
}

@test "spec errors: a missing bundle (1, nothing made), --rootless (1), an argument or unknown option (2); -h" {
	run "$CTRUN" spec -b "$T/missing"
	assert_failure 1
	assert_output --partial "$T/missing"
	[ ! -e "$T/missing" ] || fail "made the bundle"
	run "$CTRUN" spec --rootless -b "$T"
	assert_failure 1
	assert_output "ctrun: spec: rootless: not supported yet"
	[ ! -e "$T/config.json" ] || fail "wrote config.json"
	run "$CTRUN" spec -b "$T" extra
	assert_failure 2
	run "$CTRUN" spec --bogus
	assert_failure 2
	[ ! -e "$T/config.json" ] || fail "wrote config.json"
	run -0 "$CTRUN" spec --help
	assert_output --partial "ctrun spec [options]"
	assert_output --partial "--bundle"
}

@test "features: runc's shape, OCI 1.0.0..1.1.0, what the chain implements" {
	require_cmd jq
	run -0 "$CTRUN" features
	f=$output
	assert_equal "$(jq -r '.ociVersionMin + " " + .ociVersionMax' <<<"$f")" "1.0.0 1.1.0"
	assert_equal "$(jq -c .hooks <<<"$f")" \
		'["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
	# later rows are not claimed
	assert_equal "$(jq '.mountOptions | index("tmpcopyup")' <<<"$f")" null
	assert_equal "$(jq -c '[.mountOptions[] | select(. == "bind" or . == "rbind" or . == "rslave")]' <<<"$f")" \
		'["bind","rbind","rslave"]'
	assert_equal "$(jq -c '.linux.namespaces | sort' <<<"$f")" \
		'["cgroup","ipc","mount","network","pid","time","user","uts"]'
	assert_equal "$(jq -c .linux.cgroup <<<"$f")" '{"v1":true,"v2":true,"systemd":false,"systemdUser":false}'
	assert_equal "$(jq -c '[.linux.selinux.enabled, .linux.intelRdt.enabled, .linux.mountExtensions.idmap.enabled]' <<<"$f")" \
		'[false,false,false]'
	assert_equal "$(jq '.linux.seccomp.enabled' <<<"$f")" true
	assert_equal "$(jq '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")' <<<"$f")" null
	assert_equal "$(jq '.linux.seccomp.operators | length' <<<"$f")" 7
	assert_equal "$(jq -c '.linux.seccomp.knownFlags' <<<"$f")" \
		'["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
	assert_equal "$(jq -r '.annotations["org.ctutils.ctrun.version"]' <<<"$f")" \
		"$("$CTRUN" --version | sed -n 's/^ctrun from ctutils //p')"
	# the capabilities are the kernel's (libcap knows at least those)
	last=$(cat /proc/sys/kernel/cap_last_cap)
	[ "$(jq '.linux.capabilities | length' <<<"$f")" -ge $((last + 1)) ] || fail "fewer capabilities than the kernel's"
	assert_equal "$(jq -r '.linux.capabilities[0]' <<<"$f")" CAP_CHOWN
	# AppArmor as probed
	if [ -d /sys/kernel/security/apparmor ] && grep -q Y /sys/module/apparmor/parameters/enabled 2>/dev/null; then
		want=true
	else
		want=false
	fi
	assert_equal "$(jq .linux.apparmor.enabled <<<"$f")" "$want"
}

@test "features next to runc features: every member runc prints is there (runc's own annotations aside); the archs, actions and libseccomp version agree" {
	require_cmd runc jq
	run -0 "$CTRUN" features
	ours=$output
	run -0 runc features
	theirs=$output
	paths='[paths(type != "array" and type != "object") | map(tostring) | join(".") | sub("\\.[0-9]+$"; "")] | unique | .[]'
	missing=$(comm -23 <(jq -r "$paths" <<<"$theirs" | grep -v '^annotations\.org\.opencontainers\.runc') \
		<(jq -r "$paths" <<<"$ours"))
	[ -z "$missing" ] || fail "members runc has and ctrun lacks: $missing"
	assert_equal "$(jq -c '.linux.seccomp.archs - $ours' --argjson ours "$(jq .linux.seccomp.archs <<<"$ours")" <<<"$theirs")" '[]'
	assert_equal "$(jq -c '(.linux.seccomp.actions - ["SCMP_ACT_NOTIFY"]) | sort' <<<"$theirs")" \
		"$(jq -c '.linux.seccomp.actions | sort' <<<"$ours")"
	assert_equal "$(jq -c '.linux.seccomp.operators | sort' <<<"$theirs")" "$(jq -c '.linux.seccomp.operators | sort' <<<"$ours")"
	assert_equal "$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' <<<"$ours")" \
		"$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' <<<"$theirs")"
	run "$CTRUN" features extra
	assert_failure 2
	run -0 "$CTRUN" features -h
	assert_output --partial "ctrun features"
}
