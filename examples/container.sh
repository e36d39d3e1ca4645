#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# container.sh - a container built by hand, one kernel primitive per step,
# with the six ctutils tools.  Each step says what it does on stderr.
#
#   examples/container.sh [--rootfs DIR]
#
# The default root filesystem is busybox (build/rootfs, made by `make demo`);
# --rootfs takes any other (one made by debootstrap, say).  The bridge lives
# in a network namespace of its own, so this never touches your host's
# network, and everything it makes is removed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

while [ $# -gt 0 ]; do
	case $1 in
	--rootfs) CTU_ROOTFS=$(cd "$2" && pwd); shift 2 ;;
	-h | --help) sed -n '3,12p' "$0"; exit 0 ;;
	*) echo "container.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
need_root
need_rootfs
NET=10.$((200 + RANDOM % 50)).$((RANDOM % 250))

# The directory of our own cgroup of the memory controller (v1 or v2).
memory_cgroup_dir() {
	local mnt path
	mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup | awk '$2 ~ /(^|,)memory(,|$)/ {print $1; exit}')
	if [ -n "$mnt" ]; then
		path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
	else
		mnt=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
		path=$(sed -n 's/^0:://p' /proc/self/cgroup)
	fi
	echo "$mnt${path%/}"
}

step "1. A cgroup with memory, pids and CPU limits (cgctl)"
show cgctl --self create "$RUN" --memory 64M --pids 64 --cpus 0.5
on_exit cgctl --self delete -r --kill "$RUN"
show cgctl --self get "$RUN"

step "2. An overlay root: the rootfs read-only below, a tmpfs on top for writes (ovlmount)"
mkdir "$WORK/merged"
show ovlmount --lower "$CTU_ROOTFS" --tmpfs-upper "$WORK/merged"
on_exit ovlmount --umount "$WORK/merged"
show ovlmount --show "$WORK/merged"

step "3. New mount, UTS, IPC, network and pid namespaces, with a hostname (unshare-lite --init)"
echo "   The program waits on --block-fd until its network is plugged in (step 4);" >&2
echo "   inside, pivot (step 5) makes the overlay its root." >&2
mkfifo "$WORK/go"
cgdir=$(memory_cgroup_dir)/$RUN
inside='
echo "inside: hostname is $(hostname)"
echo "inside: processes:"; ps -o pid,comm
echo "inside: network:"; ip -o addr show | sed "s/^/  /"
echo "inside: ping the gateway:"; ping -c 1 -W 2 '"$NET"'.1 | sed -n 2p
echo "inside: my cgroups:"; sed "s/^/  /" /proc/self/cgroup
echo "inside: my memory limit: $(cat /cgroup/memory.max 2>/dev/null || cat /cgroup/memory.limit_in_bytes) bytes"
echo "written inside the container" >/root/hello
echo "inside: wrote /root/hello (it lands in the tmpfs upper layer)"
exec sleep 600'
printf '$ %s\n' "cgctl --self exec $RUN --preserve-fds 1 -- unshare-lite -m -u -i -n -p -f --init --hostname box --pidfile $WORK/pid --block-fd 3 -- pivot $WORK/merged --proc --dev --ro-bind $cgdir:/cgroup -- /bin/sh -c ..." >&2
cgctl --self exec "$RUN" --preserve-fds 1 -- \
	unshare-lite -m -u -i -n -p -f --init --hostname box --pidfile "$WORK/pid" --block-fd 3 -- \
	pivot "$WORK/merged" --proc --dev --ro-bind "$cgdir:/cgroup" -- /bin/sh -c "$inside" 3<>"$WORK/go" &
# Not a job of this shell: step 8 ends it through its cgroup (cgctl kill, then
# cgctl wait until the cgroup is empty), and bash would report that SIGKILL on
# stderr ("line 18: 4076 Killed  cgctl --self exec ..."), in the middle of the
# narration.  bash still reaps it.
disown
on_exit "cgctl --self kill $RUN; cgctl --self wait --timeout 10 $RUN"
for _ in $(seq 100); do [ -s "$WORK/pid" ] && break; sleep 0.1; done
pid=$(cat "$WORK/pid")
echo "   the container's PID 1 (unshare-lite's init) is $pid here" >&2

step "4. A veth into the container, plugged into a bridge with an address (vethctl connect)"
mkdir -p /run/netns
show unshare-lite --net="/run/netns/$RUN-h" true
on_exit "umount /run/netns/$RUN-h; rm -f /run/netns/$RUN-h"
echo "   (a namespace of its own plays the host's part: your network stays untouched)" >&2
show vethctl --netns "$RUN-h" bridge add br0 --addr "$NET.1/24"
show vethctl --netns "$RUN-h" connect "$pid" --bridge br0 --addr "$NET.2/24"
show vethctl --netns "$RUN-h" ls

step "5. Release the container: pivot into the overlay with /proc and /dev, then its program runs"
echo go >"$WORK/go"

step "6. Inside the container"
for _ in $(seq 100); do [ -e "$WORK/merged/root/hello" ] && break; sleep 0.1; done
sleep 0.5

step "7. From outside: join it, see what it changed, what it used"
show nsenter-lite --pidfile "$WORK/pid" -a hostname
show nsenter-lite --pidfile "$WORK/pid" -a ps -o pid,comm
show ovlmount --diff "$WORK/merged"
show cgctl --self stat "$RUN"

step "8. Teardown"
show cgctl --self kill "$RUN"
show cgctl --self wait --timeout 10 "$RUN"
show cgctl --self delete "$RUN"
show ovlmount --umount "$WORK/merged"
show umount "/run/netns/$RUN-h"
rm -f "/run/netns/$RUN-h"
left=$( { grep -F -e "$WORK" -e "$RUN" /proc/self/mountinfo; ls /run/netns 2>/dev/null | grep -F "$RUN"; \
	find /sys/fs/cgroup -maxdepth 6 -name "$RUN" 2>/dev/null; } || true)
if [ -n "$left" ]; then
	echo "left behind:" >&2
	echo "$left" >&2
	exit 1
fi
echo "nothing left behind: no mount, no interface or namespace, no cgroup" >&2
