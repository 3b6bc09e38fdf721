/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta.h - namespace side: create or join, tap device, namespace config */
#ifndef PASTA_H
#define PASTA_H

#include "ctx.h"

void pasta_start_ns(struct ctx *c);
void pasta_open_tap(struct ctx *c);
void pasta_ns_conf(struct ctx *c);
void pasta_release_child(struct ctx *c);
int pasta_child_exited(struct ctx *c);
void pasta_netns_quit_init(struct ctx *c);
void pasta_netns_quit_handler(struct ctx *c, int fd);

#endif /* PASTA_H */
