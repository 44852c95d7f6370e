// SPDX-License-Identifier: MIT
/* The bench contender for a plain pread loop: queue depth 1, the latency floor. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

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

const struct bench_contender bench_pread = {
	.name = "pread", .sync = true, .open = sync_open, .submit = sync_submit, .reap = sync_reap,
	.close = sync_close,
};
