// SPDX-License-Identifier: MIT
/*
 * Conformance: a full context says -EBUSY, and nothing is lost when the
 * program stops reaping.
 */
#define _GNU_SOURCE
#include "common.h"

/* ------------------------------------------------------------ back-pressure */

static void reap_all_once(struct aionl_ctx *ctx, unsigned char *seen, unsigned int n)
{
	struct aionl_cqe c[512];
	unsigned int got = 0;

	while (got < n) {
		int k = aionl_reap(ctx, c, 512, 1, NULL);

		assert_true(k > 0);
		for (int i = 0; i < k; i++) {
			assert_true(c[i].cookie < n);
			assert_int_equal(seen[c[i].cookie]++, 0);
			assert_true(c[i].res == 16);
		}
		got += k;
	}
	assert_int_equal(aionl_reap(ctx, c, 1, 0, NULL), 0);
}

/* Stop reaping while the limit is reached: -EBUSY, nothing lost. */
static void test_full_context_reports_ebusy_and_loses_nothing(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *ctx = open_ctx(1000);
	enum { N = 1000 };
	static char buf[16];
	struct aionl_req r[100];
	unsigned char *seen = calloc(N + 1, 1);
	uint64_t h;
	unsigned int sent = 0;

	assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
	while (sent < N) {
		for (int i = 0; i < 100; i++)
			aionl_req_read(&r[i], h, buf, sizeof(buf), 0, sent + i);
		int n = aionl_submit(ctx, r, 100);

		assert_true(n > 0);
		sent += n;
	}
	aionl_req_read(&r[0], h, buf, sizeof(buf), 0, N);
	assert_int_equal(aionl_submit(ctx, r, 1), -EBUSY);
	usleep(100000);
	assert_int_equal(aionl_submit(ctx, r, 1), -EBUSY);
	reap_all_once(ctx, seen, N);
	/* Reaping returned the credit. */
	assert_int_equal(aionl_submit(ctx, r, 1), 1);
	assert_true(wait_one(ctx).cookie == N);
	free(seen);
	aionl_ctx_close(ctx);
}

/* Tens of thousands submitted with no reaping; the engine holds them all. */
static void test_unreaped_flood_is_held_and_reaped_once(void **state)
{
	struct fixture *f = *state;
	enum { N = 50000 };
	struct aionl_ctx *ctx = open_ctx(N);
	static char buf[16];
	struct aionl_req *r = calloc(N, sizeof(*r));
	unsigned char *seen = calloc(N, 1);
	uint64_t h;

	assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
	for (unsigned int i = 0; i < N; i++)
		aionl_req_read(&r[i], h, buf, sizeof(buf), i % 4096, i);
	submit(ctx, r, N);
	/* Let the engine finish everything while nobody reaps. */
	usleep(300000);
	reap_all_once(ctx, seen, N);
	free(r);
	free(seen);
	aionl_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_context_reports_ebusy_and_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreaped_flood_is_held_and_reaped_once, setup, teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
