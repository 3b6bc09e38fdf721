// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp_csum.c - unit tests for the word-wise Internet checksum
 * (user/checksum.c) used on every TCP segment to the guest
 *
 * The fast sum is checked against a plain RFC 1071 reference, one 16-bit
 * big-endian word at a time, for every length up to 300 bytes at every
 * alignment up to 7 (and from 1400 to 1530), for a maximum-size segment,
 * for chained partial sums (pseudo-header then segment), and against a
 * known IPv4 header checksum.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checksum.h"

/**
 * ref_sum() - Reference running sum, one big-endian word at a time
 * @buf:	Data
 * @len:	Length
 * @sum:	Initial sum
 *
 * Return: 16-bit folded sum
 */
static uint32_t ref_sum(const uint8_t *buf, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	if (len & 1)
		s += (uint32_t)(buf[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/**
 * fold() - Fold a running sum to 16 bits
 * @s:		Running sum
 *
 * Return: folded sum
 */
static uint32_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/**
 * test_csum_lengths() - Every length and alignment against the reference
 * @state:	cmocka state, unused
 */
static void test_csum_lengths(void **state)
{
	static uint8_t buf[65536 + 8];
	size_t len, align;
	unsigned seed = 1;

	(void)state;
	for (len = 0; len < sizeof(buf); len++) {
		seed = seed * 1103515245U + 12345U;
		buf[len] = (uint8_t)(seed >> 16);
	}
	for (align = 0; align < 8; align++) {
		for (len = 0; len <= 300; len++) {
			assert_int_equal(fold(csum_partial(buf + align, len, 0)),
					 ref_sum(buf + align, len, 0));
			assert_int_equal(
				fold(csum_partial(buf + align, len, 0x1fffe)),
				ref_sum(buf + align, len, 0x1fffe));
		}
	}
	/* Lengths around an MTU-1500 segment, where the AVX2 path (64-byte
	 * blocks, if the CPU has it) leaves every possible tail
	 */
	for (align = 0; align < 8; align++) {
		for (len = 1400; len <= 1530; len++)
			assert_int_equal(fold(csum_partial(buf + align, len, 7)),
					 ref_sum(buf + align, len, 7));
	}
	/* Largest TCP segment in a frame, and all ones (carries) */
	assert_int_equal(fold(csum_partial(buf + 3, 65535, 0)),
			 ref_sum(buf + 3, 65535, 0));
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(fold(csum_partial(buf + 1, 65535, 0xffffffffU)),
			 ref_sum(buf + 1, 65535, 0xffffffffU));
}

/**
 * test_csum_ip4_header() - A known IPv4 header checksum, and chaining
 * @state:	cmocka state, unused
 */
static void test_csum_ip4_header(void **state)
{
	/* Header with its checksum field zeroed, from RFC 1071's style of
	 * worked example: 0xb861 is the checksum to store
	 */
	static const uint8_t ip[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	uint8_t whole[20];
	uint16_t c = csum(ip, sizeof(ip), 0);

	(void)state;
	assert_int_equal(c, htons(0xb861));

	/* With the checksum stored, the header sums to zero */
	memcpy(whole, ip, sizeof(ip));
	memcpy(whole + 10, &c, 2);
	assert_int_equal(csum(whole, sizeof(whole), 0), 0);

	/* Chained: odd split points give the same result as one pass */
	assert_int_equal(fold(csum_partial(ip + 7, 13,
					   csum_partial(ip, 6, 0))),
			 fold(ref_sum(ip + 7, 13, ref_sum(ip, 6, 0))));
}

/**
 * main() - Run the checksum tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_lengths),
		cmocka_unit_test(test_csum_ip4_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
