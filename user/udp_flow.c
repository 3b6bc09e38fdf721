// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_flow.c - UDP flow table: fixed size, keyed hash, inactivity expiry
 *
 * Theory of operation: the table is one allocation made at start-up: a
 * fixed array of entries, a free list threaded through them, and a bucket
 * array of chain heads.  Nothing is allocated afterwards, so a full table
 * makes udp_flow_insert() fail and the datagram that wanted a new flow is
 * dropped.  Keys are hashed with SipHash-2-4 under a random key, so that
 * remote peers choosing ports and addresses can't aim at one bucket.
 * Entries expire when their last activity, refreshed by the caller on
 * traffic in either direction, is older than the timeout.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "siphash.h"
#include "udp_flow.h"

#define UDP_FLOW_LOAD	2	/* buckets per entry, rounded up */

/**
 * udp_flow_hash() - SipHash-2-4 of a flow key under the table's key
 * @t:		Flow table
 * @k:		Flow key
 *
 * Return: 64-bit hash
 */
uint64_t udp_flow_hash(const struct udp_flowtab *t,
		       const struct udp_flow_key *k)
{
	return siphash_2_4(t->hkey, k, sizeof(*k));
}

/**
 * udp_flowtab_new() - Allocate a flow table
 * @size:	Number of flows it holds, at least 1
 * @hkey:	Hash key
 *
 * Context: setup
 * Return: table, NULL on allocation failure or bad size
 */
struct udp_flowtab *udp_flowtab_new(size_t size,
				    const uint8_t hkey[UDP_FLOW_KEY_LEN])
{
	struct udp_flowtab *t;
	size_t nb = 1, i;

	if (!size || size > INT32_MAX / UDP_FLOW_LOAD)
		return NULL;
	while (nb < size * UDP_FLOW_LOAD)
		nb <<= 1;
	t = calloc(1, sizeof(*t) + size * sizeof(t->flows[0]));
	if (!t)
		return NULL;
	t->bucket = malloc(nb * sizeof(*t->bucket));
	if (!t->bucket) {
		free(t);
		return NULL;
	}
	t->size = size;
	t->nbuckets = nb;
	memcpy(t->hkey, hkey, UDP_FLOW_KEY_LEN);
	for (i = 0; i < nb; i++)
		t->bucket[i] = -1;
	for (i = 0; i < size; i++) {
		t->flows[i].fd = -1;
		t->flows[i].next = i + 1 < size ? (int32_t)(i + 1) : -1;
	}
	t->free = 0;
	return t;
}

/**
 * udp_flowtab_free() - Free a flow table (sockets are the caller's)
 * @t:		Flow table, may be NULL
 */
void udp_flowtab_free(struct udp_flowtab *t)
{
	if (!t)
		return;
	free(t->bucket);
	free(t);
}

/**
 * udp_flow_key4() - Build an IPv4 flow key
 * @k:		Key to fill
 * @gaddr:	Guest address
 * @gport:	Guest port, host order
 * @raddr:	Remote address as seen by the guest
 * @rport:	Remote port, host order
 */
void udp_flow_key4(struct udp_flow_key *k, struct in_addr gaddr,
		   uint16_t gport, struct in_addr raddr, uint16_t rport)
{
	memset(k, 0, sizeof(*k));
	k->gport = gport;
	k->rport = rport;
	k->gaddr.s6_addr[10] = k->gaddr.s6_addr[11] = 0xff;
	memcpy(&k->gaddr.s6_addr[12], &gaddr, 4);
	k->raddr.s6_addr[10] = k->raddr.s6_addr[11] = 0xff;
	memcpy(&k->raddr.s6_addr[12], &raddr, 4);
}

/**
 * udp_flow_key6() - Build an IPv6 flow key
 * @k:		Key to fill
 * @gaddr:	Guest address
 * @gport:	Guest port, host order
 * @raddr:	Remote address as seen by the guest
 * @rport:	Remote port, host order
 */
void udp_flow_key6(struct udp_flow_key *k, const struct in6_addr *gaddr,
		   uint16_t gport, const struct in6_addr *raddr,
		   uint16_t rport)
{
	memset(k, 0, sizeof(*k));
	k->v6 = 1;
	k->gport = gport;
	k->rport = rport;
	k->gaddr = *gaddr;
	k->raddr = *raddr;
}

/**
 * udp_flow_bucket() - Bucket of a key
 * @t:		Flow table
 * @k:		Flow key
 *
 * Return: bucket index
 */
static size_t udp_flow_bucket(const struct udp_flowtab *t,
			      const struct udp_flow_key *k)
{
	return (size_t)(udp_flow_hash(t, k) & (t->nbuckets - 1));
}

/**
 * udp_flow_lookup() - Find the flow with a key
 * @t:		Flow table
 * @k:		Flow key
 *
 * Return: flow, NULL if none
 */
struct udp_flow *udp_flow_lookup(const struct udp_flowtab *t,
				 const struct udp_flow_key *k)
{
	int32_t i = t->bucket[udp_flow_bucket(t, k)];
	size_t n;

	/* Bounded: a chain can't be longer than the table */
	for (n = 0; i >= 0 && n < t->size; n++) {
		const struct udp_flow *f = &t->flows[i];

		if (!memcmp(&f->key, k, sizeof(*k)))
			return (struct udp_flow *)f;
		i = f->next;
	}
	return NULL;
}

/**
 * udp_flow_insert() - Take a free entry for a new flow
 * @t:		Flow table
 * @k:		Flow key, not in the table yet
 * @now:	Current time, seconds
 *
 * The entry's socket fields are left for the caller: @fd is -1.
 *
 * Return: new flow, NULL if the table is full (errno ENOSPC) or the key is
 * already there (errno EEXIST)
 */
struct udp_flow *udp_flow_insert(struct udp_flowtab *t,
				 const struct udp_flow_key *k, time_t now)
{
	size_t b;
	struct udp_flow *f;

	if (udp_flow_lookup(t, k)) {
		errno = EEXIST;
		return NULL;
	}
	if (t->free < 0) {
		errno = ENOSPC;
		return NULL;
	}
	f = &t->flows[t->free];
	t->free = f->next;
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->fd = -1;
	f->used = true;
	f->ts = now;
	b = udp_flow_bucket(t, k);
	f->next = t->bucket[b];
	t->bucket[b] = (int32_t)udp_flow_idx(t, f);
	t->count++;
	return f;
}

/**
 * udp_flow_remove() - Unlink a flow and put its entry on the free list
 * @t:		Flow table
 * @f:		Flow in use (its socket is the caller's business)
 */
void udp_flow_remove(struct udp_flowtab *t, struct udp_flow *f)
{
	int32_t idx = (int32_t)udp_flow_idx(t, f);
	int32_t *pp = &t->bucket[udp_flow_bucket(t, &f->key)];
	size_t n;

	if (!f->used)
		return;
	for (n = 0; *pp >= 0 && n < t->size; n++) {
		if (*pp == idx) {
			*pp = f->next;
			break;
		}
		pp = &t->flows[*pp].next;
	}
	f->used = false;
	f->fd = -1;
	f->next = t->free;
	t->free = idx;
	t->count--;
}

/**
 * udp_flow_expire() - Remove flows idle for longer than a timeout
 * @t:		Flow table
 * @now:	Current time, seconds
 * @timeout:	Idle time after which a flow goes, seconds
 * @fn:		Called for each expiring flow before removal, may be NULL
 * @opaque:	Passed to @fn
 *
 * Return: number of flows removed
 */
size_t udp_flow_expire(struct udp_flowtab *t, time_t now, time_t timeout,
		       void (*fn)(void *opaque, struct udp_flow *f),
		       void *opaque)
{
	size_t i, n = 0;

	for (i = 0; i < t->size; i++) {
		struct udp_flow *f = &t->flows[i];

		if (!f->used || now - f->ts <= timeout)
			continue;
		if (fn)
			fn(opaque, f);
		udp_flow_remove(t, f);
		n++;
	}
	return n;
}
