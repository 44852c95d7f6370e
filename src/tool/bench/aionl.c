// SPDX-License-Identifier: MIT
/* The bench contender for libaionl on each backend, as a program written from its documentation uses it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

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
		.spin_us = r->spin_us,
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

#define AIONL_CONTENDER(label, b, x, fl, spin, opt) {					\
	.name = label, .is_aionl = true, .backend = b, .executor = x, .flags = fl,	\
	.spin_us = spin, .opt_in = opt, .open = aionl_open, .submit = aionl_submit_ops,	\
	.reap = aionl_reap_ops, .close = aionl_close_run,				\
}

const struct bench_contender bench_aionl_kernel =
	AIONL_CONTENDER("aionl kernel", AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO, 0, 0, false);

/* The module's own path: every request crosses netlink. */
const struct bench_contender bench_aionl_kernel_only =
	AIONL_CONTENDER("aionl kernel-only", AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO,
			AIONL_PARAMS_NO_INLINE, 0, false);

const struct bench_contender bench_aionl_uring =
	AIONL_CONTENDER("aionl user+uring", AIONL_BACKEND_USER, AIONL_EXEC_URING, 0, 0, false);

const struct bench_contender bench_aionl_threads =
	AIONL_CONTENDER("aionl user+threads", AIONL_BACKEND_USER, AIONL_EXEC_THREADS, 0, 0, false);

/* The default with busy-polling off (spin_us -1): does spinning ever cost? (--nospin) */
const struct bench_contender bench_aionl_uring_nospin =
	AIONL_CONTENDER("aionl user+uring nospin", AIONL_BACKEND_USER, AIONL_EXEC_URING, 0, -1,
			true);

const struct bench_contender bench_aionl_threads_nospin =
	AIONL_CONTENDER("aionl user+threads nospin", AIONL_BACKEND_USER, AIONL_EXEC_THREADS, 0, -1,
			true);
