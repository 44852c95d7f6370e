// SPDX-License-Identifier: MIT
/*
 * The contenders of aionl bench, in display order: libaionl on each backend,
 * raw io_uring, libaio, glibc POSIX AIO, libuv's thread pool and a plain
 * pread loop. Each is written the way its own documentation suggests, without
 * tricks the others could not use; those whose library the build did not
 * find are left out.
 */
#include <stddef.h>
#include <time.h>

#include "bench.h"

const struct bench_contender *const bench_contenders[] = {
	&bench_aionl_kernel,
	&bench_aionl_kernel_only,
	&bench_aionl_uring,
	&bench_aionl_threads,
	&bench_aionl_uring_nospin,
	&bench_aionl_threads_nospin,
	&bench_io_uring,
#ifdef AIONL_HAVE_LIBAIO
	&bench_libaio,
#endif
	&bench_posix_aio,
#ifdef AIONL_HAVE_LIBUV
	&bench_libuv,
#endif
	&bench_pread,
	NULL,
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
