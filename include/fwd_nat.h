/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_nat.h - address translation between the guest's and the host's view */
#ifndef FWD_NAT_H
#define FWD_NAT_H

#include <netinet/in.h>
#include <stdbool.h>

struct ctx;

/**
 * enum fwd_nat_kind - what a guest's destination address was mapped to
 * @FWD_NAT_NONE:	Not mapped: the host uses the address as it is
 * @FWD_NAT_HOST_LO:	The host's loopback (--map-host-loopback, gateway)
 * @FWD_NAT_GUEST_ADDR:	The guest's address on the host (--map-guest-addr)
 * @FWD_NAT_NUM_KIND:	Sentinel
 */
enum fwd_nat_kind {
	FWD_NAT_NONE = 0,
	FWD_NAT_HOST_LO,
	FWD_NAT_GUEST_ADDR,
	FWD_NAT_NUM_KIND,
};

enum fwd_nat_kind fwd_nat_dst4(const struct ctx *c, struct in_addr *a);
enum fwd_nat_kind fwd_nat_dst6(const struct ctx *c, struct in6_addr *a);
void fwd_nat_src4(const struct ctx *c, struct in_addr *a, bool local);
void fwd_nat_src6(const struct ctx *c, struct in6_addr *a, bool local);

#endif /* FWD_NAT_H */
