// SPDX-License-Identifier: MIT
/*
 * The user backend: the embedded engine (src/engine) on the other end of a
 * SOCK_SEQPACKET socketpair. Files travel to it as SCM_RIGHTS; inline reads
 * use its file table; its end of the pair rings the bell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib.h"
#include "engine_api.h"

static int start(struct aionl_ctx *ctx, const struct aionl_params *p, enum aionl_executor x)
{
	struct aionl_engine_params ep = {
		.executor = x,
		.max_inflight = p->max_inflight ? p->max_inflight : AIONL_DEFAULT_MAX_INFLIGHT,
		.workers = p->workers ? p->workers : AIONL_DEFAULT_WORKERS,
		.spin_ns = aionl__spin_ns(p),
		.direct = !(p->flags & AIONL_PARAMS_NO_DIRECT),
	};
	struct aionl_engine *e;
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return aionl__fail(-errno, "socketpair: %s", strerror(errno));
	ep.peer = sv[0];
	/* The program polls its end, which stays low; the engine's goes high. */
	err = aionl_engine_start(&e, aionl__fd_high(sv[1]), &ep);
	if (err) {
		close(sv[0]);
		return err;
	}
	ctx->fd = sv[0];
	ctx->backend = e;
	return 0;
}

/* With AUTO, io_uring first, and the worker pool if io_uring cannot serve here. */
static int user_open(struct aionl_ctx *ctx, const struct aionl_params *p, enum aionl_executor x,
		     char *why, size_t why_len)
{
	int err;

	if (x != AIONL_EXEC_AUTO)
		return start(ctx, p, x);
	err = start(ctx, p, AIONL_EXEC_URING);
	if (!err) {
		snprintf(why, why_len, "io_uring is available");
		return 0;
	}
	snprintf(why, why_len, "%s", aionl_error_message());
	return start(ctx, p, AIONL_EXEC_THREADS);
}

static void user_close(struct aionl_ctx *ctx)
{
	if (ctx->backend)
		aionl_engine_join(ctx->backend);
	ctx->backend = NULL;
}

static void user_forget(struct aionl_ctx *ctx)
{
	aionl_engine_forget(ctx->backend);
	ctx->backend = NULL;
}

static int user_probe(enum aionl_executor x)
{
	return x == AIONL_EXEC_URING ? aionl_uring_probe() : 0;
}

static void user_inline_begin(struct aionl_ctx *ctx)
{
	aionl_engine_inline_begin(ctx->backend);
}

static int user_inline_read(struct aionl_ctx *ctx, uint64_t handle, const struct iovec *iov,
			    unsigned int nr_iov, uint64_t offset, int64_t *res)
{
	return aionl_engine_try_read(ctx->backend, handle, iov, nr_iov, offset, res);
}

static void user_inline_end(struct aionl_ctx *ctx)
{
	aionl_engine_inline_end(ctx->backend);
}

/* On the worker that ran the request: into the queue, as an inline read's completion. */
static void user_direct_done(void *arg, uint64_t cookie, int64_t res)
{
	struct aionl_completion m = { .cookie = cookie, .res = res };

	rx_deliver(arg, &m, 1);
}

static bool user_direct(struct aionl_ctx *ctx, const struct aionl_req *r)
{
	struct iovec one = { r->buf, r->len };
	bool vec = r->op == AIONL_OP_READV || r->op == AIONL_OP_WRITEV;

	return aionl_engine_try_direct(ctx->backend, r->op, r->cookie, r->handle,
				       vec ? r->iov : &one, vec ? r->nr_iov : 1, r->offset,
				       user_direct_done, ctx);
}

static bool user_ring(struct aionl_ctx *ctx)
{
	return aionl_engine_ring(ctx->backend);
}

static bool user_is_bell(const struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	(void)ctx;
	return nlh->nlmsg_type == NLMSG_NOOP;
}

const struct backend_ops aionl__backend_user = {
	.kind = AIONL_BACKEND_USER,
	.open = user_open,
	.close = user_close,
	.forget = user_forget,
	.probe = user_probe,
	.pass_fd = true,
	.inline_begin = user_inline_begin,
	.inline_read = user_inline_read,
	.inline_end = user_inline_end,
	.direct = user_direct,
	.ring = user_ring,
	.is_bell = user_is_bell,
};
