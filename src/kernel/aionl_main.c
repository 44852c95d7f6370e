// SPDX-License-Identifier: GPL-2.0
/*
 * aionl: asynchronous file I/O through a generic netlink socket.
 *
 * A program's netlink socket is its AIO socket. Requests arrive through
 * genl doit handlers, which run in the sender's context: files are looked up
 * in its file table, page-cache hits are served there and then (IOCB_NOWAIT),
 * and everything else is handed to a workqueue with the caller's pages pinned.
 * Completions are unicast back to the sending socket only, many to a message,
 * from a per-socket backlog that is never dropped: an entry leaves the backlog
 * only once netlink_unicast() has taken the message that carries it.
 *
 * The protocol (commands, attributes, policies) is generated from
 * idl/aionl.proto into gen/; see docs/kernel.md for the design.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "aionl_internal.h"

static unsigned int max_inflight = 65536;
module_param(max_inflight, uint, 0644);
MODULE_PARM_DESC(max_inflight, "Requests outstanding per socket before -EBUSY");

static DEFINE_HASHTABLE(aionl_socks, 8);
static DEFINE_SPINLOCK(aionl_socks_lock);
static struct kmem_cache *aionl_kreq_cache;
struct workqueue_struct *aionl_wq;
static struct genl_family aionl_family;

/* ------------------------------------------------------------ socket state */

void aionl_kreq_free(struct aionl_kreq *r)
{
	if (r->pages) {
		unpin_user_pages_dirty_lock(r->pages, r->nr_pages, r->dir == ITER_DEST);
		kvfree(r->pages);
	}
	kvfree(r->bvec);
	if (r->file)
		fput(r->file);
	kmem_cache_free(aionl_kreq_cache, r);
}

void aionl_sock_put(struct aionl_sock *as)
{
	struct aionl_kreq *r, *tmp;
	struct file *file;
	unsigned long id;

	if (!refcount_dec_and_test(&as->refs))
		return;
	list_for_each_entry_safe(r, tmp, &as->backlog, list)
		aionl_kreq_free(r);
	xa_for_each(&as->files, id, file)
		fput(file);
	xa_destroy(&as->files);
	kfree(as->quick);
	kfree(as);
}

static u32 aionl_hash(const struct net *net, u32 portid)
{
	return hash_32(portid ^ (u32)(unsigned long)net, 8);
}

static void aionl_retry_work(struct work_struct *work);
static void aionl_tw_flush(struct callback_head *cb);

static struct aionl_sock *aionl_sock_find(struct net *net, u32 portid)
{
	struct aionl_sock *as;

	hash_for_each_possible(aionl_socks, as, node, aionl_hash(net, portid))
		if (as->portid == portid && net_eq(read_pnet(&as->net), net))
			return as;
	return NULL;
}

/*
 * The state of the socket that sent info. No reference is taken: doit runs
 * inside the sender's sendmsg, and NETLINK_URELEASE, which drops the socket's
 * reference, cannot run before that sendmsg returns.
 */
struct aionl_sock *aionl_sock_get(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct aionl_sock *as, *found;

	spin_lock(&aionl_socks_lock);
	as = aionl_sock_find(net, info->snd_portid);
	spin_unlock(&aionl_socks_lock);
	if (as)
		return as;

	as = kzalloc(sizeof(*as), GFP_KERNEL);
	if (!as)
		return NULL;
	as->quick = kmalloc_array(AIONL_QUICK_MAX, sizeof(*as->quick), GFP_KERNEL);
	if (!as->quick) {
		kfree(as);
		return NULL;
	}
	refcount_set(&as->refs, 1);
	write_pnet(&as->net, net);
	as->portid = info->snd_portid;
	do {
		as->tag = get_random_u32();
	} while (!as->tag);
	xa_init_flags(&as->files, XA_FLAGS_ALLOC1);
	spin_lock_init(&as->lock);
	INIT_LIST_HEAD(&as->backlog);
	INIT_LIST_HEAD(&as->watches);
	INIT_LIST_HEAD(&as->async);
	atomic_set(&as->inflight, 0);
	init_waitqueue_head(&as->idle);
	mutex_init(&as->flush_lock);
	INIT_DELAYED_WORK(&as->retry, aionl_retry_work);
	init_task_work(&as->tw, aionl_tw_flush);

	spin_lock(&aionl_socks_lock);
	found = aionl_sock_find(net, info->snd_portid);
	if (!found)
		hash_add(aionl_socks, &as->node, aionl_hash(net, info->snd_portid));
	spin_unlock(&aionl_socks_lock);
	if (found) {
		kfree(as->quick);
		kfree(as);
		return found;
	}
	return as;
}

/* ------------------------------------------------------------ delivery */

/* The IDL's architecture-independent siginfo, as signalfd fills its own. */
static int aionl_put_siginfo(struct sk_buff *skb, const kernel_siginfo_t *si)
{
	u64 value = 0, addr = 0;
	s64 band = 0;
	s32 fd = 0, overrun = 0, status = 0;

	switch (si->si_signo) {
	case SIGCHLD:
		status = si->si_status;
		break;
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
		addr = (u64)(unsigned long)si->si_addr;
		break;
	case SIGPOLL:
		band = si->si_band;
		fd = si->si_fd;
		break;
	}
	if (si->si_code == SI_QUEUE || si->si_code == SI_TIMER || si->si_code == SI_MESGQ ||
	    si->si_code == SI_ASYNCIO)
		value = (u64)(unsigned long)si->si_ptr;
	if (si->si_code == SI_TIMER)
		overrun = si->si_overrun;
	return nla_put_u32(skb, AIONL_A_COMPLETION_SSI_SIGNO, si->si_signo) ||
	       nla_put_s32(skb, AIONL_A_COMPLETION_SSI_CODE, si->si_code) ||
	       nla_put_u32(skb, AIONL_A_COMPLETION_SSI_PID, si->si_code == SI_TIMER ? 0 : si->si_pid) ||
	       nla_put_u32(skb, AIONL_A_COMPLETION_SSI_UID, si->si_code == SI_TIMER ? 0 : si->si_uid) ||
	       nla_put_s32(skb, AIONL_A_COMPLETION_SSI_STATUS, status) ||
	       nla_put_s32(skb, AIONL_A_COMPLETION_SSI_ERRNO, si->si_errno) ||
	       nla_put_u64_64bit(skb, AIONL_A_COMPLETION_SSI_VALUE, value, 0) ||
	       nla_put_u64_64bit(skb, AIONL_A_COMPLETION_SSI_ADDR, addr, 0) ||
	       nla_put_s32(skb, AIONL_A_COMPLETION_SSI_FD, fd) ||
	       nla_put_s64(skb, AIONL_A_COMPLETION_SSI_BAND, band, 0) ||
	       nla_put_s32(skb, AIONL_A_COMPLETION_SSI_OVERRUN, overrun);
}

static int aionl_put_quick(struct sk_buff *skb, const struct aionl_quick *q)
{
	void *hdr = genlmsg_put(skb, 0, 0, &aionl_family, 0, AIONL_CMD_COMPLETION);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, AIONL_A_COMPLETION_COOKIE, q->cookie, 0) ||
	    nla_put_s64(skb, AIONL_A_COMPLETION_RES, q->res, 0)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int aionl_put_entry(struct sk_buff *skb, const struct aionl_kreq *r)
{
	void *hdr = genlmsg_put(skb, 0, r->seq, &aionl_family, 0, r->cmd);

	if (!hdr)
		return -EMSGSIZE;
	switch (r->cmd) {
	case AIONL_CMD_COMPLETION:
		if (nla_put_u64_64bit(skb, AIONL_A_COMPLETION_COOKIE, r->cookie, 0) ||
		    nla_put_s64(skb, AIONL_A_COMPLETION_RES, r->res, 0) ||
		    (r->flags && nla_put_u32(skb, AIONL_A_COMPLETION_FLAGS, r->flags)) ||
		    (r->has_si && aionl_put_siginfo(skb, &r->si)))
			goto cancel;
		break;
	case AIONL_CMD_REGISTER:
		if (nla_put_s64(skb, AIONL_A_REGISTER_REPLY_RES, r->res, 0) ||
		    (!r->res && nla_put_u64_64bit(skb, AIONL_A_REGISTER_REPLY_HANDLE, r->handle, 0)))
			goto cancel;
		break;
	case AIONL_CMD_UNREGISTER:
		if (nla_put_s64(skb, AIONL_A_UNREGISTER_REPLY_RES, r->res, 0))
			goto cancel;
		break;
	case AIONL_CMD_GET_INFO:
		if (nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_VERSION, AIONL_FAMILY_VERSION) ||
		    nla_put_string(skb, AIONL_A_GET_INFO_REPLY_BACKEND, "kernel") ||
		    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_EXECUTOR, AIONL_EXECUTOR_KERNEL) ||
		    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT, READ_ONCE(max_inflight)) ||
		    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_FILES, AIONL_MAX_FILES) ||
		    nla_put_u64_64bit(skb, AIONL_A_GET_INFO_REPLY_MAX_IO_LEN, MAX_RW_COUNT, 0) ||
		    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_IOV, AIONL_MAX_IOV) ||
		    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE, AIONL_MSG_SIZE))
			goto cancel;
		break;
	}
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Send the backlog to the socket, as many entries to a message as fit. An
 * entry is removed only after netlink_unicast() accepted its message: a full
 * receive buffer makes netlink drop the skb, and then the entries are simply
 * sent again later, so nothing is ever lost.
 */
static void aionl_flush(struct aionl_sock *as)
{
	struct net *net = read_pnet(&as->net);

	mutex_lock(&as->flush_lock);
	for (;;) {
		struct aionl_kreq *r;
		struct sk_buff *skb;
		unsigned int n = 0, nq = 0;
		size_t size;
		int err;

		spin_lock(&as->lock);
		if ((list_empty(&as->backlog) && !as->nquick) || as->dead) {
			spin_unlock(&as->lock);
			break;
		}
		/*
		 * Size the message for what waits: a lone completion should not
		 * cost an order-1 allocation, nor that much receive buffer.
		 */
		size = min_t(size_t, AIONL_MSG_SIZE,
			     256 + ((size_t)as->nbacklog + as->nquick) * 64);
		spin_unlock(&as->lock);

		skb = genlmsg_new(size, GFP_KERNEL);
		if (!skb) {
			queue_delayed_work(aionl_wq, &as->retry, AIONL_RETRY_JIFFIES);
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
				n++;
			}
		}
		spin_unlock(&as->lock);
		if (WARN_ON_ONCE(!n && !nq)) {	/* an entry larger than a message */
			nlmsg_free(skb);
			break;
		}

		err = genlmsg_unicast(net, skb, as->portid);
		if (err == -EAGAIN || err == -ENOBUFS) {
			/* Receive buffer full: retry once the program has read. */
			queue_delayed_work(aionl_wq, &as->retry, AIONL_RETRY_JIFFIES);
			break;
		}
		spin_lock(&as->lock);
		as->nquick -= nq;
		memmove(as->quick, as->quick + nq, as->nquick * sizeof(*as->quick));
		for (; n; n--) {
			r = list_first_entry(&as->backlog, struct aionl_kreq, list);
			list_del(&r->list);
			as->nbacklog--;
			aionl_kreq_free(r);
		}
		spin_unlock(&as->lock);
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
	/* The callback holds the state, and the module, until it runs. */
	refcount_inc(&as->refs);
	__module_get(THIS_MODULE);
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
	bool flush_now = !in_sender;

	spin_lock(&as->lock);
	list_add_tail(&r->list, &as->backlog);
	as->nbacklog++;
	if (in_sender && aionl_arm_flush(as))
		flush_now = true;
	spin_unlock(&as->lock);
	if (flush_now)
		aionl_flush(as);
}

struct aionl_kreq *aionl_kreq_new(struct aionl_sock *as, u8 cmd, u32 seq)
{
	struct aionl_kreq *r = kmem_cache_zalloc(aionl_kreq_cache, GFP_KERNEL);

	if (r) {
		r->as = as;
		r->cmd = cmd;
		r->seq = seq;
	}
	return r;
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

/* ------------------------------------------------------------ required attributes */

int aionl_check_required(struct genl_info *info, u64 mask)
{
	while (mask) {
		int type = __ffs64(mask);

		if (GENL_REQ_ATTR_CHECK(info, type))
			return -EINVAL;
		mask &= mask - 1;
	}
	return 0;
}

/* ------------------------------------------------------------ control */

int aionl_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as = aionl_sock_get(info);
	struct aionl_kreq *r;

	if (!as)
		return -ENOMEM;
	r = aionl_kreq_new(as, AIONL_CMD_GET_INFO, info->snd_seq);
	if (!r)
		return -ENOMEM;
	aionl_post(as, r, true);
	return 0;
}

struct file *aionl_file_lookup(struct aionl_sock *as, u64 handle)
{
	struct file *file;

	if ((u32)(handle >> 32) != as->tag)
		return NULL;
	rcu_read_lock();
	file = xa_load(&as->files, (u32)handle);
	if (file && !get_file_rcu(file))
		file = NULL;
	rcu_read_unlock();
	return file;
}

int aionl_nl_register_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file;
	u32 id;
	int err;

	as = aionl_request_begin(info, AIONL_REGISTER_REQUIRED_MASK, false, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_REGISTER, info->snd_seq);
	if (!r)
		return -ENOMEM;
	/* The sender's file table: doit runs in its context. */
	file = fget(nla_get_s32(info->attrs[AIONL_A_REGISTER_FD]));
	if (!file) {
		r->res = -EBADF;
	} else {
		err = xa_alloc_cyclic(&as->files, &id, file, XA_LIMIT(1, AIONL_MAX_FILES - 1),
				      &as->next_id, GFP_KERNEL);
		if (err < 0) {
			fput(file);
			r->res = err == -EBUSY ? -EMFILE : err;
		} else {
			r->handle = (u64)as->tag << 32 | id;
		}
	}
	aionl_post(as, r, true);
	return 0;
}

int aionl_nl_unregister_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file = NULL;
	u64 handle;
	int err;

	as = aionl_request_begin(info, AIONL_UNREGISTER_REQUIRED_MASK, false, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_UNREGISTER, info->snd_seq);
	if (!r)
		return -ENOMEM;
	handle = nla_get_u64(info->attrs[AIONL_A_UNREGISTER_HANDLE]);
	if ((u32)(handle >> 32) == as->tag)
		file = xa_erase(&as->files, (u32)handle);
	r->res = file ? 0 : -EBADF;
	if (file)
		fput(file);	/* requests in flight hold their own reference */
	aionl_post(as, r, true);
	return 0;
}

/* ------------------------------------------------------------ I/O */

static void __aionl_io_done(struct aionl_kreq *r, s64 res, bool from_deadline)
{
	struct aionl_sock *as = r->as;

	spin_lock(&as->lock);
	if (r->in_async) {
		list_del(&r->async_node);
		r->in_async = false;
	}
	spin_unlock(&as->lock);
	if (r->has_deadline) {
		/* Before r becomes a completion entry, nothing may still point at it. */
		hrtimer_cancel(&r->deadline);
		if (!from_deadline)
			cancel_work_sync(&r->deadline_work);
		r->has_deadline = false;
	}
	if (r->file) {
		fput(r->file);
		r->file = NULL;
	}
	if (r->pages) {
		unpin_user_pages_dirty_lock(r->pages, r->nr_pages, r->dir == ITER_DEST);
		kvfree(r->pages);
		r->pages = NULL;
	}
	kvfree(r->bvec);
	r->bvec = NULL;
	r->cmd = AIONL_CMD_COMPLETION;
	r->res = res;
	aionl_post(as, r, false);
	if (atomic_dec_and_test(&as->inflight))
		wake_up(&as->idle);
}

void aionl_io_done(struct aionl_kreq *r, s64 res)
{
	__aionl_io_done(r, res, false);
}

/* A deadline passed: if the request has not started, it ends with -ETIMEDOUT. */
static void aionl_deadline_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, deadline_work);
	struct aionl_sock *as = r->as;
	bool stopped;

	spin_lock(&as->lock);
	stopped = r->in_async && cancel_work(&r->work);
	spin_unlock(&as->lock);
	if (stopped)
		__aionl_io_done(r, -ETIMEDOUT, true);
}

static enum hrtimer_restart aionl_deadline_fn(struct hrtimer *t)
{
	struct aionl_kreq *r = container_of(t, struct aionl_kreq, deadline);

	queue_work(aionl_wq, &r->deadline_work);
	return HRTIMER_NORESTART;
}

ssize_t aionl_rw(struct file *file, struct kiocb *kiocb, struct iov_iter *iter, int dir)
{
	struct inode *inode = file_inode(file);
	bool nowait = kiocb->ki_flags & IOCB_NOWAIT;
	ssize_t ret;

	if (dir == ITER_DEST)
		return vfs_iocb_iter_read(file, kiocb, iter);
	/* Writes hold the filesystem against freezing, as write(2) does. */
	if (S_ISREG(inode->i_mode)) {
		if (nowait) {
			if (!sb_start_write_trylock(inode->i_sb))
				return -EAGAIN;
		} else {
			sb_start_write(inode->i_sb);
		}
	}
	ret = vfs_iocb_iter_write(file, kiocb, iter);
	if (S_ISREG(inode->i_mode))
		sb_end_write(inode->i_sb);
	return ret;
}

static void aionl_io_work(struct work_struct *work);

/*
 * Hand r to the workqueue, where cancel, and its deadline if it has one, can
 * still find it until it runs.
 */
static void aionl_queue_io(struct aionl_sock *as, struct aionl_kreq *r, u64 timeout_ns)
{
	atomic_inc(&as->inflight);
	INIT_WORK(&r->work, aionl_io_work);
	spin_lock(&as->lock);
	list_add_tail(&r->async_node, &as->async);
	r->in_async = true;
	spin_unlock(&as->lock);
	if (timeout_ns) {
		INIT_WORK(&r->deadline_work, aionl_deadline_work);
		hrtimer_init(&r->deadline, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		r->deadline.function = aionl_deadline_fn;
		r->has_deadline = true;
		hrtimer_start(&r->deadline, ns_to_ktime(timeout_ns), HRTIMER_MODE_REL);
	}
	queue_work(aionl_wq, &r->work);
}

static void aionl_io_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, work);
	struct kiocb kiocb;
	struct iov_iter iter;
	ssize_t ret;

	if (r->sync) {
		ret = vfs_fsync_range(r->file, 0, LLONG_MAX, r->sync == AIONL_CMD_FDATASYNC);
	} else {
		init_sync_kiocb(&kiocb, r->file);
		kiocb.ki_pos = r->pos;
		iov_iter_bvec(&iter, r->dir, r->bvec, r->nr_bvec, r->len);
		ret = aionl_rw(r->file, &kiocb, &iter, r->dir);
		if (ret >= 0)
			ret += r->done;
		else if (r->done)
			ret = r->done;	/* report what was moved before the error */
	}
	aionl_io_done(r, ret);
}

/* Pin the pages behind iter's user buffers so a worker can reach them. */
int aionl_pin(struct aionl_kreq *r, const struct iovec *iov, unsigned int nr_iov,
		     size_t skip)
{
	unsigned int i, npages = 0, pinned = 0, nb = 0;
	unsigned int gup = r->dir == ITER_DEST ? FOLL_WRITE : 0;
	size_t left = r->len;

	for (i = 0; i < nr_iov; i++) {
		unsigned long base = (unsigned long)iov[i].iov_base;

		if (!iov[i].iov_len)
			continue;
		npages += DIV_ROUND_UP((base & ~PAGE_MASK) + iov[i].iov_len, PAGE_SIZE);
	}
	r->pages = kvmalloc_array(npages ? npages : 1, sizeof(*r->pages), GFP_KERNEL);
	r->bvec = kvmalloc_array(npages ? npages : 1, sizeof(*r->bvec), GFP_KERNEL);
	if (!r->pages || !r->bvec)
		return -ENOMEM;
	for (i = 0; i < nr_iov && left; i++) {
		unsigned long base = (unsigned long)iov[i].iov_base;
		size_t len = iov[i].iov_len, off;
		int n, want, k;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		base += skip;
		len -= skip;
		skip = 0;
		if (len > left)
			len = left;
		off = base & ~PAGE_MASK;
		want = DIV_ROUND_UP(off + len, PAGE_SIZE);
		n = pin_user_pages_fast(base & PAGE_MASK, want, gup, r->pages + pinned);
		if (n > 0)
			pinned += n;
		r->nr_pages = pinned;
		if (n != want)
			return n < 0 ? n : -EFAULT;
		for (k = 0; k < want; k++) {
			size_t chunk = min_t(size_t, PAGE_SIZE - off, len);

			r->bvec[nb].bv_page = r->pages[pinned - want + k];
			r->bvec[nb].bv_offset = off;
			r->bvec[nb].bv_len = chunk;
			nb++;
			len -= chunk;
			left -= chunk;
			off = 0;
		}
	}
	r->nr_bvec = nb;
	return 0;
}

/*
 * A read or write on a pipe or socket: at once if it can go without blocking,
 * else with the caller's pages pinned, when the file is ready (aionl_events.c).
 */
static int aionl_start_stream(struct aionl_sock *as, u64 cookie, struct file *file,
			      const struct iovec *iov, unsigned int nr_iov, size_t total, int dir,
			      u64 timeout_ns)
{
	struct aionl_kreq *r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret = -EAGAIN;
	int err;

	if (!r) {
		fput(file);
		return -ENOMEM;
	}
	r->cookie = cookie;
	/* Without FMODE_NOWAIT (pipes on 6.1) only a file poll calls ready is safe to try. */
	if ((file->f_mode & FMODE_NOWAIT) ||
	    (vfs_poll(file, NULL) & (dir == ITER_DEST ? EPOLLIN | EPOLLHUP : EPOLLOUT) & ~EPOLLERR)) {
		iov_iter_init(&iter, dir, iov, nr_iov, total);
		init_sync_kiocb(&kiocb, file);
		kiocb.ki_flags |= IOCB_NOWAIT;
		ret = aionl_rw(file, &kiocb, &iter, dir);
	}
	if (ret != -EAGAIN) {
		fput(file);
		r->res = ret;
		aionl_post(as, r, true);
		return 0;
	}
	r->file = file;
	r->dir = dir;
	r->len = total;
	err = aionl_pin(r, iov, nr_iov, 0);
	if (!err)
		err = aionl_stream_start(as, r, iov, nr_iov, timeout_ns);
	if (err) {
		aionl_kreq_free(r);
		return aionl_complete_now(as, cookie, err);
	}
	return 0;
}

/*
 * Start a read or write: check it as the VFS would, try it without blocking
 * in the sender's context, and hand what remains to the workqueue.
 */
static int aionl_start_rw(struct aionl_sock *as, u64 cookie, u64 handle, u64 offset,
			  const struct iovec *iov, unsigned int nr_iov, int dir, u64 timeout_ns)
{
	struct file *file = aionl_file_lookup(as, handle);
	bool stream = offset == U64_MAX, seekable;
	struct aionl_kreq *r;
	struct iov_iter iter;
	struct kiocb kiocb;
	size_t total = 0;
	ssize_t ret;
	unsigned int i;
	int err;

	if (!file)
		return aionl_complete_now(as, cookie, -EBADF);
	seekable = S_ISREG(file_inode(file)->i_mode) || S_ISBLK(file_inode(file)->i_mode);
	err = -EBADF;
	if (!(file->f_mode & (dir == ITER_DEST ? FMODE_READ : FMODE_WRITE)))
		goto fail;
	err = -ESPIPE;
	if (!seekable && !stream)
		goto fail;
	err = -EINVAL;
	for (i = 0; i < nr_iov; i++) {
		if (iov[i].iov_len > MAX_RW_COUNT || total + iov[i].iov_len > MAX_RW_COUNT)
			goto fail;
		total += iov[i].iov_len;
	}
	if (!nr_iov || (stream ? seekable :
			offset > (u64)LLONG_MAX || total > (u64)LLONG_MAX - offset))
		goto fail;
	if (stream)
		return aionl_start_stream(as, cookie, file, iov, nr_iov, total, dir, timeout_ns);
	/* One buffer needs no segment walk: the copy runs as read(2)'s does. */
	if (nr_iov == 1)
		iov_iter_ubuf(&iter, dir, iov[0].iov_base, total);
	else
		iov_iter_init(&iter, dir, iov, nr_iov, total);
	ret = -EAGAIN;
	/*
	 * A synchronous kiocb waits for the device on direct I/O, NOWAIT or
	 * not: only buffered transfers may run in the sender's context.
	 */
	if ((file->f_mode & FMODE_NOWAIT) && !(file->f_flags & O_DIRECT)) {
		init_sync_kiocb(&kiocb, file);
		kiocb.ki_pos = offset;
		kiocb.ki_flags |= IOCB_NOWAIT;
		ret = aionl_rw(file, &kiocb, &iter, dir);
		/* ext4 refuses buffered writes without blocking outright. */
		if (ret == -EOPNOTSUPP)
			ret = -EAGAIN;
	}
	/* Done, failed for good, or stopped at the end of the file. */
	if ((ret >= 0 && (size_t)ret == total) ||
	    (ret < 0 && ret != -EAGAIN) ||
	    (ret >= 0 && dir == ITER_DEST && offset + ret >= i_size_read(file_inode(file)))) {
		fput(file);
		return aionl_complete_now(as, cookie, ret);
	}
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r) {
		/* Report what moved already, as a short read(2) would. */
		fput(file);
		return aionl_complete_now(as, cookie, ret > 0 ? ret : -ENOMEM);
	}
	r->cookie = cookie;
	r->done = ret > 0 ? ret : 0;
	r->file = file;
	r->dir = dir;
	r->pos = offset + r->done;
	r->len = total - r->done;
	err = aionl_pin(r, iov, nr_iov, r->done);
	if (err) {
		r->file = NULL;
		fput(file);
		r->res = r->done ? (s64)r->done : err;
		if (r->pages) {
			unpin_user_pages(r->pages, r->nr_pages);
			kvfree(r->pages);
			r->pages = NULL;
		}
		kvfree(r->bvec);
		r->bvec = NULL;
		aionl_post(as, r, true);
		return 0;
	}
	aionl_queue_io(as, r, timeout_ns);
	return 0;
fail:
	fput(file);
	return aionl_complete_now(as, cookie, err);
}

bool aionl_full(struct aionl_sock *as, struct genl_info *info)
{
	if (atomic_read(&as->inflight) + READ_ONCE(as->nbacklog) + READ_ONCE(as->nquick) +
	    READ_ONCE(as->nwatches) <
	    READ_ONCE(max_inflight))
		return false;
	GENL_SET_ERR_MSG(info, "too many requests outstanding: reap completions first");
	return true;
}

/*
 * What every request does first: check the attributes the IDL requires, find
 * the socket's state, and (for requests that add work) refuse with -EBUSY
 * past max_inflight. Returns the state, or NULL with *err set.
 */
struct aionl_sock *aionl_request_begin(struct genl_info *info, u64 required, bool admit, int *err)
{
	struct aionl_sock *as;

	*err = aionl_check_required(info, required);
	if (*err)
		return NULL;
	as = aionl_sock_get(info);
	if (!as) {
		*err = -ENOMEM;
		return NULL;
	}
	if (admit && aionl_full(as, info)) {
		*err = -EBUSY;
		return NULL;
	}
	return as;
}

static int aionl_rw_doit(struct genl_info *info, u64 mask, int dir, bool vector)
{
	struct nlattr **a = info->attrs;
	struct aionl_sock *as;
	struct iovec one, *iov = &one;
	unsigned int nr = 1;
	int err;

	/* READ/WRITE and READV/WRITEV share attribute numbers. */
	BUILD_BUG_ON((int)AIONL_A_READ_COOKIE != (int)AIONL_A_WRITEV_COOKIE);
	BUILD_BUG_ON((int)AIONL_A_READ_HANDLE != (int)AIONL_A_WRITEV_HANDLE);
	BUILD_BUG_ON((int)AIONL_A_READ_OFFSET != (int)AIONL_A_WRITEV_OFFSET);
	BUILD_BUG_ON((int)AIONL_A_READV_IOV != (int)AIONL_A_WRITEV_IOV);
	BUILD_BUG_ON((int)AIONL_A_READ_ADDR != (int)AIONL_A_WRITE_ADDR);
	BUILD_BUG_ON((int)AIONL_A_READ_LEN != (int)AIONL_A_WRITE_LEN);
	BUILD_BUG_ON((int)AIONL_A_READ_TIMEOUT_NS != (int)AIONL_A_WRITEV_TIMEOUT_NS);
	BUILD_BUG_ON((int)AIONL_A_READ_TIMEOUT_NS != (int)AIONL_A_READV_TIMEOUT_NS);
	as = aionl_request_begin(info, mask, true, &err);
	if (!as)
		return err;
	if (vector) {
		const struct nlattr *v = a[AIONL_A_READV_IOV];
		u64 cookie = nla_get_u64(a[AIONL_A_READ_COOKIE]);

		nr = nla_len(v) / sizeof(struct iovec);
		if (nla_len(v) % sizeof(struct iovec) || !nr || nr > AIONL_MAX_IOV)
			return aionl_complete_now(as, cookie, -EINVAL);
		iov = kmalloc_array(nr, sizeof(*iov), GFP_KERNEL);
		if (!iov)
			return -ENOMEM;
		memcpy(iov, nla_data(v), nr * sizeof(*iov));
	} else {
		u64 len = nla_get_u64(a[AIONL_A_READ_LEN]);

		if (len > MAX_RW_COUNT)
			return aionl_complete_now(as, nla_get_u64(a[AIONL_A_READ_COOKIE]), -EINVAL);
		one.iov_base = u64_to_user_ptr(nla_get_u64(a[AIONL_A_READ_ADDR]));
		one.iov_len = len;
	}
	err = aionl_start_rw(as, nla_get_u64(a[AIONL_A_READ_COOKIE]),
			     nla_get_u64(a[AIONL_A_READ_HANDLE]),
			     nla_get_u64(a[AIONL_A_READ_OFFSET]), iov, nr, dir,
			     a[AIONL_A_READ_TIMEOUT_NS] ? nla_get_u64(a[AIONL_A_READ_TIMEOUT_NS]) : 0);
	if (iov != &one)
		kfree(iov);
	return err;
}

int aionl_nl_read_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_rw_doit(info, AIONL_READ_REQUIRED_MASK, ITER_DEST, false);
}

int aionl_nl_write_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_rw_doit(info, AIONL_WRITE_REQUIRED_MASK, ITER_SOURCE, false);
}

int aionl_nl_readv_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_rw_doit(info, AIONL_READV_REQUIRED_MASK, ITER_DEST, true);
}

int aionl_nl_writev_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_rw_doit(info, AIONL_WRITEV_REQUIRED_MASK, ITER_SOURCE, true);
}

static int aionl_sync_doit(struct genl_info *info, u64 mask, bool datasync)
{
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file;
	u64 cookie;
	int err;

	BUILD_BUG_ON((int)AIONL_A_FSYNC_COOKIE != (int)AIONL_A_FDATASYNC_COOKIE);
	BUILD_BUG_ON((int)AIONL_A_FSYNC_HANDLE != (int)AIONL_A_FDATASYNC_HANDLE);
	as = aionl_request_begin(info, mask, true, &err);
	if (!as)
		return err;
	cookie = nla_get_u64(info->attrs[AIONL_A_FSYNC_COOKIE]);
	file = aionl_file_lookup(as, nla_get_u64(info->attrs[AIONL_A_FSYNC_HANDLE]));
	if (!file)
		return aionl_complete_now(as, cookie, -EBADF);
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r) {
		fput(file);
		return -ENOMEM;
	}
	r->cookie = cookie;
	r->file = file;
	r->sync = datasync ? AIONL_CMD_FDATASYNC : AIONL_CMD_FSYNC;
	aionl_queue_io(as, r, 0);
	return 0;
}

int aionl_nl_fsync_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_sync_doit(info, AIONL_FSYNC_REQUIRED_MASK, false);
}

int aionl_nl_fdatasync_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_sync_doit(info, AIONL_FDATASYNC_REQUIRED_MASK, true);
}

/* ------------------------------------------------------------ events */

int aionl_nl_nop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sock *as;
	int err;

	as = aionl_request_begin(info, AIONL_NOP_REQUIRED_MASK, true, &err);
	if (!as)
		return err;
	return aionl_complete_now(as, nla_get_u64(info->attrs[AIONL_A_NOP_COOKIE]), 0);
}

/* ------------------------------------------------------------ release */

/*
 * The socket is closing (or its process is exiting): wait for its I/O, then
 * drop the socket's reference. The state is freed by the last reference.
 */
static void aionl_sock_release(struct aionl_sock *as)
{
	spin_lock(&as->lock);
	as->dead = true;
	spin_unlock(&as->lock);
	aionl_events_release(as);
	wait_event(as->idle, atomic_read(&as->inflight) == 0);
	cancel_delayed_work_sync(&as->retry);
	/* A flush still running from a worker ends before we go on. */
	mutex_lock(&as->flush_lock);
	mutex_unlock(&as->flush_lock);
	aionl_sock_put(as);
}

static int aionl_netlink_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct netlink_notify *n = data;
	struct aionl_sock *as;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	spin_lock(&aionl_socks_lock);
	as = aionl_sock_find(n->net, n->portid);
	if (as)
		hash_del(&as->node);
	spin_unlock(&aionl_socks_lock);
	if (as)
		aionl_sock_release(as);
	return NOTIFY_DONE;
}

static struct notifier_block aionl_netlink_notifier = {
	.notifier_call = aionl_netlink_notify,
};

/* ------------------------------------------------------------ module */

static struct genl_family aionl_family __ro_after_init = {
	.name		= AIONL_FAMILY_NAME,
	.version	= AIONL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= aionl_nl_ops,
	.n_ops		= ARRAY_SIZE(aionl_nl_ops),
};

static int __init aionl_init(void)
{
	int err;

	aionl_kreq_cache = KMEM_CACHE(aionl_kreq, 0);
	if (!aionl_kreq_cache)
		return -ENOMEM;
	aionl_wq = alloc_workqueue("aionl", WQ_UNBOUND, 0);
	if (!aionl_wq) {
		err = -ENOMEM;
		goto err_cache;
	}
	err = netlink_register_notifier(&aionl_netlink_notifier);
	if (err)
		goto err_wq;
	err = genl_register_family(&aionl_family);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	netlink_unregister_notifier(&aionl_netlink_notifier);
err_wq:
	destroy_workqueue(aionl_wq);
err_cache:
	kmem_cache_destroy(aionl_kreq_cache);
	return err;
}

static struct aionl_sock *aionl_socks_pop(void)
{
	struct aionl_sock *as = NULL;
	unsigned int bkt;

	spin_lock(&aionl_socks_lock);
	for (bkt = 0; bkt < HASH_SIZE(aionl_socks) && !as; bkt++)
		as = hlist_entry_safe(aionl_socks[bkt].first, struct aionl_sock, node);
	if (as)
		hash_del(&as->node);
	spin_unlock(&aionl_socks_lock);
	return as;
}

static void __exit aionl_exit(void)
{
	struct aionl_sock *as;

	genl_unregister_family(&aionl_family);
	netlink_unregister_notifier(&aionl_netlink_notifier);
	/* No request can arrive any more; release what sockets still hold. */
	while ((as = aionl_socks_pop()))
		aionl_sock_release(as);
	destroy_workqueue(aionl_wq);
	kmem_cache_destroy(aionl_kreq_cache);
}

module_init(aionl_init);
module_exit(aionl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Asynchronous file I/O through a generic netlink socket");
MODULE_ALIAS_GENL_FAMILY(AIONL_FAMILY_NAME);
