# SPDX-License-Identifier: GPL-2.0-or-later
# containers.bash - what tests/nsenter-containers.bats and nsenter-podman.bats
# share: every source's state root replaced by one below the test's directory
# ($T/s/SOURCE), state files as engines write them, runc, ctutils and podman
# containers made and removed.

containers_setup() {
	require_root
	require_tool "$NSENTER_LITE"
	T=$(ctu_tmpdir)
	SR=()
	local s
	for s in runc crun containerd docker podman ctrun ctutils; do
		mkdir -p "$T/s/$s"
		SR+=(--state-root "$s=$T/s/$s")
	done
	SEARCHED="$T/s/runc, $T/s/crun, $T/s/containerd, $T/s/docker, $T/s/podman, $T/s/ctrun, $T/s/ctutils"
	R=ctu${CTU_RUN_ID}n${BATS_TEST_NUMBER}
}

# runc's containers first (runc delete -f removes their cgroups too): only
# those runc_run made.  Never `runc list` here: runc delete -f of a hand-made
# state.json would signal its pid, and a hostile one's is 0 or -1.
containers_teardown() {
	local id
	if [ -f "$T/runc-ids" ]; then
		while read -r id; do
			runc --root "$T/s/runc" delete -f "$id" >/dev/null 2>&1
		done <"$T/runc-ids"
	fi
	[ -z "${HOLD:-}" ] || pod_teardown
	ctu_teardown
}

nsl() {
	"$NSENTER_LITE" "${SR[@]}" "$@"
}

# live: a process to point state at; its PID in LIVE, its start time in START
live() {
	sleep 1000 </dev/null >/dev/null 2>&1 &
	LIVE=$!
	ctu_cleanup_add pid "$LIVE"
	START=$(cut -d' ' -f22 "/proc/$LIVE/stat")
}

# state FILE TEXT: a state file as an engine writes it (root's, mode 0600)
state() {
	mkdir -p "$(dirname "$1")"
	printf '%s' "$2" >"$1"
	chmod 0600 "$1"
}

# runc_state ID PID START: a runc state.json below $T/s/runc
runc_state() {
	state "$T/s/runc/$1/state.json" "{\"id\":\"$1\",\"init_process_pid\":$2,\"init_process_start\":$3}"
}

# refused MESSAGE ARGS...: 125, MESSAGE on stderr, and the program never ran
refused() {
	local msg=$1
	shift
	run -125 --separate-stderr nsl "$@" -- touch "$T/entered"
	[ -z "$output" ] || fail "stdout: $output"
	[[ "$stderr" == *"$msg"* ]] || fail "expected '$msg' in: $stderr"
	[ "${#stderr_lines[@]}" -le 2 ] || fail "more than one message: $stderr"
	[ ! -e "$T/entered" ] || fail "the program ran"
}

# a busybox bundle for runc (runc spec, jq edits) in $T/b
runc_bundle() {
	require_cmd runc jq busybox
	[ -f "$T/b/config.json" ] && return 0
	ctu_make_rootfs "$T/b/rootfs"
	(cd "$T/b" && runc spec) || fail "runc spec failed"
	jq '.process.terminal = false | .process.args = ["sleep", "1000"] | .hostname = "ctubox"' \
		"$T/b/config.json" >"$T/b/config.new" && mv "$T/b/config.new" "$T/b/config.json"
}

# runc_run ID: a detached runc container of the bundle; its init's PID in RPID
runc_run() {
	runc_bundle
	printf '%s\n' "$1" >>"$T/runc-ids"
	runc --root "$T/s/runc" run -d --bundle "$T/b" --pid-file "$T/$1.runc-pid" "$1" \
		</dev/null >/dev/null 2>"$T/runc.err" || fail "runc run $1: $(cat "$T/runc.err")"
	RPID=$(cat "$T/$1.runc-pid")
}

# ctu_run ID: a ctutils container (unshare-lite, own pid/uts/ipc/mount ns) with
# its pid file in the ctutils root; its PID in CPID
ctu_run() {
	require_tool "$UNSHARE_LITE"
	"$UNSHARE_LITE" -m -u -i -p -f --pidfile "$T/s/ctutils/$1.pid" -- sleep 1000 \
		</dev/null >/dev/null 2>&1 &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/s/ctutils/$1.pid" || fail "unshare-lite wrote no pid file"
	CPID=$(cat "$T/s/ctutils/$1.pid")
	ctu_cleanup_add pid "$CPID"
}

# --- podman 4.3 --------------------------------------------------------------
# As tests/cni-podman.bats runs it: every podman command inside one holder
# process's private network and mount namespaces (tmpfs on /run; on a hybrid
# host the unified hierarchy unmounted there, since crun refuses hybrid
# mode), with podman's storage and run root in the test's directory.  The
# run root is the podman source's state root.

pod_cgroups() {
	ls -d /sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true
}

pod_setup() {
	require_cmd podman crun conmon unshare nsenter jq
	local hybrid=0
	POD_CGROUPS_BEFORE=$(pod_cgroups)
	mkdir -p "$T/proot" "$T/ptmp"
	ctu_make_rootfs "$T/pbb"
	printf '[network]\nnetwork_backend = "cni"\n' >"$T/containers.conf"
	# (a kernfs file's size is 0: read it)
	[ "$(stat -f -c %T /sys/fs/cgroup)" != tmpfs ] ||
		[ -z "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] || hybrid=1
	unshare -n -m --propagation private -- sh -c '
		mount -t tmpfs -o mode=0755 ctu-run /run &&
		{ [ "$2" = 0 ] || umount -l /sys/fs/cgroup/unified; } &&
		echo ready >"$1" && exec sleep 100000' sh "$T/holder.ready" "$hybrid" \
		</dev/null >/dev/null 2>&1 3>&- &
	HOLD=$!
	ctu_cleanup_add pid "$HOLD"
	ctu_wait_for_file "$T/holder.ready" || fail "the holder of podman's namespaces did not start"
	PODMAN=(podman --root "$T/proot" --runroot "$T/s/podman" --tmpdir "$T/ptmp" --storage-driver vfs
		--cgroup-manager cgroupfs --events-backend file)
}

pod() {
	nsenter -t "$HOLD" -m -n -- env CONTAINERS_CONF="$T/containers.conf" "${PODMAN[@]}" "$@"
}

pod_teardown() {
	[ -n "${HOLD:-}" ] && kill -0 "$HOLD" 2>/dev/null && pod rm -f -a -t 0 >/dev/null 2>&1
	local d
	for d in $(pod_cgroups); do
		grep -qxF "$d" <<<"$POD_CGROUPS_BEFORE" || _ctu_rm_cgroup "$d"
	done
}

