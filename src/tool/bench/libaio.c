// SPDX-License-Identifier: MIT
/* The bench contender for libaio (io_submit): built when libaio-dev is there. */
#define _GNU_SOURCE
#include <errno.h>
#include <libaio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

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

const struct bench_contender bench_libaio = {
	.name = "libaio", .sync = false, .open = libaio_open, .submit = libaio_submit, .reap = libaio_reap,
	.close = libaio_close,
};
