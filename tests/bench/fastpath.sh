#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fastpath.sh - iperf3 receiver throughput, one stream (or -P N with
# $STREAMS), through tests/lib/fp_proxy with the eBPF fast path and with
# splice only, and direct loopback, in the same rounds.  Two namespaces
# made here, loopback only; needs root.  Proxy options (e.g. --hwm BYTES)
# can be given in $PROXY_OPTS.
#
# Usage: tests/bench/fastpath.sh [ROUNDS]
set -u
cd "$(dirname "$0")/../.." || exit 1
ROUNDS=${1:-3}
PROXY=build/tests/fp_proxy
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
[ -x "$PROXY" ] || { echo "build $PROXY first (make)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "needs iperf3" >&2; exit 77; }
A=fpb-a-$$
B=fpb-b-$$
T=$(mktemp -d /tmp/fpb.XXXXXX) || exit 1
trap '[ -s "$T/srv.pid" ] && kill "$(cat "$T/srv.pid")"; ip netns del $A; ip netns del $B; rm -rf "$T"' EXIT
ip netns add $A && ip netns add $B || exit 1
ip -n $A link set lo up
ip -n $B link set lo up
ip netns exec $B iperf3 -s -p 7100 -D --pidfile "$T/srv.pid" || exit 1
sleep 0.5

# gbits - receiver Gbit/s from iperf3 -J on standard input
gbits() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' \
		2>/dev/null || echo "?"
}

# via MODE - one run through the proxy, prints Gbit/s
via() {
	local pp v
	rm -f "$T/ready"
	# shellcheck disable=SC2086
	ip netns exec $A timeout 30 "$PROXY" --listen 127.0.0.1:6100 \
		--connect 127.0.0.1:7100 --connect-ns "/run/netns/$B" \
		--mode "$1" --ready "$T/ready" ${PROXY_OPTS:-} \
		>"$T/$1.out" 2>/dev/null &
	pp=$!
	for _ in $(seq 1 50); do [ -e "$T/ready" ] && break; sleep 0.1; done
	# shellcheck disable=SC2086
	v=$(ip netns exec $A timeout 20 iperf3 -c 127.0.0.1 -p 6100 -t 4 -J \
		-P "${STREAMS:-1}" | gbits)
	kill $pp
	wait $pp
	echo "$v"
}

for r in $(seq 1 "$ROUNDS"); do
	d=$(ip netns exec $B timeout 20 iperf3 -c 127.0.0.1 -p 7100 -t 4 -J \
		-P "${STREAMS:-1}" | gbits)
	s=$(via splice)
	f=$(via fast)
	echo "round $r: direct $d, splice $s, fast path $f Gbit/s" \
	     "(fast path: $(( $(sed -n 's/^redirected_bytes=//p' "$T/fast.out") >> 20 ))" \
	     "MiB redirected, $(( $(sed -n 's/^passed_bytes=//p' "$T/fast.out") >> 20 ))" \
	     "MiB moved by the proxy)"
done
