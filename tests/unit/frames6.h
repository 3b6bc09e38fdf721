/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frames6.h - IPv6 frames and a capture socket for the NDP/DHCPv6 tests
 *
 * Frames are built byte by byte here, independently of the builders under
 * test, and the checksums of replies are recomputed with a separate RFC 1071
 * implementation.  Each frame handed to a handler is copied into a buffer
 * allocated to its exact size (plus the alignment offset), so that any read
 * past its end is caught by the address sanitizer.
 */
#ifndef FRAMES6_H
#define FRAMES6_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "packet.h"
#include "tap.h"

#define F6_FRAME_MAX	(PKT_MAX_FRAME + 64)

/**
 * struct f6 - test state: context, capture socket and the current pool
 * @c:		Execution context, fd_tap is one end of a datagram socket pair
 * @peer:	Other end: frames sent to the guest are read here
 * @buf:	Buffer holding the current frame, exactly sized
 * @p:		Pool with the current frame at index 0
 */
struct f6 {
	struct ctx *c;
	int peer;
	char *buf;
	struct pool *p;
};

/**
 * f6_addr() - Parse an IPv6 address literal, for test set-up
 * @s:		Address text
 *
 * Return: address (all zeroes if @s does not parse, which fails the test)
 */
static inline struct in6_addr f6_addr(const char *s)
{
	struct in6_addr a = { 0 };

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

static const uint8_t f6_our_mac[6] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
static const uint8_t f6_guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/**
 * f6_new() - Allocate a context set up like a typical passt session
 *
 * Return: test state (aborts on failure)
 */
static inline struct f6 *f6_new(void)
{
	struct f6 *t = calloc(1, sizeof(*t));
	int sv[2];

	if (!t || !(t->c = calloc(1, sizeof(*t->c))))
		abort();
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		abort();
	t->c->mode = MODE_PASTA;	/* one frame per datagram, like a tap */
	t->c->fd_tap = sv[0];
	t->c->fd_pcap = -1;
	t->peer = sv[1];
	t->c->ifi6 = 1;
	t->c->mtu = 65520;
	memcpy(t->c->our_mac, f6_our_mac, 6);
	memcpy(t->c->guest_mac, f6_guest_mac, 6);
	t->c->ip6.addr = f6_addr("2001:db8:1::2");
	t->c->ip6.prefix_len = 64;
	t->c->ip6.gw = f6_addr("2001:db8:1::1");
	t->c->ip6.our_tap_ll = f6_addr("fe80::1");
	t->c->ip6.addr_ll_seen = f6_addr("fe80::5054:ff:fe12:3456");
	t->c->ip6.dns[0] = f6_addr("2001:db8::53");
	t->c->ip6.dns[1] = f6_addr("2001:db8::5353");
	strcpy(t->c->dns_search[0], "example.com");
	strcpy(t->c->dns_search[1], "a.b.");
	t->c->dhcp_dns = true;
	t->c->dhcp_search = true;
	return t;
}

/**
 * f6_free() - Release test state
 * @t:		Test state
 */
static inline void f6_free(struct f6 *t)
{
	close(t->c->fd_tap);
	close(t->peer);
	free(t->p);
	free(t->buf);
	free(t->c);
	free(t);
}

/**
 * f6_load() - Make @frame the only frame of the test pool
 * @t:		Test state
 * @frame:	Frame, from the Ethernet header
 * @len:	Frame length
 */
static inline void f6_load(struct f6 *t, const uint8_t *frame, size_t len)
{
	free(t->p);
	free(t->buf);
	t->buf = malloc(TAP_FRAME_ALIGN_OFF + len);
	if (!t->buf)
		abort();
	memcpy(t->buf + TAP_FRAME_ALIGN_OFF, frame, len);
	t->p = pool_new(t->buf, TAP_FRAME_ALIGN_OFF + len, 1);
	if (!t->p || packet_add(t->p, len, t->buf + TAP_FRAME_ALIGN_OFF))
		abort();
}

/**
 * f6_recv() - Read one frame sent to the guest, without waiting
 * @t:		Test state
 * @out:	Buffer, F6_FRAME_MAX bytes
 *
 * Return: frame length, -1 if nothing was sent
 */
static inline ssize_t f6_recv(const struct f6 *t, uint8_t *out)
{
	return recv(t->peer, out, F6_FRAME_MAX, MSG_DONTWAIT);
}

/**
 * f6_sum() - RFC 1071 sum over a buffer, unfolded
 * @d:		Data
 * @len:	Length
 * @sum:	Initial sum
 *
 * Return: running sum
 */
static inline uint64_t f6_sum(const uint8_t *d, size_t len, uint64_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint64_t)(d[i] << 8 | d[i + 1]);
	if (len & 1)
		sum += (uint64_t)d[len - 1] << 8;
	return sum;
}

/**
 * f6_l4_csum() - Checksum of an upper-layer message with the IPv6 pseudo
 *		  header, over its checksum field as stored
 * @src:	Source address, 16 bytes
 * @dst:	Destination address, 16 bytes
 * @nxt:	Next header value
 * @l4:		Message
 * @len:	Message length
 *
 * Return: folded one's complement checksum, host order: 0 if the stored
 * checksum is right, or the value to store if the field was zero
 */
static inline uint16_t f6_l4_csum(const uint8_t *src, const uint8_t *dst,
				  uint8_t nxt, const uint8_t *l4, size_t len)
{
	uint64_t sum = 0;

	sum = f6_sum(src, 16, sum);
	sum = f6_sum(dst, 16, sum);
	sum += (uint64_t)(len >> 16) + (len & 0xffff) + nxt;
	sum = f6_sum(l4, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * f6_frame() - Build Ethernet and IPv6 headers around an upper-layer message
 * @out:	Output, at least 14 + 40 + @hbh + @len bytes
 * @src:	Source address
 * @dst:	Destination address
 * @hlim:	Hop limit
 * @nxt:	Next header of @l4
 * @hbh:	Bytes of hop-by-hop options header to insert (0 or 8)
 * @l4:		Message, with its checksum field zeroed (filled in here if
 *		@csum_off is non-negative)
 * @len:	Length of @l4
 * @csum_off:	Offset of the checksum field in @l4, -1 to leave it
 *
 * Return: frame length
 */
static inline size_t f6_frame(uint8_t *out, const struct in6_addr *src,
			      const struct in6_addr *dst, uint8_t hlim,
			      uint8_t nxt, size_t hbh, const uint8_t *l4,
			      size_t len, int csum_off)
{
	uint8_t *ip = out + 14, *p = ip + 40 + hbh;
	size_t plen = hbh + len;

	memcpy(out, f6_our_mac, 6);
	memcpy(out + 6, f6_guest_mac, 6);
	out[12] = 0x86;
	out[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = hbh ? 0 : nxt;
	ip[7] = hlim;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	if (hbh) {
		/* Router Alert and PadN, as in MLD reports */
		const uint8_t opt[8] = { nxt, 0, 5, 2, 0, 0, 1, 0 };

		memcpy(ip + 40, opt, sizeof(opt));
	}
	memcpy(p, l4, len);
	if (csum_off >= 0) {
		uint16_t s;

		p[csum_off] = p[csum_off + 1] = 0;
		s = f6_l4_csum(ip + 8, ip + 24, nxt, p, len);
		if (nxt == IPPROTO_UDP && !s)
			s = 0xffff;
		p[csum_off] = (uint8_t)(s >> 8);
		p[csum_off + 1] = (uint8_t)s;
	}
	return 14 + 40 + plen;
}

/**
 * f6_get16() - Read a 16-bit big-endian value
 * @p:		Data
 *
 * Return: value
 */
static inline uint16_t f6_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * f6_get32() - Read a 32-bit big-endian value
 * @p:		Data
 *
 * Return: value
 */
static inline uint32_t f6_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

#endif /* FRAMES6_H */
