// SPDX-License-Identifier: MIT
/*
 * The event sources the userspace engine waits for itself, the same for
 * both executors: timers, readiness of descriptors, signals, reads and writes
 * on pipes and sockets, per-request deadlines, and cancellation.
 *
 * All of it hangs off one epoll set (e->epfd) that the executor's wait
 * watches next to the engine socket:
 *  - timers sit in one binary heap per clock, each heap with a timerfd set
 *    to its earliest expiry, so thousands of timers cost memory, not CPU;
 *  - signals come from one signalfd for the union of the watched sets;
 *  - every readiness watch and stream transfer has its own dup of the
 *    descriptor in the set, so two watches of one file never collide.
 * Everything here runs on the engine thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

/* epoll tags below this are not watch pointers. */
#define TAG_TIMERFD 1	/* + clock index */
#define TAG_SIGNALFD 8
#define TAG_MAX 16

static const clockid_t clock_ids[EV_NCLOCKS] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };

static uint64_t clock_now(int clock)
{
	struct timespec ts;

	clock_gettime(clock_ids[clock], &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ------------------------------------------------------------ timer heaps */

static bool heap_less(const struct eng_timer *a, const struct eng_timer *b)
{
	return a->expiry < b->expiry;
}

static void heap_swap(struct eng_heap *h, uint32_t i, uint32_t j)
{
	struct eng_timer *t = h->v[i];

	h->v[i] = h->v[j];
	h->v[j] = t;
	h->v[i]->heap_idx = i;
	h->v[j]->heap_idx = j;
}

static void heap_up(struct eng_heap *h, uint32_t i)
{
	while (i && heap_less(h->v[i], h->v[(i - 1) / 2])) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct eng_heap *h, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;

		if (l < h->n && heap_less(h->v[l], h->v[m]))
			m = l;
		if (l + 1 < h->n && heap_less(h->v[l + 1], h->v[m]))
			m = l + 1;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

/* Set the clock's timerfd to its earliest expiry, or disarm it. */
static void heap_program(struct aionl_engine *e, int clock)
{
	struct eng_heap *h = &e->heaps[clock];
	struct itimerspec its = { 0 };

	if (h->tfd < 0) {
		if (!h->n)
			return;
		h->tfd = timerfd_create(clock_ids[clock], TFD_CLOEXEC | TFD_NONBLOCK);
		if (h->tfd < 0)
			return;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_TIMERFD + clock };

		epoll_ctl(e->epfd, EPOLL_CTL_ADD, h->tfd, &ev);
	}
	if (h->n) {
		uint64_t t = h->v[0]->expiry ? h->v[0]->expiry : 1;

		its.it_value.tv_sec = t / 1000000000ULL;
		its.it_value.tv_nsec = t % 1000000000ULL;
	}
	timerfd_settime(h->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int timer_arm(struct aionl_engine *e, struct eng_timer *t)
{
	struct eng_heap *h = &e->heaps[t->clock];
	bool was_first;

	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		struct eng_timer **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	t->heap_idx = h->n;
	h->v[h->n++] = t;
	heap_up(h, t->heap_idx);
	was_first = t->heap_idx == 0;
	if (was_first)
		heap_program(e, t->clock);
	return 0;
}

static void timer_disarm(struct aionl_engine *e, struct eng_timer *t)
{
	struct eng_heap *h = &e->heaps[t->clock];
	uint32_t i = t->heap_idx;

	if (i == EV_NOT_ARMED)
		return;
	t->heap_idx = EV_NOT_ARMED;
	if (i != --h->n) {
		h->v[i] = h->v[h->n];
		h->v[i]->heap_idx = i;
		heap_down(h, i);
		heap_up(h, h->v[i]->heap_idx);
	}
	if (i == 0)
		heap_program(e, t->clock);
}

/* ------------------------------------------------------------ watches */

static struct eng_watch *watch_new(struct aionl_engine *e, enum eng_watch_kind kind,
				   uint64_t cookie)
{
	struct eng_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->kind = kind;
	w->cookie = cookie;
	w->fd = -1;
	w->timer.heap_idx = EV_NOT_ARMED;
	w->timer.owner_kind = EV_OWNER_WATCH;
	w->timer.owner = w;
	w->next = e->watches;
	if (e->watches)
		e->watches->prev = w;
	e->watches = w;
	return w;
}

static void signals_update(struct aionl_engine *e);

/*
 * Take w out of everything; its final completion is the caller's. While
 * events_dispatch() walks a batch that may still name w, w is only marked
 * dead and freed at the end of the batch.
 */
static void watch_free(struct aionl_engine *e, struct eng_watch *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		e->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	timer_disarm(e, &w->timer);
	if (w->fd >= 0) {
		/* The dup shares its open file: closing it alone would not leave the set. */
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		close(w->fd);
		w->fd = -1;
	}
	if (w->file)
		engine_file_put(w->file);
	w->file = NULL;
	if (w->iov != w->iov_inline)
		free(w->iov);
	w->iov = w->iov_inline;
	if (w->kind == W_SIGNAL) {
		w->sigmask = 0;
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

static void complete_watch(struct aionl_engine *e, struct eng_watch *w, int64_t res)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK, .cookie = w->cookie, .res = res,
	};

	if (!e->peer_gone)
		engine_put_completion(e, &m, NULL, NULL);
	e->work++;
	watch_free(e, w);
}

/* Add a dup of the watched file to the epoll set, so that each watch is its own entry. */
static int watch_epoll(struct aionl_engine *e, struct eng_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = fcntl(w->file->fd, F_DUPFD_CLOEXEC, 0);
	if (w->fd < 0)
		return -errno;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------ timers */

static void timer_fire(struct aionl_engine *e, struct eng_watch *w, uint64_t now)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK | 1ULL << AIONL_A_COMPLETION_FLAGS,
		.cookie = w->cookie,
		.flags = AIONL_COMPLETION_F_TIMER,
	};
	uint64_t n = 1;
	int64_t *res;

	if (w->interval) {
		n += (now - w->timer.expiry) / w->interval;
		w->timer.expiry += n * w->interval;
		m.flags |= AIONL_COMPLETION_F_MORE;
	}
	e->work++;
	/* A slow reader gets one completion counting every expiry, as timerfd. */
	res = w->pending_serial ? engine_completion_res(e, w->pending_serial, w->pending_off) : NULL;
	if (res) {
		int64_t v;

		memcpy(&v, res, sizeof(v));
		v += (int64_t)n;
		memcpy(res, &v, sizeof(v));
	} else if (!e->peer_gone) {
		m.res = (int64_t)n;
		if (!engine_put_completion(e, &m, &w->pending_serial, &w->pending_off))
			w->pending_serial = 0;
	}
	if (w->interval)
		timer_arm(e, &w->timer);
	else
		watch_free(e, w);
}

static int clock_index(uint32_t clock)
{
	switch (clock) {
	case AIONL_TIMER_CLOCK_MONOTONIC:
		return EV_CLOCK_MONOTONIC;
	case AIONL_TIMER_CLOCK_REALTIME:
		return EV_CLOCK_REALTIME;
	case AIONL_TIMER_CLOCK_BOOTTIME:
		return EV_CLOCK_BOOTTIME;
	}
	return -1;
}

static void timer_set(struct eng_watch *w, uint64_t value, uint64_t interval, uint32_t flags)
{
	w->timer.expiry = flags & AIONL_TIMER_F_ABS ? value : clock_now(w->timer.clock) + value;
	w->interval = interval;
	w->pending_serial = 0;
}

static int64_t do_timer(struct aionl_engine *e, const struct aionl_timer *m)
{
	int clock = clock_index(m->clock);
	struct eng_watch *w;

	if (clock < 0 || (m->flags & ~AIONL_TIMER_F_ABS))
		return -EINVAL;
	w = watch_new(e, W_TIMER, m->cookie);
	if (!w)
		return -ENOMEM;
	w->timer.clock = (uint8_t)clock;
	timer_set(w, m->value_ns, m->interval_ns, m->flags);
	if (timer_arm(e, &w->timer)) {
		watch_free(e, w);
		return -ENOMEM;
	}
	return 0;
}

static int64_t do_timer_update(struct aionl_engine *e, const struct aionl_timer_update *m)
{
	struct eng_watch *w;

	if (m->flags & ~AIONL_TIMER_F_ABS)
		return -EINVAL;
	for (w = e->watches; w; w = w->next) {
		if (w->kind == W_TIMER && w->cookie == m->target) {
			timer_disarm(e, &w->timer);
			timer_set(w, m->value_ns, m->interval_ns, m->flags);
			return timer_arm(e, &w->timer) ? -ENOMEM : 0;
		}
	}
	return -ENOENT;
}

/* ------------------------------------------------------------ readiness */

static uint32_t to_epoll(uint32_t ev)
{
	/* The IDL's poll bits are poll(2)'s, which epoll shares. */
	return ev & (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP);
}

static int64_t do_poll(struct aionl_engine *e, const struct aionl_poll *m)
{
	struct eng_file *f = engine_file_lookup(e, m->handle);
	struct eng_watch *w;
	int err;

	if (!f)
		return -EBADF;
	if (m->flags & ~AIONL_POLL_F_MULTISHOT ||
	    m->events & ~(AIONL_POLL_IN | AIONL_POLL_OUT | AIONL_POLL_ERR | AIONL_POLL_HUP))
		return -EINVAL;
	w = watch_new(e, W_POLL, m->cookie);
	if (!w)
		return -ENOMEM;
	w->file = f;
	f->refs++;
	w->events = m->events;
	w->flags = m->flags;
	/* Multishot fires at every edge; one-shot once, as io_uring's poll. */
	err = watch_epoll(e, w, to_epoll(m->events) |
			  (m->flags & AIONL_POLL_F_MULTISHOT ? EPOLLET : EPOLLONESHOT));
	if (err) {
		watch_free(e, w);
		return err;	/* -EPERM: a regular file, always ready, does not poll */
	}
	return 0;
}

static void poll_ready(struct aionl_engine *e, struct eng_watch *w, uint32_t revents)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK, .cookie = w->cookie,
		.res = revents & (AIONL_POLL_IN | AIONL_POLL_OUT | AIONL_POLL_ERR | AIONL_POLL_HUP),
	};

	if (!(w->flags & AIONL_POLL_F_MULTISHOT)) {
		complete_watch(e, w, m.res);
		return;
	}
	m.present |= 1ULL << AIONL_A_COMPLETION_FLAGS;
	m.flags = AIONL_COMPLETION_F_MORE;
	e->work++;
	if (!e->peer_gone)
		engine_put_completion(e, &m, NULL, NULL);
}

/* ------------------------------------------------------------ signals */

static void signals_update(struct aionl_engine *e)
{
	struct eng_watch *w;
	uint64_t mask = 0;
	sigset_t set;
	int sig;

	for (w = e->watches; w; w = w->next)
		if (w->kind == W_SIGNAL)
			mask |= w->sigmask;
	if (mask == e->sigmask)
		return;
	e->sigmask = mask;
	sigemptyset(&set);
	for (sig = 1; sig <= 64; sig++)
		if (mask & (1ULL << (sig - 1)))
			sigaddset(&set, sig);
	/* An unwatched signal stays pending for whoever else wants it. */
	if (e->sigfd < 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_SIGNALFD };

		e->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
		if (e->sigfd >= 0)
			epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->sigfd, &ev);
	} else {
		signalfd(e->sigfd, &set, 0);
	}
}

static int64_t do_signal(struct aionl_engine *e, const struct aionl_signal *m)
{
	const uint64_t unblockable = 1ULL << (SIGKILL - 1) | 1ULL << (SIGSTOP - 1);
	struct eng_watch *w;

	if (!m->mask || (m->mask & unblockable))
		return -EINVAL;
	w = watch_new(e, W_SIGNAL, m->cookie);
	if (!w)
		return -ENOMEM;
	w->sigmask = m->mask;
	signals_update(e);
	return e->sigfd < 0 ? (watch_free(e, w), -ENOMEM) : 0;
}

static void signals_ready(struct aionl_engine *e)
{
	struct signalfd_siginfo si[16];
	ssize_t n;

	while ((n = read(e->sigfd, si, sizeof(si))) > 0) {
		for (size_t i = 0; i < n / sizeof(si[0]); i++) {
			struct aionl_completion m = {
				.present = AIONL_COMPLETION_REQUIRED_MASK |
					   1ULL << AIONL_A_COMPLETION_FLAGS |
					   1ULL << AIONL_A_COMPLETION_SSI_SIGNO |
					   1ULL << AIONL_A_COMPLETION_SSI_CODE |
					   1ULL << AIONL_A_COMPLETION_SSI_PID |
					   1ULL << AIONL_A_COMPLETION_SSI_UID |
					   1ULL << AIONL_A_COMPLETION_SSI_STATUS |
					   1ULL << AIONL_A_COMPLETION_SSI_ERRNO |
					   1ULL << AIONL_A_COMPLETION_SSI_VALUE |
					   1ULL << AIONL_A_COMPLETION_SSI_ADDR |
					   1ULL << AIONL_A_COMPLETION_SSI_FD |
					   1ULL << AIONL_A_COMPLETION_SSI_BAND |
					   1ULL << AIONL_A_COMPLETION_SSI_OVERRUN,
				.flags = AIONL_COMPLETION_F_SIGNAL | AIONL_COMPLETION_F_MORE,
				.res = si[i].ssi_signo,
				.ssi_signo = si[i].ssi_signo,
				.ssi_code = si[i].ssi_code,
				.ssi_pid = si[i].ssi_pid,
				.ssi_uid = si[i].ssi_uid,
				.ssi_status = si[i].ssi_status,
				.ssi_errno = si[i].ssi_errno,
				.ssi_value = si[i].ssi_ptr,
				.ssi_addr = si[i].ssi_addr,
				.ssi_fd = si[i].ssi_fd,
				.ssi_band = si[i].ssi_band,
				.ssi_overrun = si[i].ssi_overrun,
			};
			struct eng_watch *w;

			for (w = e->watches; w; w = w->next) {
				if (w->kind != W_SIGNAL || !(w->sigmask & (1ULL << (si[i].ssi_signo - 1))))
					continue;
				m.cookie = w->cookie;
				e->work++;
				if (!e->peer_gone)
					engine_put_completion(e, &m, NULL, NULL);
			}
		}
	}
}

/* ------------------------------------------------------------ streams */

int events_stream_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, struct eng_file *f,
			const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns)
{
	bool is_read = op == AIONL_OP_READ || op == AIONL_OP_READV;
	struct eng_watch *w = watch_new(e, W_STREAM, cookie);
	int err;

	if (!w)
		return -ENOMEM;
	w->op = op;
	w->file = f;
	f->refs++;
	w->iov = nr_iov > 1 ? malloc(nr_iov * sizeof(*iov)) : w->iov_inline;
	if (!w->iov) {
		w->iov = w->iov_inline;
		watch_free(e, w);
		return -ENOMEM;
	}
	memcpy(w->iov, iov, nr_iov * sizeof(*iov));
	w->nr_iov = nr_iov;
	err = watch_epoll(e, w, (is_read ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT);
	if (!err && timeout_ns) {
		w->timer.clock = EV_CLOCK_MONOTONIC;
		w->timer.expiry = clock_now(EV_CLOCK_MONOTONIC) + timeout_ns;
		err = timer_arm(e, &w->timer);
	}
	if (err) {
		watch_free(e, w);
		return err;
	}
	return 0;
}

static void stream_ready(struct aionl_engine *e, struct eng_watch *w)
{
	bool is_read = w->op == AIONL_OP_READ || w->op == AIONL_OP_READV;
	ssize_t n;

	n = is_read ? preadv2(w->fd, w->iov, (int)w->nr_iov, -1, RWF_NOWAIT)
		    : pwritev2(w->fd, w->iov, (int)w->nr_iov, -1, RWF_NOWAIT);
	if (n < 0 && errno == EAGAIN) {
		/* Readiness without data (another reader won): wait again. */
		struct epoll_event ev = { .events = (is_read ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT,
					  .data.ptr = w };

		epoll_ctl(e->epfd, EPOLL_CTL_MOD, w->fd, &ev);
		return;
	}
	complete_watch(e, w, n < 0 ? -errno : n);
}

/* ------------------------------------------------------------ deadlines */

void events_deadline_arm(struct aionl_engine *e, struct eng_req *r, uint64_t timeout_ns)
{
	r->deadline.clock = EV_CLOCK_MONOTONIC;
	r->deadline.owner_kind = EV_OWNER_REQ;
	r->deadline.owner = r;
	r->deadline.expiry = clock_now(EV_CLOCK_MONOTONIC) + timeout_ns;
	timer_arm(e, &r->deadline);
}

void events_deadline_disarm(struct aionl_engine *e, struct eng_req *r)
{
	timer_disarm(e, &r->deadline);
}

static void timers_expired(struct aionl_engine *e, int clock)
{
	struct eng_heap *h = &e->heaps[clock];
	uint64_t now = clock_now(clock), ticks;

	while (read(h->tfd, &ticks, sizeof(ticks)) > 0)
		;
	while (h->n && h->v[0]->expiry <= now) {
		struct eng_timer *t = h->v[0];

		timer_disarm(e, t);
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
				complete_watch(e, w, -ETIMEDOUT);
			}
		}
	}
	heap_program(e, clock);
}

/* ------------------------------------------------------------ cancellation */

static bool cancel_matches(uint64_t cookie, const struct eng_file *file, uint64_t target,
			   const struct eng_file *tfile, uint32_t flags)
{
	if (flags & AIONL_CANCEL_F_ALL)
		return true;
	if (flags & AIONL_CANCEL_F_HANDLE)
		return file && file == tfile;
	return cookie == target;
}

static int64_t do_cancel(struct aionl_engine *e, const struct aionl_cancel *m)
{
	struct eng_file *tfile = NULL;
	struct eng_watch *w, *wn;
	struct eng_req *r, *rn;
	int64_t found = 0;

	if (m->flags & ~(AIONL_CANCEL_F_HANDLE | AIONL_CANCEL_F_ALL))
		return -EINVAL;
	if (m->flags & AIONL_CANCEL_F_HANDLE) {
		tfile = engine_file_lookup(e, m->target);
		if (!tfile)
			return -EBADF;
	}
	for (w = e->watches; w; w = wn) {
		wn = w->next;
		if (cancel_matches(w->cookie, w->file, m->target, tfile, m->flags)) {
			found++;
			complete_watch(e, w, -ECANCELED);
		}
	}
	/* Executor requests finish once: cancelled if not started, else for real. */
	for (r = e->active; r; r = rn) {
		rn = r->anext;
		if (cancel_matches(r->cookie, r->file, m->target, tfile, m->flags)) {
			found++;
			e->exec->cancel(e, r);
		}
	}
	return found ? found : -ENOENT;
}

void events_cancel_everything(struct aionl_engine *e)
{
	struct aionl_cancel all = { .flags = AIONL_CANCEL_F_ALL };

	do_cancel(e, &all);
}

/* ------------------------------------------------------------ requests */

int events_request(struct aionl_engine *e, const struct nlmsghdr *nlh, uint8_t cmd,
		   struct aionl_parse_err *pe)
{
	union {
		struct aionl_nop nop;
		struct aionl_timer timer;
		struct aionl_timer_update update;
		struct aionl_poll poll;
		struct aionl_signal signal;
		struct aionl_cancel cancel;
	} m;
	struct aionl_completion c = { .present = AIONL_COMPLETION_REQUIRED_MASK };
	int err = 0;

	switch (cmd) {
	case AIONL_CMD_NOP:
		err = aionl_nop_parse(nlh, &m.nop, pe);
		c.cookie = m.nop.cookie;
		break;
	case AIONL_CMD_TIMER:
		err = aionl_timer_parse(nlh, &m.timer, pe);
		c.cookie = m.timer.cookie;
		if (!err && !(c.res = do_timer(e, &m.timer)))
			return 0;	/* completes when it expires */
		break;
	case AIONL_CMD_TIMER_UPDATE:
		err = aionl_timer_update_parse(nlh, &m.update, pe);
		c.cookie = m.update.cookie;
		if (!err)
			c.res = do_timer_update(e, &m.update);
		break;
	case AIONL_CMD_POLL:
		err = aionl_poll_parse(nlh, &m.poll, pe);
		c.cookie = m.poll.cookie;
		if (!err && !(c.res = do_poll(e, &m.poll)))
			return 0;
		break;
	case AIONL_CMD_SIGNAL:
		err = aionl_signal_parse(nlh, &m.signal, pe);
		c.cookie = m.signal.cookie;
		if (!err && !(c.res = do_signal(e, &m.signal)))
			return 0;
		break;
	case AIONL_CMD_CANCEL:
		err = aionl_cancel_parse(nlh, &m.cancel, pe);
		c.cookie = m.cancel.cookie;
		if (!err)
			c.res = do_cancel(e, &m.cancel);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (err)
		return err;
	e->work++;
	engine_put_completion(e, &c, NULL, NULL);
	return 0;
}

void events_dispatch(struct aionl_engine *e)
{
	struct epoll_event evs[64];
	int n, i;

	n = epoll_wait(e->epfd, evs, 64, 0);
	e->dispatching = true;
	for (i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;

		if (tag >= TAG_TIMERFD && tag < TAG_TIMERFD + EV_NCLOCKS) {
			timers_expired(e, (int)(tag - TAG_TIMERFD));
		} else if (tag == TAG_SIGNALFD) {
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
	int c;

	e->sigfd = -1;
	for (c = 0; c < EV_NCLOCKS; c++)
		e->heaps[c].tfd = -1;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	return e->epfd < 0 ? -errno : 0;
}

void events_fini(struct aionl_engine *e)
{
	int c;

	while (e->watches)
		watch_free(e, e->watches);
	for (c = 0; c < EV_NCLOCKS; c++) {
		free(e->heaps[c].v);
		if (e->heaps[c].tfd >= 0)
			close(e->heaps[c].tfd);
	}
	if (e->sigfd >= 0)
		close(e->sigfd);
	if (e->epfd >= 0)
		close(e->epfd);
}
