#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman 4.3 on a network whose plugin is ours (the spec's podman bullet).
#
# How podman runs here (CNI backend, network namespaces H and O, a private
# mount namespace, the state in the test's directory): helpers/podman.bash.
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

teardown() {
	podnet_teardown
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
