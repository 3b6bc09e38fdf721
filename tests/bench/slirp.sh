#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/slirp.sh - slirp4netns (when installed) on the same topology, for a
# side-by-side with tests/bench/tcp.sh at MTU 65520: iperf3, one stream,
# 5 s, receiver Gbit/s,
#
#   tcp_up_65520:   from slirp4netns's namespace to the upstream server
#   tcp_down_65520: from upstream to the host's address, forwarded by
#                   slirp4netns (add_hostfwd through its API socket) to a
#                   server in its namespace
#
# with ratios to the direct veth transfer measured here in the same run.
# slirp4netns runs as root in the host namespace (it joins a namespace
# made with ip netns, which needs CAP_SYS_ADMIN; as the test user it would
# need a user namespace of its own: no difference for the data path),
# --disable-host-loopback.  Reported, never asserted.  Needs root.
#
# Usage: tests/bench/slirp.sh [PASST_BINARY] (the binary is not used)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

SECS="${BENCH_TIME:-5}"
TO=$((SECS + 30))
PORT=5301
SLIRP_NS="pt-slirp-${TOPO_ID}"
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 77; }
if ! command -v slirp4netns >/dev/null; then
	echo "slirp4netns: not installed, skipped"
	exit 0
fi
T=$(mktemp -d /tmp/pt-bench-slirp.XXXXXX) || exit 1
trap 'topo_cleanup; ip netns del "$SLIRP_NS" 2>/dev/null; rm -rf "$T"' EXIT
topo_setup || exit 1
ip netns add "$SLIRP_NS" || exit 1
ip -n "$SLIRP_NS" link set lo up

# xfer SERVER_NS BIND CLIENT_NS ADDR - one iperf3 run, prints Gbit/s
xfer() {
	ip netns exec "$1" timeout "$TO" iperf3 -s -B "$2" -p $PORT -1 \
		>/dev/null 2>&1 &
	for _ in $(seq 1 50); do
		ip netns exec "$1" ss -Hltn "sport = :$PORT" | grep -q . && break
		sleep 0.1
	done
	ip netns exec "$3" timeout "$TO" iperf3 -J -t "$SECS" -c "$4" \
		-p $PORT 2>/dev/null | iperf_gbps
	wait
}

d_up=$(xfer "$UP_NS" "$REMOTE4" "$HOST_NS" "$REMOTE4")
d_down=$(xfer "$HOST_NS" "$HOST4" "$UP_NS" "$HOST4")

in_host timeout -k 5 300 slirp4netns --configure --mtu=65520 \
	--disable-host-loopback --netns-type=path --api-socket "$T/api" \
	"/run/netns/$SLIRP_NS" tap0 >"$T/slirp.log" 2>&1 &
slirp=$!
record_pid $slirp
for _ in $(seq 1 50); do
	ip -n "$SLIRP_NS" -4 addr show tap0 2>/dev/null | grep -q inet &&
		[ -S "$T/api" ] && break
	sleep 0.1
done
echo '{"execute": "add_hostfwd", "arguments": {"proto": "tcp",' \
     '"host_addr": "0.0.0.0", "host_port": '$PORT', "guest_port": '$PORT'}}' |
	timeout 5 socat - "UNIX-CONNECT:$T/api" >"$T/api.out" 2>&1
s_up=$(xfer "$UP_NS" "$REMOTE4" "$SLIRP_NS" "$REMOTE4")
s_down=$(xfer "$SLIRP_NS" 0.0.0.0 "$UP_NS" "$HOST4")
kill $slirp 2>/dev/null

echo "slirp4netns: MTU 65520: direct veth upload ${d_up:-?} Gbit/s," \
     "download ${d_down:-?} Gbit/s; slirp4netns upload ${s_up:-?} Gbit/s" \
     "(ratio $(ratio "$s_up" "$d_up")), download ${s_down:-?} Gbit/s" \
     "(ratio $(ratio "$s_down" "$d_down"))"
[ -n "$s_down" ] || { echo "slirp4netns: API:"; cat "$T/api.out" "$T/slirp.log"; }
bench_row tcp_up_65520 slirp4netns "$s_up" Gbit/s "$d_up"
bench_row tcp_down_65520 slirp4netns "$s_down" Gbit/s "$d_down"
