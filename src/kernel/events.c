// SPDX-License-Identifier: GPL-2.0
/*
 * Event sources of aionl.ko: timers (hrtimers), readiness of registered files
 * (their wait queues, as poll does), reads and writes on pipes and sockets
 * that wait for readiness, NOP, and cancellation. Signal watches are in
 * signals.c.
 *
 * A watch completes finally exactly once: whoever sets AW_DONE (the event
 * itself, a cancel, a deadline, or the socket's release) stops its sources,
 * posts the last completion and frees it. Timer and wait-queue callbacks run
 * in atomic context and only queue the watch's work; the work, in process
 * context, reads the state and posts completions.
 */
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "internal.h"

/* A readiness watch always hears of errors and hang-ups (aionl-rules.h). */
#define AIONL_EPOLL_ALWAYS ((__force __poll_t)AIONL_POLL_ALWAYS)

void aionl_watch_put(struct aionl_watch *w)
{
	if (!refcount_dec_and_test(&w->refs))
		return;
	if (w->task)
		put_task_struct(w->task);
	if (w->interim)
		aionl_kreq_free(w->interim);
	if (w->final)
		aionl_kreq_free(w->final);
	kmem_cache_free(aionl_watch_cache, w);
}

/* Put one of w's entries on head, with func as its wake-up. */
void aionl_watch_enqueue(struct aionl_watch *w, wait_queue_head_t *head,
			 wait_queue_func_t func)
{
	struct aionl_wait *aw = &w->waits[w->nwaits++];

	aw->w = w;
	aw->head = head;
	init_waitqueue_func_entry(&aw->entry, func);
	add_wait_queue(head, &aw->entry);
}

/*
 * Leave every wait queue w is on. A queue may be freed under us (a
 * signalfd's, when its task exits, which POLLFREE announces); its memory is
 * RCU-safe, and the wake-up that saw POLLFREE cleared head last. As
 * io_uring's poll does.
 */
void aionl_watch_unqueue(struct aionl_watch *w)
{
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < w->nwaits; i++) {
		struct aionl_wait *aw = &w->waits[i];
		wait_queue_head_t *head = smp_load_acquire(&aw->head);

		if (!head)
			continue;
		spin_lock_irq(&head->lock);
		list_del_init(&aw->entry.entry);
		aw->head = NULL;
		spin_unlock_irq(&head->lock);
	}
	rcu_read_unlock();
}

/*
 * In a wake-up, with the queue's lock held: the queue is being freed. Leave
 * it now, and have the watch's work end the watch, since what it waited on
 * is gone. Clearing head must come last: from then on the watch may be
 * finished and freed by someone else.
 */
void aionl_wait_pollfree(struct aionl_wait *aw)
{
	struct aionl_watch *w = aw->w;

	WRITE_ONCE(w->queue_gone, true);
	queue_work(aionl_ev_wq, &w->work);
	list_del_init(&aw->entry.entry);
	smp_store_release(&aw->head, NULL);
}

/* Two events of w, unreported, as one completion says them. */
static s64 aionl_watch_merge(const struct aionl_watch *w, s64 old, s64 res)
{
	if (w->kind == AW_TIMER)
		return old + res;	/* expirations: bounded by AIONL_MAX_NS each */
	return old | res;		/* poll masks */
}

/*
 * A completion with AIONL_CQE_F_MORE, from w's work. It goes out in w's own
 * entry; while that entry waits for the socket, the event merges into it,
 * so an unread watch holds no more memory than it did when armed.
 */
void aionl_watch_more(struct aionl_watch *w, s64 res)
{
	struct aionl_sock *as = w->as;
	struct aionl_kreq *r = w->interim;
	bool flush = false;

	spin_lock(&as->lock);
	if (w->unlinked) {
		/* finishing: the final completion says the rest */
	} else if (w->interim_queued) {
		r->res = aionl_watch_merge(w, r->res, res);
	} else if (w->interim_busy) {
		w->carry = w->has_carry ? aionl_watch_merge(w, w->carry, res) : res;
		w->has_carry = true;
	} else {
		r->res = res;
		w->interim_queued = w->interim_busy = true;
		refcount_inc(&w->refs);		/* the entry's, until it is sent */
		list_add_tail(&r->list, &as->backlog);
		as->nbacklog++;
		flush = true;
	}
	spin_unlock(&as->lock);
	if (flush)
		aionl_flush(as);
}

/*
 * Under as->lock, from a flush: r, a watch's entry, was put in a message
 * (taken) or, that message refused by a full receive buffer, waits in the
 * backlog again. While the interim entry is taken, what the watch reports
 * next waits in carry. A standard signal's entry stays "unsent" until it is
 * delivered (aionl_watch_sent): one that comes again meanwhile merges, even
 * while a message that holds it waits for a full receive buffer.
 */
void aionl_watch_taken(struct aionl_kreq *r, bool taken)
{
	struct aionl_watch *w = r->watch;

	if (r != w->interim)
		return;
	w->interim_queued = !taken;
	if (!taken && w->has_carry) {
		/* The message is gone: the entry can say what came meanwhile. */
		r->res = aionl_watch_merge(w, r->res, w->carry);
		w->has_carry = false;
	}
}

/*
 * Under as->lock, from a flush: r, an entry holding a reference on its watch,
 * went to the socket. Returns the watch whose reference the caller drops
 * after unlocking; *keep says r belongs to the watch (its interim entry),
 * which then either goes out again with what arrived meanwhile, or waits for
 * the next event.
 */
struct aionl_watch *aionl_watch_sent(struct aionl_sock *as, struct aionl_kreq *r, bool *keep)
{
	struct aionl_watch *w = r->watch;
	u64 missed;

	*keep = r == w->interim;
	if (!*keep) {		/* a signal's entry: the signal may queue again */
		if (r->si.signo < SIGRTMIN)
			w->sig_unsent &= ~BIT_ULL(r->si.signo);
		return w;
	}
	if (w->has_carry && !w->unlinked) {
		r->res = w->carry;
		w->has_carry = false;
		w->interim_queued = true;
		list_add_tail(&r->list, &as->backlog);
		as->nbacklog++;
		return NULL;	/* the reference goes with the entry */
	}
	w->interim_busy = false;
	w->has_carry = false;
	/*
	 * A periodic timer is re-armed only now that its last expiry reached
	 * the socket, as timerfd re-arms at read: however short its period,
	 * it costs one interrupt per completion sent, and none while the
	 * program does not read. The expiries that passed meanwhile are
	 * counted as overruns and reported at once.
	 */
	if (w->kind == AW_TIMER && w->interval && !w->unlinked &&
	    !hrtimer_is_queued(&w->timer)) {
		missed = hrtimer_forward_now(&w->timer, ns_to_ktime(w->interval));
		if (missed > 1) {
			atomic64_add(missed - 1, &w->expired);
			queue_work(aionl_ev_wq, &w->work);
		}
		hrtimer_restart(&w->timer);
	}
	return w;
}

/*
 * Stop everything that could still run for w, post its last completion and
 * free it. The caller has set AW_DONE. from_work: called by w's own work.
 */
void aionl_watch_finish(struct aionl_watch *w, s64 res, u32 flags, bool from_work,
			bool in_sender)
{
	struct aionl_sock *as = w->as;

	struct aionl_kreq *r;

	spin_lock(&as->lock);
	list_del(&w->node);
	w->unlinked = true;
	as->nwatches--;
	r = w->final;
	w->final = NULL;
	spin_unlock(&as->lock);
	if (w->kind == AW_SIGNAL)
		aionl_sig_unhash(w);
	if (w->has_timer)
		hrtimer_cancel(&w->timer);
	aionl_watch_unqueue(w);
	/*
	 * Nothing can queue the work any more. But a wake-up or the timer may
	 * have queued it again while it ran (a stream's peer writes while the
	 * work that arming queued is already reading): that one must not run
	 * on freed memory.
	 */
	if (!from_work)
		cancel_work_sync(&w->work);
	else
		cancel_work(&w->work);
	/* Bytes a transfer moved are never reported as cancelled (exactly once). */
	if (w->moved)
		res = w->moved_res;
	r->res = res;
	r->flags = flags;
	aionl_post(as, r, in_sender);
	if (w->io)
		aionl_kreq_free(w->io);	/* drops its buffers, mm and file */
	if (w->file)
		fput(w->file);
	aionl_watch_put(w);	/* a queued task_work may still hold it */
	aionl_sock_count_done(as, &as->watches_live);
}

static void aionl_watch_work(struct work_struct *work);

/* repeats: the watch may complete more than once (AIONL_CQE_F_MORE) with interim_flags. */
struct aionl_watch *aionl_watch_new(struct aionl_sock *as, u8 kind, u64 cookie, bool repeats,
				    u32 interim_flags)
{
	struct aionl_watch *w = kmem_cache_zalloc(aionl_watch_cache, GFP_KERNEL_ACCOUNT);

	if (!w)
		return NULL;
	w->as = as;
	w->kind = kind;
	w->cookie = cookie;
	refcount_set(&w->refs, 1);
	w->final = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (repeats)
		w->interim = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!w->final || (repeats && !w->interim)) {
		aionl_watch_put(w);
		return NULL;
	}
	w->final->cookie = cookie;
	if (w->interim) {
		w->interim->cookie = cookie;
		w->interim->flags = interim_flags | AIONL_CQE_F_MORE;
		w->interim->watch = w;
	}
	INIT_WORK(&w->work, aionl_watch_work);
	spin_lock(&as->lock);
	list_add_tail(&w->node, &as->watches);
	as->nwatches++;
	atomic_inc(&as->watches_live);
	spin_unlock(&as->lock);
	return w;
}

/* w's request has set it up: from now on it may fire, be cancelled, be updated. */
void aionl_watch_armed(struct aionl_watch *w)
{
	spin_lock(&w->as->lock);
	w->armed = true;
	/*
	 * What happened meanwhile, or ready already. Queued under the lock:
	 * once armed and unlocked, a CANCEL from another thread, or the
	 * watch's own work, may end and free it, and the work was then queued
	 * on freed memory (the VM's stress_model, an Oops in the events
	 * workqueue's worker_thread, on both kernels).
	 */
	queue_work(aionl_ev_wq, &w->work);
	spin_unlock(&w->as->lock);
}

/* ------------------------------------------------------------ timers */

static enum hrtimer_restart aionl_timer_fn(struct hrtimer *t)
{
	struct aionl_watch *w = container_of(t, struct aionl_watch, timer);

	if (w->kind == AW_STREAM) {
		w->timed_out = true;
		queue_work(aionl_ev_wq, &w->work);
		return HRTIMER_NORESTART;
	}
	/* Periodic or not: a flush re-arms a periodic timer (aionl_watch_sent). */
	atomic64_inc(&w->expired);
	queue_work(aionl_ev_wq, &w->work);
	return HRTIMER_NORESTART;
}

/*
 * Start w's timer, relative or absolute, on the timer's own clock: always in
 * absolute mode, since an hrtimer set up relative on CLOCK_REALTIME runs on
 * CLOCK_MONOTONIC, where a later absolute update would be misread. The
 * generated parser bounds value and interval by AIONL_MAX_NS: ktime_t holds
 * them, and the addition saturates.
 */
static void aionl_timer_start(struct aionl_watch *w, u64 value, u64 interval, u32 flags)
{
	ktime_t at = ns_to_ktime(value);

	w->interval = interval;
	atomic64_set(&w->expired, 0);
	if (!(flags & AIONL_TIMER_ABS))
		at = ktime_add_safe(hrtimer_cb_get_time(&w->timer), at);
	hrtimer_start(&w->timer, at, HRTIMER_MODE_ABS);
}

int aionl_nl_timer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_timer m;
	struct aionl_sock *as;
	struct aionl_watch *w;
	int err;

	err = aionl_nl_timer_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	/* A later TIMER_UPDATE may make any timer periodic. */
	w = aionl_watch_new(as, AW_TIMER, m.cookie, true, AIONL_CQE_F_TIMER);
	if (!w)
		return -ENOMEM;
	/* The wire's clocks are clockid_t values; the parser admits only these three. */
	hrtimer_init(&w->timer, m.clock, HRTIMER_MODE_ABS);
	w->timer.function = aionl_timer_fn;
	w->has_timer = true;
	aionl_timer_start(w, m.value_ns, m.interval_ns, m.flags);
	aionl_watch_armed(w);
	return 0;
}

int aionl_nl_timer_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_watch *w, *found = NULL;
	struct aionl_timer_update m;
	struct aionl_sock *as;
	int err;

	err = aionl_nl_timer_update_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	/*
	 * Re-armed under as->lock: whoever finishes the watch (its expiry, a
	 * cancel from another thread of the socket) takes the lock to unlink it
	 * before it stops the timer and frees it. The timer's callback never
	 * takes the lock, so cancelling here cannot wait for this holder.
	 */
	spin_lock(&as->lock);
	list_for_each_entry(w, &as->watches, node) {
		if (w->kind == AW_TIMER && w->cookie == m.target && w->armed &&
		    !test_bit(AW_DONE, &w->state)) {
			found = w;
			aionl_debug_delay(AIONL_DELAY_TIMER_UPDATE, false);
			hrtimer_cancel(&w->timer);
			aionl_timer_start(w, m.value_ns, m.interval_ns, m.flags);
			break;
		}
	}
	spin_unlock(&as->lock);
	return aionl_complete_now(as, m.cookie, found ? 0 : -ENOENT);
}

/* ------------------------------------------------------------ readiness */

static int aionl_wake_fn(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	struct aionl_wait *aw = container_of(wait, struct aionl_wait, entry);
	__poll_t mask = key_to_poll(key);

	if (mask & POLLFREE) {
		aionl_wait_pollfree(aw);
		return 0;
	}
	if (mask && !(mask & (aw->w->events | AIONL_EPOLL_ALWAYS)))
		return 0;
	queue_work(aionl_ev_wq, &aw->w->work);
	return 0;
}

/* Every queue the file's poll names: a pipe names its readers' and its writers'. */
static void aionl_queue_proc(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	struct aionl_watch *w = container_of(pt, struct aionl_watch, pt);

	if (w->nwaits == AIONL_WATCH_QUEUES) {
		w->arm_err = -EOPNOTSUPP;
		return;
	}
	aionl_watch_enqueue(w, head, aionl_wake_fn);
}

/* Queue on the file's wait queues; then the state is checked by the work. */
static int aionl_watch_arm(struct aionl_watch *w)
{
	if (!w->file->f_op->poll)
		return -EPERM;	/* regular files: always ready, nothing to wait for */
	init_poll_funcptr(&w->pt, aionl_queue_proc);
	w->pt._key = w->events | AIONL_EPOLL_ALWAYS;
	vfs_poll(w->file, &w->pt);
	if (w->arm_err)
		return w->arm_err;
	aionl_watch_armed(w);
	return 0;
}

int aionl_nl_poll_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	struct aionl_watch *w;
	struct file *file;
	struct aionl_poll m;
	int err;

	err = aionl_nl_poll_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	file = aionl_file_lookup(as, m.handle);
	if (!file)
		return aionl_complete_now(as, m.cookie, -EBADF);
	if (!file->f_op->poll) {
		fput(file);
		return aionl_complete_now(as, m.cookie, -EPERM);
	}
	w = aionl_watch_new(as, AW_POLL, m.cookie, m.flags & AIONL_POLL_MULTISHOT, 0);
	if (!w) {
		fput(file);
		return -ENOMEM;
	}
	/* The protocol's poll bits are poll(2)'s, as epoll's are. */
	BUILD_BUG_ON(AIONL_POLL_IN != (__force u32)EPOLLIN ||
		     AIONL_POLL_OUT != (__force u32)EPOLLOUT ||
		     AIONL_POLL_ERR != (__force u32)EPOLLERR ||
		     AIONL_POLL_HUP != (__force u32)EPOLLHUP);
	w->file = file;
	w->events = (__force __poll_t)m.events;
	w->multishot = m.flags & AIONL_POLL_MULTISHOT;
	err = aionl_watch_arm(w);
	if (err && !test_and_set_bit(AW_DONE, &w->state))
		aionl_watch_finish(w, err, 0, false, true);
	return 0;
}

/* ------------------------------------------------------------ streams */

/*
 * Wait until file (the registered one: cancel finds the request by it) is
 * ready for r, whose own file the transfer runs on. On success the watch
 * owns r and the reference on file. Called in the sender's context, but for
 * an ordered request (chain.c), whose turn may come in a worker: a flush
 * queued as a task_work there would never run.
 */
int aionl_stream_start(struct aionl_sock *as, struct aionl_kreq *r, struct file *file,
		       u64 timeout_ns)
{
	struct aionl_watch *w = aionl_watch_new(as, AW_STREAM, r->cookie, false, 0);
	bool in_sender = !r->ord;
	int err;

	if (!w)
		return -ENOMEM;
	/* An ordered request's completion is now the watch's (chain.c). */
	if (unlikely(r->ord))
		aionl_order_moved(as, r, w->final);
	w->io = r;
	w->file = file;
	w->events = r->dir == ITER_DEST ? EPOLLIN : EPOLLOUT;
	if (timeout_ns) {
		hrtimer_init(&w->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		w->timer.function = aionl_timer_fn;
		w->has_timer = true;
		hrtimer_start(&w->timer, ns_to_ktime(timeout_ns), HRTIMER_MODE_REL);
	}
	err = aionl_watch_arm(w);
	if (err && !test_and_set_bit(AW_DONE, &w->state))
		aionl_watch_finish(w, err, 0, false, in_sender);
	return 0;
}

/*
 * A transfer on a pipe or socket, in the submitter's buffers. Its file never
 * blocks (rw.c, aionl_stream_file()): if another transfer, of the module or
 * not, took what woke us, this one says -EAGAIN and waits for the next
 * wake-up, as the userspace engine does.
 */
static ssize_t aionl_stream_try(struct aionl_watch *w)
{
	struct kiocb kiocb;

	init_sync_kiocb(&kiocb, w->io->file);
	kiocb.ki_flags |= IOCB_NOWAIT;
	return aionl_rw_in_worker(w->io, &kiocb);
}

/* ------------------------------------------------------------ the work */

static void aionl_watch_work(struct work_struct *work)
{
	struct aionl_watch *w = container_of(work, struct aionl_watch, work);
	__poll_t mask;
	ssize_t ret;
	s64 n;

	if (test_bit(AW_DONE, &w->state) || !READ_ONCE(w->armed))
		return;
	/* What the watch waited on is gone: its file's queue, or its task. */
	if (READ_ONCE(w->queue_gone) || READ_ONCE(w->task_gone)) {
		if (!test_and_set_bit(AW_DONE, &w->state))
			aionl_watch_finish(w, w->kind == AW_SIGNAL ? -ESRCH : -ECANCELED, 0, true,
					   false);
		return;
	}
	switch (w->kind) {
	case AW_TIMER:
		n = atomic64_xchg(&w->expired, 0);
		if (!n)
			return;
		if (w->interval)
			aionl_watch_more(w, n);
		else if (!test_and_set_bit(AW_DONE, &w->state))
			aionl_watch_finish(w, n, AIONL_CQE_F_TIMER, true, false);
		return;
	case AW_POLL:
		mask = vfs_poll(w->file, NULL) & (w->events | AIONL_EPOLL_ALWAYS);
		if (!mask)
			return;
		if (w->multishot)
			aionl_watch_more(w, (__force u32)mask);
		else if (!test_and_set_bit(AW_DONE, &w->state))
			aionl_watch_finish(w, (__force u32)mask, 0, true, false);
		return;
	case AW_SIGNAL:
		return;
	case AW_STREAM:
		if (w->timed_out) {
			if (!test_and_set_bit(AW_DONE, &w->state))
				aionl_watch_finish(w, -ETIMEDOUT, 0, true, false);
			return;
		}
		ret = aionl_stream_try(w);
		if (ret == -EAGAIN)
			return;	/* not ready after all: the next wake-up comes back here */
		if (!test_and_set_bit(AW_DONE, &w->state)) {
			aionl_watch_finish(w, ret, 0, true, false);
		} else {
			/* A cancel won meanwhile; its finisher waits for us and reports this. */
			w->moved_res = ret;
			w->moved = true;
		}
		return;
	}
}

/* ------------------------------------------------------------ NOP and cancel */

int aionl_nl_nop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	struct aionl_ord *ord;
	struct aionl_nop m;
	int err;

	err = aionl_nl_nop_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	/* Without flags outside a chain, a wake-up: no drain holds it (chain.c). */
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, 0, true, &ord);
	if (err)
		return err;
	if (ord)
		return aionl_order_result(as, ord, 0);
	return aionl_complete_now(as, m.cookie, 0);
}

/*
 * Cancel what matches: watches end at once with -ECANCELED; file requests
 * still queued are taken off the workqueue and end with -ECANCELED, and
 * running ones finish with their result. Returns how many were found.
 */
static s64 aionl_cancel(struct aionl_sock *as, u64 target, const struct file *tfile, u32 flags,
			bool in_sender)
{
	struct aionl_kreq *r, *rt;
	struct aionl_watch *w;
	LIST_HEAD(unqueued);
	s64 found = 0;

	for (;;) {
		struct aionl_watch *victim = NULL;

		spin_lock(&as->lock);
		list_for_each_entry(w, &as->watches, node) {
			if (w->armed &&
			    aionl_cancel_matches(w->cookie, w->file, NULL, target, tfile, flags) &&
			    !test_and_set_bit(AW_DONE, &w->state)) {
				victim = w;
				break;
			}
		}
		spin_unlock(&as->lock);
		if (!victim)
			break;
		found++;
		aionl_watch_finish(victim, -ECANCELED, 0, false, in_sender);
	}
	spin_lock(&as->lock);
	list_for_each_entry_safe(r, rt, &as->async, async_node) {
		if (!aionl_cancel_matches(r->cookie, r->file, r->file2, target, tfile, flags))
			continue;
		found++;
		if (cancel_work(&r->work))
			list_move(&r->async_node, &unqueued);
	}
	/* And those a chain or a drain holds, none of which started (chain.c). */
	found += aionl_order_cancel_held(as, target, tfile, flags, &unqueued);
	spin_unlock(&as->lock);
	list_for_each_entry_safe(r, rt, &unqueued, async_node) {
		list_del_init(&r->async_node);
		r->in_async = false;
		aionl_io_done(r, -ECANCELED);
	}
	return found;
}

int aionl_nl_cancel_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct file *tfile = NULL;
	struct aionl_sock *as;
	struct aionl_cancel m;
	s64 found;
	int err;

	err = aionl_nl_cancel_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	if (m.flags & AIONL_CANCEL_HANDLE) {
		tfile = aionl_file_lookup(as, m.target);
		if (!tfile)
			return aionl_complete_now(as, m.cookie, -EBADF);
	}
	found = aionl_cancel(as, m.target, tfile, m.flags, true);
	if (tfile)
		fput(tfile);
	return aionl_complete_now(as, m.cookie, found ? found : -ENOENT);
}

/* The socket is going: end every watch (nothing more is sent). */
void aionl_events_release(struct aionl_sock *as)
{
	aionl_cancel(as, 0, NULL, AIONL_CANCEL_ALL, false);
}
