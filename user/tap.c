// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - the guest-facing side: frame builders and the frame dispatcher
 *
 * Theory of operation: frames from the guest are read in batches into
 * c->buf_tap and queued in c->pool_tap (tap_read_frames()).  tap_handler()
 * then checks each frame's Ethernet and IP headers through packet_get(),
 * learns the guest's MAC address and source addresses, and passes the frame
 * to the service that owns it.  Anything not understood is dropped with a
 * trace line.
 *
 * Frames to the guest are assembled on the stack by the tap_send_*()
 * builders, which fill in Ethernet and IP headers and checksums, and are
 * written with tap_send().  In pasta mode one write() on the tap device
 * carries exactly one frame.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "icmp.h"
#include "l2.h"
#include "log.h"
#include "passt.h"
#include "pcap.h"
#include "tap.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

static const uint8_t mac_bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * tap_send() - Send one complete Ethernet frame to the guest
 * @c:		Execution context
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Frame length
 *
 * Return: 0 on success, -errno if the frame was dropped
 *
 * #syscalls:pasta write
 */
int tap_send(const struct ctx *c, const void *frame, size_t len)
{
	ssize_t n;

	pcap_frame(c, frame, len);
	if (c->mode == MODE_PASST)
		return passt_send_frame(c, frame, len);
	if (c->fd_tap < 0)
		return -ENOTCONN;
	do {
		n = write(c->fd_tap, frame, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int rc = -errno;

		debug_perror("tap: dropped frame of %zu bytes", len);
		return rc;
	}
	return (size_t)n == len ? 0 : -EIO;
}

/**
 * tap_eth_hdr() - Fill an Ethernet header towards the guest
 * @c:		Execution context
 * @buf:	Frame buffer, at least ETH_HLEN_ bytes
 * @dst_mac:	Destination MAC, NULL for the guest's
 * @proto:	Ethertype, host order
 */
static void tap_eth_hdr(const struct ctx *c, uint8_t *buf,
			const uint8_t *dst_mac, uint16_t proto)
{
	uint16_t p = htons(proto);

	memcpy(buf, dst_mac ? dst_mac : c->guest_mac, ETH_ALEN_);
	memcpy(buf + ETH_ALEN_, c->our_mac, ETH_ALEN_);
	memcpy(buf + 2 * ETH_ALEN_, &p, 2);
}

/**
 * tap_send_ip4() - Send an IPv4 packet to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Protocol; the L4 checksum must be already set
 * @l4:		Layer-4 header and payload
 * @l4len:	Length of @l4
 *
 * Return: 0 on success, -errno if dropped
 */
int tap_send_ip4(const struct ctx *c, struct in_addr src, struct in_addr dst,
		 uint8_t proto, const void *l4, size_t l4len)
{
	uint8_t buf[PKT_MAX_FRAME];
	struct iphdr ip = {
		.version = 4, .ihl = 5, .ttl = 255, .protocol = proto,
		.saddr = src.s_addr, .daddr = dst.s_addr,
	};

	if (l4len > sizeof(buf) - ETH_HLEN_ - IP4_HLEN)
		return -EMSGSIZE;
	ip.tot_len = htons((uint16_t)(IP4_HLEN + l4len));
	ip.frag_off = htons(IP_DF);
	ip.check = csum(&ip, sizeof(ip), 0);

	tap_eth_hdr(c, buf, dst.s_addr == INADDR_BROADCAST ? mac_bcast : NULL,
		    ETH_P_IP);
	memcpy(buf + ETH_HLEN_, &ip, sizeof(ip));
	memcpy(buf + ETH_HLEN_ + IP4_HLEN, l4, l4len);
	return tap_send(c, buf, ETH_HLEN_ + IP4_HLEN + l4len);
}

/**
 * tap_send_ip6() - Send an IPv6 packet to the guest
 * @c:		Execution context
 * @dst_mac:	Destination MAC, NULL for the guest's
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header; the L4 checksum must be already set
 * @l4:		Layer-4 header and payload
 * @l4len:	Length of @l4
 *
 * Return: 0 on success, -errno if dropped
 */
int tap_send_ip6(const struct ctx *c, const uint8_t *dst_mac,
		 const struct in6_addr *src, const struct in6_addr *dst,
		 uint8_t proto, const void *l4, size_t l4len)
{
	uint8_t buf[PKT_MAX_FRAME];
	struct ip6_hdr ip6 = { 0 };

	if (l4len > sizeof(buf) - ETH_HLEN_ - IP6_HLEN)
		return -EMSGSIZE;
	ip6.ip6_flow = htonl(6U << 28);
	ip6.ip6_plen = htons((uint16_t)l4len);
	ip6.ip6_nxt = proto;
	ip6.ip6_hlim = 255;
	ip6.ip6_src = *src;
	ip6.ip6_dst = *dst;

	tap_eth_hdr(c, buf, dst_mac, ETH_P_IPV6);
	memcpy(buf + ETH_HLEN_, &ip6, sizeof(ip6));
	memcpy(buf + ETH_HLEN_ + IP6_HLEN, l4, l4len);
	return tap_send(c, buf, ETH_HLEN_ + IP6_HLEN + l4len);
}

/**
 * tap_l3_hdr() - Write Ethernet and IP headers for a frame to the guest
 * @c:		Execution context
 * @buf:	Frame buffer, at least ETH_HLEN_ + IP6_HLEN bytes
 * @v6:		IPv6 (addresses are struct in6_addr) or IPv4 (struct in_addr)
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Protocol or next header
 * @l4len:	Length of what follows the IP header
 *
 * For protocols that build their L4 header and payload in place after the
 * returned offset, then call tap_send() on the whole frame.
 *
 * Return: offset of the L4 header in @buf
 */
size_t tap_l3_hdr(const struct ctx *c, uint8_t *buf, bool v6, const void *src,
		  const void *dst, uint8_t proto, size_t l4len)
{
	if (v6) {
		struct ip6_hdr ip6 = { 0 };

		ip6.ip6_flow = htonl(6U << 28);
		ip6.ip6_plen = htons((uint16_t)l4len);
		ip6.ip6_nxt = proto;
		ip6.ip6_hlim = 255;
		memcpy(&ip6.ip6_src, src, sizeof(ip6.ip6_src));
		memcpy(&ip6.ip6_dst, dst, sizeof(ip6.ip6_dst));
		tap_eth_hdr(c, buf, NULL, ETH_P_IPV6);
		memcpy(buf + ETH_HLEN_, &ip6, sizeof(ip6));
		return ETH_HLEN_ + IP6_HLEN;
	} else {
		struct iphdr ip = {
			.version = 4, .ihl = 5, .ttl = 255, .protocol = proto,
		};

		memcpy(&ip.saddr, src, sizeof(ip.saddr));
		memcpy(&ip.daddr, dst, sizeof(ip.daddr));
		ip.tot_len = htons((uint16_t)(IP4_HLEN + l4len));
		ip.frag_off = htons(IP_DF);
		ip.check = csum(&ip, sizeof(ip), 0);
		tap_eth_hdr(c, buf, NULL, ETH_P_IP);
		memcpy(buf + ETH_HLEN_, &ip, sizeof(ip));
		return ETH_HLEN_ + IP4_HLEN;
	}
}

/**
 * tap_send_udp4() - Send a UDP datagram over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address (INADDR_BROADCAST for broadcast)
 * @dport:	Destination port, host order
 * @data:	Payload
 * @len:	Payload length
 *
 * Return: 0 on success, -errno if dropped
 */
int tap_send_udp4(const struct ctx *c, struct in_addr src, uint16_t sport,
		  struct in_addr dst, uint16_t dport,
		  const void *data, size_t len)
{
	uint8_t l4[PKT_MAX_FRAME - ETH_HLEN_ - IP4_HLEN];
	struct udphdr uh;

	if (len > sizeof(l4) - UDP_HLEN)
		return -EMSGSIZE;
	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons((uint16_t)(UDP_HLEN + len));
	uh.check = 0;
	memcpy(l4, &uh, sizeof(uh));
	memcpy(l4 + UDP_HLEN, data, len);
	uh.check = csum(l4, UDP_HLEN + len,
			csum_pseudo4(src, dst, IPPROTO_UDP,
				     (uint16_t)(UDP_HLEN + len)));
	if (!uh.check)
		uh.check = 0xffff;
	memcpy(l4, &uh, sizeof(uh));
	return tap_send_ip4(c, src, dst, IPPROTO_UDP, l4, UDP_HLEN + len);
}

/**
 * tap_send_udp6() - Send a UDP datagram over IPv6 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @data:	Payload
 * @len:	Payload length
 *
 * Return: 0 on success, -errno if dropped
 */
int tap_send_udp6(const struct ctx *c, const struct in6_addr *src,
		  uint16_t sport, const struct in6_addr *dst, uint16_t dport,
		  const void *data, size_t len)
{
	uint8_t l4[PKT_MAX_FRAME - ETH_HLEN_ - IP6_HLEN];
	struct udphdr uh;

	if (len > sizeof(l4) - UDP_HLEN)
		return -EMSGSIZE;
	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons((uint16_t)(UDP_HLEN + len));
	uh.check = 0;
	memcpy(l4, &uh, sizeof(uh));
	memcpy(l4 + UDP_HLEN, data, len);
	uh.check = csum(l4, UDP_HLEN + len,
			csum_pseudo6(src, dst, IPPROTO_UDP,
				     (uint32_t)(UDP_HLEN + len)));
	if (!uh.check)
		uh.check = 0xffff;
	memcpy(l4, &uh, sizeof(uh));
	return tap_send_ip6(c, NULL, src, dst, IPPROTO_UDP, l4,
			    UDP_HLEN + len);
}

/**
 * tap_send_icmp6() - Send an ICMPv6 message, computing its checksum
 * @c:		Execution context
 * @dst_mac:	Destination MAC, NULL for the guest's
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 header and body; the checksum field is overwritten
 * @len:	Length of @icmp6
 *
 * Return: 0 on success, -errno if dropped
 */
int tap_send_icmp6(const struct ctx *c, const uint8_t *dst_mac,
		   const struct in6_addr *src, const struct in6_addr *dst,
		   void *icmp6, size_t len)
{
	struct icmp6_hdr *ih = icmp6;

	if (len < sizeof(*ih))
		return -EINVAL;
	ih->icmp6_cksum = 0;
	ih->icmp6_cksum = csum(icmp6, len, csum_pseudo6(src, dst, IPPROTO_ICMPV6,
							(uint32_t)len));
	return tap_send_ip6(c, dst_mac, src, dst, IPPROTO_ICMPV6, icmp6, len);
}

/**
 * tap_learn_mac() - Remember the guest's MAC address from a frame
 * @c:		Execution context
 * @src:	Source MAC of a frame from the guest
 */
static void tap_learn_mac(struct ctx *c, const uint8_t *src)
{
	if (src[0] & 1)		/* multicast source: bogus, ignore */
		return;
	if (memcmp(c->guest_mac, src, ETH_ALEN_) != 0) {
		memcpy(c->guest_mac, src, ETH_ALEN_);
		debug("tap: guest MAC %02x:%02x:%02x:%02x:%02x:%02x",
		      src[0], src[1], src[2], src[3], src[4], src[5]);
	}
}

/**
 * tap_ip4() - Check an IPv4 packet from the guest and dispatch it
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 */
static void tap_ip4(struct ctx *c, const struct pool *p, size_t idx)
{
	const struct iphdr *ip = packet_get(p, idx, ETH_HLEN_, IP4_HLEN, NULL);
	size_t hlen, tot, avail, l4off;
	struct in_addr saddr, daddr;

	if (!ip || ip->version != 4 || ip->ihl < 5)
		return;
	hlen = (size_t)ip->ihl * 4;
	tot = ntohs(ip->tot_len);
	avail = packet_len(p, idx) - ETH_HLEN_;
	if (tot < hlen || tot > avail) {
		trace("tap: IPv4 length %zu invalid (%zu available)", tot,
		      avail);
		return;
	}
	if (ntohs(ip->frag_off) & (IP_MF | IP_OFFMASK)) {
		trace("tap: dropping IPv4 fragment");
		return;
	}
	l4off = ETH_HLEN_ + hlen;
	saddr.s_addr = ip->saddr;
	daddr.s_addr = ip->daddr;

	if (saddr.s_addr && saddr.s_addr != INADDR_BROADCAST &&
	    !IN_MULTICAST(ntohl(saddr.s_addr)))
		c->ip4.addr_seen = saddr;

	switch (ip->protocol) {
	case IPPROTO_UDP:
		if (dhcp(c, p, idx, l4off))
			return;
		udp_tap_handler(c, p, idx, l4off, tot - hlen, false, &saddr,
				&daddr);
		return;
	case IPPROTO_ICMP:
		icmp_tap4(c, p, idx, l4off, saddr, daddr);
		return;
	case IPPROTO_TCP:
		tcp_tap_handler(c, AF_INET, &saddr, &daddr, p, idx, l4off,
				tot - hlen);
		return;
	default:
		trace("tap: IPv4 protocol %u not handled, dropped",
		      ip->protocol);
	}
}

/**
 * tap_ip6() - Check an IPv6 packet from the guest and dispatch it
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 */
static void tap_ip6(struct ctx *c, const struct pool *p, size_t idx)
{
	const struct ip6_hdr *ip6 = packet_get(p, idx, ETH_HLEN_, IP6_HLEN,
					       NULL);
	struct in6_addr saddr, daddr;
	size_t plen, avail, off;
	uint8_t nxt;

	if (!ip6 || (ip6->ip6_vfc >> 4) != 6)
		return;
	plen = ntohs(ip6->ip6_plen);
	avail = packet_len(p, idx) - ETH_HLEN_ - IP6_HLEN;
	if (plen > avail) {
		trace("tap: IPv6 payload %zu exceeds frame (%zu)", plen, avail);
		return;
	}
	saddr = ip6->ip6_src;
	daddr = ip6->ip6_dst;
	nxt = ip6->ip6_nxt;
	off = ETH_HLEN_ + IP6_HLEN;

	/* Skip hop-by-hop options (MLD reports carry them) */
	if (nxt == IPPROTO_HOPOPTS) {
		const uint8_t *ext = packet_get(p, idx, off, 2, NULL);

		if (!ext)
			return;
		nxt = ext[0];
		off += ((size_t)ext[1] + 1) * 8;
	}

	if (IN6_IS_ADDR_LINKLOCAL(&saddr))
		c->ip6.addr_ll_seen = saddr;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&saddr) &&
		 !IN6_IS_ADDR_MULTICAST(&saddr))
		c->ip6.addr_seen = saddr;

	switch (nxt) {
	case IPPROTO_ICMPV6:
		if (ndp(c, p, idx, off, &saddr, &daddr))
			return;
		icmp_tap6(c, p, idx, off, &saddr, &daddr);
		return;
	case IPPROTO_TCP:
		if (off - ETH_HLEN_ - IP6_HLEN > plen)
			return;
		tcp_tap_handler(c, AF_INET6, &saddr, &daddr, p, idx, off,
				plen - (off - ETH_HLEN_ - IP6_HLEN));
		return;
	case IPPROTO_UDP:
		if (dhcpv6(c, p, idx, off, &saddr, &daddr))
			return;
		if (off - ETH_HLEN_ - IP6_HLEN <= plen)
			udp_tap_handler(c, p, idx, off,
					plen - (off - ETH_HLEN_ - IP6_HLEN),
					true, &saddr, &daddr);
		return;
	default:
		trace("tap: IPv6 next header %u not handled, dropped", nxt);
	}
}

/**
 * tap_handle_frame() - Check one frame from the guest and dispatch it
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 */
void tap_handle_frame(struct ctx *c, const struct pool *p, size_t idx)
{
	const uint8_t *eh = packet_get(p, idx, 0, ETH_HLEN_, NULL);
	const void *whole = packet_get_try(p, idx, 0, packet_len(p, idx), NULL);
	uint16_t proto;

	if (whole)
		pcap_frame(c, whole, packet_len(p, idx));
	if (!eh) {
		trace("tap: frame %zu shorter than an Ethernet header", idx);
		return;
	}
	proto = (uint16_t)(eh[12] << 8 | eh[13]);
	tap_learn_mac(c, eh + ETH_ALEN_);

	switch (proto) {
	case ETH_P_ARP:
		arp(c, p, idx, ETH_HLEN_);
		break;
	case ETH_P_IP:
		if (c->ifi4)
			tap_ip4(c, p, idx);
		break;
	case ETH_P_IPV6:
		if (c->ifi6)
			tap_ip6(c, p, idx);
		break;
	default:
		trace("tap: ethertype 0x%04x not handled", proto);
	}
}

/**
 * tap_handler() - Handle every frame queued in the tap pool, then flush it
 * @c:		Execution context
 */
void tap_handler(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->pool_tap->count; i++)
		tap_handle_frame(c, c->pool_tap, i);
	tcp_tap_flush(c);
	udp_tap_flush(c);	/* queued datagrams point into the pool */
	pool_flush(c->pool_tap);
}

/**
 * tap_frame_align() - Next offset, after @off, where a frame may start
 * @off:	End of the previous frame
 *
 * Return: smallest offset >= @off that is 2 modulo 8: the IP header then
 * starts 8-byte aligned, so protocol headers can be read in place
 */
static size_t tap_frame_align(size_t off)
{
	return ((off + 5) & ~(size_t)7) + TAP_FRAME_ALIGN_OFF;
}

/**
 * tap_read_frames() - Read frames from the tap device into the pool
 * @c:		Execution context, pasta mode
 *
 * Reads until the device is empty, the pool is full, or the buffer has no
 * room for a frame of maximum size.
 *
 * Return: number of frames queued, -errno on a device error
 *
 * #syscalls:pasta read
 */
int tap_read_frames(struct ctx *c)
{
	struct pool *p = c->pool_tap;
	size_t used = TAP_FRAME_ALIGN_OFF;
	int n = 0;

	while (!pool_full(p) && used <= p->buf_size &&
	       p->buf_size - used >= PKT_MAX_FRAME) {
		ssize_t len = read(c->fd_tap, p->buf + used, PKT_MAX_FRAME);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		if (len == 0)
			return n ? n : -ENOTCONN;
		if (packet_add(p, (size_t)len, p->buf + used) == 0)
			n++;
		used = tap_frame_align(used + (size_t)len);
	}
	return n;
}
