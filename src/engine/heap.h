/* SPDX-License-Identifier: MIT */
/*
 * A binary min-heap of points in time, one per timer clock in the engine:
 * thousands of timers and deadlines cost memory, not CPU.
 */
#ifndef AIONL_HEAP_H
#define AIONL_HEAP_H

#include <stdint.h>

#define HEAP_NOT_ARMED UINT32_MAX

/* A point in time on one clock. Owners embed it. */
struct eng_timer {
	uint64_t expiry;	/* ns on the clock */
	uint32_t heap_idx;	/* HEAP_NOT_ARMED when not in a heap */
	uint8_t clock;		/* index of the clock (aionl_clock_index) */
	uint8_t owner_kind;	/* what owner is, for whoever pops it */
	void *owner;
};

struct eng_heap {
	struct eng_timer **v;
	uint32_t n, cap;
};

/* Add t: 0, or -ENOMEM. */
int heap_push(struct eng_heap *h, struct eng_timer *t);
/* Remove t, which is in h. */
void heap_remove(struct eng_heap *h, struct eng_timer *t);
/* The earliest, or NULL. */
static inline struct eng_timer *heap_top(const struct eng_heap *h)
{
	return h->n ? h->v[0] : NULL;
}
void heap_fini(struct eng_heap *h);

#endif /* AIONL_HEAP_H */
