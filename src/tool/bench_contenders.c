// SPDX-License-Identifier: MIT
/*
 * The contenders of aionl bench: libaionl on each backend, raw io_uring,
 * libaio, glibc POSIX AIO, libuv's thread pool and a plain pread loop. Each is
 * written the way its own documentation suggests, without tricks the others
 * could not use.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <libaio.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ------------------------------------------------------------ libaionl */

struct aionl_state {
	struct aionl_ctx *ctx;
	struct aionl_req *reqs;
	struct aionl_cqe *cqes;
};

static void aionl_close_run(struct bench_run *r);

static int aionl_open(struct bench_run *r)
{
	struct aionl_params p = {
		.backend = r->backend,
		.executor = r->executor,
		.flags = r->flags,
		.max_inflight = r->qd < 4096 ? 4096 : r->qd,
	};
	struct aionl_state *s = calloc(1, sizeof(*s));
	int err;

	s->reqs = calloc(r->qd, sizeof(*s->reqs));
	s->cqes = calloc(r->qd, sizeof(*s->cqes));
	err = aionl_ctx_open(&s->ctx, &p);
	if (err) {
		fprintf(stderr, "aionl bench: %s\n", aionl_error_message());
		free(s->reqs);
		free(s->cqes);
		free(s);
		return err;
	}
	r->priv = s;
	/* The files-scaling figure registers many; ops spread over them. */
	r->nhandles = r->nfiles ? r->nfiles : 1;
	r->handles = malloc(r->nhandles * sizeof(uint64_t));
	for (unsigned int i = 0; i < r->nhandles; i++) {
		err = aionl_file_register(s->ctx, r->fd, &r->handles[i]);
		if (err) {
			fprintf(stderr, "aionl bench: registering file %u: %s\n", i,
				aionl_error_message());
			aionl_close_run(r);
			return err;
		}
	}
	return 0;
}

static int aionl_submit_ops(struct bench_run *r, struct bench_op **ops, unsigned int n)
{
	struct aionl_state *s = r->priv;
	unsigned int i, done = 0;

	for (i = 0; i < n; i++) {
		uint64_t h = r->handles[r->nhandles > 1 ? ops[i]->off / r->bs % r->nhandles : 0];

		if (r->write)
			aionl_req_write(&s->reqs[i], h, ops[i]->buf, r->bs, ops[i]->off, ops[i]->idx);
		else
			aionl_req_read(&s->reqs[i], h, ops[i]->buf, r->bs, ops[i]->off, ops[i]->idx);
	}
	while (done < n) {
		int k = aionl_submit(s->ctx, s->reqs + done, n - done);

		if (k < 0) {
			fprintf(stderr, "aionl bench: %s\n", aionl_error_message());
			return k;
		}
		done += k;
	}
	return 0;
}

static int aionl_reap_ops(struct bench_run *r, struct bench_op **done, unsigned int max)
{
	struct aionl_state *s = r->priv;
	int n = aionl_reap(s->ctx, s->cqes, max, 1, NULL), i;

	if (n < 0) {
		fprintf(stderr, "aionl bench: %s\n", aionl_error_message());
		return n;
	}
	for (i = 0; i < n; i++) {
		done[i] = &r->ops[s->cqes[i].cookie];
		done[i]->res = s->cqes[i].res;
	}
	return n;
}

static void aionl_close_run(struct bench_run *r)
{
	struct aionl_state *s = r->priv;

	aionl_ctx_close(s->ctx);
	free(s->reqs);
	free(s->cqes);
	free(s);
	free(r->handles);
	r->handles = NULL;
	r->nhandles = 0;
}

/* ------------------------------------------------------------ io_uring */

static int uring_open(struct bench_run *r)
{
	struct io_uring *ring = malloc(sizeof(*ring));
	int err = io_uring_queue_init(r->qd < 8 ? 8 : r->qd, ring, 0);

	if (err) {
		fprintf(stderr, "aionl bench: io_uring_queue_init: %s\n", strerror(-err));
		free(ring);
		return err;
	}
	r->priv = ring;
	return 0;
}

static int uring_submit(struct bench_run *r, struct bench_op **ops, unsigned int n)
{
	struct io_uring *ring = r->priv;
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (r->write)
			io_uring_prep_write(sqe, r->fd, ops[i]->buf, r->bs, ops[i]->off);
		else
			io_uring_prep_read(sqe, r->fd, ops[i]->buf, r->bs, ops[i]->off);
		io_uring_sqe_set_data(sqe, ops[i]);
	}
	err = io_uring_submit(ring);
	return err < 0 ? err : 0;
}

static int uring_reap(struct bench_run *r, struct bench_op **done, unsigned int max)
{
	struct io_uring *ring = r->priv;
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	int err = io_uring_wait_cqe(ring, &cqe);

	if (err)
		return err;
	io_uring_for_each_cqe(ring, head, cqe) {
		if (n == max)
			break;
		done[n] = io_uring_cqe_get_data(cqe);
		done[n++]->res = cqe->res;
	}
	io_uring_cq_advance(ring, n);
	return (int)n;
}

static void uring_close(struct bench_run *r)
{
	io_uring_queue_exit(r->priv);
	free(r->priv);
}

/* ------------------------------------------------------------ libaio */

struct libaio_state {
	io_context_t ctx;
	struct iocb *iocbs;
	struct iocb **ptrs;
	struct io_event *events;
};

static int libaio_open(struct bench_run *r)
{
	struct libaio_state *s = calloc(1, sizeof(*s));
	int err = io_setup(r->qd, &s->ctx);

	if (err) {
		fprintf(stderr, "aionl bench: io_setup: %s\n", strerror(-err));
		free(s);
		return err;
	}
	s->iocbs = calloc(r->qd, sizeof(*s->iocbs));
	s->ptrs = calloc(r->qd, sizeof(*s->ptrs));
	s->events = calloc(r->qd, sizeof(*s->events));
	r->priv = s;
	return 0;
}

static int libaio_submit(struct bench_run *r, struct bench_op **ops, unsigned int n)
{
	struct libaio_state *s = r->priv;
	unsigned int i, done = 0;

	for (i = 0; i < n; i++) {
		struct iocb *cb = &s->iocbs[ops[i]->idx];

		if (r->write)
			io_prep_pwrite(cb, r->fd, ops[i]->buf, r->bs, ops[i]->off);
		else
			io_prep_pread(cb, r->fd, ops[i]->buf, r->bs, ops[i]->off);
		cb->data = ops[i];
		s->ptrs[i] = cb;
	}
	while (done < n) {
		int k = io_submit(s->ctx, n - done, s->ptrs + done);

		if (k < 0)
			return k;
		done += k;
	}
	return 0;
}

static int libaio_reap(struct bench_run *r, struct bench_op **done, unsigned int max)
{
	struct libaio_state *s = r->priv;
	int n, i;

	do {
		n = io_getevents(s->ctx, 1, max, s->events, NULL);
	} while (n == -EINTR);
	for (i = 0; i < n; i++) {
		done[i] = s->events[i].data;
		done[i]->res = (int64_t)s->events[i].res;
	}
	return n;
}

static void libaio_close(struct bench_run *r)
{
	struct libaio_state *s = r->priv;

	io_destroy(s->ctx);
	free(s->iocbs);
	free(s->ptrs);
	free(s->events);
	free(s);
}

/* ------------------------------------------------------------ POSIX AIO */

struct posix_state {
	struct aiocb *cbs;
	const struct aiocb **inflight;	/* aio_suspend's list */
	unsigned int ninflight;
};

static int posix_open(struct bench_run *r)
{
	struct posix_state *s = calloc(1, sizeof(*s));

	s->cbs = calloc(r->qd, sizeof(*s->cbs));
	s->inflight = calloc(r->qd, sizeof(*s->inflight));
	r->priv = s;
	return 0;
}

static int posix_submit(struct bench_run *r, struct bench_op **ops, unsigned int n)
{
	struct posix_state *s = r->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct aiocb *cb = &s->cbs[ops[i]->idx];

		memset(cb, 0, sizeof(*cb));
		cb->aio_fildes = r->fd;
		cb->aio_buf = ops[i]->buf;
		cb->aio_nbytes = r->bs;
		cb->aio_offset = ops[i]->off;
		cb->aio_sigevent.sigev_notify = SIGEV_NONE;
		if ((r->write ? aio_write(cb) : aio_read(cb)) < 0)
			return -errno;
		s->inflight[s->ninflight++] = cb;
	}
	return 0;
}

static int posix_reap(struct bench_run *r, struct bench_op **done, unsigned int max)
{
	struct posix_state *s = r->priv;
	unsigned int i = 0, n = 0;

	while (aio_suspend(s->inflight, s->ninflight, NULL) < 0 && errno == EINTR)
		;
	while (i < s->ninflight && n < max) {
		struct aiocb *cb = (struct aiocb *)s->inflight[i];

		if (aio_error(cb) == EINPROGRESS) {
			i++;
			continue;
		}
		done[n] = &r->ops[cb - s->cbs];
		done[n++]->res = aio_return(cb) < 0 ? -aio_error(cb) : (int64_t)cb->aio_nbytes;
		s->inflight[i] = s->inflight[--s->ninflight];
	}
	return (int)n;
}

static void posix_close(struct bench_run *r)
{
	struct posix_state *s = r->priv;

	free(s->cbs);
	free(s->inflight);
	free(s);
}

/* ------------------------------------------------------------ libuv */

struct uv_state {
	uv_loop_t loop;
	uv_fs_t *reqs;
	struct bench_op **done;
	unsigned int ndone;
};

static int uv_open(struct bench_run *r)
{
	struct uv_state *s = calloc(1, sizeof(*s));
	int err = uv_loop_init(&s->loop);

	if (err) {
		fprintf(stderr, "aionl bench: uv_loop_init: %s\n", uv_strerror(err));
		free(s);
		return err;
	}
	s->reqs = calloc(r->qd, sizeof(*s->reqs));
	s->done = calloc(r->qd, sizeof(*s->done));
	r->priv = s;
	return 0;
}

static void uv_done_cb(uv_fs_t *req)
{
	struct bench_op *op = req->data;
	struct uv_state *s = op->priv;

	op->res = req->result;
	s->done[s->ndone++] = op;
	uv_fs_req_cleanup(req);
}

static int uv_submit(struct bench_run *r, struct bench_op **ops, unsigned int n)
{
	struct uv_state *s = r->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uv_fs_t *req = &s->reqs[ops[i]->idx];
		uv_buf_t b = uv_buf_init(ops[i]->buf, r->bs);
		int err;

		req->data = ops[i];
		ops[i]->priv = s;
		err = r->write ? uv_fs_write(&s->loop, req, r->fd, &b, 1, ops[i]->off, uv_done_cb)
			       : uv_fs_read(&s->loop, req, r->fd, &b, 1, ops[i]->off, uv_done_cb);
		if (err)
			return err;
	}
	return 0;
}

static int uv_reap(struct bench_run *r, struct bench_op **done, unsigned int max)
{
	struct uv_state *s = r->priv;
	unsigned int n;

	while (!s->ndone)
		uv_run(&s->loop, UV_RUN_ONCE);
	n = s->ndone < max ? s->ndone : max;
	memcpy(done, s->done + s->ndone - n, n * sizeof(*done));
	s->ndone -= n;
	return (int)n;
}

static void uv_close_run(struct bench_run *r)
{
	struct uv_state *s = r->priv;

	uv_run(&s->loop, UV_RUN_DEFAULT);
	uv_loop_close(&s->loop);
	free(s->reqs);
	free(s->done);
	free(s);
}

/* ------------------------------------------------------------ pread */

struct sync_state {
	struct bench_op *done;
};

static int sync_open(struct bench_run *r)
{
	r->priv = calloc(1, sizeof(struct sync_state));
	return 0;
}

static int sync_submit(struct bench_run *r, struct bench_op **ops, unsigned int n)
{
	struct sync_state *s = r->priv;
	ssize_t k;

	if (n != 1 || s->done)
		return -EINVAL;
	k = r->write ? pwrite(r->fd, ops[0]->buf, r->bs, ops[0]->off)
		     : pread(r->fd, ops[0]->buf, r->bs, ops[0]->off);
	ops[0]->res = k < 0 ? -errno : k;
	s->done = ops[0];
	return 0;
}

static int sync_reap(struct bench_run *r, struct bench_op **done, unsigned int max)
{
	struct sync_state *s = r->priv;

	done[0] = s->done;
	s->done = NULL;
	return 1;
}

static void sync_close(struct bench_run *r)
{
	free(r->priv);
}

const struct bench_contender bench_contenders[] = {
	{ "aionl kernel", true, false, AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO, 0,
	  aionl_open, aionl_submit_ops, aionl_reap_ops, aionl_close_run },
	/* The module's own path: every request crosses netlink. */
	{ "aionl kernel-only", true, false, AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO,
	  AIONL_PARAMS_NO_INLINE, aionl_open, aionl_submit_ops, aionl_reap_ops, aionl_close_run },
	{ "aionl user+uring", true, false, AIONL_BACKEND_USER, AIONL_EXEC_URING, 0,
	  aionl_open, aionl_submit_ops, aionl_reap_ops, aionl_close_run },
	{ "aionl user+threads", true, false, AIONL_BACKEND_USER, AIONL_EXEC_THREADS, 0,
	  aionl_open, aionl_submit_ops, aionl_reap_ops, aionl_close_run },
	{ "io_uring", false, false, 0, 0, 0, uring_open, uring_submit, uring_reap, uring_close },
	{ "libaio", false, false, 0, 0, 0, libaio_open, libaio_submit, libaio_reap, libaio_close },
	{ "posix aio", false, false, 0, 0, 0, posix_open, posix_submit, posix_reap, posix_close },
	{ "libuv", false, false, 0, 0, 0, uv_open, uv_submit, uv_reap, uv_close_run },
	{ "pread", false, true, 0, 0, 0, sync_open, sync_submit, sync_reap, sync_close },
	{ NULL },
};
