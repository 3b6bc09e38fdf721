/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_auto.h - pasta's automatic port forwarding (-t/-u/-T/-U auto) */
#ifndef FWD_AUTO_H
#define FWD_AUTO_H

#include "ctx.h"

/* Rescan period (fwd_auto.c), stretched up to the maximum so that it is at
 * least FWD_AUTO_DUTY times the duration of the last round of scans
 */
#define FWD_AUTO_INTERVAL_MS	100
#define FWD_AUTO_INTERVAL_MAX_MS 1000
#define FWD_AUTO_DUTY		100

int fwd_auto_init(struct ctx *c);
void fwd_auto_handler(struct ctx *c);

#endif /* FWD_AUTO_H */
