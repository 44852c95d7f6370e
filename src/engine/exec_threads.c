// SPDX-License-Identifier: MIT
/*
 * Worker-pool executor, for where io_uring is blocked. Reads that the page
 * cache can serve run inline on the engine thread (preadv2 with RWF_NOWAIT),
 * the rest go to blocking workers. Workers hand results back through a list
 * and one eventfd write per batch, not per request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "engine.h"
#include "pool.h"

struct threads_priv {
	struct eng_pool *pool;
	/* Requests queued since the last wait. */
	struct eng_req *batch_head, *batch_tail;
	unsigned int batch_len;
};

static int threads_init(struct aionl_engine *e)
{
	struct threads_priv *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return aionl__fail(-ENOMEM, "out of memory for the worker pool");
	err = pool_new(&t->pool, e->params.workers);
	if (err) {
		free(t);
		return err;
	}
	e->exec_priv = t;
	atomic_store(&e->dpool, t->pool);
	return 0;
}

static void threads_fini(struct aionl_engine *e)
{
	struct threads_priv *t = e->exec_priv;

	pool_free(t->pool);
	free(t);
}

/* The workers are not in the child; their requests are e->active's. */
static void threads_forget(struct aionl_engine *e)
{
	struct threads_priv *t = e->exec_priv;

	pool_forget(t->pool, e->dpool_whole);
	free(t);
}

static size_t iov_total(const struct eng_req *r)
{
	size_t total = 0;
	uint32_t i;

	for (i = 0; i < r->nr_iov; i++)
		total += r->iov[i].iov_len;
	return total;
}

static void threads_queue(struct aionl_engine *e, struct eng_req *r)
{
	struct threads_priv *t = e->exec_priv;

	if ((r->op == AIONL_CMD_READ || r->op == AIONL_CMD_READV) && r->file &&
	    atomic_load_explicit(&r->file->nowait_ok, memory_order_relaxed)) {
		ssize_t n = preadv2(r->file->fd, r->iov, r->nr_iov, r->offset, RWF_NOWAIT);

		/* A short read may be a partly cached range: let a worker finish it. */
		if (n >= 0 && (size_t)n == iov_total(r)) {
			engine_complete(e, r, n);
			return;
		}
		if (n < 0 && errno == EOPNOTSUPP)
			atomic_store_explicit(&r->file->nowait_ok, false, memory_order_relaxed);
	}
	r->next = NULL;
	if (t->batch_tail)
		t->batch_tail->next = r;
	else
		t->batch_head = r;
	t->batch_tail = r;
	t->batch_len++;
}

static int threads_wait(struct aionl_engine *e, bool want_in, bool want_out, bool block)
{
	struct threads_priv *t = e->exec_priv;
	struct pollfd p[3] = {
		{ .fd = want_in || want_out ? e->sock : -1,
		  .events = (want_in ? POLLIN : 0) | (want_out ? POLLOUT : 0) },
		{ .fd = pool_fd(t->pool), .events = POLLIN },
		{ .fd = e->epfd, .events = POLLIN },
	};
	struct eng_req *r, *next;

	if (t->batch_head) {
		pool_push(t->pool, t->batch_head, t->batch_tail, t->batch_len);
		t->batch_head = t->batch_tail = NULL;
		t->batch_len = 0;
	}
	if (poll(p, 3, block ? -1 : 0) < 0)
		return 0;
	if (p[2].revents & POLLIN)
		e->events_ready = true;
	if (!block)
		p[0].revents |= p[0].events;
	if (p[1].revents & POLLIN) {
		for (r = pool_take_done(t->pool); r; r = next) {
			next = r->next;
			engine_complete(e, r, r->res);
		}
		pool_grow(t->pool);
	}
	return p[0].revents;
}

/* A request no worker has taken yet is cancelled; a running one finishes. */
static void threads_cancel(struct aionl_engine *e, struct eng_req *r)
{
	struct threads_priv *t = e->exec_priv;

	if (pool_unlink(&t->batch_head, &t->batch_tail, r)) {
		t->batch_len--;
		engine_complete(e, r, -ECANCELED);
		return;
	}
	if (pool_unqueue(t->pool, r))
		engine_complete(e, r, -ECANCELED);
}

/* Every transfer at an offset blocks a worker here: all of them may go direct. */
static struct eng_pool *threads_direct_pool(struct aionl_engine *e, const struct eng_file *f,
					    uint8_t op)
{
	struct threads_priv *t = e->exec_priv;

	(void)f;
	(void)op;
	return t->pool;
}

const struct exec_ops aionl_exec_threads = {
	.name = "threads",
	.kind = AIONL_EXEC_THREADS,
	.init = threads_init,
	.fini = threads_fini,
	.forget = threads_forget,
	.queue = threads_queue,
	.cancel = threads_cancel,
	.wait = threads_wait,
	.direct_pool = threads_direct_pool,
};
