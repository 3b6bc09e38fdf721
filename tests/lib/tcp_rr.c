// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_rr.c - benchmark helper: TCP request/response latency and new
 * connections per second, 1 byte each way
 *
 * server: listens on ADDR PORT (IPv4 or IPv6, after the form of ADDR),
 *	answers every byte received on any accepted connection with the same
 *	byte, writes "ok" to READYFILE once listening, and exits after SECS
 *	seconds, or once it has answered a quit byte ('q'), which the clients
 *	send when they are done, and seen that client close (at most 1 s
 *	later): a forwarder in between (pasta, which exits with its command)
 *	then has passed the answer on before the server exits.  So a server
 *	serves one client run, as the benchmarks use it.  At most TCP_RR_CONNS
 *	connections are served at once; more wait in the listen backlog
 *	(and their clients time out if none of the others closes).
 * rr:	one connection (TCP_NODELAY), N round trips of 1 byte.
 * crr:	N times: connect, 1 byte each way, close.
 *
 * The clients time every round trip (rr) or connection (crr) with
 * CLOCK_MONOTONIC and print, one "key=value" a line: transactions_per_s
 * (rr) or connections_per_s (crr), median_us, p99_us, n and secs.  Every
 * socket has 5 s send and receive timeouts and a client gives up after 60
 * s in all: an error is printed and the exit status is 1.
 *
 * Usage: tcp_rr server ADDR PORT SECS READYFILE
 *	  tcp_rr rr ADDR PORT N
 *	  tcp_rr crr ADDR PORT N
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define TCP_RR_CONNS		64	/* connections a server serves at once */
#define TCP_RR_MAX_N		1000000	/* round trips or connections, 8 MB */
#define TCP_RR_MAX_SECS		3600	/* longest server lifetime */
#define TCP_RR_IO_TIMEOUT_S	5	/* per socket operation */
#define TCP_RR_DEADLINE_S	60	/* whole client run */
#define TCP_RR_REQ		'x'
#define TCP_RR_QUIT		'q'

/**
 * struct tcp_rr_addr - where to listen or connect
 * @sa:		Socket address, AF_INET or AF_INET6
 * @sa.sa:	Generic view
 * @sa.sa4:	IPv4
 * @sa.sa6:	IPv6
 * @len:	Length of the address in use
 */
struct tcp_rr_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in sa4;
		struct sockaddr_in6 sa6;
	} sa;
	socklen_t len;
};

/**
 * tcp_rr_ulong() - Parse a decimal number within bounds
 * @s:		Text
 * @min:	Smallest value accepted
 * @max:	Largest value accepted
 * @what:	Name for the error message
 *
 * Return: the number; exits with an error if @s isn't one in range
 */
static unsigned long tcp_rr_ulong(const char *s, unsigned long min,
				  unsigned long max, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		die("tcp_rr: bad %s '%s' (%lu to %lu)", what, s, min, max);
	return v;
}

/**
 * tcp_rr_addr_parse() - Socket address from an address and a port
 * @addr:	IPv4 or IPv6 address, numeric
 * @port:	Port, decimal
 * @a:		Filled with the socket address
 *
 * Exits with an error if either can't be parsed.
 */
static void tcp_rr_addr_parse(const char *addr, const char *port,
			      struct tcp_rr_addr *a)
{
	uint16_t p = (uint16_t)tcp_rr_ulong(port, 1, 65535, "port");

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, addr, &a->sa.sa4.sin_addr) == 1) {
		a->sa.sa4.sin_family = AF_INET;
		a->sa.sa4.sin_port = htons(p);
		a->len = sizeof(a->sa.sa4);
	} else if (inet_pton(AF_INET6, addr, &a->sa.sa6.sin6_addr) == 1) {
		a->sa.sa6.sin6_family = AF_INET6;
		a->sa.sa6.sin6_port = htons(p);
		a->len = sizeof(a->sa.sa6);
	} else {
		die("tcp_rr: bad address '%s'", addr);
	}
}

/**
 * tcp_rr_now() - Monotonic time
 *
 * Return: nanoseconds on CLOCK_MONOTONIC; exits if the clock fails
 */
static uint64_t tcp_rr_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die_perror("tcp_rr: clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * tcp_rr_timeouts() - Bound every send and receive on a socket
 * @s:		Socket
 *
 * Return: 0 on success, -1 with errno set on failure
 */
static int tcp_rr_timeouts(int s)
{
	struct timeval tv = { .tv_sec = TCP_RR_IO_TIMEOUT_S };

	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -1;
	return 0;
}

/**
 * tcp_rr_nodelay() - Send small segments at once (no Nagle)
 * @s:		TCP socket
 *
 * Return: 0 on success, -1 with errno set on failure
 */
static int tcp_rr_nodelay(int s)
{
	int one = 1;

	return setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/**
 * tcp_rr_ready() - Write "ok" to the file the caller waits for
 * @path:	File, created or truncated
 *
 * Exits with an error on failure.
 */
static void tcp_rr_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die_perror("tcp_rr: %s", path);
	if (write(fd, "ok\n", 3) != 3)
		die_perror("tcp_rr: write %s", path);
	if (close(fd))
		die_perror("tcp_rr: close %s", path);
}

/**
 * tcp_rr_listen() - Listening socket
 * @a:		Address to bind
 *
 * Return: the socket; exits with an error on failure
 */
static int tcp_rr_listen(const struct tcp_rr_addr *a)
{
	int s = socket(a->sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (s < 0)
		die_perror("tcp_rr: socket");
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die_perror("tcp_rr: SO_REUSEADDR");
	if (a->sa.sa.sa_family == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		die_perror("tcp_rr: IPV6_V6ONLY");
	if (bind(s, &a->sa.sa, a->len))
		die_perror("tcp_rr: bind");
	if (listen(s, 128))
		die_perror("tcp_rr: listen");
	return s;
}

/**
 * tcp_rr_accept() - Accept a connection and add it to the poll set
 * @pfd:	Poll set, listener first, then @*n - 1 connections
 * @n:		Entries in @pfd, updated
 *
 * Return: 0 on success or a transient failure, -1 on a fatal one
 */
static int tcp_rr_accept(struct pollfd *pfd, nfds_t *n)
{
	int s = accept4(pfd[0].fd, NULL, NULL, SOCK_CLOEXEC);

	if (s < 0) {
		if (errno == EINTR || errno == EAGAIN ||
		    errno == ECONNABORTED)
			return 0;
		err_perror("tcp_rr: accept");
		return -1;
	}
	if (tcp_rr_nodelay(s) || tcp_rr_timeouts(s)) {
		err_perror("tcp_rr: accepted socket options");
		if (close(s))
			err_perror("tcp_rr: close");
		return -1;
	}
	pfd[*n].fd = s;
	pfd[*n].events = POLLIN;
	pfd[*n].revents = 0;
	(*n)++;
	if (*n == TCP_RR_CONNS + 1)
		pfd[0].events = 0;	/* full: leave the rest queued */
	return 0;
}

/**
 * tcp_rr_answer() - Answer what a connection sent, byte for byte
 * @s:		Connected socket, readable
 * @quit:	Set to @s if a quit byte was among them
 *
 * Return: 0 if the connection stays, -1 if it ended (closed by the peer,
 * reset, timed out)
 */
static int tcp_rr_answer(int s, int *quit)
{
	char buf[64];
	ssize_t r = read(s, buf, sizeof(buf)), w;

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return -1;
	w = write(s, buf, (size_t)r);
	if (w != r) {
		if (w < 0)
			warn_perror("tcp_rr: write");
		else
			warn("tcp_rr: short write, %zd of %zd bytes", w, r);
		return -1;
	}
	if (memchr(buf, TCP_RR_QUIT, (size_t)r))
		*quit = s;
	return 0;
}

/**
 * tcp_rr_linger() - Wait up to 1 s for the quitting client to close
 * @s:		That connection
 */
static void tcp_rr_linger(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char buf[64];
	int ret;

	ret = poll(&p, 1, 1000);
	if (ret < 0)
		warn_perror("tcp_rr: poll");
	else if (ret > 0 && read(s, buf, sizeof(buf)) < 0)
		warn_perror("tcp_rr: read");
}

/**
 * tcp_rr_server() - Answer 1-byte requests until told to quit or @secs pass
 * @a:		Address to listen on
 * @secs:	Lifetime, seconds
 * @ready:	File to write once listening
 *
 * Return: 0 when told to quit or at the end of @secs, 1 on a fatal error
 */
static int tcp_rr_server(const struct tcp_rr_addr *a, unsigned long secs,
			 const char *ready)
{
	uint64_t end = tcp_rr_now() + secs * 1000000000ULL;
	struct pollfd pfd[TCP_RR_CONNS + 1];
	int quit = -1, rc = 0;
	nfds_t n = 1, i;

	pfd[0].fd = tcp_rr_listen(a);
	pfd[0].events = POLLIN;
	tcp_rr_ready(ready);

	while (quit < 0 && !rc) {
		uint64_t now = tcp_rr_now();
		int ms, ret;

		if (now >= end)
			break;
		ms = (int)MIN((end - now) / 1000000ULL + 1, 1000ULL);
		ret = poll(pfd, n, ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			err_perror("tcp_rr: poll");
			rc = 1;
			break;
		}
		for (i = n - 1; i >= 1; i--) {
			if (!pfd[i].revents)
				continue;
			if (!tcp_rr_answer(pfd[i].fd, &quit))
				continue;
			if (close(pfd[i].fd))
				warn_perror("tcp_rr: close");
			pfd[i] = pfd[--n];
			pfd[0].events = POLLIN;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			err("tcp_rr: error on the listening socket");
			rc = 1;
		} else if ((pfd[0].revents & POLLIN) &&
			   tcp_rr_accept(pfd, &n)) {
			rc = 1;
		}
	}

	if (quit >= 0)
		tcp_rr_linger(quit);
	for (i = 0; i < n; i++) {
		if (close(pfd[i].fd))
			warn_perror("tcp_rr: close");
	}
	return rc;
}

/**
 * tcp_rr_connect() - Connected TCP socket with bounded operations
 * @a:		Address to connect to
 * @nodelay:	Set TCP_NODELAY
 *
 * Return: the socket, or -1 on failure (reported)
 */
static int tcp_rr_connect(const struct tcp_rr_addr *a, int nodelay)
{
	int s = socket(a->sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0) {
		err_perror("tcp_rr: socket");
		return -1;
	}
	if (tcp_rr_timeouts(s) || (nodelay && tcp_rr_nodelay(s))) {
		err_perror("tcp_rr: socket options");
		goto fail;
	}
	if (connect(s, &a->sa.sa, a->len)) {
		err_perror("tcp_rr: connect");
		goto fail;
	}
	return s;
fail:
	if (close(s))
		err_perror("tcp_rr: close");
	return -1;
}

/**
 * tcp_rr_once() - Send one byte, read the one byte answer
 * @s:		Connected socket
 * @b:		Byte to send
 *
 * Return: 0 on success, -1 on failure (reported)
 */
static int tcp_rr_once(int s, char b)
{
	ssize_t r;
	char in;

	r = write(s, &b, 1);
	if (r != 1) {
		if (r < 0)
			err_perror("tcp_rr: write");
		else
			err("tcp_rr: nothing written");
		return -1;
	}
	do
		r = read(s, &in, 1);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		err("tcp_rr: no answer in %d s", TCP_RR_IO_TIMEOUT_S);
		return -1;
	}
	if (r < 0) {
		err_perror("tcp_rr: read");
		return -1;
	}
	if (r == 0) {
		err("tcp_rr: connection closed by the server");
		return -1;
	}
	if (in != b) {
		err("tcp_rr: answer 0x%02x, expected 0x%02x",
		    (unsigned char)in, (unsigned char)b);
		return -1;
	}
	return 0;
}

/**
 * tcp_rr_cmp() - Order two durations, for qsort()
 * @a:		First duration, uint64_t nanoseconds
 * @b:		Second duration
 *
 * Return: negative, zero or positive as @a is shorter, equal or longer
 */
static int tcp_rr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/**
 * tcp_rr_pct() - Percentile of sorted durations, nearest rank
 * @t:		Durations, sorted, nanoseconds
 * @n:		Number of durations, at least one
 * @pct:	Percentile, 1 to 100
 *
 * Return: the duration at rank ceil(@pct / 100 * @n), in microseconds
 */
static double tcp_rr_pct(const uint64_t *t, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;

	return (double)t[MAX(rank, 1) - 1] / 1000.0;
}

/**
 * tcp_rr_report() - Print rate, median and 99th percentile
 * @rate_key:	Name of the rate line
 * @t:		Durations, nanoseconds (sorted here)
 * @n:		Number of durations
 * @total:	Time the whole run took, nanoseconds
 */
static void tcp_rr_report(const char *rate_key, uint64_t *t, size_t n,
			  uint64_t total)
{
	double secs = (double)total / 1e9;

	qsort(t, n, sizeof(*t), tcp_rr_cmp);
	printf("%s=%.0f\nmedian_us=%.1f\np99_us=%.1f\nn=%zu\nsecs=%.3f\n",
	       rate_key, secs > 0 ? (double)n / secs : 0.0,
	       tcp_rr_pct(t, n, 50), tcp_rr_pct(t, n, 99), n, secs);
}

/**
 * tcp_rr_quit() - Tell the server we're done, on a connection or a new one
 * @a:		Server address
 * @s:		Connected socket, or -1 to open one
 *
 * A failure is reported but doesn't fail the run: the server stops by
 * itself at the end of its lifetime anyway.
 */
static void tcp_rr_quit(const struct tcp_rr_addr *a, int s)
{
	int own = s < 0;

	if (own && (s = tcp_rr_connect(a, 1)) < 0)
		return;
	if (tcp_rr_once(s, TCP_RR_QUIT))
		warn("tcp_rr: the server wasn't told to quit");
	if (own && close(s))
		warn_perror("tcp_rr: close");
}

/**
 * tcp_rr_client() - Time N round trips on one connection, or N connections
 * @a:		Server address
 * @crr:	Connection per round trip (connect, 1 byte each way, close)
 * @n:		Round trips or connections
 *
 * Return: 0 on success, 1 on failure (reported)
 */
static int tcp_rr_client(const struct tcp_rr_addr *a, int crr, size_t n)
{
	uint64_t *t = calloc(n, sizeof(*t));
	uint64_t start, end, t0, t1;
	int s = -1, rc = 1;
	size_t i;

	if (!t) {
		err("tcp_rr: no memory for %zu durations", n);
		return 1;
	}
	start = tcp_rr_now();
	end = start + TCP_RR_DEADLINE_S * 1000000000ULL;
	if (!crr && (s = tcp_rr_connect(a, 1)) < 0)
		goto out;

	for (i = 0, t0 = tcp_rr_now(); i < n; i++, t0 = t1) {
		if (crr && (s = tcp_rr_connect(a, 0)) < 0)
			goto out;
		if (tcp_rr_once(s, TCP_RR_REQ))
			goto out;
		if (crr) {
			if (close(s)) {
				err_perror("tcp_rr: close");
				s = -1;
				goto out;
			}
			s = -1;
		}
		t1 = tcp_rr_now();
		t[i] = t1 - t0;
		if (t1 > end) {
			err("tcp_rr: %u s passed after %zu of %zu",
			    TCP_RR_DEADLINE_S, i + 1, n);
			goto out;
		}
	}
	tcp_rr_report(crr ? "connections_per_s" : "transactions_per_s", t,
		      n, tcp_rr_now() - start);
	rc = 0;
	tcp_rr_quit(a, s);
out:
	if (s >= 0 && close(s))
		err_perror("tcp_rr: close");
	free(t);
	return rc;
}

/**
 * main() - Run as server or client
 * @argc:	Argument count
 * @argv:	tcp_rr server|rr|crr ADDR PORT ...
 *
 * Return: 0 on success, 1 on failure
 */
int main(int argc, char **argv)
{
	struct tcp_rr_addr a;

	if (argc == 6 && !strcmp(argv[1], "server")) {
		tcp_rr_addr_parse(argv[2], argv[3], &a);
		return tcp_rr_server(&a, tcp_rr_ulong(argv[4], 1,
						       TCP_RR_MAX_SECS,
						       "seconds"), argv[5]);
	}
	if (argc == 5 && (!strcmp(argv[1], "rr") || !strcmp(argv[1], "crr"))) {
		size_t n;

		tcp_rr_addr_parse(argv[2], argv[3], &a);
		n = tcp_rr_ulong(argv[4], 1, TCP_RR_MAX_N, "count");
		return tcp_rr_client(&a, argv[1][0] == 'c', n);
	}
	fprintf(stderr, "Usage: %s server ADDR PORT SECS READYFILE\n"
		"       %s rr|crr ADDR PORT N\n", argv[0], argv[0]);
	return 1;
}
