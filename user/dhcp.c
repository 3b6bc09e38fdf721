// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - DHCP server handing the guest its one IPv4 address (RFC 2131)
 *
 * Theory of operation: the guest gets one fixed configuration, the same in
 * every reply: address c->ip4.addr, netmask from c->ip4.prefix_len, router
 * and server identifier c->ip4.gw, and optionally resolvers, domain name,
 * search list and MTU.  There is no lease table.  DISCOVER gets an OFFER;
 * REQUEST gets an ACK if it asks for that address (or for none) and a NAK
 * if it asks for another one; INFORM gets an ACK with the configuration but
 * no address.  RELEASE and DECLINE need no answer: the address is never
 * given to anybody else.
 *
 * Leases are infinite (lease time 0xffffffff, RFC 2131 3.3): the address
 * can't change while we run, so renewals would only add traffic.  A guest
 * that outlives us and asks again for its old address (at boot, on link
 * up) gets a NAK from the next instance if that address changed.
 *
 * Parsing: fixed BOOTP header and magic cookie, then options in the options
 * field and, if option 52 says so, in the file and sname fields, in this
 * order (RFC 2131 4.1).  Several instances of one option are concatenated
 * (RFC 3396).  An option running past the end of its field, or an option
 * we use with an impossible length, makes us drop the whole message.  A
 * missing End option is tolerated: the field ends anyway.
 *
 * Replies: every client takes 576-byte IP datagrams (RFC 2131 2), larger
 * ones only if it says so with option 57.  Options are added in order of
 * importance while they fit: message type, server identifier, lease time,
 * client identifier (echoed, RFC 6842), then the configuration options the
 * client asked for in option 55, then those it didn't ask for.  What does
 * not fit is left out, with a debug line: sname and file are never used
 * for overload.  Options longer than 255 bytes, in practice only the search
 * list, are split in consecutive instances (RFC 3396).
 *
 * Replies always go to the broadcast address, from the gateway address and
 * port 67 to port 68.  RFC 2131 4.1 would have us unicast to yiaddr (or
 * ciaddr) when the broadcast flag is clear, but clients take broadcast
 * replies in any state, and there is nobody else on the link to disturb.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <net/if_arp.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctx.h"
#include "dns_name.h"
#include "l2.h"
#include "log.h"
#include "packet.h"
#include "tap.h"
#include "util.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP_MAGIC		0x63825363U	/* 99.130.83.99 */
#define DHCP_MIN_LEN		300	/* BOOTP's size (RFC 951), for old clients */
#define DHCP_MIN_DGRAM		576	/* RFC 2131 2: any client takes this */
#define DHCP_OPT_SPACE		3072	/* more than all we ever add */
#define DHCP_LEASE_INFINITE	0xffffffffU
#define DHCP_OPT_LEN_MAX	255
#define DHCP_SEARCH_MAX		(MAXDNSRCH * DNS_NAME_MAX)

#define BOOTREQUEST		1
#define BOOTREPLY		2

/* Option codes: RFC 2132, RFC 3397 (search list) */
#define DHCP_OPT_PAD		0
#define DHCP_OPT_MASK		1
#define DHCP_OPT_ROUTER		3
#define DHCP_OPT_DNS		6
#define DHCP_OPT_DOMAIN		15
#define DHCP_OPT_MTU		26
#define DHCP_OPT_REQ_ADDR	50
#define DHCP_OPT_LEASE		51
#define DHCP_OPT_OVERLOAD	52
#define DHCP_OPT_MSG_TYPE	53
#define DHCP_OPT_SERVER_ID	54
#define DHCP_OPT_PARAMS		55
#define DHCP_OPT_MESSAGE	56
#define DHCP_OPT_MAX_SIZE	57
#define DHCP_OPT_CLIENT_ID	61
#define DHCP_OPT_SEARCH		119
#define DHCP_OPT_END		255

/* Option 52: which header fields carry more options */
#define DHCP_OVERLOAD_FILE	1
#define DHCP_OVERLOAD_SNAME	2

/* Option 53 values */
#define DHCPDISCOVER		1
#define DHCPOFFER		2
#define DHCPREQUEST		3
#define DHCPDECLINE		4
#define DHCPACK			5
#define DHCPNAK			6
#define DHCPRELEASE		7
#define DHCPINFORM		8

/* RFC 2132 5.1: the smallest interface MTU option value */
#define DHCP_MTU_MIN		68

/**
 * struct dhcp_hdr - fixed part of a BOOTP/DHCP message, wire layout
 * @op:		BOOTREQUEST or BOOTREPLY
 * @htype:	Hardware address type (ARPHRD_ETHER)
 * @hlen:	Hardware address length
 * @hops:	Relay hops
 * @xid:	Transaction identifier, opaque
 * @secs:	Seconds since the client started, network order
 * @flags:	Flags (broadcast bit), network order
 * @ciaddr:	Client address, if it has one already
 * @yiaddr:	Address given to the client
 * @siaddr:	Next server to use in bootstrap
 * @giaddr:	Relay agent address
 * @chaddr:	Client hardware address, padded
 * @sname:	Server host name, or options (overload)
 * @file:	Boot file name, or options (overload)
 * @magic:	DHCP magic cookie, network order
 */
struct dhcp_hdr {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	struct in_addr ciaddr;
	struct in_addr yiaddr;
	struct in_addr siaddr;
	struct in_addr giaddr;
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
	uint32_t magic;
};

static_assert(sizeof(struct dhcp_hdr) == 240, "BOOTP header has no padding");

#define DHCP_SNAME_OFF		offsetof(struct dhcp_hdr, sname)
#define DHCP_FILE_OFF		offsetof(struct dhcp_hdr, file)

/**
 * enum dhcp_rx_opt - options we read from requests
 * @DHCP_RX_MSG_TYPE:	Message type (53)
 * @DHCP_RX_REQ_ADDR:	Requested address (50)
 * @DHCP_RX_SERVER_ID:	Server identifier (54)
 * @DHCP_RX_MAX_SIZE:	Maximum message size (57)
 * @DHCP_RX_OVERLOAD:	Option overload (52)
 * @DHCP_RX_CLIENT_ID:	Client identifier (61), echoed back
 * @DHCP_RX_PARAMS:	Parameter request list (55)
 * @DHCP_RX_NUM_OPT:	Sentinel
 */
enum dhcp_rx_opt {
	DHCP_RX_MSG_TYPE,
	DHCP_RX_REQ_ADDR,
	DHCP_RX_SERVER_ID,
	DHCP_RX_MAX_SIZE,
	DHCP_RX_OVERLOAD,
	DHCP_RX_CLIENT_ID,
	DHCP_RX_PARAMS,
	DHCP_RX_NUM_OPT,
};

/**
 * struct dhcp_rx_desc - code and acceptable lengths of an option we read
 * @code:	Option code
 * @min:	Minimum length, after concatenation
 * @max:	Maximum length, after concatenation
 */
struct dhcp_rx_desc {
	uint8_t code;
	uint8_t min;
	uint8_t max;
};

static const struct dhcp_rx_desc dhcp_rx_desc[] = {
	[DHCP_RX_MSG_TYPE]	= { DHCP_OPT_MSG_TYPE,	1, 1 },
	[DHCP_RX_REQ_ADDR]	= { DHCP_OPT_REQ_ADDR,	4, 4 },
	[DHCP_RX_SERVER_ID]	= { DHCP_OPT_SERVER_ID,	4, 4 },
	[DHCP_RX_MAX_SIZE]	= { DHCP_OPT_MAX_SIZE,	2, 2 },
	[DHCP_RX_OVERLOAD]	= { DHCP_OPT_OVERLOAD,	1, 1 },
	/* RFC 2132 9.14: type and at least one byte of identifier */
	[DHCP_RX_CLIENT_ID]	= { DHCP_OPT_CLIENT_ID,	2, DHCP_OPT_LEN_MAX },
	[DHCP_RX_PARAMS]	= { DHCP_OPT_PARAMS,	0, DHCP_OPT_LEN_MAX },
};

static_assert(ARRAY_SIZE(dhcp_rx_desc) == DHCP_RX_NUM_OPT,
	      "one descriptor per option read");

/**
 * struct dhcp_rx_val - value of one option read from a request
 * @seen:	Option present, at least once
 * @len:	Length of @data, all instances concatenated
 * @data:	Value
 */
struct dhcp_rx_val {
	bool seen;
	size_t len;
	uint8_t data[DHCP_OPT_LEN_MAX];
};

/**
 * struct dhcp_req - what we keep of a request
 * @h:		Fixed header
 * @opt:	Options we use, indexed by enum dhcp_rx_opt
 */
struct dhcp_req {
	struct dhcp_hdr h;
	struct dhcp_rx_val opt[DHCP_RX_NUM_OPT];
};

/**
 * struct dhcp_reply - reply being built
 * @len:	Bytes used in @msg, header included
 * @limit:	Largest message the client takes, at most sizeof(@msg)
 * @msg:	Message: fixed header, then options
 */
struct dhcp_reply {
	size_t len;
	size_t limit;
	uint8_t msg[sizeof(struct dhcp_hdr) + DHCP_OPT_SPACE];
};

/* Configuration options, most important first (see dhcp_reply_config()) */
static const uint8_t dhcp_cfg_order[] = {
	DHCP_OPT_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_MTU,
	DHCP_OPT_DOMAIN, DHCP_OPT_SEARCH,
};

/**
 * dhcp_dn_match() - Check whether an encoded name sits at an offset
 * @buf:	Encoded names written so far, with compression pointers
 * @len:	Bytes in @buf
 * @off:	Offset in @buf where a name (or name suffix) starts
 * @name:	Uncompressed encoded name (suffix) to compare
 * @namelen:	Length of @name, up to and including its root label
 *
 * Labels are compared byte by byte: names differing only in case are not
 * merged, so the guest sees every name exactly as configured.
 *
 * Return: true if the name at @off, following pointers, equals @name
 */
static bool dhcp_dn_match(const uint8_t *buf, size_t len, size_t off,
			  const uint8_t *name, size_t namelen)
{
	size_t n = 0, hops = 0;

	while (off < len && n < namelen) {
		size_t lab = buf[off];

		if ((lab & 0xc0) == 0xc0) {
			/* Pointers only ever go backwards: bound the walk */
			if (off + 1 >= len || ++hops > DNS_NAME_MAX)
				return false;
			off = (lab & 0x3f) << 8 | buf[off + 1];
			continue;
		}
		if (name[n] != lab)
			return false;
		if (!lab)
			return true;
		if (lab >= len - off || lab >= namelen - n ||
		    memcmp(buf + off + 1, name + n + 1, lab) != 0)
			return false;
		off += lab + 1;
		n += lab + 1;
	}
	return false;
}

/**
 * dhcp_dn_find() - Find the longest suffix of a name already written
 * @out:	Encoded names written so far
 * @pos:	Bytes in @out
 * @sfx:	Offsets in @out of labels written in full
 * @nsfx:	Number of entries in @sfx
 * @enc:	Uncompressed encoded name
 * @n:		Length of @enc
 * @target:	Set to the offset of the suffix in @out, if found
 *
 * Return: offset in @enc where the suffix found starts, or the offset of the
 * root label of @enc if none was found (the root itself is never replaced:
 * a pointer is longer)
 */
static size_t dhcp_dn_find(const uint8_t *out, size_t pos,
			   const uint16_t *sfx, size_t nsfx,
			   const uint8_t *enc, size_t n, uint16_t *target)
{
	size_t lab, k;

	for (lab = 0; enc[lab]; lab += enc[lab] + 1U) {
		for (k = 0; k < nsfx; k++) {
			if (dhcp_dn_match(out, pos, sfx[k], enc + lab,
					  n - lab)) {
				*target = sfx[k];
				return lab;
			}
		}
	}
	return lab;
}

/**
 * dhcp_encode_search() - Encode the search list as in DHCP option 119
 * @c:		Execution context
 * @out:	Output buffer
 * @outlen:	Size of @out
 *
 * Names are in RFC 1035 format with RFC 3397 compression: when the end of a
 * name was already written, it is replaced by a pointer to it, an offset
 * from the start of @out (that is, of the option value, across split
 * instances).  Invalid names (empty or overlong labels) and the root are
 * skipped with a debug line.  c->dhcp_search is not checked here.
 *
 * Return: bytes written, 0 if there is nothing to send, -ENOSPC if @outlen
 * is too small
 */
int dhcp_encode_search(const struct ctx *c, uint8_t *out, size_t outlen)
{
	/* Offsets in @out of labels written in full: pointer targets */
	uint16_t sfx[MAXDNSRCH * (DNS_NAME_MAX / 2 + 1)];
	size_t nsfx = 0, pos = 0, i;

	for (i = 0; i < MAXDNSRCH && c->dns_search[i][0]; i++) {
		const char *text = c->dns_search[i];
		uint8_t enc[DNS_NAME_MAX];
		uint16_t target = 0;
		size_t lab, l, need;
		bool found;
		int n;

		if (!memchr(text, '\0', DNSRCH_LEN))
			continue;
		n = dns_name_encode(text, enc, sizeof(enc));
		if (n <= 1) {
			debug("DHCP: search domain '%s' not valid, skipped",
			      text);
			continue;
		}

		lab = dhcp_dn_find(out, pos, sfx, nsfx, enc, (size_t)n,
				   &target);
		found = enc[lab] != 0;
		need = lab + (found ? 2 : 1);
		if (need > outlen - pos)
			return -ENOSPC;

		/* A pointer holds 14 bits of offset */
		for (l = 0; l < lab && pos + l < 0x4000; l += enc[l] + 1U)
			sfx[nsfx++] = (uint16_t)(pos + l);

		memcpy(out + pos, enc, lab);
		if (found) {
			out[pos + lab] = (uint8_t)(0xc0 | target >> 8);
			out[pos + lab + 1] = (uint8_t)target;
		} else {
			out[pos + lab] = 0;
		}
		pos += need;
	}
	return (int)pos;
}

/**
 * dhcp_rx_store() - Keep the value of an option we use, concatenating
 * @req:	Request being parsed
 * @code:	Option code
 * @val:	Value, as returned by packet_get(), NULL if @len is 0
 * @len:	Length of @val
 * @opts_field:	Option found in the options field (not in sname or file)
 *
 * Return: 0 on success, -EMSGSIZE if the instances add up to too much
 */
static int dhcp_rx_store(struct dhcp_req *req, uint8_t code,
			 const uint8_t *val, size_t len, bool opts_field)
{
	size_t i;

	/* RFC 2131 4.1: option 52 is only valid in the options field */
	if (code == DHCP_OPT_OVERLOAD && !opts_field)
		return 0;

	for (i = 0; i < DHCP_RX_NUM_OPT; i++) {
		struct dhcp_rx_val *v = &req->opt[i];

		if (dhcp_rx_desc[i].code != code)
			continue;
		if (len > sizeof(v->data) - v->len) {
			debug("DHCP: option %u longer than %zu bytes, dropped",
			      code, sizeof(v->data));
			return -EMSGSIZE;
		}
		if (len)
			memcpy(v->data + v->len, val, len);
		v->len += len;
		v->seen = true;
		return 0;
	}
	return 0;
}

/**
 * dhcp_rx_opts() - Parse options in one field of a request
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @off:	Offset of the field in the frame
 * @end:	Offset of the end of the field (or of the message)
 * @req:	Request being parsed, options stored here
 * @opts_field:	This is the options field (not sname or file)
 *
 * Return: 0 on success, -EINVAL if an option runs past @end or is too long
 */
static int dhcp_rx_opts(const struct pool *p, size_t idx, size_t off,
			size_t end, struct dhcp_req *req, bool opts_field)
{
	while (off < end) {
		const uint8_t *code, *len, *val;

		code = packet_get(p, idx, off, 1, NULL);
		if (!code)
			return -EINVAL;
		if (*code == DHCP_OPT_PAD) {
			off++;
			continue;
		}
		if (*code == DHCP_OPT_END)
			return 0;

		len = end - off >= 2 ? packet_get(p, idx, off + 1, 1, NULL) :
				       NULL;
		if (!len || *len > end - off - 2) {
			debug("DHCP: option %u runs past its field, dropped",
			      *code);
			return -EINVAL;
		}
		val = *len ? packet_get(p, idx, off + 2, *len, NULL) : NULL;
		if (*len && !val)
			return -EINVAL;
		if (dhcp_rx_store(req, *code, val, *len, opts_field))
			return -EINVAL;
		off += 2 + (size_t)*len;
	}
	return 0;
}

/**
 * dhcp_rx_parse() - Read and check the fixed header and options of a request
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @doff:	Offset of the DHCP message in the frame
 * @dlen:	Length of the DHCP message, within the frame
 * @req:	Filled with header and options
 *
 * Return: 0 if this is a well-formed DHCP request, -EINVAL otherwise
 */
static int dhcp_rx_parse(const struct pool *p, size_t idx, size_t doff,
			 size_t dlen, struct dhcp_req *req)
{
	const struct dhcp_rx_val *ov = &req->opt[DHCP_RX_OVERLOAD];
	const void *raw = NULL;
	size_t i;

	for (i = 0; i < DHCP_RX_NUM_OPT; i++) {
		req->opt[i].seen = false;
		req->opt[i].len = 0;
	}

	if (dlen >= sizeof(req->h))
		raw = packet_get(p, idx, doff, sizeof(req->h), NULL);
	if (!raw) {
		debug("DHCP: message of %zu bytes too short, dropped", dlen);
		return -EINVAL;
	}
	memcpy(&req->h, raw, sizeof(req->h));

	if (req->h.op != BOOTREQUEST || req->h.htype != ARPHRD_ETHER ||
	    req->h.hlen != ETH_ALEN_) {
		debug("DHCP: not an Ethernet BOOTREQUEST, dropped");
		return -EINVAL;
	}
	if (ntohl(req->h.magic) != DHCP_MAGIC) {
		debug("DHCP: no magic cookie (plain BOOTP?), dropped");
		return -EINVAL;
	}

	if (dhcp_rx_opts(p, idx, doff + sizeof(req->h), doff + dlen, req,
			 true))
		return -EINVAL;

	if (ov->seen) {
		uint8_t v = ov->len == 1 ? ov->data[0] : 0;

		if (v < 1 || v > (DHCP_OVERLOAD_FILE | DHCP_OVERLOAD_SNAME)) {
			debug("DHCP: invalid option overload, dropped");
			return -EINVAL;
		}
		if ((v & DHCP_OVERLOAD_FILE) &&
		    dhcp_rx_opts(p, idx, doff + DHCP_FILE_OFF,
				 doff + DHCP_FILE_OFF + sizeof(req->h.file),
				 req, false))
			return -EINVAL;
		if ((v & DHCP_OVERLOAD_SNAME) &&
		    dhcp_rx_opts(p, idx, doff + DHCP_SNAME_OFF,
				 doff + DHCP_SNAME_OFF + sizeof(req->h.sname),
				 req, false))
			return -EINVAL;
	}

	for (i = 0; i < DHCP_RX_NUM_OPT; i++) {
		const struct dhcp_rx_val *v = &req->opt[i];

		if (v->seen && (v->len < dhcp_rx_desc[i].min ||
				v->len > dhcp_rx_desc[i].max)) {
			debug("DHCP: option %u with length %zu, dropped",
			      dhcp_rx_desc[i].code, v->len);
			return -EINVAL;
		}
	}

	if (!req->opt[DHCP_RX_MSG_TYPE].seen) {
		debug("DHCP: BOOTP request without message type, dropped");
		return -EINVAL;
	}
	return 0;
}

/**
 * dhcp_requested() - Check whether the client asked for an option
 * @req:	Request
 * @code:	Option code
 *
 * Return: true if @code is in the parameter request list (option 55)
 */
static bool dhcp_requested(const struct dhcp_req *req, uint8_t code)
{
	const struct dhcp_rx_val *v = &req->opt[DHCP_RX_PARAMS];

	return v->seen && memchr(v->data, code, v->len);
}

/**
 * dhcp_put() - Append an option to a reply, split in 255-byte instances
 * @r:		Reply
 * @code:	Option code
 * @data:	Value, may be NULL if @len is 0
 * @len:	Length of @data
 *
 * One byte is always left for the End option.
 *
 * Return: true if the option was added, false (nothing written) if it does
 * not fit
 */
static bool dhcp_put(struct dhcp_reply *r, uint8_t code, const void *data,
		     size_t len)
{
	const uint8_t *d = data;
	size_t chunks = 1;

	if (len)
		chunks = (len + DHCP_OPT_LEN_MAX - 1) / DHCP_OPT_LEN_MAX;

	if (len + 2 * chunks >= r->limit - r->len)
		return false;

	if (!len) {
		r->msg[r->len++] = code;
		r->msg[r->len++] = 0;
		return true;
	}
	while (len) {
		size_t n = MIN(len, DHCP_OPT_LEN_MAX);

		r->msg[r->len++] = code;
		r->msg[r->len++] = (uint8_t)n;
		memcpy(r->msg + r->len, d, n);
		r->len += n;
		d += n;
		len -= n;
	}
	return true;
}

/**
 * dhcp_put_param() - Append one configuration option, if we have a value
 * @c:		Execution context
 * @r:		Reply
 * @code:	Option code, from dhcp_cfg_order[]
 */
static void dhcp_put_param(const struct ctx *c, struct dhcp_reply *r,
			   uint8_t code)
{
	uint8_t buf[DHCP_SEARCH_MAX];
	size_t len = 0, i;

	switch (code) {
	case DHCP_OPT_MASK: {
		int plen = MAX(0, MIN(c->ip4.prefix_len, 32));
		uint32_t mask = plen ? htonl(~0U << (32 - plen)) : 0;

		memcpy(buf, &mask, sizeof(mask));
		len = sizeof(mask);
		break;
	}
	case DHCP_OPT_ROUTER:
		memcpy(buf, &c->ip4.gw, sizeof(c->ip4.gw));
		len = sizeof(c->ip4.gw);
		break;
	case DHCP_OPT_DNS:
		if (!c->dhcp_dns)
			return;
		for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
			const struct in_addr *a = &c->ip4.dns[i];

			/* A host stub resolver, reached via --dns-forward */
			if ((ntohl(a->s_addr) >> 24) == IN_LOOPBACKNET)
				a = &c->ip4.dns_match;
			memcpy(buf + len, a, sizeof(*a));
			len += sizeof(*a);
		}
		break;
	case DHCP_OPT_MTU: {
		uint16_t mtu;

		if (c->mtu < DHCP_MTU_MIN || c->mtu > UINT16_MAX)
			return;
		mtu = htons((uint16_t)c->mtu);
		memcpy(buf, &mtu, sizeof(mtu));
		len = sizeof(mtu);
		break;
	}
	case DHCP_OPT_DOMAIN:
		if (!c->dhcp_search)
			return;
		/* First search domain, as text without the trailing dot */
		len = strnlen(c->dns_search[0], DNSRCH_LEN - 1);
		if (len && c->dns_search[0][len - 1] == '.')
			len--;
		memcpy(buf, c->dns_search[0], len);
		break;
	case DHCP_OPT_SEARCH: {
		int n;

		if (!c->dhcp_search)
			return;
		n = dhcp_encode_search(c, buf, sizeof(buf));
		if (n <= 0)
			return;
		len = (size_t)n;
		break;
	}
	default:
		return;
	}

	if (len && !dhcp_put(r, code, buf, len))
		debug("DHCP: no room left for option %u, not sent", code);
}

/**
 * dhcp_reply_config() - Append configuration options, requested ones first
 * @c:		Execution context
 * @r:		Reply
 * @req:	Request, for its parameter request list
 */
static void dhcp_reply_config(const struct ctx *c, struct dhcp_reply *r,
			      const struct dhcp_req *req)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dhcp_cfg_order); i++) {
		if (dhcp_requested(req, dhcp_cfg_order[i]))
			dhcp_put_param(c, r, dhcp_cfg_order[i]);
	}
	for (i = 0; i < ARRAY_SIZE(dhcp_cfg_order); i++) {
		if (!dhcp_requested(req, dhcp_cfg_order[i]))
			dhcp_put_param(c, r, dhcp_cfg_order[i]);
	}
}

/**
 * dhcp_reply() - Build a reply to a request and send it
 * @c:		Execution context
 * @req:	Request
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @yiaddr:	Address given to the client, zero for none
 * @lease:	Send the lease time (not for NAK, nor for an ACK to INFORM)
 */
static void dhcp_reply(const struct ctx *c, const struct dhcp_req *req,
		       uint8_t type, struct in_addr yiaddr, bool lease)
{
	const struct dhcp_rx_val *max = &req->opt[DHCP_RX_MAX_SIZE];
	const struct dhcp_rx_val *clid = &req->opt[DHCP_RX_CLIENT_ID];
	struct in_addr bcast = { .s_addr = INADDR_BROADCAST };
	uint32_t lease_time = htonl(DHCP_LEASE_INFINITE);
	struct dhcp_reply r = { .len = sizeof(struct dhcp_hdr) };
	size_t dgram = DHCP_MIN_DGRAM;
	struct dhcp_hdr h = { 0 };

	/* RFC 2132 9.10: values below 576 are invalid, ignore them */
	if (max->seen)
		dgram = MAX(dgram, (size_t)(max->data[0] << 8 | max->data[1]));
	r.limit = MIN(dgram - IP4_HLEN - UDP_HLEN, sizeof(r.msg));

	/* RFC 2131 4.3.1, table 3 */
	h.op = BOOTREPLY;
	h.htype = ARPHRD_ETHER;
	h.hlen = ETH_ALEN_;
	h.xid = req->h.xid;
	h.flags = req->h.flags;
	if (type == DHCPACK)
		h.ciaddr = req->h.ciaddr;
	h.yiaddr = yiaddr;
	h.giaddr = req->h.giaddr;
	memcpy(h.chaddr, req->h.chaddr, sizeof(h.chaddr));
	h.magic = htonl(DHCP_MAGIC);
	memcpy(r.msg, &h, sizeof(h));

	/* These fit in any reply: 3 + 6 + 6 + 257 bytes, limit is >= 548 */
	dhcp_put(&r, DHCP_OPT_MSG_TYPE, &type, 1);
	dhcp_put(&r, DHCP_OPT_SERVER_ID, &c->ip4.gw, sizeof(c->ip4.gw));
	if (lease)
		dhcp_put(&r, DHCP_OPT_LEASE, &lease_time, sizeof(lease_time));
	if (clid->seen)
		dhcp_put(&r, DHCP_OPT_CLIENT_ID, clid->data, clid->len);

	if (type == DHCPNAK) {
		static const char msg[] = "requested address not available";

		dhcp_put(&r, DHCP_OPT_MESSAGE, msg, sizeof(msg) - 1);
	} else {
		dhcp_reply_config(c, &r, req);
	}

	r.msg[r.len++] = DHCP_OPT_END;
	r.len = MAX(r.len, (size_t)DHCP_MIN_LEN);	/* zero padded */

	tap_send_udp4(c, c->ip4.gw, DHCP_SERVER_PORT, bcast, DHCP_CLIENT_PORT,
		      r.msg, r.len);
}

/**
 * dhcp_log_client() - Log the client's hardware address, at debug level
 * @req:	Request
 */
static void dhcp_log_client(const struct dhcp_req *req)
{
	const uint8_t *m = req->h.chaddr;

	debug("    from %02x:%02x:%02x:%02x:%02x:%02x",
	      m[0], m[1], m[2], m[3], m[4], m[5]);
}

/**
 * dhcp_request() - Handle DHCPREQUEST: ACK our address, NAK any other
 * @c:		Execution context
 * @req:	Request
 */
static void dhcp_request(const struct ctx *c, const struct dhcp_req *req)
{
	const struct dhcp_rx_val *sid = &req->opt[DHCP_RX_SERVER_ID];
	const struct dhcp_rx_val *ra = &req->opt[DHCP_RX_REQ_ADDR];
	struct in_addr want = req->h.ciaddr;

	/* RFC 2131 4.3.2: the client picked another server's offer */
	if (sid->seen &&
	    memcmp(sid->data, &c->ip4.gw, sizeof(c->ip4.gw)) != 0) {
		debug("DHCP: request for another server, ignored");
		return;
	}

	/* Requested address, else the one the client is renewing */
	if (ra->seen)
		memcpy(&want, ra->data, sizeof(want));

	if (want.s_addr && want.s_addr != c->ip4.addr.s_addr) {
		char buf[INET_ADDRSTRLEN];

		info("DHCP: nak to request");
		dhcp_log_client(req);
		debug("    for %s",
		      inet_ntop(AF_INET, &want, buf, sizeof(buf)));
		dhcp_reply(c, req, DHCPNAK, (struct in_addr){ 0 }, false);
		return;
	}

	info("DHCP: ack to request");
	dhcp_log_client(req);
	dhcp_reply(c, req, DHCPACK, c->ip4.addr, true);
}

/**
 * dhcp() - Handle a DHCP message from the guest
 * @c:		Execution context
 * @p:		Pool holding the frame
 * @idx:	Frame index
 * @l4off:	Offset of the UDP header in the frame
 *
 * Return: 0 if this is not a datagram to port 67, 1 if it was handled
 * (answered or dropped)
 */
int dhcp(const struct ctx *c, const struct pool *p, size_t idx, size_t l4off)
{
	const void *raw;
	struct dhcp_req req;
	struct udphdr uh;
	size_t left, ulen;

	raw = packet_get_try(p, idx, l4off, sizeof(uh), &left);
	if (!raw)
		return 0;
	memcpy(&uh, raw, sizeof(uh));
	if (ntohs(uh.dest) != DHCP_SERVER_PORT)
		return 0;

	if (c->no_dhcp) {
		trace("DHCP: disabled, request dropped");
		return 1;
	}
	/* With --no-dhcp implied without a gateway, this is a safety net */
	if (!c->ip4.addr.s_addr || !c->ip4.gw.s_addr) {
		debug("DHCP: no address or gateway to give, request dropped");
		return 1;
	}

	ulen = ntohs(uh.len);
	if (ulen < sizeof(uh) || ulen - sizeof(uh) > left) {
		debug("DHCP: UDP length %zu invalid (%zu available), dropped",
		      ulen, left + sizeof(uh));
		return 1;
	}
	if (dhcp_rx_parse(p, idx, l4off + sizeof(uh), ulen - sizeof(uh),
			  &req))
		return 1;

	switch (req.opt[DHCP_RX_MSG_TYPE].data[0]) {
	case DHCPDISCOVER:
		info("DHCP: offer to discover");
		dhcp_log_client(&req);
		dhcp_reply(c, &req, DHCPOFFER, c->ip4.addr, true);
		break;
	case DHCPREQUEST:
		dhcp_request(c, &req);
		break;
	case DHCPINFORM:
		/* RFC 2131 4.3.5: no address, no lease time */
		info("DHCP: ack to inform");
		dhcp_log_client(&req);
		dhcp_reply(c, &req, DHCPACK, (struct in_addr){ 0 }, false);
		break;
	case DHCPDECLINE:
		debug("DHCP: guest declined its address");
		break;
	case DHCPRELEASE:
		debug("DHCP: guest released its address");
		break;
	default:
		debug("DHCP: message type %u ignored",
		      req.opt[DHCP_RX_MSG_TYPE].data[0]);
	}
	return 1;
}
