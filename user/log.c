// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - logging to syslog, standard error and a size-bounded file
 *
 * Theory of operation: the only state is the struct log_ctx embedded in the
 * execution context; log_setup() records where it is, so that the logging
 * macros can be called from anywhere without passing the context around.
 * Before log_setup() is called, messages go to standard error.
 *
 * The log file is bounded: when an entry would not fit, the oldest quarter
 * of the file (cut at a line boundary) is dropped by moving the rest of the
 * file to the start and truncating.  This uses only pread(), pwrite() and
 * ftruncate() on the descriptor opened at start, so it works once the
 * filesystem is out of reach.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define LOG_LINE_MAX	1024

/* Points into the execution context (struct ctx), set once by log_setup() */
static struct log_ctx *log_state;

/**
 * log_setup() - Start using the given logging configuration
 * @l:		Logging state inside the execution context
 */
void log_setup(struct log_ctx *l)
{
	log_state = l;
	if (l->to_syslog)
		openlog(l->ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/**
 * log_file_make_room() - Drop old entries so that @need more bytes fit
 * @l:		Logging state, file open
 * @need:	Bytes about to be appended
 *
 * #syscalls pread64 pwrite64 ftruncate
 */
static void log_file_make_room(struct log_ctx *l, size_t need)
{
	char buf[LOG_LINE_MAX * 4];
	size_t cut = MAX(l->file_used / 4, need), from, to = 0;
	ssize_t n;

	/* Cut at a line boundary at or after @cut */
	for (from = cut; from < l->file_used; ) {
		n = pread(l->file_fd, buf, sizeof(buf), (off_t)from);
		if (n <= 0)
			break;
		char *nl = memchr(buf, '\n', (size_t)n);

		if (nl) {
			from += (size_t)(nl - buf) + 1;
			break;
		}
		from += (size_t)n;
	}
	if (from > l->file_used)
		from = l->file_used;

	while (from < l->file_used) {
		n = pread(l->file_fd, buf, sizeof(buf), (off_t)from);
		if (n <= 0)
			break;
		if (pwrite(l->file_fd, buf, (size_t)n, (off_t)to) != n)
			break;
		from += (size_t)n;
		to += (size_t)n;
	}
	if (ftruncate(l->file_fd, (off_t)to) == 0)
		l->file_used = to;
}

/**
 * log_file_write() - Append one line to the log file, within the size limit
 * @l:		Logging state, file open
 * @line:	Text, ending with a newline
 * @len:	Length of @line
 *
 * A line longer than the whole file is cut to fit, and still ends with a
 * newline: the file always holds whole lines, so that the next call drops
 * the old ones at a line boundary.
 *
 * #syscalls pwrite64
 */
static void log_file_write(struct log_ctx *l, char *line, size_t len)
{
	if (!l->file_size)
		return;
	if (len > l->file_size) {
		len = l->file_size;
		line[len - 1] = '\n';
	}
	if (l->file_used + len > l->file_size)
		log_file_make_room(l, l->file_used + len - l->file_size);
	if (pwrite(l->file_fd, line, len, (off_t)l->file_used) == (ssize_t)len)
		l->file_used += len;
}

/**
 * log_vemit() - Format and send one message to the configured destinations
 * @pri:	syslog priority
 * @errnum:	If non-zero, append the text for this error number
 * @fmt:	printf-style format
 * @ap:		Arguments
 *
 * #syscalls write clock_gettime getpid socket connect sendto close
 */
static void log_vemit(int pri, int errnum, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};
	struct log_ctx *l = log_state;
	char msg[LOG_LINE_MAX];
	int n;

	if (l && pri > l->level)
		return;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (errnum)
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
			 strerror_(errnum));

	if (!l || l->to_stderr) {
		fprintf(stderr, "%s\n", msg);
		fflush(stderr);
	}
	if (l && l->to_syslog)
		syslog(pri, "%s", msg);
	if (l && l->file_fd >= 0) {
		char line[LOG_LINE_MAX + 64];
		struct timespec ts;
		int m;

		clock_gettime(CLOCK_REALTIME, &ts);
		m = snprintf(line, sizeof(line), "%lld.%03ld %s: %s\n",
			     (long long)ts.tv_sec, ts.tv_nsec / 1000000L,
			     prefix[pri & 7], msg);
		if (m > 0)
			log_file_write(l, line, MIN((size_t)m, sizeof(line) - 1));
	}
}

/**
 * logmsg() - Log a message at the given priority
 * @pri:	syslog priority
 * @fmt:	printf-style format
 */
void logmsg(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(pri, 0, fmt, ap);
	va_end(ap);
}

/**
 * logmsg_perror() - Log a message followed by the text for errno
 * @pri:	syslog priority
 * @fmt:	printf-style format
 */
void logmsg_perror(int pri, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit(pri, errnum, fmt, ap);
	va_end(ap);
	errno = errnum;
}

/**
 * log_trace() - Log a per-packet message, only if --trace was given
 * @fmt:	printf-style format
 */
void log_trace(const char *fmt, ...)
{
	va_list ap;

	if (!log_state || !log_state->trace)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

/**
 * log_file_open() - Open (create, truncate) the log file
 * @l:		Logging state
 * @path:	File path
 * @size:	Size limit, bytes
 *
 * Return: 0 on success, -errno on failure
 */
int log_file_open(struct log_ctx *l, const char *path, size_t size)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return -errno;
	l->file_fd = fd;
	l->file_size = size;
	l->file_used = 0;
	return 0;
}

/**
 * die() - Log an error and exit with status 1 (setup phase only)
 * @fmt:	printf-style format
 */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/**
 * die_perror() - Log an error with the text for errno and exit with status 1
 * @fmt:	printf-style format
 */
void die_perror(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_ERR, errnum, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}
