// SPDX-License-Identifier: MIT
/* The engine's timer heap: see heap.h. */
#include <errno.h>
#include <stdlib.h>

#include "heap.h"

/* Timers of the first array; it doubles from there. */
#define HEAP_FIRST_CAP 64

static void heap_swap(struct eng_heap *h, uint32_t i, uint32_t j)
{
	struct eng_timer *t = h->v[i];

	h->v[i] = h->v[j];
	h->v[j] = t;
	h->v[i]->heap_idx = i;
	h->v[j]->heap_idx = j;
}

static void heap_up(struct eng_heap *h, uint32_t i)
{
	while (i && h->v[i]->expiry < h->v[(i - 1) / 2]->expiry) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct eng_heap *h, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;

		if (l < h->n && h->v[l]->expiry < h->v[m]->expiry)
			m = l;
		if (l + 1 < h->n && h->v[l + 1]->expiry < h->v[m]->expiry)
			m = l + 1;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

int heap_push(struct eng_heap *h, struct eng_timer *t)
{
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : HEAP_FIRST_CAP;
		struct eng_timer **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	t->heap_idx = h->n;
	h->v[h->n++] = t;
	heap_up(h, t->heap_idx);
	return 0;
}

void heap_remove(struct eng_heap *h, struct eng_timer *t)
{
	uint32_t i = t->heap_idx;

	t->heap_idx = HEAP_NOT_ARMED;
	if (i == --h->n)
		return;
	h->v[i] = h->v[h->n];
	h->v[i]->heap_idx = i;
	heap_down(h, i);
	heap_up(h, h->v[i]->heap_idx);
}

void heap_fini(struct eng_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
