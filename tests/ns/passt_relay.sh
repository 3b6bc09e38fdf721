#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt_relay.sh - passt serving a guest that is a real Linux network stack:
# a tap device in a 'guest' namespace, connected to passt's socket by
# tests/lib/tap_relay.c.  Fast enough for every check, unlike the qemu test.
#
# Cases run in order on one guest connection: dhcp (udhcpc), slaac, dhcpv6
# (dhclient -6), ping, tcp (both ways, -t, sha256), udp (both ways, -u),
# second (a concurrent client is refused, the first keeps working),
# reconnect (a new guest after the first left gets full service), then
# lossy (a new guest whose relay drops 1% of the frames and reorders 1%:
# 64 MiB each way).  passt runs as root and as an unprivileged user.
#
# Usage: tests/ns/passt_relay.sh PASST_BINARY
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/lib/guest.sh

BIN="${1:?usage: $0 PASST_BINARY}"
PRIVS="${PRIVS:-root user}"
RELAY="$(dirname "$BIN")/tests/tap_relay"
test_dir relay "$BIN"
install -m 0755 tests/lib/dhcp-record.sh "$T/dhcp-record.sh"
install -m 0755 "$RELAY" "$T/tap_relay"
install -m 0755 tests/lib/udp_peer.py "$T/udp_peer.py"
trap 'topo_cleanup; ip netns del "$GUEST_NS" 2>/dev/null; rm -rf "$T"' EXIT

# passt_start PRIV SOCKET [OPTION...] - start passt in the background
passt_start() {
	local run=in_host priv=$1 sock=$2
	shift 2
	[ "$priv" = user ] && run=as_user
	rm -f "$T/passt.pid" "$T/passt.log" "$sock"
	$run "$T/passt" -s "$sock" -P "$T/passt.pid" -l "$T/passt.log" \
		--debug "$@" 2>"$T/passt.err" ||
		{ cat "$T/passt.err" >&2; return 1; }
	wait_file "$T/passt.pid" || return 1
	record_pid "$(cat "$T/passt.pid")"
}

# sha FILE - sha256 of a file
sha() { sha256sum <"$1" | cut -d' ' -f1; }

case_dhcp() {
	local rec
	printf '#!/bin/sh\nDHCP_RECORD=%s exec %s "$@"\n' "$T/dhcp.rec" \
		"$T/dhcp-record.sh" >"$T/dhcp.sh"
	chmod 0755 "$T/dhcp.sh"
	in_guest timeout 20 udhcpc -i guest0 -f -q -n -t 5 -T 2 \
		-s "$T/dhcp.sh" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	rec=$(cat "$T/dhcp.rec")
	grep -q "^ip=$HOST4\$" <<<"$rec" && grep -q "^router=$UP4\$" <<<"$rec" ||
		{ echo "lease: $rec" >&2; return 1; }
}

case_slaac() {
	for _ in $(seq 1 100); do
		in_guest ip -6 addr show dev guest0 scope global |
			grep -v tentative | grep -q "inet6 2001:db8:1::" && return 0
		sleep 0.1
	done
	in_guest ip -6 addr show dev guest0 >&2
	return 1
}

case_dhcpv6() {
	for _ in $(seq 1 50); do
		in_guest ip -6 addr show dev guest0 scope link |
			grep -q tentative || break
		sleep 0.1
	done
	in_guest timeout 20 dhclient -6 -1 -cf /dev/null -sf /bin/true \
		-lf "$T/d6.lease" -pf "$T/d6.pid" guest0 >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
	kill "$(cat "$T/d6.pid")" 2>/dev/null
	grep -q "iaaddr $HOST6" "$T/d6.lease" ||
		{ cat "$T/d6.lease" >&2; return 1; }
}

case_ping() {
	in_guest ping -c1 -W5 "$UP4" >"$T/out" 2>&1 &&
		in_guest ping -c2 -i0.2 -W5 "$REMOTE4" >>"$T/out" 2>&1 &&
		in_guest ping -6 -c2 -i0.2 -W5 "$REMOTE6" >>"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
}

# tcp: 8 MiB from an upstream server to the guest (IPv4 and IPv6), and
# 8 MiB from the upstream namespace to a guest server through -t 10022
case_tcp() {
	local want srv
	head -c 8388608 /dev/urandom >"$T/blob"
	want=$(sha "$T/blob")
	for dst in "4:$REMOTE4" "6:[$REMOTE6]"; do
		ip netns exec "$UP_NS" timeout 30 socat -u "FILE:$T/blob" \
			"TCP${dst%%:*}-LISTEN:18080,reuseaddr" 2>/dev/null &
		srv=$!
		sleep 0.2
		dst=${dst#?:}
		in_guest timeout 30 socat -u "TCP:$dst:18080" \
			"CREATE:$T/got" 2>"$T/out" || { cat "$T/out" >&2; return 1; }
		wait $srv
		[ "$(sha "$T/got")" = "$want" ] ||
			{ echo "guest fetch from $dst: sha256 mismatch" >&2; return 1; }
	done
	ip netns exec "$GUEST_NS" timeout 30 socat -u "FILE:$T/blob" \
		"TCP-LISTEN:10022,reuseaddr" 2>/dev/null &
	srv=$!
	sleep 0.2
	in_up timeout 30 socat -u "TCP:$HOST4:10022" "CREATE:$T/got" 2>"$T/out" ||
		{ cat "$T/out" >&2; return 1; }
	wait $srv
	[ "$(sha "$T/got")" = "$want" ] ||
		{ echo "-t 10022 into the guest: sha256 mismatch" >&2; return 1; }
}

# udp_echo NS ADDR PORT - start an echo server (tests/lib/udp_peer.py) in a
# namespace, wait until it is bound
udp_echo() {
	rm -f "$T/ready"
	ip netns exec "$1" timeout 15 "$T/udp_peer.py" echo "$2" "$3" \
		--ready "$T/ready" &
	record_pid $!
	wait_file "$T/ready"
}

# udp: 1000-byte datagrams from the guest to upstream echo servers (IPv4 and
# IPv6) come back intact, and so does one sent through -u 10053 to a guest
# echo server
case_udp() {
	udp_echo "$UP_NS" "$REMOTE4" 15353 &&
		in_guest timeout 10 "$T/udp_peer.py" client "$REMOTE4" 15353 1000 ||
		{ echo "guest -> upstream (IPv4) failed" >&2; return 1; }
	udp_echo "$UP_NS" "$REMOTE6" 15354 &&
		in_guest timeout 10 "$T/udp_peer.py" client "$REMOTE6" 15354 1000 ||
		{ echo "guest -> upstream (IPv6) failed" >&2; return 1; }
	udp_echo "$GUEST_NS" 0.0.0.0 10053 &&
		in_up timeout 10 "$T/udp_peer.py" client "$HOST4" 10053 1000 ||
		{ echo "upstream -> guest through -u failed" >&2; return 1; }
}

# second: a client connecting while the guest is served gets closed without
# a frame, and the guest keeps working
case_second() {
	timeout 5 socat -u "UNIX-CONNECT:$1" - >"$T/second" 2>/dev/null
	[ -s "$T/second" ] && { echo "second client got data" >&2; return 1; }
	in_guest ping -c1 -W5 "$REMOTE4" >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
}

# reconnect: the first guest leaves; a new one gets an address and service
case_reconnect() {
	kill "$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null
	guest_setup || return 1
	in_guest ip link set guest0 address 02:00:00:00:aa:02
	relay_start "$1"
	case_dhcp && case_slaac && case_ping
}

# lossy_xfer WHAT FILE SERVER_NS LISTEN CLIENT_NS TARGET - FILE from a
# socat server in SERVER_NS (LISTEN: socat's listen address) to a client in
# CLIENT_NS (TARGET: socat's connect address), sha256 compared, time shown
lossy_xfer() {
	local srv t0
	ip netns exec "$3" timeout 240 socat -u "FILE:$2" "$4" 2>/dev/null &
	srv=$!
	sleep 0.2
	t0=$(date +%s%N)
	ip netns exec "$5" timeout 240 socat -u "$6" "CREATE:$T/got" \
		2>"$T/out" || { cat "$T/out" >&2; echo "lossy: $1: got" \
		"$(stat -c %s "$T/got" 2>/dev/null) bytes" >&2; return 1; }
	echo "lossy: $1 $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
	wait $srv
	[ "$(sha "$T/got")" = "$(sha "$2")" ] ||
		{ echo "lossy: $1: sha256 mismatch" >&2; return 1; }
}

# lossy: a new guest whose relay drops 1% of the frames and sends another
# 1% after the frame that followed them, both ways (this kernel has no
# netem): 64 MiB from upstream to the guest and 64 MiB from the guest
# through -t arrive intact, and the relay's counts show it did both
case_lossy() {
	local dropped reordered
	kill "$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null
	guest_setup || return 1
	in_guest ip link set guest0 address 02:00:00:00:aa:03
	: > "$T/relay.err"
	relay_start "$1" 10 10
	case_dhcp || return 1
	head -c 67108864 /dev/urandom >"$T/blob"
	lossy_xfer "download" "$T/blob" "$UP_NS" \
		"TCP4-LISTEN:18081,reuseaddr" "$GUEST_NS" "TCP:$REMOTE4:18081" ||
		return 1
	lossy_xfer "upload through -t" "$T/blob" "$GUEST_NS" \
		"TCP-LISTEN:10022,reuseaddr" "$UP_NS" "TCP:$HOST4:10022" ||
		return 1
	kill "$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null
	dropped=$(sed -n 's/^tap_relay: dropped \([0-9]*\) .*/\1/p' "$T/relay.err")
	reordered=$(sed -n 's/.* reordered \([0-9]*\)$/\1/p' "$T/relay.err")
	echo "lossy: relay dropped ${dropped:-?} and reordered" \
	     "${reordered:-?} frames; passt resent after 3 duplicate ACKs" \
	     "$(grep -c '3 duplicate ACKs' "$T/passt.log") times, after a" \
	     "timeout $(grep -c 'TCP: timeout, resending' "$T/passt.log")" >&2
	[ "${dropped:-0}" -gt 0 ] && [ "${reordered:-0}" -gt 0 ]
}

tun_usable
topo_setup || { result fail passt_relay/topology; exit 1; }
for priv in $PRIVS; do
	sock="$T/passt-$priv.sock"
	if ! guest_setup || ! passt_start "$priv" "$sock" -t 10022 -u 10053; then
		result fail "passt_relay/start/$priv"
		continue
	fi
	relay_start "$sock"
	for c in ${CASES:-dhcp slaac dhcpv6 ping tcp udp second reconnect lossy}; do
		if "case_$c" "$sock"; then
			result pass "passt_relay/$c/$priv"
		else
			result fail "passt_relay/$c/$priv"
			tail -n 15 "$T/passt.log" >&2
		fi
	done
	kill "$RELAY_PID" 2>/dev/null
	pp=$(cat "$T/passt.pid")
	kill "$pp" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$pp" 2>/dev/null || break
		sleep 0.1
	done
done
