/* SPDX-License-Identifier: MIT */
/*
 * The userspace engine: one thread that serves the aionl protocol on its end
 * of a SOCK_SEQPACKET socketpair and hands I/O to an executor.
 *
 *   engine.c     the thread, its loop, and the dispatch of each message
 *   control.c    GET_INFO, REGISTER, UNREGISTER, nlctrl, and error replies
 *   io.c         transfers and syncs on the executor
 *   open.c       OPEN and INSTALL: opening through the socket
 *   storage.c    FALLOCATE, STATX and COPY on the executor
 *   pool.c       the worker threads: the threads executor's, io_uring's helpers
 *   direct.c     requests a submitting thread hands a worker itself
 *   files.c      the table of registered files (handles)
 *   outq.c       completions and replies waiting to be sent
 *   events.c     watches, the epoll set they share, cancel and deadlines
 *   order.c      ordering: chains (REQ_LINK) and drains (REQ_DRAIN)
 *   timers.c heap.c readiness.c signals.c   the event sources
 *   exec_uring.c exec_threads.c             the executors
 *
 * All engine state below is owned by the engine thread, except where a
 * comment names a lock; executors that use their own threads
 * (exec_threads.c) keep their shared state in their own struct.
 */
#ifndef AIONL_ENGINE_H
#define AIONL_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "internal.h"
#include "engine_api.h"
#include "files.h"
#include "heap.h"
#include "outq.h"

struct aionl_engine;
struct eng_ord;

#define EV_NOT_ARMED HEAP_NOT_ARMED
enum { EV_OWNER_REQ, EV_OWNER_WATCH };

/* One file request in flight on the executor. */
struct eng_req {
	struct eng_req *next;	/* executor queues, and the OPENs waiting their turn */
	struct eng_req *aprev, *anext;	/* e->active: what cancel can find */
	uint64_t cookie;
	struct eng_file *file;	/* OPEN: the directory, or NULL for the working directory */
	uint64_t offset;
	int64_t res;
	struct iovec *iov;	/* iov_inline, or malloc'ed for more than one */
	uint32_t nr_iov;
	uint8_t op;		/* AIONL_CMD_READ..FDATASYNC, OPEN, FALLOCATE, STATX, COPY */
	bool timed_out;		/* its deadline passed: report -ETIMEDOUT */
	struct eng_ord *ord;	/* an ordered request's place in its order (order.c) */
	/* OPEN: the path (its own copy), open(2)'s flags and mode, the options. */
	bool waiting;		/* in e->open_wait, not given to the executor yet */
	char *path;		/* OPEN, STATX */
	uint32_t oflags, mode, options;
	/*
	 * OPEN on a bound socket that may create or truncate: first where it
	 * would land (open.c's probes), with path and oflags the probe's
	 * meanwhile and the request's own kept here.
	 */
	uint8_t open_probe;	/* OPEN_PROBE_*, or 0 for the open itself */
	char *open_path;	/* the request's path while a probe runs on another */
	uint32_t open_oflags;
	/* FALLOCATE: fallocate(2)'s mode and length (offset above); COPY: the length. */
	uint32_t fmode;
	uint64_t flen;
	/* COPY: the destination and where in it (the source is file and offset). */
	struct eng_file *dst;
	uint64_t dst_offset;
	/* STATX: statx(2)'s flags and mask, and the program's buffer. */
	uint32_t sx_flags, sx_mask;
	void *sx_buf;
	struct eng_timer deadline;
	/*
	 * A direct request (direct.c): started by a submitting thread, never
	 * in e->active; its worker completes it through direct_done.
	 */
	void (*direct_done)(struct eng_req *r, int64_t res);	/* queues it, frees nothing */
	aionl_engine_done_fn done;
	void *done_arg;
	struct iovec iov_inline[1];
};

enum eng_watch_kind { W_TIMER, W_POLL, W_SIGNAL, W_STREAM };

/*
 * Something the engine waits for itself, whatever the executor: a timer, a
 * readiness watch, a signal watch, or a read or write on a pipe or socket.
 */
struct eng_watch {
	struct eng_watch *prev, *next;	/* e->watches */
	enum eng_watch_kind kind;
	uint64_t cookie;
	struct eng_file *file;		/* POLL, STREAM */
	int fd;				/* POLL, STREAM: our dup, in the epoll set */
	struct eng_timer timer;		/* TIMER: expiry; STREAM: deadline */
	uint64_t interval;		/* TIMER: period, 0 one-shot */
	/* TIMER, multishot POLL: its unsent completion, which later ones merge into. */
	struct outq_pos pending;
	uint32_t events, flags;		/* POLL */
	uint64_t sigmask;		/* SIGNAL */
	/* SIGNAL: each standard signal's unsent completion, by number - 1. */
	struct outq_pos *sig_unsent;
	uint8_t op;			/* STREAM: AIONL_CMD_READ..WRITEV */
	bool timed_out;			/* STREAM */
	bool dead;			/* freed while a dispatch batch runs */
	struct eng_ord *ord;		/* STREAM: an ordered request's place (order.c) */
	struct iovec *iov;		/* STREAM */
	uint32_t nr_iov;
	struct iovec iov_inline[1];
};

struct exec_ops {
	const char *name;
	enum aionl_executor kind;
	int (*init)(struct aionl_engine *e);
	void (*fini)(struct aionl_engine *e);
	/* fini in a child after fork: free without joining or locking (engine.c). */
	void (*forget)(struct aionl_engine *e);
	/* Start r; its result arrives later through engine_complete(). */
	void (*queue)(struct aionl_engine *e, struct eng_req *r);
	/*
	 * Stop r if it has not started (it completes with -ECANCELED), or
	 * let it finish with its real result. It completes exactly once.
	 */
	void (*cancel)(struct aionl_engine *e, struct eng_req *r);
	/*
	 * Whether cancel may also interrupt r where it waits (io_uring's
	 * workers take a cancel as a signal): an OPEN that runs is then left
	 * alone by a program's cancel, and interrupted only at close.
	 */
	bool cancel_interrupts;
	/*
	 * Start what was queued, then (if block) sleep until the socket is
	 * ready for what is asked or some I/O finished, calling
	 * engine_complete() for each request done. Returns the socket's poll
	 * revents; without block, it claims POLLIN/POLLOUT as asked so that
	 * the caller simply tries. Sets e->events_ready when e->epfd is readable.
	 */
	int (*wait)(struct aionl_engine *e, bool want_in, bool want_out, bool block);
	/*
	 * The pool on which a request of op on f may start straight from a
	 * submitting thread (direct.c), or NULL: it is the engine's. Any
	 * thread, with the file table held.
	 */
	struct eng_pool *(*direct_pool)(struct aionl_engine *e, const struct eng_file *f, uint8_t op);
};

extern const struct exec_ops aionl_exec_uring;
extern const struct exec_ops aionl_exec_threads;

/*
 * Ordering (order.c): the requests a chain or a drain holds, and the chain of
 * the datagram being handled.
 */
struct eng_order {
	struct eng_ord *all_head, *all_tail;	/* every one not finished, in arrival order */
	struct eng_ord *fifo_head, *fifo_tail;	/* held behind a drain, in arrival order */
	struct eng_ord *ready_head, *ready_tail;	/* whose turn came: started by order_run() */
	struct eng_ord *active_drain;	/* a drain started and not finished */
	unsigned int nheld;		/* not started: counted against max_inflight */
	/*
	 * While a handler runs for an ordered request: the request takes ticket
	 * (io_req_new, watch_new), or the completion emitted for it finishes
	 * emit at once (an error, a NOP). engine_complete() and
	 * watch_complete() point emit at the request they complete.
	 */
	struct eng_ord *ticket;
	struct eng_ord *emit;
	/* The datagram being handled: the chain its next message is in. */
	bool chain_open;	/* the last message linked to the next */
	bool chain_broken;	/* a member failed or was refused: the rest are cancelled */
	bool chain_refused;	/* did not fit max_inflight: the rest are refused */
	struct eng_ord *chain_tail;	/* its last member, until that finishes */
};

/* The descriptors a datagram brought, for its REGISTER requests in order. */
struct eng_dgram {
	int *fds;
	int nfds;
	int next;
};

struct aionl_engine {
	int sock;
	pthread_t thread;
	const struct exec_ops *exec;
	void *exec_priv;
	struct aionl_engine_params params;

	/* Requests started and not yet completed (OPENs waiting their turn too). */
	unsigned int inflight;
	/*
	 * The pool direct requests run on, once there is one (direct.c): what
	 * cancel, a drain, fork and close look at for them.
	 */
	struct eng_pool *_Atomic dpool;
	bool dpool_whole;	/* fork.c: dpool's lock was held across the fork */
	/*
	 * fork.c: this is a child's copy, whose workers are not in its
	 * process: a fork from the child neither waits for them nor changes
	 * dpool_whole, which the child's close still needs.
	 */
	bool fork_copy;
	/* OPENs given to the executor, at most AIONL_MAX_OPENS_RUNNING; the rest wait here. */
	unsigned int opens_running;
	struct eng_req *open_wait_head, *open_wait_tail;
	/* Armed watches: with inflight and out.backlog, what max_inflight bounds. */
	unsigned int nwatches;
	/* Datagrams read plus completions made: progress, for busy-polling. */
	uint64_t work;
	struct aionl_spin spin;	/* whether busy-polling pays (internal.h) */
	bool peer_gone;
	struct outq out;
	struct eng_files files;
	struct eng_dgram dgram;		/* while a datagram is handled */

	struct eng_order order;		/* order.c */
	struct eng_req *req_free;	/* recycled requests */
	char *rxbuf;

	/* Event sources (events.c). */
	struct eng_req *active;		/* executor requests in flight */
	struct eng_watch *watches;
	int epfd;			/* timerfds, signalfd, watched descriptors */
	bool events_ready;
	bool dispatching;		/* in events_dispatch(): defer frees */
	struct eng_watch *graveyard;	/* watches to free after the batch */
	struct eng_clock {
		struct eng_heap heap;
		int tfd;		/* timerfd armed for the heap's top, in the epoll set */
	} clocks[AIONL_TIMER_CLOCK_COUNT];
	int sigfd;
	uint64_t sigmask;		/* union of the signal watches */

	/* Parked while the program forks (fork.c). */
	int kickfd;			/* eventfd in the epoll set: wakes the loop to park */
	atomic_bool park_asked;
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	bool parked, running;		/* under park_lock */
	bool fork_parked;		/* parked through the fork in progress: whole in the child */
	struct aionl_engine *fork_next;	/* fork.c's list of running engines */
};

/* ------------------------------------------------------------ direct.c */

/* Cancel's part for direct requests: how many match, completing those not started. */
int64_t direct_cancel(struct aionl_engine *e, uint64_t target, struct eng_file *tfile,
		      uint32_t flags);

/* ------------------------------------------------------------ engine.c */

/* Queue a completion. Returns where its res lies, for timers to add to. */
struct outq_pos engine_put_completion(struct aionl_engine *e, const struct aionl_completion *m);
/* Queue the completion of cookie with res and no flags. */
void engine_complete_cookie(struct aionl_engine *e, uint64_t cookie, int64_t res);
/*
 * Queue a completion that takes descriptor fd along (SCM_RIGHTS), which the
 * out queue owns from then on: 0, or -ENOMEM with fd closed.
 */
int engine_put_completion_fd(struct aionl_engine *e, const struct aionl_completion *m, int fd);
/*
 * Whether max_inflight is reached, or would be by more requests than one:
 * requests at work or held by ordering, messages the socket cannot take yet,
 * and with adds_work the armed watches. What waits only because it is not
 * sent yet does not count: this sends what the socket takes.
 */
bool engine_full(struct aionl_engine *e, bool adds_work, unsigned int more);
/* Run the handler of cmd, a command a program may send, on nlh. */
int engine_dispatch(struct aionl_engine *e, uint8_t cmd, const struct nlmsghdr *nlh,
		    struct aionl_parse_err *pe);

/* ------------------------------------------------------------ control.c */

/* The commands the engine serves, bit n for command n (engine.c's handlers[]). */
uint64_t engine_commands(void);
int eng_get_info(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int eng_register(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int eng_bind(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int eng_unregister(struct aionl_engine *e, const struct nlmsghdr *nlh,
		   struct aionl_parse_err *pe);
int eng_nlctrl(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
/* NLMSG_ERROR for req, as the kernel's netlink_ack() builds it with extended ACK. */
void eng_put_error(struct aionl_engine *e, const struct nlmsghdr *req, size_t req_len, int err,
		   const struct aionl_parse_err *pe);

/* ------------------------------------------------------------ io.c */

int io_transfer(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int io_transfer_v(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int io_sync(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
/* Report r's result: queues the completion, drops the file, recycles r. */
void engine_complete(struct aionl_engine *e, struct eng_req *r, int64_t res);
/* Link a new request into e->active, counted in inflight: NULL without memory. */
struct eng_req *io_req_new(struct aionl_engine *e, uint8_t op, uint64_t cookie,
			   struct eng_file *f);
void io_free_recycled(struct aionl_engine *e);
void io_forget_active(struct aionl_engine *e);

/* ------------------------------------------------------------ open.c */

int eng_open(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int eng_install(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
/* An OPEN's result: false if it went on (a probe, open.c) and r is still the executor's. */
bool open_done(struct aionl_engine *e, struct eng_req *r, int64_t res);
/*
 * Cancel r, an OPEN: one waiting its turn completes with -ECANCELED; one
 * given to the executor is stopped only if it has not started, unless
 * interrupt (the context is closing), which stops it where it waits.
 */
void open_cancel(struct aionl_engine *e, struct eng_req *r, bool interrupt);

/* ------------------------------------------------------------ storage.c */

int eng_fallocate(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int eng_statx(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int eng_copy(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);

/* ------------------------------------------------------------ events.c */

int events_init(struct aionl_engine *e);
void events_fini(struct aionl_engine *e);
void events_forget(struct aionl_engine *e);
void events_close_own(struct aionl_engine *e);
void events_dispatch(struct aionl_engine *e);
int ev_nop(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int ev_cancel(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
void events_cancel_everything(struct aionl_engine *e);
void events_deadline_arm(struct aionl_engine *e, struct eng_req *r, uint64_t timeout_ns);
void events_deadline_disarm(struct aionl_engine *e, struct eng_req *r);
/* The watch machinery the event sources share. */
struct eng_watch *watch_new(struct aionl_engine *e, enum eng_watch_kind kind, uint64_t cookie);
void watch_free(struct aionl_engine *e, struct eng_watch *w);
void watch_complete(struct aionl_engine *e, struct eng_watch *w, int64_t res);
int watch_epoll(struct aionl_engine *e, struct eng_watch *w, uint32_t events);

/* epoll tags below this are event sources of the engine's own, not watches. */
enum {
	EV_TAG_KICK = 1,	/* fork.c's eventfd */
	EV_TAG_SIGNALFD,
	EV_TAG_TIMERFD,		/* + the clock's index */
	EV_TAG_WATCHES = EV_TAG_TIMERFD + AIONL_TIMER_CLOCK_COUNT,
};

/* ------------------------------------------------------------ order.c */

/*
 * An orderable request (aionl_cmd_takes_req_flags) of the datagram being
 * handled, rem bytes from its end: admitted, started, held or cancelled as
 * its chain and the drains say. Returns what handle_msg() returns.
 */
int order_msg(struct aionl_engine *e, const struct nlmsghdr *nlh, uint32_t rem,
	      struct aionl_parse_err *pe);
/* A message that is no orderable request: it breaks a chain that reaches it. */
void order_other_msg(struct aionl_engine *e);
/* The datagram is handled: no chain continues into the next one. */
void order_datagram_end(struct aionl_engine *e);
/* Start the requests whose turn came. */
void order_run(struct aionl_engine *e);
/* A completion about to be queued: it may be emit's, which then finishes. */
void order_note(struct aionl_engine *e, const struct aionl_completion *m);
/* Cancel the held requests that match, with -ECANCELED: how many. */
int64_t order_cancel(struct aionl_engine *e, uint64_t target, struct eng_file *tfile,
		     uint32_t flags);
/*
 * The file of handle for the request a handler runs for: an ordered one is
 * bound to its file when it arrives, as one in flight is, so that an
 * UNREGISTER while it waits does not fail it.
 */
struct eng_file *order_lookup(struct aionl_engine *e, uint64_t handle);
/* A request starts that may be an ordered one's: it takes the ticket. */
static inline struct eng_ord *order_take(struct aionl_engine *e)
{
	struct eng_ord *o = e->order.ticket;

	e->order.ticket = NULL;
	if (o)
		e->order.emit = NULL;
	return o;
}
void order_fini(struct aionl_engine *e);

/* ------------------------------------------------------------ fork.c */

int fork_init(struct aionl_engine *e);		/* after events_init: needs epfd */
void fork_track(struct aionl_engine *e);	/* once the thread runs */
void fork_untrack(struct aionl_engine *e);
void fork_kicked(struct aionl_engine *e);
void fork_park(struct aionl_engine *e);
void fork_engine_exits(struct aionl_engine *e);
void fork_fini(struct aionl_engine *e, bool forget);

/* ------------------------------------------------------------ timers.c */

int ev_timer(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
int ev_timer_update(struct aionl_engine *e, const struct nlmsghdr *nlh,
		    struct aionl_parse_err *pe);
int timer_arm(struct aionl_engine *e, struct eng_timer *t);
void timer_disarm(struct aionl_engine *e, struct eng_timer *t);
uint64_t timer_clock_now(int clock);
void timers_expired(struct aionl_engine *e, int clock);
void timers_fini(struct aionl_engine *e);

/* ------------------------------------------------------------ readiness.c */

int ev_poll(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
void poll_ready(struct aionl_engine *e, struct eng_watch *w, uint32_t revents);
void stream_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, struct eng_file *f,
		 const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns);
void stream_ready(struct aionl_engine *e, struct eng_watch *w);

/* ------------------------------------------------------------ signals.c */

int ev_signal(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe);
void signals_update(struct aionl_engine *e);
void signals_ready(struct aionl_engine *e);
/* Standard signals (below the kernel's SIGRTMIN, 32) merge while unsent. */
#define ENG_STD_SIGNALS 31

#endif /* AIONL_ENGINE_H */
