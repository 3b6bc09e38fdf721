#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh - machine-readable benchmark rows, sourced by every script
# in tests/bench.  When $BENCH_CSV names a file, bench_row appends
#
#   case,daemon,value,unit,baseline,ratio
#
# to it: daemon is direct (the baseline itself), ours, ours-bpf (our pasta
# started by root, the eBPF fast path loaded), debian (the system's
# /usr/bin/pasta or passt) or slirp4netns; baseline is the direct value
# measured in the same run (empty if there is none) and ratio is
# value / baseline.  Without $BENCH_CSV it does nothing.
# tools/bench-report turns the file into the Markdown table and the chart.

# bench_row CASE DAEMON VALUE UNIT [BASELINE] - append one row
bench_row() {
	[ -n "${BENCH_CSV:-}" ] || return 0
	awk -v c="$1" -v d="$2" -v v="${3:-}" -v u="$4" -v b="${5:-}" 'BEGIN {
		if (v !~ /^[0-9.]+$/) v = ""
		if (b !~ /^[0-9.]+$/) b = ""
		r = (v != "" && b != "" && b + 0 > 0) ? sprintf("%.2f", v / b) : ""
		printf "%s,%s,%s,%s,%s,%s\n", c, d, v, u, b, r
	}' >>"$BENCH_CSV"
}

# iperf_gbps - Gbit/s received, from iperf3 -J on stdin (nothing if none)
iperf_gbps() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' \
		2>/dev/null
}

# ratio A B - A / B with two decimals, "?" if either is missing
ratio() {
	awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {
		if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "?" }'
}
