// SPDX-License-Identifier: MIT
/*
 * Events: signals as completions.
 */
#define _GNU_SOURCE
#include "common.h"

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

/*
 * Regression: a watch on {SIGKILL, SIGUSR1} was refused, but SIGUSR1 had
 * already been blocked in the submitting thread and stayed blocked, so the
 * program's own handler never ran again. A refused set blocks nothing.
 */
static void test_a_refused_signal_watch_blocks_nothing(void **state)
{
	static const int uncatchable[] = { SIGKILL, SIGSTOP };
	struct aionl_req r;
	sigset_t set, before, after;

	(void)state;
	/* Earlier watches leave their signals blocked, by the rule: start clean. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (size_t i = 0; i < sizeof(uncatchable) / sizeof(uncatchable[0]); i++) {
		pthread_sigmask(SIG_SETMASK, NULL, &before);
		assert_int_equal(sigismember(&before, SIGUSR1), 0);
		sigemptyset(&set);
		sigaddset(&set, uncatchable[i]);
		sigaddset(&set, SIGUSR1);
		aionl_req_signal(&r, &set, 320);
		assert_int_equal(run1(&r).res, -EINVAL);
		pthread_sigmask(SIG_SETMASK, NULL, &after);
		for (int sig = 1; sig < SIGRTMIN; sig++)
			assert_int_equal(sigismember(&after, sig), sigismember(&before, sig));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigint_and_sigterm_arrive_as_completions),
		cmocka_unit_test(test_signal_while_blocked_in_reap),
		cmocka_unit_test(test_sigkill_cannot_be_watched),
		cmocka_unit_test(test_a_refused_signal_watch_blocks_nothing),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
