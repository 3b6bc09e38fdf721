// SPDX-License-Identifier: GPL-2.0-or-later
/* test_resolv.c - unit tests for resolv.conf parsing (resolv.c)
 *
 * Every text is copied into an allocation of exactly its length, without a
 * terminator, so that the sanitizer build catches any read past the end.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "util.h"

#define EXP_MAX		(MAXDNSRCH + 1)

/* Flags for struct resolv_case: what the command line already set */
#define DNS_SET		(1U << 0)
#define NO_DNS		(1U << 1)
#define SEARCH_SET	(1U << 2)
#define NO_SEARCH	(1U << 3)

/**
 * struct resolv_case - one resolv.conf text and its expected outcome
 * @name:	Case name, for failures
 * @text:	Text, NUL-terminated here (the terminator is not passed)
 * @flags:	DNS_SET, NO_DNS, SEARCH_SET, NO_SEARCH
 * @ret:	Expected return value
 * @v4:		Expected IPv4 resolvers, NULL-terminated
 * @v6:		Expected IPv6 resolvers, NULL-terminated
 * @search:	Expected search domains, NULL-terminated
 */
struct resolv_case {
	const char *name;
	const char *text;
	unsigned flags;
	int ret;
	const char *v4[EXP_MAX];
	const char *v6[EXP_MAX];
	const char *search[EXP_MAX];
};

/* 63-character label, and names of 253 (longest) and 254 characters */
#define L63	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
		"aaaaaaa"
#define N253	L63 "." L63 "." L63 "." \
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define N254	N253 "c"

static const struct resolv_case resolv_cases[] = {
	{ "basic",
	  "nameserver 192.0.2.1\n"
	  "nameserver 2001:db8::1\n"
	  "search example.com example.org\n",
	  0, 4, { "192.0.2.1" }, { "2001:db8::1" },
	  { "example.com", "example.org" } },
	{ "no trailing newline",
	  "nameserver 192.0.2.1", 0, 1, { "192.0.2.1" }, { NULL }, { NULL } },
	{ "empty", "", 0, 0, { NULL }, { NULL }, { NULL } },
	{ "blank lines", "\n\n  \n\t\n", 0, 0, { NULL }, { NULL }, { NULL } },
	{ "comments",
	  "# nameserver 192.0.2.9\n"
	  "; nameserver 192.0.2.8\n"
	  "  # indented comment\n"
	  "nameserver 192.0.2.1 # trailing comment\n"
	  "nameserver 192.0.2.2;comment\n"
	  "nameserver 192.0.2.3#comment\n"
	  "search a.example # b.example\n"
	  "search c.example d.example;e.example\n",
	  0, 5, { "192.0.2.1", "192.0.2.2", "192.0.2.3" }, { NULL },
	  { "c.example", "d.example" } },
	{ "whitespace and CRLF",
	  "  nameserver\t192.0.2.1\r\n"
	  "\tsearch\t a.example \t b.example\r\n"
	  "nameserver 192.0.2.2   \n",
	  0, 4, { "192.0.2.1", "192.0.2.2" }, { NULL },
	  { "a.example", "b.example" } },
	{ "scoped IPv6 skipped, link-local kept",
	  "nameserver fe80::1%eth0\nnameserver fe80::2\n"
	  "nameserver 2001:db8::53%1\n",
	  0, 1, { NULL }, { "fe80::2" }, { NULL } },
	{ "too many IPv4",
	  "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
	  "nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
	  "nameserver 192.0.2.5\nnameserver 192.0.2.6\n"
	  "nameserver 2001:db8::1\n",
	  0, 5, { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" },
	  { "2001:db8::1" }, { NULL } },
	{ "too many IPv6",
	  "nameserver 2001:db8::1\nnameserver 2001:db8::2\n"
	  "nameserver 2001:db8::3\nnameserver 2001:db8::4\n"
	  "nameserver 2001:db8::5\nnameserver 192.0.2.1\n",
	  0, 5, { "192.0.2.1" },
	  { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4" },
	  { NULL } },
	{ "duplicates and unspecified skipped",
	  "nameserver 192.0.2.1\nnameserver 192.0.2.1\nnameserver 0.0.0.0\n"
	  "nameserver ::\nnameserver 2001:db8::1\nnameserver 2001:db8:0::1\n",
	  0, 2, { "192.0.2.1" }, { "2001:db8::1" }, { NULL } },
	{ "extra tokens after address ignored",
	  "nameserver 192.0.2.1 192.0.2.2\n",
	  0, 1, { "192.0.2.1" }, { NULL }, { NULL } },
	{ "bad addresses",
	  "nameserver\nnameserver \n"
	  "nameserver 999.1.1.1\nnameserver 192.0.2.1.5\n"
	  "nameserver 192.0.2\nnameserver 2001:db8::g\n"
	  "nameserver 0x7f.1.1.1\nnameserver localhost\n"
	  "nameserver 2001:db8:1111:2222:3333:4444:5555:6666:7777\n"
	  "nameserver ::ffff:192.0.2.255:9999\n",
	  0, 0, { NULL }, { NULL }, { NULL } },
	{ "keywords are exact and case-sensitive",
	  "NAMESERVER 192.0.2.1\nnameservers 192.0.2.2\nnameserver192.0.2.3\n"
	  "Search a.example\nsearches b.example\n"
	  "xnameserver 192.0.2.4\n",
	  0, 0, { NULL }, { NULL }, { NULL } },
	{ "other keywords ignored",
	  "options edns0 trust-ad\nsortlist 130.155.160.0/255.255.240.0\n"
	  "nameserver 192.0.2.1\n",
	  0, 1, { "192.0.2.1" }, { NULL }, { NULL } },
	{ "domain",
	  "domain example.com\n", 0, 1, { NULL }, { NULL },
	  { "example.com" } },
	{ "domain takes one name",
	  "domain a.example b.example\n", 0, 1, { NULL }, { NULL },
	  { "a.example" } },
	{ "search replaces domain",
	  "domain a.example\nsearch b.example c.example\n", 0, 2,
	  { NULL }, { NULL }, { "b.example", "c.example" } },
	{ "domain replaces search",
	  "search b.example c.example\ndomain a.example\n", 0, 1,
	  { NULL }, { NULL }, { "a.example" } },
	{ "search replaces search",
	  "search a.example b.example\nsearch c.example\n", 0, 1,
	  { NULL }, { NULL }, { "c.example" } },
	{ "empty search clears",
	  "search a.example\nsearch\n", 0, 0, { NULL }, { NULL }, { NULL } },
	{ "too many search domains",
	  "search d1.example d2.example d3.example d4.example d5.example "
	  "d6.example d7.example d8.example d9.example d10.example\n",
	  0, 8, { NULL }, { NULL },
	  { "d1.example", "d2.example", "d3.example", "d4.example",
	    "d5.example", "d6.example", "d7.example", "d8.example" } },
	{ "invalid domains skipped",
	  "search bad$name.example good.example a..b .lead "
	  "under_score.example trailing.dot. " L63 "x.example "
	  "-ok-hyphen.example\n",
	  0, 4, { NULL }, { NULL },
	  { "good.example", "under_score.example", "trailing.dot.",
	    "-ok-hyphen.example" } },
	{ "longest name kept, longer skipped",
	  "search " N254 " " N253 "\n", 0, 1, { NULL }, { NULL },
	  { N253 } },
	{ "binary garbage",
	  "\x01\x02\xff\xfe nameserver\x80 192.0.2.1\n\xff\n"
	  "nameserver \xc3\xa9.1.1.1\nsearch \xc3\xa9.example\n"
	  "nameserver 192.0.2.7\n",
	  0, 1, { "192.0.2.7" }, { NULL }, { NULL } },
	{ "--dns given: resolvers untouched",
	  "nameserver 192.0.2.1\nsearch a.example\n", DNS_SET, 1,
	  { NULL }, { NULL }, { "a.example" } },
	{ "-D none: resolvers untouched",
	  "nameserver 192.0.2.1\nsearch a.example\n", NO_DNS, 1,
	  { NULL }, { NULL }, { "a.example" } },
	{ "--search given: search list untouched",
	  "nameserver 192.0.2.1\nsearch a.example\n", SEARCH_SET, 1,
	  { "192.0.2.1" }, { NULL }, { NULL } },
	{ "-S none: search list untouched",
	  "nameserver 192.0.2.1\ndomain a.example\n", NO_SEARCH, 1,
	  { "192.0.2.1" }, { NULL }, { NULL } },
	{ "everything given",
	  "nameserver 192.0.2.1\ndomain a.example\n",
	  DNS_SET | SEARCH_SET, 0, { NULL }, { NULL }, { NULL } },
};

/**
 * resolv_run() - Parse text from an allocation of its exact length
 * @c:		Execution context
 * @text:	Text
 * @len:	Length of @text
 *
 * Return: what resolv_parse() returns
 */
static int resolv_run(struct ctx *c, const char *text, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int rc;

	assert_non_null(buf);
	memcpy(buf, text, len);
	rc = resolv_parse(c, buf, len);
	free(buf);
	return rc;
}

/**
 * resolv_check() - Compare the context with expected lists
 * @name:	Case name
 * @c:		Execution context after parsing
 * @v4:		Expected IPv4 resolvers, NULL-terminated
 * @v6:		Expected IPv6 resolvers, NULL-terminated
 * @search:	Expected search domains, NULL-terminated
 */
static void resolv_check(const char *name, const struct ctx *c,
			 const char *const *v4, const char *const *v6,
			 const char *const *search)
{
	int i;

	for (i = 0; i <= MAXNS; i++) {
		struct in_addr a = { 0 };

		if (i < MAXNS && v4[i])
			assert_int_equal(inet_pton(AF_INET, v4[i], &a), 1);
		if (a.s_addr != c->ip4.dns[i].s_addr)
			fail_msg("%s: IPv4 resolver %d differs (want %s)", name,
				 i, i < MAXNS && v4[i] ? v4[i] : "none");
		if (i == MAXNS || !v4[i])
			break;
	}
	for (i = 0; i <= MAXNS; i++) {
		struct in6_addr a = IN6ADDR_ANY_INIT;

		if (i < MAXNS && v6[i])
			assert_int_equal(inet_pton(AF_INET6, v6[i], &a), 1);
		if (memcmp(&a, &c->ip6.dns[i], sizeof(a)))
			fail_msg("%s: IPv6 resolver %d differs (want %s)", name,
				 i, i < MAXNS && v6[i] ? v6[i] : "none");
		if (i == MAXNS || !v6[i])
			break;
	}
	for (i = 0; i <= MAXDNSRCH; i++) {
		const char *want = i < MAXDNSRCH && search[i] ? search[i] : "";

		if (strcmp(c->dns_search[i], want))
			fail_msg("%s: search domain %d is '%s', want '%s'",
				 name, i, c->dns_search[i], want);
		if (!*want)
			break;
	}
}

/**
 * test_resolv_table() - Table-driven cases
 * @state:	Unused
 */
static void test_resolv_table(void **state)
{
	struct ctx *c = malloc(sizeof(*c));
	size_t i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < ARRAY_SIZE(resolv_cases); i++) {
		const struct resolv_case *tc = &resolv_cases[i];
		size_t len = strlen(tc->text);
		int rc;

		memset(c, 0, sizeof(*c));
		c->dns_set = tc->flags & DNS_SET;
		c->no_dns = tc->flags & NO_DNS;
		c->search_set = tc->flags & SEARCH_SET;
		c->no_dns_search = tc->flags & NO_SEARCH;

		rc = resolv_run(c, tc->text, len);
		if (rc != tc->ret)
			fail_msg("%s: returned %d, expected %d", tc->name, rc,
				 tc->ret);
		resolv_check(tc->name, c, tc->v4, tc->v6, tc->search);
	}
	free(c);
}

/**
 * test_resolv_truncated() - Every prefix of a text is parsed safely
 * @state:	Unused
 */
static void test_resolv_truncated(void **state)
{
	static const char text[] = "nameserver 192.0.2.123\n"
				   "search a.example b.example\n";
	struct ctx *c = malloc(sizeof(*c));
	size_t len;

	(void)state;
	assert_non_null(c);
	for (len = 0; len <= sizeof(text) - 1; len++) {
		memset(c, 0, sizeof(*c));
		resolv_run(c, text, len);
	}

	/* Cut inside the address: a shorter, different, valid address */
	memset(c, 0, sizeof(*c));
	assert_int_equal(resolv_run(c, text, strlen("nameserver 192.0.2.12")),
			 1);
	resolv_check("cut address", c, (const char *[]){ "192.0.2.12", NULL },
		     (const char *[]){ NULL }, (const char *[]){ NULL });

	/* Cut to an incomplete address: nothing */
	memset(c, 0, sizeof(*c));
	assert_int_equal(resolv_run(c, text, strlen("nameserver 192.0.")), 0);
	assert_int_equal(c->ip4.dns[0].s_addr, 0);

	/* Cut inside the second domain */
	memset(c, 0, sizeof(*c));
	assert_int_equal(resolv_run(c, text, sizeof(text) - 1 - 5), 3);
	resolv_check("cut domain", c, (const char *[]){ "192.0.2.123", NULL },
		     (const char *[]){ NULL },
		     (const char *[]){ "a.example", "b.exa", NULL });

	/* NULL text */
	memset(c, 0, sizeof(*c));
	assert_int_equal(resolv_parse(c, NULL, 0), 0);
	free(c);
}

/**
 * test_resolv_long_lines() - Lines longer than any internal buffer
 * @state:	Unused
 */
static void test_resolv_long_lines(void **state)
{
	size_t big = 100000, len = 0;
	char *text = malloc(big * 3 + 200);
	struct ctx *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(text);
	assert_non_null(c);

	/* A huge comment, a huge token, a huge search line */
	text[len++] = '#';
	memset(text + len, 'x', big);
	len += big;
	len += (size_t)sprintf(text + len, "\nnameserver ");
	memset(text + len, '1', big);
	len += big;
	len += (size_t)sprintf(text + len, "\nsearch ok.example ");
	memset(text + len, 'y', big);
	len += big;
	len += (size_t)sprintf(text + len, " ok2.example\n"
				"nameserver 192.0.2.1\n");

	memset(c, 0, sizeof(*c));
	assert_int_equal(resolv_run(c, text, len), 3);
	resolv_check("long lines", c, (const char *[]){ "192.0.2.1", NULL },
		     (const char *[]){ NULL },
		     (const char *[]){ "ok.example", "ok2.example", NULL });
	free(text);
	free(c);
}

/**
 * test_resolv_nul() - A NUL byte inside the text is just a bad character
 * @state:	Unused
 */
static void test_resolv_nul(void **state)
{
	static const char text[] = "nameserver 192.0.2.1\0junk\n"
				   "nameserver 192.0.2.2\n"
				   "search a.exa\0mple b.example\n";
	struct ctx *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	assert_int_equal(resolv_run(c, text, sizeof(text) - 1), 2);
	resolv_check("NUL", c, (const char *[]){ "192.0.2.2", NULL },
		     (const char *[]){ NULL },
		     (const char *[]){ "b.example", NULL });
	free(c);
}

/**
 * test_resolv_append() - Resolvers already in the context are kept
 * @state:	Unused
 */
static void test_resolv_append(void **state)
{
	static const char text[] = "nameserver 192.0.2.2\n"
				   "nameserver 192.0.2.1\n";
	struct ctx *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.dns[0]);
	assert_int_equal(resolv_run(c, text, sizeof(text) - 1), 1);
	resolv_check("append", c,
		     (const char *[]){ "192.0.2.1", "192.0.2.2", NULL },
		     (const char *[]){ NULL }, (const char *[]){ NULL });
	free(c);
}

/**
 * test_resolv_random() - Random texts keep the lists well-formed
 * @state:	Unused
 */
static void test_resolv_random(void **state)
{
	static const char *const words[] = {
		"nameserver", "search", "domain", " ", "\t", "\n", "#", ";",
		"192.0.2.1", "2001:db8::1", "fe80::1%lo", "a.example",
		"b.example", "x", "\xff", "0.0.0.0", "::", ".", "..",
	};
	struct ctx *c = malloc(sizeof(*c));
	char text[512];
	unsigned seed = 12345;
	int iter, i;

	(void)state;
	assert_non_null(c);
	for (iter = 0; iter < 20000; iter++) {
		size_t len = 0;

		seed = seed * 1103515245 + 12345;
		while (len < sizeof(text) - 16) {
			const char *w;

			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 8 == 0) {
				text[len++] = (char)(seed >> 8);
				continue;
			}
			w = words[(seed >> 16) % ARRAY_SIZE(words)];
			if (len + strlen(w) >= sizeof(text))
				break;
			memcpy(text + len, w, strlen(w));
			len += strlen(w);
			if ((seed >> 24) % 32 == 0)
				break;
		}

		memset(c, 0, sizeof(*c));
		assert_true(resolv_run(c, text, len) >= 0);

		assert_int_equal(c->ip4.dns[MAXNS].s_addr, 0);
		assert_true(IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[MAXNS]));
		for (i = 0; i <= MAXDNSRCH; i++) {
			size_t l = strnlen(c->dns_search[i], DNSRCH_LEN);

			assert_true(l < DNSRCH_LEN);
			if (i == MAXDNSRCH)
				assert_int_equal(l, 0);
			if (l)
				assert_true(resolv_domain_valid(
					c->dns_search[i], l));
		}
	}
	free(c);
}

/**
 * test_resolv_domain_valid() - Domain name rules
 * @state:	Unused
 */
static void test_resolv_domain_valid(void **state)
{
	(void)state;

	assert_int_equal(strlen(N253), 253);
	assert_true(resolv_domain_valid("example.com", 11));
	assert_true(resolv_domain_valid("none.", 5));
	assert_true(resolv_domain_valid("a", 1));
	assert_true(resolv_domain_valid(N253, strlen(N253)));
	assert_false(resolv_domain_valid(N254, strlen(N254)));
	assert_false(resolv_domain_valid(L63 "a", 64));
	assert_true(resolv_domain_valid(L63, 63));
	assert_false(resolv_domain_valid("", 0));
	assert_false(resolv_domain_valid(".", 1));
	assert_false(resolv_domain_valid("a..b", 4));
	assert_false(resolv_domain_valid(".a", 2));
	assert_false(resolv_domain_valid("a b", 3));
	assert_false(resolv_domain_valid("a/b", 3));
	/* Only @len characters are looked at */
	assert_true(resolv_domain_valid("ab cd", 2));
}

/**
 * main() - Run the resolv tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolv_table),
		cmocka_unit_test(test_resolv_truncated),
		cmocka_unit_test(test_resolv_long_lines),
		cmocka_unit_test(test_resolv_nul),
		cmocka_unit_test(test_resolv_append),
		cmocka_unit_test(test_resolv_random),
		cmocka_unit_test(test_resolv_domain_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
