// SPDX-License-Identifier: GPL-2.0
/*
 * Event sources of aionl.ko: timers (hrtimers), readiness of registered files
 * (their wait queues, as poll does), reads and writes on pipes and sockets that
 * wait for readiness, per-request deadlines, and cancellation.
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
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <net/genetlink.h>

#include "aionl_internal.h"

enum { AW_TIMER, AW_POLL, AW_STREAM, AW_SIGNAL };
#define AW_DONE 0	/* bit in aionl_watch.state */

struct aionl_watch {
	struct list_head node;		/* aionl_sock.watches, under aionl_sock.lock */
	struct aionl_sock *as;
	u64 cookie;
	u8 kind;
	unsigned long state;
	struct work_struct work;
	struct hrtimer timer;		/* TIMER: the timer; STREAM: the deadline */
	bool has_timer;
	u64 interval;			/* TIMER: ns, 0 one-shot */
	atomic64_t expired;		/* TIMER: expirations not reported yet */
	bool timed_out;			/* STREAM: its deadline passed */
	struct file *file;		/* POLL, STREAM: a reference of our own */
	wait_queue_head_t *head;	/* POLL, STREAM: where wait is queued */
	struct wait_queue_entry wait;
	poll_table pt;
	__poll_t events;
	bool multishot;
	struct aionl_kreq *io;		/* STREAM: pinned pages and direction */

	/* SIGNAL: dequeued in the watching task, by a task_work. */
	refcount_t refs;		/* 1 while armed, +1 per task_work queued */
	sigset_t sigmask;		/* the signals NOT watched */
	struct task_struct *task;
	struct callback_head tw;
	atomic_t tw_queued;
};

static void aionl_watch_put(struct aionl_watch *w)
{
	if (!refcount_dec_and_test(&w->refs))
		return;
	if (w->task)
		put_task_struct(w->task);
	kfree(w);
}

/*
 * Leave a wait queue that may be freed under us: a signal watch's queue lives
 * in the task's sighand, which POLLFREE announces is going. As io_uring's poll.
 */
static void aionl_watch_unqueue(struct aionl_watch *w)
{
	wait_queue_head_t *head;

	rcu_read_lock();
	head = smp_load_acquire(&w->head);
	if (head) {
		spin_lock_irq(&head->lock);
		list_del_init(&w->wait.entry);
		w->head = NULL;
		spin_unlock_irq(&head->lock);
	}
	rcu_read_unlock();
}

static void aionl_watch_post(struct aionl_watch *w, s64 res, u32 flags, bool in_sender)
{
	struct aionl_kreq *r = aionl_kreq_new(w->as, AIONL_CMD_COMPLETION, 0);

	if (!r)
		return;	/* out of memory: the watch goes on; its final entry is reserved */
	r->cookie = w->cookie;
	r->res = res;
	r->flags = flags;
	aionl_post(w->as, r, in_sender);
}

/*
 * Stop everything that could still run for w, post its last completion and
 * free it. The caller has set AW_DONE. from_work: called by w's own work.
 */
static void aionl_watch_finish(struct aionl_watch *w, s64 res, u32 flags, bool from_work,
			       bool in_sender)
{
	struct aionl_sock *as = w->as;

	spin_lock(&as->lock);
	list_del(&w->node);
	as->nwatches--;
	spin_unlock(&as->lock);
	if (w->has_timer)
		hrtimer_cancel(&w->timer);
	aionl_watch_unqueue(w);
	if (!from_work)
		cancel_work_sync(&w->work);
	aionl_watch_post(w, res, flags, in_sender);
	if (w->io)
		aionl_kreq_free(w->io);	/* unpins its pages, drops its file */
	if (w->file)
		fput(w->file);
	aionl_watch_put(w);	/* a queued task_work may still hold it */
}

static void aionl_watch_work(struct work_struct *work);

static struct aionl_watch *aionl_watch_new(struct aionl_sock *as, u8 kind, u64 cookie)
{
	struct aionl_watch *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	w->as = as;
	w->kind = kind;
	w->cookie = cookie;
	refcount_set(&w->refs, 1);
	INIT_WORK(&w->work, aionl_watch_work);
	spin_lock(&as->lock);
	list_add_tail(&w->node, &as->watches);
	as->nwatches++;
	spin_unlock(&as->lock);
	return w;
}

/* ------------------------------------------------------------ timers */

static enum hrtimer_restart aionl_timer_fn(struct hrtimer *t)
{
	struct aionl_watch *w = container_of(t, struct aionl_watch, timer);

	if (w->kind == AW_STREAM) {
		w->timed_out = true;
		queue_work(aionl_wq, &w->work);
		return HRTIMER_NORESTART;
	}
	if (w->interval) {
		atomic64_add(hrtimer_forward_now(t, ns_to_ktime(w->interval)), &w->expired);
		queue_work(aionl_wq, &w->work);
		return HRTIMER_RESTART;
	}
	atomic64_inc(&w->expired);
	queue_work(aionl_wq, &w->work);
	return HRTIMER_NORESTART;
}

static int aionl_clock(u32 clock)
{
	switch (clock) {
	case AIONL_TIMER_CLOCK_MONOTONIC:
		return CLOCK_MONOTONIC;
	case AIONL_TIMER_CLOCK_REALTIME:
		return CLOCK_REALTIME;
	case AIONL_TIMER_CLOCK_BOOTTIME:
		return CLOCK_BOOTTIME;
	}
	return -1;
}

static void aionl_timer_start(struct aionl_watch *w, u64 value, u64 interval, u32 flags)
{
	w->interval = interval;
	atomic64_set(&w->expired, 0);
	hrtimer_start(&w->timer, ns_to_ktime(value),
		      flags & AIONL_TIMER_F_ABS ? HRTIMER_MODE_ABS : HRTIMER_MODE_REL);
}

static u64 aionl_get_u64(struct genl_info *info, int type)
{
	return info->attrs[type] ? nla_get_u64(info->attrs[type]) : 0;
}

static u32 aionl_get_u32(struct genl_info *info, int type)
{
	return info->attrs[type] ? nla_get_u32(info->attrs[type]) : 0;
}

int aionl_nl_timer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	struct aionl_watch *w;
	u32 flags = aionl_get_u32(info, AIONL_A_TIMER_FLAGS);
	int clock, err;
	u64 cookie;

	as = aionl_request_begin(info, AIONL_TIMER_REQUIRED_MASK, true, &err);
	if (!as)
		return err;
	cookie = nla_get_u64(info->attrs[AIONL_A_TIMER_COOKIE]);
	clock = aionl_clock(nla_get_u32(info->attrs[AIONL_A_TIMER_CLOCK]));
	if (clock < 0 || (flags & ~AIONL_TIMER_F_ABS))
		return aionl_complete_now(as, cookie, -EINVAL);
	w = aionl_watch_new(as, AW_TIMER, cookie);
	if (!w)
		return -ENOMEM;
	hrtimer_init(&w->timer, clock, flags & AIONL_TIMER_F_ABS ? HRTIMER_MODE_ABS : HRTIMER_MODE_REL);
	w->timer.function = aionl_timer_fn;
	w->has_timer = true;
	aionl_timer_start(w, nla_get_u64(info->attrs[AIONL_A_TIMER_VALUE_NS]),
			  aionl_get_u64(info, AIONL_A_TIMER_INTERVAL_NS), flags);
	return 0;
}

int aionl_nl_timer_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 flags = aionl_get_u32(info, AIONL_A_TIMER_UPDATE_FLAGS);
	struct aionl_watch *w, *found = NULL;
	struct aionl_sock *as;
	u64 cookie, target;
	int err;

	as = aionl_request_begin(info, AIONL_TIMER_UPDATE_REQUIRED_MASK, false, &err);
	if (!as)
		return err;
	cookie = nla_get_u64(info->attrs[AIONL_A_TIMER_UPDATE_COOKIE]);
	target = nla_get_u64(info->attrs[AIONL_A_TIMER_UPDATE_TARGET]);
	if (flags & ~AIONL_TIMER_F_ABS)
		return aionl_complete_now(as, cookie, -EINVAL);
	/* Requests of one socket run in its sender's context, one at a time. */
	spin_lock(&as->lock);
	list_for_each_entry(w, &as->watches, node) {
		if (w->kind == AW_TIMER && w->cookie == target && !test_bit(AW_DONE, &w->state)) {
			found = w;
			break;
		}
	}
	spin_unlock(&as->lock);
	if (!found)
		return aionl_complete_now(as, cookie, -ENOENT);
	hrtimer_cancel(&found->timer);
	aionl_timer_start(found, nla_get_u64(info->attrs[AIONL_A_TIMER_UPDATE_VALUE_NS]),
			  aionl_get_u64(info, AIONL_A_TIMER_UPDATE_INTERVAL_NS), flags);
	return aionl_complete_now(as, cookie, 0);
}

/* ------------------------------------------------------------ readiness */

static int aionl_wake_fn(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	struct aionl_watch *w = container_of(wait, struct aionl_watch, wait);
	__poll_t mask = key_to_poll(key);

	if (mask && !(mask & (w->events | EPOLLERR | EPOLLHUP)))
		return 0;
	queue_work(aionl_wq, &w->work);
	return 0;
}

static void aionl_queue_proc(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	struct aionl_watch *w = container_of(pt, struct aionl_watch, pt);

	if (w->head)	/* one wait queue is enough for the files we watch */
		return;
	w->head = head;
	init_waitqueue_func_entry(&w->wait, aionl_wake_fn);
	add_wait_queue(head, &w->wait);
}

/* Queue on the file's wait queue; then the state is checked by the work. */
static int aionl_watch_arm(struct aionl_watch *w)
{
	if (!w->file->f_op->poll)
		return -EPERM;	/* regular files: always ready, nothing to wait for */
	init_poll_funcptr(&w->pt, aionl_queue_proc);
	w->pt._key = w->events | EPOLLERR | EPOLLHUP;
	vfs_poll(w->file, &w->pt);
	queue_work(aionl_wq, &w->work);	/* it may be ready already */
	return 0;
}

int aionl_nl_poll_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 flags = aionl_get_u32(info, AIONL_A_POLL_FLAGS);
	struct aionl_sock *as;
	struct aionl_watch *w;
	struct file *file;
	u32 events;
	u64 cookie;
	int err;

	as = aionl_request_begin(info, AIONL_POLL_REQUIRED_MASK, true, &err);
	if (!as)
		return err;
	cookie = nla_get_u64(info->attrs[AIONL_A_POLL_COOKIE]);
	events = nla_get_u32(info->attrs[AIONL_A_POLL_EVENTS]);
	if ((flags & ~AIONL_POLL_F_MULTISHOT) ||
	    (events & ~(AIONL_POLL_EV_IN | AIONL_POLL_EV_OUT | AIONL_POLL_EV_ERR | AIONL_POLL_EV_HUP)))
		return aionl_complete_now(as, cookie, -EINVAL);
	file = aionl_file_lookup(as, nla_get_u64(info->attrs[AIONL_A_POLL_HANDLE]));
	if (!file)
		return aionl_complete_now(as, cookie, -EBADF);
	if (!file->f_op->poll) {
		fput(file);
		return aionl_complete_now(as, cookie, -EPERM);
	}
	w = aionl_watch_new(as, AW_POLL, cookie);
	if (!w) {
		fput(file);
		return -ENOMEM;
	}
	w->file = file;
	/* The IDL's poll bits are poll(2)'s: the same as EPOLL*. */
	w->events = (__force __poll_t)events;
	w->multishot = flags & AIONL_POLL_F_MULTISHOT;
	return aionl_watch_arm(w);
}

/* ------------------------------------------------------------ streams */

int aionl_stream_start(struct aionl_sock *as, struct aionl_kreq *r, const struct iovec *iov,
		       unsigned int nr_iov, u64 timeout_ns)
{
	struct aionl_watch *w = aionl_watch_new(as, AW_STREAM, r->cookie);
	int err;

	if (!w)
		return -ENOMEM;
	w->io = r;
	w->file = get_file(r->file);
	w->events = r->dir == ITER_DEST ? EPOLLIN : EPOLLOUT;
	if (timeout_ns) {
		hrtimer_init(&w->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		w->timer.function = aionl_timer_fn;
		w->has_timer = true;
		hrtimer_start(&w->timer, ns_to_ktime(timeout_ns), HRTIMER_MODE_REL);
	}
	err = aionl_watch_arm(w);
	if (err && !test_and_set_bit(AW_DONE, &w->state))
		aionl_watch_finish(w, err, 0, false, true);
	return 0;
}

/* A transfer on a pipe or socket, into the pinned pages, without blocking. */
static ssize_t aionl_stream_try(struct aionl_watch *w)
{
	struct aionl_kreq *r = w->io;
	struct iov_iter iter;
	struct kiocb kiocb;

	/*
	 * Files without FMODE_NOWAIT (pipes on 6.1) ignore IOCB_NOWAIT and
	 * would block this worker: transfer only once poll says it can go.
	 */
	if (!(r->file->f_mode & FMODE_NOWAIT) &&
	    !(vfs_poll(r->file, NULL) & (w->events | EPOLLERR | EPOLLHUP)))
		return -EAGAIN;

	init_sync_kiocb(&kiocb, r->file);
	kiocb.ki_flags |= IOCB_NOWAIT;
	iov_iter_bvec(&iter, r->dir, r->bvec, r->nr_bvec, r->len);
	return aionl_rw(r->file, &kiocb, &iter, r->dir);
}

/* ------------------------------------------------------------ the work */

static void aionl_watch_work(struct work_struct *work)
{
	struct aionl_watch *w = container_of(work, struct aionl_watch, work);
	__poll_t mask;
	ssize_t ret;
	s64 n;

	if (test_bit(AW_DONE, &w->state))
		return;
	switch (w->kind) {
	case AW_TIMER:
		n = atomic64_xchg(&w->expired, 0);
		if (!n)
			return;
		if (w->interval)
			aionl_watch_post(w, n, AIONL_COMPLETION_F_TIMER | AIONL_COMPLETION_F_MORE, false);
		else if (!test_and_set_bit(AW_DONE, &w->state))
			aionl_watch_finish(w, n, AIONL_COMPLETION_F_TIMER, true, false);
		return;
	case AW_POLL:
		mask = vfs_poll(w->file, NULL) & (w->events | EPOLLERR | EPOLLHUP);
		if (!mask)
			return;
		if (w->multishot)
			aionl_watch_post(w, (__force u32)mask, AIONL_COMPLETION_F_MORE, false);
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
		if (!test_and_set_bit(AW_DONE, &w->state))
			aionl_watch_finish(w, ret, 0, true, false);
		return;
	}
}

/* ------------------------------------------------------------ cancellation */

static bool aionl_cancel_match(u64 cookie, const struct file *file, u64 target,
			       const struct file *tfile, u32 flags)
{
	if (flags & AIONL_CANCEL_F_ALL)
		return true;
	if (flags & AIONL_CANCEL_F_HANDLE)
		return file && file == tfile;
	return cookie == target;
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
			if (aionl_cancel_match(w->cookie, w->file, target, tfile, flags) &&
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
		if (!aionl_cancel_match(r->cookie, r->file, target, tfile, flags))
			continue;
		found++;
		if (cancel_work(&r->work))
			list_move(&r->async_node, &unqueued);
	}
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
	u32 flags = aionl_get_u32(info, AIONL_A_CANCEL_FLAGS);
	u64 target = aionl_get_u64(info, AIONL_A_CANCEL_TARGET);
	struct file *tfile = NULL;
	struct aionl_sock *as;
	u64 cookie;
	s64 found;
	int err;

	as = aionl_request_begin(info, AIONL_CANCEL_REQUIRED_MASK, false, &err);
	if (!as)
		return err;
	cookie = nla_get_u64(info->attrs[AIONL_A_CANCEL_COOKIE]);
	if (flags & ~(AIONL_CANCEL_F_HANDLE | AIONL_CANCEL_F_ALL))
		return aionl_complete_now(as, cookie, -EINVAL);
	if (flags & AIONL_CANCEL_F_HANDLE) {
		tfile = aionl_file_lookup(as, target);
		if (!tfile)
			return aionl_complete_now(as, cookie, -EBADF);
	}
	found = aionl_cancel(as, target, tfile, flags, true);
	if (tfile)
		fput(tfile);
	return aionl_complete_now(as, cookie, found ? found : -ENOENT);
}

/* The socket is going: end every watch (nothing more is sent). */
void aionl_events_release(struct aionl_sock *as)
{
	aionl_cancel(as, 0, NULL, AIONL_CANCEL_F_ALL, false);
}

/* ------------------------------------------------------------ signals */

/*
 * A signal watch sits on the watching task's signalfd wait queue, which the
 * kernel wakes whenever a signal is sent to the process or to a thread of it.
 * Signals can only be dequeued by the task they are pending for, so the wake
 * queues a task_work (TWA_SIGNAL) on the watching task: it runs on that
 * task's way back to user space, interrupting a blocking recvmsg, which then
 * restarts, and dequeues the watched signals there, as signalfd's read does.
 */
static void aionl_sig_post(struct aionl_watch *w, const kernel_siginfo_t *info)
{
	struct aionl_kreq *r = aionl_kreq_new(w->as, AIONL_CMD_COMPLETION, 0);

	if (!r)
		return;
	r->cookie = w->cookie;
	r->res = info->si_signo;
	r->flags = AIONL_COMPLETION_F_SIGNAL | AIONL_COMPLETION_F_MORE;
	r->si = *info;
	r->has_si = true;
	aionl_post(w->as, r, false);
}

static void aionl_sig_tw(struct callback_head *cb)
{
	struct aionl_watch *w = container_of(cb, struct aionl_watch, tw);
	kernel_siginfo_t info;
	enum pid_type type;
	int signo;

	atomic_set(&w->tw_queued, 0);
	while (!test_bit(AW_DONE, &w->state)) {
		spin_lock_irq(&current->sighand->siglock);
		signo = dequeue_signal(current, &w->sigmask, &info, &type);
		spin_unlock_irq(&current->sighand->siglock);
		if (signo <= 0)
			break;
		aionl_sig_post(w, &info);
	}
	aionl_watch_put(w);
	module_put(THIS_MODULE);
}

static void aionl_sig_kick(struct aionl_watch *w)
{
	if (atomic_xchg(&w->tw_queued, 1))
		return;
	refcount_inc(&w->refs);
	__module_get(THIS_MODULE);
	if (task_work_add(w->task, &w->tw, TWA_SIGNAL)) {
		/* The task is exiting: nobody is left to catch its signals. */
		atomic_set(&w->tw_queued, 0);
		refcount_dec(&w->refs);
		module_put(THIS_MODULE);
	}
}

static int aionl_sig_wake(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	struct aionl_watch *w = container_of(wait, struct aionl_watch, wait);

	if (key_to_poll(key) & POLLFREE) {
		/* The sighand is going away: leave its queue now. */
		list_del_init(&wait->entry);
		smp_store_release(&w->head, NULL);
		return 0;
	}
	aionl_sig_kick(w);
	return 0;
}

int aionl_nl_signal_doit(struct sk_buff *skb, struct genl_info *info)
{
	const u64 unblockable = 1ULL << (SIGKILL - 1) | 1ULL << (SIGSTOP - 1);
	struct aionl_sock *as;
	struct aionl_watch *w;
	u64 cookie, mask;
	int err;

	BUILD_BUG_ON(_NSIG_WORDS != 1);
	as = aionl_request_begin(info, AIONL_SIGNAL_REQUIRED_MASK, true, &err);
	if (!as)
		return err;
	cookie = nla_get_u64(info->attrs[AIONL_A_SIGNAL_COOKIE]);
	mask = nla_get_u64(info->attrs[AIONL_A_SIGNAL_MASK]);
	if (!mask || (mask & unblockable))
		return aionl_complete_now(as, cookie, -EINVAL);
	w = aionl_watch_new(as, AW_SIGNAL, cookie);
	if (!w)
		return -ENOMEM;
	/* dequeue_signal() takes the signals to leave alone, as signalfd keeps it. */
	w->sigmask.sig[0] = ~mask;
	w->task = get_task_struct(current);
	init_task_work(&w->tw, aionl_sig_tw);
	init_waitqueue_func_entry(&w->wait, aionl_sig_wake);
	w->head = &current->sighand->signalfd_wqh;
	add_wait_queue(w->head, &w->wait);
	aionl_sig_kick(w);	/* signals already pending */
	return 0;
}
