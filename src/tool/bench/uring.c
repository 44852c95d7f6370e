// SPDX-License-Identifier: MIT
/* The bench contender for raw io_uring through liburing: the bar. */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

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

const struct bench_contender bench_io_uring = {
	.name = "io_uring", .sync = false, .open = uring_open, .submit = uring_submit, .reap = uring_reap,
	.close = uring_close,
};
