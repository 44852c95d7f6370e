/* SPDX-License-Identifier: MIT */
/*
 * aionl bench: one driver, many contenders. Each contender only knows how to
 * start a batch of operations and how to wait for some to finish; the driver
 * keeps the queue depth, chooses the offsets and measures.
 */
#ifndef AIONL_BENCH_H
#define AIONL_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "aionl.h"
#include "../tool.h"

struct bench_op {
	uint64_t off;
	uint64_t t_submit;	/* ns, CLOCK_MONOTONIC */
	int64_t res;
	char *buf;
	unsigned int idx;
	void *priv;		/* the contender's per-op state */
};

struct bench_run {
	int fd;
	unsigned int qd;
	unsigned int bs;
	bool write;
	struct bench_op *ops;	/* qd of them */
	void *priv;		/* the contender's state */
	/* aionl contenders */
	enum aionl_backend backend;
	enum aionl_executor executor;
	unsigned int flags;	/* AIONL_PARAMS_* */
	int spin_us;		/* aionl_params.spin_us */
	unsigned int nfiles;	/* files to register (default 1) */
	uint64_t *handles;	/* one per registered file; ops spread over them */
	unsigned int nhandles;
};

struct bench_contender {
	const char *name;
	bool is_aionl;
	bool sync;		/* runs at queue depth 1 whatever is asked */
	enum aionl_backend backend;
	enum aionl_executor executor;
	unsigned int flags;	/* AIONL_PARAMS_* */
	int spin_us;		/* aionl_params.spin_us: -1 never busy-polls */
	bool opt_in;		/* measured only when asked (--nospin) */
	/* 0 or -errno, with a message on stderr naming the reason. */
	int (*open)(struct bench_run *r);
	/* Start n operations; their off, buf and t_submit are set. */
	int (*submit)(struct bench_run *r, struct bench_op **ops, unsigned int n);
	/* Wait for at least one to finish; store up to max in done, res set. */
	int (*reap)(struct bench_run *r, struct bench_op **done, unsigned int max);
	void (*close)(struct bench_run *r);
};

/* Each contender in its own file (bench/<name>.c). */
extern const struct bench_contender bench_aionl_kernel, bench_aionl_kernel_only,
	bench_aionl_uring, bench_aionl_threads, bench_aionl_uring_nospin,
	bench_aionl_threads_nospin, bench_io_uring, bench_libaio, bench_posix_aio,
	bench_libuv, bench_pread;

/* Every contender this build has, in display order; NULL-terminated. */
extern const struct bench_contender *const bench_contenders[];

uint64_t bench_now_ns(void);

#endif /* AIONL_BENCH_H */
