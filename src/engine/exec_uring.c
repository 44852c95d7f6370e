// SPDX-License-Identifier: MIT
/*
 * io_uring executor: the engine thread owns one ring. The engine socket is
 * watched through the same ring (a poll request), so one io_uring_enter both
 * starts the queued I/O and sleeps until a request arrives or I/O finishes.
 *
 * io_uring has no copy_file_range (liburing issues #831 and #1383; splice
 * through a pipe would give up reflinks and server-side copies), so a COPY
 * goes to helper threads of the executor's own (pool.c, the threads
 * executor's workers), started at the first COPY, at most params.workers of
 * them, and never to the engine thread. Their eventfd is polled through the
 * ring like the socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <liburing.h>

#include "engine.h"
#include "pool.h"

/*
 * Submission slots: when the executor queues more before it waits, it
 * submits a full ring and goes on (get_sqe), so this bounds no depth.
 */
#define RING_ENTRIES 256
/*
 * Completion slots per submission slot: requests in flight are bounded by
 * max_inflight, not by the ring, and an overflowing completion queue would
 * make the kernel hold the rest; room for many spares that.
 */
#define CQ_PER_SQ 8
#define TAG_POLLIN 1
#define TAG_POLLOUT 2
#define TAG_EVENTS 3
#define TAG_CANCEL 4
#define TAG_HELPERS 5

struct uring_priv {
	struct io_uring ring;
	bool pollin_armed;
	bool pollout_armed;
	bool events_armed;
	bool helpers_armed;
	/*
	 * COPY's, and the direct path's buffered writes: made by the engine
	 * thread for the first COPY or buffered write, read by submitting
	 * threads from then on.
	 */
	struct eng_pool *_Atomic helpers;
	bool helpers_failed;	/* for the direct path: not tried again */
};

static const int needed_ops[] = {
	IORING_OP_READ, IORING_OP_WRITE, IORING_OP_READV, IORING_OP_WRITEV,
	IORING_OP_FSYNC, IORING_OP_POLL_ADD, IORING_OP_ASYNC_CANCEL, IORING_OP_OPENAT,
	IORING_OP_FALLOCATE, IORING_OP_STATX,
};

static int ring_setup(struct io_uring *ring)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN,
		.cq_entries = RING_ENTRIES * CQ_PER_SQ,
	};
	struct io_uring_probe *probe;
	size_t i;
	int err;

	err = io_uring_queue_init_params(RING_ENTRIES, ring, &p);
	if (err == -EINVAL) {
		/* Kernels before 5.19 lack COOP_TASKRUN. */
		p = (struct io_uring_params){ .flags = IORING_SETUP_CQSIZE,
					      .cq_entries = RING_ENTRIES * CQ_PER_SQ };
		err = io_uring_queue_init_params(RING_ENTRIES, ring, &p);
	}
	if (err)
		return aionl__fail(err, "io_uring_setup failed: %s%s", strerror(-err),
				   err == -EPERM ? " (kernel.io_uring_disabled or seccomp?)" : "");
	/* The ring's descriptor into the high range: its mappings do not care. */
	ring->ring_fd = ring->enter_ring_fd = aionl__fd_high(ring->ring_fd);
	probe = io_uring_get_probe_ring(ring);
	for (i = 0; probe && i < sizeof(needed_ops) / sizeof(needed_ops[0]); i++) {
		if (!io_uring_opcode_supported(probe, needed_ops[i])) {
			io_uring_free_probe(probe);
			io_uring_queue_exit(ring);
			return aionl__fail(-ENOSYS, "io_uring lacks opcode %d", needed_ops[i]);
		}
	}
	if (probe)
		io_uring_free_probe(probe);
	return 0;
}

int aionl_uring_probe(void)
{
	struct io_uring ring;
	int err = ring_setup(&ring);

	if (!err)
		io_uring_queue_exit(&ring);
	return err;
}

static int uring_init(struct aionl_engine *e)
{
	struct uring_priv *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return aionl__fail(-ENOMEM, "out of memory for io_uring");
	err = ring_setup(&u->ring);
	if (err) {
		free(u);
		return err;
	}
	e->exec_priv = u;
	return 0;
}

static void uring_fini(struct aionl_engine *e)
{
	struct uring_priv *u = e->exec_priv;

	/*
	 * The engine waited for its own requests; direct ones may still run,
	 * and pool_free lets the workers finish the queue first.
	 */
	if (u->helpers)
		pool_free(u->helpers);
	io_uring_queue_exit(&u->ring);
	free(u);
}

/* Unmaps and closes the child's copies only; the helpers are not in the child. */
static void uring_forget(struct aionl_engine *e)
{
	struct uring_priv *u = e->exec_priv;

	if (u->helpers)
		pool_forget(u->helpers, e->dpool_whole);
	io_uring_queue_exit(&u->ring);
	free(u);
}

/* The helpers, made now if they are not yet: NULL and *err if they cannot be. Engine thread. */
static struct eng_pool *helpers_get(struct aionl_engine *e, int *err)
{
	struct uring_priv *u = e->exec_priv;
	struct eng_pool *p = atomic_load(&u->helpers);

	*err = 0;
	if (!p) {
		*err = pool_new(&p, e->params.workers);
		if (*err)
			return NULL;
		/* dpool first: a fork that sees the helpers must see them there too. */
		atomic_store(&e->dpool, p);
		atomic_store(&u->helpers, p);
	}
	return p;
}

/* A request io_uring has no operation for, to a helper thread. */
static void helpers_queue(struct aionl_engine *e, struct eng_req *r)
{
	struct eng_pool *p;
	int err;

	p = helpers_get(e, &err);
	if (!p) {
		engine_complete(e, r, err);
		return;
	}
	pool_push(p, r, r, 1);
}

/*
 * Buffered writes: ext4 will not write without waiting, so io_uring would
 * hand them to its io-wq anyway, behind two more wake-ups of the engine
 * thread. The rest (reads, O_DIRECT) io_uring runs without a worker. The
 * helpers are made by the engine at the first buffered write (uring_queue):
 * until then, and if they cannot be, writes go through io_uring.
 */
static bool buffered_write(const struct eng_req *r)
{
	return aionl_op_writes(r->op) && !r->file->odirect;
}

static struct eng_pool *uring_direct_pool(struct aionl_engine *e, const struct eng_file *f,
					  uint8_t op)
{
	struct uring_priv *u = e->exec_priv;

	if (!aionl_op_writes(op) || f->odirect)
		return NULL;
	return atomic_load(&u->helpers);
}

static struct io_uring_sqe *get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(ring)))
		io_uring_submit(ring);
	return sqe;
}

/*
 * Whether io_uring may try a transfer on f inside io_uring_enter, in the
 * engine thread, before handing it to its workers. It does so for files
 * with FMODE_NOWAIT, and newer kernels also for files without it whose poll
 * method says ready. FUSE's file has one (ready, for a server that does not
 * implement poll), and FUSE's direct I/O, started from io_uring's
 * asynchronous kiocb, waits for one of the connection's background slots
 * (max_background, 12 by default) whatever IOCB_NOWAIT says: with 12 reads
 * held by a hung FUSE server the 13th held the engine thread, and with it
 * every request of the context, its cancels and its close (Linux 6.18,
 * tests/fuse/isolation.c). So a file where the kernel refuses RWF_NOWAIT
 * goes to the workers at once (IOSQE_ASYNC), which is what kernels without
 * that heuristic do anyway.
 *
 * Found out once per file, on its first transfer: a 1-byte RWF_NOWAIT read
 * into a misaligned byte at the request's offset. Without FMODE_NOWAIT the
 * kernel refuses it (EOPNOTSUPP) before any filesystem code runs; with it
 * the read does not block (O_DIRECT refuses the alignment, with no I/O; a
 * buffered read reads what the request is about to read). A file not open
 * for reading cannot be asked this way and keeps io_uring's own choice:
 * writes to a write-only file on FUSE can still hold the engine.
 */
static bool may_try_inline(struct eng_file *f, uint64_t offset)
{
	char probe[2];
	struct iovec iov = { probe + 1, 1 };
	ssize_t n;

	if (f->kernel_nowait || !f->caps.readable)
		return f->kernel_nowait >= 0;
	n = preadv2(f->fd, &iov, 1, (off_t)offset, RWF_NOWAIT);
	if (n < 0 && errno == EOPNOTSUPP) {
		f->kernel_nowait = -1;
		/* The inline paths need not ask again either. */
		atomic_store_explicit(&f->nowait_ok, false, memory_order_relaxed);
	} else {
		f->kernel_nowait = 1;
	}
	return f->kernel_nowait > 0;
}

static void uring_queue(struct aionl_engine *e, struct eng_req *r)
{
	struct uring_priv *u = e->exec_priv;
	struct io_uring_sqe *sqe;
	int fd = r->file ? r->file->fd : AT_FDCWD;

	if (r->op == AIONL_CMD_COPY) {
		helpers_queue(e, r);
		return;
	}
	if (!u->helpers && !u->helpers_failed && e->params.direct && buffered_write(r)) {
		int err;

		/* For the direct path, from the next write on; tried once. */
		u->helpers_failed = !helpers_get(e, &err);
	}
	sqe = get_sqe(&u->ring);

	switch (r->op) {
	case AIONL_CMD_READ:
		io_uring_prep_read(sqe, fd, r->iov[0].iov_base, r->iov[0].iov_len, r->offset);
		break;
	case AIONL_CMD_WRITE:
		io_uring_prep_write(sqe, fd, r->iov[0].iov_base, r->iov[0].iov_len, r->offset);
		break;
	case AIONL_CMD_READV:
		io_uring_prep_readv(sqe, fd, r->iov, r->nr_iov, r->offset);
		break;
	case AIONL_CMD_WRITEV:
		io_uring_prep_writev(sqe, fd, r->iov, r->nr_iov, r->offset);
		break;
	case AIONL_CMD_FSYNC:
		io_uring_prep_fsync(sqe, fd, 0);
		break;
	case AIONL_CMD_FDATASYNC:
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		break;
	case AIONL_CMD_OPEN:
		/*
		 * Resolved by io_uring's workers, threads of this process: its
		 * root, cwd, creds. IOSQE_ASYNC goes to them at once: io_uring
		 * otherwise first tries the open in io_uring_enter, in this
		 * thread, with O_NONBLOCK added, which calls the filesystem's
		 * open (a hung one would hold the engine) and opens a FIFO
		 * without waiting for its other end, unlike open(2).
		 */
		io_uring_prep_openat(sqe, fd, r->path, (int)r->oflags, r->mode);
		sqe->flags |= IOSQE_ASYNC;
		break;
	case AIONL_CMD_FALLOCATE:
		/* io_uring never tries these in io_uring_enter: its workers run them. */
		io_uring_prep_fallocate(sqe, fd, (int)r->fmode, (off_t)r->offset, (off_t)r->flen);
		break;
	case AIONL_CMD_STATX:
		io_uring_prep_statx(sqe, fd, r->path, (int)r->sx_flags, r->sx_mask,
				    (struct statx *)r->sx_buf);
		break;
	}
	if (r->op >= AIONL_CMD_READ && r->op <= AIONL_CMD_WRITEV &&
	    !may_try_inline(r->file, r->offset))
		sqe->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data(sqe, r);
}

static int uring_wait(struct aionl_engine *e, bool want_in, bool want_out, bool block)
{
	struct uring_priv *u = e->exec_priv;
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	int rev = 0, err;

	if (!u->events_armed) {
		struct io_uring_sqe *sqe = get_sqe(&u->ring);

		io_uring_prep_poll_add(sqe, e->epfd, POLLIN);
		io_uring_sqe_set_data64(sqe, TAG_EVENTS);
		u->events_armed = true;
	}
	if (u->helpers && !u->helpers_armed) {
		struct io_uring_sqe *sqe = get_sqe(&u->ring);

		io_uring_prep_poll_add(sqe, pool_fd(u->helpers), POLLIN);
		io_uring_sqe_set_data64(sqe, TAG_HELPERS);
		u->helpers_armed = true;
	}
	if (!block) {
		if (io_uring_sq_ready(&u->ring))
			io_uring_submit(&u->ring);
		rev = (want_in ? POLLIN : 0) | (want_out ? POLLOUT : 0);
		goto reap;
	}
	if (want_in && !u->pollin_armed) {
		struct io_uring_sqe *sqe = get_sqe(&u->ring);

		io_uring_prep_poll_add(sqe, e->sock, POLLIN);
		io_uring_sqe_set_data64(sqe, TAG_POLLIN);
		u->pollin_armed = true;
	}
	if (want_out && !u->pollout_armed) {
		struct io_uring_sqe *sqe = get_sqe(&u->ring);

		io_uring_prep_poll_add(sqe, e->sock, POLLOUT);
		io_uring_sqe_set_data64(sqe, TAG_POLLOUT);
		u->pollout_armed = true;
	}
	do {
		err = io_uring_submit_and_wait(&u->ring, 1);
	} while (err == -EINTR);
reap:
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		uint64_t tag = io_uring_cqe_get_data64(cqe);

		seen++;
		if (tag == TAG_CANCEL)
			continue;
		if (tag == TAG_EVENTS) {
			u->events_armed = false;
			e->events_ready = true;
			continue;
		}
		if (tag == TAG_HELPERS) {
			struct eng_req *r, *next;

			u->helpers_armed = false;
			for (r = pool_take_done(u->helpers); r; r = next) {
				next = r->next;
				engine_complete(e, r, r->res);
			}
			pool_grow(u->helpers);
			continue;
		}
		if (tag == TAG_POLLIN || tag == TAG_POLLOUT) {
			if (tag == TAG_POLLIN)
				u->pollin_armed = false;
			else
				u->pollout_armed = false;
			if (block)
				rev |= cqe->res < 0 ? POLLERR : cqe->res;
			continue;
		}
		engine_complete(e, (struct eng_req *)(uintptr_t)tag, cqe->res);
	}
	io_uring_cq_advance(&u->ring, seen);
	return rev;
}

/*
 * The request's CQE still comes, once: -ECANCELED, or its real result. A
 * helper's COPY is taken back if no helper took it yet; one running
 * finishes, uninterrupted.
 */
static void uring_cancel(struct aionl_engine *e, struct eng_req *r)
{
	struct uring_priv *u = e->exec_priv;
	struct io_uring_sqe *sqe;

	if (r->op == AIONL_CMD_COPY) {
		if (pool_unqueue(u->helpers, r))
			engine_complete(e, r, -ECANCELED);
		return;
	}
	sqe = get_sqe(&u->ring);

	io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)r, 0);
	io_uring_sqe_set_data64(sqe, TAG_CANCEL);
}

const struct exec_ops aionl_exec_uring = {
	.name = "uring",
	.kind = AIONL_EXEC_URING,
	.init = uring_init,
	.fini = uring_fini,
	.forget = uring_forget,
	.queue = uring_queue,
	.cancel = uring_cancel,
	.cancel_interrupts = true,
	.wait = uring_wait,
	.direct_pool = uring_direct_pool,
};
