// SPDX-License-Identifier: GPL-2.0
/*
 * Ordering inside a socket, io_uring's two orderings (idl/aionl.proto, enum
 * ReqFlag): chains of REQ_LINK requests within one datagram, and REQ_DRAIN.
 *
 * An ordered request (one with flags, one a chain reaches, or one behind a
 * drain) is prepared in its doit, in the sender's context, as an
 * asynchronous request is: its file, buffers, credentials, address space,
 * an OPEN's root and working directory. What waits is only its start, which
 * is never in the sender: no inline attempt, no completion in the compact
 * queue. When its turn comes it is queued (aionl_io_enqueue(), the OPEN
 * workqueue, or a work on aionl_ev_wq that arms its stream watch or posts its
 * result), and its completion goes through aionl_post() like any other,
 * which hands it back here (aionl_order_done()): the next request of its
 * chain is queued then, or it and the rest of the chain complete with
 * -ECANCELED if this one failed. Nothing is started from inside another's
 * completion but a queue_work(), so a chain of a thousand never recurses.
 *
 * A chain lives in one datagram. A doit runs inside the sender's sendmsg,
 * one message after the other (netlink_rcv_skb()): the chain being built is
 * found by (sending task, skb, where its next message must be), and
 * messages the module never sees (refused by genetlink's policy, or by
 * admission) show as a gap, which breaks the chain. An open chain whose
 * datagram ended early is dropped by the same task's next request on the
 * socket, or with the socket.
 *
 * A drain waits in the socket's fifo until no orderable request the socket
 * started is at work (its workqueue requests, aionl_sock.inflight, less
 * those held here, and its stream watches); requests that arrive while the
 * fifo holds one, or while a drain runs, wait behind it in arrival order.
 * Every count and list here is under aionl_sock.lock.
 */
#include <linux/file.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "internal.h"

enum aionl_ord_state {
	ORD_PREPARING,	/* its doit is preparing it: no request yet */
	ORD_HELD,	/* prepared, waiting for its turn */
	ORD_STARTED,	/* its turn came */
	ORD_TAKEN,	/* a cancel took it, or its chain broke: it completes -ECANCELED */
};

enum aionl_ord_kind {
	ORD_WORK,	/* a file transfer, sync or OPEN: its work on a workqueue */
	ORD_STREAM,	/* a transfer on a pipe or socket: a stream watch */
	ORD_RESULT,	/* decided in its doit (a NOP, an error): posted in its turn */
};

/* One ordered request, from its doit to its completion. */
struct aionl_ord {
	struct aionl_kreq *r;		/* prepared request, then its completion entry */
	struct aionl_kreq *spare;	/* for a result, allocated before the lock */
	struct aionl_ord *next;		/* the next of its chain, which waits for it */
	struct aionl_ord *pred;		/* the one it waits for */
	struct aionl_chain *chain;	/* the datagram's chain, while this is its tail */
	struct list_head wait_node;	/* order->waiting: preparing or held */
	struct list_head fifo_node;	/* order->fifo, when deferred */
	struct list_head go_node;	/* a caller's list of what to start or end */
	u64 cookie;
	u64 expect;			/* bytes a transfer must move to succeed */
	u64 timeout_ns;			/* runs from its start */
	s64 res;			/* ORD_RESULT */
	u32 flags;			/* REQ_DRAIN, and REQ_LINK when a next may come */
	u8 state;
	u8 kind;
	bool waits_pred;		/* the chain's previous has not completed */
	bool deferred;			/* in the fifo */
	bool doomed;			/* taken while preparing: its submit ends it */
	struct workqueue_struct *wq;	/* ORD_WORK: NULL for the socket's I/O queue */
	struct file *xfile;		/* ORD_STREAM: the file the transfer runs on */
};

/* A chain whose datagram is being handled. */
struct aionl_chain {
	struct list_head node;		/* order->chains */
	const struct task_struct *task;	/* the sender, in whose sendmsg it is */
	/*
	 * Its datagram, referenced: while the chain is open no later datagram
	 * can be allocated at the same address and be taken for this one.
	 */
	struct sk_buff *skb;
	const void *next;		/* where its next message must be */
	struct aionl_ord *tail;		/* its last request so far, until that completes */
	bool broken;			/* the rest completes with -ECANCELED */
	bool refused;			/* it did not fit: the rest is refused -EBUSY */
};

struct aionl_order {
	struct list_head waiting;	/* every ord preparing or held */
	struct list_head fifo;		/* deferred behind a drain, in arrival order */
	struct list_head chains;
	unsigned int nheld;		/* preparing or held: in inflight, not at work */
	struct aionl_ord *active_drain;	/* a drain started and not completed */
	/*
	 * A broken chain's -ECANCELED completions go to the backlog in chain
	 * order: its breaker posts the held ones under this mutex (which it
	 * owns while its own posts come back through aionl_order_done()),
	 * and a request that was still being prepared posts after them.
	 */
	struct mutex post_lock;
	const struct task_struct *post_owner;
	/* Stream starts nested in completions: past a few, on a work. */
	atomic_t nesting;
};

/* Stream watches armed straight from a completion, one inside another. */
#define AIONL_ORDER_NESTING 4

static void aionl_ord_start_work(struct work_struct *work);
static void aionl_ord_stream(struct aionl_sock *as, struct aionl_kreq *r);

/* Take post_lock unless this task holds it already: whether it took it. */
static bool aionl_order_post_begin(struct aionl_order *order)
{
	if (READ_ONCE(order->post_owner) == current)
		return false;
	mutex_lock(&order->post_lock);
	WRITE_ONCE(order->post_owner, current);
	return true;
}

static void aionl_order_post_end(struct aionl_order *order, bool took)
{
	if (!took)
		return;
	WRITE_ONCE(order->post_owner, NULL);
	mutex_unlock(&order->post_lock);
}

/* ------------------------------------------------------------ memory */

static void aionl_ord_free(struct aionl_ord *o)
{
	if (o->xfile)
		fput(o->xfile);
	if (o->spare)
		aionl_kreq_free(o->spare);
	kfree(o);
	aionl_object_gone();
}

static void aionl_chain_free(struct aionl_chain *ch)
{
	consume_skb(ch->skb);
	kfree(ch);
	aionl_object_gone();
}

/* Under as->lock: ch leaves the socket; its tail no longer points at it. */
static void aionl_chain_close(struct aionl_chain *ch, struct list_head *gone)
{
	if (ch->tail)
		ch->tail->chain = NULL;
	ch->tail = NULL;
	list_move(&ch->node, gone);
}

static void aionl_chains_free(struct list_head *gone)
{
	struct aionl_chain *ch, *tmp;

	list_for_each_entry_safe(ch, tmp, gone, node) {
		list_del(&ch->node);
		aionl_chain_free(ch);
	}
}

/* At the socket's last reference: every ordered request has completed. */
void aionl_order_free(struct aionl_sock *as)
{
	struct aionl_order *order = as->order;
	LIST_HEAD(gone);

	if (!order)
		return;
	WARN_ON_ONCE(!list_empty(&order->waiting));
	list_splice_init(&order->chains, &gone);
	aionl_chains_free(&gone);
	kfree(order);
	aionl_object_gone();
	as->order = NULL;
}

/* ------------------------------------------------------------ turns */

/* Orderable requests at work, for a drain: under as->lock. */
static bool aionl_order_busy(struct aionl_sock *as)
{
	struct aionl_watch *w;

	if (atomic_read(&as->inflight) > (int)as->order->nheld)
		return true;
	list_for_each_entry(w, &as->watches, node)
		if (w->kind == AW_STREAM)
			return true;
	return false;
}

/* Under as->lock: o leaves what waits, for a start or an end. */
static void aionl_ord_unhold(struct aionl_order *order, struct aionl_ord *o)
{
	list_del_init(&o->wait_node);
	if (o->deferred)
		list_del_init(&o->fifo_node);
	o->deferred = false;
	order->nheld--;
}

/*
 * Under as->lock: if o is prepared and nothing holds it any more, it
 * starts, onto go; on a socket being released it is ended instead.
 */
static void aionl_ord_consider(struct aionl_sock *as, struct aionl_ord *o,
			       struct list_head *go)
{
	if (o->state != ORD_HELD || o->waits_pred || o->deferred)
		return;
	aionl_ord_unhold(as->order, o);
	o->state = as->dead ? ORD_TAKEN : ORD_STARTED;
	list_add_tail(&o->go_node, go);
}

/* Under as->lock: what the fifo lets go now. */
static void aionl_order_collect(struct aionl_sock *as, struct list_head *go)
{
	struct aionl_order *order = as->order;
	struct aionl_ord *o;

	while ((o = list_first_entry_or_null(&order->fifo, struct aionl_ord, fifo_node))) {
		if (o->flags & AIONL_REQ_DRAIN) {
			/* It waits for all before it; all after it wait for it. */
			if (order->active_drain || o->waits_pred ||
			    (!as->dead && aionl_order_busy(as)))
				return;
			order->active_drain = o;
		} else if (order->active_drain) {
			return;
		}
		list_del_init(&o->fifo_node);
		o->deferred = false;
		aionl_ord_consider(as, o, go);
	}
}

/*
 * Outside the lock: start (or end, on a dead socket) what go holds. Each
 * start only queues a work, so a completion never runs another's start.
 */
static void aionl_order_launch(struct aionl_sock *as, struct list_head *go)
{
	struct aionl_ord *o, *tmp;

	list_for_each_entry_safe(o, tmp, go, go_node) {
		struct aionl_kreq *r = o->r;

		list_del_init(&o->go_node);
		if (o->state == ORD_TAKEN) {
			aionl_io_done(r, -ECANCELED);
			continue;
		}
		if (o->kind == ORD_WORK) {
			aionl_io_enqueue(as, r, o->wq, o->timeout_ns);
			continue;
		}
		/*
		 * A stream watch is armed at once, so that a cancel sent after
		 * the completion before it finds it; one armed from a
		 * completion that an arming failure made, inside another,
		 * waits for a work past a few.
		 */
		if (o->kind == ORD_STREAM &&
		    atomic_inc_return(&as->order->nesting) <= AIONL_ORDER_NESTING) {
			aionl_ord_stream(as, r);
			atomic_dec(&as->order->nesting);
			continue;
		}
		if (o->kind == ORD_STREAM)
			atomic_dec(&as->order->nesting);
		/* On the async list, as a queued request is, where a cancel finds it. */
		INIT_WORK(&r->work, aionl_ord_start_work);
		spin_lock(&as->lock);
		list_add_tail(&r->async_node, &as->async);
		r->in_async = true;
		queue_work(aionl_ev_wq, &r->work);
		spin_unlock(&as->lock);
	}
}

/* A stream transfer in its turn: its watch, armed. */
static void aionl_ord_stream(struct aionl_sock *as, struct aionl_kreq *r)
{
	struct aionl_ord *o = r->ord;
	struct file *wfile;
	int err;

	/* The watch polls the registered file; the transfer runs on its own. */
	wfile = r->file;
	r->file = o->xfile;
	o->xfile = NULL;
	err = aionl_stream_start(as, r, wfile, o->timeout_ns);
	if (err) {
		fput(wfile);
		aionl_io_done(r, err);
		return;
	}
	/* Its watch counts it from here (aionl_sock.watches_live). */
	aionl_sock_count_done(as, &as->inflight);
}

/* A stream transfer, or a result, in its turn, from a work. */
static void aionl_ord_start_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, work);
	struct aionl_sock *as = r->as;

	spin_lock(&as->lock);
	if (r->in_async) {
		list_del(&r->async_node);
		r->in_async = false;
	}
	spin_unlock(&as->lock);
	if (r->ord->kind == ORD_RESULT)
		aionl_io_done(r, r->ord->res);
	else
		aionl_ord_stream(as, r);
}

/* Completions, outside the lock, of what a broken chain or a cancel took. */
static void aionl_order_end_taken(struct list_head *taken)
{
	struct aionl_ord *o, *tmp;

	list_for_each_entry_safe(o, tmp, taken, go_node) {
		list_del_init(&o->go_node);
		aionl_io_done(o->r, -ECANCELED);
	}
}

/*
 * Under as->lock: f and the rest of its chain will never start. Held ones
 * complete with -ECANCELED (onto taken); one still preparing is doomed, and
 * its submit ends it; one a cancel already took ends by itself, and so does
 * the rest of the chain after it.
 */
static void aionl_ord_break(struct aionl_sock *as, struct aionl_ord *f, struct list_head *taken)
{
	for (; f; f = f->next) {
		if (f->chain)
			f->chain->broken = true;	/* its datagram's later messages too */
		if (f->state == ORD_PREPARING) {
			f->doomed = true;
			continue;
		}
		if (f->state != ORD_HELD)
			return;
		aionl_ord_unhold(as->order, f);
		f->state = ORD_TAKEN;
		list_add_tail(&f->go_node, taken);
	}
}

/*
 * From aionl_post(): o's last completion, res, is in the backlog. The next
 * of its chain may start, or it and what follows it end.
 */
void aionl_order_done(struct aionl_sock *as, struct aionl_ord *o, s64 res)
{
	struct aionl_order *order = as->order;
	bool ok = aionl_order_ok(res, o->expect);
	struct aionl_ord *next;
	LIST_HEAD(taken);
	LIST_HEAD(go);
	bool took = false;

	/* A failure may break a chain: its cancellations are posted in order. */
	if (!ok)
		took = aionl_order_post_begin(order);
	spin_lock(&as->lock);
	if (o->chain) {
		o->chain->tail = NULL;
		if (!ok)
			o->chain->broken = true;
		o->chain = NULL;
	}
	/* One cancelled while held, whose predecessor still runs. */
	if (o->pred && o->pred->next == o)
		o->pred->next = NULL;
	next = o->next;
	if (next)
		next->pred = NULL;
	if (order->active_drain == o)
		order->active_drain = NULL;
	if (next && ok) {
		next->waits_pred = false;
		aionl_ord_consider(as, next, &go);
	} else if (next) {
		aionl_ord_break(as, next, &taken);
	}
	aionl_order_collect(as, &go);
	spin_unlock(&as->lock);
	aionl_ord_free(o);
	aionl_order_end_taken(&taken);
	aionl_order_post_end(order, took);
	aionl_order_launch(as, &go);
}

/*
 * A request or watch of the socket is done (aionl_sock_count_done()): a
 * drain may be free to start.
 */
void aionl_order_kick(struct aionl_sock *as)
{
	struct aionl_order *order = READ_ONCE(as->order);
	LIST_HEAD(go);

	if (!order || list_empty_careful(&order->fifo))
		return;
	spin_lock(&as->lock);
	aionl_order_collect(as, &go);
	spin_unlock(&as->lock);
	aionl_order_launch(as, &go);
}

/* A stream transfer's watch took over from r: its completion is to's. */
void aionl_order_moved(struct aionl_sock *as, struct aionl_kreq *from, struct aionl_kreq *to)
{
	spin_lock(&as->lock);
	to->ord = from->ord;
	from->ord = NULL;
	to->ord->r = to;
	spin_unlock(&as->lock);
}

/* ------------------------------------------------------------ cancel */

/*
 * Under as->lock, from a cancel: the held requests it matches leave their
 * turn, onto unqueued by their async_node, to complete with -ECANCELED;
 * their chains break when they do. One still preparing is doomed. Returns
 * how many.
 */
s64 aionl_order_cancel_held(struct aionl_sock *as, u64 target, const struct file *tfile,
			    u32 flags, struct list_head *unqueued)
{
	struct aionl_order *order = as->order;
	struct aionl_ord *o, *tmp;
	s64 found = 0;

	if (!order)
		return 0;
	list_for_each_entry_safe(o, tmp, &order->waiting, wait_node) {
		const struct file *file = o->r ? o->r->file : NULL;
		const struct file *file2 = o->r ? o->r->file2 : NULL;

		if (o->doomed || !aionl_cancel_matches(o->cookie, file, file2, target, tfile, flags))
			continue;
		found++;
		if (o->state == ORD_PREPARING) {
			o->doomed = true;
			continue;
		}
		aionl_ord_unhold(order, o);
		o->state = ORD_TAKEN;
		list_add_tail(&o->r->async_node, unqueued);
	}
	return found;
}

/* ------------------------------------------------------------ arrival */

/*
 * Under as->lock: the chain, open in this sender's datagram, that the
 * message at nlh belongs to: the one whose next message it is, or one it
 * is past (a message between was never a request here: the chain breaks).
 * The sender's chains of datagrams it has finished are dropped onto gone.
 */
static bool aionl_gap_links(const void *from, const void *to)
{
	const struct nlmsghdr *p = from;

	/* netlink_rcv_skb() walked these bytes: whole messages, from to's datagram. */
	while ((const void *)p < to) {
		if (p->nlmsg_len < NLMSG_HDRLEN ||
		    (const char *)p + NLMSG_ALIGN(p->nlmsg_len) > (const char *)to ||
		    !aionl_msg_links(p, aionl_nl_family.id))
			return false;
		p = (const void *)((const char *)p + NLMSG_ALIGN(p->nlmsg_len));
	}
	return true;
}

static struct aionl_chain *aionl_chain_find(struct aionl_order *order, const struct sk_buff *skb,
					    const void *nlh, struct list_head *gone)
{
	struct aionl_chain *ch, *tmp, *found = NULL;

	list_for_each_entry_safe(ch, tmp, &order->chains, node) {
		/*
		 * Any sender's chain whose datagram netlink is done with (the
		 * record holds the last reference): it can reach nothing more,
		 * and keeps no datagram alive past the next ordered request.
		 */
		if (refcount_read(&ch->skb->users) == 1) {
			aionl_chain_close(ch, gone);
			continue;
		}
		if (ch->task != current)
			continue;
		/* A task sends one datagram at a time: another one of its is over. */
		if (ch->skb != skb || nlh < ch->next) {
			aionl_chain_close(ch, gone);
			continue;
		}
		if (nlh > ch->next) {
			/*
			 * Messages the module never saw (refused by genetlink's
			 * policy, or of another family): each that links takes
			 * the chain on, broken; one that does not ends it.
			 */
			if (!aionl_gap_links(ch->next, nlh)) {
				aionl_chain_close(ch, gone);
				continue;
			}
			ch->broken = true;
		}
		found = ch;
	}
	return found;
}

/* Where the message after nlh is, and whether there is one, in its datagram. */
static const void *aionl_msg_after(const struct sk_buff *skb, const struct nlmsghdr *nlh,
				   bool *last)
{
	/* doit runs with skb->data at its message (netlink_rcv_skb()). */
	*last = (const void *)nlh != skb->data || aionl_msg_is_last(nlh, skb->len);
	return (const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);
}

/*
 * Called by aionl_request_begin() when the socket is full: whether the
 * message is an orderable request of a chain admitted whole (or broken,
 * whose requests complete with -ECANCELED), which passes. A request of a
 * chain refused whole is refused too, and the chain goes on to the next
 * message if it links.
 */
bool aionl_order_admitted(struct aionl_sock *as, struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_order *order = READ_ONCE(as->order);
	const struct nlmsghdr *nlh = info->nlhdr;
	struct aionl_chain *ch;
	const void *after;
	LIST_HEAD(gone);
	bool pass = false, last;

	if (!order || !aionl_cmd_takes_req_flags(info->genlhdr->cmd))
		return false;
	after = aionl_msg_after(skb, nlh, &last);
	spin_lock(&as->lock);
	ch = aionl_chain_find(order, skb, nlh, &gone);
	if (ch && !ch->refused) {
		pass = true;
	} else if (ch) {
		if ((aionl_msg_req_flags(nlh) & AIONL_REQ_LINK) && !last)
			ch->next = after;
		else
			aionl_chain_close(ch, &gone);
	}
	spin_unlock(&as->lock);
	aionl_chains_free(&gone);
	return pass;
}

static struct aionl_order *aionl_order_get(struct aionl_sock *as);

/*
 * An orderable message refused before it became a request (by its parser,
 * by admission, by pre_doit, here): returns err. One that links and is not
 * the last of its datagram would have begun a chain, whose rest must not
 * run unordered: it begins that chain, refused (-EBUSY: admission takes a
 * chain whole, so the rest is refused too) or broken (the rest completes
 * with -ECANCELED). A refused member of a chain needs nothing: the next
 * message finds the chain past it, and breaks it. A message genetlink
 * itself refuses (an attribute of the wrong type, a mask the policy
 * refuses) never reaches the module: the library never sends one in a
 * chain (docs/kernel.md, "Ordering").
 */
int aionl_order_refused(struct sk_buff *skb, struct genl_info *info, int err)
{
	const struct nlmsghdr *nlh = info->nlhdr;
	struct aionl_chain *ch, *fresh;
	struct aionl_order *order;
	struct aionl_sock *as;
	const void *after;
	LIST_HEAD(gone);
	bool last;

	/* A sender the family refuses gets no state here either. */
	if (!(aionl_msg_req_flags(nlh) & AIONL_REQ_LINK) || err == -EPERM || !aionl_allowed())
		return err;
	after = aionl_msg_after(skb, nlh, &last);
	if (last)
		return err;
	as = aionl_sock_get(skb, info);
	order = as ? aionl_order_get(as) : NULL;
	fresh = order ? kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT) : NULL;
	if (!fresh)
		return err;
	aionl_object_new();
	spin_lock(&as->lock);
	ch = aionl_chain_find(order, skb, nlh, &gone);
	if (!ch) {
		fresh->task = current;
		fresh->skb = skb_get(skb);
		fresh->next = after;
		fresh->refused = err == -EBUSY;
		fresh->broken = !fresh->refused;
		list_add(&fresh->node, &order->chains);
		fresh = NULL;
	}
	spin_unlock(&as->lock);
	aionl_chains_free(&gone);
	if (fresh)
		aionl_chain_free(fresh);
	return err;
}

static struct aionl_order *aionl_order_get(struct aionl_sock *as)
{
	struct aionl_order *order = READ_ONCE(as->order), *old;

	if (order)
		return order;
	order = kzalloc(sizeof(*order), GFP_KERNEL_ACCOUNT);
	if (!order)
		return NULL;
	INIT_LIST_HEAD(&order->waiting);
	INIT_LIST_HEAD(&order->fifo);
	INIT_LIST_HEAD(&order->chains);
	mutex_init(&order->post_lock);
	atomic_set(&order->nesting, 0);
	aionl_object_new();
	/* Two threads of the socket may bring its first ordered requests at once. */
	old = cmpxchg(&as->order, NULL, order);
	if (old) {
		kfree(order);
		aionl_object_gone();
		return old;
	}
	return order;
}

/*
 * In an orderable request's doit, after admission: where the request
 * stands in its socket's order. Returns a negative errno to refuse the
 * message with, or 0: with *op NULL for a request nothing orders (it runs
 * as usual), or with *op the ordered request's place, which the doit
 * prepares and hands to aionl_order_queue(), aionl_order_stream() or
 * aionl_order_result(). A request of a broken chain is prepared too, and
 * completes with -ECANCELED then, in the backlog behind the completion
 * that broke its chain. wake: a NOP, which without flags no drain holds.
 */
int aionl_order_begin(struct aionl_sock *as, struct sk_buff *skb, struct genl_info *info,
		      u64 cookie, u32 flags, u64 expect, bool wake, struct aionl_ord **op)
{
	const struct nlmsghdr *nlh = info->nlhdr;
	struct aionl_chain *ch, *fresh = NULL;
	struct aionl_order *order;
	struct aionl_kreq *spare;
	struct aionl_ord *o;
	const void *after;
	bool link, last, member;
	LIST_HEAD(gone);
	int ret = 0;

	*op = NULL;
	if (unlikely(flags & ~aionl_req_flags_served())) {
		GENL_SET_ERR_MSG(info, AIONL_MSG_REQ_FLAGS_UNSUPPORTED);
		return aionl_order_refused(skb, info, -EOPNOTSUPP);
	}
	order = READ_ONCE(as->order);
	/*
	 * Nothing ordered on this socket, or nothing now that could order a
	 * request without flags: no chain of a datagram open, no drain.
	 */
	if (!flags && (!order || (list_empty_careful(&order->chains) &&
				  list_empty_careful(&order->fifo) &&
				  !READ_ONCE(order->active_drain))))
		return 0;
	order = aionl_order_get(as);
	if (!order)
		return -ENOMEM;
	after = aionl_msg_after(skb, nlh, &last);
	link = (flags & AIONL_REQ_LINK) && !last;
	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	spare = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (link)
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!o || !spare || (link && !fresh)) {
		kfree(o);
		kfree(fresh);
		if (spare)
			aionl_kreq_free(spare);
		return aionl_order_refused(skb, info, -ENOMEM);
	}
	aionl_object_new();
	if (fresh)
		aionl_object_new();
	INIT_LIST_HEAD(&o->wait_node);
	INIT_LIST_HEAD(&o->fifo_node);
	INIT_LIST_HEAD(&o->go_node);
	spare->cookie = cookie;

	spin_lock(&as->lock);
	ch = aionl_chain_find(order, skb, nlh, &gone);
	member = ch;
	if (member && ch->refused) {
		/* Its chain was refused whole. */
		ret = -EBUSY;
		if (link)
			ch->next = after;
		else
			aionl_chain_close(ch, &gone);
		goto unused;
	}
	if (!member && link) {
		/* Admission takes a chain whole, at its first message. */
		unsigned int n = aionl_chain_span(nlh, skb->len);

		if (aionl_admit_full(true, atomic_read(&as->inflight) + n - 1, as->nwatches,
				     as->nbacklog + as->nquick, READ_ONCE(aionl_max_inflight))) {
			fresh->task = current;
			fresh->skb = skb_get(skb);
			fresh->next = after;
			fresh->refused = true;
			list_add(&fresh->node, &order->chains);
			fresh = NULL;
			ret = -EBUSY;
			goto unused;
		}
	}
	if (!member && !flags &&
	    (wake || (list_empty(&order->fifo) && !order->active_drain)))
		goto unused;	/* nothing orders it */

	o->state = ORD_PREPARING;
	o->cookie = cookie;
	o->expect = expect;
	o->flags = (flags & AIONL_REQ_DRAIN) | (link ? AIONL_REQ_LINK : 0);
	o->spare = spare;
	spare = NULL;
	if (member && ch->broken) {
		/* Broken before it: it never starts, and links nothing. */
		o->doomed = true;
	} else if (member && ch->tail) {
		ch->tail->next = o;
		o->pred = ch->tail;
		o->waits_pred = true;
		ch->tail->chain = NULL;
		ch->tail = NULL;
	}
	/* Behind a drain, or a drain itself: in arrival order. */
	if (!o->doomed &&
	    ((flags & AIONL_REQ_DRAIN) || !list_empty(&order->fifo) || order->active_drain)) {
		o->deferred = true;
		list_add_tail(&o->fifo_node, &order->fifo);
	}
	list_add_tail(&o->wait_node, &order->waiting);
	order->nheld++;
	/* Held requests count against max_inflight; the release waits for them. */
	atomic_inc(&as->inflight);
	if (link && !member) {
		fresh->task = current;
		fresh->skb = skb_get(skb);
		list_add(&fresh->node, &order->chains);
		ch = fresh;
		fresh = NULL;
	}
	if (link && ch->broken) {
		ch->next = after;
	} else if (link) {
		ch->next = after;
		ch->tail = o;
		o->chain = ch;
	} else if (member) {
		aionl_chain_close(ch, &gone);
	}
	spin_unlock(&as->lock);
	aionl_chains_free(&gone);
	if (fresh)
		aionl_chain_free(fresh);
	*op = o;
	return 0;

unused:
	spin_unlock(&as->lock);
	aionl_chains_free(&gone);
	if (fresh)
		aionl_chain_free(fresh);
	aionl_ord_free(o);
	aionl_kreq_free(spare);
	if (ret == -EBUSY)
		GENL_SET_ERR_MSG(info, "the chain does not fit max_inflight: reap completions first");
	return ret;
}

/*
 * o's request is prepared (r, whose work is initialised for ORD_WORK): it
 * waits for its turn, or starts now.
 */
static int aionl_order_submit(struct aionl_sock *as, struct aionl_ord *o, struct aionl_kreq *r)
{
	struct aionl_kreq *spare = o->spare != r ? o->spare : NULL;
	struct aionl_order *order = as->order;
	bool held = false, took = false;
	LIST_HEAD(go);

	o->spare = NULL;
	if (spare)
		aionl_kreq_free(spare);
	spin_lock(&as->lock);
	o->r = r;
	r->ord = o;
	while (o->doomed && !held) {
		/* Doomed by a broken chain: after what its breaker posts. */
		spin_unlock(&as->lock);
		took = aionl_order_post_begin(order);
		held = true;
		spin_lock(&as->lock);
	}
	if (o->doomed) {
		/* Cancelled, or its chain broke, while it was being prepared. */
		aionl_ord_unhold(order, o);
		o->state = ORD_TAKEN;
		list_add_tail(&o->go_node, &go);
	} else {
		o->state = ORD_HELD;
		aionl_ord_consider(as, o, &go);
		/* A drain behind nothing may start at once. */
		aionl_order_collect(as, &go);
	}
	spin_unlock(&as->lock);
	aionl_order_launch(as, &go);
	aionl_order_post_end(order, took);
	return 0;
}

/* o's request was decided in its doit: res, posted in its turn. */
int aionl_order_result(struct aionl_sock *as, struct aionl_ord *o, s64 res)
{
	struct aionl_kreq *r = o->spare;

	o->kind = ORD_RESULT;
	o->res = res;
	/* The spare is r now: aionl_order_submit() keeps it. */
	return aionl_order_submit(as, o, r);
}

/* A request decided in its doit: at once (ord NULL), or, ordered, in its turn. */
int aionl_order_now(struct aionl_sock *as, struct aionl_ord *ord, u64 cookie, s64 res)
{
	return ord ? aionl_order_result(as, ord, res) : aionl_complete_now(as, cookie, res);
}

/* o's request is r, whose work (aionl_io_prepare(), or an OPEN's) runs on wq (NULL: the socket's I/O queue). */
int aionl_order_queue(struct aionl_sock *as, struct aionl_ord *o, struct aionl_kreq *r,
		      struct workqueue_struct *wq, u64 timeout_ns)
{
	o->kind = ORD_WORK;
	o->wq = wq;
	o->timeout_ns = timeout_ns;
	return aionl_order_submit(as, o, r);
}

/*
 * o's request is r, a transfer on the registered pipe or socket r->file
 * (which a cancel by handle matches), to run on xfile (aionl_stream_file())
 * once its watch is armed.
 */
static int aionl_order_stream(struct aionl_sock *as, struct aionl_ord *o, struct aionl_kreq *r,
			      struct file *xfile, u64 timeout_ns)
{
	o->kind = ORD_STREAM;
	o->xfile = xfile;
	o->timeout_ns = timeout_ns;
	return aionl_order_submit(as, o, r);
}

/* ------------------------------------------------------------ requests */

/*
 * An ordered read or write, prepared as rw.c prepares one for the workqueue,
 * without the inline attempt: it must not run before its turn.
 */
int aionl_order_rw(struct aionl_sock *as, struct aionl_ord *o, u8 cmd, u64 cookie, u64 handle,
		   u64 offset, const struct iovec *iov, unsigned int nr_iov, u64 timeout_ns)
{
	struct file *file = aionl_file_lookup(as, handle), *xfile;
	bool write = aionl_op_writes(cmd);
	int dir = write ? ITER_SOURCE : ITER_DEST;
	struct aionl_file_caps caps;
	struct aionl_kreq *r;
	__u64 total;
	int how, err;

	if (!file)
		return aionl_order_result(as, o, -EBADF);
	aionl_file_caps(file, &caps);
	how = aionl_rw_check(&caps, write, offset, iov, nr_iov, &total);
	if (how < 0) {
		fput(file);
		return aionl_order_result(as, o, how);
	}
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r) {
		fput(file);
		return aionl_order_result(as, o, -ENOMEM);
	}
	r->cookie = cookie;
	r->file = file;
	r->dir = dir;
	r->len = total;
	err = aionl_kreq_take_buffers(r, iov, nr_iov);
	if (err) {
		aionl_kreq_free(r);
		return aionl_order_result(as, o, err);
	}
	if (how == AIONL_RW_STREAM) {
		xfile = aionl_stream_file(file, dir);
		if (IS_ERR(xfile)) {
			aionl_kreq_free(r);
			return aionl_order_result(as, o, PTR_ERR(xfile));
		}
		aionl_kreq_as_submitter(r);
		return aionl_order_stream(as, o, r, xfile, timeout_ns);
	}
	r->pos = offset;
	aionl_io_prepare(r);
	return aionl_order_queue(as, o, r, NULL, timeout_ns);
}

/* An ordered FSYNC or FDATASYNC. */
int aionl_order_sync(struct aionl_sock *as, struct aionl_ord *o, u8 cmd, u64 cookie, u64 handle)
{
	struct file *file = aionl_file_lookup(as, handle);
	struct aionl_kreq *r;

	if (!file)
		return aionl_order_result(as, o, -EBADF);
	r = aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0);
	if (!r) {
		fput(file);
		return aionl_order_result(as, o, -ENOMEM);
	}
	r->cookie = cookie;
	r->file = file;
	r->sync = cmd;
	aionl_io_prepare(r);
	return aionl_order_queue(as, o, r, NULL, 0);
}
