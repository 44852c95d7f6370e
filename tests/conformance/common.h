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
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
		p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
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

/* The filesystem the tests' files go on: AIONL_TEST_DIR (the VM runs on tmpfs and ext4), or /tmp. */
static inline const char *test_dir(void)
{
	return getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp";
}

/* A fresh directory test_dir()/NAME-XXXXXX into dir, for one test's files. */
static inline void scratch_dir(char *dir, size_t size, const char *name)
{
	snprintf(dir, size, "%s/%s-XXXXXX", test_dir(), name);
	assert_non_null(mkdtemp(dir));
}

/* Remove a scratch directory and everything in it. */
static inline void scratch_dir_remove(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The tests whose children open contexts of their own after fork start
 * threads after a multi-threaded fork, which ThreadSanitizer's runtime
 * cannot follow (docs/testing.md): they skip in its build, and run in the
 * plain and ASan ones.
 */
#ifdef __SANITIZE_THREAD__
#define SKIP_UNDER_TSAN() skip()
#else
#define SKIP_UNDER_TSAN() ((void)0)
#endif

/*
 * In a forked child: SIGXFSZ ignored, RLIMIT_FSIZE lowered to limit, and a
 * context of the child's own opened under it (_exit 10 to 12 if not).
 */
static inline struct aionl_ctx *child_ctx_under_fsize(rlim_t limit)
{
	struct aionl_params p = { 0 };
	struct aionl_ctx *ctx;
	struct rlimit rl;

	signal(SIGXFSZ, SIG_IGN);
	if (getrlimit(RLIMIT_FSIZE, &rl))
		_exit(10);
	rl.rlim_cur = limit;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		_exit(11);
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
	if (aionl_ctx_open(&ctx, &p))
		_exit(12);
	return ctx;
}

/* Reap exactly n completions (failing after 10 s), in the order they came. */
static inline void reap_n(struct aionl_ctx *ctx, struct aionl_cqe *c, unsigned int n)
{
	struct timespec ts = { 10, 0 };
	unsigned int got = 0;

	while (got < n) {
		int k = aionl_reap(ctx, c + got, n - got, n - got, &ts);

		if (k <= 0)
			fail_msg("reaped %u of %u completions (%d: %s)", got, n, k,
				 aionl_error_message());
		got += k;
	}
}

/* The index of cookie among c[0..n), failing unless it is there exactly once. */
static inline unsigned int once(const struct aionl_cqe *c, unsigned int n, uint64_t cookie)
{
	unsigned int i, at = n, seen = 0;

	for (i = 0; i < n; i++) {
		if (c[i].cookie == cookie) {
			seen++;
			at = i;
		}
	}
	if (seen != 1)
		fail_msg("cookie %llu completed %u times", (unsigned long long)cookie, seen);
	return at;
}

/* The result of cookie, which must be among c[0..n) exactly once. */
static inline int64_t res_of(const struct aionl_cqe *c, unsigned int n, uint64_t cookie)
{
	return c[once(c, n, cookie)].res;
}

#endif /* AIONL_TEST_CONFORMANCE_COMMON_H */
