// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_derive.c - configuration defaults taken from the host
 *
 * What the command line leaves open is copied from the host, so that the
 * guest or namespace looks like the host: the interface with the default
 * route (per IP version), its first address and prefix, the default
 * gateway, its MAC address, and resolvers and search domains from
 * /etc/resolv.conf.  An IP version without a default route and an address
 * is disabled, as is DHCP when there is no IPv4 gateway to announce.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "netlink.h"
#include "util.h"

/* Used when the template interface has no hardware address */
static const uint8_t conf_fallback_mac[ETH_ALEN_] = {
	0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55
};

/**
 * conf_ifi() - Pick the host interface for one IP version
 * @c:		Execution context
 * @nl:		Netlink socket in the host namespace
 * @family:	AF_INET or AF_INET6
 *
 * Return: interface index, 0 if none is usable
 */
static unsigned conf_ifi(const struct ctx *c, int nl, int family)
{
	const char *out = family == AF_INET ? c->ip4.ifname_out :
					      c->ip6.ifname_out;
	const char *name = *c->ifname ? c->ifname : out;

	if (*name) {
		unsigned ifi = if_nametoindex(name);

		if (!ifi)
			die("%s: no such interface '%s'",
			    *c->ifname ? "--interface" :
			    family == AF_INET ? "--outbound-if4" :
						"--outbound-if6", name);
		return ifi;
	}
	return nl_default_ifi(nl, family);
}

/**
 * conf_classful_prefix() - Prefix length of an IPv4 address's class (RFC 4632)
 * @a:		Address
 *
 * Return: 8, 16 or 24
 */
static int conf_classful_prefix(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (IN_CLASSA(h))
		return 8;
	if (IN_CLASSB(h))
		return 16;
	return 24;
}

/**
 * conf_ip4() - Fill IPv4 address, prefix and gateway from the host
 * @c:		Execution context
 * @nl:		Netlink socket in the host namespace
 *
 * Return: true if IPv4 is usable
 */
static bool conf_ip4(struct ctx *c, int nl)
{
	struct nl_route routes[NL_MAX_ROUTES];
	struct nl_addr addrs[NL_MAX_ADDRS];
	int n, i;

	n = nl_addrs(nl, c->ifi4, AF_INET, addrs, NL_MAX_ADDRS);
	for (i = 0; i < n; i++) {
		if (!c->ip4.addr.s_addr) {
			c->ip4.addr = addrs[i].addr.a4;
			if (!c->ip4.prefix_len)
				c->ip4.prefix_len = addrs[i].prefix_len;
		} else if (!c->ip4.prefix_len &&
			   addrs[i].addr.a4.s_addr == c->ip4.addr.s_addr) {
			c->ip4.prefix_len = addrs[i].prefix_len;
		}
	}
	if (!c->ip4.addr.s_addr)
		return false;
	if (!c->ip4.prefix_len)
		c->ip4.prefix_len = conf_classful_prefix(c->ip4.addr);

	if (!c->ip4.gw.s_addr) {
		n = nl_routes(nl, c->ifi4, AF_INET, routes, NL_MAX_ROUTES);
		for (i = 0; i < n; i++) {
			if (!routes[i].dst_len && routes[i].has_gw) {
				c->ip4.gw = routes[i].gw.a4;
				break;
			}
		}
	}
	return true;
}

/**
 * conf_ip6() - Fill IPv6 address, prefix and gateway from the host
 * @c:		Execution context
 * @nl:		Netlink socket in the host namespace
 *
 * Return: true if IPv6 is usable
 */
static bool conf_ip6(struct ctx *c, int nl)
{
	struct nl_route routes[NL_MAX_ROUTES];
	struct nl_addr addrs[NL_MAX_ADDRS];
	bool have_addr = !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr);
	int n, i;

	n = nl_addrs(nl, c->ifi6, AF_INET6, addrs, NL_MAX_ADDRS);
	for (i = 0; i < n && !have_addr; i++) {
		if (IN6_IS_ADDR_LINKLOCAL(&addrs[i].addr.a6))
			continue;
		c->ip6.addr = addrs[i].addr.a6;
		c->ip6.prefix_len = addrs[i].prefix_len;
		have_addr = true;
	}
	if (!have_addr)
		return false;
	if (!c->ip6.prefix_len)
		c->ip6.prefix_len = 64;

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw)) {
		n = nl_routes(nl, c->ifi6, AF_INET6, routes, NL_MAX_ROUTES);
		for (i = 0; i < n; i++) {
			if (!routes[i].dst_len && routes[i].has_gw) {
				c->ip6.gw = routes[i].gw.a6;
				break;
			}
		}
	}
	if (IN6_IS_ADDR_LINKLOCAL(&c->ip6.gw)) {
		c->ip6.our_tap_ll = c->ip6.gw;
	} else {
		inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
		if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw))
			c->ip6.gw = c->ip6.our_tap_ll;
	}
	return true;
}

/**
 * conf_resolv() - Read resolvers and search domains from /etc/resolv.conf
 * @c:		Execution context
 */
static void conf_resolv(struct ctx *c)
{
	char buf[64 * 1024];
	ssize_t n;
	size_t len = 0;
	int fd, i, j;

	if ((c->dns_set || c->no_dns) && (c->search_set || c->no_dns_search))
		return;
	fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		debug_perror("can't open /etc/resolv.conf");
		return;
	}
	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	resolv_parse(c, buf, len);

	/* A loopback stub resolver (127.0.0.53) is not reachable from the
	 * guest as such.  UDP forwards DNS from the --dns-forward address,
	 * by default then the gateway, to the first resolver: keep a stub if
	 * that works, and DHCP, NDP and DHCPv6 advertise the forward address
	 * in its place.  Otherwise drop it.
	 */
	for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
		if ((ntohl(c->ip4.dns[i].s_addr) >> 24) == IN_LOOPBACKNET &&
		    !c->no_udp && !c->ip4.dns_match.s_addr)
			c->ip4.dns_match = c->ip4.gw;
	}
	for (i = j = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
		if ((ntohl(c->ip4.dns[i].s_addr) >> 24) == IN_LOOPBACKNET &&
		    (c->no_udp || !c->ip4.dns_match.s_addr))
			continue;
		c->ip4.dns[j++] = c->ip4.dns[i];
	}
	memset(&c->ip4.dns[j], 0, sizeof(c->ip4.dns[0]) * (size_t)(MAXNS + 1 - j));
	for (i = 0; i < MAXNS && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);
	     i++) {
		if (IN6_IS_ADDR_LOOPBACK(&c->ip6.dns[i]) && !c->no_udp &&
		    IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match))
			c->ip6.dns_match = c->ip6.gw;
	}
	for (i = j = 0; i < MAXNS && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);
	     i++) {
		if (IN6_IS_ADDR_LOOPBACK(&c->ip6.dns[i]) &&
		    (c->no_udp || IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match)))
			continue;
		c->ip6.dns[j++] = c->ip6.dns[i];
	}
	memset(&c->ip6.dns[j], 0, sizeof(c->ip6.dns[0]) * (size_t)(MAXNS + 1 - j));
}

/**
 * conf_derive() - Complete the configuration with values from the host
 * @c:		Execution context, command line already parsed
 *
 * Context: setup; exits on fatal errors
 */
void conf_derive(struct ctx *c)
{
	static const uint8_t zero_mac[ETH_ALEN_];
	int nl = nl_sock_open();

	if (nl < 0) {
		errno = -nl;
		die_perror("can't open netlink socket");
	}

	if (!c->ipv6_only)
		c->ifi4 = conf_ifi(c, nl, AF_INET);
	if (!c->ipv4_only)
		c->ifi6 = conf_ifi(c, nl, AF_INET6);

	if (c->ifi4 && !conf_ip4(c, nl)) {
		info("no usable IPv4 address on host interface: IPv4 disabled");
		c->ifi4 = 0;
	}
	if (c->ifi6 && !conf_ip6(c, nl)) {
		info("no usable IPv6 address on host interface: IPv6 disabled");
		c->ifi6 = 0;
	}
	if (!c->ifi4 && !c->ifi6)
		die("no interface with a default route and an address: "
		    "give one with --interface, or addresses with --address");
	if (c->ifi4 && !c->ip4.gw.s_addr) {
		debug("no IPv4 gateway: DHCP disabled");
		c->no_dhcp = true;
	}

	if (!memcmp(c->our_mac, zero_mac, ETH_ALEN_)) {
		nl_link_mac(nl, c->ifi4 ? c->ifi4 : c->ifi6, c->our_mac);
		if (!memcmp(c->our_mac, zero_mac, ETH_ALEN_))
			memcpy(c->our_mac, conf_fallback_mac, ETH_ALEN_);
	}
	memset(c->guest_mac, 0xff, ETH_ALEN_);

	if (c->mode == MODE_PASTA && !*c->pasta.ns_ifname &&
	    !if_indextoname(c->ifi4 ? c->ifi4 : c->ifi6, c->pasta.ns_ifname))
		snprintf(c->pasta.ns_ifname, IFNAMSIZ, "tap0");

	conf_resolv(c);
	close(nl);
}

/**
 * conf_print() - Log the configuration the guest will be given
 * @c:		Execution context
 */
void conf_print(const struct ctx *c)
{
	char a[INET6_ADDRSTRLEN];
	int i;

	if (c->mode == MODE_PASTA) {
		char name[IF_NAMESIZE];

		info("Outbound interface: %s, namespace interface: %s",
		     if_indextoname(c->ifi4 ? c->ifi4 : c->ifi6, name) ?
		     name : "?", c->pasta.ns_ifname);
	}
	info("ARP:");
	info("    address: %02x:%02x:%02x:%02x:%02x:%02x",
	     c->our_mac[0], c->our_mac[1], c->our_mac[2],
	     c->our_mac[3], c->our_mac[4], c->our_mac[5]);

	if (c->ifi4) {
		info("DHCP:");
		info("    assign: %s/%d",
		     inet_ntop(AF_INET, &c->ip4.addr, a, sizeof(a)),
		     c->ip4.prefix_len);
		info("    router: %s",
		     inet_ntop(AF_INET, &c->ip4.gw, a, sizeof(a)));
		for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++)
			info("    %s %s", i ? "      " : "DNS:",
			     inet_ntop(AF_INET, &c->ip4.dns[i], a, sizeof(a)));
	}
	if (c->ifi6) {
		char b[INET6_ADDRSTRLEN];

		info("NDP/DHCPv6:");
		info("    assign: %s",
		     inet_ntop(AF_INET6, &c->ip6.addr, a, sizeof(a)));
		info("    router: %s (source %s)",
		     inet_ntop(AF_INET6, &c->ip6.gw, a, sizeof(a)),
		     inet_ntop(AF_INET6, &c->ip6.our_tap_ll, b, sizeof(b)));
		for (i = 0; i < MAXNS &&
		     !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]); i++)
			info("    %s %s", i ? "      " : "DNS:",
			     inet_ntop(AF_INET6, &c->ip6.dns[i], a, sizeof(a)));
	}
	for (i = 0; i < MAXDNSRCH && *c->dns_search[i]; i++)
		info("    %s %s", i ? "      " : "search:", c->dns_search[i]);
}
