#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 06 - Debugging a running container by joining its namespaces: its
# hostname, its processes, its environment, its cgroup.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root

step "a container is running (new namespaces, its own /proc and hostname)"
APP_MODE=debug-me unshare-lite -mnuipf --mount-proc --hostname box --pidfile "$WORK/pid" sleep 300 &
on_exit "kill -9 \$(cat $WORK/pid); kill $!"
for _ in $(seq 50); do [ -s "$WORK/pid" ] && break; sleep 0.1; done

step "join all its namespaces and look around"
show nsenter-lite --pidfile "$WORK/pid" -a hostname
show nsenter-lite --pidfile "$WORK/pid" -a ps -o pid,comm
show nsenter-lite --pidfile "$WORK/pid" -a ip -o link show

step "its environment (-e), and only the network namespace (-n) with our own tools"
show nsenter-lite --pidfile "$WORK/pid" -a -e sh -c 'echo "APP_MODE=$APP_MODE"'
show nsenter-lite --pidfile "$WORK/pid" -n ip -o addr show
