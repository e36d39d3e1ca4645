#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 03 - cgroups: limit CPU to 5% and memory to 80M, and watch the kernel hold
# the line: a busy loop gets its 5%, a memory hog is killed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root

step "a cgroup (below our own) with CPU at 5% and memory at 80M"
show cgctl --self create "$RUN" --cpus 0.05 --memory 80M
on_exit cgctl --self delete -r --kill "$RUN"
show cgctl --self get "$RUN"

step "a busy loop for 2 seconds: it gets about 5% of one CPU"
show cgctl --self exec "$RUN" -- timeout 2 sh -c 'while :; do :; done' || true
usage=$(cgctl --self stat -J "$RUN" | jq -r '.stat[] | select(.key == "cpu.usage_usec") | .value')
echo "CPU used in 2 s: $((usage / 1000)) ms (about $((usage / 20000))%)"

step "a program that wants more than 80M: the OOM killer ends it"
show_killed cgctl --self exec "$RUN" -- tail /dev/zero || echo "exit status $? (137 = killed by SIGKILL)"
show cgctl --self stat "$RUN"
