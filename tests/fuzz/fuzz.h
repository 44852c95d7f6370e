/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: reading an input as a stream of values, the
 * scratch buffer that every address from an input is folded into, the
 * descriptor count that catches leaks, and failing loudly.
 *
 * Each target (tests/fuzz/<name>.c) defines LLVMFuzzerTestOneInput and
 * maybe LLVMFuzzerInitialize, and is linked either with libFuzzer
 * (-DAIONL_FUZZ=ON, clang) or with replay.c, a plain main() that runs it
 * over files: the regression tests of every build.
 *
 * Include first, after defining _GNU_SOURCE.
 */
#ifndef AIONL_TEST_FUZZ_H
#define AIONL_TEST_FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ------------------------------------------------------------ failing */

/* An input broke a promise: say which, and crash so that libFuzzer keeps it. */
__attribute__((noreturn, format(printf, 1, 2)))
static inline void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ------------------------------------------------------------ reading an input */

/* An input read front to back; past its end every value reads as 0. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t lo = fz_u8(f);

	return (uint16_t)(lo | fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t lo = fz_u16(f);

	return lo | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t fz_u64(struct fz *f)
{
	uint64_t lo = fz_u32(f);

	return lo | (uint64_t)fz_u32(f) << 32;
}

/* Up to want bytes: *out points at them, the return says how many there were. */
static inline size_t fz_bytes(struct fz *f, size_t want, const uint8_t **out)
{
	size_t n = want < f->n ? want : f->n;

	*out = f->p;
	f->p += n;
	f->n -= n;
	return n;
}

/* ------------------------------------------------------------ the scratch buffer */

/*
 * Every address an input names for I/O is folded into this buffer, so that
 * reads never land on the fuzzer's own memory. After it lies a guard of
 * inaccessible address space longer than any transfer may be, so a length
 * that runs past the buffer makes the kernel stop with EFAULT, as it would
 * for a program's bad buffer, instead of overwriting whatever follows.
 */
#define FZ_SCRATCH_SIZE (64u * 1024)
#define FZ_GUARD_SIZE (AIONL_MAX_IO_LEN + 2 * FZ_SCRATCH_SIZE)

static inline char *fz_scratch(void)
{
	static char *s;

	if (!s) {
		void *p = mmap(NULL, FZ_SCRATCH_SIZE + FZ_GUARD_SIZE, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED || mprotect(p, FZ_SCRATCH_SIZE, PROT_READ | PROT_WRITE))
			fz_fail("cannot map the scratch buffer: %s", strerror(errno));
		s = p;
	}
	return s;
}

/* An address inside the scratch buffer, as chosen by v. */
static inline uint64_t fz_fold_addr(uint64_t v)
{
	return (uint64_t)(uintptr_t)fz_scratch() + v % FZ_SCRATCH_SIZE;
}

/* ------------------------------------------------------------ descriptors */

/* Open descriptors of the process: an input must leave as many as it found. */
static inline int fz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		fz_fail("cannot list /proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A new temporary file, open read-write, named in path: the caller unlinks it. */
static inline int fz_tmpfile(char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/aionl-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		fz_fail("mkostemp %s: %s", path, strerror(errno));
	return fd;
}

/* AIONL_FUZZ_VERBOSE=1 in the environment: targets tell what they see. */
static inline bool fz_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("AIONL_FUZZ_VERBOSE") != NULL;
	return v;
}

static inline uint64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * How long a target waits for the engine before it calls the engine stuck.
 * Far above anything a healthy engine needs, far below libFuzzer's -timeout.
 */
#define FZ_STUCK_NS (10ULL * 1000000000ULL)

#endif /* AIONL_TEST_FUZZ_H */
