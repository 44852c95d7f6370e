// SPDX-License-Identifier: GPL-2.0
/*
 * Per-socket state and the delivery of completions.
 *
 * Completions are queued on the sending socket itself, many to a message,
 * from a per-socket backlog that is never dropped: an entry leaves the
 * backlog only once the socket's receive queue has taken the message that
 * carries it. A socket's state is freed in exactly one place, aionl_sock_put().
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/netlink.h>

#include "internal.h"

#define AIONL_SOCKS_BITS 8
static DEFINE_HASHTABLE(aionl_socks, AIONL_SOCKS_BITS);
static DEFINE_SPINLOCK(aionl_socks_lock);

/* ------------------------------------------------------------ requests */

struct aionl_kreq *aionl_kreq_new(struct aionl_sock *as, u8 cmd, u32 seq)
{
	struct aionl_kreq *r = kmem_cache_zalloc(aionl_kreq_cache, GFP_KERNEL_ACCOUNT);

	if (r) {
		r->as = as;
		r->cmd = cmd;
		r->seq = seq;
	}
	return r;
}

/*
 * Drop what a request holds for its I/O: its copy of the buffers, the
 * address space, its file, the submitter's credentials. The one place that
 * does; a request that turns into a completion entry goes through here
 * first, and so does every request freed.
 */
void aionl_kreq_release_io(struct aionl_kreq *r)
{
	if (r->iov && r->iov != &r->one) {
		kfree(r->iov);
		aionl_object_gone();
	}
	r->iov = NULL;
	r->nr_iov = 0;
	if (r->mm) {
		mmdrop(r->mm);
		r->mm = NULL;
	}
	if (r->file) {
		fput(r->file);
		r->file = NULL;
	}
	if (r->file2) {
		fput(r->file2);
		r->file2 = NULL;
	}
	if (r->cred) {
		put_cred(r->cred);
		r->cred = NULL;
	}
	if (r->blkcg) {
		css_put(r->blkcg);
		r->blkcg = NULL;
	}
	if (r->open) {
		aionl_open_free(r->open);
		r->open = NULL;
	}
	if (r->storage) {
		aionl_storage_free(r->storage);
		r->storage = NULL;
	}
}

void aionl_kreq_free(struct aionl_kreq *r)
{
	aionl_kreq_release_io(r);
	kmem_cache_free(aionl_kreq_cache, r);
}

/* ------------------------------------------------------------ socket state */

void aionl_sock_put(struct aionl_sock *as)
{
	struct aionl_kreq *r, *tmp;
	struct file *file;
	unsigned long id;

	if (!refcount_dec_and_test(&as->refs))
		return;
	list_for_each_entry_safe(r, tmp, &as->backlog, list) {
		struct aionl_watch *w = r->watch;

		list_del(&r->list);
		if (w && r == w->interim) {
			aionl_watch_put(w);	/* its entry goes with it */
			continue;
		}
		aionl_kreq_free(r);
		if (w)
			aionl_watch_put(w);
	}
	xa_for_each(&as->files, id, file)
		fput(file);
	xa_destroy(&as->files);
	aionl_order_free(as);
	sock_put((struct sock *)as->sk);
	kfree(as->quick);
	kfree(as);
	aionl_object_gone();
}

static u32 aionl_hash(const struct net *net, u32 portid)
{
	return hash_32(portid ^ (u32)(unsigned long)net, AIONL_SOCKS_BITS);
}

static void aionl_retry_work(struct work_struct *work);
static void aionl_tw_flush(struct callback_head *cb);

/*
 * The state of socket sk, or with sk NULL that of the released socket that
 * held portid: netlink has already marked it dead (sock_orphan) when it
 * sends NETLINK_URELEASE.
 */
static struct aionl_sock *aionl_sock_find(struct net *net, u32 portid, const struct sock *sk)
{
	struct aionl_sock *as;

	hash_for_each_possible(aionl_socks, as, node, aionl_hash(net, portid)) {
		if (as->portid != portid || !net_eq(read_pnet(&as->net), net))
			continue;
		if (sk ? as->sk == sk : sock_flag(as->sk, SOCK_DEAD))
			return as;
	}
	return NULL;
}

/*
 * The state of the socket that sent skb. No reference is taken: doit runs
 * inside the sender's sendmsg, which holds the socket's file, and
 * NETLINK_URELEASE, which drops the socket's reference, comes only once the
 * socket is released.
 */
struct aionl_sock *aionl_sock_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	const struct sock *sk = NETLINK_CB(skb).sk;
	struct aionl_sock *as, *found;

	spin_lock(&aionl_socks_lock);
	as = aionl_sock_find(net, info->snd_portid, sk);
	spin_unlock(&aionl_socks_lock);
	if (as)
		return as;

	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return NULL;
	as->quick = kmalloc_array(AIONL_QUICK_MAX, sizeof(*as->quick), GFP_KERNEL_ACCOUNT);
	if (!as->quick) {
		kfree(as);
		return NULL;
	}
	aionl_object_new();
	refcount_set(&as->refs, 1);
	write_pnet(&as->net, net);
	as->portid = info->snd_portid;
	as->sk = sk;
	do {
		as->tag = get_random_u32();
	} while (!as->tag);
	xa_init_flags(&as->files, XA_FLAGS_ALLOC);
	spin_lock_init(&as->lock);
	INIT_LIST_HEAD(&as->backlog);
	INIT_LIST_HEAD(&as->watches);
	INIT_LIST_HEAD(&as->async);
	atomic_set(&as->inflight, 0);
	atomic_set(&as->watches_live, 0);
	init_waitqueue_head(&as->idle);
	mutex_init(&as->flush_lock);
	INIT_DELAYED_WORK(&as->retry, aionl_retry_work);
	init_task_work(&as->tw, aionl_tw_flush);

	spin_lock(&aionl_socks_lock);
	found = aionl_sock_find(net, info->snd_portid, sk);
	if (!found) {
		/*
		 * The state keeps its socket: aionl_sock_find reads SOCK_DEAD
		 * through it, and a socket freed while its state lived could
		 * be reallocated, at the same address, for a new one.
		 */
		sock_hold((struct sock *)sk);
		hash_add(aionl_socks, &as->node, aionl_hash(net, info->snd_portid));
	}
	spin_unlock(&aionl_socks_lock);
	if (found) {
		kfree(as->quick);
		kfree(as);
		aionl_object_gone();
		return found;
	}
	return as;
}

/* ------------------------------------------------------------ delivery */

static int aionl_put_quick(struct sk_buff *skb, const struct aionl_quick *q)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK, .cookie = q->cookie, .res = q->res,
	};

	return aionl_nl_completion_put(skb, 0, &m);
}

static int aionl_put_entry(struct sk_buff *skb, const struct aionl_kreq *r)
{
	switch (r->cmd) {
	case AIONL_CMD_COMPLETION: {
		struct aionl_completion m = {
			.present = AIONL_COMPLETION_REQUIRED_MASK, .cookie = r->cookie, .res = r->res,
		};

		if (r->has_si)
			aionl_completion_set_signal(&m, &r->si);
		if (r->flags) {
			m.present |= 1ULL << AIONL_A_COMPLETION_FLAGS;
			m.flags = r->flags;
		}
		if (r->has_handle) {
			m.present |= 1ULL << AIONL_A_COMPLETION_HANDLE;
			m.handle = r->handle;
		}
		return aionl_nl_completion_put(skb, 0, &m);
	}
	case AIONL_CMD_INSTALL: {
		struct aionl_install_reply m = {
			.present = AIONL_INSTALL_REPLY_REQUIRED_MASK, .res = r->res,
		};

		if (!r->res) {
			m.present |= 1ULL << AIONL_A_INSTALL_REPLY_FD;
			m.fd = r->fd;
		}
		return aionl_nl_install_reply_put(skb, r->seq, &m);
	}
	case AIONL_CMD_REGISTER: {
		struct aionl_register_reply m = {
			.present = AIONL_REGISTER_REPLY_REQUIRED_MASK, .res = r->res,
			.handle = r->handle,
		};

		if (!r->res)
			m.present |= 1ULL << AIONL_A_REGISTER_REPLY_HANDLE;
		return aionl_nl_register_reply_put(skb, r->seq, &m);
	}
	case AIONL_CMD_BIND: {
		struct aionl_bind_reply m = {
			.present = AIONL_BIND_REPLY_REQUIRED_MASK, .res = r->res,
		};

		if (!r->res) {
			m.present |= 1ULL << AIONL_A_BIND_REPLY_DEV;
			m.dev = r->handle;
		}
		return aionl_nl_bind_reply_put(skb, r->seq, &m);
	}
	case AIONL_CMD_UNREGISTER: {
		struct aionl_unregister_reply m = {
			.present = AIONL_UNREGISTER_REPLY_REQUIRED_MASK, .res = r->res,
		};

		return aionl_nl_unregister_reply_put(skb, r->seq, &m);
	}
	case AIONL_CMD_GET_INFO: {
		struct aionl_get_info_reply m = {
			.present = AIONL_GET_INFO_REPLY_REQUIRED_MASK |
				   1ULL << AIONL_A_GET_INFO_REPLY_COMMANDS |
				   1ULL << AIONL_A_GET_INFO_REPLY_ORDER_FLAGS,
			.version = AIONL_FAMILY_VERSION,
			.backend = AIONL_BACKEND_KERNEL,
			.executor = AIONL_EXEC_KERNEL,
			.max_inflight = READ_ONCE(aionl_max_inflight),
			.max_files = AIONL_MAX_FILES,
			.max_io_len = AIONL_MAX_IO_LEN,
			.max_iov = AIONL_MAX_IOV,
			.max_msg_size = AIONL_KMSG_SIZE,
			.commands = aionl_cmds_served(),
			.order_flags = aionl_req_flags_served(),
		};

		return aionl_nl_get_info_reply_put(skb, r->seq, &m);
	}
	}
	return -EINVAL;
}

/* Free what went out; a watch's entries go back to their watch. */
static void aionl_free_sent(struct aionl_sock *as, struct list_head *sent)
{
	struct aionl_kreq *r, *tmp;

	list_for_each_entry_safe(r, tmp, sent, list) {
		struct aionl_watch *w;
		bool keep;

		list_del(&r->list);
		if (!r->watch) {
			aionl_kreq_free(r);
			continue;
		}
		spin_lock(&as->lock);
		w = aionl_watch_sent(as, r, &keep);
		spin_unlock(&as->lock);
		if (!keep)
			aionl_kreq_free(r);
		if (w)
			aionl_watch_put(w);
	}
}

/*
 * Queue skb on the socket the state belongs to, and only on it. Sending by
 * port id, as genlmsg_unicast() does, could reach another socket: netlink
 * frees a released socket's port id before NETLINK_URELEASE tells us, and a
 * new socket may bind it in between. The state holds its socket (sock_hold),
 * so queueing on it is safe even once it is dead; a dead socket's queue is
 * purged when its last reference goes. The receive-buffer check, the owner
 * charge and a socket filter are those of any datagram socket
 * (sock_queue_rcv_skb); netlink taps (nlmon) do not see completions.
 *
 * 0 once queued (or dropped by the socket's own filter, which netlink_unicast
 * also counts as delivered), -EAGAIN if the receive buffer is full,
 * -ECONNREFUSED if the socket is gone.
 */
static int aionl_deliver(struct aionl_sock *as, struct sk_buff *skb)
{
	struct sock *sk = (struct sock *)as->sk;
	int err;

	if (sock_flag(sk, SOCK_DEAD)) {
		kfree_skb(skb);
		return -ECONNREFUSED;
	}
	/* From the kernel: port id 0, no group, as netlink_unicast() leaves them. */
	NETLINK_CB(skb).portid = 0;
	NETLINK_CB(skb).dst_group = 0;
	err = sock_queue_rcv_skb(sk, skb);
	if (!err)
		return 0;
	kfree_skb(skb);
	return err == -ENOMEM || err == -ENOBUFS ? -EAGAIN : 0;
}

/* Under flush_lock: try again later, later each time the buffer stays full. */
static void aionl_retry_later(struct aionl_sock *as)
{
	unsigned long delay = clamp(as->retry_delay, (unsigned long)AIONL_RETRY_JIFFIES,
				    (unsigned long)AIONL_RETRY_MAX_JIFFIES);

	queue_delayed_work(aionl_ev_wq, &as->retry, delay);
	as->retry_delay = min(delay * 2, (unsigned long)AIONL_RETRY_MAX_JIFFIES);
}

/*
 * Send the backlog to the socket, as many entries to a message as fit. An
 * entry is removed only after aionl_deliver() queued its message: a full
 * receive buffer makes netlink drop the skb, and then the entries are simply
 * sent again later, so nothing is ever lost.
 */
void aionl_flush(struct aionl_sock *as)
{
	mutex_lock(&as->flush_lock);
	for (;;) {
		struct aionl_kreq *r;
		struct sk_buff *skb;
		LIST_HEAD(sent);
		unsigned int n = 0, nq = 0;
		size_t size;
		int err;

		spin_lock(&as->lock);
		if ((list_empty(&as->backlog) && !as->nquick) || as->dead) {
			spin_unlock(&as->lock);
			break;
		}
		size = min_t(size_t, AIONL_KMSG_SIZE,
			     AIONL_KMSG_BASE +
			     ((size_t)as->nbacklog + as->nquick) * AIONL_KMSG_PER_ENTRY);
		spin_unlock(&as->lock);

		/* A full buffer refuses the message: do not build it (rmem 0 takes any). */
		if (atomic_read(&as->sk->sk_rmem_alloc) >= READ_ONCE(as->sk->sk_rcvbuf)) {
			aionl_retry_later(as);
			break;
		}
		skb = genlmsg_new(size, GFP_KERNEL);
		if (!skb) {
			aionl_retry_later(as);
			break;
		}
		/*
		 * Only this flush (flush_lock) removes entries; others only
		 * append meanwhile, so what is put here stays at the front.
		 */
		spin_lock(&as->lock);
		while (nq < as->nquick && !aionl_put_quick(skb, &as->quick[nq]))
			nq++;
		if (nq == as->nquick) {
			list_for_each_entry(r, &as->backlog, list) {
				if (aionl_put_entry(skb, r))
					break;
				if (r->watch)
					aionl_watch_taken(r, true);
				n++;
			}
		}
		spin_unlock(&as->lock);
		if (WARN_ON_ONCE(!n && !nq)) {	/* an entry larger than a message */
			nlmsg_free(skb);
			break;
		}

		err = aionl_deliver(as, skb);
		if (err == -EAGAIN) {
			/* Receive buffer full: retry once the program has read. */
			spin_lock(&as->lock);
			list_for_each_entry(r, &as->backlog, list) {
				if (!n--)
					break;
				if (r->watch)
					aionl_watch_taken(r, false);
			}
			spin_unlock(&as->lock);
			aionl_retry_later(as);
			break;
		}
		as->retry_delay = AIONL_RETRY_JIFFIES;
		spin_lock(&as->lock);
		as->nquick -= nq;
		memmove(as->quick, as->quick + nq, as->nquick * sizeof(*as->quick));
		for (; n; n--) {
			r = list_first_entry(&as->backlog, struct aionl_kreq, list);
			list_move_tail(&r->list, &sent);
			as->nbacklog--;
		}
		spin_unlock(&as->lock);
		aionl_free_sent(as, &sent);
		if (err)	/* the socket is gone: nobody will read the rest */
			break;
	}
	mutex_unlock(&as->flush_lock);
}

static void aionl_retry_work(struct work_struct *work)
{
	struct aionl_sock *as = container_of(to_delayed_work(work), struct aionl_sock, retry);

	aionl_flush(as);
}

static void aionl_tw_flush(struct callback_head *cb)
{
	struct aionl_sock *as = container_of(cb, struct aionl_sock, tw);

	spin_lock(&as->lock);
	as->tw_pending = false;
	spin_unlock(&as->lock);
	aionl_flush(as);
	aionl_sock_put(as);
	/* Last, as a tail call: see aionl_sig_tw(). */
	module_put(THIS_MODULE);
}

/*
 * Called in the sender's context with as->lock held: flush when it returns
 * to user space. True if it must flush now instead (the task is exiting).
 */
static bool aionl_arm_flush(struct aionl_sock *as)
{
	if (as->tw_pending)
		return false;
	/*
	 * The callback holds the state, and the module, until it runs. Once
	 * rmmod has begun the task_work could outlive the module: flush now.
	 */
	if (!try_module_get(THIS_MODULE))
		return true;
	refcount_inc(&as->refs);
	if (task_work_add(current, &as->tw, TWA_RESUME) == 0) {
		as->tw_pending = true;
		return false;
	}
	refcount_dec(&as->refs);
	module_put(THIS_MODULE);
	return true;
}

/*
 * Queue a finished entry. From a doit handler, the flush waits for the
 * sender's return to user space, so one sendmsg of many requests makes one
 * message of many completions; from a worker it happens at once.
 */
void aionl_post(struct aionl_sock *as, struct aionl_kreq *r, bool in_sender)
{
	/* Read first: once in the backlog, a flush elsewhere may free r. */
	struct aionl_ord *ord = r->ord;
	s64 res = r->res;
	bool flush_now = !in_sender;

	r->ord = NULL;
	spin_lock(&as->lock);
	list_add_tail(&r->list, &as->backlog);
	as->nbacklog++;
	if (in_sender && aionl_arm_flush(as))
		flush_now = true;
	spin_unlock(&as->lock);
	/*
	 * An ordered request's end: the next of its chain, a drain (chain.c),
	 * started before this completion leaves, so that a cancel the program
	 * sends once it has read it finds what it started.
	 */
	if (unlikely(ord))
		aionl_order_done(as, ord, res);
	if (flush_now)
		aionl_flush(as);
}

/*
 * Complete a request in the sender's context. The completion waits in the
 * compact queue; a request structure (a slab object of a few hundred bytes
 * to clear) is needed only when that queue is full.
 */
int aionl_complete_now(struct aionl_sock *as, u64 cookie, s64 res)
{
	struct aionl_kreq *r;
	bool flush_now;

	spin_lock(&as->lock);
	if (as->nquick < AIONL_QUICK_MAX) {
		as->quick[as->nquick++] = (struct aionl_quick){ .cookie = cookie, .res = res };
		flush_now = aionl_arm_flush(as);
		spin_unlock(&as->lock);
		if (flush_now)
			aionl_flush(as);
		return 0;
	}
	spin_unlock(&as->lock);
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r)
		return -ENOMEM;
	r->cookie = cookie;
	r->res = res;
	aionl_post(as, r, true);
	return 0;
}

/* ------------------------------------------------------------ release */

/*
 * One of the socket's requests or watches is done with it. The release may
 * be waiting for this very count, and free the state as soon as it sees 0:
 * the wake-up holds a reference of its own.
 */
void aionl_sock_count_done(struct aionl_sock *as, atomic_t *count)
{
	refcount_inc(&as->refs);
	if (atomic_dec_and_test(count))
		wake_up(&as->idle);
	/* A drain may wait for this very request (chain.c). */
	aionl_order_kick(as);
	aionl_sock_put(as);
}

/*
 * The socket is closing (or its process is exiting): wait for its I/O, then
 * drop the socket's reference. The state is freed by the last reference.
 */
/*
 * The first half of a release, in the context that closed the socket: no
 * more sends, every request cancelled that can be, watches (signal watches
 * above all, which would go on taking the process's signals) ended, OPENs
 * waiting for a signal interrupted. None of it waits.
 */
static void aionl_sock_release_begin(struct aionl_sock *as)
{
	spin_lock(&as->lock);
	as->dead = true;
	spin_unlock(&as->lock);
	aionl_events_release(as);
	/* OPENs that wait in the filesystem for a signal stop waiting. */
	aionl_open_release(as);
}

/*
 * The second half waits for what is still running: file I/O that may be
 * stuck in a filesystem for as long as it likes (a FUSE daemon that is the
 * closing process itself, say). So it runs on aionl_release_wq, as io_uring
 * defers a ring's exit to a work item: never in the NETLINK_URELEASE
 * notifier, whose chain netlink holds (and rmmod, or any module that
 * registers a netlink notifier, would wait behind), nor in the closing
 * task, which would sit in D state.
 */
static void aionl_sock_release_finish(struct aionl_sock *as)
{
	/* Watches their own work is finishing, too: they still post. */
	wait_event(as->idle, atomic_read(&as->inflight) == 0 &&
			     atomic_read(&as->watches_live) == 0);
	aionl_open_release_done(as);
	if (as->io_wq) {
		destroy_workqueue(as->io_wq);
		aionl_user_queue_put(as->io_wq_user);
	}
	as->io_wq = NULL;
	/*
	 * A flush still running ends before the retry is cancelled: one that
	 * met a full receive buffer queues the retry again, which then ran on
	 * freed state. Later flushes see dead and queue nothing.
	 */
	mutex_lock(&as->flush_lock);
	mutex_unlock(&as->flush_lock);
	cancel_delayed_work_sync(&as->retry);
	aionl_sock_put(as);
}

static void aionl_release_work(struct work_struct *work)
{
	aionl_sock_release_finish(container_of(work, struct aionl_sock, release_work));
}

static int aionl_netlink_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct netlink_notify *n = data;
	struct aionl_sock *as;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	aionl_debug_delay(AIONL_DELAY_RELEASE, true);
	spin_lock(&aionl_socks_lock);
	as = aionl_sock_find(n->net, n->portid, NULL);
	if (as)
		hash_del(&as->node);
	spin_unlock(&aionl_socks_lock);
	if (as) {
		aionl_sock_release_begin(as);
		INIT_WORK(&as->release_work, aionl_release_work);
		queue_work(aionl_release_wq, &as->release_work);
	}
	return NOTIFY_DONE;
}

struct notifier_block aionl_netlink_notifier = {
	.notifier_call = aionl_netlink_notify,
};

/* At module exit, when no request can arrive any more: release every socket's state. */
void aionl_socks_release_all(void)
{
	for (;;) {
		struct aionl_sock *as = NULL;
		unsigned int bkt;

		spin_lock(&aionl_socks_lock);
		for (bkt = 0; bkt < HASH_SIZE(aionl_socks) && !as; bkt++)
			as = hlist_entry_safe(aionl_socks[bkt].first, struct aionl_sock, node);
		if (as)
			hash_del(&as->node);
		spin_unlock(&aionl_socks_lock);
		if (!as)
			return;
		aionl_sock_release_begin(as);
		aionl_sock_release_finish(as);
	}
}
