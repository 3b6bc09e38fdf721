/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_ooo.h - guest segments held until the hole before them is filled */
#ifndef TCP_OOO_H
#define TCP_OOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_OOO_SLOTS		64	/* segments held, all connections */
#define TCP_OOO_PER_CONN	32	/* of which one connection may hold */
#define TCP_OOO_SLOT_SIZE	65536	/* largest payload held */

/**
 * struct tcp_ooo_slot - one segment held
 * @conn:	Connection index, -1 if the slot is free
 * @seq:	Sequence number of the first byte
 * @len:	Payload length
 */
struct tcp_ooo_slot {
	int conn;
	uint32_t seq;
	uint32_t len;
};

/**
 * struct tcp_ooo - segments that arrived after a hole, all connections
 * @slot:	Slots, TCP_OOO_SLOTS
 * @used:	Slots in use
 * @data:	TCP_OOO_SLOTS payload buffers of TCP_OOO_SLOT_SIZE bytes
 */
struct tcp_ooo {
	struct tcp_ooo_slot slot[TCP_OOO_SLOTS];
	int used;
	uint8_t *data;
};

int tcp_ooo_init(struct tcp_ooo *q);
bool tcp_ooo_store(struct tcp_ooo *q, int conn, uint32_t seq,
		   const uint8_t *data, size_t len);
int tcp_ooo_next(struct tcp_ooo *q, int conn, uint32_t rcv_nxt,
		 size_t *skip);
const uint8_t *tcp_ooo_data(const struct tcp_ooo *q, int slot);
void tcp_ooo_free(struct tcp_ooo *q, int slot);
void tcp_ooo_drop(struct tcp_ooo *q, int conn);

#endif /* TCP_OOO_H */
