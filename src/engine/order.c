// SPDX-License-Identifier: MIT
/*
 * Ordering inside a socket, io_uring's two orderings (idl/aionl.proto, enum
 * ReqFlag), for both executors alike: the engine itself starts each request
 * when its turn comes, and hands it to the executor as any other.
 *
 *  - A chain (REQ_LINK) is a run of messages of one datagram. Its next
 *    request is held, a copy of its message, until the one before it
 *    completes; then it starts if that one succeeded (aionl_order_ok), or
 *    completes with -ECANCELED, and so does the rest of the chain.
 *  - A drain (REQ_DRAIN) waits, in a queue of arrival order, until no
 *    orderable request the engine started is still at work; while it waits
 *    or runs, every orderable request that arrives queues behind it.
 *
 * An ordered request's completion is recognised where it is emitted: the
 * request it starts takes the ticket (io_req_new, watch_new), and
 * engine_complete() and watch_complete() point e->order.emit at it when
 * they complete it; a handler that completes it at once (an error, a NOP)
 * emits it while emit still points at it. Nothing here starts a request
 * from inside another's completion: a request whose turn comes goes on the
 * ready list, which order_run() starts at the engine's safe points (after
 * each message of a datagram, and after each wait), so no handler runs
 * inside another.
 *
 * Requests without flags, while no chain reaches them and no drain waits or
 * runs, take none of this: one look at their flags attribute, then their
 * handler, as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pool.h"

enum ord_state { ORD_HELD, ORD_RUNNING };

struct eng_ord {
	struct eng_ord *anext, *aprev;	/* e->order.all: arrival order */
	struct eng_ord *qnext;		/* the fifo or the ready list */
	struct eng_ord *next;		/* the next of its chain, which waits for it */
	struct eng_ord *pred;		/* and the one it waits for */
	uint64_t cookie;
	uint64_t handle, handle2;	/* for a cancel by handle; 0 for none (handle2: a COPY's destination) */
	uint64_t expect;		/* bytes a transfer must move to succeed */
	uint32_t flags;			/* REQ_DRAIN, and REQ_LINK when it has a next */
	uint8_t cmd;
	enum ord_state state;
	bool waits_pred;		/* the chain's previous has not completed */
	bool deferred;			/* in the fifo, behind a drain */
	bool doomed;			/* a cancel is about to end it: order_cancel() */
	struct eng_file *file, *file2;	/* the handles' files when it arrived, held */
	struct nlmsghdr *msg;		/* held: its own copy of its message */
};

/* ------------------------------------------------------------ lists */

static void ord_unlink_all(struct eng_order *q, struct eng_ord *o)
{
	if (o->aprev)
		o->aprev->anext = o->anext;
	else
		q->all_head = o->anext;
	if (o->anext)
		o->anext->aprev = o->aprev;
	else
		q->all_tail = o->aprev;
}

static void queue_push(struct eng_ord **head, struct eng_ord **tail, struct eng_ord *o)
{
	o->qnext = NULL;
	if (*tail)
		(*tail)->qnext = o;
	else
		*head = o;
	*tail = o;
}

static struct eng_ord *queue_pop(struct eng_ord **head, struct eng_ord **tail)
{
	struct eng_ord *o = *head;

	if (o) {
		*head = o->qnext;
		if (!*head)
			*tail = NULL;
	}
	return o;
}

static void queue_remove(struct eng_ord **head, struct eng_ord **tail, struct eng_ord *o)
{
	struct eng_ord **pp, *prev = NULL;

	for (pp = head; *pp; prev = *pp, pp = &(*pp)->qnext) {
		if (*pp == o) {
			*pp = o->qnext;
			if (*tail == o)
				*tail = prev;
			return;
		}
	}
}

/* ------------------------------------------------------------ completion */

/* A completion of ours for a request that is not emit's (a cascade's, a cancel's). */
static void emit_plain(struct aionl_engine *e, uint64_t cookie, int64_t res)
{
	struct eng_ord *emit = e->order.emit;

	e->order.emit = NULL;
	engine_complete_cookie(e, cookie, res);
	e->order.emit = emit;
}

/* o, held, will never start: off the lists of what waits. */
static void ord_unhold(struct aionl_engine *e, struct eng_ord *o)
{
	struct eng_order *q = &e->order;

	if (o->deferred)
		queue_remove(&q->fifo_head, &q->fifo_tail, o);
	else if (!o->waits_pred)
		queue_remove(&q->ready_head, &q->ready_tail, o);
	o->deferred = false;
	q->nheld--;
}

static void ord_put_files(struct eng_ord *o)
{
	if (o->file)
		file_put(o->file);
	if (o->file2)
		file_put(o->file2);
}

static void ord_free(struct aionl_engine *e, struct eng_ord *o)
{
	struct eng_order *q = &e->order;

	if (q->chain_tail == o)
		q->chain_tail = NULL;
	if (q->active_drain == o)
		q->active_drain = NULL;
	if (q->ticket == o)
		q->ticket = NULL;
	if (q->emit == o)
		q->emit = NULL;
	/* A held one cancelled while its predecessor runs: that one has no next now. */
	if (o->pred && o->pred->next == o)
		o->pred->next = NULL;
	if (o->next && o->next->pred == o)
		o->next->pred = NULL;
	ord_unlink_all(q, o);
	ord_put_files(o);
	free(o->msg);
	free(o);
}

struct eng_file *order_lookup(struct aionl_engine *e, uint64_t handle)
{
	struct eng_ord *o = e->order.ticket;

	if (o && o->handle && o->handle == handle)
		return o->file;
	if (o && o->handle2 && o->handle2 == handle)
		return o->file2;
	return files_lookup(&e->files, handle);
}

/*
 * f, held, and every request of its chain after it complete with -ECANCELED,
 * in order, none started: what came before them failed.
 */
static void ord_cascade(struct aionl_engine *e, struct eng_ord *f)
{
	while (f) {
		struct eng_ord *next = f->next;

		if (e->order.chain_tail == f)
			e->order.chain_broken = true;	/* later messages of the datagram too */
		ord_unhold(e, f);
		emit_plain(e, f->cookie, -ECANCELED);
		ord_free(e, f);
		f = next;
	}
}

/* o's last completion, res, is queued: the next of its chain may go, or not. */
static void ord_finish(struct aionl_engine *e, struct eng_ord *o, int64_t res)
{
	bool ok = aionl_order_ok(res, o->expect);
	struct eng_ord *next = o->next;

	if (e->order.chain_tail == o && !ok)
		e->order.chain_broken = true;
	ord_free(e, o);
	if (!next)
		return;
	if (!ok) {
		ord_cascade(e, next);
		return;
	}
	next->waits_pred = false;
	if (!next->deferred)
		queue_push(&e->order.ready_head, &e->order.ready_tail, next);
}

void order_note(struct aionl_engine *e, const struct aionl_completion *m)
{
	struct eng_ord *o = e->order.emit;

	if (!o || m->cookie != o->cookie ||
	    ((m->present & (1ULL << AIONL_A_COMPLETION_FLAGS)) && (m->flags & AIONL_CQE_F_MORE)))
		return;
	e->order.emit = NULL;
	if (e->order.ticket == o)
		e->order.ticket = NULL;
	ord_finish(e, o, m->res);
}

/* ------------------------------------------------------------ starting */

/*
 * Run o's handler on its message: the request it starts takes the ticket,
 * or it completes at once. A handler that does neither (its message was
 * checked on arrival, so it does not) would leave o waiting for ever: it
 * is finished as the error it returned, in an NLMSG_ERROR like any.
 */
static void ord_start(struct aionl_engine *e, struct eng_ord *o, const struct nlmsghdr *nlh)
{
	struct aionl_parse_err pe = { 0 };
	int err;

	o->state = ORD_RUNNING;
	e->order.ticket = e->order.emit = o;
	err = engine_dispatch(e, o->cmd, nlh, &pe);
	if (e->order.emit == o) {
		e->order.ticket = e->order.emit = NULL;
		if (!err)
			err = -EIO;
		eng_put_error(e, nlh, nlh->nlmsg_len, err, &pe);
		ord_finish(e, o, err);
	} else if (err) {
		eng_put_error(e, nlh, nlh->nlmsg_len, err, &pe);
	}
	e->order.ticket = e->order.emit = NULL;
}

/*
 * Orderable requests at work, for a drain: executor requests, direct ones
 * (whose last wakes the engine), and stream transfers.
 */
static bool engine_busy(struct aionl_engine *e)
{
	const struct eng_watch *w;

	if (e->inflight || pool_direct_busy(atomic_load(&e->dpool)))
		return true;
	for (w = e->watches; w; w = w->next)
		if (w->kind == W_STREAM)
			return true;
	return false;
}

/* A held request whose turn came, or that the engine's close ends. */
static void ord_release(struct aionl_engine *e, struct eng_ord *o)
{
	struct nlmsghdr *msg = o->msg;

	e->order.nheld--;
	if (e->peer_gone) {
		/* Closing: what never started is cancelled, and its chain. */
		struct eng_ord *next = o->next;

		emit_plain(e, o->cookie, -ECANCELED);
		ord_free(e, o);
		if (next)
			ord_cascade(e, next);
		return;
	}
	o->msg = NULL;
	ord_start(e, o, msg);
	free(msg);
}

void order_run(struct aionl_engine *e)
{
	struct eng_order *q = &e->order;
	struct eng_ord *o;

	for (;;) {
		o = queue_pop(&q->ready_head, &q->ready_tail);
		if (o) {
			ord_release(e, o);
			continue;
		}
		o = q->fifo_head;
		if (!o)
			return;
		if (o->flags & AIONL_REQ_DRAIN) {
			/* It waits for all before it; all after it wait for it. */
			if (q->active_drain || o->waits_pred || (!e->peer_gone && engine_busy(e)))
				return;
			q->active_drain = o;
		} else if (q->active_drain) {
			return;
		}
		queue_pop(&q->fifo_head, &q->fifo_tail);
		o->deferred = false;
		if (!o->waits_pred)
			queue_push(&q->ready_head, &q->ready_tail, o);
	}
}

/* ------------------------------------------------------------ arrival */

/* The datagram's chain, after a message that ends it or continues it. */
static void chain_next(struct eng_order *q, bool link, struct eng_ord *tail)
{
	q->chain_open = link;
	q->chain_tail = link ? tail : NULL;
	if (!link)
		q->chain_broken = q->chain_refused = false;
}

/* A message that takes no flags, or no message of ours: a chain that reaches it ends there. */
void order_other_msg(struct aionl_engine *e)
{
	chain_next(&e->order, false, NULL);
}

void order_datagram_end(struct aionl_engine *e)
{
	chain_next(&e->order, false, NULL);
}

int order_msg(struct aionl_engine *e, const struct nlmsghdr *nlh, uint32_t rem,
	      struct aionl_parse_err *pe)
{
	struct eng_order *q = &e->order;
	uint8_t cmd = aionl__genl_hdr(nlh)->cmd;
	bool member = q->chain_open, link, ordered;
	struct aionl_ord_info in;
	struct eng_ord *o;
	int err;

	/* The common case: nothing to order, nothing ordered to wait behind. */
	if (!member && !q->fifo_head && !q->active_drain && !aionl_msg_req_flags(nlh)) {
		if (engine_full(e, true, 0)) {
			pe->msg = "too many requests outstanding: reap completions first";
			return -EBUSY;
		}
		return engine_dispatch(e, cmd, nlh, pe);
	}
	err = aionl__ord_parse(cmd, nlh, &in, pe);
	if (err) {
		/*
		 * Refused: no request of any chain. If it links, the chain it
		 * is in (or would have begun) goes on broken: the rest never
		 * runs. If not, a chain that reaches it ends there.
		 */
		if ((aionl_msg_req_flags(nlh) & AIONL_REQ_LINK) && !aionl_msg_is_last(nlh, rem)) {
			bool refused = member && q->chain_refused;

			chain_next(q, true, NULL);
			if (!refused)
				q->chain_broken = true;
		} else {
			chain_next(q, false, NULL);
		}
		return err;
	}
	link = (in.flags & AIONL_REQ_LINK) && !aionl_msg_is_last(nlh, rem);
	if (member && q->chain_refused) {
		chain_next(q, link, NULL);
		if (link)
			q->chain_refused = true;
		pe->msg = "the chain this request is in does not fit max_inflight";
		return -EBUSY;
	}
	if (member && q->chain_broken) {
		emit_plain(e, in.cookie, -ECANCELED);
		chain_next(q, link, NULL);
		if (link)
			q->chain_broken = true;
		return 0;
	}
	/* Admission takes a chain whole, at its first message; its members are in. */
	if (!member && engine_full(e, true, link ? aionl_chain_span(nlh, rem) - 1 : 0)) {
		if (link) {
			chain_next(q, true, NULL);
			q->chain_refused = true;
		}
		pe->msg = link ? "the chain does not fit max_inflight: reap completions first"
			       : "too many requests outstanding: reap completions first";
		return -EBUSY;
	}
	/* A NOP without flags is a wake-up: a drain never holds it. */
	ordered = member || in.flags ||
		  (cmd != AIONL_CMD_NOP && (q->fifo_head || q->active_drain));
	if (!ordered)
		return engine_dispatch(e, cmd, nlh, pe);

	o = calloc(1, sizeof(*o));
	if (!o) {
		/* Fails as a request would: its chain breaks. */
		emit_plain(e, in.cookie, -ENOMEM);
		if (member || link)
			order_other_msg(e);
		chain_next(q, link, NULL);
		if (link)
			q->chain_broken = true;
		return 0;
	}
	o->cookie = in.cookie;
	o->handle = in.handle;
	o->handle2 = in.handle2;
	/* Bound to its files now, as a request in flight is. */
	o->file = in.handle ? files_lookup(&e->files, in.handle) : NULL;
	if (o->file)
		file_get(o->file);
	o->file2 = in.handle2 ? files_lookup(&e->files, in.handle2) : NULL;
	if (o->file2)
		file_get(o->file2);
	o->expect = cmd == AIONL_CMD_READ || cmd == AIONL_CMD_WRITE || cmd == AIONL_CMD_READV ||
		    cmd == AIONL_CMD_WRITEV || cmd == AIONL_CMD_COPY ? in.expect : 0;
	o->flags = (in.flags & AIONL_REQ_DRAIN) | (link ? AIONL_REQ_LINK : 0);
	o->cmd = cmd;
	o->state = ORD_HELD;
	o->aprev = q->all_tail;
	if (q->all_tail)
		q->all_tail->anext = o;
	else
		q->all_head = o;
	q->all_tail = o;
	if (member && q->chain_tail) {
		q->chain_tail->next = o;
		o->pred = q->chain_tail;
		o->waits_pred = true;
	}
	/* Behind a drain, or a drain itself: in arrival order. */
	if ((in.flags & AIONL_REQ_DRAIN) || q->fifo_head || q->active_drain) {
		o->deferred = true;
		queue_push(&q->fifo_head, &q->fifo_tail, o);
	}
	chain_next(q, link, o);
	q->nheld++;
	if (!o->waits_pred && !o->deferred) {
		q->nheld--;
		ord_start(e, o, nlh);
		return 0;
	}
	o->msg = malloc(nlh->nlmsg_len);
	if (!o->msg) {
		struct eng_ord *next = o->next;

		ord_unhold(e, o);
		emit_plain(e, o->cookie, -ENOMEM);
		if (q->chain_tail == o)
			q->chain_broken = true;
		ord_free(e, o);
		if (next)
			ord_cascade(e, next);
		return 0;
	}
	memcpy(o->msg, nlh, nlh->nlmsg_len);
	/* A drain behind nothing may start at once. */
	order_run(e);
	return 0;
}

/* ------------------------------------------------------------ cancel and end */

int64_t order_cancel(struct aionl_engine *e, uint64_t target, struct eng_file *tfile,
		     uint32_t flags)
{
	struct eng_ord *o, *n, *f;
	int64_t found = 0;

	for (o = e->order.all_head; o; o = n) {
		n = o->anext;
		if (o->state != ORD_HELD ||
		    !aionl_cancel_matches(o->cookie, o->file, o->file2, target, tfile, flags))
			continue;
		/* Its cancel ends the rest of its chain too, later in the list: skip them. */
		for (f = o->next; f; f = f->next)
			f->doomed = true;
		while (n && n->doomed)
			n = n->anext;
		found++;
		ord_unhold(e, o);
		emit_plain(e, o->cookie, -ECANCELED);
		ord_finish(e, o, -ECANCELED);
	}
	return found;
}

void order_fini(struct aionl_engine *e)
{
	struct eng_ord *o;

	while ((o = e->order.all_head)) {
		e->order.all_head = o->anext;
		ord_put_files(o);
		free(o->msg);
		free(o);
	}
	memset(&e->order, 0, sizeof(e->order));
}
