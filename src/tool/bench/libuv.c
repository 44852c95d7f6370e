// SPDX-License-Identifier: MIT
/* The bench contender for libuv's thread pool (uv_fs_read): built when libuv1-dev is there. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bench.h"

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

const struct bench_contender bench_libuv = {
	.name = "libuv", .sync = false, .open = uv_open, .submit = uv_submit, .reap = uv_reap,
	.close = uv_close_run,
};
