#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# nsenter-lite --inspect: the document against its schema and against the
# tools that show each part one by one (lsns, getpcaps, ps), the seccomp
# modes, hostile names and arguments, --section, and the exit codes.

load helpers

SCHEMA=$CTU_ROOT/tests/schema/inspect.schema.json

setup() {
	require_root
	require_tool "$NSENTER_LITE" "$UNSHARE_LITE"
	T=$(ctu_tmpdir)
}

# start_container [PROGRAM...]: a container made by the ctutils chain (user,
# pid, uts, net and mount namespaces, its own /proc) running PROGRAM (sleep
# 1000 by default); sets $TARGET to its init's PID.
start_container() {
	[ $# -gt 0 ] || set -- sleep 1000
	"$UNSHARE_LITE" --pidfile "$T/c.pid" -r -p -f -u -n --mount-proc --hostname box "$@" &
	ctu_cleanup_add pid "$!"
	ctu_wait_for_file "$T/c.pid" || fail "the container did not start"
	TARGET=$(cat "$T/c.pid")
	ctu_cleanup_add pid "$TARGET"
}

# start_host_process PROGRAM...: a process of ours to inspect; sets $TARGET.
start_host_process() {
	"$@" &
	TARGET=$!
	ctu_cleanup_add pid "$TARGET"
}

# inspect_json ARGS...: the document of $TARGET in $T/doc.json, exit 0 required.
inspect_json() {
	"$NSENTER_LITE" -t "$TARGET" --inspect --json "$@" >"$T/doc.json" 2>"$T/err" ||
		fail "--inspect failed: $(cat "$T/err")"
}

require_jsonschema() {
	python3 -c 'import jsonschema' 2>/dev/null || ctu_skip "needs python3-jsonschema"
}

validate() {
	python3 - "$SCHEMA" "$1" <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
EOF
}

# Field 22 of /proc/PID/stat, after the comm's closing parenthesis.
start_time_of() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20
}

@test "--inspect --json: valid against the schema; the process section is the container's init" {
	require_jsonschema
	start_container
	inspect_json
	run validate "$T/doc.json"
	assert_success
	run jq -c '.process | [.pid, .ns_pid, .pidref, .comm, .cmdline, .exe, .ppid, .uid, .start_time]' \
		"$T/doc.json"
	assert_output "[$TARGET,1,\"$TARGET@$(start_time_of "$TARGET")\",\"sleep\",[\"sleep\",\"1000\"],\"$(readlink /proc/"$TARGET"/exe)\",$(awk '/^PPid:/ {print $2}' /proc/"$TARGET"/status),[0,0,0,0],$(start_time_of "$TARGET")]"
	run jq -r '.process.state' "$T/doc.json"
	assert_output --regexp '^S \(sleeping\)$'
	# every section is there, none failed
	run jq -c '[keys_unsorted, .errors]' "$T/doc.json"
	assert_output '[["process","ns","userns","cgroup","root","net","security","tree","errors"],[]]'
}

@test "--inspect: pidfs_inode is the pidfd's inode on 6.9+, null before" {
	start_container
	inspect_json --section process
	run jq -r '.process.pidfs_inode' "$T/doc.json"
	if [ "$(uname -r | awk -F. '{print ($1 * 1000 + $2 >= 6009)}')" = 1 ]; then
		# PID:INODE takes what --inspect prints
		"$NSENTER_LITE" -t "$TARGET:$output" -u hostname >"$T/out" || fail "PID:INODE refused"
		[ "$(cat "$T/out")" = box ]
	else
		assert_output null
	fi
}

@test "--inspect: ns inodes and nprocs equal lsns's; host and others" {
	start_container
	inspect_json --section ns
	# lsns fails when a process it scans exits under it (other tests run alongside): again
	for _ in 1 2 3 4 5; do
		lsns -J -p "$TARGET" -o NS,TYPE,NPROCS >"$T/lsns.json" 2>"$T/lsns.err" && break
		sleep 0.2
	done
	[ -s "$T/lsns.json" ] || fail "lsns: $(cat "$T/lsns.err")"
	run jq -r '.namespaces[] | "\(.type) \(.ns)"' "$T/lsns.json"
	local want=$output
	run jq -r '.ns[] | "\(.type) \(.inode)"' "$T/doc.json"
	[ "$(sort <<<"$output")" = "$(sort <<<"$want")" ] || fail "lsns: $want, ours: $output"
	# the container's own namespaces: nobody else is in them; PID 1's may be unreadable
	local host=false
	readlink /proc/1/ns/user >/dev/null 2>&1 || host=null
	for type in user pid uts net mnt; do
		[ "$(ctu_ns_inode "$TARGET" "$type")" != "$(ctu_ns_inode $$ "$type")" ] ||
			fail "$type is not the container's own"
		want=$(jq ".namespaces[] | select(.type == \"$type\") | .nprocs" "$T/lsns.json")
		run jq -c ".ns[] | select(.type == \"$type\") | [.nprocs, .host, .others, .others_count]" \
			"$T/doc.json"
		assert_output "[$want,$host,[],0]"
	done
	# shared with us: we, outside its pid namespace, are among the others
	run jq -r '.ns[] | select(.type == "ipc") | .others_count > 0 and (.others | length) <= 8' \
		"$T/doc.json"
	assert_output true
	if [ -r /proc/1/ns/ipc ] && [ "$(ctu_ns_inode 1 ipc)" = "$(ctu_ns_inode $$ ipc)" ]; then
		run jq -r '.ns[] | select(.type == "ipc") | .host' "$T/doc.json"
		assert_output true
	fi
}

@test "--inspect: a sidecar outside the pid namespace sharing the net namespace is named" {
	start_container
	local init=$TARGET
	"$NSENTER_LITE" -t "$init" -n sleep 1001 &
	local sidecar=$!
	ctu_cleanup_add pid "$sidecar"
	# until the sidecar has entered and exec'd
	for _ in $(seq 50); do
		[ "$(ctu_ns_inode "$sidecar" net)" = "$(ctu_ns_inode "$init" net)" ] &&
			grep -q sleep "/proc/$sidecar/comm" && break
		sleep 0.1
	done
	inspect_json --section ns
	run jq -c '.ns[] | select(.type == "net") | [.nprocs, .others, .others_count]' "$T/doc.json"
	assert_output "[2,[{\"pid\":$sidecar,\"comm\":\"sleep\"}],1]"
	run jq -c '.ns[] | select(.type == "pid") | [.nprocs, .others_count]' "$T/doc.json"
	assert_output '[1,0]'
}

@test "--inspect: userns equals the container's maps, owner and setgroups" {
	start_container
	inspect_json --section userns
	run jq -c '.userns | [.inode, .owner_uid, .setgroups]' "$T/doc.json"
	assert_output "[$(ctu_ns_inode "$TARGET" user),0,\"$(cat /proc/"$TARGET"/setgroups)\"]"
	run jq -r '.userns.uid_map[] | map(tostring) | join(" ")' "$T/doc.json"
	assert_output "$(awk '{print $1, $2, $3}' /proc/"$TARGET"/uid_map)"
	run jq -r '.userns.gid_map[] | map(tostring) | join(" ")' "$T/doc.json"
	assert_output "$(awk '{print $1, $2, $3}' /proc/"$TARGET"/gid_map)"
}

# caps_like_getpcaps PID: getpcaps --iab's sets, as "SET name,name" lines
# (cap_from_text(3): "=ep cap_x-e"; IAB: "^a" ambient, "!b" not bounding).
caps_like_getpcaps() {
	local all
	all=$(capsh --decode="$(printf '%x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))")
	getpcaps --iab "$1" 2>&1 | python3 -c '
import re, sys
all_caps = sys.argv[1].split("=", 1)[1].split(",")
line = sys.stdin.read()
text = re.search(r"\"(.*)\"", line).group(1)
# no IAB part when nothing is inheritable, ambient or out of the bounding set
iab = re.search(r"\[(.*)\]", line)
iab = iab.group(1) if iab else ""
sets = {"e": set(), "i": set(), "p": set()}
for clause in text.split():
    names, ops = re.match(r"([^=+-]*)(.*)", clause).groups()
    names = set(all_caps if names in ("", "all") else names.split(","))
    for op, flags in re.findall(r"([=+-])([eip]*)", ops):
        if op == "=":
            for f in "eip":
                sets[f] -= names
        for f in flags:
            sets[f] = sets[f] - names if op == "-" else sets[f] | names
amb, blocked = set(), set()
for tok in filter(None, iab.split(",")):
    name = tok.lstrip("!^%")
    if "^" in tok:
        amb.add(name)
    if "!" in tok or "%" in tok:
        blocked.add(name)
order = {n: i for i, n in enumerate(all_caps)}
out = {"cap_effective": sets["e"], "cap_permitted": sets["p"], "cap_inheritable": sets["i"],
       "cap_ambient": amb, "cap_bounding": set(all_caps) - blocked}
for k in sorted(out):
    print(k, ",".join(sorted(out[k], key=lambda n: order.get(n, 99))))
' "$all"
}

check_caps() {
	inspect_json --section security
	run jq -r '.security | to_entries[] | select(.key | startswith("cap_")) | "\(.key) \(.value | join(","))"' \
		"$T/doc.json"
	[ "$(sort <<<"$output")" = "$(caps_like_getpcaps "$TARGET")" ] ||
		fail "ours: $output; getpcaps: $(caps_like_getpcaps "$TARGET")"
}

@test "--inspect: capabilities equal getpcaps's, the container's and a reduced process's" {
	require_cmd getpcaps capsh setpriv python3
	start_container
	check_caps
	start_host_process setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+chown,+kill \
		--ambient-caps=+chown --bounding-set=-net_raw sleep 1000
	for _ in $(seq 50); do grep -q sleep "/proc/$TARGET/comm" && break; sleep 0.1; done
	check_caps
	run jq -c '.security | [.cap_effective, .cap_ambient, .no_new_privs, .seccomp]' "$T/doc.json"
	assert_output '[["cap_chown"],["cap_chown"],false,"disabled"]'
}

@test "--inspect: seccomp strict and filter targets" {
	require_tool "$CTU_HELPERS/seccomp-target"
	"$CTU_HELPERS/seccomp-target" strict >"$T/ready" &
	TARGET=$!
	ctu_cleanup_add pid "$TARGET"
	ctu_wait_for_file "$T/ready" || fail "seccomp-target strict did not start"
	inspect_json --section security
	run jq -c '.security | [.seccomp, .no_new_privs]' "$T/doc.json"
	assert_output '["strict",false]'

	"$CTU_HELPERS/seccomp-target" filter 3 >"$T/ready2" &
	TARGET=$!
	ctu_cleanup_add pid "$TARGET"
	ctu_wait_for_file "$T/ready2" || fail "seccomp-target filter did not start"
	inspect_json --section security
	run jq -c '.security | [.seccomp, .no_new_privs, .seccomp_filters]' "$T/doc.json"
	if grep -q '^Seccomp_filters:' "/proc/$TARGET/status"; then
		assert_output '["filter",true,3]'
	else
		assert_output '["filter",true,null]'
	fi
}

@test "--inspect: the tree equals ps's parents of the container's processes" {
	start_container sh -c 'sleep 1000 & sh -c "sleep 1001 & sleep 1002" & sleep 1003'
	# four sleeps once every shell has started its children
	for _ in $(seq 50); do
		[ "$(pgrep -c -f '^sleep 100[0-3]$')" -ge 4 ] && break
		sleep 0.1
	done
	inspect_json --section tree
	ps -e -o pid=,ppid= >"$T/ps"
	run python3 - "$TARGET" "$T/ps" "$T/doc.json" <<'EOF'
import json, sys
root = int(sys.argv[1])
parent = {int(p): int(pp) for p, pp in (l.split() for l in open(sys.argv[2]))}
want, todo = set(), [root]
while todo:
    p = todo.pop()
    kids = [c for c, pp in parent.items() if pp == p]
    want |= {(c, p) for c in kids}
    todo += kids
got = set()
def walk(node):
    for c in node["children"]:
        got.add((c["pid"], node["pid"]))
        walk(c)
tree = json.load(open(sys.argv[3]))["tree"]
assert len(tree) == 1 and tree[0]["pid"] == root and tree[0]["ns_pid"] == 1, tree
walk(tree[0])
print(len(got), sorted(got) == sorted(want) or (sorted(got), sorted(want)))
EOF
	assert_success
	# sh, its sleep, the inner sh with two, and the last sleep
	assert_output '5 True'
	run jq -c '.tree[0].children | map(.cmdline[0]) | sort' "$T/doc.json"
	assert_output '["sh","sleep","sleep"]'
}

@test "--inspect: a comm and arguments with newlines and invalid UTF-8: valid JSON, U+FFFD, escaped table" {
	require_jsonschema
	local name
	name=$(printf 'n\nl\376')
	ln -s "$(command -v bash)" "$T/$name"
	# overlong, surrogate, above U+10FFFF, truncated: each byte U+FFFD; then valid ones kept
	start_host_process "$T/$name" -c 'sleep 1000; :' "$(printf 'a\nb\377c')" \
		"$(printf '\300\257\355\240\200\364\220\200\200\342\202')" "$(printf '\303\251\342\202\254\360\237\230\200')"
	for _ in $(seq 50); do pgrep -P "$TARGET" >/dev/null && break; sleep 0.1; done
	ctu_cleanup_add pid "$(pgrep -P "$TARGET")"
	inspect_json --section process,tree
	run validate "$T/doc.json"
	assert_success
	run jq -c '[.process.comm, .process.cmdline[3], .tree[0].comm]' "$T/doc.json"
	assert_output '["n\nl�","a\nb�c","n\nl�"]'
	run jq -r '.process.cmdline[4:] | .[]' "$T/doc.json"
	assert_output "$(printf '\357\277\275%.0s' $(seq 11))
é€😀"
	"$NSENTER_LITE" -t "$TARGET" --inspect --section process >"$T/table" || fail "table: exit $?"
	# libsmartcols escapes what the locale cannot print (in C: the newline and non-ASCII)
	grep -q '^comm  *n\\x0al\\xef\\xbf\\xbd$' "$T/table" || fail "comm not escaped: $(cat -A "$T/table")"
	grep -q '^cmdline .* a\\x0ab\\xef\\xbf\\xbdc ' "$T/table" || fail "argv not escaped: $(cat -A "$T/table")"
	LC_ALL=C.UTF-8 "$NSENTER_LITE" -t "$TARGET" --inspect --section process >"$T/table" ||
		fail "table: exit $?"
	grep -q '^comm  *n\\x0al�$' "$T/table" || fail "comm not escaped: $(cat -A "$T/table")"
	# no byte of the table is invalid UTF-8 nor a control character but the newline
	iconv -f UTF-8 -t UTF-8 "$T/table" >/dev/null || fail "invalid UTF-8 in the table"
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$T/table"
}

@test "--inspect: human output is a titled table per section" {
	start_container
	run "$NSENTER_LITE" -t "$TARGET" --inspect
	assert_success
	for title in process ns userns cgroup root net security tree; do
		assert_line "$title"
	done
	assert_line --regexp '^FIELD +VALUE$'
	assert_line --regexp '^TYPE +INODE +HOST +NPROCS +OTHERS +OTHERS-COUNT$'
	assert_line --regexp '^ns_pid +1$'
	assert_line --regexp '^PID +NS-PID +COMM +CMDLINE$'
	run "$NSENTER_LITE" -t "$TARGET" --inspect --section security
	assert_success
	assert_line --index 0 security
	refute_line process
	assert_line --regexp '^seccomp +disabled$'
}

@test "--inspect --section: only those, in the document's order" {
	start_container
	inspect_json --section tree,process
	run jq -c 'keys_unsorted' "$T/doc.json"
	assert_output '["process","tree","errors"]'
	inspect_json --section security,security
	run jq -c 'keys_unsorted' "$T/doc.json"
	assert_output '["security","errors"]'
}

@test "--inspect: bad --section lists and a program are usage errors (2)" {
	start_container
	for list in bogus '' process, ,ns 'process,,tree' PROCESS; do
		run --separate-stderr "$NSENTER_LITE" -t "$TARGET" --inspect --section "$list"
		[ "$status" -eq 2 ] || fail "--section '$list': exit $status"
		[ -z "$output" ] || fail "--section '$list' printed: $output"
		[[ $stderr == *"unknown section"* ]] || fail "--section '$list': $stderr"
	done
	run --separate-stderr "$NSENTER_LITE" -t "$TARGET" --inspect --section bogus
	[[ ${stderr_lines[0]} == "nsenter-lite: --section: unknown section 'bogus' (process, ns, userns, cgroup, root, net, security, tree)" ]]
	run --separate-stderr "$NSENTER_LITE" -t "$TARGET" --inspect sh
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"--inspect runs nothing"* ]]
}

@test "--inspect: a dead target is 1 with nothing on stdout" {
	sleep 1000 &
	local pid=$! start
	start=$(start_time_of "$pid")
	kill -KILL "$pid"
	wait "$pid" || true
	for t in "$pid" "$pid@$start"; do
		run --separate-stderr "$NSENTER_LITE" -t "$t" --inspect --json
		assert_failure 1
		[ -z "$output" ] || fail "-t $t printed: $output"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "-t $t: $stderr"
	done
}

@test "--inspect: a target that dies while it is read is 1, one line, nothing on stdout" {
	require_cmd strace
	start_host_process sleep 1000
	# each readlinkat (the process section's exe) waits 2 s; the target dies meanwhile:
	# once nsenter-lite is seen in that system call (267 on x86-64, 78 on arm64)
	local nr=267
	[ "$(uname -m)" = aarch64 ] && nr=78
	(
		for _ in $(seq 200); do
			for p in $(pgrep -f "^$NSENTER_LITE -t $TARGET --inspect"); do
				if [ "$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)" = "$nr" ]; then
					kill -KILL "$TARGET"
					exit 0
				fi
			done
			sleep 0.05
		done
	) &
	ctu_cleanup_add pid "$!"
	# (LeakSanitizer cannot run under ptrace: a sanitized build checks leaks in the other tests)
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -o /dev/null -e trace=readlinkat -e inject=readlinkat:delay_enter=2000000 \
		"$NSENTER_LITE" -t "$TARGET" --inspect --json
	assert_failure 1
	[ -z "$output" ] || fail "printed: $output"
	[ "$stderr" = "nsenter-lite: --inspect: process $TARGET has exited" ] || fail "stderr: $stderr"
}

@test "--inspect: an unreadable section is null, an errors entry and a warning; exit 0" {
	require_jsonschema
	start_container
	# another user may read a process's status, not its namespaces
	run --separate-stderr run_unprivileged "$NSENTER_LITE" -t "$TARGET" --inspect --json \
		--section process,ns,userns
	assert_success
	printf '%s\n' "$output" >"$T/doc.json"
	run validate "$T/doc.json"
	assert_success
	run jq -c '[.process.pid, .ns, .userns, [.errors[].section]]' "$T/doc.json"
	assert_output "[$TARGET,null,null,[\"ns\",\"userns\"]]"
	[ "${stderr_lines[0]}" = "nsenter-lite: --inspect: section ns: cannot read /proc/$TARGET/ns: Permission denied" ] ||
		fail "stderr: $stderr"
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "stderr: $stderr"
	run jq -r '.errors[0].message' "$T/doc.json"
	assert_output "cannot read /proc/$TARGET/ns: Permission denied"
}
