// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fwd.c - unit tests for port forwarding specifications (fwd.c)
 *
 * Every example of the man page is parsed and the whole resulting map is
 * compared, port by port, with the expected set and translation. Invalid
 * specifications must fail with -EINVAL and a message, leaving the
 * forwarding state untouched.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd.h"
#include "util.h"

#define MAX_RANGES	4

/**
 * struct fwd_range_exp - expected forwarded range
 * @first:	First source port
 * @last:	Last source port
 * @delta:	Expected delta (target - source, modulo 2^16)
 */
struct fwd_range_exp {
	unsigned first;
	unsigned last;
	uint16_t delta;
};

/**
 * struct fwd_case - one valid specification and what it must produce
 * @spec:	Specification text
 * @pasta:	Parse for pasta (else passt)
 * @mode:	Expected mode
 * @family:	Expected address family
 * @addr:	Expected address text, NULL if none
 * @ifname:	Expected interface name
 * @nranges:	Number of entries in @ranges
 * @ranges:	Expected forwarded ranges, all other ports unset
 */
struct fwd_case {
	const char *spec;
	bool pasta;
	enum fwd_mode mode;
	int family;
	const char *addr;
	const char *ifname;
	int nranges;
	struct fwd_range_exp ranges[MAX_RANGES];
};

static const struct fwd_case fwd_cases[] = {
	/* The man page examples, in order */
	{ "22", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1, { { 22, 22, 0 } } },
	{ "22:23", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 22, 22, 1 } } },
	{ "22,25", true, FWD_SPEC, AF_UNSPEC, NULL, "", 2,
	  { { 22, 22, 0 }, { 25, 25, 0 } } },
	{ "22-80", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 22, 80, 0 } } },
	{ "22-80:32-90", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 22, 80, 10 } } },
	{ "192.0.2.1/22", true, FWD_SPEC, AF_INET, "192.0.2.1", "", 1,
	  { { 22, 22, 0 } } },
	{ "192.0.2.1%eth0/22", true, FWD_SPEC, AF_INET, "192.0.2.1", "eth0", 1,
	  { { 22, 22, 0 } } },
	{ "%eth0/22", true, FWD_SPEC, AF_UNSPEC, NULL, "eth0", 1,
	  { { 22, 22, 0 } } },
	{ "2000-5000,~3000-3010", true, FWD_SPEC, AF_UNSPEC, NULL, "", 2,
	  { { 2000, 2999, 0 }, { 3011, 5000, 0 } } },
	{ "192.0.2.1/20-30,~25", true, FWD_SPEC, AF_INET, "192.0.2.1", "", 2,
	  { { 20, 24, 0 }, { 26, 30, 0 } } },
	{ "~20000-20010", true, FWD_SPEC, AF_UNSPEC, NULL, "", 2,
	  { { 1, 19999, 0 }, { 20011, 65535, 0 } } },

	/* The same, for passt */
	{ "22-80:32-90", false, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 22, 80, 10 } } },
	{ "~20000-20010", false, FWD_SPEC, AF_UNSPEC, NULL, "", 2,
	  { { 1, 19999, 0 }, { 20011, 65535, 0 } } },

	/* IPv6 addresses, bare and in brackets, with an interface */
	{ "2001:db8::1/22", true, FWD_SPEC, AF_INET6, "2001:db8::1", "", 1,
	  { { 22, 22, 0 } } },
	{ "[2001:db8::1]/22", true, FWD_SPEC, AF_INET6, "2001:db8::1", "", 1,
	  { { 22, 22, 0 } } },
	{ "::/22", true, FWD_SPEC, AF_INET6, "::", "", 1, { { 22, 22, 0 } } },
	{ "fe80::1%eth0/22", true, FWD_SPEC, AF_INET6, "fe80::1", "eth0", 1,
	  { { 22, 22, 0 } } },
	{ "[2001:db8::1]%veth-a.1/1-3:4-6", true, FWD_SPEC, AF_INET6,
	  "2001:db8::1", "veth-a.1", 1, { { 1, 3, 3 } } },
	{ "192.0.2.1%abcdefghijklmno/1", true, FWD_SPEC, AF_INET, "192.0.2.1",
	  "abcdefghijklmno", 1, { { 1, 1, 0 } } },

	/* Translation across the wrap, boundaries, ordering */
	{ "65535:1", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 65535, 65535, 2 } } },
	{ "1000:999", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 1000, 1000, 65535 } } },
	{ "1-65535", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 1, 65535, 0 } } },
	{ "1", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1, { { 1, 1, 0 } } },
	{ "65535", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 65535, 65535, 0 } } },
	{ "~25,20-30", true, FWD_SPEC, AF_UNSPEC, NULL, "", 2,
	  { { 20, 24, 0 }, { 26, 30, 0 } } },
	{ "20-30,~25,~27-28", true, FWD_SPEC, AF_UNSPEC, NULL, "", 3,
	  { { 20, 24, 0 }, { 26, 26, 0 }, { 29, 30, 0 } } },
	{ "80:8080,443:8443", true, FWD_SPEC, AF_UNSPEC, NULL, "", 2,
	  { { 80, 80, 8000 }, { 443, 443, 8000 } } },
	{ "0080", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1, { { 80, 80, 0 } } },
	{ "22,~22", true, FWD_SPEC, AF_UNSPEC, NULL, "", 0, { { 0, 0, 0 } } },
	{ "~1-65535", true, FWD_SPEC, AF_UNSPEC, NULL, "", 0,
	  { { 0, 0, 0 } } },
	{ "~1,~65535", true, FWD_SPEC, AF_UNSPEC, NULL, "", 1,
	  { { 2, 65534, 0 } } },

	/* Keywords */
	{ "none", true, FWD_NONE, AF_UNSPEC, NULL, "", 0, { { 0, 0, 0 } } },
	{ "none", false, FWD_NONE, AF_UNSPEC, NULL, "", 0, { { 0, 0, 0 } } },
	{ "auto", true, FWD_AUTO, AF_UNSPEC, NULL, "", 0, { { 0, 0, 0 } } },
	{ "all", false, FWD_ALL, AF_UNSPEC, NULL, "", 1, { { 1, 65535, 0 } } },
};

/**
 * struct fwd_bad - one invalid specification
 * @spec:	Specification text
 * @pasta:	Parse for pasta (else passt)
 */
struct fwd_bad {
	const char *spec;
	bool pasta;
};

static const struct fwd_bad fwd_bad_cases[] = {
	{ "", true },			{ "0", true },
	{ "65536", true },		{ "99999999999999999999", true },
	{ "80-22", true },		{ "22-80:32-89", true },
	{ "22-80:32", true },		{ "22:23-24", true },
	{ "22:", true },		{ ":22", true },
	{ "22-", true },		{ "-22", true },
	{ "22,", true },		{ ",22", true },
	{ "22,,25", true },		{ "a", true },
	{ "22a", true },		{ " 22", true },
	{ "22 ", true },		{ "+22", true },
	{ "22:0", true },		{ "0-10", true },
	{ "22-80:0-58", true },		{ "22--23", true },
	{ "22-23-24", true },		{ "22::23", true },
	{ "~", true },			{ "~0", true },
	{ "~~22", true },		{ "~22:23", true },
	{ "300.1.1.1/22", true },	{ "192.0.2.1/", true },
	{ "/22", true },		{ "%/22", true },
	{ "192.0.2.1%/22", true },	{ "192.0.2.1%eth0", true },
	{ "%abcdefghijklmnop/22", true },
	{ "%eth/0/22", true },		{ "%eth:0/22", true },
	{ "%./22", true },		{ "%../22", true },
	{ "[2001:db8::1/22", true },	{ "2001:db8::1]/22", true },
	{ "[192.0.2.1]/22", true },	{ "[]/22", true },
	{ "2001:db8::g/22", true },	{ "192.0.2.1/22/23", true },
	{ "auto", false },		{ "all", true },
	{ "None", true },		{ "none,22", true },
	{ "22,none", true },		{ "auto ", true },
	{ "1-65535:2-65536", true },	{ "22;23", true },
	{ "22\n", true },
	{ "123456789012345678901234567890123456789012345678901234567890",
	  true },
};

/**
 * fwd_setup() - Allocate a zeroed forwarding state for one test
 * @state:	cmocka state, set to the allocation
 *
 * Return: 0 on success
 */
static int fwd_setup(void **state)
{
	*state = calloc(1, sizeof(struct fwd_ports));
	return *state ? 0 : -1;
}

/**
 * fwd_teardown() - Free the forwarding state
 * @state:	cmocka state
 *
 * Return: 0
 */
static int fwd_teardown(void **state)
{
	free(*state);
	return 0;
}

/**
 * fwd_count() - Count forwarded ports
 * @fwd:	Forwarding state
 *
 * Return: number of ports set in the map
 */
static unsigned fwd_count(const struct fwd_ports *fwd)
{
	unsigned port, n = 0;

	for (port = 0; port < NUM_PORTS; port++)
		n += fwd_port_isset(fwd, port);
	return n;
}

/**
 * fwd_check_case() - Parse one valid case and compare every port
 * @fwd:	Forwarding state, zeroed
 * @tc:		Case
 */
static void fwd_check_case(struct fwd_ports *fwd, const struct fwd_case *tc)
{
	char err[128] = "untouched";
	unsigned port;
	int i, rc;

	memset(fwd, 0, sizeof(*fwd));
	rc = fwd_parse_spec(fwd, tc->spec, tc->pasta, err, sizeof(err));
	if (rc)
		fail_msg("'%s' (%s): unexpected failure: %s", tc->spec,
			 tc->pasta ? "pasta" : "passt", err);
	assert_string_equal(err, "");
	assert_int_equal(fwd->mode, tc->mode);
	assert_int_equal(fwd->addr_family, tc->family);
	assert_string_equal(fwd->ifname, tc->ifname);

	if (tc->family == AF_INET) {
		struct in_addr a;

		assert_int_equal(inet_pton(AF_INET, tc->addr, &a), 1);
		assert_int_equal(fwd->addr4.s_addr, a.s_addr);
	} else if (tc->family == AF_INET6) {
		struct in6_addr a;

		assert_int_equal(inet_pton(AF_INET6, tc->addr, &a), 1);
		assert_memory_equal(&fwd->addr6, &a, sizeof(a));
	}

	for (port = 0; port < NUM_PORTS; port++) {
		bool want = false;
		uint16_t delta = 0;

		for (i = 0; i < tc->nranges; i++) {
			if (port >= tc->ranges[i].first &&
			    port <= tc->ranges[i].last) {
				want = true;
				delta = tc->ranges[i].delta;
			}
		}
		if (fwd_port_isset(fwd, port) != want)
			fail_msg("'%s': port %u should%s be forwarded",
				 tc->spec, port, want ? "" : " not");
		if (want && fwd->delta[port] != delta)
			fail_msg("'%s': port %u: delta %u, expected %u",
				 tc->spec, port, fwd->delta[port], delta);
	}
}

/**
 * test_fwd_valid() - Every valid case, man page examples first
 * @state:	Forwarding state
 */
static void test_fwd_valid(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fwd_cases); i++)
		fwd_check_case(*state, &fwd_cases[i]);
}

/**
 * test_fwd_man_counts() - Port counts stated by the man page examples
 * @state:	Forwarding state
 */
static void test_fwd_man_counts(void **state)
{
	struct fwd_ports *fwd = *state;

	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "2000-5000,~3000-3010", true,
					NULL, 0), 0);
	assert_int_equal(fwd_count(fwd), 3001 - 11);
	assert_true(fwd_port_isset(fwd, 2999));
	assert_false(fwd_port_isset(fwd, 3000));
	assert_false(fwd_port_isset(fwd, 3010));
	assert_true(fwd_port_isset(fwd, 3011));

	/* Exclusions only: every other port but 0, ephemeral ones too (the
	 * ephemeral range is taken out at setup, see test_fwd_all())
	 */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "~20000-20010", true, NULL, 0),
			 0);
	assert_int_equal(fwd_count(fwd), 65535 - 11);
	assert_false(fwd_port_isset(fwd, 0));
	assert_true(fwd_port_isset(fwd, 1));
	assert_true(fwd_port_isset(fwd, 19999));
	assert_false(fwd_port_isset(fwd, 20000));
	assert_false(fwd_port_isset(fwd, 20010));
	assert_true(fwd_port_isset(fwd, 20011));
	assert_true(fwd_port_isset(fwd, 60000));
	assert_true(fwd_port_isset(fwd, 65535));
	assert_false(fwd_port_isset(fwd, 65536));

	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "22-80:32-90", true, NULL, 0),
			 0);
	assert_int_equal(fwd_count(fwd), 59);
	assert_int_equal((uint16_t)(22 + fwd->delta[22]), 32);
	assert_int_equal((uint16_t)(80 + fwd->delta[80]), 90);
}

/**
 * test_fwd_invalid() - Invalid specifications fail cleanly
 * @state:	Forwarding state
 */
static void test_fwd_invalid(void **state)
{
	struct fwd_ports *fwd = *state, *zero = calloc(1, sizeof(*zero));
	size_t i;

	assert_non_null(zero);
	for (i = 0; i < ARRAY_SIZE(fwd_bad_cases); i++) {
		const struct fwd_bad *tc = &fwd_bad_cases[i];
		char err[128] = "";
		int rc;

		memset(fwd, 0, sizeof(*fwd));
		rc = fwd_parse_spec(fwd, tc->spec, tc->pasta, err, sizeof(err));
		if (rc != -EINVAL)
			fail_msg("'%s' (%s): returned %d, expected -EINVAL",
				 tc->spec, tc->pasta ? "pasta" : "passt", rc);
		if (!*err)
			fail_msg("'%s': no error message", tc->spec);
		if (memcmp(fwd, zero, sizeof(*fwd)))
			fail_msg("'%s': state changed on failure", tc->spec);

		/* No buffer, or a tiny one, must be fine too */
		assert_int_equal(fwd_parse_spec(fwd, tc->spec, tc->pasta,
						NULL, 0), -EINVAL);
		assert_int_equal(fwd_parse_spec(fwd, tc->spec, tc->pasta,
						err, 1), -EINVAL);
		assert_string_equal(err, "");
	}
	free(zero);
}

/**
 * test_fwd_messages() - Error messages say what is wrong
 * @state:	Forwarding state
 */
static void test_fwd_messages(void **state)
{
	static const struct {
		const char *spec;
		const char *text;
	} msgs[] = {
		{ "80-22", "reversed" },
		{ "65536", "1-65535" },
		{ "0", "1-65535" },
		{ "22-80:32-89", "different size" },
		{ "bogus/22", "invalid address" },
		{ "%abcdefghijklmnop/22", "too long" },
		{ "22x", "unexpected 'x'" },
		{ "all", "passt" },
	};
	struct fwd_ports *fwd = *state;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(msgs); i++) {
		char err[128];

		memset(fwd, 0, sizeof(*fwd));
		assert_int_equal(fwd_parse_spec(fwd, msgs[i].spec, true, err,
						sizeof(err)), -EINVAL);
		if (!strstr(err, msgs[i].text))
			fail_msg("'%s': message '%s' lacks '%s'", msgs[i].spec,
				 err, msgs[i].text);
	}
}

/**
 * test_fwd_repeat() - Repeated specifications for one direction
 * @state:	Forwarding state
 */
static void test_fwd_repeat(void **state)
{
	struct fwd_ports *fwd = *state;
	char err[128];

	/* Port lists add up */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "22", true, err, sizeof(err)), 0);
	assert_int_equal(fwd_parse_spec(fwd, "80:8080", true, err,
					sizeof(err)), 0);
	assert_int_equal(fwd_count(fwd), 2);
	assert_int_equal(fwd->delta[22], 0);
	assert_int_equal(fwd->delta[80], 8000);

	/* Overlap with an earlier list fails, state unchanged */
	assert_int_equal(fwd_parse_spec(fwd, "20-25", true, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "22"));
	assert_int_equal(fwd_count(fwd), 2);
	assert_int_equal(fwd_parse_spec(fwd, "~80", true, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_count(fwd), 2);

	/* Keywords can't be mixed with lists, either way */
	assert_int_equal(fwd_parse_spec(fwd, "none", true, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd->mode, FWD_SPEC);
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "auto", true, err, sizeof(err)),
			 0);
	assert_int_equal(fwd_parse_spec(fwd, "22", true, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "auto", true, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd->mode, FWD_AUTO);
	assert_int_equal(fwd_count(fwd), 0);

	/* Same address and interface: fine; different: refused */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "192.0.2.1%eth0/22", true, err,
					sizeof(err)), 0);
	assert_int_equal(fwd_parse_spec(fwd, "192.0.2.1%eth0/23", true, err,
					sizeof(err)), 0);
	assert_int_equal(fwd_parse_spec(fwd, "192.0.2.2%eth0/24", true, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "192.0.2.1/24", true, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "24", true, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "[::1]%eth0/24", true, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(fwd_count(fwd), 2);
	assert_string_equal(fwd->ifname, "eth0");
}

/**
 * test_fwd_all() - The keyword all and lists of exclusions only
 * @state:	Forwarding state
 *
 * Both are marked @all (best-effort binding); both lose the ephemeral
 * range at setup, explicit lists never do.
 */
static void test_fwd_all(void **state)
{
	struct fwd_ports *fwd = *state;
	struct fwd_all_stats st = { 0 };
	char err[128];

	/* all: every port, 1 to 65535, no translation, marked */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "all", false, err, sizeof(err)),
			 0);
	assert_int_equal(fwd->mode, FWD_ALL);
	assert_true(fwd->all);
	assert_int_equal(fwd_count(fwd), 65535);
	fwd_ephemeral_clear(fwd, 32768, 60999);
	assert_int_equal(fwd_count(fwd), 65535 - (60999 - 32768 + 1));
	assert_true(fwd_port_isset(fwd, 1));
	assert_true(fwd_port_isset(fwd, 1023));
	assert_true(fwd_port_isset(fwd, 32767));
	assert_false(fwd_port_isset(fwd, 32768));
	assert_false(fwd_port_isset(fwd, 60999));
	assert_true(fwd_port_isset(fwd, 61000));
	assert_true(fwd_port_isset(fwd, 65535));
	assert_int_equal(fwd->delta[80], 0);

	/* all can't be combined with anything, either way */
	assert_int_equal(fwd_parse_spec(fwd, "22", false, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "~22", false, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "all", false, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "combined"));
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "22", false, err, sizeof(err)),
			 0);
	assert_int_equal(fwd_parse_spec(fwd, "all", false, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_parse_spec(fwd, "all,~22", false, err,
					sizeof(err)), -EINVAL);

	/* pasta: no all, with a message naming passt */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "all", true, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "only for passt"));

	/* Exclusions only: all minus those, ephemeral range out too */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "~22,~40000", false, err,
					sizeof(err)), 0);
	assert_int_equal(fwd->mode, FWD_SPEC);
	assert_true(fwd->all);
	fwd_ephemeral_clear(fwd, 2000, 2999);
	assert_int_equal(fwd_count(fwd), 65535 - 2 - 1000);
	assert_false(fwd_port_isset(fwd, 22));
	assert_false(fwd_port_isset(fwd, 2000));
	assert_false(fwd_port_isset(fwd, 2999));
	assert_true(fwd_port_isset(fwd, 3000));
	assert_false(fwd_port_isset(fwd, 40000));

	/* Explicit lists, even with exclusions, keep every port given */
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(fwd_parse_spec(fwd, "30000-40000,~35000", false, err,
					sizeof(err)), 0);
	assert_false(fwd->all);
	fwd_ephemeral_clear(fwd, 32768, 60999);
	assert_int_equal(fwd_count(fwd), 10000);
	assert_true(fwd_port_isset(fwd, 40000));

	/* Outcomes are counted by kind */
	fwd_all_count(&st, 0);
	fwd_all_count(&st, 0);
	fwd_all_count(&st, -EADDRINUSE);
	fwd_all_count(&st, -EACCES);
	fwd_all_count(&st, -ENOBUFS);
	assert_int_equal(st.bound, 2);
	assert_int_equal(st.in_use, 1);
	assert_int_equal(st.denied, 1);
	assert_int_equal(st.failed, 1);
}

/**
 * test_fwd_ephemeral_read() - The range read is the sysctl's, or the default
 * @state:	Unused
 */
static void test_fwd_ephemeral_read(void **state)
{
	unsigned first = 0, last = 0, want_first, want_last;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	(void)state;
	if (!f || fscanf(f, "%u %u", &want_first, &want_last) != 2) {
		want_first = FWD_EPHEMERAL_FIRST;
		want_last = FWD_EPHEMERAL_LAST;
	}
	if (f)
		fclose(f);
	fwd_ephemeral_read(&first, &last);
	assert_int_equal(first, want_first);
	assert_int_equal(last, want_last);
}

/**
 * test_fwd_fd_budget() - Descriptors left to best-effort binding
 * @state:	Unused
 *
 * The soft limit is lowered first: fwd_fd_budget() raises it to the hard
 * one again, and keeps FWD_ALL_FD_RESERVE for connections.
 */
static void test_fwd_fd_budget(void **state)
{
	struct rlimit rl, low;
	unsigned full, half;
	int fd;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max < FWD_ALL_FD_RESERVE + 64)
		skip();
	low = rl;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);

	fd = dup(STDERR_FILENO);
	assert_true(fd >= 0);
	full = fwd_fd_budget(STDERR_FILENO, false);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &low), 0);
	assert_true(low.rlim_cur == rl.rlim_max);
	/* The lowest free descriptor is fd + 1 at most, fd after close */
	close(fd);
	full = fwd_fd_budget(STDERR_FILENO, false);
	assert_int_equal(full, rl.rlim_max - (unsigned)fd - FWD_ALL_FD_RESERVE);
	half = fwd_fd_budget(STDERR_FILENO, true);
	assert_int_equal(half, full / 2);
}

/**
 * test_fwd_ifname_valid() - Interface name rules
 * @state:	Unused
 */
static void test_fwd_ifname_valid(void **state)
{
	(void)state;

	assert_true(fwd_ifname_valid("eth0"));
	assert_true(fwd_ifname_valid("veth-a.1_b@c"));
	assert_true(fwd_ifname_valid("abcdefghijklmno"));
	assert_false(fwd_ifname_valid("abcdefghijklmnop"));
	assert_false(fwd_ifname_valid(""));
	assert_false(fwd_ifname_valid("."));
	assert_false(fwd_ifname_valid(".."));
	assert_false(fwd_ifname_valid("a/b"));
	assert_false(fwd_ifname_valid("a:b"));
	assert_false(fwd_ifname_valid("a b"));
	assert_false(fwd_ifname_valid("a\tb"));
	assert_false(fwd_ifname_valid("a\x7f"));
}

/**
 * main() - Run the fwd tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fwd_valid,
						fwd_setup, fwd_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_man_counts,
						fwd_setup, fwd_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_invalid,
						fwd_setup, fwd_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_messages,
						fwd_setup, fwd_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_repeat,
						fwd_setup, fwd_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_all,
						fwd_setup, fwd_teardown),
		cmocka_unit_test(test_fwd_ephemeral_read),
		cmocka_unit_test(test_fwd_fd_budget),
		cmocka_unit_test(test_fwd_ifname_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
