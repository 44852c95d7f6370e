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

struct eng_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Protected by lock: */
	struct eng_req *todo_head, *todo_tail;
	struct eng_req *done;
	bool stop;

	int efd;
	unsigned int nthreads;
	pthread_t threads[];
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
	struct eng_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct eng_req *r;
		bool wake;

		while (!p->todo_head && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->todo_head)
			break;
		r = p->todo_head;
		p->todo_head = r->next;
		if (!p->todo_head)
			p->todo_tail = NULL;
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
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void pool_stop(struct eng_pool *p, unsigned int started)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < started; i++)
		pthread_join(p->threads[i], NULL);
	if (p->efd >= 0)
		close(p->efd);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

int pool_new(struct eng_pool **pp, unsigned int n)
{
	struct eng_pool *p = calloc(1, sizeof(*p) + n * sizeof(pthread_t));
	unsigned int i;
	int err;

	if (!p)
		return aionl__fail(-ENOMEM, "out of memory for the worker pool");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->nthreads = n;
	p->efd = aionl__fd_high(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (p->efd < 0) {
		err = -errno;
		pool_stop(p, 0);
		return aionl__fail(err, "eventfd for the worker pool failed");
	}
	for (i = 0; i < n; i++) {
		err = pthread_create(&p->threads[i], NULL, worker_main, p);
		if (err) {
			pool_stop(p, i);
			return aionl__fail(-err, "cannot start worker thread %u", i);
		}
	}
	*pp = p;
	return 0;
}

void pool_free(struct eng_pool *p)
{
	pool_stop(p, p->nthreads);
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
	if (n >= p->nthreads)
		pthread_cond_broadcast(&p->cond);
	else
		while (n--)
			pthread_cond_signal(&p->cond);
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
	pthread_mutex_unlock(&p->lock);
	return removed;
}
