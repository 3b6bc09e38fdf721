// SPDX-License-Identifier: GPL-2.0-or-later
/* test_port_scan.c - unit tests for the inet_diag port scan (port_scan.c)
 *
 * Real sockets on the loopback address of whatever namespace the test runs
 * in (nothing is sent): the scan must report TCP listeners and unconnected
 * bound UDP sockets, IPv4 and IPv6 alike, and leave out listening-less TCP
 * sockets, connected UDP sockets and the sockets the skip callback names
 * by the inode fstat() gives for them.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port_scan.h"

#define MAP_BYTES	(65536 / 8)

/**
 * struct skip_ino - inode the skip callback rejects, and what it saw
 * @ino:	Inode to skip
 * @calls:	Calls seen with @ino
 */
struct skip_ino {
	uint32_t ino;
	int calls;
};

/**
 * skip_one() - Skip callback: reject one inode
 * @arg:	struct skip_ino (const for the prototype, counted anyway)
 * @port:	Port found
 * @ino:	Inode found
 *
 * Return: true for the inode in @arg
 */
static bool skip_one(const void *arg, uint16_t port, uint32_t ino)
{
	struct skip_ino *s = (struct skip_ino *)(uintptr_t)arg;

	(void)port;
	if (ino != s->ino)
		return false;
	s->calls++;
	return true;
}

/**
 * bit() - Test a port in a scan map
 * @map:	Bitmap
 * @port:	Port
 *
 * Return: true if set
 */
static bool bit(const uint8_t *map, uint16_t port)
{
	return map[port / 8] & (1U << (port % 8));
}

/**
 * sock_bound() - Socket bound to an ephemeral port on loopback
 * @af:		AF_INET or AF_INET6 (IPV6_V6ONLY)
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @port:	Filled with the port
 *
 * Return: socket, the test fails if it can't be made
 */
static int sock_bound(int af, int type, uint16_t *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl;
	int s = socket(af, type | SOCK_CLOEXEC, 0), one = 1;

	assert_true(s >= 0);
	if (af == AF_INET6)
		assert_int_equal(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
					    sizeof(one)), 0);
	assert_int_equal(af == AF_INET6 ?
			 bind(s, (struct sockaddr *)&a6, sizeof(a6)) :
			 bind(s, (struct sockaddr *)&a4, sizeof(a4)), 0);
	if (af == AF_INET6) {
		sl = sizeof(a6);
		assert_int_equal(getsockname(s, (struct sockaddr *)&a6, &sl),
				 0);
		*port = ntohs(a6.sin6_port);
	} else {
		sl = sizeof(a4);
		assert_int_equal(getsockname(s, (struct sockaddr *)&a4, &sl),
				 0);
		*port = ntohs(a4.sin_port);
	}
	return s;
}

/**
 * ino_of() - Inode of a socket, as fstat() reports it
 * @s:		Socket
 *
 * Return: inode number, truncated as inet_diag reports it
 */
static uint32_t ino_of(int s)
{
	struct stat st;

	assert_int_equal(fstat(s, &st), 0);
	return (uint32_t)st.st_ino;
}

/**
 * ipv6_ok() - Can we bind ::1 here (IPv6 may be disabled)
 *
 * Return: true if an IPv6 loopback socket can be bound
 */
static bool ipv6_ok(void)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = s >= 0 && !bind(s, (struct sockaddr *)&a6, sizeof(a6));

	if (s >= 0)
		close(s);
	return ok;
}

/**
 * test_tcp_listeners() - Listeners found, bound-only sockets not
 * @state:	Unused
 */
static void test_tcp_listeners(void **state)
{
	uint16_t p4, p6 = 0, pb;
	uint8_t *map = calloc(1, MAP_BYTES);
	int nl = port_scan_open(), l4, l6 = -1, b, n;
	bool v6 = ipv6_ok();

	(void)state;
	assert_non_null(map);
	assert_true(nl >= 0);
	l4 = sock_bound(AF_INET, SOCK_STREAM, &p4);
	assert_int_equal(listen(l4, 1), 0);
	if (v6) {
		l6 = sock_bound(AF_INET6, SOCK_STREAM, &p6);
		assert_int_equal(listen(l6, 1), 0);
	}
	b = sock_bound(AF_INET, SOCK_STREAM, &pb);	/* never listens */

	n = port_scan(nl, IPPROTO_TCP, NULL, NULL, map);
	assert_true(n >= (v6 ? 2 : 1));
	assert_true(bit(map, p4));
	if (v6)
		assert_true(bit(map, p6));
	assert_false(bit(map, pb));
	assert_false(bit(map, 0));

	/* Gone once closed */
	close(l4);
	memset(map, 0, MAP_BYTES);
	assert_true(port_scan(nl, IPPROTO_TCP, NULL, NULL, map) >= 0);
	assert_false(bit(map, p4));

	if (l6 >= 0)
		close(l6);
	close(b);
	close(nl);
	free(map);
}

/**
 * test_udp_bound() - Unconnected bound sockets found, connected ones not
 * @state:	Unused
 */
static void test_udp_bound(void **state)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint16_t p4, p6 = 0, pc;
	uint8_t *map = calloc(1, MAP_BYTES);
	int nl = port_scan_open(), u4, u6 = -1, uc;
	bool v6 = ipv6_ok();

	(void)state;
	assert_non_null(map);
	assert_true(nl >= 0);
	u4 = sock_bound(AF_INET, SOCK_DGRAM, &p4);
	if (v6)
		u6 = sock_bound(AF_INET6, SOCK_DGRAM, &p6);
	uc = sock_bound(AF_INET, SOCK_DGRAM, &pc);
	assert_int_equal(connect(uc, (struct sockaddr *)&to, sizeof(to)), 0);

	assert_true(port_scan(nl, IPPROTO_UDP, NULL, NULL, map) >= 1);
	assert_true(bit(map, p4));
	if (v6)
		assert_true(bit(map, p6));
	assert_false(bit(map, pc));

	/* A TCP scan doesn't see UDP sockets */
	memset(map, 0, MAP_BYTES);
	assert_true(port_scan(nl, IPPROTO_TCP, NULL, NULL, map) >= 0);
	assert_false(bit(map, p4));

	close(u4);
	if (u6 >= 0)
		close(u6);
	close(uc);
	close(nl);
	free(map);
}

/**
 * test_skip_inode() - The skip callback sees our inode, and wins
 * @state:	Unused
 */
static void test_skip_inode(void **state)
{
	uint8_t *map = calloc(1, MAP_BYTES);
	int nl = port_scan_open(), l, other;
	struct skip_ino s;
	uint16_t p, po;

	(void)state;
	assert_non_null(map);
	assert_true(nl >= 0);
	l = sock_bound(AF_INET, SOCK_STREAM, &p);
	assert_int_equal(listen(l, 1), 0);
	other = sock_bound(AF_INET, SOCK_STREAM, &po);
	assert_int_equal(listen(other, 1), 0);
	s.ino = ino_of(l);
	s.calls = 0;

	assert_true(port_scan(nl, IPPROTO_TCP, skip_one, &s, map) >= 2);
	assert_int_equal(s.calls, 1);
	assert_false(bit(map, p));
	assert_true(bit(map, po));

	close(l);
	close(other);
	close(nl);
	free(map);
}

/**
 * test_bad_socket() - A socket that isn't sock_diag fails, doesn't hang
 * @state:	Unused
 */
static void test_bad_socket(void **state)
{
	uint8_t *map = calloc(1, MAP_BYTES);
	int sv[2];

	(void)state;
	assert_non_null(map);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
			 0);
	close(sv[1]);	/* send() fails: ECONNREFUSED or similar */
	assert_true(port_scan(sv[0], IPPROTO_TCP, NULL, NULL, map) < 0);
	close(sv[0]);
	free(map);
}

/**
 * main() - Run the port scan tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_listeners),
		cmocka_unit_test(test_udp_bound),
		cmocka_unit_test(test_skip_inode),
		cmocka_unit_test(test_bad_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
