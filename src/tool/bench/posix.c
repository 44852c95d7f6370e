// SPDX-License-Identifier: MIT
/* The bench contender for glibc's POSIX AIO, a thread pool behind aio_read. */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

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

const struct bench_contender bench_posix_aio = {
	.name = "posix aio", .sync = false, .open = posix_open, .submit = posix_submit, .reap = posix_reap,
	.close = posix_close,
};
