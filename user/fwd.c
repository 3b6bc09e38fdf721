// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - port forwarding specifications (-t -u -T -U)
 *
 * Theory of operation: a specification is a keyword (none, auto, all) or
 *
 *	[ADDR][%IFNAME]/LIST	or	LIST
 *
 * where LIST is a comma-separated list of items, each one of
 *
 *	PORT[-PORT][:PORT[-PORT]]	forward (and optionally translate)
 *	~PORT[-PORT]			exclude
 *
 * ADDR may be IPv4 or IPv6, the latter optionally in brackets. Ports never
 * contain '/', so the last '/' separates the bind address from the list.
 *
 * Exclusions apply to every item of the same specification, wherever they
 * appear. A list made of exclusions only means the same as the keyword all
 * minus those ports: the parser sets every other port, 1 to 65535, and
 * marks the set with @all, as it does for all.  At setup (conf()), ports
 * of the ephemeral range (net.ipv4.ip_local_port_range) are taken out of
 * every @all set with fwd_ephemeral_clear(), and such sets are bound best
 * effort (ports in use or needing privileges are skipped).  So "-t all"
 * and "-t ~22" differ by port 22 only, as the man page reads ("all other
 * ports are forwarded", where all means what the keyword does).
 *
 * The list is parsed twice: the first pass checks everything and builds the
 * set of ports into small bitmaps, the second one writes the map and the
 * per-port deltas. A specification that fails leaves @fwd untouched.
 *
 * Repeated specifications for the same direction (-t 22 -t 80) add up, as
 * long as they bind to the same address and interface. Keywords can't be
 * combined with anything else.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fwd.h"
#include "util.h"

/* Longest address part accepted: bracketed IPv6 address plus interface */
#define FWD_ADDR_MAX	(INET6_ADDRSTRLEN + 2 + 1 + IFNAMSIZ)

/**
 * struct fwd_item - one parsed item of a port list
 * @exclude:	Item starts with '~'
 * @first:	First source port
 * @last:	Last source port
 * @to_first:	First target port (equal to @first if not translated)
 */
struct fwd_item {
	bool exclude;
	unsigned first;
	unsigned last;
	unsigned to_first;
};

/**
 * fwd_err() - Format an error message into the caller's buffer
 * @errbuf:	Buffer, may be NULL
 * @errlen:	Size of @errbuf
 * @fmt:	printf-style format
 *
 * Return: -EINVAL, always
 */
__attribute__((format(printf, 3, 4)))
static int fwd_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (errbuf && errlen)
		vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/**
 * fwd_bit_set() - Set a port in a bitmap
 * @map:	Bitmap of NUM_PORTS bits
 * @port:	Port number, below NUM_PORTS
 */
static void fwd_bit_set(uint8_t *map, unsigned port)
{
	map[port / 8] |= (uint8_t)(1U << (port % 8));
}

/**
 * fwd_bit_get() - Check a port in a bitmap
 * @map:	Bitmap of NUM_PORTS bits
 * @port:	Port number, below NUM_PORTS
 *
 * Return: true if set
 */
static bool fwd_bit_get(const uint8_t *map, unsigned port)
{
	return map[port / 8] & (1U << (port % 8));
}

/**
 * fwd_ifname_valid() - Check an interface name the way the kernel does
 * @name:	Interface name, NUL-terminated
 *
 * Return: true if @name could name a network interface
 */
bool fwd_ifname_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == '/' || ch == ':' || ch <= ' ' || ch >= 0x7f)
			return false;
	}
	return true;
}

/**
 * fwd_port() - Parse one port number at the start of a string
 * @s:		Text, advanced past the number on success
 * @port:	Parsed port, 1 to 65535
 *
 * Return: 0 on success, -ERANGE if out of range, -EINVAL if no digits
 */
static int fwd_port(const char **s, unsigned *port)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= NUM_PORTS)
			v = NUM_PORTS;	/* saturate: still out of range */
	}
	if (!v || v >= NUM_PORTS)
		return -ERANGE;
	*port = (unsigned)v;
	*s = p;
	return 0;
}

/**
 * fwd_range() - Parse PORT or PORT-PORT at the start of a string
 * @s:		Text, advanced past the range on success
 * @first:	First port
 * @last:	Last port
 * @item:	Whole item text, for messages
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure
 */
static int fwd_range(const char **s, unsigned *first, unsigned *last,
		     const char *item, char *errbuf, size_t errlen)
{
	int rc = fwd_port(s, first);

	if (rc == -ERANGE)
		return fwd_err(errbuf, errlen,
			       "invalid port in '%s' (1-65535)", item);
	if (rc)
		return fwd_err(errbuf, errlen,
			       "expected a port number in '%s'", item);
	*last = *first;
	if (**s != '-')
		return 0;

	(*s)++;
	rc = fwd_port(s, last);
	if (rc == -ERANGE)
		return fwd_err(errbuf, errlen,
			       "invalid port in '%s' (1-65535)", item);
	if (rc)
		return fwd_err(errbuf, errlen,
			       "expected a port number after '-' in '%s'",
			       item);
	if (*last < *first)
		return fwd_err(errbuf, errlen,
			       "reversed port range in '%s'", item);
	return 0;
}

/**
 * fwd_item_parse() - Parse one comma-separated item of a port list
 * @s:		Item text, NUL-terminated, no commas
 * @it:		Parsed item
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure
 */
static int fwd_item_parse(const char *s, struct fwd_item *it,
			  char *errbuf, size_t errlen)
{
	unsigned to_last = 0;
	const char *p = s;
	int rc;

	memset(it, 0, sizeof(*it));
	if (!*p)
		return fwd_err(errbuf, errlen, "empty item in port list");
	if (*p == '~') {
		it->exclude = true;
		p++;
	}

	rc = fwd_range(&p, &it->first, &it->last, s, errbuf, errlen);
	if (rc)
		return rc;
	it->to_first = it->first;

	if (*p == ':') {
		if (it->exclude)
			return fwd_err(errbuf, errlen,
				       "excluded '%s' can't have a target", s);
		p++;
		rc = fwd_range(&p, &it->to_first, &to_last, s, errbuf, errlen);
		if (rc)
			return rc;
		if (to_last - it->to_first != it->last - it->first)
			return fwd_err(errbuf, errlen,
				       "ranges of different size in '%s'", s);
	}

	if (*p)
		return fwd_err(errbuf, errlen, "unexpected '%c' in '%s'",
			       *p, s);
	return 0;
}

/**
 * fwd_next_item() - Copy the next comma-separated item of a list
 * @list:	Remaining list, advanced past the item and its comma
 * @buf:	Buffer for the item, NUL-terminated
 * @size:	Size of @buf
 *
 * Return: 0 on success, -EINVAL if the item doesn't fit @buf
 */
static int fwd_next_item(const char **list, char *buf, size_t size)
{
	const char *end = strchr(*list, ',');
	size_t len = end ? (size_t)(end - *list) : strlen(*list);

	if (len >= size)
		return -EINVAL;
	memcpy(buf, *list, len);
	buf[len] = '\0';
	*list += len + (end ? 1 : 0);
	return 0;
}

/**
 * fwd_list_check() - First pass: validate a port list, collect port sets
 * @fwd:	Forwarding specification (only read, for overlaps)
 * @list:	Port list text
 * @incl:	Bitmap of forwarded source ports (before exclusions), zeroed
 *		by the caller; with exclusions only, every port not excluded
 * @excl:	Bitmap of excluded ports, zeroed by the caller
 * @any_incl:	Set if at least one item is not an exclusion
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure
 */
static int fwd_list_check(const struct fwd_ports *fwd, const char *list,
			  uint8_t *incl, uint8_t *excl, bool *any_incl,
			  char *errbuf, size_t errlen)
{
	const char *p = list;
	char item[32];
	struct fwd_item it;
	unsigned port;

	*any_incl = false;
	if (!*p)
		return fwd_err(errbuf, errlen, "empty port list");

	do {
		int rc;

		if (fwd_next_item(&p, item, sizeof(item)))
			return fwd_err(errbuf, errlen,
				       "item too long in port list");
		rc = fwd_item_parse(item, &it, errbuf, errlen);
		if (rc)
			return rc;

		for (port = it.first; port <= it.last; port++) {
			if (it.exclude) {
				fwd_bit_set(excl, port);
				continue;
			}
			if (fwd_bit_get(incl, port) ||
			    (fwd->mode == FWD_SPEC &&
			     fwd_port_isset(fwd, port)))
				return fwd_err(errbuf, errlen,
					       "port %u given more than once",
					       port);
			fwd_bit_set(incl, port);
		}
		if (!it.exclude)
			*any_incl = true;

		/* A trailing comma leaves an empty item: report it */
		if (!*p && p[-1] == ',')
			return fwd_err(errbuf, errlen,
				       "empty item in port list");
	} while (*p);

	if (*any_incl)
		return 0;

	/* Exclusions only: everything else is forwarded */
	for (port = 1; port < NUM_PORTS; port++) {
		if (fwd_bit_get(excl, port))
			continue;
		if (fwd->mode == FWD_SPEC && fwd_port_isset(fwd, port))
			return fwd_err(errbuf, errlen,
				       "port %u given more than once", port);
		fwd_bit_set(incl, port);
	}
	return 0;
}

/**
 * fwd_list_apply() - Second pass: write map and deltas of a checked list
 * @fwd:	Forwarding specification to update
 * @list:	Port list text, already checked by fwd_list_check()
 * @incl:	Bitmap of included ports from the first pass
 * @excl:	Bitmap of excluded ports from the first pass
 * @any_incl:	The list has items that are not exclusions
 */
static void fwd_list_apply(struct fwd_ports *fwd, const char *list,
			   const uint8_t *incl, const uint8_t *excl,
			   bool any_incl)
{
	const char *p = list;
	struct fwd_item it;
	char item[32];
	unsigned port;

	if (!any_incl) {
		for (port = 1; port < NUM_PORTS; port++) {
			if (fwd_bit_get(incl, port)) {
				fwd_bit_set(fwd->map, port);
				fwd->delta[port] = 0;
			}
		}
		return;
	}

	while (*p) {
		if (fwd_next_item(&p, item, sizeof(item)) ||
		    fwd_item_parse(item, &it, NULL, 0) || it.exclude)
			continue;
		for (port = it.first; port <= it.last; port++) {
			if (fwd_bit_get(excl, port))
				continue;
			fwd_bit_set(fwd->map, port);
			fwd->delta[port] = (uint16_t)(it.to_first - it.first);
		}
	}
}

/**
 * fwd_addr_parse() - Parse the [ADDR][%IFNAME] part of a specification
 * @s:		Address part, NUL-terminated, modified (split at '%')
 * @family:	AF_INET, AF_INET6 or AF_UNSPEC (no address)
 * @a4:		IPv4 address, if @family is AF_INET
 * @a6:		IPv6 address, if @family is AF_INET6
 * @ifname:	Interface name, empty if none, IFNAMSIZ bytes
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure
 */
static int fwd_addr_parse(char *s, int *family, struct in_addr *a4,
			  struct in6_addr *a6, char *ifname,
			  char *errbuf, size_t errlen)
{
	char *pct = strchr(s, '%');
	size_t len;

	*family = AF_UNSPEC;
	*ifname = '\0';

	if (pct) {
		*pct = '\0';
		if (!fwd_ifname_valid(pct + 1)) {
			if (strlen(pct + 1) >= IFNAMSIZ)
				return fwd_err(errbuf, errlen,
					       "interface name '%s' too long",
					       pct + 1);
			return fwd_err(errbuf, errlen,
				       "invalid interface name '%s'", pct + 1);
		}
		memcpy(ifname, pct + 1, strlen(pct + 1) + 1);
	}

	len = strlen(s);
	if (!len) {
		if (!pct)
			return fwd_err(errbuf, errlen,
				       "missing address before '/'");
		return 0;
	}

	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return fwd_err(errbuf, errlen,
				       "invalid bracketed address '%s'", s);
		s[len - 1] = '\0';
		if (inet_pton(AF_INET6, s + 1, a6) != 1)
			return fwd_err(errbuf, errlen,
				       "invalid IPv6 address '%s'", s + 1);
		*family = AF_INET6;
		return 0;
	}

	if (inet_pton(AF_INET, s, a4) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a6) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return fwd_err(errbuf, errlen, "invalid address '%s'", s);
}

/**
 * fwd_parse_keyword() - Handle none, auto and all
 * @fwd:	Forwarding specification to update
 * @spec:	Specification text
 * @pasta:	Parsing for pasta (else passt)
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 1 if @spec was a keyword and was applied, 0 if it isn't a keyword,
 *	   -EINVAL with a message in @errbuf on failure
 */
static int fwd_parse_keyword(struct fwd_ports *fwd, const char *spec,
			     bool pasta, char *errbuf, size_t errlen)
{
	enum fwd_mode mode;

	if (!strcmp(spec, "none"))
		mode = FWD_NONE;
	else if (!strcmp(spec, "auto"))
		mode = FWD_AUTO;
	else if (!strcmp(spec, "all"))
		mode = FWD_ALL;
	else
		return 0;

	if (mode == FWD_AUTO && !pasta)
		return fwd_err(errbuf, errlen, "'auto' is only for pasta");
	if (mode == FWD_ALL && pasta)
		return fwd_err(errbuf, errlen, "'all' is only for passt");
	if (fwd->mode != FWD_UNSET)
		return fwd_err(errbuf, errlen,
			       "'%s' can't be combined with other ports", spec);

	memset(fwd, 0, sizeof(*fwd));
	fwd->mode = mode;
	fwd->addr_family = AF_UNSPEC;
	if (mode == FWD_ALL) {
		unsigned port;

		for (port = 1; port < NUM_PORTS; port++)
			fwd_bit_set(fwd->map, port);
		fwd->all = true;
	}
	return 1;
}

/**
 * fwd_ephemeral_clear() - Take the ephemeral range out of an "all" set
 * @fwd:	Forwarding specification, left alone unless @fwd->all is set
 * @first:	First ephemeral port
 * @last:	Last ephemeral port, not below @first
 *
 * Context: setup, once the range was read (fwd_ephemeral_read())
 */
void fwd_ephemeral_clear(struct fwd_ports *fwd, unsigned first,
			 unsigned last)
{
	unsigned port;

	if (!fwd->all)
		return;
	for (port = first; port <= last && port < NUM_PORTS; port++)
		fwd->map[port / 8] &= (uint8_t)~(1U << (port % 8));
}

/**
 * fwd_parse_spec() - Parse one -t, -u, -T or -U specification
 * @fwd:	Forwarding specification to update (zeroed before first use)
 * @spec:	Specification text
 * @pasta:	Parsing for pasta (else passt): 'auto' vs 'all'
 * @errbuf:	Buffer for a message on failure, may be NULL
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure, in
 *	   which case @fwd is unchanged
 */
int fwd_parse_spec(struct fwd_ports *fwd, const char *spec, bool pasta,
		   char *errbuf, size_t errlen)
{
	uint8_t incl[NUM_PORTS / 8] = { 0 }, excl[NUM_PORTS / 8] = { 0 };
	const char *slash, *list = spec;
	char ifname[IFNAMSIZ];
	struct in6_addr a6 = IN6ADDR_ANY_INIT;
	struct in_addr a4 = { 0 };
	int family = AF_UNSPEC, rc;
	bool any_incl;

	if (errbuf && errlen)
		*errbuf = '\0';
	if (!spec || !*spec)
		return fwd_err(errbuf, errlen, "empty port specification");

	rc = fwd_parse_keyword(fwd, spec, pasta, errbuf, errlen);
	if (rc)
		return rc < 0 ? rc : 0;

	if (fwd->mode != FWD_UNSET && fwd->mode != FWD_SPEC)
		return fwd_err(errbuf, errlen,
			       "ports can't be combined with none, auto, all");

	*ifname = '\0';
	slash = strrchr(spec, '/');
	if (slash) {
		size_t len = (size_t)(slash - spec);
		char addr[FWD_ADDR_MAX];

		if (len >= sizeof(addr))
			return fwd_err(errbuf, errlen,
				       "address part too long in '%s'", spec);
		memcpy(addr, spec, len);
		addr[len] = '\0';
		rc = fwd_addr_parse(addr, &family, &a4, &a6, ifname,
				    errbuf, errlen);
		if (rc)
			return rc;
		list = slash + 1;
	}

	if (fwd->mode == FWD_SPEC &&
	    (family != fwd->addr_family || strcmp(ifname, fwd->ifname) != 0 ||
	     (family == AF_INET && a4.s_addr != fwd->addr4.s_addr) ||
	     (family == AF_INET6 && !IN6_ARE_ADDR_EQUAL(&a6, &fwd->addr6))))
		return fwd_err(errbuf, errlen,
			       "'%s': address or interface differs from the "
			       "previous specification", spec);

	rc = fwd_list_check(fwd, list, incl, excl, &any_incl, errbuf, errlen);
	if (rc)
		return rc;

	if (fwd->mode == FWD_UNSET) {
		memset(fwd, 0, sizeof(*fwd));
		fwd->mode = FWD_SPEC;
		fwd->addr_family = family;
		fwd->addr4 = a4;
		fwd->addr6 = a6;
		memcpy(fwd->ifname, ifname, sizeof(fwd->ifname));
	}
	fwd_list_apply(fwd, list, incl, excl, any_incl);
	if (!any_incl)
		fwd->all = true;
	return 0;
}
