/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the parts of aionl.ko:
 *
 *   main.c      module init and exit, the family's registration
 *   sock.c      per-socket state, delivery of completions, release
 *   control.c   GET_INFO, REGISTER, UNREGISTER, admission of requests
 *   rw.c        transfers and syncs: inline, or on the workqueue
 *   events.c    timers, readiness watches, stream transfers, NOP, cancel
 *   open.c      OPEN and INSTALL: opening through the socket
 *   chain.c     ordering: chains (REQ_LINK) and drains (REQ_DRAIN)
 *   storage.c   FALLOCATE, STATX and COPY, in a worker as the sender
 *   signals.c   signal watches
 *   cmds.c      the commands it serves (GET_INFO's), the hide_cmds parameter
 *   compat.h    what differs between the kernels it is built for
 *
 * The protocol (commands, attributes, policies, builders) is generated from
 * idl/aionl.proto into gen/kernel/; its rules are src/proto/aionl-rules.h.
 */
#ifndef _AIONL_INTERNAL_H
#define _AIONL_INTERNAL_H

#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/poll.h>
#include <linux/signal.h>
#include <linux/task_work.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "aionl-nl-gen.h"
#include "aionl-rules.h"
#include "compat.h"

/*
 * The largest message of completions the module builds: with the skb's
 * shared info and netlink's headers it stays an 8 KiB (order-1) allocation.
 * GET_INFO reports it as max_msg_size.
 */
#define AIONL_KMSG_SIZE		(8192 - 512)
/*
 * A flush sizes its message for what waits: this much, plus so much per
 * entry (a completion is about 50 bytes on the wire), so that a lone
 * completion costs neither an order-1 allocation nor that much of the
 * receive buffer.
 */
#define AIONL_KMSG_BASE		256
#define AIONL_KMSG_PER_ENTRY	64
/*
 * After a full receive buffer or a failed allocation, send again this much
 * later: 1 jiffy, doubling while the buffer stays full, up to
 * AIONL_RETRY_MAX_JIFFIES, and back to 1 once a message goes. A socket whose
 * program does not read then costs a few wake-ups a second, not HZ.
 */
#define AIONL_RETRY_JIFFIES	1
#define AIONL_RETRY_MAX_JIFFIES	8

/*
 * One entry of a socket's backlog: a completion, or the reply to a control
 * request. Requests that go asynchronous carry their I/O state here too.
 */
struct aionl_kreq {
	struct list_head list;		/* in aionl_sock.backlog once done */
	struct work_struct work;
	struct aionl_sock *as;
	/*
	 * A watch's own entry for its repeated completions (a periodic timer,
	 * a multishot poll): it holds a reference on the watch, and a flush
	 * hands it back to the watch rather than freeing it (events.c).
	 */
	struct aionl_watch *watch;
	u8 cmd;				/* AIONL_CMD_* of the message to send */
	u32 seq;			/* replies: the request's nlmsg_seq */
	u64 cookie;
	s64 res;
	u32 flags;			/* COMPLETION: AIONL_CQE_F_* */
	bool has_si;			/* COMPLETION of a signal watch: si */
	struct aionl_siginfo_raw si;
	u64 handle;			/* REGISTER replies; an OPEN's new file */
	bool has_handle;		/* COMPLETION of an OPEN: handle is its file's */
	int fd;				/* INSTALL replies: the descriptor installed */
	struct aionl_open_req *open;	/* OPEN: its state (open.c) */
	struct aionl_ord *ord;		/* an ordered request's place (chain.c) */
	struct aionl_storage_req *storage;	/* FALLOCATE, STATX, COPY: theirs (storage.c) */
	struct list_head async_node;	/* aionl_sock.async while on the workqueue */
	bool in_async;
	bool has_deadline;		/* deadline armed while on the workqueue */
	struct hrtimer deadline;
	struct work_struct deadline_work;

	/*
	 * Asynchronous I/O only. A worker runs it as the submitter: with the
	 * credentials and the RLIMIT_FSIZE it had at submission, in its
	 * address space (kthread_use_mm), on its own buffers. Nothing is
	 * pinned: a request that waits (on a pipe, or behind others) holds
	 * no page of the program's, and the pages are faulted in, and held,
	 * only for the copy, as read(2) holds them.
	 */
	const struct cred *cred;
	unsigned long fsize_limit;
	struct cgroup_subsys_state *blkcg;	/* the submitter's block cgroup, or NULL */
	struct mm_struct *mm;		/* mmgrab()bed: the worker mmget()s it to run */
	struct file *file;
	loff_t pos;
	struct file *file2;		/* COPY: the destination (file, pos: the source) */
	loff_t pos2;			/* COPY: where in it */
	size_t done;			/* bytes already moved inline */
	size_t len;			/* bytes still to move */
	int dir;			/* ITER_DEST (read) or ITER_SOURCE (write) */
	u8 sync;			/* AIONL_CMD_FSYNC or _FDATASYNC, else 0 */
	struct iovec *iov;		/* the buffers, from the first byte: one, or a copy */
	unsigned int nr_iov;
	struct iovec one;
};

/*
 * A completion decided in the sender's context (a page-cache hit, an
 * immediate error, a NOP): just what the message carries, no request.
 */
struct aionl_quick {
	u64 cookie;
	s64 res;
};

/*
 * Completions of the compact queue a socket holds: one sendmsg's worth of
 * page-cache hits at the usual queue depths, 4 KiB of memory.
 */
#define AIONL_QUICK_MAX	256

/*
 * Per-socket state, found by (net, portid, socket). Created by the first request of
 * a socket; freed in exactly one place, aionl_sock_put(), when its last
 * reference goes: the socket's own (dropped at NETLINK_URELEASE), one per
 * pending task_work flush.
 */
struct aionl_sock {
	struct hlist_node node;		/* aionl_socks, under aionl_socks_lock */
	refcount_t refs;
	possible_net_t net;
	u32 portid;
	/*
	 * The socket itself: netlink frees a portid before it tells us the
	 * socket is gone, so a new socket may already hold the same portid.
	 * Held (sock_hold) for as long as the state lives: lookups read its
	 * SOCK_DEAD, and a freed socket's address could come back as a new one.
	 */
	const struct sock *sk;
	u32 tag;			/* random: handles of other sockets fail */

	struct xarray files;		/* id -> struct file *, the xarray's lock */
	u32 next_id;

	spinlock_t lock;		/* protects the fields below, up to inflight */
	struct list_head backlog;	/* done, not yet taken by the socket */
	unsigned int nbacklog;
	struct aionl_quick *quick;	/* also done and not yet taken, compact */
	unsigned int nquick;
	bool dead;			/* socket released: send nothing more */
	unsigned int nfiles;		/* registered, under the xarray's lock */
	bool tw_pending;		/* a task_work flush is queued */

	struct list_head watches;	/* events armed (events.c) */
	struct list_head async;		/* file requests on the workqueue */
	unsigned int nwatches;

	atomic_t inflight;		/* asynchronous requests not yet done */
	atomic_t watches_live;		/* watches not yet through aionl_watch_finish() */
	wait_queue_head_t idle;		/* woken when either reaches 0 */
	struct mutex flush_lock;	/* one sender at a time keeps order */
	struct workqueue_struct *open_wq;	/* OPENs, AIONL_MAX_OPENS_RUNNING at once (open.c) */
	kuid_t open_wq_user;		/* whom open_wq is charged to (users.c) */
	/*
	 * BIND (control.c): the one filesystem (its superblock's s_dev) whose
	 * files the socket takes, set once under the xarray's lock with nfiles;
	 * then file requests run on the socket's own queue, io_wq, at most
	 * AIONL_MAX_BOUND_IO_RUNNING at once, so that a hung filesystem holds
	 * only the sockets bound to it. Freed by the release, once idle.
	 */
	bool bound;
	dev_t bound_dev;
	struct workqueue_struct *io_wq;
	kuid_t io_wq_user;		/* whom io_wq is charged to (users.c) */
	struct delayed_work retry;	/* resend after a full receive buffer */
	unsigned long retry_delay;	/* its next delay, under flush_lock */
	struct work_struct release_work;	/* the release's wait (sock.c) */
	struct callback_head tw;	/* flush on the sender's return to user */
	struct aionl_order *order;	/* made by its first ordered request (chain.c) */
};

/* main.c */
/*
 * aionl_wq runs file I/O that may block, of unbound sockets (a bound one has
 * its own); aionl_ev_wq what never blocks (watches, deadlines, delivery
 * retries), so that I/O stuck in a filesystem cannot hold it up;
 * aionl_release_wq the releases of closed sockets, which wait for their I/O.
 */
extern struct workqueue_struct *aionl_wq;
extern struct workqueue_struct *aionl_ev_wq;
extern struct workqueue_struct *aionl_release_wq;
extern struct kmem_cache *aionl_kreq_cache;
extern struct kmem_cache *aionl_watch_cache;
extern unsigned int aionl_max_inflight;
extern unsigned int aionl_disabled;
extern unsigned int aionl_max_user_queues;

/* users.c: charge a socket's own workqueue to a user, or false past the limit. */
bool aionl_user_queue_get(kuid_t uid);
void aionl_user_queue_put(kuid_t uid);
extern int aionl_allowed_gid;

/*
 * The long-lived objects that come from kmalloc rather than the module's own
 * caches (socket states, iovec copies, OPENs in flight): counted, so that
 * module exit can tell one that outlived its socket (a WARNING, which the VM
 * test fails on), as kmem_cache_destroy() tells it for the caches.
 */
extern atomic_long_t aionl_objects;
static inline void aionl_object_new(void) { atomic_long_inc(&aionl_objects); }
static inline void aionl_object_gone(void) { atomic_long_dec(&aionl_objects); }

/*
 * Testing only (tests/kernel/security.c): stall at one of these points for
 * debug_delay_ms, to widen a race window the tests then try to hit. Both
 * module parameters are 0 unless a test sets them.
 */
enum {
	AIONL_DELAY_RELEASE = 1,	/* NETLINK_URELEASE, before the state is found */
	AIONL_DELAY_TIMER_UPDATE = 2,	/* TIMER_UPDATE, with the timer found */
	AIONL_DELAY_SIGNAL = 4,		/* a signal dequeued, before it is posted */
	AIONL_DELAY_IO = 8,		/* a worker's file I/O, as a hung filesystem holds it */
};
extern unsigned int aionl_debug_delay_at, aionl_debug_delay_ms;

static inline void aionl_debug_delay(unsigned int at, bool may_sleep)
{
	unsigned int ms = READ_ONCE(aionl_debug_delay_ms);

	if (unlikely(ms && (READ_ONCE(aionl_debug_delay_at) & at))) {
		if (may_sleep)
			msleep(ms);
		else
			mdelay(ms);
	}
}

/* sock.c */
struct aionl_sock *aionl_sock_get(struct sk_buff *skb, struct genl_info *info);
void aionl_sock_put(struct aionl_sock *as);
extern struct notifier_block aionl_netlink_notifier;
void aionl_socks_release_all(void);
struct aionl_kreq *aionl_kreq_new(struct aionl_sock *as, u8 cmd, u32 seq);
void aionl_kreq_release_io(struct aionl_kreq *r);
void aionl_kreq_free(struct aionl_kreq *r);
void aionl_post(struct aionl_sock *as, struct aionl_kreq *r, bool in_sender);
void aionl_flush(struct aionl_sock *as);
void aionl_sock_count_done(struct aionl_sock *as, atomic_t *count);
int aionl_complete_now(struct aionl_sock *as, u64 cookie, s64 res);

/* control.c */
/* What a request adds to the socket, for admission (aionl_request_begin). */
enum aionl_admit {
	AIONL_ADMIT_REPLY,	/* one reply or completion: GET_INFO, CANCEL... */
	AIONL_ADMIT_WORK,	/* work or a watch that lasts: transfers, timers... */
};
struct aionl_sock *aionl_request_begin(struct sk_buff *skb, struct genl_info *info,
				       enum aionl_admit admit, int *err);
bool aionl_sock_full(struct aionl_sock *as, enum aionl_admit admit);
struct file *aionl_file_lookup(struct aionl_sock *as, u64 handle);
struct file *aionl_file_lookup_any(struct aionl_sock *as, u64 handle);
s64 aionl_file_add(struct aionl_sock *as, struct file *file, unsigned long nofile, u64 *handle);
void aionl_file_caps(const struct file *file, struct aionl_file_caps *caps);

/* rw.c */
ssize_t aionl_rw(struct file *file, struct kiocb *kiocb, struct iov_iter *iter, int dir);
void aionl_kreq_as_submitter(struct aionl_kreq *r);
ssize_t aionl_rw_as_submitter(struct aionl_kreq *r, struct kiocb *kiocb, struct iov_iter *iter);
int aionl_kreq_take_buffers(struct aionl_kreq *r, const struct iovec *iov, unsigned int nr_iov);
void aionl_queue_work(struct aionl_sock *as, struct aionl_kreq *r, u64 timeout_ns,
		      work_func_t fn);
ssize_t aionl_rw_in_worker(struct aionl_kreq *r, struct kiocb *kiocb);
struct file *aionl_stream_file(struct file *file, int dir);
void aionl_io_prepare(struct aionl_kreq *r);
void aionl_io_enqueue(struct aionl_sock *as, struct aionl_kreq *r, struct workqueue_struct *wq,
		      u64 timeout_ns);
void aionl_io_done(struct aionl_kreq *r, s64 res);

/* open.c */
struct aionl_open_req;
void aionl_open_free(struct aionl_open_req *o);
void aionl_open_release(struct aionl_sock *as);
void aionl_open_release_done(struct aionl_sock *as);
struct fs_struct *aionl_fs_swap_in(struct fs_struct *fs, const struct path *root,
				   const struct path *pwd, int umask);
void aionl_fs_swap_out(struct fs_struct *old);

/* storage.c */
struct aionl_storage_req;
void aionl_storage_free(struct aionl_storage_req *s);

/* chain.c: ordering, see its comment. */
struct aionl_ord;
int aionl_order_begin(struct aionl_sock *as, struct sk_buff *skb, struct genl_info *info,
		      u64 cookie, u32 flags, u64 expect, bool wake, struct aionl_ord **op);
int aionl_order_result(struct aionl_sock *as, struct aionl_ord *o, s64 res);
int aionl_order_now(struct aionl_sock *as, struct aionl_ord *ord, u64 cookie, s64 res);
int aionl_order_refused(struct sk_buff *skb, struct genl_info *info, int err);
/* control.c: whether the sender may use the family (the disabled and allowed_gid parameters). */
bool aionl_allowed(void);
int aionl_order_queue(struct aionl_sock *as, struct aionl_ord *o, struct aionl_kreq *r,
		      struct workqueue_struct *wq, u64 timeout_ns);
int aionl_order_rw(struct aionl_sock *as, struct aionl_ord *o, u8 cmd, u64 cookie, u64 handle,
		   u64 offset, const struct iovec *iov, unsigned int nr_iov, u64 timeout_ns);
int aionl_order_sync(struct aionl_sock *as, struct aionl_ord *o, u8 cmd, u64 cookie, u64 handle);
void aionl_order_done(struct aionl_sock *as, struct aionl_ord *o, s64 res);
void aionl_order_kick(struct aionl_sock *as);
void aionl_order_moved(struct aionl_sock *as, struct aionl_kreq *from, struct aionl_kreq *to);
s64 aionl_order_cancel_held(struct aionl_sock *as, u64 target, const struct file *tfile,
			    u32 flags, struct list_head *unqueued);
bool aionl_order_admitted(struct aionl_sock *as, struct sk_buff *skb, struct genl_info *info);
void aionl_order_free(struct aionl_sock *as);

/* events.c */
int aionl_stream_start(struct aionl_sock *as, struct aionl_kreq *r, struct file *file,
		       u64 timeout_ns);
void aionl_events_release(struct aionl_sock *as);

/*
 * A watch: what events.c and signals.c wait for. It completes finally exactly
 * once: whoever sets AW_DONE (the event itself, a cancel, a deadline, or the
 * socket's release) stops its sources, posts the last completion and frees it.
 */
enum { AW_TIMER, AW_POLL, AW_STREAM, AW_SIGNAL };
#define AW_DONE 0	/* bit in aionl_watch.state */

/*
 * The wait queues a watch sits on. Poll may name two (a pipe's readers and
 * writers, as io_uring's double poll allows); a file that names more is
 * refused.
 */
#define AIONL_WATCH_QUEUES 2

struct aionl_wait {
	struct wait_queue_entry entry;
	/*
	 * NULL once the entry left its queue. A queue may be freed under the
	 * watch (POLLFREE: a signalfd's task exits); its memory is RCU-safe,
	 * so the entry is taken off under rcu_read_lock() and the queue's lock.
	 */
	wait_queue_head_t *head;
	struct aionl_watch *w;
};

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
	bool unlinked;			/* off as->watches: nothing may re-arm it */
	/*
	 * Set up by its request, under aionl_sock.lock: until then neither a
	 * cancel, a TIMER_UPDATE nor its own work touches it (a CANCEL from
	 * another thread freed a timer being started).
	 */
	bool armed;
	bool timed_out;			/* STREAM: its deadline passed */
	/*
	 * STREAM: the work moved data after another finisher set AW_DONE
	 * (a cancel, the release): that finisher waits for the work and
	 * reports moved_res, the real result, instead of its own.
	 */
	bool moved;
	ssize_t moved_res;
	struct file *file;		/* POLL, STREAM: a reference of our own */
	struct aionl_wait waits[AIONL_WATCH_QUEUES];	/* POLL, STREAM, SIGNAL */
	unsigned int nwaits;
	int arm_err;			/* the file wanted more queues than we hold */
	bool queue_gone;		/* a queue was freed (POLLFREE): the watch ends */
	poll_table pt;
	__poll_t events;
	bool multishot;
	struct aionl_kreq *io;		/* STREAM: the transfer, its file, buffers and direction */

	/*
	 * Completions, allocated when the watch is armed so that none is ever
	 * lost to an allocation failure, and so that an unread watch holds a
	 * bounded amount of memory. Under aionl_sock.lock:
	 *   interim	the entry for completions with AIONL_CQE_F_MORE; while
	 *		queued, a new event merges into it (timer expirations add
	 *		up, poll masks are or'ed); while a flush sends it, into
	 *		carry, which the flush posts once it is back.
	 *   final	the last completion.
	 */
	struct aionl_kreq *interim;
	bool interim_queued;		/* in the backlog, not yet taken by a flush */
	bool interim_busy;		/* in the backlog, or being sent */
	bool has_carry;
	s64 carry;
	struct aionl_kreq *final;
	/* SIGNAL: standard signals with a completion not yet taken by a flush. */
	u64 sig_unsent;

	/* SIGNAL: dequeued in the watching task, by a task_work. */
	refcount_t refs;		/* 1 while armed, +1 per task_work queued */
	sigset_t sigmask;		/* the signals NOT watched */
	struct task_struct *task;
	u64 exec_id;			/* the task's image when armed: exec ends the watch */
	bool task_gone;			/* the task exited or exec'd, or could take no task_work */
	struct hlist_node task_node;	/* in signals.c's table of watches by task */
	struct callback_head tw;
	atomic_t tw_queued;
};

struct aionl_watch *aionl_watch_new(struct aionl_sock *as, u8 kind, u64 cookie, bool repeats,
				    u32 interim_flags);
void aionl_watch_put(struct aionl_watch *w);
void aionl_watch_unqueue(struct aionl_watch *w);
void aionl_watch_enqueue(struct aionl_watch *w, wait_queue_head_t *head,
			 wait_queue_func_t func);
void aionl_wait_pollfree(struct aionl_wait *aw);
void aionl_watch_finish(struct aionl_watch *w, s64 res, u32 flags, bool from_work,
			bool in_sender);
void aionl_watch_more(struct aionl_watch *w, s64 res);
void aionl_watch_armed(struct aionl_watch *w);
void aionl_watch_taken(struct aionl_kreq *r, bool taken);

/* cmds.c: GET_INFO's commands, and the family's pre_doit, which refuses hide_cmds. */
u64 aionl_cmds_served(void);
u32 aionl_req_flags_served(void);
int aionl_nl_pre_doit(const aionl_genl_pre_ops *ops, struct sk_buff *skb, struct genl_info *info);

/* signals.c */
int aionl_signals_init(void);
void aionl_signals_exit(void);
void aionl_sig_unhash(struct aionl_watch *w);
struct aionl_watch *aionl_watch_sent(struct aionl_sock *as, struct aionl_kreq *r, bool *keep);

#endif /* _AIONL_INTERNAL_H */
