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
 * With --bench SECS, measures instead: a sender blasts datagrams of --size
 * bytes for SECS seconds, a receiver counts what arrives, and the path in
 * between is --path: "fast" (the pair in the fast path), "relay" (a
 * process moving batches with recvmmsg()/sendmmsg(), as pasta's loopback
 * relay does) or "direct" (sender connected straight to the receiver, both
 * in our namespace).  With --to PORT (and --ns of the far side), the
 * sender sends to 127.0.0.1:PORT here and the receiver listens on
 * 127.0.0.1:PORT in --ns: whatever forwards that port (pasta -U...) is the
 * path.  Prints sent, received, bytes and gbps lines.  --stall: the
 * receiver reads nothing until the sender is done, and the fall of
 * MemAvailable meanwhile is printed (mem_drop_kb), to bound what the path
 * queues.
 *
 * Usage: fp_udp --ns PATH [--max BYTES] [--step N]
 *	  fp_udp --ns PATH --bench SECS [--size BYTES]
 *		 [--path fast|relay|direct | --to PORT] [--stall]
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
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "fastpath.h"
#include "log.h"
#include "util.h"

#define FPU_MAX		65507
#define FPU_BATCH	32	/* datagrams per recvmmsg()/sendmmsg() */

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
 * fpu_now() - Monotonic time in seconds
 *
 * Return: seconds
 */
static double fpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/**
 * fpu_mem_avail() - MemAvailable from /proc/meminfo
 *
 * Return: kB, 0 if unreadable
 */
static long fpu_mem_avail(void)
{
	char line[128];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/**
 * fpu_send_for() - Child: send datagrams of @len on @s for @secs seconds
 * @s:		Connected socket
 * @len:	Datagram size
 * @secs:	Duration
 * @out:	Pipe to report the count of datagrams sent
 */
static void fpu_send_for(int s, size_t len, double secs, int out)
{
	static unsigned char buf[FPU_MAX];
	double end = fpu_now() + secs;
	unsigned long long sent = 0;
	int i;

	fpu_fill(buf, len, 0);
	while (fpu_now() < end) {
		for (i = 0; i < 64; i++) {
			if (send(s, buf, len, 0) == (ssize_t)len)
				sent++;
		}
	}
	if (write(out, &sent, sizeof(sent)) != sizeof(sent))
		_exit(1);
	_exit(0);
}

/**
 * fpu_relay() - Child: move datagrams from @from to @to in batches, forever
 * @from:	Connected socket to read
 * @to:		Connected socket to write
 */
static void fpu_relay(int from, int to)
{
	/* cppcheck-suppress constVariable ; written through iov */
	static unsigned char bufs[FPU_BATCH][FPU_MAX];
	struct mmsghdr m[FPU_BATCH];
	struct iovec iov[FPU_BATCH];
	int i;

	for (i = 0; i < FPU_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = FPU_MAX;
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int n = recvmmsg(from, m, FPU_BATCH, MSG_WAITFORONE, NULL);

		if (n <= 0)
			continue;
		for (i = 0; i < n; i++)
			iov[i].iov_len = m[i].msg_len;
		if (sendmmsg(to, m, (unsigned)n, 0) < 0)
			debug_perror("sendmmsg");
		for (i = 0; i < n; i++)
			iov[i].iov_len = FPU_MAX;
	}
}

/**
 * fpu_bench() - Sender child for @secs, count what @rx receives, report
 * @tx:		Sending socket
 * @rx:		Receiving socket
 * @len:	Datagram size
 * @secs:	Duration
 * @stall:	Don't read until the sender is done: report how much
 *		MemAvailable fell meanwhile (lowest sample), then drain
 *
 * Return: 0 on success, -1 if the sender failed
 */
static int fpu_bench(int tx, int rx, size_t len, double secs, bool stall)
{
	long mem0 = fpu_mem_avail(), low = mem0;
	static unsigned char buf[FPU_MAX + 1];
	unsigned long long got = 0, bytes = 0, sent = 0;
	struct pollfd pfd = { .fd = rx, .events = POLLIN };
	double start, end;
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die_perror("pipe");
	pid = fork();
	if (pid < 0)
		die_perror("fork");
	if (!pid)
		fpu_send_for(tx, len, secs, p[1]);
	start = fpu_now();
	end = start + secs + 0.2;
	while (stall && fpu_now() < end) {
		long m = fpu_mem_avail();

		const struct timespec tick = { 0, 100 * 1000 * 1000 };

		low = MIN(low, m);
		nanosleep(&tick, NULL);
	}
	if (stall)
		end = fpu_now() + 1;
	while (fpu_now() < end) {
		ssize_t n;

		if (poll(&pfd, 1, 100) != 1)
			continue;
		while ((n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			got++;
			bytes += (unsigned long long)n;
		}
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) ||
	    read(p[0], &sent, sizeof(sent)) != sizeof(sent))
		return -1;
	printf("size=%zu\nsent=%llu\nreceived=%llu\nbytes=%llu\n"
	       "gbps=%.3f\n", len, sent, got, bytes, (double)bytes * 8 / secs / 1e9);
	if (stall)
		printf("mem_drop_kb=%ld\n", mem0 - low);
	return 0;
}

/**
 * fpu_bind_port() - UDP socket on 127.0.0.1:@port, connected if @conn
 * @port:	Port to bind (0: any), or to connect to if @conn
 * @conn:	Connect to 127.0.0.1:@port instead of binding it
 *
 * Return: socket
 */
static int fpu_bind_port(unsigned port, bool conn)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), sz = 4 << 20;

	if (s < 0)
		die_perror("UDP socket");
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
		debug_perror("SO_RCVBUF");
	if (conn ? connect(s, (struct sockaddr *)&a, sizeof(a)) :
		   bind(s, (struct sockaddr *)&a, sizeof(a)))
		die_perror("UDP port %u", port);
	return s;
}

/**
 * fpu_bench_to() - Bench through whatever forwards 127.0.0.1:@port from
 *		    our namespace to @ns
 * @ns:		Far namespace
 * @own:	Our namespace
 * @port:	Port
 * @len:	Datagram size
 * @secs:	Duration
 * @stall:	Receiver stalls, see fpu_bench()
 *
 * Return: 0 on success, 1 on failure
 */
static int fpu_bench_to(int ns, int own, unsigned port, size_t len,
			double secs, bool stall)
{
	int tx, rx;

	if (setns(ns, CLONE_NEWNET))
		die_perror("setns");
	rx = fpu_bind_port(port, false);
	if (setns(own, CLONE_NEWNET))
		die_perror("setns back");
	tx = fpu_bind_port(port, true);
	return fpu_bench(tx, rx, len, secs, stall) ? 1 : 0;
}

/**
 * fpu_bench_user() - Bench through a recvmmsg()/sendmmsg() relay between
 *		      the namespaces ("relay"), or straight ("direct")
 * @ns:		Far namespace
 * @own:	Our namespace
 * @path:	"relay" or "direct"
 * @len:	Datagram size
 * @secs:	Duration
 * @stall:	Receiver stalls, see fpu_bench()
 *
 * Return: 0 on success, 1 on failure
 */
static int fpu_bench_user(int ns, int own, const char *path, size_t len,
			  double secs, bool stall)
{
	int a[2], b[2], rc, sz = 4 << 20;
	pid_t relay;

	fpu_pair(a);
	if (!strcmp(path, "direct")) {
		if (setsockopt(a[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
			debug_perror("SO_RCVBUF");
		return fpu_bench(a[0], a[1], len, secs, stall) ? 1 : 0;
	}
	if (strcmp(path, "relay") != 0)
		die("--path: fast, relay or direct");
	if (setns(ns, CLONE_NEWNET))
		die_perror("setns");
	fpu_pair(b);
	if (setns(own, CLONE_NEWNET))
		die_perror("setns back");
	if (setsockopt(b[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) ||
	    setsockopt(a[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
		debug_perror("SO_RCVBUF");
	relay = fork();
	if (relay < 0)
		die_perror("fork");
	if (!relay)
		fpu_relay(a[1], b[0]);
	rc = fpu_bench(a[0], b[1], len, secs, stall);
	kill(relay, SIGKILL);
	waitpid(relay, NULL, 0);
	return rc ? 1 : 0;
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
		{ "bench", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 'z' },
		{ "path", required_argument, NULL, 'p' },
		{ "to",   required_argument, NULL, 't' },
		{ "stall", no_argument,	     NULL, 'S' },
		{ 0 },
	};
	static unsigned char out[FPU_MAX], in[FPU_MAX + 1];
	static struct ctx ctx;
	struct ctx *c = &ctx;
	int a[2], b[2], own, ns = -1, o, bad = 0;
	size_t len, max = FPU_MAX, step = 1, sizes = 0, size = 1400;
	const char *path = "fast";
	unsigned to = 0;
	bool stall = false;
	double secs = 0;
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
		case 'b': secs = strtod(optarg, NULL);			break;
		case 'z': size = MIN(strtoul(optarg, NULL, 0), FPU_MAX); break;
		case 'p': path = optarg;				break;
		case 't': to = (unsigned)strtoul(optarg, NULL, 0);	break;
		case 'S': stall = true;					break;
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
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		die_perror("own namespace");
	if (secs > 0 && to)
		return fpu_bench_to(ns, own, to, size, secs, stall);
	if (secs > 0 && strcmp(path, "fast") != 0)
		return fpu_bench_user(ns, own, path, size, secs, stall);

	fastpath_init(c);
	if (!fastpath_active(c))
		return 77;
	fpu_pair(a);			/* a[0]: client, a[1]: proxy side A */
	if (setns(ns, CLONE_NEWNET))
		die_perror("setns");
	fpu_pair(b);			/* b[0]: proxy side B, b[1]: server */
	if (setns(own, CLONE_NEWNET))
		die_perror("setns back");

	if (fastpath_udp_pair_add(c, (int[]){ a[1], b[0] }, cookie))
		die("fastpath_udp_pair_add");
	if (secs > 0) {
		int sz = 4 << 20, rc;

		if (setsockopt(b[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
			debug_perror("SO_RCVBUF");
		rc = fpu_bench(a[0], b[1], size, secs, stall);

		fastpath_counters(c, &n);
		printf("redirected=%llu\nredirected_bytes=%llu\n",
		       (unsigned long long)n.redirected,
		       (unsigned long long)n.redirected_bytes);
		fastpath_udp_pair_remove(c, cookie);
		fastpath_exit(c);
		return rc ? 1 : 0;
	}

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
