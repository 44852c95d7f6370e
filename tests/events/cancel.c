// SPDX-License-Identifier: MIT
/*
 * Events: per-request deadlines, cancellation, and closing with events armed.
 */
#define _GNU_SOURCE
#include "common.h"

/* ------------------------------------------------------------ deadlines, cancel */

static void test_read_past_its_deadline_is_etimedout(void **state)
{
	int p[2];
	uint64_t h;
	char buf[8];
	struct aionl_req r;
	struct aionl_cqe c;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	(void)state;
	assert_int_equal(pipe(p), 0);
	h = reg(p[0]);
	aionl_req_read(&r, h, buf, sizeof(buf), AIONL_OFFSET_STREAM, 500);
	aionl_req_set_timeout(&r, 50 * MS);
	submit1(&r);
	c = reap1();
	assert_true(c.cookie == 500);
	assert_int_equal(c.res, -ETIMEDOUT);
	assert_true(now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
	/* Done in time: the deadline does not touch it. */
	assert_int_equal(write(p[1], "ok", 2), 2);
	aionl_req_read(&r, h, buf, sizeof(buf), AIONL_OFFSET_STREAM, 501);
	aionl_req_set_timeout(&r, 5000 * MS);
	assert_int_equal(run1(&r).res, 2);
	aionl_file_unregister(ctx, h);
	close(p[0]);
	close(p[1]);
}

/*
 * Regression: a deadline of UINT64_MAX wrapped to "now", so the read timed
 * out at once. Deadlines are at most AIONL_MAX_NS; past it, -EINVAL. At the
 * edge the read waits.
 */
static void test_deadlines_past_max_ns_are_einval(void **state)
{
	static const uint64_t bad[] = { AIONL_MAX_NS + 1, UINT64_MAX };
	int p[2];
	uint64_t h;
	char buf[8];
	struct aionl_req r;
	struct aionl_cqe c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	h = reg(p[0]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aionl_req_read(&r, h, buf, sizeof(buf), AIONL_OFFSET_STREAM, 520);
		aionl_req_set_timeout(&r, bad[i]);
		assert_int_equal(run1(&r).res, -EINVAL);
		aionl_req_readv(&r, h, &(struct iovec){ buf, sizeof(buf) }, 1, AIONL_OFFSET_STREAM,
				521);
		aionl_req_set_timeout(&r, bad[i]);
		assert_int_equal(run1(&r).res, -EINVAL);
	}
	aionl_req_read(&r, h, buf, sizeof(buf), AIONL_OFFSET_STREAM, 522);
	aionl_req_set_timeout(&r, AIONL_MAX_NS);
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 0, 100 * MS }), 0);
	assert_int_equal(write(p[1], "ok", 2), 2);
	c = reap1();
	assert_true(c.cookie == 522);
	assert_int_equal(c.res, 2);
	aionl_file_unregister(ctx, h);
	close(p[0]);
	close(p[1]);
}

static void test_cancel_by_cookie_handle_and_all(void **state)
{
	int p[2];
	uint64_t h;
	char buf[3][8];
	struct aionl_req r;
	struct aionl_cqe c[4];

	(void)state;
	assert_int_equal(pipe(p), 0);
	h = reg(p[0]);
	for (int i = 0; i < 3; i++) {
		aionl_req_read(&r, h, buf[i], 8, AIONL_OFFSET_STREAM, 600 + i);
		submit1(&r);
	}
	aionl_req_cancel(&r, 600, 0, 610);		/* by cookie */
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, c, 2, 2, &(struct timespec){ 5, 0 }), 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(c[i].res, c[i].cookie == 610 ? 1 : -ECANCELED);
	aionl_req_cancel(&r, h, AIONL_CANCEL_HANDLE, 611);	/* by handle */
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, c, 3, 3, &(struct timespec){ 5, 0 }), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(c[i].res, c[i].cookie == 611 ? 2 : -ECANCELED);
	aionl_req_cancel(&r, 0, AIONL_CANCEL_ALL, 612);		/* nothing left */
	assert_int_equal(run1(&r).res, -ENOENT);
	aionl_req_cancel(&r, 600, 0, 613);
	assert_int_equal(run1(&r).res, -ENOENT);
	aionl_file_unregister(ctx, h);
	close(p[0]);
	close(p[1]);
}

/*
 * Cancel racing with its target's completion, many thousands of times: the
 * target completes exactly once, with its result or -ECANCELED.
 */
static void test_cancel_racing_completion_many_times(void **state)
{
	enum { N = 20000 };
	char path[] = "/tmp/aionl-ev-XXXXXX";
	int fd = mkstemp(path);
	static char data[4096], buf[64][512];
	unsigned char *seen = calloc(N, 1);
	uint64_t h;
	int got = 0, cancelled = 0;

	(void)state;
	assert_int_equal(write(fd, data, sizeof(data)), sizeof(data));
	assert_int_equal(fsync(fd), 0);
	h = reg(fd);
	for (int i = 0; i < N; i += 32) {
		struct aionl_req r[64];
		struct aionl_cqe c[64];
		int k = 0, want;

		/* Out of the page cache, so that reads take time to race with. */
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		for (int j = i; j < i + 32 && j < N; j++) {
			aionl_req_read(&r[k++], h, buf[j % 32], 512, (uint64_t)(j % 8) * 512, j);
			aionl_req_cancel(&r[k++], j, 0, (uint64_t)j | 1ULL << 40);
		}
		assert_int_equal(aionl_submit(ctx, r, k), k);
		want = k;
		while (want) {
			int n = aionl_reap(ctx, c, 64, 1, &(struct timespec){ 10, 0 });

			assert_true(n > 0);
			for (int x = 0; x < n; x++) {
				uint64_t ck = c[x].cookie;

				if (ck >> 40) {
					assert_true(c[x].res == 1 || c[x].res == -ENOENT);
					continue;
				}
				assert_true(ck < N);
				assert_int_equal(seen[ck]++, 0);
				assert_true(c[x].res == 512 || c[x].res == -ECANCELED);
				cancelled += c[x].res == -ECANCELED;
				got++;
			}
			want -= n;
		}
	}
	assert_int_equal(got, N);
	print_message("%d of %d reads were cancelled before they ran\n", cancelled, N);
	aionl_file_unregister(ctx, h);
	close(fd);
	unlink(path);
	free(seen);
}

/*
 * Deadlines racing file reads that must go to disk: each read completes
 * exactly once, with its bytes or -ETIMEDOUT, whichever came first.
 */
/*
 * Regression (found by tests/stress/model.c on the module): a pipe read that a
 * cancel raced moved its bytes and still reported -ECANCELED, so the bytes
 * were lost. A cancelled stream read has moved nothing: its bytes are still
 * in the pipe; one that moved them reports them.
 */
static void test_a_cancelled_pipe_read_moved_nothing(void **state)
{
	enum { N = 3000 };
	int p[2], moved = 0, kept = 0;
	uint64_t h;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	h = reg(p[0]);
	for (int i = 0; i < N; i++) {
		unsigned char out[64], in[64] = { 0 }, left[65];
		struct aionl_req r[2];
		struct aionl_cqe c[2];
		int64_t res = 1;

		memset(out, i & 0xff, sizeof(out));
		aionl_req_read(&r[0], h, in, sizeof(in), AIONL_OFFSET_STREAM, 700);
		submit1(&r[0]);
		/* The data and the cancel arrive together: the race. */
		assert_int_equal(write(p[1], out, sizeof(out)), sizeof(out));
		aionl_req_cancel(&r[1], 700, 0, 701);
		submit1(&r[1]);
		for (int got = 0; got < 2;) {
			int n = aionl_reap(ctx, c, 2, 1, &(struct timespec){ 10, 0 });

			assert_true(n > 0);
			for (int x = 0; x < n; x++)
				if (c[x].cookie == 700)
					res = c[x].res;
			got += n;
		}
		if (res == -ECANCELED) {
			/* Lost bytes would leave nothing to read: poll first, never block. */
			assert_int_equal(poll(&(struct pollfd){ .fd = p[0], .events = POLLIN }, 1, 0), 1);
			assert_int_equal(read(p[0], left, sizeof(left)), sizeof(out));
			assert_memory_equal(left, out, sizeof(out));
			kept++;
		} else {
			assert_int_equal(res, sizeof(out));
			assert_memory_equal(in, out, sizeof(out));
			moved++;
		}
	}
	assert_int_equal(moved + kept, N);
	aionl_file_unregister(ctx, h);
	close(p[0]);
	close(p[1]);
}

static void test_deadlines_racing_file_reads(void **state)
{
	enum { N = 4000 };
	char path[] = "/tmp/aionl-ev-XXXXXX";
	int fd = mkstemp(path);
	static char data[4096], buf[32][512];
	unsigned char *seen = calloc(N, 1);
	int got = 0, timed_out = 0;
	uint64_t h;

	(void)state;
	assert_int_equal(write(fd, data, sizeof(data)), sizeof(data));
	assert_int_equal(fsync(fd), 0);
	h = reg(fd);
	for (int i = 0; i < N; i += 32) {
		struct aionl_req r[32];
		struct aionl_cqe c[32];
		int k = 0, want;

		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		for (int j = i; j < i + 32 && j < N; j++) {
			aionl_req_read(&r[k], h, buf[j % 32], 512, (uint64_t)(j % 8) * 512, j);
			aionl_req_set_timeout(&r[k++], 1000 + (uint64_t)(j % 7) * 20000);
		}
		assert_int_equal(aionl_submit(ctx, r, k), k);
		for (want = k; want;) {
			int n = aionl_reap(ctx, c, 32, 1, &(struct timespec){ 10, 0 });

			assert_true(n > 0);
			for (int x = 0; x < n; x++) {
				assert_true(c[x].cookie < N);
				assert_int_equal(seen[c[x].cookie]++, 0);
				assert_true(c[x].res == 512 || c[x].res == -ETIMEDOUT);
				timed_out += c[x].res == -ETIMEDOUT;
			}
			want -= n;
			got += n;
		}
	}
	assert_int_equal(got, N);
	print_message("%d of %d reads passed their deadline before they ran\n", timed_out, N);
	aionl_file_unregister(ctx, h);
	close(fd);
	unlink(path);
	free(seen);
}

/* Closing a context cancels everything it holds, without waiting for events. */
static void test_close_cancels_everything(void **state)
{
	struct aionl_ctx *saved = ctx;
	int p[2];
	uint64_t h;
	char buf[8];
	struct aionl_req r;

	(void)state;
	assert_int_equal(pipe(p), 0);
	for (int round = 0; round < 5; round++) {
		assert_int_equal(aionl_ctx_open(&ctx, NULL), 0);
		h = reg(p[0]);
		aionl_req_read(&r, h, buf, sizeof(buf), AIONL_OFFSET_STREAM, 1);
		submit1(&r);
		aionl_req_poll(&r, h, AIONL_POLL_IN, AIONL_POLL_MULTISHOT, 2);
		submit1(&r);
		aionl_req_timer(&r, CLOCK_MONOTONIC, MS, MS, 0, 3);
		submit1(&r);
		aionl_req_timer(&r, CLOCK_MONOTONIC, 100000 * MS, 0, 0, 4);
		submit1(&r);
		aionl_ctx_close(ctx);
	}
	ctx = saved;
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_past_its_deadline_is_etimedout),
		cmocka_unit_test(test_deadlines_past_max_ns_are_einval),
		cmocka_unit_test(test_cancel_by_cookie_handle_and_all),
		cmocka_unit_test(test_cancel_racing_completion_many_times),
		cmocka_unit_test(test_deadlines_racing_file_reads),
		cmocka_unit_test(test_a_cancelled_pipe_read_moved_nothing),
		cmocka_unit_test(test_close_cancels_everything),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
