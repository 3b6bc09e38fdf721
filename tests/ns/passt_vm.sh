#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# passt_vm.sh - passt serving a real qemu guest (Debian's kernel, a busybox
# initramfs from tests/vm/): the guest gets its address by DHCP and its
# IPv6 prefix by SLAAC, and pings the upstream namespace over IPv4 and IPv6.
# A second guest connecting while one is served is turned away; after the
# first leaves, the next one is served (state reset).  The guest fetches a
# file over HTTP from the upstream namespace, exchanges UDP datagrams with
# it, and serves TCP and UDP echo reached through -t and -u.  passt runs
# as root and as an unprivileged user.  qemu uses TCG: nested KVM was
# unusably slow on this machine kind (no output within 20 s).
#
# Usage: tests/ns/passt_vm.sh PASST_BINARY
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY}"
PRIVS="${PRIVS:-root user}"
VMDIR="$(dirname "$BIN")/vm"
T=$(mktemp -d /tmp/pt-vm.XXXXXX)
chmod 0777 "$T"
install -m 0755 "$BIN" "$T/passt"
trap 'topo_cleanup; rm -rf "$T"' EXIT

if ! tests/vm/build-guest.sh "$VMDIR" >"$T/build.log" 2>&1; then
	cat "$T/build.log"
	result fail passt_vm/build-guest
	exit 1
fi

# guest SOCKET OUT [PARAM...] - boot the test guest on passt's socket,
# console to OUT; PARAMs go to the guest's init (tests/vm/init)
guest() {
	local sock=$1 out=$2
	shift 2
	timeout 240 ip netns exec "$HOST_NS" qemu-system-x86_64 -accel tcg \
		-m 256 -nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$VMDIR/vmlinuz" -initrd "$VMDIR/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 pt.ping4=$REMOTE4 pt.ping6=$REMOTE6 $*" \
		-device virtio-net-pci,netdev=s \
		-netdev "stream,id=s,server=off,addr.type=unix,addr.path=$sock" \
		</dev/null >"$out" 2>&1
}

# passt_start PRIV SOCKET [OPTION...] - start passt in the background,
# record its PID
passt_start() {
	local run=in_host priv=$1 sock=$2
	shift 2
	[ "$priv" = user ] && run=as_user
	rm -f "$T/passt.pid" "$T/passt.log" "$sock"
	$run "$T/passt" -s "$sock" -P "$T/passt.pid" -l "$T/passt.log" "$@" 2>"$T/passt.err" ||
		{ cat "$T/passt.err" "$T/passt.log" >&2; return 1; } ||
		return 1
	for _ in $(seq 1 50); do
		[ -s "$T/passt.pid" ] && break
		sleep 0.1
	done
	[ -s "$T/passt.pid" ] || return 1
	record_pid "$(cat "$T/passt.pid")"
}

# expect_guest NAME OUT PATTERN... - the guest's console shows each PATTERN
expect_guest() {
	local name=$1 out=$2 pat
	shift 2
	for pat in "$@"; do
		if ! grep -aqE -- "$pat" "$out"; then
			echo "--- $name: missing /$pat/ in guest console:" >&2
			grep -a 'GUEST' "$out" >&2
			tail -n 20 "$T/passt.log" >&2
			return 1
		fi
	done
}

case_guest() {
	local sock="$T/passt-$1.sock"
	passt_start "$1" "$sock" || { echo "passt didn't start" >&2; return 1; }
	guest "$sock" "$T/console" || true
	expect_guest guest "$T/console" \
		"GUEST dhcp ip=$HOST4 mask=255.255.255.0 router=$UP4 dns=$UP4 mtu=65520" \
		"GUEST addr6 .*inet6 2001:db8:1:0:[0-9a-f:]+/64" \
		"GUEST ping4-ok" "GUEST ping6-ok"
}

# reconnect: a second guest while one is served is closed at once; after
# the first leaves, a new guest gets full service again
case_reconnect() {
	local sock="$T/passt-r-$1.sock" first
	passt_start "$1" "$sock" || { echo "passt didn't start" >&2; return 1; }
	guest "$sock" "$T/console1" &
	first=$!
	for _ in $(seq 1 100); do
		grep -q 'guest connected' "$T/passt.log" 2>/dev/null && break
		sleep 0.1
	done
	# Turned away: the connection is closed without a single frame
	timeout 5 socat -u "UNIX-CONNECT:$sock" - >"$T/second" 2>/dev/null
	[ -s "$T/second" ] && { echo "second client got data" >&2; return 1; }
	wait "$first"
	expect_guest first "$T/console1" "GUEST ping4-ok" || return 1
	guest "$sock" "$T/console2" || true
	expect_guest second "$T/console2" "GUEST dhcp-ok" "GUEST ping4-ok" \
		"GUEST ping6-ok"
}

# tcp: the guest fetches 1 MiB over HTTP, IPv4 and IPv6 (busybox httpd in
# the upstream namespace, busybox wget in the guest) and reports its sha256;
# a client upstream reaches an echo server in the guest through -t
case_tcp() {
	local sock="$T/passt-t-$1.sock" g want got
	rm -rf "$T/www"
	mkdir "$T/www"
	head -c 1048576 /dev/urandom >"$T/www/blob"
	want=$(sha256sum <"$T/www/blob" | cut -d' ' -f1)
	ip netns exec "$UP_NS" timeout 200 \
		busybox httpd -f -p "$REMOTE4:18080" -h "$T/www" &
	case_pid $!
	ip netns exec "$UP_NS" timeout 200 \
		busybox httpd -f -p "[$REMOTE6]:18080" -h "$T/www" &
	case_pid $!
	passt_start "$1" "$sock" -t 10022 ||
		{ echo "passt didn't start" >&2; return 1; }
	guest "$sock" "$T/console" "pt.fetch=http://$REMOTE4:18080/blob" \
		"pt.fetch6=http://[$REMOTE6]:18080/blob" \
		pt.listen=10022 pt.stay=15 &
	g=$!
	guest_wait "$g" || return 1
	got=$(echo "hello through passt" |
	      in_up timeout 20 socat -t 5 - "TCP:$HOST4:10022")
	wait "$g"	# the guest powers off after pt.stay seconds
	expect_guest tcp "$T/console" "GUEST fetch $want" \
		"GUEST fetch6 $want" || return 1
	[ "$got" = "hello through passt" ] ||
		{ echo "echo through -t: got '$got'" >&2; return 1; }
}

# udp_check NAME DESTINATION - a 1000-byte datagram from the upstream
# namespace to a guest echo server through -u comes back intact
udp_check() {
	head -c 1000 /dev/urandom >"$T/udp.out"
	in_up timeout 20 socat -t 5 - "$2" <"$T/udp.out" >"$T/udp.in" \
		2>/dev/null
	cmp -s "$T/udp.out" "$T/udp.in" ||
		{ echo "$1: $(stat -c %s "$T/udp.in") bytes came back" >&2
		  return 1; }
}

# udp: the guest sends 1000-byte datagrams to echo servers upstream (IPv4,
# IPv6) and compares what came back; a client upstream reaches UDP echo
# servers in the guest through -u (IPv4, IPv6)
case_udp() {
	local sock="$T/passt-u-$1.sock" g rc=0 same
	ip netns exec "$UP_NS" timeout 200 socat -T 5 \
		"UDP4-RECVFROM:18053,bind=$REMOTE4,fork" PIPE &
	case_pid $!
	ip netns exec "$UP_NS" timeout 200 socat -T 5 \
		"UDP6-RECVFROM:18053,bind=[$REMOTE6],fork" PIPE &
	case_pid $!
	passt_start "$1" "$sock" -u 10053 ||
		{ echo "passt didn't start" >&2; return 1; }
	guest "$sock" "$T/console" "pt.udp4=$REMOTE4:18053" \
		"pt.udp6=[$REMOTE6]:18053" pt.listen=10053 pt.stay=20 &
	g=$!
	guest_wait "$g" || return 1
	udp_check "upstream -> guest (IPv4)" "UDP4:$HOST4:10053" || rc=1
	udp_check "upstream -> guest (IPv6)" "UDP6:[$HOST6]:10053" || rc=1
	wait "$g"
	same='sent=([0-9a-f]{64}) got=\1([^0-9a-f]|$)'
	expect_guest udp "$T/console" "GUEST udp4 $same" "GUEST udp6 $same" ||
		rc=1
	return $rc
}

# case_pid PID - a server of this case, ended (and recorded for cleanup)
# when the case is over, so that the next case can bind its port.  PID must
# be timeout(1) itself (started through ip netns exec, which execs, not
# through a shell function, whose subshell would not pass the signal on):
# timeout ends its whole process group, forked children included
case_pid() {
	record_pid "$1"
	CASE_PIDS+=("$1")
}

# guest_wait PID - wait (bounded) until the guest running as PID listens
guest_wait() {
	for _ in $(seq 1 1800); do
		grep -aq 'GUEST listening' "$T/console" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	echo "guest never listened" >&2
	grep -a 'GUEST' "$T/console" >&2
	return 1
}

CASE_PIDS=()
tun_usable
topo_setup || { result fail passt_vm/topology; exit 1; }
for priv in $PRIVS; do
	for c in ${CASES:-guest reconnect tcp udp}; do
		if "case_$c" "$priv"; then
			result pass "passt_vm/$c/$priv"
		else
			result fail "passt_vm/$c/$priv"
		fi
		# End servers and passt and wait: the next case binds the
		# same ports
		for p in "${CASE_PIDS[@]}"; do
			kill "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		done
		CASE_PIDS=()
		if [ -s "$T/passt.pid" ]; then
			pp=$(cat "$T/passt.pid")
			kill "$pp" 2>/dev/null
			for _ in $(seq 1 50); do
				kill -0 "$pp" 2>/dev/null || break
				sleep 0.1
			done
		fi
	done
done
