/* SPDX-License-Identifier: MIT */
/*
 * The completion queue: completions received and not yet reaped, in order.
 * A periodic timer's completion still queued absorbs the timer's next ones,
 * so a slow reaper sees one completion counting every expiry, as timerfd
 * does, however many timers there are.
 */
#ifndef AIONL_CQ_H
#define AIONL_CQ_H

#include <stdbool.h>
#include <stdint.h>

#include "aionl.h"
#include "aionl-msg.h"

struct aionl_cq {
	struct aionl_cqe *v;	/* a ring; cap is a power of two */
	unsigned int head, len, cap;
	uint64_t taken;		/* completions popped so far: head's absolute index */
	/*
	 * The periodic timers' completions in the ring, by cookie: an open
	 * addressing table of absolute indices, cap a power of two.
	 */
	struct cq_tick {
		uint64_t cookie;
		uint64_t pos;	/* absolute index; UINT64_MAX: empty */
	} *ticks;
	unsigned int nticks, ticks_cap;
	/* A periodic timer's completion arrived since the last pop. */
	bool ticked;
};

/*
 * Queue m, or fold it into its timer's queued completion: 0, or -ENOMEM. fd
 * is the descriptor an OPEN's completion with AIONL_CQE_F_FD brings (the
 * queue owns it until it is reaped), or a negative errno, or -1.
 */
int cq_push_fd(struct aionl_cq *q, const struct aionl_completion *m, int fd);
static inline int cq_push(struct aionl_cq *q, const struct aionl_completion *m)
{
	return cq_push_fd(q, m, -1);
}
/* Free the queue, closing the descriptors of completions nobody reaped. */
void cq_fini(struct aionl_cq *q);
/* A periodic timer's completion at absolute index pos leaves the queue. */
void cq_untick(struct aionl_cq *q, uint64_t cookie, uint64_t pos);

/*
 * Move up to max completions, oldest first, into out: how many. *finals
 * counts those that end their request (no AIONL_CQE_F_MORE). Inline: every
 * reap runs it.
 */
static inline unsigned int cq_pop(struct aionl_cq *q, struct aionl_cqe *out, unsigned int max,
				  unsigned int *finals)
{
	unsigned int n = q->len < max ? q->len : max, i;

	*finals = 0;
	for (i = 0; i < n; i++) {
		out[i] = q->v[(q->head + i) & (q->cap - 1)];
		if (!(out[i].flags & AIONL_CQE_F_MORE))
			++*finals;
		else if (out[i].flags & AIONL_CQE_F_TIMER)
			cq_untick(q, out[i].cookie, q->taken + i);
	}
	if (n) {
		q->head = (q->head + n) & (q->cap - 1);
		q->len -= n;
		q->taken += n;
	}
	q->ticked = false;
	return n;
}

#endif /* AIONL_CQ_H */
