// SPDX-License-Identifier: MIT
/*
 * Conformance: reads, writes, syncs and their results; batching, reaping
 * and readiness of the descriptor; threads sharing one context.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include "common.h"

/* ------------------------------------------------------------ data paths */

static void test_read_returns_file_bytes(void **state)
{
	struct fixture *f = *state;
	unsigned char buf[8192];
	struct aionl_req r;

	aionl_req_read(&r, f->h, buf, sizeof(buf), 12345, 0xfeedULL);
	assert_int_equal(run(f->ctx, &r), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], pattern(12345 + i));
}

static void test_write_then_read_back(void **state)
{
	struct fixture *f = *state;
	char out[5000], in[5000];
	struct aionl_req r;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	aionl_req_write(&r, f->h, out, sizeof(out), 777, 1);
	assert_int_equal(run(f->ctx, &r), sizeof(out));
	assert_int_equal(pread(f->fd, in, sizeof(in), 777), sizeof(in));
	assert_memory_equal(in, out, sizeof(out));
}

static void test_readv_and_writev(void **state)
{
	struct fixture *f = *state;
	char a[100], b[3000], c[1], x[3101];
	struct iovec iov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct aionl_req r;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	c[0] = 'c';
	aionl_req_writev(&r, f->h, iov, 3, 4096, 2);
	assert_int_equal(run(f->ctx, &r), 3101);
	assert_int_equal(pread(f->fd, x, sizeof(x), 4096), sizeof(x));
	assert_int_equal(x[0], 'a');
	assert_int_equal(x[100], 'b');
	assert_int_equal(x[3100], 'c');

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	c[0] = 0;
	aionl_req_readv(&r, f->h, iov, 3, 4096, 3);
	assert_int_equal(run(f->ctx, &r), 3101);
	assert_int_equal(a[99], 'a');
	assert_int_equal(b[2999], 'b');
	assert_int_equal(c[0], 'c');
}

static void test_fsync_and_fdatasync(void **state)
{
	struct fixture *f = *state;
	struct aionl_req r;

	aionl_req_fsync(&r, f->h, 10);
	assert_int_equal(run(f->ctx, &r), 0);
	aionl_req_fdatasync(&r, f->h, 11);
	assert_int_equal(run(f->ctx, &r), 0);
}

static void test_offsets_beyond_4gib(void **state)
{
	struct fixture *f = *state;
	const uint64_t off = (5ULL << 30) + 3;
	char out[] = "far away", in[sizeof(out)];
	struct aionl_req r;

	aionl_req_write(&r, f->h, out, sizeof(out), off, 4);
	assert_int_equal(run(f->ctx, &r), sizeof(out));
	aionl_req_read(&r, f->h, in, sizeof(in), off, 5);
	assert_int_equal(run(f->ctx, &r), sizeof(in));
	assert_string_equal(in, out);
	assert_int_equal(pread(f->fd, in, sizeof(in), off), sizeof(in));
	assert_string_equal(in, out);
	assert_int_equal(ftruncate(f->fd, FILE_SIZE), 0);
}

static void test_read_at_end_of_file_is_short(void **state)
{
	struct fixture *f = *state;
	char buf[100];
	struct aionl_req r;

	aionl_req_read(&r, f->h, buf, sizeof(buf), FILE_SIZE - 40, 6);
	assert_int_equal(run(f->ctx, &r), 40);
	aionl_req_read(&r, f->h, buf, sizeof(buf), FILE_SIZE + 4096, 7);
	assert_int_equal(run(f->ctx, &r), 0);
}

static void test_cookies_come_back_unchanged(void **state)
{
	struct fixture *f = *state;
	static const uint64_t cookies[] = { 0, 1, UINT64_MAX, 0x8000000000000000ULL,
					    0xdeadbeefcafef00dULL };
	struct aionl_req r[5];
	struct aionl_cqe c[5];
	char buf[5][16];
	int seen = 0;

	for (int i = 0; i < 5; i++)
		aionl_req_read(&r[i], f->h, buf[i], 16, i * 16, cookies[i]);
	submit(f->ctx, r, 5);
	assert_int_equal(aionl_reap(f->ctx, c, 5, 5, NULL), 5);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++)
			if (c[i].cookie == cookies[j]) {
				assert_int_equal(c[i].res, 16);
				seen |= 1 << j;
			}
	assert_int_equal(seen, 0x1f);
}

/* ------------------------------------------------------------ pipes */

static void test_pipe_offsets_are_espipe(void **state)
{
	struct fixture *f = *state;
	int p[2];
	uint64_t h;
	char buf[8];
	struct aionl_req r;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(aionl_file_register(f->ctx, p[0], &h), 0);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 20);
	assert_int_equal(run(f->ctx, &r), -ESPIPE);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------ batching and reaping */

static void test_large_batch_completes_exactly_once(void **state)
{
	struct fixture *f = *state;
	enum { N = 3000 };
	struct aionl_req *r = calloc(N, sizeof(*r));
	unsigned char *bufs = malloc(N * 64), *seen = calloc(N, 1);
	struct aionl_cqe c[256];
	int got = 0;

	for (int i = 0; i < N; i++)
		aionl_req_read(&r[i], f->h, bufs + i * 64, 64, (uint64_t)i * 64, i);
	submit(f->ctx, r, N);
	while (got < N) {
		int n = aionl_reap(f->ctx, c, 256, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < N);
			assert_int_equal(seen[c[i].cookie]++, 0);
			assert_int_equal(c[i].res, 64);
			assert_int_equal(bufs[c[i].cookie * 64], pattern(c[i].cookie * 64));
		}
		got += n;
	}
	assert_int_equal(aionl_reap(f->ctx, c, 1, 0, NULL), 0);
	free(r);
	free(bufs);
	free(seen);
}

static void test_reap_timeouts(void **state)
{
	struct fixture *f = *state;
	struct aionl_cqe c[2];
	struct timespec t0, t1, tmo = { 0, 50000000 };
	struct aionl_req r;

	assert_int_equal(aionl_reap(f->ctx, c, 2, 0, NULL), 0);
	assert_int_equal(aionl_reap(f->ctx, c, 2, 1, &(struct timespec){ 0, 0 }), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(aionl_reap(f->ctx, c, 2, 1, &tmo), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* It did wait: it did not return before the timeout. */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec >= 50000000LL);
	/*
	 * One completion but min_nr 2: the timeout returns the one. It is
	 * waited for first: an fsync may take longer than the timeout.
	 */
	/*
	 * After a blocking reap the descriptor may stay readable with nothing
	 * waiting (aionl_ctx_fd(3)); a non-blocking reap clears it, so that the
	 * poll below waits for the fsync itself, however long a loaded machine
	 * takes, rather than passing at once and leaving 50 ms for it.
	 */
	assert_int_equal(aionl_reap(f->ctx, c, 2, 0, NULL), 0);
	aionl_req_fsync(&r, f->h, 40);
	submit(f->ctx, &r, 1);
	assert_int_equal(poll(&(struct pollfd){ aionl_ctx_fd(f->ctx), POLLIN, 0 }, 1, 10000), 1);
	assert_int_equal(aionl_reap(f->ctx, c, 2, 2, &tmo), 1);
	assert_int_equal(aionl_reap(f->ctx, c, 1, 2, NULL), -EINVAL);
}

static void test_fd_polls_readable_on_completion(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	struct aionl_req r;
	struct aionl_cqe c;
	char buf[32];

	assert_int_equal(poll(&p, 1, 0), 0);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 41);
	submit(f->ctx, &r, 1);
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_true(p.revents & POLLIN);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 0, NULL), 1);
	assert_true(c.cookie == 41);
}

/*
 * Until more than have bytes wait on ctx's socket; returns how many. A
 * socket that cannot tell (the module's netlink socket) gets 20 ms instead.
 */
static int wait_for_more_bytes(struct aionl_ctx *ctx, int have)
{
	int now;

	for (int ms = 0; ms < 10000; ms++) {
		if (ioctl(aionl_ctx_fd(ctx), SIOCINQ, &now) < 0) {
			usleep(20000);
			return have;
		}
		if (now > have)
			return now;
		usleep(1000);
	}
	fail_msg("nothing more arrived in 10 s");
	return have;
}

/*
 * Caught by the bench: a reap took one datagram, so a batch once split by a
 * slow read stayed split for the rest of the run. Completions already on
 * the socket come out in one reap, however many datagrams carried them.
 */
static void test_reap_takes_completions_sent_separately(void **state)
{
	struct fixture *f = *state;
	struct aionl_cqe c[8];
	struct aionl_req r;
	int i, n, have = 0;

	for (i = 0; i < 4; i++) {
		aionl_req_nop(&r, 100 + i);
		submit(f->ctx, &r, 1);
		/*
		 * Each completion is sent before the next request exists. A
		 * poll() would return at once from the second on, and a fixed
		 * sleep is too short for a slow engine (ThreadSanitizer).
		 */
		have = wait_for_more_bytes(f->ctx, have);
	}
	n = aionl_reap(f->ctx, c, 8, 1, NULL);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++)
		assert_true(c[i].cookie == (uint64_t)(100 + i));
}

/*
 * A reap that takes fewer completions than arrived together leaves the rest
 * queued in the library: the descriptor must still poll readable for them,
 * or a poll()-driven program would sleep on completions it holds.
 */
static void test_fd_stays_readable_while_completions_wait(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	struct aionl_req r[3];
	struct aionl_cqe c;
	char buf[3][32];
	int i;

	for (i = 0; i < 3; i++)
		aionl_req_read(&r[i], f->h, buf[i], sizeof(buf[i]), 4096 * i, 50 + i);
	submit(f->ctx, r, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(poll(&p, 1, 10000), 1);
		assert_int_equal(aionl_reap(f->ctx, &c, 1, 0, NULL), 1);
	}
	/* Nothing left: after a non-blocking reap, no spurious wake-up either. */
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 0, NULL), 0);
}

struct blocked_reap {
	struct aionl_ctx *ctx;
	struct aionl_cqe c;
	int n;
};

static void *reap_one_blocking(void *arg)
{
	struct blocked_reap *b = arg;
	struct timespec ten = { 10, 0 };

	b->n = aionl_reap(b->ctx, &b->c, 1, 1, &ten);
	return NULL;
}

/*
 * Reads served inside aionl_submit queue their completions in the library,
 * not on the socket: a thread already asleep in aionl_reap must still wake.
 */
static void test_blocked_reaper_wakes_for_reads_served_at_submit(void **state)
{
	struct fixture *f = *state;
	struct blocked_reap b = { .ctx = f->ctx };
	struct aionl_req r;
	pthread_t t;
	char buf[64];

	for (int round = 0; round < 20; round++) {
		b.n = -1;
		assert_int_equal(pthread_create(&t, NULL, reap_one_blocking, &b), 0);
		usleep(round % 2 ? 20000 : 0);
		aionl_req_read(&r, f->h, buf, sizeof(buf), 8192, 60 + round);
		submit(f->ctx, &r, 1);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_int_equal(b.n, 1);
		assert_true(b.c.cookie == (uint64_t)(60 + round));
		assert_int_equal(b.c.res, sizeof(buf));
		for (unsigned int i = 0; i < sizeof(buf); i++)
			assert_int_equal((unsigned char)buf[i], pattern(8192 + i));
	}
}

struct trickle {
	struct fixture *f;
	unsigned int n;
};

static void *submit_one_at_a_time(void *arg)
{
	struct trickle *t = arg;
	static char buf[16];
	struct aionl_req r;

	for (unsigned int i = 0; i < t->n; i++) {
		/* Page-cache hits: served inline, announced only by the bell. */
		aionl_req_read(&r, t->f->h, buf, sizeof(buf), (i * 4096ULL) % FILE_SIZE, i);
		while (aionl_submit(t->f->ctx, &r, 1) == -EBUSY)
			usleep(100);
	}
	return NULL;
}

/*
 * A poll()-driven reaper against a thread that submits: every completion
 * must make the descriptor readable, whichever way it arrives, and none may
 * come twice. A completion left without readiness shows as a poll timeout.
 */
static void test_poll_driven_reaper_sees_every_completion(void **state)
{
	struct fixture *f = *state;
	struct trickle t = { f, 20000 };
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	unsigned char *seen = calloc(t.n, 1);
	struct aionl_cqe c[64];
	unsigned int got = 0, spurious = 0;
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, submit_one_at_a_time, &t), 0);
	while (got < t.n) {
		int n;

		assert_int_equal(poll(&p, 1, 10000), 1);
		n = aionl_reap(f->ctx, c, 64, 0, NULL);
		assert_true(n >= 0);
		spurious += n == 0;
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < t.n);
			assert_int_equal(c[i].res, 16);
			assert_int_equal(seen[c[i].cookie]++, 0);
		}
		got += (unsigned int)n;
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	/* A wake-up with nothing to reap may happen, but not as a habit. */
	assert_true(spurious < t.n / 10);
	free(seen);
}

/* ------------------------------------------------------------ threads */

struct thr {
	struct fixture *f;
	unsigned int id;
	unsigned int n;
	unsigned char *seen;	/* shared; cookie = id << 24 | i */
	pthread_mutex_t *lock;
	unsigned int *reaped;
};

/* Threads submit and reap on one context at once; any thread may reap any
 * completion, and each arrives once. */
static void *submitter(void *arg)
{
	struct thr *t = arg;
	char buf[32];
	unsigned int i = 0;

	while (i < t->n) {
		struct aionl_req r[16];
		struct aionl_cqe c[16];
		unsigned int k = t->n - i < 16 ? t->n - i : 16, j;
		int n;

		for (j = 0; j < k; j++)
			aionl_req_read(&r[j], t->f->h, buf, sizeof(buf), (i + j) * 32,
				       (uint64_t)t->id << 24 | (i + j));
		n = aionl_submit(t->f->ctx, r, k);
		if (n == -EBUSY)
			n = 0;
		assert_true(n >= 0);
		i += n;
		n = aionl_reap(t->f->ctx, c, 16, 0, NULL);
		assert_true(n >= 0);
		pthread_mutex_lock(t->lock);
		for (j = 0; j < (unsigned int)n; j++) {
			uint64_t ck = c[j].cookie;

			assert_int_equal(c[j].res, 32);
			assert_int_equal(t->seen[(ck >> 24) * t->n + (ck & 0xffffff)]++, 0);
		}
		*t->reaped += n;
		pthread_mutex_unlock(t->lock);
	}
	return NULL;
}

static void *registrar(void *arg)
{
	struct thr *t = arg;

	for (unsigned int i = 0; i < 300; i++) {
		uint64_t h;

		assert_int_equal(aionl_file_register(t->f->ctx, t->f->fd, &h), 0);
		assert_int_equal(aionl_file_unregister(t->f->ctx, h), 0);
	}
	return NULL;
}

static void test_threads_share_a_context(void **state)
{
	struct fixture *f = *state;
	enum { T = 4, N = 5000 };
	pthread_t th[T + 1];
	struct thr t[T + 1];
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned char *seen = calloc(T * N, 1);
	unsigned int reaped = 0;
	struct aionl_cqe c[256];

	for (int i = 0; i <= T; i++) {
		t[i] = (struct thr){ f, i, N, seen, &lock, &reaped };
		pthread_create(&th[i], NULL, i < T ? submitter : registrar, &t[i]);
	}
	for (int i = 0; i <= T; i++)
		pthread_join(th[i], NULL);
	while (reaped < T * N) {
		int n = aionl_reap(f->ctx, c, 256, 1, NULL);

		assert_true(n > 0);
		for (int j = 0; j < n; j++) {
			uint64_t ck = c[j].cookie;

			assert_int_equal(seen[(ck >> 24) * N + (ck & 0xffffff)]++, 0);
		}
		reaped += n;
	}
	for (int i = 0; i < T * N; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
}

static void *blocking_reaper(void *arg)
{
	struct aionl_ctx *ctx = arg;
	struct aionl_cqe c;

	return (void *)(intptr_t)(aionl_reap(ctx, &c, 1, 1, NULL) == 1 && c.cookie == 77);
}

/* A control call made while another thread blocks in reap gets its reply,
 * and the reaper gets its completion. */
static void test_register_while_another_thread_reaps(void **state)
{
	struct fixture *f = *state;
	pthread_t th;
	void *ok;
	uint64_t h;
	struct aionl_req r;

	pthread_create(&th, NULL, blocking_reaper, f->ctx);
	usleep(50000);
	assert_int_equal(aionl_file_register(f->ctx, f->fd, &h), 0);
	aionl_req_fsync(&r, h, 77);
	submit(f->ctx, &r, 1);
	pthread_join(th, &ok);
	assert_true(ok != NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_returns_file_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readv_and_writev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_and_fdatasync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offsets_beyond_4gib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_at_end_of_file_is_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_come_back_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipe_offsets_are_espipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_batch_completes_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_polls_readable_on_completion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap_takes_completions_sent_separately, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_stays_readable_while_completions_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_reaper_wakes_for_reads_served_at_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_driven_reaper_sees_every_completion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_share_a_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_while_another_thread_reaps, setup, teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
