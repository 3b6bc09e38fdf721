#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh - a short libFuzzer run of tests/fuzz/fuzz_tap.c (every tap-side
# parser, ASan and UBSan on), seeded with valid and malformed frames of each
# kind from tests/fuzz/make-corpus.py.  The harness isolates itself in a
# new user and network namespace before any frame is handled.
#
# Usage: tests/ns/fuzz.sh PASST_BINARY (unused: the harness is built here)
# FUZZ_SECS sets the duration (default 60).
set -u
cd "$(dirname "$0")/../.." || exit 1

SECS="${FUZZ_SECS:-60}"
T=$(mktemp -d /tmp/pt-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

if ! make -s fuzz >"$T/build.log" 2>&1; then
	tail -n 30 "$T/build.log"
	echo "RESULT fail fuzz/build"
	exit 1
fi
echo "RESULT pass fuzz/build"

mkdir -p "$T/corpus"
python3 tests/fuzz/make-corpus.py "$T/seed" || exit 1
if timeout $((SECS + 60)) build-fuzz/fuzz_tap -max_total_time="$SECS" \
	-max_len=65549 -artifact_prefix="$T/" "$T/corpus" "$T/seed" \
	>"$T/run.log" 2>&1; then
	echo "fuzz: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$T/run.log"), $(grep -o 'cov: [0-9]*' "$T/run.log" | tail -n 1)"
	echo "RESULT pass fuzz/tap_frames"
else
	tail -n 40 "$T/run.log"
	ls "$T"/crash-* "$T"/leak-* "$T"/timeout-* 2>/dev/null
	echo "RESULT fail fuzz/tap_frames"
fi
