// SPDX-License-Identifier: MIT
/*
 * The library's completion queue (src/lib/cq.c): order, growth, the credit
 * count, and the folding of a periodic timer's ticks into its completion
 * still queued, for any number of timers whatever their cookies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cq.h"

static struct aionl_completion plain(uint64_t cookie, int64_t res)
{
	return (struct aionl_completion){ .cookie = cookie, .res = res };
}

static struct aionl_completion tick(uint64_t cookie, int64_t n)
{
	return (struct aionl_completion){ .cookie = cookie, .res = n,
					  .flags = AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE };
}

static int push(struct aionl_cq *q, struct aionl_completion m)
{
	return cq_push(q, &m);
}

static void test_fifo_order_across_growth(void **state)
{
	struct aionl_cq q = { 0 };
	struct aionl_cqe out[700];
	unsigned int finals, got = 0;

	(void)state;
	for (uint64_t i = 0; i < 5000; i++) {
		assert_int_equal(cq_push(&q, &(struct aionl_completion){ .cookie = i, .res = -(int64_t)i }), 0);
		if (i % 3 == 0) {
			unsigned int n = cq_pop(&q, out, 2, &finals);

			for (unsigned int k = 0; k < n; k++, got++) {
				assert_true(out[k].cookie == got);
				assert_true(out[k].res == -(int64_t)got);
			}
			assert_int_equal(finals, n);
		}
	}
	while (q.len) {
		unsigned int n = cq_pop(&q, out, 700, &finals);

		for (unsigned int k = 0; k < n; k++, got++)
			assert_true(out[k].cookie == got);
	}
	assert_int_equal(got, 5000);
	cq_fini(&q);
}

static void test_finals_count_only_completions_that_end(void **state)
{
	struct aionl_cq q = { 0 };
	struct aionl_cqe out[8];
	struct aionl_completion more = { .cookie = 7, .flags = AIONL_CQE_F_MORE };
	unsigned int finals;

	(void)state;
	cq_push(&q, &more);
	cq_push(&q, &(struct aionl_completion){ .cookie = 8 });
	cq_push(&q, &(struct aionl_completion){ .cookie = 9, .flags = AIONL_CQE_F_REJECTED });
	cq_push(&q, &(struct aionl_completion){ .cookie = 10, .flags = AIONL_CQE_F_TIMER });
	assert_int_equal(cq_pop(&q, out, 8, &finals), 4);
	assert_int_equal(finals, 3);
	cq_fini(&q);
}

static void test_ticks_of_a_queued_timer_fold_into_it(void **state)
{
	struct aionl_cq q = { 0 };
	struct aionl_completion a = plain(1, 0), b = plain(2, 5);
	struct aionl_cqe out[8];
	unsigned int finals;

	(void)state;
	push(&q, a);
	push(&q, tick(42, 1));
	push(&q, b);
	push(&q, tick(42, 2));
	push(&q, tick(42, 4));
	assert_true(q.ticked);
	assert_int_equal(cq_pop(&q, out, 8, &finals), 3);
	assert_true(out[1].cookie == 42 && out[1].res == 7);
	assert_false(q.ticked);
	/* Reaped: the next tick is a completion of its own. */
	push(&q, tick(42, 1));
	assert_int_equal(cq_pop(&q, out, 8, &finals), 1);
	assert_true(out[0].res == 1);
	assert_int_equal(finals, 0);
	cq_fini(&q);
}

/* The bug this replaced kept 16 slots by cookie modulo 16: these all collided. */
static void test_timers_whose_cookies_collide_fold_apart(void **state)
{
	enum { TIMERS = 300 };
	struct aionl_cq q = { 0 };
	struct aionl_cqe out[TIMERS];
	unsigned int finals;

	(void)state;
	for (int round = 0; round < 5; round++)
		for (uint64_t t = 0; t < TIMERS; t++)
			assert_int_equal(push(&q, tick(t * 16, (int64_t)t + 1)), 0);
	assert_int_equal(q.len, TIMERS);
	assert_int_equal(cq_pop(&q, out, TIMERS, &finals), TIMERS);
	for (uint64_t t = 0; t < TIMERS; t++) {
		assert_true(out[t].cookie == t * 16);
		assert_true(out[t].res == 5 * ((int64_t)t + 1));
	}
	cq_fini(&q);
}

/* A server's counts that would overflow the queued one stop at its limit. */
static void test_folded_ticks_saturate(void **state)
{
	struct aionl_cq q = { 0 };
	struct aionl_cqe out[2];
	unsigned int finals;

	(void)state;
	push(&q, tick(1, INT64_MAX));
	push(&q, tick(1, INT64_MAX));
	push(&q, tick(2, INT64_MIN));
	push(&q, tick(2, -1));
	assert_int_equal(cq_pop(&q, out, 2, &finals), 2);
	assert_true(out[0].res == INT64_MAX);
	assert_true(out[1].res == INT64_MIN);
	cq_fini(&q);
}

/*
 * Against a model: random pushes of ticks and plain completions and random
 * pops; every tick lands on its cookie's queued completion if there is one.
 */
static void test_random_traffic_matches_a_model(void **state)
{
	struct model {
		uint64_t cookie;
		int64_t res;
		bool tick;
	} *m = calloc(200000, sizeof(*m));
	struct aionl_cq q = { 0 };
	struct aionl_cqe out[64];
	size_t head = 0, tail = 0;
	unsigned int finals;

	(void)state;
	srand(12345);
	for (int step = 0; step < 200000; step++) {
		int r = rand() % 10;

		if (r < 6) {
			uint64_t cookie = (uint64_t)(rand() % 97) << (rand() % 40);
			int64_t res = rand() % 5 + 1;
			size_t k;

			assert_int_equal(push(&q, tick(cookie, res)), 0);
			for (k = head; k < tail; k++)
				if (m[k].tick && m[k].cookie == cookie)
					break;
			if (k < tail)
				m[k].res += res;
			else
				m[tail++] = (struct model){ cookie, res, true };
		} else if (r < 8) {
			uint64_t cookie = (uint64_t)rand();

			push(&q, plain(cookie, -1));
			m[tail++] = (struct model){ cookie, -1, false };
		} else {
			unsigned int n = cq_pop(&q, out, (unsigned int)(rand() % 64 + 1), &finals);

			for (unsigned int k = 0; k < n; k++, head++) {
				assert_true(out[k].cookie == m[head].cookie);
				assert_true(out[k].res == m[head].res);
			}
		}
		assert_int_equal(q.len, tail - head);
	}
	free(m);
	cq_fini(&q);
}

static void test_a_signal_keeps_its_siginfo(void **state)
{
	struct aionl_cq q = { 0 };
	struct aionl_cqe out[2];
	struct aionl_completion s = { .cookie = 3, .res = 10, .flags = AIONL_CQE_F_SIGNAL |
								       AIONL_CQE_F_MORE,
				      .ssi_signo = 10, .ssi_code = -1, .ssi_pid = 77, .ssi_uid = 5,
				      .ssi_value = 0xabc };
	unsigned int finals;

	(void)state;
	cq_push(&q, &s);
	push(&q, plain(4, 0));
	assert_int_equal(cq_pop(&q, out, 2, &finals), 2);
	assert_int_equal(out[0].si.signo, 10);
	assert_int_equal(out[0].si.pid, 77);
	assert_true(out[0].si.value == 0xabc);
	assert_int_equal(out[1].si.pid, 0);
	cq_fini(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order_across_growth),
		cmocka_unit_test(test_finals_count_only_completions_that_end),
		cmocka_unit_test(test_ticks_of_a_queued_timer_fold_into_it),
		cmocka_unit_test(test_timers_whose_cookies_collide_fold_apart),
		cmocka_unit_test(test_folded_ticks_saturate),
		cmocka_unit_test(test_random_traffic_matches_a_model),
		cmocka_unit_test(test_a_signal_keeps_its_siginfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
