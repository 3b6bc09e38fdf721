// SPDX-License-Identifier: GPL-2.0-or-later
/* test_udp_flow.c - UDP flow table: insert, lookup, expiry, full table */

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../user/udp_flow.h"

#define TAB_SIZE	64

static const uint8_t test_hkey[UDP_FLOW_KEY_LEN] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

/**
 * key_n() - IPv4 key number @n: guest 192.0.2.2, remote 198.51.100.1
 * @k:		Key to fill
 * @n:		Guest port offset
 */
static void key_n(struct udp_flow_key *k, unsigned n)
{
	struct in_addr g = { htonl(0xc0000202) }, r = { htonl(0xc6336401) };

	udp_flow_key4(k, g, (uint16_t)(10000 + n), r, 53);
}

/**
 * test_insert_lookup() - Inserted flows are found, others are not
 * @state:	Unused
 */
static void test_insert_lookup(void **state)
{
	struct udp_flowtab *t = udp_flowtab_new(TAB_SIZE, test_hkey);
	struct in6_addr g6 = IN6ADDR_LOOPBACK_INIT, r6 = IN6ADDR_ANY_INIT;
	struct udp_flow_key k, k6;
	struct udp_flow *f, *f6;
	unsigned i;

	(void)state;
	assert_non_null(t);
	assert_true(t->nbuckets >= TAB_SIZE && !(t->nbuckets & (t->nbuckets - 1)));
	for (i = 0; i < 10; i++) {
		key_n(&k, i);
		f = udp_flow_insert(t, &k, 100);
		assert_non_null(f);
		assert_int_equal(f->fd, -1);
		assert_int_equal(f->ts, 100);
	}
	assert_int_equal(t->count, 10);
	for (i = 0; i < 10; i++) {
		key_n(&k, i);
		f = udp_flow_lookup(t, &k);
		assert_non_null(f);
		assert_int_equal(f->key.gport, 10000 + i);
	}
	key_n(&k, 10);
	assert_null(udp_flow_lookup(t, &k));

	/* Same ports and addresses, other IP version: another flow */
	udp_flow_key6(&k6, &g6, 10000, &r6, 53);
	f6 = udp_flow_insert(t, &k6, 100);
	assert_non_null(f6);
	assert_ptr_equal(udp_flow_lookup(t, &k6), f6);

	/* Duplicates are refused */
	key_n(&k, 3);
	errno = 0;
	assert_null(udp_flow_insert(t, &k, 100));
	assert_int_equal(errno, EEXIST);

	/* Removal unlinks only that flow */
	f = udp_flow_lookup(t, &k);
	udp_flow_remove(t, f);
	assert_null(udp_flow_lookup(t, &k));
	key_n(&k, 4);
	assert_non_null(udp_flow_lookup(t, &k));
	assert_int_equal(t->count, 10);
	udp_flowtab_free(t);
}

/**
 * test_hash_keyed() - The hash depends on the key, and on every key byte
 * @state:	Unused
 */
static void test_hash_keyed(void **state)
{
	uint8_t other[UDP_FLOW_KEY_LEN] = { 1 };
	struct udp_flowtab *a = udp_flowtab_new(4, test_hkey);
	struct udp_flowtab *b = udp_flowtab_new(4, other);
	struct udp_flow_key k, k2;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	key_n(&k, 0);
	assert_int_not_equal(udp_flow_hash(a, &k), udp_flow_hash(b, &k));
	k2 = k;
	k2.raddr.s6_addr[15] ^= 1;
	assert_int_not_equal(udp_flow_hash(a, &k), udp_flow_hash(a, &k2));
	assert_int_equal(udp_flow_hash(a, &k), udp_flow_hash(a, &k));
	udp_flowtab_free(a);
	udp_flowtab_free(b);
}

/**
 * test_full() - A full table refuses new flows, and takes them again after
 * a removal
 * @state:	Unused
 */
static void test_full(void **state)
{
	struct udp_flowtab *t = udp_flowtab_new(TAB_SIZE, test_hkey);
	struct udp_flow_key k;
	unsigned i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < TAB_SIZE; i++) {
		key_n(&k, i);
		assert_non_null(udp_flow_insert(t, &k, 1));
	}
	key_n(&k, TAB_SIZE);
	errno = 0;
	assert_null(udp_flow_insert(t, &k, 1));
	assert_int_equal(errno, ENOSPC);
	for (i = 0; i < TAB_SIZE; i++) {
		key_n(&k, i);
		assert_non_null(udp_flow_lookup(t, &k));
	}
	key_n(&k, 7);
	udp_flow_remove(t, udp_flow_lookup(t, &k));
	key_n(&k, TAB_SIZE);
	assert_non_null(udp_flow_insert(t, &k, 1));
	assert_int_equal(t->count, TAB_SIZE);
	udp_flowtab_free(t);

	assert_null(udp_flowtab_new(0, test_hkey));
}

/**
 * count_cb() - Expiry callback: count calls, check the flow is still in
 * @opaque:	Counter
 * @f:		Expiring flow
 */
static void count_cb(void *opaque, struct udp_flow *f)
{
	(*(unsigned *)opaque)++;
	assert_true(f->used);
}

/**
 * test_expiry() - Only flows idle longer than the timeout go; activity
 * refreshes them
 * @state:	Unused
 */
static void test_expiry(void **state)
{
	struct udp_flowtab *t = udp_flowtab_new(TAB_SIZE, test_hkey);
	struct udp_flow_key k;
	struct udp_flow *f;
	unsigned calls = 0, i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 4; i++) {
		key_n(&k, i);
		assert_non_null(udp_flow_insert(t, &k, 1000 + i * 100));
	}
	/* Flow 0 refreshed by traffic at 1250 */
	key_n(&k, 0);
	f = udp_flow_lookup(t, &k);
	f->ts = 1250;

	/* Exactly the timeout: nothing goes */
	assert_int_equal(udp_flow_expire(t, 1280, 180, count_cb, &calls), 0);
	/* 1100 is now 181 s old; 1000 was refreshed */
	assert_int_equal(udp_flow_expire(t, 1281, 180, count_cb, &calls), 1);
	assert_int_equal(calls, 1);
	key_n(&k, 1);
	assert_null(udp_flow_lookup(t, &k));
	key_n(&k, 0);
	assert_non_null(udp_flow_lookup(t, &k));
	assert_int_equal(t->count, 3);

	/* Much later, everything goes, and the table is usable again */
	assert_int_equal(udp_flow_expire(t, 100000, 180, NULL, NULL), 3);
	assert_int_equal(t->count, 0);
	for (i = 0; i < TAB_SIZE; i++) {
		key_n(&k, i);
		assert_non_null(udp_flow_insert(t, &k, 1));
	}
	udp_flowtab_free(t);
}

/**
 * test_many_chains() - Many flows over few buckets: lookups stay exact
 * @state:	Unused
 */
static void test_many_chains(void **state)
{
	struct udp_flowtab *t = udp_flowtab_new(4096, test_hkey);
	struct udp_flow_key k;
	unsigned i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 4096; i++) {
		key_n(&k, i);
		assert_non_null(udp_flow_insert(t, &k, i));
	}
	for (i = 0; i < 4096; i += 2) {
		key_n(&k, i);
		udp_flow_remove(t, udp_flow_lookup(t, &k));
	}
	for (i = 0; i < 4096; i++) {
		key_n(&k, i);
		if (i % 2)
			assert_non_null(udp_flow_lookup(t, &k));
		else
			assert_null(udp_flow_lookup(t, &k));
	}
	udp_flowtab_free(t);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup),
		cmocka_unit_test(test_hash_keyed),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_many_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
