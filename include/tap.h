/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h - the guest-facing side: frames in, frames out */
#ifndef TAP_H
#define TAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "packet.h"

#define ETH_HLEN_	14
#define IP4_HLEN	20
#define IP6_HLEN	40
#define UDP_HLEN	8

/* Frames in pools start 2 bytes past an 8-byte boundary (IP header aligned) */
#define TAP_FRAME_ALIGN_OFF	2

/*
 * Sending: every builder below writes one complete Ethernet frame from
 * c->our_mac to c->guest_mac (or to @dst_mac where given) and hands it to
 * tap_send(). They return 0 on success, -errno if the frame could not be
 * sent (dropped, logged at debug level): callers never retry.
 */
int tap_send(const struct ctx *c, const void *frame, size_t len);
int tap_send_ip4(const struct ctx *c, struct in_addr src, struct in_addr dst,
		 uint8_t proto, const void *l4, size_t l4len);
int tap_send_ip6(const struct ctx *c, const uint8_t *dst_mac,
		 const struct in6_addr *src, const struct in6_addr *dst,
		 uint8_t proto, const void *l4, size_t l4len);
size_t tap_l3_hdr(const struct ctx *c, uint8_t *buf, bool v6, const void *src,
		  const void *dst, uint8_t proto, size_t l4len);
int tap_send_udp4(const struct ctx *c, struct in_addr src, uint16_t sport,
		  struct in_addr dst, uint16_t dport,
		  const void *data, size_t len);
int tap_send_udp6(const struct ctx *c, const struct in6_addr *src,
		  uint16_t sport, const struct in6_addr *dst, uint16_t dport,
		  const void *data, size_t len);
int tap_send_icmp6(const struct ctx *c, const uint8_t *dst_mac,
		   const struct in6_addr *src, const struct in6_addr *dst,
		   void *icmp6, size_t len);

/*
 * Receiving: tap_handler() walks every frame queued in c->pool_tap, checks
 * the Ethernet and IP headers, learns the guest's MAC and addresses, and
 * hands the frame to the protocol that owns it.  Protocol handlers get the
 * pool, the frame index and the offset of their header (L3 for ARP, L4
 * otherwise), and read only through packet_get().
 */
void tap_handler(struct ctx *c);
void tap_handle_frame(struct ctx *c, const struct pool *p, size_t idx);
int tap_read_frames(struct ctx *c);

#endif /* TAP_H */
