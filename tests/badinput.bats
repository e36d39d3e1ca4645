#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input, generated from tests/badinput.table: every row is run, and must
# exit with its documented code, print one error line "TOOL: ..." naming the
# bad value (plus, for a usage error, the "Try 'TOOL --help'" line), and leave
# no mount, interface, netns, cgroup or file behind.  One test per tool runs
# all of that tool's rows and reports every row that fails, not just the first.

load helpers

# Whether this kernel has nf_tables: without it (the VM's 6.1 has no modules) a NAT row's
# value cannot be reached, and "nftables not usable" is the right refusal, exit 1.
nft_works() {
	"$CTU_BUILD/unshare-lite" -n -- sh -c 'command -v nft >/dev/null && nft list tables' >/dev/null 2>&1
}

setup() {
	require_root
	T=$(ctu_tmpdir)
	mkdir "$T/dir" "$T/upper" "$T/work" "$T/merged"
	echo x >"$T/file"
	LONG=/$(printf 'a%.0s' {1..4999})
	LONGIF=abcdefghijklmnop
	BIG=99999999999999999999999
	sh -c 'exit 0' &
	DEAD=$!
	wait "$DEAD"
	CG=$(ctu_name bad)
	H=$(ctu_name bh)
	ip netns add "$H"
	ctu_cleanup_add netns "$H"
}

# The rows of TOOL: "EXIT|BAD|ARGS" with the fields trimmed.
table_rows() {
	awk -F'|' -v tool="$1" '
		/^[[:space:]]*(#|$)/ { next }
		{ t = $1; gsub(/^[ \t]+|[ \t]+$/, "", t) }
		t == tool {
			for (i = 2; i <= 4; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i)
			print $2 "|" $3 "|" $4
		}' "$BATS_TEST_DIRNAME/badinput.table"
}

# tool_command TOOL: the command line (into the array cmd) that runs TOOL
# where the row's effects can be seen.
tool_command() {
	case $1 in
	# pivot refuses the host's mount namespace before anything else
	pivot) cmd=(unshare -m --propagation private -- "$PIVOT") ;;
	# links made by mistake would land in a namespace we watch
	vethctl) cmd=(ip netns exec "$H" "$VETHCTL") ;;
	*) cmd=("${CTU_BUILD}/$1") ;;
	esac
}

# The links of the namespace $H, as `ip -o link` prints them (into links);
# two listings that differ are compared again by name alone (link_names).
netns_links() { links=$(ip -n "$H" -o link show); }
link_names() { awk -F': ' '{ print $2 }' <<<"$1" | sort; }
# vethctl's nftables table in $H (into table), "" for the other tools
nft_table() {
	table=
	[ "$tool" = vethctl ] && command -v nft >/dev/null || return 0
	table=$(ip netns exec "$H" nft -j list table inet ctutils 2>&1) || true
}

# check_row TOOL EXIT BAD ARGS: sets why to "" when the row behaves, else to
# why not.  Runs in the test's shell (no subshell, no `run`): the loop takes
# every row of the table, and each process saved counts, in the VM most.
check_row() {
	local tool=$1 code=$2 bad_word=$3 args_text=$4 args bad cmd links links_before table table_before
	local out=$BATS_TEST_TMPDIR/row.out err=$BATS_TEST_TMPDIR/row.err
	eval "args=($args_text)"
	eval "bad=$bad_word"
	[ "$bad_word" = "''" ] && bad="''"
	tool_command "$tool"
	ctu_state_save "$T"
	netns_links
	links_before=$links
	nft_table
	table_before=$table
	status=0
	"${cmd[@]}" "${args[@]}" >"$out" 2>"$err" || status=$?
	# stderr and stderr_lines as bats's run --separate-stderr sets them
	read -d '' -r stderr <"$err" || true
	IFS=$'\n' read -d '' -r -a stderr_lines <<<"$stderr" || true
	netns_links
	nft_table
	local first=${stderr_lines[0]:-}
	why=
	if [ "$status" -ne "$code" ]; then
		why="exit $status, expected $code"
	elif [[ $first != "$tool: "* ]]; then
		why="first line does not start with '$tool: ': $first"
	elif [[ $first != *"$bad"* ]] && ! [[ $bad == "''" && $first == *empty* ]] &&
		! [[ $status -eq 1 && $first == "vethctl: nftables not usable in "* ]] ||
		{ [[ $first == "vethctl: nftables not usable in "* ]] && nft_works; }; then
		why="the error does not name '${bad:0:60}': ${first:0:200}"
	elif [ "${#stderr_lines[@]}" -gt 2 ] ||
		{ [ "${#stderr_lines[@]}" -eq 2 ] && ! [[ ${stderr_lines[1]} =~ ^"Try '$tool "([a-z-]+" ")?"--help'" ]]; }; then
		why="more than one error line: ${stderr:0:300}"
	elif [ "$links" != "$links_before" ] && [ "$(link_names "$links")" != "$(link_names "$links_before")" ]; then
		why="left links behind in the namespace"
	elif [ "$table" != "$table_before" ]; then
		why="changed table inet ctutils in the namespace"
	elif ctu_state_changed; then
		why="left something behind: $(grep -E '^[-+]' <<<"$CTU_STATE_DIFF" | head -n 5 | tr '\n' ' ')"
	fi
}

# every row of TOOL; fails with the list of rows that misbehaved
check_tool() {
	local tool=$1 code bad args why tried=0 failed=()
	# the rows on fd 4: a tool that reads its stdin must not eat them
	while IFS='|' read -r -u 4 code bad args; do
		tried=$((tried + 1))
		check_row "$tool" "$code" "$bad" "$args"
		[ -z "$why" ] || failed+=("$tool $args: $why")
	done 4< <(table_rows "$tool")
	echo "# $tool: $tried bad inputs tried, ${#failed[@]} failed" >&3
	[ "$tried" -gt 0 ] || fail "no rows for $tool in badinput.table"
	if [ "${#failed[@]}" -gt 0 ]; then
		printf '%s\n' "${failed[@]:0:40}"
		return 1
	fi
}

@test "unshare-lite: every bad value in the table" {
	check_tool unshare-lite
}

@test "nsenter-lite: every bad value in the table" {
	check_tool nsenter-lite
}

@test "pivot: every bad value in the table" {
	check_tool pivot
}

@test "ovlmount: every bad value in the table" {
	check_tool ovlmount
}

@test "cgctl: every bad value in the table" {
	check_tool cgctl
}

@test "vethctl: every bad value in the table" {
	check_tool vethctl
}

@test "ctrun: every bad value in the table" {
	check_tool ctrun
}

@test "the table covers every tool and every row is well formed" {
	local tool rows
	for tool in unshare-lite nsenter-lite pivot ovlmount cgctl vethctl ctrun; do
		rows=$(table_rows "$tool" | wc -l)
		[ "$rows" -ge 15 ] || fail "$tool: only $rows rows"
	done
	# three separators on every row that is not a comment
	run awk -F'|' '!/^[[:space:]]*(#|$)/ && NF != 4' "$BATS_TEST_DIRNAME/badinput.table"
	assert_output ''
}
