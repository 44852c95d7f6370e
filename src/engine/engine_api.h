/* SPDX-License-Identifier: MIT */
/*
 * What the library's user backend (src/lib/backend_user.c) asks of the
 * engine. The engine depends on src/common only, never on the library.
 */
#ifndef AIONL_ENGINE_API_H
#define AIONL_ENGINE_API_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "aionl.h"

struct aionl_engine;

struct aionl_engine_params {
	enum aionl_executor executor;	/* AIONL_EXEC_URING or _THREADS, never AUTO */
	unsigned int max_inflight;
	unsigned int workers;
	uint64_t spin_ns;		/* busy-poll this long after work before sleeping */
	bool direct;			/* the library may use aionl_engine_try_direct */
	int peer;			/* the program's end of the socket, or -1: never kept */
};

/*
 * Start an engine serving sock (one end of a SOCK_SEQPACKET socketpair, owned
 * by the engine from then on, even on failure). The executor is set up before
 * this returns, so an unavailable executor is reported here, with
 * aionl_error_message() saying why.
 */
int aionl_engine_start(struct aionl_engine **ep, int sock,
		       const struct aionl_engine_params *params);

/* Wait for the engine to finish (after the peer socket closed) and free it. */
void aionl_engine_join(struct aionl_engine *e);
/*
 * In a child after fork, instead of join: the engine's threads are not in
 * this process, so close the child's copies of its descriptors and free its
 * memory without touching anything the parent's engine shares.
 */
void aionl_engine_forget(struct aionl_engine *e);

/*
 * The inline fast path, for submitting threads: try a read of the registered
 * file without blocking, straight into the caller's buffers. Returns 1 with
 * *res set when it moved every byte, else 0: the engine must do it. Only
 * between aionl_engine_inline_begin and _end, which hold the file table
 * against unregistering for a run of reads at the price of one lock.
 */
void aionl_engine_inline_begin(struct aionl_engine *e);
int aionl_engine_try_read(struct aionl_engine *e, uint64_t handle, const struct iovec *iov,
			  unsigned int nr_iov, uint64_t offset, int64_t *res);
void aionl_engine_inline_end(struct aionl_engine *e);

/*
 * The direct path, for submitting threads: start a READ, READV, WRITE or
 * WRITEV without flags or deadline on a worker now, never through the
 * engine thread; the worker that ran it calls done(arg, cookie, res) once
 * (as may a cancel, with -ECANCELED), on its own thread. Returns 1 if it
 * started, 0 if the request is the engine's (the message path): another
 * executor's kind of request, a file the check refuses (so that the
 * engine reports the error, as always), a stream, or no memory. Only
 * between aionl_engine_inline_begin and _end, and only for a request no
 * drain or chain may hold (the library's serve_inline() knows which):
 * cancel, drains and close find it as they find the engine's own.
 */
typedef void (*aionl_engine_done_fn)(void *arg, uint64_t cookie, int64_t res);
int aionl_engine_try_direct(struct aionl_engine *e, uint8_t op, uint64_t cookie, uint64_t handle,
			    const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
			    aionl_engine_done_fn done, void *arg);

/*
 * Make the library's end of the socket readable without waking the engine:
 * one NLMSG_NOOP from the engine's end. Returns 1 if it was sent, 0 if the
 * socket is full (and so readable anyway).
 */
int aionl_engine_ring(struct aionl_engine *e);

/* 0 if io_uring can run the engine's operations here, else -errno. */
int aionl_uring_probe(void);

#endif /* AIONL_ENGINE_API_H */
