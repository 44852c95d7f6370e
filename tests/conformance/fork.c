// SPDX-License-Identifier: MIT
/*
 * Conformance: fork. A context belongs to the process that opened it; in a
 * child the only call allowed on it is aionl_ctx_close, which releases the
 * child's copies and sends, cancels and waits for nothing; every other call
 * is -ECHILD. The parent's context must not notice the child at all.
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include "common.h"

#define MS 1000000ULL

/* Run fn in a child; it reports failure by its exit status and a message. */
static void in_child(int (*fn)(struct fixture *f), struct fixture *f)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(f));	/* no atexit handlers of the parent's test runner */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("the child died of signal %d", WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int child_only_closes(struct fixture *f)
{
	aionl_ctx_close(f->ctx);
	return 0;
}

#define CHECK_ECHILD(call)                                                              \
	do {                                                                            \
		long long got_ = (call);                                                \
		if (got_ != -ECHILD) {                                                  \
			fprintf(stderr, "child: %s gave %lld, not -ECHILD\n", #call, got_); \
			return 1;                                                       \
		}                                                                       \
	} while (0)

static int child_gets_echild(struct fixture *f)
{
	struct aionl_cqe c[4];
	struct aionl_req r;
	struct aionl_info info;
	uint64_t h;

	aionl_req_nop(&r, 99);
	CHECK_ECHILD(aionl_submit(f->ctx, &r, 1));
	CHECK_ECHILD(aionl_reap(f->ctx, c, 4, 0, NULL));
	CHECK_ECHILD(aionl_reap(f->ctx, c, 4, 1, NULL));
	CHECK_ECHILD(aionl_file_register(f->ctx, f->fd, &h));
	CHECK_ECHILD(aionl_file_unregister(f->ctx, f->h));
	CHECK_ECHILD(aionl_ctx_info(f->ctx, &info));
	CHECK_ECHILD(aionl_ctx_fd(f->ctx));
	CHECK_ECHILD(aionl_wake(f->ctx, 98));
	if (!strstr(aionl_error_message(), "after fork")) {
		fprintf(stderr, "child: message '%s' does not say why\n", aionl_error_message());
		return 1;
	}
	aionl_ctx_close(f->ctx);
	return 0;
}

/*
 * Regression: close in the child crashed on the threads executor. With a
 * read waiting on a pipe, a timer armed and reads in flight, the child
 * closes; then the parent's requests all complete, once each, and its
 * context takes new ones.
 */
static void test_a_child_may_close_and_the_parent_goes_on(void **state)
{
	struct fixture *f = *state;
	static char bufs[64][4096];
	struct aionl_req r[66];
	struct aionl_cqe c[70];
	bool seen[66] = { false };
	char pbuf[8];
	int p[2], got = 0;
	uint64_t ph;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(aionl_file_register(f->ctx, p[0], &ph), 0);
	aionl_req_read(&r[0], ph, pbuf, sizeof(pbuf), AIONL_OFFSET_STREAM, 0);
	aionl_req_timer(&r[1], CLOCK_MONOTONIC, 100 * MS, 0, 0, 1);
	for (int i = 2; i < 66; i++)
		aionl_req_read(&r[i], f->h, bufs[i - 2], 4096, (uint64_t)(i - 2) * 4096, i);
	submit(f->ctx, r, 66);
	in_child(child_only_closes, f);
	assert_int_equal(write(p[1], "parent", 6), 6);
	while (got < 66) {
		int n = aionl_reap(f->ctx, c, 70, 1, &(struct timespec){ 10, 0 });

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < 66);
			assert_false(seen[c[i].cookie]);
			seen[c[i].cookie] = true;
			assert_int_equal(c[i].res, c[i].cookie == 0 ? 6 : c[i].cookie == 1 ? 1 : 4096);
		}
		got += n;
	}
	assert_int_equal(aionl_reap(f->ctx, c, 70, 0, &(struct timespec){ 0, 50 * MS }), 0);
	aionl_req_read(&r[0], f->h, bufs[0], 4096, 0, 100);
	assert_int_equal(run(f->ctx, &r[0]), 4096);
	assert_int_equal(aionl_file_unregister(f->ctx, ph), 0);
	close(p[0]);
	close(p[1]);
}

/*
 * Regression: a child that reaped took the parent's completions. In the
 * child every call but close is -ECHILD, and the completion waiting for the
 * parent is still the parent's.
 */
static void test_a_child_gets_echild_and_takes_nothing(void **state)
{
	struct fixture *f = *state;
	struct aionl_req r;
	struct pollfd pfd = { .fd = aionl_ctx_fd(f->ctx), .events = POLLIN };

	aionl_req_nop(&r, 7);
	submit(f->ctx, &r, 1);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	in_child(child_gets_echild, f);
	assert_int_equal(wait_one(f->ctx).cookie, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_child_may_close_and_the_parent_goes_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_child_gets_echild_and_takes_nothing, setup,
						teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
