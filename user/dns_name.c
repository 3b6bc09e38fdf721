// SPDX-License-Identifier: GPL-2.0-or-later
/* dns_name.c - domain names in RFC 1035 wire format, uncompressed
 *
 * DHCPv6 (RFC 3646, option 24) and NDP (RFC 8106, DNSSL option) carry
 * search domains as plain RFC 1035 names: each label as a length byte and
 * its octets, the root as a zero byte, and no compression pointers.  DHCP
 * option 119 (RFC 3397) adds compression on top of this (see dhcp.c).
 *
 * Text names are taken as they appear in resolv.conf: labels separated by
 * dots, an optional trailing dot, no escapes.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dns_name.h"

/**
 * dns_name_check() - Check that every label of a text name is 1 to 63 bytes
 * @name:	Text name, without trailing dot
 * @len:	Length of @name, not zero
 *
 * Return: true if all labels have a valid length
 */
static bool dns_name_check(const char *name, size_t len)
{
	size_t start = 0;

	while (start <= len) {
		const char *dot = memchr(name + start, '.', len - start);
		size_t end = dot ? (size_t)(dot - name) : len;

		if (end == start || end - start > DNS_LABEL_MAX)
			return false;
		start = end + 1;
	}
	return true;
}

/**
 * dns_name_encode() - Encode a text domain name in RFC 1035 wire format
 * @name:	Text name, e.g. "example.com" or "example.com."; "" and "."
 *		stand for the root
 * @out:	Output buffer
 * @outlen:	Size of @out
 *
 * Nothing is written unless the whole name fits.
 *
 * Return: bytes written (including the final zero-length label), -EINVAL if
 * a label is empty or longer than 63 bytes or the encoded name is longer
 * than 255 bytes, -ENOSPC if @outlen is too small
 */
int dns_name_encode(const char *name, uint8_t *out, size_t outlen)
{
	size_t len = strnlen(name, DNS_NAME_MAX + 1), start = 0, pos = 0;

	if (len > DNS_NAME_MAX)
		return -EINVAL;
	if (len && name[len - 1] == '.')
		len--;

	if (!len) {
		if (outlen < 1)
			return -ENOSPC;
		out[0] = 0;
		return 1;
	}

	/* One length byte per label replaces one dot, plus first and root */
	if (len + 2 > DNS_NAME_MAX || !dns_name_check(name, len))
		return -EINVAL;
	if (outlen < len + 2)
		return -ENOSPC;

	while (start <= len) {
		const char *dot = memchr(name + start, '.', len - start);
		size_t end = dot ? (size_t)(dot - name) : len;

		out[pos++] = (uint8_t)(end - start);
		memcpy(out + pos, name + start, end - start);
		pos += end - start;
		start = end + 1;
	}
	out[pos++] = 0;
	return (int)pos;
}
