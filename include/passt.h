/* SPDX-License-Identifier: GPL-2.0-or-later */
/* passt.h - qemu's stream transport: length-prefixed frames on a UNIX socket */
#ifndef PASST_H
#define PASST_H

#include <stddef.h>

#include "ctx.h"

#define PASST_SOCK_MAX	64	/* /tmp/passt_1.socket ... _64.socket */

void passt_sock_init(struct ctx *c);
void passt_listen_handler(struct ctx *c);
int passt_read_frames(struct ctx *c);
int passt_send_frame(const struct ctx *c, const void *frame, size_t len);
void passt_guest_gone(struct ctx *c);

#endif /* PASST_H */
