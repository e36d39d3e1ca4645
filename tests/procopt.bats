#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The process options every executing tool shares (lib/procopt): each one
# through unshare-lite, nsenter-lite -t of a sleeping target and pivot (in a
# private mount namespace, on a busybox root), read back from the kernel.

load helpers

setup() {
	require_root
	require_tool "$UNSHARE_LITE" "$NSENTER_LITE" "$PIVOT"
	T=$(ctu_tmpdir)
	ROOT=$T/root
	ctu_make_rootfs "$ROOT"
	cp "$CTU_HELPERS/list-fds" "$ROOT/bin/list-fds"
	BPF=$T/getpid.bpf
	"$CTU_HELPERS/mkbpf" getpid 1 >"$BPF"
}

# The three ways to run a program with process options ARGS... -- PROGRAM.
via_unshare() { "$UNSHARE_LITE" "$@"; }
# util-linux's unshare execs pivot without a fork: no parent holds the fds
via_pivot() { unshare -m --propagation private -- "$PIVOT" "$ROOT" --proc --dev "$@"; }
via_nsenter() { "$NSENTER_LITE" -t "$TARGET" -m -p "$@"; }

# fds_of VIA: the program that lists its fds, in the root VIA runs it in.
fds_of() { if [ "$1" = via_pivot ]; then echo /bin/list-fds; else echo "$ROOT/bin/list-fds"; fi; }

# A sleeping target in its own mount and pid namespaces, for nsenter-lite.
start_target() {
	"$UNSHARE_LITE" -m -p -f --pidfile "$T/target.pid" sleep 1000 &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/target.pid"
	TARGET=$(cat "$T/target.pid")
	ctu_cleanup_add pid "$TARGET"
}

# status_of KEY...: those lines of /proc/self/status, run by the program itself.
STATUS='grep -E "^(CapBnd|CapEff|CapPrm|CapInh|CapAmb|Groups|Uid|Gid|NoNewPrivs|Umask|Seccomp):" /proc/self/status'

@test "--groups, -S, -G, --caps for every set, --umask, --no-new-privs: through all three" {
	start_target
	local args=(-S 1000 -G 1001 --groups 5,6 --caps bounding=chown,kill --caps effective=kill
		--caps permitted=kill --caps inheritable=kill --caps ambient=kill --umask 027 --no-new-privs)
	for via in via_unshare via_nsenter via_pivot; do
		run "$via" "${args[@]}" -- /bin/sh -c "$STATUS"
		assert_success
		assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
		assert_line --regexp '^Gid:\s+1001\s+1001\s+1001\s+1001$'
		assert_line --regexp '^Groups:\s+5 6\s*$'
		assert_line --regexp '^CapBnd:\s+0000000000000021$'
		assert_line --regexp '^CapEff:\s+0000000000000020$'
		assert_line --regexp '^CapPrm:\s+0000000000000020$'
		assert_line --regexp '^CapInh:\s+0000000000000020$'
		assert_line --regexp '^CapAmb:\s+0000000000000020$'
		assert_line --regexp '^NoNewPrivs:\s+1$'
		assert_line --regexp '^Umask:\s+0027$'
	done
}

@test "--groups '' leaves no supplementary group; --caps SET= empties a set" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		run "$via" --groups '' --caps effective= --caps bounding= -- /bin/sh -c "$STATUS"
		assert_success
		assert_line --regexp '^Groups:\s*$'
		assert_line --regexp '^CapEff:\s+0000000000000000$'
		assert_line --regexp '^CapBnd:\s+0000000000000000$'
	done
}

@test "--rlimit (nofile, RLIMIT_NOFILE, unlimited) and --oom-score-adj" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		run "$via" --rlimit nofile=100:200 --rlimit RLIMIT_CORE=unlimited --oom-score-adj 321 \
			-- /bin/sh -c 'ulimit -Sn; ulimit -Hn; grep "core file" /proc/self/limits; cat /proc/self/oom_score_adj'
		assert_success
		assert_line -n 0 100
		assert_line -n 1 200
		assert_line --regexp '^Max core file size\s+unlimited\s+unlimited\s+bytes'
		assert_line -n 3 321
	done
}

@test "--clearenv --setenv: the program's environment is only what --setenv gave" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		CTU_LEAK=1 run "$via" --clearenv --setenv A=1 --setenv PATH=/bin:/usr/bin \
			--setenv A=2 -- env
		assert_success
		[ "$output" = "$(printf 'A=2\nPATH=/bin:/usr/bin')" ]
	done
	# without --clearenv ours is kept, --setenv replaces
	CTU_KEEP=1 run "$UNSHARE_LITE" --setenv CTU_KEEP=2 -- env
	assert_line CTU_KEEP=2
	refute_line CTU_KEEP=1
}

@test "the program is looked up with the new environment's PATH, glibc's default without one" {
	mkdir "$T/bin"
	printf '#!/bin/sh\necho found-in-T\n' >"$T/bin/ctu-prog"
	chmod +x "$T/bin/ctu-prog"
	run "$UNSHARE_LITE" --setenv PATH="$T/bin" -- ctu-prog
	assert_success
	assert_output found-in-T
	run -127 "$UNSHARE_LITE" --clearenv --setenv PATH=/nonexistent -- sh -c true
	assert_output "unshare-lite: failed to execute sh: executable file not found in \$PATH"
	# no PATH at all: /bin:/usr/bin (env is /usr/bin/env), and none is set
	run "$UNSHARE_LITE" --clearenv -- env
	assert_success
	assert_output ""
	chmod -x "$T/bin/ctu-prog"
	run -126 "$UNSHARE_LITE" --setenv PATH="$T/bin" -- ctu-prog
	assert_output --partial "Permission denied"
}

@test "--own-stdio gives stdio to the new uid and gid, never /dev/null" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		: >"$T/out"
		: >"$T/err"
		"$via" -S 1000 -G 1001 --own-stdio -- /bin/sh -c 'echo ok' </dev/null >"$T/out" 2>"$T/err"
		[ "$(cat "$T/out")" = ok ]
		[ "$(stat -c %u:%g "$T/out" "$T/err")" = "$(printf '1000:1001\n1000:1001')" ]
		[ "$(stat -c %u:%g /dev/null)" = 0:0 ]
		# without it, stdio stays as it was
		: >"$T/plain"
		"$via" -S 1000 -- /bin/sh -c 'echo ok' >"$T/plain"
		[ "$(stat -c %u "$T/plain")" = 0 ]
		rm -f "$T/out" "$T/err" "$T/plain"
	done
}

@test "--stderr-fd becomes the program's stderr and is not passed on" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		run --separate-stderr "$via" --stderr-fd 5 --preserve-fds 5 -- /bin/sh -c \
			"echo to-stderr >&2; $(fds_of $via)" 5>"$T/e"
		assert_success
		[ "$(cat "$T/e")" = to-stderr ]
		[ -z "$stderr" ]
		[[ " $output " != *" 5 "* ]]
	done
}

@test "--sync-fd: \"ready\" then EOF before the exec; --block-fd holds the exec" {
	start_target
	# (pivot's --sync-fd has a "mounted" stage first: the next test)
	for via in via_unshare via_nsenter; do
		rm -f "$T/fifo" "$T/ran" "$T/sync"
		mkfifo "$T/fifo"
		exec 8<>"$T/fifo"
		"$via" --sync-fd 6 --block-fd 7 -- /bin/echo ran >"$T/ran" 6>"$T/sync" 7<"$T/fifo" &
		ctu_cleanup_add pid $!
		local pid=$!
		ctu_wait_for_file "$T/sync"
		sleep 0.3
		[ "$(cat "$T/sync")" = ready ]
		# held: the program has not run
		[ ! -s "$T/ran" ]
		echo go >&8
		wait "$pid"
		exec 8>&-
		[ "$(cat "$T/ran")" = ran ]
	done
}

@test "--sync-fd: the reader sees EOF once ready, while the program still runs" {
	start_target
	local cmd
	for via in unshare nsenter; do
		rm -f "$T/fifo"
		mkfifo "$T/fifo"
		# a simple command, not a function: no shell in between holds the fd
		cmd=("$UNSHARE_LITE")
		[ $via = unshare ] || cmd=("$NSENTER_LITE" -t "$TARGET" -m -p)
		"${cmd[@]}" --sync-fd 6 -- /bin/sleep 30 6>"$T/fifo" &
		ctu_cleanup_add pid $!
		# the program sleeps on: cat ends only if no process holds the write end
		run timeout 10 cat "$T/fifo"
		assert_success
		assert_output ready
		kill -0 $!
	done
}

@test "pivot --sync-fd: mounted, the answer, then ready and EOF while --block-fd holds the exec" {
	mkfifo "$T/fifo"
	exec 8<>"$T/fifo"
	run python3 - "$PIVOT" "$ROOT" "$T/fifo" <<-'EOF'
		import socket, subprocess, sys, time
		pivot, root, fifo = sys.argv[1:4]
		a, b = socket.socketpair()
		block = open(fifo, "rb", buffering=0)
		p = subprocess.Popen(["unshare", "-m", "--propagation", "private", "--", pivot, root,
				      "--proc", "--dev", "--sync-fd", str(b.fileno()), "--block-fd",
				      str(block.fileno()), "--", "/bin/echo", "ran"],
				     pass_fds=[b.fileno(), block.fileno()], stdout=subprocess.PIPE)
		b.close()
		block.close()
		f = a.makefile("rb")
		print(f.readline().decode().strip())
		a.send(b"1")
		print(f.readline().decode().strip())
		print("eof" if f.read() == b"" else "more")
		time.sleep(0.3)
		print("held" if p.poll() is None else "ran early")
		open(fifo, "wb").write(b"go")
		print(p.stdout.read().decode().strip(), p.wait())
	EOF
	exec 8>&-
	assert_success
	[ "$output" = "$(printf 'mounted\nready\neof\nheld\nran 0')" ]
}

@test "--block-fd at EOF releases the program too" {
	run "$UNSHARE_LITE" --block-fd 5 -- echo released 5</dev/null
	assert_success
	assert_output released
}

@test "--preserve-fds: a consumed fd inside the range is not passed on" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		run "$via" --preserve-fds 3 --block-fd 4 -- $(fds_of $via) 3</dev/null 4</dev/null 5</dev/null
		assert_success
		[[ " $output " == *" 3 "* ]]
		[[ " $output " == *" 5 "* ]]
		[[ " $output " != *" 4 "* ]]
	done
}

@test "--seccomp: a raw BPF filter, loaded with and without --no-new-privs" {
	start_target
	for via in via_unshare via_nsenter via_pivot; do
		for nnp in "" --no-new-privs; do
			# the filter makes getpid fail with EPERM: the shell's $$ is -1
			run "$via" $nnp --seccomp "$BPF" -- /bin/sh -c 'grep "^Seccomp:" /proc/self/status; echo $$'
			assert_success
			assert_line --regexp '^Seccomp:\s+2$'
			assert_line -- -1
		done
	done
	run "$UNSHARE_LITE" --seccomp "$BPF" --seccomp-flags log,spec-allow -- /bin/sh -c 'echo $$'
	assert_success
	assert_output -- -1
}

@test "--seccomp: a file pivot_root hides is read before the pivot" {
	run via_pivot --seccomp "$BPF" -- /bin/sh -c "[ ! -e '$BPF' ] && echo hidden; echo \$\$"
	assert_success
	assert_line hidden
	assert_line -- -1
}

@test "--console-fd: the master goes over the socket; tty is the pty, sized" {
	start_target
	export -f via_unshare via_nsenter via_pivot
	export UNSHARE_LITE NSENTER_LITE PIVOT ROOT TARGET
	for via in via_unshare via_nsenter via_pivot; do
		run "$CTU_HELPERS/recvtty" bash -c '"$0" "$@"' "$via" --console-fd 3 --console-size 30x100 -- /bin/sh -c 'tty; stty size'
		assert_success
		assert_line -n 0 --regexp '^console /dev/pts/[0-9]+$'
		assert_line --regexp '^/dev/pts/[0-9]+'
		assert_line --regexp '^30 100'
	done
	# --own-stdio with a terminal: the pty is the user's, our own stdio is left alone
	: >"$T/out"
	OUT=$T/out run "$CTU_HELPERS/recvtty" bash -c '"$0" "$@" 2>"$OUT"' via_unshare -S 1000 -G 1001 \
		--own-stdio --console-fd 3 -- /bin/sh -c 'stat -Lc %u:%g /proc/self/fd/0 /proc/self/fd/2'
	assert_success
	assert_line -n 1 --regexp '^1000:1001'
	assert_line -n 2 --regexp '^1000:1001'
	[ "$(stat -c %u "$T/out")" = 0 ]
	# pivot: the slave is bound onto the new root's /dev/console, pts 0 of a new devpts
	run "$CTU_HELPERS/recvtty" bash -c '"$0" "$@"' via_pivot --console-fd 3 -- /bin/sh -c \
		'tty; stat -c %t:%T /dev/console; grep -c " /dev/console " /proc/self/mountinfo'
	assert_success
	assert_line -n 0 'console /dev/pts/0'
	assert_line --regexp '^/dev/pts/0'
	assert_line --regexp '^88:0'
}

@test "--apparmor on a host without AppArmor: 125 and the reason, nothing run" {
	for via in via_unshare via_pivot; do
		run -125 "$via" --apparmor ctu-profile -- /bin/sh -c 'echo ran'
		assert_output --partial "--apparmor ctu-profile: AppArmor is not enabled on this host"
		refute_output --partial ran
	done
}

@test "bad values and combinations: 125, the message, nothing made" {
	ctu_state_save "$T"
	while IFS='|' read -r args msg; do
		[ -n "$args" ] || continue
		for tool in "$UNSHARE_LITE" "$PIVOT $ROOT" "$NSENTER_LITE -t $$ -m"; do
			# shellcheck disable=SC2086
			run -125 $tool $args true
			assert_output --partial "$msg"
		done
	done <<-EOF
		--groups 1,,2|invalid --groups '1,,2'
		--groups ctu-no-such-group|unknown group 'ctu-no-such-group'
		--caps bogus=kill|invalid --caps 'bogus=kill'
		--caps effective=cap_bogus|unknown capability 'cap_bogus'
		--caps bounding=kill --caps bounding=chown|the bounding set is given twice
		--caps ambient=kill --cap-add kill|--caps sets the capabilities exactly
		--caps ambient=kill --cap-drop kill|--caps sets the capabilities exactly
		--rlimit nofile|invalid --rlimit 'nofile'
		--rlimit nofile=5:4|the soft limit is above the hard
		--rlimit nofile=x|invalid --rlimit 'nofile=x'
		--rlimit ctu=1|invalid --rlimit 'ctu=1'
		--rlimit nofile=1 --rlimit RLIMIT_NOFILE=2|is given twice
		--oom-score-adj 1001|invalid --oom-score-adj '1001'
		--oom-score-adj x|invalid --oom-score-adj 'x'
		--umask 8|invalid --umask '8'
		--umask 01000|invalid --umask '01000'
		--setenv NOEQUALS|invalid --setenv 'NOEQUALS'
		--setenv =v|invalid --setenv '=v'
		--seccomp-flags log|--seccomp-flags needs --seccomp
		--seccomp-flags bogus|unknown flag 'bogus'
		--seccomp /nonexistent/ctu.bpf|--seccomp: cannot open /nonexistent/ctu.bpf
		--seccomp /etc/passwd|not a BPF program
		--seccomp /etc|not a regular file
		--console-size 24x80|--console-size needs --console-fd
		--console-fd 9 --console-size 0x80|invalid --console-size '0x80'
		--console-fd 99|invalid --console-fd 99: not an open file descriptor
		--console-fd 0|0, 1 and 2 are the program's stdio
		--sync-fd 99|invalid --sync-fd 99: not an open file descriptor
		--block-fd x|invalid --block-fd: 'x'
		--stderr-fd -1|invalid --stderr-fd: '-1'
		--preserve-fds many|invalid --preserve-fds count: 'many'
	EOF
	# an fd given to two consuming options; a --console-fd that is no socket
	run -125 "$UNSHARE_LITE" --sync-fd 5 --block-fd 5 true 5</dev/null
	assert_output --partial "--sync-fd and --block-fd name the same fd 5"
	run -125 "$UNSHARE_LITE" --console-fd 5 true 5</dev/null
	assert_output --partial "invalid --console-fd 5: not a unix socket"
	# a filter the kernel refuses: found at load time, nothing run
	printf '\0\0\0\0\0\0\0\0' >"$T/bad.bpf"
	run -125 "$UNSHARE_LITE" --seccomp "$T/bad.bpf" -- /bin/sh -c 'echo ran'
	assert_output --partial "--seccomp: the kernel refused the filter"
	refute_output --partial ran
	rm -f "$T/bad.bpf"
	# what only the kernel refuses, once set up: still 125, named, nothing run
	run -125 "$UNSHARE_LITE" --rlimit nofile=10:999999999 -- /bin/sh -c 'echo ran'
	assert_output "unshare-lite: --rlimit: cannot set nofile to 10:999999999: Operation not permitted"
	run -125 via_pivot --caps ambient=kill --caps inheritable= -- /bin/sh -c 'echo ran'
	assert_output --partial "pivot: --caps: cannot set the capabilities: Operation not permitted"
	assert_state_unchanged
}

@test "pivot: a failure in the process options leaves no mount behind" {
	ctu_state_save "$T"
	# --console-fd without a /dev/ptmx in the new root: after the pivot, in the private namespace
	run -125 "$CTU_HELPERS/recvtty" unshare -m --propagation private -- "$PIVOT" "$ROOT" \
		--proc --console-fd 3 -- /bin/sh -c 'echo ran'
	assert_output --partial "cannot open /dev/ptmx"
	refute_output --partial ran
	assert_state_unchanged
}

@test "--help of each tool lists the process options" {
	for tool in "$UNSHARE_LITE" "$NSENTER_LITE" "$PIVOT"; do
		run "$tool" --help
		assert_success
		for opt in --groups --caps --rlimit --oom-score-adj --umask --apparmor --seccomp \
			--seccomp-flags --clearenv --setenv --own-stdio --console-fd --console-size \
			--stderr-fd --sync-fd --block-fd --preserve-fds --setuid --cap-add --no-new-privs; do
			assert_output --partial -- "$opt "
		done
	done
}
