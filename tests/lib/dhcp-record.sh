#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dhcp-record.sh - client script for dhclient (-sf) and udhcpc (-s): record
# what the server handed out into $DHCP_RECORD, and apply the address, MTU
# and default route with ip(8).  It never touches /etc/resolv.conf.
out="${DHCP_RECORD:?}"

if [ -n "${reason:-}" ]; then		# dhclient
	case "$reason" in
	BOUND|RENEW|REBIND|REBOOT)
		{
			echo "ip=$new_ip_address"
			echo "mask=$new_subnet_mask"
			echo "router=$new_routers"
			echo "dns=$new_domain_name_servers"
			echo "domain=$new_domain_name"
			echo "search=$new_domain_search"
			echo "mtu=$new_interface_mtu"
		} > "$out"
		[ -n "$new_interface_mtu" ] &&
			ip link set dev "$interface" mtu "$new_interface_mtu"
		ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface"
		ip route add default via "$new_routers" dev "$interface"
		;;
	BOUND6|RENEW6|REBIND6)
		{
			echo "ip6=$new_ip6_address"
			echo "dns6=$new_dhcp6_name_servers"
			echo "search6=$new_dhcp6_domain_search"
		} > "$out"
		ip -6 addr add "$new_ip6_address/128" dev "$interface" nodad
		;;
	esac
	exit 0
fi

case "${1:-}" in			# udhcpc
bound|renew)
	{
		echo "ip=$ip"
		echo "mask=$subnet"
		echo "router=$router"
		echo "dns=$dns"
		echo "domain=$domain"
		echo "search=$search"
		echo "mtu=$mtu"
	} > "$out"
	[ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
	ip addr add "$ip/$subnet" dev "$interface"
	ip route add default via "$router" dev "$interface"
	;;
esac
exit 0
