/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_seq.h - TCP sequence number and window arithmetic (RFC 9293, 3.4)
 *
 * Sequence numbers live in a 32-bit circle: a is "before" b if the signed
 * difference a - b is negative, which holds across the 2^32 wraparound as
 * long as the two are less than 2^31 apart (a window is at most 2^30).
 */
#ifndef TCP_SEQ_H
#define TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_WS_MAX	14	/* RFC 7323, 2.3 */

/**
 * tcp_seq_diff() - Signed distance from @b to @a
 * @a:		Sequence number
 * @b:		Sequence number
 *
 * Return: a - b as a signed 32-bit value
 */
static inline int32_t tcp_seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/**
 * tcp_seq_lt() - Check whether @a comes before @b
 * @a:		Sequence number
 * @b:		Sequence number
 *
 * Return: true if a < b in sequence space
 */
static inline bool tcp_seq_lt(uint32_t a, uint32_t b)
{
	return tcp_seq_diff(a, b) < 0;
}

/**
 * tcp_seq_le() - Check whether @a comes before @b or equals it
 * @a:		Sequence number
 * @b:		Sequence number
 *
 * Return: true if a <= b in sequence space
 */
static inline bool tcp_seq_le(uint32_t a, uint32_t b)
{
	return tcp_seq_diff(a, b) <= 0;
}

/**
 * tcp_seq_in() - Check whether @s lies in [@lo, @hi]
 * @s:		Sequence number to check
 * @lo:		Lower bound, inclusive
 * @hi:		Upper bound, inclusive
 *
 * Return: true if lo <= s <= hi in sequence space
 */
static inline bool tcp_seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return tcp_seq_le(lo, s) && tcp_seq_le(s, hi);
}

/**
 * tcp_wnd_from_raw() - Window in bytes from a header field and a scale
 * @raw:	Window field, host order
 * @ws:		Window scale shift (clamped to TCP_WS_MAX)
 *
 * Return: window in bytes
 */
static inline uint32_t tcp_wnd_from_raw(uint16_t raw, uint8_t ws)
{
	return (uint32_t)raw << (ws > TCP_WS_MAX ? TCP_WS_MAX : ws);
}

/**
 * tcp_wnd_to_raw() - Header field for a window in bytes and a scale
 * @wnd:	Window in bytes
 * @ws:		Window scale shift (clamped to TCP_WS_MAX)
 *
 * Return: window field, host order, saturated at 65535
 */
static inline uint16_t tcp_wnd_to_raw(uint32_t wnd, uint8_t ws)
{
	wnd >>= (ws > TCP_WS_MAX ? TCP_WS_MAX : ws);
	return wnd > 0xffff ? 0xffff : (uint16_t)wnd;
}

/**
 * tcp_send_room() - Bytes we may still send within the peer's window
 * @ack:	Highest sequence acknowledged by the peer
 * @wnd:	Peer's window in bytes, from @ack
 * @nxt:	Next sequence we would send
 *
 * Return: bytes between @nxt and the window's right edge, 0 if none
 */
static inline uint32_t tcp_send_room(uint32_t ack, uint32_t wnd, uint32_t nxt)
{
	int32_t room = tcp_seq_diff(ack + wnd, nxt);

	return room > 0 ? (uint32_t)room : 0;
}

/**
 * tcp_seg_skip() - Bytes at the start of a segment we already have
 * @seq:	Sequence number of the segment's first byte
 * @len:	Payload length
 * @rcv_nxt:	Next sequence number we expect
 *
 * Return: bytes to skip (at most @len), or -1 if the segment starts after
 * @rcv_nxt (out of order: there's a hole before it)
 */
static inline int64_t tcp_seg_skip(uint32_t seq, uint32_t len,
				   uint32_t rcv_nxt)
{
	int32_t d = tcp_seq_diff(rcv_nxt, seq);

	if (d < 0)
		return -1;
	return (uint32_t)d > len ? (int64_t)len : (int64_t)d;
}

#endif /* TCP_SEQ_H */
