// SPDX-License-Identifier: GPL-2.0-or-later
/* checksum.c - Internet checksums (RFC 1071) for IPv4, ICMP, UDP, ICMPv6 */

#include <arpa/inet.h>
#include <string.h>
#ifdef __x86_64__
#include <immintrin.h>
#endif

#include "checksum.h"

#ifdef __x86_64__
/**
 * csum_avx2() - Sum the 64-byte blocks of a buffer as native 32-bit words
 * @p:		Data, any alignment; advanced past the blocks summed
 * @len:	Length in bytes; reduced by the bytes summed
 *
 * Each 64-bit lane adds the low and the high 32-bit half of every 64-bit
 * word it loads: the same sum csum_partial() makes with scalar words, four
 * times as wide.  A lane can't overflow before 2^32 additions.
 *
 * Return: sum of the words, not folded
 */
__attribute__((target("avx2")))
static uint64_t csum_avx2(const uint8_t **p, size_t *len)
{
	const __m256i lo = _mm256_set1_epi64x(0xffffffffLL);
	__m256i a = _mm256_setzero_si256(), b = _mm256_setzero_si256();
	uint64_t lane[4];

	while (*len >= 64) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)*p);
		__m256i y = _mm256_loadu_si256((const __m256i *)(const void *)
					       (*p + 32));

		a = _mm256_add_epi64(a, _mm256_and_si256(x, lo));
		a = _mm256_add_epi64(a, _mm256_srli_epi64(x, 32));
		b = _mm256_add_epi64(b, _mm256_and_si256(y, lo));
		b = _mm256_add_epi64(b, _mm256_srli_epi64(y, 32));
		*p += 64;
		*len -= 64;
	}
	_mm256_storeu_si256((__m256i *)(void *)lane, _mm256_add_epi64(a, b));
	return lane[0] + lane[1] + lane[2] + lane[3];
}
#endif

/**
 * csum_partial() - Add 16-bit words of a buffer to a running sum
 * @buf:	Data, any alignment
 * @len:	Length in bytes
 * @sum:	Running sum (32 bits, not folded)
 *
 * The one's complement sum doesn't depend on byte order (RFC 1071, 2.B):
 * the buffer is summed as native 32-bit words into a 64-bit accumulator,
 * folded, and swapped to network order once at the end.  On x86-64 CPUs
 * with AVX2, 64-byte blocks are summed four 64-bit lanes at a time first.
 *
 * Return: updated running sum
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = 0, s2 = 0;
	uint32_t w, w2;
	uint16_t h;

#ifdef __x86_64__
	if (len >= 64 && __builtin_cpu_supports("avx2")) {
		uint64_t v = csum_avx2(&p, &len);

		/* Two 32-bit halves: the 64-bit sums below can't overflow */
		s = v & 0xffffffff;
		s2 = v >> 32;
	}
#endif

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
