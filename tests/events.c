// SPDX-License-Identifier: MIT
/*
 * Every event source through the one socket: timers, readiness, signals,
 * wake-ups, cancellation and per-request deadlines. Written against the
 * public API only and run per backend and executor, like the conformance
 * suite (AIONL_BACKEND, AIONL_EXECUTOR, AIONL_TEST_EXPECT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "aionl.h"

#define MS 1000000ULL

static struct aionl_ctx *ctx;

static int setup(void **state)
{
	struct aionl_params p = { 0 };
	const char *expect = getenv("AIONL_TEST_EXPECT");
	struct aionl_info info;
	char got[64];

	(void)state;
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE;
	if (aionl_ctx_open(&ctx, &p))
		fail_msg("aionl_ctx_open: %s", aionl_error_message());
	aionl_ctx_info(ctx, &info);
	snprintf(got, sizeof(got), "%s%s%s", aionl_backend_name(info.backend),
		 info.backend == AIONL_BACKEND_USER ? "+" : "",
		 info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "");
	if (expect && strcmp(expect, got))
		fail_msg("running on %s, expected %s", got, expect);
	return 0;
}

static int teardown(void **state)
{
	struct aionl_cqe c[16];

	(void)state;
	/* Nothing may be left over from a test. */
	assert_int_equal(aionl_reap(ctx, c, 16, 0, &(struct timespec){ 0, 20 * MS }), 0);
	aionl_ctx_close(ctx);
	return 0;
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void submit1(struct aionl_req *r)
{
	if (aionl_submit(ctx, r, 1) != 1)
		fail_msg("aionl_submit: %s", aionl_error_message());
}

static struct aionl_cqe reap1(void)
{
	struct aionl_cqe c;

	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 10, 0 }), 1);
	return c;
}

/* Run a request whose completion comes at once; return it. */
static struct aionl_cqe run1(struct aionl_req *r)
{
	struct aionl_cqe c;

	submit1(r);
	c = reap1();
	assert_true(c.cookie == r->cookie);
	return c;
}

/* ------------------------------------------------------------ wake-ups */

static void *waker(void *arg)
{
	(void)arg;
	usleep(50000);
	return (void *)(intptr_t)aionl_wake(ctx, 77);
}

static void test_wake_from_another_thread_during_blocking_reap(void **state)
{
	pthread_t th;
	struct aionl_cqe c;
	void *ret;

	(void)state;
	pthread_create(&th, NULL, waker, NULL);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, NULL), 1);
	pthread_join(th, &ret);
	assert_int_equal((intptr_t)ret, 0);
	assert_true(c.cookie == 77);
	assert_int_equal(c.res, 0);
	assert_int_equal(c.flags, 0);
}

static void test_wake_makes_the_descriptor_readable(void **state)
{
	struct pollfd p = { aionl_ctx_fd(ctx), POLLIN, 0 };

	(void)state;
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(aionl_wake(ctx, 5), 0);
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_true(reap1().cookie == 5);
}

/* ------------------------------------------------------------ timers */

static void one_shot_on(clockid_t clock)
{
	struct aionl_req r;
	struct aionl_cqe c;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	aionl_req_timer(&r, clock, 20 * MS, 0, 0, 100 + clock);
	submit1(&r);
	c = reap1();
	assert_true(c.cookie == 100u + clock);
	assert_int_equal(c.res, 1);
	assert_int_equal(c.flags, AIONL_CQE_F_TIMER);
	assert_true(now_ns(CLOCK_MONOTONIC) - t0 >= 20 * MS);
}

static void test_one_shot_timer_on_each_clock(void **state)
{
	(void)state;
	one_shot_on(CLOCK_MONOTONIC);
	one_shot_on(CLOCK_REALTIME);
	one_shot_on(CLOCK_BOOTTIME);
}

static void test_absolute_timer(void **state)
{
	struct aionl_req r;
	uint64_t at = now_ns(CLOCK_REALTIME) + 30 * MS;

	(void)state;
	aionl_req_timer(&r, CLOCK_REALTIME, at, 0, AIONL_TIMER_ABS, 9);
	submit1(&r);
	assert_int_equal(reap1().res, 1);
	assert_true(now_ns(CLOCK_REALTIME) >= at);
}

static void test_bad_timer_is_einval(void **state)
{
	struct aionl_req r;

	(void)state;
	aionl_req_timer(&r, CLOCK_PROCESS_CPUTIME_ID, MS, 0, 0, 10);
	assert_int_equal(run1(&r).res, -EINVAL);
	aionl_req_timer(&r, CLOCK_MONOTONIC, MS, 0, 0x80, 11);
	assert_int_equal(run1(&r).res, -EINVAL);
}

/* A slow reaper gets one completion counting every expiry, as timerfd. */
static void test_periodic_timer_overrun_when_slow_to_reap(void **state)
{
	struct aionl_cqe c[64];
	struct aionl_req r;
	int64_t expirations = 0;
	int n, completions = 0;

	(void)state;
	aionl_req_timer(&r, CLOCK_MONOTONIC, 10 * MS, 10 * MS, 0, 42);
	submit1(&r);
	usleep(205000);
	while ((n = aionl_reap(ctx, c, 64, 0, NULL)) > 0) {
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie == 42);
			assert_int_equal(c[i].flags, AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);
			assert_true(c[i].res >= 1);
			expirations += c[i].res;
			completions++;
		}
	}
	/* About 20 expiries in 205 ms, reported in very few completions. */
	assert_true(expirations >= 17 && expirations <= 21);
	assert_true(completions <= 3);
	/* Cancelling ends it with one final completion. */
	aionl_req_cancel(&r, 42, 0, 43);
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, c, 2, 2, &(struct timespec){ 5, 0 }), 2);
	for (int i = 0; i < 2; i++) {
		if (c[i].cookie == 43) {
			assert_int_equal(c[i].res, 1);
		} else {
			assert_true(c[i].cookie == 42);
			/* A tick may have raced the cancel; the end is -ECANCELED. */
			if (c[i].res != -ECANCELED) {
				assert_int_equal(c[i].flags, AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);
				assert_int_equal(aionl_reap(ctx, c, 1, 1, NULL), 1);
				i = -1;
				continue;
			}
			assert_int_equal(c[i].flags & AIONL_CQE_F_MORE, 0);
		}
	}
}

static void test_timer_update_and_unknown_target(void **state)
{
	struct aionl_req r;
	struct aionl_cqe c[2];
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	(void)state;
	aionl_req_timer(&r, CLOCK_MONOTONIC, 10000 * MS, 0, 0, 50);
	submit1(&r);
	aionl_req_timer_update(&r, 50, 20 * MS, 0, 0, 51);
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, c, 2, 2, &(struct timespec){ 5, 0 }), 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(c[i].res, c[i].cookie == 51 ? 0 : 1);
	assert_true(now_ns(CLOCK_MONOTONIC) - t0 < 5000 * MS);
	aionl_req_timer_update(&r, 4242, MS, 0, 0, 52);
	assert_int_equal(run1(&r).res, -ENOENT);
}

/* Thousands of timers: each fires exactly once. */
static void test_thousands_of_timers_fire_once_each(void **state)
{
	enum { N = 5000 };
	struct aionl_params p = { .max_inflight = 2 * N };
	struct aionl_ctx *saved = ctx;
	struct aionl_req *r = calloc(N, sizeof(*r));
	unsigned char *seen = calloc(N, 1);
	struct aionl_cqe c[256];
	int got = 0;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, &p), 0);
	for (int i = 0; i < N; i++)
		aionl_req_timer(&r[i], CLOCK_MONOTONIC, (10 + (i * 7919) % 90) * MS, 0, 0, i);
	for (int done = 0; done < N;) {
		int k = aionl_submit(ctx, r + done, N - done);

		assert_true(k > 0);
		done += k;
	}
	while (got < N) {
		int n = aionl_reap(ctx, c, 256, 1, &(struct timespec){ 10, 0 });

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < N);
			assert_int_equal(c[i].res, 1);
			assert_int_equal(seen[c[i].cookie]++, 0);
		}
		got += n;
	}
	aionl_ctx_close(ctx);
	ctx = saved;
	free(r);
	free(seen);
}

/* ------------------------------------------------------------ readiness */

static uint64_t reg(int fd)
{
	uint64_t h;

	if (aionl_file_register(ctx, fd, &h))
		fail_msg("register: %s", aionl_error_message());
	return h;
}

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
static void test_poll_another_aio_socket(void **state)
{
	struct aionl_ctx *other;
	struct aionl_req r;
	struct aionl_cqe c;
	uint64_t h;

	(void)state;
	assert_int_equal(aionl_ctx_open(&other, NULL), 0);
	h = reg(aionl_ctx_fd(other));
	aionl_req_poll(&r, h, AIONL_POLL_IN, 0, 90);
	submit1(&r);
	assert_int_equal(aionl_wake(other, 91), 0);
	c = reap1();
	assert_true(c.cookie == 90 && (c.res & AIONL_POLL_IN));
	assert_int_equal(aionl_reap(other, &c, 1, 1, NULL), 1);
	assert_true(c.cookie == 91);
	aionl_file_unregister(ctx, h);
	aionl_ctx_close(other);
}

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

/* ------------------------------------------------------------ signals */

static void watch(int a, int b, int c, uint64_t cookie)
{
	struct aionl_req r;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, a);
	if (b)
		sigaddset(&set, b);
	if (c)
		sigaddset(&set, c);
	aionl_req_signal(&r, &set, cookie);
	submit1(&r);
}

static void unwatch(uint64_t cookie)
{
	struct aionl_req r;
	struct aionl_cqe c[2];

	aionl_req_cancel(&r, cookie, 0, cookie + 1);
	submit1(&r);
	assert_int_equal(aionl_reap(ctx, c, 2, 2, &(struct timespec){ 5, 0 }), 2);
}

static void test_sigint_and_sigterm_arrive_as_completions(void **state)
{
	struct aionl_cqe c;
	union sigval v = { .sival_int = 1234 };

	(void)state;
	watch(SIGINT, SIGTERM, SIGUSR1, 200);
	/* Let the engine install its signalfd before the signal is sent. */
	assert_int_equal(aionl_wake(ctx, 199), 0);
	assert_true(reap1().cookie == 199);
	kill(getpid(), SIGINT);
	c = reap1();
	assert_true(c.cookie == 200);
	assert_int_equal(c.res, SIGINT);
	assert_int_equal(c.flags, AIONL_CQE_F_SIGNAL | AIONL_CQE_F_MORE);
	assert_int_equal(c.si.signo, SIGINT);
	assert_int_equal(c.si.code, SI_USER);
	assert_int_equal(c.si.pid, getpid());
	assert_int_equal(c.si.uid, getuid());
	kill(getpid(), SIGTERM);
	c = reap1();
	assert_int_equal(c.si.signo, SIGTERM);
	sigqueue(getpid(), SIGUSR1, v);
	c = reap1();
	assert_int_equal(c.si.signo, SIGUSR1);
	assert_int_equal(c.si.code, SI_QUEUE);
	assert_int_equal((int)c.si.value, 1234);
	unwatch(200);
}

static void *signaller(void *arg)
{
	(void)arg;
	usleep(50000);
	kill(getpid(), SIGTERM);
	return NULL;
}

static void test_signal_while_blocked_in_reap(void **state)
{
	pthread_t th;
	struct aionl_cqe c;

	(void)state;
	watch(SIGTERM, 0, 0, 300);
	assert_int_equal(aionl_wake(ctx, 299), 0);
	assert_true(reap1().cookie == 299);
	pthread_create(&th, NULL, signaller, NULL);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, NULL), 1);
	pthread_join(th, NULL);
	assert_true(c.cookie == 300);
	assert_int_equal(c.si.signo, SIGTERM);
	unwatch(300);
}

static void test_sigkill_cannot_be_watched(void **state)
{
	struct aionl_req r;
	sigset_t set;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGKILL);
	aionl_req_signal(&r, &set, 310);
	assert_int_equal(run1(&r).res, -EINVAL);
	r.sigmask = 0;
	assert_int_equal(run1(&r).res, -EINVAL);
}

/* ------------------------------------------------------------ streams, deadlines, cancel */

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
		cmocka_unit_test(test_wake_from_another_thread_during_blocking_reap),
		cmocka_unit_test(test_wake_makes_the_descriptor_readable),
		cmocka_unit_test(test_one_shot_timer_on_each_clock),
		cmocka_unit_test(test_absolute_timer),
		cmocka_unit_test(test_bad_timer_is_einval),
		cmocka_unit_test(test_periodic_timer_overrun_when_slow_to_reap),
		cmocka_unit_test(test_timer_update_and_unknown_target),
		cmocka_unit_test(test_thousands_of_timers_fire_once_each),
		cmocka_unit_test(test_poll_one_shot_on_a_pipe),
		cmocka_unit_test(test_poll_multishot_until_cancelled),
		cmocka_unit_test(test_poll_writable_and_eventfd),
		cmocka_unit_test(test_poll_another_aio_socket),
		cmocka_unit_test(test_poll_of_a_regular_file_is_refused),
		cmocka_unit_test(test_sigint_and_sigterm_arrive_as_completions),
		cmocka_unit_test(test_signal_while_blocked_in_reap),
		cmocka_unit_test(test_sigkill_cannot_be_watched),
		cmocka_unit_test(test_stream_read_and_write_on_a_pipe),
		cmocka_unit_test(test_read_past_its_deadline_is_etimedout),
		cmocka_unit_test(test_cancel_by_cookie_handle_and_all),
		cmocka_unit_test(test_cancel_racing_completion_many_times),
		cmocka_unit_test(test_deadlines_racing_file_reads),
		cmocka_unit_test(test_close_cancels_everything),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
