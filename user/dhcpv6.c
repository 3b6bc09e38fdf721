// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - minimal stateful DHCPv6 server (RFC 8415) for the guest
 *
 * Theory of operation: there is one client and one address to give, so the
 * server keeps no bindings.  Every IA_NA the client asks about gets the
 * configured address, c->ip6.addr, with infinite lifetimes (it never changes
 * while we run), and every reply carries the resolvers and the search list
 * when those are passed to the guest.  Only the first IA_NA of a message is
 * answered: a second one would need a second address.  IA_TA and IA_PD are
 * not supported and left out of replies.
 *
 *	client			server (us)
 *	SOLICIT		->	ADVERTISE, or REPLY with Rapid Commit
 *	REQUEST, RENEW	->	REPLY (only if the Server ID is ours)
 *	REBIND		->	REPLY
 *	CONFIRM		->	REPLY, status Success or NotOnLink
 *	RELEASE, DECLINE ->	REPLY, status Success (Server ID ours)
 *	INFORMATION-REQUEST ->	REPLY, resolvers and search list only
 *
 * Addresses in a client's IA_NA other than ours are returned in REPLY
 * with zero lifetimes, so that a guest that kept an address from an
 * earlier run drops it (RFC 8415, 18.3.2, 18.3.4 and 18.3.5).
 *
 * Our DUID is a DUID-LL (RFC 8415, 11.4) built from c->our_mac: it is
 * stable for a given configuration and needs no storage.
 *
 * Every byte of the client's message is read through packet_get(): the
 * options are walked once to check that each one lies within its parent
 * (the message, or the IA_NA for nested options), and a message with any
 * option overrunning is dropped as a whole.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dns_name.h"
#include "l2.h"
#include "log.h"
#include "tap.h"
#include "util.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

/**
 * enum dhcpv6_type - message types, RFC 8415, 7.3
 * @DHCPV6_TYPE_NONE:		Not a message type
 * @DHCPV6_SOLICIT:		Client looks for servers
 * @DHCPV6_ADVERTISE:		Server offers
 * @DHCPV6_REQUEST:		Client asks for addresses from one server
 * @DHCPV6_CONFIRM:		Client checks its addresses after moving
 * @DHCPV6_RENEW:		Client extends lifetimes with its server
 * @DHCPV6_REBIND:		Client extends lifetimes with any server
 * @DHCPV6_REPLY:		Server answers
 * @DHCPV6_RELEASE:		Client gives addresses back
 * @DHCPV6_DECLINE:		Client found addresses in use
 * @DHCPV6_RECONFIGURE:		Server asks the client to come back
 * @DHCPV6_INFORMATION_REQUEST:	Client wants configuration, no addresses
 * @DHCPV6_RELAY_FORW:		Relay to server
 * @DHCPV6_RELAY_REPL:		Server to relay
 * @DHCPV6_NUM_TYPES:		Number of types, sentinel
 */
enum dhcpv6_type {
	DHCPV6_TYPE_NONE,
	DHCPV6_SOLICIT,
	DHCPV6_ADVERTISE,
	DHCPV6_REQUEST,
	DHCPV6_CONFIRM,
	DHCPV6_RENEW,
	DHCPV6_REBIND,
	DHCPV6_REPLY,
	DHCPV6_RELEASE,
	DHCPV6_DECLINE,
	DHCPV6_RECONFIGURE,
	DHCPV6_INFORMATION_REQUEST,
	DHCPV6_RELAY_FORW,
	DHCPV6_RELAY_REPL,
	DHCPV6_NUM_TYPES
};

static const char *const dhcpv6_type_name[] = {
	[DHCPV6_TYPE_NONE]		= "type 0",
	[DHCPV6_SOLICIT]		= "SOLICIT",
	[DHCPV6_ADVERTISE]		= "ADVERTISE",
	[DHCPV6_REQUEST]		= "REQUEST",
	[DHCPV6_CONFIRM]		= "CONFIRM",
	[DHCPV6_RENEW]			= "RENEW",
	[DHCPV6_REBIND]			= "REBIND",
	[DHCPV6_REPLY]			= "REPLY",
	[DHCPV6_RELEASE]		= "RELEASE",
	[DHCPV6_DECLINE]		= "DECLINE",
	[DHCPV6_RECONFIGURE]		= "RECONFIGURE",
	[DHCPV6_INFORMATION_REQUEST]	= "INFORMATION-REQUEST",
	[DHCPV6_RELAY_FORW]		= "RELAY-FORW",
	[DHCPV6_RELAY_REPL]		= "RELAY-REPL",
};

static_assert(ARRAY_SIZE(dhcpv6_type_name) == DHCPV6_NUM_TYPES,
	      "dhcpv6_type_name[] must name every message type");

/* Option codes, RFC 8415, 21, and RFC 3646 */
#define DHCPV6_OPT_CLIENTID	1
#define DHCPV6_OPT_SERVERID	2
#define DHCPV6_OPT_IA_NA	3
#define DHCPV6_OPT_IAADDR	5
#define DHCPV6_OPT_PREFERENCE	7
#define DHCPV6_OPT_STATUS_CODE	13
#define DHCPV6_OPT_RAPID_COMMIT	14
#define DHCPV6_OPT_DNS_SERVERS	23
#define DHCPV6_OPT_DOMAIN_LIST	24

/* Status codes, RFC 8415, 21.13 */
#define DHCPV6_STATUS_SUCCESS		0
#define DHCPV6_STATUS_NOADDRSAVAIL	2
#define DHCPV6_STATUS_NOTONLINK		4

#define DHCPV6_HDR_LEN		4	/* type and transaction ID */
#define DHCPV6_OPT_HDR_LEN	4	/* code and length */
#define DHCPV6_IA_NA_LEN	12	/* IAID, T1, T2 before options */
#define DHCPV6_IAADDR_LEN	24	/* address, lifetimes before options */
#define DHCPV6_DUID_MAX		130	/* type and up to 128 bytes, 11.1 */
#define DHCPV6_LIFETIME_INF	0xffffffffU
#define DHCPV6_PREF_MAX		255	/* "pick me now", 18.2.1 */
#define DHCPV6_STALE_MAX	8	/* foreign addresses zeroed per reply */

/* DUID-LL: DUID type 3, hardware type 1 (Ethernet), then the MAC address */
#define DHCPV6_DUID_LL		3
#define DHCPV6_HW_ETHERNET	1
#define DHCPV6_SERVERID_LEN	(4 + ETH_ALEN_)

/* Replies: fixed options plus resolvers and the whole search list */
#define DHCPV6_REPLY_MAX	(DHCPV6_HDR_LEN + 4 + DHCPV6_DUID_MAX + \
				 4 + DHCPV6_SERVERID_LEN + 4 + 4 + 1 +	\
				 4 + DHCPV6_IA_NA_LEN +			\
				 (1 + DHCPV6_STALE_MAX) *		\
				 (4 + DHCPV6_IAADDR_LEN) + 2 * (4 + 32) + \
				 4 + 16 * MAXNS + 4 + MAXDNSRCH * 256)

/**
 * struct dhcpv6_opt - location of one option's data in the frame
 * @off:	Offset of the option data (after code and length)
 * @len:	Length of the option data
 * @found:	The option is present
 */
struct dhcpv6_opt {
	size_t off;
	size_t len;
	bool found;
};

/**
 * struct dhcpv6_msg - what we use of a client's message
 * @type:	Message type
 * @xid:	Transaction ID
 * @opts:	Offset of the first option in the frame
 * @end:	Offset of the end of the message in the frame
 * @clientid:	Client Identifier option
 * @serverid:	Server Identifier option
 * @ia_na:	First IA_NA option
 * @rapid:	Rapid Commit option
 */
struct dhcpv6_msg {
	uint8_t type;
	uint8_t xid[3];
	size_t opts;
	size_t end;
	struct dhcpv6_opt clientid;
	struct dhcpv6_opt serverid;
	struct dhcpv6_opt ia_na;
	struct dhcpv6_opt rapid;
};

/**
 * struct dhcpv6_buf - a message or option body being assembled
 * @b:		Bytes
 * @len:	Bytes used
 */
struct dhcpv6_buf {
	uint8_t b[DHCPV6_REPLY_MAX];
	size_t len;
};

/**
 * dhcpv6_opt_next() - Read the header of the option at @*pos
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @pos:	Offset of the option, moved past it on success
 * @end:	End of the enclosing message or option
 * @code:	Option code, set on success
 * @o:		Location of the option data, set on success
 *
 * Return: 1 if an option was read, 0 at @end, -EBADMSG if the option
 * header or data overruns @end
 */
static int dhcpv6_opt_next(const struct pool *p, size_t idx, size_t *pos,
			   size_t end, uint16_t *code, struct dhcpv6_opt *o)
{
	const uint8_t *h;
	size_t len;

	if (*pos >= end)
		return 0;
	if (end - *pos < DHCPV6_OPT_HDR_LEN ||
	    !(h = packet_get(p, idx, *pos, DHCPV6_OPT_HDR_LEN, NULL)))
		return -EBADMSG;
	len = (size_t)(h[2] << 8 | h[3]);
	if (len > end - *pos - DHCPV6_OPT_HDR_LEN)
		return -EBADMSG;

	*code = (uint16_t)(h[0] << 8 | h[1]);
	o->off = *pos + DHCPV6_OPT_HDR_LEN;
	o->len = len;
	o->found = true;
	*pos = o->off + len;
	return 1;
}

/**
 * dhcpv6_ia_addr_get() - Address from an IA Address option
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @o:		IA Address option
 * @addr:	Address, set on success
 *
 * Return: true on success, false if the option is too short
 */
static bool dhcpv6_ia_addr_get(const struct pool *p, size_t idx,
			       const struct dhcpv6_opt *o,
			       struct in6_addr *addr)
{
	const uint8_t *a;

	if (o->len < DHCPV6_IAADDR_LEN ||
	    !(a = packet_get(p, idx, o->off, sizeof(*addr), NULL)))
		return false;
	memcpy(addr, a, sizeof(*addr));
	return true;
}

/**
 * dhcpv6_ia_valid() - Check an IA_NA and the options nested in it
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @ia:		IA_NA option
 *
 * Return: true if the IA_NA has its fixed fields, every nested option fits
 * in it and every IA Address option has its fixed fields
 */
static bool dhcpv6_ia_valid(const struct pool *p, size_t idx,
			    const struct dhcpv6_opt *ia)
{
	size_t pos = ia->off + DHCPV6_IA_NA_LEN, end = ia->off + ia->len;
	struct dhcpv6_opt o;
	uint16_t code;
	int rc;

	if (ia->len < DHCPV6_IA_NA_LEN)
		return false;
	while ((rc = dhcpv6_opt_next(p, idx, &pos, end, &code, &o)) > 0) {
		if (code == DHCPV6_OPT_IAADDR && o.len < DHCPV6_IAADDR_LEN)
			return false;
	}
	return rc == 0;
}

/**
 * dhcpv6_parse() - Check a client's message and locate the options we use
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @off:	Offset of the DHCPv6 message in the frame
 * @end:	Offset of the end of the message
 * @m:		Parsed message, filled on success
 *
 * Return: 0 on success, -EBADMSG if the message is malformed
 */
static int dhcpv6_parse(const struct pool *p, size_t idx, size_t off,
			size_t end, struct dhcpv6_msg *m)
{
	const uint8_t *h;
	struct dhcpv6_opt o;
	uint16_t code;
	size_t pos;
	int rc;

	memset(m, 0, sizeof(*m));
	if (end < off || end - off < DHCPV6_HDR_LEN ||
	    !(h = packet_get(p, idx, off, DHCPV6_HDR_LEN, NULL)))
		return -EBADMSG;
	m->type = h[0];
	memcpy(m->xid, h + 1, sizeof(m->xid));
	m->opts = pos = off + DHCPV6_HDR_LEN;
	m->end = end;

	while ((rc = dhcpv6_opt_next(p, idx, &pos, end, &code, &o)) > 0) {
		struct dhcpv6_opt *dst = NULL;

		switch (code) {
		case DHCPV6_OPT_CLIENTID:
			dst = &m->clientid;
			break;
		case DHCPV6_OPT_SERVERID:
			dst = &m->serverid;
			break;
		case DHCPV6_OPT_IA_NA:
			if (!dhcpv6_ia_valid(p, idx, &o))
				return -EBADMSG;
			dst = &m->ia_na;
			break;
		case DHCPV6_OPT_RAPID_COMMIT:
			dst = &m->rapid;
			break;
		}
		if (dst && !dst->found)
			*dst = o;
	}
	if (rc < 0)
		return rc;

	if (m->clientid.found && (m->clientid.len < 2 ||
				  m->clientid.len > DHCPV6_DUID_MAX))
		return -EBADMSG;
	return 0;
}

/**
 * dhcpv6_put() - Append an option to a message or option body
 * @buf:	Message or option body
 * @code:	Option code
 * @data:	Option data, may be NULL if @len is 0
 * @len:	Length of @data
 *
 * Return: 0 on success, -ENOSPC if it does not fit (nothing written)
 */
static int dhcpv6_put(struct dhcpv6_buf *buf, uint16_t code,
		      const void *data, size_t len)
{
	if (len > UINT16_MAX ||
	    len + DHCPV6_OPT_HDR_LEN > sizeof(buf->b) - buf->len)
		return -ENOSPC;
	buf->b[buf->len] = (uint8_t)(code >> 8);
	buf->b[buf->len + 1] = (uint8_t)code;
	buf->b[buf->len + 2] = (uint8_t)(len >> 8);
	buf->b[buf->len + 3] = (uint8_t)len;
	if (len)
		memcpy(buf->b + buf->len + DHCPV6_OPT_HDR_LEN, data, len);
	buf->len += DHCPV6_OPT_HDR_LEN + len;
	return 0;
}

/**
 * dhcpv6_put32() - Store a 32-bit value in network order at any alignment
 * @dst:	Destination
 * @v:		Value, host order
 */
static void dhcpv6_put32(uint8_t *dst, uint32_t v)
{
	uint32_t n = htonl(v);

	memcpy(dst, &n, sizeof(n));
}

/**
 * dhcpv6_put_status() - Append a Status Code option
 * @buf:	Message or option body
 * @status:	Status code
 * @text:	Message for humans
 */
static void dhcpv6_put_status(struct dhcpv6_buf *buf, uint16_t status,
			      const char *text)
{
	uint8_t d[2 + 32];
	size_t len = strnlen(text, sizeof(d) - 2);	/* not NUL-terminated */

	d[0] = (uint8_t)(status >> 8);
	d[1] = (uint8_t)status;
	memcpy(d + 2, text, len);
	dhcpv6_put(buf, DHCPV6_OPT_STATUS_CODE, d, 2 + len);
}

/**
 * dhcpv6_put_iaaddr() - Append an IA Address option
 * @buf:	Option body of the IA_NA
 * @addr:	Address
 * @lifetime:	Preferred and valid lifetime, seconds
 */
static void dhcpv6_put_iaaddr(struct dhcpv6_buf *buf,
			      const struct in6_addr *addr, uint32_t lifetime)
{
	uint8_t d[DHCPV6_IAADDR_LEN];

	memcpy(d, addr, sizeof(*addr));
	dhcpv6_put32(d + 16, lifetime);
	dhcpv6_put32(d + 20, lifetime);
	dhcpv6_put(buf, DHCPV6_OPT_IAADDR, d, sizeof(d));
}

/**
 * dhcpv6_put_ia_na() - Append an IA_NA answering the client's first one
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @m:		Client's message, with an IA_NA
 * @stale:	Also return the client's other addresses with zero lifetimes
 * @reply:	Reply being built
 */
static void dhcpv6_put_ia_na(const struct ctx *c, const struct pool *p,
			     size_t idx, const struct dhcpv6_msg *m,
			     bool stale, struct dhcpv6_buf *reply)
{
	size_t pos = m->ia_na.off + DHCPV6_IA_NA_LEN;
	size_t end = m->ia_na.off + m->ia_na.len;
	struct dhcpv6_buf ia = { .len = DHCPV6_IA_NA_LEN };
	const uint8_t *iaid;
	struct dhcpv6_opt o;
	unsigned n = 0;
	uint16_t code;

	iaid = packet_get(p, idx, m->ia_na.off, 4, NULL);
	if (!iaid)
		return;
	memcpy(ia.b, iaid, 4);

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		/* T1 and T2 zero: the client picks */
		dhcpv6_put_status(&ia, DHCPV6_STATUS_NOADDRSAVAIL,
				  "no address to assign");
		dhcpv6_put(reply, DHCPV6_OPT_IA_NA, ia.b, ia.len);
		return;
	}

	/* Infinite lifetimes, so no renewal either (RFC 8415, 21.4) */
	dhcpv6_put32(ia.b + 4, DHCPV6_LIFETIME_INF);
	dhcpv6_put32(ia.b + 8, DHCPV6_LIFETIME_INF);
	dhcpv6_put_iaaddr(&ia, &c->ip6.addr, DHCPV6_LIFETIME_INF);

	while (stale && n < DHCPV6_STALE_MAX &&
	       dhcpv6_opt_next(p, idx, &pos, end, &code, &o) > 0) {
		struct in6_addr a;

		if (code != DHCPV6_OPT_IAADDR ||
		    !dhcpv6_ia_addr_get(p, idx, &o, &a) ||
		    IN6_ARE_ADDR_EQUAL(&a, &c->ip6.addr))
			continue;
		dhcpv6_put_iaaddr(&ia, &a, 0);
		n++;
	}

	dhcpv6_put(reply, DHCPV6_OPT_IA_NA, ia.b, ia.len);
}

/**
 * dhcpv6_put_dns() - Append resolvers and search list, if passed to guests
 * @c:		Execution context
 * @reply:	Reply being built
 */
static void dhcpv6_put_dns(const struct ctx *c, struct dhcpv6_buf *reply)
{
	struct dhcpv6_buf d = { 0 };
	size_t n;

	if (c->dhcp_dns) {
		for (n = 0; n < MAXNS; n++) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[n]))
				break;
			/* A host stub resolver, via --dns-forward */
			memcpy(d.b + d.len,
			       IN6_IS_ADDR_LOOPBACK(&c->ip6.dns[n]) ?
			       &c->ip6.dns_match : &c->ip6.dns[n], 16);
			d.len += 16;
		}
		if (d.len && dhcpv6_put(reply, DHCPV6_OPT_DNS_SERVERS, d.b,
					d.len))
			debug("DHCPv6: no room for resolvers");
	}

	if (!c->dhcp_search)
		return;
	d.len = 0;
	for (n = 0; n < MAXDNSRCH && c->dns_search[n][0]; n++) {
		int rc = dns_name_encode(c->dns_search[n], d.b + d.len,
					 sizeof(d.b) - d.len);

		if (rc < 0) {
			debug("DHCPv6: search domain %s left out (%s)",
			      c->dns_search[n], strerror_(-rc));
			continue;
		}
		d.len += (size_t)rc;
	}
	if (d.len && dhcpv6_put(reply, DHCPV6_OPT_DOMAIN_LIST, d.b, d.len))
		debug("DHCPv6: no room for the search list");
}

/**
 * dhcpv6_serverid() - Our Server Identifier (DUID-LL) option data
 * @c:		Execution context
 * @duid:	Buffer for the DUID, DHCPV6_SERVERID_LEN bytes
 */
static void dhcpv6_serverid(const struct ctx *c, uint8_t *duid)
{
	duid[0] = 0;
	duid[1] = DHCPV6_DUID_LL;
	duid[2] = 0;
	duid[3] = DHCPV6_HW_ETHERNET;
	memcpy(duid + 4, c->our_mac, ETH_ALEN_);
}

/**
 * dhcpv6_serverid_ours() - Check the client's Server Identifier is ours
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @m:		Client's message
 *
 * Return: true if the message has a Server Identifier and it is our DUID
 */
static bool dhcpv6_serverid_ours(const struct ctx *c, const struct pool *p,
				 size_t idx, const struct dhcpv6_msg *m)
{
	uint8_t duid[DHCPV6_SERVERID_LEN];
	const uint8_t *sid;

	if (!m->serverid.found || m->serverid.len != sizeof(duid))
		return false;
	sid = packet_get(p, idx, m->serverid.off, sizeof(duid), NULL);
	dhcpv6_serverid(c, duid);
	return sid && !memcmp(sid, duid, sizeof(duid));
}

/**
 * dhcpv6_confirm_status() - Decide on a CONFIRM: are its addresses ours?
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @m:		Client's message, already validated
 *
 * Return: DHCPV6_STATUS_SUCCESS if every address in every IA_NA is ours,
 * DHCPV6_STATUS_NOTONLINK if one is not, -ENOENT if there are none (no
 * reply then, RFC 8415, 18.3.3)
 */
static int dhcpv6_confirm_status(const struct ctx *c, const struct pool *p,
				 size_t idx, const struct dhcpv6_msg *m)
{
	size_t pos = m->opts;
	struct dhcpv6_opt ia;
	unsigned count = 0;
	uint16_t code;

	while (dhcpv6_opt_next(p, idx, &pos, m->end, &code, &ia) > 0) {
		size_t sub = ia.off + DHCPV6_IA_NA_LEN;
		struct dhcpv6_opt o;
		struct in6_addr a;

		if (code != DHCPV6_OPT_IA_NA)
			continue;
		while (dhcpv6_opt_next(p, idx, &sub, ia.off + ia.len, &code,
				       &o) > 0) {
			if (code != DHCPV6_OPT_IAADDR ||
			    !dhcpv6_ia_addr_get(p, idx, &o, &a))
				continue;
			if (!IN6_ARE_ADDR_EQUAL(&a, &c->ip6.addr))
				return DHCPV6_STATUS_NOTONLINK;
			count++;
		}
	}
	return count ? DHCPV6_STATUS_SUCCESS : -ENOENT;
}

/**
 * dhcpv6_check() - Apply the per-type rules on identifiers, RFC 8415, 16
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @m:		Client's message
 *
 * Return: reply type, or DHCPV6_TYPE_NONE if the message must be discarded
 */
static enum dhcpv6_type dhcpv6_check(const struct ctx *c,
				     const struct pool *p, size_t idx,
				     const struct dhcpv6_msg *m)
{
	switch (m->type) {
	case DHCPV6_SOLICIT:
		if (!m->clientid.found || m->serverid.found)
			return DHCPV6_TYPE_NONE;
		return m->rapid.found ? DHCPV6_REPLY : DHCPV6_ADVERTISE;
	case DHCPV6_REQUEST:
	case DHCPV6_RENEW:
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		if (!m->clientid.found || !dhcpv6_serverid_ours(c, p, idx, m))
			return DHCPV6_TYPE_NONE;
		return DHCPV6_REPLY;
	case DHCPV6_REBIND:
	case DHCPV6_CONFIRM:
		if (!m->clientid.found || m->serverid.found)
			return DHCPV6_TYPE_NONE;
		return DHCPV6_REPLY;
	case DHCPV6_INFORMATION_REQUEST:
		if (m->serverid.found && !dhcpv6_serverid_ours(c, p, idx, m))
			return DHCPV6_TYPE_NONE;
		return DHCPV6_REPLY;
	default:
		return DHCPV6_TYPE_NONE;
	}
}

/**
 * dhcpv6_reply() - Build and send the reply to a checked message
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @m:		Client's message
 * @type:	Reply type, from dhcpv6_check()
 * @saddr:	Client's address
 */
static void dhcpv6_reply(const struct ctx *c, const struct pool *p,
			 size_t idx, const struct dhcpv6_msg *m,
			 enum dhcpv6_type type, const struct in6_addr *saddr)
{
	struct dhcpv6_buf reply = { .len = DHCPV6_HDR_LEN };
	uint8_t duid[DHCPV6_SERVERID_LEN];
	int status = -ENOENT;

	if (m->type == DHCPV6_CONFIRM) {
		status = dhcpv6_confirm_status(c, p, idx, m);
		if (status < 0) {
			debug("DHCPv6: CONFIRM without addresses, ignored");
			return;
		}
	} else if (m->type == DHCPV6_RELEASE || m->type == DHCPV6_DECLINE) {
		status = DHCPV6_STATUS_SUCCESS;
	}

	reply.b[0] = (uint8_t)type;
	memcpy(reply.b + 1, m->xid, sizeof(m->xid));

	if (m->clientid.found) {
		const uint8_t *cid = packet_get(p, idx, m->clientid.off,
						m->clientid.len, NULL);

		if (!cid)
			return;
		dhcpv6_put(&reply, DHCPV6_OPT_CLIENTID, cid, m->clientid.len);
	}
	dhcpv6_serverid(c, duid);
	dhcpv6_put(&reply, DHCPV6_OPT_SERVERID, duid, sizeof(duid));

	if (m->type == DHCPV6_SOLICIT) {
		if (type == DHCPV6_REPLY) {
			dhcpv6_put(&reply, DHCPV6_OPT_RAPID_COMMIT, NULL, 0);
		} else {
			uint8_t pref = DHCPV6_PREF_MAX;

			dhcpv6_put(&reply, DHCPV6_OPT_PREFERENCE, &pref, 1);
		}
	}

	if (m->ia_na.found &&
	    (m->type == DHCPV6_SOLICIT || m->type == DHCPV6_REQUEST ||
	     m->type == DHCPV6_RENEW || m->type == DHCPV6_REBIND))
		dhcpv6_put_ia_na(c, p, idx, m, m->type != DHCPV6_SOLICIT,
				 &reply);

	if (status == DHCPV6_STATUS_SUCCESS)
		dhcpv6_put_status(&reply, (uint16_t)status, "success");
	else if (status == DHCPV6_STATUS_NOTONLINK)
		dhcpv6_put_status(&reply, (uint16_t)status,
				  "address not on link");

	dhcpv6_put_dns(c, &reply);

	info("DHCPv6: received %s, sending %s", dhcpv6_type_name[m->type],
	     dhcpv6_type_name[type]);

	tap_send_udp6(c, &c->ip6.our_tap_ll, DHCPV6_SERVER_PORT, saddr,
		      DHCPV6_CLIENT_PORT, reply.b, reply.len);
}

/**
 * dhcpv6() - Handle a UDP datagram from the guest that may be DHCPv6
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the UDP header in the frame
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: 1 if the datagram was for the DHCPv6 server port (answered or
 * dropped), 0 otherwise
 */
int dhcpv6(const struct ctx *c, const struct pool *p, size_t idx, size_t l4off,
	   const struct in6_addr *saddr, const struct in6_addr *daddr)
{
	const uint8_t *uh = packet_get_try(p, idx, l4off, UDP_HLEN, NULL);
	const uint8_t *ip6;
	enum dhcpv6_type type;
	size_t ulen, l3end;
	struct dhcpv6_msg m;

	(void)daddr;

	if (!uh || (uh[2] << 8 | uh[3]) != DHCPV6_SERVER_PORT)
		return 0;
	if (c->no_dhcpv6) {
		trace("DHCPv6: disabled, message dropped");
		return 1;
	}

	/* The datagram must end within the IPv6 payload, not in padding */
	ip6 = packet_get(p, idx, ETH_HLEN_, IP6_HLEN, NULL);
	if (!ip6)
		return 1;
	l3end = ETH_HLEN_ + IP6_HLEN + (size_t)(ip6[4] << 8 | ip6[5]);
	ulen = (size_t)(uh[4] << 8 | uh[5]);
	if (ulen < UDP_HLEN || l3end < l4off || ulen > l3end - l4off ||
	    !packet_get(p, idx, l4off, ulen, NULL)) {
		debug("DHCPv6: UDP length %zu invalid, dropped", ulen);
		return 1;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) || IN6_IS_ADDR_MULTICAST(saddr)) {
		debug("DHCPv6: invalid source address, dropped");
		return 1;
	}
	if (dhcpv6_parse(p, idx, l4off + UDP_HLEN, l4off + ulen, &m)) {
		debug("DHCPv6: malformed message, dropped");
		return 1;
	}

	type = dhcpv6_check(c, p, idx, &m);
	if (type == DHCPV6_TYPE_NONE) {
		debug("DHCPv6: %s not for us or invalid, dropped",
		      m.type < DHCPV6_NUM_TYPES ? dhcpv6_type_name[m.type] :
						  "unknown type");
		return 1;
	}

	dhcpv6_reply(c, p, idx, &m, type, saddr);
	return 1;
}
