/* SPDX-License-Identifier: MIT */
/*
 * Worker threads that make requests' system calls (pool.c): the threads
 * executor's, and the io_uring executor's helpers for COPY. Engine thread
 * only, but for the workers themselves.
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
/* In a child after fork, where the workers are not: free without joining. */
void pool_forget(struct eng_pool *p);
/* Hand the n requests from head to tail (linked by next) to the workers. */
void pool_push(struct eng_pool *p, struct eng_req *head, struct eng_req *tail, unsigned int n);
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
