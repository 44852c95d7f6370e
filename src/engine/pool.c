// SPDX-License-Identifier: MIT
/*
 * Worker threads that make requests' system calls: the threads executor's
 * pool, and the io_uring executor's helpers for what io_uring has no
 * operation for (COPY: copy_file_range(2)). The engine thread pushes
 * requests; a worker takes one, makes its call, and hands it back on a
 * list, with one eventfd write per batch, not per request, which the
 * engine polls.
 *
 * The workers are threads of the program's process, so each call is the
 * program's own: its credentials, root, working directory, umask and
 * RLIMIT_FSIZE. They are started by the engine thread, or by
 * aionl_engine_start with every signal blocked, and keep that mask: signals
 * are the program's, and one a call raises (copy_file_range's or
 * fallocate's SIGXFSZ past RLIMIT_FSIZE) stays pending in the worker, its
 * result saying -EFBIG.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine.h"
#include "pool.h"

/*
 * The pool grows with demand: when requests are pushed and fewer workers
 * are about to take them than wait, more start, up to max (the workers
 * parameter), so that a queue depth of blocking requests (O_DIRECT reads,
 * buffered writes) is in flight at once, as glibc's POSIX AIO threads let
 * it be. It keeps min (AIONL_WORKERS_KEPT, or max if fewer); a worker past
 * them that has had nothing to do for AIONL_WORKER_IDLE_SEC exits, and the
 * engine joins it when it next starts one, or at the end.
 */
#define AIONL_WORKER_IDLE_SEC 2

enum { SLOT_FREE, SLOT_RUNNING, SLOT_EXITED };

struct worker_slot {
	struct eng_pool *p;
	pthread_t tid;		/* 0: none to join */
	int state;		/* SLOT_*, under p->lock */
};

struct eng_pool {
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

	int efd;
	unsigned int min, max;	/* workers kept, and at most */
	struct worker_slot slots[];
};

int64_t pool_run(struct eng_req *r)
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
	case AIONL_CMD_COPY: {
		/*
		 * The system call itself, never a library's emulation of it
		 * (glibc 2.27 to 2.29 had one): its answers are the contract.
		 * Offsets given, so neither file's position is used or moved.
		 */
		loff_t in = (loff_t)r->offset, out = (loff_t)r->dst_offset;

		n = syscall(SYS_copy_file_range, fd, &in, r->dst->fd, &out, (size_t)r->flen, 0u);
		break;
	}
	default:
		errno = EINVAL;
		n = -1;
	}
	return n < 0 ? -errno : n;
}

static void *worker_main(void *arg)
{
	struct worker_slot *slot = arg;
	struct eng_pool *p = slot->p;

	pthread_mutex_lock(&p->lock);
	p->starting--;
	for (;;) {
		struct eng_req *r;
		bool wake;

		while (!p->todo_head && !p->stop) {
			int err;

			p->idle++;
			if (p->running > p->min) {
				struct timespec ts;

				clock_gettime(CLOCK_MONOTONIC, &ts);
				ts.tv_sec += AIONL_WORKER_IDLE_SEC;
				err = pthread_cond_timedwait(&p->cond, &p->lock, &ts);
			} else {
				err = pthread_cond_wait(&p->cond, &p->lock);
			}
			p->idle--;
			/* Idle for long and one of the extra ones: the engine joins it. */
			if (err == ETIMEDOUT && !p->todo_head && !p->stop && p->running > p->min) {
				p->running--;
				slot->state = SLOT_EXITED;
				pthread_mutex_unlock(&p->lock);
				return NULL;
			}
		}
		if (!p->todo_head)
			break;
		r = p->todo_head;
		p->todo_head = r->next;
		if (!p->todo_head)
			p->todo_tail = NULL;
		p->ntodo--;
		pthread_mutex_unlock(&p->lock);

		r->res = pool_run(r);

		pthread_mutex_lock(&p->lock);
		wake = !p->done;
		r->next = p->done;
		p->done = r;
		if (wake) {
			uint64_t one = 1;

			/* The engine empties the list after reading the eventfd. */
			while (write(p->efd, &one, sizeof(one)) < 0 && errno == EINTR)
				;
		}
	}
	p->running--;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * Start a worker in a free slot (joining an exited one's thread first);
 * engine thread only. Under p->lock on entry and exit; the lock is dropped
 * around the join and the start. Returns 0 or the error of pthread_create.
 */
static int worker_start(struct eng_pool *p)
{
	pthread_attr_t attr;
	unsigned int i;
	int err;

	for (i = 0; i < p->max && p->slots[i].state == SLOT_RUNNING; i++)
		;
	if (i == p->max)
		return EAGAIN;
	p->slots[i].state = SLOT_RUNNING;
	p->running++;
	p->starting++;
	pthread_mutex_unlock(&p->lock);
	/* An exited worker's slot: its thread has left, or is about to. */
	if (p->slots[i].tid)
		pthread_join(p->slots[i].tid, NULL);
	p->slots[i].tid = 0;
	pthread_attr_init(&attr);
	/* Workers make system calls only: a small stack keeps many of them cheap. */
	pthread_attr_setstacksize(&attr, 256 << 10);
	err = pthread_create(&p->slots[i].tid, &attr, worker_main, &p->slots[i]);
	pthread_attr_destroy(&attr);
	pthread_mutex_lock(&p->lock);
	if (err) {
		p->slots[i].tid = 0;
		p->slots[i].state = SLOT_FREE;
		p->running--;
		p->starting--;
	}
	return err;
}

static void pool_stop(struct eng_pool *p)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	/* Running ones end at stop; exited ones have ended: both are joined. */
	for (i = 0; i < p->max; i++)
		if (p->slots[i].tid)
			pthread_join(p->slots[i].tid, NULL);
	if (p->efd >= 0)
		close(p->efd);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

int pool_new(struct eng_pool **pp, unsigned int max)
{
	unsigned int min = max < AIONL_WORKERS_KEPT ? max : AIONL_WORKERS_KEPT, i;
	struct eng_pool *p = calloc(1, sizeof(*p) + max * sizeof(p->slots[0]));
	pthread_condattr_t ca;
	int err;

	if (!p)
		return aionl__fail(-ENOMEM, "out of memory for the worker pool");
	pthread_mutex_init(&p->lock, NULL);
	/* Idle workers time out on the monotonic clock: a clock step changes nothing. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	p->min = min;
	p->max = max;
	for (i = 0; i < max; i++)
		p->slots[i].p = p;
	p->efd = aionl__fd_high(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (p->efd < 0) {
		err = -errno;
		pool_stop(p);
		return aionl__fail(err, "eventfd for the worker pool failed");
	}
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < min; i++) {
		err = worker_start(p);
		if (err) {
			pthread_mutex_unlock(&p->lock);
			pool_stop(p);
			return aionl__fail(-err, "cannot start worker thread %u", i);
		}
	}
	pthread_mutex_unlock(&p->lock);
	*pp = p;
	return 0;
}

void pool_free(struct eng_pool *p)
{
	pool_stop(p);
}

void pool_forget(struct eng_pool *p)
{
	close(p->efd);
	free(p);
}

int pool_fd(const struct eng_pool *p)
{
	return p->efd;
}

void pool_push(struct eng_pool *p, struct eng_req *head, struct eng_req *tail, unsigned int n)
{
	pthread_mutex_lock(&p->lock);
	if (p->todo_tail)
		p->todo_tail->next = head;
	else
		p->todo_head = head;
	p->todo_tail = tail;
	tail->next = NULL;
	p->ntodo += n;
	if (n >= p->idle)
		pthread_cond_broadcast(&p->cond);
	else
		while (n--)
			pthread_cond_signal(&p->cond);
	/*
	 * More waiting than workers about to take them: more workers (each
	 * started one takes a request at once, or becomes idle).
	 */
	while (p->ntodo > p->idle + p->starting && p->running < p->max)
		if (worker_start(p))
			break;
	pthread_mutex_unlock(&p->lock);
}

struct eng_req *pool_take_done(struct eng_pool *p)
{
	struct eng_req *r;
	uint64_t cnt;

	/* Read the eventfd before taking the list, so no wake-up is lost. */
	while (read(p->efd, &cnt, sizeof(cnt)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&p->lock);
	r = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->lock);
	return r;
}

bool pool_unlink(struct eng_req **head, struct eng_req **tail, struct eng_req *r)
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

bool pool_unqueue(struct eng_pool *p, struct eng_req *r)
{
	bool removed;

	pthread_mutex_lock(&p->lock);
	removed = pool_unlink(&p->todo_head, &p->todo_tail, r);
	if (removed)
		p->ntodo--;
	pthread_mutex_unlock(&p->lock);
	return removed;
}
