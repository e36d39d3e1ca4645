#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 08 - A persistent, named network namespace shared by two programs: the
# first one sets it up and exits, the second one finds it as it was.  The
# name lives under /run/netns, so `ip netns` sees it too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root

mkdir -p /run/netns
step "make the namespace persistent: bound to /run/netns/$RUN"
show unshare-lite --net="/run/netns/$RUN" true
on_exit "umount /run/netns/$RUN; rm -f /run/netns/$RUN"
show ip netns list

step "program 1 brings up lo and leaves"
show nsenter-lite --net="$RUN" ip link set lo up

step "program 2 finds lo up, and can use it"
show nsenter-lite --net="$RUN" ip -o link show lo
show nsenter-lite --net="$RUN" ping -c 1 -W 2 127.0.0.1

step "remove it"
show umount "/run/netns/$RUN"
rm -f "/run/netns/$RUN"
