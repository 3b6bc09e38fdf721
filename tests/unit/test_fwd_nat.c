// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fwd_nat.c - unit tests for address translation (fwd_nat.c)
 *
 * A context with the topology's addresses (gateway 192.0.2.1 and
 * 2001:db8:1::1, guest 192.0.2.2 and 2001:db8:1::2) goes through each
 * mapping configuration: the default, explicit --map-host-loopback and
 * --map-guest-addr addresses, --no-map-gw and both together, and every
 * destination and source of interest is checked in both directions.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "fwd_nat.h"

/**
 * a4() - Parse an IPv4 address, which must be valid
 * @s:		Address text
 *
 * Return: the address
 */
static struct in_addr a4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/**
 * a6() - Parse an IPv6 address, which must be valid
 * @s:		Address text
 *
 * Return: the address
 */
static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/**
 * ctx_new() - A context with the topology's addresses, nothing mapped
 *
 * Return: new context, to be freed by the caller
 */
static struct ctx *ctx_new(void)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->ip4.gw = a4("192.0.2.1");
	c->ip4.addr = a4("192.0.2.2");
	c->ip6.gw = a6("2001:db8:1::1");
	c->ip6.our_tap_ll = a6("fe80::1");
	c->ip6.addr = a6("2001:db8:1::2");
	return c;
}

/**
 * dst4() - Check the host-side destination for a guest's IPv4 destination
 * @c:		Execution context
 * @in:		Guest's destination
 * @out:	Expected host-side destination
 * @kind:	Expected mapping
 */
static void dst4(const struct ctx *c, const char *in, const char *out,
		 enum fwd_nat_kind kind)
{
	struct in_addr a = a4(in), want = a4(out);

	assert_int_equal(fwd_nat_dst4(c, &a), kind);
	assert_int_equal(a.s_addr, want.s_addr);
}

/**
 * dst6() - Check the host-side destination for a guest's IPv6 destination
 * @c:		Execution context
 * @in:		Guest's destination
 * @out:	Expected host-side destination
 * @kind:	Expected mapping
 */
static void dst6(const struct ctx *c, const char *in, const char *out,
		 enum fwd_nat_kind kind)
{
	struct in6_addr a = a6(in), want = a6(out);

	assert_int_equal(fwd_nat_dst6(c, &a), kind);
	assert_memory_equal(&a, &want, sizeof(a));
}

/**
 * src4() - Check the source the guest sees for a host-side IPv4 source
 * @c:		Execution context
 * @in:		Host-side source
 * @local:	Passed on: @in is one of the host's addresses
 * @out:	Expected source towards the guest
 */
static void src4(const struct ctx *c, const char *in, bool local,
		 const char *out)
{
	struct in_addr a = a4(in), want = a4(out);

	fwd_nat_src4(c, &a, local);
	assert_int_equal(a.s_addr, want.s_addr);
}

/**
 * src6() - Check the source the guest sees for a host-side IPv6 source
 * @c:		Execution context
 * @in:		Host-side source
 * @local:	Passed on: @in is one of the host's addresses
 * @out:	Expected source towards the guest
 */
static void src6(const struct ctx *c, const char *in, bool local,
		 const char *out)
{
	struct in6_addr a = a6(in), want = a6(out);

	fwd_nat_src6(c, &a, local);
	assert_memory_equal(&a, &want, sizeof(a));
}

/**
 * test_default() - The gateway (and our link-local address) is the host
 * @state:	Unused
 */
static void test_default(void **state)
{
	struct ctx *c = ctx_new();

	(void)state;
	dst4(c, "192.0.2.1", "127.0.0.1", FWD_NAT_HOST_LO);
	dst4(c, "192.0.2.99", "192.0.2.99", FWD_NAT_NONE);
	dst4(c, "198.51.100.1", "198.51.100.1", FWD_NAT_NONE);
	dst6(c, "2001:db8:1::1", "::1", FWD_NAT_HOST_LO);
	dst6(c, "fe80::1", "::1", FWD_NAT_HOST_LO);
	dst6(c, "2001:db8:1::99", "2001:db8:1::99", FWD_NAT_NONE);

	src4(c, "127.0.0.1", false, "192.0.2.1");
	src4(c, "127.0.0.2", false, "192.0.2.1");
	src4(c, "192.0.2.2", false, "192.0.2.1");
	src4(c, "192.0.2.3", true, "192.0.2.1");
	src4(c, "192.0.2.3", false, "192.0.2.3");
	src4(c, "198.51.100.1", false, "198.51.100.1");
	src6(c, "::1", false, "2001:db8:1::1");
	src6(c, "2001:db8:1::2", false, "2001:db8:1::1");
	src6(c, "2001:db8:2::1", false, "2001:db8:2::1");

	/* A link-local gateway: our link-local address stands for it */
	c->ip6.gw = c->ip6.our_tap_ll;
	src6(c, "::1", false, "fe80::1");
	dst6(c, "fe80::1", "::1", FWD_NAT_HOST_LO);

	/* No gateway: nothing to map to the host */
	memset(&c->ip4.gw, 0, sizeof(c->ip4.gw));
	memset(&c->ip6.gw, 0, sizeof(c->ip6.gw));
	dst4(c, "192.0.2.1", "192.0.2.1", FWD_NAT_NONE);
	dst6(c, "fe80::1", "fe80::1", FWD_NAT_NONE);
	free(c);
}

/**
 * test_no_map_gw() - --no-map-gw (--map-host-loopback none)
 * @state:	Unused
 */
static void test_no_map_gw(void **state)
{
	struct ctx *c = ctx_new();

	(void)state;
	c->no_map_gw = true;
	dst4(c, "192.0.2.1", "192.0.2.1", FWD_NAT_NONE);
	dst6(c, "2001:db8:1::1", "2001:db8:1::1", FWD_NAT_NONE);
	dst6(c, "fe80::1", "fe80::1", FWD_NAT_NONE);
	/* Loopback sources still need an address the guest can answer */
	src4(c, "127.0.0.1", false, "192.0.2.1");
	src6(c, "::1", false, "2001:db8:1::1");

	/* An explicit address still applies after none */
	c->ip4.map_host_loopback = a4("192.0.2.99");
	dst4(c, "192.0.2.99", "127.0.0.1", FWD_NAT_HOST_LO);
	dst6(c, "2001:db8:1::1", "2001:db8:1::1", FWD_NAT_NONE);
	free(c);
}

/**
 * test_host_loopback() - --map-host-loopback ADDR replaces the gateway
 * @state:	Unused
 */
static void test_host_loopback(void **state)
{
	struct ctx *c = ctx_new();

	(void)state;
	c->ip4.map_host_loopback = a4("192.0.2.99");
	dst4(c, "192.0.2.99", "127.0.0.1", FWD_NAT_HOST_LO);
	dst4(c, "192.0.2.1", "192.0.2.1", FWD_NAT_NONE);
	src4(c, "127.0.0.1", false, "192.0.2.99");
	/* Other local sources keep the gateway */
	src4(c, "192.0.2.2", false, "192.0.2.1");
	/* IPv6 keeps its default */
	dst6(c, "2001:db8:1::1", "::1", FWD_NAT_HOST_LO);
	src6(c, "::1", false, "2001:db8:1::1");

	c->ip6.map_host_loopback = a6("2001:db8:1::99");
	dst6(c, "2001:db8:1::99", "::1", FWD_NAT_HOST_LO);
	dst6(c, "2001:db8:1::1", "2001:db8:1::1", FWD_NAT_NONE);
	dst6(c, "fe80::1", "fe80::1", FWD_NAT_NONE);
	src6(c, "::1", false, "2001:db8:1::99");
	free(c);
}

/**
 * test_guest_addr() - --map-guest-addr ADDR reaches the guest's address
 * @state:	Unused
 */
static void test_guest_addr(void **state)
{
	struct ctx *c = ctx_new();

	(void)state;
	c->ip4.map_guest_addr = a4("169.254.1.2");
	c->ip6.map_guest_addr = a6("2001:db8:1::98");
	dst4(c, "169.254.1.2", "192.0.2.2", FWD_NAT_GUEST_ADDR);
	dst6(c, "2001:db8:1::98", "2001:db8:1::2", FWD_NAT_GUEST_ADDR);
	/* The gateway default is untouched */
	dst4(c, "192.0.2.1", "127.0.0.1", FWD_NAT_HOST_LO);
	dst6(c, "2001:db8:1::1", "::1", FWD_NAT_HOST_LO);

	src4(c, "192.0.2.2", false, "169.254.1.2");
	src4(c, "192.0.2.2", true, "169.254.1.2");
	src6(c, "2001:db8:1::2", false, "2001:db8:1::98");
	src4(c, "127.0.0.1", false, "192.0.2.1");
	src4(c, "192.0.2.3", true, "192.0.2.1");

	/* Both mappings on the same address: loopback comes first */
	c->ip4.map_host_loopback = c->ip4.map_guest_addr;
	dst4(c, "169.254.1.2", "127.0.0.1", FWD_NAT_HOST_LO);

	/* No address for the guest: nothing to map to */
	memset(&c->ip4.addr, 0, sizeof(c->ip4.addr));
	memset(&c->ip4.map_host_loopback, 0, sizeof(c->ip4.addr));
	dst4(c, "169.254.1.2", "169.254.1.2", FWD_NAT_NONE);
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
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_no_map_gw),
		cmocka_unit_test(test_host_loopback),
		cmocka_unit_test(test_guest_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
