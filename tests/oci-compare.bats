#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The gate of the OCI conformance run (tests/oci/oci.bats, `make check-oci`):
# tests/oci/compare fails on a made-up pair of runs where the candidate misses
# one assertion, so that the gate cannot pass vacuously.

load helpers

COMPARE=$CTU_ROOT/tests/oci/compare

# tap DIR FILE LINE...: a made-up TAP file DIR/FILE.tap of the given lines.
tap() {
	local dir=$1 file=$2
	shift 2
	mkdir -p "$dir"
	{
		echo "TAP version 13"
		printf '%s\n' "$@"
		echo "1..$#"
	} >"$dir/$file.tap"
}

@test "compare: fails on an assertion the baseline passes and the candidate does not, passes when none" {
	d=$BATS_TEST_TMPDIR
	tap "$d/base" create "ok 1 - create MUST work" "ok 2 - state MUST work" "not ok 3 - broken"
	tap "$d/base" kill "ok 1 - kill MUST work" "ok 2 - kill MUST work" "ok 3 - skipped # SKIP no"
	# the candidate misses one: "state MUST work" fails
	tap "$d/miss" create "ok 1 - create MUST work" "not ok 2 - state MUST work" "ok 3 - broken"
	tap "$d/miss" kill "ok 1 - kill MUST work" "ok 2 - kill MUST work"
	run "$COMPARE" "$d/base" "$d/miss"
	assert_failure 1
	assert_line "  create	state MUST work"
	refute_line --partial "kill	"
	# a repeated description counts: passing it once of twice misses one
	tap "$d/once" create "ok 1 - create MUST work" "ok 2 - state MUST work"
	tap "$d/once" kill "ok 1 - kill MUST work" "not ok 2 - kill MUST work"
	run "$COMPARE" "$d/base" "$d/once"
	assert_failure 1
	assert_line "  kill	kill MUST work"
	# a SKIP or TODO is no pass, in the candidate either
	tap "$d/skip" create "ok 1 - create MUST work # SKIP" "ok 2 - state MUST work"
	tap "$d/skip" kill "ok 1 - kill MUST work" "ok 2 - kill MUST work"
	run "$COMPARE" "$d/base" "$d/skip"
	assert_failure 1
	assert_line "  create	create MUST work"
	# nothing missing (more passes are fine): exit 0
	tap "$d/all" create "ok 1 - create MUST work" "ok 2 - state MUST work" "ok 3 - broken"
	tap "$d/all" kill "ok 1 - kill MUST work" "ok 2 - kill MUST work" "ok 3 - skipped"
	run "$COMPARE" "$d/base" "$d/all"
	assert_success
	assert_output "baseline passes 4, candidate passes 6"
	# no TAP files is a usage error, never a pass
	mkdir -p "$d/empty"
	run "$COMPARE" "$d/base" "$d/empty"
	assert_failure 2
}
