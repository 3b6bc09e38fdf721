/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet.h - pool of frame descriptors over one buffer, bounds-checked reads */
#ifndef PACKET_H
#define PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/**
 * struct pool - descriptors of frames stored in one buffer
 * @buf:	Buffer holding the frames (not owned by the pool)
 * @buf_size:	Size of @buf
 * @size:	Number of descriptors @pkt can hold
 * @count:	Number of descriptors in use
 * @pkt:	Descriptors: base inside @buf and length of each frame
 *
 * Invariant: for i < @count, [pkt[i].iov_base, + pkt[i].iov_len) lies
 * entirely within [@buf, @buf + @buf_size).  packet_add() enforces it, and
 * packet_get() checks every requested range against the frame it reads.
 */
struct pool {
	char *buf;
	size_t buf_size;
	size_t size;
	size_t count;
	struct iovec pkt[];
};

/* Largest frame we ever read: 64 KiB of IP plus an Ethernet header */
#define PKT_MAX_FRAME		(65535 + 14)

struct pool *pool_new(char *buf, size_t buf_size, size_t size);
void pool_flush(struct pool *p);
bool pool_full(const struct pool *p);

int packet_add_do(struct pool *p, size_t len, const char *start,
		  const char *func, int line);
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line);

/**
 * packet_add() - Queue a frame already stored in the pool's buffer
 * Return: 0 on success, -ENOSPC if no descriptor is free, -EFAULT if the
 * frame is not entirely inside the buffer
 */
#define packet_add(p, len, start)					\
	packet_add_do(p, len, start, __func__, __LINE__)

/**
 * packet_get() - Pointer to @len bytes at @offset in frame @idx
 * Return: pointer, or NULL (with a trace line) if the range is not inside the
 * frame; if @left is not NULL it is set to the bytes after the range
 */
#define packet_get(p, idx, offset, len, left)				\
	packet_get_do(p, idx, offset, len, left, __func__, __LINE__)

/* packet_get_try() - Same as packet_get(), silent: for expected misses */
#define packet_get_try(p, idx, offset, len, left)			\
	packet_get_do(p, idx, offset, len, left, NULL, 0)

size_t packet_len(const struct pool *p, size_t idx);

#endif /* PACKET_H */
