/* SPDX-License-Identifier: GPL-2.0-or-later */
/* l2.h - link-local services answered by the daemon: ARP, DHCP, NDP, DHCPv6
 *
 * Each handler gets the frame at index @idx of pool @p with @l4off the offset
 * of the header it owns (the ARP header for arp(), the UDP header for dhcp()
 * and dhcpv6(), the ICMPv6 header for ndp()).  Ethernet and IP headers were
 * already checked by tap_handle_frame().  Handlers read only through
 * packet_get(), drop malformed input with a debug/trace line, and reply
 * through the tap_send_*() builders.
 *
 * Return of the handlers: 1 if the frame belonged to the service (answered
 * or dropped), 0 if it is not theirs and should go to the next handler.
 */
#ifndef L2_H
#define L2_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "packet.h"

int arp(const struct ctx *c, const struct pool *p, size_t idx, size_t l3off);
int dhcp(const struct ctx *c, const struct pool *p, size_t idx, size_t l4off);
int dhcp_encode_search(const struct ctx *c, uint8_t *out, size_t outlen);
int ndp(struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	const struct in6_addr *saddr, const struct in6_addr *daddr);
void ndp_timer(struct ctx *c);
int dhcpv6(const struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	   const struct in6_addr *saddr, const struct in6_addr *daddr);

#endif /* L2_H */
