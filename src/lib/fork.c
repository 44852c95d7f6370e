// SPDX-License-Identifier: MIT
/*
 * fork(): a context belongs to the process that opened it; in a child, the
 * only call allowed on it is aionl_ctx_close, which frees the child's copies
 * (ctx_free_forked). So that those copies are whole, a fork waits until no
 * thread is in the middle of changing a context's completion queue (rx_lock)
 * or the kernel backend's inline file table; the engine parks itself for
 * the same reason (src/engine/fork.c). A child's locks are then made new:
 * a lock copied while held by a thread the child does not have could never
 * be taken again.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "lib.h"
#include "inline_files.h"

atomic_uint aionl__fork_gen;

/* Every open context of the process; held across a fork. */
static pthread_mutex_t ctxs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aionl_ctx *ctxs;
static bool ctxs_taken;		/* by this fork's prepare handler */

static struct aionl_inline_files *inline_table(const struct aionl_ctx *ctx)
{
	return ctx->ops == &aionl__backend_kernel ? ctx->backend : NULL;
}

/*
 * Every wait is bounded (AIONL_FORK_WAIT_NS): a fork from a signal handler
 * may have interrupted the thread holding one of these locks, which would
 * never let go. A context whose locks could not be had is not whole in the
 * child (fork_whole false): its close there leaks its memory rather than
 * walk it.
 */
static void fork_prepare(void)
{
	ctxs_taken = aionl__fork_lock(&ctxs_lock);
	if (!ctxs_taken)
		return;
	for (struct aionl_ctx *ctx = ctxs; ctx; ctx = ctx->fork_next) {
		struct aionl_inline_files *t = inline_table(ctx);

		ctx->fork_table = !t || aionl__inline_files_fork_prepare(t);
		ctx->fork_rx = aionl__fork_lock(&ctx->rx_lock);
		ctx->fork_whole = ctx->fork_table && ctx->fork_rx;
	}
}

static void fork_parent(void)
{
	if (!ctxs_taken)
		return;
	for (struct aionl_ctx *ctx = ctxs; ctx; ctx = ctx->fork_next) {
		if (ctx->fork_rx)
			pthread_mutex_unlock(&ctx->rx_lock);
		if (ctx->fork_table && inline_table(ctx))
			aionl__inline_files_fork_parent(inline_table(ctx));
		ctx->fork_whole = false;
	}
	pthread_mutex_unlock(&ctxs_lock);
}

/*
 * The child may only close its copies (ctx_check), so their sockets go at
 * once: a child that keeps running without exec would otherwise hold the
 * parent's socket open, and on the kernel backend the parent's close would
 * then release nothing (a netlink socket has no shutdown). The descriptor
 * number becomes -1, so that a later aionl_ctx_close closes no descriptor
 * the child has since opened under it.
 */
static void fork_child(void)
{
	atomic_fetch_add_explicit(&aionl__fork_gen, 1, memory_order_relaxed);
	if (ctxs_taken) {
		for (struct aionl_ctx *ctx = ctxs; ctx; ctx = ctx->fork_next) {
			pthread_mutex_init(&ctx->rx_lock, NULL);
			if (inline_table(ctx))
				aionl__inline_files_fork_child(inline_table(ctx));
			if (ctx->fd >= 0)
				close(ctx->fd);
			ctx->fd = -1;
		}
	} else {
		ctxs = NULL;	/* half changed, maybe: nothing to walk */
	}
	pthread_mutex_init(&ctxs_lock, NULL);
}

static void fork_atfork(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* Before the first context is made: a fork must tell every context after it. */
void aionl__fork_watch(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, fork_atfork);
}

void aionl__fork_track(struct aionl_ctx *ctx)
{
	pthread_mutex_lock(&ctxs_lock);
	ctx->fork_next = ctxs;
	ctxs = ctx;
	pthread_mutex_unlock(&ctxs_lock);
}

/* Also in a child, where the lock is new (fork_child). */
void aionl__fork_untrack(struct aionl_ctx *ctx)
{
	pthread_mutex_lock(&ctxs_lock);
	for (struct aionl_ctx **pp = &ctxs; *pp; pp = &(*pp)->fork_next) {
		if (*pp == ctx) {
			*pp = ctx->fork_next;
			break;
		}
	}
	pthread_mutex_unlock(&ctxs_lock);
}
