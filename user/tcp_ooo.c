// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_ooo.c - guest segments held until the hole before them is filled
 *
 * A guest segment that starts after the next byte we expect (a segment
 * before it was lost or comes late) can't be written to the host socket
 * yet.  Dropping it turns every reordered frame into a loss: without SACK,
 * the guest then resends one segment per round trip, backs off, and a
 * transfer over a path that reorders 1% of its frames crawls.  So such
 * segments are copied here, and written once the hole is filled
 * (tcp.c, tcp_ooo_drain()).
 *
 * Memory is bounded: TCP_OOO_SLOTS slots of TCP_OOO_SLOT_SIZE bytes,
 * allocated once, at most TCP_OOO_PER_CONN of them for one connection.
 * When none is left the segment is dropped as before, and the guest sends
 * it again.  Lookups scan the slots: there are few, and only connections
 * with a hole get here.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_ooo.h"
#include "tcp_seq.h"

/**
 * tcp_ooo_init() - Allocate the payload buffers, mark every slot free
 * @q:		Store to set up
 *
 * Return: 0, or -ENOMEM
 */
int tcp_ooo_init(struct tcp_ooo *q)
{
	int i;

	q->data = malloc((size_t)TCP_OOO_SLOTS * TCP_OOO_SLOT_SIZE);
	if (!q->data)
		return -ENOMEM;
	for (i = 0; i < TCP_OOO_SLOTS; i++)
		q->slot[i].conn = -1;
	q->used = 0;
	return 0;
}

/**
 * tcp_ooo_store() - Hold a copy of a segment that came after a hole
 * @q:		Store
 * @conn:	Connection index
 * @seq:	Sequence number of the segment's first byte
 * @data:	Payload
 * @len:	Payload length
 *
 * Return: true if the segment is held (now, or already by an earlier copy
 * covering it), false if it can't be: no free slot, the connection holds
 * its share, or it's empty or too long
 */
bool tcp_ooo_store(struct tcp_ooo *q, int conn, uint32_t seq,
		   const uint8_t *data, size_t len)
{
	int i, mine = 0, free_slot = -1;

	if (!len || len > TCP_OOO_SLOT_SIZE)
		return false;
	for (i = 0; i < TCP_OOO_SLOTS; i++) {
		const struct tcp_ooo_slot *s = &q->slot[i];

		if (s->conn < 0) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (s->conn != conn)
			continue;
		mine++;
		if (tcp_seq_le(s->seq, seq) &&
		    tcp_seq_le(seq + (uint32_t)len, s->seq + s->len))
			return true;
	}
	if (free_slot < 0 || mine >= TCP_OOO_PER_CONN)
		return false;
	q->slot[free_slot].conn = conn;
	q->slot[free_slot].seq = seq;
	q->slot[free_slot].len = (uint32_t)len;
	memcpy(q->data + (size_t)free_slot * TCP_OOO_SLOT_SIZE, data, len);
	q->used++;
	return true;
}

/**
 * tcp_ooo_next() - Find the held segment that continues the stream
 * @q:		Store
 * @conn:	Connection index
 * @rcv_nxt:	Next sequence number the connection expects
 * @skip:	Set to the bytes at the start of the segment already written
 *
 * Slots of @conn that hold nothing new any more (entirely before @rcv_nxt)
 * are freed on the way.  Of the segments covering @rcv_nxt, the one
 * reaching furthest is picked.
 *
 * Return: slot index, or -1 if no held segment covers @rcv_nxt
 */
int tcp_ooo_next(struct tcp_ooo *q, int conn, uint32_t rcv_nxt,
		 size_t *skip)
{
	int i, best = -1;

	for (i = 0; i < TCP_OOO_SLOTS && q->used; i++) {
		struct tcp_ooo_slot *s = &q->slot[i];
		int64_t k;

		if (s->conn != conn)
			continue;
		k = tcp_seg_skip(s->seq, s->len, rcv_nxt);
		if (k < 0)
			continue;
		if ((uint32_t)k == s->len) {
			tcp_ooo_free(q, i);
			continue;
		}
		if (best < 0 || tcp_seq_lt(q->slot[best].seq + q->slot[best].len,
					   s->seq + s->len)) {
			best = i;
			*skip = (size_t)k;
		}
	}
	return best;
}

/**
 * tcp_ooo_data() - Payload held in a slot
 * @q:		Store
 * @slot:	Slot index, in use
 *
 * Return: pointer to the slot's payload, q->slot[slot].len bytes
 */
const uint8_t *tcp_ooo_data(const struct tcp_ooo *q, int slot)
{
	return q->data + (size_t)slot * TCP_OOO_SLOT_SIZE;
}

/**
 * tcp_ooo_free() - Release a slot
 * @q:		Store
 * @slot:	Slot index, in use
 */
void tcp_ooo_free(struct tcp_ooo *q, int slot)
{
	if (q->slot[slot].conn < 0)
		return;
	q->slot[slot].conn = -1;
	q->used--;
}

/**
 * tcp_ooo_drop() - Release every slot of a connection (it's gone)
 * @q:		Store
 * @conn:	Connection index
 */
void tcp_ooo_drop(struct tcp_ooo *q, int conn)
{
	int i;

	for (i = 0; i < TCP_OOO_SLOTS && q->used; i++) {
		if (q->slot[i].conn == conn)
			tcp_ooo_free(q, i);
	}
}
