/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the parts of aionl.ko: per-socket state, backlog entries, and
 * the helpers the request handlers of aionl_main.c and aionl_events.c use.
 */
#ifndef _AIONL_INTERNAL_H
#define _AIONL_INTERNAL_H

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

#define AIONL_MAX_FILES		(1U << 20)
#define AIONL_MAX_IOV		1024U
#define AIONL_MSG_SIZE		(8192 - 512)
#define AIONL_RETRY_JIFFIES	1

/*
 * One entry of a socket's backlog: a completion, or the reply to a control
 * request. Requests that go asynchronous carry their I/O state here too.
 */
struct aionl_kreq {
	struct list_head list;		/* in aionl_sock.backlog once done */
	struct work_struct work;
	struct aionl_sock *as;
	u8 cmd;				/* AIONL_CMD_* of the message to send */
	u32 seq;			/* replies: the request's nlmsg_seq */
	u64 cookie;
	s64 res;
	u32 flags;			/* COMPLETION: AIONL_COMPLETION_F_* */
	bool has_si;			/* COMPLETION of a signal watch: si */
	kernel_siginfo_t si;
	u64 handle;			/* REGISTER replies */
	struct list_head async_node;	/* aionl_sock.async while on the workqueue */
	bool in_async;
	bool has_deadline;		/* deadline armed while on the workqueue */
	struct hrtimer deadline;
	struct work_struct deadline_work;

	/* Asynchronous I/O only. */
	struct file *file;
	loff_t pos;
	size_t done;			/* bytes already moved inline */
	size_t len;			/* bytes still to move */
	int dir;			/* ITER_DEST (read) or ITER_SOURCE (write) */
	u8 sync;			/* AIONL_CMD_FSYNC or _FDATASYNC, else 0 */
	struct page **pages;
	unsigned int nr_pages;
	struct bio_vec *bvec;
	unsigned int nr_bvec;
};

/*
 * A completion decided in the sender's context (a page-cache hit, an
 * immediate error, a NOP): just what the message carries, no request.
 */
struct aionl_quick {
	u64 cookie;
	s64 res;
};

#define AIONL_QUICK_MAX	256

/*
 * Per-socket state, found by (net, portid). Created by the first request of
 * a socket; freed in exactly one place, aionl_sock_put(), when its last
 * reference goes: the socket's own (dropped at NETLINK_URELEASE), one per
 * pending task_work flush.
 */
struct aionl_sock {
	struct hlist_node node;		/* aionl_socks, under aionl_socks_lock */
	refcount_t refs;
	possible_net_t net;
	u32 portid;
	u32 tag;			/* random: handles of other sockets fail */

	struct xarray files;		/* id -> struct file *, the xarray's lock */
	u32 next_id;

	spinlock_t lock;		/* protects the fields below, up to inflight */
	struct list_head backlog;	/* done, not yet taken by the socket */
	unsigned int nbacklog;
	struct aionl_quick *quick;	/* also done and not yet taken, compact */
	unsigned int nquick;
	bool dead;			/* socket released: send nothing more */
	bool tw_pending;		/* a task_work flush is queued */

	struct list_head watches;	/* events armed (aionl_events.c) */
	struct list_head async;		/* file requests on the workqueue */
	unsigned int nwatches;

	atomic_t inflight;		/* asynchronous requests not yet done */
	wait_queue_head_t idle;		/* woken when inflight reaches 0 */
	struct mutex flush_lock;	/* one sender at a time keeps order */
	struct delayed_work retry;	/* resend after a full receive buffer */
	struct callback_head tw;	/* flush on the sender's return to user */
};


/* The unbound workqueue that runs blocking I/O and event work. */
extern struct workqueue_struct *aionl_wq;

struct aionl_sock *aionl_sock_get(struct genl_info *info);
void aionl_sock_put(struct aionl_sock *as);
struct aionl_kreq *aionl_kreq_new(struct aionl_sock *as, u8 cmd, u32 seq);
void aionl_kreq_free(struct aionl_kreq *r);
void aionl_post(struct aionl_sock *as, struct aionl_kreq *r, bool in_sender);
int aionl_complete_now(struct aionl_sock *as, u64 cookie, s64 res);
int aionl_check_required(struct genl_info *info, u64 mask);
struct file *aionl_file_lookup(struct aionl_sock *as, u64 handle);
ssize_t aionl_rw(struct file *file, struct kiocb *kiocb, struct iov_iter *iter, int dir);
int aionl_pin(struct aionl_kreq *r, const struct iovec *iov, unsigned int nr_iov, size_t skip);
bool aionl_full(struct aionl_sock *as, struct genl_info *info);
struct aionl_sock *aionl_request_begin(struct genl_info *info, u64 required, bool admit, int *err);
void aionl_io_done(struct aionl_kreq *r, s64 res);

/* aionl_events.c */
int aionl_stream_start(struct aionl_sock *as, struct aionl_kreq *r, const struct iovec *iov,
		       unsigned int nr_iov, u64 timeout_ns);
void aionl_events_release(struct aionl_sock *as);

#endif /* _AIONL_INTERNAL_H */
