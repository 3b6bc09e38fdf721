/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - route, address and link queries and changes over rtnetlink */
#ifndef NETLINK_H
#define NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/**
 * struct nl_addr - one interface address
 * @family:	AF_INET or AF_INET6
 * @prefix_len:	Prefix length
 * @addr:	Address (first 4 bytes for IPv4)
 */
struct nl_addr {
	int family;
	int prefix_len;
	union {
		struct in_addr a4;
		struct in6_addr a6;
	} addr;
};

/**
 * struct nl_route - one unicast route
 * @family:	AF_INET or AF_INET6
 * @dst_len:	Destination prefix length (0: default route)
 * @dst:	Destination prefix
 * @gw:		Gateway, unspecified if directly connected
 * @has_gw:	@gw is set
 * @metric:	Priority, 0 if none
 */
struct nl_route {
	int family;
	int dst_len;
	union {
		struct in_addr a4;
		struct in6_addr a6;
	} dst;
	union {
		struct in_addr a4;
		struct in6_addr a6;
	} gw;
	bool has_gw;
	uint32_t metric;
};

#define NL_MAX_ADDRS	32
#define NL_MAX_ROUTES	64

int nl_sock_open(void);
unsigned nl_default_ifi(int nl, int family);
int nl_addrs(int nl, unsigned ifi, int family, struct nl_addr *out, int max);
int nl_routes(int nl, unsigned ifi, int family, struct nl_route *out, int max);
int nl_link_mac(int nl, unsigned ifi, uint8_t *mac);
int nl_link_up(int nl, unsigned ifi, int mtu);
int nl_link_txqlen(int nl, unsigned ifi, uint32_t qlen);
int nl_link_set_mac(int nl, unsigned ifi, const uint8_t *mac);
int nl_addr_add(int nl, unsigned ifi, const struct nl_addr *a);
int nl_route_add(int nl, unsigned ifi, const struct nl_route *r);

#endif /* NETLINK_H */
