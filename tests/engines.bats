#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The engines drive ctutils: podman 4.3 runs its containers through ctrun
# (../shared/spec/ctrun.md, oracle (b)): a test containers.conf names ctrun
# podman's runtime, on a private store in the test's directory, in a network
# namespace of this run (helpers/podman.bash).  runc, under the same podman,
# is the reference for exit codes.  The whole stack of ours last: ctrun with a
# network whose plugin is ctutils-bridge, -p 18080:80 serving busybox httpd.
#
# The machine withholds CAP_SYS_RESOURCE: every run gets
# --ulimit nofile=1024:1024 --ulimit nproc=1024:1024.

load helpers
load helpers/nat
load helpers/cni
load helpers/podman
load helpers/ctrun
load helpers/pty

POD_SUBNET=10.89.8
UL=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

setup() {
	require_root
	require_kernel_feature netns veth bridge mountns
	require_cmd podman conmon runc jq ip nft nsenter unshare busybox tar curl
	require_tool "$VETHCTL" "$CTRUN"
	[ -x "$CNI_PLUGINS/host-local" ] || ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
	POD_RUNTIME=$(realpath "$CTRUN")
	podnet_setup
	PTY_WORK=$T
	PTY_DIR=$(ctu_tmpdir)
	pod_holder
	pod "${P[@]}" import "$T/bb.tar" localhost/ctu-bb:1 >/dev/null 2>&1 ||
		fail "podman import failed"
}

teardown() {
	pty_stop
	podnet_teardown
}

# prun ARGS...: podman run --rm without a network, the ulimits, the image, ARGS
prun() {
	pod "${P[@]}" run --rm --network none "${UL[@]}" "$@"
}

# inspect NAME FORMAT
inspect() {
	pod "${P[@]}" inspect --format "$2" "$1"
}

@test "podman run --rm through ctrun: exit codes 0, 3, 126 and 127 as with runc; the program's output" {
	local args code runc_code
	# the same podman, with either runtime: the status of each kind of end
	for args in "true" "sh -c 'echo out; exit 3'" "/etc/passwd" "nosuchprogram"; do
		# shellcheck disable=SC2086
		eval "set -- $args"
		code=0 runc_code=0
		prun localhost/ctu-bb:1 "$@" >/dev/null 2>&1 || code=$?
		prun --runtime runc localhost/ctu-bb:1 "$@" >/dev/null 2>&1 || runc_code=$?
		[ "$code" = "$runc_code" ] || fail "$args: ctrun $code, runc $runc_code"
	done
	run prun localhost/ctu-bb:1 sh -c 'echo out; id -u; exit 3'
	assert_failure 3
	assert_output $'out\n0'
	run -127 prun localhost/ctu-bb:1 nosuchprogram
	assert_output --partial "executable file not found in \$PATH"
	# the failed create was rolled back; podman's delete after it is no error
	refute_output --partial "level=error"
	run prun localhost/ctu-bb:1 /etc/passwd
	assert_failure 126
	assert_output --partial "ermission denied"
	run pod "${P[@]}" ps -a -q
	assert_output ""
}

@test "podman run -d through ctrun: ps, exec, top, pause, update, kill -s USR1, stop -t 2; limits read from the kernel" {
	run pod "${P[@]}" run -d --name c1 --network none "${UL[@]}" --memory 64m --pids-limit 32 \
		localhost/ctu-bb:1 sh -c 'trap "echo usr1 >/tmp/usr1" USR1; while :; do sleep 0.1; done'
	assert_success
	pid=$(inspect c1 '{{.State.Pid}}')
	[ "$pid" -gt 0 ]
	# ctrun made it: its state is in podman's ctrun root, the pid is the init's
	[ "$(inspect c1 '{{.OCIRuntime}}')" = ctrun ]
	run pod "${P[@]}" ps --format '{{.Names}} {{.Status}}'
	assert_output --regexp '^c1 Up '
	# the limits, from the kernel
	assert_equal "$(ct_cg_file "$pid" memory.limit_in_bytes memory 2>/dev/null || ct_cg_file "$pid" memory.max memory)" 67108864
	assert_equal "$(ct_cg_file "$pid" pids.max pids)" 32
	run pod "${P[@]}" exec c1 sh -c 'echo exec-ok; cat /proc/self/cgroup >/dev/null'
	assert_success
	assert_output exec-ok
	run pod "${P[@]}" top c1 pid args
	assert_success
	assert_line --regexp '^1 +sh -c trap'
	run pod "${P[@]}" pause c1
	assert_success
	assert_equal "$(inspect c1 '{{.State.Status}}')" paused
	run ct_cg_file "$pid" freezer.state freezer
	[ "$output" = FROZEN ] || [ "$(ct_cg_file "$pid" cgroup.freeze freezer)" = 1 ]
	run pod "${P[@]}" unpause c1
	assert_success
	assert_equal "$(inspect c1 '{{.State.Status}}')" running
	run pod "${P[@]}" update --memory 128m c1
	assert_success
	assert_equal "$(ct_cg_file "$pid" memory.limit_in_bytes memory 2>/dev/null || ct_cg_file "$pid" memory.max memory)" 134217728
	run pod "${P[@]}" kill -s USR1 c1
	assert_success
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(pod "${P[@]}" exec c1 cat /tmp/usr1 2>/dev/null)" = usr1 ] && break
		sleep 0.1
	done
	assert_equal "$(pod "${P[@]}" exec c1 cat /tmp/usr1)" usr1
	# SIGTERM means nothing to a PID 1 without a handler: SIGKILL after 2 s
	run pod "${P[@]}" stop -t 2 c1
	assert_success
	assert_equal "$(inspect c1 '{{.State.Status}}')" exited
	assert_equal "$(inspect c1 '{{.State.ExitCode}}')" 137
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $22}' "/proc/$pid/stat")" = x ] || ! kill -0 "$pid" 2>/dev/null
	run pod "${P[@]}" rm c1
	assert_success
	run pod "${P[@]}" ps -a -q
	assert_output ""
}

@test "podman run -it and exec -it through ctrun in tmux: the container's pty, the pane's size and its resize" {
	pty_require
	require_cmd script
	pty_shell
	pty_inner "nsenter -t $HOLD -m -n -- env CONTAINERS_CONF=$T/containers.conf ${P[*]} run -it --rm --name t1 -e PS1='inner# ' --network none ${UL[*]} localhost/ctu-bb:1 sh"
	pty_run tty
	[ "$PTY_OUT" = /dev/pts/0 ] || fail "tty: '$PTY_OUT'"
	pty_run 'stty size'
	[ "$PTY_OUT" = "24 80" ] || fail "size at start: '$PTY_OUT'"
	pty_resize 100 30
	# exec -it into it, from outside the pane: a second pty of the container's devpts
	run timeout 20 script -qec "nsenter -t $HOLD -m -n -- env CONTAINERS_CONF=$T/containers.conf ${P[*]} exec -it t1 tty" /dev/null
	assert_success
	[[ $output == *"/dev/pts/1"* ]] || fail "exec -it: tty said '$output'"
	# job control: the shell leads the session on that terminal
	pty_run 'sleep 100 & jobs'
	[[ $PTY_OUT == *Running*"sleep 100"* ]] || fail "jobs: '$PTY_OUT'"
	pty_run 'kill %1; wait; jobs; echo done'
	[[ $PTY_OUT == *done ]] || fail "kill %1: '$PTY_OUT'"
	pty_type 'exit 4'
	pty_inner_end
	[ "$PTY_RC" = 4 ] || fail "the status of podman run -it: $PTY_RC"
}

@test "the whole stack of ours: podman, ctrun, ctutils-bridge with -p 18080:80 serving busybox httpd; rm -f leaves nothing" {
	ctu_state_save
	run pod "${P[@]}" run -d --name ctuweb --cap-add NET_RAW --network ctupod -p 18080:80 "${UL[@]}" \
		localhost/ctu-bb:1 /bin/busybox httpd -f -p 80 -h /www
	assert_success
	[ "$(inspect ctuweb '{{.OCIRuntime}}')" = ctrun ]
	[ "$(inspect ctuweb '{{.NetworkSettings.Networks.ctupod.IPAddress}}')" = "$POD_SUBNET.2" ]
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(pod_get "http://$NAT_HOST:18080/" "$O")" = "hello from ctuweb" ] && break
		sleep 0.1
	done
	run pod_get "http://$NAT_HOST:18080/" "$O"
	assert_output "hello from ctuweb"
	run pod_get "http://127.0.0.1:18080/"
	assert_output "hello from ctuweb"
	run pod "${P[@]}" rm -f ctuweb
	assert_success
	run nat_elements "$H"
	assert_output ''
	[ "$(pod_get "http://$NAT_HOST:18080/" "$O")" != "hello from ctuweb" ]
	pod_rm_cgroups
	assert_state_unchanged
}
