/* SPDX-License-Identifier: MIT */
/*
 * Worker threads that make requests' system calls (pool.c): the threads
 * executor's, and the io_uring executor's helpers for COPY and buffered
 * writes. Engine thread only, but for the workers themselves and the direct
 * path's calls (direct.c).
 */
#ifndef AIONL_ENGINE_POOL_H
#define AIONL_ENGINE_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct eng_req;
struct eng_pool;

/*
 * A pool of at most max workers, AIONL_WORKERS_KEPT of them (or max, if
 * fewer) started now, the rest as requests wait; each keeps the signal mask
 * of the thread that starts it (the engine's: every signal blocked). 0, or
 * -errno with aionl__fail's message.
 */
int pool_new(struct eng_pool **pp, unsigned int max);
/* Stop and join the workers: nothing may be queued or running. */
void pool_free(struct eng_pool *p);
/*
 * In a child after fork, where the workers are not: free without joining;
 * whole (pool_fork_prepare held the lock across the fork): the direct
 * requests on its lists drop their files too.
 */
void pool_forget(struct eng_pool *p, bool whole);
/* Around a fork: hold the pool's lists, for at most AIONL_FORK_WAIT_NS. */
bool pool_fork_prepare(struct eng_pool *p);
void pool_fork_parent(struct eng_pool *p);
/* Hand the n requests from head to tail (linked by next) to the workers. */
void pool_push(struct eng_pool *p, struct eng_req *head, struct eng_req *tail, unsigned int n);
/*
 * A free direct request (direct.c) if a worker waits idle for it, else NULL.
 * Any thread; it neither allocates nor starts a thread.
 */
struct eng_req *pool_direct_get(struct eng_pool *p);
/*
 * Hand direct request r, from pool_direct_get and filled in with
 * r->direct_done set, to the workers, taking a reference to r->file: any
 * thread. A worker completes it through r->direct_done, never the done
 * list, and gives r back to the pool.
 */
void pool_push_direct(struct eng_pool *p, struct eng_req *r);
/*
 * Start workers for requests that wait with none idle (a direct request
 * pushed as the last idle worker was taken): engine thread, when pool_fd()
 * is readable.
 */
void pool_grow(struct eng_pool *p);
/*
 * Whether direct requests are in flight (p may be NULL: none); while they
 * are, the worker that ends the last one makes pool_fd() readable, for a
 * drain that waits on them. Engine thread.
 */
bool pool_direct_busy(struct eng_pool *p);
/*
 * Cancel's part (p may be NULL): the direct requests match(r, arg) picks
 * that no worker took are completed -ECANCELED; returns how many matched,
 * the running ones too.
 */
int64_t pool_cancel_direct(struct eng_pool *p, bool (*match)(const struct eng_req *r, void *arg),
			   void *arg);
/* An eventfd, readable while requests are done and not taken. */
int pool_fd(const struct eng_pool *p);
/* The requests done, each with its res, linked by next; NULL for none. */
struct eng_req *pool_take_done(struct eng_pool *p);
/* Take r back if no worker took it yet: whether it did (r is then the caller's). */
bool pool_unqueue(struct eng_pool *p, struct eng_req *r);
/* Take r off a list linked by next: whether it was there. */
bool pool_unlink(struct eng_req **head, struct eng_req **tail, struct eng_req *r);
/* r's system call, in the calling thread: its result, or -errno. */
int64_t pool_run(struct eng_req *r);

#endif /* AIONL_ENGINE_POOL_H */
