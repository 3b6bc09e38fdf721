/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_info.h - the peer's receive window of a host socket (TCP_INFO) */
#ifndef TCP_INFO_H
#define TCP_INFO_H

#include <stdbool.h>
#include <stdint.h>

bool tcp_info_snd_wnd(int s, uint32_t *wnd);

#endif /* TCP_INFO_H */
