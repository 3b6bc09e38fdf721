#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp.sh - UDP translation through pasta: namespace to upstream echo servers
# (small and ~60000-byte datagrams), -u forwarding into the namespace, the
# gateway address mapped to the host's loopback (and --no-map-gw), DNS
# forwarding (also to a loopback stub resolver), ICMP port unreachable
# relayed as ECONNREFUSED.  Every case runs with pasta started as root and
# as an unprivileged user.
#
# Usage: tests/ns/udp.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-echo4 echo6 big4 big6 fwd4 fwd6 fwd_map gw4 gw6 no_map_gw dns4 dns6 dns_stub refused4 refused6}"
PRIVS="${PRIVS:-root user}"
PY=/usr/bin/python3
test_dir udp "$BIN"
install -m 0755 tests/lib/udp_peer.py "$T/udp_peer.py"
PEER="$T/udp_peer.py"
TO=30
ECHO_PORT=5000
FWD_PORT=5001
GW_PORT=5002
DNS4=198.51.100.53
DNS6=2001:db8:2::53

trap 'topo_cleanup; rm -rf "$T"' EXIT

# echo_server NS NAME ADDR PORT - start an echo server in NS ("up" or
# "host"), logging to $T/NAME.log; wait until it is bound
echo_server() {
	local ns=$UP_NS name=$2 addr=$3 port=$4
	[ "$1" = up ] || ns=$HOST_NS
	rm -f "$T/$name.ready" "$T/$name.log"
	# Not through in_up/in_host: $! must be timeout's PID (ip execs it),
	# not a subshell's, so that ending it ends the server
	ip netns exec "$ns" timeout 600 "$PY" "$PEER" echo "$addr" "$port" \
		--ready "$T/$name.ready" --log "$T/$name.log" &
	SRV_PID=$!
	record_pid $SRV_PID
	wait_file "$T/$name.ready"
}

# stop_server - end the server started last (it holds its port)
stop_server() {
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
}

# client PRIV ARGS... - run the checking client in a pasta namespace
client() {
	local priv=$1
	shift
	pasta_run "$priv" --config-net -- timeout 20 "$PY" "$PEER" client "$@" \
		>"$T/out" 2>&1
}

# expect_ok PRIV ARGS... - the client must get its payload back
expect_ok() {
	client "$@" || { cat "$T/out" >&2; return 1; }
}

case_echo4() { expect_ok "$1" "$REMOTE4" $ECHO_PORT 100; }
case_echo6() { expect_ok "$1" "$REMOTE6" $ECHO_PORT 100; }
case_big4() { expect_ok "$1" "$REMOTE4" $ECHO_PORT 60000; }
case_big6() { expect_ok "$1" "$REMOTE6" $ECHO_PORT 60000; }

# fwd ADDR PRIV [PASTA_PORT_SPEC GUEST_PORT] - -u: a client upstream
# reaches a server in the namespace through HOST address, gets its reply
fwd() {
	local addr=$1 priv=$2 spec=${3:-$FWD_PORT} gport=${4:-$FWD_PORT}
	local any=0.0.0.0 pp rc=0
	[ "${addr#*:}" != "$addr" ] && any=::
	rm -f "$T/fwd.ready" "$T/fwd.out"
	pasta_run "$priv" --config-net -u "$spec" -- \
		timeout 20 "$PY" "$PEER" echo $any "$gport" --count 1 \
		--ready "$T/fwd.ready" >"$T/fwd.out" 2>&1 &
	pp=$!
	wait_file "$T/fwd.ready" || { kill $pp; cat "$T/fwd.out" >&2; return 1; }
	in_up timeout 20 "$PY" "$PEER" client "$addr" $FWD_PORT 1000 \
		>"$T/out" 2>&1 || rc=1
	wait $pp || rc=1
	[ $rc = 0 ] || cat "$T/out" "$T/fwd.out" >&2
	return $rc
}

case_fwd4() { fwd "$HOST4" "$1"; }
case_fwd6() { fwd "$HOST6" "$1"; }
# fwd_map: host port 5001 to namespace port 6001, IPv4 into a dual-stack bind
case_fwd_map() { fwd "$HOST4" "$1" "$FWD_PORT:6001" 6001; }

# gw ADDR LOOPBACK PRIV - the gateway address reaches the host's loopback,
# and the reply comes from the gateway address
gw() {
	local gw=$1 lo=$2 priv=$3
	local rc=0
	echo_server host gw "$lo" $GW_PORT || return 1
	expect_ok "$priv" "$gw" $GW_PORT 200 || rc=1
	stop_server
	[ $rc = 0 ] || return 1
	grep -q ' 200$' "$T/gw.log" || { echo "server got nothing" >&2; return 1; }
}

case_gw4() { gw "$UP4" 127.0.0.1 "$1"; }
case_gw6() { gw "$UP6" ::1 "$1"; }

# no_map_gw: the datagram goes to the real gateway, where nobody listens
case_no_map_gw() {
	local rc
	echo_server host nomap 127.0.0.1 $GW_PORT || return 1
	pasta_run "$1" --config-net --no-map-gw -- timeout 20 "$PY" "$PEER" \
		client "$UP4" $GW_PORT 200 --tries 1 >"$T/out" 2>&1
	rc=$?
	stop_server
	if [ $rc = 0 ] || [ $rc = 1 ] || [ -s "$T/nomap.log" ]; then
		echo "--no-map-gw: reached the host's loopback (client $rc)" >&2
		cat "$T/out" >&2
		return 1
	fi
}

# dns ADDR RESOLVER PRIV - a query to the forward address reaches the
# resolver (the topology's resolv.conf names UP4 and UP6), and the answer
# comes back from ADDR (the client's socket is connected to it)
dns() {
	local addr=$1 log=$2 priv=$3
	: > "$T/$log.log"
	pasta_run "$priv" --config-net --dns-forward "$addr" -- timeout 20 \
		"$PY" "$PEER" client "$addr" 53 64 >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
	grep -q ' 64$' "$T/$log.log" ||
		{ echo "resolver got nothing" >&2; return 1; }
}

case_dns4() { dns $DNS4 dns4 "$1"; }
case_dns6() { dns $DNS6 dns6 "$1"; }

# dns_stub: the host's only resolver is a loopback stub (127.0.0.53): a
# query to the gateway address reaches it, the answer comes from the gateway
case_dns_stub() {
	local rc=0 rconf="/etc/netns/$HOST_NS/resolv.conf"
	cp "$rconf" "$T/resolv.conf.saved"
	printf 'nameserver 127.0.0.53\n' > "$rconf"
	echo_server host stub 127.0.0.53 53 || rc=1
	[ $rc = 0 ] && { expect_ok "$1" "$UP4" 53 64 || rc=1; }
	stop_server
	cat "$T/resolv.conf.saved" > "$rconf"
	[ $rc = 0 ] || return 1
	grep -q ' 64$' "$T/stub.log" ||
		{ echo "stub resolver got nothing" >&2; return 1; }
}

# refused ADDR PRIV - nobody listens: the client gets ECONNREFUSED
refused() {
	local rc
	client "$2" "$1" 5999 10 --tries 1
	rc=$?
	[ $rc = 2 ] || { echo "client status $rc, expected 2" >&2;
			 cat "$T/out" >&2; return 1; }
}

case_refused4() { refused "$REMOTE4" "$1"; }
case_refused6() { refused "$REMOTE6" "$1"; }

[ -x "$PY" ] || { echo "udp: $PY missing" >&2; exit 77; }
tun_usable
topo_setup || { result fail topology; exit 1; }
echo_server up echo4 "$REMOTE4" $ECHO_PORT &&
echo_server up echo6 "$REMOTE6" $ECHO_PORT &&
echo_server up dns4 "$UP4" 53 &&
echo_server up dns6 "$UP6" 53 || { result fail udp/servers; exit 1; }
for priv in $PRIVS; do
	for c in $CASES; do
		if "case_$c" "$priv"; then
			result pass "udp/$c/$priv"
		else
			result fail "udp/$c/$priv"
		fi
	done
done
