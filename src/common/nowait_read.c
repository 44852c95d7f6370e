// SPDX-License-Identifier: MIT
/*
 * The read both fast paths make (the submitting thread's inline reads and
 * the worker-pool engine's): what the page cache holds, without blocking.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

int aionl__nowait_read(int fd, const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
		       int64_t *res)
{
	static const struct aionl_file_caps readable_file = { .readable = true, .seekable = true };
	__u64 total;
	ssize_t n;

	/* A request the rules refuse is for the backend to complete with its error. */
	if (aionl_rw_check(&readable_file, false, offset, iov, nr_iov, &total) != AIONL_RW_AT_OFFSET)
		return 0;
	/*
	 * The raw system call: glibc's preadv2 is a cancellation point, and its
	 * bookkeeping costs a measurable share of a page-cache read.
	 */
	n = syscall(SYS_preadv2, fd, iov, (int)nr_iov, (long)offset, (long)(offset >> 32),
		    RWF_NOWAIT);
	/* Anything but a whole transfer is for the backend to finish. */
	if (n < 0 || (uint64_t)n != total)
		return 0;
	*res = n;
	return 1;
}
