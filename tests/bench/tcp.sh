#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/tcp.sh - TCP throughput through the tap, reported, never asserted
#
# Usage: tests/bench/tcp.sh [PASST_BINARY]
#
# iperf3, one stream, 5 s, on the topology of tests/lib/topology.sh:
#   upload:   client in the pasta namespace, server in upstream (REMOTE4)
#   download: server in the pasta namespace behind -t, client in upstream
#             connecting to the host's address (HOST4)
# at pasta MTU 65520 (default) and 1500 (-m 1500), each as Gbit/s received
# and as a ratio to the same transfer run directly over the veth (host
# namespace to upstream) in the same run.  Debian's pasta (/usr/bin/pasta,
# package passt) is measured the same way when installed.
#
# Both pastas run as the unprivileged test user: Debian's pasta, started as
# root, switches to nobody on its own and then can't write its UID map.
# Debian 12's pasta (0.0~git20230309) uploads slowly here for a reason of
# its own, not of this setup: in its namespace, nstat shows about 9% of the
# segments retransmitted (TcpRetransSegs 129 of 1468 in 4 s, RTO backoff
# 4 in ss -ti), where ours shows none.
#
# BENCH_TIME overrides the 5 s per transfer.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

BIN="${1:-build/passt}"
SECS="${BENCH_TIME:-5}"
PORT=5301
TO=$((SECS + 30))

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root to build the test topology" >&2
	exit 77
fi
if ! command -v iperf3 >/dev/null; then
	echo "bench: iperf3 not installed" >&2
	exit 77
fi
test_dir bench-tcp "$BIN"
trap 'topo_cleanup; rm -rf "$T"' EXIT
tun_usable
topo_setup || exit 1

# up_server - start a one-shot iperf3 server in upstream, wait for it
up_server() {
	in_up timeout "$TO" iperf3 -s -B "$REMOTE4" -p $PORT -1 \
		>/dev/null 2>&1 &
	for _ in $(seq 1 50); do
		in_up ss -Hltn "sport = :$PORT" | grep -q . && return 0
		sleep 0.1
	done
}

# upload PASTA [ARGS...] - Gbit/s from the pasta namespace to upstream
upload() {
	local p=$1
	shift
	up_server
	as_user timeout -k 5 "$TO" "$p" -q --config-net "$@" -- \
		iperf3 -J -t "$SECS" -c "$REMOTE4" -p $PORT 2>/dev/null |
		iperf_gbps
	wait
}

# download PASTA [ARGS...] - Gbit/s from upstream into the pasta namespace
download() {
	local p=$1 pid
	shift
	rm -f "$T/ready"
	as_user timeout -k 5 "$TO" "$p" -q --config-net -t $PORT "$@" -- \
		sh -c "iperf3 -s -1 -p $PORT >/dev/null 2>&1 & pid=\$!
		for i in \$(seq 1 50); do
			ss -Hltn 'sport = :$PORT' | grep -q . && break
			sleep 0.1
		done
		touch $T/ready
		wait \$pid" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		[ -e "$T/ready" ] && break
		sleep 0.1
	done
	in_up timeout "$TO" iperf3 -J -t "$SECS" -c "$HOST4" -p $PORT \
		2>/dev/null | iperf_gbps
	wait $pid
}

up_server
d_up=$(in_host timeout "$TO" iperf3 -J -t "$SECS" -c "$REMOTE4" -p $PORT \
	2>/dev/null | iperf_gbps)
wait
in_host timeout "$TO" iperf3 -s -B "$HOST4" -p $PORT -1 >/dev/null 2>&1 &
sleep 0.5
d_down=$(in_up timeout "$TO" iperf3 -J -t "$SECS" -c "$HOST4" -p $PORT \
	2>/dev/null | iperf_gbps)
wait
echo "tcp: direct veth: upload ${d_up:-?} Gbit/s, download ${d_down:-?} Gbit/s"

upstream=/usr/bin/pasta
for mtu in 65520 1500; do
	margs=()
	[ $mtu = 65520 ] || margs=(-m "$mtu")
	o_up=$(upload "$T/pasta" "${margs[@]}")
	o_down=$(download "$T/pasta" "${margs[@]}")
	bench_row "tcp_up_$mtu" direct "$d_up" Gbit/s "$d_up"
	bench_row "tcp_up_$mtu" ours "$o_up" Gbit/s "$d_up"
	bench_row "tcp_down_$mtu" direct "$d_down" Gbit/s "$d_down"
	bench_row "tcp_down_$mtu" ours "$o_down" Gbit/s "$d_down"
	echo "tcp: MTU $mtu, ours: upload ${o_up:-?} Gbit/s" \
	     "(ratio $(ratio "$o_up" "$d_up")), download ${o_down:-?} Gbit/s" \
	     "(ratio $(ratio "$o_down" "$d_down"))"
	if [ -x "$upstream" ] && ! cmp -s "$upstream" "$BIN"; then
		u_up=$(upload "$upstream" "${margs[@]}")
		u_down=$(download "$upstream" "${margs[@]}")
		bench_row "tcp_up_$mtu" debian "$u_up" Gbit/s "$d_up"
		bench_row "tcp_down_$mtu" debian "$u_down" Gbit/s "$d_down"
		echo "tcp: MTU $mtu, Debian pasta: upload ${u_up:-?} Gbit/s" \
		     "(ratio $(ratio "$u_up" "$d_up")), download" \
		     "${u_down:-?} Gbit/s (ratio $(ratio "$u_down" "$d_down"));" \
		     "ours/Debian: upload $(ratio "$o_up" "$u_up")," \
		     "download $(ratio "$o_down" "$u_down")"
	fi
done
