#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every built tool's --help, man page and bash completion agree on its long
# options, and the man page renders without a warning.

load helpers

# The long options a text mentions ("--foo", "--foo=", "--foo[=").
long_options() {
	grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

tools() {
	local t
	for t in nsenter-lite unshare-lite cgctl ovlmount vethctl pivot; do
		[ -x "$CTU_BUILD/$t" ] && echo "$t"
	done
}

man_source() {
	ls "$CTU_ROOT/$1/$1".[18].scd
}

@test "at least one tool is built" {
	[ -n "$(tools)" ]
}

@test "every long option in --help is in the man page and the completion, and back" {
	for t in $(tools); do
		# option definitions only: help lines that start with one, and
		# man page lines that start with a bold one ("*--foo*")
		help=$("$CTU_BUILD/$t" --help | grep -E '^ +-' | long_options)
		man=$(sed 's/\\//g' "$(man_source "$t")" | grep -E '^\*-' | long_options)
		comp=$(long_options <"$CTU_ROOT/completions/$t")
		run diff <(echo "$help") <(echo "$man")
		[ "$status" -eq 0 ] || fail "$t: --help and man page differ: $output"
		run diff <(echo "$help") <(echo "$comp")
		[ "$status" -eq 0 ] || fail "$t: --help and completion differ: $output"
	done
}

@test "every man page renders with no warning" {
	require_cmd groff
	for t in $(tools); do
		page=$(ls "$CTU_BUILD/man/$t".[18])
		grep -q '^\.SH "\?NAME' "$page" || fail "$page has no NAME section"
		run groff -ww -man -z "$page"
		assert_success
		assert_output ""
	done
}

@test "every completion loads in bash and completes the long options" {
	[ -f /usr/share/bash-completion/bash_completion ] || ctu_skip "needs bash-completion"
	for t in $(tools); do
		run bash -c "source /usr/share/bash-completion/bash_completion
			source '$CTU_ROOT/completions/$t'
			COMP_WORDS=($t --he); COMP_CWORD=1; COMP_LINE='$t --he'; COMP_POINT=\${#COMP_LINE}
			\$(complete -p $t | sed 's/.*-F \\([^ ]*\\) .*/\\1/') $t --he $t
			printf '%s\n' \"\${COMPREPLY[@]}\""
		assert_success
		assert_output --partial -- "--help"
	done
}
