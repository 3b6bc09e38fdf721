// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dhcpv6.c - unit tests for the DHCPv6 server: exchanges and bad input
 *
 * Replies are captured from a datagram socket pair standing in for the tap
 * device and checked field by field, UDP checksums recomputed independently.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frames6.h"
#include "l2.h"

#define UDP_PROTO	17
#define L4OFF		(14 + 40)
#define CLIENT_LL	"fe80::5054:ff:fe12:3456"

/* Message types and options, RFC 8415 */
#define SOLICIT		1
#define ADVERTISE	2
#define REQUEST		3
#define CONFIRM		4
#define RENEW		5
#define REBIND		6
#define REPLY		7
#define RELEASE		8
#define DECLINE		9
#define INFO_REQ	11

#define O_CLIENTID	1
#define O_SERVERID	2
#define O_IA_NA		3
#define O_IA_TA		4
#define O_IAADDR	5
#define O_ORO		6
#define O_PREFERENCE	7
#define O_ELAPSED	8
#define O_STATUS	13
#define O_RAPID		14
#define O_DNS		23
#define O_DOMAINS	24
#define O_IA_PD		25
#define O_MAX		64

/* Client DUID-LLT */
static const uint8_t duid_client[14] = {
	0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56
};

static const uint8_t iaid[4] = { 0x11, 0x22, 0x33, 0x44 };

/**
 * struct msg - a client message being built
 * @b:		Bytes
 * @len:	Length
 */
struct msg {
	uint8_t b[4096];
	size_t len;
};

/**
 * struct opts - where each top-level option of a reply is
 * @off:	Offset of the option data by code, 0 if absent
 * @len:	Length of the option data by code
 */
struct opts {
	size_t off[O_MAX];
	size_t len[O_MAX];
};

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
 * m_start() - Start a client message, transaction ID abcdef
 * @m:		Message
 * @type:	Message type
 */
static void m_start(struct msg *m, uint8_t type)
{
	m->b[0] = type;
	m->b[1] = 0xab;
	m->b[2] = 0xcd;
	m->b[3] = 0xef;
	m->len = 4;
}

/**
 * put_opt() - Append an option to a buffer
 * @b:		Buffer
 * @len:	Bytes used, updated
 * @code:	Option code
 * @d:		Data
 * @dlen:	Length of @d
 */
static void put_opt(uint8_t *b, size_t *len, uint16_t code, const void *d,
		    size_t dlen)
{
	b[*len] = (uint8_t)(code >> 8);
	b[*len + 1] = (uint8_t)code;
	b[*len + 2] = (uint8_t)(dlen >> 8);
	b[*len + 3] = (uint8_t)dlen;
	if (dlen)
		memcpy(b + *len + 4, d, dlen);
	*len += 4 + dlen;
}

/**
 * m_opt() - Append an option to a client message
 * @m:		Message
 * @code:	Option code
 * @d:		Data
 * @dlen:	Length of @d
 */
static void m_opt(struct msg *m, uint16_t code, const void *d, size_t dlen)
{
	put_opt(m->b, &m->len, code, d, dlen);
}

/**
 * m_ia_na() - Append an IA_NA with optional IA Address options
 * @m:		Message
 * @addrs:	Addresses, NULL terminated, or NULL
 */
static void m_ia_na(struct msg *m, const char *const *addrs)
{
	uint8_t ia[512] = { 0 };
	size_t len = 12;

	memcpy(ia, iaid, 4);
	ia[7] = 100;		/* T1, T2: whatever the client suggests */
	ia[11] = 200;
	while (addrs && *addrs) {
		uint8_t a[24] = { 0 };
		struct in6_addr x = f6_addr(*addrs++);

		memcpy(a, &x, 16);
		a[19] = 7;
		a[23] = 9;
		put_opt(ia, &len, O_IAADDR, a, sizeof(a));
	}
	m_opt(m, O_IA_NA, ia, len);
}

/**
 * m_serverid() - Append a Server Identifier option, ours
 * @m:		Message
 */
static void m_serverid(struct msg *m)
{
	uint8_t d[10] = { 0, 3, 0, 1 };

	memcpy(d + 4, f6_our_mac, 6);
	m_opt(m, O_SERVERID, d, sizeof(d));
}

/**
 * m_common() - Append client ID, elapsed time and ORO (23, 24)
 * @m:		Message
 */
static void m_common(struct msg *m)
{
	static const uint8_t oro[4] = { 0, O_DNS, 0, O_DOMAINS };
	static const uint8_t elapsed[2] = { 0, 0 };

	m_opt(m, O_CLIENTID, duid_client, sizeof(duid_client));
	m_opt(m, O_ELAPSED, elapsed, sizeof(elapsed));
	m_opt(m, O_ORO, oro, sizeof(oro));
}

/**
 * feed_raw() - Wrap a DHCPv6 message in UDP and IPv6 and hand it over
 * @t:		Test state
 * @b:		Message
 * @len:	Message length
 * @dport:	Destination port
 * @ulen_adj:	Added to the correct UDP length field value
 *
 * Return: what dhcpv6() returned
 */
static int feed_raw(struct f6 *t, const uint8_t *b, size_t len,
		    uint16_t dport, int ulen_adj)
{
	struct in6_addr s = f6_addr(CLIENT_LL), d = f6_addr("ff02::1:2");
	static uint8_t udp[F6_FRAME_MAX], f[F6_FRAME_MAX];
	size_t flen, ulen = 8 + len;

	udp[0] = 546 >> 8;
	udp[1] = 546 & 0xff;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)((ulen + (size_t)ulen_adj) >> 8);
	udp[5] = (uint8_t)(ulen + (size_t)ulen_adj);
	memcpy(udp + 8, b, len);
	flen = f6_frame(f, &s, &d, 1, UDP_PROTO, 0, udp, ulen, 6);
	f6_load(t, f, flen);
	return dhcpv6(t->c, t->p, 0, L4OFF, &s, &d);
}

/**
 * feed() - Hand a client message to dhcpv6(), expecting it to be taken
 * @t:		Test state
 * @m:		Message
 */
static void feed(struct f6 *t, const struct msg *m)
{
	assert_int_equal(feed_raw(t, m->b, m->len, 547, 0), 1);
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
 * expect_reply() - Receive a reply, check headers, index its options
 * @t:		Test state
 * @f:		Buffer for the frame, F6_FRAME_MAX bytes
 * @type:	Expected message type
 * @o:		Option offsets and lengths, filled
 *
 * Return: pointer to the DHCPv6 message in @f
 */
static const uint8_t *expect_reply(const struct f6 *t, uint8_t *f,
				   uint8_t type, struct opts *o)
{
	struct in6_addr s = f6_addr("fe80::1"), d = f6_addr(CLIENT_LL);
	ssize_t n = f6_recv(t, f);
	const uint8_t *u = f + L4OFF, *m = u + 8;
	size_t plen, len, off;

	assert_true(n >= L4OFF + 8 + 4);
	assert_memory_equal(f, f6_guest_mac, 6);
	assert_memory_equal(f + 6, f6_our_mac, 6);
	assert_int_equal(f6_get16(f + 12), 0x86dd);
	assert_int_equal(f[14], 0x60);
	plen = f6_get16(f + 18);
	assert_int_equal(plen, (size_t)n - L4OFF);
	assert_int_equal(f[20], UDP_PROTO);
	assert_int_equal(f[21], 255);
	assert_memory_equal(f + 22, &s, 16);
	assert_memory_equal(f + 38, &d, 16);

	assert_int_equal(f6_get16(u), 547);
	assert_int_equal(f6_get16(u + 2), 546);
	assert_int_equal(f6_get16(u + 4), plen);
	assert_int_not_equal(f6_get16(u + 6), 0);
	assert_int_equal(f6_l4_csum(f + 22, f + 38, UDP_PROTO, u, plen), 0);

	assert_int_equal(m[0], type);
	assert_int_equal(m[1], 0xab);
	assert_int_equal(m[2], 0xcd);
	assert_int_equal(m[3], 0xef);

	len = plen - 8;
	memset(o, 0, sizeof(*o));
	for (off = 4; off < len; off += 4 + f6_get16(m + off + 2)) {
		uint16_t code = f6_get16(m + off);

		assert_true(len - off >= 4);
		assert_true(f6_get16(m + off + 2) <= len - off - 4);
		assert_true(code < O_MAX);
		assert_int_equal(o->off[code], 0);	/* no duplicates */
		o->off[code] = off + 4;
		o->len[code] = f6_get16(m + off + 2);
	}
	assert_int_equal(off, len);

	/* Identifiers: client's echoed, ours a DUID-LL from our MAC */
	assert_int_equal(o->len[O_CLIENTID], sizeof(duid_client));
	assert_memory_equal(m + o->off[O_CLIENTID], duid_client,
			    sizeof(duid_client));
	assert_int_equal(o->len[O_SERVERID], 10);
	assert_int_equal(f6_get16(m + o->off[O_SERVERID]), 3);
	assert_int_equal(f6_get16(m + o->off[O_SERVERID] + 2), 1);
	assert_memory_equal(m + o->off[O_SERVERID] + 4, f6_our_mac, 6);
	return m;
}

/**
 * expect_dns() - Check resolvers and search list options
 * @m:		Message
 * @o:		Option offsets
 */
static void expect_dns(const uint8_t *m, const struct opts *o)
{
	static const uint8_t names[] = "\x07" "example" "\x03" "com" "\x00"
				       "\x01" "a" "\x01" "b" "\x00";
	struct in6_addr a = f6_addr("2001:db8::53");
	struct in6_addr b = f6_addr("2001:db8::5353");

	assert_int_equal(o->len[O_DNS], 32);
	assert_memory_equal(m + o->off[O_DNS], &a, 16);
	assert_memory_equal(m + o->off[O_DNS] + 16, &b, 16);
	assert_int_equal(o->len[O_DOMAINS], 18);
	assert_memory_equal(m + o->off[O_DOMAINS], names, 18);
}

/**
 * expect_ia_na() - Check the IA_NA of a reply: our address, stale ones
 * @m:		Message
 * @o:		Option offsets
 * @stale:	Addresses expected with zero lifetimes, NULL terminated
 */
static void expect_ia_na(const uint8_t *m, const struct opts *o,
			 const char *const *stale)
{
	struct in6_addr a = f6_addr("2001:db8:1::2");
	const uint8_t *ia = m + o->off[O_IA_NA];
	size_t n = 0, off;

	while (stale && stale[n])
		n++;
	assert_int_not_equal(o->off[O_IA_NA], 0);
	assert_int_equal(o->len[O_IA_NA], 12 + 28 * (1 + n));
	assert_memory_equal(ia, iaid, 4);
	assert_int_equal(f6_get32(ia + 4), 0xffffffff);
	assert_int_equal(f6_get32(ia + 8), 0xffffffff);

	assert_int_equal(f6_get16(ia + 12), O_IAADDR);
	assert_int_equal(f6_get16(ia + 14), 24);
	assert_memory_equal(ia + 16, &a, 16);
	assert_int_equal(f6_get32(ia + 32), 0xffffffff);
	assert_int_equal(f6_get32(ia + 36), 0xffffffff);

	for (off = 40, n = 0; stale && stale[n]; n++, off += 28) {
		struct in6_addr s = f6_addr(stale[n]);

		assert_int_equal(f6_get16(ia + off), O_IAADDR);
		assert_int_equal(f6_get16(ia + off + 2), 24);
		assert_memory_equal(ia + off + 4, &s, 16);
		assert_int_equal(f6_get32(ia + off + 20), 0);
		assert_int_equal(f6_get32(ia + off + 24), 0);
	}
}

/**
 * expect_status() - Check a top-level Status Code option
 * @m:		Message
 * @o:		Option offsets
 * @code:	Expected status code
 */
static void expect_status(const uint8_t *m, const struct opts *o,
			  uint16_t code)
{
	assert_int_not_equal(o->off[O_STATUS], 0);
	assert_true(o->len[O_STATUS] >= 2);
	assert_int_equal(f6_get16(m + o->off[O_STATUS]), code);
}

/**
 * test_solicit() - SOLICIT: ADVERTISE with preference, address, resolvers,
 *                  search list
 * @state:	cmocka state, a struct f6
 */
static void test_solicit(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r;
	struct opts o;
	struct msg m;

	m_start(&m, SOLICIT);
	m_common(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);

	r = expect_reply(t, f, ADVERTISE, &o);
	assert_int_equal(o.len[O_PREFERENCE], 1);
	assert_int_equal(r[o.off[O_PREFERENCE]], 255);
	assert_int_equal(o.off[O_RAPID], 0);
	assert_int_equal(o.off[O_STATUS], 0);
	expect_ia_na(r, &o, NULL);
	expect_dns(r, &o);
	expect_none(t);
}

/**
 * test_solicit_rapid() - SOLICIT with Rapid Commit: REPLY carrying Rapid
 *                        Commit
 * @state:	cmocka state, a struct f6
 */
static void test_solicit_rapid(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r;
	struct opts o;
	struct msg m;

	m_start(&m, SOLICIT);
	m_common(&m);
	m_opt(&m, O_RAPID, NULL, 0);
	/* Stale addresses are not zeroed in answers to SOLICIT */
	m_ia_na(&m, (const char *const[]){ "2001:db8:9::9", NULL });
	feed(t, &m);

	r = expect_reply(t, f, REPLY, &o);
	assert_int_not_equal(o.off[O_RAPID], 0);
	assert_int_equal(o.len[O_RAPID], 0);
	assert_int_equal(o.off[O_PREFERENCE], 0);
	expect_ia_na(r, &o, NULL);
	expect_dns(r, &o);
	expect_none(t);
}

/**
 * test_solicit_invalid() - SOLICIT without client ID, or with a server ID:
 *                          discarded
 * @state:	cmocka state, a struct f6
 */
static void test_solicit_invalid(void **state)
{
	struct f6 *t = *state;
	struct msg m;

	m_start(&m, SOLICIT);
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);

	m_start(&m, SOLICIT);
	m_common(&m);
	m_serverid(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);
}

/**
 * test_request() - REQUEST, RENEW, REBIND: REPLY with the address, others
 *                  zeroed
 * @state:	cmocka state, a struct f6
 */
static void test_request(void **state)
{
	static const char *const stale[] = { "2001:db8:7::7", NULL };
	static const uint8_t types[] = { REQUEST, RENEW, REBIND };
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r;
	struct opts o;
	struct msg m;
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		m_start(&m, types[i]);
		m_common(&m);
		if (types[i] != REBIND)
			m_serverid(&m);
		m_ia_na(&m, (const char *const[]){ "2001:db8:1::2",
						   "2001:db8:7::7", NULL });
		feed(t, &m);

		r = expect_reply(t, f, REPLY, &o);
		expect_ia_na(r, &o, stale);
		expect_dns(r, &o);
		assert_int_equal(o.off[O_STATUS], 0);
		assert_int_equal(o.off[O_PREFERENCE], 0);
		assert_int_equal(o.off[O_RAPID], 0);
		expect_none(t);
	}
}

/**
 * test_request_serverid() - REQUEST and RENEW need our server ID; REBIND must
 *                           not have one
 * @state:	cmocka state, a struct f6
 */
static void test_request_serverid(void **state)
{
	static const uint8_t other[10] = { 0, 3, 0, 1, 1, 2, 3, 4, 5, 6 };
	struct f6 *t = *state;
	struct msg m;

	m_start(&m, REQUEST);
	m_common(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);

	m_start(&m, RENEW);
	m_common(&m);
	m_opt(&m, O_SERVERID, other, sizeof(other));
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);

	m_start(&m, REQUEST);
	m_common(&m);
	m_opt(&m, O_SERVERID, other, 9);
	feed(t, &m);
	expect_none(t);

	m_start(&m, REBIND);
	m_common(&m);
	m_serverid(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);

	m_start(&m, REQUEST);
	m_serverid(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);
}

/**
 * test_request_noaddr() - No address configured: IA_NA with NoAddrsAvail
 * @state:	cmocka state, a struct f6
 */
static void test_request_noaddr(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r, *ia;
	struct opts o;
	struct msg m;

	memset(&t->c->ip6.addr, 0, sizeof(t->c->ip6.addr));
	m_start(&m, REQUEST);
	m_common(&m);
	m_serverid(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);

	r = expect_reply(t, f, REPLY, &o);
	ia = r + o.off[O_IA_NA];
	assert_true(o.len[O_IA_NA] >= 12 + 6);
	assert_memory_equal(ia, iaid, 4);
	assert_int_equal(f6_get32(ia + 4), 0);
	assert_int_equal(f6_get32(ia + 8), 0);
	assert_int_equal(f6_get16(ia + 12), O_STATUS);
	assert_int_equal(f6_get16(ia + 14), o.len[O_IA_NA] - 16);
	assert_int_equal(f6_get16(ia + 16), 2);		/* NoAddrsAvail */
	expect_none(t);
}

/**
 * test_info_request() - INFORMATION-REQUEST: identifiers, resolvers, search
 *                       list, nothing else
 * @state:	cmocka state, a struct f6
 */
static void test_info_request(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r;
	struct opts o;
	struct msg m;
	size_t i;

	m_start(&m, INFO_REQ);
	m_common(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);

	r = expect_reply(t, f, REPLY, &o);
	expect_dns(r, &o);
	for (i = 0; i < O_MAX; i++) {
		if (i != O_CLIENTID && i != O_SERVERID && i != O_DNS &&
		    i != O_DOMAINS)
			assert_int_equal(o.off[i], 0);
	}
	expect_none(t);

	/* Resolvers and search list not passed: identifiers only */
	t->c->dhcp_dns = false;
	t->c->dhcp_search = false;
	feed(t, &m);
	expect_reply(t, f, REPLY, &o);
	assert_int_equal(o.off[O_DNS], 0);
	assert_int_equal(o.off[O_DOMAINS], 0);
	expect_none(t);
}

/**
 * test_confirm() - CONFIRM: Success for our address, NotOnLink otherwise,
 *                  none: silent
 * @state:	cmocka state, a struct f6
 */
static void test_confirm(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r;
	struct opts o;
	struct msg m;

	m_start(&m, CONFIRM);
	m_common(&m);
	m_ia_na(&m, (const char *const[]){ "2001:db8:1::2", NULL });
	feed(t, &m);
	r = expect_reply(t, f, REPLY, &o);
	expect_status(r, &o, 0);
	assert_int_equal(o.off[O_IA_NA], 0);
	expect_none(t);

	m_start(&m, CONFIRM);
	m_common(&m);
	m_ia_na(&m, (const char *const[]){ "2001:db8:1::2", NULL });
	m_ia_na(&m, (const char *const[]){ "2001:db8:2::2", NULL });
	feed(t, &m);
	r = expect_reply(t, f, REPLY, &o);
	expect_status(r, &o, 4);
	expect_none(t);

	m_start(&m, CONFIRM);
	m_common(&m);
	m_ia_na(&m, NULL);
	feed(t, &m);
	expect_none(t);
}

/**
 * test_release() - RELEASE, DECLINE: REPLY with Success, our server ID
 *                  required
 * @state:	cmocka state, a struct f6
 */
static void test_release(void **state)
{
	static const uint8_t types[] = { RELEASE, DECLINE };
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	const uint8_t *r;
	struct opts o;
	struct msg m;
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		m_start(&m, types[i]);
		m_common(&m);
		m_serverid(&m);
		m_ia_na(&m, (const char *const[]){ "2001:db8:1::2", NULL });
		feed(t, &m);
		r = expect_reply(t, f, REPLY, &o);
		expect_status(r, &o, 0);
		assert_int_equal(o.off[O_IA_NA], 0);
		expect_none(t);

		m_start(&m, types[i]);
		m_common(&m);
		feed(t, &m);
		expect_none(t);
	}
}

/**
 * test_not_ours() - Other ports are not ours; --no-dhcpv6 swallows; server
 *                   messages dropped
 * @state:	cmocka state, a struct f6
 */
static void test_not_ours(void **state)
{
	static const uint8_t types[] = { 0, ADVERTISE, REPLY, 10, 12, 13,
					 200 };
	struct f6 *t = *state;
	struct msg m;
	size_t i;

	m_start(&m, SOLICIT);
	m_common(&m);
	assert_int_equal(feed_raw(t, m.b, m.len, 53, 0), 0);
	assert_int_equal(feed_raw(t, m.b, m.len, 546, 0), 0);
	expect_none(t);

	for (i = 0; i < sizeof(types); i++) {
		m.b[0] = types[i];
		feed(t, &m);
		expect_none(t);
	}

	m.b[0] = SOLICIT;
	t->c->no_dhcpv6 = true;
	feed(t, &m);
	expect_none(t);
}

/**
 * test_truncated() - Truncated everywhere: frame cut, and UDP length agreeing
 *                    with the cut
 * @state:	cmocka state, a struct f6
 */
static void test_truncated(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct in6_addr s = f6_addr(CLIENT_LL), d = f6_addr("ff02::1:2");
	static uint8_t frame[F6_FRAME_MAX];
	size_t flen, n;
	struct opts o;
	struct msg m;

	m_start(&m, REQUEST);
	m_common(&m);
	m_serverid(&m);
	m_ia_na(&m, (const char *const[]){ "2001:db8:1::2", NULL });

	feed(t, &m);
	expect_reply(t, f, REPLY, &o);
	assert_int_equal(f6_recv(t, frame), -1);

	/* The frame just fed is still in the pool: cut it short */
	flen = packet_len(t->p, 0);
	memcpy(frame, t->buf + TAP_FRAME_ALIGN_OFF, flen);
	for (n = 0; n < flen; n++) {
		f6_load(t, frame, n);
		dhcpv6(t->c, t->p, 0, L4OFF, &s, &d);
		expect_none(t);
	}

	/* Consistent lengths, message cut: only whole-option cuts may pass,
	 * and then without the options cut away
	 */
	for (n = 0; n < m.len; n++) {
		assert_int_equal(feed_raw(t, m.b, n, 547, 0), 1);
		while (f6_recv(t, f) >= 0)
			;
	}

	/* Trailing bytes after the IPv6 payload: ignored, but the UDP length
	 * must not reach into them
	 */
	feed(t, &m);
	expect_reply(t, f, REPLY, &o);
	flen = packet_len(t->p, 0);
	memcpy(frame, t->buf + TAP_FRAME_ALIGN_OFF, flen);
	memset(frame + flen, 0, 4);
	f6_load(t, frame, flen + 4);
	assert_int_equal(dhcpv6(t->c, t->p, 0, L4OFF, &s, &d), 1);
	expect_reply(t, f, REPLY, &o);
	frame[L4OFF + 5] += 4;
	f6_load(t, frame, flen + 4);
	assert_int_equal(dhcpv6(t->c, t->p, 0, L4OFF, &s, &d), 1);
	expect_none(t);

	/* UDP length longer than the frame, or shorter than its header */
	assert_int_equal(feed_raw(t, m.b, m.len, 547, 1), 1);
	expect_none(t);
	assert_int_equal(feed_raw(t, m.b, m.len, 547, -(int)m.len - 1), 1);
	expect_none(t);
}

/**
 * test_lying_lengths() - Option lengths lying, at the top level and nested in
 *                        IA_NA
 * @state:	cmocka state, a struct f6
 */
static void test_lying_lengths(void **state)
{
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	size_t ia_off, addr_off, cid_off, sid_off, len;
	uint8_t ia[64] = { 0 };
	struct opts o;
	struct msg m, bad;

	/* Base: IA_NA first, so that nested errors don't leak to the end */
	m_start(&m, REQUEST);
	ia_off = m.len;
	m_ia_na(&m, (const char *const[]){ "2001:db8:1::2", NULL });
	addr_off = ia_off + 4 + 12;
	cid_off = m.len;
	m_common(&m);
	sid_off = m.len;
	m_serverid(&m);

	feed(t, &m);
	expect_reply(t, f, REPLY, &o);
	expect_ia_na(f + L4OFF + 8, &o, NULL);

	/* Last option overruns the message by one */
	bad = m;
	bad.b[sid_off + 3]++;
	feed(t, &bad);
	expect_none(t);

	/* Client ID overruns everything */
	bad = m;
	bad.b[cid_off + 2] = 0xff;
	bad.b[cid_off + 3] = 0xff;
	feed(t, &bad);
	expect_none(t);

	/* Nested IA Address one byte longer than the IA_NA holding it */
	bad = m;
	bad.b[addr_off + 3] = 25;
	feed(t, &bad);
	expect_none(t);

	/* Nested IA Address claiming less than its fixed part */
	bad = m;
	bad.b[addr_off + 3] = 0;
	bad.b[addr_off + 4] = 0;
	bad.b[addr_off + 5] = O_STATUS;
	bad.b[addr_off + 6] = 0;
	bad.b[addr_off + 7] = 16;
	feed(t, &bad);
	expect_none(t);

	/* IA_NA shorter than its fixed part */
	m_start(&bad, REQUEST);
	m_opt(&bad, O_IA_NA, iaid, 4);
	m_common(&bad);
	m_serverid(&bad);
	feed(t, &bad);
	expect_none(t);

	/* IA Address with 23 bytes only, consistent lengths */
	memcpy(ia, iaid, 4);
	len = 12;
	put_opt(ia, &len, O_IAADDR, f6_our_mac, 6);
	ia[15] = 23;
	len += 23 - 6;
	m_start(&bad, REQUEST);
	m_opt(&bad, O_IA_NA, ia, len);
	m_common(&bad);
	m_serverid(&bad);
	feed(t, &bad);
	expect_none(t);

	/* Nested option header cut by the IA_NA end */
	memset(ia, 0, sizeof(ia));
	memcpy(ia, iaid, 4);
	ia[13] = O_IAADDR;
	m_start(&bad, REQUEST);
	m_opt(&bad, O_IA_NA, ia, 12 + 3);
	m_common(&bad);
	m_serverid(&bad);
	feed(t, &bad);
	expect_none(t);

	/* Client ID too long for a DUID, or too short */
	m_start(&bad, SOLICIT);
	{
		uint8_t big[131] = { 0, 1 };

		m_opt(&bad, O_CLIENTID, big, sizeof(big));
	}
	feed(t, &bad);
	expect_none(t);
	m_start(&bad, SOLICIT);
	m_opt(&bad, O_CLIENTID, duid_client, 1);
	feed(t, &bad);
	expect_none(t);
}

/**
 * test_random() - Random option soup: no crash, at most one reply, still
 *                 answering
 * @state:	cmocka state, a struct f6
 */
static void test_random(void **state)
{
	static const uint16_t codes[] = { O_CLIENTID, O_SERVERID, O_IA_NA,
					  O_IAADDR, O_RAPID, O_IA_TA,
					  O_IA_PD, O_STATUS, 999 };
	struct f6 *t = *state;
	static uint8_t f[F6_FRAME_MAX];
	struct opts o;
	unsigned i;

	srandom(4242);
	for (i = 0; i < 20000; i++) {
		struct msg m;
		size_t j, n = (size_t)random() % 6;

		m_start(&m, (uint8_t)(1 + random() % 12));
		if (random() & 1)
			m_common(&m);
		if (random() & 1)
			m_serverid(&m);
		for (j = 0; j < n; j++) {
			uint8_t d[64];
			size_t k, len = (size_t)random() % sizeof(d);

			for (k = 0; k < len; k++)
				d[k] = (uint8_t)random();
			if (len > 15 && (random() & 1)) {
				/* plausible nested option inside */
				d[12] = 0;
				d[13] = O_IAADDR;
				d[14] = 0;
				d[15] = (uint8_t)(random() % 32);
			}
			m_opt(&m, codes[(size_t)random() %
				    (sizeof(codes) / sizeof(codes[0]))],
			      d, len);
		}
		if (random() % 4 == 0 && m.len > 4)
			m.len -= (size_t)random() % (m.len - 4);
		feed(t, &m);
		if (f6_recv(t, f) >= 0)
			expect_none(t);
	}

	/* Still answering afterwards */
	{
		struct msg m;

		m_start(&m, SOLICIT);
		m_common(&m);
		feed(t, &m);
		expect_reply(t, f, ADVERTISE, &o);
		assert_int_equal(o.off[O_IA_NA], 0);
	}
}

/**
 * main() - Run the DHCPv6 tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_solicit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_solicit_rapid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_solicit_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_serverid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_noaddr, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_info_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_confirm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ours, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lying_lengths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
