#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# auto.sh - pasta's automatic port forwarding (-t/-u auto, the default):
# a server started in the namespace after pasta becomes reachable from the
# host (loopback and its address, from upstream) within 2 s, and its port
# is released within 2 s after it stops; a dual-stack IPv6 socket is
# forwarded for IPv4 too; pasta's own sockets are never mirrored and the
# forward doesn't flap; without -u, UDP follows the TCP ports (not with
# -u auto); "none" forwards nothing; a server already
# listening in a namespace pasta attaches to is forwarded at once; with -T auto (skipped
# while -T is not supported), a host server started after pasta is
# reachable from the namespace's loopback within 2 s, and gone after.  Every case runs with
# pasta as root and as a user.  Latencies are printed (ms) for the record.
#
# Usage: tests/ns/auto.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-tcp4 tcp_dual udp udp_follow no_mirror none existing tcp_out udp_out}"
PRIVS="${PRIVS:-root user}"
test_dir auto "$BIN"
install -m 0755 tests/lib/udp_peer.py "$T/udp_peer.py"
TO=30
LIMIT_MS=2000

trap 'topo_cleanup; rm -rf "$T"' EXIT

# now_ms - monotonic-enough wall clock in milliseconds
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_exists FILE - wait (bounded, 10 s) until FILE exists, even empty
wait_exists() {
	for _ in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# ns_script PROTO PORT CMD - shell script for the namespace: start CMD in
# the background once pasta runs, say "started" when PORT is bound, stop it
# on "stop", say "stopped", and wait for "done"; every wait bounded
ns_script() {
	local l=-Hltn
	[ "$1" = udp ] && l=-Hlun
	cat <<-SCRIPT
	sleep 0.3
	$3 &
	s=\$!
	for i in \$(seq 1 100); do
		ss $l 'sport = :$2' | grep -q . && break
		sleep 0.05
	done
	ss -Hltun > $T/ns_before
	touch $T/started
	for i in \$(seq 1 300); do [ -e $T/stop ] && break; sleep 0.05; done
	ss -Hltun > $T/ns_after
	kill \$s
	wait \$s
	touch $T/stopped
	for i in \$(seq 1 300); do [ -e $T/done ] && break; sleep 0.05; done
	SCRIPT
}

# start_pasta PRIV PROTO PORT CMD [PASTA_ARG...] - pasta in the background
# (pid in $PID) running ns_script; waits for "started"
start_pasta() {
	local priv=$1 proto=$2 port=$3 cmd=$4
	shift 4
	rm -f "$T/started" "$T/stop" "$T/stopped" "$T/done" "$T/log" \
		"$T/ns_before" "$T/ns_after"
	pasta_run "$priv" --config-net -d -l "$T/log" "$@" -- \
		sh -c "$(ns_script "$proto" "$port" "$cmd")" >/dev/null 2>&1 &
	PID=$!
	if ! wait_exists "$T/started"; then
		echo "server in the namespace never started" >&2
		return 1
	fi
}

# stop_pasta - let the namespace script end, wait for pasta
stop_pasta() {
	touch "$T/stop" "$T/done"
	wait "$PID"
}

# tcp_get V ADDR PORT - connect from the host namespace, print the reply
tcp_get() {
	local a="TCP4:$2:$3"
	[ "$1" = 6 ] && a="TCP6:[$2]:$3"
	in_host timeout 3 socat -T 2 - "$a" </dev/null 2>/dev/null
}

# wait_reply V ADDR PORT - poll (bounded by LIMIT_MS) until the server
# answers through the host; prints the delay in ms
wait_reply() {
	local t0 t
	t0=$(now_ms)
	for _ in $(seq 1 200); do
		if [ "$(tcp_get "$@")" = hi ]; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		t=$(($(now_ms) - t0))
		[ $t -gt $LIMIT_MS ] && break
		sleep 0.02
	done
	echo "no reply from $2 port $3 within $LIMIT_MS ms" >&2
	return 1
}

# wait_unbound PROTO PORT - poll (bounded by LIMIT_MS) until nothing is
# bound to PORT in the host namespace; prints the delay in ms
wait_unbound() {
	local t0 t l=-Hltn
	[ "$1" = udp ] && l=-Hlun
	t0=$(now_ms)
	for _ in $(seq 1 200); do
		if ! in_host ss $l "sport = :$2" | grep -q .; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		t=$(($(now_ms) - t0))
		[ $t -gt $LIMIT_MS ] && break
		sleep 0.02
	done
	echo "port $2 still bound on the host after $LIMIT_MS ms" >&2
	return 1
}

# tcp_cycle PRIV PORT SOCAT_LISTEN V... - a server in the namespace,
# reached through the host's loopback for each IP version V, and from
# upstream at the host's IPv4 address, then gone
tcp_cycle() {
	local priv=$1 port=$2 srv=$3 d rc=0 ms="" v lo
	shift 3
	start_pasta "$priv" tcp "$port" \
		"socat $srv,reuseaddr,fork SYSTEM:'echo hi'" || return 1
	for v in "$@"; do
		lo=127.0.0.1
		[ "$v" = 6 ] && lo=::1
		d=$(wait_reply "$v" $lo "$port") || rc=1
		ms="$ms lo$v ${d:-x}"
	done
	if [ "$(in_up timeout 3 socat -T 2 - "TCP4:$HOST4:$port" \
		</dev/null 2>/dev/null)" != hi ]; then
		echo "not reachable from upstream at $HOST4 port $port" >&2
		rc=1
	fi
	touch "$T/stop"
	wait_exists "$T/stopped" || { echo "server didn't stop" >&2; rc=1; }
	d=$(wait_unbound tcp "$port") || rc=1
	ms="$ms gone ${d:-x}"
	if [ -n "$(tcp_get 4 127.0.0.1 "$port")" ]; then
		echo "port $port still answers after the server stopped" >&2
		rc=1
	fi
	stop_pasta || { echo "pasta failed" >&2; rc=1; }
	echo "$priv: ms:$ms" >&2
	return $rc
}

# tcp4: an IPv4 listener in the namespace, reached from host and upstream
case_tcp4() {
	tcp_cycle "$1" 10400 TCP4-LISTEN:10400 4
}

# tcp_dual: a dual-stack IPv6 listener (only in inet_diag's IPv6 dump) is
# forwarded for IPv4 as well
case_tcp_dual() {
	tcp_cycle "$1" 10401 TCP6-LISTEN:10401,ipv6only=0 4 6
}

# udp: an IPv4 UDP echo server in the namespace, reached from the host's
# loopback, then released
case_udp() {
	local port=10402 t0 rc=0 up="" gone=""
	t0=$(now_ms)
	start_pasta "$1" udp $port \
		"timeout $TO /usr/bin/python3 $T/udp_peer.py echo 0.0.0.0 $port" ||
		return 1
	t0=$(now_ms)
	for _ in $(seq 1 200); do
		in_host ss -Hlun "sport = :$port" | grep -q . && {
			up=$(($(now_ms) - t0)); break; }
		[ $(($(now_ms) - t0)) -gt $LIMIT_MS ] && break
		sleep 0.02
	done
	[ -n "$up" ] || { echo "UDP port $port not bound on the host" >&2; rc=1; }
	in_host timeout 10 /usr/bin/python3 "$T/udp_peer.py" client \
		127.0.0.1 $port 100 || { echo "no UDP echo via host" >&2; rc=1; }
	touch "$T/stop"
	wait_exists "$T/stopped" || rc=1
	gone=$(wait_unbound udp $port) || rc=1
	stop_pasta || { echo "pasta failed" >&2; rc=1; }
	echo "$1: ms: bound ${up:-x} gone ${gone:-x}" >&2
	return $rc
}

# udp_follow: without -u, the port of a TCP server in the namespace is
# bound for UDP on the host too, and released with it; with -u auto given,
# it isn't (only UDP sockets count then)
case_udp_follow() {
	local port=10403 rc=0 t0 up=""
	start_pasta "$1" tcp $port \
		"socat TCP-LISTEN:$port,reuseaddr,fork SYSTEM:'echo hi'" ||
		return 1
	t0=$(now_ms)
	for _ in $(seq 1 200); do
		in_host ss -Hlun "sport = :$port" | grep -q . && {
			up=$(($(now_ms) - t0)); break; }
		[ $(($(now_ms) - t0)) -gt $LIMIT_MS ] && break
		sleep 0.02
	done
	[ -n "$up" ] || { echo "UDP port $port not bound without -u" >&2; rc=1; }
	touch "$T/stop"
	wait_exists "$T/stopped" || rc=1
	wait_unbound udp $port >/dev/null || rc=1
	stop_pasta || { echo "pasta failed" >&2; rc=1; }

	start_pasta "$1" tcp $port \
		"socat TCP-LISTEN:$port,reuseaddr,fork SYSTEM:'echo hi'" \
		-u auto || return 1
	wait_reply 4 127.0.0.1 $port >/dev/null || rc=1
	sleep 0.3
	if in_host ss -Hlun "sport = :$port" | grep -q .; then
		echo "-u auto: UDP port $port bound for a TCP server" >&2
		rc=1
	fi
	stop_pasta || { echo "pasta failed" >&2; rc=1; }
	echo "$1: ms: UDP bound ${up:-x} after the TCP server" >&2
	return $rc
}

# no_mirror: a port forwarded automatically is bound once per IP version
# on the host, nothing of ours shows up in the namespace (with -T auto,
# the default, pasta's own host listener must not come back), and the
# forward doesn't flap over ten rescans
case_no_mirror() {
	local rc=0 n f
	start_pasta "$1" tcp 10410 \
		"socat TCP-LISTEN:10410,reuseaddr,fork SYSTEM:'echo hi'" ||
		return 1
	wait_reply 4 127.0.0.1 10410 >/dev/null || rc=1
	sleep 1
	n=$(in_host ss -Hltn 'sport = :10410' | wc -l)
	[ "$n" = 2 ] || { echo "10410 bound $n times on the host" >&2; rc=1; }
	touch "$T/stop"
	wait_exists "$T/stopped" || rc=1
	# The namespace saw only the test's own server, before and after
	for f in ns_before ns_after; do
		n=$(grep -c . "$T/$f")
		if [ "$n" != 1 ] || ! grep -q ':10410 ' "$T/$f"; then
			echo "namespace sockets ($f):" >&2
			cat "$T/$f" >&2
			rc=1
		fi
	done
	n=$(grep -c -- '-t port 10410 forwarded' "$T/log")
	[ "$n" = 1 ] || { echo "10410 forwarded $n times" >&2; rc=1; }
	stop_pasta || { echo "pasta failed" >&2; rc=1; }
	return $rc
}

# none: -t none -u none forward nothing, even with a server there
case_none() {
	local rc=0
	start_pasta "$1" tcp 10420 \
		"socat TCP-LISTEN:10420,reuseaddr,fork SYSTEM:'echo hi'" \
		-t none -u none || return 1
	sleep 0.5
	if in_host ss -Hltun 'sport = :10420' | grep -q .; then
		echo "-t none: port 10420 bound on the host" >&2
		rc=1
	fi
	[ -z "$(tcp_get 4 127.0.0.1 10420)" ] || rc=1
	stop_pasta || { echo "pasta failed" >&2; rc=1; }
	return $rc
}

# existing: pasta attaching (by PID) to a namespace where a server already
# listens forwards its port right away, from its first scan
case_existing() {
	local port=10440 target pp t0 d rc=0 host
	host=$(in_host readlink /proc/self/ns/net)
	# Not through in_host or as_user: $! must be socat itself
	if [ "$1" = root ]; then
		ip netns exec "$HOST_NS" unshare -n timeout "$TO" \
			socat TCP-LISTEN:$port,reuseaddr,fork SYSTEM:'echo hi' &
	else
		ip netns exec "$HOST_NS" setpriv --reuid="$TEST_USER" \
			--regid="$(id -g "$TEST_USER")" --clear-groups -- \
			unshare -rn timeout "$TO" \
			socat TCP-LISTEN:$port,reuseaddr,fork SYSTEM:'echo hi' &
	fi
	target=$!
	record_pid "$target"
	for _ in $(seq 1 100); do
		[ "$(readlink "/proc/$target/ns/net" 2>/dev/null)" != "$host" ] &&
			nsenter -t "$target" -n ss -Hltn "sport = :$port" |
			grep -q . && break
		sleep 0.05
	done
	if ! nsenter -t "$target" -n ss -Hltn "sport = :$port" | grep -q .; then
		echo "target server never listened" >&2
		kill "$target"
		return 1
	fi
	rm -f "$T/attach.pid"
	t0=$(now_ms)
	pasta_run "$1" --config-net -P "$T/attach.pid" "$target" \
		2>"$T/err" || { cat "$T/err" >&2; return 1; }
	wait_file "$T/attach.pid" || { echo "no PID file" >&2; return 1; }
	pp=$(cat "$T/attach.pid")
	record_pid "$pp"
	d=$(wait_reply 4 127.0.0.1 $port) || rc=1
	echo "$1: ms: reached ${d:-x} after pasta returned, " \
	     "$(($(now_ms) - t0)) after it started" >&2
	kill "$pp" "$target" 2>/dev/null
	return $rc
}

# ns_out_script PORT - namespace side of tcp_out: once the host server is
# up ("hostup"), poll 127.0.0.1:PORT until it answers, then, once it's
# down ("hostdown"), until nothing listens there; delays (ms) or "x" go to
# "reach" and "gone"; every wait bounded
ns_out_script() {
	cat <<-SCRIPT
	ms() { echo \$((\$(date +%s%N) / 1000000)); }
	touch $T/started
	for i in \$(seq 1 200); do [ -e $T/hostup ] && break; sleep 0.05; done
	t0=\$(ms); r=x
	while [ \$((\$(ms) - t0)) -le $LIMIT_MS ]; do
		if [ "\$(timeout 3 socat -T 2 - TCP4:127.0.0.1:$1 \
		      </dev/null 2>/dev/null)" = hi ]; then
			r=\$((\$(ms) - t0)); break
		fi
		sleep 0.02
	done
	echo \$r > $T/reach
	for i in \$(seq 1 200); do [ -e $T/hostdown ] && break; sleep 0.05; done
	t0=\$(ms); r=x
	while [ \$((\$(ms) - t0)) -le $LIMIT_MS ]; do
		if ! ss -Hltn 'sport = :$1' | grep -q .; then
			r=\$((\$(ms) - t0)); break
		fi
		sleep 0.02
	done
	echo \$r > $T/gone
	SCRIPT
}

# tcp_out: -T auto, a host server started after pasta, reached from the
# namespace's loopback, then released in the namespace
case_tcp_out() {
	local port=10430 rc=0 spid out
	out=$(in_host timeout 10 "$PASTA" -f -T auto -- true 2>&1)
	if grep -q "not supported yet" <<<"$out"; then
		echo "-T auto not supported by this build" >&2
		return 77
	fi
	rm -f "$T/started" "$T/hostup" "$T/hostdown" "$T/reach" "$T/gone" \
		"$T/log"
	pasta_run "$1" --config-net -d -l "$T/log" -- \
		sh -c "$(ns_out_script $port)" >/dev/null 2>&1 &
	PID=$!
	wait_exists "$T/started" || { echo "pasta didn't start" >&2; return 1; }
	sleep 0.3
	# Not through in_host: $! must be timeout(1), which passes on kill
	ip netns exec "$HOST_NS" timeout "$TO" \
		socat TCP4-LISTEN:$port,reuseaddr,fork SYSTEM:'echo hi' &
	spid=$!
	for _ in $(seq 1 100); do
		in_host ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.05
	done
	touch "$T/hostup"
	wait_exists "$T/reach" || rc=1
	kill "$spid"
	wait "$spid" 2>/dev/null
	touch "$T/hostdown"
	wait "$PID" || { echo "pasta failed" >&2; rc=1; }
	[ "$(cat "$T/reach" 2>/dev/null)" != x ] ||
		{ echo "host port $port not reached from the namespace" >&2; rc=1; }
	[ "$(cat "$T/gone" 2>/dev/null)" != x ] ||
		{ echo "port $port still bound in the namespace" >&2; rc=1; }
	echo "$1: ms: reach $(cat "$T/reach" 2>/dev/null)" \
	     "gone $(cat "$T/gone" 2>/dev/null)" >&2
	return $rc
}

# ns_udp_out_script PORT - namespace side of udp_out: once the host
# server is up, wait until PORT is bound here, then check an echo through
# 127.0.0.1 ("echo": ok or x); once it's down, until PORT is free again
ns_udp_out_script() {
	cat <<-SCRIPT
	ms() { echo \$((\$(date +%s%N) / 1000000)); }
	touch $T/started
	for i in \$(seq 1 200); do [ -e $T/hostup ] && break; sleep 0.05; done
	t0=\$(ms); r=x
	while [ \$((\$(ms) - t0)) -le $LIMIT_MS ]; do
		if ss -Hlun 'sport = :$1' | grep -q .; then
			r=\$((\$(ms) - t0)); break
		fi
		sleep 0.02
	done
	echo \$r > $T/reach
	if timeout 10 /usr/bin/python3 $T/udp_peer.py client 127.0.0.1 $1 \
	   100; then echo ok > $T/echo; else echo x > $T/echo; fi
	for i in \$(seq 1 200); do [ -e $T/hostdown ] && break; sleep 0.05; done
	t0=\$(ms); r=x
	while [ \$((\$(ms) - t0)) -le $LIMIT_MS ]; do
		if ! ss -Hlun 'sport = :$1' | grep -q .; then
			r=\$((\$(ms) - t0)); break
		fi
		sleep 0.02
	done
	echo \$r > $T/gone
	SCRIPT
}

# udp_out: -U auto, a host UDP echo server started after pasta, bound in
# the namespace, answering through its 127.0.0.1, then released
case_udp_out() {
	local port=10431 rc=0 spid out
	out=$(in_host timeout 10 "$PASTA" -f -U auto -- true 2>&1)
	if grep -q "not supported yet" <<<"$out"; then
		echo "-U auto not supported by this build" >&2
		return 77
	fi
	rm -f "$T/started" "$T/hostup" "$T/hostdown" "$T/reach" "$T/gone" \
		"$T/echo" "$T/log"
	pasta_run "$1" --config-net -d -l "$T/log" -- \
		sh -c "$(ns_udp_out_script $port)" >/dev/null 2>&1 &
	PID=$!
	wait_exists "$T/started" || { echo "pasta didn't start" >&2; return 1; }
	sleep 0.3
	# Not through in_host: $! must be timeout(1), which passes on kill
	ip netns exec "$HOST_NS" timeout "$TO" /usr/bin/python3 \
		"$T/udp_peer.py" echo 127.0.0.1 $port &
	spid=$!
	for _ in $(seq 1 100); do
		in_host ss -Hlun "sport = :$port" | grep -q . && break
		sleep 0.05
	done
	touch "$T/hostup"
	wait_exists "$T/echo" || rc=1
	kill "$spid"
	wait "$spid" 2>/dev/null
	touch "$T/hostdown"
	wait "$PID" || { echo "pasta failed" >&2; rc=1; }
	[ "$(cat "$T/reach" 2>/dev/null)" != x ] ||
		{ echo "host UDP port $port not bound in the namespace" >&2; rc=1; }
	[ "$(cat "$T/echo" 2>/dev/null)" = ok ] ||
		{ echo "no echo through the namespace's 127.0.0.1" >&2; rc=1; }
	[ "$(cat "$T/gone" 2>/dev/null)" != x ] ||
		{ echo "UDP port $port still bound in the namespace" >&2; rc=1; }
	echo "$1: ms: bound $(cat "$T/reach" 2>/dev/null)" \
	     "gone $(cat "$T/gone" 2>/dev/null)" >&2
	return $rc
}

if [ "$(id -u)" != 0 ]; then
	echo "auto: needs root to build the test topology" >&2
	for c in $CASES; do result skip "auto/$c" "not root"; done
	exit 0
fi
topo_setup || exit 1
tun_usable || exit 1

for c in $CASES; do
	for p in $PRIVS; do
		"case_$c" "$p"
		case $? in
		0)	result pass "auto/$c/$p" ;;
		77)	result skip "auto/$c/$p" ;;
		*)	result fail "auto/$c/$p" ;;
		esac
	done
done
