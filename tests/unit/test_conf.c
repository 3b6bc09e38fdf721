// SPDX-License-Identifier: GPL-2.0-or-later
/* test_conf.c - unit tests for command line parsing (conf.c)
 *
 * pasta command lines that parse are run in-process and the context is
 * checked field by field. Everything that exits (errors, --help, --version,
 * and every successful passt command line) runs in a forked child whose
 * standard output and error are captured; the child can also dump selected
 * context fields from an atexit() handler, so that passt-only options can
 * be checked too.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "util.h"

#define ARGS_MAX	48
#define OUT_MAX		16384

/**
 * struct parsed - a context and the argument vector it may point into
 * @c:		Execution context
 * @argv:	Arguments, NULL-terminated
 * @argc:	Argument count
 */
struct parsed {
	struct ctx c;
	char *argv[ARGS_MAX + 2];
	int argc;
};

/**
 * struct child_out - what a child wrote, and how it ended
 * @status:	Exit status, -1 if killed by a signal or never exited
 * @out:	Standard output, NUL-terminated
 * @err:	Standard error, NUL-terminated
 */
struct child_out {
	int status;
	char out[OUT_MAX];
	char err[OUT_MAX];
};

/* Context dumped by the child's atexit() handler, child only */
static const struct ctx *dump_ctx;

#define PASTA	MODE_PASTA
#define PASST	MODE_PASST

/* Build a NULL-terminated list of arguments */
#define A(...)	((const char *const []){ __VA_ARGS__, NULL })
#define NOARGS	((const char *const []){ NULL })

/**
 * parsed_new() - Allocate a context as main() would, and its arguments
 * @mode:	Program mode
 * @args:	Arguments after argv[0], NULL-terminated
 *
 * Return: new structure, never NULL
 */
static struct parsed *parsed_new(enum passt_mode mode,
				 const char *const *args)
{
	struct parsed *p = calloc(1, sizeof(*p));
	int i;

	assert_non_null(p);
	p->c.mode = mode;
	p->c.fd_tap = -1;
	p->c.passt.fd = -1;
	p->c.log.file_fd = -1;
	p->c.pasta_st.netns_fd = p->c.pasta_st.userns_fd = -1;
	p->c.pasta_st.nl_ns = -1;

	p->argv[0] = (char *)(mode == MODE_PASTA ? "pasta" : "passt");
	for (i = 0; args[i]; i++) {
		assert_true(i < ARGS_MAX);
		p->argv[i + 1] = (char *)args[i];
	}
	p->argc = i + 1;
	p->argv[p->argc] = NULL;
	return p;
}

/**
 * parse() - Parse a pasta command line in-process: it must not exit
 * @args:	Arguments after argv[0], NULL-terminated
 *
 * Return: parsed context, to be freed by the caller
 */
/* cppcheck-suppress unusedFunction ; 2.10 misses calls taking A() */
static struct parsed *parse(const char *const *args)
{
	struct parsed *p = parsed_new(MODE_PASTA, args);

	optind = 0;
	conf_parse(&p->c, p->argc, p->argv);
	return p;
}

/**
 * dump() - atexit() handler: print selected context fields to stderr
 */
static void dump(void)
{
	const struct ctx *c = dump_ctx;

	if (!c)
		return;
	fprintf(stderr, "\nDUMP dhcp_dns=%d dhcp_search=%d one_off=%d fd=%d "
		"sock=%s tcp_in=%d udp_in=%d mtu=%d runas=%s pcap=%s\n",
		c->dhcp_dns, c->dhcp_search, c->passt.one_off, c->passt.fd,
		c->passt.sock_path, c->tcp_in.mode, c->udp_in.mode, c->mtu,
		c->runas, c->pcap);
	fflush(stderr);
}

/**
 * drain() - Read from a pipe into a buffer, as far as it fits
 * @fd:		Pipe
 * @buf:	Buffer, kept NUL-terminated
 * @len:	Bytes already in @buf
 *
 * Return: false at end of file or on error
 */
static bool drain(int fd, char *buf, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	size_t copy;

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	copy = MIN((size_t)n, OUT_MAX - 1 - *len);
	memcpy(buf + *len, tmp, copy);
	*len += copy;
	buf[*len] = '\0';
	return true;
}

/**
 * run() - Run conf_parse() in a child, capture its output and exit status
 * @mode:	Program mode
 * @args:	Arguments after argv[0], NULL-terminated
 * @want_dump:	Dump context fields to stderr at exit
 *
 * Return: captured output, to be freed by the caller; status 100 if
 *	   conf_parse() returned
 */
static struct child_out *run(enum passt_mode mode, const char *const *args,
			     bool want_dump)
{
	struct child_out *o = calloc(1, sizeof(*o));
	int out[2], err[2], wstatus;
	size_t olen = 0, elen = 0;
	bool oopen = true, eopen = true;
	pid_t pid;

	assert_non_null(o);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	fflush(NULL);

	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct parsed *p = parsed_new(mode, args);

		if (dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(err[1], STDERR_FILENO) < 0)
			_exit(99);
		close(out[0]);
		close(err[0]);
		dump_ctx = &p->c;	/* also keeps it reachable for LSan */
		if (want_dump)
			atexit(dump);
		optind = 0;
		conf_parse(&p->c, p->argc, p->argv);
		exit(100);
	}

	close(out[1]);
	close(err[1]);
	while (oopen || eopen) {
		struct pollfd pfd[2] = {
			{ .fd = oopen ? out[0] : -1, .events = POLLIN },
			{ .fd = eopen ? err[0] : -1, .events = POLLIN },
		};

		if (poll(pfd, 2, 10000) <= 0)
			break;
		if (pfd[0].revents)
			oopen = drain(out[0], o->out, &olen);
		if (pfd[1].revents)
			eopen = drain(err[0], o->err, &elen);
	}
	close(out[0]);
	close(err[0]);

	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	o->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	return o;
}

/**
 * expect_fail() - A command line must exit 1 with @text in its errors
 * @mode:	Program mode
 * @args:	Arguments after argv[0], NULL-terminated
 * @text:	Text that must appear on standard error
 */
static void expect_fail(enum passt_mode mode, const char *const *args,
			const char *text)
{
	struct child_out *o = run(mode, args, false);

	if (o->status != 1 || !strstr(o->err, text)) {
		char line[256] = "";
		int i;

		for (i = 0; args[i]; i++) {
			strncat(line, " ", sizeof(line) - strlen(line) - 1);
			strncat(line, args[i], sizeof(line) - strlen(line) - 1);
		}
		fail_msg("%s%s: status %d, stderr '%s', expected 1 and '%s'",
			 mode == MODE_PASTA ? "pasta" : "passt", line,
			 o->status, o->err, text);
	}
	free(o);
}

/**
 * test_defaults() - pasta with no options
 * @state:	Unused
 */
static void test_defaults(void **state)
{
	struct parsed *p = parse(NOARGS);
	struct ctx *c = &p->c;

	(void)state;
	assert_int_equal(c->mode, MODE_PASTA);
	assert_int_equal(c->mtu, MTU_DEFAULT);
	assert_int_equal(c->log.level, LOG_INFO);
	assert_true(c->log.to_syslog);
	assert_int_equal(c->log.to_stderr, !isatty(STDERR_FILENO));
	assert_false(c->log.trace);
	assert_int_equal(c->log.file_fd, -1);
	assert_int_equal(c->log.file_size, LOG_SIZE_DEFAULT);
	assert_string_equal(c->log.ident, "pasta");
	assert_int_equal(c->fd_tap, -1);
	assert_int_equal(c->passt.fd, -1);
	assert_int_equal(c->pasta_st.netns_fd, -1);
	assert_int_equal(c->pasta_st.userns_fd, -1);
	assert_int_equal(c->pasta_st.nl_ns, -1);
	assert_false(c->dhcp_dns);
	assert_false(c->dhcp_search);
	assert_string_equal(c->pasta.nsrun_dir, "/run/netns");
	assert_string_equal(c->pasta.netns, "");
	assert_string_equal(c->pasta.userns, "");
	assert_int_equal(c->pasta.pid, 0);
	assert_null(c->pasta.argv);
	assert_true(c->foreground);	/* spawning a shell */
	assert_int_equal(c->tcp_in.mode, FWD_UNSET);
	assert_int_equal(c->udp_out.mode, FWD_UNSET);
	assert_false(c->dns_set);
	assert_false(c->search_set);
	assert_false(c->bpf);
	assert_false(c->no_bpf);
	free(p);

	/* Calling again works: getopt_long() state is reset */
	p = parse(A("--mtu", "1500"));
	assert_int_equal(p->c.mtu, 1500);
	free(p);
	p = parse(A("--mtu", "1400"));
	assert_int_equal(p->c.mtu, 1400);
	free(p);
}

/**
 * test_logging() - -d, --trace, -q, -f, -e
 * @state:	Unused
 */
static void test_logging(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse(A("-d"));
	assert_int_equal(p->c.log.level, LOG_DEBUG);
	assert_true(p->c.log.to_stderr);
	assert_false(p->c.log.to_syslog);
	assert_false(p->c.log.trace);
	free(p);

	p = parse(A("--debug"));
	assert_int_equal(p->c.log.level, LOG_DEBUG);
	free(p);

	p = parse(A("--trace"));
	assert_int_equal(p->c.log.level, LOG_DEBUG);
	assert_true(p->c.log.trace);
	assert_true(p->c.log.to_stderr);
	assert_false(p->c.log.to_syslog);
	free(p);

	p = parse(A("-q"));
	assert_int_equal(p->c.log.level, LOG_WARNING);
	assert_true(p->c.quiet);
	free(p);
	p = parse(A("--quiet"));
	assert_true(p->c.quiet);
	free(p);

	p = parse(A("-f", "1"));
	assert_true(p->c.foreground);
	free(p);
	p = parse(A("--foreground", "1"));
	assert_true(p->c.foreground);
	free(p);
	p = parse(A("1"));
	assert_false(p->c.foreground);
	free(p);

	p = parse(A("-e"));
	assert_true(p->c.log.to_stderr);
	assert_true(p->c.log.to_syslog);
	free(p);
	p = parse(A("--stderr"));
	assert_true(p->c.log.to_stderr);
	free(p);
}

/**
 * test_log_file() - -l and --log-size, in both orders
 * @state:	Unused
 */
static void test_log_file(void **state)
{
	char path[] = "/tmp/test_conf_log_XXXXXX";
	struct parsed *p;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);

	p = parse(A("-l", path));
	assert_true(p->c.log.file_fd >= 0);
	assert_false(p->c.log.to_stderr);
	assert_false(p->c.log.to_syslog);
	assert_int_equal(p->c.log.file_size, LOG_SIZE_DEFAULT);
	close(p->c.log.file_fd);
	free(p);

	p = parse(A("--log-file", path, "--log-size", "8192"));
	assert_true(p->c.log.file_fd >= 0);
	assert_int_equal(p->c.log.file_size, 8192);
	close(p->c.log.file_fd);
	free(p);

	p = parse(A("--log-size", "4096", "--log-file", path, "-d"));
	assert_true(p->c.log.file_fd >= 0);
	assert_int_equal(p->c.log.file_size, LOG_SIZE_MIN);
	assert_int_equal(p->c.log.level, LOG_DEBUG);
	assert_false(p->c.log.to_stderr);
	assert_false(p->c.log.to_syslog);
	close(p->c.log.file_fd);
	free(p);

	/* --log-size alone is accepted, and opens nothing */
	p = parse(A("--log-size", "10000"));
	assert_int_equal(p->c.log.file_fd, -1);
	free(p);

	unlink(path);
	expect_fail(PASTA, A("-l", "/nonexistent/dir/log"), "--log-file");
	expect_fail(PASTA, A("-l", ""), "--log-file");
	expect_fail(PASTA, A("-l", path, "-l", path), "--log-file");
	expect_fail(PASTA, A("--log-size", "4095"), "--log-size");
	expect_fail(PASTA, A("--log-size", "1M"), "--log-size");
	expect_fail(PASTA, A("--log-size", ""), "--log-size");
	expect_fail(PASTA, A("--log-size", "-5000"), "--log-size");
	expect_fail(PASTA, A("--log-size", "99999999999999999999999"),
		    "--log-size");
	expect_fail(PASTA, A("-e", "-l", path), "--stderr");
	expect_fail(PASTA, A("-q", "-d"), "--quiet");
	expect_fail(PASTA, A("--trace", "--quiet"), "--quiet");
	/* Failures happen before the log file is created */
	assert_int_equal(access(path, F_OK), -1);
}

/**
 * test_pid_mtu() - -P and -m
 * @state:	Unused
 */
static void test_pid_mtu(void **state)
{
	static const char *const good[] = { "0", "68", "1280", "1500",
					    "65520", "0065520" };
	static const char *const bad[] = { "1", "67", "65521", "70000",
					   "-1", "+1500", "1500x", "",
					   " 1500", "0x500",
					   "99999999999999999999" };
	struct parsed *p;
	size_t i;

	(void)state;
	p = parse(A("-P", "/tmp/x.pid"));
	assert_string_equal(p->c.pid_file, "/tmp/x.pid");
	free(p);
	p = parse(A("--pid", "rel.pid"));
	assert_string_equal(p->c.pid_file, "rel.pid");
	free(p);
	expect_fail(PASTA, A("--pid", ""), "--pid");

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		p = parse(A("-m", good[i]));
		assert_int_equal(p->c.mtu, atoi(good[i]));
		free(p);
	}
	p = parse(A("--mtu", "9000"));
	assert_int_equal(p->c.mtu, 9000);
	free(p);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_fail(PASTA, A("-m", bad[i]), "--mtu");
	expect_fail(PASTA, A("--mtu", "70000"),
		    "--mtu: invalid MTU 70000 (0 or 68-65520)");
	expect_fail(PASTA, A("-m", "1500", "-m", "1500"), "--mtu");
}

/**
 * test_addresses() - -a, -n, -g, -o
 * @state:	Unused
 */
static void test_addresses(void **state)
{
	struct in6_addr a6;
	struct parsed *p;

	(void)state;
	p = parse(A("-a", "192.0.2.10"));
	assert_int_equal(p->c.ip4.addr.s_addr, inet_addr("192.0.2.10"));
	assert_true(p->c.ip4.no_copy_addrs);
	assert_false(p->c.ip6.no_copy_addrs);
	free(p);

	p = parse(A("--address", "2001:db8::10", "-a", "192.0.2.10"));
	inet_pton(AF_INET6, "2001:db8::10", &a6);
	assert_memory_equal(&p->c.ip6.addr, &a6, sizeof(a6));
	assert_true(p->c.ip6.no_copy_addrs);
	assert_true(p->c.ip4.no_copy_addrs);
	free(p);

	p = parse(A("-n", "24"));
	assert_int_equal(p->c.ip4.prefix_len, 24);
	free(p);
	p = parse(A("--netmask", "255.255.240.0"));
	assert_int_equal(p->c.ip4.prefix_len, 20);
	free(p);
	p = parse(A("-n", "255.255.255.255"));
	assert_int_equal(p->c.ip4.prefix_len, 32);
	free(p);
	p = parse(A("-n", "128.0.0.0"));
	assert_int_equal(p->c.ip4.prefix_len, 1);
	free(p);

	p = parse(A("-g", "192.0.2.1"));
	assert_int_equal(p->c.ip4.gw.s_addr, inet_addr("192.0.2.1"));
	assert_true(p->c.ip4.no_copy_routes);
	assert_false(p->c.ip6.no_copy_routes);
	free(p);
	p = parse(A("--gateway", "fe80::1"));
	inet_pton(AF_INET6, "fe80::1", &a6);
	assert_memory_equal(&p->c.ip6.gw, &a6, sizeof(a6));
	assert_true(p->c.ip6.no_copy_routes);
	assert_false(p->c.ip4.no_copy_routes);
	free(p);

	p = parse(A("-o", "192.0.2.5", "--outbound", "2001:db8::5"));
	assert_int_equal(p->c.ip4.addr_out.s_addr, inet_addr("192.0.2.5"));
	inet_pton(AF_INET6, "2001:db8::5", &a6);
	assert_memory_equal(&p->c.ip6.addr_out, &a6, sizeof(a6));
	free(p);
	p = parse(A("-o", "127.0.0.1"));
	assert_int_equal(p->c.ip4.addr_out.s_addr, inet_addr("127.0.0.1"));
	free(p);

	expect_fail(PASTA, A("-a", "bogus"), "--address");
	expect_fail(PASTA, A("-a", "0.0.0.0"), "--address");
	expect_fail(PASTA, A("-a", "224.0.0.1"), "--address");
	expect_fail(PASTA, A("-a", "255.255.255.255"), "--address");
	expect_fail(PASTA, A("-a", "127.0.0.1"), "--address");
	expect_fail(PASTA, A("-a", "::"), "--address");
	expect_fail(PASTA, A("-a", "::1"), "--address");
	expect_fail(PASTA, A("-a", "ff02::1"), "--address");
	expect_fail(PASTA, A("-a", "::ffff:192.0.2.1"), "--address");
	expect_fail(PASTA, A("-a", "192.0.2.1/24"), "--address");
	expect_fail(PASTA, A("-a", "192.0.2.1", "-a", "192.0.2.2"),
		    "--address: IPv4 address given twice");
	expect_fail(PASTA, A("-a", "2001:db8::1", "-a", "2001:db8::2"),
		    "--address: IPv6 address given twice");
	expect_fail(PASTA, A("-n", "0"), "--netmask");
	expect_fail(PASTA, A("-n", "33"), "--netmask");
	expect_fail(PASTA, A("-n", "255.0.255.0"), "--netmask");
	expect_fail(PASTA, A("-n", "0.0.0.0"), "--netmask");
	expect_fail(PASTA, A("-n", "abc"), "--netmask");
	expect_fail(PASTA, A("-n", "24", "-n", "24"), "--netmask");
	expect_fail(PASTA, A("-g", "0.0.0.0"), "--gateway");
	expect_fail(PASTA, A("-g", "x"), "--gateway");
	expect_fail(PASTA, A("-g", "192.0.2.1", "-g", "192.0.2.1"),
		    "--gateway");
	expect_fail(PASTA, A("-o", "bogus"), "--outbound");
	expect_fail(PASTA, A("-o", "ff02::1"), "--outbound");
	expect_fail(PASTA, A("-o", "::1", "-o", "::2"), "--outbound");
}

/**
 * test_mac_ifname() - -M, --ns-mac-addr, -i, -I, --outbound-if4/6
 * @state:	Unused
 */
static void test_mac_ifname(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0xab, 0xCD, 0x00, 0x11, 0xfe };
	static const char *const bad_mac[] = {
		"02:ab:cd:00:11", "02:ab:cd:00:11:fe:01", "02-ab-cd-00-11-fe",
		"2:ab:cd:00:11:fe", "02:ab:cd:00:11:fg", "",
		"02:ab:cd:00:11:fe:", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff",
		"00:00:00:00:00:00",
	};
	struct parsed *p;
	size_t i;

	(void)state;
	p = parse(A("-M", "02:ab:CD:00:11:fe"));
	assert_memory_equal(p->c.our_mac, mac, 6);
	free(p);
	p = parse(A("--mac-addr", "02:ab:cd:00:11:fe",
		    "--ns-mac-addr", "02:AB:cd:00:11:FE"));
	assert_memory_equal(p->c.our_mac, mac, 6);
	assert_memory_equal(p->c.pasta.ns_mac, mac, 6);
	free(p);
	for (i = 0; i < ARRAY_SIZE(bad_mac); i++) {
		expect_fail(PASTA, A("-M", bad_mac[i]), "--mac-addr");
		expect_fail(PASTA, A("--ns-mac-addr", bad_mac[i]),
			    "--ns-mac-addr");
	}

	p = parse(A("-i", "eth0", "-I", "tap1", "--outbound-if4", "wlan0",
		    "--outbound-if6", "abcdefghijklmno"));
	assert_string_equal(p->c.ifname, "eth0");
	assert_string_equal(p->c.pasta.ns_ifname, "tap1");
	assert_string_equal(p->c.ip4.ifname_out, "wlan0");
	assert_string_equal(p->c.ip6.ifname_out, "abcdefghijklmno");
	assert_string_equal(p->c.ifname, "eth0");
	free(p);
	p = parse(A("--interface", "eth1", "--ns-ifname", "ns0"));
	assert_string_equal(p->c.ifname, "eth1");
	assert_string_equal(p->c.pasta.ns_ifname, "ns0");
	free(p);
	/* --outbound-if4 is stored as is: the template choice is derived */
	p = parse(A("--outbound-if4", "eth2"));
	assert_string_equal(p->c.ifname, "");
	free(p);

	expect_fail(PASTA, A("-i", ""), "--interface");
	expect_fail(PASTA, A("-i", "abcdefghijklmnop"), "--interface");
	expect_fail(PASTA, A("-i", "a/b"), "--interface");
	expect_fail(PASTA, A("-i", "a b"), "--interface");
	expect_fail(PASTA, A("-i", "e0", "-i", "e1"), "--interface");
	expect_fail(PASTA, A("-I", ".."), "--ns-ifname");
	expect_fail(PASTA, A("--outbound-if4", "a:b"), "--outbound-if4");
	expect_fail(PASTA, A("--outbound-if6", "abcdefghijklmnop"),
		    "--outbound-if6");
}

/**
 * test_dns() - -D and -S
 * @state:	Unused
 */
static void test_dns(void **state)
{
	struct in6_addr a6;
	struct parsed *p;

	(void)state;
	p = parse(A("-D", "192.0.2.53", "--dns", "2001:db8::53",
		    "-D", "127.0.0.53", "-D", "192.0.2.53"));
	assert_true(p->c.dns_set);
	assert_false(p->c.no_dns);
	assert_int_equal(p->c.ip4.dns[0].s_addr, inet_addr("192.0.2.53"));
	assert_int_equal(p->c.ip4.dns[1].s_addr, inet_addr("127.0.0.53"));
	assert_int_equal(p->c.ip4.dns[2].s_addr, 0);
	inet_pton(AF_INET6, "2001:db8::53", &a6);
	assert_memory_equal(&p->c.ip6.dns[0], &a6, sizeof(a6));
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&p->c.ip6.dns[1]));
	free(p);

	p = parse(A("-D", "192.0.2.1", "-D", "192.0.2.2", "-D", "192.0.2.3",
		    "-D", "192.0.2.4"));
	assert_int_equal(p->c.ip4.dns[3].s_addr, inet_addr("192.0.2.4"));
	assert_int_equal(p->c.ip4.dns[MAXNS].s_addr, 0);
	free(p);

	p = parse(A("-D", "none"));
	assert_true(p->c.no_dns);
	assert_false(p->c.dns_set);
	free(p);

	p = parse(A("-S", "a.example  b.example\tc.example", "--search",
		    "d.example"));
	assert_true(p->c.search_set);
	assert_string_equal(p->c.dns_search[0], "a.example");
	assert_string_equal(p->c.dns_search[1], "b.example");
	assert_string_equal(p->c.dns_search[2], "c.example");
	assert_string_equal(p->c.dns_search[3], "d.example");
	assert_string_equal(p->c.dns_search[4], "");
	free(p);

	p = parse(A("-S", "none"));
	assert_true(p->c.no_dns_search);
	assert_false(p->c.search_set);
	free(p);
	p = parse(A("-S", "none."));
	assert_false(p->c.no_dns_search);
	assert_string_equal(p->c.dns_search[0], "none.");
	free(p);

	expect_fail(PASTA, A("-D", "bogus"), "--dns");
	expect_fail(PASTA, A("-D", "0.0.0.0"), "--dns");
	expect_fail(PASTA, A("-D", "::"), "--dns");
	expect_fail(PASTA, A("-D", "224.0.0.251"), "--dns");
	expect_fail(PASTA, A("-D", "192.0.2.1", "-D", "192.0.2.2",
			     "-D", "192.0.2.3", "-D", "192.0.2.4",
			     "-D", "192.0.2.5"), "--dns: too many");
	expect_fail(PASTA, A("-D", "::1", "-D", "::2", "-D", "::3",
			     "-D", "::4", "-D", "::5"), "--dns: too many");
	expect_fail(PASTA, A("-D", "none", "-D", "192.0.2.1"), "--dns");
	expect_fail(PASTA, A("-D", "192.0.2.1", "-D", "none"), "--dns");
	expect_fail(PASTA, A("-S", "bad$domain"), "--search");
	expect_fail(PASTA, A("-S", ""), "--search");
	expect_fail(PASTA, A("-S", "   "), "--search");
	expect_fail(PASTA, A("-S", "a..b"), "--search");
	expect_fail(PASTA, A("-S", "a b c d e f g h i"), "--search");
	expect_fail(PASTA, A("-S", "a b c d", "-S", "e f g h i"),
		    "--search");
	expect_fail(PASTA, A("-S", "none", "-S", "a.example"), "--search");
	expect_fail(PASTA, A("-S", "a.example", "-S", "none"), "--search");
}

/**
 * test_flags() - Options without arguments that just set a flag
 * @state:	Unused
 */
static void test_flags(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse(A("--no-tcp", "--no-udp", "--no-icmp", "--no-dhcp",
		    "--no-ndp", "--no-dhcpv6", "--no-ra", "--no-map-gw"));
	assert_true(p->c.no_tcp);
	assert_true(p->c.no_udp);
	assert_true(p->c.no_icmp);
	assert_true(p->c.no_dhcp);
	assert_true(p->c.no_ndp);
	assert_true(p->c.no_dhcpv6);
	assert_true(p->c.no_ra);
	assert_true(p->c.no_map_gw);
	free(p);

	p = parse(A("--no-tcp"));
	assert_true(p->c.no_tcp);
	assert_false(p->c.no_udp);
	assert_false(p->c.no_dhcp);
	free(p);

	p = parse(A("-4"));
	assert_true(p->c.ipv4_only);
	assert_false(p->c.ipv6_only);
	free(p);
	p = parse(A("--ipv6-only"));
	assert_true(p->c.ipv6_only);
	assert_false(p->c.ipv4_only);
	free(p);
	expect_fail(PASTA, A("-4", "-6"), "--ipv4-only");
	expect_fail(PASTA, A("--ipv6-only", "--ipv4-only"), "--ipv6-only");

	p = parse(A("--dhcp-dns", "--dhcp-search"));
	assert_true(p->c.dhcp_dns);
	assert_true(p->c.dhcp_search);
	free(p);
	p = parse(A("--dhcp-dns"));
	assert_true(p->c.dhcp_dns);
	assert_false(p->c.dhcp_search);
	free(p);

	p = parse(A("--netns-only", "--no-netns-quit", "--config-net",
		    "--no-copy-routes", "--no-copy-addrs", "--host-lo-to-ns-lo",
		    "1"));
	assert_true(p->c.pasta.netns_only);
	assert_true(p->c.pasta.no_netns_quit);
	assert_true(p->c.pasta.config_net);
	assert_true(p->c.ip4.no_copy_routes);
	assert_true(p->c.ip6.no_copy_routes);
	assert_true(p->c.ip4.no_copy_addrs);
	assert_true(p->c.ip6.no_copy_addrs);
	free(p);
}

/**
 * test_bpf() - --bpf and --no-bpf
 * @state:	Unused
 */
static void test_bpf(void **state)
{
	struct child_out *o;
	struct parsed *p;

	(void)state;
	/* --no-bpf is stored; fastpath_init() acts on it */
	p = parse(A("--no-bpf"));
	assert_true(p->c.no_bpf);
	assert_false(p->c.bpf);
	free(p);
	p = parse(A("--no-bpf", "--no-bpf", "--config-net", "1234"));
	assert_true(p->c.no_bpf);
	assert_true(p->c.pasta.config_net);
	assert_int_equal(p->c.pasta.pid, 1234);
	free(p);
	/* pasta stops at the command: its --bpf is not ours */
	p = parse(A("--no-bpf", "sh", "--bpf"));
	assert_true(p->c.no_bpf);
	assert_false(p->c.bpf);
	assert_string_equal(p->c.pasta.argv[1], "--bpf");
	free(p);

	/* --bpf is stored: whether it loads is decided at setup */
	p = parse(A("--bpf", "--config-net", "1234"));
	assert_true(p->c.bpf);
	assert_false(p->c.no_bpf);
	free(p);
	/* --no-bpf doesn't hide other options */
	p = parse(A("--no-bpf", "--map-guest-addr", "192.0.2.9"));
	assert_true(p->c.no_bpf);
	assert_int_equal(p->c.ip4.map_guest_addr.s_addr, htonl(0xc0000209));
	free(p);

	/* Both together: a conflict */
	expect_fail(PASTA, A("--bpf", "--no-bpf"),
		    "--bpf: can't be given with --no-bpf");
	expect_fail(PASTA, A("--no-bpf", "--bpf"),
		    "--bpf: can't be given with --no-bpf");
	o = run(PASTA, A("--no-bpf", "--bpf", "-T", "22"), false);
	assert_int_equal(o->status, 1);
	assert_non_null(strstr(o->err, "--bpf: can't be given with --no-bpf"));
	free(o);
	/* An invalid value elsewhere is still reported as such */
	expect_fail(PASTA, A("--bpf", "-m", "1"), "--mtu");
	expect_fail(PASTA, A("--no-bpf", "-m", "1"), "--mtu");

	/* pasta only */
	expect_fail(PASST, A("--bpf"), "--bpf: only valid for pasta");
	expect_fail(PASST, A("--no-bpf"), "--no-bpf: only valid for pasta");
	expect_fail(PASST, A("--bpf", "--no-bpf"),
		    "--bpf: only valid for pasta");
}

/**
 * test_passt_flags() - passt-only options, checked through a dump at exit
 * @state:	Unused
 */
static void test_passt_flags(void **state)
{
	struct child_out *o;

	(void)state;
	/* A passt command line that parses returns: the child exits 100 */
	o = run(PASST, NOARGS, true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "dhcp_dns=1 dhcp_search=1"));
	assert_non_null(strstr(o->err, "mtu=65520"));
	free(o);

	o = run(PASST, A("--no-dhcp-dns", "--no-dhcp-search", "-m", "1500"),
		true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "dhcp_dns=0 dhcp_search=0"));
	assert_non_null(strstr(o->err, "mtu=1500"));
	free(o);

	o = run(PASST, A("--no-dhcp-dns"), true);
	assert_non_null(strstr(o->err, "dhcp_dns=0 dhcp_search=1"));
	free(o);

	o = run(PASST, A("-d", "-a", "192.0.2.2", "-t", "none", "-u", "none",
			 "--no-tcp", "-D", "none", "-S", "none", "-f"), true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "tcp_in=1 udp_in=1"));
	free(o);

	o = run(PASST, A("-s", "/tmp/s.sock"), true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "sock=/tmp/s.sock"));
	free(o);

	o = run(PASST, A("-F", "2"), true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "one_off=1 fd=2"));
	free(o);

	o = run(PASST, A("--one-off"), true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "one_off=1 fd=-1"));
	free(o);

	o = run(PASST, A("--runas", "0:0"), true);
	assert_int_equal(o->status, 100);
	assert_non_null(strstr(o->err, "runas=0:0"));
	free(o);
}

/**
 * test_fwd_opts() - -t -u -T -U
 * @state:	Unused
 */
static void test_fwd_opts(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse(A("-t", "none", "-u", "none", "-T", "none", "-U", "none"));
	assert_int_equal(p->c.tcp_in.mode, FWD_NONE);
	assert_int_equal(p->c.udp_in.mode, FWD_NONE);
	assert_int_equal(p->c.tcp_out.mode, FWD_NONE);
	assert_int_equal(p->c.udp_out.mode, FWD_NONE);
	free(p);
	p = parse(A("--tcp-ports", "none", "--udp-ports", "none",
		    "--tcp-ns", "none", "--udp-ns", "none"));
	assert_int_equal(p->c.tcp_in.mode, FWD_NONE);
	assert_int_equal(p->c.udp_out.mode, FWD_NONE);
	free(p);

	/* -t works now, "auto" too (pasta) */
	p = parse(A("-t", "22", "-t", "10004:10005"));
	assert_int_equal(p->c.tcp_in.mode, FWD_SPEC);
	assert_true(fwd_port_isset(&p->c.tcp_in, 22));
	assert_true(fwd_port_isset(&p->c.tcp_in, 10004));
	free(p);

	/* passt: all, for TCP and UDP, every port marked best effort (the
	 * ephemeral range goes at setup, in conf(): see test_fwd.c)
	 */
	p = parsed_new(PASST, A("-t", "all", "--udp-ports", "all"));
	optind = 0;
	conf_parse(&p->c, p->argc, p->argv);
	assert_int_equal(p->c.tcp_in.mode, FWD_ALL);
	assert_int_equal(p->c.udp_in.mode, FWD_ALL);
	assert_true(p->c.tcp_in.all);
	assert_true(p->c.udp_in.all);
	assert_true(fwd_port_isset(&p->c.tcp_in, 1));
	assert_true(fwd_port_isset(&p->c.udp_in, 65535));
	free(p);
	/* ...and an exclusions-only list is all minus those */
	p = parsed_new(PASST, A("-t", "~22"));
	optind = 0;
	conf_parse(&p->c, p->argc, p->argv);
	assert_int_equal(p->c.tcp_in.mode, FWD_SPEC);
	assert_true(p->c.tcp_in.all);
	assert_false(fwd_port_isset(&p->c.tcp_in, 22));
	assert_true(fwd_port_isset(&p->c.tcp_in, 23));
	free(p);
	/* all takes no company */
	expect_fail(PASST, A("-t", "all", "-t", "22"), "--tcp-ports: ");
	expect_fail(PASST, A("-t", "22", "-t", "all"), "--tcp-ports: ");
	expect_fail(PASST, A("-u", "all", "-u", "~53"), "--udp-ports: ");
	expect_fail(PASST, A("-t", "all,~22"), "--tcp-ports: ");

	/* Supported: explicit -T port lists (spliced, issue 5) */
	p = parse(A("-T", "127.0.0.1/80:8080,5432"));
	assert_int_equal(p->c.tcp_out.mode, FWD_SPEC);
	assert_int_equal(p->c.tcp_out.addr_family, AF_INET);
	assert_true(fwd_port_isset(&p->c.tcp_out, 80));
	assert_true(fwd_port_isset(&p->c.tcp_out, 5432));
	assert_int_equal((uint16_t)(80 + p->c.tcp_out.delta[80]), 8080);
	free(p);
	/* Supported: pasta's automatic forwarding (fwd_auto.c) */
	p = parse(A("-t", "auto", "-u", "auto", "-T", "auto", "-U", "auto"));
	assert_int_equal(p->c.tcp_in.mode, FWD_AUTO);
	assert_int_equal(p->c.udp_in.mode, FWD_AUTO);
	assert_int_equal(p->c.tcp_out.mode, FWD_AUTO);
	assert_int_equal(p->c.udp_out.mode, FWD_AUTO);
	free(p);

	/* Supported: explicit UDP port lists */
	p = parse(A("-t", "none", "-u", "53", "-u", "5000:6000"));
	assert_int_equal(p->c.udp_in.mode, FWD_SPEC);
	assert_true(fwd_port_isset(&p->c.udp_in, 53));
	assert_true(fwd_port_isset(&p->c.udp_in, 5000));
	assert_int_equal((uint16_t)(5000 + p->c.udp_in.delta[5000]), 6000);
	free(p);

	/* Supported: explicit -U port lists (the loopback bypass) */
	p = parse(A("-t", "none", "-U", "5353", "-U", "7000:7001"));
	assert_int_equal(p->c.udp_out.mode, FWD_SPEC);
	assert_true(fwd_port_isset(&p->c.udp_out, 5353));
	assert_int_equal((uint16_t)(7000 + p->c.udp_out.delta[7000]), 7001);
	free(p);

	/* Invalid */
	expect_fail(PASTA, A("-t", "0"), "--tcp-ports: ");
	expect_fail(PASTA, A("-t", "80-22"), "--tcp-ports: ");
	expect_fail(PASTA, A("-t", "all"), "--tcp-ports: 'all' is only for "
		    "passt");
	expect_fail(PASTA, A("-u", "all"), "--udp-ports: 'all' is only for "
		    "passt");
	expect_fail(PASTA, A("-T", "all"), "--tcp-ns: ");
	expect_fail(PASTA, A("-U", "all"), "--udp-ns: ");
	expect_fail(PASST, A("-t", "auto"), "--tcp-ports: ");
	expect_fail(PASTA, A("-u", "x"), "--udp-ports: ");
	expect_fail(PASTA, A("-T", "22-80:32"), "--tcp-ns: ");
	expect_fail(PASTA, A("-U", "65536"), "--udp-ns: ");
	expect_fail(PASTA, A("-t", "none", "-t", "22"), "--tcp-ports: ");
	expect_fail(PASTA, A("-t", "22", "-t", "22"), "--tcp-ports: ");
	expect_fail(PASTA, A("-t", "22", "-m", "1"), "--mtu");
}

/**
 * test_pasta_target() - PID, --netns, --userns, command
 * @state:	Unused
 */
static void test_pasta_target(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse(A("1234"));
	assert_int_equal(p->c.pasta.pid, 1234);
	assert_string_equal(p->c.pasta.netns, "/proc/1234/ns/net");
	assert_string_equal(p->c.pasta.userns, "/proc/1234/ns/user");
	assert_false(p->c.pasta.netns_only);
	assert_null(p->c.pasta.argv);
	assert_false(p->c.foreground);
	free(p);

	p = parse(A("--netns-only", "1234"));
	assert_string_equal(p->c.pasta.netns, "/proc/1234/ns/net");
	assert_string_equal(p->c.pasta.userns, "");
	free(p);

	p = parse(A("--userns", "/proc/1/ns/user", "--", "1234"));
	assert_int_equal(p->c.pasta.pid, 1234);
	assert_string_equal(p->c.pasta.userns, "/proc/1/ns/user");
	free(p);

	p = parse(A("--netns", "/run/netns/foo"));
	assert_string_equal(p->c.pasta.netns, "/run/netns/foo");
	assert_true(p->c.pasta.netns_only);
	assert_int_equal(p->c.pasta.pid, 0);
	assert_null(p->c.pasta.argv);
	assert_false(p->c.foreground);
	free(p);

	p = parse(A("--netns", "foo"));
	assert_string_equal(p->c.pasta.netns, "/run/netns/foo");
	free(p);

	p = parse(A("--netns", "foo", "--nsrun-dir", "/tmp/ns"));
	assert_string_equal(p->c.pasta.netns, "/tmp/ns/foo");
	assert_string_equal(p->c.pasta.nsrun_dir, "/tmp/ns");
	free(p);

	p = parse(A("--netns", "./foo", "--userns", "/proc/1/ns/user"));
	assert_string_equal(p->c.pasta.netns, "./foo");
	assert_string_equal(p->c.pasta.userns, "/proc/1/ns/user");
	assert_false(p->c.pasta.netns_only);
	free(p);

	/* The command's own options are not ours */
	p = parse(A("--config-net", "ip", "-4", "addr"));
	assert_true(p->c.pasta.config_net);
	assert_non_null(p->c.pasta.argv);
	assert_string_equal(p->c.pasta.argv[0], "ip");
	assert_string_equal(p->c.pasta.argv[1], "-4");
	assert_string_equal(p->c.pasta.argv[2], "addr");
	assert_null(p->c.pasta.argv[3]);
	assert_false(p->c.ipv4_only);
	assert_true(p->c.foreground);
	free(p);

	p = parse(A("-q", "--", "-d", "x"));
	assert_string_equal(p->c.pasta.argv[0], "-d");
	assert_int_equal(p->c.log.level, LOG_WARNING);
	free(p);

	p = parse(A("sleep", "1"));
	assert_string_equal(p->c.pasta.argv[0], "sleep");
	assert_int_equal(p->c.pasta.pid, 0);
	free(p);

	p = parse(A("1234", "5678"));
	assert_string_equal(p->c.pasta.argv[0], "1234");
	assert_int_equal(p->c.pasta.pid, 0);
	free(p);

	p = parse(A("1234x"));
	assert_string_equal(p->c.pasta.argv[0], "1234x");
	free(p);

	expect_fail(PASTA, A("--netns", "foo", "1234"), "--netns");
	expect_fail(PASTA, A("--netns", "foo", "sh"), "--netns");
	expect_fail(PASTA, A("--netns", ""), "--netns");
	expect_fail(PASTA, A("--netns", ".."), "--netns");
	expect_fail(PASTA, A("--netns", "a", "--netns", "b"), "--netns");
	expect_fail(PASTA, A("--userns", "/proc/1/ns/user"), "--userns");
	expect_fail(PASTA, A("--userns", "/proc/1/ns/user", "sh"), "--userns");
	expect_fail(PASTA, A("--userns", ""), "--userns");
	expect_fail(PASTA, A("--nsrun-dir", ""), "--nsrun-dir");
	expect_fail(PASTA, A("0"), "PID");
	expect_fail(PASTA, A("99999999999"), "PID");
}

/**
 * test_runas() - --runas forms, and other values still checked
 * @state:	Unused
 */
static void test_runas(void **state)
{
	struct parsed *p;

	(void)state;
	/* --runas is supported (isolation.c): every form parses */
	p = parse(A("--runas", "0"));
	assert_string_equal(p->c.runas, "0");
	free(p);
	p = parse(A("--runas", "root:root"));
	assert_string_equal(p->c.runas, "root:root");
	free(p);
	p = parse(A("--runas", "nobody:0"));
	assert_string_equal(p->c.runas, "nobody:0");
	free(p);
	/* Invalid forms */
	expect_fail(PASTA, A("--runas", "nosuchuser-test-conf"),
		    "--runas: no such user");
	expect_fail(PASTA, A("--runas", "root:nosuchgroup-test-conf"),
		    "--runas: no such group");
	expect_fail(PASTA, A("--runas", ""), "--runas");
	expect_fail(PASTA, A("--runas", "root:"), "--runas");
	expect_fail(PASTA, A("--runas", ":0"), "--runas");
	expect_fail(PASTA, A("--runas", "0:0:0"), "--runas");
	expect_fail(PASTA, A("--runas", "4294967295"), "--runas");
	expect_fail(PASTA, A("--runas", "0:4294967296"), "--runas");
	expect_fail(PASTA, A("--runas", "0", "--runas", "0"), "--runas");
	expect_fail(PASTA, A("-p", ""), "--pcap");
	expect_fail(PASST, A("-s", ""), "--socket");
	expect_fail(PASST, A("-s", "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "--socket");
	expect_fail(PASST, A("-F", "x"), "--fd");
	expect_fail(PASST, A("-F", "-1"), "--fd");
	expect_fail(PASST, A("-F", "99999"), "--fd");
	expect_fail(PASST, A("-F", "2", "-F", "2"), "--fd");
	expect_fail(PASTA, A("--dns-forward", "x"), "--dns-forward");
	p = parse(A("--dns-forward", "192.0.2.53", "--dns-forward",
		    "2001:db8::53"));
	assert_int_equal(p->c.ip4.dns_match.s_addr, htonl(0xc0000235));
	assert_int_equal(p->c.ip6.dns_match.s6_addr[15], 0x53);
	free(p);
	expect_fail(PASTA, A("--dns-forward", "192.0.2.1",
			     "--dns-forward", "192.0.2.2"), "--dns-forward");
}

/**
 * test_map() - --map-host-loopback, --map-guest-addr, --no-map-gw
 * @state:	Unused
 */
static void test_map(void **state)
{
	static const char *const bad[] = {
		"x", "", "0.0.0.0", "::", "127.0.0.1", "127.1.2.3", "::1",
		"224.0.0.1", "ff02::1", "255.255.255.255", "::ffff:192.0.2.1",
		"192.0.2.1/24", "192.0.2.1 ", "2001:db8::1%eth0", "non",
	};
	static const char *const opts[] = {
		"--map-host-loopback", "--map-guest-addr",
	};
	struct child_out *o;
	struct parsed *p;
	size_t i, j;

	(void)state;
	/* Defaults: nothing explicit, the gateway maps to loopback */
	p = parse(NOARGS);
	assert_int_equal(p->c.ip4.map_host_loopback.s_addr, 0);
	assert_int_equal(p->c.ip4.map_guest_addr.s_addr, 0);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&p->c.ip6.map_host_loopback));
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&p->c.ip6.map_guest_addr));
	assert_false(p->c.no_map_gw);
	free(p);

	/* One address per IP version, the last one wins */
	p = parse(A("--map-host-loopback", "192.0.2.99",
		    "--map-host-loopback", "2001:db8:1::99",
		    "--map-guest-addr", "192.0.2.98",
		    "--map-guest-addr", "192.0.2.97",
		    "--map-guest-addr", "2001:db8:1::98"));
	assert_int_equal(p->c.ip4.map_host_loopback.s_addr, htonl(0xc0000263));
	assert_int_equal(p->c.ip6.map_host_loopback.s6_addr[15], 0x99);
	assert_int_equal(p->c.ip6.map_host_loopback.s6_addr[0], 0x20);
	assert_int_equal(p->c.ip4.map_guest_addr.s_addr, htonl(0xc0000261));
	assert_int_equal(p->c.ip6.map_guest_addr.s6_addr[15], 0x98);
	assert_false(p->c.no_map_gw);
	free(p);

	/* podman's default: a link-local IPv4 address */
	p = parse(A("--map-guest-addr", "169.254.1.2"));
	assert_int_equal(p->c.ip4.map_guest_addr.s_addr, htonl(0xa9fe0102));
	free(p);

	/* A link-local IPv6 address is fine (it's only on the tap) */
	p = parse(A("--map-host-loopback", "fe80::99"));
	assert_int_equal(p->c.ip6.map_host_loopback.s6_addr[0], 0xfe);
	assert_int_equal(p->c.ip4.map_host_loopback.s_addr, 0);
	free(p);

	/* none: like --no-map-gw, and clears what came before */
	p = parse(A("--map-host-loopback", "192.0.2.99",
		    "--map-host-loopback", "none"));
	assert_int_equal(p->c.ip4.map_host_loopback.s_addr, 0);
	assert_true(p->c.no_map_gw);
	free(p);
	p = parse(A("--map-host-loopback", "none",
		    "--map-host-loopback", "192.0.2.99"));
	assert_int_equal(p->c.ip4.map_host_loopback.s_addr, htonl(0xc0000263));
	assert_true(p->c.no_map_gw);
	free(p);
	p = parse(A("--no-map-gw"));
	assert_true(p->c.no_map_gw);
	free(p);
	p = parse(A("--map-guest-addr", "2001:db8:1::98",
		    "--map-guest-addr", "none"));
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&p->c.ip6.map_guest_addr));
	assert_false(p->c.no_map_gw);	/* only for --map-host-loopback */
	free(p);

	/* passt takes them too */
	o = run(PASST, A("--map-host-loopback", "192.0.2.99",
			 "--map-guest-addr", "2001:db8::3"), false);
	assert_int_equal(o->status, 100);
	free(o);

	/* Addresses that can't stand for a host are refused, naming the
	 * option */
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			char text[64];

			snprintf(text, sizeof(text), "%s: ", opts[i]);
			expect_fail(PASTA, A(opts[i], bad[j]), text);
			expect_fail(PASST, A(opts[i], bad[j]), text);
		}
		expect_fail(PASTA, A(opts[i]), opts[i]);
	}
}

/**
 * test_mode_restrictions() - Options of the other program are refused
 * @state:	Unused
 */
static void test_mode_restrictions(void **state)
{
	static const char *const pasta_only[][3] = {
		{ "-I", "tap0", "--ns-ifname" },
		{ "--ns-ifname", "tap0", "--ns-ifname" },
		{ "-T", "none", "--tcp-ns" },
		{ "-U", "none", "--udp-ns" },
		{ "--userns", "/x", "--userns" },
		{ "--netns", "/x", "--netns" },
		{ "--netns-only", NULL, "--netns-only" },
		{ "--no-netns-quit", NULL, "--no-netns-quit" },
		{ "--config-net", NULL, "--config-net" },
		{ "--no-copy-routes", NULL, "--no-copy-routes" },
		{ "--no-copy-addrs", NULL, "--no-copy-addrs" },
		{ "--ns-mac-addr", "02:00:00:00:00:01", "--ns-mac-addr" },
		{ "--nsrun-dir", "/x", "--nsrun-dir" },
		{ "--dhcp-dns", NULL, "--dhcp-dns" },
		{ "--dhcp-search", NULL, "--dhcp-search" },
		{ "--bpf", NULL, "--bpf" },
		{ "--no-bpf", NULL, "--no-bpf" },
		{ "--host-lo-to-ns-lo", NULL, "--host-lo-to-ns-lo" },
	};
	static const char *const passt_only[][3] = {
		{ "-s", "/tmp/x", "--socket" },
		{ "--socket", "/tmp/x", "--socket" },
		{ "-F", "2", "--fd" },
		{ "-1", NULL, "--one-off" },
		{ "--one-off", NULL, "--one-off" },
		{ "--no-dhcp-dns", NULL, "--no-dhcp-dns" },
		{ "--no-dhcp-search", NULL, "--no-dhcp-search" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pasta_only); i++) {
		char text[64];

		snprintf(text, sizeof(text), "%s: only valid for pasta",
			 pasta_only[i][2]);
		expect_fail(PASST, A(pasta_only[i][0], pasta_only[i][1]), text);
	}
	for (i = 0; i < ARRAY_SIZE(passt_only); i++) {
		char text[64];

		snprintf(text, sizeof(text), "%s: only valid for passt",
			 passt_only[i][2]);
		expect_fail(PASTA, A(passt_only[i][0], passt_only[i][1]), text);
	}
}

/**
 * test_usage_errors() - Unknown options, missing arguments, leftovers
 * @state:	Unused
 */
static void test_usage_errors(void **state)
{
	(void)state;
	expect_fail(PASTA, A("--bogus"), "bogus");
	expect_fail(PASTA, A("--bogus"), "--help");
	expect_fail(PASTA, A("-z"), "z");
	expect_fail(PASST, A("-Z"), "Z");
	expect_fail(PASTA, A("-m"), "m");
	expect_fail(PASTA, A("--mtu"), "mtu");
	expect_fail(PASTA, A("--debug=1"), "debug");
	expect_fail(PASTA, A("--no-copy"), "no-copy");	/* ambiguous */
	expect_fail(PASST, A("extra"), "unexpected argument 'extra'");
	expect_fail(PASST, A("-f", "1234"), "unexpected argument '1234'");
	expect_fail(PASTA, A("-m", "70000"), "Try 'pasta --help'");
	expect_fail(PASST, A("-m", "70000"), "Try 'passt --help'");
}

/**
 * help_check_bpf() - pasta --help: --bpf and --no-bpf
 * @out:	--help output
 */
static void help_check_bpf(const char *out)
{
	const char *bpf = strstr(out, "      --bpf ");
	const char *no_bpf = strstr(out, "      --no-bpf ");
	const char *next;

	assert_non_null(bpf);
	assert_non_null(no_bpf);
	assert_non_null(strstr(bpf, "Require the eBPF sockmap fast path"));
	assert_non_null(strstr(no_bpf, "Never use the eBPF sockmap fast path"));

	/* --no-bpf follows --bpf, and the line after it is the next option's */
	assert_true(no_bpf > bpf);
	next = strchr(no_bpf, '\n');
	assert_non_null(next);
	assert_true(!strncmp(next + 1, "  -", 3) ||
		    !strncmp(next + 1, "      --", 8));
}

/**
 * test_help_version() - --help and --version exit 0
 * @state:	Unused
 */
static void test_help_version(void **state)
{
	struct child_out *o;

	(void)state;
	o = run(PASTA, A("--help"), false);
	assert_int_equal(o->status, 0);
	assert_non_null(strstr(o->out, "Usage: pasta"));
	assert_non_null(strstr(o->out, "--netns"));
	assert_non_null(strstr(o->out, "-T, --tcp-ns SPEC"));
	assert_non_null(strstr(o->out, "--config-net"));
	assert_non_null(strstr(o->out, "--dhcp-dns"));
	assert_non_null(strstr(o->out, "--mtu MTU"));
	assert_null(strstr(o->out, "--socket"));
	assert_null(strstr(o->out, "--no-dhcp-dns"));
	assert_null(strstr(o->out, "--one-off"));
	assert_string_equal(o->err, "");
	help_check_bpf(o->out);
	free(o);

	o = run(PASST, A("-h"), false);
	assert_int_equal(o->status, 0);
	assert_non_null(strstr(o->out, "Usage: passt"));
	assert_non_null(strstr(o->out, "-s, --socket PATH"));
	assert_non_null(strstr(o->out, "--no-dhcp-dns"));
	assert_null(strstr(o->out, "yet"));	/* no feature is missing */
	assert_null(strstr(o->out, "--netns"));
	assert_null(strstr(o->out, "--tcp-ns"));
	assert_null(strstr(o->out, "--dhcp-dns"));
	assert_null(strstr(o->out, "--bpf"));
	assert_null(strstr(o->out, "--no-bpf"));
	free(o);

	/* --help wins over options that would exit later */
	o = run(PASTA, A("-p", "x", "--help"), false);
	assert_int_equal(o->status, 0);
	free(o);

	o = run(PASTA, A("--version"), false);
	assert_int_equal(o->status, 0);
	/* VERSION may differ between objects built at other commits */
	assert_int_equal(strncmp(o->out, "pasta ", 6), 0);
	assert_true(strlen(o->out) > 7 && strchr(o->out, '\n'));
	free(o);

	o = run(PASST, A("--version"), false);
	assert_int_equal(o->status, 0);
	assert_int_equal(strncmp(o->out, "passt ", 6), 0);
	assert_true(strlen(o->out) > 7 && strchr(o->out, '\n'));
	free(o);
}

/**
 * test_help_lists_all() - --help lists every man page option, in 80 columns
 * @state:	Unused
 */
static void test_help_lists_all(void **state)
{
	static const char *const common[] = {
		"--debug", "--trace", "--quiet", "--foreground", "--stderr",
		"--log-file", "--log-size", "--runas", "--help", "--version",
		"--pcap", "--pid", "--mtu", "--address", "--netmask",
		"--mac-addr", "--gateway", "--interface", "--outbound ",
		"--outbound-if4", "--outbound-if6", "--dns ", "--dns-forward",
		"--search", "--no-tcp", "--no-udp", "--no-icmp", "--no-dhcp ",
		"--no-ndp", "--no-dhcpv6", "--no-ra", "--no-map-gw",
		"--ipv4-only", "--ipv6-only", "--tcp-ports", "--udp-ports",
		"--map-host-loopback", "--map-guest-addr",
	};
	struct child_out *po = run(PASTA, A("--help"), false);
	struct child_out *so = run(PASST, A("--help"), false);
	const char *line;
	size_t i;

	(void)state;
	for (line = po->out; *line; line += strcspn(line, "\n") + 1) {
		if (strcspn(line, "\n") >= 80)
			fail_msg("pasta --help line too long: %.*s",
				 (int)strcspn(line, "\n"), line);
		if (!line[strcspn(line, "\n")])
			break;
	}
	for (line = so->out; *line; line += strcspn(line, "\n") + 1) {
		if (strcspn(line, "\n") >= 80)
			fail_msg("passt --help line too long: %.*s",
				 (int)strcspn(line, "\n"), line);
		if (!line[strcspn(line, "\n")])
			break;
	}

	for (i = 0; i < ARRAY_SIZE(common); i++) {
		if (!strstr(po->out, common[i]))
			fail_msg("pasta --help lacks %s", common[i]);
		if (!strstr(so->out, common[i]))
			fail_msg("passt --help lacks %s", common[i]);
	}
	free(po);
	free(so);
}

/**
 * main() - Run the conf tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_logging),
		cmocka_unit_test(test_log_file),
		cmocka_unit_test(test_pid_mtu),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_mac_ifname),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_bpf),
		cmocka_unit_test(test_passt_flags),
		cmocka_unit_test(test_fwd_opts),
		cmocka_unit_test(test_pasta_target),
		cmocka_unit_test(test_runas),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_mode_restrictions),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_help_lists_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
