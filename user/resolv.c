// SPDX-License-Identifier: GPL-2.0-or-later
/* resolv.c - resolvers and search domains from resolv.conf text
 *
 * Theory of operation: the text is scanned line by line within the given
 * length, never past it, and never copied as a whole, so it needs no NUL
 * terminator and lines may be of any length. Each line is split into
 * blank-separated tokens; '#' or ';' anywhere starts a comment running to
 * the end of the line, as glibc does for addresses. Recognised keywords:
 *
 *   nameserver ADDR	appended to the IPv4 or IPv6 resolver list, up to
 *			MAXNS each; addresses with a %scope suffix, the
 *			unspecified address and duplicates are skipped
 *   search NAME...	replaces the search list, up to MAXDNSRCH names
 *   domain NAME	replaces the search list with this one name
 *
 * As with glibc, "search" and "domain" are alternatives and the last one
 * wins. Names that are not valid domain names, or that don't fit
 * DNSRCH_LEN, are skipped. Anything else is ignored.
 */

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "util.h"

/**
 * struct resolv_tok - a token within the text, not NUL-terminated
 * @p:		Start of the token
 * @len:	Length of the token
 */
struct resolv_tok {
	const char *p;
	size_t len;
};

/**
 * resolv_blank() - Check for a character separating tokens on a line
 * @ch:		Character
 *
 * Return: true for space, tab, carriage return, vertical tab, form feed
 */
static bool resolv_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

/**
 * resolv_next_tok() - Find the next token on the current line
 * @pos:	Current position, advanced past the token
 * @end:	End of the text
 * @tok:	Token found
 *
 * Return: true if a token was found, false at the end of the line (@pos is
 *	   then left on the newline, or at @end)
 */
static bool resolv_next_tok(const char **pos, const char *end,
			    struct resolv_tok *tok)
{
	const char *p = *pos;

	while (p < end && resolv_blank(*p))
		p++;
	if (p >= end || *p == '\n' || *p == '#' || *p == ';') {
		while (p < end && *p != '\n')
			p++;
		*pos = p;
		return false;
	}

	tok->p = p;
	while (p < end && *p != '\n' && *p != '#' && *p != ';' &&
	       !resolv_blank(*p))
		p++;
	tok->len = (size_t)(p - tok->p);
	*pos = p;
	return true;
}

/**
 * resolv_tok_is() - Compare a token with a keyword
 * @tok:	Token
 * @kw:		Keyword, NUL-terminated
 *
 * Return: true if they are equal
 */
static bool resolv_tok_is(const struct resolv_tok *tok, const char *kw)
{
	return tok->len == strlen(kw) && !memcmp(tok->p, kw, tok->len);
}

/**
 * resolv_domain_valid() - Check that text is a usable search domain
 * @name:	Domain name, not necessarily NUL-terminated
 * @len:	Length of @name
 *
 * Labels are 1 to 63 letters, digits, hyphens or underscores, separated by
 * dots, with an optional trailing dot; the whole name fits DNSRCH_LEN.
 *
 * Return: true if valid
 */
bool resolv_domain_valid(const char *name, size_t len)
{
	size_t i, label = 0;

	if (!len || len >= DNSRCH_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (ch == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

/**
 * resolv_nameserver() - Store one nameserver address, if usable
 * @c:		Execution context
 * @tok:	Address token
 *
 * Return: 1 if stored, 0 if skipped
 */
static int resolv_nameserver(struct ctx *c, const struct resolv_tok *tok)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	int i;

	if (tok->len >= sizeof(buf) || memchr(tok->p, '%', tok->len) ||
	    memchr(tok->p, '\0', tok->len))
		return 0;
	memcpy(buf, tok->p, tok->len);
	buf[tok->len] = '\0';

	if (inet_pton(AF_INET, buf, &a4) == 1) {
		if (!a4.s_addr)
			return 0;
		for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
			if (c->ip4.dns[i].s_addr == a4.s_addr)
				return 0;
		}
		if (i == MAXNS)
			return 0;
		c->ip4.dns[i] = a4;
		c->ip4.dns[i + 1].s_addr = 0;
		return 1;
	}

	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		if (IN6_IS_ADDR_UNSPECIFIED(&a6))
			return 0;
		for (i = 0; i < MAXNS &&
		     !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]); i++) {
			if (IN6_ARE_ADDR_EQUAL(&c->ip6.dns[i], &a6))
				return 0;
		}
		if (i == MAXNS)
			return 0;
		c->ip6.dns[i] = a6;
		memset(&c->ip6.dns[i + 1], 0, sizeof(c->ip6.dns[i + 1]));
		return 1;
	}

	return 0;
}

/**
 * resolv_search() - Replace the search list with the rest of the line
 * @c:		Execution context
 * @pos:	Position after the keyword, advanced to the end of the line
 * @end:	End of the text
 * @max:	Names to take at most (1 for "domain", MAXDNSRCH for "search")
 *
 * Return: number of names now in the list
 */
static int resolv_search(struct ctx *c, const char **pos, const char *end,
			 int max)
{
	struct resolv_tok tok;
	int n = 0;

	memset(c->dns_search, 0, sizeof(c->dns_search));
	while (resolv_next_tok(pos, end, &tok)) {
		if (n >= max || !resolv_domain_valid(tok.p, tok.len))
			continue;
		memcpy(c->dns_search[n], tok.p, tok.len);
		c->dns_search[n][tok.len] = '\0';
		n++;
	}
	return n;
}

/**
 * resolv_parse() - Read resolvers and search domains from resolv.conf text
 * @c:		Execution context: fills ip4.dns, ip6.dns and dns_search
 *		unless set on the command line (dns_set, no_dns, search_set,
 *		no_dns_search)
 * @text:	File contents, need not be NUL-terminated
 * @len:	Length of @text
 *
 * Return: number of entries stored: resolvers added, plus names in the
 *	   search list if this text set it
 */
int resolv_parse(struct ctx *c, const char *text, size_t len)
{
	bool want_dns = !c->dns_set && !c->no_dns;
	bool want_search = !c->search_set && !c->no_dns_search;
	struct resolv_tok kw, tok;
	int ns = 0, search = 0;
	const char *p, *end;

	if (!text)
		return 0;
	p = text;
	end = text + len;

	while (p < end) {
		if (!resolv_next_tok(&p, end, &kw)) {
			if (p < end)
				p++;	/* skip the newline */
			continue;
		}

		if (want_dns && resolv_tok_is(&kw, "nameserver")) {
			if (resolv_next_tok(&p, end, &tok))
				ns += resolv_nameserver(c, &tok);
		} else if (want_search && resolv_tok_is(&kw, "search")) {
			search = resolv_search(c, &p, end, MAXDNSRCH);
		} else if (want_search && resolv_tok_is(&kw, "domain")) {
			search = resolv_search(c, &p, end, 1);
		}

		/* Ignore whatever is left on the line */
		while (p < end && *p != '\n')
			p++;
	}

	return ns + search;
}
