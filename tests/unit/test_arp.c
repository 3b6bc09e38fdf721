// SPDX-License-Identifier: GPL-2.0-or-later
/* test_arp.c - unit tests for arp(): which requests get a reply, and its bytes
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "frames.h"
#include "l2.h"

#define ARP_LEN		28
#define ARP_FRAME_LEN	(ETH_HLEN_ + ARP_LEN)

static const uint8_t req_mac[ETH_ALEN_] = { 0x52, 0x54, 0x00, 0xaa, 0xbb,
					    0xcc };

/**
 * arp_frame() - Build an ARP frame from the guest
 * @f:		Output, ARP_FRAME_LEN bytes
 * @op:		Opcode
 * @spa:	Sender protocol address, dotted quad
 * @tpa:	Target protocol address, dotted quad
 */
static void arp_frame(uint8_t *f, uint16_t op, const char *spa,
		      const char *tpa)
{
	static const uint8_t bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff };
	uint8_t *a = f + ETH_HLEN_;

	frames_eth(f, bcast, req_mac, 0x0806);
	a[0] = 0;
	a[1] = 1;		/* Ethernet */
	a[2] = 0x08;
	a[3] = 0x00;		/* IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[6] = (uint8_t)(op >> 8);
	a[7] = (uint8_t)op;
	memcpy(a + 8, req_mac, ETH_ALEN_);
	assert_int_equal(inet_pton(AF_INET, spa, a + 14), 1);
	memset(a + 18, 0, ETH_ALEN_);
	assert_int_equal(inet_pton(AF_INET, tpa, a + 24), 1);
}

/**
 * arp_run() - Pass a frame to arp(), which must consume it
 * @e:		Environment
 * @f:		Frame
 * @len:	Frame length
 */
static void arp_run(const struct frames_env *e, const uint8_t *f, size_t len)
{
	struct pool *p = frames_pool(f, len);

	assert_int_equal(arp(e->c, p, 0, ETH_HLEN_), 1);
	frames_pool_free(p);
}

/**
 * arp_assert_silent() - Check that nothing was sent
 * @e:		Environment
 */
static void arp_assert_silent(const struct frames_env *e)
{
	uint8_t buf[256];

	assert_int_equal(frames_recv(e, buf, sizeof(buf)), -1);
}

/**
 * arp_assert_reply() - Read the reply claiming an address, check each field
 * @e:		Environment
 * @spa:	Address the request came from
 * @tpa:	Address asked about
 */
static void arp_assert_reply(const struct frames_env *e, const char *spa,
			     const char *tpa)
{
	uint8_t buf[256], addr[4];
	const uint8_t *a = buf + ETH_HLEN_;
	ssize_t n = frames_recv(e, buf, sizeof(buf));

	assert_int_equal(n, ARP_FRAME_LEN);
	assert_memory_equal(buf, req_mac, ETH_ALEN_);
	assert_memory_equal(buf + ETH_ALEN_, e->c->our_mac, ETH_ALEN_);
	assert_int_equal(buf[12] << 8 | buf[13], 0x0806);

	assert_int_equal(a[0] << 8 | a[1], 1);
	assert_int_equal(a[2] << 8 | a[3], 0x0800);
	assert_int_equal(a[4], 6);
	assert_int_equal(a[5], 4);
	assert_int_equal(a[6] << 8 | a[7], 2);		/* reply */
	assert_memory_equal(a + 8, e->c->our_mac, ETH_ALEN_);
	assert_int_equal(inet_pton(AF_INET, tpa, addr), 1);
	assert_memory_equal(a + 14, addr, 4);
	assert_memory_equal(a + 18, req_mac, ETH_ALEN_);
	assert_int_equal(inet_pton(AF_INET, spa, addr), 1);
	assert_memory_equal(a + 24, addr, 4);

	arp_assert_silent(e);
}

/**
 * setup() - Fresh environment for each test
 * @state:	cmocka state, set to the environment
 *
 * Return: 0
 */
static int setup(void **state)
{
	*state = frames_env_new();
	return 0;
}

/**
 * teardown() - Free the environment of a test
 * @state:	cmocka state
 *
 * Return: 0
 */
static int teardown(void **state)
{
	frames_env_free(*state);
	return 0;
}

/**
 * test_request_gw() - A request for the gateway gets our MAC address
 * @state:	Environment
 */
static void test_request_gw(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
	arp_run(e, f, sizeof(f));
	arp_assert_reply(e, "192.0.2.2", "192.0.2.1");
}

/**
 * test_request_any() - Any other address is claimed too, even off-link
 * @state:	Environment
 */
static void test_request_any(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	arp_frame(f, 1, "192.0.2.2", "192.0.2.77");
	arp_run(e, f, sizeof(f));
	arp_assert_reply(e, "192.0.2.2", "192.0.2.77");

	arp_frame(f, 1, "192.0.2.2", "203.0.113.9");
	arp_run(e, f, sizeof(f));
	arp_assert_reply(e, "192.0.2.2", "203.0.113.9");
}

/**
 * test_request_trailer() - Ethernet padding after the request is ignored
 * @state:	Environment
 */
static void test_request_trailer(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[60] = { 0 };

	arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
	arp_run(e, f, sizeof(f));
	arp_assert_reply(e, "192.0.2.2", "192.0.2.1");
}

/**
 * test_request_own() - Requests for the guest's own addresses get nothing
 * @state:	Environment
 */
static void test_request_own(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	arp_frame(f, 1, "192.0.2.1", "192.0.2.2");
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);

	inet_pton(AF_INET, "192.0.2.99", &e->c->ip4.addr_seen);
	arp_frame(f, 1, "192.0.2.2", "192.0.2.99");
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);
}

/**
 * test_probe_announce() - Probes and gratuitous ARP get nothing
 * @state:	Environment
 */
static void test_probe_announce(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	arp_frame(f, 1, "0.0.0.0", "192.0.2.1");	/* RFC 5227 probe */
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);

	arp_frame(f, 1, "192.0.2.7", "192.0.2.7");	/* announcement */
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);

	arp_frame(f, 1, "192.0.2.2", "0.0.0.0");
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);

	arp_frame(f, 1, "192.0.2.2", "255.255.255.255");
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);
}

/**
 * test_not_request() - Replies and other opcodes are ignored
 * @state:	Environment
 */
static void test_not_request(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	arp_frame(f, 2, "192.0.2.2", "192.0.2.1");
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);

	arp_frame(f, 3, "192.0.2.2", "192.0.2.1");	/* RARP request */
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);
}

/**
 * test_not_ether_ipv4() - Other hardware or protocol types are ignored
 * @state:	Environment
 */
static void test_not_ether_ipv4(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];
	size_t i;

	/* htype, ptype (two bytes), hlen, plen: break one at a time */
	for (i = 1; i <= 5; i++) {
		arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
		f[ETH_HLEN_ + i] ^= 0x10;
		arp_run(e, f, sizeof(f));
		arp_assert_silent(e);
	}
}

/**
 * test_multicast_sender() - A multicast sender MAC gets no reply
 * @state:	Environment
 */
static void test_multicast_sender(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
	f[ETH_HLEN_ + 8] |= 1;
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);
}

/**
 * test_no_ipv4() - With IPv4 disabled, nothing is answered
 * @state:	Environment
 */
static void test_no_ipv4(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];

	e->c->ifi4 = 0;
	arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
	arp_run(e, f, sizeof(f));
	arp_assert_silent(e);
}

/**
 * test_truncated() - Requests cut at any length are consumed silently
 * @state:	Environment
 */
static void test_truncated(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];
	size_t len;

	arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
	for (len = 0; len < sizeof(f); len++) {
		arp_run(e, f, len);
		arp_assert_silent(e);
	}
	arp_run(e, f, sizeof(f));
	arp_assert_reply(e, "192.0.2.2", "192.0.2.1");
}

/**
 * test_bad_index() - An index outside the pool is consumed silently
 * @state:	Environment
 */
static void test_bad_index(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ARP_FRAME_LEN];
	struct pool *p;

	arp_frame(f, 1, "192.0.2.2", "192.0.2.1");
	p = frames_pool(f, sizeof(f));
	assert_int_equal(arp(e->c, p, 1, ETH_HLEN_), 1);
	assert_int_equal(arp(e->c, p, 0, SIZE_MAX), 1);
	frames_pool_free(p);
	arp_assert_silent(e);
}

/**
 * main() - Run the ARP tests
 *
 * Return: cmocka's result, 0 if all passed
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_gw, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_any, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_trailer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_own, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_announce, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_ether_ipv4, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multicast_sender, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_ipv4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_index, setup,
						teardown),
	};
	struct log_ctx log;

	frames_log_setup(&log);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
