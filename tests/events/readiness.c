// SPDX-License-Identifier: MIT
/*
 * Events: readiness watches, and stream reads and writes.
 */
#define _GNU_SOURCE
#include "common.h"

/* ------------------------------------------------------------ readiness */

static void test_poll_one_shot_on_a_pipe(void **state)
{
	int p[2];
	uint64_t h;
	struct aionl_req r;
	struct aionl_cqe c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	h = reg(p[0]);
	aionl_req_poll(&r, h, AIONL_POLL_IN, 0, 60);
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 0, 50 * MS }), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	c = reap1();
	assert_true(c.cookie == 60);
	assert_true(c.res & AIONL_POLL_IN);
	assert_int_equal(c.flags & AIONL_CQE_F_MORE, 0);
	/* Close the writer: a new poll sees the hang-up. */
	close(p[1]);
	aionl_req_poll(&r, h, AIONL_POLL_IN, 0, 61);
	assert_true(run1(&r).res & (AIONL_POLL_IN | AIONL_POLL_HUP));
	aionl_file_unregister(ctx, h);
	close(p[0]);
}

static void test_poll_multishot_until_cancelled(void **state)
{
	int sv[2];
	char buf[8];
	uint64_t h;
	struct aionl_req r;
	struct aionl_cqe c[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	h = reg(sv[0]);
	aionl_req_poll(&r, h, AIONL_POLL_IN, AIONL_POLL_MULTISHOT, 70);
	submit1(&r);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(write(sv[1], "ab", 2), 2);
		c[0] = reap1();
		assert_true(c[0].cookie == 70);
		assert_true(c[0].res & AIONL_POLL_IN);
		assert_int_equal(c[0].flags, AIONL_CQE_F_MORE);
		assert_int_equal(read(sv[0], buf, sizeof(buf)), 2);
	}
	aionl_req_cancel(&r, 70, 0, 71);
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, c, 2, 2, &(struct timespec){ 5, 0 }), 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(c[i].res, c[i].cookie == 71 ? 1 : -ECANCELED);
	aionl_file_unregister(ctx, h);
	close(sv[0]);
	close(sv[1]);
}

static void test_poll_writable_and_eventfd(void **state)
{
	int p[2], efd = eventfd(0, EFD_CLOEXEC);
	uint64_t hw, he, one = 1;
	struct aionl_req r;

	(void)state;
	assert_int_equal(pipe(p), 0);
	hw = reg(p[1]);
	he = reg(efd);
	aionl_req_poll(&r, hw, AIONL_POLL_OUT, 0, 80);
	assert_true(run1(&r).res & AIONL_POLL_OUT);
	aionl_req_poll(&r, he, AIONL_POLL_IN, 0, 81);
	submit1(&r);
	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	assert_true(reap1().res & AIONL_POLL_IN);
	aionl_file_unregister(ctx, hw);
	aionl_file_unregister(ctx, he);
	close(p[0]);
	close(p[1]);
	close(efd);
}

/* Another AIO socket is just one more descriptor to watch. */
static void test_poll_of_a_regular_file_is_refused(void **state)
{
	char path[] = "/tmp/aionl-ev-XXXXXX";
	int fd = mkstemp(path);
	uint64_t h = reg(fd);
	struct aionl_req r;

	(void)state;
	aionl_req_poll(&r, h, AIONL_POLL_IN, 0, 95);
	assert_int_equal(run1(&r).res, -EPERM);
	aionl_req_poll(&r, 0, AIONL_POLL_IN, 0, 96);
	assert_int_equal(run1(&r).res, -EBADF);
	aionl_file_unregister(ctx, h);
	close(fd);
	unlink(path);
}

/* ------------------------------------------------------------ streams */

static void test_stream_read_and_write_on_a_pipe(void **state)
{
	int p[2];
	uint64_t hr, hw;
	char in[16] = "";
	struct aionl_req r;
	struct aionl_cqe c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	hr = reg(p[0]);
	hw = reg(p[1]);
	aionl_req_read(&r, hr, in, sizeof(in), AIONL_OFFSET_STREAM, 400);
	submit1(&r);
	aionl_req_write(&r, hw, "hello", 5, AIONL_OFFSET_STREAM, 401);
	submit1(&r);
	for (int i = 0; i < 2; i++) {
		c = reap1();
		assert_int_equal(c.res, 5);
	}
	assert_string_equal(in, "hello");
	/* A real offset on a pipe is still -ESPIPE; the stream offset on a file -EINVAL. */
	aionl_req_read(&r, hr, in, 4, 0, 402);
	assert_int_equal(run1(&r).res, -ESPIPE);
	aionl_file_unregister(ctx, hr);
	aionl_file_unregister(ctx, hw);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_one_shot_on_a_pipe),
		cmocka_unit_test(test_poll_multishot_until_cancelled),
		cmocka_unit_test(test_poll_writable_and_eventfd),
		cmocka_unit_test(test_poll_of_a_regular_file_is_refused),
		cmocka_unit_test(test_stream_read_and_write_on_a_pipe),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
