// SPDX-License-Identifier: GPL-2.0-or-later
/* checksum.c - Internet checksums (RFC 1071) for IPv4, ICMP, UDP, ICMPv6 */

#include <arpa/inet.h>
#include <string.h>

#include "checksum.h"

/**
 * csum_partial() - Add 16-bit words of a buffer to a running sum
 * @buf:	Data, any alignment
 * @len:	Length in bytes
 * @sum:	Running sum (32 bits, not folded)
 *
 * The one's complement sum doesn't depend on byte order (RFC 1071, 2.B):
 * the buffer is summed as native 32-bit words into a 64-bit accumulator,
 * folded, and swapped to network order once at the end.
 *
 * Return: updated running sum
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = 0, s2 = 0;
	uint32_t w, w2;
	uint16_t h;

	while (len >= 16) {
		memcpy(&w, p, 4);
		memcpy(&w2, p + 4, 4);
		s += w;
		s2 += w2;
		memcpy(&w, p + 8, 4);
		memcpy(&w2, p + 12, 4);
		s += w;
		s2 += w2;
		p += 16;
		len -= 16;
	}
	s += s2;
	while (len >= 4) {
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* Last odd byte: the high half of a network-order word */
		h = htons((uint16_t)(p[0] << 8));
		s += h;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ntohs((uint16_t)s) + (uint64_t)sum;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/**
 * csum_fold() - Fold a running sum into a 16-bit checksum, network order
 * @sum:	Running sum
 *
 * Return: one's complement of the folded sum, in network byte order
 */
uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/**
 * csum() - Checksum of a buffer with an initial running sum
 * @buf:	Data
 * @len:	Length in bytes
 * @init:	Initial sum (pseudo-header), 0 if none
 *
 * Return: checksum in network byte order, ready to store
 */
uint16_t csum(const void *buf, size_t len, uint32_t init)
{
	return csum_fold(csum_partial(buf, len, init));
}

/**
 * csum_pseudo4() - Running sum of the IPv4 pseudo-header
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Protocol number
 * @l4len:	Layer-4 length (header and payload)
 *
 * Return: running sum
 */
uint32_t csum_pseudo4(struct in_addr src, struct in_addr dst, uint8_t proto,
		      uint16_t l4len)
{
	uint32_t sum;

	sum = csum_partial(&src, 4, 0);
	sum = csum_partial(&dst, 4, sum);
	return csum_partial((uint16_t []){ htons(proto), htons(l4len) }, 4,
			    sum);
}

/**
 * csum_pseudo6() - Running sum of the IPv6 pseudo-header (RFC 8200, 8.1)
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header
 * @l4len:	Upper-layer packet length
 *
 * Return: running sum
 */
uint32_t csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t proto, uint32_t l4len)
{
	uint32_t sum;

	sum = csum_partial(src, 16, 0);
	sum = csum_partial(dst, 16, sum);
	sum = csum_partial(&(uint32_t){ htonl(l4len) }, 4, sum);
	return csum_partial(&(uint32_t){ htonl(proto) }, 4, sum);
}
