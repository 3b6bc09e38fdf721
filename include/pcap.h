/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap.h - capture of guest-side frames in the classic pcap format */
#ifndef PCAP_H
#define PCAP_H

#include <stddef.h>

#include "ctx.h"

void pcap_init(struct ctx *c);
void pcap_frame(const struct ctx *c, const void *frame, size_t len);

#endif /* PCAP_H */
