/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - small helpers shared by every part of the daemon */
#ifndef UTIL_H
#define UTIL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define ROUND_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))

#define STRINGIFY_(x)		#x
#define STRINGIFY(x)		STRINGIFY_(x)

#ifndef VERSION
#define VERSION			"0.1"
#endif

/* Abort on a broken internal invariant: never for bad input */
#define ASSERT(expr)							\
	do {								\
		if (!(expr)) {						\
			err("ASSERTION FAILED in %s (%s:%d): %s",	\
			    __func__, __FILE__, __LINE__, STRINGIFY(expr)); \
			abort();					\
		}							\
	} while (0)

const char *strerror_(int errnum);

long long timespec_diff_ms(const struct timespec *a, const struct timespec *b);
int write_all(int fd, const void *buf, size_t len);
int write_file(const char *path, const char *text);
int read_file(const char *path, char *buf, size_t len);
int sock_sndbuf_max(int s);

struct sockaddr_in;
struct sockaddr_in6;
int sock_bind_fwd(int s, bool v6, const struct sockaddr_in *a4,
		  const struct sockaddr_in6 *a6, const char *ifname);

/* strerror() may allocate (newer glibc) and the sandbox forbids that */
#define strerror(x) @ "use strerror_()" @

#endif /* UTIL_H */
