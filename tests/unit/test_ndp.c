// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ndp.c - unit tests for NDP: NS/NA, RS/RA, unsolicited RAs, bad input
 *
 * Replies are captured from a datagram socket pair standing in for the tap
 * device and checked field by field, checksums recomputed independently.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frames6.h"
#include "l2.h"

#define ICMP6_PROTO	58
#define L4OFF		(14 + 40)

static const uint8_t mac_all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };

/**
 * setup() - Fresh context and capture socket for each test
 * @state:	cmocka state, set to a struct f6
 *
 * Return: 0
 */
static int setup(void **state)
{
	*state = f6_new();
	return 0;
}

/**
 * teardown() - Release what setup() allocated
 * @state:	cmocka state
 *
 * Return: 0
 */
static int teardown(void **state)
{
	f6_free(*state);
	return 0;
}

/**
 * feed() - Wrap an ICMPv6 message in a frame and hand it to ndp()
 * @t:		Test state
 * @src:	Source address
 * @dst:	Destination address
 * @hlim:	Hop limit
 * @hbh:	Bytes of hop-by-hop options header (0 or 8)
 * @msg:	ICMPv6 message, checksum filled in here
 * @len:	Message length
 *
 * Return: what ndp() returned
 */
static int feed(struct f6 *t, const char *src, const char *dst, uint8_t hlim,
		size_t hbh, const uint8_t *msg, size_t len)
{
	struct in6_addr s = f6_addr(src), d = f6_addr(dst);
	static uint8_t f[F6_FRAME_MAX];
	size_t flen;

	flen = f6_frame(f, &s, &d, hlim, ICMP6_PROTO, hbh, msg, len,
			len >= 4 ? 2 : -1);
	f6_load(t, f, flen);
	return ndp(t->c, t->p, 0, L4OFF + hbh, &s, &d);
}

/**
 * ns_build() - Build a Neighbour Solicitation
 * @m:		Output, at least 32 bytes
 * @target:	Target address text
 * @slla:	Append a source link-layer address option
 *
 * Return: message length
 */
static size_t ns_build(uint8_t *m, const char *target, bool slla)
{
	struct in6_addr a = f6_addr(target);

	memset(m, 0, 32);
	m[0] = 135;
	memcpy(m + 8, &a, 16);
	if (!slla)
		return 24;
	m[24] = 1;
	m[25] = 1;
	memcpy(m + 26, f6_guest_mac, 6);
	return 32;
}

/**
 * rs_build() - Build a Router Solicitation
 * @m:		Output, at least 16 bytes
 * @slla:	Append a source link-layer address option
 *
 * Return: message length
 */
static size_t rs_build(uint8_t *m, bool slla)
{
	memset(m, 0, 16);
	m[0] = 133;
	if (!slla)
		return 8;
	m[8] = 1;
	m[9] = 1;
	memcpy(m + 10, f6_guest_mac, 6);
	return 16;
}

/**
 * expect_none() - Check that nothing was sent to the guest
 * @t:		Test state
 */
static void expect_none(const struct f6 *t)
{
	static uint8_t f[F6_FRAME_MAX];

	assert_int_equal(f6_recv(t, f), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

/**
 * expect_icmp6() - Receive one frame, check Ethernet, IPv6 and checksum
 * @t:		Test state
 * @f:		Buffer for the frame, F6_FRAME_MAX bytes
 * @dst_mac:	Expected destination MAC address
 * @src:	Expected source address
 * @dst:	Expected destination address
 * @len:	Set to the ICMPv6 message length
 *
 * Return: pointer to the ICMPv6 message in @f
 */
static const uint8_t *expect_icmp6(const struct f6 *t, uint8_t *f,
				   const uint8_t *dst_mac, const char *src,
				   const char *dst, size_t *len)
{
	struct in6_addr s = f6_addr(src), d = f6_addr(dst);
	ssize_t n = f6_recv(t, f);
	size_t plen;

	assert_true(n >= L4OFF + 4);
	assert_memory_equal(f, dst_mac, 6);
	assert_memory_equal(f + 6, f6_our_mac, 6);
	assert_int_equal(f6_get16(f + 12), 0x86dd);
	assert_int_equal(f[14], 0x60);
	assert_int_equal(f[15], 0);
	assert_int_equal(f6_get16(f + 16), 0);
	plen = f6_get16(f + 18);
	assert_int_equal(plen, (size_t)n - L4OFF);
	assert_int_equal(f[20], ICMP6_PROTO);
	assert_int_equal(f[21], 255);
	assert_memory_equal(f + 22, &s, 16);
	assert_memory_equal(f + 38, &d, 16);
	assert_int_equal(f6_l4_csum(f + 22, f + 38, ICMP6_PROTO, f + L4OFF,
				    plen), 0);
	assert_int_equal(f[L4OFF + 1], 0);	/* code */
	*len = plen;
	return f + L4OFF;
}

/**
 * expect_na() - Receive a Neighbour Advertisement and check every field
 * @t:		Test state
 * @target:	Expected target, also the source address
 * @dst:	Expected destination, the solicitor
 */
static void expect_na(const struct f6 *t, const char *target, const char *dst)
{
	struct in6_addr a = f6_addr(target);
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *m;
	size_t len;

	m = expect_icmp6(t, f, f6_guest_mac, target, dst, &len);
	assert_int_equal(len, 32);
	assert_int_equal(m[0], 136);
	assert_int_equal(m[4], 0xe0);		/* R, S, O */
	assert_int_equal(m[5], 0);
	assert_int_equal(f6_get16(m + 6), 0);
	assert_memory_equal(m + 8, &a, 16);
	assert_int_equal(m[24], 2);		/* target link-layer address */
	assert_int_equal(m[25], 1);
	assert_memory_equal(m + 26, f6_our_mac, 6);
	expect_none(t);
}

/**
 * struct ra_opts - where each option of a Router Advertisement is
 * @off:	Offset in the message by option type, 0 if absent
 */
struct ra_opts {
	size_t off[256];
};

/**
 * expect_ra() - Receive a Router Advertisement, check header, index options
 * @t:		Test state
 * @f:		Buffer for the frame, F6_FRAME_MAX bytes
 * @dst_mac:	Expected destination MAC address
 * @dst:	Expected destination address
 * @flags:	Expected M and O flags byte
 * @o:		Option offsets, filled
 *
 * Return: pointer to the message in @f
 */
static const uint8_t *expect_ra(const struct f6 *t, uint8_t *f,
				const uint8_t *dst_mac, const char *dst,
				uint8_t flags, struct ra_opts *o)
{
	const uint8_t *m;
	size_t len, off;

	m = expect_icmp6(t, f, dst_mac, "fe80::1", dst, &len);
	assert_true(len >= 16);
	assert_int_equal(m[0], 134);
	assert_int_equal(m[4], 64);			/* cur hop limit */
	assert_int_equal(m[5], flags);
	assert_int_equal(f6_get16(m + 6), 9000);	/* router lifetime */
	assert_int_equal(f6_get32(m + 8), 0);		/* reachable time */
	assert_int_equal(f6_get32(m + 12), 0);		/* retrans timer */

	memset(o, 0, sizeof(*o));
	for (off = 16; off < len; off += (size_t)m[off + 1] * 8) {
		assert_true(len - off >= 8);
		assert_true(m[off + 1] > 0);
		assert_true((size_t)m[off + 1] * 8 <= len - off);
		assert_int_equal(o->off[m[off]], 0);	/* no duplicates */
		o->off[m[off]] = off;
	}
	assert_int_equal(off, len);

	/* Source link-layer address, always */
	assert_int_not_equal(o->off[1], 0);
	assert_int_equal(m[o->off[1] + 1], 1);
	assert_memory_equal(m + o->off[1] + 2, f6_our_mac, 6);

	/* Prefix information: 2001:db8:1::/64, on-link, autonomous */
	off = o->off[3];
	assert_int_not_equal(off, 0);
	assert_int_equal(m[off + 1], 4);
	assert_int_equal(m[off + 2], 64);
	assert_int_equal(m[off + 3], 0xc0);
	assert_int_equal(f6_get32(m + off + 4), 0xffffffff);
	assert_int_equal(f6_get32(m + off + 8), 0xffffffff);
	assert_int_equal(f6_get32(m + off + 12), 0);
	{
		struct in6_addr pfx = f6_addr("2001:db8:1::");

		assert_memory_equal(m + off + 16, &pfx, 16);
	}
	return m;
}

/**
 * expect_mtu() - Check the MTU option of a Router Advertisement
 * @m:		Message
 * @o:		Option offsets
 * @mtu:	Expected MTU, 0 if the option must be absent
 */
static void expect_mtu(const uint8_t *m, const struct ra_opts *o,
		       uint32_t mtu)
{
	if (!mtu) {
		assert_int_equal(o->off[5], 0);
		return;
	}
	assert_int_not_equal(o->off[5], 0);
	assert_int_equal(m[o->off[5] + 1], 1);
	assert_int_equal(f6_get16(m + o->off[5] + 2), 0);
	assert_int_equal(f6_get32(m + o->off[5] + 4), mtu);
}

/**
 * expect_rdnss() - Check the RDNSS option against the test resolvers
 * @m:		Message
 * @o:		Option offsets
 */
static void expect_rdnss(const uint8_t *m, const struct ra_opts *o)
{
	struct in6_addr a = f6_addr("2001:db8::53");
	struct in6_addr b = f6_addr("2001:db8::5353");
	size_t off = o->off[25];

	assert_int_not_equal(off, 0);
	assert_int_equal(m[off + 1], 5);
	assert_int_equal(f6_get16(m + off + 2), 0);
	assert_int_equal(f6_get32(m + off + 4), 9000);
	assert_memory_equal(m + off + 8, &a, 16);
	assert_memory_equal(m + off + 24, &b, 16);
}

/**
 * expect_dnssl() - Check the DNSSL option against the test search list
 * @m:		Message
 * @o:		Option offsets
 */
static void expect_dnssl(const uint8_t *m, const struct ra_opts *o)
{
	static const uint8_t names[] = "\x07" "example" "\x03" "com" "\x00"
				       "\x01" "a" "\x01" "b" "\x00";
	static const uint8_t pad[6] = { 0 };
	size_t off = o->off[31];

	assert_int_not_equal(off, 0);
	/* 8 + 18 bytes of names, padded to 32 */
	assert_int_equal(m[off + 1], 4);
	assert_int_equal(f6_get16(m + off + 2), 0);
	assert_int_equal(f6_get32(m + off + 4), 9000);
	assert_memory_equal(m + off + 8, names, 18);
	assert_memory_equal(m + off + 26, pad, 6);
}

/**
 * test_ns_gw() - Neighbour Solicitation for the gateway: NA with our MAC
 *                address
 * @state:	cmocka state, a struct f6
 */
static void test_ns_gw(void **state)
{
	struct f6 *t = *state;
	uint8_t m[32];
	size_t len = ns_build(m, "2001:db8:1::1", true);

	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:1",
			      255, 0, m, len), 1);
	expect_na(t, "2001:db8:1::1", "fe80::5054:ff:fe12:3456");
}

/**
 * test_ns_other() - Any other target but the guest's own, link-local too,
 *                   without options
 * @state:	cmocka state, a struct f6
 */
static void test_ns_other(void **state)
{
	struct f6 *t = *state;
	uint8_t m[32];
	size_t len = ns_build(m, "2001:db8:1::77", false);

	assert_int_equal(feed(t, "2001:db8:1::2", "2001:db8:1::77", 255, 0,
			      m, len), 1);
	expect_na(t, "2001:db8:1::77", "2001:db8:1::2");

	len = ns_build(m, "fe80::1", true);
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:1",
			      255, 0, m, len), 1);
	expect_na(t, "fe80::1", "fe80::5054:ff:fe12:3456");
}

/**
 * test_ns_hbh() - Hop-by-hop options header between IPv6 and ICMPv6
 * @state:	cmocka state, a struct f6
 */
static void test_ns_hbh(void **state)
{
	struct f6 *t = *state;
	uint8_t m[32];
	size_t len = ns_build(m, "2001:db8:1::1", true);

	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:1",
			      255, 8, m, len), 1);
	expect_na(t, "2001:db8:1::1", "fe80::5054:ff:fe12:3456");
}

/**
 * test_ns_dad() - Duplicate address detection: from ::, never answered
 * @state:	cmocka state, a struct f6
 */
static void test_ns_dad(void **state)
{
	struct f6 *t = *state;
	uint8_t m[32];
	size_t len = ns_build(m, "2001:db8:1::1234", false);

	assert_int_equal(feed(t, "::", "ff02::1:ff00:1234", 255, 0, m, len),
			 1);
	expect_none(t);
}

/**
 * test_ns_guest() - Solicitations for the guest's own addresses are not
 *                   answered
 * @state:	cmocka state, a struct f6
 */
static void test_ns_guest(void **state)
{
	struct f6 *t = *state;
	uint8_t m[32];
	size_t len;

	t->c->ip6.addr_seen = f6_addr("2001:db8:1::99");

	len = ns_build(m, "2001:db8:1::2", true);
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:2",
			      255, 0, m, len), 1);
	expect_none(t);

	len = ns_build(m, "2001:db8:1::99", true);
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:99",
			      255, 0, m, len), 1);
	expect_none(t);

	len = ns_build(m, "fe80::5054:ff:fe12:3456", true);
	assert_int_equal(feed(t, "2001:db8:1::2", "ff02::1:ff12:3456",
			      255, 0, m, len), 1);
	expect_none(t);
}

/**
 * test_ns_invalid() - Invalid solicitations: hop limit, code, target, options
 * @state:	cmocka state, a struct f6
 */
static void test_ns_invalid(void **state)
{
	struct f6 *t = *state;
	const char *ll = "fe80::5054:ff:fe12:3456";
	uint8_t m[40];
	size_t len;

	len = ns_build(m, "2001:db8:1::1", true);
	assert_int_equal(feed(t, ll, "ff02::1:ff00:1", 64, 0, m, len), 1);
	expect_none(t);

	m[1] = 1;
	assert_int_equal(feed(t, ll, "ff02::1:ff00:1", 255, 0, m, len), 1);
	expect_none(t);

	len = ns_build(m, "ff02::1", true);
	assert_int_equal(feed(t, ll, "ff02::1", 255, 0, m, len), 1);
	expect_none(t);

	len = ns_build(m, "::", true);
	assert_int_equal(feed(t, ll, "ff02::1", 255, 0, m, len), 1);
	expect_none(t);

	len = ns_build(m, "2001:db8:1::1", true);
	m[25] = 0;				/* zero-length option */
	assert_int_equal(feed(t, ll, "ff02::1:ff00:1", 255, 0, m, len), 1);
	expect_none(t);

	m[25] = 2;				/* option past the end */
	assert_int_equal(feed(t, ll, "ff02::1:ff00:1", 255, 0, m, len), 1);
	expect_none(t);

	len = ns_build(m, "2001:db8:1::1", true);
	assert_int_equal(feed(t, "ff02::1", "ff02::1:ff00:1", 255, 0, m, len),
			 1);
	expect_none(t);
}

/**
 * test_no_ndp() - --no-ndp: NDP messages are swallowed, nothing is answered
 * @state:	cmocka state, a struct f6
 */
static void test_no_ndp(void **state)
{
	struct f6 *t = *state;
	uint8_t m[32];
	size_t len;

	t->c->no_ndp = true;
	len = ns_build(m, "2001:db8:1::1", true);
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:1",
			      255, 0, m, len), 1);
	len = rs_build(m, true);
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      m, len), 1);
	expect_none(t);
}

/**
 * test_not_ndp() - Not NDP: echo and errors go to the next handler, NDP types
 *                  don't
 * @state:	cmocka state, a struct f6
 */
static void test_not_ndp(void **state)
{
	static const uint8_t types[] = { 1, 2, 3, 4, 128, 129, 130, 143, 132,
					 138 };
	struct f6 *t = *state;
	uint8_t m[16] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		m[0] = types[i];
		assert_int_equal(feed(t, "2001:db8:1::2", "2001:db8:1::1", 64,
				      0, m, sizeof(m)), 0);
	}
	for (m[0] = 134; m[0] <= 137; m[0]++)
		assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::1",
				      255, 0, m, sizeof(m)), 1);
	expect_none(t);
}

/**
 * test_rs() - Router Solicitation: full RA to the solicitor
 * @state:	cmocka state, a struct f6
 */
static void test_rs(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct ra_opts o;
	const uint8_t *m;
	uint8_t rs[16];
	size_t len = rs_build(rs, true);

	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      rs, len), 1);
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0xc0,
		      &o);
	expect_mtu(m, &o, 65520);
	expect_rdnss(m, &o);
	expect_dnssl(m, &o);
	/* Nothing else: SLLA, MTU, prefix, RDNSS, DNSSL */
	assert_int_equal(f6_get16(f + 18), 16 + 8 + 8 + 32 + 40 + 32);
	expect_none(t);
}

/**
 * test_rs_no_dns() - Resolvers and search list not passed, or empty; no DHCPv6
 * @state:	cmocka state, a struct f6
 */
static void test_rs_no_dns(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct ra_opts o;
	const uint8_t *m;
	uint8_t rs[16];
	size_t len = rs_build(rs, false);

	t->c->dhcp_dns = false;
	t->c->dhcp_search = false;
	t->c->no_dhcpv6 = true;
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      rs, len), 1);
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0, &o);
	expect_mtu(m, &o, 65520);
	assert_int_equal(o.off[25], 0);
	assert_int_equal(o.off[31], 0);
	expect_none(t);

	t->c->dhcp_dns = true;
	t->c->dhcp_search = true;
	t->c->no_dhcpv6 = false;
	memset(t->c->ip6.dns, 0, sizeof(t->c->ip6.dns));
	t->c->dns_search[0][0] = 0;
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      rs, len), 1);
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0xc0,
		      &o);
	assert_int_equal(o.off[25], 0);
	assert_int_equal(o.off[31], 0);
	assert_int_equal(f6_get16(f + 18), 16 + 8 + 8 + 32);
	expect_none(t);
}

/**
 * test_rs_mtu() - MTU option: absent with -m 0 or below the IPv6 minimum
 * @state:	cmocka state, a struct f6
 */
static void test_rs_mtu(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct ra_opts o;
	const uint8_t *m;
	uint8_t rs[16];
	size_t len = rs_build(rs, true);

	t->c->mtu = 0;
	feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0, rs, len);
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0xc0,
		      &o);
	expect_mtu(m, &o, 0);

	t->c->mtu = 1279;
	feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0, rs, len);
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0xc0,
		      &o);
	expect_mtu(m, &o, 0);

	t->c->mtu = 1280;
	feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0, rs, len);
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0xc0,
		      &o);
	expect_mtu(m, &o, 1280);
	expect_none(t);
}

/**
 * test_rs_unspec() - RS from the unspecified address: RA to all nodes; with
 *                    SLLA: invalid
 * @state:	cmocka state, a struct f6
 */
static void test_rs_unspec(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct ra_opts o;
	uint8_t rs[16];
	size_t len = rs_build(rs, false);

	assert_int_equal(feed(t, "::", "ff02::2", 255, 0, rs, len), 1);
	expect_ra(t, f, mac_all_nodes, "ff02::1", 0xc0, &o);
	expect_none(t);

	len = rs_build(rs, true);
	assert_int_equal(feed(t, "::", "ff02::2", 255, 0, rs, len), 1);
	expect_none(t);
}

/**
 * test_rs_ignored() - --no-ra, bad hop limit or code: RS ignored
 * @state:	cmocka state, a struct f6
 */
static void test_rs_ignored(void **state)
{
	struct f6 *t = *state;
	uint8_t rs[16];
	size_t len = rs_build(rs, true);

	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 1, 0,
			      rs, len), 1);
	rs[1] = 3;
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      rs, len), 1);
	expect_none(t);

	len = rs_build(rs, true);
	t->c->no_ra = true;
	assert_int_equal(feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      rs, len), 1);
	expect_none(t);
}

/**
 * test_rs_long_search() - Long search list: DNSSL stays within its 8-bit
 *                         length, names whole
 * @state:	cmocka state, a struct f6
 */
static void test_rs_long_search(void **state)
{
	static const size_t labels[4] = { 63, 63, 63, 61 };
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct ra_opts o;
	const uint8_t *m;
	size_t i, off, olen, pos, names = 0;
	uint8_t rs[16];

	for (i = 0; i < MAXDNSRCH; i++) {
		/* 253 characters, 255 bytes encoded: 8 of them don't fit */
		char *s = t->c->dns_search[i];

		memset(s, 'a' + (int)i, 253);
		s[63] = s[127] = s[191] = '.';
		s[253] = 0;
	}
	t->c->dns_search[MAXDNSRCH][0] = 0;

	feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0, rs,
	     rs_build(rs, false));
	m = expect_ra(t, f, f6_guest_mac, "fe80::5054:ff:fe12:3456", 0xc0,
		      &o);
	off = o.off[31];
	assert_int_not_equal(off, 0);
	olen = (size_t)m[off + 1] * 8;
	assert_int_equal(olen, (2 + 6 + 7 * 255 + 7) / 8 * 8);

	/* Walk the names: four labels, then the root */
	for (pos = off + 8; pos < off + olen && m[pos]; names++) {
		for (i = 0; i < 4; i++) {
			assert_int_equal(m[pos], labels[i]);
			assert_int_equal(m[pos + 1], 'a' + names);
			pos += labels[i] + 1;
		}
		assert_int_equal(m[pos++], 0);
	}
	assert_int_equal(names, 7);
	for (; pos < off + olen; pos++)
		assert_int_equal(m[pos], 0);
	expect_none(t);
}

/**
 * test_truncated() - Truncated NS, RS: frame cut short, or IPv6 length
 *                    agreeing with the cut
 * @state:	cmocka state, a struct f6
 */
static void test_truncated(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	uint8_t m[32], rs[16];
	struct in6_addr s = f6_addr("fe80::5054:ff:fe12:3456");
	struct in6_addr d = f6_addr("ff02::1:ff00:1");
	size_t len = ns_build(m, "2001:db8:1::1", true), flen, n, k;
	uint8_t frame[L4OFF + 32];

	flen = f6_frame(frame, &s, &d, 255, ICMP6_PROTO, 0, m, len, 2);
	for (n = 0; n < flen; n++) {
		f6_load(t, frame, n);
		ndp(t->c, t->p, 0, L4OFF, &s, &d);
		expect_none(t);
	}

	for (k = 0; k <= len; k++) {
		int rc = feed(t, "fe80::5054:ff:fe12:3456", "ff02::1:ff00:1",
			      255, 0, m, k);

		assert_int_equal(rc, k < 2 ? 0 : 1);
		if (k == 24 || k == 32)
			expect_na(t, "2001:db8:1::1",
				  "fe80::5054:ff:fe12:3456");
		else
			expect_none(t);
	}

	len = rs_build(rs, true);
	for (k = 0; k <= len; k++) {
		struct ra_opts o;
		int rc = feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, 0,
			      rs, k);

		assert_int_equal(rc, k < 2 ? 0 : 1);
		if (k == 8 || k == 16)
			expect_ra(t, f, f6_guest_mac,
				  "fe80::5054:ff:fe12:3456", 0xc0, &o);
		expect_none(t);
	}
}

/**
 * test_random() - Random NS and RS bodies and lengths: no crash, at most one
 *                 reply
 * @state:	cmocka state, a struct f6
 */
static void test_random(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	uint8_t m[96];
	unsigned i;

	srandom(42);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)random() % sizeof(m), j;

		for (j = 0; j < len; j++)
			m[j] = (uint8_t)random();
		if (len)
			m[0] = (i & 1) ? 133 : 135;
		if (len > 1 && (i & 2))
			m[1] = 0;
		if (len > 25 && (i & 4))
			m[25] = (uint8_t)(random() % 4);
		feed(t, "fe80::5054:ff:fe12:3456", "ff02::2", 255, i & 8, m,
		     len);
		if (f6_recv(t, f) >= 0)
			expect_none(t);
	}
}

/**
 * test_timer() - Unsolicited RAs: scheduled, not early, initial burst, then
 *                200..600 s
 * @state:	cmocka state, a struct f6
 */
static void test_timer(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct ra_opts o;
	time_t next;
	int i;

	t->c->now.tv_sec = 1000;
	ndp_timer(t->c);
	expect_none(t);
	assert_int_equal(t->c->ra_next.tv_sec, 1001);

	t->c->now.tv_nsec = 999999999;
	ndp_timer(t->c);
	expect_none(t);

	t->c->now.tv_sec = 1001;
	t->c->now.tv_nsec = 0;
	ndp_timer(t->c);
	expect_ra(t, f, mac_all_nodes, "ff02::1", 0xc0, &o);
	expect_none(t);

	for (i = 0; i < 2; i++) {
		next = 1001 + 16 * (i + 1);
		assert_int_equal(t->c->ra_next.tv_sec, next);
		t->c->now.tv_sec = next - 1;
		ndp_timer(t->c);
		expect_none(t);
		t->c->now.tv_sec = next;
		ndp_timer(t->c);
		expect_ra(t, f, mac_all_nodes, "ff02::1", 0xc0, &o);
		expect_none(t);
	}

	for (i = 0; i < 20; i++) {
		next = t->c->ra_next.tv_sec;
		assert_in_range(next - t->c->now.tv_sec, 200, 600);
		t->c->now.tv_sec = next - 1;
		ndp_timer(t->c);
		expect_none(t);
		t->c->now.tv_sec = next;
		ndp_timer(t->c);
		expect_ra(t, f, mac_all_nodes, "ff02::1", 0xc0, &o);
		expect_none(t);
	}
}

/**
 * test_timer_retry() - No guest connected yet: retry every second without
 *                      counting
 * @state:	cmocka state, a struct f6
 */
static void test_timer_retry(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	int fd = t->c->fd_tap;
	struct ra_opts o;

	t->c->now.tv_sec = 50;
	ndp_timer(t->c);
	t->c->fd_tap = -1;
	t->c->now.tv_sec = 51;
	ndp_timer(t->c);
	assert_int_equal(t->c->ra_sent, 0);
	assert_int_equal(t->c->ra_next.tv_sec, 52);

	t->c->fd_tap = fd;
	t->c->now.tv_sec = 52;
	ndp_timer(t->c);
	expect_ra(t, f, mac_all_nodes, "ff02::1", 0xc0, &o);
	assert_int_equal(t->c->ra_sent, 1);
	assert_int_equal(t->c->ra_next.tv_sec, 68);
	expect_none(t);
}

/**
 * test_timer_disabled() - --no-ra, --no-ndp, no IPv6: no unsolicited RA,
 *                         nothing scheduled
 * @state:	cmocka state, a struct f6
 */
static void test_timer_disabled(void **state)
{
	struct f6 *t = *state;
	int i;

	for (i = 0; i < 3; i++) {
		t->c->no_ra = i == 0;
		t->c->no_ndp = i == 1;
		t->c->ifi6 = i == 2 ? 0 : 1;
		t->c->now.tv_sec = 10;
		ndp_timer(t->c);
		t->c->now.tv_sec = 100;
		ndp_timer(t->c);
		expect_none(t);
		assert_int_equal(t->c->ra_next.tv_sec, 0);
	}
}

/**
 * main() - Run the NDP tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ns_gw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_other, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ns_hbh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_dad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_guest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ns_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_ndp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ndp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs_no_dns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rs_mtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs_unspec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rs_ignored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rs_long_search, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_retry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_disabled, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
