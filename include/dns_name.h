/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_name.h - domain names in RFC 1035 wire format */
#ifndef DNS_NAME_H
#define DNS_NAME_H

#include <stddef.h>
#include <stdint.h>

#define DNS_LABEL_MAX	63	/* RFC 1035 2.3.4: octets in one label */
#define DNS_NAME_MAX	255	/* RFC 1035 2.3.4: octets in an encoded name */

int dns_name_encode(const char *name, uint8_t *out, size_t outlen);

#endif /* DNS_NAME_H */
