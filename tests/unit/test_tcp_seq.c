// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp_seq.c - unit tests for TCP sequence and window arithmetic
 * (user/tcp_seq.h) and the SipHash used for the connection table
 *
 * Every comparison is checked on both sides of the 2^32 wraparound, and
 * window scaling at its limits.  SipHash-2-4 is checked against the
 * reference test vector of the paper (appendix A).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "siphash.h"
#include "../../user/tcp_seq.h"

/**
 * test_seq_compare() - lt/le/in, plain and across the wraparound
 * @state:	cmocka state, unused
 */
static void test_seq_compare(void **state)
{
	(void)state;
	assert_true(tcp_seq_lt(1, 2));
	assert_false(tcp_seq_lt(2, 2));
	assert_true(tcp_seq_le(2, 2));
	assert_false(tcp_seq_lt(3, 2));

	/* 0xfffffff0 comes before 0x10: the counter wrapped */
	assert_true(tcp_seq_lt(0xfffffff0U, 0x10));
	assert_false(tcp_seq_lt(0x10, 0xfffffff0U));
	assert_true(tcp_seq_le(0xffffffffU, 0));
	assert_int_equal(tcp_seq_diff(0x10, 0xfffffff0U), 0x20);
	assert_int_equal(tcp_seq_diff(0xfffffff0U, 0x10), -0x20);

	/* Half the space apart is the limit of the comparison */
	assert_true(tcp_seq_lt(0, 0x7fffffffU));
	assert_false(tcp_seq_lt(0, 0x80000001U));

	assert_true(tcp_seq_in(5, 5, 5));
	assert_true(tcp_seq_in(0, 0xfffffff0U, 0x10));
	assert_true(tcp_seq_in(0xfffffff8U, 0xfffffff0U, 0x10));
	assert_false(tcp_seq_in(0x11, 0xfffffff0U, 0x10));
	assert_false(tcp_seq_in(0xffffffefU, 0xfffffff0U, 0x10));
}

/**
 * test_wnd_scale() - Window fields to bytes and back, with scaling
 * @state:	cmocka state, unused
 */
static void test_wnd_scale(void **state)
{
	(void)state;
	assert_int_equal(tcp_wnd_from_raw(1000, 0), 1000);
	assert_int_equal(tcp_wnd_from_raw(0xffff, 7), 0xffffU << 7);
	assert_int_equal(tcp_wnd_from_raw(0xffff, 14), 0xffffU << 14);
	/* Scales above 14 are treated as 14 (RFC 7323, 2.3) */
	assert_int_equal(tcp_wnd_from_raw(1, 15), 1U << 14);

	assert_int_equal(tcp_wnd_to_raw(1000, 0), 1000);
	assert_int_equal(tcp_wnd_to_raw(100000, 0), 0xffff);
	assert_int_equal(tcp_wnd_to_raw(100000, 8), 100000 >> 8);
	assert_int_equal(tcp_wnd_to_raw(255, 8), 0);
	assert_int_equal(tcp_wnd_to_raw(0xffffffffU, 14), 0xffff);
	assert_int_equal(tcp_wnd_to_raw(1U << 30, 14), 0xffff);
}

/**
 * test_send_room() - Room left in the peer's window, wraparound included
 * @state:	cmocka state, unused
 */
static void test_send_room(void **state)
{
	(void)state;
	assert_int_equal(tcp_send_room(1000, 500, 1000), 500);
	assert_int_equal(tcp_send_room(1000, 500, 1400), 100);
	assert_int_equal(tcp_send_room(1000, 500, 1500), 0);
	/* Window shrank below what is in flight: no room, not 4 GiB */
	assert_int_equal(tcp_send_room(1000, 100, 1500), 0);
	assert_int_equal(tcp_send_room(1000, 0, 1000), 0);
	/* Right edge past the wraparound */
	assert_int_equal(tcp_send_room(0xfffffc00U, 0x800, 0xfffffe00U),
			 0x600);
	assert_int_equal(tcp_send_room(0xfffffc00U, 0x800, 0x100), 0x300);
	assert_int_equal(tcp_send_room(0xfffffc00U, 0x800, 0x400), 0);
}

/**
 * test_seg_skip() - Overlap of a received segment with what we have
 * @state:	cmocka state, unused
 */
static void test_seg_skip(void **state)
{
	(void)state;
	/* In order */
	assert_int_equal(tcp_seg_skip(100, 50, 100), 0);
	/* Partly old: skip what we already wrote */
	assert_int_equal(tcp_seg_skip(100, 50, 120), 20);
	/* Entirely old (a retransmission): skip all of it */
	assert_int_equal(tcp_seg_skip(100, 50, 150), 50);
	assert_int_equal(tcp_seg_skip(100, 50, 400), 50);
	/* A hole before it */
	assert_int_equal(tcp_seg_skip(101, 50, 100), -1);
	/* Across the wraparound */
	assert_int_equal(tcp_seg_skip(0xfffffff0U, 0x40, 0x10), 0x20);
	assert_int_equal(tcp_seg_skip(0x10, 0x40, 0xfffffff0U), -1);
	assert_int_equal(tcp_seg_skip(0xffffffffU, 1, 0), 1);
	/* Zero-length segment (pure FIN) at the expected sequence */
	assert_int_equal(tcp_seg_skip(7, 0, 7), 0);
}

/**
 * test_siphash() - SipHash-2-4 reference vector (paper, appendix A)
 * @state:	cmocka state, unused
 */
static void test_siphash(void **state)
{
	uint8_t key[SIPHASH_KEY_LEN], msg[15];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_true(siphash_2_4(key, msg, sizeof(msg)) ==
		    0xa129ca6149be45e5ULL);
	/* Empty input: first entry of the reference vectors.h */
	assert_true(siphash_2_4(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	key[0] ^= 1;
	assert_false(siphash_2_4(key, msg, sizeof(msg)) ==
		     0xa129ca6149be45e5ULL);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_compare),
		cmocka_unit_test(test_wnd_scale),
		cmocka_unit_test(test_send_room),
		cmocka_unit_test(test_seg_skip),
		cmocka_unit_test(test_siphash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
