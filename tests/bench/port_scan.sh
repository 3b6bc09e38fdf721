#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# port_scan.sh - what one automatic forwarding scan costs: inet_diag dumps
# (pasta/port_scan.c, what pasta uses) against reading /proc/net/tcp{,6}
# and /proc/net/udp{,6}, with 10 and 1000 sockets, in a new network
# namespace (unshare -rn: no root needed, nothing sent anywhere).
#
# Usage: tests/bench/port_scan.sh
set -u
cd "$(dirname "$0")/../.." || exit 1

make -s build/libcore.a || exit 1
D=$(mktemp -d /tmp/pt-port-scan.XXXXXX) || exit 1
trap 'rm -rf "$D"' EXIT
# shellcheck disable=SC2046
cc -O2 -D_GNU_SOURCE -Iinclude $(pkg-config --cflags libmnl) \
	tests/bench/port_scan_cost.c build/libcore.a \
	$(pkg-config --libs libmnl) -o "$D/port_scan_cost" || exit 1
chmod 0755 "$D" "$D/port_scan_cost"

for n in 10 1000; do
	timeout 120 unshare -rn sh -c "ip link set lo up && \
		$D/port_scan_cost $n 200" || echo "port_scan: run with $n failed"
done
