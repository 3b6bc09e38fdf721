// SPDX-License-Identifier: GPL-2.0-or-later
/* siphash.c - SipHash-2-4 (Aumasson, Bernstein, 2012)
 *
 * Hash tables keyed by data a peer chooses (addresses, ports) use a keyed
 * hash with a key drawn at start-up, so that nobody can aim many entries at
 * one bucket.
 */

#include <string.h>

#include "siphash.h"

#define SIP_ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

/**
 * siphash_round() - One SipRound over the state
 * @v:		State, four words
 */
static void siphash_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = SIP_ROTL(v[1], 13); v[1] ^= v[0];
	v[0] = SIP_ROTL(v[0], 32);
	v[2] += v[3]; v[3] = SIP_ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = SIP_ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = SIP_ROTL(v[1], 17); v[1] ^= v[2];
	v[2] = SIP_ROTL(v[2], 32);
}

/**
 * siphash_le64() - Read a little-endian 64-bit word
 * @p:		Eight bytes, any alignment
 *
 * Return: value
 */
static uint64_t siphash_le64(const uint8_t *p)
{
	uint64_t r = 0;
	int i;

	for (i = 7; i >= 0; i--)
		r = (r << 8) | p[i];
	return r;
}

/**
 * siphash_2_4() - SipHash-2-4 of a buffer
 * @key:	128-bit key
 * @data:	Data
 * @len:	Length of @data
 *
 * Return: 64-bit hash
 */
uint64_t siphash_2_4(const uint8_t key[SIPHASH_KEY_LEN], const void *data,
		     size_t len)
{
	uint64_t k0 = siphash_le64(key), k1 = siphash_le64(key + 8);
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
			  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL };
	const uint8_t *p = data;
	uint8_t last[8] = { 0 };
	size_t left = len;
	uint64_t m;

	for (; left >= 8; left -= 8, p += 8) {
		m = siphash_le64(p);
		v[3] ^= m;
		siphash_round(v);
		siphash_round(v);
		v[0] ^= m;
	}
	memcpy(last, p, left);
	last[7] = (uint8_t)len;
	m = siphash_le64(last);
	v[3] ^= m;
	siphash_round(v);
	siphash_round(v);
	v[0] ^= m;

	v[2] ^= 0xff;
	siphash_round(v);
	siphash_round(v);
	siphash_round(v);
	siphash_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
