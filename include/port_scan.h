/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port_scan.h - find bound ports with NETLINK_SOCK_DIAG (inet_diag) */
#ifndef PORT_SCAN_H
#define PORT_SCAN_H

#include <stdbool.h>
#include <stdint.h>

/**
 * typedef port_scan_skip_fn - Tell whether a socket found must be ignored
 * @arg:	Caller's argument
 * @port:	Local port of the socket, host order, not zero
 * @ino:	Inode of the socket, as fstat() reports it for a socket fd
 *
 * Return: true to leave this socket out of the map
 */
typedef bool (*port_scan_skip_fn)(const void *arg, uint16_t port,
				  uint32_t ino);

int port_scan_setup(int nl);
int port_scan_open(void);
int port_scan(int nl, uint8_t proto, port_scan_skip_fn skip, const void *arg,
	      uint8_t *map);

#endif /* PORT_SCAN_H */
