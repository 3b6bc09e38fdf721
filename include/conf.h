/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - command line parsing and configuration defaults */
#ifndef CONF_H
#define CONF_H

#include "ctx.h"

void conf(struct ctx *c, int argc, char **argv);
void conf_parse(struct ctx *c, int argc, char **argv);
void conf_derive(struct ctx *c);
void conf_print(const struct ctx *c);
int resolv_parse(struct ctx *c, const char *text, size_t len);
bool resolv_domain_valid(const char *name, size_t len);

#endif /* CONF_H */
