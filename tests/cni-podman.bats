#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman 4.3 on a network whose plugin is ours (the spec's podman bullet).
#
# Debian 12's podman would use netavark: a test-only containers.conf forces
# its CNI backend, with our plugin's directory first on cni_plugin_dirs.  It
# all happens in a network namespace of this run, H (the "host" podman runs
# in), entered with `nsenter --net` (not `ip netns exec`, which remounts /sys
# and hides the cgroup hierarchies), and in a private mount namespace with
# tmpfs on /run and /var/lib/cni, so that neither podman's state nor
# libcni's cache nor host-local's reservations touch the machine's; every
# other piece of podman's state is in the test's directory.  An outside
# namespace O sits on a veth to H (H 192.0.2.1, O 192.0.2.2), as in
# helpers/nat.bash.
#
# The image is a tar of a busybox-static root with /www/index.html, imported
# as localhost/ctu-bb:1: no registry, no network.

load helpers
load helpers/nat
load helpers/cni
load helpers/podman

POD_SUBNET=10.89.7

setup() {
	require_root
	require_kernel_feature netns veth bridge mountns
	require_cmd podman crun conmon jq ip nft nsenter unshare busybox tar curl
	require_tool "$VETHCTL"
	[ -x "$CNI_PLUGINS/host-local" ] || ctu_skip "needs containernetworking-plugins in $CNI_PLUGINS"
	podnet_setup
}

# The parent cgroups podman's cgroupfs manager makes (and never removes),
# one per hierarchy: those this test made go at its end.
pod_cgroups() {
	ls -d /sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true
}

pod_rm_cgroups() {
	local d
	for d in $(pod_cgroups); do
		grep -qxF "$d" <<<"$POD_CGROUPS_BEFORE" || _ctu_rm_cgroup "$d"
	done
}

teardown() {
	podnet_teardown
}

# pod_files: containers.conf, the conflist, the image's tar, the podman command
pod_files() {
	mkdir -p "$T/net.d" "$T/root" "$T/run" "$T/ptmp"
	cat >"$T/containers.conf" <<-EOF
		[network]
		network_backend = "cni"
		cni_plugin_dirs = ["$CNI_BIN", "$CNI_PLUGINS"]
	EOF
	cat >"$T/net.d/ctupod.conflist" <<-EOF
		{ "cniVersion": "1.0.0", "name": "ctupod", "plugins": [
		  { "type": "ctutils-bridge", "bridge": "ctu0", "isGateway": true, "ipMasq": true,
		    "hairpinMode": true, "capabilities": { "portMappings": true },
		    "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_SUBNET.0/24" }]],
		              "routes": [{ "dst": "0.0.0.0/0" }] } } ] }
	EOF
	ctu_make_rootfs "$T/bb"
	mkdir -p "$T/bb/www"
	echo "hello from ctuweb" >"$T/bb/www/index.html"
	tar -C "$T/bb" -cf "$T/bb.tar" .
	P=(podman --root "$T/root" --runroot "$T/run" --tmpdir "$T/ptmp" --storage-driver vfs
		--cgroup-manager cgroupfs --events-backend file --network-config-dir "$T/net.d")
}

# pod_holder: a process in H and in a private mount namespace with tmpfs on
# /run and /var/lib/cni, which every podman command then joins (its pid in
# HOLD).  /var/lib/cni is made (and removed at the end) where it is missing:
# a mount point must exist, and nothing is ever written into it from here.
# On a hybrid host (v1 controllers, and a cgroup2 at /sys/fs/cgroup/unified
# with controllers of its own) crun refuses to run anything ("cgroups in
# hybrid mode not supported"): there the private namespace unmounts the
# unified hierarchy, and crun sees the v1 host it can use.
pod_holder() {
	local hybrid=0
	if [ ! -d /var/lib/cni ]; then
		mkdir /var/lib/cni
		ctu_cleanup_add dir /var/lib/cni
	fi
	# (a kernfs file's size is 0: read it)
	[ "$(stat -f -c %T /sys/fs/cgroup)" != tmpfs ] || [ -z "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] || hybrid=1
	nsenter --net="/run/netns/$H" -- unshare -m --propagation private -- sh -c '
		mount -t tmpfs -o mode=0755 ctu-run /run &&
		mount -t tmpfs -o mode=0755 ctu-cni /var/lib/cni &&
		{ [ "$2" = 0 ] || umount -l /sys/fs/cgroup/unified; } &&
		echo ready >"$1" && exec sleep 100000' sh "$T/holder.ready" "$hybrid" </dev/null >/dev/null 2>&1 3>&- &
	HOLD=$!
	ctu_cleanup_add pid "$HOLD"
	ctu_wait_for_file "$T/holder.ready" || fail "the holder of the mount namespace did not start"
}

# pod CMD...: CMD in H and the holder's mount namespace, with the test's
# containers.conf
pod() {
	nsenter -t "$HOLD" -m -n -- env CONTAINERS_CONF="$T/containers.conf" "$@"
}

# pod_get URL [NS]: the page, fetched in H (or in netns NS from outside).
# curl: Debian 12's busybox wget dies of SIGSEGV on this machine's host side.
pod_get() {
	if [ -n "${2:-}" ]; then
		timeout 5 ip netns exec "$2" curl -sS --max-time 3 "$1" 2>&1
	else
		timeout 5 nsenter -t "$HOLD" -n -- curl -sS --max-time 3 "$1" 2>&1
	fi
}

@test "podman 4.3 (CNI backend) runs busybox httpd on ctutils-bridge: address, gateway, -p 18080:80 from 127.0.0.1, H and O; rm -f leaves nothing" {
	pod_holder
	ctu_state_save
	run pod "${P[@]}" import "$T/bb.tar" localhost/ctu-bb:1
	assert_success
	run pod "${P[@]}" run -d --name ctuweb --cap-add NET_RAW --network ctupod -p 18080:80 \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		localhost/ctu-bb:1 /bin/busybox httpd -f -p 80 -h /www
	assert_success
	run pod "${P[@]}" inspect ctuweb
	assert_success
	[ "$(jq -r '.[0].NetworkSettings.Networks.ctupod.IPAddress' <<<"$output")" = "$POD_SUBNET.2" ] ||
		fail "inspect: $(jq -c '.[0].NetworkSettings' <<<"$output")"
	run pod "${P[@]}" exec ctuweb ping -c1 -W2 "$POD_SUBNET.1"
	assert_success
	# httpd listens once it is up: the first answer within 5 s
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(pod_get "http://127.0.0.1:18080/")" = "hello from ctuweb" ] && break
		sleep 0.1
	done
	run pod_get "http://127.0.0.1:18080/"
	assert_output "hello from ctuweb"
	run pod_get "http://$NAT_HOST:18080/"
	assert_output "hello from ctuweb"
	run pod_get "http://$NAT_HOST:18080/" "$O"
	assert_output "hello from ctuweb"
	# the elements are the attachment's
	run nat_elems pub4any "$H"
	assert_output --regexp "^tcp \\. 18080 : $POD_SUBNET\\.2 \\. 80 # cni:[0-9a-f]{16}:ctupod:"
	run pod "${P[@]}" rm -f ctuweb
	assert_success
	run nat_elements "$H"
	assert_output ''
	run pod find /var/lib/cni/networks/ctupod -type f ! -name lock ! -name 'last_reserved_ip.*'
	assert_output ''
	run ip -n "$H" -o link show type veth
	[ "${#lines[@]}" -eq 1 ] || fail "veths left in H: $output"
	[ "$(pod_get "http://$NAT_HOST:18080/" "$O")" != "hello from ctuweb" ]
	# podman's own parent cgroups aside, nothing is left on the machine
	pod_rm_cgroups
	assert_state_unchanged
}
