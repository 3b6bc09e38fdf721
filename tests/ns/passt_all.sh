#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt_all.sh - passt with -t all -u all, a tap device in a 'guest'
# namespace as the guest (tests/lib/tap_relay.c, as in passt_relay.sh).
#
# Before passt starts, the host namespace gets a small ephemeral range
# (ip_local_port_range 2000-2999, so that it lies within what the
# descriptors allow) and two ports held by other sockets: TCP 5003 (a
# listener with SO_REUSEADDR) and UDP 5004 (bound with SO_REUSEADDR).
# Cases, as root and as the unprivileged user:
#   start	passt starts; its log has the -t and -u summaries, and says
#		once that descriptors ran short (RLIMIT_NOFILE hard limit
#		below ~37000 ports); startup time is printed, not asserted
#   tcp		upstream -> HOST4:5001 and [HOST6]:5001 reach a guest server
#		(one dual-stack listener, IPv4 peers unmapped)
#   udp		upstream -> HOST4:5002 reaches a guest echo server
#   held	5003/tcp and 5004/udp still belong to their holders only, and
#		a client reaching HOST4:5003 talks to the holder
#   ephemeral	passt binds nothing in 2000-2999, but 3000 (TCP and UDP)
#   low		port 80: passt listens as root, not as the user (unless
#		ip_unprivileged_port_start allows it, then it listens too)
#   pasta_excl	pasta -t ~5001 means all but 5001 (see the function)
#
# Usage: tests/ns/passt_all.sh PASST_BINARY
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh
. tests/lib/guest.sh

BIN="${1:?usage: $0 PASST_BINARY}"
PRIVS="${PRIVS:-root user}"
RELAY="$(dirname "$BIN")/tests/tap_relay"
EPH="2000 2999"
test_dir all "$BIN"
install -m 0755 "$RELAY" "$T/tap_relay"
install -m 0755 tests/lib/udp_peer.py "$T/udp_peer.py"
install -m 0755 tests/lib/dhcp-record.sh "$T/dhcp-record.sh"
trap 'topo_cleanup; ip netns del "$GUEST_NS" 2>/dev/null; rm -rf "$T"' EXIT

# guest_addr - DHCP (udhcpc), SLAAC and the host's IPv6 address in the guest
guest_addr() {
	printf '#!/bin/sh\nDHCP_RECORD=%s exec %s "$@"\n' "$T/dhcp.rec" \
		"$T/dhcp-record.sh" >"$T/dhcp.sh"
	chmod 0755 "$T/dhcp.sh"
	in_guest timeout 20 udhcpc -i guest0 -f -q -n -t 5 -T 2 \
		-s "$T/dhcp.sh" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	for _ in $(seq 1 100); do
		in_guest ip -6 addr show dev guest0 scope global |
			grep -v tentative | grep -q "inet6 2001:db8:1::" &&
			break
		sleep 0.1
	done
	# The address passt sends to before it saw any (DHCPv6's, as in
	# passt_relay.sh: here without a client)
	in_guest ip -6 addr add "$HOST6/$PREFIX6" dev guest0 nodad &&
		in_guest ip -6 route show default | grep -q . && return 0
	echo "guest: no IPv6 address or route" >&2
	return 1
}

# holders - sockets holding 5003/tcp and 5004/udp, with SO_REUSEADDR: the
# TCP one answers "holder" to each client
holders() {
	rm -f "$T/held.ready"
	in_host timeout 120 python3 -c '
import os, socket, sys
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
t.bind(("::", 5003)); t.listen(8)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
u.bind(("0.0.0.0", 5004))
open(sys.argv[1], "w").write("%d\n" % os.getpid())
while True:
	c, _ = t.accept(); c.sendall(b"holder\n"); c.close()
' "$T/held.ready" &
	record_pid $!
	wait_file "$T/held.ready"
}

# passt_start PRIV SOCKET - start passt -t all -u all, print milliseconds
# from the exec to the PID file written (binding is done by then)
passt_start() {
	local run=in_host priv=$1 sock=$2 t0 t1
	[ "$priv" = user ] && run=as_user
	rm -f "$T/passt.pid" "$T/passt.log" "$sock"
	t0=$(date +%s%N)
	$run "$T/passt" -s "$sock" -P "$T/passt.pid" -l "$T/passt.log" \
		--debug -t all -u all 2>"$T/passt.err" ||
		{ cat "$T/passt.err" >&2; return 1; }
	wait_file "$T/passt.pid" || return 1
	t1=$(date +%s%N)
	PP=$(cat "$T/passt.pid")
	record_pid "$PP"
	STARTUP_MS=$(( (t1 - t0) / 1000000 ))
}

# owners PROTO PORT - PIDs holding a port in the host namespace, sorted
owners() {
	in_host ss -Hanp "-$1" "sport = :$2" |
		grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' '
}

case_start() {
	local fds
	fds=$(find "/proc/$PP/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	echo "passt_all: -t all -u all, $priv: startup ${STARTUP_MS} ms," \
	     "$fds descriptors open" >&2
	grep -q -- "-t all: [0-9]* ports forwarded" "$T/passt.log" &&
		grep -q -- "-u all: [0-9]* ports forwarded" "$T/passt.log" ||
		{ echo "no summary in the log" >&2; return 1; }
	grep -- " all: " "$T/passt.log" >&2
	# Descriptors: the hard limit here is below 2 x 37000; if it isn't,
	# nothing must be said about them
	if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 60000 ]; then
		[ "$(grep -c "out of descriptors" "$T/passt.log")" = 2 ] ||
			{ echo "descriptor warnings: expected one per protocol" >&2
			  return 1; }
		# A reserve is kept: FWD_ALL_FD_RESERVE (4096) below the limit,
		# but for the few descriptors opened after the listeners
		[ "$fds" -le $(( $(ulimit -Hn) - 4000 )) ] ||
			{ echo "$fds descriptors: no reserve left" >&2; return 1; }
	fi
}

case_tcp() {
	local dst got lsn
	# One server per version: IPv4 through the dual-stack listener must
	# reach the guest as IPv4
	for dst in "$HOST4" "[$HOST6]"; do
		lsn="TCP4-LISTEN:5001,reuseaddr"
		[ "$dst" = "$HOST4" ] ||
			lsn="TCP6-LISTEN:5001,reuseaddr,ipv6only=1"
		in_guest timeout 10 socat -u "SYSTEM:echo guest-tcp" "$lsn" \
			2>/dev/null &
		record_pid $!
		sleep 0.3
		got=$(in_up timeout 10 socat -u "TCP:$dst:5001" - 2>"$T/out")
		[ "$got" = guest-tcp ] ||
			{ echo "TCP $dst:5001: got '$got'" >&2; cat "$T/out" >&2
			  return 1; }
	done
}

case_udp() {
	rm -f "$T/ready"
	in_guest timeout 15 "$T/udp_peer.py" echo 0.0.0.0 5002 \
		--ready "$T/ready" &
	record_pid $!
	wait_file "$T/ready" &&
		in_up timeout 10 "$T/udp_peer.py" client "$HOST4" 5002 1000 ||
		{ echo "UDP $HOST4:5002 into the guest failed" >&2; return 1; }
}

case_held() {
	local hp got
	hp=$(cat "$T/held.ready")
	[ "$(owners t 5003)" = "$hp " ] && [ "$(owners u 5004)" = "$hp " ] ||
		{ echo "held ports: tcp '$(owners t 5003)' udp" \
		       "'$(owners u 5004)', holder $hp" >&2; return 1; }
	got=$(in_up timeout 10 socat -u "TCP:$HOST4:5003" - 2>/dev/null)
	[ "$got" = holder ] || { echo "5003: got '$got'" >&2; return 1; }
}

case_ephemeral() {
	local p
	for p in 2000 2500 2999; do
		[ -z "$(owners t $p)$(owners u $p)" ] ||
			{ echo "ephemeral port $p bound" >&2; return 1; }
	done
	[ "$(owners t 3000)" = "$PP " ] && [ "$(owners u 3000)" = "$PP " ] ||
		{ echo "port 3000 not bound by passt" >&2; return 1; }
}

case_low() {
	local start want=no
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[ "$priv" = root ] || [ "$start" -le 80 ] && want=yes
	if [ "$want" = yes ]; then
		[ "$(owners t 80)" = "$PP " ] && [ "$(owners u 80)" = "$PP " ]
	else
		[ -z "$(owners t 80)$(owners u 80)" ]
	fi || { echo "port 80 ($priv, unprivileged from $start):" \
		     "tcp '$(owners t 80)' udp '$(owners u 80)'" >&2; return 1; }
	[ "$want" = yes ] || return 0
	# And it is forwarded: upstream -> guest, port 80
	in_guest timeout 10 socat -u "SYSTEM:echo guest-80" \
		"TCP-LISTEN:80,reuseaddr" 2>/dev/null &
	record_pid $!
	sleep 0.3
	[ "$(in_up timeout 10 socat -u "TCP:$HOST4:80" - 2>/dev/null)" = \
	  guest-80 ] || { echo "port 80 not forwarded" >&2; return 1; }
}

# pasta_excl: pasta -t ~5001, an exclusions-only list, is all but 5001 (not
# a passt-only feature): 5001 and the ephemeral range stay unbound, the held
# port stays its holder's, and port 5005 reaches a server in the namespace
# through the tap (from upstream) and spliced (from the host's 127.0.0.1,
# an IPv4 client of the dual-stack listener)
case_pasta_excl() {
	local pid p got bad=""
	rm -f "$T/ns.ready"
	TO=60 pasta_run "$priv" --config-net -q -t ~5001 -u none -T none \
		-U none -- sh -c "
		timeout 30 socat TCP4-LISTEN:5005,reuseaddr,fork \
			SYSTEM:'echo ns-tcp' &
		touch $T/ns.ready
		for i in \$(seq 1 300); do
			[ -e $T/ns.stop ] && break
			sleep 0.1
		done" 2>"$T/pasta.err" &
	pid=$!
	record_pid $pid
	for _ in $(seq 1 100); do
		[ -e "$T/ns.ready" ] && [ -n "$(owners t 5005)" ] && break
		sleep 0.1
	done
	sleep 0.3
	for p in 5001 2000 2999; do
		[ -z "$(owners t $p)" ] || bad="$bad $p bound;"
	done
	[ "$(owners t 5003)" = "$(cat "$T/held.ready") " ] ||
		bad="$bad 5003 taken;"
	got=$(in_up timeout 10 socat -u "TCP:$HOST4:5005" - 2>/dev/null)
	[ "$got" = ns-tcp ] || bad="$bad tap got '$got';"
	got=$(in_host timeout 10 socat -u "TCP:127.0.0.1:5005" - 2>/dev/null)
	[ "$got" = ns-tcp ] || bad="$bad splice got '$got';"
	touch "$T/ns.stop"
	wait $pid
	rm -f "$T/ns.stop"
	[ -z "$bad" ] || { echo "pasta -t ~5001:$bad" >&2
			   cat "$T/pasta.err" >&2; return 1; }
}

tun_usable
topo_setup || { result fail passt_all/topology; exit 1; }
in_host sysctl -qw net.ipv4.ip_local_port_range="$EPH" ||
	{ result fail passt_all/sysctl; exit 1; }
holders || { result fail passt_all/holders; exit 1; }
for priv in $PRIVS; do
	sock="$T/passt-$priv.sock"
	if ! guest_setup || ! passt_start "$priv" "$sock"; then
		result fail "passt_all/start/$priv"
		continue
	fi
	relay_start "$sock"
	if ! guest_addr; then
		result fail "passt_all/guest/$priv"
		tail -n 15 "$T/passt.log" >&2
	fi
	for c in ${CASES:-start tcp udp held ephemeral low}; do
		[ "$c" = pasta_excl ] && continue	# after passt, below
		if "case_$c"; then
			result pass "passt_all/$c/$priv"
		else
			result fail "passt_all/$c/$priv"
			tail -n 5 "$T/passt.log" >&2
		fi
	done
	kill "$RELAY_PID" 2>/dev/null
	kill "$PP" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$PP" 2>/dev/null || break
		sleep 0.1
	done
	case " ${CASES:-pasta_excl} " in *" pasta_excl "*)
		if case_pasta_excl; then
			result pass "passt_all/pasta_excl/$priv"
		else
			result fail "passt_all/pasta_excl/$priv"
		fi
	esac
done
