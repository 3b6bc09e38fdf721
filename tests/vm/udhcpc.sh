#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# udhcpc.sh - guest's DHCP client script: apply the lease, report it
case "$1" in
bound|renew)
	[ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
	ip addr add "$ip/$subnet" dev "$interface"
	ip route add default via "$router" dev "$interface"
	echo "GUEST dhcp ip=$ip mask=$subnet router=$router dns=$dns mtu=$mtu"
	;;
esac
exit 0
