// SPDX-License-Identifier: MIT
/* The completion queue: see cq.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cq.h"

#define CQ_FIRST_CAP 1024
#define TICKS_FIRST_CAP 16
#define TICK_EMPTY UINT64_MAX

static bool is_tick(uint32_t flags)
{
	return (flags & (AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE)) ==
	       (AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);
}

static unsigned int tick_slot(const struct aionl_cq *q, uint64_t cookie)
{
	/* Fibonacci hashing: cookies are often small sequential numbers. */
	return (unsigned int)((cookie * 0x9e3779b97f4a7c15ULL) >> 32) & (q->ticks_cap - 1);
}

static struct cq_tick *tick_find(const struct aionl_cq *q, uint64_t cookie)
{
	unsigned int i;

	if (!q->ticks_cap)
		return NULL;
	for (i = tick_slot(q, cookie); q->ticks[i].pos != TICK_EMPTY; i = (i + 1) & (q->ticks_cap - 1))
		if (q->ticks[i].cookie == cookie)
			return &q->ticks[i];
	return NULL;
}

static void tick_put(struct aionl_cq *q, uint64_t cookie, uint64_t pos)
{
	unsigned int i = tick_slot(q, cookie);

	while (q->ticks[i].pos != TICK_EMPTY)
		i = (i + 1) & (q->ticks_cap - 1);
	q->ticks[i] = (struct cq_tick){ cookie, pos };
	q->nticks++;
}

/* Keep the table at most half full. */
static int ticks_reserve(struct aionl_cq *q)
{
	struct cq_tick *old = q->ticks;
	unsigned int old_cap = q->ticks_cap, cap, i;

	if ((q->nticks + 1) * 2 <= q->ticks_cap)
		return 0;
	cap = old_cap ? old_cap * 2 : TICKS_FIRST_CAP;
	q->ticks = malloc(cap * sizeof(*q->ticks));
	if (!q->ticks) {
		q->ticks = old;
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		q->ticks[i].pos = TICK_EMPTY;
	q->ticks_cap = cap;
	q->nticks = 0;
	for (i = 0; i < old_cap; i++)
		if (old[i].pos != TICK_EMPTY)
			tick_put(q, old[i].cookie, old[i].pos);
	free(old);
	return 0;
}

/* Remove t, moving back the entries its slot kept from their own. */
static void tick_del(struct aionl_cq *q, struct cq_tick *t)
{
	unsigned int mask = q->ticks_cap - 1, i = (unsigned int)(t - q->ticks), j = i;

	for (;;) {
		unsigned int k;

		q->ticks[i].pos = TICK_EMPTY;
		do {
			j = (j + 1) & mask;
			if (q->ticks[j].pos == TICK_EMPTY) {
				q->nticks--;
				return;
			}
			k = tick_slot(q, q->ticks[j].cookie);
			/* j stays if its home k lies cyclically in (i, j]. */
		} while (i <= j ? (i < k && k <= j) : (i < k || k <= j));
		q->ticks[i] = q->ticks[j];
		i = j;
	}
}

static int cq_grow(struct aionl_cq *q)
{
	unsigned int cap = q->cap ? q->cap * 2 : CQ_FIRST_CAP, i;
	struct aionl_cqe *n = malloc(cap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < q->len; i++)
		n[i] = q->v[(q->head + i) & (q->cap - 1)];
	free(q->v);
	q->v = n;
	q->cap = cap;
	q->head = 0;
	return 0;
}

int cq_push_fd(struct aionl_cq *q, const struct aionl_completion *m, int fd)
{
	bool tick = is_tick(m->flags);
	struct aionl_cqe *c;

	if (tick) {
		struct cq_tick *t = tick_find(q, m->cookie);

		q->ticked = true;
		if (t) {
			int64_t *res = &q->v[(q->head + (t->pos - q->taken)) & (q->cap - 1)].res;

			/* A count of expirations: at worst it stops counting, it never wraps. */
			if (__builtin_add_overflow(*res, m->res, res))
				*res = m->res > 0 ? INT64_MAX : INT64_MIN;
			return 0;
		}
		if (ticks_reserve(q))
			return -ENOMEM;
	}
	if (q->len == q->cap && cq_grow(q))
		return -ENOMEM;
	if (tick)
		tick_put(q, m->cookie, q->taken + q->len);
	c = &q->v[(q->head + q->len++) & (q->cap - 1)];
	c->cookie = m->cookie;
	c->res = m->res;
	c->flags = m->flags;
	c->reserved = 0;
	if (m->flags & AIONL_CQE_F_SIGNAL) {
		c->si = (struct aionl_siginfo){
			.signo = (int32_t)m->ssi_signo, .code = m->ssi_code, .errno_ = m->ssi_errno,
			.status = m->ssi_status, .pid = m->ssi_pid, .uid = m->ssi_uid,
			.fd = m->ssi_fd, .overrun = m->ssi_overrun, .band = m->ssi_band,
			.value = m->ssi_value, .addr = m->ssi_addr,
		};
	} else {
		memset(&c->si, 0, sizeof(c->si));
		c->open.handle = m->present & (1ULL << AIONL_A_COMPLETION_HANDLE) ? m->handle : 0;
		c->open.fd = fd;
	}
	return 0;
}

void cq_untick(struct aionl_cq *q, uint64_t cookie, uint64_t pos)
{
	struct cq_tick *t = tick_find(q, cookie);

	if (t && t->pos == pos)
		tick_del(q, t);
}

void cq_fini(struct aionl_cq *q)
{
	for (unsigned int i = 0; i < q->len; i++) {
		const struct aionl_cqe *c = &q->v[(q->head + i) & (q->cap - 1)];

		if ((c->flags & AIONL_CQE_F_FD) && c->open.fd >= 0)
			close(c->open.fd);
	}
	free(q->v);
	free(q->ticks);
	memset(q, 0, sizeof(*q));
}
