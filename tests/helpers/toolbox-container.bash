# SPDX-License-Identifier: GPL-2.0-or-later
# The busybox container that nsenter-toolbox.bats debugs: made by the
# ctutils chain (unshare-lite + pivot onto ctu_make_rootfs), sleeping.

# toolbox_start_container [UNSHARE-LITE OPTION...] [-- PIVOT OPTION...]:
# starts it with its root in $T/root; sets $TARGET (its init, from
# --pidfile).  Waits until the init runs sleep inside the new root.
toolbox_start_container() {
	local ul=() pv=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		ul+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	pv=("$@")
	ctu_make_rootfs "$T/root"
	"$UNSHARE_LITE" -m -p -f --mount-proc "${ul[@]}" --pidfile "$T/container.pid" -- \
		"$PIVOT" "$T/root" --proc --dev "${pv[@]}" -- \
		/bin/env PATH=/bin:/ctu-container-path /bin/sleep 1000 </dev/null &
	ctu_cleanup_add pid "$!"
	ctu_wait_for_file "$T/container.pid" || fail "the container did not start"
	TARGET=$(cat "$T/container.pid")
	ctu_cleanup_add pid "$TARGET"
	for _ in $(seq 100); do
		[ "$(cat "/proc/$TARGET/comm" 2>/dev/null)" = sleep ] && return 0
		sleep 0.05
	done
	fail "the container's init never ran sleep"
}

# toolbox_mountinfo: the target's and our mountinfo, as text.
toolbox_mountinfo() {
	cat "/proc/$TARGET/mountinfo"
	echo ----
	cat /proc/self/mountinfo
}
