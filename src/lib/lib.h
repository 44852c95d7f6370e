/* SPDX-License-Identifier: MIT */
/*
 * The library's half of the protocol: one AIO socket, to the kernel family or
 * to the embedded engine.
 *
 *   open.c            aionl_ctx_open/close and choosing a backend
 *   backend_user.c    the embedded engine: socketpair, fd passing, its bell
 *   backend_kernel.c  the aionl.ko family: netlink socket, its bell
 *   inline_files.c    the kernel backend's table of descriptors for inline reads
 *   transport.c       sending, and receiving into the completion queue or a
 *                     waiting control call
 *   cq.c              the completion queue
 *   control.c         calls that wait for a reply: family, info, (un)register
 *   supports.c        which commands the server serves, and their names
 *   submit.c reap.c   aionl_submit and aionl_reap
 *
 * Receiving is shared by every thread that waits (reap, and the control
 * calls that wait for their reply): whichever thread finds nobody receiving
 * becomes the receiver, parses what arrives into the completion queue or the
 * waiting control call, and wakes the others. So a reply is never stolen by a
 * reaper, and a completion is never lost to a control call.
 */
#ifndef AIONL_LIB_H
#define AIONL_LIB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"
#include "cq.h"

struct aionl_ctx;

/* What differs between the backends, behind one table. */
struct backend_ops {
	enum aionl_backend kind;
	/*
	 * Open the socket (ctx->fd) and whatever serves it. executor is the
	 * caller's choice (AUTO lets the backend pick); why gets, on success,
	 * why the executor is the one it is, if the caller did not name it.
	 */
	int (*open)(struct aionl_ctx *ctx, const struct aionl_params *p,
		    enum aionl_executor executor, char *why, size_t why_len);
	/* After the socket is closed: stop what served it and free the state. */
	void (*close)(struct aionl_ctx *ctx);
	/* close in a child after fork: free the child's copies, nothing more. */
	void (*forget)(struct aionl_ctx *ctx);
	/*
	 * Whether executor could serve here, without opening anything: 0 or
	 * -errno. NULL: only opening can tell.
	 */
	int (*probe)(enum aionl_executor executor);
	/* REGISTER passes the descriptor itself (SCM_RIGHTS), not just its number. */
	bool pass_fd;
	/* The inline reads' file table: a run of reads between begin and end. */
	void (*inline_begin)(struct aionl_ctx *ctx);
	int (*inline_read)(struct aionl_ctx *ctx, uint64_t handle, const struct iovec *iov,
			   unsigned int nr_iov, uint64_t offset, int64_t *res);
	void (*inline_end)(struct aionl_ctx *ctx);
	/*
	 * Between inline_begin and inline_end: start r (a transfer at an
	 * offset, without flags or deadline) where its completion is queued in
	 * ctx's completion queue without a message; false if it must be sent.
	 * NULL: the backend has no such path.
	 */
	bool (*direct)(struct aionl_ctx *ctx, const struct aionl_req *r);
	/* A file was registered under handle, and is about to be unregistered. */
	void (*registered)(struct aionl_ctx *ctx, uint64_t handle, int fd);
	void (*unregistering)(struct aionl_ctx *ctx, uint64_t handle);
	/* Put a bell datagram on the socket: whether one is there now. */
	bool (*ring)(struct aionl_ctx *ctx);
	/* Whether a message received is the bell this backend rang. */
	bool (*is_bell)(const struct aionl_ctx *ctx, const struct nlmsghdr *nlh);
};

extern const struct backend_ops aionl__backend_user;
extern const struct backend_ops aionl__backend_kernel;

/* A control call waiting for its reply. Lives on the caller's stack. */
struct waiter {
	struct waiter *next;
	uint32_t seq;
	bool done;
	int64_t res;
	uint64_t handle;
	int fd;			/* INSTALL: the descriptor received, or -1 */
	uint16_t family;
	struct aionl_get_info_reply info;
};

/*
 * Datagrams one receive takes: a reap takes every completion already
 * waiting, so batches split by a few slow requests join again instead of
 * staying split. Untouched slots cost address space only.
 */
#define RX_SLOTS 8
/* Ancillary data of one received datagram: the descriptors the engine passes. */
#define RX_CTL_SIZE CMSG_SPACE(AIONL_FDS_PER_DGRAM * sizeof(int))

/* The parts of aionl_ctx.outstanding. max_inflight is far below bit 31. */
#define CREDIT_DRAIN (1u << 31)
#define CREDIT_COUNT(v) ((v) & ~CREDIT_DRAIN)

struct aionl_ctx {
	int fd;
	uint16_t family;
	const struct backend_ops *ops;
	void *backend;		/* the backend's own state */
	struct aionl_info info;
	unsigned int max_inflight;
	uint64_t spin_ns;	/* busy-poll in receiving while completions are due */
	struct aionl_spin spin;	/* whether it pays (internal.h) */
	/*
	 * Requests submitted and not yet reaped: the credit that backs -EBUSY,
	 * in the bits of CREDIT_COUNT; and CREDIT_DRAIN, set by the submit of
	 * an AIONL_REQ_DRAIN request and cleared when the count comes back to
	 * 0, while which no read is served inline (submit.c).
	 */
	atomic_uint outstanding;
	/*
	 * Requests sent through the socket whose last completion has not come
	 * back on it yet (send_rest adds, cq_add takes away): on two CPUs the
	 * reaper spins only while none is, that is while every completion due
	 * comes from a thread already at work on it (transport.c, rx_spin).
	 */
	atomic_uint via_socket;
	atomic_uint seq;
	bool inline_reads;	/* serve page-cache hits in aionl_submit */
	bool direct;		/* hand blocking transfers to a worker in aionl_submit */
	/*
	 * The commands both the library and the server know (GET_INFO's
	 * commands, bit n for command n), and the requests of struct aionl_req
	 * among the rest, which aionl_submit completes with -EOPNOTSUPP itself.
	 */
	uint64_t commands;
	uint64_t unserved_ops;
	uint32_t order_flags;	/* GET_INFO's: the ReqFlag bits the server honours */
	unsigned int fork_gen;	/* aionl__fork_gen when opened: see ctx_check() */
	struct aionl_ctx *fork_next;	/* fork.c's list of open contexts */
	/* fork.c, set by a fork's prepare handler: what it took, and so whether the child's copy is whole. */
	bool fork_rx, fork_table, fork_whole;
	/* BIND: the filesystem (st_dev) the context takes files of, and what named it. */
	bool bound;
	uint64_t bound_dev;
	char bound_name[128];

	/* tx_lock serializes use of txbuf and keeps a datagram whole. */
	pthread_mutex_t tx_lock;
	char *txbuf;

	/* rx_lock protects everything below. */
	pthread_mutex_t rx_lock;
	pthread_cond_t rx_cond;
	bool receiving;		/* one thread is receiving; the rx slots are its own */
	int rx_err;		/* sticky: the socket is unusable */
	struct aionl_cq cq;	/* completions received, not reaped */
	/*
	 * The bell: one small datagram on the socket that keeps the descriptor
	 * readable while cq holds completions no datagram announces (reads
	 * served inline, or the rest of a datagram a short reap left). At most
	 * one is on the socket; a blocking reaper leaves it there, so a busy
	 * submit/reap loop makes no socket call at all.
	 */
	bool bell;
	uint32_t bell_seq;	/* kernel backend: the acknowledgement that is the bell */
	struct waiter *waiters;
	char *rxbuf;
	char *rxctl;		/* RX_SLOTS * RX_CTL_SIZE, on backends that pass descriptors */
	struct mmsghdr rxmsg[RX_SLOTS];
	struct iovec rxiov[RX_SLOTS];
	/* The receiver met the peer's close: every later rx_take is -EPIPE. */
	bool rx_closed;
};

/* ------------------------------------------------------------ transport.c */

/* Send one datagram, with fd as SCM_RIGHTS if it is not -1: 0 or -errno. */
int tx_send(struct aionl_ctx *ctx, const void *buf, size_t len, int fd);
/*
 * One recvmmsg() into the rx slots: the first datagram as flags say, then
 * all that are already waiting. Returns how many, -EPIPE at end of stream
 * (and from then on), or -errno.
 */
int rx_take(struct aionl_ctx *ctx, int flags);
/* With rx_lock held: sort the n datagrams rx_take() took. */
void rx_parse_slots(struct aionl_ctx *ctx, int n);
/*
 * With rx_lock held: wait until ready() holds, receiving or letting another
 * thread receive, until deadline (CLOCK_MONOTONIC; NULL: forever). Returns 0,
 * -ETIMEDOUT, -EINTR (only for rx_cq_ready: control calls wait through
 * signals) or the sticky error.
 */
int rx_wait(struct aionl_ctx *ctx, bool (*ready)(struct aionl_ctx *, void *), void *arg,
	    const struct timespec *deadline);
/* With rx_lock held: the readiness test of a reaper (arg: how many it wants). */
bool rx_cq_ready(struct aionl_ctx *ctx, void *arg);
/*
 * Queue n completions that no datagram carries (reads served inline, the
 * direct path's) and ring the bell for them; takes rx_lock.
 */
void rx_deliver(struct aionl_ctx *ctx, const struct aionl_completion *m, unsigned int n);
/* With rx_lock held: ring the bell if cq holds completions and none is rung. */
static inline void rx_ring_bell(struct aionl_ctx *ctx)
{
	if (!ctx->bell && ctx->cq.len)
		ctx->bell = ctx->ops->ring(ctx);
}

/* ------------------------------------------------------------ control.c */

uint32_t ctl_next_seq(struct aionl_ctx *ctx);
/* Send a control request (with w->seq) and wait for its reply or NLMSG_ERROR. */
int ctl_call(struct aionl_ctx *ctx, const struct nlmsghdr *req, int passfd, struct waiter *w);
/* Find the aionl family on ctx's socket: -ENOENT if it is not there. */
int ctl_resolve_family(struct aionl_ctx *ctx);
/*
 * INSTALL: a close-on-exec descriptor of handle's file in the high range, or
 * -errno; aionl_file_install without its checks and messages.
 */
int ctl_install(struct aionl_ctx *ctx, uint64_t handle, unsigned int flags);
/* Fill ctx->info's protocol part and ctx->commands from GET_INFO. */
int ctl_get_info(struct aionl_ctx *ctx);
/* BIND to the filesystem fd is on: 0 and its st_dev in *dev, or -errno. */
int ctl_bind(struct aionl_ctx *ctx, int fd, uint64_t *dev);

/* ------------------------------------------------------------ supports.c */

/* Set ctx->commands and ctx->unserved_ops from what GET_INFO reported. */
void ctx_set_commands(struct aionl_ctx *ctx, const struct aionl_get_info_reply *m);
/* Whether the server serves command cmd: a -EOPNOTSUPP with a message if not. */
int ctx_need_cmd(struct aionl_ctx *ctx, unsigned int cmd, const char *fn);

/* ------------------------------------------------------------ fork.c */

/* Bumped in the child at every fork (pthread_atfork). */
extern atomic_uint aionl__fork_gen;
void aionl__fork_watch(void);
void aionl__fork_track(struct aionl_ctx *ctx);
void aionl__fork_untrack(struct aionl_ctx *ctx);

/* ------------------------------------------------------------ open.c */

/* Whether ctx was opened by an ancestor of this process: only close may touch it. */
static inline bool ctx_forked(const struct aionl_ctx *ctx)
{
	return atomic_load_explicit(&aionl__fork_gen, memory_order_relaxed) != ctx->fork_gen;
}

/*
 * The check every call on a context makes first: 0, -EINVAL for NULL, or
 * -ECHILD in a child after fork; fn names the call in the message.
 */
static inline int ctx_check(const struct aionl_ctx *ctx, const char *fn)
{
	if (!ctx)
		return aionl__fail(-EINVAL, "%s: NULL context", fn);
	if (ctx_forked(ctx))
		return aionl__fail(-ECHILD, "%s: the context belongs to the parent process; "
				   "after fork a child may only close it", fn);
	return 0;
}

/* Busy-poll time of p, in ns. */
uint64_t aionl__spin_ns(const struct aionl_params *p);
/*
 * A context with its locks and buffers but no socket (fd -1) and no backend,
 * and its undoing: aionl_ctx_open's first and last steps. tests/fuzz/reply.c
 * fills in a socket and a backend_ops of its own to play the server.
 */
struct aionl_ctx *aionl__ctx_alloc(void);
void aionl__ctx_free(struct aionl_ctx *ctx);

#endif /* AIONL_LIB_H */
