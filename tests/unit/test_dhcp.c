// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dhcp.c - unit tests for dhcp(), the search list and name encoders
 *
 * Requests are built byte by byte here, passed to dhcp() in a pool of their
 * own, and every reply is read back from the fake tap and parsed by code
 * independent of dhcp.c: headers and checksums, every fixed field, every
 * option (instances of one option concatenated), padding after End.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns_name.h"
#include "frames.h"
#include "l2.h"

#define XID		0x1badcafeU
#define DHCP_FIXED	240
#define L4OFF		(ETH_HLEN_ + IP4_HLEN)
#define MSG_SIZE	2048
#define REPLY_MAX	4096

/* DHCP message types, option 53 (RFC 2132 9.6) */
enum {
	DISCOVER = 1, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM,
};

/**
 * struct msg - request being built
 * @len:	Bytes used
 * @b:		Message
 */
struct msg {
	size_t len;
	uint8_t b[MSG_SIZE];
};

/**
 * struct reply - reply read back and parsed
 * @len:	DHCP message length
 * @msg:	DHCP message
 * @cnt:	Instances of each option code
 * @n:		Length of each option, instances concatenated
 * @v:		Value of each option, instances concatenated
 */
struct reply {
	size_t len;
	uint8_t msg[REPLY_MAX];
	size_t cnt[256];
	size_t n[256];
	uint8_t v[256][REPLY_MAX];
};

/**
 * msg_init() - Start a request: fixed header, magic cookie, no options
 * @m:		Request
 * @ciaddr:	Client address, dotted quad
 */
static void msg_init(struct msg *m, const char *ciaddr)
{
	static const uint8_t mac[ETH_ALEN_] = { 0x52, 0x54, 0x00, 0x12, 0x34,
						0x56 };

	memset(m, 0, sizeof(*m));
	m->b[0] = 1;			/* BOOTREQUEST */
	m->b[1] = 1;			/* Ethernet */
	m->b[2] = 6;
	m->b[4] = (uint8_t)(XID >> 24);
	m->b[5] = (uint8_t)(XID >> 16);
	m->b[6] = (uint8_t)(XID >> 8);
	m->b[7] = (uint8_t)XID;
	m->b[8] = 0;
	m->b[9] = 3;			/* secs: not copied */
	m->b[10] = 0x80;		/* broadcast flag */
	assert_int_equal(inet_pton(AF_INET, ciaddr, m->b + 12), 1);
	memcpy(m->b + 28, mac, sizeof(mac));
	m->b[236] = 99;
	m->b[237] = 130;
	m->b[238] = 83;
	m->b[239] = 99;
	m->len = DHCP_FIXED;
}

/**
 * msg_raw() - Append raw bytes to a request
 * @m:		Request
 * @data:	Bytes
 * @len:	Length of @data
 */
static void msg_raw(struct msg *m, const void *data, size_t len)
{
	assert_true(len <= sizeof(m->b) - m->len);
	memcpy(m->b + m->len, data, len);
	m->len += len;
}

/**
 * msg_opt() - Append an option to a request
 * @m:		Request
 * @code:	Option code
 * @data:	Value
 * @len:	Length of @data, at most 255
 */
static void msg_opt(struct msg *m, uint8_t code, const void *data,
		    size_t len)
{
	uint8_t hdr[2] = { code, (uint8_t)len };

	assert_true(len <= 255);
	msg_raw(m, hdr, sizeof(hdr));
	if (len)
		msg_raw(m, data, len);
}

/**
 * msg_type() - Append option 53
 * @m:		Request
 * @type:	Message type
 */
static void msg_type(struct msg *m, uint8_t type)
{
	msg_opt(m, 53, &type, 1);
}

/**
 * msg_addr() - Append an option holding one IPv4 address
 * @m:		Request
 * @code:	Option code
 * @addr:	Dotted quad
 */
static void msg_addr(struct msg *m, uint8_t code, const char *addr)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	msg_opt(m, code, a, sizeof(a));
}

/**
 * msg_end() - Append the End option
 * @m:		Request
 */
static void msg_end(struct msg *m)
{
	uint8_t end = 255;

	msg_raw(m, &end, 1);
}

/**
 * msg_simple() - Request of one type asking for the usual options
 * @m:		Request
 * @type:	Message type
 * @ciaddr:	Client address, dotted quad
 */
static void msg_simple(struct msg *m, uint8_t type, const char *ciaddr)
{
	static const uint8_t prl[] = { 1, 3, 6, 15, 26, 119 };

	msg_init(m, ciaddr);
	msg_type(m, type);
	msg_opt(m, 55, prl, sizeof(prl));
	msg_end(m);
}

/**
 * frame_send() - Queue a frame in a pool and pass it to dhcp()
 * @e:		Environment
 * @f:		Frame
 * @len:	Frame length
 *
 * Return: what dhcp() returned
 */
static int frame_send(const struct frames_env *e, const uint8_t *f,
		      size_t len)
{
	struct pool *p = frames_pool(f, len);
	int rc = dhcp(e->c, p, 0, L4OFF);

	frames_pool_free(p);
	return rc;
}

/**
 * msg_send_len() - Send @len bytes of a request from port 68 to port 67
 * @e:		Environment
 * @m:		Request
 * @len:	Bytes of @m to send, may be less than m->len
 *
 * Return: what dhcp() returned
 */
static int msg_send_len(const struct frames_env *e, const struct msg *m,
			size_t len)
{
	uint8_t f[ETH_HLEN_ + IP4_HLEN + UDP_HLEN + MSG_SIZE];
	size_t flen = frames_udp4(f, e->c->guest_mac, "0.0.0.0",
				  "255.255.255.255", 68, 67, m->b, len);

	return frame_send(e, f, flen);
}

/**
 * msg_send() - Send a request, which dhcp() must consume
 * @e:		Environment
 * @m:		Request
 */
static void msg_send(const struct frames_env *e, const struct msg *m)
{
	assert_int_equal(msg_send_len(e, m, m->len), 1);
}

/**
 * reply_parse() - Check the fixed fields of a reply, split its options
 * @e:		Environment
 * @r:		Reply, @len and @msg set
 */
static void reply_parse(const struct frames_env *e, struct reply *r)
{
	static const uint8_t zero[192] = { 0 };
	const uint8_t *m = r->msg;
	size_t off = DHCP_FIXED;
	bool end = false;
	uint8_t gw[4];

	assert_true(r->len >= 300);
	assert_int_equal(m[0], 2);
	assert_int_equal(m[1], 1);
	assert_int_equal(m[2], 6);
	assert_int_equal(m[3], 0);
	assert_int_equal((uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 |
			 (uint32_t)m[6] << 8 | m[7], XID);
	assert_int_equal(m[8] << 8 | m[9], 0);
	assert_int_equal(m[10] << 8 | m[11], 0x8000);
	assert_memory_equal(m + 20, zero, 4);		/* siaddr */
	assert_memory_equal(m + 24, zero, 4);		/* giaddr */
	assert_memory_equal(m + 28, e->c->guest_mac, ETH_ALEN_);
	assert_memory_equal(m + 34, zero, 10);
	assert_memory_equal(m + 44, zero, 192);		/* sname, file */
	assert_int_equal(m[236], 99);
	assert_int_equal(m[237], 130);
	assert_int_equal(m[238], 83);
	assert_int_equal(m[239], 99);

	memset(r->cnt, 0, sizeof(r->cnt));
	memset(r->n, 0, sizeof(r->n));
	while (off < r->len) {
		uint8_t code = m[off], len;

		if (code == 0) {
			off++;
			continue;
		}
		if (code == 255) {
			end = true;
			off++;
			break;
		}
		assert_true(off + 2 <= r->len);
		len = m[off + 1];
		assert_true(off + 2 + len <= r->len);
		memcpy(r->v[code] + r->n[code], m + off + 2, len);
		r->n[code] += len;
		r->cnt[code]++;
		off += 2 + (size_t)len;
	}
	assert_true(end);
	for (; off < r->len; off++)
		assert_int_equal(m[off], 0);

	assert_int_equal(r->cnt[52], 0);		/* no overload */
	assert_int_equal(r->cnt[53], 1);
	assert_int_equal(r->n[53], 1);
	assert_int_equal(r->n[54], 4);
	memcpy(gw, &e->c->ip4.gw, sizeof(gw));
	assert_memory_equal(r->v[54], gw, 4);
}

/**
 * reply_get() - Read and parse the one reply sent, if any
 * @e:		Environment
 *
 * Return: parsed reply (free it), NULL if nothing was sent
 */
static struct reply *reply_get(const struct frames_env *e)
{
	static const uint8_t bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff };
	uint8_t f[REPLY_MAX + 64];
	struct reply *r;
	char gw[INET_ADDRSTRLEN];
	ssize_t n = frames_recv(e, f, sizeof(f));
	size_t off;

	if (n < 0)
		return NULL;
	assert_non_null(inet_ntop(AF_INET, &e->c->ip4.gw, gw, sizeof(gw)));
	off = frames_check_udp4(e, f, (size_t)n, bcast, gw,
				"255.255.255.255", 67, 68);
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->len = (size_t)n - off;
	assert_true(r->len <= sizeof(r->msg));
	memcpy(r->msg, f + off, r->len);
	reply_parse(e, r);

	assert_int_equal(frames_recv(e, f, sizeof(f)), -1);	/* only one */
	return r;
}

/**
 * assert_silent() - Check that nothing was sent
 * @e:		Environment
 */
static void assert_silent(const struct frames_env *e)
{
	uint8_t f[REPLY_MAX + 64];

	assert_int_equal(frames_recv(e, f, sizeof(f)), -1);
}

/**
 * assert_addr() - Check a 4-byte address field against a dotted quad
 * @p:		Field
 * @addr:	Expected address
 */
static void assert_addr(const uint8_t *p, const char *addr)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	assert_memory_equal(p, a, 4);
}

/**
 * search_decode() - Decode an option 119 value, checking every pointer
 * @d:		Value, instances concatenated
 * @len:	Length of @d
 * @names:	Output: names as text, without trailing dot
 * @max:	Entries in @names
 * @maxptr:	Output: largest pointer target seen, 0 if none
 *
 * Return: number of names
 */
static size_t search_decode(const uint8_t *d, size_t len, char names[][256],
			    size_t max, size_t *maxptr)
{
	size_t pos = 0, count = 0;

	*maxptr = 0;
	while (pos < len) {
		size_t off = pos, start = pos, out = 0, hops = 0;
		bool jumped = false;
		char *name = names[count];

		assert_true(count < max);
		for (;;) {
			uint8_t lab;

			assert_true(off < len);
			lab = d[off];
			if ((lab & 0xc0) == 0xc0) {
				size_t to;

				assert_true(off + 1 < len);
				to = (size_t)(lab & 0x3f) << 8 | d[off + 1];
				assert_true(to < start);   /* backwards only */
				assert_true(++hops < 64);
				if (to > *maxptr)
					*maxptr = to;
				if (!jumped)
					pos = off + 2;
				jumped = true;
				off = to;
				continue;
			}
			assert_true(lab <= 63);
			if (!lab) {
				if (!jumped)
					pos = off + 1;
				break;
			}
			assert_true(off + 1 + lab <= len);
			if (out)
				name[out++] = '.';
			assert_true(out + lab < 255);
			memcpy(name + out, d + off + 1, lab);
			out += lab;
			off += 1 + (size_t)lab;
		}
		name[out] = '\0';
		count++;
	}
	return count;
}

/**
 * assert_search() - Check that option 119 carries the configured list
 * @c:		Execution context
 * @r:		Reply
 */
static void assert_search(const struct ctx *c, const struct reply *r)
{
	char names[MAXDNSRCH + 1][256];
	size_t n, i, maxptr;

	n = search_decode(r->v[119], r->n[119], names, MAXDNSRCH + 1,
			  &maxptr);
	for (i = 0; c->dns_search[i][0]; i++) {
		assert_true(i < n);
		assert_string_equal(names[i], c->dns_search[i]);
	}
	assert_int_equal(i, n);
}

/**
 * assert_config() - Check the configuration options of a reply
 * @e:		Environment (guest 192.0.2.2/24, gw .1, two resolvers)
 * @r:		Reply
 */
static void assert_config(const struct frames_env *e, const struct reply *r)
{
	static const uint8_t search[] = {
		1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm',
		0, 1, 'b', 0xc0, 2,
	};

	assert_int_equal(r->n[1], 4);
	assert_addr(r->v[1], "255.255.255.0");
	assert_int_equal(r->n[3], 4);
	assert_addr(r->v[3], "192.0.2.1");
	assert_int_equal(r->n[6], 8);
	assert_addr(r->v[6], "192.0.2.53");
	assert_addr(r->v[6] + 4, "198.51.100.53");
	assert_int_equal(r->n[15], strlen("a.example.com"));
	assert_memory_equal(r->v[15], "a.example.com", r->n[15]);
	assert_int_equal(r->n[26], 2);
	assert_int_equal(r->v[26][0] << 8 | r->v[26][1], e->c->mtu);
	assert_int_equal(r->cnt[119], 1);
	assert_int_equal(r->n[119], sizeof(search));
	assert_memory_equal(r->v[119], search, sizeof(search));
	assert_search(e->c, r);
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
 * test_discover() - DISCOVER gets an OFFER with the whole configuration
 * @state:	Environment
 */
static void test_discover(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);

	assert_int_equal(r->v[53][0], OFFER);
	assert_addr(r->msg + 12, "0.0.0.0");		/* ciaddr */
	assert_addr(r->msg + 16, "192.0.2.2");		/* yiaddr */
	assert_int_equal(r->n[51], 4);
	assert_memory_equal(r->v[51], "\xff\xff\xff\xff", 4);
	assert_int_equal(r->cnt[61], 0);
	assert_int_equal(r->cnt[56], 0);
	assert_config(e, r);
	assert_true(r->len <= 576 - 28);
	free(r);
}

/**
 * test_discover_unrequested() - Options not asked for are sent anyway
 * @state:	Environment
 */
static void test_discover_unrequested(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], OFFER);
	assert_config(e, r);
	free(r);
}

/**
 * test_request_ack() - REQUEST for our address gets an ACK, client id back
 * @state:	Environment
 */
static void test_request_ack(void **state)
{
	static const uint8_t clid[] = { 1, 0x52, 0x54, 0x00, 0x12, 0x34,
					0x56 };
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_init(&m, "0.0.0.0");
	msg_type(&m, REQUEST);
	msg_addr(&m, 50, "192.0.2.2");
	msg_addr(&m, 54, "192.0.2.1");
	msg_opt(&m, 61, clid, sizeof(clid));
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);

	assert_int_equal(r->v[53][0], ACK);
	assert_addr(r->msg + 12, "0.0.0.0");
	assert_addr(r->msg + 16, "192.0.2.2");
	assert_int_equal(r->n[51], 4);
	assert_memory_equal(r->v[51], "\xff\xff\xff\xff", 4);
	assert_int_equal(r->n[61], sizeof(clid));
	assert_memory_equal(r->v[61], clid, sizeof(clid));
	assert_config(e, r);
	free(r);
}

/**
 * test_request_renew() - Renewal (ciaddr, no option 50) gets an ACK
 * @state:	Environment
 */
static void test_request_renew(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, REQUEST, "192.0.2.2");
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], ACK);
	assert_addr(r->msg + 12, "192.0.2.2");		/* ciaddr copied */
	assert_addr(r->msg + 16, "192.0.2.2");
	assert_config(e, r);
	free(r);
}

/**
 * test_request_any() - REQUEST naming no address gets an ACK
 * @state:	Environment
 */
static void test_request_any(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, REQUEST, "0.0.0.0");
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], ACK);
	assert_addr(r->msg + 16, "192.0.2.2");
	free(r);
}

/**
 * assert_nak() - Check that a NAK, and nothing else, was sent
 * @e:		Environment
 */
static void assert_nak(const struct frames_env *e)
{
	struct reply *r = reply_get(e);

	assert_non_null(r);
	assert_int_equal(r->v[53][0], NAK);
	assert_addr(r->msg + 12, "0.0.0.0");
	assert_addr(r->msg + 16, "0.0.0.0");
	assert_int_equal(r->cnt[51], 0);
	assert_int_equal(r->cnt[1], 0);
	assert_int_equal(r->cnt[3], 0);
	assert_int_equal(r->cnt[6], 0);
	assert_int_equal(r->cnt[119], 0);
	assert_true(r->n[56] > 0);
	free(r);
}

/**
 * test_request_nak() - REQUEST for another address gets a NAK
 * @state:	Environment
 */
static void test_request_nak(void **state)
{
	const struct frames_env *e = *state;
	struct msg m;

	msg_init(&m, "0.0.0.0");
	msg_type(&m, REQUEST);
	msg_addr(&m, 50, "192.0.2.99");
	msg_end(&m);
	msg_send(e, &m);
	assert_nak(e);

	/* Option 50 wins over ciaddr */
	msg_init(&m, "192.0.2.2");
	msg_type(&m, REQUEST);
	msg_addr(&m, 50, "10.0.0.2");
	msg_end(&m);
	msg_send(e, &m);
	assert_nak(e);

	/* Renewing a different address */
	msg_simple(&m, REQUEST, "192.0.2.3");
	msg_send(e, &m);
	assert_nak(e);
}

/**
 * test_request_other_server() - REQUEST to another server gets nothing
 * @state:	Environment
 */
static void test_request_other_server(void **state)
{
	const struct frames_env *e = *state;
	struct msg m;

	msg_init(&m, "0.0.0.0");
	msg_type(&m, REQUEST);
	msg_addr(&m, 50, "192.0.2.2");
	msg_addr(&m, 54, "192.0.2.254");
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_inform() - INFORM gets an ACK with configuration, no address, no
 *		   lease time
 * @state:	Environment
 */
static void test_inform(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, INFORM, "192.0.2.2");
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], ACK);
	assert_addr(r->msg + 12, "192.0.2.2");
	assert_addr(r->msg + 16, "0.0.0.0");
	assert_int_equal(r->cnt[51], 0);
	assert_config(e, r);
	free(r);
}

/**
 * test_ignored_types() - RELEASE, DECLINE and server messages get nothing
 * @state:	Environment
 */
static void test_ignored_types(void **state)
{
	static const uint8_t types[] = { RELEASE, DECLINE, OFFER, ACK, NAK, 0,
					 9, 18, 255 };
	const struct frames_env *e = *state;
	struct msg m;
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		msg_simple(&m, types[i], "192.0.2.2");
		msg_send(e, &m);
		assert_silent(e);
	}
}

/**
 * test_no_dhcp() - With --no-dhcp, requests are consumed and dropped
 * @state:	Environment
 */
static void test_no_dhcp(void **state)
{
	const struct frames_env *e = *state;
	struct msg m;

	e->c->no_dhcp = true;
	msg_simple(&m, DISCOVER, "0.0.0.0");
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_no_gateway() - Without gateway or address, nothing is offered
 * @state:	Environment
 */
static void test_no_gateway(void **state)
{
	const struct frames_env *e = *state;
	struct msg m;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	e->c->ip4.gw.s_addr = 0;
	msg_send(e, &m);
	assert_silent(e);

	inet_pton(AF_INET, "192.0.2.1", &e->c->ip4.gw);
	e->c->ip4.addr.s_addr = 0;
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_not_ours() - Datagrams not to port 67 are left to others
 * @state:	Environment
 */
static void test_not_ours(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ETH_HLEN_ + IP4_HLEN + UDP_HLEN + MSG_SIZE];
	struct msg m;
	size_t len;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	len = frames_udp4(f, e->c->guest_mac, "192.0.2.2", "192.0.2.1", 68,
			  53, m.b, m.len);
	assert_int_equal(frame_send(e, f, len), 0);
	len = frames_udp4(f, e->c->guest_mac, "192.0.2.2", "192.0.2.1", 67,
			  68, m.b, m.len);
	assert_int_equal(frame_send(e, f, len), 0);

	/* Not even a UDP header */
	assert_int_equal(frame_send(e, f, L4OFF + UDP_HLEN - 1), 0);

	/* With --no-dhcp, other ports are still not ours */
	e->c->no_dhcp = true;
	len = frames_udp4(f, e->c->guest_mac, "192.0.2.2", "192.0.2.1", 68,
			  53, m.b, m.len);
	assert_int_equal(frame_send(e, f, len), 0);
	assert_silent(e);
}

/**
 * test_no_dns() - Resolvers are only sent if enabled and configured
 * @state:	Environment
 */
static void test_no_dns(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	e->c->dhcp_dns = false;
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->cnt[6], 0);
	assert_int_equal(r->cnt[1], 1);
	assert_int_equal(r->cnt[119], 1);
	free(r);

	e->c->dhcp_dns = true;
	memset(e->c->ip4.dns, 0, sizeof(e->c->ip4.dns));
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->cnt[6], 0);
	free(r);

	/* All MAXNS resolvers fit */
	inet_pton(AF_INET, "192.0.2.53", &e->c->ip4.dns[0]);
	inet_pton(AF_INET, "192.0.2.54", &e->c->ip4.dns[1]);
	inet_pton(AF_INET, "192.0.2.55", &e->c->ip4.dns[2]);
	inet_pton(AF_INET, "192.0.2.56", &e->c->ip4.dns[3]);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->n[6], 4 * MAXNS);
	assert_addr(r->v[6] + 12, "192.0.2.56");
	free(r);

	/* A host stub resolver is advertised as the forward address */
	memset(e->c->ip4.dns, 0, sizeof(e->c->ip4.dns));
	inet_pton(AF_INET, "127.0.0.53", &e->c->ip4.dns[0]);
	inet_pton(AF_INET, "192.0.2.1", &e->c->ip4.dns_match);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->n[6], 4);
	assert_addr(r->v[6], "192.0.2.1");
	free(r);
}

/**
 * test_no_search() - Domain and search list only if enabled and configured
 * @state:	Environment
 */
static void test_no_search(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	e->c->dhcp_search = false;
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->cnt[15], 0);
	assert_int_equal(r->cnt[119], 0);
	assert_int_equal(r->cnt[6], 1);
	free(r);

	e->c->dhcp_search = true;
	e->c->dns_search[0][0] = '\0';
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->cnt[15], 0);
	assert_int_equal(r->cnt[119], 0);
	free(r);

	/* Trailing dot: not in option 15, same encoding in option 119 */
	strcpy(e->c->dns_search[0], "example.org.");
	e->c->dns_search[1][0] = '\0';
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->n[15], strlen("example.org"));
	assert_memory_equal(r->v[15], "example.org", r->n[15]);
	assert_int_equal(r->n[119], 13);
	assert_memory_equal(r->v[119], "\7example\3org\0", 13);
	free(r);
}

/**
 * test_no_mtu() - MTU 0 means no option 26
 * @state:	Environment
 */
static void test_no_mtu(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	e->c->mtu = 0;
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->cnt[26], 0);
	free(r);

	e->c->mtu = 1500;
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->n[26], 2);
	assert_int_equal(r->v[26][0] << 8 | r->v[26][1], 1500);
	free(r);
}

/**
 * search_long() - Configure a search list longer than 255 bytes encoded
 * @c:		Execution context
 *
 * Four names with nothing in common (68 bytes each), then one sharing the
 * last label of the fourth, which sits past offset 255 of the option value.
 */
static void search_long(struct ctx *c)
{
	size_t i;

	memset(c->dns_search, 0, sizeof(c->dns_search));
	for (i = 0; i < 4; i++) {
		memset(c->dns_search[i], 'a' + (int)i, 63);
		snprintf(c->dns_search[i] + 63, DNSRCH_LEN - 63, ".t%zu", i);
	}
	strcpy(c->dns_search[4], "x.t3");
}

/**
 * test_search_split() - A long option 119 is split, pointers span instances
 * @state:	Environment
 */
static void test_search_split(void **state)
{
	static const uint8_t prl[] = { 1, 3, 119 };
	static const uint8_t size[] = { 1500 >> 8, 1500 & 0xff };
	const struct frames_env *e = *state;
	char names[MAXDNSRCH + 1][256];
	size_t n, maxptr, i;
	struct reply *r;
	struct msg m;

	search_long(e->c);
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 55, prl, sizeof(prl));
	msg_opt(&m, 57, size, sizeof(size));
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);

	assert_int_equal(r->n[119], 4 * 68 + 4);
	assert_int_equal(r->cnt[119], 2);
	assert_search(e->c, r);
	n = search_decode(r->v[119], r->n[119], names, MAXDNSRCH + 1,
			  &maxptr);
	assert_int_equal(n, 5);
	assert_int_equal(maxptr, 3 * 68 + 64);	/* "t3", past 255 */

	/* Instances are consecutive: first one full */
	for (i = DHCP_FIXED; r->msg[i] != 119; i += 2U + r->msg[i + 1])
		assert_true(r->msg[i] != 255 && r->msg[i]);
	assert_int_equal(r->msg[i + 1], 255);
	assert_int_equal(r->msg[i + 2 + 255], 119);
	assert_int_equal(r->msg[i + 2 + 255 + 1], r->n[119] - 255);

	assert_int_equal(r->cnt[1], 1);
	assert_int_equal(r->cnt[6], 1);
	assert_int_equal(r->cnt[15], 1);
	assert_true(r->len <= 1500 - 28);
	free(r);
}

/**
 * test_search_no_room() - Without option 57 replies stay within 576 bytes
 * @state:	Environment
 */
static void test_search_no_room(void **state)
{
	static const uint8_t prl_cfg[] = { 1, 3, 6 };
	static const uint8_t prl_search[] = { 119 };
	static const uint8_t small[] = { 0, 200 };
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	search_long(e->c);

	/* Asking for the usual options: no room left for the search list */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 55, prl_cfg, sizeof(prl_cfg));
	msg_opt(&m, 57, small, sizeof(small));	/* invalid, means 576 */
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_true(r->len <= 576 - 28);
	assert_int_equal(r->cnt[1], 1);
	assert_int_equal(r->cnt[3], 1);
	assert_int_equal(r->n[6], 8);
	assert_int_equal(r->cnt[119], 0);
	free(r);

	/* Asking for the search list first: it goes in, the rest if it fits */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 55, prl_search, sizeof(prl_search));
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_true(r->len <= 576 - 28);
	assert_int_equal(r->n[119], 4 * 68 + 4);
	assert_int_equal(r->cnt[6], 0);
	free(r);
}

/**
 * test_search_max() - The longest possible search list, in 8 instances
 * @state:	Environment
 */
static void test_search_max(void **state)
{
	static const uint8_t size[] = { 0xff, 0xff };
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;
	size_t i;

	/* Eight names of 253 characters, labels of 63: 2040 bytes */
	memset(e->c->dns_search, 0, sizeof(e->c->dns_search));
	for (i = 0; i < MAXDNSRCH; i++) {
		char *s = e->c->dns_search[i];

		memset(s, 'a' + (int)i, 253);
		s[63] = s[127] = s[191] = '.';
	}
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 57, size, sizeof(size));
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->n[119], MAXDNSRCH * 255);
	assert_int_equal(r->cnt[119], MAXDNSRCH);
	assert_search(e->c, r);
	assert_int_equal(r->n[15], 253);
	free(r);
}

/**
 * test_overload() - Options in the file and sname fields (option 52)
 * @state:	Environment
 */
static void test_overload(void **state)
{
	const struct frames_env *e = *state;
	uint8_t ov;
	struct reply *r;
	struct msg m;

	/* Message type in file */
	msg_init(&m, "0.0.0.0");
	ov = 1;
	msg_opt(&m, 52, &ov, 1);
	msg_end(&m);
	memcpy(m.b + 108, "\x35\x01\x01\xff", 4);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], OFFER);
	free(r);

	/* Message type in sname, not looked at unless option 52 says so */
	msg_init(&m, "0.0.0.0");
	msg_end(&m);
	memcpy(m.b + 44, "\x35\x01\x01\xff", 4);
	msg_send(e, &m);
	assert_silent(e);
	m.len = DHCP_FIXED;
	ov = 2;
	msg_opt(&m, 52, &ov, 1);
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], OFFER);
	free(r);

	/* Both: requested address split between file and sname, no End */
	msg_init(&m, "0.0.0.0");
	ov = 3;
	msg_opt(&m, 52, &ov, 1);
	msg_type(&m, REQUEST);
	memcpy(m.b + 108, "\x32\x02\xc0\x00", 4);
	memcpy(m.b + 44, "\x32\x02\x02\x63", 4);
	memset(m.b + 48, 0, 60);
	msg_send(e, &m);
	assert_nak(e);				/* 192.0.2.99 */

	/* Option 52 in file is ignored, and an invalid value drops */
	msg_init(&m, "0.0.0.0");
	ov = 1;
	msg_opt(&m, 52, &ov, 1);
	msg_type(&m, DISCOVER);
	msg_end(&m);
	memcpy(m.b + 108, "\x34\x01\x07\xff", 4);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	free(r);
	m.b[DHCP_FIXED + 2] = 4;
	msg_send(e, &m);
	assert_silent(e);
	m.b[DHCP_FIXED + 2] = 0;
	msg_send(e, &m);
	assert_silent(e);

	/* Overrun inside file drops the message */
	m.b[DHCP_FIXED + 2] = 1;
	memset(m.b + 108, 0, 128);
	memcpy(m.b + 108 + 120, "\x0c\x09", 2);
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_split_options() - Instances of one option are concatenated
 * @state:	Environment
 */
static void test_split_options(void **state)
{
	static const uint8_t clid[] = { 0, 'g', 'u', 'e', 's', 't', '-', 'i',
					'd' };
	static const uint8_t prl1[] = { 1, 3 }, prl2[] = { 119 };
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_init(&m, "0.0.0.0");
	msg_opt(&m, 61, clid, 4);
	msg_type(&m, DISCOVER);
	msg_opt(&m, 55, prl1, sizeof(prl1));
	msg_opt(&m, 61, clid + 4, sizeof(clid) - 4);
	msg_opt(&m, 55, prl2, sizeof(prl2));
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->cnt[61], 1);
	assert_int_equal(r->n[61], sizeof(clid));
	assert_memory_equal(r->v[61], clid, sizeof(clid));
	free(r);

	/* Two message types add up to length 2: invalid */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_type(&m, DISCOVER);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_long_client_id() - A 255-byte client identifier is echoed whole
 * @state:	Environment
 */
static void test_long_client_id(void **state)
{
	const struct frames_env *e = *state;
	uint8_t clid[255];
	struct reply *r;
	struct msg m;

	memset(clid, 0x5a, sizeof(clid));
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 61, clid, sizeof(clid));
	msg_end(&m);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->n[61], sizeof(clid));
	assert_memory_equal(r->v[61], clid, sizeof(clid));
	assert_int_equal(r->cnt[1], 1);
	assert_true(r->len <= 576 - 28);
	free(r);

	/* 256 bytes in two instances: more than one option can hold */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 61, clid, sizeof(clid));
	msg_opt(&m, 61, clid, 1);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_bad_header() - Wrong op, hardware type or length, or magic: dropped
 * @state:	Environment
 */
static void test_bad_header(void **state)
{
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 0, 2 }, { 0, 0 }, { 1, 6 }, { 2, 16 }, { 2, 0 },
		{ 236, 98 }, { 237, 0 }, { 238, 0x52 }, { 239, 0x64 },
	};
	const struct frames_env *e = *state;
	struct msg m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg_simple(&m, DISCOVER, "0.0.0.0");
		m.b[bad[i].off] = bad[i].val;
		msg_send(e, &m);
		assert_silent(e);
	}
}

/**
 * test_bad_options() - Overruns, bad lengths, no message type: dropped
 * @state:	Environment
 */
static void test_bad_options(void **state)
{
	const struct frames_env *e = *state;
	struct msg m;

	/* Length of the last option runs past the message */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_raw(&m, "\x0c\x05xyz", 5);
	msg_send(e, &m);
	assert_silent(e);

	/* Code without length byte */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_raw(&m, "\x0c", 1);
	msg_send(e, &m);
	assert_silent(e);

	/* Message type without value, or too long */
	msg_init(&m, "0.0.0.0");
	msg_opt(&m, 53, NULL, 0);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);
	msg_init(&m, "0.0.0.0");
	msg_opt(&m, 53, "\x01\x01", 2);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);

	/* Requested address of 3 bytes; server identifier of 5 */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, REQUEST);
	msg_opt(&m, 50, "\xc0\x00\x02", 3);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);
	msg_init(&m, "0.0.0.0");
	msg_type(&m, REQUEST);
	msg_opt(&m, 54, "\xc0\x00\x02\x01\x00", 5);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);

	/* Client identifier shorter than 2, maximum size not 2 bytes */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 61, "\x01", 1);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 57, "\x05", 1);
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);

	/* Plain BOOTP: no message type */
	msg_init(&m, "0.0.0.0");
	msg_addr(&m, 50, "192.0.2.2");
	msg_end(&m);
	msg_send(e, &m);
	assert_silent(e);

	/* No options at all */
	msg_init(&m, "0.0.0.0");
	msg_send(e, &m);
	assert_silent(e);
}

/**
 * test_lenient_options() - Zero-length options, padding, no End: answered
 * @state:	Environment
 */
static void test_lenient_options(void **state)
{
	const struct frames_env *e = *state;
	struct reply *r;
	struct msg m;

	msg_init(&m, "0.0.0.0");
	msg_raw(&m, "\0\0\0", 3);		/* Pad */
	msg_opt(&m, 80, NULL, 0);		/* Rapid commit: empty */
	msg_opt(&m, 12, NULL, 0);		/* empty host name */
	msg_opt(&m, 55, NULL, 0);		/* empty request list */
	msg_type(&m, DISCOVER);
	msg_send(e, &m);			/* no End */
	r = reply_get(e);
	assert_non_null(r);
	assert_int_equal(r->v[53][0], OFFER);
	assert_config(e, r);
	free(r);

	/* Anything after End is not parsed */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_end(&m);
	msg_raw(&m, "\x35\x05\x01", 3);
	msg_send(e, &m);
	r = reply_get(e);
	assert_non_null(r);
	free(r);
}

/**
 * test_udp_length() - The UDP length field bounds the message
 * @state:	Environment
 */
static void test_udp_length(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ETH_HLEN_ + IP4_HLEN + UDP_HLEN + MSG_SIZE];
	uint8_t *uh = f + L4OFF;
	struct reply *r;
	struct msg m;
	size_t len, ulen;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	len = frames_udp4(f, e->c->guest_mac, "0.0.0.0", "255.255.255.255",
			  68, 67, m.b, m.len);
	ulen = UDP_HLEN + m.len;

	/* Longer than the frame */
	uh[4] = (uint8_t)((ulen + 1) >> 8);
	uh[5] = (uint8_t)(ulen + 1);
	assert_int_equal(frame_send(e, f, len), 1);
	assert_silent(e);

	/* Shorter than a UDP header, or than the fixed header */
	uh[4] = 0;
	uh[5] = 7;
	assert_int_equal(frame_send(e, f, len), 1);
	uh[5] = UDP_HLEN + DHCP_FIXED - 1;
	assert_int_equal(frame_send(e, f, len), 1);
	assert_silent(e);

	/* Trailing bytes after the datagram (Ethernet padding) are ignored */
	uh[4] = (uint8_t)(ulen >> 8);
	uh[5] = (uint8_t)ulen;
	memset(f + len, 0x35, 16);
	assert_int_equal(frame_send(e, f, len + 16), 1);
	r = reply_get(e);
	assert_non_null(r);
	free(r);

	/* An option running into those trailing bytes is still an overrun */
	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_raw(&m, "\x0c\x05xyz", 5);
	len = frames_udp4(f, e->c->guest_mac, "0.0.0.0", "255.255.255.255",
			  68, 67, m.b, m.len);
	memset(f + len, 0, 16);
	assert_int_equal(frame_send(e, f, len + 16), 1);
	assert_silent(e);
}

/**
 * test_truncated_frame() - Frames cut anywhere, lengths not adjusted
 * @state:	Environment
 */
static void test_truncated_frame(void **state)
{
	const struct frames_env *e = *state;
	uint8_t f[ETH_HLEN_ + IP4_HLEN + UDP_HLEN + MSG_SIZE];
	struct reply *r;
	struct msg m;
	size_t len, cut;

	msg_simple(&m, DISCOVER, "0.0.0.0");
	len = frames_udp4(f, e->c->guest_mac, "0.0.0.0", "255.255.255.255",
			  68, 67, m.b, m.len);
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(frame_send(e, f, cut),
				 cut >= L4OFF + UDP_HLEN);
		assert_silent(e);
	}
	assert_int_equal(frame_send(e, f, len), 1);
	r = reply_get(e);
	assert_non_null(r);
	free(r);
}

/**
 * test_truncated_msg() - Messages cut anywhere, with matching UDP length
 * @state:	Environment
 *
 * Cut at an option boundary, the message is still valid (no End is
 * needed): whatever is sent must be a well-formed OFFER.
 */
static void test_truncated_msg(void **state)
{
	static const uint8_t clid[] = { 1, 0x52, 0x54, 0x00, 0x12, 0x34,
					0x56 };
	static const uint8_t prl[] = { 1, 3, 6, 15, 26, 119 };
	static const uint8_t size[] = { 0x05, 0xdc };
	const struct frames_env *e = *state;
	size_t cut, replies = 0;
	struct msg m;
	uint8_t ov = 1;

	msg_init(&m, "0.0.0.0");
	msg_type(&m, DISCOVER);
	msg_opt(&m, 55, prl, sizeof(prl));
	msg_opt(&m, 61, clid, sizeof(clid));
	msg_opt(&m, 57, size, sizeof(size));
	msg_opt(&m, 52, &ov, 1);
	msg_addr(&m, 50, "192.0.2.2");
	msg_end(&m);
	memcpy(m.b + 108, "\x0c\x03" "abc\xff", 6);

	for (cut = 0; cut <= m.len; cut++) {
		struct reply *r;

		assert_int_equal(msg_send_len(e, &m, cut), 1);
		r = reply_get(e);
		if (!r)
			continue;
		assert_true(cut > DHCP_FIXED);
		assert_int_equal(r->v[53][0], OFFER);
		assert_addr(r->msg + 16, "192.0.2.2");
		replies++;
		free(r);
	}
	assert_true(replies >= 2);
}

/**
 * fuzz_next() - Next value of a xorshift32 sequence
 * @x:		State, updated
 *
 * Return: next value
 */
static uint32_t fuzz_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/**
 * fuzz_opts() - Append mostly well-formed random options to a field
 * @x:		Random state
 * @buf:	Field
 * @size:	Size of the field
 *
 * Return: bytes used
 */
static size_t fuzz_opts(uint32_t *x, uint8_t *buf, size_t size)
{
	static const uint8_t codes[] = { 0, 255, 50, 52, 53, 53, 53, 54, 55,
					 57, 61, 12, 80, 119 };
	size_t pos = 0, n = fuzz_next(x) % 10, i;

	for (i = 0; i < n && pos < size; i++) {
		uint32_t r = fuzz_next(x);
		uint8_t code = codes[r % sizeof(codes)], len;

		if (!(r & 0x700))
			code = (uint8_t)(r >> 24);
		buf[pos++] = code;
		if (code == 0 || code == 255 || pos == size)
			continue;

		/* Right length for the code most of the time */
		switch (code) {
		case 53: case 52: len = 1; break;
		case 50: case 54: len = 4; break;
		case 57: len = 2; break;
		default: len = (uint8_t)((r >> 12) % 12); break;
		}
		if (!(r & 0x7000))
			len = (uint8_t)(r >> 16);
		buf[pos++] = len;
		for (; len && pos < size; len--) {
			r = fuzz_next(x);
			/* Values that mean something: types, overload, ours */
			buf[pos++] = (uint8_t)(r & 0x10000 ? (r >> 24) % 9 :
					       r >> 24);
		}
	}
	return pos;
}

/**
 * test_fuzz() - Random options, also in sname and file: sane replies only
 * @state:	Environment
 */
static void test_fuzz(void **state)
{
	const struct frames_env *e = *state;
	size_t iter, replies = 0, dropped = 0;
	uint32_t x = 0x2545f491;

	for (iter = 0; iter < 50000; iter++) {
		struct reply *r;
		struct msg m;
		size_t len;
		int rc;

		msg_init(&m, fuzz_next(&x) & 1 ? "0.0.0.0" : "192.0.2.2");
		if (fuzz_next(&x) & 3) {
			static const uint8_t types[] = { DISCOVER, REQUEST,
							 INFORM };
			uint32_t r = fuzz_next(&x);

			msg_type(&m, r & 0x100 ? types[r % 3] :
					       (uint8_t)(r >> 24));
		}
		m.len += fuzz_opts(&x, m.b + m.len, 300);
		if (fuzz_next(&x) & 1)
			fuzz_opts(&x, m.b + 108, 128);
		if (fuzz_next(&x) & 1)
			fuzz_opts(&x, m.b + 44, 64);

		/* Sometimes cut short, UDP length following */
		len = m.len;
		if (!(fuzz_next(&x) & 7))
			len = fuzz_next(&x) % (m.len + 1);

		rc = msg_send_len(e, &m, len);
		assert_int_equal(rc, 1);
		r = reply_get(e);
		if (!r) {
			dropped++;
			continue;
		}
		assert_true(r->v[53][0] == OFFER || r->v[53][0] == ACK ||
			    r->v[53][0] == NAK);
		if (r->v[53][0] == NAK) {
			assert_addr(r->msg + 16, "0.0.0.0");
		} else if (r->cnt[51]) {
			assert_addr(r->msg + 16, "192.0.2.2");
			assert_int_equal(r->n[1], 4);
		}
		replies++;
		free(r);
	}
	/* Both outcomes must be common, or the fuzzer tests nothing */
	assert_true(replies > 2000);
	assert_true(dropped > 2000);
}

/**
 * test_dns_name_encode() - Uncompressed names: valid, invalid, short buffer
 * @state:	Unused
 */
static void test_dns_name_encode(void **state)
{
	char name[DNSRCH_LEN + 2];
	uint8_t out[DNS_NAME_MAX + 8];

	(void)state;

	assert_int_equal(dns_name_encode("example.com", out, sizeof(out)),
			 13);
	assert_memory_equal(out, "\7example\3com\0", 13);
	assert_int_equal(dns_name_encode("example.com.", out, sizeof(out)),
			 13);
	assert_memory_equal(out, "\7example\3com\0", 13);
	assert_int_equal(dns_name_encode("x", out, sizeof(out)), 3);
	assert_memory_equal(out, "\1x\0", 3);
	assert_int_equal(dns_name_encode(".", out, sizeof(out)), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(dns_name_encode("", out, sizeof(out)), 1);

	assert_int_equal(dns_name_encode("a..b", out, sizeof(out)), -EINVAL);
	assert_int_equal(dns_name_encode(".a", out, sizeof(out)), -EINVAL);
	assert_int_equal(dns_name_encode("a.", out, sizeof(out)), 3);
	assert_int_equal(dns_name_encode("a..", out, sizeof(out)), -EINVAL);
	assert_int_equal(dns_name_encode("..", out, sizeof(out)), -EINVAL);

	/* Labels: 63 bytes fit, 64 don't */
	memset(name, 'l', 63);
	strcpy(name + 63, ".com");
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), 69);
	assert_int_equal(out[0], 63);
	memset(name, 'l', 64);
	strcpy(name + 64, ".com");
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), -EINVAL);

	/* Whole name: 253 characters (255 bytes) fit, 254 don't */
	memset(name, 'n', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), 255);
	strcpy(name + 253, ".");
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), 255);
	strcpy(name + 253, "n");
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), -EINVAL);

	/* Short output buffer: nothing written */
	memset(out, 0xee, sizeof(out));
	assert_int_equal(dns_name_encode("example.com", out, 12), -ENOSPC);
	assert_int_equal(out[0], 0xee);
	assert_int_equal(dns_name_encode("example.com", out, 13), 13);
	assert_int_equal(dns_name_encode(".", out, 0), -ENOSPC);
}

/**
 * test_encode_search() - Compression of the search list, space checks
 * @state:	Environment
 */
static void test_encode_search(void **state)
{
	static const uint8_t ab[] = {
		1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm',
		0, 1, 'b', 0xc0, 2,
	};
	static const uint8_t sfx[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		3, 'w', 'w', 'w', 0xc0, 0, 0xc0, 0, 3, 'o', 'r', 'g', 0,
		3, 'c', 'o', 'm', 0xc0, 21, 2, 'x', 'y', 0xc0, 13,
	};
	const struct frames_env *e = *state;
	struct ctx *c = e->c;
	uint8_t out[DHCP_FIXED * 8];
	size_t i;

	assert_int_equal(dhcp_encode_search(c, out, sizeof(out)), sizeof(ab));
	assert_memory_equal(out, ab, sizeof(ab));
	assert_int_equal(dhcp_encode_search(c, out, sizeof(ab)), sizeof(ab));
	for (i = 0; i < sizeof(ab); i++)
		assert_int_equal(dhcp_encode_search(c, out, i), -ENOSPC);

	/* Whole-name duplicates, pointers to pointers, no case folding */
	memset(c->dns_search, 0, sizeof(c->dns_search));
	strcpy(c->dns_search[0], "example.com");
	strcpy(c->dns_search[1], "www.example.com");
	strcpy(c->dns_search[2], "example.com.");
	strcpy(c->dns_search[3], "org");
	strcpy(c->dns_search[4], "com.org");
	strcpy(c->dns_search[5], "xy.www.example.com");
	assert_int_equal(dhcp_encode_search(c, out, sizeof(out)), sizeof(sfx));
	assert_memory_equal(out, sfx, sizeof(sfx));

	strcpy(c->dns_search[0], "Example.com");
	strcpy(c->dns_search[1], "example.com");
	c->dns_search[2][0] = '\0';
	assert_int_equal(dhcp_encode_search(c, out, sizeof(out)), 13 + 10);
	assert_memory_equal(out + 13, "\7example\xc0\x08", 10);

	/* Invalid names and the root are skipped */
	memset(c->dns_search, 0, sizeof(c->dns_search));
	strcpy(c->dns_search[0], "bad..name");
	strcpy(c->dns_search[1], ".");
	strcpy(c->dns_search[2], "ok");
	assert_int_equal(dhcp_encode_search(c, out, sizeof(out)), 4);
	assert_memory_equal(out, "\2ok\0", 4);

	c->dns_search[0][0] = '\0';
	assert_int_equal(dhcp_encode_search(c, out, sizeof(out)), 0);
}

/**
 * main() - Run the DHCP tests
 *
 * Return: cmocka's result, 0 if all passed
 */
int main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_discover),
		T(test_discover_unrequested),
		T(test_request_ack),
		T(test_request_renew),
		T(test_request_any),
		T(test_request_nak),
		T(test_request_other_server),
		T(test_inform),
		T(test_ignored_types),
		T(test_no_dhcp),
		T(test_no_gateway),
		T(test_not_ours),
		T(test_no_dns),
		T(test_no_search),
		T(test_no_mtu),
		T(test_search_split),
		T(test_search_no_room),
		T(test_search_max),
		T(test_overload),
		T(test_split_options),
		T(test_long_client_id),
		T(test_bad_header),
		T(test_bad_options),
		T(test_lenient_options),
		T(test_udp_length),
		T(test_truncated_frame),
		T(test_truncated_msg),
		T(test_fuzz),
		T(test_dns_name_encode),
		T(test_encode_search),
	};
#undef T
	struct log_ctx log;

	frames_log_setup(&log);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
