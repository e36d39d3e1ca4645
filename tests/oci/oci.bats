#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The OCI runtime conformance suite (opencontainers/runtime-tools, through
# ../shared/oracles/runtime-tools-run) against runc and against ctrun, in the
# same run on the same machine: ctrun must pass every assertion runc passes
# (tests/oci/compare, by TAP file and description).  And the gate itself:
# compare fails on a made-up pair of runs where the candidate misses one
# assertion, so it cannot pass vacuously (tests/oci-compare.bats).
#
# In `make check` (tests/run runs tests/oci/ after tests/); `make check-oci`
# runs it alone.

load ../helpers

# the build (once, minutes) and two runs of the suite: more than tests/run's 300 s
BATS_TEST_TIMEOUT=${CTU_OCI_TIMEOUT:-2400}

: "${CTU_RT_RUN:=$CTU_ROOT/../shared/oracles/runtime-tools-run}"
COMPARE=$CTU_ROOT/tests/oci/compare

# The suite leaves cgroups behind when a runtime fails its tests: /testdir
# (absolute paths) at each hierarchy's root, and, below our own cgroup (where
# relative paths and the default, the container's ID, land), testdir and
# IDs.  Whatever this run made there is removed.
leftover_cgroups() {
	local own
	own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	[ -n "$own" ] || own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	ls -d /sys/fs/cgroup/*/testdir /sys/fs/cgroup/testdir /sys/fs/cgroup/*"${own%/}"/*/ \
		/sys/fs/cgroup"${own%/}"/*/ 2>/dev/null || true
}

# ctrun's state directories in its default root, where the suite runs it.  A
# CI run under load (beside two VMs) was left one of a create whose creator
# was gone, with no init and no rollback; the later tests listing containers
# met it.  Whatever this run made there is deleted, then removed.
ctrun_states() { ls -A /run/ctrun 2>/dev/null || true; }

setup() {
	CGROUPS_BEFORE=$(leftover_cgroups)
	STATES_BEFORE=$(ctrun_states)
}

teardown() {
	local d before
	for d in $(ctrun_states); do
		grep -qxF "$d" <<<"$STATES_BEFORE" && continue
		"$CTRUN" delete --force "$d" >/dev/null 2>&1 || true
		rm -rf "/run/ctrun/${d:?}"
	done
	before=$(sed 's:/$::' <<<"$CGROUPS_BEFORE")
	for d in $(leftover_cgroups | sed 's:/$::'); do
		[ -d "$d" ] && ! grep -qxF "$d" <<<"$before" &&
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	ctu_teardown
}

@test "runtime-tools: ctrun passes every assertion runc passes on this machine" {
	require_root
	require_cmd runc
	require_tool "$CTRUN"
	[ -x "$CTU_RT_RUN" ] || fail "no runtime-tools runner at $CTU_RT_RUN"
	if [ ! -x "${CTU_RT_BUILD:-/var/tmp/ctu-runtime-tools}/runtime-tools/runtimetest" ] &&
		! command -v go >/dev/null; then
		skip "the suite is built with golang-go (make deps installs it)"
	fi
	ctrun=$(realpath "$CTRUN")
	# runc's run, or (CTU_RT_BASELINE, set by .ci/run for its second make check,
	# the sanitized one) the one an earlier make check of this CI run kept there
	baseline=$BATS_TEST_TMPDIR/runc
	if [ -n "${CTU_RT_BASELINE:-}" ] && [ -e "$CTU_RT_BASELINE.done" ]; then
		baseline=$CTU_RT_BASELINE
	else
		run timeout 900 "$CTU_RT_RUN" -o "$baseline" "$(command -v runc)"
		assert_success
		if [ -n "${CTU_RT_BASELINE:-}" ]; then
			mkdir -p "$CTU_RT_BASELINE" && cp -a "$baseline/." "$CTU_RT_BASELINE/" &&
				: >"$CTU_RT_BASELINE.done"
		fi
	fi
	run timeout 900 "$CTU_RT_RUN" -o "$BATS_TEST_TMPDIR/ctrun" "$ctrun"
	assert_success
	# both ran every test program
	assert_equal "$(cd "$BATS_TEST_TMPDIR/ctrun" && ls)" "$(cd "$baseline" && ls)"
	run "$COMPARE" "$baseline" "$BATS_TEST_TMPDIR/ctrun"
	echo "$output"
	if [ "$status" -ne 0 ]; then
		# The suite races under load: killsig kills as soon as the state says
		# running, maybe before sh has set its trap (CI's sanitized run beside two
		# VMs missed one signal of three).  The programs with a missing assertion
		# run once more and their second run counts; a defect fails both.
		local again=$BATS_TEST_TMPDIR/ctrun-again progs
		progs=$(sed -n 's/^  \([a-z0-9_]*\)\t.*/\1/p' <<<"$output" | sort -u | paste -sd'|')
		echo "run again: $progs"
		[ -n "$progs" ]
		run timeout 900 "$CTU_RT_RUN" -o "$again" -t "^($progs)\$" "$ctrun"
		assert_success
		cp "$again"/*.tap "$BATS_TEST_TMPDIR/ctrun/"
		run "$COMPARE" "$baseline" "$BATS_TEST_TMPDIR/ctrun"
		echo "$output"
	fi
	# the suite really ran: runc passes thousands of assertions
	[[ ${lines[0]} =~ ^baseline\ passes\ ([0-9]+), ]]
	((BASH_REMATCH[1] >= 1000))
	assert_success
}
