#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 05 - Two containers on a bridge, pinging each other.  The bridge sits in a
# network namespace of its own, standing in for the host.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root
NET=10.$((200 + RANDOM % 50)).$((RANDOM % 250))

mkdir -p /run/netns
show unshare-lite --net="/run/netns/$RUN-h" true
on_exit "umount /run/netns/$RUN-h; rm -f /run/netns/$RUN-h"
show vethctl --netns "$RUN-h" bridge add br0 --addr "$NET.1/24"

for c in c1 c2; do
	unshare-lite -n --pidfile "$WORK/$c.pid" sleep 300 &
	on_exit "kill $!"
done
for c in c1 c2; do
	for _ in $(seq 50); do [ -s "$WORK/$c.pid" ] && break; sleep 0.1; done
done

step "plug each container into the bridge: one command each"
show vethctl --netns "$RUN-h" connect "$(cat "$WORK/c1.pid")" --bridge br0 --addr "$NET.2/24"
show vethctl --netns "$RUN-h" connect "$(cat "$WORK/c2.pid")" --bridge br0 --addr "$NET.3/24"
show vethctl --netns "$RUN-h" ls

step "c1 pings c2, c2 pings the bridge"
show nsenter-lite --pidfile "$WORK/c1.pid" -n ping -c 1 -W 2 "$NET.3"
show nsenter-lite --pidfile "$WORK/c2.pid" -n ping -c 1 -W 2 "$NET.1"
