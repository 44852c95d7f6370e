// SPDX-License-Identifier: MIT
/*
 * Timers and deadlines: one heap per clock (heap.c), each with a timerfd in
 * the epoll set set to its earliest expiry. TIMER and TIMER_UPDATE requests,
 * and what happens when a point in time passes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

static const clockid_t clock_ids[AIONL_TIMER_CLOCK_COUNT] = AIONL_TIMER_CLOCK_VALUES;

uint64_t timer_clock_now(int clock)
{
	struct timespec ts;

	clock_gettime(clock_ids[clock], &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Set the clock's timerfd to its earliest expiry, or disarm it. */
static void clock_program(struct aionl_engine *e, int clock)
{
	struct eng_clock *c = &e->clocks[clock];
	struct eng_timer *top = heap_top(&c->heap);
	struct itimerspec its = { 0 };

	if (c->tfd < 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_TAG_TIMERFD + clock };

		if (!top)
			return;
		c->tfd = aionl__fd_high(timerfd_create(clock_ids[clock], TFD_CLOEXEC | TFD_NONBLOCK));
		if (c->tfd < 0)
			return;
		epoll_ctl(e->epfd, EPOLL_CTL_ADD, c->tfd, &ev);
	}
	if (top) {
		/* 0 would disarm the timerfd: the first nanosecond is as good as past. */
		uint64_t t = top->expiry ? top->expiry : 1;

		its.it_value.tv_sec = t / 1000000000ULL;
		its.it_value.tv_nsec = t % 1000000000ULL;
	}
	timerfd_settime(c->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int timer_arm(struct aionl_engine *e, struct eng_timer *t)
{
	struct eng_heap *h = &e->clocks[t->clock].heap;

	if (heap_push(h, t))
		return -ENOMEM;
	if (heap_top(h) == t)
		clock_program(e, t->clock);
	return 0;
}

void timer_disarm(struct aionl_engine *e, struct eng_timer *t)
{
	bool was_first;

	if (t->heap_idx == EV_NOT_ARMED)
		return;
	was_first = t->heap_idx == 0;
	heap_remove(&e->clocks[t->clock].heap, t);
	if (was_first)
		clock_program(e, t->clock);
}

/* ------------------------------------------------------------ timer watches */

static void timer_set(struct eng_watch *w, uint64_t value, uint64_t interval, uint32_t flags)
{
	w->timer.expiry = flags & AIONL_TIMER_ABS ? value : timer_clock_now(w->timer.clock) + value;
	w->interval = interval;
	w->pending = (struct outq_pos){ 0 };
}

static void timer_fire(struct aionl_engine *e, struct eng_watch *w, uint64_t now)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK | 1ULL << AIONL_A_COMPLETION_FLAGS,
		.cookie = w->cookie,
		.flags = AIONL_CQE_F_TIMER,
	};
	uint64_t n = 1;
	void *res;

	if (w->interval) {
		uint64_t step;

		/*
		 * now and interval are below 2^63, so step cannot wrap; an expiry
		 * the sum would take past the clock's range saturates, never fires.
		 */
		n += (now - w->timer.expiry) / w->interval;
		step = n * w->interval;
		w->timer.expiry = w->timer.expiry > UINT64_MAX - step ? UINT64_MAX :
				  w->timer.expiry + step;
		m.flags |= AIONL_CQE_F_MORE;
	}
	/* A slow reader gets one completion counting every expiry, as timerfd. */
	res = outq_at(&e->out, w->pending);
	if (res) {
		int64_t v;

		memcpy(&v, res, sizeof(v));
		v += (int64_t)n;
		memcpy(res, &v, sizeof(v));
		e->work++;
	} else {
		m.res = (int64_t)n;
		w->pending = engine_put_completion(e, &m);
	}
	if (w->interval)
		timer_arm(e, &w->timer);
	else
		watch_free(e, w);
}

int ev_timer(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_timer m;
	struct eng_watch *w;
	int err;

	if ((err = aionl_timer_parse(nlh, &m, pe)))
		return err;
	w = watch_new(e, W_TIMER, m.cookie);
	if (!w) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	w->timer.clock = (uint8_t)aionl_clock_index(m.clock);
	timer_set(w, m.value_ns, m.interval_ns, m.flags);
	if (timer_arm(e, &w->timer))
		watch_complete(e, w, -ENOMEM);
	return 0;	/* completes when it expires */
}

int ev_timer_update(struct aionl_engine *e, const struct nlmsghdr *nlh,
		    struct aionl_parse_err *pe)
{
	struct aionl_timer_update m;
	struct eng_watch *w;
	int64_t res = -ENOENT;
	int err;

	if ((err = aionl_timer_update_parse(nlh, &m, pe)))
		return err;
	for (w = e->watches; w; w = w->next) {
		if (w->kind == W_TIMER && w->cookie == m.target) {
			timer_disarm(e, &w->timer);
			timer_set(w, m.value_ns, m.interval_ns, m.flags);
			res = timer_arm(e, &w->timer) ? -ENOMEM : 0;
			break;
		}
	}
	engine_complete_cookie(e, m.cookie, res);
	return 0;
}

/* ------------------------------------------------------------ expiry */

void timers_expired(struct aionl_engine *e, int clock)
{
	struct eng_clock *c = &e->clocks[clock];
	uint64_t now = timer_clock_now(clock), ticks;
	struct eng_timer *t;

	while (read(c->tfd, &ticks, sizeof(ticks)) > 0)
		;
	while ((t = heap_top(&c->heap)) && t->expiry <= now) {
		heap_remove(&c->heap, t);
		if (t->owner_kind == EV_OWNER_REQ) {
			struct eng_req *r = t->owner;

			r->timed_out = true;
			e->exec->cancel(e, r);
		} else {
			struct eng_watch *w = t->owner;

			if (w->kind == W_TIMER) {
				timer_fire(e, w, now);
			} else {
				w->timed_out = true;
				watch_complete(e, w, -ETIMEDOUT);
			}
		}
	}
	clock_program(e, clock);
}

void timers_fini(struct aionl_engine *e)
{
	for (int c = 0; c < AIONL_TIMER_CLOCK_COUNT; c++) {
		heap_fini(&e->clocks[c].heap);
		if (e->clocks[c].tfd >= 0)
			close(e->clocks[c].tfd);
	}
}
