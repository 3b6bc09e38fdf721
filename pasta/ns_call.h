/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns_call.h - run a function inside the target namespaces */
#ifndef NS_CALL_H
#define NS_CALL_H

#include "ctx.h"

int ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg);

#endif /* NS_CALL_H */
