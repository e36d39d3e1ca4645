#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ovlmount --image and its store (images.md): every source form of one umoci
# image gives the same chain IDs and the same flattened view as `umoci
# unpack`; hostile layers and JSON are refused with nothing kept; pulls are
# all-or-nothing and race-free; prune keeps what a mount uses; --commit
# writes what skopeo and umoci read back; --image-config agrees with
# `skopeo inspect --config`.
#
# Each test runs in a private mount namespace with the store in its temp dir.
# The same tests run rootless as tests/images-rootless.bats (a symlink to
# this file; CTU_IMAGES_ROOTLESS=1 does the same): in a user namespace made by
# `unshare-lite -U --map-auto -S 0 -G 0 -m` as images.md says, its range
# ROOTLESS_BASE:ROOTLESS_COUNT from a subuid/subgid pair shown over /etc by a
# read-only overlay in a mount namespace of the test's own (root has no
# /etc/subuid entry here, and the machine's /etc stays as it is): a "user"
# store, userxattr, no device nodes (warned; umoci's view is compared
# without them, and they must be absent).  Tests whose subject is one of
# the two modes say so and skip in the other.

load helpers
source "$CTU_ROOT/tests/helpers/mkimage.bash"

# The ids a rootless run maps (what --map-auto takes from a subuid range).
ROOTLESS_BASE=200000
ROOTLESS_COUNT=65536
case ${BATS_TEST_FILENAME##*/} in *-rootless.bats) CTU_IMAGES_ROOTLESS=1 ;; esac

setup_file() {
	# fixtures are built by umoci as root, once for the file
	[ "$(id -u)" -eq 0 ] || return 0
	command -v umoci >/dev/null && command -v skopeo >/dev/null && command -v python3 >/dev/null || return 0
	F=$BATS_FILE_TMPDIR/img
	# umoci's rootfs and the rootless stores hold user.* xattrs
	if ! setfattr -n user.ctu-probe -v 1 "$BATS_FILE_TMPDIR" 2>/dev/null; then
		echo "# images.bats: no user.* xattrs in $BATS_FILE_TMPDIR (tmpfs has them from Linux 6.6): set TMPDIR to a directory on a disk" >&3
		return 1
	fi
	setfattr -x user.ctu-probe "$BATS_FILE_TMPDIR"
	mkimage_all "$F" >"$BATS_FILE_TMPDIR/mkimage.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/mkimage.log" >&3
		return 1
	}
	# readable by a rootless run's ids; the bundles (umoci's view) untouched
	chmod go+rx "$BATS_FILE_TMPDIR" "$F"
	chmod -R go+rX "$F"/oci "$F"/zstd "$F"/multi "$F"/*.tar "$F"/*.tar.gz
	chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR"/.. 2>/dev/null || true
	# what --map-auto reads in a rootless run (in_ns shows it over /etc)
	mkdir -p "$BATS_FILE_TMPDIR/subids"
	echo "root:$ROOTLESS_BASE:$ROOTLESS_COUNT" >"$BATS_FILE_TMPDIR/subids/subuid"
	echo "root:$ROOTLESS_BASE:$ROOTLESS_COUNT" >"$BATS_FILE_TMPDIR/subids/subgid"
}

rootless() {
	[ "${CTU_IMAGES_ROOTLESS:-0}" = 1 ]
}

setup() {
	require_root
	require_kernel_feature overlay mountns
	require_tool "$OVLMOUNT" "$UNSHARE_LITE"
	require_cmd umoci skopeo python3 jq setfattr getfattr setcap zstd
	F=$BATS_FILE_TMPDIR/img
	[ -e "$F/.copies-done" ] || fail "the fixtures were not built (see $BATS_FILE_TMPDIR/mkimage.log)"
	T=$(ctu_tmpdir)
	S=$T/store
	mkdir -p "$T/m" "$T/canary"
	echo canary >"$T/canary/file"
	if rootless; then
		require_kernel_feature userns
		# the namespace's root must make the store and upper dirs here
		chown "$ROOTLESS_BASE:$ROOTLESS_BASE" "$T" "$T/m"
	fi
	ETC_PASSWD_BEFORE=$(stat -c '%h %s %Y' /etc/passwd)
}

teardown() {
	local enc
	enc=$(sed 's/_/_5f/g; s|/|_|g' <<<"$T")
	rmdir /run/ctutils/ovlmount/"$enc"_* 2>/dev/null || true
	ctu_teardown
}

# in_ns SCRIPT: bash -e in a private mount namespace (and, rootless, a user
# namespace), with $O set to ovlmount and $TS to treesum.
in_ns() {
	if rootless; then
		# the subuid/subgid files over /etc in a mount namespace of their
		# own; the user and mount namespace of the script inside it
		O=$OVLMOUNT TS=$TREESUM "$UNSHARE_LITE" -m -- sh -ec '
			mount -t overlay -o "ro,lowerdir=$1:/etc" ctu-subids /etc
			shift
			exec "$@"' sh "$BATS_FILE_TMPDIR/subids" \
			"$UNSHARE_LITE" -U --map-auto -S 0 -G 0 -m -- bash -ec "$1"
	else
		O=$OVLMOUNT TS=$TREESUM "$UNSHARE_LITE" -m -- bash -ec "$1"
	fi
}

# in_userns MAPBASE SCRIPT: as in_ns, in a user namespace mapping 0 to MAPBASE.
in_userns() {
	O=$OVLMOUNT "$UNSHARE_LITE" -U --map-users="0:$1:$ROOTLESS_COUNT" \
		--map-groups="0:$1:$ROOTLESS_COUNT" -S 0 -G 0 -m -- bash -ec "$2"
}

# pull SRC [ARGS...]: --pull-only into $S, quiet.
pull() {
	local src=$1
	shift
	in_ns "\$O --store '$S' -q --pull-only --image '$src' $*"
}

# The chain IDs of SRC's layers, top first, from --print-layers.
chain_ids_of() {
	in_ns "\$O --store '$1' -q --pull-only --image '$2' --print-layers" |
		sed -n 's|^.*/layers/\([0-9a-f]\{64\}\)/root$|\1|p'
}

# treesum's options for ovlmount's view (VIEW_ARGS) and for umoci's
# (ORACLE_ARGS): rootless, umoci's devices are left out of its view only,
# so that the diff also checks they are absent from ours.
VIEW_ARGS=("${TREESUM_SKIP[@]}")
ORACLE_ARGS=("${TREESUM_SKIP[@]}")
if rootless; then ORACLE_ARGS+=(--exclude /dev/null0 --exclude /dev/loop9); fi

# The flattened view umoci unpacked (REF of the umoci fixture).
umoci_view() {
	"$TREESUM" "$F/bundle-$1/rootfs" "${ORACLE_ARGS[@]}"
}

# The view of SRC mounted by ovlmount (a store of its own unless $2); its
# warnings on stderr (run --separate-stderr keeps them apart).
merged_view() {
	local store=${2:-$T/s.$RANDOM}
	in_ns "\$O --store '$store' -q --image '$1' --tmpfs-upper '$T/m'
		\"\$TS\" '$T/m' ${VIEW_ARGS[*]}"
}

# assert_devices_warned [0]: the stderr of a run --separate-stderr that
# unpacked the fixture's first layer (v1's, with /dev/null0 and /dev/loop9)
# under -q: rootless the one warning for them, as root nothing; with 0 (the
# layer was in the store already) nothing in either mode.
assert_devices_warned() {
	local re='^ovlmount: layer 1/[0-9]+ sha256:[0-9a-f]{12}: skipped 2 device nodes: making them needs CAP_MKNOD$'
	if rootless && [ "${1:-1}" = 1 ]; then
		[[ $stderr =~ $re ]] || fail "not the rootless device warning alone: '$stderr'"
	else
		[ -z "$stderr" ] || fail "a warning where none was due: $stderr"
	fi
}

# ChainID(L0..n) from a config's diff_ids (image-spec), top first, as printf | sha256sum.
chain_ids_from_config() {
	local chain="" d
	for d in $(jq -r '.rootfs.diff_ids[]' "$1"); do
		if [ -z "$chain" ]; then chain=$d; else
			chain=sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -d' ' -f1)
		fi
		echo "${chain#sha256:}"
	done | tac
}

config_of() {	# LAYOUT REF: the config blob's path
	local m
	m=$(jq -r --arg r "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' "$1/index.json")
	echo "$1/blobs/sha256/$(jq -r '.config.digest[7:]' "$1/blobs/sha256/${m#sha256:}")"
}

manifest_of() {	# LAYOUT REF: the manifest digest
	jq -r --arg r "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' "$1/index.json"
}

# ---------------------------------------------------------------------------
# Sources

@test "sources: oci, oci-archive, docker-archive (old, 25+, gzipped) and zstd layers give the same chain IDs" {
	# not i: bats 1.8.2's run with flags sets the caller's i (bats_version_lt)
	local want src nth=0
	want=$(chain_ids_from_config "$(config_of "$F/oci" img)")
	[ "$(wc -l <<<"$want")" -eq 4 ]
	for src in "oci:$F/oci:img" "oci-archive:$F/img.oci.tar:img" \
		"docker-archive:$F/img.d.tar:ctu/img:v1" "docker-archive:$F/img.d.tar" \
		"docker-archive:$F/img.d.tar.gz" "docker-archive:$F/img.d25.tar" \
		"docker-archive:$F/img.d25.tar:ctu/img:v1" "oci:$F/zstd:img"; do
		nth=$((nth + 1))
		run --separate-stderr chain_ids_of "$T/s$nth" "$src"
		assert_success
		[ "$output" = "$want" ] || fail "$src: chain IDs $output, want $want"
		assert_devices_warned || fail "$src: the warnings"
		# a store holds what it pulled: a second pull into one store is a hit
		run --separate-stderr chain_ids_of "$T/s1" "$src"
		[ "$output" = "$want" ] || fail "$src into the first store: $output"
		assert_devices_warned 0
	done
	[ "$(find "$T/s1/layers" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 4 ]
	[ "$(ls -d "$T"/s[0-9]* | wc -l)" -eq 8 ]
}

@test "sources: every form mounts the view umoci unpacks" {
	local want src
	want=$(umoci_view img)
	for src in "oci:$F/oci:img" "oci-archive:$F/img.oci.tar:img" \
		"docker-archive:$F/img.d.tar:ctu/img:v1" "docker-archive:$F/img.d.tar.gz" \
		"docker-archive:$F/img.d25.tar" "oci:$F/zstd:img"; do
		run --separate-stderr merged_view "$src"
		assert_success
		diff -u <(echo "$want") <(echo "$output") || fail "$src: the merged view differs from umoci's"
		assert_devices_warned
	done
}

@test "merged view = umoci's at each step: files, links, devices, setuid, setcap, xattrs, whiteouts, opaque, remade, implied, duplicates" {
	local ref
	for ref in v1 v2 v3 img; do
		run --separate-stderr merged_view "oci:$F/oci:$ref" "$T/store"
		assert_success
		diff -u <(umoci_view "$ref") <(echo "$output") || fail "oci:$ref: the merged view differs from umoci's"
		# v1's layer is unpacked once, for v1; the others find it stored
		assert_devices_warned "$([ "$ref" = v1 ] && echo 1 || echo 0)"
	done
	# what the fixture must have shown, so that the comparisons meant something
	run --separate-stderr merged_view "oci:$F/oci:img" "$T/store"
	assert_devices_warned 0
	assert_line --regexp '^/bin/suid f 4755 0 0 '
	assert_line --regexp '^/bin/capped f .* security\.capability='
	assert_line --regexp '^/srv/www d 0750 1000 2000 mtime=1234567890 user\.dir=796573$'
	assert_line --regexp '^/run/fifo p '
	assert_line --regexp '^/etc/rel-link l 0777 0 0 -> hostname mtime=1000000000$'
	assert_line 'hardlink /data/h1 /data/h2 /etc/h3'
	assert_line --regexp '^/dup f 0600 .*'
	assert_line --regexp '^/dupdir d 0755 0 0 mtime=7$'
	assert_line --regexp '^/was-file d '
	assert_line --regexp '^/newtop/sub/file f '
	assert_line --regexp '^/opt/fresh/file f '
	refute_line --regexp '^/(gone|old|opt/keep|opt/lower|remade/file|remade/inner|remade2/old)( |/)'
	assert_line --regexp '^/remade2/new f '
	if rootless; then
		refute_line --regexp '^/dev/(null0|loop9) '
	else
		assert_line --regexp '^/dev/null0 c 0644 0 0 rdev=1:3 '
		assert_line --regexp '^/dev/loop9 b 0644 0 0 rdev=7:9 '
	fi
	# the implied directories no layer has: 0755 0:0 mtime 0
	run in_ns "\$O --store '$T/store' -q --image 'oci:$F/oci:img' --tmpfs-upper '$T/m'; stat -c '%a %u:%g %Y' '$T/m/newtop' '$T/m/newtop/sub'"
	assert_success
	assert_output "$(printf '755 0:0 0\n755 0:0 0')"
	# a lower directory removed and remade in the tmpfs upper: a whiteout,
	# then an opaque xattr, user.* rootless, which tmpfs has from Linux 6.6
	# (before, a rootless --tmpfs-upper must be refused saying so)
	run in_ns "\$O --store '$T/store' -q --image 'oci:$F/oci:img' --tmpfs-upper '$T/m' || exit 3
		rm -rf '$T/m/srv' && mkdir '$T/m/srv' && touch '$T/m/srv/new' && ls -A '$T/m/srv'"
	if [ "$status" -eq 3 ] && rootless; then
		assert_output --partial "needs Linux 6.6"
	else
		assert_success
		assert_output new
	fi
}

@test "devices made as root, skipped with a count rootless; ids not mapped here stored as 0:0, warned" {
	local dev
	run --separate-stderr in_ns "\$O --store '$S' --pull-only --image 'oci:$F/oci:v1'"
	assert_success
	dev=$(ls -d "$S"/layers/*/root/dev)
	if rootless; then
		[ "${#stderr_lines[@]}" -eq 2 ] || fail "not two lines: $stderr"
		[[ ${stderr_lines[0]} =~ ^ovlmount:\ layer\ 1/1\ sha256:[0-9a-f]{12}:\ skipped\ 2\ device\ nodes:\ making\ them\ needs\ CAP_MKNOD$ ]] ||
			fail "not the device warning: ${stderr_lines[0]}"
		[ ! -e "$dev/null0" ] && [ ! -e "$dev/loop9" ]
	else
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "not one line: $stderr"
		[ "$(stat -c '%F %t:%T' "$dev/null0" "$dev/loop9")" = "$(printf 'character special file 1:3\nblock special file 7:9')" ]
	fi
	[[ ${stderr_lines[-1]} =~ ^ovlmount:\ layer\ 1/1\ sha256:[0-9a-f]{12}:\ [0-9.]+\ MiB\ in\ [0-9.]+\ s$ ]] ||
		fail "not the layer's line: ${stderr_lines[-1]}"
	"$CTU_ROOT/tests/helpers/mklayer.py" "$T/far" --ref r --layer '[{"name": "far", "uid": 100000, "gid": 100000}, {"name": "near", "uid": 5}]' >/dev/null
	run --separate-stderr in_ns "\$O --store '$S' -q --pull-only --image 'oci:$T/far:r'"
	assert_success
	if rootless; then
		[[ $stderr =~ ^ovlmount:\ layer\ 1/1\ sha256:[0-9a-f]{12}:\ 1\ entries\ with\ ids\ not\ mapped\ here\ stored\ as\ 0:0:\ map\ more\ ids\ \(unshare-lite\ --map-auto\)$ ]] ||
			fail "not the unmapped-ids warning: $stderr"
		# as the host sees them: 0 and 5 in the namespace
		[ "$(stat -c '%u:%g' "$S"/layers/*/root/far "$S"/layers/*/root/near)" = "$(printf '%s\n' "$ROOTLESS_BASE:$ROOTLESS_BASE" "$((ROOTLESS_BASE + 5)):$ROOTLESS_BASE")" ]
	else
		[ -z "$stderr" ] || fail "a warning where none was due: $stderr"
		[ "$(stat -c '%u:%g' "$S"/layers/*/root/far "$S"/layers/*/root/near)" = "$(printf '100000:100000\n5:0')" ]
	fi
}

@test "sources: REF, @N, the only entry, latest, and several named in the error" {
	local mk=$CTU_ROOT/tests/helpers/mklayer.py
	run in_ns "\$O --image-config 'oci:$F/oci:@4' -J"
	assert_success
	[ "$(jq -r .manifest <<<"$output")" = "$(manifest_of "$F/oci" img)" ]
	run in_ns "\$O --image-config 'oci:$F/oci:v2' -J"
	[ "$(jq -r .manifest <<<"$output")" = "$(manifest_of "$F/oci" v2)" ]
	# several and no latest: an error listing the names
	run -1 in_ns "\$O --image-config 'oci:$F/oci'"
	assert_output --partial "ovlmount: oci:$F/oci: "
	for r in base v1 v2 v3 img; do assert_output --partial "$r"; done
	# the only entry
	mkimage_tiny "$T" 1
	run in_ns "\$O --image-config 'oci:$T/tiny1' -J"
	assert_success
	[ "$(jq -r .manifest <<<"$output")" = "$(manifest_of "$T/tiny1" n1)" ]
	# latest among several
	"$mk" "$T/two" --ref other --layer '[{"name": "other"}]' >/dev/null
	latest=$("$mk" "$T/two" --ref latest --layer '[{"name": "latest"}]')
	run in_ns "\$O --image-config 'oci:$T/two' -J"
	[ "$(jq -r .manifest <<<"$output")" = "$latest" ]
	run -1 in_ns "\$O --image-config 'oci:$T/two:nope'"
	assert_output --partial "no image named 'nope'"
	run -1 in_ns "\$O --image-config 'oci:$T/two:@7'"
	assert_output --partial "@7"
	# docker-archive: a REPO:TAG as docker normalizes it, and one that is not there
	run in_ns "\$O --image-config 'docker-archive:$F/img.d.tar:docker.io/ctu/img:v1' -J"
	assert_success
	run -1 in_ns "\$O --image-config 'docker-archive:$F/img.d.tar:ctu/img:v2'"
	assert_output --partial "ctu/img:v2"
}

@test "sources: other transports are usage errors with skopeo's hint; no manifest.json refused" {
	run -2 "$OVLMOUNT" --image-config docker://busybox
	assert_output --partial "skopeo copy SRC oci:DIR:REF"
	run -2 "$OVLMOUNT" --image-config containers-storage:busybox
	assert_output --partial "skopeo copy SRC oci:DIR:REF"
	# docker < 1.10: no manifest.json
	python3 -c "import tarfile; tarfile.open('$T/old.tar', 'w').close()"
	run -1 "$OVLMOUNT" --image-config "docker-archive:$T/old.tar"
	assert_output --partial "manifest.json"
}

@test "two platforms: the host's picked, --platform the other, an absent one lists both" {
	local host
	case $(uname -m) in x86_64) host=amd ;; aarch64) host=arm ;; *) skip "the fixture has amd64 and arm64" ;; esac
	run in_ns "\$O --image-config 'oci:$F/multi:multi' -J"
	assert_success
	[ "$(jq -r .manifest <<<"$output")" = "$(cat "$F/multi/$host.digest")" ]
	run in_ns "\$O --image-config 'oci:$F/multi:multi' --platform linux/arm64 -J"
	assert_success
	[ "$(jq -r .manifest <<<"$output")" = "$(cat "$F/multi/arm.digest")" ]
	[ "$(jq -r .platform <<<"$output")" = linux/arm64 ]
	run --separate-stderr in_ns "\$O --store '$S' -q --pull-only --platform linux/arm64 --image 'oci:$F/multi:multi' --print-layers"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	assert_devices_warned
	run -1 in_ns "\$O --image-config 'oci:$F/multi:multi' --platform linux/s390x"
	# images.md: "…: choose one with --platform"; docs/design.md's errors put a hint in ( )
	assert_output --regexp "no manifest for linux/s390x \(has: linux/amd64, linux/arm64\)(: | \()choose one with --platform"
	run -2 "$OVLMOUNT" --image-config "oci:$F/multi:multi" --platform linux
}

@test "128 and 500 layers mount; 501 refused; 500 with one -l over the kernel's limit" {
	local n
	for n in 128 500 501; do mkimage_tiny "$F" "$n"; done
	run in_ns "\$O --store '$S' -q --image 'oci:$F/tiny128' --tmpfs-upper '$T/m'; cat '$T/m/f0' '$T/m/f127'"
	assert_success
	assert_output "$(printf '0\n127')"
	run in_ns "\$O --store '$S' -q --image 'oci:$F/tiny500' --tmpfs-upper '$T/m'; cat '$T/m/f0' '$T/m/f499'; ls '$T/m' | wc -l"
	assert_success
	assert_output "$(printf '0\n499\n500')"
	ctu_state_save "$T"
	run -1 in_ns "\$O --store '$S' -q --image 'oci:$F/tiny501' --tmpfs-upper '$T/m'"
	assert_output --partial "501"
	assert_output --partial "500"
	assert_state_unchanged
	mkdir "$T/extra"
	run -1 in_ns "\$O --store '$S' -q --image 'oci:$F/tiny500' -l '$T/extra' --tmpfs-upper '$T/m'"
	assert_output --partial "image has 500 layers, with -l 501: overlayfs stacks at most 500"
}

@test "one layer without an upper mounts read-only (the store's empty/ below it); nodev" {
	mkimage_tiny "$F" 1
	run in_ns "\$O --store '$S' -q --image 'oci:$F/tiny1' '$T/m'
		cat '$T/m/f0'; touch '$T/m/x' 2>&1 || true
		findmnt -n -o OPTIONS '$T/m'"
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --partial "Read-only file system"
	assert_line --index 2 --regexp '(^|,)nodev(,|$)'
	assert_line --index 2 --partial "$S/empty"
	run in_ns "\$O --store '$S' -q --image 'oci:$F/tiny1' -r --tmpfs-upper '$T/m'; touch '$T/m/x' 2>&1 || true"
	assert_output --partial "Read-only file system"
	# the image's device nodes reach no device
	rootless && return 0
	run in_ns "\$O --store '$S' -q --image 'oci:$F/oci:v1' --tmpfs-upper '$T/m'
		findmnt -n -o OPTIONS '$T/m'
		head -c1 '$T/m/dev/null0' 2>&1 || true"
	# index=off and metacopy=off are this kernel's defaults: not shown
	assert_line --index 0 --regexp '(^|,)nodev(,|$)'
	assert_line --index 0 --regexp '(^|,)redirect_dir=nofollow(,|$)'
	refute_line --index 0 --regexp '(^|,)(index|metacopy)=on(,|$)'
	assert_line --index 1 --partial "Permission denied"
}

# ---------------------------------------------------------------------------
# Hostile layers and JSON: exit 1, one line naming source (and layer and
# entry), nothing in layers/ or tmp/, nothing outside changed.

# hostile_setup: a store holding one image (so it exists, with its dirs), the
# state of $T and the host's /etc taken.
hostile_setup() {
	mkimage_tiny "$T" 1
	pull "oci:$T/tiny1" || fail "cannot pull the tiny image"
	# no external program may ever run: these would leave a mark
	mkdir -p "$T/bin"
	for p in xz gzip gunzip zstd unzip lzma bzip2 lz4 lzop; do
		printf '#!/bin/sh\ntouch %s/ran-%s\nexit 1\n' "$T" "$p" >"$T/bin/$p"
		chmod 755 "$T/bin/$p"
	done
}

# refused LAYOUT [NEEDLE...]: the pull of oci:LAYOUT:r fails as it should.
refused() {
	local src="oci:$1:r" n
	shift
	# (locks/ may keep a lock file of the layer tried: not debris)
	ctu_state_save "$S/layers" "$S/tmp" "$S/images" "$T/canary" "$T/bin"
	run -1 in_ns "PATH='$T/bin':\$PATH \$O --store '$S' -q --pull-only --image '$src'"
	[ "${#lines[@]}" -eq 1 ] || fail "$src: not one line: $output"
	assert_output --regexp "^ovlmount: $src: "
	# named once: no context repeated by a wrapper
	[ "$(grep -o -F "$src" <<<"$output" | wc -l)" -eq 1 ] || fail "$src: named more than once: $output"
	for n in "$@"; do assert_output --partial "$n"; done
	assert_state_unchanged
	[ -z "$(ls -A "$S/tmp")" ] || fail "$src: left in tmp/: $(ls -A "$S/tmp")"
	[ "$(stat -c '%h %s %Y' /etc/passwd)" = "$ETC_PASSWD_BEFORE" ] || fail "$src: /etc/passwd changed"
	[ ! -e /etc/ctu-canary ] && [ ! -e /tmp/ctu-f ] || fail "$src: wrote outside"
	[ "$(cat "$T/canary/file")" = canary ]
	! ls "$T"/ran-* 2>/dev/null || fail "$src: ran an external program"
}

# hostile NAME LAYER-JSON [MKLAYER-ARGS...]: a layout $T/NAME with that layer.
hostile() {
	local name=$1 layer=$2
	shift 2
	"$CTU_ROOT/tests/helpers/mklayer.py" "$T/$name" --ref r --layer "$layer" "$@" >/dev/null
}

@test "hostile names: '..' anywhere, an empty or too long name, a symlink root" {
	hostile_setup
	hostile dotdot '[{"name": "../x"}]'
	refused "$T/dotdot" "layer 1/1 sha256:" "'../x'"
	hostile dotdot2 '[{"name": "a", "type": "d"}, {"name": "a/../../x"}]'
	refused "$T/dotdot2" "layer 1/1 sha256:" "'a/../../x'"
	hostile whdotdot '[{"name": "../.wh.x"}]'
	refused "$T/whdotdot" "'../.wh.x'"
	hostile wh '[{"name": ".wh."}]'
	refused "$T/wh" "'.wh.'"
	hostile long "[{\"name\": \"$(printf 'n%.0s' {1..256})\"}]"
	refused "$T/long" "layer 1/1 sha256:"
	hostile longpath "[{\"name\": \"$(for i in {1..40}; do printf '%s/' "$(printf 'p%.0s' {1..110})"; done)f\"}]"
	refused "$T/longpath" "layer 1/1 sha256:"
	hostile rootlink '[{"name": ".", "type": "l", "target": "/"}, {"name": "etc/ctu-canary"}]'
	refused "$T/rootlink" "layer 1/1 sha256:"
}

@test "hostile links: through a symlink planted before, hardlinks out of the layer" {
	hostile_setup
	hostile through '[{"name": "d", "type": "l", "target": "/tmp"}, {"name": "d/ctu-f"}]'
	refused "$T/through" "entry 'd/ctu-f' goes through the symlink 'd'"
	hostile through2 '[{"name": "d", "type": "l", "target": "../../.."}, {"name": "d/f"}]'
	refused "$T/through2" "entry 'd/f' goes through the symlink 'd'"
	hostile hlabs '[{"name": "h", "type": "h", "target": "/etc/passwd"}]'
	refused "$T/hlabs" "'h'" "etc/passwd"
	hostile hlrel '[{"name": "h", "type": "h", "target": "../../etc/passwd"}]'
	refused "$T/hlrel" "../../etc/passwd"
}

@test "hostile blobs: truncated gzip, a flipped byte, a wrong diff_id, a lying size, zip, xz, a sparse map past its size" {
	hostile_setup
	local l='[{"name": "f", "data": "some data to compress, some data to compress"}]'
	hostile trunc "$l" --truncate 12
	refused "$T/trunc" "layer 1/1 sha256:"
	hostile flip "$l" --flip-byte
	refused "$T/flip" "layer 1/1 sha256:" "blob has digest sha256:" "nothing kept"
	hostile diffid "$l" --wrong-diff-id
	refused "$T/diffid" "layer 1/1 sha256:" "diff_id"
	hostile longer "$l" --size-delta 1
	refused "$T/longer" "layer 1/1 sha256:" "its descriptor says"
	hostile shorter "$l" --size-delta -1
	refused "$T/shorter" "layer 1/1 sha256:" "blob has 116 bytes, its descriptor says 115"
	hostile zip "$l" --compress zip
	refused "$T/zip" "layer 1/1 sha256:"
	hostile xz "$l" --compress xz
	refused "$T/xz" "layer 1/1 sha256:"
	hostile sparse '[{"name": "s", "sparse": {"size": 4096, "map": [[0, 512], [8192, 512]]}}]'
	refused "$T/sparse" "layer 1/1 sha256:" "'s'"
}

@test "hostile JSON: 5 MiB index.json, duplicate keys, sha256:../../etc, an index nested 5 deep" {
	hostile_setup
	local l='[{"name": "f"}]'
	hostile big "$l" --pad-index $((5 * 1024 * 1024))
	refused "$T/big" "index.json" "larger than"
	hostile dupm "$l" --dup-key manifest
	refused "$T/dupm" "duplicate"
	hostile dupc "$l" --dup-key config
	refused "$T/dupc" "duplicate"
	hostile dupi "$l" --dup-key index
	refused "$T/dupi" "duplicate"
	hostile dotdig "$l" --manifest-digest 'sha256:../../etc'
	refused "$T/dotdig" "sha256:../../etc"
	hostile nest5 "$l" --nest 5
	refused "$T/nest5" "nested"
	# two levels are what buildx writes: fine
	hostile nest2 "$l" --nest 2
	pull "oci:$T/nest2:r"
}

@test "special but fine: /etc/ctu-canary stays inside, a 10 GB sparse file costs its data, an overlay xattr is dropped" {
	hostile_setup
	hostile inside '[{"name": "/etc/ctu-canary", "data": "inside"}]'
	run pull "oci:$T/inside:r"
	assert_success
	[ ! -e /etc/ctu-canary ]
	[ "$(cat "$S"/layers/*/root/etc/ctu-canary)" = inside ]
	hostile sparse '[{"name": "big", "sparse": {"size": 10737418240, "map": [[0, 4096], [10737414144, 4096]]}}]'
	run pull "oci:$T/sparse:r"
	assert_success
	local f
	f=$(ls "$S"/layers/*/root/big)
	[ "$(stat -c %s "$f")" -eq 10737418240 ]
	[ "$(($(stat -c %b "$f") * $(stat -c %B "$f")))" -lt $((1024 * 1024)) ]
	[ "$(head -c 4 "$f")" = xxxx ]
	[ "$(tail -c 4 "$f")" = xxxx ]
	[ "$(dd if="$f" bs=4096 skip=1000 count=1 status=none | tr -d '\0' | wc -c)" -eq 0 ]
	hostile redirect '[{"name": "d", "type": "d", "xattrs": {"trusted.overlay.redirect": "/etc", "user.overlay.opaque": "y", "user.kept": "k"}}, {"name": "d/f"}]'
	run in_ns "\$O --store '$S' --pull-only --image 'oci:$T/redirect:r'"
	assert_success
	assert_output --regexp "ovlmount: layer 1/1 sha256:[0-9a-f]{12}: dropped 2 overlay xattrs"
	d=$(dirname "$(ls -d "$S"/layers/*/root/d/f)")
	run getfattr --absolute-names -d -m - "$d"
	refute_output --partial overlay
	assert_output --partial 'user.kept="k"'
}

# ---------------------------------------------------------------------------
# The store

@test "store: two pulls at once unpack each layer once, and both succeed" {
	run in_ns "\$O --store '$S' --pull-only --image 'oci:$F/oci:img' 2>'$T/a.err' & a=\$!
		\$O --store '$S' --pull-only --image 'oci-archive:$F/img.oci.tar:img' 2>'$T/b.err' & b=\$!
		wait \$a; wait \$b"
	assert_success
	# a line per layer unpacked, whichever pull did it; rootless also the one
	# device warning of the first layer; nothing else
	[ "$(cat "$T/a.err" "$T/b.err" | grep -c '^ovlmount: layer [0-9]/4 sha256:[0-9a-f]\{12\}: [0-9.]* MiB in [0-9.]* s$')" -eq 4 ]
	local warned=0
	rootless && warned=1
	[ "$(cat "$T/a.err" "$T/b.err" | grep -c '^ovlmount: layer 1/4 sha256:[0-9a-f]\{12\}: skipped 2 device nodes: making them needs CAP_MKNOD$')" -eq "$warned" ]
	[ "$(cat "$T/a.err" "$T/b.err" | wc -l)" -eq $((4 + warned)) ] || fail "more on stderr: $(cat "$T/a.err" "$T/b.err")"
	[ "$(find "$S/layers" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 4 ]
	[ -z "$(ls -A "$S/tmp")" ]
	[ "$(ls "$S/images" | wc -l)" -eq 1 ]
}

@test "store: SIGKILL mid-unpack leaves only tmp/; the next pull succeeds and clears it" {
	"$CTU_ROOT/tests/helpers/mklayer.py" "$T/many" --ref r --compress none \
		--layer '[{"name": "many", "type": "d"}, {"name": "many/f%d", "count": 60000, "data": "x"}]' >/dev/null
	in_ns "\$O --store '$S' -q --pull-only --image 'oci:$T/many:r' & p=\$!
		for i in \$(seq 2000); do
			ls '$S/tmp' 2>/dev/null | grep -q . && break
			sleep 0.005
		done
		kill -KILL \$p; wait \$p || true"
	[ -n "$(ls -A "$S/tmp")" ] || skip "the pull ended before it could be killed"
	[ -z "$(ls -A "$S/layers")" ]
	[ -z "$(ls -A "$S/images")" ]
	run pull "oci:$T/many:r"
	assert_success
	[ -z "$(ls -A "$S/tmp")" ]
	[ "$(ls "$S"/layers/*/root/many | wc -l)" -eq 60000 ]
}

@test "store: refused under another format or uid_map: trusted in a user namespace, user as root, user under other ids" {
	require_kernel_feature userns
	local u
	mkimage_tiny "$T" 1
	pull "oci:$T/tiny1"
	if rootless; then
		jq -e '.xattrs == "user"' "$S/store.json"
		# root of the initial namespace: the other format, the other map
		ctu_state_save "$S"
		run -1 "$OVLMOUNT" --store "$S" -q --pull-only --image "oci:$T/tiny1"
		assert_output --regexp "^ovlmount: store $S (was made under uid_map '0 $ROOTLESS_BASE $ROOTLESS_COUNT', this process has '0 0 4294967295'|holds \"user\" layers, this process makes \"trusted\" ones): use another --store$"
		assert_state_unchanged
		u=$S
	else
		jq -e '.xattrs == "trusted"' "$S/store.json"
		# a store the namespace can read (the default one would be 0700): the
		# refusal is for its format and ids, not for a permission
		chmod -R go+rwX "$S"
		run -1 in_userns "$ROOTLESS_BASE" "\$O --store '$S' -q --pull-only --image 'oci:$T/tiny1'"
		# either reason is the truth (images.md words only the uid_map one)
		assert_output --regexp "^ovlmount: store $S (was made under uid_map '0 0 4294967295', this process has '0 $ROOTLESS_BASE $ROOTLESS_COUNT'|holds \"trusted\" layers, this process makes \"user\" ones): use another --store$"
		chown "$ROOTLESS_BASE:$ROOTLESS_BASE" "$T"
		run in_userns "$ROOTLESS_BASE" "\$O --store '$T/u' -q --pull-only --image 'oci:$T/tiny1'"
		assert_success
		jq -e '.xattrs == "user"' "$T/u/store.json"
		u=$T/u
	fi
	# a user store under another uid_map
	chmod -R go+rwX "$u"
	chown 300000:300000 "$T"
	run -1 in_userns 300000 "\$O --store '$u' -q --pull-only --image 'oci:$T/tiny1'"
	assert_output --partial "ovlmount: store $u was made under uid_map '0 $ROOTLESS_BASE $ROOTLESS_COUNT', this process has '0 300000 $ROOTLESS_COUNT': use another --store"
	chown root:root "$T"
}

@test "store: prune keeps layers under a container in another mount namespace; --dry-run keeps all; after exit and --store-rm they go" {
	mkimage_tiny "$T" 1
	local src="oci:$T/tiny1"
	pull "$src"
	in_ns "\$O --store '$S' -q --image '$src' --tmpfs-upper '$T/m'; echo \$\$ >'$T/ready'; exec sleep 1000" &
	ctu_cleanup_add pid $!
	ctu_wait_for_file "$T/ready" || fail "the container did not start"
	# the sleep itself: killing unshare-lite above would leave it running
	ctu_cleanup_add pid "$(cat "$T/ready")"
	run in_ns "\$O --store '$S' --store-rm '$src'"
	assert_success
	run in_ns "\$O --store '$S' --store-prune"
	assert_success
	[ "$(ls "$S/layers" | wc -l)" -eq 1 ]
	refute_output --regexp "removed [0-9a-f]{12}"
	run -1 in_ns "\$O --store '$S' --store-rm 'oci:$T/nothing'"
	assert_output --partial "oci:$T/nothing"
	kill -KILL "$(cat "$T/ready")"
	sleep 0.2
	run in_ns "\$O --store '$S' --store-prune --dry-run"
	assert_success
	assert_output --regexp "removed [0-9a-f]{12}"
	[ "$(ls "$S/layers" | wc -l)" -eq 1 ]
	run in_ns "\$O --store '$S' --store-prune"
	assert_success
	assert_output --regexp "removed [0-9a-f]{12}"
	[ -z "$(ls -A "$S/layers")" ]
	[ -z "$(ls -A "$S/tmp")" ]
}

@test "store: --store-ls as a table and JSON, --images" {
	pull "oci:$F/oci:img"
	local cfg
	cfg=$(config_of "$F/oci" img)
	run in_ns "\$O --store '$S' --store-ls"
	assert_success
	assert_line --index 0 --regexp '^LAYER +DIFF-ID +SIZE +FILES +IMAGES +MOUNTS +LAST-USED$'
	[ "${#lines[@]}" -eq 5 ]
	run in_ns "\$O --store '$S' --store-ls -J"
	assert_success
	[ "$(jq -r '.layers[].diff_id' <<<"$output" | sort)" = "$(jq -r '.rootfs.diff_ids[]' "$cfg" | sort)" ]
	jq -e --arg s "oci:$F/oci:img" 'all(.layers[]; (.size | type == "number") and (.files | type == "number") and (.images | index($s)) and .mounts == [])' <<<"$output"
	run in_ns "\$O --store '$S' --store-ls --images -J"
	assert_success
	jq -e --arg m "$(manifest_of "$F/oci" img)" '.images | length == 1 and .[0].manifest == $m and (.[0].size | type == "number") and (.[0].layers | length == 4)' <<<"$output"
	run in_ns "\$O --store '$S' --store-ls --images -n --raw"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
}

# ---------------------------------------------------------------------------
# Commit

# commit_setup: oci:img mounted with $T/up; the changes images.md lists made.
commit_changes() {
	printf '%s' "\$O --store '$S' -q --image 'oci:$F/oci:img' -u '$T/up' -w '$T/work' --mkdir '$T/m'
		echo added >'$T/m/added'
		echo more >>'$T/m/etc/passwd'
		chmod 0600 '$T/m/bin/tool'
		rm '$T/m/data/h2'
		rm -rf '$T/m/usr/share'
		rm -rf '$T/m/srv'; mkdir '$T/m/srv'; echo fresh >'$T/m/srv/fresh'
		setcap cap_net_bind_service+ep '$T/m/bin/suid'
		setfattr -n user.note -v committed '$T/m/added'"
}

@test "commit: the changes become a layer skopeo and umoci read back, equal to the merged view" {
	local digest vargs oargs
	# --mtime is every committed entry's mtime: the views agree but on the
	# mtimes of what the upper holds, compared on their own below
	vargs=("${VIEW_ARGS[@]}" --no-mtime)
	oargs=("${ORACLE_ARGS[@]}" --no-mtime)
	run --separate-stderr in_ns "$(commit_changes)
		\"\$TS\" '$T/m' ${vargs[*]} >'$T/view'
		\$O --store '$S' --commit '$T/m' --to 'oci:$T/out:new' --message 'made by images.bats' --mtime 1600000000"
	assert_success
	assert_devices_warned
	digest=$output
	[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "not a digest alone: $digest"
	[ "$(manifest_of "$T/out" new)" = "$digest" ]
	run skopeo inspect "oci:$T/out:new"
	assert_success
	skopeo --insecure-policy copy -q "oci:$T/out:new" "oci:$T/copy:new" >/dev/null
	umoci unpack --image "$T/out:new" "$T/bundle" >/dev/null
	run "$TREESUM" "$T/bundle/rootfs" "${oargs[@]}"
	diff -u "$T/view" <(echo "$output") || fail "umoci's unpack of the commit differs from the merged view"
	[ "$(stat -c %Y "$T/bundle/rootfs/added" "$T/bundle/rootfs/srv/fresh")" = "$(printf '1600000000\n1600000000')" ]
	# a file the upper does not hold keeps its layer's mtime
	[ "$(stat -c %Y "$T/bundle/rootfs/etc/rel-link")" = 1000000000 ]
	run --separate-stderr in_ns "\$O --store '$T/s2' -q --image 'oci:$T/out:new' --tmpfs-upper '$T/m'; \"\$TS\" '$T/m' ${vargs[*]}"
	assert_success
	assert_devices_warned
	diff -u "$T/view" <(echo "$output") || fail "a mount of the commit differs from the merged view"
	grep -q '^/srv/fresh f ' "$T/view" && ! grep -q '^/srv/www' "$T/view"
	grep -q '^/bin/suid f .* security.capability=' "$T/view"
}

@test "commit: whiteouts and the opaque marker in the tar, no overlay xattr; history and diff_ids appended" {
	run --separate-stderr in_ns "$(commit_changes)
		\$O --store '$S' --commit '$T/m' --to 'oci:$T/out:new' --message 'the message' --compress none"
	assert_success
	assert_devices_warned
	local cfg base layer
	cfg=$(config_of "$T/out" new)
	base=$(config_of "$F/oci" img)
	[ "$(jq '.rootfs.diff_ids | length' "$cfg")" -eq 5 ]
	[ "$(jq -c '.rootfs.diff_ids[:4]' "$cfg")" = "$(jq -c '.rootfs.diff_ids' "$base")" ]
	jq -e '.history[-1].created_by == "ovlmount --commit" and .history[-1].comment == "the message"' "$cfg"
	[ "$(jq '.history | length' "$cfg")" -eq $(($(jq '.history | length' "$base") + 1)) ]
	layer=$T/out/blobs/sha256/$(jq -r '.layers[-1].digest[7:]' "$T/out/blobs/sha256/$(manifest_of "$T/out" new | cut -c8-)")
	[ "sha256:$(sha256sum <"$layer" | cut -d' ' -f1)" = "$(jq -r '.rootfs.diff_ids[-1]' "$cfg")" ]
	run python3 - "$layer" <<-'EOF'
		import sys, tarfile
		for m in tarfile.open(sys.argv[1]):
		    x = [k for k in m.pax_headers if "overlay" in k or k.endswith("selinux")]
		    print(m.name, m.type.decode() if m.type else "0", m.uid, m.gid, "%o" % m.mode, ",".join(x))
	EOF
	assert_success
	assert_line --regexp '^data/\.wh\.h2 0 0 0 600 $'
	assert_line --regexp '^usr/\.wh\.share 0 0 0 600 $'
	assert_line --regexp '^srv/\.wh\.\.wh\.\.opq 0 0 0 600 $'
	assert_line --regexp '^srv/fresh 0 '
	assert_line --regexp '^added 0 '
	refute_output --regexp ' [^ ]*overlay[^ ]*$'
	# a directory before its contents, .wh..wh..opq first in it, then .wh. entries
	local names
	names=$(awk '{print $1}' <<<"$output")
	[ "$(grep -n '^srv$\|^srv/$' <<<"$names" | cut -d: -f1)" -lt "$(grep -n '^srv/\.wh\.\.wh\.\.opq$' <<<"$names" | cut -d: -f1)" ]
}

@test "commit: two --mtime 0 commits are byte-identical; zstd read by skopeo" {
	run --separate-stderr in_ns "$(commit_changes)
		\$O --store '$S' --commit '$T/m' --to 'oci:$T/a:x' --mtime 0
		\$O --store '$S' --commit '$T/m' --to 'oci:$T/b:x' --mtime 0
		\$O --store '$S' --commit '$T/m' --to 'oci:$T/z:x' --compress zstd"
	assert_success
	assert_devices_warned
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	jq -e '.created == "1970-01-01T00:00:00Z"' "$(config_of "$T/a" x)"
	run skopeo inspect --raw "oci:$T/z:x"
	assert_success
	jq -e '.layers[-1].mediaType == "application/vnd.oci.image.layer.v1.tar+zstd"' <<<"$output"
	skopeo --insecure-policy copy -q "oci:$T/z:x" "oci:$T/zcopy:x" >/dev/null
	run --separate-stderr merged_view "oci:$T/z:x"
	assert_success
	assert_devices_warned
	assert_line --regexp '^/added f '
}

@test "commit: UPPER without --from, a redirect xattr, a .wh. name, no or a bad REF refused" {
	mkdir -p "$T/plain"
	echo x >"$T/plain/x"
	rootless && chown -R "$ROOTLESS_BASE:$ROOTLESS_BASE" "$T/plain"
	run -1 in_ns "\$O --store '$S' --commit '$T/plain' --to 'oci:$T/out:new'"
	assert_output --partial -- "--from"
	run in_ns "\$O --store '$S' -q --commit '$T/plain' --from 'oci:$F/oci:img' --to 'oci:$T/out:new'"
	assert_success
	run in_ns "\$O --store '$S' -q --commit '$T/plain' --from scratch --to 'oci:$T/out:scratch'"
	assert_success
	jq -e '.rootfs.diff_ids | length == 1' "$(config_of "$T/out" scratch)"
	ctu_state_save "$T"
	run -2 "$OVLMOUNT" --commit "$T/plain" --from scratch --to "oci:$T/out"
	run -2 "$OVLMOUNT" --commit "$T/plain" --from scratch --to "oci:$T/out:a//b"
	assert_state_unchanged
	rootless && return 0 # the rest needs trusted.* xattrs
	mkdir -p "$T/redir/d"
	setfattr -n trusted.overlay.redirect -v /elsewhere "$T/redir/d"
	run -1 "$OVLMOUNT" --store "$S" --commit "$T/redir" --from scratch --to "oci:$T/out:r"
	assert_output --partial "$T/redir/d"
	assert_output --partial redirect
	mkdir -p "$T/whname"
	touch "$T/whname/.wh.sneaky"
	run -1 "$OVLMOUNT" --store "$S" --commit "$T/whname" --from scratch --to "oci:$T/out:w"
	assert_output --partial ".wh.sneaky"
}

# ---------------------------------------------------------------------------
# The image config

@test "--image-config agrees with skopeo inspect --config" {
	local src=oci:$T/cfg:c
	skopeo --insecure-policy copy -q "oci:$F/oci:v1" "oci:$T/cfg:c" >/dev/null
	umoci config --image "$T/cfg:c" --config.entrypoint /bin/tool --config.entrypoint -x \
		--config.cmd arg1 --config.cmd 'arg two' --config.env GREETING=hello --config.env 'B=with space' \
		--config.workingdir /srv --config.user 1000:2000 --config.exposedports 80/tcp \
		--config.exposedports 53/udp --config.volume /data --config.label a=b --config.label 'c=d e' \
		--config.stopsignal SIGTERM
	chmod -R go+rX "$T/cfg" # umoci writes 0600: a rootless run reads it too
	run in_ns "\$O --image-config '$src' -J"
	assert_success
	echo "$output" >"$T/ours.json"
	skopeo inspect --config "$src" >"$T/skopeo.json"
	run jq -n --slurpfile o "$T/ours.json" --slurpfile s "$T/skopeo.json" '
		$o[0] as $o | $s[0] as $s | ($s.config // {}) as $c |
		[ ($o.entrypoint == ($c.Entrypoint // [])),
		  ($o.cmd == ($c.Cmd // [])),
		  ($o.argv == (($c.Entrypoint // []) + ($c.Cmd // []))),
		  ($o.env == ($c.Env // [])),
		  ($o.working_dir == ($c.WorkingDir // "/")),
		  ($o.user == ($c.User // "")),
		  ($o.uid == 1000), ($o.gid == 2000),
		  ($o.exposed_ports == (($c.ExposedPorts // {}) | keys)),
		  ($o.volumes == (($c.Volumes // {}) | keys)),
		  ($o.labels == ($c.Labels // {})),
		  ($o.stop_signal == $c.StopSignal),
		  ($o.created == $s.created),
		  ($o.platform == ($s.os + "/" + $s.architecture)) ]'
	assert_success
	[ "$(jq -c 'all' <<<"$output")" = true ] || fail "-J and skopeo differ: $output"
	jq -e --arg src "$src" --arg c "$(jq -r .config.digest "$T/cfg/blobs/sha256/$(manifest_of "$T/cfg" c | cut -c8-)")" \
		'.source == $src and .config == $c and (.manifest | test("^sha256:[0-9a-f]{64}$"))' "$T/ours.json"
	jq -e 'keys == ["argv","cmd","config","created","entrypoint","env","exposed_ports","gid","labels","manifest","platform","source","stop_signal","uid","user","volumes","working_dir"]' "$T/ours.json"
	# the text form: a line per value, in the order images.md gives
	run in_ns "\$O --image-config '$src'"
	assert_success
	[ "$(awk '{print $1}' <<<"$output" | uniq | tr '\n' ' ')" = "Entrypoint Cmd Argv Env WorkingDir User ExposedPorts Volumes Labels StopSignal " ]
	assert_line 'Entrypoint ["/bin/tool","-x"]'
	assert_line 'Argv ["/bin/tool","-x","arg1","arg two"]'
	assert_line 'Env GREETING=hello'
	assert_line 'Env B=with space'
	assert_line 'WorkingDir /srv'
	assert_line 'Labels c=d e'
	assert_line 'ExposedPorts 53/udp'
	# absent values: [], "", {}, null; working_dir "/"
	run in_ns "\$O --image-config 'oci:$F/oci:v1' -J"
	assert_success
	jq -e '.entrypoint == [] and .cmd == [] and .argv == [] and .env == [] and .working_dir == "/" and .user == "" and .uid == null and .gid == null and .exposed_ports == [] and .volumes == [] and .labels == {} and .stop_signal == ""' <<<"$output"
}
