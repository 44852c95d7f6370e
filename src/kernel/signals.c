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
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <net/genetlink.h>

#include "internal.h"

/* The protocol's siginfo fields, as the rules pick them for the signal's kind. */
static void aionl_sig_post(struct aionl_watch *w, const kernel_siginfo_t *info)
{
	struct aionl_kreq *r = aionl_kreq_new(w->as, AIONL_CMD_COMPLETION, 0);

	if (!r)
		return;
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
	struct aionl_sock *as;
	struct aionl_watch *w;
	struct aionl_signal m;
	int err;

	BUILD_BUG_ON(_NSIG_WORDS != 1);
	err = aionl_nl_signal_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(info, true, &err);
	if (!as)
		return err;
	if (!aionl_sigmask_watchable(m.mask))
		return aionl_complete_now(as, m.cookie, -EINVAL);
	w = aionl_watch_new(as, AW_SIGNAL, m.cookie);
	if (!w)
		return -ENOMEM;
	/* dequeue_signal() takes the signals to leave alone, as signalfd keeps it. */
	w->sigmask.sig[0] = ~m.mask;
	w->task = get_task_struct(current);
	init_task_work(&w->tw, aionl_sig_tw);
	init_waitqueue_func_entry(&w->wait, aionl_sig_wake);
	w->head = &current->sighand->signalfd_wqh;
	add_wait_queue(w->head, &w->wait);
	aionl_sig_kick(w);	/* signals already pending */
	return 0;
}
