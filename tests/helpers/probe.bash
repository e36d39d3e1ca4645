# SPDX-License-Identifier: GPL-2.0-or-later
# probe.bash - oracle (d) of ../shared/spec/ctrun.md: one bundle run under
# runc, ctrun and (where it works) crun, each with a state root of its own, and
# what the container sees compared (`load helpers/probe`, after helpers/ctrun).
#
#  - pr_setup: ct_setup, then the runtimes: $PR_RUNC, $PR_CRUN (empty when
#    crun cannot run a trivial bundle here; $PR_CRUN_WHY says why) and
#    $PR_CTRUN_CRUN, ctrun as it runs beside crun (pr_crun_probe);
#  - pr_bundle DIR: ct_bundle DIR with /probe.sh as the program;
#  - pr_run NAME RUNTIME DIR: create (stdio: /dev/null, files), read the
#    cgroup files from outside, start, wait until stopped, delete; the probe's
#    output, normalized, in $T/NAME.txt (raw: $T/NAME/out, $T/NAME/err);
#  - pr_compare A B: A's and B's outputs equal, but for the known differences
#    (pr_known A); else fail with a unified diff.
#
# Each runtime's container is $ID-NAME in the cgroup $CT_CG/NAME (absolute,
# below our own cgroup: the same convention for every runtime; ct_setup
# registered $CT_CG's first missing directory in every hierarchy, so the
# parents runc makes, name=systemd's too, go in teardown).

# The probe: what the container's process sees, one section per aspect.  The
# mountinfo fields are reordered as "MOUNTPOINT FSTYPE MOUNT-OPTIONS
# SUPER-OPTIONS ROOT SOURCE": mount IDs, parent IDs and major:minor differ
# from run to run and are dropped here; sources and roots naming host paths
# are normalized outside (pr_normalize), where the host's paths are known.
pr_probe_script() {
	cat <<-'EOF'
		#!/bin/sh
		echo "== status"
		grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status
		echo "== mountinfo"
		awk '{ n = 7; while ($n != "-") n++; print $5, $(n + 1), $6, $(n + 3), $4, $(n + 2) }' /proc/self/mountinfo | sort
		echo "== hostname"
		hostname
		echo "== id"
		id
		echo "== ulimit"
		ulimit -a
		echo "== umask"
		umask
		echo "== oom_score_adj"
		cat /proc/self/oom_score_adj
		echo "== dev"
		ls -ln /dev
		echo "== fd"
		# fd 3 is ls's own directory: listed (same in all), its link
		# unreadable (the message goes to stderr, which is not compared)
		ls -l /proc/self/fd
		echo "== end"
	EOF
}

pr_setup() {
	ct_setup
	require_cmd jq
	PR_RUNC=$(command -v runc || true)
	[ -n "$PR_RUNC" ] || ctu_skip "needs runc (the reference runtime)"
	PR_NAMES=()
	pr_crun_probe
}

# crun refuses hybrid hosts ("cgroups in hybrid mode not supported"). There it
# runs, as in pod_holder (helpers/podman.bash), in a mount namespace of its own
# where the unified hierarchy is unmounted, so that it sees a v1 host; ctrun's
# column against it runs the same way ($PR_CTRUN_CRUN), so that both place
# their cgroups in the same hierarchies.  Each runs `true` in a bundle like
# ours first; crun is no column only where that fails even so.
pr_crun_probe() {
	local c b=$T/crun-check out
	PR_CRUN= PR_CRUN_WHY= PR_CTRUN_CRUN=$CTRUN
	c=$(command -v crun || true)
	if [ -z "$c" ]; then
		PR_CRUN_WHY="crun is not installed"
		return 0
	fi
	ct_bundle "$b" true || return 1
	ct_cfg "$b" ".linux.cgroupsPath = \"$CT_CG/crun-check\""
	PR_NAMES+=(crun-check)
	if [ -d /sys/fs/cgroup/memory ] && mountpoint -q /sys/fs/cgroup/unified; then
		pr_v1_wrapper "$c" "$T/v1/crun"
		pr_v1_wrapper "$CTRUN" "$T/v1/ctrun"
		c=$T/v1/crun PR_CTRUN_CRUN=$T/v1/ctrun
	fi
	if out=$("$c" --root "$T/crun-check.root" run -b "$b" "$ID-crun-check" </dev/null 2>&1); then
		PR_CRUN=$c
	else
		PR_CRUN_WHY="crun cannot run a trivial bundle here: $(printf '%s' "$out" | tail -n1)"
	fi
	"$c" --root "$T/crun-check.root" delete --force "$ID-crun-check" >/dev/null 2>&1 || true
}

# pr_v1_wrapper RUNTIME PATH: PATH runs RUNTIME in a private mount namespace
# without the unified hierarchy (each command: the state is in --root)
pr_v1_wrapper() {
	mkdir -p "$(dirname "$2")"
	cat >"$2" <<-EOF
		#!/bin/sh
		exec unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec "\$0" "\$@"' $1 "\$@"
	EOF
	chmod +x "$2"
}

# Deletes every container pr_run made (whatever state it is in), before
# ct_teardown removes the cgroups.
pr_teardown() {
	local name rt
	for name in "${PR_NAMES[@]}"; do
		case $name in
		runc*) rt=$PR_RUNC ;;
		crun*) rt=${PR_CRUN:-$(command -v crun)} ;;
		*) rt=$PR_CTRUN_CRUN ;;
		esac
		[ -n "$rt" ] && "$rt" --root "$T/$name.root" delete --force "$ID-$name" >/dev/null 2>&1
	done
	ct_teardown
}

# pr_bundle DIR: the `ctrun spec` bundle of ct_bundle running /probe.sh.
pr_bundle() {
	local dir=$1
	ct_bundle "$dir" /probe.sh || return 1
	pr_probe_script >"$dir/rootfs/probe.sh"
	chmod 0755 "$dir/rootfs/probe.sh"
}

# pr_cg_file CGROUP CONTROLLER V1-FILE V2-FILE: "NAME VALUE" of the file, read
# from the host: the v1 file in the controller's hierarchy when it has one,
# else the v2 file in the unified hierarchy.
pr_cg_file() {
	local cg=$1 ctrl=$2 v1=$3 v2=$4 mnt
	mnt=$(findmnt -n -o TARGET,OPTIONS -t cgroup |
		awk -v c="$ctrl" '{n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $1; exit}}')
	if [ -n "$mnt" ]; then
		printf '%s %s\n' "$v1" "$(cat "$mnt$cg/$v1" 2>&1)"
	else
		mnt=$(findmnt -n -o TARGET -t cgroup2 | head -n1)
		printf '%s %s\n' "$v2" "$(cat "$mnt$cg/$v2" 2>&1)"
	fi
}

# pr_wait_stopped RUNTIME ROOT ID: until its state says stopped (polled: the
# emulated VM is slow), at most $PR_WAIT seconds.
pr_wait_stopped() {
	local rt=$1 root=$2 id=$3 end=$((SECONDS + ${PR_WAIT:-120})) st
	while [ "$SECONDS" -lt "$end" ]; do
		st=$("$rt" --root "$root" state "$id" 2>/dev/null | jq -r .status)
		[ "$st" = stopped ] && return 0
		sleep 0.05
	done
	echo "# $id: still '$st' after ${PR_WAIT:-120} s" >&3
	return 1
}

# pr_run NAME RUNTIME DIR
pr_run() {
	local name=$1 rt=$2 dir=$3 cg=$CT_CG/$1 root=$T/$1.root id=$ID-$1 out=$T/$1 h
	PR_NAMES+=("$name")
	mkdir -p "$out"
	ct_cfg "$dir" ".linux.cgroupsPath = \"$cg\""
	# the probe's stdio: files (process.terminal is false), stdin /dev/null
	if ! "$rt" --root "$root" create -b "$dir" "$id" </dev/null >"$out/out" 2>"$out/err"; then
		cat "$out/err" >&2
		fail "$name: create failed"
		return 1
	fi
	# the limits, from the kernel, while the container is created
	{
		pr_cg_file "$cg" memory memory.limit_in_bytes memory.max
		pr_cg_file "$cg" pids pids.max pids.max
		pr_cg_file "$cg" cpu cpu.shares cpu.weight
	} >"$out/cgroup"
	"$rt" --root "$root" start "$id" 2>>"$out/err" || fail "$name: start failed: $(cat "$out/err")"
	pr_wait_stopped "$rt" "$root" "$id" || fail "$name: the probe did not stop"
	"$rt" --root "$root" delete "$id" 2>>"$out/err" || fail "$name: delete failed: $(cat "$out/err")"
	# delete removed the container's cgroup in every hierarchy, and its state
	while read -r h; do
		[ ! -d "$h$cg" ] || fail "$name: delete left the cgroup $h$cg"
	done < <(ct_hierarchies)
	[ -z "$(ls -A "$root" 2>/dev/null)" ] || fail "$name: delete left $(ls -A "$root") in its root"
	grep -q '^== end$' "$out/out" || fail "$name: the probe did not finish: $(cat "$out/out" "$out/err")"
	{
		pr_normalize "$dir" "$out" <"$out/out"
		echo "== cgroup (from the host)"
		cat "$out/cgroup"
	} >"$T/$name.txt"
}

# pr_normalize BUNDLE OUTDIR: what legitimately differs from run to run (or
# from runtime to runtime for no behaviour of theirs) made equal:
#  - mountinfo: a source that is a host path (a device such as /dev/vda, a
#    bind's directory) becomes HOSTPATH; the root of the "/" mount (the
#    rootfs's path inside the host filesystem) becomes ROOTFS, also where it
#    begins the root of another mount (a read-only path of the rootfs);
#  - ls -l dates and times (the devices and links were made at another
#    second) become DATE;
#  - the probe's output files, named by the host path of each runtime's own
#    directory, become OUT/.
pr_normalize() {
	local out=$2
	awk -v out="$out/" '
		/^== / { sect = $0 }
		sect == "== mountinfo" && NF == 6 {
			if ($6 ~ /^\//) $6 = "HOSTPATH"
			if ($1 == "/") { rootfs = $5; $5 = "ROOTFS" }
			else if (rootfs != "" && index($5, rootfs "/") == 1) $5 = "ROOTFS" substr($5, length(rootfs) + 1)
		}
		sect == "== dev" || sect == "== fd" {
			sub(/ [A-Z][a-z][a-z] +[0-9]+ +[0-9:]+ /, " DATE ")
			i = index($0, out)
			if (i) $0 = substr($0, 1, i - 1) "OUT/" substr($0, i + length(out))
		}
		{ print }'
}

# pr_known REF: the known differences between runc (or crun) and ctrun, each
# erased from both outputs, so that anything else shows.  Each says why the
# runtimes differ and which side follows the OCI runtime-spec (or that it
# says nothing).  Relative cgroupsPaths (runc: below runc's own cgroup in each
# hierarchy; ctrun: below its own cgroup of the unified/memory hierarchy,
# the same path in all) and a failing poststart hook (runc 1.1 runs
# poststart within create, the state saying "created", and a failure fails
# create and kills the init; ctrun runs them after start and warns, as
# runtime.md says) are known too: the bundles here use an absolute
# cgroupsPath and no hooks; tests/ctrun-probe.bats shows the hook case on its
# own.  Rules 1-6 and 12-14 were seen on the hybrid host, 7-11 in the
# pure v2 VM.
pr_known() {
	awk -v ref="${1:-runc}" '
		/^== / { sect = $0 }
		sect == "== mountinfo" && NF == 6 {
			# 7. the source of a cgroup2 mount (pure v2 hosts): runc 1.1
			#    passes the config`s source ("cgroup" in runc`s spec);
			#    ctrun and crun name it cgroup2.  Sources of non-bind mounts
			#    are free text (config.md: "a dummy"); runc keeps the
			#    config`s word.
			if ($2 == "cgroup2" && $6 == "cgroup") $6 = "cgroup2"
			# 8. (crun only) a masked file: crun binds the host`s /dev/null
			#    (devtmpfs, read-only); runc and ctrun bind the container`s
			#    own /dev/null (a node on the /dev tmpfs).  Both are the
			#    null device, which is what maskedPaths asks for.
			if (ref == "crun" && $5 == "/null") { $2 = "NULL"; $3 = "-"; $4 = "-"; $6 = "NULL" }
			# 9. (crun only) a masked directory: crun mounts its empty
			#    tmpfs with size=0k; runc and ctrun give no size.  Both are
			#    empty and read-only.
			if (ref == "crun" && $2 == "tmpfs") sub(/,size=0k/, "", $4)
			# 10. (crun only) a read-only path that is a mount point
			#    (user_bundle`s /dev/shm): crun`s read-only bind loses the
			#    mount`s nosuid,nodev,noexec; runc and ctrun keep them (a
			#    user-ns remount must, and dropping them loosens the mount).
			if (ref == "crun" && $1 == "/dev/shm" && $3 ~ /^ro,/) $3 = "ro,relatime"
			# 1. the name=systemd hierarchy (hybrid hosts): runc joins it
			#    and mounts it at /sys/fs/cgroup/systemd; ctrun leaves named
			#    hierarchies alone (lib/cg.c: "name=systemd and its kind are
			#    not ours"); the spec names no hierarchy.
			if ($1 == "/sys/fs/cgroup/systemd") next
			# 2. cgroup2 at /sys/fs/cgroup/unified (hybrid hosts): ctrun
			#    mounts it, as systemd lays hybrid hosts out (ctrun.md:
			#    "unified at DST/unified on hybrid"); runc 1.1 does not.
			#    The spec says nothing.
			if ($1 == "/sys/fs/cgroup/unified") next
			# 3. the tmpfs below the v1 hierarchies at /sys/fs/cgroup:
			#    runc 1.1 (mountCgroupV1) mounts it read-write whatever the
			#    mount options; ctrun makes it read-only as the config
			#    asks ("ro": ctrun follows the config), on the tmpfs itself
			#    once the hierarchies are in it (pivot --readonly-mount,
			#    nothing stacked: each mount is listed once, as compared).
			if ($1 == "/sys/fs/cgroup" && $2 == "tmpfs") sub(/^r[ow],/, "r?,", $3)
			# 12. (crun only, v1 hosts) that tmpfs: crun mounts one of its
			#    own (source "cgroup", size=1024k) whatever the config`s
			#    mount says; ctrun mounts the config`s (tmpfs, mode=755).
			#    The spec says a runtime mounts what the config names.
			if (ref == "crun" && $1 == "/sys/fs/cgroup" && $2 == "tmpfs") { $4 = "TMPFS-OPTIONS"; $6 = "SOURCE" }
			# 13. (crun only, v1 hosts) each hierarchy: crun binds the
			#    host`s (its source a host path); ctrun mounts the
			#    hierarchy anew in the cgroup namespace (source "cgroup").
			#    Both show the container`s own cgroup as the root ("/").
			if (ref == "crun" && $2 == "cgroup" && index($1, "/sys/fs/cgroup/") == 1) $6 = "SOURCE"
			# 4. a new filesystem mounted "ro" (sysfs, the empty tmpfs of a
			#    masked directory): runc passes MS_RDONLY to mount(2), which
			#    makes the new superblock read-only too; ctrun uses the new
			#    mount API and sets MOUNT_ATTR_RDONLY on the mount only.  Both
			#    mounts are read-only (the mount options, compared, say so);
			#    mount(8), which config.md refers to, would set both: the
			#    superblock flag is compared only under a rw mount.
			if ($3 ~ /^ro(,|$)/ && $4 ~ /^ro(,|$)/) $4 = "rw" substr($4, 3)
		}
		sect == "== dev" && $NF == "/proc/kcore" && ref == "crun" {
			# 14. (crun only) /dev/core: crun links it to /proc/kcore
			#    always; runc and ctrun only where the host has a
			#    /proc/kcore (this machine`s kernel has none).  The spec
			#    does not name /dev/core.
			next
		}
		sect == "== dev" && $NF == "null" && ref == "crun" {
			# 11. (crun only) stdio on /dev/null and a non-root user: crun
			#    chowns the container`s /dev/null to that user; runc
			#    (fixStdioPermissions) and ctrun (pivot --own-stdio) skip
			#    /dev/null, which stays root`s.  The spec says nothing;
			#    crun`s chown hands the user the node of a shared device.
			$3 = "UID"; $4 = "GID"
		}
		sect == "== fd" {
			# 5. stdin /dev/null: runc (rootfs_linux.go reOpenDevNull)
			#    replaces each stdio fd that is /dev/null by the container`s
			#    /dev/null opened O_RDWR; ctrun passes the caller`s open
			#    file on (read-only here).  The spec says nothing; the
			#    target, compared, is /dev/null in both.
			if ($NF == "/dev/null" && $(NF - 1) == "->") sub(/^l[-r][-w]x/, "l??x")
		}
		sect == "== cgroup (from the host)" {
			# 6. cpu shares on cgroup v2: runc 1.1 maps shares to
			#    cpu.weight linearly (1 + (s - 2) * 9999 / 262142); ctrun
			#    (cgctl) and newer crun map them so that the default 1024
			#    gives the default weight 100.  The spec defines only shares.
			if ($1 == "cpu.weight") next
		}
		{ print }'
}

# pr_compare A B: the normalized outputs of runs A and B equal but for
# pr_known; on a difference the unified diff is the failure message.
pr_compare() {
	local a=$1 b=$2
	pr_known "$a" <"$T/$a.txt" >"$T/$a.cmp"
	pr_known "$a" <"$T/$b.txt" >"$T/$b.cmp"
	if ! diff -u --label "$a" --label "$b" "$T/$a.cmp" "$T/$b.cmp" >"$T/$a-$b.diff"; then
		{
			echo "the probe's view differs between $a and $b (beyond the known differences):"
			cat "$T/$a-$b.diff"
		} | fail
		return 1
	fi
}
