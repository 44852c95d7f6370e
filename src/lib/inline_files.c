// SPDX-License-Identifier: MIT
/*
 * The kernel backend's inline file table: a duplicate of each registered
 * descriptor under the handle the module returned, so that aionl_submit can
 * serve page-cache hits with one preadv2(RWF_NOWAIT) and no message, as
 * io_uring serves them inside io_uring_enter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "inline_files.h"

/*
 * A two-level table indexed by the handle's slot (aionl-rules.h), its leaves
 * allocated as slots come into use; the whole handle is kept to tell a stale
 * one from the file now in the slot.
 */
#define LEAF_BITS 10
#define LEAF_SIZE (1u << LEAF_BITS)
#define ROOT_SIZE (AIONL_MAX_FILES >> LEAF_BITS)

struct inline_file {
	uint64_t handle;	/* 0: empty */
	int fd;
};

struct aionl_inline_files {
	/* Readers (submitting threads) against register and unregister. */
	pthread_rwlock_t lock;
	struct inline_file *leaves[ROOT_SIZE];
};

/*
 * Around a fork (lib/fork.c): no register or unregister is half done in the
 * child's copy, whose lock is then made new.
 *
 * Only tries, never waits in the lock: a fork from a signal handler that
 * interrupted this thread inside pthread_rwlock_rdlock found glibc's
 * timedwrlock spinning for ever, its deadline never looked at, on a reader
 * that was half registered and would never go on (the signal-handler test
 * of tests/conformance/fork.c froze this way on the kernel backend).
 */
bool aionl__inline_files_fork_prepare(struct aionl_inline_files *t)
{
	struct timespec deadline = aionl__fork_deadline(), now;
	const struct timespec pause = { 0, 200000 };

	for (;;) {
		if (pthread_rwlock_trywrlock(&t->lock) == 0)
			return true;
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > deadline.tv_sec ||
		    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
			return false;
		nanosleep(&pause, NULL);
	}
}

void aionl__inline_files_fork_parent(struct aionl_inline_files *t)
{
	pthread_rwlock_unlock(&t->lock);
}

void aionl__inline_files_fork_child(struct aionl_inline_files *t)
{
	pthread_rwlock_init(&t->lock, NULL);
}

struct aionl_inline_files *aionl__inline_files_new(void)
{
	struct aionl_inline_files *t = calloc(1, sizeof(*t));

	if (t)
		pthread_rwlock_init(&t->lock, NULL);
	return t;
}

void aionl__inline_files_free(struct aionl_inline_files *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < ROOT_SIZE; i++) {
		if (!t->leaves[i])
			continue;
		for (unsigned int j = 0; j < LEAF_SIZE; j++)
			if (t->leaves[i][j].handle)
				close(t->leaves[i][j].fd);
		free(t->leaves[i]);
	}
	pthread_rwlock_destroy(&t->lock);
	free(t);
}

static struct inline_file *slot_of(struct aionl_inline_files *t, uint64_t handle, bool create)
{
	uint32_t id = aionl_handle_slot(handle);

	if (!t->leaves[id >> LEAF_BITS] && create)
		t->leaves[id >> LEAF_BITS] = calloc(LEAF_SIZE, sizeof(struct inline_file));
	if (!t->leaves[id >> LEAF_BITS])
		return NULL;
	return &t->leaves[id >> LEAF_BITS][id & (LEAF_SIZE - 1)];
}

void aionl__inline_files_add(struct aionl_inline_files *t, uint64_t handle, int fd)
{
	struct inline_file *s;
	unsigned int mode;
	int fl, dup;

	/*
	 * Only what preadv2 can serve at an offset without blocking; O_DIRECT
	 * reads wait for the device even with RWF_NOWAIT. The rest is the
	 * module's. The file's type comes from what the kernel holds: asking
	 * the filesystem (fstat) could wait on a hung one.
	 */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY || (fl & (O_PATH | O_DIRECT)) ||
	    aionl__fd_type(fd, &mode, NULL, NULL) < 0 || !aionl_mode_seekable(mode))
		return;
	/* Without a descriptor to spare, the file is served by the module alone. */
	dup = aionl__dup_high(fd);
	if (dup < 0)
		return;
	pthread_rwlock_wrlock(&t->lock);
	s = slot_of(t, handle, true);
	if (s && !s->handle) {
		s->handle = handle;
		s->fd = dup;
		dup = -1;
	}
	pthread_rwlock_unlock(&t->lock);
	if (dup >= 0)
		close(dup);
}

void aionl__inline_files_remove(struct aionl_inline_files *t, uint64_t handle)
{
	struct inline_file *s;
	int fd = -1;

	pthread_rwlock_wrlock(&t->lock);
	s = slot_of(t, handle, false);
	if (s && s->handle == handle) {
		fd = s->fd;
		s->handle = 0;
	}
	pthread_rwlock_unlock(&t->lock);
	if (fd >= 0)
		close(fd);
}

/* A context without a table (AIONL_PARAMS_NO_INLINE, or no memory) reads nothing inline. */
void aionl__inline_files_begin(struct aionl_inline_files *t)
{
	if (t)
		pthread_rwlock_rdlock(&t->lock);
}

void aionl__inline_files_end(struct aionl_inline_files *t)
{
	if (t)
		pthread_rwlock_unlock(&t->lock);
}

int aionl__inline_files_try_read(struct aionl_inline_files *t, uint64_t handle,
				 const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
				 int64_t *res)
{
	struct inline_file *s = t ? slot_of(t, handle, false) : NULL;

	if (!s || s->handle != handle || !handle)
		return 0;
	return aionl__nowait_read(s->fd, iov, nr_iov, offset, res);
}
