// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp_splice.c - unit tests for the spliced path's client test
 * (tcp_splice_loopback()): which accepted clients bypass the tap, and with
 * which address family the other side is reached
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "tcp_splice.h"
#include "util.h"

/**
 * struct splice_case - one peer address and the expected verdict
 * @addr:	Address text, IPv4 or IPv6
 * @af:		Expected result: AF_INET, AF_INET6 or 0 (tap path)
 */
struct splice_case {
	const char *addr;
	int af;
};

static const struct splice_case splice_cases[] = {
	{ "127.0.0.1",		AF_INET },
	{ "127.255.255.254",	AF_INET },
	{ "127.0.0.53",		AF_INET },
	{ "128.0.0.1",		0 },
	{ "126.255.255.255",	0 },
	{ "192.0.2.2",		0 },
	{ "0.0.0.0",		0 },
	{ "::1",		AF_INET6 },
	{ "::ffff:127.0.0.1",	AF_INET },
	{ "::ffff:127.1.2.3",	AF_INET },
	{ "::ffff:192.0.2.1",	0 },
	{ "::",			0 },
	{ "::2",		0 },
	{ "fe80::1",		0 },
	{ "2001:db8:1::2",	0 },
	{ "::127.0.0.1",	0 },	/* IPv4-compatible, not mapped */
};

/**
 * sockaddr_of() - Build the address accept() would return
 * @text:	Address
 * @sa:		Filled, port 40000
 */
static void sockaddr_of(const char *text, struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (strchr(text, ':')) {
		struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(40000) };

		assert_int_equal(inet_pton(AF_INET6, text, &a6.sin6_addr), 1);
		memcpy(sa, &a6, sizeof(a6));
	} else {
		struct sockaddr_in a4 = { .sin_family = AF_INET,
					  .sin_port = htons(40000) };

		assert_int_equal(inet_pton(AF_INET, text, &a4.sin_addr), 1);
		memcpy(sa, &a4, sizeof(a4));
	}
}

/**
 * test_loopback_table() - Every case of splice_cases[]
 * @state:	Unused
 */
static void test_loopback_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(splice_cases); i++) {
		struct sockaddr_storage sa;
		int af;

		sockaddr_of(splice_cases[i].addr, &sa);
		af = tcp_splice_loopback(&sa);
		if (af != splice_cases[i].af)
			fail_msg("%s: got %d, expected %d",
				 splice_cases[i].addr, af, splice_cases[i].af);
	}
}

/**
 * test_loopback_other_family() - Non-IP families never bypass the tap
 * @state:	Unused
 */
static void test_loopback_other_family(void **state)
{
	struct sockaddr_storage sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.ss_family = AF_UNIX;
	assert_int_equal(tcp_splice_loopback(&sa), 0);
	sa.ss_family = AF_UNSPEC;
	assert_int_equal(tcp_splice_loopback(&sa), 0);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_table),
		cmocka_unit_test(test_loopback_other_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
