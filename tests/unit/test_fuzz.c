// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fuzz.c - random, truncated and oversized frames through every parser
 *
 * Frames are random bytes shaped just enough (ethertype, IP version and
 * header length, protocol, ports, ICMPv6 types) to reach the ARP, DHCP, NDP,
 * DHCPv6 and ICMP parsers behind tap_handle_frame(), with lengths from 0 to
 * the largest frame we accept.  The test passes if nothing crashes; under
 * ASan/UBSan (make asan) any read outside a frame also fails it.  Replies go
 * to a socketpair and are discarded.
 *
 * Random frames name random destinations: the test first moves into a new
 * user and network namespace, where nothing is routable, so that whatever
 * the handlers send goes nowhere.  Where that namespace can't be created,
 * ICMP echo is disabled instead (--no-icmp).
 */

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctx.h"
#include "icmp.h"
#include "log.h"
#include "packet.h"
#include "tap.h"
#include "util.h"

#define FUZZ_FRAMES	30000
#define FUZZ_BUF	((PKT_MAX_FRAME + 16 + 7) & ~7)

/**
 * fuzz_rand() - xorshift64 step, reproducible across runs
 * @s:		State
 *
 * Return: next pseudo-random value
 */
static uint64_t fuzz_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/**
 * fuzz_pick() - Pick one of a few values, or a random byte sometimes
 * @s:		Random state
 * @v:		Candidate values
 * @n:		Number of candidates
 *
 * Return: chosen value
 */
static unsigned fuzz_pick(uint64_t *s, const unsigned *v, size_t n)
{
	uint64_t r = fuzz_rand(s);

	return r % 8 ? v[(r >> 8) % n] : (unsigned)(r >> 16) & 0xff;
}

/**
 * fuzz_shape() - Make random bytes look like a frame for some parser
 * @s:		Random state
 * @f:		Frame bytes
 * @len:	Frame length
 */
static void fuzz_shape(uint64_t *s, uint8_t *f, size_t len)
{
	static const unsigned l4_4[] = { 17, 1, 6 };
	static const unsigned l4_6[] = { 58, 17, 0 };
	static const unsigned icmp6[] = { 133, 134, 135, 136, 128, 129 };
	static const unsigned ports[] = { 67, 68, 547, 546 };
	uint64_t r = fuzz_rand(s);
	size_t l4;

	if (len < 14)
		return;
	switch (r % 4) {
	case 0:	f[12] = 0x08; f[13] = 0x06; return;	/* ARP */
	case 1: f[12] = 0x08; f[13] = 0x00; break;
	case 2: f[12] = 0x86; f[13] = 0xdd; break;
	default: return;				/* anything */
	}
	if (f[13] == 0x00 && len >= 34) {
		f[14] = (r >> 8) % 16 ? 0x45 : (uint8_t)(0x40 | ((r >> 12) & 15));
		if ((r >> 16) % 4) {			/* consistent length */
			f[16] = (uint8_t)((len - 14) >> 8);
			f[17] = (uint8_t)(len - 14);
		}
		f[20] = f[21] = 0;			/* not a fragment */
		f[23] = (uint8_t)fuzz_pick(s, l4_4, 3);
		l4 = 14 + (size_t)(f[14] & 15) * 4;
	} else if (f[13] == 0xdd && len >= 54) {
		f[14] = 0x60;
		if ((r >> 16) % 4) {
			f[18] = (uint8_t)((len - 54) >> 8);
			f[19] = (uint8_t)(len - 54);
		}
		f[20] = (uint8_t)fuzz_pick(s, l4_6, 3);
		f[21] = 255;
		l4 = 54;
		if (f[20] == 0 && len >= 62) {		/* hop-by-hop first */
			f[54] = 58;
			f[55] = 0;
			l4 = 62;
		}
	} else {
		return;
	}
	if (l4 + 8 > len)
		return;
	if ((f[13] == 0x00 && f[23] == 17) || (f[13] == 0xdd && f[20] == 17)) {
		unsigned port = fuzz_pick(s, ports, 4);

		f[l4 + 2] = (uint8_t)(port >> 8);
		f[l4 + 3] = (uint8_t)port;
	} else if (f[13] == 0xdd) {
		f[l4] = (uint8_t)fuzz_pick(s, icmp6, 6);
		f[l4 + 1] = 0;
	}
}

/**
 * fuzz_len() - Frame length: mostly small, sometimes up to the maximum
 * @s:		Random state
 *
 * Return: length in bytes
 */
static size_t fuzz_len(uint64_t *s)
{
	uint64_t r = fuzz_rand(s);

	switch (r % 4) {
	case 0: return (r >> 8) % 64;
	case 1: return (r >> 8) % 600;
	case 2: return (r >> 8) % 2048;
	default: return (r >> 8) % (PKT_MAX_FRAME + 1);
	}
}

/**
 * test_fuzz_frames() - Random frames through tap_handle_frame()
 * @state:	cmocka state (unused)
 */
static void test_fuzz_frames(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	uint8_t *buf = aligned_alloc(8, FUZZ_BUF), *f = buf + TAP_FRAME_ALIGN_OFF;
	char drain[PKT_MAX_FRAME];
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	struct pool *p;
	int sv[2], i;

	(void)state;
	assert_non_null(c);
	assert_non_null(buf);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	p = pool_new((char *)buf, FUZZ_BUF, 1);
	assert_non_null(p);

	c->mode = MODE_PASTA;
	c->log.file_fd = -1;
	c->log.level = LOG_ERR;		/* every dropped frame logs at debug */
	log_setup(&c->log);
	c->fd_tap = sv[0];
	c->fd_pcap = -1;
	c->ifi4 = c->ifi6 = 1;
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	assert_true(c->epollfd >= 0);
	assert_int_equal(icmp_init(c), 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		c->no_icmp = true;	/* nowhere safe to send echoes to */
	c->dhcp_dns = c->dhcp_search = true;
	c->mtu = 65520;
	inet_pton(AF_INET, "192.0.2.2", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.gw);
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.dns[0]);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET6, "2001:db8:1::2", &c->ip6.addr);
	inet_pton(AF_INET6, "2001:db8:1::1", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "2001:db8:1::1", &c->ip6.dns[0]);
	c->ip6.prefix_len = 64;
	strcpy(c->dns_search[0], "test.example");
	memset(c->our_mac, 0x9a, sizeof(c->our_mac));
	memset(c->guest_mac, 0xff, sizeof(c->guest_mac));

	for (i = 0; i < FUZZ_FRAMES; i++) {
		size_t len = fuzz_len(&s), j;

		for (j = 0; j < len; j += 8) {
			uint64_t r = fuzz_rand(&s);

			memcpy(f + j, &r, MIN(8, len - j));
		}
		fuzz_shape(&s, f, len);
		pool_flush(p);
		assert_int_equal(packet_add(p, len, (char *)f), 0);
		tap_handle_frame(c, p, 0);
		while (recv(sv[1], drain, sizeof(drain), MSG_DONTWAIT) > 0)
			;
	}

	icmp_reset(c);
	close(c->epollfd);
	close(sv[0]);
	close(sv[1]);
	free(c->icmp.sock4);
	free(c->icmp.sock6);
	free(c->icmp.ts4);
	free(c->icmp.ts6);
	free(p);
	free(buf);
	free(c);
}

/**
 * main() - Run the fuzz test
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
