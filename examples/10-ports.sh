#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 10 - Traffic out and in: a container's web server published on port 8080
# of the "host" (docker's -p 8080:80), reached through the host's address,
# through 127.0.0.1 and from outside; the container's own traffic out
# masqueraded.  The host and the outside are network namespaces of their
# own; the rules are one nftables table, inet ctutils, in the host's.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root
NET=10.$((200 + RANDOM % 50)).$((RANDOM % 250))

mkdir -p /run/netns "$WORK/www"
echo "hello from the container" >"$WORK/www/index.html"
step "a host and an outside, each a network namespace, joined by a veth"
for ns in h o; do
	show unshare-lite --net="/run/netns/$RUN-$ns" true
	on_exit "umount /run/netns/$RUN-$ns; rm -f /run/netns/$RUN-$ns"
done
show vethctl --netns "$RUN-h" add up0 --peer eth0 --peer-netns "$RUN-o" \
	--addr 192.0.2.1/24 --peer-addr 192.0.2.2/24
show vethctl --netns "$RUN-h" bridge add br0 --addr "$NET.1/24"
show vethctl --netns "$RUN-h" up lo	# a new namespace's lo is down: no 127.0.0.1

step "a container serving HTTP on its port 80"
unshare-lite -n --pidfile "$WORK/c1.pid" busybox httpd -f -p 80 -h "$WORK/www" &
on_exit "kill $!"
for _ in $(seq 50); do [ -s "$WORK/c1.pid" ] && break; sleep 0.1; done
C1=$(cat "$WORK/c1.pid")

step "plug it in, publish 8080 -> 80, masquerade what it sends out"
show vethctl --netns "$RUN-h" connect "$C1" --bridge br0 --addr "$NET.2/24" --publish 8080:80 --nat
show vethctl --netns "$RUN-h" publish ls
show vethctl --netns "$RUN-h" nat ls

# (busybox 1.35's wget -T crashes on a refused connection: timeout(1) instead)
step "reach it through the host's address, 127.0.0.1, and from outside"
show nsenter-lite --net="$RUN-h" timeout 5 busybox wget -q -O - http://192.0.2.1:8080/
show nsenter-lite --net="$RUN-h" timeout 5 busybox wget -q -O - http://127.0.0.1:8080/
show nsenter-lite --net="$RUN-o" timeout 5 busybox wget -q -O - http://192.0.2.1:8080/

step "the container pings the outside, which sees the host's address"
show nsenter-lite --pidfile "$WORK/c1.pid" -n ping -c 1 -W 2 192.0.2.2

step "all of it is one table in the host's namespace"
show nsenter-lite --net="$RUN-h" nft list table inet ctutils | grep -E 'elements|dnat|masquerade' || true

step "unplug it: the mapping goes with it"
show vethctl --netns "$RUN-h" disconnect "$C1"
show vethctl --netns "$RUN-h" publish ls
if nsenter-lite --net="$RUN-o" timeout 3 busybox wget -q -O - http://192.0.2.1:8080/ >/dev/null 2>&1; then
	echo "still reachable after disconnect" >&2
	exit 1
fi
echo "port 8080 no longer answers"
