// SPDX-License-Identifier: MIT
/* The engine's timer heap (src/engine/heap.c): earliest first, removal from anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "heap.h"

/* Pop everything, checking the order and every index on the way. */
static void drain_sorted(struct eng_heap *h)
{
	uint64_t last = 0;
	struct eng_timer *t;

	while ((t = heap_top(h))) {
		for (uint32_t i = 0; i < h->n; i++)
			assert_int_equal(h->v[i]->heap_idx, i);
		assert_true(t->expiry >= last);
		last = t->expiry;
		heap_remove(h, t);
		assert_int_equal(t->heap_idx, HEAP_NOT_ARMED);
	}
}

static void test_earliest_first(void **state)
{
	enum { N = 5000 };
	struct eng_timer *t = calloc(N, sizeof(*t));
	struct eng_heap h = { 0 };

	(void)state;
	srand(7);
	for (int i = 0; i < N; i++) {
		/* Few distinct values: equal expiries are common with timers. */
		t[i].expiry = (uint64_t)(rand() % 500);
		assert_int_equal(heap_push(&h, &t[i]), 0);
	}
	assert_int_equal(h.n, N);
	drain_sorted(&h);
	heap_fini(&h);
	free(t);
}

static void test_removal_from_anywhere(void **state)
{
	enum { N = 4000 };
	struct eng_timer *t = calloc(N, sizeof(*t));
	struct eng_heap h = { 0 };

	(void)state;
	srand(11);
	for (int i = 0; i < N; i++) {
		t[i].expiry = (uint64_t)rand() << 20 | (uint64_t)rand();
		heap_push(&h, &t[i]);
	}
	/* Every third, wherever it sits: deadlines disarmed by completions. */
	for (int i = 0; i < N; i += 3)
		heap_remove(&h, &t[i]);
	assert_int_equal(h.n, N - (N + 2) / 3);
	/* Re-arm some with new expiries, as periodic timers do. */
	for (int i = 0; i < N; i += 3) {
		t[i].expiry = (uint64_t)rand();
		heap_push(&h, &t[i]);
	}
	assert_int_equal(h.n, N);
	drain_sorted(&h);
	heap_fini(&h);
	free(t);
}

static void test_the_top_can_be_removed_and_replaced(void **state)
{
	struct eng_timer a = { .expiry = 10 }, b = { .expiry = 20 }, c = { .expiry = 30 };
	struct eng_heap h = { 0 };

	(void)state;
	heap_push(&h, &b);
	heap_push(&h, &c);
	heap_push(&h, &a);
	assert_ptr_equal(heap_top(&h), &a);
	heap_remove(&h, &a);
	assert_ptr_equal(heap_top(&h), &b);
	a.expiry = 25;
	heap_push(&h, &a);
	heap_remove(&h, &b);
	assert_ptr_equal(heap_top(&h), &a);
	heap_remove(&h, &a);
	heap_remove(&h, &c);
	assert_null(heap_top(&h));
	heap_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_earliest_first),
		cmocka_unit_test(test_removal_from_anywhere),
		cmocka_unit_test(test_the_top_can_be_removed_and_replaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
