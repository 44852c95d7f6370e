// SPDX-License-Identifier: MIT
/* aionl_reap: completions out of the queue, receiving while there are too few. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lib.h"

/* Take every datagram already waiting, without blocking. With rx_lock held. */
static void rx_drain(struct aionl_ctx *ctx, unsigned int until_len)
{
	int k;

	do {
		k = rx_take(ctx, MSG_DONTWAIT);
		if (k > 0)
			rx_parse_slots(ctx, k);
	} while (k == RX_SLOTS && ctx->cq.len < until_len);
}

AIONL_EXPORT int aionl_reap(struct aionl_ctx *ctx, struct aionl_cqe *cqes, unsigned int max,
			    unsigned int min_nr, const struct timespec *timeout)
{
	unsigned int want = min_nr ? min_nr : 1, n, finals;
	struct timespec deadline, *dl = NULL;
	bool nonblocking = !min_nr || (timeout && !timeout->tv_sec && !timeout->tv_nsec);
	int err;

	if ((err = ctx_check(ctx, "aionl_reap")))
		return err;
	if (!cqes && max)
		return aionl__fail(-EINVAL, "aionl_reap: NULL argument");
	if (min_nr > max)
		return aionl__fail(-EINVAL, "aionl_reap: min_nr %u > max %u", min_nr, max);
	if (!max)
		return 0;
	if (timeout || !min_nr) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		if (timeout) {
			deadline.tv_sec += timeout->tv_sec;
			deadline.tv_nsec += timeout->tv_nsec;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		}
		dl = &deadline;
	}
	pthread_mutex_lock(&ctx->rx_lock);
	/*
	 * A non-blocking reap is what a poll()-driven program makes: take the
	 * bell with whatever else waits, so the descriptor does not stay
	 * readable once everything is handed out.
	 */
	if (nonblocking && ctx->bell && !ctx->receiving)
		rx_drain(ctx, UINT32_MAX);
	err = rx_wait(ctx, rx_cq_ready, &want, dl);
	/*
	 * Periodic timers' ticks that wait on the socket fold into the ones
	 * already queued: take them in before handing anything out.
	 */
	if (!err && ctx->cq.ticked && !ctx->receiving && ctx->cq.len < max)
		rx_drain(ctx, max);
	n = cq_pop(&ctx->cq, cqes, max, &finals);
	rx_ring_bell(ctx);
	pthread_mutex_unlock(&ctx->rx_lock);
	/*
	 * A netlink socket carries no descriptor: an OPEN that asked for one
	 * gets it installed now, by this thread, in the module's INSTALL, which
	 * runs in the caller's context as io_uring's FIXED_FD_INSTALL does.
	 */
	if (!ctx->ops->pass_fd) {
		for (unsigned int i = 0; i < n; i++)
			if (AIONL_UNLIKELY(cqes[i].flags & AIONL_CQE_F_FD))
				cqes[i].open.fd = ctl_install(ctx, cqes[i].open.handle, 0);
	}
	if (n) {
		unsigned int cur = atomic_load(&ctx->outstanding);

		/*
		 * A request's credit returns with its last completion: armed
		 * timers, polls and signal watches keep theirs. Raw test traffic
		 * completes without a credit: never underflow. Once none is
		 * left, every drain submitted has completed: the inline reads
		 * resume (submit.c).
		 */
		while (finals && !atomic_compare_exchange_weak(&ctx->outstanding, &cur,
				CREDIT_COUNT(cur) > finals ? cur - finals : 0))
			;
		return (int)n;
	}
	if (err == -ETIMEDOUT)
		return 0;
	if (err == -EPIPE)
		return aionl__fail(-EPIPE, "aionl_reap: the engine is gone");
	if (err)
		return aionl__fail(err, "aionl_reap: %s", strerror(-err));
	return 0;
}
