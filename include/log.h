/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - logging to syslog, standard error and a size-bounded file */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#define LOG_SIZE_DEFAULT	(1024 * 1024)
#define LOG_SIZE_MIN		4096

/**
 * struct log_ctx - logging state (lives inside struct ctx)
 * @level:	Highest syslog priority printed (LOG_INFO, LOG_DEBUG...)
 * @trace:	Print per-packet trace lines too
 * @to_stderr:	Also print to standard error
 * @to_syslog:	Also send to the system logger
 * @file_fd:	Log file descriptor, -1 if none
 * @file_size:	Maximum size of the log file, bytes
 * @file_used:	Bytes currently in the log file
 * @ident:	Program name used as prefix
 */
struct log_ctx {
	int level;
	bool trace;
	bool to_stderr;
	bool to_syslog;
	int file_fd;
	size_t file_size;
	size_t file_used;
	const char *ident;
};

void log_setup(struct log_ctx *l);
void logmsg(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void logmsg_perror(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int log_file_open(struct log_ctx *l, const char *path, size_t size);
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void die_perror(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define err(...)		logmsg(LOG_ERR, __VA_ARGS__)
#define warn(...)		logmsg(LOG_WARNING, __VA_ARGS__)
#define info(...)		logmsg(LOG_INFO, __VA_ARGS__)
#define debug(...)		logmsg(LOG_DEBUG, __VA_ARGS__)
#define trace(...)		log_trace(__VA_ARGS__)
#define err_perror(...)		logmsg_perror(LOG_ERR, __VA_ARGS__)
#define warn_perror(...)	logmsg_perror(LOG_WARNING, __VA_ARGS__)
#define debug_perror(...)	logmsg_perror(LOG_DEBUG, __VA_ARGS__)

#endif /* LOG_H */
