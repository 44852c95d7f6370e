// SPDX-License-Identifier: MIT
/*
 * What the engine waits for itself, the same for both executors: the watch
 * machinery the event sources share (timers.c, readiness.c, signals.c), the
 * epoll set that carries them, per-request deadlines, NOP and cancellation.
 *
 * Everything hangs off one epoll set (e->epfd) that the executor's wait
 * watches next to the engine socket: each clock's timerfd, the signalfd, and
 * a dup of every watched descriptor, so two watches of one file never
 * collide. Everything here runs on the engine thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "engine.h"

/* Events one epoll_wait takes; more simply wait for the next turn. */
#define EPOLL_BATCH 64

/* ------------------------------------------------------------ watches */

struct eng_watch *watch_new(struct aionl_engine *e, enum eng_watch_kind kind, uint64_t cookie)
{
	struct eng_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->kind = kind;
	w->cookie = cookie;
	w->fd = -1;
	w->iov = w->iov_inline;
	w->timer.heap_idx = EV_NOT_ARMED;
	w->timer.owner_kind = EV_OWNER_WATCH;
	w->timer.owner = w;
	/* A stream transfer an ordered request started (order.c). */
	w->ord = order_take(e);
	w->next = e->watches;
	if (e->watches)
		e->watches->prev = w;
	e->watches = w;
	e->nwatches++;
	return w;
}

/*
 * Take w out of everything; its final completion is the caller's. While
 * events_dispatch() walks a batch that may still name w, w is only marked
 * dead and freed at the end of the batch.
 */
void watch_free(struct aionl_engine *e, struct eng_watch *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		e->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	e->nwatches--;
	timer_disarm(e, &w->timer);
	if (w->fd >= 0) {
		/* The dup shares its open file: closing it alone would not leave the set. */
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		close(w->fd);
		w->fd = -1;
	}
	if (w->file)
		file_put(w->file);
	w->file = NULL;
	if (w->iov != w->iov_inline)
		free(w->iov);
	w->iov = w->iov_inline;
	if (w->kind == W_SIGNAL) {
		w->sigmask = 0;
		free(w->sig_unsent);
		w->sig_unsent = NULL;
		signals_update(e);
	}
	if (e->dispatching) {
		w->dead = true;
		w->next = e->graveyard;
		e->graveyard = w;
		return;
	}
	free(w);
}

void watch_complete(struct aionl_engine *e, struct eng_watch *w, int64_t res)
{
	struct eng_ord *emit = e->order.emit;

	e->order.emit = w->ord;
	engine_complete_cookie(e, w->cookie, res);
	e->order.emit = emit;
	watch_free(e, w);
}

/* Add a dup of the watched file to the epoll set, so that each watch is its own entry. */
int watch_epoll(struct aionl_engine *e, struct eng_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = aionl__dup_high(w->file->fd);
	if (w->fd < 0)
		return -errno;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------ deadlines */

void events_deadline_arm(struct aionl_engine *e, struct eng_req *r, uint64_t timeout_ns)
{
	r->deadline.clock = (uint8_t)aionl_clock_index(AIONL_TIMER_CLOCK_MONOTONIC);
	r->deadline.owner_kind = EV_OWNER_REQ;
	r->deadline.owner = r;
	r->deadline.expiry = timer_clock_now(r->deadline.clock) + timeout_ns;
	timer_arm(e, &r->deadline);
}

void events_deadline_disarm(struct aionl_engine *e, struct eng_req *r)
{
	timer_disarm(e, &r->deadline);
}

/* ------------------------------------------------------------ NOP and cancel */

int ev_nop(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_nop m;
	int err = aionl_nop_parse(nlh, &m, pe);

	if (!err)
		engine_complete_cookie(e, m.cookie, 0);
	return err;
}

/*
 * Watches end at once with -ECANCELED; executor requests finish once,
 * cancelled if not started, else with their real result. Returns how many
 * were found. closing: the context is closing, and OPENs are interrupted
 * where they wait if the executor can (open.c).
 */
static int64_t cancel_matching(struct aionl_engine *e, uint64_t target, uint32_t flags,
			       bool closing)
{
	struct eng_file *tfile = NULL;
	struct eng_watch *w, *wn;
	struct eng_req *r, *rn;
	int64_t found = 0;

	if (flags & AIONL_CANCEL_HANDLE) {
		tfile = files_lookup(&e->files, target);
		if (!tfile)
			return -EBADF;
	}
	/* Requests held by ordering first: none of them has started. */
	found += order_cancel(e, target, tfile, flags);
	found += direct_cancel(e, target, tfile, flags);
	for (w = e->watches; w; w = wn) {
		wn = w->next;
		if (aionl_cancel_matches(w->cookie, w->file, NULL, target, tfile, flags)) {
			found++;
			watch_complete(e, w, -ECANCELED);
		}
	}
	for (r = e->active; r; r = rn) {
		rn = r->anext;
		if (aionl_cancel_matches(r->cookie, r->file, r->dst, target, tfile, flags)) {
			found++;
			if (r->op == AIONL_CMD_OPEN)
				open_cancel(e, r, closing);
			else
				e->exec->cancel(e, r);
		}
	}
	return found ? found : -ENOENT;
}

int ev_cancel(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_cancel m;
	int err = aionl_cancel_parse(nlh, &m, pe);

	if (!err)
		engine_complete_cookie(e, m.cookie, cancel_matching(e, m.target, m.flags, false));
	return err;
}

void events_cancel_everything(struct aionl_engine *e)
{
	cancel_matching(e, 0, AIONL_CANCEL_ALL, true);
}

/* ------------------------------------------------------------ dispatch */

void events_dispatch(struct aionl_engine *e)
{
	struct epoll_event evs[EPOLL_BATCH];
	int n, i;

	n = epoll_wait(e->epfd, evs, EPOLL_BATCH, 0);
	e->dispatching = true;
	for (i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;

		if (tag == EV_TAG_KICK) {
			fork_kicked(e);
		} else if (tag >= EV_TAG_TIMERFD && tag < EV_TAG_WATCHES) {
			timers_expired(e, (int)(tag - EV_TAG_TIMERFD));
		} else if (tag == EV_TAG_SIGNALFD) {
			signals_ready(e);
		} else {
			struct eng_watch *w = evs[i].data.ptr;

			if (w->dead)	/* completed earlier in this batch */
				continue;
			if (w->kind == W_POLL)
				poll_ready(e, w, evs[i].events);
			else
				stream_ready(e, w);
		}
	}
	e->dispatching = false;
	while (e->graveyard) {
		struct eng_watch *w = e->graveyard;

		e->graveyard = w->next;
		free(w);
	}
}

int events_init(struct aionl_engine *e)
{
	e->sigfd = -1;
	for (int c = 0; c < AIONL_TIMER_CLOCK_COUNT; c++)
		e->clocks[c].tfd = -1;
	e->epfd = aionl__fd_high(epoll_create1(EPOLL_CLOEXEC));
	return e->epfd < 0 ? -errno : 0;
}

/*
 * In a child whose fork found the engine mid-change: the descriptors the
 * engine made itself (epoll, timerfds, signalfd), set once and read alone.
 */
void events_close_own(struct aionl_engine *e)
{
	for (int c = 0; c < AIONL_TIMER_CLOCK_COUNT; c++)
		if (e->clocks[c].tfd >= 0)
			close(e->clocks[c].tfd);
	if (e->sigfd >= 0)
		close(e->sigfd);
	if (e->epfd >= 0)
		close(e->epfd);
}

/* fini in a child after fork: close and free only (aionl_engine_forget). */
void events_forget(struct aionl_engine *e)
{
	struct eng_watch *lists[] = { e->watches, e->graveyard }, *w;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		while ((w = lists[i])) {
			lists[i] = w->next;
			if (w->fd >= 0)
				close(w->fd);
			if (w->file)
				file_put(w->file);
			if (w->iov != w->iov_inline)
				free(w->iov);
			free(w->sig_unsent);
			free(w);
		}
	}
	e->watches = e->graveyard = NULL;
	for (int c = 0; c < AIONL_TIMER_CLOCK_COUNT; c++) {
		heap_fini(&e->clocks[c].heap);
		if (e->clocks[c].tfd >= 0)
			close(e->clocks[c].tfd);
	}
	if (e->sigfd >= 0)
		close(e->sigfd);
	if (e->epfd >= 0)
		close(e->epfd);
}

void events_fini(struct aionl_engine *e)
{
	while (e->watches)
		watch_free(e, e->watches);
	timers_fini(e);
	if (e->sigfd >= 0)
		close(e->sigfd);
	if (e->epfd >= 0)
		close(e->epfd);
}
