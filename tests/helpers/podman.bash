# SPDX-License-Identifier: GPL-2.0-or-later
# podman.bash - podman 4.3 as tests/cni-podman.bats and tests/engines.bats run
# it (loaded after helpers.bash, helpers/nat and helpers/cni).
#
# Debian 12's podman would use netavark: a test-only containers.conf forces
# its CNI backend, with our plugin's directory first on cni_plugin_dirs.  It
# all happens in a network namespace of this run, H (the "host" podman runs
# in), and in a private mount namespace with tmpfs on /run and /var/lib/cni
# (pod_holder), so that neither podman's state nor libcni's cache nor
# host-local's reservations touch the machine's; every other piece of
# podman's state is in the test's directory.  An outside namespace O sits on
# a veth to H (H 192.0.2.1, O 192.0.2.2), as in helpers/nat.bash.
#
# POD_RUNTIME, when set before podnet_setup, is the path of an OCI runtime
# (ctrun) that containers.conf makes podman's default, named "ctrun".

# podnet_setup: T, the plugin links, H and O, the files, the podman command (P)
podnet_setup() {
	T=$(ctu_tmpdir)
	cni_bin "$T"
	H=$(ctu_name h) O=$(ctu_name o)
	cni_netns "$H" "$O"
	ip -n "$H" link set lo up
	ip -n "$O" link set lo up
	ip -n "$H" link add eo type veth peer name eh netns "$O"
	ip -n "$H" addr add "$NAT_HOST/24" dev eo
	ip -n "$O" addr add "$NAT_OUT/24" dev eh
	ip -n "$H" link set eo up
	ip -n "$O" link set eh up
	pod_files
	HOLD=
	POD_CGROUPS_BEFORE=$(pod_cgroups)
}

# podman's containers first, while the holder keeps its namespaces (their
# CNI DEL runs then), whatever still runs in H, the registry, and the parent
# cgroups podman made
podnet_teardown() {
	if [ -n "$HOLD" ] && kill -0 "$HOLD" 2>/dev/null; then
		pod "${P[@]}" rm -f -a -t 0 >/dev/null 2>&1
	fi
	# whatever still runs in H (conmon, the container, the holder) is this test's
	local p
	for p in $(ip netns pids "$H" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ctu_teardown
	pod_rm_cgroups
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

# pod_files: containers.conf, the conflist, the image's tar, the podman command
pod_files() {
	mkdir -p "$T/net.d" "$T/root" "$T/run" "$T/ptmp"
	cat >"$T/containers.conf" <<-EOF
		[network]
		network_backend = "cni"
		cni_plugin_dirs = ["$CNI_BIN", "$CNI_PLUGINS"]
	EOF
	# the runtime under test: podman passes it --log-format=json and, for
	# containers without cgroups, --cgroup-manager disabled
	[ -z "${POD_RUNTIME:-}" ] || cat >>"$T/containers.conf" <<-EOF
		[engine]
		runtime = "ctrun"
		runtime_supports_json = ["ctrun", "crun", "runc"]
		runtime_supports_nocgroups = ["ctrun", "crun"]
		[engine.runtimes]
		ctrun = ["$POD_RUNTIME"]
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
		mkdir -p /var/lib/cni
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

