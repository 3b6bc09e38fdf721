// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp_ooo.c - unit tests for the store of guest segments that came
 * after a hole (user/tcp_ooo.c)
 *
 * Covers: held segments come back in stream order with the right skip,
 * across the 2^32 wraparound; copies already covered aren't held twice;
 * segments entirely before the stream are freed; the per-connection and
 * total limits; dropping a connection's slots.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../user/tcp_ooo.h"

/**
 * setup() - Allocate a store
 * @state:	cmocka state, set to the store
 *
 * Return: 0, -1 on allocation failure
 */
static int setup(void **state)
{
	struct tcp_ooo *q = calloc(1, sizeof(*q));

	if (!q || tcp_ooo_init(q)) {
		free(q);
		return -1;
	}
	*state = q;
	return 0;
}

/**
 * teardown() - Free a store
 * @state:	cmocka state, the store
 *
 * Return: 0
 */
static int teardown(void **state)
{
	struct tcp_ooo *q = *state;

	free(q->data);
	free(q);
	return 0;
}

/**
 * test_order() - Segments stored backwards come back in stream order
 * @state:	cmocka state, the store
 */
static void test_order(void **state)
{
	struct tcp_ooo *q = *state;
	uint8_t a[100], b[100];
	uint32_t base = 0xffffff00U;	/* the second segment wraps */
	size_t skip = 99;
	int s;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	assert_true(tcp_ooo_store(q, 3, base + 200, b, sizeof(b)));
	assert_true(tcp_ooo_store(q, 3, base + 100, a, sizeof(a)));
	assert_int_equal(q->used, 2);

	/* The hole (base .. base + 100) isn't filled: nothing to write */
	assert_int_equal(tcp_ooo_next(q, 3, base, &skip), -1);
	/* Another connection's segments are not ours */
	assert_int_equal(tcp_ooo_next(q, 4, base + 100, &skip), -1);

	s = tcp_ooo_next(q, 3, base + 100, &skip);
	assert_true(s >= 0);
	assert_int_equal(skip, 0);
	assert_memory_equal(tcp_ooo_data(q, s), a, sizeof(a));
	tcp_ooo_free(q, s);

	/* 30 bytes of the next one were written some other way */
	s = tcp_ooo_next(q, 3, base + 230, &skip);
	assert_true(s >= 0);
	assert_int_equal(skip, 30);
	assert_int_equal(q->slot[s].seq, base + 200);
	assert_memory_equal(tcp_ooo_data(q, s), b, sizeof(b));
	tcp_ooo_free(q, s);
	assert_int_equal(q->used, 0);
}

/**
 * test_covered() - A copy already held isn't stored again; a segment
 * entirely before the stream is freed, not returned
 * @state:	cmocka state, the store
 */
static void test_covered(void **state)
{
	struct tcp_ooo *q = *state;
	uint8_t d[1000] = { 0 };
	size_t skip;

	assert_true(tcp_ooo_store(q, 1, 5000, d, 1000));
	assert_true(tcp_ooo_store(q, 1, 5000, d, 1000));
	assert_true(tcp_ooo_store(q, 1, 5100, d, 500));
	assert_int_equal(q->used, 1);

	/* Longer than what's held: a new slot */
	assert_true(tcp_ooo_store(q, 1, 5500, d, 1000));
	assert_int_equal(q->used, 2);

	/* Both cover 5600: the one reaching further wins */
	assert_int_equal(q->slot[tcp_ooo_next(q, 1, 5600, &skip)].seq, 5500);
	assert_int_equal(skip, 100);

	/* Past the end of both: both freed */
	assert_int_equal(tcp_ooo_next(q, 1, 6500, &skip), -1);
	assert_int_equal(q->used, 0);
}

/**
 * test_limits() - Empty and oversized segments, one connection's share,
 * the total, and dropping a connection
 * @state:	cmocka state, the store
 */
static void test_limits(void **state)
{
	struct tcp_ooo *q = *state;
	static uint8_t big[TCP_OOO_SLOT_SIZE + 1];
	uint32_t seq = 1;
	int i;

	assert_false(tcp_ooo_store(q, 0, 1, big, 0));
	assert_false(tcp_ooo_store(q, 0, 1, big, sizeof(big)));
	assert_true(tcp_ooo_store(q, 0, 1, big, TCP_OOO_SLOT_SIZE));
	tcp_ooo_drop(q, 0);
	assert_int_equal(q->used, 0);

	for (i = 0; i < TCP_OOO_PER_CONN; i++, seq += 10)
		assert_true(tcp_ooo_store(q, 0, seq, big, 10));
	assert_false(tcp_ooo_store(q, 0, seq, big, 10));

	/* Others fill what's left, and no more */
	for (i = TCP_OOO_PER_CONN; i < TCP_OOO_SLOTS; i++, seq += 10)
		assert_true(tcp_ooo_store(q, 1 + i % 2, seq, big, 10));
	assert_false(tcp_ooo_store(q, 7, seq, big, 10));
	assert_int_equal(q->used, TCP_OOO_SLOTS);

	tcp_ooo_drop(q, 0);
	assert_int_equal(q->used, TCP_OOO_SLOTS - TCP_OOO_PER_CONN);
	assert_true(tcp_ooo_store(q, 7, seq, big, 10));
	tcp_ooo_drop(q, 1);
	tcp_ooo_drop(q, 2);
	tcp_ooo_drop(q, 7);
	assert_int_equal(q->used, 0);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_covered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
