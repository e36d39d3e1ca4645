#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 02 - Namespaces one by one: each unshare-lite flag gives the program its
# own copy of one kind of kernel object, and the rest of the system never
# sees the change.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root

step "uts: a hostname of its own"
show unshare-lite --uts --hostname box hostname
echo "outside, still: $(hostname)"

step "net: a network stack of its own, with only a loopback"
show unshare-lite --net ip -o link show

step "pid: it is PID 1 (with a /proc of its own, in a mount namespace of its own)"
show unshare-lite --pid --fork --mount-proc ps -o pid,comm

step "mount: a mount made inside stays inside"
mkdir "$WORK/m"
show unshare-lite --mount sh -c "mount -t tmpfs demo '$WORK/m' && grep -c ' $WORK/m ' /proc/self/mountinfo"
echo "outside: $(grep -c " $WORK/m " /proc/self/mountinfo || true) such mount"

step "ipc: message queues of its own"
show unshare-lite --ipc sh -c 'ipcmk -Q >/dev/null; ipcs -q | grep -c "^0x"'

step "user: root inside, nobody special outside"
show unshare-lite --map-root-user sh -c 'id -u; cat /proc/self/uid_map'

step "cgroup: its own cgroup is the root of its view"
show unshare-lite --cgroup cat /proc/self/cgroup

step "time: a boot clock 1000 days ahead"
show unshare-lite --boottime $((1000 * 86400)) cat /proc/uptime
