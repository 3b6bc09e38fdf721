/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_auto.h - pasta's automatic port forwarding (-t/-u/-T/-U auto) */
#ifndef FWD_AUTO_H
#define FWD_AUTO_H

#include "ctx.h"

#define FWD_AUTO_INTERVAL_MS	100	/* rescan period, see fwd_auto.c */
#define FWD_AUTO_INTERVAL_MAX_MS 1000	/* ...stretched up to this */
#define FWD_AUTO_DUTY		100	/* period at least this times a scan */

int fwd_auto_init(struct ctx *c);
void fwd_auto_handler(struct ctx *c);

#endif /* FWD_AUTO_H */
