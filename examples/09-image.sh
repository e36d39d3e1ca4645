#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 09 - An image run as a container: ovlmount stacks an OCI image's layers
# from its store, the image config says what to run (argv, environment,
# working directory), and the other tools do the rest.
#
#   examples/09-image.sh [SRC]
#
# SRC is any image source ovlmount reads (oci:DIR:REF, oci-archive:FILE,
# docker-archive:FILE, made by `skopeo copy` or `docker save`); without it
# the example builds one with umoci from the busybox rootfs.  The store is
# in the example's work directory and goes with it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root

SRC=${1:-}
STORE=$WORK/store
M=$WORK/merged
mkdir "$M"
# --tmpfs-upper keeps its tmpfs in a directory of /run named after MERGED;
# the mount goes with the container's namespace, the directory is ours
on_exit "rmdir /run/ctutils/ovlmount/$(sed 's/_/_5f/g; s|/|_|g' <<<"$M")* 2>/dev/null"

if [ -z "$SRC" ]; then
	need_rootfs
	command -v umoci >/dev/null || { echo "09-image.sh: needs umoci (or give an image source)" >&2; exit 1; }
	step "1. An image from the busybox rootfs (umoci: one layer, then the config)"
	show umoci init --layout "$WORK/img"
	show umoci new --image "$WORK/img:base"
	umoci unpack --image "$WORK/img:base" "$WORK/bundle" >/dev/null
	cp -a "$CTU_ROOTFS/." "$WORK/bundle/rootfs/"
	mkdir -p "$WORK/bundle/rootfs/srv"
	echo "served from the image's /srv" >"$WORK/bundle/rootfs/srv/index.txt"
	show umoci repack --image "$WORK/img:demo" "$WORK/bundle"
	show umoci config --image "$WORK/img:demo" \
		--config.entrypoint /bin/sh --config.entrypoint -c \
		--config.cmd 'echo "$GREETING, I am pid $$ in $(pwd)"; cat index.txt; echo "PATH=$PATH"; echo "HOME=${HOME-unset}"' \
		--config.env GREETING="hello from the image" --config.env PATH=/bin:/sbin \
		--config.workingdir /srv
	SRC=oci:$WORK/img:demo
fi

step "2. What the image wants to run (ovlmount --image-config, JSON read with jq)"
show ovlmount --image-config "$SRC"
config=$(ovlmount --image-config "$SRC" -J)
mapfile -d '' -t ARGV < <(jq -j '.argv[] + "\u0000"' <<<"$config")
mapfile -d '' -t ENV < <(jq -j '.env[] + "\u0000"' <<<"$config")
WD=$(jq -r .working_dir <<<"$config")
[ ${#ARGV[@]} -gt 0 ] || { echo "09-image.sh: $SRC has neither Entrypoint nor Cmd" >&2; exit 1; }

step "3. Pull its layers into a store (once; the next run is a store hit)"
show ovlmount --store "$STORE" --pull-only --image "$SRC" --print-layers

step "4. Run it: a cgroup, new namespaces, the image as an overlay root, its env and argv"
on_exit cgctl --self delete -r --kill "$RUN"
printf '$ %s\n' "cgctl --self exec $RUN --memory 64M -- unshare-lite -m -u -i -n -p -f -- ovlmount --store $STORE --image $SRC --tmpfs-upper $M -- env -i ${ENV[*]} pivot --proc --dev -w $WD $M -- ${ARGV[*]}" >&2
out=$(cgctl --self exec "$RUN" --memory 64M -- \
	unshare-lite -m -u -i -n -p -f -- \
	ovlmount --store "$STORE" -q --image "$SRC" --tmpfs-upper "$M" -- \
	env -i "${ENV[@]}" "$CTU_BIN/pivot" --proc --dev -w "$WD" "$M" -- "${ARGV[@]}")
printf '%s\n' "$out"

step "5. The store keeps the layers for the next container"
show ovlmount --store "$STORE" --store-ls

if [ -z "${1:-}" ]; then
	# the image built above says exactly this
	grep -qx "hello from the image, I am pid 1 in /srv" <<<"$out"
	grep -qx "served from the image's /srv" <<<"$out"
	grep -qx "PATH=/bin:/sbin" <<<"$out"
	grep -qx "HOME=unset" <<<"$out"
	echo "the container ran the image's argv in its working directory, with only its environment"
fi
