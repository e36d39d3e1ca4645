#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 07 - Rootless: the same container as an unprivileged user.  A user
# namespace maps that user to root inside; the overlay uses user xattrs
# (ovlmount adds userxattr by itself); what root writes inside belongs to
# the user outside.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root
need_rootfs
user=${CTU_EXAMPLE_USER:-nobody}
chmod 0755 "$WORK"
mkdir -p "$WORK"/{upper,work,merged}
# the image must be owned by ids the user namespace maps: the user's own copy
cp -a "$CTU_ROOTFS" "$WORK/rootfs"
chown -R "$user:$(id -g "$user")" "$WORK/rootfs" "$WORK"/{upper,work,merged}

step "as $user: user, mount and pid namespaces, an overlay root, a pivot"
show setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- \
	unshare-lite -r -m -p -f -- \
	ovlmount --lower "$WORK/rootfs" --upper "$WORK/upper" --work "$WORK/work" "$WORK/merged" -- \
	pivot "$WORK/merged" --proc --dev -- /bin/sh -c 'echo "inside: uid $(id -u), pid $$"; echo hi >/root/rootless'

step "outside, the file root wrote belongs to $user"
show ls -ln "$WORK/upper/root"
