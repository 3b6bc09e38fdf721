// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_nat.c - address translation between the guest's and the host's view
 *
 * Theory of operation: the guest and the host share addresses, so two of
 * the guest's destinations need a translation to mean something on the
 * host, and their sources a translation back:
 *
 * - the host's loopback: guest traffic to the --map-host-loopback address
 *   (by default the gateway address, and for IPv6 also our link-local
 *   address; nothing with --no-map-gw or "none") goes to 127.0.0.1 or ::1;
 * - the guest's own address as the host sees it (ip4.addr, ip6.addr, which
 *   by default are the host's): guest traffic to the --map-guest-addr
 *   address (none by default) goes there, so that the host sees it come
 *   from one of its own, non-loopback, addresses.
 *
 * Towards the guest, a host-side source on loopback appears as the
 * --map-host-loopback address, and one equal to the guest's address as the
 * --map-guest-addr address.  Sources the guest could not reach otherwise
 * (loopback without a mapping, the host's own addresses) appear as the
 * gateway, as they did before these options existed.
 *
 * An explicit address is kept per IP version in ip4/ip6 (map_host_loopback,
 * map_guest_addr: unspecified if not given); the gateway default is applied
 * here rather than copied at configuration time, so that it follows the
 * gateway whatever the order in which configuration was completed.
 *
 * Flows started by the guest keep the guest-side addresses in their keys,
 * so replies need no reverse lookup: only new flows from the host side and
 * unconnected sockets (ICMP echo) use the source translation.
 */

#include <netinet/in.h>
#include <string.h>

#include "ctx.h"
#include "fwd_nat.h"

/**
 * fwd_nat_lo4() - Whether an IPv4 address is a loopback one
 * @a:		Address
 *
 * Return: true for 127.0.0.0/8
 */
static bool fwd_nat_lo4(struct in_addr a)
{
	return (ntohl(a.s_addr) >> 24) == IN_LOOPBACKNET;
}

/**
 * fwd_nat_dst4() - Host-side destination for a guest's IPv4 destination
 * @c:		Execution context
 * @a:		Destination as the guest sent it, updated in place
 *
 * Return: what @a now stands for, FWD_NAT_NONE if left as it was
 */
enum fwd_nat_kind fwd_nat_dst4(const struct ctx *c, struct in_addr *a)
{
	const struct in_addr *lo = &c->ip4.map_host_loopback;

	if (!a->s_addr)
		return FWD_NAT_NONE;
	if (lo->s_addr ? a->s_addr == lo->s_addr :
	    !c->no_map_gw && c->ip4.gw.s_addr &&
	    a->s_addr == c->ip4.gw.s_addr) {
		a->s_addr = htonl(INADDR_LOOPBACK);
		return FWD_NAT_HOST_LO;
	}
	if (c->ip4.map_guest_addr.s_addr && c->ip4.addr.s_addr &&
	    a->s_addr == c->ip4.map_guest_addr.s_addr) {
		*a = c->ip4.addr;
		return FWD_NAT_GUEST_ADDR;
	}
	return FWD_NAT_NONE;
}

/**
 * fwd_nat_dst6() - Host-side destination for a guest's IPv6 destination
 * @c:		Execution context
 * @a:		Destination as the guest sent it, updated in place
 *
 * Return: what @a now stands for, FWD_NAT_NONE if left as it was
 */
enum fwd_nat_kind fwd_nat_dst6(const struct ctx *c, struct in6_addr *a)
{
	const struct in6_addr *lo = &c->ip6.map_host_loopback;
	bool to_lo;

	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return FWD_NAT_NONE;
	if (!IN6_IS_ADDR_UNSPECIFIED(lo))
		to_lo = IN6_ARE_ADDR_EQUAL(a, lo);
	else
		to_lo = !c->no_map_gw && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw) &&
			(IN6_ARE_ADDR_EQUAL(a, &c->ip6.gw) ||
			 IN6_ARE_ADDR_EQUAL(a, &c->ip6.our_tap_ll));
	if (to_lo) {
		*a = in6addr_loopback;
		return FWD_NAT_HOST_LO;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr) &&
	    IN6_ARE_ADDR_EQUAL(a, &c->ip6.map_guest_addr)) {
		*a = c->ip6.addr;
		return FWD_NAT_GUEST_ADDR;
	}
	return FWD_NAT_NONE;
}

/**
 * fwd_nat_src4() - Source the guest sees for a host-side IPv4 source
 * @c:		Execution context
 * @a:		Source on the host, updated in place
 * @local:	The caller knows @a is one of the host's own addresses
 */
void fwd_nat_src4(const struct ctx *c, struct in_addr *a, bool local)
{
	if (fwd_nat_lo4(*a)) {
		*a = c->ip4.map_host_loopback.s_addr ?
		     c->ip4.map_host_loopback : c->ip4.gw;
		return;
	}
	if (c->ip4.map_guest_addr.s_addr && c->ip4.addr.s_addr &&
	    a->s_addr == c->ip4.addr.s_addr) {
		*a = c->ip4.map_guest_addr;
		return;
	}
	if (local || a->s_addr == c->ip4.addr.s_addr ||
	    (c->ip4.addr_seen.s_addr && a->s_addr == c->ip4.addr_seen.s_addr))
		*a = c->ip4.gw;
}

/**
 * fwd_nat_gw6() - Our IPv6 address towards the guest, for unmapped sources
 * @c:		Execution context
 *
 * Return: the gateway if it's a global address, else our link-local one
 */
static const struct in6_addr *fwd_nat_gw6(const struct ctx *c)
{
	return IN6_IS_ADDR_LINKLOCAL(&c->ip6.gw) ||
	       IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw) ? &c->ip6.our_tap_ll :
						     &c->ip6.gw;
}

/**
 * fwd_nat_src6() - Source the guest sees for a host-side IPv6 source
 * @c:		Execution context
 * @a:		Source on the host, updated in place
 * @local:	The caller knows @a is one of the host's own addresses
 */
void fwd_nat_src6(const struct ctx *c, struct in6_addr *a, bool local)
{
	if (IN6_IS_ADDR_LOOPBACK(a)) {
		*a = IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback) ?
		     *fwd_nat_gw6(c) : c->ip6.map_host_loopback;
		return;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr) &&
	    IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr)) {
		*a = c->ip6.map_guest_addr;
		return;
	}
	if (local || IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr) ||
	    (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen) &&
	     IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_seen)))
		*a = *fwd_nat_gw6(c);
}
