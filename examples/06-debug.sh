#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 06 - Debugging a running container: joining its namespaces; finding it by
# name in the state a runtime keeps, with a recycled PID refused; bringing the
# host's tools into an image that has none (--toolbox); and seeing how it is
# plugged in (--inspect).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root
need_rootfs

# The state root of the "ctutils" source: ID.pid, as unshare-lite --pidfile
# writes it (the default is /run/ctutils; ours is the example's own)
STATE=$WORK/state
mkdir -p "$STATE"

step "a container is running (new namespaces, its own /proc and hostname)"
APP_MODE=debug-me unshare-lite -mnuipf --mount-proc --hostname box --pidfile "$STATE/web.pid" sleep 300 &
on_exit "kill -9 \$(cat $STATE/web.pid); kill $!"
for _ in $(seq 50); do [ -s "$STATE/web.pid" ] && break; sleep 0.1; done

step "join all its namespaces and look around"
show nsenter-lite --pidfile "$STATE/web.pid" -a hostname
show nsenter-lite --pidfile "$STATE/web.pid" -a ps -o pid,comm
show nsenter-lite --pidfile "$STATE/web.pid" -a ip -o link show

step "its environment (-e), and only the network namespace (-n) with our own tools"
show nsenter-lite --pidfile "$STATE/web.pid" -a -e sh -c 'echo "APP_MODE=$APP_MODE"'
show nsenter-lite --pidfile "$STATE/web.pid" -n ip -o addr show

step "find it by name, in the state a runtime keeps (runc, podman, containerd, ... and ours)"
show nsenter-lite --state-root ctutils="$STATE" --containers
show nsenter-lite --state-root ctutils="$STATE" --container we hostname

step "PID@START names one process, ever: a recycled PID is refused"
pid=$(cat "$STATE/web.pid")
start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat")
show nsenter-lite -t "$pid@$start" -a hostname
show nsenter-lite -t "$pid@$((start + 1))" -a hostname || echo "(refused, exit $?)"

step "a container whose image has no tools: its own root, busybox only"
unshare-lite -m -p -f -u --hostname tiny --pidfile "$STATE/tiny.pid" -- \
	pivot "$CTU_ROOTFS" --proc -- /bin/sleep 300 &
on_exit "kill -9 \$(cat $STATE/tiny.pid); kill $!"
# its pid file comes before pivot runs: wait for the pivot's program, sleep
for _ in $(seq 100); do
	[ -s "$STATE/tiny.pid" ] && [ "$(cat "/proc/$(cat "$STATE/tiny.pid")/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
show nsenter-lite --state-root ctutils="$STATE" --container tiny ls /

step "--toolbox: the host's strace in it; its root is /, our tools are under /.ctutils"
show nsenter-lite --state-root ctutils="$STATE" --container tiny --toolbox \
	strace -f -e trace=execve /bin/busybox true 2>&1
show nsenter-lite --state-root ctutils="$STATE" --container tiny --toolbox sh -c 'ls -a / | tr "\n" " "; echo'
step "the container itself saw nothing change"
show nsenter-lite --state-root ctutils="$STATE" --container tiny sh -c 'test ! -e /.ctutils && echo "no /.ctutils in the container"'

step "--inspect: how it is plugged in, without entering it"
show nsenter-lite --state-root ctutils="$STATE" --container web --inspect --section process
show nsenter-lite --state-root ctutils="$STATE" --container web --inspect --json --section ns,security |
	jq -c '{own: [.ns[] | select(.nprocs == 1) | .type], capabilities: (.security.cap_effective | length), seccomp: .security.seccomp}'
