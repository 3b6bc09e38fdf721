// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_tap.c - libFuzzer harness: arbitrary bytes as a frame from the guest
 *
 * Each input is one Ethernet frame handed to tap_handle_frame(), the entry
 * of every tap-side parser: ARP, DHCP, NDP, DHCPv6, ICMP echo, TCP and UDP.
 * Whatever the handlers send towards the guest goes to a socketpair and is
 * discarded.
 *
 * Frames name arbitrary destinations, and the TCP and UDP handlers open
 * real sockets towards them: the harness first moves into a new user and
 * network namespace, where nothing is routable, and refuses to run if it
 * can't.  Build with `make fuzz`; tests/ns/fuzz.sh runs it.
 */

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "icmp.h"
#include "log.h"
#include "packet.h"
#include "tap.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

#define FUZZ_BUF	((PKT_MAX_FRAME + 16 + 7) & ~7)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * struct fuzz_state - what every input needs, set up once
 * @c:		Execution context, as pasta's after start
 * @buf:	Frame buffer, 8-byte aligned
 * @p:		Pool of one frame over @buf
 * @sv:		Socketpair standing in for the tap: [0] ours, [1] drained
 */
static struct fuzz_state {
	struct ctx *c;
	uint8_t *buf;
	struct pool *p;
	int sv[2];
} fuzz;

/**
 * fuzz_die() - Report a setup failure and exit
 * @what:	What failed
 */
static void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_tap: %s\n", what);
	exit(1);
}

/**
 * LLVMFuzzerInitialize() - Isolate the process, set up a pasta-like context
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
/* cppcheck-suppress unusedFunction ; libFuzzer calls it */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ctx *c = calloc(1, sizeof(*c));

	(void)argc;
	(void)argv;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		fuzz_die("can't create an isolated namespace: not fuzzing");
	fuzz.buf = aligned_alloc(8, FUZZ_BUF);
	if (!c || !fuzz.buf)
		fuzz_die("out of memory");
	fuzz.p = pool_new((char *)fuzz.buf, FUZZ_BUF, 1);
	if (!fuzz.p || socketpair(AF_UNIX, SOCK_DGRAM, 0, fuzz.sv) ||
	    fcntl(fuzz.sv[0], F_SETFL, O_NONBLOCK))
		fuzz_die("setup failed");

	c->mode = MODE_PASTA;
	c->log.file_fd = -1;
	c->log.level = LOG_ERR;		/* every dropped frame logs at debug */
	log_setup(&c->log);
	c->fd_tap = fuzz.sv[0];
	c->fd_pcap = -1;
	c->ifi4 = c->ifi6 = 1;
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
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
	memcpy(c->dns_search[0], "test.example", sizeof("test.example"));
	memset(c->our_mac, 0x9a, sizeof(c->our_mac));
	memset(c->guest_mac, 0xff, sizeof(c->guest_mac));
	clock_gettime(CLOCK_MONOTONIC, &c->now);
	if (c->epollfd < 0 || icmp_init(c) || udp_init(c) || tcp_init(c))
		fuzz_die("can't initialise the protocol handlers");
	fuzz.c = c;
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - One input as one frame from the guest
 * @data:	Frame bytes
 * @size:	Frame length
 *
 * Return: 0, or -1 for inputs longer than any frame (not kept in corpus)
 */
/* cppcheck-suppress unusedFunction ; libFuzzer calls it */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = fuzz.buf + TAP_FRAME_ALIGN_OFF;
	char drain[PKT_MAX_FRAME];

	if (size > PKT_MAX_FRAME)
		return -1;
	memcpy(f, data, size);
	pool_flush(fuzz.p);
	if (packet_add(fuzz.p, size, (char *)f))
		return 0;
	tap_handle_frame(fuzz.c, fuzz.p, 0);
	while (recv(fuzz.sv[1], drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	return 0;
}
