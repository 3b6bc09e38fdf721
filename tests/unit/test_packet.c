// SPDX-License-Identifier: GPL-2.0-or-later
/* test_packet.c - packet pool: bounds of every accessor, both ends */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "packet.h"

#define BUF_SIZE	1024

/**
 * struct fixture - a buffer and a pool over it
 * @buf:	Frame buffer
 * @p:		Pool of 4 descriptors
 */
struct fixture {
	char buf[BUF_SIZE];
	struct pool *p;
};

/**
 * setup() - Allocate buffer and pool
 * @state:	cmocka state
 *
 * Return: 0
 */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->p = pool_new(f->buf, sizeof(f->buf), 4);
	assert_non_null(f->p);
	*state = f;
	return 0;
}

/**
 * teardown() - Free buffer and pool
 * @state:	cmocka state
 *
 * Return: 0
 */
static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->p);
	free(f);
	return 0;
}

/**
 * test_add_bounds() - Frames must lie entirely within the buffer
 * @state:	cmocka state
 */
static void test_add_bounds(void **state)
{
	struct fixture *f = *state;
	struct pool *p = f->p;

	assert_int_equal(packet_add(p, BUF_SIZE, f->buf), 0);
	assert_int_equal(packet_add(p, BUF_SIZE + 1, f->buf), -EFAULT);
	assert_int_equal(packet_add(p, 1, f->buf + BUF_SIZE - 1), 0);
	assert_int_equal(packet_add(p, 2, f->buf + BUF_SIZE - 1), -EFAULT);
	assert_int_equal(packet_add(p, 0, f->buf + BUF_SIZE), 0);
	assert_int_equal(packet_add(p, 1, f->buf + BUF_SIZE), -EFAULT);
	assert_int_equal(packet_add(p, 1, f->buf - 1), -EFAULT);
	assert_int_equal(packet_add(p, 1, NULL), -EFAULT);
	assert_int_equal(packet_add(p, SIZE_MAX, f->buf), -EFAULT);
	assert_int_equal(p->count, 3);
}

/**
 * test_add_full() - A full pool refuses frames; a flush empties it
 * @state:	cmocka state
 */
static void test_add_full(void **state)
{
	struct fixture *f = *state;
	struct pool *p = f->p;
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(packet_add(p, 10, f->buf + i * 10), 0);
	assert_true(pool_full(p));
	assert_int_equal(packet_add(p, 10, f->buf + 40), -ENOSPC);
	pool_flush(p);
	assert_false(pool_full(p));
	assert_int_equal(p->count, 0);
	assert_null(packet_get(p, 0, 0, 1, NULL));
}

/**
 * test_get_bounds() - Every range is checked against its frame
 * @state:	cmocka state
 */
static void test_get_bounds(void **state)
{
	struct fixture *f = *state;
	struct pool *p = f->p;
	size_t left = 12345;

	assert_int_equal(packet_add(p, 100, f->buf + 10), 0);

	/* Whole frame, and empty ranges at both ends */
	assert_ptr_equal(packet_get(p, 0, 0, 100, &left), f->buf + 10);
	assert_int_equal(left, 0);
	assert_ptr_equal(packet_get(p, 0, 0, 0, &left), f->buf + 10);
	assert_int_equal(left, 100);
	assert_ptr_equal(packet_get(p, 0, 100, 0, &left), f->buf + 110);
	assert_int_equal(left, 0);

	/* Off by one at the end */
	assert_ptr_equal(packet_get(p, 0, 99, 1, &left), f->buf + 109);
	assert_null(packet_get(p, 0, 99, 2, NULL));
	assert_null(packet_get(p, 0, 0, 101, NULL));
	assert_null(packet_get(p, 0, 101, 0, NULL));
	assert_ptr_equal(packet_get(p, 0, 50, 30, &left), f->buf + 60);
	assert_int_equal(left, 20);

	/* Overflowing offset + length */
	assert_null(packet_get(p, 0, SIZE_MAX, 2, NULL));
	assert_null(packet_get(p, 0, 2, SIZE_MAX, NULL));
	assert_null(packet_get(p, 0, SIZE_MAX, SIZE_MAX, NULL));

	/* Index off by one, and far off */
	assert_null(packet_get(p, 1, 0, 1, NULL));
	assert_null(packet_get(p, SIZE_MAX, 0, 1, NULL));
	assert_null(packet_get_try(p, 1, 0, 1, NULL));

	assert_int_equal(packet_len(p, 0), 100);
	assert_int_equal(packet_len(p, 1), 0);
}

/**
 * test_get_zero_frame() - An empty frame yields only an empty range
 * @state:	cmocka state
 */
static void test_get_zero_frame(void **state)
{
	struct fixture *f = *state;
	struct pool *p = f->p;

	assert_int_equal(packet_add(p, 0, f->buf), 0);
	assert_non_null(packet_get(p, 0, 0, 0, NULL));
	assert_null(packet_get(p, 0, 0, 1, NULL));
	assert_null(packet_get(p, 0, 1, 0, NULL));
}

/**
 * main() - Run the packet pool tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_zero_frame, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
