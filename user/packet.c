// SPDX-License-Identifier: GPL-2.0-or-later
/* packet.c - pool of frame descriptors over one buffer, bounds-checked reads
 *
 * Frames read from the tap side land in one buffer; the pool only records
 * where each one starts and how long it is.  Every protocol handler reads
 * frame bytes through packet_get(), which returns NULL rather than a pointer
 * to anything outside the frame, so a truncated or lying header can never
 * make us read past the data we actually received.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "log.h"
#include "packet.h"
#include "util.h"

/**
 * pool_new() - Allocate a pool of descriptors for frames in @buf
 * @buf:	Buffer frames are stored in
 * @buf_size:	Size of @buf
 * @size:	Number of descriptors
 *
 * Context: setup only (allocates)
 * Return: new pool, or NULL on allocation failure
 */
struct pool *pool_new(char *buf, size_t buf_size, size_t size)
{
	struct pool *p = calloc(1, sizeof(*p) + size * sizeof(struct iovec));

	if (!p)
		return NULL;
	p->buf = buf;
	p->buf_size = buf_size;
	p->size = size;
	return p;
}

/**
 * pool_flush() - Forget all queued frames
 * @p:		Pool
 */
void pool_flush(struct pool *p)
{
	p->count = 0;
}

/**
 * pool_full() - Check whether another frame can be queued
 * @p:		Pool
 *
 * Return: true if every descriptor is in use
 */
bool pool_full(const struct pool *p)
{
	return p->count >= p->size;
}

/**
 * packet_in_buf() - Check that a range lies within the pool's buffer
 * @p:		Pool
 * @start:	Start of range
 * @len:	Length of range
 *
 * Return: true if [@start, @start + @len) is inside the buffer
 */
static bool packet_in_buf(const struct pool *p, const char *start, size_t len)
{
	uintptr_t b = (uintptr_t)p->buf, s = (uintptr_t)start;

	if (s < b || s - b > p->buf_size)
		return false;
	return len <= p->buf_size - (s - b);
}

/**
 * packet_add_do() - Queue a frame already stored in the pool's buffer
 * @p:		Pool
 * @len:	Frame length
 * @start:	Frame start, inside the pool's buffer
 * @func:	Caller's name, for the log
 * @line:	Caller's line, for the log
 *
 * Return: 0 on success, -ENOSPC if the pool is full, -EFAULT if the frame
 * is not inside the buffer
 */
int packet_add_do(struct pool *p, size_t len, const char *start,
		  const char *func, int line)
{
	if (pool_full(p)) {
		trace("add packet: pool full, %s:%d", func, line);
		return -ENOSPC;
	}
	if (!start || !packet_in_buf(p, start, len)) {
		trace("add packet: frame outside buffer, %s:%d", func, line);
		return -EFAULT;
	}
	p->pkt[p->count].iov_base = (void *)(uintptr_t)start;
	p->pkt[p->count].iov_len = len;
	p->count++;
	return 0;
}

/**
 * packet_get_do() - Pointer to a range of a queued frame, checking bounds
 * @p:		Pool
 * @idx:	Frame index
 * @offset:	Offset of the range from the frame start
 * @len:	Length of the range
 * @left:	If not NULL, set to the number of bytes after the range
 * @func:	Caller's name for the trace line, NULL for silence
 * @line:	Caller's line
 *
 * Return: pointer to the range, or NULL if it is not entirely in the frame
 */
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line)
{
	const struct iovec *iov;

	if (idx >= p->count) {
		if (func)
			trace("packet %zu out of pool (%zu), %s:%d", idx,
			      p->count, func, line);
		return NULL;
	}
	iov = &p->pkt[idx];
	if (offset > iov->iov_len || len > iov->iov_len - offset) {
		if (func)
			trace("packet range %zu+%zu outside frame %zu (%zu), %s:%d",
			      offset, len, idx, iov->iov_len, func, line);
		return NULL;
	}
	if (left)
		*left = iov->iov_len - offset - len;
	return (char *)iov->iov_base + offset;
}

/**
 * packet_len() - Length of a queued frame
 * @p:		Pool
 * @idx:	Frame index
 *
 * Return: length, 0 if @idx is not a queued frame
 */
size_t packet_len(const struct pool *p, size_t idx)
{
	return idx < p->count ? p->pkt[idx].iov_len : 0;
}
