// SPDX-License-Identifier: MIT
/*
 * Signal watches: one signalfd for the union of the watched sets, each caught
 * signal completing every watch that names it, with its siginfo. A signal no
 * watch names stays pending for whoever else wants it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine.h"

/* Signals read from the signalfd at once. */
#define SIGNAL_BATCH 16

void signals_update(struct aionl_engine *e)
{
	struct eng_watch *w;
	uint64_t mask = 0;
	sigset_t set;

	for (w = e->watches; w; w = w->next)
		if (w->kind == W_SIGNAL)
			mask |= w->sigmask;
	if (mask == e->sigmask)
		return;
	e->sigmask = mask;
	aionl__sigset_of(mask, &set);
	if (e->sigfd < 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_TAG_SIGNALFD };

		e->sigfd = aionl__fd_high(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
		if (e->sigfd >= 0)
			epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->sigfd, &ev);
	} else {
		signalfd(e->sigfd, &set, 0);
	}
}

int ev_signal(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_signal m;
	struct eng_watch *w;
	int err;

	if ((err = aionl_signal_parse(nlh, &m, pe)))
		return err;
	if (!aionl_sigmask_watchable(m.mask)) {
		engine_complete_cookie(e, m.cookie, -EINVAL);
		return 0;
	}
	w = watch_new(e, W_SIGNAL, m.cookie);
	if (!w) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	w->sig_unsent = calloc(ENG_STD_SIGNALS, sizeof(*w->sig_unsent));
	if (!w->sig_unsent) {
		watch_complete(e, w, -ENOMEM);
		return 0;
	}
	w->sigmask = m.mask;
	signals_update(e);
	if (e->sigfd < 0)
		watch_complete(e, w, -ENOMEM);
	return 0;
}

/* Post a caught signal to w, unless an unsent completion of the same standard signal holds it. */
static void signal_post(struct aionl_engine *e, struct eng_watch *w, struct aionl_completion *m,
			int signo)
{
	struct outq_pos *unsent = signo <= ENG_STD_SIGNALS ? &w->sig_unsent[signo - 1] : NULL;

	if (unsent && outq_at(&e->out, *unsent))
		return;	/* merged, as the kernel's pending set merges it */
	m->cookie = w->cookie;
	if (unsent)
		*unsent = engine_put_completion(e, m);
	else
		engine_put_completion(e, m);
}

/*
 * Real-time signals queue, so they cannot merge: while the socket holds all
 * max_inflight allows (the program does not read), only standard signals
 * are taken. Queued real-time signals stay pending for the process, and each
 * watch that would take one ends with -EOVERFLOW, as on the module.
 */
static void signals_overflow(struct aionl_engine *e)
{
	struct eng_watch *w, *next;
	sigset_t pending;
	uint64_t rt = 0;

	sigpending(&pending);
	for (int sig = ENG_STD_SIGNALS + 1; sig <= (int)AIONL_MAX_SIGNAL; sig++)
		if (sigismember(&pending, sig) == 1)
			rt |= 1ULL << (sig - 1);
	for (w = e->watches; w; w = next) {
		next = w->next;
		if (w->kind == W_SIGNAL && (w->sigmask & rt))
			watch_complete(e, w, -EOVERFLOW);
	}
}

/* Take only standard signals (limit), or every watched one again. */
static void signals_limit(struct aionl_engine *e, bool limit)
{
	uint64_t std = (1ULL << ENG_STD_SIGNALS) - 1;
	sigset_t set;

	aionl__sigset_of(limit ? e->sigmask & std : e->sigmask, &set);
	signalfd(e->sigfd, &set, 0);
}

/*
 * The limit is checked before every read, and a read takes no more signals
 * than the out queue has room for: however many are queued when the
 * signalfd wakes the engine, real-time ones are taken only while under
 * max_inflight (each may complete more than one watch, so the queue may end
 * a few watches past it).
 */
void signals_ready(struct aionl_engine *e)
{
	struct signalfd_siginfo si[SIGNAL_BATCH];
	uint32_t max = e->params.max_inflight;
	bool limited = false;
	ssize_t n;

	for (;;) {
		uint64_t held;
		size_t batch = SIGNAL_BATCH;

		if (!limited && engine_full(e, false, 0)) {
			signals_limit(e, true);
			limited = true;
		}
		held = (uint64_t)e->inflight + e->order.nheld + e->out.backlog;
		if (!limited && max - held < batch)
			batch = max - held;	/* engine_full() said held < max */
		n = read(e->sigfd, si, batch * sizeof(si[0]));
		if (n <= 0)
			break;
		for (size_t i = 0; i < n / sizeof(si[0]); i++) {
			const struct aionl_siginfo_raw raw = {
				.signo = si[i].ssi_signo, .code = si[i].ssi_code,
				.errno_ = si[i].ssi_errno, .pid = si[i].ssi_pid, .uid = si[i].ssi_uid,
				.status = si[i].ssi_status, .value = si[i].ssi_ptr,
				.addr = si[i].ssi_addr, .fd = si[i].ssi_fd, .band = si[i].ssi_band,
				.overrun = si[i].ssi_overrun,
			};
			struct aionl_completion m = { 0 };
			struct eng_watch *w;

			aionl_completion_set_signal(&m, &raw);
			for (w = e->watches; w; w = w->next) {
				if (w->kind != W_SIGNAL || !(w->sigmask & (1ULL << (raw.signo - 1))))
					continue;
				signal_post(e, w, &m, (int)raw.signo);
			}
		}
	}
	if (limited) {
		signals_limit(e, false);
		signals_overflow(e);
	}
}
