// SPDX-License-Identifier: MIT
/*
 * The direct path: a read or write that must block (a buffered write, which
 * ext4 will not do without waiting; on the threads executor, a read the page
 * cache cannot serve) goes from the submitting thread straight to a worker,
 * and the worker queues its completion in the library's completion queue
 * and rings the bell. The engine thread is never woken for it: at queue
 * depth 1 that is two wake-ups of four, the hops io_uring's io-wq does not
 * make either (docs/performance.md).
 *
 * The engine still answers for such a request as for its own:
 *  - cancel finds it (direct_cancel): not started, it completes -ECANCELED;
 *    running, it is counted and finishes with its real result;
 *  - a drain waits for it (engine_busy() asks pool_direct_busy());
 *  - close cancels what has not started and the pool's end runs the rest,
 *    each completing before aionl_engine_join returns;
 *  - at fork the pool's lists are held, so that the child drops each one's
 *    file and closes its copy of the descriptor.
 * The submitting thread neither allocates nor starts a thread here, nor
 * waits for anything but the pool's lock: a program may fork from a signal
 * handler that interrupted it (glibc's fork waits for malloc's locks). So a
 * request goes direct only with a worker idle, in one of the pool's
 * preallocated requests, and with one buffer (a vector's copy would need
 * memory); the rest is the engine's, which also starts workers.
 * The library takes it only for requests no chain or drain orders, and
 * never with AIONL_PARAMS_NO_DIRECT (src/lib/submit.c), which the engine
 * hears of too (params.direct): io_uring then makes no workers for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "engine.h"
#include "pool.h"

static void direct_finish(struct eng_req *r, int64_t res)
{
	r->done(r->done_arg, r->cookie, res);
}

int aionl_engine_try_direct(struct aionl_engine *e, uint8_t op, uint64_t cookie, uint64_t handle,
			    const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
			    aionl_engine_done_fn done, void *arg)
{
	struct eng_file *f = files_lookup(&e->files, handle);
	struct eng_pool *pool;
	struct eng_req *r;
	__u64 total;

	if ((op != AIONL_CMD_READ && op != AIONL_CMD_READV && !aionl_op_writes(op)) || nr_iov != 1)
		return 0;
	if (!f || aionl_rw_check(&f->caps, aionl_op_writes(op), offset, iov, nr_iov, &total) !=
			  AIONL_RW_AT_OFFSET)
		return 0;
	pool = e->exec->direct_pool(e, f, op);
	if (!pool)
		return 0;
	r = pool_direct_get(pool);
	if (!r)
		return 0;
	memset(r, 0, offsetof(struct eng_req, iov_inline));
	r->iov = r->iov_inline;
	r->iov_inline[0] = iov[0];
	r->nr_iov = nr_iov;
	r->op = op;
	r->cookie = cookie;
	r->offset = offset;
	r->file = f;	/* its reference is taken with the pool's lock: pool_push_direct */
	r->deadline.heap_idx = EV_NOT_ARMED;
	r->direct_done = direct_finish;
	r->done = done;
	r->done_arg = arg;
	pool_push_direct(pool, r);
	return 1;
}

struct direct_match {
	uint64_t target;
	struct eng_file *tfile;
	uint32_t flags;
};

static bool direct_matches(const struct eng_req *r, void *arg)
{
	const struct direct_match *m = arg;

	return aionl_cancel_matches(r->cookie, r->file, NULL, m->target, m->tfile, m->flags);
}

int64_t direct_cancel(struct aionl_engine *e, uint64_t target, struct eng_file *tfile,
		      uint32_t flags)
{
	struct direct_match m = { target, tfile, flags };

	return pool_cancel_direct(atomic_load(&e->dpool), direct_matches, &m);
}
