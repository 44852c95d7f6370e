// SPDX-License-Identifier: MIT
/*
 * aionl_submit: credits, the reads served at once from the page cache, and
 * the rest encoded (gen/aionl-req.c) into as few datagrams as fit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "aionl-req.h"

/*
 * Requests looked at together: first every page-cache hit among them is
 * served, then the rest are sent. Splitting a window between this thread and
 * the server otherwise makes the fast half wait for the slow half; the
 * window bounds the stack the bookkeeping takes.
 */
#define SUBMIT_WINDOW 4096
/*
 * Completions of inline reads gathered before they are queued: the file
 * table's read lock is dropped between gatherings, so that register and
 * unregister get in between long batches.
 */
#define INLINE_BATCH 64

static int check_req(const struct aionl_ctx *ctx, const struct aionl_req *r, unsigned int i)
{
	if (!aionl__req_op_valid(r->op))
		return aionl__fail(-EINVAL, "aionl_submit: request %u has unknown op %u", i, r->op);
	if ((r->op == AIONL_OP_READV || r->op == AIONL_OP_WRITEV) &&
	    (r->nr_iov > ctx->info.max_iov || (r->nr_iov && !r->iov)))
		return aionl__fail(-EINVAL, "aionl_submit: request %u has %u iovecs (max %u)", i,
				   r->nr_iov, ctx->info.max_iov);
	if (r->op == AIONL_OP_OPEN && !r->open.path)
		return aionl__fail(-EINVAL, "aionl_submit: request %u, an OPEN, has no path", i);
	if (r->op == AIONL_OP_OPEN && strnlen(r->open.path, AIONL_MAX_PATH) == AIONL_MAX_PATH)
		return aionl__fail(-ENAMETOOLONG, "aionl_submit: request %u, an OPEN, has a path "
				   "of %u bytes or more", i, AIONL_MAX_PATH);
	if (r->flags & ~AIONL_REQ_FLAG_MASK)
		return aionl__fail(-EINVAL, "aionl_submit: request %u has unknown flags 0x%x", i,
				   r->flags & ~AIONL_REQ_FLAG_MASK);
	if (r->flags && !aionl_cmd_takes_req_flags(r->op))
		return aionl__fail(-EINVAL, "aionl_submit: request %u: op %u cannot be ordered "
				   "(AIONL_REQ_LINK, AIONL_REQ_DRAIN)", i, r->op);
	if (r->flags & ~ctx->order_flags)
		return aionl__fail(-EOPNOTSUPP, "aionl_submit: request %u has flags 0x%x; the %s "
				   "backend's server honours 0x%x (aionl_ctx_req_flags)", i,
				   r->flags, aionl_backend_name(ctx->info.backend), ctx->order_flags);
	/* A STATX without a path is one of its handle's file: NULL is fine. */
	if (r->op == AIONL_OP_STATX && r->statx.path &&
	    strnlen(r->statx.path, AIONL_MAX_PATH) == AIONL_MAX_PATH)
		return aionl__fail(-ENAMETOOLONG, "aionl_submit: request %u, a STATX, has a path "
				   "of %u bytes or more", i, AIONL_MAX_PATH);
	return 0;
}

/* ------------------------------------------------------------ chains */

static inline bool links(const struct aionl_req *r)
{
	return r->flags & AIONL_REQ_LINK;
}

/*
 * Where a batch of reqs[0..n) may end when it must end before n: not inside
 * a chain, whose requests travel together and are accepted together. A
 * chain reaches reqs[n] if reqs[n - 1] links; the batch then ends where
 * that chain begins. At the true end of a call the last request's link is
 * ignored, as the server ignores it at the end of a datagram.
 */
static unsigned int chain_floor(const struct aionl_req *reqs, unsigned int n)
{
	if (!n || !links(&reqs[n - 1]))
		return n;
	while (--n && links(&reqs[n - 1]))
		;
	return n;
}

/*
 * Check the chain reqs[0..n) (n > 1, all but the last linking), whose first
 * is request first of the call: a server never refuses a request of it, so
 * it never breaks where the program did not ask. Each request takes flags,
 * is served, and passes the servers' own checks (encoded as send_rest()
 * will encode it and parsed as the engine parses it, with the IDL's ranges
 * and masks, which the module's policy and parsers share); the chain fits
 * in one datagram, and in max_inflight credits. *scratch: a buffer of
 * AIONL_MAX_MSG_SIZE, allocated at the first chain of the call.
 */
static int check_chain(const struct aionl_ctx *ctx, const struct aionl_req *reqs, unsigned int n,
		       unsigned int first, char **scratch)
{
	size_t pos = 0;
	unsigned int i;

	if (n > ctx->max_inflight)
		return aionl__fail(-EINVAL, "aionl_submit: the chain from request %u has %u "
				   "requests; max_inflight (%u) can never hold it", first, n,
				   ctx->max_inflight);
	if (!*scratch && !(*scratch = malloc(AIONL_MAX_MSG_SIZE)))
		return aionl__fail(-ENOMEM, "aionl_submit: out of memory checking a chain");
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(*scratch + pos);
		const struct aionl_req *r = &reqs[i];
		struct aionl_parse_err pe = { 0 };
		struct aionl_ord_info in;

		if (!aionl_cmd_takes_req_flags(r->op))
			return aionl__fail(-EINVAL, "aionl_submit: request %u, a %s, is in a chain "
					   "but cannot be ordered (AIONL_REQ_LINK before it)",
					   first + i, aionl_cmd_names[r->op]);
		/*
		 * An unserved request alone completes -EOPNOTSUPP without being
		 * sent (refuse_unserved()); in a chain it would leave the chain
		 * cut in the library's hands, so the chain is refused instead.
		 */
		if (ctx->unserved_ops & AIONL_CMD_BIT(r->op))
			return aionl__fail(-EOPNOTSUPP, "aionl_submit: request %u, in a chain, is a "
					   "%s, which the %s backend's server does not serve",
					   first + i, aionl_cmd_names[r->op],
					   aionl_backend_name(ctx->info.backend));
		if (aionl__req_encode(nlh, AIONL_MAX_MSG_SIZE - pos, ctx->family, r))
			return aionl__fail(-EINVAL, "aionl_submit: the chain of AIONL_REQ_LINK "
					   "requests from request %u does not fit in one message "
					   "(%u bytes)", first, AIONL_MAX_MSG_SIZE);
		if (aionl__ord_parse(r->op, nlh, &in, &pe))
			return aionl__fail(-EINVAL, "aionl_submit: request %u, in a chain, would be "
					   "refused by the server: %s", first + i,
					   pe.msg ? pe.msg : "malformed");
		pos += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return 0;
}

/*
 * Check reqs[0..nr): returns how many, from the first, may be submitted,
 * every request valid and every chain whole and acceptable; 0 with *err
 * set when not even the first may. A bad request ends the batch before it,
 * or before the chain it is in.
 */
static unsigned int check_batch(const struct aionl_ctx *ctx, const struct aionl_req *reqs,
				unsigned int nr, int *err)
{
	unsigned int s = 0, e, i;
	char *scratch = NULL;

	*err = 0;
	while (s < nr) {
		/* The chain from s: up to the first request without the link, or the last. */
		for (e = s; e + 1 < nr && links(&reqs[e]); e++)
			;
		for (i = s; i <= e; i++)
			if ((*err = check_req(ctx, &reqs[i], i)))
				goto out;
		if (e > s && (*err = check_chain(ctx, reqs + s, e - s + 1, s, &scratch)))
			goto out;
		s = e + 1;
	}
out:
	free(scratch);
	return s;
}

/* Completions of reads served inline, gathered on the submitter's stack. */
struct inline_batch {
	unsigned int n;
	struct aionl_completion m[INLINE_BATCH];
};

/*
 * Queue completions of reads served inline straight into the completion
 * queue: no datagram carries them, the bell makes the descriptor readable
 * for them, and a thread blocked receiving wakes on the bell.
 */
static void deliver_inline(struct aionl_ctx *ctx, struct inline_batch *b)
{
	if (!b->n)
		return;
	rx_deliver(ctx, b->m, b->n);
	b->n = 0;
}

/*
 * Serve r from the page cache now, if it is a read that can be, with no lock
 * of the context held: submitting threads copy in parallel.
 */
static bool try_inline(struct aionl_ctx *ctx, const struct aionl_req *r, struct inline_batch *b)
{
	struct iovec one = { r->buf, r->len };
	int64_t res;

	if (r->timeout_ns || r->offset == AIONL_OFFSET_STREAM)
		return false;	/* deadlines and streams are the server's */
	if (!ctx->inline_reads)
		return false;
	if (r->op == AIONL_OP_READ) {
		if (!ctx->ops->inline_read(ctx, r->handle, &one, 1, r->offset, &res))
			return false;
	} else if (r->op != AIONL_OP_READV ||
		   !ctx->ops->inline_read(ctx, r->handle, r->iov, r->nr_iov, r->offset, &res)) {
		return false;
	}
	if (b->n == INLINE_BATCH) {
		ctx->ops->inline_end(ctx);
		deliver_inline(ctx, b);
		ctx->ops->inline_begin(ctx);
	}
	b->m[b->n++] = (struct aionl_completion){ .cookie = r->cookie, .res = res };
	return true;
}

/*
 * What must block (a buffered write, a read the cache missed), straight to
 * a worker of the engine, which queues the completion itself: the engine
 * thread is not woken (src/engine/direct.c). Same conditions as inline.
 */
static bool try_direct(struct aionl_ctx *ctx, const struct aionl_req *r)
{
	if (!ctx->direct || r->timeout_ns || r->offset == AIONL_OFFSET_STREAM)
		return false;
	switch (r->op) {
	case AIONL_OP_READ:
	case AIONL_OP_WRITE:
	case AIONL_OP_READV:
	case AIONL_OP_WRITEV:
		return ctx->ops->direct(ctx, r);
	default:
		return false;
	}
}

/* The signals the signal watches among reqs ask for, of the sets the server takes. */
static uint64_t watched_signals(const struct aionl_req *reqs, unsigned int nr)
{
	uint64_t mask = 0;

	for (unsigned int i = 0; i < nr; i++)
		if (reqs[i].op == AIONL_OP_SIGNAL && aionl_sigmask_watchable(reqs[i].sigmask))
			mask |= reqs[i].sigmask;
	return mask;
}

/*
 * Complete the requests among reqs whose command the server does not serve
 * (GET_INFO's commands) with -EOPNOTSUPP, flagged AIONL_CQE_F_REJECTED as
 * the server's own refusal would be, without sending them: what
 * aionl_ctx_supports says and what a submission does then agree, even with
 * a server too old to list its commands, whose set is the library's
 * assumption. done[i] marks each.
 */
static unsigned int refuse_unserved(struct aionl_ctx *ctx, const struct aionl_req *reqs,
				    unsigned int nr, uint64_t *done)
{
	struct inline_batch b;
	unsigned int i, n = 0;

	b.n = 0;
	for (i = 0; i < nr; i++) {
		if (!(ctx->unserved_ops & AIONL_CMD_BIT(reqs[i].op)))
			continue;
		if (b.n == INLINE_BATCH)
			deliver_inline(ctx, &b);
		b.m[b.n++] = (struct aionl_completion){ .cookie = reqs[i].cookie, .res = -EOPNOTSUPP,
							.flags = AIONL_CQE_F_REJECTED };
		done[i / 64] |= 1ULL << (i % 64);
		n++;
	}
	deliver_inline(ctx, &b);
	return n;
}

/*
 * A watched signal is caught as a completion only while it is blocked: the
 * calling thread blocks it here, and threads it creates later inherit that.
 * A set the server will refuse, or a watch it does not serve, blocks
 * nothing. Returns the signals this call blocked that were not blocked
 * before, so that a watch that is not sent after all can give them back.
 */
static uint64_t block_watched_signals(const struct aionl_ctx *ctx, const struct aionl_req *reqs,
				      unsigned int nr)
{
	uint64_t mask = watched_signals(reqs, nr), newly = 0;
	sigset_t set, old;

	if (ctx->unserved_ops & AIONL_CMD_BIT(AIONL_OP_SIGNAL))
		return 0;
	if (!mask)
		return 0;
	aionl__sigset_of(mask, &set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (int sig = 1; sig <= 64; sig++)
		if ((mask & (1ULL << (sig - 1))) && !sigismember(&old, sig))
			newly |= 1ULL << (sig - 1);
	return newly;
}

/*
 * Serve what the page cache holds among reqs, and hand what must block to
 * a worker (the direct path); done[i] marks each. Ordered requests are the
 * server's, which starts them in their order: a request with flags, one a
 * link reaches, and, behind a drain (*drained, set by one of an earlier
 * call or window), every one. An inline read would complete, and a direct
 * request start, before what it must wait for.
 */
static unsigned int serve_inline(struct aionl_ctx *ctx, const struct aionl_req *reqs,
				 unsigned int nr, uint64_t *done, bool *drained)
{
	struct inline_batch b;
	unsigned int i, n = 0;

	b.n = 0;
	ctx->ops->inline_begin(ctx);
	for (i = 0; i < nr; i++) {
		if (reqs[i].flags & AIONL_REQ_DRAIN)
			*drained = true;
		if (*drained || reqs[i].flags || (i > 0 && links(&reqs[i - 1])))
			continue;
		if (done[i / 64] >> (i % 64) & 1)
			continue;	/* refused: refuse_unserved() */
		if (try_inline(ctx, &reqs[i], &b) || try_direct(ctx, &reqs[i])) {
			done[i / 64] |= 1ULL << (i % 64);
			n++;
		}
	}
	ctx->ops->inline_end(ctx);
	deliver_inline(ctx, &b);
	return n;
}

/*
 * Send the first len bytes of txbuf, n requests, counted in via_socket
 * before they go: their completions may be parsed before tx_send returns.
 */
static int counted_send(struct aionl_ctx *ctx, size_t len, unsigned int n)
{
	int err;

	atomic_fetch_add_explicit(&ctx->via_socket, n, memory_order_relaxed);
	err = tx_send(ctx, ctx->txbuf, len, -1);
	if (err)
		atomic_fetch_sub_explicit(&ctx->via_socket, n, memory_order_relaxed);
	return err;
}

/*
 * Encode and send the requests of reqs not marked in done, in as few
 * datagrams as fit, a chain always whole in one (check_batch() saw that each
 * fits one): when a chain's request does not fit where its datagram stands,
 * what came before the chain is sent and the chain starts the next one.
 * Returns how many were sent, and sets *err to why the rest were not.
 */
static unsigned int send_rest(struct aionl_ctx *ctx, const struct aionl_req *reqs,
			      unsigned int nr, const uint64_t *done, int *err)
{
	unsigned int i, sent = 0, batched = 0, chain_n = 0;
	size_t pos = 0, chain_pos = 0;

	*err = 0;
	pthread_mutex_lock(&ctx->tx_lock);
	for (i = 0; i < nr; i++) {
		bool in_chain = i > 0 && links(&reqs[i - 1]);
		struct nlmsghdr *nlh;

		if (done[i / 64] >> (i % 64) & 1)
			continue;
		if (!in_chain) {
			chain_pos = pos;
			chain_n = 0;
		}
		nlh = (struct nlmsghdr *)(ctx->txbuf + pos);
		*err = aionl__req_encode(nlh, AIONL_MAX_MSG_SIZE - pos, ctx->family, &reqs[i]);
		if (*err == -EMSGSIZE && chain_pos) {
			/* Send what precedes this chain; the chain moves to the front. */
			*err = counted_send(ctx, chain_pos, batched - chain_n);
			if (*err)
				break;
			sent += batched - chain_n;
			batched = chain_n;
			memmove(ctx->txbuf, ctx->txbuf + chain_pos, pos - chain_pos);
			pos -= chain_pos;
			chain_pos = 0;
			nlh = (struct nlmsghdr *)(ctx->txbuf + pos);
			*err = aionl__req_encode(nlh, AIONL_MAX_MSG_SIZE - pos, ctx->family, &reqs[i]);
		}
		if (*err) {
			/* A chain is sent whole or not at all. */
			batched -= chain_n;
			pos = chain_pos;
			break;
		}
		pos += NLMSG_ALIGN(nlh->nlmsg_len);
		batched++;
		chain_n++;
	}
	if (pos && *err != -EPIPE) {
		int serr = counted_send(ctx, pos, batched);

		if (serr)
			*err = serr;
		else
			sent += batched;
	}
	pthread_mutex_unlock(&ctx->tx_lock);
	return sent;
}

/*
 * After send_rest() sent only the first sent of the requests not in done,
 * with err: the unsent ones that come before a request served here (an
 * inline read, a direct one, a refused op) complete now with err, flagged
 * AIONL_CQE_F_REJECTED, so that what aionl_submit counts stays a prefix of
 * its requests: a program that submits the rest again repeats none that
 * ran. Returns how many were completed so.
 */
static unsigned int reject_unsent(struct aionl_ctx *ctx, const struct aionl_req *reqs,
				  unsigned int nr, const uint64_t *done, unsigned int sent, int err)
{
	struct inline_batch b;
	unsigned int i, last = nr, n = 0;

	for (i = nr; i-- > 0;) {
		if (done[i / 64] >> (i % 64) & 1) {
			last = i;
			break;
		}
	}
	if (err == -EMSGSIZE)
		err = -EINVAL;
	else if (err == -ECONNRESET)
		err = -EPIPE;
	b.n = 0;
	for (i = 0; i < last; i++) {
		if (done[i / 64] >> (i % 64) & 1)
			continue;
		if (sent) {
			sent--;
			continue;
		}
		if (b.n == INLINE_BATCH)
			deliver_inline(ctx, &b);
		b.m[b.n++] = (struct aionl_completion){ .cookie = reqs[i].cookie, .res = err,
							.flags = AIONL_CQE_F_REJECTED };
		n++;
	}
	deliver_inline(ctx, &b);
	return n;
}

/* Submit a window of at most SUBMIT_WINDOW requests, all of which have credits. */
static unsigned int submit_window(struct aionl_ctx *ctx, const struct aionl_req *reqs,
				  unsigned int nr, bool *drained, int *err)
{
	uint64_t done[SUBMIT_WINDOW / 64];
	unsigned int ninline = 0, sent;

	/* Only the words this window uses: a whole bitmap per call is 512 bytes to clear. */
	memset(done, 0, (nr + 63) / 64 * sizeof(done[0]));
	if (ctx->unserved_ops)
		ninline = refuse_unserved(ctx, reqs, nr, done);
	/*
	 * Page-cache hits are served here and now, as io_uring serves them in
	 * io_uring_enter; only the rest travels to the server.
	 */
	if ((ctx->inline_reads || ctx->direct) && ninline < nr)
		ninline += serve_inline(ctx, reqs, nr, done, drained);
	*err = 0;
	if (ninline == nr)
		return nr;
	/*
	 * Reads served inline are done whatever happens to the rest: their
	 * completions are queued, so they keep their credits.
	 */
	sent = send_rest(ctx, reqs, nr, done, err);
	if (*err && ninline)
		sent += reject_unsent(ctx, reqs, nr, done, sent, *err);
	return ninline + sent;
}

AIONL_EXPORT int aionl_submit(struct aionl_ctx *ctx, const struct aionl_req *reqs, unsigned int nr)
{
	unsigned int cur, take, want, i, sent = 0;
	bool has_drain = false, drained;
	uint64_t newly_blocked;
	int err = 0;

	if ((err = ctx_check(ctx, "aionl_submit")))
		return err;
	if (!reqs && nr)
		return aionl__fail(-EINVAL, "aionl_submit: NULL argument");
	if (!nr)
		return 0;
	/*
	 * A bad request ends the batch before it, before anything is done;
	 * before the chain it is in, if it is in one.
	 */
	nr = check_batch(ctx, reqs, nr, &err);
	if (!nr)
		return err;
	err = 0;
	cur = atomic_load_explicit(&ctx->outstanding, memory_order_relaxed);
	do {
		unsigned int used = CREDIT_COUNT(cur);

		if (used >= ctx->max_inflight)
			return aionl__fail(-EBUSY, "aionl_submit: %u requests outstanding; reap first",
					   used);
		want = ctx->max_inflight - used < nr ? ctx->max_inflight - used : nr;
		/* A chain is accepted whole or not at all. */
		take = want < nr ? chain_floor(reqs, want) : want;
		if (!take)
			return aionl__fail(-EBUSY, "aionl_submit: %u requests outstanding; the first "
					   "chain needs more credits than the %u free; reap first",
					   used, ctx->max_inflight - used);
		for (i = 0, has_drain = false; i < take && !has_drain; i++)
			has_drain = reqs[i].flags & AIONL_REQ_DRAIN;
	} while (!atomic_compare_exchange_weak(&ctx->outstanding, &cur,
					       (cur + take) | (has_drain ? CREDIT_DRAIN : 0)));
	/* A drain of an earlier call that may not have completed yet holds every read. */
	drained = cur & CREDIT_DRAIN;
	newly_blocked = block_watched_signals(ctx, reqs, take);

	for (i = 0; i < take && !err; ) {
		unsigned int n = take - i < SUBMIT_WINDOW ? take - i : SUBMIT_WINDOW;

		/* A window ends between chains: a datagram never splits one. */
		if (i + n < take)
			n = chain_floor(reqs + i, n);
		sent += submit_window(ctx, reqs + i, n, &drained, &err);
		i += n;
	}
	if (sent < take)
		atomic_fetch_sub(&ctx->outstanding, take - sent);
	/*
	 * Watches that were not sent after all (a full socket, an engine
	 * gone) give back what this call blocked for them alone.
	 */
	if (newly_blocked && sent < take) {
		uint64_t undo = newly_blocked & ~watched_signals(reqs, sent);
		sigset_t set;

		if (undo) {
			aionl__sigset_of(undo, &set);
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		}
	}
	if (sent)
		return (int)sent;
	if (err == -EPIPE || err == -ECONNRESET)
		return aionl__fail(-EPIPE, "aionl_submit: the engine is gone");
	if (err == -EMSGSIZE)
		return aionl__fail(-EINVAL, "aionl_submit: request does not fit in one message");
	if (err && err != -EINVAL)
		return aionl__fail(err, "aionl_submit: sending: %s", strerror(-err));
	return err;
}

AIONL_EXPORT int aionl_wake(struct aionl_ctx *ctx, uint64_t cookie)
{
	struct aionl_req r;
	int n;

	aionl_req_nop(&r, cookie);
	n = aionl_submit(ctx, &r, 1);
	return n == 1 ? 0 : n;
}
