// SPDX-License-Identifier: GPL-2.0-or-later
/* test_log.c - unit tests for logging (log.c): the size-bounded log file,
 * priority filtering, trace lines and error texts
 *
 * Every test logs to a file only (no standard error, no syslog) and reads
 * the file back. Log lines look like "SECONDS.MILLIS PRIORITY: MESSAGE".
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define FILE_LIMIT	4096
#define TINY_LIMIT	256
#define NLINES		500
#define LONG_MSG	10000
#define PATH_TMPL	"/tmp/test_log_XXXXXX"

/* Padding after the number in numbered lines: line N gets N % PAD_LEN dots */
#define PAD		"................................................"
#define PAD_LEN		((int)sizeof(PAD) - 1)

/**
 * struct log_fx - per-test fixture: logging state and its file
 * @l:		Logging state, passed to log_setup()
 * @path:	Log file path
 * @buf:	File contents as last read, NUL-terminated
 * @len:	Length of @buf
 */
struct log_fx {
	struct log_ctx l;
	char path[sizeof(PATH_TMPL)];
	char buf[FILE_LIMIT * 4];
	size_t len;
};

/**
 * fx_open() - (Re)open the log file with a size limit, start logging to it
 * @fx:		Fixture
 * @size:	Size limit, bytes
 * @level:	Highest priority logged
 */
static void fx_open(struct log_fx *fx, size_t size, int level)
{
	if (fx->l.file_fd >= 0)
		close(fx->l.file_fd);
	fx->l.level = level;
	fx->l.trace = false;
	fx->l.to_stderr = false;
	fx->l.to_syslog = false;
	fx->l.ident = "test_log";
	assert_int_equal(log_file_open(&fx->l, fx->path, size), 0);
	log_setup(&fx->l);
}

/**
 * setup() - Create a temporary log file, log to it at LOG_DEBUG
 * @state:	Set to a new struct log_fx
 *
 * Return: 0
 */
static int setup(void **state)
{
	struct log_fx *fx = calloc(1, sizeof(*fx));
	int fd;

	assert_non_null(fx);
	memcpy(fx->path, PATH_TMPL, sizeof(PATH_TMPL));
	fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	close(fd);
	fx->l.file_fd = -1;
	fx_open(fx, FILE_LIMIT, LOG_DEBUG);
	*state = fx;
	return 0;
}

/**
 * teardown() - Close and remove the log file
 * @state:	struct log_fx from setup()
 *
 * Return: 0
 */
static int teardown(void **state)
{
	struct log_fx *fx = *state;

	close(fx->l.file_fd);
	unlink(fx->path);
	free(fx);
	return 0;
}

/**
 * fx_read() - Read the whole log file, check its size against the state
 * @fx:		Fixture, contents go to @fx->buf
 */
static void fx_read(struct log_fx *fx)
{
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(fx->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, fx->buf, sizeof(fx->buf) - 1);
	assert_true(n >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);

	fx->len = (size_t)n;
	fx->buf[fx->len] = '\0';
	assert_int_equal(sb.st_size, n);	/* all of it was read */
	assert_int_equal(fx->l.file_used, fx->len);
	assert_true(fx->len <= fx->l.file_size);
}

/**
 * line_msg() - Check the prefix of a log line, find its message
 * @line:	Start of a line
 * @pri:	Expected priority name ("info", "debug"...)
 *
 * Return: message, just past "PRIORITY: ", fails the test if malformed
 */
static const char *line_msg(const char *line, const char *pri)
{
	const char *p = line;
	size_t n;

	n = strspn(p, "0123456789");
	if (!n || p[n] != '.')
		fail_msg("no timestamp at start of line '%.40s'", line);
	p += n + 1;
	if (strspn(p, "0123456789") != 3 || p[3] != ' ')
		fail_msg("bad milliseconds in line '%.40s'", line);
	p += 4;
	n = strlen(pri);
	if (strncmp(p, pri, n) != 0 || p[n] != ':' || p[n + 1] != ' ')
		fail_msg("expected '%s: ' in line '%.40s'", pri, line);
	return p + n + 2;
}

/**
 * check_numbered() - The file holds consecutive "line N" info messages
 * @fx:		Fixture, file already read
 * @first:	First number found
 *
 * Return: last number found; fails the test if lines are malformed, if the
 * file doesn't end with a complete line or if a number is missing
 */
static int check_numbered(const struct log_fx *fx, int *first)
{
	const char *line = fx->buf;
	int prev = -1;

	assert_true(fx->len > 0);
	assert_int_equal(fx->buf[fx->len - 1], '\n');

	while (*line) {
		const char *msg = line_msg(line, "info");
		const char *end = strchr(line, '\n');
		int num, used = 0;

		assert_non_null(end);
		if (sscanf(msg, "line %d%n", &num, &used) != 1 || !used)
			fail_msg("not a numbered line: '%.*s'",
				 (int)(end - line), line);
		/* Padding only after the number */
		assert_true(msg[used] == '\n' || msg[used] == ' ');
		if (prev < 0)
			*first = num;
		else if (num != prev + 1)
			fail_msg("line %d follows line %d", num, prev);
		prev = num;
		line = end + 1;
	}
	return prev;
}

/**
 * log_numbered() - Log numbered lines of varying length through info()
 * @from:	First number
 * @to:		Last number, included
 */
static void log_numbered(int from, int to)
{
	int i;

	for (i = from; i <= to; i++)
		info("line %d %.*s", i, i % PAD_LEN, PAD);
}

/**
 * test_rotation() - The file stays within its limit, dropping oldest lines
 * @state:	struct log_fx
 */
static void test_rotation(void **state)
{
	struct log_fx *fx = *state;
	char tail[64];
	int first, last;
	size_t n;

	log_numbered(0, NLINES - 1);
	fx_read(fx);

	assert_true(fx->len <= FILE_LIMIT);
	/* Only the oldest part goes: most of the limit is still used */
	assert_true(fx->len > FILE_LIMIT / 2);

	/* Ends with the last line, complete */
	n = (size_t)snprintf(tail, sizeof(tail), " info: line %d %.*s\n",
			     NLINES - 1, (NLINES - 1) % PAD_LEN, PAD);
	assert_true(fx->len > n);
	assert_memory_equal(fx->buf + fx->len - n, tail, n);

	/* Starts at a line boundary, nothing lost in the middle */
	last = check_numbered(fx, &first);
	assert_int_equal(last, NLINES - 1);
	assert_true(first > 0);
	assert_true(first < NLINES - 1);
}

/**
 * test_rotation_limits() - Other limits, the file checked after every line
 * @state:	struct log_fx
 */
static void test_rotation_limits(void **state)
{
	static const size_t limits[] = { LOG_SIZE_MIN, 5000, 8192, 12345 };
	struct log_fx *fx = *state;
	int first = 0, last, i;
	size_t j;

	for (j = 0; j < ARRAY_SIZE(limits); j++) {
		fx_open(fx, limits[j], LOG_DEBUG);
		for (i = 0; i < NLINES; i++) {
			log_numbered(i, i);
			fx_read(fx);
			assert_true(fx->len <= limits[j]);
			last = check_numbered(fx, &first);
			assert_int_equal(last, i);
		}
		assert_true(first > 0);
	}
}

/**
 * test_long_message() - Messages longer than a line or the whole file
 * @state:	struct log_fx
 */
static void test_long_message(void **state)
{
	struct log_fx *fx = *state;
	char *big = malloc(LONG_MSG + 1);
	const char *msg, *end;
	int first = -1, last;

	assert_non_null(big);
	memset(big, 'y', LONG_MSG);
	big[LONG_MSG] = '\0';

	/* Longer than the file limit: cut to a line, the file goes on */
	log_numbered(0, 9);
	info("%s", big);
	fx_read(fx);
	assert_true(fx->len <= FILE_LIMIT);
	assert_int_equal(fx->buf[fx->len - 1], '\n');
	end = strrchr(fx->buf, '\n');
	while (end > fx->buf && end[-1] != '\n')
		end--;
	msg = line_msg(end, "info");
	assert_true(strspn(msg, "y") > 100 && strspn(msg, "y") < LONG_MSG);
	assert_int_equal(msg[strspn(msg, "y")], '\n');

	log_numbered(10, NLINES - 1);
	fx_read(fx);
	assert_true(fx->len <= FILE_LIMIT);
	last = check_numbered(fx, &first);
	assert_int_equal(last, NLINES - 1);

	/* A file limit below one line: keep the start of the line only */
	fx_open(fx, TINY_LIMIT, LOG_DEBUG);
	log_numbered(0, 2);
	info("%s", big);
	fx_read(fx);
	assert_int_equal(fx->len, TINY_LIMIT);
	assert_int_equal(fx->buf[fx->len - 1], '\n');
	/* Just that one line */
	assert_ptr_equal(strchr(fx->buf, '\n'), fx->buf + fx->len - 1);
	msg = line_msg(fx->buf, "info");
	assert_int_equal(strspn(msg, "y"),
			 fx->len - 1 - (size_t)(msg - fx->buf));

	/* ...and then carry on with whole lines */
	log_numbered(3, 40);
	fx_read(fx);
	assert_true(fx->len <= TINY_LIMIT);
	last = check_numbered(fx, &first);
	assert_int_equal(last, 40);

	/* Twice in a row */
	info("%s", big);
	info("%s", big);
	fx_read(fx);
	assert_int_equal(fx->len, TINY_LIMIT);
	assert_ptr_equal(strchr(fx->buf, '\n'), fx->buf + fx->len - 1);
	log_numbered(41, 41);
	fx_read(fx);
	last = check_numbered(fx, &first);
	assert_int_equal(first, 41);
	assert_int_equal(last, 41);

	free(big);
}

/**
 * stderr_divert() - Send standard error to an anonymous temporary file
 * @saved:	Duplicate of the original standard error, for stderr_restore()
 *
 * Return: descriptor of the temporary file
 */
static int stderr_divert(int *saved)
{
	char path[] = "/tmp/test_log_err_XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	assert_true(*saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	return fd;
}

/**
 * stderr_restore() - Put standard error back, check nothing was written
 * @fd:		Temporary file from stderr_divert()
 * @saved:	Original standard error from stderr_divert()
 */
static void stderr_restore(int fd, int saved)
{
	struct stat sb;

	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);
	assert_int_equal(sb.st_size, 0);
}

/**
 * test_levels() - Messages above the configured priority are dropped
 * @state:	struct log_fx
 */
static void test_levels(void **state)
{
	struct log_fx *fx = *state;
	int fd, saved;

	/* Nothing goes to standard error with to_stderr unset */
	fx_open(fx, FILE_LIMIT, LOG_INFO);
	fd = stderr_divert(&saved);
	debug("hidden debug");
	info("shown info");
	warn("shown warning");
	err("shown error");
	debug_perror("hidden debug_perror");
	stderr_restore(fd, saved);
	fx_read(fx);
	assert_null(strstr(fx->buf, "hidden"));
	assert_non_null(strstr(fx->buf, " info: shown info\n"));
	assert_non_null(strstr(fx->buf, " warning: shown warning\n"));
	assert_non_null(strstr(fx->buf, " error: shown error\n"));

	fx_open(fx, FILE_LIMIT, LOG_WARNING);
	fd = stderr_divert(&saved);
	debug("hidden debug");
	info("hidden info");
	warn("shown warning");
	stderr_restore(fd, saved);
	fx_read(fx);
	assert_null(strstr(fx->buf, "hidden"));
	assert_non_null(strstr(fx->buf, " warning: shown warning\n"));

	fx_open(fx, FILE_LIMIT, LOG_DEBUG);
	fd = stderr_divert(&saved);
	debug("shown debug");
	errno = EIO;
	debug_perror("shown debug_perror");
	stderr_restore(fd, saved);
	fx_read(fx);
	assert_non_null(strstr(fx->buf, " debug: shown debug\n"));
	assert_non_null(strstr(fx->buf, " debug: shown debug_perror: "));
}

/**
 * test_trace() - trace() prints only with @trace set, at debug level
 * @state:	struct log_fx
 */
static void test_trace(void **state)
{
	struct log_fx *fx = *state;

	trace("hidden trace without trace set");
	fx_read(fx);
	assert_int_equal(fx->len, 0);

	fx->l.trace = true;
	trace("shown trace %d", 1);
	fx_read(fx);
	assert_non_null(strstr(fx->buf, " debug: shown trace 1\n"));

	/* Trace lines are debug lines: filtered at LOG_INFO even so */
	fx_open(fx, FILE_LIMIT, LOG_INFO);
	fx->l.trace = true;
	trace("hidden trace at LOG_INFO");
	fx_read(fx);
	assert_int_equal(fx->len, 0);

	fx->l.trace = false;
	fx->l.level = LOG_DEBUG;
	trace("hidden trace again");
	debug("shown debug");
	fx_read(fx);
	assert_null(strstr(fx->buf, "hidden"));
	assert_non_null(strstr(fx->buf, " debug: shown debug\n"));
}

/**
 * test_perror() - logmsg_perror() appends the text for errno, keeps errno
 * @state:	struct log_fx
 */
static void test_perror(void **state)
{
	struct log_fx *fx = *state;
	char want[256];

	errno = ENOENT;
	logmsg_perror(LOG_ERR, "opening %s", "/nonexistent");
	assert_int_equal(errno, ENOENT);
	fx_read(fx);
	snprintf(want, sizeof(want), " error: opening /nonexistent: %s\n",
		 strerror_(ENOENT));
	assert_non_null(strstr(fx->buf, want));
	assert_non_null(strstr(fx->buf, ": No such file or directory\n"));

	errno = EACCES;
	warn_perror("binding %d", 42);
	assert_int_equal(errno, EACCES);
	errno = EINVAL;
	err_perror("plain");
	fx_read(fx);
	assert_non_null(strstr(fx->buf, " warning: binding 42: Permission "
					 "denied\n"));
	snprintf(want, sizeof(want), " error: plain: %s\n", strerror_(EINVAL));
	assert_non_null(strstr(fx->buf, want));

	/* Filtered messages leave errno alone too */
	fx->l.level = LOG_INFO;
	errno = EPERM;
	debug_perror("hidden");
	assert_int_equal(errno, EPERM);
	fx_read(fx);
	assert_null(strstr(fx->buf, "hidden"));
}

/**
 * main() - Run the log tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perror, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
