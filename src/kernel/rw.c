// SPDX-License-Identifier: GPL-2.0
/*
 * Transfers and syncs. A read or write is checked by the protocol's rules,
 * tried without blocking in the sender's context, and what remains goes to
 * the workqueue, which runs it in the caller's address space; pipes and
 * sockets wait for readiness instead (events.c), and never block. A request on the workqueue can be found by
 * cancel, and by its deadline if it has one, until it runs.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/genetlink.h>

#include "internal.h"

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
	aionl_kreq_release_io(r);
	r->cmd = AIONL_CMD_COMPLETION;
	r->res = res;
	aionl_post(as, r, false);
	aionl_sock_count_done(as, &as->inflight);
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

	queue_work(aionl_ev_wq, &r->deadline_work);
	return HRTIMER_NORESTART;
}

ssize_t aionl_rw(struct file *file, struct kiocb *kiocb, struct iov_iter *iter, int dir)
{
	if (dir == ITER_DEST)
		return vfs_iocb_iter_read(file, kiocb, iter);
	/* Writes hold the filesystem against freezing, as write(2) does (compat.h). */
	return aionl_iocb_iter_write(file, kiocb, iter);
}

/*
 * Called in the sender's context, before r leaves it: a worker will do r's
 * I/O with these credentials, as io_uring's workers run with the submitter's,
 * so that everything that looks at them (file_remove_privs() dropping the
 * setuid bits, quotas, LSM hooks) sees the program and not the kworker.
 */
void aionl_kreq_as_submitter(struct aionl_kreq *r)
{
	r->cred = get_current_cred();
	r->fsize_limit = rlimit(RLIMIT_FSIZE);
#ifdef CONFIG_BLK_CGROUP
	/* Its block cgroup: io.max and io.weight hold for the worker's bios too. */
	r->blkcg = task_get_css(current, io_cgrp_id);
#endif
	if (r->iov) {
		r->mm = current->mm;
		mmgrab(r->mm);
	}
}

/*
 * r's transfer, in a worker, as its submitter. RLIMIT_FSIZE is the one limit
 * the write path reads from current rather than from the credentials: it is
 * applied here as generic_write_check_limits() would (without SIGXFSZ, which
 * belongs to the writing thread; the result says -EFBIG).
 */
ssize_t aionl_rw_as_submitter(struct aionl_kreq *r, struct kiocb *kiocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(r->file);
	const struct cred *old;
	ssize_t ret;

	if (r->dir == ITER_SOURCE && S_ISREG(inode->i_mode) && r->fsize_limit != RLIM_INFINITY) {
		loff_t pos = r->file->f_flags & O_APPEND ? i_size_read(inode) : kiocb->ki_pos;

		if (pos >= r->fsize_limit)
			return -EFBIG;
		iov_iter_truncate(iter, r->fsize_limit - pos);
	}
	old = override_creds(r->cred);
	ret = aionl_rw(r->file, kiocb, iter, r->dir);
	revert_creds(old);
	return ret;
}

static void aionl_io_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, work);
	const struct cred *old;
	struct kiocb kiocb;
	ssize_t ret;

	aionl_debug_delay(AIONL_DELAY_IO, true);
#ifdef CONFIG_BLK_CGROUP
	kthread_associate_blkcg(r->blkcg);
#endif
	if (r->sync) {
		old = override_creds(r->cred);
		ret = vfs_fsync_range(r->file, 0, LLONG_MAX, r->sync == AIONL_CMD_FDATASYNC);
		revert_creds(old);
	} else {
		init_sync_kiocb(&kiocb, r->file);
		kiocb.ki_pos = r->pos;
		ret = aionl_rw_in_worker(r, &kiocb);
		if (ret >= 0)
			ret += r->done;
		else if (r->done)
			ret = r->done;	/* report what was moved before the error */
	}
#ifdef CONFIG_BLK_CGROUP
	kthread_associate_blkcg(NULL);
#endif
	aionl_io_done(r, ret);
}

/* In the sender's context: r will run on a worker, as its submitter. */
void aionl_io_prepare(struct aionl_kreq *r)
{
	aionl_kreq_as_submitter(r);
	INIT_WORK(&r->work, aionl_io_work);
}

/*
 * Hand r, prepared and counted in inflight, to wq (NULL: the socket's I/O
 * queue), with its deadline from now. The work is
 * queued under as->lock, where cancel and the deadline look for it: a
 * cancel_work() of a work not yet queued takes its PENDING bit, and the
 * queue_work() that comes next does nothing, so the request would never
 * run nor end (caught by test_deadlines_racing_file_reads, whose 1 us
 * deadlines fired before the work was queued).
 */
void aionl_io_enqueue(struct aionl_sock *as, struct aionl_kreq *r, struct workqueue_struct *wq,
		      u64 timeout_ns)
{
	if (timeout_ns) {
		INIT_WORK(&r->deadline_work, aionl_deadline_work);
		hrtimer_init(&r->deadline, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		r->deadline.function = aionl_deadline_fn;
		r->has_deadline = true;
	}
	spin_lock(&as->lock);
	list_add_tail(&r->async_node, &as->async);
	r->in_async = true;
	/* Its work waits for the lock, so it finds r queued. */
	if (timeout_ns)
		hrtimer_start(&r->deadline, ns_to_ktime(timeout_ns), HRTIMER_MODE_REL);
	/* A bound socket's own queue (BIND): set before its first file came. */
	queue_work(wq ?: as->io_wq ?: aionl_wq, &r->work);
	spin_unlock(&as->lock);
}

/*
 * Hand r to the socket's I/O queue, to run fn as its submitter; called in
 * the sender's context. FALLOCATE and STATX queue their own fn (storage.c).
 */
void aionl_queue_work(struct aionl_sock *as, struct aionl_kreq *r, u64 timeout_ns,
		      work_func_t fn)
{
	aionl_kreq_as_submitter(r);
	INIT_WORK(&r->work, fn);
	atomic_inc(&as->inflight);
	aionl_io_enqueue(as, r, NULL, timeout_ns);
}

/* Transfers and syncs. */
static void aionl_queue_io(struct aionl_sock *as, struct aionl_kreq *r, u64 timeout_ns)
{
	aionl_queue_work(as, r, timeout_ns, aionl_io_work);
}

/*
 * Keep the request's own copy of its buffers' addresses (the attribute's is
 * gone once doit returns): in r itself for one buffer, else a copy of at
 * most AIONL_MAX_IOV of them.
 */
int aionl_kreq_take_buffers(struct aionl_kreq *r, const struct iovec *iov, unsigned int nr_iov)
{
	if (nr_iov == 1) {
		r->one = iov[0];
		r->iov = &r->one;
	} else {
		r->iov = kmemdup(iov, nr_iov * sizeof(*iov), GFP_KERNEL_ACCOUNT);
		if (!r->iov)
			return -ENOMEM;
		aionl_object_new();
	}
	r->nr_iov = nr_iov;
	return 0;
}

/*
 * r's transfer, in a worker: in the submitter's address space, as the
 * submitter, past the r->done bytes moved inline. A program whose address
 * space is gone (it exited, or exec'd) gets -EFAULT, which nobody reads.
 */
ssize_t aionl_rw_in_worker(struct aionl_kreq *r, struct kiocb *kiocb)
{
	struct iov_iter iter;
	ssize_t ret;

	if (!mmget_not_zero(r->mm))
		return -EFAULT;
	kthread_use_mm(r->mm);
	iov_iter_init(&iter, r->dir, r->iov, r->nr_iov, r->done + r->len);
	iov_iter_advance(&iter, r->done);
	ret = aionl_rw_as_submitter(r, kiocb, &iter);
	kthread_unuse_mm(r->mm);
	mmput(r->mm);
	return ret;
}

/*
 * A transfer tried in the sender's context, inside genetlink's receive path
 * (which holds its cb_lock for reading). Page faults are off: a buffer
 * mapped from a FUSE file, or registered with userfaultfd, must not hold
 * the sender there. A copy that would fault moves what it can, and the
 * worker, which may fault, does the rest.
 */
static ssize_t aionl_rw_inline(struct file *file, struct kiocb *kiocb, struct iov_iter *iter,
			       int dir)
{
	ssize_t ret;

	pagefault_disable();
	ret = aionl_rw(file, kiocb, iter, dir);
	pagefault_enable();
	return ret == -EFAULT ? -EAGAIN : ret;
}

static bool aionl_may_try_inline(struct file *file, int dir)
{
	struct socket *sock = sock_from_file(file);

	return !(dir == ITER_DEST && sock && sock->type != SOCK_STREAM);
}

/*
 * The file a stream transfer runs on: one on which it never sleeps. A
 * transfer that cannot go now must end with -EAGAIN and wait for the file's
 * next wake-up: asleep in a worker (or in the sender), only the file's peer
 * could wake it, and a cancel or the socket's release, which wait for the
 * worker, would wait as long, unkillable (kernel_stress on 6.1 stalled so).
 *
 * - Files with FMODE_NOWAIT, and sockets (MSG_DONTWAIT), honour IOCB_NOWAIT.
 * - Pipes and FIFOs on 6.1 ignore it (6.12's handle it): a
 *   write waits until all it was given is in, though poll's EPOLLOUT
 *   promises one free buffer, and a read waits if another reader took the
 *   data. The transfer goes through an open of the same pipe of the
 *   module's own, as the submitter, with O_NONBLOCK, which nobody else can
 *   clear: it moves what fits, as write(2) on a non-blocking pipe does.
 *   It is one more reader or writer only while the request holds the
 *   submitter's file, which is one too. No fsnotify event sees it.
 * - A file without the operation fails it at once (-EINVAL).
 * - Any other file could only block: -EOPNOTSUPP, as preadv2(RWF_NOWAIT)
 *   answers for it, and as the userspace engine does.
 */
struct file *aionl_stream_file(struct file *file, int dir)
{
	umode_t mode = file_inode(file)->i_mode;
	struct file *own;

	if ((file->f_mode & FMODE_NOWAIT) || S_ISSOCK(mode))
		return get_file(file);
	if (S_ISFIFO(mode)) {
		own = dentry_open(&file->f_path,
				  (dir == ITER_DEST ? O_RDONLY : O_WRONLY) | O_NONBLOCK |
				  __FMODE_NONOTIFY, current_cred());
		/* A FIFO without readers: what a write to it says. */
		if (own == ERR_PTR(-ENXIO))
			return ERR_PTR(-EPIPE);
		/* Packet mode: set afterwards, since open refuses O_DIRECT on pipes. */
		if (!IS_ERR(own))
			own->f_flags |= file->f_flags & O_DIRECT;
		return own;
	}
	if (!(dir == ITER_DEST ? file->f_op->read_iter : file->f_op->write_iter))
		return get_file(file);
	return ERR_PTR(-EOPNOTSUPP);
}

/*
 * A read or write on a pipe or socket: at once if it can go without
 * blocking, else when the file is ready (events.c). file is the registered
 * one, which the request's watch polls and cancel finds; the transfer runs
 * on aionl_stream_file()'s.
 */
static int aionl_start_stream(struct aionl_sock *as, u64 cookie, struct file *file,
			      const struct iovec *iov, unsigned int nr_iov, size_t total, int dir,
			      u64 timeout_ns)
{
	struct file *xfile = aionl_stream_file(file, dir);
	struct aionl_kreq *r;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret = -EAGAIN;
	int err;

	if (IS_ERR(xfile)) {
		fput(file);
		return aionl_complete_now(as, cookie, PTR_ERR(xfile));
	}
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r) {
		fput(xfile);
		fput(file);
		return -ENOMEM;
	}
	r->cookie = cookie;
	/*
	 * A datagram socket drops a datagram it fails to copy out, as it
	 * would with faults off: its reads are the worker's.
	 */
	if (aionl_may_try_inline(file, dir)) {
		iov_iter_init(&iter, dir, iov, nr_iov, total);
		init_sync_kiocb(&kiocb, xfile);
		kiocb.ki_flags |= IOCB_NOWAIT;
		ret = aionl_rw_inline(xfile, &kiocb, &iter, dir);
	}
	if (ret != -EAGAIN) {
		fput(xfile);
		fput(file);
		r->res = ret;
		aionl_post(as, r, true);
		return 0;
	}
	r->file = xfile;
	r->dir = dir;
	r->len = total;
	err = aionl_kreq_take_buffers(r, iov, nr_iov);
	if (!err) {
		aionl_kreq_as_submitter(r);
		err = aionl_stream_start(as, r, file, timeout_ns);
	}
	if (err) {
		aionl_kreq_free(r);
		fput(file);
		return aionl_complete_now(as, cookie, err);
	}
	return 0;
}

/*
 * Start a read or write: check it by the protocol's rules, try it without
 * blocking in the sender's context, and hand what remains to the workqueue.
 */
static int aionl_start_rw(struct aionl_sock *as, u8 cmd, u64 cookie, u64 handle, u64 offset,
			  const struct iovec *iov, unsigned int nr_iov, u64 timeout_ns)
{
	struct file *file = aionl_file_lookup(as, handle);
	bool write = aionl_op_writes(cmd);
	int dir = write ? ITER_SOURCE : ITER_DEST;
	struct aionl_file_caps caps;
	struct aionl_kreq *r;
	struct iov_iter iter;
	struct kiocb kiocb;
	__u64 total;
	ssize_t ret;
	int how;

	if (!file)
		return aionl_complete_now(as, cookie, -EBADF);
	aionl_file_caps(file, &caps);
	how = aionl_rw_check(&caps, write, offset, iov, nr_iov, &total);
	if (how < 0) {
		fput(file);
		return aionl_complete_now(as, cookie, how);
	}
	if (how == AIONL_RW_STREAM)
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
		ret = aionl_rw_inline(file, &kiocb, &iter, dir);
		/* ext4 refuses buffered writes without blocking outright. */
		if (ret == -EOPNOTSUPP)
			ret = -EAGAIN;
	}
	/* Done, failed for good, or stopped at the end of the file. */
	if ((ret >= 0 && (size_t)ret == total) ||
	    (ret < 0 && ret != -EAGAIN) ||
	    (ret >= 0 && !write && offset + ret >= i_size_read(file_inode(file)))) {
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
	ret = aionl_kreq_take_buffers(r, iov, nr_iov);
	if (ret) {
		aionl_kreq_release_io(r);
		r->res = r->done ? (s64)r->done : ret;
		aionl_post(as, r, true);
		return 0;
	}
	aionl_queue_io(as, r, timeout_ns);
	return 0;
}

static u8 aionl_cmd(const struct genl_info *info)
{
	return info->genlhdr->cmd;
}

/* READ and WRITE: one buffer. */
static int aionl_transfer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_transfer m;
	struct aionl_sock *as;
	struct aionl_ord *ord;
	struct iovec one;
	int err;

	err = aionl_nl_transfer_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	one.iov_base = u64_to_user_ptr(m.addr);
	one.iov_len = m.len;
	/* Held by a chain or a drain (chain.c)? */
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, m.len, false, &ord);
	if (err)
		return err;
	if (ord)
		return aionl_order_rw(as, ord, aionl_cmd(info), m.cookie, m.handle, m.offset,
				      &one, 1, m.timeout_ns);
	return aionl_start_rw(as, aionl_cmd(info), m.cookie, m.handle, m.offset, &one, 1,
			      m.timeout_ns);
}

/* READV and WRITEV: the policy saw to it that iov holds 1 to AIONL_MAX_IOV of them. */
static int aionl_transfer_v_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_transfer_v m;
	struct aionl_sock *as;
	struct aionl_ord *ord;
	struct iovec *iov;
	unsigned int nr, i;
	u64 total = 0;
	int err;

	err = aionl_nl_transfer_v_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	nr = m.iov_len / sizeof(*iov);
	/* A copy: the attribute's payload is only 4-byte aligned. */
	iov = kmalloc_array(nr, sizeof(*iov), GFP_KERNEL_ACCOUNT);
	if (!iov)
		return aionl_order_refused(skb, info, -ENOMEM);
	memcpy(iov, m.iov, nr * sizeof(*iov));
	for (i = 0; i < nr; i++)
		total += min_t(u64, iov[i].iov_len, AIONL_MAX_IO_LEN + 1);
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, total, false, &ord);
	if (!err && ord)
		err = aionl_order_rw(as, ord, aionl_cmd(info), m.cookie, m.handle, m.offset, iov,
				     nr, m.timeout_ns);
	else if (!err)
		err = aionl_start_rw(as, aionl_cmd(info), m.cookie, m.handle, m.offset, iov, nr,
				     m.timeout_ns);
	kfree(iov);
	return err;
}

int aionl_nl_read_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_transfer_doit(skb, info);
}

int aionl_nl_write_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_transfer_doit(skb, info);
}

int aionl_nl_readv_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_transfer_v_doit(skb, info);
}

int aionl_nl_writev_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_transfer_v_doit(skb, info);
}

/* FSYNC and FDATASYNC: always on the workqueue. */
static int aionl_sync_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_sync m;
	struct aionl_sock *as;
	struct aionl_ord *ord;
	struct aionl_kreq *r;
	struct file *file;
	int err;

	err = aionl_nl_sync_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, 0, false, &ord);
	if (err)
		return err;
	if (ord)
		return aionl_order_sync(as, ord, aionl_cmd(info), m.cookie, m.handle);
	file = aionl_file_lookup(as, m.handle);
	if (!file)
		return aionl_complete_now(as, m.cookie, -EBADF);
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r) {
		fput(file);
		return -ENOMEM;
	}
	r->cookie = m.cookie;
	r->file = file;
	r->sync = aionl_cmd(info);
	aionl_queue_io(as, r, 0);
	return 0;
}

int aionl_nl_fsync_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_sync_doit(skb, info);
}

int aionl_nl_fdatasync_doit(struct sk_buff *skb, struct genl_info *info)
{
	return aionl_sync_doit(skb, info);
}
