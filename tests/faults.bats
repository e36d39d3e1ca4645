#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults at every later step of the multi-step commands.  Each system call a
# command makes on its way (mkdir, mount, the new mount API, netlink sendmsg
# and recvmsg, cgroup writes, setns ...) is made to fail once from outside, with
# strace -e inject=SYSCALL:error=EIO:when=N, for N = 1, 2, ... until the
# command makes no Nth call.  Each time the command must either fail with one
# "TOOL: ..." line and leave nothing behind, or (when it can do without that
# call) succeed; the success is then undone for the next round.
#
# Not injected: the calls of the dynamic loader and libc's start (openat,
# mmap), and the calls that undo (umount2, rmdir, unlink, RTM_DELLINK), which
# cannot themselves be rolled back.  Natural faults -- an address the kernel
# rejects, a bridge name taken by a veth, a setting the kernel refuses, a
# target that exited -- are tested at the end.

load helpers

setup() {
	require_root
	require_cmd strace
	T=$(ctu_tmpdir)
	H=$(ctu_name fh)
	N2=$(ctu_name fn)
	CG=$(ctu_name flt)
}

teardown() {
	"$CGCTL" --self delete -r "$CG" >/dev/null 2>&1 || true
	ctu_teardown
}

netns_links() { ip -n "$1" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

# strace_verdict: what the strace log of the last round says, into four
# variables: injected (1 when a call was made to fail), execs (how many
# programs had been exec'd before it: the tool itself is the first, so 2 and
# more mean the injected call came after the program at the end of the chain
# was exec'd, and the tool's work was done), wrote (1 when the call that
# failed was the write of the message itself) and printed (1 when it was a
# write to standard output).  One awk for the four.
strace_verdict() {
	read -r injected execs wrote printed < <(awk '
		/execve\(.* = 0$|execve resumed>.* = 0$/ { if (!inj) n++ }
		/INJECTED/ { if (!inj) first = n; inj = 1 }
		/^[0-9]+ +write\(2, .*INJECTED/ { w = 1 }
		/^[0-9]+ +write\(1, .*INJECTED/ { p = 1 }
		END { print inj + 0, first + 0, w + 0, p + 0 }' "$BATS_TEST_TMPDIR/strace.log")
}

# inject TOOL UNDO SYSCALLS -- CMD...: the loop described above.  UNDO is a
# function that removes what a successful run made.  WATCH (a function) prints
# extra state to compare, such as the links of a namespace; UNDER is a command
# strace itself runs under (a private mount namespace); FROM the first N (past
# the dynamic loader's calls, see own_calls_from); ONE_LINE set: the error is
# exactly one line, with nothing after it; OUTPUT_LAST set: the command prints
# its result on standard output only when its work is done (a failure to
# print it is then not rolled back); ABORT_OK a regex of a library's own
# assertion message (SIGABRT, exit 134) that is not the tool's to fix, counted
# and reported, the state checked as for any failure.  Each round runs in
# the test's shell (no subshell, no `run`): the rounds are hundreds.
inject() {
	local tool=$1 undo=$2 syscalls=$3 sc n failed=() before= after= INJECTED=0 ABORTS=0 injected execs wrote printed
	local err=$BATS_TEST_TMPDIR/inject.err
	shift 4
	ctu_state_save "$T"
	[ -z "${WATCH:-}" ] || before=$($WATCH)
	for sc in ${syscalls//,/ }; do
		for ((n = ${FROM:-1}; n < ${FROM:-1} + 200; n++)); do
			status=0
			${UNDER:-} strace -f -qq -o "$BATS_TEST_TMPDIR/strace.log" -e trace="$sc,execve" \
				-e inject="$sc:error=EIO:when=$n" "$@" >"$BATS_TEST_TMPDIR/inject.out" 2>"$err" || status=$?
			# stderr and stderr_lines as bats's run --separate-stderr sets them
			read -d '' -r stderr <"$err" || true
			IFS=$'\n' read -d '' -r -a stderr_lines <<<"$stderr" || true
			strace_verdict
			[ "$injected" = 1 ] || { "$undo"; break; }
			INJECTED=$((INJECTED + 1))
			if [ "$status" -eq 0 ] || [ "$execs" -ge 2 ]; then
				"$undo" # it did without that call, or it hit the program at the end
			elif [ -n "${OUTPUT_LAST:-}" ] && [ "$printed" = 1 ]; then
				"$undo" # the result, printed when the work was done, did not get out
			elif [ "$wrote" = 1 ]; then
				: # the failed write was the message itself
			elif [ -n "${ABORT_OK:-}" ] && [ "$status" -eq 134 ] && [[ $stderr =~ $ABORT_OK ]]; then
				ABORTS=$((ABORTS + 1)) # a library's own assert (see ABORT_OK); the state is still checked
			elif [[ ${stderr_lines[0]:-} != "$tool: "* ]]; then
				failed+=("$sc #$n: exit $status, no '$tool:' line: ${stderr:0:200}")
			elif [ -n "${ONE_LINE:-}" ] && [ "${#stderr_lines[@]}" -ne 1 ]; then
				failed+=("$sc #$n: exit $status, not one line: ${stderr:0:300}")
			fi
			if [ -n "${WATCH:-}" ]; then
				after=$($WATCH)
				[ "$after" = "$before" ] || failed+=("$sc #$n: left behind: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -n 3 | tr '\n' ' ')")
			fi
			! ctu_state_changed ||
				failed+=("$sc #$n: left behind: $(grep -E '^[-+]' <<<"$CTU_STATE_DIFF" | head -n 3 | tr '\n' ' ')")
			[ ${#failed[@]} -lt 10 ] || break 2
		done
	done
	echo "# $tool: $INJECTED faults injected" >&3
	[ "${ABORTS:-0}" -eq 0 ] || echo "# $tool: $ABORTS of them ended in an assert the library makes itself (ABORT_OK)" >&3
	[ "$INJECTED" -gt 0 ] || fail "no fault was injected: is strace working?"
	[ ${#failed[@]} -eq 0 ] || fail "$(printf '%s\n' "${failed[@]}")"
}

# ---- ovlmount: --mkdir, a tmpfs upper, the fsconfig calls, the mount --------

undo_ovlmount() {
	"$OVLMOUNT" --umount "$T/m/merged" >/dev/null 2>&1 || true
	rm -rf "$T/m" "$T/upper" "$T/upper.work"
}

@test "ovlmount: a failure at any step of the mount rolls everything back" {
	mkdir -p "$T/l1" "$T/l2" "$T/l3"
	inject ovlmount undo_ovlmount mkdir,mkdirat,mount,fsopen,fsconfig,fsmount,move_mount,statfs -- \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" -l "$T/l3" -u "$T/upper" "$T/m/merged"
	inject ovlmount undo_ovlmount mkdir,mkdirat,mount,fsconfig,fsmount,move_mount -- \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" --tmpfs-upper "$T/m/merged"
}

@test "ovlmount: a failure in the legacy path (one mount(2) through /proc/self/fd) rolls back" {
	mkdir -p "$T/l1" "$T/l2"
	CTU_OVLMOUNT_LEGACY=1 inject ovlmount undo_ovlmount mkdir,mkdirat,mount,clone3,clone,wait4 -- \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" -u "$T/upper" "$T/m/merged"
}

# ---- ovlmount --image: the pull, the mount of an image, --commit -------------
# Each command's store and target layout live outside $T (the state check
# would count their lock files and a commit's unreferenced blobs, which may
# stay): WATCH compares what must not stay there instead -- layers/, tmp/,
# images/ and mounts/ of the store, the overlays in the mount namespace of the
# test (bound to a file, so it outlives each round), and the target layout's
# index.json and .tmp-* files.  What the layers hold: a directory, files, a
# symlink, an xattr, a whiteout and an opaque directory in the second.

# own_calls_from SYSCALL CMD...: the number of the first SYSCALL call CMD makes
# itself, past the dynamic loader's (library and ld.so.cache opens).
own_calls_from() {
	local sc=$1
	shift
	strace -f -qq -o "$BATS_TEST_TMPDIR/count.log" -e trace="$sc" "$@" >/dev/null 2>&1 || true
	awk '!/ld\.so\.cache|\.so[."]|\.so$|^[0-9]+ \+\+\+ exited/ { print NR; exit }' "$BATS_TEST_TMPDIR/count.log"
}

# image_fixture: $T/img, an OCI layout by umoci with ref v1 (two layers), and
# $T/img.tar, the same as an oci-archive; $S an empty store, $S.clean its copy.
image_fixture() {
	require_kernel_feature mountns overlay
	require_tool "$OVLMOUNT"
	require_cmd umoci skopeo setfattr
	umoci init --layout "$T/img"
	umoci new --image "$T/img:base"
	umoci unpack --image "$T/img:base" "$T/bundle" >/dev/null
	mkdir -p "$T/bundle/rootfs"/{etc,bin,opt/sub}
	echo host >"$T/bundle/rootfs/etc/hostname"
	printf '#!/bin/sh\n' >"$T/bundle/rootfs/bin/tool"
	chmod 0755 "$T/bundle/rootfs/bin/tool"
	ln -s hostname "$T/bundle/rootfs/etc/link"
	setfattr -n user.k -v v "$T/bundle/rootfs/etc/hostname"
	echo old >"$T/bundle/rootfs/opt/sub/old"
	umoci repack --image "$T/img:l1" "$T/bundle"
	rm -rf "$T/bundle"
	umoci unpack --image "$T/img:l1" "$T/bundle" >/dev/null
	rm "$T/bundle/rootfs/bin/tool"
	rm -rf "$T/bundle/rootfs/opt"
	mkdir -p "$T/bundle/rootfs/opt"
	echo new >"$T/bundle/rootfs/opt/new"
	umoci repack --image "$T/img:v1" "$T/bundle"
	rm -rf "$T/bundle"
	skopeo --insecure-policy copy -q "oci:$T/img:v1" "oci-archive:$T/img.tar:v1" >/dev/null
	S=$BATS_TEST_TMPDIR/store
	# an empty store: made by a pull, emptied by --store-rm and --store-prune
	"$OVLMOUNT" --store "$S" -q --pull-only --image "oci:$T/img:v1"
	"$OVLMOUNT" --store "$S" -q --store-rm "oci:$T/img:v1"
	"$OVLMOUNT" --store "$S" -q --store-prune >/dev/null
	cp -a "$S" "$S.clean"
}

# watch_store: what a failed pull, mount or commit must not leave.
watch_store() {
	local d
	for d in layers tmp images mounts; do
		find "$S/$d" -mindepth 1 -maxdepth 1 -printf "$d/%f\n"
	done | sort
	if [ -n "${NSF:-}" ]; then
		nsenter --mount="$NSF" awk -v t="$T" 'index($5, t) == 1 { print "mounted", $5 }' /proc/self/mountinfo
	fi
	if [ -n "${OUT:-}" ]; then
		# a failure leaves the layout as it was: its blobs too (the man page)
		sha256sum "$OUT/index.json"
		find "$OUT" -mindepth 1 | sort
	fi
}

undo_pull() {
	rm -rf "$S"
	cp -a "$S.clean" "$S"
}

pull_cmd() { cmd=("$OVLMOUNT" --store "$S" -q --pull-only --image "$@"); }

@test "ovlmount --pull-only: a failure at any step keeps no layer, no staging, no record" {
	image_fixture
	pull_cmd "oci:$T/img:v1"
	# the staging dir and the layer's dirs, the layer's files, the blob
	# (openat2 beneath the layout), the syncfs before the renames into
	# layers/, the fsync of layers/ and of the record, the record's rename
	ONE_LINE=1 WATCH=watch_store inject ovlmount undo_pull \
		mkdirat,renameat2,renameat,syncfs,fsync,openat2,write,pwrite64,fsetxattr,symlinkat,flock -- "${cmd[@]}"
}

@test "ovlmount --pull-only: a failure of any open keeps no layer, no staging, no record" {
	image_fixture
	pull_cmd "oci:$T/img:v1"
	FROM=$(own_calls_from openat "${cmd[@]}")
	undo_pull
	ONE_LINE=1 FROM=$FROM WATCH=watch_store inject ovlmount undo_pull openat -- "${cmd[@]}"
}

@test "ovlmount --pull-only of an archive: a failure at any step keeps no spooled member, no layer" {
	image_fixture
	pull_cmd "oci-archive:$T/img.tar:v1"
	ONE_LINE=1 WATCH=watch_store inject ovlmount undo_pull mkdirat,renameat2,renameat,syncfs,fsync,write,pwrite64,openat2 -- \
		"${cmd[@]}"
}

@test "ovlmount --pull-only of an archive: a failure of any open (the archive, its spool) keeps nothing" {
	image_fixture
	pull_cmd "oci-archive:$T/img.tar:v1"
	FROM=$(own_calls_from openat "${cmd[@]}")
	undo_pull
	ONE_LINE=1 FROM=$FROM WATCH=watch_store inject ovlmount undo_pull openat -- "${cmd[@]}"
}

# the mount namespace of the test, bound to $T/ns/mnt: each round's mount is
# seen there, and a lease of it stays live while the round's ovlmount is gone
mount_namespace() {
	mkdir -p "$T/ns"
	mount --bind "$T/ns" "$T/ns"
	mount --make-private "$T/ns"
	ctu_cleanup_add mount "$T/ns"
	touch "$T/ns/mnt"
	unshare --mount="$T/ns/mnt" --propagation private true
	NSF=$T/ns/mnt
}

undo_image_mount() {
	nsenter --mount="$NSF" "$OVLMOUNT" --store "$S" --umount "$T/m/merged" >/dev/null 2>&1 || true
	rm -rf "$T/m" "$T/upper" "$T/upper.work"
	rm -f "$S"/mounts/*.json
}

@test "ovlmount --image: a failure at any step of the mount leaves no mount, no lease, no directory" {
	image_fixture
	mount_namespace
	# the image in the store already: what is tested is the mount and its lease
	"$OVLMOUNT" --store "$S" -q --pull-only --image "oci:$T/img:v1"
	local cmd=("$OVLMOUNT" --store "$S" -q --image "oci:$T/img:v1" --mkdir -u "$T/upper" "$T/m/merged")
	UNDER="nsenter --mount=$NSF" ONE_LINE=1 WATCH=watch_store inject ovlmount undo_image_mount \
		mkdir,mkdirat,fsopen,fsconfig,fsmount,move_mount,statx,renameat,write,openat2,flock -- "${cmd[@]}"
	FROM=$(nsenter --mount="$NSF" bash -c "$(declare -f own_calls_from); own_calls_from openat \"\$@\"" - "${cmd[@]}")
	undo_image_mount
	UNDER="nsenter --mount=$NSF" ONE_LINE=1 FROM=$FROM WATCH=watch_store inject ovlmount undo_image_mount \
		openat -- "${cmd[@]}"
}

undo_commit() {
	rm -rf "$OUT"
	cp -a "$OUT.clean" "$OUT"
}

# commit_fixture: $T/upper as a container leaves it (a changed file, a
# whiteout, an opaque directory); $OUT a layout holding one image already (its
# index.json not empty), $OUT.clean its copy; cmd the commit onto oci:img:v1.
commit_fixture() {
	image_fixture
	mkdir -p "$T/upper/etc" "$T/upper/opt"
	echo changed >"$T/upper/etc/hostname"
	mknod "$T/upper/etc/link" c 0 0
	setfattr -n trusted.overlay.opaque -v y "$T/upper/opt"
	echo fresh >"$T/upper/opt/fresh"
	OUT=$BATS_TEST_TMPDIR/out
	skopeo --insecure-policy copy -q "oci:$T/img:l1" "oci:$OUT:old" >/dev/null
	cp -a "$OUT" "$OUT.clean"
	cmd=("$OVLMOUNT" --commit "$T/upper" --from "${1:-oci:$T/img:v1}" --to "oci:$OUT:new" --mtime 0)
}

@test "ovlmount --commit: a failure at any step leaves the target layout as it was: index.json, no new or .tmp-* blob" {
	commit_fixture
	# the blobs (written beside their names, fsync'd, renamed), the base's
	# blobs copied (openat2 beneath the base), index.json last; the digest is
	# printed after the commit point
	TMPDIR=$T OUTPUT_LAST=1 ONE_LINE=1 WATCH=watch_store inject ovlmount undo_commit \
		renameat2,renameat,fsync,write,mkdirat,openat2,getdents64 -- "${cmd[@]}"
}

@test "ovlmount --commit: a failure of any open leaves the target layout as it was" {
	commit_fixture
	FROM=$(own_calls_from openat "${cmd[@]}")
	undo_commit
	TMPDIR=$T OUTPUT_LAST=1 ONE_LINE=1 FROM=$FROM WATCH=watch_store inject ovlmount undo_commit openat -- "${cmd[@]}"
}

@test "ovlmount --commit onto an archive base: a failure at any step leaves the target as it was, no spool" {
	commit_fixture "oci-archive:$T/img.tar:v1"
	# the base's layers spooled below $TMPDIR ($T: the state check sees them)
	TMPDIR=$T OUTPUT_LAST=1 ONE_LINE=1 WATCH=watch_store inject ovlmount undo_commit \
		renameat2,renameat,fsync,write,mkdirat,openat -- "${cmd[@]}"
}

# ---- pivot: mounts, directories, a symlink, the pivot itself ---------------

undo_pivot() { rm -rf "$ROOT/a" "$ROOT/data" "$ROOT/lnk"; }

@test "pivot: a failure at any step of the setup removes what it made in the new root" {
	ROOT=$T/root
	ctu_make_rootfs "$ROOT"
	mkdir -p "$T/src"
	UNDER="unshare -m --propagation private" \
		inject pivot undo_pivot mount,fsopen,fsconfig,fsmount,move_mount,open_tree,mount_setattr,mkdirat,symlinkat,openat2,pivot_root,chdir,chroot -- \
		"$PIVOT" "$ROOT" --proc --dev --tmpfs /tmp \
		--mkdir /a/b --bind "$T/src:/data" --symlink /a:/lnk --readonly -- /bin/true
}

# ---- cgctl: a tree of cgroups with settings, in every hierarchy -------------

undo_cgctl() { "$CGCTL" --self delete -r "$CG" >/dev/null 2>&1 || true; }

@test "cgctl create: a failure at any step removes the cgroups it made" {
	inject cgctl undo_cgctl mkdir,mkdirat,write,statfs -- \
		"$CGCTL" --self create "$CG/a/b" --memory 64M --pids 64 --cpus 0.5 --cpu-weight 200
}

@test "cgctl exec: a failure at any step removes the cgroup and runs nothing" {
	inject cgctl undo_cgctl mkdir,mkdirat,write -- \
		"$CGCTL" --self exec "$CG/x" --memory 64M --pids 64 -- true
}

# ---- vethctl: pairs, bridges, addresses, across namespaces ------------------

undo_veth() { ip -n "$H" link del ve0 >/dev/null 2>&1 || true; }
watch_veth() { netns_links "$H"; netns_links "$N2"; ip -n "$H" -o addr show | awk '{ print $2, $4 }'; }

veth_namespaces() {
	ip netns add "$H"
	ctu_cleanup_add netns "$H"
	ip netns add "$N2"
	ctu_cleanup_add netns "$N2"
	ip -n "$H" link add br0 type bridge
}

@test "vethctl add: a failure at any netlink step deletes the pair" {
	veth_namespaces
	WATCH=watch_veth inject vethctl undo_veth sendmsg,recvmsg,socket,setns,bind -- \
		"$VETHCTL" --netns "$H" add ve0 --peer-netns "$N2" --bridge br0 \
		--addr 10.55.0.1/24 --peer-addr 10.55.0.2/24 --mtu 1400
}

@test "vethctl connect: a failure at any step unplugs the container again" {
	veth_namespaces
	ip -n "$H" addr add 10.56.0.1/24 dev br0
	ip -n "$H" link set br0 up
	undo_connect() { "$VETHCTL" --netns "$H" disconnect "$N2" >/dev/null 2>&1 || true; }
	WATCH=watch_veth inject vethctl undo_connect sendmsg,recvmsg,setns -- \
		"$VETHCTL" --netns "$H" connect "$N2" --bridge br0 --addr 10.56.0.2/24 --host-name ve1
}

# ---- vethctl nat and publish: the nftables transaction, the sysctls after it -
# libnftables asks for its cache with sendto and recvmsg on a NETLINK_NETFILTER
# socket and commits the whole batch in one sendmsg, whose answer is read by
# recvmsg; the context lives on a thread setns()ed into NS; the sysctls
# (route_localnet, ip_forward) are writes after the commit, and a failed one
# removes the new elements in a second transaction.  What must be as before
# after a failure: the table (without handles), route_localnet of br0 and the
# links.

nat_namespace() {
	require_cmd nft jq
	veth_namespaces
	ip -n "$H" addr add 10.57.0.1/24 dev br0
	ip -n "$H" link set br0 up
	# a table already there, with a mapping that needs no route_localnet
	"$VETHCTL" --netns "$H" publish 10.57.0.1:9999:10.57.0.9:99 >/dev/null 2>&1 ||
		fail "vethctl publish does not work"
}

# libnftables 1.0.6 asserts when a recvmsg of its cache dump fails halfway
# (`nft list ruleset` aborts the same way under this injection): before any
# commit, so nothing may have changed, which is still checked.
# Only libnftables' own files (none of them a file of vethctl's):
NFT_ASSERTS=": (expression|rule|evaluate|netlink|netlink_delinearize|mnl|cache|datatype|segtree|intervals)\.c:[0-9]+: [a-z_]+: Assertion"

watch_nat() {
	ip netns exec "$H" nft -j list table inet ctutils 2>/dev/null |
		jq -cS 'del(.nftables[0]) | walk(if type == "object" then del(.handle) | (if (.elem | type) == "array" then .elem |= sort else . end) else . end)'
	ip netns exec "$H" sysctl -n net.ipv4.conf.br0.route_localnet
	netns_links "$H"
	netns_links "$N2"
}

@test "vethctl publish: a failure at any step of the transaction or the sysctls after it changes nothing" {
	nat_namespace
	undo_publish() { "$VETHCTL" --netns "$H" unpublish 8080 5353/udp >/dev/null 2>&1 || true; }
	ABORT_OK=$NFT_ASSERTS WATCH=watch_nat inject vethctl undo_publish sendmsg,recvmsg,sendto,setns,flock,write,socket -- \
		"$VETHCTL" --netns "$H" publish 8080:10.57.0.2:80 5353:10.57.0.2:53/udp
}

@test "vethctl unpublish and nat add|del: a failure at any step changes nothing" {
	nat_namespace
	"$VETHCTL" --netns "$H" publish 8080:10.57.0.2:80 5353:10.57.0.2:53/udp
	redo_publish() { "$VETHCTL" --netns "$H" publish 8080:10.57.0.2:80 5353:10.57.0.2:53/udp >/dev/null 2>&1 || true; }
	ABORT_OK=$NFT_ASSERTS WATCH=watch_nat inject vethctl redo_publish sendmsg,recvmsg,sendto,setns,write -- \
		"$VETHCTL" --netns "$H" unpublish 8080 5353/udp
	undo_nat() { "$VETHCTL" --netns "$H" nat del 10.57.0.0/24 >/dev/null 2>&1 || true; }
	ABORT_OK=$NFT_ASSERTS WATCH=watch_nat inject vethctl undo_nat sendmsg,recvmsg,sendto,setns,write -- \
		"$VETHCTL" --netns "$H" nat add 10.57.0.0/24
}

@test "vethctl connect --publish --nat: a failure at any step deletes the pair and adds no element" {
	nat_namespace
	undo_connect() { "$VETHCTL" --netns "$H" disconnect "$N2" >/dev/null 2>&1 || true; }
	ABORT_OK=$NFT_ASSERTS WATCH=watch_nat inject vethctl undo_connect sendmsg,recvmsg,sendto,setns,write -- \
		"$VETHCTL" --netns "$H" connect "$N2" --bridge br0 --addr 10.57.0.2/24 --host-name ve1 \
		--publish 8080:80 --publish 5353:53/udp --nat
}

# ---- unshare-lite: persistent namespaces bound to files ---------------------

undo_unshare() {
	local f
	rm -f "$T/ns/pid"
	for f in "$T/ns/net" "$T/ns/uts" "$T/ns/ipc" "$T/ns/time"; do
		while umount "$f" >/dev/null 2>&1; do :; done
		rm -f "$f"
	done
}

@test "unshare-lite: a failure while binding namespaces to files removes them all" {
	mkdir -p "$T/ns"
	mount --bind "$T/ns" "$T/ns"
	mount --make-private "$T/ns"
	ctu_cleanup_add mount "$T/ns"
	# sethostname fails inside, after the namespaces were bound from outside;
	# setns is the entry into the new time namespace
	inject unshare-lite undo_unshare mount,unshare,clone3,sethostname,setns,pipe2,wait4 -- \
		"$UNSHARE_LITE" --net="$T/ns/net" --uts="$T/ns/uts" --ipc="$T/ns/ipc" --hostname box \
		--boottime 100 -- true
	inject unshare-lite undo_unshare mount,clone3,sethostname,setns,pipe2,wait4 -- \
		"$UNSHARE_LITE" -f --net="$T/ns/net" --uts="$T/ns/uts" --ipc="$T/ns/ipc" --time="$T/ns/time" \
		--boottime 100 --hostname box --pidfile "$T/ns/pid" -- true
	# and a program that cannot be run: the namespaces are not kept for it
	run -127 "$UNSHARE_LITE" -f --net="$T/ns/net" --uts="$T/ns/uts" -- "$T/no-such-program"
	run -127 "$UNSHARE_LITE" --net="$T/ns/net" --uts="$T/ns/uts" -- "$T/no-such-program"
	assert_state_unchanged
}

# ---- nsenter-lite: every way into the target can fail -----------------------

undo_entered() { rm -f "$T/entered"; }

@test "nsenter-lite: a failure entering any namespace enters none and runs nothing" {
	"$UNSHARE_LITE" -mnuip -f --pidfile "$T/pid" sleep 600 >/dev/null 2>&1 3>&- &
	local parent=$!
	ctu_cleanup_add pid "$parent"
	ctu_wait_for_file "$T/pid"
	local target
	target=$(cat "$T/pid")
	ctu_cleanup_add pid "$target"
	inject nsenter-lite undo_entered pidfd_open,setns,pidfd_send_signal,clone3 -- \
		"$NSENTER_LITE" -t "$target" -a touch "$T/entered"
	# (not openat: the loader's own come first, and a sanitizer build hangs
	# when one of its libraries fails to open)
	CTU_NSENTER_NO_PIDFD=1 inject nsenter-lite undo_entered setns,clone3 -- \
		"$NSENTER_LITE" -t "$target" -a touch "$T/entered"
	kill -KILL "$target"
	wait "$parent" || true
}

# ---- natural faults: the kernel says no in the middle of a command ----------

@test "vethctl: an address the kernel rejects, a bridge name taken by a veth: rolled back" {
	veth_namespaces
	ip -n "$H" link add taken type veth peer name takenp
	local before
	before=$(watch_veth)
	# the loopback address on a veth: refused once the pair is already made
	run -1 "$VETHCTL" --netns "$H" add ve0 --addr ::1/128
	assert_output --regexp '^vethctl: .*::1'
	run -1 "$VETHCTL" --netns "$H" add ve0 --bridge taken
	assert_output --regexp '^vethctl: .*taken.*not a bridge'
	run -1 "$VETHCTL" --netns "$H" bridge add taken
	assert_output --partial "taken"
	[ "$(watch_veth)" = "$before" ]
}

@test "cgctl: a setting the kernel refuses removes the cgroups made for it" {
	ctu_state_save
	run -1 "$CGCTL" --self create "$CG/a" --cpuset 4000-4001
	assert_output --regexp "^cgctl: .*cpuset"
	assert_state_unchanged
}

@test "ovlmount: a layer removed while the mount is set up: clear error, nothing left" {
	mkdir -p "$T/l1" "$T/l2"
	ctu_state_save "$T"
	# the layer goes between the checks and the mount: make fsconfig see ENOENT
	# at the first layer (the calls before it: the legacy probe, "source")
	run -1 strace -f -qq -o /dev/null -e trace=fsconfig -e inject=fsconfig:error=ENOENT:when=3 \
		"$OVLMOUNT" --mkdir -l "$T/l1:$T/l2" -u "$T/upper" "$T/m/merged"
	assert_line --regexp '^ovlmount: lower layer .*: No such file or directory'
	assert_state_unchanged
}
