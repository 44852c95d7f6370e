/* SPDX-License-Identifier: MIT */
/*
 * Every event source through the one socket: timers, readiness, signals,
 * wake-ups, cancellation and per-request deadlines. Written against the
 * public API only and run per backend and executor, like the conformance
 * suite (AIONL_BACKEND, AIONL_EXECUTOR, AIONL_TEST_EXPECT). One binary per
 * topic (timers, readiness, signals, cancel); each runs its group on one
 * context, ctx, opened by the group setup below.
 *
 * Include first, after defining _GNU_SOURCE.
 */
#ifndef AIONL_TEST_EVENTS_COMMON_H
#define AIONL_TEST_EVENTS_COMMON_H

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

static inline int setup(void **state)
{
	struct aionl_params p = { 0 };
	const char *expect = getenv("AIONL_TEST_EXPECT");
	struct aionl_info info;
	char got[64];

	(void)state;
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
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

static inline int teardown(void **state)
{
	struct aionl_cqe c[16];

	(void)state;
	/* Nothing may be left over from a test. */
	assert_int_equal(aionl_reap(ctx, c, 16, 0, &(struct timespec){ 0, 20 * MS }), 0);
	aionl_ctx_close(ctx);
	return 0;
}

static inline uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline void submit1(struct aionl_req *r)
{
	if (aionl_submit(ctx, r, 1) != 1)
		fail_msg("aionl_submit: %s", aionl_error_message());
}

static inline struct aionl_cqe reap1(void)
{
	struct aionl_cqe c;

	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 10, 0 }), 1);
	return c;
}

/* Run a request whose completion comes at once; return it. */
static inline struct aionl_cqe run1(struct aionl_req *r)
{
	struct aionl_cqe c;

	submit1(r);
	c = reap1();
	assert_true(c.cookie == r->cookie);
	return c;
}

static inline uint64_t reg(int fd)
{
	uint64_t h;

	if (aionl_file_register(ctx, fd, &h))
		fail_msg("register: %s", aionl_error_message());
	return h;
}

#endif /* AIONL_TEST_EVENTS_COMMON_H */
