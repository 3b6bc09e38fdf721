#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# splice.sh - pasta's local TCP bypass: loopback connections to -t ports
# (host to namespace) and to -T ports (namespace to host) spliced between
# sockets, never through the tap.  1 KiB and 64 MiB both ways, IPv4 and
# IPv6, checked with SHA-256; proof of the path (server sees a loopback
# peer, pasta's debug log counts the bytes of the spliced pair); a
# non-loopback client still takes the tap path; half-close; reset; 200
# concurrent connections; no server on the other side; descriptor
# pressure (RLIMIT_NOFILE); --no-tcp.  Every case runs as root and as a
# user.
#
# Usage: tests/ns/splice.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-in4 in6 out4 out6 lo_to_lo reqresp nonloop half_close rst many refused stalled nofile
	no_tcp}"
# root: the eBPF fast path loads and must carry every pair; root-nobpf:
# the same as root with --no-bpf; user: it can't load, splice only
PRIVS="${PRIVS:-root root-nobpf user}"
test_dir splice "$BIN"
install -m 0755 tests/lib/splice_peer.py "$T/splice_peer.py"
install -m 0755 tests/lib/tcp_peer.py "$T/tcp_peer.py"
SP="/usr/bin/python3 $T/splice_peer.py"
TP="/usr/bin/python3 $T/tcp_peer.py"
TO=60
head -c 1024 /dev/urandom > "$T/s1k"
head -c $((64 << 20)) /dev/urandom > "$T/s64m"
chmod 0644 "$T/s1k" "$T/s64m"

trap 'topo_cleanup; rm -rf "$T"' EXIT

# on_host PRIV CMD... - run a peer in the host namespace as root or user
on_host() {
	local priv=$1
	shift
	if [ "$priv" = root ]; then in_host timeout "$TO" "$@"
	else as_user timeout "$TO" "$@"; fi
}

# then_wait - in the namespace, run a command, then give pasta 0.5 s to
# see the last FIN and log the pair before the namespace goes away
then_wait() { echo "$* ; rc=\$?; sleep 0.5; exit \$rc"; }

# lo_of V - loopback address of an IP version
lo_of() { if [ "$1" = 6 ]; then echo ::1; else echo 127.0.0.1; fi; }

# fresh - remove what the previous run left
fresh() {
	rm -f "$T/got" "$T/got.peer" "$T/got.srv.peer" "$T/ready" "$T/log" \
	      "$T/srv.out" "$T/cli.out"
}

# same SRC GOT WHAT - compare a transfer with its source, by SHA-256
same() {
	local a b
	a=$(sha256sum < "$1" | cut -d' ' -f1)
	b=$(sha256sum < "$2" 2>/dev/null | cut -d' ' -f1)
	[ "$a" = "$b" ] && return 0
	echo "$3: $(stat -c %s "$2" 2>/dev/null || echo no) bytes received," \
	     "$(stat -c %s "$1") sent, or content differs" >&2
	return 1
}

# peer_is ADDR WHAT - the server saw its client coming from ADDR
peer_is() {
	local p
	p=$(cat "$T/got.peer" 2>/dev/null)
	[ "$p" = "$1" ] && return 0
	echo "$2: server saw peer '$p', expected $1" >&2
	return 1
}

# closed [may] - how pasta's debug log says a pair closed cleanly (a
# regular expression): through the fast path when it was expected to load
# (FP=1), or with "may", possibly not: a short connection stays on splice
# when its client sent everything and its FIN before the other side was
# connected (sockmaps take only ESTABLISHED sockets)
closed() {
	if [ "$FP" != 1 ]; then
		echo "closed"
	elif [ "${1:-}" = may ]; then
		echo "closed( \(fast path\))?"
	else
		echo "closed \(fast path\)"
	fi
}

# logged DIR PORT TO_NS TO_HOST WHAT - pasta's debug log has the pair
logged() {
	local line may=
	# A short transfer may stay on splice: its first data is less than
	# 16 KiB, or it is over before the far side is connected
	[ "$3" -lt 1048576 ] && [ "$4" -lt 1048576 ] && may=may
	line="TCP splice: $1 connection to port $2 $(closed $may): $3 bytes"
	line="$line host to namespace, $4 bytes namespace to host"
	grep -qE "$line" "$T/log" && return 0
	echo "$5: no /$line/ in the log:" >&2
	grep "TCP splice" "$T/log" | tail -n 5 >&2
	return 1
}

# xfer_in PRIV V SRC - -t: host client on loopback, server in the namespace
xfer_in() {
	local priv=$1 v=$2 src=$3 lo pid rc=0 size port=10100
	lo=$(lo_of "$v")
	size=$(stat -c %s "$src")

	fresh
	# shellcheck disable=SC2086
	pasta_run "$priv" --config-net ${XOPT:-} -d -l "$T/log" -t $port -- \
		sh -c "READY=$T/ready $SP sink $lo $port $T/got; sleep 0.3" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$priv" $SP put "$lo" $port "$src" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "-t upload IPv$v" || return 1
	peer_is "$lo" "-t upload IPv$v" || return 1
	logged -t $port "$size" 0 "-t upload IPv$v" || return 1
	[ $rc = 0 ] || { echo "-t upload IPv$v: a peer failed" >&2; return 1; }

	fresh
	pasta_run "$priv" --config-net -d -l "$T/log" -t $port -- sh -c \
		"READY=$T/ready $SP source $lo $port $src $T/got; sleep 0.3" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$priv" $SP get "$lo" $port "$T/got" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "-t download IPv$v" || return 1
	peer_is "$lo" "-t download IPv$v" || return 1
	logged -t $port 0 "$size" "-t download IPv$v" || return 1
	[ $rc = 0 ] || { echo "-t download IPv$v: a peer failed" >&2; return 1; }
}

# xfer_out PRIV V SRC - -T: client in the namespace, server on the host's
# loopback
xfer_out() {
	local priv=$1 v=$2 src=$3 lo pid rc=0 size port=10200
	lo=$(lo_of "$v")
	size=$(stat -c %s "$src")

	fresh
	READY="$T/ready" on_host "$priv" $SP sink "$lo" $port "$T/got" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	pasta_run "$priv" --config-net -d -l "$T/log" -T $port -- sh -c \
		"$(then_wait $SP put "$lo" $port "$src")" || rc=1
	wait $pid || rc=1
	same "$src" "$T/got" "-T upload IPv$v" || return 1
	peer_is "$lo" "-T upload IPv$v" || return 1
	logged -T $port 0 "$size" "-T upload IPv$v" || return 1
	[ $rc = 0 ] || { echo "-T upload IPv$v: a peer failed" >&2; return 1; }

	fresh
	READY="$T/ready" on_host "$priv" $SP source "$lo" $port "$src" \
		"$T/got.srv" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	pasta_run "$priv" --config-net -d -l "$T/log" -T $port -- sh -c \
		"$(then_wait $SP get "$lo" $port "$T/got")" || rc=1
	wait $pid || rc=1
	mv -f "$T/got.srv.peer" "$T/got.peer" 2>/dev/null
	same "$src" "$T/got" "-T download IPv$v" || return 1
	peer_is "$lo" "-T download IPv$v" || return 1
	logged -T $port "$size" 0 "-T download IPv$v" || return 1
	[ $rc = 0 ] || { echo "-T download IPv$v: a peer failed" >&2; return 1; }
}

case_in4() { xfer_in "$1" 4 "$T/s1k" && xfer_in "$1" 4 "$T/s64m"; }
case_in6() { xfer_in "$1" 6 "$T/s1k" && xfer_in "$1" 6 "$T/s64m"; }
case_out4() { xfer_out "$1" 4 "$T/s1k" && xfer_out "$1" 4 "$T/s64m"; }
case_out6() { xfer_out "$1" 6 "$T/s1k" && xfer_out "$1" 6 "$T/s64m"; }

# lo_to_lo: --host-lo-to-ns-lo (what the bypass always does) is accepted,
# and a server bound only to the namespace's loopback gets the host's
# loopback clients, from loopback, IPv4 and IPv6
case_lo_to_lo() {
	XOPT=--host-lo-to-ns-lo xfer_in "$1" 4 "$T/s1k" &&
		XOPT=--host-lo-to-ns-lo xfer_in "$1" 6 "$T/s1k"
}

# reqresp: a 13-byte request, then a 64 MiB answer, through -t: as root,
# the fast path takes the pair at the answer's first data, though the
# request was spliced already
case_reqresp() {
	local pid rc=0 port=10105 size
	size=$(stat -c %s "$T/s64m")
	fresh
	pasta_run "$1" --config-net -d -l "$T/log" -t $port -- sh -c \
		"REQUEST=1 READY=$T/ready $SP source 127.0.0.1 $port $T/s64m \
		 $T/got.srv; sleep 0.3" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	REQUEST="GET /s64m 1.0" on_host "$1" $SP get 127.0.0.1 $port \
		"$T/got" || rc=1
	wait $pid || rc=1
	same "$T/s64m" "$T/got" "-t request, answer" || return 1
	logged -t $port 14 "$size" "-t request, answer" || return 1
	[ $rc = 0 ] || { echo "-t request, answer: a peer failed" >&2; return 1; }
}

# nonloop: a client from the host's own (non-loopback) address takes the
# tap path: the server sees the gateway address and nothing is spliced
case_nonloop() {
	local pid rc=0 port=10110
	fresh
	pasta_run "$1" --config-net -d -l "$T/log" -t $port -- sh -c \
		"READY=$T/ready $SP sink 0.0.0.0 $port $T/got; sleep 0.3" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$1" $SP put "$HOST4" $port "$T/s1k" || rc=1
	wait $pid || rc=1
	same "$T/s1k" "$T/got" "non-loopback client" || return 1
	peer_is "$UP4" "non-loopback client" || return 1
	if grep -q "TCP splice: -t connection" "$T/log"; then
		echo "non-loopback client was spliced" >&2
		return 1
	fi
	return $rc
}

# half_close: the client shuts down writing, the server answers 1 MiB
# after that EOF: through -t (IPv4) and -T (IPv6)
case_half_close() {
	local pid rc=0
	rm -f "$T/ready"
	pasta_run "$1" -q --config-net -t 10120 -- sh -c \
		"READY=$T/ready $TP halfclose-server 127.0.0.1 10120 1048576" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$1" $TP halfclose-client 127.0.0.1 10120 1048576 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "-t half-close failed" >&2; return 1; }

	rm -f "$T/ready"
	READY="$T/ready" on_host "$1" $TP halfclose-server ::1 10121 \
		1048576 &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	pasta_run "$1" -q --config-net -T 10121 -- \
		$TP halfclose-client ::1 10121 1048576 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "-T half-close failed" >&2; return 1; }
}

# rst: a server closing with SO_LINGER 0 resets the client on the other
# side, through -t (IPv6) and -T (IPv4)
case_rst() {
	local pid rc=0
	rm -f "$T/ready"
	pasta_run "$1" -q --config-net -t 10130 -- sh -c \
		"READY=$T/ready $TP rst-server ::1 10130" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$1" $TP rst-client ::1 10130 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "-t reset not propagated" >&2; return 1; }

	rm -f "$T/ready"
	READY="$T/ready" on_host "$1" $TP rst-server 127.0.0.1 10131 &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	pasta_run "$1" -q --config-net -T 10131 -- \
		$TP rst-client 127.0.0.1 10131 || rc=1
	wait $pid || rc=1
	[ $rc = 0 ] || { echo "-T reset not propagated" >&2; return 1; }
}

# many: 200 connections open at once, then 64 KiB on each, answered with
# its SHA-256; -t over IPv4, -T over IPv6; all 200 pairs in the log (with
# the fast path or not: pasta hands a pair over at its first data only if
# that is 16 KiB or more, and 64 KiB may come in smaller pieces)
case_many() {
	local pid rc=0 n
	fresh
	pasta_run "$1" --config-net -d -l "$T/log" -t 10140 -- sh -c \
		"READY=$T/ready $SP many-server 127.0.0.1 10140 200 \
			>$T/srv.out; sleep 0.3" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$1" $SP many-client 127.0.0.1 10140 200 65536 >"$T/cli.out" ||
		rc=1
	wait $pid || rc=1
	n=$(grep -cE "TCP splice: -t connection to port 10140 $(closed may): 65536" \
		"$T/log")
	grep -q "^served 200, peers 127.0.0.1$" "$T/srv.out" || rc=1
	if [ "$n" != 200 ] || [ $rc != 0 ]; then
		echo "-t: 200 connections: $(cat "$T/srv.out"), $n logged" >&2
		return 1
	fi

	fresh
	READY="$T/ready" on_host "$1" $SP many-server ::1 10141 200 \
		>"$T/srv.out" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	pasta_run "$1" --config-net -d -l "$T/log" -T 10141 -- sh -c \
		"$(then_wait $SP many-client ::1 10141 200 65536)" \
		>"$T/cli.out" || rc=1
	wait $pid || rc=1
	n=$(grep -cE "TCP splice: -T connection to port 10141 $(closed may): 32 bytes" \
		"$T/log")
	grep -q "^served 200, peers ::1$" "$T/srv.out" || rc=1
	if [ "$n" != 200 ] || [ $rc != 0 ]; then
		echo "-T: 200 connections: $(cat "$T/srv.out"), $n logged" >&2
		return 1
	fi
}

# refused: nobody listens on the other side: the client, already
# connected to pasta, sees a reset (or EOF) within 2 s, not a hang
case_refused() {
	local pid rc=0 out
	fresh
	pasta_run "$1" -q --config-net -t 10150 -- sh -c \
		"echo ok >$T/ready; sleep 3" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	out=$(on_host "$1" $SP reset 127.0.0.1 10150 2 2>&1) || rc=1
	wait $pid
	[ $rc = 0 ] || { echo "-t with no server: $out" >&2; return 1; }

	out=$(pasta_run "$1" -q --config-net -T 10151 -- $SP reset ::1 10151 2 \
		2>&1) || rc=1
	[ $rc = 0 ] || { echo "-T with no server: $out" >&2; return 1; }
}

# stalled: the server in the namespace never accepts and its backlog is
# full, so connect() from pasta gets no answer (SYNs are dropped): after
# 10 s the client is reset, instead of waiting for minutes
case_stalled() {
	local pid rc=0 out
	fresh
	pasta_run "$1" -q --config-net -t 10155 -- sh -c \
		"READY=$T/ready $SP stall 127.0.0.1 10155 15" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	out=$(on_host "$1" $SP stalled 127.0.0.1 10155 3 9 14 2>&1) || rc=1
	wait $pid
	[ $rc = 0 ] || echo "stalled connect: $out" >&2
	return $rc
}

# nofile: with RLIMIT_NOFILE at 128, 60 connections at once can't all be
# spliced: some are reset (logged), the others go through, pasta keeps
# running, and once they are gone new connections work again
case_nofile() {
	local pid rc=0 run
	fresh
	if [ "$1" = root ]; then run=in_host; else run=as_user; fi
	$run timeout "$TO" prlimit --nofile=128:128 "$PASTA" --config-net \
		-d -l "$T/log" -t 10160 -- sh -c \
		"READY=$T/ready IDLE=3 $SP many-server 127.0.0.1 10160 \
			1000 >/dev/null; exit 0" &
	pid=$!
	wait_file "$T/ready" || { kill $pid; return 1; }
	on_host "$1" $SP many-client 127.0.0.1 10160 60 4096 resets-ok \
		>"$T/cli.out" || rc=1
	grep -q "reset [1-9]" "$T/cli.out" || rc=1
	grep -q "too close to the file descriptor limit" "$T/log" || rc=1
	echo "nofile: $(cat "$T/cli.out") (of 60, RLIMIT_NOFILE 128)" >&2
	[ $rc = 0 ] || echo "nofile: pressure not seen" >&2
	# Recovery
	on_host "$1" $SP many-client 127.0.0.1 10160 8 4096 >"$T/cli.out" ||
		{ echo "nofile: after pressure: $(cat "$T/cli.out")" >&2; rc=1; }
	wait "$pid"
	return $rc
}

# no_tcp: --no-tcp binds nothing for -T in the namespace (control: without
# it, both loopback addresses listen)
case_no_tcp() {
	local out
	out=$(pasta_run "$1" -q --config-net --no-tcp -T 10170 -- \
		ss -Hltn "sport = :10170" 2>&1)
	if [ -n "$out" ]; then
		echo "--no-tcp: -T still listens: $out" >&2
		return 1
	fi
	out=$(pasta_run "$1" -q --config-net -T 10170 -- ss -Hltn \
		"sport = :10170" 2>&1)
	if ! grep -q "127.0.0.1:10170" <<<"$out" ||
	   ! grep -q "\[::1\]:10170" <<<"$out"; then
		echo "-T 10170: not listening on loopback: $out" >&2
		return 1
	fi
}

tun_usable
topo_setup || { result fail topology; exit 1; }
# pasta_run PRIV ARGS... - as topology.sh's, with --no-bpf for root-nobpf
eval "$(declare -f pasta_run | sed '1s/pasta_run/pasta_run_base/')"
pasta_run() {
	local p=$1
	shift
	pasta_run_base "$p" $BPF_OPT "$@"
}

for run in $PRIVS; do
	priv=${run%-nobpf}
	BPF_OPT=
	FP=0
	[ "$run" = root ] && FP=1
	[ "$run" = root-nobpf ] && BPF_OPT=--no-bpf
	for c in $CASES; do
		if "case_$c" "$priv"; then
			result pass "splice/$c/$run"
		else
			result fail "splice/$c/$run"
		fi
	done
done
