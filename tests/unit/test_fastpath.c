// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fastpath.c - unit tests for the fast path when it is off: every call
 * of fastpath.h and tcp_fastpath.h answers "not supported" (or does
 * nothing), so the daemon keeps one code path without #ifdefs
 *
 * No BPF is loaded here: --no-bpf and passt mode skip loading, and the
 * socket calls are tried on a real, connected socket pair.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctx.h"
#include "fastpath.h"
#include "tcp_fastpath.h"

/**
 * off_ctx() - A context with the fast path turned off
 * @mode:	passt or pasta
 * @no_bpf:	--no-bpf
 *
 * Return: allocated context, after fastpath_init() and tcp_fastpath_init()
 */
static struct ctx *off_ctx(enum passt_mode mode, bool no_bpf)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->mode = mode;
	c->no_bpf = no_bpf;
	c->log.file_fd = -1;
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	assert_true(c->epollfd >= 0);
	fastpath_init(c);
	assert_int_equal(tcp_fastpath_init(c), 0);
	return c;
}

/**
 * free_ctx() - Release a context from off_ctx()
 * @c:		Context
 */
static void free_ctx(struct ctx *c)
{
	fastpath_exit(c);
	close(c->epollfd);
	free(c);
}

/**
 * test_off_no_bpf() - --no-bpf: nothing loaded, everything not supported
 * @state:	Unused
 */
static void test_off_no_bpf(void **state)
{
	struct ctx *c = off_ctx(MODE_PASTA, true);
	struct fastpath_counters n;
	uint64_t cookie = 0, r = 1, p = 1;
	int sv[2];

	(void)state;
	assert_false(fastpath_active(c));
	assert_null(c->fp);
	assert_null(c->tcp_fp);
	assert_int_equal(fastpath_counters(c, &n), -EOPNOTSUPP);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fastpath_sock_prepare(c, sv[0], &cookie),
			 -EOPNOTSUPP);
	assert_int_equal(fastpath_sock_target(c, 1, sv[1]), -EOPNOTSUPP);
	assert_int_equal(fastpath_sock_activate(c, 1, sv[0]), -EOPNOTSUPP);
	assert_int_equal(fastpath_sock_stats(c, 1, &r, &p), -EOPNOTSUPP);
	assert_int_equal(r, 1);		/* untouched */
	assert_int_equal(fastpath_sock_ctl(c, 1, 0, 0), -EOPNOTSUPP);
	fastpath_sock_forget(c, 1);	/* no effect, no crash */
	close(sv[0]);
	close(sv[1]);
	free_ctx(c);
}

/**
 * test_off_passt() - passt mode never loads the fast path
 * @state:	Unused
 */
static void test_off_passt(void **state)
{
	struct ctx *c = off_ctx(MODE_PASST, false);

	(void)state;
	assert_false(fastpath_active(c));
	free_ctx(c);
}

/**
 * test_pair_refused() - A pair offered while off is refused untouched:
 * pipes not flushed, sockets still usable, callback never called
 * @state:	Unused
 */
static void test_pair_refused(void **state)
{
	struct ctx *c = off_ctx(MODE_PASTA, true);
	struct tcp_fastpath_pair p;
	uint64_t ref[2] = { 1, 2 };
	size_t flushed[2] = { 9, 9 };
	int sv[2], pr[2], pipe_r[2];
	char buf[4];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(pr), 0);
	assert_int_equal(write(pr[1], "abc", 3), 3);
	pipe_r[0] = pr[0];
	pipe_r[1] = -1;
	memset(&p, 0, sizeof(p));

	assert_int_equal(tcp_fastpath_add(c, &p, sv, ref, pipe_r, flushed),
			 -EOPNOTSUPP);
	assert_int_equal(flushed[0], 0);
	assert_int_equal(flushed[1], 0);
	assert_int_equal(read(pr[0], buf, sizeof(buf)), 3);
	assert_int_equal(write(sv[0], "x", 1), 1);
	assert_int_equal(read(sv[1], buf, 1), 1);

	tcp_fastpath_timer_handler(c);	/* nothing to poll: no effect */
	close(pr[0]);
	close(pr[1]);
	close(sv[0]);
	close(sv[1]);
	free_ctx(c);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_no_bpf),
		cmocka_unit_test(test_off_passt),
		cmocka_unit_test(test_pair_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
