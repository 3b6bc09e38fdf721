#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/passt.sh - passt throughput with a tap device as its guest (through
# tests/lib/tap_relay.c, as in tests/ns/passt_relay.sh): iperf3 5 s, guest
# to upstream and upstream to guest (-R), receiver Gbit/s, against a
# direct veth run from the host namespace in the same run, and Debian's
# passt (/usr/bin/passt) the same way when installed.  Reported, never
# asserted.  Needs root for the topology.
#
# Usage: tests/bench/passt.sh [PASST_BINARY]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

BIN="${1:-build/passt}"
RELAY="$(dirname "$BIN")/tests/tap_relay"
GUEST_NS="pt-guest-${TOPO_ID}"
test_dir bench-passt "$BIN"
install -m 0755 "$RELAY" "$T/tap_relay"
trap 'topo_cleanup; ip netns del "$GUEST_NS" 2>/dev/null; rm -rf "$T"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 77; }
tun_usable
topo_setup || exit 1

# iperf NS [-R] - one 5 s iperf3 run from namespace NS to the upstream
# server, printing receiver Gbit/s
iperf() {
	local ns=$1
	shift
	ip netns exec "$UP_NS" timeout 30 iperf3 -s -B "$REMOTE4" -1 \
		>/dev/null 2>&1 &
	sleep 0.5
	ip netns exec "$ns" timeout 30 iperf3 -J -t 5 -c "$REMOTE4" "$@" \
		2>/dev/null | iperf_gbps
	wait
}

# guest_run PASST - start PASST (our build or Debian's) as the test user,
# connect a fresh guest namespace to it, measure both directions
guest_run() {
	local passt=$1 sock="$T/bench.sock" relay up down
	ip netns del "$GUEST_NS" 2>/dev/null
	ip netns add "$GUEST_NS" || return 1
	ip -n "$GUEST_NS" link set lo up
	ip -n "$GUEST_NS" tuntap add dev guest0 mode tap || return 1
	ip -n "$GUEST_NS" link set guest0 mtu 65520 up
	ip -n "$GUEST_NS" addr add "$HOST4/$PREFIX4" dev guest0
	ip -n "$GUEST_NS" route add default via "$UP4"
	rm -f "$T/bench.pid" "$sock"
	as_user "$passt" -q -s "$sock" -P "$T/bench.pid" -4 2>/dev/null ||
		return 1
	wait_file "$T/bench.pid" || return 1
	record_pid "$(cat "$T/bench.pid")"
	ip netns exec "$GUEST_NS" "$T/tap_relay" "$sock" guest0 &
	relay=$!
	record_pid $relay
	sleep 0.5
	up=$(iperf "$GUEST_NS")
	down=$(iperf "$GUEST_NS" -R)
	kill "$relay" "$(cat "$T/bench.pid")" 2>/dev/null
	echo "${up:-0} ${down:-0}"
}

du=$(iperf "$HOST_NS")
dd=$(iperf "$HOST_NS" -R)
read -r ou od <<<"$(guest_run "$T/passt")"
bench_row passt_upload direct "$du" Gbit/s "$du"
bench_row passt_upload ours "$ou" Gbit/s "$du"
bench_row passt_download direct "$dd" Gbit/s "$dd"
bench_row passt_download ours "$od" Gbit/s "$dd"
echo "passt_upload: direct ${du:-?} Gbit/s, through our passt ${ou} Gbit/s (ratio $(ratio "$ou" "$du"))"
echo "passt_download: direct ${dd:-?} Gbit/s, through our passt ${od} Gbit/s (ratio $(ratio "$od" "$dd"))"

if [ -x /usr/bin/passt ] && ! cmp -s /usr/bin/passt "$BIN"; then
	read -r uu ud <<<"$(guest_run /usr/bin/passt)"
	bench_row passt_upload debian "$uu" Gbit/s "$du"
	bench_row passt_download debian "$ud" Gbit/s "$dd"
	echo "passt_upload: Debian's passt ${uu} Gbit/s (ratio $(ratio "$uu" "$du"))"
	echo "passt_download: Debian's passt ${ud} Gbit/s (ratio $(ratio "$ud" "$dd"))"
fi
