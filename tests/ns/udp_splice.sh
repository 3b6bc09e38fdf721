#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp_splice.sh - pasta's loopback bypass for UDP: host loopback clients
# reach servers bound to the namespace's loopback through -u (with port
# translation), namespace loopback clients reach host loopback servers
# through -U, IPv4 and IPv6, checked echo exchanges and socat file
# transfers (shut-null / null-eof) with sha256 compared, and no endless loop
# when a port is forwarded both ways.  Proof of the
# bypass: servers bound to loopback only (the tap path can't reach them),
# the loopback source address they see, and the daemon's debug counters.
# Every case runs with pasta started as root and as an unprivileged user.
#
# Usage: tests/ns/udp_splice.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-in4 in6 out4 out6 socat_in4 socat_in6 socat_out4 socat_out6 loop}"
PRIVS="${PRIVS:-root user}"
PY=/usr/bin/python3
test_dir udp_splice "$BIN"
install -m 0755 tests/lib/udp_peer.py "$T/udp_peer.py"
PEER="$T/udp_peer.py"
TO=30
PORT=7100	# forwarded port, on the side of the client
TPORT=7200	# translated port, on the side of the server
COUNT=20	# checked exchanges per echo case
head -c 65536 /dev/urandom > "$T/src"
chmod 0644 "$T/src"

trap 'topo_cleanup; rm -rf "$T"' EXIT

# lo V - the loopback address of IP version V
lo() { if [ "$1" = 6 ]; then echo ::1; else echo 127.0.0.1; fi; }

# bypassed WAY V - the debug log shows a bypass flow and counted datagrams
# both ways; WAY is "host" (from the host, -u) or "namespace" (-U)
bypassed() {
	grep -q "loopback bypass: new flow from $1 port .* (IPv$2)" \
		"$T/pasta.log" &&
	grep -q "loopback bypass: .* datagrams to the namespace so far" \
		"$T/pasta.log" &&
	grep -q "loopback bypass: .* datagrams to the host so far" \
		"$T/pasta.log" && return 0
	echo "no loopback bypass in the debug log:" >&2
	grep UDP "$T/pasta.log" | tail -n 5 >&2
	return 1
}

# from_lo LOG V - every datagram the server logged came from loopback
from_lo() {
	[ -s "$1" ] || { echo "server got nothing" >&2; return 1; }
	if grep -v "^$(lo "$2") " "$1" | grep -q .; then
		echo "server saw other sources: $(sort -u "$1" | head -n 3)" >&2
		return 1
	fi
}

# echo_in V PRIV - host loopback client, -u PORT:TPORT, echo server bound
# to the namespace's loopback at TPORT
echo_in() {
	local v=$1 priv=$2 pp rc=0
	rm -f "$T/srv.ready" "$T/srv.log"
	pasta_run "$priv" --config-net -d -u $PORT:$TPORT -- timeout 20 \
		"$PY" "$PEER" echo "$(lo "$v")" $TPORT --count $COUNT \
		--ready "$T/srv.ready" --log "$T/srv.log" >"$T/pasta.log" 2>&1 &
	pp=$!
	wait_file "$T/srv.ready" || { kill $pp; cat "$T/pasta.log" >&2;
				      return 1; }
	in_host timeout 20 "$PY" "$PEER" client "$(lo "$v")" $PORT 1000 \
		--count $COUNT >"$T/out" 2>&1 || { cat "$T/out" >&2; rc=1; }
	wait $pp || rc=1
	[ $rc = 0 ] || return 1
	from_lo "$T/srv.log" "$v" && bypassed host "$v"
}

case_in4() { echo_in 4 "$1"; }
case_in6() { echo_in 6 "$1"; }

# echo_out V PRIV - namespace loopback client, -U PORT:TPORT, echo server
# bound to the host's loopback at TPORT
echo_out() {
	local v=$1 priv=$2 sp rc=0
	rm -f "$T/srv.ready" "$T/srv.log"
	in_host timeout 30 "$PY" "$PEER" echo "$(lo "$v")" $TPORT \
		--count $COUNT --ready "$T/srv.ready" --log "$T/srv.log" &
	sp=$!
	record_pid $sp
	wait_file "$T/srv.ready" || return 1
	pasta_run "$priv" --config-net -d -U $PORT:$TPORT -- timeout 20 \
		"$PY" "$PEER" client "$(lo "$v")" $PORT 1000 --count $COUNT \
		>"$T/pasta.log" 2>&1 || { cat "$T/pasta.log" >&2; rc=1; }
	wait $sp || rc=1
	[ $rc = 0 ] || return 1
	from_lo "$T/srv.log" "$v" && bypassed namespace "$v"
}

case_out4() { echo_out 4 "$1"; }
case_out6() { echo_out 6 "$1"; }

# socat_recv V PORT - socat receiving one file on loopback, ending on an
# empty datagram, into $T/got
socat_recv() {
	local addr
	addr=$(lo "$1")
	[ "$1" = 6 ] && addr="[$addr]"
	echo "socat -u UDP$1-RECV:$2,bind=$addr,null-eof OPEN:$T/got,creat,trunc"
}

# socat_send V PORT - socat sending $T/src to loopback, then an empty
# datagram
socat_send() {
	local addr
	addr=$(lo "$1")
	[ "$1" = 6 ] && addr="[$addr]"
	echo "socat -u -b 4096 OPEN:$T/src UDP$1-SENDTO:$addr:$2,shut-null"
}

# same - the received file is the one sent
same() {
	[ "$(sha256sum < "$T/src")" = "$(sha256sum < "$T/got" 2>/dev/null)" ] &&
		return 0
	echo "received $(stat -c %s "$T/got" 2>/dev/null || echo no) bytes" \
	     "of $(stat -c %s "$T/src"), or content differs" >&2
	return 1
}

# one_way FROM TO V - the debug log shows a bypass flow from FROM ("host"
# or "namespace") and at least 16 datagrams (the file, 4 KiB each)
# counted towards TO
one_way() {
	grep -q "loopback bypass: new flow from $1 port .* (IPv$3)" \
		"$T/pasta.log" &&
	awk -v to="$2" '$0 ~ "datagrams to the " to " so far" {
		for (i = 1; i < NF; i++) if ($i == "bypass:") n = $(i + 1)
	} END { exit !(n >= 16) }' "$T/pasta.log" && return 0
	echo "no loopback bypass in the debug log:" >&2
	grep UDP "$T/pasta.log" | tail -n 5 >&2
	return 1
}

# socat_in V PRIV - a file from the host's loopback into the namespace
socat_in() {
	local v=$1 priv=$2 pp rc=0
	rm -f "$T/got" "$T/srv.ready"
	# The receiver says it's ready once its socket is bound
	pasta_run "$priv" --config-net -d -u $PORT:$TPORT -- timeout 20 sh -c "
		$(socat_recv "$v" $TPORT) & p=\$!
		for i in \$(seq 1 50); do
			ss -Hlun 'sport = :$TPORT' | grep -q . && break
			sleep 0.1
		done
		echo ready > $T/srv.ready
		wait \$p" >"$T/pasta.log" 2>&1 &
	pp=$!
	wait_file "$T/srv.ready" || { kill $pp; return 1; }
	# shellcheck disable=SC2046 # a command line, split on purpose
	in_host timeout 10 $(socat_send "$v" $PORT) || rc=1
	wait $pp || rc=1
	[ $rc = 0 ] || { tail -n 5 "$T/pasta.log" >&2; return 1; }
	same && one_way host namespace "$v"
}

case_socat_in4() { socat_in 4 "$1"; }
case_socat_in6() { socat_in 6 "$1"; }

# socat_out V PRIV - a file from the namespace's loopback to the host's
socat_out() {
	local v=$1 priv=$2 sp rc=0
	rm -f "$T/got"
	# shellcheck disable=SC2046 # a command line, split on purpose
	in_host timeout 30 $(socat_recv "$v" $TPORT) &
	sp=$!
	record_pid $sp
	for _ in $(seq 1 50); do
		in_host ss -Hlun "sport = :$TPORT" | grep -q . && break
		sleep 0.1
	done
	# shellcheck disable=SC2046 # a command line, split on purpose
	pasta_run "$priv" --config-net -d -U $PORT:$TPORT -- timeout 10 \
		$(socat_send "$v" $PORT) >"$T/pasta.log" 2>&1 || rc=1
	wait $sp || rc=1
	[ $rc = 0 ] || { tail -n 5 "$T/pasta.log" >&2; return 1; }
	same && one_way namespace host "$v"
}

case_socat_out4() { socat_out 4 "$1"; }
case_socat_out6() { socat_out 6 "$1"; }

# loop: -u PORT:TPORT with -U TPORT:PORT would send a datagram round for
# ever; it is dropped instead, and pasta keeps serving
case_loop() {
	local pp rc=0
	rm -f "$T/srv.ready"
	pasta_run "$1" --config-net -d -u $PORT:$TPORT -U $TPORT:$PORT -- \
		sh -c "echo ready > $T/srv.ready; sleep 3" >"$T/pasta.log" 2>&1 &
	pp=$!
	wait_file "$T/srv.ready" || { kill $pp; return 1; }
	in_host timeout 10 "$PY" "$PEER" client 127.0.0.1 $PORT 100 \
		--tries 1 >"$T/out" 2>&1
	[ $? = 3 ] || { echo "client: $(cat "$T/out")" >&2; rc=1; }
	wait $pp || { echo "pasta failed" >&2; rc=1; }
	grep -q "forwarded both ways, datagram dropped" "$T/pasta.log" ||
		{ echo "no drop in the debug log" >&2; rc=1; }
	return $rc
}

[ -x "$PY" ] || { echo "udp_splice: $PY missing" >&2; exit 77; }
command -v socat >/dev/null || { echo "udp_splice: socat missing" >&2;
				 exit 77; }
tun_usable
topo_setup || { result fail topology; exit 1; }
for priv in $PRIVS; do
	for c in $CASES; do
		if "case_$c" "$priv"; then
			result pass "udp_splice/$c/$priv"
		else
			result fail "udp_splice/$c/$priv"
		fi
	done
done
