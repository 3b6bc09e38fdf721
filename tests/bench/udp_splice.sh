#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/udp_splice.sh - loopback UDP between the host and a namespace:
# pasta's recvmmsg()/sendmmsg() relay (-u), the eBPF fast path's UDP
# program (a connected pair of sockets in the maps, tests/lib/fp_udp), a
# bare recvmmsg()/sendmmsg() relay between the same namespaces, and direct
# loopback, in the same run, for datagrams of 1400, 32000 and 65000 bytes.
# One sender blasts for $SECS seconds; received Gbit/s and the ratio to
# direct loopback are printed (never pass/fail).  This measurement is why
# pasta's loopback UDP takes the relay, not the UDP program: see the man
# page, "eBPF fast path".
#
# Usage: tests/bench/udp_splice.sh [PASST_BINARY]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/bench/lib.sh

BIN="${1:-build/passt}"
SECS=${SECS:-3}
FPU="$(dirname "$BIN")/tests/fp_udp"
if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root to build the test topology" >&2
	exit 77
fi
[ -x "$FPU" ] || { echo "bench: build $FPU first (make unit)" >&2; exit 1; }
T=$(mktemp -d /tmp/pt-bench-udp.XXXXXX)
chmod 0777 "$T"
install -m 0755 "$BIN" "$T/passt"
ln -s passt "$T/pasta"
trap 'topo_cleanup; rm -rf "$T"' EXIT
topo_setup || exit 1

# udp_gbps ARGS... - received Gbit/s of one fp_udp run, "?" if it failed
udp_gbps() {
	local v
	v=$(in_host timeout $((SECS + 20)) "$FPU" --bench "$SECS" "$@" \
		2>/dev/null | sed -n 's/^gbps=//p')
	echo "${v:-?}"
}

# pasta as the test user forwards host 127.0.0.1:5400 into its namespace
rm -f "$T/pid"
as_user timeout $((SECS * 12 + 30)) "$T/pasta" -q --config-net -u 5400 \
	-t none -T none -U none -- sh -c "echo \$\$ >$T/pid; exec sleep $((SECS * 12 + 20))" &
pp=$!
wait_file "$T/pid" || { echo "bench: pasta did not start" >&2; exit 1; }
sleep 0.5

for size in 1400 32000 65000; do
	d=$(udp_gbps --ns "/run/netns/$UP_NS" --path direct --size $size)
	p=$(udp_gbps --ns "/proc/$(cat "$T/pid")/ns/net" --to 5400 --size $size)
	f=$(udp_gbps --ns "/run/netns/$UP_NS" --path fast --size $size)
	r=$(udp_gbps --ns "/run/netns/$UP_NS" --path relay --size $size)
	echo "udp_splice $size bytes (received Gbit/s): direct loopback $d," \
	     "pasta relay $p ($(ratio "$p" "$d")), eBPF UDP program $f" \
	     "($(ratio "$f" "$d")), bare recvmmsg/sendmmsg relay $r" \
	     "($(ratio "$r" "$d")); program/pasta $(ratio "$f" "$p")"
	bench_row "udpsplice_$size" direct "$d" Gbit/s
	bench_row "udpsplice_$size" ours "$p" Gbit/s "$d"
	bench_row "udpsplice_$size" bpf-udp-program "$f" Gbit/s "$d"
done
kill "$pp" 2>/dev/null
wait "$pp" 2>/dev/null
exit 0
