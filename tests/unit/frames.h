/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frames.h - unit test helpers: build frames, queue them, read replies
 *
 * Include after <cmocka.h>.  Everything here is static inline, so a test
 * uses what it needs and nothing else is compiled in.
 *
 * Frames under test go in a buffer of their own, allocated for the frame
 * alone: a handler reading one byte past the frame reads past the
 * allocation, and ASan reports it.  As in c->buf_tap, the frame starts
 * TAP_FRAME_ALIGN_OFF bytes past an 8-byte boundary.
 *
 * Replies are read from the other end of an AF_UNIX datagram socket pair
 * standing in for the tap device: one datagram per frame.  Checksums are
 * verified with the local frames_csum(), not with checksum.c, so that a
 * bug there can't hide itself.
 */
#ifndef FRAMES_H
#define FRAMES_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "log.h"
#include "packet.h"
#include "tap.h"

#define FRAMES_MAX	(ETH_HLEN_ + 65535)

/**
 * struct frames_env - one test's execution context and fake tap device
 * @c:		Execution context, fd_tap is @sv[0]
 * @sv:		Socket pair: replies written to @sv[0] are read from @sv[1]
 */
struct frames_env {
	struct ctx *c;
	int sv[2];
};

/**
 * frames_env_new() - Set up a context for an IPv4 guest and a fake tap
 *
 * Guest 192.0.2.2/24, gateway 192.0.2.1, resolvers 192.0.2.53 and
 * 198.51.100.53, MTU 65520, search list "a.example.com b.example.com",
 * resolvers and search list passed via DHCP.
 *
 * Return: new environment, fails the test on error
 */
static inline struct frames_env *frames_env_new(void)
{
	static const uint8_t our[ETH_ALEN_] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a,
						0x01 };
	static const uint8_t guest[ETH_ALEN_] = { 0x52, 0x54, 0x00, 0x12, 0x34,
						  0x56 };
	struct frames_env *e = calloc(1, sizeof(*e));
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(e);
	assert_non_null(c);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				    e->sv), 0);
	e->c = c;
	c->mode = MODE_PASTA;	/* one frame per datagram, like a tap */
	c->fd_tap = e->sv[0];
	c->fd_pcap = -1;
	c->ifi4 = 1;
	c->mtu = 65520;
	memcpy(c->our_mac, our, sizeof(our));
	memcpy(c->guest_mac, guest, sizeof(guest));
	inet_pton(AF_INET, "192.0.2.2", &c->ip4.addr);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.gw);
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns[0]);
	inet_pton(AF_INET, "198.51.100.53", &c->ip4.dns[1]);
	strcpy(c->dns_search[0], "a.example.com");
	strcpy(c->dns_search[1], "b.example.com");
	c->dhcp_dns = true;
	c->dhcp_search = true;
	return e;
}

/**
 * frames_env_free() - Close the fake tap and free an environment
 * @e:		Environment from frames_env_new()
 */
static inline void frames_env_free(struct frames_env *e)
{
	close(e->sv[0]);
	close(e->sv[1]);
	free(e->c);
	free(e);
}

/**
 * frames_pool() - Copy a frame into a buffer of its own, queue it in a pool
 * @frame:	Frame, from the Ethernet header on
 * @len:	Frame length, may be 0
 *
 * Return: pool holding the frame at index 0, free with frames_pool_free()
 */
static inline struct pool *frames_pool(const void *frame, size_t len)
{
	void *mem = NULL;
	struct pool *p;
	char *buf;

	assert_int_equal(posix_memalign(&mem, 8, TAP_FRAME_ALIGN_OFF + len),
			 0);
	buf = mem;
	if (len)
		memcpy(buf + TAP_FRAME_ALIGN_OFF, frame, len);
	p = pool_new(buf, TAP_FRAME_ALIGN_OFF + len, 1);
	assert_non_null(p);
	assert_int_equal(packet_add(p, len, buf + TAP_FRAME_ALIGN_OFF), 0);
	return p;
}

/**
 * frames_pool_free() - Free a pool from frames_pool() and its buffer
 * @p:		Pool
 */
static inline void frames_pool_free(struct pool *p)
{
	free(p->buf);
	free(p);
}

/**
 * frames_csum() - Internet checksum (RFC 1071), written independently
 * @buf:	Data
 * @len:	Length
 * @sum:	Initial running sum (pseudo-header), 0 if none
 *
 * Return: folded one's complement sum, host order: 0xffff over data that
 * includes a correct checksum
 */
static inline uint16_t frames_csum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * frames_pseudo4() - Running sum of an IPv4 pseudo-header
 * @src:	Source address, network order bytes
 * @dst:	Destination address, network order bytes
 * @proto:	Protocol
 * @l4len:	Layer-4 length
 *
 * Return: running sum for frames_csum()
 */
static inline uint32_t frames_pseudo4(const void *src, const void *dst,
				      uint8_t proto, size_t l4len)
{
	const uint8_t *s = src, *d = dst;

	return ((uint32_t)s[0] << 8 | s[1]) + ((uint32_t)s[2] << 8 | s[3]) +
	       ((uint32_t)d[0] << 8 | d[1]) + ((uint32_t)d[2] << 8 | d[3]) +
	       proto + (uint32_t)l4len;
}

/**
 * frames_eth() - Write an Ethernet header
 * @f:		Frame, at least ETH_HLEN_ bytes
 * @dst:	Destination MAC
 * @src:	Source MAC
 * @type:	Ethertype, host order
 */
static inline void frames_eth(uint8_t *f, const uint8_t *dst,
			      const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, ETH_ALEN_);
	memcpy(f + ETH_ALEN_, src, ETH_ALEN_);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
}

/**
 * frames_udp4() - Build an Ethernet/IPv4/UDP frame, checksums set
 * @f:		Output, at least ETH_HLEN_ + IP4_HLEN + UDP_HLEN + @dlen
 * @src_mac:	Source MAC (destination is broadcast)
 * @src:	Source address, dotted quad
 * @dst:	Destination address, dotted quad
 * @sport:	Source port
 * @dport:	Destination port
 * @data:	Payload
 * @dlen:	Payload length
 *
 * Return: frame length
 */
static inline size_t frames_udp4(uint8_t *f, const uint8_t *src_mac,
				 const char *src, const char *dst,
				 uint16_t sport, uint16_t dport,
				 const void *data, size_t dlen)
{
	static const uint8_t bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff };
	uint8_t *ip = f + ETH_HLEN_, *uh = ip + IP4_HLEN;
	size_t ulen = UDP_HLEN + dlen, tot = IP4_HLEN + ulen;
	uint16_t sum;

	assert_true(tot <= 65535);
	frames_eth(f, bcast, src_mac, 0x0800);
	memset(ip, 0, IP4_HLEN);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	assert_int_equal(inet_pton(AF_INET, src, ip + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, ip + 16), 1);
	sum = (uint16_t)~frames_csum(ip, IP4_HLEN, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;

	uh[0] = (uint8_t)(sport >> 8);
	uh[1] = (uint8_t)sport;
	uh[2] = (uint8_t)(dport >> 8);
	uh[3] = (uint8_t)dport;
	uh[4] = (uint8_t)(ulen >> 8);
	uh[5] = (uint8_t)ulen;
	uh[6] = uh[7] = 0;
	if (dlen)
		memcpy(uh + UDP_HLEN, data, dlen);
	sum = (uint16_t)~frames_csum(uh, ulen, frames_pseudo4(ip + 12, ip + 16,
							      IPPROTO_UDP,
							      ulen));
	uh[6] = (uint8_t)(sum >> 8);
	uh[7] = (uint8_t)sum;
	return ETH_HLEN_ + tot;
}

/**
 * frames_recv() - Read one frame the code under test sent, if any
 * @e:		Environment
 * @buf:	Buffer
 * @size:	Size of @buf
 *
 * Return: frame length, or -1 if nothing is queued
 */
static inline ssize_t frames_recv(const struct frames_env *e, uint8_t *buf,
				  size_t size)
{
	ssize_t n;

	do {
		n = recv(e->sv[1], buf, size, MSG_DONTWAIT | MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		return -1;
	}
	assert_true((size_t)n <= size);
	return n;
}

/**
 * frames_check_udp4() - Check Ethernet, IPv4 and UDP headers of a reply
 * @e:		Environment, for our MAC address
 * @f:		Frame
 * @len:	Frame length
 * @dst_mac:	Expected destination MAC
 * @src:	Expected source address, dotted quad
 * @dst:	Expected destination address, dotted quad
 * @sport:	Expected source port
 * @dport:	Expected destination port
 *
 * Fails the test unless lengths agree and both checksums are valid.
 *
 * Return: offset of the UDP payload in @f
 */
static inline size_t frames_check_udp4(const struct frames_env *e,
				       const uint8_t *f, size_t len,
				       const uint8_t *dst_mac, const char *src,
				       const char *dst, uint16_t sport,
				       uint16_t dport)
{
	const uint8_t *ip = f + ETH_HLEN_, *uh = ip + IP4_HLEN;
	uint8_t a[4];
	size_t ulen;

	assert_true(len >= ETH_HLEN_ + IP4_HLEN + UDP_HLEN);
	assert_memory_equal(f, dst_mac, ETH_ALEN_);
	assert_memory_equal(f + ETH_ALEN_, e->c->our_mac, ETH_ALEN_);
	assert_int_equal(f[12] << 8 | f[13], 0x0800);

	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[2] << 8 | ip[3], len - ETH_HLEN_);
	assert_int_equal(ip[6] & 0x3f, 0);	/* not a fragment */
	assert_int_equal(ip[7], 0);
	assert_true(ip[8] > 0);
	assert_int_equal(ip[9], IPPROTO_UDP);
	assert_int_equal(frames_csum(ip, IP4_HLEN, 0), 0xffff);
	assert_int_equal(inet_pton(AF_INET, src, a), 1);
	assert_memory_equal(ip + 12, a, 4);
	assert_int_equal(inet_pton(AF_INET, dst, a), 1);
	assert_memory_equal(ip + 16, a, 4);

	ulen = (size_t)(uh[4] << 8 | uh[5]);
	assert_int_equal(uh[0] << 8 | uh[1], sport);
	assert_int_equal(uh[2] << 8 | uh[3], dport);
	assert_int_equal(ulen, len - ETH_HLEN_ - IP4_HLEN);
	assert_true(uh[6] || uh[7]);	/* checksum present */
	assert_int_equal(frames_csum(uh, ulen,
				     frames_pseudo4(ip + 12, ip + 16,
						    IPPROTO_UDP, ulen)),
			 0xffff);
	return ETH_HLEN_ + IP4_HLEN + UDP_HLEN;
}

/**
 * frames_log_setup() - Log to standard error, verbose if TEST_VERBOSE is set
 * @l:		Logging state, must outlive every test (e.g. in main())
 */
static inline void frames_log_setup(struct log_ctx *l)
{
	bool verbose = getenv("TEST_VERBOSE") != NULL;

	memset(l, 0, sizeof(*l));
	l->level = verbose ? LOG_DEBUG : LOG_WARNING;
	l->trace = verbose;
	l->to_stderr = true;
	l->file_fd = -1;
	l->ident = "test";
	log_setup(l);
}

#endif /* FRAMES_H */
