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
#include <signal.h>
#include <stdatomic.h>
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
	unsigned int nblocked;	/* of which serial() ones whose file is busy */
	struct eng_req *done;
	unsigned int running;	/* workers started and not exited */
	unsigned int idle;	/* of which waiting for a request */
	unsigned int starting;	/* of which not yet at their first look at todo */
	bool stop;
	/* Direct requests (direct.c) a worker runs now, linked by aprev/anext. */
	struct eng_req *direct_running;
	/*
	 * Free direct requests, linked by next: max of them, made with the
	 * pool, so that a submitting thread never calls malloc (a signal
	 * handler that forks may have interrupted it there, and glibc's fork
	 * would then wait for the arena lock for ever).
	 */
	struct eng_req *direct_free, *direct_slab;
	/*
	 * Direct requests pushed and not yet completed, and whether the engine
	 * waits for them to be none (a drain): then the worker that ends the
	 * last writes efd. Both sides store, then load the other's, sequentially
	 * consistent, so one of them always sees the other.
	 */
	atomic_uint ndirect;
	atomic_bool direct_watched;

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

/* Make pool_fd() readable: the engine looks at the pool. */
static void pool_kick(struct eng_pool *p)
{
	uint64_t one = 1;

	while (write(p->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/*
 * More requests waiting than workers about to take them (each started one
 * takes a request at once, or becomes idle). Under p->lock.
 */
static bool wants_workers(const struct eng_pool *p)
{
	return p->ntodo - p->nblocked > p->idle + p->starting && p->running < p->max;
}

/*
 * A direct request's completion: it goes to the program's queue. running:
 * r is on direct_running. Under p->lock, so that a cancel counts r until
 * its completion is queued and never after, and a fork finds r on its list
 * while it holds its file (the child drops the file of every request on
 * the lists: pool_forget). The file goes first, as the engine's requests
 * drop theirs before their completion is sent: a program that unregistered
 * it and reaps this completion finds the library's descriptor closed. A
 * last reference is closed off the lock (file_unref). Locks: p->lock, then
 * the library's rx_lock, as a fork's prepare handlers take them.
 */
static void direct_complete(struct eng_pool *p, struct eng_req *r, int64_t res, bool running)
{
	struct eng_file *f = r->file;

	pthread_mutex_lock(&p->lock);
	if (file_unref(f)) {
		/*
		 * Unregistered meanwhile. A fork's child between here and the
		 * close keeps its copy of the descriptor: as narrow a window
		 * as unregistering's own.
		 */
		r->file = NULL;
		pthread_mutex_unlock(&p->lock);
		file_free(f);
		pthread_mutex_lock(&p->lock);
	}
	r->direct_done(r, res);
	if (running) {
		if (r->aprev)
			r->aprev->anext = r->anext;
		else
			p->direct_running = r->anext;
		if (r->anext)
			r->anext->aprev = r->aprev;
	}
	r->next = p->direct_free;
	p->direct_free = r;
	pthread_mutex_unlock(&p->lock);
	/*
	 * After the completion is queued: a drain that sees none left follows
	 * it. The wake-up is one-shot: a drain cancelled meanwhile must not
	 * leave every later request waking the engine (pool_direct_busy arms
	 * it again at each look).
	 */
	if (atomic_fetch_sub(&p->ndirect, 1) == 1 && atomic_exchange(&p->direct_watched, false))
		pool_kick(p);
}

/*
 * A buffered write to a regular file runs one at a time per file, in order,
 * on the worker that runs the file's first (io_uring's io-wq hashes them by
 * inode alike): ext4 and XFS take the inode's lock for each, so concurrent
 * ones only queued on it, each wake-up a context switch (queue depth 32 of
 * writes ran at 0.59x io_uring on the threads executor).
 */
static bool serial(const struct eng_req *r)
{
	return aionl_op_writes(r->op) && r->file && r->file->regular && !r->file->odirect;
}

/* In todo, waiting for the worker that writes its file. Under p->lock. */
static bool blocked(const struct eng_req *r)
{
	return serial(r) && r->file->wbusy;
}

/*
 * Take r (after prev, or first) off todo for this worker: under p->lock. A
 * serial one marks its file busy, and its file's other writes in todo wait.
 */
static void take(struct eng_pool *p, struct eng_req *prev, struct eng_req *r)
{
	if (prev)
		prev->next = r->next;
	else
		p->todo_head = r->next;
	if (p->todo_tail == r)
		p->todo_tail = prev;
	p->ntodo--;
	if (blocked(r)) {
		p->nblocked--;
	} else if (serial(r)) {
		r->file->wbusy = true;
		for (struct eng_req *o = p->todo_head; o; o = o->next)
			p->nblocked += serial(o) && o->file == r->file;
	}
	if (r->direct_done) {
		r->aprev = NULL;
		r->anext = p->direct_running;
		if (r->anext)
			r->anext->aprev = r;
		p->direct_running = r;
	}
}

/* The next write to f in todo, taken; else f is no longer busy. Under p->lock. */
static struct eng_req *take_next_write(struct eng_pool *p, struct eng_file *f)
{
	struct eng_req *r, *prev = NULL;

	for (r = p->todo_head; r; prev = r, r = r->next) {
		if (serial(r) && r->file == f) {
			take(p, prev, r);
			return r;
		}
	}
	f->wbusy = false;
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker_slot *slot = arg;
	struct eng_pool *p = slot->p;

	pthread_mutex_lock(&p->lock);
	p->starting--;
	for (;;) {
		struct eng_req *r, *prev, *next;
		bool wake;

		while (p->ntodo == p->nblocked && !p->stop) {
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
			if (err == ETIMEDOUT && p->ntodo == p->nblocked && !p->stop &&
			    p->running > p->min) {
				p->running--;
				slot->state = SLOT_EXITED;
				pthread_mutex_unlock(&p->lock);
				return NULL;
			}
		}
		/* Stopping: a file's writes in todo are its busy worker's to finish. */
		if (p->ntodo == p->nblocked)
			break;
		for (prev = NULL, r = p->todo_head; blocked(r); prev = r, r = r->next)
			;
		take(p, prev, r);
		pthread_mutex_unlock(&p->lock);
run:
		r->res = pool_run(r);

		pthread_mutex_lock(&p->lock);
		/* Before r completes, while its file is surely alive. */
		next = serial(r) ? take_next_write(p, r->file) : NULL;
		if (r->direct_done) {
			pthread_mutex_unlock(&p->lock);
			direct_complete(p, r, r->res, true);
			pthread_mutex_lock(&p->lock);
		} else {
			wake = !p->done;
			r->next = p->done;
			p->done = r;
			/* The engine empties the list after reading the eventfd. */
			if (wake)
				pool_kick(p);
		}
		if (next) {
			r = next;
			pthread_mutex_unlock(&p->lock);
			goto run;
		}
	}
	p->running--;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * Start a worker in a free slot (joining an exited one's thread first);
 * engine thread only (a slot's tid is written off the lock), or
 * aionl_engine_start's pool_new. Under p->lock on entry and exit; the lock
 * is dropped around the join and the start. Returns 0 or the error of
 * pthread_create.
 */
static int worker_start(struct eng_pool *p)
{
	sigset_t all, old;
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
	/*
	 * Both callers block every signal already; a worker takes none of
	 * the program's signals even if that changes.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&p->slots[i].tid, &attr, worker_main, &p->slots[i]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
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
	free(p->direct_slab);
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
	p->direct_slab = calloc(max, sizeof(*p->direct_slab));
	for (i = 0; p->direct_slab && i < max; i++) {
		p->direct_slab[i].next = p->direct_free;
		p->direct_free = &p->direct_slab[i];
	}
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

/*
 * whole: the pool's lock was held across the fork (pool_fork_prepare), so
 * its lists are whole here: the direct requests on them give back their
 * files, so that the child's copies of the descriptors are closed.
 */
void pool_forget(struct eng_pool *p, bool whole)
{
	struct eng_req *r, *next;

	for (r = whole ? p->todo_head : NULL; r; r = next) {
		next = r->next;
		if (r->direct_done)
			file_put(r->file);
	}
	for (r = whole ? p->direct_running : NULL; r; r = next) {
		next = r->anext;
		if (r->file)
			file_put(r->file);
	}
	close(p->efd);
	free(p->direct_slab);
	free(p);
}

bool pool_fork_prepare(struct eng_pool *p)
{
	return aionl__fork_lock(&p->lock);
}

void pool_fork_parent(struct eng_pool *p)
{
	pthread_mutex_unlock(&p->lock);
}

int pool_fd(const struct eng_pool *p)
{
	return p->efd;
}

/* Queue the n requests from head to tail and wake workers for them: under p->lock. */
static void todo_append(struct eng_pool *p, struct eng_req *head, struct eng_req *tail,
			unsigned int n)
{
	if (p->todo_tail)
		p->todo_tail->next = head;
	else
		p->todo_head = head;
	p->todo_tail = tail;
	tail->next = NULL;
	p->ntodo += n;
	/* A write its file's busy worker will run wakes nobody. */
	for (struct eng_req *r = head; r; r = r->next) {
		if (blocked(r)) {
			p->nblocked++;
			n--;
		}
	}
	if (!n)
		;
	else if (n >= p->idle)
		pthread_cond_broadcast(&p->cond);
	else
		while (n--)
			pthread_cond_signal(&p->cond);
}

/* Start workers while wants_workers(): engine thread, under p->lock. */
static void grow_locked(struct eng_pool *p)
{
	while (wants_workers(p))
		if (worker_start(p))
			break;
}

void pool_push(struct eng_pool *p, struct eng_req *head, struct eng_req *tail, unsigned int n)
{
	pthread_mutex_lock(&p->lock);
	todo_append(p, head, tail, n);
	grow_locked(p);
	pthread_mutex_unlock(&p->lock);
}

struct eng_req *pool_direct_get(struct eng_pool *p)
{
	struct eng_req *r = NULL;

	pthread_mutex_lock(&p->lock);
	/* Only with a worker waiting for it: the submitter starts none. */
	if (p->idle > p->ntodo - p->nblocked && p->direct_free) {
		r = p->direct_free;
		p->direct_free = r->next;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

void pool_push_direct(struct eng_pool *p, struct eng_req *r)
{
	bool grow;

	atomic_fetch_add(&p->ndirect, 1);
	/*
	 * The file's reference with the lock that fork holds: a child then
	 * finds every reference a direct request holds on a list.
	 */
	pthread_mutex_lock(&p->lock);
	file_get(r->file);
	todo_append(p, r, r, 1);
	/* The idle worker was taken meanwhile: the engine starts another (pool_grow). */
	grow = wants_workers(p);
	pthread_mutex_unlock(&p->lock);
	if (grow)
		pool_kick(p);
}

void pool_grow(struct eng_pool *p)
{
	pthread_mutex_lock(&p->lock);
	grow_locked(p);
	pthread_mutex_unlock(&p->lock);
}

bool pool_direct_busy(struct eng_pool *p)
{
	if (!p)
		return false;
	atomic_store(&p->direct_watched, true);
	if (atomic_load(&p->ndirect))
		return true;
	atomic_store(&p->direct_watched, false);
	return false;
}

int64_t pool_cancel_direct(struct eng_pool *p, bool (*match)(const struct eng_req *r, void *arg),
			   void *arg)
{
	struct eng_req **pp, *r, *taken = NULL, *prev = NULL;
	int64_t found = 0;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (pp = &p->todo_head; (r = *pp);) {
		if (r->direct_done && match(r, arg)) {
			*pp = r->next;
			if (p->todo_tail == r)
				p->todo_tail = prev;
			p->ntodo--;
			p->nblocked -= blocked(r);
			r->next = taken;
			taken = r;
			found++;
			continue;
		}
		prev = r;
		pp = &r->next;
	}
	/* Running ones finish with their real result, as the engine's do. */
	for (r = p->direct_running; r; r = r->anext)
		found += match(r, arg);
	pthread_mutex_unlock(&p->lock);
	while ((r = taken)) {
		taken = r->next;
		direct_complete(p, r, -ECANCELED, false);
	}
	return found;
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
	if (removed) {
		p->ntodo--;
		p->nblocked -= blocked(r);
	}
	pthread_mutex_unlock(&p->lock);
	return removed;
}
