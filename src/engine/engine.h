/* SPDX-License-Identifier: MIT */
/*
 * The userspace engine: one thread that serves the aionl protocol on its end
 * of a SOCK_SEQPACKET socketpair and hands I/O to an executor.
 *
 * All engine state below is owned by the engine thread; executors that use
 * their own threads (exec_threads.c) keep their shared state in their own
 * struct, behind their own lock.
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

struct aionl_engine;

/* A registered file. Freed when unregistered and no request holds it. */
struct eng_file {
	int fd;
	uint32_t refs;		/* 1 for the table slot + 1 per request in flight */
	bool readable;
	bool writable;
	bool seekable;
	/* RWF_NOWAIT not refused yet: cleared by the engine, read by submitters. */
	atomic_bool nowait_ok;
};

/* A point in time on one of the timer clocks, kept in that clock's heap. */
struct eng_timer {
	uint64_t expiry;	/* ns on the clock */
	uint32_t heap_idx;	/* EV_NOT_ARMED when not in the heap */
	uint8_t clock;		/* EV_CLOCK_* */
	uint8_t owner_kind;	/* EV_OWNER_* */
	void *owner;
};

#define EV_NOT_ARMED UINT32_MAX
enum { EV_CLOCK_MONOTONIC, EV_CLOCK_REALTIME, EV_CLOCK_BOOTTIME, EV_NCLOCKS };
enum { EV_OWNER_REQ, EV_OWNER_WATCH };

/* One file request in flight on the executor. */
struct eng_req {
	struct eng_req *next;	/* executor queues */
	struct eng_req *aprev, *anext;	/* e->active: what cancel can find */
	uint64_t cookie;
	struct eng_file *file;
	uint64_t offset;
	int64_t res;
	struct iovec *iov;	/* iov_inline, or malloc'ed for more than one */
	uint32_t nr_iov;
	uint8_t op;		/* enum aionl_op */
	bool timed_out;		/* its deadline passed: report -ETIMEDOUT */
	struct eng_timer deadline;
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
	uint64_t pending_serial;	/* TIMER: chunk of an unsent completion, */
	uint32_t pending_off;		/* and where its res is, to add to it */
	uint32_t events, flags;		/* POLL */
	uint64_t sigmask;		/* SIGNAL */
	uint8_t op;			/* STREAM: AIONL_OP_READ..WRITEV */
	bool timed_out;			/* STREAM */
	bool dead;			/* freed while a dispatch batch runs */
	struct iovec *iov;		/* STREAM */
	uint32_t nr_iov;
	struct iovec iov_inline[1];
};

struct exec_ops {
	const char *name;
	int (*init)(struct aionl_engine *e);
	void (*fini)(struct aionl_engine *e);
	/* Start r; its result arrives later through engine_complete(). */
	void (*queue)(struct aionl_engine *e, struct eng_req *r);
	/*
	 * Stop r if it has not started (it completes with -ECANCELED), or
	 * let it finish with its real result. It completes exactly once.
	 */
	void (*cancel)(struct aionl_engine *e, struct eng_req *r);
	/*
	 * Start what was queued, then (if block) sleep until the socket is
	 * ready for what is asked or some I/O finished, calling
	 * engine_complete() for each request done. Returns the socket's poll
	 * revents; without block, it claims POLLIN/POLLOUT as asked so that
	 * the caller simply tries. Sets e->events_ready when e->epfd is readable.
	 */
	int (*wait)(struct aionl_engine *e, bool want_in, bool want_out, bool block);
};

extern const struct exec_ops aionl_exec_uring;
extern const struct exec_ops aionl_exec_threads;

/* A chunk of encoded completions waiting to be sent: one datagram. */
struct out_chunk {
	struct out_chunk *next;
	uint64_t serial;	/* chunks are sent in serial order */
	uint32_t len;
	uint32_t count;		/* completions in it */
	char data[AIONL_MAX_MSG_SIZE];
};

struct eng_heap {
	struct eng_timer **v;
	uint32_t n, cap;
	int tfd;		/* timerfd armed for v[0], in the epoll set */
};

struct aionl_engine {
	int sock;
	pthread_t thread;
	const struct exec_ops *exec;
	void *exec_priv;
	struct aionl_engine_params params;

	/* Requests started and not yet completed. */
	unsigned int inflight;
	/* Datagrams read plus completions made: progress, for busy-polling. */
	uint64_t work;
	/* Completions encoded but not yet sent, and the chunks they fill. */
	unsigned int backlog;
	struct out_chunk *out_head, *out_tail, *out_free;
	unsigned int nfree;		/* chunks kept on out_free */
	bool peer_gone;

	/*
	 * The file table: handle = tag << 32 | gen << 20 | index. Only the
	 * engine thread changes it, under files_lock held for writing;
	 * submitting threads read it under files_lock for the inline path.
	 */
	pthread_rwlock_t files_lock;
	uint32_t tag;
	struct eng_slot {
		struct eng_file *file;
		uint32_t gen;
		uint32_t next_free;
	} *slots;
	uint32_t nslots, cap_slots, free_head, nfiles;

	struct eng_req *req_free;	/* recycled requests */
	char *rxbuf;

	/* Event sources (events.c). */
	uint64_t next_serial;		/* of the next out chunk */
	struct eng_req *active;		/* executor requests in flight */
	struct eng_watch *watches;
	int epfd;			/* timerfds, signalfd, watched descriptors */
	bool events_ready;
	bool dispatching;		/* in events_dispatch(): defer frees */
	struct eng_watch *graveyard;	/* watches to free after the batch */
	struct eng_heap heaps[EV_NCLOCKS];
	int sigfd;
	uint64_t sigmask;		/* union of the signal watches */
};

/* Report r's result: encodes the completion, drops the file, frees r. */
void engine_complete(struct aionl_engine *e, struct eng_req *r, int64_t res);

/* Queue a completion. Returns where its res is, for timers to add to, or NULL. */
int64_t *engine_put_completion(struct aionl_engine *e, const struct aionl_completion *m,
			       uint64_t *serial, uint32_t *off);
int64_t *engine_completion_res(struct aionl_engine *e, uint64_t serial, uint32_t off);
void engine_file_put(struct eng_file *f);
struct eng_file *engine_file_lookup(struct aionl_engine *e, uint64_t handle);

/* events.c: the sources the engine waits for itself. */
int events_init(struct aionl_engine *e);
void events_fini(struct aionl_engine *e);
void events_dispatch(struct aionl_engine *e);
int events_request(struct aionl_engine *e, const struct nlmsghdr *nlh, uint8_t cmd,
		   struct aionl_parse_err *pe);
int events_stream_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, struct eng_file *f,
			const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns);
void events_deadline_arm(struct aionl_engine *e, struct eng_req *r, uint64_t timeout_ns);
void events_deadline_disarm(struct aionl_engine *e, struct eng_req *r);
void events_cancel_everything(struct aionl_engine *e);

#endif /* AIONL_ENGINE_H */
