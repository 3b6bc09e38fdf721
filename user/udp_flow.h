/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_flow.h - UDP flow table: fixed size, keyed hash, inactivity expiry */
#ifndef UDP_FLOW_H
#define UDP_FLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "siphash.h"

#define UDP_FLOW_KEY_LEN	SIPHASH_KEY_LEN

/**
 * struct udp_flow_key - what identifies a flow, as the guest sees it
 * @v6:		1 for IPv6, 0 for IPv4
 * @kind:	What carries the flow: 0 for the tap (the guest's view), other
 *		values for the loopback bypass (see udp_internal.h)
 * @gport:	Guest port, host order
 * @rport:	Remote port as seen by the guest, host order
 * @pad2:	Zero
 * @gaddr:	Guest address (IPv4: v4-mapped)
 * @raddr:	Remote address as seen by the guest (IPv4: v4-mapped)
 *
 * Hashed and compared as bytes: build keys with udp_flow_key4() or
 * udp_flow_key6(), which clear the padding and @kind.  For the loopback
 * bypass, @gport is the forwarded port, @raddr and @rport the source of the
 * first datagram, and @gaddr is left unspecified.
 */
struct udp_flow_key {
	uint8_t v6;
	uint8_t kind;
	uint16_t gport;
	uint16_t rport;
	uint16_t pad2;
	struct in6_addr gaddr;
	struct in6_addr raddr;
};

_Static_assert(sizeof(struct udp_flow_key) == 40,
	       "udp_flow_key must have no implicit padding");

/**
 * struct udp_flow - one flow: its key, its host socket, where it goes
 * @key:	Guest-side identity
 * @host:	Host-side peer: sockaddr_in or sockaddr_in6 (as @fd needs)
 * @hostlen:	Length of @host
 * @fd:		Host socket carrying the flow, -1 if none yet
 * @owned:	@fd belongs to this flow (closed with it), else it is a
 *		listening socket for a forwarded port
 * @lfd:	Loopback bypass: the listening socket the flow came from,
 *		replies leave from it to @host (the original source)
 * @local:	Not @owned: the local address the peer's datagrams came to
 *		(v4-mapped for IPv4), so that replies leave from it
 * @has_local:	@local is set
 * @used:	Entry in use
 * @ts:		Last activity in either direction, seconds (CLOCK_MONOTONIC)
 * @next:	Next entry in the same hash bucket, -1 at the end; or next
 *		free entry, when not in use
 *
 * State: free (not @used, on the free list), then in use from the first
 * datagram (either direction) until udp_flow_expire() finds @ts older than
 * the timeout, or udp_flow_remove() is called; then free again.
 */
struct udp_flow {
	struct udp_flow_key key;
	struct sockaddr_in6 host;
	uint32_t hostlen;
	int fd;
	bool owned;
	int lfd;
	struct in6_addr local;
	bool has_local;
	bool used;
	time_t ts;
	int32_t next;
};

/**
 * struct udp_flowtab - the flow table, allocated once
 * @size:	Number of entries in @flows
 * @nbuckets:	Number of hash buckets, a power of two
 * @count:	Entries in use
 * @free:	First free entry, -1 if the table is full
 * @hkey:	SipHash key (from getrandom() in production)
 * @bucket:	First entry per bucket, -1 if empty
 * @flows:	Entries
 */
struct udp_flowtab {
	size_t size;
	size_t nbuckets;
	size_t count;
	int32_t free;
	uint8_t hkey[UDP_FLOW_KEY_LEN];
	int32_t *bucket;
	struct udp_flow flows[];
};

struct udp_flowtab *udp_flowtab_new(size_t size,
				    const uint8_t hkey[UDP_FLOW_KEY_LEN]);
void udp_flowtab_free(struct udp_flowtab *t);
void udp_flow_key4(struct udp_flow_key *k, struct in_addr gaddr,
		   uint16_t gport, struct in_addr raddr, uint16_t rport);
void udp_flow_key6(struct udp_flow_key *k, const struct in6_addr *gaddr,
		   uint16_t gport, const struct in6_addr *raddr,
		   uint16_t rport);
uint64_t udp_flow_hash(const struct udp_flowtab *t,
		       const struct udp_flow_key *k);
struct udp_flow *udp_flow_lookup(const struct udp_flowtab *t,
				 const struct udp_flow_key *k);
struct udp_flow *udp_flow_insert(struct udp_flowtab *t,
				 const struct udp_flow_key *k, time_t now);
void udp_flow_remove(struct udp_flowtab *t, struct udp_flow *f);
size_t udp_flow_expire(struct udp_flowtab *t, time_t now, time_t timeout,
		       void (*fn)(void *opaque, struct udp_flow *f),
		       void *opaque);

/**
 * udp_flow_idx() - Index of a flow entry in its table
 * @t:		Flow table
 * @f:		Entry of @t
 *
 * Return: index
 */
static inline uint32_t udp_flow_idx(const struct udp_flowtab *t,
				    const struct udp_flow *f)
{
	return (uint32_t)(f - t->flows);
}

#endif /* UDP_FLOW_H */
