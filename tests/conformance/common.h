/* SPDX-License-Identifier: MIT */
/*
 * The conformance suite: file AIO semantics, written only against the public
 * API (and raw bytes sent to aionl_ctx_fd() for malformed messages). It is
 * one binary per topic (files, transfers, backpressure, badinput), each with
 * this fixture. ctest runs every one once per backend and executor, chosen by
 * AIONL_BACKEND and AIONL_EXECUTOR; AIONL_TEST_EXPECT (e.g. "user+uring")
 * makes sure the run really got the backend it is named after.
 *
 * Include first, after defining _GNU_SOURCE.
 */
#ifndef AIONL_TEST_CONFORMANCE_COMMON_H
#define AIONL_TEST_CONFORMANCE_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "aionl.h"
#include "../testutil.h"

struct fixture {
	struct aionl_ctx *ctx;
	char path[256];
	int fd;			/* O_RDWR on path */
	uint64_t h;		/* its handle */
};

#define FILE_SIZE (1 << 20)

static inline unsigned char pattern(uint64_t off)
{
	return (unsigned char)(off * 131 + (off >> 12) * 7 + 1);
}

static inline struct aionl_ctx *open_ctx(unsigned int max_inflight)
{
	struct aionl_params p = { .max_inflight = max_inflight };

	/* The engine's own read path, which page-cache hits otherwise skip. */
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE;
	struct aionl_ctx *ctx = NULL;
	int err;

	err = aionl_ctx_open(&ctx, &p);
	if (err)
		fail_msg("aionl_ctx_open: %s", aionl_error_message());
	return ctx;
}

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned char *buf = malloc(FILE_SIZE);

	for (int i = 0; i < FILE_SIZE; i++)
		buf[i] = pattern(i);
	/* AIONL_TEST_DIR picks the filesystem: the VM runs on tmpfs and on ext4. */
	snprintf(f->path, sizeof(f->path), "%s/aionl-conf-XXXXXX",
		 getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp");
	f->fd = mkstemp(f->path);
	assert_true(f->fd >= 0);
	assert_int_equal(pwrite(f->fd, buf, FILE_SIZE, 0), FILE_SIZE);
	free(buf);
	f->ctx = open_ctx(0);
	assert_int_equal(aionl_file_register(f->ctx, f->fd, &f->h), 0);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	aionl_ctx_close(f->ctx);
	close(f->fd);
	unlink(f->path);
	free(f);
	return 0;
}

/* Submit all of reqs, failing the test on any error. */
static inline void submit(struct aionl_ctx *ctx, struct aionl_req *reqs, unsigned int nr)
{
	unsigned int done = 0;

	while (done < nr) {
		int n = aionl_submit(ctx, reqs + done, nr - done);

		if (n <= 0)
			fail_msg("aionl_submit: %d %s", n, aionl_error_message());
		done += n;
	}
}

static inline struct aionl_cqe wait_one(struct aionl_ctx *ctx)
{
	struct aionl_cqe c;
	int n = aionl_reap(ctx, &c, 1, 1, NULL);

	assert_int_equal(n, 1);
	return c;
}

/* Run one request to completion and return its result. */
static inline int64_t run(struct aionl_ctx *ctx, struct aionl_req *r)
{
	struct aionl_cqe c;

	submit(ctx, r, 1);
	c = wait_one(ctx);
	assert_true(c.cookie == r->cookie);
	return c.res;
}

#endif /* AIONL_TEST_CONFORMANCE_COMMON_H */
