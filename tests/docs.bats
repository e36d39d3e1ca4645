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
	for t in nsenter-lite unshare-lite cgctl ovlmount vethctl pivot ctrun; do
		[ -x "$CTU_BUILD/$t" ] && echo "$t"
	done
}

man_source() {
	ls "$CTU_ROOT/$1/$1".[18].scd
}

@test "at least one tool is built" {
	[ -n "$(tools)" ]
}

# ctrun's commands, from its --help's list.
ctrun_commands() {
	"$CTU_BUILD/ctrun" --help | sed -n '/^Commands:/,/^$/p' | grep -oE '^ [a-z]+' | tr -d ' '
}

# The options a tool's --help defines: the lines that start with one; for
# ctrun, every command's too.
help_options() {
	local c
	"$CTU_BUILD/$1" --help | grep -E '^ +-'
	[ "$1" = ctrun ] || return 0
	for c in $(ctrun_commands); do
		"$CTU_BUILD/ctrun" "$c" --help | grep -E '^ +-'
	done
}

# The options a man page defines: the lines that start with a bold one
# ("*--foo*") above an indented description (not a sentence that starts
# with one); for ctrun, also its commands' lines in COMMANDS ("*exec*
# [*-p*|*--process* _file_] ...").
man_options() {
	local src
	src=$(man_source "$1")
	sed 's/\\//g' "$src" | awk 'prev ~ /^\*-/ && /^\t/ {print prev} {prev = $0}'
	[ "$1" = ctrun ] || return 0
	sed -n '/^# COMMANDS$/,/^# [A-Z]/p' "$src" | grep -E '^\*[a-z]+\*'
}

@test "every long option in --help is in the man page and the completion, and back" {
	for t in $(tools); do
		help=$(help_options "$t" | long_options)
		man=$(man_options "$t" | long_options)
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

# The section of a tool's man page: 1 or 8.
man_section() {
	local src
	src=$(man_source "$1")
	src=${src%.scd}
	echo "${src##*.}"
}

@test "make install: section-8 tools in sbin, section-1 in bin, man pages by section, the CNI names in lib/cni, below DESTDIR only" {
	d=$(ctu_tmpdir)
	before=$(ls /usr/local/bin /usr/local/sbin /usr/local/share/man 2>/dev/null | sort)
	run make -s -C "$CTU_ROOT" install DESTDIR="$d/stage" PREFIX=/usr
	assert_success
	s=$d/stage/usr
	# as util-linux and iproute2 install theirs
	for t in ovlmount vethctl pivot ctrun; do
		[ -x "$s/sbin/$t" ] || fail "no $t in /usr/sbin"
	done
	for t in cgctl unshare-lite nsenter-lite; do
		[ -x "$s/bin/$t" ] || fail "no $t in /usr/bin"
	done
	# and for every tool: its directory is its man page's section
	for t in unshare-lite nsenter-lite cgctl ovlmount vethctl pivot ctrun; do
		sec=$(man_section "$t")
		if [ "$sec" = 8 ]; then dir=sbin other=bin; else dir=bin other=sbin; fi
		[ -x "$s/$dir/$t" ] || fail "$t (section $sec) is not in $dir"
		[ ! -e "$s/$other/$t" ] || fail "$t (section $sec) is in $other too"
		[ -f "$s/share/man/man$sec/$t.$sec" ] || fail "no man$sec/$t.$sec"
		[ "$(ls "$s/share/man/"man*/"$t".* | wc -l)" -eq 1 ] || fail "$t has a man page in another section"
		[ -f "$s/share/bash-completion/completions/$t" ] || fail "no completion for $t"
	done
	# the CNI plugin names, where runtimes look for plugins, lead to the installed vethctl
	for p in ctutils-bridge ctutils-host-local; do
		[ "$(readlink "$s/lib/cni/$p")" = /usr/sbin/vethctl ] || fail "$p: $(ls -l "$s/lib/cni/$p" 2>&1)"
	done
	# everything is below DESTDIR, and nothing appeared in the default prefix
	[ -z "$(find "$d/stage" -mindepth 1 -maxdepth 1 ! -name usr)" ]
	[ "$(ls /usr/local/bin /usr/local/sbin /usr/local/share/man 2>/dev/null | sort)" = "$before" ]
}

@test "no doc, example or script names a tool in the directory it is not installed in" {
	for t in unshare-lite nsenter-lite cgctl ovlmount vethctl pivot ctrun; do
		if [ "$(man_section "$t")" = 8 ]; then wrong=bin; else wrong=sbin; fi
		run grep -rnE "(^|[^s])/$wrong/$t\\b" "$CTU_ROOT/README.md" "$CTU_ROOT/docs" "$CTU_ROOT/examples" \
			"$CTU_ROOT/completions" "$CTU_ROOT/scripts" "$CTU_ROOT/$t/$t".[18].scd
		[ "$status" -eq 1 ] || fail "$t is not in /$wrong: $output"
	done
}

# The commands of TOOL, from the "Commands:" block of its --help, one line
# each: "create", "bridge add", "addr add", "addr del", "freeze", "thaw", ...
# (a line's leading words, up to the first argument or option, each of its
# "a | b" alternatives, each "add|del" choice).
subcommands() {
	"$CTU_BUILD/$1" --help | sed -n '/^Commands:/,/^$/{/^ /p}' | sed 's/  .*//' |
		awk -F' [|] ' '{
			for (i = 1; i <= NF; i++) {
				n = split($i, w, " "); cmd = ""; sub2 = ""
				for (j = 1; j <= n && w[j] ~ /^[a-z][a-z|-]*$/; j++)
					if (j == 1) cmd = w[j]; else if (j == 2) sub2 = w[j]
				if (cmd == "") continue
				print cmd
				if (sub2 != "") { m = split(sub2, c, "|"); for (k = 1; k <= m; k++) print cmd " " c[k] }
			}
		}' | sed 's/^ *//' | sort -u
}

@test "every command of cgctl, vethctl and ctrun has --help and -h: its usage on stdout, exit 0" {
	local bad=
	for t in cgctl vethctl ctrun; do
		[ -x "$CTU_BUILD/$t" ] || continue
		subs=$(subcommands "$t")
		[ "$(wc -l <<<"$subs")" -ge 5 ] || fail "$t: too few commands found in --help: $subs"
		while read -r sub; do
			for h in --help -h; do
				# shellcheck disable=SC2086
				run "$CTU_BUILD/$t" $sub "$h"
				# CTU_USAGE_HEADER; a command of two words ("bridge add") may
				# print the usage of its first
				if [ "$status" -ne 0 ]; then
					bad+=$'\n'"$t $sub $h: exit $status: ${lines[0]:-}"
				elif [[ $output != $'\nUsage:\n '"$t ${sub%% *}"* ]]; then
					bad+=$'\n'"$t $sub $h: no usage of '$t ${sub%% *}' first on stdout: ${lines[1]:-}"
				fi
			done
		done <<<"$subs"
	done
	[ -z "$bad" ] || fail "commands without their --help:$bad"
}

@test "a tool that takes --json has a JSON OUTPUT section in its man page" {
	local bad=
	for t in $(tools); do
		src=$(man_source "$t")
		if ! "$CTU_BUILD/$t" --help | grep -q -- '--json' && ! grep -q -- '--json' "$src"; then
			continue
		fi
		page=$CTU_BUILD/man/$t.$(man_section "$t")
		if ! grep -q '^# JSON OUTPUT$' "$src"; then
			bad+=$'\n'"$src: $t takes --json but has no '# JSON OUTPUT' section"
		elif ! grep -q '^\.SH "\?JSON OUTPUT' "$page"; then
			bad+=$'\n'"$page: no JSON OUTPUT heading (make the man pages again?)"
		fi
	done
	[ -z "$bad" ] || fail "man pages without the JSON shape:$bad"
}

# ---- cgctl: its man page and completion know every command's options
# (here, not in cgctl.bats: the VM run has neither man sources nor
# bash-completion)

# cgctl's commands, from its --help's list.
cgctl_commands() {
	"$CGCTL" --help | sed -n '/^Commands:/,/^$/p' | grep -oE '^ [a-z]+|\| [a-z]+' | tr -d ' |'
}

@test "cgctl's man page tells command --help, -b/--bytes and the JSON shape of every output" {
	man=$CTU_ROOT/cgctl/cgctl.1.scd
	grep -q '^# JSON OUTPUT$' "$man"
	json=$(sed -n '/^# JSON OUTPUT$/,/^# /p' "$man")
	for key in settings stat processes cgroups top; do
		grep -q "^\*[a-z]*\*: \*$key\*" <<<"$json" || fail "JSON OUTPUT lacks $key"
	done
	for type in string number null array; do
		grep -q "$type" <<<"$json" || fail "JSON OUTPUT names no $type"
	done
	grep -q '"max"' <<<"$json"
	grep -q '^\*-b\*, \*--bytes\*$' "$man"
	grep -q '_command_ \*--help\*' "$man"
	# every command's long options are in the man page and the completion
	for sub in $(cgctl_commands); do
		for opt in $("$CGCTL" "$sub" --help | grep -E '^ +-' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			grep -q -- "^\*.*$opt\*" "$man" || fail "man page lacks $sub's $opt"
			grep -q -- "$opt" "$CTU_ROOT/completions/cgctl" || fail "completion lacks $sub's $opt"
		done
	done
}

@test "cgctl's completion: --help and the global options after a command" {
	[ -f /usr/share/bash-completion/bash_completion ] || ctu_skip "needs bash-completion"
	complete_line() {
		bash -c "source /usr/share/bash-completion/bash_completion
			source '$CTU_ROOT/completions/cgctl'
			COMP_LINE='$1'; COMP_POINT=\${#COMP_LINE}
			read -ra COMP_WORDS <<<\"\$COMP_LINE\"; COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
			_cgctl cgctl \"\${COMP_WORDS[-1]}\" \"\${COMP_WORDS[-2]}\"
			printf '%s\n' \"\${COMPREPLY[@]}\""
	}
	for sub in $(cgctl_commands); do
		run complete_line "cgctl $sub x --he"
		assert_output -- "--help"
		run complete_line "cgctl $sub x --sel"
		assert_output -- "--self"
		run complete_line "cgctl $sub x --byt"
		assert_output -- "--bytes"
	done
	run complete_line "cgctl create x --exc"
	assert_output -- "--exclusive"
	run complete_line "cgctl top --b"
	assert_line -- "--batch"
	assert_line -- "--bytes"
}

# ---- ovlmount: the modes that take --json, as --help, the man page's -J and
# its JSON OUTPUT section name them (--show, --diff, --image-config, --store-ls)

@test "ovlmount's --help, its -J in the man page and JSON OUTPUT name the same modes for --json" {
	require_tool "$OVLMOUNT"
	man=$CTU_ROOT/ovlmount/ovlmount.8.scd
	modes() { grep -oE -- '--(show|diff|umount|image-config|store-ls|store-rm|store-prune|pull-only|commit|image)\b' | sort -u; }
	help=$("$OVLMOUNT" --help | grep -E '^ +-J, --json' | modes)
	def=$(sed 's/\\//g' "$man" | awk 'prev == "*-J*, *--json*" && /^\t/ {print} {prev = $0}' | modes)
	section=$(sed -n '/^# JSON OUTPUT$/,/^# [A-Z]/p' "$man" | grep -oE '^(With \*--json\*, )?\*--[a-z-]+\* prints' | modes)
	[ -n "$section" ] || fail "JSON OUTPUT names no mode"
	run diff <(echo "$def") <(echo "$section")
	[ "$status" -eq 0 ] || fail "the man page's -J and its JSON OUTPUT differ: $output"
	run diff <(echo "$help") <(echo "$section")
	[ "$status" -eq 0 ] || fail "--help's -J and the man page's JSON OUTPUT differ: $output"
}

# ---- ctrun: its completion knows the commands, each command's options and
# the IDs of the state root the line names

@test "ctrun's completion: commands, a command's options, IDs from 'ctrun --root R list -q'" {
	[ -f /usr/share/bash-completion/bash_completion ] || ctu_skip "needs bash-completion"
	require_tool "$CTU_BUILD/ctrun"
	root=$(ctu_tmpdir)/root
	# a state file is all list -q needs to name a container (stopped: its
	# pid 1 did not start at tick 1)
	mkdir -m 0700 "$root" "$root/box1"
	echo '{"id": "box1", "bundle": "/tmp", "rootfs": "/tmp", "owner": "root", "pid": 1,
		"starttime": 1, "created": "2026-01-01T00:00:00.000000000Z"}' >"$root/box1/state.json"
	complete_line() {
		PATH=$CTU_BUILD:$PATH bash -c "source /usr/share/bash-completion/bash_completion
			source '$CTU_ROOT/completions/ctrun'
			COMP_LINE='$1'; COMP_POINT=\${#COMP_LINE}
			read -ra COMP_WORDS <<<\"\$COMP_LINE\"; [[ \$COMP_LINE == *' ' ]] && COMP_WORDS+=('')
			COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
			_ctrun ctrun \"\${COMP_WORDS[-1]}\" \"\${COMP_WORDS[-2]}\"
			printf '%s\n' \"\${COMPREPLY[@]}\""
	}
	run complete_line "ctrun del"
	assert_output "delete"
	run complete_line "ctrun --root $root exec --ignore-p"
	assert_output -- "--ignore-paused"
	run complete_line "ctrun --root $root run --ke"
	assert_output -- "--keep"
	run complete_line "ctrun --show-chain=b"
	assert_output "bare"
	run complete_line "ctrun --log-format "
	assert_line "json"
	[ "$("$CTU_BUILD/ctrun" --root "$root" list -q)" = box1 ]
	run complete_line "ctrun --root $root state "
	assert_output "box1"
	run complete_line "ctrun --root $root kill box1 SIGK"
	assert_output "SIGKILL"
}
