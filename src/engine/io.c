// SPDX-License-Identifier: MIT
/*
 * Transfers and syncs: checked against their file by the protocol's rules,
 * then handed to the executor, or to the event sources for pipes and sockets.
 * Each completes exactly once, through engine_complete().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* The wire's iovec layout is {u64 base, u64 len}: struct iovec on LP64. */
_Static_assert(sizeof(struct iovec) == 16, "iovec is not {u64, u64}");

static struct eng_req *req_alloc(struct aionl_engine *e)
{
	struct eng_req *r = e->req_free;

	if (r)
		e->req_free = r->next;
	else
		r = malloc(sizeof(*r));
	return r;
}

static void req_recycle(struct aionl_engine *e, struct eng_req *r)
{
	if (r->iov != r->iov_inline)
		free(r->iov);
	free(r->path);
	r->path = NULL;
	free(r->open_path);
	r->open_path = NULL;
	r->next = e->req_free;
	e->req_free = r;
}

void io_free_recycled(struct aionl_engine *e)
{
	struct eng_req *r;

	while ((r = e->req_free)) {
		e->req_free = r->next;
		free(r);
	}
}

/* After fork, in the child (aionl_engine_forget): drop what was in flight. */
void io_forget_active(struct aionl_engine *e)
{
	struct eng_req *r;

	while ((r = e->active)) {
		e->active = r->anext;
		if (r->file)
			file_put(r->file);
		if (r->dst)
			file_put(r->dst);
		req_recycle(e, r);
	}
}

struct eng_req *io_req_new(struct aionl_engine *e, uint8_t op, uint64_t cookie,
			   struct eng_file *f)
{
	struct eng_req *r = req_alloc(e);

	if (!r)
		return NULL;
	r->iov = r->iov_inline;
	r->nr_iov = 0;
	r->path = NULL;
	r->open_path = NULL;
	r->open_probe = 0;
	r->waiting = false;
	r->cookie = cookie;
	r->file = f;
	if (f)
		file_get(f);
	r->dst = NULL;
	r->direct_done = NULL;	/* the engine's: completed through engine_complete() */
	r->offset = 0;
	r->op = op;
	r->timed_out = false;
	/* The ordered request a handler runs for, if any, is this one (order.c). */
	r->ord = order_take(e);
	r->deadline.heap_idx = EV_NOT_ARMED;
	r->aprev = NULL;
	r->anext = e->active;
	if (e->active)
		e->active->aprev = r;
	e->active = r;
	e->inflight++;
	return r;
}

/* r leaves e->active and is recycled; its completion is the caller's. */
static void io_req_end(struct aionl_engine *e, struct eng_req *r)
{
	if (r->aprev)
		r->aprev->anext = r->anext;
	else
		e->active = r->anext;
	if (r->anext)
		r->anext->aprev = r->aprev;
	if (r->file)
		file_put(r->file);
	if (r->dst)
		file_put(r->dst);
	e->inflight--;
	req_recycle(e, r);
}

void engine_complete(struct aionl_engine *e, struct eng_req *r, int64_t res)
{
	struct eng_ord *emit = e->order.emit;

	if (r->deadline.heap_idx != EV_NOT_ARMED)
		events_deadline_disarm(e, r);
	if (r->timed_out && (res == -ECANCELED || res == -EINTR))
		res = -ETIMEDOUT;
	/* Its completion, whatever res it reports, is an ordered request's end. */
	e->order.emit = r->ord;
	if (r->op == AIONL_CMD_OPEN) {
		/* Registers the file and completes it itself, or runs it on. */
		if (!open_done(e, r, res)) {
			e->order.emit = emit;
			return;
		}
	} else {
		engine_complete_cookie(e, r->cookie, res);
	}
	e->order.emit = emit;
	io_req_end(e, r);
}

/* Hand a checked request to the executor: it completes through engine_complete(). */
static void io_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, struct eng_file *f,
		     uint64_t offset, const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns)
{
	struct iovec *copy = nr_iov > 1 ? malloc(nr_iov * sizeof(*iov)) : NULL;
	struct eng_req *r;

	if (nr_iov > 1 && !copy) {
		engine_complete_cookie(e, cookie, -ENOMEM);
		return;
	}
	r = io_req_new(e, op, cookie, f);
	if (!r) {
		free(copy);
		engine_complete_cookie(e, cookie, -ENOMEM);
		return;
	}
	if (copy)
		r->iov = copy;
	if (nr_iov)
		memcpy(r->iov, iov, nr_iov * sizeof(*iov));
	r->nr_iov = nr_iov;
	r->offset = offset;
	if (timeout_ns)
		events_deadline_arm(e, r, timeout_ns);
	e->exec->queue(e, r);
}

/* A read or write, after its message was parsed. */
static void rw_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, uint64_t handle,
		     uint64_t offset, const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns)
{
	struct eng_file *f = order_lookup(e, handle);
	__u64 total;
	int how;

	how = f ? aionl_rw_check(&f->caps, aionl_op_writes(op), offset, iov, nr_iov, &total)
		: -EBADF;
	if (how < 0)
		engine_complete_cookie(e, cookie, how);
	else if (how == AIONL_RW_STREAM)
		stream_start(e, op, cookie, f, iov, nr_iov, timeout_ns);
	else
		io_start(e, op, cookie, f, offset, iov, nr_iov, timeout_ns);
}

int io_transfer(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_transfer m;
	struct iovec one;
	int err;

	if ((err = aionl_transfer_parse(nlh, &m, pe)))
		return err;
	one = (struct iovec){ (void *)(uintptr_t)m.addr, m.len };
	rw_start(e, aionl__genl_hdr(nlh)->cmd, m.cookie, m.handle, m.offset, &one, 1,
		 m.timeout_ns);
	return 0;
}

int io_transfer_v(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_transfer_v m;
	int err;

	if ((err = aionl_transfer_v_parse(nlh, &m, pe)))
		return err;
	{
		/* Copy out: the attribute payload is only 4-byte aligned. */
		uint32_t nr = m.iov_len / sizeof(struct iovec);
		struct iovec iov[nr];

		memcpy(iov, m.iov, m.iov_len);
		rw_start(e, aionl__genl_hdr(nlh)->cmd, m.cookie, m.handle, m.offset, iov, nr,
			 m.timeout_ns);
	}
	return 0;
}

int io_sync(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_sync m;
	struct eng_file *f;
	int err;

	if ((err = aionl_sync_parse(nlh, &m, pe)))
		return err;
	f = order_lookup(e, m.handle);
	if (!f)
		engine_complete_cookie(e, m.cookie, -EBADF);
	else
		io_start(e, aionl__genl_hdr(nlh)->cmd, m.cookie, f, 0, NULL, 0, 0);
	return 0;
}
