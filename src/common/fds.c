// SPDX-License-Identifier: MIT
/*
 * The high range: every descriptor the library or the engine keeps on the
 * program's behalf (files it registered, duplicates for inline reads and
 * readiness watches, epoll, timerfds, signalfd, eventfds, io_uring, the
 * engine's end of the socket) lives at or above a floor, as the original
 * design asks ("punt indirectly opened fds up to a high numerical range"),
 * so that the low numbers stay the program's: a select() program keeps its
 * FD_SETSIZE, whatever it registers. The context's own descriptor, which the
 * program polls, stays low.
 *
 * The floor is FD_SETSIZE when RLIMIT_NOFILE leaves at least as much room
 * above it, and half the soft limit below that. The limit is never changed
 * behind the program's back (programs it execs inherit it):
 * AIONL_PARAMS_RAISE_NOFILE asks for it explicitly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

static atomic_int fd_floor = FD_SETSIZE;

int aionl__fd_floor_update(bool raise)
{
	struct rlimit rl;
	int floor = FD_SETSIZE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (raise && rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = { rl.rlim_max, rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &want) < 0)
			return -errno;
		rl = want;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 2 * (rlim_t)FD_SETSIZE)
		floor = (int)(rl.rlim_cur / 2);
	atomic_store_explicit(&fd_floor, floor, memory_order_relaxed);
	return 0;
}

int aionl__fd_floor(void)
{
	return atomic_load_explicit(&fd_floor, memory_order_relaxed);
}

int aionl__dup_high(int fd)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, aionl__fd_floor());

	/* The high range is full (EMFILE there, or EINVAL past the limit): any number. */
	if (nfd < 0 && (errno == EMFILE || errno == EINVAL))
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
#ifdef __SANITIZE_THREAD__
	/*
	 * ThreadSanitizer follows a descriptor through dup3 but not through
	 * fcntl(F_DUPFD): without this, the engine's socket end loses the
	 * pairing that makes a send and its receive synchronize, and every
	 * buffer handed over the socket looks like a race.
	 */
	if (nfd >= 0)
		dup3(fd, nfd, O_CLOEXEC);
#endif
	return nfd < 0 ? -errno : nfd;
}

int aionl__fd_high(int fd)
{
	int nfd;

	if (fd < 0 || fd >= aionl__fd_floor())
		return fd;
	nfd = aionl__dup_high(fd);
	if (nfd < 0 || nfd < aionl__fd_floor()) {
		if (nfd >= 0)
			close(nfd);
		return fd;	/* no room up there: it stays where it is */
	}
	close(fd);
	return nfd;
}

int aionl__fd_type(int fd, unsigned int *mode, uint64_t *ino, uint64_t *dev)
{
	struct statx stx;

	/*
	 * A file's type never changes, so the kernel's cached attributes are
	 * exact for it; a plain fstat() could send a GETATTR to a server or a
	 * FUSE daemon first, and wait for it on the program's path.
	 */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, &stx) < 0)
		return -errno;
	*mode = stx.stx_mode & S_IFMT;
	if (ino)
		*ino = stx.stx_ino;
	if (dev)
		*dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	return 0;
}
