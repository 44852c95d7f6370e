// SPDX-License-Identifier: MIT
/*
 * Readiness: POLL watches of registered descriptors, and reads and writes on
 * pipes and sockets (AIONL_OFFSET_STREAM), which wait until the descriptor is
 * ready and then move what they can without blocking.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>

#include "engine.h"

/* The protocol's poll bits are poll(2)'s, which epoll shares. */
_Static_assert((int)AIONL_POLL_IN == (int)EPOLLIN && (int)AIONL_POLL_OUT == (int)EPOLLOUT &&
	       (int)AIONL_POLL_ERR == (int)EPOLLERR && (int)AIONL_POLL_HUP == (int)EPOLLHUP,
	       "the protocol's poll bits are not epoll's");

int ev_poll(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_poll m;
	struct eng_file *f;
	struct eng_watch *w;
	int err;

	if ((err = aionl_poll_parse(nlh, &m, pe)))
		return err;
	f = files_lookup(&e->files, m.handle);
	if (!f) {
		engine_complete_cookie(e, m.cookie, -EBADF);
		return 0;
	}
	w = watch_new(e, W_POLL, m.cookie);
	if (!w) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	w->file = f;
	file_get(f);
	w->events = m.events;
	w->flags = m.flags;
	/* Multishot fires at every edge; one-shot once, as io_uring's poll. */
	err = watch_epoll(e, w, m.events | AIONL_POLL_ALWAYS |
			  (m.flags & AIONL_POLL_MULTISHOT ? EPOLLET : EPOLLONESHOT));
	/* -EPERM: a regular file, always ready, does not poll. */
	if (err)
		watch_complete(e, w, err);
	return 0;
}

void poll_ready(struct aionl_engine *e, struct eng_watch *w, uint32_t revents)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK, .cookie = w->cookie,
		.res = revents & AIONL_POLL_EVENT_MASK,
	};
	void *res;

	if (!(w->flags & AIONL_POLL_MULTISHOT)) {
		watch_complete(e, w, m.res);
		return;
	}
	/* While its last completion is unsent, new events merge into it, as the module's do. */
	res = outq_at(&e->out, w->pending);
	if (res) {
		int64_t v;

		memcpy(&v, res, sizeof(v));
		v |= m.res;
		memcpy(res, &v, sizeof(v));
		e->work++;
		return;
	}
	m.present |= 1ULL << AIONL_A_COMPLETION_FLAGS;
	m.flags = AIONL_CQE_F_MORE;
	w->pending = engine_put_completion(e, &m);
}

/* ------------------------------------------------------------ streams */

static uint32_t stream_events(uint8_t op)
{
	return (aionl_op_writes(op) ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT;
}

void stream_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, struct eng_file *f,
		 const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns)
{
	struct eng_watch *w = watch_new(e, W_STREAM, cookie);
	int err;

	if (!w) {
		engine_complete_cookie(e, cookie, -ENOMEM);
		return;
	}
	w->op = op;
	w->file = f;
	file_get(f);
	if (nr_iov > 1) {
		w->iov = malloc(nr_iov * sizeof(*iov));
		if (!w->iov) {
			w->iov = w->iov_inline;
			watch_complete(e, w, -ENOMEM);
			return;
		}
	}
	memcpy(w->iov, iov, nr_iov * sizeof(*iov));
	w->nr_iov = nr_iov;
	err = watch_epoll(e, w, stream_events(op));
	if (!err && timeout_ns) {
		w->timer.clock = (uint8_t)aionl_clock_index(AIONL_TIMER_CLOCK_MONOTONIC);
		w->timer.expiry = timer_clock_now(w->timer.clock) + timeout_ns;
		err = timer_arm(e, &w->timer);
	}
	if (err)
		watch_complete(e, w, err);
}

void stream_ready(struct aionl_engine *e, struct eng_watch *w)
{
	ssize_t n;

	n = aionl_op_writes(w->op) ? pwritev2(w->fd, w->iov, (int)w->nr_iov, -1, RWF_NOWAIT)
				   : preadv2(w->fd, w->iov, (int)w->nr_iov, -1, RWF_NOWAIT);
	if (n < 0 && errno == EAGAIN) {
		/* Readiness without data (another reader won): wait again. */
		struct epoll_event ev = { .events = stream_events(w->op), .data.ptr = w };

		epoll_ctl(e->epfd, EPOLL_CTL_MOD, w->fd, &ev);
		return;
	}
	watch_complete(e, w, n < 0 ? -errno : n);
}
