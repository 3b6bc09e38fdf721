// SPDX-License-Identifier: GPL-2.0-or-later
/* test_udp.c - UDP helpers: loopback sources, flow keys of forwarded ports */

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../user/udp_internal.h"

/**
 * sa4() - An IPv4 socket address
 * @addr:	Numeric address
 * @port:	Port, host order
 *
 * Return: sockaddr_in in a sockaddr_in6-sized container
 */
static struct sockaddr_in6 sa4(const char *addr, uint16_t port)
{
	struct sockaddr_in6 sa = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
	return sa;
}

/**
 * sa6() - An IPv6 socket address (v4-mapped ones too)
 * @addr:	Numeric address
 * @port:	Port, host order
 *
 * Return: sockaddr_in6
 */
static struct sockaddr_in6 sa6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET6, addr, &sa.sin6_addr), 1);
	return sa;
}

/**
 * test_loopback() - Which sources take the loopback bypass
 * @state:	Unused
 */
static void test_loopback(void **state)
{
	static const char *const yes4[] = { "127.0.0.1", "127.1.2.3" };
	static const char *const no4[] = { "192.0.2.1", "0.0.0.0",
					   "128.0.0.1" };
	static const char *const yes6[] = { "::1", "::ffff:127.0.0.1",
					    "::ffff:127.255.0.9" };
	static const char *const no6[] = { "::", "::2", "2001:db8::1",
					   "::ffff:10.0.0.1", "fe80::1" };
	struct sockaddr_in6 sa;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes4) / sizeof(yes4[0]); i++) {
		sa = sa4(yes4[i], 1);
		assert_true(udp_sa_is_loopback(&sa));
	}
	for (i = 0; i < sizeof(no4) / sizeof(no4[0]); i++) {
		sa = sa4(no4[i], 1);
		assert_false(udp_sa_is_loopback(&sa));
	}
	for (i = 0; i < sizeof(yes6) / sizeof(yes6[0]); i++) {
		sa = sa6(yes6[i], 1);
		assert_true(udp_sa_is_loopback(&sa));
	}
	for (i = 0; i < sizeof(no6) / sizeof(no6[0]); i++) {
		sa = sa6(no6[i], 1);
		assert_false(udp_sa_is_loopback(&sa));
	}
}

/**
 * test_ctx() - A context with guest 192.0.2.2 / 2001:db8:1::2, gateway
 * .1 / ::1, and -u 5001:6001
 *
 * Return: context, to be freed
 */
static struct ctx *test_ctx(void)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->ifi4 = c->ifi6 = 2;
	inet_pton(AF_INET, "192.0.2.2", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.gw);
	inet_pton(AF_INET6, "2001:db8:1::2", &c->ip6.addr);
	inet_pton(AF_INET6, "2001:db8:1::1", &c->ip6.gw);
	c->udp_in.delta[5001] = 1000;
	return c;
}

/**
 * test_listen_key4() - IPv4 peers of a forwarded port, as the guest sees
 * them: loopback and our own address become the gateway, the port is
 * translated
 * @state:	Unused
 */
static void test_listen_key4(void **state)
{
	struct in_addr g, gw, r;
	struct udp_flow_key k, want;
	struct sockaddr_in6 sa;
	struct ctx *c = test_ctx();

	(void)state;
	g = c->ip4.addr;
	gw = c->ip4.gw;

	sa = sa6("::ffff:127.0.0.1", 4000);	/* dual-stack socket */
	assert_true(udp_listen_key(c, 5001, &sa, &k));
	udp_flow_key4(&want, g, 6001, gw, 4000);
	assert_memory_equal(&k, &want, sizeof(k));

	sa = sa4("192.0.2.2", 4001);		/* the host's own address */
	assert_true(udp_listen_key(c, 5001, &sa, &k));
	udp_flow_key4(&want, g, 6001, gw, 4001);
	assert_memory_equal(&k, &want, sizeof(k));

	sa = sa4("198.51.100.1", 53);		/* others keep theirs */
	assert_true(udp_listen_key(c, 7000, &sa, &k));
	inet_pton(AF_INET, "198.51.100.1", &r);
	udp_flow_key4(&want, g, 7000, r, 53);
	assert_memory_equal(&k, &want, sizeof(k));

	/* The address seen from the guest wins over the assigned one */
	inet_pton(AF_INET, "192.0.2.77", &c->ip4.addr_seen);
	assert_true(udp_listen_key(c, 7000, &sa, &k));
	udp_flow_key4(&want, c->ip4.addr_seen, 7000, r, 53);
	assert_memory_equal(&k, &want, sizeof(k));

	c->ifi4 = 0;				/* IPv4 disabled */
	assert_false(udp_listen_key(c, 7000, &sa, &k));
	free(c);
}

/**
 * test_listen_key6() - The same for IPv6 peers
 * @state:	Unused
 */
static void test_listen_key6(void **state)
{
	struct udp_flow_key k, want;
	struct sockaddr_in6 sa;
	struct in6_addr r;
	struct ctx *c = test_ctx();

	(void)state;
	sa = sa6("::1", 4000);
	assert_true(udp_listen_key(c, 5001, &sa, &k));
	udp_flow_key6(&want, &c->ip6.addr, 6001, &c->ip6.gw, 4000);
	assert_memory_equal(&k, &want, sizeof(k));

	sa = sa6("2001:db8:2::1", 53);
	assert_true(udp_listen_key(c, 5001, &sa, &k));
	inet_pton(AF_INET6, "2001:db8:2::1", &r);
	udp_flow_key6(&want, &c->ip6.addr, 6001, &r, 53);
	assert_memory_equal(&k, &want, sizeof(k));
	assert_int_equal(k.kind, UDP_KIND_TAP);

	c->ifi6 = 0;
	assert_false(udp_listen_key(c, 5001, &sa, &k));
	free(c);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_listen_key4),
		cmocka_unit_test(test_listen_key6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
