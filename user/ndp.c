// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - Neighbour Discovery (RFC 4861): neighbour and router advertisements
 *
 * Theory of operation: the guest sees us as the only other node on its link.
 * Whatever address it solicits (the gateway, a host in its own prefix, a
 * link-local address), apart from its own, we answer with a Neighbour
 * Advertisement carrying our MAC address, so that every frame it sends ends
 * up with us.  Duplicate Address Detection probes (unspecified source) and
 * solicitations for the guest's own addresses get no answer, otherwise the
 * guest would consider its address a duplicate.
 *
 * Router Advertisements make us the guest's default router and hand out the
 * /64 prefix of the assigned address for SLAAC (L and A flags), the MTU,
 * resolvers (RDNSS, RFC 8106) and the search list (DNSSL, RFC 8106).  The
 * M and O flags point the guest to our DHCPv6 server when it is enabled.
 * They are sent in reply to Router Solicitations and, unsolicited, from
 * ndp_timer(): the first one a second after start, NDP_RA_INITIAL_NUM in
 * all NDP_RA_INITIAL_S seconds apart (RFC 4861, 6.2.4), then one every 200
 * to 600 seconds at random (MinRtrAdvInterval and MaxRtrAdvInterval at
 * their defaults).  The first call of ndp_timer() only schedules the first
 * one; the tap side may zero c->ra_next and c->ra_sent to start over when a
 * new guest connects.
 *
 * Checksums of incoming messages are not verified: frames come straight
 * from the guest's kernel over a socket or a tap device, nothing on the way
 * can corrupt them, and a guest handing us offloaded (partial) checksums
 * would otherwise lose neighbour discovery altogether.  Hop limits, codes,
 * lengths and option lengths are checked as RFC 4861, 6.1.1 and 7.1.1 ask.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns_name.h"
#include "l2.h"
#include "log.h"
#include "tap.h"
#include "util.h"

#define NDP_HOP_LIMIT		255	/* RFC 4861: on-link messages only */

/* Router Advertisement parameters */
#define NDP_RA_CUR_HOP_LIMIT	64	/* suggested hop limit for the guest */
#define NDP_RA_LIFETIME		9000	/* s: RFC 4861 AdvDefaultLifetime max */
#define NDP_RA_PREFIX_LEN	64	/* SLAAC needs a /64 */
#define NDP_RA_PREFIX_LIFETIME	0xffffffffU	/* infinity: never changes */
#define NDP_RA_DNS_LIFETIME	NDP_RA_LIFETIME	/* >= 3 * MaxRtrAdvInterval */
#define NDP_MTU_MIN		1280	/* IPv6 minimum link MTU */

/* Unsolicited Router Advertisement timing, seconds */
#define NDP_RA_FIRST_S		1	/* first one, after start */
#define NDP_RA_RETRY_S		1	/* retry if the guest is not there */
#define NDP_RA_INITIAL_NUM	3	/* MAX_INITIAL_RTR_ADVERTISEMENTS */
#define NDP_RA_INITIAL_S	16	/* MAX_INITIAL_RTR_ADVERT_INTERVAL */
#define NDP_RA_MIN_S		200	/* MinRtrAdvInterval, default */
#define NDP_RA_MAX_S		600	/* MaxRtrAdvInterval, default */

/* Option types, RFC 4861 4.6 and RFC 8106 5 */
#define NDP_OPT_SLLA		1
#define NDP_OPT_TLLA		2
#define NDP_OPT_PREFIX		3
#define NDP_OPT_MTU		5
#define NDP_OPT_RDNSS		25
#define NDP_OPT_DNSSL		31

/* Fixed part of messages: ICMPv6 header and body before options */
#define NDP_RS_LEN		8
#define NDP_RA_LEN		16
#define NDP_NS_LEN		24
#define NDP_NA_LEN		24

/* Option lengths are in units of 8 bytes, so an option is at most this */
#define NDP_OPT_MAX		(255 * 8)

/* Largest RA we build: header, SLLA, MTU, prefix, RDNSS, DNSSL */
#define NDP_RA_MAX	(NDP_RA_LEN + 8 + 8 + 32 + (8 + 16 * MAXNS) +	\
			 NDP_OPT_MAX)

/* ff02::1 and the Ethernet address it maps to (RFC 2464, 7) */
static const struct in6_addr ndp_all_nodes = {
	{ { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 } }
};
static const uint8_t ndp_mac_all_nodes[ETH_ALEN_] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01
};

/**
 * ndp_opts_valid() - Check the options of an incoming NDP message
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @off:	Offset of the first option in the frame
 * @end:	Offset of the end of the message in the frame
 * @slla:	Set if a source link-layer address option is present
 *
 * Return: true if every option has a non-zero length and fits the message
 */
static bool ndp_opts_valid(const struct pool *p, size_t idx, size_t off,
			   size_t end, bool *slla)
{
	*slla = false;
	while (off < end) {
		const uint8_t *o = packet_get(p, idx, off, 2, NULL);
		size_t len;

		if (!o || end - off < 2)
			return false;
		len = (size_t)o[1] * 8;
		if (!len || len > end - off)
			return false;
		if (o[0] == NDP_OPT_SLLA)
			*slla = true;
		off += len;
	}
	return true;
}

/**
 * ndp_opt_put() - Append an option to a message, padded to 8 bytes
 * @buf:	Message buffer
 * @size:	Size of @buf
 * @len:	Bytes used in @buf, updated
 * @type:	Option type
 * @data:	Option body, after the type and length bytes
 * @dlen:	Length of @data
 *
 * Return: 0 on success, -ENOSPC if the option does not fit (nothing written)
 */
static int ndp_opt_put(uint8_t *buf, size_t size, size_t *len, uint8_t type,
		       const void *data, size_t dlen)
{
	size_t olen = (dlen + 2 + 7) & ~(size_t)7;

	if (olen > NDP_OPT_MAX || olen > size - *len)
		return -ENOSPC;
	buf[*len] = type;
	buf[*len + 1] = (uint8_t)(olen / 8);
	memcpy(buf + *len + 2, data, dlen);
	memset(buf + *len + 2 + dlen, 0, olen - 2 - dlen);
	*len += olen;
	return 0;
}

/**
 * ndp_put32() - Store a 32-bit value in network order at any alignment
 * @dst:	Destination
 * @v:		Value, host order
 */
static void ndp_put32(uint8_t *dst, uint32_t v)
{
	uint32_t n = htonl(v);

	memcpy(dst, &n, sizeof(n));
}

/**
 * ndp_ra_dns() - Append the RDNSS option, resolvers from c->ip6.dns
 * @c:		Execution context
 * @buf:	Message buffer
 * @size:	Size of @buf
 * @len:	Bytes used in @buf, updated
 */
static void ndp_ra_dns(const struct ctx *c, uint8_t *buf, size_t size,
		       size_t *len)
{
	uint8_t body[6 + 16 * MAXNS] = { 0 };
	size_t n;

	for (n = 0; n < MAXNS; n++) {
		if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[n]))
			break;
		/* A host stub resolver, reached via --dns-forward */
		memcpy(body + 6 + 16 * n, IN6_IS_ADDR_LOOPBACK(&c->ip6.dns[n]) ?
		       &c->ip6.dns_match : &c->ip6.dns[n], 16);
	}
	if (!n)
		return;
	/* 2 bytes reserved, then the lifetime */
	ndp_put32(body + 2, NDP_RA_DNS_LIFETIME);
	if (ndp_opt_put(buf, size, len, NDP_OPT_RDNSS, body, 6 + 16 * n))
		debug("NDP: no room for RDNSS option");
}

/**
 * ndp_ra_search() - Append the DNSSL option, domains from c->dns_search
 * @c:		Execution context
 * @buf:	Message buffer
 * @size:	Size of @buf
 * @len:	Bytes used in @buf, updated
 *
 * Names are stored uncompressed (RFC 8106, 5.2).  Those that would make the
 * option longer than its 8-bit length field allows are left out.
 */
static void ndp_ra_search(const struct ctx *c, uint8_t *buf, size_t size,
			  size_t *len)
{
	uint8_t body[NDP_OPT_MAX - 2] = { 0 };
	size_t used = 6, n;	/* 2 bytes reserved, 4 of lifetime */

	for (n = 0; n < MAXDNSRCH && c->dns_search[n][0]; n++) {
		int rc = dns_name_encode(c->dns_search[n], body + used,
					 sizeof(body) - used);

		if (rc < 0) {
			debug("NDP: search domain %s left out of DNSSL (%s)",
			      c->dns_search[n], strerror_(-rc));
			continue;
		}
		used += (size_t)rc;
	}
	if (used == 6)
		return;
	ndp_put32(body + 2, NDP_RA_DNS_LIFETIME);
	if (ndp_opt_put(buf, size, len, NDP_OPT_DNSSL, body, used))
		debug("NDP: no room for DNSSL option");
}

/**
 * ndp_ra_send() - Send a Router Advertisement to the guest
 * @c:		Execution context
 * @dst:	Destination address
 * @dst_mac:	Destination MAC address, NULL for the guest's
 *
 * Return: 0 on success, -errno if the frame could not be sent
 */
static int ndp_ra_send(const struct ctx *c, const struct in6_addr *dst,
		       const uint8_t *dst_mac)
{
	uint8_t buf[NDP_RA_MAX] __attribute__((aligned(8))) = { 0 };
	size_t len = NDP_RA_LEN;

	/* Header: type, code, checksum (by tap_send_icmp6()), cur hop limit,
	 * M and O flags, router lifetime, reachable time and retransmission
	 * timer left unspecified (zero)
	 */
	buf[0] = ND_ROUTER_ADVERT;
	buf[4] = NDP_RA_CUR_HOP_LIMIT;
	if (!c->no_dhcpv6)
		buf[5] = ND_RA_FLAG_MANAGED | ND_RA_FLAG_OTHER;
	buf[6] = NDP_RA_LIFETIME >> 8;
	buf[7] = NDP_RA_LIFETIME & 0xff;

	ndp_opt_put(buf, sizeof(buf), &len, NDP_OPT_SLLA, c->our_mac,
		    ETH_ALEN_);

	if (c->mtu >= NDP_MTU_MIN) {
		uint8_t mtu[6] = { 0 };

		ndp_put32(mtu + 2, (uint32_t)c->mtu);
		ndp_opt_put(buf, sizeof(buf), &len, NDP_OPT_MTU, mtu,
			    sizeof(mtu));
	}

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		uint8_t pi[30] = { 0 };

		/* Prefix length, L and A flags, valid and preferred
		 * lifetimes, 4 bytes reserved, prefix with host part zeroed
		 */
		pi[0] = NDP_RA_PREFIX_LEN;
		pi[1] = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
		ndp_put32(pi + 2, NDP_RA_PREFIX_LIFETIME);
		ndp_put32(pi + 6, NDP_RA_PREFIX_LIFETIME);
		memcpy(pi + 14, &c->ip6.addr, NDP_RA_PREFIX_LEN / 8);
		ndp_opt_put(buf, sizeof(buf), &len, NDP_OPT_PREFIX, pi,
			    sizeof(pi));
	}

	if (c->dhcp_dns)
		ndp_ra_dns(c, buf, sizeof(buf), &len);
	if (c->dhcp_search)
		ndp_ra_search(c, buf, sizeof(buf), &len);

	return tap_send_icmp6(c, dst_mac, &c->ip6.our_tap_ll, dst, buf, len);
}

/**
 * ndp_is_guest_addr() - Check if an address is one the guest uses
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if @a is assigned to or was seen from the guest
 */
static bool ndp_is_guest_addr(const struct ctx *c, const struct in6_addr *a)
{
	return IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_seen) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_ll_seen);
}

/**
 * ndp_ns() - Answer a Neighbour Solicitation with a Neighbour Advertisement
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the ICMPv6 header
 * @l4len:	Length of the ICMPv6 message
 * @saddr:	Source address of the solicitation
 */
static void ndp_ns(const struct ctx *c, const struct pool *p, size_t idx,
		   size_t l4off, size_t l4len, const struct in6_addr *saddr)
{
	uint8_t na[NDP_NA_LEN + 8] __attribute__((aligned(8))) = { 0 };
	const uint8_t *t;
	struct in6_addr target;
	size_t len = NDP_NA_LEN;
	bool slla;

	if (l4len < NDP_NS_LEN ||
	    !(t = packet_get(p, idx, l4off + 8, sizeof(target), NULL))) {
		trace("NDP: NS too short (%zu bytes)", l4len);
		return;
	}
	memcpy(&target, t, sizeof(target));

	if (!ndp_opts_valid(p, idx, l4off + NDP_NS_LEN, l4off + l4len,
			    &slla)) {
		trace("NDP: NS with invalid options, dropped");
		return;
	}
	if (IN6_IS_ADDR_MULTICAST(&target) ||
	    IN6_IS_ADDR_UNSPECIFIED(&target)) {
		trace("NDP: NS for invalid target, dropped");
		return;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(saddr)) {
		trace("NDP: duplicate address detection, not answered");
		return;
	}
	if (IN6_IS_ADDR_MULTICAST(saddr)) {
		trace("NDP: NS from a multicast address, dropped");
		return;
	}
	if (ndp_is_guest_addr(c, &target)) {
		trace("NDP: NS for the guest's own address, not answered");
		return;
	}

	info("NDP: received NS, sending NA");

	/* Type, code, checksum, then R, S, O flags and reserved bits */
	na[0] = ND_NEIGHBOR_ADVERT;
	memcpy(na + 4, &(uint32_t){ ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED |
				    ND_NA_FLAG_OVERRIDE }, 4);
	memcpy(na + 8, &target, sizeof(target));
	ndp_opt_put(na, sizeof(na), &len, NDP_OPT_TLLA, c->our_mac,
		    ETH_ALEN_);

	tap_send_icmp6(c, NULL, &target, saddr, na, len);
}

/**
 * ndp_rs() - Answer a Router Solicitation with a Router Advertisement
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the ICMPv6 header
 * @l4len:	Length of the ICMPv6 message
 * @saddr:	Source address of the solicitation
 */
static void ndp_rs(const struct ctx *c, const struct pool *p, size_t idx,
		   size_t l4off, size_t l4len, const struct in6_addr *saddr)
{
	bool slla;

	if (c->no_ra) {
		trace("NDP: RS ignored, router advertisements disabled");
		return;
	}
	if (l4len < NDP_RS_LEN) {
		trace("NDP: RS too short (%zu bytes)", l4len);
		return;
	}
	if (!ndp_opts_valid(p, idx, l4off + NDP_RS_LEN, l4off + l4len,
			    &slla)) {
		trace("NDP: RS with invalid options, dropped");
		return;
	}
	/* RFC 4861, 6.1.1: no link-layer address from the unspecified one */
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) && slla) {
		trace("NDP: RS from :: with link-layer address, dropped");
		return;
	}
	if (IN6_IS_ADDR_MULTICAST(saddr)) {
		trace("NDP: RS from a multicast address, dropped");
		return;
	}

	info("NDP: received RS, sending RA");

	if (IN6_IS_ADDR_UNSPECIFIED(saddr))
		ndp_ra_send(c, &ndp_all_nodes, ndp_mac_all_nodes);
	else
		ndp_ra_send(c, saddr, NULL);
}

/**
 * ndp() - Handle an NDP message from the guest
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the ICMPv6 header in the frame
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: 1 if the message is NDP (answered or dropped), 0 if it is another
 * ICMPv6 type, for the next handler
 */
int ndp(struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	const struct in6_addr *saddr, const struct in6_addr *daddr)
{
	const uint8_t *ip6 = packet_get(p, idx, ETH_HLEN_, IP6_HLEN, NULL);
	const uint8_t *ih = packet_get_try(p, idx, l4off, 2, NULL);
	size_t end, l4len;
	uint16_t plen;

	(void)daddr;

	if (!ih)
		return 0;	/* not even a type: not ours to judge */
	if (ih[0] < ND_ROUTER_SOLICIT || ih[0] > ND_REDIRECT)
		return 0;

	if (c->no_ndp) {
		trace("NDP: type %u ignored, NDP disabled", ih[0]);
		return 1;
	}
	if (!ip6)
		return 1;

	/* The ICMPv6 message ends where the IPv6 payload does */
	memcpy(&plen, ip6 + offsetof(struct ip6_hdr, ip6_plen), sizeof(plen));
	end = ETH_HLEN_ + IP6_HLEN + ntohs(plen);
	if (end < l4off || !packet_get(p, idx, l4off, end - l4off, NULL)) {
		trace("NDP: message outside IPv6 payload, dropped");
		return 1;
	}
	l4len = end - l4off;

	/* RFC 4861, 6.1 and 7.1: hop limit 255 proves the sender is on-link,
	 * and the code must be zero
	 */
	if (ip6[offsetof(struct ip6_hdr, ip6_hlim)] != NDP_HOP_LIMIT ||
	    ih[1] != 0) {
		trace("NDP: type %u with hop limit %u, code %u, dropped",
		      ih[0], ip6[offsetof(struct ip6_hdr, ip6_hlim)], ih[1]);
		return 1;
	}

	switch (ih[0]) {
	case ND_NEIGHBOR_SOLICIT:
		ndp_ns(c, p, idx, l4off, l4len, saddr);
		break;
	case ND_ROUTER_SOLICIT:
		ndp_rs(c, p, idx, l4off, l4len, saddr);
		break;
	default:
		/* Advertisements and redirects from the guest: we keep no
		 * neighbour cache and route nothing, nothing to learn
		 */
		trace("NDP: type %u from guest ignored", ih[0]);
	}
	return 1;
}

/**
 * ndp_ra_interval() - Seconds until the next unsolicited RA
 * @sent:	Unsolicited Router Advertisements sent so far
 *
 * Return: NDP_RA_INITIAL_S until NDP_RA_INITIAL_NUM were sent, then a
 * random value in [NDP_RA_MIN_S, NDP_RA_MAX_S]
 *
 * #syscalls getrandom
 */
static unsigned ndp_ra_interval(unsigned sent)
{
	unsigned r;

	if (sent < NDP_RA_INITIAL_NUM)
		return NDP_RA_INITIAL_S;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)random();
	return NDP_RA_MIN_S + r % (NDP_RA_MAX_S - NDP_RA_MIN_S + 1);
}

/**
 * ndp_timer() - Send unsolicited Router Advertisements when due
 * @c:		Execution context, @now set
 *
 * Called about once a second.  The first call only schedules the first
 * advertisement: c->ra_next all zeroes means nothing is scheduled yet.
 */
void ndp_timer(struct ctx *c)
{
	unsigned next;

	if (c->no_ndp || c->no_ra || !c->ifi6)
		return;

	if (!c->ra_next.tv_sec && !c->ra_next.tv_nsec) {
		c->ra_next = c->now;
		c->ra_next.tv_sec += NDP_RA_FIRST_S;
		return;
	}
	if (timespec_diff_ms(&c->now, &c->ra_next) < 0)
		return;

	if (ndp_ra_send(c, &ndp_all_nodes, ndp_mac_all_nodes)) {
		/* No guest yet (passt waiting for qemu) or tap busy */
		next = NDP_RA_RETRY_S;
	} else {
		if (c->ra_sent < NDP_RA_INITIAL_NUM)
			c->ra_sent++;
		next = ndp_ra_interval(c->ra_sent);
	}
	c->ra_next = c->now;
	c->ra_next.tv_sec += next;
}
