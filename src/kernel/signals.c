// SPDX-License-Identifier: GPL-2.0
/*
 * Signal watches of aionl.ko.
 *
 * A signal watch sits on the watching task's signalfd wait queue, which the
 * kernel wakes whenever a signal is sent to the process or to a thread of it.
 * Signals can only be dequeued by the task they are pending for, so the wake
 * queues a task_work (TWA_SIGNAL) on the watching task: it runs on that
 * task's way back to user space, interrupting a blocking recvmsg, which then
 * restarts, and dequeues the watched signals there, as signalfd's read does.
 */
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <net/genetlink.h>

#include "internal.h"

/*
 * Signal watches by watching task. A watch ends with -ESRCH when its task
 * exits or execs: the signals left are the process's, or the new image's.
 * Nothing the kernel exports to modules tells of either but the scheduler's
 * tracepoints sched_process_exit and sched_process_exec, whose probes find
 * the task's watches here and queue their work. (Without them a watch
 * ended only at the next signal, when its task_work found the task gone,
 * or with the process's sighand, POLLFREE.) The lock is taken in process
 * context only: the probes run with preemption off, the rest may sleep
 * around it but not under it.
 */
#define AIONL_SIG_TASK_BITS 6
static DEFINE_HASHTABLE(aionl_sig_tasks, AIONL_SIG_TASK_BITS);
static DEFINE_SPINLOCK(aionl_sig_tasks_lock);
static atomic_t aionl_sig_watching = ATOMIC_INIT(0);	/* hashed watches: the probes' fast path */
static struct tracepoint *aionl_tp_exit, *aionl_tp_exec;

/* p exits, or runs a new image: its watches end (aionl_watch_work). */
static void aionl_sig_task_gone(struct task_struct *p)
{
	struct aionl_watch *w;

	if (!atomic_read(&aionl_sig_watching))
		return;
	spin_lock(&aionl_sig_tasks_lock);
	hash_for_each_possible(aionl_sig_tasks, w, task_node, (unsigned long)p) {
		if (w->task != p)
			continue;
		WRITE_ONCE(w->task_gone, true);
		queue_work(aionl_ev_wq, &w->work);
	}
	spin_unlock(&aionl_sig_tasks_lock);
}

static void aionl_probe_exit(void *data, struct task_struct *p)
{
	aionl_sig_task_gone(p);
}

static void aionl_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			     struct linux_binprm *bprm)
{
	aionl_sig_task_gone(p);
}

static void aionl_sig_hash(struct aionl_watch *w)
{
	spin_lock(&aionl_sig_tasks_lock);
	hash_add(aionl_sig_tasks, &w->task_node, (unsigned long)w->task);
	atomic_inc(&aionl_sig_watching);
	spin_unlock(&aionl_sig_tasks_lock);
}

/* From aionl_watch_finish(), before w's work is cancelled: no probe queues it after. */
void aionl_sig_unhash(struct aionl_watch *w)
{
	spin_lock(&aionl_sig_tasks_lock);
	if (!hlist_unhashed(&w->task_node)) {
		hash_del(&w->task_node);
		atomic_dec(&aionl_sig_watching);
	}
	spin_unlock(&aionl_sig_tasks_lock);
}

static void aionl_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		aionl_tp_exit = tp;
	else if (!strcmp(tp->name, "sched_process_exec"))
		aionl_tp_exec = tp;
}

int aionl_signals_init(void)
{
	int err;

	for_each_kernel_tracepoint(aionl_find_tracepoint, NULL);
	if (!aionl_tp_exit || !aionl_tp_exec)
		return -ENOENT;
	err = tracepoint_probe_register(aionl_tp_exit, aionl_probe_exit, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(aionl_tp_exec, aionl_probe_exec, NULL);
	if (err) {
		tracepoint_probe_unregister(aionl_tp_exit, aionl_probe_exit, NULL);
		tracepoint_synchronize_unregister();
	}
	return err;
}

/* Once no watch is left: no probe runs after this returns. */
void aionl_signals_exit(void)
{
	tracepoint_probe_unregister(aionl_tp_exec, aionl_probe_exec, NULL);
	tracepoint_probe_unregister(aionl_tp_exit, aionl_probe_exit, NULL);
	tracepoint_synchronize_unregister();
}

/*
 * A signal's completion, in r (allocated before the signal was taken, so
 * that none is lost): the protocol's siginfo fields, as the rules pick them
 * for the signal's kind. A standard signal whose last completion still
 * waits for the socket merges into it, as the kernel's own pending set
 * merges a standard signal sent twice; real-time signals queue, within the
 * socket's limit (aionl_sig_tw).
 */
static void aionl_sig_post(struct aionl_watch *w, struct aionl_kreq *r,
			   const kernel_siginfo_t *info)
{
	struct aionl_sock *as = w->as;
	bool merged = false;

	r->cookie = w->cookie;
	/* Every field as the union holds it; the rules keep what the layout defines. */
	r->si = (struct aionl_siginfo_raw){
		.signo = info->si_signo, .code = info->si_code, .errno_ = info->si_errno,
		.pid = info->si_pid, .uid = info->si_uid, .status = info->si_status,
		.value = (u64)(unsigned long)info->si_ptr,
		.addr = (u64)(unsigned long)info->si_addr,
		.fd = info->si_fd, .band = info->si_band, .overrun = info->si_overrun,
	};
	r->has_si = true;
	r->watch = w;
	spin_lock(&as->lock);
	/*
	 * A cancel that ended the watch since the signal was taken: its final
	 * completion is out, and nothing may follow it. The signal goes with
	 * the watch (docs/events.md).
	 */
	if (w->unlinked)
		merged = true;
	else if (info->si_signo < SIGRTMIN) {
		merged = w->sig_unsent & BIT_ULL(info->si_signo);
		w->sig_unsent |= BIT_ULL(info->si_signo);
	}
	if (!merged)
		refcount_inc(&w->refs);		/* the entry's, until it is sent */
	spin_unlock(&as->lock);
	if (merged) {
		aionl_kreq_free(r);
		return;
	}
	aionl_post(as, r, false);
}

/* Real-time signals are the ones that queue: SIGRTMIN to _NSIG. */
static bool aionl_rt_pending(const struct aionl_watch *w)
{
	u64 pending = current->pending.signal.sig[0] |
		      current->signal->shared_pending.signal.sig[0];

	return pending & ~w->sigmask.sig[0] & ~(BIT_ULL(SIGRTMIN - 1) - 1);
}

/*
 * In the watching task, on its way back to user space: take the watched
 * signals pending for it. The task_work holds a reference on the watch and on
 * the socket's state, which a close from another thread may release
 * meanwhile, and one on the module, which aionl_sig_tw() drops.
 */
static noinline void aionl_sig_take(struct callback_head *cb)
{
	struct aionl_watch *w = container_of(cb, struct aionl_watch, tw);
	struct aionl_sock *as = w->as;
	kernel_siginfo_t info;
	enum pid_type type;
	int signo;

	atomic_set(&w->tw_queued, 0);
	/*
	 * A new program image (exec) is not the one the watch was armed for:
	 * its signals, with their siginfo, are not the watcher's to read. A
	 * thread on its way out (the task_work runs in do_exit) leaves the
	 * process's signals to the process.
	 */
	if (current->self_exec_id != w->exec_id || (current->flags & PF_EXITING)) {
		if (!test_and_set_bit(AW_DONE, &w->state))
			aionl_watch_finish(w, -ESRCH, 0, false, false);
		goto out;
	}
	while (!test_bit(AW_DONE, &w->state)) {
		struct aionl_kreq *r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
		bool full = aionl_sock_full(as, AIONL_ADMIT_REPLY);
		sigset_t mask = w->sigmask;
		bool overflow = false;

		if (!r)
			break;	/* the signals stay pending; the next one comes back */
		/* A full socket takes only the standard signals, which merge. */
		if (full)
			mask.sig[0] |= ~(BIT_ULL(SIGRTMIN - 1) - 1);
		spin_lock_irq(&current->sighand->siglock);
		signo = aionl_dequeue_signal(&mask, &info, &type);
		if (signo <= 0 && full)
			overflow = aionl_rt_pending(w);
		spin_unlock_irq(&current->sighand->siglock);
		if (signo <= 0) {
			aionl_kreq_free(r);
			/*
			 * Queued real-time signals past what the socket may
			 * hold: they stay pending for the process, and the
			 * watch ends, saying so.
			 */
			if (overflow && !test_and_set_bit(AW_DONE, &w->state))
				aionl_watch_finish(w, -EOVERFLOW, 0, false, false);
			break;
		}
		aionl_debug_delay(AIONL_DELAY_SIGNAL, true);
		aionl_sig_post(w, r, &info);
	}
out:
	aionl_watch_put(w);
	aionl_sock_put(as);
}

/*
 * The module reference goes last, as a tail call: once it is dropped, rmmod
 * may free this code, so nothing of the module may run after it, not even a
 * stack-protector check or a return. aionl_sig_take() has the locals; this
 * has none, so the compiler ends it with a jump to module_put(), which
 * returns straight to task_work_run(). tests/kernel/tail-calls.sh checks the
 * built module for that.
 */
static void aionl_sig_tw(struct callback_head *cb)
{
	aionl_sig_take(cb);
	module_put(THIS_MODULE);
}

/*
 * From a wake-up of the task's signalfd queue (atomic, under its lock, so the
 * watch and its socket's state are alive): have the task take its signals.
 */
static void aionl_sig_kick(struct aionl_watch *w)
{
	if (atomic_xchg(&w->tw_queued, 1))
		return;
	/*
	 * Once rmmod has begun (try_module_get fails), a task_work could run
	 * after the module is gone; module exit ends the watch meanwhile.
	 */
	if (!try_module_get(THIS_MODULE)) {
		atomic_set(&w->tw_queued, 0);
		return;
	}
	refcount_inc(&w->refs);
	refcount_inc(&w->as->refs);
	if (task_work_add(w->task, &w->tw, TWA_SIGNAL)) {
		/* The task is exiting: nobody is left to catch its signals. */
		atomic_set(&w->tw_queued, 0);
		refcount_dec(&w->refs);
		refcount_dec(&w->as->refs);
		module_put(THIS_MODULE);
		WRITE_ONCE(w->task_gone, true);
		queue_work(aionl_ev_wq, &w->work);
	}
}

static int aionl_sig_wake(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	struct aionl_wait *aw = container_of(wait, struct aionl_wait, entry);

	/* The sighand is going away with the last thread of the process. */
	if (key_to_poll(key) & POLLFREE)
		aionl_wait_pollfree(aw);
	else
		aionl_sig_kick(aw->w);
	return 0;
}

int aionl_nl_signal_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	struct aionl_watch *w;
	struct aionl_signal m;
	int err;

	BUILD_BUG_ON(_NSIG_WORDS != 1);
	err = aionl_nl_signal_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	if (!aionl_sigmask_watchable(m.mask))
		return aionl_complete_now(as, m.cookie, -EINVAL);
	w = aionl_watch_new(as, AW_SIGNAL, m.cookie, false, 0);
	if (!w)
		return -ENOMEM;
	/* dequeue_signal() takes the signals to leave alone, as signalfd keeps it. */
	w->sigmask.sig[0] = ~m.mask;
	w->task = get_task_struct(current);
	w->exec_id = current->self_exec_id;
	init_task_work(&w->tw, aionl_sig_tw);
	aionl_sig_hash(w);
	aionl_watch_enqueue(w, &current->sighand->signalfd_wqh, aionl_sig_wake);
	aionl_sig_kick(w);	/* signals already pending */
	aionl_watch_armed(w);
	return 0;
}
