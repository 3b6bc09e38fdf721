#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# topology.sh - the test network: an 'upstream' namespace (router, remote
# addresses, resolver address) joined by a veth to a 'host' namespace where
# passt/pasta run.  Nothing leaves namespaces created here.
#
#   upstream (pt-up-N)                       host (pt-host-N)
#   eth0 192.0.2.1/24   2001:db8:1::1/64 --- eth0 192.0.2.2/24 2001:db8:1::2/64
#   lo   198.51.100.1   2001:db8:2::1         default via 192.0.2.1, 2001:db8:1::1
#
# Source this file; it defines variables and helpers, and topo_setup /
# topo_cleanup.  Helpers: in_up, in_host, as_user, record_pid, result.

TOPO_ID="${TOPO_ID:-$$}"
UP_NS="pt-up-${TOPO_ID}"
HOST_NS="pt-host-${TOPO_ID}"
UP4=192.0.2.1
HOST4=192.0.2.2
PREFIX4=24
REMOTE4=198.51.100.1
UP6=2001:db8:1::1
HOST6=2001:db8:1::2
PREFIX6=64
REMOTE6=2001:db8:2::1
SEARCH="test.example example.org"
TEST_USER="${TEST_USER:-nobody}"
PIDS=()

# in_up CMD... - run a command in the upstream namespace
in_up() { ip netns exec "$UP_NS" "$@"; }

# in_host CMD... - run a command in the host namespace (as root)
in_host() { ip netns exec "$HOST_NS" "$@"; }

# as_user CMD... - run a command in the host namespace as the test user
as_user() {
	ip netns exec "$HOST_NS" setpriv --reuid="$TEST_USER" \
		--regid="$(id -g "$TEST_USER")" --clear-groups -- "$@"
}

# record_pid PID - remember a process to end at cleanup
record_pid() { PIDS+=("$1"); }

# topo_setup - create namespaces, veth, addresses, routes, resolv.conf
topo_setup() {
	topo_cleanup
	ip netns add "$UP_NS" || return 1
	ip netns add "$HOST_NS" || return 1
	ip link add veth-h netns "$HOST_NS" type veth peer name veth-u \
		netns "$UP_NS" || return 1
	in_up ip link set veth-u name eth0
	in_host ip link set veth-h name eth0

	in_up ip link set lo up
	in_up ip link set eth0 up
	in_up ip addr add "$UP4/$PREFIX4" dev eth0
	in_up ip -6 addr add "$UP6/$PREFIX6" dev eth0 nodad
	in_up ip addr add "$REMOTE4/32" dev lo
	in_up ip -6 addr add "$REMOTE6/128" dev lo

	in_host ip link set lo up
	in_host ip link set eth0 up
	in_host ip addr add "$HOST4/$PREFIX4" dev eth0
	in_host ip -6 addr add "$HOST6/$PREFIX6" dev eth0 nodad
	in_host ip route add default via "$UP4"
	in_host ip -6 route add default via "$UP6"
	in_up ip -6 route add 2001:db8:1::/64 dev eth0 2>/dev/null
	# Ping sockets for everybody in the host namespace (icmp(7))
	in_host sysctl -q -w net.ipv4.ping_group_range="0 2147483647"

	# ip netns exec bind-mounts this over /etc/resolv.conf
	mkdir -p "/etc/netns/$HOST_NS"
	printf 'nameserver %s\nnameserver %s\nsearch %s\n' \
		"$UP4" "$UP6" "$SEARCH" > "/etc/netns/$HOST_NS/resolv.conf"

	# Wait (bounded) until the veth passes traffic
	for _ in $(seq 1 50); do
		in_host ping -c1 -W1 "$UP4" >/dev/null 2>&1 &&
			in_host ping -6 -c1 -W1 "$UP6" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "topology: veth not passing traffic" >&2
	return 1
}

# topo_cleanup - end recorded processes, remove namespaces and files
topo_cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 1 20); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
	done
	PIDS=()
	ip netns del "$UP_NS" 2>/dev/null
	ip netns del "$HOST_NS" 2>/dev/null
	rm -rf "/etc/netns/$HOST_NS"
	return 0
}

# test_dir NAME BIN - make $T, a temporary directory the test user can use,
# holding BIN as passt with a pasta link; sets T and PASTA
test_dir() {
	T=$(mktemp -d "/tmp/pt-$1.XXXXXX") || exit 1
	chmod 0777 "$T"
	install -m 0755 "$2" "$T/passt"
	ln -s passt "$T/pasta"
	PASTA="$T/pasta"
}

# pasta_run PRIV ARGS... - run $PASTA in the host namespace, as root or as
# the test user, bounded by $TO seconds
pasta_run() {
	local priv=$1
	shift
	if [ "$priv" = root ]; then
		in_host timeout -k 5 "${TO:-30}" "$PASTA" "$@"
	else
		as_user timeout -k 5 "${TO:-30}" "$PASTA" "$@"
	fi
}

# wait_file PATH - wait (bounded) until a file exists and is not empty
wait_file() {
	for _ in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# result STATUS NAME [DETAIL] - report one case to tests/run
result() { echo "RESULT $1 $2${3:+ ($3)}"; }

# tun_usable - make /dev/net/tun usable by the unprivileged test user
tun_usable() {
	local mode
	if [ ! -e /dev/net/tun ]; then
		echo "test setup: creating /dev/net/tun (char 10:200)" >&2
		mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200
	fi
	mode=$(stat -c %a /dev/net/tun 2>/dev/null) || return 1
	if [ "$mode" != 666 ]; then
		echo "test setup: chmod 0666 /dev/net/tun (was $mode) so that" \
		     "the unprivileged case can create tap devices" >&2
		chmod 0666 /dev/net/tun
	fi
}
