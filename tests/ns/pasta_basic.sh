#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta_basic.sh - pasta brings a namespace up: --config-net, DHCP (dhclient,
# udhcpc), DHCPv6, SLAAC, ping (also to mapped addresses), exit status,
# attaching by PID and --netns.
# Every case runs with pasta started as root and as an unprivileged user.
#
# Usage: tests/ns/pasta_basic.sh PASST_BINARY [CASE...]
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/topology.sh

BIN="${1:?usage: $0 PASST_BINARY [CASE...]}"
shift
CASES="${*:-config_net overrides ping4 ping6 ping_map ping_raw pcap exit_status dhclient4 udhcpc dhclient6 dns_opts no_services slaac attach_pid attach_netns}"
PRIVS="${PRIVS:-root user}"
test_dir basic "$BIN"
install -m 0755 tests/lib/dhcp-record.sh "$T/dhcp-record.sh"
TO=30

trap 'topo_cleanup; rm -rf "$T"' EXIT

# record_script NAME - client script writing what it got to $T/NAME.rec
record_script() {
	local s="$T/$1.sh"
	printf '#!/bin/sh\nDHCP_RECORD=%s exec %s "$@"\n' \
		"$T/$1.rec" "$T/dhcp-record.sh" > "$s"
	chmod 0755 "$s"
	rm -f "$T/$1.rec"
	echo "$s"
}

# expect NAME TEXT PATTERN... - each PATTERN (grep -E) must occur in TEXT
expect() {
	local name=$1 text=$2 pat
	shift 2
	for pat in "$@"; do
		if ! grep -qE -- "$pat" <<<"$text"; then
			echo "--- $name: missing /$pat/ in:" >&2
			echo "$text" >&2
			return 1
		fi
	done
}

case_config_net() {
	local out
	out=$(pasta_run "$1" --config-net -- sh -c \
		'ip -o addr show; ip route; ip -6 route; ip -o link show' \
		2>"$T/err") || { cat "$T/err" >&2; return 1; }
	expect config_net "$out" \
		"eth0 +inet $HOST4/$PREFIX4" "eth0 +inet6 $HOST6/$PREFIX6" \
		"^default via $UP4 dev eth0" "^default via $UP6 dev eth0" \
		"eth0: <.*UP.*> mtu 65520" "lo: <LOOPBACK,UP"
}

# overrides: -a -n -g -M -4 replace what --config-net copies from the host
case_overrides() {
	local out
	out=$(pasta_run "$1" --config-net -4 -a 192.0.2.77 -n 25 \
		-I tap7 -g 192.0.2.126 -M 02:00:00:00:00:42 --ns-mac-addr 02:00:00:00:00:43 \
		-- sh -c "ip -o addr show; ip route; ip -6 route; ip -o link show tap7
			  ping -c1 -W5 $REMOTE4 && ip neigh" 2>"$T/err") ||
		{ echo "$out"; cat "$T/err" >&2; return 1; }
	expect overrides "$out" "tap7 +inet 192.0.2.77/25" \
		"^default via 192.0.2.126 dev tap7" "link/ether 02:00:00:00:00:43" \
		"192.0.2.126 dev tap7 lladdr 02:00:00:00:00:42" || return 1
	if grep -q "inet6 2001:db8\|default via $UP6" <<<"$out"; then
		echo "IPv6 configured despite -4:" >&2
		echo "$out" >&2
		return 1
	fi
}

case_ping4() {
	pasta_run "$1" --config-net -- sh -c \
		"ping -c1 -W5 $UP4 && ping -c2 -i0.2 -W5 $REMOTE4" \
		>"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
}

case_ping6() {
	pasta_run "$1" --config-net -- sh -c \
		"ping -6 -c1 -W5 $UP6 && ping -6 -c2 -i0.2 -W5 $REMOTE6" \
		>"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
}

# ping_map: echo requests to a --map-host-loopback or --map-guest-addr
# address (unused in the subnet: nothing else answers there) get replies,
# from the host's loopback or its own address (appearing to come from the
# mapped address), through ping sockets and, for root, raw ones too
case_ping_map() {
	local rc=0 range a
	for range in "0 2147483647" "1 0"; do
		[ "$1" = user ] && [ "$range" = "1 0" ] && continue
		in_host sysctl -q -w net.ipv4.ping_group_range="$range"
		pasta_run "$1" --config-net --map-host-loopback 192.0.2.99 \
			--map-host-loopback 2001:db8:1::99 -- sh -c \
			"ping -c2 -i0.2 -W5 192.0.2.99 &&
			 ping -6 -c2 -i0.2 -W5 2001:db8:1::99" \
			>"$T/out" 2>&1 || rc=1
		pasta_run "$1" --config-net -a "$HOST4" -a "$HOST6" \
			--map-guest-addr 192.0.2.98 \
			--map-guest-addr 2001:db8:1::98 -- sh -c \
			"ping -c2 -i0.2 -W5 192.0.2.98 &&
			 ping -6 -c2 -i0.2 -W5 2001:db8:1::98" \
			>>"$T/out" 2>&1 || rc=1
		# Replies come from the address the namespace pinged
		for a in 192.0.2.99 2001:db8:1::99 192.0.2.98 2001:db8:1::98; do
			grep -q "bytes from $a: " "$T/out" || rc=1
		done
		[ $rc = 0 ] || break
	done
	in_host sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
	[ $rc = 0 ] || cat "$T/out" >&2
	return $rc
}

# ping_raw: with ping sockets forbidden (the kernel's default range "1 0"),
# root falls back to raw sockets; an unprivileged pasta can't, and says so
case_ping_raw() {
	local rc=0
	in_host sysctl -q -w net.ipv4.ping_group_range="1 0"
	if [ "$1" = root ]; then
		pasta_run root --config-net -- sh -c \
			"ping -c2 -i0.2 -W5 $REMOTE4 && ping -6 -c2 -i0.2 -W5 $REMOTE6" \
			>"$T/out" 2>&1 || rc=1
		[ $rc = 0 ] && ! grep -q 'using a raw socket' "$T/out" && rc=1
	else
		pasta_run user --config-net -- ping -c1 -W1 "$REMOTE4" \
			>"$T/out" 2>&1 && rc=1
		grep -q 'ping_group_range' "$T/out" || rc=1
	fi
	in_host sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
	[ $rc = 0 ] || cat "$T/out" >&2
	return $rc
}

# pcap: --pcap records the namespace's frames, readable by tcpdump
case_pcap() {
	local out
	rm -f "$T/cap.pcap"
	pasta_run "$1" --config-net -p "$T/cap.pcap" -- \
		ping -c1 -W5 "$REMOTE4" >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; return 1; }
	out=$(tcpdump -n -r "$T/cap.pcap" 2>&1)
	expect pcap "$out" "ARP, Request who-has $UP4" "ARP, Reply $UP4" \
		"$HOST4 > $REMOTE4: ICMP echo request" \
		"$REMOTE4 > $HOST4: ICMP echo reply"
}

case_exit_status() {
	local rc
	pasta_run "$1" -- sh -c 'exit 7' 2>"$T/err"
	rc=$?
	[ "$rc" = 7 ] || { echo "exit status $rc, expected 7" >&2; return 1; }
	pasta_run "$1" -q -- true || return 1
}

case_dhclient4() {
	local s rec
	s=$(record_script dhclient4)
	pasta_run "$1" --dhcp-dns --dhcp-search -- sh -c "
		ip link set eth0 up
		timeout 15 dhclient -4 -1 -cf /dev/null -sf $s \
			-lf $T/d4.lease -pf $T/d4.pid eth0 || exit 1
		kill \$(cat $T/d4.pid) 2>/dev/null
		ip -o addr show eth0; ip route; ip -o link show eth0
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	rec=$(cat "$T/dhclient4.rec" 2>/dev/null)
	expect dhclient4 "$rec" "^ip=$HOST4\$" "^mask=255.255.255.0\$" \
		"^router=$UP4\$" "^dns=$UP4\$" "^mtu=65520\$" \
		"^search=.*test\\.example.*example\\.org" "^domain=test.example" &&
	expect dhclient4 "$(cat "$T/out")" "inet $HOST4/$PREFIX4" \
		"default via $UP4" "mtu 65520"
}

case_udhcpc() {
	local s rec
	s=$(record_script udhcpc)
	pasta_run "$1" --dhcp-dns --dhcp-search -- sh -c "
		ip link set eth0 up
		timeout 15 udhcpc -i eth0 -f -q -n -t 3 -T 2 -s $s || exit 1
		ip -o addr show eth0; ip route
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	rec=$(cat "$T/udhcpc.rec" 2>/dev/null)
	expect udhcpc "$rec" "^ip=$HOST4\$" "^mask=255.255.255.0\$" \
		"^router=$UP4\$" "^dns=$UP4\$" "^mtu=65520\$" \
		"^search=.*test\\.example" &&
	expect udhcpc "$(cat "$T/out")" "inet $HOST4/$PREFIX4" \
		"default via $UP4"
}

case_dhclient6() {
	local s rec
	s=$(record_script dhclient6)
	pasta_run "$1" --dhcp-dns --dhcp-search -- sh -c "
		ip link set eth0 up
		for i in \$(seq 1 50); do
			ip -6 addr show dev eth0 scope link | grep -q tentative ||
				break
			sleep 0.1
		done
		timeout 15 dhclient -6 -1 -cf /dev/null -sf $s \
			-lf $T/d6.lease -pf $T/d6.pid eth0 || exit 1
		kill \$(cat $T/d6.pid) 2>/dev/null
		ip -o -6 addr show eth0
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	rec=$(cat "$T/dhclient6.rec" 2>/dev/null)
	expect dhclient6 "$rec" "^ip6=$HOST6\$" "^dns6=$UP6\$" \
		"^search6=.*test\\.example" &&
	expect dhclient6 "$(cat "$T/out")" "inet6 $HOST6/128"
}

# dns_opts: -D and -S replace resolv.conf's resolvers and search list
case_dns_opts() {
	local s rec
	s=$(record_script dnsopts)
	pasta_run "$1" --dhcp-dns --dhcp-search -D 192.0.2.53 -D 192.0.2.54 \
		-S "one.test two.test" -- sh -c "
		ip link set eth0 up
		timeout 15 udhcpc -i eth0 -f -q -n -t 3 -T 2 -s $s || exit 1
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	rec=$(cat "$T/dnsopts.rec" 2>/dev/null)
	expect dns_opts "$rec" "^dns=192.0.2.53 192.0.2.54\$" \
		"^search=one.test two.test\$"
}

# no_services: --no-dhcp, --no-ra and --no-dhcpv6 silence each service
case_no_services() {
	local out
	out=$(pasta_run "$1" --no-dhcp --no-ra --no-dhcpv6 -- sh -c "
		ip link set eth0 up
		if timeout 10 udhcpc -i eth0 -f -q -n -t 2 -T 1 \
			-s /bin/true >/dev/null 2>&1; then echo DHCP-ANSWERED; fi
		sleep 3
		ip -6 route show default
		ip -6 addr show dev eth0 scope global
	" 2>&1) || { echo "$out" >&2; return 1; }
	if grep -qE 'DHCP-ANSWERED|proto ra|scope global' <<<"$out"; then
		echo "a disabled service answered:" >&2
		echo "$out" >&2
		return 1
	fi
}

case_slaac() {
	pasta_run "$1" -- sh -c "
		ip link set eth0 up
		for i in \$(seq 1 100); do
			ip -6 route show default | grep -q 'proto ra' &&
			ip -6 addr show dev eth0 scope global | grep dynamic |
				grep -vq tentative && break
			sleep 0.1
		done
		ip -o -6 addr show dev eth0; ip -6 route
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; return 1; }
	expect slaac "$(cat "$T/out")" \
		"inet6 2001:db8:1:0:[0-9a-f:]+/64 scope global dynamic" \
		"^default via fe80::1 dev eth0 proto ra" \
		"^2001:db8:1::/64 dev eth0"
}

# start_target PRIV - start a process in a new network namespace (and user
# namespace, unprivileged), in the background: $! is its PID once exec'ed
start_target() {
	if [ "$1" = root ]; then
		ip netns exec "$HOST_NS" unshare -n sleep 60 &
	else
		ip netns exec "$HOST_NS" setpriv --reuid="$TEST_USER" \
			--regid="$(id -g "$TEST_USER")" --clear-groups -- \
			unshare -rn sleep 60 &
	fi
}

# wait_target PID - wait (bounded) until PID runs in a network namespace
# other than the host namespace: its launcher may still be exec'ing
wait_target() {
	local host
	host=$(in_host readlink /proc/self/ns/net)
	for _ in $(seq 1 100); do
		[ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" != "$host" ] &&
			[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = \
			  "$(readlink -f "$(command -v sleep)")" ] && return 0
		sleep 0.05
	done
	echo "target $1 did not enter its namespace" >&2
	return 1
}

case_attach_pid() {
	local target pp rc=0
	start_target "$1"
	target=$!
	record_pid "$target"
	wait_target "$target" || return 1
	rm -f "$T/attach.pid"
	pasta_run "$1" --config-net -P "$T/attach.pid" "$target" \
		2>"$T/err" || { cat "$T/err" >&2; return 1; }
	wait_file "$T/attach.pid" || { echo "no PID file" >&2; return 1; }
	pp=$(cat "$T/attach.pid")
	record_pid "$pp"
	if [ "$1" = root ]; then
		in_host nsenter -t "$target" -n ping -c1 -W5 "$UP4" >"$T/out" 2>&1 ||
			rc=1
	else
		as_user nsenter --preserve-credentials -t "$target" -U -n ping -c1 -W5 "$UP4" \
			>"$T/out" 2>&1 || rc=1
	fi
	[ $rc = 0 ] || cat "$T/out" >&2
	kill "$pp" "$target" 2>/dev/null
	return $rc
}

case_attach_netns() {
	local target pp rc=0 tns="pt-tgt-$TOPO_ID"
	rm -f "$T/netns.pid"
	if [ "$1" = root ]; then
		ip netns add "$tns" || return 1
		pasta_run root --config-net --netns "$tns" -P "$T/netns.pid" \
			2>"$T/err" || { cat "$T/err" >&2; ip netns del "$tns"; return 1; }
	else
		start_target user
		target=$!
		record_pid "$target"
		wait_target "$target" || return 1
		pasta_run user --config-net --netns "/proc/$target/ns/net" \
			--userns "/proc/$target/ns/user" -P "$T/netns.pid" \
			2>"$T/err" || { cat "$T/err" >&2; return 1; }
	fi
	wait_file "$T/netns.pid" || { echo "no PID file" >&2; return 1; }
	pp=$(cat "$T/netns.pid")
	record_pid "$pp"
	if [ "$1" = root ]; then
		ip netns exec "$tns" ping -c1 -W5 "$UP4" >"$T/out" 2>&1 || rc=1
	else
		as_user nsenter --preserve-credentials -t "$target" -U -n ping -c1 -W5 "$UP4" \
			>"$T/out" 2>&1 || rc=1
	fi
	[ $rc = 0 ] || cat "$T/out" >&2
	if [ "$1" = root ]; then
		# Deleting the namespace makes pasta exit (no --no-netns-quit)
		ip netns del "$tns"
		for _ in $(seq 1 30); do
			kill -0 "$pp" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pp" 2>/dev/null; then
			echo "pasta still running after ip netns del" >&2
			rc=1
		fi
	fi
	kill "$pp" ${target:+"$target"} 2>/dev/null
	return $rc
}

tun_usable
topo_setup || { result fail topology; exit 1; }
for priv in $PRIVS; do
	for c in $CASES; do
		if "case_$c" "$priv"; then
			result pass "pasta_basic/$c/$priv"
		else
			result fail "pasta_basic/$c/$priv"
		fi
	done
done
