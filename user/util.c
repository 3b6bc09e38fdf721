// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - small helpers shared by every part of the daemon */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util.h"

#undef strerror

/**
 * strerror_() - Text for an error number, without allocating
 * @errnum:	Error number
 *
 * Return: pointer to a constant string
 */
const char *strerror_(int errnum)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	const char *s = strerrordesc_np(errnum);

	return s ? s : "Unknown error";
#else
	return strerror(errnum);
#endif
}

/**
 * timespec_diff_ms() - Milliseconds from @b to @a
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: difference in milliseconds (negative if @a is before @b)
 */
long long timespec_diff_ms(const struct timespec *a, const struct timespec *b)
{
	return (long long)(a->tv_sec - b->tv_sec) * 1000LL +
	       (a->tv_nsec - b->tv_nsec) / 1000000L;
}

/**
 * write_all() - Write a whole buffer, retrying on short writes and EINTR
 * @fd:		File descriptor
 * @buf:	Data
 * @len:	Length of @buf
 *
 * Return: 0 on success, -errno on failure
 */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * write_file() - Write a string to a file (procfs knobs, PID files)
 * @path:	File path
 * @text:	NUL-terminated text
 *
 * Return: 0 on success, -errno on failure
 */
int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0)
		return -errno;
	rc = write_all(fd, text, strlen(text));
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}
