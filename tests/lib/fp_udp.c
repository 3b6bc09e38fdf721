// SPDX-License-Identifier: GPL-2.0-or-later
/* fp_udp.c - test driver: datagrams of every size through a UDP pair in the
 * eBPF fast path (loader/fastpath.c)
 *
 * A client socket and one proxy socket live on 127.0.0.1 of our namespace,
 * the other proxy socket and a server socket on 127.0.0.1 of the namespace
 * given with --ns; each pair is connected.  The proxy sockets go to the
 * fast path, then for each size from 1 to --max (step --step) the client
 * sends a datagram, the server checks it arrived whole and sends one back,
 * which the client checks.  Prints counters as "key=value" lines; exits 0
 * if every datagram arrived intact, 77 if the fast path can't load.
 *
 * Usage: fp_udp --ns PATH [--max BYTES] [--step N]
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "fastpath.h"
#include "log.h"
#include "util.h"

#define FPU_MAX		65507

/**
 * fpu_pair() - Two UDP sockets on 127.0.0.1, connected to each other
 * @s:		Filled with the sockets
 */
static void fpu_pair(int s[2])
{
	struct sockaddr_in a[2];
	socklen_t sl = sizeof(a[0]);
	int i;

	for (i = 0; i < 2; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].sin_family = AF_INET;
		a[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s[i] < 0 || bind(s[i], (struct sockaddr *)&a[i], sl) ||
		    getsockname(s[i], (struct sockaddr *)&a[i], &sl))
			die_perror("UDP socket");
	}
	if (connect(s[0], (struct sockaddr *)&a[1], sl) ||
	    connect(s[1], (struct sockaddr *)&a[0], sl))
		die_perror("connect");
}

/**
 * fpu_fill() - Pattern for one datagram
 * @buf:	Buffer
 * @len:	Size
 * @tag:	Direction and size mixed in, so stale datagrams don't match
 */
static void fpu_fill(unsigned char *buf, size_t len, unsigned tag)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 31 + tag * 7 + (i >> 8)) & 0xff);
}

/**
 * fpu_check() - Receive one datagram and compare it with the pattern
 * @s:		Socket
 * @exp:	Expected bytes
 * @len:	Expected size
 * @got:	Receive buffer, FPU_MAX + 1 bytes
 *
 * Return: 0 if it arrived whole within 2 s, -1 otherwise
 */
static int fpu_check(int s, const unsigned char *exp, size_t len,
		     unsigned char *got)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, 2000) != 1)
		return -1;
	n = recv(s, got, FPU_MAX + 1, MSG_DONTWAIT);
	if (n != (ssize_t)len || memcmp(got, exp, len) != 0) {
		debug("size %zu: got %zd bytes", len, n);
		return -1;
	}
	return 0;
}

/**
 * main() - Set up, send every size both ways, report
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if all arrived intact, 1 if not, 77 without the fast path
 */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ns",	  required_argument, NULL, 'n' },
		{ "max",  required_argument, NULL, 'm' },
		{ "step", required_argument, NULL, 's' },
		{ 0 },
	};
	static unsigned char out[FPU_MAX], in[FPU_MAX + 1];
	static struct ctx ctx;
	struct ctx *c = &ctx;
	int a[2], b[2], own, ns = -1, o, bad = 0;
	size_t len, max = FPU_MAX, step = 1, sizes = 0;
	struct fastpath_counters n = { 0 };
	uint64_t cookie[2];

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			ns = open(optarg, O_RDONLY | O_CLOEXEC);
			if (ns < 0)
				die_perror("--ns %s", optarg);
			break;
		case 'm': max = MIN(strtoul(optarg, NULL, 0), FPU_MAX);	break;
		case 's': step = MAX(strtoul(optarg, NULL, 0), 1);	break;
		default:  die("bad option, see the file header");
		}
	}
	if (ns < 0)
		die("--ns is needed");
	c->mode = MODE_PASTA;
	c->log.level = LOG_INFO;
	c->log.to_stderr = true;
	c->log.file_fd = -1;
	c->log.ident = "fp_udp";
	log_setup(&c->log);
	fastpath_init(c);
	if (!fastpath_active(c))
		return 77;

	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		die_perror("own namespace");
	fpu_pair(a);			/* a[0]: client, a[1]: proxy side A */
	if (setns(ns, CLONE_NEWNET))
		die_perror("setns");
	fpu_pair(b);			/* b[0]: proxy side B, b[1]: server */
	if (setns(own, CLONE_NEWNET))
		die_perror("setns back");

	if (fastpath_udp_pair_add(c, (int[]){ a[1], b[0] }, cookie))
		die("fastpath_udp_pair_add");

	for (len = 1; len <= max; len += step) {
		fpu_fill(out, len, (unsigned)len * 2);
		if (send(a[0], out, len, 0) != (ssize_t)len)
			die_perror("send %zu", len);
		bad += fpu_check(b[1], out, len, in) ? 1 : 0;
		fpu_fill(out, len, (unsigned)len * 2 + 1);
		if (send(b[1], out, len, 0) != (ssize_t)len)
			die_perror("send back %zu", len);
		bad += fpu_check(a[0], out, len, in) ? 1 : 0;
		sizes++;
	}

	fastpath_counters(c, &n);
	fastpath_udp_pair_remove(c, cookie);
	printf("sizes=%zu\nbad=%d\nredirected=%llu\nredirected_bytes=%llu\n"
	       "passed=%llu\nno_target=%llu\n", sizes, bad,
	       (unsigned long long)n.redirected,
	       (unsigned long long)n.redirected_bytes,
	       (unsigned long long)n.passed, (unsigned long long)n.no_target);
	fastpath_exit(c);
	return bad ? 1 : 0;
}
