// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - small helpers shared by every part of the daemon */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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

/**
 * read_file() - Read the start of a small file (procfs knobs) as a string
 * @path:	File path
 * @buf:	Output, NUL-terminated on success
 * @len:	Size of @buf, at least 1
 *
 * Return: bytes read (at most @len - 1) on success, -errno on failure
 */
int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	buf[n] = '\0';
	if (close(fd))
		return -errno;
	return (int)n;
}

/**
 * sock_bind_fwd() - Options of a forwarding socket, then bind it
 * @s:		Socket, of the family @v6 says
 * @v6:		IPv6: bind @a6 with IPV6_V6ONLY (IPv4 gets its own socket),
 *		else bind @a4
 * @a4:		IPv4 address and port
 * @a6:		IPv6 address and port
 * @ifname:	Interface to bind to (SO_BINDTODEVICE), empty for none
 *
 * Sets SO_REUSEADDR, so that a port can be bound again right after a
 * previous socket on it closed.  The caller still owns @s on failure.
 *
 * Return: 0 on success, -errno on failure
 */
int sock_bind_fwd(int s, bool v6, const struct sockaddr_in *a4,
		  const struct sockaddr_in6 *a6, const char *ifname)
{
	int one = 1;

	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (v6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			      sizeof(one))) ||
	    (*ifname &&
	     setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			(socklen_t)strlen(ifname))) ||
	    (v6 ? bind(s, (const struct sockaddr *)a6, sizeof(*a6)) :
		  bind(s, (const struct sockaddr *)a4, sizeof(*a4))))
		return -errno;
	return 0;
}

/**
 * sock_sndbuf_max() - Ask for the largest send buffer a socket may have
 * @s:		Socket
 *
 * The kernel caps the value at net.core.wmem_max (twice that, counting
 * its bookkeeping), and stops autotuning the buffer.
 *
 * Return: 0 on success, -1 with errno set on failure
 *
 * #syscalls setsockopt
 */
int sock_sndbuf_max(int s)
{
	int v = INT_MAX;

	return setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}
