// SPDX-License-Identifier: MIT
/*
 * fork(): while a thread of the program forks, every engine of the process
 * is parked at the top of its loop, where none of its lists, tables or heaps
 * is half updated. The child's copy of an engine is then consistent, and its
 * aionl_ctx_close (aionl_engine_forget) can walk it to close the child's
 * copies of every descriptor the engine held: registered files, watched
 * descriptors, its own. Without the park, a fork landing in the middle of a
 * list update gave the child a list it could not safely walk; a child that
 * kept the copies instead would hold, say, a registered pipe's write end or
 * a client's socket open for as long as it ran.
 *
 * The cost is a wake-up and a wait for each engine at each fork(2) (not at
 * vfork, posix_spawn or Go's and Python's fork-exec, which run no atfork
 * handler and whose children only exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine.h"
#include "pool.h"

/* Every running engine of the process; held across a fork. */
static pthread_mutex_t engines_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aionl_engine *engines;
static bool engines_taken;	/* by this fork's prepare handler */

/*
 * Waits are bounded (AIONL_FORK_WAIT_NS): a fork from a signal handler may
 * have interrupted a thread the engine waits for (an inline read holding
 * the file table), and the engine would not park. Such an engine's copy is
 * then not walked in the child (fork_parked false: aionl_engine_forget
 * closes its own descriptors only).
 */
static void fork_prepare(void)
{
	struct aionl_engine *e;
	uint64_t one = 1;

	engines_taken = aionl__fork_lock(&engines_lock);
	if (!engines_taken)
		return;
	for (e = engines; e; e = e->fork_next) {
		atomic_store(&e->park_asked, true);
		while (write(e->kickfd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
	for (e = engines; e; e = e->fork_next) {
		struct timespec deadline = aionl__fork_deadline();

		pthread_mutex_lock(&e->park_lock);
		while (e->running && !e->parked &&
		       pthread_cond_timedwait(&e->park_cond, &e->park_lock, &deadline) != ETIMEDOUT)
			;
		/* An engine without a thread keeps what it was: see fork_engine_exits(). */
		if (e->running)
			e->fork_parked = e->parked;
		pthread_mutex_unlock(&e->park_lock);
	}
	/*
	 * The direct path's requests are the submitting threads' and the
	 * workers', not the engine's: their lists are held by the pool's lock.
	 */
	for (e = engines; e; e = e->fork_next) {
		struct eng_pool *p = atomic_load(&e->dpool);

		if (!e->fork_copy)
			e->dpool_whole = p && pool_fork_prepare(p);
	}
}

static void fork_parent(void)
{
	if (!engines_taken)
		return;
	for (struct aionl_engine *e = engines; e; e = e->fork_next) {
		if (!e->fork_copy) {
			if (e->dpool_whole)
				pool_fork_parent(atomic_load(&e->dpool));
			e->dpool_whole = false;
		}
		pthread_mutex_lock(&e->park_lock);
		atomic_store(&e->park_asked, false);
		if (e->running)
			e->fork_parked = false;
		pthread_cond_broadcast(&e->park_cond);
		pthread_mutex_unlock(&e->park_lock);
	}
	pthread_mutex_unlock(&engines_lock);
}

/*
 * No engine thread is in the child: its copies stay as they were parked.
 * If the list could not be had, the child forgets it (its engines'
 * fork_parked are false, so they are not walked either).
 */
static void fork_child(void)
{
	if (engines_taken) {
		/*
		 * No thread runs them here: a fork from this child must not
		 * wait for them to park, and their copies stay whole or not
		 * as this fork found them (fork_parked), for grandchildren too.
		 */
		for (struct aionl_engine *e = engines; e; e = e->fork_next) {
			atomic_store(&e->park_asked, false);
			e->running = false;
			e->fork_copy = true;
		}
	} else {
		engines = NULL;
	}
	/* dpool_whole stays: aionl_engine_forget walks the pool's lists only then. */
	pthread_mutex_init(&engines_lock, NULL);
}

static void fork_atfork(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

int fork_init(struct aionl_engine *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_TAG_KICK };

	pthread_once(&once, fork_atfork);
	e->kickfd = aionl__fd_high(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (e->kickfd < 0)
		return -errno;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->kickfd, &ev) < 0)
		return -errno;
	return 0;
}

void fork_track(struct aionl_engine *e)
{
	pthread_mutex_lock(&engines_lock);
	e->fork_next = engines;
	engines = e;
	pthread_mutex_unlock(&engines_lock);
}

/* Also in a child, where the lock is free again (fork_child). */
void fork_untrack(struct aionl_engine *e)
{
	pthread_mutex_lock(&engines_lock);
	for (struct aionl_engine **pp = &engines; *pp; pp = &(*pp)->fork_next) {
		if (*pp == e) {
			*pp = e->fork_next;
			break;
		}
	}
	pthread_mutex_unlock(&engines_lock);
}

void fork_kicked(struct aionl_engine *e)
{
	uint64_t n;

	while (read(e->kickfd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
}

void fork_park(struct aionl_engine *e)
{
	pthread_mutex_lock(&e->park_lock);
	e->parked = true;
	pthread_cond_broadcast(&e->park_cond);
	while (atomic_load(&e->park_asked))
		pthread_cond_wait(&e->park_cond, &e->park_lock);
	e->parked = false;
	pthread_mutex_unlock(&e->park_lock);
}

/*
 * The engine thread, on its way out: a fork need not wait for it to park,
 * and its lists are final, whole for a child.
 */
void fork_engine_exits(struct aionl_engine *e)
{
	pthread_mutex_lock(&e->park_lock);
	e->running = false;
	e->fork_parked = true;
	pthread_cond_broadcast(&e->park_cond);
	pthread_mutex_unlock(&e->park_lock);
}

/*
 * In a child (forget), the condition variable may still count the parent's
 * parked engine thread as a waiter, and destroying it could wait for that
 * thread: leave it be.
 */
void fork_fini(struct aionl_engine *e, bool forget)
{
	if (e->kickfd >= 0)
		close(e->kickfd);
	e->kickfd = -1;
	if (!forget) {
		pthread_cond_destroy(&e->park_cond);
		pthread_mutex_destroy(&e->park_lock);
	}
}
