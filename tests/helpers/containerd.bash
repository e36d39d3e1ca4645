# SPDX-License-Identifier: GPL-2.0-or-later
# containerd.bash - a private containerd 1.6 for tests/engines-containerd.bats
# (../shared/spec/ctrun.md, oracle (c)); loaded after helpers.bash and
# helpers/ctrun.
#
# Everything happens in one holder's private network and mount namespaces
# (unshare -n -m --propagation private), with a tmpfs on /run there: ctr's
# fifos (/run/containerd/fifo), the shim's runtime root
# (/run/containerd/runc/NS) and every snapshot mount stay out of the
# machine's.  The daemon has its own socket, root, state, ttrpc and debug
# addresses, the opt plugin's directory, all in $T, and a config.toml with
# the CRI plugin disabled.  Its shims (containerd-shim-runc-v2, one per
# container, daemonized) are found by the shim.pid files below our state
# directory and by their -address (our socket), never by name.
#
#   ctd_setup         T (ct_setup's), the holder, the image's docker-archive,
#                     the daemon (CTD_PID), the image imported, CTR (ctr
#                     with our socket and namespace), RUNC (ctrun, absolute)
#   ctd_teardown      containers, daemon, shims, containers' cgroups, holder,
#                     $T: safe to call twice, never fails
#   ctd_shims         the PIDs of the shims of our daemon still alive
#   ctd_assert_gone   no daemon, shim, mount, cgroup, namespace or $T left
#   ctd_sanitizer_lines  ASan/UBSan reports in the daemon's log

CTD_IMAGE=localhost/ctu-bb:1

# ctd_in CMD...: CMD in the holder's network and mount namespaces
ctd_in() {
	nsenter -t "$CTD_HOLD" -m -n -- "$@"
}

# ctd ARGS...: ctr for our daemon and namespace (with a bound: a hang fails)
ctd() {
	timeout -k 5 "${CTD_TIMEOUT:-60}" nsenter -t "$CTD_HOLD" -m -n -- ctr -a "$T/c.sock" -n "$CTD_NS" "$@"
}

ctd_setup() {
	require_root
	require_kernel_feature netns mountns overlay
	require_cmd containerd ctr containerd-shim-runc-v2 podman nsenter unshare busybox tar
	ct_setup
	ctu_cleanup_add dir "$T"
	RUNC=$(realpath "$CTRUN")
	CTD_NS=$(ctu_name ns)
	CTD_PID='' CTD_HOLD='' CTD_NETNS=''
	ctd_config
	ctd_holder
	ctd_image_archive
	ctd_start
	ctd image import "$T/bb-docker.tar" >"$T/import.out" 2>&1 ||
		fail "ctr image import failed: $(cat "$T/import.out")"
}

ctd_config() {
	mkdir -p "$T/root" "$T/state" "$T/opt"
	cat >"$T/config.toml" <<-EOF
		version = 2
		root = "$T/root"
		state = "$T/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$T/c.sock"
		[ttrpc]
		  address = "$T/c.sock.ttrpc"
		[debug]
		  address = "$T/debug.sock"
		  level = "info"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$T/opt"
	EOF
}

# ctd_holder: the namespaces' holder (CTD_HOLD; its netns inode CTD_NETNS)
ctd_holder() {
	unshare -n -m --propagation private -- sh -c '
		mount -t tmpfs -o mode=0755 ctu-run /run &&
		echo ready >"$1" && exec sleep 100000' sh "$T/holder.ready" </dev/null >/dev/null 2>&1 3>&- &
	CTD_HOLD=$!
	ctu_cleanup_add pid "$CTD_HOLD"
	ctu_wait_for_file "$T/holder.ready" || fail "the holder of the namespaces did not start"
	CTD_NETNS=$(ctu_ns_inode "$CTD_HOLD" net)
	[ "$CTD_NETNS" != "$(ctu_ns_inode $$ net)" ] || fail "the holder is in our network namespace"
}

# ctd_image_archive: a busybox root (as tests/engines.bats's), imported into
# a private podman store and saved as a docker-archive, $T/bb-docker.tar
ctd_image_archive() {
	local P
	ctu_make_rootfs "$T/bb"
	tar -C "$T/bb" -cf "$T/bb.tar" .
	rm -rf "$T/bb"
	mkdir -p "$T/proot" "$T/prun" "$T/ptmp"
	P=(podman --root "$T/proot" --runroot "$T/prun" --tmpdir "$T/ptmp" --storage-driver vfs
		--cgroup-manager cgroupfs --events-backend file)
	ctd_in env TMPDIR="$T/ptmp" "${P[@]}" import "$T/bb.tar" "$CTD_IMAGE" >"$T/podman.out" 2>&1 ||
		fail "podman import failed: $(cat "$T/podman.out")"
	ctd_in env TMPDIR="$T/ptmp" "${P[@]}" save --format docker-archive -o "$T/bb-docker.tar" "$CTD_IMAGE" \
		>"$T/podman.out" 2>&1 || fail "podman save failed: $(cat "$T/podman.out")"
}

# ctd_start: the daemon, in the holder's namespaces; ready when ctr version
# reaches the server
ctd_start() {
	local i
	# TMPDIR: the shim's console sockets (go-runc's /tmp/ptyN) in $T too
	mkdir -p "$T/tmp"
	# nsenter itself, not ctd_in: $! is then containerd's pid (nsenter execs it)
	nsenter -t "$CTD_HOLD" -m -n -- env TMPDIR="$T/tmp" containerd --config "$T/config.toml" --address "$T/c.sock" --root "$T/root" \
		--state "$T/state" </dev/null >"$T/containerd.log" 2>&1 3>&- &
	CTD_PID=$!
	ctu_cleanup_add pid "$CTD_PID"
	for ((i = 0; i < 300; i++)); do
		ctd version >/dev/null 2>&1 && return 0
		kill -0 "$CTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "containerd did not come up; its log:"$'\n'"$(tail -n 20 "$T/containerd.log")"
}

# _ctd_is_ours PID: PID is a live process whose command line names our socket
_ctd_is_ours() {
	[ -r "/proc/$1/cmdline" ] && tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qxF "$T/c.sock"
}

# ctd_shims: our daemon's shims still alive: from the shim.pid files below
# our state directory, and any process whose -address is our socket
ctd_shims() {
	local f p
	{
		for f in "$T"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
			[ -s "$f" ] && cat "$f" && echo
		done
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/exe" 2>/dev/null)" = "$(command -v containerd-shim-runc-v2)" ] &&
				echo "${p#/proc/}"
		done
	} 2>/dev/null | sort -un | while read -r p; do
		[ -n "$p" ] && _ctd_is_ours "$p" && echo "$p"
	done
}

# ctd_wait_task ID STATUS [TENTHS]: until `ctr task ls` shows ID with STATUS
ctd_wait_task() {
	local i
	for ((i = 0; i < ${3:-200}; i++)); do
		[ "$(ctd task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}')" = "$2" ] && return 0
		sleep 0.1
	done
	fail "task $1 not $2 after $((${3:-200} / 10)) s: $(ctd task ls 2>&1)"
}

# ctd_task_pid ID: the task's pid, as `ctr task ls` says
ctd_task_pid() {
	ctd task ls | awk -v id="$1" '$1 == id {print $2}'
}

# ctd_sanitizer_lines: what ASan or UBSan said (a SANITIZE=1 ctrun run by a
# shim whose output went only to the daemon's log, as in its cleanup path)
ctd_sanitizer_lines() {
	[ -n "${T:-}" ] && [ -f "$T/containerd.log" ] || return 0
	grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/containerd.log" | head -n 5 || true
}

# ctd_teardown: what a test may leave, newest first: the tasks and
# containers (through the daemon, while it lives), the daemon (SIGTERM, then
# SIGKILL), its shims, whatever still runs in the containers' cgroups, the
# registered rest (holder, cgroup directories, $T)
ctd_teardown() {
	local c p i
	if [ -n "${CTD_PID:-}" ] && kill -0 "$CTD_PID" 2>/dev/null; then
		CTD_TIMEOUT=20
		for c in $(ctd container ls -q 2>/dev/null); do
			ctd task kill -s SIGKILL "$c" >/dev/null 2>&1 || true
			ctd task delete -f "$c" >/dev/null 2>&1 || true
			ctd container delete "$c" >/dev/null 2>&1 || true
		done
		CTD_TIMEOUT=60
		kill -TERM "$CTD_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$CTD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$CTD_PID" 2>/dev/null || true
		wait "$CTD_PID" 2>/dev/null || true
	fi
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		for p in $(ctd_shims); do kill -KILL "$p" 2>/dev/null || true; done
	fi
	if [ -n "${CT_CG:-}" ]; then "$CGCTL" delete -r --kill "$CT_CG" >/dev/null 2>&1 || true; fi
	ctu_teardown
	return 0
}

# ctd_assert_gone: after ctd_teardown: no daemon, no shim, no mount below
# $T, no cgroup of ours, no holder (the namespaces die with it: the
# daemon, shims and containers, its only other members, are gone), no
# process in a root below $T, no $T
ctd_assert_gone() {
	local h p
	! kill -0 "$CTD_PID" 2>/dev/null || fail "containerd ($CTD_PID) still runs"
	! kill -0 "$CTD_HOLD" 2>/dev/null || fail "the holder ($CTD_HOLD) still runs"
	for p in /proc/[0-9]*; do
		_ctd_is_ours "${p#/proc/}" && fail "process ${p#/proc/} of our daemon left: $(tr '\0' ' ' <"$p/cmdline")"
		case $(readlink "$p/root" 2>/dev/null)/ in
		"$T"/*) fail "process ${p#/proc/} left in a root below $T: $(tr '\0' ' ' <"$p/cmdline")" ;;
		esac
	done
	! grep -qF " $T" /proc/self/mountinfo || fail "a mount below $T left"
	while read -r h; do
		[ ! -d "$h$CT_CG" ] || fail "cgroup $h$CT_CG left"
	done < <(ct_hierarchies)
	[ ! -e "$T" ] || fail "$T left"
}
