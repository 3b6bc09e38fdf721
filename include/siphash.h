/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siphash.h - SipHash-2-4 keyed hash, for tables indexed by peer data */
#ifndef SIPHASH_H
#define SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

uint64_t siphash_2_4(const uint8_t key[SIPHASH_KEY_LEN], const void *data,
		     size_t len);

#endif /* SIPHASH_H */
