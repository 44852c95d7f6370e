// SPDX-License-Identifier: MIT
/*
 * Worker-pool executor, for where io_uring is blocked. Reads that the page
 * cache can serve run inline on the engine thread (preadv2 with RWF_NOWAIT),
 * the rest go to blocking workers. Workers hand results back through a list
 * and one eventfd write per batch, not per request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine.h"

/*
 * The pool grows with demand: when a batch is queued and fewer workers are
 * idle than requests wait, more start, up to max (the workers parameter),
 * so that a queue depth of blocking requests (O_DIRECT reads, buffered
 * writes) is in flight at once, as glibc's POSIX AIO threads let it be. A
 * worker past the min (AIONL_WORKERS_KEPT) that has had nothing to do for
 * AIONL_WORKER_IDLE_SEC exits.
 */
#define AIONL_WORKER_IDLE_SEC 2

enum { SLOT_FREE, SLOT_RUNNING, SLOT_EXITED };

struct threads_priv;

struct worker_slot {
	struct threads_priv *t;
	pthread_t tid;
	int state;		/* SLOT_*, under t->lock */
};

struct threads_priv {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Protected by lock: */
	struct eng_req *todo_head, *todo_tail;
	unsigned int ntodo;	/* requests in todo */
	struct eng_req *done;
	unsigned int running;	/* workers started and not exited */
	unsigned int idle;	/* of which waiting for a request */
	unsigned int starting;	/* of which not yet at their first look at todo */
	bool stop;
	/* Engine thread only: requests queued since the last wait. */
	struct eng_req *batch_head, *batch_tail;
	unsigned int batch_len;

	int efd;
	unsigned int min, max;	/* workers kept, and at most */
	struct worker_slot slots[];
};

static int64_t run_io(struct eng_req *r)
{
	int fd = r->file ? r->file->fd : AT_FDCWD;
	ssize_t n;

	switch (r->op) {
	case AIONL_CMD_READ:
	case AIONL_CMD_READV:
		n = preadv(fd, r->iov, r->nr_iov, r->offset);
		break;
	case AIONL_CMD_WRITE:
	case AIONL_CMD_WRITEV:
		n = pwritev(fd, r->iov, r->nr_iov, r->offset);
		break;
	case AIONL_CMD_FSYNC:
		n = fsync(fd);
		break;
	case AIONL_CMD_FDATASYNC:
		n = fdatasync(fd);
		break;
	case AIONL_CMD_OPEN:
		/* A thread of the program's process: its root, cwd, creds and umask. */
		n = openat(fd, r->path, (int)r->oflags, (mode_t)r->mode);
		break;
	case AIONL_CMD_FALLOCATE:
		n = fallocate(fd, (int)r->fmode, (off_t)r->offset, (off_t)r->flen);
		break;
	case AIONL_CMD_STATX:
		/*
		 * The system call itself: the buffer is the program's, any
		 * address (NULL gives -EFAULT), where glibc's statx() declares
		 * it nonnull.
		 */
		n = syscall(SYS_statx, fd, r->path, (int)r->sx_flags, r->sx_mask, r->sx_buf);
		break;
	default:
		errno = EINVAL;
		n = -1;
	}
	return n < 0 ? -errno : n;
}

static void *worker_main(void *arg)
{
	struct worker_slot *slot = arg;
	struct threads_priv *t = slot->t;

	pthread_mutex_lock(&t->lock);
	t->starting--;
	for (;;) {
		struct eng_req *r;
		bool wake;

		while (!t->todo_head && !t->stop) {
			int err;

			t->idle++;
			if (t->running > t->min) {
				struct timespec ts;

				clock_gettime(CLOCK_MONOTONIC, &ts);
				ts.tv_sec += AIONL_WORKER_IDLE_SEC;
				err = pthread_cond_timedwait(&t->cond, &t->lock, &ts);
			} else {
				err = pthread_cond_wait(&t->cond, &t->lock);
			}
			t->idle--;
			/* Idle for long and one of the extra ones: the engine joins it. */
			if (err == ETIMEDOUT && !t->todo_head && !t->stop && t->running > t->min) {
				t->running--;
				slot->state = SLOT_EXITED;
				pthread_mutex_unlock(&t->lock);
				return NULL;
			}
		}
		if (!t->todo_head)
			break;
		r = t->todo_head;
		t->todo_head = r->next;
		if (!t->todo_head)
			t->todo_tail = NULL;
		t->ntodo--;
		pthread_mutex_unlock(&t->lock);

		r->res = run_io(r);

		pthread_mutex_lock(&t->lock);
		wake = !t->done;
		r->next = t->done;
		t->done = r;
		if (wake) {
			uint64_t one = 1;

			/* The engine empties the list after reading the eventfd. */
			while (write(t->efd, &one, sizeof(one)) < 0 && errno == EINTR)
				;
		}
	}
	t->running--;
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

/*
 * Start a worker in a free slot (joining an exited one's thread first);
 * engine thread only. Under t->lock on entry and exit; the lock is dropped
 * around the join and the start. Returns whether one started.
 */
static bool worker_start(struct threads_priv *t)
{
	pthread_attr_t attr;
	unsigned int i;
	int err;

	for (i = 0; i < t->max && t->slots[i].state == SLOT_RUNNING; i++)
		;
	if (i == t->max)
		return false;
	t->slots[i].state = SLOT_RUNNING;
	t->running++;
	t->starting++;
	pthread_mutex_unlock(&t->lock);
	/* An exited worker's slot: its thread has left, or is about to. */
	if (t->slots[i].tid)
		pthread_join(t->slots[i].tid, NULL);
	t->slots[i].tid = 0;
	pthread_attr_init(&attr);
	/* Workers make system calls only: a small stack keeps max of them cheap. */
	pthread_attr_setstacksize(&attr, 256 << 10);
	err = pthread_create(&t->slots[i].tid, &attr, worker_main, &t->slots[i]);
	pthread_attr_destroy(&attr);
	pthread_mutex_lock(&t->lock);
	if (err) {
		t->slots[i].tid = 0;
		t->slots[i].state = SLOT_FREE;
		t->running--;
		t->starting--;
		return false;
	}
	return true;
}

static void threads_fini_priv(struct threads_priv *t)
{
	unsigned int i;

	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	/* Running ones end at stop; exited ones have ended: both are joined. */
	for (i = 0; i < t->max; i++)
		if (t->slots[i].tid)
			pthread_join(t->slots[i].tid, NULL);
	if (t->efd >= 0)
		close(t->efd);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t);
}

static int threads_init(struct aionl_engine *e)
{
	unsigned int max = e->params.workers, min, i;
	struct threads_priv *t;
	pthread_condattr_t ca;
	int err;

	min = max < AIONL_WORKERS_KEPT ? max : AIONL_WORKERS_KEPT;
	t = calloc(1, sizeof(*t) + max * sizeof(t->slots[0]));
	if (!t)
		return aionl__fail(-ENOMEM, "out of memory for the worker pool");
	pthread_mutex_init(&t->lock, NULL);
	/* Idle workers time out on the monotonic clock: a clock step changes nothing. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	t->min = min;
	t->max = max;
	for (i = 0; i < max; i++)
		t->slots[i].t = t;
	t->efd = aionl__fd_high(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (t->efd < 0) {
		err = -errno;
		threads_fini_priv(t);
		return aionl__fail(err, "eventfd for the worker pool failed");
	}
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < min; i++) {
		if (!worker_start(t)) {
			pthread_mutex_unlock(&t->lock);
			threads_fini_priv(t);
			return aionl__fail(-EAGAIN, "cannot start worker thread %u", i);
		}
	}
	pthread_mutex_unlock(&t->lock);
	e->exec_priv = t;
	return 0;
}

static void threads_fini(struct aionl_engine *e)
{
	threads_fini_priv(e->exec_priv);
}

/* The workers are not in the child; their requests are e->active's. */
static void threads_forget(struct aionl_engine *e)
{
	struct threads_priv *t = e->exec_priv;

	close(t->efd);
	free(t);
}

static size_t iov_total(const struct eng_req *r)
{
	size_t total = 0;
	uint32_t i;

	for (i = 0; i < r->nr_iov; i++)
		total += r->iov[i].iov_len;
	return total;
}

static void threads_queue(struct aionl_engine *e, struct eng_req *r)
{
	struct threads_priv *t = e->exec_priv;

	if ((r->op == AIONL_CMD_READ || r->op == AIONL_CMD_READV) && r->file &&
	    atomic_load_explicit(&r->file->nowait_ok, memory_order_relaxed)) {
		ssize_t n = preadv2(r->file->fd, r->iov, r->nr_iov, r->offset, RWF_NOWAIT);

		/* A short read may be a partly cached range: let a worker finish it. */
		if (n >= 0 && (size_t)n == iov_total(r)) {
			engine_complete(e, r, n);
			return;
		}
		if (n < 0 && errno == EOPNOTSUPP)
			atomic_store_explicit(&r->file->nowait_ok, false, memory_order_relaxed);
	}
	r->next = NULL;
	if (t->batch_tail)
		t->batch_tail->next = r;
	else
		t->batch_head = r;
	t->batch_tail = r;
	t->batch_len++;
}

static int threads_wait(struct aionl_engine *e, bool want_in, bool want_out, bool block)
{
	struct threads_priv *t = e->exec_priv;
	struct pollfd p[3] = {
		{ .fd = want_in || want_out ? e->sock : -1,
		  .events = (want_in ? POLLIN : 0) | (want_out ? POLLOUT : 0) },
		{ .fd = t->efd, .events = POLLIN },
		{ .fd = e->epfd, .events = POLLIN },
	};
	struct eng_req *r, *next;
	uint64_t cnt;

	if (t->batch_head) {
		pthread_mutex_lock(&t->lock);
		if (t->todo_tail)
			t->todo_tail->next = t->batch_head;
		else
			t->todo_head = t->batch_head;
		t->todo_tail = t->batch_tail;
		t->ntodo += t->batch_len;
		if (t->batch_len >= t->idle)
			pthread_cond_broadcast(&t->cond);
		else
			while (t->batch_len--)
				pthread_cond_signal(&t->cond);
		/*
		 * More waiting than workers about to take them: more workers
		 * (each started one takes a request at once, or is idle).
		 */
		while (t->ntodo > t->idle + t->starting && t->running < t->max)
			if (!worker_start(t))
				break;
		pthread_mutex_unlock(&t->lock);
		t->batch_head = t->batch_tail = NULL;
		t->batch_len = 0;
	}
	if (poll(p, 3, block ? -1 : 0) < 0)
		return 0;
	if (p[2].revents & POLLIN)
		e->events_ready = true;
	if (!block)
		p[0].revents |= p[0].events;
	if (p[1].revents & POLLIN) {
		/* Read the eventfd before taking the list, so no wake-up is lost. */
		while (read(t->efd, &cnt, sizeof(cnt)) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&t->lock);
		r = t->done;
		t->done = NULL;
		pthread_mutex_unlock(&t->lock);
		for (; r; r = next) {
			next = r->next;
			engine_complete(e, r, r->res);
		}
	}
	return p[0].revents;
}

static bool unlink_req(struct eng_req **head, struct eng_req **tail, struct eng_req *r)
{
	struct eng_req **pp, *prev = NULL;

	for (pp = head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			if (*tail == r)
				*tail = prev;
			return true;
		}
	}
	return false;
}

/* A request no worker has taken yet is cancelled; a running one finishes. */
static void threads_cancel(struct aionl_engine *e, struct eng_req *r)
{
	struct threads_priv *t = e->exec_priv;
	bool removed;

	if (unlink_req(&t->batch_head, &t->batch_tail, r)) {
		t->batch_len--;
		engine_complete(e, r, -ECANCELED);
		return;
	}
	pthread_mutex_lock(&t->lock);
	removed = unlink_req(&t->todo_head, &t->todo_tail, r);
	pthread_mutex_unlock(&t->lock);
	if (removed)
		engine_complete(e, r, -ECANCELED);
}

const struct exec_ops aionl_exec_threads = {
	.name = "threads",
	.kind = AIONL_EXEC_THREADS,
	.init = threads_init,
	.fini = threads_fini,
	.forget = threads_forget,
	.queue = threads_queue,
	.cancel = threads_cancel,
	.wait = threads_wait,
};
