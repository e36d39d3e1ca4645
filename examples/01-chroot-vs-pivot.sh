#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 01 - Why chroot is not enough: the same rootfs entered with chroot(2) and
# with pivot_root(2).  In the chroot, the host is still one path away (here
# through /proc/PID/root of a host process); after a pivot in new mount and
# pid namespaces it is gone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root
need_rootfs

sleep 300 &
host_pid=$!
on_exit "kill $host_pid"

step "chroot: the rootfs is /, but the host's processes and mounts are all there"
show unshare-lite -m -- pivot "$CTU_ROOTFS" --chroot --proc -- /bin/sh -c "
	echo \"mounts seen: \$(wc -l </proc/self/mountinfo)\"
	if ls /proc/$host_pid/root/etc/os-release >/dev/null 2>&1; then
		echo 'ESCAPED: the host root is reachable through /proc/$host_pid/root'
	fi"

step "pivot, in new mount and pid namespaces: only the rootfs is left"
show unshare-lite -m -p -f -- pivot "$CTU_ROOTFS" --proc -- /bin/sh -c "
	echo \"mounts seen: \$(wc -l </proc/self/mountinfo)\"
	ls /proc/$host_pid/root/etc/os-release >/dev/null 2>&1 || echo 'CONTAINED: no host process, no host root'"
