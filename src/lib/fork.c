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

#include "lib.h"
#include "inline_files.h"

atomic_uint aionl__fork_gen;

/* Every open context of the process; held across a fork. */
static pthread_mutex_t ctxs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aionl_ctx *ctxs;

static struct aionl_inline_files *inline_table(const struct aionl_ctx *ctx)
{
	return ctx->ops == &aionl__backend_kernel ? ctx->backend : NULL;
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&ctxs_lock);
	for (struct aionl_ctx *ctx = ctxs; ctx; ctx = ctx->fork_next) {
		if (inline_table(ctx))
			aionl__inline_files_fork_prepare(inline_table(ctx));
		pthread_mutex_lock(&ctx->rx_lock);
	}
}

static void fork_parent(void)
{
	for (struct aionl_ctx *ctx = ctxs; ctx; ctx = ctx->fork_next) {
		pthread_mutex_unlock(&ctx->rx_lock);
		if (inline_table(ctx))
			aionl__inline_files_fork_parent(inline_table(ctx));
	}
	pthread_mutex_unlock(&ctxs_lock);
}

static void fork_child(void)
{
	atomic_fetch_add_explicit(&aionl__fork_gen, 1, memory_order_relaxed);
	for (struct aionl_ctx *ctx = ctxs; ctx; ctx = ctx->fork_next) {
		pthread_mutex_init(&ctx->rx_lock, NULL);
		if (inline_table(ctx))
			aionl__inline_files_fork_child(inline_table(ctx));
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
