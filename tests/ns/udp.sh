#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp.sh - UDP translation through pasta: namespace to upstream echo servers
# (small and ~60000-byte datagrams), 1000 concurrent flows, socat file
# transfers both ways (sha256 compared), -u forwarding into the namespace, -t
# ports forwarded for UDP too when -u is absent, the gateway address mapped
# to the host's loopback (and --no-map-gw, --map-host-loopback ADDR or none),
# --map-guest-addr to the host's own address, DNS forwarding (also to a
# loopback stub resolver), real lookups (getent) answered by a dnsmasq
# upstream with a fixed record, over IPv4 and IPv6, directly, through
# --dns-forward and through a host stub resolver (a second dnsmasq), ICMP
# port unreachable relayed as ECONNREFUSED (guest flows and -u peers),
# bursts of numbered datagrams arriving complete and in order both ways,
# MTU-sized datagrams, and datagrams over the MTU dropped or delivered
# whole, never truncated.  Every case runs with pasta started as root and
# as an unprivileged user, except expiry: a flow's host socket,
# watched with ss, stays while the flow is idle for 180 s and is gone by
# 200 s, then a new datagram from the same port is echoed, through a new
# socket.  That case takes about 200 s, so it runs once, as the
# unprivileged user, started before the other cases and checked after them.
#
# Usage: tests/ns/udp.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-echo4 echo6 big4 big6 many4 many6 socat_out4 socat_out6 socat_in4 socat_in6 fwd4 fwd6 fwd_local4 fwd_local6 fwd_map follow4 follow6 follow_map gw4 gw6 no_map_gw map_lo4 map_lo6 map_none map_guest4 map_guest6 dns4 dns6 dns_stub dnsmasq4 dnsmasq6 dnsmasq_fwd4 dnsmasq_fwd6 dnsmasq_stub refused4 refused6 refused_fwd4 refused_fwd6 burst_out4 burst_out6 burst_in4 burst_in6 mtu4 mtu6 over_out4 over_out6 over_in4 over_in6 expiry}"
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

# many: 1000 flows at once (distinct source ports), each echoed correctly
case_many4() { pasta_run "$1" --config-net -- timeout 25 "$PY" "$PEER" many \
	"$REMOTE4" $ECHO_PORT 1000 >"$T/out" 2>&1 ||
	{ cat "$T/out" >&2; return 1; }; }
case_many6() { pasta_run "$1" --config-net -- timeout 25 "$PY" "$PEER" many \
	"$REMOTE6" $ECHO_PORT 1000 >"$T/out" 2>&1 ||
	{ cat "$T/out" >&2; return 1; }; }

SOCAT_PORT=6010
head -c 65536 /dev/urandom > "$T/src"
chmod 0644 "$T/src"

# socat_addr V ADDR - ADDR as socat wants it for IP version V
socat_addr() { if [ "$1" = 6 ]; then echo "[$2]"; else echo "$2"; fi; }

# same - the received file is the one sent (sha256)
same() {
	[ "$(sha256sum < "$T/src")" = "$(sha256sum < "$T/got" 2>/dev/null)" ] &&
		return 0
	echo "received $(stat -c %s "$T/got" 2>/dev/null || echo no) bytes" \
	     "of $(stat -c %s "$T/src"), or content differs" >&2
	return 1
}

# socat_out V ADDR PRIV - a 64 KiB file in 4 KiB datagrams, ended by an
# empty one (shut-null, null-eof), from the namespace to upstream
socat_out() {
	local v=$1 a sp rc=0
	a=$(socat_addr "$v" "$2")
	rm -f "$T/got"
	in_up timeout 30 socat -u "UDP$v-RECV:$SOCAT_PORT,bind=$a,null-eof" \
		"OPEN:$T/got,creat,trunc" &
	sp=$!
	record_pid $sp
	for _ in $(seq 1 50); do
		in_up ss -Hlun "sport = :$SOCAT_PORT" | grep -q . && break
		sleep 0.1
	done
	# See "warm" in udp_peer.py: the namespace's kernel may reorder
	pasta_run "$3" --config-net -- timeout 10 sh -c "
		$PY $PEER warm $2 &&
		socat -u -b 4096 OPEN:$T/src UDP$v-SENDTO:$a:$SOCAT_PORT,shut-null" \
		>"$T/out" 2>&1 || rc=1
	wait $sp || rc=1
	[ $rc = 0 ] || { tail -n 5 "$T/out" >&2; return 1; }
	same
}

case_socat_out4() { socat_out 4 "$REMOTE4" "$1"; }
case_socat_out6() { socat_out 6 "$REMOTE6" "$1"; }

# socat_in V ADDR PRIV - the same from upstream into the namespace (-u)
socat_in() {
	local v=$1 a pp rc=0 any=0.0.0.0
	a=$(socat_addr "$v" "$2")
	[ "$v" = 6 ] && any="[::]"
	rm -f "$T/got" "$T/socat.ready"
	pasta_run "$3" --config-net -u $SOCAT_PORT -- timeout 20 sh -c "
		socat -u UDP$v-RECV:$SOCAT_PORT,bind=$any,null-eof \
			OPEN:$T/got,creat,trunc & p=\$!
		for i in \$(seq 1 50); do
			ss -Hlun 'sport = :$SOCAT_PORT' | grep -q . && break
			sleep 0.1
		done
		echo ready > $T/socat.ready
		wait \$p" >"$T/out" 2>&1 &
	pp=$!
	wait_file "$T/socat.ready" || { kill $pp; return 1; }
	in_up timeout 10 socat -u -b 4096 "OPEN:$T/src" \
		"UDP$v-SENDTO:$a:$SOCAT_PORT,shut-null" || rc=1
	wait $pp || rc=1
	[ $rc = 0 ] || { tail -n 5 "$T/out" >&2; return 1; }
	same
}

case_socat_in4() { socat_in 4 "$HOST4" "$1"; }
case_socat_in6() { socat_in 6 "$HOST6" "$1"; }

# fwd ADDR PRIV [PASTA_PORT_SPEC GUEST_PORT [OPTION]] - -u (or OPTION): a
# client upstream reaches a server in the namespace through HOST address,
# gets its reply
fwd() {
	local addr=$1 priv=$2 spec=${3:-$FWD_PORT} gport=${4:-$FWD_PORT}
	local opt=${5:--u} any=0.0.0.0 pp rc=0
	[ "${addr#*:}" != "$addr" ] && any=::
	rm -f "$T/fwd.ready" "$T/fwd.out"
	pasta_run "$priv" --config-net "$opt" "$spec" -- \
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

# fwd_local ADDR2 DEST PRIV - the host gets a second address ADDR2 after
# pasta started (so the namespace doesn't have it): replies to a client
# that sent to DEST (ADDR2 or the first address) on a wildcard -u port must
# come from DEST (the client's socket is connected), not from whichever
# address the route prefers (for IPv6 here, the newest one)
fwd_local() {
	local addr=$1 dest=$2 priv=$3 any=0.0.0.0 pp rc=0 plen=24 nodad=""
	[ "${addr#*:}" != "$addr" ] && { any=::; plen=64; nodad=nodad; }
	rm -f "$T/fwd.ready" "$T/fwd.out"
	pasta_run "$priv" --config-net -u $FWD_PORT -- \
		timeout 20 "$PY" "$PEER" echo $any $FWD_PORT --count 1 \
		--ready "$T/fwd.ready" >"$T/fwd.out" 2>&1 &
	pp=$!
	wait_file "$T/fwd.ready" || { kill $pp; cat "$T/fwd.out" >&2; return 1; }
	# shellcheck disable=SC2086
	in_host ip addr add "$addr/$plen" dev eth0 $nodad
	in_up timeout 20 "$PY" "$PEER" client "$dest" $FWD_PORT 1000 \
		>"$T/out" 2>&1 || rc=1
	wait $pp || rc=1
	in_host ip addr del "$addr/$plen" dev eth0
	[ $rc = 0 ] || cat "$T/out" "$T/fwd.out" >&2
	return $rc
}

case_fwd_local4() {
	fwd_local 192.0.2.3 192.0.2.3 "$1" && fwd_local 192.0.2.3 "$HOST4" "$1"
}
case_fwd_local6() {
	fwd_local 2001:db8:1::3 2001:db8:1::3 "$1" &&
		fwd_local 2001:db8:1::3 "$HOST6" "$1"
}

case_fwd4() { fwd "$HOST4" "$1"; }
case_fwd6() { fwd "$HOST6" "$1"; }
# fwd_map: host port 5001 to namespace port 6001, IPv4 into a dual-stack bind
case_fwd_map() { fwd "$HOST4" "$1" "$FWD_PORT:6001" 6001; }
# follow: without -u, UDP follows the -t ports, without translation
case_follow4() { fwd "$HOST4" "$1" $FWD_PORT $FWD_PORT -t; }
case_follow6() { fwd "$HOST6" "$1" $FWD_PORT $FWD_PORT -t; }
case_follow_map() { fwd "$HOST4" "$1" "$FWD_PORT:6001" $FWD_PORT -t; }

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

# Unused addresses of the namespace's subnets, for the address mappings
MAP4=192.0.2.99
MAP6=2001:db8:1::99

# map_client PRIV ADDR OPTS... - one echo exchange with ADDR, port GW_PORT,
# from a pasta namespace started with OPTS (TRIES attempts, default 2);
# status of the client
map_client() {
	local priv=$1 addr=$2
	shift 2
	pasta_run "$priv" --config-net "$@" -- timeout 20 "$PY" "$PEER" \
		client "$addr" $GW_PORT 200 --tries "${TRIES:-2}" >"$T/out" 2>&1
}

# map_lo V PRIV - --map-host-loopback ADDR reaches an echo server on the
# host's loopback, which sees a loopback peer; the gateway address then
# doesn't
map_lo() {
	local v=$1 priv=$2 map=$MAP4 lo=127.0.0.1 gw=$UP4 rc=0
	[ "$v" = 6 ] && { map=$MAP6; lo=::1; gw=$UP6; }
	echo_server host maplo "$lo" $GW_PORT || return 1
	map_client "$priv" "$map" --map-host-loopback "$map" ||
		{ cat "$T/out" >&2; rc=1; }
	grep -qs "^$lo [0-9]* 200\$" "$T/maplo.log" ||
		{ echo "server saw: $(cat "$T/maplo.log" 2>/dev/null)" >&2; rc=1; }
	: >"$T/maplo.log"
	TRIES=1 map_client "$priv" "$gw" --map-host-loopback "$map"
	[ -s "$T/maplo.log" ] &&
		{ echo "$gw still reached the host's loopback" >&2; rc=1; }
	stop_server
	return $rc
}

case_map_lo4() { map_lo 4 "$1"; }
case_map_lo6() { map_lo 6 "$1"; }

# map_none: --map-host-loopback none, like --no-map-gw
case_map_none() {
	local rc=0
	echo_server host mapnone 127.0.0.1 $GW_PORT || return 1
	TRIES=1 map_client "$1" "$UP4" --map-host-loopback none
	[ -s "$T/mapnone.log" ] &&
		{ echo "none: reached the host's loopback" >&2; rc=1; }
	stop_server
	return $rc
}

# map_guest V PRIV - --map-guest-addr ADDR reaches an echo server on the
# host namespace's own address, which sees that address as the peer, not
# loopback; a server on loopback gets nothing
map_guest() {
	local v=$1 priv=$2 map=$MAP4 a=$HOST4 lo=127.0.0.1 rc=0
	[ "$v" = 6 ] && { map=$MAP6; a=$HOST6; lo=::1; }
	echo_server host mapg "$a" $GW_PORT || return 1
	map_client "$priv" "$map" -a "$a" --map-guest-addr "$map" ||
		{ cat "$T/out" >&2; rc=1; }
	stop_server
	grep -qs "^$a [0-9]* 200\$" "$T/mapg.log" ||
		{ echo "server saw: $(cat "$T/mapg.log" 2>/dev/null)" >&2; rc=1; }
	echo_server host mapglo "$lo" $GW_PORT || return 1
	TRIES=1 map_client "$priv" "$map" -a "$a" --map-guest-addr "$map"
	[ -s "$T/mapglo.log" ] &&
		{ echo "$map reached the host's loopback" >&2; rc=1; }
	stop_server
	return $rc
}

case_map_guest4() { map_guest 4 "$1"; }
case_map_guest6() { map_guest 6 "$1"; }

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

# A real DNS server: dnsmasq in the upstream namespace, on addresses of its
# own (the echo servers of the dns cases hold UP4:53 and UP6:53), answering
# one fixed record and nothing else
DNSM4=198.51.100.54
DNSM6=2001:db8:2::54
DNS_NAME=pt-dns.test.example
DNS_REC4=198.51.100.77
DNS_REC6=2001:db8:2::77
DNSMASQ_UP=0

# dnsmasq_up - start dnsmasq (once) on DNSM4 and DNSM6, port 53, logging
# every query to $T/dnsmasq.log; wait (bounded) until both are bound
#
# Return: 0 if it listens, 77 if dnsmasq is not installed, 1 otherwise
dnsmasq_up() {
	[ $DNSMASQ_UP = 1 ] && return 0
	command -v dnsmasq >/dev/null ||
		{ echo "dnsmasq missing (tools/install-deps)" >&2; return 77; }
	in_up ip addr add "$DNSM4/32" dev lo &&
		in_up ip -6 addr add "$DNSM6/128" dev lo || return 1
	: > "$T/dnsmasq.log"
	# As echo_server: $! is timeout's PID, which passes SIGTERM on
	ip netns exec "$UP_NS" timeout 600 dnsmasq --no-daemon -C /dev/null \
		--no-resolv --no-hosts --bind-interfaces \
		--listen-address="$DNSM4" --listen-address="$DNSM6" --port=53 \
		--host-record="$DNS_NAME,$DNS_REC4,$DNS_REC6" --log-queries \
		--log-facility="$T/dnsmasq.log" 2>"$T/dnsmasq.err" &
	record_pid $!
	for _ in $(seq 1 50); do
		[ "$(in_up ss -Hlun 'sport = :53' |
		     grep -c -e "$DNSM4:53" -e "\[$DNSM6\]:53")" = 2 ] &&
			{ DNSMASQ_UP=1; return 0; }
		sleep 0.1
	done
	echo "dnsmasq not listening:" >&2
	cat "$T/dnsmasq.err" >&2
	return 1
}

# resolv_set TEXT - make TEXT the host namespace's resolv.conf, which ip
# netns exec bind-mounts over /etc/resolv.conf: pasta reads it, and so does
# the namespace pasta creates (same mount namespace); resolv_restore puts
# the topology's back
resolv_set() {
	[ -e "$T/resolv.conf.topo" ] ||
		cp "/etc/netns/$HOST_NS/resolv.conf" "$T/resolv.conf.topo"
	printf '%s\noptions timeout:2 attempts:2\n' "$1" \
		> "/etc/netns/$HOST_NS/resolv.conf"
}
resolv_restore() {
	cat "$T/resolv.conf.topo" > "/etc/netns/$HOST_NS/resolv.conf"
}

# queries FROM - number of queries for DNS_NAME dnsmasq logged from FROM
queries() { grep -c "query\[A*\] $DNS_NAME from $1\$" "$T/dnsmasq.log"; }

# lookup PRIV FROM NS_RESOLV [PASTA_OPTION...] - getent ahostsv4 and
# ahostsv6 DNS_NAME in a --config-net namespace (whose /etc/resolv.conf is
# NS_RESOLV, bind-mounted in a mount namespace of its own, unless empty)
# give exactly the fixed record, and dnsmasq logged the queries as coming
# from FROM (the host's address of the resolver transport's IP version)
lookup() {
	local priv=$1 from=$2 ns_resolv=$3 before rc=0 got
	local cmd="getent ahostsv4 $DNS_NAME > $T/ahosts4
		getent ahostsv6 $DNS_NAME > $T/ahosts6"
	shift 3
	dnsmasq_up || return $?
	before=$(queries "$from")
	rm -f "$T/ahosts4" "$T/ahosts6"
	if [ -n "$ns_resolv" ]; then
		pasta_run "$priv" --config-net "$@" -- timeout 20 unshare -m \
			sh -c "mount --bind $ns_resolv /etc/resolv.conf && $cmd"
	else
		pasta_run "$priv" --config-net "$@" -- timeout 20 sh -c "$cmd"
	fi >"$T/out" 2>&1 || rc=1
	got=$(awk '{ print $1 }' "$T/ahosts4" 2>/dev/null | sort -u)
	[ "$got" = "$DNS_REC4" ] ||
		{ echo "ahostsv4: '$got', expected $DNS_REC4" >&2; rc=1; }
	got=$(awk '{ print $1 }' "$T/ahosts6" 2>/dev/null | sort -u)
	[ "$got" = "$DNS_REC6" ] ||
		{ echo "ahostsv6: '$got', expected $DNS_REC6" >&2; rc=1; }
	[ "$(queries "$from")" -ge $((before + 2)) ] ||
		{ echo "dnsmasq: no A and AAAA queries from $from" >&2; rc=1; }
	[ $rc = 0 ] || { tail -n 5 "$T/out" >&2; tail -n 4 "$T/dnsmasq.log" >&2; }
	return $rc
}

# dnsmasq_direct ADDR FROM PRIV - resolv.conf names dnsmasq at ADDR only
# (pasta and the namespace read the same file): the lookup goes out through
# pasta over that IP version
dnsmasq_direct() {
	local rc=0
	resolv_set "nameserver $1"
	lookup "$3" "$2" "" || rc=$?
	resolv_restore
	return $rc
}

case_dnsmasq4() { dnsmasq_direct $DNSM4 "$HOST4" "$1"; }
case_dnsmasq6() { dnsmasq_direct $DNSM6 "$HOST6" "$1"; }

# dnsmasq_fwd ADDR FROM PRIV - --dns-forward ADDR: pasta reads dnsmasq's
# addresses from resolv.conf, the namespace gets a resolv.conf of its own
# (unshare -m, bind mount) naming ADDR only, which no host has: only
# pasta's mapping to the first resolver of ADDR's IP version answers
dnsmasq_fwd() {
	local rc=0
	resolv_set "nameserver $DNSM4
nameserver $DNSM6"
	printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$1" \
		> "$T/resolv.conf.ns"
	chmod 0644 "$T/resolv.conf.ns"
	lookup "$3" "$2" "$T/resolv.conf.ns" \
		--dns-forward "$1" || rc=$?
	resolv_restore
	return $rc
}

case_dnsmasq_fwd4() { dnsmasq_fwd $DNS4 "$HOST4" "$1"; }
case_dnsmasq_fwd6() { dnsmasq_fwd $DNS6 "$HOST6" "$1"; }

# dnsmasq_stub: the host's only resolver is a loopback stub (127.0.0.53),
# here a dnsmasq in the host namespace asking the upstream one; the
# namespace's resolv.conf names the gateway address, pasta's forward
# address by default in that case: the stub gets the queries, the lookup
# gets the record
case_dnsmasq_stub() {
	local rc=0 sp
	dnsmasq_up || return $?
	resolv_set "nameserver 127.0.0.53"
	printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$UP4" \
		> "$T/resolv.conf.ns"
	chmod 0644 "$T/resolv.conf.ns"
	: > "$T/stub.log"
	ip netns exec "$HOST_NS" timeout 60 dnsmasq --no-daemon -C /dev/null \
		--no-resolv --no-hosts --bind-interfaces \
		--listen-address=127.0.0.53 --port=53 --server="$DNSM4" \
		--log-queries --log-facility="$T/stub.log" 2>"$T/stub.err" &
	sp=$!
	record_pid $sp
	for _ in $(seq 1 50); do
		in_host ss -Hlun 'sport = :53' | grep -q 127.0.0.53:53 && break
		sleep 0.1
	done
	lookup "$1" "$HOST4" "$T/resolv.conf.ns" || rc=1
	kill $sp
	wait $sp
	resolv_restore
	[ $rc = 0 ] || return 1
	[ "$(grep -c "query\[A*\] $DNS_NAME from 127\." "$T/stub.log")" -ge 2 ] ||
		{ echo "the stub resolver got no queries" >&2; return 1; }
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

# refused_fwd ADDR PRIV - a peer upstream sends one datagram to a -u port
# and goes away; the namespace's (connected) late reply must fail with
# ECONNREFUSED: the port unreachable came on the -u socket, unconnected
refused_fwd() {
	local addr=$1 priv=$2 any=0.0.0.0 pp rc
	[ "${addr#*:}" != "$addr" ] && any=::
	rm -f "$T/ans.ready"
	pasta_run "$priv" --config-net -u $FWD_PORT -- timeout 20 "$PY" \
		"$PEER" answer $any $FWD_PORT --ready "$T/ans.ready" \
		>"$T/ans.out" 2>&1 &
	pp=$!
	wait_file "$T/ans.ready" || { kill $pp; return 1; }
	in_up timeout 5 "$PY" -c 'import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.sendto(b"hello", (a, int(sys.argv[2])))' "$addr" $FWD_PORT
	wait $pp
	rc=$?
	[ $rc = 2 ] || { echo "late reply: status $rc, expected 2" >&2;
			 cat "$T/ans.out" >&2; return 1; }
}

case_refused_fwd4() { refused_fwd "$HOST4" "$1"; }
case_refused_fwd6() { refused_fwd "$HOST6" "$1"; }

BURST_N=2000
BURST_RATE=4000
BURST_PORT=6002

# sink_ok - the sink got all $BURST_N datagrams, in order
sink_ok() {
	local got order
	read -r _ got order _ < <(grep '^got ' "$T/sink.out")
	[ "$got" = "$BURST_N" ] && [ "$order" = inorder ] && return 0
	echo "sink: $(grep '^got ' "$T/sink.out"), $BURST_N sent" >&2
	return 1
}

# burst_out ADDR PRIV - numbered datagrams from the namespace, at a
# moderate rate, all reach the upstream sink, in order
burst_out() {
	local addr=$1 priv=$2 sp rc=0
	rm -f "$T/sink.ready"
	in_up timeout 30 "$PY" "$PEER" sink "$addr" $BURST_PORT $BURST_N \
		--ready "$T/sink.ready" --idle 2 >"$T/sink.out" &
	sp=$!
	record_pid $sp
	wait_file "$T/sink.ready" || return 1
	pasta_run "$priv" --config-net -- timeout 20 sh -c "
		$PY $PEER warm $addr &&
		$PY $PEER burst $addr $BURST_PORT $BURST_N 200 --rate $BURST_RATE" \
		>"$T/out" 2>&1 || { cat "$T/out" >&2; rc=1; }
	wait $sp || rc=1
	sink_ok || rc=1
	return $rc
}

case_burst_out4() { burst_out "$REMOTE4" "$1"; }
case_burst_out6() { burst_out "$REMOTE6" "$1"; }

# burst_in ADDR PRIV - the same from upstream to a sink in the namespace
burst_in() {
	local addr=$1 priv=$2 any=0.0.0.0 pp rc=0
	[ "${addr#*:}" != "$addr" ] && any=::
	rm -f "$T/sink.ready"
	pasta_run "$priv" --config-net -u $BURST_PORT -- timeout 20 "$PY" \
		"$PEER" sink $any $BURST_PORT $BURST_N --ready "$T/sink.ready" \
		--idle 2 >"$T/sink.out" 2>&1 &
	pp=$!
	wait_file "$T/sink.ready" || { kill $pp; return 1; }
	in_up timeout 20 "$PY" "$PEER" burst "$addr" $BURST_PORT $BURST_N 200 \
		--rate $BURST_RATE >"$T/out" 2>&1 || { cat "$T/out" >&2; rc=1; }
	wait $pp || rc=1
	sink_ok || rc=1
	return $rc
}

case_burst_in4() { burst_in "$HOST4" "$1"; }
case_burst_in6() { burst_in "$HOST6" "$1"; }

# mtu ADDR SIZE PRIV - with -m 1500, a datagram filling the MTU exactly
# goes out and its echo comes back, content checked
mtu() {
	pasta_run "$3" --config-net -m 1500 -- timeout 20 "$PY" "$PEER" \
		client "$1" $ECHO_PORT "$2" >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
}

case_mtu4() { mtu "$REMOTE4" 1472 "$1"; }
case_mtu6() { mtu "$REMOTE6" 1452 "$1"; }

# over_out ADDR SIZE LOG PRIV - one byte over the MTU: the namespace
# fragments it, fragments are dropped; nothing (truncated or not) reaches
# the echo server, and the client hears nothing back
over_out() {
	local addr=$1 size=$2 log=$3 priv=$4 before rc
	before=$(wc -l < "$T/$log.log")
	pasta_run "$priv" --config-net -m 1500 -- timeout 20 "$PY" "$PEER" \
		client "$addr" $ECHO_PORT "$size" --tries 1 >"$T/out" 2>&1
	rc=$?
	sleep 0.2
	if [ "$(wc -l < "$T/$log.log")" != "$before" ]; then
		echo "echo server got: $(tail -n 1 "$T/$log.log")" >&2
		return 1
	fi
	[ $rc = 3 ] || { echo "client status $rc, expected 3" >&2;
			 cat "$T/out" >&2; return 1; }
}

case_over_out4() { over_out "$REMOTE4" 1473 echo4 "$1"; }
case_over_out6() { over_out "$REMOTE6" 1453 echo6 "$1"; }

# over_in ADDR PRIV - a 3000-byte datagram from upstream to a namespace
# with a 1500-byte MTU arrives whole: pasta never truncates
over_in() {
	local addr=$1 priv=$2 any=0.0.0.0 pp
	[ "${addr#*:}" != "$addr" ] && any=::
	rm -f "$T/over.ready" "$T/over.log"
	pasta_run "$priv" --config-net -m 1500 -u $FWD_PORT -- timeout 20 \
		"$PY" "$PEER" echo $any $FWD_PORT --count 1 \
		--ready "$T/over.ready" --log "$T/over.log" >"$T/out" 2>&1 &
	pp=$!
	wait_file "$T/over.ready" || { kill $pp; return 1; }
	in_up timeout 10 "$PY" "$PEER" client "$addr" $FWD_PORT 3000 \
		--tries 1 >/dev/null 2>&1
	wait $pp || { cat "$T/out" >&2; return 1; }
	grep -q ' 3000$' "$T/over.log" ||
		{ echo "namespace got: $(cat "$T/over.log")" >&2; return 1; }
}

case_over_in4() { over_in "$HOST4" "$1"; }
case_over_in6() { over_in "$HOST6" "$1"; }

# Flow expiry, end to end.  A namespace client bound to EXP_GPORT sends one
# datagram to an echo server of its own upstream and gets it back: pasta's
# host socket for the flow (bound to the same port, connected to the server)
# shows in the host namespace.  A poller (ss every 2 s) records when it is
# seen and when it is gone, while the other cases run; the flow must live
# idle for UDP_TIMEOUT_S (180 s) and be gone by EXP_LIMIT.  Then a new
# datagram from the same port is echoed again through a new socket.
EXP_PORT=5003
EXP_GPORT=40531
EXP_LIMIT=200

# exp_sock - pasta's socket for the flow, as ss -p shows it ("" if none)
exp_sock() {
	in_host ss -Hunap "sport = :$EXP_GPORT" |
		grep -E "$HOST4:$EXP_GPORT +$REMOTE4:$EXP_PORT .*\"(pasta|passt)\""
}

# expiry_start PRIV - start the client's pasta as PRIV, the first echo, the
# poller; EXP_T0 is when the echo came
expiry_start() {
	local priv=$1 user=()
	EXP_ERR=""
	EXP_PID=""
	# The other cases run between the two echoes: 540 s for them (tests/run
	# gives this script 900 s)
	cat > "$T/expiry.py" <<-'EOF'
	import os, socket, sys, time
	addr, port, gport, d = sys.argv[1:5]

	def echo(s, tag):
	    for _ in range(5):
	        s.send(tag)
	        try:
	            if s.recv(100) == tag:
	                return True
	        except socket.timeout:
	            pass
	    return False

	def wait(path, secs):
	    end = time.monotonic() + secs
	    while not os.path.exists(path):
	        if time.monotonic() > end:
	            return False
	        time.sleep(0.2)
	    return True

	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("0.0.0.0", int(gport)))
	s.connect((addr, int(port)))
	s.settimeout(1)
	if not echo(s, b"first"):
	    sys.exit(3)
	open(d + "/exp.first", "w").write("echoed\n")
	if not wait(d + "/exp.go", 540):
	    sys.exit(4)
	if not echo(s, b"second, after expiry"):
	    sys.exit(3)
	open(d + "/exp.second", "w").write("echoed\n")
	sys.exit(0 if wait(d + "/exp.end", 30) else 4)
	EOF
	rm -f "$T"/exp.*
	echo_server up exp "$REMOTE4" $EXP_PORT || { EXP_ERR="echo server"; return; }
	# As pasta_run, but $! is timeout's PID (ip and setpriv exec): ending
	# it at cleanup ends pasta, even if this script is interrupted
	[ "$priv" = user ] && user=(setpriv --reuid="$TEST_USER" \
		--regid="$(id -g "$TEST_USER")" --clear-groups --)
	ip netns exec "$HOST_NS" "${user[@]}" timeout -k 5 600 "$PASTA" \
		--config-net -l "$T/exp.pasta.log" --trace -- \
		"$PY" "$T/expiry.py" "$REMOTE4" $EXP_PORT $EXP_GPORT "$T" \
		>"$T/exp.out" 2>&1 &
	EXP_PID=$!
	record_pid $EXP_PID
	wait_file "$T/exp.first" || { EXP_ERR="no first echo"; return; }
	EXP_T0=$(date +%s)
	exp_sock > "$T/exp.sock" ||
		{ EXP_ERR="no pasta socket after the first echo"; return; }
	(
		for _ in $(seq 1 $((EXP_LIMIT / 2 + 10))); do
			now=$(($(date +%s) - EXP_T0))
			[ $now -gt $EXP_LIMIT ] && break
			if exp_sock >/dev/null; then
				echo "present $now"
			else
				echo "gone $now"
				break
			fi
			sleep 2
		done > "$T/exp.poll"
	) &
	EXP_POLL=$!
	record_pid $EXP_POLL
}

# expiry_check - the socket was seen idle until UDP_TIMEOUT_S, was gone by
# EXP_LIMIT, and a second datagram from the same port came back through a
# new socket bound to that port
expiry_check() {
	local gone seen rc=0
	if [ -n "$EXP_ERR" ]; then
		echo "expiry: $EXP_ERR" >&2
		touch "$T/exp.go" "$T/exp.end"
		[ -n "$EXP_PID" ] && wait "$EXP_PID"
		cat "$T/exp.out" >&2
		return 1
	fi
	wait "$EXP_POLL"
	seen=$(awk '$1 == "present" { t = $2 } END { print t }' "$T/exp.poll")
	gone=$(awk '$1 == "gone" { print $2 }' "$T/exp.poll")
	echo "expiry: socket seen until ${seen:-?} s, gone at ${gone:-?} s" >&2
	if [ -z "$gone" ]; then
		echo "expiry: socket still there after $EXP_LIMIT s" >&2
		return 1
	fi
	# Integer seconds, and the echo came just before EXP_T0: 1 s margin
	[ "$gone" -ge 179 ] ||
		{ echo "expiry: gone before 180 s idle" >&2; return 1; }
	grep -q "UDP: flow from guest port $EXP_GPORT to port $EXP_PORT expired" \
		"$T/exp.pasta.log" ||
		{ echo "expiry: pasta logged no expiry" >&2; rc=1; }
	touch "$T/exp.go"
	wait_file "$T/exp.second" ||
		{ echo "expiry: no echo after expiry" >&2; rc=1; }
	exp_sock >/dev/null ||
		{ echo "expiry: no new pasta socket" >&2; rc=1; }
	touch "$T/exp.end"
	wait "$EXP_PID" || { echo "expiry: client failed" >&2; rc=1; }
	# Both datagrams left from the guest's port, each echoed once
	[ "$(grep -c "^$HOST4 $EXP_GPORT " "$T/exp.log")" = 2 ] ||
		{ echo "expiry: echo server saw: $(cat "$T/exp.log")" >&2; rc=1; }
	[ $rc = 0 ] || cat "$T/exp.out" >&2
	return $rc
}

[ -x "$PY" ] || { echo "udp: $PY missing" >&2; exit 77; }
command -v socat >/dev/null || { echo "udp: socat missing" >&2; exit 77; }
tun_usable
topo_setup || { result fail topology; exit 1; }
echo_server up echo4 "$REMOTE4" $ECHO_PORT && touch "$T/echo4.log" &&
echo_server up echo6 "$REMOTE6" $ECHO_PORT && touch "$T/echo6.log" &&
echo_server up dns4 "$UP4" 53 &&
echo_server up dns6 "$UP6" 53 || { result fail udp/servers; exit 1; }
# expiry runs once, overlapping the other cases: as the test user if PRIVS
# has it (the timer doesn't depend on privileges; rootless is the common use)
LOOP=""
EXPIRY=""
for c in $CASES; do
	if [ "$c" = expiry ]; then
		EXPIRY=root
		[ "${PRIVS#*user}" != "$PRIVS" ] && EXPIRY=user
	else
		LOOP="$LOOP $c"
	fi
done
[ -n "$EXPIRY" ] && expiry_start $EXPIRY
for priv in $PRIVS; do
	for c in $LOOP; do
		"case_$c" "$priv"
		case $? in
		0) result pass "udp/$c/$priv" ;;
		77) result skip "udp/$c/$priv" ;;
		*) result fail "udp/$c/$priv" ;;
		esac
	done
done
if [ -n "$EXPIRY" ]; then
	if expiry_check; then
		result pass "udp/expiry/$EXPIRY"
	else
		result fail "udp/expiry/$EXPIRY"
	fi
fi
