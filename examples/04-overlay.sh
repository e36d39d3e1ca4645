#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 04 - Overlay layers: read-only image layers, one writable layer on top.
# A write copies the file up, a delete leaves a whiteout, a directory made
# anew hides the old one (opaque); --diff reads it all back from the upper
# layer, like `docker diff`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root

mkdir -p "$WORK"/{base,app,upper,merged}
echo "from the base layer" >"$WORK/base/motd"
echo "base config" >"$WORK/base/config"
mkdir "$WORK/base/cache"; echo old >"$WORK/base/cache/entry"
echo "from the app layer" >"$WORK/app/motd"

step "two lower layers (app on top of base) and an upper one"
show unshare-lite -m -- bash -ec "
	ovlmount --lower '$WORK/app' --lower '$WORK/base' --upper '$WORK/upper' '$WORK/merged'
	echo \"motd: \$(cat '$WORK/merged/motd')   (the app layer shadows the base)\"
	echo 'changed' >>'$WORK/merged/config'
	rm '$WORK/merged/motd'
	rm -r '$WORK/merged/cache'; mkdir '$WORK/merged/cache'
	echo new >'$WORK/merged/new-file'
	ovlmount --diff '$WORK/merged'"

step "the upper layer holds the changes; the lower layers are untouched"
show ls -la "$WORK/upper"
echo "base config still: $(cat "$WORK/base/config")"
