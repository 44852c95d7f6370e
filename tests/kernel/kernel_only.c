// SPDX-License-Identifier: MIT
/*
 * Tests that only the kernel backend needs, run inside the VM after the
 * conformance suite: sockets closed and processes killed with I/O in flight,
 * a tiny receive buffer, a flood of malformed messages, and a second network
 * namespace. The VM script then unloads the module and scans the kernel log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "aionl.h"
#include "../testutil.h"

#define FILE_SIZE (4 << 20)

static char path[] = "/tmp/aionl-kern-XXXXXX";
static int file_fd;

static struct aionl_ctx *open_kernel(unsigned int max_inflight)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_KERNEL, .max_inflight = max_inflight };
	struct aionl_ctx *ctx = NULL;

	if (aionl_ctx_open(&ctx, &p))
		fail_msg("kernel backend: %s", aionl_error_message());
	return ctx;
}

static int group_setup(void **state)
{
	char *buf = malloc(FILE_SIZE);

	(void)state;
	for (int i = 0; i < FILE_SIZE; i++)
		buf[i] = (char)(i * 13);
	file_fd = mkstemp(path);
	if (file_fd < 0 || pwrite(file_fd, buf, FILE_SIZE, 0) != FILE_SIZE)
		return -1;
	free(buf);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	close(file_fd);
	unlink(path);
	return 0;
}

static void submit_reads(struct aionl_ctx *ctx, uint64_t h, char *buf, unsigned int n,
			 unsigned int bs)
{
	struct aionl_req r[64];
	unsigned int sent = 0;

	while (sent < n) {
		unsigned int k = n - sent < 64 ? n - sent : 64, i;
		int got;

		for (i = 0; i < k; i++) {
			if ((sent + i) % 16 == 15)
				aionl_req_fsync(&r[i], h, sent + i);
			else
				aionl_req_read(&r[i], h, buf + (size_t)((sent + i) % 64) * bs, bs,
					       (uint64_t)((sent + i) * bs) % FILE_SIZE, sent + i);
		}
		got = aionl_submit(ctx, r, k);
		assert_true(got > 0);
		sent += got;
	}
}

static void test_socket_closed_with_io_in_flight(void **state)
{
	static char buf[64 * 65536];

	(void)state;
	for (int round = 0; round < 10; round++) {
		struct aionl_ctx *ctx = open_kernel(0);
		uint64_t h;

		assert_int_equal(aionl_file_register(ctx, file_fd, &h), 0);
		submit_reads(ctx, h, buf, 2000, 65536);
		aionl_ctx_close(ctx);
	}
}

static void test_process_killed_with_io_in_flight(void **state)
{
	(void)state;
	for (int round = 0; round < 5; round++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			static char buf[64 * 65536];
			struct aionl_ctx *ctx = open_kernel(0);
			uint64_t h;

			if (aionl_file_register(ctx, file_fd, &h))
				_exit(2);
			submit_reads(ctx, h, buf, 3000, 65536);
			kill(getpid(), SIGKILL);
			_exit(3);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
}

/* The module keeps what a full receive buffer cannot take and sends it later. */
static void test_tiny_rcvbuf_loses_nothing(void **state)
{
	enum { N = 20000 };
	struct aionl_ctx *ctx = open_kernel(N);
	static char buf[64 * 512];
	unsigned char *seen = calloc(N, 1);
	struct aionl_cqe c[256];
	int tiny = 1, got = 0;
	uint64_t h;

	(void)state;
	assert_int_equal(setsockopt(aionl_ctx_fd(ctx), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)), 0);
	assert_int_equal(aionl_file_register(ctx, file_fd, &h), 0);
	submit_reads(ctx, h, buf, N, 512);
	usleep(200000);
	while (got < N) {
		int n = aionl_reap(ctx, c, 256, 1, &(struct timespec){ 30, 0 });

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < N);
			assert_int_equal(seen[c[i].cookie]++, 0);
			assert_true(c[i].res >= 0);
		}
		got += n;
	}
	assert_int_equal(aionl_reap(ctx, c, 1, 1, &(struct timespec){ 0, 100000000 }), 0);
	free(seen);
	aionl_ctx_close(ctx);
}

static uint16_t kernel_family(void)
{
	struct aionl_ctx *c = open_kernel(0);
	uint16_t id = test_family_id(c);

	aionl_ctx_close(c);
	return id;
}

/* Random bytes after a valid header, many thousands of them. */
static void test_flood_of_malformed_messages(void **state)
{
	struct aionl_ctx *ctx = open_kernel(0);
	uint16_t family = kernel_family();
	unsigned int seed = 7;
	char msg[512], out[64];
	struct aionl_cqe c[64];
	struct aionl_req r;
	uint64_t h;

	(void)state;
	assert_int_equal(aionl_file_register(ctx, file_fd, &h), 0);
	for (int i = 0; i < 20000; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
		struct genlmsghdr *g = (struct genlmsghdr *)(nlh + 1);
		size_t len = sizeof(*nlh) + sizeof(*g) + rand_r(&seed) % 200;

		for (size_t k = sizeof(*nlh); k < len; k++)
			msg[k] = (char)rand_r(&seed);
		nlh->nlmsg_len = (uint32_t)len;
		nlh->nlmsg_type = family;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = 0;
		nlh->nlmsg_pid = 0;
		g->cmd = (uint8_t)(2 + rand_r(&seed) % 10);	/* never GET_INFO */
		if (g->cmd == 2)
			g->cmd = 3;				/* nor REGISTER */
		assert_int_equal(send(aionl_ctx_fd(ctx), msg, len, 0), (ssize_t)len);
		if (i % 50 == 49)
			while (aionl_reap(ctx, c, 64, 0, &(struct timespec){ 0, 1000000 }) > 0)
				;
	}
	while (aionl_reap(ctx, c, 64, 0, &(struct timespec){ 0, 100000000 }) > 0)
		;
	aionl_req_read(&r, h, out, sizeof(out), 128, 99);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	assert_int_equal(aionl_reap(ctx, c, 1, 1, NULL), 1);
	assert_true(c[0].cookie == 99);
	assert_int_equal(c[0].res, sizeof(out));
	assert_int_equal(out[0], (char)(128 * 13));
	aionl_ctx_close(ctx);
}

/* The family is present and works in every network namespace. */
static void test_second_network_namespace(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aionl_ctx *ctx;
		struct aionl_req r;
		struct aionl_cqe c;
		char out[16];
		uint64_t h;

		if (unshare(CLONE_NEWNET))
			_exit(10);
		ctx = open_kernel(0);
		if (aionl_file_register(ctx, file_fd, &h))
			_exit(11);
		aionl_req_read(&r, h, out, sizeof(out), 256, 5);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1 ||
		    c.res != sizeof(out) || out[0] != (char)(256 * 13))
			_exit(12);
		aionl_ctx_close(ctx);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_closed_with_io_in_flight),
		cmocka_unit_test(test_process_killed_with_io_in_flight),
		cmocka_unit_test(test_tiny_rcvbuf_loses_nothing),
		cmocka_unit_test(test_flood_of_malformed_messages),
		cmocka_unit_test(test_second_network_namespace),
	};

	if (aionl_probe(AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO)) {
		fprintf(stderr, "kernel_only: %s\n", aionl_error_message());
		return 77;	/* run by tests/vm with the module loaded */
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
